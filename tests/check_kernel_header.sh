#!/bin/sh
# The kernel header minimax_nvfp4_cuda.cu.h must be exactly what
# tools/embed.sh makes from src/kernels.cu (make regenerates it), and its
# bytes must decode back to src/kernels.cu. Skips while there is no
# src/kernels.cu.
cd "$(dirname "$0")/.." || exit 1
CC=${CC:-cc}
if [ ! -f src/kernels.cu ]; then
    echo "skip src/kernels.cu does not exist yet"
    echo "RESULT 0 passed, 0 failed, 1 skipped"
    exit 0
fi
tmp=$(mktemp -d)
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
sh tools/embed.sh src/kernels.cu "$tmp/k.h"
if [ ! -f minimax_nvfp4_cuda.cu.h ]; then fail "minimax_nvfp4_cuda.cu.h is missing: run make"
elif cmp -s "$tmp/k.h" minimax_nvfp4_cuda.cu.h; then ok "minimax_nvfp4_cuda.cu.h matches src/kernels.cu"
else fail "minimax_nvfp4_cuda.cu.h is stale: run make"; fi
# round trip: the array, written back out, is the source byte for byte
cat >"$tmp/dump.c" <<'C'
#include <stddef.h>
#include <stdio.h>
#include "k.h"
int main(void) {
    if (minimax__kernel_source[minimax__kernel_source_size] != 0) return 1;
    return fwrite(minimax__kernel_source, 1, minimax__kernel_source_size, stdout) != minimax__kernel_source_size;
}
C
if $CC -std=c99 -Wall -Wextra -Werror -o "$tmp/dump" "$tmp/dump.c" 2>"$tmp/log" && "$tmp/dump" >"$tmp/back.cu" &&
    cmp -s "$tmp/back.cu" src/kernels.cu; then ok "embedded bytes decode to src/kernels.cu"
else fail "embedded bytes do not decode to src/kernels.cu"; sed 's/^/    /' "$tmp/log"; fi
rm -rf "$tmp"
echo "RESULT $passed passed, $failed failed, 0 skipped"
[ $failed -eq 0 ]
