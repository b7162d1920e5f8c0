/* libFuzzer harness for the tokenizer: minimax_tokenize (plain and with
   special tokens) and the streaming minimax_detokenize on any bytes, with the
   65536-token byte-level BPE of tests/tokenizer/large.json (MiniMax-M2's
   pre-tokenizer and special tokens; MINIMAX_FUZZ_TOKENIZER=PATH for another
   tokenizer.json). Build and run with tests/fuzz/run.sh. Checks beyond "no
   crash", for any byte string x (decl_30_text.h):
   - the count asked with no buffer is the count written, and a short buffer
     gets the first ids of the same encoding;
   - every id is below the vocabulary size, and the ids' bytes
     (minimax_token_bytes) concatenate to x exactly, invalid UTF-8 included;
   - the streaming decoder, fed the ids one by one and flushed, gives x too. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

static minimax_tokenizer *tok;

static void check(const char *x, size_t len, unsigned flags) {
    size_t n = 0, n2 = 0, i, at = 0, cap;
    int32_t *ids, first[4];
    char *out;
    minimax_detokenizer st;
    if (minimax_tokenize(tok, x, len, flags, NULL, 0, &n) != MINIMAX_OK) __builtin_trap();
    ids = (int32_t *)malloc((n + 1) * sizeof(int32_t));
    if (!ids) __builtin_trap();
    if (minimax_tokenize(tok, x, len, flags, ids, n, &n2) != MINIMAX_OK || n2 != n) __builtin_trap();
    if (minimax_tokenize(tok, x, len, flags, first, 4, &n2) != MINIMAX_OK || n2 != n) __builtin_trap();
    for (i = 0; i < n && i < 4; i++)
        if (first[i] != ids[i]) __builtin_trap();
    for (i = 0; i < n; i++) { /* the ids' bytes are x */
        size_t bl = 0;
        const char *b = minimax_token_bytes(tok, ids[i], &bl);
        if (ids[i] < 0 || ids[i] >= minimax_tokenizer_vocab_size(tok) || !b) __builtin_trap();
        if (at + bl > len || memcmp(x + at, b, bl)) __builtin_trap();
        at += bl;
    }
    if (at != len) __builtin_trap();
    /* streamed: the same bytes */
    cap = 8 + minimax_tokenizer_max_token_bytes(tok);
    out = (char *)malloc(len + cap);
    if (!out) __builtin_trap();
    memset(&st, 0, sizeof st);
    at = 0;
    for (i = 0; i < n; i++) {
        size_t got = minimax_detokenize(tok, &st, ids[i], out + at, cap);
        if (got > cap) __builtin_trap();
        at += got;
        if (at > len) __builtin_trap();
    }
    at += minimax_detokenize_flush(&st, out + at, cap);
    if (at != len || memcmp(out, x, len)) __builtin_trap();
    free(out);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *x;
    if (!tok) {
        const char *path = getenv("MINIMAX_FUZZ_TOKENIZER");
        if (minimax_tokenizer_load(path ? path : "../../../tests/tokenizer/large.json", &tok) != MINIMAX_OK) {
            fprintf(stderr, "fuzz_tokenizer: %s\n", minimax_last_error());
            abort();
        }
    }
    /* a copy of exactly `size` bytes, so ASan sees any read past the end */
    x = (char *)malloc(size ? size : 1);
    if (!x) return 0;
    memcpy(x, data, size);
    check(x, size, 0);
    check(x, size, MINIMAX_TOKENIZE_SPECIAL);
    free(x);
    return 0;
}
