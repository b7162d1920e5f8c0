#!/bin/sh
# One GPU-machine call: build, GPU tests, batch-1 decode timing and the
# per-kernel share of one step (Nsight Compute; see tools/ncu_step.py).
# usage: sh tools/profile_run.sh [ctx...]     logs under $OUT (or ./perf-logs)
set -u
out=${OUT:-perf-logs}
mkdir -p "$out"
nvidia-smi --query-gpu=name,clocks.max.sm,clocks.sm --format=csv,noheader
make -s -j16 all > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
make -j16 test-gpu > "$out/test_gpu.log" 2>&1; grep -E "passed|FAIL" "$out/test_gpu.log" | tail -8
for c in ${@:-512}; do
    timeout 120 ./build/minimax-bench --synthetic --layers 16 --batch 1 --ctx $c --kernels fast --no-micro > "$out/bench_c$c.txt" 2>&1
    ms=$(awk '$1=="fast"{print $3}' "$out/bench_c$c.txt")
    grep -E "^fast|read bw" "$out/bench_c$c.txt"
    timeout 200 ncu --csv --metrics gpu__time_duration.sum --clock-control none --cache-control none \
        --log-file "$out/ncu_c$c.csv" ./build/minimax-bench --synthetic --layers 16 --batch 1 --ctx $c \
        --prefill random --kernels fast --no-micro --steps 1 --warmup 0 > /dev/null 2>&1
    echo "--- ctx $c (step $ms ms)"; python3 tools/ncu_step.py "$out/ncu_c$c.csv" $ms | tee "$out/share_c$c.txt"
done
