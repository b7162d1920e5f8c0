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

/* A JSON number that is an integer in [0, 2^53]. */
MINIMAX__PRIV int minimax__json_u53(const minimax__json *v, uint64_t *out) {
    if (!v || v->type != MINIMAX__JSON_NUMBER) return 0;
    if (!(v->number >= 0.0) || v->number > 9007199254740992.0 || v->number != floor(v->number)) return 0;
    *out = (uint64_t)v->number;
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
    fd = open(path, O_RDONLY);
    if (fd < 0) return minimax__fail(MINIMAX_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return minimax__fail(MINIMAX_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
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
        if (!t) return minimax__fail(MINIMAX_ERR_OUT_OF_MEMORY, "out of host memory for %zu tensor entries", nc);
        *table = t;
        *cap = nc;
    }
    for (m = root->child; m; m = m->next) {
        const minimax__json *dt, *shp, *off, *d;
        minimax__tensor *t;
        uint64_t b, e, elems = 1, v;
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
            if (strcmp(dt->str, minimax__dtype_names[k]) == 0) break;
        if (k == MINIMAX__DT_COUNT)
            return minimax__fail(MINIMAX_ERR_FORMAT, "%s: tensor %s: unknown dtype \"%s\"", path, m->key, dt->str);
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
   (pread needs feature macros a header cannot set; a checkpoint is opened
   by one thread, so the shared file position is safe), so that
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
