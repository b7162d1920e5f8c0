/* The whole model on the GPU against the project's oracles:
   1. tests/ref.h (the CPU reference) on random in-memory models of several
      shapes (GQA and MHA, head_dim 16/24/32, top-1/2/4, F32 and BF16 routers,
      no routing bias), teacher-forced over 80 positions, prefill and decode;
   2. the committed transformers goldens (tests/data/golden/NAME), loaded
      through minimax_model_load (the real loader path), teacher-forced.
   TOLERANCE: the GPU keeps the KV cache in BF16 (relative rounding 2^-9) and
   accumulates in fp32; the references are fp32/fp64. Bound: max |dlogit| <=
   1e-2 * max |logit| per model; greedy (argmax) must agree wherever the
   reference's top-2 margin exceeds 2 x that bound. Skips without a GPU. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "ref.h"

#define REL_TOL 1e-2
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

/* Compares [n][V] logits; prints and checks the bound and greedy agreement. */
static void compare(const char *what, const float *gpu, const float *ref, int n, int V) {
    double maxabs = 0, refmax = 0;
    int t, i, nonfinite = 0, checked = 0, agree = 0;
    for (i = 0; i < n * V; i++) {
        if (!isfinite(gpu[i])) nonfinite++;
        if (fabs((double)gpu[i] - ref[i]) > maxabs) maxabs = fabs((double)gpu[i] - ref[i]);
        if (fabs((double)ref[i]) > refmax) refmax = fabs((double)ref[i]);
    }
    for (t = 0; t < n; t++) {
        const float *rr = ref + (size_t)t * V, *gg = gpu + (size_t)t * V;
        int b1 = 0, b2 = -1, gb = 0;
        for (i = 1; i < V; i++) {
            if (rr[i] > rr[b1]) {
                b2 = b1;
                b1 = i;
            } else if (b2 < 0 || rr[i] > rr[b2])
                b2 = i;
            if (gg[i] > gg[gb]) gb = i;
        }
        if (b2 >= 0 && rr[b1] - rr[b2] > 2 * REL_TOL * refmax) {
            checked++;
            agree += gb == b1;
        }
    }
    printf("    %-34s %3d positions: max|logit| %7.3f  max|d| %.3g  rel %.3g (bound %.0e)  greedy %d/%d\n", what, n,
           refmax, maxabs, refmax > 0 ? maxabs / refmax : maxabs, REL_TOL, agree, checked);
    CHECK(nonfinite == 0, "%s: %d NaN/Inf logits", what, nonfinite);
    CHECK(maxabs <= REL_TOL * refmax, "%s: max |dlogit| %g over %g", what, maxabs, REL_TOL * refmax);
    CHECK(agree == checked, "%s: greedy disagrees at %d of %d positions", what, checked - agree, checked);
}

static void run_random(const char *name, minimax_config c, int router_f32, int no_bias) {
    ref_random_opts o;
    ref_random_model *rm;
    ref_model *ref;
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_session *s = NULL;
    minimax_result r;
    int32_t ids[NPOS];
    float *want, *got, *got_steps;
    int i, V = c.vocab_size;
    test_rng rng;
    char what[96];
    if (!have_gpu()) SKIP("no GPU: %s", g_skip);
    memset(&o, 0, sizeof o);
    o.router_f32 = router_f32;
    o.no_bias = no_bias;
    rm = ref_random_model_create_opts(&c, 7, &o);
    REQUIRE(rm, "ref_random_model_create");
    ref = ref_create(&c, ref_random_model_weights(rm), NPOS);
    REQUIRE(ref, "ref_create");
    rng.s = 99;
    for (i = 0; i < NPOS; i++) ids[i] = (int32_t)(test_rng_u64(&rng) % (unsigned long long)V);
    want = (float *)malloc((size_t)NPOS * V * 4);
    got = (float *)malloc((size_t)NPOS * V * 4);
    got_steps = (float *)malloc((size_t)NPOS * V * 4);
    for (i = 0; i < NPOS * V; i++) got[i] = got_steps[i] = NAN;
    REQUIRE(ref_forward(ref, ids, NPOS, want) == 0, "ref_forward");
    memset(&d, 0, sizeof d);
    d.max_context = 128;
    d.max_batch_tokens = 32; /* 80 positions = 3 prefill chunks */
    r = minimax__model_create(&d, &c, ref_random_model_weights(rm), &m);
    REQUIRE(r == MINIMAX_OK, "%s: %s", minimax_result_name(r), minimax_last_error());
    REQUIRE(minimax_session_create(m, &s) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax__prefill(s, ids, NPOS, NULL, NULL, got) == MINIMAX_OK, "%s", minimax_last_error());
    snprintf(what, sizeof what, "%s prefill", name);
    compare(what, got, want, NPOS, V);
    REQUIRE(minimax_session_reset(s) == MINIMAX_OK, "reset");
    for (i = 0; i < NPOS; i++)
        REQUIRE(minimax_step(m, &s, 1, &ids[i], got_steps + (size_t)i * V, NULL) == MINIMAX_OK, "%s",
                minimax_last_error());
    snprintf(what, sizeof what, "%s decode", name);
    compare(what, got_steps, want, NPOS, V);
    minimax_session_free(s);
    minimax_model_free(m);
    ref_free(ref);
    ref_random_model_free(rm);
    free(want);
    free(got);
    free(got_steps);
}

static void test_ref_tiny(void) { run_random("ref tiny (GQA, d 32, top-2)", ref_tiny_config(), 0, 0); }

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
    run_random("d 64, 32 experts top-8, V 1000", c, 0, 0);
}

static void test_ref_mha_f32_router(void) {
    minimax_config c = ref_tiny_config();
    c.hidden_size = 96;
    c.num_heads = 6;
    c.num_kv_heads = 6;
    c.head_dim = 24;
    c.rotary_dim = 8;
    c.top_k = 1;
    run_random("MHA d 24, top-1, F32 router", c, 1, 0);
}

static void test_ref_no_bias(void) {
    minimax_config c = ref_tiny_config();
    c.head_dim = 16;
    c.rotary_dim = 16; /* full rotation */
    c.num_heads = 8;
    run_random("d 16 full RoPE, no routing bias", c, 0, 1);
}

/* ---- goldens ---- */

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *p;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = (unsigned char *)malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p) p[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void run_golden(const char *name) {
    const char *dd = getenv("MINIMAX_TEST_DATA");
    char dir[512], path[1024], what[96];
    int32_t *tokens;
    float *want, *got;
    size_t nt = 0, nl = 0;
    int T, V, i;
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_session *s = NULL;
    minimax_result r;
    if (!have_gpu()) SKIP("no GPU: %s", g_skip);
    snprintf(dir, sizeof dir, "%s/golden/%s", dd && *dd ? dd : "tests/data", name);
    snprintf(path, sizeof path, "%s/tokens.i32", dir);
    tokens = (int32_t *)read_all(path, &nt);
    snprintf(path, sizeof path, "%s/logits.f32", dir);
    want = (float *)read_all(path, &nl);
    if (!tokens || !want) {
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
    got = (float *)malloc(nl);
    for (i = 0; i < T * V; i++) got[i] = NAN;
    REQUIRE(minimax_session_create(m, &s) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax__prefill(s, tokens, T, NULL, NULL, got) == MINIMAX_OK, "%s", minimax_last_error());
    snprintf(what, sizeof what, "golden %s (transformers)", name);
    compare(what, got, want, T, V);
    minimax_session_free(s);
    minimax_model_free(m);
    free(tokens);
    free(want);
    free(got);
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
