/* CPU-checkable parts of the engine: the memory plan, the sampling generator
   and the host sampling rule, the bookkeeping of a step in passes, and API
   misuse without a GPU. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "engine_util.h"

static minimax_config full_config(void) {
    minimax_config c = eu_tiny_config();
    c.hidden_size = 3072; c.num_layers = 62; c.num_heads = 48; c.num_kv_heads = 8; c.head_dim = 128;
    c.rotary_dim = 64; c.intermediate_size = 1536; c.num_experts = 256; c.top_k = 8; c.vocab_size = 200064;
    c.max_position_embeddings = 196608; c.rope_theta = 5e6f;
    return c;
}

static void test_plan_full_model(void) {
    minimax_config c = full_config();
    minimax_model_desc d;
    minimax__plan p;
    minimax_memory_usage mu;
    minimax_memory_desc md;
    memset(&d, 0, sizeof d);
    REQUIRE(minimax__plan_make(&c, &d, &p) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(p.max_sessions == 1 && p.max_context == 4096 && p.block_tokens == 16 && p.max_tokens == 256,
          "defaults %d %d %d %d", p.max_sessions, p.max_context, p.block_tokens, p.max_tokens);
    /* 2 (K,V) x 8 heads x 128 x 2 bytes x 62 layers = 253952 bytes per token (MODEL.md 1.3) */
    CHECK(p.kv_block_bytes == 253952u * 16, "KV block %zu bytes", p.kv_block_bytes);
    CHECK(p.kv_bytes == 253952u * 4096, "KV pool %zu", p.kv_bytes);
    CHECK(p.num_blocks == 256 && p.max_blocks == 256, "blocks %d %d", p.num_blocks, p.max_blocks);
    CHECK(p.valid_vocab == 200064, "valid vocab %d", p.valid_vocab);
    /* weights: 134.4 GB by MODEL.md 1.3, plus the router kept in fp32 here (+98 MB) */
    printf("    weights %.2f GB, scratch %.1f MB\n", p.weight_bytes / 1e9, p.scratch_bytes / 1e6);
    CHECK(p.weight_bytes > 134.2e9 && p.weight_bytes < 134.7e9, "weights %.3f GB", p.weight_bytes / 1e9);
    memset(&md, 0, sizeof md);
    if (minimax_memory_estimate(&c, &md, &mu) == MINIMAX_OK) {
        double rel = fabs((double)p.weight_bytes - (double)mu.weights) / (double)mu.weights;
        CHECK(rel < 2e-3, "engine plan %zu vs loader estimate %llu bytes", p.weight_bytes, (unsigned long long)mu.weights);
        CHECK(p.kv_bytes == mu.kv_cache, "KV %zu vs loader %llu", p.kv_bytes, (unsigned long long)mu.kv_cache);
    }
    d.max_sessions = 8; d.max_context = 1000; d.kv_block_tokens = 64; d.max_batch_tokens = 4; d.valid_vocab = 200054;
    REQUIRE(minimax__plan_make(&c, &d, &p) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(p.max_blocks == 16 && p.num_blocks == 128 && p.max_tokens == 8 && p.valid_vocab == 200054,
          "%d %d %d %d", p.max_blocks, p.num_blocks, p.max_tokens, p.valid_vocab);
}

static void test_plan_rejects(void) {
    minimax_config c = eu_tiny_config();
    minimax_model_desc d;
    minimax__plan p;
    memset(&d, 0, sizeof d);
    d.valid_vocab = c.vocab_size + 1;
    CHECK(minimax__plan_make(&c, &d, &p) == MINIMAX_ERR_INVALID_ARGUMENT, "valid_vocab > vocab");
    d.valid_vocab = 0;
    d.max_context = c.max_position_embeddings + 1;
    CHECK(minimax__plan_make(&c, &d, &p) == MINIMAX_ERR_INVALID_ARGUMENT, "max_context > max_position_embeddings");
    d.max_context = -1;
    CHECK(minimax__plan_make(&c, &d, &p) == MINIMAX_ERR_INVALID_ARGUMENT, "negative");
    d.max_context = 0;
    c.head_dim = 258;
    CHECK(minimax__plan_make(&c, &d, &p) == MINIMAX_ERR_UNSUPPORTED && strstr(minimax_last_error(), "head_dim"),
          "head_dim 258: %s", minimax_last_error());
    c.head_dim = 24;
    CHECK(minimax__plan_make(&c, &d, &p) == MINIMAX_OK, "head_dim 24: %s", minimax_last_error());
    c = eu_tiny_config();
    c.num_heads = 5;
    CHECK(minimax__plan_make(&c, &d, &p) == MINIMAX_ERR_UNSUPPORTED, "heads not a multiple of kv heads");
}

static void test_sampling_rng(void) {
    double sum = 0.0;
    int i, same = 0;
    for (i = 0; i < 100000; i++) {
        float u = minimax_sampling_uniform(7, 1, (uint64_t)i);
        CHECK(u >= 0.0f && u < 1.0f, "u %g", (double)u);
        if (u < 0.0f || u >= 1.0f) return;
        sum += u;
    }
    CHECK(fabs(sum / 100000 - 0.5) < 0.005, "mean %g", sum / 100000);
    CHECK(minimax_sampling_uniform(7, 1, 5) == minimax_sampling_uniform(7, 1, 5), "deterministic");
    for (i = 0; i < 100; i++) {
        same += minimax_sampling_uniform(7, 1, (uint64_t)i) == minimax_sampling_uniform(8, 1, (uint64_t)i);
        same += minimax_sampling_uniform(7, 1, (uint64_t)i) == minimax_sampling_uniform(7, 2, (uint64_t)i);
    }
    CHECK(same < 3, "seed and session change the stream (%d equal)", same);
}

static void test_host_sampler(void) {
    float l[8] = {0.0f, 1.0f, 2.0f, 0.5f, 2.0f, -1.0f, 50.0f, 60.0f}; /* ids 6, 7 are padding */
    minimax_sampling s;
    int cnt[8] = {0}, i;
    double z = 0, p2;
    memset(&s, 0, sizeof s);
    CHECK(minimax__sample_host(l, 6, &s, 0, 0) == 2, "greedy: ties to the lower id");
    s.temperature = 1.0f;
    s.top_k = 1;
    for (i = 0; i < 50; i++) CHECK(minimax__sample_host(l, 6, &s, 0, (uint64_t)i) <= 4, "top_k 1 keeps the tied top two");
    s.top_k = 0;
    for (i = 0; i < 20000; i++) cnt[minimax__sample_host(l, 6, &s, 3, (uint64_t)i)]++;
    CHECK(cnt[6] == 0 && cnt[7] == 0, "padding sampled");
    for (i = 0; i < 6; i++) z += exp(l[i] - 2.0);
    p2 = 1.0 / z;
    CHECK(fabs(cnt[2] / 20000.0 - p2) < 0.02, "p(2) %g vs %g", cnt[2] / 20000.0, p2);
    s.top_p = 0.5f; /* only the two tokens at 2.0 carry half the mass together */
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < 2000; i++) cnt[minimax__sample_host(l, 6, &s, 3, (uint64_t)i)]++;
    CHECK(cnt[2] + cnt[4] == 2000 && cnt[2] > 800 && cnt[4] > 800, "top_p: %d %d", cnt[2], cnt[4]);
    s.top_p = 0.0f;
    s.min_p = 0.5f; /* p >= 0.5 p_max: 2.0 and 2.0 (1.0 is e^-1 = 0.37) */
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < 2000; i++) cnt[minimax__sample_host(l, 6, &s, 3, (uint64_t)i)]++;
    CHECK(cnt[2] + cnt[4] == 2000, "min_p: %d %d", cnt[2], cnt[4]);
}

/* The bookkeeping of a decode step in passes (minimax__enqueue_step), on the
   host: with the fast kernels a step of more than 8 sessions takes passes of
   8 (the general kernels: one pass); the host inputs hold each session's id,
   position, cache row and sampling state in its slot and the slot's row
   within its pass; a pass's view of the step moves every input offset, the
   logits / sampled rows and pass0 by the pass's first slot, and back
   exactly. (The passes themselves run on a GPU: gpu_engine, gpu_multi.) */
static void test_step_passes(void) {
    enum { N = 11 };
    static unsigned char hin[4096];
    minimax_model m, saved;
    minimax_session ss[N], *sp[N];
    int32_t ids[N];
    const minimax__sample_params *spar;
    int i, bad = 0;
    memset(&m, 0, sizeof m);
    m.cfg = eu_tiny_config();
    m.fast_decode = 1;
    CHECK(minimax__pass_slots(&m, 1) == 1 && minimax__pass_slots(&m, 8) == 8 && minimax__pass_slots(&m, N) == 8 &&
              minimax__pass_slots(&m, 64) == 8,
          "fast kernels: passes of %d, %d, %d, %d slots", minimax__pass_slots(&m, 1), minimax__pass_slots(&m, 8),
          minimax__pass_slots(&m, N), minimax__pass_slots(&m, 64));
    m.fast_decode = 0;
    CHECK(minimax__pass_slots(&m, N) == N, "general kernels: one pass of %d, got %d", N, minimax__pass_slots(&m, N));
    m.fast_decode = 1;
    /* the step-input layout of minimax__model_create for T = N */
    m.off_ids = 0;
    m.off_pos = N * 4;
    m.off_srow = 2 * N * 4;
    m.off_rows = 3 * N * 4;
    m.off_sp = (4 * N * 4 + 7) & ~(size_t)7;
    m.h_in = hin;
    for (i = 0; i < N; i++) {
        memset(&ss[i], 0, sizeof ss[i]);
        ss[i].model = &m;
        ss[i].pos = 10 + 3 * i;
        ss[i].row = N - 1 - i;
        ss[i].id = 100 + (uint64_t)i;
        ss[i].sampling.seed = 7;
        sp[i] = &ss[i];
        ids[i] = 5 * i + 1;
    }
    minimax__step_inputs(&m, sp, N, ids);
    spar = MINIMAX__IN(&m, off_sp, minimax__sample_params);
    for (i = 0; i < N; i++)
        bad += MINIMAX__IN(&m, off_ids, int32_t)[i] != 5 * i + 1 || MINIMAX__IN(&m, off_pos, int32_t)[i] != 10 + 3 * i ||
               MINIMAX__IN(&m, off_srow, int32_t)[i] != N - 1 - i || MINIMAX__IN(&m, off_rows, int32_t)[i] != i % 8 ||
               spar[i].session != 100 + (uint64_t)i || spar[i].position != 11 + 3 * i || spar[i].seed != 7;
    CHECK(bad == 0, "%d of %d slots with wrong inputs (rows must be 0..7, 0..2)", bad, N);
    m.logits = (minimax__cu_ptr)1 << 32;
    m.sampled = (minimax__cu_ptr)3 << 32;
    saved = m;
    minimax__pass_view(&m, 8);
    CHECK(m.off_ids == saved.off_ids + 32 && m.off_pos == saved.off_pos + 32 && m.off_srow == saved.off_srow + 32 &&
              m.off_rows == saved.off_rows + 32 && m.off_sp == saved.off_sp + 8 * sizeof(minimax__sample_params),
          "the pass at slot 8 sees its inputs at ids+%zu pos+%zu srow+%zu rows+%zu sp+%zu", m.off_ids - saved.off_ids,
          m.off_pos - saved.off_pos, m.off_srow - saved.off_srow, m.off_rows - saved.off_rows, m.off_sp - saved.off_sp);
    CHECK(m.logits == saved.logits + (minimax__cu_ptr)8 * m.cfg.vocab_size * 4 && m.sampled == saved.sampled + 32 &&
              m.pass0 == 8,
          "the pass at slot 8 writes logits row %llu, sampled %llu, pass0 %d",
          (unsigned long long)((m.logits - saved.logits) / (4ull * (unsigned)m.cfg.vocab_size)),
          (unsigned long long)((m.sampled - saved.sampled) / 4), m.pass0);
    CHECK(MINIMAX__IN(&m, off_ids, int32_t)[2] == 5 * 10 + 1 && MINIMAX__IN(&m, off_rows, int32_t)[2] == 2,
          "slot 2 of the pass is session 10, row 2");
    minimax__pass_view(&m, -8);
    CHECK(m.off_ids == saved.off_ids && m.off_pos == saved.off_pos && m.off_srow == saved.off_srow &&
              m.off_rows == saved.off_rows && m.off_sp == saved.off_sp && m.logits == saved.logits &&
              m.sampled == saved.sampled && m.pass0 == 0,
          "the view does not come back exactly");
}

static void test_api_misuse(void) {
    minimax_model *m = (minimax_model *)1;
    minimax_model_desc d;
    minimax_session *s = (minimax_session *)1;
    minimax_sampling sp;
    memset(&d, 0, sizeof d);
    CHECK(minimax_model_load(NULL, &m) == MINIMAX_ERR_INVALID_ARGUMENT && m == NULL, "NULL desc");
    CHECK(minimax_model_load(&d, NULL) == MINIMAX_ERR_INVALID_ARGUMENT, "NULL out");
    CHECK(minimax_model_load(&d, &m) == MINIMAX_ERR_INVALID_ARGUMENT, "no checkpoint_dir");
    d.checkpoint_dir = "/nonexistent/minimax";
    CHECK(minimax_model_load(&d, &m) == MINIMAX_ERR_IO, "missing dir: %s", minimax_last_error());
    CHECK(minimax_session_create(NULL, &s) == MINIMAX_ERR_INVALID_ARGUMENT && s == NULL, "session of NULL");
    CHECK(minimax_prefill(NULL, NULL, 1, NULL, NULL) == MINIMAX_ERR_INVALID_ARGUMENT, "prefill NULL");
    CHECK(minimax_step(NULL, NULL, 1, NULL, NULL, NULL) == MINIMAX_ERR_INVALID_ARGUMENT, "step NULL");
    CHECK(minimax_session_reset(NULL) == MINIMAX_ERR_INVALID_ARGUMENT, "reset NULL");
    CHECK(minimax_model_config(NULL) == NULL, "config of NULL");
    memset(&sp, 0, sizeof sp);
    CHECK(minimax_session_set_sampling(NULL, &sp) == MINIMAX_ERR_INVALID_ARGUMENT, "sampling NULL");
    minimax_model_free(NULL);
    minimax_session_free(NULL);
}

/* Without a driver the in-memory model load fails cleanly with NO_DEVICE. */
static void test_no_device(void) {
    minimax_config c = eu_tiny_config();
    eu_model *em = eu_random_model(&c, 1);
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_result r;
    memset(&d, 0, sizeof d);
    r = minimax__model_create(&d, &c, &em->w, &m);
    if (r == MINIMAX_OK) {
        minimax_model_free(m);
        eu_free_model(em);
        SKIP("a GPU is present (covered by gpu_engine)");
    }
    CHECK(r == MINIMAX_ERR_NO_DEVICE && m == NULL, "%s: %s", minimax_result_name(r), minimax_last_error());
    eu_free_model(em);
}

int main(void) {
    RUN(test_plan_full_model);
    RUN(test_plan_rejects);
    RUN(test_sampling_rng);
    RUN(test_host_sampler);
    RUN(test_step_passes);
    RUN(test_api_misuse);
    RUN(test_no_device);
    return test_summary();
}
