"""transfer and resume --wait as issue 16 wants them: honest and fast
feedback on failures, the -v trace, status and the unserved-store note,
and every exit code."""

import json
import re
import socket
import subprocess
import time

import pytest

from conftest import make_file
from test_cli import CLI, daemon, run, wait_state  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not CLI, reason="OPENBITS_CLI not set")

PASSWORD = "TracePwLeak987"
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # anything but \n


def dead_port():
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_trace_shows_requests_responses_and_states_never_a_password(run, server, www, dest):
    make_file(www, "t.bin", 50_000)
    server.configure("/t.bin", basic_auth=["erin", PASSWORD])
    url = server.url("/t.bin").replace("http://", "http://erin:%s@" % PASSWORD)
    p = run("transfer", "-v", url, str(dest / "t.bin"), check=0)
    err = p.stderr
    assert PASSWORD not in err and PASSWORD not in p.stdout
    assert "> GET /t.bin HTTP/1.1" in err and "< HTTP/1.1 200 OK" in err
    assert "> Authorization: <redacted>" in err
    assert "* state QUEUED -> CONNECTING" in err and "* state TRANSFERRING -> TRANSFERRED" in err
    assert not CONTROL.search(err)
    # The same with -v before the command, and never a body.
    p = run("-v", "transfer", url, str(dest / "t2.bin"), check=0)
    assert "< HTTP/1.1 200 OK" in p.stderr and PASSWORD not in p.stderr
    assert (dest / "t2.bin").read_bytes() == (www / "t.bin").read_bytes()


def test_trace_of_a_retry_and_a_hostile_header(run, server, www, dest):
    make_file(www, "h.bin", 1000)
    # A 503 first (a transient error with Retry-After), and a header that
    # would clear the screen.
    server.configure("/h.bin", statuses=[503], retry_after=1, headers={"X-Evil": "\x1b[2Jboom"})
    p = run("transfer", "-v", "--retry-delay", "5s", server.url("/h.bin"), str(dest / "h.bin"),
            check=0, timeout=60)
    assert "< HTTP/1.1 503" in p.stderr
    assert re.search(r"\* state \w+ -> TRANSIENT_ERROR: BG_E_HTTP_ERROR_503.*retry in \d+ s",
                     p.stderr), p.stderr
    assert "state TRANSIENT_ERROR: retrying in" in p.stderr  # the plain display says it too
    assert "X-Evil: ?[2Jboom" in p.stderr and not CONTROL.search(p.stderr)


def test_dead_port_fails_fast_when_asked_and_the_job_is_cancelled(run, dest):
    url = "http://127.0.0.1:%d/a.iso" % dead_port()
    start = time.monotonic()
    p = run("transfer", "--retries", "0", url, check=1, timeout=30)
    assert time.monotonic() - start < 10
    assert "a.iso: gave up after 1 attempt (--retries 0)" in p.stderr
    assert "BG_E_CONNECT_FAILURE (0x8020002D)" in p.stderr
    assert "file %s -> " % url in p.stderr
    assert "the job was cancelled and its temporary files removed" in p.stderr
    assert json.loads(run("--json", "list", check=0).stdout) == []
    # Not a terminal, nothing asked: BITS's defaults (a retry every 10 minutes).
    proc = subprocess.Popen([CLI, "--store", run.store, "transfer", "--name", "patient", url,
                             str(dest / "p.iso")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_state(run, "patient", "TRANSIENT_ERROR")
        info = json.loads(run("--json", "info", "patient", "--verbose", check=0).stdout)
        assert info["minimum_retry_delay"] == 600 and info["no_progress_timeout"] == 1209600
        time.sleep(1)
        assert proc.poll() is None
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 4
    # The retry time is the library's (the delay, maybe a little more).
    assert re.search(r"state TRANSIENT_ERROR: retrying in (9m5\ds|1\dm\d\ds) \[attempt 2\]: "
                     r"BG_E_CONNECT_FAILURE \(", err), err


def test_keep_timeout_and_continue(run, server, www, dest):
    data = make_file(www, "k.bin", 400_000)
    server.configure("/k.bin", stall_after=100_000, stall=30)
    p = run("transfer", "--keep", "--timeout", "2s", "--name", "kept", server.url("/k.bin"),
            str(dest / "k.bin"), check=1, timeout=30)
    assert "gave up: not done within --timeout 2s" in p.stderr
    job = re.search(r"the job (\{[0-9a-f-]+\}) is kept \(SUSPENDED\)", p.stderr).group(1)
    assert "resume %s --wait" % job in p.stderr and "cancel %s" % job in p.stderr
    info = json.loads(run("--json", "info", job, check=0).stdout)
    assert info["state"] == "SUSPENDED" and info["bytes_transferred"] >= 100_000
    # -c continues that job, from the bytes it has; without -c a new one starts.
    server.configure("/k.bin")
    p = run("--json", "transfer", "-c", server.url("/k.bin"), str(dest / "k.bin"), check=0)
    assert json.loads(p.stdout)["id"] == job
    assert (dest / "k.bin").read_bytes() == data
    ranges = server.path_stats("/k.bin")["ranges"]
    assert ranges[-1] and ranges[-1].startswith("bytes=") and ranges[-1] != "bytes=0-"
    p = run("--json", "transfer", "-c", server.url("/k.bin"), str(dest / "k.bin"), check=0)
    assert json.loads(p.stdout)["id"] != job  # that one is complete now: a new job


def test_geterror_names_the_file(run, daemon, server, dest):
    job = run("create", "broken", check=0).stdout.strip()
    run("addfile", job, server.url("/missing.bin"), str(dest / "m.bin"), check=0)
    run("resume", job, check=0)
    wait_state(run, job, "ERROR")
    out = run("geterror", job, check=0).stdout
    assert out.splitlines()[0].startswith("BG_E_HTTP_ERROR_404 (0x80190194)")
    assert "file %s -> %s" % (server.url("/missing.bin"), dest / "m.bin") in out
    err = json.loads(run("--json", "geterror", job, check=0).stdout)
    assert err["file"] == {"remote_name": server.url("/missing.bin"),
                           "local_name": str(dest / "m.bin")}
    # resume --wait leaves a failed job as it is (it is not transfer's own).
    p = run("resume", job, "--wait", check=1)
    assert "openbits resume %s --wait tries again" % job in p.stderr
    assert run("getstate", job, check=0).stdout.strip() == "ERROR"


def test_status_and_the_unserved_note(run, server, www, dest):
    make_file(www, "s.bin", 1000)
    status = json.loads(run("--json", "status", check=0).stdout)
    assert status["engine"] is None and status["jobs"] == 0
    assert "engine  none: no process is serving the store" in run("status", check=0).stdout
    job = run("create", "waiting", check=0).stdout.strip()
    run("addfile", job, server.url("/s.bin"), str(dest / "s.bin"), check=0)
    p = run("resume", job, check=0)
    assert p.stdout == ""
    assert "queued; no process is serving the store" in p.stderr
    assert "openbitsd --store %s &" % run.store in p.stderr
    assert "resume %s --wait" % job in p.stderr
    assert run("-q", "resume", job, check=0).stderr == ""


def test_status_names_openbitsd(run, daemon, server, www, dest):
    status = json.loads(run("--json", "status", check=0).stdout)
    assert status["engine"] == {"pid": daemon.pid, "command": "openbitsd"}
    text = run("status", check=0).stdout
    assert "engine  process %d (openbitsd) runs the store's transfers" % daemon.pid in text
    make_file(www, "d.bin", 1000)
    job = run("create", "served", check=0).stdout.strip()
    run("addfile", job, server.url("/d.bin"), str(dest / "d.bin"), check=0)
    p = run("resume", job, check=0)
    assert p.stderr == "" and p.stdout == ""  # served: nothing to say
    wait_state(run, job, "TRANSFERRED")
    status = json.loads(run("--json", "status", check=0).stdout)
    assert status["jobs"] == 1 and status["states"] == {"TRANSFERRED": 1}


def test_queued_behind_another_job(run, server, www, dest):
    make_file(www, "first.bin", 300_000)
    make_file(www, "second.bin", 1000)
    server.configure("/first.bin", rate=100_000)
    run("limits", check=0)  # the store exists before two processes open it
    first = subprocess.Popen([CLI, "--store", run.store, "transfer", "--name", "first",
                              server.url("/first.bin"), str(dest / "first.bin")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_state(run, "first", "TRANSFERRING")
        p = run("transfer", "--name", "second", server.url("/second.bin"),
                str(dest / "second.bin"), check=0, timeout=60)
        assert "state QUEUED: queued behind 1 job" in p.stderr, p.stderr
    finally:
        first.communicate(timeout=60)
    assert first.returncode == 0


def test_exit_code_3_when_the_job_is_cancelled_elsewhere(run, server, www, dest):
    make_file(www, "c.bin", 400_000)
    server.configure("/c.bin", rate=50_000)
    job = run("create", "doomed", check=0).stdout.strip()
    run("addfile", job, server.url("/c.bin"), str(dest / "c.bin"), check=0)
    waiting = subprocess.Popen([CLI, "--store", run.store, "resume", job, "--wait"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_state(run, job, "TRANSFERRING")
    run("cancel", job, check=0)
    out, err = waiting.communicate(timeout=30)
    assert waiting.returncode == 3, err
    assert "the job %s was cancelled" % job in err


def test_piped_output_has_no_control_characters(run, server, www, dest):
    make_file(www, "p.bin", 300_000)
    server.configure("/p.bin", rate=150_000)
    p = run("transfer", server.url("/p.bin"), str(dest / "p.bin"), check=0)
    assert p.stdout == "" and not CONTROL.search(p.stderr), repr(p.stderr)
    assert "p.bin: 100% 293.0 KiB of 293.0 KiB, done" in p.stderr
    lines = p.stderr.splitlines()
    assert lines[0].startswith("job {") and lines[-1].startswith("saved ")
    assert any(re.match(r"p\.bin: \d+% .* of 293\.0 KiB, .*/s, ETA", x) for x in lines)
    # A name that would drive the terminal is refused before anything starts.
    p = run("transfer", server.url("/p.bin"), str(dest / "p\x1b[2J.bin"), check=2)
    assert "holds a control character" in p.stderr and not CONTROL.search(p.stderr)
    # --progress=none and -q: nothing at all; --progress=plain is the default here.
    assert run("transfer", "--progress=none", server.url("/p.bin"), str(dest / "q1"),
               check=0).stderr == ""
    assert run("-q", "transfer", server.url("/p.bin"), str(dest / "q2"), check=0).stderr == ""
