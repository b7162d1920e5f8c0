/* ---------------------------------------------------------------------------
   CHECKPOINT: the model's configuration and the ModelOpt NVFP4 directory
   ------------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

/* The architecture a checkpoint describes (config.json). Values are those of
   the file after defaults: see MODEL.md section 1 of the project docs. */
typedef struct minimax_config {
    int hidden_size;             /* H, 3072 */
    int num_layers;              /* 62 (MTP layers beyond this are ignored) */
    int num_heads;               /* 48 query heads */
    int num_kv_heads;            /* 8 key/value heads (GQA group = heads / kv_heads) */
    int head_dim;                /* 128 */
    int rotary_dim;              /* 64: NeoX rotation of the first rotary_dim dims of a head */
    int intermediate_size;       /* I, per expert, 1536 */
    int num_experts;             /* 256 */
    int top_k;                   /* 8 experts per token */
    int vocab_size;              /* 200064 rows in embed/lm_head (padding rows included) */
    int max_position_embeddings; /* 196608 */
    int bos_token_id;            /* 200034 */
    int eos_token_id;            /* 200020 */
    float rope_theta;            /* 5e6 */
    float rms_norm_eps;          /* 1e-6 */
    float routed_scaling_factor; /* 1.0 */
} minimax_config;

#ifdef __cplusplus
}
#endif
