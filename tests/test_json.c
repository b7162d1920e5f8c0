/* The JSON parser: values, escapes, order, and clear errors on malformed text. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"

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
                                "{\"a\":1} x", "\"\\ud800\"", "[\"\x01\"]", "{1:2}"};
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

int main(void) {
    RUN(parses_values_in_order);
    RUN(rejects_malformed_with_position);
    RUN(deep_nesting_is_an_error_not_a_crash);
    RUN(writes_strings_like_python);
    RUN(ascii_output_of_invalid_utf8_is_valid_json);
    return test_summary();
}
