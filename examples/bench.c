/* minimax-bench: decode speed against the memory bandwidth.

     minimax-bench [--synthetic | -m DIR] [--layers N] [--batch B] [--ctx C]
                   [--steps S] [--warmup W] [--kernels base|fast|both]
                   [--prefill real|random] [--seed X] [--no-micro] [--json]
                   [--tp N] [--gpus 0,1,...] [--layer-split a,b,...]
                   [--trace FILE]

   --synthetic (the default) makes random weights directly on the GPU in the
   layout the loader produces, with MiniMax-M2.5's real shapes and N layers
   (default 16, the single-H100 benchmark); -m DIR loads a checkpoint.
   In one run it
     1. measures the device's read bandwidth (a read-only pass over 4 GiB),
     2. gives each of B sessions C tokens of context: a real prefill
        (--prefill real, the default up to C = 1024) or random KV-cache
        contents (--prefill random, the default beyond: a long prefill takes
        long (8192 tokens ~7 s on an H100 with 16 layers), and decode speed
        does not depend on what the cache holds); a real prefill prints its
        time and tokens/s,
     3. times S decode steps of the B sessions (CUDA events around each graph
        replay, median after W warm-up steps) with the engine's general
        kernels ("base"), the fast small-batch matrix and expert kernels with
        the general attention ("fast-mm"), at batch 1 all fast kernels with
        the tensor-core expert kernels (opt-in, "fast-mma"), and all fast
        kernels ("fast"),
     4. counts the bytes a step must read (weights incl. only the experts the
        routing selected, counted from a final routed step, and KV cache) and
        prints tokens/s, ms per step, GB/s and the ratio to the bandwidth,
     5. times single kernels (one decode token's products) as GB/s.
   --json prints one JSON object instead of the table.
   Several GPUs: --tp N (tensor parallelism over N GPUs), --gpus LIST (the
   devices; alone, or with --layer-split, a layer split), --layer-split LIST
   (layers per GPU; default: by free memory). With tp > 1 the run adds the
   all-reduce cost: the same steps with every all-reduce exchanging nothing
   (its launch and local work kept), and a microbenchmark of one all-reduce
   (12 KB, the engine's kernel vs NCCL, eager and in CUDA graphs). The
   per-kernel timings (5.) are skipped with several GPUs.
   --trace FILE compiles the kernels with the step trace (kernels.cu) and,
   after the timed steps, writes one more step's block times to FILE (GPU 0's
   under several GPUs) for tools/trace_step.py; the traced build's own step
   times are what the table then shows. */
#define _POSIX_C_SOURCE 200809L /* setenv (--trace) */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_opts.h" /* --tp, --gpus, --layer-split */

static void usage(void) {
    fprintf(stderr, "usage: minimax-bench [--synthetic | -m DIR] [--layers N] [--batch B] [--ctx C] [--steps S]\n"
                    "                     [--warmup W] [--kernels base|fast|both] [--prefill real|random]\n"
                    "                     [--seed X] [--no-micro] [--json] [--tp N] [--gpus 0,1,...]\n"
                    "                     [--layer-split a,b,...] [--trace FILE]\n");
}

static int fail(const char *what, minimax_result r) {
    fprintf(stderr, "minimax-bench: %s: %s: %s\n", what, minimax_result_name(r), minimax_last_error());
    return 1;
}

/* The per-GPU models of a multi-GPU model (or the model itself). */
static int n_ranks(minimax_model *m) { return m->mg ? m->mg->n : 1; }
static minimax_model *rank_of(minimax_model *m, int k) { return m->mg ? m->mg->rank[k] : m; }

static void set_kernels(minimax_model *m, int mode) {
    int k;
    m->fast_decode = mode; /* several GPUs: the front too (it splits a step into passes as the ranks do) */
    for (k = 0; k < n_ranks(m); k++) {
        rank_of(m, k)->fast_decode = mode;
        minimax__bench_reset_graphs(rank_of(m, k));
    }
}

typedef struct variant_result {
    const char *name;
    float ms_median, ms_min, ms_max;
    double ctx_mean;
    minimax__step_bytes bytes;
} variant_result;

/* ---- single-kernel timings ---- */
typedef struct micro_job {
    int kind; /* 0 = BF16 product, 1 = experts, 2 = attention */
    minimax__cu_ptr X, Y;
    int which; /* product: 0 qkv, 1 o_proj, 2 router, 3 lm_head */
    int T;
} micro_job;

static minimax_result micro_run(minimax_model *m, void *user, int rep) {
    micro_job *j = (micro_job *)user;
    const minimax_config *c = &m->cfg;
    minimax__dev_layer *ly = &m->layers[rep % c->num_layers]; /* rotate: less L2 reuse */
    int H = c->hidden_size;
    if (j->kind == 0) {
        switch (j->which) {
        case 0: return minimax__mm(m, j->X, ly->wqkv, j->Y, j->T, m->plan.qkv_dim, H, 0);
        case 1: return minimax__mm(m, j->X, ly->wo, j->Y, j->T, H, m->plan.attn_dim, 1);
        case 2: return minimax__mm(m, j->X, ly->router, j->Y, j->T, c->num_experts, H, 0);
        default: return minimax__mm(m, j->X, m->lm_head, j->Y, j->T, c->vocab_size, H, 0);
        }
    }
    if (j->kind == 2) { /* over the cache of the step inputs left by the last pass (one session, T = 1) */
        int L = rep % c->num_layers;
        if (minimax__fast_attn_ok(m, j->T)) return minimax__fast_attn(m, &m->layers[L], L, j->T, 0, 0, 0, NULL);
        {
            minimax__cu_ptr pos = m->step_in + m->off_pos, srow = m->step_in + m->off_srow;
            int nblocks = m->plan.num_blocks, maxb = m->plan.max_blocks, bs = m->plan.block_tokens;
            int nh = c->num_heads, nkv = c->num_kv_heads, d = c->head_dim;
            void *a[13];
            a[0] = &m->qr; a[1] = &m->attn; a[2] = &pos; a[3] = &srow; a[4] = &m->block_table; a[5] = &m->kv;
            a[6] = &L; a[7] = &nblocks; a[8] = &maxb; a[9] = &bs; a[10] = &nh; a[11] = &nkv; a[12] = &d;
            return minimax__launch(m, MINIMAX__K_ATTENTION, (unsigned)nh, (unsigned)j->T, 128, a);
        }
    }
    if (minimax__fast_moe_ok(m, j->T)) return minimax__fast_moe(m, ly, j->T, NULL);
    {
        int NI = c->intermediate_size, K = c->top_k, T = j->T;
        minimax_result r;
        void *a[12];
        a[0] = &m->hn; a[1] = &m->topk_idx; a[2] = &ly->w1p; a[3] = &ly->w1s; a[4] = &ly->ws2_1; a[5] = &ly->w3p;
        a[6] = &ly->w3s; a[7] = &ly->ws2_3; a[8] = &m->act; a[9] = &H; a[10] = &NI; a[11] = &K;
        if ((r = minimax__launch(m, MINIMAX__K_EXPERT_GATE_UP, (unsigned)MINIMAX__CDIV(NI, 8), (unsigned)(T * K), 256, a)) !=
            MINIMAX_OK)
            return r;
        a[0] = &m->act; a[1] = &m->topk_idx; a[2] = &m->topk_wt; a[3] = &ly->w2p; a[4] = &ly->w2s; a[5] = &ly->ws2_2;
        a[6] = &m->x; a[7] = &H; a[8] = &NI; a[9] = &K;
        return minimax__launch(m, MINIMAX__K_EXPERT_DOWN, (unsigned)MINIMAX__CDIV(H, 8), (unsigned)T, 256, a);
    }
}

int main(int argc, char **argv) {
    const char *dir = NULL, *kernels = "both", *prefill = NULL;
    int layers = 16, batch = 1, ctx = 512, steps = 50, warmup = 5, json = 0, micro = 1;
    unsigned long long seed = 1;
    const char *trace = NULL; /* --trace FILE */
    minimax_model_desc d;
    minimax_model *m = NULL;
    minimax_session **ss;
    minimax_result r;
    minimax_config cfg;
    minimax_model_info info;
    double bw = 0.0, prefill_ms = 0.0; /* prefill_ms: wall time of the real prefill of all sessions (0: random KV) */
    variant_result res[4];
    int nres = 0, i, v, real_prefill;
    int *distinct;
    double t_load;
    struct { const char *name; double bytes; float ms[2]; } mic[6];
    int nmic = 0;
    gpu_opts gpu;
    int gb, gpu_n = 1;
    float local_ms = -1;
    minimax__mg_ar_bench arb[3]; /* all-reduce of 1, 8 and 256 tokens' hidden states */
    int ar_tokens[3] = {1, 8, 256}, nar = 0;
    memset(arb, 0, sizeof arb);
    memset(&gpu, 0, sizeof gpu);

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--synthetic")) dir = NULL;
        else if (!strcmp(a, "-m") && val) dir = argv[++i];
        else if (!strcmp(a, "--layers") && val) layers = atoi(argv[++i]);
        else if (!strcmp(a, "--batch") && val) batch = atoi(argv[++i]);
        else if (!strcmp(a, "--ctx") && val) ctx = atoi(argv[++i]);
        else if (!strcmp(a, "--steps") && val) steps = atoi(argv[++i]);
        else if (!strcmp(a, "--warmup") && val) warmup = atoi(argv[++i]);
        else if (!strcmp(a, "--kernels") && val) kernels = argv[++i];
        else if (!strcmp(a, "--prefill") && val) prefill = argv[++i];
        else if (!strcmp(a, "--seed") && val) seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--no-micro")) micro = 0;
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--trace") && val) trace = argv[++i];
        else if ((gb = gpu_opts_parse(&gpu, a, val)) != 0) {
            if (gb < 0) {
                usage();
                return 2;
            }
            i++;
        } else {
            usage();
            return 2;
        }
    }
    if (layers < 1 || batch < 1 || batch > 1024 || ctx < 1 || steps < 1 || warmup < 0 ||
        (strcmp(kernels, "base") && strcmp(kernels, "fast") && strcmp(kernels, "both")) ||
        (prefill && strcmp(prefill, "real") && strcmp(prefill, "random"))) {
        usage();
        return 2;
    }
    real_prefill = prefill ? !strcmp(prefill, "real") : ctx <= 1024;
    if (trace && setenv("MINIMAX_TRACE", "1", 1) != 0) {
        fprintf(stderr, "minimax-bench: --trace: cannot set MINIMAX_TRACE\n");
        return 2;
    }

    memset(&d, 0, sizeof d);
    d.checkpoint_dir = dir;
    d.max_sessions = batch;
    d.max_context = ctx + 4 * (warmup + steps) + 2; /* the variants' steps, and the routing count */
    if (gpu_opts_apply(&gpu, &d) != 0) {
        fprintf(stderr, "minimax-bench: --layer-split has %d entries for %d GPUs\n", gpu.nsplit, gpu.ngpus);
        return 2;
    }
    t_load = minimax__now_ms();
    if (dir) {
        r = minimax_model_load(&d, &m);
        if (r != MINIMAX_OK) return fail("load", r);
    } else {
        cfg = minimax__bench_real_config(layers);
        r = minimax__model_create_synthetic(&d, &cfg, seed, &m);
        if (r != MINIMAX_OK) return fail("synthetic model", r);
    }
    t_load = minimax__now_ms() - t_load;
    cfg = *minimax_model_config(m);
    minimax_model_info_get(m, &info);
    gpu_n = info.gpus;
    if (gpu_n > 1) micro = 0;
    if (!json && gpu_n > 1) {
        fprintf(stderr, "GPUs: %d, tp %d, layers per GPU", info.gpus, info.tp);
        for (i = 0; i < info.gpus; i++) fprintf(stderr, "%s%d", i ? "," : " ", info.layer_split[i]);
        fprintf(stderr, "\n");
    }
    if (!json)
        fprintf(stderr, "model: %s, %d layers, %.2f GiB weights, %.2f GiB KV; ready in %.1f s on %s (DRAM %.0f GB/s "
                        "peak, L2 prefetch %s)\n",
                dir ? dir : "synthetic", cfg.num_layers, info.weight_bytes / 1073741824.0, info.kv_bytes / 1073741824.0,
                t_load / 1000.0, info.device_name, info.dram_gbps, info.l2_prefetch ? "on" : "off");

    if ((r = minimax__bench_read_bw(rank_of(m, 0), (size_t)4 << 30, &bw)) != MINIMAX_OK) return fail("read bandwidth", r);
    if (!json) fprintf(stderr, "read bandwidth: %.0f GB/s (read-only pass over 4 GiB)\n", bw);

    ss = (minimax_session **)calloc((size_t)batch, sizeof *ss);
    for (i = 0; i < batch; i++)
        if ((r = minimax_session_create(m, &ss[i])) != MINIMAX_OK) return fail("session", r);
    if (real_prefill) {
        int32_t *ids = (int32_t *)malloc((size_t)ctx * 4);
        double t0 = minimax__now_ms();
        for (i = 0; i < batch; i++) {
            int k;
            for (k = 0; k < ctx; k++) ids[k] = (int32_t)((1u + 2654435761u * (unsigned)(k + ctx * i)) % (unsigned)cfg.vocab_size);
            if ((r = minimax_prefill(ss[i], ids, ctx, NULL, NULL)) != MINIMAX_OK) return fail("prefill", r);
        }
        free(ids);
        prefill_ms = minimax__now_ms() - t0;
        if (!json)
            fprintf(stderr, "prefill: %d x %d tokens in %.3f s (%.0f tok/s)\n", batch, ctx, prefill_ms / 1000.0,
                    (double)batch * ctx / (prefill_ms / 1000.0));
    } else {
        for (i = 0; i < n_ranks(m); i++)
            if ((r = minimax__bench_fill_kv(rank_of(m, i), seed ^ 0x5eedull)) != MINIMAX_OK) return fail("KV fill", r);
        for (i = 0; i < batch; i++)
            if ((r = minimax__bench_fake_context(ss[i], ctx)) != MINIMAX_OK) return fail("context", r);
        if (!json) fprintf(stderr, "context: %d x %d tokens of random KV cache\n", batch, ctx);
    }

    for (v = 0; v < 4; v++) { /* base, fast-mm (fast products, general attention), fast-mma (fast, tensor-core
                                 expert kernels at batch 1), fast */
        static const int mode[4] = {0, 2, 4, 1};
        float *ms;
        double c0 = 0;
        if (v == 0 && !strcmp(kernels, "fast")) continue;
        if (v > 0 && !strcmp(kernels, "base")) continue;
        if (v == 1 && (!strcmp(kernels, "fast") || !rank_of(m, 0)->fast_part)) continue;
        if (v == 2 && (batch != 1 || !rank_of(m, 0)->fast_part)) continue;
        set_kernels(m, mode[v]);
        ms = (float *)malloc((size_t)steps * sizeof(float));
        for (i = 0; i < batch; i++) c0 += ss[i]->pos;
        if ((r = minimax__bench_steps(m, ss, batch, steps, warmup, ms)) != MINIMAX_OK) return fail("decode steps", r);
        res[nres].name = v == 0 ? "base" : v == 1 ? "fast-mm" : v == 2 ? "fast-mma" : "fast";
        res[nres].ctx_mean = c0 / batch + warmup + steps / 2.0;
        res[nres].ms_median = minimax__median(ms, steps);
        res[nres].ms_min = ms[0];
        res[nres].ms_max = ms[steps - 1];
        nres++;
        free(ms);
    }

    if (m->mg && m->mg->tp > 1 && nres) { /* the same steps with all-reduces that exchange nothing */
        float *ms = (float *)malloc((size_t)steps * sizeof(float));
        set_kernels(m, rank_of(m, 0)->fast_decode);
        m->mg->dbg_local = 1;
        r = minimax__bench_steps(m, ss, batch, steps, warmup, ms);
        m->mg->dbg_local = 0;
        set_kernels(m, rank_of(m, 0)->fast_decode);
        if (r != MINIMAX_OK) return fail("decode steps without exchange", r);
        local_ms = minimax__median(ms, steps);
        free(ms);
        for (nar = 0; nar < 3 && ar_tokens[nar] <= m->plan.max_tokens; nar++) {
            minimax__mg_ar_bench *a = &arb[nar];
            int n = cfg.hidden_size * ar_tokens[nar], reps = ar_tokens[nar] > 8 ? 20 : 100;
            a->us_own = a->us_local = a->us_nccl = a->us_nccl_graph = -1;
            minimax__mg_time_ar(m, 0, n, reps, 1, &a->us_own);
            minimax__mg_time_ar(m, 1, n, reps, 1, &a->us_local);
            if ((r = minimax__mg_nccl_init(m)) != MINIMAX_OK)
                snprintf(a->nccl_note, sizeof a->nccl_note, "%.200s", minimax_last_error());
            else {
                if (minimax__mg_time_ar(m, 2, n, reps, 0, &a->us_nccl) != MINIMAX_OK)
                    snprintf(a->nccl_note, sizeof a->nccl_note, "eager: %.200s", minimax_last_error());
                if (minimax__mg_time_ar(m, 2, n, reps, 1, &a->us_nccl_graph) != MINIMAX_OK)
                    snprintf(a->nccl_note, sizeof a->nccl_note, "graph: %.200s", minimax_last_error());
            }
        }
    }

    if (trace && (r = minimax__bench_trace(m, rank_of(m, 0), ss, batch, trace)) != MINIMAX_OK)
        return fail("trace", r);
    distinct = (int *)calloc((size_t)cfg.num_layers, sizeof(int));
    if ((r = minimax__bench_route_count(m, ss, batch, distinct)) != MINIMAX_OK) return fail("routing count", r);
    for (v = 0; v < nres; v++) {
        double *cx = (double *)malloc((size_t)batch * sizeof(double));
        for (i = 0; i < batch; i++) cx[i] = res[v].ctx_mean;
        minimax__bench_count_bytes(m, batch, cx, distinct, &res[v].bytes);
        free(cx);
    }

    if (micro) { /* one decode token (T = 1) through each product, base and fast kernels */
        static const char *names[6] = {"q|k|v BF16 8192x3072", "o_proj BF16 3072x6144", "router BF16 256x3072",
                                       "lm_head BF16 200064x3072", "experts NVFP4 8 x (w1,w3,w2)",
                                       "attention (1 session's KV)"};
        const minimax_config *c = &cfg;
        double H = c->hidden_size, NI = c->intermediate_size;
        double by[6];
        int k;
        minimax__ctx_guard g;
        by[0] = (double)m->plan.qkv_dim * H * 2;
        by[1] = H * m->plan.attn_dim * 2;
        by[2] = (double)c->num_experts * H * 2;
        by[3] = (double)c->vocab_size * H * 2;
        by[4] = (double)c->top_k * 3 * (NI * H / 2 + NI * H / 16 + 4);
        by[5] = (double)ss[batch - 1]->pos * 2 * c->num_kv_heads * c->head_dim * 2; /* K and V of its context */
        if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return fail("micro", r);
        for (k = 0; k < 6; k++) {
            micro_job j;
            memset(&j, 0, sizeof j);
            j.kind = k == 4 ? 1 : k == 5 ? 2 : 0;
            j.which = k;
            j.T = 1;
            j.X = k == 1 ? m->attn : k == 3 ? m->xo : m->hn;
            j.Y = k == 0 ? m->qkv : k == 1 ? m->x : k == 2 ? m->rlog : m->logits;
            mic[nmic].name = names[k];
            mic[nmic].bytes = by[k];
            for (v = 0; v < 2; v++) {
                m->fast_decode = v; /* 0 general, 1 fast */
                if ((r = minimax__bench_time(m, micro_run, &j, 3, 32, &mic[nmic].ms[v])) != MINIMAX_OK)
                    return fail("micro", r);
            }
            nmic++;
        }
        minimax__leave(&g);
    }

    if (json) {
        printf("{\"device\": \"%s\", \"model\": \"%s\", \"layers\": %d, \"batch\": %d, \"ctx\": %d, \"steps\": %d, "
               "\"prefill\": \"%s\", \"prefill_ms\": %.1f, \"read_bw_gbps\": %.1f, \"variants\": [",
               info.device_name, dir ? dir : "synthetic", cfg.num_layers, batch, ctx, steps,
               real_prefill ? "real" : "random", prefill_ms, bw);
        for (v = 0; v < nres; v++) {
            double gb = res[v].bytes.total / (res[v].ms_median * 1e-3) / 1e9;
            printf("%s{\"kernels\": \"%s\", \"tokens_per_s\": %.1f, \"ms_per_step\": %.4f, \"bytes_per_step\": %.0f, "
                   "\"gbps\": %.1f, \"ratio\": %.4f, \"bytes\": {\"attention\": %.0f, \"router\": %.0f, \"norms\": %.0f, "
                   "\"experts\": %.0f, \"lm_head\": %.0f, \"embed\": %.0f, \"kv\": %.0f}}",
                   v ? ", " : "", res[v].name, batch / (res[v].ms_median * 1e-3), res[v].ms_median, res[v].bytes.total,
                   gb, gb / bw, res[v].bytes.attention, res[v].bytes.router, res[v].bytes.norms, res[v].bytes.experts,
                   res[v].bytes.lm_head, res[v].bytes.embed, res[v].bytes.kv);
        }
        printf("], \"gpus\": %d, \"tp\": %d, \"step_ms_no_exchange\": %.4f, \"allreduce_us\": [", info.gpus, info.tp,
               local_ms);
        for (i = 0; i < nar; i++)
            printf("%s{\"floats\": %d, \"own\": %.2f, \"own_no_exchange\": %.2f, \"nccl_eager\": %.2f, "
                   "\"nccl_graph\": %.2f, \"note\": \"%s\"}",
                   i ? ", " : "", cfg.hidden_size * ar_tokens[i], arb[i].us_own, arb[i].us_local, arb[i].us_nccl,
                   arb[i].us_nccl_graph, arb[i].nccl_note);
        printf("]");
        printf(", \"distinct_experts_per_layer\": [");
        for (i = 0; i < cfg.num_layers; i++) printf("%s%d", i ? ", " : "", distinct[i]);
        printf("], \"micro\": [");
        for (i = 0; i < nmic; i++)
            printf("%s{\"kernel\": \"%s\", \"bytes\": %.0f, \"base_us\": %.2f, \"fast_us\": %.2f, \"base_gbps\": %.1f, "
                   "\"fast_gbps\": %.1f}",
                   i ? ", " : "", mic[i].name, mic[i].bytes, mic[i].ms[0] * 1e3, mic[i].ms[1] * 1e3,
                   mic[i].bytes / (mic[i].ms[0] * 1e-3) / 1e9, mic[i].bytes / (mic[i].ms[1] * 1e-3) / 1e9);
        printf("]}\n");
    } else {
        int dsum = 0;
        for (i = 0; i < cfg.num_layers; i++) dsum += distinct[i];
        printf("%s | %d layers | batch %d | ctx %d (%s) | read bw %.0f GB/s | distinct experts/layer %.1f\n",
               info.device_name, cfg.num_layers, batch, ctx, real_prefill ? "prefilled" : "random KV", bw,
               (double)dsum / cfg.num_layers);
        printf("%-10s %10s %10s %12s %10s %8s\n", "kernels", "tok/s", "ms/step", "MB/step", "GB/s", "of bw");
        for (v = 0; v < nres; v++) {
            double gb = res[v].bytes.total / (res[v].ms_median * 1e-3) / 1e9;
            printf("%-10s %10.1f %10.3f %12.1f %10.0f %7.1f%%\n", res[v].name, batch / (res[v].ms_median * 1e-3),
                   res[v].ms_median, res[v].bytes.total / 1e6, gb, 100.0 * gb / bw);
        }
        if (nres) {
            minimax__step_bytes *b = &res[nres - 1].bytes;
            printf("bytes/step: attention %.1f MB, experts %.1f MB, lm_head %.1f MB, router+norms %.1f MB, KV %.1f MB\n",
                   b->attention / 1e6, b->experts / 1e6, b->lm_head / 1e6, (b->router + b->norms) / 1e6, b->kv / 1e6);
        }
        if (local_ms > 0 && nres) {
            double full = res[nres - 1].ms_median;
            printf("%d GPUs, tp %d: step %.3f ms, with all-reduces exchanging nothing %.3f ms: communication %.1f%% of "
                   "the step\n",
                   info.gpus, info.tp, full, local_ms, 100.0 * (full - local_ms) / full);
            for (i = 0; i < nar; i++)
                printf("one all-reduce of %d floats (%d KB, median per call, slowest GPU): ours %.2f us in a graph (%.2f "
                       "us without the exchange), NCCL %.2f us eager, %.2f us in a graph%s%s\n",
                       cfg.hidden_size * ar_tokens[i], cfg.hidden_size * ar_tokens[i] * 4 / 1024, arb[i].us_own,
                       arb[i].us_local, arb[i].us_nccl, arb[i].us_nccl_graph, arb[i].nccl_note[0] ? "; NCCL: " : "",
                       arb[i].nccl_note);
        }
        if (nmic) printf("%-32s %10s %10s %10s %10s\n", "kernel (T=1)", "base us", "fast us", "base GB/s", "fast GB/s");
        for (i = 0; i < nmic; i++)
            printf("%-32s %10.1f %10.1f %10.0f %10.0f\n", mic[i].name, mic[i].ms[0] * 1e3, mic[i].ms[1] * 1e3,
                   mic[i].bytes / (mic[i].ms[0] * 1e-3) / 1e9, mic[i].bytes / (mic[i].ms[1] * 1e-3) / 1e9);
    }
    free(distinct);
    for (i = 0; i < batch; i++) minimax_session_free(ss[i]);
    free(ss);
    minimax_model_free(m);
    return 0;
}
