/* ===========================================================================
   IMPLEMENTATION: dispatch of the fast decode kernels (few token slots)
   ===========================================================================
   The forward pass (impl_50_engine.h) asks minimax__fast_mm_ok /
   minimax__fast_moe_ok for every BF16 product and every MoE stage; for a
   pass of at most MINIMAX__FAST_MAX_T token slots (decode steps, short
   prefill chunks) the kernels of the "FAST DECODE KERNELS" section of
   kernels.cu run instead of the general ones. Numbers are the same kind
   (fp32 activations and accumulation; only the summation order differs),
   except in the expert kernels, which multiply in packed f16 over each
   16-element block (kernels.cu "PACKED f16 ARITHMETIC": ~1e-3 of a dot
   product at worst, the order of a BF16 rounding of the activations).
   m->fast_decode: 1 = all fast kernels (the default), 0 = none (the
   benchmark's baseline), 2 = all but the split-KV attention, 4 = all, with
   the tensor-core expert kernels at T = 1 (opt-in: tested, fp32-accurate
   products; slower than the packed-f16 kernels, see BENCHMARKS.md). */

#define MINIMAX__FAST_MAX_T 8

enum {
    MINIMAX__FK_GEMV_T1,
    MINIMAX__FK_GEMV_T2,
    MINIMAX__FK_GEMV_T4,
    MINIMAX__FK_GEMV_T8,
    MINIMAX__FK_MOE_GATE_UP,
    MINIMAX__FK_MOE_DOWN,
    MINIMAX__FK_FILL_RANDOM,
    MINIMAX__FK_READ_BW,
    MINIMAX__FK_ATTN_SPLIT,
    MINIMAX__FK_ATTN_MERGE,
    MINIMAX__FK_GEMV_NORM_T1,
    MINIMAX__FK_ARGMAX_PART,
    MINIMAX__FK_SAMPLE_FAST,
    MINIMAX__FK_MOE_GATE_UP_MMA,
    MINIMAX__FK_MOE_DOWN_MMA,
    MINIMAX__FK_TO_PH,
    MINIMAX__FK_ATTN_SPLIT_QK,
    MINIMAX__FK_ATTN_SPLIT_G6,
    MINIMAX__FK_ATTN_SPLIT_QK_G6,
    MINIMAX__FK_L2_PREFETCH,
    MINIMAX__FK_GEMV_T1_MG,
    MINIMAX__FK_GEMV_NORM_T1_MG,
    MINIMAX__FK_MOE_DOWN_MG,
    MINIMAX__FK_MOE_GATE_UP_C,
    MINIMAX__FK_MOE_DOWN_C,
    MINIMAX__FK_MOE_DOWN_C1,
    MINIMAX__FK_COUNT
};
/* m->fn_fast holds a handle for each (a negative array size if it is too short) */
typedef char minimax__fn_fast_fits[MINIMAX__FK_COUNT <= sizeof ((minimax_model *)0)->fn_fast / sizeof(minimax__cu_function) ? 1 : -1];
static const char *const minimax__fast_kernel_names[MINIMAX__FK_COUNT] = {
    "k_gemv_bf16_t1",     "k_gemv_bf16_t2",  "k_gemv_bf16_t4", "k_gemv_bf16_t8",
    "k_moe_gate_up_h2",   "k_moe_down_h2",   "k_fill_random",  "k_read_bw", "k_attn_split", "k_attn_merge",
    "k_gemv_bf16_norm_t1", "k_argmax_part",  "k_sample_fast", "k_moe_gate_up_mma", "k_moe_down_mma", "k_to_ph",
    "k_attn_split_qk",    "k_attn_split_g6", "k_attn_split_qk_g6", "k_l2_prefetch", "k_gemv_bf16_t1_mg",
    "k_gemv_bf16_norm_t1_mg", "k_moe_down_h2_mg", "k_moe_gate_up_h2_c", "k_moe_down_h2_c",
    "k_moe_down_h2_c1"};

/* KV splits of the decode attention: 48 x 8 KV heads = 384 blocks per token
   slot, one wave on 132 SMs at 3 blocks per SM (k_attn_split takes 168
   registers a thread); 32 splits left 2 blocks of 4 warps per SM, too few
   loads in flight at long context. Each split holds ceil(context / 48) keys,
   but at least MINIMAX__ATTN_MIN_KEYS(T): with several token slots, 128 (one
   round of 32 keys per warp; 8 sessions at 512 tokens then run 256 blocks,
   not 3072 blocks of 11 keys), alone 1 as before (32, 64 or 128 did not make
   the batch-1 step faster in the experiments of BENCHMARKS.md). */
#define MINIMAX__ATTN_SPLITS 48
#define MINIMAX__ATTN_MIN_KEYS(T) ((T) > 1 ? 128 : 1)

/* The packed-f16 expert kernels (kernels.cu k_moe_gate_up_h2, k_moe_down_h2):
   gate/up (with the routing) runs MINIMAX__GU_BLOCKS(m, T) blocks of 256
   threads a token slot, its dynamic shared memory h in the H2 layout (6.75 KB
   at the real shapes); down takes MINIMAX__DOWN_ROWS output rows a block of
   128 threads (kernels.cu MD_ROWS), its dynamic shared memory one slot's
   activations in H2, topk * (2.25 I) bytes (27 KB at the real shapes;
   allowed up to MINIMAX__DOWN_SMEM_MAX by fast_init). */
#define MINIMAX__GU_BLOCKS(m, T) ((2 * (m)->num_sms / (T)) > 0 ? 2 * (m)->num_sms / (T) : 1)
#define MINIMAX__GU_SMEM(H) ((unsigned)(H) * 2u + (unsigned)(H) / 4u)
#define MINIMAX__DOWN_ROWS 8
#define MINIMAX__DOWN_SMEM(K, I) ((unsigned)(K) * ((unsigned)(I) * 2u + (unsigned)(I) / 4u))
#define MINIMAX__DOWN_SMEM_MAX (96 * 1024)

/* Blocks of k_argmax_part per sampled row (the greedy argmax over the
   vocabulary): 2 per SM. */
#define MINIMAX__ARGMAX_PARTS(m) (2 * (m)->num_sms)

/* Rows per warp group of the k_gemv_bf16_* instance for T token slots
   (kernels.cu; k_gemv_bf16_norm_t1 is a T = 1 instance). */
#define MINIMAX__GEMV_ROWS(T) ((T) == 2 ? 2 : 4)

/* m->fast_part holds the attention partials [8][nh][splits][132] fp32 (head_dim 128
   only), then the argmax partials [8][parts] (fp32 values, then int ids), then
   the post-attention normed vector in the PH layout (kernels.cu) [8][H] u32,
   then the q|k|v product's partial sums of squares [qkv_dim / 4] (one token
   slot: minimax__fast_qk_ssq), then the RoPE angles of the pass's positions
   [8][rotary_dim / 2] float2 (minimax__fast_rope: k_attn_split_qk's ROPE). */
MINIMAX__PRIV size_t minimax__fast_attn_part_bytes(const minimax_model *m) {
    return m->cfg.head_dim == 128 ? (size_t)MINIMAX__FAST_MAX_T * m->cfg.num_heads * MINIMAX__ATTN_SPLITS * 132 * 4 : 0;
}
MINIMAX__PRIV minimax__cu_ptr minimax__fast_hn_ph(const minimax_model *m) {
    return m->fast_part + minimax__fast_attn_part_bytes(m) + (size_t)MINIMAX__FAST_MAX_T * MINIMAX__ARGMAX_PARTS(m) * 8;
}
MINIMAX__PRIV minimax__cu_ptr minimax__fast_qk_ssq(const minimax_model *m) {
    return minimax__fast_hn_ph(m) + (size_t)MINIMAX__FAST_MAX_T * m->cfg.hidden_size * 4;
}
/* (8-byte aligned: the regions before it are multiples of 8 bytes, qkv_dim
   being a multiple of 128 where the split attention runs, head_dim 128) */
MINIMAX__PRIV minimax__cu_ptr minimax__fast_rope(const minimax_model *m) {
    return minimax__fast_qk_ssq(m) + (size_t)m->plan.qkv_dim / MINIMAX__GEMV_ROWS(1) * 4;
}

MINIMAX__PRIV minimax_result minimax__fast_init(minimax_model *m) {
    int i;
    for (i = 0; i < MINIMAX__FK_COUNT; i++) {
        char what[96];
        snprintf(what, sizeof what, "cuModuleGetFunction(%s)", minimax__fast_kernel_names[i]);
        if (minimax__mcheck(m, minimax__cu.cuModuleGetFunction(&m->fn_fast[i], m->module, minimax__fast_kernel_names[i]),
                            what) != MINIMAX_OK)
            return MINIMAX_ERR_JIT;
    }
    { /* the down kernels stage every routed slot's activations: more than the default 48 KB of shared memory */
        static const int staging[] = {MINIMAX__FK_MOE_DOWN, MINIMAX__FK_MOE_DOWN_MMA, MINIMAX__FK_MOE_DOWN_MG,
                                      MINIMAX__FK_MOE_DOWN_C, MINIMAX__FK_MOE_DOWN_C1};
        for (i = 0; i < (int)(sizeof staging / sizeof staging[0]); i++) {
            char what[96];
            snprintf(what, sizeof what, "cuFuncSetAttribute(%s)", minimax__fast_kernel_names[staging[i]]);
            if (minimax__mcheck(m,
                                minimax__cu.cuFuncSetAttribute(m->fn_fast[staging[i]], 8 /* MAX_DYNAMIC_SHARED_SIZE_BYTES */,
                                                               MINIMAX__DOWN_SMEM_MAX),
                                what) != MINIMAX_OK)
                return MINIMAX_ERR_JIT;
        }
    }
    m->num_sms = 0;
    minimax__cu.cuDeviceGetAttribute(&m->num_sms, 16 /* MULTIPROCESSOR_COUNT */, m->dev);
    if (m->num_sms <= 0) m->num_sms = 132;
    {
        minimax_result r = minimax__dalloc(m, minimax__fast_attn_part_bytes(m) +
                                                  (size_t)MINIMAX__FAST_MAX_T * MINIMAX__ARGMAX_PARTS(m) * 8 +
                                                  (size_t)MINIMAX__FAST_MAX_T * m->cfg.hidden_size * 4 +
                                                  (size_t)m->plan.qkv_dim / MINIMAX__GEMV_ROWS(1) * 4 +
                                                  (size_t)MINIMAX__FAST_MAX_T * (m->cfg.rotary_dim / 2) * 8,
                                           "attention and argmax partials", &m->fast_part);
        if (r != MINIMAX_OK) return r;
    }
    m->fast_decode = 1;
    /* the prefetch branch's stream and events (minimax__branch_prefetch) where
       the prefetch is on */
    m->branch_open = 0;
    if (m->l2_prefetch_bytes > 0 &&
        (minimax__mcheck(m, minimax__cu.cuStreamCreate(&m->side, 1 /* NON_BLOCKING */), "cuStreamCreate (branch)") !=
             MINIMAX_OK ||
         minimax__mcheck(m, minimax__cu.cuEventCreate(&m->ev_fork, 2 /* DISABLE_TIMING */), "cuEventCreate (fork)") !=
             MINIMAX_OK ||
         minimax__mcheck(m, minimax__cu.cuEventCreate(&m->ev_join, 2), "cuEventCreate (join)") != MINIMAX_OK))
        return MINIMAX_ERR_DEVICE;
    return MINIMAX_OK;
}

/* L2 prefetches in a graph branch (kernels.cu k_l2_prefetch): fork a branch
   off m->stream that asks L2 for the first `bytes` of `rows` rows (pitch
   apart) of pf, beside whatever m->stream runs next; the branch joins
   m->stream at minimax__branch_join (before the product that reads the
   rows, at the next fork, at the end of a pass). m->side exists where the
   prefetch is on (DRAM below 4 TB/s, minimax__fast_init), on one GPU and on
   every GPU of several (2 x H100, 62 layers, batch 1: TP = 2 5.436 -> 5.344
   ms a step, layer split 31,31 5.839 -> 5.600), for one-slot passes through
   the fast kernels. */
MINIMAX__PRIV int minimax__branch_ok(const minimax_model *m, int T) {
    return T == 1 && m->side && minimax__fast_moe_ok(m, T);
}
MINIMAX__PRIV minimax_result minimax__branch_join(minimax_model *m) {
    if (!m->branch_open) return MINIMAX_OK;
    m->branch_open = 0;
    return minimax__mcheck(m, minimax__cu.cuStreamWaitEvent(m->stream, m->ev_join, 0), "cuStreamWaitEvent (join)");
}
/* Fast kernel k on `stream`, grid gx x gy x gz (minimax__fast_launch: on
   m->stream, gz = 1). */
MINIMAX__PRIV minimax_result minimax__fast_launch_on(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned gz,
                                                     unsigned block, unsigned smem, minimax__cu_stream stream,
                                                     void **args) {
    return minimax__launch_fn(m, m->fn_fast[k], minimax__fast_kernel_names[k], gx, gy, gz, block, smem, stream, args);
}
MINIMAX__PRIV minimax_result minimax__fast_launch(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned block,
                                                  unsigned smem, void **args) {
    return minimax__fast_launch_on(m, k, gx, gy, 1, block, smem, m->stream, args);
}

MINIMAX__PRIV minimax_result minimax__branch_prefetch(minimax_model *m, minimax__cu_ptr pf, int rows, long long pitch,
                                                      int bytes) {
    minimax_result r;
    void *a[4];
    if ((r = minimax__branch_join(m)) != MINIMAX_OK) return r;
    if (bytes <= 0) return MINIMAX_OK;
    a[0] = &pf;
    a[1] = &rows;
    a[2] = &pitch;
    a[3] = &bytes;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(m->ev_fork, m->stream), "cuEventRecord (fork)")) != MINIMAX_OK ||
        (r = minimax__mcheck(m, minimax__cu.cuStreamWaitEvent(m->side, m->ev_fork, 0), "cuStreamWaitEvent (fork)")) !=
            MINIMAX_OK ||
        (r = minimax__fast_launch_on(m, MINIMAX__FK_L2_PREFETCH, (unsigned)MINIMAX__CDIV(rows, 256), 1, 1, 256, 0, m->side,
                                     a)) != MINIMAX_OK ||
        (r = minimax__mcheck(m, minimax__cu.cuEventRecord(m->ev_join, m->side), "cuEventRecord (join)")) != MINIMAX_OK)
        return r;
    m->branch_open = 1;
    return MINIMAX_OK;
}

/* Token slots a pass of a decode step of n sessions takes (the engine's
   minimax__enqueue_step): at most MINIMAX__FAST_MAX_T where the fast kernels
   run (their instances and scratch hold that many; the general kernels a
   larger pass falls back to took 92.3 ms for 64 sessions on an H100 with 16
   layers, 8 passes of 8 take 51.2: BENCHMARKS.md), else all n in one pass.
   Several GPUs: the front model and every rank agree (fast_decode is the
   same on all of them). The pass layout is baked into the graph captured for
   n, and the rows input follows it: whoever changes fast_decode after load
   drops the graphs (minimax__bench_reset_graphs). A model whose shapes the
   fast kernels reject runs its passes of 8 through the general kernels
   (correct; not measured against one pass). */
MINIMAX__PRIV int minimax__pass_slots(const minimax_model *m, int n) {
    return m->fast_decode && n > MINIMAX__FAST_MAX_T ? MINIMAX__FAST_MAX_T : n;
}

MINIMAX__PRIV int minimax__fast_mm_ok(const minimax_model *m, int T, int K) {
    return m->fast_decode && T >= 1 && T <= MINIMAX__FAST_MAX_T && K % 8 == 0;
}


/* The K split S of a k_gemv_bf16_* launch over N rows, R rows per warp group
   (8 warps a block, S warps a group): the smallest that gives the grid at
   least 2 blocks per SM. At T = 1: S = 2 for the 8192-row q|k|v, 4 for the
   3072-row o_proj, 8 for the router. */
MINIMAX__PRIV int minimax__gemv_split(const minimax_model *m, int N, int R) {
    int S = 1;
    while (S < 8 && MINIMAX__CDIV(N, (8 / S) * R) < 2 * m->num_sms) S *= 2;
    return S;
}

/* Blocks of a k_gemv_bf16_t1 / k_gemv_bf16_norm_t1 launch over N rows (*S:
   its K split) */
MINIMAX__PRIV unsigned minimax__gemv_t1_grid(const minimax_model *m, int N, int *S) {
    int R = MINIMAX__GEMV_ROWS(1);
    *S = minimax__gemv_split(m, N, R);
    return (unsigned)MINIMAX__CDIV(N, (8 / *S) * R);
}

/* Y[T, N] (+)= X[T, K] . W[N, K]^T with k_gemv_bf16_t{1,2,4,8}; l2_ahead:
   16ths of each warp's weights asked of L2 before the kernel's dependency
   wait (kernels.cu gemv_bf16_body), 0: none. */
MINIMAX__PRIV minimax_result minimax__fast_mm(minimax_model *m, minimax__cu_ptr X, minimax__cu_ptr W, minimax__cu_ptr Y,
                                              int T, int N, int K, int accumulate, int l2_ahead) {
    int k = T <= 1 ? MINIMAX__FK_GEMV_T1 : T <= 2 ? MINIMAX__FK_GEMV_T2 : T <= 4 ? MINIMAX__FK_GEMV_T4 : MINIMAX__FK_GEMV_T8;
    int R = MINIMAX__GEMV_ROWS(T), S = minimax__gemv_split(m, N, R);
    void *a[9];
    a[0] = &X;
    a[1] = &W;
    a[2] = &Y;
    a[3] = &T;
    a[4] = &N;
    a[5] = &K;
    a[6] = &accumulate;
    a[7] = &S;
    a[8] = &l2_ahead;
    return minimax__fast_launch(m, k, (unsigned)MINIMAX__CDIV(N, (8 / S) * R), 1, 256, 0, a);
}

MINIMAX__PRIV int minimax__fast_moe_ok(const minimax_model *m, int T) {
    const minimax_config *c = &m->cfg;
    return m->fast_decode && T >= 1 && T <= MINIMAX__FAST_MAX_T && c->hidden_size % 32 == 0 &&
           c->intermediate_size % 32 == 0 && c->top_k <= 32 && MINIMAX__GU_SMEM(c->hidden_size) <= 48 * 1024 &&
           MINIMAX__DOWN_SMEM(c->top_k, c->intermediate_size) <= MINIMAX__DOWN_SMEM_MAX;
}
MINIMAX__PRIV int minimax__fast_moe_mma_ok(const minimax_model *m, int T);
/* The routing inside the packed-f16 gate/up kernel (no k_router launch);
   else k_router, and the gate/up kernel takes the ids (top-k above 8). */
MINIMAX__PRIV int minimax__fast_route_ok(const minimax_model *m, int T) {
    return minimax__fast_moe_ok(m, T) && !minimax__fast_moe_mma_ok(m, T) && m->cfg.top_k <= 8;
}

/* The tensor-core expert kernels (one token slot; the normed input in the PH
   layout at minimax__fast_hn_ph, written by minimax__norm_router). Their
   dynamic shared memory: PH vectors at MINIMAX__PH_PAD words a 32-element
   chunk (kernels.cu PH_PAD), h for gate/up, the slot's topk activations for
   down (55 KB at the real shapes: allowed up to MINIMAX__DOWN_SMEM_MAX). */
#define MINIMAX__PH_PAD 36
#define MINIMAX__MMA_GU_THREADS 128 /* kernels.cu MG_WARPS * 32 */
#define MINIMAX__MMA_GU_SMEM(H) ((unsigned)(H) / 32u * MINIMAX__PH_PAD * 4u)
#define MINIMAX__MMA_DOWN_SMEM(K, I) ((unsigned)(K) * ((unsigned)(I) / 32u) * MINIMAX__PH_PAD * 4u)
MINIMAX__PRIV int minimax__fast_moe_mma_ok(const minimax_model *m, int T) {
    const minimax_config *c = &m->cfg;
    return m->fast_decode == 4 && T == 1 && m->fast_part && c->hidden_size % 128 == 0 &&
           MINIMAX__MMA_GU_SMEM(c->hidden_size) <= 48 * 1024 && c->intermediate_size % 128 == 0 && c->top_k <= 32 &&
           MINIMAX__MMA_DOWN_SMEM(c->top_k, c->intermediate_size) <= MINIMAX__DOWN_SMEM_MAX;
}

/* The packed-f16 expert kernels for shapes (H, NI, top-k): the "_c"
   instances, compiled with the model's shapes as constants (kernels.cu
   MOE_SHAPE; minimax__model_create passes those of m->cfg to the JIT),
   where they are those, else the generic ones. *gu: gate/up; *down: down, or
   (mg) the tensor-parallel down with fused collectives, always the generic
   k_moe_down_h2_mg: compiled for the shapes it made TP=2 slower (2 x H200,
   62 layers: 3.348 ms a step with the compiled gate/up alone, 3.546 with
   both, 3.425 with neither). Under tensor parallelism the down kernel stays
   generic in passes of several slots too (no fused collectives there): the
   compiled one made TP=2 at batch 8 10% slower (2 x H100, 62 layers: 15.37-
   15.39 ms a step, 13.99 with both generic, 13.89-13.94 with the compiled
   gate/up alone). Why the compiled down is slower at this GPU's slice (I =
   768) and not at the whole width was not found. A pass of one token slot
   (T = 1) on one GPU takes k_moe_down_h2_c1 (the whole walk of a lane in
   flight at once, kernels.cu moe_down_h2_body's ALL). */
MINIMAX__PRIV void minimax__fast_moe_kernels(const minimax_model *m, int H, int NI, int K, int T, int mg, int *gu,
                                             int *down) {
    int c = H == m->cfg.hidden_size && NI == m->cfg.intermediate_size && K == m->cfg.top_k;
    *gu = c ? MINIMAX__FK_MOE_GATE_UP_C : MINIMAX__FK_MOE_GATE_UP;
    *down = mg                             ? MINIMAX__FK_MOE_DOWN_MG
            : !c || minimax__mg_tp(m) > 1 ? MINIMAX__FK_MOE_DOWN
            : T == 1                       ? MINIMAX__FK_MOE_DOWN_C1
                                           : MINIMAX__FK_MOE_DOWN_C;
}

/* Gate/up + SiLU (act in the H2 layout) with the routing of the pass (the
   logits m->rlog -> m->topk_idx, m->topk_wt), then down + routing weights +
   residual into x; at T = 1 with fast_decode 4 the tensor-core kernels (act
   in PH), after k_router. F (tensor parallelism, fused collectives, T = 1,
   not the tensor-core kernels): down adds to x the sum over ranks of their
   parts (k_moe_down_h2_mg), not its own part alone. */
MINIMAX__PRIV minimax_result minimax__fast_moe(minimax_model *m, const minimax__dev_layer *ly, int T,
                                               const minimax__mg_fuse *F) {
    int H = m->cfg.hidden_size, NI = m->cfg.intermediate_size, K = m->cfg.top_k, E = m->cfg.num_experts;
    int mma = minimax__fast_moe_mma_ok(m, T), fk_gu, fk_down;
    minimax__cu_ptr rflag = 0; /* the one-slot down takes the ids before its wait (kernels.cu EARLY) */
    float rsf = m->cfg.routed_scaling_factor > 0 ? m->cfg.routed_scaling_factor : 1.0f;
    minimax_result r;
    void *a[18];
    minimax__fast_moe_kernels(m, H, NI, K, T, F != NULL, &fk_gu, &fk_down);
    if (fk_down == MINIMAX__FK_MOE_DOWN_C1 && minimax__fast_route_ok(m, T)) rflag = m->route_flag;
    if (mma) {
        minimax__cu_ptr h = minimax__fast_hn_ph(m); /* the normed input in PH */
        a[0] = &h;
        a[1] = &m->topk_idx;
        a[2] = (void *)&ly->w1p;
        a[3] = (void *)&ly->w1s;
        a[4] = (void *)&ly->ws2_1;
        a[5] = (void *)&ly->w3p;
        a[6] = (void *)&ly->w3s;
        a[7] = (void *)&ly->ws2_3;
        a[8] = &m->act;
        a[9] = &H;
        a[10] = &NI;
        a[11] = &K;
        r = minimax__fast_launch(m, MINIMAX__FK_MOE_GATE_UP_MMA, (unsigned)MINIMAX__CDIV(NI, 8), (unsigned)(T * K),
                                 MINIMAX__MMA_GU_THREADS, MINIMAX__MMA_GU_SMEM(H), a);
    } else {
        minimax__cu_ptr lg = minimax__fast_route_ok(m, T) ? m->rlog : 0; /* 0: the ids from k_router */
        a[0] = &lg;
        a[1] = (void *)&ly->router_bias;
        a[2] = &E;
        a[3] = &rsf;
        a[4] = &m->topk_idx;
        a[5] = &m->topk_wt;
        a[6] = &m->hn;
        a[7] = (void *)&ly->w1p;
        a[8] = (void *)&ly->w1s;
        a[9] = (void *)&ly->ws2_1;
        a[10] = (void *)&ly->w3p;
        a[11] = (void *)&ly->w3s;
        a[12] = (void *)&ly->ws2_3;
        a[13] = &m->act;
        a[14] = &H;
        a[15] = &NI;
        a[16] = &K;
        a[17] = &rflag;
        r = minimax__fast_launch(m, fk_gu, (unsigned)MINIMAX__GU_BLOCKS(m, T), (unsigned)T, 256, MINIMAX__GU_SMEM(H), a);
    }
    if (r != MINIMAX_OK) return r;
    a[0] = &m->act;
    a[1] = &m->topk_idx;
    a[2] = &m->topk_wt;
    a[3] = (void *)&ly->w2p;
    a[4] = (void *)&ly->w2s;
    a[5] = (void *)&ly->ws2_2;
    a[6] = &m->x;
    a[7] = &H;
    a[8] = &NI;
    a[9] = &K;
    a[10] = &rflag; /* k_moe_down_h2_c1's 11th and 12th; _mg takes F there (below), the rest take 10 */
    a[11] = &E;
    if (F && !mma) {
        a[10] = (void *)F;
        return minimax__fast_launch(m, fk_down, (unsigned)MINIMAX__CDIV(H, MINIMAX__DOWN_ROWS), 1, 128,
                                    MINIMAX__DOWN_SMEM(K, NI), a);
    }
    if (mma)
        return minimax__fast_launch(m, MINIMAX__FK_MOE_DOWN_MMA, (unsigned)(H / 16), (unsigned)T, 256,
                                    MINIMAX__MMA_DOWN_SMEM(K, NI), a);
    return minimax__fast_launch(m, fk_down, (unsigned)MINIMAX__CDIV(H, MINIMAX__DOWN_ROWS), (unsigned)T, 128,
                                MINIMAX__DOWN_SMEM(K, NI), a);
}

MINIMAX__PRIV int minimax__fast_attn_ok(const minimax_model *m, int T) {
    const minimax_config *c = &m->cfg;
    return (m->fast_decode == 1 || m->fast_decode == 4) && m->fast_part && T >= 1 && T <= MINIMAX__FAST_MAX_T &&
           c->head_dim == 128 &&
           c->num_heads % c->num_kv_heads == 0 && c->num_heads / c->num_kv_heads <= 8;
}

/* k_attn_split_qk (the QK-norm, RoPE and KV append inside the attention's
   blocks, no kernel of their own) for a pass of one token slot: a decode step
   of one session, or a prefill chunk of one token. (Several slots of
   distinct sessions would do too; a prefill chunk's slots read keys other
   slots append, so the engine keeps it to T = 1.) */
MINIMAX__PRIV int minimax__fast_attn_qk_ok(const minimax_model *m, int T) {
    return T == 1 && minimax__fast_attn_ok(m, T);
}

/* The split kernel for G query heads a KV head: the instances compiled for
   G = 6 (MiniMax-M2: 48 / 8 heads, also 24 / 4 at TP = 2) unroll their head
   loops 6 times, not 8 with a test each: 16% less code in a kernel whose
   warps waited on instruction fetch in 37% of ncu's stall samples, and no
   spills. */
MINIMAX__PRIV int minimax__fast_attn_split_kernel(int G, int qk) {
    if (G == 6) return qk ? MINIMAX__FK_ATTN_SPLIT_QK_G6 : MINIMAX__FK_ATTN_SPLIT_G6;
    return qk ? MINIMAX__FK_ATTN_SPLIT_QK : MINIMAX__FK_ATTN_SPLIT;
}

/* Split-KV attention of T token slots: k_attn_split then k_attn_merge (m->qr
   -> m->attn); qk: k_attn_split_qk from the raw m->qkv instead (the layer's
   norm weights from ly; sums: the all-reduced sums of squares under tensor
   parallelism, else 0; ssq: the partial sums of squares the q|k|v product
   left (minimax__fast_qk_ssq), else 0; F: tensor parallelism with fused
   collectives, sums and ssq 0: the ranks' partial sums of squares, else
   NULL). With qk, layer m->attn_l0 stores the RoPE angles and every other
   layer loads them: so a pass must be enqueued from its first call (begin,
   which sets m->attn_l0) in layer order, as minimax__enqueue_launches'
   callers do; a caller outside a pass may use qk = 0 only. */
MINIMAX__PRIV minimax_result minimax__fast_attn(minimax_model *m, const minimax__dev_layer *ly, int layer, int T, int qk,
                                                minimax__cu_ptr sums, minimax__cu_ptr ssq, const minimax__mg_fuse *F) {
    const minimax_config *c = &m->cfg;
    minimax__cu_ptr pos = m->step_in + m->off_pos, srow = m->step_in + m->off_srow;
    int nblocks = m->plan.num_blocks, maxb = m->plan.max_blocks, bs = m->plan.block_tokens;
    int nh = c->num_heads, nkv = c->num_kv_heads, splits = MINIMAX__ATTN_SPLITS, min_keys = MINIMAX__ATTN_MIN_KEYS(T);
    int tp = minimax__mg_tp(m), rd = c->rotary_dim;
    float theta = c->rope_theta, eps = c->rms_norm_eps;
    unsigned smem = (unsigned)(5 * (nh / nkv) * 128 * 4);
    minimax__mg_fuse off;
    minimax_result r;
    void *a[24];
    /* the RoPE angles: computed and stored by the pass's first layer, loaded
       by the others (kernels.cu ROPE at attn_split_body) */
    minimax__cu_ptr rope = minimax__fast_rope(m);
    int rope_mode = layer == m->attn_l0 ? 1 : 2;
    memset(&off, 0, sizeof off);
    a[0] = qk ? &m->qkv : &m->qr;
    a[1] = &m->fast_part;
    a[2] = &pos;
    a[3] = &srow;
    a[4] = &m->block_table;
    a[5] = &m->kv;
    a[6] = &layer;
    a[7] = &nblocks;
    a[8] = &maxb;
    a[9] = &bs;
    a[10] = &nh;
    a[11] = &nkv;
    a[12] = &min_keys;
    a[13] = (void *)&ly->q_norm;
    a[14] = (void *)&ly->k_norm;
    a[15] = &sums;
    a[16] = &tp;
    a[17] = &rd;
    a[18] = &theta;
    a[19] = &eps;
    a[20] = &ssq;
    a[21] = (void *)(F ? F : &off);
    a[22] = &rope;
    a[23] = &rope_mode;
    if ((r = minimax__fast_launch_on(m, minimax__fast_attn_split_kernel(nh / nkv, qk), (unsigned)nkv, (unsigned)splits,
                                     (unsigned)T, 128, smem, m->stream, a)) != MINIMAX_OK)
        return r;
    a[0] = &m->fast_part;
    a[1] = &m->attn;
    a[2] = &pos;
    a[3] = &nh;
    a[4] = &splits;
    a[5] = &min_keys;
    if ((r = minimax__fast_launch(m, MINIMAX__FK_ATTN_MERGE, (unsigned)nh, (unsigned)T, 128, 0, a)) != MINIMAX_OK) return r;
    return MINIMAX_OK;
}

/* ---- fused RMSNorm + product, sampling (decode of one token slot) ---- */

MINIMAX__PRIV int minimax__fast_norm_ok(const minimax_model *m, int T, int K) {
    return m->fast_decode && T == 1 && K % 8 == 0;
}

/* Y[1, N] = rmsnorm(x[1, K], nw) . W[N, K]^T; xn (if not 0) receives the normed
   vector (xn_ph: in the PH layout). One launch of k_gemv_bf16_norm_t1 when
   minimax__fast_norm_ok (ssq, if not 0: the partial sums of squares of Y,
   kernels.cu GV_SSQ_ROWS outputs each), else k_rmsnorm into xn (m->hn when 0)
   and the product (ssq not written: callers check minimax__fast_norm_ok).
   l2_ahead: as minimax__fast_mm's (the fused launch only). */
MINIMAX__PRIV minimax_result minimax__norm_mm_f(minimax_model *m, minimax__cu_ptr x, minimax__cu_ptr nw, minimax__cu_ptr W,
                                                minimax__cu_ptr Y, int T, int N, int K, minimax__cu_ptr xn, int xn_ph,
                                                minimax__cu_ptr ssq, int l2_ahead) {
    float eps = m->cfg.rms_norm_eps;
    int S, acc = 0;
    unsigned grid = minimax__gemv_t1_grid(m, N, &S);
    void *a[13];
    if (!minimax__fast_norm_ok(m, T, K)) {
        minimax_result r;
        minimax__cu_ptr out = xn ? xn : m->hn;
        if ((r = minimax__rmsnorm(m, x, 0, nw, out, T)) != MINIMAX_OK) return r;
        return minimax__mm(m, out, W, Y, T, N, K, 0);
    }
    a[0] = &x;
    a[1] = &nw;
    a[2] = &eps;
    a[3] = &W;
    a[4] = &Y;
    a[5] = &xn;
    a[6] = &N;
    a[7] = &K;
    a[8] = &acc;
    a[9] = &S;
    a[10] = &xn_ph;
    a[11] = &ssq;
    a[12] = &l2_ahead;
    return minimax__fast_launch(m, MINIMAX__FK_GEMV_NORM_T1, grid, 1, 256, 0, a);
}

/* 16ths of the rest of each router warp's K slice (past the chunk a lane
   loads first) asked of L2 before the wait: all of it (kernels.cu
   gemv_bf16_body's l2_ahead, COLD LOADS) */
#define MINIMAX__ROUTER_L2_AHEAD 16
/* Post-attention RMSNorm + router logits (m->rlog) for the layer, leaving the
   normed vector where the expert kernels read it: PH at minimax__fast_hn_ph
   for the tensor-core kernels (fused into the router product, or converted
   after k_rmsnorm for an F32 router), else m->hn. */
MINIMAX__PRIV minimax_result minimax__norm_router(minimax_model *m, const minimax__dev_layer *ly, int T) {
    int H = m->cfg.hidden_size, E = m->cfg.num_experts;
    int mma = minimax__fast_moe_mma_ok(m, T) && minimax__fast_moe_ok(m, T);
    minimax_result r;
    if (!ly->router_f32) {
        if (mma && minimax__fast_norm_ok(m, T, H))
            return minimax__norm_mm_f(m, m->x, ly->post_norm, ly->router, m->rlog, T, E, H, minimax__fast_hn_ph(m), 1, 0,
                                      MINIMAX__ROUTER_L2_AHEAD);
        if ((r = minimax__norm_mm_f(m, m->x, ly->post_norm, ly->router, m->rlog, T, E, H, m->hn, 0, 0,
                                    MINIMAX__ROUTER_L2_AHEAD)) != MINIMAX_OK)
            return r;
    } else {
        if ((r = minimax__rmsnorm(m, m->x, 0, ly->post_norm, m->hn, T)) != MINIMAX_OK) return r;
        if ((r = minimax__mm_k(m, MINIMAX__K_MM_F32, m->hn, ly->router, m->rlog, T, E, H, 0, 0)) != MINIMAX_OK) return r;
    }
    if (mma) {
        minimax__cu_ptr hp = minimax__fast_hn_ph(m);
        void *a[3];
        a[0] = &m->hn;
        a[1] = &hp;
        a[2] = &H;
        return minimax__fast_launch(m, MINIMAX__FK_TO_PH, (unsigned)MINIMAX__CDIV(H / 2, 256), (unsigned)T, 256, 0, a);
    }
    return MINIMAX_OK;
}

/* Samples rows 0..R-1 of m->logits into m->sampled: k_argmax_part (many
   blocks) then k_sample_fast for R <= MINIMAX__FAST_MAX_T, else k_sample. */
MINIMAX__PRIV minimax_result minimax__sample(minimax_model *m, int R) {
    int V = m->cfg.vocab_size, valid = m->plan.valid_vocab, parts = MINIMAX__ARGMAX_PARTS(m);
    minimax__cu_ptr sp = m->step_in + m->off_sp;
    minimax__cu_ptr pb = m->fast_part + minimax__fast_attn_part_bytes(m), pi = pb + (size_t)MINIMAX__FAST_MAX_T * parts * 4;
    minimax_result r;
    void *a[8];
    a[0] = &m->logits;
    a[1] = &V;
    a[2] = &valid;
    if (!m->fast_decode || !m->fast_part || R > MINIMAX__FAST_MAX_T) {
        a[3] = &sp;
        a[4] = &m->sampled;
        return minimax__launch(m, MINIMAX__K_SAMPLE, (unsigned)R, 1, 1024, a);
    }
    a[3] = &pb;
    a[4] = &pi;
    if ((r = minimax__fast_launch(m, MINIMAX__FK_ARGMAX_PART, (unsigned)parts, (unsigned)R, 256, 0, a)) != MINIMAX_OK)
        return r;
    a[3] = &sp;
    a[4] = &m->sampled;
    a[5] = &pb;
    a[6] = &pi;
    a[7] = &parts;
    return minimax__fast_launch(m, MINIMAX__FK_SAMPLE_FAST, (unsigned)R, 1, 1024, 0, a);
}
