/* minimax-tokenize: text <-> token ids with a tokenizer.json.

   usage: minimax-tokenize TOKENIZER_JSON [--special] [--decode] [--bench N]
     (default)  reads UTF-8 text (any bytes) on stdin, prints the ids
                separated by spaces and a newline
     --special  match added/special tokens ("]~b]", "<think>") in the text;
                without it they are plain text
     --decode   reads ids (whitespace separated) on stdin, writes the text
                through the streaming decoder
     --bench N  encodes stdin N times and prints MB/s (one thread) on stderr
     --lines    encodes each line (with its '\n') on its own; one line of ids each
     --pieces   (for tests) prints the byte length of each pre-tokenizer piece */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

#include <time.h>

static char *read_all(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0, got;
    char *buf = (char *)malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = (char *)realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
    }
    *len = n;
    return buf;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    minimax_tokenizer *tok;
    minimax_result r;
    int decode = 0, i, bench = 0, pieces = 0, lines = 0;
    unsigned flags = 0;
    const char *path = NULL;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--decode") == 0) decode = 1;
        else if (strcmp(argv[i], "--special") == 0) flags |= MINIMAX_TOKENIZE_SPECIAL;
        else if (strcmp(argv[i], "--pieces") == 0) pieces = 1;
        else if (strcmp(argv[i], "--lines") == 0) lines = 1;
        else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc) bench = atoi(argv[++i]);
        else if (!path && argv[i][0] != '-') path = argv[i];
        else path = NULL, i = argc;
    }
    if (!path) {
        fprintf(stderr, "usage: %s TOKENIZER_JSON [--special] [--decode] [--bench N] < input\n", argv[0]);
        return 2;
    }
    r = minimax_tokenizer_load(path, &tok);
    if (r != MINIMAX_OK) {
        fprintf(stderr, "%s: %s\n", minimax_result_name(r), minimax_last_error());
        return 1;
    }
    if (pieces) { /* the private pre-tokenizer: this program includes the implementation */
        size_t len, n, k, end;
        char *text = read_all(stdin, &len);
        minimax__enc e;
        memset(&e, 0, sizeof e);
        n = text ? minimax__symbols(&e, (const unsigned char *)text, len) : 0;
        for (k = 0; k < n; k = end) {
            end = minimax__pretok_next(e.sym, n, k);
            printf(k ? " %u" : "%u", (unsigned)(e.sym[end].off - e.sym[k].off));
        }
        printf("\n");
        free(e.sym);
        free(text);
    } else if (decode) {
        minimax_detokenizer st;
        size_t cap = minimax_tokenizer_max_token_bytes(tok) + 8, n;
        char *out = (char *)malloc(cap);
        long id;
        memset(&st, 0, sizeof st);
        while (out && scanf("%ld", &id) == 1) {
            n = minimax_detokenize(tok, &st, (int32_t)id, out, cap);
            fwrite(out, 1, n, stdout);
        }
        if (out) fwrite(out, 1, minimax_detokenize_flush(&st, out, cap), stdout);
        free(out);
    } else {
        size_t len, n = 0, k;
        char *text = read_all(stdin, &len);
        int32_t *ids;
        if (!text) return 1;
        if (lines) {
            size_t at = 0, cap = 0, m;
            ids = NULL;
            while (at < len) {
                const char *nl = (const char *)memchr(text + at, '\n', len - at);
                size_t ll = nl ? (size_t)(nl - (text + at)) + 1 : len - at;
                r = minimax_tokenize(tok, text + at, ll, flags, NULL, 0, &n);
                if (r == MINIMAX_OK && n > cap) {
                    free(ids);
                    ids = (int32_t *)malloc((cap = n) * sizeof *ids);
                }
                if (r == MINIMAX_OK) r = minimax_tokenize(tok, text + at, ll, flags, ids, cap, &n);
                if (r != MINIMAX_OK) {
                    fprintf(stderr, "%s: %s\n", minimax_result_name(r), minimax_last_error());
                    return 1;
                }
                for (m = 0; m < n; m++) printf(m ? " %d" : "%d", (int)ids[m]);
                printf("\n");
                at += ll;
            }
            free(ids);
            free(text);
            minimax_tokenizer_free(tok);
            return 0;
        }
        r = minimax_tokenize(tok, text, len, flags, NULL, 0, &n);
        ids = (int32_t *)malloc((n ? n : 1) * sizeof *ids);
        if (r == MINIMAX_OK && ids) r = minimax_tokenize(tok, text, len, flags, ids, n, &n);
        if (r != MINIMAX_OK || !ids) {
            fprintf(stderr, "%s: %s\n", minimax_result_name(r), minimax_last_error());
            return 1;
        }
        if (bench > 0) {
            double t0 = now_s(), dt;
            for (i = 0; i < bench; i++) minimax_tokenize(tok, text, len, flags, ids, n, &k);
            dt = now_s() - t0;
            fprintf(stderr, "%zu bytes, %zu tokens, %d runs: %.2f MB/s\n", len, n, bench, (double)len * bench / dt / 1e6);
        } else {
            for (k = 0; k < n; k++) printf(k ? " %d" : "%d", (int)ids[k]);
            printf("\n");
        }
        free(ids);
        free(text);
    }
    minimax_tokenizer_free(tok);
    return 0;
}
