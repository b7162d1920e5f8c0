/* ===========================================================================
   CPU REFERENCE: the MiniMax-M2 forward pass in plain C (tests only)
   ===========================================================================
   The oracle for every GPU kernel and for the whole model. It implements
   MODEL.md section 2 literally, one token row at a time, for clarity, not
   speed. Include it after the implementation:

       #define MINIMAX_IMPLEMENTATION
       #include "minimax_nvfp4.h"
       #include "ref.h"

   Precision (chosen so that a float32 Hugging Face forward pass with the
   dequantised weights is matched to float rounding):
   - activations are float32 arrays between the steps of MODEL.md section 2;
   - every dot product (projections, experts, router, lm_head, attention
     scores and the attention-weighted sum of V) accumulates in double and is
     rounded to float once;
   - RMSNorm: mean of squares in double, x * rsqrt(mean + eps) rounded to
     float, then multiplied by the weight in float (HF order; with float32
     activations HF's cast back to the activation dtype is a no-op);
   - RoPE: inv_freq[i] = 1 / theta^(2i/rotary_dim) and angle = float(pos) *
     inv_freq[i], each step rounded to float as HF builds its cos/sin tables
     in float32 (at position 10^4 the angle's float rounding alone moves it
     by ~5e-4 rad, so this matters for long-context comparisons); cos/sin of
     that float angle and the rotation in double;
   - softmax in double;
   - router: logits, sigmoid scores and biased choice values are each rounded
     to float (an fp32 router, MODEL.md 2.5), so that top-k selection is a
     function of float values that a GPU kernel can reproduce; ties go to the
     lower expert id;
   - NVFP4 weights are dequantised exactly as minimax__nvfp4_element does:
     (e2m1 * e4m3(scale)) * weight_scale_2 in float (the first product is
     exact), each matrix with its own weight_scale_2;
   - the KV cache is float32 (the GPU keeps BF16: that is its tolerance).
   Prefill of n tokens runs layer by layer over all n rows; each row's
   arithmetic is identical to a single step, so prefill and n single steps
   agree bit for bit.
   Checked: tests/test_ref.c (each op against an independent naive version,
   the model against a sequence-level naive forward) and tests/test_golden.c
   (transformers float32 logits: max |dlogit| ~4e-6, the float32 noise floor).

   Also here: ref_random_model, an in-memory random checkpoint (config +
   minimax__weights) with realistic scales, so that tests need no files, and
   ref_compare, the error measures GPU tests report.

   API (all static; no global state, so threads may share a weights view):
     model     ref_create / ref_free / ref_reset / ref_position / ref_forward,
               ref_set_trace (hidden states at named points), ref_k_cache /
               ref_v_cache (the float cache rows of a layer)
     ops       ref_embed, ref_rmsnorm, ref_matvec_bf16 (BF16/F16/F32),
               ref_fp4_row, ref_matvec_fp4, ref_rope_inv_freq, ref_rope_head,
               ref_qk_norm_rope, ref_attention, ref_router_scores, ref_route,
               ref_silu, ref_expert, ref_moe
     weights   ref_tiny_config, ref_random_model_create(_opts),
               ref_random_model_weights / _config / _free
     checking  ref_compare, ref_round_bf16
   =========================================================================== */
#ifndef MINIMAX_REF_H
#define MINIMAX_REF_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define REF__UNUSED __attribute__((unused))
#else
#define REF__UNUSED
#endif
#define REF_API static REF__UNUSED

/* ---- single ops ------------------------------------------------------------ */

/* out[i] = w[i] * float(x[i] / sqrt(mean(x^2) + eps)), i < n. w may be BF16/F16/F32.
   out may equal x. */
REF_API void ref_rmsnorm(const float *x, const minimax__tensor *w, int n, float eps, float *out) {
    double ss = 0.0, inv;
    int i;
    for (i = 0; i < n; i++) ss += (double)x[i] * (double)x[i];
    inv = 1.0 / sqrt(ss / (double)n + (double)eps);
    for (i = 0; i < n; i++) {
        float normed = (float)((double)x[i] * inv);
        out[i] = minimax__tensor_f32(w, i) * normed;
    }
}

/* Decodes row r of a [rows, cols] BF16/F16/F32 tensor into float. */
static void ref__tensor_row(const minimax__tensor *w, int64_t r, int64_t cols, float *row) {
    int64_t c;
    if (w->dtype == MINIMAX__DT_BF16) {
        const uint8_t *p = w->data + 2 * r * cols;
        for (c = 0; c < cols; c++) {
            uint16_t h;
            memcpy(&h, p + 2 * c, 2);
            row[c] = minimax__bf16_to_f32(h);
        }
    } else if (w->dtype == MINIMAX__DT_F32) {
        memcpy(row, w->data + 4 * r * cols, (size_t)cols * 4);
    } else {
        for (c = 0; c < cols; c++) row[c] = minimax__tensor_f32(w, r * cols + c);
    }
}

/* y[r] = sum_c W[r,c] * x[c] for a [rows, cols] BF16 (or F16/F32) tensor,
   accumulated in double. y must not alias x. */
REF_API void ref_matvec_bf16(const minimax__tensor *w /*[rows, cols]*/, const float *x, float *y) {
    int64_t rows = w->shape[0], cols = w->ndim >= 2 ? w->shape[1] : 1, r, c;
    float *row = (float *)malloc((size_t)cols * sizeof(float));
    if (!row) { /* tests only: make the failure loud instead of silently wrong */
        for (r = 0; r < rows; r++) y[r] = NAN;
        return;
    }
    for (r = 0; r < rows; r++) {
        double acc = 0.0;
        ref__tensor_row(w, r, cols, row);
        for (c = 0; c < cols; c++) acc += (double)row[c] * (double)x[c];
        y[r] = (float)acc;
    }
    free(row);
}

/* Dequantises row n of an NVFP4 matrix: W[n,k] = (e2m1 * e4m3(scale[n,k/16])) * ws2. */
REF_API void ref_fp4_row(const minimax__fp4_matrix *m, int64_t n, float *row /*[cols]*/) {
    int64_t k;
    float scale = 0.0f;
    for (k = 0; k < m->cols; k++) {
        uint8_t byte = m->packed[n * (m->cols / 2) + k / 2];
        uint8_t code = (uint8_t)((k & 1) ? (byte >> 4) : (byte & 15));
        if (k % 16 == 0) scale = minimax__e4m3_to_f32(m->scales[n * (m->cols / 16) + k / 16]);
        row[k] = (minimax__e2m1_values[code] * scale) * m->weight_scale_2;
    }
}

/* y[n] = sum_k W[n,k] * x[k] for an NVFP4 [rows, cols] matrix (W4A16 in
   spirit: x stays float), accumulated in double. y must not alias x. */
REF_API void ref_matvec_fp4(const minimax__fp4_matrix *m, const float *x, float *y) {
    int64_t n, k;
    float *row = (float *)malloc((size_t)m->cols * sizeof(float));
    if (!row) {
        for (n = 0; n < m->rows; n++) y[n] = NAN;
        return;
    }
    for (n = 0; n < m->rows; n++) {
        double acc = 0.0;
        ref_fp4_row(m, n, row);
        for (k = 0; k < m->cols; k++) acc += (double)row[k] * (double)x[k];
        y[n] = (float)acc;
    }
    free(row);
}

/* inv_freq[i] = theta^(-2i/rotary_dim) with Hugging Face's float32 roundings:
   1.0f / float(theta ^ float(2i / rotary_dim)). */
REF_API float ref_rope_inv_freq(const minimax_config *cfg, int i) {
    float expo = (float)(2 * i) / (float)cfg->rotary_dim;
    float p = (float)pow((double)cfg->rope_theta, (double)expo);
    return 1.0f / p;
}

/* NeoX rotation of the first rotary_dim dims of one head vector x[head_dim]
   at position pos: pairs (i, i + rotary_dim/2), angle = pos * inv_freq[i]. */
REF_API void ref_rope_head(const minimax_config *cfg, int pos, float *x) {
    int half = cfg->rotary_dim / 2, i;
    for (i = 0; i < half; i++) {
        float angle = (float)pos * ref_rope_inv_freq(cfg, i);
        double c = cos((double)angle), s = sin((double)angle);
        double a = x[i], b = x[i + half];
        x[i] = (float)(a * c - b * s);
        x[i + half] = (float)(b * c + a * s);
    }
}

/* QK-norm then partial RoPE for one token, in place:
   q [num_heads*head_dim]: ONE RMS over all of it, weight q_norm [num_heads*head_dim];
   k [num_kv_heads*head_dim]: ONE RMS over all of it, weight k_norm;
   then ref_rope_head on every head of q and k (head h = columns [h*d, (h+1)*d)). */
REF_API void ref_qk_norm_rope(const minimax_config *cfg, const minimax__tensor *q_norm, const minimax__tensor *k_norm,
                              int pos, float *q /*[nh*d]*/, float *k /*[nkv*d]*/) {
    int d = cfg->head_dim, h;
    ref_rmsnorm(q, q_norm, cfg->num_heads * d, cfg->rms_norm_eps, q);
    ref_rmsnorm(k, k_norm, cfg->num_kv_heads * d, cfg->rms_norm_eps, k);
    for (h = 0; h < cfg->num_heads; h++) ref_rope_head(cfg, pos, q + (size_t)h * d);
    for (h = 0; h < cfg->num_kv_heads; h++) ref_rope_head(cfg, pos, k + (size_t)h * d);
}

/* Attention of one query token over n_ctx cached tokens (the causal mask is
   the caller's choice of n_ctx: the query's own position + 1).
   q [nh*d]; k_cache, v_cache [n_ctx][nkv*d]; out [nh*d] (head-major).
   Query head h uses KV head h / (nh/nkv); scale 1/sqrt(head_dim); softmax in double. */
REF_API void ref_attention(const minimax_config *cfg, const float *q /*[nh*d]*/, const float *k_cache /*[n_ctx][nkv*d]*/,
                           const float *v_cache, int n_ctx, float *out /*[nh*d]*/) {
    int d = cfg->head_dim, nkv = cfg->num_kv_heads, group = cfg->num_heads / cfg->num_kv_heads;
    size_t stride = (size_t)nkv * d;
    double scale = 1.0 / sqrt((double)d);
    double *p = (double *)malloc((size_t)(n_ctx > 0 ? n_ctx : 1) * sizeof(double));
    double *acc = (double *)malloc((size_t)d * sizeof(double));
    int h, t, i;
    if (!p || !acc) {
        for (i = 0; i < cfg->num_heads * d; i++) out[i] = NAN;
        free(p);
        free(acc);
        return;
    }
    for (h = 0; h < cfg->num_heads; h++) {
        int g = h / group;
        const float *qh = q + (size_t)h * d;
        double mx = -INFINITY, sum = 0.0;
        for (t = 0; t < n_ctx; t++) {
            const float *kt = k_cache + t * stride + (size_t)g * d;
            double s = 0.0;
            for (i = 0; i < d; i++) s += (double)qh[i] * (double)kt[i];
            p[t] = s * scale;
            if (p[t] > mx) mx = p[t];
        }
        for (t = 0; t < n_ctx; t++) {
            p[t] = exp(p[t] - mx);
            sum += p[t];
        }
        for (i = 0; i < d; i++) acc[i] = 0.0;
        for (t = 0; t < n_ctx; t++) {
            const float *vt = v_cache + t * stride + (size_t)g * d;
            for (i = 0; i < d; i++) acc[i] += p[t] * (double)vt[i];
        }
        for (i = 0; i < d; i++) out[(size_t)h * d + i] = (float)(acc[i] / sum);
    }
    free(p);
    free(acc);
}

/* Router scores of one token (fp32 router, MODEL.md 2.5):
     logits[e] = h . router[e]          (router BF16 or F32, double accumulation -> float)
     scores[e] = sigmoid(logits[e])     (-> float)
     choice[e] = scores[e] + bias[e]    (-> float; bias 0 when the layer has none)
   Any output pointer may be NULL. */
REF_API void ref_router_scores(const minimax_config *cfg, const minimax__layer_weights *lw, const float *h,
                               float *logits /*[E]*/, float *scores /*[E]*/, float *choice /*[E]*/) {
    int E = cfg->num_experts, e;
    float *lg = (float *)malloc((size_t)E * sizeof(float));
    if (!lg) return;
    ref_matvec_bf16(lw->router, h, lg);
    for (e = 0; e < E; e++) {
        float s = (float)(1.0 / (1.0 + exp(-(double)lg[e])));
        float b = lw->router_bias ? minimax__tensor_f32(lw->router_bias, e) : 0.0f;
        if (logits) logits[e] = lg[e];
        if (scores) scores[e] = s;
        if (choice) choice[e] = s + b;
    }
    free(lg);
}

/* Top-k routing of one token: idx = the top_k experts by choice value in
   descending order (ties: lower expert id first), wts[j] = scores[idx[j]] /
   sum_j scores[idx[j]] * routed_scaling_factor (unbiased sigmoid scores). */
REF_API void ref_route(const minimax_config *cfg, const minimax__layer_weights *lw, const float *h, int *idx /*[top_k]*/,
                       float *wts /*[top_k]*/) {
    int E = cfg->num_experts, K = cfg->top_k, j, e;
    float *scores = (float *)malloc((size_t)E * sizeof(float));
    float *choice = (float *)malloc((size_t)E * sizeof(float));
    unsigned char *taken = (unsigned char *)calloc((size_t)E, 1);
    double sum = 0.0;
    if (!scores || !choice || !taken) {
        for (j = 0; j < K; j++) {
            idx[j] = -1;
            wts[j] = NAN;
        }
        free(scores);
        free(choice);
        free(taken);
        return;
    }
    ref_router_scores(cfg, lw, h, NULL, scores, choice);
    for (j = 0; j < K; j++) {
        int best = -1;
        for (e = 0; e < E; e++) /* strict > keeps the lower id on a tie */
            if (!taken[e] && (best < 0 || choice[e] > choice[best])) best = e;
        if (best < 0) break; /* top_k > num_experts: ref_create refuses such configs */
        taken[best] = 1;
        idx[j] = best;
        sum += scores[best];
    }
    for (j = 0; j < K; j++) wts[j] = (float)((double)scores[idx[j]] / sum * (double)cfg->routed_scaling_factor);
    free(scores);
    free(choice);
    free(taken);
}

/* silu(z) = z * sigmoid(z), in double, rounded to float. */
REF_API float ref_silu(float z) { return (float)((double)z / (1.0 + exp(-(double)z))); }

/* One expert on one token: out[H] = W2 ( silu(W1 h) * (W3 h) ), with
   g = W1 h and u = W3 h each rounded to float, a = silu(g) * u in float. */
REF_API void ref_expert(const minimax__layer_weights *lw, int e, const float *h, float *out /*[H]*/) {
    const minimax__fp4_matrix *w1 = &lw->w1[e], *w2 = &lw->w2[e], *w3 = &lw->w3[e];
    int64_t inter = w1->rows, i;
    float *g = (float *)malloc((size_t)inter * sizeof(float));
    float *u = (float *)malloc((size_t)inter * sizeof(float));
    if (!g || !u) {
        for (i = 0; i < w2->rows; i++) out[i] = NAN;
        free(g);
        free(u);
        return;
    }
    ref_matvec_fp4(w1, h, g);
    ref_matvec_fp4(w3, h, u);
    for (i = 0; i < inter; i++) g[i] = ref_silu(g[i]) * u[i];
    ref_matvec_fp4(w2, g, out);
    free(g);
    free(u);
}

/* The whole MoE block on one (already normed) token: out[H] = sum_j wts[j] * expert(idx[j], h),
   summed in double in the order of idx. Writes idx/wts when not NULL. */
REF_API void ref_moe(const minimax_config *cfg, const minimax__layer_weights *lw, const float *h, float *out /*[H]*/,
                     int *idx_out, float *wts_out) {
    int H = cfg->hidden_size, K = cfg->top_k, j, i;
    int *idx = (int *)malloc((size_t)K * sizeof(int));
    float *wts = (float *)malloc((size_t)K * sizeof(float));
    float *y = (float *)malloc((size_t)H * sizeof(float));
    double *acc = (double *)calloc((size_t)H, sizeof(double));
    if (!idx || !wts || !y || !acc) {
        for (i = 0; i < H; i++) out[i] = NAN;
    } else {
        ref_route(cfg, lw, h, idx, wts);
        for (j = 0; j < K; j++) {
            ref_expert(lw, idx[j], h, y);
            for (i = 0; i < H; i++) acc[i] += (double)wts[j] * (double)y[i];
        }
        for (i = 0; i < H; i++) out[i] = (float)acc[i];
        if (idx_out) memcpy(idx_out, idx, (size_t)K * sizeof(int));
        if (wts_out) memcpy(wts_out, wts, (size_t)K * sizeof(float));
    }
    free(idx);
    free(wts);
    free(y);
    free(acc);
}

/* ---- the model with its KV cache ---------------------------------------------- */

/* Called, when set, at named points of ref_forward with the n rows being
   processed ([n][dim] floats, row t = position start + t):
     "embed"     layer -1, dim H: the embedding rows
     "attn_out"  layer L,  dim H: x after the attention residual
     "layer_out" layer L,  dim H: x after the MoE residual
     "final"     layer -1, dim H: after the final RMSNorm (the lm_head input) */
typedef void (*ref_trace_fn)(void *user, const char *what, int layer, int start, int n, int dim, const float *rows);

typedef struct ref_model {
    minimax_config cfg;
    const minimax__weights *w;
    int max_tokens, pos;
    float *k_cache, *v_cache; /* [num_layers][max_tokens][nkv*d] each */
    ref_trace_fn trace;
    void *trace_user;
} ref_model;

/* max_tokens: KV-cache capacity. Returns NULL on allocation failure or an
   inconsistent config (heads not a multiple of kv heads, odd or too large
   rotary_dim, hidden/intermediate sizes not multiples of 16, non-positive
   routed_scaling_factor or sizes). The weights must outlive the model. */
REF_API ref_model *ref_create(const minimax_config *cfg, const minimax__weights *w, int max_tokens) {
    ref_model *m;
    size_t n;
    if (!cfg || !w || max_tokens <= 0 || cfg->hidden_size <= 0 || cfg->num_layers <= 0 || cfg->num_heads <= 0 ||
        cfg->num_kv_heads <= 0 || cfg->num_heads % cfg->num_kv_heads || cfg->head_dim <= 0 || cfg->rotary_dim < 0 ||
        cfg->rotary_dim % 2 || cfg->rotary_dim > cfg->head_dim || cfg->hidden_size % 16 || cfg->intermediate_size <= 0 ||
        cfg->intermediate_size % 16 || cfg->num_experts <= 0 || cfg->top_k <= 0 || cfg->top_k > cfg->num_experts ||
        cfg->vocab_size <= 0 || !(cfg->routed_scaling_factor > 0.0f) || !(cfg->rms_norm_eps >= 0.0f))
        return NULL;
    m = (ref_model *)calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cfg = *cfg;
    m->w = w;
    m->max_tokens = max_tokens;
    n = (size_t)cfg->num_layers * (size_t)max_tokens * (size_t)cfg->num_kv_heads * (size_t)cfg->head_dim;
    m->k_cache = (float *)calloc(n, sizeof(float));
    m->v_cache = (float *)calloc(n, sizeof(float));
    if (!m->k_cache || !m->v_cache) {
        free(m->k_cache);
        free(m->v_cache);
        free(m);
        return NULL;
    }
    return m;
}

REF_API void ref_free(ref_model *m) {
    if (!m) return;
    free(m->k_cache);
    free(m->v_cache);
    free(m);
}

REF_API void ref_reset(ref_model *m) { m->pos = 0; }                 /* empty the KV cache */
REF_API int ref_position(const ref_model *m) { return m->pos; }      /* tokens in the cache */
REF_API void ref_set_trace(ref_model *m, ref_trace_fn fn, void *user) {
    m->trace = fn;
    m->trace_user = user;
}

/* K or V cache rows of one layer: [max_tokens][nkv*d]. */
REF_API float *ref_k_cache(const ref_model *m, int layer) {
    return m->k_cache + (size_t)layer * m->max_tokens * m->cfg.num_kv_heads * m->cfg.head_dim;
}
REF_API float *ref_v_cache(const ref_model *m, int layer) {
    return m->v_cache + (size_t)layer * m->max_tokens * m->cfg.num_kv_heads * m->cfg.head_dim;
}

/* Embedding row of a token, no scaling. */
REF_API void ref_embed(const minimax_config *cfg, const minimax__weights *w, int32_t token, float *x /*[H]*/) {
    ref__tensor_row(w->embed, token, cfg->hidden_size, x);
}

/* Appends n tokens (positions ref_position() .. +n-1) and writes logits
   [n][vocab_size] (logits may be NULL to skip the lm_head). Returns 0, or -1
   when the cache would overflow, a token is out of range or memory runs out
   (the cache is then unchanged). */
REF_API int ref_forward(ref_model *m, const int32_t *tokens, int n, float *logits) {
    const minimax_config *c = &m->cfg;
    int H = c->hidden_size, d = c->head_dim, qdim = c->num_heads * d, kvdim = c->num_kv_heads * d;
    int start = m->pos, L, t, i, rc = -1;
    float *x = NULL, *h = NULL, *q = NULL, *att = NULL, *y = NULL;
    if (n < 0 || n > m->max_tokens - start) return -1;
    for (t = 0; t < n; t++)
        if (tokens[t] < 0 || tokens[t] >= c->vocab_size) return -1;
    if (n == 0) return 0;
    x = (float *)malloc((size_t)n * H * sizeof(float));   /* residual stream, [n][H] */
    h = (float *)malloc((size_t)H * sizeof(float));       /* normed row */
    q = (float *)malloc((size_t)n * qdim * sizeof(float)); /* query rows, [n][nh*d] */
    att = (float *)malloc((size_t)qdim * sizeof(float));  /* one attention output row */
    y = (float *)malloc((size_t)H * sizeof(float));       /* one block output row */
    if (!x || !h || !q || !att || !y) goto done;

    for (t = 0; t < n; t++) ref_embed(c, m->w, tokens[t], x + (size_t)t * H);
    if (m->trace) m->trace(m->trace_user, "embed", -1, start, n, H, x);

    for (L = 0; L < c->num_layers; L++) {
        const minimax__layer_weights *lw = &m->w->layers[L];
        float *kc = ref_k_cache(m, L), *vc = ref_v_cache(m, L);
        /* Q, K, V of all n rows first (K and V straight into the cache);
           row t then attends to positions 0 .. start+t only: the causal mask. */
        for (t = 0; t < n; t++) {
            float *qt = q + (size_t)t * qdim;
            float *kt = kc + (size_t)(start + t) * kvdim, *vt = vc + (size_t)(start + t) * kvdim;
            ref_rmsnorm(x + (size_t)t * H, lw->input_norm, H, c->rms_norm_eps, h);
            ref_matvec_bf16(lw->q_proj, h, qt);
            ref_matvec_bf16(lw->k_proj, h, kt);
            ref_matvec_bf16(lw->v_proj, h, vt);
            ref_qk_norm_rope(c, lw->q_norm, lw->k_norm, start + t, qt, kt);
        }
        for (t = 0; t < n; t++) {
            float *xt = x + (size_t)t * H;
            ref_attention(c, q + (size_t)t * qdim, kc, vc, start + t + 1, att);
            ref_matvec_bf16(lw->o_proj, att, y);
            for (i = 0; i < H; i++) xt[i] += y[i];
        }
        if (m->trace) m->trace(m->trace_user, "attn_out", L, start, n, H, x);
        for (t = 0; t < n; t++) {
            float *xt = x + (size_t)t * H;
            ref_rmsnorm(xt, lw->post_attn_norm, H, c->rms_norm_eps, h);
            ref_moe(c, lw, h, y, NULL, NULL);
            for (i = 0; i < H; i++) xt[i] += y[i];
        }
        if (m->trace) m->trace(m->trace_user, "layer_out", L, start, n, H, x);
    }
    for (t = 0; t < n; t++) ref_rmsnorm(x + (size_t)t * H, m->w->final_norm, H, c->rms_norm_eps, x + (size_t)t * H);
    if (m->trace) m->trace(m->trace_user, "final", -1, start, n, H, x);
    if (logits)
        for (t = 0; t < n; t++) ref_matvec_bf16(m->w->lm_head, x + (size_t)t * H, logits + (size_t)t * c->vocab_size);
    m->pos = start + n;
    rc = 0;
done:
    free(x);
    free(h);
    free(q);
    free(att);
    free(y);
    return rc;
}

/* ---- an in-memory random checkpoint ------------------------------------------------
   Every tensor of MODEL.md section 3 with the config's shapes, values from a
   seeded generator, never zeros:
     embed            N(0,1)                       BF16 [V,H]
     norms            1 + 0.1 N(0,1)               BF16 (q_norm/k_norm too)
     q/k/v_proj       N(0,1)/sqrt(H)               BF16   (unit-RMS input -> ~unit outputs)
     o_proj           N(0,1)/sqrt(nh*d)            BF16
     router           N(0,1)/sqrt(H)               BF16 or F32 (opts)
     router_bias      0.1 N(0,1)                   BF16 or F32 (large enough to change selections)
     w1, w3           N(0,1)/sqrt(H), w3 x 1.5     NVFP4 via minimax__nvfp4_quantize (own ws2 each)
     w2               N(0,1)/sqrt(I)               NVFP4
     lm_head          N(0,1)/sqrt(H) * 2           BF16
   Tensors carry their checkpoint names for messages. */

typedef struct ref_random_opts {
    int router_f32;   /* router weight and bias stored as F32 instead of BF16 */
    int no_bias;      /* router_bias = NULL (a model without use_routing_bias) */
} ref_random_opts;

typedef struct ref_random_model {
    minimax_config cfg;
    minimax__weights weights;
    void **allocs; /* everything to free */
    int n_allocs, cap_allocs;
    int failed;
    uint64_t rng;
    double spare; /* the second normal of the last pair */
    int has_spare;
} ref_random_model;

static void *ref__keep(ref_random_model *r, void *p) {
    if (!p) {
        r->failed = 1;
        return NULL;
    }
    if (r->n_allocs == r->cap_allocs) {
        int cap = r->cap_allocs ? 2 * r->cap_allocs : 256;
        void **a = (void **)realloc(r->allocs, (size_t)cap * sizeof(void *));
        if (!a) {
            free(p);
            r->failed = 1;
            return NULL;
        }
        r->allocs = a;
        r->cap_allocs = cap;
    }
    r->allocs[r->n_allocs++] = p;
    return p;
}

static void *ref__calloc(ref_random_model *r, size_t n) { return ref__keep(r, calloc(1, n ? n : 1)); }

/* xorshift64* uniforms in [0,1) and normals (double). */
static double ref__uniform(ref_random_model *r) {
    uint64_t s = r->rng;
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    r->rng = s;
    return (double)((s * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static double ref__normal(ref_random_model *r) {
    double u, v, q, f;
    if (r->has_spare) { /* the polar method makes two normals at a time */
        r->has_spare = 0;
        return r->spare;
    }
    do { /* Marsaglia's polar method: no trigonometry */
        u = 2.0 * ref__uniform(r) - 1.0;
        v = 2.0 * ref__uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    f = sqrt(-2.0 * log(q) / q);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

/* A tensor of the given dtype (BF16 or F32) filled with offset + std * N(0,1). */
static const minimax__tensor *ref__tensor(ref_random_model *r, const char *name, minimax__dtype dt, int ndim,
                                          int64_t d0, int64_t d1, double offset, double std) {
    minimax__tensor *t = (minimax__tensor *)ref__calloc(r, sizeof *t);
    char *nm = (char *)ref__calloc(r, strlen(name) + 1);
    int64_t count = ndim == 2 ? d0 * d1 : d0, i;
    size_t es = dt == MINIMAX__DT_F32 ? 4 : 2;
    uint8_t *data = (uint8_t *)ref__calloc(r, (size_t)count * es);
    if (!t || !nm || !data) return NULL;
    memcpy(nm, name, strlen(name) + 1);
    t->name = nm;
    t->file = "(random)";
    t->dtype = dt;
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = ndim == 2 ? d1 : 0;
    t->data = data;
    t->nbytes = (uint64_t)count * es;
    for (i = 0; i < count; i++) {
        float v = (float)(offset + std * ref__normal(r));
        if (dt == MINIMAX__DT_F32) memcpy(data + 4 * i, &v, 4);
        else {
            uint16_t b = minimax__f32_to_bf16(v);
            memcpy(data + 2 * i, &b, 2);
        }
    }
    return t;
}

static void ref__fp4(ref_random_model *r, minimax__fp4_matrix *m, int64_t rows, int64_t cols, double std) {
    float *w = (float *)malloc((size_t)(rows * cols) * sizeof(float));
    uint8_t *packed = (uint8_t *)ref__calloc(r, (size_t)(rows * cols / 2));
    uint8_t *scales = (uint8_t *)ref__calloc(r, (size_t)(rows * cols / 16));
    int64_t i;
    if (!w || !packed || !scales) {
        free(w);
        r->failed = 1;
        return;
    }
    for (i = 0; i < rows * cols; i++) w[i] = (float)(std * ref__normal(r));
    minimax__nvfp4_quantize(w, rows, cols, packed, scales, &m->weight_scale_2);
    m->rows = rows;
    m->cols = cols;
    m->packed = packed;
    m->scales = scales;
    m->input_scale = 0.0f;
    free(w);
}

REF_API void ref_random_model_free(ref_random_model *r) {
    int i;
    if (!r) return;
    for (i = r->n_allocs - 1; i >= 0; i--) free(r->allocs[i]);
    free(r->allocs);
    free(r);
}

/* Builds the random checkpoint for cfg (which must pass ref_create's checks).
   Returns NULL on allocation failure. */
REF_API ref_random_model *ref_random_model_create_opts(const minimax_config *cfg, uint64_t seed,
                                                       const ref_random_opts *opts) {
    ref_random_model *r = (ref_random_model *)calloc(1, sizeof *r);
    int H, V, nh, nkv, d, inter, E, L, e;
    minimax__dtype rdt;
    char name[128];
    if (!r) return NULL;
    r->cfg = *cfg;
    r->rng = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    if (!r->rng) r->rng = 1;
    H = cfg->hidden_size;
    V = cfg->vocab_size;
    nh = cfg->num_heads;
    nkv = cfg->num_kv_heads;
    d = cfg->head_dim;
    inter = cfg->intermediate_size;
    E = cfg->num_experts;
    rdt = opts && opts->router_f32 ? MINIMAX__DT_F32 : MINIMAX__DT_BF16;

    r->weights.embed = ref__tensor(r, "model.embed_tokens.weight", MINIMAX__DT_BF16, 2, V, H, 0.0, 1.0);
    r->weights.layers =
        (minimax__layer_weights *)ref__calloc(r, (size_t)cfg->num_layers * sizeof(minimax__layer_weights));
    for (L = 0; L < cfg->num_layers && !r->failed; L++) {
        minimax__layer_weights *lw = &r->weights.layers[L];
#define REF__NAME(suffix) (snprintf(name, sizeof name, "model.layers.%d.%s", L, suffix), name)
        lw->input_norm = ref__tensor(r, REF__NAME("input_layernorm.weight"), MINIMAX__DT_BF16, 1, H, 0, 1.0, 0.1);
        lw->q_proj = ref__tensor(r, REF__NAME("self_attn.q_proj.weight"), MINIMAX__DT_BF16, 2, (int64_t)nh * d, H, 0.0,
                                 1.0 / sqrt((double)H));
        lw->k_proj = ref__tensor(r, REF__NAME("self_attn.k_proj.weight"), MINIMAX__DT_BF16, 2, (int64_t)nkv * d, H, 0.0,
                                 1.0 / sqrt((double)H));
        lw->v_proj = ref__tensor(r, REF__NAME("self_attn.v_proj.weight"), MINIMAX__DT_BF16, 2, (int64_t)nkv * d, H, 0.0,
                                 1.0 / sqrt((double)H));
        lw->o_proj = ref__tensor(r, REF__NAME("self_attn.o_proj.weight"), MINIMAX__DT_BF16, 2, H, (int64_t)nh * d, 0.0,
                                 1.0 / sqrt((double)nh * d));
        lw->q_norm = ref__tensor(r, REF__NAME("self_attn.q_norm.weight"), MINIMAX__DT_BF16, 1, (int64_t)nh * d, 0, 1.0, 0.1);
        lw->k_norm = ref__tensor(r, REF__NAME("self_attn.k_norm.weight"), MINIMAX__DT_BF16, 1, (int64_t)nkv * d, 0, 1.0, 0.1);
        lw->post_attn_norm =
            ref__tensor(r, REF__NAME("post_attention_layernorm.weight"), MINIMAX__DT_BF16, 1, H, 0, 1.0, 0.1);
        lw->router = ref__tensor(r, REF__NAME("block_sparse_moe.gate.weight"), rdt, 2, E, H, 0.0, 1.0 / sqrt((double)H));
        lw->router_bias = opts && opts->no_bias
                              ? NULL
                              : ref__tensor(r, REF__NAME("block_sparse_moe.e_score_correction_bias"), rdt, 1, E, 0, 0.0,
                                            0.1);
#undef REF__NAME
        lw->w1 = (minimax__fp4_matrix *)ref__calloc(r, (size_t)E * sizeof(minimax__fp4_matrix));
        lw->w2 = (minimax__fp4_matrix *)ref__calloc(r, (size_t)E * sizeof(minimax__fp4_matrix));
        lw->w3 = (minimax__fp4_matrix *)ref__calloc(r, (size_t)E * sizeof(minimax__fp4_matrix));
        if (r->failed) break;
        for (e = 0; e < E && !r->failed; e++) {
            ref__fp4(r, &lw->w1[e], inter, H, 1.0 / sqrt((double)H));
            ref__fp4(r, &lw->w3[e], inter, H, 1.5 / sqrt((double)H));
            ref__fp4(r, &lw->w2[e], H, inter, 1.0 / sqrt((double)inter));
        }
    }
    r->weights.final_norm = ref__tensor(r, "model.norm.weight", MINIMAX__DT_BF16, 1, H, 0, 1.0, 0.1);
    r->weights.lm_head = ref__tensor(r, "lm_head.weight", MINIMAX__DT_BF16, 2, V, H, 0.0, 2.0 / sqrt((double)H));
    if (r->failed) {
        ref_random_model_free(r);
        return NULL;
    }
    return r;
}

REF_API ref_random_model *ref_random_model_create(const minimax_config *cfg, uint64_t seed) {
    return ref_random_model_create_opts(cfg, seed, NULL);
}
REF_API const minimax__weights *ref_random_model_weights(const ref_random_model *r) { return &r->weights; }
REF_API const minimax_config *ref_random_model_config(const ref_random_model *r) { return &r->cfg; }

/* A small valid config for tests (override fields as needed):
   H 64, 2 layers, 4 heads / 2 kv heads of 32 dims, rotary 16, I 32,
   8 experts top-2, vocab 97, theta 5e6, eps 1e-6, scaling 1. */
REF_API minimax_config ref_tiny_config(void) {
    minimax_config c;
    memset(&c, 0, sizeof c);
    c.hidden_size = 64;
    c.num_layers = 2;
    c.num_heads = 4;
    c.num_kv_heads = 2;
    c.head_dim = 32;
    c.rotary_dim = 16;
    c.intermediate_size = 32;
    c.num_experts = 8;
    c.top_k = 2;
    c.vocab_size = 97;
    c.max_position_embeddings = 4096;
    c.bos_token_id = 1;
    c.eos_token_id = 2;
    c.rope_theta = 5e6f;
    c.rms_norm_eps = 1e-6f;
    c.routed_scaling_factor = 1.0f;
    return c;
}

/* Rounds n floats to BF16 and back in place (round to nearest even), to feed
   the reference exactly the BF16 activations a GPU kernel sees. */
REF_API void ref_round_bf16(float *x, int64_t n) {
    int64_t i;
    for (i = 0; i < n; i++) x[i] = minimax__bf16_to_f32(minimax__f32_to_bf16(x[i]));
}

/* ---- comparing a result with the reference -------------------------------------------
   The measures GPU tests report (as llama.cpp's test-backend-ops does):
     max_abs   max |got - want|
     max_rel   max |got - want| / max |want|  (scale-free, robust to tiny elements)
     nmse      sum (got - want)^2 / sum want^2
     nonfinite elements of got that are NaN or Inf (want is assumed finite)
   A NaN in got makes max_abs, max_rel and nmse NaN, so `err < tol` fails. */
typedef struct ref_cmp {
    double max_abs, max_rel, nmse;
    int64_t nonfinite, worst_index;
} ref_cmp;

REF_API ref_cmp ref_compare(const float *got, const float *want, int64_t n) {
    ref_cmp r;
    double num = 0.0, den = 0.0, amax = 0.0;
    int64_t i;
    memset(&r, 0, sizeof r);
    r.worst_index = -1;
    for (i = 0; i < n; i++) {
        double d = (double)got[i] - (double)want[i];
        if (!isfinite(got[i])) r.nonfinite++;
        if (isnan(r.max_abs)) {
            /* a NaN already seen: it sticks */
        } else if (isnan(d) || fabs(d) > r.max_abs) {
            r.max_abs = fabs(d);
            r.worst_index = i;
        }
        if (fabs((double)want[i]) > amax) amax = fabs((double)want[i]);
        num += d * d;
        den += (double)want[i] * (double)want[i];
    }
    r.max_rel = r.max_abs / (amax > 0.0 ? amax : 1e-30);
    r.nmse = num / (den > 0.0 ? den : 1e-30);
    return r;
}

#endif /* MINIMAX_REF_H */
