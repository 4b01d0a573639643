"""Job.wait stops when the job ends elsewhere.

A job that is ACKNOWLEDGED or CANCELLED never changes state again, so
wait() raises JobEndedError as soon as it sees one of those states that it
was not asked to wait for, instead of polling until the timeout (or
forever). The jobs are ended the ways that happen in practice: through a
second Manager on the same store (its watcher syncs within ~100 ms) and
from another thread, while wait() is running.
"""

import contextlib
import pickle
import threading
import time
import warnings

import pytest

import openbits
from openbits import JobState

from conftest import make_file

# Far above the ~100 ms the store needs to sync and the 0.3 s before the
# other side acts, far below the timeouts wait() is given.
PROMPT = 5.0


@contextlib.contextmanager
def meanwhile(action, delay=0.3):
    """Runs action() on another thread `delay` seconds in, while the body
    of the with block runs; afterwards re-raises what it raised. The
    result is in .result of the yielded object."""
    box = type("Box", (), {"result": None, "error": None})()

    def run():
        time.sleep(delay)
        try:
            box.result = action()
        except BaseException as e:  # reported on the test's thread
            box.error = e

    thread = threading.Thread(target=run, name="meanwhile")
    thread.start()
    try:
        yield box
    finally:
        thread.join(30)
    assert not thread.is_alive()
    if box.error is not None:
        raise box.error


def poll(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in %s s" % timeout
        time.sleep(0.02)


def slow_file(server, www, name, size=4_000_000):
    """A file the loopback server sends at 200 kB/s: 20 s for 4 MB."""
    make_file(www, name, size)
    server.configure("/" + name, rate=200_000)
    return server.url("/" + name)


def transferring_job(manager, server, www, dest):
    job = manager.create_job("slow")
    job.add_file(slow_file(server, www, "slow.bin"), str(dest / "slow.bin"))
    job.resume()
    assert job.wait(until=JobState.TRANSFERRING, timeout=20) is JobState.TRANSFERRING
    return job


def test_cancelled_through_another_manager(store_dir, server, www, dest):
    with openbits.Manager(store_dir) as mgr:
        job = transferring_job(mgr, server, www, dest)
        with openbits.Manager(store_dir) as other_mgr:
            other = other_mgr.get_job(job.id)
            started = time.monotonic()
            with meanwhile(other.cancel):
                with pytest.raises(openbits.JobEndedError) as info:
                    job.wait(timeout=10)
            elapsed = time.monotonic() - started
    assert info.value.state is JobState.CANCELLED
    assert elapsed < PROMPT
    assert job.state is JobState.CANCELLED


def test_completed_through_another_manager(store_dir, server, www, dest):
    # Two files: done.bin arrives, held.bin trickles in for 20 s, so the
    # job has transferred files but is not TRANSFERRED when the other
    # manager completes it, and the default wait() (TRANSFERRED or ERROR)
    # can only end through the new rule.
    data = make_file(www, "done.bin", 100_000, seed=3)
    held = slow_file(server, www, "held.bin")
    with openbits.Manager(store_dir) as mgr:
        job = mgr.create_job("partial")
        job.add_files([(server.url("/done.bin"), str(dest / "done.bin")),
                       (held, str(dest / "held.bin"))])
        job.resume()
        # (FileProgress.completed only turns true with Complete, as in BITS.)
        poll(lambda: job.progress.files_transferred == 1)
        with openbits.Manager(store_dir) as other_mgr:
            other = other_mgr.get_job(job.id)
            poll(lambda: other.progress.files_transferred == 1)  # the completing side knows
            assert job.state is not JobState.TRANSFERRED
            started = time.monotonic()
            with meanwhile(lambda: complete_recording_warnings(other)) as completing:
                with pytest.raises(openbits.JobEndedError) as info:
                    job.wait(timeout=10)
            elapsed = time.monotonic() - started
    assert info.value.state is JobState.ACKNOWLEDGED
    assert elapsed < PROMPT
    assert [(type(w), w.hresult) for w in completing.result] == [
        (openbits.BitsWarning, openbits.BG_S_PARTIAL_COMPLETE)]
    assert (dest / "done.bin").read_bytes() == data
    assert not (dest / "held.bin").exists()


def complete_recording_warnings(job):
    """job.complete(), returning the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert job.complete() is None
    return [w.message for w in caught]


def test_cancelled_from_another_thread(manager, server, www, dest):
    job = transferring_job(manager, server, www, dest)
    started = time.monotonic()
    with meanwhile(job.cancel):
        with pytest.raises(openbits.JobEndedError) as info:
            job.wait(timeout=10)
    assert time.monotonic() - started < PROMPT
    assert info.value.state is JobState.CANCELLED


def test_waiting_for_a_final_state_returns_it(manager, server, www, dest):
    job = transferring_job(manager, server, www, dest)
    with meanwhile(job.cancel):
        assert job.wait(until=JobState.CANCELLED, timeout=10) is JobState.CANCELLED
    # Already there: returned at once, also among other states.
    assert job.wait(until=JobState.CANCELLED, timeout=0) is JobState.CANCELLED
    assert job.wait(until=(JobState.TRANSFERRED, JobState.CANCELLED)) is JobState.CANCELLED


def test_an_ended_job_raises_at_once(manager):
    job = manager.create_job("idle")
    job.cancel()
    started = time.monotonic()
    with pytest.raises(openbits.JobEndedError) as info:
        job.wait(until=JobState.TRANSFERRED, timeout=10)
    assert time.monotonic() - started < 1
    assert info.value.state is JobState.CANCELLED
    assert info.value.awaited == (JobState.TRANSFERRED,)


def test_the_exception(manager):
    e = openbits.JobEndedError(JobState.ACKNOWLEDGED, [JobState.ERROR, JobState.TRANSFERRED])
    # An InvalidStateError (BG_E_INVALID_STATE), so code catching that or
    # BitsError keeps working; class_for still maps the code to its own class.
    assert isinstance(e, openbits.InvalidStateError) and isinstance(e, openbits.BitsError)
    assert openbits.class_for(0x80200002) is openbits.InvalidStateError
    assert (e.hresult, e.name) == (0x80200002, "BG_E_INVALID_STATE")
    assert e.state is JobState.ACKNOWLEDGED
    assert e.awaited == (JobState.ERROR, JobState.TRANSFERRED)
    assert "ended ACKNOWLEDGED" in str(e) and "ERROR or TRANSFERRED" in str(e)
    assert e.message.endswith(".")
    copy = pickle.loads(pickle.dumps(e))
    assert (type(copy), copy.state, copy.awaited, str(copy)) == (
        openbits.JobEndedError, e.state, e.awaited, str(e))
    assert "JobEndedError" in openbits.errors.__all__
