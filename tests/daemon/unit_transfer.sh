#!/bin/sh
# unit_transfer.sh PREFIX PYTHON SERVER WORK
#
# The hardened systemd user unit still does its job. PREFIX is an
# installed openbits (consumer_install's): a systemd user manager starts
# its bin/openbitsd from its lib/systemd/user/openbitsd.service (only
# ExecStart changed, for a store of the test; the library found by the
# program's RUNPATH, as under a real install), and the daemon
#   - runs sandboxed (NoNewPrivs, a seccomp filter, its own user and
#     mount namespaces);
#   - transfers a job that bin/openbits queued and left, from the
#     loopback test server (SERVER, run by PYTHON), by IP and by name,
#     into the home directory: files identical after Complete;
#   - fails a job whose destination is outside the home directory with
#     BITS_E_ACCESSDENIED, writing nothing there (ProtectSystem=strict);
#   - stops cleanly.
#
# Which user manager:
#   - this user's own, when `systemctl --user` reaches one (a desktop
#     session, a runner with lingering): the unit goes to
#     $XDG_RUNTIME_DIR/systemd/user for the test's duration, the store and
#     downloads to a temporary directory under $HOME;
#   - else, as root with unshare(1) and setpriv(1) (a container without
#     systemd as PID 1, like the test machines): a private one, run as the
#     unprivileged user nobody, in a private mount namespace with tmpfs on
#     /run (so that it finds what PID 1 would have made) and on /home (a
#     home directory where a real one would be), in cgroups of its own
#     that are removed afterwards. Unprivileged as a real user's manager
#     is, so the sandbox needs a user namespace exactly as it does for a
#     real user. The programs, the unit and this script are copied to a
#     directory nobody can read (the build tree may not be);
#   - else the test is skipped (exit 77) saying why.
# Every wait is bounded; the manager is stopped (and killed by its pid if
# it does not exit) before the script ends.
set -eu
prefix="$1"; python="$2"; server="$3"; work="$4"
step="${OPENBITS_UNIT_STEP:-outer}"
run_as=nobody
unit="$prefix/lib/systemd/user/openbitsd.service"
openbitsd="$prefix/bin/openbitsd"
openbits="$prefix/bin/openbits"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; [ -z "${in_body:-}" ] || show_log; exit 1; }
say() { echo "unit_transfer: $*"; }

# wait_for SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds.
wait_for() {
    limit=$(( $1 * 5 )); shift
    i=0
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -lt "$limit" ] || return 1
        sleep 0.2
    done
}

manager_up() {
    state="$(timeout 10 systemctl --user is-system-running 2>/dev/null)" || true
    case "$state" in running|degraded) return 0 ;; *) return 1 ;; esac
}

# ---- body: with a user manager reachable by systemctl --user ----------
body() {
    dir="$1"   # under $HOME, where the unit lets openbitsd write
    name="openbitsd-test-$$"
    unitdir="$XDG_RUNTIME_DIR/systemd/user"
    mkdir -p "$unitdir" "$dir/downloads"
    # The unit as installed, but for ExecStart: the daemon of this build,
    # on a store of the test, its messages in a file of the test, and the
    # environment a sanitized build needs (OPENBITS_UNIT_ENVIRONMENT:
    # LeakSanitizer stops the world with ptrace, which the system call
    # filter refuses; openbitsd's leaks are checked by test_store).
    extra="StandardError=append:$dir/openbitsd.log"
    [ -z "${OPENBITS_UNIT_ENVIRONMENT:-}" ] || extra="$extra\\nEnvironment=$OPENBITS_UNIT_ENVIRONMENT"
    sed "s|^ExecStart=.*|ExecStart=$openbitsd --store $dir/store\\n$extra|" "$unit" > "$unitdir/$name.service"
    grep -q "^ExecStart=$openbitsd " "$unitdir/$name.service" || fail "no ExecStart= line in $unit"
    show_log() { echo "--- openbitsd's messages:" >&2; cat "$dir/openbitsd.log" >&2 2>/dev/null || true; }
    cleanup_unit() {
        timeout 40 systemctl --user stop "$name.service" 2>/dev/null || true
        rm -f "$unitdir/$name.service"
        timeout 10 systemctl --user daemon-reload 2>/dev/null || true
    }
    trap 'cleanup_unit' EXIT
    timeout 20 systemctl --user daemon-reload
    in_body=1
    timeout 20 systemctl --user start "$name.service" ||
        { timeout 10 systemctl --user status "$name.service" >&2 || true
          fail "systemctl --user start $name.service failed (a sandbox setting the manager cannot apply?)"; }
    ob() { timeout 20 "$openbits" --store "$dir/store" "$@"; }
    # openbitsd takes the engine lock when it starts: from then on the
    # CLI never transfers, so whatever transfers is the daemon's doing.
    store_open() {
        ! timeout 10 systemctl --user is-failed --quiet "$name.service" || return 0
        test -e "$dir/store/engine.lock"
    }
    wait_for 20 store_open && ! timeout 10 systemctl --user is-failed --quiet "$name.service" ||
        { timeout 10 systemctl --user status "$name.service" >&2 || true
          fail "openbitsd did not open its store $dir/store within 20 s under the hardened unit"; }
    pid="$(timeout 10 systemctl --user show -P MainPID "$name.service")"
    [ -n "$pid" ] && [ "$pid" != 0 ] || fail "$name.service has no main process"
    status="$(cat "/proc/$pid/status")"
    echo "$status" | grep -Eq '^NoNewPrivs:[[:space:]]+1$' || fail "openbitsd runs without NoNewPrivs"
    echo "$status" | grep -Eq '^Seccomp:[[:space:]]+2$' || fail "openbitsd runs without a seccomp filter"
    [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] ||
        fail "openbitsd runs in the test's user namespace (PrivateUsers= not applied)"
    [ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
        fail "openbitsd runs in the test's mount namespace (ProtectSystem= not applied)"
    say "openbitsd (pid $pid) runs sandboxed: NoNewPrivs, seccomp, own user and mount namespaces"

    job="$(ob create unit-test)"
    ob addfile "$job" "$URL/payload.bin" "$dir/downloads/payload.bin" >/dev/null
    # By name too: the resolver works in the sandbox.
    ob addfile "$job" "$(echo "$URL" | sed 's/127\.0\.0\.1/localhost/')/small.txt" \
        "$dir/downloads/small.txt" >/dev/null
    ob resume "$job" >/dev/null
    transferred() { [ "$(ob getstate "$job")" = TRANSFERRED ]; }
    if ! wait_for 60 transferred; then
        ob info "$job" --verbose >&2 || true
        ob geterror "$job" >&2 || true
        timeout 10 systemctl --user status "$name.service" >&2 || true
        fail "the job did not reach TRANSFERRED within 60 s under the hardened unit"
    fi
    ob complete "$job" >/dev/null
    cmp "$SRC/payload.bin" "$dir/downloads/payload.bin" || fail "payload.bin differs from its source"
    cmp "$SRC/small.txt" "$dir/downloads/small.txt" || fail "small.txt differs from its source"
    say "a 2-file job queued by the CLI was transferred by openbitsd under the hardened unit, files identical"

    # Outside the home directory the file system is read-only to it: a
    # job there fails with a local error, and nothing is written.
    job="$(ob create unit-test-outside)"
    ob addfile "$job" "$URL/small.txt" "$OUTSIDE/small.txt" >/dev/null
    ob resume "$job" >/dev/null
    settled() { case "$(ob getstate "$job")" in ERROR|TRANSFERRED) return 0 ;; esac; return 1; }
    wait_for 30 settled || true
    if [ "$(ob getstate "$job")" != ERROR ]; then
        ob info "$job" --verbose >&2 || true
        fail "a job into $OUTSIDE (outside the home directory) did not fail within 30 s"
    fi
    err="$(ob geterror "$job")"
    case "$err" in
    *BITS_E_ACCESSDENIED*) ;;
    *) fail "a job into $OUTSIDE failed with '$err', expected BITS_E_ACCESSDENIED" ;;
    esac
    [ -z "$(ls -A "$OUTSIDE")" ] || fail "openbitsd wrote into $OUTSIDE: $(ls -A "$OUTSIDE")"
    ob cancel "$job" >/dev/null
    say "a job into $OUTSIDE, outside the home directory, failed with BITS_E_ACCESSDENIED and wrote nothing"

    [ "$(timeout 10 systemctl --user is-active "$name.service")" = active ] ||
        fail "$name.service is no longer active after the transfers"
    timeout 40 systemctl --user stop "$name.service" || fail "stopping $name.service failed"
    result="$(timeout 10 systemctl --user show -P Result "$name.service")"
    [ "$result" = success ] || fail "$name.service stopped with result '$result'"
    say "$name.service stopped cleanly"
}

case "$step" in
outer)
    command -v systemctl >/dev/null 2>&1 ||
        skip "systemd is not installed (Debian package systemd)"
    for f in "$unit" "$openbitsd" "$openbits"; do
        [ -e "$f" ] || fail "missing in the installed prefix: $f"
    done
    # Which manager, decided before anything is made.
    if manager_up; then
        how="using this user's systemd manager (systemctl --user is-system-running: $state)"
        private=""
    else
        why="no systemd user manager for $(id -un): systemctl --user is-system-running says '$(timeout 10 systemctl --user is-system-running 2>&1 | tr '\n' ' ' | sed 's/ *$//')'"
        [ "$(id -u)" -eq 0 ] || skip "$why (and not root, so no private one can be started)"
        for tool in unshare setpriv; do
            command -v "$tool" >/dev/null 2>&1 || skip "$why, and $tool is missing for a private one"
        done
        manager="$(command -v systemd 2>/dev/null || echo /lib/systemd/systemd)"
        [ -x "$manager" ] || skip "$why, and there is no systemd binary ($manager) for a private one"
        id "$run_as" >/dev/null 2>&1 || skip "$why, and there is no user $run_as to run a private one"
        how="$why; starting a private user manager as $run_as"
        private=1
    fi

    rm -rf "$work"; mkdir -p "$work"
    copy=""; srv=""
    trap '[ -z "$srv" ] || kill "$srv" 2>/dev/null || true; [ -z "$copy" ] || rm -rf "$copy"' EXIT
    if [ -n "$private" ]; then
        # What a private manager as $run_as runs and reads must be
        # readable by it, and the build tree may not be: a copy of the
        # installed bin/ and lib/ (their RUNPATH is relative), this
        # script, the served files, and a directory writable by it
        # outside its home.
        copy="$(mktemp -d /tmp/openbits-unit-test.XXXXXX)"
        cp -a "$prefix/bin" "$prefix/lib" "$copy/"
        cp "$0" "$copy/unit_transfer.sh"
        mkdir "$copy/outside"
        chown "$run_as" "$copy/outside"
        export SRC="$copy/www" OUTSIDE="$copy/outside"
    else
        export SRC="$work/www"
    fi
    mkdir "$SRC"
    head -c 3000000 /dev/urandom > "$SRC/payload.bin"
    echo "openbits under its systemd unit" > "$SRC/small.txt"
    "$python" "$server" --port 0 --root "$SRC" --port-file "$work/port" --lifetime 170 &
    srv=$!
    wait_for 20 test -s "$work/port" || fail "the test server did not start"
    export URL="http://127.0.0.1:$(cat "$work/port")"
    say "$how"

    if [ -z "$private" ]; then
        mkdir -p "$HOME/.cache"
        dir="$(mktemp -d "$HOME/.cache/openbits-unit-test.XXXXXX")"
        OUTSIDE="$(mktemp -d /tmp/openbits-unit-outside.XXXXXX)"; export OUTSIDE
        trap 'kill "$srv" 2>/dev/null || true; rm -rf "$dir" "$OUTSIDE"' EXIT
        (body "$dir")
        exit 0
    fi
    chmod -R a+rX "$copy"
    set +e
    OPENBITS_UNIT_STEP=private timeout 150 unshare --mount --propagation private \
        sh "$copy/unit_transfer.sh" "$copy" "$python" "$server" "$work"
    rc=$?
    set -e
    [ "$rc" -ne 124 ] || fail "the private manager's run did not end within 150 s"
    exit "$rc"
    ;;

private)
    # Root, in a private mount namespace (nothing below is seen outside
    # it), running the copy in PREFIX. systemd --user starts only when
    # /run/systemd/system exists (the system runs systemd); its units'
    # namespaces are built on /run/systemd/unit-root (made by PID 1 on a
    # real system) and use the inaccessible nodes under
    # /run/user/UID/systemd, whatever XDG_RUNTIME_DIR says. A tmpfs on
    # /run provides all three.
    uid="$(id -u "$run_as")"; gid="$(id -g "$run_as")"
    mount -t tmpfs -o mode=755 openbits-unit-test /run ||
        skip "cannot mount a tmpfs on /run in a private mount namespace"
    mkdir -p /run/systemd/system /run/user
    mkdir -m 0700 /run/systemd/unit-root "/run/user/$uid"
    chown "$uid:$gid" "/run/user/$uid"
    # A home directory where a real one would be, so that ProtectHome=
    # and ReadWritePaths=%h meet as they do for a real user.
    mount -t tmpfs -o mode=755 openbits-unit-test /home ||
        skip "cannot mount a tmpfs on /home in a private mount namespace"
    mkdir -m 0700 /home/openbits-unit-test
    chown "$uid:$gid" /home/openbits-unit-test
    # A user manager needs a cgroup of its own (systemd delegates one to
    # user@UID.service): one per cgroup hierarchy systemd uses (cgroup2,
    # and the named v1 "systemd" one on a hybrid system), at the top,
    # owned by $run_as, removed afterwards.
    cgname="openbits-unit-test-$$"
    cgroups="$(awk '$9 == "cgroup2" || ($9 == "cgroup" && $NF ~ /(^|,)name=systemd(,|$)/) { print $5 }' /proc/self/mountinfo)"
    [ -n "$cgroups" ] || skip "no cgroup2 or name=systemd hierarchy mounted for a user manager"
    for mnt in $cgroups; do
        mkdir "$mnt/$cgname" && chown -R "$uid:$gid" "$mnt/$cgname" ||
            skip "cannot make a cgroup $mnt/$cgname for a user manager"
    done
    remove_cgroups() {
        for mnt in $cgroups; do
            [ -d "$mnt/$cgname" ] || continue
            find "$mnt/$cgname" -depth -type d -exec rmdir {} + 2>/dev/null ||
                echo "unit_transfer: warning: could not remove $mnt/$cgname (processes left?)" >&2
        done
    }
    trap 'remove_cgroups' EXIT
    set +e
    # The child moves into the cgroups, then becomes $run_as.
    CGROUPS="$cgroups" CGNAME="$cgname" sh -c '
        for mnt in $CGROUPS; do echo $$ > "$mnt/$CGNAME/cgroup.procs" || exit 1; done
        exec "$@"' sh \
        setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
        env -u DBUS_SESSION_BUS_ADDRESS HOME=/home/openbits-unit-test USER="$run_as" LOGNAME="$run_as" \
        XDG_RUNTIME_DIR="/run/user/$uid" OPENBITS_UNIT_STEP=manager \
        sh "$0" "$@"
    rc=$?
    set -e
    exit "$rc"
    ;;

manager)
    manager="$(command -v systemd 2>/dev/null || echo /lib/systemd/systemd)"
    "$manager" --user --log-target=console > "$HOME/manager.log" 2>&1 &
    mpid=$!
    stop_manager() {
        timeout 20 systemctl --user exit >/dev/null 2>&1 || true
        wait_for 20 sh -c "! kill -0 $mpid" || { kill -KILL "$mpid" 2>/dev/null || true; }
    }
    trap 'stop_manager' EXIT
    if ! wait_for 30 manager_up; then
        cat "$HOME/manager.log" >&2
        kill -0 "$mpid" 2>/dev/null || { echo "SKIP: the private user manager exited at once (log above)"; exit 77; }
        fail "the private user manager did not come up within 30 s (log above)"
    fi
    say "private user manager (pid $mpid) running as $(id -un), HOME=$HOME"
    (body "$HOME")
    ;;
esac
