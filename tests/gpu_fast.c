/* GPU tests of the fast decode kernels (kernels.cu, "FAST DECODE KERNELS";
   dispatch in impl_52_fast.h): each kernel against the CPU reference ops of
   tests/ref.h on random inputs (outputs poisoned with NaN first, NaN/Inf
   checked, relative error bounds stated: max |gpu - ref| / max |ref|), then
   the whole model with the fast kernels against the general kernels. Skips
   without a GPU. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "engine_util.h"
#include "ref.h"

static eu_model *g_em;
static minimax_model *g_m;
static char g_skip[512];

static minimax__cu_ptr dput(const void *h, size_t n) {
    minimax__cu_ptr p = 0;
    minimax__cu.cuMemAlloc(&p, n ? n : 4);
    if (h) minimax__cu.cuMemcpyHtoD(p, h, n);
    return p;
}
static minimax__cu_ptr dnan(size_t nfloats) {
    minimax__cu_ptr p = dput(NULL, nfloats * 4);
    minimax__cu.cuMemsetD32Async(p, 0x7fc00000u, nfloats, g_m->stream);
    return p;
}
static int dget(void *h, minimax__cu_ptr p, size_t n) {
    int r = minimax__cu.cuStreamSynchronize(g_m->stream);
    r |= minimax__cu.cuMemcpyDtoH(h, p, n);
    return r;
}
static float h16(uint16_t h) { /* IEEE f16 -> float */
    int e = (h >> 10) & 31, mnt = h & 1023;
    float v = e == 0 ? ldexpf((float)mnt, -24) : e == 31 ? (mnt ? NAN : INFINITY) : ldexpf((float)(mnt | 1024), e - 25);
    return (h & 0x8000u) ? -v : v;
}
static void rand_f32(test_rng *r, float *x, size_t n, float sd) {
    size_t i;
    for (i = 0; i < n; i++) x[i] = sd * test_rng_normal(r);
}

#define NEED_GPU()                                                                                                     \
    do {                                                                                                               \
        if (!g_m) SKIP("no GPU model: %s", g_skip);                                                                    \
    } while (0)

/* k_gemv_bf16_t{1,2,4,8}: Y = X W^T (+ Y) for every instance, with N not a
   multiple of the rows per block, K % 32 != 0, and the split-K path (N = 256:
   S = 8). Bound 1e-5 (fp32 accumulation of exact BF16 x fp32 products). */
static void test_gemv_bf16(void) {
    static const int shapes[][3] = {{1, 77, 136}, {2, 256, 3072}, {3, 300, 520}, {4, 1000, 264},
                                    {5, 77, 136}, {8, 256, 3072}, {1, 3072, 6144}, {8, 1030, 1024}};
    test_rng r = {101};
    size_t s;
    NEED_GPU();
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int T = shapes[s][0], N = shapes[s][1], K = shapes[s][2], acc, t, bad;
        float *X = (float *)malloc((size_t)T * K * 4), *Y0 = (float *)malloc((size_t)T * N * 4);
        float *Y = (float *)malloc((size_t)T * N * 4), *ref = (float *)malloc((size_t)T * N * 4);
        uint16_t *W = (uint16_t *)malloc((size_t)N * K * 2);
        minimax__tensor tw;
        size_t i;
        rand_f32(&r, X, (size_t)T * K, 1.0f);
        rand_f32(&r, Y0, (size_t)T * N, 1.0f);
        for (i = 0; i < (size_t)N * K; i++) W[i] = minimax__f32_to_bf16(0.02f * test_rng_normal(&r));
        memset(&tw, 0, sizeof tw);
        tw.name = "W";
        tw.dtype = MINIMAX__DT_BF16;
        tw.ndim = 2;
        tw.shape[0] = N;
        tw.shape[1] = K;
        tw.data = (const uint8_t *)W;
        tw.nbytes = (uint64_t)N * K * 2;
        for (acc = 0; acc < 2; acc++) {
            minimax__cu_ptr dX = dput(X, (size_t)T * K * 4), dW = dput(W, (size_t)N * K * 2);
            minimax__cu_ptr dY = acc ? dput(Y0, (size_t)T * N * 4) : dnan((size_t)T * N);
            double err;
            /* with accumulate, also the L2 requests before the wait (o_proj's;
               no effect on the values): a share and whole slices */
            int ahead = acc ? (s % 2 ? 16 : 2) : 0;
            REQUIRE(minimax__fast_mm(g_m, dX, dW, dY, T, N, K, acc, ahead) == MINIMAX_OK, "launch: %s",
                    minimax_last_error());
            REQUIRE(dget(Y, dY, (size_t)T * N * 4) == 0, "download");
            for (t = 0; t < T; t++) {
                ref_matvec_bf16(&tw, X + (size_t)t * K, ref + (size_t)t * N);
                if (acc)
                    for (i = 0; i < (size_t)N; i++) ref[(size_t)t * N + i] += Y0[(size_t)t * N + i];
            }
            err = eu_rel_err(Y, ref, (size_t)T * N, &bad);
            printf("    gemv T=%d N=%d K=%d accumulate=%d l2_ahead=%d: rel err %.3g\n", T, N, K, acc, ahead, err);
            CHECK(!bad && err < 1e-5, "T=%d N=%d K=%d acc=%d: rel err %g (bound 1e-5), nan/inf %d", T, N, K, acc, err, bad);
            minimax__cu.cuMemFree(dX); minimax__cu.cuMemFree(dW); minimax__cu.cuMemFree(dY);
        }
        free(X); free(Y0); free(Y); free(ref); free(W);
    }
}

/* k_gemv_bf16_norm_t1 (through minimax__norm_mm_f at T = 1, l2_ahead 0 and 16): Y = rmsnorm(x, nw) W^T
   and the normed vector xn, against ref_rmsnorm + ref_matvec_bf16, with and
   without the split-K path (N = 256: S = 8), N not a multiple of 8. x has a
   large offset so that the norm's scale matters. Bounds 1e-5. */
static void test_gemv_norm(void) {
    static const int shapes[][2] = {{77, 136}, {256, 3072}, {1000, 264}, {3072, 512}};
    test_rng r = {111};
    size_t s;
    NEED_GPU();
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int N = shapes[s][0], K = shapes[s][1], bad, bad2, ahead;
        float *X = (float *)malloc((size_t)K * 4), *NW = (float *)malloc((size_t)K * 4), *xn = (float *)malloc((size_t)K * 4);
        float *Y = (float *)malloc((size_t)N * 4), *ref = (float *)malloc((size_t)N * 4), *refn = (float *)malloc((size_t)K * 4);
        float *gxn = (float *)malloc((size_t)K * 4);
        uint16_t *W = (uint16_t *)malloc((size_t)N * K * 2);
        minimax__tensor tw, tn;
        minimax__cu_ptr dX, dN, dW, dY, dXN, dSSQ;
        float *ssq = (float *)malloc((size_t)(N + 3) / 4 * 4);
        double err, err2;
        size_t i;
        rand_f32(&r, X, (size_t)K, 3.0f);
        for (i = 0; i < (size_t)K; i++) {
            X[i] += 5.0f;
            NW[i] = 1.0f + 0.3f * test_rng_normal(&r);
        }
        for (i = 0; i < (size_t)N * K; i++) W[i] = minimax__f32_to_bf16(0.02f * test_rng_normal(&r));
        memset(&tw, 0, sizeof tw);
        tw.name = "W"; tw.dtype = MINIMAX__DT_BF16; tw.ndim = 2; tw.shape[0] = N; tw.shape[1] = K;
        tw.data = (const uint8_t *)W; tw.nbytes = (uint64_t)N * K * 2;
        memset(&tn, 0, sizeof tn);
        tn.name = "nw"; tn.dtype = MINIMAX__DT_F32; tn.ndim = 1; tn.shape[0] = K;
        tn.data = (const uint8_t *)NW; tn.nbytes = (uint64_t)K * 4;
        ref_rmsnorm(X, &tn, K, g_m->cfg.rms_norm_eps, refn);
        ref_matvec_bf16(&tw, refn, ref);
        dX = dput(X, (size_t)K * 4); dN = dput(NW, (size_t)K * 4); dW = dput(W, (size_t)N * K * 2);
        dY = dnan((size_t)N); dXN = dnan((size_t)K);
        dSSQ = dnan((size_t)(N + 3) / 4);
        REQUIRE(minimax__fast_norm_ok(g_m, 1, K), "fused path not taken");
        for (ahead = 0; ahead <= 16; ahead += 16) { /* without and with the rest of each slice asked of L2 (the router's) */
            minimax__cu.cuMemsetD32Async(dY, 0x7fc00000u, (size_t)N, g_m->stream); /* poisoned again */
            minimax__cu.cuMemsetD32Async(dXN, 0x7fc00000u, (size_t)K, g_m->stream);
            minimax__cu.cuMemsetD32Async(dSSQ, 0x7fc00000u, (size_t)(N + 3) / 4, g_m->stream);
            REQUIRE(minimax__norm_mm_f(g_m, dX, dN, dW, dY, 1, N, K, dXN, 0, dSSQ, ahead) == MINIMAX_OK, "launch: %s",
                    minimax_last_error());
            REQUIRE(dget(Y, dY, (size_t)N * 4) == 0 && dget(gxn, dXN, (size_t)K * 4) == 0 &&
                        dget(ssq, dSSQ, (size_t)(N + 3) / 4 * 4) == 0,
                    "download");
            { /* the partial sums of squares: of the outputs' own values, 4 rows each (the last group may be short) */
                double worst = 0;
                for (i = 0; i < (size_t)(N + 3) / 4; i++) {
                    double want = 0;
                    size_t n;
                    for (n = 4 * i; n < 4 * i + 4 && n < (size_t)N; n++) want += (double)Y[n] * Y[n];
                    if (!(fabs(ssq[i] - want) <= 1e-6 * want)) worst = worst > 1 ? worst : fabs(ssq[i] - want) / (want > 0 ? want : 1);
                }
                CHECK(worst == 0, "N=%d K=%d: partial sums of squares off by %g (relative, bound 1e-6)", N, K, worst);
            }
            err = eu_rel_err(Y, ref, (size_t)N, &bad);
            err2 = eu_rel_err(gxn, refn, (size_t)K, &bad2);
            printf("    norm+gemv N=%d K=%d l2_ahead=%d: rel err %.3g, normed vector %.3g\n", N, K, ahead, err, err2);
            CHECK(!bad && err < 1e-5, "N=%d K=%d: rel err %g (bound 1e-5), nan/inf %d", N, K, err, bad);
            CHECK(!bad2 && err2 < 1e-6, "N=%d K=%d: normed vector rel err %g (bound 1e-6), nan/inf %d", N, K, err2, bad2);
        }
        minimax__cu.cuMemFree(dX); minimax__cu.cuMemFree(dN); minimax__cu.cuMemFree(dW); minimax__cu.cuMemFree(dY);
        minimax__cu.cuMemFree(dXN); minimax__cu.cuMemFree(dSSQ);
        free(X); free(NW); free(xn); free(Y); free(ref); free(refn); free(gxn); free(W); free(ssq);
    }
}

/* k_argmax_part + k_sample_fast (the engine's sampler for <= 8 rows) against
   the host rule minimax__sample_host: greedy rows (a planted maximum, and a
   tie between two ids: the lower wins) and sampled rows (top-k / top-p /
   min-p), padding ids past `valid` set high (never chosen). */
static void test_sample_fast(void) {
    const int R = 8, V = 50000, valid = 49990;
    float *l = (float *)malloc((size_t)R * V * 4);
    minimax__sample_params sp[8];
    minimax_sampling hs[8];
    int out[8], i, bad = 0, parts;
    test_rng r = {121};
    minimax__cu_ptr dl, dsp, dout, dpb, dpi;
    void *a[8];
    NEED_GPU();
    parts = MINIMAX__ARGMAX_PARTS(g_m);
    rand_f32(&r, l, (size_t)R * V, 3.0f);
    for (i = 0; i < R; i++) {
        int j;
        for (j = valid; j < V; j++) l[(size_t)i * V + j] = 100.0f;
        memset(&hs[i], 0, sizeof hs[i]);
        hs[i].temperature = i < 4 ? 0.0f : 0.5f + 0.1f * (float)i;
        hs[i].top_k = i == 5 ? 40 : 0;
        hs[i].top_p = i == 6 ? 0.7f : 0.0f;
        hs[i].min_p = i == 7 ? 0.05f : 0.0f;
        hs[i].seed = 77 + (uint64_t)i;
        sp[i].temperature = hs[i].temperature; sp[i].top_k = hs[i].top_k; sp[i].top_p = hs[i].top_p;
        sp[i].min_p = hs[i].min_p; sp[i].seed = hs[i].seed; sp[i].session = (uint64_t)i; sp[i].position = 9 + i;
    }
    l[(size_t)1 * V + 31337] = 40.0f; /* row 1: one planted maximum */
    l[(size_t)2 * V + 45000] = 40.0f; /* row 2: a tie, the lower id wins */
    l[(size_t)2 * V + 1234] = 40.0f;
    l[(size_t)3 * V + valid - 1] = 40.0f; /* row 3: the last valid id */
    dl = dput(l, (size_t)R * V * 4); dsp = dput(sp, sizeof sp); dout = dput(NULL, sizeof out);
    dpb = dput(NULL, (size_t)R * parts * 4); dpi = dput(NULL, (size_t)R * parts * 4);
    minimax__cu.cuMemsetD32Async(dout, 0xffffffffu, (size_t)R, g_m->stream);
    {
        int V_ = V, valid_ = valid;
        a[0] = &dl; a[1] = &V_; a[2] = &valid_; a[3] = &dpb; a[4] = &dpi;
        REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_ARGMAX_PART, (unsigned)parts, (unsigned)R, 256, 0, a) == MINIMAX_OK,
                "launch: %s", minimax_last_error());
        a[3] = &dsp; a[4] = &dout; a[5] = &dpb; a[6] = &dpi; a[7] = &parts;
        REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_SAMPLE_FAST, (unsigned)R, 1, 1024, 0, a) == MINIMAX_OK,
                "launch: %s", minimax_last_error());
    }
    REQUIRE(dget(out, dout, sizeof out) == 0, "download");
    for (i = 0; i < R; i++) {
        int h = minimax__sample_host(l + (size_t)i * V, valid, &hs[i], (uint64_t)i, (uint64_t)(9 + i));
        if (h != out[i]) {
            bad++;
            printf("    row %d: gpu %d host %d\n", i, out[i], h);
        }
    }
    printf("    sampler with partial argmax (%d parts), %d rows: %d differ from the host rule\n", parts, R, bad);
    CHECK(bad == 0, "%d rows differ", bad);
    CHECK(out[1] == 31337 && out[2] == 1234 && out[3] == valid - 1, "planted maxima: %d %d %d", out[1], out[2], out[3]);
    minimax__cu.cuMemFree(dl); minimax__cu.cuMemFree(dsp); minimax__cu.cuMemFree(dout); minimax__cu.cuMemFree(dpb);
    minimax__cu.cuMemFree(dpi);
    free(l);
}

/* The largest relative error of the added part of x (x - x0 against xref -
   x0) over output row n of every token slot: row 1 of W2 has subnormal E4M3
   block scales, its outputs are ~2^-16 of the others and would drown in a
   bound relative to the largest. */
static double moe_row_err(const float *x, const float *xref, const float *x0, int T, int H, int n) {
    double e = 0.0;
    int t;
    for (t = 0; t < T; t++) {
        double d = (double)x[(size_t)t * H + n] - x0[(size_t)t * H + n], r = (double)xref[(size_t)t * H + n] - x0[(size_t)t * H + n];
        double rel = fabs(d - r) / (fabs(r) > 0 ? fabs(r) : 1.0);
        if (!(rel <= e)) e = rel; /* NaN counts */
    }
    return e;
}

/* The MoE reference for T token slots: aref [T*K, NI] = silu(W1 h) * (W3 h)
   per routed slot, xref [T, H] = x0 + sum_j wt_j * W2[e_j] act_j. */
static void moe_ref(const minimax__fp4_matrix *w1, const minimax__fp4_matrix *w3, const minimax__fp4_matrix *w2,
                    const int *idx, const float *wt, const float *h, const float *x0, int T, int H, int NI, int K,
                    float *aref, float *xref) {
    float *g = (float *)malloc((size_t)NI * 4), *u = (float *)malloc((size_t)NI * 4), *o = (float *)malloc((size_t)H * 4);
    int t, j, i;
    for (t = 0; t < T; t++) {
        double *acc = (double *)calloc((size_t)H, sizeof(double));
        for (j = 0; j < K; j++) {
            int ee = idx[t * K + j];
            float *ar = aref + ((size_t)t * K + j) * NI;
            ref_matvec_fp4(&w1[ee], h + (size_t)t * H, g);
            ref_matvec_fp4(&w3[ee], h + (size_t)t * H, u);
            for (i = 0; i < NI; i++) ar[i] = ref_silu(g[i]) * u[i];
            ref_matvec_fp4(&w2[ee], ar, o);
            for (i = 0; i < H; i++) acc[i] += (double)wt[t * K + j] * o[i];
        }
        for (i = 0; i < H; i++) xref[(size_t)t * H + i] = (float)(x0[(size_t)t * H + i] + acc[i]);
        free(acc);
    }
    free(g); free(u); free(o);
}

/* The largest error of the added part of x over output row n of every token
   slot, relative to that output's sum of |products| (sum_j wt_j sum_i
   |W2[e_j][n, i] act_j[i]|, act from the reference): the measure the packed-f16
   kernels' rounding is bounded in (kernels.cu); row 1's outputs may cancel to
   far below it. */
static double moe_row_err_mag(const float *x, const float *xref, const float *x0, const minimax__fp4_matrix *w2,
                              const int *idx, const float *wt, const float *aref, int T, int H, int NI, int K, int n) {
    float *row = (float *)malloc((size_t)NI * 4);
    double e = 0.0;
    int t, j, i;
    for (t = 0; t < T; t++) {
        double mag = 0.0, d = (double)x[(size_t)t * H + n] - x0[(size_t)t * H + n],
               r = (double)xref[(size_t)t * H + n] - x0[(size_t)t * H + n], rel;
        for (j = 0; j < K; j++) {
            const float *ar = aref + ((size_t)t * K + j) * NI;
            ref_fp4_row(&w2[idx[t * K + j]], n, row);
            for (i = 0; i < NI; i++) mag += wt[t * K + j] * fabs((double)row[i] * ar[i]);
        }
        rel = fabs(d - r) / (mag > 0 ? mag : 1.0);
        if (!(rel <= e)) e = rel; /* NaN counts */
    }
    free(row);
    return e;
}

/* act of R routed slots in the H2 layout (kernels.cu) -> fp32 [R, NI] */
static void h2_act_to_f32(const uint8_t *act, int R, int NI, float *out) {
    int r, i, NCI = NI / 32;
    for (r = 0; r < R; r++) {
        const uint8_t *base = act + (size_t)r * NI * 4;
        for (i = 0; i < NI; i++) {
            int w = i >> 3, j = i & 7;
            uint16_t hv;
            float f;
            memcpy(&hv, base + ((size_t)(w & 3) * NCI + (w >> 2)) * 16 + (j & 3) * 4 + (j >> 2) * 2, 2);
            memcpy(&f, base + (size_t)NI * 2 + (size_t)(i >> 4) * 4, 4);
            out[(size_t)r * NI + i] = h16(hv) * f;
        }
    }
}

/* The expert kernels against ref_matvec_fp4 / ref_silu: random NVFP4 experts
   (ModelOpt quantiser; row 0 of each matrix with small block scales, row 1
   with subnormal E4M3 ones: the tensor-core kernels' exact path, checked on
   its own in the down projection's output row 1), random routing (router
   logits that pick distinct random experts per token by a wide margin),
   T = 1, 3, 8.
   - k_moe_gate_up_h2 + k_moe_down_h2 (packed f16): the routing the gate/up
     kernel does (the picked experts in order, weights within 1e-6, bit for
     bit k_router's), act (H2, decoded here)
     against silu(W1 h) * (W3 h), the layer output against x0 + sum_j wt_j *
     W2[e_j] act_j, each token slot on its own (relative to its largest
     value). At T = 3 token 1's h is scaled by 2^20 and token 2's by 2^-20
     (its x0 zero, so that its tiny added part shows): f16 alone would
     overflow or flush them, the per-block power-of-two scaling must keep
     them exact to f16 precision. The rounding is bounded per output,
     relative to its sum of |products| (kernels.cu, ~1e-3 at worst): checked
     so for output row 1 (2e-3), and for act and the added part of x against
     each token slot's largest value (5e-3; sums of |products| exceed the
     largest output by the cancellation in the dot products; measured up to
     1.3e-3).
   - the tensor-core kernels (k_to_ph, k_moe_gate_up_mma, k_moe_down_mma) on
     the unscaled h: bound 1e-4.
   Three shapes: H 512, I 256, 16 experts, top-4 (one round of loads per
   lane); H 3328, I 1024, 10 experts, top-8 (two rounds in both kernels:
   104 chunks of a gate/up row, 256 chunks of a down row's experts); H 512,
   I 640, 12 experts, top-3 (a warp of the tensor-core down projection takes
   groups of two experts); and the test model's own, H 256, I 128, 12
   experts, top-4, which runs the packed-f16 instances compiled with those
   shapes as constants (kernels.cu MOE_SHAPE; the other shapes run the
   generic ones), its act also compared bit for bit with the generic
   kernel's; the same H and I with MiniMax-M2's routing, 256 experts, top-8
   (generic instances); and MiniMax-M2's, H 3072, I 1536, top-8 (12 experts), through
   a one-layer synthetic model of the real configuration, whose kernels are
   compiled for those shapes: the instances a decode step runs. */
static void test_moe_fast_shape(int H, int NI, int E, int K, unsigned long long seed) {
    static const int Ts[] = {1, 3, 8};
    test_rng r = {seed};
    minimax__fp4_matrix *w1 = (minimax__fp4_matrix *)calloc(E, sizeof *w1), *w3 = (minimax__fp4_matrix *)calloc(E, sizeof *w3),
                        *w2 = (minimax__fp4_matrix *)calloc(E, sizeof *w2);
    uint8_t *p1 = (uint8_t *)malloc((size_t)E * NI * H / 2), *p3 = (uint8_t *)malloc((size_t)E * NI * H / 2),
            *p2 = (uint8_t *)malloc((size_t)E * NI * H / 2);
    uint8_t *s1 = (uint8_t *)malloc((size_t)E * NI * H / 16), *s3 = (uint8_t *)malloc((size_t)E * NI * H / 16),
            *s2 = (uint8_t *)malloc((size_t)E * NI * H / 16);
    float *f1 = (float *)malloc((size_t)E * 4), *f3 = (float *)malloc((size_t)E * 4), *f2 = (float *)malloc((size_t)E * 4);
    float *tmp = (float *)malloc((size_t)NI * H * 4);
    minimax__cu_ptr dp1, dp3, dp2, ds1, ds3, ds2, df1, df3, df2;
    int e, ti, fk_gu, fk_down;
    NEED_GPU();
    for (e = 0; e < E; e++) {
        int mtx;
        for (mtx = 0; mtx < 3; mtx++) {
            int rows = mtx == 2 ? H : NI, cols = mtx == 2 ? NI : H;
            uint8_t *pk = (mtx == 0 ? p1 : mtx == 1 ? p3 : p2) + (size_t)e * NI * H / 2;
            uint8_t *sc = (mtx == 0 ? s1 : mtx == 1 ? s3 : s2) + (size_t)e * NI * H / 16;
            float *ws = mtx == 0 ? f1 : mtx == 1 ? f3 : f2;
            minimax__fp4_matrix *q = mtx == 0 ? &w1[e] : mtx == 1 ? &w3[e] : &w2[e];
            int k;
            rand_f32(&r, tmp, (size_t)rows * cols, 0.02f * (1.0f + 0.5f * (float)mtx));
            for (k = 0; k < cols; k++) tmp[k] = ldexpf(tmp[k], -7); /* row 0: small block scales (~2) */
            for (k = cols; k < 2 * cols; k++) tmp[k] = ldexpf(tmp[k], -16); /* row 1: subnormal E4M3 scales (~2^-8) */
            minimax__nvfp4_quantize(tmp, rows, cols, pk, sc, &ws[e]);
            q->rows = rows;
            q->cols = cols;
            q->packed = pk;
            q->scales = sc;
            q->weight_scale_2 = ws[e];
        }
    }
    dp1 = dput(p1, (size_t)E * NI * H / 2); dp3 = dput(p3, (size_t)E * NI * H / 2); dp2 = dput(p2, (size_t)E * NI * H / 2);
    REQUIRE(minimax__fp4_layout(g_m, dp1, (size_t)E * NI * H / 2) == MINIMAX_OK &&
                minimax__fp4_layout(g_m, dp3, (size_t)E * NI * H / 2) == MINIMAX_OK &&
                minimax__fp4_layout(g_m, dp2, (size_t)E * NI * H / 2) == MINIMAX_OK,
            "%s", minimax_last_error());
    ds1 = dput(s1, (size_t)E * NI * H / 16); ds3 = dput(s3, (size_t)E * NI * H / 16); ds2 = dput(s2, (size_t)E * NI * H / 16);
    df1 = dput(f1, E * 4); df3 = dput(f3, E * 4); df2 = dput(f2, E * 4);
    for (ti = 0; ti < 3; ti++) {
        int T = Ts[ti], t, j, i, bad;
        float *h = (float *)malloc((size_t)T * H * 4), *x0 = (float *)malloc((size_t)T * H * 4);
        float *hs = (float *)malloc((size_t)T * H * 4), *x0s = (float *)malloc((size_t)T * H * 4);
        float *aref = (float *)malloc((size_t)T * K * NI * 4), *nat = (float *)malloc((size_t)T * K * NI * 4);
        float *x = (float *)malloc((size_t)T * H * 4), *xref = (float *)malloc((size_t)T * H * 4);
        uint8_t *act = (uint8_t *)malloc((size_t)T * K * NI * 4);
        int *idx = (int *)malloc((size_t)T * K * 4), *idx2 = (int *)malloc((size_t)T * K * 4);
        float *wt = (float *)malloc((size_t)T * K * 4), *wt2 = (float *)malloc((size_t)T * K * 4);
        float *lg = (float *)malloc((size_t)T * E * 4), *bias = (float *)malloc((size_t)E * 4), rsf = 2.5f;
        int *pick = (int *)malloc((size_t)T * K * 4);
        minimax__cu_ptr dh, dx, dact, didx, dwt, dlg, dbias, didx2, dwt2, rflag;
        double err, err_act = 0, err_x = 0, err_wt = 0;
        void *a[18];
        int Hh = H, In = NI, Kk = K, Ee = E, bad_route = 0, flag = -1;
        minimax__fast_moe_kernels(g_m, H, NI, K, T, 0, &fk_gu, &fk_down); /* the _c instances at the model's own shapes */
        rand_f32(&r, h, (size_t)T * H, 1.0f);
        rand_f32(&r, x0, (size_t)T * H, 1.0f);
        /* router logits that pick K distinct random experts a token by a wide
           margin (chosen 2 .. 2.5, the rest -2 .. 0; biases within 0.1) */
        for (i = 0; i < E; i++) bias[i] = 0.2f * test_rng_uniform(&r) - 0.1f;
        for (t = 0; t < T; t++) {
            for (i = 0; i < E; i++) lg[t * E + i] = -2.0f + 2.0f * test_rng_uniform(&r);
            for (j = 0; j < K; j++) {
                int ok, jj;
                do {
                    pick[t * K + j] = (int)(test_rng_u64(&r) % (unsigned long long)E);
                    ok = 1;
                    for (jj = 0; jj < j; jj++) ok &= pick[t * K + jj] != pick[t * K + j];
                } while (!ok);
                lg[t * E + pick[t * K + j]] = 2.0f + 0.5f * test_rng_uniform(&r);
            }
        }
        memcpy(hs, h, (size_t)T * H * 4);
        memcpy(x0s, x0, (size_t)T * H * 4);
        if (T == 3)
            for (i = 0; i < H; i++) {
                hs[H + i] = ldexpf(h[H + i], 20);
                hs[2 * H + i] = ldexpf(h[2 * H + i], -20);
                x0s[2 * H + i] = 0.0f;
            }
        dh = dput(hs, (size_t)T * H * 4);
        dact = dnan((size_t)T * K * NI);
        didx = dnan((size_t)T * K);
        dwt = dnan((size_t)T * K);
        didx2 = dnan((size_t)T * K);
        dwt2 = dnan((size_t)T * K);
        dlg = dput(lg, (size_t)T * E * 4);
        dbias = dput(bias, (size_t)E * 4);
        a[0] = &dlg; a[1] = &dbias; a[2] = &Ee; a[3] = &rsf; a[4] = &didx; a[5] = &dwt; a[6] = &dh; a[7] = &dp1;
        a[8] = &ds1; a[9] = &df1; a[10] = &dp3; a[11] = &ds3; a[12] = &df3; a[13] = &dact; a[14] = &Hh; a[15] = &In;
        a[16] = &Kk;
        /* one slot: the routing flag, so that the one-slot down below takes the ids before its wait (EARLY) */
        rflag = T == 1 && fk_down == MINIMAX__FK_MOE_DOWN_C1 ? g_m->route_flag : 0;
        a[17] = &rflag;
        if (rflag) { /* a value neither kernel writes, so that the checks below see what each wrote */
            int sentinel = 7;
            REQUIRE(minimax__cu.cuMemcpyHtoD(rflag, &sentinel, 4) == 0, "upload");
        }
        REQUIRE(minimax__fast_launch(g_m, fk_gu, (unsigned)MINIMAX__GU_BLOCKS(g_m, T), (unsigned)T, 256,
                                     MINIMAX__GU_SMEM(H), a) == MINIMAX_OK,
                "launch: %s", minimax_last_error());
        if (rflag) {
            REQUIRE(dget(&flag, rflag, 4) == 0, "download");
            CHECK(flag == 1, "gate/up T=1: the routing flag is %d, not 1", flag);
        }
        /* the routing it did: the picked experts, in descending order of
           sigmoid + bias, weights sigmoid / sum * rsf; bit for bit k_router's */
        a[0] = &dlg; a[1] = &dbias; a[2] = &didx2; a[3] = &dwt2; a[4] = &Ee; a[5] = &Kk; a[6] = &rsf;
        REQUIRE(minimax__launch(g_m, MINIMAX__K_ROUTER, (unsigned)T, 1, 32, a) == MINIMAX_OK, "launch: %s",
                minimax_last_error());
        REQUIRE(dget(idx, didx, (size_t)T * K * 4) == 0 && dget(wt, dwt, (size_t)T * K * 4) == 0 &&
                    dget(idx2, didx2, (size_t)T * K * 4) == 0 && dget(wt2, dwt2, (size_t)T * K * 4) == 0,
                "download");
        for (t = 0; t < T; t++) {
            double sum = 0, sg[32];
            for (j = 0; j < K; j++) {
                int e2 = idx[t * K + j], found = 0, jj;
                for (jj = 0; jj < K; jj++) found |= pick[t * K + jj] == e2;
                if (!found || e2 < 0 || e2 >= E) {
                    bad_route++;
                    break;
                }
                sg[j] = 1.0 / (1.0 + exp(-(double)lg[t * E + e2]));
                sum += sg[j];
                if (j && sg[j] + bias[e2] > sg[j - 1] + bias[idx[t * K + j - 1]]) bad_route++;
            }
            if (bad_route) break;
            for (j = 0; j < K; j++) {
                double w = sg[j] / sum * rsf, d = fabs(wt[t * K + j] - w) / w;
                if (!(d <= err_wt)) err_wt = d;
            }
        }
        CHECK(bad_route == 0, "gate/up T=%d: routing picked other experts or out of order", T);
        CHECK(err_wt < 1e-6, "gate/up T=%d: routing weights rel err %g (bound 1e-6)", T, err_wt);
        CHECK(memcmp(idx, idx2, (size_t)T * K * 4) == 0 && memcmp(wt, wt2, (size_t)T * K * 4) == 0,
              "gate/up T=%d: routing differs from k_router's", T);
        { /* the generic kernel given k_router's ids (logits NULL: how it runs for top-k above 8): the same act
             (where fk_gu is the instance compiled for these shapes, also the same bits as the generic one) */
            minimax__cu_ptr dact2 = dnan((size_t)T * K * NI), nolg = 0;
            uint8_t *act2 = (uint8_t *)malloc((size_t)T * K * NI * 4);
            a[0] = &nolg; a[1] = &dbias; a[2] = &Ee; a[3] = &rsf; a[4] = &didx2; a[5] = &dwt2; a[6] = &dh;
            a[13] = &dact2;
            REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_MOE_GATE_UP, (unsigned)MINIMAX__GU_BLOCKS(g_m, T), (unsigned)T,
                                         256, MINIMAX__GU_SMEM(H), a) == MINIMAX_OK,
                    "launch: %s", minimax_last_error());
            REQUIRE(dget(act, dact, (size_t)T * K * NI * 4) == 0 && dget(act2, dact2, (size_t)T * K * NI * 4) == 0,
                    "download");
            CHECK(memcmp(act, act2, (size_t)T * K * NI * 4) == 0, "gate/up T=%d: act with given ids differs", T);
            minimax__cu.cuMemFree(dact2);
            free(act2);
        }
        dx = dput(x0s, (size_t)T * H * 4);
        a[0] = &dact; a[1] = &didx; a[2] = &dwt; a[3] = &dp2; a[4] = &ds2; a[5] = &df2; a[6] = &dx; a[7] = &Hh;
        a[8] = &In; a[9] = &Kk; a[10] = &rflag; a[11] = &Ee;
        REQUIRE(minimax__fast_launch(g_m, fk_down, (unsigned)((H + MINIMAX__DOWN_ROWS - 1) / MINIMAX__DOWN_ROWS),
                                     (unsigned)T, 128, MINIMAX__DOWN_SMEM(K, NI), a) == MINIMAX_OK,
                "launch: %s", minimax_last_error());
        REQUIRE(dget(act, dact, (size_t)T * K * NI * 4) == 0 && dget(x, dx, (size_t)T * H * 4) == 0, "download");
        if (rflag) {
            REQUIRE(dget(&flag, rflag, 4) == 0, "download");
            CHECK(flag == 0, "down T=1: the routing flag is %d after it, not 0", flag);
        }
        if (fk_down == MINIMAX__FK_MOE_DOWN_C1) { /* one slot's instance: the same bits as the several slots' one */
            minimax__cu_ptr dx2 = dput(x0s, (size_t)T * H * 4);
            float *x2 = (float *)malloc((size_t)T * H * 4);
            a[6] = &dx2;
            REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_MOE_DOWN_C,
                                         (unsigned)((H + MINIMAX__DOWN_ROWS - 1) / MINIMAX__DOWN_ROWS), (unsigned)T, 128,
                                         MINIMAX__DOWN_SMEM(K, NI), a) == MINIMAX_OK,
                    "launch: %s", minimax_last_error());
            REQUIRE(dget(x2, dx2, (size_t)T * H * 4) == 0, "download");
            printf("    moe down H=%d T=%d: the one-slot instance %s the several slots' one\n", H, T,
                   memcmp(x, x2, (size_t)T * H * 4) == 0 ? "gives the same bits as" : "DIFFERS from");
            CHECK(memcmp(x, x2, (size_t)T * H * 4) == 0, "down T=%d: k_moe_down_h2_c1 differs from k_moe_down_h2_c", T);
            minimax__cu.cuMemFree(dx2);
            free(x2);
        }
        moe_ref(w1, w3, w2, idx, wt, hs, x0s, T, H, NI, K, aref, xref);
        h2_act_to_f32(act, T * K, NI, nat);
        for (t = 0; t < T; t++) {
            float *dg = (float *)malloc((size_t)H * 4), *dr = (float *)malloc((size_t)H * 4);
            err = eu_rel_err(nat + (size_t)t * K * NI, aref + (size_t)t * K * NI, (size_t)K * NI, &bad);
            CHECK(!bad, "gate/up T=%d token %d: nan/inf", T, t);
            if (!(err <= err_act)) err_act = err;
            /* the residual x0 dominates x: compare the added part */
            for (i = 0; i < H; i++) {
                dg[i] = x[(size_t)t * H + i] - x0s[(size_t)t * H + i];
                dr[i] = xref[(size_t)t * H + i] - x0s[(size_t)t * H + i];
            }
            err = eu_rel_err(dg, dr, (size_t)H, &bad);
            CHECK(!bad, "down T=%d token %d: nan/inf", T, t);
            if (!(err <= err_x)) err_x = err;
            free(dg); free(dr);
        }
        printf("    moe gate/up H=%d T=%d: rel err %.3g (worst token)\n", H, T, err_act);
        CHECK(err_act < 5e-3, "gate/up T=%d: rel err %g (bound 5e-3)", T, err_act);
        printf("    moe down H=%d T=%d: rel err %.3g (of the added part, worst token)\n", H, T, err_x);
        CHECK(err_x < 5e-3, "down T=%d: rel err %g (bound 5e-3)", T, err_x);
        err = moe_row_err_mag(x, xref, x0s, w2, idx, wt, aref, T, H, NI, K, 1);
        printf("    moe down H=%d T=%d: row 1 (subnormal scales) err %.3g of its sum of |products|\n", H, T, err);
        CHECK(err < 2e-3, "down T=%d: row 1 (subnormal scales) err %g of its sum of |products| (bound 2e-3)", T, err);
        moe_ref(w1, w3, w2, idx, wt, h, x0, T, H, NI, K, aref, xref);
        { /* the tensor-core kernels: h -> PH (k_to_ph), gate/up (act in PH, decoded here: hi + lo * 2^-11,
             times 2^4), down. Bound 1e-4 (products exact, fp32 sums, activations split into two f16
             parts: ~2^-22 each; with only one part the error would be ~1.5e-4) */
            minimax__cu_ptr dh0 = dput(h, (size_t)T * H * 4), dhp = dnan((size_t)T * H), dap = dnan((size_t)T * K * NI), dx2 = dput(x0, (size_t)T * H * 4);
            uint32_t *ap = (uint32_t *)malloc((size_t)T * K * NI * 4);
            float *x2 = (float *)malloc((size_t)T * H * 4), *natp = (float *)malloc((size_t)T * K * NI * 4);
            float *aref2 = (float *)malloc((size_t)T * K * NI * 4), *dg = (float *)malloc((size_t)T * H * 4);
            float *dr = (float *)malloc((size_t)T * H * 4);
            int rr, c, q;
            a[0] = &dh0; a[1] = &dhp; a[2] = &Hh;
            REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_TO_PH, (unsigned)((H / 2 + 255) / 256), (unsigned)T, 256, 0, a) ==
                        MINIMAX_OK, "launch: %s", minimax_last_error());
            a[0] = &dhp; a[1] = &didx; a[2] = &dp1; a[3] = &ds1; a[4] = &df1; a[5] = &dp3; a[6] = &ds3; a[7] = &df3;
            a[8] = &dap; a[9] = &Hh; a[10] = &In; a[11] = &Kk;
            REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_MOE_GATE_UP_MMA, (unsigned)(NI / 8), (unsigned)(T * K),
                                         MINIMAX__MMA_GU_THREADS,
                                         MINIMAX__MMA_GU_SMEM(H), a) == MINIMAX_OK, "launch: %s", minimax_last_error());
            a[0] = &dap; a[1] = &didx; a[2] = &dwt; a[3] = &dp2; a[4] = &ds2; a[5] = &df2; a[6] = &dx2; a[7] = &Hh;
            a[8] = &In; a[9] = &Kk;
            REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_MOE_DOWN_MMA, (unsigned)(H / 16), (unsigned)T, 256,
                                         MINIMAX__MMA_DOWN_SMEM(K, NI), a) == MINIMAX_OK,
                    "launch: %s", minimax_last_error());
            REQUIRE(dget(ap, dap, (size_t)T * K * NI * 4) == 0 && dget(x2, dx2, (size_t)T * H * 4) == 0, "download");
            for (rr = 0; rr < T * K; rr++) {
                for (c = 0; c < NI / 32; c++)
                    for (q = 0; q < 16; q++) {
                        const uint32_t *cp = ap + (size_t)rr * NI + (size_t)c * 32;
                        int e0 = 32 * c + 8 * (q >> 2) + (q & 3);
                        natp[(size_t)rr * NI + e0] =
                            (h16((uint16_t)(cp[q] & 0xffffu)) + h16((uint16_t)(cp[16 + q] & 0xffffu)) / 2048.0f) * 16.0f;
                        natp[(size_t)rr * NI + e0 + 4] =
                            (h16((uint16_t)(cp[q] >> 16)) + h16((uint16_t)(cp[16 + q] >> 16)) / 2048.0f) * 16.0f;
                    }
                for (i = 0; i < NI; i++) aref2[(size_t)rr * NI + i] = aref[(size_t)rr * NI + i];
            }
            err = eu_rel_err(natp, aref2, (size_t)T * K * NI, &bad);
            printf("    moe gate/up (tensor cores) T=%d: rel err %.3g\n", T, err);
            CHECK(!bad && err < 1e-4, "gate/up mma T=%d: rel err %g (bound 1e-4), nan/inf %d", T, err, bad);
            for (i = 0; i < T * H; i++) {
                dg[i] = x2[i] - x0[i];
                dr[i] = xref[i] - x0[i];
            }
            err = eu_rel_err(dg, dr, (size_t)T * H, &bad);
            printf("    moe down (tensor cores) T=%d: rel err %.3g (of the added part)\n", T, err);
            CHECK(!bad && err < 1e-4, "down mma T=%d: rel err %g (bound 1e-4), nan/inf %d", T, err, bad);
            err = moe_row_err(x2, xref, x0, T, H, 1);
            printf("    moe down (tensor cores) T=%d: row 1 (subnormal scales) rel err %.3g\n", T, err);
            CHECK(err < 1e-4, "down mma T=%d: row 1 (subnormal scales) rel err %g (bound 1e-4)", T, err);
            minimax__cu.cuMemFree(dh0); minimax__cu.cuMemFree(dhp); minimax__cu.cuMemFree(dap); minimax__cu.cuMemFree(dx2);
            free(ap); free(x2); free(natp); free(aref2); free(dg); free(dr);
        }
        minimax__cu.cuMemFree(dh); minimax__cu.cuMemFree(dx); minimax__cu.cuMemFree(dact);
        minimax__cu.cuMemFree(didx); minimax__cu.cuMemFree(dwt); minimax__cu.cuMemFree(didx2); minimax__cu.cuMemFree(dwt2);
        minimax__cu.cuMemFree(dlg); minimax__cu.cuMemFree(dbias);
        free(h); free(x0); free(hs); free(x0s); free(act); free(aref); free(nat); free(x); free(xref); free(idx); free(wt);
        free(idx2); free(wt2); free(lg); free(bias); free(pick);
    }
    minimax__cu.cuMemFree(dp1); minimax__cu.cuMemFree(dp3); minimax__cu.cuMemFree(dp2);
    minimax__cu.cuMemFree(ds1); minimax__cu.cuMemFree(ds3); minimax__cu.cuMemFree(ds2);
    minimax__cu.cuMemFree(df1); minimax__cu.cuMemFree(df3); minimax__cu.cuMemFree(df2);
    free(w1); free(w3); free(w2); free(p1); free(p3); free(p2); free(s1); free(s3); free(s2); free(tmp);
    free(f1); free(f3); free(f2);
}
static void test_moe_fast(void) {
    test_moe_fast_shape(512, 256, 16, 4, 202);
    test_moe_fast_shape(3328, 1024, 10, 8, 203);
    test_moe_fast_shape(512, 640, 12, 3, 204);
    NEED_GPU();
    test_moe_fast_shape(g_m->cfg.hidden_size, g_m->cfg.intermediate_size, 12, g_m->cfg.top_k, 205);
    test_moe_fast_shape(g_m->cfg.hidden_size, g_m->cfg.intermediate_size, 256, 8, 207); /* MiniMax-M2's routing: 256, top 8 */
    { /* the real expert shapes: the kernels of a one-layer synthetic model of that configuration */
        minimax_config c = minimax__bench_real_config(1);
        minimax_model_desc d;
        minimax_model *real = NULL, *keep = g_m;
        memset(&d, 0, sizeof d);
        d.max_sessions = 1;
        d.max_context = 64;
        d.max_batch_tokens = 16;
        REQUIRE(minimax__model_create_synthetic(&d, &c, 99, &real) == MINIMAX_OK, "synthetic real shapes: %s",
                minimax_last_error());
        g_m = real;
        test_moe_fast_shape(c.hidden_size, c.intermediate_size, 12, c.top_k, 206);
        g_m = keep;
        minimax_model_free(real);
        minimax__cu.cuCtxSetCurrent(g_m->ctx);
    }
}

/* k_attn_split + k_attn_merge against a double-precision softmax attention
   over a paged cache: 12 query heads on 2 KV heads (group 6), head_dim 128,
   16-token blocks in a shuffled block table, 4 token slots of 2 sessions with
   1, 45, 2100 and 5000 keys on a grid of 32 splits, with at least 1 key a
   split (the splits used: 1, 23, 32, 32) and at least 128 (1, 1, 17, 32),
   and on 72 splits (the merge's loads in two rounds: 72 splits used at
   5000 keys); the generic instance and the one for G = 6. Outputs poisoned
   before each launch. Bound 1e-5. Cache blocks of bs tokens: 16 (the
   engine's default), and 5 (fewer than a tensor-core tile's 8 keys: a tile
   spans up to 3 blocks). */
static void test_attention_split_bs(int bs, int maxb) {
    const int nh = 12, nkv = 2, d = 128, nsess = 2, L = 2, layer = 1;
    const int T = 4, posv[4] = {0, 44, 2099, 4999}, srowv[4] = {0, 1, 1, 0};
    int nblocks = nsess * maxb, t, h, i, j, bad, G = nh / nkv, ns;
    size_t kvhs = (size_t)nkv * bs * d, kv_elems = (size_t)L * nblocks * 2 * kvhs;
    uint16_t *kv = (uint16_t *)malloc(kv_elems * 2);
    int *bt = (int *)malloc((size_t)nblocks * 4);
    float *q = (float *)malloc((size_t)T * nh * d * 4), *out = (float *)malloc((size_t)T * nh * d * 4);
    float *ref = (float *)malloc((size_t)T * nh * d * 4);
    test_rng r = {303};
    minimax__cu_ptr dkv, dbt, dq, dout, dpart, dpos, dsrow;
    void *a[13];
    double err;
    for (i = 0; i < (int)kv_elems; i++) kv[i] = minimax__f32_to_bf16(test_rng_normal(&r));
    for (i = 0; i < nblocks; i++) bt[i] = i;
    for (i = nblocks - 1; i > 0; i--) { /* shuffled: sessions' blocks interleave */
        int k = (int)(test_rng_u64(&r) % (unsigned long long)(i + 1)), tmp = bt[i];
        bt[i] = bt[k];
        bt[k] = tmp;
    }
    rand_f32(&r, q, (size_t)T * nh * d, 1.0f);
    for (t = 0; t < T; t++)
        for (h = 0; h < nh; h++) {
            int kvh = h / G, n = posv[t] + 1;
            double *sc = (double *)malloc((size_t)n * sizeof(double)), mx = -1e300, sum = 0;
            for (j = 0; j < n; j++) {
                int blk = bt[srowv[t] * maxb + j / bs];
                const uint16_t *kr = kv + (((size_t)layer * nblocks + blk) * 2) * kvhs + ((size_t)kvh * bs + j % bs) * d;
                double s = 0;
                for (i = 0; i < d; i++) s += (double)q[((size_t)t * nh + h) * d + i] * minimax__bf16_to_f32(kr[i]);
                sc[j] = s / sqrt((double)d);
                if (sc[j] > mx) mx = sc[j];
            }
            for (j = 0; j < n; j++) sum += (sc[j] = exp(sc[j] - mx));
            for (i = 0; i < d; i++) {
                double o = 0;
                for (j = 0; j < n; j++) {
                    int blk = bt[srowv[t] * maxb + j / bs];
                    const uint16_t *vr = kv + (((size_t)layer * nblocks + blk) * 2) * kvhs + kvhs + ((size_t)kvh * bs + j % bs) * d;
                    o += sc[j] * minimax__bf16_to_f32(vr[i]);
                }
                ref[((size_t)t * nh + h) * d + i] = (float)(o / sum);
            }
            free(sc);
        }
    dkv = dput(kv, kv_elems * 2);
    dbt = dput(bt, (size_t)nblocks * 4);
    dq = dput(q, (size_t)T * nh * d * 4);
    dout = dnan((size_t)T * nh * d);
    dpart = dnan((size_t)T * nh * 72 * (d + 4)); /* kernels.cu FA_PART */
    dpos = dput(posv, sizeof posv);
    dsrow = dput(srowv, sizeof srowv);
    for (ns = 0; ns < 8; ns++) { /* splits 32 / 72, at least 1 / 128 keys, the generic / G = 6 instance */
        int splits = (ns & 2) ? 72 : 32, mk = ns & 1, g6 = ns >> 2;
        int ly = layer, nb = nblocks, mb = maxb, b = bs, nh_ = nh, nkv_ = nkv, min_keys = mk ? 128 : 1;
        minimax__cu.cuMemsetD32Async(dout, 0x7fc00000u, (size_t)T * nh * d, g_m->stream);
        a[0] = &dq; a[1] = &dpart; a[2] = &dpos; a[3] = &dsrow; a[4] = &dbt; a[5] = &dkv; a[6] = &ly; a[7] = &nb;
        a[8] = &mb; a[9] = &b; a[10] = &nh_; a[11] = &nkv_; a[12] = &min_keys;
        REQUIRE(minimax__cu.cuLaunchKernel(g_m->fn_fast[g6 ? MINIMAX__FK_ATTN_SPLIT_G6 : MINIMAX__FK_ATTN_SPLIT],
                                           (unsigned)nkv, (unsigned)splits,
                                           (unsigned)T, 128, 1, 1, (unsigned)(5 * G * d * 4), g_m->stream, a, NULL) == 0,
                "launch split");
        a[0] = &dpart; a[1] = &dout; a[2] = &dpos; a[3] = &nh_; a[4] = &splits; a[5] = &min_keys;
        REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_ATTN_MERGE, (unsigned)nh, (unsigned)T, 128, 0, a) == MINIMAX_OK,
                "launch merge: %s", minimax_last_error());
        REQUIRE(dget(out, dout, (size_t)T * nh * d * 4) == 0, "download");
        err = eu_rel_err(out, ref, (size_t)T * nh * d, &bad);
        printf("    split-KV attention%s (keys 1, 45, 2100, 5000; %d splits, >= %d keys a split; blocks of %d): rel err %.3g\n",
               g6 ? " for G = 6" : "", splits, min_keys, bs, err);
        CHECK(!bad && err < 1e-5, "%d splits, >= %d keys a split, blocks of %d: rel err %g (bound 1e-5), nan/inf %d",
              splits, min_keys, bs, err, bad);
    }
    minimax__cu.cuMemFree(dkv); minimax__cu.cuMemFree(dbt); minimax__cu.cuMemFree(dq); minimax__cu.cuMemFree(dout);
    minimax__cu.cuMemFree(dpart); minimax__cu.cuMemFree(dpos); minimax__cu.cuMemFree(dsrow);
    free(kv); free(bt); free(q); free(out); free(ref);
}
static void test_attention_split(void) {
    NEED_GPU();
    test_attention_split_bs(16, 320);
    test_attention_split_bs(5, 1000);
}

/* k_attn_split_qk (QK-norm, RoPE and the KV append inside the split blocks)
   against the kernels it replaces, k_qk_norm_rope_kv then k_attn_split, on a
   random raw q|k|v and cache: 3 token slots of 3 sessions at positions 0,
   37 and 3000 (a split of the new key alone, short splits, long splits),
   real head counts (48 / 8 heads of 128, rotary 64), at least 1 and 128 keys
   a split. Attention output within 1e-5 (the new key is scored last, so the
   online softmax rounds differently); the cache: V rows bit-identical, K
   within one BF16 step, every other element untouched. Then the
   tensor-parallel form (sums of squares given): with sums twice the local
   ones and tp = 2 the result must equal the one-GPU result within 1e-5.
   The fused collectives' form (struct mg_fuse: the partial sums of two
   senders, both slot 2's, as tagged words, with tp = 2): the same within
   1e-5; with the words' tag not the pass's the blocks give up after the
   timeout and set the status word to the code naming sender 0. The RoPE
   table (ROPE in kernels.cu): the one-GPU form storing its angles, then
   loading them (the same bits as computing them), then loading a table of
   NaNs (must differ: the table is read).
   Both the generic instance and the one for G = 6 (the reference is the
   generic k_attn_split). */
static void test_attention_split_qk(void) {
    const int nh = 48, nkv = 8, d = 128, rd = 64, bs = 16, maxb = 200, nsess = 3, L = 2, layer = 1, T = 3;
    const int posv[3] = {0, 37, 3000}, srowv[3] = {2, 0, 1};
    int nblocks = nsess * maxb, splits = 48, t, i, bad, G = nh / nkv, qn = nh * d, kn = nkv * d, W = qn + 2 * kn;
    size_t kvhs = (size_t)nkv * bs * d, kv_elems = (size_t)L * nblocks * 2 * kvhs, e;
    float eps = 1e-6f, theta = 5e6f;
    uint16_t *kv = (uint16_t *)malloc(kv_elems * 2), *kv_ref = (uint16_t *)malloc(kv_elems * 2);
    uint16_t *kv_got = (uint16_t *)malloc(kv_elems * 2);
    int *bt = (int *)malloc((size_t)nblocks * 4);
    float *qkv = (float *)malloc((size_t)T * W * 4), *qw = (float *)malloc((size_t)qn * 4), *kw = (float *)malloc((size_t)kn * 4);
    float *out_ref = (float *)malloc((size_t)T * qn * 4), *out = (float *)malloc((size_t)T * qn * 4), ssv[6];
    float *ssq = (float *)malloc((size_t)W / 4 * 4), *out1 = (float *)malloc((size_t)T * qn * 4);
    uint16_t *kv1 = (uint16_t *)malloc(kv_elems * 2);
    test_rng r = {313};
    minimax__cu_ptr dkv, dbt, dqkv, dqr, dout, dpart, dpos, dsrow, dqw, dkw, dss, dssq, null = 0, drf, dgen, dstat, drope;
    minimax__mg_fuse foff, fuse;
    int mk, genv = 1, stat = 0, code = 0x10000 | MINIMAX__MG_OP_ALLREDUCE << 8;
    uint64_t *rf;
    NEED_GPU();
    for (e = 0; e < kv_elems; e++) kv[e] = minimax__f32_to_bf16(test_rng_normal(&r));
    for (i = 0; i < nblocks; i++) bt[i] = nblocks - 1 - i;
    for (i = 0; i < T * W; i++) qkv[i] = 2.0f * test_rng_normal(&r);
    for (i = 0; i < qn; i++) qw[i] = 1.0f + 0.3f * test_rng_normal(&r);
    for (i = 0; i < kn; i++) kw[i] = 1.0f + 0.3f * test_rng_normal(&r);
    for (t = 0; t < T; t++) { /* twice this rank's sums: what an all-reduce over 2 equal ranks gives */
        double a = 0, b = 0;
        for (i = 0; i < qn; i++) a += (double)qkv[t * W + i] * qkv[t * W + i];
        for (i = 0; i < kn; i++) b += (double)qkv[t * W + qn + i] * qkv[t * W + qn + i];
        ssv[2 * t] = (float)(2 * a);
        ssv[2 * t + 1] = (float)(2 * b);
    }
    dkv = dput(kv, kv_elems * 2); dbt = dput(bt, (size_t)nblocks * 4); dqkv = dput(qkv, (size_t)T * W * 4);
    dqr = dnan((size_t)T * qn); dout = dnan((size_t)T * qn); dpart = dnan((size_t)T * nh * splits * (d + 4)); /* kernels.cu FA_PART */
    dpos = dput(posv, sizeof posv); dsrow = dput(srowv, sizeof srowv); dqw = dput(qw, (size_t)qn * 4);
    dkw = dput(kw, (size_t)kn * 4); dss = dput(ssv, sizeof ssv); drope = dnan((size_t)T * (rd / 2) * 2);
    for (i = 0; i < W / 4; i++) { /* slot 2's partial sums of squares, 4 rows each, as k_gemv_bf16_norm_t1 leaves them */
        const float *v = qkv + (size_t)2 * W + 4 * i;
        ssq[i] = fmaf(v[3], v[3], fmaf(v[2], v[2], fmaf(v[1], v[1], v[0] * v[0])));
    }
    dssq = dput(ssq, (size_t)W / 4 * 4);
    /* the fused form: site 0 of rank 0 of 2, both senders' words slot 2's
       sums under tag 1, the pass's tag (gen) 1 */
    rf = (uint64_t *)calloc((size_t)2 * (W / 4), 8);
    for (i = 0; i < W / 4; i++) {
        uint32_t bits;
        memcpy(&bits, &ssq[i], 4);
        rf[i] = rf[W / 4 + i] = (uint64_t)1 << 32 | bits;
    }
    drf = dput(rf, (size_t)2 * (W / 4) * 8); dgen = dput(&genv, 4); dstat = dput(&stat, 4);
    memset(&foff, 0, sizeof foff);
    memset(&fuse, 0, sizeof fuse);
    fuse.recv[0] = fuse.own = drf; fuse.gen = dgen; fuse.status = dstat;
    fuse.timeout = 1ll << 30; fuse.rank = 0; fuse.nr = 2; fuse.cap = W / 4; fuse.code = code;
    fuse.in_site = 0; fuse.out_site = -1;
    for (mk = 0; mk < 4; mk++) { /* at least 1 / 128 keys a split; the generic / G = 6 fused instance */
        int ly = layer, nb = nblocks, mb = maxb, b = bs, nh_ = nh, nkv_ = nkv, min_keys = (mk & 1) ? 128 : 1, mode;
        int g6 = mk >> 1;
        int d_ = d, rd_ = rd, one = 1, two = 2;
        void *a[24];
        int rope_mode;
        for (mode = 0; mode < 8; mode++) { /* 0: the kernels replaced; 1: fused, one GPU; 2: fused, sums given;
                                              3: fused, the product's partial sums (slot 2 alone: the engine's T = 1);
                                              4: those of 2 senders (struct mg_fuse); 5: 4 with stale tags;
                                              6: 1 with the RoPE angles that 1 stored (rope_mode 1, then 2);
                                              7: 6 with a table of NaNs (so the table is what 6 used) */
            double err;
            int cfg = mode >= 6 ? 1 : mode; /* the configuration run */
            int Tm = cfg >= 3 ? 1 : T, s0 = cfg >= 3 ? 2 : 0; /* the slots run: s0 .. s0 + Tm - 1 */
            minimax__cu_ptr qkv_s = dqkv + (size_t)s0 * W * 4, pos_s = dpos + (size_t)s0 * 4, srow_s = dsrow + (size_t)s0 * 4;
            minimax__cu_ptr out_s = dout + (size_t)s0 * qn * 4;
            size_t kdiff = 0, other = 0, vdiff = 0;
            minimax__cu.cuMemcpyHtoD(dkv, kv, kv_elems * 2);
            minimax__cu.cuMemsetD32Async(dout, 0x7fc00000u, (size_t)T * qn, g_m->stream);
            if (mode == 0) {
                a[0] = &dqkv; a[1] = &dqr; a[2] = &dqw; a[3] = &dkw; a[4] = &dpos; a[5] = &dsrow; a[6] = &dbt;
                a[7] = &dkv; a[8] = &ly; a[9] = &nb; a[10] = &mb; a[11] = &b; a[12] = &nh_; a[13] = &nkv_;
                a[14] = &d_; a[15] = &rd_; a[16] = &theta; a[17] = &eps;
                REQUIRE(minimax__launch(g_m, MINIMAX__K_QK_NORM_ROPE_KV, (unsigned)(nh + nkv), (unsigned)T, 128, a) ==
                            MINIMAX_OK,
                        "launch: %s", minimax_last_error());
            }
            a[0] = mode ? &qkv_s : &dqr; a[1] = &dpart; a[2] = &pos_s; a[3] = &srow_s; a[4] = &dbt; a[5] = &dkv;
            a[6] = &ly; a[7] = &nb; a[8] = &mb; a[9] = &b; a[10] = &nh_; a[11] = &nkv_; a[12] = &min_keys;
            a[13] = &dqw; a[14] = &dkw; a[15] = cfg == 2 ? &dss : &null; a[16] = cfg == 2 || cfg >= 4 ? &two : &one;
            a[17] = &rd_; a[18] = &theta; a[19] = &eps; a[20] = cfg == 3 ? &dssq : &null;
            a[21] = cfg >= 4 ? &fuse : &foff;
            rope_mode = mode == 1 ? 1 : mode >= 6 ? 2 : 0;
            if (mode == 7) minimax__cu.cuMemsetD32Async(drope, 0x7fc00000u, (size_t)T * (rd / 2) * 2, g_m->stream);
            a[22] = &drope; a[23] = &rope_mode;
            genv = cfg == 5 ? 2 : 1; /* 5: the words are of another pass */
            minimax__cu.cuMemcpyHtoD(dgen, &genv, 4);
            fuse.timeout = cfg == 5 ? 1ll << 20 : 1ll << 30;
            REQUIRE(minimax__cu.cuLaunchKernel(g_m->fn_fast[!mode ? MINIMAX__FK_ATTN_SPLIT
                                                            : g6 ? MINIMAX__FK_ATTN_SPLIT_QK_G6
                                                                 : MINIMAX__FK_ATTN_SPLIT_QK],
                                               (unsigned)nkv, (unsigned)splits, (unsigned)Tm, 128, 1, 1,
                                               (unsigned)(5 * G * d * 4), g_m->stream, a, NULL) == 0,
                    "launch split");
            a[0] = &dpart; a[1] = &out_s; a[2] = &pos_s; a[3] = &nh_; a[4] = &splits; a[5] = &min_keys;
            REQUIRE(minimax__fast_launch(g_m, MINIMAX__FK_ATTN_MERGE, (unsigned)nh, (unsigned)Tm, 128, 0, a) == MINIMAX_OK,
                    "launch merge: %s", minimax_last_error());
            REQUIRE(dget(mode ? out : out_ref, dout, (size_t)T * qn * 4) == 0 &&
                        dget(mode ? kv_got : kv_ref, dkv, kv_elems * 2) == 0 && dget(&stat, dstat, 4) == 0,
                    "download");
            if (mode == 5) { /* gave up: the status names sender 0 */
                printf("    split-KV attention%s, fused sums of another pass: status 0x%x (want 0x%x)\n",
                       g6 ? " for G = 6" : "", (unsigned)stat, (unsigned)code);
                CHECK(stat == code, "mode 5: status 0x%x, want 0x%x", (unsigned)stat, (unsigned)code);
                stat = 0;
                minimax__cu.cuMemcpyHtoD(dstat, &stat, 4);
                continue;
            }
            CHECK(stat == 0, "mode %d: status 0x%x", mode, (unsigned)stat);
            if (mode == 0) continue;
            if (mode == 1) {
                memcpy(out1, out, (size_t)T * qn * 4);
                memcpy(kv1, kv_got, kv_elems * 2);
            }
            if (mode >= 6) {
                int same = memcmp(out, out1, (size_t)T * qn * 4) == 0 && memcmp(kv_got, kv1, kv_elems * 2) == 0;
                printf("    split-KV attention with QK-norm inside%s, >= %d keys a split, RoPE angles %s: output and "
                       "cache %s mode 1's\n",
                       g6 ? " for G = 6" : "", min_keys, mode == 6 ? "loaded as stored" : "loaded from NaNs",
                       same ? "the same bits as" : "differ from");
                CHECK(mode == 6 ? same : !same, "mode %d%s: the loaded RoPE table %s", mode, g6 ? " (G = 6)" : "",
                      mode == 6 ? "changed the result" : "was not used");
                if (mode == 7) continue;
            }
            err = eu_rel_err(out + (size_t)s0 * qn, out_ref + (size_t)s0 * qn, (size_t)Tm * qn, &bad);
            for (e = 0; e < kv_elems; e++) {
                size_t blkoff = e % (2 * kvhs), in_blk = blkoff % kvhs, tok = (in_blk / d) % bs;
                size_t blk = (e / (2 * kvhs)) % (size_t)nblocks, lay = e / (2 * kvhs) / (size_t)nblocks;
                int isv = blkoff >= kvhs, owned = 0, other_slot = 0;
                for (t = 0; t < T; t++) /* mode 3: the slots not run keep the rows mode 0 appended to */
                    other_slot |= (t < s0 || t >= s0 + Tm) && lay == (size_t)layer &&
                                  blk == (size_t)bt[srowv[t] * maxb + posv[t] / bs] && tok == (size_t)(posv[t] % bs);
                if (other_slot) continue;
                for (t = s0; t < s0 + Tm; t++)
                    owned |= lay == (size_t)layer && blk == (size_t)bt[srowv[t] * maxb + posv[t] / bs] &&
                             tok == (size_t)(posv[t] % bs);
                if (kv_got[e] == kv_ref[e]) continue;
                if (!owned) other++;
                else if (isv) vdiff++;
                else if (fabs(minimax__bf16_to_f32(kv_got[e]) - minimax__bf16_to_f32(kv_ref[e])) >
                         fabs(minimax__bf16_to_f32(kv_ref[e])) / 128)
                    kdiff++;
            }
            printf("    split-KV attention with QK-norm inside%s (%s, >= %d keys a split): rel err %.3g vs the replaced "
                   "kernels; cache: %zu K elements beyond one BF16 step, %zu V differ, %zu elsewhere\n",
                   g6 ? " for G = 6" : "",
                   cfg == 1    ? "one GPU"
                   : cfg == 2  ? "sums given, tp 2"
                   : cfg == 3  ? "partial sums, slot 2 alone"
                               : "2 senders' partial sums, fused",
                   min_keys, err, kdiff, vdiff, other);
            CHECK(!bad && err < 1e-5, "mode %d%s, >= %d keys a split: rel err %g (bound 1e-5), nan/inf %d", mode,
                  g6 ? " (G = 6 instance)" : "", min_keys, err, bad);
            CHECK(kdiff == 0 && vdiff == 0 && other == 0, "mode %d: cache differs (K %zu, V %zu, elsewhere %zu)", mode,
                  kdiff, vdiff, other);
        }
    }
    minimax__cu.cuMemFree(drf); minimax__cu.cuMemFree(dgen); minimax__cu.cuMemFree(dstat); free(rf);
    minimax__cu.cuMemFree(dkv); minimax__cu.cuMemFree(dbt); minimax__cu.cuMemFree(dqkv); minimax__cu.cuMemFree(dqr);
    minimax__cu.cuMemFree(dout); minimax__cu.cuMemFree(dpart); minimax__cu.cuMemFree(dpos); minimax__cu.cuMemFree(dsrow);
    minimax__cu.cuMemFree(dqw); minimax__cu.cuMemFree(dkw); minimax__cu.cuMemFree(dss); minimax__cu.cuMemFree(dssq);
    minimax__cu.cuMemFree(drope);
    free(kv); free(kv_ref); free(kv_got); free(bt); free(qkv); free(qw); free(kw); free(out_ref); free(out); free(ssq);
    free(out1); free(kv1);
}

/* The whole model (head_dim 128: every fast path, attention included): a
   5-token prefill chunk (T = 5), a 21-token prefill (fast kernels: passes of
   8, 8 and 5 tokens, each attending to the earlier passes' keys; general: one
   chunk; the logits of every position) and batched graph steps of 3 sessions
   (T = 3) with the fast kernels give the logits of the general
   kernels within EU_H2_TOL (relative to the largest logit; the general
   kernels are fp32 throughout) and the same greedy tokens. */
static void test_model_fast_vs_general(void) {
    int mode, i, k, V, bad;
    float *lg[2], *pl[2], *l1[3], *al[2];
    int32_t tok[2][3 * 6], tok1[3][6];
    NEED_GPU();
    V = g_m->cfg.vocab_size;
    for (mode = 0; mode < 2; mode++) {
        minimax_session *ss[3];
        int32_t ids[3] = {5, 17, 301}, prompt[5] = {3, 9, 27, 81, 243};
        lg[mode] = (float *)malloc((size_t)6 * 3 * V * 4);
        pl[mode] = (float *)malloc((size_t)V * 4);
        g_m->fast_decode = mode;
        minimax__bench_reset_graphs(g_m);
        for (i = 0; i < 3; i++) REQUIRE(minimax_session_create(g_m, &ss[i]) == MINIMAX_OK, "%s", minimax_last_error());
        REQUIRE(minimax_prefill(ss[0], prompt, 5, pl[mode], NULL) == MINIMAX_OK, "%s", minimax_last_error());
        for (i = 1; i < 3; i++) REQUIRE(minimax_prefill(ss[i], prompt, 2 + i, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
        for (k = 0; k < 6; k++) {
            REQUIRE(minimax_step(g_m, ss, 3, ids, lg[mode] + (size_t)k * 3 * V, ids) == MINIMAX_OK, "%s",
                    minimax_last_error());
            for (i = 0; i < 3; i++) tok[mode][k * 3 + i] = ids[i];
        }
        for (i = 0; i < 3; i++) minimax_session_free(ss[i]);
        /* one session alone (T = 1: the fused norm + product kernels, the split sampler) */
        l1[mode] = (float *)malloc((size_t)6 * V * 4);
        {
            minimax_session *s1;
            int32_t id = 11;
            REQUIRE(minimax_session_create(g_m, &s1) == MINIMAX_OK, "%s", minimax_last_error());
            REQUIRE(minimax_prefill(s1, prompt, 4, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
            for (k = 0; k < 6; k++) {
                REQUIRE(minimax_step(g_m, &s1, 1, &id, l1[mode] + (size_t)k * V, &id) == MINIMAX_OK, "%s",
                        minimax_last_error());
                tok1[mode][k] = id;
            }
            minimax_session_free(s1);
        }
        al[mode] = (float *)malloc((size_t)21 * V * 4);
        {
            minimax_session *s2;
            int32_t p21[21];
            for (i = 0; i < 21; i++) p21[i] = (int32_t)((7 * i * i + 3 * i + 1) % V);
            REQUIRE(minimax_session_create(g_m, &s2) == MINIMAX_OK, "%s", minimax_last_error());
            REQUIRE(minimax__prefill(s2, p21, 21, NULL, NULL, al[mode]) == MINIMAX_OK, "%s", minimax_last_error());
            minimax_session_free(s2);
        }
    }
    { /* the tensor-core expert kernels (fast_decode 4), one session alone */
        minimax_session *s1;
        int32_t id = 11, prompt[5] = {3, 9, 27, 81, 243};
        g_m->fast_decode = 4;
        minimax__bench_reset_graphs(g_m);
        l1[2] = (float *)malloc((size_t)6 * V * 4);
        REQUIRE(minimax_session_create(g_m, &s1) == MINIMAX_OK, "%s", minimax_last_error());
        REQUIRE(minimax_prefill(s1, prompt, 4, NULL, NULL) == MINIMAX_OK, "%s", minimax_last_error());
        for (k = 0; k < 6; k++) {
            REQUIRE(minimax_step(g_m, &s1, 1, &id, l1[2] + (size_t)k * V, &id) == MINIMAX_OK, "%s", minimax_last_error());
            tok1[2][k] = id;
        }
        minimax_session_free(s1);
    }
    {
        double e1 = eu_rel_err(pl[1], pl[0], (size_t)V, &bad);
        printf("    prefill chunk T=5: logits rel err %.3g\n", e1);
        CHECK(!bad && e1 < EU_H2_TOL, "prefill logits rel err %g (bound %g)", e1, EU_H2_TOL);
        e1 = eu_rel_err(al[1], al[0], (size_t)21 * V, &bad);
        printf("    prefill of 21 tokens (passes 8 + 8 + 5 against one chunk): logits of every position rel err %.3g\n", e1);
        CHECK(!bad && e1 < EU_H2_TOL, "21-token prefill logits rel err %g (bound %g)", e1, EU_H2_TOL);
        e1 = eu_rel_err(lg[1], lg[0], (size_t)6 * 3 * V, &bad);
        printf("    steps T=3 (graphs): logits rel err %.3g\n", e1);
        CHECK(!bad && e1 < EU_H2_TOL, "step logits rel err %g (bound %g)", e1, EU_H2_TOL);
        CHECK(!memcmp(tok[0], tok[1], sizeof tok[0]), "greedy tokens differ between fast and general kernels");
        e1 = eu_rel_err(l1[1], l1[0], (size_t)6 * V, &bad);
        printf("    steps T=1 (graphs): logits rel err %.3g\n", e1);
        CHECK(!bad && e1 < EU_H2_TOL, "T=1 step logits rel err %g (bound %g)", e1, EU_H2_TOL);
        CHECK(!memcmp(tok1[0], tok1[1], sizeof tok1[0]), "T=1 tokens differ between fast and general kernels");
        e1 = eu_rel_err(l1[2], l1[0], (size_t)6 * V, &bad);
        printf("    steps T=1 (graphs), tensor-core experts: logits rel err %.3g\n", e1);
        CHECK(!bad && e1 < EU_H2_TOL, "T=1 tensor-core step logits rel err %g (bound %g)", e1, EU_H2_TOL);
        CHECK(!memcmp(tok1[0], tok1[2], sizeof tok1[0]), "T=1 tokens differ (tensor-core experts)");
    }
    free(l1[2]);
    g_m->fast_decode = 1;
    minimax__bench_reset_graphs(g_m);
    for (mode = 0; mode < 2; mode++) {
        free(lg[mode]);
        free(pl[mode]);
        free(l1[mode]);
        free(al[mode]);
    }
}

int main(void) {
    minimax_config c = eu_tiny_config();
    minimax_model_desc d;
    minimax_result r;
    c.hidden_size = 256; /* H % 32 == 0 and I % 32 == 0: the fast MoE path */
    c.intermediate_size = 128;
    c.head_dim = 128; /* the split-KV attention path (head_dim 128) */
    c.rotary_dim = 64;
    g_em = eu_random_model(&c, 7);
    memset(&d, 0, sizeof d);
    d.max_sessions = 4;
    d.max_context = 128;
    d.max_batch_tokens = 64;
    r = minimax__model_create(&d, &g_em->cfg, &g_em->w, &g_m);
    if (r != MINIMAX_OK) {
        snprintf(g_skip, sizeof g_skip, "%s: %.400s", minimax_result_name(r), minimax_last_error());
        g_m = NULL;
    } else {
        minimax__cu.cuCtxSetCurrent(g_m->ctx); /* the raw allocations and launches below run in it */
    }
    RUN(test_gemv_bf16);
    RUN(test_gemv_norm);
    RUN(test_sample_fast);
    RUN(test_moe_fast);
    RUN(test_attention_split);
    RUN(test_attention_split_qk);
    RUN(test_model_fast_vs_general);
    minimax_model_free(g_m);
    eu_free_model(g_em);
    return test_summary();
}
