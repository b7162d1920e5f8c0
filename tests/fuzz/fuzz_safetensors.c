/* libFuzzer harness for the safetensors shard reader (minimax__shard_open):
   the input is written to a file, mapped and parsed as a shard. On success
   every tensor must lie inside the data section with nbytes = product of
   its shape * dtype size; on failure the message must name the file. Build
   and run with tests/fuzz/run.sh. */
#define _XOPEN_SOURCE 700
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

static char path[256];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    minimax__shard sh;
    minimax__tensor *table = NULL;
    size_t count = 0, cap = 0, i;
    FILE *f;
    if (!path[0]) snprintf(path, sizeof path, "/dev/shm/minimax_fuzz_%ld.safetensors", (long)getpid());
    f = fopen(path, "wb");
    if (!f) return 0;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
    if (minimax__shard_open(&sh, path, &table, &count, &cap) == MINIMAX_OK) {
        const uint8_t *base = (const uint8_t *)sh.map, *end = base + sh.map_size;
        for (i = 0; i < count; i++) {
            const minimax__tensor *t = &table[i];
            uint64_t n = 1;
            int d;
            for (d = 0; d < t->ndim; d++) n *= (uint64_t)t->shape[d];
            if (t->data < base + 8 || t->data > end || t->nbytes > (uint64_t)(end - t->data)) __builtin_trap();
            if (n * (uint64_t)minimax__dtype_sizes[t->dtype] != t->nbytes) __builtin_trap();
        }
    } else if (!strstr(minimax_last_error(), path)) {
        __builtin_trap();
    }
    minimax__shard_close(&sh);
    free(table);
    return 0;
}
