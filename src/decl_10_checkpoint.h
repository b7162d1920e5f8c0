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

/* ---- opening a checkpoint ------------------------------------------------
   A ModelOpt NVFP4 directory: config.json, hf_quant_config.json and/or
   config.json "quantization_config", model.safetensors.index.json (or one
   model.safetensors) and the shards it lists. Shards are memory-mapped
   read-only, never read into RAM; the host memory a checkpoint holds is the
   parsed JSON headers and the tensor table (tens of MB for the real model). */
typedef struct minimax_checkpoint minimax_checkpoint;

/* Opens and validates the checkpoint in `dir`. Everything is checked before
   this returns: the configuration, the quantisation description, the index,
   every safetensors header (offsets, sizes, dtypes, overlaps), the presence,
   dtype and shape of every tensor the model needs, and the values of every
   NVFP4 scale (finite weight_scale_2 > 0, no NaN E4M3 block scale: this reads
   the block scales once, about 11% of the expert bytes). On failure *out is
   NULL and minimax_last_error() names the file and the tensor; codes:
   MINIMAX_ERR_IO (cannot open/map), MINIMAX_ERR_FORMAT (malformed),
   MINIMAX_ERR_UNSUPPORTED (not ModelOpt NVFP4 group 16, another model, fused
   expert layout), MINIMAX_ERR_OUT_OF_MEMORY, MINIMAX_ERR_INVALID_ARGUMENT.
   Ownership: the caller owns *out and frees it with minimax_checkpoint_close.
   Thread safety: any thread; a checkpoint is read-only after opening, so
   several threads may use one at once. */
MINIMAX_API minimax_result minimax_checkpoint_open(const char *dir, minimax_checkpoint **out);

/* Unmaps the shards and frees everything; NULL is allowed. Pointers obtained
   from the checkpoint (config, stats, weights) become invalid.
   Thread safety: not while another thread uses `ck`. */
MINIMAX_API void minimax_checkpoint_close(minimax_checkpoint *ck);

/* The configuration read from config.json (after defaults). Owned by `ck`,
   valid until it is closed. Thread safety: any thread. */
MINIMAX_API const minimax_config *minimax_checkpoint_config(const minimax_checkpoint *ck);

/* What a tensor is used for, for sizes by kind. */
typedef enum minimax_tensor_kind {
    MINIMAX_KIND_ATTENTION,     /* q/k/v/o projections, BF16 */
    MINIMAX_KIND_EXPERT_FP4,    /* expert weights, packed E2M1 (U8) */
    MINIMAX_KIND_EXPERT_SCALES, /* weight_scale (E4M3), weight_scale_2 and input_scale (F32) */
    MINIMAX_KIND_EMBEDDING,     /* model.embed_tokens.weight */
    MINIMAX_KIND_LM_HEAD,       /* lm_head.weight */
    MINIMAX_KIND_ROUTER,        /* gate weight and e_score_correction_bias */
    MINIMAX_KIND_NORM,          /* RMSNorm weights (layer, QK and final) */
    MINIMAX_KIND_OTHER,         /* listed but unused: MTP layers, extra tensors */
    MINIMAX_KIND_COUNT
} minimax_tensor_kind;

typedef enum minimax_expert_layout {
    MINIMAX_EXPERTS_PER_EXPERT = 0, /* experts.E.w1|w2|w3.* (the only one loaded) */
    MINIMAX_EXPERTS_FUSED = 1       /* experts.gate_up_proj / down_proj: rejected, see the loader */
} minimax_expert_layout;

/* Counts and bytes of the tensors listed in the checkpoint, by kind. */
typedef struct minimax_checkpoint_stats {
    int64_t tensors[MINIMAX_KIND_COUNT];  /* index with minimax_tensor_kind */
    uint64_t bytes[MINIMAX_KIND_COUNT];
    int64_t total_tensors;
    uint64_t total_bytes;                 /* tensor data, headers excluded */
    int num_shards;
    int64_t missing_input_scales;         /* expert matrices without input_scale (W4A16 needs none) */
    minimax_expert_layout expert_layout;
} minimax_checkpoint_stats;

/* Statistics of an open checkpoint. Owned by `ck`. Thread safety: any thread. */
MINIMAX_API const minimax_checkpoint_stats *minimax_checkpoint_get_stats(const minimax_checkpoint *ck);

/* A short name for a kind ("attention", "experts fp4", ...). Never NULL. */
MINIMAX_API const char *minimax_tensor_kind_name(minimax_tensor_kind kind);

/* ---- memory estimate -------------------------------------------------------
   What one GPU needs for a configuration, computed from the config alone, so
   a host can decide before loading. Zero fields take the defaults shown. */
typedef struct minimax_memory_desc {
    int tp;              /* tensor-parallel GPUs; 0 = 1 */
    int max_ctx;         /* tokens per session; 0 = 4096 */
    int batch;           /* sessions decoded together; 0 = 1 */
    int kv_block_tokens; /* tokens per KV-cache block; 0 = 16 */
} minimax_memory_desc;

/* Bytes per GPU. (The function is minimax_memory_estimate, so the struct
   cannot share its name.) */
typedef struct minimax_memory_usage {
    minimax_memory_desc desc;    /* the desc used, defaults applied */
    uint64_t weights;            /* sum of the weight parts below */
    uint64_t weights_attention;  /* BF16 q/k/v/o, heads split over tp */
    uint64_t weights_experts;    /* FP4 packed + E4M3 scales + fp32 scalars, expert width split over tp */
    uint64_t weights_embedding;  /* BF16, rows split over tp */
    uint64_t weights_lm_head;    /* BF16, rows split over tp */
    uint64_t weights_router;     /* BF16 gate + fp32 bias, replicated */
    uint64_t weights_norms;      /* BF16, replicated */
    uint64_t kv_bytes_per_token; /* this GPU's share of K and V, all layers */
    uint64_t kv_tokens;          /* batch * max_ctx rounded up to whole blocks */
    uint64_t kv_cache;           /* kv_bytes_per_token * kv_tokens */
    uint64_t workspace;          /* activations and logits for `batch` tokens */
    uint64_t total;              /* weights + kv_cache + workspace */
} minimax_memory_usage;

/* Fills *out for `cfg` and `desc` (NULL desc = all defaults). Returns
   MINIMAX_ERR_INVALID_ARGUMENT for negative values, a tp that does not divide
   the heads, the KV heads or the expert width into multiples of 16, or an
   impossible config. Thread safety: any thread. */
MINIMAX_API minimax_result minimax_memory_estimate(const minimax_config *cfg, const minimax_memory_desc *desc,
                                                   minimax_memory_usage *out);

#ifdef __cplusplus
}
#endif
