/* ---- JIT: kernel compilation and the cubin cache ---------------------------
   The kernels ship as CUDA C++ source (minimax_nvfp4_cuda.cu.h). When a model
   is loaded, NVRTC compiles that source for the exact architecture of the GPU
   found (sm_90a on H100/H200, sm_100a/sm_103a on B200/B300, sm_120a/sm_121a
   on RTX 50xx / RTX PRO 6000 / DGX Spark) into a cubin, so the driver never
   JIT-compiles PTX.

   THE CUBIN CACHE
   A compile takes seconds; its result is kept on disk and reused. The cache
   directory is, in this order: the `cache_dir` argument where a function
   takes one ("" turns the cache off), $MINIMAX_CACHE_DIR (empty = off),
   $XDG_CACHE_HOME/minimax_nvfp4, ~/.cache/minimax_nvfp4. An entry is keyed by
   the kernel source, the full NVRTC option list, the NVRTC version, the exact
   target and the library version (not the driver version, so a cache warmed
   on a build machine without a GPU hits on the GPU machine). Entries are
   written to a temporary file and renamed, so concurrent processes never see
   half an entry; a directory that cannot be created or written turns the
   cache off silently and never fails a compile; a damaged entry is ignored
   and rewritten. Deleting the directory is always safe.

   The environment variable MINIMAX_KERNEL_SOURCE may name a .cu file to
   compile instead of the embedded source (for kernel development), and
   MINIMAX_TRACE=1 compiles the kernels with the step trace (kernels.cu;
   minimax-bench --trace sets it: every block then records its times, ~4%
   slower). */

#ifdef __cplusplus
extern "C" {
#endif

/* What minimax_jit_precompile did. */
typedef struct minimax_jit_info {
    char arch[16];          /* the target compiled for, e.g. "sm_90a" */
    int nvrtc_major;        /* NVRTC version used */
    int nvrtc_minor;
    int kernel_count;       /* kernel entry points in the cubin */
    size_t cubin_bytes;     /* size of the cubin */
    double compile_ms;      /* wall time of the compile, or of the cache read on a hit */
    int cache_hit;          /* 1 when the cubin came from the cache */
    char cache_file[1024];  /* the cache entry read or written; "" when the cache is off or unusable */
} minimax_jit_info;

/* Compiles every kernel of the embedded source for `arch` (one of
   minimax_jit_supported_archs()) and stores the cubin in the cache. Needs
   NVRTC (libnvrtc.so.13) but no GPU and no driver: run it at deployment or in
   CI to warm a cache. cache_dir: NULL = the default directory (above), "" =
   no cache (compile only, e.g. to check that the source compiles). `info`
   may be NULL. Returns MINIMAX_ERR_NO_DEVICE without NVRTC,
   MINIMAX_ERR_INVALID_ARGUMENT for an unknown arch, MINIMAX_ERR_JIT with the
   NVRTC log when the source does not compile.
   Thread safety: any thread; concurrent calls (also from other processes)
   may share a cache directory. */
MINIMAX_API minimax_result minimax_jit_precompile(const char *arch, const char *cache_dir, minimax_jit_info *info);

/* The targets the kernels can be compiled for, as a static array of `*n`
   strings ("sm_90a", "sm_100a", ...). Thread safety: any thread. */
MINIMAX_API const char *const *minimax_jit_supported_archs(int *n);

#ifdef __cplusplus
}
#endif
