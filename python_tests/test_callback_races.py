"""Event callbacks registered, replaced and removed from several threads:
the callable the library may call is alive, and dropped once the library
says it can no longer run (event.h: replacing or removing a callback, and
bits_manager_close, return only after a running call returned).

The interleavings are forced, not hoped for:
- a test hook wraps the low-level setter (openbits._openbits.
  openbits_set_job_callback or openbits_set_manager_callback, which
  Job.on_event and Manager.on_event call) and holds one thread at a
  barrier just before its registration reaches the library, while
  another thread's registration goes through first;
- a callback blocks on an event, holding the notification thread inside
  it, while another thread replaces or removes it, or closes the manager.
Lifetimes are read through weakrefs after gc.collect(). The ASan build
runs this file too.
"""

import gc
import threading
import time
import weakref

import pytest

import openbits
from openbits import EventKind, NotifyFlags
from openbits import _openbits as _c

TIMEOUT = 20


def wait_for(predicate, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.005)
    return predicate()


def eventful_job(manager, name):
    """A job whose property changes each raise JOB_MODIFICATION at once."""
    job = manager.create_job(name)
    job.notify_flags = NotifyFlags.JOB_MODIFICATION
    job.minimum_notification_interval = 0
    return job


def poke(job):
    """Raises one event: a property change."""
    job.description = "poke %f" % time.monotonic()


class Gate:
    """The test hook: holds the thread named `name` inside `setter_name`
    just before the real setter runs, until open() is called."""

    def __init__(self, monkeypatch, setter_name, name):
        self.real = getattr(_c, setter_name)
        self.name = name
        self.inside, self.go = threading.Event(), threading.Event()
        monkeypatch.setattr(_c, setter_name, self.hooked)

    def hooked(self, handle, fn):
        if threading.current_thread().name == self.name:
            self.inside.set()
            assert self.go.wait(TIMEOUT)
        return self.real(handle, fn)


SETTERS = {"job": "openbits_set_job_callback", "manager": "openbits_set_manager_callback"}


@pytest.mark.parametrize("owner", ["job", "manager"])
def test_a_registration_reaching_the_library_last_keeps_its_callable(manager, monkeypatch, owner):
    """Thread A registers f while the main thread removes the callback;
    the hook lets the removal reach the library first. The library then
    holds f (A's call came last), so f must stay alive and be called.
    (The old Python layer had already dropped f: removing popped the
    entry A had put in its dict before calling C, so the library held a
    freed callable: the SEGV in openbits_py_trampoline.)"""
    job = eventful_job(manager, "last wins")
    target = job if owner == "job" else manager
    gate = Gate(monkeypatch, SETTERS[owner], "A")
    calls = []

    def f(ev):
        calls.append(ev.kind)

    ref = weakref.ref(f)
    a = threading.Thread(target=target.on_event, args=(f,), name="A")
    del f
    a.start()
    assert gate.inside.wait(TIMEOUT)
    target.on_event(None)     # reaches the library before A's registration
    gate.go.set()
    a.join(TIMEOUT)
    assert not a.is_alive()
    gc.collect()
    assert ref() is not None, "the library holds a callable Python has freed"
    poke(job)
    assert wait_for(lambda: calls), "the registration that came last is not in place"
    target.on_event(None)
    gc.collect()
    assert ref() is None, "the callable outlived its removal"


@pytest.mark.parametrize("owner", ["job", "manager"])
def test_a_removal_reaching_the_library_last_drops_the_callable(manager, monkeypatch, owner):
    """The other order: A's removal is held until the main thread's
    registration went through, then removes it."""
    job = eventful_job(manager, "removal wins")
    target = job if owner == "job" else manager
    gate = Gate(monkeypatch, SETTERS[owner], "A")
    calls = []

    def f(ev):
        calls.append(ev.kind)

    ref = weakref.ref(f)
    a = threading.Thread(target=target.on_event, args=(None,), name="A")
    a.start()
    assert gate.inside.wait(TIMEOUT)
    target.on_event(f)
    del f
    gate.go.set()
    a.join(TIMEOUT)
    gc.collect()
    assert ref() is None, "a removed callable is kept"
    poke(job)
    time.sleep(0.2)
    assert calls == []


@pytest.mark.parametrize("replacement", ["a callable", "None"])
@pytest.mark.parametrize("owner", ["job", "manager"])
def test_replacing_a_running_callback(manager, owner, replacement):
    """The notification thread is held inside the old callback while
    another thread replaces or removes it: that thread waits, the old
    callable lives until its call returned, then it is dropped."""
    job = eventful_job(manager, "running")
    target = job if owner == "job" else manager
    entered, release, new_calls = threading.Event(), threading.Event(), []

    def old(ev):
        entered.set()
        assert release.wait(TIMEOUT)

    def new(ev):
        new_calls.append(ev.kind)

    old_ref, new_ref = weakref.ref(old), weakref.ref(new)
    target.on_event(old)
    del old
    poke(job)
    assert entered.wait(TIMEOUT)
    b = threading.Thread(target=target.on_event,
                         args=(new if replacement == "a callable" else None,))
    del new
    try:
        b.start()
        b.join(0.3)
        assert b.is_alive(), "replacing did not wait for the running call"
        gc.collect()
        assert old_ref() is not None, "a running callback was freed"
    finally:
        release.set()
    b.join(TIMEOUT)
    assert not b.is_alive()
    gc.collect()
    assert old_ref() is None, "the replaced callable outlived the call that replaced it"
    if replacement == "a callable":
        assert new_ref() is not None
        poke(job)
        assert wait_for(lambda: new_calls)
        target.on_event(None)
        gc.collect()
    assert new_ref() is None


def test_closing_the_manager_while_its_callback_is_still_to_run():
    """The notification thread is held inside the job's callback; the
    manager's callback for the same event is still to run (close delivers
    queued events before it returns). Meanwhile another thread closes the
    manager: the manager's callable must live until close returned. (The
    old Manager.close dropped it before calling bits_manager_close.)"""
    mgr = openbits.Manager(in_memory=True)
    job = eventful_job(mgr, "close")
    entered, release, got = threading.Event(), threading.Event(), []

    def job_cb(ev):
        entered.set()
        assert release.wait(TIMEOUT)

    def manager_cb(ev):
        got.append(ev.kind)

    ref = weakref.ref(manager_cb)
    job.on_event(job_cb)
    mgr.on_event(manager_cb)
    del manager_cb
    poke(job)
    assert entered.wait(TIMEOUT)
    closer = threading.Thread(target=mgr.close)
    try:
        closer.start()
        closer.join(0.3)
        assert closer.is_alive(), "close did not wait for the notification thread"
        gc.collect()
        assert ref() is not None, "the manager's callback was freed before close returned"
    finally:
        release.set()
    closer.join(TIMEOUT)
    assert not closer.is_alive()
    assert got == [EventKind.JOB_MODIFICATION]   # it did run, during close
    gc.collect()
    assert ref() is None, "the manager's callable outlived close"
    job.on_event(None)


def test_replacing_from_inside_the_callback(manager):
    """From inside its own call a callback replaces itself (the library
    does not wait then): the running callable stays alive to the end of
    its call, and is dropped after it."""
    job = eventful_job(manager, "inside")
    seen, new_calls = [], []

    def new(ev):
        new_calls.append(ev.kind)

    def old(ev):
        job.on_event(handover.pop())
        gc.collect()
        seen.append(old_ref() is not None)

    old_ref, new_ref = weakref.ref(old), weakref.ref(new)
    handover = [new]
    job.on_event(old)
    del old, new
    poke(job)
    assert wait_for(lambda: seen)
    assert seen == [True]
    poke(job)
    assert wait_for(lambda: new_calls)
    gc.collect()
    assert old_ref() is None
    job.on_event(None)
    gc.collect()
    assert new_ref() is None


def test_the_low_level_setter_keeps_its_callable(manager):
    """openbits._openbits is public: a callable given straight to the
    setter, with no other reference, is kept by the binding."""
    job = eventful_job(manager, "low level")
    calls = []
    _c.openbits_set_job_callback(job._h, lambda *args: calls.append(args[0]))
    _c.openbits_set_manager_callback(manager._h, lambda *args: calls.append("manager"))
    gc.collect()
    poke(job)
    assert wait_for(lambda: len(calls) >= 2)
    assert EventKind.JOB_MODIFICATION in calls and "manager" in calls
    _c.openbits_set_job_callback(job._h, None)
    _c.openbits_set_manager_callback(manager._h, None)


def test_two_threads_registering_and_removing_while_events_run(manager):
    """The issue's reproducer, unforced: two threads register and remove
    callbacks on one job while events are delivered. Under ASan a freed
    callable in the library shows up as a use after free."""
    job = eventful_job(manager, "stress")
    stop, errors, calls = threading.Event(), [], []

    def churn(n):
        try:
            i = 0
            while not stop.is_set():
                job.on_event((lambda ev, i=i: calls.append((n, i))) if i % 2 == 0 else None)
                i += 1
        except Exception as e:  # reported below
            errors.append(e)

    def events():
        while not stop.is_set():
            poke(job)
            time.sleep(0.001)

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(2)]
    threads.append(threading.Thread(target=events))
    for t in threads:
        t.start()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(TIMEOUT)
    assert errors == []
    print("callbacks made during the churn:", len(calls))
    job.on_event(None)
