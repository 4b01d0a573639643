#!/usr/bin/env bash
# deb-check.sh - build the Debian packages and use them as a user would:
#
#   1. dpkg-buildpackage -us -uc -b in a copy of the source (the work
#      tree stays clean), with debian/rules' own tests; run as root, it
#      builds as the user nobody, as a build daemon would (the package
#      says Rules-Requires-Root: no);
#   2. lintian on the .changes: any error (E:) fails, warnings are shown;
#   3. the .debs unpacked with dpkg -x into a throwaway root (nothing is
#      installed on the system);
#   4. against that root: examples/list_states.c (as libopenbits-dev ships
#      it) built with pkg-config (PKG_CONFIG_SYSROOT_DIR + PKG_CONFIG_PATH,
#      -Wl,-rpath to the root's library directory) and run;
#      tests/consumer built with find_package(openbits CONFIG) and run;
#      the Python package imported by /usr/bin/python3 (PYTHONPATH) and
#      used for a real file:// job; openbits and openbitsd started.
#
# About 1.5 minutes on 2 cores. Installs the Debian packages it needs
# (as root). scripts/test.sh runs it as a stage of its own.
#
#   bash scripts/deb-check.sh
#   OPENBITS_DEB_KEEP=1 bash scripts/deb-check.sh   # keep the temp dir (debs, logs, root)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
# shellcheck source=lib/deps.sh
. "$here/lib/deps.sh"
# shellcheck disable=SC2086 # word splitting of the list is intended
ensure_packages $OPENBITS_DEB_PACKAGES

start=$SECONDS
jobs="$(nproc 2>/dev/null || echo 2)"
say() { echo "=== deb-check: $* ($((SECONDS - start)) s) ==="; }
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/openbits-deb.XXXXXX")"
if [ -n "${OPENBITS_DEB_KEEP:-}" ]; then
    trap 'echo "deb-check: kept $work"' EXIT
else
    trap 'rm -rf "$work"' EXIT
fi

version="$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)"
upstream="${version%-*}"
multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
arch="$(dpkg-architecture -qDEB_HOST_ARCH)"

# ---- 1. the packages ---------------------------------------------------
# The files git knows (tracked, and new ones not ignored), so build trees
# and the work tree's own debian/ leftovers stay out of the copy.
out_dir="$work/build"             # dpkg-buildpackage writes the .debs here
src="$out_dir/openbits-$upstream"
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -xf - -C "$src"
else
    tar -C "$top" --exclude=./build --exclude='./build-*' --exclude='./obj-*' -cf - . |
        tar -xf - -C "$src"
fi
# The list of packages in deps.sh must cover debian/control.
(cd "$src" && dpkg-checkbuilddeps) ||
    fail "debian/control needs packages that OPENBITS_DEB_PACKAGES (scripts/lib/deps.sh) lacks"

as_builder=()
if [ "$(id -u)" -eq 0 ] && id -u nobody >/dev/null 2>&1; then
    chmod 755 "$work"
    chown -R "$(id -u nobody):$(id -g nobody)" "$out_dir"
    as_builder=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups
                env HOME="$out_dir")
fi
say "dpkg-buildpackage -us -uc -b${as_builder:+ (as nobody)}"
if ! (cd "$src" && "${as_builder[@]}" dpkg-buildpackage -us -uc -b -j"$jobs") \
        > "$work/build.log" 2>&1; then
    tail -n 60 "$work/build.log"
    fail "dpkg-buildpackage failed (the whole log: OPENBITS_DEB_KEEP=1, then $work/build.log)"
fi
grep -E '^(100% tests passed|Total Test time)' "$work/build.log" || true
changes="$out_dir/openbits_${version}_${arch}.changes"
[ -f "$changes" ] || fail "no $changes"
debs=()
for pkg in libopenbits1 libopenbits-dev python3-openbits openbits; do
    deb="$out_dir/${pkg}_${version}_${arch}.deb"
    [ -f "$deb" ] || fail "no package $pkg ($deb)"
    debs+=("$deb")
done
deb="$out_dir/libopenbits-doc_${version}_all.deb"
[ -f "$deb" ] || fail "no package libopenbits-doc ($deb)"
debs+=("$deb")

# ---- 2. lintian --------------------------------------------------------
say "lintian"
lintian_rc=0
lintian --fail-on error "$changes" > "$work/lintian.log" 2>&1 || lintian_rc=$?
grep -v '^running with root privileges' "$work/lintian.log" || true
grep -q '^E: ' "$work/lintian.log" && fail "lintian reports errors"
[ "$lintian_rc" -eq 0 ] || fail "lintian exited with $lintian_rc"

# ---- 3. a throwaway root -----------------------------------------------
say "dpkg -x into a throwaway root"
root="$work/root"
for deb in "${debs[@]}"; do
    dpkg -x "$deb" "$root"
done
libdir="$root/usr/lib/$multiarch"
for f in "$libdir/libopenbits.so.1" "$libdir/libopenbits.so" "$libdir/pkgconfig/openbits.pc" \
         "$libdir/cmake/openbits/openbitsConfig.cmake" "$root/usr/include/openbits/openbits.h" \
         "$root/usr/bin/openbits" "$root/usr/bin/openbitsd" \
         "$root/usr/lib/systemd/user/openbitsd.service" \
         "$root/usr/share/bash-completion/completions/openbits" \
         "$root/usr/share/man/man1/openbits.1.gz" "$root/usr/share/man/man8/openbitsd.8.gz" \
         "$root/usr/lib/python3/dist-packages/openbits/__init__.py" \
         "$root/usr/share/doc/libopenbits-dev/examples/list_states.c" \
         "$root/usr/share/man/man3/bits_job_get_state.3.gz" \
         "$root/usr/share/doc/libopenbits-doc/html/index.html"; do
    [ -e "$f" ] || fail "not in the packages: ${f#"$root"}"
done

# ---- 4. using them -----------------------------------------------------
out="$work/use"
mkdir -p "$out"
expect_root_lib() { # PROGRAM: it must load the root's libopenbits.so.1
    ldd "$1" | grep -F "$libdir/libopenbits.so.1" >/dev/null ||
        { ldd "$1"; fail "$1 does not load $libdir/libopenbits.so.1"; }
}

say "examples/list_states.c with pkg-config"
export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_PATH="$libdir/pkgconfig"
pc_version="$(pkg-config --modversion openbits)"
[ "$pc_version" = "$upstream" ] || fail "pkg-config says openbits $pc_version, the package is $upstream"
flags="$(pkg-config --cflags --libs openbits)"
echo "pkg-config openbits $pc_version: $flags"
case " $flags " in *" -I$root/usr/include "*) ;; *) fail "the flags miss -I$root/usr/include" ;; esac
case " $flags " in *" -L$libdir "*) ;; *) fail "the flags miss -L$libdir" ;; esac
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
# shellcheck disable=SC2086 # the flags are words
cc -std=c11 -Wall -Wextra -Werror "$root/usr/share/doc/libopenbits-dev/examples/list_states.c" \
    $flags -Wl,-rpath,"$libdir" -o "$out/list_states" || fail "list_states.c does not build"
expect_root_lib "$out/list_states"
(cd "$out" && ./list_states) > "$out/list_states.out" ||
    { cat "$out/list_states.out"; fail "list_states exited with $?"; }
cat "$out/list_states.out"
for line in "^openbits $upstream\$" "^after Complete: +ACKNOWLEDGED\$" \
            "^Resume with no files: BG_E_EMPTY \\(0x80200003\\)"; do
    grep -Eq "$line" "$out/list_states.out" || fail "list_states printed no line matching $line"
done

say "tests/consumer with find_package(openbits CONFIG)"
cmake -S "$src/tests/consumer" -B "$out/cmake" -DCMAKE_PREFIX_PATH="$root/usr" \
    -DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF -DOPENBITS_EXPECTED_PREFIX="$root" \
    -DCMAKE_BUILD_RPATH="$libdir" > "$out/cmake.log" 2>&1 ||
    { cat "$out/cmake.log"; fail "find_package(openbits CONFIG) did not configure"; }
cmake --build "$out/cmake" >> "$out/cmake.log" 2>&1 ||
    { cat "$out/cmake.log"; fail "the find_package consumer did not build"; }
expect_root_lib "$out/cmake/openbits_consumer"
"$out/cmake/openbits_consumer" | tee "$out/consumer.out"
grep -q '^ok' "$out/consumer.out" || fail "openbits_consumer did not print ok"

say "python3-openbits from the root"
head -c 200000 /dev/urandom > "$out/source.bin"
LD_LIBRARY_PATH="$libdir" PYTHONPATH="$root/usr/lib/python3/dist-packages" \
    PYTHONDONTWRITEBYTECODE=1 OPENBITS_ROOT="$root" OPENBITS_OUT="$out" \
    /usr/bin/python3 - <<'EOF' || fail "the Python package does not work from the root"
import os, filecmp
import openbits, openbits._openbits as raw

root, out = os.environ["OPENBITS_ROOT"], os.environ["OPENBITS_OUT"]
assert openbits.__file__.startswith(root + "/"), openbits.__file__
maps = [l.split()[-1] for l in open("/proc/self/maps") if "libopenbits.so" in l]
assert maps and all(m.startswith(root + "/") for m in maps), maps
print("openbits", raw.bits_version_string(), "from", os.path.dirname(openbits.__file__))
with openbits.Manager(in_memory=True) as mgr:
    job = mgr.create_job("deb-check")
    job.add_file("file://" + out + "/source.bin", out + "/copy.bin")
    job.resume()
    state = job.wait(timeout=60)
    assert state is openbits.JobState.TRANSFERRED, state
    job.complete()
    print("python job:", job.state.name)
assert filecmp.cmp(out + "/source.bin", out + "/copy.bin", shallow=False)
EOF

say "openbits and openbitsd from the root"
for prog in openbits openbitsd; do
    LD_LIBRARY_PATH="$libdir" "$root/usr/bin/$prog" --version > "$out/$prog.version" ||
        fail "$prog --version failed"
    grep -q "$upstream" "$out/$prog.version" || fail "$prog --version does not say $upstream"
    head -n 1 "$out/$prog.version"
done
grep -q "^ExecStart=/usr/bin/openbitsd\$" "$root/usr/lib/systemd/user/openbitsd.service" ||
    fail "openbitsd.service does not start /usr/bin/openbitsd"

say "passed: $(basename -a "${debs[@]}" | tr '\n' ' ')"
