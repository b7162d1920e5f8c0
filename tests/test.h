/* A very small test harness. Each test program is a list of RUN(test) in
   main(); a test fails when any CHECK in it fails. The program ends with
   `return test_summary();`, which prints the line that tests/run.sh sums:
       RESULT <passed> passed, <failed> failed, <skipped> skipped
   A test that cannot run here (no GPU, no data) calls SKIP("why") and returns.
   MINIMAX_TEST_ONLY=text runs only the tests whose function name contains
   text (the others are not counted), e.g. for a run under compute-sanitizer. */
#ifndef MINIMAX_TEST_H
#define MINIMAX_TEST_H
#include <locale.h>
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
        const char *only_ = getenv("MINIMAX_TEST_ONLY");                                   \
        if (only_ && *only_ && !strstr(#fn, only_)) break;                                 \
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
#if defined(__GNUC__)
__attribute__((unused))
#endif
static float test_rng_normal(test_rng *r) {
    float u1 = test_rng_uniform(r), u2 = test_rng_uniform(r);
    if (u1 < 1e-7f) u1 = 1e-7f;
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
}

/* Switches LC_NUMERIC to an installed locale whose decimal point is not '.'
   (a host may call setlocale(LC_ALL, "")); returns its name, or NULL (then
   LC_NUMERIC stays "C"). Debian: localedef -i de_DE -f UTF-8 de_DE.UTF-8.
   Call setlocale(LC_NUMERIC, "C") when done. */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static const char *test_comma_locale(void) {
    static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8",
                                  "nl_NL.UTF-8", "de_DE", "fr_FR"};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (setlocale(LC_NUMERIC, names[i]) && strcmp(localeconv()->decimal_point, ".") != 0) return names[i];
    setlocale(LC_NUMERIC, "C");
    return NULL;
}

/* Where the committed test data is: $MINIMAX_TEST_DATA, else tests/data (run from the repository root). */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static const char *test_data_dir(void) {
    const char *d = getenv("MINIMAX_TEST_DATA");
    return d && *d ? d : "tests/data";
}

/* A whole file, malloc'd with a NUL after its *len bytes; NULL when it cannot be read. */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static unsigned char *test_read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *p;
    long n;
    *len = 0;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    p = (unsigned char *)malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p) {
        p[n] = 0;
        *len = (size_t)n;
    }
    fclose(f);
    return p;
}
#endif
