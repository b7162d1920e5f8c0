/* Several GPUs against one (needs 2 GPUs with peer access; skips otherwise).

   For each model, the same tokens go through a one-GPU model (TP1), a
   tensor-parallel model on 2 GPUs (TP2) and a layer split over 2 GPUs:
   a teacher-forced prefill (the logits of every position) and then single
   decode steps (CUDA graphs), for one session, for two sessions stepped
   together and for 11 stepped together (passes of 8 and 3 where the fast
   kernels run; on a layer split the stages hand each pass's x on with a
   handshake).

   TOLERANCES.
   - Layer split == TP1 BIT FOR BIT: the same kernels on the same sizes, the
     hidden state is copied exactly between the GPUs.
   - TP2 vs TP1: only the order of fp32 sums differs (o_proj and expert
     partial sums added per rank, then across ranks; the QK-norm sums of
     squares per rank, then across ranks), but a changed rounding can flip a
     BF16 KV-cache entry by one unit (2^-8) or, at a near tie, an expert
     choice. A logit may differ by at most TOL = 1e-2 x max|logit| (the
     bound of the GPU-vs-reference tests, tests/gpu_model.c), and the greedy
     token must agree wherever TP1's top-2 margin exceeds 2 x TOL. The
     maximum difference seen is printed.
   Models: the four transformers goldens' checkpoints (tests/data/golden,
   through minimax_model_load), a random in-memory model (engine_util.h) with
   the fast decode kernels at TP2, and a 16-layer model with the real shapes
   (synthetic weights made on GPU 0, copied shard by shard into the TP2
   model; expert choice made tie-free, see real_shapes_16). With 4 GPUs,
   TP4 on a tiny mkmodel checkpoint with 8 query / 4 KV heads, a random
   model of those heads and the 16-layer real shapes.
   Failures: a peer that never runs gives MINIMAX_ERR_DEVICE within seconds
   (timeout), then MINIMAX_ERR_FAILED_STATE; invalid descs give their errors. */
#define _GNU_SOURCE /* mkdtemp */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "engine_util.h"

#define REL_TOL 1e-2

static void unused_helpers(void) { (void)test_rng_normal; }

static int g_gpus = -1;
static char g_skip[512];

static int two_gpus(void) {
    if (g_gpus < 0) {
        minimax_result r = minimax__cuda_init();
        int n = 0;
        g_gpus = 0;
        if (r != MINIMAX_OK) snprintf(g_skip, sizeof g_skip, "%.400s", minimax_last_error());
        else if (minimax__cu.cuDeviceGetCount(&n) != 0 || n < 2) snprintf(g_skip, sizeof g_skip, "%d CUDA device(s), need 2", n);
        else g_gpus = n;
    }
    return g_gpus >= 2;
}

/* Logits: prefill of tok[0..T) (every position) then `steps` single steps,
   then two sessions (prompts tok[0..5) and tok[3..9)) stepped together 3
   times, then NBIG sessions (prompts tok[i % 3 ..] of 1 + i % 7 tokens)
   stepped together twice (graph, then eager). out: [RUN_ROWS(T, steps)][V].
   T >= 10. */
#define NBIG 11
#define RUN_ROWS(T, steps) ((T) + (steps) + 6 + 2 * NBIG)
static int run_all(minimax_model *m, const int32_t *tok, int T, int steps, float *out) {
    int V = minimax_model_config(m)->vocab_size, i, k;
    minimax_session *s = NULL, *pair[2] = {NULL, NULL}, *big[NBIG] = {NULL};
    int32_t id2[2], idb[NBIG];
    minimax_result r;
    if ((r = minimax_session_create(m, &s)) != MINIMAX_OK) goto fail;
    if ((r = minimax__prefill(s, tok, T, NULL, NULL, out)) != MINIMAX_OK) goto fail;
    for (i = 0; i < steps; i++)
        if ((r = minimax_step(m, &s, 1, &tok[(7 * i + 1) % T], out + (size_t)(T + i) * V, NULL)) != MINIMAX_OK) goto fail;
    minimax_session_free(s);
    s = NULL;
    if ((r = minimax_session_create(m, &pair[0])) != MINIMAX_OK || (r = minimax_session_create(m, &pair[1])) != MINIMAX_OK)
        goto fail;
    if ((r = minimax_prefill(pair[0], tok, 5, NULL, NULL)) != MINIMAX_OK ||
        (r = minimax_prefill(pair[1], tok + 3, 6, NULL, NULL)) != MINIMAX_OK)
        goto fail;
    for (i = 0; i < 3; i++) {
        id2[0] = tok[(5 * i + 2) % T];
        id2[1] = tok[(3 * i + 4) % T];
        if ((r = minimax_step(m, pair, 2, id2, out + (size_t)(T + steps + 2 * i) * V, NULL)) != MINIMAX_OK) goto fail;
    }
    minimax_session_free(pair[0]);
    minimax_session_free(pair[1]);
    pair[0] = pair[1] = NULL;
    for (i = 0; i < NBIG; i++)
        if ((r = minimax_session_create(m, &big[i])) != MINIMAX_OK ||
            (r = minimax_prefill(big[i], tok + i % 3, 1 + i % 7, NULL, NULL)) != MINIMAX_OK)
            goto fail;
    for (k = 0; k < 2; k++) {
        for (i = 0; i < NBIG; i++) idb[i] = tok[(3 * k + 5 * i + 1) % T];
        if ((r = minimax__step(m, big, NBIG, idb, out + (size_t)(T + steps + 6 + NBIG * k) * V, NULL, k == 0)) !=
            MINIMAX_OK) /* the first through the graph, the second eager */
            goto fail;
    }
    for (i = 0; i < NBIG; i++) minimax_session_free(big[i]);
    return 1;
fail:
    fprintf(stderr, "    run: %s: %s\n", minimax_result_name(r), minimax_last_error());
    minimax_session_free(s);
    minimax_session_free(pair[0]);
    minimax_session_free(pair[1]);
    for (i = 0; i < NBIG; i++) minimax_session_free(big[i]);
    return 0;
}

/* got vs want, rows x V: the tolerance rule above; exact = bit for bit. */
static void compare(const char *what, const float *want, const float *got, int rows, int V, int exact) {
    double refmax = 0, maxd = 0, tol;
    int i, j, greedy_bad = 0, nan = 0, first_bad = -1;
    for (i = 0; i < rows * V; i++) {
        double a = fabs((double)want[i]);
        if (a > refmax) refmax = a;
        if (got[i] != got[i]) nan++;
    }
    tol = REL_TOL * refmax;
    for (i = 0; i < rows; i++) {
        const float *w = want + (size_t)i * V, *g = got + (size_t)i * V;
        int b1 = 0, b2 = -1, gb = 0;
        double dr = 0;
        for (j = 0; j < V; j++) {
            double d = fabs((double)w[j] - (double)g[j]);
            if (d > maxd) maxd = d;
            if (d > dr) dr = d;
            if (d > tol && first_bad < 0) first_bad = i;
            if (w[j] > w[b1]) b1 = j;
            if (g[j] > g[gb]) gb = j;
        }
        if (dr > tol) printf("    row %d: max|d| %.3g over the tolerance\n", i, dr);
        for (j = 0; j < V; j++)
            if (j != b1 && (b2 < 0 || w[j] > w[b2])) b2 = j;
        if (b2 >= 0 && w[b1] - w[b2] > 2 * tol && gb != b1) greedy_bad++;
    }
    printf("    %-44s max|d| %.3g (%.2g of max|logit| %.3g)%s\n", what, maxd, refmax > 0 ? maxd / refmax : 0.0, refmax,
           exact ? " [must be 0]" : "");
    CHECK(nan == 0, "%s: %d NaN logits", what, nan);
    CHECK(refmax > 0, "%s: all logits zero", what);
    if (exact) CHECK(memcmp(want, got, (size_t)rows * V * 4) == 0, "%s: not bit-identical (max |d| %g)", what, maxd);
    else {
        CHECK(maxd <= tol, "%s: max |dlogit| %g over %g (first at row %d)", what, maxd, tol, first_bad);
        CHECK(greedy_bad == 0, "%s: greedy token differs at %d rows with a clear margin", what, greedy_bad);
    }
}

static minimax_result load_variant(const char *dir, const minimax_config *c, const minimax__weights *w, int variant,
                                   int tp, minimax_model **m) {
    static const int devs[2] = {0, 1};
    int split[2];
    minimax_model_desc d;
    memset(&d, 0, sizeof d);
    d.checkpoint_dir = dir;
    d.max_context = 128;
    d.max_sessions = NBIG;
    d.cache_dir = "";
    if (variant == 1) d.tp = tp;
    if (variant == 2) {
        int L = c ? c->num_layers : 0;
        d.devices = devs;
        d.n_devices = 2;
        if (L) { /* first GPU one layer, the rest on the second */
            split[0] = 1;
            split[1] = L - 1;
            d.layer_split = split;
        }
    }
    if (w) return minimax__model_create(&d, c, w, m);
    return minimax_model_load(&d, m);
}

static int record_routing(minimax_model *m, const int32_t *tok, int T, int32_t *idx);

/* TP1, TP (tp = 2 or 4) and a layer split over 2 GPUs on one model; dir or
   (c, w). Also: the split's routing recorder (each stage records its own
   layers) gives TP1's routing. */
static void run_three(const char *name, const char *dir, const minimax_config *c, const minimax__weights *w,
                      const int32_t *tok, int T, int tp) {
    const int steps = 8;
    minimax_model *m[3] = {NULL, NULL, NULL};
    float *lg[3] = {NULL, NULL, NULL};
    int v, V = 0, rows = RUN_ROWS(T, steps), ok = 1;
    char what[128];
    for (v = 0; v < 3 && ok; v++) {
        minimax_result r = load_variant(dir, c, w, v, tp, &m[v]);
        CHECK(r == MINIMAX_OK, "%s variant %d: %s: %s", name, v, minimax_result_name(r), minimax_last_error());
        if (r != MINIMAX_OK) {
            ok = 0;
            break;
        }
        V = minimax_model_config(m[v])->vocab_size;
        lg[v] = (float *)calloc((size_t)rows * V, 4);
        ok = run_all(m[v], tok, T, steps, lg[v]);
        CHECK(ok, "%s variant %d: run failed", name, v);
    }
    if (ok) {
        minimax_model_info info;
        minimax_model_info_get(m[1], &info);
        CHECK(info.gpus == tp && info.tp == tp, "%s: TP%d info says %d GPUs, tp %d", name, tp, info.gpus, info.tp);
        minimax_model_info_get(m[2], &info);
        CHECK(info.gpus == 2 && info.tp == 1, "%s: split info says %d GPUs, tp %d", name, info.gpus, info.tp);
        snprintf(what, sizeof what, "%s TP%d vs TP1", name, tp);
        compare(what, lg[0], lg[1], rows, V, 0);
        snprintf(what, sizeof what, "%s split %d,%d vs TP1", name, info.layer_split[0], info.layer_split[1]);
        compare(what, lg[0], lg[2], rows, V, 1);
        {
            const minimax_config *mc = minimax_model_config(m[0]);
            size_t cnt = (size_t)mc->num_layers * 8 * mc->top_k;
            int32_t *ra = (int32_t *)calloc(cnt, 4), *rb = (int32_t *)calloc(cnt, 4);
            CHECK(record_routing(m[0], tok, 8, ra) && record_routing(m[2], tok, 8, rb), "%s: routing record: %s", name,
                  minimax_last_error());
            CHECK(memcmp(ra, rb, cnt * 4) == 0, "%s: the split records another routing than TP1", name);
            free(ra);
            free(rb);
        }
    }
    for (v = 0; v < 3; v++) {
        minimax_model_free(m[v]);
        free(lg[v]);
    }
}

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
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void run_golden(const char *name) {
    const char *dd = getenv("MINIMAX_TEST_DATA");
    char dir[512], path[1024];
    int32_t *tokens;
    size_t nt = 0;
    minimax_checkpoint *ck = NULL;
    if (!two_gpus()) SKIP("%s", g_skip);
    snprintf(dir, sizeof dir, "%s/golden/%s", dd && *dd ? dd : "tests/data", name);
    snprintf(path, sizeof path, "%s/tokens.i32", dir);
    tokens = (int32_t *)read_all(path, &nt);
    if (!tokens || nt < 40) {
        free(tokens);
        SKIP("%s: golden tokens not found (run from the repository root or set MINIMAX_TEST_DATA)", dir);
    }
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    REQUIRE(minimax_checkpoint_open(path, &ck) == MINIMAX_OK, "%s", minimax_last_error());
    /* the layer split needs the layer count: loaded through the checkpoint (minimax__model_create) */
    run_three(name, path, minimax_checkpoint_config(ck), minimax__checkpoint_weights(ck), tokens, (int)(nt / 4), 2);
    minimax_checkpoint_close(ck);
    free(tokens);
}

static void test_golden_tiny(void) { run_golden("tiny"); }
static void test_golden_g4_f32router(void) { run_golden("g4_f32router"); }
static void test_golden_g6_top8(void) { run_golden("g6_top8"); }
static void test_golden_mha_top1_shards(void) { run_golden("mha_top1_shards"); }

/* The loader path itself (minimax_model_load with tp = 2 and an automatic
   layer split) on the tiny golden: same logits as the view path above. */
static void test_load_paths(void) {
    const char *dd = getenv("MINIMAX_TEST_DATA");
    char dir[512];
    int32_t tok[12] = {1, 5, 9, 33, 2, 7, 100, 41, 3, 8, 60, 11};
    float *a, *b;
    int v, V;
    minimax_model *m;
    if (!two_gpus()) SKIP("%s", g_skip);
    snprintf(dir, sizeof dir, "%s/golden/tiny/checkpoint", dd && *dd ? dd : "tests/data");
    REQUIRE(load_variant(dir, NULL, NULL, 0, 2, &m) == MINIMAX_OK, "%s", minimax_last_error());
    V = minimax_model_config(m)->vocab_size;
    a = (float *)calloc((size_t)RUN_ROWS(12, 8) * V, 4);
    b = (float *)calloc((size_t)RUN_ROWS(12, 8) * V, 4);
    CHECK(run_all(m, tok, 12, 8, a), "TP1 run");
    minimax_model_free(m);
    for (v = 1; v <= 2; v++) {
        minimax_model_info info;
        minimax_result r = load_variant(dir, NULL, NULL, v, 2, &m);
        CHECK(r == MINIMAX_OK, "load variant %d: %s", v, minimax_last_error());
        if (r != MINIMAX_OK) continue;
        minimax_model_info_get(m, &info);
        printf("    load path: %s, tp %d, layers %d,%d\n", info.device_name, info.tp, info.layer_split[0], info.layer_split[1]);
        CHECK(run_all(m, tok, 12, 8, b), "variant %d run", v);
        compare(v == 1 ? "tiny loaded with tp 2" : "tiny loaded with an automatic split", a, b, RUN_ROWS(12, 8), V,
                v == 2);
        minimax_model_free(m);
    }
    free(a);
    free(b);
}

/* A random in-memory model with H 128, I 64 (I/2 = 32: the fast expert
   kernels run on each TP rank), GQA 4/2, partial RoPE. */
static void test_random_model(void) {
    minimax_config c = eu_tiny_config();
    eu_model *em;
    int32_t tok[40];
    int i;
    if (!two_gpus()) SKIP("%s", g_skip);
    c.num_layers = 3;
    em = eu_random_model(&c, 77);
    for (i = 0; i < 40; i++) tok[i] = (int32_t)((i * 97 + 13) % c.vocab_size);
    run_three("random H128 I64 3 layers", NULL, &c, &em->w, tok, 40, 2);
    eu_free_model(em);
}

/* Prefill of tok[0..T) in a new session with the routing recorded:
   idx[L][T][K] (on rank 0 for a tensor-parallel model: every rank routes
   the same). 1 on success. */
static int record_routing(minimax_model *m, const int32_t *tok, int T, int32_t *idx) {
    const minimax_config *c = minimax_model_config(m);
    minimax_model *home = m->mg ? m->mg->rank[0] : m;
    size_t bytes = (size_t)c->num_layers * T * c->top_k * 4;
    minimax_session *s = NULL;
    int ok;
    if (minimax__cu.cuCtxSetCurrent(home->ctx) != 0 || minimax__cu.cuMemAlloc(&m->dbg_route, bytes) != 0) return 0;
    m->dbg_route_stride = T;
    ok = minimax_session_create(m, &s) == MINIMAX_OK && minimax__prefill(s, tok, T, NULL, NULL, NULL) == MINIMAX_OK;
    minimax_session_free(s);
    ok = ok && minimax__cu.cuCtxSetCurrent(home->ctx) == 0 && minimax__cu.cuMemcpyDtoH(idx, m->dbg_route, bytes) == 0;
    minimax__cu.cuMemFree(m->dbg_route);
    m->dbg_route = 0;
    m->dbg_route_stride = 0;
    return ok;
}

/* (position, layer) pairs whose expert sets differ (printed) */
static int routing_differences(const minimax_config *c, int T, const int32_t *a, const int32_t *b) {
    int L, t, j, k, n = 0;
    for (L = 0; L < c->num_layers; L++)
        for (t = 0; t < T; t++) {
            const int32_t *x = a + ((size_t)L * T + t) * c->top_k, *y = b + ((size_t)L * T + t) * c->top_k;
            int same = 1;
            for (j = 0; j < c->top_k && same; j++) {
                int found = 0;
                for (k = 0; k < c->top_k; k++) found |= x[j] == y[k];
                same = found;
            }
            if (!same) {
                printf("    routing differs at position %d, layer %d\n", t, L);
                n++;
            }
        }
    return n;
}

/* 16 layers with the real shapes: synthetic weights on GPU 0, the TP model
   (tp = 2 or 4) copied from them shard by shard. */
static void real_shapes_16(int tp) {
    minimax_config c = minimax__bench_real_config(16);
    minimax_model_desc d;
    minimax_model *one = NULL, *two = NULL;
    int32_t tok[16];
    float *a = NULL, *b = NULL;
    int i, V = c.vocab_size, rows = RUN_ROWS(16, 4);
    int32_t *ra, *rb;
    char what[96];
    minimax_result r;
    for (i = 0; i < 16; i++) tok[i] = (int32_t)((i * 7919 + 1000) % V);
    memset(&d, 0, sizeof d);
    d.max_context = 256;
    d.max_sessions = NBIG;
    d.max_batch_tokens = 64;
    r = minimax__model_create_synthetic(&d, &c, 4242, &one);
    REQUIRE(r == MINIMAX_OK, "synthetic 16 layers: %s", minimax_last_error());
    /* Routing made tie-free: with random router weights the 8th and 9th
       expert are often close, and a BF16 KV entry rounded the other way (the
       TP ranks sum in another order) then flips a choice, which moves that
       token's logits by up to 0.6 and its neighbours' by more than the
       tolerance (seen at 3 of 352 (position, layer) decisions). A selection
       bias of 2 on 8 experts per layer (a different 8 in each layer) fixes
       the choice; the routing weights still come from the router logits, so
       the products, the split experts and the all-reduces are compared at
       the real shapes. Routing against the router logits is compared on the
       smaller models above. */
    {
        float *bias = (float *)malloc((size_t)c.num_experts * 4);
        int L, e, ok = bias != NULL && minimax__cu.cuCtxSetCurrent(one->ctx) == 0;
        for (L = 0; ok && L < c.num_layers; L++) {
            for (e = 0; e < c.num_experts; e++) bias[e] = (e * 37 + L * 11) % c.num_experts < c.top_k ? 2.0f : 0.0f;
            ok = minimax__cu.cuMemcpyHtoD(one->layers[L].router_bias, bias, (size_t)c.num_experts * 4) == 0;
        }
        free(bias);
        REQUIRE(ok, "router bias upload");
    }
    d.tp = tp;
    r = minimax__model_create_from(&d, &c, NULL, minimax__mg_fill_from_ref, one, &two);
    if (r != MINIMAX_OK) {
        minimax_model_free(one);
        REQUIRE(0, "TP%d copy: %s", tp, minimax_last_error());
    }
    a = (float *)calloc((size_t)rows * V, 4);
    b = (float *)calloc((size_t)rows * V, 4);
    ra = (int32_t *)calloc((size_t)16 * 16 * c.top_k, 4);
    rb = (int32_t *)calloc((size_t)16 * 16 * c.top_k, 4);
    CHECK(record_routing(one, tok, 16, ra) && record_routing(two, tok, 16, rb), "routing record: %s", minimax_last_error());
    CHECK(routing_differences(&c, 16, ra, rb) == 0, "TP%d: the prompt is routed differently", tp);
    CHECK(record_routing(one, tok + 3, 6, ra) && record_routing(two, tok + 3, 6, rb), "routing record: %s",
          minimax_last_error());
    CHECK(routing_differences(&c, 6, ra, rb) == 0, "TP%d: the second prompt is routed differently", tp);
    CHECK(run_all(one, tok, 16, 4, a), "TP1 run");
    CHECK(run_all(two, tok, 16, 4, b), "TP%d run", tp);
    snprintf(what, sizeof what, "real shapes, 16 layers: TP%d vs TP1", tp);
    compare(what, a, b, rows, V, 0);
    free(ra);
    free(rb);
    minimax_model_free(two);
    minimax_model_free(one);
    free(a);
    free(b);
}

static void test_real_shapes_16(void) {
    if (!two_gpus()) SKIP("%s", g_skip);
    real_shapes_16(2);
}

/* ---- TP = 4 (4 GPUs) ----
   No transformers golden has KV heads divisible by 4, so TP4 runs on a tiny
   checkpoint written by minimax-mkmodel (8 query / 4 KV heads), a random
   in-memory model of the same head counts with the expert width 128 (32 per
   rank: the fast expert kernels), and the 16-layer real shapes
   (48 / 8 heads, expert width 1536: 384 per rank). */
static int four_gpus(void) { return two_gpus() && g_gpus >= 4; }
#define NEED_FOUR()                                                                   \
    do {                                                                              \
        if (!two_gpus()) SKIP("%s", g_skip);                                          \
        if (!four_gpus()) SKIP("%d CUDA devices, TP4 needs 4", g_gpus);               \
    } while (0)

static void test_tp4_checkpoint(void) {
    char dir[] = "/tmp/minimax_tp4_XXXXXX", cmd[1024], ck[600];
    int32_t tok[24];
    int i, rc;
    NEED_FOUR();
    REQUIRE(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(ck, sizeof ck, "%s/ck", dir);
    snprintf(cmd, sizeof cmd,
             "build/minimax-mkmodel --out '%s' --preset tiny --layers 3 --heads 8 --kv-heads 4 --inter 64 --seed 11 "
             "--quiet",
             ck);
    rc = system(cmd);
    CHECK(rc == 0, "%s: exit %d (run from the repository root after make)", cmd, rc);
    if (rc == 0) {
        for (i = 0; i < 24; i++) tok[i] = (int32_t)((i * 53 + 7) % 256);
        run_three("mkmodel tiny 8/4 heads", ck, NULL, NULL, tok, 24, 4);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "    could not remove %s\n", dir);
}

static void test_tp4_random_model(void) {
    minimax_config c = eu_tiny_config();
    eu_model *em;
    int32_t tok[40];
    int i;
    NEED_FOUR();
    c.num_layers = 3;
    c.num_heads = 8;
    c.num_kv_heads = 4;
    c.intermediate_size = 128;
    em = eu_random_model(&c, 78);
    for (i = 0; i < 40; i++) tok[i] = (int32_t)((i * 97 + 13) % c.vocab_size);
    run_three("random H128 I128 8/4 heads 3 layers", NULL, &c, &em->w, tok, 40, 4);
    eu_free_model(em);
}

static void test_tp4_real_shapes_16(void) {
    NEED_FOUR();
    real_shapes_16(4);
}

/* A rank that never runs: the other one times out, the call fails, the model
   is failed, freeing it does not hang. */
static void test_dead_peer(void) {
    const char *dd = getenv("MINIMAX_TEST_DATA");
    char dir[512];
    int v;
    if (!two_gpus()) SKIP("%s", g_skip);
    snprintf(dir, sizeof dir, "%s/golden/tiny/checkpoint", dd && *dd ? dd : "tests/data");
    for (v = 1; v <= 2; v++) {
        minimax_model *m = NULL;
        minimax_session *s = NULL;
        int32_t tok = 5, out = -1;
        double t0;
        minimax_result r = load_variant(dir, NULL, NULL, v, 2, &m);
        REQUIRE(r == MINIMAX_OK, "%s", minimax_last_error());
        REQUIRE(minimax_session_create(m, &s) == MINIMAX_OK, "%s", minimax_last_error());
        REQUIRE(minimax_prefill(s, &tok, 1, NULL, &out) == MINIMAX_OK, "healthy prefill: %s", minimax_last_error());
        m->mg->timeout = 1ll << 27; /* ~0.1 s */
        m->mg->dbg_skip_rank = v == 1 ? 1 : 0;
        t0 = minimax__now_ms();
        r = minimax_step(m, &s, 1, &out, NULL, &out);
        printf("    %s, rank %d never runs: %s after %.0f ms: %s\n", v == 1 ? "tp 2" : "split", m->mg->dbg_skip_rank,
               minimax_result_name(r), minimax__now_ms() - t0, minimax_last_error());
        CHECK(r == MINIMAX_ERR_DEVICE, "dead peer: %s, want MINIMAX_ERR_DEVICE", minimax_result_name(r));
        CHECK(strstr(minimax_last_error(), "gave up waiting") != NULL, "message: %s", minimax_last_error());
        CHECK(minimax__now_ms() - t0 < 20000, "took %.0f ms", minimax__now_ms() - t0);
        r = minimax_step(m, &s, 1, &out, NULL, &out);
        CHECK(r == MINIMAX_ERR_FAILED_STATE, "after the failure: %s", minimax_result_name(r));
        minimax_session_free(s);
        minimax_model_free(m);
    }
}

static void test_invalid(void) {
    const char *dd = getenv("MINIMAX_TEST_DATA");
    char dir[512];
    static const int far[2] = {0, 63}, same[2] = {1, 1}, split[2] = {1, 1};
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_result r;
    if (!two_gpus()) SKIP("%s", g_skip);
    snprintf(dir, sizeof dir, "%s/golden/tiny/checkpoint", dd && *dd ? dd : "tests/data");
    memset(&d, 0, sizeof d);
    d.checkpoint_dir = dir;
    d.cache_dir = "";
    d.tp = 3;
    r = minimax_model_load(&d, &m);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT && strstr(minimax_last_error(), "2, 4 or 8"), "tp 3: %s", minimax_last_error());
    d.tp = 8; /* 4 heads, 2 KV heads */
    r = minimax_model_load(&d, &m);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT && strstr(minimax_last_error(), "must divide"), "tp 8: %s", minimax_last_error());
    d.tp = 2;
    d.devices = far;
    r = minimax_model_load(&d, &m);
    CHECK(r == MINIMAX_ERR_NO_DEVICE && strstr(minimax_last_error(), "GPU 63 requested"), "GPU 63: %s", minimax_last_error());
    d.devices = same;
    r = minimax_model_load(&d, &m);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT && strstr(minimax_last_error(), "twice"), "twice: %s", minimax_last_error());
    d.devices = NULL;
    d.layer_split = split;
    r = minimax_model_load(&d, &m);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT && strstr(minimax_last_error(), "do not combine"), "tp+split: %s",
          minimax_last_error());
    d.tp = 0;
    d.n_devices = 2;
    d.devices = same;
    d.layer_split = split;
    d.devices = NULL;
    {
        static const int bad[2] = {1, 5};
        d.layer_split = bad;
        r = minimax_model_load(&d, &m);
        CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT && strstr(minimax_last_error(), "adds up to 6"), "split sum: %s",
              minimax_last_error());
    }
    CHECK(m == NULL, "no model on errors");
}

int main(void) {
    unused_helpers();
    RUN(test_invalid);
    RUN(test_golden_tiny);
    RUN(test_golden_g4_f32router);
    RUN(test_golden_g6_top8);
    RUN(test_golden_mha_top1_shards);
    RUN(test_load_paths);
    RUN(test_random_model);
    RUN(test_dead_peer);
    RUN(test_real_shapes_16);
    RUN(test_tp4_checkpoint);
    RUN(test_tp4_random_model);
    RUN(test_tp4_real_shapes_16);
    return test_summary();
}
