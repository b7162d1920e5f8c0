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
