/* GPU tests of the engine: each kernel against a CPU computation on random
   inputs (outputs poisoned with NaN first, NaN/Inf checked, relative error
   bounds stated), the whole model against the double-precision CPU forward
   of engine_util.h, prefill == single steps, batched == alone (also a step
   in several passes), graph == eager, sampling == the host rule, API errors.
   Skips without a GPU. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "engine_util.h"
#include "ref.h"

static minimax_config g_cfg;
static eu_model *g_em;
static minimax_model *g_m; /* 4 sessions, graphs on */
static char g_skip[512];

static minimax_model *make_model(const eu_model *em, int max_sessions, int max_ctx, int disable_graphs) {
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_result r;
    memset(&d, 0, sizeof d);
    d.max_sessions = max_sessions;
    d.max_context = max_ctx;
    d.kv_block_tokens = 16;
    d.max_batch_tokens = 64; /* prefills of more tokens run in several chunks */
    d.valid_vocab = em->cfg.vocab_size - 12; /* the last 12 ids are padding */
    d.disable_graphs = disable_graphs;
    r = minimax__model_create(&d, &em->cfg, &em->w, &m);
    if (r != MINIMAX_OK) {
        snprintf(g_skip, sizeof g_skip, "%s: %.400s", minimax_result_name(r), minimax_last_error());
        return NULL;
    }
    return m;
}

#define NEED_GPU()                                                                                                     \
    do {                                                                                                               \
        if (!g_m) SKIP("no GPU model: %s", g_skip);                                                                    \
    } while (0)

/* ---- raw kernel helpers ---- */
static minimax__cu_ptr dput(const void *h, size_t n) {
    minimax__cu_ptr p = 0;
    minimax__cu.cuMemAlloc(&p, n ? n : 4);
    if (h) minimax__cu.cuMemcpyHtoD(p, h, n);
    return p;
}
static minimax__cu_ptr dnan(size_t nfloats) { /* poisoned output */
    minimax__cu_ptr p = dput(NULL, nfloats * 4);
    minimax__cu.cuMemsetD32Async(p, 0x7fc00000u, nfloats, g_m->stream);
    return p;
}
static int dget(void *h, minimax__cu_ptr p, size_t n) {
    int r = minimax__cu.cuStreamSynchronize(g_m->stream);
    r |= minimax__cu.cuMemcpyDtoH(h, p, n);
    return r;
}
static int launch(int k, unsigned gx, unsigned gy, unsigned block, void **args) {
    return minimax__cu.cuLaunchKernel(g_m->fn[k], gx, gy, 1, block, 1, 1, 0, g_m->stream, args, NULL);
}
static void rand_f32(test_rng *r, float *x, size_t n, float sd) {
    size_t i;
    for (i = 0; i < n; i++) x[i] = sd * test_rng_normal(r);
}

static void test_fp4_decode_exact(void) {
    test_rng r = {77};
    int rows = 24, K = 96, n, k, bad = 0;
    float *w = (float *)malloc((size_t)rows * K * 4), *out = (float *)malloc((size_t)rows * K * 4), ws2;
    uint8_t *pk = (uint8_t *)malloc((size_t)rows * K / 2), *sc = (uint8_t *)malloc((size_t)rows * K / 16);
    minimax__cu_ptr dp, ds, dout;
    void *a[5];
    NEED_GPU();
    rand_f32(&r, w, (size_t)rows * K, 0.02f);
    for (k = 0; k < K; k++) w[k] = ldexpf(w[k], -6); /* a row with tiny (subnormal E4M3) block scales */
    minimax__nvfp4_quantize(w, rows, K, pk, sc, &ws2);
    dp = dput(pk, (size_t)rows * K / 2);
    REQUIRE(minimax__fp4_layout(g_m, dp, (size_t)rows * K / 2) == MINIMAX_OK, "%s", minimax_last_error());
    ds = dput(sc, (size_t)rows * K / 16);
    dout = dnan((size_t)rows * K);
    a[0] = &dp; a[1] = &ds; a[2] = &ws2; a[3] = &dout; a[4] = &K;
    REQUIRE(launch(MINIMAX__K_FP4_DEQUANT, (unsigned)rows, 1, 256, a) == 0, "launch");
    REQUIRE(dget(out, dout, (size_t)rows * K * 4) == 0, "download");
    for (n = 0; n < rows; n++)
        for (k = 0; k < K; k++) {
            float ref = minimax__nvfp4_element(pk, sc, K, ws2, n, k);
            if (!(out[n * K + k] == ref) && bad++ < 5)
                printf("    [%d,%d] gpu %g cpu %g\n", n, k, (double)out[n * K + k], (double)ref);
        }
    CHECK(bad == 0, "%d FP4 elements differ (decode must be exact)", bad);
    minimax__cu.cuMemFree(dp); minimax__cu.cuMemFree(ds); minimax__cu.cuMemFree(dout);
    free(w); free(out); free(pk); free(sc);
}

static void test_rng_matches_host(void) {
    int n = 1000, i, bad = 0;
    float *u = (float *)malloc((size_t)n * 4);
    unsigned long long seed = 0x1234567890ull, sess = 3;
    long long p0 = 17;
    minimax__cu_ptr du;
    void *a[5];
    NEED_GPU();
    du = dnan((size_t)n);
    a[0] = &seed; a[1] = &sess; a[2] = &p0; a[3] = &du; a[4] = &n;
    REQUIRE(launch(MINIMAX__K_RNG_UNIFORM, (unsigned)((n + 255) / 256), 1, 256, a) == 0, "launch");
    REQUIRE(dget(u, du, (size_t)n * 4) == 0, "download");
    for (i = 0; i < n; i++)
        if (u[i] != minimax_sampling_uniform(seed, sess, (uint64_t)(p0 + i))) bad++;
    CHECK(bad == 0, "%d of %d device uniforms differ from the host generator", bad, n);
    minimax__cu.cuMemFree(du);
    free(u);
}

/* Y = X W^T (+ Y), odd sizes, K % 8 == 0; bound 1e-5 relative (fp32 accumulation of bf16 weights) */
static void test_mm_bf16(void) {
    test_rng r = {5};
    int T = 13, N = 77, K = 136, t, n, k, acc, bad;
    float *X = (float *)malloc((size_t)T * K * 4), *Y0 = (float *)malloc((size_t)T * N * 4);
    float *Y = (float *)malloc((size_t)T * N * 4), *ref = (float *)malloc((size_t)T * N * 4);
    uint16_t *W = (uint16_t *)malloc((size_t)N * K * 2);
    double err;
    NEED_GPU();
    rand_f32(&r, X, (size_t)T * K, 1.0f);
    rand_f32(&r, Y0, (size_t)T * N, 1.0f);
    for (k = 0; k < N * K; k++) W[k] = minimax__f32_to_bf16(0.1f * test_rng_normal(&r));
    for (acc = 0; acc < 2; acc++) {
        minimax__cu_ptr dX = dput(X, (size_t)T * K * 4), dW = dput(W, (size_t)N * K * 2), dY;
        void *a[7];
        if (acc) dY = dput(Y0, (size_t)T * N * 4);
        else dY = dnan((size_t)T * N);
        a[0] = &dX; a[1] = &dW; a[2] = &dY; a[3] = &T; a[4] = &N; a[5] = &K; a[6] = &acc;
        REQUIRE(launch(MINIMAX__K_MM_BF16, (unsigned)((N + 7) / 8), (unsigned)((T + 7) / 8), 256, a) == 0, "launch");
        REQUIRE(dget(Y, dY, (size_t)T * N * 4) == 0, "download");
        for (t = 0; t < T; t++)
            for (n = 0; n < N; n++) {
                double s = acc ? Y0[t * N + n] : 0.0;
                for (k = 0; k < K; k++) s += (double)X[t * K + k] * minimax__bf16_to_f32(W[n * K + k]);
                ref[t * N + n] = (float)s;
            }
        err = eu_rel_err(Y, ref, (size_t)T * N, &bad);
        printf("    mm_bf16 accumulate=%d: rel err %.3g\n", acc, err);
        CHECK(!bad && err < 1e-5, "rel err %g (bound 1e-5), nan/inf %d", err, bad);
        minimax__cu.cuMemFree(dX); minimax__cu.cuMemFree(dW); minimax__cu.cuMemFree(dY);
    }
    free(X); free(Y0); free(Y); free(ref); free(W);
}

/* RMSNorm with a row gather; bound 1e-5 */
static void test_rmsnorm(void) {
    test_rng r = {9};
    int R = 5, H = 136, rows[5] = {4, 0, 6, 2, 2}, i, j, bad;
    float x[7 * 136], w[136], out[5 * 136], ref[5 * 136], eps = 1e-6f;
    minimax__cu_ptr dx, dw, dr, dout;
    void *a[6];
    double err;
    NEED_GPU();
    rand_f32(&r, x, sizeof x / 4, 2.0f);
    for (i = 0; i < H; i++) w[i] = 1.0f + 0.2f * test_rng_normal(&r);
    dx = dput(x, sizeof x); dw = dput(w, sizeof w); dr = dput(rows, sizeof rows); dout = dnan(sizeof out / 4);
    a[0] = &dx; a[1] = &dr; a[2] = &dw; a[3] = &dout; a[4] = &H; a[5] = &eps;
    REQUIRE(launch(MINIMAX__K_RMSNORM, (unsigned)R, 1, 256, a) == 0, "launch");
    REQUIRE(dget(out, dout, sizeof out) == 0, "download");
    for (j = 0; j < R; j++) {
        double ss = 0;
        for (i = 0; i < H; i++) ss += (double)x[rows[j] * H + i] * x[rows[j] * H + i];
        ss = 1.0 / sqrt(ss / H + eps);
        for (i = 0; i < H; i++) ref[j * H + i] = (float)(w[i] * x[rows[j] * H + i] * ss);
    }
    err = eu_rel_err(out, ref, sizeof out / 4, &bad);
    printf("    rmsnorm: rel err %.3g\n", err);
    CHECK(!bad && err < 1e-5, "rel err %g (bound 1e-5)", err);
    minimax__cu.cuMemFree(dx); minimax__cu.cuMemFree(dw); minimax__cu.cuMemFree(dr); minimax__cu.cuMemFree(dout);
}

/* router: same experts as the double reference (unless a near tie), weights within 1e-5 */
static void test_router(void) {
    const minimax_config *c = &g_cfg;
    const minimax__layer_weights *l;
    test_rng r = {11};
    int T = 20, H, E, K, t, j, bad = 0, ties = 0, nanw;
    float *h, wt[20 * 32], rsf = 1.0f;
    int idx[20 * 32];
    minimax__cu_ptr dh, didx, dwt, dlog;
    void *a[12];
    int acc0 = 0;
    NEED_GPU();
    H = c->hidden_size; E = c->num_experts; K = c->top_k;
    l = &g_em->w.layers[1];
    h = (float *)malloc((size_t)T * H * 4);
    rand_f32(&r, h, (size_t)T * H, 1.0f);
    dh = dput(h, (size_t)T * H * 4);
    didx = dput(NULL, sizeof idx);
    dwt = dnan(sizeof wt / 4);
    dlog = dnan((size_t)T * E);
    /* logits through the matrix product (the router is BF16 here), then top-k */
    a[0] = &dh; a[1] = &g_m->layers[1].router; a[2] = &dlog; a[3] = &T; a[4] = &E; a[5] = &H; a[6] = &acc0;
    REQUIRE(launch(MINIMAX__K_MM_BF16, (unsigned)((E + 7) / 8), (unsigned)((T + 7) / 8), 256, a) == 0, "launch");
    a[0] = &dlog; a[1] = &g_m->layers[1].router_bias; a[2] = &didx; a[3] = &dwt; a[4] = &E; a[5] = &K; a[6] = &rsf;
    REQUIRE(launch(MINIMAX__K_ROUTER, (unsigned)T, 1, 32, a) == 0, "launch");
    REQUIRE(dget(wt, dwt, (size_t)T * K * 4) == 0 && dget(idx, didx, (size_t)T * K * 4) == 0, "download");
    nanw = 0;
    for (t = 0; t < T; t++) {
        double hd[1024], rwt[32];
        int ridx[32];
        for (j = 0; j < H; j++) hd[j] = h[t * H + j];
        eu_route(l, c, hd, ridx, rwt);
        for (j = 0; j < K; j++) {
            if (!isfinite(wt[t * K + j])) nanw++;
            if (idx[t * K + j] != ridx[j]) {
                bad++;
                break;
            }
            if (fabs(wt[t * K + j] - rwt[j]) > 1e-5) bad++;
        }
    }
    CHECK(bad == 0 && nanw == 0, "%d of %d tokens routed differently (%d near ties), %d NaN weights", bad, T, ties, nanw);
    minimax__cu.cuMemFree(dh); minimax__cu.cuMemFree(didx); minimax__cu.cuMemFree(dwt); minimax__cu.cuMemFree(dlog);
    free(h);
}

/* k_router beyond the model's shapes: 300 experts (more than one round of 256
   keys a warp), top 12 (the 32-key lists): the ids of a float reference (keys
   sigmoid + bias, larger first, ties to the lower id; the random keys' gaps
   are far above an ulp) and its weights within 1e-6 */
static void test_router_wide(void) {
    enum { T = 4, E = 300, K = 12 };
    test_rng r = {29};
    float lg[T * E], bias[E], wt[T * K], rsf = 2.5f;
    int idx[T * K], t, j, e, bad = 0, E_ = E, K_ = K;
    minimax__cu_ptr dlg, dbias, didx, dwt;
    void *a[7];
    NEED_GPU();
    for (j = 0; j < T * E; j++) lg[j] = (float)(test_rng_u64(&r) % 2000001) / 250000.0f - 4.0f;
    for (j = 0; j < E; j++) bias[j] = (float)(test_rng_u64(&r) % 2001) / 100000.0f - 0.01f;
    dlg = dput(lg, sizeof lg);
    dbias = dput(bias, sizeof bias);
    didx = dput(NULL, sizeof idx);
    dwt = dnan(T * K);
    a[0] = &dlg; a[1] = &dbias; a[2] = &didx; a[3] = &dwt; a[4] = &E_; a[5] = &K_; a[6] = &rsf;
    REQUIRE(launch(MINIMAX__K_ROUTER, T, 1, 32, a) == 0, "launch");
    REQUIRE(dget(wt, dwt, sizeof wt) == 0 && dget(idx, didx, sizeof idx) == 0, "download");
    for (t = 0; t < T; t++) {
        float sc[E], key[E], sum = 0.0f;
        int used[E] = {0}, ridx[K];
        for (e = 0; e < E; e++) {
            sc[e] = 1.0f / (1.0f + expf(-lg[t * E + e]));
            key[e] = sc[e] + bias[e];
        }
        for (j = 0; j < K; j++) { /* the j-th largest key, ties to the lower id */
            int best = -1;
            for (e = 0; e < E; e++)
                if (!used[e] && (best < 0 || key[e] > key[best])) best = e;
            used[best] = 1;
            ridx[j] = best;
            sum += sc[best];
        }
        for (j = 0; j < K; j++) {
            float w = sc[ridx[j]] / sum * rsf;
            if (idx[t * K + j] != ridx[j] || !(fabsf(wt[t * K + j] - w) <= 1e-6f * w)) bad++;
        }
    }
    CHECK(bad == 0, "%d of %d choices differ from the reference", bad, T * K);
    minimax__cu.cuMemFree(dlg); minimax__cu.cuMemFree(dbias); minimax__cu.cuMemFree(didx); minimax__cu.cuMemFree(dwt);
}

/* experts: gate/up then down + weighted residual, against double; bound 1e-4 */
static void test_experts(void) {
    const minimax_config *c = &g_cfg;
    const minimax__layer_weights *l;
    test_rng r = {13};
    int T = 6, H, I, K, E, t, j, i, bad;
    float *h, *x0, *x, *ref, wt[6 * 32];
    int idx[6 * 32];
    minimax__cu_ptr dh, didx, dwt, dact, dx;
    double err;
    NEED_GPU();
    H = c->hidden_size; I = c->intermediate_size; K = c->top_k; E = c->num_experts;
    l = &g_em->w.layers[0];
    h = (float *)malloc((size_t)T * H * 4); x0 = (float *)malloc((size_t)T * H * 4);
    x = (float *)malloc((size_t)T * H * 4); ref = (float *)malloc((size_t)T * H * 4);
    rand_f32(&r, h, (size_t)T * H, 1.0f);
    rand_f32(&r, x0, (size_t)T * H, 1.0f);
    for (t = 0; t < T * K; t++) {
        idx[t] = (int)(test_rng_u64(&r) % (unsigned long long)E);
        wt[t] = test_rng_uniform(&r);
    }
    dh = dput(h, (size_t)T * H * 4); didx = dput(idx, (size_t)T * K * 4); dwt = dput(wt, (size_t)T * K * 4);
    dact = dnan((size_t)T * K * I); dx = dput(x0, (size_t)T * H * 4);
    {
        minimax__dev_layer *ly = &g_m->layers[0];
        void *a[12];
        a[0] = &dh; a[1] = &didx; a[2] = &ly->w1p; a[3] = &ly->w1s; a[4] = &ly->ws2_1; a[5] = &ly->w3p; a[6] = &ly->w3s;
        a[7] = &ly->ws2_3; a[8] = &dact; a[9] = &H; a[10] = &I; a[11] = &K;
        REQUIRE(launch(MINIMAX__K_EXPERT_GATE_UP, (unsigned)((I + 7) / 8), (unsigned)(T * K), 256, a) == 0, "launch");
        a[0] = &dact; a[1] = &didx; a[2] = &dwt; a[3] = &ly->w2p; a[4] = &ly->w2s; a[5] = &ly->ws2_2; a[6] = &dx;
        a[7] = &H; a[8] = &I; a[9] = &K;
        REQUIRE(launch(MINIMAX__K_EXPERT_DOWN, (unsigned)((H + 7) / 8), (unsigned)T, 256, a) == 0, "launch");
    }
    REQUIRE(dget(x, dx, (size_t)T * H * 4) == 0, "download");
    for (t = 0; t < T; t++) {
        double hd[1024], g[1024], u[1024], y[1024];
        for (i = 0; i < H; i++) hd[i] = h[t * H + i];
        for (i = 0; i < H; i++) ref[t * H + i] = x0[t * H + i];
        for (j = 0; j < K; j++) {
            int e = idx[t * K + j];
            eu_matvec_fp4(&l->w1[e], hd, g);
            eu_matvec_fp4(&l->w3[e], hd, u);
            for (i = 0; i < I; i++) g[i] = g[i] / (1.0 + exp(-g[i])) * u[i];
            eu_matvec_fp4(&l->w2[e], g, y);
            for (i = 0; i < H; i++) ref[t * H + i] = (float)(ref[t * H + i] + wt[t * K + j] * y[i]);
        }
    }
    err = eu_rel_err(x, ref, (size_t)T * H, &bad);
    printf("    experts (gate/up + down + residual): rel err %.3g\n", err);
    CHECK(!bad && err < 1e-4, "rel err %g (bound 1e-4)", err);
    minimax__cu.cuMemFree(dh); minimax__cu.cuMemFree(didx); minimax__cu.cuMemFree(dwt); minimax__cu.cuMemFree(dact);
    minimax__cu.cuMemFree(dx);
    free(h); free(x0); free(x); free(ref);
}

/* the sampler kernel picks what minimax__sample_host picks, for many settings */
static void test_sampler(void) {
    test_rng r = {21};
    int R = 48, V = 3000, valid = 2990, i, bad = 0, pad = 0;
    float *l = (float *)malloc((size_t)R * V * 4);
    minimax__sample_params sp[48];
    minimax_sampling hs[48];
    int out[48];
    minimax__cu_ptr dl, dsp, dout;
    void *a[5];
    NEED_GPU();
    rand_f32(&r, l, (size_t)R * V, 3.0f);
    for (i = 0; i < R; i++) {
        int j;
        for (j = valid; j < V; j++) l[(size_t)i * V + j] = 100.0f; /* padding rows would win if not excluded */
        memset(&hs[i], 0, sizeof hs[i]);
        hs[i].temperature = i % 6 == 0 ? 0.0f : 0.3f + 0.1f * (float)(i % 7);
        hs[i].top_k = i % 3 == 1 ? 1 + i : 0;
        hs[i].top_p = i % 4 == 2 ? 0.5f + 0.01f * (float)i : 0.0f;
        hs[i].min_p = i % 5 == 3 ? 0.05f : 0.0f;
        hs[i].seed = 1000 + (uint64_t)i;
        sp[i].temperature = hs[i].temperature; sp[i].top_k = hs[i].top_k; sp[i].top_p = hs[i].top_p;
        sp[i].min_p = hs[i].min_p; sp[i].seed = hs[i].seed; sp[i].session = (uint64_t)i % 3; sp[i].position = 40 + i;
    }
    dl = dput(l, (size_t)R * V * 4); dsp = dput(sp, sizeof sp); dout = dput(NULL, sizeof out);
    a[0] = &dl; a[1] = &V; a[2] = &valid; a[3] = &dsp; a[4] = &dout;
    REQUIRE(launch(MINIMAX__K_SAMPLE, (unsigned)R, 1, 1024, a) == 0, "launch");
    REQUIRE(dget(out, dout, sizeof out) == 0, "download");
    for (i = 0; i < R; i++) {
        int h = minimax__sample_host(l + (size_t)i * V, valid, &hs[i], (uint64_t)i % 3, (uint64_t)(40 + i));
        if (out[i] >= valid) pad++;
        if (h != out[i]) {
            bad++;
            printf("    row %d (T %g k %d p %g minp %g): gpu %d host %d\n", i, (double)hs[i].temperature, hs[i].top_k,
                   (double)hs[i].top_p, (double)hs[i].min_p, out[i], h);
        }
    }
    CHECK(bad == 0 && pad == 0, "%d of %d rows differ from the host sampler, %d padding ids", bad, R, pad);
    minimax__cu.cuMemFree(dl); minimax__cu.cuMemFree(dsp); minimax__cu.cuMemFree(dout);
    free(l);
}

/* QK-norm + RoPE + paged KV append, then attention over a scrambled block
   table, against ref_qk_norm_rope / ref_attention (fed the BF16-rounded K/V
   the cache holds). Bounds: q 1e-5, K/V in the cache within BF16 rounding
   (4e-3), attention 1e-4. */
static void test_qk_rope_attention_paged(void) {
    const minimax_config *c = &g_cfg;
    test_rng r = {31};
    int T = 40, nh, nkv, d, rd, qn, kn, W, t, i, h, bad1, bad2, bad3;
    int nblocks = 8, maxb = 4, bs = 16, layer = 0, rowsel = 1;
    int bt[8] = {0, 0, 0, 0, 5, 2, 7, 0}; /* session row 1: positions 0-15 -> block 5, 16-31 -> 2, 32-47 -> 7 */
    int pos[40], srow[40];
    float *qkv, *qout, *out, *qref, *kref, *vref, *oref, *kgpu, *vgpu, theta, eps;
    uint16_t *pool;
    minimax__cu_ptr dqkv, dqout, dkv, dbt, dpos, dsrow, dout;
    double e1, e2, e3;
    NEED_GPU();
    nh = c->num_heads; nkv = c->num_kv_heads; d = c->head_dim; rd = c->rotary_dim;
    qn = nh * d; kn = nkv * d; W = qn + 2 * kn;
    theta = c->rope_theta; eps = c->rms_norm_eps;
    qkv = (float *)malloc((size_t)T * W * 4); qout = (float *)malloc((size_t)T * qn * 4);
    out = (float *)malloc((size_t)T * qn * 4); qref = (float *)malloc((size_t)T * qn * 4);
    kref = (float *)malloc((size_t)T * kn * 4); vref = (float *)malloc((size_t)T * kn * 4);
    oref = (float *)malloc((size_t)T * qn * 4); kgpu = (float *)malloc((size_t)T * kn * 4);
    vgpu = (float *)malloc((size_t)T * kn * 4);
    pool = (uint16_t *)malloc((size_t)nblocks * 2 * kn * bs * 2);
    rand_f32(&r, qkv, (size_t)T * W, 1.5f);
    for (t = 0; t < T; t++) { pos[t] = t; srow[t] = rowsel; }
    dqkv = dput(qkv, (size_t)T * W * 4); dqout = dnan((size_t)T * qn); dout = dnan((size_t)T * qn);
    dkv = dput(NULL, (size_t)nblocks * 2 * kn * bs * 2);
    minimax__cu.cuMemsetD8Async(dkv, 0xff, (size_t)nblocks * 2 * kn * bs * 2, g_m->stream); /* NaN patterns */
    dbt = dput(bt, sizeof bt); dpos = dput(pos, sizeof pos); dsrow = dput(srow, sizeof srow);
    {
        void *a[18];
        a[0] = &dqkv; a[1] = &dqout; a[2] = &g_m->layers[0].q_norm; a[3] = &g_m->layers[0].k_norm; a[4] = &dpos;
        a[5] = &dsrow; a[6] = &dbt; a[7] = &dkv; a[8] = &layer; a[9] = &nblocks; a[10] = &maxb; a[11] = &bs;
        a[12] = &nh; a[13] = &nkv; a[14] = &d; a[15] = &rd; a[16] = &theta; a[17] = &eps;
        REQUIRE(launch(MINIMAX__K_QK_NORM_ROPE_KV, (unsigned)(nh + nkv), (unsigned)T, 128, a) == 0, "launch");
        a[0] = &dqout; a[1] = &dout; a[2] = &dpos; a[3] = &dsrow; a[4] = &dbt; a[5] = &dkv; a[6] = &layer;
        a[7] = &nblocks; a[8] = &maxb; a[9] = &bs; a[10] = &nh; a[11] = &nkv; a[12] = &d;
        REQUIRE(launch(MINIMAX__K_ATTENTION, (unsigned)nh, (unsigned)T, 128, a) == 0, "launch");
    }
    REQUIRE(dget(qout, dqout, (size_t)T * qn * 4) == 0 && dget(out, dout, (size_t)T * qn * 4) == 0 &&
                dget(pool, dkv, (size_t)nblocks * 2 * kn * bs * 2) == 0,
            "download");
    for (t = 0; t < T; t++) {
        int blk = bt[rowsel * maxb + t / bs];
        memcpy(qref + (size_t)t * qn, qkv + (size_t)t * W, (size_t)qn * 4);
        memcpy(kref + (size_t)t * kn, qkv + (size_t)t * W + qn, (size_t)kn * 4);
        ref_qk_norm_rope(c, g_em->w.layers[0].q_norm, g_em->w.layers[0].k_norm, t, qref + (size_t)t * qn,
                         kref + (size_t)t * kn);
        for (i = 0; i < kn; i++) {
            vref[(size_t)t * kn + i] = qkv[(size_t)t * W + qn + kn + i];
            h = i / d;
            kgpu[(size_t)t * kn + i] =
                minimax__bf16_to_f32(pool[(((size_t)blk * 2 + 0) * nkv + h) * bs * d + (size_t)(t % bs) * d + i % d]);
            vgpu[(size_t)t * kn + i] =
                minimax__bf16_to_f32(pool[(((size_t)blk * 2 + 1) * nkv + h) * bs * d + (size_t)(t % bs) * d + i % d]);
        }
    }
    e1 = eu_rel_err(qout, qref, (size_t)T * qn, &bad1);
    e2 = eu_rel_err(kgpu, kref, (size_t)T * kn, &bad2);
    e3 = eu_rel_err(vgpu, vref, (size_t)T * kn, &bad3);
    printf("    q after QK-norm+RoPE: rel err %.3g (bound 1e-5); K in cache %.3g, V in cache %.3g (bound 4e-3)\n", e1,
           e2, e3);
    CHECK(!bad1 && e1 < 1e-5, "q rel err %g", e1);
    CHECK(!bad2 && !bad3 && e2 < 4e-3 && e3 < 4e-3, "K/V rel err %g %g (nan %d %d)", e2, e3, bad2, bad3);
    /* attention against the reference fed what the cache holds */
    for (t = 0; t < T; t++) ref_attention(c, qref + (size_t)t * qn, kgpu, vgpu, t + 1, oref + (size_t)t * qn);
    e1 = eu_rel_err(out, oref, (size_t)T * qn, &bad1);
    printf("    paged attention (blocks 5,2,7; 40 positions): rel err %.3g (bound 1e-4)\n", e1);
    CHECK(!bad1 && e1 < 1e-4, "attention rel err %g", e1);
    minimax__cu.cuMemFree(dqkv); minimax__cu.cuMemFree(dqout); minimax__cu.cuMemFree(dout); minimax__cu.cuMemFree(dkv);
    minimax__cu.cuMemFree(dbt); minimax__cu.cuMemFree(dpos); minimax__cu.cuMemFree(dsrow);
    free(qkv); free(qout); free(out); free(qref); free(kref); free(vref); free(oref); free(kgpu); free(vgpu); free(pool);
}

/* ---- whole model ---- */

#define NTOK 80
static int32_t g_ids[NTOK];
static float *g_ref; /* [NTOK][V] */

/* teacher-forced: prefill logits at every position vs the double reference */
static void test_model_vs_reference(void) {
    int V, i, t, bad, agree = 0, checked = 0;
    float *lg;
    minimax_session *s;
    double err, maxabs = 0, refmax = 0;
    NEED_GPU();
    V = g_cfg.vocab_size;
    lg = (float *)malloc((size_t)NTOK * V * 4);
    for (i = 0; i < NTOK * V; i++) lg[i] = NAN;
    REQUIRE(minimax_session_create(g_m, &s) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax__prefill(s, g_ids, NTOK, NULL, NULL, lg) == MINIMAX_OK, "%s", minimax_last_error());
    err = eu_rel_err(lg, g_ref, (size_t)NTOK * V, &bad);
    for (i = 0; i < NTOK * V; i++) {
        if (fabs((double)lg[i] - g_ref[i]) > maxabs) maxabs = fabs((double)lg[i] - g_ref[i]);
        if (fabs((double)g_ref[i]) > refmax) refmax = fabs((double)g_ref[i]);
    }
    /* greedy agreement wherever the reference's top-2 margin exceeds 2x the tolerance */
    for (t = 0; t < NTOK; t++) {
        const float *rr = g_ref + (size_t)t * V, *gg = lg + (size_t)t * V;
        int b1 = 0, b2 = -1, gb = 0;
        for (i = 1; i < V; i++) {
            if (rr[i] > rr[b1]) { b2 = b1; b1 = i; }
            else if (b2 < 0 || rr[i] > rr[b2]) b2 = i;
            if (gg[i] > gg[gb]) gb = i;
        }
        if (rr[b1] - rr[b2] > 2 * 2e-2 * refmax) {
            checked++;
            agree += gb == b1;
        }
    }
    printf("    %d positions, max |logit| %.3f: max abs err %.4g, rel err %.4g (bound 2e-2); greedy agrees at %d of %d "
           "positions with a clear margin\n",
           NTOK, refmax, maxabs, err, agree, checked);
    CHECK(!bad, "NaN/Inf in the logits");
    CHECK(err < 2e-2, "relative error %g over the bound 2e-2", err);
    CHECK(agree == checked, "greedy disagrees at %d positions", checked - agree);
    CHECK(minimax_session_position(s) == NTOK, "position %d", minimax_session_position(s));
    minimax_session_free(s);
    free(lg);
}

/* prefill of N tokens == the same N tokens one step at a time (decode path,
   graphs), within EU_H2_TOL (passes of several slots and steps of one take
   differently summed fp32 products before the experts) */
static void test_prefill_equals_steps(void) {
    int V, t, bad;
    float *a, *b;
    minimax_session *s1, *s2;
    double err, err_ref;
    NEED_GPU();
    V = g_cfg.vocab_size;
    a = (float *)malloc((size_t)NTOK * V * 4);
    b = (float *)malloc((size_t)NTOK * V * 4);
    REQUIRE(minimax_session_create(g_m, &s1) == MINIMAX_OK && minimax_session_create(g_m, &s2) == MINIMAX_OK, "%s",
            minimax_last_error());
    REQUIRE(minimax__prefill(s1, g_ids, NTOK, NULL, NULL, a) == MINIMAX_OK, "%s", minimax_last_error());
    for (t = 0; t < NTOK; t++)
        REQUIRE(minimax_step(g_m, &s2, 1, &g_ids[t], b + (size_t)t * V, NULL) == MINIMAX_OK, "step %d: %s", t,
                minimax_last_error());
    err = eu_rel_err(b, a, (size_t)NTOK * V, &bad);
    err_ref = eu_rel_err(b, g_ref, (size_t)NTOK * V, &bad);
    printf("    steps vs prefill: rel err %.3g (bound %g); steps vs reference %.3g\n", err, EU_H2_TOL, err_ref);
    CHECK(!bad && err < EU_H2_TOL, "rel err %g", err);
    minimax_session_free(s1);
    minimax_session_free(s2);
    free(a);
    free(b);
}

/* minimax_session_truncate: a session that held NTOK tokens, cut back to
   `keep` (not a block boundary: blocks are 16 tokens) and fed other ids, gives
   the logits of a session fed the first `keep` ids and then those ids; a step
   after a cut at a block boundary matches too; bad lengths are refused. */
static void test_session_truncate(void) {
    enum { KEEP = 37, MORE = 20 };
    int V, i, bad;
    float *a, *b;
    int32_t other[MORE], tok;
    minimax_session *s1, *s2;
    double err;
    NEED_GPU();
    V = g_cfg.vocab_size;
    a = (float *)malloc((size_t)MORE * V * 4);
    b = (float *)malloc((size_t)MORE * V * 4);
    REQUIRE(a && b, "out of memory");
    for (i = 0; i < MORE; i++) other[i] = g_ids[NTOK - 1 - i];
    REQUIRE(minimax_session_create(g_m, &s1) == MINIMAX_OK && minimax_session_create(g_m, &s2) == MINIMAX_OK, "%s",
            minimax_last_error());
    REQUIRE(minimax_prefill(s1, g_ids, NTOK, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(minimax_session_truncate(s1, NTOK + 1) == MINIMAX_ERR_INVALID_ARGUMENT &&
              strstr(minimax_last_error(), "holds 80"), "longer than the session: %s", minimax_last_error());
    CHECK(minimax_session_truncate(s1, -1) == MINIMAX_ERR_INVALID_ARGUMENT, "negative length");
    CHECK(minimax_session_truncate(NULL, 0) == MINIMAX_ERR_INVALID_ARGUMENT, "NULL session");
    REQUIRE(minimax_session_truncate(s1, KEEP) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(minimax_session_position(s1) == KEEP, "position %d after the cut", minimax_session_position(s1));
    REQUIRE(minimax__prefill(s1, other, MORE, NULL, NULL, a) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax_prefill(s2, g_ids, KEEP, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax__prefill(s2, other, MORE, NULL, NULL, b) == MINIMAX_OK, "%s", minimax_last_error());
    err = eu_rel_err(a, b, (size_t)MORE * V, &bad);
    printf("    cut to %d then %d other tokens vs fed so directly: rel err %.3g\n", KEEP, MORE, err);
    CHECK(!bad && err < 1e-6, "rel err %g", err);
    /* a cut at a block boundary, then one step on each */
    REQUIRE(minimax_session_truncate(s1, 32) == MINIMAX_OK && minimax_session_truncate(s2, 32) == MINIMAX_OK, "%s",
            minimax_last_error());
    tok = other[0];
    REQUIRE(minimax_step(g_m, &s1, 1, &tok, a, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax_step(g_m, &s2, 1, &tok, b, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    err = eu_rel_err(a, b, (size_t)V, &bad);
    CHECK(!bad && err < 1e-6, "step after a cut at 32: rel err %g", err);
    REQUIRE(minimax_session_truncate(s1, 0) == MINIMAX_OK && minimax_session_position(s1) == 0, "cut to empty");
    minimax_session_free(s1);
    minimax_session_free(s2);
    free(a);
    free(b);
}

/* 3 sessions at different positions stepped together == each stepped alone
   (graphs; within EU_H2_TOL: other kernel instances), and graph replay ==
   eager (same model, graphs off; the same kernels: within 1e-6) */
static void test_batch_and_graph(void) {
    int V, i, k, bad, nsteps = 6;
    float *together, *alone, *eager;
    minimax_session *s[3];
    int plen[3] = {5, 23, 40};
    double err1 = 0, err2 = 0, e;
    int32_t tok[3];
    NEED_GPU();
    V = g_cfg.vocab_size;
    together = (float *)malloc((size_t)3 * V * 4 * nsteps);
    alone = (float *)malloc((size_t)3 * V * 4 * nsteps);
    eager = (float *)malloc((size_t)3 * V * 4 * nsteps);
    for (i = 0; i < 3; i++) {
        REQUIRE(minimax_session_create(g_m, &s[i]) == MINIMAX_OK, "%s", minimax_last_error());
        REQUIRE(minimax_prefill(s[i], g_ids + i, plen[i], NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    }
    for (k = 0; k < nsteps; k++) {
        for (i = 0; i < 3; i++) tok[i] = g_ids[(k * 7 + i * 13) % NTOK];
        REQUIRE(minimax_step(g_m, s, 3, tok, together + (size_t)k * 3 * V, NULL) == MINIMAX_OK, "%s",
                minimax_last_error());
    }
    for (i = 0; i < 3; i++) {
        REQUIRE(minimax_session_reset(s[i]) == MINIMAX_OK, "reset");
        REQUIRE(minimax_prefill(s[i], g_ids + i, plen[i], NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
        for (k = 0; k < nsteps; k++) {
            int32_t t1 = g_ids[(k * 7 + i * 13) % NTOK];
            REQUIRE(minimax_step(g_m, &s[i], 1, &t1, alone + ((size_t)k * 3 + i) * V, NULL) == MINIMAX_OK, "%s",
                    minimax_last_error());
        }
    }
    /* eager replay of session 0..2 alone, through minimax__step with graphs off */
    for (i = 0; i < 3; i++) {
        REQUIRE(minimax_session_reset(s[i]) == MINIMAX_OK, "reset");
        REQUIRE(minimax_prefill(s[i], g_ids + i, plen[i], NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
        for (k = 0; k < nsteps; k++) {
            int32_t t1 = g_ids[(k * 7 + i * 13) % NTOK];
            REQUIRE(minimax__step(g_m, &s[i], 1, &t1, eager + ((size_t)k * 3 + i) * V, NULL, 0) == MINIMAX_OK, "%s",
                    minimax_last_error());
        }
    }
    for (k = 0; k < nsteps * 3; k++) {
        e = eu_rel_err(together + (size_t)k * V, alone + (size_t)k * V, (size_t)V, &bad);
        if (e > err1) err1 = e;
        CHECK(!bad, "NaN in batched logits");
        e = eu_rel_err(eager + (size_t)k * V, alone + (size_t)k * V, (size_t)V, &bad);
        if (e > err2) err2 = e;
    }
    printf("    batched (3 sessions at positions 5/23/40) vs alone: rel err %.3g (bound %g); graph vs eager: %.3g (bound "
           "1e-6)\n",
           err1, EU_H2_TOL, err2);
    CHECK(err1 < EU_H2_TOL, "batched vs alone %g", err1);
    CHECK(err2 < 1e-6, "graph vs eager %g", err2);
    for (i = 0; i < 3; i++) minimax_session_free(s[i]);
    free(together); free(alone); free(eager);
}

/* A step of more sessions than one pass takes (minimax__pass_slots: 8 where
   the fast kernels run) is several forward passes: 11 sessions at positions
   3..43 stepped together (passes of 8 and 3; graph and eager) give each
   session the logits (within EU_H2_TOL; graph and eager within 1e-6) and
   greedy tokens of stepping it alone. */
static void test_batch_passes(void) {
    enum { NS = 11, NSTEP = 3 };
    minimax_model *m;
    minimax_session *s[NS];
    int V, i, k, bad, pass, mism = 0;
    float *together, *eager, *alone;
    int32_t tok[NSTEP][NS], st[NSTEP][NS], sa[NSTEP][NS];
    double err1 = 0, err2 = 0, e;
    NEED_GPU();
    m = make_model(g_em, NS, 128, 0);
    REQUIRE(m != NULL, "model: %s", g_skip);
    pass = minimax__pass_slots(m, NS);
    CHECK(pass == 8, "a step of %d sessions in passes of %d slots, expected 8", NS, pass);
    V = g_cfg.vocab_size;
    together = (float *)malloc((size_t)NSTEP * NS * V * 4);
    eager = (float *)malloc((size_t)NSTEP * NS * V * 4);
    alone = (float *)malloc((size_t)NSTEP * NS * V * 4);
    for (k = 0; k < NSTEP; k++)
        for (i = 0; i < NS; i++) tok[k][i] = g_ids[(k * 5 + i * 11) % NTOK];
    for (i = 0; i < NS; i++) REQUIRE(minimax_session_create(m, &s[i]) == MINIMAX_OK, "%s", minimax_last_error());
    for (pass = 0; pass < 3; pass++) { /* 0: together (graph), 1: together (eager), 2: each alone */
        for (i = 0; i < NS; i++) {
            REQUIRE(minimax_session_reset(s[i]) == MINIMAX_OK, "reset");
            REQUIRE(minimax_prefill(s[i], g_ids + i, 3 + 4 * i, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
        }
        for (k = 0; k < NSTEP; k++) {
            float *lg = (pass == 0 ? together : pass == 1 ? eager : alone) + (size_t)k * NS * V;
            if (pass == 0)
                REQUIRE(minimax_step(m, s, NS, tok[k], lg, st[k]) == MINIMAX_OK, "%s", minimax_last_error());
            else if (pass == 1)
                REQUIRE(minimax__step(m, s, NS, tok[k], lg, NULL, 0) == MINIMAX_OK, "%s", minimax_last_error());
            else
                for (i = 0; i < NS; i++)
                    REQUIRE(minimax_step(m, &s[i], 1, &tok[k][i], lg + (size_t)i * V, &sa[k][i]) == MINIMAX_OK, "%s",
                            minimax_last_error());
        }
    }
    for (k = 0; k < NSTEP * NS; k++) {
        e = eu_rel_err(together + (size_t)k * V, alone + (size_t)k * V, (size_t)V, &bad);
        if (e > err1) err1 = e;
        CHECK(!bad, "NaN in the logits of slot %d", k % NS);
        e = eu_rel_err(eager + (size_t)k * V, together + (size_t)k * V, (size_t)V, &bad);
        if (e > err2) err2 = e;
        mism += st[k / NS][k % NS] != sa[k / NS][k % NS];
    }
    printf("    11 sessions in passes of 8 + 3 vs alone: rel err %.3g (bound %g), %d of %d greedy tokens differ; graph "
           "vs eager %.3g (bound 1e-6)\n",
           err1, EU_H2_TOL, mism, NSTEP * NS, err2);
    CHECK(err1 < EU_H2_TOL, "together vs alone %g", err1);
    CHECK(err2 < 1e-6, "graph vs eager %g", err2);
    CHECK(mism == 0, "%d sampled tokens differ", mism);
    for (i = 0; i < NS; i++) minimax_session_free(s[i]);
    minimax_model_free(m);
    free(together); free(eager); free(alone);
}

/* sampled tokens: same seed -> same tokens, batched or alone; padding never sampled */
static void test_sampling_reproducible(void) {
    minimax_session *a, *b, *c2;
    minimax_sampling sp;
    int32_t ta[12], tb[12], tok, k, pad = 0;
    NEED_GPU();
    memset(&sp, 0, sizeof sp);
    sp.temperature = 1.5f;
    sp.top_p = 0.95f;
    sp.seed = 42;
    REQUIRE(minimax_session_create(g_m, &a) == MINIMAX_OK && minimax_session_create(g_m, &b) == MINIMAX_OK, "create");
    REQUIRE(minimax_session_create(g_m, &c2) == MINIMAX_OK, "create");
    REQUIRE(minimax_session_set_sampling(a, &sp) == MINIMAX_OK, "sampling");
    REQUIRE(minimax_prefill(a, g_ids, 10, NULL, &tok) == MINIMAX_OK, "%s", minimax_last_error());
    ta[0] = tok;
    for (k = 1; k < 12; k++) REQUIRE(minimax_step(g_m, &a, 1, &ta[k - 1], NULL, &ta[k]) == MINIMAX_OK, "step");
    /* same again in session b, stepped in a batch with c2, and with a's id reused through reset */
    REQUIRE(minimax_session_reset(a) == MINIMAX_OK, "reset");
    REQUIRE(minimax_prefill(a, g_ids, 10, NULL, &tok) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax_prefill(c2, g_ids + 3, 17, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    tb[0] = tok;
    for (k = 1; k < 12; k++) {
        minimax_session *pair[2];
        int32_t in[2], out[2];
        pair[0] = c2; pair[1] = a;
        in[0] = 7; in[1] = tb[k - 1];
        REQUIRE(minimax_step(g_m, pair, 2, in, NULL, out) == MINIMAX_OK, "step");
        tb[k] = out[1];
    }
    for (k = 0; k < 12; k++) {
        CHECK(ta[k] == tb[k], "token %d: %d alone, %d batched", k, ta[k], tb[k]);
        if (ta[k] >= g_m->plan.valid_vocab) pad++;
    }
    CHECK(pad == 0, "%d padding ids sampled", pad);
    minimax_session_free(a); minimax_session_free(b); minimax_session_free(c2);
}

static int cancel_at_weights(void *user, float f, const char *stage) {
    int *calls = (int *)user;
    (*calls)++;
    return strcmp(stage, "weights") == 0 && f > 0.3f;
}

/* progress cancel and a configuration that cannot fit are ordinary errors
   that leave no device memory behind; a host context + stream is used as given */
static void test_load_options(void) {
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_result r;
    minimax_config big;
    size_t free0 = 0, free1 = 0, tot = 0;
    int calls = 0, V;
    minimax__cu_stream hs = NULL;
    minimax_session *s1 = NULL, *s2 = NULL;
    float *l1, *l2;
    NEED_GPU();
    V = g_cfg.vocab_size;
    minimax__cu.cuCtxSetCurrent(g_m->ctx);
    minimax__cu.cuMemGetInfo(&free0, &tot);
    memset(&d, 0, sizeof d);
    d.progress = cancel_at_weights;
    d.progress_user = &calls;
    r = minimax__model_create(&d, &g_cfg, &g_em->w, &m);
    CHECK(r == MINIMAX_ERR_CANCELLED && m == NULL, "cancel: %s %s", minimax_result_name(r), minimax_last_error());
    CHECK(calls >= 2, "progress called %d times", calls);
    minimax__cu.cuCtxSetCurrent(g_m->ctx);
    minimax__cu.cuMemGetInfo(&free1, &tot);
    CHECK(free1 + (8u << 20) >= free0, "cancelled load left %zd bytes allocated", (ptrdiff_t)(free0 - free1));
    /* sessions x 1M tokens of KV: twice the card's memory (whatever the card) */
    big = g_cfg;
    big.max_position_embeddings = 1 << 20;
    memset(&d, 0, sizeof d);
    {
        double kv_token = (double)big.num_layers * 2 * big.num_kv_heads * big.head_dim * 2; /* BF16 K and V */
        d.max_sessions = (int)(2.0 * (double)tot / (kv_token * (1 << 20))) + 1;
    }
    d.max_context = 1 << 20;
    r = minimax__model_create(&d, &big, &g_em->w, &m);
    CHECK(r == MINIMAX_ERR_OUT_OF_MEMORY && m == NULL && strstr(minimax_last_error(), "max_sessions"), "too big: %s %s",
          minimax_result_name(r), minimax_last_error());
    printf("    refused: %.200s\n", minimax_last_error());
    minimax__cu.cuCtxSetCurrent(g_m->ctx);
    minimax__cu.cuMemGetInfo(&free1, &tot);
    CHECK(free1 + (8u << 20) >= free0, "refused load left %zd bytes allocated", (ptrdiff_t)(free0 - free1));
    /* the host's context and stream */
    REQUIRE(minimax__cu.cuStreamCreate(&hs, 1) == 0, "stream");
    memset(&d, 0, sizeof d);
    d.cuda_context = g_m->ctx;
    d.cuda_stream = hs;
    d.max_context = 64;
    r = minimax__model_create(&d, &g_cfg, &g_em->w, &m);
    REQUIRE(r == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(m->stream == hs && !m->own_stream && m->ctx == g_m->ctx && !m->own_ctx, "host context/stream not used");
    l1 = (float *)malloc((size_t)V * 4);
    l2 = (float *)malloc((size_t)V * 4);
    REQUIRE(minimax_session_create(m, &s1) == MINIMAX_OK && minimax_session_create(g_m, &s2) == MINIMAX_OK, "sessions");
    REQUIRE(minimax_prefill(s1, g_ids, 30, l1, NULL) == MINIMAX_OK && minimax_prefill(s2, g_ids, 30, l2, NULL) == MINIMAX_OK,
            "%s", minimax_last_error());
    CHECK(memcmp(l1, l2, (size_t)V * 4) == 0, "logits on the host's stream differ");
    minimax_session_free(s1);
    minimax_session_free(s2);
    minimax_model_free(m);
    minimax__cu.cuCtxSetCurrent(g_m->ctx);
    CHECK(minimax__cu.cuStreamSynchronize(hs) == 0, "host stream unusable after the model was freed");
    minimax__cu.cuStreamDestroy(hs);
    free(l1);
    free(l2);
}

static void test_errors(void) {
    minimax_session *s, *ss[5];
    int32_t ids[70], i, n = 0;
    minimax_result r;
    NEED_GPU();
    for (i = 0; i < 70; i++) ids[i] = i;
    REQUIRE(minimax_session_create(g_m, &s) == MINIMAX_OK, "create");
    r = minimax_prefill(s, ids, 0, NULL, NULL);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT, "n=0: %s", minimax_result_name(r));
    ids[3] = g_cfg.vocab_size;
    r = minimax_prefill(s, ids, 5, NULL, NULL);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT, "bad id: %s", minimax_result_name(r));
    ids[3] = 3;
    REQUIRE(minimax_prefill(s, ids, 60, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    for (i = 0; i < 3; i++) REQUIRE(minimax_prefill(s, ids, 60, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    r = minimax_prefill(s, ids, 20, NULL, NULL); /* 240 + 20 > 256 */
    CHECK(r == MINIMAX_ERR_CONTEXT_FULL && strstr(minimax_last_error(), "256"), "context full: %s %s",
          minimax_result_name(r), minimax_last_error());
    CHECK(minimax_session_position(s) == 240, "position after a refused prefill: %d", minimax_session_position(s));
    REQUIRE(minimax_prefill(s, ids, 16, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    r = minimax_step(g_m, &s, 1, ids, NULL, NULL);
    CHECK(r == MINIMAX_ERR_CONTEXT_FULL, "step at capacity: %s", minimax_result_name(r));
    minimax_session_free(s);
    REQUIRE(minimax_session_create(g_m, &s) == MINIMAX_OK, "create");
    ss[0] = s; ss[1] = s;
    r = minimax_step(g_m, ss, 2, ids, NULL, NULL);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT, "duplicate session: %s", minimax_result_name(r));
    minimax_session_free(s);
    for (i = 0; i < 5; i++) {
        ss[i] = NULL;
        if (minimax_session_create(g_m, &ss[i]) == MINIMAX_OK) n++;
        else r = (minimax_result)i;
    }
    CHECK(n == 4, "opened %d of max_sessions 4", n);
    CHECK(strstr(minimax_last_error(), "max_sessions") != NULL, "message: %s", minimax_last_error());
    for (i = 0; i < 5; i++) minimax_session_free(ss[i]);
}

int main(void) {
    int i;
    g_cfg = eu_tiny_config();
    g_em = eu_random_model(&g_cfg, 1);
    {
        test_rng r = {3};
        for (i = 0; i < NTOK; i++) g_ids[i] = (int32_t)(test_rng_u64(&r) % (unsigned long long)(g_cfg.vocab_size - 12));
    }
    g_m = make_model(g_em, 4, 256, 0);
    if (g_m) {
        g_ref = (float *)malloc((size_t)NTOK * g_cfg.vocab_size * 4);
        eu_ref_forward(g_em, g_ids, NTOK, g_ref);
        /* the engine restores the caller's context after each call; the raw
           kernel tests below allocate and launch in the model's context */
        minimax__cu.cuCtxSetCurrent(g_m->ctx);
    } else {
        printf("no GPU: %s\n", g_skip);
    }
    RUN(test_fp4_decode_exact);
    RUN(test_rng_matches_host);
    RUN(test_mm_bf16);
    RUN(test_rmsnorm);
    RUN(test_router);
    RUN(test_router_wide);
    RUN(test_experts);
    RUN(test_qk_rope_attention_paged);
    RUN(test_sampler);
    RUN(test_model_vs_reference);
    RUN(test_prefill_equals_steps);
    RUN(test_session_truncate);
    RUN(test_batch_and_graph);
    RUN(test_batch_passes);
    RUN(test_sampling_reproducible);
    RUN(test_errors);
    RUN(test_load_options);
    minimax_model_free(g_m);
    free(g_ref);
    eu_free_model(g_em);
    return test_summary();
}
