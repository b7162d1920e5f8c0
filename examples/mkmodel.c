/* minimax-mkmodel: writes a synthetic MiniMax-M2.5 checkpoint in exactly the
   on-disk format of the published ModelOpt NVFP4 release, at any size.

   usage: minimax-mkmodel --out DIR [--preset tiny|full] [--layers N] [--seed S]
            [--hidden H] [--heads N] [--kv-heads N] [--head-dim D] [--rotary-dim R]
            [--experts E] [--top-k K] [--inter I] [--vocab V]
            [--router-dtype bf16|f32] [--drop-input-scale N] [--fp4 auto|quantize|direct]
            [--shard-mb M] [--threads T] [--tokenizer FILE] [--single-file] [--dry-run] [--quiet]

   What it writes into DIR (names and formats as the real checkpoint):
     config.json                  the official MiniMax-M2.5 config with this size, plus
                                  ModelOpt's compressed-tensors style quantization_config
     hf_quant_config.json         producer modelopt 0.41.0, NVFP4, group 16, exclude list
     model.safetensors.index.json {"metadata":{"total_size"}, "weight_map"} (HF layout)
     model-0000i-of-0000N.safetensors  shards of at most --shard-mb MB (default 5000,
                                  HF's "5GB"), tensors assigned in module order
     tokenizer.json               a copy of --tokenizer FILE, when given
   With --single-file, a checkpoint that fits one shard is written as
   save_pretrained writes it: model.safetensors and no index. --dry-run
   prints the tensor count and sizes and writes nothing.
   Inside a shard (as the Python safetensors library writes it): u64 LE header
   length, compact JSON header {"__metadata__":{"format":"pt"}, name:{dtype,
   shape, data_offsets}...} padded with spaces to a multiple of 8, then the data;
   tensors sorted by dtype (F32, BF16, F8_E4M3, U8) then by name.

   Values: random with realistic scales, never zeros, deterministic from
   --seed and independent of --threads (each tensor's stream is a counter-based
   generator keyed by hash(seed, tensor name)) and from IEEE-exact arithmetic
   only, so the same on every machine. Per matrix the std is
   base * (1 + 0.1 n), n ~ N(0,1) clipped to +-2, so every matrix has its own
   weight_scale_2. Base stds keep activations O(1) through the residual stream
   (1/sqrt(fan_in), about 0.018 at the real width):
     embed_tokens  N(0, 1)               lm_head  N(0, (2.5/sqrt(H))^2): logits std ~2.5
     q/k/v_proj    1/sqrt(H)             o_proj   1/sqrt(heads*head_dim)
     experts w1,w3 1/sqrt(H)             w2       1/sqrt(I)
     router gate   1.5/sqrt(H)           e_score_correction_bias  N(0, 0.05^2)
     all norm weights (incl. q_norm/k_norm)  1 + N(0, 0.05^2)
     input_scale   w1 = w3 (same input) in [6,10]/2688, w2 in [3,6]/2688
   Dense tensors take their normals from a 65536-entry inverse-CDF table
   (|x| <= 4.17 sigma). Expert matrices ("--fp4 quantize", the default for
   small models) are drawn as full-precision fp32 normals and quantised with
   ModelOpt's math (minimax__nvfp4_quantize), so weight_scale_2 = amax/2688
   exactly. For large models ("--fp4 direct", the
   default above 64M expert weights) each 16-element block (8 code bytes + its
   E4M3 scale) is copied, rotated and sign-flipped at random, from a pool of
   8192 blocks that were quantised with that same math, and weight_scale_2 is the pool's
   times the matrix std: the codes and scales have the distribution of real
   quantised data at memory speed.

   Presets: tiny = hidden 64, 2 layers, 4 heads, 2 kv heads, head_dim 32,
   rotary 16, 8 experts, top-2, inter 32, vocab 512; full = the real shapes
   (3072, 62 layers, 48/8 heads, 128, rotary 64, 256 experts, top-8, inter 1536,
   vocab 200064). bos/eos are 200034/200020 as in transformers when the vocab
   holds them, else 1/2.

   Errors (bad option, illegal shape, cannot create DIR, disk full) print a
   message and exit with status 1. */
#define _GNU_SOURCE
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- options -------------------------------------------------------------- */

typedef struct mk_opts {
    const char *out, *tokenizer;
    int layers, hidden, heads, kv_heads, head_dim, rotary_dim, experts, top_k, inter, vocab;
    int router_f32, drop_input_scale, threads, quiet, single_file, dry_run;
    int fp4_mode; /* 0 auto, 1 quantize, 2 direct */
    double shard_mb;
    uint64_t seed;
} mk_opts;

#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
static void mk_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "minimax-mkmodel: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* ---- counter-based random numbers ------------------------------------------
   Value i of a tensor's stream is mix(key + (i+1) * golden), SplitMix64's
   output function: any element can be computed without the others, so a
   tensor split over threads gives the same bytes for any thread count. */

static inline uint64_t mk_mix(uint64_t z) {
    z ^= z >> 30;
    z *= 0xbf58476d1ce4e5b9ull;
    z ^= z >> 27;
    z *= 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static inline uint64_t mk_rand(uint64_t key, uint64_t i) { return mk_mix(key + (i + 1) * 0x9E3779B97F4A7C15ull); }
static uint64_t mk_key(uint64_t seed, const char *name) {
    return mk_mix(minimax__fnv1a(0, name, strlen(name)) ^ mk_mix(seed ^ 0x6d696e696d6178ull));
}
static double mk_uniform(uint64_t key, uint64_t i) { return ((double)(mk_rand(key, i) >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

/* The same seed must give the same bytes on every machine (golden files are
   computed from these checkpoints), so values come from + - * / and sqrt
   only, which IEEE 754 rounds exactly, never from libm's log/exp/cos, whose
   last bit varies between libraries. (clang could fuse a*b+c: not here.) */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Natural log for p in (0, 1]: p = m * 2^e exactly (frexp), then
   log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.172, summed to 1e-19. */
static double mk_log(double p) {
    int e, k;
    double m = frexp(p, &e), s, s2, term, sum;
    if (m < 0.70710678118654752) m *= 2, e--;
    s = (m - 1) / (m + 1);
    s2 = s * s;
    term = s;
    sum = 0;
    for (k = 1; k <= 25; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return 2 * sum + e * 0.69314718055994531;
}

/* Acklam's rational approximation of the inverse normal CDF (rel. error 1.2e-9). */
static double mk_inv_normal(double p) {
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    double q, r;
    if (p < 0.02425) {
        q = sqrt(-2 * mk_log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425) return -mk_inv_normal(1 - p);
    q = p - 0.5;
    r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/* Normal i of a stream, full precision (tails to 8 sigma). */
static double mk_normal(uint64_t key, uint64_t i) { return mk_inv_normal(mk_uniform(key, i)); }

/* Dense tensors take 16 random bits per element through this inverse-CDF
   table of N(0,1) at the midpoints (i + 0.5) / 65536 (|x| <= 4.17). */
static float mk_normal_table[65536];

/* The per-matrix std: base * (1 + 0.1 n), n ~ N(0,1) clipped to [-2, 2]. */
static float mk_matrix_std(uint64_t key, float base) {
    double n = mk_normal(key ^ 0x5354445354445354ull, 0);
    if (n > 2) n = 2;
    if (n < -2) n = -2;
    return (float)(base * (1 + 0.1 * n));
}

/* ---- FP4 block pool (the "direct" path) --------------------------------------
   8192 blocks of 16 elements quantised with ModelOpt's math from N(0,1):
   8 code bytes and one E4M3 scale each, plus the pool's weight_scale_2 and
   the std of its dequantised values. The pool is small enough to stay in
   the L2 cache while blocks are drawn from it at random. One element is set
   to 5.3, the expected maximum of a real expert matrix (4.7M normals), so
   that the block scales sit below 448 where they do in the real model. */
#define MK_POOL_ROWS 512
#define MK_POOL_COLS 256
#define MK_POOL_BLOCKS (MK_POOL_ROWS * MK_POOL_COLS / 16)
static uint8_t mk_pool_codes[MK_POOL_BLOCKS * 8];
static uint8_t mk_pool_scales[MK_POOL_BLOCKS];
static float mk_pool_ws2, mk_pool_std;

static void mk_pool_init(uint64_t seed) {
    int64_t n = (int64_t)MK_POOL_ROWS * MK_POOL_COLS, i;
    float *w = (float *)malloc((size_t)n * sizeof(float));
    uint64_t key = mk_key(seed, "fp4 block pool");
    double ss = 0;
    if (!w) mk_die("out of memory");
    for (i = 0; i < n; i++) {
        w[i] = (float)mk_normal(key, (uint64_t)i);
        if (fabsf(w[i]) > 5.3f) w[i] = copysignf(5.3f, w[i]);
    }
    w[mk_rand(key, (uint64_t)n) % (uint64_t)n] = 5.3f;
    minimax__nvfp4_quantize(w, MK_POOL_ROWS, MK_POOL_COLS, mk_pool_codes, mk_pool_scales, &mk_pool_ws2);
    for (i = 0; i < n; i++) {
        double v = minimax__nvfp4_element(mk_pool_codes, mk_pool_scales, MK_POOL_COLS, mk_pool_ws2, i / MK_POOL_COLS,
                                          i % MK_POOL_COLS);
        ss += v * v;
    }
    mk_pool_std = (float)sqrt(ss / (double)n);
    free(w);
}

/* ---- the tensor list ---------------------------------------------------------- */

enum { MK_BF16, MK_F32, MK_U8, MK_E4M3 };
static const char *const mk_dtype_name[] = {"BF16", "F32", "U8", "F8_E4M3"};
static const int mk_dtype_size[] = {2, 4, 1, 1};
static const int mk_dtype_rank[] = {2, 3, 0, 1}; /* safetensors' Dtype order: U8 < F8_E4M3 < BF16 < F32 */

enum {
    MK_DENSE,     /* mean + std * N(0,1), BF16 or F32 */
    MK_FP4,       /* .weight of an expert matrix: generates weight, weight_scale, weight_scale_2 */
    MK_FP4_PART,  /* .weight_scale / .weight_scale_2: written by their MK_FP4 tensor */
    MK_INPUT_SCALE
};

typedef struct mk_tensor {
    char name[160];
    int dtype, kind, ndim;
    int64_t shape[2];
    uint64_t nbytes;
    float mean, std;   /* MK_DENSE: value = mean + std * N(0,1); MK_FP4: matrix std; MK_INPUT_SCALE: value */
    uint64_t key;      /* the random stream (MK_FP4: of the matrix name without ".weight") */
    int scale_t, ws2_t, input_t; /* MK_FP4: indices of the sibling tensors (input_t -1 when dropped) */
    int shard;
    uint64_t offset;   /* from the start of the shard file */
} mk_tensor;

typedef struct mk_model {
    mk_opts o;
    int fp4_quantize;
    mk_tensor *t;
    int nt, cap;
    int nshards;
    uint64_t *shard_size;
    char **shard_header; /* the 8-byte length + padded JSON, per shard */
    uint64_t *shard_header_len;
    uint64_t total_data;
} mk_model;

static int mk_add(mk_model *m, const char *name, int dtype, int kind, int ndim, int64_t d0, int64_t d1) {
    mk_tensor *t;
    if (m->nt == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->t = (mk_tensor *)realloc(m->t, (size_t)m->cap * sizeof(mk_tensor));
        if (!m->t) mk_die("out of memory for the tensor list");
    }
    t = &m->t[m->nt];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->dtype = dtype;
    t->kind = kind;
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = d1;
    t->nbytes = (uint64_t)mk_dtype_size[dtype] * (uint64_t)(ndim >= 1 ? d0 : 1) * (uint64_t)(ndim >= 2 ? d1 : 1);
    t->key = mk_key(m->o.seed, name);
    t->input_t = -1;
    return m->nt++;
}

static void mk_dense(mk_model *m, const char *name, int dtype, int64_t d0, int64_t d1, float mean, float std, int vary) {
    int i = mk_add(m, name, dtype, MK_DENSE, d1 ? 2 : 1, d0, d1);
    m->t[i].mean = mean;
    m->t[i].std = vary ? mk_matrix_std(m->t[i].key, std) : std;
}

/* One expert matrix [rows, cols]: weight, weight_scale, weight_scale_2, input_scale. */
static void mk_expert(mk_model *m, const char *base, int64_t rows, int64_t cols, float std, int has_input,
                      float input_scale) {
    char name[160];
    int w, s, s2;
    snprintf(name, sizeof name, "%s.weight", base);
    w = mk_add(m, name, MK_U8, MK_FP4, 2, rows, cols / 2);
    snprintf(name, sizeof name, "%s.weight_scale", base);
    s = mk_add(m, name, MK_E4M3, MK_FP4_PART, 2, rows, cols / 16);
    snprintf(name, sizeof name, "%s.weight_scale_2", base);
    s2 = mk_add(m, name, MK_F32, MK_FP4_PART, 0, 0, 0);
    m->t[w].key = mk_key(m->o.seed, base);
    m->t[w].std = mk_matrix_std(m->t[w].key, std);
    m->t[w].scale_t = s;
    m->t[w].ws2_t = s2;
    if (has_input) {
        snprintf(name, sizeof name, "%s.input_scale", base);
        m->t[w].input_t = mk_add(m, name, MK_F32, MK_INPUT_SCALE, 0, 0, 0);
        m->t[m->t[w].input_t].std = input_scale;
    }
}

/* Which (layer, expert) pairs have no input_scale: n distinct pairs drawn
   from the seed (experts never routed during calibration). Returns a
   [layers * experts] array of flags. */
static unsigned char *mk_dropped(const mk_opts *o) {
    uint64_t key = mk_key(o->seed, "drop input_scale"), total = (uint64_t)o->layers * (uint64_t)o->experts, i;
    unsigned char *drop = (unsigned char *)calloc((size_t)total, 1);
    int picked = 0;
    if (!drop) mk_die("out of memory");
    for (i = 0; picked < o->drop_input_scale; i++) {
        uint64_t p = mk_rand(key, i) % total;
        if (!drop[p]) drop[p] = 1, picked++;
    }
    return drop;
}

/* Tensors in module order (what HF's state_dict iteration gives), which is
   the order shards are filled in. */
static void mk_build(mk_model *m) {
    const mk_opts *o = &m->o;
    int64_t H = o->hidden, Q = (int64_t)o->heads * o->head_dim, KV = (int64_t)o->kv_heads * o->head_dim, I = o->inter;
    int rd = o->router_f32 ? MK_F32 : MK_BF16, L, e;
    unsigned char *drop = mk_dropped(o);
    char name[160], base[96];
    float sH = (float)(1.0 / sqrt((double)H));
    mk_dense(m, "model.embed_tokens.weight", MK_BF16, o->vocab, H, 0.0f, 1.0f, 0);
    for (L = 0; L < o->layers; L++) {
#define MK_NAME(...) (snprintf(name, sizeof name, __VA_ARGS__), name)
        mk_dense(m, MK_NAME("model.layers.%d.self_attn.q_proj.weight", L), MK_BF16, Q, H, 0, sH, 1);
        mk_dense(m, MK_NAME("model.layers.%d.self_attn.k_proj.weight", L), MK_BF16, KV, H, 0, sH, 1);
        mk_dense(m, MK_NAME("model.layers.%d.self_attn.v_proj.weight", L), MK_BF16, KV, H, 0, sH, 1);
        mk_dense(m, MK_NAME("model.layers.%d.self_attn.o_proj.weight", L), MK_BF16, H, Q, 0,
                 (float)(1.0 / sqrt((double)Q)), 1);
        mk_dense(m, MK_NAME("model.layers.%d.self_attn.q_norm.weight", L), MK_BF16, Q, 0, 1.0f, 0.05f, 0);
        mk_dense(m, MK_NAME("model.layers.%d.self_attn.k_norm.weight", L), MK_BF16, KV, 0, 1.0f, 0.05f, 0);
        mk_dense(m, MK_NAME("model.layers.%d.block_sparse_moe.gate.weight", L), rd, o->experts, H, 0, 1.5f * sH, 1);
        for (e = 0; e < o->experts; e++) {
            int has_input = !drop[(size_t)L * (size_t)o->experts + (size_t)e];
            uint64_t k13, k2;
            snprintf(base, sizeof base, "model.layers.%d.block_sparse_moe.experts.%d.", L, e);
            /* w1 and w3 read the same activations, so calibration gives them one input_scale */
            k13 = mk_key(o->seed, MK_NAME("%sw13.input_scale", base));
            k2 = mk_key(o->seed, MK_NAME("%sw2.input_scale", base));
            mk_expert(m, MK_NAME("%sw1", base), I, H, sH, has_input, (float)((6 + 4 * mk_uniform(k13, 0)) / 2688.0));
            mk_expert(m, MK_NAME("%sw2", base), H, I, (float)(1.0 / sqrt((double)I)), has_input,
                      (float)((3 + 3 * mk_uniform(k2, 0)) / 2688.0));
            mk_expert(m, MK_NAME("%sw3", base), I, H, sH, has_input, (float)((6 + 4 * mk_uniform(k13, 0)) / 2688.0));
        }
        mk_dense(m, MK_NAME("model.layers.%d.block_sparse_moe.e_score_correction_bias", L), rd, o->experts, 0, 0,
                 0.05f, 0);
        mk_dense(m, MK_NAME("model.layers.%d.input_layernorm.weight", L), MK_BF16, H, 0, 1.0f, 0.05f, 0);
        mk_dense(m, MK_NAME("model.layers.%d.post_attention_layernorm.weight", L), MK_BF16, H, 0, 1.0f, 0.05f, 0);
#undef MK_NAME
    }
    mk_dense(m, "model.norm.weight", MK_BF16, H, 0, 1.0f, 0.05f, 0);
    mk_dense(m, "lm_head.weight", MK_BF16, o->vocab, H, 0, 2.5f * sH, 1);
    free(drop);
}

/* ---- layout: shards, offsets, headers ---------------------------------------- */

static const mk_model *mk_sort_model;
static int mk_cmp_in_shard(const void *a, const void *b) {
    const mk_tensor *x = &mk_sort_model->t[*(const int *)a], *y = &mk_sort_model->t[*(const int *)b];
    if (mk_dtype_rank[x->dtype] != mk_dtype_rank[y->dtype]) return mk_dtype_rank[y->dtype] - mk_dtype_rank[x->dtype];
    return strcmp(x->name, y->name);
}

static int mk_cmp_name(const void *a, const void *b) {
    return strcmp(mk_sort_model->t[*(const int *)a].name, mk_sort_model->t[*(const int *)b].name);
}

static void mk_shape_json(minimax__buf *b, const mk_tensor *t) {
    int d;
    minimax__buf_add(b, "[", 1);
    for (d = 0; d < t->ndim; d++) minimax__buf_printf(b, "%s%lld", d ? "," : "", (long long)t->shape[d]);
    minimax__buf_add(b, "]", 1);
}

/* Assigns tensors to shards as huggingface_hub's splitter does (what
   save_pretrained uses): walking the tensors in order, a tensor larger than
   the limit gets a shard of its own, appended at once; otherwise a tensor
   that would overflow the current shard closes it. Then lays each shard out
   as the safetensors library does: sorted by dtype rank descending, then
   name; offsets in that order; header padded with spaces to a multiple of 8. */
static void mk_layout(mk_model *m) {
    uint64_t max_bytes = (uint64_t)(m->o.shard_mb * 1e6), cur = 0;
    int i, s, shard = 0, open_from = -1, *idx, *first;
    /* shards are numbered in the order they are appended to the list; the
       open shard's tensors carry -1 until it is closed */
#define MK_CLOSE_OPEN_SHARD(upto)                                                                                     \
    do {                                                                                                            \
        int j_;                                                                                                     \
        if (open_from >= 0) {                                                                                       \
            for (j_ = open_from; j_ < (upto); j_++)                                                                 \
                if (m->t[j_].shard == -1) m->t[j_].shard = shard;                                                   \
            shard++;                                                                                                \
            open_from = -1;                                                                                         \
        }                                                                                                           \
    } while (0)
    for (i = 0; i < m->nt; i++) {
        mk_tensor *t = &m->t[i];
        m->total_data += t->nbytes;
        if (t->nbytes > max_bytes) {
            t->shard = shard++;
            continue;
        }
        if (open_from >= 0 && cur + t->nbytes > max_bytes) MK_CLOSE_OPEN_SHARD(i);
        if (open_from < 0) {
            open_from = i;
            cur = 0;
        }
        t->shard = -1;
        cur += t->nbytes;
    }
    MK_CLOSE_OPEN_SHARD(m->nt);
#undef MK_CLOSE_OPEN_SHARD
    m->nshards = shard;
    m->shard_size = (uint64_t *)calloc((size_t)m->nshards, sizeof(uint64_t));
    m->shard_header = (char **)calloc((size_t)m->nshards, sizeof(char *));
    m->shard_header_len = (uint64_t *)calloc((size_t)m->nshards, sizeof(uint64_t));
    idx = (int *)malloc((size_t)m->nt * sizeof(int));
    first = (int *)calloc((size_t)m->nshards + 1, sizeof(int));
    if (!m->shard_size || !m->shard_header || !m->shard_header_len || !idx || !first) mk_die("out of memory");
    for (i = 0; i < m->nt; i++) first[m->t[i].shard + 1]++; /* group the tensors by shard */
    for (s = 0; s < m->nshards; s++) first[s + 1] += first[s];
    for (i = 0; i < m->nt; i++) idx[first[m->t[i].shard]++] = i;
    for (s = m->nshards; s > 0; s--) first[s] = first[s - 1];
    first[0] = 0;
    mk_sort_model = m;
    for (s = 0; s < m->nshards; s++) {
        int n = first[s + 1] - first[s], k, *sidx = idx + first[s];
        uint64_t off = 0, hlen;
        minimax__buf b;
        memset(&b, 0, sizeof b);
        qsort(sidx, (size_t)n, sizeof(int), mk_cmp_in_shard);
        minimax__buf_add(&b, "        ", 8); /* room for the length */
        minimax__buf_printf(&b, "{\"__metadata__\":{\"format\":\"pt\"}");
        for (k = 0; k < n; k++) {
            mk_tensor *t = &m->t[sidx[k]];
            minimax__buf_printf(&b, ",\"%s\":{\"dtype\":\"%s\",\"shape\":", t->name, mk_dtype_name[t->dtype]);
            mk_shape_json(&b, t);
            minimax__buf_printf(&b, ",\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                                (unsigned long long)(off + t->nbytes));
            t->offset = off; /* made absolute below */
            off += t->nbytes;
        }
        minimax__buf_add(&b, "}", 1);
        while ((b.len - 8) % 8) minimax__buf_add(&b, " ", 1);
        if (!b.data) mk_die("out of memory building a shard header");
        hlen = b.len - 8;
        for (k = 0; k < 8; k++) b.data[k] = (char)((hlen >> (8 * k)) & 0xff);
        for (k = 0; k < n; k++) m->t[sidx[k]].offset += b.len;
        m->shard_header[s] = b.data;
        m->shard_header_len[s] = b.len;
        m->shard_size[s] = b.len + off;
    }
    free(idx);
    free(first);
}

/* ---- small JSON files ----------------------------------------------------------- */

static void mk_write_file(const char *dir, const char *name, const char *data, size_t len) {
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) mk_die("cannot create %s: %s", path, strerror(errno));
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0) mk_die("cannot write %s: %s", path, strerror(errno));
}

/* "model-0000i-of-0000N.safetensors"; with --single-file and one shard,
   "model.safetensors" (what save_pretrained writes for a model that fits). */
static void mk_shard_name(const mk_model *m, char *out, size_t cap, int s) {
    if (m->o.single_file && m->nshards == 1) snprintf(out, cap, "model.safetensors");
    else snprintf(out, cap, "model-%05d-of-%05d.safetensors", s + 1, m->nshards);
}

static int mk_cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The modules ModelOpt left in BF16, as its exporter lists them (fnmatch
   patterns, sorted as strings): lm_head, each router gate, each attention. */
static char **mk_exclude_list(const mk_opts *o, int *count) {
    int n = 1 + 2 * o->layers, L;
    char **v = (char **)calloc((size_t)n, sizeof(char *)), buf[96];
    if (!v) mk_die("out of memory");
    v[0] = minimax__strdup("lm_head");
    for (L = 0; L < o->layers; L++) {
        snprintf(buf, sizeof buf, "model.layers.%d.block_sparse_moe.gate", L);
        v[1 + 2 * L] = minimax__strdup(buf);
        snprintf(buf, sizeof buf, "model.layers.%d.self_attn*", L);
        v[2 + 2 * L] = minimax__strdup(buf);
    }
    qsort(v, (size_t)n, sizeof(char *), mk_cmp_str);
    *count = n;
    return v;
}

static void mk_json_list(minimax__buf *b, char **v, int n, const char *indent) {
    int i;
    minimax__buf_add(b, "[\n", 2);
    for (i = 0; i < n; i++) minimax__buf_printf(b, "%s    \"%s\"%s\n", indent, v[i], i + 1 < n ? "," : "");
    minimax__buf_printf(b, "%s]", indent);
}

static void mk_write_configs(const mk_model *m) {
    const mk_opts *o = &m->o;
    minimax__buf b;
    char **ex, name[64];
    int *idx;
    int nex, i, bos = o->vocab > 200034 ? 200034 : 1, eos = o->vocab > 200034 ? 200020 : 2;

    ex = mk_exclude_list(o, &nex);

    /* config.json: transformers' save_pretrained (keys sorted), then ModelOpt
       re-dumps it with indent 4 and quantization_config appended. */
    memset(&b, 0, sizeof b);
    minimax__buf_printf(&b, "{\n    \"architectures\": [\n        \"MiniMaxM2ForCausalLM\"\n    ],\n");
    minimax__buf_printf(&b, "    \"attn_type_list\": [\n");
    for (i = 0; i < o->layers; i++) minimax__buf_printf(&b, "        1%s\n", i + 1 < o->layers ? "," : "");
    minimax__buf_printf(&b, "    ],\n");
    minimax__buf_printf(&b,
                        "    \"auto_map\": {\n"
                        "        \"AutoConfig\": \"configuration_minimax_m2.MiniMaxM2Config\",\n"
                        "        \"AutoModelForCausalLM\": \"modeling_minimax_m2.MiniMaxM2ForCausalLM\"\n"
                        "    },\n"
                        "    \"bos_token_id\": %d,\n"
                        "    \"eos_token_id\": %d,\n"
                        "    \"head_dim\": %d,\n"
                        "    \"hidden_act\": \"silu\",\n"
                        "    \"hidden_size\": %d,\n"
                        "    \"intermediate_size\": %d,\n"
                        "    \"max_position_embeddings\": 196608,\n"
                        "    \"model_type\": \"minimax_m2\",\n"
                        "    \"mtp_transformer_layers\": 1,\n"
                        "    \"num_attention_heads\": %d,\n"
                        "    \"num_experts_per_tok\": %d,\n"
                        "    \"num_hidden_layers\": %d,\n"
                        "    \"num_key_value_heads\": %d,\n"
                        "    \"num_local_experts\": %d,\n"
                        "    \"num_mtp_modules\": 3,\n"
                        "    \"qk_norm_type\": \"per_layer\",\n"
                        "    \"rms_norm_eps\": 1e-06,\n"
                        "    \"rope_theta\": 5000000,\n"
                        "    \"rotary_dim\": %d,\n"
                        "    \"scoring_func\": \"sigmoid\",\n"
                        "    \"shared_intermediate_size\": 0,\n"
                        "    \"tie_word_embeddings\": false,\n"
                        "    \"torch_dtype\": \"bfloat16\",\n"
                        "    \"transformers_version\": \"4.46.1\",\n"
                        "    \"use_cache\": true,\n"
                        "    \"use_mtp\": true,\n"
                        "    \"use_qk_norm\": true,\n"
                        "    \"use_routing_bias\": true,\n"
                        "    \"vocab_size\": %d,\n",
                        bos, eos, o->head_dim, o->hidden, o->inter, o->heads, o->top_k, o->layers, o->kv_heads,
                        o->experts, o->rotary_dim, o->vocab);
    minimax__buf_printf(&b, "    \"quantization_config\": {\n"
                            "        \"config_groups\": {\n"
                            "            \"group_0\": {\n"
                            "                \"input_activations\": {\n"
                            "                    \"dynamic\": false,\n"
                            "                    \"num_bits\": 4,\n"
                            "                    \"type\": \"float\",\n"
                            "                    \"group_size\": 16\n"
                            "                },\n"
                            "                \"weights\": {\n"
                            "                    \"dynamic\": false,\n"
                            "                    \"num_bits\": 4,\n"
                            "                    \"type\": \"float\",\n"
                            "                    \"group_size\": 16\n"
                            "                },\n"
                            "                \"targets\": [\n"
                            "                    \"Linear\"\n"
                            "                ]\n"
                            "            }\n"
                            "        },\n"
                            "        \"ignore\": ");
    mk_json_list(&b, ex, nex, "        ");
    minimax__buf_printf(&b, ",\n        \"quant_algo\": \"NVFP4\",\n"
                            "        \"producer\": {\n"
                            "            \"name\": \"modelopt\",\n"
                            "            \"version\": \"0.41.0\"\n"
                            "        },\n"
                            "        \"quant_method\": \"modelopt\"\n"
                            "    }\n}");
    if (!b.data) mk_die("out of memory");
    mk_write_file(o->out, "config.json", b.data, b.len);
    minimax__buf_free(&b);

    /* hf_quant_config.json: ModelOpt's json.dump(indent=4) */
    minimax__buf_printf(&b, "{\n"
                            "    \"producer\": {\n"
                            "        \"name\": \"modelopt\",\n"
                            "        \"version\": \"0.41.0\"\n"
                            "    },\n"
                            "    \"quantization\": {\n"
                            "        \"quant_algo\": \"NVFP4\",\n"
                            "        \"kv_cache_quant_algo\": null,\n"
                            "        \"group_size\": 16,\n"
                            "        \"exclude_modules\": ");
    mk_json_list(&b, ex, nex, "        ");
    minimax__buf_printf(&b, "\n    }\n}");
    if (!b.data) mk_die("out of memory");
    mk_write_file(o->out, "hf_quant_config.json", b.data, b.len);
    minimax__buf_free(&b);
    for (i = 0; i < nex; i++) free(ex[i]);
    free(ex);

    /* model.safetensors.index.json: json.dumps(index, indent=2, sort_keys=True) + "\n";
       save_pretrained writes none for a single unsharded file */
    if (o->single_file && m->nshards == 1) return;
    idx = (int *)malloc((size_t)m->nt * sizeof(int));
    if (!idx) mk_die("out of memory");
    for (i = 0; i < m->nt; i++) idx[i] = i;
    mk_sort_model = m;
    qsort(idx, (size_t)m->nt, sizeof(int), mk_cmp_name);
    minimax__buf_printf(&b, "{\n  \"metadata\": {\n    \"total_size\": %llu\n  },\n  \"weight_map\": {\n",
                        (unsigned long long)m->total_data);
    for (i = 0; i < m->nt; i++) {
        const mk_tensor *t = &m->t[idx[i]];
        mk_shard_name(m, name, sizeof name, t->shard);
        minimax__buf_printf(&b, "    \"%s\": \"%s\"%s\n", t->name, name, i + 1 < m->nt ? "," : "");
    }
    minimax__buf_printf(&b, "  }\n}\n");
    if (!b.data) mk_die("out of memory");
    mk_write_file(o->out, "model.safetensors.index.json", b.data, b.len);
    minimax__buf_free(&b);
    free(idx);
}

/* ---- generation ---------------------------------------------------------------- *
   Work is cut into units of about 8 MB: a range of elements of a dense
   tensor, or a range of rows of an expert matrix (a whole matrix when it is
   quantised from fp32, which needs the matrix's amax). */

typedef struct mk_unit {
    int t;
    int64_t begin, end; /* elements (MK_DENSE) or rows (MK_FP4) */
} mk_unit;

typedef struct mk_run {
    mk_model *m;
    int *fd;
    mk_unit *units;
    int64_t nunits, next, finished;
    uint64_t done_bytes;
    int failed;
    char error[512];
    pthread_mutex_t lock;
} mk_run;

static void mk_pwrite(mk_run *r, int shard, const void *data, uint64_t len, uint64_t off) {
    const char *p = (const char *)data;
    while (len > 0) {
        ssize_t w = pwrite(r->fd[shard], p, len, (off_t)off);
        if (w <= 0) {
            char shard_name[64];
            pthread_mutex_lock(&r->lock);
            if (!r->failed) {
                mk_shard_name(r->m, shard_name, sizeof shard_name, shard);
                snprintf(r->error, sizeof r->error, "writing %s/%s failed: %s", r->m->o.out, shard_name,
                         w == 0 ? "no progress (disk full?)" : strerror(errno));
            }
            r->failed = 1;
            pthread_mutex_unlock(&r->lock);
            return;
        }
        p += w;
        len -= (uint64_t)w;
        off += (uint64_t)w;
    }
}

/* Dense values: element i = mean + std * table[16 bits of rand(key, i/4)]. */
static void mk_gen_dense(const mk_tensor *t, int64_t begin, int64_t end, void *out) {
    int64_t i;
    float mean = t->mean, std = t->std;
    uint16_t *o16 = (uint16_t *)out;
    float *o32 = (float *)out;
    uint64_t r = mk_rand(t->key, (uint64_t)begin >> 2);
    for (i = begin; i < end; i++) {
        float v;
        if ((i & 3) == 0) r = mk_rand(t->key, (uint64_t)i >> 2);
        v = mean + std * mk_normal_table[(r >> (16 * (i & 3))) & 0xffff];
        if (t->dtype == MK_BF16) {
            uint32_t u;
            memcpy(&u, &v, 4);
            u += 0x7fffu + ((u >> 16) & 1u); /* round to nearest even (no NaN can occur here) */
            o16[i - begin] = (uint16_t)(u >> 16);
        } else o32[i - begin] = v;
    }
}

/* The direct path: block b of the matrix takes 21 bits of rand(key, b/3):
   bits 0..12 pick a pool block, bits 13..15 rotate its 16 elements by a
   multiple of 2 (whole bytes: the block's max and so its scale stay valid),
   bit 16 flips the signs. */
static void mk_gen_fp4_direct(const mk_tensor *t, int64_t row0, int64_t row1, uint8_t *codes, uint8_t *scales) {
    int64_t nblk = t->shape[1] / 8, b, b0 = row0 * nblk, b1 = row1 * nblk;
    for (b = b0; b < b1; b++) {
        uint64_t r = mk_rand(t->key, (uint64_t)b / 3) >> (21 * (b % 3)), c;
        uint32_t p = (uint32_t)(r & (MK_POOL_BLOCKS - 1)), rot = (uint32_t)((r >> 13) & 7) * 8;
        memcpy(&c, mk_pool_codes + (size_t)p * 8, 8);
        if (rot) c = (c >> rot) | (c << (64 - rot));
        if (r & 0x10000) c ^= 0x8888888888888888ull; /* bit 3 of each nibble is the E2M1 sign */
        memcpy(codes + (b - b0) * 8, &c, 8);
        scales[b - b0] = mk_pool_scales[p];
    }
}

typedef struct mk_worker {
    mk_run *r;
    uint8_t *buf;
    size_t cap;
} mk_worker;

static uint8_t *mk_buffer(mk_worker *w, size_t n) {
    if (n > w->cap) {
        free(w->buf);
        w->buf = (uint8_t *)malloc(n);
        w->cap = w->buf ? n : 0;
    }
    return w->buf;
}

static void mk_do_unit(mk_worker *w, const mk_unit *u) {
    mk_run *r = w->r;
    const mk_model *m = r->m;
    const mk_tensor *t = &m->t[u->t];
    uint64_t bytes = 0;
    if (t->kind == MK_DENSE) {
        size_t es = (size_t)mk_dtype_size[t->dtype], n = (size_t)(u->end - u->begin) * es;
        uint8_t *buf = mk_buffer(w, n);
        if (!buf) goto oom;
        mk_gen_dense(t, u->begin, u->end, buf);
        mk_pwrite(r, t->shard, buf, n, t->offset + (uint64_t)u->begin * es);
        bytes = n;
    } else if (t->kind == MK_FP4) {
        const mk_tensor *ts = &m->t[t->scale_t], *ts2 = &m->t[t->ws2_t];
        int64_t rows = u->end - u->begin, cols = t->shape[1] * 2;
        size_t ncodes = (size_t)(rows * cols / 2), nscales = (size_t)(rows * cols / 16);
        float ws2;
        uint8_t *buf;
        if (m->fp4_quantize) {
            float *f;
            int64_t i;
            buf = mk_buffer(w, ncodes + nscales + (size_t)(rows * cols) * sizeof(float) + 16);
            if (!buf) goto oom;
            f = (float *)(void *)(buf + ((ncodes + nscales + 15) & ~(size_t)15));
            /* full-precision normals (not the table, which stops at 4.17 sigma):
               amax, and so weight_scale_2 and every block scale, depend on the tail */
            for (i = 0; i < rows * cols; i++) f[i] = (float)(t->std * mk_normal(t->key, (uint64_t)i));
            minimax__nvfp4_quantize(f, rows, cols, buf, buf + ncodes, &ws2);
        } else {
            buf = mk_buffer(w, ncodes + nscales);
            if (!buf) goto oom;
            mk_gen_fp4_direct(t, u->begin, u->end, buf, buf + ncodes);
            ws2 = mk_pool_ws2 * (t->std / mk_pool_std);
        }
        mk_pwrite(r, t->shard, buf, ncodes, t->offset + (uint64_t)u->begin * (uint64_t)(cols / 2));
        mk_pwrite(r, ts->shard, buf + ncodes, nscales, ts->offset + (uint64_t)u->begin * (uint64_t)(cols / 16));
        bytes = ncodes + nscales;
        if (u->begin == 0) { /* the scalars go with the first rows */
            mk_pwrite(r, ts2->shard, &ws2, 4, ts2->offset);
            bytes += 4;
            if (t->input_t >= 0) {
                const mk_tensor *ti = &m->t[t->input_t];
                mk_pwrite(r, ti->shard, &ti->std, 4, ti->offset);
                bytes += 4;
            }
        }
    }
    pthread_mutex_lock(&r->lock);
    r->done_bytes += bytes;
    r->finished++;
    pthread_mutex_unlock(&r->lock);
    return;
oom:
    pthread_mutex_lock(&r->lock);
    if (!r->failed) snprintf(r->error, sizeof r->error, "out of memory generating %s", t->name);
    r->failed = 1;
    pthread_mutex_unlock(&r->lock);
}

static void *mk_worker_main(void *arg) {
    mk_worker *w = (mk_worker *)arg;
    mk_run *r = w->r;
    for (;;) {
        int64_t i;
        pthread_mutex_lock(&r->lock);
        i = r->failed ? r->nunits : r->next++;
        pthread_mutex_unlock(&r->lock);
        if (i >= r->nunits) break;
        mk_do_unit(w, &r->units[i]);
    }
    free(w->buf);
    w->buf = NULL;
    return NULL;
}

static double mk_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void mk_units(mk_model *m, mk_run *r) {
    const int64_t target = 8 << 20; /* bytes per unit */
    int64_t cap = 0, i;
    r->nunits = 0;
    for (i = 0; i < m->nt; i++) {
        const mk_tensor *t = &m->t[i];
        int64_t n, step, total, b;
        if (t->kind == MK_DENSE) {
            total = t->shape[0] * (t->ndim == 2 ? t->shape[1] : 1);
            step = (target / mk_dtype_size[t->dtype]) & ~(int64_t)3;
        } else if (t->kind == MK_FP4) {
            total = t->shape[0];
            step = m->fp4_quantize ? total : target / (t->shape[1] + t->shape[1] / 8);
            if (step < 1) step = 1;
        } else continue;
        n = (total + step - 1) / step;
        if (r->nunits + n > cap) {
            cap = (r->nunits + n) * 2;
            r->units = (mk_unit *)realloc(r->units, (size_t)cap * sizeof(mk_unit));
            if (!r->units) mk_die("out of memory");
        }
        for (b = 0; b < total; b += step) {
            mk_unit *u = &r->units[r->nunits++];
            u->t = (int)i;
            u->begin = b;
            u->end = b + step < total ? b + step : total;
        }
    }
}

static uint64_t mk_unit_bytes(const mk_model *m, const mk_unit *u) {
    const mk_tensor *t = &m->t[u->t];
    if (t->kind == MK_DENSE) return (uint64_t)(u->end - u->begin) * (uint64_t)mk_dtype_size[t->dtype];
    return (uint64_t)(u->end - u->begin) * (uint64_t)(t->shape[1] + t->shape[1] / 8);
}

/* Buffered writes to one file serialise on that file's inode lock, so the
   units are reordered to keep every shard in progress at once: next comes a
   unit of the shard that is least far along (bytes emitted / its bytes).
   The order changes no byte of the output. */
static void mk_interleave(const mk_model *m, mk_run *r) {
    int ns = m->nshards, s;
    int64_t *start = (int64_t *)calloc((size_t)ns + 1, sizeof(int64_t)), *pos, i;
    uint64_t *total = (uint64_t *)calloc((size_t)ns, sizeof(uint64_t)), *done;
    mk_unit *by_shard = (mk_unit *)malloc((size_t)(r->nunits ? r->nunits : 1) * sizeof(mk_unit));
    pos = (int64_t *)calloc((size_t)ns, sizeof(int64_t));
    done = (uint64_t *)calloc((size_t)ns, sizeof(uint64_t));
    if (!start || !total || !by_shard || !pos || !done) mk_die("out of memory");
    for (i = 0; i < r->nunits; i++) { /* counting sort by shard, stable */
        s = m->t[r->units[i].t].shard;
        start[s + 1]++;
        total[s] += mk_unit_bytes(m, &r->units[i]);
    }
    for (s = 0; s < ns; s++) start[s + 1] += start[s];
    for (i = 0; i < r->nunits; i++) {
        s = m->t[r->units[i].t].shard;
        by_shard[start[s] + pos[s]++] = r->units[i];
    }
    memset(pos, 0, (size_t)ns * sizeof(int64_t));
    for (i = 0; i < r->nunits; i++) {
        int best = -1;
        double best_f = 2.0;
        for (s = 0; s < ns; s++) {
            double f;
            if (start[s] + pos[s] >= start[s + 1]) continue;
            f = total[s] ? (double)done[s] / (double)total[s] : 0.0;
            if (f < best_f) best_f = f, best = s;
        }
        r->units[i] = by_shard[start[best] + pos[best]++];
        done[best] += mk_unit_bytes(m, &r->units[i]);
    }
    free(start);
    free(total);
    free(by_shard);
    free(pos);
    free(done);
}

static void mk_mkdir_p(const char *dir) {
    char path[4096];
    size_t i, n = strlen(dir);
    struct stat st;
    if (n == 0 || n >= sizeof path) mk_die("bad output directory '%s'", dir);
    memcpy(path, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (path[i] == '/' || path[i] == 0) {
            char c = path[i];
            path[i] = 0;
            if (mkdir(path, 0777) != 0 && errno != EEXIST) mk_die("cannot create directory %s: %s", path, strerror(errno));
            path[i] = c;
        }
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) mk_die("cannot create directory %s: not a directory", dir);
}

static void mk_copy_tokenizer(const mk_opts *o) {
    FILE *f = fopen(o->tokenizer, "rb");
    char *data;
    long n;
    if (!f) mk_die("cannot open tokenizer %s: %s", o->tokenizer, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        mk_die("cannot read tokenizer %s", o->tokenizer);
    data = (char *)malloc((size_t)n + 1);
    if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) mk_die("cannot read tokenizer %s", o->tokenizer);
    fclose(f);
    mk_write_file(o->out, "tokenizer.json", data, (size_t)n);
    free(data);
}

/* Writes every shard: opens and preallocates the files (so a full disk fails
   at once), writes the headers, then runs the units on T threads that each
   pwrite their bytes at the precomputed offsets. */
static void mk_write_shards(mk_model *m) {
    mk_run r;
    pthread_t *th;
    mk_worker *w;
    int s, i, nth = m->o.threads, tty = isatty(2);
    double t0 = mk_now(), last = t0;
    uint64_t total = 0;
    memset(&r, 0, sizeof r);
    r.m = m;
    pthread_mutex_init(&r.lock, NULL);
    r.fd = (int *)calloc((size_t)m->nshards, sizeof(int));
    if (!r.fd) mk_die("out of memory");
    for (s = 0; s < m->nshards; s++) {
        char name[64], path[4096];
        int rc;
        mk_shard_name(m, name, sizeof name, s);
        snprintf(path, sizeof path, "%s/%s", m->o.out, name);
        r.fd[s] = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (r.fd[s] < 0) mk_die("cannot create %s: %s", path, strerror(errno));
        /* reserve the space first, so that a full disk fails now, not after
           minutes; Linux's fallocate, not posix_fallocate, which glibc
           emulates by writing every block where the filesystem lacks it */
#if defined(__linux__)
        rc = fallocate(r.fd[s], 0, 0, (off_t)m->shard_size[s]) == 0 ? 0 : errno;
#else
        rc = EOPNOTSUPP;
#endif
        if (rc == ENOSPC || rc == EFBIG)
            mk_die("cannot write %s (%llu bytes): %s", path, (unsigned long long)m->shard_size[s], strerror(rc));
        if (rc != 0 && ftruncate(r.fd[s], (off_t)m->shard_size[s]) != 0) /* no fallocate here: size it anyway */
            mk_die("cannot size %s: %s", path, strerror(errno));
        mk_pwrite(&r, s, m->shard_header[s], m->shard_header_len[s], 0);
        total += m->shard_size[s];
    }
    mk_units(m, &r);
    mk_interleave(m, &r);
    if (nth < 1) nth = 1;
    if (nth > r.nunits) nth = (int)(r.nunits > 0 ? r.nunits : 1);
    th = (pthread_t *)calloc((size_t)nth, sizeof(pthread_t));
    w = (mk_worker *)calloc((size_t)nth, sizeof(mk_worker));
    if (!th || !w) mk_die("out of memory");
    for (i = 0; i < nth; i++) {
        w[i].r = &r;
        if (pthread_create(&th[i], NULL, mk_worker_main, &w[i]) != 0) mk_die("cannot start a thread");
    }
    if (!m->o.quiet && total >= (256u << 20)) { /* progress for big outputs */
        for (;;) {
            uint64_t done;
            int finished;
            struct timespec nap = {0, 200000000};
            nanosleep(&nap, NULL);
            pthread_mutex_lock(&r.lock);
            done = r.done_bytes;
            finished = r.finished >= r.nunits || r.failed;
            pthread_mutex_unlock(&r.lock);
            if (mk_now() - last >= (tty ? 0.5 : 5.0) || finished) {
                double el = mk_now() - t0;
                fprintf(stderr, "%s  %.2f / %.2f GB  %.0f MB/s%s", tty ? "\r" : "", (double)done / 1e9,
                        (double)m->total_data / 1e9, el > 0 ? (double)done / 1e6 / el : 0.0, tty ? "" : "\n");
                last = mk_now();
            }
            if (finished) break;
        }
        if (tty) fprintf(stderr, "\n");
    }
    for (i = 0; i < nth; i++) pthread_join(th[i], NULL);
    for (s = 0; s < m->nshards; s++)
        if (close(r.fd[s]) != 0 && !r.failed) {
            r.failed = 1;
            snprintf(r.error, sizeof r.error, "closing a shard of %s failed: %s", m->o.out, strerror(errno));
        }
    if (r.failed) mk_die("%s", r.error);
    if (!m->o.quiet) {
        double el = mk_now() - t0;
        fprintf(stderr, "minimax-mkmodel: wrote %d tensors in %d shard%s, %.1f MB in %.2f s (%.0f MB/s, %d threads) to %s\n",
                m->nt, m->nshards, m->nshards == 1 ? "" : "s", (double)total / 1e6, el,
                el > 0 ? (double)total / 1e6 / el : 0.0, nth, m->o.out);
    }
    free(r.units);
    free(r.fd);
    free(th);
    free(w);
    pthread_mutex_destroy(&r.lock);
}

/* ---- command line ---------------------------------------------------------------- */

static void mk_usage(void) {
    fprintf(stderr,
            "usage: minimax-mkmodel --out DIR [--preset tiny|full] [--layers N] [--seed S]\n"
            "         [--hidden H] [--heads N] [--kv-heads N] [--head-dim D] [--rotary-dim R]\n"
            "         [--experts E] [--top-k K] [--inter I] [--vocab V] [--router-dtype bf16|f32]\n"
            "         [--drop-input-scale N] [--fp4 auto|quantize|direct] [--shard-mb M]\n"
            "         [--threads T] [--tokenizer FILE] [--single-file] [--dry-run] [--quiet]\n");
}

static long long mk_int_arg(const char *opt, const char *v, long long lo, long long hi) {
    char *end;
    long long x;
    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) mk_die("%s: expected an integer in [%lld, %lld], got '%s'", opt, lo, hi, v);
    return x;
}

static void mk_parse(int argc, char **argv, mk_opts *o) {
    int i;
    const char *preset = "tiny";
    /* first pass: the preset, so that overrides apply on top of it whatever the order */
    for (i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--preset")) preset = argv[i + 1];
    memset(o, 0, sizeof *o);
    if (!strcmp(preset, "tiny")) {
        o->hidden = 64, o->layers = 2, o->heads = 4, o->kv_heads = 2, o->head_dim = 32, o->rotary_dim = 16;
        o->experts = 8, o->top_k = 2, o->inter = 32, o->vocab = 512;
    } else if (!strcmp(preset, "full")) {
        o->hidden = 3072, o->layers = 62, o->heads = 48, o->kv_heads = 8, o->head_dim = 128, o->rotary_dim = 64;
        o->experts = 256, o->top_k = 8, o->inter = 1536, o->vocab = 200064;
    } else mk_die("--preset: expected tiny or full, got '%s'", preset);
    o->seed = 1;
    o->shard_mb = 5000;
    o->threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (o->threads < 1) o->threads = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const long long big = 1ll << 30;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            mk_usage();
            exit(0);
        }
        if (!strcmp(a, "--quiet")) {
            o->quiet = 1;
            continue;
        }
        if (!strcmp(a, "--single-file")) {
            o->single_file = 1;
            continue;
        }
        if (!strcmp(a, "--dry-run")) {
            o->dry_run = 1;
            continue;
        }
        if (!v) {
            mk_usage();
            mk_die("%s: %s", a, strncmp(a, "--", 2) ? "unknown argument" : "missing value (or unknown option)");
        }
        i++;
        if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--preset")) continue;
        else if (!strcmp(a, "--tokenizer")) o->tokenizer = v;
        else if (!strcmp(a, "--layers")) o->layers = (int)mk_int_arg(a, v, 1, 100000);
        else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            o->seed = strtoull(v, &end, 0);
            if (errno || end == v || *end || v[0] == '-') mk_die("--seed: expected an unsigned integer, got '%s'", v);
        } else if (!strcmp(a, "--hidden")) o->hidden = (int)mk_int_arg(a, v, 16, big);
        else if (!strcmp(a, "--heads")) o->heads = (int)mk_int_arg(a, v, 1, big);
        else if (!strcmp(a, "--kv-heads")) o->kv_heads = (int)mk_int_arg(a, v, 1, big);
        else if (!strcmp(a, "--head-dim")) o->head_dim = (int)mk_int_arg(a, v, 2, big);
        else if (!strcmp(a, "--rotary-dim")) o->rotary_dim = (int)mk_int_arg(a, v, 0, big);
        else if (!strcmp(a, "--experts")) o->experts = (int)mk_int_arg(a, v, 1, 1 << 20);
        else if (!strcmp(a, "--top-k")) o->top_k = (int)mk_int_arg(a, v, 1, 1 << 20);
        else if (!strcmp(a, "--inter")) o->inter = (int)mk_int_arg(a, v, 16, big);
        else if (!strcmp(a, "--vocab")) o->vocab = (int)mk_int_arg(a, v, 1, big);
        else if (!strcmp(a, "--drop-input-scale")) o->drop_input_scale = (int)mk_int_arg(a, v, 0, big);
        else if (!strcmp(a, "--threads")) o->threads = (int)mk_int_arg(a, v, 1, 4096);
        else if (!strcmp(a, "--router-dtype")) {
            if (!strcmp(v, "bf16")) o->router_f32 = 0;
            else if (!strcmp(v, "f32")) o->router_f32 = 1;
            else mk_die("--router-dtype: expected bf16 or f32, got '%s'", v);
        } else if (!strcmp(a, "--fp4")) {
            if (!strcmp(v, "auto")) o->fp4_mode = 0;
            else if (!strcmp(v, "quantize")) o->fp4_mode = 1;
            else if (!strcmp(v, "direct")) o->fp4_mode = 2;
            else mk_die("--fp4: expected auto, quantize or direct, got '%s'", v);
        } else if (!strcmp(a, "--shard-mb")) {
            char *end;
            o->shard_mb = strtod(v, &end);
            if (end == v || *end || !(o->shard_mb > 0)) mk_die("--shard-mb: expected a positive number, got '%s'", v);
        } else {
            mk_usage();
            mk_die("unknown option %s", a);
        }
    }
    if (!o->out) {
        mk_usage();
        mk_die("--out DIR is required");
    }
    if (o->hidden % 16) mk_die("--hidden %d: must be a multiple of 16 (NVFP4 blocks of 16 along K)", o->hidden);
    if (o->inter % 16) mk_die("--inter %d: must be a multiple of 16 (NVFP4 blocks of 16 along K)", o->inter);
    if (o->heads % o->kv_heads) mk_die("--heads %d must be a multiple of --kv-heads %d", o->heads, o->kv_heads);
    if (o->rotary_dim % 2 || o->rotary_dim > o->head_dim)
        mk_die("--rotary-dim %d: must be even and at most --head-dim %d", o->rotary_dim, o->head_dim);
    if (o->top_k > o->experts) mk_die("--top-k %d exceeds --experts %d", o->top_k, o->experts);
    if ((long long)o->drop_input_scale > (long long)o->layers * o->experts)
        mk_die("--drop-input-scale %d exceeds the %lld experts", o->drop_input_scale, (long long)o->layers * o->experts);
}

int main(int argc, char **argv) {
    mk_model m;
    int i;
    memset(&m, 0, sizeof m);
    signal(SIGXFSZ, SIG_IGN); /* over a file-size limit, writes fail with EFBIG: reported, not a crash */
    mk_parse(argc, argv, &m.o);
    m.fp4_quantize = m.o.fp4_mode == 1 ||
                     (m.o.fp4_mode == 0 &&
                      3.0 * m.o.layers * m.o.experts * (double)m.o.hidden * (double)m.o.inter <= 64.0 * 1024 * 1024);
    for (i = 0; i < 65536; i++) mk_normal_table[i] = (float)mk_inv_normal((i + 0.5) / 65536.0);
    if (!m.fp4_quantize) mk_pool_init(m.o.seed);

    mk_build(&m);
    mk_layout(&m);
    if (m.o.dry_run) {
        uint64_t total = 0;
        for (i = 0; i < m.nshards; i++) total += m.shard_size[i];
        printf("%d tensors, %d shard%s, %llu bytes of tensor data, %llu bytes on disk, experts %s\n", m.nt, m.nshards,
               m.nshards == 1 ? "" : "s", (unsigned long long)m.total_data, (unsigned long long)total,
               m.fp4_quantize ? "quantised from fp32" : "drawn from the block pool");
        return 0;
    }
    mk_mkdir_p(m.o.out);
    mk_write_configs(&m);
    if (m.o.tokenizer) mk_copy_tokenizer(&m.o);
    mk_write_shards(&m);

    for (i = 0; i < m.nshards; i++) free(m.shard_header[i]);
    free(m.shard_header);
    free(m.shard_header_len);
    free(m.shard_size);
    free(m.t);
    return 0;
}
