/* The NVFP4 format checked against NVIDIA ModelOpt's own quantiser.

   tests/data/modelopt/ holds matrices quantised by ModelOpt's NVFP4QTensor
   (tests/golden/make_modelopt_vectors.py; versions in manifest.json). Our
   minimax__nvfp4_quantize must give the same packed bytes, the same E4M3
   block-scale bytes and the same weight_scale_2 bit for bit, and
   minimax__nvfp4_element, fed ModelOpt's bytes, must give ModelOpt's
   dequantised values.

   Dequantisation is required to be within 1 ulp, not exact: ModelOpt computes
   e2m1 * (e4m3 * ws2) (scale product first, then the element), the library
   (e2m1 * e4m3) * ws2. e2m1 * e4m3 is exact in fp32, so ours is the correctly
   rounded product; ModelOpt's rounds e4m3 * ws2 first, and multiplying that by
   1.5, 3 or 6 can round once more. The count of inexact elements is printed.

   Two sets: tests/data/modelopt/ from the current ModelOpt (0.47.0) and
   tests/data/modelopt_0.41/ from 0.41.0, the release that made the published
   MiniMax-M2.5 NVFP4 checkpoint. 0.41.0 did not clamp block scales to
   [2^-9, 448] before the E4M3 cast: a block whose scale falls below 2^-10
   got scale byte 0x00 and codes +-6 (x/0), i.e. it dequantises to zeros.
   The library's quantiser follows the current release (it clamps, 0x01); for
   0.41.0 such blocks are the only difference allowed, and they must be
   0x00-scaled all-zero blocks. The decode of 0.41.0's bytes (zero scales
   included) must match 0.41.0's dequantisation like any other.

   Run from the repository root (data path tests/data, or $MINIMAX_TEST_DATA). */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"


static unsigned char *read_case(const char *set, const char *name, const char *suffix, size_t want) {
    char path[1024];
    size_t len = 0;
    unsigned char *p;
    snprintf(path, sizeof path, "%s/%s/%s.%s", test_data_dir(), set, name, suffix);
    p = test_read_all(path, &len);
    if (p && len != want) {
        printf("    %s: %zu bytes, expected %zu\n", path, len, want);
        free(p);
        return NULL;
    }
    if (!p) printf("    cannot read %s\n", path);
    return p;
}

/* Distance in units in the last place between two finite floats of the same sign (0 if equal). */
static long ulp_distance(float a, float b) {
    int32_t ia, ib;
    if (a == b) return 0;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    if ((ia < 0) != (ib < 0)) return 1L << 30;
    return ia > ib ? (long)ia - ib : (long)ib - ia;
}

/* clamps: whether this ModelOpt clamps block scales (else 0x00 vs our 0x01 is allowed, see the top). */
static void check_case(const char *set, int clamps, const char *name, int64_t rows, int64_t cols) {
    size_t n = (size_t)(rows * cols);
    float *in = (float *)read_case(set, name, "input.f32", n * 4);
    uint8_t *mo_packed = read_case(set, name, "packed.u8", n / 2);
    uint8_t *mo_scales = read_case(set, name, "scales.u8", n / 16);
    float *mo_ws2 = (float *)read_case(set, name, "ws2.f32", 4);
    float *mo_deq = (float *)read_case(set, name, "dequant.f32", n * 4);
    uint8_t *packed = (uint8_t *)calloc(n / 2, 1);
    uint8_t *scales = (uint8_t *)calloc(n / 16, 1);
    float ws2 = -1.0f;
    size_t i, k, bad_packed = 0, bad_scales = 0, unclamped = 0, inexact = 0, over_1ulp = 0;
    int64_t r, c;
    if (in && mo_packed && mo_scales && mo_ws2 && mo_deq && packed && scales) {
        minimax__nvfp4_quantize(in, rows, cols, packed, scales, &ws2);
        CHECK(minimax__bits_from_f32(ws2) == minimax__bits_from_f32(*mo_ws2), "%s: weight_scale_2 %.9g, ModelOpt %.9g",
              name, ws2, *mo_ws2);
        for (i = 0; i < n / 16; i++)
            if (!clamps && mo_scales[i] == 0x00 && scales[i] == 0x01) {
                /* 0.41.0's unclamped zero scale: the block must dequantise to zeros */
                unclamped++;
                for (k = 0; k < 16; k++) CHECK(mo_deq[i * 16 + k] == 0.0f, "%s/%s: zero-scale block %zu", set, name, i);
                for (k = 0; k < 8; k++) packed[i * 8 + k] = mo_packed[i * 8 + k]; /* codes are x/0: not compared */
            } else if (scales[i] != mo_scales[i]) {
                if (bad_scales++ < 5)
                    printf("    %s: scale[%zu,%zu] 0x%02x, ModelOpt 0x%02x\n", name, i / (size_t)(cols / 16),
                           i % (size_t)(cols / 16), scales[i], mo_scales[i]);
            }
        for (i = 0; i < n / 2; i++)
            if (packed[i] != mo_packed[i]) {
                if (bad_packed++ < 5)
                    printf("    %s: packed[%zu,%zu] 0x%02x, ModelOpt 0x%02x (inputs %.9g %.9g)\n", name,
                           i / (size_t)(cols / 2), i % (size_t)(cols / 2), packed[i], mo_packed[i], in[2 * i],
                           in[2 * i + 1]);
            }
        CHECK(bad_scales == 0, "%s/%s: %zu of %zu block scales differ from ModelOpt's", set, name, bad_scales, n / 16);
        CHECK(bad_packed == 0, "%s/%s: %zu of %zu packed bytes differ from ModelOpt's", set, name, bad_packed, n / 2);
        /* Decode ModelOpt's own bytes, so that this half does not depend on the quantiser. */
        for (r = 0; r < rows; r++)
            for (c = 0; c < cols; c++) {
                float ours = minimax__nvfp4_element(mo_packed, mo_scales, cols, *mo_ws2, r, c);
                float theirs = mo_deq[r * cols + c];
                long d = ulp_distance(ours, theirs);
                if (d) inexact++;
                if (d > 1 && over_1ulp++ < 5)
                    printf("    %s: element [%lld,%lld] %.9g, ModelOpt %.9g\n", name, (long long)r, (long long)c, ours,
                           theirs);
            }
        CHECK(over_1ulp == 0, "%s: %zu dequantised elements differ from ModelOpt's by more than 1 ulp", name, over_1ulp);
        printf("    %-14s [%lldx%lld] packed %zu/%zu bytes, scales %zu/%zu bytes%s, ws2 %s; dequant: %zu exact, "
               "%zu at 1 ulp, %zu beyond\n",
               name, (long long)rows, (long long)cols, n / 2 - bad_packed, n / 2, n / 16 - bad_scales, n / 16,
               unclamped ? " (incl. unclamped zero scales)" : "",
               minimax__bits_from_f32(ws2) == minimax__bits_from_f32(*mo_ws2) ? "equal" : "DIFFERENT", n - inexact,
               inexact - over_1ulp, over_1ulp);
        if (unclamped) printf("    %-14s %zu blocks with ModelOpt's unclamped scale 0x00 (ours 0x01), all dequantised to 0\n", "", unclamped);
    } else {
        CHECK(0, "%s: data files missing or of the wrong size", name);
    }
    free(in);
    free(mo_packed);
    free(mo_scales);
    free(mo_ws2);
    free(mo_deq);
    free(packed);
    free(scales);
}

static void check_set(const char *set, int min_cases) {
    char path[1024];
    size_t len = 0, i;
    char *text;
    minimax__json_doc doc;
    const minimax__json *cases, *mo, *tv, *cl;
    int clamps, checked = 0;
    snprintf(path, sizeof path, "%s/%s/manifest.json", test_data_dir(), set);
    text = (char *)test_read_all(path, &len);
    REQUIRE(text != NULL, "cannot read %s (run from the repository root)", path);
    if (minimax__json_parse(text, len, path, &doc) != MINIMAX_OK) {
        free(text);
        REQUIRE(0, "%s", minimax_last_error());
    }
    mo = minimax__json_get(doc.root, "modelopt");
    tv = minimax__json_get(doc.root, "torch");
    cl = minimax__json_get(doc.root, "clamps_block_scales");
    clamps = !cl || cl->type != MINIMAX__JSON_FALSE;
    printf("    %s: made by nvidia-modelopt %s, torch %s (%s block scales)\n", set, mo && mo->str ? mo->str : "?",
           tv && tv->str ? tv->str : "?", clamps ? "clamps" : "does not clamp");
    cases = minimax__json_get(doc.root, "cases");
    CHECK(cases && cases->type == MINIMAX__JSON_ARRAY && (int)cases->count >= min_cases, "%s lists the cases", path);
    for (i = 0; cases && i < cases->count; i++) {
        const minimax__json *c = minimax__json_at(cases, i);
        const minimax__json *name = minimax__json_get(c, "name");
        const minimax__json *rows = minimax__json_get(c, "rows");
        const minimax__json *cols = minimax__json_get(c, "cols");
        if (!name || !rows || !cols || name->type != MINIMAX__JSON_STRING) {
            CHECK(0, "case %zu malformed in the manifest", i);
            continue;
        }
        check_case(set, clamps, name->str, (int64_t)rows->number, (int64_t)cols->number);
        checked++;
    }
    CHECK(checked >= min_cases, "%s: %d cases checked", set, checked);
    minimax__json_free(&doc);
    free(text);
}

static void modelopt_current(void) { check_set("modelopt", 9); }
static void modelopt_0_41(void) { check_set("modelopt_0.41", 9); }

int main(void) {
    (void)test_rng_normal; /* the harness's generator is not needed: the data are ModelOpt's */
    RUN(modelopt_current);
    RUN(modelopt_0_41);
    return test_summary();
}
