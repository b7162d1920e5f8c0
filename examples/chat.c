/* minimax-chat: a multi-turn chat in the terminal.

   minimax-chat -m DIR [--system TEXT] [--temp T] [--top-k K] [--top-p P] [--min-p M]
                [--seed S] [--max-ctx C] [-n MAX_NEW_TOKENS] [--show-reasoning]
                [--tp N] [--gpus 0,1,...] [--layer-split a,b,...]

   DIR is the checkpoint directory; its tokenizer.json is the tokenizer. Type a
   message and press Enter; /reset starts a new conversation, /quit (or EOF)
   ends; Ctrl-C stops a reply. The model thinks before it answers: --show-reasoning prints its
   reasoning as "| " lines (dimmed on a terminal). Tool calls are printed as
   "[tool call] NAME ARGUMENTS". Speed is reported on stderr after each reply.

   When stdin is not a terminal, each line is one user message and each
   answer is printed in turn, so a conversation can be scripted:
       printf 'Hi!\nWhat did I just say?\n' | minimax-chat -m DIR

   How a turn works: the whole conversation is rendered in the model's chat
   format (minimax_chat_tokenize); the session is cut back to the longest
   prefix it shares with those ids (minimax_session_truncate) and only the
   rest is prefilled; then minimax_step generates one token at a time until
   the end-of-turn token. (The chat format drops the reasoning of earlier
   replies once a new user message follows, so each new turn re-prefills the
   last reply without its reasoning: see chat_text.h.) */
#define _POSIX_C_SOURCE 200809L /* isatty, fileno, clock_gettime */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "chat_text.h"
#include "gpu_opts.h" /* --tp, --gpus, --layer-split (several GPUs) */

#include <signal.h>
#include <time.h>
#include <unistd.h>

/* Ctrl-C while the model writes stops the reply; at the prompt it ends the program. */
static volatile sig_atomic_t interrupted;
static void on_interrupt(int sig) {
    (void)sig;
    interrupted = 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int progress(void *user, float f, const char *stage) {
    (void)user;
    fprintf(stderr, "\rloading: %3d%% (%s)        ", (int)(f * 100.0f), stage);
    return 0;
}

/* Reads one line without its '\n' (or "\r\n") into *buf; returns -1 at the end of input. */
static long read_line(FILE *f, char **buf, size_t *cap) {
    size_t n = 0;
    int c;
    for (;;) {
        if (n + 1 >= *cap) { /* room for this character and the NUL */
            char *nb = (char *)realloc(*buf, *cap = *cap ? 2 * *cap : 256);
            if (!nb) return -1;
            *buf = nb;
        }
        if ((c = fgetc(f)) == EOF || c == '\n') break;
        (*buf)[n++] = (char)c;
    }
    if (c == EOF && n == 0) return -1;
    if (n > 0 && (*buf)[n - 1] == '\r') n--;
    (*buf)[n] = 0;
    return (long)n;
}

typedef struct chat {
    minimax_model *model;
    minimax_session *session;
    const minimax_tokenizer *tok;
    chat_history history;
    chat_ids held; /* exactly the ids the session has consumed */
    int32_t eos, end_of_turn;
    int max_ctx, max_new, show_reasoning, ansi;
} chat;

static int fail(const char *what, minimax_result r) {
    fprintf(stderr, "minimax-chat: %s: %s: %s\n", what, minimax_result_name(r), minimax_last_error());
    return 1;
}

/* Answers the last user message. Returns MINIMAX_OK (also when the context is
   full: the user is told) or the error that ends the program. */
static minimax_result reply(chat *c) {
    chat_ids prompt = {0};
    chat_stream cs;
    minimax_output out;
    minimax_result r;
    size_t keep = 0, n_prefill;
    int32_t next, fed;
    int n_new = 0, n_steps = 0;
    const char *stopped = NULL; /* why the reply was cut, if it was */
    void (*old_handler)(int);
    double t0, t_prefill, t_decode;

    if ((r = chat_prompt(c->tok, &c->history, &c->held, &prompt, &keep)) != MINIMAX_OK) return r;
    if (prompt.n > (size_t)c->max_ctx) {
        fprintf(stderr, "minimax-chat: the conversation (%zu tokens) no longer fits the context of %d tokens; "
                        "type /reset to start a new one (or restart with a larger --max-ctx)\n",
                prompt.n, c->max_ctx);
        chat_history_truncate(&c->history, c->history.n - 1); /* forget the message that did not fit */
        chat_ids_free(&prompt);
        return MINIMAX_OK;
    }
    if (keep < c->held.n) { /* the session holds more than the prompt shares with it: cut it back */
        if ((r = keep ? minimax_session_truncate(c->session, (int)keep) : minimax_session_reset(c->session)) != MINIMAX_OK)
            return r;
        c->held.n = keep;
    }
    n_prefill = prompt.n - keep;
    t0 = now_s();
    r = minimax_prefill(c->session, prompt.v + keep, (int)n_prefill, NULL, &next);
    t_prefill = now_s() - t0;
    if (r == MINIMAX_OK && chat_ids_set(&c->held, prompt.v, prompt.n)) r = MINIMAX_ERR_OUT_OF_MEMORY;
    chat_ids_free(&prompt);
    if (r != MINIMAX_OK) return r;

    /* next is the first new token; each step feeds one token and samples the one after it. */
    if ((r = chat_stream_begin(&cs, c->tok, stdout, c->show_reasoning, c->ansi)) != MINIMAX_OK) {
        chat_stream_free(&cs);
        return r;
    }
    interrupted = 0;
    old_handler = signal(SIGINT, on_interrupt);
    t0 = now_s();
    while (next != c->eos && next != c->end_of_turn) {
        if ((r = chat_stream_token(&cs, next)) != MINIMAX_OK) break;
        if (interrupted) {
            stopped = "interrupted";
            break;
        }
        if (++n_new == c->max_new) {
            stopped = "the -n limit was reached";
            break;
        }
        if (c->held.n + 1 > (size_t)c->max_ctx) {
            stopped = "the context is full; type /reset to start a new conversation";
            break;
        }
        fed = next;
        if ((r = minimax_step(c->model, &c->session, 1, &fed, NULL, &next)) != MINIMAX_OK) break;
        n_steps++;
        if (chat_ids_push(&c->held, fed)) r = MINIMAX_ERR_OUT_OF_MEMORY;
        if (r != MINIMAX_OK) break;
    }
    t_decode = now_s() - t0;
    signal(SIGINT, old_handler);
    if (r == MINIMAX_OK) r = chat_stream_end(&cs, &out);
    if (r == MINIMAX_OK && chat_history_add_reply(&c->history, &out)) r = MINIMAX_ERR_OUT_OF_MEMORY;
    chat_stream_free(&cs);
    if (r != MINIMAX_OK) return r;
    if (stopped) fprintf(stderr, "minimax-chat: reply cut after %d tokens: %s\n", n_new, stopped);
    fprintf(stderr, "[prefill %zu tokens (%zu reused) %.0f tok/s | %d tokens, decode %.1f tok/s | context %zu/%d]\n",
            n_prefill, keep, t_prefill > 0 ? n_prefill / t_prefill : 0.0, n_new,
            t_decode > 0 ? n_steps / t_decode : 0.0, c->held.n, c->max_ctx);
    return MINIMAX_OK;
}

int main(int argc, char **argv) {
    const char *dir = NULL, *system_text = NULL;
    char *path, *line = NULL;
    size_t line_cap = 0, n_fixed;
    int i, max_ctx = 0, rc = 1, interactive = isatty(fileno(stdin));
    minimax_sampling sp;
    minimax_model_desc desc;
    minimax_model_info info;
    minimax_tokenizer *tok = NULL;
    minimax_result r;
    chat c;
    gpu_opts gpu;
    int gb = 0;

    memset(&gpu, 0, sizeof gpu);
    memset(&c, 0, sizeof c);
    memset(&sp, 0, sizeof sp);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--show-reasoning")) { c.show_reasoning = 1; continue; }
        if (!v) break;
        if ((gb = gpu_opts_parse(&gpu, a, v)) < 0) break;
        if (gb > 0) {
            i++;
            continue;
        }
        if (!strcmp(a, "-m")) dir = v;
        else if (!strcmp(a, "--system")) system_text = v;
        else if (!strcmp(a, "--temp")) sp.temperature = (float)atof(v);
        else if (!strcmp(a, "--top-k")) sp.top_k = atoi(v);
        else if (!strcmp(a, "--top-p")) sp.top_p = (float)atof(v);
        else if (!strcmp(a, "--min-p")) sp.min_p = (float)atof(v);
        else if (!strcmp(a, "--seed")) sp.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--max-ctx")) max_ctx = atoi(v);
        else if (!strcmp(a, "-n")) c.max_new = atoi(v);
        else break;
        i++;
    }
    if (i < argc || !dir || max_ctx < 0 || c.max_new < 0 || (gpu.ngpus && gpu.nsplit && gpu.ngpus != gpu.nsplit)) {
        fprintf(stderr, "usage: minimax-chat -m DIR [--system TEXT] [--temp T] [--top-k K] [--top-p P] [--min-p M]\n"
                        "                    [--seed S] [--max-ctx C] [-n MAX_NEW_TOKENS] [--show-reasoning]\n"
                        "                    " GPU_OPTS_USAGE "\n");
        return 2;
    }

    /* The tokenizer first: it is quick, and a missing file should not wait for the weights. */
    path = (char *)malloc(strlen(dir) + 32);
    sprintf(path, "%s/tokenizer.json", dir);
    r = minimax_tokenizer_load(path, &tok);
    free(path);
    if (r != MINIMAX_OK) {
        rc = fail("cannot load the tokenizer", r);
        goto done;
    }

    memset(&desc, 0, sizeof desc);
    desc.checkpoint_dir = dir;
    desc.max_sessions = 1;
    desc.max_context = max_ctx;
    desc.valid_vocab = minimax_tokenizer_vocab_size(tok); /* never sample the embedding's padding rows */
    desc.progress = progress;
    gpu_opts_apply(&gpu, &desc);
    r = minimax_model_load(&desc, &c.model);
    fprintf(stderr, "\n");
    if (r != MINIMAX_OK) {
        int vocab_mismatch = r == MINIMAX_ERR_INVALID_ARGUMENT && strstr(minimax_last_error(), "valid_vocab");
        rc = fail("cannot load the model", r);
        if (vocab_mismatch)
            fprintf(stderr, "minimax-chat: %s/tokenizer.json has %d tokens, more than the model: they do not belong "
                            "together\n", dir, desc.valid_vocab);
        goto done;
    }
    minimax_model_info_get(c.model, &info);
    fprintf(stderr, "%s (%s): context %d tokens, weights %.1f GiB, KV cache %.1f GiB\n", info.device_name, info.arch,
            info.max_context, info.weight_bytes / 1073741824.0, info.kv_bytes / 1073741824.0);
    if ((r = minimax_session_create(c.model, &c.session)) != MINIMAX_OK ||
        (r = minimax_session_set_sampling(c.session, &sp)) != MINIMAX_OK) {
        rc = fail("cannot start a session", r);
        goto done;
    }

    c.tok = tok;
    c.eos = minimax_model_config(c.model)->eos_token_id;
    c.end_of_turn = minimax_token_lookup(tok, "[e~[", 4); /* the chat format's end of turn (= eos for MiniMax-M2) */
    c.max_ctx = info.max_context;
    c.ansi = isatty(fileno(stdout)) && !getenv("NO_COLOR");
    if (system_text && chat_history_add(&c.history, MINIMAX_CHAT_SYSTEM, system_text)) goto out_of_memory;
    n_fixed = c.history.n; /* what /reset keeps */
    if (interactive) fprintf(stderr, "Type a message; /reset starts over, /quit ends.\n");

    for (;;) {
        if (interactive) {
            fputs("> ", stdout);
            fflush(stdout);
        }
        if (read_line(stdin, &line, &line_cap) < 0) break;
        if (!line[0]) continue;
        if (!strcmp(line, "/quit")) break;
        if (!strcmp(line, "/reset")) {
            chat_history_truncate(&c.history, n_fixed);
            if ((r = minimax_session_reset(c.session)) != MINIMAX_OK) {
                rc = fail("reset", r);
                goto done;
            }
            c.held.n = 0;
            fprintf(stderr, "(new conversation)\n");
            continue;
        }
        if (chat_history_add(&c.history, MINIMAX_CHAT_USER, line)) goto out_of_memory;
        if ((r = reply(&c)) != MINIMAX_OK) {
            rc = fail("generation", r);
            goto done;
        }
    }
    rc = 0;
    goto done;
out_of_memory:
    fprintf(stderr, "minimax-chat: out of memory\n");
done:
    free(line);
    chat_history_free(&c.history);
    chat_ids_free(&c.held);
    minimax_session_free(c.session);
    minimax_model_free(c.model);
    minimax_tokenizer_free(tok);
    return rc;
}
