/* A fake GPU engine, to run the loops of examples/chat.c (and generate.c) on the CPU.

   Compiled as  cc -Itests/fake_engine -I. examples/chat.c ...  the example's
   #include "minimax_nvfp4.h" finds this file first: it includes the real
   library, then replaces the model/session calls the example makes with the
   fakes below (macros), so everything else (checkpoint, tokenizer, chat
   format, output parser) is the real code.

   The fake model opens the checkpoint for real (minimax_checkpoint_open, on
   the CPU) and reads DIR/tokenizer.json. Its "generation" replays scripted
   replies from the file named by $FAKE_REPLIES, separated by lines "---":
   each prefill starts the next reply (tokenized with special tokens, then the
   end-of-turn token [e~[ follows); a reply "@" never ends (it repeats one
   token); $FAKE_STEP_MS makes each step take that long. It checks what a real engine checks (ids in range, the context
   capacity: CONTEXT_FULL) and what the example must get right: each step is
   fed the token sampled last. Every call is logged to $FAKE_LOG (or stderr),
   and each prefill logs the whole text the session then holds:
       reset
       prefill N at P
       holds <the session's text, '\n' written as \n>
       step at P */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* nanosleep (FAKE_STEP_MS) */
#endif
#include "../../minimax_nvfp4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct fake_model {
    minimax_checkpoint *ck;
    minimax_tokenizer *tok;
    minimax_model_info info;
    char *replies; /* the script, '\0' between replies */
    size_t n_replies, next_reply;
    FILE *log;
} fake_model;

typedef struct fake_session {
    fake_model *m;
    int32_t *ids; /* what the session holds */
    int pos;
    int32_t *reply; /* the scripted reply being generated */
    size_t reply_n, reply_at;
    int32_t last; /* the token sampled last (-1: none) */
} fake_session;

static char *fake_read_file(const char *path) {
    FILE *f = path ? fopen(path, "rb") : NULL;
    long n;
    char *s;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    s = (char *)calloc((size_t)n + 1, 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = 0;
    fclose(f);
    return s;
}

MINIMAX__PRIV minimax_result fake_model_load(const minimax_model_desc *d, minimax_model **out) {
    fake_model *m = (fake_model *)calloc(1, sizeof *m);
    const minimax_config *c;
    minimax_result r;
    char path[4096];
    char *p;
    *out = NULL;
    if (d->progress) d->progress(d->progress_user, 0.0f, "checkpoint");
    if ((r = minimax_checkpoint_open(d->checkpoint_dir, &m->ck)) != MINIMAX_OK) {
        free(m);
        return r;
    }
    c = minimax_checkpoint_config(m->ck);
    snprintf(path, sizeof path, "%s/tokenizer.json", d->checkpoint_dir);
    if ((r = minimax_tokenizer_load(path, &m->tok)) != MINIMAX_OK) return r;
    if (d->valid_vocab > c->vocab_size)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "valid_vocab %d exceeds vocab_size %d", d->valid_vocab,
                             c->vocab_size);
    m->log = getenv("FAKE_LOG") ? fopen(getenv("FAKE_LOG"), "w") : NULL;
    if (!m->log) m->log = stderr;
    m->replies = fake_read_file(getenv("FAKE_REPLIES"));
    if (!m->replies) m->replies = (char *)calloc(1, 1);
    for (p = m->replies, m->n_replies = 1; (p = strstr(p, "\n---\n")) != NULL; m->n_replies++) {
        *p = 0;
        memmove(p + 1, p + 5, strlen(p + 5) + 1); /* "a\n---\nb" -> "a\0b" */
        p++;
    }
    snprintf(m->info.device_name, sizeof m->info.device_name, "fake engine");
    snprintf(m->info.arch, sizeof m->info.arch, "cpu");
    m->info.max_sessions = 1;
    m->info.max_context = d->max_context ? d->max_context : 4096;
    m->info.valid_vocab = d->valid_vocab ? d->valid_vocab : c->vocab_size;
    if (d->progress) d->progress(d->progress_user, 1.0f, "kv cache");
    *out = (minimax_model *)m;
    return MINIMAX_OK;
}

MINIMAX__PRIV void fake_model_free(minimax_model *model) {
    fake_model *m = (fake_model *)model;
    if (!m) return;
    if (m->log != stderr) fclose(m->log);
    minimax_checkpoint_close(m->ck);
    minimax_tokenizer_free(m->tok);
    free(m->replies);
    free(m);
}

static const minimax_config *fake_model_config(const minimax_model *model) {
    return minimax_checkpoint_config(((const fake_model *)model)->ck);
}

MINIMAX__PRIV minimax_result fake_model_info_get(const minimax_model *model, minimax_model_info *info) {
    *info = ((const fake_model *)model)->info;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result fake_session_create(minimax_model *model, minimax_session **out) {
    fake_session *s = (fake_session *)calloc(1, sizeof *s);
    s->m = (fake_model *)model;
    s->ids = (int32_t *)malloc((size_t)s->m->info.max_context * sizeof *s->ids);
    s->last = -1;
    *out = (minimax_session *)s;
    return MINIMAX_OK;
}

MINIMAX__PRIV void fake_session_free(minimax_session *session) {
    fake_session *s = (fake_session *)session;
    if (!s) return;
    free(s->ids);
    free(s->reply);
    free(s);
}

MINIMAX__PRIV minimax_result fake_session_reset(minimax_session *session) {
    fake_session *s = (fake_session *)session;
    fprintf(s->m->log, "reset\n");
    s->pos = 0;
    s->last = -1;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result fake_session_truncate(minimax_session *session, int n) {
    fake_session *s = (fake_session *)session;
    if (n < 0 || n > s->pos) return MINIMAX_ERR_INVALID_ARGUMENT;
    fprintf(s->m->log, "truncate %d\n", n);
    s->pos = n;
    s->last = -1;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result fake_session_set_sampling(minimax_session *session, const minimax_sampling *sp) {
    (void)session;
    return sp->temperature < 0 ? MINIMAX_ERR_INVALID_ARGUMENT : MINIMAX_OK;
}

/* The next token of the scripted reply. */
MINIMAX__PRIV int32_t fake_sample(fake_session *s) {
    int32_t eot = minimax_token_lookup(s->m->tok, "[e~[", 4);
    if (s->reply_n == 0) return minimax_token_lookup(s->m->tok, "a", 1); /* "@": endless */
    return s->reply_at < s->reply_n ? s->reply[s->reply_at++] : eot;
}

MINIMAX__PRIV minimax_result fake_append(fake_session *s, const int32_t *ids, int n) {
    int i, vocab = fake_model_config((minimax_model *)s->m)->vocab_size;
    if (n < 1) return MINIMAX_ERR_INVALID_ARGUMENT;
    if (s->pos + n > s->m->info.max_context) {
        fprintf(s->m->log, "context full: %d + %d > %d\n", s->pos, n, s->m->info.max_context);
        return MINIMAX_ERR_CONTEXT_FULL;
    }
    for (i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= vocab) return MINIMAX_ERR_INVALID_ARGUMENT;
    memcpy(s->ids + s->pos, ids, (size_t)n * sizeof *ids);
    s->pos += n;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result fake_prefill(minimax_session *session, const int32_t *ids, int n, float *logits,
                                   int32_t *sampled) {
    fake_session *s = (fake_session *)session;
    fake_model *m = s->m;
    const char *text;
    size_t len, count = 0;
    int i, at = s->pos;
    minimax_result r;
    (void)logits;
    if ((r = fake_append(s, ids, n)) != MINIMAX_OK) return r;
    fprintf(m->log, "prefill %d at %d\nholds ", n, at);
    for (i = 0; i < s->pos; i++) {
        const char *b = minimax_token_bytes(m->tok, s->ids[i], &len);
        for (; b && len--; b++) {
            if (*b == '\n') fputs("\\n", m->log);
            else fputc(*b, m->log);
        }
    }
    fputc('\n', m->log);
    /* start the next scripted reply */
    text = m->replies;
    for (i = 0; i < (int)(m->next_reply % m->n_replies); i++) text += strlen(text) + 1;
    m->next_reply++;
    free(s->reply);
    s->reply = NULL;
    s->reply_n = s->reply_at = 0;
    if (strcmp(text, "@") != 0) {
        minimax_tokenize(m->tok, text, strlen(text), MINIMAX_TOKENIZE_SPECIAL, NULL, 0, &count);
        s->reply = (int32_t *)malloc(count * sizeof *s->reply + 1);
        minimax_tokenize(m->tok, text, strlen(text), MINIMAX_TOKENIZE_SPECIAL, s->reply, count, &s->reply_n);
    }
    *sampled = fake_sample(s);
    s->last = *sampled;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result fake_step(minimax_model *model, minimax_session *const *sessions, int n, const int32_t *input,
                                float *logits, int32_t *sampled) {
    fake_session *s = (fake_session *)sessions[0];
    minimax_result r;
    (void)model;
    (void)logits;
    if (n != 1) return MINIMAX_ERR_INVALID_ARGUMENT;
    if (input[0] != s->last) {
        fprintf(s->m->log, "step fed %d, but %d was sampled\n", input[0], s->last);
        return MINIMAX_ERR_INVALID_ARGUMENT;
    }
    if ((r = fake_append(s, input, 1)) != MINIMAX_OK) return r;
    fprintf(s->m->log, "step at %d\n", s->pos - 1);
    fflush(s->m->log);
    if (getenv("FAKE_STEP_MS")) {
        struct timespec ts;
        ts.tv_sec = 0;
        ts.tv_nsec = 1000000L * atol(getenv("FAKE_STEP_MS"));
        nanosleep(&ts, NULL);
    }
    *sampled = fake_sample(s);
    s->last = *sampled;
    return MINIMAX_OK;
}

#define minimax_model_load fake_model_load
#define minimax_model_free fake_model_free
#define minimax_model_config fake_model_config
#define minimax_model_info_get fake_model_info_get
#define minimax_session_create fake_session_create
#define minimax_session_free fake_session_free
#define minimax_session_reset fake_session_reset
#define minimax_session_truncate fake_session_truncate
#define minimax_session_set_sampling fake_session_set_sampling
#define minimax_prefill fake_prefill
#define minimax_step fake_step
