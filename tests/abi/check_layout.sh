#!/bin/sh
# check_layout.sh check|update LIB BASELINE HEADERS_DIR SOURCE_DIR
#
# The ABI of LIB as its debug information describes it (libabigail,
# Debian's abigail-tools): every exported function's signature and every
# type reachable from one (struct sizes, field offsets and types, typedefs,
# pointer and callback types). Only types declared in HEADERS_DIR (the
# public headers, include/openbits) count, and only exported interfaces:
# internal types and hidden globals are dropped (--drop-private-types,
# --exported-interfaces-only), so a change inside src/ never shows here.
#
#   check   describe LIB the same way and abidiff BASELINE against it; any
#           difference fails, additions included (docs/abi-policy.md,
#           "The checks").
#   update  rewrite BASELINE from LIB (the update_abi_baseline target).
#
# BASELINE is tests/abi/libopenbits.abi. It carries no absolute path and
# nothing of the build directory (--no-corpus-path, --no-comp-dir-path,
# --no-show-locs, translation units named relative to SOURCE_DIR) and
# hash type ids, so it is the same from any checkout and its diff in a
# commit shows what changed. (Why not abidiff BASELINE LIB with
# --headers-dir2: that filter takes a type without a location, as all
# of the baseline's are, for a private one and hides its changes.)
#
# Exit 77 (CTest's SKIP_RETURN_CODE) with the reason when abidw/abidiff
# are missing or LIB has no debug information (a build without -g: the
# test command's builds are Debug).
set -eu
mode="$1"; lib="$2"; baseline="$3"; headers="$4"; src="$5"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in abidw abidiff; do
    command -v "$tool" >/dev/null 2>&1 ||
        skip "$tool not found: install Debian's abigail-tools (scripts/lib/deps.sh does)"
done
command -v readelf >/dev/null 2>&1 || skip "readelf not found (Debian's binutils)"
# libabigail reads DWARF; without it there is nothing to compare and
# abidiff would only see symbol names (abi_symbols already checks those).
readelf -S --wide "$lib" | grep -q '[[:space:]]\.debug_info[[:space:]]' ||
    skip "$lib has no debug information (.debug_info); build with -g (CMAKE_BUILD_TYPE=Debug or RelWithDebInfo)"

# The ABI of LIB in libabigail's XML, reproducibly: public types only,
# exported interfaces only, no locations (line numbers would change with
# every edit), no paths of this checkout, ids that are hashes of the type.
abi_of() { # LIB OUT
    abidw --headers-dir "$headers" --drop-private-types --exported-interfaces-only \
          --drop-undefined-syms --no-corpus-path --no-comp-dir-path --no-show-locs \
          --no-elf-needed --type-id-style hash --out-file "$2.raw" "$1" ||
        fail "abidw could not read $1"
    # Translation units are named by their absolute source path: make it
    # relative to the source tree.
    sed "s|path='$src/|path='|" "$2.raw" > "$2"
    rm -f "$2.raw"
    if grep -n "='/" "$2" >&2; then
        fail "the ABI description of $1 still holds the absolute paths above"
    fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

case "$mode" in
update)
    abi_of "$lib" "$tmp/current.abi"
    cp "$tmp/current.abi" "$baseline"
    echo "abi: wrote $baseline ($(grep -c '<elf-symbol ' "$baseline") symbols)"
    ;;
check)
    [ -r "$baseline" ] || fail "no baseline $baseline"
    abi_of "$lib" "$tmp/current.abi"
    # Both sides were written by abidw with the same filters, so the
    # comparison is symmetric: what the baseline does not describe (an
    # internal type, an opaque struct's body) is not in the new one either.
    set +e
    abidiff "$baseline" "$tmp/current.abi" > "$tmp/report" 2>&1
    rc=$?
    set -e
    # abidiff's status is a bit mask: 1 error, 2 usage error, 4 ABI
    # change, 8 incompatible ABI change (a removal).
    if [ "$rc" -eq 0 ]; then
        echo "abi: $lib matches $baseline ($(grep -c '<elf-symbol ' "$baseline") symbols, their signatures and the public types they reach)"
        if ! cmp -s "$baseline" "$tmp/current.abi"; then
            # No ABI change, but the text differs: a parameter renamed,
            # a function moved to another source, or an optimising build
            # (gcc -O2 folds identical functions into aliases, whose DWARF
            # abidw then attributes to one name). Not a failure.
            echo "abi: note: the description differs from the baseline's text without an ABI change"
            echo "     (a renamed parameter, a moved function, or not a -O0 build); after a source"
            echo "     change, refresh it in a Debug build with the update_abi_baseline target"
        fi
        exit 0
    fi
    cat "$tmp/report" >&2
    [ $((rc & 3)) -eq 0 ] || fail "abidiff failed (status $rc) comparing $baseline with $lib"
    echo "FAIL: the ABI of $lib differs from $baseline (above: the baseline first, then the library)." >&2
    echo "  Within ABI major 1 a removed function, a changed signature or a changed" >&2
    echo "  size, offset or type of a struct field is never allowed for an OPENBITS_1.x" >&2
    echo "  function or the types it reaches (docs/abi-policy.md). An addition, an" >&2
    echo "  appended snapshot-struct field or a change of an OPENBITS_EXPERIMENTAL" >&2
    echo "  function is reviewed like a removal and comes with the new baseline in the" >&2
    echo "  same commit:" >&2
    echo "    cmake --build BUILD --target update_abi_baseline   (a Debug build, gcc)" >&2
    exit 1
    ;;
*)
    fail "unknown mode '$mode' (check or update)"
    ;;
esac
