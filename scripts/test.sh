#!/usr/bin/env bash
# test.sh - build openbits and run every test: the C tests, the packaging
# tests and the tests of the Python, Perl, Ruby and Java bindings (with
# vectors_agree: the eight vector runners must print the same lines),
# first in a -Werror build, then again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the C tests under
# valgrind and under ThreadSanitizer, then each libFuzzer target for a
# bounded time (a clang build), then builds the Debian packages and uses
# them (scripts/deb-check.sh). Installs the Debian packages it needs (as
# root). Exits non-zero when anything fails.
#
#   bash scripts/test.sh            # everything
#   OPENBITS_TEST_QUICK=1 bash scripts/test.sh   # the -Werror build only
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
# shellcheck source=lib/deps.sh
. "$here/lib/deps.sh"
ensure_packages $OPENBITS_BUILD_PACKAGES $OPENBITS_BINDING_PACKAGES $OPENBITS_TEST_PACKAGES

jobs="$(nproc 2>/dev/null || echo 2)"
build_root="${OPENBITS_BUILD_ROOT:-$top/build}"

run_suite() { # NAME CMAKE-ARGS...
    local name="$1"; shift
    local dir="$build_root/$name"
    echo "=== openbits: $name build ==="
    cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DOPENBITS_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
    echo "=== openbits: $name tests ==="
    # shellcheck disable=SC2086 # optional extra arguments, split on purpose
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" ${OPENBITS_CTEST_ARGS:-}
}

# Every binding, and all eight vector runners in vectors_agree.
all_bindings="-DOPENBITS_BUILD_PYTHON=ON -DOPENBITS_BUILD_PERL=ON -DOPENBITS_BUILD_RUBY=ON \
-DOPENBITS_BUILD_JAVA=ON"
no_bindings="-DOPENBITS_BUILD_PYTHON=OFF -DOPENBITS_BUILD_PERL=OFF -DOPENBITS_BUILD_RUBY=OFF \
-DOPENBITS_BUILD_JAVA=OFF"

# shellcheck disable=SC2086 # the option lists are split on purpose
run_suite werror $all_bindings "-DOPENBITS_VECTOR_RUNNERS_REQUIRED=c;ffi;swig;ctypes;cffi;perl;ruby;java"
if [ -z "${OPENBITS_TEST_QUICK:-}" ]; then
    # The multi-process stress test runs longest here (test_stress.c).
    # shellcheck disable=SC2086
    OPENBITS_STRESS_SECONDS=60 run_suite asan -DOPENBITS_SANITIZE=address,undefined $all_bindings
    # valgrind: the C tests once more, each executable under memcheck.
    # shellcheck disable=SC2086
    OPENBITS_STRESS_SECONDS=10 OPENBITS_CTEST_ARGS="-L c" \
        run_suite valgrind -DOPENBITS_VALGRIND=ON $no_bindings
    # ThreadSanitizer: the C tests (engine, notifier and watcher threads,
    # openbitsd); the first report aborts the process that has it.
    # shellcheck disable=SC2086
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" OPENBITS_CTEST_ARGS="-L c" \
        OPENBITS_STRESS_SECONDS=30 \
        run_suite tsan -DOPENBITS_SANITIZE=thread $no_bindings
    # libFuzzer: each target for a bounded time over its seeds (fuzz/README.md).
    # shellcheck disable=SC2086
    CC=clang run_suite fuzz -DOPENBITS_BUILD_FUZZERS=ON -DOPENBITS_BUILD_TESTS=OFF \
        $no_bindings -DOPENBITS_BUILD_EXAMPLES=OFF
    # The Debian packages: dpkg-buildpackage, lintian, and the .debs used
    # from a throwaway root (about 1 minute).
    echo "=== openbits: Debian packages ==="
    bash "$here/deb-check.sh"
fi
echo "=== openbits: all tests passed ==="
