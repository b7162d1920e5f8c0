#!/bin/sh
# `make run`: the main job on a fresh machine. With no MODEL, writes a small
# synthetic NVFP4 checkpoint (random weights, the real on-disk format, a
# 512-id test tokenizer) into build/tiny-model; then validates the checkpoint
# (minimax-inspect) and generates from it (minimax-generate). On a machine
# without an NVIDIA GPU everything up to the generation runs, and the
# generation says why it cannot.
# usage: sh tools/run.sh [MODEL_DIR [PROMPT]]
set -u
cd "$(dirname "$0")/.." || exit 1
model=${1:-}
prompt=${2:-The quick brown fox}
if [ -z "$model" ]; then
    model=build/tiny-model
    if [ ! -f "$model/config.json" ]; then
        echo "== writing a synthetic tiny checkpoint to $model (random weights; set MODEL=DIR for a real one)"
        build/minimax-mkmodel --out "$model" --preset tiny --seed 1 --tokenizer tests/chat/tokenizer_tiny.json || exit 1
    fi
fi
echo "== build/minimax-inspect $model"
build/minimax-inspect "$model" || exit 1
echo "== build/minimax-generate -m $model -p \"$prompt\" -n 32"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
build/minimax-generate -m "$model" -p "$prompt" -n 32 2>"$err"
rc=$?
cat "$err" >&2
if [ $rc -ne 0 ] && grep -q MINIMAX_ERR_NO_DEVICE "$err"; then
    echo "== no usable NVIDIA GPU here: the build, the checkpoint and its validation worked; generation needs a GPU"
    exit 0
fi
exit $rc
