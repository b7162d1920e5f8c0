/* The multi-GPU layout on the CPU (minimax__mg_layout_make, impl_56_multi.h):
   which GPU gets which layers and vocabulary rows, and the errors of a bad
   desc, without a GPU. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

static void unused_helpers(void) { (void)test_rng_normal; }


#define GIB ((size_t)1 << 30)

static void test_tp(void) {
    minimax_config c = minimax__bench_real_config(62);
    minimax_model_desc d;
    minimax__mg_layout o;
    minimax_config rc;
    int tp;
    memset(&d, 0, sizeof d);
    for (tp = 2; tp <= 8; tp *= 2) {
        d.tp = tp;
        REQUIRE(minimax__mg_layout_make(&c, &d, 8, NULL, 0, 0, 0, &o) == MINIMAX_OK, "tp %d: %s", tp, minimax_last_error());
        CHECK(o.n == tp && o.tp == tp, "tp %d: n %d", tp, o.n);
        CHECK(o.v0[0] == 0 && o.v0[tp] == 200064 && o.v0[1] == 200064 / tp, "tp %d: vocab shards %d %d", tp, o.v0[1], o.v0[tp]);
        rc = minimax__mg_rank_config(&c, &o, tp - 1);
        CHECK(rc.num_heads == 48 / tp && rc.num_kv_heads == 8 / tp && rc.intermediate_size == 1536 / tp &&
                  rc.vocab_size == 200064 / tp && rc.num_layers == 62,
              "tp %d: rank config %d %d %d %d", tp, rc.num_heads, rc.num_kv_heads, rc.intermediate_size, rc.vocab_size);
        CHECK(rc.num_heads / rc.num_kv_heads == 6, "grouping kept");
    }
    d.tp = 2;
    CHECK(minimax__mg_layout_make(&c, &d, 1, NULL, 0, 0, 0, &o) == MINIMAX_ERR_NO_DEVICE &&
              strstr(minimax_last_error(), "GPU 1 requested but 1 CUDA device(s) present"),
          "one GPU: %s", minimax_last_error());
    d.tp = 3;
    CHECK(minimax__mg_layout_make(&c, &d, 8, NULL, 0, 0, 0, &o) == MINIMAX_ERR_INVALID_ARGUMENT, "tp 3");
    d.tp = 16;
    CHECK(minimax__mg_layout_make(&c, &d, 16, NULL, 0, 0, 0, &o) == MINIMAX_ERR_UNSUPPORTED, "tp 16");
    c.num_kv_heads = 2;
    d.tp = 4;
    CHECK(minimax__mg_layout_make(&c, &d, 8, NULL, 0, 0, 0, &o) == MINIMAX_ERR_INVALID_ARGUMENT &&
              strstr(minimax_last_error(), "must divide"),
          "kv heads: %s", minimax_last_error());
    c = minimax__bench_real_config(62);
    c.intermediate_size = 1536 + 32; /* 1568 / 4 = 392 = 16 * 24.5 */
    CHECK(minimax__mg_layout_make(&c, &d, 8, NULL, 0, 0, 0, &o) == MINIMAX_ERR_INVALID_ARGUMENT &&
              strstr(minimax_last_error(), "multiples of 16"),
          "width: %s", minimax_last_error());
}

static void test_split(void) {
    minimax_config c = minimax__bench_real_config(62);
    minimax_model_desc d;
    minimax__mg_layout o;
    static const int given[3] = {40, 11, 11}, devs[3] = {2, 0, 1};
    size_t fr[3];
    int i, sum;
    memset(&d, 0, sizeof d);
    d.n_devices = 3;
    d.devices = devs;
    d.layer_split = given;
    REQUIRE(minimax__mg_layout_make(&c, &d, 4, NULL, 0, 0, 0, &o) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(o.tp == 1 && o.n == 3 && o.layer0[1] == 40 && o.layer0[2] == 51 && o.layer0[3] == 62, "given split");
    CHECK(o.devices[0] == 2 && o.devices[2] == 1, "device order kept");
    CHECK(minimax__mg_rank_config(&c, &o, 1).num_layers == 11, "rank layers");
    /* automatic: 2 GiB per layer, 1 GiB ends, 0.5 GiB scratch; 90 + 24 + 24 GiB free */
    d.layer_split = NULL;
    fr[0] = 90 * GIB;
    fr[1] = 24 * GIB;
    fr[2] = 24 * GIB;
    REQUIRE(minimax__mg_layout_make(&c, &d, 4, fr, 2 * GIB, GIB, GIB / 2, &o) == MINIMAX_OK, "%s", minimax_last_error());
    for (i = 0, sum = 0; i < 3; i++) {
        int n = o.layer0[i + 1] - o.layer0[i];
        long long room = ((long long)fr[i] - (long long)(GIB / 2) - (long long)(GIB / 2) - (long long)GIB) / (long long)(2 * GIB);
        if (i == 1) room = ((long long)fr[i] - (long long)GIB) / (long long)(2 * GIB); /* middle GPU: no embedding or lm_head */
        CHECK(n >= 1 && n <= room, "GPU %d gets %d layers, room %lld", i, n, room);
        sum += n;
    }
    CHECK(sum == 62 && o.layer0[1] - o.layer0[0] > 30, "automatic split %d,%d,%d", o.layer0[1], o.layer0[2] - o.layer0[1],
          o.layer0[3] - o.layer0[2]);
    fr[0] = 20 * GIB;
    CHECK(minimax__mg_layout_make(&c, &d, 4, fr, 2 * GIB, GIB, GIB / 2, &o) == MINIMAX_ERR_OUT_OF_MEMORY &&
              strstr(minimax_last_error(), "do not fit"),
          "too small: %s", minimax_last_error());
    /* errors */
    d.layer_split = given;
    d.tp = 2;
    CHECK(minimax__mg_layout_make(&c, &d, 4, NULL, 0, 0, 0, &o) == MINIMAX_ERR_INVALID_ARGUMENT &&
              strstr(minimax_last_error(), "do not combine"),
          "tp + split: %s", minimax_last_error());
    d.tp = 0;
    c.num_layers = 61;
    CHECK(minimax__mg_layout_make(&c, &d, 4, NULL, 0, 0, 0, &o) == MINIMAX_ERR_INVALID_ARGUMENT &&
              strstr(minimax_last_error(), "adds up to 62"),
          "sum: %s", minimax_last_error());
    d.cuda_context = (void *)&d;
    CHECK(minimax__mg_layout_make(&c, &d, 4, NULL, 0, 0, 0, &o) == MINIMAX_ERR_UNSUPPORTED, "host context");
}

int main(void) {
    unused_helpers();
    RUN(test_tp);
    RUN(test_split);
    return test_summary();
}
