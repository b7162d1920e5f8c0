/* ===========================================================================
   IMPLEMENTATION: the GPU engine (model, sessions, forward pass, sampling)
   ===========================================================================
   Kernels are in src/kernels.cu (embedded as minimax__kernel_source); this
   section uploads the weights, owns the paged KV pool and the scratch
   buffers, and enqueues the forward pass of T token slots on one stream.

   Device memory of a model:
     per layer: in/post norms, q/k norms fp32; wqkv BF16 [(nh+2nkv)*d, H]
       (q_proj, k_proj, v_proj stacked so one product makes q|k|v); wo BF16
       [H, nh*d]; router [E, H] as stored (BF16, or fp32 for an F32 router;
       its logits accumulate in fp32 either way); bias fp32 [E]; experts in the ModelOpt
       layout as stored, all experts of a layer contiguous:
         w1p/w3p [E][I][H/2] u8, w1s/w3s [E][I][H/16] e4m3,
         w2p [E][H][I/2] u8, w2s [E][H][I/16] e4m3, ws2_1/ws2_3/ws2_2 fp32 [E]
       (rows and blocks as stored; on Hopper the 8 codes of each 32-bit word
       are permuted once after upload, minimax__fp4_layout / kernels.cu
       k_fp4_layout, so that the software decode is cheaper).
     embed, lm_head BF16 [V, H]; final norm fp32 [H].
     KV pool BF16 (layout in kernels.cu); block table int [max_sessions][max_blocks].
     per-step inputs (one buffer, uploaded by ONE copy before a forward or a
       graph replay): ids, pos, srow, out_rows [Tmax] int; sample params [Tmax].
     scratch fp32: x, hn [Tmax, H]; qkv [Tmax, QKV]; qr, attn [Tmax, nh*d]; rlog [Tmax, E];
       topk idx/wt [Tmax*k]; act [Tmax*k, I]; xo [R, H]; logits [R, V]; sampled [R].
   No host synchronisation inside a forward: routing stays on the device.

   STATUS (measured on one H100 80GB HBM3, real shapes with 16 layers,
   synthetic weights, batch 1, short context, CUDA graphs): decode 273-281
   tok/s (about 3.6 ms per token, ~1.0 TB/s of weights, a third of the
   bandwidth), prefill 760-840 tok/s (16-256 token prompts); 8 sessions
   stepped together 655 tok/s in all, 32 sessions 722 tok/s. The kernels are
   the simple correct versions: warp-per-row GEMV-style products that re-read
   weights for every 8 token slots (prefill and batches are not yet tensor-core
   GEMMs grouped by expert), FP4 loads of 8 bytes per lane, attention one
   warp per key (no split-KV), several small kernels per layer. */

/* (minimax_nvfp4_cuda.cu.h, the kernel source, is included by the JIT section) */

enum {
    MINIMAX__K_EMBED,
    MINIMAX__K_RMSNORM,
    MINIMAX__K_MM_BF16,
    MINIMAX__K_MM_F32,
    MINIMAX__K_QK_NORM_ROPE_KV,
    MINIMAX__K_ATTENTION,
    MINIMAX__K_ROUTER,
    MINIMAX__K_EXPERT_GATE_UP,
    MINIMAX__K_EXPERT_DOWN,
    MINIMAX__K_SAMPLE,
    MINIMAX__K_RNG_UNIFORM,
    MINIMAX__K_FP4_DEQUANT,
    MINIMAX__K_FP4_LAYOUT,
    MINIMAX__K_FAULT,
    MINIMAX__K_COUNT
};
static const char *const minimax__kernel_names[MINIMAX__K_COUNT] = {
    "k_embed",          "k_rmsnorm",       "k_mm_bf16",     "k_mm_f32",          "k_qk_norm_rope_kv", "k_attention",   "k_router",
    "k_expert_gate_up", "k_expert_down",   "k_sample",      "k_rng_uniform",     "k_fp4_dequant", "k_fp4_layout",
    "k_fault"};

/* Mirrors struct sample_params of kernels.cu (40 bytes, 8-aligned). */
typedef struct minimax__sample_params {
    float temperature, top_p, min_p;
    int32_t top_k;
    uint64_t seed, session;
    int64_t position;
} minimax__sample_params;

/* Limits the kernels assume (kernels.cu: ATT_MAXD, ROUTER_MAXE, grid.y). */
#define MINIMAX__MAX_HEAD_DIM 256
#define MINIMAX__MAX_EXPERTS 1024
#define MINIMAX__STAGING_BYTES ((size_t)64 << 20)
#define MINIMAX__LOGITS_BUDGET ((size_t)64 << 20) /* logits rows beyond max_sessions, for all-position tests */

typedef struct minimax__dev_layer {
    minimax__cu_ptr in_norm, post_norm, q_norm, k_norm;
    minimax__cu_ptr wqkv, wo, router, router_bias;
    minimax__cu_ptr w1p, w1s, w3p, w3s, w2p, w2s, ws2_1, ws2_3, ws2_2;
    int router_f32; /* router kept as stored: BF16 (exact) or fp32 */
} minimax__dev_layer;

/* Sizes derived from a config and the desc; pure arithmetic (tested on the CPU). */
typedef struct minimax__plan {
    int max_sessions, max_context, block_tokens, max_blocks, num_blocks, max_tokens, logits_rows, valid_vocab;
    int qkv_dim, attn_dim;
    size_t weight_bytes, kv_bytes, scratch_bytes, total_bytes;
    size_t kv_block_bytes; /* one block, all layers, K and V */
} minimax__plan;

typedef struct minimax__dev_alloc {
    minimax__cu_ptr ptr;
    size_t bytes;
} minimax__dev_alloc;

struct minimax_session {
    minimax_model *model;
    int row;        /* block-table row, index into model->sessions */
    uint64_t id;    /* creation order */
    int pos;        /* tokens in the cache */
    int nblocks;    /* blocks owned (block_table row prefix) */
    minimax_sampling sampling;
};

struct minimax_model {
    minimax_config cfg;
    minimax__plan plan;
    minimax_model_info info;
    int failed;
    /* CUDA */
    minimax__cu_device dev;
    minimax__cu_context ctx;
    int own_ctx; /* 1 = retained primary context */
    minimax__cu_stream stream;
    int own_stream;
    minimax__cu_module module;
    minimax__cu_function fn[MINIMAX__K_COUNT];
    /* device memory */
    minimax__dev_alloc *allocs;
    int n_allocs, cap_allocs;
    minimax__dev_layer *layers;
    minimax__cu_ptr embed, lm_head, final_norm;
    minimax__cu_ptr kv, block_table, step_in;
    minimax__cu_ptr x, hn, qkv, qr, attn, rlog, topk_idx, topk_wt, act, xo, logits, sampled;
    minimax__cu_ptr route_flag; /* int, 1 while a pass's routing is out for its down kernel (kernels.cu EARLY) */
    /* per-step inputs: device offsets into step_in and the pinned host mirror */
    size_t off_ids, off_pos, off_srow, off_rows, off_sp, step_in_bytes;
    int pass0; /* the first slot of the pass being enqueued (minimax__pass_view) */
    unsigned char *h_in;
    int32_t *h_bt; /* pinned mirror of the block table */
    void *staging; /* pinned upload buffer */
    /* pool */
    int32_t *free_blocks;
    int n_free;
    minimax_session **sessions; /* [max_sessions], NULL = free row */
    uint64_t next_session_id;
    /* graphs: one per step size n (1..max_sessions), captured on first use */
    minimax__cu_graph_exec *graphs;
    /* fast decode kernels (impl_52_fast.h): handles (MINIMAX__FK_COUNT of
       them, checked there at compile time), on/off, SM count */
    minimax__cu_function fn_fast[32];
    int fast_decode, num_sms;
    /* 1 while minimax__enqueue_range enqueues a pass whose launches on
       m->stream go out with programmatic dependent launch (minimax__launch_fn) */
    int pdl;
    int l2_prefetch_bytes; /* the q|k|v prefetch's budget (half the L2), 0: no prefetch (kernels.cu k_l2_prefetch) */
    /* the prefetch branch (impl_52_fast.h minimax__branch_prefetch): its
       stream, fork / join events, 1 while a branch is not joined */
    minimax__cu_stream side;
    minimax__cu_event ev_fork, ev_join;
    int branch_open;
    minimax__cu_ptr fast_part; /* split-KV attention partials */
    int attn_l0; /* the first layer of the pass being enqueued, set by its first call (begin): that layer's
                    attention stores the RoPE angles, the later layers' load them (minimax__fast_attn) */
    /* tests only: when dbg_route is set, prefill copies each layer's routing
       (topk_idx of its tokens) to dbg_route[layer][position][top_k], positions
       < dbg_route_stride */
    minimax__cu_ptr dbg_route;
    int dbg_route_stride, dbg_pos0, dbg_recording;
    /* several GPUs (impl_56_multi.h): NULL for one GPU. The model the caller
       holds (the front, mg_rank -1) owns the sessions and drives one model per
       GPU (mg_rank 0, 1, ...), each with its own context, stream, weight
       shard, KV pool shard and buffers. mg_part: a rank's partial sums [T, H]
       (zero between uses) */
    struct minimax__mg *mg;
    int mg_rank;
    minimax__cu_ptr mg_part;
};

/* ---- plan ------------------------------------------------------------------ */

/* Applies the desc's defaults and computes every size. INVALID_ARGUMENT /
   UNSUPPORTED with the reason when the config or desc cannot run. */
MINIMAX__PRIV minimax_result minimax__plan_make(const minimax_config *c, const minimax_model_desc *d, minimax__plan *p) {
    size_t H, V, E, NI, L, kvtok;
    size_t layer_bytes;
    memset(p, 0, sizeof *p);
    if (c->hidden_size <= 0 || c->num_layers <= 0 || c->num_heads <= 0 || c->num_kv_heads <= 0 || c->head_dim <= 0 ||
        c->intermediate_size <= 0 || c->num_experts <= 0 || c->top_k <= 0 || c->vocab_size <= 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "config has a non-positive dimension");
    if (c->hidden_size % 16 || c->intermediate_size % 16)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "hidden_size %d and intermediate_size %d must be multiples of 16",
                             c->hidden_size, c->intermediate_size);
    if (c->head_dim % 2 || c->head_dim > MINIMAX__MAX_HEAD_DIM)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "head_dim %d: the attention kernel needs an even size up to %d",
                             c->head_dim, MINIMAX__MAX_HEAD_DIM);
    if ((c->num_heads * c->head_dim) % 8)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                             "num_heads x head_dim = %d: the o_proj product needs a multiple of 8",
                             c->num_heads * c->head_dim);
    if (c->rotary_dim < 0 || c->rotary_dim % 2 || c->rotary_dim > c->head_dim)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "rotary_dim %d must be even and at most head_dim %d",
                             c->rotary_dim, c->head_dim);
    if (c->num_heads % c->num_kv_heads)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "num_heads %d is not a multiple of num_kv_heads %d", c->num_heads,
                             c->num_kv_heads);
    if (c->num_experts > MINIMAX__MAX_EXPERTS || c->top_k > c->num_experts || c->top_k > 32)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "num_experts %d / top_k %d outside the router kernel's limits (%d, 32)",
                             c->num_experts, c->top_k, MINIMAX__MAX_EXPERTS);
    if (d->max_sessions < 0 || d->max_context < 0 || d->kv_block_tokens < 0 || d->max_batch_tokens < 0 ||
        d->valid_vocab < 0 || d->device < 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_desc has a negative field");
    p->max_sessions = d->max_sessions ? d->max_sessions : 1;
    p->max_context = d->max_context ? d->max_context
                                    : (c->max_position_embeddings > 0 && c->max_position_embeddings < 4096
                                           ? c->max_position_embeddings
                                           : 4096);
    if (c->max_position_embeddings > 0 && p->max_context > c->max_position_embeddings)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "max_context %d exceeds max_position_embeddings %d",
                             p->max_context, c->max_position_embeddings);
    p->block_tokens = d->kv_block_tokens ? d->kv_block_tokens : 16;
    p->max_tokens = d->max_batch_tokens ? d->max_batch_tokens : 256;
    if (p->max_tokens < p->max_sessions) p->max_tokens = p->max_sessions;
    if ((int64_t)p->max_tokens * c->top_k > 65535)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "max_batch_tokens %d x top_k %d exceeds a grid dimension (65535)",
                             p->max_tokens, c->top_k);
    p->valid_vocab = d->valid_vocab ? d->valid_vocab : c->vocab_size;
    if (p->valid_vocab > c->vocab_size)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "valid_vocab %d exceeds vocab_size %d", p->valid_vocab,
                             c->vocab_size);
    p->max_blocks = (p->max_context + p->block_tokens - 1) / p->block_tokens;
    if ((int64_t)p->max_blocks * p->max_sessions > 0x7fffffff)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "KV pool of %d sessions x %d blocks is too large",
                             p->max_sessions, p->max_blocks);
    p->num_blocks = p->max_blocks * p->max_sessions;
    /* logits rows: every session of a step; more (up to max_tokens) when they
       fit a small budget, so tests can read the logits of every prefill position */
    p->logits_rows = p->max_sessions;
    {
        size_t budget_rows = MINIMAX__LOGITS_BUDGET / ((size_t)c->vocab_size * 4);
        if ((size_t)p->logits_rows < budget_rows)
            p->logits_rows = budget_rows > (size_t)p->max_tokens ? p->max_tokens : (int)budget_rows;
    }
    H = (size_t)c->hidden_size;
    V = (size_t)c->vocab_size;
    E = (size_t)c->num_experts;
    NI = (size_t)c->intermediate_size;
    L = (size_t)c->num_layers;
    p->qkv_dim = (c->num_heads + 2 * c->num_kv_heads) * c->head_dim;
    p->attn_dim = c->num_heads * c->head_dim;
    layer_bytes = (2 * H + (size_t)p->attn_dim + (size_t)c->num_kv_heads * c->head_dim) * 4 /* norms */
                  + (size_t)p->qkv_dim * H * 2 + H * (size_t)p->attn_dim * 2             /* wqkv, wo */
                  + E * H * 4 + E * 4                                                     /* router, bias */
                  + (E * NI * 2) * (H / 2 + H / 16) + E * H * (NI / 2 + NI / 16)             /* experts */
                  + 3 * E * 4;                                                             /* ws2 */
    p->weight_bytes = L * layer_bytes + 2 * V * H * 2 + H * 4;
    p->kv_block_bytes = L * 2 * (size_t)c->num_kv_heads * p->block_tokens * c->head_dim * 2;
    kvtok = (size_t)p->num_blocks;
    p->kv_bytes = kvtok * p->kv_block_bytes;
    {
        size_t T = (size_t)p->max_tokens, R = (size_t)p->logits_rows, K = (size_t)c->top_k;
        size_t step_in = T * 4 * 4 + T * sizeof(minimax__sample_params) + 64;
        p->scratch_bytes = step_in + (size_t)p->num_blocks * 4 /* block table */
                           + T * H * 4 * 2 + T * (size_t)p->qkv_dim * 4 + T * (size_t)p->attn_dim * 8 + T * E * 4 + T * K * 8 +
                           T * K * NI * 4 + R * H * 4 + R * V * 4 + R * 4;
    }
    p->total_bytes = p->weight_bytes + p->kv_bytes + p->scratch_bytes;
    return MINIMAX_OK;
}

/* ---- sampling on the host ---------------------------------------------------
   The generator is shared with the kernels (keep them identical): SplitMix64
   finalisers chained over (seed, session id, position); the top 24 bits give
   a uniform float in [0, 1). */
MINIMAX__PRIV uint64_t minimax__mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

MINIMAX_API float minimax_sampling_uniform(uint64_t seed, uint64_t session_id, uint64_t position) {
    uint64_t k = minimax__mix64(minimax__mix64(minimax__mix64(seed) ^ session_id) ^ position);
    return (float)(k >> 40) * (1.0f / 16777216.0f);
}

MINIMAX__PRIV uint32_t minimax__fkey(float f) {
    uint32_t u = minimax__bits_from_f32(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/* The sampling rule of k_sample on the host, in double (tests compare the
   two; a host may also sample logits it got from minimax_step). */
MINIMAX__PRIV int32_t minimax__sample_host(const float *l, int valid, const minimax_sampling *s, uint64_t session_id,
                                           uint64_t position) {
    int i, best = -1;
    uint32_t tk = 0, tp = 0, thr;
    double invT, minp, total, target, run;
    for (i = 0; i < valid; i++)
        if (best < 0 || l[i] > l[best]) best = i;
    if (best < 0) return 0;
    if (!(s->temperature > 0.0f)) return best;
    invT = (double)(1.0f / s->temperature);
    minp = s->min_p > 0.0f ? s->min_p : 0.0;
    if (s->top_k > 0 && s->top_k < valid) {
        uint32_t lo = 0, hi = 0xffffffffu;
        while (lo < hi) {
            uint32_t mid = (uint32_t)(((uint64_t)lo + hi + 1) / 2);
            int cnt = 0;
            for (i = 0; i < valid; i++) cnt += minimax__fkey(l[i]) >= mid;
            if (cnt >= s->top_k) lo = mid;
            else hi = mid - 1;
        }
        tk = lo;
    }
#define MINIMAX__P(i) exp(((double)l[i] - (double)l[best]) * invT)
    if (s->top_p > 0.0f && s->top_p < 1.0f) {
        double z = 0.0, tgt;
        uint32_t lo = 0, hi = 0xffffffffu;
        for (i = 0; i < valid; i++)
            if (minimax__fkey(l[i]) >= tk && MINIMAX__P(i) >= minp) z += MINIMAX__P(i);
        tgt = (double)s->top_p * z;
        while (lo < hi) {
            uint32_t mid = (uint32_t)(((uint64_t)lo + hi + 1) / 2);
            double sum = 0.0;
            for (i = 0; i < valid; i++) {
                uint32_t k = minimax__fkey(l[i]);
                if (k >= tk && k >= mid && MINIMAX__P(i) >= minp) sum += MINIMAX__P(i);
            }
            if (sum >= tgt) lo = mid;
            else hi = mid - 1;
        }
        tp = lo;
    }
    thr = tk > tp ? tk : tp;
    total = 0.0;
    for (i = 0; i < valid; i++)
        if (minimax__fkey(l[i]) >= thr && MINIMAX__P(i) >= minp) total += MINIMAX__P(i);
    target = (double)minimax_sampling_uniform(s->seed, session_id, position) * total;
    run = 0.0;
    {
        int last = best;
        for (i = 0; i < valid; i++) {
            if (minimax__fkey(l[i]) >= thr && MINIMAX__P(i) >= minp) {
                last = i;
                run += MINIMAX__P(i);
                if (target < run) return i;
            }
        }
        return last;
    }
#undef MINIMAX__P
}

/* ---- device helpers ------------------------------------------------------------ */

/* Checks a driver result; a sticky error puts the model in its failed state. */
MINIMAX__PRIV minimax_result minimax__mcheck(minimax_model *m, minimax__cu_result r, const char *what) {
    if (r == 0) return MINIMAX_OK;
    if (minimax__cu_is_sticky(r)) m->failed = 1;
    return minimax__cu_check(r, what);
}

MINIMAX__PRIV minimax_result minimax__dalloc(minimax_model *m, size_t bytes, const char *what, minimax__cu_ptr *out) {
    minimax__cu_ptr p = 0;
    minimax__cu_result cr;
    *out = 0;
    if (m->n_allocs == m->cap_allocs) {
        int cap = m->cap_allocs ? 2 * m->cap_allocs : 256;
        minimax__dev_alloc *a = (minimax__dev_alloc *)MINIMAX_REALLOC(m->allocs, (size_t)cap * sizeof *a);
        if (!a) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory for the allocation list");
        m->allocs = a;
        m->cap_allocs = cap;
    }
    cr = minimax__cu.cuMemAlloc(&p, bytes ? bytes : 16);
    if (cr != 0) {
        char msg[256];
        size_t fr = 0, tot = 0;
        minimax__cu.cuMemGetInfo(&fr, &tot);
        snprintf(msg, sizeof msg, "cuMemAlloc of %zu bytes for %s (%zu of %zu bytes free)", bytes, what, fr, tot);
        return minimax__mcheck(m, cr, msg);
    }
    m->allocs[m->n_allocs].ptr = p;
    m->allocs[m->n_allocs].bytes = bytes;
    m->n_allocs++;
    *out = p;
    return MINIMAX_OK;
}

/* Copies host bytes to the device through the pinned staging buffer. */
MINIMAX__PRIV minimax_result minimax__upload(minimax_model *m, minimax__cu_ptr dst, const void *src, size_t bytes) {
    const unsigned char *s = (const unsigned char *)src;
    while (bytes) {
        size_t n = bytes < MINIMAX__STAGING_BYTES ? bytes : MINIMAX__STAGING_BYTES;
        minimax_result r;
        memcpy(m->staging, s, n);
        if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyHtoD(dst, m->staging, n), "upload of weights")) != MINIMAX_OK)
            return r;
        dst += n;
        s += n;
        bytes -= n;
    }
    return MINIMAX_OK;
}

/* Appends pieces to a contiguous device range through the staging buffer,
   one copy per full buffer (the 768 expert matrices of a layer). */
typedef struct minimax__upl {
    minimax_model *m;
    minimax__cu_ptr dst;
    size_t used;
} minimax__upl;

MINIMAX__PRIV minimax_result minimax__upl_flush(minimax__upl *u) {
    minimax_result r = MINIMAX_OK;
    if (u->used) r = minimax__mcheck(u->m, minimax__cu.cuMemcpyHtoD(u->dst, u->m->staging, u->used), "upload of experts");
    u->dst += u->used;
    u->used = 0;
    return r;
}

MINIMAX__PRIV minimax_result minimax__upl_add(minimax__upl *u, const void *src, size_t bytes) {
    const unsigned char *s = (const unsigned char *)src;
    minimax_result r;
    while (bytes) {
        size_t room = MINIMAX__STAGING_BYTES - u->used, n = bytes < room ? bytes : room;
        memcpy((unsigned char *)u->m->staging + u->used, s, n);
        u->used += n;
        s += n;
        bytes -= n;
        if (u->used == MINIMAX__STAGING_BYTES && (r = minimax__upl_flush(u)) != MINIMAX_OK) return r;
    }
    return MINIMAX_OK;
}

/* A small tensor (norm, router, bias) converted to fp32 and uploaded; NULL
   tensor = `fill` everywhere (a checkpoint without a routing bias). */
MINIMAX__PRIV minimax_result minimax__upload_f32(minimax_model *m, const minimax__tensor *t, int64_t count, float fill,
                                                 const char *what, minimax__cu_ptr *out) {
    float *tmp;
    int64_t i, have = 1;
    minimax_result r;
    if (t) {
        int k;
        for (k = 0; k < t->ndim; k++) have *= t->shape[k];
        if (have != count)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s (%s): %lld elements, expected %lld", t->name, what,
                                 (long long)have, (long long)count);
        if (t->dtype != MINIMAX__DT_BF16 && t->dtype != MINIMAX__DT_F32 && t->dtype != MINIMAX__DT_F16)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s (%s): dtype must be BF16, F16 or F32", t->name, what);
    }
    if ((r = minimax__dalloc(m, (size_t)count * 4, what, out)) != MINIMAX_OK) return r;
    tmp = (float *)minimax__alloc((size_t)count * 4, what);
    if (!tmp) return MINIMAX_ERR_OUT_OF_MEMORY;
    for (i = 0; i < count; i++) tmp[i] = t ? minimax__tensor_f32(t, i) : fill;
    r = minimax__upload(m, *out, tmp, (size_t)count * 4);
    MINIMAX_FREE(tmp);
    return r;
}

/* A BF16 matrix [rows, cols] checked and uploaded at dst. */
MINIMAX__PRIV minimax_result minimax__upload_bf16(minimax_model *m, const minimax__tensor *t, int64_t rows, int64_t cols,
                                                  minimax__cu_ptr dst) {
    if (!t) return minimax__fail(MINIMAX_ERR_FORMAT, "a BF16 weight of shape [%lld, %lld] is missing", (long long)rows,
                                 (long long)cols);
    if (t->dtype != MINIMAX__DT_BF16)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: dtype must be BF16", t->name);
    if (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != cols)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: shape must be [%lld, %lld]", t->name, (long long)rows,
                             (long long)cols);
    return minimax__upload(m, dst, t->data, (size_t)(rows * cols * 2));
}

/* ---- context handling ----------------------------------------------------------- */

typedef struct minimax__ctx_guard {
    minimax__cu_context prev;
} minimax__ctx_guard;

MINIMAX__PRIV minimax_result minimax__enter(minimax_model *m, minimax__ctx_guard *g) {
    g->prev = NULL;
    if (m->failed)
        return minimax__fail(MINIMAX_ERR_FAILED_STATE,
                             "the model hit an unrecoverable device error earlier; free it and load again");
    minimax__cu.cuCtxGetCurrent(&g->prev);
    return minimax__mcheck(m, minimax__cu.cuCtxSetCurrent(m->ctx), "cuCtxSetCurrent");
}

MINIMAX__PRIV void minimax__leave(minimax__ctx_guard *g) { minimax__cu.cuCtxSetCurrent(g->prev); }

/* ---- the forward pass ------------------------------------------------------------- */

/* Every kernel launch goes through here: kernel fn (name: for the error)
   on `stream`, grid gx x gy x gz. On the pass's stream, while m->pdl is set,
   with programmatic stream serialization, so that a kernel's launch and its
   first weight loads overlap the end of the kernel ahead (kernels.cu
   "programmatic dependent launch": each kernel waits for the one ahead before
   it reads what that wrote); else an ordinary launch. */
MINIMAX__PRIV minimax_result minimax__launch_fn(minimax_model *m, minimax__cu_function fn, const char *name,
                                                unsigned gx, unsigned gy, unsigned gz, unsigned block, unsigned smem,
                                                minimax__cu_stream stream, void **args) {
    char what[128];
    minimax__cu_result cr;
    if (m->pdl && stream == m->stream) {
        minimax__cu_launch_attr at;
        minimax__cu_launch_config lc;
        memset(&at, 0, sizeof at);
        at.id = MINIMAX__CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
        at.value.i = 1;
        lc.grid[0] = gx;
        lc.grid[1] = gy;
        lc.grid[2] = gz;
        lc.block[0] = block;
        lc.block[1] = lc.block[2] = 1;
        lc.smem = smem;
        lc.stream = stream;
        lc.attrs = &at;
        lc.n_attrs = 1;
        cr = minimax__cu.cuLaunchKernelEx(&lc, fn, args, NULL);
    } else {
        cr = minimax__cu.cuLaunchKernel(fn, gx, gy, gz, block, 1, 1, smem, stream, args, NULL);
    }
    if (cr == 0) return MINIMAX_OK;
    if (m->mg && m->mg_rank >= 0)
        snprintf(what, sizeof what, "launch of %s (grid %u x %u x %u) on GPU rank %d", name, gx, gy, gz, m->mg_rank);
    else
        snprintf(what, sizeof what, "launch of %s (grid %u x %u x %u)", name, gx, gy, gz);
    return minimax__mcheck(m, cr, what);
}

MINIMAX__PRIV minimax_result minimax__launch(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned block,
                                             void **args) {
    return minimax__launch_fn(m, m->fn[k], minimax__kernel_names[k], gx, gy, 1, block, 0, m->stream, args);
}

#define MINIMAX__CDIV(a, b) (((a) + (b)-1) / (b))

/* Blocks of 256 threads for a grid-stride kernel over n items: one item a
   thread, at most cap blocks. */
MINIMAX__PRIV unsigned minimax__stride_grid(unsigned long long n, unsigned cap) {
    return n / 256 + 1 < cap ? (unsigned)(n / 256 + 1) : cap;
}

/* E2M1 codes just uploaded in the checkpoint's packing (`bytes` of them, a
   multiple of 4, rows of whole words) -> the layout this module's kernels
   read, in place (kernels.cu k_fp4_layout: permuted words on Hopper, nothing
   to do on Blackwell). Every expert matrix goes through here once. */
MINIMAX__PRIV minimax_result minimax__fp4_layout(minimax_model *m, minimax__cu_ptr codes, size_t bytes) {
    unsigned long long n = (unsigned long long)(bytes / 4);
    unsigned grid = minimax__stride_grid(n, 4096);
    void *a[2];
    a[0] = &codes;
    a[1] = &n;
    return minimax__launch(m, MINIMAX__K_FP4_LAYOUT, grid, 1, 256, a);
}

/* fast small-T kernels, defined in impl_52_fast.h */
MINIMAX__PRIV int minimax__fast_mm_ok(const minimax_model *m, int T, int K);
MINIMAX__PRIV int minimax__pass_slots(const minimax_model *m, int n);
MINIMAX__PRIV minimax_result minimax__fast_mm(minimax_model *m, minimax__cu_ptr X, minimax__cu_ptr W, minimax__cu_ptr Y,
                                              int T, int N, int K, int accumulate, int l2_ahead);
MINIMAX__PRIV int minimax__fast_moe_ok(const minimax_model *m, int T);
struct minimax__mg_fuse;
MINIMAX__PRIV minimax_result minimax__fast_moe(minimax_model *m, const minimax__dev_layer *ly, int T,
                                               const struct minimax__mg_fuse *F);
MINIMAX__PRIV minimax_result minimax__fast_init(minimax_model *m);
MINIMAX__PRIV int minimax__fast_attn_ok(const minimax_model *m, int T);
MINIMAX__PRIV minimax_result minimax__fast_attn(minimax_model *m, const minimax__dev_layer *ly, int layer, int T,
                                                int qk, minimax__cu_ptr sums, minimax__cu_ptr ssq,
                                                const struct minimax__mg_fuse *F);
MINIMAX__PRIV int minimax__fast_attn_qk_ok(const minimax_model *m, int T);
MINIMAX__PRIV int minimax__fast_route_ok(const minimax_model *m, int T);
MINIMAX__PRIV int minimax__branch_ok(const minimax_model *m, int T);
MINIMAX__PRIV minimax_result minimax__branch_join(minimax_model *m);
MINIMAX__PRIV minimax_result minimax__branch_prefetch(minimax_model *m, minimax__cu_ptr pf, int rows, long long pitch,
                                                      int bytes);
MINIMAX__PRIV minimax_result minimax__norm_mm_f(minimax_model *m, minimax__cu_ptr x, minimax__cu_ptr nw, minimax__cu_ptr W,
                                                minimax__cu_ptr Y, int T, int N, int K, minimax__cu_ptr xn, int xn_ph,
                                                minimax__cu_ptr ssq, int l2_ahead);
MINIMAX__PRIV minimax__cu_ptr minimax__fast_qk_ssq(const minimax_model *m);
MINIMAX__PRIV minimax_result minimax__sample(minimax_model *m, int R);
MINIMAX__PRIV minimax_result minimax__norm_router(minimax_model *m, const minimax__dev_layer *ly, int T);
MINIMAX__PRIV int minimax__fast_norm_ok(const minimax_model *m, int T, int K);

/* several GPUs, defined in impl_56_multi.h; inside a rank's forward pass */
#define MINIMAX__MG_MAX 8
/* Mirrors struct mg_fuse of kernels.cu (passed by value): the fused
   collectives of a tensor-parallel pass of one token slot, filled by
   minimax__mg_fuse_arg; nr = 0: off. */
typedef struct minimax__mg_fuse {
    minimax__cu_ptr recv[MINIMAX__MG_MAX], own, gen, status;
    long long timeout;
    int rank, nr, cap, code, local;
    int in_site, out_site;
} minimax__mg_fuse;
MINIMAX__PRIV int minimax__mg_fused(const minimax_model *m, int T);
MINIMAX__PRIV void minimax__mg_fuse_arg(const minimax_model *m, int in_site, int out_site, minimax__mg_fuse *F);
MINIMAX__PRIV minimax_result minimax__mg_fused_layer(minimax_model *m, const minimax__dev_layer *ly, int L, int stage);
MINIMAX__PRIV minimax_result minimax__mg_begin(minimax_model *m, int T);
MINIMAX__PRIV int minimax__mg_tp(const minimax_model *m);
MINIMAX__PRIV minimax_result minimax__mg_qk(minimax_model *m, const minimax__dev_layer *ly, int L, int T,
                                            minimax__cu_ptr *sums);
MINIMAX__PRIV minimax_result minimax__mg_partial(minimax_model *m, int T, int phase);
MINIMAX__PRIV minimax_result minimax__mg_end(minimax_model *m, int T, int R, int sample, int *done);

/* Y[T, N] (+)= X[T, K] . W[N, K]^T (l2_ahead: minimax__fast_mm's, where that
   runs it) */
MINIMAX__PRIV minimax_result minimax__mm_k(minimax_model *m, int kernel, minimax__cu_ptr X, minimax__cu_ptr W,
                                           minimax__cu_ptr Y, int T, int N, int K, int accumulate, int l2_ahead) {
    void *a[7];
    if (kernel == MINIMAX__K_MM_BF16 && minimax__fast_mm_ok(m, T, K))
        return minimax__fast_mm(m, X, W, Y, T, N, K, accumulate, l2_ahead);
    a[0] = &X;
    a[1] = &W;
    a[2] = &Y;
    a[3] = &T;
    a[4] = &N;
    a[5] = &K;
    a[6] = &accumulate;
    return minimax__launch(m, kernel, (unsigned)MINIMAX__CDIV(N, 8), (unsigned)MINIMAX__CDIV(T, 8), 256, a);
}

MINIMAX__PRIV minimax_result minimax__mm(minimax_model *m, minimax__cu_ptr X, minimax__cu_ptr W, minimax__cu_ptr Y, int T,
                                         int N, int K, int accumulate) {
    return minimax__mm_k(m, MINIMAX__K_MM_BF16, X, W, Y, T, N, K, accumulate, 0);
}

MINIMAX__PRIV minimax_result minimax__rmsnorm(minimax_model *m, minimax__cu_ptr x, minimax__cu_ptr rows, minimax__cu_ptr w,
                                              minimax__cu_ptr out, int R) {
    int H = m->cfg.hidden_size;
    float eps = m->cfg.rms_norm_eps;
    void *a[6];
    a[0] = &x;
    a[1] = &rows;
    a[2] = &w;
    a[3] = &out;
    a[4] = &H;
    a[5] = &eps;
    return minimax__launch(m, MINIMAX__K_RMSNORM, (unsigned)R, 1, 256, a);
}

/* Whether a pass of T token slots launches its kernels with programmatic
   dependent launch (minimax__launch_fn): where the driver has
   cuLaunchKernelEx, for passes of one token slot. */
MINIMAX__PRIV int minimax__pdl_wanted(int T) {
    return minimax__cu.cuLaunchKernelEx != NULL && T == 1;
}

/* A forward pass over T token slots (inputs already in step_in) is the
   embedding, the layers, then the final norm + lm_head for the R rows listed
   in out_rows, then (if sample) the sampler over those rows. This enqueues a
   part of it: the embedding when `begin`, layers [L0, L1), the head when
   `end` (the multi-GPU driver interleaves ranks layer by layer); on a rank of
   several GPUs the minimax__mg_* calls add the collectives. Nothing here
   synchronises. Called through minimax__enqueue_range, which sets m->pdl. */
MINIMAX__PRIV minimax_result minimax__enqueue_launches(minimax_model *m, int T, int R, int sample, int L0, int L1,
                                                       int begin, int end) {
    const minimax_config *c = &m->cfg;
    const minimax__plan *p = &m->plan;
    minimax__cu_ptr ids = m->step_in + m->off_ids, pos = m->step_in + m->off_pos, srow = m->step_in + m->off_srow,
                    rows = m->step_in + m->off_rows;
    int H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, K = c->top_k;
    int nh = c->num_heads, nkv = c->num_kv_heads, d = c->head_dim, rd = c->rotary_dim;
    int nblocks = p->num_blocks, maxb = p->max_blocks, bs = p->block_tokens, V = c->vocab_size;
    float theta = c->rope_theta, eps = c->rms_norm_eps, rsf = c->routed_scaling_factor > 0 ? c->routed_scaling_factor : 1.0f;
    minimax_result r;
    int L;
    m->branch_open = 0; /* (a pass that failed left one open) */
    if (begin) m->attn_l0 = L0; /* the pass's first layer (tp ranks get their layers a call each, after this one) */
    if (begin && m->mg) {
        if ((r = minimax__mg_begin(m, T)) != MINIMAX_OK) return r;
    } else if (begin) {
        void *a[4];
        a[0] = &ids;
        a[1] = &m->embed;
        a[2] = &m->x;
        a[3] = &H;
        if ((r = minimax__launch(m, MINIMAX__K_EMBED, (unsigned)T, 1, 256, a)) != MINIMAX_OK) return r;
    }
    for (L = L0; L < L1; L++) {
        minimax__dev_layer *ly = &m->layers[L];
        /* tensor parallelism, one token slot: the collectives fused into
           the kernels (impl_56_multi.h minimax__mg_fused_layer) */
        int fused = minimax__mg_fused(m, T);
        minimax__mg_fuse F;
        /* input RMSNorm + q|k|v (one launch at T = 1; on one GPU it also leaves the
           partial sums of squares for the QK-norm inside the attention) */
        int qk = minimax__fast_attn_qk_ok(m, T);
        minimax__cu_ptr ssq = qk && minimax__mg_tp(m) <= 1 && minimax__fast_norm_ok(m, T, H) ? minimax__fast_qk_ssq(m) : 0;
        if (fused)
            r = minimax__mg_fused_layer(m, ly, L, 0);
        else
            r = minimax__norm_mm_f(m, m->x, ly->in_norm, ly->wqkv, m->qkv, T, p->qkv_dim, H, 0, 0, ssq, 0);
        if (r != MINIMAX_OK) return r;
        /* a quarter of each of the layer's o_proj rows (9.4 MB at the real
           shapes) asked of L2 beside the attention, a chain of latencies that
           leaves DRAM nearly idle before the DRAM-bound o_proj product
           (H100, 16 layers, batch 1: ctx 512 -1.1% a step; 1/8 of each row
           -0.9%, 3/8 +0.4%, 1/2 +1.1%, whole rows +6.9%: more competes with
           the q|k|v prefetch for the L2 that survives) */
        if (minimax__branch_ok(m, T) && minimax__fast_attn_ok(m, T) &&
            (r = minimax__branch_prefetch(m, ly->wo, H, (long long)p->attn_dim * 2, p->attn_dim * 2 / 4 / 16 * 16)) !=
                MINIMAX_OK)
            return r;
        if (qk && fused) {
            if ((r = minimax__mg_fused_layer(m, ly, L, 1)) != MINIMAX_OK) return r;
        } else if (qk) { /* QK-norm, RoPE, KV append inside the attention kernel */
            minimax__cu_ptr sums = 0; /* tp: the sums of squares of all ranks */
            if (minimax__mg_tp(m) > 1 && (r = minimax__mg_qk(m, ly, L, T, &sums)) != MINIMAX_OK) return r;
            if ((r = minimax__fast_attn(m, ly, L, T, 1, sums, ssq, NULL)) != MINIMAX_OK) return r;
        } else {
            if (minimax__mg_tp(m) > 1) { /* QK-norm with the sums of squares of all ranks */
                if ((r = minimax__mg_qk(m, ly, L, T, NULL)) != MINIMAX_OK) return r;
            } else {
                void *a[18];
                a[0] = &m->qkv;
                a[1] = &m->qr;
                a[2] = &ly->q_norm;
                a[3] = &ly->k_norm;
                a[4] = &pos;
                a[5] = &srow;
                a[6] = &m->block_table;
                a[7] = &m->kv;
                a[8] = &L;
                a[9] = &nblocks;
                a[10] = &maxb;
                a[11] = &bs;
                a[12] = &nh;
                a[13] = &nkv;
                a[14] = &d;
                a[15] = &rd;
                a[16] = &theta;
                a[17] = &eps;
                if ((r = minimax__launch(m, MINIMAX__K_QK_NORM_ROPE_KV, (unsigned)(nh + nkv), (unsigned)T, 128, a)) !=
                    MINIMAX_OK)
                    return r;
            }
            if (minimax__fast_attn_ok(m, T)) {
                if ((r = minimax__fast_attn(m, ly, L, T, 0, 0, 0, NULL)) != MINIMAX_OK) return r;
            } else {
                void *a[13];
                a[0] = &m->qr;
                a[1] = &m->attn;
                a[2] = &pos;
                a[3] = &srow;
                a[4] = &m->block_table;
                a[5] = &m->kv;
                a[6] = &L;
                a[7] = &nblocks;
                a[8] = &maxb;
                a[9] = &bs;
                a[10] = &nh;
                a[11] = &nkv;
                a[12] = &d;
                if ((r = minimax__launch(m, MINIMAX__K_ATTENTION, (unsigned)nh, (unsigned)T, 128, a)) != MINIMAX_OK)
                    return r;
            }
        }
        if ((r = minimax__branch_join(m)) != MINIMAX_OK) return r;
        if (fused) { /* o_proj: x += the sum of the ranks' parts, in the product */
            if ((r = minimax__mg_fused_layer(m, ly, L, 2)) != MINIMAX_OK) return r;
        } else {
            if ((r = minimax__mg_partial(m, T, 0)) != MINIMAX_OK) return r; /* tp: o_proj into the partial sums */
            /* at T = 1 where the prefetch branch is off (it takes o_proj's
               rows beside the attention there), o_proj's blocks ask L2 for
               2/16 of their rows as they are launched (kernels.cu
               gemv_bf16_body: H200 -0.5% a step) */
            int ahead = T == 1 && !m->info.l2_prefetch ? 2 : 0;
            if ((r = minimax__mm_k(m, MINIMAX__K_MM_BF16, m->attn, ly->wo, m->x, T, H, p->attn_dim, 1, ahead)) !=
                MINIMAX_OK)
                return r;
            if ((r = minimax__mg_partial(m, T, 1)) != MINIMAX_OK) return r; /* tp: x += all-reduce */
        }
        /* post-attention RMSNorm (for the experts) + router logits */
        if ((r = minimax__norm_router(m, ly, T)) != MINIMAX_OK) return r;
        /* at T = 1 where it pays (l2_prefetch_bytes, set at load), the first
           quarter of every row of the next layer's q|k|v weights asked of L2
           beside the routing and the experts (at T = 8 it measured 0.1-0.4%
           slower: the experts read 5x the bytes). More stands in front of
           the experts' own loads, less leaves the product's start to DRAM.
           H100, 16 layers, ctx 512, with programmatic dependent launch (the
           product's first weights then come before its wait): 2/16, 3/16,
           4/16, 5/16, 6/16, 8/16 of a row 1.676-1.684, 1.670-1.674,
           1.672-1.677, 1.678-1.685, 1.683-1.689, 1.689-1.693 ms a step, none
           1.689-1.691. 2 x H100, TP = 2, 62 layers, without it: a half
           4.115-4.128 ms, a quarter 4.074-4.077, an eighth 4.130, none 4.186 */
        if (L + 1 < L1 && minimax__branch_ok(m, T)) {
            long long pitch = (long long)H * 2, per_row = (long long)m->l2_prefetch_bytes / p->qkv_dim;
            long long cap = pitch / 4;
            if (per_row > cap) per_row = cap;
            if ((r = minimax__branch_prefetch(m, m->layers[L + 1].wqkv, p->qkv_dim, pitch, (int)(per_row / 16 * 16))) !=
                MINIMAX_OK)
                return r;
        }
        if (!minimax__fast_route_ok(m, T)) { /* routing (else inside the gate/up kernel) */
            void *a[7];
            a[0] = &m->rlog;
            a[1] = &ly->router_bias;
            a[2] = &m->topk_idx;
            a[3] = &m->topk_wt;
            a[4] = &E;
            a[5] = &K;
            a[6] = &rsf;
            if ((r = minimax__launch(m, MINIMAX__K_ROUTER, (unsigned)T, 1, 32, a)) != MINIMAX_OK) return r;
        }
        /* tp: experts into the partial sums; fused: down adds the sum of the
           ranks' parts to x itself */
        if (!fused && (r = minimax__mg_partial(m, T, 0)) != MINIMAX_OK) return r;
        if (fused) minimax__mg_fuse_arg(m, -1, 3 * L + 2, &F);
        if (minimax__fast_moe_ok(m, T)) { /* experts, the last stage of the layer */
            if ((r = minimax__fast_moe(m, ly, T, fused ? &F : NULL)) != MINIMAX_OK) return r;
        } else {
            void *a[12];
            a[0] = &m->hn;
            a[1] = &m->topk_idx;
            a[2] = &ly->w1p;
            a[3] = &ly->w1s;
            a[4] = &ly->ws2_1;
            a[5] = &ly->w3p;
            a[6] = &ly->w3s;
            a[7] = &ly->ws2_3;
            a[8] = &m->act;
            a[9] = &H;
            a[10] = &NI;
            a[11] = &K;
            if ((r = minimax__launch(m, MINIMAX__K_EXPERT_GATE_UP, (unsigned)MINIMAX__CDIV(NI, 8), (unsigned)(T * K), 256,
                                     a)) != MINIMAX_OK)
                return r;
        }
        if (!minimax__fast_moe_ok(m, T)) {
            void *a[10];
            a[0] = &m->act;
            a[1] = &m->topk_idx;
            a[2] = &m->topk_wt;
            a[3] = &ly->w2p;
            a[4] = &ly->w2s;
            a[5] = &ly->ws2_2;
            a[6] = &m->x;
            a[7] = &H;
            a[8] = &NI;
            a[9] = &K;
            if ((r = minimax__launch(m, MINIMAX__K_EXPERT_DOWN, (unsigned)MINIMAX__CDIV(H, 8), (unsigned)T, 256, a)) !=
                MINIMAX_OK)
                return r;
        }
        if (m->dbg_recording && m->dbg_pos0 + T <= m->dbg_route_stride &&
            (r = minimax__mcheck(m,
                                 minimax__cu.cuMemcpyDtoDAsync(
                                     m->dbg_route + ((size_t)L * m->dbg_route_stride + (size_t)m->dbg_pos0) * K * 4,
                                     m->topk_idx, (size_t)T * K * 4, m->stream),
                                 "routing record")) != MINIMAX_OK)
            return r;
        if (!fused && (r = minimax__mg_partial(m, T, 1)) != MINIMAX_OK) return r; /* tp: x += all-reduce */
    }
    if ((r = minimax__branch_join(m)) != MINIMAX_OK) return r; /* (a capture ends joined) */
    if (!end) return MINIMAX_OK;
    if (m->mg) { /* next stage's input, or the tensor-parallel head */
        int done = 0;
        if ((r = minimax__mg_end(m, T, R, sample, &done)) != MINIMAX_OK || done) return r;
    }
    if (R <= 0) return MINIMAX_OK;
    if ((r = minimax__rmsnorm(m, m->x, rows, m->final_norm, m->xo, R)) != MINIMAX_OK) return r;
    if ((r = minimax__mm(m, m->xo, m->lm_head, m->logits, R, V, H, 0)) != MINIMAX_OK) return r;
    if (sample && (r = minimax__sample(m, R)) != MINIMAX_OK) return r;
    return MINIMAX_OK;
}
/* The pass's launches go out with programmatic dependent launch where
   minimax__pdl_wanted says so; launches outside passes never do (before its
   wait a product reads its weights, which another kernel may have just
   written outside a pass: the loader's, the tests'). */
MINIMAX__PRIV minimax_result minimax__enqueue_range(minimax_model *m, int T, int R, int sample, int L0, int L1,
                                                    int begin, int end) {
    minimax_result r;
    m->pdl = minimax__pdl_wanted(T);
    r = minimax__enqueue_launches(m, T, R, sample, L0, L1, begin, end);
    m->pdl = 0;
    return r;
}

MINIMAX__PRIV minimax_result minimax__enqueue_forward(minimax_model *m, int T, int R, int sample) {
    return minimax__enqueue_range(m, T, R, sample, 0, m->cfg.num_layers, 1, 1);
}

/* several GPUs (impl_56_multi.h): the front model's counterparts of
   upload_inputs / enqueue_forward / run_step, the check after a step, the load */
MINIMAX__PRIV minimax_result minimax__mg_upload_inputs(minimax_model *m, minimax_session *const *ss, int ns);
MINIMAX__PRIV minimax_result minimax__mg_forward(minimax_model *m, int T, int R, int sample);
MINIMAX__PRIV minimax_result minimax__mg_run_step(minimax_model *m, int n, int use_graph);
MINIMAX__PRIV void minimax__mg_pass_view(minimax_model *m, int s0);
MINIMAX__PRIV minimax_result minimax__mg_after_sync(minimax_model *m);
MINIMAX__PRIV void minimax__mg_destroy(minimax_model *m);
typedef minimax_result (*minimax__weights_fill_fn)(minimax_model *m, void *user);
MINIMAX__PRIV int minimax__mg_wanted(const minimax_model_desc *d);
MINIMAX__PRIV minimax_result minimax__mg_create(const minimax_model_desc *desc, const minimax_config *cfg,
                                                const minimax__weights *w, minimax__weights_fill_fn fill,
                                                void *fill_user, minimax_model **out);

/* One forward pass of the model the caller holds (one GPU or several). */
MINIMAX__PRIV minimax_result minimax__forward(minimax_model *m, int T, int R, int sample) {
    if (m->mg) return minimax__mg_forward(m, T, R, sample);
    return minimax__enqueue_forward(m, T, R, sample);
}

/* ---- pool and per-step inputs ------------------------------------------------------ */

/* Makes sure the session owns blocks for positions [0, upto). */
MINIMAX__PRIV minimax_result minimax__reserve(minimax_session *s, int upto) {
    minimax_model *m = s->model;
    int need = MINIMAX__CDIV(upto, m->plan.block_tokens);
    while (s->nblocks < need) {
        if (m->n_free == 0) /* cannot happen: the pool holds max_sessions x max_context */
            return minimax__fail(MINIMAX_ERR_CONTEXT_FULL, "the KV pool (%d blocks) is exhausted", m->plan.num_blocks);
        m->h_bt[(size_t)s->row * m->plan.max_blocks + s->nblocks] = m->free_blocks[--m->n_free];
        s->nblocks++;
    }
    return MINIMAX_OK;
}

/* Returns the session's blocks past its first `keep` to the pool. */
MINIMAX__PRIV void minimax__release_from(minimax_session *s, int keep) {
    minimax_model *m = s->model;
    while (s->nblocks > keep) {
        s->nblocks--;
        m->free_blocks[m->n_free++] = m->h_bt[(size_t)s->row * m->plan.max_blocks + s->nblocks];
        m->h_bt[(size_t)s->row * m->plan.max_blocks + s->nblocks] = 0;
    }
}

MINIMAX__PRIV void minimax__release(minimax_session *s) { minimax__release_from(s, 0); }

MINIMAX__PRIV void minimax__fill_sp(minimax__sample_params *sp, const minimax_session *s, int64_t position) {
    sp->temperature = s->sampling.temperature;
    sp->top_p = s->sampling.top_p;
    sp->min_p = s->sampling.min_p;
    sp->top_k = s->sampling.top_k;
    sp->seed = s->sampling.seed;
    sp->session = s->id;
    sp->position = position;
}

/* Uploads the first T slots of every per-step array and the block-table rows
   of the given sessions (async, stream-ordered before the next forward). */
MINIMAX__PRIV minimax_result minimax__upload_inputs(minimax_model *m, minimax_session *const *ss, int ns) {
    minimax_result r;
    int i;
    if (m->mg) return minimax__mg_upload_inputs(m, ss, ns);
    if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyHtoDAsync(m->step_in, m->h_in, m->step_in_bytes, m->stream),
                             "upload of step inputs")) != MINIMAX_OK)
        return r;
    for (i = 0; i < ns; i++) {
        size_t off = (size_t)ss[i]->row * m->plan.max_blocks;
        if (!ss[i]->nblocks) continue;
        if ((r = minimax__mcheck(m,
                                 minimax__cu.cuMemcpyHtoDAsync(m->block_table + off * 4, m->h_bt + off,
                                                               (size_t)ss[i]->nblocks * 4, m->stream),
                                 "upload of a block table")) != MINIMAX_OK)
            return r;
    }
    return MINIMAX_OK;
}

#define MINIMAX__IN(m, off, type) ((type *)((m)->h_in + (m)->off))

/* The host side of a decode step's inputs: session i's token ids[i], position,
   cache row and sampling state in slot i; rows[i] = the slot's row within its
   pass (minimax__enqueue_step). */
MINIMAX__PRIV void minimax__step_inputs(minimax_model *m, minimax_session *const *ss, int n, const int32_t *ids) {
    int i, P = minimax__pass_slots(m, n);
    for (i = 0; i < n; i++) {
        MINIMAX__IN(m, off_ids, int32_t)[i] = ids[i];
        MINIMAX__IN(m, off_pos, int32_t)[i] = ss[i]->pos;
        MINIMAX__IN(m, off_srow, int32_t)[i] = ss[i]->row;
        MINIMAX__IN(m, off_rows, int32_t)[i] = i % P;
        minimax__fill_sp(MINIMAX__IN(m, off_sp, minimax__sample_params) + i, ss[i], (int64_t)ss[i]->pos + 1);
    }
}

/* ---- model load ----------------------------------------------------------------- */

MINIMAX__PRIV minimax_result minimax__progress(const minimax_model_desc *d, float f, const char *stage) {
    if (d->progress && d->progress(d->progress_user, f, stage))
        return minimax__fail(MINIMAX_ERR_CANCELLED, "model load cancelled by the progress callback at %s (%.0f%%)",
                             stage, 100.0 * f);
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__upload_layer(minimax_model *m, const minimax__layer_weights *lw, int L) {
    const minimax_config *c = &m->cfg;
    minimax__dev_layer *ly = &m->layers[L];
    int64_t H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts;
    int64_t qd = (int64_t)c->num_heads * c->head_dim, kd = (int64_t)c->num_kv_heads * c->head_dim;
    minimax_result r;
    int64_t e;
    int pass;
    char what[64];
    snprintf(what, sizeof what, "layer %d weights", L);
    if ((r = minimax__upload_f32(m, lw->input_norm, H, 0, what, &ly->in_norm)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_f32(m, lw->post_attn_norm, H, 0, what, &ly->post_norm)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_f32(m, lw->q_norm, qd, 0, what, &ly->q_norm)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_f32(m, lw->k_norm, kd, 0, what, &ly->k_norm)) != MINIMAX_OK) return r;
    if (lw->router && lw->router->dtype == MINIMAX__DT_BF16) {
        if ((r = minimax__dalloc(m, (size_t)(E * H * 2), what, &ly->router)) != MINIMAX_OK) return r;
        if ((r = minimax__upload_bf16(m, lw->router, E, H, ly->router)) != MINIMAX_OK) return r;
    } else {
        ly->router_f32 = 1;
        if ((r = minimax__upload_f32(m, lw->router, E * H, 0, what, &ly->router)) != MINIMAX_OK) return r;
    }
    if ((r = minimax__upload_f32(m, lw->router_bias, E, 0.0f, what, &ly->router_bias)) != MINIMAX_OK) return r;
    if ((r = minimax__dalloc(m, (size_t)(qd + 2 * kd) * H * 2, what, &ly->wqkv)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->q_proj, qd, H, ly->wqkv)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->k_proj, kd, H, ly->wqkv + (size_t)qd * H * 2)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->v_proj, kd, H, ly->wqkv + (size_t)(qd + kd) * H * 2)) != MINIMAX_OK) return r;
    if ((r = minimax__dalloc(m, (size_t)H * qd * 2, what, &ly->wo)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->o_proj, H, qd, ly->wo)) != MINIMAX_OK) return r;
    /* experts: pass 0 = w1, 1 = w3, 2 = w2 */
    for (pass = 0; pass < 3; pass++) {
        minimax__fp4_matrix *mats = pass == 0 ? lw->w1 : pass == 1 ? lw->w3 : lw->w2;
        int64_t rows = pass == 2 ? H : NI, cols = pass == 2 ? NI : H;
        minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
        minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
        minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
        float *ws2;
        minimax__upl u;
        if (!mats) return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d has no expert matrices w%d", L, pass == 0 ? 1 : pass == 1 ? 3 : 2);
        for (e = 0; e < E; e++)
            if (mats[e].rows != rows || mats[e].cols != cols || !mats[e].packed || !mats[e].scales)
                return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d expert %lld w%d: shape [%lld, %lld], expected [%lld, %lld]",
                                     L, (long long)e, pass == 0 ? 1 : pass == 1 ? 3 : 2, (long long)mats[e].rows,
                                     (long long)mats[e].cols, (long long)rows, (long long)cols);
        if ((r = minimax__dalloc(m, (size_t)(E * rows * cols / 2), what, pp)) != MINIMAX_OK) return r;
        if ((r = minimax__dalloc(m, (size_t)(E * rows * cols / 16), what, ps)) != MINIMAX_OK) return r;
        u.m = m;
        u.dst = *pp;
        u.used = 0;
        for (e = 0; e < E; e++)
            if ((r = minimax__upl_add(&u, mats[e].packed, (size_t)(rows * cols / 2))) != MINIMAX_OK) return r;
        if ((r = minimax__upl_flush(&u)) != MINIMAX_OK) return r;
        if ((r = minimax__fp4_layout(m, *pp, (size_t)(E * rows * cols / 2))) != MINIMAX_OK) return r;
        u.dst = *ps;
        for (e = 0; e < E; e++)
            if ((r = minimax__upl_add(&u, mats[e].scales, (size_t)(rows * cols / 16))) != MINIMAX_OK) return r;
        if ((r = minimax__upl_flush(&u)) != MINIMAX_OK) return r;
        if ((r = minimax__dalloc(m, (size_t)E * 4, what, pw)) != MINIMAX_OK) return r;
        ws2 = (float *)minimax__alloc((size_t)E * 4, "weight_scale_2 values");
        if (!ws2) return MINIMAX_ERR_OUT_OF_MEMORY;
        for (e = 0; e < E; e++) ws2[e] = mats[e].weight_scale_2; /* each matrix its own (w1 and w3 differ) */
        r = minimax__upload(m, *pw, ws2, (size_t)E * 4);
        MINIMAX_FREE(ws2);
        if (r != MINIMAX_OK) return r;
    }
    return MINIMAX_OK;
}

MINIMAX__PRIV void minimax__model_destroy(minimax_model *m) {
    minimax__cu_context prev = NULL;
    int i;
    if (!m) return;
    if (m->ctx) {
        minimax__cu.cuCtxGetCurrent(&prev);
        minimax__cu.cuCtxSetCurrent(m->ctx);
        if (!m->failed && m->stream) minimax__cu.cuStreamSynchronize(m->stream);
    }
    if (m->sessions) {
        for (i = 0; i < m->plan.max_sessions; i++)
            if (m->sessions[i]) MINIMAX_FREE(m->sessions[i]);
        MINIMAX_FREE(m->sessions);
    }
    if (m->graphs) {
        for (i = 0; i <= m->plan.max_sessions; i++)
            if (m->graphs[i]) minimax__cu.cuGraphExecDestroy(m->graphs[i]);
        MINIMAX_FREE(m->graphs);
    }
    for (i = 0; i < m->n_allocs; i++) minimax__cu.cuMemFree(m->allocs[i].ptr);
    MINIMAX_FREE(m->allocs);
    if (m->h_in) minimax__cu.cuMemFreeHost(m->h_in);
    if (m->h_bt) minimax__cu.cuMemFreeHost(m->h_bt);
    if (m->staging) minimax__cu.cuMemFreeHost(m->staging);
    if (m->module) minimax__cu.cuModuleUnload(m->module);
    if (m->stream && m->own_stream) minimax__cu.cuStreamDestroy(m->stream);
    if (m->side) minimax__cu.cuStreamDestroy(m->side);
    if (m->ev_fork) minimax__cu.cuEventDestroy(m->ev_fork);
    if (m->ev_join) minimax__cu.cuEventDestroy(m->ev_join);
    MINIMAX_FREE(m->layers);
    MINIMAX_FREE(m->free_blocks);
    if (m->ctx) {
        minimax__cu.cuCtxSetCurrent(prev == m->ctx && m->own_ctx ? NULL : prev);
        if (m->own_ctx) minimax__cu.cuDevicePrimaryCtxRelease(m->dev);
    }
    if (m->mg && m->mg_rank < 0) minimax__mg_destroy(m); /* the front: the models of its GPUs */
    MINIMAX_FREE(m);
}

/* Fills the device weights of a model by other means than a weights view
   (the benchmark's synthetic weights, impl_55_bench.h): allocates m->layers
   and every buffer that minimax__upload_layer would. */
/* Builds a model from a config and a weights view (the checkpoint's, or
   in-memory weights in tests), or from `fill` when w is NULL. The weights are
   only read during this call. */
MINIMAX__PRIV minimax_result minimax__model_create_from(const minimax_model_desc *desc, const minimax_config *cfg,
                                                        const minimax__weights *w, minimax__weights_fill_fn fill,
                                                        void *fill_user, minimax_model **out) {
    minimax_model *m;
    minimax_result r;
    minimax__cu_context prev = NULL;
    int i, cc_major = 0, cc_minor = 0, L;
    const char *arch;
    double t0 = minimax__now_ms();
    minimax__jit_result jr;
    *out = NULL;
    if (!desc || !cfg || (!w && !fill)) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: NULL argument");
    if (minimax__mg_wanted(desc)) return minimax__mg_create(desc, cfg, w, fill, fill_user, out);
    m = (minimax_model *)minimax__alloc(sizeof *m, "the model");
    if (!m) return MINIMAX_ERR_OUT_OF_MEMORY;
    m->cfg = *cfg;
    if ((r = minimax__plan_make(cfg, desc, &m->plan)) != MINIMAX_OK) goto fail;
    if ((r = minimax__cuda_init()) != MINIMAX_OK) goto fail;
    minimax__cu.cuCtxGetCurrent(&prev);
    /* device and context */
    if (desc->cuda_context) {
        m->ctx = (minimax__cu_context)desc->cuda_context;
        if ((r = minimax__mcheck(m, minimax__cu.cuCtxSetCurrent(m->ctx), "cuCtxSetCurrent(host context)")) != MINIMAX_OK)
            goto fail;
        if ((r = minimax__mcheck(m, minimax__cu.cuCtxGetDevice(&m->dev), "cuCtxGetDevice")) != MINIMAX_OK) goto fail;
    } else {
        int count = 0;
        if ((r = minimax__mcheck(m, minimax__cu.cuDeviceGetCount(&count), "cuDeviceGetCount")) != MINIMAX_OK) goto fail;
        if (desc->device >= count) {
            r = minimax__fail(MINIMAX_ERR_NO_DEVICE, "device %d requested but %d CUDA device(s) present", desc->device,
                              count);
            goto fail;
        }
        if ((r = minimax__mcheck(m, minimax__cu.cuDeviceGet(&m->dev, desc->device), "cuDeviceGet")) != MINIMAX_OK)
            goto fail;
        if ((r = minimax__mcheck(m, minimax__cu.cuDevicePrimaryCtxRetain(&m->ctx, m->dev), "cuDevicePrimaryCtxRetain")) !=
            MINIMAX_OK)
            goto fail;
        m->own_ctx = 1;
        if ((r = minimax__mcheck(m, minimax__cu.cuCtxSetCurrent(m->ctx), "cuCtxSetCurrent")) != MINIMAX_OK) goto fail;
    }
    minimax__cu.cuDeviceGetAttribute(&cc_major, 75 /* COMPUTE_CAPABILITY_MAJOR */, m->dev);
    minimax__cu.cuDeviceGetAttribute(&cc_minor, 76 /* COMPUTE_CAPABILITY_MINOR */, m->dev);
    minimax__cu.cuDeviceGetName(m->info.device_name, (int)sizeof m->info.device_name, m->dev);
    arch = minimax__jit_arch_for(cc_major, cc_minor);
    if (!arch) {
        r = minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                          "%s has compute capability %d.%d; the kernels support 9.0 (H100/H200), 10.0/10.3 "
                          "(B200/B300) and 12.0/12.1 (RTX 50xx, RTX PRO 6000, DGX Spark)",
                          m->info.device_name, cc_major, cc_minor);
        goto fail;
    }
    snprintf(m->info.arch, sizeof m->info.arch, "%s", arch);
    /* does it fit? (before allocating anything big) */
    {
        size_t fr = 0, tot = 0;
        minimax__cu.cuMemGetInfo(&fr, &tot);
        if (m->plan.total_bytes > fr) {
            r = minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY,
                              "the configuration needs %.2f GiB on %s (weights %.2f GiB, KV cache %.2f GiB for %d "
                              "sessions x %d tokens, scratch %.2f GiB) but %.2f GiB of %.2f GiB are free; lower "
                              "max_sessions or max_context",
                              m->plan.total_bytes / 1073741824.0, m->info.device_name, m->plan.weight_bytes / 1073741824.0,
                              m->plan.kv_bytes / 1073741824.0, m->plan.max_sessions, m->plan.max_context,
                              m->plan.scratch_bytes / 1073741824.0, fr / 1073741824.0, tot / 1073741824.0);
            goto fail;
        }
    }
    if ((r = minimax__progress(desc, 0.0f, "jit")) != MINIMAX_OK) goto fail;
    /* kernels */
    if ((r = minimax__nvrtc_init()) != MINIMAX_OK) goto fail;
    {
        /* The L2 prefetches and the evict-first streams (kernels.cu k_l2_prefetch)
           pay where DRAM is well below L2 bandwidth: H100 (3.35 TB/s) -2.0% a
           batch-1 step; on H200 (4.8 TB/s) the step was 0.2-0.6% slower with
           them, so they are on below 4 TB/s (measured again at 0a4afdf, 62
           layers: 4.29-4.30 ms a step with them, 4.21-4.22 without, and no
           other share of either branch faster than none; asked for from
           inside the expert kernels instead, the routed down weights or the
           next layer's q|k|v rows were 0.4-12% slower: BENCHMARKS.md). */
        /* and the expert shapes as constants (kernels.cu MOE_SHAPE) */
        char shape_opt[3][40];
        const char *opts[5];
        int n_opts = 0, clk_khz = 0, bus_bits = 0, l2 = 0;
        snprintf(shape_opt[0], sizeof shape_opt[0], "-DMINIMAX_MOE_H=%d", m->cfg.hidden_size);
        snprintf(shape_opt[1], sizeof shape_opt[1], "-DMINIMAX_MOE_I=%d", m->cfg.intermediate_size);
        snprintf(shape_opt[2], sizeof shape_opt[2], "-DMINIMAX_MOE_K=%d", m->cfg.top_k);
        for (i = 0; i < 3; i++) opts[n_opts++] = shape_opt[i];
        minimax__cu.cuDeviceGetAttribute(&clk_khz, 36 /* MEMORY_CLOCK_RATE */, m->dev);
        minimax__cu.cuDeviceGetAttribute(&bus_bits, 37 /* GLOBAL_MEMORY_BUS_WIDTH */, m->dev);
        minimax__cu.cuDeviceGetAttribute(&l2, 38 /* L2_CACHE_SIZE */, m->dev);
        m->info.dram_gbps = 2.0 * clk_khz * 1e3 * (bus_bits / 8) / 1e9;
        m->info.l2_prefetch = m->info.dram_gbps > 0 && m->info.dram_gbps < 4000 && l2 > 0;
        m->l2_prefetch_bytes = m->info.l2_prefetch ? l2 / 2 : 0;
        if (m->info.l2_prefetch) opts[n_opts++] = "-DMINIMAX_L2_PREFETCH=1";
        /* a development build that records every block's times (kernels.cu
           "step trace"; minimax__bench_trace reads them) */
        if (getenv("MINIMAX_TRACE") && !strcmp(getenv("MINIMAX_TRACE"), "1")) opts[n_opts++] = "-DMINIMAX_TRACE=1";
        if ((r = minimax__jit_compile(arch, opts, n_opts, desc->cache_dir, &jr)) != MINIMAX_OK) goto fail;
    }
    m->info.jit_ms = jr.compile_ms;
    m->info.jit_cache_hit = jr.cache_hit;
    {
        minimax__cu_result cr = minimax__cu.cuModuleLoadDataEx(&m->module, jr.cubin, 0, NULL, NULL);
        MINIMAX_FREE(jr.cubin);
        MINIMAX_FREE(jr.log);
        if (cr != 0) {
            r = minimax__mcheck(m, cr, "cuModuleLoadDataEx of the compiled kernels");
            if (r == MINIMAX_ERR_DEVICE) r = MINIMAX_ERR_JIT;
            goto fail;
        }
    }
    for (i = 0; i < MINIMAX__K_COUNT; i++) {
        char what[96];
        snprintf(what, sizeof what, "cuModuleGetFunction(%s)", minimax__kernel_names[i]);
        if ((r = minimax__mcheck(m, minimax__cu.cuModuleGetFunction(&m->fn[i], m->module, minimax__kernel_names[i]),
                                 what)) != MINIMAX_OK) {
            r = MINIMAX_ERR_JIT;
            goto fail;
        }
    }
    if ((r = minimax__fast_init(m)) != MINIMAX_OK) goto fail;
    if (desc->cuda_stream) {
        m->stream = (minimax__cu_stream)desc->cuda_stream;
    } else {
        if ((r = minimax__mcheck(m, minimax__cu.cuStreamCreate(&m->stream, 1 /* NON_BLOCKING */), "cuStreamCreate")) !=
            MINIMAX_OK)
            goto fail;
        m->own_stream = 1;
    }
    if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost(&m->staging, MINIMAX__STAGING_BYTES), "cuMemAllocHost (staging)")) !=
        MINIMAX_OK)
        goto fail;
    if ((r = minimax__progress(desc, 0.05f, "weights")) != MINIMAX_OK) goto fail;
    /* weights */
    if (!w) {
        if ((r = fill(m, fill_user)) != MINIMAX_OK) goto fail;
    } else {
        const minimax_config *c = cfg;
        size_t H = (size_t)c->hidden_size, V = (size_t)c->vocab_size;
        m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
        if (!m->layers) {
            r = MINIMAX_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        if ((r = minimax__dalloc(m, V * H * 2, "embed_tokens", &m->embed)) != MINIMAX_OK) goto fail;
        if ((r = minimax__upload_bf16(m, w->embed, (int64_t)V, (int64_t)H, m->embed)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, V * H * 2, "lm_head", &m->lm_head)) != MINIMAX_OK) goto fail;
        if ((r = minimax__upload_bf16(m, w->lm_head, (int64_t)V, (int64_t)H, m->lm_head)) != MINIMAX_OK) goto fail;
        if ((r = minimax__upload_f32(m, w->final_norm, (int64_t)H, 0, "final norm", &m->final_norm)) != MINIMAX_OK)
            goto fail;
        for (L = 0; L < c->num_layers; L++) {
            if ((r = minimax__upload_layer(m, &w->layers[L], L)) != MINIMAX_OK) goto fail;
            if ((r = minimax__progress(desc, 0.05f + 0.9f * (float)(L + 1) / (float)c->num_layers, "weights")) !=
                MINIMAX_OK)
                goto fail;
        }
    }
    for (i = 0; i < m->n_allocs; i++) m->info.weight_bytes += m->allocs[i].bytes;
    if ((r = minimax__progress(desc, 0.96f, "kv cache")) != MINIMAX_OK) goto fail;
    /* KV pool, block table, per-step inputs, scratch */
    {
        const minimax_config *c = cfg;
        const minimax__plan *p = &m->plan;
        size_t T = (size_t)p->max_tokens, R = (size_t)p->logits_rows, H = (size_t)c->hidden_size;
        size_t before = 0;
        for (i = 0; i < m->n_allocs; i++) before += m->allocs[i].bytes;
        if ((r = minimax__dalloc(m, (size_t)p->num_blocks * p->kv_block_bytes, "the KV cache pool", &m->kv)) != MINIMAX_OK)
            goto fail;
        m->info.kv_bytes = (size_t)p->num_blocks * p->kv_block_bytes;
        if ((r = minimax__dalloc(m, (size_t)p->num_blocks * 4, "the block table", &m->block_table)) != MINIMAX_OK) goto fail;
        m->off_ids = 0;
        m->off_pos = T * 4;
        m->off_srow = 2 * T * 4;
        m->off_rows = 3 * T * 4;
        m->off_sp = (4 * T * 4 + 7) & ~(size_t)7;
        m->step_in_bytes = m->off_sp + T * sizeof(minimax__sample_params);
        if ((r = minimax__dalloc(m, m->step_in_bytes, "per-step inputs", &m->step_in)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * H * 4, "activations", &m->x)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * H * 4, "activations", &m->hn)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)p->qkv_dim * 4, "q/k/v", &m->qkv)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)p->attn_dim * 4, "rotated q", &m->qr)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)p->attn_dim * 4, "attention output", &m->attn)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->num_experts * 4, "router logits", &m->rlog)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->top_k * 4, "routing", &m->topk_idx)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->top_k * 4, "routing", &m->topk_wt)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, 4, "routing", &m->route_flag)) != MINIMAX_OK ||
            (r = minimax__mcheck(m, minimax__cu.cuMemsetD32Async(m->route_flag, 0, 1, m->stream), "routing flag")) !=
                MINIMAX_OK)
            goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->top_k * c->intermediate_size * 4, "expert activations", &m->act)) !=
            MINIMAX_OK)
            goto fail;
        if ((r = minimax__dalloc(m, R * H * 4, "final norm", &m->xo)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, R * (size_t)c->vocab_size * 4, "logits", &m->logits)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, R * 4, "sampled ids", &m->sampled)) != MINIMAX_OK) goto fail;
        m->info.scratch_bytes = 0;
        for (i = 0; i < m->n_allocs; i++) m->info.scratch_bytes += m->allocs[i].bytes;
        m->info.scratch_bytes -= before + m->info.kv_bytes;
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_in, m->step_in_bytes), "cuMemAllocHost")) !=
            MINIMAX_OK)
            goto fail;
        memset(m->h_in, 0, m->step_in_bytes);
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_bt, (size_t)p->num_blocks * 4),
                                 "cuMemAllocHost")) != MINIMAX_OK)
            goto fail;
        memset(m->h_bt, 0, (size_t)p->num_blocks * 4);
        /* zeroed block table: an unfilled entry still points at block 0, inside the pool */
        if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyHtoD(m->block_table, m->h_bt, (size_t)p->num_blocks * 4),
                                 "block table init")) != MINIMAX_OK)
            goto fail;
        m->free_blocks = (int32_t *)minimax__alloc((size_t)p->num_blocks * 4, "KV free list");
        m->sessions = (minimax_session **)minimax__alloc((size_t)p->max_sessions * sizeof *m->sessions, "session table");
        m->graphs = (minimax__cu_graph_exec *)minimax__alloc((size_t)(p->max_sessions + 1) * sizeof *m->graphs, "graphs");
        if (!m->free_blocks || !m->sessions || !m->graphs) {
            r = MINIMAX_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        for (i = 0; i < p->num_blocks; i++) m->free_blocks[i] = p->num_blocks - 1 - i; /* pop gives 0, 1, 2, ... */
        m->n_free = p->num_blocks;
    }
    m->info.graphs = !desc->disable_graphs;
    m->info.gpus = 1;
    m->info.tp = 1;
    m->info.layer_split[0] = cfg->num_layers;
    m->info.max_sessions = m->plan.max_sessions;
    m->info.max_context = m->plan.max_context;
    m->info.kv_block_tokens = m->plan.block_tokens;
    m->info.max_batch_tokens = m->plan.max_tokens;
    m->info.valid_vocab = m->plan.valid_vocab;
    if ((r = minimax__progress(desc, 1.0f, "done")) != MINIMAX_OK) goto fail;
    m->info.load_ms = minimax__now_ms() - t0;
    minimax__cu.cuCtxSetCurrent(prev);
    *out = m;
    return MINIMAX_OK;
fail:
    minimax__model_destroy(m);
    if (minimax__cu.cuCtxSetCurrent) minimax__cu.cuCtxSetCurrent(prev);
    return r;
}

MINIMAX__PRIV minimax_result minimax__model_create(const minimax_model_desc *desc, const minimax_config *cfg,
                                                   const minimax__weights *w, minimax_model **out) {
    if (!w) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: NULL argument");
    return minimax__model_create_from(desc, cfg, w, NULL, NULL, out);
}

/* ---- public API -------------------------------------------------------------------- */

MINIMAX_API minimax_result minimax_model_load(const minimax_model_desc *desc, minimax_model **out) {
    minimax_checkpoint *ck = NULL;
    minimax_result r;
    double t0 = minimax__now_ms();
    if (!out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: out is NULL");
    *out = NULL;
    if (!desc || !desc->checkpoint_dir)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: desc->checkpoint_dir is required");
    if ((r = minimax__progress(desc, 0.0f, "checkpoint")) != MINIMAX_OK) return r;
    if ((r = minimax_checkpoint_open(desc->checkpoint_dir, &ck)) != MINIMAX_OK) return r;
    r = minimax__model_create(desc, minimax_checkpoint_config(ck), minimax__checkpoint_weights(ck), out);
    minimax_checkpoint_close(ck);
    if (r == MINIMAX_OK) (*out)->info.load_ms = minimax__now_ms() - t0;
    return r;
}

MINIMAX_API void minimax_model_free(minimax_model *model) { minimax__model_destroy(model); }

MINIMAX_API const minimax_config *minimax_model_config(const minimax_model *model) { return model ? &model->cfg : NULL; }

MINIMAX_API minimax_result minimax_model_info_get(const minimax_model *model, minimax_model_info *info) {
    if (!model || !info) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_info_get: NULL argument");
    *info = model->info;
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_session_create(minimax_model *m, minimax_session **out) {
    minimax_session *s;
    int row;
    if (!out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_create: out is NULL");
    *out = NULL;
    if (!m) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_create: model is NULL");
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    for (row = 0; row < m->plan.max_sessions; row++)
        if (!m->sessions[row]) break;
    if (row == m->plan.max_sessions)
        return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "all %d sessions are open (max_sessions in minimax_model_desc)",
                             m->plan.max_sessions);
    s = (minimax_session *)minimax__alloc(sizeof *s, "a session");
    if (!s) return MINIMAX_ERR_OUT_OF_MEMORY;
    s->model = m;
    s->row = row;
    s->id = m->next_session_id++;
    m->sessions[row] = s;
    *out = s;
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_session_reset(minimax_session *s) {
    if (!s) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_reset: session is NULL");
    if (s->model->failed)
        return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    minimax__release(s);
    s->pos = 0;
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_session_truncate(minimax_session *s, int n) {
    minimax_model *m;
    if (!s) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_truncate: session is NULL");
    m = s->model;
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    if (n < 0 || n > s->pos)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "minimax_session_truncate: %d tokens asked, the session holds %d", n, s->pos);
    /* blocks wholly past n go back; cache entries at >= n in a kept block are
       overwritten before attention reads them (it reads positions < pos only) */
    minimax__release_from(s, MINIMAX__CDIV(n, m->plan.block_tokens));
    s->pos = n;
    return MINIMAX_OK;
}

MINIMAX_API void minimax_session_free(minimax_session *s) {
    if (!s) return;
    minimax__release(s);
    s->model->sessions[s->row] = NULL;
    MINIMAX_FREE(s);
}

MINIMAX_API int minimax_session_position(const minimax_session *s) { return s ? s->pos : 0; }

MINIMAX_API uint64_t minimax_session_id(const minimax_session *s) { return s ? s->id : 0; }

MINIMAX_API minimax_result minimax_session_set_sampling(minimax_session *s, const minimax_sampling *p) {
    if (!s || !p) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_set_sampling: NULL argument");
    if (!(p->temperature >= 0.0f) || p->top_k < 0 || !(p->top_p >= 0.0f) || !(p->min_p >= 0.0f) || p->min_p > 1.0f)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "sampling parameters: temperature %g, top_k %d, top_p %g, min_p %g (need temperature >= 0, "
                             "top_k >= 0, top_p >= 0, 0 <= min_p <= 1)",
                             (double)p->temperature, p->top_k, (double)p->top_p, (double)p->min_p);
    s->sampling = *p;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__check_ids(const minimax_model *m, const int32_t *ids, int n) {
    int i;
    for (i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab_size)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "token id %d at index %d is outside [0, %d)", (int)ids[i], i,
                                 m->cfg.vocab_size);
    return MINIMAX_OK;
}

/* Runs a prefill of n tokens; when all_logits is non-NULL the logits of every
   position are copied there ([n][vocab], chunks limited to logits_rows), else
   logits_out/sampled_out get the last position's. Chunks of at most
   max_tokens tokens, and of minimax__pass_slots where the fast kernels run:
   8 tokens of one session are a pass of 8 token slots like a step of 8
   sessions (the KV of all 8 is appended before their attention), and those
   kernels take 1.7 to 2.1 times less time per token than the general ones
   did at chunks of 256 (H100, prompts of 512 to 8192 tokens: BENCHMARKS.md). */
MINIMAX__PRIV minimax_result minimax__prefill(minimax_session *s, const int32_t *ids, int n, float *logits_out,
                                              int32_t *sampled_out, float *all_logits) {
    minimax_model *m;
    minimax__ctx_guard g;
    minimax_result r;
    int done = 0, V;
    if (!s || (!ids && n > 0)) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_prefill: NULL argument");
    m = s->model;
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    if (n < 1) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_prefill: n = %d, need at least 1 token", n);
    if ((int64_t)s->pos + n > m->plan.max_context)
        return minimax__fail(MINIMAX_ERR_CONTEXT_FULL,
                             "session holds %d tokens; %d more exceed its capacity of %d tokens (max_context in "
                             "minimax_model_desc)",
                             s->pos, n, m->plan.max_context);
    if ((r = minimax__check_ids(m, ids, n)) != MINIMAX_OK) return r;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    V = m->cfg.vocab_size;
    if ((r = minimax__reserve(s, s->pos + n)) != MINIMAX_OK) goto out;
    while (done < n) {
        int chunk = n - done, i, R, last;
        if (chunk > m->plan.max_tokens) chunk = m->plan.max_tokens;
        chunk = minimax__pass_slots(m, chunk);
        if (all_logits && chunk > m->plan.logits_rows) chunk = m->plan.logits_rows;
        last = done + chunk == n;
        R = all_logits ? chunk : last ? 1 : 0;
        for (i = 0; i < chunk; i++) {
            MINIMAX__IN(m, off_ids, int32_t)[i] = ids[done + i];
            MINIMAX__IN(m, off_pos, int32_t)[i] = s->pos + done + i;
            MINIMAX__IN(m, off_srow, int32_t)[i] = s->row;
        }
        if (all_logits)
            for (i = 0; i < chunk; i++) MINIMAX__IN(m, off_rows, int32_t)[i] = i;
        else
            MINIMAX__IN(m, off_rows, int32_t)[0] = chunk - 1;
        minimax__fill_sp(MINIMAX__IN(m, off_sp, minimax__sample_params), s, (int64_t)s->pos + n);
        if ((r = minimax__upload_inputs(m, &s, 1)) != MINIMAX_OK) goto out;
        m->dbg_pos0 = s->pos + done;
        m->dbg_recording = m->dbg_route != 0;
        r = minimax__forward(m, chunk, R, last && sampled_out && !all_logits);
        m->dbg_recording = 0;
        if (r != MINIMAX_OK) goto out;
        if (all_logits &&
            (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(all_logits + (size_t)done * V, m->logits,
                                                                  (size_t)chunk * V * 4, m->stream),
                                 "download of logits")) != MINIMAX_OK)
            goto out;
        if (last && logits_out && !all_logits &&
            (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(logits_out, m->logits, (size_t)V * 4, m->stream),
                                 "download of logits")) != MINIMAX_OK)
            goto out;
        if (last && sampled_out && !all_logits &&
            (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(sampled_out, m->sampled, 4, m->stream),
                                 "download of the sampled token")) != MINIMAX_OK)
            goto out;
        /* the pinned inputs are reused by the next chunk: wait for this one */
        if ((r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "prefill")) != MINIMAX_OK) goto out;
        if (m->mg && (r = minimax__mg_after_sync(m)) != MINIMAX_OK) goto out;
        done += chunk;
    }
    s->pos += n;
out:
    minimax__leave(&g);
    return r;
}

MINIMAX_API minimax_result minimax_prefill(minimax_session *s, const int32_t *ids, int n, float *logits_out,
                                           int32_t *sampled_out) {
    return minimax__prefill(s, ids, n, logits_out, sampled_out, NULL);
}

/* Moves the model's view of a step to the pass that starts at slot s0 (back
   with -s0): its input offsets, its logits / sampled rows and pass0 (which
   the ranks of several GPUs add to the head's gathered rows). */
MINIMAX__PRIV void minimax__pass_view(minimax_model *m, int s0) {
    long long in4 = (long long)s0 * 4, sp = (long long)s0 * (long long)sizeof(minimax__sample_params);
    m->off_ids += in4; m->off_pos += in4; m->off_srow += in4; m->off_rows += in4; m->off_sp += sp;
    m->logits += (long long)s0 * m->cfg.vocab_size * 4;
    m->sampled += in4;
    m->pass0 += s0;
}

/* A decode step of n sessions: passes of minimax__pass_slots(m, n) token
   slots (sessions s0 .. s0 + P - 1), each a whole forward pass that sees the
   step through minimax__pass_view; the rows input is pass-relative
   (minimax__step_inputs). m: one GPU, or one rank of several (its part of
   every pass: what the rank's graph holds); the front of several GPUs: each
   pass over all its ranks at once (minimax__mg_forward, eager). */
MINIMAX__PRIV minimax_result minimax__enqueue_step(minimax_model *m, int n) {
    int P = minimax__pass_slots(m, n), front = m->mg && m->mg_rank < 0, s0;
    void (*view)(minimax_model *, int) = front ? minimax__mg_pass_view : minimax__pass_view;
    minimax_result r = MINIMAX_OK;
    for (s0 = 0; s0 < n && r == MINIMAX_OK; s0 += P) {
        int T = n - s0 < P ? n - s0 : P;
        view(m, s0);
        r = front ? minimax__mg_forward(m, T, T, 1) : minimax__enqueue_forward(m, T, T, 1);
        view(m, -s0);
    }
    return r;
}

/* Captures the step of n sessions of m (one GPU, or one rank of several)
   into m->graphs[n]; capturing runs nothing. */
MINIMAX__PRIV minimax_result minimax__capture_step(minimax_model *m, int n) {
    minimax__cu_graph graph = NULL;
    minimax__cu_graph_exec exec = NULL;
    minimax__cu_result cr;
    minimax_result r;
    /* thread-local capture: other threads of the host may keep using CUDA */
    if ((r = minimax__mcheck(m, minimax__cu.cuStreamBeginCapture(m->stream, 1 /* THREAD_LOCAL */),
                             "cuStreamBeginCapture")) != MINIMAX_OK)
        return r;
    r = minimax__enqueue_step(m, n);
    cr = minimax__cu.cuStreamEndCapture(m->stream, &graph);
    if (r != MINIMAX_OK) {
        if (graph) minimax__cu.cuGraphDestroy(graph);
        return r;
    }
    if ((r = minimax__mcheck(m, cr, "cuStreamEndCapture")) != MINIMAX_OK) return r;
    cr = minimax__cu.cuGraphInstantiate(&exec, graph, 0);
    minimax__cu.cuGraphDestroy(graph);
    if ((r = minimax__mcheck(m, cr, "cuGraphInstantiate")) != MINIMAX_OK) return r;
    m->graphs[n] = exec;
    return MINIMAX_OK;
}

/* Captures (once per n) or replays the step graph; eager when disabled. */
MINIMAX__PRIV minimax_result minimax__run_step(minimax_model *m, int n, int use_graph) {
    minimax_result r;
    if (m->mg) return minimax__mg_run_step(m, n, use_graph);
    if (!use_graph) return minimax__enqueue_step(m, n);
    if (!m->graphs[n] && (r = minimax__capture_step(m, n)) != MINIMAX_OK) return r;
    return minimax__mcheck(m, minimax__cu.cuGraphLaunch(m->graphs[n], m->stream), "cuGraphLaunch");
}

MINIMAX__PRIV minimax_result minimax__step(minimax_model *m, minimax_session *const *ss, int n, const int32_t *ids,
                                           float *logits_out, int32_t *sampled_out, int use_graph) {
    minimax__ctx_guard g;
    minimax_result r;
    int i, j;
    if (!m || !ss || !ids) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: NULL argument");
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    if (n < 1 || n > m->plan.max_sessions)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: n = %d, need 1..%d (max_sessions)", n,
                             m->plan.max_sessions);
    for (i = 0; i < n; i++) {
        if (!ss[i] || ss[i]->model != m)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: session %d is NULL or of another model", i);
        for (j = 0; j < i; j++)
            if (ss[j] == ss[i])
                return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: session %d appears twice (also at %d)", i,
                                     j);
        if (ss[i]->pos + 1 > m->plan.max_context)
            return minimax__fail(MINIMAX_ERR_CONTEXT_FULL,
                                 "session %d holds %d tokens, its capacity (max_context in minimax_model_desc); "
                                 "another token does not fit",
                                 i, ss[i]->pos);
    }
    if ((r = minimax__check_ids(m, ids, n)) != MINIMAX_OK) return r;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    for (i = 0; i < n; i++)
        if ((r = minimax__reserve(ss[i], ss[i]->pos + 1)) != MINIMAX_OK) goto out;
    minimax__step_inputs(m, ss, n, ids);
    if ((r = minimax__upload_inputs(m, ss, n)) != MINIMAX_OK) goto out;
    if ((r = minimax__run_step(m, n, use_graph)) != MINIMAX_OK) goto out;
    if (logits_out &&
        (r = minimax__mcheck(m,
                             minimax__cu.cuMemcpyDtoHAsync(logits_out, m->logits, (size_t)n * m->cfg.vocab_size * 4,
                                                           m->stream),
                             "download of logits")) != MINIMAX_OK)
        goto out;
    if (sampled_out && (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(sampled_out, m->sampled, (size_t)n * 4, m->stream),
                                            "download of sampled tokens")) != MINIMAX_OK)
        goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "step")) != MINIMAX_OK) goto out;
    if (m->mg && (r = minimax__mg_after_sync(m)) != MINIMAX_OK) goto out;
    for (i = 0; i < n; i++) ss[i]->pos++;
out:
    minimax__leave(&g);
    return r;
}

MINIMAX_API minimax_result minimax_step(minimax_model *m, minimax_session *const *sessions, int n,
                                        const int32_t *input_ids, float *logits_out, int32_t *sampled_out) {
    return minimax__step(m, sessions, n, input_ids, logits_out, sampled_out, m ? m->info.graphs : 0);
}
