"""Jobs and files: the Python face of bits_job and bits_file."""

import asyncio
import datetime
import os
import re
import time
import uuid
import warnings
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Tuple

from . import _openbits as _c
from ._hub import manager_closed_error
from .enums import (AuthScheme, AuthTarget, ErrorContext, EventKind, JobState, JobType,
                    NotifyFlags, Priority, ProxyUsage, SecurityFlags, SIZE_UNKNOWN)
from .errors import BitsError, BitsWarning, JobEndedError

__all__ = ["Job", "File", "Progress", "FileProgress", "Times", "ErrorInfo", "Event", "EventStream"]

# States a job never leaves (spec 1.3): a wait cannot get past them.
_FINAL = frozenset({JobState.ACKNOWLEDGED, JobState.CANCELLED})
# States the engine leaves by itself; the others only a call leaves
# (resume, suspend, complete, cancel) or nothing does.
_PASSING = frozenset({JobState.QUEUED, JobState.CONNECTING, JobState.TRANSFERRING,
                      JobState.TRANSIENT_ERROR})


def _text(value):
    """A path or URL argument as str: str or os.PathLike (os.fspath);
    bytes paths are decoded as the file system does (os.fsdecode)."""
    value = os.fspath(value)
    return os.fsdecode(value) if isinstance(value, bytes) else value


def _time(us):
    if not us:
        return None
    return datetime.datetime.fromtimestamp(us / 1e6, tz=datetime.timezone.utc)


def _awaited(until):
    states = {until} if isinstance(until, int) else set(until)
    return {JobState(s) for s in states}


@dataclass(frozen=True)
class Progress:
    """Job progress; bytes_total is None while a file's size is unknown."""
    bytes_total: Optional[int]
    bytes_transferred: int
    files_total: int
    files_transferred: int


@dataclass(frozen=True)
class FileProgress:
    """File progress; completed is True once Complete moved the file."""
    bytes_total: Optional[int]
    bytes_transferred: int
    completed: bool


@dataclass(frozen=True)
class Times:
    """Creation, last change and transfer completion (UTC; None if not yet)."""
    creation: datetime.datetime
    modification: datetime.datetime
    transfer_completion: Optional[datetime.datetime]


@dataclass(frozen=True)
class ErrorInfo:
    """A job's last error (GetError): the unsigned code, where it happened
    (context), the library's description of both, the protocol ("http",
    "file") when known, and the file it concerns, if any."""
    code: int
    context: ErrorContext
    description: str
    context_description: str
    protocol: Optional[str]
    file: Optional["File"]

    @property
    def name(self) -> str:
        """The code's name, e.g. "BG_E_HTTP_ERROR_404"."""
        return _c.bits_hresult_name(self.code - (1 << 32) if self.code & 0x80000000 else self.code)


@dataclass(frozen=True)
class Event:
    """One event of a job: what an event callback receives and what
    Job.events() yields. kind is the EventKind, state the job's state when
    the event was raised, error_code the job's error code for JOB_ERROR
    (else 0), file the File for FILE_TRANSFERRED (else None)."""
    kind: EventKind
    state: JobState
    error_code: int
    job: "Job"
    file: Optional["File"]


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[/\\]+")


def _shown_url(url):
    """A URL as repr() shows it: the password of its userinfo replaced by
    "***", the user name kept, as the C library and the CLI show URLs
    (src/util/redact.c, docs/security.md). A remote name always parses
    (AddFile checks it with libcurl), so the authority is the text up to
    the first "/", "\\", "?" or "#", and the userinfo ends at its last "@"."""
    if not url or url.startswith("/"):
        return url
    m = _SCHEME.match(url)
    start = m.end() if m else 0
    end = start + len(re.split(r"[/\\?#]", url[start:], maxsplit=1)[0])
    at = url.rfind("@", start, end)
    colon = url.find(":", start, at) if at >= 0 else -1
    return url if colon < 0 else url[:colon + 1] + "***" + url[at:]


def _size(n):
    return None if n == SIZE_UNKNOWN else n


def _warn_success(code, stacklevel=3):
    """Success codes other than BITS_S_OK become a BitsWarning."""
    if code != _c.BITS_S_OK:
        warnings.warn(BitsWarning(code), stacklevel=stacklevel)


class File:
    """One file of a job (IBackgroundCopyFile). Holds a reference to the
    file, so it stays readable while the object lives."""

    def __init__(self, handle):
        self._h = handle

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h is not None:
            _c.bits_file_release(h)

    @property
    def remote_name(self) -> str:
        """The URL (or absolute local path) the file comes from, exactly
        as added or last set, password included (it is the caller's own
        data; repr() shows it as "***"). After a redirect the engine
        followed under BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT, the target.

        Setting it (SetRemoteName), e.g. to repair a job in ERROR, takes
        effect at the next resume(); suspend a transferring job first. A
        str or os.PathLike (an absolute local path).

        Raises:
            InvalidArgError: a malformed or unsupported URL (the rules of
                Job.add_file).
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                this file already finished transferring.
        """
        return _c.bits_file_get_remote_name(self._h)[1]

    @remote_name.setter
    def remote_name(self, url) -> None:
        _c.bits_file_set_remote_name(self._h, _text(url))

    @property
    def local_name(self) -> str:
        """The absolute destination path (GetLocalName)."""
        return _c.bits_file_get_local_name(self._h)[1]

    @property
    def temporary_name(self) -> Optional[str]:
        """The temporary file the download is written to, in the
        destination directory (".openbits-<job>-<n>.tmp"), or None while
        there is none (not started, or already completed or cancelled)."""
        return _c.bits_file_get_temporary_name(self._h)[1]

    @property
    def progress(self) -> FileProgress:
        """Byte counts and completion (GetProgress). Before any transfer:
        bytes_total None, bytes_transferred 0, completed False; completed
        turns True only when complete() moved the file to its local name."""
        p = _c.bits_file_get_progress(self._h)[1]
        return FileProgress(_size(p.bytes_total), p.bytes_transferred, bool(p.completed))

    def __repr__(self):
        return f"<openbits.File {_shown_url(self.remote_name)!r} -> {self.local_name!r}>"


class Job:
    """A BITS download job (IBackgroundCopyJob): files transferred in
    order, one of nine states (JobState), and properties. Get one from
    Manager.create_job, get_job or jobs.

    Every job starts SUSPENDED; resume() queues it; complete() makes its
    files appear under their local names; cancel() throws them away.
    Mutators return None and raise a BitsError subclass on failure; all
    of them raise InvalidStateError once the job is ACKNOWLEDGED or
    CANCELLED (here or elsewhere) or its manager is closed, and BusyError
    when another process keeps the store locked for more than 10 s.
    Getters keep answering after that, with the last known values.

    A Job holds one reference to the C job; release() (or the end of a
    with block) drops it, after which every method raises ValueError.

    With a with block::

        with mgr.create_job("nightly") as job:
            job.add_file(url, path)
            job.resume()

    an exception leaving the block (any BaseException: KeyboardInterrupt
    and asyncio.CancelledError too) cancels the job, then releases it,
    and propagates; if the cancel itself fails (the job already ended, the
    manager is closed), that failure is added to the exception as a note.
    Leaving the block normally only releases the handle: the job is NOT
    cancelled, completed or suspended; it goes on in its store and
    Manager.get_job(id) finds it again.
    """

    def __init__(self, handle, owned=True, hub=None):
        if not owned:
            _c.bits_job_add_ref(handle)
        self._h = handle
        self._hub = hub
        self._addr = _c.openbits_handle_address(handle)
        self._id = None

    def __del__(self):
        self.release()

    def release(self) -> None:
        """Drops this object's reference to the C job (bits_job_release);
        the job itself stays in its store, as it is. Afterwards every
        method of this object raises ValueError. Idempotent; done
        automatically when the object is garbage collected."""
        h, self._h = getattr(self, "_h", None), None
        if h is not None:
            _c.bits_job_release(h)

    def _handle(self):
        h = self._h
        if h is None:
            raise ValueError("the Job was released")
        return h

    def __enter__(self) -> "Job":
        self._handle()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None:
                try:
                    self.cancel()
                except (BitsError, ValueError) as failure:
                    if exc is not None and hasattr(exc, "add_note"):
                        exc.add_note(f"openbits: the job could not be cancelled: {failure}")
        finally:
            self.release()

    # -- identity and state --------------------------------------------------
    @property
    def id(self) -> uuid.UUID:
        """The job's GUID (GetId) as a uuid.UUID."""
        return uuid.UUID(self.id_str)

    @property
    def id_str(self) -> str:
        """The GUID in BITS text form, "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}"."""
        if self._id is None:
            self._id = _c.bits_job_get_id(self._handle())[1]
        return self._id

    @property
    def state(self) -> JobState:
        """The job's state (GetState), read from memory: it never waits
        for the network or the store, and answers in final states too."""
        return JobState(_c.bits_job_get_state(self._handle())[1])

    @property
    def type(self) -> JobType:
        """The job type (GetType); only JobType.DOWNLOAD is implemented."""
        return JobType(_c.bits_job_get_type(self._handle())[1])

    @property
    def owner(self) -> str:
        """The user id of the process that created the job, in decimal (GetOwner)."""
        return _c.bits_job_get_owner(self._handle())[1]

    def __eq__(self, other):
        return isinstance(other, Job) and other.id_str == self.id_str

    def __hash__(self):
        return hash(self.id_str)

    def __repr__(self):
        if self._h is None:
            return f"<openbits.Job {self._id or ''} released>"
        return f"<openbits.Job {self.id_str} {self.display_name!r} {self.state.name}>"

    # -- files -------------------------------------------------------------------
    def add_file(self, url, path) -> None:
        """Appends one file (AddFile); files transfer in the order added.

        Args:
            url: an http:// or https:// URL, a file:// URL, or an absolute
                local path (str or os.PathLike: a local copy, only checked
                when it transfers); at most 2,200 characters.
            path: the absolute destination path (str or os.PathLike); its
                directory must exist and be writable. At most PATH_MAX
                bytes, its last component within NAME_MAX.

        A job in TRANSFERRED takes the file; it waits for the next resume().

        Raises:
            InvalidArgError: a relative or malformed path, a directory as
                destination, a malformed or unsupported URL, a name too
                long, or a string with a NUL character.
            PathNotFoundError: the destination directory does not exist.
            AccessDeniedError: the destination directory is not writable.
            TooManyFilesInJobError: the store's file limit is reached.
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED.
            BusyError: the store stayed locked by another process.
            TypeError: url or path is not a str or os.PathLike.
        """
        _c.bits_job_add_file(self._handle(), _text(url), _text(path))

    def add_files(self, pairs) -> None:
        """Appends several files at once (AddFileSet): an iterable of
        (url, path) pairs, each as add_file takes them. All or nothing:
        when one pair is refused none is added, and its error is raised
        (also InvalidArgError for an empty iterable)."""
        _c.bits_job_add_file_set(self._handle(), [(_text(u), _text(p)) for u, p in pairs])

    @property
    def files(self) -> List[File]:
        """The job's files in the order they were added (EnumFiles), as a
        new list of File objects."""
        hr, e = _c.bits_job_enum_files(self._handle())
        out = []
        try:
            while True:
                hr, f = _c.bits_file_enum_next_one(e)
                if hr != _c.BITS_S_OK:
                    break
                out.append(File(f))
        finally:
            _c.bits_file_enum_free(e)
        return out

    # -- life cycle ---------------------------------------------------------------
    def resume(self) -> None:
        """Queues the job for transfer (Resume): SUSPENDED, ERROR and
        TRANSIENT_ERROR become QUEUED (TRANSIENT_ERROR retries at once,
        without waiting for the retry delay); the other active states stay
        as they are; TRANSFERRED becomes QUEUED only when files were added
        since.

        Raises:
            EmptyJobError: the job has no files (it stays SUSPENDED).
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                its manager is closed.
        """
        _c.bits_job_resume(self._handle())

    def suspend(self) -> None:
        """Pauses the job (Suspend): a transfer stops, bytes already
        written are kept for a later resume(). A TRANSFERRED job stays
        TRANSFERRED.

        Raises:
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                its manager is closed.
        """
        _c.bits_job_suspend(self._handle())

    def cancel(self) -> None:
        """Cancels the job (Cancel): any transfer stops, every temporary
        file is deleted, and the job becomes CANCELLED and leaves the queue.

        Warns:
            BitsWarning: BG_S_UNABLE_TO_DELETE_FILES, the job is cancelled
                but some temporary files could not be deleted.

        Raises:
            InvalidStateError: the job is already ACKNOWLEDGED or
                CANCELLED, or its manager is closed.
        """
        _warn_success(_c.bits_job_cancel(self._handle()))

    def complete(self) -> None:
        """Completes the job (Complete): every file that finished
        transferring is moved to its local name, the temporary files of
        the others are deleted, and the job becomes ACKNOWLEDGED and
        leaves the queue. Which files arrived: File.progress.completed.

        Warns:
            BitsWarning: BG_S_PARTIAL_COMPLETE, only some files (possibly
                none) had finished; BG_S_UNABLE_TO_DELETE_FILES, some
                temporary files could not be deleted.

        Raises:
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                its manager is closed.
            BitsError: a move failed (e.g. AccessDeniedError,
                DiskFullError); the job stays TRANSFERRED with the files
                moved so far in place, and complete() may be called again.
        """
        _warn_success(_c.bits_job_complete(self._handle()))

    # -- waiting -----------------------------------------------------------------
    def _check(self, states, seen=(), start=None):
        """(found, current): found is the awaited state, or None; raises
        JobEndedError for a final state that is not awaited.

        `seen` are the states of the events delivered since the last look,
        in order; `start` the state when the wait began. An event's state
        counts when the job is still in it, or when it is one the engine
        leaves by itself (_PASSING) and the job has moved since the wait
        began: a short CONNECTING is not missed, while an event queued
        before the wait (an ERROR since resumed, a TRANSFERRING since
        suspended) is not taken for news."""
        current = self.state
        for s in seen:
            s = JobState(s)
            if s in states and (s is current or (s in _PASSING and current is not start)):
                return s, current
        if current in states:
            return current, current
        if current in _FINAL:
            raise JobEndedError(current, states)
        return None, current

    def _hub_or_fail(self):
        hub = self._hub
        if hub is None:
            raise ValueError("this Job has no Manager to hear its events from")
        return hub

    def wait(self, until=(JobState.TRANSFERRED, JobState.ERROR),
             timeout: Optional[float] = None) -> JobState:
        """Blocks until the job is in one of the states `until` (a
        JobState or an iterable of them; TRANSFERRED or ERROR by default)
        and returns that state.

        It wakes on the job's events, never on a timer: the manager's
        watch (whatever the job's notify flags, which it never changes)
        reports every state change, also one made by another thread,
        another Manager on the same store or another process. A state
        reported by an event counts while the job is in it, and for the
        states the engine leaves by itself (QUEUED, CONNECTING,
        TRANSFERRING, TRANSIENT_ERROR) also after it moved on, once the
        job has changed since the call: wait(until=CONNECTING) does not
        miss a short CONNECTING, and an event from before the call (an
        ERROR since resumed) is not taken for news.
        Any state may be awaited; ACKNOWLEDGED and CANCELLED are returned
        when awaited.

        With Manager(event_fd=True) and no running asyncio loop attached
        to it, the waiting thread dispatches the manager's events itself
        (its callbacks then run on this thread).

        Args:
            until: the state or states to wait for.
            timeout: seconds; None waits as long as it takes.

        Raises:
            JobEndedError: (an InvalidStateError) the job is or becomes
                ACKNOWLEDGED or CANCELLED, which was not awaited: it can
                never reach the awaited states. .state is the final state.
            TimeoutError: `timeout` seconds passed first.
            InvalidStateError: the job's manager is (or gets) closed.
            RuntimeError: called from one of the manager's own callbacks,
                where blocking would hold up the events it waits for.
        """
        states = _awaited(until)
        found, start = self._check(states)
        if found is not None:
            return found
        hub = self._hub_or_fail()
        if hub.in_callback():
            raise RuntimeError("Job.wait() from inside an event callback of its manager would "
                               "block the events it waits for")
        deadline = None if timeout is None else time.monotonic() + timeout
        waiter = hub.subscribe_sync(self._addr)
        try:
            while True:
                with hub._cond:
                    seen, waiter.states = waiter.states, []
                found, current = self._check(states, seen, start)  # after subscribing: nothing missed
                if found is not None:
                    return found
                if hub.closed:
                    raise manager_closed_error()
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError(f"job stayed {current.name} for {timeout} s")
                hub.block(waiter, deadline)
        finally:
            hub.unsubscribe(waiter)

    async def wait_async(self, until=(JobState.TRANSFERRED, JobState.ERROR),
                         timeout: Optional[float] = None) -> JobState:
        """The asyncio form of wait(): awaits until the job is in one of
        the states `until` and returns it, with the same rules and
        exceptions (TimeoutError after `timeout` seconds).

        No thread is started and nothing polls: with Manager(event_fd=True)
        the manager's descriptor is added to the running loop
        (loop.add_reader) the first time, and events are dispatched by the
        loop on its thread; with a Manager opened normally the library's
        notification thread hands them to the loop. Several jobs and
        managers can be awaited in one loop. Cancelling the awaiting task
        (task.cancel(), asyncio.wait_for, asyncio.timeout) ends the
        subscription at once: nothing is left behind and later events go
        nowhere.

        Raises:
            JobEndedError, TimeoutError, InvalidStateError: as wait().
            RuntimeError: no running event loop.
        """
        states = _awaited(until)
        found, start = self._check(states)
        if found is not None:
            return found
        sub = self._hub_or_fail().subscribe_async(self._addr, wants_events=False)
        loop = sub.loop
        deadline = None if timeout is None else loop.time() + timeout
        try:
            while True:
                seen = [state for state, _ in sub.items]
                sub.items.clear()
                found, current = self._check(states, seen, start)
                if found is not None:
                    return found
                if sub.ended:
                    raise manager_closed_error()
                if deadline is not None and loop.time() >= deadline:
                    raise TimeoutError(f"job stayed {current.name} for {timeout} s")
                await sub.next(deadline)
        finally:
            sub.close()

    def events(self) -> "EventStream":
        """The job's events as an asynchronous iterator, from now on::

            async with job.events() as events:
                job.resume()
                async for ev in events:
                    print(ev.kind, ev.state, job.progress.bytes_transferred)
                    if ev.kind is openbits.EventKind.JOB_TRANSFERRED:
                        job.complete()
                        break

        It yields every event of the job whatever its notify flags (those
        decide what on_event callbacks and the notify program get): each
        state change (JOB_MODIFICATION with the new state, or
        JOB_TRANSFERRED / JOB_ERROR), each file transferred
        (FILE_TRANSFERRED) and progress (JOB_MODIFICATION, coalesced and
        spaced by minimum_notification_interval), in order.

        It subscribes when called and does not replay the past: take the
        stream before resume(), as above, or look at job.state (or use
        wait_async(), which does) for a job that may already be
        TRANSFERRED or ERROR. The stream ends after the event of
        ACKNOWLEDGED or CANCELLED (at once for a job already there), or
        when the manager closes.

        Call it in a coroutine (it subscribes on the running loop, as
        wait_async does). A task cancelled while it awaits the next event
        unsubscribes at once. Leaving the loop otherwise (break, an
        exception in its body) unsubscribes when the iterator is dropped;
        aclose() or "async with job.events() as events:" does it at a
        known point.

        Raises:
            RuntimeError: no running event loop.
            InvalidStateError: the manager is closed.
        """
        return EventStream(self)

    # -- progress, times, errors -------------------------------------------------
    @property
    def progress(self) -> Progress:
        """Byte and file counts (GetProgress); bytes_total is None while
        the size of some file is unknown."""
        p = _c.bits_job_get_progress(self._handle())[1]
        return Progress(_size(p.bytes_total), p.bytes_transferred, p.files_total,
                        p.files_transferred)

    @property
    def times(self) -> Times:
        """Creation, last modification and transfer completion times
        (GetTimes), as aware UTC datetimes; transfer_completion is None
        until the job was TRANSFERRED."""
        t = _c.bits_job_get_times(self._handle())[1]
        return Times(_time(t.creation_time), _time(t.modification_time),
                     _time(t.transfer_completion_time))

    @property
    def error(self) -> Optional[ErrorInfo]:
        """The job's last error (GetError) while it is in ERROR or
        TRANSIENT_ERROR; None when there is none."""
        try:
            e = _c.bits_job_get_error(self._handle())[1]
        except BitsError as exc:
            if exc.hresult == 0x8020000F:  # BG_E_ERROR_INFORMATION_UNAVAILABLE
                return None
            raise
        try:
            _, context, code = _c.bits_error_get_error(e)
            description = _c.bits_error_get_description(e)[1]
            context_description = _c.bits_error_get_context_description(e)[1]
            try:
                protocol = _c.bits_error_get_protocol(e)[1]
            except BitsError:
                protocol = None
            try:
                file = File(_c.bits_error_get_file(e)[1])
            except BitsError:
                file = None
        finally:
            _c.bits_error_free(e)
        return ErrorInfo(code & 0xFFFFFFFF, ErrorContext(context), description,
                         context_description, protocol, file)

    @property
    def error_count(self) -> int:
        """How many times a transfer of this job failed (GetErrorCount);
        never reset."""
        return _c.bits_job_get_error_count(self._handle())[1]

    # -- properties ---------------------------------------------------------------
    def _prop(name, conv=int, doc=None):
        getter = getattr(_c, "bits_job_get_" + name)
        setter = getattr(_c, "bits_job_set_" + name)
        return property(lambda self: conv(getter(self._handle())[1]),
                        lambda self, v: setter(self._handle(), int(v) if conv is not str else v),
                        doc=doc)

    _SETTER = ("\n\nSetting it raises InvalidStateError once the job is ACKNOWLEDGED or "
               "CANCELLED or its manager is closed")
    display_name = _prop("display_name", str, (
        "The display name, a str of at most 256 characters (create_job sets it)."
        + _SETTER + ", StringTooLongError past the limit, InvalidArgError for a NUL character."))
    description = _prop("description", str, (
        "The description, a str of at most 1,024 characters (default \"\")."
        + _SETTER + ", StringTooLongError past the limit, InvalidArgError for a NUL character."))
    priority = _prop("priority", Priority, (
        "The Priority (default NORMAL): FOREGROUND jobs transfer at once, the others take "
        "turns by priority." + _SETTER + ", NotImplError for a value that is no Priority."))
    notify_flags = _prop("notify_flags", NotifyFlags, (
        "Which events the on_event callbacks (and the notify program) get, NotifyFlags "
        "(default JOB_TRANSFERRED | JOB_ERROR); DISABLE silences them all. wait(), "
        "wait_async() and events() do not depend on them." + _SETTER
        + ", NotImplError for an unknown bit."))
    minimum_retry_delay = _prop("minimum_retry_delay", int, (
        "Seconds before a transient error is retried (default 600; values below 5 become 5)."
        + _SETTER + "."))
    no_progress_timeout = _prop("no_progress_timeout", int, (
        "Seconds a job may go without progress after its first transient error before it "
        "fails (default 1,209,600 = 14 days; 0 makes every error fatal)." + _SETTER + "."))
    maximum_download_time = _prop("maximum_download_time", int, (
        "Seconds the job may spend connecting and transferring (default 7,776,000 = 90 "
        "days; resume() restarts the count); past it the job fails with "
        "BG_E_MAXDOWNLOAD_TIMEOUT." + _SETTER + "."))
    minimum_notification_interval = _prop("minimum_notification_interval", int, (
        "Milliseconds between two progress events (JOB_MODIFICATION) of the job (default "
        "500)." + _SETTER + "."))
    security_flags = _prop("security_flags", SecurityFlags, (
        "TLS and redirect behaviour, SecurityFlags (default 0: certificates verified, "
        "redirects followed, HTTPS to HTTP refused, no revocation check). ENABLE_CRL_CHECK "
        "reads the PEM CRL file named by OPENBITS_CRL_FILE in the process that runs the "
        "transfers (openbits/job.h, bits_job_set_security_flags, has the details)."
        + _SETTER + ", NotImplError for an unknown bit or redirect policy."))
    dynamic_content = _prop("dynamic_content", bool, (
        "True for content without a size or ranges (any interruption restarts from byte "
        "0); default False." + _SETTER + ", ReadOnlyPropertyAfterResumeError after the "
        "first resume()."))
    max_download_size = _prop("max_download_size", int, (
        "The most bytes the job may download, 0 for no cap (default); past it the job "
        "fails with BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED." + _SETTER
        + ", ReadOnlyPropertyAfterResumeError after the first resume()."))
    max_bandwidth = _prop("max_bandwidth", int, (
        "The job's download rate cap in bytes per second, 0 for none (default); takes "
        "effect at once. Local copies are not capped; Limit.MAX_BANDWIDTH applies on top."
        + _SETTER + "."))
    files_in_flight = _prop("files_in_flight", int, (
        "How many files of the job transfer at once, 1 to 64 (default 1: strictly in "
        "order, as BITS)." + _SETTER + ", InvalidArgError outside 1..64."))
    del _prop, _SETTER

    @property
    def custom_headers(self) -> Optional[str]:
        """Extra HTTP request headers sent with every request of the job:
        "Name: value" lines separated by CR LF, at most 16,384
        characters; None when there are none (setting None removes them).

        Reading raises AccessDeniedError (a PermissionError) after
        make_custom_headers_write_only(). Setting raises InvalidArgError
        for a line that is not a header or a bare CR or LF,
        StringTooLongError past the limit, InvalidStateError once the job
        is ACKNOWLEDGED or CANCELLED or its manager is closed."""
        return _c.bits_job_get_custom_headers(self._handle())[1]

    @custom_headers.setter
    def custom_headers(self, headers: Optional[str]) -> None:
        _c.bits_job_set_custom_headers(self._handle(), headers)

    def make_custom_headers_write_only(self) -> None:
        """Makes custom_headers unreadable from now on, for good
        (MakeCustomHeadersWriteOnly); they are still sent.

        Raises:
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                its manager is closed.
        """
        _c.bits_job_make_custom_headers_write_only(self._handle())

    @property
    def notify_cmd_line(self) -> Optional[Tuple[str, Optional[str]]]:
        """The program run when the job reaches TRANSFERRED or ERROR
        (SetNotifyCmdLine), as (program, parameters), or None.

        Set it to (program, parameters) or None: program is an absolute
        path (str or os.PathLike), started directly (no shell, no PATH
        search) with the job owner's rights, at most PATH_MAX bytes;
        parameters is the whole command line, its first word being the
        program (as in BITS), at most 4,000 characters, or None. It runs
        when no callback of this job is registered in any process (a
        Manager's watch does not count) and the notify flags select the
        event.

        Setting raises InvalidArgError for a relative program,
        StringTooLongError past the limits, InvalidStateError once the job
        is ACKNOWLEDGED or CANCELLED or its manager is closed."""
        _, program, params = _c.bits_job_get_notify_cmd_line(self._handle())
        return None if program is None else (program, params)

    @notify_cmd_line.setter
    def notify_cmd_line(self, value) -> None:
        program, params = (None, None) if value is None else value
        _c.bits_job_set_notify_cmd_line(self._handle(),
                                        None if program is None else _text(program), params)

    @property
    def proxy_settings(self) -> Tuple[ProxyUsage, Optional[str], Optional[str]]:
        """How the job reaches servers, as (usage, proxy_list,
        bypass_list); set it with set_proxy_settings()."""
        _, usage, plist, bypass = _c.bits_job_get_proxy_settings(self._handle())
        return ProxyUsage(usage), plist, bypass

    def set_proxy_settings(self, usage: ProxyUsage, proxy_list: Optional[str] = None,
                           bypass_list: Optional[str] = None) -> None:
        """Sets how the job reaches servers (SetProxySettings).

        Args:
            usage: PRECONFIG (the environment's proxy variables), NO_PROXY
                or OVERRIDE; AUTODETECT is not implemented on Linux.
            proxy_list: OVERRIDE only: space-separated
                "[scheme=][scheme://]host[:port]" entries, at most 4,000
                characters; None for the other usages.
            bypass_list: OVERRIDE only (may be None): space-separated host
                names, "*" wildcards and "<local>", at most 4,000 characters.

        Raises:
            NotImplError: an unknown usage, or AUTODETECT.
            InvalidArgError: lists with a usage other than OVERRIDE, or
                OVERRIDE without a proxy list.
            ProxyListTooLargeError, ProxyBypassListTooLargeError: past the
                limits.
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                its manager is closed.
        """
        _c.bits_job_set_proxy_settings(self._handle(), int(usage), proxy_list, bypass_list)

    def set_credentials(self, target: AuthTarget, scheme: AuthScheme,
                        user_name: Optional[str], password: Optional[str]) -> None:
        """Sets the credentials for one (target, scheme) pair, replacing
        earlier ones for it (SetCredentials). They cannot be read back.

        Args:
            target: AuthTarget.SERVER or PROXY.
            scheme: BASIC, DIGEST, NTLM or NEGOTIATE.
            user_name: at most 300 characters; None only for NTLM and
                NEGOTIATE (with a None password: the ambient identity).
            password: at most 65,535 characters.

        Raises:
            InvalidAuthTargetError, InvalidAuthSchemeError: unknown values
                (both ValueErrors).
            NotImplError: PASSPORT.
            UsernameTooLargeError, PasswordTooLargeError: past the limits.
            InvalidArgError: a None user name with BASIC or DIGEST.
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                its manager is closed.
        """
        _c.bits_job_set_credentials(self._handle(), int(target), int(scheme), user_name, password)

    def remove_credentials(self, target: AuthTarget, scheme: AuthScheme) -> bool:
        """Removes the credentials of one (target, scheme) pair
        (RemoveCredentials). Returns True when some were removed, False
        when none were set.

        Raises:
            InvalidAuthTargetError, InvalidAuthSchemeError: unknown values.
            InvalidStateError: the job is ACKNOWLEDGED or CANCELLED, or
                its manager is closed.
        """
        return _c.bits_job_remove_credentials(self._handle(), int(target),
                                              int(scheme)) == _c.BITS_S_OK

    # -- events ---------------------------------------------------------------------
    def on_event(self, callback: Optional[Callable[[Event], None]]) -> None:
        """Registers callback(event) for the job's events
        (SetNotifyInterface); None unregisters. Which events come is
        decided by notify_flags. The callback runs on the library's
        notification thread (with Manager(event_fd=True): wherever the
        manager is dispatched), one call at a time; an exception it raises
        goes to sys.unraisablehook. A callback registered after the job
        reached TRANSFERRED or ERROR gets that event once.

        Replacing or unregistering waits until a running call of the old
        callback returned (unless done from inside it); the callback is
        kept alive as long as the library may call it, and let go once it
        no longer can. While one is registered, the job's notify program
        does not run (the application takes the notification).

        Raises:
            TypeError: callback is neither callable nor None.
            InvalidStateError: registering on a job that is ACKNOWLEDGED
                or CANCELLED, or whose manager is closed.
        """
        _c.openbits_set_job_callback(self._handle(), _event_trampoline(callback, self._hub))


class EventStream:
    """What Job.events() returns: an asynchronous iterator of Event, and
    an async context manager that closes it. See Job.events."""

    def __init__(self, job: Job):
        self._sub = None
        if job.state in _FINAL:
            return  # nothing more will happen: an empty stream
        self._sub = job._hub_or_fail().subscribe_async(job._addr, wants_events=True)

    def __aiter__(self) -> "EventStream":
        return self

    async def __anext__(self) -> Event:
        sub = self._sub
        while sub is not None and not sub.closed:
            if sub.items:
                state, ev = sub.items.popleft()
                if JobState(state) in _FINAL:
                    self._close()  # its last event
                return ev
            if sub.ended:
                break
            try:
                await sub.next()
            except BaseException:  # the task was cancelled: the stream ends here
                self._close()
                raise
        self._close()
        raise StopAsyncIteration

    def _close(self):
        sub, self._sub = self._sub, None
        if sub is not None:
            sub.close()

    async def aclose(self) -> None:
        """Unsubscribes; the iteration ends."""
        self._close()

    async def __aenter__(self) -> "EventStream":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._close()

    def __del__(self):
        self._close()


def _make_event(kind, state, error_code, job, file, hub):
    """An Event for the low-level (kind, state, error_code, job, file) of
    a callback; the handles are borrowed, the wrappers take references."""
    f = None
    if file is not None:
        _c.bits_file_add_ref(file)
        f = File(file)
    return Event(EventKind(kind), JobState(state), error_code, Job(job, owned=False, hub=hub), f)


def _event_trampoline(callback, hub):
    """What the binding registers for `callback`: a callable taking the
    trampoline's (kind, state, error_code, job, file); None stays None.
    The binding (openbits_python.i) holds it while the library may call it."""
    if callback is None:
        return None
    if not callable(callback):
        raise TypeError("a callable or None is expected")

    def call(kind, state, error_code, job, file):
        if hub is not None:
            hub.enter_callback()
        try:
            callback(_make_event(kind, state, error_code, job, file, hub))
        finally:
            if hub is not None:
                hub.leave_callback()
    return call
