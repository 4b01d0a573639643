"""Events for waits and event streams: one _Hub per Manager.

The hub registers the manager's watch callback (C
bits_manager_set_watch_callback, experimental) the first time something
waits. The watch gets every event of every job whatever the job's notify
flags, so a wait never depends on the flags the application chose (and
never changes them). The hub hands each event to the subscriptions of
its job: a sync Job.wait() (a list of states and the hub's
threading.Condition) or an asyncio wait_async()/events() (a deque and a
future on the subscriber's loop).

Where events come from:
- a Manager opened normally: the library's notification thread runs the
  watch; asyncio subscribers are reached with loop.call_soon_threadsafe.
- a Manager opened with event_fd=True: nothing runs until something
  dispatches. An asyncio subscriber attaches the manager's descriptor to
  its running loop (loop.add_reader) and the loop dispatches there, on
  its own thread; the reader stays until the manager closes (or the loop
  does). A sync wait() with no other running loop attached dispatches
  itself: it polls the descriptor (and a pipe that close() writes to) for
  the time it may still wait and calls bits_manager_dispatch when it is
  readable. One thread dispatches at a time; the others wait on the
  Condition.

Nothing here polls on a timer: every wake-up is an event, a close, or a
timeout the caller asked for.
"""

import asyncio
import os
import select
import threading
import time
from collections import deque

from . import _openbits as _c
from .errors import class_for


def manager_closed_error():
    """What a wait raises once the manager is closed."""
    return class_for(_c.BG_E_INVALID_STATE)(
        None, "The manager of this job is closed: its state no longer changes in this process.")


class SyncWaiter:
    """A Job.wait(): the states of the job's events since it subscribed.
    Guarded by the hub's Condition."""

    sync = True

    def __init__(self, addr):
        self.addr = addr
        self.states = []


class AsyncSub:
    """A wait_async() or an events() stream on one loop. Everything but
    deliver() and end() runs on the loop's thread."""

    sync = False

    def __init__(self, hub, addr, loop, wants_events):
        self.hub = hub
        self.addr = addr
        self.loop = loop
        self.wants_events = wants_events
        self.items = deque()   # (state, Event or None), in order
        self.ended = False     # the manager closed: nothing more comes
        self.closed = False    # unsubscribed: drop what still arrives
        self._waiter = None    # the future next() awaits

    # -- any thread --------------------------------------------------------------
    def deliver(self, state, event):
        self._call(self._push, state, event)

    def end(self):
        self._call(self._end)

    def _call(self, fn, *args):
        # Always through the loop's queue, also from the loop's own
        # thread: deliveries made by other threads (a sync wait that
        # dispatched, the notification thread) may be queued there
        # already, and events must stay in order.
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            pass  # the loop is closed: nobody awaits on it any more

    # -- the loop's thread -------------------------------------------------------
    def _push(self, state, event):
        if not self.closed:
            self.items.append((state, event))
            self._wake()

    def _end(self):
        self.ended = True
        self._wake()

    def _wake(self):
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next(self, deadline=None):
        """Returns once an item is queued, the manager closed, or the
        loop's clock passed `deadline` (None: no limit)."""
        if self.items or self.ended:
            return
        waiter = self.loop.create_future()
        self._waiter = waiter
        timer = None
        if deadline is not None:
            timer = self.loop.call_at(deadline, self._wake)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def close(self):
        """Unsubscribes (idempotent); events still on their way are dropped."""
        if not self.closed:
            self.closed = True
            self.items.clear()
            self.hub.unsubscribe(self)


class Hub:
    """The event side of one Manager (see the module's docstring)."""

    def __init__(self, handle, fd_mode):
        self._h = handle
        self.fd_mode = fd_mode
        self.fd = _c.bits_manager_get_event_fd(handle)[1] if fd_mode else -1
        # Reentrant: a finalizer (EventStream.__del__ unsubscribing) may
        # run on a thread that holds it, whenever the garbage collector runs.
        self._cond = threading.Condition(threading.RLock())
        self._register_lock = threading.Lock()
        self._subs = {}                 # job address -> [subscriptions], in order
        self._watching = False
        self._closing = False           # close() began: no new dispatcher, no registration
        self.closed = False             # close() ended: the handle is gone
        self._loop = None               # the loop the descriptor is attached to
        self._self_dispatching = False  # a sync wait() dispatches (fd mode)
        self._wake_r = self._wake_w = -1
        if fd_mode:
            self._wake_r, self._wake_w = os.pipe()  # non-inheritable
        self._tls = threading.local()
        self.watch_calls = 0            # events the watch delivered (tests count wake-ups)

    # -- callbacks of this manager -------------------------------------------------
    def in_callback(self):
        """True on a thread that runs one of this manager's callbacks:
        blocking there would hold up the events being waited for."""
        return getattr(self._tls, "depth", 0) > 0

    def enter_callback(self):
        self._tls.depth = getattr(self._tls, "depth", 0) + 1

    def leave_callback(self):
        self._tls.depth -= 1

    def _on_watch(self, kind, state, error_code, job, file):
        """The watch callback: where the manager's callbacks run."""
        self.enter_callback()
        try:
            addr = _c.openbits_handle_address(job)
            with self._cond:
                self.watch_calls += 1
                subs = tuple(self._subs.get(addr, ()))
                woke = False
                for sub in subs:
                    if sub.sync:
                        sub.states.append(state)
                        woke = True
                if woke:
                    self._cond.notify_all()
            streams = [s for s in subs if not s.sync]
            if not streams:
                return
            event = None
            if any(s.wants_events for s in streams):
                from .job import _make_event
                event = _make_event(kind, state, error_code, job, file, self)
            for sub in streams:
                sub.deliver(state, event if sub.wants_events else None)
        finally:
            self.leave_callback()

    # -- subscriptions ---------------------------------------------------------------
    def _ensure_watch(self):
        if self._watching:
            return
        with self._register_lock:
            if self._watching:
                return
            if self._closing:
                raise manager_closed_error()
            _c.openbits_set_watch_callback(self._h, self._on_watch)
            self._watching = True

    def _add(self, sub):
        self._ensure_watch()
        with self._cond:
            if self._closing:
                raise manager_closed_error()
            self._subs.setdefault(sub.addr, []).append(sub)
        return sub

    def subscribe_sync(self, addr):
        return self._add(SyncWaiter(addr))

    def subscribe_async(self, addr, wants_events):
        """On the running loop's thread: a subscription whose events come
        to that loop; in fd mode the descriptor is attached to it."""
        loop = asyncio.get_running_loop()
        sub = self._add(AsyncSub(self, addr, loop, wants_events))
        if self.fd_mode:
            try:
                self._attach(loop)
            except BaseException:
                sub.close()
                raise
        return sub

    def unsubscribe(self, sub):
        with self._cond:
            subs = self._subs.get(sub.addr)
            if subs is not None and sub in subs:
                subs.remove(sub)
                if not subs:
                    del self._subs[sub.addr]

    def subscriptions(self):
        """How many subscriptions are open (tests check nothing leaks)."""
        with self._cond:
            return sum(len(s) for s in self._subs.values())

    # -- sync waits --------------------------------------------------------------------
    def block(self, waiter, deadline):
        """Returns once `waiter` has states to look at, the manager
        closed, or time.monotonic() passed `deadline` (None: no limit)."""
        with self._cond:
            while not waiter.states and not self.closed:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return
                if (self.fd_mode and not self._closing and not self._self_dispatching
                        and self._may_self_dispatch()):
                    self._self_dispatching = True
                    self._cond.release()
                    try:
                        self._dispatch_when_due(remaining)
                    finally:
                        self._cond.acquire()
                        self._self_dispatching = False
                        self._cond.notify_all()  # another waiter may take over
                else:
                    self._cond.wait(remaining)

    def _may_self_dispatch(self):
        """Fd mode: a sync waiter dispatches unless a running loop in
        another thread has the descriptor."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return True
        try:
            return asyncio.get_running_loop() is loop
        except RuntimeError:
            return False

    def _dispatch_when_due(self, timeout):
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        ms = None if timeout is None else max(0, int(timeout * 1000 + 0.999))
        ready = {fd for fd, _ in poller.poll(ms)}
        if self.fd in ready and not self._closing:
            _c.bits_manager_dispatch(self._h)

    # -- asyncio (fd mode) -----------------------------------------------------------
    def _attach(self, loop):
        """Has `loop` (running, on this thread) dispatch the manager's
        events: add_reader on the descriptor. A descriptor attached to
        another loop moves unless that loop is running (then it keeps
        dispatching and hands events over with call_soon_threadsafe)."""
        with self._cond:
            old = self._loop
            if old is loop:
                return
            if old is not None and not old.is_closed():
                if old.is_running():
                    return
                old.remove_reader(self.fd)
            if self._closing:
                raise manager_closed_error()
            self._loop = loop
        loop.add_reader(self.fd, self._on_readable)

    def _on_readable(self):
        if self._h is not None:
            _c.bits_manager_dispatch(self._h)

    def _detach(self):
        with self._cond:
            loop, self._loop = self._loop, None
        if loop is None or loop.is_closed():
            return
        try:
            mine = asyncio.get_running_loop() is loop
        except RuntimeError:
            mine = False
        if mine or not loop.is_running():
            loop.remove_reader(self.fd)
            return
        # The loop runs in another thread: the reader goes there, and
        # close() goes on only afterwards (the handle must not be
        # dispatched once it is closed).
        done = threading.Event()

        def remove():
            try:
                loop.remove_reader(self.fd)
            finally:
                done.set()
        try:
            loop.call_soon_threadsafe(remove)
        except RuntimeError:
            return  # closed meanwhile
        done.wait()

    # -- close --------------------------------------------------------------------------
    def close_begin(self):
        """Before bits_manager_close: no new registration or dispatcher,
        the running one is out, the loop let go of the descriptor."""
        with self._register_lock:
            with self._cond:
                self._closing = True
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        with self._cond:
            while self._self_dispatching:
                self._cond.wait()
        self._detach()

    def close_end(self):
        """After bits_manager_close (which delivered what was queued):
        every wait wakes up and finds the manager closed."""
        with self._cond:
            self.closed = True
            self._h = None
            streams = [s for subs in self._subs.values() for s in subs if not s.sync]
            self._cond.notify_all()
        for sub in streams:
            sub.end()
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._wake_r = self._wake_w = -1
