#!/bin/sh
# run.sh STEP BUILD_DIR SOURCE_DIR WORK_DIR [CONFIG]
#
# An installed openbits, used the way other projects use it. STEP is
#   install    cmake --install BUILD_DIR into a staging prefix, check that
#              it wrote nothing outside it and wrote what users need (the
#              man 3 pages and HTML too, when the build made them), then
#              move the prefix to WORK_DIR/prefix (so the consumers below
#              also prove the installed files are relocatable); there,
#              with no LD_LIBRARY_PATH, the installed openbits and
#              openbitsd must run (RUNPATH $ORIGIN/...), and the Python,
#              Perl and Ruby modules and the Java JNI library, when built,
#              must load the prefix's libopenbits.so.1;
#   pkgconfig  compile examples/list_states.c and examples/download.c with
#              `pkg-config --cflags --libs openbits`, run them;
#   cmake      configure and build tests/consumer (find_package(openbits
#              CONFIG) + openbits::openbits), run it.
# The CTest fixture openbits_installed runs `install` before the others.
# Environment: CC (the compiler), CONSUMER_CFLAGS (e.g. sanitizer flags
# when the library is instrumented), CONSUMER_PYTHON (the interpreter of
# the binding), CONSUMER_PRELOAD (LD_PRELOAD for an uninstrumented
# interpreter loading a sanitized module).
set -eu
step="$1"; build="$2"; src="$3"; work="$4"; config="${5:-}"
prefix="$work/prefix"
cc="${CC:-cc}"
fail() { echo "FAIL: $*" >&2; exit 1; }

libdir_of() {
    lib="$(find "$1" -name 'libopenbits.so.1' | head -n 1)"
    [ -n "$lib" ] || fail "no libopenbits.so.1 under $1"
    dirname "$lib"
}

case "$step" in
install)
    rm -rf "$work"
    mkdir -p "$work/staging"
    staging="$work/staging/prefix"
    # DESTDIR would be prepended to the prefix: make sure none is inherited.
    env -u DESTDIR cmake --install "$build" ${config:+--config "$config"} \
        --prefix "$staging" > "$work/install.log"
    # Every file the install reports must lie inside the prefix.
    sed -n 's/^-- \(Installing\|Up-to-date\): //p' "$work/install.log" > "$work/installed"
    [ -s "$work/installed" ] || fail "cmake --install reported no files (see $work/install.log)"
    if grep -v "^$staging/" "$work/installed"; then
        fail "the install wrote the files above outside --prefix $staging"
    fi
    libdir="$(libdir_of "$staging")"
    for f in "$libdir/libopenbits.so.1" "$libdir/libopenbits.so" \
             "$libdir/pkgconfig/openbits.pc" \
             "$libdir/cmake/openbits/openbitsConfig.cmake" \
             "$libdir/cmake/openbits/openbitsConfigVersion.cmake" \
             "$libdir/cmake/openbits/openbitsTargets.cmake"; do
        [ -e "$f" ] || fail "missing after install: $f"
    done
    # Exactly the public headers (all of include/openbits plus the
    # generated version.h): none forgotten, no private header shipped.
    (cd "$src/include/openbits" && ls -- *.h; echo version.h) | LC_ALL=C sort > "$work/headers.want"
    (cd "$staging/include/openbits" && ls) | LC_ALL=C sort > "$work/headers.got"
    diff -u "$work/headers.want" "$work/headers.got" ||
        fail "installed headers (+) differ from include/openbits (-): see OPENBITS_PUBLIC_HEADERS"
    # The API reference, when the build made it (OPENBITS_BUILD_DOCS): a
    # man 3 page per function and the HTML.
    if [ -f "$build/docs/man/man3/bits_job_get_state.3" ]; then
        for f in man3/bits_job_get_state.3 man3/openbits_job.h.3 html/index.html; do
            [ -n "$(find "$staging" -path "*/$f")" ] || fail "the API reference was built, but no $f installed"
        done
    fi
    # The installed library must not point back into the build tree.
    if objdump -p "$libdir/libopenbits.so.1" | grep -E 'R(UN)?PATH' | grep -F "$build"; then
        fail "the installed library keeps an RPATH into the build tree"
    fi
    mv "$staging" "$prefix"
    libdir="$(libdir_of "$prefix")"
    version="$(sed -n 's/^Version: *//p' "$libdir/pkgconfig/openbits.pc")"

    # Installed programs and modules find the library through a RUNPATH
    # relative to themselves ($ORIGIN), so they run from a prefix the
    # dynamic linker does not search, moved after installing as this one
    # was, without LD_LIBRARY_PATH or ldconfig.
    runpath_of() { readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p'; }
    check_runpath() { # FILE
        rp="$(runpath_of "$1")"
        case "$rp" in
        '$ORIGIN'*) ;;
        *) readelf -d "$1" | grep -E 'R(UN)?PATH' >&2 || true
           fail "$1 has no RUNPATH starting with \$ORIGIN (got '$rp')" ;;
        esac
        case "$rp" in *"$build"*|*"$work"*) fail "$1 has a RUNPATH into the build tree: $rp" ;; esac
        # What the dynamic linker resolves for it, with nothing to help
        # (ldd prints the $ORIGIN path unresolved: bin/../lib/...).
        found="$(env -u LD_LIBRARY_PATH ldd "$1" | awk '$1 == "libopenbits.so.1" { print $3 }')"
        [ -n "$found" ] && [ "$(readlink -f "$found")" = "$(readlink -f "$libdir/libopenbits.so.1")" ] ||
            { env -u LD_LIBRARY_PATH ldd "$1" >&2; fail "$1 does not resolve libopenbits.so.1 to $libdir (but '$found')"; }
        echo "install: $(echo "$1" | sed "s|^$prefix/||"): RUNPATH $rp"
    }
    for tool in openbits openbitsd; do
        exe="$prefix/bin/$tool"
        [ -x "$exe" ] || fail "missing after install: $exe"
        check_runpath "$exe"
        out="$(env -u LD_LIBRARY_PATH "$exe" --version 2>&1)" ||
            fail "$exe --version failed: $out"
        [ "$out" = "$tool $version" ] || fail "$exe --version printed '$out', expected '$tool $version'"
    done
    # The bindings, when built: the module is found by PYTHONPATH (perl
    # -I), the library by the module's RUNPATH; the process must map the
    # prefix's copy, not one installed elsewhere on this machine.
    pymod="$(find "$prefix" -name '__openbits*.so' | head -n 1)"
    if [ -n "$pymod" ]; then
        check_runpath "$pymod"
        pydir="$(dirname "$(dirname "$pymod")")"
        # shellcheck disable=SC2086 # CONSUMER_PRELOAD is a list of NAME=value words
        loaded="$(env -u LD_LIBRARY_PATH ${CONSUMER_PRELOAD:-} PYTHONPATH="$pydir" \
            "${CONSUMER_PYTHON:-python3}" -c '
import openbits, openbits._openbits as c
print(c.bits_version_string())
print([l.split()[-1] for l in open("/proc/self/maps") if "libopenbits.so" in l][0])')" ||
            fail "import openbits with PYTHONPATH=$pydir failed"
        [ "$(echo "$loaded" | sed -n 1p)" = "$version" ] || fail "Python saw version '$loaded'"
        case "$(echo "$loaded" | sed -n 2p)" in
        "$libdir"/libopenbits.so.*) ;;
        *) fail "Python loaded $(echo "$loaded" | sed -n 2p), not the library in $libdir" ;;
        esac
        echo "install: PYTHONPATH=$pydir: import openbits loads $libdir"
    fi
    plmod="$(find "$prefix" -name 'openbits.so' -path '*perl*' | head -n 1)"
    if [ -n "$plmod" ]; then
        check_runpath "$plmod"
        # shellcheck disable=SC2086
        loaded="$(env -u LD_LIBRARY_PATH ${CONSUMER_PRELOAD:-} perl -I"$(dirname "$plmod")" -Mopenbits -e '
open(my $m, "<", "/proc/self/maps") or die; print((grep { /libopenbits\.so/ } <$m>)[0]);')" ||
            fail "perl -Mopenbits from $(dirname "$plmod") failed"
        case "$loaded" in
        *" $libdir"/libopenbits.so.*) ;;
        *) fail "Perl loaded '$loaded', not the library in $libdir" ;;
        esac
        echo "install: perl -I$(dirname "$plmod"): openbits loads $libdir"
    fi
    rbmod="$(find "$prefix" -name 'openbits.so' -path '*ruby*' | head -n 1)"
    if [ -n "$rbmod" ]; then
        check_runpath "$rbmod"
        # shellcheck disable=SC2086
        loaded="$(env -u LD_LIBRARY_PATH ${CONSUMER_PRELOAD:-} ruby -I"$(dirname "$rbmod")" -ropenbits -e '
print File.readlines("/proc/self/maps").grep(/libopenbits\.so/).first')" ||
            fail "ruby -ropenbits from $(dirname "$rbmod") failed"
        case "$loaded" in
        *" $libdir"/libopenbits.so.*) ;;
        *) fail "Ruby loaded '$loaded', not the library in $libdir" ;;
        esac
        echo "install: ruby -I$(dirname "$rbmod"): openbits loads $libdir"
    fi
    jni="$(find "$prefix" -name 'libopenbits_jni.so' | head -n 1)"
    if [ -n "$jni" ]; then
        check_runpath "$jni"
        jar="$(find "$prefix" -name 'openbits.jar' | head -n 1)"
        [ -n "$jar" ] || fail "libopenbits_jni.so is installed without openbits.jar"
        # The JVM finds the JNI library on java.library.path, as Debian's
        # does for <libdir>/jni; the library by its RUNPATH.
        # shellcheck disable=SC2086
        version_seen="$(cd "$work" && printf '%s\n' \
            'public class JniVersion { public static void main(String[] a) {' \
            '  System.out.println(org.openbits.swig.Native.bits_version_string()); } }' > JniVersion.java &&
            javac -cp "$jar" -d "$work" JniVersion.java &&
            env -u LD_LIBRARY_PATH ${CONSUMER_PRELOAD:-} java -Djava.library.path="$(dirname "$jni")" \
                -cp "$jar:$work" JniVersion)" || fail "java with $jar and $(dirname "$jni") failed: $version_seen"
        [ "$version_seen" = "$version" ] || fail "Java saw version '$version_seen'"
        echo "install: java -cp $(echo "$jar" | sed "s|^$prefix/||"): org.openbits loads $(dirname "$jni")"
    fi
    echo "install: $(wc -l < "$work/installed") files, all inside the prefix"
    ;;

pkgconfig)
    libdir="$(libdir_of "$prefix")"
    out="$work/pkgconfig"
    rm -rf "$out"; mkdir -p "$out"
    # Searched before the system directories; the flags are checked below.
    export PKG_CONFIG_PATH="$libdir/pkgconfig"
    version="$(pkg-config --modversion openbits)"
    flags="$(pkg-config --cflags --libs openbits)"
    echo "pkg-config openbits $version: $flags"
    case "$flags" in *"$prefix"*) ;; *) fail "pkg-config flags do not point into $prefix" ;; esac
    for example in list_states download; do
        # shellcheck disable=SC2086 # the flags are words
        "$cc" -std=c11 -Wall -Wextra -Werror ${CONSUMER_CFLAGS:-} \
            "$src/examples/$example.c" $flags -o "$out/$example" ||
            fail "examples/$example.c does not build with pkg-config flags"
    done
    # Which library the programs load: the installed one.
    LD_LIBRARY_PATH="$libdir" ldd "$out/list_states" | grep -F "$libdir/libopenbits.so.1" >/dev/null ||
        fail "list_states does not load $libdir/libopenbits.so.1"

    LD_LIBRARY_PATH="$libdir" "$out/list_states" > "$out/list_states.out" ||
        { cat "$out/list_states.out"; fail "list_states exited with $?"; }
    cat "$out/list_states.out"
    for line in "^openbits $version\$" "^after Complete: +ACKNOWLEDGED\$" \
                "^error: +BITS_E_FILE_NOT_FOUND" \
                "^Resume with no files: BG_E_EMPTY \\(0x80200003\\)" \
                "^Resume a cancelled job: BG_E_INVALID_STATE"; do
        grep -Eq "$line" "$out/list_states.out" || fail "list_states printed no line matching $line"
    done

    # A real transfer through the installed library (a file:// copy, no
    # network), in a private store.
    head -c 300000 /dev/urandom > "$out/source.bin"
    LD_LIBRARY_PATH="$libdir" "$out/download" --store "$out/store" --timeout 60 \
        "file://$out/source.bin" "$out/copy.bin" > "$out/download.out" ||
        { cat "$out/download.out"; fail "download exited with $?"; }
    grep -q "state ACKNOWLEDGED" "$out/download.out" || fail "download did not complete the job"
    cmp "$out/source.bin" "$out/copy.bin" || fail "download's copy differs from its source"
    echo "pkgconfig: list_states and download built and ran against $libdir"
    ;;

cmake)
    libdir="$(libdir_of "$prefix")"
    out="$work/cmake"
    rm -rf "$out"
    cmake -S "$src/tests/consumer" -B "$out" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="${CONSUMER_CFLAGS:-}" \
        -DOPENBITS_EXPECTED_PREFIX="$prefix" > "$work/cmake-configure.log" ||
        { cat "$work/cmake-configure.log"; fail "find_package(openbits CONFIG) project did not configure"; }
    cmake --build "$out" ${config:+--config "$config"} > "$work/cmake-build.log" ||
        { cat "$work/cmake-build.log"; fail "the find_package consumer did not build"; }
    exe="$(find "$out" -type f -name openbits_consumer -perm -u+x | head -n 1)"
    [ -n "$exe" ] || fail "no openbits_consumer executable was built"
    # No LD_LIBRARY_PATH: CMake's build RPATH to the imported library.
    "$exe" > "$out/consumer.out" || { cat "$out/consumer.out"; fail "openbits_consumer exited with $?"; }
    cat "$out/consumer.out"
    grep -q '^ok' "$out/consumer.out" || fail "openbits_consumer did not print ok"
    echo "cmake: find_package(openbits CONFIG) consumer built and ran against $libdir"
    ;;

*)
    fail "unknown step '$step' (install, pkgconfig or cmake)"
    ;;
esac
