#!/bin/sh
# The GPU acceptance run, in one go on a machine with an NVIDIA GPU:
#   1. build everything, `make test-gpu` (every GPU test)
#   2. compute-sanitizer memcheck and racecheck over the model tests (tiny checkpoints)
#   3. minimax-chat and minimax-generate -p/--chat on the tiny checkpoint (tests/check_chatex.sh)
#   4. a 16-layer real-shape synthetic checkpoint written by minimax-mkmodel (with the test
#      tokenizer tests/tokenizer/large.json), inspected, loaded and generated from: JIT cold
#      (empty cubin cache) and warm, load time, decode tok/s at batch 1 and 8, text and chat.
# Logs go to $OUT (default ./gpu-check-logs) as summary.txt and logs/; the summary is printed at the end.
# usage: sh tools/gpu_check.sh [--no-tests] [--no-sanitizer] [--no-full]
set -u
dest=${OUT:-gpu-check-logs}
mkdir -p "$dest"
out="$dest/logs"
mkdir -p "$out"
sanitize=1 full=1 tests=1
for a in "$@"; do
    case $a in
    --no-tests) tests=0 ;; --no-sanitizer) sanitize=0 ;; --no-full) full=0 ;;
    *) echo "usage: $0 [--no-tests] [--no-sanitizer] [--no-full]"; exit 2 ;;
    esac
done
summary="$dest/summary.txt" # written as it goes: a run cut short keeps what it reached
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }

say "$(date -u '+%Y-%m-%d %H:%M UTC')"
say "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -4)"
jobs=$(nproc 2>/dev/null || echo 4)

make -s -j"$jobs" all build/tests/gpu_engine build/tests/gpu_model build/tests/gpu_fast build/tests/gpu_failed_state \
    >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; say "BUILD FAILED"; exit 1; }
if [ $tests = 1 ]; then
    make -s test-gpu >"$out/test_gpu.log" 2>&1
    say "make test-gpu: $(tail -1 "$out/test_gpu.log")"
    grep -E '^(FAIL|not ok)|skip' "$out/test_gpu.log" | head -20 | tee -a "$summary"
    grep -F -e 'max|logit|' -e 'max|d|' -e 'rel err' "$out/test_gpu.log" | head -60 | tee -a "$summary"
fi

if [ $sanitize = 1 ] && command -v compute-sanitizer >/dev/null; then
    for tool in memcheck racecheck; do
        timeout 400 compute-sanitizer --tool $tool --error-exitcode 3 build/tests/gpu_model >"$out/sanitizer_$tool.log" 2>&1
        rc=$?
        say "compute-sanitizer $tool gpu_model: exit $rc, $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$out/sanitizer_$tool.log" | tail -1)"
    done
fi

sh tests/check_chatex.sh >"$out/chatex.log" 2>&1
say "check_chatex (chat on the GPU): $(tail -1 "$out/chatex.log")"
grep '^FAIL' "$out/chatex.log" | tee -a "$summary"

if [ $full = 1 ]; then
    m=${MODEL_DIR:-/tmp/minimax-full16}
    rm -rf "$m"
    /usr/bin/time -f '%e s wall, %M KB max RSS' build/minimax-mkmodel --out "$m" --preset full --layers 16 \
        --tokenizer tests/tokenizer/large.json --quiet >"$out/mkmodel.log" 2>&1
    say "mkmodel full --layers 16: exit $?, $(tail -1 "$out/mkmodel.log"), $(du -sh "$m" | cut -f1)"
    build/minimax-inspect "$m" --max-ctx 4096 --batch 8 >"$out/inspect.log" 2>&1
    say "inspect: exit $?"
    cache=$(mktemp -d)
    MINIMAX_CACHE_DIR= /usr/bin/time -f '%e s wall' build/minimax-inspect --jit sm_90a >"$out/jit_sm90a.log" 2>&1
    say "inspect --jit sm_90a (no cache): $(grep -E 'sm_90a|wall' "$out/jit_sm90a.log" | tr -s ' ' | tr '\n' ' ')"
    for run in cold warm; do
        MINIMAX_CACHE_DIR=$cache build/minimax-generate -m "$m" --prompt-ids 1,2,3,4,5,6,7,8 -n 64 \
            >"$out/generate_$run.log" 2>&1
        say "generate ($run JIT cache): exit $?"
        grep -iE 'jit|load|tok/s' "$out/generate_$run.log" | sed 's/^/    /' | tee -a "$summary"
    done
    MINIMAX_CACHE_DIR=$cache build/minimax-generate -m "$m" --prompt-ids 1,2,3,4,5,6,7,8 -n 64 --batch 8 \
        >"$out/generate_b8.log" 2>&1
    say "generate --batch 8: exit $?"
    grep -iE 'tok/s|agree' "$out/generate_b8.log" | sed 's/^/    /' | tee -a "$summary"
    MINIMAX_CACHE_DIR=$cache build/minimax-generate -m "$m" -p "The capital of France is" -n 24 --temp 0.8 --seed 7 \
        >"$out/generate_text.log" 2>&1
    say "generate -p TEXT: exit $?"
    MINIMAX_CACHE_DIR=$cache build/minimax-generate -m "$m" -p "Write a haiku about GPUs." --chat -n 48 \
        >"$out/generate_chat.log" 2>&1
    say "generate --chat: exit $?"
    printf 'Hello there\nAnd a second turn\n' | MINIMAX_CACHE_DIR=$cache build/minimax-chat -m "$m" -n 32 \
        >"$out/chat.log" 2>&1
    say "minimax-chat, two turns: exit $?"
    grep -iE 'tok/s' "$out/chat.log" | sed 's/^/    /' | tee -a "$summary"
    rm -rf "$cache" "$m"
fi
echo "=== summary"
cat "$summary"
