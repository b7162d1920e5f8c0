/* Sample kernel source for tests/test_jit.c: a stand-in for src/kernels.cu
   with both FP4 decode paths, selected by the macros the JIT passes
   (MINIMAX_FP4_HW, MINIMAX_ARCH_SM90/SM100/SM120). Compiles with NVRTC and nvcc
   alike: no includes, only built-ins. Three kernels, one non-inlined device
   function (which must not count as a kernel). */

#ifndef MINIMAX_FP4_HW
#define MINIMAX_FP4_HW 0
#endif

/* 8 E2M1 codes in a 32-bit word (low nibble first) -> 4 half2 as u32. */
#if MINIMAX_FP4_HW
/* Blackwell: the hardware conversion, one cvt per byte. */
__device__ __forceinline__ void fp4x8_to_half2x4(unsigned w, unsigned h[4]) {
    asm("{\n"
        ".reg .b8 b0, b1, b2, b3;\n"
        "mov.b32 {b0, b1, b2, b3}, %4;\n"
        "cvt.rn.f16x2.e2m1x2 %0, b0;\n"
        "cvt.rn.f16x2.e2m1x2 %1, b1;\n"
        "cvt.rn.f16x2.e2m1x2 %2, b2;\n"
        "cvt.rn.f16x2.e2m1x2 %3, b3;\n"
        "}"
        : "=r"(h[0]), "=r"(h[1]), "=r"(h[2]), "=r"(h[3])
        : "r"(w));
}
#else
/* Hopper: integer decode. Magnitude code m (3 bits) -> fp16 bits
   (m << 9) + 0x3800 for m >= 2 (1, 1.5, 2, 3, 4, 6), 0x3800 (0.5) for m = 1,
   0 for m = 0; the sign moves from bit 3 to bit 15. */
__device__ __forceinline__ unsigned fp4_to_half_bits(unsigned c) {
    unsigned m = c & 7u;
    unsigned mag = m >= 2u ? (m << 9) + 0x3800u : (m == 1u ? 0x3800u : 0u);
    return mag | ((c & 8u) << 12);
}
__device__ __forceinline__ void fp4x8_to_half2x4(unsigned w, unsigned h[4]) {
    for (int i = 0; i < 4; i++) {
        unsigned b = (w >> (8 * i)) & 0xffu;
        h[i] = fp4_to_half_bits(b & 15u) | (fp4_to_half_bits(b >> 4) << 16);
    }
}
#endif

/* fp16 bits -> float without cuda_fp16.h (NVRTC has no CUDA headers here) */
__device__ __forceinline__ float half_bits_to_float(unsigned short b) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(b));
    return f;
}

/* out[8 * i + j] = e2m1(packed[i] nibble j) * scale[i / 2]   (16 values per scale) */
extern "C" __global__ void sample_fp4_dequant(const unsigned *packed, const float *scale, float *out, int n_words) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n_words) return;
    unsigned h[4];
    fp4x8_to_half2x4(packed[i], h);
    float s = scale[i / 2];
    for (int j = 0; j < 4; j++) {
        out[8 * i + 2 * j] = half_bits_to_float((unsigned short)(h[j] & 0xffffu)) * s;
        out[8 * i + 2 * j + 1] = half_bits_to_float((unsigned short)(h[j] >> 16)) * s;
    }
}

__device__ __noinline__ float sample_helper(float x, float y) { return x * y + 1.0f; }

/* y[i] = a * x[i] + y[i] */
extern "C" __global__ void sample_axpy(float a, const float *x, float *y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}

/* y[i] = x[i] * y[i] + 1 through a call that stays a call */
extern "C" __global__ void sample_call(const float *x, float *y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = sample_helper(x[i], y[i]);
}
