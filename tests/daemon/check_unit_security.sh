#!/bin/sh
# check_unit_security.sh UNIT MAX
#
# `systemd-analyze security` rates the sandbox of the systemd user unit
# UNIT (daemon/openbitsd.service as configured) from 0.0 (locked down) to
# 10.0 (UNSAFE). Fails above MAX (docs/security.md, "The openbitsd unit",
# has the figure and why each remaining point stays). Offline: the unit
# file is read as it is, no manager needs to run. Exit 77 (skip) without
# systemd-analyze or with one too old for --offline (before systemd 250).
set -eu
unit="$1"; max="$2"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v systemd-analyze >/dev/null 2>&1 ||
    skip "systemd-analyze not found (Debian package systemd)"
version="$(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')"
[ -n "$version" ] && [ "$version" -ge 250 ] ||
    skip "systemd-analyze ${version:-?} has no --offline (systemd 250 or later)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# --user wants a runtime directory even offline.
[ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] || export XDG_RUNTIME_DIR="$tmp"
cp "$unit" "$tmp/openbitsd.service"
set +e
systemd-analyze security --offline=yes --user --no-pager "$tmp/openbitsd.service" > "$tmp/report" 2>&1
rc=$?
set -e
score="$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p' "$tmp/report")"
if [ "$rc" -ne 0 ] || [ -z "$score" ]; then
    cat "$tmp/report" >&2
    fail "systemd-analyze security could not rate $unit (status $rc)"
fi
# What still counts against it (the ✗ lines), then the verdict.
grep -v '✓' "$tmp/report" | sed -n '/NAME/,$p'
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s > m) }'; then
    fail "openbitsd.service is exposed $score, above $max: a hardening setting was lost (daemon/openbitsd.service.in)"
fi
echo "unit security: openbitsd.service exposure $score (at most $max)"
