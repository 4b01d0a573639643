#!/usr/bin/env bash
# demo.sh - the main job: a real openbits transfer with progress.
#
# Builds the library and the openbits tool, starts the loopback test
# server with a few files, downloads them as one BITS job with `openbits
# transfer` (a progress display; the bandwidth is capped so there is
# something to watch), shows `openbits list` and `info` of a second job,
# checks the files are byte-identical and says where they are. Installs
# the Debian packages it needs (as root).
#
#   bash scripts/demo.sh
#   OPENBITS_DEMO_DAEMON=1 bash scripts/demo.sh   # openbitsd serves the store:
#                                                 # the transfers run in it
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
# shellcheck source=lib/deps.sh
. "$here/lib/deps.sh"
ensure_packages $OPENBITS_BUILD_PACKAGES

build="${OPENBITS_BUILD_ROOT:-$top/build}/demo"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOPENBITS_BUILD_TESTS=OFF \
      -DOPENBITS_BUILD_PYTHON=OFF >/dev/null
targets="openbits_cli"
[ -n "${OPENBITS_DEMO_DAEMON:-}" ] && targets="$targets openbitsd"
# shellcheck disable=SC2086 # two targets
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target $targets >/dev/null

work="$(mktemp -d /tmp/openbits-demo-XXXXXX)"
openbits="$build/cli/openbits --store $work/store"
mkdir -p "$work/www" "$work/downloads"
head -c $((48 * 1024 * 1024)) /dev/urandom > "$work/www/debian-12.iso"
head -c $((6 * 1024 * 1024)) /dev/urandom > "$work/www/firmware.bin"
printf 'openbits demo: hello from the local server\n' > "$work/www/README.txt"

/usr/bin/python3 "$top/python_tests/server/openbits_test_server.py" --port 0 \
    --root "$work/www" --port-file "$work/port" --lifetime 300 &
server=$!
daemon=""
trap 'kill $server $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")"

if [ -n "${OPENBITS_DEMO_DAEMON:-}" ]; then
    "$build/daemon/openbitsd" --store "$work/store" 2>"$work/openbitsd.log" &
    daemon=$!
    for _ in $(seq 100); do  # until it holds the engine lock (10 s at most)
        $openbits status | grep -q "runs the store's transfers" && break
        kill -0 "$daemon" 2>/dev/null || { cat "$work/openbitsd.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "== openbitsd (pid $daemon) serves the store"; $openbits status
fi

echo "== openbits demo: one job, three files from $url (capped at 20 MB/s)"
echo "\$ openbits transfer --name demo URL DEST ..."
$openbits transfer --name demo --max-bandwidth 20000000 \
    "$url/debian-12.iso" "$work/downloads/debian-12.iso" \
    "$url/firmware.bin" "$work/downloads/firmware.bin" \
    "$url/README.txt" "$work/downloads/README.txt"

echo "== a second job, left suspended, as \`openbits list\` and \`info\` show it"
job=$($openbits create nightly)
$openbits addfile "$job" "$url/firmware.bin" "$work/downloads/firmware-2.bin" >/dev/null
echo "\$ openbits list"; $openbits list
echo "\$ openbits info nightly --verbose"; $openbits info nightly --verbose
$openbits cancel "$job" >/dev/null

for f in debian-12.iso firmware.bin README.txt; do
    cmp -s "$work/www/$f" "$work/downloads/$f" || { echo "MISMATCH: $f" >&2; exit 1; }
done
echo "== all files byte-identical; they are in $work/downloads"
ls -l "$work/downloads"
