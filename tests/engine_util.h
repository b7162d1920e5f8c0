/* Helpers of the engine tests: a random in-memory model (minimax__weights
   with owned buffers, experts quantised with ModelOpt's NVFP4 math) and a
   plain CPU forward pass in double precision that follows MODEL.md section 2
   line by line (the oracle of the whole-model GPU tests; independent of the
   GPU code: no shared kernels, no paging, no fp32 shortcuts). */
#ifndef MINIMAX_ENGINE_UTIL_H
#define MINIMAX_ENGINE_UTIL_H

/* Bound on the logits of the same tokens through different batchings or
   pass shapes (a prefill against steps, sessions stepped together against
   alone, the fast kernels against the general ones), relative to the largest
   logit. The fp32 kernels differ there only in the order of their sums
   (~1e-7), but the fast expert kernels round their inputs to f16 per
   16-element block (kernels.cu "PACKED f16 ARITHMETIC"), so such a difference
   can move an activation by one f16 step (2^-11 of its block's largest),
   and the f16 products round differently from the general kernels' fp32
   ones: measured up to 9e-4 on the test models. */
#define EU_H2_TOL 3e-3
#include "test.h"

/* A small config with every feature of the real one (GQA, partial RoPE,
   top-k routing with bias, padding rows in the vocabulary). */
static minimax_config eu_tiny_config(void) {
    minimax_config c;
    memset(&c, 0, sizeof c);
    c.hidden_size = 128;
    c.num_layers = 2;
    c.num_heads = 4;
    c.num_kv_heads = 2;
    c.head_dim = 32;
    c.rotary_dim = 16;
    c.intermediate_size = 64;
    c.num_experts = 16;
    c.top_k = 4;
    c.vocab_size = 512;
    c.max_position_embeddings = 4096;
    c.bos_token_id = 1;
    c.eos_token_id = 2;
    c.rope_theta = 10000.0f;
    c.rms_norm_eps = 1e-6f;
    c.routed_scaling_factor = 1.0f;
    return c;
}

typedef struct eu_model {
    minimax_config cfg;
    minimax__weights w;
    minimax__layer_weights *layers;
    minimax__tensor *tensors; /* all tensors, owned */
    int n_tensors;
    minimax__fp4_matrix *mats; /* [L][3][E] */
    void **blobs;
    int n_blobs;
} eu_model;

static void *eu_blob(eu_model *m, size_t n) {
    void *p = calloc(1, n ? n : 1);
    m->blobs[m->n_blobs++] = p;
    return p;
}

static const minimax__tensor *eu_bf16(eu_model *m, test_rng *r, const char *name, int64_t rows, int64_t cols, float mean,
                                      float sd) {
    minimax__tensor *t = &m->tensors[m->n_tensors++];
    int64_t i, n = rows * (cols ? cols : 1);
    uint16_t *d = (uint16_t *)eu_blob(m, (size_t)n * 2);
    for (i = 0; i < n; i++) d[i] = minimax__f32_to_bf16(mean + sd * test_rng_normal(r));
    t->name = name;
    t->file = "memory";
    t->dtype = MINIMAX__DT_BF16;
    t->ndim = cols ? 2 : 1;
    t->shape[0] = rows;
    t->shape[1] = cols;
    t->data = (const uint8_t *)d;
    t->nbytes = (uint64_t)n * 2;
    return t;
}

static const minimax__tensor *eu_f32(eu_model *m, test_rng *r, const char *name, int64_t n, float sd) {
    minimax__tensor *t = &m->tensors[m->n_tensors++];
    float *d = (float *)eu_blob(m, (size_t)n * 4);
    int64_t i;
    for (i = 0; i < n; i++) d[i] = sd * test_rng_normal(r);
    t->name = name;
    t->file = "memory";
    t->dtype = MINIMAX__DT_F32;
    t->ndim = 1;
    t->shape[0] = n;
    t->data = (const uint8_t *)d;
    t->nbytes = (uint64_t)n * 4;
    return t;
}

static void eu_fp4(eu_model *m, test_rng *r, minimax__fp4_matrix *q, int64_t rows, int64_t cols, float sd) {
    float *w = (float *)malloc((size_t)(rows * cols) * 4);
    int64_t i;
    for (i = 0; i < rows * cols; i++) w[i] = sd * test_rng_normal(r);
    q->rows = rows;
    q->cols = cols;
    q->packed = (const uint8_t *)eu_blob(m, (size_t)(rows * cols / 2));
    q->scales = (const uint8_t *)eu_blob(m, (size_t)(rows * cols / 16));
    minimax__nvfp4_quantize(w, rows, cols, (uint8_t *)q->packed, (uint8_t *)q->scales, &q->weight_scale_2);
    free(w);
}

static eu_model *eu_random_model(const minimax_config *c, unsigned long long seed) {
    eu_model *m = (eu_model *)calloc(1, sizeof *m);
    test_rng r;
    int L, e, H = c->hidden_size, I = c->intermediate_size, E = c->num_experts;
    int qd = c->num_heads * c->head_dim, kd = c->num_kv_heads * c->head_dim;
    r.s = seed * 2654435761ull + 12345;
    m->cfg = *c;
    m->tensors = (minimax__tensor *)calloc((size_t)(c->num_layers * 10 + 3), sizeof *m->tensors);
    m->blobs = (void **)calloc((size_t)(c->num_layers * (10 + 6 * E) + 8), sizeof(void *));
    m->layers = (minimax__layer_weights *)calloc((size_t)c->num_layers, sizeof *m->layers);
    m->mats = (minimax__fp4_matrix *)calloc((size_t)(c->num_layers * 3 * E), sizeof *m->mats);
    m->w.embed = eu_bf16(m, &r, "embed", c->vocab_size, H, 0.0f, 1.0f);
    m->w.lm_head = eu_bf16(m, &r, "lm_head", c->vocab_size, H, 0.0f, 1.0f / sqrtf((float)H));
    m->w.final_norm = eu_bf16(m, &r, "final_norm", H, 0, 1.0f, 0.1f);
    m->w.layers = m->layers;
    for (L = 0; L < c->num_layers; L++) {
        minimax__layer_weights *l = &m->layers[L];
        l->input_norm = eu_bf16(m, &r, "input_norm", H, 0, 1.0f, 0.1f);
        l->post_attn_norm = eu_bf16(m, &r, "post_attn_norm", H, 0, 1.0f, 0.1f);
        l->q_proj = eu_bf16(m, &r, "q_proj", qd, H, 0.0f, 1.0f / sqrtf((float)H));
        l->k_proj = eu_bf16(m, &r, "k_proj", kd, H, 0.0f, 1.0f / sqrtf((float)H));
        l->v_proj = eu_bf16(m, &r, "v_proj", kd, H, 0.0f, 1.0f / sqrtf((float)H));
        l->o_proj = eu_bf16(m, &r, "o_proj", H, qd, 0.0f, 1.0f / sqrtf((float)qd));
        l->q_norm = eu_bf16(m, &r, "q_norm", qd, 0, 1.0f, 0.1f);
        l->k_norm = eu_bf16(m, &r, "k_norm", kd, 0, 1.0f, 0.1f);
        l->router = eu_bf16(m, &r, "router", E, H, 0.0f, 1.0f / sqrtf((float)H));
        l->router_bias = eu_f32(m, &r, "router_bias", E, 0.1f);
        l->w1 = m->mats + (L * 3 + 0) * E;
        l->w3 = m->mats + (L * 3 + 1) * E;
        l->w2 = m->mats + (L * 3 + 2) * E;
        for (e = 0; e < E; e++) {
            eu_fp4(m, &r, &l->w1[e], I, H, 1.0f / sqrtf((float)H));
            eu_fp4(m, &r, &l->w3[e], I, H, 1.3f / sqrtf((float)H)); /* w3's weight_scale_2 differs from w1's */
            eu_fp4(m, &r, &l->w2[e], H, I, 1.0f / sqrtf((float)I));
        }
    }
    return m;
}

static void eu_free_model(eu_model *m) {
    int i;
    if (!m) return;
    for (i = 0; i < m->n_blobs; i++) free(m->blobs[i]);
    free(m->blobs);
    free(m->tensors);
    free(m->layers);
    free(m->mats);
    free(m);
}

/* ---- CPU reference (double) ------------------------------------------------ */

static void eu_rmsnorm(const double *x, const minimax__tensor *w, double *out, int n, double eps) {
    double ss = 0.0;
    int i;
    for (i = 0; i < n; i++) ss += x[i] * x[i];
    ss = 1.0 / sqrt(ss / n + eps);
    for (i = 0; i < n; i++) out[i] = (double)minimax__tensor_f32(w, i) * (x[i] * ss);
}

/* y[N] = W[N, K] . x[K], W BF16 */
static void eu_matvec(const minimax__tensor *W, const double *x, double *y, int N, int K) {
    int n, k;
    for (n = 0; n < N; n++) {
        double s = 0.0;
        for (k = 0; k < K; k++) s += (double)minimax__tensor_f32(W, (int64_t)n * K + k) * x[k];
        y[n] = s;
    }
}

static void eu_matvec_fp4(const minimax__fp4_matrix *W, const double *x, double *y) {
    int64_t n, k;
    for (n = 0; n < W->rows; n++) {
        double s = 0.0;
        for (k = 0; k < W->cols; k++)
            s += (double)minimax__nvfp4_element(W->packed, W->scales, W->cols, W->weight_scale_2, n, k) * x[k];
        y[n] = s;
    }
}

/* Router of MODEL.md 2.5: sigmoid scores, bias for choosing only, top-k with
   ties to the lower id, renormalised unbiased weights. */
static void eu_route(const minimax__layer_weights *l, const minimax_config *c, const double *h, int *idx, double *wt) {
    int E = c->num_experts, e, j;
    double *s = (double *)malloc((size_t)E * sizeof(double)), *ch = (double *)malloc((size_t)E * sizeof(double)), sum = 0;
    eu_matvec(l->router, h, s, E, c->hidden_size);
    for (e = 0; e < E; e++) {
        s[e] = 1.0 / (1.0 + exp(-s[e]));
        ch[e] = s[e] + (l->router_bias ? (double)minimax__tensor_f32(l->router_bias, e) : 0.0);
    }
    for (j = 0; j < c->top_k; j++) {
        int b = -1;
        for (e = 0; e < E; e++)
            if (ch[e] > -1e300 && (b < 0 || ch[e] > ch[b])) b = e;
        idx[j] = b;
        ch[b] = -1e301;
        sum += s[b];
    }
    for (j = 0; j < c->top_k; j++) wt[j] = s[idx[j]] / sum * (c->routed_scaling_factor > 0 ? c->routed_scaling_factor : 1.0);
    free(s);
    free(ch);
}

/* Logits of every position of `ids` ([n][V], float). */
static __attribute__((unused)) void eu_ref_forward(const eu_model *m, const int32_t *ids, int n, float *logits) {
    const minimax_config *c = &m->cfg;
    int H = c->hidden_size, nh = c->num_heads, nkv = c->num_kv_heads, d = c->head_dim, rd = c->rotary_dim;
    int I = c->intermediate_size, K = c->top_k, V = c->vocab_size;
    int qd = nh * d, kd = nkv * d, t, L, i, j, hh;
    double eps = c->rms_norm_eps;
    double *x = (double *)calloc((size_t)n * H, sizeof(double));
    double *hn = (double *)calloc((size_t)H, sizeof(double)), *q = (double *)calloc((size_t)n * qd, sizeof(double));
    double *kc = (double *)calloc((size_t)n * kd, sizeof(double)), *vc = (double *)calloc((size_t)n * kd, sizeof(double));
    double *tmp = (double *)calloc((size_t)(qd > H ? qd : H) + I * 2 + V, sizeof(double));
    double *att = (double *)calloc((size_t)qd, sizeof(double)), *sc = (double *)calloc((size_t)n, sizeof(double));
    double *g = (double *)calloc((size_t)I, sizeof(double)), *u = (double *)calloc((size_t)I, sizeof(double));
    double *y = (double *)calloc((size_t)H, sizeof(double)), *lg = (double *)calloc((size_t)V, sizeof(double));
    int *idx = (int *)calloc((size_t)K, sizeof(int));
    double *wt = (double *)calloc((size_t)K, sizeof(double));
    for (t = 0; t < n; t++)
        for (i = 0; i < H; i++) x[(size_t)t * H + i] = minimax__tensor_f32(m->w.embed, (int64_t)ids[t] * H + i);
    for (L = 0; L < c->num_layers; L++) {
        const minimax__layer_weights *l = &m->w.layers[L];
        for (t = 0; t < n; t++) { /* q, k, v of every position: QK-norm over the whole width, then partial NeoX RoPE */
            double *qt = q + (size_t)t * qd, *kt = kc + (size_t)t * kd;
            eu_rmsnorm(x + (size_t)t * H, l->input_norm, hn, H, eps);
            eu_matvec(l->q_proj, hn, qt, qd, H);
            eu_matvec(l->k_proj, hn, kt, kd, H);
            eu_matvec(l->v_proj, hn, vc + (size_t)t * kd, kd, H);
            eu_rmsnorm(qt, l->q_norm, tmp, qd, eps);
            memcpy(qt, tmp, (size_t)qd * sizeof(double));
            eu_rmsnorm(kt, l->k_norm, tmp, kd, eps);
            memcpy(kt, tmp, (size_t)kd * sizeof(double));
            for (hh = 0; hh < nh + nkv; hh++) {
                double *v = hh < nh ? qt + hh * d : kt + (hh - nh) * d;
                for (i = 0; i < rd / 2; i++) {
                    double invf = 1.0 / pow((double)c->rope_theta, (double)(2 * i) / rd), a = v[i], b = v[i + rd / 2];
                    double th = (double)t * invf;
                    v[i] = a * cos(th) - b * sin(th);
                    v[i + rd / 2] = b * cos(th) + a * sin(th);
                }
            }
        }
        for (t = 0; t < n; t++) { /* causal attention, GQA h -> h / (nh/nkv) */
            for (hh = 0; hh < nh; hh++) {
                int kvh = hh / (nh / nkv);
                double mx = -1e300, z = 0.0;
                for (j = 0; j <= t; j++) {
                    double s = 0.0;
                    for (i = 0; i < d; i++) s += q[(size_t)t * qd + hh * d + i] * kc[(size_t)j * kd + kvh * d + i];
                    sc[j] = s / sqrt((double)d);
                    if (sc[j] > mx) mx = sc[j];
                }
                for (j = 0; j <= t; j++) z += (sc[j] = exp(sc[j] - mx));
                for (i = 0; i < d; i++) {
                    double o = 0.0;
                    for (j = 0; j <= t; j++) o += sc[j] * vc[(size_t)j * kd + kvh * d + i];
                    att[hh * d + i] = o / z;
                }
            }
            eu_matvec(l->o_proj, att, y, H, qd);
            for (i = 0; i < H; i++) x[(size_t)t * H + i] += y[i];
            /* MoE */
            eu_rmsnorm(x + (size_t)t * H, l->post_attn_norm, hn, H, eps);
            eu_route(l, c, hn, idx, wt);
            for (j = 0; j < K; j++) {
                eu_matvec_fp4(&l->w1[idx[j]], hn, g);
                eu_matvec_fp4(&l->w3[idx[j]], hn, u);
                for (i = 0; i < I; i++) g[i] = g[i] / (1.0 + exp(-g[i])) * u[i];
                eu_matvec_fp4(&l->w2[idx[j]], g, y);
                for (i = 0; i < H; i++) x[(size_t)t * H + i] += wt[j] * y[i];
            }
        }
    }
    for (t = 0; t < n; t++) {
        eu_rmsnorm(x + (size_t)t * H, m->w.final_norm, hn, H, eps);
        eu_matvec(m->w.lm_head, hn, lg, V, H);
        for (i = 0; i < V; i++) logits[(size_t)t * V + i] = (float)lg[i];
    }
    free(x); free(hn); free(q); free(kc); free(vc); free(tmp); free(att); free(sc);
    free(g); free(u); free(y); free(lg); free(idx); free(wt);
}

/* max |a - b| / max |b| over n values, and whether a has NaN/Inf */
static __attribute__((unused)) double eu_rel_err(const float *a, const float *b, size_t n, int *bad) {
    double md = 0.0, mb = 0.0;
    size_t i;
    *bad = 0;
    for (i = 0; i < n; i++) {
        if (!isfinite(a[i])) *bad = 1;
        if (fabs((double)a[i] - b[i]) > md) md = fabs((double)a[i] - b[i]);
        if (fabs((double)b[i]) > mb) mb = fabs((double)b[i]);
    }
    return mb > 0 ? md / mb : md;
}
#endif
