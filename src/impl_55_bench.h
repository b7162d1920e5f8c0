/* ===========================================================================
   IMPLEMENTATION: benchmark support (synthetic weights, read bandwidth,
   timed decode steps, bytes per step); used by examples/bench.c
   ===========================================================================
   Private entry points, not part of the public API:

     minimax__model_create_synthetic(desc, cfg, seed, &m)
         a model whose weights are random numbers made directly on the GPU,
         in exactly the buffers and layout minimax__upload_layer produces from
         a checkpoint (BF16 attention/router/embedding/lm_head, fp32 norms,
         NVFP4 experts in the ModelOpt layout with E4M3 block scales in
         [64, 448] and per-matrix weight_scale_2 ~ 3.7e-5, so expert weights
         are ~0.02 like the BF16 ones). No zeros: every value is drawn.
     minimax__bench_read_bw(m, bytes, &gbps)   read-only pass over `bytes`
     minimax__bench_steps(m, ss, n, steps, warmup, ms)  times graph replays
     minimax__bench_count_bytes(...)           bytes one step must read
     minimax__bench_trace(m, g0, ss, n, path)  one step's block times (GPU g0's) to a file

   Everything runs on the model's stream; timings use CUDA events. */

typedef struct minimax__synth {
    uint64_t seed;
    uint64_t counter; /* each buffer gets its own stream of numbers */
} minimax__synth;

/* Fills `bytes` (rounded up to whole 32-bit words; allocations here are
   rounded the same way) with k_fill_random of the given kind. */
MINIMAX__PRIV minimax_result minimax__bench_fill(minimax_model *m, minimax__cu_ptr p, size_t bytes, int kind, float a,
                                                 float b, uint64_t seed) {
    unsigned long long n = (unsigned long long)((bytes + 3) / 4);
    unsigned grid = minimax__stride_grid(n, (unsigned)m->num_sms * 16);
    void *args[6];
    args[0] = &p;
    args[1] = &n;
    args[2] = &seed;
    args[3] = &kind;
    args[4] = &a;
    args[5] = &b;
    return minimax__fast_launch(m, MINIMAX__FK_FILL_RANDOM, grid, 1, 256, 0, args);
}

MINIMAX__PRIV minimax_result minimax__synth_buf(minimax_model *m, minimax__synth *sy, size_t bytes, int kind, float a,
                                                float b, const char *what, minimax__cu_ptr *out) {
    minimax_result r;
    if ((r = minimax__dalloc(m, (bytes + 3) & ~(size_t)3, what, out)) != MINIMAX_OK) return r;
    return minimax__bench_fill(m, *out, bytes, kind, a, b, minimax__mix64(sy->seed ^ minimax__mix64(++sy->counter)));
}

enum { MINIMAX__FILL_BF16 = 0, MINIMAX__FILL_F32 = 1, MINIMAX__FILL_BYTES = 2, MINIMAX__FILL_E4M3 = 3 };

/* minimax__weights_fill_fn for minimax__model_create_from. Standard
   deviations: 0.02 for every BF16 matrix, 1 +- 0.1 for norms, 0.01 for the
   routing bias, uniform (not Gaussian) shapes: timing does not care. */
MINIMAX__PRIV minimax_result minimax__synth_fill(minimax_model *m, void *user) {
    minimax__synth *sy = (minimax__synth *)user;
    const minimax_config *c = &m->cfg;
    size_t H = (size_t)c->hidden_size, V = (size_t)c->vocab_size, E = (size_t)c->num_experts;
    size_t NI = (size_t)c->intermediate_size;
    size_t qd = (size_t)c->num_heads * c->head_dim, kd = (size_t)c->num_kv_heads * c->head_dim;
    const float ws2_mean = 0.02f * 5.0f / (6.0f * 448.0f); /* tensor amax ~ 5 sd, over 6 * 448 */
    minimax_result r;
    int L, pass;
    m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
    if (!m->layers) return MINIMAX_ERR_OUT_OF_MEMORY;
    memset(m->layers, 0, (size_t)c->num_layers * sizeof *m->layers);
#define MINIMAX__SB(bytes, kind, a, b, what, out)                                                                      \
    do {                                                                                                               \
        if ((r = minimax__synth_buf(m, sy, (bytes), (kind), (a), (b), (what), (out))) != MINIMAX_OK) return r;          \
    } while (0)
    MINIMAX__SB(V * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "embed_tokens", &m->embed);
    MINIMAX__SB(V * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "lm_head", &m->lm_head);
    MINIMAX__SB(H * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "final norm", &m->final_norm);
    for (L = 0; L < c->num_layers; L++) {
        minimax__dev_layer *ly = &m->layers[L];
        MINIMAX__SB(H * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->in_norm);
        MINIMAX__SB(H * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->post_norm);
        MINIMAX__SB(qd * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->q_norm);
        MINIMAX__SB(kd * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->k_norm);
        MINIMAX__SB(E * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "router", &ly->router);
        ly->router_f32 = 0;
        MINIMAX__SB(E * 4, MINIMAX__FILL_F32, 0.0f, 0.01f, "router bias", &ly->router_bias);
        MINIMAX__SB((qd + 2 * kd) * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "wqkv", &ly->wqkv);
        MINIMAX__SB(H * qd * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "wo", &ly->wo);
        for (pass = 0; pass < 3; pass++) {
            size_t rows = pass == 2 ? H : NI, cols = pass == 2 ? NI : H;
            minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
            minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
            minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
            /* uniform random words: uniform codes in the checkpoint's packing and in
               the permuted one of minimax__fp4_layout alike, so no conversion */
            MINIMAX__SB(E * rows * cols / 2, MINIMAX__FILL_BYTES, 0.0f, 0.0f, "experts", pp);
            MINIMAX__SB(E * rows * cols / 16, MINIMAX__FILL_E4M3, 0.0f, 0.0f, "expert scales", ps);
            MINIMAX__SB(E * 4, MINIMAX__FILL_F32, ws2_mean, 0.1f * ws2_mean, "weight_scale_2", pw);
        }
    }
#undef MINIMAX__SB
    return minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "synthetic weights");
}

MINIMAX__PRIV minimax_result minimax__model_create_synthetic(const minimax_model_desc *desc, const minimax_config *cfg,
                                                             uint64_t seed, minimax_model **out) {
    minimax__synth sy;
    sy.seed = seed;
    sy.counter = 0;
    return minimax__model_create_from(desc, cfg, NULL, minimax__synth_fill, &sy, out);
}

/* MiniMax-M2.5's shapes (MODEL.md) with `layers` decoder layers. */
MINIMAX__PRIV minimax_config minimax__bench_real_config(int layers) {
    minimax_config c;
    memset(&c, 0, sizeof c);
    c.hidden_size = 3072;
    c.num_layers = layers;
    c.num_heads = 48;
    c.num_kv_heads = 8;
    c.head_dim = 128;
    c.rotary_dim = 64;
    c.intermediate_size = 1536;
    c.num_experts = 256;
    c.top_k = 8;
    c.vocab_size = 200064;
    c.max_position_embeddings = 196608;
    c.bos_token_id = 200034;
    c.eos_token_id = 200020;
    c.rope_theta = 5e6f;
    c.rms_norm_eps = 1e-6f;
    c.routed_scaling_factor = 1.0f;
    return c;
}

static int minimax__cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

MINIMAX__PRIV float minimax__median(float *v, int n) {
    qsort(v, (size_t)n, sizeof *v, minimax__cmp_float);
    return n ? (n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2])) : 0.0f;
}

/* Events around `reps` enqueues of fn(m, user); returns the median ms of one. */
typedef minimax_result (*minimax__bench_fn)(minimax_model *m, void *user, int rep);
MINIMAX__PRIV minimax_result minimax__bench_time(minimax_model *m, minimax__bench_fn fn, void *user, int warmup, int reps,
                                                 float *median_ms) {
    minimax__cu_event e0 = NULL, e1 = NULL;
    minimax_result r = MINIMAX_OK;
    float *t = (float *)minimax__alloc((size_t)(reps > 0 ? reps : 1) * sizeof(float), "timings");
    int i;
    if (!t) return MINIMAX_ERR_OUT_OF_MEMORY;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e0, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e1, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    for (i = 0; i < warmup + reps; i++) {
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e0, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = fn(m, user, i)) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e1, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventSynchronize(e1), "benchmark")) != MINIMAX_OK) goto out;
        if (i >= warmup && (r = minimax__mcheck(m, minimax__cu.cuEventElapsedTime(&t[i - warmup], e0, e1),
                                                "cuEventElapsedTime")) != MINIMAX_OK)
            goto out;
    }
    *median_ms = minimax__median(t, reps);
out:
    if (e0) minimax__cu.cuEventDestroy(e0);
    if (e1) minimax__cu.cuEventDestroy(e1);
    MINIMAX_FREE(t);
    return r;
}

typedef struct minimax__bw_job {
    minimax__cu_ptr src, out;
    unsigned long long n16;
    unsigned grid;
} minimax__bw_job;

MINIMAX__PRIV minimax_result minimax__bw_run(minimax_model *m, void *user, int rep) {
    minimax__bw_job *j = (minimax__bw_job *)user;
    void *a[3];
    (void)rep;
    a[0] = &j->src;
    a[1] = &j->n16;
    a[2] = &j->out;
    return minimax__fast_launch(m, MINIMAX__FK_READ_BW, j->grid, 1, 256, 0, a);
}

/* Read-only bandwidth: k_read_bw over `bytes` of random data (median of 10). */
MINIMAX__PRIV minimax_result minimax__bench_read_bw(minimax_model *m, size_t bytes, double *gbps) {
    minimax__bw_job j;
    minimax__cu_ptr buf = 0, out = 0;
    minimax_result r;
    float ms = 0;
    minimax__ctx_guard g;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    bytes &= ~(size_t)15;
    j.grid = (unsigned)m->num_sms * 8;
    j.n16 = bytes / 16;
    if ((r = minimax__mcheck(m, minimax__cu.cuMemAlloc(&buf, bytes), "bandwidth buffer")) != MINIMAX_OK) goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuMemAlloc(&out, (size_t)j.grid * 4), "bandwidth buffer")) != MINIMAX_OK)
        goto out;
    if ((r = minimax__bench_fill(m, buf, bytes, MINIMAX__FILL_BYTES, 0, 0, 12345)) != MINIMAX_OK) goto out;
    j.src = buf;
    j.out = out;
    if ((r = minimax__bench_time(m, minimax__bw_run, &j, 2, 10, &ms)) != MINIMAX_OK) goto out;
    *gbps = (double)bytes / (ms * 1e-3) / 1e9;
out:
    if (buf) minimax__cu.cuMemFree(buf);
    if (out) minimax__cu.cuMemFree(out);
    minimax__leave(&g);
    return r;
}

/* Drops the captured step graphs (after switching kernels). */
MINIMAX__PRIV void minimax__bench_reset_graphs(minimax_model *m) {
    int i;
    for (i = 0; i <= m->plan.max_sessions; i++)
        if (m->graphs[i]) {
            minimax__cu.cuGraphExecDestroy(m->graphs[i]);
            m->graphs[i] = NULL;
        }
}

/* Gives the session `ctx` tokens of random (BF16, sd 1) KV cache instead of a
   prefill: blocks reserved, position set. The caller fills the pool once with
   minimax__bench_fill_kv. */
MINIMAX__PRIV minimax_result minimax__bench_fake_context(minimax_session *s, int ctx) {
    minimax_result r;
    if (ctx > s->model->plan.max_context)
        return minimax__fail(MINIMAX_ERR_CONTEXT_FULL, "context %d exceeds max_context %d", ctx, s->model->plan.max_context);
    if ((r = minimax__reserve(s, ctx)) != MINIMAX_OK) return r;
    s->pos = ctx;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__bench_fill_kv(minimax_model *m, uint64_t seed) {
    minimax__ctx_guard g;
    minimax_result r;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    r = minimax__bench_fill(m, m->kv, m->info.kv_bytes, MINIMAX__FILL_BF16, 0.0f, 1.0f, seed);
    if (r == MINIMAX_OK) r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "KV fill");
    minimax__leave(&g);
    return r;
}

/* Times `steps` decode steps of the n sessions after `warmup` untimed ones:
   per step, the inputs are uploaded (as minimax_step does), then events
   bracket the graph replay alone (or the eager forward when graphs are
   off). ms[steps] receives each step's time. Sessions advance one token per
   step; greedy sampling feeds the sampled token back. */
MINIMAX__PRIV minimax_result minimax__bench_steps(minimax_model *m, minimax_session *const *ss, int n, int steps,
                                                  int warmup, float *ms) {
    minimax__cu_event e0 = NULL, e1 = NULL;
    minimax__ctx_guard g;
    minimax_result r;
    int i, k;
    int32_t ids[1024];
    if (n > 1024) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "bench: at most 1024 sessions");
    for (i = 0; i < n; i++) ids[i] = (int32_t)((1000 + 7919 * i) % m->cfg.vocab_size);
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e0, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e1, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    for (k = 0; k < warmup + steps; k++) {
        for (i = 0; i < n; i++) {
            if (ss[i]->pos + 1 > m->plan.max_context) {
                r = minimax__fail(MINIMAX_ERR_CONTEXT_FULL, "bench: session %d is full", i);
                goto out;
            }
            if ((r = minimax__reserve(ss[i], ss[i]->pos + 1)) != MINIMAX_OK) goto out;
        }
        minimax__step_inputs(m, ss, n, ids);
        if ((r = minimax__upload_inputs(m, ss, n)) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e0, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = minimax__run_step(m, n, m->info.graphs)) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e1, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(ids, m->sampled, (size_t)n * 4, m->stream),
                                 "sampled ids")) != MINIMAX_OK)
            goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "bench step")) != MINIMAX_OK) goto out;
        if (k >= warmup &&
            (r = minimax__mcheck(m, minimax__cu.cuEventElapsedTime(&ms[k - warmup], e0, e1), "cuEventElapsedTime")) !=
                MINIMAX_OK)
            goto out;
        for (i = 0; i < n; i++) ss[i]->pos++;
    }
out:
    if (e0) minimax__cu.cuEventDestroy(e0);
    if (e1) minimax__cu.cuEventDestroy(e1);
    minimax__leave(&g);
    return r;
}

/* One more decode step of the n sessions (graph replay as timed above) with
   the step trace cleared before it, then the trace to `path`: a 16-byte
   header "mmtrace1", u32 records, u32 record size (32), then the records in
   the order the blocks exited (kernels.cu struct trace_rec). Needs kernels
   compiled with -DMINIMAX_TRACE (the environment MINIMAX_TRACE=1 when the
   model is made); tools/trace_step.py turns the file into the layer's
   timeline. Errors: MINIMAX_ERR_INVALID_ARGUMENT without the trace build,
   MINIMAX_ERR_IO when the file cannot be written. */
MINIMAX__PRIV minimax_result minimax__bench_trace(minimax_model *m, minimax_model *g0, minimax_session *const *ss, int n,
                                                  const char *path) {
    enum { REC = 32 }; /* bytes a record (kernels.cu struct trace_rec) */
    minimax__cu_ptr ring = 0, count = 0;
    size_t ring_bytes = 0, count_bytes = 0;
    unsigned int got = 0, cap, head[2];
    unsigned char *buf = NULL;
    minimax__ctx_guard g;
    minimax_result r;
    float ms;
    FILE *f;
    if (!minimax__cu.cuModuleGetGlobal ||
        minimax__cu.cuModuleGetGlobal(&ring, &ring_bytes, g0->module, "minimax_trace_ring") != 0 ||
        minimax__cu.cuModuleGetGlobal(&count, &count_bytes, g0->module, "minimax_trace_count") != 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "bench trace: the kernels have no step trace (set MINIMAX_TRACE=1 before the model is made)");
    cap = (unsigned)(ring_bytes / REC);
    if ((r = minimax__enter(g0, &g)) != MINIMAX_OK) return r;
    r = minimax__mcheck(g0, minimax__cu.cuMemsetD32Async(count, 0, 1, g0->stream), "trace counter");
    if (r == MINIMAX_OK) r = minimax__mcheck(g0, minimax__cu.cuStreamSynchronize(g0->stream), "trace counter");
    minimax__leave(&g);
    if (r != MINIMAX_OK) return r;
    if ((r = minimax__bench_steps(m, ss, n, 1, 0, &ms)) != MINIMAX_OK) return r;
    if ((r = minimax__enter(g0, &g)) != MINIMAX_OK) return r;
    r = minimax__mcheck(g0, minimax__cu.cuMemcpyDtoH(&got, count, 4), "trace counter");
    if (r == MINIMAX_OK && got > cap) r = minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "bench trace: %u blocks, the ring holds %u", got, cap);
    if (r == MINIMAX_OK && !(buf = (unsigned char *)minimax__alloc((size_t)got * REC + 1, "trace records")))
        r = MINIMAX_ERR_OUT_OF_MEMORY;
    if (r == MINIMAX_OK) r = minimax__mcheck(g0, minimax__cu.cuMemcpyDtoH(buf, ring, (size_t)got * REC), "trace records");
    minimax__leave(&g);
    if (r == MINIMAX_OK) {
        head[0] = got;
        head[1] = REC;
        if (!(f = fopen(path, "wb")))
            r = minimax__fail(MINIMAX_ERR_IO, "bench trace: cannot write %s", path);
        else {
            int ok = fwrite("mmtrace1", 1, 8, f) == 8 && fwrite(head, 4, 2, f) == 2 && fwrite(buf, REC, got, f) == got;
            if (fclose(f) != 0 || !ok) r = minimax__fail(MINIMAX_ERR_IO, "bench trace: cannot write %s", path);
        }
    }
    MINIMAX_FREE(buf);
    return r;
}

/* Distinct experts each layer routes to for the next token of every session:
   one single-token prefill per session with the routing recorder on (the
   routing of a token does not depend on what else is in its batch).
   distinct[L] receives the size of the union over the sessions. Advances
   every session by one token. */
MINIMAX__PRIV minimax_result minimax__bench_route_count(minimax_model *m, minimax_session *const *ss, int n, int *distinct) {
    const minimax_config *c = &m->cfg;
    int L, i, j, K = c->top_k, E = c->num_experts, nl = c->num_layers;
    int stride = m->plan.max_context;
    minimax__cu_ptr buf = 0;
    unsigned char *seen = (unsigned char *)minimax__alloc((size_t)nl * E, "routing count");
    int32_t *row = (int32_t *)minimax__alloc((size_t)K * 4, "routing count");
    minimax_result r = MINIMAX_OK;
    minimax__ctx_guard g;
    if (!seen || !row) {
        r = MINIMAX_ERR_OUT_OF_MEMORY;
        goto done;
    }
    memset(seen, 0, (size_t)nl * E);
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) goto done;
    r = minimax__mcheck(m, minimax__cu.cuMemAlloc(&buf, (size_t)nl * stride * K * 4), "routing record buffer");
    minimax__leave(&g);
    if (r != MINIMAX_OK) goto done;
    m->dbg_route = buf;
    m->dbg_route_stride = stride;
    for (i = 0; i < n; i++) {
        int32_t id = (int32_t)((4242 + 31 * i) % c->vocab_size), p = ss[i]->pos;
        if ((r = minimax__prefill(ss[i], &id, 1, NULL, NULL, NULL)) != MINIMAX_OK) break;
        for (L = 0; L < nl; L++) {
            if ((r = minimax__enter(m, &g)) != MINIMAX_OK) break;
            r = minimax__mcheck(m,
                                minimax__cu.cuMemcpyDtoH(row, buf + ((size_t)L * stride + (size_t)p) * K * 4, (size_t)K * 4),
                                "routing record");
            minimax__leave(&g);
            if (r != MINIMAX_OK) break;
            for (j = 0; j < K; j++)
                if (row[j] >= 0 && row[j] < E) seen[(size_t)L * E + row[j]] = 1;
        }
        if (r != MINIMAX_OK) break;
    }
    for (L = 0; L < nl; L++) {
        distinct[L] = 0;
        for (j = 0; j < E; j++) distinct[L] += seen[(size_t)L * E + j];
    }
    m->dbg_route = 0;
    m->dbg_route_stride = 0;
    if (minimax__enter(m, &g) == MINIMAX_OK) {
        minimax__cu.cuMemFree(buf);
        minimax__leave(&g);
    }
done:
    MINIMAX_FREE(seen);
    MINIMAX_FREE(row);
    return r;
}

/* Bytes one decode step of n sessions must read from device memory, counted
   from the model: every dense weight once (attention, router, norms,
   lm_head), the embedding rows, the experts routing selected (distinct[L] per
   layer, each w1+w3+w2 with scales and weight_scale_2), and the KV cache of
   every session up to its new token (ctx[i] + 1 tokens). Activations (a few
   hundred KB) are left out. */
typedef struct minimax__step_bytes {
    double attention, router, norms, experts, lm_head, embed, kv, total;
} minimax__step_bytes;

MINIMAX__PRIV void minimax__bench_count_bytes(const minimax_model *m, int n, const double *ctx, const int *distinct,
                                              minimax__step_bytes *b) {
    const minimax_config *c = &m->cfg;
    double H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, V = c->vocab_size;
    double qd = (double)c->num_heads * c->head_dim, kd = (double)c->num_kv_heads * c->head_dim, nl = c->num_layers;
    double mat = NI * H / 2 + NI * H / 16 + 4; /* one expert matrix */
    int L, i;
    memset(b, 0, sizeof *b);
    b->attention = nl * ((qd + 2 * kd) * H * 2 + H * qd * 2);
    b->router = nl * (E * H * 2 + E * 4);
    b->norms = nl * (2 * H + qd + kd) * 4 + H * 4;
    for (L = 0; L < c->num_layers; L++) b->experts += distinct[L] * 3 * mat;
    b->lm_head = V * H * 2;
    b->embed = n * H * 2;
    for (i = 0; i < n; i++) b->kv += (ctx[i] + 1) * nl * 2 * kd * 2;
    b->total = b->attention + b->router + b->norms + b->experts + b->lm_head + b->embed + b->kv;
}
