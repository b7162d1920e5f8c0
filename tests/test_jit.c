/* JIT and driver loading, on a machine without a GPU: NVRTC compiles the
   kernel source for each target; the cubins are checked for their arch and
   for the instructions each path is meant to use; the cubin cache is
   exercised cold, warm, with a changed key, damaged and unusable; the
   driver loader reports a missing driver cleanly. Skips the NVRTC parts
   with a message where libnvrtc.so.13 cannot be loaded.

   The source compiled is tests/jit_sample.cu (both FP4 decode paths) and,
   when the build embeds src/kernels.cu, the real kernels too. SASS checks
   need cuobjdump (and nvdisasm) on PATH, or MINIMAX_CUOBJDUMP naming it;
   without it they are skipped, the PTX checks still run. */
#define _GNU_SOURCE /* mkdtemp, setenv, popen, truncate, dladdr */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
#include "test.h"
#include <sys/wait.h>

/* What each path must (and must not) contain, per source and target. Add
   rows as the kernels grow; "" ends nothing, NULL = no check. Patterns are
   substrings of `cuobjdump -sass` output (sass_*) and of the PTX (ptx_*). */
typedef struct jit_expect {
    const char *source; /* "sample" or "kernels" (the embedded src/kernels.cu) */
    const char *arch;
    int elf_arch; /* the SM number in the cubin's ELF e_flags (bits 8..15) */
    const char *sass_must, *sass_must_not;
    const char *ptx_must, *ptx_must_not;
} jit_expect;

static const jit_expect expectations[] = {
    /* Hopper: FP4 decoded with integer operations, no hardware conversion */
    {"sample", "sm_90a", 90, "LOP3.LUT", "E2M1", NULL, "e2m1x2"},
    /* Blackwell: the hardware E2M1 -> f16x2 conversion */
    {"sample", "sm_100a", 100, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
    {"sample", "sm_103a", 103, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
    {"sample", "sm_120a", 120, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
    {"sample", "sm_121a", 121, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
    {"sample", "sm_100f", 100, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
    {"sample", "sm_120f", 120, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
    /* the real kernels (contract: MINIMAX_FP4_HW=1 uses cvt.rn.f16x2.e2m1x2, 0 the integer decode) */
    {"kernels", "sm_90a", 90, NULL, "E2M1", NULL, "e2m1x2"},
    {"kernels", "sm_100a", 100, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
    {"kernels", "sm_120a", 120, "F2FP.F16.E2M1.UNPACK_B", NULL, "cvt.rn.f16x2.e2m1x2", NULL},
};

static char sample_path[1024];
static char tmp_root[256];

/* tests/jit_sample.cu next to this file (make passes tests/test_jit.c) */
static void find_sample(void) {
    const char *f = __FILE__, *slash = strrchr(f, '/');
    int dir = slash ? (int)(slash - f) : 0;
    snprintf(sample_path, sizeof sample_path, "%.*s%sjit_sample.cu", dir, f, slash ? "/" : "");
}

static int nvrtc_ok(void) { return minimax__nvrtc_init() == MINIMAX_OK; }

/* Loads the source named in a jit_expect row; 0 when it is not available. */
static int load_source(const char *which, char **text, size_t *size) {
    if (strcmp(which, "sample") == 0) return minimax__read_text_file(sample_path, text, size) == MINIMAX_OK;
#ifdef MINIMAX__HAVE_KERNEL_SOURCE
    *size = minimax__kernel_source_size;
    *text = (char *)malloc(*size + 1);
    memcpy(*text, minimax__kernel_source, *size + 1);
    return 1;
#else
    (void)text;
    (void)size;
    return 0;
#endif
}

/* An independent kernel count: `extern "C" __global__` in the source. */
static int count_kernels_in_source(const char *src) {
    int n = 0;
    const char *p = src;
    while ((p = strstr(p, "extern \"C\" __global__")) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* PTX straight from NVRTC for compute_XX (same options otherwise), to check
   the instructions independently of cuobjdump. malloc'd, NULL on failure. */
static char *ptx_for(const char *src, const char *arch) {
    const minimax__jit_target *t = minimax__jit_target_find(arch);
    char opt[64];
    const char *opts[4];
    minimax__nvrtc_program prog = NULL;
    size_t n = 0;
    char *ptx = NULL;
    snprintf(opt, sizeof opt, "--gpu-architecture=compute_%s", arch + 3);
    opts[0] = opt;
    opts[1] = "-std=c++17";
    opts[2] = t->family_macro;
    opts[3] = t->fp4_hw ? "-DMINIMAX_FP4_HW=1" : "-DMINIMAX_FP4_HW=0";
    if (minimax__cu.nvrtcCreateProgram(&prog, src, "ptx_check.cu", 0, NULL, NULL) != 0) return NULL;
    if (minimax__cu.nvrtcCompileProgram(prog, 4, opts) == 0 && minimax__cu.nvrtcGetPTXSize(prog, &n) == 0) {
        ptx = (char *)malloc(n + 1);
        if (minimax__cu.nvrtcGetPTX(prog, ptx) != 0) {
            free(ptx);
            ptx = NULL;
        } else {
            ptx[n] = 0;
        }
    }
    minimax__cu.nvrtcDestroyProgram(&prog);
    return ptx;
}

/* `cuobjdump -sass` of a cubin, malloc'd; NULL when cuobjdump is not usable. */
static char *sass_for(const void *cubin, size_t size) {
    const char *tool = getenv("MINIMAX_CUOBJDUMP");
    char path[300], cmd[700];
    FILE *f, *p;
    minimax__buf out;
    char chunk[4096];
    size_t n;
    int rc;
    memset(&out, 0, sizeof out);
    snprintf(path, sizeof path, "%s/sass.cubin", tmp_root);
    f = fopen(path, "wb");
    if (!f) return NULL;
    fwrite(cubin, 1, size, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s -sass '%s' 2>&1", tool && tool[0] ? tool : "cuobjdump", path);
    p = popen(cmd, "r");
    if (!p) return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) minimax__buf_add(&out, chunk, n);
    rc = pclose(p);
    remove(path);
    if (rc != 0 || !out.data || !strstr(out.data, "Function")) {
        if (out.data && rc == 0) printf("    cuobjdump printed no functions: %.300s\n", out.data);
        minimax__buf_free(&out);
        return NULL;
    }
    return out.data;
}

/* ---- driver loading ------------------------------------------------------ */

static void test_cuda_init_without_driver(void) {
    minimax_result r = minimax__cuda_init(), r2;
    char first[1024];
    if (r == MINIMAX_OK) {
        CHECK(minimax__cu.driver_version >= 12000, "driver version %d", minimax__cu.driver_version);
        SKIP("a CUDA driver is present (version %d); the no-driver path cannot be checked here",
             minimax__cu.driver_version);
    }
    CHECK(r == MINIMAX_ERR_NO_DEVICE, "got %s", minimax_result_name(r));
    CHECK(strstr(minimax_last_error(), "libcuda.so.1") != NULL, "message: %s", minimax_last_error());
    minimax__copy_str(first, sizeof first, minimax_last_error());
    printf("    %s\n", first);
    minimax__clear_error();
    r2 = minimax__cuda_init(); /* once per process: same answer, message replayed */
    CHECK(r2 == r, "second call %s", minimax_result_name(r2));
    CHECK(strcmp(first, minimax_last_error()) == 0, "second message: %s", minimax_last_error());
    CHECK(minimax__cu.libcuda == NULL, "table marked loaded after a failure");
    /* the error helper still works without a driver */
    CHECK(minimax__cu_check(2, "cuMemAlloc of 1 GiB") == MINIMAX_ERR_OUT_OF_MEMORY, "OOM maps to OUT_OF_MEMORY");
    CHECK(strstr(minimax_last_error(), "cuMemAlloc of 1 GiB") != NULL, "message: %s", minimax_last_error());
    CHECK(minimax__cu_check(700, "launch") == MINIMAX_ERR_DEVICE, "700 maps to DEVICE");
    CHECK(strstr(minimax_last_error(), "no longer usable") != NULL, "sticky noted: %s", minimax_last_error());
    CHECK(minimax__cu_check(0, "x") == MINIMAX_OK, "success");
}

/* The toolkit's stub libcuda.so must not be what dlopen("libcuda.so.1")
   finds, and every versioned symbol the loader asks for must exist in the
   CUDA 13 driver's export list, which the stub mirrors. (Order matters: the
   stub's soname is libcuda.so.1, so once a process has loaded the stub,
   dlopen("libcuda.so.1") returns it; minimax__cuda_init then reports
   CUDA_ERROR_STUB_LIBRARY from cuInit by name.) */
static void test_driver_symbols_in_stub(void) {
    const char *home = getenv("CUDA_HOME");
    char path[512];
    void *stub, *dflt;
    minimax__cuda_api api;
    Dl_info info;
    size_t i, n = sizeof minimax__cu_syms / sizeof minimax__cu_syms[0];
    dflt = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (dflt) {
        void *sym = dlsym(dflt, "cuInit");
        CHECK(sym && dladdr(sym, &info) && !strstr(info.dli_fname, "stubs"), "libcuda.so.1 resolves to the stub %s",
              sym ? info.dli_fname : "?");
        dlclose(dflt);
    }
    snprintf(path, sizeof path, "%s/lib64/stubs/libcuda.so", home && home[0] ? home : "/usr/local/cuda");
    stub = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!stub) SKIP("no CUDA stub library at %s", path);
    memset(&api, 0, sizeof api);
    CHECK(minimax__resolve(&api, stub, path, minimax__cu_syms, n) == MINIMAX_OK, "%s", minimax_last_error());
    for (i = 0; i < n; i++) {
        void *p;
        memcpy(&p, (char *)&api + minimax__cu_syms[i].offset, sizeof p);
        CHECK(p != NULL, "%s not resolved from the stub", minimax__cu_syms[i].name);
        /* the primary name, not only the fallback: the suffixed names are what CUDA 13's cuda.h binds */
        CHECK(dlsym(stub, minimax__cu_syms[i].name) != NULL, "%s missing", minimax__cu_syms[i].name);
    }
    /* With the stub loaded, dlopen("libcuda.so.1") finds it (same soname): init
       must say so and not crash. Run in a child with a fresh once-flag, since
       this process has initialised already. */
    {
        int fds[2], status = 0;
        char msg[600];
        ssize_t got;
        pid_t pid;
        REQUIRE(pipe(fds) == 0, "pipe");
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            pthread_once_t fresh = PTHREAD_ONCE_INIT;
            minimax_result r;
            ssize_t w;
            memcpy(&minimax__cuda_once, &fresh, sizeof fresh);
            r = minimax__cuda_init();
            w = write(fds[1], minimax_last_error(), strlen(minimax_last_error()));
            (void)w;
            _exit(r == MINIMAX_ERR_NO_DEVICE ? 0 : 1);
        }
        close(fds[1]);
        got = read(fds[0], msg, sizeof msg - 1);
        msg[got > 0 ? got : 0] = 0;
        close(fds[0]);
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d: %s", status, msg);
        CHECK(strstr(msg, "stub") != NULL, "stub not named: %s", msg);
        printf("    with the stub loaded: %s\n", msg);
    }
    dlclose(stub);
}

static void test_arch_for(void) {
    int n, i;
    const char *const *names = minimax_jit_supported_archs(&n);
    CHECK(strcmp(minimax__jit_arch_for(9, 0), "sm_90a") == 0, "9.0");
    CHECK(strcmp(minimax__jit_arch_for(10, 0), "sm_100a") == 0, "10.0");
    CHECK(strcmp(minimax__jit_arch_for(10, 3), "sm_103a") == 0, "10.3");
    CHECK(strcmp(minimax__jit_arch_for(12, 0), "sm_120a") == 0, "12.0");
    CHECK(strcmp(minimax__jit_arch_for(12, 1), "sm_121a") == 0, "12.1");
    CHECK(minimax__jit_arch_for(8, 0) == NULL, "A100 is not supported");
    CHECK(minimax__jit_arch_for(8, 9) == NULL, "Ada is not supported");
    CHECK(minimax__jit_arch_for(11, 0) == NULL, "11.0");
    CHECK(n == 7, "%d archs", n);
    for (i = 0; i < n; i++) CHECK(minimax__jit_target_find(names[i]) != NULL, "%s has a target", names[i]);
}

/* ---- compiling every target ------------------------------------------------ */

static void test_targets_and_instructions(void) {
    size_t i;
    int sass_checked = 0, sass_missing = 0;
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    printf("    NVRTC %d.%d\n", minimax__cu.nvrtc_major, minimax__cu.nvrtc_minor);
    for (i = 0; i < sizeof expectations / sizeof expectations[0]; i++) {
        const jit_expect *e = &expectations[i];
        char *src = NULL, *ptx, *sass;
        size_t size = 0;
        minimax__jit_result jr;
        minimax_result r;
        int kernels = -1;
        unsigned flags = 0;
        if (!load_source(e->source, &src, &size)) {
            printf("    %s/%s: source not built in, skipped\n", e->source, e->arch);
            continue;
        }
        r = minimax__jit_compile_source(e->arch, src, size, e->source, NULL, 0, "", &jr);
        CHECK(r == MINIMAX_OK, "%s/%s: %s", e->source, e->arch, minimax_last_error());
        if (r != MINIMAX_OK) {
            free(src);
            continue;
        }
        CHECK(!jr.cache_hit && jr.cache_file[0] == 0, "cache used although off");
        CHECK(minimax__cubin_inspect(jr.cubin, jr.cubin_size, &kernels, &flags), "%s/%s: not a CUDA ELF", e->source,
              e->arch);
        CHECK(kernels == count_kernels_in_source(src), "%s/%s: %d kernels in the cubin, %d in the source", e->source,
              e->arch, kernels, count_kernels_in_source(src));
        CHECK((int)((flags >> 8) & 0xff) == e->elf_arch, "%s/%s: ELF arch %u", e->source, e->arch, (flags >> 8) & 0xff);
        printf("    %-7s %-8s %6zu bytes, %d kernels, %.0f ms\n", e->source, e->arch, jr.cubin_size, kernels,
               jr.compile_ms);

        ptx = ptx_for(src, e->arch);
        CHECK(ptx != NULL, "%s/%s: no PTX", e->source, e->arch);
        if (ptx && e->ptx_must) CHECK(strstr(ptx, e->ptx_must), "%s/%s: PTX lacks %s", e->source, e->arch, e->ptx_must);
        if (ptx && e->ptx_must_not)
            CHECK(!strstr(ptx, e->ptx_must_not), "%s/%s: PTX has %s", e->source, e->arch, e->ptx_must_not);
        free(ptx);

        sass = sass_for(jr.cubin, jr.cubin_size);
        if (sass) {
            sass_checked++;
            if (e->sass_must)
                CHECK(strstr(sass, e->sass_must), "%s/%s: SASS lacks %s", e->source, e->arch, e->sass_must);
            if (e->sass_must_not)
                CHECK(!strstr(sass, e->sass_must_not), "%s/%s: SASS has %s", e->source, e->arch, e->sass_must_not);
            free(sass);
        } else {
            sass_missing++;
        }
        MINIMAX_FREE(jr.cubin);
        MINIMAX_FREE(jr.log);
        free(src);
    }
    if (sass_missing)
        printf("    SASS checks skipped for %d targets (cuobjdump not usable; set MINIMAX_CUOBJDUMP)\n", sass_missing);
    else
        printf("    SASS checked for %d targets\n", sass_checked);
}

/* Compiles src for arch without and with the extra option opt and checks
   that the option changes the cubin; *sass: cuobjdump of the cubin with it
   (malloc'd; NULL when cuobjdump is not usable or a compile failed). */
static void jit_option_changes(const char *arch, const char *src, size_t size, const char *opt, char **sass) {
    minimax__jit_result a, b;
    *sass = NULL;
    REQUIRE(minimax__jit_compile_source(arch, src, size, "s", NULL, 0, "", &a) == MINIMAX_OK, "%s: %s", arch,
            minimax_last_error());
    REQUIRE(minimax__jit_compile_source(arch, src, size, "s", &opt, 1, "", &b) == MINIMAX_OK, "%s %s: %s", arch, opt,
            minimax_last_error());
    CHECK(a.cubin_size != b.cubin_size || memcmp(a.cubin, b.cubin, a.cubin_size) != 0, "%s: %s changed nothing", arch,
          opt);
    *sass = sass_for(b.cubin, b.cubin_size);
    MINIMAX_FREE(a.cubin);
    MINIMAX_FREE(b.cubin);
    MINIMAX_FREE(a.log);
    MINIMAX_FREE(b.log);
}

/* MINIMAX_FP4_HW=0 passed as an extra option replaces the default: the
   software path on a Blackwell target (for testing it on a B200). */
static void test_fp4_override(void) {
    char *src, *sass;
    size_t size;
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    REQUIRE(load_source("sample", &src, &size), "no sample at %s", sample_path);
    jit_option_changes("sm_100a", src, size, "-DMINIMAX_FP4_HW=0", &sass);
    if (sass) CHECK(!strstr(sass, "E2M1"), "software path on sm_100a still converts in hardware");
    free(sass);
    free(src);
}

/* -DMINIMAX_L2_PREFETCH=1, the engine's option for GPUs with DRAM below
   4 TB/s (evict-first streamed loads under k_l2_prefetch's prefetches):
   the real kernels compile with it on Hopper and Blackwell, and it changes
   the code. */
static void test_l2_prefetch_option(void) {
    static const char *const archs[] = {"sm_90a", "sm_100a"};
    char *src, *sass;
    size_t size, i;
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    if (!load_source("kernels", &src, &size)) SKIP("kernel source not built in");
    for (i = 0; i < sizeof archs / sizeof archs[0]; i++) {
        jit_option_changes(archs[i], src, size, "-DMINIMAX_L2_PREFETCH=1", &sass);
        if (sass) CHECK(strstr(sass, "UBLKPF") != NULL, "%s: no bulk L2 prefetch (k_l2_prefetch) in the SASS", archs[i]);
        free(sass);
    }
    free(src);
}

static void test_errors(void) {
    minimax__jit_result jr;
    minimax_result r;
    const char *bad = "extern \"C\" __global__ void k(float *x) { x[0] = undefined_thing; }\n";
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    r = minimax__jit_compile_source("sm_80", bad, strlen(bad), "bad.cu", NULL, 0, "", &jr);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT, "unknown arch: %s", minimax_result_name(r));
    CHECK(strstr(minimax_last_error(), "sm_90a") != NULL, "lists the targets: %s", minimax_last_error());
    r = minimax__jit_compile_source("sm_90a", bad, strlen(bad), "bad.cu", NULL, 0, "", &jr);
    CHECK(r == MINIMAX_ERR_JIT, "bad source: %s", minimax_result_name(r));
    CHECK(strstr(minimax_last_error(), "undefined_thing") != NULL, "log in the message: %s", minimax_last_error());
    CHECK(strstr(minimax_last_error(), "bad.cu") != NULL, "source named: %s", minimax_last_error());
    CHECK(jr.cubin == NULL, "no cubin on failure");
    setenv("MINIMAX_KERNEL_SOURCE", "/nonexistent/kernels.cu", 1);
    r = minimax__jit_compile("sm_90a", NULL, 0, "", &jr);
    CHECK(r == MINIMAX_ERR_IO, "missing MINIMAX_KERNEL_SOURCE: %s", minimax_result_name(r));
    CHECK(strstr(minimax_last_error(), "/nonexistent/kernels.cu") != NULL, "%s", minimax_last_error());
    unsetenv("MINIMAX_KERNEL_SOURCE");
    CHECK(!minimax__cubin_inspect("\177ELF", 4, NULL, NULL), "4 bytes are no cubin");
    CHECK(!minimax__cubin_inspect(bad, strlen(bad), NULL, NULL), "text is no cubin");
}

/* ---- the cache ---------------------------------------------------------------- */

static int count_files(const char *dir, const char *suffix) {
    char cmd[600], line[64];
    FILE *p;
    snprintf(cmd, sizeof cmd, "ls -1 '%s' | grep -c '%s$'", dir, suffix);
    p = popen(cmd, "r");
    if (!p || !fgets(line, sizeof line, p)) {
        if (p) pclose(p);
        return -1;
    }
    pclose(p);
    return atoi(line);
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_cache(void) {
    char *src;
    size_t size;
    char dir[400];
    minimax__jit_result cold, warm, other, again;
    const char *variant = "-DMINIMAX_SAMPLE_VARIANT=1";
    FILE *f;
    long full;
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    REQUIRE(load_source("sample", &src, &size), "no sample at %s", sample_path);
    snprintf(dir, sizeof dir, "%s/cache/a/b", tmp_root); /* parents are created */

    /* cold, then warm: the same bytes back, much faster */
    REQUIRE(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, dir, &cold) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(!cold.cache_hit, "cold compile hit");
    CHECK(strncmp(cold.cache_file, dir, strlen(dir)) == 0, "entry %s not in %s", cold.cache_file, dir);
    CHECK(file_size(cold.cache_file) > (long)(cold.cubin_size + size), "entry size %ld", file_size(cold.cache_file));
    REQUIRE(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, dir, &warm) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(warm.cache_hit, "warm compile missed");
    CHECK(warm.cubin_size == cold.cubin_size && memcmp(warm.cubin, cold.cubin, cold.cubin_size) == 0,
          "cached cubin differs");
    CHECK(warm.log == NULL, "a hit has no log");
    printf("    sm_90a sample: cold %.1f ms, warm %.2f ms\n", cold.compile_ms, warm.compile_ms);
    CHECK(count_files(dir, ".tmp") == 0, "temporary files left behind");

    /* another option or another arch is another key */
    REQUIRE(minimax__jit_compile_source("sm_90a", src, size, "s", &variant, 1, dir, &other) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(!other.cache_hit, "changed option hit the cache");
    CHECK(strcmp(other.cache_file, cold.cache_file) != 0, "same entry for another key");
    MINIMAX_FREE(other.cubin);
    REQUIRE(minimax__jit_compile_source("sm_120a", src, size, "s", NULL, 0, dir, &other) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(!other.cache_hit, "another arch hit the cache");
    MINIMAX_FREE(other.cubin);
    {
        /* another source is another key (one changed byte) */
        char *src2 = minimax__strdup(src);
        src2[3] = src2[3] == 'S' ? 's' : 'S'; /* inside the first comment */
        REQUIRE(minimax__jit_compile_source("sm_90a", src2, size, "s", NULL, 0, dir, &other) == MINIMAX_OK, "%s",
                minimax_last_error());
        CHECK(!other.cache_hit, "changed source hit the cache");
        MINIMAX_FREE(other.cubin);
        free(src2);
    }
    CHECK(count_files(dir, ".cubin") == 4, "%d entries, expected 4", count_files(dir, ".cubin"));

    /* a truncated entry is ignored and rewritten */
    full = file_size(cold.cache_file);
    REQUIRE(truncate(cold.cache_file, full - 100) == 0, "truncate");
    REQUIRE(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, dir, &again) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(!again.cache_hit, "truncated entry was used");
    CHECK(again.cubin_size == cold.cubin_size && memcmp(again.cubin, cold.cubin, cold.cubin_size) == 0, "cubin");
    CHECK(file_size(cold.cache_file) == full, "entry not rewritten: %ld bytes", file_size(cold.cache_file));
    MINIMAX_FREE(again.cubin);
    MINIMAX_FREE(again.log);

    /* a flipped byte in the cubin part fails the hash; one in the key part the key comparison */
    f = fopen(cold.cache_file, "r+b");
    REQUIRE(f != NULL, "reopen");
    fseek(f, full - 10, SEEK_SET);
    fputc(0x5a ^ 0xff, f);
    fclose(f);
    REQUIRE(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, dir, &again) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(!again.cache_hit, "damaged cubin was used");
    MINIMAX_FREE(again.cubin);
    MINIMAX_FREE(again.log);
    REQUIRE(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, dir, &again) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(again.cache_hit, "rewritten entry missed");
    MINIMAX_FREE(again.cubin);

    /* an entry for another key under this name (a hash collision) is not used */
    f = fopen(cold.cache_file, "r+b");
    REQUIRE(f != NULL, "reopen");
    fseek(f, 30, SEEK_SET); /* inside "library X.Y.Z" */
    fputc('#', f);
    fclose(f);
    REQUIRE(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, dir, &again) == MINIMAX_OK, "%s",
            minimax_last_error());
    CHECK(!again.cache_hit, "entry with another key was used");
    MINIMAX_FREE(again.cubin);
    MINIMAX_FREE(again.log);

    MINIMAX_FREE(cold.cubin);
    MINIMAX_FREE(cold.log);
    MINIMAX_FREE(warm.cubin);
    free(src);
}

/* A cache directory that cannot exist (a regular file in the way), or the
   cache turned off, never fails the compile. */
static void test_cache_unusable(void) {
    char *src;
    size_t size;
    char file[400], dir[450];
    minimax__jit_result jr;
    FILE *f;
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    REQUIRE(load_source("sample", &src, &size), "no sample at %s", sample_path);
    snprintf(file, sizeof file, "%s/a_file", tmp_root);
    f = fopen(file, "wb");
    REQUIRE(f != NULL, "create %s", file);
    fputs("x", f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/sub", file);
    CHECK(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, dir, &jr) == MINIMAX_OK, "%s",
          minimax_last_error());
    CHECK(!jr.cache_hit && jr.cache_file[0] == 0, "cache under a file: %s", jr.cache_file);
    MINIMAX_FREE(jr.cubin);
    MINIMAX_FREE(jr.log);
    CHECK(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, file, &jr) == MINIMAX_OK, "%s",
          minimax_last_error());
    CHECK(jr.cache_file[0] == 0, "a file as the cache dir: %s", jr.cache_file);
    MINIMAX_FREE(jr.cubin);
    MINIMAX_FREE(jr.log);

    /* NULL = $MINIMAX_CACHE_DIR; set but empty = off */
    snprintf(dir, sizeof dir, "%s/env_cache", tmp_root);
    setenv("MINIMAX_CACHE_DIR", dir, 1);
    CHECK(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, NULL, &jr) == MINIMAX_OK, "%s",
          minimax_last_error());
    CHECK(strncmp(jr.cache_file, dir, strlen(dir)) == 0, "env cache dir not used: %s", jr.cache_file);
    MINIMAX_FREE(jr.cubin);
    MINIMAX_FREE(jr.log);
    setenv("MINIMAX_CACHE_DIR", "", 1);
    CHECK(minimax__jit_compile_source("sm_90a", src, size, "s", NULL, 0, NULL, &jr) == MINIMAX_OK, "%s",
          minimax_last_error());
    CHECK(jr.cache_file[0] == 0, "empty MINIMAX_CACHE_DIR did not turn the cache off: %s", jr.cache_file);
    MINIMAX_FREE(jr.cubin);
    MINIMAX_FREE(jr.log);
    unsetenv("MINIMAX_CACHE_DIR");
    free(src);
}

/* Threads compiling the same key into one empty directory: every one gets
   the same cubin, one entry results and no temporary file is left. */
typedef struct conc_job {
    const char *src, *dir;
    size_t size;
    minimax__jit_result jr;
    minimax_result r;
} conc_job;

static void *conc_run(void *arg) {
    conc_job *j = (conc_job *)arg;
    j->r = minimax__jit_compile_source("sm_90a", j->src, j->size, "s", NULL, 0, j->dir, &j->jr);
    return NULL;
}

static void test_cache_concurrent(void) {
    enum { N = 4 };
    conc_job jobs[N];
    pthread_t th[N];
    char *src, dir[400];
    size_t size;
    int i;
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    REQUIRE(load_source("sample", &src, &size), "no sample at %s", sample_path);
    snprintf(dir, sizeof dir, "%s/concurrent", tmp_root);
    for (i = 0; i < N; i++) {
        jobs[i].src = src;
        jobs[i].size = size;
        jobs[i].dir = dir;
        REQUIRE(pthread_create(&th[i], NULL, conc_run, &jobs[i]) == 0, "pthread_create");
    }
    for (i = 0; i < N; i++) pthread_join(th[i], NULL);
    for (i = 0; i < N; i++) {
        CHECK(jobs[i].r == MINIMAX_OK, "thread %d failed", i);
        if (jobs[i].r != MINIMAX_OK) continue;
        CHECK(jobs[i].jr.cubin_size == jobs[0].jr.cubin_size &&
                  memcmp(jobs[i].jr.cubin, jobs[0].jr.cubin, jobs[0].jr.cubin_size) == 0,
              "thread %d got another cubin", i);
    }
    CHECK(count_files(dir, ".cubin") == 1, "%d entries", count_files(dir, ".cubin"));
    CHECK(count_files(dir, ".tmp") == 0, "temporary files left");
    for (i = 0; i < N; i++) {
        MINIMAX_FREE(jobs[i].jr.cubin);
        MINIMAX_FREE(jobs[i].jr.log);
    }
    free(src);
}

/* The public precompile call, on the source named by MINIMAX_KERNEL_SOURCE. */
static void test_precompile(void) {
    minimax_jit_info info;
    char dir[400];
    minimax_result r;
    if (!nvrtc_ok()) SKIP("%s", minimax_last_error());
    snprintf(dir, sizeof dir, "%s/precompile", tmp_root);
    setenv("MINIMAX_KERNEL_SOURCE", sample_path, 1);
    r = minimax_jit_precompile("sm_120a", dir, &info);
    CHECK(r == MINIMAX_OK, "%s", minimax_last_error());
    CHECK(info.kernel_count == 3, "%d kernels", info.kernel_count);
    CHECK(!info.cache_hit && info.cubin_bytes > 0 && strcmp(info.arch, "sm_120a") == 0, "info");
    CHECK(info.nvrtc_major >= 13, "nvrtc %d", info.nvrtc_major);
    r = minimax_jit_precompile("sm_120a", dir, &info);
    CHECK(r == MINIMAX_OK && info.cache_hit, "second precompile missed");
    r = minimax_jit_precompile("sm_75", dir, NULL);
    CHECK(r == MINIMAX_ERR_INVALID_ARGUMENT, "%s", minimax_result_name(r));
    unsetenv("MINIMAX_KERNEL_SOURCE");
}

/* The entry trailer "\ncubin M HASH\n" is parsed strictly and without
   sscanf (whose %zu is undefined for out-of-range digits): no NVRTC needed. */
static void test_cache_trailer(void) {
    static const char *const cases[] = {"\ncubin 3 %016llx\nabc",   "\ncubin 99999999999999999999999 %016llx\nabc",
                                        "\ncubin 3 %015llx\nabc",   "\ncubin 3 %016llx abc", "\ncubin  3 %016llx\nabc",
                                        "\ncubin 4 %016llx\nabc",   "\ncubin 2 %016llx\nabc", "\ncubin -3 %016llx\nabc"};
    char path[600];
    size_t i;
    snprintf(path, sizeof path, "%s/trailer.cubin", tmp_root);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned long long h = (unsigned long long)minimax__fnv1a(0, "abc", 3);
        void *cubin = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "wb");
        int hit;
        REQUIRE(f != NULL, "%s", path);
        fputs("KEY\n", f);
        fprintf(f, cases[i], i == 2 ? h >> 4 : h);
        fclose(f);
        hit = minimax__cache_read(path, "KEY\n", 4, &cubin, &size);
        CHECK(hit == (i == 0), "case %zu: hit %d", i, hit);
        if (hit) CHECK(size == 3 && memcmp(cubin, "abc", 3) == 0, "cubin");
        MINIMAX_FREE(cubin);
    }
}

int main(void) {
    char cmd[300];
    int rc;
    const char *tmpdir = getenv("TMPDIR");
    find_sample();
    snprintf(tmp_root, sizeof tmp_root, "%s/minimax_test_jit_XXXXXX", tmpdir && tmpdir[0] ? tmpdir : "/tmp");
    if (!mkdtemp(tmp_root)) {
        printf("cannot create a temporary directory\n");
        return 1;
    }
    RUN(test_cuda_init_without_driver);
    RUN(test_driver_symbols_in_stub);
    RUN(test_arch_for);
    RUN(test_targets_and_instructions);
    RUN(test_fp4_override);
    RUN(test_l2_prefetch_option);
    RUN(test_errors);
    RUN(test_cache_trailer);
    RUN(test_cache);
    RUN(test_cache_unusable);
    RUN(test_cache_concurrent);
    RUN(test_precompile);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    rc = system(cmd);
    (void)rc;
    return test_summary();
}
