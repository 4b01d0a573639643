#!/bin/sh
# check_symbols.sh LIB EXPECTED - the exported symbols of LIB must be
# exactly the list in EXPECTED (name@@NODE, sorted), and its soname
# libopenbits.so.1. Adding or removing an export fails until the list,
# src/openbits.map and docs/abi-policy.md agree.
set -eu
lib="$1"
expected="$2"
actual="$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)"
if ! printf '%s\n' "$actual" | diff -u "$expected" -; then
    echo "exported symbols differ from $expected (see docs/abi-policy.md)" >&2
    exit 1
fi
if printf '%s\n' "$actual" | grep -v '^bits_[a-z0-9_]*@@OPENBITS_[0-9.]*$' | grep -v '^OPENBITS_' ; then
    echo "an export is not a versioned bits_ function" >&2
    exit 1
fi
soname="$(objdump -p "$lib" | awk '/SONAME/ {print $2}')"
[ "$soname" = "libopenbits.so.1" ] || { echo "soname is '$soname'" >&2; exit 1; }
echo "abi: $(printf '%s\n' "$actual" | grep -c '^bits_') symbols, soname $soname"
