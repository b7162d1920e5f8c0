#!/bin/sh
# A/B decode benchmark on one machine (so that both sides see the same card):
# BASE (a commit, or a directory holding a source tree, e.g. made with
# `git archive C | tar -x -C DIR`) built apart, against the working tree; the
# fast kernels, 16 layers, each "batch:ctx" row of ROWS, REPS rounds.
# usage: BASE=c0067f8 ROWS="1:512 8:512 1:32768" REPS=2 sh tools/ab_bench.sh
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
            (cd "$side" && ./build/minimax-bench --synthetic --layers 16 --kernels fast --no-micro --batch "$b" --ctx "$c" |
                grep '^fast ' | sed "s|^|$name b$b c$c |")
        done
    done
done
