#!/usr/bin/env bash
# run.sh SOURCE_DIR WORK_DIR [PYTHON] [BUILD_DIR]
#
# The Python package built and installed as users do (pyproject.toml,
# setup.py; docs/python-packaging.md), with Debian's tools only and no
# package index, then tested from the install:
#
#   1. a clean copy of SOURCE_DIR (git's tracked and unignored files);
#   2. python3 -m build --no-isolation --sdist from it; the sdist unpacked;
#   3. in-tree link mode: python3 -m build --no-isolation --wheel in the
#      unpacked sdist (so the sdist is complete); the wheel holds the
#      package, _openbits.py, the extension, py.typed and __init__.pyi;
#      the extension needs no libopenbits.so and exports PyInit___openbits
#      only;
#   4. that wheel pip-installed (--no-build-isolation --no-index) into a
#      `python3 -m venv --system-site-packages` venv; pytest runs a subset
#      of python_tests/ from another directory with the venv's python,
#      and installed_only.py refuses to run unless openbits comes from the
#      venv and no libopenbits.so is mapped;
#   5. system link mode: libopenbits installed into WORK_DIR/prefix
#      (cmake --install BUILD_DIR, or a library-only CMake build of
#      SOURCE_DIR when no BUILD_DIR is given); with PKG_CONFIG_PATH naming
#      it and OPENBITS_PYTHON_LINK unset (auto), `pip install
#      --no-build-isolation .` in the clean copy, into a second venv; the
#      extension must need libopenbits.so.1 with a RUNPATH to the prefix,
#      and the tests run again, with that prefix's library mapped.
#
# PYTHON defaults to /usr/bin/python3 (Debian's). Needs python3-build,
# python3-venv, python3-setuptools, python3-wheel, python3-pytest, swig,
# python3-dev, pkg-config, libcurl4-openssl-dev, libsqlite3-dev, cmake
# (scripts/lib/deps.sh). About 40 s on 2 cores.
set -euo pipefail
src="$(cd "$1" && pwd)"
work="$2"
py="${3:-/usr/bin/python3}"
build="${4:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The python_tests files run from the installed package (fast ones, over
# every part of the binding).
tests=(test_job.py test_states.py test_wait.py test_enums.py test_errors.py test_typemaps.py
       test_nul.py test_callbacks.py test_docs.py test_threads_and_lifetimes.py)

fail() { echo "FAIL: $*" >&2; exit 1; }
t0=$SECONDS
step() { echo "=== python_packaging [$((SECONDS - t0)) s]: $*"; }

# Nothing from the caller's environment may point the build or the
# imports at a tree: only what each step sets.
unset PYTHONPATH PYTHONHOME PKG_CONFIG_PATH OPENBITS_PYTHON_LINK OPENBITS_PYTHON_RPATH \
      VIRTUAL_ENV PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS
export PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_NO_CACHE_DIR=1
# No pip.conf either (an index or find-links there would be used).
export PIP_CONFIG_FILE=/dev/null
# Skipped (77), saying why, where the Debian packages are missing;
# scripts/test.sh installs them.
missing=""
for m in build setuptools wheel pytest ensurepip; do
    "$py" -c "import $m" 2>/dev/null || missing="$missing $m"
done
for tool in swig pkg-config cmake readelf nm; do
    command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "SKIP: missing for $py:$missing (Debian: python3-build python3-setuptools" \
         "python3-wheel python3-pytest python3-venv swig pkg-config cmake binutils)"
    exit 77
fi
rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd -P)"
ext_suffix="$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
version="$(sed -n 's/^ *VERSION \([0-9.]*\)$/\1/p' "$src/CMakeLists.txt" | head -n 1)"
[ -n "$version" ] || fail "no VERSION in $src/CMakeLists.txt"

# ---- 1. a clean copy ------------------------------------------------------
step "clean copy of $src"
copy="$work/src"
mkdir -p "$copy"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        xargs -0 cp --parents -t "$copy")
else  # not a git checkout (an unpacked tarball): all but build products
    tar -C "$src" --exclude='./build' --exclude='./build-*' --exclude='./dist' \
        --exclude='*.egg-info' --exclude='__pycache__' --exclude='*.so' -cf - . |
        tar -C "$copy" -xf -
fi
for f in pyproject.toml setup.py; do [ -f "$copy/$f" ] || fail "no $f in the copy $copy"; done

# ---- 2. the sdist -------------------------------------------------------------
step "python3 -m build --no-isolation --sdist"
"$py" -m build --no-isolation --sdist --outdir "$work/dist" "$copy" > "$work/sdist.log" 2>&1 ||
    { cat "$work/sdist.log" >&2; fail "building the sdist failed"; }
sdist="$work/dist/openbits-$version.tar.gz"
[ -f "$sdist" ] || fail "no $sdist (got: $(ls "$work/dist"))"
mkdir -p "$work/sdist"
tar -C "$work/sdist" -xzf "$sdist"
unpacked="$work/sdist/openbits-$version"

# ---- 3. the wheel, in-tree link mode --------------------------------------
step "python3 -m build --no-isolation --wheel (OPENBITS_PYTHON_LINK=in-tree, from the sdist)"
OPENBITS_PYTHON_LINK=in-tree "$py" -m build --no-isolation --wheel --outdir "$work/wheel-intree" \
    "$unpacked" > "$work/wheel-intree.log" 2>&1 ||
    { cat "$work/wheel-intree.log" >&2; fail "building the wheel failed"; }
wheel="$(ls "$work"/wheel-intree/openbits-"$version"-*.whl)"
grep -q '^openbits: libopenbits linked in-tree' "$work/wheel-intree.log" ||
    fail "the wheel was not built in-tree (see $work/wheel-intree.log)"
# Every file of the package, the SWIG module and the extension.
(cd "$src/bindings/python/openbits" && ls; echo _openbits.py; echo "__openbits$ext_suffix") |
    LC_ALL=C sort > "$work/wheel.want"
"$py" -c '
import sys, zipfile
for n in zipfile.ZipFile(sys.argv[1]).namelist():
    if n.startswith("openbits/"):
        print(n[len("openbits/"):])' "$wheel" | LC_ALL=C sort > "$work/wheel.got"
diff -u "$work/wheel.want" "$work/wheel.got" ||
    fail "the wheel's openbits/ (+) differs from bindings/python/openbits + the SWIG module (-)"
mkdir -p "$work/wheel-intree/unzipped"
"$py" -m zipfile -e "$wheel" "$work/wheel-intree/unzipped"
so="$work/wheel-intree/unzipped/openbits/__openbits$ext_suffix"
if readelf -d "$so" | grep -E 'NEEDED.*libopenbits'; then
    fail "in-tree: the extension needs a libopenbits.so"
fi
exports="$(nm -D --defined-only "$so" | awk '{ print $NF }')"
[ "$exports" = "PyInit___openbits" ] ||
    fail "the extension exports more than PyInit___openbits: $(echo "$exports" | head -n 5 | tr '\n' ' ')..."

# ---- 4. installed into a venv, tested from there ----------------------------
run_tests() { # VENV EXPECTED-LIB
    local venv="$1"
    mkdir -p "$work/run"
    # From a directory holding nothing importable; the plugin checks where
    # openbits came from.
    (cd "$work/run" &&
     PYTHONPATH="$here" OPENBITS_EXPECT_LIB="$2" "$venv/bin/python" -m pytest \
         -p no:cacheprovider -p installed_only \
         "${tests[@]/#/$copy/python_tests/}") ||
        fail "pytest from $venv failed"
}
step "venv --system-site-packages; pip install --no-build-isolation --no-index <wheel>"
"$py" -m venv --system-site-packages "$work/venv-intree"
"$work/venv-intree/bin/python" -m pip install -q --no-build-isolation --no-index "$wheel" ||
    fail "pip install of the wheel failed"
step "pytest from the installed wheel (in-tree)"
run_tests "$work/venv-intree" none

# ---- 5. system link mode: pip install . against an installed libopenbits -
prefix="$work/prefix"
if [ -n "$build" ]; then
    step "cmake --install $build --prefix $prefix"
    env -u DESTDIR cmake --install "$build" --prefix "$prefix" > "$work/install.log"
else
    step "library-only CMake build of $src, installed into $prefix"
    cmake -S "$src" -B "$work/cmake" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOPENBITS_BUILD_TESTS=OFF \
        -DOPENBITS_BUILD_PYTHON=OFF -DOPENBITS_BUILD_EXAMPLES=OFF -DOPENBITS_BUILD_DOCS=OFF \
        -DOPENBITS_BUILD_PERL=OFF > "$work/cmake.log"
    cmake --build "$work/cmake" -j "$(nproc 2>/dev/null || echo 2)" >> "$work/cmake.log"
    env -u DESTDIR cmake --install "$work/cmake" --prefix "$prefix" > "$work/install.log"
fi
pc="$(find "$prefix" -name openbits.pc | head -n 1)"
[ -n "$pc" ] || fail "no openbits.pc under $prefix"
libdir="$(cd "$(dirname "$pc")/.." && pwd -P)"
step "pip install --no-build-isolation . (auto: system, PKG_CONFIG_PATH=$(dirname "$pc"))"
"$py" -m venv --system-site-packages "$work/venv-system"
(cd "$copy" && PKG_CONFIG_PATH="$(dirname "$pc")" \
     "$work/venv-system/bin/python" -m pip install -v --no-build-isolation --no-index . \
     > "$work/pip-system.log" 2>&1) ||
    { cat "$work/pip-system.log" >&2; fail "pip install . failed"; }
grep -q 'openbits: libopenbits linked system' "$work/pip-system.log" ||
    fail "auto did not pick the installed libopenbits (see $work/pip-system.log)"
so="$(find "$work/venv-system/lib" -name "__openbits$ext_suffix" | head -n 1)"
[ -n "$so" ] || fail "no __openbits$ext_suffix in $work/venv-system"
readelf -d "$so" | grep -q 'NEEDED.*\[libopenbits\.so\.1\]' || fail "system: $so does not need libopenbits.so.1"
runpath="$(readelf -d "$so" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p')"
[ "$runpath" = "$libdir" ] || fail "system: RUNPATH '$runpath', expected $libdir"
[ "$(nm -D --defined-only "$so" | awk '{ print $NF }')" = "PyInit___openbits" ] ||
    fail "system: the extension exports more than PyInit___openbits"
step "pytest from the pip-installed package (system)"
run_tests "$work/venv-system" "$libdir/libopenbits.so.1"

step "passed"
