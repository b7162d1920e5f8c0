/* CPU checks of the decode kernels' arithmetic (kernels.cu), so that CI
   without a GPU catches a broken bit trick: the Hopper layout of the E2M1
   codes (k_fp4_layout's fp4_pr_word) with its decode fp4_word_pairs, the
   decode of the checkpoint's packing (fp4_word_pairs without
   MINIMAX_FP4_PR: the fast kernels on Blackwell) and the E4M3 conversion,
   emulated here with the same integer operations, against the library's
   E2M1/E4M3 codecs for every code in every position; and the packed-f16
   arithmetic of the expert kernels (h2_word's per-block scaling,
   fp4_chunk_acc_h2 with its f16 operations emulated) against double precision,
   over activations from 2^-120 to 2^120, and the H2 activation layout is a
   permutation. The GPU tests (tests/gpu_engine.c, tests/gpu_fast.c) run the
   kernels themselves. */
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

/* double -> the nearest f16 (ties to even; subnormals kept, overflow to
   infinity), as cvt.rn.f16.f32 and the rounding of fma.rn.f16x2 */
static uint16_t f16_round(double v) {
    uint16_t sign = v < 0 ? 0x8000u : 0;
    double a = fabs(v), q;
    int e;
    if (a >= 65520.0) return sign | 0x7c00u;
    if (a < ldexp(1.0, -14)) { /* subnormal: multiples of 2^-24 */
        q = nearbyint(ldexp(a, 24)); /* the default rounding mode: ties to even */
        return sign | (uint16_t)q;   /* q = 1024 is the smallest normal, encoded the same way */
    }
    e = ilogb(a);
    q = nearbyint(ldexp(a, 10 - e)); /* 1024 .. 2048 */
    if (q == 2048.0) {
        q = 1024.0;
        e++;
    }
    if (e > 15) return sign | 0x7c00u;
    return sign | (uint16_t)((e + 15) << 10) | (uint16_t)((int)q - 1024);
}

/* kernels.cu h2_word for one 16-element block v[16]: the f16 values (the
   pair layout aside) and the factor 2^-k */
static float h2_block(const float *v, uint16_t *h) {
    float mx = 0.0f, up, down;
    uint32_t u;
    int j, e;
    for (j = 0; j < 16; j++) mx = fmaxf(mx, fabsf(v[j]));
    memcpy(&u, &mx, 4);
    e = (int)((u >> 23) & 0xffu) - 127;
    e = e < -110 ? -110 : e > 127 ? 127 : e;
    u = (uint32_t)(140 - e) << 23;
    memcpy(&up, &u, 4);
    u = (uint32_t)(114 + e) << 23;
    memcpy(&down, &u, 4);
    for (j = 0; j < 16; j++) h[j] = f16_round((double)(v[j] * up));
    return down;
}

/* Blocks of activations over 2^-120 .. 2^120 (and zeros, fp32 subnormals):
   the largest scaled value lands in [2^13, 2^14] (2^14 where it rounds up),
   and every value comes back (f16 times the factor) within 2^-11 of the
   block's largest (f16's unit roundoff). Blocks below 2^-110 (the scaling's
   floor, so that 2^(13 - e) stays a normal fp32) come back within 2^-121. */
static void test_h2_block_scaling(void) {
    test_rng r = {77};
    int b, j, bad_range = 0, bad_err = 0;
    for (b = 0; b < 4000; b++) {
        float v[16], mx = 0.0f, down;
        uint16_t h[16];
        int ex = b < 3990 ? (int)(test_rng_u64(&r) % 241) - 120 : -140 - (b - 3990); /* the last: subnormal blocks */
        for (j = 0; j < 16; j++) {
            v[j] = ldexpf(test_rng_normal(&r), ex - (int)(test_rng_u64(&r) % 12));
            if (test_rng_u64(&r) % 16 == 0) v[j] = 0.0f;
            mx = fmaxf(mx, fabsf(v[j]));
        }
        down = h2_block(v, h);
        if (mx >= ldexpf(1.0f, -110)) {
            float hm = 0.0f;
            for (j = 0; j < 16; j++) hm = fmaxf(hm, fabsf(f16_to_f32(h[j])));
            if (!(hm >= 8192.0f && hm <= 16384.0f)) bad_range++;
        }
        for (j = 0; j < 16; j++)
            if (!(fabs((double)f16_to_f32(h[j]) * down - v[j]) <= ldexp(fmax(mx, ldexp(1.0, -110)), -11))) bad_err++;
    }
    CHECK(bad_range == 0 && bad_err == 0, "%d blocks scaled out of [2^13, 2^14], %d values off by more than 2^-11 of their block's largest",
          bad_range, bad_err);
}

/* kernels.cu fp4_chunk_acc_h2 with its f16 operations emulated (each result
   rounded to f16; the exact product and sum of f16 values fit a double), for
   random chunks of codes (PR layout), E4M3 scales and activations of any
   magnitude, against the exact dot in double precision. Each rounding (of an
   activation, of each of the 8 FMAs of a half) is within 2^-11 of its value:
   asserted below 2e-3 of the sum of |products| (the same bound as the GPU
   test's). */
static void test_chunk_acc_h2(void) {
    test_rng r = {78};
    int n, w, j, blk, bad = 0;
    double worst = 0;
    for (n = 0; n < 20000; n++) {
        uint32_t wd[4], pr[4];
        uint8_t s[2];
        float x[32], f[2];
        uint16_t xh[32];
        int ex = (int)(test_rng_u64(&r) % 161) - 80;
        double exact = 0, mag = 0, got = 0;
        for (w = 0; w < 4; w++) {
            wd[w] = (uint32_t)test_rng_u64(&r);
            pr[w] = fp4_pr_word(wd[w]);
        }
        for (blk = 0; blk < 2; blk++) {
            do s[blk] = (uint8_t)(test_rng_u64(&r) & 0x7f); while (s[blk] == 0x7f || s[blk] == 0);
            for (j = 0; j < 16; j++) x[16 * blk + j] = ldexpf(test_rng_normal(&r), ex + (blk ? 3 : 0));
            f[blk] = h2_block(x + 16 * blk, xh + 16 * blk);
        }
        for (j = 0; j < 32; j++) {
            double t = (double)minimax__e2m1_values[(wd[j / 8] >> (4 * (j % 8))) & 15] *
                       minimax__e4m3_to_f32(s[j / 16]) * x[j];
            exact += t;
            mag += fabs(t);
        }
        for (blk = 0; blk < 2; blk++) {
            uint16_t acc[2] = {0, 0};
            for (w = 2 * blk; w < 2 * blk + 2; w++) {
                uint32_t p[4];
                fp4_word_pairs(pr[w], p, 1);
                for (j = 0; j < 4; j++) { /* pair j: elements 8w + j (low half) and 8w + j + 4 */
                    acc[0] = f16_round((double)f16_to_f32((uint16_t)(p[j] & 0xffff)) * f16_to_f32(xh[8 * w + j]) +
                                       f16_to_f32(acc[0]));
                    acc[1] = f16_round((double)f16_to_f32((uint16_t)(p[j] >> 16)) * f16_to_f32(xh[8 * w + j + 4]) +
                                       f16_to_f32(acc[1]));
                }
            }
            /* the halves in fp32, times the exact scale times the block's factor */
            got = (double)fmaf(f16_to_f32(acc[0]) + f16_to_f32(acc[1]), minimax__e4m3_to_f32(s[blk]) * f[blk], (float)got);
        }
        got *= 16384.0; /* the codes were decoded times 2^-14 */
        if (mag > 0 && fabs(got - exact) / mag > worst) worst = fabs(got - exact) / mag;
        if (!(fabs(got - exact) <= 2e-3 * mag)) bad++;
    }
    printf("    packed-f16 chunk dot: worst error %.3g of the sum of |products| over 20000 chunks\n", worst);
    CHECK(bad == 0, "%d chunks off by more than 2e-3 of their sum of |products| (worst %g)", bad, worst);
}

/* The H2 layout (kernels.cu): element i of a vector of K -> byte offset of its
   f16 in the quads; every element has its own 2 bytes. */
static void test_h2_layout_is_permutation(void) {
    int K = 3072, NC = K / 32, i, bad = 0;
    unsigned char *hit = (unsigned char *)calloc((size_t)K * 2, 1);
    for (i = 0; i < K; i++) {
        int w = i >> 3, j = i & 7;
        size_t off = ((size_t)(w & 3) * NC + (size_t)(w >> 2)) * 16 + (size_t)(j & 3) * 4 + (size_t)(j >> 2) * 2;
        if (off + 1 >= (size_t)K * 2 || hit[off]++ || hit[off + 1]++) bad++;
    }
    CHECK(bad == 0, "%d collisions in the H2 layout", bad);
    free(hit);
}

int main(void) {
    RUN(test_fp4_word_pairs_all_codes);
    RUN(test_fp4_pr_word_is_permutation);
    RUN(test_e4m3_scaled_all_codes);
    RUN(test_h2_block_scaling);
    RUN(test_chunk_acc_h2);
    RUN(test_h2_layout_is_permutation);
    return test_summary();
}
