/* minimax_nvfp4.h — run MiniMax-M2.5 (ModelOpt NVFP4) on NVIDIA GPUs from C.

   WHAT IT IS
   A single-header-style C library (plus minimax_nvfp4_cuda.cu.h, the kernel
   source it hands to NVRTC at start-up). It loads the published ModelOpt
   NVFP4 checkpoint of MiniMax-M2.5 (62 MoE layers, 256 experts, top-8, BF16
   attention, FP4 experts with E4M3 block scales), compiles its kernels for
   the GPU it finds, and runs a load -> session -> prefill -> step loop.

   USING IT
   In exactly one C or C++ file:

       #define MINIMAX_IMPLEMENTATION
       #include "minimax_nvfp4.h"

   and include "minimax_nvfp4.h" without the define anywhere else. Keep
   minimax_nvfp4_cuda.cu.h next to it. Link with -ldl -lm -lpthread and
   nothing else: the CUDA driver (libcuda.so.1), NVRTC (libnvrtc.so.13) and,
   for more than one GPU, NCCL (libnccl.so.2) are opened with dlopen at run
   time, so a program that includes the library starts on a machine without
   a GPU and gets a clear error from the calls that need one.

   The header compiles as C99 and later, and as C++ (game engines include
   it from C++).

   ERRORS
   Every fallible call returns a minimax_result: 0 (MINIMAX_OK) on success,
   a negative code on failure. minimax_last_error() returns a message with
   the detail (which file, which tensor, which limit, the NVRTC log). The
   library never calls exit, abort or assert on anything a caller or a file
   can cause: a truncated shard, a wrong dtype, an out-of-memory all come
   back as result codes and the host keeps running.

   THREADS
   Each function states its thread-safety. The last-error message is kept
   per thread.

   SECTIONS OF THIS HEADER
   core (results, errors, version) - checkpoint (loading and validating a
   ModelOpt NVFP4 directory on the CPU, memory estimates) - model (GPU
   engine, sessions, sampling) - text (tokenizer) - chat (chat format, tool
   calls, reasoning). The implementation follows under
   MINIMAX_IMPLEMENTATION in bannered sections in the same order.

   This file is generated from src/ by `make header`; edit src/, not this.
*/
#ifndef MINIMAX_NVFP4_H
#define MINIMAX_NVFP4_H
#include <stddef.h>
#include <stdint.h>

#define MINIMAX_VERSION_MAJOR 0
#define MINIMAX_VERSION_MINOR 1
#define MINIMAX_VERSION_PATCH 0
#define MINIMAX_VERSION_STRING "0.1.0"

#ifndef MINIMAX_API
#ifdef MINIMAX_STATIC
#define MINIMAX_API static
#else
#define MINIMAX_API extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes. 0 is success; every error is negative. */
typedef enum minimax_result {
    MINIMAX_OK = 0,
    MINIMAX_ERR_INVALID_ARGUMENT = -1, /* a caller passed something wrong */
    MINIMAX_ERR_IO = -2,               /* a file could not be opened, read or mapped */
    MINIMAX_ERR_FORMAT = -3,           /* a file is malformed: bad JSON, truncated shard, wrong dtype/shape */
    MINIMAX_ERR_UNSUPPORTED = -4,      /* valid but not supported (quantisation, layout, GPU) */
    MINIMAX_ERR_OUT_OF_MEMORY = -5,    /* host or device allocation failed, or a configuration does not fit */
    MINIMAX_ERR_NO_DEVICE = -6,        /* no CUDA driver, no NVRTC, or no usable GPU */
    MINIMAX_ERR_JIT = -7,              /* NVRTC or the driver rejected the kernels (log in the message) */
    MINIMAX_ERR_DEVICE = -8,           /* a CUDA call failed; sticky faults put the model in a failed state */
    MINIMAX_ERR_CANCELLED = -9,        /* a progress callback asked to stop */
    MINIMAX_ERR_CONTEXT_FULL = -10,    /* a session's tokens would exceed its context capacity */
    MINIMAX_ERR_FAILED_STATE = -11,    /* the model hit an unrecoverable device error earlier */
    MINIMAX_ERR_TEMPLATE = -12         /* the chat format rejects this conversation */
} minimax_result;

/* A short fixed name for a result code ("MINIMAX_ERR_FORMAT"). Never NULL.
   Thread safety: any thread. */
MINIMAX_API const char *minimax_result_name(minimax_result r);

/* The detailed message of the last failed call on this thread ("" if none).
   The string stays valid until the next library call on this thread.
   Thread safety: per thread. */
MINIMAX_API const char *minimax_last_error(void);

/* Library version, "MAJOR.MINOR.PATCH". Thread safety: any thread. */
MINIMAX_API const char *minimax_version(void);

#ifdef __cplusplus
}
#endif

/* ---------------------------------------------------------------------------
   CHECKPOINT: the model's configuration and the ModelOpt NVFP4 directory
   ------------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

/* The architecture a checkpoint describes (config.json). Values are those of
   the file after defaults: see MODEL.md section 1 of the project docs. */
typedef struct minimax_config {
    int hidden_size;             /* H, 3072 */
    int num_layers;              /* 62 (MTP layers beyond this are ignored) */
    int num_heads;               /* 48 query heads */
    int num_kv_heads;            /* 8 key/value heads (GQA group = heads / kv_heads) */
    int head_dim;                /* 128 */
    int rotary_dim;              /* 64: NeoX rotation of the first rotary_dim dims of a head */
    int intermediate_size;       /* I, per expert, 1536 */
    int num_experts;             /* 256 */
    int top_k;                   /* 8 experts per token */
    int vocab_size;              /* 200064 rows in embed/lm_head (padding rows included) */
    int max_position_embeddings; /* 196608 */
    int bos_token_id;            /* 200034 */
    int eos_token_id;            /* 200020 */
    float rope_theta;            /* 5e6 */
    float rms_norm_eps;          /* 1e-6 */
    float routed_scaling_factor; /* 1.0 */
} minimax_config;

#ifdef __cplusplus
}
#endif

#endif /* MINIMAX_NVFP4_H */

#ifdef MINIMAX_IMPLEMENTATION
#ifndef MINIMAX__IMPLEMENTED
#define MINIMAX__IMPLEMENTED

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
     scale[n,b]     = e4m3( (amax(|W[n, 16b..16b+15]|) / 6) / weight_scale_2 ), 1.0 if that is 0
     code[n,k]      = e2m1( W[n,k] / (float(scale[n,k/16]) * weight_scale_2) )
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
            s = (bmax / 6.0f) / ws2;
            if (s == 0.0f || ws2 == 0.0f) s = 1.0f;
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

/* ===========================================================================
   IMPLEMENTATION: the weights view shared by the checkpoint loader, the CPU
   reference (tests/ref.h) and the GPU upload
   ===========================================================================
   A validated checkpoint is described by these structs. Tensor data points
   into the memory-mapped shards (nothing is copied); shapes follow PyTorch,
   [out, in], so y = x * W^T. */

typedef enum minimax__dtype {
    MINIMAX__DT_BF16,
    MINIMAX__DT_F16,
    MINIMAX__DT_F32,
    MINIMAX__DT_U8,
    MINIMAX__DT_I8,
    MINIMAX__DT_F8_E4M3,
    MINIMAX__DT_I32,
    MINIMAX__DT_I64,
    MINIMAX__DT_F64,
    MINIMAX__DT_BOOL,
    MINIMAX__DT_COUNT
} minimax__dtype;

/* One tensor of a safetensors shard. */
typedef struct minimax__tensor {
    const char *name;     /* full name, e.g. "model.layers.0.self_attn.q_proj.weight" */
    const char *file;     /* shard file name, for messages */
    minimax__dtype dtype;
    int ndim;             /* 0 for a scalar */
    int64_t shape[4];
    const uint8_t *data;  /* into the mapped shard */
    uint64_t nbytes;
} minimax__tensor;

/* One NVFP4 matrix [rows, cols] (cols a multiple of 16), ModelOpt layout:
     packed [rows, cols/2]  two E2M1 codes per byte, low nibble = even column
     scales [rows, cols/16] E4M3 block scales, one per 16 consecutive columns
     W[n,k] = e2m1(code) * e4m3(scales[n, k/16]) * weight_scale_2
   Every matrix has its own weight_scale_2 (w1 and w3 of an expert differ). */
typedef struct minimax__fp4_matrix {
    int64_t rows, cols;
    const uint8_t *packed;
    const uint8_t *scales;
    float weight_scale_2;
    float input_scale;    /* static activation scale, 0 when the checkpoint has none */
} minimax__fp4_matrix;

/* One decoder layer. BF16 tensors stay as stored; the router weight and bias
   may be BF16 or F32 (see their dtype). Shapes for the real model:
     input_norm, post_attn_norm [H]          q_norm [nh*d]   k_norm [nkv*d]
     q_proj [nh*d, H]  k_proj, v_proj [nkv*d, H]  o_proj [H, nh*d]
     router [E, H]     router_bias [E]
     w1[e], w3[e] [I, H] (gate, up)           w2[e] [H, I] (down) */
typedef struct minimax__layer_weights {
    const minimax__tensor *input_norm, *post_attn_norm;
    const minimax__tensor *q_proj, *k_proj, *v_proj, *o_proj;
    const minimax__tensor *q_norm, *k_norm;
    const minimax__tensor *router, *router_bias;
    minimax__fp4_matrix *w1, *w2, *w3; /* [num_experts] each */
} minimax__layer_weights;

typedef struct minimax__weights {
    const minimax__tensor *embed;      /* [V, H] BF16 */
    const minimax__tensor *final_norm; /* [H] */
    const minimax__tensor *lm_head;    /* [V, H] BF16 */
    minimax__layer_weights *layers;    /* [num_layers] */
} minimax__weights;

/* Element i of a BF16/F16/F32 tensor as float (for the CPU paths). */
MINIMAX__PRIV float minimax__tensor_f32(const minimax__tensor *t, int64_t i) {
    switch (t->dtype) {
    case MINIMAX__DT_BF16: {
        uint16_t h;
        memcpy(&h, t->data + 2 * i, 2);
        return minimax__bf16_to_f32(h);
    }
    case MINIMAX__DT_F32: {
        float f;
        memcpy(&f, t->data + 4 * i, 4);
        return f;
    }
    case MINIMAX__DT_F16: {
        uint16_t h;
        int e, m;
        float v;
        memcpy(&h, t->data + 2 * i, 2);
        e = (h >> 10) & 31;
        m = h & 1023;
        if (e == 0) v = ldexpf((float)m, -24);
        else if (e == 31) v = m ? NAN : INFINITY;
        else v = ldexpf((float)(m | 1024), e - 25);
        return (h & 0x8000) ? -v : v;
    }
    default: return NAN;
    }
}

/* ===========================================================================
   IMPLEMENTATION: JSON (config.json, index files, safetensors headers,
   tokenizer.json, tool schemas and arguments)
   ===========================================================================
   A strict RFC 8259 parser into a tree held in one arena. Object members keep
   their file order (tojson keeps key order; duplicate keys are kept, and
   minimax__json_get returns the first). Strings are decoded to UTF-8 with
   NUL termination (an embedded \u0000 is kept: use `len`). Errors name the
   source and the line:column. Nesting is limited to 512 levels so that no
   input can exhaust the stack. */

typedef enum minimax__json_type {
    MINIMAX__JSON_NULL,
    MINIMAX__JSON_FALSE,
    MINIMAX__JSON_TRUE,
    MINIMAX__JSON_NUMBER,
    MINIMAX__JSON_STRING,
    MINIMAX__JSON_ARRAY,
    MINIMAX__JSON_OBJECT
} minimax__json_type;

typedef struct minimax__json {
    minimax__json_type type;
    double number;              /* NUMBER */
    const char *str;            /* STRING: decoded UTF-8, NUL-terminated */
    size_t len;                 /* STRING: bytes in str */
    const char *key;            /* member name when the parent is an OBJECT, else NULL */
    size_t key_len;
    const char *raw;            /* the value's source text (numbers: exactly as written) */
    size_t raw_len;
    size_t count;               /* ARRAY/OBJECT: number of children */
    struct minimax__json *child; /* ARRAY/OBJECT: first child */
    struct minimax__json *next;  /* next sibling */
} minimax__json;

typedef struct minimax__json_chunk {
    struct minimax__json_chunk *prev;
    size_t used, cap, pad; /* 4 words: the data that follows stays 16-byte aligned */
} minimax__json_chunk;

typedef struct minimax__json_doc {
    minimax__json *root;
    minimax__json_chunk *chunks;
} minimax__json_doc;

typedef struct minimax__json_parser {
    const char *s, *end, *start;
    const char *what; /* for messages: file name or a description */
    minimax__json_doc *doc;
    int depth;
    int failed;
} minimax__json_parser;

MINIMAX__PRIV void *minimax__json_arena(minimax__json_doc *doc, size_t n) {
    minimax__json_chunk *c = doc->chunks;
    n = (n + 15) & ~(size_t)15;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        c = (minimax__json_chunk *)MINIMAX_MALLOC(sizeof(minimax__json_chunk) + cap);
        if (!c) return NULL;
        c->prev = doc->chunks;
        c->used = 0;
        c->cap = cap;
        doc->chunks = c;
    }
    c->used += n;
    return (char *)(c + 1) + c->used - n;
}

MINIMAX__PRIV void minimax__json_free(minimax__json_doc *doc) {
    minimax__json_chunk *c;
    if (!doc) return;
    c = doc->chunks;
    while (c) {
        minimax__json_chunk *p = c->prev;
        MINIMAX_FREE(c);
        c = p;
    }
    doc->chunks = NULL;
    doc->root = NULL;
}

MINIMAX__PRIV void minimax__json_error(minimax__json_parser *p, const char *msg) {
    int line = 1, col = 1;
    const char *q;
    if (p->failed) return;
    p->failed = 1;
    for (q = p->start; q < p->s && q < p->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else col++;
    }
    minimax__fail(MINIMAX_ERR_FORMAT, "%s: invalid JSON at line %d, column %d: %s", p->what, line, col, msg);
}

MINIMAX__PRIV void minimax__json_ws(minimax__json_parser *p) {
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')) p->s++;
}

MINIMAX__PRIV int minimax__json_hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

MINIMAX__PRIV size_t minimax__utf8_put(char *out, unsigned cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 63));
        out[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 63));
    out[2] = (char)(0x80 | ((cp >> 6) & 63));
    out[3] = (char)(0x80 | (cp & 63));
    return 4;
}

/* Parses a string at p->s (which points at the opening quote). */
MINIMAX__PRIV int minimax__json_string(minimax__json_parser *p, const char **out, size_t *out_len) {
    const char *q = p->s + 1;
    char *buf, *w;
    /* first pass: find the end and an upper bound of the decoded length */
    while (q < p->end && *q != '"') {
        if ((unsigned char)*q < 0x20) {
            p->s = q;
            minimax__json_error(p, "control character in string");
            return 0;
        }
        if (*q == '\\') q++;
        q++;
    }
    if (q >= p->end) {
        minimax__json_error(p, "unterminated string");
        return 0;
    }
    buf = (char *)minimax__json_arena(p->doc, (size_t)(q - p->s) + 1);
    if (!buf) {
        minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "%s: out of memory parsing JSON", p->what);
        p->failed = 1;
        return 0;
    }
    w = buf;
    q = p->s + 1;
    while (*q != '"') {
        if (*q != '\\') {
            *w++ = *q++;
            continue;
        }
        q++;
        switch (*q) {
        case '"': *w++ = '"'; q++; break;
        case '\\': *w++ = '\\'; q++; break;
        case '/': *w++ = '/'; q++; break;
        case 'b': *w++ = '\b'; q++; break;
        case 'f': *w++ = '\f'; q++; break;
        case 'n': *w++ = '\n'; q++; break;
        case 'r': *w++ = '\r'; q++; break;
        case 't': *w++ = '\t'; q++; break;
        case 'u': {
            unsigned cp, lo;
            if (p->end - q < 5 || !minimax__json_hex4(q + 1, &cp)) {
                p->s = q;
                minimax__json_error(p, "bad \\u escape");
                return 0;
            }
            q += 5;
            if (cp >= 0xD800 && cp < 0xDC00) {
                if (p->end - q < 6 || q[0] != '\\' || q[1] != 'u' || !minimax__json_hex4(q + 2, &lo) || lo < 0xDC00 ||
                    lo > 0xDFFF) {
                    p->s = q;
                    minimax__json_error(p, "unpaired UTF-16 surrogate in \\u escape");
                    return 0;
                }
                q += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                p->s = q;
                minimax__json_error(p, "unpaired UTF-16 surrogate in \\u escape");
                return 0;
            }
            w += minimax__utf8_put(w, cp);
            break;
        }
        default:
            p->s = q;
            minimax__json_error(p, "bad escape in string");
            return 0;
        }
    }
    *w = 0;
    *out = buf;
    *out_len = (size_t)(w - buf);
    p->s = q + 1;
    return 1;
}

MINIMAX__PRIV minimax__json *minimax__json_value(minimax__json_parser *p);

MINIMAX__PRIV minimax__json *minimax__json_new(minimax__json_parser *p, minimax__json_type t) {
    minimax__json *v = (minimax__json *)minimax__json_arena(p->doc, sizeof(minimax__json));
    if (!v) {
        minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "%s: out of memory parsing JSON", p->what);
        p->failed = 1;
        return NULL;
    }
    memset(v, 0, sizeof *v);
    v->type = t;
    v->raw = p->s;
    return v;
}

MINIMAX__PRIV int minimax__json_literal(minimax__json_parser *p, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0) return 0;
    p->s += n;
    return 1;
}

MINIMAX__PRIV minimax__json *minimax__json_number(minimax__json_parser *p) {
    const char *q = p->s;
    char tmp[128];
    minimax__json *v;
    size_t n;
    if (q < p->end && *q == '-') q++;
    if (q < p->end && *q == '0') q++;
    else if (q < p->end && *q >= '1' && *q <= '9')
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    else {
        minimax__json_error(p, "unexpected character");
        return NULL;
    }
    if (q < p->end && *q == '.') {
        q++;
        if (q >= p->end || *q < '0' || *q > '9') {
            p->s = q;
            minimax__json_error(p, "digit expected after '.'");
            return NULL;
        }
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < p->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < p->end && (*q == '+' || *q == '-')) q++;
        if (q >= p->end || *q < '0' || *q > '9') {
            p->s = q;
            minimax__json_error(p, "digit expected in exponent");
            return NULL;
        }
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    }
    n = (size_t)(q - p->s);
    v = minimax__json_new(p, MINIMAX__JSON_NUMBER);
    if (!v) return NULL;
    if (n >= sizeof tmp) n = sizeof tmp - 1; /* longer numbers lose only digits beyond double precision */
    memcpy(tmp, p->s, n);
    tmp[n] = 0;
    v->number = strtod(tmp, NULL);
    v->raw_len = (size_t)(q - p->s);
    p->s = q;
    return v;
}

MINIMAX__PRIV minimax__json *minimax__json_value(minimax__json_parser *p) {
    minimax__json *v = NULL, *last = NULL;
    minimax__json_ws(p);
    if (p->s >= p->end) {
        minimax__json_error(p, "unexpected end of input");
        return NULL;
    }
    if (++p->depth > 512) {
        minimax__json_error(p, "nesting deeper than 512 levels");
        return NULL;
    }
    switch (*p->s) {
    case '{':
    case '[': {
        int is_obj = *p->s == '{';
        char close = is_obj ? '}' : ']';
        v = minimax__json_new(p, is_obj ? MINIMAX__JSON_OBJECT : MINIMAX__JSON_ARRAY);
        if (!v) return NULL;
        p->s++;
        minimax__json_ws(p);
        if (p->s < p->end && *p->s == close) {
            p->s++;
            break;
        }
        for (;;) {
            const char *key = NULL;
            size_t key_len = 0;
            minimax__json *c;
            minimax__json_ws(p);
            if (is_obj) {
                if (p->s >= p->end || *p->s != '"') {
                    minimax__json_error(p, "object key (a string) expected");
                    return NULL;
                }
                if (!minimax__json_string(p, &key, &key_len)) return NULL;
                minimax__json_ws(p);
                if (p->s >= p->end || *p->s != ':') {
                    minimax__json_error(p, "':' expected after object key");
                    return NULL;
                }
                p->s++;
            }
            c = minimax__json_value(p);
            if (!c) return NULL;
            c->key = key;
            c->key_len = key_len;
            if (last) last->next = c;
            else v->child = c;
            last = c;
            v->count++;
            minimax__json_ws(p);
            if (p->s < p->end && *p->s == ',') {
                p->s++;
                continue;
            }
            if (p->s < p->end && *p->s == close) {
                p->s++;
                break;
            }
            minimax__json_error(p, is_obj ? "',' or '}' expected in object" : "',' or ']' expected in array");
            return NULL;
        }
        break;
    }
    case '"':
        v = minimax__json_new(p, MINIMAX__JSON_STRING);
        if (!v || !minimax__json_string(p, &v->str, &v->len)) return NULL;
        break;
    case 't':
    case 'f':
    case 'n':
        if (minimax__json_literal(p, "true")) v = minimax__json_new(p, MINIMAX__JSON_TRUE);
        else if (minimax__json_literal(p, "false")) v = minimax__json_new(p, MINIMAX__JSON_FALSE);
        else if (minimax__json_literal(p, "null")) v = minimax__json_new(p, MINIMAX__JSON_NULL);
        else {
            minimax__json_error(p, "unexpected word");
            return NULL;
        }
        if (!v) return NULL;
        v->raw = p->s - (v->type == MINIMAX__JSON_FALSE ? 5 : 4);
        break;
    default:
        v = minimax__json_number(p);
        if (!v) return NULL;
        break;
    }
    if (v->raw_len == 0) v->raw_len = (size_t)(p->s - v->raw);
    p->depth--;
    return v;
}

/* Parses `len` bytes of `text` (need not be NUL-terminated). On failure
   returns an error code with "<what>: invalid JSON at line L, column C: ...". */
MINIMAX__PRIV minimax_result minimax__json_parse(const char *text, size_t len, const char *what, minimax__json_doc *doc) {
    minimax__json_parser p;
    memset(doc, 0, sizeof *doc);
    memset(&p, 0, sizeof p);
    p.s = p.start = text;
    p.end = text + len;
    p.what = what;
    p.doc = doc;
    doc->root = minimax__json_value(&p);
    if (doc->root) {
        minimax__json_ws(&p);
        if (p.s != p.end) minimax__json_error(&p, "trailing characters after the JSON value");
    }
    if (!doc->root || p.failed) {
        if (!p.failed) minimax__json_error(&p, "no value");
        minimax__json_free(doc);
        return minimax__fail_code_or(MINIMAX_ERR_FORMAT);
    }
    return MINIMAX_OK;
}

/* The first member named `key` of an object, or NULL. */
MINIMAX__PRIV const minimax__json *minimax__json_get(const minimax__json *obj, const char *key) {
    const minimax__json *c;
    size_t n = strlen(key);
    if (!obj || obj->type != MINIMAX__JSON_OBJECT) return NULL;
    for (c = obj->child; c; c = c->next)
        if (c->key_len == n && memcmp(c->key, key, n) == 0) return c;
    return NULL;
}

/* Element i of an array, or NULL. */
MINIMAX__PRIV const minimax__json *minimax__json_at(const minimax__json *arr, size_t i) {
    const minimax__json *c;
    if (!arr || arr->type != MINIMAX__JSON_ARRAY) return NULL;
    for (c = arr->child; c && i; c = c->next) i--;
    return c;
}

/* Appends `s` (len bytes of UTF-8) as a JSON string literal with quotes.
   ascii_only escapes every non-ASCII character as \uXXXX (Python's
   json.dumps default); otherwise non-ASCII passes through unchanged (as
   tojson(ensure_ascii=False) and transformers' chat-template tojson). The
   buffer grows as needed; returns 0 on out-of-memory. */
typedef struct minimax__buf {
    char *data;
    size_t len, cap;
} minimax__buf;

MINIMAX__PRIV int minimax__buf_reserve(minimax__buf *b, size_t extra) {
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *d;
        while (cap < b->len + extra + 1) cap *= 2;
        d = (char *)MINIMAX_REALLOC(b->data, cap);
        if (!d) return 0;
        b->data = d;
        b->cap = cap;
    }
    return 1;
}

MINIMAX__PRIV int minimax__buf_add(minimax__buf *b, const char *s, size_t n) {
    if (!minimax__buf_reserve(b, n)) return 0;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
    return 1;
}

MINIMAX__PRIV int minimax__buf_printf(minimax__buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
MINIMAX__PRIV int minimax__buf_printf(minimax__buf *b, const char *fmt, ...) {
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !minimax__buf_reserve(b, (size_t)n)) return 0;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 1;
}

MINIMAX__PRIV void minimax__buf_free(minimax__buf *b) {
    MINIMAX_FREE(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

MINIMAX__PRIV int minimax__json_write_string(minimax__buf *b, const char *s, size_t len, int ascii_only) {
    size_t i = 0;
    if (!minimax__buf_add(b, "\"", 1)) return 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        char esc[16];
        if (c == '"') { if (!minimax__buf_add(b, "\\\"", 2)) return 0; i++; continue; }
        if (c == '\\') { if (!minimax__buf_add(b, "\\\\", 2)) return 0; i++; continue; }
        if (c == '\n') { if (!minimax__buf_add(b, "\\n", 2)) return 0; i++; continue; }
        if (c == '\r') { if (!minimax__buf_add(b, "\\r", 2)) return 0; i++; continue; }
        if (c == '\t') { if (!minimax__buf_add(b, "\\t", 2)) return 0; i++; continue; }
        if (c == '\b') { if (!minimax__buf_add(b, "\\b", 2)) return 0; i++; continue; }
        if (c == '\f') { if (!minimax__buf_add(b, "\\f", 2)) return 0; i++; continue; }
        if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            if (!minimax__buf_add(b, esc, 6)) return 0;
            i++;
            continue;
        }
        if (c < 0x80 || !ascii_only) {
            if (!minimax__buf_add(b, s + i, 1)) return 0;
            i++;
            continue;
        }
        { /* decode one UTF-8 sequence; invalid bytes escape as U+FFFD */
            unsigned cp = 0xFFFD;
            size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1, k;
            if (n > 1 && i + n <= len) {
                cp = c & (0x7F >> n);
                for (k = 1; k < n; k++) {
                    if (((unsigned char)s[i + k] & 0xC0) != 0x80) break;
                    cp = (cp << 6) | ((unsigned char)s[i + k] & 63);
                }
                if (k != n) { cp = 0xFFFD; n = 1; }
            } else n = 1;
            if (cp >= 0x10000) {
                unsigned v = cp - 0x10000;
                snprintf(esc, sizeof esc, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
                if (!minimax__buf_add(b, esc, 12)) return 0;
            } else {
                snprintf(esc, sizeof esc, "\\u%04x", cp);
                if (!minimax__buf_add(b, esc, 6)) return 0;
            }
            i += n;
        }
    }
    return minimax__buf_add(b, "\"", 1);
}

#endif /* MINIMAX__IMPLEMENTED */
#endif /* MINIMAX_IMPLEMENTATION */
