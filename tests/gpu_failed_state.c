/* After a sticky device fault the model is FAILED: the call that meets the
   fault returns MINIMAX_ERR_DEVICE, every later call MINIMAX_ERR_FAILED_STATE,
   and freeing still works. Its own program, because the fault poisons the
   CUDA context of the whole process. Skips without a GPU. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "engine_util.h"

static void test_failed_state(void) {
    minimax_config c = eu_tiny_config();
    eu_model *em = eu_random_model(&c, 2);
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_session *s = NULL, *s2 = NULL;
    minimax_result r;
    int32_t ids[4] = {5, 6, 7, 8}, tok;
    minimax__cu_ptr bad = 16; /* not a device allocation */
    void *args[1];
    memset(&d, 0, sizeof d);
    d.max_sessions = 2;
    d.max_context = 64;
    r = minimax__model_create(&d, &c, &em->w, &m);
    if (r != MINIMAX_OK) {
        eu_free_model(em);
        SKIP("no GPU model: %s: %.300s", minimax_result_name(r), minimax_last_error());
    }
    REQUIRE(minimax_session_create(m, &s) == MINIMAX_OK, "%s", minimax_last_error());
    REQUIRE(minimax_prefill(s, ids, 4, NULL, &tok) == MINIMAX_OK, "%s", minimax_last_error());
    args[0] = &bad;
    minimax__cu.cuCtxSetCurrent(m->ctx);
    REQUIRE(minimax__cu.cuLaunchKernel(m->fn[MINIMAX__K_FAULT], 1, 1, 1, 32, 1, 1, 0, m->stream, args, NULL) == 0,
            "fault launch");
    r = minimax_step(m, &s, 1, &tok, NULL, &tok);
    CHECK(r == MINIMAX_ERR_DEVICE, "the step that meets the fault: %s (%s)", minimax_result_name(r), minimax_last_error());
    printf("    fault reported as: %s\n", minimax_last_error());
    r = minimax_step(m, &s, 1, &tok, NULL, &tok);
    CHECK(r == MINIMAX_ERR_FAILED_STATE, "later step: %s", minimax_result_name(r));
    r = minimax_prefill(s, ids, 4, NULL, NULL);
    CHECK(r == MINIMAX_ERR_FAILED_STATE, "later prefill: %s", minimax_result_name(r));
    r = minimax_session_create(m, &s2);
    CHECK(r == MINIMAX_ERR_FAILED_STATE && s2 == NULL, "later session_create: %s", minimax_result_name(r));
    r = minimax_session_reset(s);
    CHECK(r == MINIMAX_ERR_FAILED_STATE, "later reset: %s", minimax_result_name(r));
    minimax_session_free(s);
    minimax_model_free(m);
    eu_free_model(em);
}

int main(void) {
    RUN(test_failed_state);
    return test_summary();
}
