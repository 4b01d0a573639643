#!/bin/sh
# check_headers.sh CC CXX SRC_INCLUDE BUILD_INCLUDE - every public header
# compiles on its own, as strict C99 and (when CXX is given) as C++11,
# so each one is self-contained and wrapped in extern "C".
set -eu
cc="$1"; cxx="$2"; src="$3"; gen="$4"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
for h in "$src"/openbits/*.h "$gen"/openbits/version.h; do
    name="openbits/$(basename "$h")"
    printf '#include <%s>\nint openbits_header_test;\n' "$name" > "$tmp/t.c"
    if ! "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -I"$src" -I"$gen" -c "$tmp/t.c" -o "$tmp/t.o"; then
        echo "not self-contained as C99: $name" >&2; status=1
    fi
    if [ -n "$cxx" ]; then
        printf '#include <%s>\nint openbits_header_test;\n' "$name" > "$tmp/t.cpp"
        if ! "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -I"$src" -I"$gen" -c "$tmp/t.cpp" -o "$tmp/t2.o"; then
            echo "not self-contained as C++: $name" >&2; status=1
        fi
    fi
done
# C++ callers must get the C names (extern "C"), not mangled ones.
if [ -n "$cxx" ]; then
    printf '#include <openbits/openbits.h>\nunsigned f() { return bits_version(); }\n' > "$tmp/c.cpp"
    "$cxx" -std=c++11 -I"$src" -I"$gen" -c "$tmp/c.cpp" -o "$tmp/c.o"
    if ! nm "$tmp/c.o" | grep -q ' U bits_version$'; then
        echo "C++ sees mangled names: extern \"C\" missing" >&2; status=1
    fi
fi
[ $status -eq 0 ] && echo "headers: all self-contained"
exit $status
