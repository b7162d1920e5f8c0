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
   product accumulates in fp32. One exception: the fast expert kernels
   (passes of up to 8 token slots, the default) multiply in packed f16 over
   each 16-element block, with a power-of-two scale per block, and sum the
   blocks in fp32 ("PACKED f16 ARITHMETIC" below: ~1e-3 of a dot product at
   worst; the general kernels stay fp32). Weights stay in the checkpoint's formats:
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

   NVFP4 on SM90: an E2M1 code (s e1 e0 m) placed at bits 15 / 11..9 of an
   f16 is exactly the E2M1 value times 2^-14 (the E2M1 subnormal 0.5 lands on
   the f16 subnormal 2^-15); an E4M3 byte (s eeee mmm) placed at bits 15 /
   14..7 is exactly its value times 2^-8. Both conversions are exact, so the
   constant 2^22 is folded into the per-matrix fp32 scale (one multiply per
   output). The smallest products stay representable in f16 (2^-17) and are
   converted to fp32 before any arithmetic. On SM90 the engine stores the
   codes of every 32-bit word permuted (the PR layout, k_fp4_layout) so that
   two masks and a byte permute place them there. */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#ifndef MINIMAX_FP4_HW
#define MINIMAX_FP4_HW 0
#endif
/* MINIMAX_FP4_PR: the expert codes are held in the "PR" layout (see
   k_fp4_layout) wherever the kernels decode E2M1 in software. */
#define MINIMAX_FP4_PR (!MINIMAX_FP4_HW)

#if MINIMAX_FP4_HW
#define FP4_CORRECTION 256.0f /* E2M1 decoded exactly, E4M3 scale times 2^-8 */
#else
#define FP4_CORRECTION 4194304.0f /* 2^22: E2M1 times 2^-14, E4M3 times 2^-8 */
#endif

/* ---- programmatic dependent launch ----------------------------------------
   The engine launches a decode pass's kernels with programmatic stream
   serialization (impl_50_engine.h minimax__launch_fn): a kernel may then
   start before the one ahead of it in the stream has finished. So every
   kernel runs PDL_WAIT (griddepcontrol.wait: until the grid ahead has
   completed and its writes are visible; at once after an ordinary launch)
   before it reads anything another kernel of the pass wrote, and before any
   early return, so that "the kernel ahead completed" still implies "every
   kernel before it completed". Before its PDL_WAIT a kernel may read weights,
   the pass's inputs and what passes before this one wrote, nothing else: the
   BF16 products ask for their first weights there, the split attention of
   one token slot for its splits' cached K and V rows (a short split's; the
   token's own key, the only one the pass writes, is not among them). One
   exception, a hint: the one-slot down kernel reads the routing flag and
   ids that the running gate/up wrote, only to ask L2 for rows (EARLY at
   k_moe_down_h2_c1), and reads the ids again after its wait.
   PDL_TRIGGER (griddepcontrol.launch_dependents) lets the
   next kernel launch once every block of this one has passed it (else as
   the blocks exit): the BF16 products and the attention trigger after their
   main loops, the merge and the expert down product at their start, so that
   the next kernel's launch and first loads overlap this one's loads,
   reductions, stores and exchanges. Measured (H200, batch 1, ctx 512): TP=2,
   62 layers 3.73 ms a step -> 3.66 with the waits alone -> 3.55 with
   triggers after the main loops -> 3.51-3.52 with the down product's at its
   start; one GPU, 16 layers 1.444 -> 1.424 -> 1.396 -> 1.377 ms. Not kept
   then: the gate/up product triggering after its routing (1.409; kept
   since, with the down kernel asking L2 for its rows while it waits: EARLY
   at k_moe_down_h2_c1), the BF16
   products at their start (1.402), the products asking L2 for more of their
   weights before the wait (TP=2 3.77; kept since in small shares where the
   blocks wait long or the chain is short: o_proj's 2/16, the router's whole
   rest, gemv_bf16_body's l2_ahead), the attention asking L2 for its K and
   V rows before the wait (TP=2 3.56, slower; one GPU 1.391 against 1.397,
   measured before the down product's trigger moved; loading them into
   registers there instead, kept, is 1.5% faster on an H100: attn_split_body).
   COLD LOADS. A weight read after the wait on a chain of latencies (the
   small kernels between the big products: nothing streams there) comes
   from DRAM, a round trip longer than the L2 hits of what the kernel ahead
   wrote, and it is the chain's slowest load however few its bytes. So such
   weights are read, or asked of L2, before the wait: the router's bias (gate/up's
   routing), the router's and q|k|v's norm weights and the rest of each
   router warp's rows (gemv_bf16_body), the QK-norm's weights (the split
   attention). H200, 62 layers, batch 1, ctx 512, same machine, alternating
   (ms a step): all of them 3.891-3.902 -> 3.831-3.836 (-1.5%). Apart, in
   other rounds: gate/up's bias 3.870-3.877 against 3.895-3.903; the
   router's norm weights or its rows alone within the noise, both
   3.881-3.885 (its work 2.69 -> 2.37 us in the trace); those three
   3.850-3.860 against 3.891-3.896, then the attention's 3.846-3.848 or
   q|k|v's 3.836-3.847. Not kept: down's ws2_2 so (3.856-3.869 against
   3.850-3.860: its weights' own loads follow at once); h read into
   registers before gate/up's routing (3.929-3.935 against 3.895-3.903: the
   224 threads' loads queue ahead of the logits') or after it with both
   rounds' loads first (3.831-3.844 against 3.831-3.836). */
#ifndef MINIMAX_TRACE
#define PDL_WAIT() asm volatile("griddepcontrol.wait;" ::: "memory")
#define PDL_TRIGGER() asm volatile("griddepcontrol.launch_dependents;" ::: "memory")
#else
/* ---- step trace (a development build: -DMINIMAX_TRACE, see impl_55_bench.h
   minimax__bench_trace) ----------------------------------------------------
   Every block's thread 0 takes a slot in a ring of TRACE_CAP at its
   PDL_WAIT and fills it when it leaves that scope (in every kernel: its exit):
   the global timer (ns) just before the wait, and after it, at the block's
   last PDL_TRIGGER (0: none) and at its exit, with the source line of the
   PDL_WAIT (which kernel body), gridDim.x, the block and its SM. Where
   thread 0 leaves before the rest of its block, "exit" is thread 0's. One
   atomic and one 32-byte store a block: the traced step is ~4% slower than
   the untraced one (H200, 62 layers: 4.156 against 3.99-4.00 ms), so read
   the trace for where the time goes, the untraced build for how much. */
struct trace_rec {
    u64 t0;                     /* global timer before the wait */
    u32 d_wait, d_trig, d_exit; /* ns after t0: the wait returned, the last trigger (0: none), the exit */
    u32 line_sm;                /* PDL_WAIT's source line << 16 | SM id */
    u32 grid, block;            /* gridDim.x, blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z) */
};
#define TRACE_CAP (1u << 20)
__device__ trace_rec minimax_trace_ring[TRACE_CAP];
__device__ unsigned int minimax_trace_count;
/* thread 0's times and slot, in shared memory, not registers held through the kernel */
__shared__ u64 trace_t0, trace_t1, trace_trig_t;
__shared__ u32 trace_slot;
__device__ __forceinline__ u64 trace_now() {
    u64 t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}
__device__ __forceinline__ bool trace_thread0() { return threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0; }
template <u32 LINE>
struct trace_scope {
    /* the slot is taken here, so that the atomic's round trip is hidden under
       the block's work, not added to its exit */
    __device__ __forceinline__ trace_scope() {
        if (trace_thread0()) {
            trace_t0 = trace_now();
            trace_trig_t = 0;
            trace_slot = atomicAdd(&minimax_trace_count, 1u) & (TRACE_CAP - 1);
        }
    }
    __device__ __forceinline__ void waited() {
        if (trace_thread0()) trace_t1 = trace_now();
    }
    __device__ __forceinline__ ~trace_scope() {
        if (!trace_thread0()) return;
        u64 t0 = trace_t0, t2 = trace_now(), tt = trace_trig_t;
        u32 sm;
        asm volatile("mov.u32 %0, %%smid;" : "=r"(sm));
        trace_rec r;
        r.t0 = t0;
        r.d_wait = (u32)(trace_t1 - t0);
        r.d_trig = tt ? (u32)(tt - t0) : 0u;
        r.d_exit = (u32)(t2 - t0);
        r.line_sm = LINE << 16 | (sm & 0xffffu);
        r.grid = gridDim.x;
        r.block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
        minimax_trace_ring[trace_slot] = r;
    }
};
#define PDL_WAIT()                                     \
    trace_scope<__LINE__> trace_scope_;                \
    asm volatile("griddepcontrol.wait;" ::: "memory"); \
    trace_scope_.waited()
#define PDL_TRIGGER()                                                   \
    do {                                                                \
        asm volatile("griddepcontrol.launch_dependents;" ::: "memory"); \
        if (trace_thread0()) trace_trig_t = trace_now();                \
    } while (0)
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

/* (best, besti) of the whole warp in every lane: the largest value, the
   lowest id among equal ones (ties go to the lower id, as in the reference) */
__device__ __forceinline__ void warp_argmax(float &best, int &besti) {
    for (int o = 16; o > 0; o >>= 1) {
        float ob = __shfl_xor_sync(0xffffffffu, best, o);
        int oi = __shfl_xor_sync(0xffffffffu, besti, o);
        if (ob > best || (ob == best && oi < besti)) {
            best = ob;
            besti = oi;
        }
    }
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

/* block_sum of two values at once (one pair of barriers); `red` is 64 floats */
__device__ float2 block_sum2(float a, float b, float *red) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
    a = warp_sum(a);
    b = warp_sum(b);
    __syncthreads();
    if (lane == 0) {
        red[w] = a;
        red[32 + w] = b;
    }
    __syncthreads();
    a = lane < nw ? red[lane] : 0.0f;
    b = lane < nw ? red[32 + lane] : 0.0f;
    return make_float2(warp_sum(a), warp_sum(b));
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

/* ---- E2M1 code layout on the GPU ------------------------------------------
   The checkpoint packs element 2b of a row in the low nibble of byte b, so
   32-bit word w of a row holds elements 8w..8w+7 as codes c0..c7 (nibble j =
   c_j; bit 3 the sign, bits 2..0 e1 e0 m). On Blackwell (MINIMAX_FP4_HW) the
   kernels read that layout and convert a byte with cvt.rn.f16x2.e2m1x2. Where
   they decode in software (MINIMAX_FP4_PR) every word is stored permuted, the
   "PR" layout: byte i holds code a_i with its sign at bit 7 and e1 e0 m at
   bits 3..1, and code b_i with its sign at bit 0 and e1 e0 m at bits 6..4,
     (a0, a1, a2, a3) = (c0, c4, c1, c5),  (b0, b1, b2, b3) = (c2, c6, c3, c7).
   Masked, a byte of a is the high byte of its f16 (value times 2^-14); b
   takes one shift each way. A byte permute then puts two such bytes into an
   f16x2: 2.25 operations a pair of codes instead of 3.75 with the
   checkpoint's packing (the expert kernels are bound by instruction issue on
   Hopper; H100: gate/up 25.6 -> 24.1 us, down 15.7 -> 15.0 us a layer). The
   permutation stays within a word, so row slices of whole words (tensor
   parallelism) and 16-element blocks keep their meaning. */
__device__ __forceinline__ u32 fp4_pr_word(u32 w) {
    const int ia[4] = {0, 4, 1, 5}, ib[4] = {2, 6, 3, 7};
    u32 o = 0;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        u32 ca = (w >> (4 * ia[i])) & 15u, cb = (w >> (4 * ib[i])) & 15u;
        o |= (((ca & 8u) << 4) | ((ca & 7u) << 1) | ((cb & 8u) >> 3) | ((cb & 7u) << 4)) << (8 * i);
    }
    return o;
}
/* Converts n words of E2M1 codes in place from the checkpoint's packing to
   the layout this build's kernels read (nothing to do on Blackwell). Launched
   by the engine once per expert matrix after its upload. Grid-stride, any
   grid. */
extern "C" __global__ void k_fp4_layout(u32 *w, u64 n) {
    PDL_WAIT();
#if MINIMAX_FP4_PR
    for (u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (u64)gridDim.x * blockDim.x) w[i] = fp4_pr_word(w[i]);
#endif
}

/* Word w of 8 codes (as the kernels hold it, see above) -> p[j] = f16x2 of
   codes (c_j, c_j+4), low half c_j, each value times 2^-14 (exact). Without
   MINIMAX_FP4_PR (the fast kernels on Blackwell, which decode in software
   too): the checkpoint's packing, one shift of the word a pair. */
__device__ __forceinline__ void fp4_word_pairs(u32 w, u32 *p) {
#if MINIMAX_FP4_PR
    u32 ta = w & 0x8e8e8e8eu;                                          /* a0..a3, ready */
    u32 tb = ((w << 7) & 0x80808080u) | ((w >> 3) & 0x0e0e0e0eu);     /* b0..b3, ready */
    p[0] = __byte_perm(ta, 0, 0x1404); /* bytes (0, a0, 0, a1): c0, c4 */
    p[1] = __byte_perm(ta, 0, 0x3424); /* (0, a2, 0, a3): c1, c5 */
    p[2] = __byte_perm(tb, 0, 0x1404); /* c2, c6 */
    p[3] = __byte_perm(tb, 0, 0x3424); /* c3, c7 */
#else
#pragma unroll
    for (int j = 3; j >= 0; j--) {
        p[j] = (w & 0x80008000u) | ((w & 0x70007000u) >> 3);
        w <<= 4;
    }
#endif
}

#if MINIMAX_FP4_HW
/* Two E2M1 codes of one byte (low nibble = even element) -> f16x2 of their
   exact values, low half = even element. */
__device__ __forceinline__ u32 e2m1x2_to_f16x2(u32 b) {
    u32 out;
    asm("{\n\t.reg .b8 lo;\n\tcvt.u8.u32 lo, %1;\n\tcvt.rn.f16x2.e2m1x2 %0, lo;\n\t}" : "=r"(out) : "r"(b));
    return out;
}
#endif

/* Dot product of one 16-element NVFP4 block (8 packed bytes) with 16 fp32
   activations (16-byte aligned). Result is in the scaled domain (see above). */
__device__ __forceinline__ float fp4_block_dot(uint2 q, const float *x) {
    const float4 *x4 = (const float4 *)x;
    float4 a = x4[0], b = x4[1], c = x4[2], d = x4[3];
    float xs[16] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w, c.x, c.y, c.z, c.w, d.x, d.y, d.z, d.w};
    float acc = 0.0f;
#if MINIMAX_FP4_HW
#pragma unroll
    for (int i = 0; i < 8; i++) {
        u32 word = i < 4 ? q.x : q.y;
        u32 h2 = e2m1x2_to_f16x2((word >> (8 * (i & 3))) & 0xffu);
        acc = fmaf(f16f((u16)(h2 & 0xffffu)), xs[2 * i], acc);
        acc = fmaf(f16f((u16)(h2 >> 16)), xs[2 * i + 1], acc);
    }
#else
#pragma unroll
    for (int i = 0; i < 2; i++) {
        u32 p[4];
        fp4_word_pairs(i ? q.y : q.x, p);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            acc = fmaf(f16f((u16)(p[j] & 0xffffu)), xs[8 * i + j], acc);
            acc = fmaf(f16f((u16)(p[j] >> 16)), xs[8 * i + j + 4], acc);
        }
    }
#endif
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
    PDL_WAIT();
    int t = blockIdx.x;
    const u16 *row = embed + (size_t)ids[t] * H;
    for (int i = threadIdx.x; i < H; i += blockDim.x) x[(size_t)t * H + i] = bf16f(row[i]);
}

/* ---- RMSNorm ----------------------------------------------------------------
   out[r, :] = w * x[src, :] * rsqrt(mean(x[src,:]^2) + eps), src = rows ? rows[r] : r
   x, out fp32 [*, H]; w fp32 [H]. grid (R), block 256. */
extern "C" __global__ void k_rmsnorm(const float *x, const int *rows, const float *w, float *out, int H, float eps) {
    PDL_WAIT();
    __shared__ float red[32];
    int r = blockIdx.x;
    int src = rows ? rows[r] : r;
    const float *xr = x + (size_t)src * H;
    float ss = 0.0f;
    if ((H & 3) == 0) { /* 16-byte loads, all issued before the sums (one memory latency, not H/256) */
        const float4 *x4 = (const float4 *)xr;
        float4 *o4 = (float4 *)(out + (size_t)r * H);
        const float4 *w4 = (const float4 *)w;
        int n4 = H >> 2;
#pragma unroll 4
        for (int i = threadIdx.x; i < n4; i += blockDim.x) {
            float4 v = x4[i];
            ss = fmaf(v.x, v.x, ss); ss = fmaf(v.y, v.y, ss); ss = fmaf(v.z, v.z, ss); ss = fmaf(v.w, v.w, ss);
        }
        ss = block_sum(ss, red);
        float inv = rsqrtf(ss / (float)H + eps);
#pragma unroll 4
        for (int i = threadIdx.x; i < n4; i += blockDim.x) {
            float4 v = x4[i], g = w4[i];
            o4[i] = make_float4(g.x * (v.x * inv), g.y * (v.y * inv), g.z * (v.z * inv), g.w * (v.w * inv));
        }
        return;
    }
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
    PDL_WAIT();
    mm_body<u16>(X, W, Y, T, N, K, accumulate);
}
extern "C" __global__ void k_mm_f32(const float *X, const float *W, float *Y, int T, int N, int K, int accumulate) {
    PDL_WAIT();
    mm_body<float>(X, W, Y, T, N, K, accumulate);
}

/* RoPE angle of pair i at position p: (cos, sin)(p * theta^(-2i/rd)), fp32
   as the reference builds its tables. */
__device__ __forceinline__ float2 rope_cs(int p, int i, int rd, float theta) {
    float inv_freq = 1.0f / powf(theta, (float)(2 * i) / (float)rd);
    float sn, c;
    sincosf((float)p * inv_freq, &sn, &c);
    return make_float2(c, sn);
}

/* The token's K row of KV head 0 in the paged cache (KV head h at + h*bs*d,
   its V row nkv*bs*d further). */
__device__ __forceinline__ u16 *kv_row(u16 *kv, const int *block_table, const int *srow, const int *pos, int t, int layer,
                                       int nblocks, int max_blocks, int bs, int nkv, int d) {
    int p = pos[t];
    int blk = block_table[srow[t] * max_blocks + p / bs];
    size_t kvhs = (size_t)nkv * bs * d;
    return kv + ((size_t)layer * nblocks + blk) * 2 * kvhs + (size_t)(p % bs) * d;
}

/* QK-norm: the sum of squares of one token's q or k slice v[0 .. width),
   width % 4 == 0 and v 16-byte aligned, over the block (every thread gets it),
   16 loads a thread in flight. k_qk_norm_rope_kv and k_attn_split_qk both
   call it: the same loads, order and block sum, so the same bits. */
#define QK_SS_U 16
__device__ __forceinline__ float qk_sumsq(const float *v, int width, float *red) {
    const float4 *v4 = (const float4 *)v;
    float ss = 0.0f;
    for (int i0 = threadIdx.x; i0 < (width >> 2); i0 += QK_SS_U * blockDim.x) {
        float4 x[QK_SS_U]; /* all of the round's loads in flight at once */
#pragma unroll
        for (int u = 0; u < QK_SS_U; u++)
            if (i0 + u * (int)blockDim.x < (width >> 2)) x[u] = v4[i0 + u * blockDim.x];
#pragma unroll
        for (int u = 0; u < QK_SS_U; u++)
            if (i0 + u * (int)blockDim.x < (width >> 2)) {
                ss = fmaf(x[u].x, x[u].x, ss); ss = fmaf(x[u].y, x[u].y, ss);
                ss = fmaf(x[u].z, x[u].z, ss); ss = fmaf(x[u].w, x[u].w, ss);
            }
    }
    return block_sum(ss, red);
}

/* The part of the QK-norm kernels after the RMS: head h of token t scaled by
   inv (the reciprocal RMS) and the norm weights, RoPE on [0, rd), q to qout,
   k and v (raw, from row) to the paged cache. Called by one block of 128. */
__device__ __forceinline__ void qk_rope_store(const float *row, const float *vec, float *qout, const float *w, float inv,
                                              int hh, int t, const int *pos, const int *srow, const int *block_table,
                                              u16 *kv, int layer, int nblocks, int max_blocks, int bs, int nh, int nkv,
                                              int d, int rd, float theta) {
    int qn = nh * d, kn = nkv * d;
    int isk = hh >= nh;
    int h = isk ? hh - nh : hh;
    int p = pos[t];
    const float *x = vec + h * d;
    float *xo = qout + (size_t)t * qn + h * d;
    const float *wh = w + h * d;
    int half = rd / 2;
    u16 *kc = 0, *vc = 0;
    if (isk) {
        kc = kv_row(kv, block_table, srow, pos, t, layer, nblocks, max_blocks, bs, nkv, d) + (size_t)h * bs * d;
        vc = kc + (size_t)nkv * bs * d;
    }
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float a, b = 0.0f;
        if (i < half) {
            float fa = wh[i] * (x[i] * inv), fb = wh[i + half] * (x[i + half] * inv);
            float2 r = rope_cs(p, i, rd, theta);
            a = fa * r.x - fb * r.y;
            b = fb * r.x + fa * r.y;
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
    PDL_WAIT();
    __shared__ float red[32];
    int hh = blockIdx.x, t = blockIdx.y;
    int qn = nh * d, kn = nkv * d;
    int isk = hh >= nh;
    const float *row = qkv + (size_t)t * (qn + 2 * kn);
    const float *vec = isk ? row + qn : row; /* the whole q or k of the token */
    int width = isk ? kn : qn;
    const float *w = isk ? k_norm_w : q_norm_w;
    float ss;
    if ((width & 3) == 0 && ((qn + 2 * kn) & 3) == 0) { /* 16-byte loads, many in flight */
        ss = qk_sumsq(vec, width, red);
    } else {
        ss = 0.0f;
        for (int i = threadIdx.x; i < width; i += blockDim.x) ss = fmaf(vec[i], vec[i], ss);
        ss = block_sum(ss, red);
    }
    float inv = rsqrtf(ss / (float)width + eps);
    qk_rope_store(row, vec, qout, w, inv, hh, t, pos, srow, block_table, kv, layer, nblocks, max_blocks, bs, nh, nkv, d,
                  rd, theta);
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
    PDL_WAIT();
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

/* ---- L2 prefetch -----------------------------------------------------------------
   k_l2_prefetch asks L2 for the first `bytes` of each of `rows` rows (pitch
   bytes apart) of pf, one row a thread (l2_prefetch_bulk below; any grid).
   Rows 16-byte aligned, bytes % 16 == 0. The engine runs
   it in a graph branch beside kernels that leave DRAM idle (impl_52_fast.h
   minimax__branch_prefetch): the next layer's q|k|v rows beside the routing
   and the experts (bound by the SMs, not by memory: DRAM half idle for ~45
   us a layer), this layer's o_proj rows beside the attention. What keeps
   the lines until the product reads them is that every streamed load is
   evict-first (ld_stream16, MINIMAX_L2_PREFETCH). Measured (BENCHMARKS.md),
   batch 1: H100 (16 layers) half of each q|k|v row (25 MB) -2.0% a step at
   ctx 512, -1.4% at 32768 (0.75 or all of each row, or o_proj's rows from
   the routing kernel, from the attention blocks or from inside the compute
   blocks, which the prefetch issue then stalls, was slower than none); a
   quarter of each o_proj row beside the attention -1.1%. H200 (62 layers,
   4.8 TB/s, near L2's speed): 0.25 or 0.5 of each q|k|v row no faster than
   none, whole rows (TP = 2) 4.7% slower; so the engine prefetches at T = 1
   on GPUs with DRAM below 4 TB/s. */
/* Asks L2 for the 128-byte line holding p (one instruction; for the few
   lines of a cold weight, COLD LOADS at PDL_WAIT). */
__device__ __forceinline__ void l2_prefetch_line(const void *p) { asm volatile("prefetch.global.L2 [%0];" ::"l"(p)); }
/* Asks L2 for `bytes` bytes at p (16-byte aligned, bytes % 16 == 0): no
   registers held and no completion to wait for, but the issuing thread
   waits until the copy engine takes the request (at about DRAM's pace when
   much is queued: gemv_bf16_body's l2_ahead). */
__device__ __forceinline__ void l2_prefetch_bulk(const void *p, int bytes) {
    asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(p), "r"(bytes) : "memory");
}
extern "C" __global__ void k_l2_prefetch(const u8 *pf, int rows, long long pitch, int bytes) {
    PDL_WAIT();
    for (int n = blockIdx.x * blockDim.x + threadIdx.x; n < rows; n += gridDim.x * blockDim.x)
        l2_prefetch_bulk(pf + n * pitch, bytes);
}

/* ---- router ---------------------------------------------------------------------
   logits fp32 [T, E] = h . router^T (k_mm_bf16 / k_mm_f32: fp32 accumulation)
   s = sigmoid(logits); choice = s + bias; top-k of choice (ties: lower expert id);
   weight_j = s[idx_j] / sum_j s[idx_j] * routed_scale.
   bias fp32 [E]; idx int [T, topk]; wt fp32 [T, topk].
   grid (T), block 32 (k_router; the packed-f16 gate/up kernel routes inside
   its own blocks with the same router_pick), E <= ROUTER_MAXE. */
#define ROUTER_MAXE 1024
/* One warp: the routing of one token (above) from its logits lg [E]: the
   scores sc = sigmoid(lg) in shared memory [E], the top-k expert ids of
   sigmoid + bias in chosen[] and their weights in wsel[] (shared, [topk]).
   No rounds of warp argmaxes (8 of them cost ~4 us a token): each choice
   becomes a 64-bit key, its value's bits in an order-preserving form above
   the complement of its expert id (so larger values first, ties to the lower
   id, as in the reference; -0 counts as +0, NaN below every number), every
   lane sorts its experts' keys (lane + 32m) into a list of its KL largest,
   and topk rounds of warp_max_key pop the warp's largest key from its
   lane's list, in order. (Five butterfly steps merging
   the lists, as before, measured 0.8% of an H200 step slower: 4.023-4.039
   against 3.992-3.998 ms, 62 layers; the routing runs at the start of every
   gate/up block, where the other warps wait for it.) Needs topk <= KL.
   Every caller gets the same bits (k_router, the gate/up kernel). */
__device__ __forceinline__ unsigned long long route_key(float v, int e) {
    u32 u = __float_as_uint(v);
    if (u == 0x80000000u) u = 0; /* -0 -> +0 */
    u = u & 0x80000000u ? ~u : u | 0x80000000u;
    if (v != v) u = 0; /* NaN: below every number */
    return (unsigned long long)u << 32 | (u32)~e;
}
__device__ __forceinline__ void key_cas(unsigned long long &a, unsigned long long &b) { /* a >= b after */
    unsigned long long hi = a > b ? a : b, lo = a > b ? b : a;
    a = hi;
    b = lo;
}
/* The warp's largest 64-bit key: the max of the high words, then of the low
   words among the lanes holding that high word (one redux.sync each; there is
   no 64-bit one). *mine: this lane holds it. */
__device__ __forceinline__ unsigned long long warp_max_key(unsigned long long k, bool *mine) {
    u32 hi = (u32)(k >> 32), lo = (u32)k;
    u32 mh = __reduce_max_sync(0xffffffffu, hi);
    u32 ml = __reduce_max_sync(0xffffffffu, hi == mh ? lo : 0u);
    *mine = hi == mh && lo == ml;
    return (unsigned long long)mh << 32 | ml;
}
/* One warp, lane r < topk holding the r-th choice's key in win: chosen[r] =
   its expert, wsel[r] = its score / the sum of the chosen scores (in choice
   order, as the reference) * routed_scale. */
__device__ __forceinline__ void router_weights(unsigned long long win, int topk, float routed_scale, const float *sc,
                                               int *chosen, float *wsel) {
    int lane = threadIdx.x & 31;
    __syncwarp(); /* sc complete */
    int e = (int)~(u32)win; /* lane r < topk: the r-th choice */
    float s = lane < topk ? sc[e] : 0.0f, sum = 0.0f;
    for (int j = 0; j < topk; j++) sum += __shfl_sync(0xffffffffu, s, j); /* in order, as the reference */
    if (lane < topk) {
        chosen[lane] = e;
        wsel[lane] = s / sum * routed_scale;
    }
    __syncwarp();
}
template <int KL>
__device__ void router_pick(const float *lg, const float *bias, int E, int topk, float routed_scale, float *sc,
                            int *chosen, float *wsel) {
    int lane = threadIdx.x & 31;
    unsigned long long top[KL];
#pragma unroll
    for (int i = 0; i < KL; i++) top[i] = 0; /* below every key */
    for (int e0 = 0; e0 < E; e0 += 32 * 8) { /* 8 experts a lane at a time, loads first */
        float lv[8], bv[8];
        unsigned long long k[8];
#pragma unroll
        for (int m = 0; m < 8; m++) {
            int e = e0 + lane + 32 * m;
            lv[m] = e < E ? lg[e] : 0.0f;
            bv[m] = e < E ? bias[e] : 0.0f;
        }
#pragma unroll
        for (int m = 0; m < 8; m++) {
            int e = e0 + lane + 32 * m;
            k[m] = 0;
            if (e < E) {
                float sg = 1.0f / (1.0f + expf(-lv[m]));
                sc[e] = sg;
                k[m] = route_key(sg + bv[m], e);
            }
        }
        /* Batcher's odd-even merge sort of the 8 (19 comparators, depth 6) */
        key_cas(k[0], k[1]); key_cas(k[2], k[3]); key_cas(k[4], k[5]); key_cas(k[6], k[7]);
        key_cas(k[0], k[2]); key_cas(k[1], k[3]); key_cas(k[4], k[6]); key_cas(k[5], k[7]);
        key_cas(k[1], k[2]); key_cas(k[5], k[6]);
        key_cas(k[0], k[4]); key_cas(k[1], k[5]); key_cas(k[2], k[6]); key_cas(k[3], k[7]);
        key_cas(k[2], k[4]); key_cas(k[3], k[5]);
        key_cas(k[1], k[2]); key_cas(k[3], k[4]); key_cas(k[5], k[6]);
        if (e0 == 0) {
#pragma unroll
            for (int i = 0; i < KL; i++) top[i] = i < 8 ? k[i] : 0;
        } else { /* more than 256 experts: insert them one by one (the list stays sorted) */
#pragma unroll
            for (int m = 0; m < 8; m++)
#pragma unroll
                for (int i = 0; i < KL; i++) key_cas(top[i], k[m]);
        }
    }
    /* topk rounds: the warp's largest key, popped from the list of the lane
       that holds it */
    unsigned long long win = 0;
    for (int r = 0; r < topk; r++) {
        bool mine;
        unsigned long long m = warp_max_key(top[0], &mine);
        if (lane == r) win = m;
        if (mine) {
#pragma unroll
            for (int i = 0; i + 1 < KL; i++) top[i] = top[i + 1];
            top[KL - 1] = 0;
        }
    }
    router_weights(win, topk, routed_scale, sc, chosen, wsel);
}
/* router_pick by the 8 warps of a block, for E <= 256 and topk <= 8 (the
   gate/up kernel, whose warps waited at a barrier while warp 0 routed, ~2 us
   a layer): warp w makes the keys of experts 32 w + lane (one a lane) and
   finds its topk largest by topk rounds of warp_max_key, into cand[8 w ..]
   (shared, 64 keys, 0 past topk); then warp 0 finds the topk largest of
   those 64 (a sorted pair a lane) the same way. Every key of the global top
   k is among its warp's top k, and the keys are those of router_pick: the
   same choices in the same order, the same weights. All threads of the block
   call it (a barrier inside), each with bias_e = bias[threadIdx.x] (0 past
   E; the caller reads it before its wait); warp 0 leaves with chosen / wsel
   written.
   H200, 62 layers, batch 1, ctx 512, same machine, alternating: 3.901-3.909
   -> 3.890-3.895 ms a step. */
__device__ void router_pick_block(const float *lg, float bias_e, int E, int topk, float routed_scale, float *sc,
                                  int *chosen, float *wsel, unsigned long long *cand) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, e = 32 * warp + lane;
    unsigned long long k = 0; /* below every key */
    if (e < E) {
        float sg = 1.0f / (1.0f + expf(-lg[e]));
        sc[e] = sg;
        k = route_key(sg + bias_e, e);
    }
    for (int r = 0; r < topk; r++) {
        bool mine;
        unsigned long long m = warp_max_key(k, &mine);
        if (lane == 0) cand[8 * warp + r] = m;
        if (mine) k = 0;
    }
    if (lane == 0)
        for (int r = topk; r < 8; r++) cand[8 * warp + r] = 0;
    __syncthreads();
    if (warp) return;
    unsigned long long a = cand[lane], b = cand[32 + lane], win = 0;
    key_cas(a, b);
    for (int r = 0; r < topk; r++) {
        bool mine;
        unsigned long long m = warp_max_key(a, &mine);
        if (lane == r) win = m;
        if (mine) {
            a = b;
            b = 0;
        }
    }
    router_weights(win, topk, routed_scale, sc, chosen, wsel);
}
extern "C" __global__ void k_router(const float *logits, const float *bias, int *idx, float *wt, int E, int topk,
                                    float routed_scale) {
    PDL_WAIT();
    __shared__ float sc[ROUTER_MAXE], wsel[32];
    __shared__ int chosen[32];
    int t = blockIdx.x;
    if (topk <= 8)
        router_pick<8>(logits + (size_t)t * E, bias, E, topk, routed_scale, sc, chosen, wsel);
    else
        router_pick<32>(logits + (size_t)t * E, bias, E, topk, routed_scale, sc, chosen, wsel);
    if (threadIdx.x < topk) {
        idx[t * topk + threadIdx.x] = chosen[threadIdx.x];
        wt[t * topk + threadIdx.x] = wsel[threadIdx.x];
    }
}

/* ---- experts: gate/up ---------------------------------------------------------------
   For routed slot r = t*topk + j (expert e = idx[r]) and row i of I:
     act[r, i] = silu(ws2_1[e] * W1[e][i] . h[t]) * (ws2_3[e] * W3[e][i] . h[t])
   W1, W3 NVFP4 per expert, rows as stored (8-byte loads per 16-element block
   with its scale; the codes of a word in the layout of k_fp4_layout):
     w1p, w3p [E][I][H/2] bytes; w1s, w3s [E][I][H/16] E4M3; ws2_1, ws2_3 fp32 [E].
   h fp32 [T, H]; act fp32 [T*topk, I].
   grid (ceil(I/8), T*topk), block 256: one warp per row. */
extern "C" __global__ void k_expert_gate_up(const float *hn, const int *idx, const u8 *w1p, const u8 *w1s,
                                            const float *ws2_1, const u8 *w3p, const u8 *w3s, const float *ws2_3,
                                            float *act, int H, int I, int topk) {
    PDL_WAIT();
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
    PDL_WAIT();
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

/* nparts > 0: the argmax comes from k_argmax_part's per-slice results
   (pbest/pidx [R][nparts]) instead of a scan of the row by this one block. */
__device__ void sample_body(const float *logits, int ld, int valid, const struct sample_params *prm, int *out,
                            const float *pbest, const int *pidx, int nparts) {
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
    if (nparts > 0) {
        for (int i = tid; i < nparts; i += blockDim.x) {
            float b = pbest[(size_t)r * nparts + i];
            int bi = pidx[(size_t)r * nparts + i];
            if (b > best || (b == best && bi < besti)) {
                best = b;
                besti = bi;
            }
        }
    } else {
        for (int i = tid; i < valid; i += blockDim.x)
            if (l[i] > best) { /* ids visited in increasing order per thread: strict > keeps the lower */
                best = l[i];
                besti = i;
            }
    }
    {
        int lane = tid & 31, w = tid >> 5, nw = blockDim.x >> 5;
        __shared__ float bv[32];
        __shared__ int bi[32];
        warp_argmax(best, besti);
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

extern "C" __global__ void k_sample(const float *logits, int ld, int valid, const struct sample_params *prm, int *out) {
    PDL_WAIT();
    sample_body(logits, ld, valid, prm, out, 0, 0, 0);
}

/* ---- test and debug kernels ------------------------------------------------------------ */

/* u[i] = rng_uniform(seed, session, position0 + i): lets a test compare the
   device generator with the host one. grid (ceil(n/256)), block 256. */
extern "C" __global__ void k_rng_uniform(u64 seed, u64 session, long long position0, float *u, int n) {
    PDL_WAIT();
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) u[i] = rng_uniform(seed, session, (u64)(position0 + i));
}

/* out[n, k] = W[n, k] of an NVFP4 matrix [rows, K] (divided by nothing: the
   true value, ws2 applied), to test the decoding path. grid (rows), block 256. */
extern "C" __global__ void k_fp4_dequant(const u8 *packed, const u8 *scales, float ws2, float *out, int K) {
    PDL_WAIT();
    int n = blockIdx.x;
    for (int k = threadIdx.x; k < K; k += blockDim.x) {
#if MINIMAX_FP4_HW
        u32 h2 = e2m1x2_to_f16x2(packed[(size_t)n * (K / 2) + k / 2]);
        float v = f16f((u16)((k & 1) ? (h2 >> 16) : (h2 & 0xffffu)));
#else
        u32 p[4];
        fp4_word_pairs(((const u32 *)(packed + (size_t)n * (K / 2)))[k / 8], p);
        float v = f16f((u16)((k & 4) ? (p[k & 3] >> 16) : (p[k & 3] & 0xffffu)));
#endif
        float s = e4m3_scaled(scales[(size_t)n * (K / 16) + k / 16]);
        out[(size_t)n * K + k] = v * s * (ws2 * FP4_CORRECTION);
    }
}

/* Writes through a bad pointer: a sticky "illegal address" for the
   failed-state test. Never launched by the engine itself. */
extern "C" __global__ void k_fault(int *bad) { bad[threadIdx.x] = 1; }

/* ===========================================================================
   MULTI-GPU KERNELS (host side: impl_56_multi.h)
   ===========================================================================
   Collectives between the GPUs of one process over peer-to-peer memory
   (cuCtxEnablePeerAccess: a kernel stores straight into another GPU's
   memory over NVLink / PCIe). Every exchange is PUSH: a rank writes its data
   into the receiver's memory, then a flag there; the receiver spins on its
   own (local) flag and reads local memory.
   Flags hold sequence numbers that live in device memory (seq[]), so the
   same kernels replay in CUDA graphs; both sides count the same calls in the
   same order, compared wrap-safe ((int)(flag - k) >= 0).
   Every wait is bounded: after `timeout` clock64 cycles, or as soon as the
   status word (host-mapped, shared by all ranks) is nonzero, the wait gives
   up, writes its code to the status word and the kernel returns early. The
   host checks the word after each step: a dead or hung peer becomes an
   error, never a hang.
   Per rank, in its own memory:
     recv  fp32 [2 slots][MG_MAX senders][cap]  all-reduce inputs pushed by each rank
     flags int  [MG_MAXB blocks][MG_MAX senders] all-reduce, then [MG_MAX] point-to-point
     seq   int  [MG_MAXB] all-reduce (per block), [MG_MAX] p2p sent to rank p,
                [MG_MAX] p2p received from rank p, [1] blocks done (k_mg_send) */
#define MG_MAX 8
#define MG_MAXB 32
#define MG_FLAG_P2P (MG_MAXB * MG_MAX)
#define MG_SEQ_SEND MG_MAXB
#define MG_SEQ_RECV (MG_MAXB + MG_MAX)
#define MG_SEQ_DONE (MG_MAXB + 2 * MG_MAX)
struct mg_peers {
    float *recv[MG_MAX]; /* recv base of rank p (a peer pointer) */
    int *flag[MG_MAX];   /* flags base of rank p */
};
__device__ __forceinline__ void mg_store_flag(int *p, int v) {
    asm volatile("st.release.sys.global.s32 [%0], %1;" ::"l"(p), "r"(v) : "memory");
}
__device__ __forceinline__ int mg_load_flag(const int *p) {
    int v;
    asm volatile("ld.acquire.sys.global.s32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
    return v;
}
/* One thread: waits until *f has reached k. 0 = ok; 1 = gave up (status set). */
__device__ int mg_wait(const int *f, int k, long long timeout, volatile int *status, int code) {
    long long t0 = clock64();
    unsigned it = 0;
    while ((int)(mg_load_flag(f) - k) < 0) {
        if ((++it & 1023) == 0 && *status) return 1; /* another rank gave up (a PCIe read: rarely) */
        if (clock64() - t0 > timeout) {
            *status = code;
            __threadfence_system();
            return 1;
        }
    }
    return 0;
}

/* All-reduce of n floats over nr ranks, rank-ordered so every rank gets the
   same bits:  dst[i] = (acc ? dst[i] : 0) + ((src_0[i] + src_1[i]) + ...)
   and src[i] = 0 afterwards (the engine's partial-sum buffer stays zero
   between uses). grid (B <= MG_MAXB), block 256: block b owns a chunk of
   ceil(n / B) elements (at most 1024) and its own sequence number and
   flags, so blocks never wait for each other; two recv slots suffice
   because a rank cannot start call k+2 of block b before every rank
   finished call k of it.
   qkv != NULL (QK-norm, MODEL.md 2.2): the values are not read from src but
   computed: element t*2 + 0 / 1 = sum of squares of token t's q / k slice
   (qkv fp32 [T, qn + 2*kn]); src is not touched.
   Ordering: every thread's stores into the peers, then the CTA barrier, then
   one release store per peer at system scope (cumulative over the
   barrier); the receiver's acquire load of the flag orders its reads.
   code: the status value on a timeout (names the rank and the operation). */
extern "C" __global__ void __launch_bounds__(256) k_mg_allreduce(float *dst, float *src, int n, int acc,
                                                                 struct mg_peers P, int *seq, int rank, int nr,
                                                                 long long cap, long long timeout, int *status,
                                                                 int code, const float *qkv, int qn, int kn) {
    PDL_WAIT();
    __shared__ int s_k, s_bad;
    __shared__ float s_val[1024];
    int b = blockIdx.x;
    int per = (((n + gridDim.x - 1) / gridDim.x) + 3) & ~3;
    int i0 = b * per, i1 = min(n, i0 + per);
    if (threadIdx.x == 0) s_k = seq[b] + 1;
    if (qkv) { /* one warp per value */
        int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
        for (int e = i0 + warp; e < i1; e += blockDim.x >> 5) {
            int t = e >> 1, isk = e & 1, width = isk ? kn : qn;
            const float *v = qkv + (size_t)t * (qn + 2 * kn) + (isk ? qn : 0);
            float s = 0.0f;
            for (int i = lane; i < width; i += 32) s = fmaf(v[i], v[i], s);
            s = warp_sum(s);
            if (lane == 0) s_val[e - i0] = s;
        }
    }
    __syncthreads();
    int k = s_k, slot = k & 1;
    for (int p = 0; p < nr; p++) {
        float *d = P.recv[p] + ((long long)slot * MG_MAX + rank) * cap;
        if (qkv)
            for (int i = i0 + threadIdx.x; i < i1; i += blockDim.x) d[i] = s_val[i - i0];
        else
            for (int i = i0 + threadIdx.x; i < i1; i += blockDim.x) d[i] = src[i];
    }
    if (!qkv)
        for (int i = i0 + threadIdx.x; i < i1; i += blockDim.x) src[i] = 0.0f;
    __syncthreads();
    if (threadIdx.x < nr) /* the release store alone (see Ordering above); a fence.sc.sys before it cost ~1.7 us a call */
        mg_store_flag(P.flag[threadIdx.x] + b * MG_MAX + rank, k);
    if (threadIdx.x == 0) {
        int bad = 0;
        for (int p = 0; p < nr && !bad; p++)
            bad = mg_wait(P.flag[rank] + b * MG_MAX + p, k, timeout, status, code | p);
        s_bad = bad;
        seq[b] = k;
    }
    __syncthreads();
    if (s_bad) return;
    const float *rb = P.recv[rank] + (long long)slot * MG_MAX * cap;
    for (int i = i0 + threadIdx.x; i < i1; i += blockDim.x) {
        float s = __ldcg(rb + i);
        for (int p = 1; p < nr; p++) s += __ldcg(rb + (long long)p * cap + i);
        dst[i] = acc ? dst[i] + s : s;
    }
}

/* Point-to-point: dst[r * dld + c] = src[r * cols + c] (r < rows, c < cols),
   dst usually in another GPU's memory; then, when rflag is not NULL, the
   last block to finish stores ++seq[0] into the receiver's flag (*rflag).
   done: a counter that is 0 between calls. Any grid, block 256. */
extern "C" __global__ void __launch_bounds__(256) k_mg_send(const float *src, int rows, int cols, float *dst,
                                                            long long dld, int *rflag, int *seq, int *done) {
    PDL_WAIT();
    long long n = (long long)rows * cols;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        long long r = i / cols, c = i - r * cols;
        dst[r * dld + c] = src[i];
    }
    if (!rflag) return;
    __threadfence_system();
    __syncthreads();
    if (threadIdx.x == 0) {
        int prev = atomicAdd(done, 1);
        if (prev == (int)gridDim.x - 1) {
            int k = seq[0] + 1;
            *done = 0;
            seq[0] = k;
            __threadfence_system();
            mg_store_flag(rflag, k);
        }
    }
}

/* The receiving side: waits for the next k_mg_send of every rank p in
   `mask` (flags[MG_FLAG_P2P + p], counted in seq[MG_SEQ_RECV + p]).
   grid 1, block 32. */
extern "C" __global__ void k_mg_wait(int *flags, int *seq, int mask, long long timeout, int *status, int code) {
    PDL_WAIT();
    if (threadIdx.x) return;
    for (int p = 0; p < MG_MAX; p++) {
        if (!(mask >> p & 1)) continue;
        int k = seq[MG_SEQ_RECV + p] + 1;
        if (mg_wait(flags + MG_FLAG_P2P + p, k, timeout, status, code | p)) return;
        seq[MG_SEQ_RECV + p] = k;
    }
}

/* Strided byte copy: dst[r * width + c] = src[r * pitch + c] (r < rows,
   c < width); src may be another GPU's memory (peer access). Copies a slice
   of a weight from one model to a rank of another (tests, benchmark). */
extern "C" __global__ void k_mg_copy2d(const u8 *src, long long pitch, u8 *dst, long long width, long long rows) {
    PDL_WAIT();
    long long n = rows * width;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        long long r = i / width;
        dst[i] = src[r * pitch + (i - r * width)];
    }
}

/* Embedding rows of this rank's vocabulary shard [v0, v0 + nv):
   x[t, :] = embed[ids[t] - v0, :] when the id is in the shard, else 0
   (the all-reduce that follows adds the shards). grid (T), block 256. */
/* gen (not null: a pass with fused collectives) gets 1 more, before any
   kernel of the pass reads it */
extern "C" __global__ void k_mg_embed(const int *ids, const u16 *embed, float *x, int H, int v0, int nv, int *gen) {
    PDL_WAIT();
    int t = blockIdx.x, id = ids[t] - v0;
    if (gen && t == 0 && threadIdx.x == 0) *gen += 1;
    int in = id >= 0 && id < nv;
    const u16 *row = embed + (size_t)(in ? id : 0) * H;
    for (int i = threadIdx.x; i < H; i += blockDim.x) x[(size_t)t * H + i] = in ? bf16f(row[i]) : 0.0f;
}

/* FUSED COLLECTIVES (tensor parallelism, passes of one token slot): no
   all-reduce kernel. Every value of a rank's partial result is stored
   straight into every rank's recvf as one 64-bit word, the value's bits
   under a tag, the number of the pass (mgf_put: fused passes begun, counted
   on every rank by k_mg_embed into *gen); whoever needs the sum loads the
   words of every sender, and loads again those whose tag is not yet this
   pass's. A 64-bit store is seen whole or not at all, so no fence, flag or
   counter is needed: the value is there when its tag is (the low-latency
   protocol of NCCL's LL kernels). Sums are in rank order, then added to the
   local value, as k_mg_allreduce adds: every rank gets its bits.
   o_proj and down (x += the sum over ranks of their parts): the thread
   that makes rows n of rank r's part pushes them, then waits for the other
   ranks' parts of the same rows (made by the same block of the same kernel
   there, running at the same time) and adds the sum to x itself
   (mgf_sum_rows): x is whole when the kernel ends, and the next kernel reads
   it as on one GPU. (Summed instead by every block of the consuming kernel,
   each reading all of it, the sums cost ~5 us a consumer: 2 x H200, 62
   layers, batch 1: 4.35 -> 3.68 ms a step without them.) The producer's
   threads push before they wait, and its grid is one wave at the real
   shapes (o_proj and down: 384 blocks, 4 an SM fit), so a waiting block
   never keeps its peer from running; a grid of several waves would still
   get through, the ranks dispatching blocks in the same order, and a wait
   that does not end is bounded anyway.
   The QK-norm sums: the q|k|v product pushes its partial sums of squares,
   every attention block sums all ranks' (mgf_sum).
   Three sites a layer (3L: the QK sums, 3L + 1: o_proj, 3L + 2: the
   experts), each used once a pass, so a site's words need no second buffer:
   a peer's producer of the same site in the next pass runs only after this
   rank pushed later sites of this pass, which its stream does after it
   read this one. Per rank: recvf u64 [sites][nr senders][cap].
   Every wait is bounded like mg_wait: on a timeout the thread writes its
   code (naming the sender) to the status word and gives up.
   local (benchmark: the exchange left out): every "peer" is the rank
   itself, which writes the words of every sender slot. nr = 0: off. */
struct mg_fuse {
    u64 *recv[MG_MAX];   /* recvf of rank p (a peer pointer); indexed only by
                            constants (unrolled), so the struct stays a kernel
                            parameter and is not copied to local memory */
    u64 *own;            /* recv[rank] */
    const int *gen;      /* this rank's fused passes begun: the tag of this pass */
    int *status;         /* the status word (see above) */
    long long timeout;
    int rank, nr, cap, code, local;
    int in_site;  /* the site an attention kernel sums (-1: none) */
    int out_site; /* the site a product pushes (-1: none) */
};
__device__ __forceinline__ int mgf_on_in(const mg_fuse &F) { return F.nr > 0 && F.in_site >= 0; }
__device__ __forceinline__ int mgf_on_out(const mg_fuse &F) { return F.nr > 0 && F.out_site >= 0; }
/* element i of this rank's part, tagged, into every rank's recvf */
__device__ __forceinline__ void mgf_put(const mg_fuse &F, unsigned tag, int i, float v) {
    u64 w = (u64)tag << 32 | __float_as_uint(v);
#pragma unroll
    for (int p = 0; p < MG_MAX; p++)
        if (p < F.nr) {
            u64 *a = F.recv[p] + ((size_t)F.out_site * F.nr + (F.local ? p : F.rank)) * F.cap + i;
            asm volatile("st.relaxed.sys.global.b64 [%0], %1;" ::"l"(a), "l"(w) : "memory");
        }
}
__device__ __forceinline__ u64 mgf_load(const u64 *a) {
    u64 w;
    asm volatile("ld.relaxed.sys.global.b64 %0, [%1];" : "=l"(w) : "l"(a) : "memory");
    return w;
}
/* The word at a once its tag is `tag`; another tag: gave up (the status
   word set, by this thread with `code` or by another). t0: when the caller
   began waiting. */
__device__ __noinline__ u64 mgf_wait_word(const u64 *a, unsigned tag, int *status, long long timeout, int code,
                                          long long t0) {
    u64 w;
    unsigned it = 0;
    while ((unsigned)((w = mgf_load(a)) >> 32) != tag) {
        if ((++it & 255) == 0) {
            if (*(volatile int *)status) return w;
            if (clock64() - t0 > timeout) {
                *(volatile int *)status = code;
                __threadfence_system();
                return w;
            }
        }
    }
    return w;
}
/* The sum over ranks of elements i < n of site F.in_site, by the threads of
   the block: each thread adds its elements' sums (rank order) below split
   into *lo, the others into *hi. U words of every sender a thread with all
   their loads in flight at once (NR = 2, the common case: the senders'
   loop unrolled; NR = 0: any nr, a sender at a time). Returns nonzero (in
   every thread) if the block must give up. */
template <int U, int NR>
__device__ __forceinline__ int mgf_sum_n(const mg_fuse &F, int n, int split, float *lo, float *hi) {
    const u64 *rb = F.own + (size_t)F.in_site * F.nr * F.cap;
    const unsigned tag = (unsigned)*F.gen;
    const long long t0 = clock64();
    const int nr = NR ? NR : F.nr;
    int bad = 0;
    for (int i0 = threadIdx.x; i0 < n; i0 += U * blockDim.x) {
        float s[U];
#pragma unroll
        for (int p0 = 0; p0 < nr; p0 += NR ? NR : 1) {
            u64 w[NR ? NR : 1][U];
#pragma unroll
            for (int q = 0; q < (NR ? NR : 1); q++)
#pragma unroll
                for (int u = 0; u < U; u++) {
                    int i = i0 + u * (int)blockDim.x;
                    w[q][u] = i < n ? mgf_load(rb + (size_t)(p0 + q) * F.cap + i) : (u64)tag << 32;
                }
#pragma unroll
            for (int q = 0; q < (NR ? NR : 1); q++)
#pragma unroll
                for (int u = 0; u < U; u++) {
                    int p = p0 + q;
                    if ((unsigned)(w[q][u] >> 32) != tag && !bad) {
                        w[q][u] = mgf_wait_word(rb + (size_t)p * F.cap + i0 + u * (int)blockDim.x, tag, F.status,
                                                F.timeout, F.code | p, t0);
                        bad = (unsigned)(w[q][u] >> 32) != tag;
                    }
                    float v = __uint_as_float((unsigned)w[q][u]);
                    s[u] = p ? s[u] + v : v;
                }
        }
#pragma unroll
        for (int u = 0; u < U; u++) {
            int i = i0 + u * (int)blockDim.x;
            if (i < n && i < split) *lo += s[u];
            else if (i < n) *hi += s[u];
        }
    }
    return __syncthreads_or(bad);
}
template <int U>
__device__ __forceinline__ int mgf_sum(const mg_fuse &F, int n, int split, float *lo, float *hi) {
    if (F.nr == 2) return mgf_sum_n<U, 2>(F, n, split, lo, hi);
    return mgf_sum_n<U, 0>(F, n, split, lo, hi);
}
/* A producer thread's rows n0 .. n0 + R - 1 (those below N) of site
   F.out_site: v = this rank's part of them, pushed already (mgf_put); waits
   for the other ranks' parts, then x[n] += their sum in rank order. */
template <int R>
__device__ __forceinline__ void mgf_sum_rows(const mg_fuse &F, unsigned tag, int n0, int N, const float *v, float *x) {
    const u64 *rb = F.own + (size_t)F.out_site * F.nr * F.cap;
    const long long t0 = clock64();
    float s[R];
    int bad = 0;
    for (int p = 0; p < F.nr; p++) {
        int mine = p == F.rank && !F.local; /* (local: every slot is read back) */
        u64 w[R];
#pragma unroll
        for (int r = 0; r < R; r++) w[r] = !mine && n0 + r < N ? mgf_load(rb + (size_t)p * F.cap + n0 + r) : (u64)tag << 32;
#pragma unroll
        for (int r = 0; r < R; r++) {
            if ((unsigned)(w[r] >> 32) != tag && !bad) {
                w[r] = mgf_wait_word(rb + (size_t)p * F.cap + n0 + r, tag, F.status, F.timeout, F.code | p, t0);
                bad = (unsigned)(w[r] >> 32) != tag;
            }
            float vv = mine ? v[r] : __uint_as_float((unsigned)w[r]);
            s[r] = p ? s[r] + vv : vv;
        }
    }
#pragma unroll
    for (int r = 0; r < R; r++)
        if (n0 + r < N) x[n0 + r] += s[r];
}

/* k_qk_norm_rope_kv with the sums of squares given: ss[t*2 + 0/1] are the
   GLOBAL sums over all tp ranks' q / k, so the mean divides by tp times the
   local width. Otherwise the same (layout, RoPE, KV append). */
extern "C" __global__ void k_mg_qk_norm_rope_kv(const float *qkv, float *qout, const float *q_norm_w,
                                                const float *k_norm_w, const float *ss, int tp, const int *pos,
                                                const int *srow, const int *block_table, u16 *kv, int layer,
                                                int nblocks, int max_blocks, int bs, int nh, int nkv, int d, int rd,
                                                float theta, float eps) {
    PDL_WAIT();
    int hh = blockIdx.x, t = blockIdx.y;
    int qn = nh * d, kn = nkv * d;
    int isk = hh >= nh;
    const float *row = qkv + (size_t)t * (qn + 2 * kn);
    const float *vec = isk ? row + qn : row;
    int width = isk ? kn : qn;
    const float *w = isk ? k_norm_w : q_norm_w;
    float inv = rsqrtf(ss[t * 2 + isk] / ((float)width * (float)tp) + eps);
    qk_rope_store(row, vec, qout, w, inv, hh, t, pos, srow, block_table, kv, layer, nblocks, max_blocks, bs, nh, nkv, d,
                  rd, theta);
}

/* ===========================================================================
   FAST DECODE KERNELS (batch 1 and small batches) and benchmark helpers
   ===========================================================================
   At batch 1 a decode step is a chain of matrix-vector products that must
   stream the weights at the memory bandwidth. These kernels are dispatched by
   the engine (impl_52_fast.h) when a pass has few token slots; the general
   kernels above stay the path for prefill.
   Rules that every kernel here follows (why: PERF.md, "Techniques that pay"):
   - weights are read with 16-byte loads, coalesced across the warp, through
     the non-coherent path without L1 allocation (L1 stays for activations),
     several loads per thread issued before the first use;
   - grids give every SM several blocks even for 256- or 3072-row outputs
     (split-K inside a block when the rows alone are too few);
   - accumulation is fp32, activations are fp32, as in the rest of the engine. */

/* Streamed data (weights, K/V) is read once a step. With
   MINIMAX_L2_PREFETCH = 1 (set by the engine where k_l2_prefetch asks L2
   for weight rows ahead) L2 keeps it at the evict-first priority, so that it does
   not push out the prefetched lines; the policy is a constant (the compiler
   puts it in the load's memory descriptor). Without the prefetch the hint
   only cost (H200: 0.4-0.6% a step), so the loads are plain. */
#ifndef MINIMAX_L2_PREFETCH
#define MINIMAX_L2_PREFETCH 0
#endif
#if MINIMAX_L2_PREFETCH
#define LD_STREAM_HINT ".L2::cache_hint"
#define LD_STREAM_ARG(n) ", %" #n /* the policy operand */
#define LD_STREAM_POLICY , "l"(l2_evict_first())
#else
#define LD_STREAM_HINT ""
#define LD_STREAM_ARG(n) ""
#define LD_STREAM_POLICY
#endif
__device__ __forceinline__ u64 l2_evict_first() {
    u64 p;
    asm("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;" : "=l"(p));
    return p;
}
__device__ __forceinline__ uint4 ld_stream16(const void *p) {
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate" LD_STREAM_HINT ".v4.u32 {%0, %1, %2, %3}, [%4]" LD_STREAM_ARG(5) ";"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(p) LD_STREAM_POLICY);
    return v;
}

__device__ __forceinline__ u32 ld_stream_u16(const void *p) {
    u16 v;
    asm volatile("ld.global.nc.L1::no_allocate" LD_STREAM_HINT ".u16 %0, [%1]" LD_STREAM_ARG(2) ";"
                 : "=h"(v)
                 : "l"(p) LD_STREAM_POLICY);
    return v;
}

__device__ __forceinline__ void ph_pack(float a, float b, u32 &hi, u32 &lo); /* PH layout: tensor-core expert kernels below */

/* ---- BF16 GEMV for T <= 8 token slots ------------------------------------------
   Y[t, n] (+)= sum_k X[t, k] * W[n, k]      X fp32 [T, K]; W BF16 [N, K]; Y fp32 [T, N]
   block 256 = 8 warps. The block owns (8 / S) * R rows; S warps share each
   group of R rows and split its K range (S in {1, 2, 4, 8}, chosen by the host
   so that the grid gives every SM work: S = 8 for the 256-row router). A warp
   walks its K range in 16-byte weight chunks (8 BF16), U chunks per lane in
   flight for each of its R rows; one pair of float4 activation loads serves R
   rows (L1 traffic per weight byte = 2 * NT / R). Partial sums meet in shared
   memory; each output has one writer, so `accumulate` needs no atomics;
   l2_ahead > 0: part of the block's weights asked of L2 before the wait
   (below). grid (ceil(N / ((8 / S) * R))), needs K % 8 == 0. */
#define GV_WARPS 8
template <int NT, int R, int U, int NORM, int PIPE = 0, int MG = 0>
__device__ __forceinline__ void gemv_bf16_body(const float *X, const u16 *W, float *Y, int T, int N, int K,
                                               int accumulate, int S, const float *NW = 0, float eps = 0.0f,
                                               float *XN = 0, int xn_ph = 0, float *SSQ = 0, const mg_fuse *F = 0,
                                               int l2_ahead = 0) {
    __shared__ float red[GV_WARPS][R * NT];
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    /* MG (T = 1): without NORM, Y += the sum over ranks of the outputs
       (o_proj's partial sums, pushed and summed here: mgf_sum_rows); with
       NORM the sums of squares are pushed (the q|k|v product's, for the
       QK-norm), Y written as usual. The pass's tag is loaded after the
       first weights are asked for, long before its use. */
    const int push = MG && mgf_on_out(*F);
    /* NORM (T = 1): every warp group reads all of X once in the loop below
       (its S warps a K range each), so it sums X^2 on the way and scales its
       dot with NW * X by inv = rsqrt(mean(X^2) + eps) at the end: the
       RMSNorm costs no pass, barrier or latency of its own. */
    float ss = 0.0f;
    int g = warp / S, s = warp - g * S;
    int n0 = (blockIdx.x * (GV_WARPS / S) + g) * R;
    int nc = K >> 3;
    int c0 = (int)((long long)nc * s / S), c1 = (int)((long long)nc * (s + 1) / S);
    float acc[R][NT];
    const uint4 *wr[R];
#pragma unroll
    for (int r = 0; r < R; r++) {
        int n = n0 + r < N ? n0 + r : N - 1; /* rows past N read a valid row; never written */
        wr[r] = (const uint4 *)(W + (size_t)n * K);
#pragma unroll
        for (int t = 0; t < NT; t++) acc[r][t] = 0.0f;
    }
    /* PIPE: the loads of the next U chunks are issued before this round's
       arithmetic, so that a warp always has loads in flight (without it all
       warps of a one-wave grid load, then compute, in step: DRAM idles) */
    uint4 wv[U][R], wn[U][R];
    if (PIPE) {
#pragma unroll
        for (int u = 0; u < U; u++)
#pragma unroll
            for (int r = 0; r < R; r++)
                if (c0 + lane + 32 * u < c1) wv[u][r] = ld_stream16(wr[r] + c0 + lane + 32 * u);
    }
    /* l2_ahead (16ths, 0: none): lane r < R asks L2 for that share of the
       rest of the warp's K slice of its row r (past the chunks loaded above),
       before the wait (cp.async.bulk.prefetch.L2). The engine asks it of
       o_proj at T = 1: its blocks are launched beside the short merge kernel,
       DRAM nearly idle, and sit ~2 us at the wait. A prefetch is not free to
       issue: the warp stalls until the copy engine takes it, at about DRAM's
       pace, so more than fits in that wait delays the product. H200, 62
       layers, batch 1, ctx 512 (ms a step): 2/16 (3.9 MB a layer)
       3.975-3.987 against 3.992-4.013 without; 3/16 3.987-3.994; 4/16
       4.008-4.012 (the trace: o_proj's release 0.9 -> 1.6 us after the
       merge's end); whole slices (with 4/16 of q|k|v's) 4.21 (3.0 us).
       The router asks for the whole rest (16): 8 warps a block, 48 chunks
       a row slice, so the loop's second chunk (lanes 0 .. 15) would come
       from DRAM after the wait (COLD LOADS at PDL_WAIT). */
    /* NORM: the norm weights NW (K / 32 lines of 128 bytes, a line a thread
       of the grid) asked of L2 before the wait (COLD LOADS at PDL_WAIT) */
    if (NORM)
        for (int l = blockIdx.x * blockDim.x + threadIdx.x; l < K / 32; l += gridDim.x * blockDim.x)
            l2_prefetch_line(NW + 32 * l);
    if (l2_ahead > 0 && lane < R) {
        int n = n0 + lane < N ? n0 + lane : N - 1;
        int cs = PIPE ? c0 + 32 * U : c0;
        int bytes = cs < c1 ? (c1 - cs) * l2_ahead / 16 * 16 : 0;
        if (bytes > 0) l2_prefetch_bulk(W + (size_t)n * K + (size_t)cs * 8, bytes);
    }
    PDL_WAIT(); /* the first weights are in flight; X, the tag and the sums come from kernels ahead */
    const unsigned mg_tag = push ? (unsigned)*F->gen : 0u;
    for (int c = c0 + lane; c < c1; c += 32 * U) {
#pragma unroll
        for (int u = 0; u < U; u++)
#pragma unroll
            for (int r = 0; r < R; r++) {
                int cl = PIPE ? c + 32 * (U + u) : c + 32 * u;
                if (cl < c1) {
                    if (PIPE)
                        wn[u][r] = ld_stream16(wr[r] + cl);
                    else
                        wv[u][r] = ld_stream16(wr[r] + cl);
                }
            }
#pragma unroll
        for (int u = 0; u < U; u++) {
            int cc = c + 32 * u;
            if (cc < c1) {
#pragma unroll
                for (int t = 0; t < NT; t++) {
                    if (t < T) {
                        const float4 *xp = (const float4 *)(X + (size_t)t * K + (size_t)cc * 8);
                        float4 a = xp[0], b = xp[1];
                        if (NORM) {
                            ss = fmaf(a.x, a.x, ss); ss = fmaf(a.y, a.y, ss); ss = fmaf(a.z, a.z, ss);
                            ss = fmaf(a.w, a.w, ss); ss = fmaf(b.x, b.x, ss); ss = fmaf(b.y, b.y, ss);
                            ss = fmaf(b.z, b.z, ss); ss = fmaf(b.w, b.w, ss);
                            const float4 *np = (const float4 *)(NW + (size_t)cc * 8);
                            float4 na = np[0], nb = np[1];
                            a.x *= na.x; a.y *= na.y; a.z *= na.z; a.w *= na.w;
                            b.x *= nb.x; b.y *= nb.y; b.z *= nb.z; b.w *= nb.w;
                        }
#pragma unroll
                        for (int r = 0; r < R; r++) {
                            uint4 w = wv[u][r];
                            float sacc = acc[r][t];
                            sacc = fmaf(__uint_as_float(w.x << 16), a.x, sacc);
                            sacc = fmaf(__uint_as_float(w.x & 0xffff0000u), a.y, sacc);
                            sacc = fmaf(__uint_as_float(w.y << 16), a.z, sacc);
                            sacc = fmaf(__uint_as_float(w.y & 0xffff0000u), a.w, sacc);
                            sacc = fmaf(__uint_as_float(w.z << 16), b.x, sacc);
                            sacc = fmaf(__uint_as_float(w.z & 0xffff0000u), b.y, sacc);
                            sacc = fmaf(__uint_as_float(w.w << 16), b.z, sacc);
                            sacc = fmaf(__uint_as_float(w.w & 0xffff0000u), b.w, sacc);
                            acc[r][t] = sacc;
                        }
                    }
                }
            }
        }
        if (PIPE) {
#pragma unroll
            for (int u = 0; u < U; u++)
#pragma unroll
                for (int r = 0; r < R; r++) wv[u][r] = wn[u][r];
        }
    }
    PDL_TRIGGER();
#pragma unroll
    for (int r = 0; r < R; r++)
#pragma unroll
        for (int t = 0; t < NT; t++) acc[r][t] = warp_sum(acc[r][t]);
    if (NORM) ss = warp_sum(ss);
    if (S > 1) {
        __shared__ float sred[GV_WARPS];
        if (lane == 0) {
#pragma unroll
            for (int r = 0; r < R; r++)
#pragma unroll
                for (int t = 0; t < NT; t++) red[warp][r * NT + t] = acc[r][t];
            if (NORM) sred[warp] = ss;
        }
        __syncthreads();
        if (s != 0) return;
        for (int j = 1; j < S; j++) {
#pragma unroll
            for (int r = 0; r < R; r++)
#pragma unroll
                for (int t = 0; t < NT; t++) acc[r][t] += red[warp + j][r * NT + t];
            if (NORM) ss += sred[warp + j];
        }
    }
    float inv = NORM ? rsqrtf(ss / (float)K + eps) : 1.0f;
    if (NORM && XN && warp == 0) { /* the normed vector for later consumers, a slice per block (as k_rmsnorm computes it) */
        if (!xn_ph) {
            for (int i = blockIdx.x * 32 + lane; i < K; i += gridDim.x * 32) XN[i] = NW[i] * (X[i] * inv);
        } else { /* in the PH layout of the tensor-core expert kernels (K % 32 == 0) */
            for (int p = blockIdx.x * 32 + lane; p < K / 2; p += gridDim.x * 32) {
                int c = p >> 4, q = p & 15, e0 = 32 * c + 8 * (q >> 2) + (q & 3);
                u32 hi, lo;
                ph_pack(NW[e0] * (X[e0] * inv), NW[e0 + 4] * (X[e0 + 4] * inv), hi, lo);
                ((u32 *)XN)[32 * c + q] = hi;
                ((u32 *)XN)[32 * c + 16 + q] = lo;
            }
        }
    }
    if (lane == 0 && !NORM && push) {
        float v[R];
#pragma unroll
        for (int r = 0; r < R; r++) {
            v[r] = acc[r][0];
            if (n0 + r < N) mgf_put(*F, mg_tag, n0 + r, v[r]);
        }
        mgf_sum_rows<R>(*F, mg_tag, n0, N, v, Y);
    } else if (lane == 0) {
#pragma unroll
        for (int r = 0; r < R; r++)
#pragma unroll
            for (int t = 0; t < NT; t++)
                if (t < T && n0 + r < N) {
                    float *y = Y + (size_t)t * N + n0 + r;
                    float v = NORM ? acc[r][t] * inv : acc[r][t];
                    *y = accumulate ? *y + v : v;
                }
        if (NORM && (SSQ || push)) { /* the sum of squares of the group's R outputs (T = 1, not accumulating) */
            float sq = 0.0f;
#pragma unroll
            for (int r = 0; r < R; r++)
                if (n0 + r < N) {
                    float v = acc[r][0] * inv;
                    sq = fmaf(v, v, sq);
                }
            if (push)
                mgf_put(*F, mg_tag, n0 / R, sq);
            else
                SSQ[n0 / R] = sq;
        }
    }
}
/* Instances: (NT token slots at most, R rows per warp group, U chunks in
   flight, PIPE). T = 1 takes 4 rows per warp group and loads one chunk of
   each ahead (PIPE): the activation (and norm weight) loads, which go through
   L1 at 2 (4 with the norm) bytes per weight byte when a warp has one row, were
   what held q|k|v and o_proj at ~50% of DRAM throughput; the host splits K
   (S) so that the grid still has >= 2 blocks per SM (q|k|v S = 2, o_proj
   S = 4). Measured per decode step on H100 (BENCHMARKS.md): 1 row, 8 chunks a
   round -> 1 row, 4 ahead: -1.6%; -> 2 rows, 2 ahead: -4.1%; -> 4 rows, 1
   ahead: -1.0%. */
extern "C" __global__ void __launch_bounds__(256) k_gemv_bf16_t1(const float *X, const u16 *W, float *Y, int T, int N,
                                                                 int K, int accumulate, int S, int l2_ahead) {
    gemv_bf16_body<1, 4, 1, 0, 1>(X, W, Y, T, N, K, accumulate, S, 0, 0.0f, 0, 0, 0, 0, l2_ahead);
}
extern "C" __global__ void __launch_bounds__(256) k_gemv_bf16_t2(const float *X, const u16 *W, float *Y, int T, int N,
                                                                 int K, int accumulate, int S, int l2_ahead) {
    gemv_bf16_body<2, 2, 4, 0>(X, W, Y, T, N, K, accumulate, S, 0, 0.0f, 0, 0, 0, 0, l2_ahead);
}
extern "C" __global__ void __launch_bounds__(256) k_gemv_bf16_t4(const float *X, const u16 *W, float *Y, int T, int N,
                                                                 int K, int accumulate, int S, int l2_ahead) {
    gemv_bf16_body<4, 4, 2, 0>(X, W, Y, T, N, K, accumulate, S, 0, 0.0f, 0, 0, 0, 0, l2_ahead);
}
extern "C" __global__ void __launch_bounds__(256) k_gemv_bf16_t8(const float *X, const u16 *W, float *Y, int T, int N,
                                                                 int K, int accumulate, int S, int l2_ahead) {
    gemv_bf16_body<8, 4, 2, 0>(X, W, Y, T, N, K, accumulate, S, 0, 0.0f, 0, 0, 0, 0, l2_ahead);
}

/* RMSNorm fused into the product of one token slot (T = 1):
     Y[n] (+)= inv * sum_k W[n, k] * (NW[k] * X[k]),  inv = rsqrt(mean(X^2) + eps)
   = the product with k_rmsnorm's output, without its launch; XN (if not
   null) receives that normed vector (NW * (X * inv), written in slices by
   all blocks). ssq (if not null, accumulate = 0): ssq[n / GV_SSQ_ROWS] = the
   sum of squares of outputs n .. n + GV_SSQ_ROWS - 1 (written by the q|k|v
   product for k_attn_split_qk's QK-norm). Grid, split and l2_ahead as
   k_gemv_bf16_t1; at most 64 registers, so that 4 blocks fit an SM as for
   k_gemv_bf16_t1 (sm_90a: 60, no spills; CUDA 13.0's ptxas spills
   48 / 36 bytes on sm_100a / sm_120a, not measured there). Needs
   K % 8 == 0. */
#define GV_SSQ_ROWS 4 /* R of this instance (MINIMAX__GEMV_ROWS(1) on the host) */
extern "C" __global__ void __launch_bounds__(256, 4) k_gemv_bf16_norm_t1(const float *X, const float *NW, float eps,
                                                                      const u16 *W, float *Y, float *XN, int N, int K,
                                                                      int accumulate, int S, int xn_ph, float *ssq,
                                                                      int l2_ahead) {
    gemv_bf16_body<1, GV_SSQ_ROWS, 1, 1, 1>(X, W, Y, 1, N, K, accumulate, S, NW, eps, XN, xn_ph, ssq, 0, l2_ahead);
}
/* Tensor parallelism, one token slot, with the fused collectives (struct
   mg_fuse above):
   k_gemv_bf16_t1_mg: Y += the sum over ranks of X . W^T (o_proj: this
     rank's part pushed to F.out_site, the others' added as they come).
   k_gemv_bf16_norm_t1_mg: k_gemv_bf16_norm_t1 (the q|k|v product), its
     partial sums of squares pushed to F.out_site instead of ssq. */
extern "C" __global__ void __launch_bounds__(256) k_gemv_bf16_t1_mg(const float *X, const u16 *W, float *Y, int N, int K,
                                                                    int S, const mg_fuse F) {
    gemv_bf16_body<1, 4, 1, 0, 1, 1>(X, W, Y, 1, N, K, 1, S, 0, 0.0f, 0, 0, 0, &F);
}
extern "C" __global__ void __launch_bounds__(256, 4) k_gemv_bf16_norm_t1_mg(const float *X, const float *NW, float eps,
                                                                         const u16 *W, float *Y, float *XN, int N, int K,
                                                                         int S, const mg_fuse F) {
    gemv_bf16_body<1, GV_SSQ_ROWS, 1, 1, 1, 1>(X, W, Y, 1, N, K, 0, S, NW, eps, XN, 0, 0, &F);
}

/* ---- NVFP4 experts for few token slots ----------------------------------------------
   Both kernels read the routing (idx, wt) on the device. A 16-byte chunk of a
   packed row holds 32 E2M1 codes = two 16-element blocks, so its two E4M3
   scales are one 2-byte load. Word w (w = 0..3) of a chunk holds elements
   8w..8w+7 (in the PR layout on Hopper, see k_fp4_layout); fp4_word_pairs
   decodes elements j and j+4 of the word at once into an f16x2 (each value
   times 2^-14, exact), so that the bit operations serve two codes.

   PACKED f16 ARITHMETIC. The decoded pairs are multiplied with f16x2 pairs of
   activations (fma.rn.f16x2: two products an instruction, no conversion)
   over one 16-element block; the block's two partial sums are then converted
   to fp32, scaled and summed in fp32. About 2.1 instructions a weight; the
   earlier kernels converted every decoded code to fp32 for an FFMA (~3.5, two
   thirds of them conversion and FMA), and on Hopper the expert kernels are
   bound by instruction issue and latency, not by memory (BENCHMARKS.md:
   gate/up 24.2 -> 21.0 us, down 15.0 -> 13.8 us a layer on an H100).

   NUMBERS. This is the one place where the fast path does not compute in
   fp32. So that nothing overflows or underflows, every 16-element block of
   activations is scaled by a power of two 2^k that puts its largest |x| in
   [2^13, 2^14] before it is rounded to f16, and the exact fp32 factor 2^-k
   goes with the block (blocks below 2^-110, fp32 subnormals, keep k = 123:
   they come back within 2^-121). A decoded code is e2m1 * 2^-14, so a
   product is at most 6 in magnitude and a half's partial sum (8 products) at
   most 48. Each activation is rounded once (within 2^-11 of it) and each FMA
   rounds its partial sum (2^-11 of it): ~1e-3 of a dot product's sum of
   |products| at worst, the order of the BF16 rounding of activations in the
   reference implementation. tests/test_fast_cpu.c emulates the arithmetic
   (worst 9e-4 over 20000 chunks), tests/gpu_fast.c bounds the kernels
   against fp32 references; NaN and infinity in an input still give NaN or
   infinity.

   ACTIVATION LAYOUT "H2" of a vector v of length K (K % 32 == 0), K/8 words of
   8 elements: word w = 4c + wi (chunk c, wi = 0..3) is the uint4 of the f16x2
   pairs (v[8w + j] * 2^k, v[8w + j + 4] * 2^k), j = 0..3, low half first
   (the pairs fp4_word_pairs decodes), stored at quads[wi * (K/32) + c]:
   lanes taking consecutive chunks read consecutive 16 bytes, conflict-free
   from shared memory. The factors 2^-k of blocks 2c and 2c + 1 are the
   float2 factors[c]. The gate/up kernel stages h so in shared memory and
   writes act so, routed slot r's at act + r * I * 4 bytes: I/8 quads (I * 2
   bytes), then I/32 float2 (I / 4 bytes), within the I * 4 bytes of an fp32
   row of act; the down kernel copies them to shared memory as they are.

   Scaled domain: a block dot is sum(e2m1 * 2^-14 * x * 2^k) times e4m3
   (exact) times 2^-k, so every result is multiplied by ws2 *
   FAST_FP4_CORRECTION once per output. */
/* fp4_word_pairs is the integer path on every architecture (also where
   MINIMAX_FP4_HW = 1 makes FP4_CORRECTION assume exact codes), and the
   scales are exact here, so the fast kernels use their own constant: 2^14
   for the codes. */
#define FAST_FP4_CORRECTION 16384.0f

__device__ __forceinline__ u32 hfma2(u32 a, u32 b, u32 c) {
    u32 d;
    asm("fma.rn.f16x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
    return d;
}
/* (lo, hi) fp32 -> f16x2, each rounded to nearest even */
__device__ __forceinline__ u32 f2h2(float lo, float hi) {
    u32 d;
    asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(d) : "f"(hi), "f"(lo));
    return d;
}
/* v = the 8 elements of word w of a vector, held by a lane whose lane ^ 1
   holds the other word of the same 16-element block (every lane of the warp
   calls this) -> out = the word's H2 quad; returns the block's factor 2^-k.
   NaN is ignored by the maximum and stays NaN in its element. */
__device__ __forceinline__ float h2_word(const float *v, uint4 &out) {
    float mx = 0.0f;
#pragma unroll
    for (int j = 0; j < 8; j++) mx = fmaxf(mx, fabsf(v[j]));
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    int e = (int)((__float_as_uint(mx) >> 23) & 0xffu) - 127; /* floor(log2 mx) for normal mx */
    e = e < -110 ? -110 : e > 127 ? 127 : e;                 /* zero or subnormal; infinity */
    float up = __uint_as_float((u32)(140 - e) << 23);         /* 2^(13 - e) */
    out.x = f2h2(v[0] * up, v[4] * up);
    out.y = f2h2(v[1] * up, v[5] * up);
    out.z = f2h2(v[2] * up, v[6] * up);
    out.w = f2h2(v[3] * up, v[7] * up);
    return __uint_as_float((u32)(114 + e) << 23); /* 2^(e - 13) */
}
/* Two E4M3 bytes (low byte = low half) -> f16x2 of their exact values
   (cvt.rn.f16x2.e4m3x2, sm_89 and later: one instruction). */
__device__ __forceinline__ u32 e4m3x2_to_f16x2(u32 s2) {
    u32 d;
    asm("{\n\t.reg .b16 s;\n\tcvt.u16.u32 s, %1;\n\tcvt.rn.f16x2.e4m3x2 %0, s;\n\t}" : "=r"(d) : "r"(s2));
    return d;
}
/* acc + the dot of one 32-code chunk (two blocks, scales s2 = two E4M3
   bytes) with its 4 H2 quads xq and block factors f. Each block's 8 f16x2
   FMAs leave two half sums (<= 48 each), converted to fp32 and added; the
   block's scale (exact, both converted by one instruction) times its factor
   multiplies that sum in one FFMA into acc. Against converting each scale
   with bit operations and scaling the block sums apart (before 0a4afdf):
   gate/up's main loop 1217 -> 1109 instructions a round, down 1456 -> 1360
   (SASS, real shapes); H200, 62 layers 4.212-4.217 -> 4.184 ms a step, H100,
   16 layers 1.610-1.614 -> 1.607. So little from 9% fewer instructions:
   at batch 1 these kernels are bound less by issue than by their start
   (routing, the first weights' latency) and their end (the last item's
   arithmetic with DRAM idle), BENCHMARKS.md. */
__device__ __forceinline__ float fp4_chunk_acc_h2(float acc, uint4 q, u32 s2, const uint4 *xq, float2 f) {
    u32 wd[4] = {q.x, q.y, q.z, q.w};
    u32 sh = e4m3x2_to_f16x2(s2);
    float sf[2] = {f16f((u16)(sh & 0xffffu)) * f.x, f16f((u16)(sh >> 16)) * f.y};
#pragma unroll
    for (int blk = 0; blk < 2; blk++) {
        u32 a = 0;
#pragma unroll
        for (int ww = 0; ww < 2; ww++) {
            int wi = blk * 2 + ww;
            uint4 xv = xq[wi];
            u32 pj[4];
            fp4_word_pairs(wd[wi], pj);
            a = hfma2(pj[0], xv.x, a);
            a = hfma2(pj[1], xv.y, a);
            a = hfma2(pj[2], xv.z, a);
            a = hfma2(pj[3], xv.w, a);
        }
        acc = fmaf(f16f((u16)(a & 0xffffu)) + f16f((u16)(a >> 16)), sf[blk], acc);
    }
    return acc;
}
/* down's step: one chunk of its two rows (codes q0, q1, scales s0, s1) with
   the activations' 4 H2 quads at ap (NCI quads apart: the layout of act in
   shared memory, [topk][4][I/32]) and their block factors *fp, times the
   expert's weight *wp, into y0, y1 (every walk of the down kernels) */
__device__ __forceinline__ void md_chunk_acc(float &y0, float &y1, uint4 q0, uint4 q1, u32 s0, u32 s1,
                                             const uint4 *ap, int NCI, const float2 *fp, const float *wp) {
    uint4 xq[4];
#pragma unroll
    for (int wi = 0; wi < 4; wi++) xq[wi] = ap[wi * NCI];
    float2 f = *fp;
    float w = *wp;
    f.x *= w;
    f.y *= w;
    y0 = fp4_chunk_acc_h2(y0, q0, s0, xq, f);
    y1 = fp4_chunk_acc_h2(y1, q1, s1, xq, f);
}

/* 16-byte asynchronous copy global -> shared (no registers held while in
   flight); cp_async_wait_all waits for the thread's copies (a barrier then
   makes all threads' copies visible). L1 = 0: through L2 only (.cg, data read
   once per block); 1: kept in L1 as well (.ca, data that other blocks on the
   SM read too). */
template <int L1 = 0>
__device__ __forceinline__ void cp_async16(void *smem, const void *gmem) {
    u32 sa;
    asm volatile("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(sa) : "l"(smem));
    if (L1)
        asm volatile("cp.async.ca.shared.global [%0], [%1], 16;" ::"r"(sa), "l"(gmem) : "memory");
    else
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(sa), "l"(gmem) : "memory");
}
/* 8 bytes (through L1: cp.async.cg takes 16 bytes only) */
__device__ __forceinline__ void cp_async8(void *smem, const void *gmem) {
    u32 sa;
    asm volatile("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(sa) : "l"(smem));
    asm volatile("cp.async.ca.shared.global [%0], [%1], 8;" ::"r"(sa), "l"(gmem) : "memory");
}
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_all;" ::: "memory"); }

/* h (fp32, H values) -> H2 in shared memory (xh: H/8 quads, then H/32
   float2 factors), by threads tid = 0 .. n - 1 (whole warps: n % 32 == 0); a
   warp's lanes 2m, 2m + 1 take the two words of a 16-element block. The
   caller syncs. */
__device__ __forceinline__ void h2_stage(const float *h, uint4 *xh, int H, int tid, int n) {
    int NC = H >> 5, NW = H >> 3;
    float2 *xf = (float2 *)(xh + NW);
    const float4 *x4 = (const float4 *)h;
    for (int w = tid; w < ((NW + 31) & ~31); w += n) {
        int ok = w < NW;
        float4 a = ok ? x4[2 * w] : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        float4 b = ok ? x4[2 * w + 1] : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        float v[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
        uint4 o;
        float f = h2_word(v, o);
        if (ok) {
            xh[(w & 3) * NC + (w >> 2)] = o;
            if (!(w & 1)) ((float *)xf)[w >> 1] = f;
        }
    }
}
/* One warp: the 16 act values sa of row group g (rows 16g .. 16g + 15 of
   I) -> their two H2 words and factor in ar, one slot's act (lanes 0, 1
   store). */
__device__ __forceinline__ void gu_store_act(const float *sa, u8 *ar, int I, int g, int lane) {
    float v[8];
#pragma unroll
    for (int j = 0; j < 8; j++) v[j] = sa[(lane & 1) * 8 + j];
    uint4 o;
    float f = h2_word(v, o);
    int NCI = I >> 5, c = g >> 1, wi = (g & 1) * 2 + lane;
    if (lane < 2) ((uint4 *)ar)[wi * NCI + c] = o;
    if (lane == 0) ((float *)(ar + (size_t)I * 2))[g] = f;
}

/* Routing + gate/up + SiLU for token slot t = blockIdx.y, in one launch:
     idx[t], wt[t] = the top-k of logits[t] (k_router's routing, router_pick)
     act[t * topk + j] (H2 over I) = silu(ws2_1[e] * W1[e] h[t]) * (ws2_3[e] * W3[e] h[t]),  e = idx[t, j]
   logits fp32 [T, E], bias [E]; w1p, w3p [E][I][H/2]; w1s, w3s [E][I][H/16];
   hn fp32 [T, H] natural order. grid (G, T), block 256 = 8 warps, at most
   128 registers (2 blocks an SM): the launcher takes G = 2 x SMs / T (at
   least 1), one wave.
   Every block routes its token for itself (warp 0, while the other warps
   stage h in H2 in dynamic shared memory, H * 2 + H / 4 bytes); blocks
   (0, t) write idx[t], wt[t] for the down kernel. No routing kernel of its
   own: that launch and its latency chain were ~6 us a layer on an H100.
   logits = NULL: the ids are given in idx (k_router ran: top-k above 8).
   rflag (one slot, or null): block 0 sets *rflag = 1 once it has written idx
   (with logits given), and every block triggers the down kernel's launch
   after its routing (k_moe_down_h2_c1's EARLY).
   Then the block walks items u = blockIdx.x, + G, ... < topk * I/16, item u
   = (slot j = u / (I/16), row group g): warp w takes rows 16g + 2w, + 1 of
   W1 and W3 (four rows share each activation read; a block owns whole
   16-element blocks of act, whose factor needs their largest value), lane
   chunks lane + 32k of a round of 96 (ceil(H/3072) rounds an item). As the
   lane consumes chunk k of a round it issues the same chunk of its next
   round or item, so its 12 loads stay in flight from item to item.
   (Persistent, so the routing runs once a block, not once for each of
   2.9 waves of 768 short blocks: that was 10% slower a step.)
   An item's ws2_1, ws2_3 are loaded with its weights (lane 0), not after
   the routing (H100, 16 layers: batch 1 1.764 -> 1.757 ms a step, batch 8
   5.765 -> 5.645). (Measured slower: the first item's loads issued before h
   is staged by all warps, 1.769 -> 1.80 ms, the h reads then wait behind the
   weights; the chosen experts' ws2 gathered from shared copies made during
   the routing, 1.764 -> 1.793 ms; on the H200, 62 layers, one slot, the
   items after each block's first handed out by an atomic counter, so that
   blocks served faster take more: 3.861-3.868 against 3.828-3.840 ms, the
   264 blocks' atomics on one word delaying the routing ~0.4 us while the
   exits' spread narrowed only 3.0 -> 2.8 us.)
   Needs H % 32 == 0, I % 16 == 0, E <= ROUTER_MAXE, topk <= 8 (given ids:
   32). */
#define GU_U 3
/* MOE_SHAPE: the expert shapes at compile time. The engine compiles the
   kernels with its model's -DMINIMAX_MOE_H=<hidden_size>
   -DMINIMAX_MOE_I=<intermediate_size of this GPU's slice> -DMINIMAX_MOE_K=<top_k>,
   and the "_c" instances of the expert kernels (k_moe_gate_up_h2_c,
   k_moe_down_h2_c) take those as constants, so that the loops' trip counts,
   divisions and row offsets fold: 10% fewer instructions in gate/up's main
   loop (1361 -> 1218 a round at the real shapes) and 9% in down's (1296 ->
   1182), kernels that issue many instructions a weight on Hopper (though
   at batch 1 that is not what bounds them most: fp4_chunk_acc_h2).
   Measured, same machine, generic -> compiled: H100, 16 layers, ctx 512,
   batch 1 1.643-1.647 -> 1.616-1.619 ms a step, batch 8 5.610 -> 5.374;
   H200, 62 layers 4.413-4.420 -> 4.209-4.212; 2 x H200, TP=2 (gate/up only:
   the tensor-parallel down, k_moe_down_h2_mg, compiled so was slower, 3.546
   with it) 3.419-3.430 -> 3.347-3.348. Under tensor parallelism the down
   kernel stays generic in every pass (impl_52_fast.h says why). The host
   runs them where a launch's
   shapes are the compiled ones (impl_52_fast.h minimax__fast_moe_kernels),
   the generic instances otherwise (where the defines are missing, 0, the _c
   instances are generic too). */
#ifndef MINIMAX_MOE_H
#define MINIMAX_MOE_H 0
#endif
#ifndef MINIMAX_MOE_I
#define MINIMAX_MOE_I 0
#endif
#ifndef MINIMAX_MOE_K
#define MINIMAX_MOE_K 0
#endif
__device__ __forceinline__ void gu_load(uint4 *q, u32 *sc, const u8 *w1p, const u8 *w1s, const u8 *w3p, const u8 *w3s,
                                        size_t row, int H, int c) {
    int NC = H >> 5;
    const uint4 *p1 = (const uint4 *)(w1p + row * (H / 2)) + c, *p3 = (const uint4 *)(w3p + row * (H / 2)) + c;
    const u8 *s1 = w1s + row * (H / 16) + 2 * c, *s3 = w3s + row * (H / 16) + 2 * c;
    q[0] = ld_stream16(p1); sc[0] = ld_stream_u16(s1);
    q[1] = ld_stream16(p1 + NC); sc[1] = ld_stream_u16(s1 + H / 16);
    q[2] = ld_stream16(p3); sc[2] = ld_stream_u16(s3);
    q[3] = ld_stream16(p3 + NC); sc[3] = ld_stream_u16(s3 + H / 16);
}
template <int HC, int IC, int KC>
__device__ __forceinline__ void moe_gate_up_h2_body(const float *logits, const float *bias, int E, float routed_scale,
                                                    int *idx, float *wt, const float *hn, const u8 *w1p, const u8 *w1s,
                                                    const float *ws2_1, const u8 *w3p, const u8 *w3s,
                                                    const float *ws2_3, u8 *act, int H_, int I_, int topk_,
                                                    int *rflag) {
    const int H = HC ? HC : H_, I = IC ? IC : I_, topk = KC ? KC : topk_; /* MOE_SHAPE */
    /* E <= 256, top-k <= 8 (MiniMax-M2: 256, 8): all warps route, then warp 0
       finishes while the others stage h; else warp 0 routes alone. The bias
       (a weight) is read before the wait: after it, its DRAM round trip was
       on the routing's chain, the logits coming from L2. */
    const bool rblock = logits && E <= 32 * 8 && topk <= 8 && blockDim.x == 256;
    const float bias_e = rblock && (int)threadIdx.x < E ? bias[threadIdx.x] : 0.0f;
    PDL_WAIT();
    extern __shared__ uint4 xh[];
    __shared__ float rsc[ROUTER_MAXE];
    __shared__ float sa[2][16], wsel[32];
    __shared__ int se[32];
    int t = blockIdx.y, G = gridDim.x;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int NC = H >> 5, NG = I >> 4, NU = topk * NG, NR = (NC + 32 * GU_U - 1) / (32 * GU_U);
    __shared__ unsigned long long rcand[64];
    if (rblock) router_pick_block(logits + (size_t)t * E, bias_e, E, topk, routed_scale, rsc, se, wsel, rcand);
    if (warp == 0) {
        if (logits) {
            if (!rblock) router_pick<8>(logits + (size_t)t * E, bias, E, topk, routed_scale, rsc, se, wsel);
            if (lane < topk && blockIdx.x == 0) {
                idx[t * topk + lane] = se[lane];
                wt[t * topk + lane] = wsel[lane];
            }
            if (rflag && blockIdx.x == 0 && gridDim.y == 1) { /* the ids are out (k_moe_down_h2_c1's EARLY) */
                __syncwarp();
                if (lane == 0) mg_store_flag(rflag, 1);
            }
        } else if (lane < topk) {
            se[lane] = idx[t * topk + lane];
        }
    } else {
        h2_stage(hn + (size_t)t * H, xh, H, threadIdx.x - 32, blockDim.x - 32);
    }
    __syncthreads();
    const float2 *xf = (const float2 *)(xh + (H >> 3));
    uint4 q[GU_U][4];
    u32 sc[GU_U][4];
    int u = blockIdx.x, rd = 0, buf = 0;
    float wa = 0.0f, wb = 0.0f; /* the item's ws2_1, ws2_3 (lane 0; loaded with the item's weights) */
    if (u < NU) {
        int j = u / NG;
        size_t row = (size_t)se[j] * I + (u - j * NG) * 16 + warp * 2;
#pragma unroll
        for (int k = 0; k < GU_U; k++)
            if (lane + 32 * k < NC) gu_load(q[k], sc[k], w1p, w1s, w3p, w3s, row, H, lane + 32 * k);
        if (lane == 0) {
            wa = ws2_1[se[j]];
            wb = ws2_3[se[j]];
        }
    }
    float g0 = 0.0f, g1 = 0.0f, u0 = 0.0f, u1 = 0.0f;
    /* rflag (one slot, k_moe_down_h2_c1 next): down's blocks may launch now,
       each taking an SM's room as gate/up's blocks leave it, and ask L2 for
       their rows before their wait (k_moe_down_h2_c1's EARLY, with the
       measurements). Block 0 set the flag before this point, and down
       launches only when every block has triggered. Triggered at each
       block's last item instead: 3.915-3.923 ms a step against 3.886-3.894
       here (H200, 62 layers, same machine, EARLY then prefetching codes and
       scales). */
    if (rflag) PDL_TRIGGER();
    while (u < NU) {
        /* the next step: the item's next round, or the next item's first */
        int un = rd + 1 < NR ? u : u + G, rn = rd + 1 < NR ? rd + 1 : 0;
        size_t rown = 0;
        float wan = wa, wbn = wb;
        if (un < NU) {
            int jn = un / NG;
            rown = (size_t)se[jn] * I + (un - jn * NG) * 16 + warp * 2;
            if (rn == 0 && lane == 0) {
                wan = ws2_1[se[jn]];
                wbn = ws2_3[se[jn]];
            }
        }
#pragma unroll
        for (int k = 0; k < GU_U; k++) {
            int c = 32 * GU_U * rd + lane + 32 * k, cn = 32 * GU_U * rn + lane + 32 * k;
            if (c < NC) {
                uint4 xq[4];
#pragma unroll
                for (int wi = 0; wi < 4; wi++) xq[wi] = xh[wi * NC + c];
                float2 f = xf[c];
                g0 = fp4_chunk_acc_h2(g0, q[k][0], sc[k][0], xq, f);
                g1 = fp4_chunk_acc_h2(g1, q[k][1], sc[k][1], xq, f);
                u0 = fp4_chunk_acc_h2(u0, q[k][2], sc[k][2], xq, f);
                u1 = fp4_chunk_acc_h2(u1, q[k][3], sc[k][3], xq, f);
            }
            if (un < NU && cn < NC) gu_load(q[k], sc[k], w1p, w1s, w3p, w3s, rown, H, cn);
        }
        if (rn == 0) { /* the item's last round: its 16 values of act */
            int j = u / NG;
            g0 = warp_sum(g0); g1 = warp_sum(g1); u0 = warp_sum(u0); u1 = warp_sum(u1);
            if (lane == 0) {
                float a = wa * FAST_FP4_CORRECTION, b = wb * FAST_FP4_CORRECTION;
                g0 *= a; g1 *= a; u0 *= b; u1 *= b;
                sa[buf][warp * 2] = g0 / (1.0f + expf(-g0)) * u0;
                sa[buf][warp * 2 + 1] = g1 / (1.0f + expf(-g1)) * u1;
            }
            __syncthreads();
            if (warp == 0) gu_store_act(sa[buf], act + ((size_t)t * topk + j) * I * 4, I, u - j * NG, lane);
            buf ^= 1;
            g0 = g1 = u0 = u1 = 0.0f;
        }
        u = un;
        rd = rn;
        wa = wan;
        wb = wbn;
    }
}

#define MOE_GATE_UP_ARGS                                                                                          \
    const float *logits, const float *bias, int E, float routed_scale, int *idx, float *wt, const float *hn,        \
        const u8 *w1p, const u8 *w1s, const float *ws2_1, const u8 *w3p, const u8 *w3s, const float *ws2_3, u8 *act, \
        int H, int I, int topk, int *rflag
extern "C" __global__ void __launch_bounds__(256, 2) k_moe_gate_up_h2(MOE_GATE_UP_ARGS) {
    moe_gate_up_h2_body<0, 0, 0>(logits, bias, E, routed_scale, idx, wt, hn, w1p, w1s, ws2_1, w3p, w3s, ws2_3, act, H,
                                 I, topk, rflag);
}
extern "C" __global__ void __launch_bounds__(256, 2) k_moe_gate_up_h2_c(MOE_GATE_UP_ARGS) {
    moe_gate_up_h2_body<MINIMAX_MOE_H, MINIMAX_MOE_I, MINIMAX_MOE_K>(logits, bias, E, routed_scale, idx, wt, hn, w1p,
                                                                     w1s, ws2_1, w3p, w3s, ws2_3, act, H, I, topk,
                                                                     rflag);
}

/* Down projection + routing weights + residual, for token slot t:
     x[t, n] += sum_j wt[t, j] * ws2_2[e_j] * W2[e_j][n] . act[t*topk + j]
   w2p [E][H][I/2]; w2s [E][H][I/16]; act in H2 (k_moe_gate_up_h2).
   grid (ceil(H / MD_ROWS), T), block 128 = 4 warps x 2 output rows; dynamic
   shared memory topk * (I * 2 + I / 4) bytes: the slot's activations, quads
   [topk][4][I/32] then factors [topk][I/32] float2, copied once per block
   (cp.async, under the weights' first loads). A warp walks the topk * I/32
   chunks of its 2 rows (all experts flattened), one activation read from
   shared memory serving both rows. The walk is software-pipelined: two
   register sets of MD_U chunks of both rows, the next round's loads in flight
   while a round is computed (the grid is one wave at the real shapes, so
   without it every warp waited a whole memory latency each round; H100:
   14.7 -> 13.8 us; MD_U 2 or 4 the same). k_moe_down_h2_c1 (one token
   slot, the compiled shapes) asks for the whole walk at once instead (ALL,
   below). Each x[t, n] has one writer. Needs I % 32 == 0, topk <= 32. */
#define MD_ROWS 8
#define MD_U 3
#define MD_ALL 12 /* ALL: at most this many chunks a lane */
template <int MG, int HC, int IC, int KC, int ALL>
__device__ __forceinline__ void moe_down_h2_body(const u8 *act, const int *idx, const float *wt, const u8 *w2p,
                                                 const u8 *w2s, const float *ws2_2, float *x, int H_, int I_,
                                                 int topk_, const mg_fuse *F) {
    const int H = HC ? HC : H_, I = IC ? IC : I_, topk = KC ? KC : topk_; /* MOE_SHAPE */
    extern __shared__ uint4 ah[];
    __shared__ int se[32];
    __shared__ float sf[32];
    PDL_TRIGGER(); /* the next layer's q|k|v product launches beside this one and asks for its first weights */
    const unsigned mg_tag = MG ? (unsigned)*F->gen : 0u; /* (loaded long before its use) */
    int t = blockIdx.y;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int NCI = I >> 5;
    float2 *af = (float2 *)(ah + topk * 4 * NCI);
    { /* the slot's activations -> shared memory, asynchronously */
        int nq = I / 8; /* 16-byte quads of an expert; then NCI 8-byte factor pairs */
        const u8 *a0 = act + (size_t)t * topk * I * 4;
        for (int i = threadIdx.x; i < topk * nq; i += blockDim.x) {
            int j = i / nq;
            cp_async16(&ah[i], a0 + (size_t)j * I * 4 + (size_t)(i - j * nq) * 16);
        }
        for (int i = threadIdx.x; i < topk * NCI; i += blockDim.x) {
            int j = i / NCI;
            cp_async8(&af[i], a0 + (size_t)j * I * 4 + (size_t)I * 2 + (size_t)(i - j * NCI) * 8);
        }
    }
    if (threadIdx.x < topk) {
        int e = idx[t * topk + threadIdx.x];
        se[threadIdx.x] = e;
        sf[threadIdx.x] = wt[t * topk + threadIdx.x] * ws2_2[e];
    }
    __syncthreads();
    int n0 = blockIdx.x * MD_ROWS + warp * 2;
    int live = n0 < H; /* a warp past H still joins the barrier */
    if (!live) n0 = H - 1;
    int n1 = n0 + 1 < H ? n0 + 1 : n0;
    int total = topk * NCI;
    /* chunk f = c + 32k of the walk is chunk cc = f % NCI of expert j = f / NCI:
       kept per k and advanced by 32 * MD_U chunks a round (dj experts and dc
       chunks) without a division; the rows' byte offset within an expert's
       matrix is fixed (p0, p1), the expert's offset eo is shared by both rows,
       and a scale's offset is eo / 8 (16 bytes of codes per 2 bytes of scales). */
    int dj = 32 * MD_U / NCI, dc = 32 * MD_U - dj * NCI;
    int jk[MD_U], ck[MD_U];
#pragma unroll
    for (int k = 0; k < MD_U; k++) {
        jk[k] = (lane + 32 * k) / NCI;
        ck[k] = lane + 32 * k - jk[k] * NCI;
    }
    size_t estride = (size_t)H * (I / 2); /* bytes of codes an expert */
    const u8 *p0 = w2p + (size_t)n0 * (I / 2), *p1 = w2p + (size_t)n1 * (I / 2);
    const u8 *r0 = w2s + (size_t)n0 * (I / 16), *r1 = w2s + (size_t)n1 * (I / 16);
    float y0 = 0.0f, y1 = 0.0f;
    /* a round's registers: codes and scales of both rows, the chunk's factor
       index ai = j * NCI + cc and first quad aq = j * 4 * NCI + cc, the
       expert's weight wf */
    uint4 qa[MD_U][2], qb[MD_U][2];
    u32 sca[MD_U][2], scb[MD_U][2];
    int aia[MD_U], aib[MD_U], aqa[MD_U], aqb[MD_U];
    float wfa[MD_U], wfb[MD_U];
#define MD_LOAD(c, q, sc, ai, aq, wf)                                                                            \
    do {                                                                                                         \
        _Pragma("unroll") for (int k = 0; k < MD_U; k++) {                                                       \
            if ((c) + 32 * k < total) {                                                                          \
                int j = jk[k];                                                                                   \
                size_t eo = (size_t)se[j] * estride + (size_t)ck[k] * 16;                                        \
                q[k][0] = ld_stream16(p0 + eo);                                                                  \
                q[k][1] = ld_stream16(p1 + eo);                                                                  \
                sc[k][0] = ld_stream_u16(r0 + (eo >> 3));                                                        \
                sc[k][1] = ld_stream_u16(r1 + (eo >> 3));                                                        \
                ai[k] = j * NCI + ck[k];                                                                         \
                aq[k] = ai[k] + 3 * j * NCI;                                                                     \
                wf[k] = sf[j];                                                                                   \
            }                                                                                                    \
            jk[k] += dj;                                                                                         \
            ck[k] += dc;                                                                                         \
            if (ck[k] >= NCI) {                                                                                  \
                ck[k] -= NCI;                                                                                    \
                jk[k]++;                                                                                         \
            }                                                                                                    \
        }                                                                                                        \
    } while (0)
#define MD_COMPUTE(c, q, sc, ai, aq, wf)                                                                         \
    do {                                                                                                         \
        _Pragma("unroll") for (int k = 0; k < MD_U; k++) {                                                       \
            if ((c) + 32 * k < total)                                                                            \
                md_chunk_acc(y0, y1, q[k][0], q[k][1], sc[k][0], sc[k][1], ah + aq[k], NCI, af + ai[k], wf + k);   \
        }                                                                                                        \
    } while (0)
    /* ALL (k_moe_down_h2_c1, one token slot): the lane's whole walk, NA
       chunks of both rows, asked for at once (NA <= MD_ALL, all in
       registers: 96 of the kernel's 133 at the real shapes, 3 blocks an SM,
       one wave of 384), then computed in the same order as the rounds below
       (the same bits). H200, 62 layers, batch 1, ctx 512, same machine,
       alternating: 3.929-3.940 -> 3.906-3.914 ms a step; down's work 10.85
       -> 10.40 us a layer (trace), its blocks' exits closer together. Not
       for several slots: batch 8 was 1.6% slower with it (16.048 against
       15.801 ms; presumably its 8 waves at 3 blocks an SM, not 4: not
       measured further). */
    constexpr int NA = ALL && HC && IC && KC && (KC * (IC >> 5)) % 32 == 0 ? KC * (IC >> 5) / 32 : 0;
    if constexpr (NA > 0 && NA <= MD_ALL) {
        uint4 q[NA][2];
        u32 sq[NA][2];
#pragma unroll
        for (int k = 0; k < NA; k++) {
            int f = lane + 32 * k, j = f / NCI, cc = f - j * NCI;
            size_t eo = (size_t)se[j] * estride + (size_t)cc * 16;
            q[k][0] = ld_stream16(p0 + eo);
            q[k][1] = ld_stream16(p1 + eo);
            sq[k][0] = ld_stream_u16(r0 + (eo >> 3));
            sq[k][1] = ld_stream_u16(r1 + (eo >> 3));
        }
        cp_async_wait_all();
        __syncthreads();
#pragma unroll
        for (int k = 0; k < NA; k++) {
            int f = lane + 32 * k, j = f / NCI, cc = f - j * NCI;
            md_chunk_acc(y0, y1, q[k][0], q[k][1], sq[k][0], sq[k][1], ah + j * 4 * NCI + cc, NCI, af + j * NCI + cc,
                         sf + j);
        }
    } else {
        int c = lane;
        MD_LOAD(c, qa, sca, aia, aqa, wfa);
        cp_async_wait_all();
        __syncthreads();
        for (;;) {
            if (c + 32 * MD_U < total) MD_LOAD(c + 32 * MD_U, qb, scb, aib, aqb, wfb);
            MD_COMPUTE(c, qa, sca, aia, aqa, wfa);
            c += 32 * MD_U;
            if (c >= total) break;
            if (c + 32 * MD_U < total) MD_LOAD(c + 32 * MD_U, qa, sca, aia, aqa, wfa);
            MD_COMPUTE(c, qb, scb, aib, aqb, wfb);
            c += 32 * MD_U;
            if (c >= total) break;
        }
    }
#undef MD_LOAD
#undef MD_COMPUTE
    y0 = warp_sum(y0);
    y1 = warp_sum(y1);
    if (live && lane < 2 && !(lane == 1 && n1 == n0)) {
        int n = lane ? n1 : n0;
        float v = (lane ? y1 : y0) * FAST_FP4_CORRECTION;
        if (MG) { /* this rank's part pushed, the sum over ranks added (T = 1) */
            mgf_put(*F, mg_tag, n, v);
            mgf_sum_rows<1>(*F, mg_tag, n, H, &v, x);
        } else {
            x[(size_t)t * H + n] += v;
        }
    }
}
#define MOE_DOWN_ARGS                                                                                             \
    const u8 *act, const int *idx, const float *wt, const u8 *w2p, const u8 *w2s, const float *ws2_2, float *x, int H, \
        int I, int topk
extern "C" __global__ void __launch_bounds__(128, 4) k_moe_down_h2(MOE_DOWN_ARGS) {
    PDL_WAIT();
    moe_down_h2_body<0, 0, 0, 0, 0>(act, idx, wt, w2p, w2s, ws2_2, x, H, I, topk, 0);
}
extern "C" __global__ void __launch_bounds__(128, 4) k_moe_down_h2_c(MOE_DOWN_ARGS) {
    PDL_WAIT();
    moe_down_h2_body<0, MINIMAX_MOE_H, MINIMAX_MOE_I, MINIMAX_MOE_K, 0>(act, idx, wt, w2p, w2s, ws2_2, x, H, I, topk,
                                                                        0);
}
/* EARLY (k_moe_down_h2_c1 given rflag, one token slot): before its
   dependency wait a block asks L2 for the codes of its MD_ROWS rows of each
   routed expert's w2 (topk bulk prefetches of MD_ROWS * I / 2 bytes, one a
   thread), where the routing is already out: the gate/up block that routes
   writes idx, then *rflag = 1, and block 0 here sets *rflag = 0 after the
   wait (every gate/up block has ended then; the next gate/up sets it again
   only after this kernel has ended). gate/up triggers this kernel's launch
   right after its routing, so the blocks land as gate/up's leave SMs and
   their rows come under gate/up's last items. Only a hint: the rows are
   loaded after the wait as before, idx read again; a stale read costs a
   wasted prefetch, never a wrong result. E: the number of experts (ids
   outside it are not prefetched); I % 32 == 0 (as the kernel needs) keeps
   the copies 16-byte aligned.
   Measured, same machine, alternating, H200, 62 layers, batch 1, ctx 512,
   ms a step: no EARLY, no trigger (before) 3.921-3.929; the trigger alone
   3.917-3.923; with EARLY prefetching codes and scales 3.906-3.913 (one
   block's 16 prefetches spread over its 4 warps: 3.945-3.956); codes only
   (this) 3.896-3.907; later (a faster base, 3.829-3.836) the scales added
   as line prefetches (prefetch.global.L2, no copy engine, 48 a block)
   3.856-3.860, codes and scales as line prefetches 3.881-3.893: under
   gate/up's last items DRAM has no room for more. The prefetch issue
   stalls its thread at about DRAM's pace, so without the early launch (the
   blocks arriving after gate/up's end) it cost: 4.019-4.023 against
   3.899-3.905. Not kept: the whole walk
   loaded into registers before the wait (as ALL does after it): ptxas then
   hoisted the codes' decoding above the activations' barrier (160
   registers, not 133), so no block computed before all its rows had come:
   4.19-4.22 ms. */
template <int HC, int IC, int KC>
__device__ __forceinline__ void moe_down_l2_ahead(const int *idx, const u8 *w2p, int H_, int I_, int topk_,
                                                  const int *rflag, int E) {
    const int H = HC ? HC : H_, I = IC ? IC : I_, topk = KC ? KC : topk_; /* MOE_SHAPE */
    if (!rflag || gridDim.y != 1 || threadIdx.x >= topk || *(volatile const int *)rflag != 1) return;
    int e = ((volatile const int *)idx)[threadIdx.x], r0 = blockIdx.x * MD_ROWS;
    int nr = H - r0 < MD_ROWS ? H - r0 : MD_ROWS;
    if (e >= 0 && e < E) l2_prefetch_bulk(w2p + ((size_t)e * H + r0) * (I / 2), nr * (I / 2));
}
/* one token slot: the lane's whole walk in flight at once (ALL), where the
   compiled shapes allow it (else the same as k_moe_down_h2_c); rflag (or
   null): EARLY above */
extern "C" __global__ void __launch_bounds__(128, 3) k_moe_down_h2_c1(MOE_DOWN_ARGS, int *rflag, int E) {
    moe_down_l2_ahead<MINIMAX_MOE_H, MINIMAX_MOE_I, MINIMAX_MOE_K>(idx, w2p, H, I, topk, rflag, E);
    PDL_WAIT();
    if (rflag && blockIdx.x == 0 && threadIdx.x == 0) *rflag = 0;
    moe_down_h2_body<0, MINIMAX_MOE_H, MINIMAX_MOE_I, MINIMAX_MOE_K, 1>(act, idx, wt, w2p, w2s, ws2_2, x, H, I, topk,
                                                                        0);
}
/* Tensor parallelism, one token slot: x += the sum over ranks of their
   parts (this rank's pushed to F.out_site, the others' added as they come:
   struct mg_fuse). */
extern "C" __global__ void __launch_bounds__(128, 4) k_moe_down_h2_mg(MOE_DOWN_ARGS, const mg_fuse F) {
    PDL_WAIT();
    moe_down_h2_body<1, 0, 0, 0, 0>(act, idx, wt, w2p, w2s, ws2_2, x, H, I, topk, &F);
}

/* ---- benchmark helpers ----------------------------------------------------------------
   k_fill_random: dst[i] for i < n 32-bit words, a pure function of (seed, i):
     kind 0: two BF16 values  mean a + b * U(-sqrt3, sqrt3) (standard deviation b)
     kind 1: one fp32 value   the same distribution
     kind 2: four random bytes (packed E2M1 codes: every code occurs)
     kind 3: four E4M3 block scales in [64, 448] (exponent 13..15: the range
             ModelOpt's scale = 448 * block amax / tensor amax takes for
             Gaussian weights; never zero, never NaN)
   grid-stride, any grid. */
__device__ __forceinline__ float fill_uniform(u64 k) { return (float)(k >> 40) * (1.0f / 16777216.0f); }
extern "C" __global__ void k_fill_random(u32 *dst, u64 n, u64 seed, int kind, float a, float b) {
    PDL_WAIT();
    u64 stride = (u64)gridDim.x * blockDim.x;
    for (u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        u64 k = mix64(seed ^ mix64(i));
        u32 out;
        if (kind == 0) {
            float v0 = a + b * 1.7320508f * (2.0f * fill_uniform(k) - 1.0f);
            float v1 = a + b * 1.7320508f * (2.0f * fill_uniform(k << 24) - 1.0f);
            out = (u32)f2bf16(v0) | ((u32)f2bf16(v1) << 16);
        } else if (kind == 1) {
            out = __float_as_uint(a + b * 1.7320508f * (2.0f * fill_uniform(k) - 1.0f));
        } else if (kind == 2) {
            out = (u32)k;
        } else {
            out = 0;
            for (int j = 0; j < 4; j++) {
                u32 r = (u32)(k >> (16 * j));
                u32 byte = ((13u + (r & 0xffffu) % 3u) << 3) | ((r >> 8) & 7u);
                if (byte == 0x7fu) byte = 0x7eu; /* 0x7f is E4M3's NaN */
                out |= byte << (8 * j);
            }
        }
        dst[i] = out;
    }
}

/* Read-only bandwidth probe: every 16-byte word of src[n] read once (4 loads
   in flight per thread, grid-stride); one XOR per block written so the loads
   cannot be dropped. grid (any), block 256; out [gridDim.x]. */
extern "C" __global__ void k_read_bw(const uint4 *src, u64 n, u32 *out) {
    PDL_WAIT();
    __shared__ u32 red[256];
    u64 stride = (u64)gridDim.x * blockDim.x;
    u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    u32 accx = 0;
    for (; i + 3 * stride < n; i += 4 * stride) {
        uint4 v0 = ld_stream16(src + i), v1 = ld_stream16(src + i + stride);
        uint4 v2 = ld_stream16(src + i + 2 * stride), v3 = ld_stream16(src + i + 3 * stride);
        accx ^= v0.x ^ v0.y ^ v0.z ^ v0.w ^ v1.x ^ v1.y ^ v1.z ^ v1.w ^ v2.x ^ v2.y ^ v2.z ^ v2.w ^ v3.x ^ v3.y ^ v3.z ^ v3.w;
    }
    for (; i < n; i += stride) {
        uint4 v = ld_stream16(src + i);
        accx ^= v.x ^ v.y ^ v.z ^ v.w;
    }
    red[threadIdx.x] = accx;
    __syncthreads();
    if (threadIdx.x == 0) {
        u32 s = 0;
        for (int j = 0; j < (int)blockDim.x; j++) s ^= red[j];
        out[blockIdx.x] = s;
    }
}

/* ---- split-KV decode attention (head_dim 128, GQA group <= 8) -------------------------
   The general k_attention walks a session's keys with 4 warps per query head,
   one key after another: at 32k tokens of context that is ~8 ms per layer.
   Here the keys of token slot t are cut into at most gridDim.y splits (a
   fixed grid, so that a captured graph stays valid while the context grows)
   of attn_split_keys() keys each: ceil(keys / gridDim.y), but at least
   min_keys (chosen by the host per launch), so that a short context of many
   token slots runs few blocks and the merge reads few partials; blocks of
   splits past the keys return at once. One block serves the whole GQA group
   of one KV head, so every K/V row is read once per step.
   k_attn_split: grid (nkv, splits, T), block 128 = 4 warps (at most 168
   registers: 3 blocks per SM, so 48 splits x 8 KV heads are one wave on 132
   SMs), dynamic shared
   memory 5 * G * 128 floats (G = nh / nkv). A longer split: tiles of 8 keys
   a warp on the tensor cores, online softmax per head in fp32 (__expf, as
   k_attention); see attn_tc_tile. A split of at most 4 * FA_SHORT keys (a
   batch-1 step up to 1536 tokens of context on 48 splits) goes another way:
   a warp per key (keys j0 + warp + 4u), lane = 4 dims of its K and V rows
   (8-byte loads, all of the warp's rows in flight at once), the G scores by
   one transposed warp reduction (attn_key4). (With lane = key, 11 keys a
   split at 512 tokens left 21 lanes and 3 warps idle, and one warp spent
   ~5000 dependent instructions: 14.6 us a layer, its warps stalled 10 of 17
   cycles at the barrier.) The 4 warps
   merge in shared memory and write part[t][h][split] = (o[128] unnormalised,
   max, sum, 2 unused) (fp32, FA_PART = 132 floats).
   k_attn_merge: grid (nh, T), block 128: out[t, h*128 + i] = the used
   splits' softmax-weighted sum (same min_keys as the split launch). qr fp32 [T, nh*128] (normed, rotated); KV layout as
   in the file comment.
   k_attn_split_qk: k_attn_split taking the raw q|k|v and doing the QK-norm,
   RoPE and KV append itself (decode steps of one token slot; see
   attn_split_body). */
#define FA_D 128
#define FA_PART (FA_D + 4) /* floats a split's partial: o[128], max, sum, 2 unused (rows of 16 bytes) */
#define FA_SSQ_U 12 /* partial sums of squares a thread loads at once: 128 x 12 = the 1536 of 48 query heads */
#define FA_MAXG 8
#define FA_SHORT 8 /* splits of at most 4 * FA_SHORT keys take the warp-per-key path */
/* keys per split of a token slot with nkeys keys (the splits used: ceil(nkeys / per)) */
__device__ __forceinline__ int attn_split_keys(int nkeys, int nsplit, int min_keys) {
    int per = (nkeys + nsplit - 1) / nsplit;
    return per > min_keys ? per : min_keys;
}
__device__ __forceinline__ uint2 ld_stream8(const void *p) {
    uint2 v;
    asm volatile("ld.global.nc.L1::no_allocate" LD_STREAM_HINT ".v2.u32 {%0, %1}, [%2]" LD_STREAM_ARG(3) ";"
                 : "=r"(v.x), "=r"(v.y)
                 : "l"(p) LD_STREAM_POLICY);
    return v;
}
/* ---- the longer splits on the tensor cores ----
   A warp takes tiles of 8 keys (keys jt .. jt + 7 of its split; warp w the
   tiles j0 + 8w + 32i) and, for the G <= 8 query heads of its KV head:
     S (heads x 8 keys)  = Q K^T      mma.m16n8k16, A = Q (rows = heads,
                                      padded to 16 with zeros), B = K rows
     O^T (128 dims x heads) += V^T P^T  mma.m16n8k8, A = V^T, B = P^T, which
                                      is S's accumulator layout (thread (g, t)
                                      holds head g, keys 2t, 2t + 1), so the
                                      probabilities never leave registers
   with BF16 operands and fp32 accumulation. Q and P are fp32 numbers: each is
   split into hi = bf16(x) and lo = bf16(x - hi), and both are multiplied
   (two mmas), so the products carry ~16 bits of q and p, not 8 (K and V are
   BF16 in the cache: exact). The CUDA-core loop this replaces spent ~2400
   instructions a warp on every 32 keys (1536 FMA a key for 6 heads, q read
   from shared memory for each): at 32k tokens of context it was compute- and
   latency-bound at ~2.0 TB/s (BENCHMARKS.md, eighteenth session).
   Dimension order. A dot product does not care in which order its 128
   dimensions go, so every operand is read in an order that makes a thread's
   share of a row contiguous (16-byte loads straight into fragments):
     QK^T, k-step s (0..7), fragment element (t, e) (e = 0..3: k = 2t, 2t+1,
       2t+8, 2t+9): dimension 32(s >> 1) + 8t + 4(s & 1) + e; thread (g, t)
       loads bytes 16t + 64c .. + 15 (c = 0..3) of key g's K row.
     V^T P^T, m-tile i (0..7), row g (h = 0) or g + 8 (h = 1): dimension
       64(i >> 2) + 8g + 2(i & 3) + h; thread (g, t) loads bytes 16g + 128c ..
       + 15 (c = 0, 1) of the V rows of keys 2t and 2t + 1 and pairs their
       halves with byte permutes.
   A load instruction so reads whole 32-byte sectors of each row (64 bytes of
   a K row, 128 of a V row), not half of each of twice as many sectors (the
   first form, a thread's 64 / 32 bytes of a row contiguous: H200, 62 layers
   at 32k tokens of context, 6.27 ms a step against 6.02, each against the
   CUDA-core loop's 7.65-7.68 in its call; ncu of the first form: 47.6 us
   alone, DRAM 60%, L1 61%, L2 65%).
   Thread (g, t) ends with O of heads 2t, 2t + 1 at its 16 dimensions of row
   g. Keys past the split's end are loaded from the tile's key 0 (valid,
   finite) and scored -inf (p = 0). Per 8 keys a warp issues 8 16-byte loads a
   thread, 32 mmas (16 with K, 16 with V), 16 byte permutes and the softmax
   (~350 instructions in all, ncu). Two tiles' rows in registers: the next
   tile's loads are in flight while a tile is computed. Measured slower
   (BENCHMARKS.md, twenty-first session): each thread's rows of the tile two
   and three ahead also in flight, through a ring of cp.async stages in
   shared memory (6.02 -> 6.94 ms a step at 32k), or asked of L2
   (prefetch.global.L2) two or three tiles ahead (6.31, 6.35); K rows two
   tiles ahead in registers, V one (5.95 -> 6.06). */
__device__ __forceinline__ u32 f2bf2(float lo, float hi) { /* (lo, hi) -> bf16x2, each rounded to nearest even */
    u32 d;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(d) : "f"(hi), "f"(lo));
    return d;
}
/* x = (lo, hi) as hi = bf16x2(x), returned, and lo = bf16x2(x - hi) */
__device__ __forceinline__ u32 bf2_split(float x0, float x1, u32 &lo) {
    u32 h = f2bf2(x0, x1);
    lo = f2bf2(x0 - __uint_as_float(h << 16), x1 - __uint_as_float(h & 0xffff0000u));
    return h;
}
/* (not volatile: pure functions of their operands, so the compiler may
   interleave independent ones) */
__device__ __forceinline__ void mma_bf16_16816(float *c, u32 a0, u32 a1, u32 a2, u32 a3, u32 b0, u32 b1) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
__device__ __forceinline__ void mma_bf16_1688(float *c, u32 a0, u32 a1, u32 b0) {
    asm("mma.sync.aligned.m16n8k8.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5}, {%6}, {%0, %1, %2, %3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(b0));
}
/* one tile's rows in a thread's registers: k = its 64 bytes of key g's K
   row, va / vb = its 32 bytes of the V rows of keys 2t / 2t + 1 (the byte
   offsets above) */
struct attn_tile {
    uint4 k[4], va[2], vb[2];
};
/* Where tile jt's keys are in the paged cache: block table entry bi = jt /
   bs, row r0 = jt % bs, advanced by 32 keys a tile without a division (a
   tile's key k is then in entry bi + (r0 + k) / bs: at bs >= 8 one compare) */
struct attn_cursor {
    int bi, r0;
};
__device__ __forceinline__ void attn_cursor_step(attn_cursor &c, int bs) {
    c.r0 += 32;
    while (c.r0 >= bs) {
        c.r0 -= bs;
        c.bi++;
    }
}
/* the cache row (K; its V row is kvhs elements on) of key k of the tile at
   cursor c (tile start jt; keys past j1 - 1 read the tile's key 0's, valid);
   kvb: the layer's cache + this KV head's rows within a block */
__device__ __forceinline__ const u16 *attn_tile_row(const u16 *kvb, const int *bt, size_t kvhs, int bs, attn_cursor c,
                                                    int jt, int j1, int k) {
    int r = jt + k < j1 ? c.r0 + k : c.r0, q = c.bi;
    while (r >= bs) {
        r -= bs;
        q++;
    }
    return kvb + (size_t)bt[q] * 2 * kvhs + (size_t)r * FA_D;
}
__device__ __forceinline__ void attn_tc_load(attn_tile &b, const u16 *kvb, const int *bt, size_t kvhs, int bs,
                                             attn_cursor cur, int jt, int j1, int g, int t) {
    const u16 *kr = attn_tile_row(kvb, bt, kvhs, bs, cur, jt, j1, g) + 8 * t; /* (elements, not bytes) */
    const u16 *va = attn_tile_row(kvb, bt, kvhs, bs, cur, jt, j1, 2 * t) + kvhs + 8 * g;
    const u16 *vb = attn_tile_row(kvb, bt, kvhs, bs, cur, jt, j1, 2 * t + 1) + kvhs + 8 * g;
#pragma unroll
    for (int c = 0; c < 4; c++) b.k[c] = ld_stream16(kr + 32 * c);
    b.va[0] = ld_stream16(va);
    b.va[1] = ld_stream16(va + 64);
    b.vb[0] = ld_stream16(vb);
    b.vb[1] = ld_stream16(vb + 64);
}
/* tile jt (keys < j1 valid) into the warp's online softmax: m, l = head g's
   running max and this thread's part of its sum (keys 2t, 2t + 1 of every
   tile; the quad's parts are added at the end), o = O^T as above */
__device__ __forceinline__ void attn_tc_tile(const attn_tile &b, const uint4 *qf, float (*o)[4], float &m, float &l,
                                             int jt, int j1, int t) {
    float c[2][4];
#pragma unroll
    for (int z = 0; z < 2; z++) c[z][0] = c[z][1] = c[z][2] = c[z][3] = 0.0f;
#pragma unroll
    for (int s = 0; s < 8; s++) { /* two accumulators: two independent chains of mmas */
        u32 b0 = (s & 1) ? b.k[s >> 1].z : b.k[s >> 1].x, b1 = (s & 1) ? b.k[s >> 1].w : b.k[s >> 1].y;
        uint4 f = qf[s * 32];
        mma_bf16_16816(c[0], f.x, 0u, f.y, 0u, b0, b1);
        mma_bf16_16816(c[1], f.z, 0u, f.w, 0u, b0, b1);
    }
    const float ninf = -__int_as_float(0x7f800000);
    float s0 = jt + 2 * t < j1 ? c[0][0] + c[1][0] : ninf;
    float s1 = jt + 2 * t + 1 < j1 ? c[0][1] + c[1][1] : ninf;
    float mx = fmaxf(s0, s1);
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2)); /* finite: the tile's key 0 is valid */
    float mn = fmaxf(m, mx), corr = __expf(m - mn);
    float p0 = __expf(s0 - mn), p1 = __expf(s1 - mn);
    l = fmaf(l, corr, p0 + p1);
    m = mn;
    /* O^T's columns are heads 2t, 2t + 1: their factors from the lanes of rows 2t, 2t + 1 */
    float ca = __shfl_sync(0xffffffffu, corr, 8 * t), cb = __shfl_sync(0xffffffffu, corr, 8 * t + 4);
    u32 pl, ph = bf2_split(p0, p1, pl);
    u32 wa[8] = {b.va[0].x, b.va[0].y, b.va[0].z, b.va[0].w, b.va[1].x, b.va[1].y, b.va[1].z, b.va[1].w};
    u32 wb[8] = {b.vb[0].x, b.vb[0].y, b.vb[0].z, b.vb[0].w, b.vb[1].x, b.vb[1].y, b.vb[1].z, b.vb[1].w};
    u32 va[8][2];
#pragma unroll
    for (int i = 0; i < 8; i++) {
        o[i][0] *= ca;
        o[i][1] *= cb;
        o[i][2] *= ca;
        o[i][3] *= cb;
        va[i][0] = __byte_perm(wa[i], wb[i], 0x5410);
        va[i][1] = __byte_perm(wa[i], wb[i], 0x7632);
        mma_bf16_1688(o[i], va[i][0], va[i][1], ph);
    }
#pragma unroll
    for (int i = 0; i < 8; i++) mma_bf16_1688(o[i], va[i][0], va[i][1], pl); /* (apart: not each right behind its hi) */
}

/* One key of the split-KV attention for a warp, lane = dims 4 lane .. 4 lane
   + 3: k (k0..k3) scored against the G <= 8 queries qv, the online softmax
   state of each head updated with v (v0..v3): acc (the lane's 4 dimensions
   of every head's O) in every lane, a head's max and sum (mh, lh) in its 4
   lanes 4h .. 4h + 3 (h = lane >> 2, the tensor-core tiles' layout too).
   The scores are reduced transposed: the lane's products of the 8 heads are
   halved at each of the 5 butterfly steps (4 + 2 + 1 + 1 + 1 shuffles, not 5
   a head), so lanes 4h .. 4h + 3 end with head h's score (the same pairs
   added in the same order as warp_sum: the same bits), do head h's softmax
   (2 exponentials a lane, not 2 a head), and every lane takes each head's two
   factors from lane 4h. Against warp sums a head (30 shuffles and 12
   exponentials a key a lane): H200, 62 layers, batch 1, ctx 512, 3.978-3.988
   -> 3.966-3.969 ms a step; ctx 1024 4.080 -> 4.047 (BENCHMARKS.md, twenty-
   second session). */
template <int GM>
__device__ __forceinline__ void attn_key4(const float4 *qv, int G, float k0, float k1, float k2, float k3, float v0,
                                          float v1, float v2, float v3, float &mh, float &lh, float (*acc)[4],
                                          int lane) {
    float p[8];
#pragma unroll
    for (int g = 0; g < 8; g++)
        p[g] = g < GM && g < G ? fmaf(qv[g].x, k0, fmaf(qv[g].y, k1, fmaf(qv[g].z, k2, qv[g].w * k3))) : 0.0f;
    const bool b4 = lane & 16, b3 = lane & 8, b2 = lane & 4;
    float r[4], t2[2];
#pragma unroll
    for (int i = 0; i < 4; i++) r[i] = (b4 ? p[i + 4] : p[i]) + __shfl_xor_sync(0xffffffffu, b4 ? p[i] : p[i + 4], 16);
#pragma unroll
    for (int i = 0; i < 2; i++) t2[i] = (b3 ? r[i + 2] : r[i]) + __shfl_xor_sync(0xffffffffu, b3 ? r[i] : r[i + 2], 8);
    float sc = (b2 ? t2[1] : t2[0]) + __shfl_xor_sync(0xffffffffu, b2 ? t2[0] : t2[1], 4);
    sc += __shfl_xor_sync(0xffffffffu, sc, 2);
    sc += __shfl_xor_sync(0xffffffffu, sc, 1);
    float mn = fmaxf(mh, sc);
    float corr = __expf(mh - mn), pg = __expf(sc - mn);
    lh = fmaf(lh, corr, pg);
    mh = mn;
#pragma unroll
    for (int g = 0; g < GM; g++) {
        if (g < G) {
            float cg = __shfl_sync(0xffffffffu, corr, 4 * g), pgg = __shfl_sync(0xffffffffu, pg, 4 * g);
            acc[g][0] = fmaf(acc[g][0], cg, pgg * v0);
            acc[g][1] = fmaf(acc[g][1], cg, pgg * v1);
            acc[g][2] = fmaf(acc[g][2], cg, pgg * v2);
            acc[g][3] = fmaf(acc[g][3], cg, pgg * v3);
        }
    }
}

/* the group's G queries (scaled, in shared memory qs [G][128]) in the
   warp-per-key layout of attn_key4: lane = dims 4 lane .. + 3 of each head */
template <int GM>
__device__ __forceinline__ void attn_load_q4(float4 *qv, const float *qs, int G, int lane) {
#pragma unroll
    for (int g = 0; g < GM; g++)
        if (g < G) qv[g] = ((const float4 *)(qs + g * FA_D))[lane];
}

/* QK = 0: q from qr (normed and rotated by k_qk_norm_rope_kv; the token's key
   already in the cache). QK = 1 (k_attn_split_qk, decode of one token slot
   per session): qr is the raw q|k|v of the pass, and each block does the
   QK-norm itself: the sums of squares of the whole q and k (as
   k_qk_norm_rope_kv computes them; with ss given, the all-reduced sums of
   tp ranks as k_mg_qk_norm_rope_kv), the RoPE angles once (or loaded: ROPE
   below), its G query heads normed and rotated into shared memory; the
   split holding the token's own key (the last) norms and rotates it,
   appends K and V (BF16) to the cache and scores that key from shared
   memory after its loop (the other
   splits never read it). Saves k_qk_norm_rope_kv's launch (6.2 us a layer;
   the split kernel grows 10.9 -> 14.3 us, the sums being most of it: each
   of the 384 blocks reads all of q and k; since then they come from the
   q|k|v product's partial sums, ssq). GC: the group size G fixed at compile
   time (the head loops unrolled G times), or 0: G = nh / nkv at run time, the
   loops unrolled FA_MAXG times with a test each. The generic instances
   spilled before the tensor-core tiles (the QK one 296 bytes, 400 with the
   L2 policy operands; 12 in k_attn_split's); no instance does now (ptxas,
   sm_90a, with and without the policy operands: 0 bytes spill stores; the
   QK instances' 32-byte stack frame is sincosf's, in rope_cs). The G = 6
   ones were 16% smaller (minimax__fast_attn_split_kernel says what that
   measured).
   ROPE (QK): the angles (cos, sin) of pair i < rd / 2 at the token's
   position are the same in every layer, so only the pass's first layer
   computes them (rope_cs: powf, a division and sincosf, ~0.45 us of the
   block's chain between the sums of squares and the rotation); with
   rope_mode 1 its block (kvh 0, split 0) of each slot t also stores them
   to rope [T][rd / 2] float2, and with rope_mode 2 the later layers load
   them from there, beside the sums' loads (the same values: the same
   bits; the table is written 7 launches before its next reader, which
   reads it after its wait). rope_mode 0: computed, not stored. H200, 62
   layers, batch 1, ctx 512, same machine, alternating, ms a step:
   3.825-3.837 -> 3.800-3.802; the trace: the attention's work 6.40 ->
   5.92 us a layer. */
template <int QK, int GC>
__device__ __forceinline__ void attn_split_body(const float *qr, float *part, const int *pos, const int *srow,
                                                const int *block_table, const u16 *kv, u16 *kv_w, int layer,
                                                int nblocks, int max_blocks, int bs, int nh, int nkv, int min_keys,
                                                const float *q_norm_w, const float *k_norm_w, const float *ss, int tp,
                                                int rd, float theta, float eps, const float *ssq, const mg_fuse *F,
                                                float2 *rope = 0, int rope_mode = 0) {
    extern __shared__ float fsm[];
    __shared__ float wm[4][FA_MAXG], wl[4][FA_MAXG];
    int kvh = blockIdx.x, sp = blockIdx.y, t = blockIdx.z, nsplit = gridDim.y;
    constexpr int GM = GC ? GC : FA_MAXG; /* the head loops' trip count (GC: the group size, fixed) */
    const int G = GC ? GC : nh / nkv;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    float *qs = fsm, *wo = fsm + G * FA_D;
    int nkeys = pos[t] + 1;
    int per = attn_split_keys(nkeys, nsplit, min_keys);
    int j0 = sp * per, j1 = j0 + per < nkeys ? j0 + per : nkeys;
    /* QK, a short split (the warp-per-key path below): its cached keys are
       older than the pass (only the token's own, the last, is appended here),
       so their K and V rows are loaded before the wait, under the end of the
       q|k|v product: the split's DRAM round trip (block table, then rows)
       leaves the chain (H100, 16 layers, batch 1, ctx 512: 1.667-1.672 ->
       1.643-1.648 ms a step). jl: the loops' end (j1 - 1 where the split
       holds the token's own key, scored from shared memory). */
    uint2 kk[FA_SHORT], vv[FA_SHORT];
    const int jl = j1 == nkeys ? j1 - 1 : j1;
    const int pre = QK && j0 < nkeys && jl - j0 <= 4 * FA_SHORT;
    if (pre) {
        const int *bt = block_table + srow[t] * max_blocks;
        size_t kvhs = (size_t)nkv * bs * FA_D;
        const u16 *kbase = kv + (size_t)layer * nblocks * 2 * kvhs;
#pragma unroll
        for (int u = 0; u < FA_SHORT; u++) {
            int j = j0 + warp + 4 * u;
            if (j < jl) {
                const u16 *krow = kbase + (size_t)bt[j / bs] * 2 * kvhs + ((size_t)kvh * bs + j % bs) * FA_D;
                kk[u] = ld_stream8(krow + lane * 4);
                vv[u] = ld_stream8(krow + kvhs + lane * 4);
            }
        }
    }
    /* QK: the group's q_norm_w and k_norm_w rows (weights, 4 lines of 128
       bytes a head) asked of L2 before the wait (COLD LOADS at PDL_WAIT) */
    if (QK) {
        int i = threadIdx.x;
        if (i < 4 * G)
            l2_prefetch_line(q_norm_w + (size_t)kvh * G * FA_D + 32 * i);
        else if (i < 4 * G + 4)
            l2_prefetch_line(k_norm_w + (size_t)kvh * FA_D + 32 * (i - 4 * G));
    }
    PDL_WAIT();
    if (j0 >= nkeys) return; /* a split past the keys: the merge skips it */
    const float scale = rsqrtf((float)FA_D);
    /* QK: the token's own key and value, and whether this split holds them
       (volatile, read after the loops, so as not to hold a register through
       them; the generic QK instance spilled the same 124 bytes with a register instead) */
    __shared__ float knew[QK ? FA_D : 1], vnew[QK ? FA_D : 1];
    volatile __shared__ int s_has_new;
    if (QK) {
        __shared__ float red[64];
        __shared__ float2 cs[FA_D / 2];
        int qn = nh * FA_D, kn = nkv * FA_D, i = threadIdx.x, half = rd / 2;
        const float *row = qr + (size_t)t * (qn + 2 * kn);
        /* rope_mode 2: the angles as the pass's first layer stored them, loaded
           beside the sums' loads (ROPE above) */
        float2 rc = make_float2(0.0f, 0.0f);
        if (rope_mode == 2 && i < half) rc = rope[t * half + i];
        float sq, sk;
        if (ss) { /* tp: the all-reduced sums */
            sq = ss[t * 2];
            sk = ss[t * 2 + 1];
        } else if (ssq || (F && mgf_on_in(*F))) {
            /* the q|k|v product's partial sums (one token slot): 1.8 K floats,
               not 7 K; tp with fused collectives: those of every rank,
               pushed by their products (summed in rank order) */
            int nq = qn / GV_SSQ_ROWS, nk = kn / GV_SSQ_ROWS;
            float a[FA_SSQ_U], b[FA_SSQ_U];
            float pa = 0.0f, pb = 0.0f;
            if (!ssq) {
                if (mgf_sum<8>(*F, nq + nk, nq, &pa, &pb)) return;
            } else {
                for (int j0 = threadIdx.x; j0 < nq || j0 < nk; j0 += FA_SSQ_U * blockDim.x) {
#pragma unroll
                    for (int u = 0; u < FA_SSQ_U; u++) { /* all of the round's loads in flight at once */
                        int j = j0 + u * (int)blockDim.x;
                        a[u] = j < nq ? ssq[j] : 0.0f;
                        b[u] = j < nk ? ssq[nq + j] : 0.0f;
                    }
#pragma unroll
                    for (int u = 0; u < FA_SSQ_U; u++) {
                        pa += a[u];
                        pb += b[u];
                    }
                }
            }
            float2 tot = block_sum2(pa, pb, red);
            sq = tot.x;
            sk = tot.y;
        } else {
            sq = qk_sumsq(row, qn, red);
            sk = qk_sumsq(row + qn, kn, red);
        }
        float iq = rsqrtf(sq / ((float)qn * (float)tp) + eps), ik = rsqrtf(sk / ((float)kn * (float)tp) + eps);
        if (i < half) { /* the angles of position pos[t], once a block */
            if (rope_mode != 2) rc = rope_cs(nkeys - 1, i, rd, theta);
            cs[i] = rc;
            if (rope_mode == 1 && kvh == 0 && sp == 0) rope[t * half + i] = rc;
        }
        __syncthreads();
        int has_new = j1 == nkeys; /* this split holds the token's own key: scored last, from knew / vnew */
        if (threadIdx.x == 0) s_has_new = has_new;
        /* thread i = dimension i of each head (FA_D == blockDim.x): the group's
           G query heads (all loads first), then the new key and value */
        float xa[FA_MAXG + 1], xb[FA_MAXG + 1], wa[FA_MAXG + 1], wb[FA_MAXG + 1];
        int ib = i < half ? i + half : i; /* the RoPE partner (a pair's first thread loads both) */
        u16 *knew_row = has_new ? kv_row(kv_w, block_table, srow, pos, t, layer, nblocks, max_blocks, bs, nkv, FA_D) +
                                      (size_t)kvh * bs * FA_D
                                : 0;
#pragma unroll
        for (int g = 0; g <= GM; g++) {
            if (g < G || (g == GM && has_new)) {
                int off = g < G ? (kvh * G + g) * FA_D : qn + kvh * FA_D;
                const float *w = g < G ? q_norm_w + (kvh * G + g) * FA_D : k_norm_w + kvh * FA_D;
                xa[g] = row[off + i];
                xb[g] = row[off + ib];
                wa[g] = w[i];
                wb[g] = w[ib];
            }
        }
        float vraw = has_new ? row[qn + kn + kvh * FA_D + i] : 0.0f;
#pragma unroll
        for (int g = 0; g <= GM; g++) {
            if (g < G || (g == GM && has_new)) {
                float inv = g < G ? iq : ik;
                float fa = wa[g] * (xa[g] * inv), fb = wb[g] * (xb[g] * inv);
                float a = fa, b = 0.0f;
                if (i < half) {
                    float2 r = cs[i];
                    a = fa * r.x - fb * r.y;
                    b = fb * r.x + fa * r.y;
                }
                if (i >= half && i < rd) continue; /* written by thread i - half */
                if (g < G) {
                    qs[g * FA_D + i] = a * scale;
                    if (i < half) qs[g * FA_D + i + half] = b * scale;
                } else {
                    u16 ka = f2bf16(a), kb = f2bf16(b), vb = f2bf16(vraw);
                    knew_row[i] = ka;
                    knew[i] = bf16f(ka);
                    if (i < half) {
                        knew_row[i + half] = kb;
                        knew[i + half] = bf16f(kb);
                    }
                    knew_row[(size_t)nkv * bs * FA_D + i] = vb;
                    vnew[i] = bf16f(vb);
                }
            }
        }
        if (has_new && i >= half && i < rd) { /* the V of the dims whose K thread i - half wrote */
            u16 vb = f2bf16(vraw);
            knew_row[(size_t)nkv * bs * FA_D + i] = vb;
            vnew[i] = bf16f(vb);
        }
        if (has_new) j1--; /* the loops below stop before the new key */
    } else { /* the group's queries: 16-byte loads, all issued before the stores */
        const float4 *q4 = (const float4 *)(qr + (size_t)t * nh * FA_D + (size_t)kvh * G * FA_D);
        float4 v[FA_MAXG * FA_D / 4 / 128];
#pragma unroll
        for (int u = 0; u < FA_MAXG * FA_D / 4 / 128; u++) {
            int i = threadIdx.x + 128 * u;
            if (i < G * FA_D / 4) v[u] = q4[i];
        }
#pragma unroll
        for (int u = 0; u < FA_MAXG * FA_D / 4 / 128; u++) {
            int i = threadIdx.x + 128 * u;
            if (i < G * FA_D / 4)
                ((float4 *)qs)[i] = make_float4(v[u].x * scale, v[u].y * scale, v[u].z * scale, v[u].w * scale);
        }
    }
    __syncthreads();
    const int *bt = block_table + srow[t] * max_blocks;
    size_t kvhs = (size_t)nkv * bs * FA_D;
    const u16 *kbase = kv + (size_t)layer * nblocks * 2 * kvhs;
    /* the warp's online softmax (attn_key4): O's 4 dims a lane of every head, head lane >> 2's max and sum */
    float acc[FA_MAXG][4], mh = -__int_as_float(0x7f800000), lh = 0.0f;
    if (j1 - j0 <= 4 * FA_SHORT) { /* a short split: a warp per key, lane = dims 4 lane .. 4 lane + 3 */
#pragma unroll
        for (int g = 0; g < GM; g++) acc[g][0] = acc[g][1] = acc[g][2] = acc[g][3] = 0.0f;
        float4 qv[FA_MAXG];
        attn_load_q4<GM>(qv, qs, G, lane);
#pragma unroll
        for (int u = 0; u < FA_SHORT; u++) { /* the warp's K and V rows, all in flight at once (unless loaded above) */
            int j = j0 + warp + 4 * u;
            if (!pre && j < j1) {
                const u16 *krow = kbase + (size_t)bt[j / bs] * 2 * kvhs + ((size_t)kvh * bs + j % bs) * FA_D;
                kk[u] = ld_stream8(krow + lane * 4);
                vv[u] = ld_stream8(krow + kvhs + lane * 4);
            }
        }
        /* a rolled loop (the next key's registers shifted down each time):
           unrolled, the 3 keys a warp scores at ctx 512 were 3 copies of
           this body, ~200 instructions each, fetched cold by every SM every
           layer (ncu: "no instruction" led the kernel's stalls) */
#pragma unroll 1
        for (int u = 0; u < FA_SHORT; u++) {
            if (j0 + warp + 4 * u >= j1) break; /* uniform over the warp */
            float k0 = __uint_as_float(kk[0].x << 16), k1 = __uint_as_float(kk[0].x & 0xffff0000u);
            float k2 = __uint_as_float(kk[0].y << 16), k3 = __uint_as_float(kk[0].y & 0xffff0000u);
            float v0 = __uint_as_float(vv[0].x << 16), v1 = __uint_as_float(vv[0].x & 0xffff0000u);
            float v2 = __uint_as_float(vv[0].y << 16), v3 = __uint_as_float(vv[0].y & 0xffff0000u);
#pragma unroll
            for (int i = 0; i + 1 < FA_SHORT; i++) {
                kk[i] = kk[i + 1];
                vv[i] = vv[i + 1];
            }
            attn_key4<GM>(qv, G, k0, k1, k2, k3, v0, v1, v2, v3, mh, lh, acc, lane);
        }
    } else { /* a longer split: tiles of 8 keys on the tensor cores (attn_tc_tile) */
        const int gq = lane >> 2, tq = lane & 3;
        /* Q's A fragments, the same for the 4 warps, in shared memory (in
           registers, 32 a thread, they pushed the kernel past its 168 into
           spills): qf[32 s + lane] = (hi, hi, lo, lo)
           of row gq (0 past the group) at dims 32 (s >> 1) + 8 tq + 4 (s & 1)
           + (0, 1), (2, 3) */
        __shared__ uint4 qfrag[8 * 32];
        for (int i = threadIdx.x; i < 8 * 32; i += blockDim.x) {
            int s = i >> 5, g = (i >> 2) & 7, tt = i & 3;
            float4 x = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (g < G) x = *(const float4 *)(qs + g * FA_D + 32 * (s >> 1) + 8 * tt + 4 * (s & 1));
            uint4 f;
            f.x = bf2_split(x.x, x.y, f.z);
            f.y = bf2_split(x.z, x.w, f.w);
            qfrag[i] = f;
        }
        __syncthreads();
        const uint4 *qf = qfrag + lane;
        float o[8][4], mrow = -__int_as_float(0x7f800000), lrow = 0.0f;
#pragma unroll
        for (int i = 0; i < 8; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
        int jt = j0 + 8 * warp;
        if (jt < j1) {
            attn_tile ta, tb; /* two tiles: the next one's loads in flight while one is computed */
            const u16 *kvb = kbase + (size_t)kvh * bs * FA_D;
            attn_cursor cur = {jt / bs, jt % bs}; /* the tile loaded next */
            attn_tc_load(ta, kvb, bt, kvhs, bs, cur, jt, j1, gq, tq);
            for (;;) {
                attn_cursor_step(cur, bs);
                if (jt + 32 < j1) attn_tc_load(tb, kvb, bt, kvhs, bs, cur, jt + 32, j1, gq, tq);
                attn_tc_tile(ta, qf, o, mrow, lrow, jt, j1, tq);
                jt += 32;
                if (jt >= j1) break;
                attn_cursor_step(cur, bs);
                if (jt + 32 < j1) attn_tc_load(ta, kvb, bt, kvhs, bs, cur, jt + 32, j1, gq, tq);
                attn_tc_tile(tb, qf, o, mrow, lrow, jt, j1, tq);
                jt += 32;
                if (jt >= j1) break;
            }
        }
        lrow += __shfl_xor_sync(0xffffffffu, lrow, 1);
        lrow += __shfl_xor_sync(0xffffffffu, lrow, 2);
        /* -> the layout of the short path (lane = dims 4 lane .. + 3 of every
           head), through this warp's part of wo, for the code below (which
           stores acc back to the same place: doing that only for the warp
           that scores the token's own key took 2 more registers and measured
           0.3-0.5% slower a step, BENCHMARKS.md) */
        float *ow = wo + (size_t)warp * G * FA_D;
#pragma unroll
        for (int i = 0; i < 8; i++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                int head = 2 * tq + (e & 1);
                if (head < G) ow[head * FA_D + 64 * (i >> 2) + 8 * gq + 2 * (i & 3) + (e >> 1)] = o[i][e];
            }
        mh = mrow; /* head gq = lane >> 2's, in lanes 4 gq .. + 3, as attn_key4 keeps them */
        lh = lrow;
        __syncwarp();
#pragma unroll
        for (int g = 0; g < GM; g++) {
            if (g < G) {
                float4 a = *(const float4 *)(ow + g * FA_D + 4 * lane);
                acc[g][0] = a.x;
                acc[g][1] = a.y;
                acc[g][2] = a.z;
                acc[g][3] = a.w;
            }
        }
        __syncwarp();
    }
    PDL_TRIGGER();
    if (QK && warp == 0 && s_has_new) { /* the token's own key, from shared memory */
        float4 qv[FA_MAXG];
        attn_load_q4<GM>(qv, qs, G, lane);
        float4 k4 = ((const float4 *)knew)[lane], v4 = ((const float4 *)vnew)[lane];
        attn_key4<GM>(qv, G, k4.x, k4.y, k4.z, k4.w, v4.x, v4.y, v4.z, v4.w, mh, lh, acc, lane);
    }
    if ((lane & 3) == 0 && (lane >> 2) < G) {
        wm[warp][lane >> 2] = mh;
        wl[warp][lane >> 2] = lh;
    }
#pragma unroll
    for (int g = 0; g < GM; g++) {
        if (g < G) {
            float4 o4 = make_float4(acc[g][0], acc[g][1], acc[g][2], acc[g][3]);
            *(float4 *)(wo + ((size_t)warp * G + g) * FA_D + lane * 4) = o4;
        }
    }
    __syncthreads();
    /* the 4 warps' (max, sum) of each head -> its factors once (thread g of
       the first G: a warp's weight exp(m_w - M), 0 for a warp without keys),
       then every dimension sums its 4 warps' values with them (the same
       arithmetic in the same order as each dimension finding the head's max
       and factors itself, which was ~650 of a warp's ~2200 instructions; the
       kernel is a chain of dependent instructions at 3 blocks of 4 warps an
       SM. H200, 62 layers: this -1.9%, the rolled key loop -0.9%, both
       4.154-4.159 -> 4.032-4.040 ms a step) */
    __shared__ float wf[4][FA_MAXG];
    if ((int)threadIdx.x < G) {
        int g = threadIdx.x;
        float M = -__int_as_float(0x7f800000), L = 0.0f;
        for (int w = 0; w < 4; w++)
            if (wl[w][g] > 0.0f) M = fmaxf(M, wm[w][g]);
        for (int w = 0; w < 4; w++) {
            float f = wl[w][g] > 0.0f ? __expf(wm[w][g] - M) : 0.0f;
            L += wl[w][g] * f; /* + 0 for a warp without keys (f = 0) */
            wf[w][g] = f;
        }
        float *pp = part + (((size_t)t * nh + (size_t)kvh * G + g) * nsplit + sp) * FA_PART;
        pp[FA_D] = M;
        pp[FA_D + 1] = L;
    }
    __syncthreads();
#pragma unroll
    for (int g = 0; g < GM; g++) {
        if (g < G) {
            int i = threadIdx.x;
            float O = 0.0f;
#pragma unroll
            for (int w = 0; w < 4; w++)
                if (wl[w][g] > 0.0f) O += wo[((size_t)w * G + g) * FA_D + i] * wf[w][g];
            part[(((size_t)t * nh + (size_t)kvh * G + g) * nsplit + sp) * FA_PART + i] = O;
        }
    }
}

extern "C" __global__ void __launch_bounds__(128, 3) k_attn_split(const float *qr, float *part, const int *pos,
                                                               const int *srow, const int *block_table, const u16 *kv,
                                                               int layer, int nblocks, int max_blocks, int bs, int nh,
                                                               int nkv, int min_keys) {
    attn_split_body<0, 0>(qr, part, pos, srow, block_table, kv, 0, layer, nblocks, max_blocks, bs, nh, nkv, min_keys, 0, 0,
                          0, 1, 0, 0.0f, 0.0f, 0, 0);
}
extern "C" __global__ void __launch_bounds__(128, 3) k_attn_split_g6(const float *qr, float *part, const int *pos,
                                                                  const int *srow, const int *block_table,
                                                                  const u16 *kv, int layer, int nblocks,
                                                                  int max_blocks, int bs, int nh, int nkv,
                                                                  int min_keys) {
    attn_split_body<0, 6>(qr, part, pos, srow, block_table, kv, 0, layer, nblocks, max_blocks, bs, nh, nkv, min_keys, 0, 0,
                          0, 1, 0, 0.0f, 0.0f, 0, 0);
}
/* qkv: the pass's raw q|k|v [T][nh*128 + 2*nkv*128]; ss: null (one GPU), or
   the all-reduced sums of squares [T][2] of tp ranks (nh, nkv: this rank's
   heads); ssq (one GPU, T = 1, ss null): the partial sums of squares that
   k_gemv_bf16_norm_t1 left [(nh + nkv) * 128 / GV_SSQ_ROWS], or null: the
   block sums them itself from qkv. F: tp with fused collectives (ss and ssq
   null): those partial sums of every rank, pushed by k_gemv_bf16_norm_t1_mg
   (struct mg_fuse; nr = 0 where not). rope, rope_mode: the RoPE angles'
   table [T][rd / 2] float2 and 0 (computed) / 1 (computed, stored) / 2
   (loaded): ROPE at attn_split_body. One token slot per session (a decode
   step): a prefill chunk's slots read keys that other slots append. */
extern "C" __global__ void __launch_bounds__(128, 3) k_attn_split_qk(const float *qkv, float *part, const int *pos,
                                                                  const int *srow, const int *block_table, u16 *kv,
                                                                  int layer, int nblocks, int max_blocks, int bs,
                                                                  int nh, int nkv, int min_keys, const float *q_norm_w,
                                                                  const float *k_norm_w, const float *ss, int tp,
                                                                  int rd, float theta, float eps, const float *ssq,
                                                                  const mg_fuse F, float2 *rope, int rope_mode) {
    attn_split_body<1, 0>(qkv, part, pos, srow, block_table, kv, kv, layer, nblocks, max_blocks, bs, nh, nkv, min_keys,
                          q_norm_w, k_norm_w, ss, tp, rd, theta, eps, ssq, &F, rope, rope_mode);
}
extern "C" __global__ void __launch_bounds__(128, 3) k_attn_split_qk_g6(const float *qkv, float *part, const int *pos,
                                                                     const int *srow, const int *block_table, u16 *kv,
                                                                     int layer, int nblocks, int max_blocks, int bs,
                                                                     int nh, int nkv, int min_keys,
                                                                     const float *q_norm_w, const float *k_norm_w,
                                                                     const float *ss, int tp, int rd, float theta,
                                                                     float eps, const float *ssq, const mg_fuse F,
                                                                     float2 *rope, int rope_mode) {
    attn_split_body<1, 6>(qkv, part, pos, srow, block_table, kv, kv, layer, nblocks, max_blocks, bs, nh, nkv, min_keys,
                          q_norm_w, k_norm_w, ss, tp, rd, theta, eps, ssq, &F, rope, rope_mode);
}

/* k_attn_merge: thread i takes dimensions 4 (i % 32) .. + 3 of the splits
   s = i / 32 + 4u. It issues the loads of all its partials (16-byte rows:
   FA_PART) at once, under the block's max over the splits' maxima, so that
   the merge waits for two memory round trips (the position, then the
   partials) instead of one per 8 splits; the 4 split groups meet in shared
   memory. (Before: the (max, sum) pairs, two block reductions, then 6 rounds
   of 8 loads for 48 splits: 7.3 us a layer at the real shapes.) */
#define FA_MAXSPLIT 128
#define FA_MERGE_U 12 /* partial rows a thread loads at once: 4 x 12 = 48 splits in one round */
extern "C" __global__ void __launch_bounds__(128) k_attn_merge(const float *part, float *out, const int *pos, int nh,
                                                               int nsplit, int min_keys) {
    PDL_WAIT();
    PDL_TRIGGER(); /* 24-48 blocks: the next product's blocks fit beside them and ask for their first weights */
    __shared__ float sf[FA_MAXSPLIT], sl[FA_MAXSPLIT];
    __shared__ float red[32];
    __shared__ float4 so[4][32];
    __shared__ float sL[4];
    int h = blockIdx.x, t = blockIdx.y, q = threadIdx.x & 31, sg = threadIdx.x >> 5;
    int nkeys = pos[t] + 1, per = attn_split_keys(nkeys, nsplit, min_keys);
    int used = (nkeys + per - 1) / per; /* the splits used; partials stay at stride gridDim.y of the split launch */
    const float *pp = part + ((size_t)t * nh + h) * nsplit * FA_PART;
    float2 ml = make_float2(-__int_as_float(0x7f800000), 0.0f);
    if ((int)threadIdx.x < used) ml = *(const float2 *)(pp + (size_t)threadIdx.x * FA_PART + FA_D);
    float4 o[FA_MERGE_U];
#pragma unroll
    for (int u = 0; u < FA_MERGE_U; u++) {
        int s = sg + 4 * u;
        if (s < used) o[u] = *(const float4 *)(pp + (size_t)s * FA_PART + 4 * q);
    }
    float M = block_max(ml.y > 0.0f ? ml.x : -__int_as_float(0x7f800000), red);
    if ((int)threadIdx.x < used) {
        float f = ml.y > 0.0f ? __expf(ml.x - M) : 0.0f; /* the split's weight; 0 for a split without keys */
        sf[threadIdx.x] = f;
        sl[threadIdx.x] = ml.y * f;
    }
    __syncthreads();
    float4 acc = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    float L = 0.0f;
    for (int s0 = 0; s0 < used; s0 += 4 * FA_MERGE_U) {
        if (s0 > 0) /* more splits than one round (not at the engine's 48) */
#pragma unroll
            for (int u = 0; u < FA_MERGE_U; u++) {
                int s = s0 + sg + 4 * u;
                if (s < used) o[u] = *(const float4 *)(pp + (size_t)s * FA_PART + 4 * q);
            }
#pragma unroll
        for (int u = 0; u < FA_MERGE_U; u++) {
            int s = s0 + sg + 4 * u;
            if (s < used) {
                float f = sf[s];
                L += sl[s];
                if (f > 0.0f) {
                    acc.x = fmaf(o[u].x, f, acc.x);
                    acc.y = fmaf(o[u].y, f, acc.y);
                    acc.z = fmaf(o[u].z, f, acc.z);
                    acc.w = fmaf(o[u].w, f, acc.w);
                }
            }
        }
    }
    so[sg][q] = acc;
    if (q == 0) sL[sg] = L;
    __syncthreads();
    if (sg == 0) {
        float4 a0 = so[0][q], a1 = so[1][q], a2 = so[2][q], a3 = so[3][q];
        float Lt = (sL[0] + sL[1]) + (sL[2] + sL[3]);
        float4 r = make_float4(((a0.x + a1.x) + (a2.x + a3.x)) / Lt, ((a0.y + a1.y) + (a2.y + a3.y)) / Lt,
                               ((a0.z + a1.z) + (a2.z + a3.z)) / Lt, ((a0.w + a1.w) + (a2.w + a3.w)) / Lt);
        *(float4 *)(out + (size_t)t * nh * FA_D + (size_t)h * FA_D + 4 * q) = r;
    }
}

/* ---- greedy argmax over the vocabulary by many blocks ------------------------------------
   k_argmax_part: grid (nparts, R), block 256: block b takes ids
   [b * per, (b + 1) * per) of row r (per = ceil(valid / nparts)) and writes
   its largest logit and the lowest id holding it (NaN never wins; -inf and
   id 0x7fffffff when it has no candidate) to pbest/pidx [R][nparts].
   k_sample_fast: k_sample, with the argmax reduced from those partials
   (greedy rows then finish at once; the one-block scan of 200064 logits was
   ~45 us of every step). */
extern "C" __global__ void __launch_bounds__(256) k_argmax_part(const float *logits, int ld, int valid, float *pbest,
                                                                 int *pidx) {
    PDL_WAIT();
    __shared__ float bv[8];
    __shared__ int bi[8];
    int r = blockIdx.y, nparts = gridDim.x;
    int per = (valid + nparts - 1) / nparts;
    int i0 = blockIdx.x * per, i1 = i0 + per < valid ? i0 + per : valid;
    const float *l = logits + (size_t)r * ld;
    float best = -__int_as_float(0x7f800000);
    int besti = 0x7fffffff;
#pragma unroll 4
    for (int i = i0 + threadIdx.x; i < i1; i += blockDim.x) {
        float v = l[i];
        if (v > best) { /* increasing ids per thread: strict > keeps the lower */
            best = v;
            besti = i;
        }
    }
    warp_argmax(best, besti);
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    if (lane == 0) {
        bv[w] = best;
        bi[w] = besti;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int k = 1; k < (int)(blockDim.x >> 5); k++)
            if (bv[k] > best || (bv[k] == best && bi[k] < besti)) {
                best = bv[k];
                besti = bi[k];
            }
        pbest[(size_t)r * nparts + blockIdx.x] = best;
        pidx[(size_t)r * nparts + blockIdx.x] = besti;
    }
}

extern "C" __global__ void k_sample_fast(const float *logits, int ld, int valid, const struct sample_params *prm, int *out,
                                         const float *pbest, const int *pidx, int nparts) {
    PDL_WAIT();
    sample_body(logits, ld, valid, prm, out, pbest, pidx, nparts);
}

/* ---- NVFP4 experts on the tensor cores --------------------------------------------------
   The fp32 expert kernels above spend ~4.5 instructions per weight (LOP3 and
   SHF place a code in an f16, HADD2 widens it, FFMA): at batch 1 the SMs'
   issue rate, not the memory, sets their speed (ncu: gate/up at 50% of the
   issue slots, 42% of DRAM bandwidth). Here the decoded weights are the A
   operand of mma.sync.m16n8k16 (f16 inputs, fp32 accumulation), 16 weight
   rows x 16 k a mma, and the token's activations the B operand: column 0
   their hi part, column 1 the lo part, columns 2..7 zeros. Per pair of codes
   a lane spends ~2.25 bit operations (fp4_word_pairs, PR layout), one HMUL2
   by the block scale and a quarter of an mma: ~122 instructions a group of
   2 x 32 codes in the SASS (~1.9 a weight; ~170 with the checkpoint's
   packing), and no shuffles (the 4 lanes of a row group sum
   over k inside the mma). At the real shapes on an H100 that makes gate/up
   ~4% faster than the fp32 kernel and down ~6% slower (BENCHMARKS.md: both
   are held as much by their load structure as by issue).

   EXACTNESS. A = e2m1 * 2^-14 (exact f16; 0.5 is the subnormal 2^-15) times
   the block scale * 2^7 (exact, <= 448 * 2^7 = 57344) = e2m1 * e4m3 * 2^-7:
   an exact f16 with at most 6 significant bits, normal (>= 2^-14) whenever
   the E4M3 scale is (>= 2^-6). The tensor cores flush f16 subnormals to zero
   (measured: a version with A = e2m1 * e4m3 * 2^-8 lost the rows of
   subnormal E4M3 scales), so a group of chunks with a subnormal scale
   anywhere in the warp (a block whose largest weight is below ~3.5e-5 of its
   matrix's largest: rare in checkpoints, never in synthetic weights) takes
   the exact path: A = e2m1 * e4m3 (two HMUL2; >= 2^-10, normal) into
   other accumulators, scaled by 2^-7 at the end. The activations are split
   into hi + lo f16 parts (x * 2^-4 = hi + lo * 2^-11, 22 bits; the 2^-4
   keeps |x| up to 1e6 finite); the tensor cores multiply exactly and
   accumulate in fp32. The result is x . W to ~2^-22 relative per element
   (the fp32 kernels: 2^-24), times 2^11 * ws2 once per output (per expert in
   the down projection: its factor wt * ws2 is applied per group of chunks in
   fp32; folded into the f16 activations it underflowed).

   LOGICAL K. Lane (g = lane / 4, tq = lane % 4) holds A rows g and g + 8 at
   k = 2tq, 2tq+1 (a0, a1) and 2tq+8, 2tq+9 (a2, a3), and B column g at the
   same k (b0, b1). It loads chunk 4 * group + tq (16 bytes = 32 codes) of
   both its rows and feeds it to 8 mmas: mma 2wi + h takes pairs j = 2h and
   2h + 1 of word wi (pair j = codes j, j + 4 of the word: elements 8wi + j,
   8wi + j + 4 of the chunk) as k (2tq, 2tq+1) and (2tq+8, 2tq+9). B takes the
   same pairs of the activation chunk (PH words [4wi + j]), so each mma sums
   16 matching products of each row, whatever the permutation. C: lane (g, 0)
   ends with rows g and g + 8 against hi (c0, c2) and lo (c1, c3); the other
   lanes' columns are zero.

   ACTIVATION LAYOUT "PH" (pairs, hi/lo) of a vector v[K], K % 32 == 0: chunk c
   = 32 u32 at ph + 32c: [4wi + j] = f16x2 of (v[32c+8wi+j], v[32c+8wi+j+4]) * 2^-4
   rounded (low half = first), [16 + 4wi + j] = what that rounding left, times
   2^11 (as f16x2; so that it stays a normal f16), i.e. v * 2^-4 = hi + lo *
   2^-11, exact to ~2^-22 for |v| in [2^-8, 2^20]. In shared memory a chunk
   takes PH_PAD = 36 words, so that the 8 lanes reading (4 chunks, hi and
   lo) hit 8 distinct groups of 4 banks. */
#define PH_SCALE 0.0625f
#define PH_LO 2048.0f /* the lo part is stored times 2^11: a normal f16 wherever hi is above ~2^-12 */
#define PH_LO_INV 0.00048828125f
#define PH_PAD 36
#define TC_FP4_CORRECTION 2048.0f /* 2^7 for the weights, 2^4 for the activations */
#define TC_EXACT_RESCALE 0.0078125f /* 2^-7: exact-path sums to the fast path's scale */
__device__ __forceinline__ void ph_pack(float a, float b, u32 &hi, u32 &lo) {
    a *= PH_SCALE;
    b *= PH_SCALE;
    asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(hi) : "f"(b), "f"(a)); /* a -> low half */
    float ha = f16f((u16)(hi & 0xffffu)), hb = f16f((u16)(hi >> 16));
    asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(lo) : "f"((b - hb) * PH_LO), "f"((a - ha) * PH_LO));
}
__device__ __forceinline__ u32 hmul2(u32 a, u32 b) {
    u32 r;
    asm("mul.rn.f16x2 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
/* the two E4M3 bytes of s2 (low byte first) -> out[i] = f16x2 of byte i's
   value (exact: E4M3 is a subset of f16) in both halves, times mul (f16x2) */
__device__ __forceinline__ void e4m3x2_f16x2x2(u32 s2, u32 mul, u32 *out) {
    u32 v = e4m3x2_to_f16x2(s2), lo, hi;
    asm("prmt.b32 %0, %1, 0, 0x1010;" : "=r"(lo) : "r"(v));
    asm("prmt.b32 %0, %1, 0, 0x3232;" : "=r"(hi) : "r"(v));
    out[0] = hmul2(lo, mul);
    out[1] = hmul2(hi, mul);
}
/* bit 7 of a byte set where that E4M3 byte of v is subnormal (exponent 0, mantissa not 0) */
__device__ __forceinline__ u32 e4m3x4_subnormal(u32 v) {
    u32 e = (v & 0x78787878u) + 0x78787878u; /* bit 7: exponent != 0 */
    u32 m = (v & 0x07070707u) + 0x7f7f7f7fu; /* bit 7: mantissa != 0 */
    return ~e & m & 0x80808080u;
}
__device__ __forceinline__ void mma_f16_16816(float *c, u32 a0, u32 a1, u32 a2, u32 a3, u32 b0, u32 b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
/* The 8 mmas of one chunk of two weight rows: qa (its two E4M3 block scales
   in sa2) as A rows g, qb (sb2) as rows g + 8, against the chunk's B words xv,
   alternately into c0 and c1 (two dependency chains: a mma waits for the one
   before it on the same accumulator).
   EXACT = 0: A = e2m1 * e4m3 * 2^-7; 1: e2m1 * e4m3 (see EXACTNESS). */
template <int EXACT>
__device__ __forceinline__ void fp4_chunk_mma2(float *c0, float *c1, uint4 qa, u32 sa2, uint4 qb, u32 sb2,
                                               const uint4 *xv) {
    u32 sa[2], sb[2];
    e4m3x2_f16x2x2(sa2, EXACT ? 0x3c003c00u : 0x58005800u, sa); /* times 1 : 2^7 */
    e4m3x2_f16x2x2(sb2, EXACT ? 0x3c003c00u : 0x58005800u, sb);
    u32 wa[4] = {qa.x, qa.y, qa.z, qa.w}, wb[4] = {qb.x, qb.y, qb.z, qb.w};
#pragma unroll
    for (int wi = 0; wi < 4; wi++) {
        u32 pa[4], pb[4], x[4] = {xv[wi].x, xv[wi].y, xv[wi].z, xv[wi].w};
        fp4_word_pairs(wa[wi], pa);
        fp4_word_pairs(wb[wi], pb);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (EXACT) {
                pa[j] = hmul2(pa[j], 0x74007400u); /* * 2^14: the exact e2m1 value */
                pb[j] = hmul2(pb[j], 0x74007400u);
            }
            pa[j] = hmul2(pa[j], sa[wi >> 1]);
            pb[j] = hmul2(pb[j], sb[wi >> 1]);
        }
        mma_f16_16816(c0, pa[0], pb[0], pa[1], pb[1], x[0], x[1]);
        mma_f16_16816(c1, pa[2], pb[2], pa[3], pb[3], x[2], x[3]);
    }
}
/* a lane's B words: the hi (half 0) or lo (half 1) words of PH chunk ch in
   shared memory (PH_PAD words a chunk) where on, else zeros */
__device__ __forceinline__ void ph_lane_load(const u32 *ph, int ch, int half, int on, uint4 *xv) {
#pragma unroll
    for (int wi = 0; wi < 4; wi++)
        xv[wi] = on ? *(const uint4 *)(ph + ch * PH_PAD + 16 * half + 4 * wi) : make_uint4(0, 0, 0, 0);
}
/* copies n 16-byte pieces of PH chunks (32 words) from global memory into
   shared memory with PH_PAD words a chunk, by the threads of the block
   (cp.async through L1: the blocks of one token on an SM read the same h) */
__device__ __forceinline__ void ph_stage(uint4 *dst, const uint4 *src, int n) {
    for (int i = threadIdx.x; i < n; i += blockDim.x) cp_async16<1>(&dst[(i >> 3) * (PH_PAD / 4) + (i & 7)], &src[i]);
}

/* Gate/up + SiLU for slot r = t * topk + j (expert e = idx[r]):
     act[r] (PH over I) = silu(ws2_1[e] W1[e] h) * (ws2_3[e] W3[e] h)
   h: hnp, PH over H of token t (hnp + t * H u32). grid (I / 8, T * topk),
   block 32 * MG_WARPS: MG_WARPS warps on the same 8 rows i0 + g of W1 (A rows
   g) and W3 (A rows g + 8), each warp its share of the H / 128 groups of 4
   chunks. A lane first issues the loads of up to MG_U groups (2 x MG_U
   16-byte loads: at the real shapes all its weights), then the block copies
   h into shared memory (PH_PAD layout) while they are in flight; each slot is
   refilled as soon as its group is used. Lane (g, 0) ends with gate and up of
   row i0 + g: no exchange before the SiLU. Needs H % 128 == 0, I % 128 == 0;
   dynamic shared memory H / 32 * PH_PAD * 4 bytes. (Measured on H100 at the
   real shapes: 4 warps x 6 groups 26.1-26.9 us; 2 warps x 12 groups 31.7; 8
   warps x 3 groups 27.7-29.4; 4 warps x 3 groups at 6 blocks an SM 29.1.) */
#define MG_U 6
#define MG_WARPS 4
#define MG_MINB 4 /* blocks an SM: at most 128 registers */
extern "C" __global__ void __launch_bounds__(32 * MG_WARPS, MG_MINB)
    k_moe_gate_up_mma(const u32 *hnp, const int *idx, const u8 *w1p, const u8 *w1s, const float *ws2_1, const u8 *w3p,
                      const u8 *w3s, const float *ws2_3, u32 *act, int H, int I, int topk) {
    PDL_WAIT();
    extern __shared__ uint4 xsm[];
    __shared__ float red[MG_WARPS][8][4];
    __shared__ float av[8];
    int r = blockIdx.y, t = r / topk;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, tq = lane & 3;
    int e = idx[r];
    int i0 = blockIdx.x * 8;
    size_t row = (size_t)e * I + i0 + g;
    const uint4 *p1 = (const uint4 *)(w1p + row * (H / 2)), *p3 = (const uint4 *)(w3p + row * (H / 2));
    const u8 *s1 = w1s + row * (H / 16), *s3 = w3s + row * (H / 16);
    int NG = H >> 7;
    int g0 = NG * warp / MG_WARPS, g1 = NG * (warp + 1) / MG_WARPS;
    float c[2][4] = {}, cx[2][4] = {}; /* fast path, exact path; two chains each */
    uint4 q1[MG_U], q3[MG_U];
    u32 sc1[MG_U], sc3[MG_U];
    auto load = [&](int u, int grp) { /* group grp into slot u */
        int ch = 4 * grp + tq;
        if (grp < g1) {
            q1[u] = ld_stream16(p1 + ch);
            q3[u] = ld_stream16(p3 + ch);
            sc1[u] = ld_stream_u16(s1 + 2 * ch);
            sc3[u] = ld_stream_u16(s3 + 2 * ch);
        }
    };
#pragma unroll
    for (int u = 0; u < MG_U; u++) load(u, g0 + u);
    ph_stage(xsm, (const uint4 *)(hnp + (size_t)t * H), H / 4);
    cp_async_wait_all();
    __syncthreads();
    const u32 *ph = (const u32 *)xsm;
    for (int gg = g0; gg < g1; gg += MG_U) {
#pragma unroll
        for (int u = 0; u < MG_U; u++)
            if (gg + u < g1) { /* group by group, each slot refilled as soon as it is used */
                uint4 xv[4];
                ph_lane_load(ph, 4 * (gg + u) + tq, g, g < 2, xv); /* B columns 0 (hi), 1 (lo) */
                if (__any_sync(0xffffffffu, e4m3x4_subnormal(sc1[u] | (sc3[u] << 16))))
                    fp4_chunk_mma2<1>(cx[0], cx[1], q1[u], sc1[u], q3[u], sc3[u], xv);
                else
                    fp4_chunk_mma2<0>(c[0], c[1], q1[u], sc1[u], q3[u], sc3[u], xv);
                load(u, gg + u + MG_U);
            }
    }
    if (tq == 0)
#pragma unroll
        for (int k = 0; k < 4; k++) red[warp][g][k] = fmaf(cx[0][k] + cx[1][k], TC_EXACT_RESCALE, c[0][k] + c[1][k]);
    __syncthreads();
    if (threadIdx.x < 8) {
        int k = threadIdx.x;
        float s[4];
#pragma unroll
        for (int q = 0; q < 4; q++) {
            s[q] = 0.0f;
            for (int w = 0; w < MG_WARPS; w++) s[q] += red[w][k][q];
        }
        float gv = fmaf(s[1], PH_LO_INV, s[0]) * (ws2_1[e] * TC_FP4_CORRECTION);
        float uv = fmaf(s[3], PH_LO_INV, s[2]) * (ws2_3[e] * TC_FP4_CORRECTION);
        av[k] = gv / (1.0f + expf(-gv)) * uv;
    }
    __syncthreads();
    if (threadIdx.x < 4) { /* rows i0 + j and i0 + j + 4 are one PH pair */
        int j = threadIdx.x, cc = i0 >> 5, wi = (i0 & 31) >> 3;
        u32 hi, lo;
        ph_pack(av[j], av[j + 4], hi, lo);
        u32 *out = act + (size_t)r * I + (size_t)cc * 32;
        out[4 * wi + j] = hi;
        out[16 + 4 * wi + j] = lo;
    }
}

/* Down projection + routing weights + residual for token slot t:
     x[t, n] += sum_j wt[t, j] * ws2_2[e_j] * W2[e_j][n] . act[t * topk + j]
   (act from k_moe_gate_up_mma, PH). grid (H / 16, T), block 256 = 8 warps on
   the same 16 output rows n0 + g (A rows g) and n0 + 8 + g (rows g + 8), each
   warp an eighth of the topk * I / 128 groups of 4 chunks (at the real
   shapes 12: one expert), MDM_U groups in flight, each slot refilled as soon
   as it is used. The slot's activations (topk * I PH words) are copied into
   shared memory (PH_PAD layout) under the first loads. A group of 4 chunks
   never straddles two experts (I % 128 == 0): each group's mma result is
   scaled by its expert's factor in fp32. Each x[t, n] has one writer. Needs
   H % 16 == 0, I % 128 == 0, topk <= 32; dynamic shared memory topk * I / 32
   * PH_PAD * 4 bytes. (Tried: 8 rows a block with the two halves of K as A
   rows g and g + 8 and B columns 0-1 / 2-3, 384 blocks instead of 192 for
   132 SMs: 22.3 instead of 19.4 us, more instructions a group.) */
#define MDM_U 6
extern "C" __global__ void __launch_bounds__(256, 2) k_moe_down_mma(const u32 *act, const int *idx, const float *wt,
                                                                    const u8 *w2p, const u8 *w2s, const float *ws2_2,
                                                                    float *x, int H, int I, int topk) {
    PDL_WAIT();
    extern __shared__ uint4 asm4[];
    __shared__ int se[32];
    __shared__ float sf[32];
    __shared__ float red[8][16];
    int t = blockIdx.y;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, tq = lane & 3;
    ph_stage(asm4, (const uint4 *)(act + (size_t)t * topk * I), topk * I / 4);
    if (threadIdx.x < topk) {
        int e = idx[t * topk + threadIdx.x];
        se[threadIdx.x] = e;
        sf[threadIdx.x] = wt[t * topk + threadIdx.x] * ws2_2[e];
    }
    __syncthreads();
    int n0 = blockIdx.x * 16;
    int NG4 = I >> 7, NG = topk * NG4; /* groups an expert, in all */
    int g0 = NG * warp / 8, g1 = NG * (warp + 1) / 8;
    int lj = g0 / NG4, lr = g0 - lj * NG4; /* expert of the next group to load, and its group in the expert */
    float ya = 0.0f, yb = 0.0f;
    uint4 qa[MDM_U], qb[MDM_U];
    u32 sa[MDM_U], sb[MDM_U];
    int je[MDM_U];
    auto load = [&](int u, int grp) { /* group grp (the one after the last loaded) into slot u */
        if (grp < g1) {
            int cc = 4 * lr + tq;
            size_t ra = (size_t)se[lj] * H + n0 + g, rb = ra + 8;
            qa[u] = ld_stream16(w2p + ra * (I / 2) + (size_t)cc * 16);
            qb[u] = ld_stream16(w2p + rb * (I / 2) + (size_t)cc * 16);
            sa[u] = ld_stream_u16(w2s + ra * (I / 16) + 2 * cc);
            sb[u] = ld_stream_u16(w2s + rb * (I / 16) + 2 * cc);
            je[u] = lj;
            if (++lr == NG4) {
                lr = 0;
                lj++;
            }
        }
    };
#pragma unroll
    for (int u = 0; u < MDM_U; u++) load(u, g0 + u);
    cp_async_wait_all();
    __syncthreads();
    const u32 *ph = (const u32 *)asm4;
    for (int gg = g0; gg < g1; gg += MDM_U) {
#pragma unroll
        for (int u = 0; u < MDM_U; u++)
            if (gg + u < g1) {
                uint4 xv[4];
                float c0[4] = {}, c1[4] = {};
                float f = sf[je[u]]; /* the group's expert (uniform over the warp) */
                ph_lane_load(ph, 4 * (gg + u) + tq, g, g < 2, xv); /* B columns 0 (hi), 1 (lo) */
                if (__any_sync(0xffffffffu, e4m3x4_subnormal(sa[u] | (sb[u] << 16)))) {
                    fp4_chunk_mma2<1>(c0, c1, qa[u], sa[u], qb[u], sb[u], xv);
                    f *= TC_EXACT_RESCALE;
                } else
                    fp4_chunk_mma2<0>(c0, c1, qa[u], sa[u], qb[u], sb[u], xv);
                ya = fmaf(f, fmaf(c0[1] + c1[1], PH_LO_INV, c0[0] + c1[0]), ya);
                yb = fmaf(f, fmaf(c0[3] + c1[3], PH_LO_INV, c0[2] + c1[2]), yb);
                load(u, gg + u + MDM_U);
            }
    }
    if (tq == 0) {
        red[warp][g] = ya;
        red[warp][8 + g] = yb;
    }
    __syncthreads();
    if (threadIdx.x < 16) {
        float y = 0.0f;
        for (int w = 0; w < 8; w++) y += red[w][threadIdx.x];
        x[(size_t)t * H + n0 + threadIdx.x] += y * TC_FP4_CORRECTION;
    }
}

/* v[T, K] fp32 (natural order) -> PH; grid (ceil(K / 2 / 256), T), block 256:
   one pair per thread. For tests and for passes whose normed vector comes from
   k_rmsnorm. */
extern "C" __global__ void k_to_ph(const float *v, u32 *ph, int K) {
    PDL_WAIT();
    int p = blockIdx.x * blockDim.x + threadIdx.x, t = blockIdx.y;
    if (p >= K / 2) return;
    int c = p >> 4, q = p & 15, e0 = 32 * c + 8 * (q >> 2) + (q & 3);
    u32 hi, lo;
    ph_pack(v[(size_t)t * K + e0], v[(size_t)t * K + e0 + 4], hi, lo);
    ph[(size_t)t * K + 32 * c + q] = hi;
    ph[(size_t)t * K + 32 * c + 16 + q] = lo;
}
