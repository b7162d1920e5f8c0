/* ===========================================================================
   IMPLEMENTATION: several GPUs (tensor parallelism, layer split)
   ===========================================================================
   One process, one host thread, N GPUs. The model the caller holds is the
   FRONT (mg_rank -1): it owns the sessions, the KV block allocator, the
   per-step host inputs and the logits the caller reads; it holds no weights.
   Each GPU has a RANK model (mg_rank 0..N-1), an ordinary single-GPU
   minimax_model built by minimax__model_create_from with a LOCAL config, so
   the whole single-GPU forward pass (and its fast kernels) runs unchanged on
   every rank; minimax__enqueue_range calls the minimax__mg_* hooks below at
   the points where ranks meet.

   TENSOR PARALLELISM (tp = N = 2, 4, 8). Rank r's local config has
   nh/N query heads, nkv/N KV heads (the 6:1 grouping is kept: rank r holds
   query heads [r*nh/N, ...) and exactly their KV heads), expert width I/N,
   and vocab_size = its shard of the vocabulary rows. Weights:
     q/k/v: rows of rank r's heads (stacked q|k|v as on one GPU);
     o_proj: columns of those heads (row-split product -> partial sums);
     q_norm/k_norm: the slices of those heads;
     experts: EVERY expert on every rank, along the width: w1/w3 rows
       [r*I/N, (r+1)*I/N), w2 columns of the same range (its E4M3 block
       scales slice with them: 16-blocks run along the columns, and I/N is a
       multiple of 16). Chosen over splitting by expert because at batch 1
       the 8 routed experts of a token would land unevenly on the ranks (the
       slower rank sets the pace: with 2 ranks, 8 experts split 4:4 only 27%
       of the time), while the width split gives every rank exactly 1/N of
       the bytes of every token, and needs no routing-dependent exchange;
     router, norms: replicated (every rank routes identically: same x, same
       weights, deterministic kernels);
     embedding, lm_head: rows [v0, v0 + nv) of the vocabulary.
   Per layer three all-reduces: the QK-norm sums of squares (2 floats per
   token: MODEL.md 2.2, the RMS over all heads is global), the o_proj partial
   sums and the expert partial sums ([T, H] fp32 each, 12 KB per token). In a
   pass of one token slot (a decode step of one session) they are fused into
   the kernels (kernels.cu struct mg_fuse, minimax__mg_fused_layer): the
   products push their parts and add the sum to x themselves, the attention
   sums the QK sums; else each is a k_mg_allreduce launch. The
   embedding is an all-reduce of the shards' rows (zeros outside a shard);
   the lm_head shards are gathered into the head rank (0), which samples.
   x (the residual stream) is replicated and bit-identical on every rank:
   the all-reduce sums in rank order on every rank.

   LAYER SPLIT (pipeline, tp = 1): rank r holds layers [layer0[r],
   layer0[r+1]) (weights and KV cache), the embedding on rank 0, final norm +
   lm_head on the last rank (which samples); x [T, H] is pushed from rank to
   rank after its layers. The ranks run one after another (no overlap
   between steps): the point is fitting GPUs of unequal memory, not speed.
   Tensor parallelism and a layer split do not combine.

   COLLECTIVES are our own kernels over peer-to-peer memory (kernels.cu
   "MULTI-GPU KERNELS"): a rank pushes its data and a flag into the other
   GPUs' memory and spins on its own flags; they work inside CUDA graphs
   (one graph per rank and step size, launched one after another) and every
   wait has a timeout and an abort word, so a dead peer is an error
   (MINIMAX_ERR_DEVICE, model failed), never a hang. NCCL (dlopen of
   libnccl.so.2, one communicator from ncclCommInitAll) is loaded on demand
   for the all-reduce benchmark (minimax__mg_time_ar); see BENCHMARKS.md for
   the measurements (ours is faster up to ~100 KB, NCCL for MB-sized ones).

   STATUS (BENCHMARKS.md): TP=2 logits equal TP=1 within 2e-3 of max|logit|
   and a layer split is bit-identical on the test models; the 62-layer model
   at batch 1, TP=2, with the fused collectives and programmatic dependent
   launch: 284 tok/s on 2 x H200, 257-258 on 2 x H100 (the goal: 250; 190
   with neither, 247 without the dependent launch); with the attention's
   K/V loads before its wait and the gate/up kernel compiled for the shapes
   298-302 on 2 x H200 and 274-276 on 2 x H100 (BENCHMARKS.md).
   NOT DONE: NCCL for large (prefill) all-reduces (its group calls
   need the ranks' collectives interleaved call by call, and it would serve
   only the eager prefill); tensor parallelism combined with a layer split;
   tp = 4 was run on 4 GPUs in earlier sessions, tp = 8 never; fused
   collectives for passes of several token slots; overlapping the pipeline
   stages of consecutive steps; the head samples with the general k_sample
   over the gathered logits. */

#define MINIMAX__MG_MAXB 32
#define MINIMAX__MG_FLAG_P2P (MINIMAX__MG_MAXB * MINIMAX__MG_MAX)
#define MINIMAX__MG_FLAG_INTS (MINIMAX__MG_FLAG_P2P + MINIMAX__MG_MAX)
#define MINIMAX__MG_SEQ_SEND MINIMAX__MG_MAXB
#define MINIMAX__MG_SEQ_RECV (MINIMAX__MG_MAXB + MINIMAX__MG_MAX)
#define MINIMAX__MG_SEQ_DONE (MINIMAX__MG_MAXB + 2 * MINIMAX__MG_MAX)
#define MINIMAX__MG_SEQ_INTS (MINIMAX__MG_SEQ_DONE + 1)
#define MINIMAX__MG_TIMEOUT_CYCLES (1ll << 34) /* ~9 s at 1.8 GHz: a whole pipeline stage of a prefill fits */

enum {
    MINIMAX__MK_ALLREDUCE,
    MINIMAX__MK_SEND,
    MINIMAX__MK_WAIT,
    MINIMAX__MK_EMBED,
    MINIMAX__MK_QK_NORM,
    MINIMAX__MK_COUNT
};
static const char *const minimax__mg_kernel_names[MINIMAX__MK_COUNT] = {
    "k_mg_allreduce", "k_mg_send", "k_mg_wait", "k_mg_embed", "k_mg_qk_norm_rope_kv"};

/* status word: 0 = fine; 0x10000 | op << 8 | rank << 4 | peer from a kernel
   that gave up waiting; 1 = aborted by the host */
enum { MINIMAX__MG_OP_ALLREDUCE = 1, MINIMAX__MG_OP_WAIT = 2 };

/* Mirrors struct mg_peers of kernels.cu (passed by value). */
typedef struct minimax__mg_peers {
    minimax__cu_ptr recv[MINIMAX__MG_MAX];
    minimax__cu_ptr flag[MINIMAX__MG_MAX];
} minimax__mg_peers;

/* NCCL entry points (nccl.h: ncclFloat = 7, ncclSum = 0), loaded on demand. */
typedef struct minimax__nccl {
    void *lib;
    int (*CommInitAll)(void **comms, int n, const int *devs);
    int (*CommDestroy)(void *comm);
    int (*AllReduce)(const void *s, void *r, size_t count, int dtype, int op, void *comm, minimax__cu_stream st);
    int (*GroupStart)(void);
    int (*GroupEnd)(void);
    const char *(*GetErrorString)(int);
    void *comm[MINIMAX__MG_MAX];
    int have_comms;
} minimax__nccl;

/* How the GPUs share the model (pure: tested on the CPU). */
typedef struct minimax__mg_layout {
    int n, tp;                           /* GPUs; tp = n or 1 (layer split) */
    int devices[MINIMAX__MG_MAX];
    int layer0[MINIMAX__MG_MAX + 1];     /* rank r: layers [layer0[r], layer0[r+1]) */
    int v0[MINIMAX__MG_MAX + 1];         /* tp: rank r: vocabulary rows [v0[r], v0[r+1]) */
} minimax__mg_layout;

typedef struct minimax__mg minimax__mg;
struct minimax__mg {
    minimax__mg_layout lay;
    int n, tp, head, V, valid_vocab;
    minimax_model *rank[MINIMAX__MG_MAX];
    minimax__cu_function fn[MINIMAX__MG_MAX][MINIMAX__MK_COUNT];
    volatile int *status;      /* host-mapped, portable: every rank's kernels see it */
    minimax__cu_ptr status_dev;
    long long timeout;         /* clock64 cycles of one wait */
    long long cap;             /* floats per sender and slot of recv */
    minimax__cu_ptr recv[MINIMAX__MG_MAX], flags[MINIMAX__MG_MAX], seq[MINIMAX__MG_MAX];
    minimax__cu_ptr ss[MINIMAX__MG_MAX], ss_part[MINIMAX__MG_MAX]; /* QK-norm sums [T][2] (ss_part: unused src) */
    minimax__mg_peers peers;
    /* tp, fused collectives (kernels.cu struct mg_fuse): per rank recvf u64
       [3 sites a layer][n senders][fcap] (tagged values), gen (fused passes
       begun, the tag of the pass) */
    minimax__cu_ptr recvf[MINIMAX__MG_MAX], gen[MINIMAX__MG_MAX];
    int fcap;
    minimax__cu_ptr logits, sampled; /* tp: gathered logits [rows][V] and samples, on the head */
    int dbg_skip_rank;         /* tests: a rank whose work is never enqueued (-1 = none) */
    int dbg_local;             /* benchmark: all-reduces exchange nothing (their cost without communication) */
    minimax__nccl nccl;
};

/* ---- layout ------------------------------------------------------------------ */

MINIMAX__PRIV int minimax__mg_wanted(const minimax_model_desc *d) {
    return d->tp > 1 || d->n_devices > 1 || d->layer_split != NULL;
}

/* Checks the desc against the config and the machine (device_count GPUs)
   and fills the layout. free_bytes[i] (device memory free on devices[i]),
   layer_bytes (weights + KV cache of one layer on one GPU) and fixed_bytes
   (embedding or lm_head with its buffers; scratch) drive the automatic layer
   split; free_bytes may be NULL when desc->layer_split is given or tp > 1. */
MINIMAX__PRIV minimax_result minimax__mg_layout_make(const minimax_config *c, const minimax_model_desc *d, int device_count,
                                                     const size_t *free_bytes, size_t layer_bytes, size_t end_bytes,
                                                     size_t scratch_bytes, minimax__mg_layout *o) {
    int i, j, n;
    memset(o, 0, sizeof *o);
    if (d->cuda_context || d->cuda_stream)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                             "cuda_context / cuda_stream of minimax_model_desc are for one GPU; with several GPUs "
                             "(tp %d, %d devices) the library makes its own", d->tp, d->n_devices);
    if (d->tp < 0 || d->n_devices < 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_desc: tp %d and n_devices %d must not be negative",
                             d->tp, d->n_devices);
    if (d->n_devices > MINIMAX__MG_MAX || d->tp > MINIMAX__MG_MAX)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "at most %d GPUs (tp %d, %d devices requested)", MINIMAX__MG_MAX, d->tp,
                             d->n_devices);
    if (d->tp > 1) {
        int width = c->intermediate_size;
        if (d->tp != 2 && d->tp != 4 && d->tp != 8)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "tp %d: tensor parallelism runs on 2, 4 or 8 GPUs", d->tp);
        if (c->num_heads % d->tp || c->num_kv_heads % d->tp)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "tp %d must divide the %d query heads and the %d KV heads (each GPU keeps whole heads "
                                 "and their KV heads)", d->tp, c->num_heads, c->num_kv_heads);
        if (width % d->tp || (width / d->tp) % 16)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "tp %d: the expert width %d must split into multiples of 16 (NVFP4 scale blocks)", d->tp, width);
        if (d->layer_split)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "tensor parallelism (tp %d) and a layer split do not combine; use one or the other", d->tp);
        if (d->n_devices && d->n_devices != d->tp)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "tp %d needs %d GPUs in devices, %d given", d->tp, d->tp,
                                 d->n_devices);
        n = d->tp;
        o->tp = d->tp;
    } else {
        n = d->n_devices;
        o->tp = 1;
        if (n < 2)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "a layer split needs at least 2 GPUs in devices (n_devices = %d)", n);
        if (n > c->num_layers)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "%d GPUs for %d layers: each GPU needs a layer", n,
                                 c->num_layers);
    }
    o->n = n;
    for (i = 0; i < n; i++) {
        o->devices[i] = d->devices ? d->devices[i] : i;
        if (o->devices[i] < 0 || o->devices[i] >= device_count)
            return minimax__fail(MINIMAX_ERR_NO_DEVICE, "GPU %d requested but %d CUDA device(s) present (use 0..%d)",
                                 o->devices[i], device_count, device_count - 1);
        for (j = 0; j < i; j++)
            if (o->devices[j] == o->devices[i])
                return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "GPU %d appears twice in devices", o->devices[i]);
    }
    /* vocabulary shards (tp) */
    {
        int per = (c->vocab_size + o->tp - 1) / o->tp;
        for (i = 0; i <= o->tp; i++) o->v0[i] = i * per < c->vocab_size ? i * per : c->vocab_size;
    }
    if (o->tp > 1) {
        o->layer0[0] = 0;
        o->layer0[1] = c->num_layers; /* every rank runs every layer */
        for (i = 2; i <= n; i++) o->layer0[i] = c->num_layers;
        return MINIMAX_OK;
    }
    if (d->layer_split) {
        int sum = 0;
        for (i = 0; i < n; i++) {
            if (d->layer_split[i] < 1)
                return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "layer_split[%d] = %d: every GPU needs at least one layer",
                                     i, d->layer_split[i]);
            sum += d->layer_split[i];
        }
        if (sum != c->num_layers)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "layer_split adds up to %d layers; the model has %d", sum,
                                 c->num_layers);
        o->layer0[0] = 0;
        for (i = 0; i < n; i++) o->layer0[i + 1] = o->layer0[i] + d->layer_split[i];
        return MINIMAX_OK;
    }
    /* automatic: room for layers on each GPU after its fixed parts, then
       every layer to the GPU with the most room left */
    {
        long long room[MINIMAX__MG_MAX], cnt[MINIMAX__MG_MAX], total = 0;
        int left;
        if (!free_bytes)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "layer split: no layer_split and no free-memory figures");
        for (i = 0; i < n; i++) {
            long long avail = (long long)free_bytes[i] - (long long)scratch_bytes - (long long)((size_t)512 << 20) -
                              (i == 0 || i == n - 1 ? (long long)end_bytes : 0);
            room[i] = avail > 0 ? avail / (long long)(layer_bytes ? layer_bytes : 1) : 0;
            total += room[i];
            cnt[i] = 1;
        }
        if (total < c->num_layers) {
            char msg[256];
            int k = 0;
            for (i = 0; i < n && k < (int)sizeof msg - 40; i++)
                k += snprintf(msg + k, sizeof msg - (size_t)k, "%sGPU %d: %lld", i ? ", " : "", o->devices[i], room[i]);
            return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY,
                                 "the %d layers (%.2f GiB each with their KV cache) do not fit: room for %s layers",
                                 c->num_layers, layer_bytes / 1073741824.0, msg);
        }
        for (left = c->num_layers - n; left > 0; left--) {
            int best = 0;
            for (i = 1; i < n; i++)
                if (room[i] - cnt[i] > room[best] - cnt[best]) best = i;
            cnt[best]++;
        }
        o->layer0[0] = 0;
        for (i = 0; i < n; i++) o->layer0[i + 1] = o->layer0[i] + (int)cnt[i];
    }
    return MINIMAX_OK;
}

/* The config a rank runs with. */
MINIMAX__PRIV minimax_config minimax__mg_rank_config(const minimax_config *c, const minimax__mg_layout *lay, int r) {
    minimax_config rc = *c;
    if (lay->tp > 1) {
        rc.num_heads = c->num_heads / lay->tp;
        rc.num_kv_heads = c->num_kv_heads / lay->tp;
        rc.intermediate_size = c->intermediate_size / lay->tp;
        rc.vocab_size = lay->v0[r + 1] - lay->v0[r];
        if (rc.vocab_size < 1) rc.vocab_size = 1;
    } else {
        rc.num_layers = lay->layer0[r + 1] - lay->layer0[r];
    }
    return rc;
}

/* ---- weights of a rank ---------------------------------------------------------- */

/* Rows [row0, row0 + rows) of a 1-D or 2-D tensor, as a view. */
MINIMAX__PRIV minimax__tensor minimax__mg_rows(const minimax__tensor *t, int64_t row0, int64_t rows) {
    minimax__tensor v = *t;
    int64_t rowlen = t->ndim == 2 ? t->shape[1] : 1;
    int es = (int)t->dtype >= 0 && t->dtype < MINIMAX__DT_COUNT ? minimax__dtype_sizes[t->dtype] : 1;
    v.data = t->data + (size_t)(row0 * rowlen * es);
    v.shape[0] = rows;
    v.nbytes = (uint64_t)(rows * rowlen * es);
    return v;
}

MINIMAX__PRIV minimax_result minimax__mg_check(const minimax__tensor *t, int64_t rows, int64_t cols, const char *what) {
    if (!t) return minimax__fail(MINIMAX_ERR_FORMAT, "%s is missing", what);
    if ((cols && (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != cols)) ||
        (!cols && (t->ndim != 1 || t->shape[0] != rows)))
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s (%s): shape must be [%lld%s%lld]", t->name, what, (long long)rows,
                             cols ? ", " : "", (long long)cols);
    if (cols && t->dtype != MINIMAX__DT_BF16) return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: dtype must be BF16", t->name);
    return MINIMAX_OK;
}

/* One layer's tensor-parallel shard (rank r of tp) from a weights view;
   m's config is the rank's local one (minimax__mg_rank_config). Same device
   layout as minimax__upload_layer with the local sizes. */
MINIMAX__PRIV minimax_result minimax__mg_upload_layer_tp(minimax_model *m, const minimax__layer_weights *lw, int L, int r,
                                                         int tp) {
    const minimax_config *c = &m->cfg;
    minimax__dev_layer *ly = &m->layers[L];
    int64_t H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, NIg = NI * tp;
    int64_t qd = (int64_t)c->num_heads * c->head_dim, kd = (int64_t)c->num_kv_heads * c->head_dim;
    int64_t qdg = qd * tp, kdg = kd * tp, e, h;
    minimax__tensor v;
    minimax_result r_;
    int pass;
    char what[64];
    snprintf(what, sizeof what, "layer %d weights", L);
#define MINIMAX__T(x)                                                                                                  \
    do {                                                                                                               \
        if ((r_ = (x)) != MINIMAX_OK) return r_;                                                                       \
    } while (0)
    MINIMAX__T(minimax__upload_f32(m, lw->input_norm, H, 0, what, &ly->in_norm));
    MINIMAX__T(minimax__upload_f32(m, lw->post_attn_norm, H, 0, what, &ly->post_norm));
    MINIMAX__T(minimax__mg_check(lw->q_norm, qdg, 0, "q_norm"));
    MINIMAX__T(minimax__mg_check(lw->k_norm, kdg, 0, "k_norm"));
    v = minimax__mg_rows(lw->q_norm, r * qd, qd);
    MINIMAX__T(minimax__upload_f32(m, &v, qd, 0, what, &ly->q_norm));
    v = minimax__mg_rows(lw->k_norm, r * kd, kd);
    MINIMAX__T(minimax__upload_f32(m, &v, kd, 0, what, &ly->k_norm));
    if (lw->router && lw->router->dtype == MINIMAX__DT_BF16) {
        MINIMAX__T(minimax__dalloc(m, (size_t)(E * H * 2), what, &ly->router));
        MINIMAX__T(minimax__upload_bf16(m, lw->router, E, H, ly->router));
    } else {
        ly->router_f32 = 1;
        MINIMAX__T(minimax__upload_f32(m, lw->router, E * H, 0, what, &ly->router));
    }
    MINIMAX__T(minimax__upload_f32(m, lw->router_bias, E, 0.0f, what, &ly->router_bias));
    MINIMAX__T(minimax__mg_check(lw->q_proj, qdg, H, "q_proj"));
    MINIMAX__T(minimax__mg_check(lw->k_proj, kdg, H, "k_proj"));
    MINIMAX__T(minimax__mg_check(lw->v_proj, kdg, H, "v_proj"));
    MINIMAX__T(minimax__mg_check(lw->o_proj, H, qdg, "o_proj"));
    MINIMAX__T(minimax__dalloc(m, (size_t)(qd + 2 * kd) * H * 2, what, &ly->wqkv));
    v = minimax__mg_rows(lw->q_proj, r * qd, qd);
    MINIMAX__T(minimax__upload_bf16(m, &v, qd, H, ly->wqkv));
    v = minimax__mg_rows(lw->k_proj, r * kd, kd);
    MINIMAX__T(minimax__upload_bf16(m, &v, kd, H, ly->wqkv + (size_t)qd * H * 2));
    v = minimax__mg_rows(lw->v_proj, r * kd, kd);
    MINIMAX__T(minimax__upload_bf16(m, &v, kd, H, ly->wqkv + (size_t)(qd + kd) * H * 2));
    MINIMAX__T(minimax__dalloc(m, (size_t)H * qd * 2, what, &ly->wo));
    { /* o_proj [H, qdg]: columns [r*qd, (r+1)*qd) of every row */
        minimax__upl u;
        u.m = m;
        u.dst = ly->wo;
        u.used = 0;
        for (h = 0; h < H; h++) MINIMAX__T(minimax__upl_add(&u, lw->o_proj->data + (size_t)(h * qdg + r * qd) * 2, (size_t)qd * 2));
        MINIMAX__T(minimax__upl_flush(&u));
    }
    for (pass = 0; pass < 3; pass++) {
        minimax__fp4_matrix *mats = pass == 0 ? lw->w1 : pass == 1 ? lw->w3 : lw->w2;
        int64_t rows = pass == 2 ? H : NIg, cols = pass == 2 ? NIg : H; /* global shape */
        minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
        minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
        minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
        size_t local = (size_t)(H * NI); /* elements of one expert's shard */
        float *ws2;
        minimax__upl u;
        if (!mats) return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d has no expert matrices w%d", L, pass == 0 ? 1 : pass == 1 ? 3 : 2);
        for (e = 0; e < E; e++)
            if (mats[e].rows != rows || mats[e].cols != cols || !mats[e].packed || !mats[e].scales)
                return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d expert %lld w%d: shape [%lld, %lld], expected [%lld, %lld]",
                                     L, (long long)e, pass == 0 ? 1 : pass == 1 ? 3 : 2, (long long)mats[e].rows,
                                     (long long)mats[e].cols, (long long)rows, (long long)cols);
        MINIMAX__T(minimax__dalloc(m, (size_t)E * local / 2, what, pp));
        MINIMAX__T(minimax__dalloc(m, (size_t)E * local / 16, what, ps));
        u.m = m;
        u.used = 0;
        u.dst = *pp;
        for (e = 0; e < E; e++) {
            if (pass < 2) /* w1/w3 [NIg, H]: rows [r*NI, (r+1)*NI) */
                MINIMAX__T(minimax__upl_add(&u, mats[e].packed + (size_t)(r * NI * H / 2), local / 2));
            else /* w2 [H, NIg]: columns [r*NI, (r+1)*NI) of every row */
                for (h = 0; h < H; h++)
                    MINIMAX__T(minimax__upl_add(&u, mats[e].packed + (size_t)(h * NIg / 2 + r * NI / 2), (size_t)NI / 2));
        }
        MINIMAX__T(minimax__upl_flush(&u));
        MINIMAX__T(minimax__fp4_layout(m, *pp, (size_t)E * local / 2)); /* shards of whole words: NI % 16 == 0 */
        u.dst = *ps;
        for (e = 0; e < E; e++) {
            if (pass < 2)
                MINIMAX__T(minimax__upl_add(&u, mats[e].scales + (size_t)(r * NI * H / 16), local / 16));
            else
                for (h = 0; h < H; h++)
                    MINIMAX__T(minimax__upl_add(&u, mats[e].scales + (size_t)(h * NIg / 16 + r * NI / 16), (size_t)NI / 16));
        }
        MINIMAX__T(minimax__upl_flush(&u));
        MINIMAX__T(minimax__dalloc(m, (size_t)E * 4, what, pw));
        ws2 = (float *)minimax__alloc((size_t)E * 4, "weight_scale_2 values");
        if (!ws2) return MINIMAX_ERR_OUT_OF_MEMORY;
        for (e = 0; e < E; e++) ws2[e] = mats[e].weight_scale_2;
        r_ = minimax__upload(m, *pw, ws2, (size_t)E * 4);
        MINIMAX_FREE(ws2);
        if (r_ != MINIMAX_OK) return r_;
    }
#undef MINIMAX__T
    return MINIMAX_OK;
}

typedef struct minimax__mg_fill {
    const minimax__mg_layout *lay;
    int r;
    const minimax__weights *w;
    minimax__weights_fill_fn fill; /* when w is NULL (synthetic weights) */
    void *fill_user;
    int V; /* global vocabulary */
} minimax__mg_fill;

/* minimax__weights_fill_fn of a rank: its shard of the weights view. */
MINIMAX__PRIV minimax_result minimax__mg_fill_rank(minimax_model *m, void *user) {
    minimax__mg_fill *f = (minimax__mg_fill *)user;
    const minimax_config *c = &m->cfg;
    const minimax__weights *w = f->w;
    int64_t H = c->hidden_size;
    int L, r = f->r, n = f->lay->n, tp = f->lay->tp;
    minimax_result res;
    if (!w) {
        m->mg_rank = r; /* tells a fill which shard (minimax__mg_fill_from_ref); m->mg is still NULL */
        return f->fill(m, f->fill_user);
    }
    m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
    if (!m->layers) return MINIMAX_ERR_OUT_OF_MEMORY;
    memset(m->layers, 0, (size_t)c->num_layers * sizeof *m->layers);
    if (tp > 1) {
        int v0 = f->lay->v0[r], nv = c->vocab_size;
        minimax__tensor v;
        if ((res = minimax__mg_check(w->embed, f->V, H, "embed_tokens")) != MINIMAX_OK) return res;
        if ((res = minimax__mg_check(w->lm_head, f->V, H, "lm_head")) != MINIMAX_OK) return res;
        if ((res = minimax__dalloc(m, (size_t)(nv * H * 2), "embed_tokens", &m->embed)) != MINIMAX_OK) return res;
        v = minimax__mg_rows(w->embed, v0, nv);
        if ((res = minimax__upload_bf16(m, &v, nv, H, m->embed)) != MINIMAX_OK) return res;
        if ((res = minimax__dalloc(m, (size_t)(nv * H * 2), "lm_head", &m->lm_head)) != MINIMAX_OK) return res;
        v = minimax__mg_rows(w->lm_head, v0, nv);
        if ((res = minimax__upload_bf16(m, &v, nv, H, m->lm_head)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_f32(m, w->final_norm, H, 0, "final norm", &m->final_norm)) != MINIMAX_OK) return res;
        for (L = 0; L < c->num_layers; L++)
            if ((res = minimax__mg_upload_layer_tp(m, &w->layers[L], L, r, tp)) != MINIMAX_OK) return res;
        return MINIMAX_OK;
    }
    if (r == 0) {
        if ((res = minimax__dalloc(m, (size_t)(c->vocab_size * H * 2), "embed_tokens", &m->embed)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_bf16(m, w->embed, c->vocab_size, H, m->embed)) != MINIMAX_OK) return res;
    }
    if (r == n - 1) {
        if ((res = minimax__dalloc(m, (size_t)(c->vocab_size * H * 2), "lm_head", &m->lm_head)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_bf16(m, w->lm_head, c->vocab_size, H, m->lm_head)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_f32(m, w->final_norm, H, 0, "final norm", &m->final_norm)) != MINIMAX_OK) return res;
    }
    for (L = 0; L < c->num_layers; L++)
        if ((res = minimax__upload_layer(m, &w->layers[f->lay->layer0[r] + L], L)) != MINIMAX_OK) return res;
    return MINIMAX_OK;
}

/* ---- inside a rank's forward pass --------------------------------------------------- */

MINIMAX__PRIV int minimax__mg_tp(const minimax_model *m) { return m->mg && m->mg_rank >= 0 ? m->mg->tp : 1; }

MINIMAX__PRIV minimax_result minimax__mg_launch(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned block,
                                                void **args) {
    return minimax__launch_fn(m, m->mg->fn[m->mg_rank][k], minimax__mg_kernel_names[k], gx, gy, 1, block, 0, m->stream,
                              args);
}

/* dst[0..n) = (acc ? dst : 0) + sum over ranks of src; src = 0 afterwards.
   qkv != 0: the values are the per-token sums of squares of the rank's q
   and k slices (n = 2T; k_mg_allreduce), src is not used. */
MINIMAX__PRIV minimax_result minimax__mg_allreduce_k(minimax_model *m, minimax__cu_ptr dst, minimax__cu_ptr src, int n, int acc,
                                                     minimax__cu_ptr qkv) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, nr = g->n, rank = r, code = 0x10000 | MINIMAX__MG_OP_ALLREDUCE << 8 | r << 4;
    int qn = m->cfg.num_heads * m->cfg.head_dim, kn = m->cfg.num_kv_heads * m->cfg.head_dim;
    unsigned B = (unsigned)MINIMAX__CDIV(n, 1024);
    minimax__mg_peers P = g->peers;
    void *a[15];
    if (B < 1) B = 1;
    if (B > MINIMAX__MG_MAXB) B = MINIMAX__MG_MAXB;
    if (g->dbg_local) { /* the same kernel with itself as the only rank */
        memset(&P, 0, sizeof P);
        P.recv[0] = g->recv[r];
        P.flag[0] = g->flags[r];
        nr = 1;
        rank = 0;
    }
    a[0] = &dst;
    a[1] = &src;
    a[2] = &n;
    a[3] = &acc;
    a[4] = &P;
    a[5] = &g->seq[r];
    a[6] = &rank;
    a[7] = &nr;
    a[8] = &g->cap;
    a[9] = &g->timeout;
    a[10] = &g->status_dev;
    a[11] = &code;
    a[12] = &qkv;
    a[13] = &qn;
    a[14] = &kn;
    return minimax__mg_launch(m, MINIMAX__MK_ALLREDUCE, B, 1, 256, a);
}

MINIMAX__PRIV minimax_result minimax__mg_allreduce(minimax_model *m, minimax__cu_ptr dst, minimax__cu_ptr src, int n, int acc) {
    return minimax__mg_allreduce_k(m, dst, src, n, acc, 0);
}

/* rows x cols floats from src (this rank) to dst (rank `to`'s memory, row
   stride dld), then rank `to`'s flag; to == own rank: a local copy, no flag. */
MINIMAX__PRIV minimax_result minimax__mg_send(minimax_model *m, int to, minimax__cu_ptr src, int rows, int cols,
                                              minimax__cu_ptr dst, long long dld) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank;
    minimax__cu_ptr rflag = to == r ? 0 : g->flags[to] + (size_t)(MINIMAX__MG_FLAG_P2P + r) * 4;
    minimax__cu_ptr seq = g->seq[r] + (size_t)(MINIMAX__MG_SEQ_SEND + to) * 4, done = g->seq[r] + (size_t)MINIMAX__MG_SEQ_DONE * 4;
    long long total = (long long)rows * cols;
    unsigned B = (unsigned)((total + 1023) / 1024);
    void *a[8];
    if (B < 1) B = 1;
    if (B > 264) B = 264;
    a[0] = &src;
    a[1] = &rows;
    a[2] = &cols;
    a[3] = &dst;
    a[4] = &dld;
    a[5] = &rflag;
    a[6] = &seq;
    a[7] = &done;
    return minimax__mg_launch(m, MINIMAX__MK_SEND, B, 1, 256, a);
}

/* Waits for the next send of every rank in mask. */
MINIMAX__PRIV minimax_result minimax__mg_wait(minimax_model *m, int mask) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, code = 0x10000 | MINIMAX__MG_OP_WAIT << 8 | r << 4;
    void *a[6];
    a[0] = &g->flags[r];
    a[1] = &g->seq[r];
    a[2] = &mask;
    a[3] = &g->timeout;
    a[4] = &g->status_dev;
    a[5] = &code;
    return minimax__mg_launch(m, MINIMAX__MK_WAIT, 1, 1, 32, a);
}

/* Start of a rank's pass: tp: embedding shard + all-reduce; layer split:
   the embedding on rank 0, the previous rank's x elsewhere. A stage works on
   its x in place and the previous stage writes the next pass's x straight
   into it, so in a step of several passes (minimax__enqueue_step) a stage
   first tells the previous one that it is done with the last pass's x (an
   empty send), and that stage waits for it before sending (minimax__mg_end). */
MINIMAX__PRIV minimax_result minimax__mg_begin(minimax_model *m, int T) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, H = m->cfg.hidden_size;
    minimax__cu_ptr ids = m->step_in + m->off_ids;
    minimax_result res;
    if (g->tp > 1) {
        int v0 = g->lay.v0[r], nv = g->lay.v0[r + 1] - g->lay.v0[r];
        minimax__cu_ptr gen = minimax__mg_fused(m, T) ? g->gen[r] : 0; /* counts the fused passes */
        void *a[7];
        a[0] = &ids;
        a[1] = &m->embed;
        a[2] = &m->mg_part;
        a[3] = &H;
        a[4] = &v0;
        a[5] = &nv;
        a[6] = &gen;
        if ((res = minimax__mg_launch(m, MINIMAX__MK_EMBED, (unsigned)T, 1, 256, a)) != MINIMAX_OK) return res;
        return minimax__mg_allreduce(m, m->x, m->mg_part, T * H, 0);
    }
    if (r == 0) {
        void *a[4]; /* (the single-GPU embedding kernel) */
        a[0] = &ids;
        a[1] = &m->embed;
        a[2] = &m->x;
        a[3] = &H;
        return minimax__launch(m, MINIMAX__K_EMBED, (unsigned)T, 1, 256, a);
    }
    if (m->pass0 > 0 && (res = minimax__mg_send(m, r - 1, 0, 0, 0, 0, 0)) != MINIMAX_OK) return res;
    return minimax__mg_wait(m, 1 << (r - 1)); /* x arrives from rank r - 1 */
}

/* QK-norm + RoPE + KV append of layer L with the global sums of squares.
   sums != NULL: only the sums, all-reduced; *sums receives where they are
   ([T][2] fp32), for k_attn_split_qk to apply the norm itself. */
MINIMAX__PRIV minimax_result minimax__mg_qk(minimax_model *m, const minimax__dev_layer *ly, int L, int T,
                                            minimax__cu_ptr *sums) {
    minimax__mg *g = m->mg;
    const minimax_config *c = &m->cfg;
    const minimax__plan *p = &m->plan;
    int r = m->mg_rank, nh = c->num_heads, nkv = c->num_kv_heads, d = c->head_dim, rd = c->rotary_dim, tp = g->tp;
    int nblocks = p->num_blocks, maxb = p->max_blocks, bs = p->block_tokens;
    float theta = c->rope_theta, eps = c->rms_norm_eps;
    minimax__cu_ptr pos = m->step_in + m->off_pos, srow = m->step_in + m->off_srow;
    minimax_result res;
    /* the sums of squares of this rank's slices, all-reduced (one kernel) */
    if ((res = minimax__mg_allreduce_k(m, g->ss[r], g->ss_part[r], 2 * T, 0, m->qkv)) != MINIMAX_OK) return res;
    if (sums) {
        *sums = g->ss[r];
        return MINIMAX_OK;
    }
    {
        void *a[20];
        a[0] = &m->qkv;
        a[1] = &m->qr;
        a[2] = (void *)&ly->q_norm;
        a[3] = (void *)&ly->k_norm;
        a[4] = &g->ss[r];
        a[5] = &tp;
        a[6] = &pos;
        a[7] = &srow;
        a[8] = &m->block_table;
        a[9] = &m->kv;
        a[10] = &L;
        a[11] = &nblocks;
        a[12] = &maxb;
        a[13] = &bs;
        a[14] = &nh;
        a[15] = &nkv;
        a[16] = &d;
        a[17] = &rd;
        a[18] = &theta;
        a[19] = &eps;
        return minimax__mg_launch(m, MINIMAX__MK_QK_NORM, (unsigned)(nh + nkv), (unsigned)T, 128, a);
    }
}

/* ---- fused collectives (tensor parallelism, passes of one token slot) ----
   kernels.cu struct mg_fuse says how they work. A layer's sites: 3L the
   QK-norm sums (pushed by the q|k|v product, summed by the attention
   blocks), 3L + 1 o_proj, 3L + 2 the experts (pushed and summed into x by
   the o_proj product and by down; x is whole when they end, for the next
   layer or the head). The embedding's all-reduce stays a kernel. On where
   the fast kernels of a decode
   step of one session run: the fused q|k|v product and attention, the
   BF16 GEMV for o_proj, the packed-f16 expert kernels. */
MINIMAX__PRIV int minimax__mg_fused(const minimax_model *m, int T) {
    if (!m->mg || m->mg_rank < 0 || m->mg->tp <= 1 || T != 1 || !m->mg->recvf[m->mg_rank]) return 0;
    return minimax__fast_attn_qk_ok(m, T) && minimax__fast_norm_ok(m, T, m->cfg.hidden_size) &&
           minimax__fast_mm_ok(m, T, m->plan.attn_dim) && minimax__fast_route_ok(m, T);
}

MINIMAX__PRIV void minimax__mg_fuse_arg(const minimax_model *m, int in_site, int out_site, minimax__mg_fuse *F) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, p;
    memset(F, 0, sizeof *F);
    F->local = g->dbg_local;
    for (p = 0; p < g->n; p++) F->recv[p] = g->recvf[F->local ? r : p];
    F->own = g->recvf[r];
    F->gen = g->gen[r];
    F->status = g->status_dev;
    F->timeout = g->timeout;
    F->rank = r;
    F->nr = g->n;
    F->cap = g->fcap;
    F->code = 0x10000 | MINIMAX__MG_OP_ALLREDUCE << 8 | r << 4;
    F->in_site = in_site;
    F->out_site = out_site;
}

/* Stage `stage` of layer L of a fused pass: 0 input norm + q|k|v (pushing
   its partial sums of squares), 1 attention (summing them), 2 o_proj (x +=
   the sum of the ranks' parts). */
MINIMAX__PRIV minimax_result minimax__mg_fused_layer(minimax_model *m, const minimax__dev_layer *ly, int L, int stage) {
    int H = m->cfg.hidden_size, N, K, S;
    unsigned grid;
    float eps = m->cfg.rms_norm_eps;
    minimax__cu_ptr null = 0;
    minimax__mg_fuse F;
    void *a[10];
    if (stage == 1) {
        minimax__mg_fuse_arg(m, 3 * L, -1, &F);
        return minimax__fast_attn(m, ly, L, 1, 1, 0, 0, &F);
    }
    if (stage == 2) {
        N = H;
        K = m->plan.attn_dim;
        grid = minimax__gemv_t1_grid(m, N, &S);
        minimax__mg_fuse_arg(m, -1, 3 * L + 1, &F);
        a[0] = &m->attn;
        a[1] = (void *)&ly->wo;
        a[2] = &m->x;
        a[3] = &N;
        a[4] = &K;
        a[5] = &S;
        a[6] = &F;
        return minimax__fast_launch(m, MINIMAX__FK_GEMV_T1_MG, grid, 1, 256, 0, a);
    }
    N = m->plan.qkv_dim;
    K = H;
    grid = minimax__gemv_t1_grid(m, N, &S);
    minimax__mg_fuse_arg(m, -1, 3 * L, &F);
    a[0] = &m->x;
    a[1] = (void *)&ly->in_norm;
    a[2] = &eps;
    a[3] = (void *)&ly->wqkv;
    a[4] = &m->qkv;
    a[5] = &null; /* no normed vector */
    a[6] = &N;
    a[7] = &K;
    a[8] = &S;
    a[9] = &F;
    return minimax__fast_launch(m, MINIMAX__FK_GEMV_NORM_T1_MG, grid, 1, 256, 0, a);
}

/* tp: phase 0 points m->x at the (zero) partial-sum buffer, so that the next
   product accumulates this rank's part there; phase 1 points it back and
   adds the all-reduced parts: x += sum over ranks. */
MINIMAX__PRIV minimax_result minimax__mg_partial(minimax_model *m, int T, int phase) {
    minimax__cu_ptr t;
    if (minimax__mg_tp(m) <= 1) return MINIMAX_OK;
    t = m->x;
    m->x = m->mg_part;
    m->mg_part = t;
    if (phase == 0) return MINIMAX_OK;
    return minimax__mg_allreduce(m, m->x, m->mg_part, T * m->cfg.hidden_size, 1);
}

/* End of a rank's pass. Layer split: x to the next rank (*done = 1), or the
   ordinary head on the last rank (*done = 0). tp: final norm, this rank's
   lm_head rows, gathered into the head rank's logits [R][V] (the rows of
   the pass: from pass0), sampled there. */
MINIMAX__PRIV minimax_result minimax__mg_end(minimax_model *m, int T, int R, int sample, int *done) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, H = m->cfg.hidden_size, i, mask = 0;
    minimax__cu_ptr rows = m->step_in + m->off_rows, gl, gs;
    minimax_result res;
    *done = 1;
    if (g->tp <= 1) {
        if (r == g->n - 1) {
            *done = 0;
            return MINIMAX_OK;
        }
        if (m->pass0 > 0 && (res = minimax__mg_wait(m, 1 << (r + 1))) != MINIMAX_OK) return res; /* see mg_begin */
        return minimax__mg_send(m, r + 1, m->x, T, H, g->rank[r + 1]->x, H);
    }
    if (R <= 0) return MINIMAX_OK;
    if ((res = minimax__rmsnorm(m, m->x, rows, m->final_norm, m->xo, R)) != MINIMAX_OK) return res;
    if ((res = minimax__mm(m, m->xo, m->lm_head, m->logits, R, m->cfg.vocab_size, H, 0)) != MINIMAX_OK) return res;
    gl = g->logits + (size_t)m->pass0 * g->V * 4; /* this pass's rows (minimax__pass_view) */
    gs = g->sampled + (size_t)m->pass0 * 4;
    if ((res = minimax__mg_send(m, g->head, m->logits, R, m->cfg.vocab_size, gl + (size_t)g->lay.v0[r] * 4, g->V)) !=
        MINIMAX_OK)
        return res;
    if (r != g->head) return MINIMAX_OK;
    for (i = 0; i < g->n; i++)
        if (i != g->head) mask |= 1 << i;
    if ((res = minimax__mg_wait(m, mask)) != MINIMAX_OK) return res;
    if (sample) {
        int V = g->V, valid = g->valid_vocab;
        minimax__cu_ptr sp = m->step_in + m->off_sp;
        void *a[5];
        a[0] = &gl;
        a[1] = &V;
        a[2] = &valid;
        a[3] = &sp;
        a[4] = &gs;
        if ((res = minimax__launch(m, MINIMAX__K_SAMPLE, (unsigned)R, 1, 1024, a)) != MINIMAX_OK) return res;
    }
    return MINIMAX_OK;
}

/* ---- the front: driving the ranks -------------------------------------------------- */

MINIMAX__PRIV minimax_result minimax__mg_set(minimax_model *front, minimax_model *rk) {
    minimax_result r = minimax__mcheck(rk, minimax__cu.cuCtxSetCurrent(rk->ctx), "cuCtxSetCurrent");
    if (r != MINIMAX_OK && rk->failed) front->failed = 1;
    return r;
}

MINIMAX__PRIV minimax_result minimax__mg_upload_inputs(minimax_model *m, minimax_session *const *ss, int ns) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, i;
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax_model *rk = g->rank[k];
        if (k == g->dbg_skip_rank) continue;
        if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
        r = minimax__mcheck(rk, minimax__cu.cuMemcpyHtoDAsync(rk->step_in, m->h_in, m->step_in_bytes, rk->stream),
                            "upload of step inputs");
        for (i = 0; i < ns && r == MINIMAX_OK; i++) {
            size_t off = (size_t)ss[i]->row * m->plan.max_blocks;
            if (!ss[i]->nblocks) continue;
            r = minimax__mcheck(rk,
                                minimax__cu.cuMemcpyHtoDAsync(rk->block_table + off * 4, m->h_bt + off,
                                                              (size_t)ss[i]->nblocks * 4, rk->stream),
                                "upload of a block table");
        }
        if (rk->failed) m->failed = 1;
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* Eager forward pass on every rank: tp ranks interleaved layer by layer (no
   GPU waits on work the host has not yet queued for long, and no stream
   fills its launch queue while it waits), layer-split ranks one after
   another (a rank only waits for the ranks before it). */
MINIMAX__PRIV minimax_result minimax__mg_forward(minimax_model *m, int T, int R, int sample) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, L, nl;
    if (g->tp > 1) {
        minimax_model *r0 = g->rank[0];
        r0->dbg_route = m->dbg_route; /* routing is the same on every rank: rank 0 records it */
        r0->dbg_route_stride = m->dbg_route_stride;
        r0->dbg_pos0 = m->dbg_pos0;
        r0->dbg_recording = m->dbg_recording;
        nl = m->cfg.num_layers;
        for (L = -1; L <= nl && r == MINIMAX_OK; L++)
            for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
                minimax_model *rk = g->rank[k];
                if (k == g->dbg_skip_rank) continue;
                if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
                if (L < 0) r = minimax__enqueue_range(rk, T, R, sample, 0, 0, 1, 0);
                else if (L == nl) r = minimax__enqueue_range(rk, T, R, sample, nl, nl, 0, 1);
                else r = minimax__enqueue_range(rk, T, R, sample, L, L + 1, 0, 0);
                if (rk->failed) m->failed = 1;
            }
        r0->dbg_recording = 0;
    } else {
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax_model *rk = g->rank[k];
            if (k == g->dbg_skip_rank) continue;
            if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
            /* each stage records the routing of its own layers (peer writes) */
            rk->dbg_route = m->dbg_route ? m->dbg_route + (size_t)g->lay.layer0[k] * m->dbg_route_stride *
                                                              m->cfg.top_k * 4
                                         : 0;
            rk->dbg_route_stride = m->dbg_route_stride;
            rk->dbg_pos0 = m->dbg_pos0;
            rk->dbg_recording = m->dbg_recording;
            r = minimax__enqueue_forward(rk, T, R, sample);
            rk->dbg_recording = 0;
            if (rk->failed) m->failed = 1;
        }
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* minimax__pass_view for every rank of the front m (the front's own view
   stays: the ranks' pass0 places the rows they hand it). */
MINIMAX__PRIV void minimax__mg_pass_view(minimax_model *m, int s0) {
    int k;
    for (k = 0; k < m->mg->n; k++) minimax__pass_view(m->mg->rank[k], s0);
}

/* A step of n sessions: one graph per rank (captured on first use, one rank
   at a time), launched rank after rank; each graph holds the rank's part of
   the step's passes (minimax__capture_step). Eager: pass after pass, each a
   minimax__mg_forward over all ranks (minimax__enqueue_step of the front). */
MINIMAX__PRIV minimax_result minimax__mg_run_step(minimax_model *m, int n, int use_graph) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k;
    if (!use_graph) return minimax__enqueue_step(m, n);
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax_model *rk = g->rank[k];
        if (rk->graphs[n]) continue;
        if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
        r = minimax__capture_step(rk, n);
    }
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax_model *rk = g->rank[k];
        if (k == g->dbg_skip_rank) continue;
        if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
        r = minimax__mcheck(rk, minimax__cu.cuGraphLaunch(rk->graphs[n], rk->stream), "cuGraphLaunch");
    }
    for (k = 0; k < g->n; k++)
        if (g->rank[k]->failed) m->failed = 1;
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* After the head's stream finished a pass: waits for every rank and turns a
   kernel that gave up waiting into an error (the model is then failed: the
   ranks' sequence numbers no longer agree). */
MINIMAX__PRIV minimax_result minimax__mg_after_sync(minimax_model *m) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, st;
    for (k = 0; k < g->n; k++) {
        minimax_model *rk = g->rank[k];
        minimax_result rr;
        if (k == g->dbg_skip_rank) continue;
        if ((rr = minimax__mg_set(m, rk)) == MINIMAX_OK)
            rr = minimax__mcheck(rk, minimax__cu.cuStreamSynchronize(rk->stream), "a step on a second GPU");
        if (rk->failed) m->failed = 1;
        if (rr != MINIMAX_OK && r == MINIMAX_OK) r = rr;
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    st = *g->status;
    if (st) {
        m->failed = 1;
        if (st == 1) return minimax__fail(MINIMAX_ERR_DEVICE, "multi-GPU step aborted by the host");
        return minimax__fail(MINIMAX_ERR_DEVICE,
                             "GPU %d (rank %d) gave up waiting for rank %d in %s after the timeout (%lld cycles): a GPU "
                             "stopped or hung; the model is failed, free it",
                             g->lay.devices[(st >> 4) & 15], (st >> 4) & 15, st & 15,
                             ((st >> 8) & 255) == MINIMAX__MG_OP_ALLREDUCE ? "an all-reduce" : "a transfer", g->timeout);
    }
    return r;
}

MINIMAX__PRIV void minimax__mg_destroy(minimax_model *m) {
    minimax__mg *g = m->mg;
    int k;
    if (!g) return;
    if (g->status) *g->status = 1; /* spinning kernels give up */
    if (g->nccl.have_comms)
        for (k = 0; k < g->n; k++)
            if (g->nccl.comm[k]) g->nccl.CommDestroy(g->nccl.comm[k]);
    if (g->nccl.lib) dlclose(g->nccl.lib);
    if (g->status && g->rank[0] && g->rank[0]->ctx) {
        minimax__cu_context prev = NULL;
        minimax__cu.cuCtxGetCurrent(&prev);
        minimax__cu.cuCtxSetCurrent(g->rank[0]->ctx);
        for (k = 0; k < g->n; k++) /* the last kernels must be done with the status word */
            if (g->rank[k] && g->rank[k]->stream && !g->rank[k]->failed) {
                minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
                minimax__cu.cuStreamSynchronize(g->rank[k]->stream);
            }
        minimax__cu.cuCtxSetCurrent(g->rank[0]->ctx);
        minimax__cu.cuMemFreeHost((void *)g->status);
        minimax__cu.cuCtxSetCurrent(prev);
    }
    for (k = 0; k < g->n; k++) minimax__model_destroy(g->rank[k]);
    MINIMAX_FREE(g);
    m->mg = NULL;
}

/* ---- load ------------------------------------------------------------------------ */

MINIMAX__PRIV minimax_result minimax__mg_create(const minimax_model_desc *desc, const minimax_config *cfg,
                                                const minimax__weights *w, minimax__weights_fill_fn fill,
                                                void *fill_user, minimax_model **out) {
    minimax_model *m;
    minimax__mg *g;
    minimax_result r;
    minimax__cu_context prev = NULL;
    int count = 0, k, j, i;
    double t0 = minimax__now_ms();
    size_t free_b[MINIMAX__MG_MAX];
    *out = NULL;
    m = (minimax_model *)minimax__alloc(sizeof *m, "the model");
    if (!m) return MINIMAX_ERR_OUT_OF_MEMORY;
    m->cfg = *cfg;
    m->mg_rank = -1;
    g = (minimax__mg *)minimax__alloc(sizeof *g, "the multi-GPU state");
    if (!g) {
        MINIMAX_FREE(m);
        return MINIMAX_ERR_OUT_OF_MEMORY;
    }
    memset(g, 0, sizeof *g);
    g->dbg_skip_rank = -1;
    g->timeout = MINIMAX__MG_TIMEOUT_CYCLES;
    m->mg = g;
    if ((r = minimax__plan_make(cfg, desc, &m->plan)) != MINIMAX_OK) goto fail;
    if ((r = minimax__cuda_init()) != MINIMAX_OK) goto fail;
    minimax__cu.cuCtxGetCurrent(&prev);
    if ((r = minimax__cu_check(minimax__cu.cuDeviceGetCount(&count), "cuDeviceGetCount")) != MINIMAX_OK) goto fail;
    /* free memory per requested GPU (only used for an automatic layer split) */
    memset(free_b, 0, sizeof free_b);
    if (desc->tp <= 1 && !desc->layer_split)
        for (k = 0; k < desc->n_devices && k < MINIMAX__MG_MAX; k++) {
            int dv = desc->devices ? desc->devices[k] : k;
            minimax__cu_device dev;
            minimax__cu_context c = NULL;
            if (dv < 0 || dv >= count) continue; /* layout_make names it */
            if (minimax__cu.cuDeviceGet(&dev, dv) == 0 && minimax__cu.cuDevicePrimaryCtxRetain(&c, dev) == 0) {
                size_t tot = 0;
                minimax__cu.cuCtxSetCurrent(c);
                minimax__cu.cuMemGetInfo(&free_b[k], &tot);
                minimax__cu.cuCtxSetCurrent(prev);
                minimax__cu.cuDevicePrimaryCtxRelease(dev);
            }
        }
    {
        minimax__plan one;
        minimax_config c1 = *cfg;
        size_t layer_b, end_b, H = (size_t)cfg->hidden_size, V = (size_t)cfg->vocab_size;
        c1.num_layers = 1;
        if ((r = minimax__plan_make(&c1, desc, &one)) != MINIMAX_OK) goto fail;
        end_b = V * H * 2;
        layer_b = one.weight_bytes - 2 * end_b - H * 4 + one.kv_bytes;
        if ((r = minimax__mg_layout_make(cfg, desc, count, free_b, layer_b, end_b, one.scratch_bytes, &g->lay)) != MINIMAX_OK)
            goto fail;
    }
    g->n = g->lay.n;
    g->tp = g->lay.tp;
    g->head = g->tp > 1 ? 0 : g->n - 1;
    g->V = cfg->vocab_size;
    g->valid_vocab = m->plan.valid_vocab;
    /* one model per GPU */
    for (k = 0; k < g->n; k++) {
        minimax_model_desc rd = *desc;
        minimax_config rc = minimax__mg_rank_config(cfg, &g->lay, k);
        minimax__mg_fill f;
        rd.device = g->lay.devices[k];
        rd.tp = 0;
        rd.devices = NULL;
        rd.n_devices = 0;
        rd.layer_split = NULL;
        rd.progress = NULL;
        rd.valid_vocab = g->tp <= 1 && k == g->n - 1 ? desc->valid_vocab : 0;
        f.lay = &g->lay;
        f.r = k;
        f.w = w;
        f.fill = fill;
        f.fill_user = fill_user;
        f.V = cfg->vocab_size;
        if ((r = minimax__progress(desc, (float)k / (float)g->n, "weights")) != MINIMAX_OK) goto fail;
        if ((r = minimax__model_create_from(&rd, &rc, NULL, minimax__mg_fill_rank, &f, &g->rank[k])) != MINIMAX_OK) {
            char msg[1024];
            minimax__copy_str(msg, sizeof msg, minimax_last_error());
            r = minimax__fail(r, "GPU %d (rank %d of %d): %s", rd.device, k, g->n, msg);
            goto fail;
        }
        g->rank[k]->mg = g;
        g->rank[k]->mg_rank = k;
    }
    /* peer access between every pair */
    for (k = 0; k < g->n; k++)
        for (j = 0; j < g->n; j++) {
            int can = 0;
            minimax__cu_result cr;
            if (j == k) continue;
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            minimax__cu.cuDeviceCanAccessPeer(&can, g->rank[k]->dev, g->rank[j]->dev);
            if (!can) {
                r = minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                                  "GPU %d cannot access GPU %d's memory (no peer-to-peer path); the multi-GPU kernels need it",
                                  g->lay.devices[k], g->lay.devices[j]);
                goto fail;
            }
            cr = minimax__cu.cuCtxEnablePeerAccess(g->rank[j]->ctx, 0);
            if (cr != 0 && cr != 704 /* CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED */ &&
                (r = minimax__cu_check(cr, "cuCtxEnablePeerAccess")) != MINIMAX_OK)
                goto fail;
        }
    /* the status word: pinned, mapped, portable (every context sees it) */
    {
        void *hp = NULL;
        minimax__cu.cuCtxSetCurrent(g->rank[0]->ctx);
        if ((r = minimax__cu_check(minimax__cu.cuMemHostAlloc(&hp, 64, 0x01 | 0x02 /* PORTABLE | DEVICEMAP */),
                                   "cuMemHostAlloc (status word)")) != MINIMAX_OK)
            goto fail;
        g->status = (volatile int *)hp;
        memset(hp, 0, 64);
        if ((r = minimax__cu_check(minimax__cu.cuMemHostGetDevicePointer(&g->status_dev, hp, 0),
                                   "cuMemHostGetDevicePointer")) != MINIMAX_OK)
            goto fail;
    }
    /* per-rank buffers of the collectives */
    g->cap = (long long)m->plan.max_tokens * cfg->hidden_size;
    if (g->cap < 2ll * m->plan.max_tokens) g->cap = 2ll * m->plan.max_tokens;
    for (k = 0; k < g->n; k++) {
        minimax_model *rk = g->rank[k];
        size_t T = (size_t)m->plan.max_tokens, H = (size_t)cfg->hidden_size;
        minimax__cu.cuCtxSetCurrent(rk->ctx);
        for (i = 0; i < MINIMAX__MK_COUNT; i++)
            if ((r = minimax__mcheck(rk, minimax__cu.cuModuleGetFunction(&g->fn[k][i], rk->module, minimax__mg_kernel_names[i]),
                                     minimax__mg_kernel_names[i])) != MINIMAX_OK)
                goto fail;
        if (g->tp > 1) { /* the fused collectives' buffers (one token slot) */
            size_t sites = (size_t)3 * cfg->num_layers;
            int ssq_n = rk->plan.qkv_dim / MINIMAX__GEMV_ROWS(1); /* the q|k|v product's partial sums */
            g->fcap = ssq_n > cfg->hidden_size ? ssq_n : cfg->hidden_size;
            size_t words = sites * (size_t)g->n * (size_t)g->fcap;
            if ((r = minimax__dalloc(rk, words * 8 + 16, "fused all-reduce buffers", &g->recvf[k])) != MINIMAX_OK ||
                (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->recvf[k], 0, words * 8 + 16, rk->stream),
                                     "memset")) != MINIMAX_OK)
                goto fail;
            g->gen[k] = g->recvf[k] + words * 8; /* tags start at 1: the zeroed words match none */
        }
        if ((r = minimax__dalloc(rk, (size_t)2 * MINIMAX__MG_MAX * (size_t)g->cap * 4, "all-reduce buffers", &g->recv[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, (size_t)MINIMAX__MG_FLAG_INTS * 4, "flags", &g->flags[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, (size_t)MINIMAX__MG_SEQ_INTS * 4, "sequence numbers", &g->seq[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, T * 2 * 4, "QK sums of squares", &g->ss[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, T * 2 * 4, "QK sums of squares", &g->ss_part[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, T * H * 4, "partial sums", &rk->mg_part)) != MINIMAX_OK)
            goto fail;
        if ((r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->flags[k], 0, (size_t)MINIMAX__MG_FLAG_INTS * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->seq[k], 0, (size_t)MINIMAX__MG_SEQ_INTS * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->ss_part[k], 0, T * 2 * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(rk->mg_part, 0, T * H * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuStreamSynchronize(rk->stream), "multi-GPU buffers")) != MINIMAX_OK)
            goto fail;
        g->peers.recv[k] = g->recv[k];
        g->peers.flag[k] = g->flags[k];
    }
    /* the head's gathered logits (tp) and the front's view of the head */
    {
        minimax_model *hd = g->rank[g->head];
        minimax__cu.cuCtxSetCurrent(hd->ctx);
        if (g->tp > 1) {
            if ((r = minimax__dalloc(hd, (size_t)m->plan.logits_rows * cfg->vocab_size * 4, "gathered logits", &g->logits)) != MINIMAX_OK ||
                (r = minimax__dalloc(hd, (size_t)m->plan.logits_rows * 4, "sampled ids", &g->sampled)) != MINIMAX_OK)
                goto fail;
            m->logits = g->logits;
            m->sampled = g->sampled;
        } else {
            m->logits = hd->logits;
            m->sampled = hd->sampled;
        }
        m->ctx = hd->ctx;
        m->dev = hd->dev;
        m->stream = hd->stream;
        m->num_sms = hd->num_sms;
        m->l2_prefetch_bytes = hd->l2_prefetch_bytes;
        m->fast_decode = hd->fast_decode;
        m->off_ids = hd->off_ids;
        m->off_pos = hd->off_pos;
        m->off_srow = hd->off_srow;
        m->off_rows = hd->off_rows;
        m->off_sp = hd->off_sp;
        m->step_in_bytes = hd->step_in_bytes;
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_in, m->step_in_bytes), "cuMemAllocHost")) !=
            MINIMAX_OK)
            goto fail;
        memset(m->h_in, 0, m->step_in_bytes);
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_bt, (size_t)m->plan.num_blocks * 4),
                                 "cuMemAllocHost")) != MINIMAX_OK)
            goto fail;
        memset(m->h_bt, 0, (size_t)m->plan.num_blocks * 4);
    }
    m->free_blocks = (int32_t *)minimax__alloc((size_t)m->plan.num_blocks * 4, "KV free list");
    m->sessions = (minimax_session **)minimax__alloc((size_t)m->plan.max_sessions * sizeof *m->sessions, "session table");
    m->graphs = (minimax__cu_graph_exec *)minimax__alloc((size_t)(m->plan.max_sessions + 1) * sizeof *m->graphs, "graphs");
    if (!m->free_blocks || !m->sessions || !m->graphs) {
        r = MINIMAX_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (i = 0; i < m->plan.num_blocks; i++) m->free_blocks[i] = m->plan.num_blocks - 1 - i;
    m->n_free = m->plan.num_blocks;
    /* info: the head's, with sums over the GPUs */
    m->info = g->rank[g->head]->info;
    m->info.weight_bytes = m->info.kv_bytes = m->info.scratch_bytes = 0;
    for (k = 0; k < g->n; k++) {
        m->info.weight_bytes += g->rank[k]->info.weight_bytes;
        m->info.kv_bytes += g->rank[k]->info.kv_bytes;
        m->info.scratch_bytes += g->rank[k]->info.scratch_bytes;
    }
    {
        size_t l = strlen(m->info.device_name);
        snprintf(m->info.device_name + l, sizeof m->info.device_name - l, " x %d", g->n);
    }
    m->info.graphs = !desc->disable_graphs;
    m->info.max_sessions = m->plan.max_sessions;
    m->info.max_context = m->plan.max_context;
    m->info.kv_block_tokens = m->plan.block_tokens;
    m->info.max_batch_tokens = m->plan.max_tokens;
    m->info.valid_vocab = m->plan.valid_vocab;
    m->info.gpus = g->n;
    m->info.tp = g->tp;
    for (k = 0; k < g->n; k++) m->info.layer_split[k] = g->lay.layer0[k + 1] - g->lay.layer0[k];
    if (g->tp > 1)
        for (k = 0; k < g->n; k++) m->info.layer_split[k] = cfg->num_layers;
    if ((r = minimax__progress(desc, 1.0f, "done")) != MINIMAX_OK) goto fail;
    m->info.load_ms = minimax__now_ms() - t0;
    minimax__cu.cuCtxSetCurrent(prev);
    *out = m;
    return MINIMAX_OK;
fail:
    m->ctx = NULL; /* the front owns no context; the ranks are freed by minimax__mg_destroy */
    m->stream = NULL;
    if (m->h_in || m->h_bt) {
        if (g->rank[g->head]) minimax__cu.cuCtxSetCurrent(g->rank[g->head]->ctx);
        if (m->h_in) minimax__cu.cuMemFreeHost(m->h_in);
        if (m->h_bt) minimax__cu.cuMemFreeHost(m->h_bt);
        m->h_in = NULL;
        m->h_bt = NULL;
    }
    minimax__model_destroy(m);
    if (minimax__cu.cuCtxSetCurrent) minimax__cu.cuCtxSetCurrent(prev);
    return r;
}

/* ---- benchmark and test support ---------------------------------------------------- */

/* Loads NCCL (dlopen) and makes one communicator over the model's GPUs with
   ncclCommInitAll. UNSUPPORTED with the reason when it is not there. */
MINIMAX__PRIV minimax_result minimax__mg_nccl_init(minimax_model *m) {
    minimax__mg *g = m->mg;
    minimax__nccl *nc;
    int rc;
    if (!g) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "NCCL: the model runs on one GPU");
    nc = &g->nccl;
    if (nc->have_comms) return MINIMAX_OK;
    if (!nc->lib) {
        void *p;
        nc->lib = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
        if (!nc->lib) return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "NCCL: dlopen(libnccl.so.2) failed: %s", dlerror());
#define MINIMAX__NSYM(field, name)                                                                                     \
    p = dlsym(nc->lib, name);                                                                                          \
    if (!p) return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "NCCL: libnccl.so.2 has no %s", name);                        \
    memcpy(&nc->field, &p, sizeof p);
        MINIMAX__NSYM(CommInitAll, "ncclCommInitAll")
        MINIMAX__NSYM(CommDestroy, "ncclCommDestroy")
        MINIMAX__NSYM(AllReduce, "ncclAllReduce")
        MINIMAX__NSYM(GroupStart, "ncclGroupStart")
        MINIMAX__NSYM(GroupEnd, "ncclGroupEnd")
        MINIMAX__NSYM(GetErrorString, "ncclGetErrorString")
#undef MINIMAX__NSYM
    }
    rc = nc->CommInitAll(nc->comm, g->n, g->lay.devices);
    minimax__cu.cuCtxSetCurrent(m->ctx);
    if (rc) return minimax__fail(MINIMAX_ERR_DEVICE, "ncclCommInitAll: %s", nc->GetErrorString(rc));
    nc->have_comms = 1;
    return MINIMAX_OK;
}

/* Enqueues `reps` all-reduces of n floats (the engine's kernel, or NCCL, or
   the kernel with no exchange) on every rank; graph = capture them into one
   graph per rank and launch those. */
typedef struct minimax__mg_ar_bench {
    double us_own, us_local, us_nccl, us_nccl_graph; /* per all-reduce; < 0 = not measured */
    char nccl_note[256];
} minimax__mg_ar_bench;

MINIMAX__PRIV minimax_result minimax__mg_ar_enqueue(minimax_model *m, int how, int n, int reps) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, i;
    if (how == 2) {
        for (i = 0; i < reps && r == MINIMAX_OK; i++) {
            int rc;
            g->nccl.GroupStart();
            for (k = 0; k < g->n; k++) {
                minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
                g->nccl.AllReduce((const void *)(uintptr_t)g->rank[k]->mg_part, (void *)(uintptr_t)g->rank[k]->hn,
                                  (size_t)n, 7, 0, g->nccl.comm[k], g->rank[k]->stream);
            }
            rc = g->nccl.GroupEnd();
            if (rc) r = minimax__fail(MINIMAX_ERR_DEVICE, "ncclAllReduce: %s", g->nccl.GetErrorString(rc));
        }
        return r;
    }
    g->dbg_local = how == 1;
    for (i = 0; i < reps && r == MINIMAX_OK; i++)
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__mg_allreduce(g->rank[k], g->rank[k]->hn, g->rank[k]->mg_part, n, 0);
        }
    g->dbg_local = 0;
    return r;
}

/* Median time per all-reduce of n floats (n <= max_batch_tokens x hidden):
   how 0 = the engine's kernel, 1 = the same with no exchange, 2 = NCCL; in
   CUDA graphs of `reps` calls per rank (graph = 1) or eager. The time of a
   round is the slowest rank's. */
MINIMAX__PRIV minimax_result minimax__mg_time_ar(minimax_model *m, int how, int n, int reps, int graph, double *us) {
    minimax__mg *g = m->mg;
    minimax__cu_graph_exec ex[MINIMAX__MG_MAX];
    minimax__cu_event e0[MINIMAX__MG_MAX], e1[MINIMAX__MG_MAX];
    float t[9];
    minimax_result r = MINIMAX_OK;
    int k, it;
    memset(ex, 0, sizeof ex);
    memset(e0, 0, sizeof e0);
    memset(e1, 0, sizeof e1);
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
        r = minimax__cu_check(minimax__cu.cuEventCreate(&e0[k], 0), "cuEventCreate");
        if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuEventCreate(&e1[k], 0), "cuEventCreate");
    }
    if (r == MINIMAX_OK && graph) {
        /* NCCL's group call spans the streams of all ranks: capture them all at once */
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__cu_check(minimax__cu.cuStreamBeginCapture(g->rank[k]->stream, 2 /* RELAXED */), "cuStreamBeginCapture");
        }
        if (r == MINIMAX_OK) r = minimax__mg_ar_enqueue(m, how, n, reps);
        for (k = 0; k < g->n; k++) {
            minimax__cu_graph gr = NULL;
            minimax__cu_result cr;
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            cr = minimax__cu.cuStreamEndCapture(g->rank[k]->stream, &gr);
            if (r == MINIMAX_OK) r = minimax__cu_check(cr, "cuStreamEndCapture");
            if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuGraphInstantiate(&ex[k], gr, 0), "cuGraphInstantiate");
            if (gr) minimax__cu.cuGraphDestroy(gr);
        }
    }
    for (it = 0; it < 9 && r == MINIMAX_OK; it++) {
        float worst = 0;
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__cu_check(minimax__cu.cuEventRecord(e0[k], g->rank[k]->stream), "cuEventRecord");
        }
        if (r != MINIMAX_OK) break;
        if (graph)
            for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
                minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
                r = minimax__cu_check(minimax__cu.cuGraphLaunch(ex[k], g->rank[k]->stream), "cuGraphLaunch");
            }
        else
            r = minimax__mg_ar_enqueue(m, how, n, reps);
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            float ms = 0;
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__cu_check(minimax__cu.cuEventRecord(e1[k], g->rank[k]->stream), "cuEventRecord");
            if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuEventSynchronize(e1[k]), "all-reduce timing");
            if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuEventElapsedTime(&ms, e0[k], e1[k]), "cuEventElapsedTime");
            if (ms > worst) worst = ms;
        }
        t[it] = worst;
    }
    if (r == MINIMAX_OK) *us = 1000.0 * minimax__median(t, 9) / reps;
    if (r == MINIMAX_OK && *g->status) r = minimax__fail(MINIMAX_ERR_DEVICE, "all-reduce benchmark: a wait timed out");
    for (k = 0; k < g->n; k++) {
        minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
        if (ex[k]) minimax__cu.cuGraphExecDestroy(ex[k]);
        if (e0[k]) minimax__cu.cuEventDestroy(e0[k]);
        if (e1[k]) minimax__cu.cuEventDestroy(e1[k]);
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* ---- a tensor-parallel copy of a one-GPU model (tests, benchmark) ------------------
   minimax__weights_fill_fn whose user is a one-GPU model (e.g. synthetic
   weights made on the GPU): each rank copies its shard of every weight
   straight from that model's memory (peer reads by k_mg_copy2d on the rank's
   GPU), so a tp model and the one-GPU model hold the same numbers. */
MINIMAX__PRIV minimax_result minimax__mg_copy2d(minimax_model *m, minimax__cu_function fn, minimax__cu_ptr src,
                                                long long pitch, long long width, long long rows, minimax__cu_ptr dst) {
    long long n = rows * width;
    unsigned B = (unsigned)((n + 255) / 256 < 4096 ? (n + 255) / 256 : 4096);
    void *a[5];
    a[0] = &src;
    a[1] = &pitch;
    a[2] = &dst;
    a[3] = &width;
    a[4] = &rows;
    if (B < 1) B = 1;
    return minimax__launch_fn(m, fn, "k_mg_copy2d", B, 1, 1, 256, 0, m->stream, a);
}

MINIMAX__PRIV minimax_result minimax__mg_fill_from_ref(minimax_model *m, void *user) {
    const minimax_model *ref = (const minimax_model *)user;
    const minimax_config *c = &m->cfg, *rc = &ref->cfg;
    int tp = rc->num_heads / c->num_heads, r = m->mg_rank, L, pass;
    long long H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, NIg = rc->intermediate_size;
    long long qd = (long long)c->num_heads * c->head_dim, kd = (long long)c->num_kv_heads * c->head_dim;
    long long qdg = qd * tp, kdg = kd * tp, V = c->vocab_size, v0 = (long long)r * ((rc->vocab_size + tp - 1) / tp);
    minimax__cu_function fn;
    minimax__cu_result cr;
    minimax_result res;
    if (tp < 2 || r < 0 || c->num_layers != rc->num_layers)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "copy of a model: tensor-parallel ranks only");
    {
        const minimax__jit_target *tm = minimax__jit_target_find(m->info.arch), *tr = minimax__jit_target_find(ref->info.arch);
        if (!tm || !tr || tm->fp4_hw != tr->fp4_hw)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "copy of a model: its experts are held in the FP4 layout of "
                                 "'%s', this GPU's kernels ('%s') read another (kernels.cu k_fp4_layout)",
                                 ref->info.arch, m->info.arch);
    }
    if ((res = minimax__mcheck(m, minimax__cu.cuModuleGetFunction(&fn, m->module, "k_mg_copy2d"), "k_mg_copy2d")) != MINIMAX_OK)
        return res;
    if (m->dev != ref->dev) {
        cr = minimax__cu.cuCtxEnablePeerAccess(ref->ctx, 0);
        if (cr != 0 && cr != 704 && (res = minimax__cu_check(cr, "cuCtxEnablePeerAccess")) != MINIMAX_OK) return res;
    }
    m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
    if (!m->layers) return MINIMAX_ERR_OUT_OF_MEMORY;
    memset(m->layers, 0, (size_t)c->num_layers * sizeof *m->layers);
#define MINIMAX__C(dstp, bytes, srcp, pitch, width, rows)                                                              \
    do {                                                                                                               \
        if ((res = minimax__dalloc(m, (size_t)(bytes), "copied weights", (dstp))) != MINIMAX_OK) return res;            \
        if ((res = minimax__mg_copy2d(m, fn, (srcp), (pitch), (width), (rows), *(dstp))) != MINIMAX_OK) return res;     \
    } while (0)
    MINIMAX__C(&m->embed, V * H * 2, ref->embed + (size_t)(v0 * H * 2), H * 2, H * 2, V);
    MINIMAX__C(&m->lm_head, V * H * 2, ref->lm_head + (size_t)(v0 * H * 2), H * 2, H * 2, V);
    MINIMAX__C(&m->final_norm, H * 4, ref->final_norm, H * 4, H * 4, 1);
    for (L = 0; L < c->num_layers; L++) {
        minimax__dev_layer *ly = &m->layers[L];
        const minimax__dev_layer *sl = &ref->layers[L];
        long long rb = sl->router_f32 ? 4 : 2;
        MINIMAX__C(&ly->in_norm, H * 4, sl->in_norm, H * 4, H * 4, 1);
        MINIMAX__C(&ly->post_norm, H * 4, sl->post_norm, H * 4, H * 4, 1);
        MINIMAX__C(&ly->q_norm, qd * 4, sl->q_norm + (size_t)(r * qd * 4), qd * 4, qd * 4, 1);
        MINIMAX__C(&ly->k_norm, kd * 4, sl->k_norm + (size_t)(r * kd * 4), kd * 4, kd * 4, 1);
        ly->router_f32 = sl->router_f32;
        MINIMAX__C(&ly->router, E * H * rb, sl->router, E * H * rb, E * H * rb, 1);
        MINIMAX__C(&ly->router_bias, E * 4, sl->router_bias, E * 4, E * 4, 1);
        if ((res = minimax__dalloc(m, (size_t)((qd + 2 * kd) * H * 2), "copied weights", &ly->wqkv)) != MINIMAX_OK) return res;
        if ((res = minimax__mg_copy2d(m, fn, sl->wqkv + (size_t)(r * qd * H * 2), qd * H * 2, qd * H * 2, 1, ly->wqkv)) != MINIMAX_OK ||
            (res = minimax__mg_copy2d(m, fn, sl->wqkv + (size_t)((qdg + r * kd) * H * 2), kd * H * 2, kd * H * 2, 1,
                                      ly->wqkv + (size_t)(qd * H * 2))) != MINIMAX_OK ||
            (res = minimax__mg_copy2d(m, fn, sl->wqkv + (size_t)((qdg + kdg + r * kd) * H * 2), kd * H * 2, kd * H * 2, 1,
                                      ly->wqkv + (size_t)((qd + kd) * H * 2))) != MINIMAX_OK)
            return res;
        MINIMAX__C(&ly->wo, H * qd * 2, sl->wo + (size_t)(r * qd * 2), qdg * 2, qd * 2, H);
        for (pass = 0; pass < 3; pass++) {
            minimax__cu_ptr sp = pass == 0 ? sl->w1p : pass == 1 ? sl->w3p : sl->w2p;
            minimax__cu_ptr ss = pass == 0 ? sl->w1s : pass == 1 ? sl->w3s : sl->w2s;
            minimax__cu_ptr sw = pass == 0 ? sl->ws2_1 : pass == 1 ? sl->ws2_3 : sl->ws2_2;
            minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
            minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
            minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
            if (pass < 2) { /* [E][NIg][H]: rows [r*NI, +NI) of each expert */
                MINIMAX__C(pp, E * NI * H / 2, sp + (size_t)(r * NI * H / 2), NIg * H / 2, NI * H / 2, E);
                MINIMAX__C(ps, E * NI * H / 16, ss + (size_t)(r * NI * H / 16), NIg * H / 16, NI * H / 16, E);
            } else { /* [E][H][NIg]: columns [r*NI, +NI) of every row */
                MINIMAX__C(pp, E * H * NI / 2, sp + (size_t)(r * NI / 2), NIg / 2, NI / 2, E * H);
                MINIMAX__C(ps, E * H * NI / 16, ss + (size_t)(r * NI / 16), NIg / 16, NI / 16, E * H);
            }
            MINIMAX__C(pw, E * 4, sw, E * 4, E * 4, 1);
        }
    }
#undef MINIMAX__C
    return minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "copy of a model");
}
