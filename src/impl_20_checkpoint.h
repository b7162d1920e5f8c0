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
#define MINIMAX__CK_MAX_JSON (64u * 1000u * 1000u) /* config/index files; the real index is ~20 MB */

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

/* Reads a whole small file. *missing is set (and MINIMAX_OK returned) when
   the file does not exist and `missing` is not NULL. */
MINIMAX__PRIV minimax_result minimax__read_small_file(const char *path, char **data, size_t *len, int *missing) {
    FILE *f;
    long n;
    *data = NULL;
    *len = 0;
    if (missing) *missing = 0;
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
        return minimax__fail(MINIMAX_ERR_FORMAT, "%s: %ld bytes, more than the %u allowed for a JSON file", path, n,
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
    if (v && v->type == MINIMAX__JSON_STRING && strcmp(v->str, "sigmoid") != 0)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: scoring_func \"%s\": only sigmoid routing is implemented", file, v->str);
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
    if (strcmp(algo->str, "NVFP4") != 0)
        return minimax__fail(MINIMAX_ERR_UNSUPPORTED, "%s: %s.quant_algo is \"%s\"; this library reads ModelOpt NVFP4 only", file,
                             where, algo->str);
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
        if (m && (m->type != MINIMAX__JSON_STRING || strcmp(m->str, "modelopt") != 0))
            return minimax__fail(MINIMAX_ERR_UNSUPPORTED,
                                 "%s: quantization_config.quant_method is \"%s\"; this library reads ModelOpt NVFP4 only", cfg_file,
                                 m->type == MINIMAX__JSON_STRING ? m->str : "(not a string)");
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
        char want[64] = "";
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
    const int64_t H = c->hidden_size, Im = c->intermediate_size, E = c->num_experts, V = c->vocab_size;
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
            if ((r = minimax__expect_fp4(ck, prefix, Im, H, lw ? &lw->w1[e] : NULL))) return r;
            snprintf(prefix, sizeof prefix, "model.layers.%d.block_sparse_moe.experts.%lld.w2", l, (long long)e);
            if ((r = minimax__expect_fp4(ck, prefix, H, Im, lw ? &lw->w2[e] : NULL))) return r;
            snprintf(prefix, sizeof prefix, "model.layers.%d.block_sparse_moe.experts.%lld.w3", l, (long long)e);
            if ((r = minimax__expect_fp4(ck, prefix, Im, H, lw ? &lw->w3[e] : NULL))) return r;
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
            if (m->type != MINIMAX__JSON_STRING || m->len == 0 || strchr(m->str, '/') || m->str[0] == '.') {
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
    uint64_t L, H, nh, nkv, d, Im, E, V, K, qd, kvd, rows, blocks, per;
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
    if (cfg->num_heads % tp || cfg->num_kv_heads % tp || cfg->intermediate_size % (16 * tp))
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
    Im = (uint64_t)cfg->intermediate_size;
    E = (uint64_t)cfg->num_experts;
    V = (uint64_t)cfg->vocab_size;
    K = (uint64_t)cfg->top_k;
    qd = nh * d;
    kvd = nkv * d;
    out->weights_attention = L * 2 * (qd * H + 2 * kvd * H + H * qd) / (uint64_t)tp;
    per = Im / (uint64_t)tp * H; /* elements of one expert matrix on this GPU */
    out->weights_experts = L * E * 3 * (per / 2 + per / 16 + 8);
    rows = (V + (uint64_t)tp - 1) / (uint64_t)tp;
    out->weights_embedding = rows * H * 2;
    out->weights_lm_head = rows * H * 2;
    out->weights_router = L * (E * H * 2 + E * 4);
    out->weights_norms = (L * (2 * H + qd + kvd) + H) * 2;
    out->weights = out->weights_attention + out->weights_experts + out->weights_embedding + out->weights_lm_head +
                   out->weights_router + out->weights_norms;
    out->kv_bytes_per_token = L * 2 * (nkv / (uint64_t)tp) * d * 2;
    blocks = ((uint64_t)max_ctx + (uint64_t)block - 1) / (uint64_t)block;
    out->kv_tokens = (uint64_t)batch * blocks * (uint64_t)block;
    out->kv_cache = out->kv_bytes_per_token * out->kv_tokens;
    out->workspace = (uint64_t)batch * 4 *
                     (4 * H + (nh + 2 * nkv) / (uint64_t)tp * d + nh / (uint64_t)tp * d + E + 2 * K + K * 2 * (Im / (uint64_t)tp) + V);
    out->total = out->weights + out->kv_cache + out->workspace;
    return MINIMAX_OK;
}
