/* The whole model on the GPU against the project's oracles:
   1. tests/ref.h (the CPU reference) on random in-memory models of several
      shapes (GQA and MHA, head_dim 16/24/32/64, top-1/2/4/8, F32 and BF16
      routers, no routing bias), 80 positions teacher-forced, as one prefill
      (in chunks of 32) and as 80 single decode steps;
   2. the committed transformers goldens (tests/data/golden/NAME, 56
      positions), loaded through minimax_model_load (the real loader path).
   Each model runs with the general kernels (fp32 throughout), then with the
   default fast kernels (a prefill in passes of 8 token slots; the packed-f16
   expert kernels where hidden and expert widths are multiples of 32: the
   line's name says "f16 experts"), each against the oracle as below.

   TOLERANCE. The GPU keeps the KV cache in BF16 (relative rounding 2^-9) and
   accumulates in fp32; the oracles are fp32/fp64. A logit may differ by at
   most TOL = 1e-2 x max|logit| of the model, and greedy (argmax) must agree
   wherever the oracle's top-2 margin exceeds 2 x TOL.
   ROUTING FLIPS. A token whose k-th and (k+1)-th expert choice values are
   nearly tied can pick a different expert after any rounding; that changes
   its logits by far more than TOL and, through its KV entries, perturbs every
   later position (the CPU reference with its own KV cache rounded to BF16
   shows the same jumps at the same positions). So the test records the GPU's
   routing of every layer and position (prefill) and compares it with the
   reference's (recomputed from the reference's trace):
     - positions before the first routing difference must meet TOL and the
       greedy rule (all positions when routing never differs);
     - the first difference must be a near tie: the reference's margin between
       its k-th and (k+1)-th choice value there is below FLIP_MARGIN;
     - positions after it are reported (how many exceed TOL), not bounded.
   Decode (80 single steps) must equal the prefill bit for bit.
   Skips without a GPU. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "ref.h"

#define REL_TOL 1e-2
#define FLIP_MARGIN 2e-2
#define NPOS 80

static void unused_helpers(void) { (void)test_rng_normal; }

static char g_skip[512];
static int g_have_gpu = -1;

static int have_gpu(void) {
    if (g_have_gpu < 0) {
        minimax_result r = minimax__cuda_init();
        int n = 0;
        if (r == MINIMAX_OK && minimax__cu.cuDeviceGetCount(&n) == 0 && n > 0) g_have_gpu = 1;
        else {
            g_have_gpu = 0;
            snprintf(g_skip, sizeof g_skip, "%.400s", r != MINIMAX_OK ? minimax_last_error() : "no CUDA device");
        }
    }
    return g_have_gpu;
}

/* The reference's routing, recomputed from its "attn_out" trace. */
typedef struct route_rec {
    const minimax_config *cfg;
    const minimax__weights *w;
    int npos;
    int *idx;        /* [L][npos][K] */
    float *margin;   /* [L][npos]: choice value of the k-th minus the (k+1)-th expert */
} route_rec;

static int cmp_desc(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void route_trace(void *user, const char *what, int layer, int start, int n, int dim, const float *rows) {
    route_rec *rr = (route_rec *)user;
    const minimax_config *c = rr->cfg;
    int t, K = c->top_k, E = c->num_experts;
    float *h, *choice, wts[64];
    if (strcmp(what, "attn_out") != 0) return;
    h = (float *)malloc((size_t)dim * 4);
    choice = (float *)malloc((size_t)E * 4);
    for (t = 0; t < n; t++) {
        int p = start + t;
        const minimax__layer_weights *lw = &rr->w->layers[layer];
        if (p >= rr->npos) continue;
        ref_rmsnorm(rows + (size_t)t * dim, lw->post_attn_norm, dim, c->rms_norm_eps, h);
        ref_route(c, lw, h, rr->idx + ((size_t)layer * rr->npos + p) * K, wts);
        ref_router_scores(c, lw, h, NULL, NULL, choice);
        qsort(choice, (size_t)E, 4, cmp_desc);
        rr->margin[(size_t)layer * rr->npos + p] = K < E ? choice[K - 1] - choice[K] : INFINITY;
    }
    free(h);
    free(choice);
}

static int same_set(const int *a, const int *b, int k) {
    int i, j, found;
    for (i = 0; i < k; i++) {
        found = 0;
        for (j = 0; j < k; j++) found |= a[i] == b[j];
        if (!found) return 0;
    }
    return 1;
}

/* Compares one GPU prefill's logits `got` and routing record `gidx` [L][n][K]
   with the oracle and the reference's routing (rr), as the file comment says. */
static void compare_run(const char *name, const float *got, const int *gidx, const route_rec *rr, const float *oracle,
                        int n, int V, int K, int L) {
    double refmax = 0, tol, maxd_before = 0, maxd_all = 0, flip_margin = 0;
    int first = n, first_layer = -1, over_after = 0, checked = 0, agree = 0, nonfinite = 0, diffs = 0, t, i, l;
    for (t = 0; t < n; t++)
        for (l = 0; l < L; l++)
            if (!same_set(gidx + ((size_t)l * n + t) * K, rr->idx + ((size_t)l * n + t) * K, K)) {
                diffs++;
                if (t < first) {
                    first = t;
                    first_layer = l;
                    flip_margin = rr->margin[(size_t)l * n + t];
                }
            }
    for (i = 0; i < n * V; i++) {
        if (!isfinite(got[i])) nonfinite++;
        if (fabs((double)oracle[i]) > refmax) refmax = fabs((double)oracle[i]);
    }
    tol = REL_TOL * refmax;
    for (t = 0; t < n; t++) {
        const float *o = oracle + (size_t)t * V, *g = got + (size_t)t * V;
        double d = 0;
        int b1 = 0, b2 = -1, gb = 0;
        for (i = 0; i < V; i++) {
            double e = fabs((double)g[i] - o[i]);
            if (e > d) d = e;
        }
        if (d > maxd_all) maxd_all = d;
        if (t >= first) {
            over_after += d > tol;
            continue;
        }
        if (d > maxd_before) maxd_before = d;
        for (i = 1; i < V; i++) {
            if (o[i] > o[b1]) {
                b2 = b1;
                b1 = i;
            } else if (b2 < 0 || o[i] > o[b2])
                b2 = i;
            if (g[i] > g[gb]) gb = i;
        }
        if (b2 >= 0 && o[b1] - o[b2] > 2 * tol) {
            checked++;
            agree += gb == b1;
        }
    }
    printf("    %-40s max|logit| %6.2f: %2d/%d positions before any routing difference, max|d| %.3g (rel %.2g, "
           "bound %.0e), greedy %d/%d",
           name, refmax, first, n, maxd_before, maxd_before / refmax, REL_TOL, agree, checked);
    if (first < n)
        printf("; first routing flip at position %d layer %d, reference margin %.2g; %d (position, layer) flips; "
               "after it %d positions over TOL, max|d| %.3g",
               first, first_layer, flip_margin, diffs, over_after, maxd_all);
    printf("\n");
    CHECK(nonfinite == 0, "%s: %d NaN/Inf logits", name, nonfinite);
    CHECK(maxd_before <= tol, "%s: max |dlogit| %g over %g before the first routing flip", name, maxd_before, tol);
    CHECK(agree == checked, "%s: greedy disagrees at %d of %d positions", name, checked - agree, checked);
    CHECK(first == n || flip_margin < FLIP_MARGIN, "%s: routing differs at position %d layer %d where the reference's "
          "margin is %g (not a near tie)", name, first, first_layer, flip_margin);
}

/* One prefill of ids on the GPU with the model's current kernels, recording
   the routing of every layer and position into gidx. */
static int prefill_recorded(minimax_model *m, const int32_t *ids, int n, float *got, int *gidx) {
    minimax_session *s = NULL;
    size_t bytes = (size_t)m->cfg.num_layers * n * m->cfg.top_k * 4;
    int ok;
    m->dbg_route_stride = n;
    m->dbg_route = 0;
    if (minimax__cu.cuCtxSetCurrent(m->ctx) != 0 || minimax__cu.cuMemAlloc(&m->dbg_route, bytes) != 0) return 0;
    ok = minimax_session_create(m, &s) == MINIMAX_OK && minimax__prefill(s, ids, n, NULL, NULL, got) == MINIMAX_OK;
    minimax__cu.cuCtxSetCurrent(m->ctx);
    ok = ok && minimax__cu.cuMemcpyDtoH(gidx, m->dbg_route, bytes) == 0;
    minimax__cu.cuMemFree(m->dbg_route);
    m->dbg_route = 0;
    if (s) minimax_session_free(s);
    return ok;
}

/* Runs the reference (logits + routing) and the GPU model on ids; compares
   with `oracle` (NULL = the reference's logits): the general kernels (whose
   n decode steps must equal their prefill bit for bit), then the default
   fast kernels (prefill in passes of 8 token slots; the packed-f16 expert
   kernels where the shapes allow, kernels.cu). The model `m` has one free
   session slot and max_context >= n. */
static void check_model(const char *name, minimax_model *m, const minimax_config *c, const minimax__weights *w,
                        const int32_t *ids, int n, const float *oracle) {
    int V = c->vocab_size, K = c->top_k, L = c->num_layers, t, i;
    float *refl = (float *)malloc((size_t)n * V * 4), *got = (float *)malloc((size_t)n * V * 4);
    float *steps = (float *)malloc((size_t)n * V * 4);
    int *gidx = (int *)malloc((size_t)L * n * K * 4);
    route_rec rr;
    ref_model *ref = ref_create(c, w, n);
    minimax_session *s = NULL;
    char what[96];
    REQUIRE(ref && refl && got && steps && gidx, "allocation");
    rr.cfg = c;
    rr.w = w;
    rr.npos = n;
    rr.idx = (int *)malloc((size_t)L * n * K * 4);
    rr.margin = (float *)malloc((size_t)L * n * 4);
    ref_set_trace(ref, route_trace, &rr);
    REQUIRE(ref_forward(ref, ids, n, refl) == 0, "ref_forward");
    if (!oracle) oracle = refl;
    for (i = 0; i < n * V; i++) got[i] = steps[i] = NAN;
    /* exactness (below) holds within one kernel family: the general kernels
       here, whatever the chunk size (the fast small-T kernels are compared
       with them in tests/gpu_fast.c) */
    m->fast_decode = 0;
    minimax__bench_reset_graphs(m);
    REQUIRE(prefill_recorded(m, ids, n, got, gidx), "%s: prefill: %s", name, minimax_last_error());
    /* decode: n single steps must equal the prefill exactly */
    REQUIRE(minimax_session_create(m, &s) == MINIMAX_OK, "%s", minimax_last_error());
    for (t = 0; t < n; t++)
        REQUIRE(minimax_step(m, &s, 1, &ids[t], steps + (size_t)t * V, NULL) == MINIMAX_OK, "%s", minimax_last_error());
    minimax_session_free(s);
    CHECK(memcmp(steps, got, (size_t)n * V * 4) == 0, "%s: decode steps differ from the prefill", name);
    compare_run(name, got, gidx, &rr, oracle, n, V, K, L);
    /* the default kernels */
    m->fast_decode = 1;
    minimax__bench_reset_graphs(m);
    for (i = 0; i < n * V; i++) got[i] = NAN;
    REQUIRE(prefill_recorded(m, ids, n, got, gidx), "%s: fast prefill: %s", name, minimax_last_error());
    snprintf(what, sizeof what, "%s, fast%s", name, minimax__fast_moe_ok(m, 8) ? " (f16 experts)" : "");
    compare_run(what, got, gidx, &rr, oracle, n, V, K, L);
    ref_free(ref);
    free(rr.idx);
    free(rr.margin);
    free(refl);
    free(got);
    free(steps);
    free(gidx);
}

static void run_random(const char *name, minimax_config c, int router_f32, int no_bias) {
    ref_random_opts o;
    ref_random_model *rm;
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_result r;
    int32_t ids[NPOS];
    int i;
    test_rng rng;
    if (!have_gpu()) SKIP("no GPU: %s", g_skip);
    memset(&o, 0, sizeof o);
    o.router_f32 = router_f32;
    o.no_bias = no_bias;
    rm = ref_random_model_create_opts(&c, 7, &o);
    REQUIRE(rm, "ref_random_model_create");
    rng.s = 99;
    for (i = 0; i < NPOS; i++) ids[i] = (int32_t)(test_rng_u64(&rng) % (unsigned long long)c.vocab_size);
    memset(&d, 0, sizeof d);
    d.max_context = 128;
    d.max_batch_tokens = 32; /* 80 positions = 3 prefill chunks */
    r = minimax__model_create(&d, &c, ref_random_model_weights(rm), &m);
    REQUIRE(r == MINIMAX_OK, "%s: %s", minimax_result_name(r), minimax_last_error());
    check_model(name, m, &c, ref_random_model_weights(rm), ids, NPOS, NULL);
    minimax_model_free(m);
    ref_random_model_free(rm);
}

static void test_ref_tiny(void) { run_random("GQA d32 top-2", ref_tiny_config(), 0, 0); }

static void test_ref_wide(void) {
    minimax_config c = ref_tiny_config();
    c.hidden_size = 256;
    c.num_heads = 8;
    c.num_kv_heads = 2;
    c.head_dim = 64;
    c.rotary_dim = 32;
    c.intermediate_size = 96;
    c.num_experts = 32;
    c.top_k = 8;
    c.vocab_size = 1000;
    run_random("d64 32 experts top-8 V1000", c, 0, 0);
}

static void test_ref_mha_f32_router(void) {
    minimax_config c = ref_tiny_config();
    c.hidden_size = 96;
    c.num_heads = 6;
    c.num_kv_heads = 6;
    c.head_dim = 24;
    c.rotary_dim = 8;
    c.top_k = 1;
    run_random("MHA d24 top-1 F32 router", c, 1, 0);
}

static void test_ref_no_bias(void) {
    minimax_config c = ref_tiny_config();
    c.head_dim = 16;
    c.rotary_dim = 16; /* full rotation */
    c.num_heads = 8;
    run_random("d16 full RoPE no bias", c, 0, 1);
}

/* ---- goldens ---- */

static void run_golden(const char *name) {
    char dir[512], path[1024], what[96];
    int32_t *tokens;
    float *want;
    size_t nt = 0, nl = 0;
    int T, V;
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_checkpoint *ck = NULL;
    minimax_result r;
    if (!have_gpu()) SKIP("no GPU: %s", g_skip);
    snprintf(dir, sizeof dir, "%s/golden/%s", test_data_dir(), name);
    snprintf(path, sizeof path, "%s/tokens.i32", dir);
    tokens = (int32_t *)test_read_all(path, &nt);
    snprintf(path, sizeof path, "%s/logits.f32", dir);
    want = (float *)test_read_all(path, &nl);
    if (!tokens || !want || !nt) {
        free(tokens);
        free(want);
        SKIP("%s: golden files not found (run from the repository root or set MINIMAX_TEST_DATA)", dir);
    }
    T = (int)(nt / 4);
    V = (int)(nl / 4 / (size_t)T);
    memset(&d, 0, sizeof d);
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    d.checkpoint_dir = path;
    d.max_context = 128;
    d.cache_dir = "";
    r = minimax_model_load(&d, &m);
    REQUIRE(r == MINIMAX_OK, "%s: %s: %s", name, minimax_result_name(r), minimax_last_error());
    REQUIRE(minimax_model_config(m)->vocab_size == V, "vocab %d vs golden %d", minimax_model_config(m)->vocab_size, V);
    /* the reference reads the same checkpoint (for its routing) */
    REQUIRE(minimax_checkpoint_open(path, &ck) == MINIMAX_OK, "%s", minimax_last_error());
    snprintf(what, sizeof what, "golden %s", name);
    check_model(what, m, minimax_checkpoint_config(ck), minimax__checkpoint_weights(ck), tokens, T, want);
    minimax_checkpoint_close(ck);
    minimax_model_free(m);
    free(tokens);
    free(want);
}

static void test_golden_tiny(void) { run_golden("tiny"); }
static void test_golden_g4_f32router(void) { run_golden("g4_f32router"); }
static void test_golden_g6_top8(void) { run_golden("g6_top8"); }
static void test_golden_mha_top1_shards(void) { run_golden("mha_top1_shards"); }

int main(void) {
    unused_helpers();
    RUN(test_ref_tiny);
    RUN(test_ref_wide);
    RUN(test_ref_mha_f32_router);
    RUN(test_ref_no_bias);
    RUN(test_golden_tiny);
    RUN(test_golden_g4_f32router);
    RUN(test_golden_g6_top8);
    RUN(test_golden_mha_top1_shards);
    return test_summary();
}
