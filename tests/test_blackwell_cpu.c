/* CPU emulation of the Blackwell FP4 path (kernels.cu with MINIMAX_FP4_HW = 1,
   compiled for sm_100a/sm_103a/sm_120a/sm_121a), which no machine here can
   run. What differs from Hopper is one instruction and one constant:
     e2m1x2_to_f16x2(b) = cvt.rn.f16x2.e2m1x2: the two E2M1 codes of byte b to
       an f16x2, the code in the low nibble to the low half (PTX ISA, cvt: the
       value from the upper bits of the source goes to the upper half of d);
     FP4_CORRECTION = 2^8 (codes exact, E4M3 scale times 2^-8 by e4m3_scaled),
       instead of 2^22 on the integer path (codes times 2^-14).
   The emulation decodes each code from its bit fields (OCP MX: sign, 2
   exponent bits with bias 1, 1 mantissa bit; exponent 0 is subnormal), builds
   the f16 the instruction writes, and runs fp4_block_dot / fp4_row_dot's
   arithmetic (fp32 FMAs in the kernel's order, one scale per block, ws2 *
   FP4_CORRECTION per output) on random NVFP4 rows. Checked against the
   library's codec (every code), the integer path (bit-identical results: both
   decode exactly, only the power of two differs) and a double-precision
   reference dot (relative error). test_jit.c checks that the sm_100a/sm_120a
   SASS really contains the conversion. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

/* f16 bits -> float (exact), as cvt.f32.f16 */
static float f16_to_f32(uint16_t h) {
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
    return (h & 0x8000) ? -v : v;
}

/* float -> f16 bits for values f16 holds exactly (normal range or zero) */
static uint16_t f32_to_f16_exact(float v) {
    uint16_t sign = signbit(v) ? 0x8000 : 0;
    int e;
    float m;
    if (v == 0.0f) return sign;
    m = frexpf(fabsf(v), &e); /* |v| = m * 2^e, m in [0.5, 1) */
    return (uint16_t)(sign | ((e - 1 + 15) << 10) | ((int)ldexpf(m, 11) & 1023));
}

/* one E2M1 code from its bit fields */
static float e2m1_from_fields(unsigned c) {
    unsigned s = (c >> 3) & 1, e = (c >> 1) & 3, m = c & 1;
    float v = e == 0 ? 0.5f * (float)m : ldexpf(1.0f + 0.5f * (float)m, (int)e - 1);
    return s ? -v : v;
}

/* cvt.rn.f16x2.e2m1x2 d, b (b: the low byte) */
static uint32_t cvt_f16x2_e2m1x2(uint32_t b) {
    return (uint32_t)f32_to_f16_exact(e2m1_from_fields(b & 0xf)) |
           (uint32_t)f32_to_f16_exact(e2m1_from_fields((b >> 4) & 0xf)) << 16;
}

/* kernels.cu's integer path (MINIMAX_FP4_HW = 0): values times 2^-14 */
static uint32_t int_f16x2_e2m1x2(uint32_t b) {
    return ((b & 0x7u) << 9) | ((b & 0x8u) << 12) | ((b & 0x70u) << 21) | ((b & 0x80u) << 24);
}

/* e4m3_scaled: E4M3 byte -> fp32 times 2^-8 */
static float e4m3_scaled(uint32_t s) { return f16_to_f32((uint16_t)(((s & 0x80u) << 8) | ((s & 0x7fu) << 7))); }

/* fp4_row_dot of kernels.cu for one row, one "lane" doing all blocks in order:
   sum over blocks of e4m3_scaled(scale) * fp4_block_dot, times ws2 * correction */
static float row_dot(const uint8_t *packed, const uint8_t *scales, const float *x, int K, float ws2, int hw) {
    float acc = 0.0f;
    int blk, i;
    for (blk = 0; blk < K / 16; blk++) {
        float d = 0.0f;
        for (i = 0; i < 8; i++) {
            uint32_t h2 = hw ? cvt_f16x2_e2m1x2(packed[blk * 8 + i]) : int_f16x2_e2m1x2(packed[blk * 8 + i]);
            d = fmaf(f16_to_f32((uint16_t)(h2 & 0xffff)), x[blk * 16 + 2 * i], d);
            d = fmaf(f16_to_f32((uint16_t)(h2 >> 16)), x[blk * 16 + 2 * i + 1], d);
        }
        acc = fmaf(e4m3_scaled(scales[blk]), d, acc);
    }
    return acc * (ws2 * (hw ? 256.0f : 4194304.0f));
}

static void every_code_decodes_exactly(void) {
    int b, bad = 0, bad_int = 0;
    for (b = 0; b < 256; b++) {
        uint32_t h = cvt_f16x2_e2m1x2((uint32_t)b), g = int_f16x2_e2m1x2((uint32_t)b);
        if (f16_to_f32((uint16_t)(h & 0xffff)) != minimax__e2m1_values[b & 15] ||
            f16_to_f32((uint16_t)(h >> 16)) != minimax__e2m1_values[b >> 4])
            bad++;
        if (ldexpf(f16_to_f32((uint16_t)(g & 0xffff)), 14) != f16_to_f32((uint16_t)(h & 0xffff)) ||
            ldexpf(f16_to_f32((uint16_t)(g >> 16)), 14) != f16_to_f32((uint16_t)(h >> 16)))
            bad_int++;
    }
    CHECK(bad == 0, "%d bytes decode differently from the library's E2M1 table", bad);
    CHECK(bad_int == 0, "%d bytes: the integer path is not the hardware value times 2^-14", bad_int);
}

/* random NVFP4 rows through the real quantiser, dotted with random x */
static void rows_match_reference(void) {
    enum { K = 3072, ROWS = 64 };
    test_rng rng = {0x5eed1234u};
    float *w = (float *)malloc(sizeof(float) * K * ROWS), *x = (float *)malloc(sizeof(float) * K);
    uint8_t *packed = (uint8_t *)malloc(K * ROWS / 2), *scales = (uint8_t *)malloc(K * ROWS / 16);
    float ws2;
    double worst = 0.0;
    int r, k, differ = 0;
    REQUIRE(w && x && packed && scales, "out of memory");
    for (k = 0; k < K * ROWS; k++) w[k] = 0.02f * test_rng_normal(&rng);
    for (k = 0; k < K; k++) x[k] = test_rng_normal(&rng);
    minimax__nvfp4_quantize(w, ROWS, K, packed, scales, &ws2);
    for (r = 0; r < ROWS; r++) {
        double ref = 0.0, mag = 0.0;
        float hw = row_dot(packed + (size_t)r * K / 2, scales + (size_t)r * K / 16, x, K, ws2, 1);
        float sw = row_dot(packed + (size_t)r * K / 2, scales + (size_t)r * K / 16, x, K, ws2, 0);
        for (k = 0; k < K; k++) {
            double v = (double)minimax__nvfp4_element(packed, scales, K, ws2, r, k) * x[k];
            ref += v;
            mag += fabs(v);
        }
        if (hw != sw) differ++;
        if (fabs(hw - ref) / mag > worst) worst = fabs(hw - ref) / mag;
    }
    printf("    %d rows of %d: worst |hw - ref| / sum|w x| = %.2e; hw and integer paths differ in %d rows\n", ROWS, K,
           worst, differ);
    CHECK(worst < 1e-6, "Blackwell path off the reference by %.2e", worst);
    CHECK(differ == 0, "the two paths must give identical fp32 results (both exact up to a power of two)");
    free(w);
    free(x);
    free(packed);
    free(scales);
}

int main(void) {
    RUN(every_code_decodes_exactly);
    RUN(rows_match_reference);
    return test_summary();
}
