#!/bin/sh
# check_headers.sh CC CXX SRC_INCLUDE BUILD_INCLUDE SYMBOLS_EXPECTED
#
# Every public header (include/openbits/*.h and the generated version.h)
# must compile as the only include of a translation unit:
#   - as strict C99:  CC -std=c99 -pedantic -Wall -Wextra -Werror (plus the
#     warnings users commonly turn on), included twice to prove the guard;
#   - as C++11:       CXX -std=c++11 -pedantic -Wall -Wextra -Werror,
# and, in C++, every exported function must be declared extern "C": a TU
# that includes the umbrella header and references each name listed in
# SYMBOLS_EXPECTED must leave only unmangled undefined symbols.
# CXX may be "" (no C++ compiler found): the C++ half is then skipped.
set -eu
cc="$1"; cxx="$2"; src="$3"; gen="$4"; symbols="$5"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cflags="-std=c99 -pedantic -Wall -Wextra -Werror -Wundef -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual"
cxxflags="-std=c++11 -pedantic -Wall -Wextra -Werror -Wundef -Wshadow -Wold-style-cast"
status=0
count=0
for h in "$src"/openbits/*.h "$gen"/openbits/version.h; do
    name="openbits/$(basename "$h")"
    count=$((count + 1))
    # Twice: the include guard must make the second include a no-op.
    printf '#include <%s>\n#include <%s>\nint openbits_header_test;\n' "$name" "$name" > "$tmp/t.c"
    # shellcheck disable=SC2086 # the flags are words
    if ! "$cc" $cflags -I"$src" -I"$gen" -c "$tmp/t.c" -o "$tmp/t.o"; then
        echo "FAIL: $name is not self-contained as C99" >&2; status=1
    fi
    if [ -n "$cxx" ]; then
        cp "$tmp/t.c" "$tmp/t.cpp"
        # shellcheck disable=SC2086
        if ! "$cxx" $cxxflags -I"$src" -I"$gen" -c "$tmp/t.cpp" -o "$tmp/t.o"; then
            echo "FAIL: $name is not self-contained as C++11" >&2; status=1
        fi
    fi
done

if [ -z "$cxx" ]; then
    echo "headers: no C++ compiler, C++ and extern \"C\" checks skipped"
else
    # Reference every exported function from C++; a missing extern "C"
    # shows up as a mangled (_Z...) undefined symbol.
    {
        echo '#include <openbits/openbits.h>'
        echo '#include <openbits/experimental.h>'
        echo 'typedef void (*any_fn)(void);'
        echo 'any_fn openbits_all_functions[] = {'
        grep '^bits_' "$symbols" | sed 's/@.*//; s/.*/    reinterpret_cast<any_fn>(\&&),/'
        echo '};'
    } > "$tmp/all.cpp"
    if ! "$cxx" -std=c++11 -Wall -Werror -I"$src" -I"$gen" -c "$tmp/all.cpp" -o "$tmp/all.o"; then
        echo "FAIL: an exported function is not declared in the public headers" >&2; status=1
    elif nm -u "$tmp/all.o" | grep ' _Z'; then
        echo "FAIL: C++ sees mangled names above: extern \"C\" is missing" >&2; status=1
    fi
fi
[ "$count" -ge 2 ] || { echo "FAIL: no headers found under $src" >&2; status=1; }
[ $status -eq 0 ] && echo "headers: $count headers self-contained (C99${cxx:+ and C++11})"
exit $status
