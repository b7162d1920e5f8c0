#!/bin/sh
# Runs test programs and scripts, prints each one's output, and ends with
#   N passed, N failed
# summed over their RESULT lines. A program that crashes or prints no RESULT
# line counts as one failure.
# usage: tests/run.sh PROGRAM...
passed=0 failed=0 skipped=0
for t in "$@"; do
    echo "=== $t"
    out=$("$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep '^RESULT ' | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $t: exited with $rc and printed no RESULT line"
        failed=$((failed + 1))
        continue
    fi
    p=$(echo "$line" | sed -n 's/^RESULT \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1/p')
    f=$(echo "$line" | sed -n 's/^RESULT \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\2/p')
    s=$(echo "$line" | sed -n 's/^RESULT \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\3/p')
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $t: exited with $rc"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
