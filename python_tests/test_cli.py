"""The openbits command-line tool, against the loopback server."""

import json
import os
import pty
import re
import select
import signal
import subprocess
import time

import pytest

from conftest import make_file, start_openbitsd

CLI = os.environ.get("OPENBITS_CLI")
pytestmark = pytest.mark.skipif(not CLI, reason="OPENBITS_CLI not set")

# The keys docs/openbits.1 documents (JSON OUTPUT); the tests require exactly these.
JOB_KEYS = {"id", "name", "state", "priority", "bytes_total", "bytes_transferred",
            "files_total", "files_transferred", "error_count", "error"}
VERBOSE_KEYS = JOB_KEYS | {
    "description", "owner", "creation_time", "modification_time", "transfer_completion_time",
    "minimum_retry_delay", "no_progress_timeout", "maximum_download_time", "notify_flags",
    "security_flags", "max_bandwidth", "proxy_usage", "proxy_list", "proxy_bypass",
    "notify_program", "notify_parameters", "files"}
FILE_KEYS = {"remote_name", "local_name", "temporary_name", "bytes_total", "bytes_transferred",
             "completed"}
ERROR_KEYS = {"code", "name", "context", "description"}
LIMIT_KEYS = {"jobs", "files_per_job", "ranges_per_file", "max_bandwidth", "time_slice_ms",
              "stall_timeout"}
STATES = {"QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR", "TRANSIENT_ERROR",
          "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"}


@pytest.fixture
def daemon(run):
    """openbitsd on the test store: it transfers jobs that one-shot
    commands (resume, addfile ...) leave queued."""
    log = open(run.store + ".openbitsd.log", "w+")
    proc = start_openbitsd(run.store, stderr=log)
    yield proc
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=20)
    log.seek(0)
    assert rc == 0, log.read()[-4000:]  # e.g. a sanitizer's report
    log.close()


@pytest.fixture
def run(tmp_path):
    store = str(tmp_path / "store")

    def run(*args, check=None, timeout=60, input=None):
        p = subprocess.run([CLI, "--store", store, *args], capture_output=True, text=True,
                           timeout=timeout, input=input)
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
    # Not a terminal: plain lines on stderr, each state, and a final 100 % line
    # per file; nothing on stdout.
    assert "state TRANSFERRED" in p.stderr
    assert "a.bin: 100%" in p.stderr and "b.txt: 100%" in p.stderr
    assert "\033[" not in p.stderr and p.stdout == ""


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
    assert set(info) == VERBOSE_KEYS and info["state"] == "SUSPENDED"
    assert info["files"][0]["remote_name"] == server.url("/j.bin")
    listed = json.loads(run("list", "--json", check=0).stdout)  # --json after the command too
    assert [j["id"] for j in listed] == [job_id] and set(listed[0]) == JOB_KEYS
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
    fresh = run("create", "fresh", check=0).stdout.strip()
    assert "BITS_E_NOTIMPL (0x80004001)" in run("setpriority", fresh, "9", check=5).stderr
    assert "BG_E_STRING_TOO_LONG" in run("setdisplayname", fresh, "x" * 257, check=5).stderr
    # Successes are quiet in the default spelling; one that did nothing says so.
    p = run("removecredentials", fresh, "SERVER", "BASIC", check=0)
    assert p.stdout == "" and "nothing to do (BITS_S_FALSE)" in p.stderr
    run("setcredentials", fresh, "SERVER", "BASIC", "u", "p", check=0)
    p = run("removecredentials", fresh, "SERVER", "BASIC", check=0)
    assert p.stdout == "" and p.stderr == ""
    assert "removecredentials: BITS_S_FALSE" in run(
        "/removecredentials", fresh, "SERVER", "BASIC", check=0).stdout  # bitsadmin's spelling
    run("setmaxbandwidth", fresh, "1000", check=0)
    info = json.loads(run("--json", "info", fresh, "--verbose", check=0).stdout)
    assert info["max_bandwidth"] == 1000
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
                          ("/removecredentials", ["PROXY", "BASIC"]),
                          ("/setmaxbandwidth", ["5000"]),
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


def interrupt_transfer(run, server, www, dest, name, sig):
    """Starts a slow `openbits transfer` of NAME.bin, sends SIG once the job
    is TRANSFERRING and returns (file data, exit code, stderr)."""
    data = make_file(www, name + ".bin", 2_000_000)
    # The store exists before two processes open it at once: two processes
    # creating a new store together can fail today (issue 5 follow-up).
    run("limits", check=0)
    proc = subprocess.Popen([CLI, "--store", run.store, "transfer", "--name", name,
                             "--max-bandwidth", "200000", server.url("/%s.bin" % name),
                             str(dest / (name + ".bin"))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.time() + 30
    while time.time() < end and run("getstate", name).stdout.strip() != "TRANSFERRING":
        time.sleep(0.05)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    return data, proc.returncode, err


def test_ctrl_c_suspends_and_resumes(run, server, www, dest):
    data, code, err = interrupt_transfer(run, server, www, dest, "slow", signal.SIGINT)
    assert code == 4, err
    assert "SUSPENDED" in err
    assert run("getstate", "slow", check=0).stdout.strip() == "SUSPENDED"
    assert not (dest / "slow.bin").exists()
    # The command it printed continues the job in the foreground and completes it.
    printed = err.split("Continue with:")[1].split("\n")[1].split()
    assert printed[0] == "openbits" and printed[-1] == "--wait"
    p = subprocess.run([CLI] + printed[1:], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "state TRANSFERRED" in p.stderr and "slow.bin: 100%" in p.stderr
    assert (dest / "slow.bin").read_bytes() == data
    assert run("getstate", "slow", check=5).stderr  # complete: gone from the queue


def test_password_from_standard_input(run, server, www, dest):
    data = make_file(www, "secret.bin", 20_000)
    server.configure("/secret.bin", basic_auth=["alice", "s3cret"])
    run("create", "auth", check=0)
    run("addfile", "auth", server.url("/secret.bin"), str(dest / "secret.bin"), check=0)
    run("setcredentials", "auth", "SERVER", "BASIC", "alice", "-", input="s3cret\n", check=0)
    p = run("resume", "auth", "--wait", check=0)
    assert "state TRANSFERRED" in p.stderr
    assert (dest / "secret.bin").read_bytes() == data
    # Nothing on standard input: refused, nothing set.
    run("create", "empty", check=0)
    p = run("setcredentials", "empty", "SERVER", "BASIC", "alice", "-", input="", check=5)
    assert "BITS_E_INVALIDARG" in p.stderr


def commands():
    """The commands `openbits --help` lists (its "  name ..." lines)."""
    out = subprocess.run([CLI, "--help"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if re.match(r"  [a-z]", line)]


def test_every_command_has_help(run):
    names = commands()
    for expected in ("transfer", "create", "addfile", "addfileset", "resume", "suspend",
                     "cancel", "complete", "info", "list", "monitor", "getstate", "geterror",
                     "setpriority", "setdisplayname", "setdescription", "setminretrydelay",
                     "setnoprogresstimeout", "setmaxdownloadtime", "setnotifycmdline",
                     "setnotifyflags", "setcustomheaders", "setproxysettings",
                     "setcredentials", "setsecurityflags", "reset", "limits", "setlimit"):
        assert expected in names
    for name in names:
        p = run(name, "--help", check=0)
        assert p.stdout.startswith("usage: openbits " + name), (name, p.stdout)
    man = open(os.path.join(os.path.dirname(__file__), "..", "docs", "openbits.1")).read()
    for name in names:
        assert "\\fB%s\\fR" % name in man, name  # every command is in the man page
    assert "exit" in run("help", check=0).stdout
    daemon = os.environ.get("OPENBITSD")
    if daemon:
        p = subprocess.run([daemon, "--help"], capture_output=True, text=True, timeout=10)
        assert p.returncode == 0 and p.stdout.startswith("usage: openbitsd")


def test_verbose_json_keys_and_limits(run, server, www, dest):
    make_file(www, "v.bin", 4000)
    run("transfer", "--name", "done", server.url("/v.bin"), str(dest / "v.bin"), check=0)
    job = run("create", "verbose", check=0).stdout.strip()
    run("addfile", job, server.url("/v.bin"), str(dest / "w.bin"), check=0)
    run("setnotifycmdline", job, "/bin/true", "true x", check=0)
    run("setproxysettings", job, "OVERRIDE", "proxy:3128", "<local>", check=0)
    info = json.loads(run("--json", "info", job, "--verbose", check=0).stdout)
    assert set(info) == VERBOSE_KEYS
    assert set(info["files"][0]) == FILE_KEYS
    assert info["files"][0]["bytes_total"] is None and info["files"][0]["temporary_name"] is None
    assert info["proxy_usage"] == 2 and info["proxy_list"] == "proxy:3128"
    assert info["notify_program"] == "/bin/true" and info["notify_parameters"] == "true x"
    assert info["minimum_retry_delay"] == 600 and info["transfer_completion_time"] == 0
    assert info["creation_time"] > 1.5e15  # microseconds since 1970
    for listed in json.loads(run("--json", "list", "--verbose", check=0).stdout):
        assert set(listed) == VERBOSE_KEYS and listed["state"] in STATES
    text = run("info", job, "--verbose", check=0).stdout
    assert "minimum retry delay 600 s" in text and "proxies proxy:3128" in text
    # Limits: shown, changed, kept in the store for the next command.
    limits = json.loads(run("--json", "limits", check=0).stdout)
    assert set(limits) == LIMIT_KEYS and limits["jobs"] == 300
    run("setlimit", "jobs", "1", check=0)  # "verbose" is the one job in the queue
    assert json.loads(run("--json", "limits", check=0).stdout)["jobs"] == 1
    p = run("create", "second", check=5)
    assert "BG_E_TOO_MANY_JOBS_PER_USER (0x80200049)" in p.stderr
    run("setlimit", "nosuch", "1", check=2)
    run("/setlimit", "jobs", "0", check=0)
    assert json.loads(run("--json", "/limits", check=0).stdout)["jobs"] == 0
    assert json.loads(run("--json", "reset", check=0).stdout) == {"cancelled": 1}


def test_addfileset_format(run, server, www, dest, tmp_path):
    make_file(www, "f.bin", 10)
    job = run("create", "set", check=0).stdout.strip()
    good = tmp_path / "good.txt"
    good.write_text("# a comment\n\n%s %s\n   %s   rel.bin  \n" % (
        server.url("/f.bin"), dest / "one.bin", server.url("/f.bin")))
    p = subprocess.run([CLI, "--store", run.store, "addfileset", job, str(good)], cwd=str(dest),
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    info = json.loads(run("--json", "info", job, "--verbose", check=0).stdout)
    assert [f["local_name"] for f in info["files"]] == [str(dest / "one.bin"),
                                                         str(dest / "rel.bin")]
    bad = tmp_path / "bad.txt"
    bad.write_text("%s %s\nonly-one-word\n" % (server.url("/f.bin"), dest / "x.bin"))
    assert "bad.txt:2" in run("addfileset", job, str(bad), check=2).stderr
    many = tmp_path / "many.txt"  # past the 200-files limit: refused, nothing added
    many.write_text("".join("%s %s\n" % (server.url("/f.bin"), dest / ("m%d" % i))
                            for i in range(300)))
    assert "BG_E_TOO_MANY_FILES_IN_JOB" in run("addfileset", job, str(many), check=5).stderr
    assert json.loads(run("--json", "info", job, check=0).stdout)["files_total"] == 2


def test_terminal_progress_bar(run, server, www, dest):
    data = make_file(www, "tty.bin", 600_000)
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout is a terminal
        os.execv(CLI, [CLI, "--store", run.store, "transfer", "--max-bandwidth", "400000",
                       server.url("/tty.bin"), str(dest / "tty.bin")])
    out = b""
    end = time.time() + 60
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    text = out.decode(errors="replace")
    assert "\r\033[J" in text  # redrawn in place
    assert re.search(r"tty\.bin +\[#+ *\] +\d+%", text) and "ETA" in text and "/s" in text
    assert "100%" in text and "state " not in text  # no plain lines on a terminal
    assert (dest / "tty.bin").read_bytes() == data


def test_sigterm_suspends_like_ctrl_c(run, server, www, dest):
    _, code, err = interrupt_transfer(run, server, www, dest, "term", signal.SIGTERM)
    assert code == 4, err
    info = json.loads(run("--json", "info", "term", check=0).stdout)
    assert info["state"] == "SUSPENDED" and info["bytes_transferred"] > 0
    assert not (dest / "term.bin").exists()  # nothing under the name before complete


def test_many_namesakes_are_all_listed(run):
    ids = [run("create", "crowd", check=0).stdout.strip() for _ in range(18)]
    err = run("info", "crowd", check=5).stderr
    assert "18 jobs are named crowd" in err and all(i in err for i in ids)


def test_relative_store_and_monitor_refresh(tmp_path):
    p = subprocess.run([CLI, "--store", "rel-store", "create", "here"], cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "rel-store" / "openbits.db").exists()
    for args in (["monitor", "--refresh", "1", "--count", "2"],
                 ["/monitor", "/refresh", "1", "--count", "2"]):
        p = subprocess.run([CLI, "--store", "rel-store", *args], cwd=str(tmp_path),
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0 and p.stdout.count("here") == 2, p
    p = subprocess.run([CLI, "--store", "rel-store", "--json", "monitor", "--count", "1"],
                       cwd=str(tmp_path), capture_output=True, text=True, timeout=30)
    assert json.loads(p.stdout)[0]["name"] == "here"
    p = subprocess.run([CLI, "--store", "rel-store", "monitor", "--refresh", "x"],
                       cwd=str(tmp_path), capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert subprocess.run([CLI, "--store"], capture_output=True).returncode == 2


def test_daemon_logs_job_outcomes(run, server, www, dest):
    binary = os.environ.get("OPENBITSD")
    if not binary:
        pytest.skip("OPENBITSD not set")
    make_file(www, "d.bin", 1000)
    # The answers wait a second: the short-lived `resume` processes below
    # start an engine too (no daemon holds it yet), and without the delay
    # one could finish a job itself before exiting; the daemon, started
    # after, would then have nothing to log for it.
    server.configure("/d.bin", delay=1)
    server.configure("/missing", delay=1)
    ok = run("create", "logged-ok", check=0).stdout.strip()
    run("addfile", ok, server.url("/d.bin"), str(dest / "d.bin"), check=0)
    bad = run("create", "logged-404", check=0).stdout.strip()
    run("addfile", bad, server.url("/missing"), str(dest / "m.bin"), check=0)
    run("resume", ok, check=0)
    run("resume", bad, check=0)
    proc = start_openbitsd(run.store, stderr=subprocess.PIPE, text=True)
    wanted = ['%s "logged-ok": TRANSFERRED' % ok,
              '%s "logged-404": ERROR BG_E_HTTP_ERROR_404 (0x80190194)' % bad]
    log = ""
    try:  # read the log until both lines arrived (or 30 s passed)
        end = time.time() + 30
        while time.time() < end and not all(w in log for w in wanted):
            if select.select([proc.stderr], [], [], 1)[0]:
                log += proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        log += proc.communicate(timeout=20)[1]
    assert proc.returncode == 0, log
    assert all(w in log for w in wanted), log
    assert "serving" in log and "stopped" in log


URL_PASSWORD = "UrlPwLeak123"      # in the URLs' userinfo
JOB_PASSWORD = "JobPwLeak456"      # the job's credentials (setcredentials)
PROXY_PASSWORD = "ProxyPwLeak789"  # in a proxy list entry
REDIRECT_PASSWORD = "RedirPwLeak0"  # in a refused redirect's target


def with_userinfo(url, password, user="erin"):
    return url.replace("http://", "http://%s:%s@" % (user, password), 1)


def wait_state(run, job, wanted, seconds=30):
    end = time.time() + seconds
    state = None
    while time.time() < end:
        state = run("getstate", job).stdout.strip()
        if state == wanted:
            return state
        time.sleep(0.1)
    assert state == wanted, (job, state)


def test_passwords_are_never_printed(run, daemon, server, www, dest):
    """Issue 15: URLs with a password, job credentials and a proxy with a
    password; every command that prints a job, in every form, and the
    daemon's log, never show one (the user name and the rest do)."""
    passwords = (URL_PASSWORD, JOB_PASSWORD, PROXY_PASSWORD, REDIRECT_PASSWORD)
    make_file(www, "urlauth.bin", 3000)
    make_file(www, "both.bin", 3000)
    make_file(www, "target.bin", 10)
    server.configure("/urlauth.bin", basic_auth=["erin", URL_PASSWORD])
    server.configure("/both.bin", basic_auth=["erin", JOB_PASSWORD])
    redirect_to = with_userinfo(server.url("/target.bin"), REDIRECT_PASSWORD)
    server.configure("/moved.bin", redirect=redirect_to, redirect_status=302)
    # The URL's own credentials are what the transfer needs: kept for it.
    url_job = run("create", "url-credentials", check=0).stdout.strip()
    run("addfile", url_job, with_userinfo(server.url("/urlauth.bin"), URL_PASSWORD),
        str(dest / "urlauth.bin"), check=0)
    # The job's credentials win over the URL's (libcurl's CURLOPT_USERNAME).
    both = run("create", "both-credentials", check=0).stdout.strip()
    run("addfile", both, with_userinfo(server.url("/both.bin"), URL_PASSWORD),
        str(dest / "both.bin"), check=0)
    run("setcredentials", both, "SERVER", "BASIC", "erin", "-", input=JOB_PASSWORD + "\n",
        check=0)
    # A redirect to a URL with a password, refused: its error names it.
    refused = run("create", "refused-redirect", check=0).stdout.strip()
    run("addfile", refused, with_userinfo(server.url("/moved.bin"), URL_PASSWORD),
        str(dest / "moved.bin"), check=0)
    run("setsecurityflags", refused, "0x0200", check=0)  # BG_HTTP_REDIRECT_POLICY_DISALLOW
    # Never resumed: a proxy with a password and the job's credentials.
    idle = run("create", "idle", check=0).stdout.strip()
    run("addfile", idle, with_userinfo(server.url("/idle.bin"), URL_PASSWORD),
        str(dest / "idle.bin"), check=0)
    run("setproxysettings", idle, "OVERRIDE",
        "http://erin:%s@127.0.0.1:9 plain:3128" % PROXY_PASSWORD, "<local>", check=0)
    run("/setcredentials", idle, "PROXY", "BASIC", "erin", JOB_PASSWORD, check=0)
    for job in (url_job, both, refused):
        run("resume", job, check=0)
    wait_state(run, url_job, "TRANSFERRED")
    wait_state(run, both, "TRANSFERRED")
    wait_state(run, refused, "ERROR")

    outputs = []

    def shown(*args, check=0):
        p = run(*args, check=check)
        outputs.append((args, p.stdout + p.stderr))
        return p.stdout

    for fmt in ([], ["--json"]):
        for job in (url_job, both, refused, idle):
            shown(*fmt, "info", job)
            shown(*fmt, "info", job, "--verbose")
            shown(*fmt, "/info", job)
            shown(*fmt, "/info", job, "/verbose")
            shown(*fmt, "getstate", job)
        shown(*fmt, "list")
        shown(*fmt, "list", "--verbose")
        shown(*fmt, "list", "--all", "--verbose")
        shown(*fmt, "/list")
        shown(*fmt, "/list", "/allusers", "/verbose")
        shown(*fmt, "monitor", "--count", "1")
        shown(*fmt, "/monitor", "--count", "1")
        shown(*fmt, "geterror", refused)
        shown(*fmt, "/geterror", refused)
    # A refused URL is named (redacted) with libcurl's reason.
    shown("transfer", with_userinfo(server.url("/x.bin"), URL_PASSWORD + "@x"),
          str(dest / "x.bin"), check=2)
    # A transfer in the foreground, its progress and outcome.
    make_file(www, "fg.bin", 2000)
    server.configure("/fg.bin", basic_auth=["erin", URL_PASSWORD])
    shown("transfer", with_userinfo(server.url("/fg.bin"), URL_PASSWORD),
          str(dest / "fg.bin"), check=0)
    shown("--json", "transfer", with_userinfo(server.url("/fg.bin"), URL_PASSWORD),
          str(dest / "fg2.bin"), check=0)
    for job in (url_job, both):
        shown("complete", job)
    shown("cancel", refused)

    for args, text in outputs:
        for password in passwords:
            assert password not in text, (args, text)
    everything = "\n".join(text for _, text in outputs)
    # The URLs are shown, user name and all, with the password replaced.
    assert with_userinfo(server.url("/urlauth.bin"), "***") in everything
    assert with_userinfo(server.url("/target.bin"), "***") in everything  # the redirect
    assert "http://erin:***@127.0.0.1:9 plain:3128" in everything          # the proxies
    info = json.loads(run("--json", "info", idle, "--verbose", check=0).stdout)
    assert info["files"][0]["remote_name"] == with_userinfo(server.url("/idle.bin"), "***")
    # Where the transfer needs them, they were there.
    assert (dest / "urlauth.bin").exists() and (dest / "both.bin").exists()
    assert (dest / "fg.bin").exists()
    # The daemon ran those transfers; its log names jobs, never a password.
    with open(run.store + ".openbitsd.log") as f:
        log = f.read()
    assert '"url-credentials": TRANSFERRED' in log and '"refused-redirect": ERROR' in log, log
    for password in passwords:
        assert password not in log, log


def test_bash_completion(run):
    script = os.path.join(os.path.dirname(__file__), "..", "cli", "openbits.bash-completion")
    job = run("create", "completed", check=0).stdout.strip()

    def complete(*words):
        cmd = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
               '_openbits; printf "%s\\n" "${COMPREPLY[@]}"')
        env = dict(os.environ, PATH=os.path.dirname(CLI) + os.pathsep + os.environ["PATH"])
        p = subprocess.run(["bash", "-c", cmd, "bash", script, "openbits", *words],
                           capture_output=True, text=True, env=env, timeout=30)
        assert p.returncode == 0, p.stderr
        return p.stdout.split()
    assert set(complete("setp")) == {"setpriority", "setproxysettings"}
    assert "transfer" in complete("") and "--json" in complete("--")
    assert complete("--store", run.store, "getstate", "") == [job]
    assert complete("setpriority", job, "") == ["FOREGROUND", "HIGH", "NORMAL", "LOW"]
    assert complete("setcredentials", job, "SERVER", "N") == ["NTLM", "NEGOTIATE"]
    assert "time_slice_ms" in complete("setlimit", "")


def test_damaged_store_is_named_and_untouched(run):
    run("limits", check=0)  # creates the store
    db = os.path.join(run.store, "openbits.db")
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    with open(db, "wb") as f:
        f.write(b"this is not an SQLite database" * 100)
    before = open(db, "rb").read()
    p = run("list", check=5)
    assert "BG_E_DATABASE_CORRUPT (0x8020006C)" in p.stderr and db in p.stderr
    daemon = os.environ.get("OPENBITSD")
    if daemon:
        d = subprocess.run([daemon, "--store", run.store], capture_output=True, text=True,
                           timeout=30)
        assert d.returncode == 1 and db in d.stderr
    assert open(db, "rb").read() == before
