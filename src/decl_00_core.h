/* minimax_nvfp4.h — run MiniMax-M2.5 (ModelOpt NVFP4) on NVIDIA GPUs from C.

   WHAT IT IS
   A single-header-style C library (plus minimax_nvfp4_cuda.cu.h, the kernel
   source it hands to NVRTC at start-up). It loads the published ModelOpt
   NVFP4 checkpoint of MiniMax-M2.5 (62 MoE layers, 256 experts, top-8, BF16
   attention, FP4 experts with E4M3 block scales), compiles its kernels for
   the GPU it finds, and runs a load -> session -> prefill -> step loop.

   USING IT
   In exactly one C or C++ file:

       #define MINIMAX_IMPLEMENTATION
       #include "minimax_nvfp4.h"

   and include "minimax_nvfp4.h" without the define anywhere else. Keep
   minimax_nvfp4_cuda.cu.h next to it. Link with -ldl -lm -lpthread and
   nothing else: the CUDA driver (libcuda.so.1), NVRTC (libnvrtc.so.13) and,
   for more than one GPU, NCCL (libnccl.so.2) are opened with dlopen at run
   time, so a program that includes the library starts on a machine without
   a GPU and gets a clear error from the calls that need one.

   The header compiles as C99 and later, and as C++ (game engines include
   it from C++).

   ERRORS
   Every fallible call returns a minimax_result: 0 (MINIMAX_OK) on success,
   a negative code on failure. minimax_last_error() returns a message with
   the detail (which file, which tensor, which limit, the NVRTC log). The
   library never calls exit, abort or assert on anything a caller or a file
   can cause: a truncated shard, a wrong dtype, an out-of-memory all come
   back as result codes and the host keeps running.

   THREADS
   Each function states its thread-safety. The last-error message is kept
   per thread.

   SECTIONS OF THIS HEADER
   core (results, errors, version) - checkpoint (loading and validating a
   ModelOpt NVFP4 directory on the CPU, memory estimates) - model (GPU
   engine, sessions, sampling) - text (tokenizer) - chat (chat format, tool
   calls, reasoning). The implementation follows under
   MINIMAX_IMPLEMENTATION in bannered sections in the same order.

   This file is generated from src/ by `make header`; edit src/, not this.
*/
#include <stddef.h>
#include <stdint.h>

#define MINIMAX_VERSION_MAJOR 0
#define MINIMAX_VERSION_MINOR 1
#define MINIMAX_VERSION_PATCH 0
#define MINIMAX_VERSION_STRING "0.1.0"

#ifndef MINIMAX_API
#ifdef MINIMAX_STATIC
#define MINIMAX_API static
#else
#define MINIMAX_API extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes. 0 is success; every error is negative. */
typedef enum minimax_result {
    MINIMAX_OK = 0,
    MINIMAX_ERR_INVALID_ARGUMENT = -1, /* a caller passed something wrong */
    MINIMAX_ERR_IO = -2,               /* a file could not be opened, read or mapped */
    MINIMAX_ERR_FORMAT = -3,           /* a file is malformed: bad JSON, truncated shard, wrong dtype/shape */
    MINIMAX_ERR_UNSUPPORTED = -4,      /* valid but not supported (quantisation, layout, GPU) */
    MINIMAX_ERR_OUT_OF_MEMORY = -5,    /* host or device allocation failed, or a configuration does not fit */
    MINIMAX_ERR_NO_DEVICE = -6,        /* no CUDA driver, no NVRTC, or no usable GPU */
    MINIMAX_ERR_JIT = -7,              /* NVRTC or the driver rejected the kernels (log in the message) */
    MINIMAX_ERR_DEVICE = -8,           /* a CUDA call failed; sticky faults put the model in a failed state */
    MINIMAX_ERR_CANCELLED = -9,        /* a progress callback asked to stop */
    MINIMAX_ERR_CONTEXT_FULL = -10,    /* a session's tokens would exceed its context capacity */
    MINIMAX_ERR_FAILED_STATE = -11,    /* the model hit an unrecoverable device error earlier */
    MINIMAX_ERR_TEMPLATE = -12         /* the chat format rejects this conversation */
} minimax_result;

/* A short fixed name for a result code ("MINIMAX_ERR_FORMAT"). Never NULL.
   Thread safety: any thread. */
MINIMAX_API const char *minimax_result_name(minimax_result r);

/* The detailed message of the last failed call on this thread ("" if none).
   The string stays valid until the next library call on this thread.
   Thread safety: per thread. */
MINIMAX_API const char *minimax_last_error(void);

/* Library version, "MAJOR.MINOR.PATCH". Thread safety: any thread. */
MINIMAX_API const char *minimax_version(void);

#ifdef __cplusplus
}
#endif
