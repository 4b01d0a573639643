#!/bin/sh
# check_symbols.sh LIB EXPECTED MAP INCLUDE_DIR...  (headers: INCLUDE_DIR/openbits/*.h)
#
# The ABI of LIB, checked four ways (docs/abi-policy.md):
#  1. `nm -D --defined-only LIB` is exactly EXPECTED: one `name@@NODE` a
#     line, sorted, plus the version-node names themselves (OPENBITS_1.0,
#     ...), which the linker defines as absolute symbols. Lines starting
#     with # are comments.
#  2. Every export is a function (nm type T) named bits_*.
#  3. EXPECTED is what the version script MAP says (name and node).
#  4. Every `BITS_API` declaration in the public headers is exported, and
#     every export is declared.
# and the soname is libopenbits.so.1. Any difference fails the test.
set -eu
lib="$1"; expected="$2"; map="$3"; shift 3
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

grep -v '^#' "$expected" > "$tmp/expected"
nm -D --defined-only "$lib" > "$tmp/nm"
awk '{print $3}' "$tmp/nm" | LC_ALL=C sort > "$tmp/actual"

# 1. Exactly the reviewed list.
if ! diff -u "$tmp/expected" "$tmp/actual"; then
    fail "the exports of $lib differ from $expected (- expected, + actual)."
    echo "  Adding a function: docs/abi-policy.md, 'Adding a function'." >&2
    echo "  The current list: nm -D --defined-only $lib | awk '{print \$3}' | LC_ALL=C sort" >&2
fi

# 2. Only bits_* functions, each in an OPENBITS_ node (a release's, or the
#    experimental lane's: docs/abi-policy.md); nodes are absolute.
awk '$3 ~ /^OPENBITS_([0-9]+\.[0-9]+|EXPERIMENTAL)$/ { if ($2 != "A") print; next }
     $2 != "T" || $3 !~ /^bits_[a-z0-9_]+@@OPENBITS_([0-9]+\.[0-9]+|EXPERIMENTAL)$/ { print }' \
    "$tmp/nm" > "$tmp/odd"
if [ -s "$tmp/odd" ]; then
    cat "$tmp/odd" >&2
    fail "exports above are not versioned bits_* functions"
fi

# 3. The version script agrees with the list. Strip /* */ comments, split
#    into tokens, and print name@@NODE for each name under global:.
awk '{ s = $0; out = ""
       while (s != "") {
           if (incomment) { i = index(s, "*/"); if (!i) { s = ""; break }
                            s = substr(s, i + 2); incomment = 0 }
           else { i = index(s, "/*"); if (!i) { out = out s; s = "" }
                  else { out = out substr(s, 1, i - 1); s = substr(s, i + 2); incomment = 1 } }
       }
       gsub(/[{};]/, " & ", out)
       n = split(out, token); for (k = 1; k <= n; k++) print token[k] }' "$map" |
    awk '$0 == "{" { node = prev; mode = ""; next }
         $0 == "}" { node = ""; next }
         $0 == ";" { next }
         $0 == "global:" { mode = "g"; next }
         $0 == "local:" { mode = "l"; next }
         node != "" && mode == "g" { print $0 "@@" node; next }
         node == "" { prev = $0; if ($0 ~ /^OPENBITS_/) nodes[$0] = 1 }
         END { for (n in nodes) print n }' |
    LC_ALL=C sort -u > "$tmp/map"
if ! diff -u "$tmp/map" "$tmp/expected" > "$tmp/map.diff"; then
    cat "$tmp/map.diff" >&2
    fail "$map and $expected disagree (- map, + expected)"
fi

# 4. Declared in the headers == exported.
for dir in "$@"; do cat "$dir"/openbits/*.h; done | sed -n 's/^[[:space:]]*BITS_API[^(]*[^a-z0-9_]\(bits_[a-z0-9_]*\)[[:space:]]*(.*/\1/p' |
    LC_ALL=C sort -u > "$tmp/declared"
sed -n 's/@@.*//p' "$tmp/expected" | LC_ALL=C sort -u > "$tmp/listed"
if ! diff -u "$tmp/declared" "$tmp/listed" > "$tmp/decl.diff"; then
    cat "$tmp/decl.diff" >&2
    fail "BITS_API declarations in the headers and the exports disagree (- declared, + exported)"
fi

# The soname carries the ABI major.
soname="$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')"
[ "$soname" = "libopenbits.so.1" ] || fail "soname is '$soname', expected libopenbits.so.1"

[ $status -eq 0 ] &&
    echo "abi: $(grep -c '^bits_' "$tmp/actual") functions in $(grep -c '^OPENBITS_' "$tmp/actual") version node(s), soname $soname"
exit $status
