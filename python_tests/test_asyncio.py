"""asyncio: await job.wait_async(), async for ev in job.events() (issue 17).

With event_fd=True the manager's descriptor is added to the running loop
(loop.add_reader) and the loop dispatches the events on its own thread:
no thread per job, no library thread, no polling. Several jobs and
managers share one loop. A cancelled wait (task.cancel(), wait_for's
timeout) leaves no subscription behind (checked with the hub's count and
weakrefs after gc) and later events reach nobody.
"""

import asyncio
import gc
import threading
import weakref

import pytest

import openbits
from openbits import EventKind, JobState, NotifyFlags

from conftest import make_file


def served_job(manager, server, www, dest, name, size=100_000, **behaviour):
    make_file(www, name, size)
    if behaviour:
        server.configure("/" + name, **behaviour)
    job = manager.create_job(name)
    job.add_file(server.url("/" + name), dest / name)
    return job


def slow_job(manager, server, www, dest, name="slow.bin"):
    return served_job(manager, server, www, dest, name, 4_000_000, rate=200_000)


class Subscriptions:
    """Weakrefs to every subscription a hub makes from now on."""

    def __init__(self, monkeypatch, hub):
        self.refs = []
        real = hub.subscribe_async

        def recording(*args, **kwargs):
            sub = real(*args, **kwargs)
            self.refs.append(weakref.ref(sub))
            return sub
        monkeypatch.setattr(hub, "subscribe_async", recording)

    def alive(self):
        gc.collect()
        return [r() for r in self.refs if r() is not None]


@pytest.fixture
def fd_manager():
    with openbits.Manager(in_memory=True, event_fd=True) as mgr:
        yield mgr


def test_wait_async_on_a_real_transfer(fd_manager, server, www, dest):
    job = served_job(fd_manager, server, www, dest, "a.bin")
    threads = set()

    async def main():
        called = asyncio.Event()  # set by the callback: it runs on this loop

        def cb(ev):
            threads.add(threading.get_ident())
            called.set()
        job.on_event(cb)
        job.resume()
        state = await job.wait_async(timeout=20)
        # The state may be read before its event is dispatched.
        await asyncio.wait_for(called.wait(), 10)
        return state, threading.get_ident()
    state, loop_thread = asyncio.run(main())
    assert state is JobState.TRANSFERRED
    assert threads == {loop_thread}  # the loop dispatched, nobody else
    job.complete()
    assert (dest / "a.bin").stat().st_size == 100_000
    job.on_event(None)


def test_events_in_order_then_the_end(fd_manager, server, www, dest):
    make_file(www, "one.bin", 150_000, seed=1)
    make_file(www, "two.bin", 20_000, seed=2)
    job = fd_manager.create_job("two files")
    job.add_files([(server.url("/one.bin"), dest / "one.bin"),
                   (server.url("/two.bin"), dest / "two.bin")])
    job.notify_flags = NotifyFlags.DISABLE  # events() does not depend on them

    async def main():
        seen = []
        async with job.events() as events:
            job.resume()
            async for ev in events:
                assert ev.job == job
                seen.append((ev.kind, ev.state,
                             ev.file.local_name if ev.file is not None else None))
                if ev.kind is EventKind.JOB_TRANSFERRED:
                    job.complete()  # the stream ends with ACKNOWLEDGED
        return seen
    seen = asyncio.run(main())
    states = [s for k, s, _ in seen if k is EventKind.JOB_MODIFICATION]
    for expected in (JobState.QUEUED, JobState.CONNECTING, JobState.TRANSFERRING):
        assert expected in states
    files = [f for k, _, f in seen if k is EventKind.FILE_TRANSFERRED]
    assert files == [str(dest / "one.bin"), str(dest / "two.bin")]
    kinds = [k for k, _, _ in seen]
    assert kinds.index(EventKind.JOB_TRANSFERRED) > max(
        i for i, k in enumerate(kinds) if k is EventKind.FILE_TRANSFERRED)
    assert seen[-1][:2] == (EventKind.JOB_MODIFICATION, JobState.ACKNOWLEDGED)
    assert fd_manager._hub.subscriptions() == 0


def test_several_jobs_and_managers_in_one_loop(server, www, dest, tmp_path):
    """Two fd managers (one on a store) and a manager with its
    notification thread, three jobs each, awaited together."""
    with openbits.Manager(tmp_path / "store", event_fd=True) as stored, \
            openbits.Manager(in_memory=True, event_fd=True) as memory, \
            openbits.Manager(in_memory=True) as threaded:
        jobs = []
        for n, mgr in enumerate((stored, memory, threaded)):
            for i in range(3):
                jobs.append(served_job(mgr, server, www, dest, "m%d-%d.bin" % (n, i),
                                       30_000 + 1000 * i))

        async def main():
            for job in jobs:
                job.resume()
            return await asyncio.gather(*(job.wait_async(timeout=30) for job in jobs))
        assert asyncio.run(main()) == [JobState.TRANSFERRED] * len(jobs)
        for job in jobs:
            job.complete()
        for mgr in (stored, memory, threaded):
            assert mgr._hub.subscriptions() == 0


@pytest.mark.parametrize("how", ["wait_for", "task.cancel", "events"])
@pytest.mark.parametrize("kind", ["fd", "thread"])
def test_cancelling_leaves_nothing_behind(how, kind, server, www, dest, monkeypatch):
    with openbits.Manager(in_memory=True, event_fd=kind == "fd") as mgr:
        job = slow_job(mgr, server, www, dest)
        job.minimum_notification_interval = 0  # progress events keep coming
        subs = Subscriptions(monkeypatch, mgr._hub)
        job_ref = weakref.ref(job)

        async def consume():
            async for ev in job.events():
                pass

        async def main():
            job.resume()
            if how == "wait_for":
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(job.wait_async(), 0.1)
            else:
                task = asyncio.ensure_future(consume() if how == "events" else job.wait_async())
                await asyncio.sleep(0.2)
                assert mgr._hub.subscriptions() == 1
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            assert mgr._hub.subscriptions() == 0
            # Later events (progress, a state change) reach no queue.
            delivered = mgr._hub.watch_calls
            job.suspend()
            await asyncio.sleep(0.3)
            assert mgr._hub.watch_calls > delivered
            assert all(not s.items for s in subs.alive())
        asyncio.run(main())
        assert len(subs.refs) == 1
        assert subs.alive() == []
        assert mgr._hub.subscriptions() == 0
        job.cancel()
        del job
        gc.collect()
        assert job_ref() is None  # no subscription kept the Job alive


def test_a_timeout_and_an_ended_job(fd_manager, server, www, dest):
    idle = fd_manager.create_job("idle")
    busy = slow_job(fd_manager, server, www, dest)

    async def main():
        with pytest.raises(TimeoutError, match="SUSPENDED"):
            await idle.wait_async(until=JobState.TRANSFERRED, timeout=0.1)
        busy.resume()
        waiting = asyncio.ensure_future(busy.wait_async(timeout=20))
        await asyncio.sleep(0.3)
        # Cancelled from another thread, as another program would.
        await asyncio.get_running_loop().run_in_executor(None, busy.cancel)
        with pytest.raises(openbits.JobEndedError) as info:
            await waiting
        assert info.value.state is JobState.CANCELLED
        # Already there: at once, without waiting.
        assert await busy.wait_async(until=JobState.CANCELLED, timeout=0) is JobState.CANCELLED
        events = [ev async for ev in busy.events()]  # a final job: an empty stream
        assert events == []
    asyncio.run(main())
    assert fd_manager._hub.subscriptions() == 0


def test_closing_the_manager_ends_waits_and_streams(server, www, dest):
    mgr = openbits.Manager(in_memory=True, event_fd=True)
    job = slow_job(mgr, server, www, dest)

    async def main():
        job.resume()
        waiting = asyncio.ensure_future(job.wait_async())
        streaming = asyncio.ensure_future(consume_all(job))
        await asyncio.sleep(0.3)
        mgr.close()  # on the loop's thread: the reader goes, then the handle
        with pytest.raises(openbits.InvalidStateError, match="closed"):
            await waiting
        await asyncio.wait_for(streaming, 5)
    asyncio.run(main())
    assert mgr._hub.subscriptions() == 0


async def consume_all(job):
    return [ev async for ev in job.events()]


def test_one_manager_across_loops(fd_manager, server, www, dest):
    """asyncio.run closes its loop; the next one gets the descriptor."""
    for i in range(3):
        job = served_job(fd_manager, server, www, dest, "r%d.bin" % i)

        async def main():
            job.resume()
            return await job.wait_async(timeout=20)
        assert asyncio.run(main()) is JobState.TRANSFERRED
        job.complete()


def test_a_loop_in_another_thread_dispatches_for_sync_waits(fd_manager, server, www, dest):
    """While a running loop in another thread has the descriptor, a sync
    wait() leaves the dispatching to it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="loop")
    thread.start()
    try:
        first = served_job(fd_manager, server, www, dest, "l1.bin")
        first.resume()
        assert asyncio.run_coroutine_threadsafe(first.wait_async(timeout=20),
                                                loop).result(30) is JobState.TRANSFERRED
        threads, called = [], threading.Event()

        def cb(ev):
            threads.append(threading.current_thread().name)
            called.set()
        second = served_job(fd_manager, server, www, dest, "l2.bin")
        second.on_event(cb)
        second.resume()
        assert second.wait(timeout=20) is JobState.TRANSFERRED
        assert called.wait(10)  # (the state may be read before the event is delivered)
        assert threads == ["loop"]
        second.on_event(None)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        fd_manager.close()
        loop.close()


def test_wait_async_needs_a_running_loop(fd_manager):
    job = fd_manager.create_job("no loop")
    with pytest.raises(RuntimeError):
        job.events()
    coro = job.wait_async()
    with pytest.raises(RuntimeError):
        coro.send(None)
    coro.close()
