# minimax_nvfp4 — build, test, benchmark.
#   make            the header, the kernel header and every example into build/
#   make run        the main job: a synthetic tiny checkpoint (or MODEL=DIR), validated, then generated from
#   make test       the CPU test suite (AddressSanitizer + UBSan); ends "N passed, N failed"
#   make test-gpu   the GPU test suite (skips with a message when no GPU is present)
#   make header     regenerate minimax_nvfp4.h from src/ (also done by any build)
#   make bench      decode benchmark on the GPU (synthetic weights, 16 layers, batch 1, ctx 512; BENCHMARKS.md)
#   make build/expert-probe   the expert kernels timed alone, from DRAM and from L2 (tools/expert_probe.cu; nvcc)
#   make build/l2-probe       read bandwidth against working-set size: L2 against DRAM (tools/l2_probe.cu; nvcc)
CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS     = -ldl -lm -lpthread
BUILD    = build

HEADER   = minimax_nvfp4.h
SRC      = $(sort $(wildcard src/decl_*.h src/impl_*.h))
KERNEL_SRC = $(wildcard src/kernels.cu)
KERNEL_HDR = $(if $(KERNEL_SRC),minimax_nvfp4_cuda.cu.h)

EXAMPLES = $(patsubst examples/%.c,$(BUILD)/minimax-%,$(wildcard examples/*.c))
CPU_TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
GPU_TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/gpu_*.c))
TEST_SCRIPTS = $(sort $(wildcard tests/check_*.sh))

all: $(HEADER) $(KERNEL_HDR) $(EXAMPLES)

header: $(HEADER)

$(HEADER): $(SRC) tools/amalgamate.sh
	sh tools/amalgamate.sh $@

ifneq ($(KERNEL_SRC),)
$(KERNEL_HDR): $(KERNEL_SRC) tools/embed.sh
	sh tools/embed.sh $(KERNEL_SRC) $@
endif

$(BUILD)/minimax-%: examples/%.c $(wildcard examples/*.h) $(HEADER) $(KERNEL_HDR) | $(BUILD)
	$(CC) -std=c11 $(CFLAGS) $(WARN) -I. -o $@ $< $(LIBS)

$(BUILD)/tests/test_%: tests/test_%.c tests/*.h $(wildcard examples/*.h) $(HEADER) $(KERNEL_HDR) | $(BUILD)/tests
	$(CC) -std=c11 $(CFLAGS) $(WARN) $(SAN) -I. -Itests -o $@ $< $(LIBS)

# Each test program is one translation unit: it defines MINIMAX_IMPLEMENTATION,
# includes the header and whatever tests/*.h it needs (the CPU reference is
# tests/ref.h), so it can call private minimax__ functions.
# GPU tests run without sanitizers: ASan's shadow memory and the CUDA driver do not mix.
$(BUILD)/tests/gpu_%: tests/gpu_%.c tests/*.h $(HEADER) $(KERNEL_HDR) | $(BUILD)/tests
	$(CC) -std=c11 $(CFLAGS) $(WARN) -I. -Itests -o $@ $< $(LIBS)

# a measuring tool (CUDA runtime, nvcc), not part of `all`
NVCC ?= nvcc
$(BUILD)/expert-probe: tools/expert_probe.cu $(KERNEL_SRC) | $(BUILD)
	$(NVCC) -O3 -std=c++17 -arch=sm_90a -DMINIMAX_ARCH_SM90=1 -o $@ $<
$(BUILD)/l2-probe: tools/l2_probe.cu $(KERNEL_SRC) | $(BUILD)
	$(NVCC) -O3 -std=c++17 -arch=sm_90a -DMINIMAX_ARCH_SM90=1 -o $@ $<

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

test: all $(CPU_TESTS)
	@sh tests/run.sh $(CPU_TESTS) $(TEST_SCRIPTS)

test-gpu: all $(GPU_TESTS)
	@sh tests/run.sh $(GPU_TESTS)

run: all
	sh tools/run.sh $(MODEL)

bench: all
	./$(BUILD)/minimax-bench --synthetic --layers 16 --batch 1 --ctx 512

clean:
	rm -rf $(BUILD)

.PHONY: all header run test test-gpu bench clean
.DELETE_ON_ERROR:
