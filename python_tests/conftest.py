"""Fixtures: stores, managers and the loopback test server."""

import ctypes
import fcntl
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "server"))

import openbits  # noqa: E402
from openbits_test_server import TestServer  # noqa: E402


@pytest.fixture
def store_dir(tmp_path):
    return str(tmp_path / "store")


@pytest.fixture
def manager():
    """An in-memory manager, closed after the test."""
    with openbits.Manager(in_memory=True) as mgr:
        yield mgr


@pytest.fixture
def www(tmp_path):
    path = tmp_path / "www"
    path.mkdir()
    return path


@pytest.fixture
def server(www):
    """The loopback HTTP server serving `www`, stopped after the test."""
    with TestServer(str(www)) as srv:
        yield srv


@pytest.fixture
def dest(tmp_path):
    path = tmp_path / "dl"
    path.mkdir()
    return path


def make_file(directory, name, size, seed=1):
    data = bytes((i * 131 + seed * 7) & 0xFF for i in range(size))
    (directory / name).write_bytes(data)
    return data


# Looked up here, in the parent: the forked child of a process with
# threads (the library's) must not dlopen or resolve symbols.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent():
    """preexec_fn: SIGTERM when the test process goes (PR_SET_PDEATHSIG), so
    pytest killed by its timeout leaves no daemon serving a deleted store."""
    _prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM


def engine_lock_held(store):
    """True when some process holds the store's engine lock (flock)."""
    try:
        fd = os.open(os.path.join(store, "engine.lock"), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def start_openbitsd(store, timeout=30, **popen_args):
    """openbitsd on `store`, returned once it serves it (holds the engine
    lock); it dies with the test process. Raises if it exits first."""
    binary = os.environ.get("OPENBITSD")
    if not binary:
        pytest.skip("OPENBITSD not set")
    proc = subprocess.Popen([binary, "--store", store], preexec_fn=_die_with_parent,
                            **popen_args)
    end = time.monotonic() + timeout
    while not engine_lock_held(store):
        if proc.poll() is not None:
            raise RuntimeError("openbitsd exited (%d) before it served %s"
                               % (proc.returncode, store))
        if time.monotonic() > end:
            proc.kill()
            proc.wait()
            raise RuntimeError("openbitsd did not take %s within %d s" % (store, timeout))
        time.sleep(0.01)
    return proc
