/* ===========================================================================
   IMPLEMENTATION: CUDA driver and NVRTC, loaded at run time; JIT + cubin cache
   ===========================================================================
   Nothing here includes cuda.h or nvrtc.h: a host machine may not have them,
   and a host file may include cuda.h itself, so every CUDA type has our own
   prefixed name with the same ABI (handles are pointers, CUresult and the
   enums are int, CUdeviceptr is 64 bits).

   Both libraries are opened with dlopen by their versioned sonames:
   libcuda.so.1 (the driver) and libnvrtc.so.13 (falling back to
   libnvrtc.so). The toolkit's stubs/libcuda.so is not on the loader's path,
   but its soname is libcuda.so.1 too, so in a process that linked or loaded
   it dlopen returns it; its cuInit answers CUDA_ERROR_STUB_LIBRARY, which
   minimax__cuda_init reports by name. Each table member is named like the driver function without
   its version suffix; the loader looks up, with dlsym, the versioned symbol
   that cuda.h of CUDA 12/13 maps that name to (cuMemAlloc -> cuMemAlloc_v2,
   cuGraphInstantiate -> cuGraphInstantiateWithFlags, ...), so each pointer
   has exactly the signature declared here. dlsym was chosen over
   cuGetProcAddress because it resolves the same names on every driver since
   CUDA 11.4 (cuEventElapsedTime_v2, 12.8+, falls back to the original) and
   can be checked offline against the toolkit's stub library, which exports
   the driver's symbols (tests/test_jit.c does). */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* The kernel source, generated from src/kernels.cu by tools/embed.sh. A
   build without it can still compile a source named by MINIMAX_KERNEL_SOURCE. */
#if !defined(MINIMAX_NO_EMBEDDED_KERNELS)
#if defined(__has_include)
#if __has_include("minimax_nvfp4_cuda.cu.h")
#include "minimax_nvfp4_cuda.cu.h"
#define MINIMAX__HAVE_KERNEL_SOURCE 1
#endif
#else
#include "minimax_nvfp4_cuda.cu.h"
#define MINIMAX__HAVE_KERNEL_SOURCE 1
#endif
#endif

/* ---- CUDA types (ABI-compatible with cuda.h) ------------------------------ */
typedef int minimax__cu_result;             /* CUresult, 0 = CUDA_SUCCESS */
typedef int minimax__cu_device;             /* CUdevice */
typedef unsigned long long minimax__cu_ptr; /* CUdeviceptr */
typedef struct minimax__cu_ctx_s *minimax__cu_context;
typedef struct minimax__cu_mod_s *minimax__cu_module;
typedef struct minimax__cu_fn_s *minimax__cu_function;
typedef struct minimax__cu_stream_s *minimax__cu_stream;
typedef struct minimax__cu_event_s *minimax__cu_event;
typedef struct minimax__cu_graph_s *minimax__cu_graph;
typedef struct minimax__cu_graph_exec_s *minimax__cu_graph_exec;
/* CUlaunchAttribute (id, padding, a 64-byte value) and CUlaunchConfig, for
   cuLaunchKernelEx: the one attribute used is programmatic stream
   serialization (id 6, value an int). */
typedef struct minimax__cu_launch_attr {
    int id;
    char pad[4];
    union {
        int i;
        char bytes[64];
    } value;
} minimax__cu_launch_attr;
typedef struct minimax__cu_launch_config {
    unsigned int grid[3], block[3], smem;
    minimax__cu_stream stream;
    minimax__cu_launch_attr *attrs;
    unsigned int n_attrs;
} minimax__cu_launch_config;
#define MINIMAX__CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION 6
typedef int minimax__nvrtc_result; /* nvrtcResult, 0 = NVRTC_SUCCESS */
typedef struct minimax__nvrtc_prog_s *minimax__nvrtc_program;

/* CUresult values this file needs by name. */
#define MINIMAX__CUDA_SUCCESS 0
#define MINIMAX__CUDA_ERROR_OUT_OF_MEMORY 2
#define MINIMAX__CUDA_ERROR_STUB_LIBRARY 34
#define MINIMAX__CUDA_ERROR_NO_DEVICE 100

/* ---- the function table ----------------------------------------------------
   X(return type, member name, parameters, symbol, fallback symbol, required)
   A missing required symbol fails init (driver too old); a missing optional
   one leaves the member NULL for the caller to test. The enum-typed
   parameters of cuda.h (CUdevice_attribute, CUjit_option, CUstreamCaptureMode,
   CUfunction_attribute, CUpointer_attribute, CUtensorMap* enums) are int. */
#define MINIMAX__CU_FUNCS(X)                                                                                              \
    X(minimax__cu_result, cuInit, (unsigned int flags), "cuInit", 0, 1)                                                   \
    X(minimax__cu_result, cuDriverGetVersion, (int *version), "cuDriverGetVersion", 0, 1)                                 \
    X(minimax__cu_result, cuGetErrorName, (minimax__cu_result e, const char **s), "cuGetErrorName", 0, 1)                 \
    X(minimax__cu_result, cuGetErrorString, (minimax__cu_result e, const char **s), "cuGetErrorString", 0, 1)             \
    X(minimax__cu_result, cuDeviceGetCount, (int *count), "cuDeviceGetCount", 0, 1)                                       \
    X(minimax__cu_result, cuDeviceGet, (minimax__cu_device * dev, int ordinal), "cuDeviceGet", 0, 1)                      \
    X(minimax__cu_result, cuDeviceGetAttribute, (int *value, int attrib, minimax__cu_device dev), "cuDeviceGetAttribute", \
      0, 1)                                                                                                               \
    X(minimax__cu_result, cuDeviceGetName, (char *name, int len, minimax__cu_device dev), "cuDeviceGetName", 0, 1)        \
    X(minimax__cu_result, cuDeviceGetPCIBusId, (char *id, int len, minimax__cu_device dev), "cuDeviceGetPCIBusId", 0, 1)  \
    X(minimax__cu_result, cuDeviceTotalMem, (size_t * bytes, minimax__cu_device dev), "cuDeviceTotalMem_v2", 0, 1)        \
    X(minimax__cu_result, cuDeviceCanAccessPeer, (int *can, minimax__cu_device dev, minimax__cu_device peer),             \
      "cuDeviceCanAccessPeer", 0, 1)                                                                                      \
    X(minimax__cu_result, cuDevicePrimaryCtxRetain, (minimax__cu_context * ctx, minimax__cu_device dev),                  \
      "cuDevicePrimaryCtxRetain", 0, 1)                                                                                   \
    X(minimax__cu_result, cuDevicePrimaryCtxRelease, (minimax__cu_device dev), "cuDevicePrimaryCtxRelease_v2", 0, 1)      \
    X(minimax__cu_result, cuCtxSetCurrent, (minimax__cu_context ctx), "cuCtxSetCurrent", 0, 1)                            \
    X(minimax__cu_result, cuCtxGetCurrent, (minimax__cu_context * ctx), "cuCtxGetCurrent", 0, 1)                          \
    X(minimax__cu_result, cuCtxGetDevice, (minimax__cu_device * dev), "cuCtxGetDevice", 0, 1)                             \
    X(minimax__cu_result, cuCtxSynchronize, (void), "cuCtxSynchronize", 0, 1)                                             \
    X(minimax__cu_result, cuCtxEnablePeerAccess, (minimax__cu_context peer, unsigned int flags), "cuCtxEnablePeerAccess", \
      0, 1)                                                                                                               \
    X(minimax__cu_result, cuMemGetInfo, (size_t * free_bytes, size_t * total_bytes), "cuMemGetInfo_v2", 0, 1)             \
    X(minimax__cu_result, cuMemAlloc, (minimax__cu_ptr * p, size_t bytes), "cuMemAlloc_v2", 0, 1)                         \
    X(minimax__cu_result, cuMemFree, (minimax__cu_ptr p), "cuMemFree_v2", 0, 1)                                           \
    X(minimax__cu_result, cuMemAllocHost, (void **p, size_t bytes), "cuMemAllocHost_v2", 0, 1)                            \
    X(minimax__cu_result, cuMemFreeHost, (void *p), "cuMemFreeHost", 0, 1)                                                \
    X(minimax__cu_result, cuMemHostAlloc, (void **p, size_t bytes, unsigned int flags), "cuMemHostAlloc", 0, 1)          \
    X(minimax__cu_result, cuMemHostGetDevicePointer, (minimax__cu_ptr * dp, void *p, unsigned int flags),                 \
      "cuMemHostGetDevicePointer_v2", 0, 1)                                                                               \
    X(minimax__cu_result, cuMemHostRegister, (void *p, size_t bytes, unsigned int flags), "cuMemHostRegister_v2", 0, 1)  \
    X(minimax__cu_result, cuMemHostUnregister, (void *p), "cuMemHostUnregister", 0, 1)                                    \
    X(minimax__cu_result, cuMemcpyHtoD, (minimax__cu_ptr dst, const void *src, size_t bytes), "cuMemcpyHtoD_v2", 0, 1)    \
    X(minimax__cu_result, cuMemcpyDtoH, (void *dst, minimax__cu_ptr src, size_t bytes), "cuMemcpyDtoH_v2", 0, 1)          \
    X(minimax__cu_result, cuMemcpyHtoDAsync,                                                                              \
      (minimax__cu_ptr dst, const void *src, size_t bytes, minimax__cu_stream s), "cuMemcpyHtoDAsync_v2", 0, 1)           \
    X(minimax__cu_result, cuMemcpyDtoHAsync, (void *dst, minimax__cu_ptr src, size_t bytes, minimax__cu_stream s),        \
      "cuMemcpyDtoHAsync_v2", 0, 1)                                                                                       \
    X(minimax__cu_result, cuMemcpyDtoDAsync,                                                                              \
      (minimax__cu_ptr dst, minimax__cu_ptr src, size_t bytes, minimax__cu_stream s), "cuMemcpyDtoDAsync_v2", 0, 1)       \
    X(minimax__cu_result, cuMemcpyPeerAsync,                                                                              \
      (minimax__cu_ptr dst, minimax__cu_context dst_ctx, minimax__cu_ptr src, minimax__cu_context src_ctx, size_t bytes,  \
       minimax__cu_stream s),                                                                                             \
      "cuMemcpyPeerAsync", 0, 1)                                                                                          \
    X(minimax__cu_result, cuMemsetD8Async, (minimax__cu_ptr dst, unsigned char v, size_t n, minimax__cu_stream s),        \
      "cuMemsetD8Async", 0, 1)                                                                                            \
    X(minimax__cu_result, cuMemsetD32Async, (minimax__cu_ptr dst, unsigned int v, size_t n, minimax__cu_stream s),        \
      "cuMemsetD32Async", 0, 1)                                                                                           \
    X(minimax__cu_result, cuPointerGetAttribute, (void *data, int attrib, minimax__cu_ptr p), "cuPointerGetAttribute", 0, \
      1)                                                                                                                  \
    X(minimax__cu_result, cuModuleLoadDataEx,                                                                             \
      (minimax__cu_module * mod, const void *image, unsigned int n_opts, int *opts, void **values),                       \
      "cuModuleLoadDataEx", 0, 1)                                                                                         \
    X(minimax__cu_result, cuModuleUnload, (minimax__cu_module mod), "cuModuleUnload", 0, 1)                               \
    X(minimax__cu_result, cuModuleGetFunction, (minimax__cu_function * fn, minimax__cu_module mod, const char *name),     \
      "cuModuleGetFunction", 0, 1)                                                                                        \
    X(minimax__cu_result, cuModuleGetGlobal,                                                                              \
      (minimax__cu_ptr * p, size_t * bytes, minimax__cu_module mod, const char *name), "cuModuleGetGlobal_v2", 0, 0)      \
    X(minimax__cu_result, cuFuncSetAttribute, (minimax__cu_function fn, int attrib, int value), "cuFuncSetAttribute", 0,  \
      1)                                                                                                                  \
    X(minimax__cu_result, cuFuncGetAttribute, (int *value, int attrib, minimax__cu_function fn), "cuFuncGetAttribute", 0, \
      1)                                                                                                                  \
    X(minimax__cu_result, cuOccupancyMaxActiveBlocksPerMultiprocessor,                                                    \
      (int *blocks, minimax__cu_function fn, int block_size, size_t dynamic_smem),                                        \
      "cuOccupancyMaxActiveBlocksPerMultiprocessor", 0, 1)                                                                \
    X(minimax__cu_result, cuLaunchKernel,                                                                                 \
      (minimax__cu_function fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,      \
       unsigned int bz, unsigned int smem, minimax__cu_stream s, void **params, void **extra),                            \
      "cuLaunchKernel", 0, 1)                                                                                             \
    /* optional (CUDA 12.0+): launches with attributes (programmatic dependent launch) */                                \
    X(minimax__cu_result, cuLaunchKernelEx,                                                                               \
      (const minimax__cu_launch_config *config, minimax__cu_function fn, void **params, void **extra),                    \
      "cuLaunchKernelEx", 0, 0)                                                                                           \
    X(minimax__cu_result, cuStreamCreate, (minimax__cu_stream * s, unsigned int flags), "cuStreamCreate", 0, 1)           \
    X(minimax__cu_result, cuStreamCreateWithPriority, (minimax__cu_stream * s, unsigned int flags, int priority),         \
      "cuStreamCreateWithPriority", 0, 1)                                                                                 \
    X(minimax__cu_result, cuStreamDestroy, (minimax__cu_stream s), "cuStreamDestroy_v2", 0, 1)                            \
    X(minimax__cu_result, cuStreamSynchronize, (minimax__cu_stream s), "cuStreamSynchronize", 0, 1)                       \
    X(minimax__cu_result, cuStreamQuery, (minimax__cu_stream s), "cuStreamQuery", 0, 1)                                   \
    X(minimax__cu_result, cuStreamWaitEvent, (minimax__cu_stream s, minimax__cu_event e, unsigned int flags),             \
      "cuStreamWaitEvent", 0, 1)                                                                                          \
    X(minimax__cu_result, cuStreamBeginCapture, (minimax__cu_stream s, int mode), "cuStreamBeginCapture_v2", 0, 1)        \
    X(minimax__cu_result, cuStreamEndCapture, (minimax__cu_stream s, minimax__cu_graph * g), "cuStreamEndCapture", 0, 1)  \
    X(minimax__cu_result, cuThreadExchangeStreamCaptureMode, (int *mode), "cuThreadExchangeStreamCaptureMode", 0, 1)      \
    X(minimax__cu_result, cuGraphInstantiate,                                                                             \
      (minimax__cu_graph_exec * exec, minimax__cu_graph g, unsigned long long flags), "cuGraphInstantiateWithFlags", 0,   \
      1)                                                                                                                  \
    X(minimax__cu_result, cuGraphLaunch, (minimax__cu_graph_exec exec, minimax__cu_stream s), "cuGraphLaunch", 0, 1)      \
    X(minimax__cu_result, cuGraphExecDestroy, (minimax__cu_graph_exec exec), "cuGraphExecDestroy", 0, 1)                  \
    X(minimax__cu_result, cuGraphDestroy, (minimax__cu_graph g), "cuGraphDestroy", 0, 1)                                  \
    X(minimax__cu_result, cuEventCreate, (minimax__cu_event * e, unsigned int flags), "cuEventCreate", 0, 1)              \
    X(minimax__cu_result, cuEventRecord, (minimax__cu_event e, minimax__cu_stream s), "cuEventRecord", 0, 1)              \
    X(minimax__cu_result, cuEventQuery, (minimax__cu_event e), "cuEventQuery", 0, 1)                                      \
    X(minimax__cu_result, cuEventSynchronize, (minimax__cu_event e), "cuEventSynchronize", 0, 1)                          \
    X(minimax__cu_result, cuEventElapsedTime, (float *ms, minimax__cu_event start, minimax__cu_event end),                \
      "cuEventElapsedTime_v2", "cuEventElapsedTime", 1)                                                                   \
    X(minimax__cu_result, cuEventDestroy, (minimax__cu_event e), "cuEventDestroy_v2", 0, 1)                               \
    /* optional: TMA descriptors (CUDA 12.0+); tensor_map points at a 64-byte-aligned 128-byte CUtensorMap */             \
    X(minimax__cu_result, cuTensorMapEncodeTiled,                                                                         \
      (void *tensor_map, int dtype, unsigned int rank, void *global_address, const unsigned long long *global_dim,        \
       const unsigned long long *global_strides, const unsigned int *box_dim, const unsigned int *element_strides,        \
       int interleave, int swizzle, int l2_promotion, int oob_fill),                                                      \
      "cuTensorMapEncodeTiled", 0, 0)

#define MINIMAX__NVRTC_FUNCS(X)                                                                                           \
    X(minimax__nvrtc_result, nvrtcVersion, (int *major, int *minor), "nvrtcVersion", 0, 1)                                \
    X(const char *, nvrtcGetErrorString, (minimax__nvrtc_result r), "nvrtcGetErrorString", 0, 1)                          \
    X(minimax__nvrtc_result, nvrtcCreateProgram,                                                                          \
      (minimax__nvrtc_program * prog, const char *src, const char *name, int n_headers, const char *const *headers,       \
       const char *const *include_names),                                                                                 \
      "nvrtcCreateProgram", 0, 1)                                                                                         \
    X(minimax__nvrtc_result, nvrtcCompileProgram, (minimax__nvrtc_program prog, int n_opts, const char *const *opts),     \
      "nvrtcCompileProgram", 0, 1)                                                                                        \
    X(minimax__nvrtc_result, nvrtcGetProgramLogSize, (minimax__nvrtc_program prog, size_t *size),                         \
      "nvrtcGetProgramLogSize", 0, 1)                                                                                     \
    X(minimax__nvrtc_result, nvrtcGetProgramLog, (minimax__nvrtc_program prog, char *log), "nvrtcGetProgramLog", 0, 1)    \
    X(minimax__nvrtc_result, nvrtcGetCUBINSize, (minimax__nvrtc_program prog, size_t *size), "nvrtcGetCUBINSize", 0, 1)   \
    X(minimax__nvrtc_result, nvrtcGetCUBIN, (minimax__nvrtc_program prog, char *cubin), "nvrtcGetCUBIN", 0, 1)            \
    X(minimax__nvrtc_result, nvrtcGetPTXSize, (minimax__nvrtc_program prog, size_t *size), "nvrtcGetPTXSize", 0, 1)       \
    X(minimax__nvrtc_result, nvrtcGetPTX, (minimax__nvrtc_program prog, char *ptx), "nvrtcGetPTX", 0, 1)                  \
    X(minimax__nvrtc_result, nvrtcDestroyProgram, (minimax__nvrtc_program * prog), "nvrtcDestroyProgram", 0, 1)           \
    X(minimax__nvrtc_result, nvrtcGetNumSupportedArchs, (int *n), "nvrtcGetNumSupportedArchs", 0, 0)                      \
    X(minimax__nvrtc_result, nvrtcGetSupportedArchs, (int *archs), "nvrtcGetSupportedArchs", 0, 0)

#define MINIMAX__API_MEMBER(ret, name, params, sym, sym2, required) ret(*name) params;
typedef struct minimax__cuda_api {
    MINIMAX__CU_FUNCS(MINIMAX__API_MEMBER)
    MINIMAX__NVRTC_FUNCS(MINIMAX__API_MEMBER)
    void *libcuda, *libnvrtc;     /* dlopen handles (NULL until loaded) */
    int driver_version;           /* cuDriverGetVersion: 13000 = 13.0 */
    int nvrtc_major, nvrtc_minor; /* nvrtcVersion */
} minimax__cuda_api;
#undef MINIMAX__API_MEMBER

/* The process-wide table. Written once under pthread_once, read-only after. */
static minimax__cuda_api minimax__cu;

typedef struct minimax__cu_sym {
    const char *name, *fallback;
    size_t offset; /* of the member in minimax__cuda_api */
    int required;
} minimax__cu_sym;

#define MINIMAX__API_SYM(ret, name, params, sym, sym2, required) {sym, sym2, offsetof(minimax__cuda_api, name), required},
static const minimax__cu_sym minimax__cu_syms[] = {MINIMAX__CU_FUNCS(MINIMAX__API_SYM)};
static const minimax__cu_sym minimax__nvrtc_syms[] = {MINIMAX__NVRTC_FUNCS(MINIMAX__API_SYM)};
#undef MINIMAX__API_SYM

/* Fills the members listed in `syms` from `lib`. On a missing required
   symbol returns MINIMAX_ERR_NO_DEVICE naming it and `libname`. The void* from
   dlsym is copied into the function pointer with memcpy (POSIX guarantees the
   representations match; ISO C has no cast between them). */
MINIMAX__PRIV minimax_result minimax__resolve(minimax__cuda_api *api, void *lib, const char *libname,
                                              const minimax__cu_sym *syms, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        void *p = dlsym(lib, syms[i].name);
        if (!p && syms[i].fallback) p = dlsym(lib, syms[i].fallback);
        if (!p && syms[i].required)
            return minimax__fail(MINIMAX_ERR_NO_DEVICE, "%s has no symbol %s: the CUDA driver or NVRTC is too old",
                                 libname, syms[i].name);
        memcpy((char *)api + syms[i].offset, &p, sizeof p);
    }
    return MINIMAX_OK;
}

/* ---- one-time loading ---------------------------------------------------- */

/* Copies a C string into dst[cap], truncating. */
MINIMAX__PRIV void minimax__copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static pthread_once_t minimax__cuda_once = PTHREAD_ONCE_INIT;
static pthread_once_t minimax__nvrtc_once = PTHREAD_ONCE_INIT;
static minimax_result minimax__cuda_status = MINIMAX_ERR_NO_DEVICE;
static minimax_result minimax__nvrtc_status = MINIMAX_ERR_NO_DEVICE;
/* The message of a failed load, replayed to every later caller (the
   last-error text is per thread; the load happens once). */
static char minimax__cuda_msg[1024], minimax__nvrtc_msg[1024];

static void minimax__cuda_load(void) {
    minimax_result r;
    minimax__cu_result e;
    const char *name = "", *text = "";
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        minimax__cuda_status = minimax__fail(MINIMAX_ERR_NO_DEVICE,
                                             "no CUDA driver: cannot open libcuda.so.1 (%s); install the NVIDIA "
                                             "driver or run on a machine with an NVIDIA GPU",
                                             why ? why : "unknown dlopen error");
        minimax__copy_str(minimax__cuda_msg, sizeof minimax__cuda_msg, minimax_last_error());
        return;
    }
    r = minimax__resolve(&minimax__cu, lib, "libcuda.so.1", minimax__cu_syms,
                         sizeof minimax__cu_syms / sizeof minimax__cu_syms[0]);
    if (r == MINIMAX_OK) {
        e = minimax__cu.cuInit(0);
        if (e != MINIMAX__CUDA_SUCCESS) {
            if (minimax__cu.cuGetErrorName(e, &name) != MINIMAX__CUDA_SUCCESS || !name) name = "CUDA error";
            if (minimax__cu.cuGetErrorString(e, &text) != MINIMAX__CUDA_SUCCESS || !text) text = "";
            if (e == MINIMAX__CUDA_ERROR_STUB_LIBRARY)
                r = minimax__fail(MINIMAX_ERR_NO_DEVICE,
                                  "libcuda.so.1 is the CUDA toolkit's stub library, not a driver (cuInit returned "
                                  "CUDA_ERROR_STUB_LIBRARY); take the toolkit's stubs directory off the library path "
                                  "and install the NVIDIA driver");
            else
                r = minimax__fail(MINIMAX_ERR_NO_DEVICE, "the CUDA driver did not initialise: cuInit: %s (%d): %s", name,
                                  e, text);
        }
    }
    if (r == MINIMAX_OK && (e = minimax__cu.cuDriverGetVersion(&minimax__cu.driver_version)) != MINIMAX__CUDA_SUCCESS)
        r = minimax__fail(MINIMAX_ERR_NO_DEVICE, "cuDriverGetVersion failed with CUDA error %d", e);
    if (r != MINIMAX_OK) {
        /* The library stays open (the driver may have started threads), but the table is not trusted: callers only
           see the status. */
        minimax__copy_str(minimax__cuda_msg, sizeof minimax__cuda_msg, minimax_last_error());
        minimax__cuda_status = r;
        return;
    }
    minimax__cu.libcuda = lib;
    minimax__cuda_status = MINIMAX_OK;
}

static void minimax__nvrtc_load(void) {
    static const char *const names[2] = {"libnvrtc.so.13", "libnvrtc.so"};
    char why[2][400];
    void *lib = NULL;
    const char *libname = names[0];
    minimax_result r;
    int i;
    for (i = 0; i < 2 && !lib; i++) {
        const char *err;
        libname = names[i];
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        err = lib ? "" : dlerror();
        snprintf(why[i], sizeof why[i], "%s", err ? err : "unknown dlopen error");
    }
    if (!lib) {
        minimax__nvrtc_status = minimax__fail(MINIMAX_ERR_NO_DEVICE,
                                              "no NVRTC: cannot open libnvrtc.so.13 (%s) nor libnvrtc.so (%s); install "
                                              "the CUDA 13 NVRTC library (e.g. the cuda-nvrtc-13-0 package)",
                                              why[0], why[1]);
    } else {
        r = minimax__resolve(&minimax__cu, lib, libname, minimax__nvrtc_syms,
                             sizeof minimax__nvrtc_syms / sizeof minimax__nvrtc_syms[0]);
        if (r == MINIMAX_OK && minimax__cu.nvrtcVersion(&minimax__cu.nvrtc_major, &minimax__cu.nvrtc_minor) != 0)
            r = minimax__fail(MINIMAX_ERR_NO_DEVICE, "%s: nvrtcVersion failed", libname);
        if (r == MINIMAX_OK && minimax__cu.nvrtc_major < 13)
            r = minimax__fail(MINIMAX_ERR_NO_DEVICE,
                              "%s is NVRTC %d.%d; the kernels need NVRTC 13 or newer (sm_100f/sm_120f targets, "
                              "PTX ISA 9)",
                              libname, minimax__cu.nvrtc_major, minimax__cu.nvrtc_minor);
        if (r == MINIMAX_OK) minimax__cu.libnvrtc = lib;
        minimax__nvrtc_status = r;
    }
    if (minimax__nvrtc_status != MINIMAX_OK)
        minimax__copy_str(minimax__nvrtc_msg, sizeof minimax__nvrtc_msg, minimax_last_error());
}

/* Opens libcuda.so.1, fills the driver half of minimax__cu and calls
   cuInit(0). MINIMAX_ERR_NO_DEVICE with the reason (dlerror's text, the stub
   library, cuInit's error) when there is no usable driver. Note that a
   machine with a driver but no GPU fails here too (cuInit returns
   CUDA_ERROR_NO_DEVICE). Thread safety: any thread; the work happens once
   per process and later calls return the same result. */
MINIMAX__PRIV minimax_result minimax__cuda_init(void) {
    pthread_once(&minimax__cuda_once, minimax__cuda_load);
    if (minimax__cuda_status != MINIMAX_OK) return minimax__fail(minimax__cuda_status, "%s", minimax__cuda_msg);
    return MINIMAX_OK;
}

/* Opens NVRTC and fills the NVRTC half of minimax__cu. Needs no driver and
   no GPU. Thread safety: as minimax__cuda_init. */
MINIMAX__PRIV minimax_result minimax__nvrtc_init(void) {
    pthread_once(&minimax__nvrtc_once, minimax__nvrtc_load);
    if (minimax__nvrtc_status != MINIMAX_OK) return minimax__fail(minimax__nvrtc_status, "%s", minimax__nvrtc_msg);
    return MINIMAX_OK;
}

/* Driver errors after which the context is unusable: every later call in
   the process fails, so the model goes into its failed state. */
MINIMAX__PRIV int minimax__cu_is_sticky(minimax__cu_result r) {
    switch (r) {
    case 4:   /* CUDA_ERROR_DEINITIALIZED (driver shutting down) */
    case 214: /* CUDA_ERROR_ECC_UNCORRECTABLE */
    case 220: /* CUDA_ERROR_NVLINK_UNCORRECTABLE */
    case 226: /* CUDA_ERROR_CONTAINED */
    case 700: /* CUDA_ERROR_ILLEGAL_ADDRESS */
    case 702: /* CUDA_ERROR_LAUNCH_TIMEOUT */
    case 710: /* CUDA_ERROR_ASSERT */
    case 714: /* CUDA_ERROR_HARDWARE_STACK_ERROR */
    case 715: /* CUDA_ERROR_ILLEGAL_INSTRUCTION */
    case 716: /* CUDA_ERROR_MISALIGNED_ADDRESS */
    case 717: /* CUDA_ERROR_INVALID_ADDRESS_SPACE */
    case 718: /* CUDA_ERROR_INVALID_PC */
    case 719: /* CUDA_ERROR_LAUNCH_FAILED */
    case 721: /* CUDA_ERROR_TENSOR_MEMORY_LEAK */
    case 911: /* CUDA_ERROR_EXTERNAL_DEVICE */
    case 999: /* CUDA_ERROR_UNKNOWN */
        return 1;
    default:
        return 0;
    }
}

/* 0 -> MINIMAX_OK. Otherwise records "what: CUDA_ERROR_NAME (code): description"
   and returns MINIMAX_ERR_OUT_OF_MEMORY for CUDA_ERROR_OUT_OF_MEMORY, else
   MINIMAX_ERR_DEVICE. Usage: if ((r = minimax__cu_check(minimax__cu.cuMemAlloc(&p, n), "cuMemAlloc of
   the KV pool")) != MINIMAX_OK) return r; */
MINIMAX__PRIV minimax_result minimax__cu_check(minimax__cu_result r, const char *what) {
    const char *name = NULL, *text = NULL;
    if (r == MINIMAX__CUDA_SUCCESS) return MINIMAX_OK;
    if (minimax__cu.libcuda) {
        if (minimax__cu.cuGetErrorName(r, &name) != MINIMAX__CUDA_SUCCESS) name = NULL;
        if (minimax__cu.cuGetErrorString(r, &text) != MINIMAX__CUDA_SUCCESS) text = NULL;
    }
    return minimax__fail(r == MINIMAX__CUDA_ERROR_OUT_OF_MEMORY ? MINIMAX_ERR_OUT_OF_MEMORY : MINIMAX_ERR_DEVICE,
                         "%s: %s (%d): %s%s", what ? what : "CUDA call", name ? name : "CUDA error", r,
                         text ? text : "unknown error",
                         minimax__cu_is_sticky(r) ? " (the CUDA context is no longer usable)" : "");
}

/* ---- targets --------------------------------------------------------------
   Every target the kernels are compiled for, with the macros the kernel
   source selects its paths by: MINIMAX_ARCH_SM90/SM100/SM120 (the family)
   and MINIMAX_FP4_HW (1: the hardware E2M1 conversion cvt.rn.f16x2.e2m1x2,
   which PTX offers on the arch-specific sm_100a/103a/120a/121a targets and
   the sm_100f/120f families; 0: integer decode on Hopper). */
typedef struct minimax__jit_target {
    const char *arch;
    int cc_major, cc_minor; /* the device it runs on (family targets: the family's base) */
    const char *family_macro;
    int fp4_hw;
} minimax__jit_target;

/* One row per target: arch, device cc major/minor, family macro, fp4_hw. The
   table and the public name list are both made from it. */
#define MINIMAX__JIT_TARGETS(X)                        \
    X("sm_90a", 9, 0, "-DMINIMAX_ARCH_SM90=1", 0)      \
    X("sm_100a", 10, 0, "-DMINIMAX_ARCH_SM100=1", 1)   \
    X("sm_103a", 10, 3, "-DMINIMAX_ARCH_SM100=1", 1)   \
    X("sm_120a", 12, 0, "-DMINIMAX_ARCH_SM120=1", 1)   \
    X("sm_121a", 12, 1, "-DMINIMAX_ARCH_SM120=1", 1)   \
    X("sm_100f", 10, 0, "-DMINIMAX_ARCH_SM100=1", 1)   \
    X("sm_120f", 12, 0, "-DMINIMAX_ARCH_SM120=1", 1)
#define MINIMAX__JIT_ROW(arch, major, minor, macro, fp4) {arch, major, minor, macro, fp4},
#define MINIMAX__JIT_NAME(arch, major, minor, macro, fp4) arch,
static const minimax__jit_target minimax__jit_targets[] = {MINIMAX__JIT_TARGETS(MINIMAX__JIT_ROW)};
#define MINIMAX__N_JIT_TARGETS ((int)(sizeof minimax__jit_targets / sizeof minimax__jit_targets[0]))

MINIMAX_API const char *const *minimax_jit_supported_archs(int *n) {
    static const char *const names[] = {MINIMAX__JIT_TARGETS(MINIMAX__JIT_NAME)};
    if (n) *n = (int)(sizeof names / sizeof names[0]);
    return names;
}
#undef MINIMAX__JIT_ROW
#undef MINIMAX__JIT_NAME

MINIMAX__PRIV const minimax__jit_target *minimax__jit_target_find(const char *arch) {
    int i;
    for (i = 0; arch && i < MINIMAX__N_JIT_TARGETS; i++)
        if (strcmp(minimax__jit_targets[i].arch, arch) == 0) return &minimax__jit_targets[i];
    return NULL;
}

/* The arch-specific target for a device's compute capability (the exact one,
   so that wgmma/tcgen05/FP4 instructions are available), NULL when the
   kernels do not support that GPU. */
MINIMAX__PRIV const char *minimax__jit_arch_for(int cc_major, int cc_minor) {
    int i;
    for (i = 0; i < MINIMAX__N_JIT_TARGETS; i++) {
        const minimax__jit_target *t = &minimax__jit_targets[i];
        if (t->arch[strlen(t->arch) - 1] == 'a' && t->cc_major == cc_major && t->cc_minor == cc_minor) return t->arch;
    }
    return NULL;
}

/* Milliseconds from a monotonic clock where the compile mode offers one
   (clock_gettime needs POSIX feature macros, timespec_get needs C11); the
   C99 fallback is CPU time, close for the single-threaded NVRTC. */
MINIMAX__PRIV double minimax__now_ms(void) {
#if defined(CLOCK_MONOTONIC)
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
#elif defined(TIME_UTC)
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
#else
    return (double)clock() * 1e3 / CLOCKS_PER_SEC;
#endif
}

/* ---- cubin inspection -------------------------------------------------------
   A cubin is an ELF64 (little-endian, e_machine 190 = EM_CUDA). Kernels are
   the global STT_FUNC symbols flagged STO_CUDA_ENTRY (0x10 in st_other);
   device functions that were not inlined are functions too but lack the
   flag. Every offset is checked against `size`: a cache file may be damaged. */
#define MINIMAX__EM_CUDA 190

MINIMAX__PRIV uint64_t minimax__le(const unsigned char *p, int n) {
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Returns 1 and fills *kernels (entry points) and *e_flags (the arch bits)
   for a well-formed cubin, 0 otherwise. */
MINIMAX__PRIV int minimax__cubin_inspect(const void *cubin, size_t size, int *kernels, unsigned *e_flags) {
    const unsigned char *b = (const unsigned char *)cubin;
    uint64_t shoff, i, j;
    unsigned shentsize, shnum;
    int count = 0;
    if (size < 64 || memcmp(b, "\177ELF", 4) != 0 || b[4] != 2 || b[5] != 1) return 0;
    if (minimax__le(b + 18, 2) != MINIMAX__EM_CUDA) return 0;
    shoff = minimax__le(b + 40, 8);
    shentsize = (unsigned)minimax__le(b + 58, 2);
    shnum = (unsigned)minimax__le(b + 60, 2);
    if (shentsize < 64 || shoff > size || (uint64_t)shnum * shentsize > size - shoff) return 0;
    for (i = 0; i < shnum; i++) {
        const unsigned char *sh = b + shoff + i * shentsize;
        uint64_t off = minimax__le(sh + 24, 8), sz = minimax__le(sh + 32, 8), ent = minimax__le(sh + 56, 8);
        if (minimax__le(sh + 4, 4) != 2) continue; /* SHT_SYMTAB */
        if (ent < 24 || off > size || sz > size - off) return 0;
        for (j = 0; j + ent <= sz; j += ent) {
            const unsigned char *sym = b + off + j;
            unsigned info = sym[4], other = sym[5];
            if ((info & 15) == 2 && (info >> 4) == 1 && (other & 0x10)) count++;
        }
    }
    if (kernels) *kernels = count;
    if (e_flags) *e_flags = (unsigned)minimax__le(b + 48, 4);
    return 1;
}

/* ---- the cubin cache ----------------------------------------------------------
   One file per entry, DIR/<16 hex digits>.cubin, the digits being the FNV-1a
   64 hash of the entry's key. The file holds
       the key:     "minimax_nvfp4 cubin cache 1\n" "library 0.1.0\n" "nvrtc 13.0\n"
                    "arch sm_90a\n" one "option ...\n" line per NVRTC option,
                    "source N\n" and the N source bytes
       a trailer:   "\ncubin M HHHHHHHHHHHHHHHH\n" (M bytes, FNV-1a 64 of them)
       the cubin:   M bytes
   An entry is used only when its key equals the wanted key byte for byte (a
   hash collision costs a recompile, never a wrong cubin) and its size and
   cubin hash check out (a truncated or damaged file is recompiled and
   rewritten). */

/* Creates `path` and its parents like mkdir -p. Returns 1 when `path` is
   then a directory (writable or not: a read-only warmed cache still hits);
   else 0 with errno from the mkdir that failed (ENOTDIR when a file is in
   the way, ENAMETOOLONG beyond 4095 bytes). */
MINIMAX__PRIV int minimax__mkdir_p(const char *path) {
    char tmp[4096];
    size_t n = strlen(path), i;
    struct stat st;
    int err = 0;
    if (n == 0 || n >= sizeof tmp) {
        errno = n ? ENAMETOOLONG : ENOENT;
        return 0;
    }
    memcpy(tmp, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == 0) {
            char c = tmp[i];
            tmp[i] = 0;
            /* not fatal yet: a parent may exist and merely be unwritable (EACCES) */
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST && errno != EISDIR) err = errno;
            tmp[i] = c;
        }
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 1;
    errno = err ? err : ENOTDIR;
    return 0;
}

/* Picks the cache directory into out[cap] (see decl: argument, $MINIMAX_CACHE_DIR,
   $XDG_CACHE_HOME/minimax_nvfp4, ~/.cache/minimax_nvfp4) and creates it.
   Returns 0 when the cache is off or unusable. */
MINIMAX__PRIV int minimax__jit_cache_dir(const char *cache_dir, char *out, size_t cap) {
    const char *env;
    int n;
    if (cache_dir) {
        n = snprintf(out, cap, "%s", cache_dir);
    } else if ((env = getenv("MINIMAX_CACHE_DIR")) != NULL) {
        n = snprintf(out, cap, "%s", env);
    } else if ((env = getenv("XDG_CACHE_HOME")) != NULL && env[0] == '/') {
        n = snprintf(out, cap, "%s/minimax_nvfp4", env);
    } else if ((env = getenv("HOME")) != NULL && env[0]) {
        n = snprintf(out, cap, "%s/.cache/minimax_nvfp4", env);
    } else {
        n = 0;
    }
    if (n <= 0 || (size_t)n >= cap - 40) { /* room for "/<hash>.cubin.<tmp suffix>" */
        out[0] = 0;
        return 0;
    }
    if (!minimax__mkdir_p(out)) {
        out[0] = 0;
        return 0;
    }
    return 1;
}

/* Reads a cache entry. Returns 1 with a malloc'd cubin when the entry is valid
   for `key`, 0 otherwise (missing, other key, truncated, damaged). */
MINIMAX__PRIV int minimax__cache_read(const char *path, const char *key, size_t key_len, void **cubin, size_t *size) {
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long fsize;
    size_t got, m, hdr;
    unsigned long long hash;
    char trailer[64];
    const char *nl;
    int ok = 0, digits;
    if (!f) return 0;
    if (fseek(f, 0, SEEK_END) != 0 || (fsize = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) goto done;
    if ((size_t)fsize <= key_len || (size_t)fsize > key_len + ((size_t)1 << 30)) goto done;
    data = (unsigned char *)MINIMAX_MALLOC((size_t)fsize);
    if (!data) goto done;
    got = fread(data, 1, (size_t)fsize, f);
    if (got != (size_t)fsize || memcmp(data, key, key_len) != 0) goto done;
    /* trailer: "\ncubin M HASH\n" right after the key */
    m = (size_t)fsize - key_len;
    if (m > sizeof trailer - 1) m = sizeof trailer - 1;
    memcpy(trailer, data + key_len, m);
    trailer[m] = 0;
    /* parsed by hand: sscanf's %zu / %llx are undefined on out-of-range digits */
    if (strncmp(trailer, "\ncubin ", 7) != 0) goto done;
    nl = trailer + 7;
    for (m = 0; *nl >= '0' && *nl <= '9'; nl++) {
        if (m > ((size_t)-1 - 9) / 10) goto done;
        m = m * 10 + (size_t)(*nl - '0');
    }
    if (nl == trailer + 7 || *nl++ != ' ') goto done;
    for (hash = 0, digits = 0; digits < 16; digits++, nl++) {
        int x = *nl >= '0' && *nl <= '9' ? *nl - '0' : *nl >= 'a' && *nl <= 'f' ? *nl - 'a' + 10 : -1;
        if (x < 0) goto done;
        hash = hash << 4 | (unsigned)x;
    }
    if (*nl != '\n') goto done;
    hdr = key_len + (size_t)(nl - trailer) + 1;
    if (hdr + m != (size_t)fsize || m == 0) goto done;
    if (minimax__fnv1a(0, data + hdr, m) != (uint64_t)hash) goto done;
    *cubin = MINIMAX_MALLOC(m);
    if (!*cubin) goto done;
    memcpy(*cubin, data + hdr, m);
    *size = m;
    ok = 1;
done:
    MINIMAX_FREE(data);
    fclose(f);
    return ok;
}

/* Writes a cache entry through a temporary file in the same directory and
   rename(), so readers see the old entry, no entry or the whole new entry.
   Any failure leaves no file behind and is otherwise ignored. */
MINIMAX__PRIV void minimax__cache_write(const char *path, const char *key, size_t key_len, const void *cubin,
                                        size_t size) {
    char tmp[1100], trailer[64];
    FILE *f;
    int ok, n;
    /* the stack address tells concurrent threads of one process apart */
    n = snprintf(tmp, sizeof tmp, "%s.%ld.%lx.tmp", path, (long)getpid(), (unsigned long)(size_t)&f);
    if (n <= 0 || (size_t)n >= sizeof tmp) return;
    f = fopen(tmp, "wb");
    if (!f) return;
    snprintf(trailer, sizeof trailer, "\ncubin %zu %016llx\n", size, (unsigned long long)minimax__fnv1a(0, cubin, size));
    ok = fwrite(key, 1, key_len, f) == key_len;
    ok = ok && fwrite(trailer, 1, strlen(trailer), f) == strlen(trailer);
    ok = ok && fwrite(cubin, 1, size, f) == size;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) remove(tmp);
}

/* MINIMAX_ERR_INVALID_ARGUMENT naming the supported targets. */
MINIMAX__PRIV minimax_result minimax__jit_bad_arch(const char *arch) {
    int n, k;
    const char *const *names = minimax_jit_supported_archs(&n);
    minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "unknown JIT target '%s'; supported:", arch ? arch : "(null)");
    for (k = 0; k < n; k++) {
        minimax__fail_append(" ");
        minimax__fail_append(names[k]);
    }
    return MINIMAX_ERR_INVALID_ARGUMENT;
}

/* ---- JIT ---------------------------------------------------------------------
   NVRTC options: the exact target (--gpu-architecture=sm_90a: a cubin, no
   PTX left for the driver to JIT), -std=c++17, the family macro and
   MINIMAX_FP4_HW (unless an extra option sets MINIMAX_FP4_HW itself, which
   lets a test force the software FP4 path on Blackwell), then the extras.
   No --use_fast_math: it flushes denormals, and swaps division, sqrt, exp
   for approximations, so results would drift from the CPU reference the
   tests compare with; kernels call fast intrinsics (__expf, ...) explicitly
   where their error is acceptable. No -default-device either: helpers must
   say __device__, so that nvcc compiles the same file unchanged (cuobjdump,
   -Xptxas -v). */

typedef struct minimax__jit_result {
    void *cubin;
    size_t cubin_size; /* malloc'd; caller frees with MINIMAX_FREE */
    int cache_hit;
    double compile_ms; /* NVRTC wall time, or the cache read on a hit */
    char *log;         /* NVRTC log of a successful compile (warnings; malloc'd, may be NULL) */
    char cache_file[1024]; /* the entry read or written; "" when the cache is off or unusable */
} minimax__jit_result;

#define MINIMAX__JIT_MAX_OPTIONS 64

/* Compiles `source` (NUL-terminated, `source_size` bytes without the NUL)
   named `name` in messages, for `arch`; see minimax__jit_compile. */
MINIMAX__PRIV minimax_result minimax__jit_compile_source(const char *arch, const char *source, size_t source_size,
                                                         const char *name, const char *const *extra_options,
                                                         int n_extra, const char *cache_dir, minimax__jit_result *out) {
    const minimax__jit_target *t = minimax__jit_target_find(arch);
    const char *opts[MINIMAX__JIT_MAX_OPTIONS];
    char arch_opt[64], dir[960]; /* leaves room for "/<16 hex>.cubin" in cache_file */
    minimax__buf key;
    minimax__nvrtc_program prog = NULL;
    minimax__nvrtc_result nr;
    minimax_result r;
    int n_opts = 0, i, fp4_overridden = 0, use_cache;
    size_t log_size = 0;
    char *log = NULL;
    double t0 = minimax__now_ms();

    memset(out, 0, sizeof *out);
    memset(&key, 0, sizeof key);
    if (!t) return minimax__jit_bad_arch(arch);
    if (n_extra < 0 || n_extra > MINIMAX__JIT_MAX_OPTIONS - 4 || (n_extra > 0 && !extra_options))
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "JIT: %d extra options (at most %d)", n_extra,
                             MINIMAX__JIT_MAX_OPTIONS - 4);
    if ((r = minimax__nvrtc_init()) != MINIMAX_OK) return r;

    snprintf(arch_opt, sizeof arch_opt, "--gpu-architecture=%s", t->arch);
    opts[n_opts++] = arch_opt;
    opts[n_opts++] = "-std=c++17";
    opts[n_opts++] = t->family_macro;
    for (i = 0; i < n_extra; i++)
        if (extra_options[i] && strncmp(extra_options[i], "-DMINIMAX_FP4_HW", 16) == 0) fp4_overridden = 1;
    if (!fp4_overridden) opts[n_opts++] = t->fp4_hw ? "-DMINIMAX_FP4_HW=1" : "-DMINIMAX_FP4_HW=0";
    for (i = 0; i < n_extra; i++) {
        if (!extra_options[i]) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "JIT: extra option %d is NULL", i);
        opts[n_opts++] = extra_options[i];
    }

    /* the key (see the cache layout above) */
    if (!minimax__buf_printf(&key, "minimax_nvfp4 cubin cache 1\nlibrary %s\nnvrtc %d.%d\narch %s\n",
                             MINIMAX_VERSION_STRING, minimax__cu.nvrtc_major, minimax__cu.nvrtc_minor, t->arch))
        goto oom;
    for (i = 0; i < n_opts; i++)
        if (!minimax__buf_printf(&key, "option %s\n", opts[i])) goto oom;
    if (!minimax__buf_printf(&key, "source %zu\n", source_size) || !minimax__buf_add(&key, source, source_size))
        goto oom;

    use_cache = minimax__jit_cache_dir(cache_dir, dir, sizeof dir);
    if (use_cache) {
        snprintf(out->cache_file, sizeof out->cache_file, "%s/%016llx.cubin", dir,
                 (unsigned long long)minimax__fnv1a(0, key.data, key.len));
        if (minimax__cache_read(out->cache_file, key.data, key.len, &out->cubin, &out->cubin_size)) {
            out->cache_hit = 1;
            out->compile_ms = minimax__now_ms() - t0;
            minimax__buf_free(&key);
            return MINIMAX_OK;
        }
    }

    nr = minimax__cu.nvrtcCreateProgram(&prog, source, name, 0, NULL, NULL);
    if (nr != 0) {
        minimax__buf_free(&key);
        return minimax__fail(nr == 1 ? MINIMAX_ERR_OUT_OF_MEMORY : MINIMAX_ERR_JIT, "nvrtcCreateProgram(%s): %s", name,
                             minimax__cu.nvrtcGetErrorString(nr));
    }
    nr = minimax__cu.nvrtcCompileProgram(prog, n_opts, opts);
    if (minimax__cu.nvrtcGetProgramLogSize(prog, &log_size) == 0 && log_size > 1) {
        log = (char *)MINIMAX_MALLOC(log_size);
        if (log && minimax__cu.nvrtcGetProgramLog(prog, log) != 0) {
            MINIMAX_FREE(log);
            log = NULL;
        }
    }
    if (nr != 0) {
        minimax__fail(MINIMAX_ERR_JIT, "NVRTC %d.%d could not compile %s for %s: %s; options:", minimax__cu.nvrtc_major,
                      minimax__cu.nvrtc_minor, name, t->arch, minimax__cu.nvrtcGetErrorString(nr));
        for (i = 0; i < n_opts; i++) {
            minimax__fail_append(" ");
            minimax__fail_append(opts[i]);
        }
        minimax__fail_append("\n");
        minimax__fail_append(log ? log : "(no log)");
        MINIMAX_FREE(log);
        minimax__cu.nvrtcDestroyProgram(&prog);
        minimax__buf_free(&key);
        return MINIMAX_ERR_JIT;
    }
    nr = minimax__cu.nvrtcGetCUBINSize(prog, &out->cubin_size);
    if (nr == 0 && out->cubin_size > 0) {
        out->cubin = MINIMAX_MALLOC(out->cubin_size);
        if (!out->cubin) {
            MINIMAX_FREE(log);
            minimax__cu.nvrtcDestroyProgram(&prog);
            minimax__buf_free(&key);
            return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory for a %zu-byte cubin", out->cubin_size);
        }
        nr = minimax__cu.nvrtcGetCUBIN(prog, (char *)out->cubin);
    }
    minimax__cu.nvrtcDestroyProgram(&prog);
    if (nr != 0 || !out->cubin) {
        MINIMAX_FREE(log);
        MINIMAX_FREE(out->cubin);
        out->cubin = NULL;
        minimax__buf_free(&key);
        return minimax__fail(MINIMAX_ERR_JIT, "NVRTC compiled %s for %s but returned no cubin (%s)", name, t->arch,
                             nr ? minimax__cu.nvrtcGetErrorString(nr) : "empty");
    }
    out->log = log;
    out->compile_ms = minimax__now_ms() - t0;
    if (use_cache) minimax__cache_write(out->cache_file, key.data, key.len, out->cubin, out->cubin_size);
    minimax__buf_free(&key);
    return MINIMAX_OK;
oom:
    minimax__buf_free(&key);
    return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory building the JIT cache key");
}

/* Loads a cubin into the current context (cuModuleLoadDataEx) with the
   driver's error log captured: on failure the message holds the CUDA error,
   the driver's log and, for the errors an old driver gives on a new cubin,
   the driver and NVRTC versions. `what` names the module in the message.
   Thread safety: any thread with the right context current. */
MINIMAX__PRIV minimax_result minimax__cu_module_load(const void *cubin, const char *what, minimax__cu_module *mod) {
    char err_log[4096];
    int opts[3];
    void *vals[3];
    minimax__cu_result e;
    minimax_result r;
    *mod = NULL;
    if (!minimax__cu.libcuda) return minimax__fail(MINIMAX_ERR_NO_DEVICE, "%s: the CUDA driver is not loaded", what);
    err_log[0] = 0;
    opts[0] = 5; /* CU_JIT_ERROR_LOG_BUFFER */
    vals[0] = err_log;
    opts[1] = 6; /* CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES */
    vals[1] = (void *)(size_t)sizeof err_log;
    opts[2] = 12; /* CU_JIT_LOG_VERBOSE */
    vals[2] = (void *)(size_t)1;
    e = minimax__cu.cuModuleLoadDataEx(mod, cubin, 3, opts, vals);
    if (e == MINIMAX__CUDA_SUCCESS) return MINIMAX_OK;
    *mod = NULL;
    r = minimax__cu_check(e, what);
    if (e == 200 || e == 209 || e == 222) { /* INVALID_IMAGE, NO_BINARY_FOR_GPU, UNSUPPORTED_PTX_VERSION */
        char v[200];
        snprintf(v, sizeof v, " (driver supports CUDA %d.%d; the cubin comes from NVRTC %d.%d: update the driver)",
                 minimax__cu.driver_version / 1000, minimax__cu.driver_version % 1000 / 10, minimax__cu.nvrtc_major,
                 minimax__cu.nvrtc_minor);
        minimax__fail_append(v);
    }
    err_log[sizeof err_log - 1] = 0;
    if (err_log[0]) {
        minimax__fail_append("\ndriver log:\n");
        minimax__fail_append(err_log);
    }
    return r;
}

/* Reads a whole text file into a malloc'd NUL-terminated buffer (the
   checkpoint's reader, which also bounds the size). */
MINIMAX__PRIV minimax_result minimax__read_text_file(const char *path, char **text, size_t *size) {
    return minimax__read_small_file(path, text, size, NULL);
}

/* Compiles the kernels for `arch` with `extra_options` (n_extra of them),
   through the cache in cache_dir (NULL = default, "" = off). The source is
   the file named by $MINIMAX_KERNEL_SOURCE when set, else the embedded one.
   On success out->cubin (MINIMAX_FREE it, and out->log) is ready for
   cuModuleLoadDataEx. Errors: MINIMAX_ERR_NO_DEVICE (no NVRTC),
   MINIMAX_ERR_INVALID_ARGUMENT (unknown arch), MINIMAX_ERR_JIT (with the NVRTC
   log), MINIMAX_ERR_IO (MINIMAX_KERNEL_SOURCE unreadable),
   MINIMAX_ERR_UNSUPPORTED (built without embedded source and no variable).
   Thread safety: any thread. */
MINIMAX__PRIV minimax_result minimax__jit_compile(const char *arch, const char *const *extra_options, int n_extra,
                                                  const char *cache_dir, minimax__jit_result *out) {
    const char *path = getenv("MINIMAX_KERNEL_SOURCE");
    char *text = NULL;
    size_t size = 0;
    minimax_result r;
    if (!minimax__jit_target_find(arch)) {
        memset(out, 0, sizeof *out);
        return minimax__jit_bad_arch(arch);
    }
    if (path && path[0]) {
        if ((r = minimax__read_text_file(path, &text, &size)) != MINIMAX_OK) {
            memset(out, 0, sizeof *out);
            return r;
        }
        r = minimax__jit_compile_source(arch, text, size, path, extra_options, n_extra, cache_dir, out);
        MINIMAX_FREE(text);
        return r;
    }
#ifdef MINIMAX__HAVE_KERNEL_SOURCE
    return minimax__jit_compile_source(arch, (const char *)minimax__kernel_source, minimax__kernel_source_size,
                                       "minimax_nvfp4_kernels.cu", extra_options, n_extra, cache_dir, out);
#else
    (void)text;
    (void)size;
    memset(out, 0, sizeof *out);
    return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                         "this build has no kernel source (minimax_nvfp4_cuda.cu.h was missing when it was compiled); "
                         "set MINIMAX_KERNEL_SOURCE to a kernels .cu file");
#endif
}

MINIMAX_API minimax_result minimax_jit_precompile(const char *arch, const char *cache_dir, minimax_jit_info *info) {
    minimax__jit_result jr;
    minimax_result r;
    int kernels = 0;
    if (info) memset(info, 0, sizeof *info);
    if ((r = minimax__jit_compile(arch, NULL, 0, cache_dir, &jr)) != MINIMAX_OK) return r;
    if (!minimax__cubin_inspect(jr.cubin, jr.cubin_size, &kernels, NULL)) {
        MINIMAX_FREE(jr.cubin);
        MINIMAX_FREE(jr.log);
        return minimax__fail(MINIMAX_ERR_JIT, "NVRTC returned a cubin for %s that is not a CUDA ELF", arch);
    }
    if (info) {
        minimax__copy_str(info->arch, sizeof info->arch, arch);
        info->nvrtc_major = minimax__cu.nvrtc_major;
        info->nvrtc_minor = minimax__cu.nvrtc_minor;
        info->kernel_count = kernels;
        info->cubin_bytes = jr.cubin_size;
        info->compile_ms = jr.compile_ms;
        info->cache_hit = jr.cache_hit;
        minimax__copy_str(info->cache_file, sizeof info->cache_file, jr.cache_file);
    }
    MINIMAX_FREE(jr.cubin);
    MINIMAX_FREE(jr.log);
    return MINIMAX_OK;
}
