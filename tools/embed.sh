#!/bin/sh
# Writes the C header that embeds the kernel source as a byte array:
#   static const unsigned char minimax__kernel_source[] = {...bytes..., 0};
#   static const size_t minimax__kernel_source_size = N;   (N excludes the 0)
# A byte array, not a string literal, because compilers limit the length of
# string literals (MSVC: 64 KiB) and the kernels are larger. The output
# depends only on the input bytes (no dates, no paths beyond the one given),
# and is written to a temporary file and renamed.
# usage: tools/embed.sh SRC OUT      (make runs it: src/kernels.cu -> minimax_nvfp4_cuda.cu.h)
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 SRC OUT" >&2
    exit 2
fi
src=$1 out=$2
[ -r "$src" ] || { echo "$0: cannot read $src" >&2; exit 1; }
export LC_ALL=C
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
n=$(wc -c <"$src" | tr -d ' ')
{
    printf '/* minimax_nvfp4_cuda.cu.h - the CUDA kernel source that minimax_nvfp4.h\n'
    printf '   compiles with NVRTC at run time, as bytes.\n'
    printf '   GENERATED from %s by tools/embed.sh (run by make): edit that file, not this. */\n' "$src"
    printf '#ifndef MINIMAX_NVFP4_CUDA_CU_H\n#define MINIMAX_NVFP4_CUDA_CU_H\n'
    printf 'static const unsigned char minimax__kernel_source[] = {\n'
    od -A n -v -t u1 "$src" | awk '{ s = ""; for (i = 1; i <= NF; i++) s = s $i ","; if (s != "") print s }'
    printf '0};\n'
    printf 'static const size_t minimax__kernel_source_size = %s;\n' "$n"
    printf '#endif /* MINIMAX_NVFP4_CUDA_CU_H */\n'
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
