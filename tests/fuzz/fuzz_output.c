/* libFuzzer harness for the output parser (minimax_output_parser_*): the
   model's text split into reasoning, content and tool calls. Build and run
   with tests/fuzz/run.sh. The first input byte picks the mode (bit 0:
   starts_in_content) and the chunking seed, the rest is the output text.
   Checks beyond "no crash", for any text (the parser's contract,
   decl_40_chat.h):
   - feeding never fails, and feeding after finish does;
   - fed in one piece or in chunks of 1-16 bytes (a fixed pseudo-random
     split), the final split is the same: reasoning, content, tool calls;
   - while fed in chunks, what was shown of the reasoning and the content
     stays a prefix of what is shown later, and tool calls only get added;
   - every string is NUL-terminated at its length, and every tool call's
     arguments are a JSON object that the library's own JSON parser reads. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

#include "tests/parser_tools.h"

typedef struct snap {
    char *reasoning, *content;
    size_t reasoning_len, content_len, n_calls;
    char **calls; /* "name\narguments" */
} snap;

static char *dup_n(const char *s, size_t n) {
    char *d = (char *)malloc(n + 1);
    if (!d) __builtin_trap();
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static void take(const minimax_output *o, snap *s) {
    size_t i;
    if (o->reasoning[o->reasoning_len] || o->content[o->content_len]) __builtin_trap();
    s->reasoning = dup_n(o->reasoning, o->reasoning_len);
    s->content = dup_n(o->content, o->content_len);
    s->reasoning_len = o->reasoning_len;
    s->content_len = o->content_len;
    s->n_calls = o->n_tool_calls;
    s->calls = (char **)calloc(o->n_tool_calls + 1, sizeof(char *));
    for (i = 0; i < o->n_tool_calls; i++) {
        const char *nm = o->tool_calls[i].name, *ar = o->tool_calls[i].arguments;
        size_t a = strlen(nm), b = strlen(ar);
        minimax__json_doc d;
        if (minimax__json_parse(ar, b, "arguments", &d) != MINIMAX_OK || d.root->type != MINIMAX__JSON_OBJECT)
            __builtin_trap();
        minimax__json_free(&d);
        s->calls[i] = (char *)malloc(a + b + 2);
        memcpy(s->calls[i], nm, a);
        s->calls[i][a] = '\n';
        memcpy(s->calls[i] + a + 1, ar, b + 1);
    }
}

static void drop(snap *s) {
    size_t i;
    for (i = 0; i < s->n_calls; i++) free(s->calls[i]);
    free(s->calls);
    free(s->reasoning);
    free(s->content);
    memset(s, 0, sizeof *s);
}

/* later extends earlier: prefixes, and the earlier calls unchanged */
static int extends(const snap *earlier, const snap *later) {
    size_t i;
    if (later->reasoning_len < earlier->reasoning_len || later->content_len < earlier->content_len ||
        later->n_calls < earlier->n_calls)
        return 0;
    if (memcmp(earlier->reasoning, later->reasoning, earlier->reasoning_len) ||
        memcmp(earlier->content, later->content, earlier->content_len))
        return 0;
    for (i = 0; i < earlier->n_calls; i++)
        if (strcmp(earlier->calls[i], later->calls[i])) return 0;
    return 1;
}

static int same(const snap *a, const snap *b) {
    return extends(a, b) && extends(b, a);
}

/* parses text fed in chunks (chunk sizes from seed; seed 0: one piece) into *out */
static void run(const char *text, size_t len, int starts_in_content, unsigned seed, snap *out) {
    minimax_output_parser_desc desc;
    minimax_output_parser *p = NULL;
    minimax_chat_tool tools[2];
    minimax_output o;
    snap prev;
    size_t at = 0;
    memset(&desc, 0, sizeof desc);
    memset(&prev, 0, sizeof prev);
    prev.calls = (char **)calloc(1, sizeof(char *));
    prev.reasoning = dup_n("", 0);
    prev.content = dup_n("", 0);
    tools[0].json = parser_tools[0];
    tools[1].json = parser_tools[1];
    desc.tools = tools;
    desc.n_tools = 2;
    desc.starts_in_content = starts_in_content;
    if (minimax_output_parser_create(&desc, &p) != MINIMAX_OK) __builtin_trap();
    while (at < len) {
        size_t n = len - at;
        snap cur;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            if (n > 1 + (seed >> 16) % 16) n = 1 + (seed >> 16) % 16;
        }
        if (minimax_output_parser_feed(p, text + at, n) != MINIMAX_OK) __builtin_trap();
        at += n;
        minimax_output_parser_get(p, &o);
        take(&o, &cur);
        if (!extends(&prev, &cur)) __builtin_trap();
        drop(&prev);
        prev = cur;
    }
    if (minimax_output_parser_finish(p) != MINIMAX_OK) __builtin_trap();
    minimax_output_parser_get(p, &o);
    take(&o, out);
    if (!extends(&prev, out)) __builtin_trap();
    drop(&prev);
    if (minimax_output_parser_feed(p, "x", 1) != MINIMAX_ERR_INVALID_ARGUMENT) __builtin_trap();
    minimax_output_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    snap whole, chunked;
    char *text;
    if (size < 1) return 0;
    /* a copy of exactly the text's bytes, so ASan sees any read past the end */
    text = (char *)malloc(size > 1 ? size - 1 : 1);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    run(text, size - 1, data[0] & 1, 0, &whole);
    run(text, size - 1, data[0] & 1, 1u + data[0], &chunked);
    if (!same(&whole, &chunked)) __builtin_trap();
    drop(&whole);
    drop(&chunked);
    free(text);
    return 0;
}
