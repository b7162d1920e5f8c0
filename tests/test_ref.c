/* The CPU reference (tests/ref.h) checked against independent recomputations:
   every op against a naive version written differently (column order, complex
   rotation, explicit repeat_kv, sort-based top-k, dense dequantised experts),
   MODEL.md section 8 vectors, a hand-checked router, the whole model against a
   sequence-level naive forward, prefill vs single steps, causality, the cache
   limits, and finiteness over several shapes. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "ref.h"
#include <complex.h> /* last: it defines the macro I, a common variable name in the code above */

/* ---- helpers ------------------------------------------------------------------ */

/* A test-owned tensor holding `vals` in dtype (BF16 rounds them). */
static minimax__tensor *make_tensor(minimax__dtype dt, int ndim, int64_t d0, int64_t d1, const float *vals) {
    minimax__tensor *t = (minimax__tensor *)calloc(1, sizeof *t);
    int64_t n = ndim == 2 ? d0 * d1 : d0, i;
    size_t es = dt == MINIMAX__DT_F32 ? 4 : 2;
    uint8_t *data = (uint8_t *)calloc((size_t)n, es);
    for (i = 0; i < n; i++) {
        if (dt == MINIMAX__DT_F32) memcpy(data + 4 * i, &vals[i], 4);
        else {
            uint16_t b = minimax__f32_to_bf16(vals[i]);
            memcpy(data + 2 * i, &b, 2);
        }
    }
    t->name = "test";
    t->dtype = dt;
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = ndim == 2 ? d1 : 0;
    t->data = data;
    t->nbytes = (uint64_t)n * es;
    return t;
}
static void free_tensor(minimax__tensor *t) {
    if (!t) return;
    free((void *)t->data);
    free(t);
}

static void fill_normal(test_rng *r, float *x, int n, float std) {
    int i;
    for (i = 0; i < n; i++) x[i] = std * test_rng_normal(r);
}

/* max |a-b| / max |b| (b the naive value). */
static double rel_err(const float *a, const float *b, int64_t n) {
    double num = 0, den = 1e-30;
    int64_t i;
    for (i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= num)) num = d; /* NaN propagates */
        if (fabs((double)b[i]) > den) den = fabs((double)b[i]);
    }
    return num / den;
}

static int count_nonfinite(const float *x, int64_t n) {
    int64_t i;
    int bad = 0;
    for (i = 0; i < n; i++) bad += !isfinite(x[i]);
    return bad;
}

static double rope_exact_freq(double theta, int i, int rd) { return (double)powl((long double)theta, -(long double)(2 * i) / rd); }

/* ---- naive ops (written differently from ref.h on purpose) --------------------- */

/* RMSNorm by definition, long double. */
static void naive_rmsnorm(const float *x, const minimax__tensor *w, int n, float eps, float *out) {
    long double ss = 0;
    int i;
    for (i = 0; i < n; i++) ss += (long double)x[i] * x[i];
    for (i = 0; i < n; i++) out[i] = (float)((long double)minimax__tensor_f32(w, i) * x[i] / sqrtl(ss / n + eps));
}

/* y = W x, column by column (the transpose order of ref.h), long double. */
static void naive_matvec(const minimax__tensor *w, const float *x, float *y) {
    int64_t R = w->shape[0], C = w->shape[1], r, c;
    long double *acc = (long double *)calloc((size_t)R, sizeof(long double));
    for (c = 0; c < C; c++)
        for (r = 0; r < R; r++) acc[r] += (long double)minimax__tensor_f32(w, r * C + c) * x[c];
    for (r = 0; r < R; r++) y[r] = (float)acc[r];
    free(acc);
}

/* Dense dequantisation of an NVFP4 matrix through the library's element accessor. */
static float *dense_fp4(const minimax__fp4_matrix *m) {
    float *d = (float *)malloc(sizeof(float) * (size_t)(m->rows * m->cols));
    int64_t n, k;
    for (n = 0; n < m->rows; n++)
        for (k = 0; k < m->cols; k++)
            d[n * m->cols + k] = minimax__nvfp4_element(m->packed, m->scales, m->cols, m->weight_scale_2, n, k);
    return d;
}

static void naive_matvec_dense(const float *W, int64_t R, int64_t C, const float *x, float *y) {
    int64_t r, c;
    long double *acc = (long double *)calloc((size_t)R, sizeof(long double));
    for (c = 0; c < C; c++)
        for (r = 0; r < R; r++) acc[r] += (long double)W[r * C + c] * x[c];
    for (r = 0; r < R; r++) y[r] = (float)acc[r];
    free(acc);
}

/* RoPE as complex rotation z * e^{i p f_i}, z = x[i] + i x[i + rd/2], exact frequencies. */
static void naive_rope(const minimax_config *c, int pos, float *x) {
    int half = c->rotary_dim / 2, i;
    for (i = 0; i < half; i++) {
        double complex z = (double)x[i] + (double)x[i + half] * I;
        z *= cexp(I * ((double)pos * rope_exact_freq(c->rope_theta, i, c->rotary_dim)));
        x[i] = (float)creal(z);
        x[i + half] = (float)cimag(z);
    }
}

/* Causal attention over a whole sequence with K/V expanded per query head
   (repeat_kv), an explicit mask and softmax without max subtraction.
   q [T][nh*d], k/v [T][nkv*d], out [T][nh*d]. */
static void naive_attention_seq(const minimax_config *c, int T, const float *q, const float *k, const float *v, float *out) {
    int nh = c->num_heads, nkv = c->num_kv_heads, d = c->head_dim, rep = nh / nkv, h, t, s, i;
    float *kx = (float *)malloc(sizeof(float) * (size_t)nh * T * d), *vx = (float *)malloc(sizeof(float) * (size_t)nh * T * d);
    long double *w = (long double *)malloc(sizeof(long double) * (size_t)T);
    for (h = 0; h < nh; h++) /* repeat_kv: query heads h = g*rep .. g*rep+rep-1 share kv head g */
        for (s = 0; s < T; s++)
            for (i = 0; i < d; i++) {
                kx[((size_t)h * T + s) * d + i] = k[(size_t)s * nkv * d + (h / rep) * d + i];
                vx[((size_t)h * T + s) * d + i] = v[(size_t)s * nkv * d + (h / rep) * d + i];
            }
    for (h = 0; h < nh; h++)
        for (t = 0; t < T; t++) {
            long double z = 0;
            for (s = 0; s < T; s++) {
                long double dot = 0;
                if (s > t) { /* masked: future */
                    w[s] = 0;
                    continue;
                }
                for (i = 0; i < d; i++) dot += (long double)q[(size_t)t * nh * d + h * d + i] * kx[((size_t)h * T + s) * d + i];
                w[s] = expl(dot / sqrtl((long double)d));
                z += w[s];
            }
            for (i = 0; i < d; i++) {
                long double o = 0;
                for (s = 0; s < T; s++) o += w[s] / z * vx[((size_t)h * T + s) * d + i];
                out[(size_t)t * nh * d + h * d + i] = (float)o;
            }
        }
    free(kx);
    free(vx);
    free(w);
}

/* Router by sorting all experts (choice descending, id ascending). */
static const float *sort_choice;
static int cmp_choice(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    if (sort_choice[x] != sort_choice[y]) return sort_choice[x] > sort_choice[y] ? -1 : 1;
    return x - y;
}
static void naive_route(const minimax_config *c, const minimax__layer_weights *lw, const float *h, int *idx, float *wts) {
    int E = c->num_experts, H = c->hidden_size, e, j, k;
    float *choice = (float *)malloc(sizeof(float) * E), *s = (float *)malloc(sizeof(float) * E);
    int *order = (int *)malloc(sizeof(int) * E);
    long double sum = 0;
    for (e = 0; e < E; e++) {
        long double lg = 0;
        for (k = 0; k < H; k++) lg += (long double)minimax__tensor_f32(lw->router, (int64_t)e * H + k) * h[k];
        s[e] = (float)(1.0L / (1.0L + expl(-(long double)(float)lg)));
        choice[e] = s[e] + (lw->router_bias ? minimax__tensor_f32(lw->router_bias, e) : 0.0f);
        order[e] = e;
    }
    sort_choice = choice;
    qsort(order, (size_t)E, sizeof(int), cmp_choice);
    for (j = 0; j < c->top_k; j++) sum += s[order[j]];
    for (j = 0; j < c->top_k; j++) {
        idx[j] = order[j];
        wts[j] = (float)(s[order[j]] / sum * c->routed_scaling_factor);
    }
    free(choice);
    free(s);
    free(order);
}

/* Expert with dense dequantised matrices. */
static void naive_expert(const minimax__layer_weights *lw, int e, const float *h, float *out) {
    const minimax__fp4_matrix *m1 = &lw->w1[e], *m2 = &lw->w2[e], *m3 = &lw->w3[e];
    int64_t inter = m1->rows, i;
    float *W1 = dense_fp4(m1), *W2 = dense_fp4(m2), *W3 = dense_fp4(m3);
    float *g = (float *)malloc(sizeof(float) * (size_t)inter), *u = (float *)malloc(sizeof(float) * (size_t)inter);
    naive_matvec_dense(W1, inter, m1->cols, h, g);
    naive_matvec_dense(W3, inter, m3->cols, h, u);
    for (i = 0; i < inter; i++) g[i] = (float)((long double)g[i] / (1.0L + expl(-(long double)g[i])) * u[i]);
    naive_matvec_dense(W2, m2->rows, inter, g, out);
    free(W1);
    free(W2);
    free(W3);
    free(g);
    free(u);
}

/* The whole model over a sequence of T tokens from position 0, HF-style
   (all tokens of a layer at once, explicit mask), from the naive ops. */
static void naive_forward(const minimax_config *c, const minimax__weights *w, const int32_t *tok, int T, float *logits) {
    int H = c->hidden_size, d = c->head_dim, qd = c->num_heads * d, kd = c->num_kv_heads * d, V = c->vocab_size;
    int L, t, i, j, hd;
    float *x = (float *)malloc(sizeof(float) * (size_t)T * H), *h = (float *)malloc(sizeof(float) * H);
    float *q = (float *)malloc(sizeof(float) * (size_t)T * qd), *k = (float *)malloc(sizeof(float) * (size_t)T * kd);
    float *v = (float *)malloc(sizeof(float) * (size_t)T * kd), *a = (float *)malloc(sizeof(float) * (size_t)T * qd);
    float *y = (float *)malloc(sizeof(float) * H), *ye = (float *)malloc(sizeof(float) * H);
    int *idx = (int *)malloc(sizeof(int) * c->top_k);
    float *wts = (float *)malloc(sizeof(float) * c->top_k);
    for (t = 0; t < T; t++)
        for (i = 0; i < H; i++) x[(size_t)t * H + i] = minimax__tensor_f32(w->embed, (int64_t)tok[t] * H + i);
    for (L = 0; L < c->num_layers; L++) {
        const minimax__layer_weights *lw = &w->layers[L];
        for (t = 0; t < T; t++) {
            naive_rmsnorm(x + (size_t)t * H, lw->input_norm, H, c->rms_norm_eps, h);
            naive_matvec(lw->q_proj, h, q + (size_t)t * qd);
            naive_matvec(lw->k_proj, h, k + (size_t)t * kd);
            naive_matvec(lw->v_proj, h, v + (size_t)t * kd);
            naive_rmsnorm(q + (size_t)t * qd, lw->q_norm, qd, c->rms_norm_eps, q + (size_t)t * qd);
            naive_rmsnorm(k + (size_t)t * kd, lw->k_norm, kd, c->rms_norm_eps, k + (size_t)t * kd);
            for (hd = 0; hd < c->num_heads; hd++) naive_rope(c, t, q + (size_t)t * qd + hd * d);
            for (hd = 0; hd < c->num_kv_heads; hd++) naive_rope(c, t, k + (size_t)t * kd + hd * d);
        }
        naive_attention_seq(c, T, q, k, v, a);
        for (t = 0; t < T; t++) {
            naive_matvec(lw->o_proj, a + (size_t)t * qd, y);
            for (i = 0; i < H; i++) x[(size_t)t * H + i] += y[i];
        }
        for (t = 0; t < T; t++) {
            naive_rmsnorm(x + (size_t)t * H, lw->post_attn_norm, H, c->rms_norm_eps, h);
            naive_route(c, lw, h, idx, wts);
            for (j = 0; j < c->top_k; j++) {
                naive_expert(lw, idx[j], h, ye);
                for (i = 0; i < H; i++) x[(size_t)t * H + i] += wts[j] * ye[i];
            }
        }
    }
    for (t = 0; t < T; t++) {
        naive_rmsnorm(x + (size_t)t * H, w->final_norm, H, c->rms_norm_eps, h);
        naive_matvec(w->lm_head, h, logits + (size_t)t * V);
    }
    free(x), free(h), free(q), free(k), free(v), free(a), free(y), free(ye), free(idx), free(wts);
}

/* ---- single ops ---------------------------------------------------------------- */

static void rmsnorm_matches_definition(void) {
    test_rng rng = {11};
    enum { N = 48 };
    float x[N], wv[N], got[N], want[N];
    int dt, i;
    fill_normal(&rng, x, N, 3.7f);
    fill_normal(&rng, wv, N, 0.3f);
    for (i = 0; i < N; i++) wv[i] += 1.0f;
    for (dt = 0; dt < 2; dt++) {
        minimax__tensor *w = make_tensor(dt ? MINIMAX__DT_F32 : MINIMAX__DT_BF16, 1, N, 0, wv);
        ref_rmsnorm(x, w, N, 1e-6f, got);
        naive_rmsnorm(x, w, N, 1e-6f, want);
        CHECK(rel_err(got, want, N) < 1e-6, "dtype %d: rel err %g", dt, rel_err(got, want, N));
        /* in place gives the same */
        {
            float y[N];
            memcpy(y, x, sizeof y);
            ref_rmsnorm(y, w, N, 1e-6f, y);
            CHECK(memcmp(y, got, sizeof y) == 0, "in-place differs");
        }
        /* eps matters when the input is tiny: mean(x^2) = 1e-8 << eps = 1e-6 */
        {
            float t[N];
            for (i = 0; i < N; i++) t[i] = (i & 1) ? 1e-4f : -1e-4f;
            ref_rmsnorm(t, w, N, 1e-6f, got);
            naive_rmsnorm(t, w, N, 1e-6f, want);
            CHECK(rel_err(got, want, N) < 1e-6, "tiny input: rel err %g", rel_err(got, want, N));
            CHECK(fabsf(got[0]) < 0.2f * fabsf(minimax__tensor_f32(w, 0)), "eps ignored: %g", got[0]);
        }
        free_tensor(w);
    }
}

static void matvec_bf16_and_f32_match_naive(void) {
    test_rng rng = {12};
    enum { R = 13, C = 40 };
    float wv[R * C], x[C], got[R], want[R];
    int dt;
    fill_normal(&rng, wv, R * C, 0.5f);
    fill_normal(&rng, x, C, 1.0f);
    for (dt = 0; dt < 2; dt++) {
        minimax__tensor *w = make_tensor(dt ? MINIMAX__DT_F32 : MINIMAX__DT_BF16, 2, R, C, wv);
        ref_matvec_bf16(w, x, got);
        naive_matvec(w, x, want);
        CHECK(rel_err(got, want, R) < 1e-6, "dtype %d: rel err %g", dt, rel_err(got, want, R));
        free_tensor(w);
    }
}

static void matvec_fp4_matches_elementwise_decode(void) {
    test_rng rng = {13};
    enum { R = 24, C = 64 };
    float *wv = (float *)malloc(sizeof(float) * R * C), x[C], got[R], want[R], row[C];
    uint8_t packed[R * C / 2], scales[R * C / 16];
    minimax__fp4_matrix m;
    float *dense;
    int n, k, row_ok = 1;
    fill_normal(&rng, wv, R * C, 0.2f);
    fill_normal(&rng, x, C, 1.0f);
    minimax__nvfp4_quantize(wv, R, C, packed, scales, &m.weight_scale_2);
    m.rows = R, m.cols = C, m.packed = packed, m.scales = scales, m.input_scale = 0;
    dense = dense_fp4(&m);
    for (n = 0; n < R; n++) {
        ref_fp4_row(&m, n, row);
        for (k = 0; k < C; k++) row_ok &= row[k] == dense[n * C + k];
    }
    CHECK(row_ok, "ref_fp4_row differs from minimax__nvfp4_element");
    ref_matvec_fp4(&m, x, got);
    naive_matvec_dense(dense, R, C, x, want);
    CHECK(rel_err(got, want, R) < 1e-6, "rel err %g", rel_err(got, want, R));
    free(dense);
    free(wv);
}

/* Hand-decoded NVFP4: byte 0x2F = [-6 (low nibble), +1 (high nibble)] (MODEL.md 8),
   block 0 scale 1.0 (0x38), block 1 scale 2.0 (0x40), ws2 0.5. */
static void matvec_fp4_hand_example(void) {
    uint8_t packed[16] = {0x2F, 0, 0, 0, 0, 0, 0, 0, /* block 1: */ 0x70, 0, 0, 0, 0, 0, 0, 0};
    uint8_t scales[2] = {0x38, 0x40};
    float x[32], y[1];
    minimax__fp4_matrix m;
    int i;
    for (i = 0; i < 32; i++) x[i] = (float)(i + 1);
    m.rows = 1, m.cols = 32, m.packed = packed, m.scales = scales, m.weight_scale_2 = 0.5f, m.input_scale = 0;
    ref_matvec_fp4(&m, x, y);
    /* block 0: -6*x0 + 1*x1 = -6 + 2 = -4; block 1: byte 0x70 = [0 (x16), +6 (x17 = 18)] * 2.0 = 216
       total (-4 + 216) * 0.5 = 106 */
    CHECK(y[0] == 106.0f, "y = %g, want 106", y[0]);
}

static minimax_config rope_config(int d, int rd, float theta) {
    minimax_config c = ref_tiny_config();
    c.num_heads = 1, c.num_kv_heads = 1, c.head_dim = d, c.rotary_dim = rd, c.rope_theta = theta;
    return c;
}

/* MODEL.md 8: at p=1 the pair i=0 turns by 1 rad, the pair i=31 (of rotary 64,
   theta 5e6) by 5e6^(-62/64) ~ 3.239e-7 rad; dims 64..127 pass through. */
static void rope_model_md_vectors(void) {
    minimax_config c = rope_config(128, 64, 5e6f);
    float x[128];
    double want31 = pow(5e6, -62.0 / 64.0);
    int i, pass_ok = 1;
    memset(x, 0, sizeof x);
    x[0] = 1.0f;  /* pair (0, 32) */
    x[31] = 1.0f; /* pair (31, 63) */
    for (i = 64; i < 128; i++) x[i] = (float)i;
    ref_rope_head(&c, 1, x);
    CHECK(fabs(x[0] - cos(1.0)) < 1e-7 && fabs(x[32] - sin(1.0)) < 1e-7, "i=0: (%g, %g)", x[0], x[32]);
    CHECK(fabs(want31 - 3.239e-7) < 1e-10, "MODEL.md value %g", want31);
    CHECK(fabs(x[63] - want31) < 1e-6 * want31 && fabs(x[31] - 1.0) < 1e-7, "i=31: (%g, %g) want sin %g", x[31], x[63],
          want31);
    for (i = 64; i < 128; i++) pass_ok &= x[i] == (float)i;
    CHECK(pass_ok, "dims beyond rotary_dim changed");
    /* p = 0 is the identity, exactly */
    for (i = 0; i < 128; i++) x[i] = (float)(i % 7) - 3.0f;
    {
        float y[128];
        memcpy(y, x, sizeof y);
        ref_rope_head(&c, 0, y);
        CHECK(memcmp(x, y, sizeof y) == 0, "p=0 is not the identity");
    }
}

static void rope_matches_complex_rotation(void) {
    test_rng rng = {14};
    static const int shapes[3][2] = {{32, 16}, {16, 16}, {128, 64}};
    int s, p, worst_p = -1;
    double worst = 0;
    for (s = 0; s < 3; s++) {
        minimax_config c = rope_config(shapes[s][0], shapes[s][1], s == 1 ? 10000.0f : 5e6f);
        for (p = 0; p < 64; p += 3) {
            float x[128], got[128], want[128];
            double e;
            fill_normal(&rng, x, c.head_dim, 1.0f);
            memcpy(got, x, sizeof x);
            memcpy(want, x, sizeof x);
            ref_rope_head(&c, p, got);
            naive_rope(&c, p, want);
            e = rel_err(got, want, c.head_dim);
            if (e > worst) worst = e, worst_p = p;
        }
    }
    /* float angles at p < 64: |dangle| <= 64 * 2^-24 * 2 ~ 8e-6 */
    CHECK(worst < 2e-5, "worst rel err %g at p=%d", worst, worst_p);
}

/* QK-norm is ONE RMS over all heads of q (and of k), then RoPE per head. Heads
   of q differ in magnitude by 10x each, so a per-head norm would be far off. */
static void qk_norm_is_one_rms_over_all_heads(void) {
    test_rng rng = {15};
    minimax_config c = ref_tiny_config();
    enum { NH = 4, NKV = 2, D = 16 };
    float q[NH * D], k[NKV * D], qn[NH * D], kn[NKV * D], wq[NH * D], wk[NKV * D], perhead[NH * D];
    minimax__tensor *tq, *tk;
    int h, i, pos = 7;
    c.num_heads = NH, c.num_kv_heads = NKV, c.head_dim = D, c.rotary_dim = 8;
    fill_normal(&rng, q, NH * D, 1.0f);
    fill_normal(&rng, k, NKV * D, 2.0f);
    for (h = 0; h < NH; h++)
        for (i = 0; i < D; i++) q[h * D + i] *= powf(10.0f, (float)h);
    fill_normal(&rng, wq, NH * D, 0.2f);
    fill_normal(&rng, wk, NKV * D, 0.2f);
    for (i = 0; i < NH * D; i++) wq[i] += 1.0f;
    for (i = 0; i < NKV * D; i++) wk[i] += 1.0f;
    tq = make_tensor(MINIMAX__DT_BF16, 1, NH * D, 0, wq);
    tk = make_tensor(MINIMAX__DT_BF16, 1, NKV * D, 0, wk);
    /* naive: global RMS by definition, then the complex rotation */
    naive_rmsnorm(q, tq, NH * D, c.rms_norm_eps, qn);
    naive_rmsnorm(k, tk, NKV * D, c.rms_norm_eps, kn);
    for (h = 0; h < NH; h++) naive_rope(&c, pos, qn + h * D);
    for (h = 0; h < NKV; h++) naive_rope(&c, pos, kn + h * D);
    /* the wrong (per-head) reading, to show the test tells them apart */
    for (h = 0; h < NH; h++) {
        minimax__tensor sub = *tq;
        sub.data = tq->data + 2 * h * D;
        naive_rmsnorm(q + h * D, &sub, D, c.rms_norm_eps, perhead + h * D);
        naive_rope(&c, pos, perhead + h * D);
    }
    ref_qk_norm_rope(&c, tq, tk, pos, q, k);
    CHECK(rel_err(q, qn, NH * D) < 1e-5, "q rel err %g", rel_err(q, qn, NH * D));
    CHECK(rel_err(k, kn, NKV * D) < 1e-5, "k rel err %g", rel_err(k, kn, NKV * D));
    CHECK(rel_err(q, perhead, NH * D) > 0.1, "per-head norm is indistinguishable (%g)", rel_err(q, perhead, NH * D));
    free_tensor(tq);
    free_tensor(tk);
}

static void attention_matches_naive(void) {
    test_rng rng = {16};
    minimax_config c = ref_tiny_config();
    enum { NH = 6, NKV = 2, D = 16, T = 9 };
    float *q = (float *)malloc(sizeof(float) * T * NH * D), *k = (float *)malloc(sizeof(float) * T * NKV * D);
    float *v = (float *)malloc(sizeof(float) * T * NKV * D), *want = (float *)malloc(sizeof(float) * T * NH * D);
    float got[NH * D];
    double worst = 0;
    int t, h, i, one_ok = 1;
    c.num_heads = NH, c.num_kv_heads = NKV, c.head_dim = D;
    fill_normal(&rng, q, T * NH * D, 2.0f); /* peaky softmax */
    fill_normal(&rng, k, T * NKV * D, 1.0f);
    fill_normal(&rng, v, T * NKV * D, 1.0f);
    naive_attention_seq(&c, T, q, k, v, want);
    for (t = 0; t < T; t++) { /* query t sees the cache up to itself */
        double e;
        ref_attention(&c, q + t * NH * D, k, v, t + 1, got);
        e = rel_err(got, want + t * NH * D, NH * D);
        if (e > worst) worst = e;
    }
    CHECK(worst < 1e-6, "rel err %g", worst);
    /* one cached token: the output is its V, per GQA group (h / 3) */
    ref_attention(&c, q, k, v, 1, got);
    for (h = 0; h < NH; h++)
        for (i = 0; i < D; i++) one_ok &= fabsf(got[h * D + i] - v[(h / 3) * D + i]) < 1e-6f;
    CHECK(one_ok, "n_ctx=1 output is not V of kv head h/3");
    free(q), free(k), free(v), free(want);
}

/* Router, by hand: h = e_0 so that logits[e] = router[e][0] = {2, 1, 0.5, -1};
   s = sigmoid = {.8808, .7311, .6225, .2689}. */
static void router_hand_example(void) {
    minimax_config c = ref_tiny_config();
    enum { E = 4, H = 16 };
    float gate[E * H], bias[E], h[H], w2[2], w1[1], s[E];
    static const float logit[E] = {2.0f, 1.0f, 0.5f, -1.0f};
    int idx[2], e, dt;
    c.hidden_size = H, c.num_experts = E, c.top_k = 2;
    memset(gate, 0, sizeof gate);
    memset(h, 0, sizeof h);
    h[0] = 1.0f;
    for (e = 0; e < E; e++) gate[e * H] = logit[e], s[e] = (float)(1.0 / (1.0 + exp(-(double)logit[e])));
    for (dt = 0; dt < 2; dt++) { /* both router dtypes; the values are exact in BF16 */
        minimax__dtype t = dt ? MINIMAX__DT_F32 : MINIMAX__DT_BF16;
        minimax__layer_weights lw;
        minimax__tensor *tg = make_tensor(t, 2, E, H, gate), *tb;
        memset(&lw, 0, sizeof lw);
        lw.router = tg;
        /* no bias: top-2 = {0, 1} */
        memset(bias, 0, sizeof bias);
        tb = make_tensor(t, 1, E, 0, bias);
        lw.router_bias = tb;
        ref_route(&c, &lw, h, idx, w2);
        CHECK(idx[0] == 0 && idx[1] == 1, "dt %d no bias: %d %d", dt, idx[0], idx[1]);
        CHECK(fabsf(w2[0] - s[0] / (s[0] + s[1])) < 1e-6f && fabsf(w2[0] + w2[1] - 1.0f) < 1e-6f, "weights %g %g", w2[0],
              w2[1]);
        free_tensor(tb);
        /* bias +0.5 on expert 2 flips the selection to {2, 0}; weights use the UNBIASED scores */
        bias[2] = 0.5f;
        tb = make_tensor(t, 1, E, 0, bias);
        lw.router_bias = tb;
        ref_route(&c, &lw, h, idx, w2);
        CHECK(idx[0] == 2 && idx[1] == 0, "dt %d bias: %d %d", dt, idx[0], idx[1]);
        CHECK(fabsf(w2[0] - s[2] / (s[2] + s[0])) < 1e-6f && fabsf(w2[1] - s[0] / (s[2] + s[0])) < 1e-6f, "weights %g %g",
              w2[0], w2[1]);
        CHECK(fabsf(w2[0] + w2[1] - 1.0f) < 1e-6f, "sum %g", w2[0] + w2[1]);
        /* routed_scaling_factor multiplies the renormalised weights */
        c.routed_scaling_factor = 2.5f;
        ref_route(&c, &lw, h, idx, w2);
        CHECK(fabsf(w2[0] + w2[1] - 2.5f) < 1e-5f, "scaled sum %g", w2[0] + w2[1]);
        c.routed_scaling_factor = 1.0f;
        free_tensor(tb);
        /* tie: bias makes expert 3's choice equal expert 1's: both 0.7311 + 0 vs 0.2689 + b.
           Use exactly equal choice values by giving 3 the same logit as 1. */
        free_tensor(tg);
        gate[3 * H] = 1.0f;
        tg = make_tensor(t, 2, E, H, gate);
        lw.router = tg;
        lw.router_bias = NULL;
        c.top_k = 1;
        gate[0] = -3.0f; /* expert 0 out of the way */
        free_tensor(tg);
        tg = make_tensor(t, 2, E, H, gate);
        lw.router = tg;
        ref_route(&c, &lw, h, idx, w1);
        CHECK(idx[0] == 1 && w1[0] == 1.0f, "tie 1 vs 3 picked %d (w %g)", idx[0], w1[0]);
        c.top_k = 2; /* both tied ones, lower id first */
        ref_route(&c, &lw, h, idx, w2);
        CHECK(idx[0] == 1 && idx[1] == 3 && w2[0] == w2[1], "tie top-2: %d %d", idx[0], idx[1]);
        gate[0] = 2.0f, gate[3 * H] = -1.0f;
        free_tensor(tg);
    }
}

static void router_matches_sort_on_random_models(void) {
    minimax_config c = ref_tiny_config();
    int variant, trial, j;
    c.num_experts = 16, c.top_k = 4;
    for (variant = 0; variant < 3; variant++) {
        ref_random_opts o;
        ref_random_model *r;
        const minimax__layer_weights *lw;
        test_rng rng = {100u + (unsigned)variant};
        int same = 1;
        double werr = 0, sumerr = 0;
        memset(&o, 0, sizeof o);
        o.router_f32 = variant == 1;
        o.no_bias = variant == 2;
        r = ref_random_model_create_opts(&c, 7 + variant, &o);
        REQUIRE(r, "random model");
        lw = &ref_random_model_weights(r)->layers[1];
        for (trial = 0; trial < 50; trial++) {
            float h[64], w[4], wn[4], sum = 0;
            int idx[4], idn[4];
            fill_normal(&rng, h, c.hidden_size, 1.0f);
            ref_route(&c, lw, h, idx, w);
            naive_route(&c, lw, h, idn, wn);
            for (j = 0; j < 4; j++) {
                same &= idx[j] == idn[j];
                if (fabs(w[j] - wn[j]) > werr) werr = fabs(w[j] - wn[j]);
                sum += w[j];
            }
            if (fabs(sum - 1.0) > sumerr) sumerr = fabs(sum - 1.0);
        }
        CHECK(same, "variant %d: selections differ from the sort", variant);
        CHECK(werr < 1e-6 && sumerr < 1e-6, "variant %d: weight err %g, |sum-1| %g", variant, werr, sumerr);
        ref_random_model_free(r);
    }
}

static void expert_matches_dense_dequantisation(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *r = ref_random_model_create(&c, 21);
    const minimax__layer_weights *lw;
    test_rng rng = {17};
    float h[64], got[64], want[64];
    int e;
    double worst = 0;
    REQUIRE(r, "random model");
    lw = &ref_random_model_weights(r)->layers[0];
    /* each matrix has its own weight_scale_2 (w3 is drawn 1.5x wider than w1) */
    CHECK(lw->w1[3].weight_scale_2 != lw->w3[3].weight_scale_2, "w1/w3 share ws2: the test would not see a mix-up");
    for (e = 0; e < c.num_experts; e++) {
        double err;
        fill_normal(&rng, h, c.hidden_size, 1.0f);
        ref_expert(lw, e, h, got);
        naive_expert(lw, e, h, want);
        err = rel_err(got, want, c.hidden_size);
        if (err > worst) worst = err;
    }
    CHECK(worst < 1e-5, "rel err %g", worst);
    ref_random_model_free(r);
}

static void moe_is_the_weighted_sum_of_routed_experts(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *r;
    const minimax__layer_weights *lw;
    test_rng rng = {18};
    float h[64], got[64], want[64], ye[64], w[4];
    int idx[4], j, i, idx_got[4];
    c.num_experts = 12, c.top_k = 3, c.routed_scaling_factor = 1.7f;
    r = ref_random_model_create(&c, 22);
    REQUIRE(r, "random model");
    lw = &ref_random_model_weights(r)->layers[1];
    fill_normal(&rng, h, c.hidden_size, 1.0f);
    ref_moe(&c, lw, h, got, idx_got, NULL);
    naive_route(&c, lw, h, idx, w);
    memset(want, 0, sizeof want);
    for (j = 0; j < c.top_k; j++) {
        CHECK(idx_got[j] == idx[j], "slot %d: %d vs %d", j, idx_got[j], idx[j]);
        naive_expert(lw, idx[j], h, ye);
        for (i = 0; i < c.hidden_size; i++) want[i] += w[j] * ye[i];
    }
    CHECK(rel_err(got, want, c.hidden_size) < 1e-5, "rel err %g", rel_err(got, want, c.hidden_size));
    ref_random_model_free(r);
}

/* ---- the whole model ------------------------------------------------------------ */

static void whole_model_matches_naive_sequence_forward(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *r;
    ref_model *m;
    enum { T = 7 };
    int32_t tok[T] = {3, 96, 0, 41, 41, 7, 60};
    float *got, *want;
    double e;
    c.num_heads = 6, c.num_kv_heads = 2, c.head_dim = 16, c.rotary_dim = 8, c.num_experts = 6, c.top_k = 3;
    r = ref_random_model_create(&c, 31);
    REQUIRE(r, "random model");
    m = ref_create(&c, ref_random_model_weights(r), T);
    REQUIRE(m, "ref_create");
    got = (float *)malloc(sizeof(float) * T * c.vocab_size);
    want = (float *)malloc(sizeof(float) * T * c.vocab_size);
    CHECK(ref_forward(m, tok, T, got) == 0, "forward");
    naive_forward(&c, ref_random_model_weights(r), tok, T, want);
    e = rel_err(got, want, (int64_t)T * c.vocab_size);
    CHECK(e < 1e-4, "logits rel err %g", e);
    printf("    ref vs naive sequence forward: rel err %.3g\n", e);
    free(got), free(want);
    ref_free(m);
    ref_random_model_free(r);
}

static void prefill_equals_single_steps(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *r = ref_random_model_create(&c, 41);
    ref_model *a, *b, *s;
    enum { T = 9 };
    int32_t tok[T] = {5, 17, 2, 88, 88, 40, 1, 63, 9};
    int V = c.vocab_size, t;
    float *la = (float *)malloc(sizeof(float) * T * V), *lb = (float *)malloc(sizeof(float) * T * V);
    float *ls = (float *)malloc(sizeof(float) * T * V);
    REQUIRE(r, "random model");
    a = ref_create(&c, ref_random_model_weights(r), 16);
    b = ref_create(&c, ref_random_model_weights(r), 16);
    s = ref_create(&c, ref_random_model_weights(r), 16);
    REQUIRE(a && b && s, "ref_create");
    CHECK(ref_forward(a, tok, T, la) == 0 && ref_position(a) == T, "prefill");
    for (t = 0; t < T; t++) CHECK(ref_forward(b, tok + t, 1, lb + (size_t)t * V) == 0 && ref_position(b) == t + 1, "step %d", t);
    CHECK(ref_forward(s, tok, 4, ls) == 0 && ref_forward(s, tok + 4, T - 4, ls + 4 * V) == 0, "split prefill");
    CHECK(rel_err(lb, la, (int64_t)T * V) < 1e-6, "steps vs prefill: rel err %g", rel_err(lb, la, (int64_t)T * V));
    CHECK(rel_err(ls, la, (int64_t)T * V) < 1e-6, "4+5 vs prefill: rel err %g", rel_err(ls, la, (int64_t)T * V));
    CHECK(count_nonfinite(la, (int64_t)T * V) == 0, "non-finite logits");
    free(la), free(lb), free(ls);
    ref_free(a), ref_free(b), ref_free(s);
    ref_random_model_free(r);
}

/* Changing token 5 must leave the logits of positions 0..4 bit-identical and
   change those of 5..7. */
static void attention_is_causal(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *r = ref_random_model_create(&c, 51);
    ref_model *m;
    enum { T = 8 };
    int32_t tok[T] = {1, 30, 31, 32, 33, 34, 35, 36};
    int V = c.vocab_size, t;
    float *l1 = (float *)malloc(sizeof(float) * T * V), *l2 = (float *)malloc(sizeof(float) * T * V);
    REQUIRE(r, "random model");
    m = ref_create(&c, ref_random_model_weights(r), T);
    REQUIRE(m, "ref_create");
    CHECK(ref_forward(m, tok, T, l1) == 0, "forward 1");
    ref_reset(m);
    tok[5] = 70;
    CHECK(ref_forward(m, tok, T, l2) == 0, "forward 2");
    CHECK(memcmp(l1, l2, sizeof(float) * 5 * V) == 0, "positions before the change moved");
    for (t = 5; t < T; t++)
        CHECK(rel_err(l1 + (size_t)t * V, l2 + (size_t)t * V, V) > 1e-4, "position %d did not change", t);
    free(l1), free(l2);
    ref_free(m);
    ref_random_model_free(r);
}

static void cache_limits_and_reset(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *r = ref_random_model_create(&c, 61);
    ref_model *m;
    int32_t tok[6] = {4, 8, 15, 16, 23, 42}, bad = 97;
    int V = c.vocab_size;
    float *l1 = (float *)malloc(sizeof(float) * 6 * V), *l2 = (float *)malloc(sizeof(float) * 6 * V);
    REQUIRE(r, "random model");
    m = ref_create(&c, ref_random_model_weights(r), 6);
    REQUIRE(m, "ref_create");
    CHECK(ref_forward(m, tok, 4, l1) == 0 && ref_position(m) == 4, "first 4");
    CHECK(ref_forward(m, tok + 4, 3, NULL) == -1 && ref_position(m) == 4, "overflow accepted");
    CHECK(ref_forward(m, &bad, 1, NULL) == -1 && ref_position(m) == 4, "token %d accepted (vocab %d)", bad, V);
    CHECK(ref_forward(m, tok + 4, 2, l1 + 4 * V) == 0 && ref_position(m) == 6, "fill to capacity");
    CHECK(ref_forward(m, tok, 1, NULL) == -1, "past capacity accepted");
    ref_reset(m);
    CHECK(ref_position(m) == 0, "reset");
    CHECK(ref_forward(m, tok, 6, l2) == 0, "after reset");
    CHECK(memcmp(l1, l2, sizeof(float) * 6 * V) == 0, "rerun after reset differs");
    /* configs ref_create must refuse */
    {
        minimax_config b = c;
        b.num_kv_heads = 3;
        CHECK(!ref_create(&b, ref_random_model_weights(r), 4), "heads %% kv_heads accepted");
        b = c, b.rotary_dim = 33;
        CHECK(!ref_create(&b, ref_random_model_weights(r), 4), "rotary_dim > head_dim accepted");
        b = c, b.routed_scaling_factor = 0;
        CHECK(!ref_create(&b, ref_random_model_weights(r), 4), "routed_scaling_factor 0 accepted");
    }
    free(l1), free(l2);
    ref_free(m);
    ref_random_model_free(r);
}

/* Per-layer residual RMS through the trace hook, to see activations stay sane. */
typedef struct trace_stats { int calls; double max_rms; } trace_stats;
static void trace_rms(void *user, const char *what, int layer, int start, int n, int dim, const float *rows) {
    trace_stats *s = (trace_stats *)user;
    int t, i;
    (void)what, (void)layer, (void)start;
    s->calls++;
    for (t = 0; t < n; t++) {
        double ss = 0;
        for (i = 0; i < dim; i++) ss += (double)rows[(size_t)t * dim + i] * rows[(size_t)t * dim + i];
        if (!(sqrt(ss / dim) <= s->max_rms)) s->max_rms = sqrt(ss / dim);
    }
}

static void random_models_of_several_shapes_are_finite(void) {
    /* H, layers, heads, kv, d, rotary, I, E, top_k, V, router_f32, no_bias */
    static const int shapes[][12] = {
        {64, 2, 4, 2, 32, 16, 32, 8, 2, 97, 0, 0},  {48, 3, 4, 4, 16, 16, 16, 4, 4, 50, 1, 0},
        {32, 2, 8, 1, 8, 2, 48, 16, 4, 64, 0, 1},   {96, 4, 6, 2, 32, 0, 64, 32, 8, 200, 1, 0},
        {128, 1, 8, 8, 16, 8, 32, 5, 1, 33, 0, 0},
    };
    unsigned si;
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const int *s = shapes[si];
        minimax_config c = ref_tiny_config();
        ref_random_opts o;
        ref_random_model *r;
        ref_model *m;
        trace_stats st = {0, 0};
        int32_t tok[12];
        float *lg;
        double mean = 0, var = 0;
        int t, i, n = 12;
        c.hidden_size = s[0], c.num_layers = s[1], c.num_heads = s[2], c.num_kv_heads = s[3], c.head_dim = s[4];
        c.rotary_dim = s[5], c.intermediate_size = s[6], c.num_experts = s[7], c.top_k = s[8], c.vocab_size = s[9];
        o.router_f32 = s[10], o.no_bias = s[11];
        r = ref_random_model_create_opts(&c, 1000 + si, &o);
        REQUIRE(r, "shape %u: random model", si);
        m = ref_create(&c, ref_random_model_weights(r), n);
        REQUIRE(m, "shape %u: ref_create", si);
        ref_set_trace(m, trace_rms, &st);
        for (t = 0; t < n; t++) tok[t] = (int32_t)((t * 7919 + si) % (unsigned)c.vocab_size);
        lg = (float *)malloc(sizeof(float) * n * c.vocab_size);
        CHECK(ref_forward(m, tok, n, lg) == 0, "shape %u: forward", si);
        CHECK(count_nonfinite(lg, (int64_t)n * c.vocab_size) == 0, "shape %u: non-finite logits", si);
        for (i = 0; i < n * c.vocab_size; i++) mean += lg[i];
        mean /= n * c.vocab_size;
        for (i = 0; i < n * c.vocab_size; i++) var += (lg[i] - mean) * (lg[i] - mean);
        var /= n * c.vocab_size;
        CHECK(sqrt(var) > 0.1 && sqrt(var) < 100, "shape %u: logit std %g", si, sqrt(var));
        CHECK(st.calls == 2 + 2 * c.num_layers, "shape %u: %d trace calls", si, st.calls);
        CHECK(st.max_rms < 100, "shape %u: residual RMS reaches %g", si, st.max_rms);
        printf("    shape %u: logit std %.3g, max residual RMS %.3g\n", si, sqrt(var), st.max_rms);
        free(lg);
        ref_free(m);
        ref_random_model_free(r);
    }
}

/* The random checkpoint has every tensor, no zero matrix, and is seeded. */
static void random_model_is_complete_and_seeded(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *a = ref_random_model_create(&c, 5), *b = ref_random_model_create(&c, 5), *d = ref_random_model_create(&c, 6);
    const minimax__weights *wa, *wb, *wd;
    int L, e, nonzero = 1;
    REQUIRE(a && b && d, "random models");
    wa = ref_random_model_weights(a), wb = ref_random_model_weights(b), wd = ref_random_model_weights(d);
    CHECK(memcmp(wa->embed->data, wb->embed->data, (size_t)wa->embed->nbytes) == 0, "same seed, different data");
    CHECK(memcmp(wa->embed->data, wd->embed->data, (size_t)wa->embed->nbytes) != 0, "different seed, same data");
    CHECK(strcmp(wa->layers[1].q_proj->name, "model.layers.1.self_attn.q_proj.weight") == 0, "name %s",
          wa->layers[1].q_proj->name);
    for (L = 0; L < c.num_layers; L++)
        for (e = 0; e < c.num_experts; e++) {
            const minimax__fp4_matrix *ms[3];
            int j;
            ms[0] = &wa->layers[L].w1[e], ms[1] = &wa->layers[L].w2[e], ms[2] = &wa->layers[L].w3[e];
            for (j = 0; j < 3; j++) {
                int64_t i, nz = 0;
                for (i = 0; i < ms[j]->rows * ms[j]->cols / 2; i++) nz += (ms[j]->packed[i] & 0x77) != 0;
                nonzero &= nz > ms[j]->rows * ms[j]->cols / 4 && ms[j]->weight_scale_2 > 0;
            }
        }
    CHECK(nonzero, "an expert matrix is (mostly) zero");
    CHECK(wa->layers[0].w1[0].rows == c.intermediate_size && wa->layers[0].w1[0].cols == c.hidden_size &&
              wa->layers[0].w2[0].rows == c.hidden_size && wa->layers[0].w2[0].cols == c.intermediate_size,
          "expert shapes");
    ref_random_model_free(a), ref_random_model_free(b), ref_random_model_free(d);
}

static void compare_measures(void) {
    float want[4] = {1.0f, -2.0f, 4.0f, 0.5f}, got[4] = {1.0f, -2.5f, 4.0f, 0.5f};
    ref_cmp c = ref_compare(got, want, 4);
    CHECK(c.max_abs == 0.5 && c.max_rel == 0.125 && c.worst_index == 1 && c.nonfinite == 0, "abs %g rel %g at %lld",
          c.max_abs, c.max_rel, (long long)c.worst_index);
    CHECK(fabs(c.nmse - 0.25 / 21.25) < 1e-12, "nmse %g", c.nmse);
    got[0] = NAN, got[3] = 100.0f; /* a NaN, then a larger finite error: the NaN must stick */
    c = ref_compare(got, want, 4);
    CHECK(isnan(c.max_abs) && isnan(c.max_rel) && !(c.max_rel < 1.0) && c.worst_index == 0 && c.nonfinite == 1,
          "NaN lost: abs %g at %lld", c.max_abs, (long long)c.worst_index);
    {
        float b[3] = {1.00390625f, 1.01171875f, -3.0f}; /* ties to even: down, up; exact */
        ref_round_bf16(b, 3);
        CHECK(b[0] == 1.0f && b[1] == 1.015625f && b[2] == -3.0f, "bf16 rounding %g %g %g", b[0], b[1], b[2]);
    }
    got[0] = INFINITY;
    c = ref_compare(got, want, 4);
    CHECK(c.nonfinite == 1 && !(c.max_rel < 1.0), "Inf: rel %g", c.max_rel);
}

int main(void) {
    RUN(rmsnorm_matches_definition);
    RUN(matvec_bf16_and_f32_match_naive);
    RUN(matvec_fp4_matches_elementwise_decode);
    RUN(matvec_fp4_hand_example);
    RUN(rope_model_md_vectors);
    RUN(rope_matches_complex_rotation);
    RUN(qk_norm_is_one_rms_over_all_heads);
    RUN(attention_matches_naive);
    RUN(router_hand_example);
    RUN(router_matches_sort_on_random_models);
    RUN(expert_matches_dense_dequantisation);
    RUN(moe_is_the_weighted_sum_of_routed_experts);
    RUN(whole_model_matches_naive_sequence_forward);
    RUN(prefill_equals_single_steps);
    RUN(attention_is_causal);
    RUN(cache_limits_and_reset);
    RUN(random_models_of_several_shapes_are_finite);
    RUN(random_model_is_complete_and_seeded);
    RUN(compare_measures);
    (void)test_rng_normal;
    return test_summary();
}
