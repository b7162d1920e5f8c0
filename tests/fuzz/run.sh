#!/bin/sh
# Builds the libFuzzer harnesses (clang with -fsanitize=fuzzer) and runs each
# for SECONDS (default 120) on a seed corpus; crashes are written to
# build/fuzz/NAME/crash-*. Not part of `make test`: turn what it finds into
# regression tests in tests/test_*.c.
# usage: tests/fuzz/run.sh [SECONDS] [NAME...]   (NAME: json safetensors config output tokenizer)
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-120}
[ $# -gt 0 ] && shift
names=${*:-json safetensors config output tokenizer}
make -s header
out=build/fuzz
mkdir -p "$out"
python3 tests/fuzz/seeds.py "$out"
for n in $names; do
    clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. \
        -o "$out/fuzz_$n" "tests/fuzz/fuzz_$n.c" -ldl -lm -lpthread
    mkdir -p "$out/$n/corpus"
    dict=tests/fuzz/$n.dict # the harness's own dictionary, else the JSON one
    [ -f "$dict" ] || dict=tests/fuzz/json.dict
    (cd "$out/$n" && ../fuzz_$n -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -dict="../../../$dict" corpus ../seeds_$n >log.txt 2>&1) || {
        echo "fuzz_$n: FAILED, see $out/$n/log.txt"; tail -n 40 "$out/$n/log.txt"; exit 1; }
    echo "fuzz_$n: $(grep -c . "$out/$n/log.txt") log lines, $(ls "$out/$n/corpus" | wc -l) corpus files, no crash"
    tail -n 3 "$out/$n/log.txt"
done
