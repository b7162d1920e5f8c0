#!/bin/sh
# Builds minimax_nvfp4.h from src/: the declarations (src/decl_*.h, in name
# order) inside the header guard, then the implementation (src/impl_*.h, in
# name order) under MINIMAX_IMPLEMENTATION. Writes a temporary file and
# renames it, so a concurrent build never sees half a header.
# usage: tools/amalgamate.sh OUT
set -eu
out=${1:-minimax_nvfp4.h}
cd "$(dirname "$0")/.."
tmp="$out.tmp.$$"
export LC_ALL=C
{
    first=1
    for f in src/decl_*.h; do
        if [ $first = 1 ]; then
            # the manual at the top of the first file comes before the guard
            sed -n '1,/^\*\//p' "$f"
            printf '#ifndef MINIMAX_NVFP4_H\n#define MINIMAX_NVFP4_H\n'
            sed '1,/^\*\//d' "$f"
            first=0
        else
            printf '\n'
            cat "$f"
        fi
    done
    printf '\n#endif /* MINIMAX_NVFP4_H */\n\n'
    printf '#ifdef MINIMAX_IMPLEMENTATION\n#ifndef MINIMAX__IMPLEMENTED\n#define MINIMAX__IMPLEMENTED\n'
    for f in src/impl_*.h; do
        printf '\n'
        cat "$f"
    done
    printf '\n#endif /* MINIMAX__IMPLEMENTED */\n#endif /* MINIMAX_IMPLEMENTATION */\n'
} >"$tmp"
mv "$tmp" "$out"
