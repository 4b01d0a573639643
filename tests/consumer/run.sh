#!/bin/sh
# run.sh BUILD_DIR SOURCE_DIR WORK_DIR - install openbits into a private
# prefix, then build examples/list_states.c twice against it, once with
# pkg-config and once with find_package(openbits CONFIG), and run both.
# Also checks that installing wrote nothing outside the prefix.
set -eu
build="$1"; src="$2"; work="$3"
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
DESTDIR= cmake --install "$build" --prefix "$prefix" >"$work/install.log"
if grep -v "$prefix" "$work/install.log" | grep -E '^-- (Installing|Up-to-date):'; then
    echo "install wrote outside the prefix" >&2; exit 1
fi
libdir="$(dirname "$(find "$prefix" -name 'libopenbits.so.1' | head -n 1)")"
for f in "$prefix/include/openbits/openbits.h" "$prefix/include/openbits/version.h" \
         "$libdir/libopenbits.so.1" "$libdir/pkgconfig/openbits.pc" \
         "$libdir/cmake/openbits/openbitsConfig.cmake"; do
    [ -e "$f" ] || { echo "missing after install: $f" >&2; exit 1; }
done

# 1. pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
flags="$(pkg-config --cflags --libs openbits)"
# shellcheck disable=SC2086 # the flags are words
# CONSUMER_CFLAGS: the sanitizer flags when the library is instrumented.
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror ${CONSUMER_CFLAGS:-} "$src/examples/list_states.c" $flags \
   -o "$work/pc_consumer"
LD_LIBRARY_PATH="$libdir" "$work/pc_consumer" > "$work/pc.out"
grep -q "BG_E_EMPTY (0x80200003)" "$work/pc.out"
grep -q "CANCELLED" "$work/pc.out"

# 2. find_package(openbits CONFIG)
cmake -S "$src/tests/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_FLAGS="${CONSUMER_CFLAGS:-}" -DEXAMPLE_SOURCE="$src/examples/list_states.c" \
      >/dev/null
cmake --build "$work/cmake" >/dev/null
LD_LIBRARY_PATH="$libdir" "$work/cmake/consumer" > "$work/cmake.out"
cmp "$work/pc.out" "$work/cmake.out"
echo "consumer: pkg-config and find_package builds run"
