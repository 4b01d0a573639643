# deps.sh - install the Debian packages openbits needs, only when missing.
# Sourced by scripts/demo.sh and scripts/test.sh. Usage: ensure_packages PKG...

OPENBITS_BUILD_PACKAGES="cmake gcc g++ make pkg-config libcurl4-openssl-dev libsqlite3-dev \
libffi-dev libcmocka-dev swig python3-dev python3-pytest python3-cffi python3-mypy \
libperl-dev openssl curl"

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
