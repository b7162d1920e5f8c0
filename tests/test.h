/* A very small test harness. Each test program is a list of RUN(test) in
   main(); a test fails when any CHECK in it fails. The program ends with
   `return test_summary();`, which prints the line that tests/run.sh sums:
       RESULT <passed> passed, <failed> failed, <skipped> skipped
   A test that cannot run here (no GPU, no data) calls SKIP("why") and returns. */
#ifndef MINIMAX_TEST_H
#define MINIMAX_TEST_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test__passed, test__failed, test__skipped, test__cur_failed, test__cur_skipped;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            test__cur_failed = 1;                                                          \
            printf("    %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);            \
            printf(__VA_ARGS__);                                                           \
            printf("\n");                                                                  \
        }                                                                                  \
    } while (0)

/* CHECK that stops the current test (for preconditions of later checks). */
#define REQUIRE(cond, ...)                                                                 \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            test__cur_failed = 1;                                                          \
            printf("    %s:%d: REQUIRE(%s) failed: ", __FILE__, __LINE__, #cond);          \
            printf(__VA_ARGS__);                                                           \
            printf("\n");                                                                  \
            return;                                                                        \
        }                                                                                  \
    } while (0)

#define SKIP(...)                                                                          \
    do {                                                                                   \
        test__cur_skipped = 1;                                                             \
        printf("    skipped: ");                                                           \
        printf(__VA_ARGS__);                                                               \
        printf("\n");                                                                      \
        return;                                                                            \
    } while (0)

#define RUN(fn)                                                                            \
    do {                                                                                   \
        test__cur_failed = 0;                                                              \
        test__cur_skipped = 0;                                                             \
        printf("--- %s\n", #fn);                                                           \
        fflush(stdout);                                                                    \
        fn();                                                                              \
        if (test__cur_failed) {                                                            \
            test__failed++;                                                                \
            printf("FAIL %s\n", #fn);                                                      \
        } else if (test__cur_skipped) {                                                    \
            test__skipped++;                                                               \
            printf("SKIP %s\n", #fn);                                                      \
        } else {                                                                           \
            test__passed++;                                                                \
            printf("ok   %s\n", #fn);                                                      \
        }                                                                                  \
        fflush(stdout);                                                                    \
    } while (0)

static int test_summary(void) {
    printf("RESULT %d passed, %d failed, %d skipped\n", test__passed, test__failed, test__skipped);
    fflush(stdout); /* sanitizers end the process without flushing stdio */
    return test__failed ? 1 : 0;
}

/* Deterministic random numbers for tests (xorshift64*, Box-Muller normals). */
typedef struct test_rng { unsigned long long s; } test_rng;
static unsigned long long test_rng_u64(test_rng *r) {
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ull;
}
static float test_rng_uniform(test_rng *r) { return (float)((test_rng_u64(r) >> 40) * (1.0 / 16777216.0)); }
static float test_rng_normal(test_rng *r) {
    float u1 = test_rng_uniform(r), u2 = test_rng_uniform(r);
    if (u1 < 1e-7f) u1 = 1e-7f;
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
}
#endif
