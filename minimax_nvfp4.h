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
#ifndef MINIMAX_NVFP4_H
#define MINIMAX_NVFP4_H
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

/* ---------------------------------------------------------------------------
   CHECKPOINT: the model's configuration and the ModelOpt NVFP4 directory
   ------------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

/* The architecture a checkpoint describes (config.json). Values are those of
   the file after defaults: see MODEL.md section 1 of the project docs. */
typedef struct minimax_config {
    int hidden_size;             /* H, 3072 */
    int num_layers;              /* 62 (MTP layers beyond this are ignored) */
    int num_heads;               /* 48 query heads */
    int num_kv_heads;            /* 8 key/value heads (GQA group = heads / kv_heads) */
    int head_dim;                /* 128 */
    int rotary_dim;              /* 64: NeoX rotation of the first rotary_dim dims of a head */
    int intermediate_size;       /* I, per expert, 1536 */
    int num_experts;             /* 256 */
    int top_k;                   /* 8 experts per token */
    int vocab_size;              /* 200064 rows in embed/lm_head (padding rows included) */
    int max_position_embeddings; /* 196608 */
    int bos_token_id;            /* 200034 */
    int eos_token_id;            /* 200020 */
    float rope_theta;            /* 5e6 */
    float rms_norm_eps;          /* 1e-6 */
    float routed_scaling_factor; /* 1.0 */
} minimax_config;

/* ---- opening a checkpoint ------------------------------------------------
   A ModelOpt NVFP4 directory: config.json, hf_quant_config.json and/or
   config.json "quantization_config", model.safetensors.index.json (or one
   model.safetensors) and the shards it lists. Shards are memory-mapped
   read-only, never read into RAM; the host memory a checkpoint holds is the
   parsed JSON headers and the tensor table (tens of MB for the real model). */
typedef struct minimax_checkpoint minimax_checkpoint;

/* Opens and validates the checkpoint in `dir`. Everything is checked before
   this returns: the configuration, the quantisation description, the index,
   every safetensors header (offsets, sizes, dtypes, overlaps), the presence,
   dtype and shape of every tensor the model needs, and the values of every
   NVFP4 scale (finite weight_scale_2 > 0, no NaN E4M3 block scale: this reads
   the block scales once, about 11% of the expert bytes). On failure *out is
   NULL and minimax_last_error() names the file and the tensor; codes:
   MINIMAX_ERR_IO (cannot open/map), MINIMAX_ERR_FORMAT (malformed),
   MINIMAX_ERR_UNSUPPORTED (not ModelOpt NVFP4 group 16, another model, fused
   expert layout), MINIMAX_ERR_OUT_OF_MEMORY, MINIMAX_ERR_INVALID_ARGUMENT.
   Ownership: the caller owns *out and frees it with minimax_checkpoint_close.
   Thread safety: any thread; a checkpoint is read-only after opening, so
   several threads may use one at once. */
MINIMAX_API minimax_result minimax_checkpoint_open(const char *dir, minimax_checkpoint **out);

/* Unmaps the shards and frees everything; NULL is allowed. Pointers obtained
   from the checkpoint (config, stats, weights) become invalid.
   Thread safety: not while another thread uses `ck`. */
MINIMAX_API void minimax_checkpoint_close(minimax_checkpoint *ck);

/* The configuration read from config.json (after defaults). Owned by `ck`,
   valid until it is closed. Thread safety: any thread. */
MINIMAX_API const minimax_config *minimax_checkpoint_config(const minimax_checkpoint *ck);

/* What a tensor is used for, for sizes by kind. */
typedef enum minimax_tensor_kind {
    MINIMAX_KIND_ATTENTION,     /* q/k/v/o projections, BF16 */
    MINIMAX_KIND_EXPERT_FP4,    /* expert weights, packed E2M1 (U8) */
    MINIMAX_KIND_EXPERT_SCALES, /* weight_scale (E4M3), weight_scale_2 and input_scale (F32) */
    MINIMAX_KIND_EMBEDDING,     /* model.embed_tokens.weight */
    MINIMAX_KIND_LM_HEAD,       /* lm_head.weight */
    MINIMAX_KIND_ROUTER,        /* gate weight and e_score_correction_bias */
    MINIMAX_KIND_NORM,          /* RMSNorm weights (layer, QK and final) */
    MINIMAX_KIND_OTHER,         /* listed but unused: MTP layers, extra tensors */
    MINIMAX_KIND_COUNT
} minimax_tensor_kind;

typedef enum minimax_expert_layout {
    MINIMAX_EXPERTS_PER_EXPERT = 0, /* experts.E.w1|w2|w3.* (the only one loaded) */
    MINIMAX_EXPERTS_FUSED = 1       /* experts.gate_up_proj / down_proj: rejected, see the loader */
} minimax_expert_layout;

/* Counts and bytes of the tensors listed in the checkpoint, by kind. */
typedef struct minimax_checkpoint_stats {
    int64_t tensors[MINIMAX_KIND_COUNT];  /* index with minimax_tensor_kind */
    uint64_t bytes[MINIMAX_KIND_COUNT];
    int64_t total_tensors;
    uint64_t total_bytes;                 /* tensor data, headers excluded */
    int num_shards;
    int64_t missing_input_scales;         /* expert matrices without input_scale (W4A16 needs none) */
    minimax_expert_layout expert_layout;
} minimax_checkpoint_stats;

/* Statistics of an open checkpoint. Owned by `ck`. Thread safety: any thread. */
MINIMAX_API const minimax_checkpoint_stats *minimax_checkpoint_get_stats(const minimax_checkpoint *ck);

/* A short name for a kind ("attention", "experts fp4", ...). Never NULL. */
MINIMAX_API const char *minimax_tensor_kind_name(minimax_tensor_kind kind);

/* ---- memory estimate -------------------------------------------------------
   What one GPU needs for a configuration, computed from the config alone, so
   a host can decide before loading. Zero fields take the defaults shown. */
typedef struct minimax_memory_desc {
    int tp;              /* tensor-parallel GPUs; 0 = 1 */
    int max_ctx;         /* tokens per session; 0 = 4096 */
    int batch;           /* sessions decoded together; 0 = 1 */
    int kv_block_tokens; /* tokens per KV-cache block; 0 = 16 */
} minimax_memory_desc;

/* Bytes per GPU. (The function is minimax_memory_estimate, so the struct
   cannot share its name.) */
typedef struct minimax_memory_usage {
    minimax_memory_desc desc;    /* the desc used, defaults applied */
    uint64_t weights;            /* sum of the weight parts below */
    uint64_t weights_attention;  /* BF16 q/k/v/o, heads split over tp */
    uint64_t weights_experts;    /* FP4 packed + E4M3 scales + fp32 scalars, expert width split over tp */
    uint64_t weights_embedding;  /* BF16, rows split over tp */
    uint64_t weights_lm_head;    /* BF16, rows split over tp */
    uint64_t weights_router;     /* BF16 gate + fp32 bias, replicated */
    uint64_t weights_norms;      /* BF16, replicated */
    uint64_t kv_bytes_per_token; /* this GPU's share of K and V, all layers */
    uint64_t kv_tokens;          /* batch * max_ctx rounded up to whole blocks */
    uint64_t kv_cache;           /* kv_bytes_per_token * kv_tokens */
    uint64_t workspace;          /* activations and logits for `batch` tokens */
    uint64_t total;              /* weights + kv_cache + workspace */
} minimax_memory_usage;

/* Fills *out for `cfg` and `desc` (NULL desc = all defaults). Returns
   MINIMAX_ERR_INVALID_ARGUMENT for negative values, a tp that does not divide
   the heads, the KV heads or the expert width into multiples of 16, or an
   impossible config. Thread safety: any thread. */
MINIMAX_API minimax_result minimax_memory_estimate(const minimax_config *cfg, const minimax_memory_desc *desc,
                                                   minimax_memory_usage *out);

#ifdef __cplusplus
}
#endif

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

/* ---------------------------------------------------------------------------
   TEXT: the tokenizer (Hugging Face tokenizer.json, byte-level BPE)
   ------------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

/* A tokenizer read from a Hugging Face tokenizer.json: byte-level BPE with
   merges, the Split pre-tokenizer regex the file declares (the o200k-style
   pattern of MiniMax-M2; other patterns fail with MINIMAX_ERR_UNSUPPORTED),
   and added/special tokens (ids 200000..200053 for MiniMax-M2).
   Immutable after loading: every function taking a const tokenizer may be
   called from any number of threads at once. */
typedef struct minimax_tokenizer minimax_tokenizer;

/* Reads and validates tokenizer.json. On failure *out is NULL and the error
   message names the file and the offending field.
   Thread safety: any thread. */
MINIMAX_API minimax_result minimax_tokenizer_load(const char *tokenizer_json_path, minimax_tokenizer **out);

/* Same, from len bytes of JSON in memory (copied; the caller keeps json). */
MINIMAX_API minimax_result minimax_tokenizer_load_memory(const char *json, size_t len, minimax_tokenizer **out);

/* Frees a tokenizer (NULL is a no-op). Not while another thread uses it. */
MINIMAX_API void minimax_tokenizer_free(minimax_tokenizer *tok);

/* Match added/special tokens (e.g. "]~b]", "<think>") in the text, as HF's
   encode() does (leftmost-longest). Without this flag the text is plain text
   only: no added token at all is matched (special or not), so a user typing
   "]~b]system" gets the ordinary BPE tokens of those characters, never the
   special id. (For MiniMax-M2, whose added tokens are all special, that is
   HF's encode with encode_special_tokens = True.) Neither mode adds BOS/EOS
   or applies the file's post_processor: the chat format adds "]~!b[". */
#define MINIMAX_TOKENIZE_SPECIAL 1u

/* Encodes len bytes of UTF-8. Writes min(cap, count) ids; *n_ids gets the
   full count (ids may be NULL with cap 0 to ask the count).
   Invalid UTF-8 is not an error: each byte that is not part of a valid
   sequence is treated as a one-byte piece of its own (a "symbol" for the
   regex) and encodes to its byte-level token, so decode(encode(x)) == x for
   every byte string x. Valid UTF-8 encodes exactly as Hugging Face
   `tokenizers` does.
   Thread safety: any thread (tok is only read). */
MINIMAX_API minimax_result minimax_tokenize(const minimax_tokenizer *tok, const char *text, size_t len, unsigned flags,
                                            int32_t *ids, size_t cap, size_t *n_ids);

/* Id of an exact token string (added/special tokens included; for regular
   tokens the string is the raw bytes, not the byte-level alphabet form),
   -1 if none. */
MINIMAX_API int32_t minimax_token_lookup(const minimax_tokenizer *tok, const char *token, size_t len);

/* Highest id + 1 (200054 for MiniMax-M2; the model's 200064 embedding rows
   include unused padding ids). */
MINIMAX_API int32_t minimax_tokenizer_vocab_size(const minimax_tokenizer *tok);

/* The raw bytes of one token (byte-level decoded; special tokens give their
   text); NULL for an unknown id. The pointer lives as long as tok. */
MINIMAX_API const char *minimax_token_bytes(const minimax_tokenizer *tok, int32_t id, size_t *len);

/* Streaming decode. Zero the state before the first id
   (minimax_detokenizer st = {0}; or memset). Feed ids one by one; complete
   UTF-8 sequences come out, a sequence split across tokens waits in the
   state until it completes. Bytes that cannot start or continue a valid
   sequence are passed through as they are (so the concatenated output is
   exactly the concatenation of minimax_token_bytes). Unknown ids produce
   nothing. Returns the number of bytes the id produced; writes at most cap
   of them to out (a caller wanting all of them passes cap >= 8 + the longest
   token; minimax_detokenize(tok, st, id, NULL, 0) is NOT a dry run: it
   consumes the id). At the end call minimax_detokenize_flush to get any
   incomplete tail bytes. */
typedef struct minimax_detokenizer {
    unsigned char pending[8];
    int n_pending;
} minimax_detokenizer;

MINIMAX_API size_t minimax_detokenize(const minimax_tokenizer *tok, minimax_detokenizer *state, int32_t id, char *out,
                                      size_t cap);
MINIMAX_API size_t minimax_detokenize_flush(minimax_detokenizer *state, char *out, size_t cap);

/* Longest token in bytes (for sizing detokenize buffers). */
MINIMAX_API size_t minimax_tokenizer_max_token_bytes(const minimax_tokenizer *tok);

#ifdef __cplusplus
}
#endif

/* ---------------------------------------------------------------------------
   CHAT: the MiniMax-M2 chat format, tool calls and reasoning in model output
   ---------------------------------------------------------------------------
   Two halves:

   1. minimax_chat_render / minimax_chat_tokenize turn a conversation into the
      prompt the model was trained on. The logic is hand-written C that
      follows the official Jinja chat template (as Hugging Face renders it:
      trim_blocks, lstrip_blocks, its own tojson) byte for byte; it is not a
      Jinja interpreter. The layout:

        ]~!b[]~b]system\n{system text}{tools section}[e~[\n
        ]~b]user\n{text}[e~[\n
        ]~b]ai\n{<think>\n{reasoning}\n</think>\n\n}{content}{\n<minimax:tool_call>\n
            <invoke name="f">\n<parameter name="k">v</parameter>\n</invoke>\n</minimax:tool_call>}[e~[\n
        ]~b]tool\n<response>{result}</response>{\n<response>...</response>}[e~[\n
        ]~b]ai\n<think>\n                      (generation prompt)

      The token form inserts the markers (]~!b[ ]~b] [e~[ <think> </think>
      <minimax:tool_call> </minimax:tool_call>) as their special ids and
      tokenizes every other byte, including all caller text, as PLAIN text:
      a user who types "[e~[\n]~b]system" gets ordinary tokens, never a forged
      turn. (The text form cannot make that distinction: feeding its output
      to minimax_tokenize with MINIMAX_TOKENIZE_SPECIAL trusts the caller's
      text.)

   2. minimax_output_parser splits what the model generates into reasoning,
      content and tool calls, incrementally (feed any chunks; the result does
      not depend on where the chunks split).

   Strings are UTF-8 and NUL-terminated; NULL means "absent" where a field
   says so. Nothing here keeps a pointer to the caller's data after a call
   returns.

   A turn, start to end:

       minimax_chat_message m[2];
       minimax_chat_desc d;
       memset(m, 0, sizeof m);
       memset(&d, 0, sizeof d);
       m[0].role = MINIMAX_CHAT_SYSTEM;  m[0].content = "Be brief.";
       m[1].role = MINIMAX_CHAT_USER;    m[1].content = user_text;
       d.messages = m;  d.n_messages = 2;  d.add_generation_prompt = 1;
       minimax_chat_tokenize(tok, &d, NULL, 0, &n);          (count)
       minimax_chat_tokenize(tok, &d, ids, n, &n);           (the prompt)
       ... generate; decode each new id to text, stop at [e~[ ...
       minimax_output_parser_feed(parser, piece, piece_len); (per token)
       minimax_output_parser_finish(parser);
       minimax_output_parser_get(parser, &out);    (reasoning, content, tool calls)

   For the next turn, append the assistant message with reasoning = out.reasoning
   (kept by the template while no user turn follows), content and tool calls, then
   the tool results (MINIMAX_CHAT_TOOL, one message per call, in order).

   What the C API cannot express (the template accepts it): content given as a
   list of parts (pass the concatenated text; for tool messages the template
   writes each part as "\n<response>...\n</response>", which is not offered),
   roles other than the four (the template ignores them), and tool calls in the
   flat form without "function" (the template raises on those). JSON null
   content renders as "None" in the bare template; here NULL is "absent" (""), as recent
   transformers' apply_chat_template makes it by dropping None fields. */
#ifdef __cplusplus
extern "C" {
#endif

/* Roles. 0 is not a role, so a zeroed message is rejected rather than being
   taken for a user turn. */
typedef enum minimax_chat_role {
    MINIMAX_CHAT_SYSTEM = 1,
    MINIMAX_CHAT_USER = 2,
    MINIMAX_CHAT_ASSISTANT = 3,
    MINIMAX_CHAT_TOOL = 4
} minimax_chat_role;

/* One tool call made by an assistant turn (OpenAI's tool_calls[i].function). */
typedef struct minimax_chat_tool_call {
    const char *name;      /* required (the template cannot render a call without a name) */
    const char *arguments; /* JSON text: an object ({"city": "Paris"}), or a JSON string that holds
                              an object (the OpenAI wire form "{\"city\": \"Paris\"}"), which is
                              decoded first as vLLM does. NULL or "" = no arguments ({}). Members
                              render in their order; a repeated key keeps its first position and
                              last value (Python's dict). String values render raw, others as JSON. */
    const char *id;        /* not rendered by the template; may be NULL */
} minimax_chat_tool_call;

typedef struct minimax_chat_message {
    minimax_chat_role role;
    const char *content;   /* NULL = absent (renders as ""; for a tool message, no <response> element) */
    /* ASSISTANT: the reasoning (OpenAI "reasoning_content"). NULL = absent: then, as the template does,
       a "</think>" inside content splits it: reasoning = text before the first </think>, after the last
       <think>, stripped of '\n'; content = text after the last </think>, stripped of '\n'. "" = present
       but empty (no split). Reasoning is rendered only for assistant turns after the last user turn
       (interleaved thinking); earlier turns lose it, as in the template. */
    const char *reasoning;
    const minimax_chat_tool_call *tool_calls; /* ASSISTANT */
    size_t n_tool_calls;
    const char *tool_call_id; /* TOOL: not rendered by the template; may be NULL */
    /* SYSTEM, first message only: lines appended to the system text ("\nCurrent date: ..."). */
    const char *current_date;
    const char *current_location;
} minimax_chat_message;

/* A tool the model may call: its JSON definition in OpenAI form,
   {"type": "function", "function": {"name": ..., "description": ..., "parameters": {...}}}.
   The prompt shows the "function" member re-serialised like Python's json.dumps (", " and ": "
   separators, key order kept, non-ASCII unescaped). */
typedef struct minimax_chat_tool {
    const char *json;
} minimax_chat_tool;

/* A conversation. Zero-initialise, then fill in; every zero field is a default. */
typedef struct minimax_chat_desc {
    const minimax_chat_message *messages;
    size_t n_messages;
    const minimax_chat_tool *tools; /* shown in the system turn; none = no tools section */
    size_t n_tools;
    int add_generation_prompt;      /* nonzero: end with "]~b]ai\n<think>\n" for the model to continue */
    /* Same as current_date/current_location on the first (system) message; a value set on that message
       wins. With no system message, the default system text is used and these lines follow it. */
    const char *date;
    const char *location;
    const char *model_identity; /* system text when there is no system message or its content is empty;
                                   NULL = "You are a helpful assistant." (the template's model_identity) */
} minimax_chat_desc;

/* Renders the conversation as text. On success *text is a NUL-terminated string of *len bytes (len
   may be NULL) that the caller frees with minimax_chat_text_free.
   Messages are rendered as the template does, including its quirks: a system message that is not
   the first message is ignored; consecutive tool messages share one "]~b]tool" header.
   Errors (nothing is allocated, *text = NULL):
     MINIMAX_ERR_TEMPLATE  the template would raise: a tool message with no earlier assistant turn
                           that made tool calls ("Message has tool role, but there was no previous
                           assistant message with a tool call!"); a tool call without a name; tool
                           call arguments that are not a JSON object (or a string holding one); a
                           tool whose JSON is not an object with a "function" member.
     MINIMAX_ERR_INVALID_ARGUMENT  NULL pointers, a role that is not one of the four.
   The message names the message/tool index.
   Thread safety: any thread. */
MINIMAX_API minimax_result minimax_chat_render(const minimax_chat_desc *desc, char **text, size_t *len);

/* Frees a string returned by minimax_chat_render (NULL is a no-op). */
MINIMAX_API void minimax_chat_text_free(char *text);

/* Renders and tokenizes the conversation: the format's markers become their special ids, all other
   bytes are tokenized as plain text in the runs between markers (so the ids equal tokenizing the
   rendered text with special tokens matched, as long as the caller's text holds no marker strings).
   Writes min(cap, count) ids; *n_ids gets the full count (ids may be NULL with cap 0 to ask for it).
   Errors: those of minimax_chat_render; MINIMAX_ERR_UNSUPPORTED if the tokenizer lacks a marker.
   Thread safety: any thread (tok is only read). */
MINIMAX_API minimax_result minimax_chat_tokenize(const minimax_tokenizer *tok, const minimax_chat_desc *desc,
                                                 int32_t *ids, size_t cap, size_t *n_ids);

/* ---- model output: reasoning, content, tool calls ------------------------

   Feed the generated text (decoded token pieces, in any chunks, without the end-of-turn token [e~[)
   to an output parser; read the split so far at any time:

     reasoning  the text before </think> (the generation prompt opened <think>, so output starts
                inside the reasoning; a "<think>" at the very start of the output is skipped),
                stripped of leading and trailing '\n'. Output that never closes </think> is all
                reasoning.
     content    the text after </think> outside tool-call blocks, stripped of leading and trailing
                '\n' as a whole (the template puts those newlines around it).
     tool_calls from each complete <minimax:tool_call> ... </minimax:tool_call> block, every
                <invoke name=NAME> ... </invoke> in it (NAME in "", '' or bare), each with its
                <parameter name=KEY>VALUE</parameter> elements as a JSON object, in the form and
                with the typing of vLLM's minimax_m2 tool parser:
                - VALUE loses one leading and one trailing '\n' (vLLM strips all white space; here a
                  string value keeps its other spaces, so rendering and parsing round-trip).
                - The parameter's JSON-schema types come from the tool's parameters.properties:
                  "type" (string or list), types of "enum" values, anyOf/oneOf/allOf recursively;
                  no schema = string. Tried in the order integer > number > boolean > object/array
                  > string: integer as Python int(); number as float() (an integral value becomes
                  an integer, NaN and infinities fail); boolean true/1/yes/on, false/0/no/off;
                  object/array as JSON (not one holding a number beyond double's range, which
                  json.dumps would write as Infinity). A value that fits none becomes JSON if it
                  parses (the same exception), else a string. "null", "none", "nil" (any case)
                  become null unless the schema allows a string and not null (vLLM turns them to
                  null always).
                - A repeated key keeps its first position and its last value.
                - arguments is written as Python's json.dumps(ensure_ascii=False) writes it:
                  {"city": "Paris", "days": 3}.
              A block that yields no call (no well-formed invoke) stays in the content verbatim, as
              does a block the output never closes. A tool-call block inside the reasoning is
              reasoning. Content after a block is kept (vLLM drops it).

   Streaming: reasoning and content only ever grow (text is held back while it might be the start
   of a marker, and '\n' runs while they might be trailing), and tool calls appear when their block
   closes; a caller can send the new suffix after each feed. */

typedef struct minimax_output_parser minimax_output_parser;

typedef struct minimax_output_parser_desc {
    const minimax_chat_tool *tools; /* the tools of the request (their schemas type the arguments); may be NULL */
    size_t n_tools;
    int starts_in_content; /* nonzero: the prompt did not open <think> (output starts as content) */
} minimax_output_parser_desc;

typedef struct minimax_output_tool_call {
    const char *name;      /* NUL-terminated */
    const char *arguments; /* a JSON object, NUL-terminated */
} minimax_output_tool_call;

typedef struct minimax_output {
    const char *reasoning; /* NUL-terminated; reasoning_len bytes */
    size_t reasoning_len;
    const char *content;   /* NUL-terminated; content_len bytes */
    size_t content_len;
    const minimax_output_tool_call *tool_calls;
    size_t n_tool_calls;
    int in_reasoning;      /* 1 while the parser is inside the reasoning (before </think>) */
} minimax_output;

/* Creates a parser. desc may be NULL (no tools, output starts in the reasoning). A tool whose JSON
   does not parse fails with MINIMAX_ERR_FORMAT naming it; tools without a usable schema are fine
   (their arguments stay strings). Thread safety: any thread; one parser is used by one thread at a
   time. */
MINIMAX_API minimax_result minimax_output_parser_create(const minimax_output_parser_desc *desc,
                                                        minimax_output_parser **out);

/* Feeds len bytes of output. Never fails on any text (malformed markup becomes content); fails only
   on out-of-memory or after minimax_output_parser_finish (MINIMAX_ERR_INVALID_ARGUMENT). */
MINIMAX_API minimax_result minimax_output_parser_feed(minimax_output_parser *p, const char *text, size_t len);

/* Ends the output: text held back is settled (an unclosed block becomes content). */
MINIMAX_API minimax_result minimax_output_parser_finish(minimax_output_parser *p);

/* The split so far. The pointers stay valid until the next feed, finish or free. */
MINIMAX_API void minimax_output_parser_get(const minimax_output_parser *p, minimax_output *out);

/* Frees a parser (NULL is a no-op). */
MINIMAX_API void minimax_output_parser_free(minimax_output_parser *p);

#ifdef __cplusplus
}
#endif

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

#endif /* MINIMAX_NVFP4_H */

#ifdef MINIMAX_IMPLEMENTATION
#ifndef MINIMAX__IMPLEMENTED
#define MINIMAX__IMPLEMENTED

/* ===========================================================================
   IMPLEMENTATION: common pieces (errors, allocation, number formats)
   =========================================================================== */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__cplusplus)
#define MINIMAX__THREAD_LOCAL thread_local
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define MINIMAX__THREAD_LOCAL _Thread_local
#else
#define MINIMAX__THREAD_LOCAL __thread
#endif

/* Private functions are static (a host program sees none of them) and may go
   unused in a given program; test programs include the implementation and
   call them directly. */
#if defined(__GNUC__) || defined(__clang__)
#define MINIMAX__PRIV static __attribute__((unused))
#else
#define MINIMAX__PRIV static
#endif

#ifndef MINIMAX_MALLOC
#define MINIMAX_MALLOC(n) malloc(n)
#define MINIMAX_CALLOC(n, s) calloc(n, s)
#define MINIMAX_REALLOC(p, n) realloc(p, n)
#define MINIMAX_FREE(p) free(p)
#endif

/* ---- errors ------------------------------------------------------------ */

#define MINIMAX__ERROR_CAP 8192
static MINIMAX__THREAD_LOCAL char minimax__error_text[MINIMAX__ERROR_CAP];

/* Records a message for minimax_last_error() and returns `code`, so that
   failing paths read `return minimax__fail(MINIMAX_ERR_FORMAT, "...", ...)`. */
MINIMAX__PRIV minimax_result minimax__fail(minimax_result code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
MINIMAX__PRIV minimax_result minimax__fail(minimax_result code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(minimax__error_text, sizeof minimax__error_text, fmt, ap);
    va_end(ap);
    return code;
}

/* Appends text to the current message (for logs: NVRTC output, lists). */
MINIMAX__PRIV void minimax__fail_append(const char *text) {
    size_t used = strlen(minimax__error_text);
    if (used + 1 < sizeof minimax__error_text)
        snprintf(minimax__error_text + used, sizeof minimax__error_text - used, "%s", text);
}

/* Returns `code` keeping the message already recorded by a lower level. */
MINIMAX__PRIV minimax_result minimax__fail_code_or(minimax_result code) { return code; }

MINIMAX__PRIV void minimax__clear_error(void) { minimax__error_text[0] = 0; }

MINIMAX_API const char *minimax_last_error(void) { return minimax__error_text; }

MINIMAX_API const char *minimax_version(void) { return MINIMAX_VERSION_STRING; }

MINIMAX_API const char *minimax_result_name(minimax_result r) {
    switch (r) {
    case MINIMAX_OK: return "MINIMAX_OK";
    case MINIMAX_ERR_INVALID_ARGUMENT: return "MINIMAX_ERR_INVALID_ARGUMENT";
    case MINIMAX_ERR_IO: return "MINIMAX_ERR_IO";
    case MINIMAX_ERR_FORMAT: return "MINIMAX_ERR_FORMAT";
    case MINIMAX_ERR_UNSUPPORTED: return "MINIMAX_ERR_UNSUPPORTED";
    case MINIMAX_ERR_OUT_OF_MEMORY: return "MINIMAX_ERR_OUT_OF_MEMORY";
    case MINIMAX_ERR_NO_DEVICE: return "MINIMAX_ERR_NO_DEVICE";
    case MINIMAX_ERR_JIT: return "MINIMAX_ERR_JIT";
    case MINIMAX_ERR_DEVICE: return "MINIMAX_ERR_DEVICE";
    case MINIMAX_ERR_CANCELLED: return "MINIMAX_ERR_CANCELLED";
    case MINIMAX_ERR_CONTEXT_FULL: return "MINIMAX_ERR_CONTEXT_FULL";
    case MINIMAX_ERR_FAILED_STATE: return "MINIMAX_ERR_FAILED_STATE";
    case MINIMAX_ERR_TEMPLATE: return "MINIMAX_ERR_TEMPLATE";
    }
    return "MINIMAX_ERR_UNKNOWN";
}

/* ---- allocation ----------------------------------------------------------
   Every allocation goes through these so that a failure becomes an error
   code with the size in the message, never a crash. */

MINIMAX__PRIV void *minimax__alloc(size_t n, const char *what) {
    void *p = MINIMAX_CALLOC(1, n ? n : 1);
    if (!p) minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory allocating %zu bytes for %s", n, what);
    return p;
}

MINIMAX__PRIV char *minimax__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = (char *)MINIMAX_MALLOC(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* ---- checked size arithmetic ----------------------------------------------
   a * b and a + b in 64 bits; on overflow *overflow is set (and stays set),
   so a chain of them is checked once at its end. */
MINIMAX__PRIV uint64_t minimax__mul_u64(uint64_t a, uint64_t b, int *overflow) {
    if (a && b > UINT64_MAX / a) *overflow = 1;
    return a * b;
}
MINIMAX__PRIV uint64_t minimax__add_u64(uint64_t a, uint64_t b, int *overflow) {
    if (b > UINT64_MAX - a) *overflow = 1;
    return a + b;
}

/* ---- number formats ------------------------------------------------------
   BF16: the top 16 bits of an IEEE fp32.
   E4M3 (float8_e4m3fn): sign, 4 exponent bits (bias 7), 3 mantissa bits; no
   infinities; 0x7F/0xFF are NaN; max 448; subnormals m/8 * 2^-6.
   E2M1 (FP4): bit 3 sign, bits 2..0 index the magnitudes below. Two FP4
   codes per byte: the LOW nibble holds the even (lower-index) element.
   NVFP4 dequantisation (ModelOpt):
       W[n,k] = e2m1[code(n,k)] * e4m3(weight_scale[n, k/16]) * weight_scale_2 */

static const float minimax__e2m1_values[16] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f,  6.0f,
                                               -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};

MINIMAX__PRIV float minimax__f32_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
MINIMAX__PRIV uint32_t minimax__bits_from_f32(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

MINIMAX__PRIV float minimax__bf16_to_f32(uint16_t h) { return minimax__f32_from_bits((uint32_t)h << 16); }

/* fp32 -> bf16, round to nearest even; NaN stays NaN. */
MINIMAX__PRIV uint16_t minimax__f32_to_bf16(float f) {
    uint32_t u = minimax__bits_from_f32(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

MINIMAX__PRIV float minimax__e4m3_to_f32(uint8_t v) {
    int sign = v >> 7, exp = (v >> 3) & 15, man = v & 7;
    float mag;
    if (exp == 15 && man == 7) return NAN;
    if (exp == 0) mag = ldexpf((float)man / 8.0f, -6);
    else mag = ldexpf(1.0f + (float)man / 8.0f, exp - 7);
    return sign ? -mag : mag;
}

/* fp32 -> e4m3fn, round to nearest even (as torch's cast), values whose
   magnitude rounds above 448 saturate to 448 (ModelOpt never produces them:
   block scales are at most 448 by construction). NaN -> 0x7F. */
MINIMAX__PRIV uint8_t minimax__f32_to_e4m3(float f) {
    uint8_t sign = (uint8_t)(signbit(f) ? 0x80 : 0);
    float a = fabsf(f);
    int e;
    float m;
    uint32_t q;
    if (isnan(f)) return 0x7f;
    if (a >= 464.0f) return (uint8_t)(sign | 0x7e); /* 464 is the tie between 448 and 480 */
    if (a < ldexpf(1.0f, -6)) {                      /* subnormal: steps of 2^-9 */
        q = (uint32_t)nearbyintf(a * 512.0f);        /* default rounding mode: nearest even */
        return (uint8_t)(sign | q);                  /* q == 8 is the smallest normal, still correct */
    }
    m = frexpf(a, &e); /* a = m * 2^e, m in [0.5,1) */
    e -= 1;            /* a = (2m) * 2^e, 2m in [1,2) */
    q = (uint32_t)nearbyintf((2.0f * m - 1.0f) * 8.0f);
    if (q == 8) {
        q = 0;
        e += 1;
    }
    return (uint8_t)(sign | (uint32_t)((e + 7) << 3) | q);
}

/* fp32 -> E2M1 code with ModelOpt's rounding (its _cast_fp4): bounds
   0.25 0.75 1.25 1.75 2.5 3.5 5; a value equal to a bound rounds to the even
   mantissa (0.25->0, 0.75->1, 1.25->1, 1.75->2, 2.5->2, 3.5->4, 5->4). The
   sign bit is set for every negative input, so -0.1 encodes as -0 (code 8). */
MINIMAX__PRIV uint8_t minimax__f32_to_e2m1(float x) {
    static const float bounds[7] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};
    uint8_t sign = (uint8_t)(x < 0.0f ? 8 : 0);
    float a = fabsf(x);
    uint8_t ord = 0;
    int i;
    for (i = 0; i < 7; i++) {
        if (a > bounds[i]) ord++;
        else if (a == bounds[i] && (i & 1)) ord++; /* odd bounds round up */
    }
    return (uint8_t)(sign | ord);
}

/* Quantises a [rows, cols] fp32 matrix to NVFP4 exactly as ModelOpt's
   NVFP4QTensor does (cols a multiple of 16):
     weight_scale_2 = amax(|W|) / (6 * 448)
     s[n,b]         = amax(|W[n, 16b..16b+15]|) / (6 * weight_scale_2)   (fp32, in this order)
     scale[n,b]     = e4m3( clamp(s[n,b] == 0 ? 1 : s[n,b], 2^-9, 448) )
     code[n,k]      = e2m1( W[n,k] / (float(scale[n,k/16]) * weight_scale_2) )
   The clamp keeps a block far below the tensor's maximum from rounding to a
   zero scale (ModelOpt's _cast_per_block_scale_to_fp8); the division order
   matters at E4M3 rounding ties. tests/test_modelopt.c checks all of it
   against ModelOpt's own output. (An all-zero matrix, where ModelOpt would
   compute 0/0, gets scales of 1.0 here.) ModelOpt 0.41.0, which made the
   published checkpoint, did not clamp yet: such a block has scale byte 0x00
   there (it dequantises to zeros), so readers must accept zero scales.
   packed: [rows, cols/2] bytes, low nibble = even column.
   scales: [rows, cols/16] e4m3 bytes. */
MINIMAX__PRIV void minimax__nvfp4_quantize(const float *w, int64_t rows, int64_t cols, uint8_t *packed, uint8_t *scales,
                                    float *weight_scale_2) {
    float amax = 0.0f, ws2;
    int64_t i, n, b, k;
    for (i = 0; i < rows * cols; i++)
        if (fabsf(w[i]) > amax) amax = fabsf(w[i]);
    ws2 = amax / (6.0f * 448.0f);
    *weight_scale_2 = ws2;
    for (n = 0; n < rows; n++) {
        for (b = 0; b < cols / 16; b++) {
            const float *blk = w + n * cols + b * 16;
            float bmax = 0.0f, s, sf;
            uint8_t s8;
            for (k = 0; k < 16; k++)
                if (fabsf(blk[k]) > bmax) bmax = fabsf(blk[k]);
            s = bmax / (6.0f * ws2);
            if (s == 0.0f || ws2 == 0.0f) s = 1.0f;
            if (s < 1.0f / 512.0f) s = 1.0f / 512.0f; /* 2^-9, the smallest E4M3 subnormal */
            if (s > 448.0f) s = 448.0f;
            s8 = minimax__f32_to_e4m3(s);
            scales[n * (cols / 16) + b] = s8;
            sf = minimax__e4m3_to_f32(s8) * ws2;
            for (k = 0; k < 16; k += 2) {
                uint8_t lo = minimax__f32_to_e2m1(blk[k] / sf);
                uint8_t hi = minimax__f32_to_e2m1(blk[k + 1] / sf);
                packed[n * (cols / 2) + b * 8 + k / 2] = (uint8_t)(lo | (hi << 4));
            }
        }
    }
}

/* One NVFP4 element, dequantised (see the formula above). */
MINIMAX__PRIV float minimax__nvfp4_element(const uint8_t *packed, const uint8_t *scales, int64_t cols, float ws2, int64_t n,
                                    int64_t k) {
    uint8_t byte = packed[n * (cols / 2) + k / 2];
    uint8_t code = (uint8_t)((k & 1) ? (byte >> 4) : (byte & 15));
    return minimax__e2m1_values[code] * minimax__e4m3_to_f32(scales[n * (cols / 16) + k / 16]) * ws2;
}

/* ---- hashing (cache keys) -------------------------------------------------
   64-bit FNV-1a; collisions only cost a recompile, never a wrong answer,
   because a cache entry also stores its full key. */
MINIMAX__PRIV uint64_t minimax__fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    if (!h) h = 1469598103934665603ull;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* ===========================================================================
   IMPLEMENTATION: the weights view shared by the checkpoint loader, the CPU
   reference (tests/ref.h) and the GPU upload
   ===========================================================================
   A validated checkpoint is described by these structs. Tensor data points
   into the memory-mapped shards (nothing is copied); shapes follow PyTorch,
   [out, in], so y = x * W^T. */

typedef enum minimax__dtype {
    MINIMAX__DT_BF16,
    MINIMAX__DT_F16,
    MINIMAX__DT_F32,
    MINIMAX__DT_U8,
    MINIMAX__DT_I8,
    MINIMAX__DT_F8_E4M3,
    MINIMAX__DT_I32,
    MINIMAX__DT_I64,
    MINIMAX__DT_F64,
    MINIMAX__DT_BOOL,
    MINIMAX__DT_COUNT
} minimax__dtype;

/* One tensor of a safetensors shard. */
typedef struct minimax__tensor {
    const char *name;     /* full name, e.g. "model.layers.0.self_attn.q_proj.weight" */
    const char *file;     /* shard file name, for messages */
    minimax__dtype dtype;
    int ndim;             /* 0 for a scalar */
    int64_t shape[4];
    const uint8_t *data;  /* into the mapped shard */
    uint64_t nbytes;
} minimax__tensor;

/* One NVFP4 matrix [rows, cols] (cols a multiple of 16), ModelOpt layout:
     packed [rows, cols/2]  two E2M1 codes per byte, low nibble = even column
     scales [rows, cols/16] E4M3 block scales, one per 16 consecutive columns
     W[n,k] = e2m1(code) * e4m3(scales[n, k/16]) * weight_scale_2
   Every matrix has its own weight_scale_2 (w1 and w3 of an expert differ). */
typedef struct minimax__fp4_matrix {
    int64_t rows, cols;
    const uint8_t *packed;
    const uint8_t *scales;
    float weight_scale_2;
    float input_scale;    /* static activation scale, 0 when the checkpoint has none */
} minimax__fp4_matrix;

/* One decoder layer. BF16 tensors stay as stored; the router weight and bias
   may be BF16 or F32 (see their dtype). Shapes for the real model:
     input_norm, post_attn_norm [H]          q_norm [nh*d]   k_norm [nkv*d]
     q_proj [nh*d, H]  k_proj, v_proj [nkv*d, H]  o_proj [H, nh*d]
     router [E, H]     router_bias [E]
     w1[e], w3[e] [I, H] (gate, up)           w2[e] [H, I] (down) */
typedef struct minimax__layer_weights {
    const minimax__tensor *input_norm, *post_attn_norm;
    const minimax__tensor *q_proj, *k_proj, *v_proj, *o_proj;
    const minimax__tensor *q_norm, *k_norm;
    const minimax__tensor *router, *router_bias;
    minimax__fp4_matrix *w1, *w2, *w3; /* [num_experts] each */
} minimax__layer_weights;

typedef struct minimax__weights {
    const minimax__tensor *embed;      /* [V, H] BF16 */
    const minimax__tensor *final_norm; /* [H] */
    const minimax__tensor *lm_head;    /* [V, H] BF16 */
    minimax__layer_weights *layers;    /* [num_layers] */
} minimax__weights;

/* Element i of a BF16/F16/F32 tensor as float (for the CPU paths). */
MINIMAX__PRIV float minimax__tensor_f32(const minimax__tensor *t, int64_t i) {
    switch (t->dtype) {
    case MINIMAX__DT_BF16: {
        uint16_t h;
        memcpy(&h, t->data + 2 * i, 2);
        return minimax__bf16_to_f32(h);
    }
    case MINIMAX__DT_F32: {
        float f;
        memcpy(&f, t->data + 4 * i, 4);
        return f;
    }
    case MINIMAX__DT_F16: {
        uint16_t h;
        int e, m;
        float v;
        memcpy(&h, t->data + 2 * i, 2);
        e = (h >> 10) & 31;
        m = h & 1023;
        if (e == 0) v = ldexpf((float)m, -24);
        else if (e == 31) v = m ? NAN : INFINITY;
        else v = ldexpf((float)(m | 1024), e - 25);
        return (h & 0x8000) ? -v : v;
    }
    default: return NAN;
    }
}

/* ===========================================================================
   IMPLEMENTATION: JSON (config.json, index files, safetensors headers,
   tokenizer.json, tool schemas and arguments)
   ===========================================================================
   A strict RFC 8259 parser into a tree held in one arena. Object members keep
   their file order (tojson keeps key order; duplicate keys are kept, and
   minimax__json_get returns the first). Strings are decoded to UTF-8 with
   NUL termination (an embedded \u0000 is kept: use `len`, or
   minimax__json_cstr / minimax__json_is where a C string is wanted); bytes
   outside escapes are not checked to be valid UTF-8. Numbers are correctly
   rounded doubles whatever the C locale (the exact text is in `raw`).
   Errors name the source and the line:column. Nesting is limited to 512
   levels so that no input can exhaust the stack. */

typedef enum minimax__json_type {
    MINIMAX__JSON_NULL,
    MINIMAX__JSON_FALSE,
    MINIMAX__JSON_TRUE,
    MINIMAX__JSON_NUMBER,
    MINIMAX__JSON_STRING,
    MINIMAX__JSON_ARRAY,
    MINIMAX__JSON_OBJECT
} minimax__json_type;

typedef struct minimax__json {
    minimax__json_type type;
    double number;              /* NUMBER */
    const char *str;            /* STRING: decoded UTF-8, NUL-terminated */
    size_t len;                 /* STRING: bytes in str */
    const char *key;            /* member name when the parent is an OBJECT, else NULL */
    size_t key_len;
    const char *raw;            /* the value's source text (numbers: exactly as written) */
    size_t raw_len;
    size_t count;               /* ARRAY/OBJECT: number of children */
    struct minimax__json *child; /* ARRAY/OBJECT: first child */
    struct minimax__json *next;  /* next sibling */
} minimax__json;

typedef struct minimax__json_chunk {
    struct minimax__json_chunk *prev;
    size_t used, cap, pad; /* 4 words: the data that follows stays 16-byte aligned */
} minimax__json_chunk;

typedef struct minimax__json_doc {
    minimax__json *root;
    minimax__json_chunk *chunks;
} minimax__json_doc;

typedef struct minimax__json_parser {
    const char *s, *end, *start;
    const char *what; /* for messages: file name or a description */
    minimax__json_doc *doc;
    int depth;
    int failed;
} minimax__json_parser;

MINIMAX__PRIV void *minimax__json_arena(minimax__json_doc *doc, size_t n) {
    minimax__json_chunk *c = doc->chunks;
    n = (n + 15) & ~(size_t)15;
    if (!c || c->cap - c->used < n) {
        /* chunks grow from 4 KB to 1 MB: a small document (a tool call's
           arguments) costs one small allocation, not a 1 MB mapping */
        size_t cap = c ? (c->cap < (1u << 19) ? c->cap * 2 : (1u << 20)) : 4096;
        if (cap < n) cap = n;
        c = (minimax__json_chunk *)MINIMAX_MALLOC(sizeof(minimax__json_chunk) + cap);
        if (!c) return NULL;
        c->prev = doc->chunks;
        c->used = 0;
        c->cap = cap;
        doc->chunks = c;
    }
    c->used += n;
    return (char *)(c + 1) + c->used - n;
}

MINIMAX__PRIV void minimax__json_free(minimax__json_doc *doc) {
    minimax__json_chunk *c;
    if (!doc) return;
    c = doc->chunks;
    while (c) {
        minimax__json_chunk *p = c->prev;
        MINIMAX_FREE(c);
        c = p;
    }
    doc->chunks = NULL;
    doc->root = NULL;
}

MINIMAX__PRIV void minimax__json_error(minimax__json_parser *p, const char *msg) {
    int line = 1, col = 1;
    const char *q;
    if (p->failed) return;
    p->failed = 1;
    for (q = p->start; q < p->s && q < p->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else col++;
    }
    minimax__fail(MINIMAX_ERR_FORMAT, "%s: invalid JSON at line %d, column %d: %s", p->what, line, col, msg);
}

MINIMAX__PRIV void minimax__json_ws(minimax__json_parser *p) {
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')) p->s++;
}

MINIMAX__PRIV int minimax__json_hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

MINIMAX__PRIV size_t minimax__utf8_put(char *out, unsigned cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 63));
        out[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 63));
    out[2] = (char)(0x80 | ((cp >> 6) & 63));
    out[3] = (char)(0x80 | (cp & 63));
    return 4;
}

/* Parses a string at p->s (which points at the opening quote). */
MINIMAX__PRIV int minimax__json_string(minimax__json_parser *p, const char **out, size_t *out_len) {
    const char *q = p->s + 1;
    char *buf, *w;
    /* first pass: find the end and an upper bound of the decoded length */
    while (q < p->end && *q != '"') {
        if ((unsigned char)*q < 0x20) {
            p->s = q;
            minimax__json_error(p, "control character in string");
            return 0;
        }
        if (*q == '\\' && p->end - q > 1) q++; /* never past `end`: a pointer beyond it is undefined */
        q++;
    }
    if (q >= p->end) {
        minimax__json_error(p, "unterminated string");
        return 0;
    }
    buf = (char *)minimax__json_arena(p->doc, (size_t)(q - p->s) + 1);
    if (!buf) {
        minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "%s: out of memory parsing JSON", p->what);
        p->failed = 1;
        return 0;
    }
    w = buf;
    q = p->s + 1;
    while (*q != '"') {
        if (*q != '\\') {
            *w++ = *q++;
            continue;
        }
        q++;
        switch (*q) {
        case '"': *w++ = '"'; q++; break;
        case '\\': *w++ = '\\'; q++; break;
        case '/': *w++ = '/'; q++; break;
        case 'b': *w++ = '\b'; q++; break;
        case 'f': *w++ = '\f'; q++; break;
        case 'n': *w++ = '\n'; q++; break;
        case 'r': *w++ = '\r'; q++; break;
        case 't': *w++ = '\t'; q++; break;
        case 'u': {
            unsigned cp, lo;
            if (p->end - q < 5 || !minimax__json_hex4(q + 1, &cp)) {
                p->s = q;
                minimax__json_error(p, "bad \\u escape");
                return 0;
            }
            q += 5;
            if (cp >= 0xD800 && cp < 0xDC00) {
                if (p->end - q < 6 || q[0] != '\\' || q[1] != 'u' || !minimax__json_hex4(q + 2, &lo) || lo < 0xDC00 ||
                    lo > 0xDFFF) {
                    p->s = q;
                    minimax__json_error(p, "unpaired UTF-16 surrogate in \\u escape");
                    return 0;
                }
                q += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                p->s = q;
                minimax__json_error(p, "unpaired UTF-16 surrogate in \\u escape");
                return 0;
            }
            w += minimax__utf8_put(w, cp);
            break;
        }
        default:
            p->s = q;
            minimax__json_error(p, "bad escape in string");
            return 0;
        }
    }
    *w = 0;
    *out = buf;
    *out_len = (size_t)(w - buf);
    p->s = q + 1;
    return 1;
}

MINIMAX__PRIV minimax__json *minimax__json_value(minimax__json_parser *p);

MINIMAX__PRIV minimax__json *minimax__json_new(minimax__json_parser *p, minimax__json_type t) {
    minimax__json *v = (minimax__json *)minimax__json_arena(p->doc, sizeof(minimax__json));
    if (!v) {
        minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "%s: out of memory parsing JSON", p->what);
        p->failed = 1;
        return NULL;
    }
    memset(v, 0, sizeof *v);
    v->type = t;
    v->raw = p->s;
    return v;
}

MINIMAX__PRIV int minimax__json_literal(minimax__json_parser *p, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0) return 0;
    p->s += n;
    return 1;
}

/* The value of a JSON number whose text already matched the grammar,
   correctly rounded and the same in every C locale. strtod reads the decimal
   point of LC_NUMERIC (after a host's setlocale(LC_ALL, "") in a German
   locale it reads "0.5" as 0), so the number is rewritten without a point,
   as DIGITSeEXP, which every locale reads alike. Significant digits past
   800 become one sticky digit: a point halfway between two doubles has at
   most 767 significant digits, so the rounding stays correct. */
#define MINIMAX__JSON_MAX_DIGITS 800
MINIMAX__PRIV double minimax__json_number_value(const char *s, size_t n) {
    char buf[MINIMAX__JSON_MAX_DIGITS + 40];
    size_t i = 0, w = 0, digits = 0;
    long long exp10 = 0, e = 0; /* value = DIGITS * 10^exp10 */
    int neg = 0, sticky = 0, frac = 0, eneg = 0;
    if (i < n && s[i] == '-') {
        neg = 1;
        buf[w++] = '-';
        i++;
    }
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && !frac)); i++) {
        if (s[i] == '.') {
            frac = 1;
            continue;
        }
        if (frac) exp10--;
        if (s[i] == '0' && digits == 0) continue; /* leading zeros */
        if (digits < MINIMAX__JSON_MAX_DIGITS) {
            buf[w++] = s[i];
            digits++;
        } else {
            exp10++;
            if (s[i] != '0') sticky = 1;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 1000000000) e = e * 10 + (s[i] - '0'); /* beyond, the value is 0 or inf anyway */
    }
    if (digits == 0) return neg ? -0.0 : 0.0;
    exp10 += eneg ? -e : e;
    if (sticky) {
        buf[w++] = '1';
        exp10--;
    }
    /* with at most 801 digits, 10^100000 overflows and 10^-100000 underflows whatever they are */
    if (exp10 > 100000) exp10 = 100000;
    if (exp10 < -100000) exp10 = -100000;
    snprintf(buf + w, sizeof buf - w, "e%lld", exp10);
    return strtod(buf, NULL);
}

MINIMAX__PRIV minimax__json *minimax__json_number(minimax__json_parser *p) {
    const char *q = p->s;
    minimax__json *v;
    if (q < p->end && *q == '-') q++;
    if (q < p->end && *q == '0') q++;
    else if (q < p->end && *q >= '1' && *q <= '9')
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    else {
        minimax__json_error(p, "unexpected character");
        return NULL;
    }
    if (q < p->end && *q == '.') {
        q++;
        if (q >= p->end || *q < '0' || *q > '9') {
            p->s = q;
            minimax__json_error(p, "digit expected after '.'");
            return NULL;
        }
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < p->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < p->end && (*q == '+' || *q == '-')) q++;
        if (q >= p->end || *q < '0' || *q > '9') {
            p->s = q;
            minimax__json_error(p, "digit expected in exponent");
            return NULL;
        }
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    }
    v = minimax__json_new(p, MINIMAX__JSON_NUMBER);
    if (!v) return NULL;
    v->number = minimax__json_number_value(p->s, (size_t)(q - p->s));
    v->raw_len = (size_t)(q - p->s);
    p->s = q;
    return v;
}

MINIMAX__PRIV minimax__json *minimax__json_value(minimax__json_parser *p) {
    minimax__json *v = NULL, *last = NULL;
    minimax__json_ws(p);
    if (p->s >= p->end) {
        minimax__json_error(p, "unexpected end of input");
        return NULL;
    }
    if (++p->depth > 512) {
        minimax__json_error(p, "nesting deeper than 512 levels");
        return NULL;
    }
    switch (*p->s) {
    case '{':
    case '[': {
        int is_obj = *p->s == '{';
        char close = is_obj ? '}' : ']';
        v = minimax__json_new(p, is_obj ? MINIMAX__JSON_OBJECT : MINIMAX__JSON_ARRAY);
        if (!v) return NULL;
        p->s++;
        minimax__json_ws(p);
        if (p->s < p->end && *p->s == close) {
            p->s++;
            break;
        }
        for (;;) {
            const char *key = NULL;
            size_t key_len = 0;
            minimax__json *c;
            minimax__json_ws(p);
            if (is_obj) {
                if (p->s >= p->end || *p->s != '"') {
                    minimax__json_error(p, "object key (a string) expected");
                    return NULL;
                }
                if (!minimax__json_string(p, &key, &key_len)) return NULL;
                minimax__json_ws(p);
                if (p->s >= p->end || *p->s != ':') {
                    minimax__json_error(p, "':' expected after object key");
                    return NULL;
                }
                p->s++;
            }
            c = minimax__json_value(p);
            if (!c) return NULL;
            c->key = key;
            c->key_len = key_len;
            if (last) last->next = c;
            else v->child = c;
            last = c;
            v->count++;
            minimax__json_ws(p);
            if (p->s < p->end && *p->s == ',') {
                p->s++;
                continue;
            }
            if (p->s < p->end && *p->s == close) {
                p->s++;
                break;
            }
            minimax__json_error(p, is_obj ? "',' or '}' expected in object" : "',' or ']' expected in array");
            return NULL;
        }
        break;
    }
    case '"':
        v = minimax__json_new(p, MINIMAX__JSON_STRING);
        if (!v || !minimax__json_string(p, &v->str, &v->len)) return NULL;
        break;
    case 't':
    case 'f':
    case 'n':
        if (minimax__json_literal(p, "true")) v = minimax__json_new(p, MINIMAX__JSON_TRUE);
        else if (minimax__json_literal(p, "false")) v = minimax__json_new(p, MINIMAX__JSON_FALSE);
        else if (minimax__json_literal(p, "null")) v = minimax__json_new(p, MINIMAX__JSON_NULL);
        else {
            minimax__json_error(p, "unexpected word");
            return NULL;
        }
        if (!v) return NULL;
        v->raw = p->s - (v->type == MINIMAX__JSON_FALSE ? 5 : 4);
        break;
    default:
        v = minimax__json_number(p);
        if (!v) return NULL;
        break;
    }
    if (v->raw_len == 0) v->raw_len = (size_t)(p->s - v->raw);
    p->depth--;
    return v;
}

/* Parses `len` bytes of `text` (need not be NUL-terminated). On failure
   returns an error code with "<what>: invalid JSON at line L, column C: ...". */
MINIMAX__PRIV minimax_result minimax__json_parse(const char *text, size_t len, const char *what, minimax__json_doc *doc) {
    minimax__json_parser p;
    memset(doc, 0, sizeof *doc);
    memset(&p, 0, sizeof p);
    p.s = p.start = text;
    p.end = text + len;
    p.what = what;
    p.doc = doc;
    doc->root = minimax__json_value(&p);
    if (doc->root) {
        minimax__json_ws(&p);
        if (p.s != p.end) minimax__json_error(&p, "trailing characters after the JSON value");
    }
    if (!doc->root || p.failed) {
        if (!p.failed) minimax__json_error(&p, "no value");
        minimax__json_free(doc);
        return minimax__fail_code_or(MINIMAX_ERR_FORMAT);
    }
    return MINIMAX_OK;
}

/* The first member named `key` of an object, or NULL. */
MINIMAX__PRIV const minimax__json *minimax__json_get(const minimax__json *obj, const char *key) {
    const minimax__json *c;
    size_t n = strlen(key);
    if (!obj || obj->type != MINIMAX__JSON_OBJECT) return NULL;
    for (c = obj->child; c; c = c->next)
        if (c->key_len == n && memcmp(c->key, key, n) == 0) return c;
    return NULL;
}

/* Strings may hold NUL bytes (\u0000), which C string functions would
   silently cut: "BF16\u0000x" would compare equal to "BF16". Code that uses
   a string or a member name as a C string checks it with these first. */
MINIMAX__PRIV int minimax__json_key_is_cstr(const minimax__json *v) { return v && v->key && strlen(v->key) == v->key_len; }

/* The string's text when v is a string without NUL bytes, else NULL. */
MINIMAX__PRIV const char *minimax__json_cstr(const minimax__json *v) {
    return v && v->type == MINIMAX__JSON_STRING && strlen(v->str) == v->len ? v->str : NULL;
}

/* 1 when v is a string equal to `s`, byte for byte. */
MINIMAX__PRIV int minimax__json_is(const minimax__json *v, const char *s) {
    return v && v->type == MINIMAX__JSON_STRING && v->len == strlen(s) && memcmp(v->str, s, v->len) == 0;
}

/* Element i of an array, or NULL. */
MINIMAX__PRIV const minimax__json *minimax__json_at(const minimax__json *arr, size_t i) {
    const minimax__json *c;
    if (!arr || arr->type != MINIMAX__JSON_ARRAY) return NULL;
    for (c = arr->child; c && i; c = c->next) i--;
    return c;
}

/* Appends `s` (len bytes of UTF-8) as a JSON string literal with quotes.
   ascii_only escapes every non-ASCII character as \uXXXX (Python's
   json.dumps default); otherwise non-ASCII passes through unchanged (as
   tojson(ensure_ascii=False) and transformers' chat-template tojson). The
   buffer grows as needed; returns 0 on out-of-memory. */
typedef struct minimax__buf {
    char *data;
    size_t len, cap;
} minimax__buf;

MINIMAX__PRIV int minimax__buf_reserve(minimax__buf *b, size_t extra) {
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *d;
        while (cap < b->len + extra + 1) cap *= 2;
        d = (char *)MINIMAX_REALLOC(b->data, cap);
        if (!d) return 0;
        b->data = d;
        b->cap = cap;
    }
    return 1;
}

MINIMAX__PRIV int minimax__buf_add(minimax__buf *b, const char *s, size_t n) {
    if (!minimax__buf_reserve(b, n)) return 0;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
    return 1;
}

MINIMAX__PRIV int minimax__buf_printf(minimax__buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
MINIMAX__PRIV int minimax__buf_printf(minimax__buf *b, const char *fmt, ...) {
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !minimax__buf_reserve(b, (size_t)n)) return 0;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 1;
}

MINIMAX__PRIV void minimax__buf_free(minimax__buf *b) {
    MINIMAX_FREE(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

MINIMAX__PRIV int minimax__json_write_string(minimax__buf *b, const char *s, size_t len, int ascii_only) {
    size_t i = 0;
    if (!minimax__buf_add(b, "\"", 1)) return 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        char esc[16];
        if (c == '"') { if (!minimax__buf_add(b, "\\\"", 2)) return 0; i++; continue; }
        if (c == '\\') { if (!minimax__buf_add(b, "\\\\", 2)) return 0; i++; continue; }
        if (c == '\n') { if (!minimax__buf_add(b, "\\n", 2)) return 0; i++; continue; }
        if (c == '\r') { if (!minimax__buf_add(b, "\\r", 2)) return 0; i++; continue; }
        if (c == '\t') { if (!minimax__buf_add(b, "\\t", 2)) return 0; i++; continue; }
        if (c == '\b') { if (!minimax__buf_add(b, "\\b", 2)) return 0; i++; continue; }
        if (c == '\f') { if (!minimax__buf_add(b, "\\f", 2)) return 0; i++; continue; }
        if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            if (!minimax__buf_add(b, esc, 6)) return 0;
            i++;
            continue;
        }
        if (c < 0x80 || !ascii_only) {
            if (!minimax__buf_add(b, s + i, 1)) return 0;
            i++;
            continue;
        }
        { /* decode one UTF-8 sequence; a byte that does not start a valid
             one (stray continuation, overlong form, surrogate, above
             U+10FFFF, truncated) escapes as U+FFFD, so the output is always
             valid JSON */
            static const unsigned min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
            unsigned cp = 0xFFFD;
            size_t n = c >= 0xF8 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1, k;
            if (n > 1 && i + n <= len) {
                cp = c & (0x7F >> n);
                for (k = 1; k < n; k++) {
                    if (((unsigned char)s[i + k] & 0xC0) != 0x80) break;
                    cp = (cp << 6) | ((unsigned char)s[i + k] & 63);
                }
                if (k != n || cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
                    cp = 0xFFFD;
                    n = 1;
                }
            } else n = 1;
            if (cp >= 0x10000) {
                unsigned v = cp - 0x10000;
                snprintf(esc, sizeof esc, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
                if (!minimax__buf_add(b, esc, 12)) return 0;
            } else {
                snprintf(esc, sizeof esc, "\\u%04x", cp);
                if (!minimax__buf_add(b, esc, 6)) return 0;
            }
            i += n;
        }
    }
    return minimax__buf_add(b, "\"", 1);
}

/* ===========================================================================
   IMPLEMENTATION: safetensors shards, memory-mapped
   ===========================================================================
   A shard is
     u64 little-endian N | N bytes of JSON header | data section
   The header is an object: "__metadata__" (optional, an object of strings)
   and one member per tensor:
     "NAME": {"dtype": "BF16", "shape": [d0, d1, ...], "data_offsets": [begin, end]}
   with begin/end relative to the start of the data section.
   The file is mapped read-only (PROT_READ, MAP_PRIVATE) and never read into
   RAM; tensors point into the mapping. Every check that can fail on a bad
   file is made here, before any tensor is used:
     file shorter than 8 bytes, header length past EOF or above 100 MB,
     header not JSON / not an object, a member not an object, unknown dtype,
     shape not an array of integers >= 0 or more than 4 dimensions,
     data_offsets not two integers, begin > end, end past the data section
     (truncated file), shape product * dtype size != end - begin, two
     tensors overlapping. Duplicate names are found by the caller once the
     tensors of all shards are sorted. Messages: "FILE: tensor NAME: what". */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MINIMAX__ST_MAX_HEADER (100u * 1000u * 1000u)

static const char *const minimax__dtype_names[MINIMAX__DT_COUNT] = {"BF16", "F16", "F32",  "U8",  "I8",
                                                                    "F8_E4M3", "I32", "I64", "F64", "BOOL"};
static const int minimax__dtype_sizes[MINIMAX__DT_COUNT] = {2, 2, 4, 1, 1, 1, 4, 8, 8, 1};

MINIMAX__PRIV const char *minimax__dtype_name(minimax__dtype d) {
    return (int)d >= 0 && d < MINIMAX__DT_COUNT ? minimax__dtype_names[d] : "?";
}

/* One mapped shard. The header's JSON tree lives only while the shard is
   opened (about 1 KB per tensor); the tensors' names are then copied into
   `names`, which is all the host memory a shard keeps. */
typedef struct minimax__shard {
    char *path;              /* DIR/NAME, for messages */
    void *map;               /* whole file, or NULL */
    size_t map_size;
    minimax__json_doc header;
    char *names;             /* the tensors' names, NUL-separated */
    int fd;                  /* kept open for streaming reads (minimax__shard_read), -1 if none */
} minimax__shard;

MINIMAX__PRIV void minimax__shard_close(minimax__shard *sh) {
    if (sh->map) munmap(sh->map, sh->map_size);
    if (sh->fd >= 0) close(sh->fd);
    minimax__json_free(&sh->header);
    MINIMAX_FREE(sh->names);
    MINIMAX_FREE(sh->path);
    memset(sh, 0, sizeof *sh);
}

/* A JSON number written as a plain integer (digits only, as the safetensors
   writers emit and its reference reader requires: "4.0" and "4e0" are
   refused) in [0, 2^53], read exactly from its text: the double value would
   round 2^53 + 1 down to 2^53. */
MINIMAX__PRIV int minimax__json_u53(const minimax__json *v, uint64_t *out) {
    uint64_t x = 0;
    size_t i;
    if (!v || v->type != MINIMAX__JSON_NUMBER || v->raw_len == 0 || v->raw_len > 16) return 0;
    for (i = 0; i < v->raw_len; i++) {
        if (v->raw[i] < '0' || v->raw[i] > '9') return 0;
        x = x * 10 + (uint64_t)(v->raw[i] - '0'); /* at most 16 digits: no overflow */
    }
    if (x > ((uint64_t)1 << 53)) return 0;
    *out = x;
    return 1;
}

/* Appends the shape as "[a, b]" to buf (for messages). */
MINIMAX__PRIV void minimax__shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t n = 0;
    int i;
    n += (size_t)snprintf(buf, cap, "[");
    for (i = 0; i < ndim && n < cap; i++) n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

typedef struct minimax__span {
    uint64_t begin, end;
    size_t tensor;
} minimax__span;

static int minimax__span_cmp(const void *a, const void *b) {
    const minimax__span *x = (const minimax__span *)a, *y = (const minimax__span *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* Maps `path` and appends its tensors to *table (grown with realloc; *count
   and *cap updated). `file` is the name used in messages and stored in each
   tensor. On failure the shard is left for minimax__shard_close. */
MINIMAX__PRIV minimax_result minimax__shard_open(minimax__shard *sh, const char *path, minimax__tensor **table,
                                                 size_t *count, size_t *cap) {
    int fd;
    struct stat st;
    const uint8_t *base;
    uint64_t hlen = 0, data_size;
    const uint8_t *data;
    const minimax__json *root, *m;
    size_t first = *count, i, n;
    minimax__span *spans;
    minimax_result r;
    char what[1200];
    int k;

    memset(sh, 0, sizeof *sh);
    sh->fd = -1;
    sh->path = minimax__strdup(path);
    if (!sh->path) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory");
    fd = open(path, O_RDONLY | O_NONBLOCK); /* a FIFO in the shard's place fails below instead of blocking here */
    if (fd < 0) return minimax__fail(MINIMAX_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return minimax__fail(MINIMAX_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) { /* a directory or device would fail later with an obscure mmap error */
        close(fd);
        return minimax__fail(MINIMAX_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_size < 8) {
        close(fd);
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: truncated file: %lld bytes, shorter than the 8-byte header length",
                             path, (long long)st.st_size);
    }
    sh->map_size = (size_t)st.st_size;
    sh->map = mmap(NULL, sh->map_size, PROT_READ, MAP_PRIVATE, fd, 0);
    sh->fd = fd; /* the mapping would keep the file anyway; reads that touch each byte once go through it */
    if (sh->map == MAP_FAILED) {
        sh->map = NULL;
        return minimax__fail(MINIMAX_ERR_IO, "%s: cannot map %zu bytes: %s", path, sh->map_size, strerror(errno));
    }
    base = (const uint8_t *)sh->map;
    for (k = 7; k >= 0; k--) hlen = (hlen << 8) | base[k];
    if (hlen > MINIMAX__ST_MAX_HEADER)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: header length %llu is absurd (limit %u bytes)", path,
                             (unsigned long long)hlen, MINIMAX__ST_MAX_HEADER);
    if (hlen > sh->map_size - 8)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: header length %llu runs past the end of the file (%zu bytes)",
                             path, (unsigned long long)hlen, sh->map_size);
    data = base + 8 + hlen;
    data_size = sh->map_size - 8 - hlen;
    snprintf(what, sizeof what, "%s: safetensors header", path);
    r = minimax__json_parse((const char *)base + 8, (size_t)hlen, what, &sh->header);
    if (r != MINIMAX_OK) return r;
    root = sh->header.root;
    if (root->type != MINIMAX__JSON_OBJECT)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: safetensors header is not a JSON object", path);

    if (*count + root->count > *cap) {
        size_t nc = *cap ? *cap : 1024;
        minimax__tensor *t;
        while (nc < *count + root->count) nc *= 2;
        t = (minimax__tensor *)MINIMAX_REALLOC(*table, nc * sizeof **table);
        if (!t) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "%s: out of host memory for %zu tensor entries", path, nc);
        *table = t;
        *cap = nc;
    }
    for (m = root->child; m; m = m->next) {
        const minimax__json *dt, *shp, *off, *d;
        minimax__tensor *t;
        uint64_t b, e, elems = 1, v;
        if (!minimax__json_key_is_cstr(m))
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s\\u0000...: the name contains a NUL byte", path, m->key);
        if (strcmp(m->key, "__metadata__") == 0) {
            if (m->type != MINIMAX__JSON_OBJECT)
                return minimax__fail(MINIMAX_ERR_FORMAT, "%s: __metadata__ is not an object", path);
            continue;
        }
        if (m->type != MINIMAX__JSON_OBJECT)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: header entry is not an object", path, m->key);
        t = &(*table)[*count];
        memset(t, 0, sizeof *t);
        t->name = m->key;
        t->file = sh->path;
        dt = minimax__json_get(m, "dtype");
        if (!dt || dt->type != MINIMAX__JSON_STRING)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: dtype missing or not a string", path, m->key);
        for (k = 0; k < MINIMAX__DT_COUNT; k++)
            if (minimax__json_is(dt, minimax__dtype_names[k])) break;
        if (k == MINIMAX__DT_COUNT)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: unknown dtype \"%s%s\"", path, m->key, dt->str,
                                 minimax__json_cstr(dt) ? "" : "\\u0000...");
        t->dtype = (minimax__dtype)k;
        shp = minimax__json_get(m, "shape");
        if (!shp || shp->type != MINIMAX__JSON_ARRAY)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: shape missing or not an array", path, m->key);
        if (shp->count > 4)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: %zu dimensions, at most 4 are supported", path,
                                 m->key, shp->count);
        for (d = shp->child; d; d = d->next) {
            if (!minimax__json_u53(d, &v) || v > ((uint64_t)1 << 40))
                return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: shape has an entry that is not an integer in [0, 2^40]",
                                     path, m->key);
            t->shape[t->ndim++] = (int64_t)v;
            if (v && elems > UINT64_MAX / v)
                return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: shape product overflows", path, m->key);
            elems *= v;
        }
        if (elems > UINT64_MAX / 8)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: shape product overflows", path, m->key);
        off = minimax__json_get(m, "data_offsets");
        if (!off || off->type != MINIMAX__JSON_ARRAY || off->count != 2 || !minimax__json_u53(minimax__json_at(off, 0), &b) ||
            !minimax__json_u53(minimax__json_at(off, 1), &e))
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: data_offsets is not two integers >= 0", path, m->key);
        if (b > e)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: data_offsets [%llu, %llu] begin after end", path,
                                 m->key, (unsigned long long)b, (unsigned long long)e);
        if (e > data_size)
            return minimax__fail(MINIMAX_ERR_FORMAT,
                                 "%s: tensor %s: data_offsets [%llu, %llu] past the end of the data section (%llu bytes; "
                                 "truncated file?)",
                                 path, m->key, (unsigned long long)b, (unsigned long long)e, (unsigned long long)data_size);
        if (elems * (uint64_t)minimax__dtype_sizes[k] != e - b) {
            char s[128];
            minimax__shape_str(s, sizeof s, t->ndim, t->shape);
            return minimax__fail(MINIMAX_ERR_FORMAT,
                                 "%s: tensor %s: shape %s of %s is %llu bytes but data_offsets [%llu, %llu] span %llu", path,
                                 m->key, s, dt->str, (unsigned long long)(elems * (uint64_t)minimax__dtype_sizes[k]),
                                 (unsigned long long)b, (unsigned long long)e, (unsigned long long)(e - b));
        }
        t->data = data + b;
        t->nbytes = e - b;
        (*count)++;
    }

    /* Keep the names, drop the tree. */
    {
        size_t total = 0, at = 0;
        for (i = first; i < *count; i++) total += strlen((*table)[i].name) + 1;
        sh->names = (char *)minimax__alloc(total, "tensor names");
        if (!sh->names) return MINIMAX_ERR_OUT_OF_MEMORY;
        for (i = first; i < *count; i++) {
            size_t len = strlen((*table)[i].name) + 1;
            memcpy(sh->names + at, (*table)[i].name, len);
            (*table)[i].name = sh->names + at;
            at += len;
        }
        minimax__json_free(&sh->header);
    }

    /* Overlaps: sort this shard's spans by begin; each must start at or
       after the end of the one before (empty tensors overlap nothing). */
    n = *count - first;
    spans = (minimax__span *)minimax__alloc(n * sizeof *spans, "safetensors overlap check");
    if (!spans) return MINIMAX_ERR_OUT_OF_MEMORY;
    for (i = 0; i < n; i++) {
        const minimax__tensor *t = &(*table)[first + i];
        spans[i].begin = (uint64_t)(t->data - data);
        spans[i].end = spans[i].begin + t->nbytes;
        spans[i].tensor = first + i;
    }
    qsort(spans, n, sizeof *spans, minimax__span_cmp);
    {
        uint64_t end = 0;
        size_t last = 0;
        int have = 0;
        for (i = 0; i < n; i++) {
            if (spans[i].begin == spans[i].end) continue;
            if (have && spans[i].begin < end) {
                const char *a = (*table)[spans[i].tensor].name, *bn = (*table)[last].name;
                MINIMAX_FREE(spans);
                return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: data overlaps tensor %s", path, a, bn);
            }
            end = spans[i].end;
            last = spans[i].tensor;
            have = 1;
        }
    }
    MINIMAX_FREE(spans);
    return MINIMAX_OK;
}

/* Reads `n` bytes at `src` (inside the mapping) into buf with lseek + read
   (pread needs feature macros a header cannot set). NOT thread-safe: the
   file position is shared, so it may only be called while the checkpoint
   is being opened (one thread); after minimax_checkpoint_open returns,
   several threads may use the checkpoint and must read through the mapping.
   It reads this way so that
   a pass over many gigabytes neither page-faults every 4 KB nor leaves them
   mapped; falls back to memcpy when the file descriptor is gone. */
MINIMAX__PRIV minimax_result minimax__shard_read(const minimax__shard *sh, const uint8_t *src, size_t n, uint8_t *buf) {
    off_t off = (off_t)(src - (const uint8_t *)sh->map);
    size_t done = 0;
    if (sh->fd < 0) {
        memcpy(buf, src, n);
        return MINIMAX_OK;
    }
    while (done < n) {
        ssize_t got = lseek(sh->fd, off + (off_t)done, SEEK_SET) < 0 ? -1 : read(sh->fd, buf + done, n - done);
        if (got <= 0) return minimax__fail(MINIMAX_ERR_IO, "%s: read error at byte %lld", sh->path, (long long)(off + (off_t)done));
        done += (size_t)got;
    }
    return MINIMAX_OK;
}

/* ===========================================================================
   IMPLEMENTATION: the ModelOpt NVFP4 checkpoint (config, quantisation,
   index, shards, validation, weights view) and the memory estimate
   ===========================================================================
   Opening runs these steps; each fails with a message naming the file and
   the tensor, and nothing is used before it is checked:
     1. config.json -> minimax_config (defaults and limits: MODEL.md 1.1)
     2. hf_quant_config.json and/or config.json quantization_config: ModelOpt
        NVFP4 with group size 16, or MINIMAX_ERR_UNSUPPORTED
     3. model.safetensors.index.json (weight_map): the shards to map. Only
        these are opened; stray files (amax_checkpoint.safetensors, ...) are
        never looked at. Without an index, model.safetensors alone.
     4. every shard header (impl_15); then tensor names across shards must be
        unique, each tensor the index lists must be in the shard it names,
        tensors in a shard but not in the index are dropped
     5. fused expert tensors -> MINIMAX_ERR_UNSUPPORTED (see below)
     6. presence, dtype and shape of every tensor the model needs (MODEL.md
        3), layers >= num_layers (MTP) ignored
     7. the weights view (impl_05), then the values of every NVFP4 scale
   Host memory held: the tensor table (72 bytes a tensor), the tensor names
   and the weights view; each header's JSON tree and the index's only while
   opening. Measured on a sparse-file replica of the real model (200,333
   tensors with 3 MTP layers, 40 shards): 79 MB anonymous memory, peak RSS
   109 MB, 3 s with a warm page cache. Tensor data stays in the mappings and
   is only touched by the scale check, which uses read(), not the mapping.

   Fused experts. transformers >= 5 holds experts as 3-D parameters
   (mlp.experts.gate_up_proj [E, 2I, H], down_proj [E, H, I]). NVIDIA
   ModelOpt's export of such models (modelopt/torch/export/moe_utils.py,
   _export_fused_experts, PR #1187 and later) does NOT write them fused: it
   splits every expert into 2-D gate_proj / up_proj / down_proj modules
   ({E}.gate_proj.weight, .weight_scale, .weight_scale_2, .input_scale) and
   deletes the 3-D source parameters (_delete_fused_moe_source_attrs) before
   the state dict is written. So 3-D NVFP4 expert tensors are not a ModelOpt
   layout at all, and the final names of the split form (block prefix "mlp"
   or "block_sparse_moe", and whether transformers' save-time conversion
   renames them back to w1/w3/w2) could not be established from NVIDIA's
   code. Both are detected and rejected with MINIMAX_ERR_UNSUPPORTED naming
   the tensor found; this loader reads per-expert w1/w2/w3 only. */

#define MINIMAX__SCAN_BUF ((size_t)1 << 20)
#define MINIMAX__CK_MAX_JSON (64u * 1000u * 1000u) /* config/index files (the real index is ~20 MB), kernel source */

typedef struct minimax__index_entry {
    const char *name; /* into the index JSON */
    int shard;
} minimax__index_entry;

struct minimax_checkpoint {
    char *dir;
    minimax_config config;
    minimax_checkpoint_stats stats;
    minimax__shard *shards;
    int num_shards;
    minimax__tensor *tensors; /* sorted by name */
    size_t num_tensors;
    unsigned char *kinds;     /* minimax_tensor_kind of tensors[i] */
    minimax__weights weights;
    minimax__layer_weights *layers;
    minimax__fp4_matrix *matrices; /* [num_layers][3][num_experts]: w1, w2, w3 */
    uint8_t *scan_buf;             /* MINIMAX__SCAN_BUF bytes, only during open (scale check) */
};

/* ---- small helpers ---------------------------------------------------- */

/* Reads a whole small file (at most MINIMAX__CK_MAX_JSON bytes) into a
   malloc'd buffer with a NUL after the `len` bytes. *missing is set (and
   MINIMAX_OK returned) when the file does not exist and `missing` is not
   NULL. */
MINIMAX__PRIV minimax_result minimax__read_small_file(const char *path, char **data, size_t *len, int *missing) {
    FILE *f;
    long n;
    struct stat st;
    *data = NULL;
    *len = 0;
    if (missing) *missing = 0;
    /* a directory opens with fopen, and ftell then gives a nonsense size */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return minimax__fail(MINIMAX_ERR_IO, "%s: not a regular file", path);
    f = fopen(path, "rb");
    if (!f) {
        if (missing && errno == ENOENT) {
            *missing = 1;
            return MINIMAX_OK;
        }
        return minimax__fail(MINIMAX_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return minimax__fail(MINIMAX_ERR_IO, "%s: cannot read", path);
    }
    if ((unsigned long)n > MINIMAX__CK_MAX_JSON) {
        fclose(f);
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: %ld bytes, more than the %u allowed for a text file", path, n,
                             MINIMAX__CK_MAX_JSON);
    }
    *data = (char *)minimax__alloc((size_t)n + 1, path);
    if (!*data) {
        fclose(f);
        return MINIMAX_ERR_OUT_OF_MEMORY;
    }
    if (fread(*data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        MINIMAX_FREE(*data);
        *data = NULL;
        return minimax__fail(MINIMAX_ERR_IO, "%s: read error", path);
    }
    fclose(f);
    *len = (size_t)n;
    return MINIMAX_OK;
}

MINIMAX__PRIV char *minimax__path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = (char *)MINIMAX_MALLOC(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

/* Parses a JSON file. */
MINIMAX__PRIV minimax_result minimax__load_json(const char *path, minimax__json_doc *doc, int *missing) {
    char *text;
    size_t len;
    minimax_result r = minimax__read_small_file(path, &text, &len, missing);
    memset(doc, 0, sizeof *doc);
    if (r != MINIMAX_OK || (missing && *missing)) return r;
    r = minimax__json_parse(text, len, path, doc);
    MINIMAX_FREE(text); /* strings are copied into the document's arena */
    if (r == MINIMAX_OK && doc->root->type != MINIMAX__JSON_OBJECT) {
        minimax__json_free(doc);
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: not a JSON object", path);
    }
    return r;
}

/* ---- 1. config.json ---------------------------------------------------- */

/* An integer member; absent -> def when !required. An optional member
   given as a list takes its first entry (eos_token_id is sometimes
   [200020, ...]). */
MINIMAX__PRIV minimax_result minimax__cfg_int(const char *file, const minimax__json *root, const char *key, int required,
                                              int def, int *out) {
    const minimax__json *v = minimax__json_get(root, key);
    if (v && !required && v->type == MINIMAX__JSON_ARRAY && v->count > 0) v = v->child;
    if (!v || v->type == MINIMAX__JSON_NULL) {
        if (required) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: %s is missing", file, key);
        *out = def;
        return MINIMAX_OK;
    }
    if (v->type != MINIMAX__JSON_NUMBER || v->number != floor(v->number) || fabs(v->number) > 2147483647.0)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: %s = %.*s is not an integer", file, key, (int)v->raw_len, v->raw);
    *out = (int)v->number;
    return MINIMAX_OK;
}

/* A number member, or NULL when absent; an error when not a number. */
MINIMAX__PRIV minimax_result minimax__cfg_num(const char *file, const minimax__json *obj, const char *key,
                                              const minimax__json **out) {
    const minimax__json *v = minimax__json_get(obj, key);
    *out = NULL;
    if (!v || v->type == MINIMAX__JSON_NULL) return MINIMAX_OK;
    if (v->type != MINIMAX__JSON_NUMBER)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: %s is not a number", file, key);
    *out = v;
    return MINIMAX_OK;
}

MINIMAX__PRIV int minimax__contains_nocase(const char *s, const char *needle) {
    size_t n = strlen(needle), i, k;
    for (i = 0; s[i]; i++) {
        for (k = 0; k < n && s[i + k]; k++) {
            char a = s[i + k], b = needle[k];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
            if (a != b) break;
        }
        if (k == n) return 1;
    }
    return 0;
}

MINIMAX__PRIV minimax_result minimax__parse_config(const char *file, const minimax__json *root, minimax_config *c) {
    const minimax__json *mt = minimax__json_get(root, "model_type"), *ar = minimax__json_get(root, "architectures");
    const minimax__json *rp = minimax__json_get(root, "rope_parameters"), *v, *prf = NULL;
    int ok = 0, rotary = -1;
    minimax_result r;
    memset(c, 0, sizeof *c);

    /* Loose model check: model_type "minimax_m2" or an architecture
       containing "MiniMaxM2" (M2, M2.1, M2.5 and M2.7 share both). */
    if (mt && mt->type == MINIMAX__JSON_STRING && minimax__contains_nocase(mt->str, "minimax_m2")) ok = 1;
    if (ar && ar->type == MINIMAX__JSON_ARRAY)
        for (v = ar->child; v; v = v->next)
            if (v->type == MINIMAX__JSON_STRING && minimax__contains_nocase(v->str, "MiniMaxM2")) ok = 1;
    if (!ok) {
        const char *a0 = ar && ar->child && ar->child->type == MINIMAX__JSON_STRING ? ar->child->str : "(none)";
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                             "%s: model_type \"%s\", architectures [\"%s\"]: this library runs MiniMaxM2ForCausalLM "
                             "(model_type minimax_m2) only",
                             file, mt && mt->type == MINIMAX__JSON_STRING ? mt->str : "(none)", a0);
    }
    if ((r = minimax__cfg_int(file, root, "hidden_size", 1, 0, &c->hidden_size)) ||
        (r = minimax__cfg_int(file, root, "num_hidden_layers", 1, 0, &c->num_layers)) ||
        (r = minimax__cfg_int(file, root, "num_attention_heads", 1, 0, &c->num_heads)) ||
        (r = minimax__cfg_int(file, root, "num_key_value_heads", 1, 0, &c->num_kv_heads)) ||
        (r = minimax__cfg_int(file, root, "intermediate_size", 1, 0, &c->intermediate_size)) ||
        (r = minimax__cfg_int(file, root, "num_local_experts", 1, 0, &c->num_experts)) ||
        (r = minimax__cfg_int(file, root, "num_experts_per_tok", 1, 0, &c->top_k)) ||
        (r = minimax__cfg_int(file, root, "vocab_size", 1, 0, &c->vocab_size)) ||
        (r = minimax__cfg_int(file, root, "max_position_embeddings", 1, 0, &c->max_position_embeddings)) ||
        (r = minimax__cfg_int(file, root, "bos_token_id", 0, 200034, &c->bos_token_id)) ||
        (r = minimax__cfg_int(file, root, "eos_token_id", 0, 200020, &c->eos_token_id)))
        return r;
    if (c->num_heads <= 0) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: num_attention_heads = %d must be positive", file, c->num_heads);
    if ((r = minimax__cfg_int(file, root, "head_dim", 0, c->hidden_size / c->num_heads, &c->head_dim))) return r;

    /* rotary_dim, else partial_rotary_factor * head_dim (top level or in
       rope_parameters, as transformers >= 5 re-saves write it). */
    v = minimax__json_get(root, "rotary_dim");
    if (v && v->type != MINIMAX__JSON_NULL) {
        if ((r = minimax__cfg_int(file, root, "rotary_dim", 1, 0, &rotary))) return r;
    } else {
        if ((r = minimax__cfg_num(file, root, "partial_rotary_factor", &prf))) return r;
        if (!prf && rp && (r = minimax__cfg_num(file, rp, "partial_rotary_factor", &prf))) return r;
        if (!prf) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: neither rotary_dim nor partial_rotary_factor is given", file);
        {
            double d = prf->number * c->head_dim;
            if (!(d >= 0 && d <= 1e6) || fabs(d - floor(d + 0.5)) > 1e-6)
                return minimax__fail(MINIMAX_ERR_FORMAT, "%s: partial_rotary_factor %g * head_dim %d is not an integer",
                                     file, prf->number, c->head_dim);
            rotary = (int)floor(d + 0.5);
        }
    }
    c->rotary_dim = rotary;
    if ((r = minimax__cfg_num(file, root, "rope_theta", &v))) return r;
    if (!v && rp && (r = minimax__cfg_num(file, rp, "rope_theta", &v))) return r;
    if (!v) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: rope_theta is missing (top level and rope_parameters)", file);
    c->rope_theta = (float)v->number;
    if ((r = minimax__cfg_num(file, root, "rms_norm_eps", &v))) return r;
    if (!v) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: rms_norm_eps is missing", file);
    c->rms_norm_eps = (float)v->number;
    if ((r = minimax__cfg_num(file, root, "routed_scaling_factor", &v))) return r;
    c->routed_scaling_factor = v ? (float)v->number : 1.0f;

    /* Architecture variants this engine does not implement. */
    v = minimax__json_get(root, "scoring_func");
    if (v && v->type == MINIMAX__JSON_STRING && !minimax__json_is(v, "sigmoid"))
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: scoring_func \"%s%s\": only sigmoid routing is implemented", file, v->str,
                             minimax__json_cstr(v) ? "" : "\\u0000...");
    v = minimax__json_get(root, "shared_intermediate_size");
    if (v && v->type == MINIMAX__JSON_NUMBER && v->number != 0)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: shared_intermediate_size %g: shared experts are not implemented", file, v->number);
    v = minimax__json_get(root, "attn_type_list");
    if (v && v->type == MINIMAX__JSON_ARRAY) {
        const minimax__json *e;
        for (e = v->child; e; e = e->next)
            if (e->type == MINIMAX__JSON_NUMBER && e->number != 1)
                return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: attn_type_list has %g: only full attention (1) is implemented",
                                     file, e->number);
    }

#define MINIMAX__CFG_POS(field, key) \
    if (c->field <= 0) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: " key " = %d must be positive", file, c->field)
    MINIMAX__CFG_POS(hidden_size, "hidden_size");
    MINIMAX__CFG_POS(num_layers, "num_hidden_layers");
    MINIMAX__CFG_POS(num_kv_heads, "num_key_value_heads");
    MINIMAX__CFG_POS(head_dim, "head_dim");
    MINIMAX__CFG_POS(intermediate_size, "intermediate_size");
    MINIMAX__CFG_POS(num_experts, "num_local_experts");
    MINIMAX__CFG_POS(top_k, "num_experts_per_tok");
    MINIMAX__CFG_POS(vocab_size, "vocab_size");
    MINIMAX__CFG_POS(max_position_embeddings, "max_position_embeddings");
    MINIMAX__CFG_POS(rotary_dim, "rotary_dim");
#undef MINIMAX__CFG_POS
    if (c->top_k > c->num_experts)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: num_experts_per_tok %d > num_local_experts %d", file, c->top_k, c->num_experts);
    if (c->rotary_dim > c->head_dim || c->rotary_dim % 2)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: rotary_dim %d must be even and at most head_dim %d", file, c->rotary_dim,
                             c->head_dim);
    if (c->num_heads % c->num_kv_heads)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: num_attention_heads %d is not a multiple of num_key_value_heads %d", file,
                             c->num_heads, c->num_kv_heads);
    if (c->hidden_size % 16 || c->intermediate_size % 16)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: hidden_size %d and intermediate_size %d must be multiples of 16 (NVFP4 blocks)",
                             file, c->hidden_size, c->intermediate_size);
    if (c->bos_token_id < 0 || c->bos_token_id >= c->vocab_size || c->eos_token_id < 0 || c->eos_token_id >= c->vocab_size)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: bos_token_id %d / eos_token_id %d outside the vocabulary (%d)", file,
                             c->bos_token_id, c->eos_token_id, c->vocab_size);
    if (!(c->rope_theta > 0.0f) || !isfinite(c->rope_theta) || !(c->rms_norm_eps > 0.0f) || !isfinite(c->rms_norm_eps) ||
        !(c->routed_scaling_factor > 0.0f) || !isfinite(c->routed_scaling_factor))
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: rope_theta %g, rms_norm_eps %g and routed_scaling_factor %g must be finite and > 0",
                             file, (double)c->rope_theta, (double)c->rms_norm_eps, (double)c->routed_scaling_factor);
    return MINIMAX_OK;
}

/* ---- 2. quantisation ----------------------------------------------------
   hf_quant_config.json (ModelOpt, MODEL.md 4.6):
     {"quantization": {"quant_algo": "NVFP4", "group_size": 16, ...}}
   config.json, compressed-tensors style (modelopt convert_hf_config.py):
     "quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4",
       "config_groups": {"group_0": {"weights": {"group_size": 16, ...}, ...}}}
   At least one must be present and each must say NVFP4 / 16, so that when
   both are present they agree. */
MINIMAX__PRIV minimax_result minimax__check_algo(const char *file, const char *where, const minimax__json *algo) {
    if (!algo || algo->type != MINIMAX__JSON_STRING)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: %s.quant_algo is missing; this library reads ModelOpt NVFP4", file, where);
    if (!minimax__json_is(algo, "NVFP4"))
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: %s.quant_algo is \"%s%s\"; this library reads ModelOpt NVFP4 only", file,
                             where, algo->str, minimax__json_cstr(algo) ? "" : "\\u0000...");
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__check_group(const char *file, const char *where, const minimax__json *g) {
    if (!g || g->type != MINIMAX__JSON_NUMBER)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: %s.group_size is missing; NVFP4 needs 16", file, where);
    if (g->number != 16)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: %s.group_size is %.*s; NVFP4 uses 16", file, where, (int)g->raw_len,
                             g->raw);
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__parse_quant(const char *dir, const char *cfg_file, const minimax__json *cfg_root) {
    char *hf_path = minimax__path_join(dir, "hf_quant_config.json");
    minimax__json_doc hf;
    int missing = 0, have = 0;
    minimax_result r;
    const minimax__json *qc;
    if (!hf_path) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory");
    r = minimax__load_json(hf_path, &hf, &missing);
    if (r == MINIMAX_OK && !missing) {
        const minimax__json *q = minimax__json_get(hf.root, "quantization");
        have = 1;
        if (!q || q->type != MINIMAX__JSON_OBJECT)
            r = minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: no \"quantization\" object", hf_path);
        else if ((r = minimax__check_algo(hf_path, "quantization", minimax__json_get(q, "quant_algo"))) == MINIMAX_OK)
            r = minimax__check_group(hf_path, "quantization", minimax__json_get(q, "group_size"));
        minimax__json_free(&hf);
    }
    MINIMAX_FREE(hf_path);
    if (r != MINIMAX_OK) return r;

    qc = minimax__json_get(cfg_root, "quantization_config");
    if (qc && qc->type != MINIMAX__JSON_NULL) {
        const minimax__json *m = minimax__json_get(qc, "quant_method"), *groups = minimax__json_get(qc, "config_groups"), *g;
        have = 1;
        if (qc->type != MINIMAX__JSON_OBJECT)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: quantization_config is not an object", cfg_file);
        if (m && !minimax__json_is(m, "modelopt"))
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                                 "%s: quantization_config.quant_method is \"%s%s\"; this library reads ModelOpt NVFP4 only",
                                 cfg_file, m->type == MINIMAX__JSON_STRING ? m->str : "(not a string)",
                                 m->type == MINIMAX__JSON_STRING && !minimax__json_cstr(m) ? "\\u0000..." : "");
        if ((r = minimax__check_algo(cfg_file, "quantization_config", minimax__json_get(qc, "quant_algo")))) return r;
        if (groups && groups->type == MINIMAX__JSON_OBJECT) {
            for (g = groups->child; g; g = g->next) {
                char where[256];
                snprintf(where, sizeof where, "quantization_config.config_groups.%s.weights", g->key);
                if ((r = minimax__check_group(cfg_file, where, minimax__json_get(minimax__json_get(g, "weights"), "group_size"))))
                    return r;
            }
        }
    }
    if (!have)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                             "%s: no hf_quant_config.json and no quantization_config in config.json; this library reads "
                             "ModelOpt NVFP4 checkpoints",
                             dir);
    return MINIMAX_OK;
}

/* ---- 4. tensor table ---------------------------------------------------- */

static int minimax__tensor_cmp(const void *a, const void *b) {
    return strcmp(((const minimax__tensor *)a)->name, ((const minimax__tensor *)b)->name);
}
static int minimax__index_cmp(const void *a, const void *b) {
    return strcmp(((const minimax__index_entry *)a)->name, ((const minimax__index_entry *)b)->name);
}

MINIMAX__PRIV const minimax__tensor *minimax__checkpoint_find(const minimax_checkpoint *ck, const char *name) {
    size_t lo = 0, hi;
    if (!ck || !name) return NULL;
    hi = ck->num_tensors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ck->tensors[mid].name, name);
        if (c == 0) return &ck->tensors[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

MINIMAX__PRIV const minimax__weights *minimax__checkpoint_weights(const minimax_checkpoint *ck) {
    return ck ? &ck->weights : NULL;
}

/* Layer index of "model.layers.L.*", or -1. */
MINIMAX__PRIV long minimax__layer_of(const char *name, const char **rest) {
    const char *p = "model.layers.";
    char *end;
    long l;
    if (strncmp(name, p, 13) != 0 || name[13] < '0' || name[13] > '9') return -1;
    l = strtol(name + 13, &end, 10);
    if (*end != '.') return -1;
    if (rest) *rest = end + 1;
    return l;
}

/* ---- 5. fused experts (see the banner) ---------------------------------- */
MINIMAX__PRIV minimax_result minimax__reject_fused(minimax_checkpoint *ck) {
    size_t i;
    for (i = 0; i < ck->num_tensors; i++) {
        const char *rest, *e, *s;
        long l = minimax__layer_of(ck->tensors[i].name, &rest);
        if (l < 0 || l >= ck->config.num_layers) continue;
        e = strstr(rest, "experts.");
        if (!e) continue;
        s = e + 8;
        if (strncmp(s, "gate_up_proj", 12) == 0 || strncmp(s, "down_proj", 9) == 0 || strncmp(s, "up_proj", 7) == 0) {
            ck->stats.expert_layout = MINIMAX_EXPERTS_FUSED;
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                                 "%s: tensor %s: fused expert tensors (experts.gate_up_proj / down_proj) are not supported; "
                                 "this loader reads per-expert experts.E.w1/w2/w3",
                                 ck->tensors[i].file, ck->tensors[i].name);
        }
        while (*s >= '0' && *s <= '9') s++;
        if (s > e + 8 && (strncmp(s, ".gate_proj.", 11) == 0 || strncmp(s, ".up_proj.", 9) == 0 || strncmp(s, ".down_proj.", 11) == 0)) {
            ck->stats.expert_layout = MINIMAX_EXPERTS_FUSED;
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                                 "%s: tensor %s: experts exported from a transformers>=5 fused model (gate_proj/up_proj/down_proj "
                                 "names) are not supported; this loader reads per-expert experts.E.w1/w2/w3",
                                 ck->tensors[i].file, ck->tensors[i].name);
        }
    }
    return MINIMAX_OK;
}

/* ---- 6. expected tensors ------------------------------------------------ */

#define MINIMAX__BIT(d) (1u << (d))
#define MINIMAX__SCALAR (-1) /* ndim: shape [] or [1] */

MINIMAX__PRIV minimax_result minimax__expect(minimax_checkpoint *ck, const char *name, unsigned dtypes, int ndim, int64_t d0,
                                             int64_t d1, minimax_tensor_kind kind, int optional, const minimax__tensor **out) {
    const minimax__tensor *t = minimax__checkpoint_find(ck, name);
    int ok, k;
    *out = NULL;
    if (!t) {
        if (optional) return MINIMAX_OK;
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: missing (the model needs it; not in %s)", ck->dir, name,
                             ck->num_shards == 1 && strstr(ck->shards[0].path, "/model.safetensors") ? "model.safetensors"
                                                                                                     : "model.safetensors.index.json");
    }
    if (!(dtypes & MINIMAX__BIT(t->dtype))) {
        char want[128] = ""; /* all ten dtype names with " or " fit */
        for (k = 0; k < MINIMAX__DT_COUNT; k++)
            if (dtypes & MINIMAX__BIT(k)) {
                if (want[0]) strcat(want, " or ");
                strcat(want, minimax__dtype_names[k]);
            }
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: dtype %s, expected %s", t->file, name, minimax__dtype_name(t->dtype),
                             want);
    }
    if (ndim == MINIMAX__SCALAR) ok = t->ndim == 0 || (t->ndim == 1 && t->shape[0] == 1);
    else ok = t->ndim == ndim && t->shape[0] == d0 && (ndim < 2 || t->shape[1] == d1);
    if (!ok) {
        char got[128], want[128];
        int64_t w[2];
        w[0] = d0;
        w[1] = d1;
        minimax__shape_str(got, sizeof got, t->ndim, t->shape);
        if (ndim == MINIMAX__SCALAR) snprintf(want, sizeof want, "[] or [1]");
        else minimax__shape_str(want, sizeof want, ndim, w);
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: shape %s, expected %s", t->file, name, got, want);
    }
    ck->kinds[t - ck->tensors] = (unsigned char)kind;
    *out = t;
    return MINIMAX_OK;
}

MINIMAX__PRIV const minimax__shard *minimax__shard_of(const minimax_checkpoint *ck, const minimax__tensor *t) {
    int k;
    for (k = 0; k < ck->num_shards; k++)
        if (ck->shards[k].path == t->file) return &ck->shards[k];
    return NULL;
}

/* An F32 scalar, read with read() rather than through the mapping: touching
   one float per expert matrix through the mapping faults in (and keeps
   mapped) tens of KB around each, about 3 GB for the real model. */
MINIMAX__PRIV minimax_result minimax__scalar_f32(const minimax_checkpoint *ck, const minimax__tensor *t, float *out) {
    const minimax__shard *sh = minimax__shard_of(ck, t);
    uint8_t b[4];
    minimax_result r;
    if (!sh) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "%s: tensor %s: no shard", t->file, t->name);
    if ((r = minimax__shard_read(sh, t->data, 4, b)) != MINIMAX_OK) return r;
    memcpy(out, b, 4);
    return MINIMAX_OK;
}

/* NaN block scales (E4M3 0x7F / 0xFF). Every scale of every expert is read
   once at open: 1/8 of the FP4 bytes, about 14 GB for the real model, read
   with read() in 1 MiB pieces at disk speed. A NaN scale would silently
   poison every token routed to that expert, so it is worth a load-time read.
   Eight bytes at a time: the low 7 bits of a byte are all ones iff adding 1
   to them carries into bit 7 (no carry crosses bytes, each is at most 0x80). */
MINIMAX__PRIV minimax_result minimax__scan_scales(minimax_checkpoint *ck, const minimax__tensor *s, int64_t per_row) {
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full, one = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    const minimax__shard *sh = minimax__shard_of(ck, s);
    uint64_t pos = 0;
    if (!sh) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "%s: tensor %s: no shard", s->file, s->name);
    while (pos < s->nbytes) {
        size_t n = s->nbytes - pos > MINIMAX__SCAN_BUF ? MINIMAX__SCAN_BUF : (size_t)(s->nbytes - pos), i = 0;
        minimax_result r = minimax__shard_read(sh, s->data + pos, n, ck->scan_buf);
        if (r != MINIMAX_OK) return r;
        for (; i + 8 <= n; i += 8) {
            uint64_t x;
            memcpy(&x, ck->scan_buf + i, 8);
            if ((((x & lo7) + one) & hi) != 0) break;
        }
        for (; i < n; i++)
            if ((ck->scan_buf[i] & 0x7f) == 0x7f) {
                uint64_t at = pos + i;
                return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: block scale [%lld, %lld] is NaN (0x%02X)", s->file, s->name,
                                     (long long)(at / (uint64_t)per_row), (long long)(at % (uint64_t)per_row), ck->scan_buf[i]);
            }
        pos += n;
    }
    return MINIMAX_OK;
}

/* The tensors of one NVFP4 matrix [rows, cols]; fills *m when not NULL. */
MINIMAX__PRIV minimax_result minimax__expect_fp4(minimax_checkpoint *ck, const char *prefix, int64_t rows, int64_t cols,
                                                 minimax__fp4_matrix *m) {
    char name[256];
    const minimax__tensor *w, *s, *s2, *is;
    minimax_result r;
    snprintf(name, sizeof name, "%s.weight", prefix);
    if ((r = minimax__expect(ck, name, MINIMAX__BIT(MINIMAX__DT_U8), 2, rows, cols / 2, MINIMAX_KIND_EXPERT_FP4, 0, &w))) return r;
    snprintf(name, sizeof name, "%s.weight_scale", prefix);
    if ((r = minimax__expect(ck, name, MINIMAX__BIT(MINIMAX__DT_F8_E4M3), 2, rows, cols / 16, MINIMAX_KIND_EXPERT_SCALES, 0, &s)))
        return r;
    snprintf(name, sizeof name, "%s.weight_scale_2", prefix);
    if ((r = minimax__expect(ck, name, MINIMAX__BIT(MINIMAX__DT_F32), MINIMAX__SCALAR, 0, 0, MINIMAX_KIND_EXPERT_SCALES, 0, &s2)))
        return r;
    snprintf(name, sizeof name, "%s.input_scale", prefix);
    if ((r = minimax__expect(ck, name, MINIMAX__BIT(MINIMAX__DT_F32), MINIMAX__SCALAR, 0, 0, MINIMAX_KIND_EXPERT_SCALES, 1, &is)))
        return r;
    if (!m) return MINIMAX_OK;
    m->rows = rows;
    m->cols = cols;
    m->packed = w->data;
    m->scales = s->data;
    m->input_scale = 0.0f;
    if ((r = minimax__scalar_f32(ck, s2, &m->weight_scale_2)) || (is && (r = minimax__scalar_f32(ck, is, &m->input_scale))))
        return r;
    if (!is) ck->stats.missing_input_scales++;
    if (!isfinite(m->weight_scale_2) || !(m->weight_scale_2 > 0.0f))
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: weight_scale_2 = %g, must be finite and > 0", s2->file, s2->name,
                             (double)m->weight_scale_2);
    if (is && (!isfinite(m->input_scale) || !(m->input_scale > 0.0f)))
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: input_scale = %g, must be finite and > 0", is->file, is->name,
                             (double)m->input_scale);
    return minimax__scan_scales(ck, s, cols / 16);
}

/* Every tensor of the model. With fill = 0 only checks presence, dtype and
   shape; with fill = 1 also builds the weights view and checks scale values. */
MINIMAX__PRIV minimax_result minimax__expect_all(minimax_checkpoint *ck, int fill) {
    const minimax_config *c = &ck->config;
    const int64_t H = c->hidden_size, inter = c->intermediate_size, E = c->num_experts, V = c->vocab_size;
    const int64_t qd = (int64_t)c->num_heads * c->head_dim, kvd = (int64_t)c->num_kv_heads * c->head_dim;
    const unsigned bf16 = MINIMAX__BIT(MINIMAX__DT_BF16), router = bf16 | MINIMAX__BIT(MINIMAX__DT_F32);
    const minimax__tensor *t;
    minimax_result r;
    char name[256];
    int l;
    int64_t e;
    minimax__weights *w = &ck->weights;

    if ((r = minimax__expect(ck, "model.embed_tokens.weight", bf16, 2, V, H, MINIMAX_KIND_EMBEDDING, 0, &t))) return r;
    if (fill) w->embed = t;
    if ((r = minimax__expect(ck, "model.norm.weight", bf16, 1, H, 0, MINIMAX_KIND_NORM, 0, &t))) return r;
    if (fill) w->final_norm = t;
    if ((r = minimax__expect(ck, "lm_head.weight", bf16, 2, V, H, MINIMAX_KIND_LM_HEAD, 0, &t))) return r;
    if (fill) w->lm_head = t;
    for (l = 0; l < c->num_layers; l++) {
        minimax__layer_weights *lw = fill ? &ck->layers[l] : NULL;
        static const char *const proj[4] = {"q_proj", "k_proj", "v_proj", "o_proj"};
        static const char *const norm[2] = {"q_norm", "k_norm"};
        int i;
        for (i = 0; i < 4; i++) {
            int64_t rows = i == 0 ? qd : i == 3 ? H : kvd, cols = i == 3 ? qd : H;
            snprintf(name, sizeof name, "model.layers.%d.self_attn.%s.weight", l, proj[i]);
            if ((r = minimax__expect(ck, name, bf16, 2, rows, cols, MINIMAX_KIND_ATTENTION, 0, &t))) return r;
            if (lw) *(i == 0 ? &lw->q_proj : i == 1 ? &lw->k_proj : i == 2 ? &lw->v_proj : &lw->o_proj) = t;
        }
        for (i = 0; i < 2; i++) {
            snprintf(name, sizeof name, "model.layers.%d.self_attn.%s.weight", l, norm[i]);
            if ((r = minimax__expect(ck, name, bf16, 1, i ? kvd : qd, 0, MINIMAX_KIND_NORM, 0, &t))) return r;
            if (lw) *(i ? &lw->k_norm : &lw->q_norm) = t;
        }
        snprintf(name, sizeof name, "model.layers.%d.input_layernorm.weight", l);
        if ((r = minimax__expect(ck, name, bf16, 1, H, 0, MINIMAX_KIND_NORM, 0, &t))) return r;
        if (lw) lw->input_norm = t;
        snprintf(name, sizeof name, "model.layers.%d.post_attention_layernorm.weight", l);
        if ((r = minimax__expect(ck, name, bf16, 1, H, 0, MINIMAX_KIND_NORM, 0, &t))) return r;
        if (lw) lw->post_attn_norm = t;
        snprintf(name, sizeof name, "model.layers.%d.block_sparse_moe.gate.weight", l);
        if ((r = minimax__expect(ck, name, router, 2, E, H, MINIMAX_KIND_ROUTER, 0, &t))) return r;
        if (lw) lw->router = t;
        snprintf(name, sizeof name, "model.layers.%d.block_sparse_moe.e_score_correction_bias", l);
        if ((r = minimax__expect(ck, name, router, 1, E, 0, MINIMAX_KIND_ROUTER, 0, &t))) return r;
        if (lw) {
            lw->router_bias = t;
            lw->w1 = ck->matrices + ((size_t)l * 3 + 0) * (size_t)E;
            lw->w2 = ck->matrices + ((size_t)l * 3 + 1) * (size_t)E;
            lw->w3 = ck->matrices + ((size_t)l * 3 + 2) * (size_t)E;
        }
        for (e = 0; e < E; e++) {
            char prefix[200];
            snprintf(prefix, sizeof prefix, "model.layers.%d.block_sparse_moe.experts.%lld.w1", l, (long long)e);
            if ((r = minimax__expect_fp4(ck, prefix, inter, H, lw ? &lw->w1[e] : NULL))) return r;
            snprintf(prefix, sizeof prefix, "model.layers.%d.block_sparse_moe.experts.%lld.w2", l, (long long)e);
            if ((r = minimax__expect_fp4(ck, prefix, H, inter, lw ? &lw->w2[e] : NULL))) return r;
            snprintf(prefix, sizeof prefix, "model.layers.%d.block_sparse_moe.experts.%lld.w3", l, (long long)e);
            if ((r = minimax__expect_fp4(ck, prefix, inter, H, lw ? &lw->w3[e] : NULL))) return r;
        }
    }
    return MINIMAX_OK;
}

/* ---- open / close ------------------------------------------------------- */

MINIMAX_API void minimax_checkpoint_close(minimax_checkpoint *ck) {
    int i;
    if (!ck) return;
    for (i = 0; i < ck->num_shards; i++) minimax__shard_close(&ck->shards[i]);
    MINIMAX_FREE(ck->shards);
    MINIMAX_FREE(ck->tensors);
    MINIMAX_FREE(ck->kinds);
    MINIMAX_FREE(ck->layers);
    MINIMAX_FREE(ck->matrices);
    MINIMAX_FREE(ck->dir);
    MINIMAX_FREE(ck);
}

/* Steps 3 and 4: the index, the shards, the sorted table. */
MINIMAX__PRIV minimax_result minimax__open_shards(minimax_checkpoint *ck) {
    char *index_path = minimax__path_join(ck->dir, "model.safetensors.index.json");
    minimax__json_doc idx;
    minimax__index_entry *entries = NULL;
    size_t n_entries = 0, cap = 0, i, j, kept;
    char **names = NULL; /* shard names, into idx */
    int missing = 0, s;
    minimax_result r;

    memset(&idx, 0, sizeof idx);
    if (!index_path) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory");
    r = minimax__load_json(index_path, &idx, &missing);
    if (r != MINIMAX_OK) goto done;
    if (missing) { /* a single-file checkpoint */
        char *p = minimax__path_join(ck->dir, "model.safetensors");
        ck->shards = (minimax__shard *)minimax__alloc(sizeof *ck->shards, "shards");
        if (!p || !ck->shards) {
            MINIMAX_FREE(p);
            r = minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory");
            goto done;
        }
        ck->num_shards = 1;
        r = minimax__shard_open(&ck->shards[0], p, &ck->tensors, &ck->num_tensors, &cap);
        if (r == MINIMAX_ERR_IO && access(p, F_OK) != 0)
            r = minimax__fail(MINIMAX_ERR_IO, "%s: neither model.safetensors.index.json nor model.safetensors exists", ck->dir);
        MINIMAX_FREE(p);
        if (r != MINIMAX_OK) goto done;
    } else {
        const minimax__json *wm = minimax__json_get(idx.root, "weight_map"), *m;
        int n_names = 0;
        if (!wm || wm->type != MINIMAX__JSON_OBJECT || wm->count == 0) {
            r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: weight_map missing, empty or not an object", index_path);
            goto done;
        }
        entries = (minimax__index_entry *)minimax__alloc(wm->count * sizeof *entries, "index entries");
        names = (char **)minimax__alloc(wm->count * sizeof *names, "shard names");
        if (!entries || !names) {
            r = MINIMAX_ERR_OUT_OF_MEMORY;
            goto done;
        }
        for (m = wm->child; m; m = m->next) {
            int k;
            if (!minimax__json_key_is_cstr(m)) {
                r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s\\u0000...: the name contains a NUL byte", index_path, m->key);
                goto done;
            }
            if (!minimax__json_cstr(m) || m->len == 0 || strchr(m->str, '/') || m->str[0] == '.') {
                r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: shard name is not a plain file name", index_path, m->key);
                goto done;
            }
            for (k = n_names - 1; k >= 0; k--) /* entries of one shard are usually adjacent */
                if (strcmp(names[k], m->str) == 0) break;
            if (k < 0) {
                k = n_names++;
                names[k] = (char *)m->str;
            }
            entries[n_entries].name = m->key;
            entries[n_entries].shard = k;
            n_entries++;
        }
        ck->shards = (minimax__shard *)minimax__alloc((size_t)n_names * sizeof *ck->shards, "shards");
        if (!ck->shards) {
            r = MINIMAX_ERR_OUT_OF_MEMORY;
            goto done;
        }
        for (s = 0; s < n_names; s++) {
            char *p = minimax__path_join(ck->dir, names[s]);
            if (!p) {
                r = minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory");
                goto done;
            }
            ck->num_shards = s + 1;
            r = minimax__shard_open(&ck->shards[s], p, &ck->tensors, &ck->num_tensors, &cap);
            MINIMAX_FREE(p);
            if (r != MINIMAX_OK) {
                if (r == MINIMAX_ERR_IO) {
                    for (i = 0; i < n_entries && entries[i].shard != s; i++) {}
                    if (i < n_entries) {
                        char more[512];
                        snprintf(more, sizeof more, " (model.safetensors.index.json lists tensor %s in it)", entries[i].name);
                        minimax__fail_append(more);
                    }
                }
                goto done;
            }
        }
    }

    /* Sort; names must be unique across all shards. */
    qsort(ck->tensors, ck->num_tensors, sizeof *ck->tensors, minimax__tensor_cmp);
    for (i = 1; i < ck->num_tensors; i++)
        if (strcmp(ck->tensors[i - 1].name, ck->tensors[i].name) == 0) {
            r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: duplicate name (also in %s)", ck->tensors[i].file,
                              ck->tensors[i].name, ck->tensors[i - 1].file);
            goto done;
        }

    /* The index against the shards: each listed tensor in its shard; a
       tensor in a shard but not in the index is dropped (not part of the
       checkpoint as published). */
    if (entries) {
        qsort(entries, n_entries, sizeof *entries, minimax__index_cmp);
        for (i = 1; i < n_entries; i++)
            if (strcmp(entries[i - 1].name, entries[i].name) == 0) {
                r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: listed twice in weight_map", index_path, entries[i].name);
                goto done;
            }
        i = j = kept = 0;
        while (i < ck->num_tensors || j < n_entries) {
            int c = i >= ck->num_tensors ? 1 : j >= n_entries ? -1 : strcmp(ck->tensors[i].name, entries[j].name);
            if (c < 0) { /* in a shard, not listed */
                i++;
            } else if (c > 0) {
                r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: listed in model.safetensors.index.json but not in the shard",
                                  ck->shards[entries[j].shard].path, entries[j].name);
                goto done;
            } else {
                if (ck->tensors[i].file != ck->shards[entries[j].shard].path) {
                    r = minimax__fail(MINIMAX_ERR_FORMAT,
                                      "%s: tensor %s: listed in model.safetensors.index.json but not in the shard (it is in %s)",
                                      ck->shards[entries[j].shard].path, entries[j].name, ck->tensors[i].file);
                    goto done;
                }
                ck->tensors[kept++] = ck->tensors[i];
                i++;
                j++;
            }
        }
        ck->num_tensors = kept;
    }
    r = MINIMAX_OK;
done:
    MINIMAX_FREE(entries);
    MINIMAX_FREE(names);
    minimax__json_free(&idx);
    MINIMAX_FREE(index_path);
    return r;
}

MINIMAX_API minimax_result minimax_checkpoint_open(const char *dir, minimax_checkpoint **out) {
    minimax_checkpoint *ck;
    minimax__json_doc cfg;
    char *cfg_path;
    minimax_result r;
    size_t i;
    int missing = 0;

    if (out) *out = NULL;
    if (!dir || !out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_checkpoint_open: dir and out must not be NULL");
    minimax__clear_error();
    ck = (minimax_checkpoint *)minimax__alloc(sizeof *ck, "checkpoint");
    if (!ck) return MINIMAX_ERR_OUT_OF_MEMORY;
    ck->dir = minimax__strdup(dir);
    cfg_path = minimax__path_join(dir, "config.json");
    if (!ck->dir || !cfg_path) {
        MINIMAX_FREE(cfg_path);
        minimax_checkpoint_close(ck);
        return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    /* 1, 2 */
    r = minimax__load_json(cfg_path, &cfg, &missing);
    if (r == MINIMAX_OK && missing) r = minimax__fail(MINIMAX_ERR_IO, "%s: not found (is %s a checkpoint directory?)", cfg_path, dir);
    if (r == MINIMAX_OK) {
        r = minimax__parse_config(cfg_path, cfg.root, &ck->config);
        if (r == MINIMAX_OK) r = minimax__parse_quant(dir, cfg_path, cfg.root);
        minimax__json_free(&cfg);
    }
    MINIMAX_FREE(cfg_path);
    /* 3, 4 */
    if (r == MINIMAX_OK) r = minimax__open_shards(ck);
    if (r == MINIMAX_OK) {
        ck->kinds = (unsigned char *)minimax__alloc(ck->num_tensors, "tensor kinds");
        if (!ck->kinds) r = MINIMAX_ERR_OUT_OF_MEMORY;
        else memset(ck->kinds, MINIMAX_KIND_OTHER, ck->num_tensors);
    }
    /* 5, 6: names, dtypes, shapes, before anything is allocated or read */
    if (r == MINIMAX_OK) r = minimax__reject_fused(ck);
    if (r == MINIMAX_OK) r = minimax__expect_all(ck, 0);
    /* 7 */
    if (r == MINIMAX_OK) {
        size_t nl = (size_t)ck->config.num_layers, nm = nl * 3 * (size_t)ck->config.num_experts;
        ck->layers = (minimax__layer_weights *)minimax__alloc(nl * sizeof *ck->layers, "layer weights");
        ck->matrices = (minimax__fp4_matrix *)minimax__alloc(nm * sizeof *ck->matrices, "expert matrices");
        ck->scan_buf = (uint8_t *)minimax__alloc(MINIMAX__SCAN_BUF, "scale check buffer");
        if (!ck->layers || !ck->matrices || !ck->scan_buf) r = MINIMAX_ERR_OUT_OF_MEMORY;
        else {
            ck->weights.layers = ck->layers;
            r = minimax__expect_all(ck, 1);
        }
        MINIMAX_FREE(ck->scan_buf);
        ck->scan_buf = NULL;
    }
    if (r != MINIMAX_OK) {
        minimax_checkpoint_close(ck);
        return r;
    }
    ck->stats.num_shards = ck->num_shards;
    for (i = 0; i < ck->num_tensors; i++) {
        ck->stats.tensors[ck->kinds[i]]++;
        ck->stats.bytes[ck->kinds[i]] += ck->tensors[i].nbytes;
        ck->stats.total_tensors++;
        ck->stats.total_bytes += ck->tensors[i].nbytes;
    }
    *out = ck;
    return MINIMAX_OK;
}

MINIMAX_API const minimax_config *minimax_checkpoint_config(const minimax_checkpoint *ck) { return ck ? &ck->config : NULL; }

MINIMAX_API const minimax_checkpoint_stats *minimax_checkpoint_get_stats(const minimax_checkpoint *ck) {
    return ck ? &ck->stats : NULL;
}

MINIMAX_API const char *minimax_tensor_kind_name(minimax_tensor_kind kind) {
    switch (kind) {
    case MINIMAX_KIND_ATTENTION: return "attention (BF16)";
    case MINIMAX_KIND_EXPERT_FP4: return "experts, FP4 packed";
    case MINIMAX_KIND_EXPERT_SCALES: return "expert scales";
    case MINIMAX_KIND_EMBEDDING: return "embeddings";
    case MINIMAX_KIND_LM_HEAD: return "lm_head";
    case MINIMAX_KIND_ROUTER: return "router";
    case MINIMAX_KIND_NORM: return "norms";
    case MINIMAX_KIND_OTHER: return "other (unused)";
    case MINIMAX_KIND_COUNT: break;
    }
    return "?";
}

/* ---- memory estimate -------------------------------------------------------
   Per GPU, for tp GPUs (c = config, all sizes in bytes):
     attention  L * 2 * (q [nh*d,H] + k, v [nkv*d,H] + o [H,nh*d]) / tp   (heads split)
     experts    L * E * 3 * (rows*cols/tp/2 packed + rows*cols/tp/16 scales + 8)
                (w1, w3 [I/tp, H] and w2 [H, I/tp]: the expert width split;
                 8 = weight_scale_2 and input_scale, fp32, per matrix)
     embedding, lm_head  ceil(V/tp) * H * 2                                 (rows split)
     router     L * (E*H*2 + E*4)   BF16 gate, fp32 bias, replicated
     norms      (L * (2H + nh*d + nkv*d) + H) * 2, replicated
     KV cache   L * 2 (K, V) * nkv/tp * d * 2 bytes per token, for
                batch * ceil(max_ctx / block) * block tokens
     workspace  for one step of T = batch tokens, fp32 activations:
                T * 4 * ( 4*H                       residual, normed, attention out, MoE out
                        + (nh + 2*nkv)/tp * d       q, k, v
                        + nh/tp * d                 attention output before o_proj
                        + E + 2*k                   router logits, chosen ids and weights
                        + k * 2 * I/tp              gate and up of the chosen experts
                        + V )                       logits (whole vocabulary after the gather)
                Attention scores are not stored (flash-style kernels keep them on chip). */
MINIMAX_API minimax_result minimax_memory_estimate(const minimax_config *cfg, const minimax_memory_desc *desc,
                                                   minimax_memory_usage *out) {
    int tp = 1, max_ctx = 4096, batch = 1, block = 16;
    uint64_t L, H, nh, nkv, d, inter, E, V, K, T, qd, kvd, rows, blocks, per;
    int ovf = 0;
    if (!cfg || !out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_memory_estimate: cfg and out must not be NULL");
    memset(out, 0, sizeof *out);
    if (desc) {
        if (desc->tp < 0 || desc->max_ctx < 0 || desc->batch < 0 || desc->kv_block_tokens < 0)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_memory_estimate: tp %d, max_ctx %d, batch %d, kv_block_tokens %d: "
                                 "negative values are not allowed", desc->tp, desc->max_ctx, desc->batch, desc->kv_block_tokens);
        if (desc->tp) tp = desc->tp;
        if (desc->max_ctx) max_ctx = desc->max_ctx;
        if (desc->batch) batch = desc->batch;
        if (desc->kv_block_tokens) block = desc->kv_block_tokens;
    }
    if (cfg->hidden_size <= 0 || cfg->num_layers <= 0 || cfg->num_heads <= 0 || cfg->num_kv_heads <= 0 || cfg->head_dim <= 0 ||
        cfg->intermediate_size <= 0 || cfg->num_experts <= 0 || cfg->top_k <= 0 || cfg->vocab_size <= 0 ||
        cfg->hidden_size % 16 || cfg->intermediate_size % 16)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_memory_estimate: the configuration has impossible sizes");
    /* (not intermediate_size % (16 * tp): 16 * tp overflows int for a large tp) */
    if (cfg->num_heads % tp || cfg->num_kv_heads % tp || cfg->intermediate_size % tp || (cfg->intermediate_size / tp) % 16)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "minimax_memory_estimate: tp %d must divide the %d heads, the %d KV heads and the expert width %d "
                             "into multiples of 16",
                             tp, cfg->num_heads, cfg->num_kv_heads, cfg->intermediate_size);
    out->desc.tp = tp;
    out->desc.max_ctx = max_ctx;
    out->desc.batch = batch;
    out->desc.kv_block_tokens = block;
    L = (uint64_t)cfg->num_layers;
    H = (uint64_t)cfg->hidden_size;
    nh = (uint64_t)cfg->num_heads;
    nkv = (uint64_t)cfg->num_kv_heads;
    d = (uint64_t)cfg->head_dim;
    inter = (uint64_t)cfg->intermediate_size;
    E = (uint64_t)cfg->num_experts;
    V = (uint64_t)cfg->vocab_size;
    K = (uint64_t)cfg->top_k;
    T = (uint64_t)tp;
    /* Every field is a sum of products of config values up to 2^31: checked,
       so that an absurd configuration is an error, never a wrapped small number. */
#define MINIMAX__MUL(a, b) minimax__mul_u64(a, b, &ovf)
#define MINIMAX__ADD(a, b) minimax__add_u64(a, b, &ovf)
    qd = nh * d; /* < 2^62 */
    kvd = nkv * d;
    out->weights_attention =
        MINIMAX__MUL(L * 2, MINIMAX__ADD(MINIMAX__MUL(2 * qd, H), MINIMAX__MUL(2 * kvd, H))) / T;
    per = MINIMAX__MUL(inter / T, H); /* elements of one expert matrix on this GPU */
    out->weights_experts = MINIMAX__MUL(MINIMAX__MUL(L, E * 3), per / 2 + per / 16 + 8);
    rows = (V + T - 1) / T;
    out->weights_embedding = MINIMAX__MUL(rows * H, 2);
    out->weights_lm_head = out->weights_embedding;
    out->weights_router = MINIMAX__MUL(L, MINIMAX__ADD(MINIMAX__MUL(E * H, 2), E * 4));
    out->weights_norms = MINIMAX__MUL(MINIMAX__ADD(MINIMAX__MUL(L, 2 * H + qd + kvd), H), 2);
    out->weights = MINIMAX__ADD(MINIMAX__ADD(MINIMAX__ADD(out->weights_attention, out->weights_experts),
                                             MINIMAX__ADD(out->weights_embedding, out->weights_lm_head)),
                                MINIMAX__ADD(out->weights_router, out->weights_norms));
    out->kv_bytes_per_token = MINIMAX__MUL(L * 2 * (nkv / T), d * 2);
    blocks = ((uint64_t)max_ctx + (uint64_t)block - 1) / (uint64_t)block;
    out->kv_tokens = (uint64_t)batch * blocks * (uint64_t)block; /* < 2^31 * 2^32 */
    out->kv_cache = MINIMAX__MUL(out->kv_bytes_per_token, out->kv_tokens);
    out->workspace = MINIMAX__MUL((uint64_t)batch * 4,
                                  MINIMAX__ADD(MINIMAX__ADD(4 * H + E + 2 * K + V, MINIMAX__MUL((nh + 2 * nkv) / T, d)),
                                               MINIMAX__ADD(MINIMAX__MUL(nh / T, d), MINIMAX__MUL(K * 2, inter / T))));
    out->total = MINIMAX__ADD(MINIMAX__ADD(out->weights, out->kv_cache), out->workspace);
#undef MINIMAX__MUL
#undef MINIMAX__ADD
    if (ovf) {
        memset(out, 0, sizeof *out);
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "minimax_memory_estimate: the sizes of this configuration overflow 64 bits (layers %d, hidden %d, "
                             "experts %d x %d, vocabulary %d)",
                             cfg->num_layers, cfg->hidden_size, cfg->num_experts, cfg->intermediate_size, cfg->vocab_size);
    }
    return MINIMAX_OK;
}

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

/* ===========================================================================
   IMPLEMENTATION: the GPU engine (model, sessions, forward pass, sampling)
   ===========================================================================
   Kernels are in src/kernels.cu (embedded as minimax__kernel_source); this
   section uploads the weights, owns the paged KV pool and the scratch
   buffers, and enqueues the forward pass of T token slots on one stream.

   Device memory of a model:
     per layer: in/post norms, q/k norms fp32; wqkv BF16 [(nh+2nkv)*d, H]
       (q_proj, k_proj, v_proj stacked so one product makes q|k|v); wo BF16
       [H, nh*d]; router [E, H] as stored (BF16, or fp32 for an F32 router;
       its logits accumulate in fp32 either way); bias fp32 [E]; experts in the ModelOpt
       layout as stored, all experts of a layer contiguous:
         w1p/w3p [E][I][H/2] u8, w1s/w3s [E][I][H/16] e4m3,
         w2p [E][H][I/2] u8, w2s [E][H][I/16] e4m3, ws2_1/ws2_3/ws2_2 fp32 [E]
       (rows and blocks as stored; on Hopper the 8 codes of each 32-bit word
       are permuted once after upload, minimax__fp4_layout / kernels.cu
       k_fp4_layout, so that the software decode is cheaper).
     embed, lm_head BF16 [V, H]; final norm fp32 [H].
     KV pool BF16 (layout in kernels.cu); block table int [max_sessions][max_blocks].
     per-step inputs (one buffer, uploaded by ONE copy before a forward or a
       graph replay): ids, pos, srow, out_rows [Tmax] int; sample params [Tmax].
     scratch fp32: x, hn [Tmax, H]; qkv [Tmax, QKV]; qr, attn [Tmax, nh*d]; rlog [Tmax, E];
       topk idx/wt [Tmax*k]; act [Tmax*k, I]; xo [R, H]; logits [R, V]; sampled [R].
   No host synchronisation inside a forward: routing stays on the device.

   STATUS (measured on one H100 80GB HBM3, real shapes with 16 layers,
   synthetic weights, batch 1, short context, CUDA graphs): decode 273-281
   tok/s (about 3.6 ms per token, ~1.0 TB/s of weights, a third of the
   bandwidth), prefill 760-840 tok/s (16-256 token prompts); 8 sessions
   stepped together 655 tok/s in all, 32 sessions 722 tok/s. The kernels are
   the simple correct versions: warp-per-row GEMV-style products that re-read
   weights for every 8 token slots (prefill and batches are not yet tensor-core
   GEMMs grouped by expert), FP4 loads of 8 bytes per lane, attention one
   warp per key (no split-KV), several small kernels per layer. */

/* (minimax_nvfp4_cuda.cu.h, the kernel source, is included by the JIT section) */

enum {
    MINIMAX__K_EMBED,
    MINIMAX__K_RMSNORM,
    MINIMAX__K_MM_BF16,
    MINIMAX__K_MM_F32,
    MINIMAX__K_QK_NORM_ROPE_KV,
    MINIMAX__K_ATTENTION,
    MINIMAX__K_ROUTER,
    MINIMAX__K_EXPERT_GATE_UP,
    MINIMAX__K_EXPERT_DOWN,
    MINIMAX__K_SAMPLE,
    MINIMAX__K_RNG_UNIFORM,
    MINIMAX__K_FP4_DEQUANT,
    MINIMAX__K_FP4_LAYOUT,
    MINIMAX__K_FAULT,
    MINIMAX__K_COUNT
};
static const char *const minimax__kernel_names[MINIMAX__K_COUNT] = {
    "k_embed",          "k_rmsnorm",       "k_mm_bf16",     "k_mm_f32",          "k_qk_norm_rope_kv", "k_attention",   "k_router",
    "k_expert_gate_up", "k_expert_down",   "k_sample",      "k_rng_uniform",     "k_fp4_dequant", "k_fp4_layout",
    "k_fault"};

/* Mirrors struct sample_params of kernels.cu (40 bytes, 8-aligned). */
typedef struct minimax__sample_params {
    float temperature, top_p, min_p;
    int32_t top_k;
    uint64_t seed, session;
    int64_t position;
} minimax__sample_params;

/* Limits the kernels assume (kernels.cu: ATT_MAXD, ROUTER_MAXE, grid.y). */
#define MINIMAX__MAX_HEAD_DIM 256
#define MINIMAX__MAX_EXPERTS 1024
#define MINIMAX__STAGING_BYTES ((size_t)64 << 20)
#define MINIMAX__LOGITS_BUDGET ((size_t)64 << 20) /* logits rows beyond max_sessions, for all-position tests */

typedef struct minimax__dev_layer {
    minimax__cu_ptr in_norm, post_norm, q_norm, k_norm;
    minimax__cu_ptr wqkv, wo, router, router_bias;
    minimax__cu_ptr w1p, w1s, w3p, w3s, w2p, w2s, ws2_1, ws2_3, ws2_2;
    int router_f32; /* router kept as stored: BF16 (exact) or fp32 */
} minimax__dev_layer;

/* Sizes derived from a config and the desc; pure arithmetic (tested on the CPU). */
typedef struct minimax__plan {
    int max_sessions, max_context, block_tokens, max_blocks, num_blocks, max_tokens, logits_rows, valid_vocab;
    int qkv_dim, attn_dim;
    size_t weight_bytes, kv_bytes, scratch_bytes, total_bytes;
    size_t kv_block_bytes; /* one block, all layers, K and V */
} minimax__plan;

typedef struct minimax__dev_alloc {
    minimax__cu_ptr ptr;
    size_t bytes;
} minimax__dev_alloc;

struct minimax_session {
    minimax_model *model;
    int row;        /* block-table row, index into model->sessions */
    uint64_t id;    /* creation order */
    int pos;        /* tokens in the cache */
    int nblocks;    /* blocks owned (block_table row prefix) */
    minimax_sampling sampling;
};

struct minimax_model {
    minimax_config cfg;
    minimax__plan plan;
    minimax_model_info info;
    int failed;
    /* CUDA */
    minimax__cu_device dev;
    minimax__cu_context ctx;
    int own_ctx; /* 1 = retained primary context */
    minimax__cu_stream stream;
    int own_stream;
    minimax__cu_module module;
    minimax__cu_function fn[MINIMAX__K_COUNT];
    /* device memory */
    minimax__dev_alloc *allocs;
    int n_allocs, cap_allocs;
    minimax__dev_layer *layers;
    minimax__cu_ptr embed, lm_head, final_norm;
    minimax__cu_ptr kv, block_table, step_in;
    minimax__cu_ptr x, hn, qkv, qr, attn, rlog, topk_idx, topk_wt, act, xo, logits, sampled;
    minimax__cu_ptr route_flag; /* int, 1 while a pass's routing is out for its down kernel (kernels.cu EARLY) */
    /* per-step inputs: device offsets into step_in and the pinned host mirror */
    size_t off_ids, off_pos, off_srow, off_rows, off_sp, step_in_bytes;
    int pass0; /* the first slot of the pass being enqueued (minimax__pass_view) */
    unsigned char *h_in;
    int32_t *h_bt; /* pinned mirror of the block table */
    void *staging; /* pinned upload buffer */
    /* pool */
    int32_t *free_blocks;
    int n_free;
    minimax_session **sessions; /* [max_sessions], NULL = free row */
    uint64_t next_session_id;
    /* graphs: one per step size n (1..max_sessions), captured on first use */
    minimax__cu_graph_exec *graphs;
    /* fast decode kernels (impl_52_fast.h): handles (MINIMAX__FK_COUNT of
       them, checked there at compile time), on/off, SM count */
    minimax__cu_function fn_fast[32];
    int fast_decode, num_sms;
    /* 1 while minimax__enqueue_range enqueues a pass whose launches on
       m->stream go out with programmatic dependent launch (minimax__launch_fn) */
    int pdl;
    int l2_prefetch_bytes; /* the q|k|v prefetch's budget (half the L2), 0: no prefetch (kernels.cu k_l2_prefetch) */
    /* the prefetch branch (impl_52_fast.h minimax__branch_prefetch): its
       stream, fork / join events, 1 while a branch is not joined */
    minimax__cu_stream side;
    minimax__cu_event ev_fork, ev_join;
    int branch_open;
    minimax__cu_ptr fast_part; /* split-KV attention partials */
    int attn_l0; /* the first layer of the pass being enqueued, set by its first call (begin): that layer's
                    attention stores the RoPE angles, the later layers' load them (minimax__fast_attn) */
    /* tests only: when dbg_route is set, prefill copies each layer's routing
       (topk_idx of its tokens) to dbg_route[layer][position][top_k], positions
       < dbg_route_stride */
    minimax__cu_ptr dbg_route;
    int dbg_route_stride, dbg_pos0, dbg_recording;
    /* several GPUs (impl_56_multi.h): NULL for one GPU. The model the caller
       holds (the front, mg_rank -1) owns the sessions and drives one model per
       GPU (mg_rank 0, 1, ...), each with its own context, stream, weight
       shard, KV pool shard and buffers. mg_part: a rank's partial sums [T, H]
       (zero between uses) */
    struct minimax__mg *mg;
    int mg_rank;
    minimax__cu_ptr mg_part;
};

/* ---- plan ------------------------------------------------------------------ */

/* Applies the desc's defaults and computes every size. INVALID_ARGUMENT /
   UNSUPPORTED with the reason when the config or desc cannot run. */
MINIMAX__PRIV minimax_result minimax__plan_make(const minimax_config *c, const minimax_model_desc *d, minimax__plan *p) {
    size_t H, V, E, NI, L, kvtok;
    size_t layer_bytes;
    memset(p, 0, sizeof *p);
    if (c->hidden_size <= 0 || c->num_layers <= 0 || c->num_heads <= 0 || c->num_kv_heads <= 0 || c->head_dim <= 0 ||
        c->intermediate_size <= 0 || c->num_experts <= 0 || c->top_k <= 0 || c->vocab_size <= 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "config has a non-positive dimension");
    if (c->hidden_size % 16 || c->intermediate_size % 16)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "hidden_size %d and intermediate_size %d must be multiples of 16",
                             c->hidden_size, c->intermediate_size);
    if (c->head_dim % 2 || c->head_dim > MINIMAX__MAX_HEAD_DIM)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "head_dim %d: the attention kernel needs an even size up to %d",
                             c->head_dim, MINIMAX__MAX_HEAD_DIM);
    if ((c->num_heads * c->head_dim) % 8)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                             "num_heads x head_dim = %d: the o_proj product needs a multiple of 8",
                             c->num_heads * c->head_dim);
    if (c->rotary_dim < 0 || c->rotary_dim % 2 || c->rotary_dim > c->head_dim)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "rotary_dim %d must be even and at most head_dim %d",
                             c->rotary_dim, c->head_dim);
    if (c->num_heads % c->num_kv_heads)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "num_heads %d is not a multiple of num_kv_heads %d", c->num_heads,
                             c->num_kv_heads);
    if (c->num_experts > MINIMAX__MAX_EXPERTS || c->top_k > c->num_experts || c->top_k > 32)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "num_experts %d / top_k %d outside the router kernel's limits (%d, 32)",
                             c->num_experts, c->top_k, MINIMAX__MAX_EXPERTS);
    if (d->max_sessions < 0 || d->max_context < 0 || d->kv_block_tokens < 0 || d->max_batch_tokens < 0 ||
        d->valid_vocab < 0 || d->device < 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_desc has a negative field");
    p->max_sessions = d->max_sessions ? d->max_sessions : 1;
    p->max_context = d->max_context ? d->max_context
                                    : (c->max_position_embeddings > 0 && c->max_position_embeddings < 4096
                                           ? c->max_position_embeddings
                                           : 4096);
    if (c->max_position_embeddings > 0 && p->max_context > c->max_position_embeddings)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "max_context %d exceeds max_position_embeddings %d",
                             p->max_context, c->max_position_embeddings);
    p->block_tokens = d->kv_block_tokens ? d->kv_block_tokens : 16;
    p->max_tokens = d->max_batch_tokens ? d->max_batch_tokens : 256;
    if (p->max_tokens < p->max_sessions) p->max_tokens = p->max_sessions;
    if ((int64_t)p->max_tokens * c->top_k > 65535)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "max_batch_tokens %d x top_k %d exceeds a grid dimension (65535)",
                             p->max_tokens, c->top_k);
    p->valid_vocab = d->valid_vocab ? d->valid_vocab : c->vocab_size;
    if (p->valid_vocab > c->vocab_size)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "valid_vocab %d exceeds vocab_size %d", p->valid_vocab,
                             c->vocab_size);
    p->max_blocks = (p->max_context + p->block_tokens - 1) / p->block_tokens;
    if ((int64_t)p->max_blocks * p->max_sessions > 0x7fffffff)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "KV pool of %d sessions x %d blocks is too large",
                             p->max_sessions, p->max_blocks);
    p->num_blocks = p->max_blocks * p->max_sessions;
    /* logits rows: every session of a step; more (up to max_tokens) when they
       fit a small budget, so tests can read the logits of every prefill position */
    p->logits_rows = p->max_sessions;
    {
        size_t budget_rows = MINIMAX__LOGITS_BUDGET / ((size_t)c->vocab_size * 4);
        if ((size_t)p->logits_rows < budget_rows)
            p->logits_rows = budget_rows > (size_t)p->max_tokens ? p->max_tokens : (int)budget_rows;
    }
    H = (size_t)c->hidden_size;
    V = (size_t)c->vocab_size;
    E = (size_t)c->num_experts;
    NI = (size_t)c->intermediate_size;
    L = (size_t)c->num_layers;
    p->qkv_dim = (c->num_heads + 2 * c->num_kv_heads) * c->head_dim;
    p->attn_dim = c->num_heads * c->head_dim;
    layer_bytes = (2 * H + (size_t)p->attn_dim + (size_t)c->num_kv_heads * c->head_dim) * 4 /* norms */
                  + (size_t)p->qkv_dim * H * 2 + H * (size_t)p->attn_dim * 2             /* wqkv, wo */
                  + E * H * 4 + E * 4                                                     /* router, bias */
                  + (E * NI * 2) * (H / 2 + H / 16) + E * H * (NI / 2 + NI / 16)             /* experts */
                  + 3 * E * 4;                                                             /* ws2 */
    p->weight_bytes = L * layer_bytes + 2 * V * H * 2 + H * 4;
    p->kv_block_bytes = L * 2 * (size_t)c->num_kv_heads * p->block_tokens * c->head_dim * 2;
    kvtok = (size_t)p->num_blocks;
    p->kv_bytes = kvtok * p->kv_block_bytes;
    {
        size_t T = (size_t)p->max_tokens, R = (size_t)p->logits_rows, K = (size_t)c->top_k;
        size_t step_in = T * 4 * 4 + T * sizeof(minimax__sample_params) + 64;
        p->scratch_bytes = step_in + (size_t)p->num_blocks * 4 /* block table */
                           + T * H * 4 * 2 + T * (size_t)p->qkv_dim * 4 + T * (size_t)p->attn_dim * 8 + T * E * 4 + T * K * 8 +
                           T * K * NI * 4 + R * H * 4 + R * V * 4 + R * 4;
    }
    p->total_bytes = p->weight_bytes + p->kv_bytes + p->scratch_bytes;
    return MINIMAX_OK;
}

/* ---- sampling on the host ---------------------------------------------------
   The generator is shared with the kernels (keep them identical): SplitMix64
   finalisers chained over (seed, session id, position); the top 24 bits give
   a uniform float in [0, 1). */
MINIMAX__PRIV uint64_t minimax__mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

MINIMAX_API float minimax_sampling_uniform(uint64_t seed, uint64_t session_id, uint64_t position) {
    uint64_t k = minimax__mix64(minimax__mix64(minimax__mix64(seed) ^ session_id) ^ position);
    return (float)(k >> 40) * (1.0f / 16777216.0f);
}

MINIMAX__PRIV uint32_t minimax__fkey(float f) {
    uint32_t u = minimax__bits_from_f32(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/* The sampling rule of k_sample on the host, in double (tests compare the
   two; a host may also sample logits it got from minimax_step). */
MINIMAX__PRIV int32_t minimax__sample_host(const float *l, int valid, const minimax_sampling *s, uint64_t session_id,
                                           uint64_t position) {
    int i, best = -1;
    uint32_t tk = 0, tp = 0, thr;
    double invT, minp, total, target, run;
    for (i = 0; i < valid; i++)
        if (best < 0 || l[i] > l[best]) best = i;
    if (best < 0) return 0;
    if (!(s->temperature > 0.0f)) return best;
    invT = (double)(1.0f / s->temperature);
    minp = s->min_p > 0.0f ? s->min_p : 0.0;
    if (s->top_k > 0 && s->top_k < valid) {
        uint32_t lo = 0, hi = 0xffffffffu;
        while (lo < hi) {
            uint32_t mid = (uint32_t)(((uint64_t)lo + hi + 1) / 2);
            int cnt = 0;
            for (i = 0; i < valid; i++) cnt += minimax__fkey(l[i]) >= mid;
            if (cnt >= s->top_k) lo = mid;
            else hi = mid - 1;
        }
        tk = lo;
    }
#define MINIMAX__P(i) exp(((double)l[i] - (double)l[best]) * invT)
    if (s->top_p > 0.0f && s->top_p < 1.0f) {
        double z = 0.0, tgt;
        uint32_t lo = 0, hi = 0xffffffffu;
        for (i = 0; i < valid; i++)
            if (minimax__fkey(l[i]) >= tk && MINIMAX__P(i) >= minp) z += MINIMAX__P(i);
        tgt = (double)s->top_p * z;
        while (lo < hi) {
            uint32_t mid = (uint32_t)(((uint64_t)lo + hi + 1) / 2);
            double sum = 0.0;
            for (i = 0; i < valid; i++) {
                uint32_t k = minimax__fkey(l[i]);
                if (k >= tk && k >= mid && MINIMAX__P(i) >= minp) sum += MINIMAX__P(i);
            }
            if (sum >= tgt) lo = mid;
            else hi = mid - 1;
        }
        tp = lo;
    }
    thr = tk > tp ? tk : tp;
    total = 0.0;
    for (i = 0; i < valid; i++)
        if (minimax__fkey(l[i]) >= thr && MINIMAX__P(i) >= minp) total += MINIMAX__P(i);
    target = (double)minimax_sampling_uniform(s->seed, session_id, position) * total;
    run = 0.0;
    {
        int last = best;
        for (i = 0; i < valid; i++) {
            if (minimax__fkey(l[i]) >= thr && MINIMAX__P(i) >= minp) {
                last = i;
                run += MINIMAX__P(i);
                if (target < run) return i;
            }
        }
        return last;
    }
#undef MINIMAX__P
}

/* ---- device helpers ------------------------------------------------------------ */

/* Checks a driver result; a sticky error puts the model in its failed state. */
MINIMAX__PRIV minimax_result minimax__mcheck(minimax_model *m, minimax__cu_result r, const char *what) {
    if (r == 0) return MINIMAX_OK;
    if (minimax__cu_is_sticky(r)) m->failed = 1;
    return minimax__cu_check(r, what);
}

MINIMAX__PRIV minimax_result minimax__dalloc(minimax_model *m, size_t bytes, const char *what, minimax__cu_ptr *out) {
    minimax__cu_ptr p = 0;
    minimax__cu_result cr;
    *out = 0;
    if (m->n_allocs == m->cap_allocs) {
        int cap = m->cap_allocs ? 2 * m->cap_allocs : 256;
        minimax__dev_alloc *a = (minimax__dev_alloc *)MINIMAX_REALLOC(m->allocs, (size_t)cap * sizeof *a);
        if (!a) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory for the allocation list");
        m->allocs = a;
        m->cap_allocs = cap;
    }
    cr = minimax__cu.cuMemAlloc(&p, bytes ? bytes : 16);
    if (cr != 0) {
        char msg[256];
        size_t fr = 0, tot = 0;
        minimax__cu.cuMemGetInfo(&fr, &tot);
        snprintf(msg, sizeof msg, "cuMemAlloc of %zu bytes for %s (%zu of %zu bytes free)", bytes, what, fr, tot);
        return minimax__mcheck(m, cr, msg);
    }
    m->allocs[m->n_allocs].ptr = p;
    m->allocs[m->n_allocs].bytes = bytes;
    m->n_allocs++;
    *out = p;
    return MINIMAX_OK;
}

/* Copies host bytes to the device through the pinned staging buffer. */
MINIMAX__PRIV minimax_result minimax__upload(minimax_model *m, minimax__cu_ptr dst, const void *src, size_t bytes) {
    const unsigned char *s = (const unsigned char *)src;
    while (bytes) {
        size_t n = bytes < MINIMAX__STAGING_BYTES ? bytes : MINIMAX__STAGING_BYTES;
        minimax_result r;
        memcpy(m->staging, s, n);
        if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyHtoD(dst, m->staging, n), "upload of weights")) != MINIMAX_OK)
            return r;
        dst += n;
        s += n;
        bytes -= n;
    }
    return MINIMAX_OK;
}

/* Appends pieces to a contiguous device range through the staging buffer,
   one copy per full buffer (the 768 expert matrices of a layer). */
typedef struct minimax__upl {
    minimax_model *m;
    minimax__cu_ptr dst;
    size_t used;
} minimax__upl;

MINIMAX__PRIV minimax_result minimax__upl_flush(minimax__upl *u) {
    minimax_result r = MINIMAX_OK;
    if (u->used) r = minimax__mcheck(u->m, minimax__cu.cuMemcpyHtoD(u->dst, u->m->staging, u->used), "upload of experts");
    u->dst += u->used;
    u->used = 0;
    return r;
}

MINIMAX__PRIV minimax_result minimax__upl_add(minimax__upl *u, const void *src, size_t bytes) {
    const unsigned char *s = (const unsigned char *)src;
    minimax_result r;
    while (bytes) {
        size_t room = MINIMAX__STAGING_BYTES - u->used, n = bytes < room ? bytes : room;
        memcpy((unsigned char *)u->m->staging + u->used, s, n);
        u->used += n;
        s += n;
        bytes -= n;
        if (u->used == MINIMAX__STAGING_BYTES && (r = minimax__upl_flush(u)) != MINIMAX_OK) return r;
    }
    return MINIMAX_OK;
}

/* A small tensor (norm, router, bias) converted to fp32 and uploaded; NULL
   tensor = `fill` everywhere (a checkpoint without a routing bias). */
MINIMAX__PRIV minimax_result minimax__upload_f32(minimax_model *m, const minimax__tensor *t, int64_t count, float fill,
                                                 const char *what, minimax__cu_ptr *out) {
    float *tmp;
    int64_t i, have = 1;
    minimax_result r;
    if (t) {
        int k;
        for (k = 0; k < t->ndim; k++) have *= t->shape[k];
        if (have != count)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s (%s): %lld elements, expected %lld", t->name, what,
                                 (long long)have, (long long)count);
        if (t->dtype != MINIMAX__DT_BF16 && t->dtype != MINIMAX__DT_F32 && t->dtype != MINIMAX__DT_F16)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s (%s): dtype must be BF16, F16 or F32", t->name, what);
    }
    if ((r = minimax__dalloc(m, (size_t)count * 4, what, out)) != MINIMAX_OK) return r;
    tmp = (float *)minimax__alloc((size_t)count * 4, what);
    if (!tmp) return MINIMAX_ERR_OUT_OF_MEMORY;
    for (i = 0; i < count; i++) tmp[i] = t ? minimax__tensor_f32(t, i) : fill;
    r = minimax__upload(m, *out, tmp, (size_t)count * 4);
    MINIMAX_FREE(tmp);
    return r;
}

/* A BF16 matrix [rows, cols] checked and uploaded at dst. */
MINIMAX__PRIV minimax_result minimax__upload_bf16(minimax_model *m, const minimax__tensor *t, int64_t rows, int64_t cols,
                                                  minimax__cu_ptr dst) {
    if (!t) return minimax__fail(MINIMAX_ERR_FORMAT, "a BF16 weight of shape [%lld, %lld] is missing", (long long)rows,
                                 (long long)cols);
    if (t->dtype != MINIMAX__DT_BF16)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: dtype must be BF16", t->name);
    if (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != cols)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: shape must be [%lld, %lld]", t->name, (long long)rows,
                             (long long)cols);
    return minimax__upload(m, dst, t->data, (size_t)(rows * cols * 2));
}

/* ---- context handling ----------------------------------------------------------- */

typedef struct minimax__ctx_guard {
    minimax__cu_context prev;
} minimax__ctx_guard;

MINIMAX__PRIV minimax_result minimax__enter(minimax_model *m, minimax__ctx_guard *g) {
    g->prev = NULL;
    if (m->failed)
        return minimax__fail(MINIMAX_ERR_FAILED_STATE,
                             "the model hit an unrecoverable device error earlier; free it and load again");
    minimax__cu.cuCtxGetCurrent(&g->prev);
    return minimax__mcheck(m, minimax__cu.cuCtxSetCurrent(m->ctx), "cuCtxSetCurrent");
}

MINIMAX__PRIV void minimax__leave(minimax__ctx_guard *g) { minimax__cu.cuCtxSetCurrent(g->prev); }

/* ---- the forward pass ------------------------------------------------------------- */

/* Every kernel launch goes through here: kernel fn (name: for the error)
   on `stream`, grid gx x gy x gz. On the pass's stream, while m->pdl is set,
   with programmatic stream serialization, so that a kernel's launch and its
   first weight loads overlap the end of the kernel ahead (kernels.cu
   "programmatic dependent launch": each kernel waits for the one ahead before
   it reads what that wrote); else an ordinary launch. */
MINIMAX__PRIV minimax_result minimax__launch_fn(minimax_model *m, minimax__cu_function fn, const char *name,
                                                unsigned gx, unsigned gy, unsigned gz, unsigned block, unsigned smem,
                                                minimax__cu_stream stream, void **args) {
    char what[128];
    minimax__cu_result cr;
    if (m->pdl && stream == m->stream) {
        minimax__cu_launch_attr at;
        minimax__cu_launch_config lc;
        memset(&at, 0, sizeof at);
        at.id = MINIMAX__CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
        at.value.i = 1;
        lc.grid[0] = gx;
        lc.grid[1] = gy;
        lc.grid[2] = gz;
        lc.block[0] = block;
        lc.block[1] = lc.block[2] = 1;
        lc.smem = smem;
        lc.stream = stream;
        lc.attrs = &at;
        lc.n_attrs = 1;
        cr = minimax__cu.cuLaunchKernelEx(&lc, fn, args, NULL);
    } else {
        cr = minimax__cu.cuLaunchKernel(fn, gx, gy, gz, block, 1, 1, smem, stream, args, NULL);
    }
    if (cr == 0) return MINIMAX_OK;
    if (m->mg && m->mg_rank >= 0)
        snprintf(what, sizeof what, "launch of %s (grid %u x %u x %u) on GPU rank %d", name, gx, gy, gz, m->mg_rank);
    else
        snprintf(what, sizeof what, "launch of %s (grid %u x %u x %u)", name, gx, gy, gz);
    return minimax__mcheck(m, cr, what);
}

MINIMAX__PRIV minimax_result minimax__launch(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned block,
                                             void **args) {
    return minimax__launch_fn(m, m->fn[k], minimax__kernel_names[k], gx, gy, 1, block, 0, m->stream, args);
}

#define MINIMAX__CDIV(a, b) (((a) + (b)-1) / (b))

/* Blocks of 256 threads for a grid-stride kernel over n items: one item a
   thread, at most cap blocks. */
MINIMAX__PRIV unsigned minimax__stride_grid(unsigned long long n, unsigned cap) {
    return n / 256 + 1 < cap ? (unsigned)(n / 256 + 1) : cap;
}

/* E2M1 codes just uploaded in the checkpoint's packing (`bytes` of them, a
   multiple of 4, rows of whole words) -> the layout this module's kernels
   read, in place (kernels.cu k_fp4_layout: permuted words on Hopper, nothing
   to do on Blackwell). Every expert matrix goes through here once. */
MINIMAX__PRIV minimax_result minimax__fp4_layout(minimax_model *m, minimax__cu_ptr codes, size_t bytes) {
    unsigned long long n = (unsigned long long)(bytes / 4);
    unsigned grid = minimax__stride_grid(n, 4096);
    void *a[2];
    a[0] = &codes;
    a[1] = &n;
    return minimax__launch(m, MINIMAX__K_FP4_LAYOUT, grid, 1, 256, a);
}

/* fast small-T kernels, defined in impl_52_fast.h */
MINIMAX__PRIV int minimax__fast_mm_ok(const minimax_model *m, int T, int K);
MINIMAX__PRIV int minimax__pass_slots(const minimax_model *m, int n);
MINIMAX__PRIV minimax_result minimax__fast_mm(minimax_model *m, minimax__cu_ptr X, minimax__cu_ptr W, minimax__cu_ptr Y,
                                              int T, int N, int K, int accumulate, int l2_ahead);
MINIMAX__PRIV int minimax__fast_moe_ok(const minimax_model *m, int T);
struct minimax__mg_fuse;
MINIMAX__PRIV minimax_result minimax__fast_moe(minimax_model *m, const minimax__dev_layer *ly, int T,
                                               const struct minimax__mg_fuse *F);
MINIMAX__PRIV minimax_result minimax__fast_init(minimax_model *m);
MINIMAX__PRIV int minimax__fast_attn_ok(const minimax_model *m, int T);
MINIMAX__PRIV minimax_result minimax__fast_attn(minimax_model *m, const minimax__dev_layer *ly, int layer, int T,
                                                int qk, minimax__cu_ptr sums, minimax__cu_ptr ssq,
                                                const struct minimax__mg_fuse *F);
MINIMAX__PRIV int minimax__fast_attn_qk_ok(const minimax_model *m, int T);
MINIMAX__PRIV int minimax__fast_route_ok(const minimax_model *m, int T);
MINIMAX__PRIV int minimax__branch_ok(const minimax_model *m, int T);
MINIMAX__PRIV minimax_result minimax__branch_join(minimax_model *m);
MINIMAX__PRIV minimax_result minimax__branch_prefetch(minimax_model *m, minimax__cu_ptr pf, int rows, long long pitch,
                                                      int bytes);
MINIMAX__PRIV minimax_result minimax__norm_mm_f(minimax_model *m, minimax__cu_ptr x, minimax__cu_ptr nw, minimax__cu_ptr W,
                                                minimax__cu_ptr Y, int T, int N, int K, minimax__cu_ptr xn, int xn_ph,
                                                minimax__cu_ptr ssq, int l2_ahead);
MINIMAX__PRIV minimax__cu_ptr minimax__fast_qk_ssq(const minimax_model *m);
MINIMAX__PRIV minimax_result minimax__sample(minimax_model *m, int R);
MINIMAX__PRIV minimax_result minimax__norm_router(minimax_model *m, const minimax__dev_layer *ly, int T);
MINIMAX__PRIV int minimax__fast_norm_ok(const minimax_model *m, int T, int K);

/* several GPUs, defined in impl_56_multi.h; inside a rank's forward pass */
#define MINIMAX__MG_MAX 8
/* Mirrors struct mg_fuse of kernels.cu (passed by value): the fused
   collectives of a tensor-parallel pass of one token slot, filled by
   minimax__mg_fuse_arg; nr = 0: off. */
typedef struct minimax__mg_fuse {
    minimax__cu_ptr recv[MINIMAX__MG_MAX], own, gen, status;
    long long timeout;
    int rank, nr, cap, code, local;
    int in_site, out_site;
} minimax__mg_fuse;
MINIMAX__PRIV int minimax__mg_fused(const minimax_model *m, int T);
MINIMAX__PRIV void minimax__mg_fuse_arg(const minimax_model *m, int in_site, int out_site, minimax__mg_fuse *F);
MINIMAX__PRIV minimax_result minimax__mg_fused_layer(minimax_model *m, const minimax__dev_layer *ly, int L, int stage);
MINIMAX__PRIV minimax_result minimax__mg_begin(minimax_model *m, int T);
MINIMAX__PRIV int minimax__mg_tp(const minimax_model *m);
MINIMAX__PRIV minimax_result minimax__mg_qk(minimax_model *m, const minimax__dev_layer *ly, int L, int T,
                                            minimax__cu_ptr *sums);
MINIMAX__PRIV minimax_result minimax__mg_partial(minimax_model *m, int T, int phase);
MINIMAX__PRIV minimax_result minimax__mg_end(minimax_model *m, int T, int R, int sample, int *done);

/* Y[T, N] (+)= X[T, K] . W[N, K]^T (l2_ahead: minimax__fast_mm's, where that
   runs it) */
MINIMAX__PRIV minimax_result minimax__mm_k(minimax_model *m, int kernel, minimax__cu_ptr X, minimax__cu_ptr W,
                                           minimax__cu_ptr Y, int T, int N, int K, int accumulate, int l2_ahead) {
    void *a[7];
    if (kernel == MINIMAX__K_MM_BF16 && minimax__fast_mm_ok(m, T, K))
        return minimax__fast_mm(m, X, W, Y, T, N, K, accumulate, l2_ahead);
    a[0] = &X;
    a[1] = &W;
    a[2] = &Y;
    a[3] = &T;
    a[4] = &N;
    a[5] = &K;
    a[6] = &accumulate;
    return minimax__launch(m, kernel, (unsigned)MINIMAX__CDIV(N, 8), (unsigned)MINIMAX__CDIV(T, 8), 256, a);
}

MINIMAX__PRIV minimax_result minimax__mm(minimax_model *m, minimax__cu_ptr X, minimax__cu_ptr W, minimax__cu_ptr Y, int T,
                                         int N, int K, int accumulate) {
    return minimax__mm_k(m, MINIMAX__K_MM_BF16, X, W, Y, T, N, K, accumulate, 0);
}

MINIMAX__PRIV minimax_result minimax__rmsnorm(minimax_model *m, minimax__cu_ptr x, minimax__cu_ptr rows, minimax__cu_ptr w,
                                              minimax__cu_ptr out, int R) {
    int H = m->cfg.hidden_size;
    float eps = m->cfg.rms_norm_eps;
    void *a[6];
    a[0] = &x;
    a[1] = &rows;
    a[2] = &w;
    a[3] = &out;
    a[4] = &H;
    a[5] = &eps;
    return minimax__launch(m, MINIMAX__K_RMSNORM, (unsigned)R, 1, 256, a);
}

/* Whether a pass of T token slots launches its kernels with programmatic
   dependent launch (minimax__launch_fn): where the driver has
   cuLaunchKernelEx, for passes of one token slot. */
MINIMAX__PRIV int minimax__pdl_wanted(int T) {
    return minimax__cu.cuLaunchKernelEx != NULL && T == 1;
}

/* A forward pass over T token slots (inputs already in step_in) is the
   embedding, the layers, then the final norm + lm_head for the R rows listed
   in out_rows, then (if sample) the sampler over those rows. This enqueues a
   part of it: the embedding when `begin`, layers [L0, L1), the head when
   `end` (the multi-GPU driver interleaves ranks layer by layer); on a rank of
   several GPUs the minimax__mg_* calls add the collectives. Nothing here
   synchronises. Called through minimax__enqueue_range, which sets m->pdl. */
MINIMAX__PRIV minimax_result minimax__enqueue_launches(minimax_model *m, int T, int R, int sample, int L0, int L1,
                                                       int begin, int end) {
    const minimax_config *c = &m->cfg;
    const minimax__plan *p = &m->plan;
    minimax__cu_ptr ids = m->step_in + m->off_ids, pos = m->step_in + m->off_pos, srow = m->step_in + m->off_srow,
                    rows = m->step_in + m->off_rows;
    int H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, K = c->top_k;
    int nh = c->num_heads, nkv = c->num_kv_heads, d = c->head_dim, rd = c->rotary_dim;
    int nblocks = p->num_blocks, maxb = p->max_blocks, bs = p->block_tokens, V = c->vocab_size;
    float theta = c->rope_theta, eps = c->rms_norm_eps, rsf = c->routed_scaling_factor > 0 ? c->routed_scaling_factor : 1.0f;
    minimax_result r;
    int L;
    m->branch_open = 0; /* (a pass that failed left one open) */
    if (begin) m->attn_l0 = L0; /* the pass's first layer (tp ranks get their layers a call each, after this one) */
    if (begin && m->mg) {
        if ((r = minimax__mg_begin(m, T)) != MINIMAX_OK) return r;
    } else if (begin) {
        void *a[4];
        a[0] = &ids;
        a[1] = &m->embed;
        a[2] = &m->x;
        a[3] = &H;
        if ((r = minimax__launch(m, MINIMAX__K_EMBED, (unsigned)T, 1, 256, a)) != MINIMAX_OK) return r;
    }
    for (L = L0; L < L1; L++) {
        minimax__dev_layer *ly = &m->layers[L];
        /* tensor parallelism, one token slot: the collectives fused into
           the kernels (impl_56_multi.h minimax__mg_fused_layer) */
        int fused = minimax__mg_fused(m, T);
        minimax__mg_fuse F;
        /* input RMSNorm + q|k|v (one launch at T = 1; on one GPU it also leaves the
           partial sums of squares for the QK-norm inside the attention) */
        int qk = minimax__fast_attn_qk_ok(m, T);
        minimax__cu_ptr ssq = qk && minimax__mg_tp(m) <= 1 && minimax__fast_norm_ok(m, T, H) ? minimax__fast_qk_ssq(m) : 0;
        if (fused)
            r = minimax__mg_fused_layer(m, ly, L, 0);
        else
            r = minimax__norm_mm_f(m, m->x, ly->in_norm, ly->wqkv, m->qkv, T, p->qkv_dim, H, 0, 0, ssq, 0);
        if (r != MINIMAX_OK) return r;
        /* a quarter of each of the layer's o_proj rows (9.4 MB at the real
           shapes) asked of L2 beside the attention, a chain of latencies that
           leaves DRAM nearly idle before the DRAM-bound o_proj product
           (H100, 16 layers, batch 1: ctx 512 -1.1% a step; 1/8 of each row
           -0.9%, 3/8 +0.4%, 1/2 +1.1%, whole rows +6.9%: more competes with
           the q|k|v prefetch for the L2 that survives) */
        if (minimax__branch_ok(m, T) && minimax__fast_attn_ok(m, T) &&
            (r = minimax__branch_prefetch(m, ly->wo, H, (long long)p->attn_dim * 2, p->attn_dim * 2 / 4 / 16 * 16)) !=
                MINIMAX_OK)
            return r;
        if (qk && fused) {
            if ((r = minimax__mg_fused_layer(m, ly, L, 1)) != MINIMAX_OK) return r;
        } else if (qk) { /* QK-norm, RoPE, KV append inside the attention kernel */
            minimax__cu_ptr sums = 0; /* tp: the sums of squares of all ranks */
            if (minimax__mg_tp(m) > 1 && (r = minimax__mg_qk(m, ly, L, T, &sums)) != MINIMAX_OK) return r;
            if ((r = minimax__fast_attn(m, ly, L, T, 1, sums, ssq, NULL)) != MINIMAX_OK) return r;
        } else {
            if (minimax__mg_tp(m) > 1) { /* QK-norm with the sums of squares of all ranks */
                if ((r = minimax__mg_qk(m, ly, L, T, NULL)) != MINIMAX_OK) return r;
            } else {
                void *a[18];
                a[0] = &m->qkv;
                a[1] = &m->qr;
                a[2] = &ly->q_norm;
                a[3] = &ly->k_norm;
                a[4] = &pos;
                a[5] = &srow;
                a[6] = &m->block_table;
                a[7] = &m->kv;
                a[8] = &L;
                a[9] = &nblocks;
                a[10] = &maxb;
                a[11] = &bs;
                a[12] = &nh;
                a[13] = &nkv;
                a[14] = &d;
                a[15] = &rd;
                a[16] = &theta;
                a[17] = &eps;
                if ((r = minimax__launch(m, MINIMAX__K_QK_NORM_ROPE_KV, (unsigned)(nh + nkv), (unsigned)T, 128, a)) !=
                    MINIMAX_OK)
                    return r;
            }
            if (minimax__fast_attn_ok(m, T)) {
                if ((r = minimax__fast_attn(m, ly, L, T, 0, 0, 0, NULL)) != MINIMAX_OK) return r;
            } else {
                void *a[13];
                a[0] = &m->qr;
                a[1] = &m->attn;
                a[2] = &pos;
                a[3] = &srow;
                a[4] = &m->block_table;
                a[5] = &m->kv;
                a[6] = &L;
                a[7] = &nblocks;
                a[8] = &maxb;
                a[9] = &bs;
                a[10] = &nh;
                a[11] = &nkv;
                a[12] = &d;
                if ((r = minimax__launch(m, MINIMAX__K_ATTENTION, (unsigned)nh, (unsigned)T, 128, a)) != MINIMAX_OK)
                    return r;
            }
        }
        if ((r = minimax__branch_join(m)) != MINIMAX_OK) return r;
        if (fused) { /* o_proj: x += the sum of the ranks' parts, in the product */
            if ((r = minimax__mg_fused_layer(m, ly, L, 2)) != MINIMAX_OK) return r;
        } else {
            if ((r = minimax__mg_partial(m, T, 0)) != MINIMAX_OK) return r; /* tp: o_proj into the partial sums */
            /* at T = 1 where the prefetch branch is off (it takes o_proj's
               rows beside the attention there), o_proj's blocks ask L2 for
               2/16 of their rows as they are launched (kernels.cu
               gemv_bf16_body: H200 -0.5% a step) */
            int ahead = T == 1 && !m->info.l2_prefetch ? 2 : 0;
            if ((r = minimax__mm_k(m, MINIMAX__K_MM_BF16, m->attn, ly->wo, m->x, T, H, p->attn_dim, 1, ahead)) !=
                MINIMAX_OK)
                return r;
            if ((r = minimax__mg_partial(m, T, 1)) != MINIMAX_OK) return r; /* tp: x += all-reduce */
        }
        /* post-attention RMSNorm (for the experts) + router logits */
        if ((r = minimax__norm_router(m, ly, T)) != MINIMAX_OK) return r;
        /* at T = 1 where it pays (l2_prefetch_bytes, set at load), the first
           quarter of every row of the next layer's q|k|v weights asked of L2
           beside the routing and the experts (at T = 8 it measured 0.1-0.4%
           slower: the experts read 5x the bytes). More stands in front of
           the experts' own loads, less leaves the product's start to DRAM.
           H100, 16 layers, ctx 512, with programmatic dependent launch (the
           product's first weights then come before its wait): 2/16, 3/16,
           4/16, 5/16, 6/16, 8/16 of a row 1.676-1.684, 1.670-1.674,
           1.672-1.677, 1.678-1.685, 1.683-1.689, 1.689-1.693 ms a step, none
           1.689-1.691. 2 x H100, TP = 2, 62 layers, without it: a half
           4.115-4.128 ms, a quarter 4.074-4.077, an eighth 4.130, none 4.186 */
        if (L + 1 < L1 && minimax__branch_ok(m, T)) {
            long long pitch = (long long)H * 2, per_row = (long long)m->l2_prefetch_bytes / p->qkv_dim;
            long long cap = pitch / 4;
            if (per_row > cap) per_row = cap;
            if ((r = minimax__branch_prefetch(m, m->layers[L + 1].wqkv, p->qkv_dim, pitch, (int)(per_row / 16 * 16))) !=
                MINIMAX_OK)
                return r;
        }
        if (!minimax__fast_route_ok(m, T)) { /* routing (else inside the gate/up kernel) */
            void *a[7];
            a[0] = &m->rlog;
            a[1] = &ly->router_bias;
            a[2] = &m->topk_idx;
            a[3] = &m->topk_wt;
            a[4] = &E;
            a[5] = &K;
            a[6] = &rsf;
            if ((r = minimax__launch(m, MINIMAX__K_ROUTER, (unsigned)T, 1, 32, a)) != MINIMAX_OK) return r;
        }
        /* tp: experts into the partial sums; fused: down adds the sum of the
           ranks' parts to x itself */
        if (!fused && (r = minimax__mg_partial(m, T, 0)) != MINIMAX_OK) return r;
        if (fused) minimax__mg_fuse_arg(m, -1, 3 * L + 2, &F);
        if (minimax__fast_moe_ok(m, T)) { /* experts, the last stage of the layer */
            if ((r = minimax__fast_moe(m, ly, T, fused ? &F : NULL)) != MINIMAX_OK) return r;
        } else {
            void *a[12];
            a[0] = &m->hn;
            a[1] = &m->topk_idx;
            a[2] = &ly->w1p;
            a[3] = &ly->w1s;
            a[4] = &ly->ws2_1;
            a[5] = &ly->w3p;
            a[6] = &ly->w3s;
            a[7] = &ly->ws2_3;
            a[8] = &m->act;
            a[9] = &H;
            a[10] = &NI;
            a[11] = &K;
            if ((r = minimax__launch(m, MINIMAX__K_EXPERT_GATE_UP, (unsigned)MINIMAX__CDIV(NI, 8), (unsigned)(T * K), 256,
                                     a)) != MINIMAX_OK)
                return r;
        }
        if (!minimax__fast_moe_ok(m, T)) {
            void *a[10];
            a[0] = &m->act;
            a[1] = &m->topk_idx;
            a[2] = &m->topk_wt;
            a[3] = &ly->w2p;
            a[4] = &ly->w2s;
            a[5] = &ly->ws2_2;
            a[6] = &m->x;
            a[7] = &H;
            a[8] = &NI;
            a[9] = &K;
            if ((r = minimax__launch(m, MINIMAX__K_EXPERT_DOWN, (unsigned)MINIMAX__CDIV(H, 8), (unsigned)T, 256, a)) !=
                MINIMAX_OK)
                return r;
        }
        if (m->dbg_recording && m->dbg_pos0 + T <= m->dbg_route_stride &&
            (r = minimax__mcheck(m,
                                 minimax__cu.cuMemcpyDtoDAsync(
                                     m->dbg_route + ((size_t)L * m->dbg_route_stride + (size_t)m->dbg_pos0) * K * 4,
                                     m->topk_idx, (size_t)T * K * 4, m->stream),
                                 "routing record")) != MINIMAX_OK)
            return r;
        if (!fused && (r = minimax__mg_partial(m, T, 1)) != MINIMAX_OK) return r; /* tp: x += all-reduce */
    }
    if ((r = minimax__branch_join(m)) != MINIMAX_OK) return r; /* (a capture ends joined) */
    if (!end) return MINIMAX_OK;
    if (m->mg) { /* next stage's input, or the tensor-parallel head */
        int done = 0;
        if ((r = minimax__mg_end(m, T, R, sample, &done)) != MINIMAX_OK || done) return r;
    }
    if (R <= 0) return MINIMAX_OK;
    if ((r = minimax__rmsnorm(m, m->x, rows, m->final_norm, m->xo, R)) != MINIMAX_OK) return r;
    if ((r = minimax__mm(m, m->xo, m->lm_head, m->logits, R, V, H, 0)) != MINIMAX_OK) return r;
    if (sample && (r = minimax__sample(m, R)) != MINIMAX_OK) return r;
    return MINIMAX_OK;
}
/* The pass's launches go out with programmatic dependent launch where
   minimax__pdl_wanted says so; launches outside passes never do (before its
   wait a product reads its weights, which another kernel may have just
   written outside a pass: the loader's, the tests'). */
MINIMAX__PRIV minimax_result minimax__enqueue_range(minimax_model *m, int T, int R, int sample, int L0, int L1,
                                                    int begin, int end) {
    minimax_result r;
    m->pdl = minimax__pdl_wanted(T);
    r = minimax__enqueue_launches(m, T, R, sample, L0, L1, begin, end);
    m->pdl = 0;
    return r;
}

MINIMAX__PRIV minimax_result minimax__enqueue_forward(minimax_model *m, int T, int R, int sample) {
    return minimax__enqueue_range(m, T, R, sample, 0, m->cfg.num_layers, 1, 1);
}

/* several GPUs (impl_56_multi.h): the front model's counterparts of
   upload_inputs / enqueue_forward / run_step, the check after a step, the load */
MINIMAX__PRIV minimax_result minimax__mg_upload_inputs(minimax_model *m, minimax_session *const *ss, int ns);
MINIMAX__PRIV minimax_result minimax__mg_forward(minimax_model *m, int T, int R, int sample);
MINIMAX__PRIV minimax_result minimax__mg_run_step(minimax_model *m, int n, int use_graph);
MINIMAX__PRIV void minimax__mg_pass_view(minimax_model *m, int s0);
MINIMAX__PRIV minimax_result minimax__mg_after_sync(minimax_model *m);
MINIMAX__PRIV void minimax__mg_destroy(minimax_model *m);
typedef minimax_result (*minimax__weights_fill_fn)(minimax_model *m, void *user);
MINIMAX__PRIV int minimax__mg_wanted(const minimax_model_desc *d);
MINIMAX__PRIV minimax_result minimax__mg_create(const minimax_model_desc *desc, const minimax_config *cfg,
                                                const minimax__weights *w, minimax__weights_fill_fn fill,
                                                void *fill_user, minimax_model **out);

/* One forward pass of the model the caller holds (one GPU or several). */
MINIMAX__PRIV minimax_result minimax__forward(minimax_model *m, int T, int R, int sample) {
    if (m->mg) return minimax__mg_forward(m, T, R, sample);
    return minimax__enqueue_forward(m, T, R, sample);
}

/* ---- pool and per-step inputs ------------------------------------------------------ */

/* Makes sure the session owns blocks for positions [0, upto). */
MINIMAX__PRIV minimax_result minimax__reserve(minimax_session *s, int upto) {
    minimax_model *m = s->model;
    int need = MINIMAX__CDIV(upto, m->plan.block_tokens);
    while (s->nblocks < need) {
        if (m->n_free == 0) /* cannot happen: the pool holds max_sessions x max_context */
            return minimax__fail(MINIMAX_ERR_CONTEXT_FULL, "the KV pool (%d blocks) is exhausted", m->plan.num_blocks);
        m->h_bt[(size_t)s->row * m->plan.max_blocks + s->nblocks] = m->free_blocks[--m->n_free];
        s->nblocks++;
    }
    return MINIMAX_OK;
}

/* Returns the session's blocks past its first `keep` to the pool. */
MINIMAX__PRIV void minimax__release_from(minimax_session *s, int keep) {
    minimax_model *m = s->model;
    while (s->nblocks > keep) {
        s->nblocks--;
        m->free_blocks[m->n_free++] = m->h_bt[(size_t)s->row * m->plan.max_blocks + s->nblocks];
        m->h_bt[(size_t)s->row * m->plan.max_blocks + s->nblocks] = 0;
    }
}

MINIMAX__PRIV void minimax__release(minimax_session *s) { minimax__release_from(s, 0); }

MINIMAX__PRIV void minimax__fill_sp(minimax__sample_params *sp, const minimax_session *s, int64_t position) {
    sp->temperature = s->sampling.temperature;
    sp->top_p = s->sampling.top_p;
    sp->min_p = s->sampling.min_p;
    sp->top_k = s->sampling.top_k;
    sp->seed = s->sampling.seed;
    sp->session = s->id;
    sp->position = position;
}

/* Uploads the first T slots of every per-step array and the block-table rows
   of the given sessions (async, stream-ordered before the next forward). */
MINIMAX__PRIV minimax_result minimax__upload_inputs(minimax_model *m, minimax_session *const *ss, int ns) {
    minimax_result r;
    int i;
    if (m->mg) return minimax__mg_upload_inputs(m, ss, ns);
    if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyHtoDAsync(m->step_in, m->h_in, m->step_in_bytes, m->stream),
                             "upload of step inputs")) != MINIMAX_OK)
        return r;
    for (i = 0; i < ns; i++) {
        size_t off = (size_t)ss[i]->row * m->plan.max_blocks;
        if (!ss[i]->nblocks) continue;
        if ((r = minimax__mcheck(m,
                                 minimax__cu.cuMemcpyHtoDAsync(m->block_table + off * 4, m->h_bt + off,
                                                               (size_t)ss[i]->nblocks * 4, m->stream),
                                 "upload of a block table")) != MINIMAX_OK)
            return r;
    }
    return MINIMAX_OK;
}

#define MINIMAX__IN(m, off, type) ((type *)((m)->h_in + (m)->off))

/* The host side of a decode step's inputs: session i's token ids[i], position,
   cache row and sampling state in slot i; rows[i] = the slot's row within its
   pass (minimax__enqueue_step). */
MINIMAX__PRIV void minimax__step_inputs(minimax_model *m, minimax_session *const *ss, int n, const int32_t *ids) {
    int i, P = minimax__pass_slots(m, n);
    for (i = 0; i < n; i++) {
        MINIMAX__IN(m, off_ids, int32_t)[i] = ids[i];
        MINIMAX__IN(m, off_pos, int32_t)[i] = ss[i]->pos;
        MINIMAX__IN(m, off_srow, int32_t)[i] = ss[i]->row;
        MINIMAX__IN(m, off_rows, int32_t)[i] = i % P;
        minimax__fill_sp(MINIMAX__IN(m, off_sp, minimax__sample_params) + i, ss[i], (int64_t)ss[i]->pos + 1);
    }
}

/* ---- model load ----------------------------------------------------------------- */

MINIMAX__PRIV minimax_result minimax__progress(const minimax_model_desc *d, float f, const char *stage) {
    if (d->progress && d->progress(d->progress_user, f, stage))
        return minimax__fail(MINIMAX_ERR_CANCELLED, "model load cancelled by the progress callback at %s (%.0f%%)",
                             stage, 100.0 * f);
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__upload_layer(minimax_model *m, const minimax__layer_weights *lw, int L) {
    const minimax_config *c = &m->cfg;
    minimax__dev_layer *ly = &m->layers[L];
    int64_t H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts;
    int64_t qd = (int64_t)c->num_heads * c->head_dim, kd = (int64_t)c->num_kv_heads * c->head_dim;
    minimax_result r;
    int64_t e;
    int pass;
    char what[64];
    snprintf(what, sizeof what, "layer %d weights", L);
    if ((r = minimax__upload_f32(m, lw->input_norm, H, 0, what, &ly->in_norm)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_f32(m, lw->post_attn_norm, H, 0, what, &ly->post_norm)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_f32(m, lw->q_norm, qd, 0, what, &ly->q_norm)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_f32(m, lw->k_norm, kd, 0, what, &ly->k_norm)) != MINIMAX_OK) return r;
    if (lw->router && lw->router->dtype == MINIMAX__DT_BF16) {
        if ((r = minimax__dalloc(m, (size_t)(E * H * 2), what, &ly->router)) != MINIMAX_OK) return r;
        if ((r = minimax__upload_bf16(m, lw->router, E, H, ly->router)) != MINIMAX_OK) return r;
    } else {
        ly->router_f32 = 1;
        if ((r = minimax__upload_f32(m, lw->router, E * H, 0, what, &ly->router)) != MINIMAX_OK) return r;
    }
    if ((r = minimax__upload_f32(m, lw->router_bias, E, 0.0f, what, &ly->router_bias)) != MINIMAX_OK) return r;
    if ((r = minimax__dalloc(m, (size_t)(qd + 2 * kd) * H * 2, what, &ly->wqkv)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->q_proj, qd, H, ly->wqkv)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->k_proj, kd, H, ly->wqkv + (size_t)qd * H * 2)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->v_proj, kd, H, ly->wqkv + (size_t)(qd + kd) * H * 2)) != MINIMAX_OK) return r;
    if ((r = minimax__dalloc(m, (size_t)H * qd * 2, what, &ly->wo)) != MINIMAX_OK) return r;
    if ((r = minimax__upload_bf16(m, lw->o_proj, H, qd, ly->wo)) != MINIMAX_OK) return r;
    /* experts: pass 0 = w1, 1 = w3, 2 = w2 */
    for (pass = 0; pass < 3; pass++) {
        minimax__fp4_matrix *mats = pass == 0 ? lw->w1 : pass == 1 ? lw->w3 : lw->w2;
        int64_t rows = pass == 2 ? H : NI, cols = pass == 2 ? NI : H;
        minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
        minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
        minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
        float *ws2;
        minimax__upl u;
        if (!mats) return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d has no expert matrices w%d", L, pass == 0 ? 1 : pass == 1 ? 3 : 2);
        for (e = 0; e < E; e++)
            if (mats[e].rows != rows || mats[e].cols != cols || !mats[e].packed || !mats[e].scales)
                return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d expert %lld w%d: shape [%lld, %lld], expected [%lld, %lld]",
                                     L, (long long)e, pass == 0 ? 1 : pass == 1 ? 3 : 2, (long long)mats[e].rows,
                                     (long long)mats[e].cols, (long long)rows, (long long)cols);
        if ((r = minimax__dalloc(m, (size_t)(E * rows * cols / 2), what, pp)) != MINIMAX_OK) return r;
        if ((r = minimax__dalloc(m, (size_t)(E * rows * cols / 16), what, ps)) != MINIMAX_OK) return r;
        u.m = m;
        u.dst = *pp;
        u.used = 0;
        for (e = 0; e < E; e++)
            if ((r = minimax__upl_add(&u, mats[e].packed, (size_t)(rows * cols / 2))) != MINIMAX_OK) return r;
        if ((r = minimax__upl_flush(&u)) != MINIMAX_OK) return r;
        if ((r = minimax__fp4_layout(m, *pp, (size_t)(E * rows * cols / 2))) != MINIMAX_OK) return r;
        u.dst = *ps;
        for (e = 0; e < E; e++)
            if ((r = minimax__upl_add(&u, mats[e].scales, (size_t)(rows * cols / 16))) != MINIMAX_OK) return r;
        if ((r = minimax__upl_flush(&u)) != MINIMAX_OK) return r;
        if ((r = minimax__dalloc(m, (size_t)E * 4, what, pw)) != MINIMAX_OK) return r;
        ws2 = (float *)minimax__alloc((size_t)E * 4, "weight_scale_2 values");
        if (!ws2) return MINIMAX_ERR_OUT_OF_MEMORY;
        for (e = 0; e < E; e++) ws2[e] = mats[e].weight_scale_2; /* each matrix its own (w1 and w3 differ) */
        r = minimax__upload(m, *pw, ws2, (size_t)E * 4);
        MINIMAX_FREE(ws2);
        if (r != MINIMAX_OK) return r;
    }
    return MINIMAX_OK;
}

MINIMAX__PRIV void minimax__model_destroy(minimax_model *m) {
    minimax__cu_context prev = NULL;
    int i;
    if (!m) return;
    if (m->ctx) {
        minimax__cu.cuCtxGetCurrent(&prev);
        minimax__cu.cuCtxSetCurrent(m->ctx);
        if (!m->failed && m->stream) minimax__cu.cuStreamSynchronize(m->stream);
    }
    if (m->sessions) {
        for (i = 0; i < m->plan.max_sessions; i++)
            if (m->sessions[i]) MINIMAX_FREE(m->sessions[i]);
        MINIMAX_FREE(m->sessions);
    }
    if (m->graphs) {
        for (i = 0; i <= m->plan.max_sessions; i++)
            if (m->graphs[i]) minimax__cu.cuGraphExecDestroy(m->graphs[i]);
        MINIMAX_FREE(m->graphs);
    }
    for (i = 0; i < m->n_allocs; i++) minimax__cu.cuMemFree(m->allocs[i].ptr);
    MINIMAX_FREE(m->allocs);
    if (m->h_in) minimax__cu.cuMemFreeHost(m->h_in);
    if (m->h_bt) minimax__cu.cuMemFreeHost(m->h_bt);
    if (m->staging) minimax__cu.cuMemFreeHost(m->staging);
    if (m->module) minimax__cu.cuModuleUnload(m->module);
    if (m->stream && m->own_stream) minimax__cu.cuStreamDestroy(m->stream);
    if (m->side) minimax__cu.cuStreamDestroy(m->side);
    if (m->ev_fork) minimax__cu.cuEventDestroy(m->ev_fork);
    if (m->ev_join) minimax__cu.cuEventDestroy(m->ev_join);
    MINIMAX_FREE(m->layers);
    MINIMAX_FREE(m->free_blocks);
    if (m->ctx) {
        minimax__cu.cuCtxSetCurrent(prev == m->ctx && m->own_ctx ? NULL : prev);
        if (m->own_ctx) minimax__cu.cuDevicePrimaryCtxRelease(m->dev);
    }
    if (m->mg && m->mg_rank < 0) minimax__mg_destroy(m); /* the front: the models of its GPUs */
    MINIMAX_FREE(m);
}

/* Fills the device weights of a model by other means than a weights view
   (the benchmark's synthetic weights, impl_55_bench.h): allocates m->layers
   and every buffer that minimax__upload_layer would. */
/* Builds a model from a config and a weights view (the checkpoint's, or
   in-memory weights in tests), or from `fill` when w is NULL. The weights are
   only read during this call. */
MINIMAX__PRIV minimax_result minimax__model_create_from(const minimax_model_desc *desc, const minimax_config *cfg,
                                                        const minimax__weights *w, minimax__weights_fill_fn fill,
                                                        void *fill_user, minimax_model **out) {
    minimax_model *m;
    minimax_result r;
    minimax__cu_context prev = NULL;
    int i, cc_major = 0, cc_minor = 0, L;
    const char *arch;
    double t0 = minimax__now_ms();
    minimax__jit_result jr;
    *out = NULL;
    if (!desc || !cfg || (!w && !fill)) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: NULL argument");
    if (minimax__mg_wanted(desc)) return minimax__mg_create(desc, cfg, w, fill, fill_user, out);
    m = (minimax_model *)minimax__alloc(sizeof *m, "the model");
    if (!m) return MINIMAX_ERR_OUT_OF_MEMORY;
    m->cfg = *cfg;
    if ((r = minimax__plan_make(cfg, desc, &m->plan)) != MINIMAX_OK) goto fail;
    if ((r = minimax__cuda_init()) != MINIMAX_OK) goto fail;
    minimax__cu.cuCtxGetCurrent(&prev);
    /* device and context */
    if (desc->cuda_context) {
        m->ctx = (minimax__cu_context)desc->cuda_context;
        if ((r = minimax__mcheck(m, minimax__cu.cuCtxSetCurrent(m->ctx), "cuCtxSetCurrent(host context)")) != MINIMAX_OK)
            goto fail;
        if ((r = minimax__mcheck(m, minimax__cu.cuCtxGetDevice(&m->dev), "cuCtxGetDevice")) != MINIMAX_OK) goto fail;
    } else {
        int count = 0;
        if ((r = minimax__mcheck(m, minimax__cu.cuDeviceGetCount(&count), "cuDeviceGetCount")) != MINIMAX_OK) goto fail;
        if (desc->device >= count) {
            r = minimax__fail(MINIMAX_ERR_NO_DEVICE, "device %d requested but %d CUDA device(s) present", desc->device,
                              count);
            goto fail;
        }
        if ((r = minimax__mcheck(m, minimax__cu.cuDeviceGet(&m->dev, desc->device), "cuDeviceGet")) != MINIMAX_OK)
            goto fail;
        if ((r = minimax__mcheck(m, minimax__cu.cuDevicePrimaryCtxRetain(&m->ctx, m->dev), "cuDevicePrimaryCtxRetain")) !=
            MINIMAX_OK)
            goto fail;
        m->own_ctx = 1;
        if ((r = minimax__mcheck(m, minimax__cu.cuCtxSetCurrent(m->ctx), "cuCtxSetCurrent")) != MINIMAX_OK) goto fail;
    }
    minimax__cu.cuDeviceGetAttribute(&cc_major, 75 /* COMPUTE_CAPABILITY_MAJOR */, m->dev);
    minimax__cu.cuDeviceGetAttribute(&cc_minor, 76 /* COMPUTE_CAPABILITY_MINOR */, m->dev);
    minimax__cu.cuDeviceGetName(m->info.device_name, (int)sizeof m->info.device_name, m->dev);
    arch = minimax__jit_arch_for(cc_major, cc_minor);
    if (!arch) {
        r = minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                          "%s has compute capability %d.%d; the kernels support 9.0 (H100/H200), 10.0/10.3 "
                          "(B200/B300) and 12.0/12.1 (RTX 50xx, RTX PRO 6000, DGX Spark)",
                          m->info.device_name, cc_major, cc_minor);
        goto fail;
    }
    snprintf(m->info.arch, sizeof m->info.arch, "%s", arch);
    /* does it fit? (before allocating anything big) */
    {
        size_t fr = 0, tot = 0;
        minimax__cu.cuMemGetInfo(&fr, &tot);
        if (m->plan.total_bytes > fr) {
            r = minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY,
                              "the configuration needs %.2f GiB on %s (weights %.2f GiB, KV cache %.2f GiB for %d "
                              "sessions x %d tokens, scratch %.2f GiB) but %.2f GiB of %.2f GiB are free; lower "
                              "max_sessions or max_context",
                              m->plan.total_bytes / 1073741824.0, m->info.device_name, m->plan.weight_bytes / 1073741824.0,
                              m->plan.kv_bytes / 1073741824.0, m->plan.max_sessions, m->plan.max_context,
                              m->plan.scratch_bytes / 1073741824.0, fr / 1073741824.0, tot / 1073741824.0);
            goto fail;
        }
    }
    if ((r = minimax__progress(desc, 0.0f, "jit")) != MINIMAX_OK) goto fail;
    /* kernels */
    if ((r = minimax__nvrtc_init()) != MINIMAX_OK) goto fail;
    {
        /* The L2 prefetches and the evict-first streams (kernels.cu k_l2_prefetch)
           pay where DRAM is well below L2 bandwidth: H100 (3.35 TB/s) -2.0% a
           batch-1 step; on H200 (4.8 TB/s) the step was 0.2-0.6% slower with
           them, so they are on below 4 TB/s (measured again at 0a4afdf, 62
           layers: 4.29-4.30 ms a step with them, 4.21-4.22 without, and no
           other share of either branch faster than none; asked for from
           inside the expert kernels instead, the routed down weights or the
           next layer's q|k|v rows were 0.4-12% slower: BENCHMARKS.md). */
        /* and the expert shapes as constants (kernels.cu MOE_SHAPE) */
        char shape_opt[3][40];
        const char *opts[5];
        int n_opts = 0, clk_khz = 0, bus_bits = 0, l2 = 0;
        snprintf(shape_opt[0], sizeof shape_opt[0], "-DMINIMAX_MOE_H=%d", m->cfg.hidden_size);
        snprintf(shape_opt[1], sizeof shape_opt[1], "-DMINIMAX_MOE_I=%d", m->cfg.intermediate_size);
        snprintf(shape_opt[2], sizeof shape_opt[2], "-DMINIMAX_MOE_K=%d", m->cfg.top_k);
        for (i = 0; i < 3; i++) opts[n_opts++] = shape_opt[i];
        minimax__cu.cuDeviceGetAttribute(&clk_khz, 36 /* MEMORY_CLOCK_RATE */, m->dev);
        minimax__cu.cuDeviceGetAttribute(&bus_bits, 37 /* GLOBAL_MEMORY_BUS_WIDTH */, m->dev);
        minimax__cu.cuDeviceGetAttribute(&l2, 38 /* L2_CACHE_SIZE */, m->dev);
        m->info.dram_gbps = 2.0 * clk_khz * 1e3 * (bus_bits / 8) / 1e9;
        m->info.l2_prefetch = m->info.dram_gbps > 0 && m->info.dram_gbps < 4000 && l2 > 0;
        m->l2_prefetch_bytes = m->info.l2_prefetch ? l2 / 2 : 0;
        if (m->info.l2_prefetch) opts[n_opts++] = "-DMINIMAX_L2_PREFETCH=1";
        /* a development build that records every block's times (kernels.cu
           "step trace"; minimax__bench_trace reads them) */
        if (getenv("MINIMAX_TRACE") && !strcmp(getenv("MINIMAX_TRACE"), "1")) opts[n_opts++] = "-DMINIMAX_TRACE=1";
        if ((r = minimax__jit_compile(arch, opts, n_opts, desc->cache_dir, &jr)) != MINIMAX_OK) goto fail;
    }
    m->info.jit_ms = jr.compile_ms;
    m->info.jit_cache_hit = jr.cache_hit;
    {
        minimax__cu_result cr = minimax__cu.cuModuleLoadDataEx(&m->module, jr.cubin, 0, NULL, NULL);
        MINIMAX_FREE(jr.cubin);
        MINIMAX_FREE(jr.log);
        if (cr != 0) {
            r = minimax__mcheck(m, cr, "cuModuleLoadDataEx of the compiled kernels");
            if (r == MINIMAX_ERR_DEVICE) r = MINIMAX_ERR_JIT;
            goto fail;
        }
    }
    for (i = 0; i < MINIMAX__K_COUNT; i++) {
        char what[96];
        snprintf(what, sizeof what, "cuModuleGetFunction(%s)", minimax__kernel_names[i]);
        if ((r = minimax__mcheck(m, minimax__cu.cuModuleGetFunction(&m->fn[i], m->module, minimax__kernel_names[i]),
                                 what)) != MINIMAX_OK) {
            r = MINIMAX_ERR_JIT;
            goto fail;
        }
    }
    if ((r = minimax__fast_init(m)) != MINIMAX_OK) goto fail;
    if (desc->cuda_stream) {
        m->stream = (minimax__cu_stream)desc->cuda_stream;
    } else {
        if ((r = minimax__mcheck(m, minimax__cu.cuStreamCreate(&m->stream, 1 /* NON_BLOCKING */), "cuStreamCreate")) !=
            MINIMAX_OK)
            goto fail;
        m->own_stream = 1;
    }
    if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost(&m->staging, MINIMAX__STAGING_BYTES), "cuMemAllocHost (staging)")) !=
        MINIMAX_OK)
        goto fail;
    if ((r = minimax__progress(desc, 0.05f, "weights")) != MINIMAX_OK) goto fail;
    /* weights */
    if (!w) {
        if ((r = fill(m, fill_user)) != MINIMAX_OK) goto fail;
    } else {
        const minimax_config *c = cfg;
        size_t H = (size_t)c->hidden_size, V = (size_t)c->vocab_size;
        m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
        if (!m->layers) {
            r = MINIMAX_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        if ((r = minimax__dalloc(m, V * H * 2, "embed_tokens", &m->embed)) != MINIMAX_OK) goto fail;
        if ((r = minimax__upload_bf16(m, w->embed, (int64_t)V, (int64_t)H, m->embed)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, V * H * 2, "lm_head", &m->lm_head)) != MINIMAX_OK) goto fail;
        if ((r = minimax__upload_bf16(m, w->lm_head, (int64_t)V, (int64_t)H, m->lm_head)) != MINIMAX_OK) goto fail;
        if ((r = minimax__upload_f32(m, w->final_norm, (int64_t)H, 0, "final norm", &m->final_norm)) != MINIMAX_OK)
            goto fail;
        for (L = 0; L < c->num_layers; L++) {
            if ((r = minimax__upload_layer(m, &w->layers[L], L)) != MINIMAX_OK) goto fail;
            if ((r = minimax__progress(desc, 0.05f + 0.9f * (float)(L + 1) / (float)c->num_layers, "weights")) !=
                MINIMAX_OK)
                goto fail;
        }
    }
    for (i = 0; i < m->n_allocs; i++) m->info.weight_bytes += m->allocs[i].bytes;
    if ((r = minimax__progress(desc, 0.96f, "kv cache")) != MINIMAX_OK) goto fail;
    /* KV pool, block table, per-step inputs, scratch */
    {
        const minimax_config *c = cfg;
        const minimax__plan *p = &m->plan;
        size_t T = (size_t)p->max_tokens, R = (size_t)p->logits_rows, H = (size_t)c->hidden_size;
        size_t before = 0;
        for (i = 0; i < m->n_allocs; i++) before += m->allocs[i].bytes;
        if ((r = minimax__dalloc(m, (size_t)p->num_blocks * p->kv_block_bytes, "the KV cache pool", &m->kv)) != MINIMAX_OK)
            goto fail;
        m->info.kv_bytes = (size_t)p->num_blocks * p->kv_block_bytes;
        if ((r = minimax__dalloc(m, (size_t)p->num_blocks * 4, "the block table", &m->block_table)) != MINIMAX_OK) goto fail;
        m->off_ids = 0;
        m->off_pos = T * 4;
        m->off_srow = 2 * T * 4;
        m->off_rows = 3 * T * 4;
        m->off_sp = (4 * T * 4 + 7) & ~(size_t)7;
        m->step_in_bytes = m->off_sp + T * sizeof(minimax__sample_params);
        if ((r = minimax__dalloc(m, m->step_in_bytes, "per-step inputs", &m->step_in)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * H * 4, "activations", &m->x)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * H * 4, "activations", &m->hn)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)p->qkv_dim * 4, "q/k/v", &m->qkv)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)p->attn_dim * 4, "rotated q", &m->qr)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)p->attn_dim * 4, "attention output", &m->attn)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->num_experts * 4, "router logits", &m->rlog)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->top_k * 4, "routing", &m->topk_idx)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->top_k * 4, "routing", &m->topk_wt)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, 4, "routing", &m->route_flag)) != MINIMAX_OK ||
            (r = minimax__mcheck(m, minimax__cu.cuMemsetD32Async(m->route_flag, 0, 1, m->stream), "routing flag")) !=
                MINIMAX_OK)
            goto fail;
        if ((r = minimax__dalloc(m, T * (size_t)c->top_k * c->intermediate_size * 4, "expert activations", &m->act)) !=
            MINIMAX_OK)
            goto fail;
        if ((r = minimax__dalloc(m, R * H * 4, "final norm", &m->xo)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, R * (size_t)c->vocab_size * 4, "logits", &m->logits)) != MINIMAX_OK) goto fail;
        if ((r = minimax__dalloc(m, R * 4, "sampled ids", &m->sampled)) != MINIMAX_OK) goto fail;
        m->info.scratch_bytes = 0;
        for (i = 0; i < m->n_allocs; i++) m->info.scratch_bytes += m->allocs[i].bytes;
        m->info.scratch_bytes -= before + m->info.kv_bytes;
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_in, m->step_in_bytes), "cuMemAllocHost")) !=
            MINIMAX_OK)
            goto fail;
        memset(m->h_in, 0, m->step_in_bytes);
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_bt, (size_t)p->num_blocks * 4),
                                 "cuMemAllocHost")) != MINIMAX_OK)
            goto fail;
        memset(m->h_bt, 0, (size_t)p->num_blocks * 4);
        /* zeroed block table: an unfilled entry still points at block 0, inside the pool */
        if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyHtoD(m->block_table, m->h_bt, (size_t)p->num_blocks * 4),
                                 "block table init")) != MINIMAX_OK)
            goto fail;
        m->free_blocks = (int32_t *)minimax__alloc((size_t)p->num_blocks * 4, "KV free list");
        m->sessions = (minimax_session **)minimax__alloc((size_t)p->max_sessions * sizeof *m->sessions, "session table");
        m->graphs = (minimax__cu_graph_exec *)minimax__alloc((size_t)(p->max_sessions + 1) * sizeof *m->graphs, "graphs");
        if (!m->free_blocks || !m->sessions || !m->graphs) {
            r = MINIMAX_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        for (i = 0; i < p->num_blocks; i++) m->free_blocks[i] = p->num_blocks - 1 - i; /* pop gives 0, 1, 2, ... */
        m->n_free = p->num_blocks;
    }
    m->info.graphs = !desc->disable_graphs;
    m->info.gpus = 1;
    m->info.tp = 1;
    m->info.layer_split[0] = cfg->num_layers;
    m->info.max_sessions = m->plan.max_sessions;
    m->info.max_context = m->plan.max_context;
    m->info.kv_block_tokens = m->plan.block_tokens;
    m->info.max_batch_tokens = m->plan.max_tokens;
    m->info.valid_vocab = m->plan.valid_vocab;
    if ((r = minimax__progress(desc, 1.0f, "done")) != MINIMAX_OK) goto fail;
    m->info.load_ms = minimax__now_ms() - t0;
    minimax__cu.cuCtxSetCurrent(prev);
    *out = m;
    return MINIMAX_OK;
fail:
    minimax__model_destroy(m);
    if (minimax__cu.cuCtxSetCurrent) minimax__cu.cuCtxSetCurrent(prev);
    return r;
}

MINIMAX__PRIV minimax_result minimax__model_create(const minimax_model_desc *desc, const minimax_config *cfg,
                                                   const minimax__weights *w, minimax_model **out) {
    if (!w) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: NULL argument");
    return minimax__model_create_from(desc, cfg, w, NULL, NULL, out);
}

/* ---- public API -------------------------------------------------------------------- */

MINIMAX_API minimax_result minimax_model_load(const minimax_model_desc *desc, minimax_model **out) {
    minimax_checkpoint *ck = NULL;
    minimax_result r;
    double t0 = minimax__now_ms();
    if (!out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: out is NULL");
    *out = NULL;
    if (!desc || !desc->checkpoint_dir)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_load: desc->checkpoint_dir is required");
    if ((r = minimax__progress(desc, 0.0f, "checkpoint")) != MINIMAX_OK) return r;
    if ((r = minimax_checkpoint_open(desc->checkpoint_dir, &ck)) != MINIMAX_OK) return r;
    r = minimax__model_create(desc, minimax_checkpoint_config(ck), minimax__checkpoint_weights(ck), out);
    minimax_checkpoint_close(ck);
    if (r == MINIMAX_OK) (*out)->info.load_ms = minimax__now_ms() - t0;
    return r;
}

MINIMAX_API void minimax_model_free(minimax_model *model) { minimax__model_destroy(model); }

MINIMAX_API const minimax_config *minimax_model_config(const minimax_model *model) { return model ? &model->cfg : NULL; }

MINIMAX_API minimax_result minimax_model_info_get(const minimax_model *model, minimax_model_info *info) {
    if (!model || !info) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_info_get: NULL argument");
    *info = model->info;
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_session_create(minimax_model *m, minimax_session **out) {
    minimax_session *s;
    int row;
    if (!out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_create: out is NULL");
    *out = NULL;
    if (!m) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_create: model is NULL");
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    for (row = 0; row < m->plan.max_sessions; row++)
        if (!m->sessions[row]) break;
    if (row == m->plan.max_sessions)
        return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "all %d sessions are open (max_sessions in minimax_model_desc)",
                             m->plan.max_sessions);
    s = (minimax_session *)minimax__alloc(sizeof *s, "a session");
    if (!s) return MINIMAX_ERR_OUT_OF_MEMORY;
    s->model = m;
    s->row = row;
    s->id = m->next_session_id++;
    m->sessions[row] = s;
    *out = s;
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_session_reset(minimax_session *s) {
    if (!s) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_reset: session is NULL");
    if (s->model->failed)
        return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    minimax__release(s);
    s->pos = 0;
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_session_truncate(minimax_session *s, int n) {
    minimax_model *m;
    if (!s) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_truncate: session is NULL");
    m = s->model;
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    if (n < 0 || n > s->pos)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "minimax_session_truncate: %d tokens asked, the session holds %d", n, s->pos);
    /* blocks wholly past n go back; cache entries at >= n in a kept block are
       overwritten before attention reads them (it reads positions < pos only) */
    minimax__release_from(s, MINIMAX__CDIV(n, m->plan.block_tokens));
    s->pos = n;
    return MINIMAX_OK;
}

MINIMAX_API void minimax_session_free(minimax_session *s) {
    if (!s) return;
    minimax__release(s);
    s->model->sessions[s->row] = NULL;
    MINIMAX_FREE(s);
}

MINIMAX_API int minimax_session_position(const minimax_session *s) { return s ? s->pos : 0; }

MINIMAX_API uint64_t minimax_session_id(const minimax_session *s) { return s ? s->id : 0; }

MINIMAX_API minimax_result minimax_session_set_sampling(minimax_session *s, const minimax_sampling *p) {
    if (!s || !p) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_session_set_sampling: NULL argument");
    if (!(p->temperature >= 0.0f) || p->top_k < 0 || !(p->top_p >= 0.0f) || !(p->min_p >= 0.0f) || p->min_p > 1.0f)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "sampling parameters: temperature %g, top_k %d, top_p %g, min_p %g (need temperature >= 0, "
                             "top_k >= 0, top_p >= 0, 0 <= min_p <= 1)",
                             (double)p->temperature, p->top_k, (double)p->top_p, (double)p->min_p);
    s->sampling = *p;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__check_ids(const minimax_model *m, const int32_t *ids, int n) {
    int i;
    for (i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab_size)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "token id %d at index %d is outside [0, %d)", (int)ids[i], i,
                                 m->cfg.vocab_size);
    return MINIMAX_OK;
}

/* Runs a prefill of n tokens; when all_logits is non-NULL the logits of every
   position are copied there ([n][vocab], chunks limited to logits_rows), else
   logits_out/sampled_out get the last position's. Chunks of at most
   max_tokens tokens, and of minimax__pass_slots where the fast kernels run:
   8 tokens of one session are a pass of 8 token slots like a step of 8
   sessions (the KV of all 8 is appended before their attention), and those
   kernels take 1.7 to 2.1 times less time per token than the general ones
   did at chunks of 256 (H100, prompts of 512 to 8192 tokens: BENCHMARKS.md). */
MINIMAX__PRIV minimax_result minimax__prefill(minimax_session *s, const int32_t *ids, int n, float *logits_out,
                                              int32_t *sampled_out, float *all_logits) {
    minimax_model *m;
    minimax__ctx_guard g;
    minimax_result r;
    int done = 0, V;
    if (!s || (!ids && n > 0)) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_prefill: NULL argument");
    m = s->model;
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    if (n < 1) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_prefill: n = %d, need at least 1 token", n);
    if ((int64_t)s->pos + n > m->plan.max_context)
        return minimax__fail(MINIMAX_ERR_CONTEXT_FULL,
                             "session holds %d tokens; %d more exceed its capacity of %d tokens (max_context in "
                             "minimax_model_desc)",
                             s->pos, n, m->plan.max_context);
    if ((r = minimax__check_ids(m, ids, n)) != MINIMAX_OK) return r;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    V = m->cfg.vocab_size;
    if ((r = minimax__reserve(s, s->pos + n)) != MINIMAX_OK) goto out;
    while (done < n) {
        int chunk = n - done, i, R, last;
        if (chunk > m->plan.max_tokens) chunk = m->plan.max_tokens;
        chunk = minimax__pass_slots(m, chunk);
        if (all_logits && chunk > m->plan.logits_rows) chunk = m->plan.logits_rows;
        last = done + chunk == n;
        R = all_logits ? chunk : last ? 1 : 0;
        for (i = 0; i < chunk; i++) {
            MINIMAX__IN(m, off_ids, int32_t)[i] = ids[done + i];
            MINIMAX__IN(m, off_pos, int32_t)[i] = s->pos + done + i;
            MINIMAX__IN(m, off_srow, int32_t)[i] = s->row;
        }
        if (all_logits)
            for (i = 0; i < chunk; i++) MINIMAX__IN(m, off_rows, int32_t)[i] = i;
        else
            MINIMAX__IN(m, off_rows, int32_t)[0] = chunk - 1;
        minimax__fill_sp(MINIMAX__IN(m, off_sp, minimax__sample_params), s, (int64_t)s->pos + n);
        if ((r = minimax__upload_inputs(m, &s, 1)) != MINIMAX_OK) goto out;
        m->dbg_pos0 = s->pos + done;
        m->dbg_recording = m->dbg_route != 0;
        r = minimax__forward(m, chunk, R, last && sampled_out && !all_logits);
        m->dbg_recording = 0;
        if (r != MINIMAX_OK) goto out;
        if (all_logits &&
            (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(all_logits + (size_t)done * V, m->logits,
                                                                  (size_t)chunk * V * 4, m->stream),
                                 "download of logits")) != MINIMAX_OK)
            goto out;
        if (last && logits_out && !all_logits &&
            (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(logits_out, m->logits, (size_t)V * 4, m->stream),
                                 "download of logits")) != MINIMAX_OK)
            goto out;
        if (last && sampled_out && !all_logits &&
            (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(sampled_out, m->sampled, 4, m->stream),
                                 "download of the sampled token")) != MINIMAX_OK)
            goto out;
        /* the pinned inputs are reused by the next chunk: wait for this one */
        if ((r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "prefill")) != MINIMAX_OK) goto out;
        if (m->mg && (r = minimax__mg_after_sync(m)) != MINIMAX_OK) goto out;
        done += chunk;
    }
    s->pos += n;
out:
    minimax__leave(&g);
    return r;
}

MINIMAX_API minimax_result minimax_prefill(minimax_session *s, const int32_t *ids, int n, float *logits_out,
                                           int32_t *sampled_out) {
    return minimax__prefill(s, ids, n, logits_out, sampled_out, NULL);
}

/* Moves the model's view of a step to the pass that starts at slot s0 (back
   with -s0): its input offsets, its logits / sampled rows and pass0 (which
   the ranks of several GPUs add to the head's gathered rows). */
MINIMAX__PRIV void minimax__pass_view(minimax_model *m, int s0) {
    long long in4 = (long long)s0 * 4, sp = (long long)s0 * (long long)sizeof(minimax__sample_params);
    m->off_ids += in4; m->off_pos += in4; m->off_srow += in4; m->off_rows += in4; m->off_sp += sp;
    m->logits += (long long)s0 * m->cfg.vocab_size * 4;
    m->sampled += in4;
    m->pass0 += s0;
}

/* A decode step of n sessions: passes of minimax__pass_slots(m, n) token
   slots (sessions s0 .. s0 + P - 1), each a whole forward pass that sees the
   step through minimax__pass_view; the rows input is pass-relative
   (minimax__step_inputs). m: one GPU, or one rank of several (its part of
   every pass: what the rank's graph holds); the front of several GPUs: each
   pass over all its ranks at once (minimax__mg_forward, eager). */
MINIMAX__PRIV minimax_result minimax__enqueue_step(minimax_model *m, int n) {
    int P = minimax__pass_slots(m, n), front = m->mg && m->mg_rank < 0, s0;
    void (*view)(minimax_model *, int) = front ? minimax__mg_pass_view : minimax__pass_view;
    minimax_result r = MINIMAX_OK;
    for (s0 = 0; s0 < n && r == MINIMAX_OK; s0 += P) {
        int T = n - s0 < P ? n - s0 : P;
        view(m, s0);
        r = front ? minimax__mg_forward(m, T, T, 1) : minimax__enqueue_forward(m, T, T, 1);
        view(m, -s0);
    }
    return r;
}

/* Captures the step of n sessions of m (one GPU, or one rank of several)
   into m->graphs[n]; capturing runs nothing. */
MINIMAX__PRIV minimax_result minimax__capture_step(minimax_model *m, int n) {
    minimax__cu_graph graph = NULL;
    minimax__cu_graph_exec exec = NULL;
    minimax__cu_result cr;
    minimax_result r;
    /* thread-local capture: other threads of the host may keep using CUDA */
    if ((r = minimax__mcheck(m, minimax__cu.cuStreamBeginCapture(m->stream, 1 /* THREAD_LOCAL */),
                             "cuStreamBeginCapture")) != MINIMAX_OK)
        return r;
    r = minimax__enqueue_step(m, n);
    cr = minimax__cu.cuStreamEndCapture(m->stream, &graph);
    if (r != MINIMAX_OK) {
        if (graph) minimax__cu.cuGraphDestroy(graph);
        return r;
    }
    if ((r = minimax__mcheck(m, cr, "cuStreamEndCapture")) != MINIMAX_OK) return r;
    cr = minimax__cu.cuGraphInstantiate(&exec, graph, 0);
    minimax__cu.cuGraphDestroy(graph);
    if ((r = minimax__mcheck(m, cr, "cuGraphInstantiate")) != MINIMAX_OK) return r;
    m->graphs[n] = exec;
    return MINIMAX_OK;
}

/* Captures (once per n) or replays the step graph; eager when disabled. */
MINIMAX__PRIV minimax_result minimax__run_step(minimax_model *m, int n, int use_graph) {
    minimax_result r;
    if (m->mg) return minimax__mg_run_step(m, n, use_graph);
    if (!use_graph) return minimax__enqueue_step(m, n);
    if (!m->graphs[n] && (r = minimax__capture_step(m, n)) != MINIMAX_OK) return r;
    return minimax__mcheck(m, minimax__cu.cuGraphLaunch(m->graphs[n], m->stream), "cuGraphLaunch");
}

MINIMAX__PRIV minimax_result minimax__step(minimax_model *m, minimax_session *const *ss, int n, const int32_t *ids,
                                           float *logits_out, int32_t *sampled_out, int use_graph) {
    minimax__ctx_guard g;
    minimax_result r;
    int i, j;
    if (!m || !ss || !ids) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: NULL argument");
    if (m->failed) return minimax__fail(MINIMAX_ERR_FAILED_STATE, "the model hit an unrecoverable device error earlier");
    if (n < 1 || n > m->plan.max_sessions)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: n = %d, need 1..%d (max_sessions)", n,
                             m->plan.max_sessions);
    for (i = 0; i < n; i++) {
        if (!ss[i] || ss[i]->model != m)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: session %d is NULL or of another model", i);
        for (j = 0; j < i; j++)
            if (ss[j] == ss[i])
                return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_step: session %d appears twice (also at %d)", i,
                                     j);
        if (ss[i]->pos + 1 > m->plan.max_context)
            return minimax__fail(MINIMAX_ERR_CONTEXT_FULL,
                                 "session %d holds %d tokens, its capacity (max_context in minimax_model_desc); "
                                 "another token does not fit",
                                 i, ss[i]->pos);
    }
    if ((r = minimax__check_ids(m, ids, n)) != MINIMAX_OK) return r;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    for (i = 0; i < n; i++)
        if ((r = minimax__reserve(ss[i], ss[i]->pos + 1)) != MINIMAX_OK) goto out;
    minimax__step_inputs(m, ss, n, ids);
    if ((r = minimax__upload_inputs(m, ss, n)) != MINIMAX_OK) goto out;
    if ((r = minimax__run_step(m, n, use_graph)) != MINIMAX_OK) goto out;
    if (logits_out &&
        (r = minimax__mcheck(m,
                             minimax__cu.cuMemcpyDtoHAsync(logits_out, m->logits, (size_t)n * m->cfg.vocab_size * 4,
                                                           m->stream),
                             "download of logits")) != MINIMAX_OK)
        goto out;
    if (sampled_out && (r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(sampled_out, m->sampled, (size_t)n * 4, m->stream),
                                            "download of sampled tokens")) != MINIMAX_OK)
        goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "step")) != MINIMAX_OK) goto out;
    if (m->mg && (r = minimax__mg_after_sync(m)) != MINIMAX_OK) goto out;
    for (i = 0; i < n; i++) ss[i]->pos++;
out:
    minimax__leave(&g);
    return r;
}

MINIMAX_API minimax_result minimax_step(minimax_model *m, minimax_session *const *sessions, int n,
                                        const int32_t *input_ids, float *logits_out, int32_t *sampled_out) {
    return minimax__step(m, sessions, n, input_ids, logits_out, sampled_out, m ? m->info.graphs : 0);
}

/* ===========================================================================
   IMPLEMENTATION: dispatch of the fast decode kernels (few token slots)
   ===========================================================================
   The forward pass (impl_50_engine.h) asks minimax__fast_mm_ok /
   minimax__fast_moe_ok for every BF16 product and every MoE stage; for a
   pass of at most MINIMAX__FAST_MAX_T token slots (decode steps, short
   prefill chunks) the kernels of the "FAST DECODE KERNELS" section of
   kernels.cu run instead of the general ones. Numbers are the same kind
   (fp32 activations and accumulation; only the summation order differs),
   except in the expert kernels, which multiply in packed f16 over each
   16-element block (kernels.cu "PACKED f16 ARITHMETIC": ~1e-3 of a dot
   product at worst, the order of a BF16 rounding of the activations).
   m->fast_decode: 1 = all fast kernels (the default), 0 = none (the
   benchmark's baseline), 2 = all but the split-KV attention, 4 = all, with
   the tensor-core expert kernels at T = 1 (opt-in: tested, fp32-accurate
   products; slower than the packed-f16 kernels, see BENCHMARKS.md). */

#define MINIMAX__FAST_MAX_T 8

enum {
    MINIMAX__FK_GEMV_T1,
    MINIMAX__FK_GEMV_T2,
    MINIMAX__FK_GEMV_T4,
    MINIMAX__FK_GEMV_T8,
    MINIMAX__FK_MOE_GATE_UP,
    MINIMAX__FK_MOE_DOWN,
    MINIMAX__FK_FILL_RANDOM,
    MINIMAX__FK_READ_BW,
    MINIMAX__FK_ATTN_SPLIT,
    MINIMAX__FK_ATTN_MERGE,
    MINIMAX__FK_GEMV_NORM_T1,
    MINIMAX__FK_ARGMAX_PART,
    MINIMAX__FK_SAMPLE_FAST,
    MINIMAX__FK_MOE_GATE_UP_MMA,
    MINIMAX__FK_MOE_DOWN_MMA,
    MINIMAX__FK_TO_PH,
    MINIMAX__FK_ATTN_SPLIT_QK,
    MINIMAX__FK_ATTN_SPLIT_G6,
    MINIMAX__FK_ATTN_SPLIT_QK_G6,
    MINIMAX__FK_L2_PREFETCH,
    MINIMAX__FK_GEMV_T1_MG,
    MINIMAX__FK_GEMV_NORM_T1_MG,
    MINIMAX__FK_MOE_DOWN_MG,
    MINIMAX__FK_MOE_GATE_UP_C,
    MINIMAX__FK_MOE_DOWN_C,
    MINIMAX__FK_MOE_DOWN_C1,
    MINIMAX__FK_COUNT
};
/* m->fn_fast holds a handle for each (a negative array size if it is too short) */
typedef char minimax__fn_fast_fits[MINIMAX__FK_COUNT <= sizeof ((minimax_model *)0)->fn_fast / sizeof(minimax__cu_function) ? 1 : -1];
static const char *const minimax__fast_kernel_names[MINIMAX__FK_COUNT] = {
    "k_gemv_bf16_t1",     "k_gemv_bf16_t2",  "k_gemv_bf16_t4", "k_gemv_bf16_t8",
    "k_moe_gate_up_h2",   "k_moe_down_h2",   "k_fill_random",  "k_read_bw", "k_attn_split", "k_attn_merge",
    "k_gemv_bf16_norm_t1", "k_argmax_part",  "k_sample_fast", "k_moe_gate_up_mma", "k_moe_down_mma", "k_to_ph",
    "k_attn_split_qk",    "k_attn_split_g6", "k_attn_split_qk_g6", "k_l2_prefetch", "k_gemv_bf16_t1_mg",
    "k_gemv_bf16_norm_t1_mg", "k_moe_down_h2_mg", "k_moe_gate_up_h2_c", "k_moe_down_h2_c",
    "k_moe_down_h2_c1"};

/* KV splits of the decode attention: 48 x 8 KV heads = 384 blocks per token
   slot, one wave on 132 SMs at 3 blocks per SM (k_attn_split takes 168
   registers a thread); 32 splits left 2 blocks of 4 warps per SM, too few
   loads in flight at long context. Each split holds ceil(context / 48) keys,
   but at least MINIMAX__ATTN_MIN_KEYS(T): with several token slots, 128 (one
   round of 32 keys per warp; 8 sessions at 512 tokens then run 256 blocks,
   not 3072 blocks of 11 keys), alone 1 as before (32, 64 or 128 did not make
   the batch-1 step faster in the experiments of BENCHMARKS.md). */
#define MINIMAX__ATTN_SPLITS 48
#define MINIMAX__ATTN_MIN_KEYS(T) ((T) > 1 ? 128 : 1)

/* The packed-f16 expert kernels (kernels.cu k_moe_gate_up_h2, k_moe_down_h2):
   gate/up (with the routing) runs MINIMAX__GU_BLOCKS(m, T) blocks of 256
   threads a token slot, its dynamic shared memory h in the H2 layout (6.75 KB
   at the real shapes); down takes MINIMAX__DOWN_ROWS output rows a block of
   128 threads (kernels.cu MD_ROWS), its dynamic shared memory one slot's
   activations in H2, topk * (2.25 I) bytes (27 KB at the real shapes;
   allowed up to MINIMAX__DOWN_SMEM_MAX by fast_init). */
#define MINIMAX__GU_BLOCKS(m, T) ((2 * (m)->num_sms / (T)) > 0 ? 2 * (m)->num_sms / (T) : 1)
#define MINIMAX__GU_SMEM(H) ((unsigned)(H) * 2u + (unsigned)(H) / 4u)
#define MINIMAX__DOWN_ROWS 8
#define MINIMAX__DOWN_SMEM(K, I) ((unsigned)(K) * ((unsigned)(I) * 2u + (unsigned)(I) / 4u))
#define MINIMAX__DOWN_SMEM_MAX (96 * 1024)

/* Blocks of k_argmax_part per sampled row (the greedy argmax over the
   vocabulary): 2 per SM. */
#define MINIMAX__ARGMAX_PARTS(m) (2 * (m)->num_sms)

/* Rows per warp group of the k_gemv_bf16_* instance for T token slots
   (kernels.cu; k_gemv_bf16_norm_t1 is a T = 1 instance). */
#define MINIMAX__GEMV_ROWS(T) ((T) == 2 ? 2 : 4)

/* m->fast_part holds the attention partials [8][nh][splits][132] fp32 (head_dim 128
   only), then the argmax partials [8][parts] (fp32 values, then int ids), then
   the post-attention normed vector in the PH layout (kernels.cu) [8][H] u32,
   then the q|k|v product's partial sums of squares [qkv_dim / 4] (one token
   slot: minimax__fast_qk_ssq), then the RoPE angles of the pass's positions
   [8][rotary_dim / 2] float2 (minimax__fast_rope: k_attn_split_qk's ROPE). */
MINIMAX__PRIV size_t minimax__fast_attn_part_bytes(const minimax_model *m) {
    return m->cfg.head_dim == 128 ? (size_t)MINIMAX__FAST_MAX_T * m->cfg.num_heads * MINIMAX__ATTN_SPLITS * 132 * 4 : 0;
}
MINIMAX__PRIV minimax__cu_ptr minimax__fast_hn_ph(const minimax_model *m) {
    return m->fast_part + minimax__fast_attn_part_bytes(m) + (size_t)MINIMAX__FAST_MAX_T * MINIMAX__ARGMAX_PARTS(m) * 8;
}
MINIMAX__PRIV minimax__cu_ptr minimax__fast_qk_ssq(const minimax_model *m) {
    return minimax__fast_hn_ph(m) + (size_t)MINIMAX__FAST_MAX_T * m->cfg.hidden_size * 4;
}
/* (8-byte aligned: the regions before it are multiples of 8 bytes, qkv_dim
   being a multiple of 128 where the split attention runs, head_dim 128) */
MINIMAX__PRIV minimax__cu_ptr minimax__fast_rope(const minimax_model *m) {
    return minimax__fast_qk_ssq(m) + (size_t)m->plan.qkv_dim / MINIMAX__GEMV_ROWS(1) * 4;
}

MINIMAX__PRIV minimax_result minimax__fast_init(minimax_model *m) {
    int i;
    for (i = 0; i < MINIMAX__FK_COUNT; i++) {
        char what[96];
        snprintf(what, sizeof what, "cuModuleGetFunction(%s)", minimax__fast_kernel_names[i]);
        if (minimax__mcheck(m, minimax__cu.cuModuleGetFunction(&m->fn_fast[i], m->module, minimax__fast_kernel_names[i]),
                            what) != MINIMAX_OK)
            return MINIMAX_ERR_JIT;
    }
    { /* the down kernels stage every routed slot's activations: more than the default 48 KB of shared memory */
        static const int staging[] = {MINIMAX__FK_MOE_DOWN, MINIMAX__FK_MOE_DOWN_MMA, MINIMAX__FK_MOE_DOWN_MG,
                                      MINIMAX__FK_MOE_DOWN_C, MINIMAX__FK_MOE_DOWN_C1};
        for (i = 0; i < (int)(sizeof staging / sizeof staging[0]); i++) {
            char what[96];
            snprintf(what, sizeof what, "cuFuncSetAttribute(%s)", minimax__fast_kernel_names[staging[i]]);
            if (minimax__mcheck(m,
                                minimax__cu.cuFuncSetAttribute(m->fn_fast[staging[i]], 8 /* MAX_DYNAMIC_SHARED_SIZE_BYTES */,
                                                               MINIMAX__DOWN_SMEM_MAX),
                                what) != MINIMAX_OK)
                return MINIMAX_ERR_JIT;
        }
    }
    m->num_sms = 0;
    minimax__cu.cuDeviceGetAttribute(&m->num_sms, 16 /* MULTIPROCESSOR_COUNT */, m->dev);
    if (m->num_sms <= 0) m->num_sms = 132;
    {
        minimax_result r = minimax__dalloc(m, minimax__fast_attn_part_bytes(m) +
                                                  (size_t)MINIMAX__FAST_MAX_T * MINIMAX__ARGMAX_PARTS(m) * 8 +
                                                  (size_t)MINIMAX__FAST_MAX_T * m->cfg.hidden_size * 4 +
                                                  (size_t)m->plan.qkv_dim / MINIMAX__GEMV_ROWS(1) * 4 +
                                                  (size_t)MINIMAX__FAST_MAX_T * (m->cfg.rotary_dim / 2) * 8,
                                           "attention and argmax partials", &m->fast_part);
        if (r != MINIMAX_OK) return r;
    }
    m->fast_decode = 1;
    /* the prefetch branch's stream and events (minimax__branch_prefetch) where
       the prefetch is on */
    m->branch_open = 0;
    if (m->l2_prefetch_bytes > 0 &&
        (minimax__mcheck(m, minimax__cu.cuStreamCreate(&m->side, 1 /* NON_BLOCKING */), "cuStreamCreate (branch)") !=
             MINIMAX_OK ||
         minimax__mcheck(m, minimax__cu.cuEventCreate(&m->ev_fork, 2 /* DISABLE_TIMING */), "cuEventCreate (fork)") !=
             MINIMAX_OK ||
         minimax__mcheck(m, minimax__cu.cuEventCreate(&m->ev_join, 2), "cuEventCreate (join)") != MINIMAX_OK))
        return MINIMAX_ERR_DEVICE;
    return MINIMAX_OK;
}

/* L2 prefetches in a graph branch (kernels.cu k_l2_prefetch): fork a branch
   off m->stream that asks L2 for the first `bytes` of `rows` rows (pitch
   apart) of pf, beside whatever m->stream runs next; the branch joins
   m->stream at minimax__branch_join (before the product that reads the
   rows, at the next fork, at the end of a pass). m->side exists where the
   prefetch is on (DRAM below 4 TB/s, minimax__fast_init), on one GPU and on
   every GPU of several (2 x H100, 62 layers, batch 1: TP = 2 5.436 -> 5.344
   ms a step, layer split 31,31 5.839 -> 5.600), for one-slot passes through
   the fast kernels. */
MINIMAX__PRIV int minimax__branch_ok(const minimax_model *m, int T) {
    return T == 1 && m->side && minimax__fast_moe_ok(m, T);
}
MINIMAX__PRIV minimax_result minimax__branch_join(minimax_model *m) {
    if (!m->branch_open) return MINIMAX_OK;
    m->branch_open = 0;
    return minimax__mcheck(m, minimax__cu.cuStreamWaitEvent(m->stream, m->ev_join, 0), "cuStreamWaitEvent (join)");
}
/* Fast kernel k on `stream`, grid gx x gy x gz (minimax__fast_launch: on
   m->stream, gz = 1). */
MINIMAX__PRIV minimax_result minimax__fast_launch_on(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned gz,
                                                     unsigned block, unsigned smem, minimax__cu_stream stream,
                                                     void **args) {
    return minimax__launch_fn(m, m->fn_fast[k], minimax__fast_kernel_names[k], gx, gy, gz, block, smem, stream, args);
}
MINIMAX__PRIV minimax_result minimax__fast_launch(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned block,
                                                  unsigned smem, void **args) {
    return minimax__fast_launch_on(m, k, gx, gy, 1, block, smem, m->stream, args);
}

MINIMAX__PRIV minimax_result minimax__branch_prefetch(minimax_model *m, minimax__cu_ptr pf, int rows, long long pitch,
                                                      int bytes) {
    minimax_result r;
    void *a[4];
    if ((r = minimax__branch_join(m)) != MINIMAX_OK) return r;
    if (bytes <= 0) return MINIMAX_OK;
    a[0] = &pf;
    a[1] = &rows;
    a[2] = &pitch;
    a[3] = &bytes;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(m->ev_fork, m->stream), "cuEventRecord (fork)")) != MINIMAX_OK ||
        (r = minimax__mcheck(m, minimax__cu.cuStreamWaitEvent(m->side, m->ev_fork, 0), "cuStreamWaitEvent (fork)")) !=
            MINIMAX_OK ||
        (r = minimax__fast_launch_on(m, MINIMAX__FK_L2_PREFETCH, (unsigned)MINIMAX__CDIV(rows, 256), 1, 1, 256, 0, m->side,
                                     a)) != MINIMAX_OK ||
        (r = minimax__mcheck(m, minimax__cu.cuEventRecord(m->ev_join, m->side), "cuEventRecord (join)")) != MINIMAX_OK)
        return r;
    m->branch_open = 1;
    return MINIMAX_OK;
}

/* Token slots a pass of a decode step of n sessions takes (the engine's
   minimax__enqueue_step): at most MINIMAX__FAST_MAX_T where the fast kernels
   run (their instances and scratch hold that many; the general kernels a
   larger pass falls back to took 92.3 ms for 64 sessions on an H100 with 16
   layers, 8 passes of 8 take 51.2: BENCHMARKS.md), else all n in one pass.
   Several GPUs: the front model and every rank agree (fast_decode is the
   same on all of them). The pass layout is baked into the graph captured for
   n, and the rows input follows it: whoever changes fast_decode after load
   drops the graphs (minimax__bench_reset_graphs). A model whose shapes the
   fast kernels reject runs its passes of 8 through the general kernels
   (correct; not measured against one pass). */
MINIMAX__PRIV int minimax__pass_slots(const minimax_model *m, int n) {
    return m->fast_decode && n > MINIMAX__FAST_MAX_T ? MINIMAX__FAST_MAX_T : n;
}

MINIMAX__PRIV int minimax__fast_mm_ok(const minimax_model *m, int T, int K) {
    return m->fast_decode && T >= 1 && T <= MINIMAX__FAST_MAX_T && K % 8 == 0;
}


/* The K split S of a k_gemv_bf16_* launch over N rows, R rows per warp group
   (8 warps a block, S warps a group): the smallest that gives the grid at
   least 2 blocks per SM. At T = 1: S = 2 for the 8192-row q|k|v, 4 for the
   3072-row o_proj, 8 for the router. */
MINIMAX__PRIV int minimax__gemv_split(const minimax_model *m, int N, int R) {
    int S = 1;
    while (S < 8 && MINIMAX__CDIV(N, (8 / S) * R) < 2 * m->num_sms) S *= 2;
    return S;
}

/* Blocks of a k_gemv_bf16_t1 / k_gemv_bf16_norm_t1 launch over N rows (*S:
   its K split) */
MINIMAX__PRIV unsigned minimax__gemv_t1_grid(const minimax_model *m, int N, int *S) {
    int R = MINIMAX__GEMV_ROWS(1);
    *S = minimax__gemv_split(m, N, R);
    return (unsigned)MINIMAX__CDIV(N, (8 / *S) * R);
}

/* Y[T, N] (+)= X[T, K] . W[N, K]^T with k_gemv_bf16_t{1,2,4,8}; l2_ahead:
   16ths of each warp's weights asked of L2 before the kernel's dependency
   wait (kernels.cu gemv_bf16_body), 0: none. */
MINIMAX__PRIV minimax_result minimax__fast_mm(minimax_model *m, minimax__cu_ptr X, minimax__cu_ptr W, minimax__cu_ptr Y,
                                              int T, int N, int K, int accumulate, int l2_ahead) {
    int k = T <= 1 ? MINIMAX__FK_GEMV_T1 : T <= 2 ? MINIMAX__FK_GEMV_T2 : T <= 4 ? MINIMAX__FK_GEMV_T4 : MINIMAX__FK_GEMV_T8;
    int R = MINIMAX__GEMV_ROWS(T), S = minimax__gemv_split(m, N, R);
    void *a[9];
    a[0] = &X;
    a[1] = &W;
    a[2] = &Y;
    a[3] = &T;
    a[4] = &N;
    a[5] = &K;
    a[6] = &accumulate;
    a[7] = &S;
    a[8] = &l2_ahead;
    return minimax__fast_launch(m, k, (unsigned)MINIMAX__CDIV(N, (8 / S) * R), 1, 256, 0, a);
}

MINIMAX__PRIV int minimax__fast_moe_ok(const minimax_model *m, int T) {
    const minimax_config *c = &m->cfg;
    return m->fast_decode && T >= 1 && T <= MINIMAX__FAST_MAX_T && c->hidden_size % 32 == 0 &&
           c->intermediate_size % 32 == 0 && c->top_k <= 32 && MINIMAX__GU_SMEM(c->hidden_size) <= 48 * 1024 &&
           MINIMAX__DOWN_SMEM(c->top_k, c->intermediate_size) <= MINIMAX__DOWN_SMEM_MAX;
}
MINIMAX__PRIV int minimax__fast_moe_mma_ok(const minimax_model *m, int T);
/* The routing inside the packed-f16 gate/up kernel (no k_router launch);
   else k_router, and the gate/up kernel takes the ids (top-k above 8). */
MINIMAX__PRIV int minimax__fast_route_ok(const minimax_model *m, int T) {
    return minimax__fast_moe_ok(m, T) && !minimax__fast_moe_mma_ok(m, T) && m->cfg.top_k <= 8;
}

/* The tensor-core expert kernels (one token slot; the normed input in the PH
   layout at minimax__fast_hn_ph, written by minimax__norm_router). Their
   dynamic shared memory: PH vectors at MINIMAX__PH_PAD words a 32-element
   chunk (kernels.cu PH_PAD), h for gate/up, the slot's topk activations for
   down (55 KB at the real shapes: allowed up to MINIMAX__DOWN_SMEM_MAX). */
#define MINIMAX__PH_PAD 36
#define MINIMAX__MMA_GU_THREADS 128 /* kernels.cu MG_WARPS * 32 */
#define MINIMAX__MMA_GU_SMEM(H) ((unsigned)(H) / 32u * MINIMAX__PH_PAD * 4u)
#define MINIMAX__MMA_DOWN_SMEM(K, I) ((unsigned)(K) * ((unsigned)(I) / 32u) * MINIMAX__PH_PAD * 4u)
MINIMAX__PRIV int minimax__fast_moe_mma_ok(const minimax_model *m, int T) {
    const minimax_config *c = &m->cfg;
    return m->fast_decode == 4 && T == 1 && m->fast_part && c->hidden_size % 128 == 0 &&
           MINIMAX__MMA_GU_SMEM(c->hidden_size) <= 48 * 1024 && c->intermediate_size % 128 == 0 && c->top_k <= 32 &&
           MINIMAX__MMA_DOWN_SMEM(c->top_k, c->intermediate_size) <= MINIMAX__DOWN_SMEM_MAX;
}

/* The packed-f16 expert kernels for shapes (H, NI, top-k): the "_c"
   instances, compiled with the model's shapes as constants (kernels.cu
   MOE_SHAPE; minimax__model_create passes those of m->cfg to the JIT),
   where they are those, else the generic ones. *gu: gate/up; *down: down, or
   (mg) the tensor-parallel down with fused collectives, always the generic
   k_moe_down_h2_mg: compiled for the shapes it made TP=2 slower (2 x H200,
   62 layers: 3.348 ms a step with the compiled gate/up alone, 3.546 with
   both, 3.425 with neither). Under tensor parallelism the down kernel stays
   generic in passes of several slots too (no fused collectives there): the
   compiled one made TP=2 at batch 8 10% slower (2 x H100, 62 layers: 15.37-
   15.39 ms a step, 13.99 with both generic, 13.89-13.94 with the compiled
   gate/up alone). Why the compiled down is slower at this GPU's slice (I =
   768) and not at the whole width was not found. A pass of one token slot
   (T = 1) on one GPU takes k_moe_down_h2_c1 (the whole walk of a lane in
   flight at once, kernels.cu moe_down_h2_body's ALL). */
MINIMAX__PRIV void minimax__fast_moe_kernels(const minimax_model *m, int H, int NI, int K, int T, int mg, int *gu,
                                             int *down) {
    int c = H == m->cfg.hidden_size && NI == m->cfg.intermediate_size && K == m->cfg.top_k;
    *gu = c ? MINIMAX__FK_MOE_GATE_UP_C : MINIMAX__FK_MOE_GATE_UP;
    *down = mg                             ? MINIMAX__FK_MOE_DOWN_MG
            : !c || minimax__mg_tp(m) > 1 ? MINIMAX__FK_MOE_DOWN
            : T == 1                       ? MINIMAX__FK_MOE_DOWN_C1
                                           : MINIMAX__FK_MOE_DOWN_C;
}

/* Gate/up + SiLU (act in the H2 layout) with the routing of the pass (the
   logits m->rlog -> m->topk_idx, m->topk_wt), then down + routing weights +
   residual into x; at T = 1 with fast_decode 4 the tensor-core kernels (act
   in PH), after k_router. F (tensor parallelism, fused collectives, T = 1,
   not the tensor-core kernels): down adds to x the sum over ranks of their
   parts (k_moe_down_h2_mg), not its own part alone. */
MINIMAX__PRIV minimax_result minimax__fast_moe(minimax_model *m, const minimax__dev_layer *ly, int T,
                                               const minimax__mg_fuse *F) {
    int H = m->cfg.hidden_size, NI = m->cfg.intermediate_size, K = m->cfg.top_k, E = m->cfg.num_experts;
    int mma = minimax__fast_moe_mma_ok(m, T), fk_gu, fk_down;
    minimax__cu_ptr rflag = 0; /* the one-slot down takes the ids before its wait (kernels.cu EARLY) */
    float rsf = m->cfg.routed_scaling_factor > 0 ? m->cfg.routed_scaling_factor : 1.0f;
    minimax_result r;
    void *a[18];
    minimax__fast_moe_kernels(m, H, NI, K, T, F != NULL, &fk_gu, &fk_down);
    if (fk_down == MINIMAX__FK_MOE_DOWN_C1 && minimax__fast_route_ok(m, T)) rflag = m->route_flag;
    if (mma) {
        minimax__cu_ptr h = minimax__fast_hn_ph(m); /* the normed input in PH */
        a[0] = &h;
        a[1] = &m->topk_idx;
        a[2] = (void *)&ly->w1p;
        a[3] = (void *)&ly->w1s;
        a[4] = (void *)&ly->ws2_1;
        a[5] = (void *)&ly->w3p;
        a[6] = (void *)&ly->w3s;
        a[7] = (void *)&ly->ws2_3;
        a[8] = &m->act;
        a[9] = &H;
        a[10] = &NI;
        a[11] = &K;
        r = minimax__fast_launch(m, MINIMAX__FK_MOE_GATE_UP_MMA, (unsigned)MINIMAX__CDIV(NI, 8), (unsigned)(T * K),
                                 MINIMAX__MMA_GU_THREADS, MINIMAX__MMA_GU_SMEM(H), a);
    } else {
        minimax__cu_ptr lg = minimax__fast_route_ok(m, T) ? m->rlog : 0; /* 0: the ids from k_router */
        a[0] = &lg;
        a[1] = (void *)&ly->router_bias;
        a[2] = &E;
        a[3] = &rsf;
        a[4] = &m->topk_idx;
        a[5] = &m->topk_wt;
        a[6] = &m->hn;
        a[7] = (void *)&ly->w1p;
        a[8] = (void *)&ly->w1s;
        a[9] = (void *)&ly->ws2_1;
        a[10] = (void *)&ly->w3p;
        a[11] = (void *)&ly->w3s;
        a[12] = (void *)&ly->ws2_3;
        a[13] = &m->act;
        a[14] = &H;
        a[15] = &NI;
        a[16] = &K;
        a[17] = &rflag;
        r = minimax__fast_launch(m, fk_gu, (unsigned)MINIMAX__GU_BLOCKS(m, T), (unsigned)T, 256, MINIMAX__GU_SMEM(H), a);
    }
    if (r != MINIMAX_OK) return r;
    a[0] = &m->act;
    a[1] = &m->topk_idx;
    a[2] = &m->topk_wt;
    a[3] = (void *)&ly->w2p;
    a[4] = (void *)&ly->w2s;
    a[5] = (void *)&ly->ws2_2;
    a[6] = &m->x;
    a[7] = &H;
    a[8] = &NI;
    a[9] = &K;
    a[10] = &rflag; /* k_moe_down_h2_c1's 11th and 12th; _mg takes F there (below), the rest take 10 */
    a[11] = &E;
    if (F && !mma) {
        a[10] = (void *)F;
        return minimax__fast_launch(m, fk_down, (unsigned)MINIMAX__CDIV(H, MINIMAX__DOWN_ROWS), 1, 128,
                                    MINIMAX__DOWN_SMEM(K, NI), a);
    }
    if (mma)
        return minimax__fast_launch(m, MINIMAX__FK_MOE_DOWN_MMA, (unsigned)(H / 16), (unsigned)T, 256,
                                    MINIMAX__MMA_DOWN_SMEM(K, NI), a);
    return minimax__fast_launch(m, fk_down, (unsigned)MINIMAX__CDIV(H, MINIMAX__DOWN_ROWS), (unsigned)T, 128,
                                MINIMAX__DOWN_SMEM(K, NI), a);
}

MINIMAX__PRIV int minimax__fast_attn_ok(const minimax_model *m, int T) {
    const minimax_config *c = &m->cfg;
    return (m->fast_decode == 1 || m->fast_decode == 4) && m->fast_part && T >= 1 && T <= MINIMAX__FAST_MAX_T &&
           c->head_dim == 128 &&
           c->num_heads % c->num_kv_heads == 0 && c->num_heads / c->num_kv_heads <= 8;
}

/* k_attn_split_qk (the QK-norm, RoPE and KV append inside the attention's
   blocks, no kernel of their own) for a pass of one token slot: a decode step
   of one session, or a prefill chunk of one token. (Several slots of
   distinct sessions would do too; a prefill chunk's slots read keys other
   slots append, so the engine keeps it to T = 1.) */
MINIMAX__PRIV int minimax__fast_attn_qk_ok(const minimax_model *m, int T) {
    return T == 1 && minimax__fast_attn_ok(m, T);
}

/* The split kernel for G query heads a KV head: the instances compiled for
   G = 6 (MiniMax-M2: 48 / 8 heads, also 24 / 4 at TP = 2) unroll their head
   loops 6 times, not 8 with a test each: 16% less code in a kernel whose
   warps waited on instruction fetch in 37% of ncu's stall samples, and no
   spills. */
MINIMAX__PRIV int minimax__fast_attn_split_kernel(int G, int qk) {
    if (G == 6) return qk ? MINIMAX__FK_ATTN_SPLIT_QK_G6 : MINIMAX__FK_ATTN_SPLIT_G6;
    return qk ? MINIMAX__FK_ATTN_SPLIT_QK : MINIMAX__FK_ATTN_SPLIT;
}

/* Split-KV attention of T token slots: k_attn_split then k_attn_merge (m->qr
   -> m->attn); qk: k_attn_split_qk from the raw m->qkv instead (the layer's
   norm weights from ly; sums: the all-reduced sums of squares under tensor
   parallelism, else 0; ssq: the partial sums of squares the q|k|v product
   left (minimax__fast_qk_ssq), else 0; F: tensor parallelism with fused
   collectives, sums and ssq 0: the ranks' partial sums of squares, else
   NULL). With qk, layer m->attn_l0 stores the RoPE angles and every other
   layer loads them: so a pass must be enqueued from its first call (begin,
   which sets m->attn_l0) in layer order, as minimax__enqueue_launches'
   callers do; a caller outside a pass may use qk = 0 only. */
MINIMAX__PRIV minimax_result minimax__fast_attn(minimax_model *m, const minimax__dev_layer *ly, int layer, int T, int qk,
                                                minimax__cu_ptr sums, minimax__cu_ptr ssq, const minimax__mg_fuse *F) {
    const minimax_config *c = &m->cfg;
    minimax__cu_ptr pos = m->step_in + m->off_pos, srow = m->step_in + m->off_srow;
    int nblocks = m->plan.num_blocks, maxb = m->plan.max_blocks, bs = m->plan.block_tokens;
    int nh = c->num_heads, nkv = c->num_kv_heads, splits = MINIMAX__ATTN_SPLITS, min_keys = MINIMAX__ATTN_MIN_KEYS(T);
    int tp = minimax__mg_tp(m), rd = c->rotary_dim;
    float theta = c->rope_theta, eps = c->rms_norm_eps;
    unsigned smem = (unsigned)(5 * (nh / nkv) * 128 * 4);
    minimax__mg_fuse off;
    minimax_result r;
    void *a[24];
    /* the RoPE angles: computed and stored by the pass's first layer, loaded
       by the others (kernels.cu ROPE at attn_split_body) */
    minimax__cu_ptr rope = minimax__fast_rope(m);
    int rope_mode = layer == m->attn_l0 ? 1 : 2;
    memset(&off, 0, sizeof off);
    a[0] = qk ? &m->qkv : &m->qr;
    a[1] = &m->fast_part;
    a[2] = &pos;
    a[3] = &srow;
    a[4] = &m->block_table;
    a[5] = &m->kv;
    a[6] = &layer;
    a[7] = &nblocks;
    a[8] = &maxb;
    a[9] = &bs;
    a[10] = &nh;
    a[11] = &nkv;
    a[12] = &min_keys;
    a[13] = (void *)&ly->q_norm;
    a[14] = (void *)&ly->k_norm;
    a[15] = &sums;
    a[16] = &tp;
    a[17] = &rd;
    a[18] = &theta;
    a[19] = &eps;
    a[20] = &ssq;
    a[21] = (void *)(F ? F : &off);
    a[22] = &rope;
    a[23] = &rope_mode;
    if ((r = minimax__fast_launch_on(m, minimax__fast_attn_split_kernel(nh / nkv, qk), (unsigned)nkv, (unsigned)splits,
                                     (unsigned)T, 128, smem, m->stream, a)) != MINIMAX_OK)
        return r;
    a[0] = &m->fast_part;
    a[1] = &m->attn;
    a[2] = &pos;
    a[3] = &nh;
    a[4] = &splits;
    a[5] = &min_keys;
    if ((r = minimax__fast_launch(m, MINIMAX__FK_ATTN_MERGE, (unsigned)nh, (unsigned)T, 128, 0, a)) != MINIMAX_OK) return r;
    return MINIMAX_OK;
}

/* ---- fused RMSNorm + product, sampling (decode of one token slot) ---- */

MINIMAX__PRIV int minimax__fast_norm_ok(const minimax_model *m, int T, int K) {
    return m->fast_decode && T == 1 && K % 8 == 0;
}

/* Y[1, N] = rmsnorm(x[1, K], nw) . W[N, K]^T; xn (if not 0) receives the normed
   vector (xn_ph: in the PH layout). One launch of k_gemv_bf16_norm_t1 when
   minimax__fast_norm_ok (ssq, if not 0: the partial sums of squares of Y,
   kernels.cu GV_SSQ_ROWS outputs each), else k_rmsnorm into xn (m->hn when 0)
   and the product (ssq not written: callers check minimax__fast_norm_ok).
   l2_ahead: as minimax__fast_mm's (the fused launch only). */
MINIMAX__PRIV minimax_result minimax__norm_mm_f(minimax_model *m, minimax__cu_ptr x, minimax__cu_ptr nw, minimax__cu_ptr W,
                                                minimax__cu_ptr Y, int T, int N, int K, minimax__cu_ptr xn, int xn_ph,
                                                minimax__cu_ptr ssq, int l2_ahead) {
    float eps = m->cfg.rms_norm_eps;
    int S, acc = 0;
    unsigned grid = minimax__gemv_t1_grid(m, N, &S);
    void *a[13];
    if (!minimax__fast_norm_ok(m, T, K)) {
        minimax_result r;
        minimax__cu_ptr out = xn ? xn : m->hn;
        if ((r = minimax__rmsnorm(m, x, 0, nw, out, T)) != MINIMAX_OK) return r;
        return minimax__mm(m, out, W, Y, T, N, K, 0);
    }
    a[0] = &x;
    a[1] = &nw;
    a[2] = &eps;
    a[3] = &W;
    a[4] = &Y;
    a[5] = &xn;
    a[6] = &N;
    a[7] = &K;
    a[8] = &acc;
    a[9] = &S;
    a[10] = &xn_ph;
    a[11] = &ssq;
    a[12] = &l2_ahead;
    return minimax__fast_launch(m, MINIMAX__FK_GEMV_NORM_T1, grid, 1, 256, 0, a);
}

/* 16ths of the rest of each router warp's K slice (past the chunk a lane
   loads first) asked of L2 before the wait: all of it (kernels.cu
   gemv_bf16_body's l2_ahead, COLD LOADS) */
#define MINIMAX__ROUTER_L2_AHEAD 16
/* Post-attention RMSNorm + router logits (m->rlog) for the layer, leaving the
   normed vector where the expert kernels read it: PH at minimax__fast_hn_ph
   for the tensor-core kernels (fused into the router product, or converted
   after k_rmsnorm for an F32 router), else m->hn. */
MINIMAX__PRIV minimax_result minimax__norm_router(minimax_model *m, const minimax__dev_layer *ly, int T) {
    int H = m->cfg.hidden_size, E = m->cfg.num_experts;
    int mma = minimax__fast_moe_mma_ok(m, T) && minimax__fast_moe_ok(m, T);
    minimax_result r;
    if (!ly->router_f32) {
        if (mma && minimax__fast_norm_ok(m, T, H))
            return minimax__norm_mm_f(m, m->x, ly->post_norm, ly->router, m->rlog, T, E, H, minimax__fast_hn_ph(m), 1, 0,
                                      MINIMAX__ROUTER_L2_AHEAD);
        if ((r = minimax__norm_mm_f(m, m->x, ly->post_norm, ly->router, m->rlog, T, E, H, m->hn, 0, 0,
                                    MINIMAX__ROUTER_L2_AHEAD)) != MINIMAX_OK)
            return r;
    } else {
        if ((r = minimax__rmsnorm(m, m->x, 0, ly->post_norm, m->hn, T)) != MINIMAX_OK) return r;
        if ((r = minimax__mm_k(m, MINIMAX__K_MM_F32, m->hn, ly->router, m->rlog, T, E, H, 0, 0)) != MINIMAX_OK) return r;
    }
    if (mma) {
        minimax__cu_ptr hp = minimax__fast_hn_ph(m);
        void *a[3];
        a[0] = &m->hn;
        a[1] = &hp;
        a[2] = &H;
        return minimax__fast_launch(m, MINIMAX__FK_TO_PH, (unsigned)MINIMAX__CDIV(H / 2, 256), (unsigned)T, 256, 0, a);
    }
    return MINIMAX_OK;
}

/* Samples rows 0..R-1 of m->logits into m->sampled: k_argmax_part (many
   blocks) then k_sample_fast for R <= MINIMAX__FAST_MAX_T, else k_sample. */
MINIMAX__PRIV minimax_result minimax__sample(minimax_model *m, int R) {
    int V = m->cfg.vocab_size, valid = m->plan.valid_vocab, parts = MINIMAX__ARGMAX_PARTS(m);
    minimax__cu_ptr sp = m->step_in + m->off_sp;
    minimax__cu_ptr pb = m->fast_part + minimax__fast_attn_part_bytes(m), pi = pb + (size_t)MINIMAX__FAST_MAX_T * parts * 4;
    minimax_result r;
    void *a[8];
    a[0] = &m->logits;
    a[1] = &V;
    a[2] = &valid;
    if (!m->fast_decode || !m->fast_part || R > MINIMAX__FAST_MAX_T) {
        a[3] = &sp;
        a[4] = &m->sampled;
        return minimax__launch(m, MINIMAX__K_SAMPLE, (unsigned)R, 1, 1024, a);
    }
    a[3] = &pb;
    a[4] = &pi;
    if ((r = minimax__fast_launch(m, MINIMAX__FK_ARGMAX_PART, (unsigned)parts, (unsigned)R, 256, 0, a)) != MINIMAX_OK)
        return r;
    a[3] = &sp;
    a[4] = &m->sampled;
    a[5] = &pb;
    a[6] = &pi;
    a[7] = &parts;
    return minimax__fast_launch(m, MINIMAX__FK_SAMPLE_FAST, (unsigned)R, 1, 1024, 0, a);
}

/* ===========================================================================
   IMPLEMENTATION: benchmark support (synthetic weights, read bandwidth,
   timed decode steps, bytes per step); used by examples/bench.c
   ===========================================================================
   Private entry points, not part of the public API:

     minimax__model_create_synthetic(desc, cfg, seed, &m)
         a model whose weights are random numbers made directly on the GPU,
         in exactly the buffers and layout minimax__upload_layer produces from
         a checkpoint (BF16 attention/router/embedding/lm_head, fp32 norms,
         NVFP4 experts in the ModelOpt layout with E4M3 block scales in
         [64, 448] and per-matrix weight_scale_2 ~ 3.7e-5, so expert weights
         are ~0.02 like the BF16 ones). No zeros: every value is drawn.
     minimax__bench_read_bw(m, bytes, &gbps)   read-only pass over `bytes`
     minimax__bench_steps(m, ss, n, steps, warmup, ms)  times graph replays
     minimax__bench_count_bytes(...)           bytes one step must read
     minimax__bench_trace(m, g0, ss, n, path)  one step's block times (GPU g0's) to a file

   Everything runs on the model's stream; timings use CUDA events. */

typedef struct minimax__synth {
    uint64_t seed;
    uint64_t counter; /* each buffer gets its own stream of numbers */
} minimax__synth;

/* Fills `bytes` (rounded up to whole 32-bit words; allocations here are
   rounded the same way) with k_fill_random of the given kind. */
MINIMAX__PRIV minimax_result minimax__bench_fill(minimax_model *m, minimax__cu_ptr p, size_t bytes, int kind, float a,
                                                 float b, uint64_t seed) {
    unsigned long long n = (unsigned long long)((bytes + 3) / 4);
    unsigned grid = minimax__stride_grid(n, (unsigned)m->num_sms * 16);
    void *args[6];
    args[0] = &p;
    args[1] = &n;
    args[2] = &seed;
    args[3] = &kind;
    args[4] = &a;
    args[5] = &b;
    return minimax__fast_launch(m, MINIMAX__FK_FILL_RANDOM, grid, 1, 256, 0, args);
}

MINIMAX__PRIV minimax_result minimax__synth_buf(minimax_model *m, minimax__synth *sy, size_t bytes, int kind, float a,
                                                float b, const char *what, minimax__cu_ptr *out) {
    minimax_result r;
    if ((r = minimax__dalloc(m, (bytes + 3) & ~(size_t)3, what, out)) != MINIMAX_OK) return r;
    return minimax__bench_fill(m, *out, bytes, kind, a, b, minimax__mix64(sy->seed ^ minimax__mix64(++sy->counter)));
}

enum { MINIMAX__FILL_BF16 = 0, MINIMAX__FILL_F32 = 1, MINIMAX__FILL_BYTES = 2, MINIMAX__FILL_E4M3 = 3 };

/* minimax__weights_fill_fn for minimax__model_create_from. Standard
   deviations: 0.02 for every BF16 matrix, 1 +- 0.1 for norms, 0.01 for the
   routing bias, uniform (not Gaussian) shapes: timing does not care. */
MINIMAX__PRIV minimax_result minimax__synth_fill(minimax_model *m, void *user) {
    minimax__synth *sy = (minimax__synth *)user;
    const minimax_config *c = &m->cfg;
    size_t H = (size_t)c->hidden_size, V = (size_t)c->vocab_size, E = (size_t)c->num_experts;
    size_t NI = (size_t)c->intermediate_size;
    size_t qd = (size_t)c->num_heads * c->head_dim, kd = (size_t)c->num_kv_heads * c->head_dim;
    const float ws2_mean = 0.02f * 5.0f / (6.0f * 448.0f); /* tensor amax ~ 5 sd, over 6 * 448 */
    minimax_result r;
    int L, pass;
    m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
    if (!m->layers) return MINIMAX_ERR_OUT_OF_MEMORY;
    memset(m->layers, 0, (size_t)c->num_layers * sizeof *m->layers);
#define MINIMAX__SB(bytes, kind, a, b, what, out)                                                                      \
    do {                                                                                                               \
        if ((r = minimax__synth_buf(m, sy, (bytes), (kind), (a), (b), (what), (out))) != MINIMAX_OK) return r;          \
    } while (0)
    MINIMAX__SB(V * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "embed_tokens", &m->embed);
    MINIMAX__SB(V * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "lm_head", &m->lm_head);
    MINIMAX__SB(H * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "final norm", &m->final_norm);
    for (L = 0; L < c->num_layers; L++) {
        minimax__dev_layer *ly = &m->layers[L];
        MINIMAX__SB(H * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->in_norm);
        MINIMAX__SB(H * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->post_norm);
        MINIMAX__SB(qd * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->q_norm);
        MINIMAX__SB(kd * 4, MINIMAX__FILL_F32, 1.0f, 0.1f, "norm", &ly->k_norm);
        MINIMAX__SB(E * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "router", &ly->router);
        ly->router_f32 = 0;
        MINIMAX__SB(E * 4, MINIMAX__FILL_F32, 0.0f, 0.01f, "router bias", &ly->router_bias);
        MINIMAX__SB((qd + 2 * kd) * H * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "wqkv", &ly->wqkv);
        MINIMAX__SB(H * qd * 2, MINIMAX__FILL_BF16, 0.0f, 0.02f, "wo", &ly->wo);
        for (pass = 0; pass < 3; pass++) {
            size_t rows = pass == 2 ? H : NI, cols = pass == 2 ? NI : H;
            minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
            minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
            minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
            /* uniform random words: uniform codes in the checkpoint's packing and in
               the permuted one of minimax__fp4_layout alike, so no conversion */
            MINIMAX__SB(E * rows * cols / 2, MINIMAX__FILL_BYTES, 0.0f, 0.0f, "experts", pp);
            MINIMAX__SB(E * rows * cols / 16, MINIMAX__FILL_E4M3, 0.0f, 0.0f, "expert scales", ps);
            MINIMAX__SB(E * 4, MINIMAX__FILL_F32, ws2_mean, 0.1f * ws2_mean, "weight_scale_2", pw);
        }
    }
#undef MINIMAX__SB
    return minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "synthetic weights");
}

MINIMAX__PRIV minimax_result minimax__model_create_synthetic(const minimax_model_desc *desc, const minimax_config *cfg,
                                                             uint64_t seed, minimax_model **out) {
    minimax__synth sy;
    sy.seed = seed;
    sy.counter = 0;
    return minimax__model_create_from(desc, cfg, NULL, minimax__synth_fill, &sy, out);
}

/* MiniMax-M2.5's shapes (MODEL.md) with `layers` decoder layers. */
MINIMAX__PRIV minimax_config minimax__bench_real_config(int layers) {
    minimax_config c;
    memset(&c, 0, sizeof c);
    c.hidden_size = 3072;
    c.num_layers = layers;
    c.num_heads = 48;
    c.num_kv_heads = 8;
    c.head_dim = 128;
    c.rotary_dim = 64;
    c.intermediate_size = 1536;
    c.num_experts = 256;
    c.top_k = 8;
    c.vocab_size = 200064;
    c.max_position_embeddings = 196608;
    c.bos_token_id = 200034;
    c.eos_token_id = 200020;
    c.rope_theta = 5e6f;
    c.rms_norm_eps = 1e-6f;
    c.routed_scaling_factor = 1.0f;
    return c;
}

static int minimax__cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

MINIMAX__PRIV float minimax__median(float *v, int n) {
    qsort(v, (size_t)n, sizeof *v, minimax__cmp_float);
    return n ? (n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2])) : 0.0f;
}

/* Events around `reps` enqueues of fn(m, user); returns the median ms of one. */
typedef minimax_result (*minimax__bench_fn)(minimax_model *m, void *user, int rep);
MINIMAX__PRIV minimax_result minimax__bench_time(minimax_model *m, minimax__bench_fn fn, void *user, int warmup, int reps,
                                                 float *median_ms) {
    minimax__cu_event e0 = NULL, e1 = NULL;
    minimax_result r = MINIMAX_OK;
    float *t = (float *)minimax__alloc((size_t)(reps > 0 ? reps : 1) * sizeof(float), "timings");
    int i;
    if (!t) return MINIMAX_ERR_OUT_OF_MEMORY;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e0, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e1, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    for (i = 0; i < warmup + reps; i++) {
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e0, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = fn(m, user, i)) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e1, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventSynchronize(e1), "benchmark")) != MINIMAX_OK) goto out;
        if (i >= warmup && (r = minimax__mcheck(m, minimax__cu.cuEventElapsedTime(&t[i - warmup], e0, e1),
                                                "cuEventElapsedTime")) != MINIMAX_OK)
            goto out;
    }
    *median_ms = minimax__median(t, reps);
out:
    if (e0) minimax__cu.cuEventDestroy(e0);
    if (e1) minimax__cu.cuEventDestroy(e1);
    MINIMAX_FREE(t);
    return r;
}

typedef struct minimax__bw_job {
    minimax__cu_ptr src, out;
    unsigned long long n16;
    unsigned grid;
} minimax__bw_job;

MINIMAX__PRIV minimax_result minimax__bw_run(minimax_model *m, void *user, int rep) {
    minimax__bw_job *j = (minimax__bw_job *)user;
    void *a[3];
    (void)rep;
    a[0] = &j->src;
    a[1] = &j->n16;
    a[2] = &j->out;
    return minimax__fast_launch(m, MINIMAX__FK_READ_BW, j->grid, 1, 256, 0, a);
}

/* Read-only bandwidth: k_read_bw over `bytes` of random data (median of 10). */
MINIMAX__PRIV minimax_result minimax__bench_read_bw(minimax_model *m, size_t bytes, double *gbps) {
    minimax__bw_job j;
    minimax__cu_ptr buf = 0, out = 0;
    minimax_result r;
    float ms = 0;
    minimax__ctx_guard g;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    bytes &= ~(size_t)15;
    j.grid = (unsigned)m->num_sms * 8;
    j.n16 = bytes / 16;
    if ((r = minimax__mcheck(m, minimax__cu.cuMemAlloc(&buf, bytes), "bandwidth buffer")) != MINIMAX_OK) goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuMemAlloc(&out, (size_t)j.grid * 4), "bandwidth buffer")) != MINIMAX_OK)
        goto out;
    if ((r = minimax__bench_fill(m, buf, bytes, MINIMAX__FILL_BYTES, 0, 0, 12345)) != MINIMAX_OK) goto out;
    j.src = buf;
    j.out = out;
    if ((r = minimax__bench_time(m, minimax__bw_run, &j, 2, 10, &ms)) != MINIMAX_OK) goto out;
    *gbps = (double)bytes / (ms * 1e-3) / 1e9;
out:
    if (buf) minimax__cu.cuMemFree(buf);
    if (out) minimax__cu.cuMemFree(out);
    minimax__leave(&g);
    return r;
}

/* Drops the captured step graphs (after switching kernels). */
MINIMAX__PRIV void minimax__bench_reset_graphs(minimax_model *m) {
    int i;
    for (i = 0; i <= m->plan.max_sessions; i++)
        if (m->graphs[i]) {
            minimax__cu.cuGraphExecDestroy(m->graphs[i]);
            m->graphs[i] = NULL;
        }
}

/* Gives the session `ctx` tokens of random (BF16, sd 1) KV cache instead of a
   prefill: blocks reserved, position set. The caller fills the pool once with
   minimax__bench_fill_kv. */
MINIMAX__PRIV minimax_result minimax__bench_fake_context(minimax_session *s, int ctx) {
    minimax_result r;
    if (ctx > s->model->plan.max_context)
        return minimax__fail(MINIMAX_ERR_CONTEXT_FULL, "context %d exceeds max_context %d", ctx, s->model->plan.max_context);
    if ((r = minimax__reserve(s, ctx)) != MINIMAX_OK) return r;
    s->pos = ctx;
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__bench_fill_kv(minimax_model *m, uint64_t seed) {
    minimax__ctx_guard g;
    minimax_result r;
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    r = minimax__bench_fill(m, m->kv, m->info.kv_bytes, MINIMAX__FILL_BF16, 0.0f, 1.0f, seed);
    if (r == MINIMAX_OK) r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "KV fill");
    minimax__leave(&g);
    return r;
}

/* Times `steps` decode steps of the n sessions after `warmup` untimed ones:
   per step, the inputs are uploaded (as minimax_step does), then events
   bracket the graph replay alone (or the eager forward when graphs are
   off). ms[steps] receives each step's time. Sessions advance one token per
   step; greedy sampling feeds the sampled token back. */
MINIMAX__PRIV minimax_result minimax__bench_steps(minimax_model *m, minimax_session *const *ss, int n, int steps,
                                                  int warmup, float *ms) {
    minimax__cu_event e0 = NULL, e1 = NULL;
    minimax__ctx_guard g;
    minimax_result r;
    int i, k;
    int32_t ids[1024];
    if (n > 1024) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "bench: at most 1024 sessions");
    for (i = 0; i < n; i++) ids[i] = (int32_t)((1000 + 7919 * i) % m->cfg.vocab_size);
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) return r;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e0, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    if ((r = minimax__mcheck(m, minimax__cu.cuEventCreate(&e1, 0), "cuEventCreate")) != MINIMAX_OK) goto out;
    for (k = 0; k < warmup + steps; k++) {
        for (i = 0; i < n; i++) {
            if (ss[i]->pos + 1 > m->plan.max_context) {
                r = minimax__fail(MINIMAX_ERR_CONTEXT_FULL, "bench: session %d is full", i);
                goto out;
            }
            if ((r = minimax__reserve(ss[i], ss[i]->pos + 1)) != MINIMAX_OK) goto out;
        }
        minimax__step_inputs(m, ss, n, ids);
        if ((r = minimax__upload_inputs(m, ss, n)) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e0, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = minimax__run_step(m, n, m->info.graphs)) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuEventRecord(e1, m->stream), "cuEventRecord")) != MINIMAX_OK) goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuMemcpyDtoHAsync(ids, m->sampled, (size_t)n * 4, m->stream),
                                 "sampled ids")) != MINIMAX_OK)
            goto out;
        if ((r = minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "bench step")) != MINIMAX_OK) goto out;
        if (k >= warmup &&
            (r = minimax__mcheck(m, minimax__cu.cuEventElapsedTime(&ms[k - warmup], e0, e1), "cuEventElapsedTime")) !=
                MINIMAX_OK)
            goto out;
        for (i = 0; i < n; i++) ss[i]->pos++;
    }
out:
    if (e0) minimax__cu.cuEventDestroy(e0);
    if (e1) minimax__cu.cuEventDestroy(e1);
    minimax__leave(&g);
    return r;
}

/* One more decode step of the n sessions (graph replay as timed above) with
   the step trace cleared before it, then the trace to `path`: a 16-byte
   header "mmtrace1", u32 records, u32 record size (32), then the records in
   the order the blocks exited (kernels.cu struct trace_rec). Needs kernels
   compiled with -DMINIMAX_TRACE (the environment MINIMAX_TRACE=1 when the
   model is made); tools/trace_step.py turns the file into the layer's
   timeline. Errors: MINIMAX_ERR_INVALID_ARGUMENT without the trace build,
   MINIMAX_ERR_IO when the file cannot be written. */
MINIMAX__PRIV minimax_result minimax__bench_trace(minimax_model *m, minimax_model *g0, minimax_session *const *ss, int n,
                                                  const char *path) {
    enum { REC = 32 }; /* bytes a record (kernels.cu struct trace_rec) */
    minimax__cu_ptr ring = 0, count = 0;
    size_t ring_bytes = 0, count_bytes = 0;
    unsigned int got = 0, cap, head[2];
    unsigned char *buf = NULL;
    minimax__ctx_guard g;
    minimax_result r;
    float ms;
    FILE *f;
    if (!minimax__cu.cuModuleGetGlobal ||
        minimax__cu.cuModuleGetGlobal(&ring, &ring_bytes, g0->module, "minimax_trace_ring") != 0 ||
        minimax__cu.cuModuleGetGlobal(&count, &count_bytes, g0->module, "minimax_trace_count") != 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                             "bench trace: the kernels have no step trace (set MINIMAX_TRACE=1 before the model is made)");
    cap = (unsigned)(ring_bytes / REC);
    if ((r = minimax__enter(g0, &g)) != MINIMAX_OK) return r;
    r = minimax__mcheck(g0, minimax__cu.cuMemsetD32Async(count, 0, 1, g0->stream), "trace counter");
    if (r == MINIMAX_OK) r = minimax__mcheck(g0, minimax__cu.cuStreamSynchronize(g0->stream), "trace counter");
    minimax__leave(&g);
    if (r != MINIMAX_OK) return r;
    if ((r = minimax__bench_steps(m, ss, n, 1, 0, &ms)) != MINIMAX_OK) return r;
    if ((r = minimax__enter(g0, &g)) != MINIMAX_OK) return r;
    r = minimax__mcheck(g0, minimax__cu.cuMemcpyDtoH(&got, count, 4), "trace counter");
    if (r == MINIMAX_OK && got > cap) r = minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "bench trace: %u blocks, the ring holds %u", got, cap);
    if (r == MINIMAX_OK && !(buf = (unsigned char *)minimax__alloc((size_t)got * REC + 1, "trace records")))
        r = MINIMAX_ERR_OUT_OF_MEMORY;
    if (r == MINIMAX_OK) r = minimax__mcheck(g0, minimax__cu.cuMemcpyDtoH(buf, ring, (size_t)got * REC), "trace records");
    minimax__leave(&g);
    if (r == MINIMAX_OK) {
        head[0] = got;
        head[1] = REC;
        if (!(f = fopen(path, "wb")))
            r = minimax__fail(MINIMAX_ERR_IO, "bench trace: cannot write %s", path);
        else {
            int ok = fwrite("mmtrace1", 1, 8, f) == 8 && fwrite(head, 4, 2, f) == 2 && fwrite(buf, REC, got, f) == got;
            if (fclose(f) != 0 || !ok) r = minimax__fail(MINIMAX_ERR_IO, "bench trace: cannot write %s", path);
        }
    }
    MINIMAX_FREE(buf);
    return r;
}

/* Distinct experts each layer routes to for the next token of every session:
   one single-token prefill per session with the routing recorder on (the
   routing of a token does not depend on what else is in its batch).
   distinct[L] receives the size of the union over the sessions. Advances
   every session by one token. */
MINIMAX__PRIV minimax_result minimax__bench_route_count(minimax_model *m, minimax_session *const *ss, int n, int *distinct) {
    const minimax_config *c = &m->cfg;
    int L, i, j, K = c->top_k, E = c->num_experts, nl = c->num_layers;
    int stride = m->plan.max_context;
    minimax__cu_ptr buf = 0;
    unsigned char *seen = (unsigned char *)minimax__alloc((size_t)nl * E, "routing count");
    int32_t *row = (int32_t *)minimax__alloc((size_t)K * 4, "routing count");
    minimax_result r = MINIMAX_OK;
    minimax__ctx_guard g;
    if (!seen || !row) {
        r = MINIMAX_ERR_OUT_OF_MEMORY;
        goto done;
    }
    memset(seen, 0, (size_t)nl * E);
    if ((r = minimax__enter(m, &g)) != MINIMAX_OK) goto done;
    r = minimax__mcheck(m, minimax__cu.cuMemAlloc(&buf, (size_t)nl * stride * K * 4), "routing record buffer");
    minimax__leave(&g);
    if (r != MINIMAX_OK) goto done;
    m->dbg_route = buf;
    m->dbg_route_stride = stride;
    for (i = 0; i < n; i++) {
        int32_t id = (int32_t)((4242 + 31 * i) % c->vocab_size), p = ss[i]->pos;
        if ((r = minimax__prefill(ss[i], &id, 1, NULL, NULL, NULL)) != MINIMAX_OK) break;
        for (L = 0; L < nl; L++) {
            if ((r = minimax__enter(m, &g)) != MINIMAX_OK) break;
            r = minimax__mcheck(m,
                                minimax__cu.cuMemcpyDtoH(row, buf + ((size_t)L * stride + (size_t)p) * K * 4, (size_t)K * 4),
                                "routing record");
            minimax__leave(&g);
            if (r != MINIMAX_OK) break;
            for (j = 0; j < K; j++)
                if (row[j] >= 0 && row[j] < E) seen[(size_t)L * E + row[j]] = 1;
        }
        if (r != MINIMAX_OK) break;
    }
    for (L = 0; L < nl; L++) {
        distinct[L] = 0;
        for (j = 0; j < E; j++) distinct[L] += seen[(size_t)L * E + j];
    }
    m->dbg_route = 0;
    m->dbg_route_stride = 0;
    if (minimax__enter(m, &g) == MINIMAX_OK) {
        minimax__cu.cuMemFree(buf);
        minimax__leave(&g);
    }
done:
    MINIMAX_FREE(seen);
    MINIMAX_FREE(row);
    return r;
}

/* Bytes one decode step of n sessions must read from device memory, counted
   from the model: every dense weight once (attention, router, norms,
   lm_head), the embedding rows, the experts routing selected (distinct[L] per
   layer, each w1+w3+w2 with scales and weight_scale_2), and the KV cache of
   every session up to its new token (ctx[i] + 1 tokens). Activations (a few
   hundred KB) are left out. */
typedef struct minimax__step_bytes {
    double attention, router, norms, experts, lm_head, embed, kv, total;
} minimax__step_bytes;

MINIMAX__PRIV void minimax__bench_count_bytes(const minimax_model *m, int n, const double *ctx, const int *distinct,
                                              minimax__step_bytes *b) {
    const minimax_config *c = &m->cfg;
    double H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, V = c->vocab_size;
    double qd = (double)c->num_heads * c->head_dim, kd = (double)c->num_kv_heads * c->head_dim, nl = c->num_layers;
    double mat = NI * H / 2 + NI * H / 16 + 4; /* one expert matrix */
    int L, i;
    memset(b, 0, sizeof *b);
    b->attention = nl * ((qd + 2 * kd) * H * 2 + H * qd * 2);
    b->router = nl * (E * H * 2 + E * 4);
    b->norms = nl * (2 * H + qd + kd) * 4 + H * 4;
    for (L = 0; L < c->num_layers; L++) b->experts += distinct[L] * 3 * mat;
    b->lm_head = V * H * 2;
    b->embed = n * H * 2;
    for (i = 0; i < n; i++) b->kv += (ctx[i] + 1) * nl * 2 * kd * 2;
    b->total = b->attention + b->router + b->norms + b->experts + b->lm_head + b->embed + b->kv;
}

/* ===========================================================================
   IMPLEMENTATION: several GPUs (tensor parallelism, layer split)
   ===========================================================================
   One process, one host thread, N GPUs. The model the caller holds is the
   FRONT (mg_rank -1): it owns the sessions, the KV block allocator, the
   per-step host inputs and the logits the caller reads; it holds no weights.
   Each GPU has a RANK model (mg_rank 0..N-1), an ordinary single-GPU
   minimax_model built by minimax__model_create_from with a LOCAL config, so
   the whole single-GPU forward pass (and its fast kernels) runs unchanged on
   every rank; minimax__enqueue_range calls the minimax__mg_* hooks below at
   the points where ranks meet.

   TENSOR PARALLELISM (tp = N = 2, 4, 8). Rank r's local config has
   nh/N query heads, nkv/N KV heads (the 6:1 grouping is kept: rank r holds
   query heads [r*nh/N, ...) and exactly their KV heads), expert width I/N,
   and vocab_size = its shard of the vocabulary rows. Weights:
     q/k/v: rows of rank r's heads (stacked q|k|v as on one GPU);
     o_proj: columns of those heads (row-split product -> partial sums);
     q_norm/k_norm: the slices of those heads;
     experts: EVERY expert on every rank, along the width: w1/w3 rows
       [r*I/N, (r+1)*I/N), w2 columns of the same range (its E4M3 block
       scales slice with them: 16-blocks run along the columns, and I/N is a
       multiple of 16). Chosen over splitting by expert because at batch 1
       the 8 routed experts of a token would land unevenly on the ranks (the
       slower rank sets the pace: with 2 ranks, 8 experts split 4:4 only 27%
       of the time), while the width split gives every rank exactly 1/N of
       the bytes of every token, and needs no routing-dependent exchange;
     router, norms: replicated (every rank routes identically: same x, same
       weights, deterministic kernels);
     embedding, lm_head: rows [v0, v0 + nv) of the vocabulary.
   Per layer three all-reduces: the QK-norm sums of squares (2 floats per
   token: MODEL.md 2.2, the RMS over all heads is global), the o_proj partial
   sums and the expert partial sums ([T, H] fp32 each, 12 KB per token). In a
   pass of one token slot (a decode step of one session) they are fused into
   the kernels (kernels.cu struct mg_fuse, minimax__mg_fused_layer): the
   products push their parts and add the sum to x themselves, the attention
   sums the QK sums; else each is a k_mg_allreduce launch. The
   embedding is an all-reduce of the shards' rows (zeros outside a shard);
   the lm_head shards are gathered into the head rank (0), which samples.
   x (the residual stream) is replicated and bit-identical on every rank:
   the all-reduce sums in rank order on every rank.

   LAYER SPLIT (pipeline, tp = 1): rank r holds layers [layer0[r],
   layer0[r+1]) (weights and KV cache), the embedding on rank 0, final norm +
   lm_head on the last rank (which samples); x [T, H] is pushed from rank to
   rank after its layers. The ranks run one after another (no overlap
   between steps): the point is fitting GPUs of unequal memory, not speed.
   Tensor parallelism and a layer split do not combine.

   COLLECTIVES are our own kernels over peer-to-peer memory (kernels.cu
   "MULTI-GPU KERNELS"): a rank pushes its data and a flag into the other
   GPUs' memory and spins on its own flags; they work inside CUDA graphs
   (one graph per rank and step size, launched one after another) and every
   wait has a timeout and an abort word, so a dead peer is an error
   (MINIMAX_ERR_DEVICE, model failed), never a hang. NCCL (dlopen of
   libnccl.so.2, one communicator from ncclCommInitAll) is loaded on demand
   for the all-reduce benchmark (minimax__mg_time_ar); see BENCHMARKS.md for
   the measurements (ours is faster up to ~100 KB, NCCL for MB-sized ones).

   STATUS (BENCHMARKS.md): TP=2 logits equal TP=1 within 2e-3 of max|logit|
   and a layer split is bit-identical on the test models; the 62-layer model
   at batch 1, TP=2, with the fused collectives and programmatic dependent
   launch: 284 tok/s on 2 x H200, 257-258 on 2 x H100 (the goal: 250; 190
   with neither, 247 without the dependent launch); with the attention's
   K/V loads before its wait and the gate/up kernel compiled for the shapes
   298-302 on 2 x H200 and 274-276 on 2 x H100 (BENCHMARKS.md).
   NOT DONE: NCCL for large (prefill) all-reduces (its group calls
   need the ranks' collectives interleaved call by call, and it would serve
   only the eager prefill); tensor parallelism combined with a layer split;
   tp = 4 was run on 4 GPUs in earlier sessions, tp = 8 never; fused
   collectives for passes of several token slots; overlapping the pipeline
   stages of consecutive steps; the head samples with the general k_sample
   over the gathered logits. */

#define MINIMAX__MG_MAXB 32
#define MINIMAX__MG_FLAG_P2P (MINIMAX__MG_MAXB * MINIMAX__MG_MAX)
#define MINIMAX__MG_FLAG_INTS (MINIMAX__MG_FLAG_P2P + MINIMAX__MG_MAX)
#define MINIMAX__MG_SEQ_SEND MINIMAX__MG_MAXB
#define MINIMAX__MG_SEQ_RECV (MINIMAX__MG_MAXB + MINIMAX__MG_MAX)
#define MINIMAX__MG_SEQ_DONE (MINIMAX__MG_MAXB + 2 * MINIMAX__MG_MAX)
#define MINIMAX__MG_SEQ_INTS (MINIMAX__MG_SEQ_DONE + 1)
#define MINIMAX__MG_TIMEOUT_CYCLES (1ll << 34) /* ~9 s at 1.8 GHz: a whole pipeline stage of a prefill fits */

enum {
    MINIMAX__MK_ALLREDUCE,
    MINIMAX__MK_SEND,
    MINIMAX__MK_WAIT,
    MINIMAX__MK_EMBED,
    MINIMAX__MK_QK_NORM,
    MINIMAX__MK_COUNT
};
static const char *const minimax__mg_kernel_names[MINIMAX__MK_COUNT] = {
    "k_mg_allreduce", "k_mg_send", "k_mg_wait", "k_mg_embed", "k_mg_qk_norm_rope_kv"};

/* status word: 0 = fine; 0x10000 | op << 8 | rank << 4 | peer from a kernel
   that gave up waiting; 1 = aborted by the host */
enum { MINIMAX__MG_OP_ALLREDUCE = 1, MINIMAX__MG_OP_WAIT = 2 };

/* Mirrors struct mg_peers of kernels.cu (passed by value). */
typedef struct minimax__mg_peers {
    minimax__cu_ptr recv[MINIMAX__MG_MAX];
    minimax__cu_ptr flag[MINIMAX__MG_MAX];
} minimax__mg_peers;

/* NCCL entry points (nccl.h: ncclFloat = 7, ncclSum = 0), loaded on demand. */
typedef struct minimax__nccl {
    void *lib;
    int (*CommInitAll)(void **comms, int n, const int *devs);
    int (*CommDestroy)(void *comm);
    int (*AllReduce)(const void *s, void *r, size_t count, int dtype, int op, void *comm, minimax__cu_stream st);
    int (*GroupStart)(void);
    int (*GroupEnd)(void);
    const char *(*GetErrorString)(int);
    void *comm[MINIMAX__MG_MAX];
    int have_comms;
} minimax__nccl;

/* How the GPUs share the model (pure: tested on the CPU). */
typedef struct minimax__mg_layout {
    int n, tp;                           /* GPUs; tp = n or 1 (layer split) */
    int devices[MINIMAX__MG_MAX];
    int layer0[MINIMAX__MG_MAX + 1];     /* rank r: layers [layer0[r], layer0[r+1]) */
    int v0[MINIMAX__MG_MAX + 1];         /* tp: rank r: vocabulary rows [v0[r], v0[r+1]) */
} minimax__mg_layout;

typedef struct minimax__mg minimax__mg;
struct minimax__mg {
    minimax__mg_layout lay;
    int n, tp, head, V, valid_vocab;
    minimax_model *rank[MINIMAX__MG_MAX];
    minimax__cu_function fn[MINIMAX__MG_MAX][MINIMAX__MK_COUNT];
    volatile int *status;      /* host-mapped, portable: every rank's kernels see it */
    minimax__cu_ptr status_dev;
    long long timeout;         /* clock64 cycles of one wait */
    long long cap;             /* floats per sender and slot of recv */
    minimax__cu_ptr recv[MINIMAX__MG_MAX], flags[MINIMAX__MG_MAX], seq[MINIMAX__MG_MAX];
    minimax__cu_ptr ss[MINIMAX__MG_MAX], ss_part[MINIMAX__MG_MAX]; /* QK-norm sums [T][2] (ss_part: unused src) */
    minimax__mg_peers peers;
    /* tp, fused collectives (kernels.cu struct mg_fuse): per rank recvf u64
       [3 sites a layer][n senders][fcap] (tagged values), gen (fused passes
       begun, the tag of the pass) */
    minimax__cu_ptr recvf[MINIMAX__MG_MAX], gen[MINIMAX__MG_MAX];
    int fcap;
    minimax__cu_ptr logits, sampled; /* tp: gathered logits [rows][V] and samples, on the head */
    int dbg_skip_rank;         /* tests: a rank whose work is never enqueued (-1 = none) */
    int dbg_local;             /* benchmark: all-reduces exchange nothing (their cost without communication) */
    minimax__nccl nccl;
};

/* ---- layout ------------------------------------------------------------------ */

MINIMAX__PRIV int minimax__mg_wanted(const minimax_model_desc *d) {
    return d->tp > 1 || d->n_devices > 1 || d->layer_split != NULL;
}

/* Checks the desc against the config and the machine (device_count GPUs)
   and fills the layout. free_bytes[i] (device memory free on devices[i]),
   layer_bytes (weights + KV cache of one layer on one GPU) and fixed_bytes
   (embedding or lm_head with its buffers; scratch) drive the automatic layer
   split; free_bytes may be NULL when desc->layer_split is given or tp > 1. */
MINIMAX__PRIV minimax_result minimax__mg_layout_make(const minimax_config *c, const minimax_model_desc *d, int device_count,
                                                     const size_t *free_bytes, size_t layer_bytes, size_t end_bytes,
                                                     size_t scratch_bytes, minimax__mg_layout *o) {
    int i, j, n;
    memset(o, 0, sizeof *o);
    if (d->cuda_context || d->cuda_stream)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                             "cuda_context / cuda_stream of minimax_model_desc are for one GPU; with several GPUs "
                             "(tp %d, %d devices) the library makes its own", d->tp, d->n_devices);
    if (d->tp < 0 || d->n_devices < 0)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_model_desc: tp %d and n_devices %d must not be negative",
                             d->tp, d->n_devices);
    if (d->n_devices > MINIMAX__MG_MAX || d->tp > MINIMAX__MG_MAX)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "at most %d GPUs (tp %d, %d devices requested)", MINIMAX__MG_MAX, d->tp,
                             d->n_devices);
    if (d->tp > 1) {
        int width = c->intermediate_size;
        if (d->tp != 2 && d->tp != 4 && d->tp != 8)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "tp %d: tensor parallelism runs on 2, 4 or 8 GPUs", d->tp);
        if (c->num_heads % d->tp || c->num_kv_heads % d->tp)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "tp %d must divide the %d query heads and the %d KV heads (each GPU keeps whole heads "
                                 "and their KV heads)", d->tp, c->num_heads, c->num_kv_heads);
        if (width % d->tp || (width / d->tp) % 16)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "tp %d: the expert width %d must split into multiples of 16 (NVFP4 scale blocks)", d->tp, width);
        if (d->layer_split)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "tensor parallelism (tp %d) and a layer split do not combine; use one or the other", d->tp);
        if (d->n_devices && d->n_devices != d->tp)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "tp %d needs %d GPUs in devices, %d given", d->tp, d->tp,
                                 d->n_devices);
        n = d->tp;
        o->tp = d->tp;
    } else {
        n = d->n_devices;
        o->tp = 1;
        if (n < 2)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                 "a layer split needs at least 2 GPUs in devices (n_devices = %d)", n);
        if (n > c->num_layers)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "%d GPUs for %d layers: each GPU needs a layer", n,
                                 c->num_layers);
    }
    o->n = n;
    for (i = 0; i < n; i++) {
        o->devices[i] = d->devices ? d->devices[i] : i;
        if (o->devices[i] < 0 || o->devices[i] >= device_count)
            return minimax__fail(MINIMAX_ERR_NO_DEVICE, "GPU %d requested but %d CUDA device(s) present (use 0..%d)",
                                 o->devices[i], device_count, device_count - 1);
        for (j = 0; j < i; j++)
            if (o->devices[j] == o->devices[i])
                return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "GPU %d appears twice in devices", o->devices[i]);
    }
    /* vocabulary shards (tp) */
    {
        int per = (c->vocab_size + o->tp - 1) / o->tp;
        for (i = 0; i <= o->tp; i++) o->v0[i] = i * per < c->vocab_size ? i * per : c->vocab_size;
    }
    if (o->tp > 1) {
        o->layer0[0] = 0;
        o->layer0[1] = c->num_layers; /* every rank runs every layer */
        for (i = 2; i <= n; i++) o->layer0[i] = c->num_layers;
        return MINIMAX_OK;
    }
    if (d->layer_split) {
        int sum = 0;
        for (i = 0; i < n; i++) {
            if (d->layer_split[i] < 1)
                return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "layer_split[%d] = %d: every GPU needs at least one layer",
                                     i, d->layer_split[i]);
            sum += d->layer_split[i];
        }
        if (sum != c->num_layers)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "layer_split adds up to %d layers; the model has %d", sum,
                                 c->num_layers);
        o->layer0[0] = 0;
        for (i = 0; i < n; i++) o->layer0[i + 1] = o->layer0[i] + d->layer_split[i];
        return MINIMAX_OK;
    }
    /* automatic: room for layers on each GPU after its fixed parts, then
       every layer to the GPU with the most room left */
    {
        long long room[MINIMAX__MG_MAX], cnt[MINIMAX__MG_MAX], total = 0;
        int left;
        if (!free_bytes)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "layer split: no layer_split and no free-memory figures");
        for (i = 0; i < n; i++) {
            long long avail = (long long)free_bytes[i] - (long long)scratch_bytes - (long long)((size_t)512 << 20) -
                              (i == 0 || i == n - 1 ? (long long)end_bytes : 0);
            room[i] = avail > 0 ? avail / (long long)(layer_bytes ? layer_bytes : 1) : 0;
            total += room[i];
            cnt[i] = 1;
        }
        if (total < c->num_layers) {
            char msg[256];
            int k = 0;
            for (i = 0; i < n && k < (int)sizeof msg - 40; i++)
                k += snprintf(msg + k, sizeof msg - (size_t)k, "%sGPU %d: %lld", i ? ", " : "", o->devices[i], room[i]);
            return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY,
                                 "the %d layers (%.2f GiB each with their KV cache) do not fit: room for %s layers",
                                 c->num_layers, layer_bytes / 1073741824.0, msg);
        }
        for (left = c->num_layers - n; left > 0; left--) {
            int best = 0;
            for (i = 1; i < n; i++)
                if (room[i] - cnt[i] > room[best] - cnt[best]) best = i;
            cnt[best]++;
        }
        o->layer0[0] = 0;
        for (i = 0; i < n; i++) o->layer0[i + 1] = o->layer0[i] + (int)cnt[i];
    }
    return MINIMAX_OK;
}

/* The config a rank runs with. */
MINIMAX__PRIV minimax_config minimax__mg_rank_config(const minimax_config *c, const minimax__mg_layout *lay, int r) {
    minimax_config rc = *c;
    if (lay->tp > 1) {
        rc.num_heads = c->num_heads / lay->tp;
        rc.num_kv_heads = c->num_kv_heads / lay->tp;
        rc.intermediate_size = c->intermediate_size / lay->tp;
        rc.vocab_size = lay->v0[r + 1] - lay->v0[r];
        if (rc.vocab_size < 1) rc.vocab_size = 1;
    } else {
        rc.num_layers = lay->layer0[r + 1] - lay->layer0[r];
    }
    return rc;
}

/* ---- weights of a rank ---------------------------------------------------------- */

/* Rows [row0, row0 + rows) of a 1-D or 2-D tensor, as a view. */
MINIMAX__PRIV minimax__tensor minimax__mg_rows(const minimax__tensor *t, int64_t row0, int64_t rows) {
    minimax__tensor v = *t;
    int64_t rowlen = t->ndim == 2 ? t->shape[1] : 1;
    int es = (int)t->dtype >= 0 && t->dtype < MINIMAX__DT_COUNT ? minimax__dtype_sizes[t->dtype] : 1;
    v.data = t->data + (size_t)(row0 * rowlen * es);
    v.shape[0] = rows;
    v.nbytes = (uint64_t)(rows * rowlen * es);
    return v;
}

MINIMAX__PRIV minimax_result minimax__mg_check(const minimax__tensor *t, int64_t rows, int64_t cols, const char *what) {
    if (!t) return minimax__fail(MINIMAX_ERR_FORMAT, "%s is missing", what);
    if ((cols && (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != cols)) ||
        (!cols && (t->ndim != 1 || t->shape[0] != rows)))
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s (%s): shape must be [%lld%s%lld]", t->name, what, (long long)rows,
                             cols ? ", " : "", (long long)cols);
    if (cols && t->dtype != MINIMAX__DT_BF16) return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: dtype must be BF16", t->name);
    return MINIMAX_OK;
}

/* One layer's tensor-parallel shard (rank r of tp) from a weights view;
   m's config is the rank's local one (minimax__mg_rank_config). Same device
   layout as minimax__upload_layer with the local sizes. */
MINIMAX__PRIV minimax_result minimax__mg_upload_layer_tp(minimax_model *m, const minimax__layer_weights *lw, int L, int r,
                                                         int tp) {
    const minimax_config *c = &m->cfg;
    minimax__dev_layer *ly = &m->layers[L];
    int64_t H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, NIg = NI * tp;
    int64_t qd = (int64_t)c->num_heads * c->head_dim, kd = (int64_t)c->num_kv_heads * c->head_dim;
    int64_t qdg = qd * tp, kdg = kd * tp, e, h;
    minimax__tensor v;
    minimax_result r_;
    int pass;
    char what[64];
    snprintf(what, sizeof what, "layer %d weights", L);
#define MINIMAX__T(x)                                                                                                  \
    do {                                                                                                               \
        if ((r_ = (x)) != MINIMAX_OK) return r_;                                                                       \
    } while (0)
    MINIMAX__T(minimax__upload_f32(m, lw->input_norm, H, 0, what, &ly->in_norm));
    MINIMAX__T(minimax__upload_f32(m, lw->post_attn_norm, H, 0, what, &ly->post_norm));
    MINIMAX__T(minimax__mg_check(lw->q_norm, qdg, 0, "q_norm"));
    MINIMAX__T(minimax__mg_check(lw->k_norm, kdg, 0, "k_norm"));
    v = minimax__mg_rows(lw->q_norm, r * qd, qd);
    MINIMAX__T(minimax__upload_f32(m, &v, qd, 0, what, &ly->q_norm));
    v = minimax__mg_rows(lw->k_norm, r * kd, kd);
    MINIMAX__T(minimax__upload_f32(m, &v, kd, 0, what, &ly->k_norm));
    if (lw->router && lw->router->dtype == MINIMAX__DT_BF16) {
        MINIMAX__T(minimax__dalloc(m, (size_t)(E * H * 2), what, &ly->router));
        MINIMAX__T(minimax__upload_bf16(m, lw->router, E, H, ly->router));
    } else {
        ly->router_f32 = 1;
        MINIMAX__T(minimax__upload_f32(m, lw->router, E * H, 0, what, &ly->router));
    }
    MINIMAX__T(minimax__upload_f32(m, lw->router_bias, E, 0.0f, what, &ly->router_bias));
    MINIMAX__T(minimax__mg_check(lw->q_proj, qdg, H, "q_proj"));
    MINIMAX__T(minimax__mg_check(lw->k_proj, kdg, H, "k_proj"));
    MINIMAX__T(minimax__mg_check(lw->v_proj, kdg, H, "v_proj"));
    MINIMAX__T(minimax__mg_check(lw->o_proj, H, qdg, "o_proj"));
    MINIMAX__T(minimax__dalloc(m, (size_t)(qd + 2 * kd) * H * 2, what, &ly->wqkv));
    v = minimax__mg_rows(lw->q_proj, r * qd, qd);
    MINIMAX__T(minimax__upload_bf16(m, &v, qd, H, ly->wqkv));
    v = minimax__mg_rows(lw->k_proj, r * kd, kd);
    MINIMAX__T(minimax__upload_bf16(m, &v, kd, H, ly->wqkv + (size_t)qd * H * 2));
    v = minimax__mg_rows(lw->v_proj, r * kd, kd);
    MINIMAX__T(minimax__upload_bf16(m, &v, kd, H, ly->wqkv + (size_t)(qd + kd) * H * 2));
    MINIMAX__T(minimax__dalloc(m, (size_t)H * qd * 2, what, &ly->wo));
    { /* o_proj [H, qdg]: columns [r*qd, (r+1)*qd) of every row */
        minimax__upl u;
        u.m = m;
        u.dst = ly->wo;
        u.used = 0;
        for (h = 0; h < H; h++) MINIMAX__T(minimax__upl_add(&u, lw->o_proj->data + (size_t)(h * qdg + r * qd) * 2, (size_t)qd * 2));
        MINIMAX__T(minimax__upl_flush(&u));
    }
    for (pass = 0; pass < 3; pass++) {
        minimax__fp4_matrix *mats = pass == 0 ? lw->w1 : pass == 1 ? lw->w3 : lw->w2;
        int64_t rows = pass == 2 ? H : NIg, cols = pass == 2 ? NIg : H; /* global shape */
        minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
        minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
        minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
        size_t local = (size_t)(H * NI); /* elements of one expert's shard */
        float *ws2;
        minimax__upl u;
        if (!mats) return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d has no expert matrices w%d", L, pass == 0 ? 1 : pass == 1 ? 3 : 2);
        for (e = 0; e < E; e++)
            if (mats[e].rows != rows || mats[e].cols != cols || !mats[e].packed || !mats[e].scales)
                return minimax__fail(MINIMAX_ERR_FORMAT, "layer %d expert %lld w%d: shape [%lld, %lld], expected [%lld, %lld]",
                                     L, (long long)e, pass == 0 ? 1 : pass == 1 ? 3 : 2, (long long)mats[e].rows,
                                     (long long)mats[e].cols, (long long)rows, (long long)cols);
        MINIMAX__T(minimax__dalloc(m, (size_t)E * local / 2, what, pp));
        MINIMAX__T(minimax__dalloc(m, (size_t)E * local / 16, what, ps));
        u.m = m;
        u.used = 0;
        u.dst = *pp;
        for (e = 0; e < E; e++) {
            if (pass < 2) /* w1/w3 [NIg, H]: rows [r*NI, (r+1)*NI) */
                MINIMAX__T(minimax__upl_add(&u, mats[e].packed + (size_t)(r * NI * H / 2), local / 2));
            else /* w2 [H, NIg]: columns [r*NI, (r+1)*NI) of every row */
                for (h = 0; h < H; h++)
                    MINIMAX__T(minimax__upl_add(&u, mats[e].packed + (size_t)(h * NIg / 2 + r * NI / 2), (size_t)NI / 2));
        }
        MINIMAX__T(minimax__upl_flush(&u));
        MINIMAX__T(minimax__fp4_layout(m, *pp, (size_t)E * local / 2)); /* shards of whole words: NI % 16 == 0 */
        u.dst = *ps;
        for (e = 0; e < E; e++) {
            if (pass < 2)
                MINIMAX__T(minimax__upl_add(&u, mats[e].scales + (size_t)(r * NI * H / 16), local / 16));
            else
                for (h = 0; h < H; h++)
                    MINIMAX__T(minimax__upl_add(&u, mats[e].scales + (size_t)(h * NIg / 16 + r * NI / 16), (size_t)NI / 16));
        }
        MINIMAX__T(minimax__upl_flush(&u));
        MINIMAX__T(minimax__dalloc(m, (size_t)E * 4, what, pw));
        ws2 = (float *)minimax__alloc((size_t)E * 4, "weight_scale_2 values");
        if (!ws2) return MINIMAX_ERR_OUT_OF_MEMORY;
        for (e = 0; e < E; e++) ws2[e] = mats[e].weight_scale_2;
        r_ = minimax__upload(m, *pw, ws2, (size_t)E * 4);
        MINIMAX_FREE(ws2);
        if (r_ != MINIMAX_OK) return r_;
    }
#undef MINIMAX__T
    return MINIMAX_OK;
}

typedef struct minimax__mg_fill {
    const minimax__mg_layout *lay;
    int r;
    const minimax__weights *w;
    minimax__weights_fill_fn fill; /* when w is NULL (synthetic weights) */
    void *fill_user;
    int V; /* global vocabulary */
} minimax__mg_fill;

/* minimax__weights_fill_fn of a rank: its shard of the weights view. */
MINIMAX__PRIV minimax_result minimax__mg_fill_rank(minimax_model *m, void *user) {
    minimax__mg_fill *f = (minimax__mg_fill *)user;
    const minimax_config *c = &m->cfg;
    const minimax__weights *w = f->w;
    int64_t H = c->hidden_size;
    int L, r = f->r, n = f->lay->n, tp = f->lay->tp;
    minimax_result res;
    if (!w) {
        m->mg_rank = r; /* tells a fill which shard (minimax__mg_fill_from_ref); m->mg is still NULL */
        return f->fill(m, f->fill_user);
    }
    m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
    if (!m->layers) return MINIMAX_ERR_OUT_OF_MEMORY;
    memset(m->layers, 0, (size_t)c->num_layers * sizeof *m->layers);
    if (tp > 1) {
        int v0 = f->lay->v0[r], nv = c->vocab_size;
        minimax__tensor v;
        if ((res = minimax__mg_check(w->embed, f->V, H, "embed_tokens")) != MINIMAX_OK) return res;
        if ((res = minimax__mg_check(w->lm_head, f->V, H, "lm_head")) != MINIMAX_OK) return res;
        if ((res = minimax__dalloc(m, (size_t)(nv * H * 2), "embed_tokens", &m->embed)) != MINIMAX_OK) return res;
        v = minimax__mg_rows(w->embed, v0, nv);
        if ((res = minimax__upload_bf16(m, &v, nv, H, m->embed)) != MINIMAX_OK) return res;
        if ((res = minimax__dalloc(m, (size_t)(nv * H * 2), "lm_head", &m->lm_head)) != MINIMAX_OK) return res;
        v = minimax__mg_rows(w->lm_head, v0, nv);
        if ((res = minimax__upload_bf16(m, &v, nv, H, m->lm_head)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_f32(m, w->final_norm, H, 0, "final norm", &m->final_norm)) != MINIMAX_OK) return res;
        for (L = 0; L < c->num_layers; L++)
            if ((res = minimax__mg_upload_layer_tp(m, &w->layers[L], L, r, tp)) != MINIMAX_OK) return res;
        return MINIMAX_OK;
    }
    if (r == 0) {
        if ((res = minimax__dalloc(m, (size_t)(c->vocab_size * H * 2), "embed_tokens", &m->embed)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_bf16(m, w->embed, c->vocab_size, H, m->embed)) != MINIMAX_OK) return res;
    }
    if (r == n - 1) {
        if ((res = minimax__dalloc(m, (size_t)(c->vocab_size * H * 2), "lm_head", &m->lm_head)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_bf16(m, w->lm_head, c->vocab_size, H, m->lm_head)) != MINIMAX_OK) return res;
        if ((res = minimax__upload_f32(m, w->final_norm, H, 0, "final norm", &m->final_norm)) != MINIMAX_OK) return res;
    }
    for (L = 0; L < c->num_layers; L++)
        if ((res = minimax__upload_layer(m, &w->layers[f->lay->layer0[r] + L], L)) != MINIMAX_OK) return res;
    return MINIMAX_OK;
}

/* ---- inside a rank's forward pass --------------------------------------------------- */

MINIMAX__PRIV int minimax__mg_tp(const minimax_model *m) { return m->mg && m->mg_rank >= 0 ? m->mg->tp : 1; }

MINIMAX__PRIV minimax_result minimax__mg_launch(minimax_model *m, int k, unsigned gx, unsigned gy, unsigned block,
                                                void **args) {
    return minimax__launch_fn(m, m->mg->fn[m->mg_rank][k], minimax__mg_kernel_names[k], gx, gy, 1, block, 0, m->stream,
                              args);
}

/* dst[0..n) = (acc ? dst : 0) + sum over ranks of src; src = 0 afterwards.
   qkv != 0: the values are the per-token sums of squares of the rank's q
   and k slices (n = 2T; k_mg_allreduce), src is not used. */
MINIMAX__PRIV minimax_result minimax__mg_allreduce_k(minimax_model *m, minimax__cu_ptr dst, minimax__cu_ptr src, int n, int acc,
                                                     minimax__cu_ptr qkv) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, nr = g->n, rank = r, code = 0x10000 | MINIMAX__MG_OP_ALLREDUCE << 8 | r << 4;
    int qn = m->cfg.num_heads * m->cfg.head_dim, kn = m->cfg.num_kv_heads * m->cfg.head_dim;
    unsigned B = (unsigned)MINIMAX__CDIV(n, 1024);
    minimax__mg_peers P = g->peers;
    void *a[15];
    if (B < 1) B = 1;
    if (B > MINIMAX__MG_MAXB) B = MINIMAX__MG_MAXB;
    if (g->dbg_local) { /* the same kernel with itself as the only rank */
        memset(&P, 0, sizeof P);
        P.recv[0] = g->recv[r];
        P.flag[0] = g->flags[r];
        nr = 1;
        rank = 0;
    }
    a[0] = &dst;
    a[1] = &src;
    a[2] = &n;
    a[3] = &acc;
    a[4] = &P;
    a[5] = &g->seq[r];
    a[6] = &rank;
    a[7] = &nr;
    a[8] = &g->cap;
    a[9] = &g->timeout;
    a[10] = &g->status_dev;
    a[11] = &code;
    a[12] = &qkv;
    a[13] = &qn;
    a[14] = &kn;
    return minimax__mg_launch(m, MINIMAX__MK_ALLREDUCE, B, 1, 256, a);
}

MINIMAX__PRIV minimax_result minimax__mg_allreduce(minimax_model *m, minimax__cu_ptr dst, minimax__cu_ptr src, int n, int acc) {
    return minimax__mg_allreduce_k(m, dst, src, n, acc, 0);
}

/* rows x cols floats from src (this rank) to dst (rank `to`'s memory, row
   stride dld), then rank `to`'s flag; to == own rank: a local copy, no flag. */
MINIMAX__PRIV minimax_result minimax__mg_send(minimax_model *m, int to, minimax__cu_ptr src, int rows, int cols,
                                              minimax__cu_ptr dst, long long dld) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank;
    minimax__cu_ptr rflag = to == r ? 0 : g->flags[to] + (size_t)(MINIMAX__MG_FLAG_P2P + r) * 4;
    minimax__cu_ptr seq = g->seq[r] + (size_t)(MINIMAX__MG_SEQ_SEND + to) * 4, done = g->seq[r] + (size_t)MINIMAX__MG_SEQ_DONE * 4;
    long long total = (long long)rows * cols;
    unsigned B = (unsigned)((total + 1023) / 1024);
    void *a[8];
    if (B < 1) B = 1;
    if (B > 264) B = 264;
    a[0] = &src;
    a[1] = &rows;
    a[2] = &cols;
    a[3] = &dst;
    a[4] = &dld;
    a[5] = &rflag;
    a[6] = &seq;
    a[7] = &done;
    return minimax__mg_launch(m, MINIMAX__MK_SEND, B, 1, 256, a);
}

/* Waits for the next send of every rank in mask. */
MINIMAX__PRIV minimax_result minimax__mg_wait(minimax_model *m, int mask) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, code = 0x10000 | MINIMAX__MG_OP_WAIT << 8 | r << 4;
    void *a[6];
    a[0] = &g->flags[r];
    a[1] = &g->seq[r];
    a[2] = &mask;
    a[3] = &g->timeout;
    a[4] = &g->status_dev;
    a[5] = &code;
    return minimax__mg_launch(m, MINIMAX__MK_WAIT, 1, 1, 32, a);
}

/* Start of a rank's pass: tp: embedding shard + all-reduce; layer split:
   the embedding on rank 0, the previous rank's x elsewhere. A stage works on
   its x in place and the previous stage writes the next pass's x straight
   into it, so in a step of several passes (minimax__enqueue_step) a stage
   first tells the previous one that it is done with the last pass's x (an
   empty send), and that stage waits for it before sending (minimax__mg_end). */
MINIMAX__PRIV minimax_result minimax__mg_begin(minimax_model *m, int T) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, H = m->cfg.hidden_size;
    minimax__cu_ptr ids = m->step_in + m->off_ids;
    minimax_result res;
    if (g->tp > 1) {
        int v0 = g->lay.v0[r], nv = g->lay.v0[r + 1] - g->lay.v0[r];
        minimax__cu_ptr gen = minimax__mg_fused(m, T) ? g->gen[r] : 0; /* counts the fused passes */
        void *a[7];
        a[0] = &ids;
        a[1] = &m->embed;
        a[2] = &m->mg_part;
        a[3] = &H;
        a[4] = &v0;
        a[5] = &nv;
        a[6] = &gen;
        if ((res = minimax__mg_launch(m, MINIMAX__MK_EMBED, (unsigned)T, 1, 256, a)) != MINIMAX_OK) return res;
        return minimax__mg_allreduce(m, m->x, m->mg_part, T * H, 0);
    }
    if (r == 0) {
        void *a[4]; /* (the single-GPU embedding kernel) */
        a[0] = &ids;
        a[1] = &m->embed;
        a[2] = &m->x;
        a[3] = &H;
        return minimax__launch(m, MINIMAX__K_EMBED, (unsigned)T, 1, 256, a);
    }
    if (m->pass0 > 0 && (res = minimax__mg_send(m, r - 1, 0, 0, 0, 0, 0)) != MINIMAX_OK) return res;
    return minimax__mg_wait(m, 1 << (r - 1)); /* x arrives from rank r - 1 */
}

/* QK-norm + RoPE + KV append of layer L with the global sums of squares.
   sums != NULL: only the sums, all-reduced; *sums receives where they are
   ([T][2] fp32), for k_attn_split_qk to apply the norm itself. */
MINIMAX__PRIV minimax_result minimax__mg_qk(minimax_model *m, const minimax__dev_layer *ly, int L, int T,
                                            minimax__cu_ptr *sums) {
    minimax__mg *g = m->mg;
    const minimax_config *c = &m->cfg;
    const minimax__plan *p = &m->plan;
    int r = m->mg_rank, nh = c->num_heads, nkv = c->num_kv_heads, d = c->head_dim, rd = c->rotary_dim, tp = g->tp;
    int nblocks = p->num_blocks, maxb = p->max_blocks, bs = p->block_tokens;
    float theta = c->rope_theta, eps = c->rms_norm_eps;
    minimax__cu_ptr pos = m->step_in + m->off_pos, srow = m->step_in + m->off_srow;
    minimax_result res;
    /* the sums of squares of this rank's slices, all-reduced (one kernel) */
    if ((res = minimax__mg_allreduce_k(m, g->ss[r], g->ss_part[r], 2 * T, 0, m->qkv)) != MINIMAX_OK) return res;
    if (sums) {
        *sums = g->ss[r];
        return MINIMAX_OK;
    }
    {
        void *a[20];
        a[0] = &m->qkv;
        a[1] = &m->qr;
        a[2] = (void *)&ly->q_norm;
        a[3] = (void *)&ly->k_norm;
        a[4] = &g->ss[r];
        a[5] = &tp;
        a[6] = &pos;
        a[7] = &srow;
        a[8] = &m->block_table;
        a[9] = &m->kv;
        a[10] = &L;
        a[11] = &nblocks;
        a[12] = &maxb;
        a[13] = &bs;
        a[14] = &nh;
        a[15] = &nkv;
        a[16] = &d;
        a[17] = &rd;
        a[18] = &theta;
        a[19] = &eps;
        return minimax__mg_launch(m, MINIMAX__MK_QK_NORM, (unsigned)(nh + nkv), (unsigned)T, 128, a);
    }
}

/* ---- fused collectives (tensor parallelism, passes of one token slot) ----
   kernels.cu struct mg_fuse says how they work. A layer's sites: 3L the
   QK-norm sums (pushed by the q|k|v product, summed by the attention
   blocks), 3L + 1 o_proj, 3L + 2 the experts (pushed and summed into x by
   the o_proj product and by down; x is whole when they end, for the next
   layer or the head). The embedding's all-reduce stays a kernel. On where
   the fast kernels of a decode
   step of one session run: the fused q|k|v product and attention, the
   BF16 GEMV for o_proj, the packed-f16 expert kernels. */
MINIMAX__PRIV int minimax__mg_fused(const minimax_model *m, int T) {
    if (!m->mg || m->mg_rank < 0 || m->mg->tp <= 1 || T != 1 || !m->mg->recvf[m->mg_rank]) return 0;
    return minimax__fast_attn_qk_ok(m, T) && minimax__fast_norm_ok(m, T, m->cfg.hidden_size) &&
           minimax__fast_mm_ok(m, T, m->plan.attn_dim) && minimax__fast_route_ok(m, T);
}

MINIMAX__PRIV void minimax__mg_fuse_arg(const minimax_model *m, int in_site, int out_site, minimax__mg_fuse *F) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, p;
    memset(F, 0, sizeof *F);
    F->local = g->dbg_local;
    for (p = 0; p < g->n; p++) F->recv[p] = g->recvf[F->local ? r : p];
    F->own = g->recvf[r];
    F->gen = g->gen[r];
    F->status = g->status_dev;
    F->timeout = g->timeout;
    F->rank = r;
    F->nr = g->n;
    F->cap = g->fcap;
    F->code = 0x10000 | MINIMAX__MG_OP_ALLREDUCE << 8 | r << 4;
    F->in_site = in_site;
    F->out_site = out_site;
}

/* Stage `stage` of layer L of a fused pass: 0 input norm + q|k|v (pushing
   its partial sums of squares), 1 attention (summing them), 2 o_proj (x +=
   the sum of the ranks' parts). */
MINIMAX__PRIV minimax_result minimax__mg_fused_layer(minimax_model *m, const minimax__dev_layer *ly, int L, int stage) {
    int H = m->cfg.hidden_size, N, K, S;
    unsigned grid;
    float eps = m->cfg.rms_norm_eps;
    minimax__cu_ptr null = 0;
    minimax__mg_fuse F;
    void *a[10];
    if (stage == 1) {
        minimax__mg_fuse_arg(m, 3 * L, -1, &F);
        return minimax__fast_attn(m, ly, L, 1, 1, 0, 0, &F);
    }
    if (stage == 2) {
        N = H;
        K = m->plan.attn_dim;
        grid = minimax__gemv_t1_grid(m, N, &S);
        minimax__mg_fuse_arg(m, -1, 3 * L + 1, &F);
        a[0] = &m->attn;
        a[1] = (void *)&ly->wo;
        a[2] = &m->x;
        a[3] = &N;
        a[4] = &K;
        a[5] = &S;
        a[6] = &F;
        return minimax__fast_launch(m, MINIMAX__FK_GEMV_T1_MG, grid, 1, 256, 0, a);
    }
    N = m->plan.qkv_dim;
    K = H;
    grid = minimax__gemv_t1_grid(m, N, &S);
    minimax__mg_fuse_arg(m, -1, 3 * L, &F);
    a[0] = &m->x;
    a[1] = (void *)&ly->in_norm;
    a[2] = &eps;
    a[3] = (void *)&ly->wqkv;
    a[4] = &m->qkv;
    a[5] = &null; /* no normed vector */
    a[6] = &N;
    a[7] = &K;
    a[8] = &S;
    a[9] = &F;
    return minimax__fast_launch(m, MINIMAX__FK_GEMV_NORM_T1_MG, grid, 1, 256, 0, a);
}

/* tp: phase 0 points m->x at the (zero) partial-sum buffer, so that the next
   product accumulates this rank's part there; phase 1 points it back and
   adds the all-reduced parts: x += sum over ranks. */
MINIMAX__PRIV minimax_result minimax__mg_partial(minimax_model *m, int T, int phase) {
    minimax__cu_ptr t;
    if (minimax__mg_tp(m) <= 1) return MINIMAX_OK;
    t = m->x;
    m->x = m->mg_part;
    m->mg_part = t;
    if (phase == 0) return MINIMAX_OK;
    return minimax__mg_allreduce(m, m->x, m->mg_part, T * m->cfg.hidden_size, 1);
}

/* End of a rank's pass. Layer split: x to the next rank (*done = 1), or the
   ordinary head on the last rank (*done = 0). tp: final norm, this rank's
   lm_head rows, gathered into the head rank's logits [R][V] (the rows of
   the pass: from pass0), sampled there. */
MINIMAX__PRIV minimax_result minimax__mg_end(minimax_model *m, int T, int R, int sample, int *done) {
    minimax__mg *g = m->mg;
    int r = m->mg_rank, H = m->cfg.hidden_size, i, mask = 0;
    minimax__cu_ptr rows = m->step_in + m->off_rows, gl, gs;
    minimax_result res;
    *done = 1;
    if (g->tp <= 1) {
        if (r == g->n - 1) {
            *done = 0;
            return MINIMAX_OK;
        }
        if (m->pass0 > 0 && (res = minimax__mg_wait(m, 1 << (r + 1))) != MINIMAX_OK) return res; /* see mg_begin */
        return minimax__mg_send(m, r + 1, m->x, T, H, g->rank[r + 1]->x, H);
    }
    if (R <= 0) return MINIMAX_OK;
    if ((res = minimax__rmsnorm(m, m->x, rows, m->final_norm, m->xo, R)) != MINIMAX_OK) return res;
    if ((res = minimax__mm(m, m->xo, m->lm_head, m->logits, R, m->cfg.vocab_size, H, 0)) != MINIMAX_OK) return res;
    gl = g->logits + (size_t)m->pass0 * g->V * 4; /* this pass's rows (minimax__pass_view) */
    gs = g->sampled + (size_t)m->pass0 * 4;
    if ((res = minimax__mg_send(m, g->head, m->logits, R, m->cfg.vocab_size, gl + (size_t)g->lay.v0[r] * 4, g->V)) !=
        MINIMAX_OK)
        return res;
    if (r != g->head) return MINIMAX_OK;
    for (i = 0; i < g->n; i++)
        if (i != g->head) mask |= 1 << i;
    if ((res = minimax__mg_wait(m, mask)) != MINIMAX_OK) return res;
    if (sample) {
        int V = g->V, valid = g->valid_vocab;
        minimax__cu_ptr sp = m->step_in + m->off_sp;
        void *a[5];
        a[0] = &gl;
        a[1] = &V;
        a[2] = &valid;
        a[3] = &sp;
        a[4] = &gs;
        if ((res = minimax__launch(m, MINIMAX__K_SAMPLE, (unsigned)R, 1, 1024, a)) != MINIMAX_OK) return res;
    }
    return MINIMAX_OK;
}

/* ---- the front: driving the ranks -------------------------------------------------- */

MINIMAX__PRIV minimax_result minimax__mg_set(minimax_model *front, minimax_model *rk) {
    minimax_result r = minimax__mcheck(rk, minimax__cu.cuCtxSetCurrent(rk->ctx), "cuCtxSetCurrent");
    if (r != MINIMAX_OK && rk->failed) front->failed = 1;
    return r;
}

MINIMAX__PRIV minimax_result minimax__mg_upload_inputs(minimax_model *m, minimax_session *const *ss, int ns) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, i;
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax_model *rk = g->rank[k];
        if (k == g->dbg_skip_rank) continue;
        if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
        r = minimax__mcheck(rk, minimax__cu.cuMemcpyHtoDAsync(rk->step_in, m->h_in, m->step_in_bytes, rk->stream),
                            "upload of step inputs");
        for (i = 0; i < ns && r == MINIMAX_OK; i++) {
            size_t off = (size_t)ss[i]->row * m->plan.max_blocks;
            if (!ss[i]->nblocks) continue;
            r = minimax__mcheck(rk,
                                minimax__cu.cuMemcpyHtoDAsync(rk->block_table + off * 4, m->h_bt + off,
                                                              (size_t)ss[i]->nblocks * 4, rk->stream),
                                "upload of a block table");
        }
        if (rk->failed) m->failed = 1;
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* Eager forward pass on every rank: tp ranks interleaved layer by layer (no
   GPU waits on work the host has not yet queued for long, and no stream
   fills its launch queue while it waits), layer-split ranks one after
   another (a rank only waits for the ranks before it). */
MINIMAX__PRIV minimax_result minimax__mg_forward(minimax_model *m, int T, int R, int sample) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, L, nl;
    if (g->tp > 1) {
        minimax_model *r0 = g->rank[0];
        r0->dbg_route = m->dbg_route; /* routing is the same on every rank: rank 0 records it */
        r0->dbg_route_stride = m->dbg_route_stride;
        r0->dbg_pos0 = m->dbg_pos0;
        r0->dbg_recording = m->dbg_recording;
        nl = m->cfg.num_layers;
        for (L = -1; L <= nl && r == MINIMAX_OK; L++)
            for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
                minimax_model *rk = g->rank[k];
                if (k == g->dbg_skip_rank) continue;
                if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
                if (L < 0) r = minimax__enqueue_range(rk, T, R, sample, 0, 0, 1, 0);
                else if (L == nl) r = minimax__enqueue_range(rk, T, R, sample, nl, nl, 0, 1);
                else r = minimax__enqueue_range(rk, T, R, sample, L, L + 1, 0, 0);
                if (rk->failed) m->failed = 1;
            }
        r0->dbg_recording = 0;
    } else {
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax_model *rk = g->rank[k];
            if (k == g->dbg_skip_rank) continue;
            if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
            /* each stage records the routing of its own layers (peer writes) */
            rk->dbg_route = m->dbg_route ? m->dbg_route + (size_t)g->lay.layer0[k] * m->dbg_route_stride *
                                                              m->cfg.top_k * 4
                                         : 0;
            rk->dbg_route_stride = m->dbg_route_stride;
            rk->dbg_pos0 = m->dbg_pos0;
            rk->dbg_recording = m->dbg_recording;
            r = minimax__enqueue_forward(rk, T, R, sample);
            rk->dbg_recording = 0;
            if (rk->failed) m->failed = 1;
        }
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* minimax__pass_view for every rank of the front m (the front's own view
   stays: the ranks' pass0 places the rows they hand it). */
MINIMAX__PRIV void minimax__mg_pass_view(minimax_model *m, int s0) {
    int k;
    for (k = 0; k < m->mg->n; k++) minimax__pass_view(m->mg->rank[k], s0);
}

/* A step of n sessions: one graph per rank (captured on first use, one rank
   at a time), launched rank after rank; each graph holds the rank's part of
   the step's passes (minimax__capture_step). Eager: pass after pass, each a
   minimax__mg_forward over all ranks (minimax__enqueue_step of the front). */
MINIMAX__PRIV minimax_result minimax__mg_run_step(minimax_model *m, int n, int use_graph) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k;
    if (!use_graph) return minimax__enqueue_step(m, n);
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax_model *rk = g->rank[k];
        if (rk->graphs[n]) continue;
        if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
        r = minimax__capture_step(rk, n);
    }
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax_model *rk = g->rank[k];
        if (k == g->dbg_skip_rank) continue;
        if ((r = minimax__mg_set(m, rk)) != MINIMAX_OK) break;
        r = minimax__mcheck(rk, minimax__cu.cuGraphLaunch(rk->graphs[n], rk->stream), "cuGraphLaunch");
    }
    for (k = 0; k < g->n; k++)
        if (g->rank[k]->failed) m->failed = 1;
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* After the head's stream finished a pass: waits for every rank and turns a
   kernel that gave up waiting into an error (the model is then failed: the
   ranks' sequence numbers no longer agree). */
MINIMAX__PRIV minimax_result minimax__mg_after_sync(minimax_model *m) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, st;
    for (k = 0; k < g->n; k++) {
        minimax_model *rk = g->rank[k];
        minimax_result rr;
        if (k == g->dbg_skip_rank) continue;
        if ((rr = minimax__mg_set(m, rk)) == MINIMAX_OK)
            rr = minimax__mcheck(rk, minimax__cu.cuStreamSynchronize(rk->stream), "a step on a second GPU");
        if (rk->failed) m->failed = 1;
        if (rr != MINIMAX_OK && r == MINIMAX_OK) r = rr;
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    st = *g->status;
    if (st) {
        m->failed = 1;
        if (st == 1) return minimax__fail(MINIMAX_ERR_DEVICE, "multi-GPU step aborted by the host");
        return minimax__fail(MINIMAX_ERR_DEVICE,
                             "GPU %d (rank %d) gave up waiting for rank %d in %s after the timeout (%lld cycles): a GPU "
                             "stopped or hung; the model is failed, free it",
                             g->lay.devices[(st >> 4) & 15], (st >> 4) & 15, st & 15,
                             ((st >> 8) & 255) == MINIMAX__MG_OP_ALLREDUCE ? "an all-reduce" : "a transfer", g->timeout);
    }
    return r;
}

MINIMAX__PRIV void minimax__mg_destroy(minimax_model *m) {
    minimax__mg *g = m->mg;
    int k;
    if (!g) return;
    if (g->status) *g->status = 1; /* spinning kernels give up */
    if (g->nccl.have_comms)
        for (k = 0; k < g->n; k++)
            if (g->nccl.comm[k]) g->nccl.CommDestroy(g->nccl.comm[k]);
    if (g->nccl.lib) dlclose(g->nccl.lib);
    if (g->status && g->rank[0] && g->rank[0]->ctx) {
        minimax__cu_context prev = NULL;
        minimax__cu.cuCtxGetCurrent(&prev);
        minimax__cu.cuCtxSetCurrent(g->rank[0]->ctx);
        for (k = 0; k < g->n; k++) /* the last kernels must be done with the status word */
            if (g->rank[k] && g->rank[k]->stream && !g->rank[k]->failed) {
                minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
                minimax__cu.cuStreamSynchronize(g->rank[k]->stream);
            }
        minimax__cu.cuCtxSetCurrent(g->rank[0]->ctx);
        minimax__cu.cuMemFreeHost((void *)g->status);
        minimax__cu.cuCtxSetCurrent(prev);
    }
    for (k = 0; k < g->n; k++) minimax__model_destroy(g->rank[k]);
    MINIMAX_FREE(g);
    m->mg = NULL;
}

/* ---- load ------------------------------------------------------------------------ */

MINIMAX__PRIV minimax_result minimax__mg_create(const minimax_model_desc *desc, const minimax_config *cfg,
                                                const minimax__weights *w, minimax__weights_fill_fn fill,
                                                void *fill_user, minimax_model **out) {
    minimax_model *m;
    minimax__mg *g;
    minimax_result r;
    minimax__cu_context prev = NULL;
    int count = 0, k, j, i;
    double t0 = minimax__now_ms();
    size_t free_b[MINIMAX__MG_MAX];
    *out = NULL;
    m = (minimax_model *)minimax__alloc(sizeof *m, "the model");
    if (!m) return MINIMAX_ERR_OUT_OF_MEMORY;
    m->cfg = *cfg;
    m->mg_rank = -1;
    g = (minimax__mg *)minimax__alloc(sizeof *g, "the multi-GPU state");
    if (!g) {
        MINIMAX_FREE(m);
        return MINIMAX_ERR_OUT_OF_MEMORY;
    }
    memset(g, 0, sizeof *g);
    g->dbg_skip_rank = -1;
    g->timeout = MINIMAX__MG_TIMEOUT_CYCLES;
    m->mg = g;
    if ((r = minimax__plan_make(cfg, desc, &m->plan)) != MINIMAX_OK) goto fail;
    if ((r = minimax__cuda_init()) != MINIMAX_OK) goto fail;
    minimax__cu.cuCtxGetCurrent(&prev);
    if ((r = minimax__cu_check(minimax__cu.cuDeviceGetCount(&count), "cuDeviceGetCount")) != MINIMAX_OK) goto fail;
    /* free memory per requested GPU (only used for an automatic layer split) */
    memset(free_b, 0, sizeof free_b);
    if (desc->tp <= 1 && !desc->layer_split)
        for (k = 0; k < desc->n_devices && k < MINIMAX__MG_MAX; k++) {
            int dv = desc->devices ? desc->devices[k] : k;
            minimax__cu_device dev;
            minimax__cu_context c = NULL;
            if (dv < 0 || dv >= count) continue; /* layout_make names it */
            if (minimax__cu.cuDeviceGet(&dev, dv) == 0 && minimax__cu.cuDevicePrimaryCtxRetain(&c, dev) == 0) {
                size_t tot = 0;
                minimax__cu.cuCtxSetCurrent(c);
                minimax__cu.cuMemGetInfo(&free_b[k], &tot);
                minimax__cu.cuCtxSetCurrent(prev);
                minimax__cu.cuDevicePrimaryCtxRelease(dev);
            }
        }
    {
        minimax__plan one;
        minimax_config c1 = *cfg;
        size_t layer_b, end_b, H = (size_t)cfg->hidden_size, V = (size_t)cfg->vocab_size;
        c1.num_layers = 1;
        if ((r = minimax__plan_make(&c1, desc, &one)) != MINIMAX_OK) goto fail;
        end_b = V * H * 2;
        layer_b = one.weight_bytes - 2 * end_b - H * 4 + one.kv_bytes;
        if ((r = minimax__mg_layout_make(cfg, desc, count, free_b, layer_b, end_b, one.scratch_bytes, &g->lay)) != MINIMAX_OK)
            goto fail;
    }
    g->n = g->lay.n;
    g->tp = g->lay.tp;
    g->head = g->tp > 1 ? 0 : g->n - 1;
    g->V = cfg->vocab_size;
    g->valid_vocab = m->plan.valid_vocab;
    /* one model per GPU */
    for (k = 0; k < g->n; k++) {
        minimax_model_desc rd = *desc;
        minimax_config rc = minimax__mg_rank_config(cfg, &g->lay, k);
        minimax__mg_fill f;
        rd.device = g->lay.devices[k];
        rd.tp = 0;
        rd.devices = NULL;
        rd.n_devices = 0;
        rd.layer_split = NULL;
        rd.progress = NULL;
        rd.valid_vocab = g->tp <= 1 && k == g->n - 1 ? desc->valid_vocab : 0;
        f.lay = &g->lay;
        f.r = k;
        f.w = w;
        f.fill = fill;
        f.fill_user = fill_user;
        f.V = cfg->vocab_size;
        if ((r = minimax__progress(desc, (float)k / (float)g->n, "weights")) != MINIMAX_OK) goto fail;
        if ((r = minimax__model_create_from(&rd, &rc, NULL, minimax__mg_fill_rank, &f, &g->rank[k])) != MINIMAX_OK) {
            char msg[1024];
            minimax__copy_str(msg, sizeof msg, minimax_last_error());
            r = minimax__fail(r, "GPU %d (rank %d of %d): %s", rd.device, k, g->n, msg);
            goto fail;
        }
        g->rank[k]->mg = g;
        g->rank[k]->mg_rank = k;
    }
    /* peer access between every pair */
    for (k = 0; k < g->n; k++)
        for (j = 0; j < g->n; j++) {
            int can = 0;
            minimax__cu_result cr;
            if (j == k) continue;
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            minimax__cu.cuDeviceCanAccessPeer(&can, g->rank[k]->dev, g->rank[j]->dev);
            if (!can) {
                r = minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                                  "GPU %d cannot access GPU %d's memory (no peer-to-peer path); the multi-GPU kernels need it",
                                  g->lay.devices[k], g->lay.devices[j]);
                goto fail;
            }
            cr = minimax__cu.cuCtxEnablePeerAccess(g->rank[j]->ctx, 0);
            if (cr != 0 && cr != 704 /* CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED */ &&
                (r = minimax__cu_check(cr, "cuCtxEnablePeerAccess")) != MINIMAX_OK)
                goto fail;
        }
    /* the status word: pinned, mapped, portable (every context sees it) */
    {
        void *hp = NULL;
        minimax__cu.cuCtxSetCurrent(g->rank[0]->ctx);
        if ((r = minimax__cu_check(minimax__cu.cuMemHostAlloc(&hp, 64, 0x01 | 0x02 /* PORTABLE | DEVICEMAP */),
                                   "cuMemHostAlloc (status word)")) != MINIMAX_OK)
            goto fail;
        g->status = (volatile int *)hp;
        memset(hp, 0, 64);
        if ((r = minimax__cu_check(minimax__cu.cuMemHostGetDevicePointer(&g->status_dev, hp, 0),
                                   "cuMemHostGetDevicePointer")) != MINIMAX_OK)
            goto fail;
    }
    /* per-rank buffers of the collectives */
    g->cap = (long long)m->plan.max_tokens * cfg->hidden_size;
    if (g->cap < 2ll * m->plan.max_tokens) g->cap = 2ll * m->plan.max_tokens;
    for (k = 0; k < g->n; k++) {
        minimax_model *rk = g->rank[k];
        size_t T = (size_t)m->plan.max_tokens, H = (size_t)cfg->hidden_size;
        minimax__cu.cuCtxSetCurrent(rk->ctx);
        for (i = 0; i < MINIMAX__MK_COUNT; i++)
            if ((r = minimax__mcheck(rk, minimax__cu.cuModuleGetFunction(&g->fn[k][i], rk->module, minimax__mg_kernel_names[i]),
                                     minimax__mg_kernel_names[i])) != MINIMAX_OK)
                goto fail;
        if (g->tp > 1) { /* the fused collectives' buffers (one token slot) */
            size_t sites = (size_t)3 * cfg->num_layers;
            int ssq_n = rk->plan.qkv_dim / MINIMAX__GEMV_ROWS(1); /* the q|k|v product's partial sums */
            g->fcap = ssq_n > cfg->hidden_size ? ssq_n : cfg->hidden_size;
            size_t words = sites * (size_t)g->n * (size_t)g->fcap;
            if ((r = minimax__dalloc(rk, words * 8 + 16, "fused all-reduce buffers", &g->recvf[k])) != MINIMAX_OK ||
                (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->recvf[k], 0, words * 8 + 16, rk->stream),
                                     "memset")) != MINIMAX_OK)
                goto fail;
            g->gen[k] = g->recvf[k] + words * 8; /* tags start at 1: the zeroed words match none */
        }
        if ((r = minimax__dalloc(rk, (size_t)2 * MINIMAX__MG_MAX * (size_t)g->cap * 4, "all-reduce buffers", &g->recv[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, (size_t)MINIMAX__MG_FLAG_INTS * 4, "flags", &g->flags[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, (size_t)MINIMAX__MG_SEQ_INTS * 4, "sequence numbers", &g->seq[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, T * 2 * 4, "QK sums of squares", &g->ss[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, T * 2 * 4, "QK sums of squares", &g->ss_part[k])) != MINIMAX_OK ||
            (r = minimax__dalloc(rk, T * H * 4, "partial sums", &rk->mg_part)) != MINIMAX_OK)
            goto fail;
        if ((r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->flags[k], 0, (size_t)MINIMAX__MG_FLAG_INTS * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->seq[k], 0, (size_t)MINIMAX__MG_SEQ_INTS * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(g->ss_part[k], 0, T * 2 * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuMemsetD8Async(rk->mg_part, 0, T * H * 4, rk->stream), "memset")) != MINIMAX_OK ||
            (r = minimax__mcheck(rk, minimax__cu.cuStreamSynchronize(rk->stream), "multi-GPU buffers")) != MINIMAX_OK)
            goto fail;
        g->peers.recv[k] = g->recv[k];
        g->peers.flag[k] = g->flags[k];
    }
    /* the head's gathered logits (tp) and the front's view of the head */
    {
        minimax_model *hd = g->rank[g->head];
        minimax__cu.cuCtxSetCurrent(hd->ctx);
        if (g->tp > 1) {
            if ((r = minimax__dalloc(hd, (size_t)m->plan.logits_rows * cfg->vocab_size * 4, "gathered logits", &g->logits)) != MINIMAX_OK ||
                (r = minimax__dalloc(hd, (size_t)m->plan.logits_rows * 4, "sampled ids", &g->sampled)) != MINIMAX_OK)
                goto fail;
            m->logits = g->logits;
            m->sampled = g->sampled;
        } else {
            m->logits = hd->logits;
            m->sampled = hd->sampled;
        }
        m->ctx = hd->ctx;
        m->dev = hd->dev;
        m->stream = hd->stream;
        m->num_sms = hd->num_sms;
        m->l2_prefetch_bytes = hd->l2_prefetch_bytes;
        m->fast_decode = hd->fast_decode;
        m->off_ids = hd->off_ids;
        m->off_pos = hd->off_pos;
        m->off_srow = hd->off_srow;
        m->off_rows = hd->off_rows;
        m->off_sp = hd->off_sp;
        m->step_in_bytes = hd->step_in_bytes;
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_in, m->step_in_bytes), "cuMemAllocHost")) !=
            MINIMAX_OK)
            goto fail;
        memset(m->h_in, 0, m->step_in_bytes);
        if ((r = minimax__mcheck(m, minimax__cu.cuMemAllocHost((void **)&m->h_bt, (size_t)m->plan.num_blocks * 4),
                                 "cuMemAllocHost")) != MINIMAX_OK)
            goto fail;
        memset(m->h_bt, 0, (size_t)m->plan.num_blocks * 4);
    }
    m->free_blocks = (int32_t *)minimax__alloc((size_t)m->plan.num_blocks * 4, "KV free list");
    m->sessions = (minimax_session **)minimax__alloc((size_t)m->plan.max_sessions * sizeof *m->sessions, "session table");
    m->graphs = (minimax__cu_graph_exec *)minimax__alloc((size_t)(m->plan.max_sessions + 1) * sizeof *m->graphs, "graphs");
    if (!m->free_blocks || !m->sessions || !m->graphs) {
        r = MINIMAX_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (i = 0; i < m->plan.num_blocks; i++) m->free_blocks[i] = m->plan.num_blocks - 1 - i;
    m->n_free = m->plan.num_blocks;
    /* info: the head's, with sums over the GPUs */
    m->info = g->rank[g->head]->info;
    m->info.weight_bytes = m->info.kv_bytes = m->info.scratch_bytes = 0;
    for (k = 0; k < g->n; k++) {
        m->info.weight_bytes += g->rank[k]->info.weight_bytes;
        m->info.kv_bytes += g->rank[k]->info.kv_bytes;
        m->info.scratch_bytes += g->rank[k]->info.scratch_bytes;
    }
    {
        size_t l = strlen(m->info.device_name);
        snprintf(m->info.device_name + l, sizeof m->info.device_name - l, " x %d", g->n);
    }
    m->info.graphs = !desc->disable_graphs;
    m->info.max_sessions = m->plan.max_sessions;
    m->info.max_context = m->plan.max_context;
    m->info.kv_block_tokens = m->plan.block_tokens;
    m->info.max_batch_tokens = m->plan.max_tokens;
    m->info.valid_vocab = m->plan.valid_vocab;
    m->info.gpus = g->n;
    m->info.tp = g->tp;
    for (k = 0; k < g->n; k++) m->info.layer_split[k] = g->lay.layer0[k + 1] - g->lay.layer0[k];
    if (g->tp > 1)
        for (k = 0; k < g->n; k++) m->info.layer_split[k] = cfg->num_layers;
    if ((r = minimax__progress(desc, 1.0f, "done")) != MINIMAX_OK) goto fail;
    m->info.load_ms = minimax__now_ms() - t0;
    minimax__cu.cuCtxSetCurrent(prev);
    *out = m;
    return MINIMAX_OK;
fail:
    m->ctx = NULL; /* the front owns no context; the ranks are freed by minimax__mg_destroy */
    m->stream = NULL;
    if (m->h_in || m->h_bt) {
        if (g->rank[g->head]) minimax__cu.cuCtxSetCurrent(g->rank[g->head]->ctx);
        if (m->h_in) minimax__cu.cuMemFreeHost(m->h_in);
        if (m->h_bt) minimax__cu.cuMemFreeHost(m->h_bt);
        m->h_in = NULL;
        m->h_bt = NULL;
    }
    minimax__model_destroy(m);
    if (minimax__cu.cuCtxSetCurrent) minimax__cu.cuCtxSetCurrent(prev);
    return r;
}

/* ---- benchmark and test support ---------------------------------------------------- */

/* Loads NCCL (dlopen) and makes one communicator over the model's GPUs with
   ncclCommInitAll. UNSUPPORTED with the reason when it is not there. */
MINIMAX__PRIV minimax_result minimax__mg_nccl_init(minimax_model *m) {
    minimax__mg *g = m->mg;
    minimax__nccl *nc;
    int rc;
    if (!g) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "NCCL: the model runs on one GPU");
    nc = &g->nccl;
    if (nc->have_comms) return MINIMAX_OK;
    if (!nc->lib) {
        void *p;
        nc->lib = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
        if (!nc->lib) return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "NCCL: dlopen(libnccl.so.2) failed: %s", dlerror());
#define MINIMAX__NSYM(field, name)                                                                                     \
    p = dlsym(nc->lib, name);                                                                                          \
    if (!p) return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "NCCL: libnccl.so.2 has no %s", name);                        \
    memcpy(&nc->field, &p, sizeof p);
        MINIMAX__NSYM(CommInitAll, "ncclCommInitAll")
        MINIMAX__NSYM(CommDestroy, "ncclCommDestroy")
        MINIMAX__NSYM(AllReduce, "ncclAllReduce")
        MINIMAX__NSYM(GroupStart, "ncclGroupStart")
        MINIMAX__NSYM(GroupEnd, "ncclGroupEnd")
        MINIMAX__NSYM(GetErrorString, "ncclGetErrorString")
#undef MINIMAX__NSYM
    }
    rc = nc->CommInitAll(nc->comm, g->n, g->lay.devices);
    minimax__cu.cuCtxSetCurrent(m->ctx);
    if (rc) return minimax__fail(MINIMAX_ERR_DEVICE, "ncclCommInitAll: %s", nc->GetErrorString(rc));
    nc->have_comms = 1;
    return MINIMAX_OK;
}

/* Enqueues `reps` all-reduces of n floats (the engine's kernel, or NCCL, or
   the kernel with no exchange) on every rank; graph = capture them into one
   graph per rank and launch those. */
typedef struct minimax__mg_ar_bench {
    double us_own, us_local, us_nccl, us_nccl_graph; /* per all-reduce; < 0 = not measured */
    char nccl_note[256];
} minimax__mg_ar_bench;

MINIMAX__PRIV minimax_result minimax__mg_ar_enqueue(minimax_model *m, int how, int n, int reps) {
    minimax__mg *g = m->mg;
    minimax_result r = MINIMAX_OK;
    int k, i;
    if (how == 2) {
        for (i = 0; i < reps && r == MINIMAX_OK; i++) {
            int rc;
            g->nccl.GroupStart();
            for (k = 0; k < g->n; k++) {
                minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
                g->nccl.AllReduce((const void *)(uintptr_t)g->rank[k]->mg_part, (void *)(uintptr_t)g->rank[k]->hn,
                                  (size_t)n, 7, 0, g->nccl.comm[k], g->rank[k]->stream);
            }
            rc = g->nccl.GroupEnd();
            if (rc) r = minimax__fail(MINIMAX_ERR_DEVICE, "ncclAllReduce: %s", g->nccl.GetErrorString(rc));
        }
        return r;
    }
    g->dbg_local = how == 1;
    for (i = 0; i < reps && r == MINIMAX_OK; i++)
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__mg_allreduce(g->rank[k], g->rank[k]->hn, g->rank[k]->mg_part, n, 0);
        }
    g->dbg_local = 0;
    return r;
}

/* Median time per all-reduce of n floats (n <= max_batch_tokens x hidden):
   how 0 = the engine's kernel, 1 = the same with no exchange, 2 = NCCL; in
   CUDA graphs of `reps` calls per rank (graph = 1) or eager. The time of a
   round is the slowest rank's. */
MINIMAX__PRIV minimax_result minimax__mg_time_ar(minimax_model *m, int how, int n, int reps, int graph, double *us) {
    minimax__mg *g = m->mg;
    minimax__cu_graph_exec ex[MINIMAX__MG_MAX];
    minimax__cu_event e0[MINIMAX__MG_MAX], e1[MINIMAX__MG_MAX];
    float t[9];
    minimax_result r = MINIMAX_OK;
    int k, it;
    memset(ex, 0, sizeof ex);
    memset(e0, 0, sizeof e0);
    memset(e1, 0, sizeof e1);
    for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
        minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
        r = minimax__cu_check(minimax__cu.cuEventCreate(&e0[k], 0), "cuEventCreate");
        if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuEventCreate(&e1[k], 0), "cuEventCreate");
    }
    if (r == MINIMAX_OK && graph) {
        /* NCCL's group call spans the streams of all ranks: capture them all at once */
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__cu_check(minimax__cu.cuStreamBeginCapture(g->rank[k]->stream, 2 /* RELAXED */), "cuStreamBeginCapture");
        }
        if (r == MINIMAX_OK) r = minimax__mg_ar_enqueue(m, how, n, reps);
        for (k = 0; k < g->n; k++) {
            minimax__cu_graph gr = NULL;
            minimax__cu_result cr;
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            cr = minimax__cu.cuStreamEndCapture(g->rank[k]->stream, &gr);
            if (r == MINIMAX_OK) r = minimax__cu_check(cr, "cuStreamEndCapture");
            if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuGraphInstantiate(&ex[k], gr, 0), "cuGraphInstantiate");
            if (gr) minimax__cu.cuGraphDestroy(gr);
        }
    }
    for (it = 0; it < 9 && r == MINIMAX_OK; it++) {
        float worst = 0;
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__cu_check(minimax__cu.cuEventRecord(e0[k], g->rank[k]->stream), "cuEventRecord");
        }
        if (r != MINIMAX_OK) break;
        if (graph)
            for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
                minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
                r = minimax__cu_check(minimax__cu.cuGraphLaunch(ex[k], g->rank[k]->stream), "cuGraphLaunch");
            }
        else
            r = minimax__mg_ar_enqueue(m, how, n, reps);
        for (k = 0; k < g->n && r == MINIMAX_OK; k++) {
            float ms = 0;
            minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
            r = minimax__cu_check(minimax__cu.cuEventRecord(e1[k], g->rank[k]->stream), "cuEventRecord");
            if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuEventSynchronize(e1[k]), "all-reduce timing");
            if (r == MINIMAX_OK) r = minimax__cu_check(minimax__cu.cuEventElapsedTime(&ms, e0[k], e1[k]), "cuEventElapsedTime");
            if (ms > worst) worst = ms;
        }
        t[it] = worst;
    }
    if (r == MINIMAX_OK) *us = 1000.0 * minimax__median(t, 9) / reps;
    if (r == MINIMAX_OK && *g->status) r = minimax__fail(MINIMAX_ERR_DEVICE, "all-reduce benchmark: a wait timed out");
    for (k = 0; k < g->n; k++) {
        minimax__cu.cuCtxSetCurrent(g->rank[k]->ctx);
        if (ex[k]) minimax__cu.cuGraphExecDestroy(ex[k]);
        if (e0[k]) minimax__cu.cuEventDestroy(e0[k]);
        if (e1[k]) minimax__cu.cuEventDestroy(e1[k]);
    }
    minimax__cu.cuCtxSetCurrent(m->ctx);
    return r;
}

/* ---- a tensor-parallel copy of a one-GPU model (tests, benchmark) ------------------
   minimax__weights_fill_fn whose user is a one-GPU model (e.g. synthetic
   weights made on the GPU): each rank copies its shard of every weight
   straight from that model's memory (peer reads by k_mg_copy2d on the rank's
   GPU), so a tp model and the one-GPU model hold the same numbers. */
MINIMAX__PRIV minimax_result minimax__mg_copy2d(minimax_model *m, minimax__cu_function fn, minimax__cu_ptr src,
                                                long long pitch, long long width, long long rows, minimax__cu_ptr dst) {
    long long n = rows * width;
    unsigned B = (unsigned)((n + 255) / 256 < 4096 ? (n + 255) / 256 : 4096);
    void *a[5];
    a[0] = &src;
    a[1] = &pitch;
    a[2] = &dst;
    a[3] = &width;
    a[4] = &rows;
    if (B < 1) B = 1;
    return minimax__launch_fn(m, fn, "k_mg_copy2d", B, 1, 1, 256, 0, m->stream, a);
}

MINIMAX__PRIV minimax_result minimax__mg_fill_from_ref(minimax_model *m, void *user) {
    const minimax_model *ref = (const minimax_model *)user;
    const minimax_config *c = &m->cfg, *rc = &ref->cfg;
    int tp = rc->num_heads / c->num_heads, r = m->mg_rank, L, pass;
    long long H = c->hidden_size, NI = c->intermediate_size, E = c->num_experts, NIg = rc->intermediate_size;
    long long qd = (long long)c->num_heads * c->head_dim, kd = (long long)c->num_kv_heads * c->head_dim;
    long long qdg = qd * tp, kdg = kd * tp, V = c->vocab_size, v0 = (long long)r * ((rc->vocab_size + tp - 1) / tp);
    minimax__cu_function fn;
    minimax__cu_result cr;
    minimax_result res;
    if (tp < 2 || r < 0 || c->num_layers != rc->num_layers)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "copy of a model: tensor-parallel ranks only");
    {
        const minimax__jit_target *tm = minimax__jit_target_find(m->info.arch), *tr = minimax__jit_target_find(ref->info.arch);
        if (!tm || !tr || tm->fp4_hw != tr->fp4_hw)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "copy of a model: its experts are held in the FP4 layout of "
                                 "'%s', this GPU's kernels ('%s') read another (kernels.cu k_fp4_layout)",
                                 ref->info.arch, m->info.arch);
    }
    if ((res = minimax__mcheck(m, minimax__cu.cuModuleGetFunction(&fn, m->module, "k_mg_copy2d"), "k_mg_copy2d")) != MINIMAX_OK)
        return res;
    if (m->dev != ref->dev) {
        cr = minimax__cu.cuCtxEnablePeerAccess(ref->ctx, 0);
        if (cr != 0 && cr != 704 && (res = minimax__cu_check(cr, "cuCtxEnablePeerAccess")) != MINIMAX_OK) return res;
    }
    m->layers = (minimax__dev_layer *)minimax__alloc((size_t)c->num_layers * sizeof *m->layers, "layer table");
    if (!m->layers) return MINIMAX_ERR_OUT_OF_MEMORY;
    memset(m->layers, 0, (size_t)c->num_layers * sizeof *m->layers);
#define MINIMAX__C(dstp, bytes, srcp, pitch, width, rows)                                                              \
    do {                                                                                                               \
        if ((res = minimax__dalloc(m, (size_t)(bytes), "copied weights", (dstp))) != MINIMAX_OK) return res;            \
        if ((res = minimax__mg_copy2d(m, fn, (srcp), (pitch), (width), (rows), *(dstp))) != MINIMAX_OK) return res;     \
    } while (0)
    MINIMAX__C(&m->embed, V * H * 2, ref->embed + (size_t)(v0 * H * 2), H * 2, H * 2, V);
    MINIMAX__C(&m->lm_head, V * H * 2, ref->lm_head + (size_t)(v0 * H * 2), H * 2, H * 2, V);
    MINIMAX__C(&m->final_norm, H * 4, ref->final_norm, H * 4, H * 4, 1);
    for (L = 0; L < c->num_layers; L++) {
        minimax__dev_layer *ly = &m->layers[L];
        const minimax__dev_layer *sl = &ref->layers[L];
        long long rb = sl->router_f32 ? 4 : 2;
        MINIMAX__C(&ly->in_norm, H * 4, sl->in_norm, H * 4, H * 4, 1);
        MINIMAX__C(&ly->post_norm, H * 4, sl->post_norm, H * 4, H * 4, 1);
        MINIMAX__C(&ly->q_norm, qd * 4, sl->q_norm + (size_t)(r * qd * 4), qd * 4, qd * 4, 1);
        MINIMAX__C(&ly->k_norm, kd * 4, sl->k_norm + (size_t)(r * kd * 4), kd * 4, kd * 4, 1);
        ly->router_f32 = sl->router_f32;
        MINIMAX__C(&ly->router, E * H * rb, sl->router, E * H * rb, E * H * rb, 1);
        MINIMAX__C(&ly->router_bias, E * 4, sl->router_bias, E * 4, E * 4, 1);
        if ((res = minimax__dalloc(m, (size_t)((qd + 2 * kd) * H * 2), "copied weights", &ly->wqkv)) != MINIMAX_OK) return res;
        if ((res = minimax__mg_copy2d(m, fn, sl->wqkv + (size_t)(r * qd * H * 2), qd * H * 2, qd * H * 2, 1, ly->wqkv)) != MINIMAX_OK ||
            (res = minimax__mg_copy2d(m, fn, sl->wqkv + (size_t)((qdg + r * kd) * H * 2), kd * H * 2, kd * H * 2, 1,
                                      ly->wqkv + (size_t)(qd * H * 2))) != MINIMAX_OK ||
            (res = minimax__mg_copy2d(m, fn, sl->wqkv + (size_t)((qdg + kdg + r * kd) * H * 2), kd * H * 2, kd * H * 2, 1,
                                      ly->wqkv + (size_t)((qd + kd) * H * 2))) != MINIMAX_OK)
            return res;
        MINIMAX__C(&ly->wo, H * qd * 2, sl->wo + (size_t)(r * qd * 2), qdg * 2, qd * 2, H);
        for (pass = 0; pass < 3; pass++) {
            minimax__cu_ptr sp = pass == 0 ? sl->w1p : pass == 1 ? sl->w3p : sl->w2p;
            minimax__cu_ptr ss = pass == 0 ? sl->w1s : pass == 1 ? sl->w3s : sl->w2s;
            minimax__cu_ptr sw = pass == 0 ? sl->ws2_1 : pass == 1 ? sl->ws2_3 : sl->ws2_2;
            minimax__cu_ptr *pp = pass == 0 ? &ly->w1p : pass == 1 ? &ly->w3p : &ly->w2p;
            minimax__cu_ptr *ps = pass == 0 ? &ly->w1s : pass == 1 ? &ly->w3s : &ly->w2s;
            minimax__cu_ptr *pw = pass == 0 ? &ly->ws2_1 : pass == 1 ? &ly->ws2_3 : &ly->ws2_2;
            if (pass < 2) { /* [E][NIg][H]: rows [r*NI, +NI) of each expert */
                MINIMAX__C(pp, E * NI * H / 2, sp + (size_t)(r * NI * H / 2), NIg * H / 2, NI * H / 2, E);
                MINIMAX__C(ps, E * NI * H / 16, ss + (size_t)(r * NI * H / 16), NIg * H / 16, NI * H / 16, E);
            } else { /* [E][H][NIg]: columns [r*NI, +NI) of every row */
                MINIMAX__C(pp, E * H * NI / 2, sp + (size_t)(r * NI / 2), NIg / 2, NI / 2, E * H);
                MINIMAX__C(ps, E * H * NI / 16, ss + (size_t)(r * NI / 16), NIg / 16, NI / 16, E * H);
            }
            MINIMAX__C(pw, E * 4, sw, E * 4, E * 4, 1);
        }
    }
#undef MINIMAX__C
    return minimax__mcheck(m, minimax__cu.cuStreamSynchronize(m->stream), "copy of a model");
}

/* ===========================================================================
   IMPLEMENTATION: Unicode character classes for the tokenizer (GENERATED)
   ===========================================================================
   Generated by tools/gen_unicode.py from Unicode 16.0.0 (general categories of
   UnicodeData.txt via unicodedata2 16.0.0; White_Space of PropList.txt), the
   version of the Oniguruma tables in Hugging Face `tokenizers`. Do not edit.
   Class of code point c: minimax__uni_blocks[minimax__uni_index[c >> 7]][c & 127]
   0 other, 1 Lu, 2 Ll, 3 Lt, 4 Lm, 5 Lo, 6 M (Mn Mc Me), 7 N (Nd Nl No),
   8 White_Space (no white-space character is also L, M or N). */

#define MINIMAX__UNI_BLOCK 128
static const uint16_t minimax__uni_index[8704] = {
    0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,
    16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,
    32,33,34,34,35,36,37,38,39,34,34,34,40,41,42,43,
    44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,
    60,61,62,63,64,64,64,64,65,66,64,64,64,64,67,68,
    64,64,64,64,64,64,64,64,69,70,71,72,73,64,64,64,
    74,75,76,77,78,79,64,64,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,80,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    81,34,34,34,34,34,34,34,34,82,34,34,83,84,85,86,
    87,88,89,90,91,92,93,94,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,95,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,34,34,96,97,98,99,34,34,100,101,102,103,104,105,
    106,107,108,109,64,110,111,112,113,114,115,116,34,34,117,118,
    119,120,121,122,123,124,125,126,127,128,129,130,131,132,133,134,
    135,136,137,138,139,140,141,142,143,144,64,145,146,147,148,64,
    149,150,151,152,153,154,64,155,156,157,158,159,64,160,161,162,
    34,34,34,34,34,34,34,163,164,34,165,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,166,
    34,34,34,34,34,34,34,34,167,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,107,34,34,34,34,168,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,169,64,64,64,64,64,64,64,64,64,64,64,64,64,
    34,34,34,34,170,171,172,173,64,64,174,64,175,176,177,178,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,179,
    34,34,34,34,34,34,34,34,34,180,181,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,182,
    34,34,183,34,34,184,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,185,186,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,187,64,64,64,64,188,64,
    64,64,189,190,191,192,193,64,194,195,196,197,198,199,200,201,
    64,64,64,64,202,203,64,64,64,64,64,64,64,64,204,64,
    205,206,207,64,64,208,64,64,64,209,64,210,64,64,64,211,
    34,212,213,64,64,64,64,64,214,215,216,64,217,218,64,64,
    64,64,219,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,187,64,64,64,64,64,64,64,64,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,220,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,221,34,
    222,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,223,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,224,34,34,34,34,225,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    34,34,34,34,226,64,64,64,64,64,64,64,64,64,64,64,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,227,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,34,
    34,34,34,34,34,34,34,228,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,229,230,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
    64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,
};

static const uint8_t minimax__uni_blocks[231][128] = {
    {0,0,0,0,0,0,0,0,0,8,8,8,8,8,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0},
    {0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,5,0,0,0,0,0,0,0,7,7,0,2,0,0,0,7,5,0,7,7,7,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,2,2},
    {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,1,2,1,2,1,2,2},
    {2,1,1,2,1,2,1,1,2,1,1,1,2,2,1,1,1,1,2,1,1,2,1,1,1,2,2,2,1,1,2,1,1,2,1,2,1,2,1,1,2,1,2,2,1,2,1,1,2,1,1,1,2,1,2,1,1,2,2,5,1,2,2,2,5,5,5,5,1,3,2,1,3,2,1,3,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,1,3,2,1,2,1,1,1,2,1,2,1,2,1,2},
    {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,2,2,2,2,2,1,1,2,1,1,2,2,1,2,1,1,1,1,2,1,2,1,2,1,2,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,5,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,0,0,0,0,4,4,4,4,4,4,4,4,4,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,4,4,4,0,0,0,0,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,1,2,1,2,4,0,1,2,0,0,4,2,2,2,0,1},
    {0,0,0,0,0,0,1,0,1,1,1,0,1,0,1,1,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,2,2,1,1,1,2,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,2,2,2,1,2,0,1,2,1,1,2,2,1,1,1},
    {1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2},
    {1,2,0,6,6,6,6,6,6,6,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2},
    {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,4,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {2,2,2,2,2,2,2,2,2,0,0,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,6,0,6,6,0,6,6,0,6,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,7,7,7,7,7,7,7,7,7,7,0,0,0,0,5,5,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,6,6,6,6,6,6,6,0,0,6,6,6,6,6,6,4,4,6,6,0,6,6,6,6,5,5,7,7,7,7,7,7,7,7,7,7,5,5,5,0,0,5},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,4,4,0,0,0,0,4,0,0,6,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,4,6,6,6,6,6,6,6,6,6,4,6,6,6,4,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,0,0,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6},
    {6,6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,6,6,6,6,6,6,6,5,5,5,5,5,5,5,5,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,0,4,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,6,6,6,0,5,5,5,5,5,5,5,5,0,0,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,0,0,0,5,5,5,5,0,0,6,5,6,6,6,6,6,6,6,0,0,6,6,0,0,6,6,6,5,0,0,0,0,0,0,0,0,6,0,0,0,0,5,5,0,5,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,5,5,0,0,7,7,7,7,7,7,0,0,5,0,6,0},
    {0,6,6,6,0,5,5,5,5,5,5,0,0,0,0,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,0,5,5,0,5,5,0,0,6,0,6,6,6,6,6,0,0,0,0,6,6,0,0,6,6,6,0,0,0,6,0,0,0,0,0,0,0,5,5,5,5,0,5,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,6,6,5,5,5,6,0,0,0,0,0,0,0,0,0,0},
    {0,6,6,6,0,5,5,5,5,5,5,5,5,5,0,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,0,5,5,5,5,5,0,0,6,5,6,6,6,6,6,6,6,6,0,6,6,6,0,6,6,6,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,5,6,6,6,6,6,6},
    {0,6,6,6,0,5,5,5,5,5,5,5,5,0,0,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,0,5,5,5,5,5,0,0,6,5,6,6,6,6,6,6,6,0,0,6,6,0,0,6,6,6,0,0,0,0,0,0,0,6,6,6,0,0,0,0,5,5,0,5,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,0,5,7,7,7,7,7,7,0,0,0,0,0,0,0,0},
    {0,0,6,5,0,5,5,5,5,5,5,0,0,0,5,5,5,0,5,5,5,5,0,0,0,5,5,0,5,0,5,5,0,0,0,5,5,0,0,0,5,5,5,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,6,6,6,6,6,0,0,0,6,6,6,0,6,6,6,6,0,0,5,0,0,0,0,0,0,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,6,6,6,5,5,5,5,5,5,5,5,0,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,6,5,6,6,6,6,6,6,6,0,6,6,6,0,6,6,6,6,0,0,0,0,0,0,0,6,6,0,5,5,5,0,0,5,0,0,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,0},
    {5,6,6,6,0,5,5,5,5,5,5,5,5,0,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,0,0,6,5,6,6,6,6,6,6,6,0,6,6,6,0,6,6,6,6,0,0,0,0,0,0,0,6,6,0,0,0,0,0,0,5,5,0,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,0,5,5,6,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,6,6,5,5,5,5,5,5,5,5,5,0,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,5,6,6,6,6,6,6,6,0,6,6,6,0,6,6,6,6,5,0,0,0,0,0,5,5,5,6,7,7,7,7,7,7,7,5,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,5,5,5,5,5,5},
    {0,6,6,6,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,0,5,0,0,5,5,5,5,5,5,5,0,0,0,6,0,0,0,0,6,6,6,6,6,6,0,6,0,6,6,6,6,6,6,6,6,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,6,6,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,5,5,6,6,6,6,6,6,6,0,0,0,0,0,5,5,5,5,5,5,4,6,6,6,6,6,6,6,6,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,5,5,0,5,0,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,0,5,5,5,5,5,5,5,5,5,5,6,5,5,6,6,6,6,6,6,6,6,6,5,0,0,5,5,5,5,5,0,4,0,6,6,6,6,6,6,6,0,7,7,7,7,7,7,7,7,7,7,0,0,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,6,0,6,0,6,0,0,0,0,6,6,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6},
    {6,6,6,6,6,0,6,6,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,5,5,5,5,5,5,6,6,6,6,5,5,5,5,6,6,6,5,6,6,6,5,5,6,6,6,6,6,6,6,5,5,5,6,6,6,6,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,6,6,6,6,6,6,6,6,6,6,6,6,5,6,7,7,7,7,7,7,7,7,7,7,6,6,6,6,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,0,0,0,0,0,1,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,4,2,2,2},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,0,0,5,5,5,5,5,5,5,0,5,0,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,0,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,0,0,5,5,5,5,5,5,5,0,5,0,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,6,6,6,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,2,2,2,2,2,2,0,0},
    {0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {8,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,7,7,7,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,0,6,6,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,4,0,0,0,0,5,6,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,6,6,6,0,6,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0},
    {5,5,5,5,5,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,5,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,6},
    {7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,5,5,5,5,5,5,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,7,7,7,7,7,7,7,7,7,7,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,5,5,5,7,7,7,7,7,7,7,7,7,7,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,4,4,4,4,4,0,0},
    {2,2,2,2,2,2,2,2,2,1,2,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,5,5,6,5,5,5,5,5,5,6,5,5,6,6,6,5,0,0,0,0,0},
    {2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,2,2,2,2,2,2,2,2,2,2,2,2,2,4,2,2,2,2,2,2,2},
    {2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6},
    {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2},
    {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,2,2,2,2,2,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2},
    {2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,2,2,2,2,2,2,0,0,1,1,1,1,1,1,0,0,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,2,2,2,2,2,2,0,0,1,1,1,1,1,1,0,0,2,2,2,2,2,2,2,2,0,1,0,1,0,1,0,1,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0},
    {2,2,2,2,2,2,2,2,3,3,3,3,3,3,3,3,2,2,2,2,2,2,2,2,3,3,3,3,3,3,3,3,2,2,2,2,2,2,2,2,3,3,3,3,3,3,3,3,2,2,2,2,2,0,2,2,1,1,1,1,3,0,2,0,0,0,2,2,2,0,2,2,1,1,1,1,3,0,0,0,2,2,2,2,0,0,2,2,1,1,1,1,0,0,0,0,2,2,2,2,2,2,2,2,1,1,1,1,1,0,0,0,0,0,2,2,2,0,2,2,1,1,1,1,3,0,0,0},
    {8,8,8,8,8,8,8,8,8,8,8,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,8,8,0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,4,0,0,7,7,7,7,7,7,0,0,0,0,0,4},
    {7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,4,4,4,4,4,4,4,4,4,4,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,1,0,0,0,0,1,0,0,2,1,1,1,2,2,1,1,1,2,0,1,0,0,0,1,1,1,1,1,0,0,0,0,0,0,1,0,1,0,1,0,1,1,1,1,0,2,1,1,1,1,2,5,5,5,5,2,0,0,2,2,1,1,0,0,0,0,0,1,2,2,2,2,0,0,0,0,2,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7},
    {7,7,7,1,2,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7},
    {7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7},
    {7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,2,1,1,1,2,2,1,2,1,2,1,2,1,1,1,1,2,1,2,2,1,2,2,2,2,2,2,4,4,1,1},
    {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,0,0,0,0,0,0,1,2,1,2,6,6,6,1,2,0,0,0,0,0,0,0,0,0,7,0,0},
    {2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,2,0,0,0,0,0,2,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {8,0,0,0,0,4,5,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,6,6,6,6,6,6,0,4,4,4,4,4,0,0,7,7,7,4,5,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,6,6,0,0,4,4,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,4,4,4,5},
    {0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,7,7,7,7,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,4,4,4,4,4,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,4,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,7,7,7,7,7,7,7,7,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,5,6,6,6,6,0,6,6,6,6,6,6,6,6,6,6,0,4},
    {1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,4,4,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,7,7,7,7,7,7,7,7,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,4,4,4,4,4,4,4,0,0,1,2,1,2,1,2,1,2,1,2,1,2,1,2,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,4,2,2,2,2,2,2,2,2,1,2,1,2,1,1,2},
    {1,2,1,2,1,2,1,2,4,0,0,1,2,1,2,5,1,2,1,2,2,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,1,1,1,1,2,1,1,1,1,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,1,1,1,2,1,2,1,1,2,0,0,1,2,0,2,0,2,1,2,1,2,1,2,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,4,1,2,5,4,4,2,5,5,5,5,5},
    {5,5,6,5,5,5,6,5,5,5,5,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,0,0,0,0,6,0,0,0,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,5,5,5,5,0,0,0,5,0,5,5,6},
    {7,7,7,7,7,7,7,7,7,7,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0},
    {6,6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,5,5,5,5,5,6,4,5,5,5,5,5,5,5,5,5,7,7,7,7,7,7,7,7,7,7,5,5,5,5,5,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,5,5,5,6,5,5,5,5,5,5,5,5,6,6,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,5,5,5,5,5,5,0,0,0,5,6,6,6,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,5,6,6,6,5,5,6,6,5,5,5,5,5,6,6,5,6,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,4,0,0,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,0,0,5,4,4,6,6,0,0,0,0,0,0,0,0,0},
    {0,5,5,5,5,5,5,0,0,5,5,5,5,5,5,0,0,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,4,4,4,4,2,2,2,2,2,2,2,2,2,4,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,0,6,6,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {2,2,2,2,2,2,2,0,0,0,0,0,0,0,0,0,0,0,0,2,2,2,2,2,0,0,0,0,0,5,6,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,0,5,0,5,5,0,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0},
    {6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,4,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,4,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,5,5,5,5,5,5,0,0,5,5,5,5,5,5,0,0,5,5,5,5,5,5,0,0,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0},
    {0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,7,7,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,5,5,5,5,5,5,5,5,7,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,5,5,5,5,5,5,5,5,0,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1},
    {1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,0,1,1,0,2,2,2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,2,0,2,2,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {4,4,4,4,4,4,0,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,0,4,4,4,4,4,4,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,0,0,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,0,0,0,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,7,7,7,7,7,7,7,7,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,7,7,7,7,7,7,7},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,0,0,0,0,0,7,7,7,7,7},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,7,7,7,7,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,7,7,5,5,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7},
    {5,6,6,6,0,6,6,0,0,0,0,0,6,6,6,6,5,5,5,5,0,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,6,6,6,0,0,0,0,6,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,0,0,0,0,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,7,7,7,7,7,7,7,7,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,7,7,7,7,7,7,7,7},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0,0,0,7,7,7,7,7,7},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,5,5,5,5,4,5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,6,6,6,6,6,0,4,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {2,2,2,2,2,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,6,6,0,0,0,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,7,7,7,7,7,7,7,7,5,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0},
    {6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,6,5,5,6,6,5,0,0,0,0,0,0,0,0,0,6},
    {6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,6,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,5,6,6,5,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,0,0,5,0,0,0,0,0,0,0,0,0},
    {6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,5,5,0,0,0,0,6,6,6,6,0,6,6,7,7,7,7,7,7,7,7,7,7,5,0,5,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,6,5,5,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,0,5,0,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {6,6,6,6,0,5,5,5,5,5,5,5,5,0,0,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,0,5,5,5,5,5,0,6,6,5,6,6,6,6,6,6,6,0,0,6,6,0,0,6,6,6,0,0,5,0,0,0,0,0,0,6,0,0,0,0,0,5,5,5,5,5,6,6,0,0,6,6,6,6,6,6,6,0,0,0,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,0,5,0,0,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,6,6,6,6,6,6,6,6,6,0,6,0,0,6,0,6,6,6,6,0,6,6,6,6,6,5,6,5,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,5,5,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,6,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,0,5,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,0,0,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,5,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,5},
    {5,5,5,5,5,5,5,0,0,5,0,0,5,5,5,5,5,5,5,5,0,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,0,6,6,0,0,6,6,6,6,5,6,5,6,6,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,0,0,6,6,6,6,6,6,6,5,0,5,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,6,6,6,6,6,6,6,6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,5,6,6,6,6,0,0,0,0,0,0,0,0,6,0,0,0,0,0,0,0,0,5,6,6,6,6,6,6,6,6,6,6,6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,0,6,6,6,6,6,6,6,6,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,0,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,0,0,0,6,0,6,6,0,6,6,6,6,6,6,6,5,6,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,5,5,5,5,5,5,0,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,0,6,6,0,6,6,6,6,6,5,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,0,0,0,0,0,0,0,0,0},
    {6,6,5,6,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,0,0,0,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,4,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,7,7,7,7,7,7,7,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,4,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,4,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,6,5,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6},
    {6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,6,6,6,6,4,4,4,4,4,4,4,4,4,4,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,0,4,6,0,0,0,0,0,0,0,0,0,0,0,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5},
    {5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,4,4,0,4,4,4,4,4,4,4,0,4,4,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0},
    {5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,0,0,0,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6,6,0,0,0,6,6,6,6,6,6,0,0,0,0,0,0,0,0,6,6,6,6,6},
    {6,6,6,0,0,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0},
    {1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1},
    {1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,0,1,1,0,0,1,0,0,1,1,0,0,1,1,1,1,0,1,1,1,1,1,1,1,1,2,2,2,2,0,2,0,2,2,2,2,2,2,2,0,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {2,2,2,2,1,1,0,1,1,1,1,0,0,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,0,1,1,1,1,0,1,1,1,1,1,0,1,0,0,0,1,1,1,1,1,1,1,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1},
    {1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1},
    {1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,2,2,2,2},
    {2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2},
    {2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,2,2,2,2,2,2,1,2,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7},
    {6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,6,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,6,6,6,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {2,2,2,2,2,2,2,2,2,2,5,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0,0,2,2,2,2,2,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,6,6,6,6,6,0,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,6,6,6,6,6,6,6,0,6,6,0,6,6,6,6,6,0,0,0,0,0,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,6,6,6,6,6,6,6,4,4,4,4,4,4,4,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,4,6,6,6,6,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6,6,5,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,0,5,5,5,5,0,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,7,7,7,7,7,7,7,7,7,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,6,6,6,6,6,6,6,4,0,0,0,0,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7},
    {7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,7,7,7,0,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,5,5,0,5,0,0,5,0,5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,0,5,0,5,0,0,0,0,0,0,5,0,0,0,0,5,0,5,0,5,0,5,5,5,0,5,5,0,5,0,0,5,0,5,0,5,0,5,0,5,0,5,5,0,5,0,0,5,5,5,5,0,5,5,5,5,5,5,5,0,5,5,5,5,0,5,5,5,5,0,5,0},
    {5,5,5,5,5,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,5,5,5,0,5,5,5,5,5,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {7,7,7,7,7,7,7,7,7,7,7,7,7,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5},
    {5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
    {6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6},
    {6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0},
};

/* ===========================================================================
   IMPLEMENTATION: tokenizer (Hugging Face tokenizer.json, byte-level BPE)
   ===========================================================================
   Encoding, as Hugging Face `tokenizers` does it for MiniMax-M2:
     1. added tokens (only with MINIMAX_TOKENIZE_SPECIAL): leftmost-longest
        matches of their exact text split the input; first the tokens with
        "normalized": false, then, inside the gaps, those with true (HF's two
        passes; with no normalizer the texts are the same);
     2. pre-tokenizer: the Split regex of the file (Isolated: every match is a
        piece; this pattern matches at every position, so there are no gaps),
        implemented by a hand-written matcher for the o200k-style pattern
        below (the only one accepted: any other fails MINIMAX_ERR_UNSUPPORTED);
     3. byte-level BPE on each piece: each byte starts as its byte token, then
        the lowest-rank merge among adjacent pairs is applied, leftmost first,
        until none applies (a heap of (rank, position) as HF's word.rs;
        "ignore_merges": true first looks the whole piece up in the vocabulary).
   Internally every token is held as its raw bytes (the GPT-2 byte-to-char
   alphabet of the file is decoded once at load), so nothing is converted to
   that alphabet while encoding.

   Invalid UTF-8 (HF cannot receive it: Python strings and Rust &str are valid
   Unicode) is our own behaviour: a byte that does not start a valid, complete,
   shortest-form sequence of a scalar value is one symbol of class "other"
   (like a punctuation character that is not \s, \p{L} or \p{N}) and encodes
   through its byte token, so decode(encode(x)) == x for every byte string.

   Thread safety: the tokenizer is immutable after loading; scratch memory is
   per call. */

/* The one pre-tokenizer pattern implemented (MiniMax-M2, GPT-4o o200k style). */
static const char minimax__o200k_pattern[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/* Character classes of impl_60_unicode.h, as bit masks for the regex sets. */
enum {
    MINIMAX__UC_OTHER = 0, MINIMAX__UC_LU, MINIMAX__UC_LL, MINIMAX__UC_LT, MINIMAX__UC_LM, MINIMAX__UC_LO,
    MINIMAX__UC_M, MINIMAX__UC_N, MINIMAX__UC_SPACE
};
#define MINIMAX__UB(c) (1u << (c))
/* [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] */
#define MINIMAX__SET_A (MINIMAX__UB(MINIMAX__UC_LU) | MINIMAX__UB(MINIMAX__UC_LT) | MINIMAX__UB(MINIMAX__UC_LM) | MINIMAX__UB(MINIMAX__UC_LO) | MINIMAX__UB(MINIMAX__UC_M))
/* [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
#define MINIMAX__SET_B (MINIMAX__UB(MINIMAX__UC_LL) | MINIMAX__UB(MINIMAX__UC_LM) | MINIMAX__UB(MINIMAX__UC_LO) | MINIMAX__UB(MINIMAX__UC_M))
#define MINIMAX__SET_L (MINIMAX__UB(MINIMAX__UC_LU) | MINIMAX__UB(MINIMAX__UC_LL) | MINIMAX__UB(MINIMAX__UC_LT) | MINIMAX__UB(MINIMAX__UC_LM) | MINIMAX__UB(MINIMAX__UC_LO))
/* [^\s\p{L}\p{N}] */
#define MINIMAX__SET_Q (MINIMAX__UB(MINIMAX__UC_OTHER) | MINIMAX__UB(MINIMAX__UC_M))
#define MINIMAX__SET_S MINIMAX__UB(MINIMAX__UC_SPACE)

/* One symbol (code point, or one invalid byte) of a segment being split. */
typedef struct minimax__sym {
    uint32_t off; /* byte offset in the segment */
    int32_t cp;   /* code point, -1 for an invalid byte */
    uint32_t bit; /* MINIMAX__UB(class) */
} minimax__sym;

typedef struct minimax__added {
    int32_t id;
    uint32_t off, len; /* content in tok->blob */
    int normalized;
} minimax__added;

struct minimax_tokenizer {
    int32_t n_ids;          /* highest id + 1 */
    uint32_t *tok_off;      /* [n_ids] raw bytes of id in blob */
    uint32_t *tok_len;      /* [n_ids] UINT32_MAX: no such id */
    char *blob;
    size_t blob_len, max_token_bytes;
    /* raw bytes -> id of the model vocabulary (open addressing, id+1, 0 = empty) */
    int32_t *str_slots;
    size_t str_mask;
    /* merges: (left id << 32 | right id) -> rank, merged id */
    uint64_t *merge_keys; /* UINT64_MAX = empty */
    uint32_t *merge_rank;
    int32_t *merge_new;
    size_t merge_mask;
    int32_t byte_id[256];  /* the token of each single byte */
    int ignore_merges;
    minimax__added *added; /* sorted by first byte, then longest first */
    int n_added;
    int added_first[257];  /* added[added_first[b] .. added_first[b+1]) start with byte b */
};

/* ---- GPT-2 byte-level alphabet ----------------------------------------
   Bytes 33..126, 161..172 and 174..255 are the code points of the same
   value; the other 68 bytes, in order, are U+0100 upwards. */
MINIMAX__PRIV void minimax__bytelevel_table(int16_t *cp_to_byte /* [324] */) {
    int b, n = 0;
    for (b = 0; b < 324; b++) cp_to_byte[b] = -1;
    for (b = 0; b < 256; b++) {
        int self = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
        if (self) cp_to_byte[b] = (int16_t)b;
        else cp_to_byte[256 + n++] = (int16_t)b;
    }
}

/* Decodes one strict UTF-8 scalar at s[0..n); returns its length (1..4) and
   the code point, or 0 when s does not start a valid complete sequence. */
MINIMAX__PRIV int minimax__utf8_next(const unsigned char *s, size_t n, int32_t *cp) {
    unsigned c = s[0];
    if (c < 0x80) { *cp = (int32_t)c; return 1; }
    if (c < 0xC2 || c > 0xF4) return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80) return 0;
        *cp = (int32_t)(((c & 0x1Fu) << 6) | (s[1] & 0x3Fu));
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogate */
        *cp = (int32_t)(((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu));
        return 3;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
    if (c == 0xF4 && s[1] > 0x8F) return 0; /* > U+10FFFF */
    *cp = (int32_t)(((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu));
    return 4;
}

MINIMAX__PRIV unsigned minimax__uni_class(int32_t cp) {
    if (cp < 0) return MINIMAX__UC_OTHER;
    return minimax__uni_blocks[minimax__uni_index[(uint32_t)cp >> 7]][(uint32_t)cp & 127];
}

/* ---- hash tables ------------------------------------------------------ */

MINIMAX__PRIV size_t minimax__str_hash(const char *s, size_t n) { return (size_t)minimax__fnv1a(0, s, n); }

MINIMAX__PRIV int32_t minimax__vocab_find(const minimax_tokenizer *t, const char *s, size_t n) {
    size_t h = minimax__str_hash(s, n) & t->str_mask;
    for (;;) {
        int32_t v = t->str_slots[h];
        if (!v) return -1;
        v--;
        if (t->tok_len[v] == n && memcmp(t->blob + t->tok_off[v], s, n) == 0) return v;
        h = (h + 1) & t->str_mask;
    }
}

MINIMAX__PRIV size_t minimax__pair_hash(uint64_t k) { return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20); }

/* Finds the merge of (a, b): returns its slot or -1. */
MINIMAX__PRIV long minimax__merge_find(const minimax_tokenizer *t, int32_t a, int32_t b) {
    uint64_t k = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    size_t h = minimax__pair_hash(k) & t->merge_mask;
    for (;;) {
        uint64_t e = t->merge_keys[h];
        if (e == k) return (long)h;
        if (e == UINT64_MAX) return -1;
        h = (h + 1) & t->merge_mask;
    }
}

/* ---- loading ----------------------------------------------------------- */

MINIMAX_API void minimax_tokenizer_free(minimax_tokenizer *t) {
    if (!t) return;
    MINIMAX_FREE(t->tok_off);
    MINIMAX_FREE(t->tok_len);
    MINIMAX_FREE(t->blob);
    MINIMAX_FREE(t->str_slots);
    MINIMAX_FREE(t->merge_keys);
    MINIMAX_FREE(t->merge_rank);
    MINIMAX_FREE(t->merge_new);
    MINIMAX_FREE(t->added);
    MINIMAX_FREE(t);
}

/* Decodes a token written in the byte-level alphabet into raw bytes at out
   (room for len bytes). Returns the byte count, or -1 if a character is not
   in the alphabet (such a token is kept as its UTF-8 text, as HF's ByteLevel
   decoder does, and can never come out of BPE). */
MINIMAX__PRIV long minimax__bytelevel_decode(const int16_t *cp_to_byte, const char *s, size_t len, char *out) {
    size_t i = 0;
    long n = 0;
    while (i < len) {
        int32_t cp;
        int k = minimax__utf8_next((const unsigned char *)s + i, len - i, &cp);
        if (!k || cp >= 324 || cp_to_byte[cp] < 0) return -1;
        out[n++] = (char)cp_to_byte[cp];
        i += (size_t)k;
    }
    return n;
}

static int minimax__added_cmp(const void *pa, const void *pb, const char *blob) {
    const minimax__added *a = (const minimax__added *)pa, *b = (const minimax__added *)pb;
    unsigned char fa = (unsigned char)blob[a->off], fb = (unsigned char)blob[b->off];
    if (fa != fb) return fa < fb ? -1 : 1;
    if (a->len != b->len) return a->len > b->len ? -1 : 1;
    return a->id < b->id ? -1 : (a->id > b->id);
}

/* Checks "key": expected-bool-or-null; returns 0 and records an error if the
   member has another value. */
MINIMAX__PRIV int minimax__tok_flag_is(const minimax__json *o, const char *key, int want, const char *what) {
    const minimax__json *v = minimax__json_get(o, key);
    int have;
    if (!v || v->type == MINIMAX__JSON_NULL) return 1;
    if (v->type != MINIMAX__JSON_TRUE && v->type != MINIMAX__JSON_FALSE) {
        minimax__fail(MINIMAX_ERR_FORMAT, "%s: \"%s\" is not a boolean", what, key);
        return 0;
    }
    have = v->type == MINIMAX__JSON_TRUE;
    if (have != want) {
        minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: \"%s\": %s is not supported", what, key, have ? "true" : "false");
        return 0;
    }
    return 1;
}

/* Ids above this are refused (a file claiming id 2^31 would otherwise make
   us allocate 16 GiB of per-id tables); real vocabularies are far below. */
#define MINIMAX__TOK_MAX_ID (1 << 24)

MINIMAX__PRIV int minimax__tok_id(const minimax__json *v, int32_t *id) {
    if (!v || v->type != MINIMAX__JSON_NUMBER || v->number < 0 || v->number >= (double)MINIMAX__TOK_MAX_ID ||
        v->number != (double)(int32_t)v->number)
        return 0;
    *id = (int32_t)v->number;
    return 1;
}

/* Validates the pre_tokenizer: Sequence[Split(o200k regex, Isolated), ByteLevel(no prefix space, no regex)]. */
MINIMAX__PRIV minimax_result minimax__tok_check_pretok(const minimax__json *pt, const char *what) {
    const minimax__json *type = minimax__json_get(pt, "type"), *list, *split = NULL, *bl = NULL, *c;
    if (!pt || pt->type != MINIMAX__JSON_OBJECT || !type || type->type != MINIMAX__JSON_STRING)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: pre_tokenizer is missing; only Split(regex) + ByteLevel is supported", what);
    if (strcmp(type->str, "Sequence") != 0)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: pre_tokenizer type \"%s\" is not supported (need Sequence[Split, ByteLevel])", what, type->str);
    list = minimax__json_get(pt, "pretokenizers");
    if (!list || list->type != MINIMAX__JSON_ARRAY || list->count != 2)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: pre_tokenizer Sequence must hold exactly Split then ByteLevel", what);
    for (c = list->child; c; c = c->next) {
        const minimax__json *ty = minimax__json_get(c, "type");
        if (!ty || ty->type != MINIMAX__JSON_STRING)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: a pre_tokenizer without \"type\"", what);
        if (!split && !bl && strcmp(ty->str, "Split") == 0) split = c;
        else if (split && !bl && strcmp(ty->str, "ByteLevel") == 0) bl = c;
        else return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: pre_tokenizer \"%s\" is not supported here (need Split then ByteLevel)", what, ty->str);
    }
    {
        const minimax__json *pat = minimax__json_get(split, "pattern"), *re = minimax__json_get(pat, "Regex");
        const minimax__json *beh = minimax__json_get(split, "behavior");
        if (!re || re->type != MINIMAX__JSON_STRING)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: Split pre_tokenizer needs a \"Regex\" pattern", what);
        if (re->len != sizeof minimax__o200k_pattern - 1 || memcmp(re->str, minimax__o200k_pattern, re->len) != 0)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                                 "%s: Split regex %.200s%s is not implemented (only the o200k-style pattern of MiniMax-M2)", what,
                                 re->str, re->len > 200 ? "..." : "");
        if (!beh || beh->type != MINIMAX__JSON_STRING || strcmp(beh->str, "Isolated") != 0)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: Split behavior must be \"Isolated\"", what);
        if (!minimax__tok_flag_is(split, "invert", 0, what)) return minimax__fail_code_or(MINIMAX_ERR_UNSUPPORTED);
    }
    if (!minimax__tok_flag_is(bl, "add_prefix_space", 0, what) || !minimax__tok_flag_is(bl, "use_regex", 0, what))
        return minimax__fail_code_or(MINIMAX_ERR_UNSUPPORTED);
    return MINIMAX_OK;
}

MINIMAX__PRIV minimax_result minimax__tok_build(const minimax__json *root, const char *what, minimax_tokenizer **out) {
    const minimax__json *model, *vocab, *merges, *added, *norm, *dec, *c, *v;
    minimax_tokenizer *t = NULL;
    int16_t cp_to_byte[324];
    size_t blob_cap, i, n_merges;
    int32_t max_id = -1;
    char *tmp = NULL;
    minimax_result r = MINIMAX_ERR_FORMAT;

    minimax__bytelevel_table(cp_to_byte);
    if (!root || root->type != MINIMAX__JSON_OBJECT) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: not a JSON object", what);
    model = minimax__json_get(root, "model");
    if (!model || model->type != MINIMAX__JSON_OBJECT) return minimax__fail(MINIMAX_ERR_FORMAT, "%s: no \"model\" object", what);
    v = minimax__json_get(model, "type");
    if (v && (v->type != MINIMAX__JSON_STRING || strcmp(v->str, "BPE") != 0))
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: model type %s is not supported (only BPE)", what,
                             v->type == MINIMAX__JSON_STRING ? v->str : "(not a string)");
    v = minimax__json_get(model, "dropout");
    if (v && v->type != MINIMAX__JSON_NULL && !(v->type == MINIMAX__JSON_NUMBER && v->number == 0.0))
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: BPE dropout is not supported", what);
    if (!minimax__tok_flag_is(model, "byte_fallback", 0, what)) return minimax__fail_code_or(MINIMAX_ERR_UNSUPPORTED);
    v = minimax__json_get(model, "continuing_subword_prefix");
    if (v && v->type != MINIMAX__JSON_NULL && !(v->type == MINIMAX__JSON_STRING && v->len == 0))
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: continuing_subword_prefix is not supported", what);
    v = minimax__json_get(model, "end_of_word_suffix");
    if (v && v->type != MINIMAX__JSON_NULL && !(v->type == MINIMAX__JSON_STRING && v->len == 0))
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: end_of_word_suffix is not supported", what);
    norm = minimax__json_get(root, "normalizer");
    if (norm && norm->type != MINIMAX__JSON_NULL)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: a normalizer is not supported (MiniMax-M2 has none)", what);
    dec = minimax__json_get(root, "decoder");
    if (dec && dec->type != MINIMAX__JSON_NULL) {
        v = minimax__json_get(dec, "type");
        if (!v || v->type != MINIMAX__JSON_STRING || strcmp(v->str, "ByteLevel") != 0)
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: decoder must be ByteLevel", what);
    }
    r = minimax__tok_check_pretok(minimax__json_get(root, "pre_tokenizer"), what);
    if (r != MINIMAX_OK) return r;

    vocab = minimax__json_get(model, "vocab");
    merges = minimax__json_get(model, "merges");
    added = minimax__json_get(root, "added_tokens");
    if (!vocab || vocab->type != MINIMAX__JSON_OBJECT || vocab->count == 0)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: model.vocab is missing or empty", what);
    if (!merges || merges->type != MINIMAX__JSON_ARRAY)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: model.merges is missing", what);
    if (added && added->type != MINIMAX__JSON_ARRAY && added->type != MINIMAX__JSON_NULL)
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: added_tokens is not an array", what);

    /* ids and sizes */
    blob_cap = 1;
    for (c = vocab->child; c; c = c->next) {
        int32_t id;
        if (!minimax__tok_id(c, &id))
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: vocab entry \"%.100s\" has no valid id (an integer in 0..%d)", what,
                                 c->key, MINIMAX__TOK_MAX_ID - 1);
        if (id > max_id) max_id = id;
        blob_cap += c->key_len;
    }
    if (added && added->type == MINIMAX__JSON_ARRAY)
        for (c = added->child; c; c = c->next) {
            int32_t id;
            const minimax__json *content = minimax__json_get(c, "content");
            if (!minimax__tok_id(minimax__json_get(c, "id"), &id) || !content || content->type != MINIMAX__JSON_STRING ||
                content->len == 0)
                return minimax__fail(MINIMAX_ERR_FORMAT, "%s: added_tokens entry without a valid id and non-empty content", what);
            if (!minimax__tok_flag_is(c, "single_word", 0, what) || !minimax__tok_flag_is(c, "lstrip", 0, what) ||
                !minimax__tok_flag_is(c, "rstrip", 0, what))
                return minimax__fail_code_or(MINIMAX_ERR_UNSUPPORTED);
            if (id > max_id) max_id = id;
            blob_cap += 2 * content->len; /* the text, and its byte-level decoded form */
        }
    if (blob_cap > 0xFFFFFFF0u) return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: vocabulary text over 4 GiB", what);

    t = (minimax_tokenizer *)minimax__alloc(sizeof *t, "tokenizer");
    if (!t) return MINIMAX_ERR_OUT_OF_MEMORY;
    t->n_ids = max_id + 1;
    t->ignore_merges = minimax__json_get(model, "ignore_merges") && minimax__json_get(model, "ignore_merges")->type == MINIMAX__JSON_TRUE;
    t->tok_off = (uint32_t *)minimax__alloc((size_t)t->n_ids * 4, "token offsets");
    t->tok_len = (uint32_t *)MINIMAX_MALLOC((size_t)t->n_ids * 4);
    t->blob = (char *)minimax__alloc(blob_cap, "token bytes");
    for (t->str_mask = 1; t->str_mask < vocab->count * 2; t->str_mask <<= 1) {}
    t->str_slots = (int32_t *)minimax__alloc(t->str_mask * 4, "vocabulary hash");
    t->str_mask--;
    if (!t->tok_off || !t->tok_len || !t->blob || !t->str_slots) {
        r = minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "%s: out of memory for the vocabulary", what);
        goto fail;
    }
    memset(t->tok_len, 0xFF, (size_t)t->n_ids * 4);

    /* vocabulary: raw bytes into the blob and the hash */
    for (c = vocab->child; c; c = c->next) {
        int32_t id = 0;
        long n;
        minimax__tok_id(c, &id);
        if (t->tok_len[id] != UINT32_MAX) {
            r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: id %d appears twice in model.vocab", what, (int)id);
            goto fail;
        }
        n = minimax__bytelevel_decode(cp_to_byte, c->key, c->key_len, t->blob + t->blob_len);
        t->tok_off[id] = (uint32_t)t->blob_len;
        if (n < 0) { /* not byte-level text: kept as is, never produced by BPE */
            memcpy(t->blob + t->blob_len, c->key, c->key_len);
            t->tok_len[id] = (uint32_t)c->key_len;
            t->blob_len += c->key_len;
            continue;
        }
        t->tok_len[id] = (uint32_t)n;
        t->blob_len += (size_t)n;
        if (minimax__vocab_find(t, t->blob + t->tok_off[id], (size_t)n) >= 0) {
            r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: token \"%.100s\" appears twice in model.vocab", what, c->key);
            goto fail;
        }
        {
            size_t h = minimax__str_hash(t->blob + t->tok_off[id], (size_t)n) & t->str_mask;
            while (t->str_slots[h]) h = (h + 1) & t->str_mask;
            t->str_slots[h] = id + 1;
        }
    }
    for (i = 0; i < 256; i++) {
        char b = (char)i;
        t->byte_id[i] = minimax__vocab_find(t, &b, 1);
        if (t->byte_id[i] < 0) {
            r = minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: byte 0x%02X has no token (byte-level BPE needs all 256)", what, (unsigned)i);
            goto fail;
        }
    }

    /* merges: "a b" strings or ["a", "b"] arrays, rank = position */
    n_merges = merges->count;
    for (t->merge_mask = 16; t->merge_mask < n_merges * 2; t->merge_mask <<= 1) {}
    t->merge_keys = (uint64_t *)MINIMAX_MALLOC(t->merge_mask * 8);
    t->merge_rank = (uint32_t *)MINIMAX_MALLOC(t->merge_mask * 4);
    t->merge_new = (int32_t *)MINIMAX_MALLOC(t->merge_mask * 4);
    t->merge_mask--;
    {
        size_t tmp_cap = blob_cap; /* the longest merge or added token, decoded */
        for (c = merges->child; c; c = c->next) {
            size_t l = c->type == MINIMAX__JSON_STRING ? c->len : 0;
            if (c->type == MINIMAX__JSON_ARRAY && c->count == 2) l = c->child->len + c->child->next->len;
            if (l > tmp_cap) tmp_cap = l;
        }
        tmp = (char *)MINIMAX_MALLOC(tmp_cap + 1);
    }
    if (!t->merge_keys || !t->merge_rank || !t->merge_new || !tmp) {
        r = minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "%s: out of memory for %zu merges", what, n_merges);
        goto fail;
    }
    memset(t->merge_keys, 0xFF, (t->merge_mask + 1) * 8);
    for (c = merges->child, i = 0; c; c = c->next, i++) {
        const char *sa = NULL, *sb = NULL;
        size_t la = 0, lb = 0;
        long na, nb;
        int32_t ia, ib, inew;
        uint64_t key;
        size_t h;
        if (c->type == MINIMAX__JSON_STRING) {
            const char *sp = (const char *)memchr(c->str, ' ', c->len);
            if (sp && !memchr(sp + 1, ' ', c->len - (size_t)(sp + 1 - c->str))) {
                sa = c->str;
                la = (size_t)(sp - c->str);
                sb = sp + 1;
                lb = c->len - la - 1;
            }
        } else if (c->type == MINIMAX__JSON_ARRAY && c->count == 2 && c->child->type == MINIMAX__JSON_STRING &&
                   c->child->next->type == MINIMAX__JSON_STRING) {
            sa = c->child->str;
            la = c->child->len;
            sb = c->child->next->str;
            lb = c->child->next->len;
        }
        if (!sa || !la || !lb) {
            r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: merge %zu is neither \"a b\" nor [\"a\", \"b\"]", what, i);
            goto fail;
        }
        na = minimax__bytelevel_decode(cp_to_byte, sa, la, tmp);
        nb = na < 0 ? -1 : minimax__bytelevel_decode(cp_to_byte, sb, lb, tmp + na);
        ia = na < 0 ? -1 : minimax__vocab_find(t, tmp, (size_t)na);
        ib = nb < 0 ? -1 : minimax__vocab_find(t, tmp + na, (size_t)nb);
        inew = (ia < 0 || ib < 0) ? -1 : minimax__vocab_find(t, tmp, (size_t)(na + nb));
        if (inew < 0) {
            r = minimax__fail(MINIMAX_ERR_FORMAT, "%s: merge %zu (\"%.60s\" + \"%.60s\"): %s is not in the vocabulary", what, i,
                              sa, sb, (ia < 0 || ib < 0) ? "a part" : "the merged token");
            goto fail;
        }
        key = ((uint64_t)(uint32_t)ia << 32) | (uint32_t)ib;
        h = minimax__pair_hash(key) & t->merge_mask;
        while (t->merge_keys[h] != UINT64_MAX && t->merge_keys[h] != key) h = (h + 1) & t->merge_mask;
        t->merge_keys[h] = key; /* a repeated pair keeps its last rank, as HF's map does */
        t->merge_rank[h] = (uint32_t)i;
        t->merge_new[h] = inew;
    }

    /* added tokens: their text is what HF's ByteLevel decoder gives
       (byte-level decoded when every character is in the alphabet) */
    if (added && added->type == MINIMAX__JSON_ARRAY && added->count) {
        int k = 0;
        t->added = (minimax__added *)minimax__alloc(added->count * sizeof *t->added, "added tokens");
        if (!t->added) { r = MINIMAX_ERR_OUT_OF_MEMORY; goto fail; }
        for (c = added->child; c; c = c->next) {
            const minimax__json *content = minimax__json_get(c, "content"), *nz = minimax__json_get(c, "normalized");
            int32_t id = 0;
            long n;
            minimax__tok_id(minimax__json_get(c, "id"), &id);
            t->added[k].id = id;
            t->added[k].off = (uint32_t)t->blob_len;
            t->added[k].len = (uint32_t)content->len;
            t->added[k].normalized = nz ? nz->type == MINIMAX__JSON_TRUE : 1; /* HF: normalized defaults to !special */
            if (!nz) {
                const minimax__json *sp = minimax__json_get(c, "special");
                t->added[k].normalized = !(sp && sp->type == MINIMAX__JSON_TRUE);
            }
            memcpy(t->blob + t->blob_len, content->str, content->len);
            t->blob_len += content->len;
            k++;
            /* the bytes of id: overrides the model vocabulary's, as HF's id_to_token does */
            n = minimax__bytelevel_decode(cp_to_byte, content->str, content->len, tmp);
            if (n >= 0) {
                /* decoded form differs from the content: store it too */
                if ((size_t)n != content->len || memcmp(tmp, content->str, content->len) != 0) {
                    t->tok_off[id] = (uint32_t)t->blob_len;
                    memcpy(t->blob + t->blob_len, tmp, (size_t)n);
                    t->blob_len += (size_t)n;
                    t->tok_len[id] = (uint32_t)n;
                    continue;
                }
            }
            t->tok_off[id] = t->added[k - 1].off;
            t->tok_len[id] = t->added[k - 1].len;
        }
        t->n_added = k;
        /* sort by first byte, longest first (insertion sort: a few hundred at most) */
        for (k = 1; k < t->n_added; k++) {
            minimax__added x = t->added[k];
            int j = k - 1;
            while (j >= 0 && minimax__added_cmp(&t->added[j], &x, t->blob) > 0) {
                t->added[j + 1] = t->added[j];
                j--;
            }
            t->added[j + 1] = x;
        }
    }
    {
        int b, k = 0;
        for (b = 0; b < 256; b++) {
            t->added_first[b] = k;
            while (k < t->n_added && (unsigned char)t->blob[t->added[k].off] == b) k++;
        }
        t->added_first[256] = k;
    }
    for (i = 0; i < (size_t)t->n_ids; i++)
        if (t->tok_len[i] != UINT32_MAX && t->tok_len[i] > t->max_token_bytes) t->max_token_bytes = t->tok_len[i];
    MINIMAX_FREE(tmp);
    *out = t;
    return MINIMAX_OK;
fail:
    MINIMAX_FREE(tmp);
    minimax_tokenizer_free(t);
    return r;
}

MINIMAX_API minimax_result minimax_tokenizer_load_memory(const char *json, size_t len, minimax_tokenizer **out) {
    minimax__json_doc doc;
    minimax_result r;
    if (!out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_tokenizer_load_memory: out is NULL");
    *out = NULL;
    if (!json && len) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_tokenizer_load_memory: json is NULL");
    r = minimax__json_parse(json ? json : "", len, "tokenizer.json", &doc);
    if (r != MINIMAX_OK) return r;
    r = minimax__tok_build(doc.root, "tokenizer.json", out);
    minimax__json_free(&doc);
    return r;
}

MINIMAX_API minimax_result minimax_tokenizer_load(const char *path, minimax_tokenizer **out) {
    char *data;
    size_t len;
    minimax__json_doc doc;
    minimax_result r;
    if (!out || !path) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_tokenizer_load: NULL argument");
    *out = NULL;
    /* the checkpoint's reader: regular files only, at most 64 MB (the real tokenizer.json is ~15 MB) */
    if ((r = minimax__read_small_file(path, &data, &len, NULL)) != MINIMAX_OK) return r;
    r = minimax__json_parse(data, len, path, &doc);
    if (r == MINIMAX_OK) {
        r = minimax__tok_build(doc.root, path, out);
        minimax__json_free(&doc);
    }
    MINIMAX_FREE(data);
    return r;
}

MINIMAX_API int32_t minimax_tokenizer_vocab_size(const minimax_tokenizer *t) { return t ? t->n_ids : 0; }

MINIMAX_API size_t minimax_tokenizer_max_token_bytes(const minimax_tokenizer *t) { return t ? t->max_token_bytes : 0; }

MINIMAX_API const char *minimax_token_bytes(const minimax_tokenizer *t, int32_t id, size_t *len) {
    if (!t || id < 0 || id >= t->n_ids || t->tok_len[id] == UINT32_MAX) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = t->tok_len[id];
    return t->blob + t->tok_off[id];
}

MINIMAX_API int32_t minimax_token_lookup(const minimax_tokenizer *t, const char *s, size_t len) {
    int k;
    if (!t || (!s && len) || !len) return -1;
    for (k = t->added_first[(unsigned char)s[0]]; k < t->added_first[(unsigned char)s[0] + 1]; k++)
        if (t->added[k].len == len && memcmp(t->blob + t->added[k].off, s, len) == 0) return t->added[k].id;
    return minimax__vocab_find(t, s, len);
}

/* ---- encoding ---------------------------------------------------------- */

/* Per-call scratch (grown as needed) and the output. */
typedef struct minimax__enc {
    const minimax_tokenizer *t;
    int32_t *ids;
    size_t cap, count;
    minimax__sym *sym;
    size_t sym_cap;
    /* BPE of one piece: symbols as a linked list (id, prev, next: three
       arrays of b_cap/3 in one block), and the merge heap */
    int32_t *b;
    uint64_t *heap;
    size_t b_cap, heap_cap;
    int oom;
} minimax__enc;

MINIMAX__PRIV void minimax__enc_emit(minimax__enc *e, int32_t id) {
    if (e->count < e->cap) e->ids[e->count] = id;
    e->count++;
}

MINIMAX__PRIV int minimax__grow(void **p, size_t *cap, size_t need, size_t elem) {
    size_t n;
    void *q;
    if (need <= *cap) return 1;
    n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    q = MINIMAX_REALLOC(*p, n * elem);
    if (!q) return 0;
    *p = q;
    *cap = n;
    return 1;
}

MINIMAX__PRIV void minimax__heap_push(uint64_t *h, size_t *n, uint64_t v) {
    size_t i = (*n)++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (h[p] <= v) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = v;
}

MINIMAX__PRIV uint64_t minimax__heap_pop(uint64_t *h, size_t *n) {
    uint64_t top = h[0], v = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1] < h[c]) c++;
        if (v <= h[c]) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
    return top;
}

/* Byte-level BPE of one piece (bytes s[0..n)), as HF's Word::merge_all:
   pop the lowest (rank, position); skip it if the pair there changed;
   merge; push the new pairs with the left and right neighbours. */
MINIMAX__PRIV void minimax__bpe(minimax__enc *e, const unsigned char *s, size_t n) {
    const minimax_tokenizer *t = e->t;
    int32_t *b_id, *b_prev, *b_next;
    size_t i, nh = 0;
    if (n == 1) {
        minimax__enc_emit(e, t->byte_id[s[0]]);
        return;
    }
    if (t->ignore_merges) {
        int32_t id = minimax__vocab_find(t, (const char *)s, n);
        if (id >= 0) {
            minimax__enc_emit(e, id);
            return;
        }
    }
    /* every merge pushes at most two entries: n - 1 initial + 2 (n - 1) */
    if (!minimax__grow((void **)&e->b, &e->b_cap, 3 * n, 4) || !minimax__grow((void **)&e->heap, &e->heap_cap, 3 * n, 8)) {
        e->oom = 1;
        return;
    }
    b_id = e->b;
    b_prev = e->b + n;
    b_next = e->b + 2 * n;
    for (i = 0; i < n; i++) {
        b_id[i] = t->byte_id[s[i]];
        b_prev[i] = (int32_t)i - 1;
        b_next[i] = i + 1 < n ? (int32_t)i + 1 : -1;
    }
    for (i = 0; i + 1 < n; i++) {
        long m = minimax__merge_find(t, b_id[i], b_id[i + 1]);
        if (m >= 0) minimax__heap_push(e->heap, &nh, ((uint64_t)t->merge_rank[m] << 32) | i);
    }
    while (nh) {
        uint64_t top = minimax__heap_pop(e->heap, &nh);
        uint32_t rank = (uint32_t)(top >> 32), pos = (uint32_t)top;
        int32_t nx, pv;
        long m;
        if (b_id[pos] < 0 || (nx = b_next[pos]) < 0) continue;
        m = minimax__merge_find(t, b_id[pos], b_id[nx]);
        if (m < 0 || t->merge_rank[m] != rank) continue; /* stale */
        b_id[pos] = t->merge_new[m];
        b_id[nx] = -1;
        b_next[pos] = b_next[nx];
        if (b_next[nx] >= 0) b_prev[b_next[nx]] = (int32_t)pos;
        pv = b_prev[pos];
        if (pv >= 0) {
            m = minimax__merge_find(t, b_id[pv], b_id[pos]);
            if (m >= 0) minimax__heap_push(e->heap, &nh, ((uint64_t)t->merge_rank[m] << 32) | (uint32_t)pv);
        }
        nx = b_next[pos];
        if (nx >= 0) {
            m = minimax__merge_find(t, b_id[pos], b_id[nx]);
            if (m >= 0) minimax__heap_push(e->heap, &nh, ((uint64_t)t->merge_rank[m] << 32) | pos);
        }
    }
    for (i = 0; i < n; i = (size_t)b_next[i]) {
        minimax__enc_emit(e, b_id[i]);
        if (b_next[i] < 0) break;
    }
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d) at symbol m: returns the end. Case folding
   (Oniguruma's, as HF uses it) also matches U+017F LATIN SMALL LETTER LONG S
   for s; no other character folds to these letters. */
MINIMAX__PRIV size_t minimax__contraction(const minimax__sym *y, size_t n, size_t m) {
    int32_t c, d;
    if (m + 1 >= n || y[m].cp != '\'') return m;
    c = y[m + 1].cp;
    if (c >= 'A' && c <= 'Z') c += 32;
    if (c == 's' || c == 0x17F || c == 't' || c == 'm' || c == 'd') return m + 2;
    if (m + 2 >= n) return m;
    d = y[m + 2].cp;
    if (d >= 'A' && d <= 'Z') d += 32;
    if ((c == 'r' && d == 'e') || (c == 'v' && d == 'e') || (c == 'l' && d == 'l')) return m + 3;
    return m;
}

/* [A]*[B]+ contraction? from j; returns the end or 0 (no match; a match
   is never empty and j > 0 is not required, so 0 is free: callers pass
   index + 1 based ends). Returns end + 1. */
MINIMAX__PRIV size_t minimax__alt1(const minimax__sym *y, size_t n, size_t j) {
    size_t k = j, kk, m;
    while (k < n && (y[k].bit & MINIMAX__SET_A)) k++;
    /* A* backtracks from its longest run to the last position where B+ can start */
    kk = k;
    if (!(kk < n && (y[kk].bit & MINIMAX__SET_B))) {
        while (kk > j && !(y[kk - 1].bit & MINIMAX__SET_B)) kk--;
        if (kk == j) return 0;
        kk--;
    }
    m = kk;
    while (m < n && (y[m].bit & MINIMAX__SET_B)) m++;
    return minimax__contraction(y, n, m) + 1;
}

/* [A]+[B]* contraction? from j; end + 1 or 0. */
MINIMAX__PRIV size_t minimax__alt2(const minimax__sym *y, size_t n, size_t j) {
    size_t k = j;
    while (k < n && (y[k].bit & MINIMAX__SET_A)) k++;
    if (k == j) return 0;
    while (k < n && (y[k].bit & MINIMAX__SET_B)) k++;
    return minimax__contraction(y, n, k) + 1;
}

/* The end of the regex match that starts at symbol i (the pattern matches
   at every position, so the leftmost match always starts at i). The
   alternatives are tried in order with the backtracking the regex engine
   would do:
     1  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?
     2  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?
     3  \p{N}{1,3}
     4  ' '?[^\s\p{L}\p{N}]+[\r\n/]*
     5  \s*[\r\n]+          6  \s+(?!\S)          7  \s+ */
MINIMAX__PRIV size_t minimax__pretok_next(const minimax__sym *y, size_t n, size_t i) {
    uint32_t b = y[i].bit;
    int p = !(b & (MINIMAX__SET_L | MINIMAX__UB(MINIMAX__UC_N))) && y[i].cp != '\r' && y[i].cp != '\n';
    size_t r, k, w;
    if (p && i + 1 < n && (r = minimax__alt1(y, n, i + 1))) return r - 1;
    if ((r = minimax__alt1(y, n, i))) return r - 1;
    if (p && i + 1 < n && (r = minimax__alt2(y, n, i + 1))) return r - 1;
    if ((r = minimax__alt2(y, n, i))) return r - 1;
    if (b & MINIMAX__UB(MINIMAX__UC_N)) {
        for (k = i + 1; k < n && k < i + 3 && (y[k].bit & MINIMAX__UB(MINIMAX__UC_N)); k++) {}
        return k;
    }
    k = (y[i].cp == ' ' && i + 1 < n && (y[i + 1].bit & MINIMAX__SET_Q)) ? i + 1 : i;
    if (y[k].bit & MINIMAX__SET_Q) {
        while (k < n && (y[k].bit & MINIMAX__SET_Q)) k++;
        while (k < n && (y[k].cp == '\r' || y[k].cp == '\n' || y[k].cp == '/')) k++;
        return k;
    }
    /* b is white space here: every other class matched above */
    for (w = i; w < n && (y[w].bit & MINIMAX__SET_S); w++) {}
    for (k = w; k > i; k--)
        if (y[k - 1].cp == '\r' || y[k - 1].cp == '\n') return k; /* 5: up to the last line break */
    if (w == n || w - i < 2) return w;                              /* 6 at the end, else 7 */
    return w - 1;                                                   /* 6: leave one space for the next word */
}

/* Splits s[0..len) into symbols at e->sym (n + 1 entries: the last one
   holds the end offset); returns n, or 0 on out-of-memory (e->oom). */
MINIMAX__PRIV size_t minimax__symbols(minimax__enc *e, const unsigned char *s, size_t len) {
    size_t i = 0, n = 0;
    if (!minimax__grow((void **)&e->sym, &e->sym_cap, len + 1, sizeof(minimax__sym))) {
        e->oom = 1;
        return 0;
    }
    while (i < len) {
        int32_t cp;
        int k;
        if (s[i] < 0x80) {
            cp = s[i];
            k = 1;
        } else {
            k = minimax__utf8_next(s + i, len - i, &cp);
            if (!k) {
                cp = -1;
                k = 1;
            }
        }
        e->sym[n].off = (uint32_t)i;
        e->sym[n].cp = cp;
        e->sym[n].bit = MINIMAX__UB(minimax__uni_class(cp));
        n++;
        i += (size_t)k;
    }
    e->sym[n].off = (uint32_t)len;
    return n;
}

/* Pre-tokenizes and BPE-encodes one segment of plain text. */
MINIMAX__PRIV void minimax__encode_plain(minimax__enc *e, const unsigned char *s, size_t len) {
    size_t i, n;
    if (!len) return;
    n = minimax__symbols(e, s, len);
    for (i = 0; i < n && !e->oom;) {
        size_t end = minimax__pretok_next(e->sym, n, i);
        minimax__bpe(e, s + e->sym[i].off, e->sym[end].off - e->sym[i].off);
        i = end;
    }
}

/* Leftmost-longest match of an added token of the given pass (normalized
   flag) in s[0..len): returns its index in t->added or -1; *at = start. */
MINIMAX__PRIV int minimax__added_find(const minimax_tokenizer *t, const unsigned char *s, size_t len, int normalized,
                                      size_t *at) {
    size_t i;
    for (i = 0; i < len; i++) {
        int k, e = t->added_first[s[i] + 1];
        for (k = t->added_first[s[i]]; k < e; k++) {
            const minimax__added *a = &t->added[k];
            if (a->normalized == normalized && a->len <= len - i && memcmp(t->blob + a->off, s + i, a->len) == 0) {
                *at = i;
                return k;
            }
        }
    }
    return -1;
}

MINIMAX__PRIV void minimax__encode_special(minimax__enc *e, const unsigned char *s, size_t len, int pass) {
    while (len && !e->oom) {
        size_t at = 0;
        int k = minimax__added_find(e->t, s, len, pass, &at);
        if (k < 0) {
            if (pass == 0) minimax__encode_special(e, s, len, 1);
            else minimax__encode_plain(e, s, len);
            return;
        }
        if (at) {
            if (pass == 0) minimax__encode_special(e, s, at, 1);
            else minimax__encode_plain(e, s, at);
        }
        minimax__enc_emit(e, e->t->added[k].id);
        s += at + e->t->added[k].len;
        len -= at + e->t->added[k].len;
    }
}

MINIMAX_API minimax_result minimax_tokenize(const minimax_tokenizer *t, const char *text, size_t len, unsigned flags,
                                            int32_t *ids, size_t cap, size_t *n_ids) {
    minimax__enc e;
    if (n_ids) *n_ids = 0;
    if (!t || !n_ids || (!text && len) || (!ids && cap))
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_tokenize: NULL tokenizer, text, ids or n_ids");
    if (flags & ~MINIMAX_TOKENIZE_SPECIAL)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_tokenize: unknown flags 0x%x", flags);
    if (len > 0xFFFFFFF0u)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "minimax_tokenize: text of %zu bytes is over the 4 GiB limit", len);
    memset(&e, 0, sizeof e);
    e.t = t;
    e.ids = ids;
    e.cap = cap;
    if (flags & MINIMAX_TOKENIZE_SPECIAL) minimax__encode_special(&e, (const unsigned char *)text, len, 0);
    else minimax__encode_plain(&e, (const unsigned char *)text, len);
    MINIMAX_FREE(e.sym);
    MINIMAX_FREE(e.b);
    MINIMAX_FREE(e.heap);
    if (e.oom) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "minimax_tokenize: out of memory for %zu bytes of text", len);
    *n_ids = e.count;
    return MINIMAX_OK;
}

/* ---- streaming decode ----------------------------------------------------
   Holds back the bytes of a UTF-8 sequence that is valid so far but not yet
   complete; passes everything else through unchanged (an invalid byte is
   emitted as it is, so the output bytes are exactly the tokens' bytes). */

MINIMAX__PRIV int minimax__utf8_need(unsigned char c) {
    return c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 1;
}

MINIMAX__PRIV int minimax__utf8_cont_ok(const unsigned char *seq, int have, unsigned char c) {
    if ((c & 0xC0) != 0x80) return 0;
    if (have == 1) {
        if (seq[0] == 0xE0) return c >= 0xA0;
        if (seq[0] == 0xED) return c <= 0x9F;
        if (seq[0] == 0xF0) return c >= 0x90;
        if (seq[0] == 0xF4) return c <= 0x8F;
    }
    return 1;
}

MINIMAX__PRIV void minimax__dt_put(char *out, size_t cap, size_t *n, const unsigned char *b, size_t k) {
    size_t i;
    for (i = 0; i < k; i++, (*n)++)
        if (*n < cap) out[*n] = (char)b[i];
}

MINIMAX_API size_t minimax_detokenize(const minimax_tokenizer *t, minimax_detokenizer *st, int32_t id, char *out, size_t cap) {
    size_t len = 0, i, n = 0;
    const unsigned char *b;
    if (!st) return 0;
    if (!out) cap = 0;
    if (st->n_pending < 0 || st->n_pending > 3) st->n_pending = 0;
    b = (const unsigned char *)minimax_token_bytes(t, id, &len);
    if (!b) return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = b[i];
        if (st->n_pending) {
            if (minimax__utf8_cont_ok(st->pending, st->n_pending, c)) {
                st->pending[st->n_pending++] = c;
                if (st->n_pending == minimax__utf8_need(st->pending[0])) {
                    minimax__dt_put(out, cap, &n, st->pending, (size_t)st->n_pending);
                    st->n_pending = 0;
                }
                continue;
            }
            minimax__dt_put(out, cap, &n, st->pending, (size_t)st->n_pending); /* broken sequence: pass through */
            st->n_pending = 0;
        }
        if (minimax__utf8_need(c) > 1) st->pending[st->n_pending++] = c;
        else minimax__dt_put(out, cap, &n, &c, 1);
    }
    return n;
}

MINIMAX_API size_t minimax_detokenize_flush(minimax_detokenizer *st, char *out, size_t cap) {
    size_t n = 0;
    if (!st) return 0;
    if (!out) cap = 0;
    if (st->n_pending > 0 && st->n_pending <= 3) minimax__dt_put(out, cap, &n, st->pending, (size_t)st->n_pending);
    st->n_pending = 0;
    return n;
}

/* ===========================================================================
   IMPLEMENTATION: chat format (render, tokenize) and output parsing
   ===========================================================================
   The renderer mirrors the Jinja template (tests/chat/chat_template.jinja)
   statement by statement; comments quote the template where it decides
   something. It writes a list of segments, each either a format marker
   (a special token) or text, so that the text form is their concatenation
   and the token form can tokenize only the text runs as plain text. */

/* ---- Python's json.dumps, for tojson and tool-call arguments -------------- */

/* Whether d is a finite double: not NaN, not beyond the largest (one
   place for the bound the serialisers below test). */
MINIMAX__PRIV int minimax__finite(double d) { return d <= 1.7976931348623157e308 && d >= -1.7976931348623157e308; }

/* repr() of a float, as Python writes it: the shortest digits that read
   back to the same double; fixed notation for decimal exponents -4..15
   ("1.0", "0.0001", "1000000000000000.0"), else "1e+16", "1.5e-05";
   json.dumps writes NaN/Infinity/-Infinity (allow_nan defaults to True). */
MINIMAX__PRIV int minimax__py_float(minimax__buf *b, double d) {
    char tmp[64], digits[32], out[64];
    int prec, exp10 = 0, nd = 0, i, o = 0;
    const char *e;
    if (d != d) return minimax__buf_add(b, "NaN", 3);
    if (!minimax__finite(d)) return d > 0 ? minimax__buf_add(b, "Infinity", 8) : minimax__buf_add(b, "-Infinity", 9);
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d) break;
    }
    /* tmp: [-]D[.DDD]e[+-]XX */
    i = 0;
    if (tmp[0] == '-') {
        out[o++] = '-';
        i = 1;
    }
    for (; tmp[i] && tmp[i] != 'e'; i++) /* digits only: the point is ',' in some C locales */
        if (tmp[i] >= '0' && tmp[i] <= '9') digits[nd++] = tmp[i];
    e = strchr(tmp, 'e');
    exp10 = e ? atoi(e + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (i = 0; i < -exp10 - 1; i++) out[o++] = '0';
            for (i = 0; i < nd; i++) out[o++] = digits[i];
        } else {
            for (i = 0; i <= exp10; i++) out[o++] = i < nd ? digits[i] : '0';
            out[o++] = '.';
            if (nd > exp10 + 1)
                for (i = exp10 + 1; i < nd; i++) out[o++] = digits[i];
            else out[o++] = '0';
        }
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (i = 1; i < nd; i++) out[o++] = digits[i];
        }
        o += snprintf(out + o, sizeof out - (size_t)o, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
    return minimax__buf_add(b, out, (size_t)o);
}

/* Whether a JSON number's source text is an integer (Python reads it as int). */
MINIMAX__PRIV int minimax__json_number_is_int(const minimax__json *v) {
    size_t i;
    for (i = 0; i < v->raw_len; i++)
        if (v->raw[i] == '.' || v->raw[i] == 'e' || v->raw[i] == 'E') return 0;
    return 1;
}

/* The member of an object that Python's dict would keep for c's key: the
   last one with that key. NULL if an earlier member has the key (c is a
   repeat: Python keeps the first position only). */
MINIMAX__PRIV const minimax__json *minimax__json_dict_value(const minimax__json *obj, const minimax__json *c) {
    const minimax__json *q, *last = c;
    for (q = obj->child; q != c; q = q->next)
        if (q->key_len == c->key_len && memcmp(q->key, c->key, c->key_len) == 0) return NULL;
    for (q = c->next; q; q = q->next)
        if (q->key_len == c->key_len && memcmp(q->key, c->key, c->key_len) == 0) last = q;
    return last;
}

/* json.dumps(json.loads(text), ensure_ascii=False) of a parsed value. */
MINIMAX__PRIV int minimax__py_dumps(minimax__buf *b, const minimax__json *v) {
    const minimax__json *c;
    int first = 1;
    switch (v->type) {
    case MINIMAX__JSON_NULL: return minimax__buf_add(b, "null", 4);
    case MINIMAX__JSON_TRUE: return minimax__buf_add(b, "true", 4);
    case MINIMAX__JSON_FALSE: return minimax__buf_add(b, "false", 5);
    case MINIMAX__JSON_STRING: return minimax__json_write_string(b, v->str, v->len, 0);
    case MINIMAX__JSON_NUMBER:
        if (!minimax__json_number_is_int(v)) return minimax__py_float(b, v->number);
        if (v->raw_len == 2 && v->raw[0] == '-' && v->raw[1] == '0') return minimax__buf_add(b, "0", 1);
        return minimax__buf_add(b, v->raw, v->raw_len);
    case MINIMAX__JSON_ARRAY:
        if (!minimax__buf_add(b, "[", 1)) return 0;
        for (c = v->child; c; c = c->next) {
            if (!first && !minimax__buf_add(b, ", ", 2)) return 0;
            first = 0;
            if (!minimax__py_dumps(b, c)) return 0;
        }
        return minimax__buf_add(b, "]", 1);
    case MINIMAX__JSON_OBJECT:
        if (!minimax__buf_add(b, "{", 1)) return 0;
        for (c = v->child; c; c = c->next) {
            const minimax__json *val = minimax__json_dict_value(v, c);
            if (!val) continue;
            if (!first && !minimax__buf_add(b, ", ", 2)) return 0;
            first = 0;
            if (!minimax__json_write_string(b, c->key, c->key_len, 0) || !minimax__buf_add(b, ": ", 2) ||
                !minimax__py_dumps(b, val))
                return 0;
        }
        return minimax__buf_add(b, "}", 1);
    }
    return 0;
}

/* The member Python's dict would return for key (the last one), or NULL. */
MINIMAX__PRIV const minimax__json *minimax__json_get_last(const minimax__json *obj, const char *key) {
    const minimax__json *c, *found = NULL;
    size_t n = strlen(key);
    if (!obj || obj->type != MINIMAX__JSON_OBJECT) return NULL;
    for (c = obj->child; c; c = c->next)
        if (c->key_len == n && memcmp(c->key, key, n) == 0) found = c;
    return found;
}

/* ---- the rendered prompt as segments --------------------------------------- */

typedef struct minimax__chat_seg {
    size_t off, len;
    int special; /* 1: a format marker, one special token */
} minimax__chat_seg;

typedef struct minimax__chat_out {
    minimax__buf text;
    minimax__chat_seg *segs;
    size_t n_segs, cap_segs;
    int oom;
} minimax__chat_out;

MINIMAX__PRIV void minimax__chat_put(minimax__chat_out *o, const char *s, size_t n, int special) {
    if (o->oom || (n == 0 && !special)) return;
    if (!special && o->n_segs && !o->segs[o->n_segs - 1].special) {
        o->segs[o->n_segs - 1].len += n; /* text runs merge: they are tokenized together */
    } else {
        if (o->n_segs == o->cap_segs) {
            size_t cap = o->cap_segs ? o->cap_segs * 2 : 64;
            minimax__chat_seg *g = (minimax__chat_seg *)MINIMAX_REALLOC(o->segs, cap * sizeof *g);
            if (!g) {
                o->oom = 1;
                return;
            }
            o->segs = g;
            o->cap_segs = cap;
        }
        o->segs[o->n_segs].off = o->text.len;
        o->segs[o->n_segs].len = n;
        o->segs[o->n_segs].special = special;
        o->n_segs++;
    }
    if (!minimax__buf_add(&o->text, s, n)) o->oom = 1;
}

MINIMAX__PRIV void minimax__chat_text(minimax__chat_out *o, const char *s) { minimax__chat_put(o, s, strlen(s), 0); }
MINIMAX__PRIV void minimax__chat_textn(minimax__chat_out *o, const char *s, size_t n) { minimax__chat_put(o, s, n, 0); }
MINIMAX__PRIV void minimax__chat_mark(minimax__chat_out *o, const char *s) { minimax__chat_put(o, s, strlen(s), 1); }

MINIMAX__PRIV void minimax__chat_out_free(minimax__chat_out *o) {
    minimax__buf_free(&o->text);
    MINIMAX_FREE(o->segs);
    memset(o, 0, sizeof *o);
}

/* Arguments of a tool call as a JSON object (see minimax_chat_tool_call).
   doc is freed by the caller; *obj is NULL for "no arguments". */
MINIMAX__PRIV minimax_result minimax__chat_arguments(const char *args, size_t mi, size_t ci, minimax__json_doc *doc,
                                                     minimax__json_doc *inner, const minimax__json **obj) {
    const minimax__json *v;
    *obj = NULL;
    memset(doc, 0, sizeof *doc);
    memset(inner, 0, sizeof *inner);
    if (!args || !*args) return MINIMAX_OK; /* vLLM: missing or "" arguments become {} */
    if (minimax__json_parse(args, strlen(args), "arguments", doc) != MINIMAX_OK)
        return minimax__fail(MINIMAX_ERR_TEMPLATE, "chat: message %zu, tool call %zu: arguments are not JSON (%s)", mi,
                             ci, minimax_last_error());
    v = doc->root;
    if (v->type == MINIMAX__JSON_STRING) { /* the OpenAI wire form: a string holding the JSON */
        if (v->len == 0) return MINIMAX_OK;
        if (minimax__json_parse(v->str, v->len, "arguments", inner) != MINIMAX_OK)
            return minimax__fail(MINIMAX_ERR_TEMPLATE,
                                 "chat: message %zu, tool call %zu: the arguments string is not JSON (%s)", mi, ci,
                                 minimax_last_error());
        v = inner->root;
    }
    if (v->type != MINIMAX__JSON_OBJECT)
        return minimax__fail(MINIMAX_ERR_TEMPLATE,
                             "chat: message %zu, tool call %zu: arguments must be a JSON object (the template calls "
                             "arguments.items())",
                             mi, ci);
    *obj = v;
    return MINIMAX_OK;
}

/* Appends the rendering of one assistant tool call. */
MINIMAX__PRIV minimax_result minimax__chat_tool_call(minimax__chat_out *o, const minimax_chat_tool_call *tc, size_t mi,
                                                     size_t ci) {
    minimax__json_doc doc, inner;
    const minimax__json *args, *c;
    minimax__buf val;
    minimax_result r;
    memset(&val, 0, sizeof val);
    if (!tc->name)
        return minimax__fail(MINIMAX_ERR_TEMPLATE, "chat: message %zu, tool call %zu has no name", mi, ci);
    r = minimax__chat_arguments(tc->arguments, mi, ci, &doc, &inner, &args);
    if (r != MINIMAX_OK) {
        minimax__json_free(&doc);
        minimax__json_free(&inner);
        return r;
    }
    /* {{- '<invoke name="' + tool_call.name + '">' }} then a kept newline */
    minimax__chat_text(o, "<invoke name=\"");
    minimax__chat_text(o, tc->name);
    minimax__chat_text(o, "\">\n");
    /* {%- for k, v in _args.items() %}<parameter name="k">{{ v|tojson if v is not string else v }}</parameter>\n */
    for (c = args ? args->child : NULL; c; c = c->next) {
        const minimax__json *v = minimax__json_dict_value(args, c);
        if (!v) continue;
        minimax__chat_text(o, "<parameter name=\"");
        minimax__chat_textn(o, c->key, c->key_len);
        minimax__chat_text(o, "\">");
        if (v->type == MINIMAX__JSON_STRING) {
            minimax__chat_textn(o, v->str, v->len);
        } else {
            val.len = 0;
            if (!minimax__py_dumps(&val, v)) o->oom = 1;
            else minimax__chat_textn(o, val.data, val.len);
        }
        minimax__chat_text(o, "</parameter>\n");
    }
    minimax__chat_text(o, "</invoke>\n");
    minimax__buf_free(&val);
    minimax__json_free(&doc);
    minimax__json_free(&inner);
    return MINIMAX_OK;
}

/* One line of the tools section: <tool>{{ tool.function | tojson }}</tool>\n */
MINIMAX__PRIV minimax_result minimax__chat_tool_def(minimax__chat_out *o, const minimax_chat_tool *t, size_t ti) {
    minimax__json_doc doc;
    const minimax__json *fn;
    minimax__buf b;
    memset(&b, 0, sizeof b);
    if (!t->json) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: tool %zu has json NULL", ti);
    if (minimax__json_parse(t->json, strlen(t->json), "tool", &doc) != MINIMAX_OK)
        return minimax__fail(MINIMAX_ERR_TEMPLATE, "chat: tool %zu is not JSON (%s)", ti, minimax_last_error());
    fn = minimax__json_get_last(doc.root, "function");
    if (!fn) {
        minimax__json_free(&doc);
        return minimax__fail(MINIMAX_ERR_TEMPLATE,
                             "chat: tool %zu is not an object with a \"function\" member (the template renders "
                             "tool.function)",
                             ti);
    }
    if (!minimax__py_dumps(&b, fn)) o->oom = 1;
    minimax__chat_text(o, "<tool>");
    minimax__chat_textn(o, b.data, b.len);
    minimax__chat_text(o, "</tool>\n");
    minimax__buf_free(&b);
    minimax__json_free(&doc);
    return MINIMAX_OK;
}

/* Splits an assistant's content the way the template does when the message
   has no reasoning_content:
     reasoning = content.split('</think>')[0].strip('\n').split('<think>')[-1].strip('\n')
     content   = content.split('</think>')[-1].strip('\n') */
MINIMAX__PRIV void minimax__chat_split_think(const char *content, const char **r, size_t *rn, const char **c,
                                             size_t *cn) {
    const char *first = strstr(content, "</think>"), *last = first, *q, *s, *e;
    size_t n = strlen(content);
    while ((q = strstr(last + 8, "</think>")) != NULL) last = q;
    s = content;
    e = first;
    while (s < e && *s == '\n') s++;
    while (e > s && e[-1] == '\n') e--;
    for (q = s; q + 7 <= e; q++)
        if (memcmp(q, "<think>", 7) == 0) s = q + 7, q += 6;
    while (s < e && *s == '\n') s++;
    while (e > s && e[-1] == '\n') e--;
    *r = s;
    *rn = (size_t)(e - s);
    s = last + 8;
    e = content + n;
    while (s < e && *s == '\n') s++;
    while (e > s && e[-1] == '\n') e--;
    *c = s;
    *cn = (size_t)(e - s);
}

MINIMAX__PRIV minimax_result minimax__chat_build(const minimax_chat_desc *d, minimax__chat_out *o) {
    const minimax_chat_message *msgs, *sys = NULL, *conv;
    size_t n, i, k;
    long last_user = -1;
    int last_had_tool_calls = 0; /* last_tool_call.name is not none */
    const char *date, *location;
    minimax_result r;
    if (!d) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: desc is NULL");
    if (d->n_messages && !d->messages) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: messages is NULL");
    if (d->n_tools && !d->tools) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: tools is NULL");
    for (i = 0; i < d->n_messages; i++) {
        const minimax_chat_message *m = &d->messages[i];
        if (m->role < MINIMAX_CHAT_SYSTEM || m->role > MINIMAX_CHAT_TOOL)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: message %zu has role %d, not a minimax_chat_role",
                                 i, (int)m->role);
        if (m->n_tool_calls && !m->tool_calls)
            return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: message %zu has tool_calls NULL", i);
    }
    /* {%- if messages and messages[0].role == "system" -%} the first message is the system message */
    msgs = d->messages;
    n = d->n_messages;
    conv = msgs;
    if (n && msgs[0].role == MINIMAX_CHAT_SYSTEM) {
        sys = &msgs[0];
        conv = msgs + 1;
        n--;
    }
    for (i = 0; i < n; i++)
        if (conv[i].role == MINIMAX_CHAT_USER) last_user = (long)i;

    minimax__chat_mark(o, "]~!b[");
    minimax__chat_mark(o, "]~b]");
    minimax__chat_text(o, "system\n");
    /* build_system_message: its content if non-empty, else model_identity */
    if (sys && sys->content && *sys->content) minimax__chat_text(o, sys->content);
    else minimax__chat_text(o, d->model_identity ? d->model_identity : "You are a helpful assistant.");
    date = sys && sys->current_date && *sys->current_date ? sys->current_date : d->date;
    location = sys && sys->current_location && *sys->current_location ? sys->current_location : d->location;
    if (date && *date) {
        minimax__chat_text(o, "\nCurrent date: ");
        minimax__chat_text(o, date);
    }
    if (location && *location) {
        minimax__chat_text(o, "\nCurrent location: ");
        minimax__chat_text(o, location);
    }
    if (d->n_tools) {
        minimax__chat_text(o, "\n\n# Tools\nYou may call one or more tools to assist with the user query.\n"
                              "Here are the tools available in JSONSchema format:\n\n<tools>\n");
        for (k = 0; k < d->n_tools; k++)
            if ((r = minimax__chat_tool_def(o, &d->tools[k], k)) != MINIMAX_OK) return r;
        minimax__chat_text(o, "</tools>\n\nWhen making tool calls, use XML format to invoke tools and pass "
                              "parameters:\n\n");
        minimax__chat_mark(o, "<minimax:tool_call>");
        minimax__chat_text(o, "\n<invoke name=\"tool-name-1\">\n"
                              "<parameter name=\"param-key-1\">param-value-1</parameter>\n"
                              "<parameter name=\"param-key-2\">param-value-2</parameter>\n...\n</invoke>\n");
        minimax__chat_mark(o, "</minimax:tool_call>");
    }
    minimax__chat_mark(o, "[e~[");
    minimax__chat_text(o, "\n");

    for (i = 0; i < n; i++) {
        const minimax_chat_message *m = &conv[i];
        size_t mi = (size_t)(m - msgs);
        if (m->role == MINIMAX_CHAT_ASSISTANT) {
            const char *content = m->content ? m->content : "", *rs = "", *cs = content;
            size_t rn = 0, cn = strlen(content);
            minimax__chat_mark(o, "]~b]");
            minimax__chat_text(o, "ai\n");
            if (m->reasoning) {
                rs = m->reasoning;
                rn = strlen(rs);
            } else if (strstr(content, "</think>")) {
                minimax__chat_split_think(content, &rs, &rn, &cs, &cn);
            }
            /* {%- if reasoning_content and loop.index0 > ns.last_user_index -%} */
            if (rn && (long)i > last_user) {
                minimax__chat_mark(o, "<think>");
                minimax__chat_text(o, "\n");
                minimax__chat_textn(o, rs, rn);
                minimax__chat_text(o, "\n");
                minimax__chat_mark(o, "</think>");
                minimax__chat_text(o, "\n\n");
            }
            minimax__chat_textn(o, cs, cn);
            if (m->n_tool_calls) {
                minimax__chat_text(o, "\n");
                minimax__chat_mark(o, "<minimax:tool_call>");
                minimax__chat_text(o, "\n");
                for (k = 0; k < m->n_tool_calls; k++)
                    if ((r = minimax__chat_tool_call(o, &m->tool_calls[k], mi, k)) != MINIMAX_OK) return r;
                minimax__chat_mark(o, "</minimax:tool_call>");
                last_had_tool_calls = 1;
            } else {
                last_had_tool_calls = 0;
            }
            minimax__chat_mark(o, "[e~[");
            minimax__chat_text(o, "\n");
        } else if (m->role == MINIMAX_CHAT_TOOL) {
            if (!last_had_tool_calls)
                return minimax__fail(MINIMAX_ERR_TEMPLATE,
                                     "chat: message %zu: Message has tool role, but there was no previous assistant "
                                     "message with a tool call!",
                                     mi);
            if (i == 0 || conv[i - 1].role != MINIMAX_CHAT_TOOL) {
                minimax__chat_mark(o, "]~b]");
                minimax__chat_text(o, "tool");
            }
            if (m->content) {
                minimax__chat_text(o, "\n<response>");
                minimax__chat_text(o, m->content);
                minimax__chat_text(o, "</response>");
            }
            if (i + 1 == n || conv[i + 1].role != MINIMAX_CHAT_TOOL) {
                minimax__chat_mark(o, "[e~[");
                minimax__chat_text(o, "\n");
            }
        } else if (m->role == MINIMAX_CHAT_USER) {
            minimax__chat_mark(o, "]~b]");
            minimax__chat_text(o, "user\n");
            if (m->content) minimax__chat_text(o, m->content);
            minimax__chat_mark(o, "[e~[");
            minimax__chat_text(o, "\n");
        }
        /* a system message after the first renders nothing (the template has no branch for it) */
    }
    if (d->add_generation_prompt) {
        minimax__chat_mark(o, "]~b]");
        minimax__chat_text(o, "ai\n");
        minimax__chat_mark(o, "<think>");
        minimax__chat_text(o, "\n");
    }
    if (o->oom) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "chat: out of host memory rendering the conversation");
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_chat_render(const minimax_chat_desc *desc, char **text, size_t *len) {
    minimax__chat_out o;
    minimax_result r;
    if (!text) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: text is NULL");
    *text = NULL;
    if (len) *len = 0;
    memset(&o, 0, sizeof o);
    r = minimax__chat_build(desc, &o);
    if (r == MINIMAX_OK && !o.text.data && !minimax__buf_add(&o.text, "", 0))
        r = minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "chat: out of host memory");
    if (r != MINIMAX_OK) {
        minimax__chat_out_free(&o);
        return r;
    }
    *text = o.text.data;
    if (len) *len = o.text.len;
    MINIMAX_FREE(o.segs);
    return MINIMAX_OK;
}

MINIMAX_API void minimax_chat_text_free(char *text) { MINIMAX_FREE(text); }

/* Tokenizes the segments: markers by lookup, text runs as plain text. The
   two tokenizer calls are parameters so that tests can check the structure
   with a stand-in tokenizer. */
typedef minimax_result (*minimax__chat_encode_fn)(const void *tok, const char *text, size_t len, int32_t *ids,
                                                  size_t cap, size_t *n_ids);
typedef int32_t (*minimax__chat_lookup_fn)(const void *tok, const char *token, size_t len);

MINIMAX__PRIV minimax_result minimax__chat_tokenize_with(const void *tok, minimax__chat_encode_fn encode,
                                                         minimax__chat_lookup_fn lookup, const minimax_chat_desc *desc,
                                                         int32_t *ids, size_t cap, size_t *n_ids) {
    minimax__chat_out o;
    minimax_result r;
    size_t i, count = 0;
    if (!n_ids || (cap && !ids)) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: n_ids or ids is NULL");
    *n_ids = 0;
    memset(&o, 0, sizeof o);
    r = minimax__chat_build(desc, &o);
    for (i = 0; r == MINIMAX_OK && i < o.n_segs; i++) {
        const minimax__chat_seg *s = &o.segs[i];
        const char *p = o.text.data + s->off;
        if (s->special) {
            int32_t id = lookup(tok, p, s->len);
            if (id < 0) {
                r = minimax__fail(MINIMAX_ERR_UNSUPPORTED, "chat: the tokenizer has no special token %.*s",
                                  (int)s->len, p);
                break;
            }
            if (count < cap) ids[count] = id;
            count++;
        } else {
            size_t got = 0;
            r = encode(tok, p, s->len, count < cap ? ids + count : NULL, count < cap ? cap - count : 0, &got);
            count += got;
        }
    }
    minimax__chat_out_free(&o);
    if (r == MINIMAX_OK) *n_ids = count;
    return r;
}

MINIMAX__PRIV minimax_result minimax__chat_encode_plain(const void *tok, const char *text, size_t len, int32_t *ids,
                                                        size_t cap, size_t *n_ids) {
    return minimax_tokenize((const minimax_tokenizer *)tok, text, len, 0, ids, cap, n_ids);
}

MINIMAX__PRIV int32_t minimax__chat_lookup(const void *tok, const char *token, size_t len) {
    return minimax_token_lookup((const minimax_tokenizer *)tok, token, len);
}

MINIMAX_API minimax_result minimax_chat_tokenize(const minimax_tokenizer *tok, const minimax_chat_desc *desc,
                                                 int32_t *ids, size_t cap, size_t *n_ids) {
    if (!tok) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "chat: tokenizer is NULL");
    return minimax__chat_tokenize_with(tok, minimax__chat_encode_plain, minimax__chat_lookup, desc, ids, cap, n_ids);
}

/* ---- output parser ---------------------------------------------------------- */

/* A tool the parser knows: its name and parameters.properties (for types). */
typedef struct minimax__parser_tool {
    minimax__json_doc doc;
    const char *name;
    size_t name_len;
    const minimax__json *properties; /* NULL: every argument is a string */
} minimax__parser_tool;

/* One stream (reasoning or content): text stripped of '\n' at both ends as
   a whole; '\n' runs wait in `held` until something else follows. */
typedef struct minimax__parser_stream {
    minimax__buf text;
    size_t held;
    int started;
} minimax__parser_stream;

enum { MINIMAX__P_START, MINIMAX__P_REASONING, MINIMAX__P_CONTENT, MINIMAX__P_BLOCK, MINIMAX__P_DONE };

struct minimax_output_parser {
    minimax__parser_tool *tools;
    size_t n_tools;
    int state, starts_in_content, oom;
    minimax__buf pending;   /* input not yet settled */
    size_t block_scanned;   /* in BLOCK: bytes of pending already searched for the end marker */
    minimax__parser_stream reasoning, content;
    minimax_output_tool_call *calls;
    size_t n_calls, cap_calls;
};

#define MINIMAX__TC_OPEN "<minimax:tool_call>"
#define MINIMAX__TC_CLOSE "</minimax:tool_call>"

MINIMAX__PRIV int minimax__py_space(const unsigned char *s, size_t n, size_t *w) {
    /* str.isspace() for one character at s: ASCII \t\n\v\f\r, \x1c-\x1f, space, and the Unicode
       spaces U+0085 U+00A0 U+1680 U+2000-200A U+2028 U+2029 U+202F U+205F U+3000. */
    if (n >= 1 && ((s[0] >= 9 && s[0] <= 13) || (s[0] >= 0x1c && s[0] <= 0x20))) {
        *w = 1;
        return 1;
    }
    if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0)) {
        *w = 2;
        return 1;
    }
    if (n >= 3 && s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80) {
        *w = 3;
        return 1;
    }
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF)) {
        *w = 3;
        return 1;
    }
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) {
        *w = 3;
        return 1;
    }
    if (n >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) {
        *w = 3;
        return 1;
    }
    return 0;
}

/* Python's str.strip() on [*s, *s + *n). */
MINIMAX__PRIV void minimax__py_strip(const char **s, size_t *n) {
    const unsigned char *p = (const unsigned char *)*s;
    size_t len = *n, w;
    while (len && minimax__py_space(p, len, &w)) p += w, len -= w;
    for (;;) { /* trailing: find the last character and test it */
        size_t k, back = 0;
        for (k = 1; k <= 3 && k <= len; k++)
            if (minimax__py_space(p + len - k, k, &w) && w == k) {
                back = k;
                break;
            }
        if (!back) break;
        len -= back;
    }
    *s = (const char *)p;
    *n = len;
}

/* _extract_name: strip, then drop one pair of matching quotes. */
MINIMAX__PRIV void minimax__parser_name(const char **s, size_t *n) {
    minimax__py_strip(s, n);
    if (*n >= 2 && (((*s)[0] == '"' && (*s)[*n - 1] == '"') || ((*s)[0] == '\'' && (*s)[*n - 1] == '\''))) {
        (*s)++;
        *n -= 2;
    }
}

/* JSON-schema types of a parameter, as bits */
#define MINIMAX__T_INT 1u
#define MINIMAX__T_NUM 2u
#define MINIMAX__T_BOOL 4u
#define MINIMAX__T_JSON 8u /* object or array */
#define MINIMAX__T_STR 16u
#define MINIMAX__T_NULL 32u
#define MINIMAX__T_OTHER 64u

MINIMAX__PRIV int minimax__ieq(const char *a, size_t n, const char *b) {
    size_t i;
    if (strlen(b) != n) return 0;
    for (i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != b[i]) return 0;
    }
    return 1;
}

MINIMAX__PRIV unsigned minimax__type_bit(const char *t, size_t n) {
    if (minimax__ieq(t, n, "integer") || minimax__ieq(t, n, "int")) return MINIMAX__T_INT;
    if (minimax__ieq(t, n, "number") || minimax__ieq(t, n, "float")) return MINIMAX__T_NUM;
    if (minimax__ieq(t, n, "boolean") || minimax__ieq(t, n, "bool")) return MINIMAX__T_BOOL;
    if (minimax__ieq(t, n, "object") || minimax__ieq(t, n, "array")) return MINIMAX__T_JSON;
    if (minimax__ieq(t, n, "string") || minimax__ieq(t, n, "str") || minimax__ieq(t, n, "text")) return MINIMAX__T_STR;
    if (minimax__ieq(t, n, "null")) return MINIMAX__T_NULL;
    return MINIMAX__T_OTHER;
}

/* vLLM's _extract_types_from_schema as a set of bits. */
MINIMAX__PRIV unsigned minimax__schema_types(const minimax__json *s) {
    static const char *const choices[3] = {"anyOf", "oneOf", "allOf"};
    const minimax__json *t, *c;
    unsigned bits = 0;
    int k;
    if (!s || s->type != MINIMAX__JSON_OBJECT) return MINIMAX__T_STR;
    t = minimax__json_get_last(s, "type");
    if (t && t->type == MINIMAX__JSON_STRING) bits |= minimax__type_bit(t->str, t->len);
    if (t && t->type == MINIMAX__JSON_ARRAY)
        for (c = t->child; c; c = c->next)
            if (c->type == MINIMAX__JSON_STRING) bits |= minimax__type_bit(c->str, c->len);
    t = minimax__json_get_last(s, "enum");
    if (t && t->type == MINIMAX__JSON_ARRAY)
        for (c = t->child; c; c = c->next) switch (c->type) {
            case MINIMAX__JSON_NULL: bits |= MINIMAX__T_NULL; break;
            case MINIMAX__JSON_TRUE:
            case MINIMAX__JSON_FALSE: bits |= MINIMAX__T_BOOL; break;
            case MINIMAX__JSON_NUMBER: bits |= minimax__json_number_is_int(c) ? MINIMAX__T_INT : MINIMAX__T_NUM; break;
            case MINIMAX__JSON_STRING: bits |= MINIMAX__T_STR; break;
            default: bits |= MINIMAX__T_JSON; break;
            }
    for (k = 0; k < 3; k++) {
        t = minimax__json_get_last(s, choices[k]);
        if (t && t->type == MINIMAX__JSON_ARRAY)
            for (c = t->child; c; c = c->next) bits |= minimax__schema_types(c);
    }
    return bits ? bits : MINIMAX__T_STR;
}

/* Python int(s) for ASCII input: optional sign, digits with single '_'
   between them, white space around. Writes the canonical decimal. */
MINIMAX__PRIV int minimax__py_int(const char *s, size_t n, minimax__buf *out) {
    size_t i = 0, start = out->len;
    int neg = 0, seen = 0, nonzero = 0;
    minimax__py_strip(&s, &n);
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (neg && !minimax__buf_add(out, "-", 1)) return 0;
    for (; i < n; i++) {
        if (s[i] == '_' && seen && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') continue;
        if (s[i] < '0' || s[i] > '9') break;
        seen = 1;
        if (!nonzero && s[i] == '0') continue; /* leading zeros */
        nonzero = 1;
        if (!minimax__buf_add(out, s + i, 1)) return 0;
    }
    if (seen && i == n) {
        if (nonzero) return 1;
        out->len = start; /* only zeros: "0", never "-0" */
        return minimax__buf_add(out, "0", 1);
    }
    out->len = start;
    if (out->data) out->data[start] = 0;
    return 0;
}

/* Python float(s) for ASCII input (digits with '_' separators, '.', an
   exponent; "inf"/"nan" are refused, as vLLM's int(val) refuses them).
   An integral value is written as an integer (vLLM: int(val)), others as
   repr(). Returns 0 if s is not a finite number. */
MINIMAX__PRIV int minimax__py_number(const char *s, size_t n, minimax__buf *out) {
    char tmp[512];
    size_t i = 0, o = 0;
    int digits = 0, prev_digit = 0;
    double d;
    minimax__py_strip(&s, &n);
    if (n == 0 || n >= sizeof tmp) return 0;
    if (s[i] == '+' || s[i] == '-') tmp[o++] = s[i++];
    /* mantissa: digits [. digits] or . digits */
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            tmp[o++] = c;
            digits++;
            prev_digit = 1;
        } else if (c == '_' && prev_digit && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
            prev_digit = 0;
        } else if (c == '.' && !memchr(tmp, '.', o)) {
            tmp[o++] = c;
            prev_digit = 0;
        } else break;
    }
    if (!digits) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int ed = 0;
        tmp[o++] = 'e';
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) tmp[o++] = s[i++];
        prev_digit = 0;
        for (; i < n; i++) {
            if (s[i] >= '0' && s[i] <= '9') {
                tmp[o++] = s[i];
                ed++;
                prev_digit = 1;
            } else if (s[i] == '_' && prev_digit && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
                prev_digit = 0;
            } else break;
        }
        if (!ed) return 0;
    }
    if (i != n) return 0;
    tmp[o] = 0;
    /* not strtod: it reads the point of the C locale (',' after a host's setlocale in many) */
    d = tmp[0] == '+' ? minimax__json_number_value(tmp + 1, o - 1) : minimax__json_number_value(tmp, o);
    if (!minimax__finite(d)) return 0;
    if (d == floor(d)) { /* int(val): the exact integer of the double */
        char big[400];
        snprintf(big, sizeof big, "%.0f", d);
        if (strcmp(big, "-0") == 0) strcpy(big, "0");
        return minimax__buf_add(out, big, strlen(big));
    }
    return minimax__py_float(out, d);
}

/* Whether every number in v reads as a finite double. json.dumps would
   write an overflowing one (1e400) as Infinity, which is not JSON, so a
   value holding one is not taken as JSON (header: NaN and infinities fail). */
MINIMAX__PRIV int minimax__json_all_finite(const minimax__json *v) {
    const minimax__json *c;
    if (v->type == MINIMAX__JSON_NUMBER)
        return minimax__json_number_is_int(v) || minimax__finite(v->number);
    for (c = v->child; c; c = c->next)
        if (!minimax__json_all_finite(c)) return 0;
    return 1;
}

/* Appends one argument value converted per vLLM's
   _convert_param_value_with_types (see the header for the rules). */
MINIMAX__PRIV int minimax__parser_value(minimax__buf *out, const char *raw, size_t raw_n, unsigned types) {
    const char *s = raw;
    size_t n = raw_n;
    minimax__json_doc doc;
    minimax_result parsed;
    char saved_err[256];
    minimax__py_strip(&s, &n);
    if (minimax__ieq(s, n, "null") || minimax__ieq(s, n, "none") || minimax__ieq(s, n, "nil")) {
        if (!((types & MINIMAX__T_STR) && !(types & MINIMAX__T_NULL))) return minimax__buf_add(out, "null", 4);
    }
    if ((types & MINIMAX__T_INT) && minimax__py_int(s, n, out)) return 1;
    if ((types & MINIMAX__T_NUM) && minimax__py_number(s, n, out)) return 1;
    if (types & MINIMAX__T_BOOL) {
        if (minimax__ieq(s, n, "true") || minimax__ieq(s, n, "1") || minimax__ieq(s, n, "yes") || minimax__ieq(s, n, "on"))
            return minimax__buf_add(out, "true", 4);
        if (minimax__ieq(s, n, "false") || minimax__ieq(s, n, "0") || minimax__ieq(s, n, "no") ||
            minimax__ieq(s, n, "off"))
            return minimax__buf_add(out, "false", 5);
    }
    /* object/array, then string; for other types (and none matching) JSON if it parses, else the
       string. A failed parse must not leave its message as this thread's last error. */
    if (!(types & MINIMAX__T_STR) || (types & MINIMAX__T_JSON)) {
        size_t keep = strlen(minimax_last_error());
        if (keep >= sizeof saved_err) keep = sizeof saved_err - 1;
        memcpy(saved_err, minimax_last_error(), keep);
        saved_err[keep] = 0;
        parsed = minimax__json_parse(s, n, "argument", &doc);
        minimax__fail(MINIMAX_OK, "%s", saved_err);
        if (parsed == MINIMAX_OK) {
            int finite = minimax__json_all_finite(doc.root), ok = finite && minimax__py_dumps(out, doc.root);
            minimax__json_free(&doc);
            if (finite) return ok;
        }
    }
    return minimax__json_write_string(out, raw, raw_n, 0);
}

/* Finds the first occurrence of needle in [s, s+n). */
MINIMAX__PRIV const char *minimax__memmem(const char *s, size_t n, const char *needle) {
    size_t k = strlen(needle), i;
    if (k > n) return NULL;
    for (i = 0; i + k <= n; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0) return s + i;
    return NULL;
}

typedef struct minimax__parser_arg {
    const char *name;
    size_t name_len;
    size_t val_off, val_len; /* in the values buffer */
} minimax__parser_arg;

/* Parses one invoke (the text after "<invoke name=" up to "</invoke>") and
   appends the call. Returns 1 if a call was added, 0 if malformed, -1 on
   out-of-memory. */
MINIMAX__PRIV int minimax__parser_invoke(minimax_output_parser *p, const char *s, size_t n) {
    const char *gt = (const char *)memchr(s, '>', n), *name = s, *q, *end = s + n;
    size_t name_n = gt ? (size_t)(gt - s) : n, i, n_args = 0, cap_args = 0;
    const minimax__json *props = NULL;
    minimax__parser_arg *args = NULL;
    minimax__buf vals, json;
    minimax_output_tool_call *call;
    int result = -1;
    memset(&vals, 0, sizeof vals);
    memset(&json, 0, sizeof json);
    if (name_n == 0) return 0; /* ^([^>]+) does not match */
    minimax__parser_name(&name, &name_n);
    if (name_n == 0) return 0;
    for (i = 0; i < p->n_tools; i++)
        if (p->tools[i].name_len == name_n && memcmp(p->tools[i].name, name, name_n) == 0) {
            props = p->tools[i].properties;
            break;
        }
    /* <parameter name=(.*?)</parameter>, each split at its first '>' */
    q = s;
    for (;;) {
        const char *a = minimax__memmem(q, (size_t)(end - q), "<parameter name="), *b, *pg, *pn, *v;
        size_t pn_n, v_n, k;
        unsigned types = MINIMAX__T_STR;
        if (!a) break;
        b = minimax__memmem(a + 16, (size_t)(end - a - 16), "</parameter>");
        if (!b) break;
        q = b + 12;
        pn = a + 16;
        pg = (const char *)memchr(pn, '>', (size_t)(b - pn));
        if (!pg || pg == pn) continue;
        pn_n = (size_t)(pg - pn);
        minimax__parser_name(&pn, &pn_n);
        v = pg + 1;
        v_n = (size_t)(b - v);
        if (v_n && v[0] == '\n') v++, v_n--;
        if (v_n && v[v_n - 1] == '\n') v_n--;
        if (props) {
            const minimax__json *ps = NULL, *c;
            for (c = props->child; c; c = c->next) /* last one wins, like a dict */
                if (c->key_len == pn_n && memcmp(c->key, pn, pn_n) == 0) ps = c;
            if (ps) types = minimax__schema_types(ps);
        }
        for (k = 0; k < n_args; k++)
            if (args[k].name_len == pn_n && memcmp(args[k].name, pn, pn_n) == 0) break;
        if (k == n_args) {
            if (n_args == cap_args) {
                size_t cap = cap_args ? cap_args * 2 : 8;
                minimax__parser_arg *g = (minimax__parser_arg *)MINIMAX_REALLOC(args, cap * sizeof *g);
                if (!g) goto done;
                args = g;
                cap_args = cap;
            }
            args[k].name = pn;
            args[k].name_len = pn_n;
            n_args++;
        }
        args[k].val_off = vals.len;
        if (!minimax__parser_value(&vals, v, v_n, types)) goto done;
        args[k].val_len = vals.len - args[k].val_off;
    }
    if (!minimax__buf_add(&json, "{", 1)) goto done;
    for (i = 0; i < n_args; i++) {
        if ((i && !minimax__buf_add(&json, ", ", 2)) || !minimax__json_write_string(&json, args[i].name, args[i].name_len, 0) ||
            !minimax__buf_add(&json, ": ", 2) || !minimax__buf_add(&json, vals.data + args[i].val_off, args[i].val_len))
            goto done;
    }
    if (!minimax__buf_add(&json, "}", 1)) goto done;
    if (p->n_calls == p->cap_calls) {
        size_t cap = p->cap_calls ? p->cap_calls * 2 : 4;
        minimax_output_tool_call *g = (minimax_output_tool_call *)MINIMAX_REALLOC(p->calls, cap * sizeof *g);
        if (!g) goto done;
        p->calls = g;
        p->cap_calls = cap;
    }
    call = &p->calls[p->n_calls];
    {
        char *nm = (char *)MINIMAX_MALLOC(name_n + 1);
        if (!nm) goto done;
        memcpy(nm, name, name_n);
        nm[name_n] = 0;
        call->name = nm;
        call->arguments = json.data; /* owned by the call now */
        json.data = NULL;
        p->n_calls++;
    }
    result = 1;
done:
    MINIMAX_FREE(args);
    minimax__buf_free(&vals);
    minimax__buf_free(&json);
    return result;
}

/* Parses a block body; returns the number of calls added, -1 on OOM. */
MINIMAX__PRIV int minimax__parser_block(minimax_output_parser *p, const char *s, size_t n) {
    const char *q = s, *end = s + n;
    int added = 0;
    for (;;) {
        const char *a = minimax__memmem(q, (size_t)(end - q), "<invoke name="), *b;
        int r;
        if (!a) break;
        b = minimax__memmem(a + 13, (size_t)(end - a - 13), "</invoke>");
        if (!b) break;
        r = minimax__parser_invoke(p, a + 13, (size_t)(b - a - 13));
        if (r < 0) return -1;
        added += r;
        q = b + 9;
    }
    return added;
}

MINIMAX__PRIV void minimax__stream_emit(minimax_output_parser *p, minimax__parser_stream *st, const char *s, size_t n) {
    size_t body;
    if (!st->started) {
        while (n && *s == '\n') s++, n--;
        if (!n) return;
        st->started = 1;
    }
    body = n;
    while (body && s[body - 1] == '\n') body--;
    if (body) {
        while (st->held) {
            if (!minimax__buf_add(&st->text, "\n", 1)) p->oom = 1;
            st->held--;
        }
        if (!minimax__buf_add(&st->text, s, body)) p->oom = 1;
    }
    st->held += n - body;
}

/* Length of the longest suffix of [s, s+n) that is a proper prefix of marker. */
MINIMAX__PRIV size_t minimax__partial_suffix(const char *s, size_t n, const char *marker) {
    size_t m = strlen(marker), k;
    for (k = m - 1 < n ? m - 1 : n; k > 0; k--)
        if (memcmp(s + n - k, marker, k) == 0) return k;
    return 0;
}

MINIMAX__PRIV void minimax__pending_drop(minimax_output_parser *p, size_t k) {
    memmove(p->pending.data, p->pending.data + k, p->pending.len - k);
    p->pending.len -= k;
    p->pending.data[p->pending.len] = 0;
}

/* Settles as much of the pending input as can be decided; with final, all of it. */
MINIMAX__PRIV void minimax__parser_run(minimax_output_parser *p, int final) {
    for (;;) {
        char *s = p->pending.data;
        size_t n = p->pending.len;
        if (p->state == MINIMAX__P_START) {
            if (n < 7 && memcmp(s, "<think>", n) == 0 && !final) return;
            if (n >= 7 && memcmp(s, "<think>", 7) == 0) {
                minimax__pending_drop(p, 7);
                p->state = MINIMAX__P_REASONING;
            } else {
                p->state = p->starts_in_content ? MINIMAX__P_CONTENT : MINIMAX__P_REASONING;
            }
            continue;
        }
        if (p->state == MINIMAX__P_REASONING || p->state == MINIMAX__P_CONTENT) {
            int reasoning = p->state == MINIMAX__P_REASONING;
            const char *marker = reasoning ? "</think>" : MINIMAX__TC_OPEN;
            minimax__parser_stream *st = reasoning ? &p->reasoning : &p->content;
            const char *at = minimax__memmem(s, n, marker);
            size_t keep;
            if (at) {
                minimax__stream_emit(p, st, s, (size_t)(at - s));
                minimax__pending_drop(p, (size_t)(at - s) + strlen(marker));
                p->state = reasoning ? MINIMAX__P_CONTENT : MINIMAX__P_BLOCK;
                p->block_scanned = 0;
                continue;
            }
            keep = final ? 0 : minimax__partial_suffix(s, n, marker);
            minimax__stream_emit(p, st, s, n - keep);
            minimax__pending_drop(p, n - keep);
            return;
        }
        if (p->state == MINIMAX__P_BLOCK) {
            size_t close = strlen(MINIMAX__TC_CLOSE);
            size_t from = p->block_scanned > close ? p->block_scanned - close : 0;
            const char *at = minimax__memmem(s + from, n - from, MINIMAX__TC_CLOSE);
            if (at) {
                size_t body = (size_t)(at - s);
                int added = minimax__parser_block(p, s, body);
                if (added < 0) p->oom = 1;
                if (added == 0) { /* nothing usable: the block is content, verbatim */
                    minimax__stream_emit(p, &p->content, MINIMAX__TC_OPEN, strlen(MINIMAX__TC_OPEN));
                    minimax__stream_emit(p, &p->content, s, body + close);
                }
                minimax__pending_drop(p, body + close);
                p->state = MINIMAX__P_CONTENT;
                continue;
            }
            p->block_scanned = n;
            if (final) {
                minimax__stream_emit(p, &p->content, MINIMAX__TC_OPEN, strlen(MINIMAX__TC_OPEN));
                minimax__stream_emit(p, &p->content, s, n);
                minimax__pending_drop(p, n);
                p->state = MINIMAX__P_CONTENT;
            }
            return;
        }
        return; /* DONE */
    }
}

MINIMAX_API minimax_result minimax_output_parser_create(const minimax_output_parser_desc *desc,
                                                        minimax_output_parser **out) {
    minimax_output_parser *p;
    size_t i;
    if (!out) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "output parser: out is NULL");
    *out = NULL;
    if (desc && desc->n_tools && !desc->tools)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "output parser: tools is NULL");
    p = (minimax_output_parser *)minimax__alloc(sizeof *p, "the output parser");
    if (!p) return MINIMAX_ERR_OUT_OF_MEMORY;
    p->starts_in_content = desc ? desc->starts_in_content != 0 : 0;
    p->state = MINIMAX__P_START;
    if (!minimax__buf_add(&p->pending, "", 0) || !minimax__buf_add(&p->reasoning.text, "", 0) ||
        !minimax__buf_add(&p->content.text, "", 0)) {
        minimax_output_parser_free(p);
        return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "output parser: out of host memory");
    }
    if (desc && desc->n_tools) {
        p->tools = (minimax__parser_tool *)minimax__alloc(desc->n_tools * sizeof *p->tools, "output parser tools");
        if (!p->tools) {
            minimax_output_parser_free(p);
            return MINIMAX_ERR_OUT_OF_MEMORY;
        }
        p->n_tools = desc->n_tools;
        for (i = 0; i < desc->n_tools; i++) {
            minimax__parser_tool *t = &p->tools[i];
            const minimax__json *fn, *nm, *params;
            char what[64];
            snprintf(what, sizeof what, "tool %zu", i);
            if (!desc->tools[i].json || minimax__json_parse(desc->tools[i].json, strlen(desc->tools[i].json), what,
                                                            &t->doc) != MINIMAX_OK) {
                minimax_result r = desc->tools[i].json ? MINIMAX_ERR_FORMAT
                                                       : minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT,
                                                                       "output parser: tool %zu has json NULL", i);
                minimax_output_parser_free(p);
                return r;
            }
            fn = minimax__json_get_last(t->doc.root, "function");
            if (!fn) fn = t->doc.root; /* accept a bare function definition too */
            nm = minimax__json_get_last(fn, "name");
            params = minimax__json_get_last(fn, "parameters");
            if (nm && nm->type == MINIMAX__JSON_STRING) {
                t->name = nm->str;
                t->name_len = nm->len;
            }
            t->properties = minimax__json_get_last(params, "properties");
            if (t->properties && t->properties->type != MINIMAX__JSON_OBJECT) t->properties = NULL;
        }
    }
    *out = p;
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_output_parser_feed(minimax_output_parser *p, const char *text, size_t len) {
    if (!p || (len && !text)) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "output parser: NULL argument");
    if (p->state == MINIMAX__P_DONE)
        return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "output parser: feed after finish");
    if (p->oom) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "output parser: out of host memory earlier");
    if (!minimax__buf_add(&p->pending, text, len)) p->oom = 1;
    else minimax__parser_run(p, 0);
    if (p->oom) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "output parser: out of host memory");
    return MINIMAX_OK;
}

MINIMAX_API minimax_result minimax_output_parser_finish(minimax_output_parser *p) {
    if (!p) return minimax__fail(MINIMAX_ERR_INVALID_ARGUMENT, "output parser: NULL argument");
    if (p->state == MINIMAX__P_DONE) return MINIMAX_OK;
    minimax__parser_run(p, 1);
    p->state = MINIMAX__P_DONE;
    if (p->oom) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "output parser: out of host memory");
    return MINIMAX_OK;
}

MINIMAX_API void minimax_output_parser_get(const minimax_output_parser *p, minimax_output *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!p) return;
    out->reasoning = p->reasoning.text.data ? p->reasoning.text.data : "";
    out->reasoning_len = p->reasoning.text.len;
    out->content = p->content.text.data ? p->content.text.data : "";
    out->content_len = p->content.text.len;
    out->tool_calls = p->calls;
    out->n_tool_calls = p->n_calls;
    out->in_reasoning = p->state == MINIMAX__P_REASONING || (p->state == MINIMAX__P_START && !p->starts_in_content);
}

MINIMAX_API void minimax_output_parser_free(minimax_output_parser *p) {
    size_t i;
    if (!p) return;
    for (i = 0; i < p->n_tools; i++) minimax__json_free(&p->tools[i].doc);
    MINIMAX_FREE(p->tools);
    for (i = 0; i < p->n_calls; i++) {
        MINIMAX_FREE((void *)p->calls[i].name);
        MINIMAX_FREE((void *)p->calls[i].arguments);
    }
    MINIMAX_FREE(p->calls);
    minimax__buf_free(&p->pending);
    minimax__buf_free(&p->reasoning.text);
    minimax__buf_free(&p->content.text);
    MINIMAX_FREE(p);
}

#endif /* MINIMAX__IMPLEMENTED */
#endif /* MINIMAX_IMPLEMENTATION */
