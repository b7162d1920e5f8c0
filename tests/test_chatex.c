/* The text side of minimax-chat (examples/chat_text.h) on the CPU: history,
   conversation -> prompt ids -> reuse of the session's ids, and generated ids
   -> streamed text -> parsed reply. The GPU calls of examples/chat.c are the
   only part not run here (tests/check_chatex.sh runs the program itself). */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include "examples/chat_text.h"

static minimax_tokenizer *load_tok(const char *path) {
    minimax_tokenizer *tok = NULL;
    if (minimax_tokenizer_load(path, &tok) != MINIMAX_OK) printf("    %s: %s\n", path, minimax_last_error());
    return tok;
}

/* chat_reusable against a direct definition, on random id arrays. */
static void test_reusable(void) {
    test_rng rng = {12345};
    int32_t a[64] = {0}, b[64] = {0}; /* filled at random below */
    int t, i;
    CHECK(chat_reusable(a, 0, a, 10) == 0, "an empty session keeps nothing");
    a[0] = 5, a[1] = 6, a[2] = 7, b[0] = 5, b[1] = 6, b[2] = 8;
    CHECK(chat_common_prefix(a, 3, b, 3) == 2 && chat_common_prefix(a, 1, b, 3) == 1 && chat_common_prefix(a, 3, b, 0) == 0,
          "common prefix");
    for (t = 0; t < 2000; t++) {
        size_t n = 1 + test_rng_u64(&rng) % 64, held = test_rng_u64(&rng) % 65, expect;
        for (i = 0; i < 64; i++) a[i] = b[i] = (int32_t)(test_rng_u64(&rng) % 200064);
        if (test_rng_u64(&rng) % 2 && held > 0 && held <= 64) b[test_rng_u64(&rng) % held] ^= 1 + (int32_t)(test_rng_u64(&rng) % 7);
        for (expect = 0; expect < held && expect < n && a[expect] == b[expect]; expect++) {
        }
        if (expect == n) expect = n - 1; /* one id is left to prefill */
        CHECK(chat_reusable(b, held, a, n) == expect, "held %zu n %zu: got %zu, want %zu", held, n,
              chat_reusable(b, held, a, n), expect);
    }
    CHECK(chat_reusable(a, 10, a, 10) == 9 && chat_reusable(a, 10, a, 4) == 3, "one id is left to prefill");
}

/* The history owns copies of everything it is given. */
static void test_history_owns_strings(void) {
    chat_history h = {0};
    char text[32] = "first";
    minimax_output o;
    minimax_output_tool_call calls[2];
    memset(&o, 0, sizeof o);
    calls[0].name = "f";
    calls[0].arguments = "{\"a\": 1}";
    calls[1].name = "g";
    calls[1].arguments = "{}";
    o.reasoning = "why";
    o.reasoning_len = 3;
    o.content = "said";
    o.content_len = 4;
    o.tool_calls = calls;
    o.n_tool_calls = 2;
    REQUIRE(chat_history_add(&h, MINIMAX_CHAT_SYSTEM, "sys") == 0, "add");
    REQUIRE(chat_history_add(&h, MINIMAX_CHAT_USER, text) == 0, "add");
    REQUIRE(chat_history_add_reply(&h, &o) == 0, "add reply");
    strcpy(text, "changed");
    CHECK(h.n == 3, "%zu messages", h.n);
    CHECK(!strcmp(h.msgs[1].content, "first"), "%s", h.msgs[1].content);
    CHECK(h.msgs[2].role == MINIMAX_CHAT_ASSISTANT && !strcmp(h.msgs[2].reasoning, "why") &&
              !strcmp(h.msgs[2].content, "said"), "reply");
    CHECK(h.msgs[2].n_tool_calls == 2 && !strcmp(h.msgs[2].tool_calls[1].name, "g") &&
              !strcmp(h.msgs[2].tool_calls[0].arguments, "{\"a\": 1}"), "tool calls");
    chat_history_truncate(&h, 1); /* what /reset does with --system */
    CHECK(h.n == 1 && h.msgs[0].role == MINIMAX_CHAT_SYSTEM, "truncate");
    chat_history_free(&h); /* AddressSanitizer reports anything not freed */
}

/* The prompt of a first turn is the template's, token for token: the golden
   was made by Hugging Face transformers from the official chat template. */
static void test_prompt_matches_golden(void) {
    minimax_tokenizer *tok = load_tok("tests/chat/tokenizer_small.json");
    chat_history h = {0};
    chat_ids held = {0}, prompt = {0};
    size_t keep = 99, n = 0, i;
    int32_t want[256];
    FILE *f = fopen("tests/chat/golden/01_user_only_generation_prompt.ids", "r");
    REQUIRE(tok && f, "test data");
    while (n < 256 && fscanf(f, "%d", &want[n]) == 1) n++;
    fclose(f);
    chat_history_add(&h, MINIMAX_CHAT_USER, "Hello!");
    REQUIRE(chat_prompt(tok, &h, &held, &prompt, &keep) == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(keep == 0, "nothing to reuse in an empty session");
    CHECK(prompt.n == n, "%zu ids, golden %zu", prompt.n, n);
    for (i = 0; i < n && i < prompt.n; i++) CHECK(prompt.v[i] == want[i], "id %zu: %d, golden %d", i, prompt.v[i], want[i]);
    chat_ids_free(&prompt);
    chat_history_free(&h);
    minimax_tokenizer_free(tok);
}

/* What a reply printed, read back from the stream's file. */
static char *slurp(FILE *f, size_t *n) {
    long len = ftell(f);
    char *s = (char *)calloc((size_t)len + 1, 1);
    rewind(f);
    *n = fread(s, 1, (size_t)len, f);
    fseek(f, 0, SEEK_END);
    return s;
}

/* Is s[0..n) whole UTF-8 (no sequence cut at the end)? */
static int utf8_whole(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (!len || i + len > n) return 0;
        i += len;
    }
    return 1;
}

/* Streams ids through a chat_stream into a temporary file; checks after every
   token that what was printed is whole UTF-8. Returns the printed text and
   copies the parsed reply into *hist (when not NULL). */
static char *stream_ids(const minimax_tokenizer *tok, const int32_t *ids, size_t n, int show, int ansi,
                        chat_history *hist, minimax_output *parsed) {
    chat_stream cs;
    minimax_output o;
    FILE *f = tmpfile();
    size_t i, len;
    char *s;
    if (!f || chat_stream_begin(&cs, tok, f, show, ansi) != MINIMAX_OK) return NULL;
    for (i = 0; i < n; i++) {
        CHECK(chat_stream_token(&cs, ids[i]) == MINIMAX_OK, "feed");
        if (!ansi) {
            s = slurp(f, &len);
            CHECK(utf8_whole(s, len), "after token %zu the output ends inside a UTF-8 character", i);
            free(s);
        }
    }
    CHECK(chat_stream_end(&cs, &o) == MINIMAX_OK, "end");
    if (parsed) *parsed = o; /* only the scalar fields stay meaningful after free */
    if (hist) CHECK(chat_history_add_reply(hist, &o) == 0, "add reply");
    chat_stream_free(&cs);
    s = slurp(f, &len);
    fclose(f);
    return s;
}

static int32_t *tokenize_special(const minimax_tokenizer *tok, const char *text, size_t *n) {
    int32_t *ids;
    minimax_tokenize(tok, text, strlen(text), MINIMAX_TOKENIZE_SPECIAL, NULL, 0, n);
    ids = (int32_t *)malloc(*n * sizeof *ids + 1);
    minimax_tokenize(tok, text, strlen(text), MINIMAX_TOKENIZE_SPECIAL, ids, *n, n);
    return ids;
}

/* Reasoning, content and multi-byte characters split over byte tokens, as the
   terminal shows them in each mode. */
static void test_stream_output(void) {
    minimax_tokenizer *tok = load_tok("tests/chat/tokenizer_tiny.json");
    const char *gen = "Think: caf\xc3\xa9?\nYes \xf0\x9f\x98\x80.\n</think>\n\nCaf\xc3\xa9 \xf0\x9f\x98\x80 is fine.\nBye";
    size_t n;
    int32_t *ids;
    char *s;
    minimax_output o;
    REQUIRE(tok, "tokenizer");
    ids = tokenize_special(tok, gen, &n);
    REQUIRE(n > 20, "%zu ids", n);

    s = stream_ids(tok, ids, n, 1, 0, NULL, &o);
    CHECK(s && !strcmp(s, "| Think: caf\xc3\xa9?\n| Yes \xf0\x9f\x98\x80.\nCaf\xc3\xa9 \xf0\x9f\x98\x80 is fine.\nBye\n"),
          "shown reasoning: [%s]", s ? s : "(null)");
    CHECK(o.reasoning_len == strlen("Think: caf\xc3\xa9?\nYes \xf0\x9f\x98\x80.") && o.content_len == strlen("Caf\xc3\xa9 \xf0\x9f\x98\x80 is fine.\nBye"),
          "parsed lengths %zu %zu", o.reasoning_len, o.content_len);
    free(s);

    s = stream_ids(tok, ids, n, 0, 0, NULL, NULL);
    CHECK(s && !strcmp(s, "Caf\xc3\xa9 \xf0\x9f\x98\x80 is fine.\nBye\n"), "hidden reasoning: [%s]", s ? s : "(null)");
    free(s);

    s = stream_ids(tok, ids, n, 1, 1, NULL, NULL); /* a terminal: dim on, reset before the content */
    CHECK(s && !strncmp(s, "\033[2m| Think", 11) && strstr(s, "\xf0\x9f\x98\x80.\033[0m\nCaf\xc3\xa9"), "ansi: [%s]",
          s ? s : "(null)");
    free(s);

    s = stream_ids(tok, ids, n, 0, 1, NULL, NULL); /* a terminal, reasoning hidden: an indicator, then erased */
    CHECK(s && !strcmp(s, "\033[2m(thinking)\033[0m\r\033[KCaf\xc3\xa9 \xf0\x9f\x98\x80 is fine.\nBye\n"),
          "ansi hidden: [%s]", s ? s : "(null)");
    free(s);
    free(ids);

    ids = tokenize_special(tok, "only thinking, cut by -n", &n); /* never closes </think> */
    s = stream_ids(tok, ids, n, 1, 0, NULL, &o);
    CHECK(s && !strcmp(s, "| only thinking, cut by -n\n") && o.content_len == 0, "unclosed reasoning: [%s]", s ? s : "");
    free(s);
    free(ids);
    minimax_tokenizer_free(tok);
}

/* The token ids the model would generate for `reply` after `h`'s prompt: the
   rendered conversation with the reply, from the end of the prompt to the
   end-of-turn token (exclusive). Those are the template's own tokens, as a
   model trained on it produces them. */
static int32_t *reply_ids(const minimax_tokenizer *tok, chat_history *h, const minimax_chat_message *reply,
                          const chat_ids *prompt, size_t *n) {
    minimax_chat_desc d;
    size_t total = 0, i;
    int32_t *ids, eot = minimax_token_lookup(tok, "[e~[", 4);
    minimax_chat_message *m = chat_history_push(h, reply->role);
    *m = *reply; /* borrowed strings: popped below without freeing */
    memset(&d, 0, sizeof d);
    d.messages = h->msgs;
    d.n_messages = h->n;
    minimax_chat_tokenize(tok, &d, NULL, 0, &total);
    ids = (int32_t *)malloc(total * sizeof *ids);
    minimax_chat_tokenize(tok, &d, ids, total, &total);
    h->n--;
    *n = 0;
    if (total < prompt->n || memcmp(ids, prompt->v, prompt->n * sizeof *ids)) return ids; /* n = 0: the caller fails */
    for (i = prompt->n; i < total && ids[i] != eot; i++) ids[(*n)++] = ids[i]; /* moved to the front */
    return ids;
}

/* Generates `reply` for the conversation in `h` as minimax-chat would: the
   prompt, whose reusable part is checked against `want_keep`, then the
   reply's tokens streamed, parsed and added to the history, while `held`
   tracks the session's ids as chat.c does (the prompt, then every generated
   token but the end-of-turn one). Returns what was printed. */
static char *turn(const minimax_tokenizer *tok, chat_history *h, chat_ids *held, const minimax_chat_message *reply,
                  size_t want_keep) {
    chat_ids prompt = {0};
    size_t keep = 99, n_gen = 0, i;
    int32_t *gen;
    char *printed = NULL;
    if (chat_prompt(tok, h, held, &prompt, &keep) != MINIMAX_OK) {
        CHECK(0, "chat_prompt: %s", minimax_last_error());
        return NULL;
    }
    CHECK(keep == want_keep, "keeps %zu of the session's %zu ids, want %zu", keep, held->n, want_keep);
    if (keep == 0) held->n = 0; /* the session is reset */
    chat_ids_set(held, prompt.v, prompt.n);
    gen = reply_ids(tok, h, reply, &prompt, &n_gen);
    CHECK(n_gen > 3, "the reply's ids follow the prompt");
    if (n_gen > 3) printed = stream_ids(tok, gen, n_gen, 1, 0, h, NULL);
    for (i = 0; i < n_gen; i++) chat_ids_push(held, gen[i]);
    free(gen);
    chat_ids_free(&prompt);
    return printed;
}

/* Turns as minimax-chat runs them, without the GPU. */
static void test_turns_reuse(void) {
    minimax_tokenizer *tok = load_tok("tests/chat/tokenizer_tiny.json");
    chat_history h = {0};
    chat_ids held = {0}, prompt = {0};
    minimax_chat_message reply;
    minimax_chat_tool_call call;
    size_t keep = 99, held_before;
    char *printed, *text = NULL;
    REQUIRE(tok, "tokenizer");
    memset(&reply, 0, sizeof reply);
    reply.role = MINIMAX_CHAT_ASSISTANT;

    /* Turn 1: a plain answer. */
    chat_history_add(&h, MINIMAX_CHAT_SYSTEM, "Be brief.");
    chat_history_add(&h, MINIMAX_CHAT_USER, "Hi!");
    reply.reasoning = "The user greets me.";
    reply.content = "Hello!";
    printed = turn(tok, &h, &held, &reply, 0);
    CHECK(printed && !strcmp(printed, "| The user greets me.\nHello!\n"), "printed [%s]", printed ? printed : "");
    free(printed);
    REQUIRE(h.n == 3 && !strcmp(h.msgs[2].content, "Hello!") && !strcmp(h.msgs[2].reasoning, "The user greets me."),
            "the parsed reply joins the history");

    /* Turn 2: a new user message drops turn 1's reasoning from the prompt, so
       the session (which holds it) is cut back to where the two differ: the
       <think> that opened turn 1's reply. */
    chat_history_add(&h, MINIMAX_CHAT_USER, "And you?");
    REQUIRE(chat_prompt(tok, &h, &held, &prompt, &keep) == MINIMAX_OK, "%s", minimax_last_error());
    {
        size_t think = held.n, common = chat_common_prefix(held.v, held.n, prompt.v, prompt.n);
        while (think > 0 && held.v[think - 1] != minimax_token_lookup(tok, "<think>", 7)) think--;
        CHECK(think > 0 && common == think - 1, "common prefix %zu, turn 1's <think> at %zu", common, think - 1);
        CHECK(keep == common && keep > 0 && keep < held.n, "kept %zu of %zu (common prefix %zu)", keep, held.n, common);
    }
    {
        minimax_chat_desc d;
        memset(&d, 0, sizeof d);
        d.messages = h.msgs;
        d.n_messages = h.n;
        d.add_generation_prompt = 1;
        REQUIRE(minimax_chat_render(&d, &text, NULL) == MINIMAX_OK, "%s", minimax_last_error());
        CHECK(!strstr(text, "greets") && strstr(text, "Hello!"), "the template drops the old reasoning: [%s]", text);
        minimax_chat_text_free(text);
    }
    chat_ids_free(&prompt);

    /* A new conversation (/reset) with a tool call: the reasoning stays while
       no user turn follows, and the tool result only extends the session. */
    chat_history_truncate(&h, 1);
    held.n = 0; /* /reset empties the session */
    chat_history_add(&h, MINIMAX_CHAT_USER, "Weather in Paris?");
    reply.reasoning = "Need the weather tool.";
    reply.content = "Let me check.";
    memset(&call, 0, sizeof call);
    call.name = "get_weather";
    call.arguments = "{\"city\": \"Paris\", \"days\": \"3\"}";
    reply.tool_calls = &call;
    reply.n_tool_calls = 1;
    printed = turn(tok, &h, &held, &reply, 0);
    CHECK(printed && !strcmp(printed, "| Need the weather tool.\nLet me check.\n"
                                      "[tool call] get_weather {\"city\": \"Paris\", \"days\": \"3\"}\n"),
          "printed [%s]", printed ? printed : "");
    free(printed);
    REQUIRE(h.n == 3 && h.msgs[2].n_tool_calls == 1, "the tool call joins the history");
    chat_history_add(&h, MINIMAX_CHAT_TOOL, "{\"temp\": 21}");
    held_before = held.n;
    reply.reasoning = "It is 21.";
    reply.content = "21 degrees.";
    reply.tool_calls = NULL;
    reply.n_tool_calls = 0;
    printed = turn(tok, &h, &held, &reply, held_before); /* everything reused */
    free(printed);
    CHECK(held.n > held_before, "the session grew");

    chat_ids_free(&held);
    chat_history_free(&h);
    minimax_tokenizer_free(tok);
}

int main(void) {
    (void)test_rng_normal;
    RUN(test_reusable);
    RUN(test_history_owns_strings);
    RUN(test_prompt_matches_golden);
    RUN(test_stream_output);
    RUN(test_turns_reuse);
    return test_summary();
}
