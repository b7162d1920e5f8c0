/* The synthetic checkpoint writer (build/minimax-mkmodel, built by `make`):
   runs it into a temporary directory and reads back what it wrote with its
   own safetensors reading (not the library's loader): names, dtypes, shapes,
   the index, the JSON files, value statistics, determinism across thread
   counts, options and errors. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MKMODEL "build/minimax-mkmodel"

static char tmp_root[512], repo_root[512];

/* REQUIRE for helpers that return 0 on failure. */
#define REQUIRE_RET(cond, ...)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test__cur_failed = 1;                                                                  \
            printf("    %s:%d: REQUIRE(%s) failed: ", __FILE__, __LINE__, #cond);                  \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

/* Runs the writer with `args` (output directory relative to tmp_root),
   stderr to tmp_root/err.txt; returns the exit status. */
static int mkmodel(const char *args) {
    char cmd[2048];
    int rc;
    snprintf(cmd, sizeof cmd, "cd %s && %s/" MKMODEL " --quiet %s 2>err.txt", tmp_root, repo_root, args);
    rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *dir, const char *name, size_t *len) {
    char path[1024];
    FILE *f;
    char *d;
    long n;
    snprintf(path, sizeof path, "%s/%s%s%s", tmp_root, dir, *dir ? "/" : "", name);
    f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    d = (char *)malloc((size_t)n + 1);
    if (fread(d, 1, (size_t)n, f) != (size_t)n) n = 0;
    d[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return d;
}

/* ---- a minimal safetensors reader (independent of the library's loader) ---- */

typedef struct st_tensor {
    char name[160];
    char dtype[16];
    int ndim;
    int64_t shape[4];
    const uint8_t *data;
    uint64_t nbytes;
    int shard;
} st_tensor;

typedef struct st_model {
    char *shard_data[64];
    size_t shard_len[64];
    char shard_name[64][64];
    int nshards;
    st_tensor *t;
    int nt;
    uint64_t total_size; /* from the index */
    minimax__json_doc index, config, quant;
} st_model;

/* The Python safetensors library orders a shard by dtype (F32, BF16,
   F8_E4M3, U8: its Dtype enum, descending), then by name. */
static int dtype_rank(const char *d) {
    return !strcmp(d, "F32") ? 3 : !strcmp(d, "BF16") ? 2 : !strcmp(d, "F8_E4M3") ? 1 : 0;
}

static int dtype_size(const char *d) {
    if (!strcmp(d, "BF16")) return 2;
    if (!strcmp(d, "F32")) return 4;
    if (!strcmp(d, "U8") || !strcmp(d, "F8_E4M3")) return 1;
    return 0;
}

/* Checks one shard's container format and appends its tensors. */
static int st_read_shard(st_model *m, const char *dir, const char *file) {
    int s = m->nshards;
    size_t len, i;
    uint64_t hlen = 0, expect_off = 0;
    const char *p;
    minimax__json_doc h;
    const minimax__json *c, *meta;
    m->shard_data[s] = slurp(dir, file, &len);
    REQUIRE_RET(m->shard_data[s] && len >= 8, "cannot read %s", file);
    m->shard_len[s] = len;
    snprintf(m->shard_name[s], sizeof m->shard_name[s], "%s", file);
    m->nshards++;
    p = m->shard_data[s];
    for (i = 0; i < 8; i++) hlen |= (uint64_t)(unsigned char)p[i] << (8 * i);
    REQUIRE_RET(hlen % 8 == 0 && 8 + hlen <= len, "%s: header length %llu", file, (unsigned long long)hlen);
    /* the JSON ends at its closing brace; only spaces pad it */
    i = 8 + hlen;
    while (i > 8 && p[i - 1] == ' ') i--;
    REQUIRE_RET(p[8] == '{' && p[i - 1] == '}' && 8 + hlen - i < 8, "%s: header not padded with < 8 spaces", file);
    REQUIRE_RET(minimax__json_parse(p + 8, hlen, file, &h) == MINIMAX_OK, "%s", minimax_last_error());
    meta = minimax__json_get(h.root, "__metadata__");
    CHECK(h.root->child == meta, "%s: __metadata__ comes first", file);
    CHECK(meta && meta->count == 1 && minimax__json_get(meta, "format") &&
              !strcmp(minimax__json_get(meta, "format")->str, "pt"),
          "%s: __metadata__ is {\"format\":\"pt\"}", file);
    for (c = h.root->child; c; c = c->next) {
        const minimax__json *dt = minimax__json_get(c, "dtype"), *sh = minimax__json_get(c, "shape"),
                            *off = minimax__json_get(c, "data_offsets");
        st_tensor *t;
        uint64_t a, b, n = 1;
        size_t d;
        if (c == meta) continue;
        REQUIRE_RET(dt && sh && off && off->count == 2 && sh->count <= 4, "%s: bad entry %s", file, c->key);
        m->t = (st_tensor *)realloc(m->t, (size_t)(m->nt + 1) * sizeof(st_tensor));
        t = &m->t[m->nt++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", c->key);
        snprintf(t->dtype, sizeof t->dtype, "%s", dt->str);
        t->ndim = (int)sh->count;
        for (d = 0; d < sh->count; d++) n *= (uint64_t)(t->shape[d] = (int64_t)minimax__json_at(sh, d)->number);
        a = (uint64_t)minimax__json_at(off, 0)->number;
        b = (uint64_t)minimax__json_at(off, 1)->number;
        CHECK(a == expect_off, "%s: %s starts at %llu, expected %llu (contiguous)", file, t->name,
              (unsigned long long)a, (unsigned long long)expect_off);
        CHECK(b - a == n * (uint64_t)dtype_size(t->dtype) && dtype_size(t->dtype), "%s: %s size", file, t->name);
        expect_off = b;
        if (m->nt >= 2 && m->t[m->nt - 2].shard == s) {
            const st_tensor *prev = &m->t[m->nt - 2];
            CHECK(dtype_rank(prev->dtype) > dtype_rank(t->dtype) ||
                      (dtype_rank(prev->dtype) == dtype_rank(t->dtype) && strcmp(prev->name, t->name) < 0),
                  "%s: %s after %s breaks the safetensors order", file, t->name, prev->name);
        }
        t->data = (const uint8_t *)p + 8 + hlen + a;
        t->nbytes = b - a;
        t->shard = s;
    }
    CHECK(8 + hlen + expect_off == len, "%s: file size %zu, data ends at %llu", file, len,
          (unsigned long long)(8 + hlen + expect_off));
    minimax__json_free(&h);
    return 1;
}

static void st_free(st_model *m) {
    int i;
    for (i = 0; i < m->nshards; i++) free(m->shard_data[i]);
    free(m->t);
    minimax__json_free(&m->index);
    minimax__json_free(&m->config);
    minimax__json_free(&m->quant);
    memset(m, 0, sizeof *m);
}

static minimax_result parse_file(const char *dir, const char *name, minimax__json_doc *doc) {
    size_t len;
    char *text = slurp(dir, name, &len);
    minimax_result r;
    if (!text) return minimax__fail(MINIMAX_ERR_IO, "cannot read %s/%s", dir, name);
    r = minimax__json_parse(text, len, name, doc);
    free(text); /* the DOM copies what it keeps */
    return r;
}

/* Reads config.json, hf_quant_config.json, the index and every shard it
   names, and checks that the index and the shards agree. */
static int st_open(st_model *m, const char *dir) {
    const minimax__json *wm, *e;
    uint64_t sum = 0;
    int i;
    memset(m, 0, sizeof *m);
    REQUIRE_RET(parse_file(dir, "config.json", &m->config) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE_RET(parse_file(dir, "hf_quant_config.json", &m->quant) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE_RET(parse_file(dir, "model.safetensors.index.json", &m->index) == MINIMAX_OK, "%s", minimax_last_error());
    wm = minimax__json_get(m->index.root, "weight_map");
    REQUIRE_RET(wm && wm->type == MINIMAX__JSON_OBJECT, "index has a weight_map");
    m->total_size = (uint64_t)minimax__json_get(minimax__json_get(m->index.root, "metadata"), "total_size")->number;
    for (e = wm->child; e; e = e->next) { /* each shard once, in the order first named */
        int seen = 0;
        for (i = 0; i < m->nshards; i++) seen |= !strcmp(m->shard_name[i], e->str);
        if (!seen && !st_read_shard(m, dir, e->str)) return 0;
        if (e->next) CHECK(strcmp(e->key, e->next->key) < 0, "weight_map sorted: %s before %s", e->key, e->next->key);
    }
    for (i = 0; i < m->nshards; i++) {
        char expect[64];
        snprintf(expect, sizeof expect, "model-%05d-of-%05d.safetensors", i + 1, m->nshards);
        CHECK(!strcmp(m->shard_name[i], expect), "shard %d is %s, expected %s", i, m->shard_name[i], expect);
    }
    CHECK((size_t)m->nt == wm->count, "%d tensors in the shards, %zu in the index", m->nt, wm->count);
    for (i = 0; i < m->nt; i++) {
        const minimax__json *f = minimax__json_get(wm, m->t[i].name);
        CHECK(f && !strcmp(f->str, m->shard_name[m->t[i].shard]), "%s is in %s, index says %s", m->t[i].name,
              m->shard_name[m->t[i].shard], f ? f->str : "nothing");
        sum += m->t[i].nbytes;
    }
    CHECK(sum == m->total_size, "total_size %llu, tensors sum to %llu", (unsigned long long)m->total_size,
          (unsigned long long)sum);
    return 1;
}

static const st_tensor *st_get(const st_model *m, const char *fmt, ...) {
    char name[160];
    va_list ap;
    int i;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    for (i = 0; i < m->nt; i++)
        if (!strcmp(m->t[i].name, name)) return &m->t[i];
    return NULL;
}

static float st_scalar(const st_tensor *t) {
    float f;
    memcpy(&f, t->data, 4);
    return f;
}

static double cfg_num(const st_model *m, const char *key) {
    const minimax__json *v = minimax__json_get(m->config.root, key);
    return v && v->type == MINIMAX__JSON_NUMBER ? v->number : -1;
}

static const char *cfg_str(const minimax__json *obj, const char *key) {
    const minimax__json *v = minimax__json_get(obj, key);
    return v && v->type == MINIMAX__JSON_STRING ? v->str : "";
}

/* The value of element i of a BF16 or F32 tensor. */
static float st_value(const st_tensor *t, int64_t i) {
    if (!strcmp(t->dtype, "BF16")) return minimax__bf16_to_f32((uint16_t)(t->data[2 * i] | t->data[2 * i + 1] << 8));
    {
        float f;
        memcpy(&f, t->data + 4 * i, 4);
        return f;
    }
}

/* ---- the checks ------------------------------------------------------------ */

typedef struct shape_cfg {
    int H, L, nh, nkv, d, E, I, V;
} shape_cfg;

/* Every tensor the real checkpoint has, with its dtype and shape. */
static void check_names_dtypes_shapes(const st_model *m, shape_cfg c, const char *router_dtype) {
    int L, e, expected = 3, w;
    const st_tensor *t;
#define EXPECT(DT, D0, D1, ...)                                                                                     \
    do {                                                                                                            \
        t = st_get(m, __VA_ARGS__);                                                                                 \
        expected++;                                                                                                 \
        CHECK(t, "missing tensor");                                                                                 \
        if (t)                                                                                                      \
            CHECK(!strcmp(t->dtype, DT) && t->ndim == ((D0) >= 0) + ((D1) >= 0) && ((D0) < 0 || t->shape[0] == (D0)) && \
                      ((D1) < 0 || t->shape[1] == (D1)),                                                            \
                  "%s: %s [%lld,%lld] (ndim %d)", t->name, t->dtype, (long long)t->shape[0], (long long)t->shape[1],  \
                  t->ndim);                                                                                         \
    } while (0)
    expected = 0;
    EXPECT("BF16", c.V, c.H, "model.embed_tokens.weight");
    EXPECT("BF16", c.V, c.H, "lm_head.weight");
    EXPECT("BF16", c.H, -1, "model.norm.weight");
    for (L = 0; L < c.L; L++) {
        EXPECT("BF16", c.nh * c.d, c.H, "model.layers.%d.self_attn.q_proj.weight", L);
        EXPECT("BF16", c.nkv * c.d, c.H, "model.layers.%d.self_attn.k_proj.weight", L);
        EXPECT("BF16", c.nkv * c.d, c.H, "model.layers.%d.self_attn.v_proj.weight", L);
        EXPECT("BF16", c.H, c.nh * c.d, "model.layers.%d.self_attn.o_proj.weight", L);
        EXPECT("BF16", c.nh * c.d, -1, "model.layers.%d.self_attn.q_norm.weight", L);
        EXPECT("BF16", c.nkv * c.d, -1, "model.layers.%d.self_attn.k_norm.weight", L);
        EXPECT("BF16", c.H, -1, "model.layers.%d.input_layernorm.weight", L);
        EXPECT("BF16", c.H, -1, "model.layers.%d.post_attention_layernorm.weight", L);
        EXPECT(router_dtype, c.E, c.H, "model.layers.%d.block_sparse_moe.gate.weight", L);
        EXPECT(router_dtype, c.E, -1, "model.layers.%d.block_sparse_moe.e_score_correction_bias", L);
        for (e = 0; e < c.E; e++)
            for (w = 1; w <= 3; w++) {
                int rows = w == 2 ? c.H : c.I, cols = w == 2 ? c.I : c.H;
                EXPECT("U8", rows, cols / 2, "model.layers.%d.block_sparse_moe.experts.%d.w%d.weight", L, e, w);
                EXPECT("F8_E4M3", rows, cols / 16, "model.layers.%d.block_sparse_moe.experts.%d.w%d.weight_scale", L, e, w);
                EXPECT("F32", -1, -1, "model.layers.%d.block_sparse_moe.experts.%d.w%d.weight_scale_2", L, e, w);
                if (st_get(m, "model.layers.%d.block_sparse_moe.experts.%d.w%d.input_scale", L, e, w))
                    EXPECT("F32", -1, -1, "model.layers.%d.block_sparse_moe.experts.%d.w%d.input_scale", L, e, w);
            }
    }
#undef EXPECT
    CHECK(expected == m->nt, "%d tensors expected, %d written", expected, m->nt);
}

/* Dequantised std and max of one NVFP4 matrix, with the library's formula. */
static void fp4_stats(const st_model *m, int L, int e, int w, double *std, double *amax, float *ws2) {
    const st_tensor *p = st_get(m, "model.layers.%d.block_sparse_moe.experts.%d.w%d.weight", L, e, w);
    const st_tensor *s = st_get(m, "model.layers.%d.block_sparse_moe.experts.%d.w%d.weight_scale", L, e, w);
    const st_tensor *s2 = st_get(m, "model.layers.%d.block_sparse_moe.experts.%d.w%d.weight_scale_2", L, e, w);
    int64_t rows, cols, n, k;
    double ss = 0, mx = 0;
    *std = *amax = 0;
    *ws2 = 0;
    if (!p || !s || !s2) return;
    rows = p->shape[0];
    cols = p->shape[1] * 2;
    *ws2 = st_scalar(s2);
    for (n = 0; n < rows; n++)
        for (k = 0; k < cols; k++) {
            double v = minimax__nvfp4_element(p->data, s->data, cols, *ws2, n, k);
            ss += v * v;
            if (fabs(v) > mx) mx = fabs(v);
        }
    *std = sqrt(ss / (double)(rows * cols));
    *amax = mx;
}

static int all_zero(const st_tensor *t) {
    uint64_t i;
    for (i = 0; i < t->nbytes; i++)
        if (t->data[i]) return 0;
    return 1;
}

static void tiny_checkpoint_has_the_published_format(void) {
    st_model m;
    const minimax__json *q, *ex, *ign, *g;
    shape_cfg c = {64, 2, 4, 2, 32, 8, 32, 512};
    size_t i;
    REQUIRE(mkmodel("--out tiny --preset tiny --seed 7 --threads 1") == 0, "writer failed (run `make` first)");
    REQUIRE(st_open(&m, "tiny"), "cannot read the checkpoint back");
    check_names_dtypes_shapes(&m, c, "BF16");

    /* config.json: the official fields with this size */
    CHECK(!strcmp(cfg_str(m.config.root, "model_type"), "minimax_m2"), "model_type");
    CHECK(!strcmp(minimax__json_at(minimax__json_get(m.config.root, "architectures"), 0)->str, "MiniMaxM2ForCausalLM"),
          "architectures");
    CHECK(cfg_num(&m, "hidden_size") == 64 && cfg_num(&m, "num_hidden_layers") == 2 &&
              cfg_num(&m, "num_attention_heads") == 4 && cfg_num(&m, "num_key_value_heads") == 2 &&
              cfg_num(&m, "head_dim") == 32 && cfg_num(&m, "rotary_dim") == 16 && cfg_num(&m, "num_local_experts") == 8 &&
              cfg_num(&m, "num_experts_per_tok") == 2 && cfg_num(&m, "intermediate_size") == 32 &&
              cfg_num(&m, "vocab_size") == 512,
          "sizes in config.json");
    CHECK(cfg_num(&m, "rope_theta") == 5e6 && cfg_num(&m, "rms_norm_eps") == 1e-6, "rope_theta, rms_norm_eps");
    CHECK(cfg_num(&m, "bos_token_id") == 1 && cfg_num(&m, "eos_token_id") == 2, "bos/eos inside the tiny vocab");
    CHECK(minimax__json_get(m.config.root, "use_qk_norm")->type == MINIMAX__JSON_TRUE &&
              minimax__json_get(m.config.root, "use_routing_bias")->type == MINIMAX__JSON_TRUE &&
              !strcmp(cfg_str(m.config.root, "qk_norm_type"), "per_layer") &&
              !strcmp(cfg_str(m.config.root, "scoring_func"), "sigmoid") &&
              !strcmp(cfg_str(m.config.root, "torch_dtype"), "bfloat16"),
          "flags");
    CHECK(minimax__json_get(m.config.root, "attn_type_list")->count == 2, "attn_type_list per layer");

    /* hf_quant_config.json and the compressed-tensors copy in config.json */
    q = minimax__json_get(m.quant.root, "quantization");
    CHECK(!strcmp(cfg_str(minimax__json_get(m.quant.root, "producer"), "name"), "modelopt") &&
              !strcmp(cfg_str(minimax__json_get(m.quant.root, "producer"), "version"), "0.41.0"),
          "producer");
    CHECK(!strcmp(cfg_str(q, "quant_algo"), "NVFP4") && minimax__json_get(q, "group_size")->number == 16 &&
              minimax__json_get(q, "kv_cache_quant_algo")->type == MINIMAX__JSON_NULL,
          "quantization");
    ex = minimax__json_get(q, "exclude_modules");
    REQUIRE(ex && ex->count == 5, "exclude_modules: lm_head + gate and self_attn* per layer");
    CHECK(!strcmp(minimax__json_at(ex, 0)->str, "lm_head") &&
              !strcmp(minimax__json_at(ex, 1)->str, "model.layers.0.block_sparse_moe.gate") &&
              !strcmp(minimax__json_at(ex, 4)->str, "model.layers.1.self_attn*"),
          "exclude_modules content");
    g = minimax__json_get(m.config.root, "quantization_config");
    CHECK(!strcmp(cfg_str(g, "quant_method"), "modelopt") && !strcmp(cfg_str(g, "quant_algo"), "NVFP4"), "quant_method");
    CHECK(minimax__json_get(minimax__json_get(minimax__json_get(minimax__json_get(g, "config_groups"), "group_0"), "weights"),
                            "group_size")->number == 16,
          "config_groups.group_0.weights.group_size");
    ign = minimax__json_get(g, "ignore");
    REQUIRE(ign && ign->count == ex->count, "ignore mirrors exclude_modules");
    for (i = 0; i < ign->count; i++) CHECK(!strcmp(minimax__json_at(ign, i)->str, minimax__json_at(ex, i)->str), "ignore[%zu]", i);
    st_free(&m);
}

static void tiny_values_are_realistic(void) {
    st_model m;
    int L, e, i, changed = 0;
    test_rng rng = {12345};
    REQUIRE(mkmodel("--out tiny_v --preset tiny --seed 3") == 0, "writer failed");
    REQUIRE(st_open(&m, "tiny_v"), "cannot read the checkpoint back");
    for (i = 0; i < m.nt; i++) CHECK(!all_zero(&m.t[i]), "%s is all zeros", m.t[i].name);
    for (L = 0; L < 2; L++)
        for (e = 0; e < 8; e++) {
            double sd[4], mx[4];
            float ws2[4];
            int w;
            for (w = 1; w <= 3; w++) {
                double base = w == 2 ? 1 / sqrt(32.0) : 1 / sqrt(64.0);
                fp4_stats(&m, L, e, w, &sd[w], &mx[w], &ws2[w]);
                /* drawn with std base*(1 + 0.1 n), |n| <= 2: [0.8, 1.2] * base, plus sampling noise */
                CHECK(sd[w] > 0.72 * base && sd[w] < 1.35 * base, "L%d e%d w%d: std %g, base %g", L, e, w, sd[w], base);
                /* ModelOpt's math: the largest element quantises exactly to 6 * 448 * weight_scale_2 */
                CHECK(fabs(mx[w] - 2688.0 * ws2[w]) <= 1e-6 * mx[w], "L%d e%d w%d: amax %g vs 2688*ws2 %g", L, e, w, mx[w],
                      2688.0 * ws2[w]);
            }
            CHECK(ws2[1] != ws2[3], "L%d e%d: w1 and w3 share weight_scale_2 %g", L, e, ws2[1]);
            {
                float i1 = st_scalar(st_get(&m, "model.layers.%d.block_sparse_moe.experts.%d.w1.input_scale", L, e));
                float i2 = st_scalar(st_get(&m, "model.layers.%d.block_sparse_moe.experts.%d.w2.input_scale", L, e));
                float i3 = st_scalar(st_get(&m, "model.layers.%d.block_sparse_moe.experts.%d.w3.input_scale", L, e));
                CHECK(i1 == i3 && i1 > 0 && i2 > 0 && i1 != i2, "input_scale w1 %g w3 %g w2 %g", i1, i3, i2);
            }
        }
    { /* dense tensors: norms near 1, embeddings std 1, projections 1/sqrt(fan_in) */
        const st_tensor *n = st_get(&m, "model.layers.1.post_attention_layernorm.weight");
        const st_tensor *emb = st_get(&m, "model.embed_tokens.weight"), *qp = st_get(&m, "model.layers.0.self_attn.q_proj.weight");
        double s = 0, ss = 0;
        for (i = 0; i < 64; i++) s += st_value(n, i);
        CHECK(fabs(s / 64 - 1) < 0.03, "norm weight mean %g", s / 64);
        for (s = 0, i = 0; i < 512 * 64; i++) ss += (double)st_value(emb, i) * st_value(emb, i);
        CHECK(fabs(sqrt(ss / (512 * 64)) - 1) < 0.05, "embedding std %g", sqrt(ss / (512 * 64)));
        for (ss = 0, i = 0; i < 128 * 64; i++) ss += (double)st_value(qp, i) * st_value(qp, i);
        CHECK(sqrt(ss / (128 * 64)) > 0.75 / 8 && sqrt(ss / (128 * 64)) < 1.3 / 8, "q_proj std %g", sqrt(ss / (128 * 64)));
    }
    { /* the routing bias changes some top-2 selections, not all */
        const st_tensor *g = st_get(&m, "model.layers.0.block_sparse_moe.gate.weight");
        const st_tensor *b = st_get(&m, "model.layers.0.block_sparse_moe.e_score_correction_bias");
        int trial;
        for (trial = 0; trial < 2000; trial++) {
            float h[64], sc[8];
            int k, x, sel[2][2];
            for (k = 0; k < 64; k++) h[k] = test_rng_normal(&rng);
            for (x = 0; x < 8; x++) {
                double acc = 0;
                for (k = 0; k < 64; k++) acc += h[k] * st_value(g, x * 64 + k);
                sc[x] = (float)(1 / (1 + exp(-acc)));
            }
            for (k = 0; k < 2; k++) { /* with and without the bias */
                float best = -1e30f, second = -1e30f;
                sel[k][0] = sel[k][1] = -1;
                for (x = 0; x < 8; x++) {
                    float v = sc[x] + (k ? st_value(b, x) : 0.0f);
                    if (v > best) {
                        second = best, sel[k][1] = sel[k][0];
                        best = v, sel[k][0] = x;
                    } else if (v > second) second = v, sel[k][1] = x;
                }
            }
            changed += (sel[0][0] != sel[1][0] || sel[0][1] != sel[1][1]) &&
                       (sel[0][0] != sel[1][1] || sel[0][1] != sel[1][0]);
        }
        printf("    routing bias changes %d of 2000 top-2 selections\n", changed);
        CHECK(changed > 20 && changed < 1000, "bias changed %d of 2000 top-2 selections", changed);
    }
    st_free(&m);
}

static int same_files(const char *a, const char *b, const char *name) {
    size_t la, lb;
    char *x = slurp(a, name, &la), *y = slurp(b, name, &lb);
    int same = x && y && la == lb && !memcmp(x, y, la);
    free(x);
    free(y);
    return same;
}

static void output_depends_on_seed_only(void) {
    char name[64];
    int s;
    REQUIRE(mkmodel("--out d1 --seed 11 --threads 1 --shard-mb 0.07") == 0, "writer failed");
    REQUIRE(mkmodel("--out d3 --seed 11 --threads 3 --shard-mb 0.07") == 0, "writer failed");
    REQUIRE(mkmodel("--out d4 --seed 12 --threads 2 --shard-mb 0.07") == 0, "writer failed");
    CHECK(same_files("d1", "d3", "config.json") && same_files("d1", "d3", "hf_quant_config.json") &&
              same_files("d1", "d3", "model.safetensors.index.json"),
          "JSON files identical");
    for (s = 1; s <= 5; s++) {
        snprintf(name, sizeof name, "model-%05d-of-00005.safetensors", s);
        CHECK(same_files("d1", "d3", name), "%s differs between 1 and 3 threads", name);
        CHECK(!same_files("d1", "d4", name), "%s identical with another seed", name);
    }
    CHECK(same_files("d1", "d4", "config.json"), "config.json does not depend on the seed");
    /* the large-model path (blocks from a pool) is deterministic too */
    REQUIRE(mkmodel("--out p1 --fp4 direct --threads 1") == 0 && mkmodel("--out p2 --fp4 direct --threads 2") == 0,
            "writer failed");
    CHECK(same_files("p1", "p2", "model-00001-of-00001.safetensors"), "direct path depends on the thread count");
}

/* The bytes of the default tiny checkpoint are pinned: they come from
   IEEE-exact arithmetic only, so every machine and compiler must give these,
   and golden logits computed from this checkpoint stay valid. Change the
   value only together with the golden files. */
static void tiny_bytes_are_pinned(void) {
    size_t len = 0;
    char *d;
    uint64_t h;
    REQUIRE(mkmodel("--out pinned") == 0, "writer failed");
    d = slurp("pinned", "model-00001-of-00001.safetensors", &len);
    REQUIRE(d, "no shard");
    h = minimax__fnv1a(0, d, len);
    CHECK(len == 313328 && h == 0x6530ef17cb2a4087ull, "tiny checkpoint: %zu bytes, FNV-1a %016llx", len,
          (unsigned long long)h);
    free(d);
}

static void options_change_what_they_say(void) {
    st_model m;
    int L, e, w, n = 0, complete = 1;
    char tok_path[600], args[1024];
    FILE *f;
    shape_cfg c = {32, 1, 2, 1, 16, 4, 48, 100};
    /* shape overrides, F32 router, missing input scales, tokenizer copy */
    snprintf(tok_path, sizeof tok_path, "%s/tok.json", tmp_root);
    f = fopen(tok_path, "wb");
    REQUIRE(f, "cannot write %s", tok_path);
    fputs("{\"model\": {\"type\": \"BPE\"}}\n", f);
    fclose(f);
    snprintf(args, sizeof args,
             "--out o --layers 1 --hidden 32 --heads 2 --kv-heads 1 --head-dim 16 --rotary-dim 8 --experts 4 --top-k 1 "
             "--inter 48 --vocab 100 --router-dtype f32 --drop-input-scale 2 --tokenizer %s",
             tok_path);
    REQUIRE(mkmodel(args) == 0, "writer failed");
    REQUIRE(st_open(&m, "o"), "cannot read the checkpoint back");
    check_names_dtypes_shapes(&m, c, "F32");
    CHECK(cfg_num(&m, "rotary_dim") == 8 && cfg_num(&m, "num_experts_per_tok") == 1, "config follows the overrides");
    for (L = 0; L < c.L; L++)
        for (e = 0; e < c.E; e++) {
            int has = 0;
            for (w = 1; w <= 3; w++) has += st_get(&m, "model.layers.%d.block_sparse_moe.experts.%d.w%d.input_scale", L, e, w) != NULL;
            n += has == 0;
            complete &= has == 0 || has == 3;
        }
    CHECK(n == 2 && complete, "%d experts without input_scale (want 2, all three matrices)", n);
    {
        char *t = slurp("o", "tokenizer.json", NULL);
        CHECK(t && !strcmp(t, "{\"model\": {\"type\": \"BPE\"}}\n"), "tokenizer.json copied");
        free(t);
    }
    st_free(&m);

    /* --single-file: one model.safetensors and no index, as save_pretrained writes a model that fits */
    REQUIRE(mkmodel("--out sf --single-file") == 0 && mkmodel("--out sf2") == 0, "writer failed");
    {
        char *idx = slurp("sf", "model.safetensors.index.json", NULL), *one = slurp("sf", "model.safetensors", NULL);
        size_t la = 0, lb = 0;
        char *a = slurp("sf", "model.safetensors", &la), *b = slurp("sf2", "model-00001-of-00001.safetensors", &lb);
        CHECK(!idx && one, "single file without an index");
        CHECK(a && b && la == lb && !memcmp(a, b, la), "same bytes as the one-shard checkpoint");
        free(idx), free(one), free(a), free(b);
    }

    /* the large-model path on a small model: realistic statistics, own weight_scale_2 per matrix */
    REQUIRE(mkmodel("--out dir --fp4 direct") == 0, "writer failed");
    REQUIRE(st_open(&m, "dir"), "cannot read the checkpoint back");
    for (e = 0; e < 8; e++) {
        double sd, mx, sd3, mx3;
        float ws2, ws23;
        fp4_stats(&m, 1, e, 1, &sd, &mx, &ws2);
        fp4_stats(&m, 1, e, 3, &sd3, &mx3, &ws23);
        CHECK(sd > 0.72 / 8 && sd < 1.35 / 8 && mx <= 2688.0 * ws2 * (1 + 1e-6), "direct w1 e%d: std %g amax %g ws2 %g", e,
              sd, mx, ws2);
        CHECK(ws2 != ws23, "direct: w1 and w3 share weight_scale_2");
    }
    st_free(&m);
}

/* The full preset with few layers and experts: the real shapes and config. */
static void full_preset_has_the_real_shapes(void) {
    st_model m;
    shape_cfg c = {3072, 1, 48, 8, 128, 8, 1536, 2048}; /* a small vocab keeps the test at 0.2 GB */
    double sd, mx;
    float ws2;
    REQUIRE(mkmodel("--out full --preset full --layers 1 --experts 8 --vocab 2048") == 0, "writer failed");
    REQUIRE(st_open(&m, "full"), "cannot read the checkpoint back");
    check_names_dtypes_shapes(&m, c, "BF16");
    CHECK(cfg_num(&m, "hidden_size") == 3072 && cfg_num(&m, "num_attention_heads") == 48 &&
              cfg_num(&m, "num_key_value_heads") == 8 && cfg_num(&m, "head_dim") == 128 && cfg_num(&m, "rotary_dim") == 64 &&
              cfg_num(&m, "num_experts_per_tok") == 8 && cfg_num(&m, "intermediate_size") == 1536 &&
              cfg_num(&m, "num_local_experts") == 8 && cfg_num(&m, "vocab_size") == 2048,
          "real sizes in config.json");
    fp4_stats(&m, 0, 3, 2, &sd, &mx, &ws2);
    CHECK(sd > 0.72 / sqrt(1536.0) && sd < 1.35 / sqrt(1536.0), "w2 std %g", sd);
    /* real-size statistics: amax of 4.7M normals is ~5.3 sigma */
    CHECK(mx / sd > 4.5 && mx / sd < 6.5, "w2 amax/std %g", mx / sd);
    st_free(&m);

    /* the real vocabulary holds transformers' bos/eos ids */
    REQUIRE(mkmodel("--out vocab --layers 1 --hidden 16 --heads 1 --kv-heads 1 --head-dim 16 --experts 1 --top-k 1 "
                    "--inter 16 --vocab 200064") == 0,
            "writer failed");
    REQUIRE(st_open(&m, "vocab"), "cannot read the checkpoint back");
    CHECK(cfg_num(&m, "bos_token_id") == 200034 && cfg_num(&m, "eos_token_id") == 200020, "transformers' bos/eos");
    CHECK(st_get(&m, "lm_head.weight") && st_get(&m, "lm_head.weight")->shape[0] == 200064, "lm_head rows");
    st_free(&m);
}

static void bad_input_is_an_error(void) {
    static const char *bad[][2] = {
        {"--out e1 --bogus 1", "unknown option"},
        {"--out e1 --hidden 60", "multiple of 16"},
        {"--out e1 --inter 20", "multiple of 16"},
        {"--out e1 --rotary-dim 33", "rotary"},
        {"--out e1 --heads 3", "kv-heads"},
        {"--out e1 --top-k 9", "top-k"},
        {"--out e1 --preset huge", "preset"},
        {"--out e1 --layers x", "layers"},
        {"--out e1 --router-dtype f16", "router-dtype"},
        {"--out e1 --tokenizer no-such-file.json", "no-such-file"},
        {"--preset tiny", "--out"},
        {"--out file.txt/sub", "cannot create"},
    };
    size_t i;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "touch %s/file.txt", tmp_root);
    REQUIRE(system(cmd) == 0, "touch");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mkmodel(bad[i][0]);
        char *err = slurp("", "err.txt", NULL);
        CHECK(rc == 1, "'%s' exited with %d", bad[i][0], rc);
        CHECK(err && strstr(err, bad[i][1]), "'%s': message '%s' lacks '%s'", bad[i][0], err ? err : "", bad[i][1]);
        free(err);
    }
    { /* a write that fails (file-size limit standing in for a full disk) */
        int rc;
        char *err;
        snprintf(cmd, sizeof cmd, "cd %s && ulimit -f 64 && %s/" MKMODEL " --out full_disk 2>err.txt", tmp_root,
                 repo_root);
        rc = system(cmd);
        err = slurp("", "err.txt", NULL);
        CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "over the size limit: status %d", rc);
        CHECK(err && strstr(err, "model-00001-of-00001.safetensors"), "message names the shard: %s", err ? err : "");
        free(err);
    }
}

int main(void) {
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char cmd[2048];
    snprintf(tmp_root, sizeof tmp_root, "%s/test_mkmodel_XXXXXX", base);
    if (!getcwd(repo_root, sizeof repo_root) || access(MKMODEL, X_OK) != 0) {
        printf("%s is missing: run `make` first\n", MKMODEL);
        printf("RESULT 0 passed, 1 failed, 0 skipped\n");
        return 1;
    }
    if (!mkdtemp(tmp_root)) {
        printf("cannot create a temporary directory under %s\n", base);
        printf("RESULT 0 passed, 1 failed, 0 skipped\n");
        return 1;
    }
    RUN(tiny_checkpoint_has_the_published_format);
    RUN(tiny_values_are_realistic);
    RUN(output_depends_on_seed_only);
    RUN(tiny_bytes_are_pinned);
    RUN(options_change_what_they_say);
    RUN(full_preset_has_the_real_shapes);
    RUN(bad_input_is_an_error);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) printf("could not remove %s\n", tmp_root);
    return test_summary();
}
