// l2_probe.cu — read bandwidth against working-set size (a measuring tool, not part of the library).
//
// Reads buffers of 2 MB to 4 GiB of random data many times over, with the loads of the library's read kernel
// (k_read_bw of src/kernels.cu: 16-byte ld.global.nc loads, 8 blocks of 256 threads an SM, as minimax-bench's
// "read bw" runs it), the passes inside one launch (k_read_passes below: at a few MB a launch a pass would
// measure the launches). A buffer that fits in L2 is read from L2 after the first pass, so the small sizes give
// what L2 delivers and the large ones what DRAM delivers. The question it answers: how much faster than DRAM is L2 on this card, i.e.
// what can an L2 prefetch of weights (asked for while DRAM would idle) gain at most.
//
//   make build/l2-probe && build/l2-probe        (needs nvcc and a GPU; not part of `all`)
#include "../src/kernels.cu"
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>

/* k_read_bw's loop, `passes` times over the same n 16-byte words */
__global__ void k_read_passes(const uint4 *src, u64 n, int passes, u32 *out) {
    u64 stride = (u64)gridDim.x * blockDim.x;
    u32 accx = 0;
    for (int p = 0; p < passes; p++) {
        u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x;
        for (; i + 3 * stride < n; i += 4 * stride) {
            uint4 v0 = ld_stream16(src + i), v1 = ld_stream16(src + i + stride);
            uint4 v2 = ld_stream16(src + i + 2 * stride), v3 = ld_stream16(src + i + 3 * stride);
            accx ^= v0.x ^ v0.y ^ v0.z ^ v0.w ^ v1.x ^ v1.y ^ v1.z ^ v1.w ^ v2.x ^ v2.y ^ v2.z ^ v2.w ^ v3.x ^ v3.y ^
                    v3.z ^ v3.w;
        }
        for (; i < n; i += stride) {
            uint4 v = ld_stream16(src + i);
            accx ^= v.x ^ v.y ^ v.z ^ v.w;
        }
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = accx; /* keeps the loads */
}

#define CK(x)                                                                                      \
    do {                                                                                           \
        cudaError_t e_ = (x);                                                                      \
        if (e_ != cudaSuccess) {                                                                   \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(e_));            \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main() {
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    const size_t max_bytes = (size_t)4 << 30;
    unsigned grid = (unsigned)prop.multiProcessorCount * 8;
    u8 *buf;
    u32 *out;
    CK(cudaMalloc(&buf, max_bytes));
    CK(cudaMalloc(&out, grid * 256 * sizeof(u32)));
    k_fill_random<<<grid, 256>>>((u32 *)buf, max_bytes / 4, 12345, 2, 0.0f, 0.0f); /* random bytes, never all zero */
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    printf("%s, %d SMs, L2 %.1f MB\n", prop.name, prop.multiProcessorCount, prop.l2CacheSize / 1048576.0);
    printf("%12s %10s %10s\n", "working set", "GB/s", "vs 4 GiB");
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    const size_t sizes_mb[] = {2, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 128, 1024, 4096};
    const int ns = (int)(sizeof sizes_mb / sizeof sizes_mb[0]);
    double gbps[ns];
    for (int k = ns - 1; k >= 0; k--) { /* the DRAM figure first: the others are given as its multiples */
        size_t bytes = sizes_mb[k] << 20;
        int passes = (int)std::max<size_t>(1, ((size_t)8 << 30) / bytes); /* >= 8 GiB read a round */
        std::vector<float> t;
        for (int round = 0; round < 7; round++) {
            k_read_passes<<<grid, 256>>>((const uint4 *)buf, bytes / 16, 1, out); /* brings a small set into L2 */
            CK(cudaEventRecord(e0));
            k_read_passes<<<grid, 256>>>((const uint4 *)buf, bytes / 16, passes, out);
            CK(cudaEventRecord(e1));
            CK(cudaEventSynchronize(e1));
            float ms;
            CK(cudaEventElapsedTime(&ms, e0, e1));
            t.push_back(ms);
        }
        std::sort(t.begin(), t.end());
        gbps[k] = (double)bytes * passes / (t[t.size() / 2] * 1e-3) / 1e9;
    }
    for (int k = 0; k < ns; k++)
        printf("%9zu MB %10.0f %9.2fx\n", sizes_mb[k], gbps[k], gbps[k] / gbps[ns - 1]);
    return 0;
}
