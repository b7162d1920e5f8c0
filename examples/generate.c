/* minimax-generate: load a checkpoint, prefill a prompt, generate tokens.

   minimax-generate -m DIR (--prompt-ids 1,2,3 | -p TEXT [--chat]) [-n N] [--temp T]
                    [--top-k K] [--top-p P] [--min-p P] [--seed S]
                    [--logits-out FILE] [--max-ctx C] [--no-graphs] [--batch B]
                    [--tp N] [--gpus 0,1,...] [--layer-split a,b,...]

   Prints the generated ids, then load time, JIT time (cold = compiled, warm =
   from the cubin cache), prefill and decode tokens/s. --logits-out writes N
   rows of vocab_size float32 (little-endian): row i holds the logits from
   which generated token i was chosen (row 0 from the last prompt position);
   no forward pass runs after the last token. --temp 0 (the default) is greedy.
   -p TEXT tokenizes TEXT with DIR/tokenizer.json (special tokens such as
   ]~!b[ are matched; nothing is added). When DIR has a tokenizer.json, the
   generated text is also printed (to stderr, as it is generated) and ids the
   tokenizer does not define (vocabulary padding) are never sampled.
   --chat sends TEXT as a user message in the model's chat format (markers in
   TEXT stay plain text), stops at the end of the turn (the ids end with it;
   fewer --logits-out rows) and prints the reply parsed: the reasoning as "| "
   lines, the answer, each tool call as "[tool call] NAME ARGUMENTS". -n is
   16 new tokens by default, 4096 with --chat.
   --batch B runs B sessions on the same prompt, stepped together (one forward
   pass per token for all of them): it prints session 0's ids, the aggregate
   decode tokens/s, and whether every session produced the same tokens
   (they must, when sampling is greedy or seeded).
   --tp N runs tensor-parallel over N GPUs, --gpus LIST picks the devices
   (several without --tp: a layer split), --layer-split LIST sets the layers
   per GPU (default: by free memory); see examples/gpu_opts.h. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "chat_text.h" /* --chat, and the text printed as it is generated */
#include "gpu_opts.h"  /* --tp, --gpus, --layer-split */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* vocab_size of DIR/config.json, or 0 */
static int config_vocab(const char *dir) {
    char path[4096];
    FILE *f;
    long n;
    char *text;
    int v = 0;
    minimax__json_doc doc;
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (!(f = fopen(path, "rb"))) return 0;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = (char *)malloc((size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) == (size_t)n && minimax__json_parse(text, (size_t)n, path, &doc) == MINIMAX_OK) {
        const minimax__json *j = minimax__json_get(doc.root, "vocab_size");
        if (j && j->type == MINIMAX__JSON_NUMBER) v = (int)j->number;
        minimax__json_free(&doc);
    }
    free(text);
    fclose(f);
    return v;
}

static int usage(void) {
    fprintf(stderr, "usage: minimax-generate -m DIR (--prompt-ids 1,2,3 | -p TEXT [--chat]) [-n N] [--temp T] [--top-k K]\n"
                    "                        [--top-p P] [--min-p P] [--seed S] [--logits-out FILE] [--max-ctx C]\n"
                    "                        [--no-graphs] [--batch B] " GPU_OPTS_USAGE "\n");
    return 2;
}

static int progress(void *user, float f, const char *stage) {
    static int last = -1;
    int pct = (int)(f * 100.0f);
    (void)user;
    if (pct / 10 != last / 10) {
        fprintf(stderr, "\rloading: %3d%% (%s)   ", pct, stage);
        last = pct;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *dir = NULL, *ids_arg = NULL, *text = NULL, *logits_path = NULL;
    int n_gen = 0, chat = 0, max_ctx = 0, no_graphs = 0, n_prompt = 0, i, vocab, batch = 1, b, same = 1;
    minimax_sampling sp;
    int32_t *prompt = NULL, *gen = NULL;
    float *logits = NULL;
    FILE *lf = NULL;
    minimax_model_desc desc;
    gpu_opts gpu;
    minimax_model *model = NULL;
    minimax_session *s = NULL, **ss = NULL;
    minimax_tokenizer *tok = NULL;
    chat_ids chat_prompt_ids = {0};
    chat_text_out text_out;
    char tok_path[4096];
    int32_t *bin = NULL, *bout = NULL;
    minimax_model_info info;
    minimax_result r;
    double t0, t_prefill, t_decode;
    memset(&sp, 0, sizeof sp);
    memset(&gpu, 0, sizeof gpu);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--no-graphs")) { no_graphs = 1; continue; }
        if (!strcmp(a, "--chat")) { chat = 1; continue; }
        if (!v) return usage();
        if (gpu_opts_parse(&gpu, a, v) < 0) return usage();
        if (gpu_opts_parse(&gpu, a, v) > 0) {
            i++;
            continue;
        }
        if (!strcmp(a, "-m")) dir = v;
        else if (!strcmp(a, "--prompt-ids")) ids_arg = v;
        else if (!strcmp(a, "-p")) text = v;
        else if (!strcmp(a, "-n")) n_gen = atoi(v);
        else if (!strcmp(a, "--temp")) sp.temperature = (float)atof(v);
        else if (!strcmp(a, "--top-k")) sp.top_k = atoi(v);
        else if (!strcmp(a, "--top-p")) sp.top_p = (float)atof(v);
        else if (!strcmp(a, "--min-p")) sp.min_p = (float)atof(v);
        else if (!strcmp(a, "--seed")) sp.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--logits-out")) logits_path = v;
        else if (!strcmp(a, "--max-ctx")) max_ctx = atoi(v);
        else if (!strcmp(a, "--batch")) batch = atoi(v);
        else return usage();
        i++;
    }
    if (!dir || (!ids_arg && !text) || (chat && !text) || n_gen < 0 || batch < 1) return usage();
    if (n_gen == 0) n_gen = chat ? 4096 : 16;
    snprintf(tok_path, sizeof tok_path, "%s/tokenizer.json", dir);
    {
        FILE *tf = fopen(tok_path, "rb");
        if (tf) {
            fclose(tf);
            if ((r = minimax_tokenizer_load(tok_path, &tok)) != MINIMAX_OK) {
                fprintf(stderr, "minimax-generate: %s: %s\n", minimax_result_name(r), minimax_last_error());
                return 1;
            }
        }
    }
    if (text && chat) { /* TEXT as one user message in the chat format */
        if (!tok) {
            fprintf(stderr, "minimax-generate: --chat needs %s, which does not exist\n", tok_path);
            return 1;
        }
        if ((r = chat_user_prompt(tok, text, &chat_prompt_ids)) != MINIMAX_OK) {
            fprintf(stderr, "minimax-generate: %s: %s\n", minimax_result_name(r), minimax_last_error());
            return 1;
        }
        prompt = chat_prompt_ids.v; /* freed with prompt */
        n_prompt = (int)chat_prompt_ids.n;
    } else if (text) {
        size_t n = 0;
        if (!tok) {
            fprintf(stderr, "minimax-generate: -p TEXT needs %s, which does not exist; pass --prompt-ids instead\n",
                    tok_path);
            return 1;
        }
        if ((r = minimax_tokenize(tok, text, strlen(text), MINIMAX_TOKENIZE_SPECIAL, NULL, 0, &n)) != MINIMAX_OK) {
            fprintf(stderr, "minimax-generate: %s: %s\n", minimax_result_name(r), minimax_last_error());
            return 1;
        }
        prompt = (int32_t *)malloc((n + 1) * sizeof(int32_t));
        minimax_tokenize(tok, text, strlen(text), MINIMAX_TOKENIZE_SPECIAL, prompt, n, &n);
        n_prompt = (int)n;
        if (n_prompt < 1) {
            fprintf(stderr, "minimax-generate: the prompt is empty\n");
            return 2;
        }
    } else {
        const char *p = ids_arg;
        prompt = (int32_t *)malloc(strlen(ids_arg) * sizeof(int32_t) + sizeof(int32_t));
        while (*p) {
            char *end;
            long id = strtol(p, &end, 10);
            if (end == p) {
                fprintf(stderr, "minimax-generate: bad --prompt-ids near '%s'\n", p);
                return 2;
            }
            prompt[n_prompt++] = (int32_t)id;
            p = *end == ',' ? end + 1 : end;
        }
    }
    memset(&desc, 0, sizeof desc);
    desc.checkpoint_dir = dir;
    desc.max_sessions = batch;
    desc.max_context = max_ctx ? max_ctx : (n_prompt + n_gen > 4096 ? n_prompt + n_gen : 0);
    desc.disable_graphs = no_graphs;
    if (gpu_opts_apply(&gpu, &desc)) return usage();
    if (tok) { /* ids past the tokenizer's are vocabulary padding: never sampled */
        int tv = minimax_tokenizer_vocab_size(tok), cv = config_vocab(dir);
        if (tv > 0 && cv > 0 && tv < cv) desc.valid_vocab = tv;
    }
    desc.progress = progress;
    t0 = now_s();
    r = minimax_model_load(&desc, &model);
    fprintf(stderr, "\n");
    if (r != MINIMAX_OK) {
        fprintf(stderr, "minimax-generate: %s: %s\n", minimax_result_name(r), minimax_last_error());
        return 1;
    }
    minimax_model_info_get(model, &info);
    vocab = minimax_model_config(model)->vocab_size;
    fprintf(stderr, "loaded in %.2f s on %s (%s): weights %.2f GiB, KV %.2f GiB; JIT %.1f ms (%s)\n", now_s() - t0,
            info.device_name, info.arch, info.weight_bytes / 1073741824.0, info.kv_bytes / 1073741824.0, info.jit_ms,
            info.jit_cache_hit ? "warm: cubin cache hit" : "cold: compiled");
    if ((r = minimax_session_create(model, &s)) != MINIMAX_OK ||
        (r = minimax_session_set_sampling(s, &sp)) != MINIMAX_OK) {
        fprintf(stderr, "minimax-generate: %s: %s\n", minimax_result_name(r), minimax_last_error());
        return 1;
    }
    if (logits_path) {
        lf = fopen(logits_path, "wb");
        if (!lf) {
            perror(logits_path);
            return 1;
        }
        logits = (float *)malloc((size_t)vocab * 4);
    }
    gen = (int32_t *)malloc((size_t)n_gen * 4);
    if (batch > 1) {
        /* B sessions: prefill each, then step all of them together */
        ss = (minimax_session **)calloc((size_t)batch, sizeof *ss);
        bin = (int32_t *)malloc((size_t)batch * 4);
        bout = (int32_t *)malloc((size_t)batch * 4);
        ss[0] = s;
        for (b = 1; b < batch; b++)
            if ((r = minimax_session_create(model, &ss[b])) != MINIMAX_OK ||
                (r = minimax_session_set_sampling(ss[b], &sp)) != MINIMAX_OK) {
                fprintf(stderr, "minimax-generate: %s: %s\n", minimax_result_name(r), minimax_last_error());
                return 1;
            }
        t0 = now_s();
        for (b = 0; b < batch; b++)
            if ((r = minimax_prefill(ss[b], prompt, n_prompt, NULL, &bout[b])) != MINIMAX_OK) {
                fprintf(stderr, "minimax-generate: prefill: %s: %s\n", minimax_result_name(r), minimax_last_error());
                return 1;
            }
        t_prefill = now_s() - t0;
        gen[0] = bout[0];
        for (b = 1; b < batch; b++) same &= bout[b] == bout[0];
        t0 = now_s();
        for (i = 1; i < n_gen; i++) {
            memcpy(bin, bout, (size_t)batch * 4);
            if ((r = minimax_step(model, ss, batch, bin, NULL, bout)) != MINIMAX_OK) {
                fprintf(stderr, "minimax-generate: step %d: %s: %s\n", i, minimax_result_name(r), minimax_last_error());
                return 1;
            }
            gen[i] = bout[0];
            for (b = 1; b < batch; b++) same &= bout[b] == bout[0];
        }
        t_decode = now_s() - t0;
        for (i = 0; i < n_gen; i++) printf("%s%d", i ? "," : "", gen[i]);
        printf("\n");
        fprintf(stderr, "batch %d: prefill %d x %d tokens in %.3f s; decode %d steps in %.3f s: %.1f tok/s per session, "
                        "%.1f tok/s in all; sessions agree: %s\n",
                batch, batch, n_prompt, t_prefill, n_gen - 1, t_decode, (n_gen - 1) / t_decode,
                batch * (n_gen - 1) / t_decode, same ? "yes" : "NO");
        for (b = 1; b < batch; b++) minimax_session_free(ss[b]);
        minimax_session_free(s);
        minimax_model_free(model);
        minimax_tokenizer_free(tok);
        free(ss);
        free(bin);
        free(bout);
        free(prompt);
        free(gen);
        free(logits);
        if (lf) fclose(lf);
        return same ? 0 : 1;
    }
    t0 = now_s();
    r = minimax_prefill(s, prompt, n_prompt, logits, &gen[0]);
    t_prefill = now_s() - t0;
    if (r != MINIMAX_OK) {
        fprintf(stderr, "minimax-generate: prefill: %s: %s\n", minimax_result_name(r), minimax_last_error());
        return 1;
    }
    if (lf) fwrite(logits, 4, (size_t)vocab, lf); /* x86/ARM hosts are little-endian */
    if (tok) { /* the text as it is generated: raw, or (--chat) the reply parsed */
        fputs(chat ? "reply:\n" : "text: ", stderr);
        if (chat_text_out_begin(&text_out, tok, chat, minimax_model_config(model)->eos_token_id, stderr)) return 1;
    }
    t0 = now_s();
    for (i = 1; i < n_gen; i++) {
        if (tok && chat_text_out_token(&text_out, gen[i - 1])) break; /* --chat: the turn ended */
        r = minimax_step(model, &s, 1, &gen[i - 1], logits, &gen[i]);
        if (r != MINIMAX_OK) {
            fprintf(stderr, "minimax-generate: step %d: %s: %s\n", i, minimax_result_name(r), minimax_last_error());
            return 1;
        }
        if (lf) fwrite(logits, 4, (size_t)vocab, lf);
    }
    t_decode = now_s() - t0;
    if (tok) {
        if (i == n_gen) chat_text_out_token(&text_out, gen[n_gen - 1]);
        n_gen = i; /* with --chat the ids end with the end of the turn, if it came */
        chat_text_out_end(&text_out);
    }
    for (i = 0; i < n_gen; i++) printf("%s%d", i ? "," : "", gen[i]);
    printf("\n");
    fprintf(stderr, "prefill: %d tokens in %.3f s (%.1f tok/s); decode: %d tokens in %.3f s (%.1f tok/s)%s\n", n_prompt,
            t_prefill, n_prompt / t_prefill, n_gen - 1, t_decode, n_gen > 1 ? (n_gen - 1) / t_decode : 0.0,
            info.graphs ? ", CUDA graphs" : ", eager");
    if (lf) fclose(lf);
    minimax_session_free(s);
    minimax_model_free(model);
    minimax_tokenizer_free(tok);
    free(prompt);
    free(gen);
    free(logits);
    return 0;
}
