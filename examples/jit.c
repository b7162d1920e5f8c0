/* minimax-jit: compile the kernels ahead of time, without a GPU, to warm the
   cubin cache at deployment or to check in CI that they compile.

       build/minimax-jit ARCH... [--cache DIR]     e.g. minimax-jit sm_90a sm_100a
       build/minimax-jit all [--cache DIR]         every supported target
       build/minimax-jit --list                    the supported targets

   --cache DIR: the cache directory (default: $MINIMAX_CACHE_DIR, then
   $XDG_CACHE_HOME/minimax_nvfp4, then ~/.cache/minimax_nvfp4); --cache ""
   compiles without a cache. MINIMAX_KERNEL_SOURCE=file.cu compiles that
   file instead of the embedded kernels. Exit status 0 when all compiled. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

#include <stdio.h>
#include <string.h>

static int compile_one(const char *arch, const char *cache_dir) {
    minimax_jit_info info;
    minimax_result r = minimax_jit_precompile(arch, cache_dir, &info);
    if (r != MINIMAX_OK) {
        fprintf(stderr, "%s: %s: %s\n", arch, minimax_result_name(r), minimax_last_error());
        return 1;
    }
    printf("%-8s NVRTC %d.%d  %3d kernels  %8zu bytes  %9.1f ms  %s%s\n", info.arch, info.nvrtc_major,
           info.nvrtc_minor, info.kernel_count, info.cubin_bytes, info.compile_ms,
           info.cache_file[0] ? (info.cache_hit ? "cache hit  " : "cached as  ") : "no cache",
           info.cache_file);
    return 0;
}

int main(int argc, char **argv) {
    const char *cache_dir = NULL;
    const char *archs[64];
    int n_archs = 0, i, n, failed = 0;
    const char *const *all = minimax_jit_supported_archs(&n);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cache") == 0 && i + 1 < argc) {
            cache_dir = argv[++i];
        } else if (strcmp(argv[i], "--list") == 0) {
            for (i = 0; i < n; i++) printf("%s\n", all[i]);
            return 0;
        } else if (strcmp(argv[i], "all") == 0) {
            int k;
            for (k = 0; k < n && n_archs < 64; k++) archs[n_archs++] = all[k];
        } else if (argv[i][0] != '-' && n_archs < 64) {
            archs[n_archs++] = argv[i];
        } else {
            n_archs = 0;
            break;
        }
    }
    if (n_archs == 0) {
        fprintf(stderr, "usage: %s ARCH...|all [--cache DIR] | --list\n", argv[0]);
        return 2;
    }
    for (i = 0; i < n_archs; i++) failed += compile_one(archs[i], cache_dir);
    return failed ? 1 : 0;
}
