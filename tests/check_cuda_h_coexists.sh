#!/bin/sh
# A host file may include cuda.h and nvrtc.h before the implementation
# (cuda.h #defines cuMemAlloc as cuMemAlloc_v2 and so on): the header must
# still compile, as C and as C++, also with the per-thread default stream.
# Skips where the CUDA headers are not installed.
cd "$(dirname "$0")/.." || exit 1
CC=${CC:-cc} CXX=${CXX:-c++}
inc=${CUDA_HOME:-/usr/local/cuda}/include
if [ ! -f "$inc/cuda.h" ] || [ ! -f "$inc/nvrtc.h" ]; then
    echo "skip no cuda.h/nvrtc.h in $inc (set CUDA_HOME)"
    echo "RESULT 0 passed, 0 failed, 1 skipped"
    exit 0
fi
tmp=$(mktemp -d)
cat >"$tmp/t.c" <<'C'
#include <cuda.h>
#include <nvrtc.h>
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"
int main(void) {
    minimax__cu_ptr p = 0;
    CUdeviceptr q = 0;
    if (minimax__cuda_init() != MINIMAX_OK) return 0;
    return minimax__cu.cuMemAlloc(&p, 16) != 0 || q != 0;
}
C
cp "$tmp/t.c" "$tmp/t.cpp"
passed=0 failed=0
try() {
    name=$1; shift
    if "$@" >"$tmp/log" 2>&1; then echo "ok   $name"; passed=$((passed+1));
    else echo "FAIL $name"; sed 's/^/    /' "$tmp/log" | head -n 30; failed=$((failed+1)); fi
}
try c11-with-cuda.h  $CC  -std=c11   -Wall -Wextra -Werror -I. -I"$inc" "$tmp/t.c" -o "$tmp/a" -ldl -lm -lpthread
try cxx-with-cuda.h  $CXX -std=c++17 -Wall -Wextra -Werror -I. -I"$inc" "$tmp/t.cpp" -o "$tmp/b" -ldl -lm -lpthread
try cxx-with-cuda.h-ptds $CXX -std=c++17 -Wall -Wextra -Werror -DCUDA_API_PER_THREAD_DEFAULT_STREAM -I. -I"$inc" \
    "$tmp/t.cpp" -o "$tmp/c" -ldl -lm -lpthread
rm -rf "$tmp"
echo "RESULT $passed passed, $failed failed, 0 skipped"
[ $failed -eq 0 ]
