#!/bin/sh
# One GPU-machine call: build, GPU tests, the BENCHMARKS.md rows (all kernel
# variants, one minimax-bench run per row) and the per-kernel share of one
# batch-1 step (Nsight Compute; see tools/ncu_step.py) for each context given.
# usage: sh tools/profile_run.sh [ctx...]   (default 512; "none": no profile)
#        ROWS="1:512 8:512 1:32768" sh tools/profile_run.sh ...   batch:ctx rows to bench first
#        ROWS="1:512:62:2 8:512:62:4" ...   batch:ctx:layers:tp rows (tp > 1: several GPUs,
#                                         random KV, fast kernels only, as in BENCHMARKS.md)
#        NO_TESTS=1 ...                   skip make test-gpu
# Logs under $OUT (or ./perf-logs): test_gpu.log, rows.txt, ncu_cC.csv, share.txt.
set -u
out=${OUT:-perf-logs}
mkdir -p "$out"
nvidia-smi --query-gpu=name,clocks.max.sm,clocks.sm --format=csv,noheader | tee "$out/rows.txt"
git log -1 --format='commit %h %cd' >> "$out/rows.txt" 2>/dev/null || true
make -s -j16 all > "$out/test_gpu.log" 2>&1 || { tail -30 "$out/test_gpu.log"; exit 1; }
if [ -z "${NO_TESTS:-}" ]; then
    make -j16 test-gpu >> "$out/test_gpu.log" 2>&1; grep -E "^RESULT|passed|FAIL" "$out/test_gpu.log" | tail -12
fi
for r in ${ROWS:-}; do
    b=$(echo "$r" | cut -d: -f1) c=$(echo "$r" | cut -d: -f2)
    l=$(echo "$r" | cut -d: -f3) tp=$(echo "$r" | cut -d: -f4)
    l=${l:-16} tp=${tp:-1}
    args="--synthetic --layers $l --batch $b --ctx $c"
    [ "$tp" != 1 ] && args="$args --tp $tp --prefill random --kernels fast --steps 50"
    echo "=== minimax-bench $args" >> "$out/rows.txt"
    timeout 200 ./build/minimax-bench $args >> "$out/rows.txt" 2>&1
    echo "rc=$?" >> "$out/rows.txt"
done
for c in ${@:-512}; do
    [ "$c" = none ] && continue
    ms=$(awk -v c="$c" '/^=== /{hit = ($0 ~ "--batch 1 --ctx " c "$")} hit && $1=="fast"{print $3}' "$out/rows.txt" | tail -1)
    if [ -z "$ms" ]; then
        timeout 120 ./build/minimax-bench --synthetic --layers 16 --batch 1 --ctx $c --kernels fast --no-micro > /tmp/b.txt 2>&1
        ms=$(awk '$1=="fast"{print $3}' /tmp/b.txt)
    fi
    timeout 200 ncu --csv --metrics gpu__time_duration.sum --clock-control none --cache-control none \
        --log-file "$out/ncu_c$c.csv" ./build/minimax-bench --synthetic --layers 16 --batch 1 --ctx $c \
        --prefill random --kernels fast --no-micro --steps 1 --warmup 0 > /dev/null 2>&1
    echo "--- batch 1, ctx $c (fast step $ms ms)" | tee -a "$out/share.txt"
    python3 tools/ncu_step.py "$out/ncu_c$c.csv" $ms | tee -a "$out/share.txt"
done
grep -E "^===|^(base|fast|fast-mm|fast-mma) |read bw|rc=" "$out/rows.txt"
