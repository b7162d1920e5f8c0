#!/bin/sh
# A/B decode benchmark on one machine (so that both sides see the same card):
# BASE (a commit, or a directory holding a source tree, e.g. made with
# `git archive C | tar -x -C DIR`) built apart, against the working tree; the
# fast kernels, LAYERS layers (16), each "batch:ctx" row of ROWS, REPS rounds;
# MG: more options for both sides (several GPUs: "--tp 2", "--gpus 0,1
# --layer-split 31,31"), which then also print their communication line.
# usage: BASE=c0067f8 ROWS="1:512 8:512 1:32768" REPS=2 sh tools/ab_bench.sh
#        BASE=5b63a1f LAYERS=62 MG="--tp 2" REPS=2 sh tools/ab_bench.sh
set -u
base=${BASE:?BASE=commit or directory}
if [ -d "$base" ]; then
    dir=$(cd "$base" && pwd)
    base=$(basename "$dir")
else
    dir=${TMPDIR:-/tmp}/ab-base-$base
    mkdir -p "$dir" && git archive "$base" | tar -x -C "$dir" || { echo "no commit $base here"; exit 1; }
fi
make -s -C "$dir" -j16 all > /dev/null 2>&1 || { echo "building $base failed"; exit 1; }
make -s -j16 all > /dev/null 2>&1 || { echo "building the working tree failed"; exit 1; }
for i in $(seq "${REPS:-1}"); do
    for side in "$dir" "$PWD"; do
        name=$([ "$side" = "$dir" ] && echo "$base" || echo "tree")
        for bc in ${ROWS:-1:512}; do
            b=${bc%%:*} c=${bc#*:}
            # shellcheck disable=SC2086 # MG is a list of options
            (cd "$side" && ./build/minimax-bench --synthetic --layers "${LAYERS:-16}" --kernels fast --no-micro --batch "$b" \
                --ctx "$c" ${MG:-} | grep -E '^fast |communication' | sed "s|^|$name b$b c$c |")
        done
    done
done
