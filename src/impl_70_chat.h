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
