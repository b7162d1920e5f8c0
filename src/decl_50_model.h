/* ---------------------------------------------------------------------------
   MODEL: the GPU engine, sessions, prefill, batched steps, sampling
   ---------------------------------------------------------------------------
   The loop:

       minimax_model_desc d = {0};            zero = default for every field
       d.checkpoint_dir = "/models/MiniMax-M2.5-NVFP4";
       minimax_model *m;
       if (minimax_model_load(&d, &m) != MINIMAX_OK) puts(minimax_last_error());
       minimax_session *s;
       minimax_session_create(m, &s);
       minimax_prefill(s, prompt_ids, n_prompt, NULL, &tok);   tok: first new token
       while (...) minimax_step(m, &s, 1, &tok, NULL, &tok);    feed it, get the next

   MEMORY. At load the library uploads every weight to the GPU (134 GB for the
   full model), then allocates ONE pool of KV-cache blocks for
   max_sessions x max_context tokens (BF16, 2 * layers * kv_heads * head_dim * 2
   bytes per token: 248 KiB for the full model) and scratch space for
   max_batch_tokens token slots. Sessions take blocks from the pool as they
   grow and give them back on reset/free; nothing is allocated per step.

   NUMBERS. Activations are fp32 on the GPU, every product accumulates in
   fp32; weights stay BF16 / NVFP4 as in the checkpoint; the KV cache is BF16.

   THREADS. A model and its sessions are used by one thread at a time (the
   caller serialises); different models are independent. The calling thread's
   current CUDA context is saved and restored by every call.

   FAILED STATE. After an unrecoverable device error (an illegal address, a
   kernel fault: the CUDA context is then unusable) the model is FAILED: every
   later call on it or its sessions returns MINIMAX_ERR_FAILED_STATE; only
   minimax_session_free and minimax_model_free still work. Out-of-memory at load
   or session creation is an ordinary error: everything allocated is freed and
   the model (or the caller) carries on. */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct minimax_model minimax_model;
typedef struct minimax_session minimax_session;

/* Progress of minimax_model_load: fraction in [0, 1] and a stage name
   ("checkpoint", "jit", "weights", "kv cache"). Return nonzero to cancel: the
   load frees what it allocated and returns MINIMAX_ERR_CANCELLED. */
typedef int (*minimax_progress_fn)(void *user, float fraction, const char *stage);

/* How to load a model. Zero-initialise, set checkpoint_dir, change what you need. */
typedef struct minimax_model_desc {
    const char *checkpoint_dir; /* ModelOpt NVFP4 directory (config.json, index, shards); required */
    int device;                 /* CUDA device ordinal; 0 = the first GPU */
    int max_sessions;           /* sessions alive at once (and most sessions per step); 0 = 1 */
    int max_context;            /* tokens per session; 0 = min(4096, max_position_embeddings) */
    int kv_block_tokens;        /* tokens per KV-cache block; 0 = 16 */
    int max_batch_tokens;       /* token slots per forward pass (prefill chunk); 0 = 256, at least max_sessions */
    int valid_vocab;            /* ids >= this are never sampled (vocabulary padding); 0 = config vocab_size */
    int disable_graphs;         /* 1 = run steps eagerly instead of replaying CUDA graphs */
    const char *cache_dir;      /* JIT cubin cache; NULL = default (see JIT), "" = off */
    void *cuda_context;         /* host's CUcontext to run in; NULL = the device's primary context */
    void *cuda_stream;          /* host's CUstream (not the legacy NULL stream); NULL = the library creates one */
    minimax_progress_fn progress; /* optional */
    void *progress_user;
    /* SEVERAL GPUS (one process, one calling thread). Zero = one GPU, `device`.
       tp: tensor parallelism over tp GPUs (1, 2, 4 or 8; it must divide the
         query heads, the KV heads and the expert width): each GPU holds 1/tp of
         the attention heads, of every expert's width (w1/w3 rows, w2 columns)
         and of the embedding / lm_head rows; router and norms are replicated;
         three small all-reduces per layer go over peer-to-peer memory (in a
         decode step of one session, inside the kernels that make the parts:
         no launch of their own).
       devices / n_devices: the CUDA ordinals to use (NULL = 0, 1, ..., tp-1).
       layer_split: with tp <= 1 and n_devices > 1, a pipeline: GPU i holds
         layer_split[i] consecutive layers (their weights and KV cache; the
         embedding on the first, final norm and lm_head on the last), the
         hidden state goes GPU to GPU. NULL = split by free memory.
       Tensor parallelism and a layer split do not combine (INVALID_ARGUMENT).
       The GPUs must reach each other's memory (NVLink or PCIe peer access).
       cuda_context / cuda_stream must be NULL with several GPUs. */
    int tp;
    const int *devices;
    int n_devices;
    const int *layer_split;
} minimax_model_desc;

/* Sampling parameters of a session (minimax_session_set_sampling). Zero =
   greedy. The random number for the token at position p is a pure function
   of (seed, session id, p), so a seed reproduces the same tokens whatever the
   batch it runs in, graph or eager. Filters apply in this order: top_k, min_p,
   top_p; then a draw proportional to exp(logit / temperature). */
typedef struct minimax_sampling {
    float temperature; /* 0 = greedy (argmax, ties to the lower id) */
    int top_k;         /* 0 = off */
    float top_p;       /* 0 or >= 1 = off */
    float min_p;       /* 0 = off; keeps tokens with p >= min_p * p(most likely) */
    uint64_t seed;
} minimax_sampling;

/* What a loaded model is and what its load cost. */
typedef struct minimax_model_info {
    char device_name[128];
    char arch[16];               /* JIT target, e.g. "sm_90a" */
    int jit_cache_hit;           /* 1 when the cubin came from the cache */
    double jit_ms;               /* compile (or cache read) time */
    double load_ms;              /* whole minimax_model_load */
    size_t weight_bytes;         /* device memory held by weights */
    size_t kv_bytes;             /* device memory of the KV pool */
    size_t scratch_bytes;        /* activations and per-step buffers */
    int max_sessions, max_context, kv_block_tokens, max_batch_tokens, valid_vocab;
    int graphs;                  /* 1 when steps replay CUDA graphs */
    int gpus;                    /* GPUs used (1, or n_devices) */
    int tp;                      /* tensor-parallel size (1 = none) */
    int layer_split[8];          /* layers per GPU (one GPU: [0] = all) */
    double dram_gbps;            /* the (first) GPU's peak DRAM bandwidth: memory clock x bus width */
    int l2_prefetch;             /* 1 when decode asks L2 for the next layer's q|k|v weights early
                                    (GPUs with DRAM below 4000 GB/s: see kernels.cu k_l2_prefetch),
                                    and a quarter of each o_proj row beside the attention */
} minimax_model_info;

/* Loads the checkpoint, compiles the kernels for the GPU and uploads the
   weights. On success *out owns the model (free it with minimax_model_free).
   Errors: INVALID_ARGUMENT (desc), IO/FORMAT (checkpoint), NO_DEVICE, JIT,
   OUT_OF_MEMORY (the configuration does not fit: the message gives the sizes),
   CANCELLED (progress callback), DEVICE. On error nothing stays allocated.
   Thread safety: any thread; loads of different models may run concurrently. */
MINIMAX_API minimax_result minimax_model_load(const minimax_model_desc *desc, minimax_model **out);

/* Frees the model, its device memory and every session still open (their
   handles become invalid). NULL is ignored. Works in the failed state.
   Thread safety: no other call on this model or its sessions may be running. */
MINIMAX_API void minimax_model_free(minimax_model *model);

/* The model's configuration; owned by the model, valid until it is freed.
   Thread safety: any thread. */
MINIMAX_API const minimax_config *minimax_model_config(const minimax_model *model);

/* Fills *info. Thread safety: any thread. */
MINIMAX_API minimax_result minimax_model_info_get(const minimax_model *model, minimax_model_info *info);

/* Opens a session (an empty KV cache of up to max_context tokens, greedy
   sampling). *out is owned by the caller: minimax_session_free. Errors:
   OUT_OF_MEMORY when max_sessions sessions are already open, FAILED_STATE.
   Thread safety: as the model. */
MINIMAX_API minimax_result minimax_session_create(minimax_model *model, minimax_session **out);

/* Empties the session (position 0), returning its KV blocks to the pool.
   Keeps its id and sampling parameters. Thread safety: as the model. */
MINIMAX_API minimax_result minimax_session_reset(minimax_session *session);

/* Shortens the session to its first n tokens (0 <= n <= position): the next
   prefill or step continues at position n, as if the later tokens had never
   been fed, and KV blocks past n return to the pool. For a chat whose new
   prompt shares only a prefix with what the session holds (the template drops
   old reasoning): truncate to the common prefix, prefill the rest.
   INVALID_ARGUMENT for n outside [0, position], FAILED_STATE.
   Thread safety: as the model. */
MINIMAX_API minimax_result minimax_session_truncate(minimax_session *session, int n);

/* Closes the session and returns its blocks. NULL is ignored. Thread safety: as the model. */
MINIMAX_API void minimax_session_free(minimax_session *session);

/* Tokens in the session's cache (the position of the next token). Thread safety: as the model. */
MINIMAX_API int minimax_session_position(const minimax_session *session);

/* The session's id: creation order within its model, 0, 1, 2, ... (a key of the
   sampling generator). Thread safety: as the model. */
MINIMAX_API uint64_t minimax_session_id(const minimax_session *session);

/* Sets the session's sampling parameters (copied). INVALID_ARGUMENT for
   negative or NaN values. Thread safety: as the model. */
MINIMAX_API minimax_result minimax_session_set_sampling(minimax_session *session, const minimax_sampling *params);

/* Appends n tokens to the session in forward passes of 8 tokens with the
   fast kernels (the default; H100, 16 layers: ~1600 tokens/s for 512 to 2048
   tokens, 1330 for 8192: the rate of a step of 8 sessions), of up to
   max_batch_tokens tokens through the general
   kernels. logits_out (vocab_size floats, or NULL) receives
   the logits at the last new position; sampled_out (or NULL) the token
   sampled from them. Errors: CONTEXT_FULL (position + n > max_context; the
   message names the limit; nothing is appended), INVALID_ARGUMENT (an id
   outside [0, vocab_size), n < 1), DEVICE, FAILED_STATE.
   Thread safety: as the model. */
MINIMAX_API minimax_result minimax_prefill(minimax_session *session, const int32_t *ids, int n, float *logits_out,
                                           int32_t *sampled_out);

/* Advances n sessions (all distinct, all of this model, n <= max_sessions) by
   one token each: sessions[i] consumes input_ids[i] at its own position. The
   weights are read once for up to 8 sessions: with the fast kernels (the
   default) a step of more runs as forward passes of 8 (64 sessions take ~8
   times as long as 8 on one GPU; on a layer split the stages work on
   different passes at once), through the general kernels as one pass.
   logits_out ([n][vocab_size] floats, or NULL) and sampled_out
   ([n], or NULL) receive, row i, the logits at session i's new position and
   the token its sampling parameters choose from them. Replays a captured
   CUDA graph for this n unless graphs are disabled. Errors as minimax_prefill.
   Thread safety: as the model. */
MINIMAX_API minimax_result minimax_step(minimax_model *model, minimax_session *const *sessions, int n,
                                        const int32_t *input_ids, float *logits_out, int32_t *sampled_out);

/* The uniform number in [0, 1) that sampling draws for (seed, session id,
   position): the same function the GPU evaluates. Thread safety: any thread. */
MINIMAX_API float minimax_sampling_uniform(uint64_t seed, uint64_t session_id, uint64_t position);

#ifdef __cplusplus
}
#endif
