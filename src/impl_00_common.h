/* ===========================================================================
   IMPLEMENTATION: common pieces (errors, allocation, number formats)
   =========================================================================== */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__cplusplus)
#define MINIMAX__THREAD_LOCAL thread_local
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define MINIMAX__THREAD_LOCAL _Thread_local
#else
#define MINIMAX__THREAD_LOCAL __thread
#endif

/* Private functions are static (a host program sees none of them) and may go
   unused in a given program; test programs include the implementation and
   call them directly. */
#if defined(__GNUC__) || defined(__clang__)
#define MINIMAX__PRIV static __attribute__((unused))
#else
#define MINIMAX__PRIV static
#endif

#ifndef MINIMAX_MALLOC
#define MINIMAX_MALLOC(n) malloc(n)
#define MINIMAX_CALLOC(n, s) calloc(n, s)
#define MINIMAX_REALLOC(p, n) realloc(p, n)
#define MINIMAX_FREE(p) free(p)
#endif

/* ---- errors ------------------------------------------------------------ */

#define MINIMAX__ERROR_CAP 8192
static MINIMAX__THREAD_LOCAL char minimax__error_text[MINIMAX__ERROR_CAP];

/* Records a message for minimax_last_error() and returns `code`, so that
   failing paths read `return minimax__fail(MINIMAX_ERR_FORMAT, "...", ...)`. */
MINIMAX__PRIV minimax_result minimax__fail(minimax_result code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
MINIMAX__PRIV minimax_result minimax__fail(minimax_result code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(minimax__error_text, sizeof minimax__error_text, fmt, ap);
    va_end(ap);
    return code;
}

/* Appends text to the current message (for logs: NVRTC output, lists). */
MINIMAX__PRIV void minimax__fail_append(const char *text) {
    size_t used = strlen(minimax__error_text);
    if (used + 1 < sizeof minimax__error_text)
        snprintf(minimax__error_text + used, sizeof minimax__error_text - used, "%s", text);
}

/* Returns `code` keeping the message already recorded by a lower level. */
MINIMAX__PRIV minimax_result minimax__fail_code_or(minimax_result code) { return code; }

MINIMAX__PRIV void minimax__clear_error(void) { minimax__error_text[0] = 0; }

MINIMAX_API const char *minimax_last_error(void) { return minimax__error_text; }

MINIMAX_API const char *minimax_version(void) { return MINIMAX_VERSION_STRING; }

MINIMAX_API const char *minimax_result_name(minimax_result r) {
    switch (r) {
    case MINIMAX_OK: return "MINIMAX_OK";
    case MINIMAX_ERR_INVALID_ARGUMENT: return "MINIMAX_ERR_INVALID_ARGUMENT";
    case MINIMAX_ERR_IO: return "MINIMAX_ERR_IO";
    case MINIMAX_ERR_FORMAT: return "MINIMAX_ERR_FORMAT";
    case MINIMAX_ERR_UNSUPPORTED: return "MINIMAX_ERR_UNSUPPORTED";
    case MINIMAX_ERR_OUT_OF_MEMORY: return "MINIMAX_ERR_OUT_OF_MEMORY";
    case MINIMAX_ERR_NO_DEVICE: return "MINIMAX_ERR_NO_DEVICE";
    case MINIMAX_ERR_JIT: return "MINIMAX_ERR_JIT";
    case MINIMAX_ERR_DEVICE: return "MINIMAX_ERR_DEVICE";
    case MINIMAX_ERR_CANCELLED: return "MINIMAX_ERR_CANCELLED";
    case MINIMAX_ERR_CONTEXT_FULL: return "MINIMAX_ERR_CONTEXT_FULL";
    case MINIMAX_ERR_FAILED_STATE: return "MINIMAX_ERR_FAILED_STATE";
    case MINIMAX_ERR_TEMPLATE: return "MINIMAX_ERR_TEMPLATE";
    }
    return "MINIMAX_ERR_UNKNOWN";
}

/* ---- allocation ----------------------------------------------------------
   Every allocation goes through these so that a failure becomes an error
   code with the size in the message, never a crash. */

MINIMAX__PRIV void *minimax__alloc(size_t n, const char *what) {
    void *p = MINIMAX_CALLOC(1, n ? n : 1);
    if (!p) minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory allocating %zu bytes for %s", n, what);
    return p;
}

MINIMAX__PRIV char *minimax__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = (char *)MINIMAX_MALLOC(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* ---- number formats ------------------------------------------------------
   BF16: the top 16 bits of an IEEE fp32.
   E4M3 (float8_e4m3fn): sign, 4 exponent bits (bias 7), 3 mantissa bits; no
   infinities; 0x7F/0xFF are NaN; max 448; subnormals m/8 * 2^-6.
   E2M1 (FP4): bit 3 sign, bits 2..0 index the magnitudes below. Two FP4
   codes per byte: the LOW nibble holds the even (lower-index) element.
   NVFP4 dequantisation (ModelOpt):
       W[n,k] = e2m1[code(n,k)] * e4m3(weight_scale[n, k/16]) * weight_scale_2 */

static const float minimax__e2m1_values[16] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f,  6.0f,
                                               -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};

MINIMAX__PRIV float minimax__f32_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
MINIMAX__PRIV uint32_t minimax__bits_from_f32(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

MINIMAX__PRIV float minimax__bf16_to_f32(uint16_t h) { return minimax__f32_from_bits((uint32_t)h << 16); }

/* fp32 -> bf16, round to nearest even; NaN stays NaN. */
MINIMAX__PRIV uint16_t minimax__f32_to_bf16(float f) {
    uint32_t u = minimax__bits_from_f32(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

MINIMAX__PRIV float minimax__e4m3_to_f32(uint8_t v) {
    int sign = v >> 7, exp = (v >> 3) & 15, man = v & 7;
    float mag;
    if (exp == 15 && man == 7) return NAN;
    if (exp == 0) mag = ldexpf((float)man / 8.0f, -6);
    else mag = ldexpf(1.0f + (float)man / 8.0f, exp - 7);
    return sign ? -mag : mag;
}

/* fp32 -> e4m3fn, round to nearest even (as torch's cast), values whose
   magnitude rounds above 448 saturate to 448 (ModelOpt never produces them:
   block scales are at most 448 by construction). NaN -> 0x7F. */
MINIMAX__PRIV uint8_t minimax__f32_to_e4m3(float f) {
    uint8_t sign = (uint8_t)(signbit(f) ? 0x80 : 0);
    float a = fabsf(f);
    int e;
    float m;
    uint32_t q;
    if (isnan(f)) return 0x7f;
    if (a >= 464.0f) return (uint8_t)(sign | 0x7e); /* 464 is the tie between 448 and 480 */
    if (a < ldexpf(1.0f, -6)) {                      /* subnormal: steps of 2^-9 */
        q = (uint32_t)nearbyintf(a * 512.0f);        /* default rounding mode: nearest even */
        return (uint8_t)(sign | q);                  /* q == 8 is the smallest normal, still correct */
    }
    m = frexpf(a, &e); /* a = m * 2^e, m in [0.5,1) */
    e -= 1;            /* a = (2m) * 2^e, 2m in [1,2) */
    q = (uint32_t)nearbyintf((2.0f * m - 1.0f) * 8.0f);
    if (q == 8) {
        q = 0;
        e += 1;
    }
    return (uint8_t)(sign | (uint32_t)((e + 7) << 3) | q);
}

/* fp32 -> E2M1 code with ModelOpt's rounding (its _cast_fp4): bounds
   0.25 0.75 1.25 1.75 2.5 3.5 5; a value equal to a bound rounds to the even
   mantissa (0.25->0, 0.75->1, 1.25->1, 1.75->2, 2.5->2, 3.5->4, 5->4). The
   sign bit is set for every negative input, so -0.1 encodes as -0 (code 8). */
MINIMAX__PRIV uint8_t minimax__f32_to_e2m1(float x) {
    static const float bounds[7] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};
    uint8_t sign = (uint8_t)(x < 0.0f ? 8 : 0);
    float a = fabsf(x);
    uint8_t ord = 0;
    int i;
    for (i = 0; i < 7; i++) {
        if (a > bounds[i]) ord++;
        else if (a == bounds[i] && (i & 1)) ord++; /* odd bounds round up */
    }
    return (uint8_t)(sign | ord);
}

/* Quantises a [rows, cols] fp32 matrix to NVFP4 exactly as ModelOpt's
   NVFP4QTensor does (cols a multiple of 16):
     weight_scale_2 = amax(|W|) / (6 * 448)
     s[n,b]         = amax(|W[n, 16b..16b+15]|) / (6 * weight_scale_2)   (fp32, in this order)
     scale[n,b]     = e4m3( clamp(s[n,b] == 0 ? 1 : s[n,b], 2^-9, 448) )
     code[n,k]      = e2m1( W[n,k] / (float(scale[n,k/16]) * weight_scale_2) )
   The clamp keeps a block far below the tensor's maximum from rounding to a
   zero scale (ModelOpt's _cast_per_block_scale_to_fp8); the division order
   matters at E4M3 rounding ties. tests/test_modelopt.c checks all of it
   against ModelOpt's own output. (An all-zero matrix, where ModelOpt would
   compute 0/0, gets scales of 1.0 here.) ModelOpt 0.41.0, which made the
   published checkpoint, did not clamp yet: such a block has scale byte 0x00
   there (it dequantises to zeros), so readers must accept zero scales.
   packed: [rows, cols/2] bytes, low nibble = even column.
   scales: [rows, cols/16] e4m3 bytes. */
MINIMAX__PRIV void minimax__nvfp4_quantize(const float *w, int64_t rows, int64_t cols, uint8_t *packed, uint8_t *scales,
                                    float *weight_scale_2) {
    float amax = 0.0f, ws2;
    int64_t i, n, b, k;
    for (i = 0; i < rows * cols; i++)
        if (fabsf(w[i]) > amax) amax = fabsf(w[i]);
    ws2 = amax / (6.0f * 448.0f);
    *weight_scale_2 = ws2;
    for (n = 0; n < rows; n++) {
        for (b = 0; b < cols / 16; b++) {
            const float *blk = w + n * cols + b * 16;
            float bmax = 0.0f, s, sf;
            uint8_t s8;
            for (k = 0; k < 16; k++)
                if (fabsf(blk[k]) > bmax) bmax = fabsf(blk[k]);
            s = bmax / (6.0f * ws2);
            if (s == 0.0f || ws2 == 0.0f) s = 1.0f;
            if (s < 1.0f / 512.0f) s = 1.0f / 512.0f; /* 2^-9, the smallest E4M3 subnormal */
            if (s > 448.0f) s = 448.0f;
            s8 = minimax__f32_to_e4m3(s);
            scales[n * (cols / 16) + b] = s8;
            sf = minimax__e4m3_to_f32(s8) * ws2;
            for (k = 0; k < 16; k += 2) {
                uint8_t lo = minimax__f32_to_e2m1(blk[k] / sf);
                uint8_t hi = minimax__f32_to_e2m1(blk[k + 1] / sf);
                packed[n * (cols / 2) + b * 8 + k / 2] = (uint8_t)(lo | (hi << 4));
            }
        }
    }
}

/* One NVFP4 element, dequantised (see the formula above). */
MINIMAX__PRIV float minimax__nvfp4_element(const uint8_t *packed, const uint8_t *scales, int64_t cols, float ws2, int64_t n,
                                    int64_t k) {
    uint8_t byte = packed[n * (cols / 2) + k / 2];
    uint8_t code = (uint8_t)((k & 1) ? (byte >> 4) : (byte & 15));
    return minimax__e2m1_values[code] * minimax__e4m3_to_f32(scales[n * (cols / 16) + k / 16]) * ws2;
}

/* ---- hashing (cache keys) -------------------------------------------------
   64-bit FNV-1a; collisions only cost a recompile, never a wrong answer,
   because a cache entry also stores its full key. */
MINIMAX__PRIV uint64_t minimax__fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    if (!h) h = 1469598103934665603ull;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}
