/* Number formats: BF16, E4M3, E2M1 and NVFP4 quantisation (MODEL.md section 8 vectors). */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

static void e4m3_known_values(void) {
    CHECK(minimax__e4m3_to_f32(0x38) == 1.0f, "0x38 -> %g", minimax__e4m3_to_f32(0x38));
    CHECK(minimax__e4m3_to_f32(0x7E) == 448.0f, "0x7E -> %g", minimax__e4m3_to_f32(0x7E));
    CHECK(minimax__e4m3_to_f32(0x08) == ldexpf(1, -6), "0x08");
    CHECK(minimax__e4m3_to_f32(0x01) == ldexpf(1, -9), "0x01");
    CHECK(isnan(minimax__e4m3_to_f32(0x7F)), "0x7F is NaN");
    CHECK(minimax__e4m3_to_f32(0xB8) == -1.0f, "0xB8 -> -1");
}

static void e4m3_round_trip_every_code(void) {
    int c;
    for (c = 0; c < 256; c++) {
        float v = minimax__e4m3_to_f32((uint8_t)c);
        if (isnan(v) || c == 0x80) continue; /* -0 encodes back as 0x80 too, skip only NaN */
        CHECK(minimax__f32_to_e4m3(v) == c, "code 0x%02x (%g) -> 0x%02x", c, v, minimax__f32_to_e4m3(v));
    }
}

static void e4m3_rounds_to_nearest_even(void) {
    /* between 1.0 (0x38) and 1.125 (0x39): the midpoint goes to the even code 0x38 */
    CHECK(minimax__f32_to_e4m3(1.0625f) == 0x38, "1.0625");
    CHECK(minimax__f32_to_e4m3(1.0626f) == 0x39, "1.0626");
    /* between 1.125 (0x39) and 1.25 (0x3A): midpoint 1.1875 goes to 0x3A */
    CHECK(minimax__f32_to_e4m3(1.1875f) == 0x3A, "1.1875");
    CHECK(minimax__f32_to_e4m3(447.0f) == 0x7E, "447 -> 448");
    CHECK(minimax__f32_to_e4m3(ldexpf(1, -10)) == 0x00, "2^-10 ties to 0");
    CHECK(minimax__f32_to_e4m3(ldexpf(3, -10)) == 0x02, "1.5*2^-9 ties to 2*2^-9");
}

static void e2m1_nibble_order(void) {
    /* byte 0x2F decodes to [-6.0 (low nibble 0xF), +1.0 (high nibble 0x2)] */
    uint8_t packed[8] = {0x2F, 0, 0, 0, 0, 0, 0, 0};
    uint8_t scale[1] = {0x38}; /* 1.0 */
    CHECK(minimax__nvfp4_element(packed, scale, 16, 1.0f, 0, 0) == -6.0f, "element 0");
    CHECK(minimax__nvfp4_element(packed, scale, 16, 1.0f, 0, 1) == 1.0f, "element 1");
}

static void e2m1_rounding_bounds(void) {
    static const float in[] = {0.25f, 0.26f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, 5.01f, 100.0f, -0.1f, -2.6f};
    static const uint8_t want[] = {0, 1, 2, 2, 4, 4, 6, 6, 7, 7, 8, 13};
    size_t i;
    for (i = 0; i < sizeof in / sizeof in[0]; i++)
        CHECK(minimax__f32_to_e2m1(in[i]) == want[i], "%g -> %d, want %d", in[i], minimax__f32_to_e2m1(in[i]), want[i]);
}

static void bf16_round_trip(void) {
    CHECK(minimax__f32_to_bf16(1.0f) == 0x3F80, "1.0");
    CHECK(minimax__bf16_to_f32(0xC000) == -2.0f, "-2");
    CHECK(minimax__f32_to_bf16(1.00390625f) == 0x3F80, "tie to even down");
    CHECK(minimax__f32_to_bf16(1.01171875f) == 0x3F82, "tie to even up");
}

static void nvfp4_quantise_error_is_bounded(void) {
    test_rng rng = {0x1234567ull};
    enum { R = 8, C = 64 };
    float w[R * C], ws2;
    uint8_t packed[R * C / 2], scales[R * C / 16];
    int i, n, k;
    for (i = 0; i < R * C; i++) w[i] = 0.02f * test_rng_normal(&rng);
    minimax__nvfp4_quantize(w, R, C, packed, scales, &ws2);
    CHECK(ws2 > 0.0f, "weight_scale_2 %g", ws2);
    for (n = 0; n < R; n++)
        for (k = 0; k < C; k++) {
            float d = minimax__nvfp4_element(packed, scales, C, ws2, n, k);
            float bmax = 0;
            int j;
            for (j = 0; j < 16; j++) bmax = fmaxf(bmax, fabsf(w[n * C + (k / 16) * 16 + j]));
            /* E2M1 steps are at most 2 (between 4 and 6) on a grid whose top is 6:
               error <= bmax/6 (plus the e4m3 rounding of the scale, < 1/16 relative) */
            CHECK(fabsf(d - w[n * C + k]) <= bmax / 6.0f * 1.07f + 1e-12f, "n=%d k=%d w=%g d=%g", n, k, w[n * C + k], d);
        }
}

int main(void) {
    RUN(e4m3_known_values);
    RUN(e4m3_round_trip_every_code);
    RUN(e4m3_rounds_to_nearest_even);
    RUN(e2m1_nibble_order);
    RUN(e2m1_rounding_bounds);
    RUN(bf16_round_trip);
    RUN(nvfp4_quantise_error_is_bounded);
    return test_summary();
}
