"""The Python examples (examples/python) run against the loopback server.

python_mypy checks them with mypy --strict; here they must also work."""

import os
import subprocess
import sys

from conftest import make_file

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "python")


def run(name, *args):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_download(server, www, dest):
    one = make_file(www, "one.bin", 200_000, seed=1)
    two = make_file(www, "two.bin", 3000, seed=2)
    done = run("download.py", server.url("/one.bin"), dest / "one.bin",
               server.url("/two.bin"), dest / "two.bin")
    assert done.returncode == 0, done.stderr
    assert (dest / "one.bin").read_bytes() == one and (dest / "two.bin").read_bytes() == two
    assert "200000 bytes" in done.stdout
    failed = run("download.py", server.url("/missing.bin"), dest / "missing.bin")
    assert failed.returncode == 2 and "BG_E_HTTP_ERROR_404" in failed.stderr
    assert not (dest / "missing.bin").exists()


def test_asyncio_download(server, www, dest):
    files = {"a%d.bin" % i: make_file(www, "a%d.bin" % i, 50_000 + i, seed=i) for i in range(3)}
    args = []
    for name in files:
        args += [server.url("/" + name), dest / name]
    done = run("asyncio_download.py", *args)
    assert done.returncode == 0, done.stderr
    for name, data in files.items():
        assert (dest / name).read_bytes() == data
        assert "%s: done" % name in done.stdout
        assert "%s: TRANSFERRING" % name in done.stdout
    server.configure("/stuck.bin", delay=30)
    stuck = run("asyncio_download.py", "--timeout", "0.5", server.url("/stuck.bin"),
                dest / "stuck.bin")
    assert stuck.returncode == 2 and "stuck.bin: timed out" in stuck.stderr
