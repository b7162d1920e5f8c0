/* minimax-inspect: validate a ModelOpt NVFP4 MiniMax-M2 checkpoint on the CPU
   (no GPU needed) and print its configuration, its tensors by kind and what
   one GPU would need to run it.

     minimax-inspect DIR [--tp N] [--max-ctx C] [--batch B] [--kv-block T]
                     [--gpus 0,1,...] [--layer-split a,b,...]

   With several GPUs and no --tp (a layer split: --layer-split, or --gpus
   alone for an even split) it also prints what each GPU needs: its layers'
   weights and KV cache, the embedding on the first, the lm_head on the last.

   Exits 0 when the checkpoint is valid, 1 with the loader's message when it
   is not, 2 on bad arguments. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_opts.h"

typedef struct options {
    const char *dir;
    minimax_memory_desc mem;
    gpu_opts gpu;
} options;

static void usage(FILE *f) {
    int n, i;
    const char *const *archs = minimax_jit_supported_archs(&n);
    fprintf(f,
            "usage: minimax-inspect DIR [options]\n"
            "       minimax-inspect --jit ARCH|all [--cache DIR]   compile the kernels for ARCH without a GPU\n"
            "                      (ARCH:");
    for (i = 0; i < n; i++) fprintf(f, " %s", archs[i]);
    fprintf(f,
            ")\n"
            "  --tp N         GPUs for tensor parallelism (default 1)\n"
            "  --max-ctx C    tokens per session for the KV cache (default 4096)\n"
            "  --batch B      sessions decoded together (default 1)\n"
            "  --kv-block T   tokens per KV-cache block (default 16)\n"
            "  --gpus LIST    the GPUs (e.g. 0,1); several without --tp: a layer split\n"
            "  --layer-split LIST  layers per GPU (e.g. 40,11,11); default: even\n"
            "  -h, --help     this text\n");
}

/* A non-negative int option value; returns 0 on error. */
static int int_arg(const char *opt, const char *s, int *out) {
    char *end;
    long v;
    if (!s) {
        fprintf(stderr, "minimax-inspect: %s needs a value\n", opt);
        return 0;
    }
    v = strtol(s, &end, 10);
    if (*s == 0 || *end || v < 0 || v > 1000000000L) {
        fprintf(stderr, "minimax-inspect: %s %s: expected a whole number >= 0\n", opt, s);
        return 0;
    }
    *out = (int)v;
    return 1;
}

/* Options in a table so that new ones are one line each. */
static int parse_args(int argc, char **argv, options *o) {
    struct {
        const char *name;
        int *value;
    } ints[4];
    int i, k;
    memset(o, 0, sizeof *o);
    ints[0].name = "--tp", ints[0].value = &o->mem.tp;
    ints[1].name = "--max-ctx", ints[1].value = &o->mem.max_ctx;
    ints[2].name = "--batch", ints[2].value = &o->mem.batch;
    ints[3].name = "--kv-block", ints[3].value = &o->mem.kv_block_tokens;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "--gpus") == 0 || strcmp(a, "--layer-split") == 0) {
            if (gpu_opts_parse(&o->gpu, a, i + 1 < argc ? argv[i + 1] : NULL) < 0) {
                fprintf(stderr, "minimax-inspect: %s needs a list like 0,1\n", a);
                return 0;
            }
            i++;
            continue;
        }
        for (k = 0; k < (int)(sizeof ints / sizeof ints[0]); k++)
            if (strcmp(a, ints[k].name) == 0) break;
        if (k < (int)(sizeof ints / sizeof ints[0])) {
            if (!int_arg(a, i + 1 < argc ? argv[i + 1] : NULL, ints[k].value)) return 0;
            i++;
        } else if (a[0] == '-') {
            fprintf(stderr, "minimax-inspect: unknown option %s\n", a);
            return 0;
        } else if (!o->dir) {
            o->dir = a;
        } else {
            fprintf(stderr, "minimax-inspect: more than one directory given (%s, %s)\n", o->dir, a);
            return 0;
        }
    }
    if (!o->dir) {
        fprintf(stderr, "minimax-inspect: no checkpoint directory given\n");
        return 0;
    }
    return 1;
}

static void size_line(const char *what, uint64_t bytes) {
    printf("  %-24s %10.3f GiB  %16llu bytes\n", what, (double)bytes / (1024.0 * 1024.0 * 1024.0), (unsigned long long)bytes);
}

/* --jit ARCH|all [--cache DIR]: compile every kernel for a target without a
   GPU, to warm the cubin cache for deployment or to check in CI. */
static int jit_main(int argc, char **argv) {
    const char *cache_dir = NULL, *arch = NULL;
    const char *const *all;
    int i, n, failed = 0, matched = 0;
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--cache") == 0 && i + 1 < argc) cache_dir = argv[++i];
        else if (!arch && argv[i][0] != '-') arch = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!arch) {
        usage(stderr);
        return 2;
    }
    all = minimax_jit_supported_archs(&n);
    for (i = 0; i < n; i++) {
        minimax_jit_info info;
        minimax_result r;
        if (strcmp(arch, "all") != 0 && strcmp(arch, all[i]) != 0) continue;
        matched++;
        r = minimax_jit_precompile(all[i], cache_dir, &info);
        if (r != MINIMAX_OK) {
            fprintf(stderr, "minimax-inspect: %s: %s: %s\n", all[i], minimax_result_name(r), minimax_last_error());
            failed++;
            continue;
        }
        printf("%-8s NVRTC %d.%d  %3d kernels  %8zu bytes  %9.1f ms  %s%s\n", info.arch, info.nvrtc_major,
               info.nvrtc_minor, info.kernel_count, info.cubin_bytes, info.compile_ms,
               info.cache_file[0] ? (info.cache_hit ? "cache hit  " : "cached as  ") : "no cache", info.cache_file);
    }
    if (!matched) { /* not a supported target: let the library say why */
        minimax_jit_info info;
        minimax_result r = minimax_jit_precompile(arch, cache_dir, &info);
        fprintf(stderr, "minimax-inspect: %s: %s: %s\n", arch, minimax_result_name(r), minimax_last_error());
        return 1;
    }
    return failed ? 1 : 0;
}

int main(int argc, char **argv) {
    options o;
    minimax_checkpoint *ck = NULL;
    const minimax_config *c;
    const minimax_checkpoint_stats *st;
    minimax_memory_usage u;
    minimax_result r;
    int k;

    if (argc >= 2 && strcmp(argv[1], "--jit") == 0) return jit_main(argc, argv);
    if (!parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    r = minimax_checkpoint_open(o.dir, &ck);
    if (r != MINIMAX_OK) {
        fprintf(stderr, "minimax-inspect: %s: %s\n", minimax_result_name(r), minimax_last_error());
        return 1;
    }
    c = minimax_checkpoint_config(ck);
    st = minimax_checkpoint_get_stats(ck);

    printf("checkpoint %s: valid (ModelOpt NVFP4, %d shard%s)\n\n", o.dir, st->num_shards, st->num_shards == 1 ? "" : "s");
    printf("configuration\n");
    printf("  hidden_size %d, layers %d, heads %d (KV %d) x head_dim %d, rotary_dim %d\n", c->hidden_size, c->num_layers,
           c->num_heads, c->num_kv_heads, c->head_dim, c->rotary_dim);
    printf("  experts %d x intermediate %d, top_k %d, routed_scaling_factor %g\n", c->num_experts, c->intermediate_size, c->top_k,
           (double)c->routed_scaling_factor);
    printf("  vocab %d, max_position_embeddings %d, bos %d, eos %d\n", c->vocab_size, c->max_position_embeddings, c->bos_token_id,
           c->eos_token_id);
    printf("  rope_theta %g, rms_norm_eps %g\n\n", (double)c->rope_theta, (double)c->rms_norm_eps);

    printf("tensors (expert layout: %s)\n", st->expert_layout == MINIMAX_EXPERTS_PER_EXPERT ? "per-expert w1/w2/w3" : "fused");
    for (k = 0; k < MINIMAX_KIND_COUNT; k++) {
        char label[64];
        snprintf(label, sizeof label, "%-20s %7lld", minimax_tensor_kind_name((minimax_tensor_kind)k), (long long)st->tensors[k]);
        size_line(label, st->bytes[k]);
    }
    {
        char label[64];
        snprintf(label, sizeof label, "%-20s %7lld", "total", (long long)st->total_tensors);
        size_line(label, st->total_bytes);
    }
    if (st->missing_input_scales)
        printf("  %lld expert matrices have no input_scale (uncalibrated experts; not needed for W4A16)\n",
               (long long)st->missing_input_scales);

    r = minimax_memory_estimate(c, &o.mem, &u);
    if (r != MINIMAX_OK) {
        fprintf(stderr, "minimax-inspect: %s: %s\n", minimax_result_name(r), minimax_last_error());
        minimax_checkpoint_close(ck);
        return 2;
    }
    printf("\nmemory per GPU (tp %d, max_ctx %d, batch %d, KV blocks of %d tokens)\n", u.desc.tp, u.desc.max_ctx, u.desc.batch,
           u.desc.kv_block_tokens);
    size_line("attention (BF16)", u.weights_attention);
    size_line("experts (NVFP4)", u.weights_experts);
    size_line("embedding", u.weights_embedding);
    size_line("lm_head", u.weights_lm_head);
    size_line("router", u.weights_router);
    size_line("norms", u.weights_norms);
    size_line("weights", u.weights);
    printf("  KV cache: %llu bytes per token x %llu tokens\n", (unsigned long long)u.kv_bytes_per_token,
           (unsigned long long)u.kv_tokens);
    size_line("KV cache", u.kv_cache);
    size_line("workspace", u.workspace);
    size_line("total", u.total);
    { /* layer split: per GPU */
        int n = o.gpu.nsplit ? o.gpu.nsplit : o.gpu.ngpus, split[8], i, sum = 0;
        if (n > 1 && o.mem.tp <= 1) {
            if (o.gpu.ngpus && o.gpu.nsplit && o.gpu.ngpus != o.gpu.nsplit) {
                fprintf(stderr, "minimax-inspect: --layer-split has %d entries for %d GPUs\n", o.gpu.nsplit, o.gpu.ngpus);
                minimax_checkpoint_close(ck);
                return 2;
            }
            for (i = 0; i < n; i++) {
                split[i] = o.gpu.nsplit ? o.gpu.split[i] : c->num_layers / n + (i < c->num_layers % n);
                sum += split[i];
            }
            if (sum != c->num_layers) {
                fprintf(stderr, "minimax-inspect: --layer-split adds up to %d layers; the model has %d\n", sum, c->num_layers);
                minimax_checkpoint_close(ck);
                return 2;
            }
            printf("\nlayer split over %d GPUs (a pipeline: each GPU its layers and their KV cache)\n", n);
            printf("  %-6s %6s %12s %12s %12s %12s\n", "GPU", "layers", "weights GiB", "KV GiB", "workspace", "total GiB");
            for (i = 0; i < n; i++) {
                minimax_config ci = *c;
                minimax_memory_usage ui;
                uint64_t w;
                ci.num_layers = split[i];
                if (split[i] < 1 || minimax_memory_estimate(&ci, &o.mem, &ui) != MINIMAX_OK) {
                    fprintf(stderr, "minimax-inspect: GPU %d: %d layers: %s\n", i, split[i], minimax_last_error());
                    minimax_checkpoint_close(ck);
                    return 2;
                }
                w = ui.weights - (i ? ui.weights_embedding : 0) - (i < n - 1 ? ui.weights_lm_head : 0);
                printf("  %-6d %6d %12.3f %12.3f %12.3f %12.3f\n", o.gpu.ngpus ? o.gpu.gpus[i] : i, split[i],
                       w / 1073741824.0, ui.kv_cache / 1073741824.0, ui.workspace / 1073741824.0,
                       (w + ui.kv_cache + ui.workspace) / 1073741824.0);
            }
        }
    }
    minimax_checkpoint_close(ck);
    return 0;
}
