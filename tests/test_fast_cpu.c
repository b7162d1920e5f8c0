/* CPU checks of the fast decode kernels' arithmetic (kernels.cu, "FAST
   DECODE KERNELS"), so that CI without a GPU catches a broken bit trick:
   fp4_pair and the E4M3 conversion, emulated here with the same integer
   operations, against the library's E2M1/E4M3 codecs for every code in every
   nibble position; and the chunk-transposed activation order is a
   permutation. The GPU test (tests/gpu_fast.c) runs the kernels themselves. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

/* f16 bits -> float (exact), as cvt.f32.f16 */
static float f16_to_f32(uint16_t h) {
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
    return (h & 0x8000) ? -v : v;
}

/* kernels.cu fp4_pair: elements j and j+4 of a 32-bit word of 8 codes, times 2^-14 */
static uint32_t fp4_pair(uint32_t w, int j) {
    uint32_t v = w >> (4 * j);
    return ((v & 0x00070007u) << 9) | ((v & 0x00080008u) << 12);
}

static void test_fp4_pair_all_codes(void) {
    int j, code, other, bad = 0;
    for (j = 0; j < 4; j++)
        for (code = 0; code < 16; code++)
            for (other = 0; other < 16; other++) {
                /* code at nibble j, `other` at nibble j+4, noise elsewhere */
                uint32_t w = 0x9e3779b9u, h;
                w &= ~(0xfu << (4 * j)) & ~(0xfu << (4 * (j + 4)));
                w |= (uint32_t)code << (4 * j) | (uint32_t)other << (4 * (j + 4));
                h = fp4_pair(w, j);
                if (ldexpf(f16_to_f32((uint16_t)(h & 0xffff)), 14) != minimax__e2m1_values[code] ||
                    ldexpf(f16_to_f32((uint16_t)(h >> 16)), 14) != minimax__e2m1_values[other])
                    bad++;
            }
    CHECK(bad == 0, "%d (position, code) pairs decode wrongly", bad);
}

static void test_e4m3_scaled_all_codes(void) {
    int s, bad = 0;
    for (s = 0; s < 256; s++) {
        float ref = minimax__e4m3_to_f32((uint8_t)s);
        float got = ldexpf(f16_to_f32((uint16_t)(((s & 0x80) << 8) | ((s & 0x7f) << 7))), 8);
        if ((s & 0x7f) == 0x7f) continue; /* NaN codes never occur in a valid checkpoint */
        if (got != ref) bad++;
    }
    CHECK(bad == 0, "%d E4M3 codes convert wrongly", bad);
}

static void test_ct_order_is_permutation(void) {
    int K = 3072, NC = K / 32, i, bad = 0;
    unsigned char *hit = (unsigned char *)calloc((size_t)K, 1);
    for (i = 0; i < K; i++) { /* element i -> CT index, as k_moe_gate_up_fast writes act */
        int c = i >> 5, q = (i & 31) >> 2, idx = (q * NC + c) * 4 + (i & 3);
        if (idx < 0 || idx >= K || hit[idx]++) bad++;
    }
    CHECK(bad == 0, "%d collisions in the chunk-transposed order", bad);
    free(hit);
}

int main(void) {
    RUN(test_fp4_pair_all_codes);
    RUN(test_e4m3_scaled_all_codes);
    RUN(test_ct_order_is_permutation);
    return test_summary();
}
