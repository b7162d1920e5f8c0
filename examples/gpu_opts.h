/* Options shared by the examples that run the model on several GPUs:
     --tp N               tensor parallelism over N GPUs (2, 4, 8)
     --gpus 0,1,...       the CUDA devices to use
     --layer-split a,b,.. layers per GPU (a pipeline; default: by free memory)
   (minimax_model_desc: tp, devices / n_devices, layer_split). */
#ifndef MINIMAX_EXAMPLES_GPU_OPTS_H
#define MINIMAX_EXAMPLES_GPU_OPTS_H
#include <stdlib.h>
#include <string.h>

typedef struct gpu_opts {
    int tp;
    int gpus[8], ngpus;
    int split[8], nsplit;
} gpu_opts;

#define GPU_OPTS_USAGE "[--tp N] [--gpus 0,1,...] [--layer-split a,b,...]"

/* "0,1,2" -> out[], returns the count (0 on a bad list) */
static int gpu_opts_list(const char *s, int *out, int cap) {
    int n = 0;
    while (s && *s) {
        char *e;
        long v = strtol(s, &e, 10);
        if (e == s || v < 0 || v > 100000 || n == cap) return 0;
        out[n++] = (int)v;
        s = e;
        if (*s == ',') s++;
        else if (*s) return 0;
    }
    return n;
}

/* 1: opt (with its value v) was one of these options; 0: not ours; -1: bad value */
static __attribute__((unused)) int gpu_opts_parse(gpu_opts *o, const char *opt, const char *v) {
    if (!strcmp(opt, "--tp")) {
        char *e;
        if (!v) return -1;
        o->tp = (int)strtol(v, &e, 10);
        return *e || o->tp < 0 ? -1 : 1;
    }
    if (!strcmp(opt, "--gpus")) return (o->ngpus = gpu_opts_list(v, o->gpus, 8)) ? 1 : -1;
    if (!strcmp(opt, "--layer-split")) return (o->nsplit = gpu_opts_list(v, o->split, 8)) ? 1 : -1;
    return 0;
}

/* Sets the desc's fields (o must outlive the load). 0 = fine, -1 = the lists disagree. */
static __attribute__((unused)) int gpu_opts_apply(const gpu_opts *o, minimax_model_desc *d) {
    if (o->ngpus && o->nsplit && o->ngpus != o->nsplit) return -1;
    d->tp = o->tp;
    d->devices = o->ngpus ? o->gpus : NULL;
    d->n_devices = o->ngpus ? o->ngpus : o->nsplit;
    d->layer_split = o->nsplit ? o->split : NULL;
    if (o->ngpus == 1 && !o->tp && !o->nsplit) { /* one GPU, chosen */
        d->device = o->gpus[0];
        d->devices = NULL;
        d->n_devices = 0;
    }
    return 0;
}
#endif
