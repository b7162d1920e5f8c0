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
