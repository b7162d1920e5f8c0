/* The JSON parser: values, escapes, order, and clear errors on malformed text. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

#include <locale.h>

static void parses_values_in_order(void) {
    const char *t = "{\"b\": [1, -2.5e3, true, false, null], \"a\": {\"x\": \"h\\u00e9\\ud83d\\ude00\\n\"}, \"b\": 7}";
    minimax__json_doc d;
    const minimax__json *b, *x;
    REQUIRE(minimax__json_parse(t, strlen(t), "t", &d) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(d.root->count == 3, "3 members");
    CHECK(strcmp(d.root->child->key, "b") == 0 && strcmp(d.root->child->next->key, "a") == 0, "key order kept");
    b = minimax__json_get(d.root, "b");
    REQUIRE(b && b->type == MINIMAX__JSON_ARRAY && b->count == 5, "array");
    CHECK(minimax__json_at(b, 1)->number == -2500.0, "number");
    CHECK(minimax__json_at(b, 1)->raw_len == 6 && memcmp(minimax__json_at(b, 1)->raw, "-2.5e3", 6) == 0, "raw text");
    CHECK(minimax__json_at(b, 2)->type == MINIMAX__JSON_TRUE && minimax__json_at(b, 4)->type == MINIMAX__JSON_NULL, "words");
    x = minimax__json_get(minimax__json_get(d.root, "a"), "x");
    REQUIRE(x && x->type == MINIMAX__JSON_STRING, "string");
    CHECK(x->len == 8 && strcmp(x->str, "h\xc3\xa9\xf0\x9f\x98\x80\n") == 0, "escapes decoded (%zu)", x->len);
    minimax__json_free(&d);
}

static void rejects_malformed_with_position(void) {
    static const char *bad[] = {"", "{", "{\"a\" 1}", "[1,]", "[1 2]", "\"abc", "\"\\q\"", "01", "1.", "-", "tru",
                                "{\"a\":1} x", "\"\\ud800\"", "[\"\x01\"]", "{1:2}", "\"ab\\"};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        minimax__json_doc d;
        minimax_result r = minimax__json_parse(bad[i], strlen(bad[i]), "bad.json", &d);
        CHECK(r == MINIMAX_ERR_FORMAT, "'%s' accepted", bad[i]);
        CHECK(strstr(minimax_last_error(), "bad.json: invalid JSON at line 1, column") != NULL, "message: %s",
              minimax_last_error());
    }
}

static void deep_nesting_is_an_error_not_a_crash(void) {
    size_t n = 100000, i;
    char *t = (char *)malloc(n);
    minimax__json_doc d;
    for (i = 0; i < n; i++) t[i] = '[';
    CHECK(minimax__json_parse(t, n, "deep", &d) == MINIMAX_ERR_FORMAT, "deep nesting");
    CHECK(strstr(minimax_last_error(), "nesting") != NULL, "%s", minimax_last_error());
    free(t);
}

static void writes_strings_like_python(void) {
    minimax__buf b = {0};
    const char *s = "a\"\\\n\x01h\xc3\xa9\xf0\x9f\x98\x80";
    minimax__json_write_string(&b, s, strlen(s), 1);
    CHECK(strcmp(b.data, "\"a\\\"\\\\\\n\\u0001h\\u00e9\\ud83d\\ude00\"") == 0, "ascii: %s", b.data);
    b.len = 0;
    minimax__json_write_string(&b, s, strlen(s), 0);
    CHECK(strcmp(b.data, "\"a\\\"\\\\\\n\\u0001h\xc3\xa9\xf0\x9f\x98\x80\"") == 0, "utf8: %s", b.data);
    minimax__buf_free(&b);
}

/* Found by tests/fuzz: with ascii_only, invalid UTF-8 (here 0xFF followed by
   three continuation bytes, a code point above U+10FFFF) was written as a
   pair of low surrogates, which no JSON parser accepts. Every invalid
   sequence must become U+FFFD and the output must parse back. */
static void ascii_output_of_invalid_utf8_is_valid_json(void) {
    static const char *cases[] = {"\xff\xa5\xa5\xa5", "\xf8\x88\x80\x80\x80", "\xf4\x90\x80\x80", /* > U+10FFFF */
                                  "\xed\xa0\x80",                                          /* surrogate U+D800 */
                                  "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",          /* overlong '/' */
                                  "\x80", "\xe2\x82", "a\xc3"};                                 /* stray, truncated */
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        minimax__buf b = {0};
        minimax__json_doc d;
        REQUIRE(minimax__json_write_string(&b, cases[i], strlen(cases[i]), 1), "out of memory");
        CHECK(strstr(b.data, "\\ufffd") != NULL && !strstr(b.data, "\\ud") && !strstr(b.data, "\\udc"), "case %zu: %s", i,
              b.data);
        CHECK(minimax__json_parse(b.data, b.len, "out", &d) == MINIMAX_OK, "case %zu: %s: %s", i, b.data, minimax_last_error());
        minimax__json_free(&d);
        minimax__buf_free(&b);
    }
    { /* the largest valid code point still goes out as a surrogate pair */
        minimax__buf b = {0};
        minimax__json_write_string(&b, "\xf4\x8f\xbf\xbf", 4, 1);
        CHECK(b.data && strcmp(b.data, "\"\\udbff\\udfff\"") == 0, "U+10FFFF: %s", b.data);
        minimax__buf_free(&b);
    }
}

/* Parses one JSON number; NAN when it is not accepted. */
static double num(const char *text) {
    minimax__json_doc d;
    double v;
    if (minimax__json_parse(text, strlen(text), "num", &d) != MINIMAX_OK) return NAN;
    v = d.root->type == MINIMAX__JSON_NUMBER ? d.root->number : NAN;
    minimax__json_free(&d);
    return v;
}

/* Numbers are correctly rounded, also with more digits than a buffer of
   128 (which used to cut "1" followed by 200 zeros down to 1e126), and with
   more than 800 significant digits, where only a sticky digit decides the
   rounding of an exact halfway point. */
static void numbers_are_correctly_rounded(void) {
    char *t = (char *)malloc(4096), digits[1200];
    size_t n = 1, i, k;
    int d[1200];
    test_rng rng = {0x9e3779b97f4a7c15ull};
    REQUIRE(t != NULL, "malloc");
    memset(t, '0', 201);
    t[0] = '1';
    t[201] = 0;
    CHECK(num(t) == 1e200, "1 and 200 zeros: %g", num(t));
    strcpy(t, "0.");
    memset(t + 2, '0', 150);
    strcpy(t + 152, "1");
    CHECK(num(t) == 1e-151, "0.(150 zeros)1: %g", num(t));
    strcpy(t, "1.");
    memset(t + 2, '0', 200);
    strcpy(t + 202, "e5");
    CHECK(num(t) == 1e5, "1.(200 zeros)e5: %g", num(t));
    CHECK(num("1e999999999999999999") == HUGE_VAL && num("-1e400") == -HUGE_VAL && num("1e-999999999999") == 0.0,
          "huge exponents");
    CHECK(num("-0") == 0.0 && signbit(num("-0.0e7")), "negative zero");
    /* 5^1075 * 10^-1075 = 2^-1075, exactly half the smallest subnormal (752 digits) */
    d[0] = 1;
    for (k = 0; k < 1075; k++) {
        int carry = 0;
        for (i = 0; i < n; i++) {
            int x = d[i] * 5 + carry;
            d[i] = x % 10;
            carry = x / 10;
        }
        if (carry) d[n++] = carry;
    }
    for (i = 0; i < n; i++) digits[i] = (char)('0' + d[n - 1 - i]);
    digits[n] = 0;
    sprintf(t, "%se-1075", digits);
    CHECK(num(t) == 0.0, "2^-1075 rounds to even (0): %g", num(t));
    sprintf(t, "%s%0100de-1175", digits, 1); /* 2^-1075 + a little, at the 852nd digit */
    CHECK(num(t) == 4.9406564584124654e-324, "just above 2^-1075: %g", num(t));
    sprintf(t, "%s%0100de-1175", digits, 0);
    CHECK(num(t) == 0.0, "2^-1075 with zeros: %g", num(t));
    /* random numbers against strtod in the C locale */
    for (k = 0; k < 20000; k++) { /* -?D(.D*)?e-?X with up to 25 digits */
        int nd = 1 + (int)(test_rng_u64(&rng) % 25), point = 1 + (int)(test_rng_u64(&rng) % (unsigned)nd), j, w = 0;
        int ex = (int)(test_rng_u64(&rng) % 700) - 350;
        if (test_rng_u64(&rng) & 1) t[w++] = '-';
        for (j = 0; j < nd; j++) {
            if (j == point) t[w++] = '.';
            t[w++] = (char)('0' + (j == 0 ? 1 + test_rng_u64(&rng) % 9 : test_rng_u64(&rng) % 10));
        }
        sprintf(t + w, "e%d", ex);
        if (num(t) != strtod(t, NULL)) {
            CHECK(0, "%s: %.17g, strtod %.17g", t, num(t), strtod(t, NULL));
            break;
        }
    }
    free(t);
}

/* A host may call setlocale(LC_ALL, ""): with a decimal comma, strtod reads
   "0.5" as 0. JSON numbers must not change. Skips when no such locale is
   installed (Debian: localedef -i de_DE -f UTF-8 de_DE.UTF-8). */
static void numbers_ignore_the_c_locale(void) {
    const char *text = "{\"partial_rotary_factor\": 0.5, \"rms_norm_eps\": 1.5e-06, \"x\": [0.30000000000000004, -12.25, "
                       "5000000, 1e-06]}";
    minimax__json_doc d;
    const minimax__json *x;
    const char *locale = test_comma_locale();
    if (!locale) SKIP("no locale with a decimal comma is installed");
    REQUIRE(minimax__json_parse(text, strlen(text), "t", &d) == MINIMAX_OK, "%s", minimax_last_error());
    x = minimax__json_get(d.root, "x");
    CHECK(minimax__json_get(d.root, "partial_rotary_factor")->number == 0.5, "0.5 read as %g in %s",
          minimax__json_get(d.root, "partial_rotary_factor")->number, locale);
    CHECK(minimax__json_get(d.root, "rms_norm_eps")->number == 1.5e-06, "1.5e-06");
    CHECK(minimax__json_at(x, 0)->number == 0.30000000000000004 && minimax__json_at(x, 1)->number == -12.25 &&
              minimax__json_at(x, 2)->number == 5e6 && minimax__json_at(x, 3)->number == 1e-6,
          "list in %s", locale);
    minimax__json_free(&d);
    setlocale(LC_NUMERIC, "C");
}

/* A bounded stand-in for tests/fuzz/fuzz_json.c in every `make test`:
   20000 random mutations (byte flips, inserted JSON tokens, cuts) of a few
   documents; each parse ends in MINIMAX_OK or MINIMAX_ERR_FORMAT naming the
   source (ASan/UBSan watch the rest), and every string of an accepted
   document is NUL-terminated at its length and survives writing back. */
static int strings_round_trip(const minimax__json *v) {
    const minimax__json *c;
    if (v->type == MINIMAX__JSON_STRING) {
        minimax__buf b = {0};
        minimax__json_doc d;
        int ok = v->str[v->len] == 0 && minimax__json_write_string(&b, v->str, v->len, 1) &&
                 minimax__json_parse(b.data, b.len, "rt", &d) == MINIMAX_OK;
        if (ok) {
            ok = d.root->len == v->len || strstr(b.data, "\\ufffd") != NULL; /* invalid UTF-8 becomes U+FFFD */
            minimax__json_free(&d);
        }
        minimax__buf_free(&b);
        if (!ok) return 0;
    }
    for (c = v->child; c; c = c->next)
        if (!strings_round_trip(c)) return 0;
    return 1;
}

static void random_mutations_never_crash(void) {
    static const char *const seeds[] = {
        "{\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"h\\u00e9\\ud83d\\ude00\\n\"}, \"d\": 0.5}",
        "{\"x\": {\"dtype\": \"BF16\", \"shape\": [4, 8], \"data_offsets\": [0, 64]}, \"__metadata__\": {}}",
        "[[[[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\"]]], 1E+2, -0, 123456789012345678901234567890]"};
    static const char *const tokens[] = {"{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "e", "-", ".", "0", "9",
                                         "true", "null", "\xff", "\xc3", " "};
    test_rng rng = {0x1234567887654321ull};
    char buf[512];
    int k, failures = 0;
    for (k = 0; k < 20000 && !failures; k++) {
        const char *seed = seeds[k % 3];
        size_t n = strlen(seed), m, i;
        minimax__json_doc d;
        minimax_result r;
        char *text;
        memcpy(buf, seed, n);
        for (m = 1 + test_rng_u64(&rng) % 4; m > 0; m--) {
            size_t at = (size_t)(test_rng_u64(&rng) % (n + 1));
            switch (test_rng_u64(&rng) % 3) {
            case 0: /* flip */
                if (at < n) buf[at] = (char)(buf[at] ^ (char)(1 + test_rng_u64(&rng) % 255));
                break;
            case 1: { /* insert a token */
                const char *t = tokens[test_rng_u64(&rng) % (sizeof tokens / sizeof tokens[0])];
                size_t tl = strlen(t);
                if (n + tl < sizeof buf) {
                    memmove(buf + at + tl, buf + at, n - at);
                    memcpy(buf + at, t, tl);
                    n += tl;
                }
                break;
            }
            default: /* cut */
                n = at;
            }
        }
        text = (char *)malloc(n ? n : 1); /* exactly n bytes: ASan sees any read past them */
        REQUIRE(text != NULL, "malloc");
        memcpy(text, buf, n);
        r = minimax__json_parse(text, n, "mutant", &d);
        if (r == MINIMAX_OK) {
            if (!strings_round_trip(d.root)) failures++;
            minimax__json_free(&d);
        } else if (r != MINIMAX_ERR_FORMAT || strncmp(minimax_last_error(), "mutant: ", 8) != 0) {
            failures++;
        }
        if (failures) {
            printf("    mutant %d (%zu bytes):", k, n);
            for (i = 0; i < n; i++) printf(" %02x", (unsigned char)text[i]);
            printf("\n    %s\n", minimax_last_error());
        }
        free(text);
    }
    CHECK(failures == 0, "a mutant failed (printed above)");
}

int main(void) {
    RUN(parses_values_in_order);
    RUN(rejects_malformed_with_position);
    RUN(deep_nesting_is_an_error_not_a_crash);
    RUN(writes_strings_like_python);
    RUN(ascii_output_of_invalid_utf8_is_valid_json);
    RUN(numbers_are_correctly_rounded);
    RUN(numbers_ignore_the_c_locale);
    RUN(random_mutations_never_crash);
    return test_summary();
}
