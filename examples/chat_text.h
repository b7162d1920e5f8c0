/* chat_text.h: the text side of a chat, shared by minimax-chat and
   minimax-generate --chat, and tested on the CPU by tests/test_chatex.c.

   Nothing here touches the GPU:
     chat_history    the conversation as minimax_chat_message turns (owned strings)
     chat_ids        a growable id array (the prompt; the ids a session holds)
     chat_prompt     conversation -> prompt ids, and how many of the session's ids it can keep
     chat_stream     generated ids -> text (UTF-8 safe) -> output parser -> terminal
     chat_user_prompt, chat_text_out   minimax-generate -p TEXT [--chat]: text -> prompt, ids -> text

   Include after minimax_nvfp4.h. Every function is static (CHAT_FN): each
   program that includes this gets its own copy. */
#ifndef CHAT_TEXT_H
#define CHAT_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define CHAT_FN static __attribute__((unused)) /* a program may use only some of these */
#else
#define CHAT_FN static
#endif

CHAT_FN char *chat_strndup(const char *s, size_t n) {
    char *d = (char *)malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* ---- the conversation ---------------------------------------------------- */

typedef struct chat_history {
    minimax_chat_message *msgs; /* every string is malloc'ed and owned here */
    size_t n, cap;
} chat_history;

CHAT_FN void chat_message_free(minimax_chat_message *m) {
    size_t i;
    for (i = 0; i < m->n_tool_calls; i++) {
        free((char *)m->tool_calls[i].name);
        free((char *)m->tool_calls[i].arguments);
    }
    free((void *)m->tool_calls);
    free((char *)m->content);
    free((char *)m->reasoning);
    memset(m, 0, sizeof *m);
}

/* Drops messages from the end until n remain (n = 0 clears everything). */
CHAT_FN void chat_history_truncate(chat_history *h, size_t n) {
    while (h->n > n) chat_message_free(&h->msgs[--h->n]);
}

CHAT_FN void chat_history_free(chat_history *h) {
    chat_history_truncate(h, 0);
    free(h->msgs);
    memset(h, 0, sizeof *h);
}

/* Appends an empty message of `role`; NULL when out of memory. */
CHAT_FN minimax_chat_message *chat_history_push(chat_history *h, minimax_chat_role role) {
    minimax_chat_message *m;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 8;
        minimax_chat_message *nm = (minimax_chat_message *)realloc(h->msgs, cap * sizeof *nm);
        if (!nm) return NULL;
        h->msgs = nm;
        h->cap = cap;
    }
    m = &h->msgs[h->n++];
    memset(m, 0, sizeof *m);
    m->role = role;
    return m;
}

/* A system or user turn. Returns 0, or -1 when out of memory. */
CHAT_FN int chat_history_add(chat_history *h, minimax_chat_role role, const char *text) {
    minimax_chat_message *m = chat_history_push(h, role);
    if (!m) return -1;
    if (!(m->content = chat_strndup(text, strlen(text)))) {
        h->n--;
        return -1;
    }
    return 0;
}

/* The assistant's reply as the output parser split it: content, reasoning
   (which the chat format keeps while no user turn follows, and drops after)
   and tool calls. Returns 0, or -1 when out of memory. */
CHAT_FN int chat_history_add_reply(chat_history *h, const minimax_output *o) {
    minimax_chat_message *m = chat_history_push(h, MINIMAX_CHAT_ASSISTANT);
    minimax_chat_tool_call *tc = NULL;
    size_t i;
    if (!m) return -1;
    m->content = chat_strndup(o->content, o->content_len);
    m->reasoning = chat_strndup(o->reasoning, o->reasoning_len);
    if (o->n_tool_calls && (tc = (minimax_chat_tool_call *)calloc(o->n_tool_calls, sizeof *tc)) != NULL) {
        m->tool_calls = tc;
        m->n_tool_calls = o->n_tool_calls;
        for (i = 0; i < o->n_tool_calls; i++) {
            tc[i].name = chat_strndup(o->tool_calls[i].name, strlen(o->tool_calls[i].name));
            tc[i].arguments = chat_strndup(o->tool_calls[i].arguments, strlen(o->tool_calls[i].arguments));
            if (!tc[i].name || !tc[i].arguments) tc = NULL;
        }
    }
    if (!m->content || !m->reasoning || (o->n_tool_calls && !tc)) {
        chat_message_free(m);
        h->n--;
        return -1;
    }
    return 0;
}

/* ---- ids ------------------------------------------------------------------ */

typedef struct chat_ids {
    int32_t *v;
    size_t n, cap;
} chat_ids;

CHAT_FN int chat_ids_reserve(chat_ids *a, size_t n) {
    if (n > a->cap) {
        size_t cap = a->cap ? a->cap : 256;
        int32_t *nv;
        while (cap < n) cap *= 2;
        if (!(nv = (int32_t *)realloc(a->v, cap * sizeof *nv))) return -1;
        a->v = nv;
        a->cap = cap;
    }
    return 0;
}

CHAT_FN int chat_ids_push(chat_ids *a, int32_t id) {
    if (chat_ids_reserve(a, a->n + 1)) return -1;
    a->v[a->n++] = id;
    return 0;
}

CHAT_FN int chat_ids_set(chat_ids *a, const int32_t *ids, size_t n) {
    if (chat_ids_reserve(a, n)) return -1;
    memmove(a->v, ids, n * sizeof *ids);
    a->n = n;
    return 0;
}

CHAT_FN void chat_ids_free(chat_ids *a) {
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* ---- the prompt ------------------------------------------------------------
   Each turn renders the WHOLE conversation (the chat format decides what
   earlier turns look like). A session that already holds a prefix of the new
   prompt only needs the rest prefilled.

   The session keeps the longest common prefix of what it holds and the new
   prompt (minimax_session_truncate drops the rest), leaving at least one new
   id to prefill (the prefill returns the first sampled token). After a reply
   that made tool calls, answered by tool results, that is the whole session
   (the reply's reasoning stays in the prompt). A new USER turn makes the chat
   format drop the reasoning of every earlier reply, so the prompt differs
   from the session right where the last reply began: everything before it is
   kept, the rest of the conversation is prefilled. */

/* The length of the longest common prefix of a and b. */
CHAT_FN size_t chat_common_prefix(const int32_t *a, size_t na, const int32_t *b, size_t nb) {
    size_t i = 0;
    while (i < na && i < nb && a[i] == b[i]) i++;
    return i;
}

/* How many ids of `held` (what the session holds) a new prompt `ids` keeps:
   their common prefix, but at most n - 1 (one id is left to prefill). */
CHAT_FN size_t chat_reusable(const int32_t *held, size_t n_held, const int32_t *ids, size_t n) {
    size_t c = chat_common_prefix(held, n_held, ids, n);
    return n == 0 ? 0 : c < n ? c : n - 1;
}

/* Renders the conversation, ending with the generation prompt
   "]~b]ai\n<think>\n", into `prompt`; *keep gets chat_reusable(held, prompt).
   Errors: those of minimax_chat_tokenize, OUT_OF_MEMORY. */
CHAT_FN minimax_result chat_prompt(const minimax_tokenizer *tok, const chat_history *h, const chat_ids *held,
                                  chat_ids *prompt, size_t *keep) {
    minimax_chat_desc d;
    minimax_result r;
    size_t n = 0;
    memset(&d, 0, sizeof d);
    d.messages = h->msgs;
    d.n_messages = h->n;
    d.add_generation_prompt = 1;
    if ((r = minimax_chat_tokenize(tok, &d, NULL, 0, &n)) != MINIMAX_OK) return r;
    if (chat_ids_reserve(prompt, n)) return MINIMAX_ERR_OUT_OF_MEMORY;
    if ((r = minimax_chat_tokenize(tok, &d, prompt->v, n, &prompt->n)) != MINIMAX_OK) return r;
    *keep = chat_reusable(held->v, held->n, prompt->v, prompt->n);
    return MINIMAX_OK;
}

/* ---- streaming the reply -----------------------------------------------------
   Each generated id is decoded (a UTF-8 character split over several tokens
   waits until it is complete), fed to the output parser, and what the parser
   has newly settled is printed: reasoning as "| "-prefixed lines (dimmed on a
   terminal), or hidden; content as it is; each tool call on its own line as
   "[tool call] NAME ARGUMENTS_JSON". */

typedef struct chat_stream {
    const minimax_tokenizer *tok;
    minimax_detokenizer dt;
    minimax_output_parser *parser;
    FILE *out;
    int show_reasoning, ansi;
    size_t shown_reasoning, shown_content, shown_calls; /* what the parser gave and is printed */
    int at_line_start, styled;                          /* styled: inside the reasoning's look */
    char *piece;                                        /* one decoded token */
    size_t piece_cap;
} chat_stream;

CHAT_FN minimax_result chat_stream_begin(chat_stream *cs, const minimax_tokenizer *tok, FILE *out, int show_reasoning,
                                        int ansi) {
    memset(cs, 0, sizeof *cs);
    cs->tok = tok;
    cs->out = out;
    cs->show_reasoning = show_reasoning;
    cs->ansi = ansi;
    cs->at_line_start = 1;
    cs->piece_cap = 8 + minimax_tokenizer_max_token_bytes(tok);
    if (!(cs->piece = (char *)malloc(cs->piece_cap))) return MINIMAX_ERR_OUT_OF_MEMORY;
    return minimax_output_parser_create(NULL, &cs->parser); /* no tools; output starts inside <think> */
}

CHAT_FN void chat_stream_write(chat_stream *cs, const char *s, size_t n) {
    if (n) {
        fwrite(s, 1, n, cs->out);
        cs->at_line_start = s[n - 1] == '\n';
    }
}

/* Leaves the reasoning's look and starts a fresh line. */
CHAT_FN void chat_stream_unstyle(chat_stream *cs) {
    if (cs->styled && cs->ansi) fputs(cs->show_reasoning ? "\033[0m" : "\r\033[K", cs->out);
    if (cs->styled && cs->show_reasoning && !cs->at_line_start) chat_stream_write(cs, "\n", 1);
    cs->styled = 0;
}

CHAT_FN void chat_stream_show(chat_stream *cs) {
    minimax_output o;
    minimax_output_parser_get(cs->parser, &o);
    if (o.reasoning_len > cs->shown_reasoning) {
        const char *s = o.reasoning + cs->shown_reasoning, *end = o.reasoning + o.reasoning_len;
        if (!cs->styled && cs->ansi) fputs(cs->show_reasoning ? "\033[2m" : "\033[2m(thinking)\033[0m", cs->out);
        cs->styled = 1;
        while (cs->show_reasoning && s < end) { /* line by line, each with its prefix */
            const char *nl = (const char *)memchr(s, '\n', (size_t)(end - s));
            size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
            if (cs->at_line_start) fputs("| ", cs->out);
            chat_stream_write(cs, s, n);
            s += n;
        }
        cs->shown_reasoning = o.reasoning_len;
    }
    if (o.content_len > cs->shown_content) {
        chat_stream_unstyle(cs);
        chat_stream_write(cs, o.content + cs->shown_content, o.content_len - cs->shown_content);
        cs->shown_content = o.content_len;
    }
    for (; cs->shown_calls < o.n_tool_calls; cs->shown_calls++) {
        chat_stream_unstyle(cs);
        if (!cs->at_line_start) chat_stream_write(cs, "\n", 1);
        fprintf(cs->out, "[tool call] %s %s\n", o.tool_calls[cs->shown_calls].name,
                o.tool_calls[cs->shown_calls].arguments);
        cs->at_line_start = 1;
    }
    fflush(cs->out);
}

/* One generated id (not the end-of-turn token). */
CHAT_FN minimax_result chat_stream_token(chat_stream *cs, int32_t id) {
    size_t n = minimax_detokenize(cs->tok, &cs->dt, id, cs->piece, cs->piece_cap);
    minimax_result r = minimax_output_parser_feed(cs->parser, cs->piece, n);
    if (r == MINIMAX_OK) chat_stream_show(cs);
    return r;
}

/* The reply is over: prints what was held back, ends the line, and fills *o
   (valid until chat_stream_free) with the whole reply. */
CHAT_FN minimax_result chat_stream_end(chat_stream *cs, minimax_output *o) {
    size_t n = minimax_detokenize_flush(&cs->dt, cs->piece, cs->piece_cap);
    minimax_result r = minimax_output_parser_feed(cs->parser, cs->piece, n);
    if (r == MINIMAX_OK) r = minimax_output_parser_finish(cs->parser);
    if (r != MINIMAX_OK) return r;
    chat_stream_show(cs);
    chat_stream_unstyle(cs);
    if (!cs->at_line_start) chat_stream_write(cs, "\n", 1);
    fflush(cs->out);
    minimax_output_parser_get(cs->parser, o);
    return MINIMAX_OK;
}

CHAT_FN void chat_stream_free(chat_stream *cs) {
    minimax_output_parser_free(cs->parser);
    free(cs->piece);
    memset(cs, 0, sizeof *cs);
}

/* ---- minimax-generate -p TEXT --chat ---------------------------------------- */

/* The prompt of TEXT as one user message in the chat format, with the
   generation prompt (markers in TEXT stay plain text). */
CHAT_FN minimax_result chat_user_prompt(const minimax_tokenizer *tok, const char *text, chat_ids *ids) {
    chat_history h = {0};
    chat_ids none = {0};
    size_t keep;
    minimax_result r = chat_history_add(&h, MINIMAX_CHAT_USER, text) ? MINIMAX_ERR_OUT_OF_MEMORY
                                                                     : chat_prompt(tok, &h, &none, ids, &keep);
    chat_history_free(&h);
    return r;
}

/* Generated ids -> text on `out`: the raw text through the streaming decoder,
   or (chat) the reply through a chat_stream, reasoning shown. */
typedef struct chat_text_out {
    const minimax_tokenizer *tok;
    int chat;
    int32_t eos, eot; /* ends of the turn: the config's eos, the chat format's [e~[ */
    minimax_detokenizer dt;
    chat_stream cs;
    FILE *out;
} chat_text_out;

CHAT_FN int chat_text_out_begin(chat_text_out *o, const minimax_tokenizer *tok, int chat, int32_t eos, FILE *out) {
    memset(o, 0, sizeof *o);
    o->tok = tok;
    o->chat = chat;
    o->eos = eos;
    o->eot = minimax_token_lookup(tok, "[e~[", 4);
    o->out = out;
    return chat_stream_begin(&o->cs, tok, out, 1, 0) != MINIMAX_OK; /* its piece buffer serves the raw mode too */
}

/* Shows one generated id. Returns 1 when (chat) it ends the turn: not shown. */
CHAT_FN int chat_text_out_token(chat_text_out *o, int32_t id) {
    if (o->chat && (id == o->eos || id == o->eot)) return 1;
    if (o->chat) {
        chat_stream_token(&o->cs, id);
    } else {
        fwrite(o->cs.piece, 1, minimax_detokenize(o->tok, &o->dt, id, o->cs.piece, o->cs.piece_cap), o->out);
        fflush(o->out);
    }
    return 0;
}

/* Ends the text (and its line). */
CHAT_FN void chat_text_out_end(chat_text_out *o) {
    minimax_output parsed;
    if (o->chat) {
        chat_stream_end(&o->cs, &parsed);
    } else {
        fwrite(o->cs.piece, 1, minimax_detokenize_flush(&o->dt, o->cs.piece, o->cs.piece_cap), o->out);
        fputc('\n', o->out);
    }
    chat_stream_free(&o->cs);
}

#endif
