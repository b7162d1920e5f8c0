/* kernels.cu — every GPU kernel of minimax_nvfp4, in one source.

   The library embeds this file (tools/embed.sh -> minimax_nvfp4_cuda.cu.h) and
   compiles it with NVRTC at start-up for the GPU it finds; `nvcc -arch=sm_90a
   -cubin -Xptxas -v src/kernels.cu` compiles the same text offline (resource
   report, disassembly). It includes no header: NVRTC has none of the CUDA
   headers, so everything here uses built-ins only.

   Arch macros passed by the JIT: MINIMAX_ARCH_SM90 / _SM100 / _SM120 and
   MINIMAX_FP4_HW (1 on Blackwell: FP4 decoded by cvt.rn.f16x2.e2m1x2; 0 on
   Hopper: integer bit tricks).

   NUMBERS. Activations are fp32 everywhere (the residual stream, normed
   inputs, q/k/v, attention output, expert intermediates, logits); every dot
   product accumulates in fp32. Weights stay in the checkpoint's formats:
   BF16 for attention/embedding/lm_head, NVFP4 (E2M1 codes + E4M3 block
   scales + fp32 weight_scale_2) for experts. Norm weights, the router and its
   bias are converted to fp32 at load. The KV cache is BF16.

   THE FORWARD PASS runs over T "token slots". Slot t carries (token id,
   session row, position), read from device memory so that a captured CUDA
   graph can be replayed with new inputs:
     ids[t]   token id            pos[t]   absolute position in its session
     srow[t]  row of the block table (the session's slot in the pool)
   Prefill = T consecutive tokens of one session; a batched step = one token
   of each of T sessions. KV of every slot is appended BEFORE attention, and
   attention of slot t reads its session's cache up to pos[t] inclusive, so
   causality within a prefill chunk comes for free.

   PAGED KV CACHE: one pool of fixed-size blocks of `bs` tokens; a block holds
   for every layer (layer-major) K then V, each [nkv][bs][d] BF16:
     kv + (((size_t)layer * nblocks + block) * 2 + (0=K|1=V)) * nkv*bs*d
          + (kvh * bs + tok_in_block) * d + i
   block_table[srow * max_blocks + j] = pool block of the session's tokens
   [j*bs, (j+1)*bs).

   NVFP4 on SM90: an E2M1 nibble (s e1 e0 m) placed at bits 15 / 11..9 of an
   f16 is exactly the E2M1 value times 2^-14 (the E2M1 subnormal 0.5 lands on
   the f16 subnormal 2^-15); an E4M3 byte (s eeee mmm) placed at bits 15 /
   14..7 is exactly its value times 2^-8. Both conversions are exact, so the
   constant 2^22 is folded into the per-matrix fp32 scale (one multiply per
   output). The smallest products stay representable in f16 (2^-17) and are
   converted to fp32 before any arithmetic. */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#ifndef MINIMAX_FP4_HW
#define MINIMAX_FP4_HW 0
#endif

#if MINIMAX_FP4_HW
#define FP4_CORRECTION 256.0f /* E2M1 decoded exactly, E4M3 scale times 2^-8 */
#else
#define FP4_CORRECTION 4194304.0f /* 2^22: E2M1 times 2^-14, E4M3 times 2^-8 */
#endif

/* ---- small helpers -------------------------------------------------------- */

__device__ __forceinline__ float bf16f(u16 h) { return __uint_as_float((u32)h << 16); }

/* fp32 -> bf16, round to nearest even; NaN stays NaN (same as the host codec). */
__device__ __forceinline__ u16 f2bf16(float f) {
    u32 u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u16)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (u16)(u >> 16);
}

__device__ __forceinline__ float f16f(u16 h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

/* Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread
   gets the result. `red` is 32 floats of shared memory. */
__device__ float block_sum(float v, float *red) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) red[w] = v;
    __syncthreads();
    v = lane < nw ? red[lane] : 0.0f;
    v = warp_sum(v);
    return v;
}

__device__ float block_max(float v, float *red) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) red[w] = v;
    __syncthreads();
    v = lane < nw ? red[lane] : -__int_as_float(0x7f800000);
    v = warp_max(v);
    return v;
}

/* E4M3 block scale -> fp32, times 2^-8 (see the file comment). */
__device__ __forceinline__ float e4m3_scaled(u32 s) {
    return f16f((u16)(((s & 0x80u) << 8) | ((s & 0x7fu) << 7)));
}

/* Two E2M1 codes of one byte (low nibble = even element) -> f16x2 bits, low
   half = even element. Values are exact (HW) or times 2^-14 (integer path). */
__device__ __forceinline__ u32 e2m1x2_to_f16x2(u32 b) {
#if MINIMAX_FP4_HW
    u32 out;
    asm("{\n\t.reg .b8 lo;\n\tcvt.u8.u32 lo, %1;\n\tcvt.rn.f16x2.e2m1x2 %0, lo;\n\t}" : "=r"(out) : "r"(b));
    return out;
#else
    return ((b & 0x7u) << 9) | ((b & 0x8u) << 12) | ((b & 0x70u) << 21) | ((b & 0x80u) << 24);
#endif
}

/* Dot product of one 16-element NVFP4 block (8 packed bytes) with 16 fp32
   activations (16-byte aligned). Result is in the scaled domain (see above). */
__device__ __forceinline__ float fp4_block_dot(uint2 q, const float *x) {
    const float4 *x4 = (const float4 *)x;
    float4 a = x4[0], b = x4[1], c = x4[2], d = x4[3];
    float xs[16] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w, c.x, c.y, c.z, c.w, d.x, d.y, d.z, d.w};
    float acc = 0.0f;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        u32 word = i < 4 ? q.x : q.y;
        u32 h2 = e2m1x2_to_f16x2((word >> (8 * (i & 3))) & 0xffu);
        acc = fmaf(f16f((u16)(h2 & 0xffffu)), xs[2 * i], acc);
        acc = fmaf(f16f((u16)(h2 >> 16)), xs[2 * i + 1], acc);
    }
    return acc;
}

/* Dot product of NVFP4 row `row` of a [rows, K] matrix with x[K], by one warp.
   packed: [rows, K/2] bytes; scales: [rows, K/16] E4M3. Each lane takes whole
   16-element blocks (an 8-byte load + its scale byte), so any K % 16 == 0
   works. Returns the fp32 dot times weight_scale_2 (applied by the caller)
   divided by nothing: the caller multiplies by ws2 * FP4_CORRECTION. */
__device__ __forceinline__ float fp4_row_dot(const u8 *packed, const u8 *scales, long long row, int K, const float *x,
                                             int lane) {
    const uint2 *p = (const uint2 *)(packed + row * (K / 2));
    const u8 *s = scales + row * (K / 16);
    int nb = K / 16;
    float acc = 0.0f;
    for (int b = lane; b < nb; b += 32) acc = fmaf(e4m3_scaled(s[b]), fp4_block_dot(p[b], x + b * 16), acc);
    return warp_sum(acc);
}

/* ---- stage 0: embedding ---------------------------------------------------
   x[t, :] = embed[ids[t], :]           embed BF16 [V, H]; x fp32 [T, H]
   grid (T), block 256. */
extern "C" __global__ void k_embed(const int *ids, const u16 *embed, float *x, int H) {
    int t = blockIdx.x;
    const u16 *row = embed + (size_t)ids[t] * H;
    for (int i = threadIdx.x; i < H; i += blockDim.x) x[(size_t)t * H + i] = bf16f(row[i]);
}

/* ---- RMSNorm ----------------------------------------------------------------
   out[r, :] = w * x[src, :] * rsqrt(mean(x[src,:]^2) + eps), src = rows ? rows[r] : r
   x, out fp32 [*, H]; w fp32 [H]. grid (R), block 256. */
extern "C" __global__ void k_rmsnorm(const float *x, const int *rows, const float *w, float *out, int H, float eps) {
    __shared__ float red[32];
    int r = blockIdx.x;
    int src = rows ? rows[r] : r;
    const float *xr = x + (size_t)src * H;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < H; i += blockDim.x) ss = fmaf(xr[i], xr[i], ss);
    ss = block_sum(ss, red);
    float inv = rsqrtf(ss / (float)H + eps);
    for (int i = threadIdx.x; i < H; i += blockDim.x) out[(size_t)r * H + i] = w[i] * (xr[i] * inv);
}

/* ---- matrix product with BF16 or fp32 weights -------------------------------
   Y[t, n] (+)= sum_k X[t, k] * W[n, k]
   X fp32 [T, K] row-major; W [N, K] (PyTorch Linear [out, in]) BF16 (k_mm_bf16:
   projections, lm_head, a BF16 router) or fp32 (k_mm_f32: an F32 router);
   Y fp32 [T, N]. accumulate = 1 adds into Y (residual connections).
   grid (ceil(N/8), ceil(T/MM_TT)), block 256: warp w owns output row
   n = blockIdx.x*8 + w for MM_TT tokens; each lane streams 16-byte chunks of
   the weight row (8 BF16, or 2 x 4 fp32), coalesced across the warp, and
   reuses every chunk for MM_TT tokens. Needs K % 8 == 0 (checked at load). */
#define MM_TT 8
__device__ __forceinline__ void mm_load8(const u16 *W, size_t off, float *wf) {
    uint4 wv = *(const uint4 *)(W + off);
    wf[0] = __uint_as_float(wv.x << 16); wf[1] = __uint_as_float(wv.x & 0xffff0000u);
    wf[2] = __uint_as_float(wv.y << 16); wf[3] = __uint_as_float(wv.y & 0xffff0000u);
    wf[4] = __uint_as_float(wv.z << 16); wf[5] = __uint_as_float(wv.z & 0xffff0000u);
    wf[6] = __uint_as_float(wv.w << 16); wf[7] = __uint_as_float(wv.w & 0xffff0000u);
}
__device__ __forceinline__ void mm_load8(const float *W, size_t off, float *wf) {
    float4 a = *(const float4 *)(W + off), b = *(const float4 *)(W + off + 4);
    wf[0] = a.x; wf[1] = a.y; wf[2] = a.z; wf[3] = a.w; wf[4] = b.x; wf[5] = b.y; wf[6] = b.z; wf[7] = b.w;
}
template <typename WT>
__device__ __forceinline__ void mm_body(const float *X, const WT *W, float *Y, int T, int N, int K, int accumulate) {
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int n = blockIdx.x * 8 + warp;
    int t0 = blockIdx.y * MM_TT;
    if (n >= N) return;
    float acc[MM_TT];
#pragma unroll
    for (int j = 0; j < MM_TT; j++) acc[j] = 0.0f;
    int nt = T - t0 < MM_TT ? T - t0 : MM_TT;
    for (int c = lane; c < K / 8; c += 32) {
        float wf[8];
        mm_load8(W, (size_t)n * K + (size_t)c * 8, wf);
#pragma unroll
        for (int j = 0; j < MM_TT; j++) {
            if (j < nt) {
                const float4 *xp = (const float4 *)(X + (size_t)(t0 + j) * K + c * 8);
                float4 a = xp[0], b = xp[1];
                float s = acc[j];
                s = fmaf(wf[0], a.x, s);
                s = fmaf(wf[1], a.y, s);
                s = fmaf(wf[2], a.z, s);
                s = fmaf(wf[3], a.w, s);
                s = fmaf(wf[4], b.x, s);
                s = fmaf(wf[5], b.y, s);
                s = fmaf(wf[6], b.z, s);
                s = fmaf(wf[7], b.w, s);
                acc[j] = s;
            }
        }
    }
#pragma unroll
    for (int j = 0; j < MM_TT; j++) {
        float s = warp_sum(acc[j]);
        if (lane == 0 && j < nt) {
            float *y = Y + (size_t)(t0 + j) * N + n;
            *y = accumulate ? *y + s : s;
        }
    }
}
extern "C" __global__ void k_mm_bf16(const float *X, const u16 *W, float *Y, int T, int N, int K, int accumulate) {
    mm_body<u16>(X, W, Y, T, N, K, accumulate);
}
extern "C" __global__ void k_mm_f32(const float *X, const float *W, float *Y, int T, int N, int K, int accumulate) {
    mm_body<float>(X, W, Y, T, N, K, accumulate);
}

/* ---- QK-norm + partial NeoX RoPE + KV append ----------------------------------
   qkv fp32 [T, (nh + 2*nkv) * d]: q | k | v of each token (one fused projection).
   q <- RoPE(q_norm_w * q * rsqrt(mean(q^2) + eps))   ONE RMS over all nh*d values
   k <- RoPE(k_norm_w * k * rsqrt(mean(k^2) + eps))   ONE RMS over all nkv*d values
   RoPE on dims [0, rd) of every head, pairs (i, i + rd/2), angle
   pos * theta^(-2i/rd) (fp32, as the reference builds its tables).
   q goes to qout fp32 [T, nh*d] (NOT in place: other blocks of the token
   still read the raw q for their sum of squares); k and v go to the paged
   cache as BF16. qkv is only read.
   grid (nh + nkv, T), block 128: block (h, t) handles query head h (h < nh)
   or KV head h - nh (its K and V); each block recomputes the sum of squares
   over the whole q (or k) width of its token (a few KB from L2) so that no
   block waits for another. */
extern "C" __global__ void k_qk_norm_rope_kv(const float *qkv, float *qout, const float *q_norm_w, const float *k_norm_w, const int *pos,
                                             const int *srow, const int *block_table, u16 *kv, int layer, int nblocks,
                                             int max_blocks, int bs, int nh, int nkv, int d, int rd, float theta,
                                             float eps) {
    __shared__ float red[32];
    int hh = blockIdx.x, t = blockIdx.y;
    int qn = nh * d, kn = nkv * d;
    int isk = hh >= nh;
    int h = isk ? hh - nh : hh;
    const float *row = qkv + (size_t)t * (qn + 2 * kn);
    const float *vec = isk ? row + qn : row; /* the whole q or k of the token */
    int width = isk ? kn : qn;
    const float *w = isk ? k_norm_w : q_norm_w;
    int p = pos[t];
    float ss = 0.0f;
    for (int i = threadIdx.x; i < width; i += blockDim.x) ss = fmaf(vec[i], vec[i], ss);
    ss = block_sum(ss, red);
    float inv = rsqrtf(ss / (float)width + eps);
    const float *x = vec + h * d;
    float *xo = qout + (size_t)t * qn + h * d;
    const float *wh = w + h * d;
    int half = rd / 2;
    u16 *kc = 0, *vc = 0;
    if (isk) {
        int blk = block_table[srow[t] * max_blocks + p / bs];
        size_t kvhs = (size_t)nkv * bs * d;
        kc = kv + (((size_t)layer * nblocks + blk) * 2 + 0) * kvhs + ((size_t)h * bs + p % bs) * d;
        vc = kc + kvhs;
    }
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float a, b = 0.0f;
        if (i < half) {
            float fa = wh[i] * (x[i] * inv), fb = wh[i + half] * (x[i + half] * inv);
            float inv_freq = 1.0f / powf(theta, (float)(2 * i) / (float)rd);
            float sn, cs;
            sincosf((float)p * inv_freq, &sn, &cs);
            a = fa * cs - fb * sn;
            b = fb * cs + fa * sn;
        } else if (i < rd) {
            continue;
        } else {
            a = wh[i] * (x[i] * inv);
        }
        if (isk) {
            kc[i] = f2bf16(a);
            if (i < half) kc[i + half] = f2bf16(b);
        } else {
            xo[i] = a;
            if (i < half) xo[i + half] = b;
        }
    }
    if (isk)
        for (int i = threadIdx.x; i < d; i += blockDim.x) vc[i] = f2bf16(row[qn + kn + h * d + i]);
}

/* ---- attention over the paged cache ------------------------------------------
   out[t, h*d + i] = sum_j softmax_j(q_h . k_j / sqrt(d)) v_j[i],  j = 0..pos[t]
   of the session in block-table row srow[t]; query head h uses KV head h / (nh/nkv).
   qr fp32 [T, nh*d] (q normed and rotated by k_qk_norm_rope_kv); out fp32 [T, nh*d].
   grid (nh, T), block 128 = 4 warps: warp w takes keys j = w, w+4, ... with an
   online softmax in fp32; the 4 partial results are merged in shared memory.
   Lane l holds dims l, l+32, ... below d (any d <= 256). No split-KV yet. */
#define ATT_WARPS 4
#define ATT_MAXD 256
extern "C" __global__ void k_attention(const float *qr_in, float *out, const int *pos, const int *srow,
                                       const int *block_table, const u16 *kv, int layer, int nblocks, int max_blocks,
                                       int bs, int nh, int nkv, int d) {
    __shared__ float sm_m[ATT_WARPS], sm_l[ATT_WARPS];
    __shared__ float sm_acc[ATT_WARPS][ATT_MAXD];
    int h = blockIdx.x, t = blockIdx.y;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int qn = nh * d;
    int kvh = h / (nh / nkv);
    int nd = (d + 31) / 32;
    const float *q = qr_in + (size_t)t * qn + h * d;
    float qr[ATT_MAXD / 32], acc[ATT_MAXD / 32];
    float scale = rsqrtf((float)d);
#pragma unroll
    for (int r = 0; r < ATT_MAXD / 32; r++) {
        qr[r] = r < nd && lane + 32 * r < d ? q[lane + 32 * r] * scale : 0.0f;
        acc[r] = 0.0f;
    }
    int p = pos[t];
    const int *bt = block_table + srow[t] * max_blocks;
    size_t kvhs = (size_t)nkv * bs * d;
    float m = -__int_as_float(0x7f800000), l = 0.0f;
    for (int j = warp; j <= p; j += ATT_WARPS) {
        int blk = bt[j / bs];
        const u16 *kc = kv + (((size_t)layer * nblocks + blk) * 2) * kvhs + ((size_t)kvh * bs + j % bs) * d;
        const u16 *vc = kc + kvhs;
        float s = 0.0f;
#pragma unroll
        for (int r = 0; r < ATT_MAXD / 32; r++)
            if (r < nd && lane + 32 * r < d) s = fmaf(qr[r], bf16f(kc[lane + 32 * r]), s);
        s = warp_sum(s);
        float mn = fmaxf(m, s);
        float corr = __expf(m - mn), pj = __expf(s - mn);
        l = l * corr + pj;
#pragma unroll
        for (int r = 0; r < ATT_MAXD / 32; r++)
            if (r < nd && lane + 32 * r < d) acc[r] = acc[r] * corr + pj * bf16f(vc[lane + 32 * r]);
        m = mn;
    }
    if (lane == 0) {
        sm_m[warp] = m;
        sm_l[warp] = l;
    }
#pragma unroll
    for (int r = 0; r < ATT_MAXD / 32; r++)
        if (r < nd && lane + 32 * r < d) sm_acc[warp][lane + 32 * r] = acc[r];
    __syncthreads();
    float M = sm_m[0];
    for (int w = 1; w < ATT_WARPS; w++) M = fmaxf(M, sm_m[w]);
    float L = 0.0f;
    for (int w = 0; w < ATT_WARPS; w++) L += sm_l[w] * (sm_l[w] > 0.0f ? __expf(sm_m[w] - M) : 0.0f);
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float o = 0.0f;
        for (int w = 0; w < ATT_WARPS; w++)
            if (sm_l[w] > 0.0f) o += sm_acc[w][i] * __expf(sm_m[w] - M);
        out[(size_t)t * qn + h * d + i] = o / L;
    }
}

/* ---- router ---------------------------------------------------------------------
   logits fp32 [T, E] = h . router^T (k_mm_bf16 / k_mm_f32: fp32 accumulation)
   s = sigmoid(logits); choice = s + bias; top-k of choice (ties: lower expert id);
   weight_j = s[idx_j] / sum_j s[idx_j] * routed_scale.
   bias fp32 [E]; idx int [T, topk]; wt fp32 [T, topk].
   grid (T), block 256, E <= 1024. */
#define ROUTER_MAXE 1024
extern "C" __global__ void k_router(const float *logits, const float *bias, int *idx, float *wt, int E, int topk,
                                    float routed_scale) {
    __shared__ float sc[ROUTER_MAXE], ch[ROUTER_MAXE];
    __shared__ float bv[32];
    __shared__ int bi[32];
    __shared__ int chosen[32];
    int t = blockIdx.x;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nw = blockDim.x >> 5;
    for (int e = threadIdx.x; e < E; e += blockDim.x) {
        float sg = 1.0f / (1.0f + expf(-logits[(size_t)t * E + e]));
        sc[e] = sg;
        ch[e] = sg + bias[e];
    }
    __syncthreads();
    for (int j = 0; j < topk; j++) {
        /* block argmax over ch, ties to the lower id */
        float best = -__int_as_float(0x7f800000);
        int besti = 0x7fffffff;
        for (int e = threadIdx.x; e < E; e += blockDim.x)
            if (ch[e] > best || (ch[e] == best && e < besti)) {
                best = ch[e];
                besti = e;
            }
        for (int o = 16; o > 0; o >>= 1) {
            float ob = __shfl_xor_sync(0xffffffffu, best, o);
            int oi = __shfl_xor_sync(0xffffffffu, besti, o);
            if (ob > best || (ob == best && oi < besti)) {
                best = ob;
                besti = oi;
            }
        }
        if (lane == 0) {
            bv[warp] = best;
            bi[warp] = besti;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            float b = bv[0];
            int i = bi[0];
            for (int w = 1; w < nw; w++)
                if (bv[w] > b || (bv[w] == b && bi[w] < i)) {
                    b = bv[w];
                    i = bi[w];
                }
            chosen[j] = i;
            ch[i] = -__int_as_float(0x7f800000);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        float sum = 0.0f;
        for (int j = 0; j < topk; j++) sum += sc[chosen[j]];
        for (int j = 0; j < topk; j++) {
            idx[t * topk + j] = chosen[j];
            wt[t * topk + j] = sc[chosen[j]] / sum * routed_scale;
        }
    }
}

/* ---- experts: gate/up ---------------------------------------------------------------
   For routed slot r = t*topk + j (expert e = idx[r]) and row i of I:
     act[r, i] = silu(ws2_1[e] * W1[e][i] . h[t]) * (ws2_3[e] * W3[e][i] . h[t])
   W1, W3 NVFP4 per expert, ModelOpt layout as stored (no repacking needed:
   rows are contiguous, 8-byte loads per 16-element block with its scale):
     w1p, w3p [E][I][H/2] bytes; w1s, w3s [E][I][H/16] E4M3; ws2_1, ws2_3 fp32 [E].
   h fp32 [T, H]; act fp32 [T*topk, I].
   grid (ceil(I/8), T*topk), block 256: one warp per row. */
extern "C" __global__ void k_expert_gate_up(const float *hn, const int *idx, const u8 *w1p, const u8 *w1s,
                                            const float *ws2_1, const u8 *w3p, const u8 *w3s, const float *ws2_3,
                                            float *act, int H, int I, int topk) {
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int i = blockIdx.x * 8 + warp;
    int r = blockIdx.y;
    if (i >= I) return;
    int e = idx[r];
    const float *x = hn + (size_t)(r / topk) * H;
    long long row = (long long)e * I + i;
    float g = fp4_row_dot(w1p, w1s, row, H, x, lane) * (ws2_1[e] * FP4_CORRECTION);
    float u = fp4_row_dot(w3p, w3s, row, H, x, lane) * (ws2_3[e] * FP4_CORRECTION);
    if (lane == 0) act[(size_t)r * I + i] = g / (1.0f + expf(-g)) * u;
}

/* ---- experts: down + weighted sum + residual -------------------------------------------
   x[t, n] += sum_j wt[t, j] * ws2_2[e_j] * W2[e_j][n] . act[t*topk + j]
   w2p [E][H][I/2]; w2s [E][H][I/16]; x fp32 [T, H].
   grid (ceil(H/8), T), block 256: one warp per output row; each (t, n) has
   exactly one writer, so the residual add needs no atomics. */
extern "C" __global__ void k_expert_down(const float *act, const int *idx, const float *wt, const u8 *w2p,
                                         const u8 *w2s, const float *ws2_2, float *x, int H, int I, int topk) {
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int n = blockIdx.x * 8 + warp;
    int t = blockIdx.y;
    if (n >= H) return;
    float y = 0.0f;
    for (int j = 0; j < topk; j++) {
        int r = t * topk + j;
        int e = idx[r];
        float s = fp4_row_dot(w2p, w2s, (long long)e * H + n, I, act + (size_t)r * I, lane);
        y = fmaf(wt[r] * ws2_2[e] * FP4_CORRECTION, s, y);
    }
    if (lane == 0) x[(size_t)t * H + n] += y;
}

/* ---- sampling ---------------------------------------------------------------------------
   One block (1024 threads) per output row. Counter-based randomness: the
   uniform u in [0, 1) is a pure function of (seed, session id, position)
   (minimax_rng_key, identical on the host), so the token does not depend on
   the batch, on graph or eager execution, or on the GPU count.
   Only ids < valid are candidates (vocabulary padding rows never win).
     temperature <= 0: greedy argmax (ties: lower id).
     else p_i = exp((l_i - max) / temperature) over the candidates kept by
       top_k (> 0: keys >= the k-th largest; equal values at the boundary are all kept),
       min_p (> 0: p_i >= min_p, i.e. relative to the most likely token),
       top_p (in (0,1): the largest keys whose mass reaches top_p of the rest);
     then the token where the running sum over ids (in id order) passes u * total.
   logits fp32 [R, ld]; params per row; out int [R]. */
__device__ __forceinline__ u64 mix64(u64 z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
__device__ __forceinline__ float rng_uniform(u64 seed, u64 session, u64 position) {
    u64 k = mix64(mix64(mix64(seed) ^ session) ^ position);
    return (float)(k >> 40) * (1.0f / 16777216.0f);
}
/* order-preserving map of a float to u32 (larger float -> larger key) */
__device__ __forceinline__ u32 fkey(float f) {
    u32 u = __float_as_uint(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

#define SAMPLE_THREADS 1024
struct sample_params {
    float temperature, top_p, min_p;
    int top_k;
    u64 seed, session;
    long long position;
};

extern "C" __global__ void k_sample(const float *logits, int ld, int valid, const struct sample_params *prm, int *out) {
    __shared__ float red[32];
    __shared__ float chunk[SAMPLE_THREADS];
    __shared__ int pick;
    int r = blockIdx.x;
    const float *l = logits + (size_t)r * ld;
    struct sample_params P = prm[r];
    int tid = threadIdx.x;
    /* argmax (greedy, and the max for the softmax) */
    float best = -__int_as_float(0x7f800000);
    int besti = 0x7fffffff;
    for (int i = tid; i < valid; i += blockDim.x)
        if (l[i] > best) { /* ids visited in increasing order per thread: strict > keeps the lower */
            best = l[i];
            besti = i;
        }
    {
        int lane = tid & 31, w = tid >> 5, nw = blockDim.x >> 5;
        __shared__ float bv[32];
        __shared__ int bi[32];
        for (int o = 16; o > 0; o >>= 1) {
            float ob = __shfl_xor_sync(0xffffffffu, best, o);
            int oi = __shfl_xor_sync(0xffffffffu, besti, o);
            if (ob > best || (ob == best && oi < besti)) {
                best = ob;
                besti = oi;
            }
        }
        if (lane == 0) {
            bv[w] = best;
            bi[w] = besti;
        }
        __syncthreads();
        if (tid == 0) {
            float b = bv[0];
            int ii = bi[0];
            for (int k = 1; k < nw; k++)
                if (bv[k] > b || (bv[k] == b && bi[k] < ii)) {
                    b = bv[k];
                    ii = bi[k];
                }
            bv[0] = b;
            bi[0] = ii;
        }
        __syncthreads();
        best = bv[0];
        besti = bi[0];
        __syncthreads();
    }
    if (!(P.temperature > 0.0f) || besti == 0x7fffffff) {
        if (tid == 0) out[r] = besti == 0x7fffffff ? 0 : besti;
        return;
    }
    float invT = 1.0f / P.temperature;
    /* top_k: the largest key threshold tk with count(key >= tk) >= k */
    u32 tk = 0;
    if (P.top_k > 0 && P.top_k < valid) {
        u32 lo = 0, hi = 0xffffffffu; /* invariant: count(>= lo) >= k */
        while (lo < hi) {
            u32 mid = (u32)(((u64)lo + (u64)hi + 1) / 2);
            float c = 0.0f;
            for (int i = tid; i < valid; i += blockDim.x) c += fkey(l[i]) >= mid ? 1.0f : 0.0f;
            c = block_sum(c, red);
            if (c >= (float)P.top_k) lo = mid;
            else hi = mid - 1;
        }
        tk = lo;
    }
    float minp = P.min_p > 0.0f ? P.min_p : 0.0f;
    /* top_p: the largest key threshold tp with mass(key >= tp) >= top_p * mass(all kept) */
    u32 tp = 0;
    if (P.top_p > 0.0f && P.top_p < 1.0f) {
        float z = 0.0f;
        for (int i = tid; i < valid; i += blockDim.x) {
            float p = __expf((l[i] - best) * invT);
            if (fkey(l[i]) >= tk && p >= minp) z += p;
        }
        z = block_sum(z, red);
        float target = P.top_p * z;
        u32 lo = 0, hi = 0xffffffffu;
        while (lo < hi) {
            u32 mid = (u32)(((u64)lo + (u64)hi + 1) / 2);
            float s = 0.0f;
            for (int i = tid; i < valid; i += blockDim.x) {
                u32 k = fkey(l[i]);
                float p = __expf((l[i] - best) * invT);
                if (k >= tk && k >= mid && p >= minp) s += p;
            }
            s = block_sum(s, red);
            if (s >= target) lo = mid;
            else hi = mid - 1;
        }
        tp = lo;
    }
    u32 thr = tk > tp ? tk : tp;
    /* contiguous chunks of ids per thread, so the running sum is in id order */
    int per = (valid + blockDim.x - 1) / blockDim.x;
    int c0 = tid * per, c1 = c0 + per < valid ? c0 + per : valid;
    float cs = 0.0f;
    for (int i = c0; i < c1; i++) {
        float p = __expf((l[i] - best) * invT);
        if (fkey(l[i]) >= thr && p >= minp) cs += p;
    }
    chunk[tid] = cs;
    __syncthreads();
    if (tid == 0) {
        float total = 0.0f;
        for (int c = 0; c < (int)blockDim.x; c++) total += chunk[c];
        float target = rng_uniform(P.seed, P.session, (u64)P.position) * total;
        float run = 0.0f;
        int c, last = -1;
        for (c = 0; c < (int)blockDim.x; c++) {
            if (chunk[c] > 0.0f) last = c;
            if (chunk[c] > 0.0f && target < run + chunk[c]) break;
            run += chunk[c];
        }
        if (c == (int)blockDim.x) c = last;
        chunk[0] = target - run; /* remaining mass inside chunk c */
        pick = c;
    }
    __syncthreads();
    if (tid == pick) {
        float rem = chunk[0], run = 0.0f;
        int sel = -1;
        for (int i = c0; i < c1; i++) {
            float p = __expf((l[i] - best) * invT);
            if (fkey(l[i]) >= thr && p >= minp) {
                sel = i;
                run += p;
                if (rem < run) break;
            }
        }
        out[r] = sel >= 0 ? sel : besti;
    }
}

/* ---- test and debug kernels ------------------------------------------------------------ */

/* u[i] = rng_uniform(seed, session, position0 + i): lets a test compare the
   device generator with the host one. grid (ceil(n/256)), block 256. */
extern "C" __global__ void k_rng_uniform(u64 seed, u64 session, long long position0, float *u, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) u[i] = rng_uniform(seed, session, (u64)(position0 + i));
}

/* out[n, k] = W[n, k] of an NVFP4 matrix [rows, K] (divided by nothing: the
   true value, ws2 applied), to test the decoding path. grid (rows), block 256. */
extern "C" __global__ void k_fp4_dequant(const u8 *packed, const u8 *scales, float ws2, float *out, int K) {
    int n = blockIdx.x;
    for (int k = threadIdx.x; k < K; k += blockDim.x) {
        u32 byte = packed[(size_t)n * (K / 2) + k / 2];
        u32 h2 = e2m1x2_to_f16x2(byte);
        float v = f16f((u16)((k & 1) ? (h2 >> 16) : (h2 & 0xffffu)));
        float s = e4m3_scaled(scales[(size_t)n * (K / 16) + k / 16]);
        out[(size_t)n * K + k] = v * s * (ws2 * FP4_CORRECTION);
    }
}

/* Writes through a bad pointer: a sticky "illegal address" for the
   failed-state test. Never launched by the engine itself. */
extern "C" __global__ void k_fault(int *bad) { bad[threadIdx.x] = 1; }
