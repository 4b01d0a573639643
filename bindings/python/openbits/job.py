"""Jobs and files: the Python face of bits_job and bits_file."""

import datetime
import re
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Tuple

from . import _openbits as _c
from .enums import (AuthScheme, AuthTarget, ErrorContext, EventKind, JobState, JobType,
                    NotifyFlags, Priority, ProxyUsage, SecurityFlags, SIZE_UNKNOWN)
from .errors import BitsError, JobEndedError

__all__ = ["Job", "File", "Progress", "FileProgress", "Times", "ErrorInfo", "Event"]

# States a job never leaves (spec 1.3): wait() cannot get past them.
_FINAL = frozenset({JobState.ACKNOWLEDGED, JobState.CANCELLED})


def _time(us):
    if not us:
        return None
    return datetime.datetime.fromtimestamp(us / 1e6, tz=datetime.timezone.utc)


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
    """A job's last error (GetError)."""
    code: int
    context: ErrorContext
    description: str
    context_description: str
    protocol: Optional[str]
    file: Optional["File"]

    @property
    def name(self):
        return _c.bits_hresult_name(self.code - (1 << 32) if self.code & 0x80000000 else self.code)


@dataclass(frozen=True)
class Event:
    """What an event callback receives."""
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


class File:
    """One file of a job. Holds a reference to the job."""

    def __init__(self, handle):
        self._h = handle

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h is not None:
            _c.bits_file_release(h)

    @property
    def remote_name(self) -> str:
        return _c.bits_file_get_remote_name(self._h)[1]

    @remote_name.setter
    def remote_name(self, url: str):
        _c.bits_file_set_remote_name(self._h, url)

    @property
    def local_name(self) -> str:
        return _c.bits_file_get_local_name(self._h)[1]

    @property
    def temporary_name(self) -> Optional[str]:
        return _c.bits_file_get_temporary_name(self._h)[1]

    @property
    def progress(self) -> FileProgress:
        p = _c.bits_file_get_progress(self._h)[1]
        return FileProgress(_size(p.bytes_total), p.bytes_transferred, bool(p.completed))

    def __repr__(self):
        return f"<openbits.File {_shown_url(self.remote_name)!r} -> {self.local_name!r}>"


class Job:
    """A BITS download job. Get one from Manager.create_job/get_job/jobs."""

    def __init__(self, handle, owned=True):
        if not owned:
            _c.bits_job_add_ref(handle)
        self._h = handle

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h is not None:
            _c.bits_job_release(h)

    # -- identity and state --------------------------------------------------
    @property
    def id(self) -> uuid.UUID:
        return uuid.UUID(self.id_str)

    @property
    def id_str(self) -> str:
        """The GUID in BITS text form, "{xxxxxxxx-...}"."""
        return _c.bits_job_get_id(self._h)[1]

    @property
    def state(self) -> JobState:
        return JobState(_c.bits_job_get_state(self._h)[1])

    @property
    def type(self) -> JobType:
        return JobType(_c.bits_job_get_type(self._h)[1])

    @property
    def owner(self) -> str:
        return _c.bits_job_get_owner(self._h)[1]

    def __eq__(self, other):
        return isinstance(other, Job) and other.id_str == self.id_str

    def __hash__(self):
        return hash(self.id_str)

    def __repr__(self):
        return f"<openbits.Job {self.id_str} {self.display_name!r} {self.state.name}>"

    # -- files -------------------------------------------------------------------
    def add_file(self, url: str, path: str) -> None:
        """Appends one file: URL (http, https, file or an absolute path) to
        an absolute local path."""
        _c.bits_job_add_file(self._h, url, path)

    def add_files(self, pairs: Iterable[Tuple[str, str]]) -> None:
        """Appends several (url, path) files at once: all or nothing."""
        _c.bits_job_add_file_set(self._h, [(str(u), str(p)) for u, p in pairs])

    @property
    def files(self) -> List[File]:
        hr, e = _c.bits_job_enum_files(self._h)
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
    def resume(self) -> int:
        return _c.bits_job_resume(self._h)

    def suspend(self) -> int:
        return _c.bits_job_suspend(self._h)

    def cancel(self) -> int:
        """Cancels; returns BITS_S_OK or BG_S_UNABLE_TO_DELETE_FILES."""
        return _c.bits_job_cancel(self._h)

    def complete(self) -> int:
        """Completes; returns BITS_S_OK or BG_S_PARTIAL_COMPLETE (or
        BG_S_UNABLE_TO_DELETE_FILES)."""
        return _c.bits_job_complete(self._h)

    def wait(self, until=(JobState.TRANSFERRED, JobState.ERROR), timeout: float = None,
             interval: float = 0.02) -> JobState:
        """Waits until the state is in `until` (a state or a collection of
        states) and returns it, polling every `interval` seconds.

        Raises JobEndedError (an InvalidStateError, with .state) as soon
        as the job is ACKNOWLEDGED or CANCELLED and that state is not in
        `until`: from a final state it can never reach the others. This
        covers a job completed or cancelled elsewhere: from another
        thread, another Manager on the same store or another process.
        Waiting for a final state (until=JobState.CANCELLED) returns it.
        Raises TimeoutError after `timeout` seconds (None: no limit)."""
        states = {until} if isinstance(until, (int, JobState)) else set(until)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            s = self.state
            if s in states:
                return s
            if s in _FINAL:
                raise JobEndedError(s, states)
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job stayed {s.name} for {timeout} s")
            time.sleep(interval)

    # -- progress, times, errors -------------------------------------------------
    @property
    def progress(self) -> Progress:
        p = _c.bits_job_get_progress(self._h)[1]
        return Progress(_size(p.bytes_total), p.bytes_transferred, p.files_total,
                        p.files_transferred)

    @property
    def times(self) -> Times:
        t = _c.bits_job_get_times(self._h)[1]
        return Times(_time(t.creation_time), _time(t.modification_time),
                     _time(t.transfer_completion_time))

    @property
    def error(self) -> Optional[ErrorInfo]:
        try:
            e = _c.bits_job_get_error(self._h)[1]
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
        return _c.bits_job_get_error_count(self._h)[1]

    # -- properties ---------------------------------------------------------------
    def _prop(name, conv=int, doc=None):
        getter = getattr(_c, "bits_job_get_" + name)
        setter = getattr(_c, "bits_job_set_" + name)
        return property(lambda self: conv(getter(self._h)[1]),
                        lambda self, v: setter(self._h, int(v) if conv is not str else v),
                        doc=doc)

    display_name = _prop("display_name", str, "Up to 256 characters.")
    description = _prop("description", str, "Up to 1,024 characters.")
    priority = _prop("priority", Priority, "A Priority.")
    notify_flags = _prop("notify_flags", NotifyFlags, "Which events are delivered.")
    minimum_retry_delay = _prop("minimum_retry_delay", int, "Seconds (at least 5).")
    no_progress_timeout = _prop("no_progress_timeout", int, "Seconds; 0: every error fatal.")
    maximum_download_time = _prop("maximum_download_time", int, "Seconds.")
    minimum_notification_interval = _prop("minimum_notification_interval", int, "Milliseconds.")
    security_flags = _prop("security_flags", SecurityFlags, "TLS and redirect flags.")
    dynamic_content = _prop("dynamic_content", bool, "Content without size or ranges.")
    max_download_size = _prop("max_download_size", int, "Bytes; 0 = no cap.")
    max_bandwidth = _prop("max_bandwidth", int, "Bytes per second; 0 = unlimited.")
    files_in_flight = _prop("files_in_flight", int, "Files transferred at once (1-64).")
    del _prop

    @property
    def custom_headers(self) -> Optional[str]:
        return _c.bits_job_get_custom_headers(self._h)[1]

    @custom_headers.setter
    def custom_headers(self, headers: Optional[str]):
        _c.bits_job_set_custom_headers(self._h, headers)

    def make_custom_headers_write_only(self) -> None:
        _c.bits_job_make_custom_headers_write_only(self._h)

    @property
    def notify_cmd_line(self) -> Optional[Tuple[str, Optional[str]]]:
        _, program, params = _c.bits_job_get_notify_cmd_line(self._h)
        return None if program is None else (program, params)

    @notify_cmd_line.setter
    def notify_cmd_line(self, value):
        program, params = (None, None) if value is None else value
        _c.bits_job_set_notify_cmd_line(self._h, program, params)

    @property
    def proxy_settings(self) -> Tuple[ProxyUsage, Optional[str], Optional[str]]:
        _, usage, plist, bypass = _c.bits_job_get_proxy_settings(self._h)
        return ProxyUsage(usage), plist, bypass

    def set_proxy_settings(self, usage, proxy_list=None, bypass_list=None) -> None:
        _c.bits_job_set_proxy_settings(self._h, int(usage), proxy_list, bypass_list)

    def set_credentials(self, target, scheme, user_name, password) -> None:
        _c.bits_job_set_credentials(self._h, int(target), int(scheme), user_name, password)

    def remove_credentials(self, target, scheme) -> bool:
        """True when credentials were removed, False when none were set."""
        return _c.bits_job_remove_credentials(self._h, int(target), int(scheme)) == _c.BITS_S_OK

    # -- events ---------------------------------------------------------------------
    def on_event(self, callback: Optional[Callable[[Event], None]]) -> None:
        """Calls callback(Event) on the library's notification thread for
        the events the notify flags allow; None unregisters. Replacing or
        unregistering waits for a running call (unless made from inside
        it); the callback is kept alive as long as the library may call
        it, and let go once it no longer can."""
        _c.openbits_set_job_callback(self._h, _event_trampoline(callback))


def _event_trampoline(callback):
    """What the binding registers for `callback`: a callable taking the
    trampoline's (kind, state, error_code, job, file); None stays None.
    The binding (openbits_python.i) holds it while the library may call it."""
    if callback is None:
        return None
    if not callable(callback):
        raise TypeError("a callable or None is expected")

    def call(kind, state, error_code, job, file):
        f = None
        if file is not None:
            _c.bits_file_add_ref(file)
            f = File(file)
        callback(Event(EventKind(kind), JobState(state), error_code, Job(job, owned=False), f))
    return call
