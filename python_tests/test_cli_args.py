"""The command line read strictly (issue 16): every option's spellings,
every usage error with its exact message and exit code, the default
DEST, -o/-d, -i files, and the bitsadmin spelling's /? and /help."""

import json
import os
import subprocess

import pytest

from conftest import make_file
from test_cli import CLI, run  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(not CLI, reason="OPENBITS_CLI not set")

TRANSFER_USAGE = "usage: openbits transfer [OPTIONS] URL [DEST] [URL [DEST]...]"


def cli(*args, cwd=None, input=None, timeout=60):
    return subprocess.run([CLI, *args], capture_output=True, text=True, cwd=cwd, input=input,
                          timeout=timeout)


# (arguments after --store, exit code, the first line of stderr, exactly).
# {dest}, {tmp} and {file} are filled in by the test.
BAD = [
    (["list", "--bogus"], 2, "openbits: list: unknown option --bogus"),
    (["info", "JOB", "--bogus"], 2, "openbits: info: unknown option --bogus"),
    (["list", "-x"], 2, "openbits: list: unknown option -x"),
    (["--bogus", "list"], 2, "openbits: unknown option --bogus"),
    (["-x", "list"], 2, "openbits: unknown option -x"),
    (["frobnicate"], 2, "openbits: unknown command 'frobnicate'"),
    (["resume", "--wait=1", "JOB"], 2, "openbits: resume: --wait takes no value"),
    (["transfer", "--name"], 2, "openbits: transfer: --name needs a value"),
    (["transfer", "-o"], 2, "openbits: transfer: -o needs a value"),
    (["transfer"], 2, "openbits: transfer: no URL given"),
    (["transfer", "--max-bandwidth", "5X", "http://h/a"], 2,
     "openbits: transfer: --max-bandwidth: '5X' is not a rate "
     "(bytes per second: 500k, 5M, 1.5MiB, 10MB/s)"),
    (["transfer", "--limit-rate=-1", "http://h/a"], 2,
     "openbits: transfer: --limit-rate: '-1' is not a rate "
     "(bytes per second: 500k, 5M, 1.5MiB, 10MB/s)"),
    (["transfer", "--priority", "urgent", "http://h/a"], 2,
     "openbits: transfer: --priority: 'urgent' is not a priority "
     "(FOREGROUND, HIGH, NORMAL, LOW or 0-3)"),
    (["transfer", "--retries", "x", "http://h/a"], 2,
     "openbits: transfer: --retries: 'x' is not a count (0, 1, 2, ... or unlimited)"),
    (["transfer", "--retry-delay", "5 min", "http://h/a"], 2,
     "openbits: transfer: --retry-delay: '5 min' is not a duration (90, 30s, 10m, 1h30m, 2d)"),
    (["transfer", "--no-progress-timeout=1m30", "http://h/a"], 2,
     "openbits: transfer: --no-progress-timeout: '1m30' is not a duration "
     "(90, 30s, 10m, 1h30m, 2d)"),
    (["transfer", "--timeout", "0", "http://h/a"], 2,
     "openbits: transfer: --timeout: must be at least 1s"),
    (["transfer", "-j", "65", "http://h/a"], 2,
     "openbits: transfer: -j: '65' is not a number from 1 to 64"),
    (["transfer", "--files-in-flight=0", "http://h/a"], 2,
     "openbits: transfer: --files-in-flight: '0' is not a number from 1 to 64"),
    (["transfer", "--progress=fancy", "http://h/a"], 2,
     "openbits: transfer: --progress: 'fancy' is not one of auto, bar, plain, none"),
    (["transfer", "htp://bad/url"], 2,
     "openbits: transfer: htp://bad/url: scheme \"htp\" is not supported (http, https and file "
     "are)"),
    (["transfer", "ftp://h/x"], 2,
     "openbits: transfer: ftp://h/x: scheme \"ftp\" is not supported (http, https and file are)"),
    (["transfer", "http://h:99999/x"], 2,
     "openbits: transfer: http://h:99999/x: Port number was not a decimal number between 0 and "
     "65535"),
    (["transfer", "http://a b/x"], 2, "openbits: transfer: http://a b/x: Bad hostname"),
    (["transfer", "http://u:secret@x@h/x"], 2,
     "openbits: transfer: http://***@h/x: Bad hostname"),
    (["transfer", "relative/path"], 2,
     "openbits: transfer: relative/path: not a URL (http://, https:// or file://) nor an "
     "absolute path"),
    (["transfer", "http://h/"], 2,
     "openbits: transfer: http://h/ gives no file name (its path ends with /): name one with -o "
     "or DEST"),
    (["transfer", "http://h/a/.."], 2,
     "openbits: transfer: http://h/a/.. gives no file name (its path ends with /): name one "
     "with -o or DEST"),
    (["transfer", "http://h/a%2Fb"], 2,
     "openbits: transfer: http://h/a%2Fb gives a file name holding '/' (%2F): name one with -o "
     "or DEST"),
    (["transfer", "http://h/a%00b"], 2,
     "openbits: transfer: http://h/a%00b gives a file name holding a NUL byte: name one with -o "
     "or DEST"),
    (["transfer", "http://h/a", "{tmp}/no/such/dir/a"], 2,
     "openbits: transfer: {tmp}/no/such/dir/a: directory {tmp}/no/such/dir: No such file or "
     "directory"),
    (["transfer", "http://h/a", "{file}/a"], 2,
     "openbits: transfer: {file}/a: {file} is not a directory"),
    (["transfer", "http://h/dl", "{tmp}"], 2,
     "openbits: transfer: {tmp}: {dest} exists as a directory"),
    (["transfer", "http://h/a", "{tmp}/nodir/"], 2,
     "openbits: transfer: {tmp}/nodir/: directory {tmp}/nodir: No such file or directory"),
    (["transfer", "-o", "x", "http://h/a", "http://h/b"], 2,
     "openbits: transfer: -o names one file, and 2 URLs were given (a DEST after each URL, or "
     "-d DIR, places several)"),
    (["transfer", "-o", "{dest}/x", "http://h/a", "{dest}/y"], 2,
     "openbits: transfer: both -o {dest}/x and DEST {dest}/y: give one"),
    (["transfer", "-d", "{tmp}/nodir", "http://h/a"], 2,
     "openbits: transfer: -d {tmp}/nodir: No such file or directory"),
    (["transfer", "http://h/a", "{dest}/same", "http://h/b", "{dest}/same"], 2,
     "openbits: transfer: two URLs would be saved as {dest}/same"),
    (["transfer", "-i", "{tmp}/missing.txt"], 2,
     "openbits: transfer: -i {tmp}/missing.txt: No such file or directory"),
    (["setpriority", "JOB", "bogus"], 2,
     "openbits: setpriority: 'bogus' is not a priority (FOREGROUND, HIGH, NORMAL, LOW or 0-3)"),
    (["setminretrydelay", "JOB", "soon"], 2,
     "openbits: setminretrydelay: 'soon' is not a number of seconds nor a duration "
     "(90, 30s, 10m, 1h30m, 2d)"),
    (["setmaxbandwidth", "JOB", "fast"], 2,
     "openbits: setmaxbandwidth: 'fast' is not a rate (bytes per second: 500k, 5M, 1.5MiB, 0)"),
    (["setnotifyflags", "JOB", "0xZ"], 2,
     "openbits: setnotifyflags: '0xZ' is not a number (decimal or 0x hexadecimal)"),
    (["setproxysettings", "JOB", "WPAD"], 2,
     "openbits: setproxysettings: 'WPAD' is not a proxy usage (PRECONFIG, NO_PROXY, OVERRIDE)"),
    (["setcredentials", "JOB", "BOTH", "BASIC", "u", "p"], 2,
     "openbits: setcredentials: 'BOTH' is not a target (SERVER or PROXY)"),
    (["removecredentials", "JOB", "SERVER", "KERBEROS"], 2,
     "openbits: removecredentials: 'KERBEROS' is not a scheme (BASIC, DIGEST, NTLM, NEGOTIATE)"),
    (["setlimit", "jobs", "many"], 2, "openbits: setlimit: 'many' is not a number"),
    (["setlimit", "colour", "1"], 2,
     "openbits: setlimit: unknown limit 'colour' (openbits limits lists them)"),
    (["monitor", "--count", "x"], 2, "openbits: monitor: --count: 'x' is not a count (1, 2, ...)"),
    (["monitor", "--refresh", "0"], 2, "openbits: monitor: --refresh: must be at least 1s"),
    (["getstate"], 2, "openbits: getstate: missing JOB (a GUID or a display name)"),
    (["getstate", "JOB", "extra"], 2, "openbits: getstate: unexpected argument 'extra'"),
    (["create"], 2, "openbits: create: missing argument"),
    (["/nosuchswitch"], 2, "openbits: unknown switch /nosuchswitch"),
    (["/upload", "x"], 2, "openbits: unknown switch /upload"),
    (["getstate", "nobody"], 5, "openbits: no job named nobody"),
    (["setpriority", "JOB", "9"], 5,
     "openbits: setpriority: BITS_E_NOTIMPL (0x80004001): Not implemented: the value is "
     "outside the allowed range or the operation does not apply to this job type."),
]


def test_bad_arguments_and_their_exact_messages(run, tmp_path, dest):
    run("create", "JOB", check=0)
    plain_file = tmp_path / "plain.txt"
    plain_file.write_text("x")
    (tmp_path / "dl").mkdir(exist_ok=True)
    fill = {"{tmp}": str(tmp_path), "{dest}": str(dest), "{file}": str(plain_file)}

    def filled(text):
        for k, v in fill.items():
            text = text.replace(k, v)
        return text
    failures = []
    for args, code, message in BAD:
        args = [filled(a) for a in args]
        p = run(*args)
        first = p.stderr.splitlines()[0] if p.stderr else ""
        if p.returncode != code or first != filled(message):
            failures.append((args, p.returncode, first, filled(message)))
        if code == 2 and args[0] not in ("--bogus", "-x", "frobnicate", "/nosuchswitch",
                                         "/upload"):
            assert "usage: openbits " + args[0] in p.stderr, (args, p.stderr)
        assert p.stdout == "", (args, p.stdout)
    assert failures == []
    # Nothing was created by any of them.
    assert [j["name"] for j in json.loads(run("--json", "list", check=0).stdout)] == ["JOB"]


def test_root_cannot_be_refused_a_directory_but_others_are(run, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write into any directory: 'not writable' cannot happen")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    p = run("transfer", "http://h/a", str(locked / "a"), check=2)
    assert "directory %s is not writable (Permission denied)" % locked in p.stderr


def test_option_spellings(run, server, www, dest, tmp_path):
    make_file(www, "o.bin", 3000)
    url = server.url("/o.bin")
    store = run.store
    for args in (["--store", store, "--json", "transfer", "--name", "a", url, str(dest / "1")],
                 ["--store=" + store, "--json", "transfer", "--name=b", url, str(dest / "2")],
                 ["--store=" + store, "transfer", "--json", "-n", "c", url, str(dest / "3")],
                 ["--store=" + store, "transfer", url, str(dest / "4"), "--json", "-qn", "d"],
                 ["--store=" + store, "-q", "--json", "transfer", "--limit-rate=1.5MiB", "-p",
                  "high", url, "-o", str(dest / "5")],
                 ["--store=" + store, "--json", "transfer", "--max-bandwidth", "10MB/s",
                  "--retries", "unlimited", "--retry-delay", "1m", "--no-progress-timeout", "1h",
                  "--timeout", "1h30m", "-j", "2", "-O", url, "-d", str(dest), "--", ]):
        p = cli(*args)
        assert p.returncode == 0, (args, p.stderr)
        assert json.loads(p.stdout)["exit"] == 0
    for name in ("1", "2", "3", "4", "5", "o.bin"):
        assert (dest / name).read_bytes() == (www / "o.bin").read_bytes()
    # Global options after the command; -q alone is an option, not a command.
    assert run("-q", "list", check=0).stderr == ""
    assert run("list", "-q", "--json", check=0).stdout.startswith("[")
    assert run("info", "a", check=5).returncode == 5  # completed: gone
    # Every command has --help and -h, on stdout, exit 0.
    for cmd in ("transfer", "status", "resume", "list", "monitor", "setlimit"):
        for flag in ("--help", "-h"):
            p = run(cmd, flag, check=0)
            assert p.stdout.startswith("usage: openbits " + cmd), p.stdout
    text = run("transfer", "--help", check=0).stdout
    for option in ("--output", "--remote-name", "--dir", "--input-file", "--files-in-flight",
                   "--continue", "--name", "--priority", "--max-bandwidth", "--retries",
                   "--retry-delay", "--no-progress-timeout", "--timeout", "--keep",
                   "--progress", "--verbose", "--quiet"):
        assert option in text, option
    man = open(os.path.join(os.path.dirname(__file__), "..", "docs", "openbits.1")).read()
    for option in ("output", "remote\\-name", "dir", "input\\-file", "files\\-in\\-flight",
                   "continue", "name", "priority", "max\\-bandwidth", "limit\\-rate", "retries",
                   "retry\\-delay", "no\\-progress\\-timeout", "timeout", "keep", "progress",
                   "store", "json", "quiet", "verbose", "wait", "all", "count", "refresh"):
        assert "\\fB\\-\\-%s\\fR" % option in man, option


def test_sizes_and_durations(run):
    job = run("create", "values", check=0).stdout.strip()

    def info():
        return json.loads(run("--json", "info", job, "--verbose", check=0).stdout)
    for text, value in (("100k", 102400), ("5M", 5 * 2**20), ("1.5MiB", 3 * 2**19),
                        ("10MB/s", 10_000_000), ("2kB", 2000), ("1G", 2**30), ("0x10", 16),
                        ("777", 777), ("0", 0)):
        run("setmaxbandwidth", job, text, check=0)
        assert info()["max_bandwidth"] == value, text
    for text, value in (("90", 90), ("30s", 30), ("10m", 600), ("1h30m", 5400),
                        ("1.5h", 5400), ("2d", 172800)):
        run("setminretrydelay", job, text, check=0)
        assert info()["minimum_retry_delay"] == value, text
    run("setlimit", "max_bandwidth", "5M", check=0)
    assert json.loads(run("--json", "limits", check=0).stdout)["max_bandwidth"] == 5 * 2**20


def test_default_dest_directories_and_output(run, server, www, dest, tmp_path):
    data = make_file(www, "name.bin", 2000)
    make_file(www, "sp ace.bin", 100)
    # No DEST: the URL's last segment, decoded, in the current directory.
    p = cli("--store", run.store, "transfer", server.url("/name.bin"),
            server.url("/sp%20ace.bin?query=1#frag"), cwd=str(dest))
    assert p.returncode == 0, p.stderr
    assert (dest / "name.bin").read_bytes() == data and (dest / "sp ace.bin").exists()
    # A directory as DEST: into it; a trailing / too; -d for those without DEST.
    sub = tmp_path / "sub"
    sub.mkdir()
    run("transfer", server.url("/name.bin"), str(sub), check=0)
    run("transfer", server.url("/name.bin"), str(sub) + "/", "-o", str(sub / "x"), check=2)
    other = tmp_path / "other"
    other.mkdir()
    run("transfer", "-d", str(other), server.url("/name.bin"), server.url("/sp%20ace.bin"),
        "renamed.bin", check=0)
    assert (sub / "name.bin").read_bytes() == data
    assert (other / "name.bin").exists() and (other / "renamed.bin").exists()
    run("transfer", "-o", str(other / "out.bin"), server.url("/name.bin"), check=0)
    assert (other / "out.bin").read_bytes() == data
    # A relative DEST with .. is resolved (the library wants no ".." in a path).
    p = cli("--store", run.store, "transfer", server.url("/name.bin"), "../other/dots.bin",
            cwd=str(sub))
    assert p.returncode == 0, p.stderr
    assert (other / "dots.bin").read_bytes() == data
    # addfile takes the same DEST rules.
    job = run("create", "add", check=0).stdout.strip()
    p = subprocess.run([CLI, "--store", run.store, "addfile", job, server.url("/name.bin")],
                       capture_output=True, text=True, cwd=str(sub), timeout=30)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == "", p
    info = json.loads(run("--json", "info", job, "--verbose", check=0).stdout)
    assert info["files"][0]["local_name"] == str(sub / "name.bin")
    assert "http://h/ gives no file name" in run("addfile", job, "http://h/", check=2).stderr


def test_input_file(run, server, www, dest, tmp_path):
    for n in ("i1", "i2", "i3"):
        make_file(www, n + ".bin", 500, seed=len(n))
    sub = tmp_path / "into"
    sub.mkdir()
    listing = tmp_path / "urls.txt"
    listing.write_text("# aria2c's input file\n\n%s\n%s\n  dir=%s\n  out=second.bin\n%s\n"
                       "\tout=third.bin\n" % (server.url("/i1.bin"), server.url("/i2.bin"), sub,
                                              server.url("/i3.bin")))
    p = cli("--store", run.store, "transfer", "-i", str(listing), server.url("/i1.bin"),
            "cmdline.bin", cwd=str(dest))
    assert p.returncode == 0, p.stderr
    assert (dest / "cmdline.bin").exists() and (dest / "i1.bin").exists()
    assert (sub / "second.bin").exists() and (dest / "third.bin").exists()
    # From standard input.
    p = cli("--store", run.store, "transfer", "-i", "-", "-d", str(sub), cwd=str(dest),
            input=server.url("/i3.bin") + "\n")
    assert p.returncode == 0, p.stderr
    assert (sub / "i3.bin").exists()
    bad = (("%s\t%s\n" % (server.url("/i1.bin"), server.url("/i2.bin")),
            "bad.txt:1: one URL a line (aria2c's mirrors, several URLs on a line, are not "
            "supported)"),
           ("  dir=/tmp\n", "bad.txt:1: an option line before any URL"),
           ("%s\n  checksum=sha-1=0\n" % server.url("/i1.bin"),
            "bad.txt:2: option 'checksum' is not supported (dir= and out= are)"),
           ("%s\n  out=\n" % server.url("/i1.bin"), "bad.txt:2: out= needs a value"),
           ("htp://x/y\n", "htp://x/y: scheme \"htp\" is not supported"))
    path = tmp_path / "bad.txt"
    for text, message in bad:
        path.write_text(text)
        p = cli("--store", run.store, "transfer", "-i", str(path), cwd=str(dest))
        assert p.returncode == 2 and message in p.stderr, (text, p.stderr)


def test_addfileset_lines_are_checked(run, server, tmp_path, dest):
    job = run("create", "set", check=0).stdout.strip()
    lines = tmp_path / "set.txt"
    lines.write_text("%s %s\nhtp://x/y %s\n" % (server.url("/a"), dest / "a", dest / "b"))
    p = run("addfileset", job, str(lines), check=2)
    assert "set.txt:2: htp://x/y: scheme \"htp\" is not supported" in p.stderr
    lines.write_text("%s %s\n" % (server.url("/a"), tmp_path / "none" / "a"))
    assert "set.txt:1: %s: directory %s: No such file" % (tmp_path / "none" / "a",
                                                         tmp_path / "none") in run(
        "addfileset", job, str(lines), check=2).stderr
    assert json.loads(run("--json", "info", job, check=0).stdout)["files_total"] == 0


def test_bitsadmin_help_and_messages(run):
    for switch in ("/?", "/help", "/HELP"):
        p = run(switch, check=0)
        assert p.stdout.startswith("usage: openbits") and "transfer" in p.stdout
    assert run("/setpriority", "/?", check=0).stdout.startswith("usage: openbits setpriority")
    assert run("/transfer", "/?", check=0).stdout.startswith("usage: openbits transfer")
    job = run("/create", "ba", check=0).stdout.strip()
    assert run("/setpriority", job, "HIGH", check=0).stdout == "setpriority: BITS_S_OK\n"
    assert run("setpriority", job, "HIGH", check=0).stdout == ""  # the default spelling
    assert run("/rawreturn", "/setpriority", job, "LOW", check=0).stdout == "BITS_S_OK\n"
    assert run("/setpriority", job, "bogus", check=2).stderr.startswith(
        "openbits: setpriority: 'bogus' is not a priority")
