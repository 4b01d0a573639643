"""Event callbacks from the library's notification thread."""

import gc
import threading
import time
import weakref

import openbits
from openbits import EventKind, JobState

from conftest import make_file


def wait_for(predicate, timeout=10):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.01)
    return predicate()


def test_events_in_order_on_another_thread(manager, server, dest, www):
    make_file(www, "a.bin", 100_000)
    make_file(www, "b.bin", 1000)
    events, threads = [], set()

    def cb(ev):
        threads.add(threading.get_ident())
        assert ev.job.state in JobState  # calling back into the library works
        events.append((ev.kind, ev.state, ev.file.remote_name if ev.file else None))

    job = manager.create_job("events")
    job.notify_flags = (openbits.NotifyFlags.JOB_TRANSFERRED | openbits.NotifyFlags.JOB_MODIFICATION
                        | openbits.NotifyFlags.FILE_TRANSFERRED)
    job.minimum_notification_interval = 0
    job.on_event(cb)
    job.add_file(server.url("/a.bin"), str(dest / "a.bin"))
    job.add_file(server.url("/b.bin"), str(dest / "b.bin"))
    job.resume()
    assert wait_for(lambda: any(k is EventKind.JOB_TRANSFERRED for k, _, _ in events))
    job.on_event(None)
    assert threading.get_ident() not in threads
    kinds = [k for k, _, _ in events]
    files = [f for k, _, f in events if k is EventKind.FILE_TRANSFERRED]
    assert files == [server.url("/a.bin"), server.url("/b.bin")]
    assert kinds.index(EventKind.JOB_TRANSFERRED) > max(
        i for i, k in enumerate(kinds) if k is EventKind.FILE_TRANSFERRED)
    states = [s for k, s, _ in events if k is EventKind.JOB_MODIFICATION]
    for expected in (JobState.QUEUED, JobState.CONNECTING, JobState.TRANSFERRING):
        assert expected in states


def test_exception_in_callback_is_reported_not_fatal(manager, monkeypatch):
    seen = []
    monkeypatch.setattr("sys.unraisablehook", lambda info: seen.append(info.exc_type))

    def bad(ev):
        raise RuntimeError("boom")

    job = manager.create_job("raising")
    job.notify_flags = openbits.NotifyFlags.JOB_MODIFICATION
    job.on_event(bad)
    job.description = "trigger"
    assert wait_for(lambda: seen)
    assert seen[0] is RuntimeError
    job.on_event(None)
    assert job.state is JobState.SUSPENDED


def test_unregistering_drops_the_callable(manager):
    class Handler:
        def __call__(self, ev):
            pass

    job = manager.create_job("refs")
    handler = Handler()
    ref = weakref.ref(handler)
    job.on_event(handler)
    del handler
    gc.collect()
    assert ref() is not None  # kept alive while registered
    job.on_event(None)
    gc.collect()
    assert ref() is None


def test_manager_callback_and_reentrant_unregister(manager):
    got = []

    def cb(ev):
        got.append(ev.job.display_name)
        ev.job.on_event(None)  # unregistering from inside a callback works

    job = manager.create_job("mgr")
    job.notify_flags = openbits.NotifyFlags.JOB_MODIFICATION
    job.on_event(cb)
    manager.on_event(lambda ev: got.append("manager"))
    job.description = "x"
    assert wait_for(lambda: "mgr" in got and "manager" in got)
    manager.on_event(None)
