#!/bin/sh
# Remakes every committed golden: the tiny checkpoints (with build/minimax-mkmodel)
# and their transformers logits (with make_goldens.py), under tests/data/golden/NAME/:
#   checkpoint/   the ModelOpt NVFP4 checkpoint (config.json, index, shards)
#   golden.json, tokens.i32, logits.f32   (see make_goldens.py)
# usage: PYTHON=/path/to/venv/bin/python sh tests/golden/make_all.sh
# Only needed when the goldens must change; CI uses the committed files.
set -e
PYTHON=${PYTHON:-python3}
make build/minimax-mkmodel >/dev/null
OUT=tests/data/golden
one() {
    name=$1
    shift
    rm -rf "$OUT/$name"
    mkdir -p "$OUT/$name"
    ./build/minimax-mkmodel --out "$OUT/$name/checkpoint" --quiet "$@"
    "$PYTHON" tests/golden/make_goldens.py "$OUT/$name/checkpoint" "$OUT/$name" --made-by "minimax-mkmodel $*"
}
# the tiny preset: H 64, 2 layers, 4/2 heads (group 2), head_dim 32, rotary 16, 8 experts top-2, I 32, V 512, BF16 router
one tiny --preset tiny --seed 11
# GQA group 4, rotary 8 of 16, 16 experts top-4, 3 layers, F32 router and bias
one g4_f32router --preset tiny --seed 22 --hidden 96 --layers 3 --heads 8 --kv-heads 2 --head-dim 16 --rotary-dim 8 \
    --experts 16 --top-k 4 --inter 32 --vocab 256 --router-dtype f32
# MHA (group 1), full rotary (24 of 24), top-1 of 4 experts, 3 layers, split over 3 shards
one mha_top1_shards --preset tiny --seed 33 --hidden 80 --layers 3 --heads 6 --kv-heads 6 --head-dim 24 --rotary-dim 24 \
    --experts 4 --top-k 1 --inter 32 --vocab 256 --shard-mb 0.2
# GQA group 6 (as the real model), 32 experts top-8 (as the real top-k), two experts lack input_scale
one g6_top8 --preset tiny --seed 44 --hidden 64 --layers 2 --heads 12 --kv-heads 2 --head-dim 16 --rotary-dim 8 \
    --experts 32 --top-k 8 --inter 32 --vocab 320 --drop-input-scale 2
