#!/bin/sh
# The committed minimax_nvfp4.h must be exactly what tools/amalgamate.sh makes
# from src/ (edit src/, then `make header`).
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp)
sh tools/amalgamate.sh "$tmp"
if cmp -s "$tmp" minimax_nvfp4.h; then
    echo "ok   minimax_nvfp4.h matches src/"; echo "RESULT 1 passed, 0 failed, 0 skipped"; rc=0
else
    echo "FAIL minimax_nvfp4.h is stale: run make header"; echo "RESULT 0 passed, 1 failed, 0 skipped"; rc=1
fi
rm -f "$tmp"
exit $rc
