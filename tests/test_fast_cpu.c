/* CPU checks of the decode kernels' arithmetic (kernels.cu), so that CI
   without a GPU catches a broken bit trick: the Hopper layout of the E2M1
   codes (k_fp4_layout's fp4_pr_word) with its decode fp4_word_pairs, the
   decode of the checkpoint's packing (fp4_word_pairs without
   MINIMAX_FP4_PR: the fast kernels on Blackwell) and the E4M3 conversion,
   emulated here with the same integer operations, against the library's
   E2M1/E4M3 codecs for every code in every position; and the
   chunk-transposed activation order is a permutation. The GPU tests
   (tests/gpu_engine.c, tests/gpu_fast.c) run the kernels themselves. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

/* f16 bits -> float (exact), as cvt.f32.f16 */
static float f16_to_f32(uint16_t h) {
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
    return (h & 0x8000) ? -v : v;
}

/* __byte_perm(x, y, s): byte n of the result = byte (s >> 4n) & 7 of y:x */
static uint32_t byte_perm(uint32_t x, uint32_t y, uint32_t s) {
    uint64_t v = (uint64_t)y << 32 | x;
    uint32_t r = 0;
    int n;
    for (n = 0; n < 4; n++) r |= (uint32_t)((v >> (8 * ((s >> (4 * n)) & 7))) & 0xff) << (8 * n);
    return r;
}

/* kernels.cu fp4_pr_word: the checkpoint's word (nibble j = code c_j) -> the PR layout */
static uint32_t fp4_pr_word(uint32_t w) {
    static const int ia[4] = {0, 4, 1, 5}, ib[4] = {2, 6, 3, 7};
    uint32_t o = 0;
    int i;
    for (i = 0; i < 4; i++) {
        uint32_t ca = (w >> (4 * ia[i])) & 15u, cb = (w >> (4 * ib[i])) & 15u;
        o |= (((ca & 8u) << 4) | ((ca & 7u) << 1) | ((cb & 8u) >> 3) | ((cb & 7u) << 4)) << (8 * i);
    }
    return o;
}

/* kernels.cu fp4_word_pairs: p[j] = f16x2 of codes (c_j, c_j+4) times 2^-14;
   pr: from the PR layout (Hopper), else from the checkpoint's packing */
static void fp4_word_pairs(uint32_t w, uint32_t *p, int pr) {
    int j;
    if (pr) {
        uint32_t ta = w & 0x8e8e8e8eu, tb = ((w << 7) & 0x80808080u) | ((w >> 3) & 0x0e0e0e0eu);
        p[0] = byte_perm(ta, 0, 0x1404);
        p[1] = byte_perm(ta, 0, 0x3424);
        p[2] = byte_perm(tb, 0, 0x1404);
        p[3] = byte_perm(tb, 0, 0x3424);
        return;
    }
    for (j = 3; j >= 0; j--) {
        p[j] = (w & 0x80008000u) | ((w & 0x70007000u) >> 3);
        w <<= 4;
    }
}

/* Every code at every position of a word (the other positions noise), in both
   layouts: the pair of code j holds the exact E2M1 values of c_j and c_j+4. */
static void test_fp4_word_pairs_all_codes(void) {
    int pr, pos, code, j, bad = 0, seen = 0;
    for (pr = 0; pr < 2; pr++)
        for (pos = 0; pos < 8; pos++)
            for (code = 0; code < 16; code++) {
                uint32_t w = 0x9e3779b9u * (uint32_t)(pos * 16 + code + 1), p[4];
                w = (w & ~(0xfu << (4 * pos))) | (uint32_t)code << (4 * pos);
                fp4_word_pairs(pr ? fp4_pr_word(w) : w, p, pr);
                for (j = 0; j < 8; j++) {
                    uint32_t h = p[j & 3] >> (j < 4 ? 0 : 16);
                    if (ldexpf(f16_to_f32((uint16_t)(h & 0xffff)), 14) != minimax__e2m1_values[(w >> (4 * j)) & 15])
                        bad++;
                    seen++;
                }
            }
    CHECK(bad == 0, "%d of %d decoded codes are wrong", bad, seen);
}

/* fp4_pr_word is a permutation of the 32 bits: every word of codes has its own image */
static void test_fp4_pr_word_is_permutation(void) {
    int b, bad = 0;
    uint32_t all = 0;
    for (b = 0; b < 32; b++) {
        uint32_t img = fp4_pr_word(1u << b);
        if (img == 0 || (img & (img - 1)) || (all & img)) bad++;
        all |= img;
    }
    CHECK(bad == 0 && all == 0xffffffffu, "%d bits map wrongly (image of all bits %08x)", bad, all);
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
    RUN(test_fp4_word_pairs_all_codes);
    RUN(test_fp4_pr_word_is_permutation);
    RUN(test_e4m3_scaled_all_codes);
    RUN(test_ct_order_is_permutation);
    return test_summary();
}
