"""Many Python threads on one manager; objects collected in any order;
interpreter exit with everything still open; unregistering a callback
while it runs."""

import gc
import os
import subprocess
import sys
import threading
import time

import pytest

import openbits
from openbits import JobState

from conftest import make_file


def test_many_threads_on_one_manager(manager, tmp_path):
    errors, per_thread = [], 15

    def worker(n):
        try:
            for i in range(per_thread):
                job = manager.create_job("t%d-%d" % (n, i))
                job.description = "thread %d" % n
                job.priority = openbits.Priority.LOW
                job.add_file("http://127.0.0.1:9/x", str(tmp_path / ("t%d-%d" % (n, i))))
                assert job.state is JobState.SUSPENDED
                assert any(j.id == job.id for j in manager.jobs())
                if i % 2:
                    job.cancel()
        except Exception as e:  # reported below, with the thread's number
            errors.append((n, e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    left = manager.jobs()
    assert len(left) == 8 * (per_thread - per_thread // 2)
    assert {j.description for j in left} == {"thread %d" % n for n in range(8)}


def test_jobs_and_files_outlive_their_manager(tmp_path):
    mgr = openbits.Manager(in_memory=True)
    job = mgr.create_job("survivor")
    job.add_file("http://127.0.0.1:9/x", str(tmp_path / "x"))
    (f,) = job.files
    del mgr
    gc.collect()  # the manager object is gone: its handle closed
    assert job.state is JobState.SUSPENDED
    assert job.display_name == "survivor"
    assert f.remote_name == "http://127.0.0.1:9/x"
    with pytest.raises(openbits.InvalidStateError):
        job.resume()
    del job
    gc.collect()
    assert f.local_name == str(tmp_path / "x")  # the file holds its own reference


def test_any_collection_order(tmp_path):
    for order in ("job-first", "manager-first", "file-first"):
        mgr = openbits.Manager(in_memory=True)
        job = mgr.create_job(order)
        job.add_file("http://127.0.0.1:9/x", str(tmp_path / order))
        objs = {"manager": mgr, "job": job, "file": job.files[0]}
        del mgr, job
        first = order.split("-")[0]
        for name in [first] + [n for n in objs if n != first]:
            del objs[name]
            gc.collect()


def test_interpreter_exit_with_everything_open(tmp_path, www, server):
    """A script that leaves a manager, jobs, a transfer in flight and a
    callback registered, and simply exits: no crash, no hang."""
    make_file(www, "big.bin", 4 << 20)
    script = """
import time
import openbits
mgr = openbits.Manager(%r)
job = mgr.create_job("left open")
job.add_file(%r, %r)
job.max_bandwidth = 1 << 20
job.on_event(lambda ev: None)
mgr.on_event(lambda ev: None)
job.resume()
while job.progress.bytes_transferred == 0:
    time.sleep(0.01)
print("exiting", job.state.name, flush=True)
""" % (str(tmp_path / "store"), server.url("/big.bin"), str(tmp_path / "big.bin"))
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "exiting TRANSFERRING\n"
    # The job is in the store as it was left, ready to go on.
    with openbits.Manager(str(tmp_path / "store")) as mgr:
        (job,) = mgr.jobs()
        assert job.display_name == "left open"
        job.cancel()


def test_unregister_waits_for_a_running_callback(manager, tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 5000)
    running, done, calls = threading.Event(), threading.Event(), []

    def slow(ev):
        calls.append(ev.kind)
        running.set()
        time.sleep(0.5)
        done.set()

    job = manager.create_job("unregister")
    job.add_file(str(src), str(tmp_path / "dst.bin"))
    job.on_event(slow)
    job.resume()
    assert running.wait(20)
    job.on_event(None)      # returns only after the running callback did
    assert done.is_set()
    n = len(calls)
    time.sleep(0.3)
    assert len(calls) == n  # and none after
    job.cancel()
