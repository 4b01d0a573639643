# deps.sh - install the Debian packages openbits needs, only when missing.
# Sourced by scripts/demo.sh, scripts/test.sh and scripts/deb-check.sh.
# Usage: ensure_packages PKG...

OPENBITS_BUILD_PACKAGES="cmake gcc g++ make pkg-config libcurl4-openssl-dev libsqlite3-dev \
libffi-dev libcmocka-dev swig python3-dev python3-pytest python3-cffi python3-mypy libperl-dev openssl curl \
doxygen tmux"

# scripts/test.sh only: the Ruby and Java bindings, which the test
# command builds and tests with the others (Perl and Python come with the
# build packages): ruby-dev (ruby and its bundled minitest) and
# default-jdk (javac, jar, jni.h; nothing from Maven).
OPENBITS_BINDING_PACKAGES="ruby-dev default-jdk"

# scripts/test.sh only: valgrind; clang and its libFuzzer runtime;
# abidw/abidiff for the abi_layout test; readelf (binutils) for the
# RUNPATH checks of consumer_install; systemd-analyze, systemctl and a
# user manager (systemd) and unshare/setpriv (util-linux) for the tests
# of openbitsd's unit; python3 -m build, venv, setuptools and wheel for
# python_packaging (pip install . and the wheel, without PyPI).
OPENBITS_TEST_PACKAGES="valgrind clang libclang-rt-14-dev abigail-tools binutils systemd util-linux \
python3-build python3-venv python3-setuptools python3-wheel"

# scripts/deb-check.sh: debian/control's Build-Depends (nocheck ones
# included) plus the tools that build and check the packages.
OPENBITS_DEB_PACKAGES="build-essential dpkg-dev debhelper dh-python lintian cmake pkg-config \
libcurl4-openssl-dev libsqlite3-dev swig doxygen python3-dev libcmocka-dev libffi-dev openssl"

# bench/run only: the server, the peers it is compared with, the plot.
OPENBITS_BENCH_PACKAGES="nginx-light aria2 curl wget python3-matplotlib time"

ensure_packages() {
    missing=""
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "openbits: missing Debian packages:$missing" >&2
        echo "openbits: run this script as root (or apt-get install them) first" >&2
        return 1
    fi
    echo "openbits: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086 # word splitting of the list is intended
    apt-get install -y -qq --no-install-recommends $missing
}
