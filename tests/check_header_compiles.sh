#!/bin/sh
# The header, with and without the implementation, compiles as C99, C11 and
# C++ with -Wall -Wextra -Werror.
cd "$(dirname "$0")/.." || exit 1
CC=${CC:-cc} CXX=${CXX:-c++}
tmp=$(mktemp -d)
printf '#include "minimax_nvfp4.h"\nint main(void){ return minimax_version()[0] == 0; }\n' >"$tmp/decl.c"
printf '#define MINIMAX_IMPLEMENTATION\n#include "minimax_nvfp4.h"\nint main(void){ return minimax_version()[0] == 0; }\n' >"$tmp/impl.c"
# a host TU may include <complex.h> (which defines the macro I) before the library
printf '#include <complex.h>\n#define MINIMAX_IMPLEMENTATION\n#include "minimax_nvfp4.h"\nint main(void){ return minimax_version()[0] == 0; }\n' >"$tmp/cplx.c"
passed=0 failed=0
try() {
    name=$1; shift
    if "$@" >"$tmp/log" 2>&1; then echo "ok   $name"; passed=$((passed+1));
    else echo "FAIL $name"; sed 's/^/    /' "$tmp/log" | head -n 40; failed=$((failed+1)); fi
}
try c99-decl  $CC  -std=c99   -Wall -Wextra -Werror -pedantic -I. -c "$tmp/decl.c" -o "$tmp/a.o"
try c99-impl  $CC  -std=c99   -Wall -Wextra -Werror -I. "$tmp/impl.c" -o "$tmp/a" -ldl -lm -lpthread
try c11-impl  $CC  -std=c11   -Wall -Wextra -Werror -I. "$tmp/impl.c" -o "$tmp/b" -ldl -lm -lpthread
try c99-impl-after-complex.h $CC -std=c99 -Wall -Wextra -Werror -I. "$tmp/cplx.c" -o "$tmp/e" -ldl -lm -lpthread
cp "$tmp/decl.c" "$tmp/decl.cpp"; cp "$tmp/impl.c" "$tmp/impl.cpp"
try cxx-decl  $CXX -std=c++11 -Wall -Wextra -Werror -I. -c "$tmp/decl.cpp" -o "$tmp/c.o"
try cxx-impl  $CXX -std=c++17 -Wall -Wextra -Werror -I. "$tmp/impl.cpp" -o "$tmp/d" -ldl -lm -lpthread
rm -rf "$tmp"
echo "RESULT $passed passed, $failed failed, 0 skipped"
[ $failed -eq 0 ]
