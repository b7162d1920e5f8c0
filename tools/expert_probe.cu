// expert_probe.cu — where the NVFP4 expert kernels' time goes (a measuring tool, not part of the library).
//
// Builds src/kernels.cu into one program with the CUDA runtime (nvcc) and times, at the real shapes
// (H 3072, I 1536, 256 experts, top-8, batch 1), over NL layers' worth of expert weights (15 GB):
//   - gate/up and down, fast and tensor-core kernels, launched as the engine launches them, each
//     call on another layer (the weights come from DRAM);
//   - the same with all 8 routed slots on one expert (its 9.4 MB stay in L2 after the first touch):
//     what the kernels cost when memory is not the limit;
//   - a read-only pass over the same bytes with the gate/up access pattern, and a flat one: what the
//     memory gives.
// If a kernel is barely faster from L2 than from DRAM, it is bound on the SM side (instruction issue,
// dependencies), not by memory: BENCHMARKS.md has the numbers this found.
//
//   make build/expert-probe && build/expert-probe        (needs nvcc and a GPU; not part of `all`)
#include "../src/kernels.cu"
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(x)                                                                                      \
    do {                                                                                           \
        cudaError_t e_ = (x);                                                                      \
        if (e_ != cudaSuccess) {                                                                   \
            printf("%s: %s\n", #x, cudaGetErrorString(e_));                                        \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

// read-only, the gate/up kernel's pattern: grid (I / 8, 8 slots), 4 warps x 2 rows of W1 and W3,
// all 12 16-byte loads of a lane at once, nothing computed
extern "C" __global__ void __launch_bounds__(128) probe_gu_read(const int *idx, const u8 *w1p, const u8 *w3p, int H,
                                                                int I, u32 *out) {
    int r = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int e = idx[r], i0 = blockIdx.x * 8 + warp * 2, NC = H >> 5;
    size_t row0 = (size_t)e * I + i0;
    const uint4 *p10 = (const uint4 *)(w1p + row0 * (H / 2)), *p11 = p10 + NC;
    const uint4 *p30 = (const uint4 *)(w3p + row0 * (H / 2)), *p31 = p30 + NC;
    uint4 q[3][4];
#pragma unroll
    for (int k = 0; k < 3; k++) {
        int c = lane + 32 * k;
        q[k][0] = ld_stream16(p10 + c);
        q[k][1] = ld_stream16(p11 + c);
        q[k][2] = ld_stream16(p30 + c);
        q[k][3] = ld_stream16(p31 + c);
    }
    u32 x = 0;
#pragma unroll
    for (int k = 0; k < 3; k++)
#pragma unroll
        for (int j = 0; j < 4; j++) x ^= q[k][j].x ^ q[k][j].y ^ q[k][j].z ^ q[k][j].w;
    if (x == 0x12345678u) out[0] = x; /* never: keeps the loads */
}

// read-only, flat: n 16-byte words, grid-stride, 4 loads in flight a thread
extern "C" __global__ void probe_flat(const uint4 *src, size_t n, u32 *out) {
    u32 x = 0;
    size_t stride = (size_t)gridDim.x * blockDim.x;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += 4 * stride) {
        uint4 a[4];
#pragma unroll
        for (int u = 0; u < 4; u++) a[u] = i + u * stride < n ? ld_stream16(src + i + u * stride) : make_uint4(0, 0, 0, 0);
#pragma unroll
        for (int u = 0; u < 4; u++) x ^= a[u].x ^ a[u].y ^ a[u].z ^ a[u].w;
    }
    if (x == 0x12345678u) out[0] = x;
}

int main() {
    const int H = 3072, I = 1536, E = 256, K = 8, NL = 6;
    const size_t mat = (size_t)E * I * H / 2, sc = mat / 8; /* one layer's codes, scales of one matrix */
    u8 *w1p, *w3p, *w2p, *w1s, *w3s, *w2s;
    CK(cudaMalloc(&w1p, mat * NL)); CK(cudaMalloc(&w3p, mat * NL)); CK(cudaMalloc(&w2p, mat * NL));
    CK(cudaMalloc(&w1s, sc * NL)); CK(cudaMalloc(&w3s, sc * NL)); CK(cudaMalloc(&w2s, sc * NL));
    /* timing does not depend on the values: fixed codes, E4M3 scales 0x38 (normal: the fast path) */
    CK(cudaMemset(w1p, 0x35, mat * NL)); CK(cudaMemset(w3p, 0x53, mat * NL)); CK(cudaMemset(w2p, 0x27, mat * NL));
    CK(cudaMemset(w1s, 0x38, sc * NL)); CK(cudaMemset(w3s, 0x38, sc * NL)); CK(cudaMemset(w2s, 0x38, sc * NL));
    float *ws, *hn, *act, *x, *xx, *wt;
    int *idx, *idx_one;
    u32 *out, *hp, *actp;
    std::vector<float> hws(E, 1e-3f), hh(H), hwt(K, 0.1f);
    std::vector<int> hidx(K), hone(K, 17);
    std::vector<u32> ph((size_t)K * I);
    for (int i = 0; i < H; i++) hh[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (int j = 0; j < K; j++) hidx[j] = (j * 37 + 11) % E; /* 8 distinct experts */
    for (size_t i = 0; i < ph.size(); i++) ph[i] = 0x3c003a00u ^ (u32)(i * 2654435761u & 0x03ff03ffu); /* f16 pairs */
    CK(cudaMalloc(&ws, E * 4)); CK(cudaMalloc(&hn, H * 4)); CK(cudaMalloc(&act, K * I * 4));
    CK(cudaMalloc(&x, H * 4)); CK(cudaMalloc(&xx, H * 4)); CK(cudaMalloc(&wt, K * 4));
    CK(cudaMalloc(&idx, K * 4)); CK(cudaMalloc(&idx_one, K * 4)); CK(cudaMalloc(&out, 64));
    CK(cudaMalloc(&hp, H * 4)); CK(cudaMalloc(&actp, K * I * 4));
    CK(cudaMemcpy(ws, hws.data(), E * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(hn, hh.data(), H * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(wt, hwt.data(), K * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(idx, hidx.data(), K * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(idx_one, hone.data(), K * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(hp, ph.data(), H * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(actp, ph.data(), (size_t)K * I * 4, cudaMemcpyHostToDevice));
    CK(cudaMemset(x, 0, H * 4)); CK(cudaMemset(xx, 0, H * 4)); CK(cudaMemset(act, 0, K * I * 4));
    CK(cudaFuncSetAttribute(k_moe_down_fast, cudaFuncAttributeMaxDynamicSharedMemorySize, 96 * 1024));
    CK(cudaFuncSetAttribute(k_moe_down_mma, cudaFuncAttributeMaxDynamicSharedMemorySize, 96 * 1024));
    int sms, dev;
    cudaDeviceProp prop;
    CK(cudaGetDevice(&dev));
    CK(cudaGetDeviceProperties(&prop, dev));
    CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    printf("%s, %d SMs; real shapes, batch 1; mean of 60 back-to-back calls after 5, each on another of %d layers\n",
           prop.name, sms, NL);
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    double gu_bytes = K * 2.0 * ((double)I * H / 2 + (double)I * H / 16), down_bytes = K * ((double)H * I / 2 + (double)H * I / 16);
    auto timeit = [&](const char *name, double bytes, auto fn) {
        for (int w = 0; w < 5; w++) fn(w % NL);
        CK(cudaEventRecord(e0));
        const int reps = 60;
        for (int i = 0; i < reps; i++) fn(i % NL);
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        CK(cudaGetLastError());
        float ms;
        CK(cudaEventElapsedTime(&ms, e0, e1));
        double us = ms * 1e3 / reps;
        printf("%-46s %8.2f us  %7.1f GB/s\n", name, us, bytes / (us * 1e-6) / 1e9);
    };
    /* launch geometry as impl_52_fast.h gives it (minimax__fast_moe, at T = 1) */
    auto gu = [&](int l, const int *ix) {
        k_moe_gate_up_fast<<<dim3(I / 8, K), 128, H * 4>>>(hn, ix, w1p + l * mat, w1s + l * sc, ws, w3p + l * mat,
                                                           w3s + l * sc, ws, act, H, I, K);
    };
    auto gu3 = [&](int l, const int *ix) {
        k_moe_gate_up_fast3<<<dim3(I / 8, K), 128, H * 4>>>(hn, ix, w1p + l * mat, w1s + l * sc, ws, w3p + l * mat,
                                                            w3s + l * sc, ws, act, H, I, K);
    };
    auto dn = [&](int l, const int *ix) {
        k_moe_down_fast<<<dim3(H / 8, 1), 128, K * I * 4>>>(act, ix, wt, w2p + l * mat, w2s + l * sc, ws, x, H, I, K);
    };
    auto gum = [&](int l, const int *ix) {
        k_moe_gate_up_mma<<<dim3(I / 8, K), 32 * MG_WARPS, H / 32 * PH_PAD * 4>>>(
            hp, ix, w1p + l * mat, w1s + l * sc, ws, w3p + l * mat, w3s + l * sc, ws, actp, H, I, K);
    };
    auto dnm = [&](int l, const int *ix) {
        k_moe_down_mma<<<dim3(H / 16, 1), 256, K * I / 32 * PH_PAD * 4>>>(actp, ix, wt, w2p + l * mat, w2s + l * sc, ws, xx,
                                                                         H, I, K);
    };
    timeit("gate/up (fast)", gu_bytes, [&](int l) { gu(l, idx); });
    timeit("gate/up (fast), one expert: from L2", gu_bytes, [&](int l) { gu(l, idx_one); });
    timeit("gate/up (fast3: the T > 1 instance)", gu_bytes, [&](int l) { gu3(l, idx); });
    timeit("gate/up (fast3), one expert: from L2", gu_bytes, [&](int l) { gu3(l, idx_one); });
    timeit("down (fast)", down_bytes, [&](int l) { dn(l, idx); });
    timeit("down (fast), one expert: from L2", down_bytes, [&](int l) { dn(l, idx_one); });
    timeit("gate/up (tensor cores)", gu_bytes, [&](int l) { gum(l, idx); });
    timeit("gate/up (tensor cores), one expert: from L2", gu_bytes, [&](int l) { gum(l, idx_one); });
    timeit("down (tensor cores)", down_bytes, [&](int l) { dnm(l, idx); });
    timeit("down (tensor cores), one expert: from L2", down_bytes, [&](int l) { dnm(l, idx_one); });
    timeit("read-only, gate/up pattern (codes only)", K * 2.0 * I * H / 2, [&](int l) {
        probe_gu_read<<<dim3(I / 8, K), 128>>>(idx, w1p + l * mat, w3p + l * mat, H, I, out);
    });
    timeit("read-only, flat, the same bytes", K * 2.0 * I * H / 2, [&](int l) {
        probe_flat<<<4 * sms, 256>>>((const uint4 *)(w1p + l * mat), (size_t)(K * 2.0 * I * H / 2 / 16), out);
    });
    CK(cudaDeviceSynchronize());
    return 0;
}
