#!/bin/sh
# One GPU-machine session of the decode benchmark: build, GPU tests, then
# minimax-bench for the configurations of BENCHMARKS.md (base and fast kernels
# in the same run, so both are measured on the same card). Logs go to $OUT
# (or ./perf-logs). usage: sh tools/perf_run.sh [quick]
set -u
out=${OUT:-perf-logs}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.sm --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
make -s -j8 all build/tests/gpu_fast build/tests/gpu_engine build/tests/gpu_model > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
./build/tests/gpu_fast > "$out/gpu_fast.log" 2>&1; echo "gpu_fast: $(tail -1 "$out/gpu_fast.log")"
grep -E "rel err|FAIL|CHECK" "$out/gpu_fast.log" | head -40
if [ "${1:-}" != quick ]; then
    make test-gpu > "$out/test_gpu.log" 2>&1; tail -3 "$out/test_gpu.log"
fi
git log -1 --format=%h > "$out/commit.txt" 2>/dev/null || true
run() { # name, args...
    n=$1; shift
    echo "=== minimax-bench $*" | tee -a "$out/bench.txt"
    timeout 150 ./build/minimax-bench "$@" >> "$out/bench.txt" 2>&1; echo "rc=$?" >> "$out/bench.txt"
}
timeout 150 ./build/minimax-bench --synthetic --layers 16 --batch 1 --ctx 512 --no-micro --json > "$out/b1c512.json" 2>&1
run b1c512 --synthetic --layers 16 --batch 1 --ctx 512
run b8c512 --synthetic --layers 16 --batch 8 --ctx 512
run b1c32k --synthetic --layers 16 --batch 1 --ctx 32768
run b8c32k --synthetic --layers 16 --batch 8 --ctx 32768
cat "$out/bench.txt"
