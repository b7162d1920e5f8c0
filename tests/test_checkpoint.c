/* Checkpoint loader tests: a tiny ModelOpt NVFP4 checkpoint is written by a
   small safetensors writer below (independent of the library's reader), then
   loaded, then corrupted one way at a time; every corruption must come back
   as the right code with a message naming the file and the tensor, and the
   process keeps running. Also the memory estimate against hand-computed
   numbers for the real MiniMax-M2.5 configuration. */
#define _XOPEN_SOURCE 700 /* mkdtemp, truncate */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- the tiny model --------------------------------------------------------
   H 64, 2 layers (+ one MTP layer 2), 4 heads of 16 (2 KV heads), rotary 8,
   4 experts of width 32, top-2, vocabulary 96. */
enum { TH = 64, TL = 2, TNH = 4, TNKV = 2, TD = 16, TI = 32, TE = 4, TV = 96 };

typedef struct tt {
    char name[160];
    char dtype[12];
    int ndim;
    long long shape[5];
    unsigned char *data;
    size_t n;
    int shard;          /* 0-based */
    int not_in_index;   /* written to the shard, left out of the index */
    int index_shard;    /* -1: same as shard */
    long long off[2];   /* header offsets written when has_off */
    int has_off;
    long long at;       /* where the data went (filled by the writer) */
} tt;

typedef struct tmodel {
    tt t[400];
    int n;
} tmodel;

static tmodel g_m;
static char g_root[256];
static int g_dirs;

static tt *tm_find(tmodel *m, const char *name) {
    int i;
    for (i = 0; i < m->n; i++)
        if (strcmp(m->t[i].name, name) == 0) return &m->t[i];
    return NULL;
}

static tt *tm_add(tmodel *m, const char *name, const char *dtype, int ndim, long long d0, long long d1, long long d2) {
    tt *t = &m->t[m->n++];
    size_t el = 1, sz = strcmp(dtype, "BF16") == 0 || strcmp(dtype, "F16") == 0 ? 2 : strcmp(dtype, "F32") == 0 ? 4 : 1;
    int i;
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->dtype, sizeof t->dtype, "%s", dtype);
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = d1;
    t->shape[2] = d2;
    t->index_shard = -1;
    for (i = 0; i < ndim; i++) el *= (size_t)t->shape[i];
    t->n = el * sz;
    t->data = (unsigned char *)calloc(t->n ? t->n : 1, 1);
    return t;
}

static void tm_remove(tmodel *m, const char *name) {
    tt *t = tm_find(m, name);
    if (!t) return;
    free(t->data);
    *t = m->t[--m->n];
}

static void tm_bf16(tmodel *m, test_rng *r, const char *name, int ndim, long long d0, long long d1) {
    tt *t = tm_add(m, name, "BF16", ndim, d0, d1, 0);
    size_t i;
    for (i = 0; i < t->n / 2; i++) {
        uint16_t h = minimax__f32_to_bf16(test_rng_normal(r));
        memcpy(t->data + 2 * i, &h, 2);
    }
}

static void tm_fp4(tmodel *m, test_rng *r, const char *prefix, int rows, int cols) {
    char name[160];
    float *w = (float *)malloc(sizeof(float) * (size_t)rows * (size_t)cols), ws2, is;
    tt *p, *s, *s2, *in;
    int i;
    for (i = 0; i < rows * cols; i++) w[i] = 0.05f * test_rng_normal(r);
    snprintf(name, sizeof name, "%s.weight", prefix);
    p = tm_add(m, name, "U8", 2, rows, cols / 2, 0);
    snprintf(name, sizeof name, "%s.weight_scale", prefix);
    s = tm_add(m, name, "F8_E4M3", 2, rows, cols / 16, 0);
    minimax__nvfp4_quantize(w, rows, cols, p->data, s->data, &ws2);
    snprintf(name, sizeof name, "%s.weight_scale_2", prefix);
    s2 = tm_add(m, name, "F32", 0, 0, 0, 0);
    memcpy(s2->data, &ws2, 4);
    snprintf(name, sizeof name, "%s.input_scale", prefix);
    in = tm_add(m, name, "F32", 0, 0, 0, 0);
    is = 0.01f + test_rng_uniform(r);
    memcpy(in->data, &is, 4);
    free(w);
}

/* The full tensor list of the tiny model, plus MTP layer 2 (a tensor of an
   unrelated shape and a fused-looking name, both to be ignored). */
static void tm_build(tmodel *m, unsigned long long seed) {
    test_rng r;
    char name[160];
    int l, e;
    r.s = seed;
    while (m->n) tm_remove(m, m->t[m->n - 1].name);
    tm_bf16(m, &r, "model.embed_tokens.weight", 2, TV, TH);
    for (l = 0; l < TL; l++) {
        tt *b;
        int i;
#define N(fmt) (snprintf(name, sizeof name, "model.layers.%d." fmt, l), name)
        tm_bf16(m, &r, N("input_layernorm.weight"), 1, TH, 0);
        tm_bf16(m, &r, N("post_attention_layernorm.weight"), 1, TH, 0);
        tm_bf16(m, &r, N("self_attn.q_proj.weight"), 2, TNH * TD, TH);
        tm_bf16(m, &r, N("self_attn.k_proj.weight"), 2, TNKV * TD, TH);
        tm_bf16(m, &r, N("self_attn.v_proj.weight"), 2, TNKV * TD, TH);
        tm_bf16(m, &r, N("self_attn.o_proj.weight"), 2, TH, TNH * TD);
        tm_bf16(m, &r, N("self_attn.q_norm.weight"), 1, TNH * TD, 0);
        tm_bf16(m, &r, N("self_attn.k_norm.weight"), 1, TNKV * TD, 0);
        tm_bf16(m, &r, N("block_sparse_moe.gate.weight"), 2, TE, TH);
        b = tm_add(m, N("block_sparse_moe.e_score_correction_bias"), "F32", 1, TE, 0, 0);
        for (i = 0; i < TE; i++) {
            float f = test_rng_normal(&r);
            memcpy(b->data + 4 * i, &f, 4);
        }
        for (e = 0; e < TE; e++) {
            char p[160];
            snprintf(p, sizeof p, "model.layers.%d.block_sparse_moe.experts.%d.w1", l, e);
            tm_fp4(m, &r, p, TI, TH);
            snprintf(p, sizeof p, "model.layers.%d.block_sparse_moe.experts.%d.w2", l, e);
            tm_fp4(m, &r, p, TH, TI);
            snprintf(p, sizeof p, "model.layers.%d.block_sparse_moe.experts.%d.w3", l, e);
            tm_fp4(m, &r, p, TI, TH);
        }
#undef N
    }
    tm_bf16(m, &r, "model.layers.2.self_attn.q_proj.weight", 2, 3, 5);
    tm_add(m, "model.layers.2.block_sparse_moe.experts.gate_up_proj", "U8", 3, TE, 2 * TI, TH / 2);
    tm_bf16(m, &r, "model.norm.weight", 1, TH, 0);
    tm_bf16(m, &r, "lm_head.weight", 2, TV, TH);
}

static const char *CONFIG_JSON =
    "{\"architectures\": [\"MiniMaxM2ForCausalLM\"], \"model_type\": \"minimax_m2\", \"hidden_size\": 64,\n"
    " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"head_dim\": 16,\n"
    " \"intermediate_size\": 32, \"num_local_experts\": 4, \"num_experts_per_tok\": 2, \"vocab_size\": 96,\n"
    " \"max_position_embeddings\": 512, \"rope_theta\": 5000000, \"rotary_dim\": 8, \"rms_norm_eps\": 1e-06,\n"
    " \"bos_token_id\": 1, \"eos_token_id\": 2, \"scoring_func\": \"sigmoid\", \"use_mtp\": true,\n"
    " \"quantization_config\": {\"config_groups\": {\"group_0\": {\"input_activations\": {\"dynamic\": false, \"num_bits\": 4,\n"
    "   \"type\": \"float\", \"group_size\": 16}, \"weights\": {\"dynamic\": false, \"num_bits\": 4, \"type\": \"float\",\n"
    "   \"group_size\": 16}, \"targets\": [\"Linear\"]}}, \"ignore\": [\"lm_head\"], \"quant_algo\": \"NVFP4\",\n"
    "   \"producer\": {\"name\": \"modelopt\", \"version\": \"0.41.0\"}, \"quant_method\": \"modelopt\"}}\n";

static const char *HFQ_JSON = "{\"producer\": {\"name\": \"modelopt\", \"version\": \"0.41.0\"}, \"quantization\": {\"quant_algo\": "
                              "\"NVFP4\", \"kv_cache_quant_algo\": null, \"group_size\": 16, \"exclude_modules\": [\"lm_head\"]}}";

static void write_text(const char *dir, const char *file, const char *text) {
    char p[512];
    FILE *f;
    snprintf(p, sizeof p, "%s/%s", dir, file);
    f = fopen(p, "wb");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void shard_name(char *buf, size_t cap, int s, int nshards) {
    if (nshards == 0) snprintf(buf, cap, "model.safetensors");
    else snprintf(buf, cap, "model-%05d-of-%05d.safetensors", s + 1, nshards);
}

/* Writes the model into a fresh directory: config.json (cfg, NULL =
   default), hf_quant_config.json (hfq, NULL = default, "" = none), the
   shards (nshards 0 = one model.safetensors without an index) and the index.
   Tensors go to shards in contiguous runs. Returns the directory. */
static const char *tm_write(tmodel *m, int nshards, const char *cfg, const char *hfq) {
    static char dir[300];
    int s, i, first = 1, ns = nshards ? nshards : 1;
    FILE *idx = NULL;
    snprintf(dir, sizeof dir, "%s/ck%d", g_root, g_dirs++);
    mkdir(dir, 0700);
    write_text(dir, "config.json", cfg ? cfg : CONFIG_JSON);
    if (!hfq || hfq[0]) write_text(dir, "hf_quant_config.json", hfq ? hfq : HFQ_JSON);
    for (i = 0; i < m->n; i++) m->t[i].shard = i * ns / m->n;
    if (nshards) {
        char p[512];
        snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
        idx = fopen(p, "wb");
        fprintf(idx, "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
    }
    for (s = 0; s < ns; s++) {
        char fn[64], p[512], *hdr = (char *)malloc(1 << 20);
        size_t hl = 0;
        long long at = 0;
        unsigned long long n8;
        FILE *f;
        int k;
        shard_name(fn, sizeof fn, s, nshards);
        hl += (size_t)sprintf(hdr + hl, "{\"__metadata__\": {\"format\": \"pt\"}");
        for (i = 0; i < m->n; i++) {
            tt *t = &m->t[i];
            if (t->shard != s) continue;
            t->at = at;
            hl += (size_t)sprintf(hdr + hl, ", \"%s\": {\"dtype\": \"%s\", \"shape\": [", t->name, t->dtype);
            for (k = 0; k < t->ndim; k++) hl += (size_t)sprintf(hdr + hl, k ? ", %lld" : "%lld", t->shape[k]);
            hl += (size_t)sprintf(hdr + hl, "], \"data_offsets\": [%lld, %lld]}", t->has_off ? t->off[0] : at,
                                  t->has_off ? t->off[1] : at + (long long)t->n);
            at += (long long)t->n;
            if (idx && !t->not_in_index) {
                char in[64];
                shard_name(in, sizeof in, t->index_shard >= 0 ? t->index_shard : s, nshards);
                fprintf(idx, "%s\"%s\": \"%s\"", first ? "" : ", ", t->name, in);
                first = 0;
            }
        }
        hl += (size_t)sprintf(hdr + hl, "}");
        while (hl % 8) hdr[hl++] = ' ';
        snprintf(p, sizeof p, "%s/%s", dir, fn);
        f = fopen(p, "wb");
        n8 = hl;
        for (k = 0; k < 8; k++) fputc((int)((n8 >> (8 * k)) & 255), f);
        fwrite(hdr, 1, hl, f);
        for (i = 0; i < m->n; i++)
            if (m->t[i].shard == s) fwrite(m->t[i].data, 1, m->t[i].n, f);
        fclose(f);
        free(hdr);
    }
    if (idx) {
        fprintf(idx, "}}\n");
        fclose(idx);
    }
    return dir;
}

static void shard_path(char *buf, size_t cap, const char *dir, int s, int nshards) {
    char fn[64];
    shard_name(fn, sizeof fn, s, nshards);
    snprintf(buf, cap, "%s/%s", dir, fn);
}

static void patch(const char *path, long off, const void *bytes, size_t n) {
    FILE *f = fopen(path, "r+b");
    if (!f) return;
    fseek(f, off, SEEK_SET);
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Byte offset in its shard file of tensor t's data (after writing). */
static long data_pos(const char *path, const tt *t) {
    FILE *f = fopen(path, "rb");
    unsigned char b[8];
    unsigned long long h = 0;
    int k;
    if (!f) return -1;
    if (fread(b, 1, 8, f) != 8) b[0] = 0;
    fclose(f);
    for (k = 7; k >= 0; k--) h = (h << 8) | b[k];
    return (long)(8 + h + (unsigned long long)t->at);
}

/* Opens `dir`, which must fail with `code` and a message containing a and b. */
#define EXPECT_FAIL(dir, code, a, b)                                                                              \
    do {                                                                                                          \
        minimax_checkpoint *ck_ = (minimax_checkpoint *)&ck_;                                                     \
        minimax_result r_ = minimax_checkpoint_open(dir, &ck_);                                                   \
        const char *msg_ = minimax_last_error();                                                                  \
        CHECK(r_ == (code), "got %s, expected %s: %s", minimax_result_name(r_), minimax_result_name(code), msg_); \
        CHECK(ck_ == NULL, "out not NULL on failure");                                                            \
        CHECK(strstr(msg_, a) != NULL, "message lacks \"%s\": %s", a, msg_);                                      \
        CHECK(strstr(msg_, b) != NULL, "message lacks \"%s\": %s", b, msg_);                                      \
        printf("    (%s: %s)\n", minimax_result_name(r_), msg_);                                                  \
        if (r_ == MINIMAX_OK) minimax_checkpoint_close(ck_);                                                      \
    } while (0)

#define SHARD1 "model-00001-of-00002.safetensors"
#define SHARD2 "model-00002-of-00002.safetensors"

/* ---- valid checkpoints --------------------------------------------------- */

static void test_valid_loads(void) {
    const char *dir;
    minimax_checkpoint *ck = NULL;
    const minimax_config *c;
    const minimax_checkpoint_stats *st;
    const minimax__weights *w;
    const minimax__tensor *t;
    minimax_result r;
    tt *x;
    float f;
    int e, i;
    char dbuf[300];
    tm_build(&g_m, 11);
    snprintf(dbuf, sizeof dbuf, "%s", tm_write(&g_m, 2, NULL, NULL)); /* tm_write's buffer is reused below */
    dir = dbuf;
    /* stray files repeating tensor names with other values, and garbage */
    {
        tmodel *stray = (tmodel *)calloc(1, sizeof *stray);
        char p[512], q[512];
        tm_build(stray, 99);
        tm_write(stray, 0, NULL, NULL);
        snprintf(p, sizeof p, "%s/ck%d/model.safetensors", g_root, g_dirs - 1);
        snprintf(q, sizeof q, "%s/amax_checkpoint.safetensors", dir);
        CHECK(rename(p, q) == 0, "rename");
        write_text(dir, "junk.safetensors", "not a safetensors file");
        while (stray->n) tm_remove(stray, stray->t[stray->n - 1].name);
        free(stray);
    }
    r = minimax_checkpoint_open(dir, &ck);
    REQUIRE(r == MINIMAX_OK && ck, "open: %s %s", minimax_result_name(r), minimax_last_error());
    c = minimax_checkpoint_config(ck);
    CHECK(c->hidden_size == TH && c->num_layers == TL && c->num_heads == TNH && c->num_kv_heads == TNKV && c->head_dim == TD,
          "config sizes");
    CHECK(c->rotary_dim == 8 && c->intermediate_size == TI && c->num_experts == TE && c->top_k == 2 && c->vocab_size == TV,
          "config sizes 2");
    CHECK(c->rope_theta == 5e6f && c->rms_norm_eps == 1e-6f && c->routed_scaling_factor == 1.0f, "config floats");
    CHECK(c->bos_token_id == 1 && c->eos_token_id == 2 && c->max_position_embeddings == 512, "config ids");

    st = minimax_checkpoint_get_stats(ck);
    CHECK(st->num_shards == 2, "%d shards", st->num_shards);
    CHECK(st->tensors[MINIMAX_KIND_ATTENTION] == 4 * TL, "attention %lld", (long long)st->tensors[MINIMAX_KIND_ATTENTION]);
    CHECK(st->tensors[MINIMAX_KIND_EXPERT_FP4] == 3 * TE * TL, "fp4 %lld", (long long)st->tensors[MINIMAX_KIND_EXPERT_FP4]);
    CHECK(st->tensors[MINIMAX_KIND_EXPERT_SCALES] == 9 * TE * TL, "scales");
    CHECK(st->tensors[MINIMAX_KIND_NORM] == 4 * TL + 1, "norms %lld", (long long)st->tensors[MINIMAX_KIND_NORM]);
    CHECK(st->tensors[MINIMAX_KIND_ROUTER] == 2 * TL && st->tensors[MINIMAX_KIND_EMBEDDING] == 1 &&
              st->tensors[MINIMAX_KIND_LM_HEAD] == 1, "router/embed/head");
    CHECK(st->tensors[MINIMAX_KIND_OTHER] == 2, "MTP tensors counted as other: %lld", (long long)st->tensors[MINIMAX_KIND_OTHER]);
    CHECK(st->total_tensors == g_m.n, "total %lld vs %d", (long long)st->total_tensors, g_m.n);
    CHECK(st->bytes[MINIMAX_KIND_EXPERT_FP4] == (uint64_t)(TL * TE * 3 * TI * TH / 2), "fp4 bytes");
    CHECK(st->bytes[MINIMAX_KIND_ATTENTION] == (uint64_t)(TL * 2 * (TNH * TD * TH * 2 + 2 * TNKV * TD * TH)), "attention bytes");
    CHECK(st->missing_input_scales == 0 && st->expert_layout == MINIMAX_EXPERTS_PER_EXPERT, "input scales / layout");

    /* The view points at the bytes that were written. */
    w = minimax__checkpoint_weights(ck);
    x = tm_find(&g_m, "model.layers.1.self_attn.q_proj.weight");
    CHECK(w->layers[1].q_proj->data != x->data && memcmp(w->layers[1].q_proj->data, x->data, x->n) == 0, "q_proj bytes");
    {
        uint16_t h;
        memcpy(&h, x->data + 2 * 77, 2);
        CHECK(minimax__tensor_f32(w->layers[1].q_proj, 77) == minimax__bf16_to_f32(h), "q_proj element 77");
    }
    CHECK(strstr(w->layers[1].q_proj->file, "model-0000") != NULL, "file recorded");
    x = tm_find(&g_m, "model.layers.0.block_sparse_moe.e_score_correction_bias");
    memcpy(&f, x->data + 4 * 3, 4);
    CHECK(w->layers[0].router_bias->dtype == MINIMAX__DT_F32 && minimax__tensor_f32(w->layers[0].router_bias, 3) == f, "bias");
    CHECK(memcmp(w->embed->data, tm_find(&g_m, "model.embed_tokens.weight")->data, (size_t)TV * TH * 2) == 0, "embed");
    CHECK(memcmp(w->lm_head->data, tm_find(&g_m, "lm_head.weight")->data, (size_t)TV * TH * 2) == 0, "lm_head");
    for (e = 0; e < TE; e++) {
        static const char *const which[3] = {"w1", "w2", "w3"};
        for (i = 0; i < 3; i++) {
            char p[200];
            const minimax__fp4_matrix *m = i == 0 ? &w->layers[1].w1[e] : i == 1 ? &w->layers[1].w2[e] : &w->layers[1].w3[e];
            float ws2, is;
            snprintf(p, sizeof p, "model.layers.1.block_sparse_moe.experts.%d.%s.weight", e, which[i]);
            x = tm_find(&g_m, p);
            CHECK(memcmp(m->packed, x->data, x->n) == 0, "%s packed", p);
            CHECK(m->rows == (i == 1 ? TH : TI) && m->cols == (i == 1 ? TI : TH), "%s shape", p);
            snprintf(p, sizeof p, "model.layers.1.block_sparse_moe.experts.%d.%s.weight_scale", e, which[i]);
            x = tm_find(&g_m, p);
            CHECK(memcmp(m->scales, x->data, x->n) == 0, "%s", p);
            snprintf(p, sizeof p, "model.layers.1.block_sparse_moe.experts.%d.%s.weight_scale_2", e, which[i]);
            memcpy(&ws2, tm_find(&g_m, p)->data, 4);
            snprintf(p, sizeof p, "model.layers.1.block_sparse_moe.experts.%d.%s.input_scale", e, which[i]);
            memcpy(&is, tm_find(&g_m, p)->data, 4);
            CHECK(m->weight_scale_2 == ws2 && m->input_scale == is && ws2 > 0, "expert %d %s scalars", e, which[i]);
        }
    }
    t = minimax__checkpoint_find(ck, "model.layers.2.self_attn.q_proj.weight");
    CHECK(t && t->shape[0] == 3, "MTP tensor is listed but unused");
    CHECK(minimax__checkpoint_find(ck, "no.such.tensor") == NULL, "find of a missing name");
    minimax_checkpoint_close(ck);
}

static void test_single_file_and_rope_parameters(void) {
    /* no index, one model.safetensors; transformers>=5 style rope fields;
       no hf_quant_config.json (config.json's quantization_config suffices);
       router in BF16; bos/eos and head_dim defaulted */
    static const char *cfg =
        "{\"architectures\": [\"MiniMaxM2ForCausalLM\"], \"hidden_size\": 64, \"num_hidden_layers\": 2,\n"
        " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"intermediate_size\": 32, \"num_local_experts\": 4,\n"
        " \"num_experts_per_tok\": 2, \"vocab_size\": 200100, \"max_position_embeddings\": 512, \"rms_norm_eps\": 1e-06,\n"
        " \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 10000.0, \"partial_rotary_factor\": 0.5},\n"
        " \"quantization_config\": {\"quant_method\": \"modelopt\", \"quant_algo\": \"NVFP4\",\n"
        "   \"config_groups\": {\"group_0\": {\"weights\": {\"group_size\": 16}}}}}";
    minimax_checkpoint *ck = NULL;
    minimax_result r;
    const minimax_config *c;
    tt *b;
    tm_build(&g_m, 12);
    /* vocab 200100 so that the default bos/eos ids fit: a larger embedding */
    tm_remove(&g_m, "model.embed_tokens.weight");
    tm_remove(&g_m, "lm_head.weight");
    tm_add(&g_m, "model.embed_tokens.weight", "BF16", 2, 200100, TH, 0);
    tm_add(&g_m, "lm_head.weight", "BF16", 2, 200100, TH, 0);
    tm_remove(&g_m, "model.layers.0.block_sparse_moe.e_score_correction_bias");
    b = tm_add(&g_m, "model.layers.0.block_sparse_moe.e_score_correction_bias", "BF16", 1, TE, 0, 0);
    b->data[1] = 0x3f; /* element 0 = 0x3f00 = 0.5 */
    r = minimax_checkpoint_open(tm_write(&g_m, 0, cfg, ""), &ck);
    REQUIRE(r == MINIMAX_OK, "%s", minimax_last_error());
    c = minimax_checkpoint_config(ck);
    CHECK(c->rotary_dim == 8 && c->head_dim == 16 && c->rope_theta == 10000.0f, "rope %d %d %g", c->rotary_dim, c->head_dim,
          (double)c->rope_theta);
    CHECK(c->bos_token_id == 200034 && c->eos_token_id == 200020 && c->routed_scaling_factor == 1.0f, "defaults");
    CHECK(minimax_checkpoint_get_stats(ck)->num_shards == 1, "one shard");
    CHECK(minimax__tensor_f32(minimax__checkpoint_weights(ck)->layers[0].router_bias, 0) == 0.5f, "BF16 bias");
    minimax_checkpoint_close(ck);
}

static void test_missing_input_scale_tolerated(void) {
    minimax_checkpoint *ck = NULL;
    minimax_result r;
    tm_build(&g_m, 13);
    tm_remove(&g_m, "model.layers.0.block_sparse_moe.experts.2.w1.input_scale");
    tm_remove(&g_m, "model.layers.1.block_sparse_moe.experts.3.w2.input_scale");
    r = minimax_checkpoint_open(tm_write(&g_m, 2, NULL, NULL), &ck);
    REQUIRE(r == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(minimax_checkpoint_get_stats(ck)->missing_input_scales == 2, "count %lld",
          (long long)minimax_checkpoint_get_stats(ck)->missing_input_scales);
    CHECK(minimax__checkpoint_weights(ck)->layers[0].w1[2].input_scale == 0.0f, "0 when absent");
    CHECK(minimax__checkpoint_weights(ck)->layers[0].w1[1].input_scale > 0.0f, "present elsewhere");
    minimax_checkpoint_close(ck);
}

/* ---- malformed shards ---------------------------------------------------- */

static void test_truncated_shard(void) {
    char p[512];
    const char *dir;
    tt *last;
    tm_build(&g_m, 21);
    dir = tm_write(&g_m, 2, NULL, NULL);
    last = &g_m.t[g_m.n - 1]; /* last tensor of shard 2 */
    shard_path(p, sizeof p, dir, 1, 2);
    CHECK(truncate(p, file_size(p) - 10) == 0, "truncate");
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD2, last->name);
    CHECK(truncate(p, 5) == 0, "truncate");
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD2, "truncated");
}

static void test_header_length_past_eof(void) {
    char p[512];
    const char *dir;
    unsigned char b[8];
    unsigned long long v;
    int k;
    tm_build(&g_m, 22);
    dir = tm_write(&g_m, 2, NULL, NULL);
    shard_path(p, sizeof p, dir, 0, 2);
    v = (unsigned long long)file_size(p);
    for (k = 0; k < 8; k++) b[k] = (unsigned char)(v >> (8 * k));
    patch(p, 0, b, 8);
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD1, "past the end");
    v = 1ull << 40; /* absurd */
    for (k = 0; k < 8; k++) b[k] = (unsigned char)(v >> (8 * k));
    patch(p, 0, b, 8);
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD1, "absurd");
}

static void test_bad_offsets(void) {
    tt *a, *b;
    const char *dir;
    /* overlap: expert 1's w1 scales claim expert 0's bytes (same size) */
    tm_build(&g_m, 23);
    a = tm_find(&g_m, "model.layers.0.block_sparse_moe.experts.0.w1.weight_scale");
    b = tm_find(&g_m, "model.layers.0.block_sparse_moe.experts.1.w1.weight_scale");
    dir = tm_write(&g_m, 2, NULL, NULL);
    b->has_off = 1;
    b->off[0] = a->at;
    b->off[1] = a->at + (long long)a->n;
    dir = tm_write(&g_m, 2, NULL, NULL);
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD1, "overlaps");
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, "experts.1.w1.weight_scale", "experts.0.w1.weight_scale");
    /* out of range: past the data section */
    b->off[0] = 1000000;
    b->off[1] = 1000000 + (long long)b->n;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, b->name, "past the end of the data section");
    /* begin > end */
    b->off[0] = 40;
    b->off[1] = 8;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, b->name, "begin after end");
    /* span does not match shape * dtype */
    b->off[0] = 0;
    b->off[1] = (long long)b->n - 1;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, b->name, "span");
}

static void test_bad_header_fields(void) {
    tt *t;
    tm_build(&g_m, 24);
    t = tm_find(&g_m, "model.layers.1.self_attn.v_proj.weight");
    snprintf(t->dtype, sizeof t->dtype, "F8_E5M2X");
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "unknown dtype");
    snprintf(t->dtype, sizeof t->dtype, "BF16");
    t->ndim = 5;
    t->shape[2] = t->shape[3] = t->shape[4] = 1;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "dimensions");
}

static void test_bad_header_json(void) {
    char p[512];
    const char *dir;
    tm_build(&g_m, 25);
    dir = tm_write(&g_m, 2, NULL, NULL);
    shard_path(p, sizeof p, dir, 1, 2);
    patch(p, 8, "!", 1);
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD2, "invalid JSON");
    patch(p, 8, "[", 1);
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD2, "invalid JSON");
    { /* valid JSON, not an object */
        FILE *f = fopen(p, "wb");
        fwrite("\x02\0\0\0\0\0\0\0[]", 1, 10, f);
        fclose(f);
        EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD2, "not a JSON object");
        f = fopen(p, "wb");
        fwrite("\x08\0\0\0\0\0\0\0{\"a\": 1}", 1, 16, f);
        fclose(f);
        EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, SHARD2, "tensor a: header entry is not an object");
    }
}

static void test_duplicate_and_index_mismatch(void) {
    tt *t, *u;
    /* the same name in both shards */
    tm_build(&g_m, 26);
    u = &g_m.t[0]; /* embed, in shard 1, renamed to model.norm.weight (in shard 2) */
    snprintf(u->name, sizeof u->name, "model.norm.weight");
    u->ndim = 1;
    u->shape[0] = TH;
    u->n = TH * 2;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, "model.norm.weight", "duplicate");
    /* the index names the wrong shard */
    tm_build(&g_m, 27);
    t = tm_find(&g_m, "model.layers.0.self_attn.o_proj.weight");
    t->index_shard = 1;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, SHARD2, t->name);
    /* in a shard but not in the index: not part of the checkpoint */
    t->index_shard = -1;
    t->not_in_index = 1;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "missing");
}

/* Random damage to a shard's header (byte flips) and length (truncation):
   every outcome must be a result code, never a crash or a sanitizer report;
   an error names the shard. (A flip can leave a valid checkpoint, e.g. in
   the header's padding: then it must open.) */
static void test_random_corruption(void) {
    char p[512];
    const char *dir;
    unsigned char *orig;
    long size, hlen;
    int it, ok = 0, failed = 0;
    test_rng r;
    FILE *f;
    r.s = 0x5eed;
    tm_build(&g_m, 28);
    dir = tm_write(&g_m, 2, NULL, NULL);
    shard_path(p, sizeof p, dir, 0, 2);
    size = file_size(p);
    orig = (unsigned char *)malloc((size_t)size);
    f = fopen(p, "rb");
    REQUIRE(f && fread(orig, 1, (size_t)size, f) == (size_t)size, "read shard");
    fclose(f);
    hlen = (long)(orig[0] | (orig[1] << 8) | (orig[2] << 16));
    for (it = 0; it < 300; it++) {
        unsigned char *b = (unsigned char *)malloc((size_t)size);
        long n = size, k;
        minimax_checkpoint *ck = NULL;
        minimax_result res;
        memcpy(b, orig, (size_t)size);
        if (it % 4 == 3) n = (long)(test_rng_u64(&r) % (unsigned long long)size); /* truncate */
        else
            for (k = 0; k < 1 + it % 3; k++) { /* flip bytes in the length or the header */
                long at = (long)(test_rng_u64(&r) % (unsigned long long)(8 + hlen));
                b[at] = (unsigned char)(it % 2 ? test_rng_u64(&r) : b[at] ^ (1u << (test_rng_u64(&r) % 8)));
            }
        f = fopen(p, "wb");
        fwrite(b, 1, (size_t)n, f);
        fclose(f);
        free(b);
        res = minimax_checkpoint_open(dir, &ck);
        if (res == MINIMAX_OK) {
            ok++;
            minimax_checkpoint_close(ck);
        } else {
            failed++;
            CHECK(ck == NULL && res < 0, "iteration %d", it);
            CHECK(strstr(minimax_last_error(), SHARD1) || strstr(minimax_last_error(), "model.safetensors.index.json"),
                  "iteration %d: %s", it, minimax_last_error());
        }
    }
    printf("    %d opened, %d rejected\n", ok, failed);
    CHECK(failed > 200, "most damage must be caught");
    free(orig);
}

/* ---- expected tensors ------------------------------------------------------ */

static void test_wrong_dtype_shape_missing(void) {
    tt *t;
    tm_build(&g_m, 31);
    t = tm_find(&g_m, "model.layers.1.self_attn.q_proj.weight");
    snprintf(t->dtype, sizeof t->dtype, "F16");
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "dtype F16, expected BF16");
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, SHARD2, t->name);
    snprintf(t->dtype, sizeof t->dtype, "BF16");
    t = tm_find(&g_m, "model.layers.0.self_attn.k_proj.weight");
    t->shape[0] = TH;
    t->shape[1] = TNKV * TD;
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "shape [64, 32], expected [32, 64]");
    t->shape[0] = TNKV * TD;
    t->shape[1] = TH;
    t = tm_find(&g_m, "model.layers.1.block_sparse_moe.experts.3.w2.weight");
    snprintf(t->dtype, sizeof t->dtype, "I8");
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "expected U8");
    snprintf(t->dtype, sizeof t->dtype, "U8");
    t = tm_find(&g_m, "model.layers.1.block_sparse_moe.experts.3.w2.weight_scale_2");
    t->ndim = 1;
    t->shape[0] = 1; /* [1] is accepted */
    {
        minimax_checkpoint *ck = NULL;
        CHECK(minimax_checkpoint_open(tm_write(&g_m, 2, NULL, NULL), &ck) == MINIMAX_OK, "[1] scalar: %s", minimax_last_error());
        minimax_checkpoint_close(ck);
    }
    tm_remove(&g_m, "model.layers.1.block_sparse_moe.experts.3.w2.weight_scale_2");
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, "model.layers.1.block_sparse_moe.experts.3.w2.weight_scale_2",
                "missing");
}

static void test_scale_values(void) {
    char p[512];
    const char *dir;
    tt *t;
    float bad;
    unsigned char nan = 0xFF;
    tm_build(&g_m, 32);
    t = tm_find(&g_m, "model.layers.1.block_sparse_moe.experts.2.w3.weight_scale");
    dir = tm_write(&g_m, 2, NULL, NULL);
    shard_path(p, sizeof p, dir, t->shard, 2);
    patch(p, data_pos(p, t) + 5 * (TH / 16) + 3, &nan, 1);
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, t->name, "[5, 3] is NaN");
    t = tm_find(&g_m, "model.layers.0.block_sparse_moe.experts.1.w1.weight_scale_2");
    bad = 0.0f;
    memcpy(t->data, &bad, 4);
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "finite and > 0");
    bad = NAN;
    memcpy(t->data, &bad, 4);
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_FORMAT, t->name, "finite and > 0");
}

static void test_fused_experts_rejected(void) {
    tm_build(&g_m, 33);
    tm_add(&g_m, "model.layers.0.mlp.experts.gate_up_proj", "U8", 3, TE, 2 * TI, TH / 2);
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_UNSUPPORTED, "model.layers.0.mlp.experts.gate_up_proj", "w1/w2/w3");
    tm_build(&g_m, 34);
    tm_add(&g_m, "model.layers.1.mlp.experts.7.down_proj.weight", "U8", 2, TH, TI / 2, 0);
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, NULL), MINIMAX_ERR_UNSUPPORTED, "experts.7.down_proj.weight", "not supported");
}

static void test_missing_shard_file(void) {
    char p[512];
    const char *dir;
    tm_build(&g_m, 35);
    dir = tm_write(&g_m, 2, NULL, NULL);
    shard_path(p, sizeof p, dir, 1, 2);
    CHECK(unlink(p) == 0, "unlink");
    EXPECT_FAIL(dir, MINIMAX_ERR_IO, SHARD2, "model.layers.");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
    CHECK(unlink(p) == 0, "unlink");
    EXPECT_FAIL(dir, MINIMAX_ERR_IO, dir, "model.safetensors");
    EXPECT_FAIL("/nonexistent/dir", MINIMAX_ERR_IO, "/nonexistent/dir/config.json", "not found");
}

/* ---- config, quantisation, index JSON -------------------------------------- */

static char *replace(const char *s, const char *from, const char *to) {
    static char buf[8192];
    const char *p = strstr(s, from);
    if (!p) {
        snprintf(buf, sizeof buf, "%s", s);
        return buf;
    }
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    return buf;
}

static void test_bad_json_files(void) {
    char p[512];
    const char *dir;
    tm_build(&g_m, 41);
    EXPECT_FAIL(tm_write(&g_m, 2, "{\"hidden_size\": 64,,}", NULL), MINIMAX_ERR_FORMAT, "config.json", "invalid JSON at line 1");
    dir = tm_write(&g_m, 2, NULL, NULL);
    write_text(dir, "model.safetensors.index.json", "{\"weight_map\": {\"a\": \"b\"");
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, "model.safetensors.index.json", "invalid JSON");
    write_text(dir, "model.safetensors.index.json", "{\"weight_map\": {\"a\": \"../x.safetensors\"}}");
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, "model.safetensors.index.json", "plain file name");
    write_text(dir, "hf_quant_config.json", "{\"quantization\": ");
    EXPECT_FAIL(dir, MINIMAX_ERR_FORMAT, "hf_quant_config.json", "invalid JSON");
    snprintf(p, sizeof p, "%s", dir);
}

static void test_quantisation(void) {
    tm_build(&g_m, 42);
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, replace(HFQ_JSON, "\"NVFP4\"", "\"FP8\"")), MINIMAX_ERR_UNSUPPORTED, "hf_quant_config.json",
                "\"FP8\"");
    EXPECT_FAIL(tm_write(&g_m, 2, NULL, replace(HFQ_JSON, "\"group_size\": 16", "\"group_size\": 32")), MINIMAX_ERR_UNSUPPORTED,
                "hf_quant_config.json", "group_size is 32");
    EXPECT_FAIL(tm_write(&g_m, 2, replace(CONFIG_JSON, "\"group_size\": 16}, \"targets\"", "\"group_size\": 32}, \"targets\""), ""),
                MINIMAX_ERR_UNSUPPORTED, "config.json", "config_groups.group_0.weights.group_size is 32");
    EXPECT_FAIL(tm_write(&g_m, 2, replace(CONFIG_JSON, "\"quant_method\": \"modelopt\"", "\"quant_method\": \"fp8\""), NULL),
                MINIMAX_ERR_UNSUPPORTED, "config.json", "quant_method is \"fp8\"");
    EXPECT_FAIL(tm_write(&g_m, 2, replace(CONFIG_JSON, "\"quantization_config\"", "\"no_quantization_config\""), ""),
                MINIMAX_ERR_UNSUPPORTED, "hf_quant_config.json", "ModelOpt NVFP4");
    { /* hf_quant_config.json alone is enough */
        minimax_checkpoint *ck = NULL;
        CHECK(minimax_checkpoint_open(tm_write(&g_m, 2, replace(CONFIG_JSON, "\"quantization_config\"", "\"x\""), NULL), &ck) ==
                  MINIMAX_OK,
              "%s", minimax_last_error());
        minimax_checkpoint_close(ck);
    }
}

static void test_config_values(void) {
    static const char *const cases[][3] = {
        /* from, to, expected text in the message */
        {"[\"MiniMaxM2ForCausalLM\"], \"model_type\": \"minimax_m2\"", "[\"LlamaForCausalLM\"], \"model_type\": \"llama\"",
         "MiniMaxM2ForCausalLM"},
        {"\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 5", "num_experts_per_tok 5 > num_local_experts 4"},
        {"\"rotary_dim\": 8", "\"rotary_dim\": 7", "rotary_dim 7"},
        {"\"rotary_dim\": 8", "\"rotary_dim\": 18", "rotary_dim 18"},
        {"\"rotary_dim\": 8", "\"rotary\": 8", "rotary_dim"},
        {"\"hidden_size\": 64", "\"hidden_size\": 0", "hidden_size = 0"},
        {"\"hidden_size\": 64", "\"hidden_size\": 64.5", "hidden_size = 64.5 is not an integer"},
        {"\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3", "not a multiple"},
        {"\"intermediate_size\": 32", "\"intermediate_size\": 24", "multiples of 16"},
        {"\"rope_theta\": 5000000", "\"rope_theta\": -1", "rope_theta"},
        {"\"rope_theta\": 5000000", "\"rope\": 1", "rope_theta is missing"},
        {"\"vocab_size\": 96", "\"vocab_size\": -96", "vocab_size = -96"},
        {"\"scoring_func\": \"sigmoid\"", "\"scoring_func\": \"softmax\"", "softmax"},
    };
    size_t i;
    minimax_checkpoint *ck = NULL;
    tm_build(&g_m, 43);
    /* eos_token_id as a list: its first entry */
    CHECK(minimax_checkpoint_open(tm_write(&g_m, 2, replace(CONFIG_JSON, "\"eos_token_id\": 2", "\"eos_token_id\": [2, 3]"), NULL),
                                  &ck) == MINIMAX_OK,
          "%s", minimax_last_error());
    CHECK(ck && minimax_checkpoint_config(ck)->eos_token_id == 2, "eos list");
    minimax_checkpoint_close(ck);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *cfg = replace(CONFIG_JSON, cases[i][0], cases[i][1]);
        CHECK(strstr(cfg, cases[i][1]) != NULL, "case %zu did not apply", i);
        EXPECT_FAIL(tm_write(&g_m, 2, cfg, NULL), i == 0 || i == 12 ? MINIMAX_ERR_UNSUPPORTED : MINIMAX_ERR_FORMAT, "config.json",
                    cases[i][2]);
    }
}

/* ---- memory estimate ------------------------------------------------------ */

static minimax_config real_config(void) {
    minimax_config c;
    memset(&c, 0, sizeof c);
    c.hidden_size = 3072;
    c.num_layers = 62;
    c.num_heads = 48;
    c.num_kv_heads = 8;
    c.head_dim = 128;
    c.rotary_dim = 64;
    c.intermediate_size = 1536;
    c.num_experts = 256;
    c.top_k = 8;
    c.vocab_size = 200064;
    c.max_position_embeddings = 196608;
    return c;
}

static void test_memory_estimate_real(void) {
    minimax_config c = real_config();
    minimax_memory_usage u, u2;
    minimax_memory_desc d;
    /* Hand numbers (MODEL.md 1.3 gives the per-layer and per-matrix sizes):
       attention  (6144*3072 + 2*1024*3072 + 3072*6144) * 2 = 88,080,384 B/layer, * 62 = 5,460,983,808
       experts    one matrix 2,359,296 packed + 294,912 scales + 8 = 2,654,216 B, * 3 * 256 * 62 = 126,383,149,056
       embedding  200064 * 3072 * 2 = 1,229,193,216, lm_head the same
       router     (256*3072*2 + 256*4) * 62 = 1,573,888 * 62 = 97,581,056
       norms      ((3072 + 3072 + 6144 + 1024) * 62 + 3072) * 2 = 1,656,832
       weights    134,401,757,184 (MODEL.md: "134.4 GB")
       KV         253,952 B/token (MODEL.md), 4096 tokens = 1,040,187,392
       workspace  4 * (12288 + 8192 + 6144 + 256 + 16 + 24576 + 200064) = 4 * 251,536 = 1,006,144 */
    REQUIRE(minimax_memory_estimate(&c, NULL, &u) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(u.weights_attention == 5460983808ull, "%llu", (unsigned long long)u.weights_attention);
    CHECK(u.weights_experts == 126383149056ull, "%llu", (unsigned long long)u.weights_experts);
    CHECK(u.weights_embedding == 1229193216ull && u.weights_lm_head == 1229193216ull, "embed/head");
    CHECK(u.weights_router == 97581056ull && u.weights_norms == 1656832ull, "router/norms");
    CHECK(u.weights == 134401757184ull, "%llu", (unsigned long long)u.weights);
    CHECK(u.kv_bytes_per_token == 253952ull && u.kv_tokens == 4096 && u.kv_cache == 1040187392ull, "kv");
    CHECK(u.workspace == 1006144ull, "%llu", (unsigned long long)u.workspace);
    CHECK(u.total == 134401757184ull + 1040187392ull + 1006144ull, "total");
    CHECK(u.desc.tp == 1 && u.desc.max_ctx == 4096 && u.desc.batch == 1 && u.desc.kv_block_tokens == 16, "defaults applied");

    /* tp = 2 halves attention, experts, KV; embedding rows split; router and norms replicated */
    memset(&d, 0, sizeof d);
    d.tp = 2;
    REQUIRE(minimax_memory_estimate(&c, &d, &u2) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(u2.weights_attention == 2730491904ull && u2.weights_experts == 63191764992ull, "tp2 halves");
    CHECK(u2.weights_embedding == 614596608ull && u2.weights_router == u.weights_router && u2.weights_norms == u.weights_norms,
          "tp2 split/replicated");
    CHECK(u2.kv_bytes_per_token == 126976ull, "tp2 kv");

    /* batch 3, 100 tokens each, blocks of 16: 7 blocks = 112 tokens per session */
    d.tp = 1;
    d.batch = 3;
    d.max_ctx = 100;
    d.kv_block_tokens = 16;
    REQUIRE(minimax_memory_estimate(&c, &d, &u2) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(u2.kv_tokens == 336 && u2.kv_cache == 336ull * 253952ull && u2.workspace == 3 * 1006144ull, "batch");

    d.batch = 0;
    d.max_ctx = 0;
    d.tp = 8; /* 1536/8 = 192 = 12 blocks of 16: fine */
    CHECK(minimax_memory_estimate(&c, &d, &u2) == MINIMAX_OK, "tp 8: %s", minimax_last_error());
    d.tp = 3;
    CHECK(minimax_memory_estimate(&c, &d, &u2) == MINIMAX_ERR_INVALID_ARGUMENT, "tp 3");
    CHECK(strstr(minimax_last_error(), "tp 3") != NULL, "%s", minimax_last_error());
    d.tp = 16;
    CHECK(minimax_memory_estimate(&c, &d, &u2) == MINIMAX_ERR_INVALID_ARGUMENT, "tp 16 > 8 KV heads");
    d.tp = -1;
    CHECK(minimax_memory_estimate(&c, &d, &u2) == MINIMAX_ERR_INVALID_ARGUMENT, "negative tp");
    d.tp = 1;
    d.max_ctx = -5;
    CHECK(minimax_memory_estimate(&c, &d, &u2) == MINIMAX_ERR_INVALID_ARGUMENT, "negative ctx");
    CHECK(minimax_memory_estimate(NULL, &d, &u2) == MINIMAX_ERR_INVALID_ARGUMENT, "NULL config");
    c.intermediate_size = 0;
    CHECK(minimax_memory_estimate(&c, NULL, &u2) == MINIMAX_ERR_INVALID_ARGUMENT, "zero width");
}

/* The estimate at tp = 1 must equal the bytes actually in a checkpoint. */
static void test_memory_estimate_matches_checkpoint(void) {
    minimax_checkpoint *ck = NULL;
    minimax_memory_usage u;
    const minimax_checkpoint_stats *st;
    tm_build(&g_m, 51);
    REQUIRE(minimax_checkpoint_open(tm_write(&g_m, 2, NULL, NULL), &ck) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax_memory_estimate(minimax_checkpoint_config(ck), NULL, &u) == MINIMAX_OK, "%s", minimax_last_error());
    st = minimax_checkpoint_get_stats(ck);
    CHECK(u.weights_attention == st->bytes[MINIMAX_KIND_ATTENTION], "attention");
    CHECK(u.weights_experts == st->bytes[MINIMAX_KIND_EXPERT_FP4] + st->bytes[MINIMAX_KIND_EXPERT_SCALES], "experts %llu",
          (unsigned long long)u.weights_experts);
    CHECK(u.weights_embedding == st->bytes[MINIMAX_KIND_EMBEDDING] && u.weights_lm_head == st->bytes[MINIMAX_KIND_LM_HEAD], "embed");
    CHECK(u.weights_router == st->bytes[MINIMAX_KIND_ROUTER] && u.weights_norms == st->bytes[MINIMAX_KIND_NORM], "router/norms");
    minimax_checkpoint_close(ck);
}

static void cleanup(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_root);
    if (system(cmd) != 0) printf("    could not remove %s\n", g_root);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_root, sizeof g_root, "%s/minimax_ck_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(g_root)) {
        printf("cannot create a temporary directory\n");
        return 1;
    }
    RUN(test_valid_loads);
    RUN(test_single_file_and_rope_parameters);
    RUN(test_missing_input_scale_tolerated);
    RUN(test_truncated_shard);
    RUN(test_header_length_past_eof);
    RUN(test_bad_offsets);
    RUN(test_bad_header_fields);
    RUN(test_bad_header_json);
    RUN(test_duplicate_and_index_mismatch);
    RUN(test_random_corruption);
    RUN(test_wrong_dtype_shape_missing);
    RUN(test_scale_values);
    RUN(test_fused_experts_rejected);
    RUN(test_missing_shard_file);
    RUN(test_bad_json_files);
    RUN(test_quantisation);
    RUN(test_config_values);
    RUN(test_memory_estimate_real);
    RUN(test_memory_estimate_matches_checkpoint);
    while (g_m.n) tm_remove(&g_m, g_m.t[g_m.n - 1].name);
    if (getenv("MINIMAX_TEST_KEEP")) printf("    kept %s\n", g_root); /* to look at the checkpoints */
    else cleanup();
    return test_summary();
}
