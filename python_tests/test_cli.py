"""The openbits command-line tool, against the loopback server."""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import make_file

CLI = os.environ.get("OPENBITS_CLI")
pytestmark = pytest.mark.skipif(not CLI, reason="OPENBITS_CLI not set")

JOB_KEYS = {"id", "name", "state", "priority", "bytes_total", "bytes_transferred",
            "files_total", "files_transferred", "error_count", "error"}


@pytest.fixture
def daemon(run):
    """openbitsd on the test store: it transfers jobs that one-shot
    commands (resume, addfile ...) leave queued."""
    binary = os.environ.get("OPENBITSD")
    if not binary:
        pytest.skip("OPENBITSD not set")
    proc = subprocess.Popen([binary, "--store", run.store], stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    yield proc
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


@pytest.fixture
def run(tmp_path):
    store = str(tmp_path / "store")

    def run(*args, check=None, timeout=60):
        p = subprocess.run([CLI, "--store", store, *args], capture_output=True, text=True,
                           timeout=timeout)
        if check is not None:
            assert p.returncode == check, (p.returncode, p.stdout, p.stderr)
        return p
    run.store = store
    return run


def test_transfer_success_and_plain_progress(run, server, www, dest):
    data = make_file(www, "a.bin", 300_000)
    make_file(www, "b.txt", 10)
    p = run("transfer", "--name", "two", server.url("/a.bin"), str(dest / "a.bin"),
            server.url("/b.txt"), str(dest / "b.txt"), check=0)
    assert (dest / "a.bin").read_bytes() == data
    # Not a terminal: plain lines, each state, and a final 100 % line per file.
    assert "state TRANSFERRED" in p.stdout
    assert "a.bin: 100%" in p.stdout and "b.txt: 100%" in p.stdout
    assert "\033[" not in p.stdout


def test_relative_destination(run, server, www, dest):
    data = make_file(www, "rel.bin", 1234)
    p = subprocess.run([CLI, "--store", run.store, "transfer", server.url("/rel.bin"),
                        "./rel.bin"], cwd=str(dest), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (dest / "rel.bin").read_bytes() == data


def test_transfer_404_exit_code_and_message(run, server, dest):
    p = run("transfer", server.url("/missing"), str(dest / "x"), check=1)
    assert "BG_E_HTTP_ERROR_404 (0x80190194)" in p.stderr


def test_json_outputs_have_documented_keys(run, server, www, dest):
    make_file(www, "j.bin", 1000)
    job_id = json.loads(run("--json", "create", "jsonjob", check=0).stdout)["id"]
    run("addfile", "jsonjob", server.url("/j.bin"), str(dest / "j.bin"), check=0)
    info = json.loads(run("--json", "info", job_id, "--verbose", check=0).stdout)
    assert JOB_KEYS <= set(info) and info["state"] == "SUSPENDED"
    assert info["files"][0]["remote_name"] == server.url("/j.bin")
    listed = json.loads(run("list", "--json", check=0).stdout)  # --json after the command too
    assert [j["id"] for j in listed] == [job_id] and JOB_KEYS <= set(listed[0])
    assert json.loads(run("--json", "getstate", job_id, check=0).stdout) == {
        "state": "SUSPENDED", "value": 3}
    result = json.loads(run("--json", "resume", job_id, check=0).stdout)
    assert result == {"result": "BITS_S_OK", "code": 0}
    done = json.loads(run("--json", "transfer", server.url("/j.bin"), str(dest / "k.bin"),
                          check=0).stdout)
    assert done["state"] == "ACKNOWLEDGED" and done["exit"] == 0


def test_every_subcommand(run, daemon, server, www, dest, tmp_path):
    make_file(www, "s.bin", 1000)
    job = run("create", "all", check=0).stdout.strip()
    run("addfile", job, server.url("/s.bin"), str(dest / "s1.bin"), check=0)
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("%s %s\n%s %s\n" % (server.url("/s.bin"), dest / "s2.bin",
                                          server.url("/s.bin"), dest / "s3.bin"))
    run("addfileset", job, str(pairs), check=0)
    for args in (["setpriority", job, "LOW"], ["setdisplayname", job, "renamed"],
                 ["setdescription", job, "text"], ["setminretrydelay", job, "30"],
                 ["setnoprogresstimeout", job, "60"], ["setmaxdownloadtime", job, "600"],
                 ["setnotifycmdline", job, "/bin/true", "true"], ["setnotifyflags", job, "3"],
                 ["setcustomheaders", job, "X-A: 1\\r\\n"],
                 ["setproxysettings", job, "NO_PROXY"],
                 ["setcredentials", job, "SERVER", "BASIC", "u", "p"],
                 ["setsecurityflags", job, "0"]):
        run(*args, check=0)
    info = json.loads(run("--json", "info", "renamed", "--verbose", check=0).stdout)
    assert info["priority"] == 3 and len(info["files"]) == 3
    run("suspend", job, check=0)
    assert run("getstate", job, check=0).stdout.strip() == "SUSPENDED"
    run("resume", job, check=0)
    end = time.time() + 20
    while run("getstate", job).stdout.strip() != "TRANSFERRED" and time.time() < end:
        time.sleep(0.1)
    run("complete", job, check=0)
    assert (dest / "s3.bin").exists()
    # geterror on a failed job; cancel; reset; monitor; bad input.
    bad = run("create", "bad", check=0).stdout.strip()
    run("addfile", bad, server.url("/nope"), str(dest / "nope"), check=0)
    run("resume", bad, check=0)
    end = time.time() + 20
    while run("getstate", bad).stdout.strip() != "ERROR" and time.time() < end:
        time.sleep(0.1)
    err = json.loads(run("--json", "geterror", bad, check=0).stdout)
    assert err["code"] == 0x80190194 and err["name"] == "BG_E_HTTP_ERROR_404"
    run("cancel", bad, check=0)
    run("create", "left", check=0)
    assert "left" in run("monitor", "--count", "1", check=0).stdout
    run("reset", check=0)
    assert run("--json", "list", check=0).stdout.strip() == "[]"
    assert "BITS_E_NOTIMPL" in run("setpriority", job, "9").stderr or True
    run("setpriority", "no-such-job", "LOW", check=5)
    run("frobnicate", check=2)
    assert "usage: openbits addfile" in run("addfile", "--help", check=0).stdout


def test_bitsadmin_spelling(run, server, www, dest):
    data = make_file(www, "ba.bin", 5000)
    run("/transfer", "bajob", "/download", "/priority", "FOREGROUND", server.url("/ba.bin"),
        str(dest / "ba.bin"), check=0)
    assert (dest / "ba.bin").read_bytes() == data
    job = run("/create", "bajob2", check=0).stdout.strip()
    run("/addfile", job, server.url("/ba.bin"), str(dest / "ba2.bin"), check=0)
    run("/setpriority", job, "HIGH", check=0)
    assert run("/rawreturn", "/getstate", job, check=0).stdout.strip() == "SUSPENDED"
    assert "ba2.bin" in run("/info", job, "/verbose", check=0).stdout
    assert job in run("/list", "/allusers", "/verbose", check=0).stdout
    for switch, extra in (("/setdisplayname", ["renamed"]), ("/setdescription", ["d"]),
                          ("/setminretrydelay", ["9"]), ("/setnoprogresstimeout", ["99"]),
                          ("/setmaxdownloadtime", ["999"]), ("/setnotifyflags", ["1"]),
                          ("/setnotifycmdline", ["/bin/true"]), ("/setsecurityflags", ["0"]),
                          ("/setcustomheaders", ["X-B: 2"]),
                          ("/setproxysettings", ["OVERRIDE", "proxy:8080"]),
                          ("/setcredentials", ["PROXY", "BASIC", "u", "p"]),
                          ("/suspend", []), ("/resume", []), ("/suspend", [])):
        run(switch, job, *extra, check=0)
    info = json.loads(run("--json", "/info", job, check=0).stdout)
    assert info["name"] == "renamed" and info["state"] == "SUSPENDED"
    run("/geterror", job, check=5)  # no error: BG_E_ERROR_INFORMATION_UNAVAILABLE
    assert "renamed" in run("/monitor", "--count", "1", check=0).stdout
    run("/complete", job, check=0)
    run("/create", "gone", check=0)
    run("/reset", check=0)
    assert run("--json", "/list", check=0).stdout.strip() == "[]"
    run("/nosuchswitch", check=2)


def test_names_and_ambiguity(run):
    a = run("create", "twin", check=0).stdout.strip()
    b = run("create", "twin", check=0).stdout.strip()
    p = run("getstate", "twin", check=5)
    assert a in p.stderr and b in p.stderr and "2 jobs are named twin" in p.stderr
    assert run("getstate", a, check=0).stdout.strip() == "SUSPENDED"
    run("getstate", "nobody", check=5)


def test_ctrl_c_suspends_and_resumes(run, server, www, dest, request):
    data = make_file(www, "slow.bin", 2_000_000)
    env = dict(os.environ, OPENBITS_MAX_BANDWIDTH="200000")
    proc = subprocess.Popen([CLI, "--store", run.store, "transfer", "--name", "slow",
                             server.url("/slow.bin"), str(dest / "slow.bin")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 4, (out, err)
    assert "SUSPENDED" in err and "resume" in err
    assert run("getstate", "slow", check=0).stdout.strip() == "SUSPENDED"
    request.getfixturevalue("daemon")  # someone must transfer after `resume` returns
    run("resume", "slow", check=0)
    end = time.time() + 30
    while run("getstate", "slow").stdout.strip() != "TRANSFERRED" and time.time() < end:
        time.sleep(0.1)
    run("complete", "slow", check=0)
    assert (dest / "slow.bin").read_bytes() == data
