"""Job.wait wakes on events, never on a timer (issue 17).

The manager's watch (C bits_manager_set_watch_callback) reports every
state change of every job whatever its notify flags; Job.wait sleeps on
a threading.Condition that the watch notifies. "No polling" is checked by
counting, not timing: how often the waiting thread reads the state,
against how many events the watch delivered. Every state can be awaited,
with the notification thread, and with event_fd=True, where the waiting
thread dispatches the manager's events itself.
"""

import asyncio
import select
import threading
import time

import pytest

import openbits
from openbits import JobState, NotifyFlags
from openbits import _openbits as _c

from conftest import make_file


@pytest.fixture
def fd_manager():
    """An in-memory manager with event_fd=True (no notification thread)."""
    with openbits.Manager(in_memory=True, event_fd=True) as mgr:
        yield mgr


class StateReads:
    """Counts bits_job_get_state calls made by one thread."""

    def __init__(self, monkeypatch, thread_name):
        self.count = 0
        real = _c.bits_job_get_state

        def counted(handle):
            if threading.current_thread().name == thread_name:
                self.count += 1
            return real(handle)
        monkeypatch.setattr(_c, "bits_job_get_state", counted)


def in_thread(fn, name="waiter"):
    """Runs fn() on a thread named `name`; join() returns its result or
    raises what it raised."""
    box = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as e:  # handed to the test's thread
            box["error"] = e
    t = threading.Thread(target=run, name=name)
    t.start()

    def join(timeout=30):
        t.join(timeout)
        assert not t.is_alive(), "the waiting thread did not return"
        if "error" in box:
            raise box["error"]
        return box.get("result")
    return join


def slow_job(manager, server, www, dest, name="slow.bin"):
    """A job whose only file comes at 200 kB/s (20 s), transferring."""
    make_file(www, name, 4_000_000)
    server.configure("/" + name, rate=200_000)
    job = manager.create_job(name)
    job.add_file(server.url("/" + name), dest / name)
    return job


@pytest.mark.parametrize("kind", ["thread", "fd"])
def test_an_idle_wait_reads_the_state_three_times(kind, manager, fd_manager, monkeypatch):
    """No event, no wake-up: the state is read once before subscribing,
    once after, then the thread sleeps until the timeout and reads it a
    last time (polling every 20 ms would read it ~25 times)."""
    mgr = manager if kind == "thread" else fd_manager
    job = mgr.create_job("idle")
    reads = StateReads(monkeypatch, "waiter")
    join = in_thread(lambda: job.wait(until=JobState.TRANSFERRED, timeout=0.5))
    with pytest.raises(TimeoutError):
        join()
    assert reads.count == 3


@pytest.mark.parametrize("kind", ["thread", "fd"])
def test_a_wait_wakes_once_per_event(kind, manager, fd_manager, server, www, dest, monkeypatch):
    """A job cancelled from another thread 0.5 s into a transfer: the
    waiter read the state once per event the watch delivered for it (its
    state changes, a progress event or two), plus the two reads of the
    start, and raised JobEndedError at once."""
    mgr = manager if kind == "thread" else fd_manager
    job = slow_job(mgr, server, www, dest)
    job.minimum_notification_interval = 60_000  # few progress events
    job.resume()
    hub = mgr._hub
    reads = StateReads(monkeypatch, "waiter")
    before = hub.watch_calls
    join = in_thread(lambda: job.wait(until=JobState.TRANSFERRED, timeout=20))
    time.sleep(0.5)
    job.cancel()
    started = time.monotonic()
    with pytest.raises(openbits.JobEndedError) as info:
        join()
    assert time.monotonic() - started < 5
    assert info.value.state is JobState.CANCELLED
    delivered = hub.watch_calls - before  # every job of the manager: only this one here
    assert 2 < reads.count <= 2 + delivered
    assert reads.count < 12


def test_notify_flags_do_not_matter_and_are_left_alone(manager, server, www, dest):
    job = slow_job(manager, server, www, dest)
    job.notify_flags = NotifyFlags.DISABLE
    job.resume()
    assert job.wait(until=JobState.TRANSFERRING, timeout=20) is JobState.TRANSFERRING
    join = in_thread(lambda: job.wait(timeout=20))
    time.sleep(0.3)
    job.cancel()
    with pytest.raises(openbits.JobEndedError):
        join()
    assert job.notify_flags == NotifyFlags.DISABLE


# ---- every state, awaited before the job gets there ------------------------------------------

def _file(manager, server, www, dest, name, size=200_000, **behaviour):
    make_file(www, name, size)
    if behaviour:
        server.configure("/" + name, **behaviour)
    job = manager.create_job(name)
    job.add_file(server.url("/" + name), dest / name)
    return job


def scenario(state, manager, server, www, dest):
    """(job, action): `action()` brings `job` into `state` (for a moment
    at least) from where it is now."""
    if state is JobState.SUSPENDED:
        job = slow_job(manager, server, www, dest)
        job.resume()
        return job, job.suspend
    if state is JobState.QUEUED:
        job = _file(manager, server, www, dest, "q.bin")
        return job, job.resume  # QUEUED, then at once CONNECTING
    if state is JobState.CONNECTING:
        job = _file(manager, server, www, dest, "c.bin", delay=3)
        return job, job.resume
    if state is JobState.TRANSFERRING:
        job = slow_job(manager, server, www, dest)
        return job, job.resume
    if state is JobState.ERROR:
        job = manager.create_job("404")
        job.add_file(server.url("/missing.bin"), dest / "missing.bin")
        return job, job.resume
    if state is JobState.TRANSIENT_ERROR:
        job = _file(manager, server, www, dest, "busy.bin", statuses=[503])
        return job, job.resume
    if state is JobState.TRANSFERRED:
        job = _file(manager, server, www, dest, "t.bin")
        return job, job.resume
    if state is JobState.ACKNOWLEDGED:
        job = _file(manager, server, www, dest, "a.bin")
        job.resume()
        job.wait(timeout=20)
        return job, job.complete
    if state is JobState.CANCELLED:
        job = _file(manager, server, www, dest, "x.bin")
        return job, job.cancel
    raise AssertionError(state)


@pytest.mark.parametrize("mode", ["thread", "fd", "asyncio"])
@pytest.mark.parametrize("state", list(JobState), ids=lambda s: s.name)
def test_every_state_can_be_awaited(state, mode, server, www, dest):
    with openbits.Manager(in_memory=True, event_fd=mode != "thread") as mgr:
        job, action = scenario(state, mgr, server, www, dest)
        if mode == "asyncio":
            async def main():
                waiting = asyncio.ensure_future(job.wait_async(until=state, timeout=20))
                await asyncio.sleep(0.1)  # subscribed, asleep
                assert not waiting.done()
                action()
                return await waiting
            assert asyncio.run(main()) is state
        else:
            join = in_thread(lambda: job.wait(until=state, timeout=20))
            time.sleep(0.1)
            action()
            assert join() is state
        if state not in (JobState.ACKNOWLEDGED, JobState.CANCELLED):
            job.cancel()


# ---- event_fd=True: the waiting thread dispatches ---------------------------------------------

def test_fd_wait_runs_the_callbacks_on_the_waiting_thread(fd_manager, server, www, dest):
    job = _file(fd_manager, server, www, dest, "fd.bin")
    threads = []
    job.on_event(lambda ev: threads.append((ev.kind, threading.get_ident())))
    job.resume()
    assert job.wait(timeout=20) is JobState.TRANSFERRED
    # The state may be read before its event is dispatched: go on
    # dispatching here, on the same thread, until it was.
    poller = select.poll()
    poller.register(fd_manager.event_fd, select.POLLIN)
    while not threads and poller.poll(10_000):
        fd_manager.dispatch()
    assert threads == [(openbits.EventKind.JOB_TRANSFERRED, threading.get_ident())]
    job.on_event(None)


def test_fd_waits_on_two_threads_hand_the_dispatching_over(fd_manager, server, www, dest):
    """One thread dispatches, the other sleeps on the Condition; when the
    first returns, the second takes over and still hears its job."""
    quick = _file(fd_manager, server, www, dest, "quick.bin")
    slow = slow_job(fd_manager, server, www, dest)
    slow_join = in_thread(lambda: slow.wait(until=JobState.CANCELLED, timeout=20), "slow")
    quick.resume()
    assert quick.wait(timeout=20) is JobState.TRANSFERRED
    slow.resume()
    time.sleep(0.3)
    slow.cancel()
    assert slow_join() is JobState.CANCELLED


def test_wait_inside_a_callback_is_refused(manager):
    """The notification thread would wait for itself."""
    job = manager.create_job("self")
    job.notify_flags = NotifyFlags.JOB_MODIFICATION
    seen = []
    done = threading.Event()

    def cb(ev):
        try:
            ev.job.wait(until=JobState.TRANSFERRED, timeout=1)
        except RuntimeError as e:
            seen.append(e)
        finally:
            done.set()
    job.on_event(cb)
    job.description = "go"
    assert done.wait(10)
    job.on_event(None)
    assert len(seen) == 1 and "callback" in str(seen[0])
    # A state already reached is returned, even there: nothing to block on.


@pytest.mark.parametrize("kind", ["thread", "fd"])
def test_closing_the_manager_ends_a_wait(kind, server, www, dest):
    mgr = openbits.Manager(in_memory=True, event_fd=kind == "fd")
    job = slow_job(mgr, server, www, dest)
    job.resume()
    join = in_thread(lambda: job.wait(timeout=20))
    time.sleep(0.3)
    started = time.monotonic()
    mgr.close()
    with pytest.raises(openbits.InvalidStateError) as info:
        join()
    assert time.monotonic() - started < 5
    assert "closed" in str(info.value)
    with pytest.raises(openbits.InvalidStateError):
        job.wait(timeout=1)
    assert mgr._hub.subscriptions() == 0


def test_an_event_from_before_the_wait_is_no_news(fd_manager, server, www, dest):
    """With event_fd=True nothing is delivered until someone dispatches,
    so an ERROR event can still be queued when the job was repaired and
    resumed: the next wait must not return ERROR for it."""
    job = fd_manager.create_job("repaired")
    job.add_file(server.url("/missing.bin"), dest / "fixed.bin")
    with pytest.raises(TimeoutError):
        job.wait(until=JobState.CANCELLED, timeout=0)  # the watch is registered
    job.resume()
    deadline = time.monotonic() + 30
    while job.state is not JobState.ERROR:  # nobody dispatches meanwhile
        assert time.monotonic() < deadline
        time.sleep(0.01)
    make_file(www, "fixed.bin", 4_000_000)
    server.configure("/fixed.bin", rate=200_000)
    (f,) = job.files
    f.remote_name = server.url("/fixed.bin")
    job.resume()
    while job.state is not JobState.TRANSFERRING:  # still nobody dispatches
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # Queued: ... JOB_ERROR (ERROR), QUEUED, CONNECTING, TRANSFERRING.
    with pytest.raises(TimeoutError, match="TRANSFERRING"):
        job.wait(timeout=0.5)  # TRANSFERRED or ERROR: neither, whatever was queued
    assert job.state is JobState.TRANSFERRING
    job.cancel()
