#!/bin/sh
# check_api_docs.sh DOXYGEN DOXYFILE PYTHON SPLIT_MAN_PAGES WORK_DIR SYMBOLS_EXPECTED
#
# The API reference builds without a single Doxygen warning: every public
# function, macro, type and struct field of include/openbits/*.h (and the
# generated version.h) is documented, and every doc comment is well formed
# (docs/Doxyfile.in, WARN_AS_ERROR = FAIL_ON_WARNINGS). Then, on the man
# output made as the `docs` target makes it (docs/split_man_pages.py):
# every function listed in SYMBOLS_EXPECTED has a page of its own
# (`man 3 bits_job_get_state` shows that function, not its header), and
# `man` renders one when it is installed.
# Exits 77 (CTest: skipped) when DOXYGEN is not an executable.
set -eu
doxygen="$1"; doxyfile="$2"; python="$3"; split="$4"; work="$5"; symbols="$6"
fail() { echo "FAIL: $*" >&2; exit 1; }

case "$doxygen" in
    ""|*-NOTFOUND) doxygen="$(command -v doxygen || true)" ;;
esac
if [ -z "$doxygen" ] || [ ! -x "$doxygen" ]; then
    echo "api_docs: skipped: doxygen is not installed (apt-get install doxygen)"
    exit 77
fi

rm -rf "$work"
mkdir -p "$work"
# The configured Doxyfile with this test's own output directory (a later
# assignment wins), so it never races the `docs` target.
status=0
{ cat "$doxyfile"; echo "OUTPUT_DIRECTORY = $work"; } |
    "$doxygen" - > "$work/doxygen.log" 2>&1 || status=$?
if [ "$status" -ne 0 ] || grep -Eq '(warning|error):' "$work/doxygen.log"; then
    cat "$work/doxygen.log" >&2
    fail "doxygen reported the problems above (exit $status). Document every public name" \
         "in the header, in the style of its neighbours (docs/Doxyfile.in says what is checked)."
fi
[ -f "$work/html/index.html" ] || fail "no $work/html/index.html"

"$python" "$split" "$work/man/man3" || fail "split_man_pages.py failed on Doxygen's man output"

missing=0
count=0
for name in $(sed -n 's/^\(bits_[a-z0-9_]*\)@.*/\1/p' "$symbols"); do
    count=$((count + 1))
    page="$work/man/man3/$name.3"
    if [ ! -f "$page" ]; then
        echo "FAIL: no man page for $name" >&2; missing=1; continue
    fi
    # Its own page: NAME names it, it is not a .so link to its header.
    if ! grep -q "^$name \\\\- " "$page"; then
        echo "FAIL: $page is not $name's own page:" >&2; head -n 5 "$page" >&2; missing=1
    fi
done
# Every page that is not a link has a whatis entry: "name \- summary".
for page in "$work"/man/man3/*.3; do
    head -n 1 "$page" | grep -q '^\.so ' && continue
    if ! sed -n '/^\.SH NAME/{n;p;q}' "$page" | grep -q ' \\- .'; then
        echo "FAIL: $page: its NAME line has no summary (bad whatis entry)" >&2; missing=1
    fi
done
[ "$count" -gt 80 ] || fail "read only $count functions from $symbols"
[ "$missing" -eq 0 ] || fail "exported functions without their man page (above)"

if command -v man > /dev/null 2>&1; then
    LC_ALL=C MANPAGER=cat MANWIDTH=80 man -M "$work/man" 3 bits_job_get_state \
        > "$work/man.out" 2>&1 ||
        { cat "$work/man.out" >&2; fail "man -M $work/man 3 bits_job_get_state failed"; }
    grep -q "^ *bits_job_get_state - The job" "$work/man.out" ||
        { head -n 20 "$work/man.out" >&2; fail "man 3 bits_job_get_state does not start with the function"; }
fi
echo "api_docs: no Doxygen warning; $count functions, each with its man page" \
     "($(ls "$work/man/man3" | wc -l) pages in man3)"
