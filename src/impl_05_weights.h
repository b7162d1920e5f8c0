/* ===========================================================================
   IMPLEMENTATION: the weights view shared by the checkpoint loader, the CPU
   reference (tests/ref.h) and the GPU upload
   ===========================================================================
   A validated checkpoint is described by these structs. Tensor data points
   into the memory-mapped shards (nothing is copied); shapes follow PyTorch,
   [out, in], so y = x * W^T. */

typedef enum minimax__dtype {
    MINIMAX__DT_BF16,
    MINIMAX__DT_F16,
    MINIMAX__DT_F32,
    MINIMAX__DT_U8,
    MINIMAX__DT_I8,
    MINIMAX__DT_F8_E4M3,
    MINIMAX__DT_I32,
    MINIMAX__DT_I64,
    MINIMAX__DT_F64,
    MINIMAX__DT_BOOL,
    MINIMAX__DT_COUNT
} minimax__dtype;

/* One tensor of a safetensors shard. */
typedef struct minimax__tensor {
    const char *name;     /* full name, e.g. "model.layers.0.self_attn.q_proj.weight" */
    const char *file;     /* shard file name, for messages */
    minimax__dtype dtype;
    int ndim;             /* 0 for a scalar */
    int64_t shape[4];
    const uint8_t *data;  /* into the mapped shard */
    uint64_t nbytes;
} minimax__tensor;

/* One NVFP4 matrix [rows, cols] (cols a multiple of 16), ModelOpt layout:
     packed [rows, cols/2]  two E2M1 codes per byte, low nibble = even column
     scales [rows, cols/16] E4M3 block scales, one per 16 consecutive columns
     W[n,k] = e2m1(code) * e4m3(scales[n, k/16]) * weight_scale_2
   Every matrix has its own weight_scale_2 (w1 and w3 of an expert differ). */
typedef struct minimax__fp4_matrix {
    int64_t rows, cols;
    const uint8_t *packed;
    const uint8_t *scales;
    float weight_scale_2;
    float input_scale;    /* static activation scale, 0 when the checkpoint has none */
} minimax__fp4_matrix;

/* One decoder layer. BF16 tensors stay as stored; the router weight and bias
   may be BF16 or F32 (see their dtype). Shapes for the real model:
     input_norm, post_attn_norm [H]          q_norm [nh*d]   k_norm [nkv*d]
     q_proj [nh*d, H]  k_proj, v_proj [nkv*d, H]  o_proj [H, nh*d]
     router [E, H]     router_bias [E]
     w1[e], w3[e] [I, H] (gate, up)           w2[e] [H, I] (down) */
typedef struct minimax__layer_weights {
    const minimax__tensor *input_norm, *post_attn_norm;
    const minimax__tensor *q_proj, *k_proj, *v_proj, *o_proj;
    const minimax__tensor *q_norm, *k_norm;
    const minimax__tensor *router, *router_bias;
    minimax__fp4_matrix *w1, *w2, *w3; /* [num_experts] each */
} minimax__layer_weights;

typedef struct minimax__weights {
    const minimax__tensor *embed;      /* [V, H] BF16 */
    const minimax__tensor *final_norm; /* [H] */
    const minimax__tensor *lm_head;    /* [V, H] BF16 */
    minimax__layer_weights *layers;    /* [num_layers] */
} minimax__weights;

/* Element i of a BF16/F16/F32 tensor as float (for the CPU paths). */
MINIMAX__PRIV float minimax__tensor_f32(const minimax__tensor *t, int64_t i) {
    switch (t->dtype) {
    case MINIMAX__DT_BF16: {
        uint16_t h;
        memcpy(&h, t->data + 2 * i, 2);
        return minimax__bf16_to_f32(h);
    }
    case MINIMAX__DT_F32: {
        float f;
        memcpy(&f, t->data + 4 * i, 4);
        return f;
    }
    case MINIMAX__DT_F16: {
        uint16_t h;
        int e, m;
        float v;
        memcpy(&h, t->data + 2 * i, 2);
        e = (h >> 10) & 31;
        m = h & 1023;
        if (e == 0) v = ldexpf((float)m, -24);
        else if (e == 31) v = m ? NAN : INFINITY;
        else v = ldexpf((float)(m | 1024), e - 25);
        return (h & 0x8000) ? -v : v;
    }
    default: return NAN;
    }
}
