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
