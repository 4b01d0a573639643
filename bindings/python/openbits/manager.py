"""Manager: one opened job store."""

import logging
import uuid
from typing import Iterator, List, Optional, Union

from . import _openbits as _c
from ._hub import Hub
from .enums import JobType, Limit
from .job import Job, _event_trampoline, _text

__all__ = ["Manager"]


class Manager:
    """An opened job store (IBackgroundCopyManager).

    Manager() opens the default store ($XDG_STATE_HOME/openbits, else
    ~/.local/state/openbits); Manager(path) the store in `path` (a str or
    os.PathLike, absolute; missing directories are created with mode
    0700); Manager(in_memory=True) keeps jobs in memory only. Several
    Managers, in one process or several, may open the same store.

    Events: a Manager normally delivers events (on_event callbacks, and
    the wake-ups of Job.wait, wait_async and events) on a thread of the
    library. Manager(..., event_fd=True) starts no such thread: events
    wait until something dispatches them, on its own thread. That is an
    asyncio loop once wait_async() or events() was used in it (the
    manager's descriptor is added with loop.add_reader and stays until
    close() or the loop closes), a sync Job.wait() while no running loop
    has the descriptor, or your own dispatch() when event_fd is readable
    (selectors, another loop). The event contract is the same either way:
    order, late registration of callbacks, removal waiting for a running
    call (openbits/event.h).

    Use it as a context manager, or call close().

    Raises:
        InvalidArgError: a relative path, or a path with in_memory=True.
        AccessDeniedError: the directory cannot be created or written,
            belongs to another user, or is accessible to group or others.
        PathNotFoundError: the path names something that is not a directory.
        DatabaseCorruptError: the store is damaged or from a newer openbits.
    """

    def __init__(self, store_dir=None, *, in_memory: bool = False, event_fd: bool = False):
        flags = _c.BITS_MANAGER_OPEN_IN_MEMORY if in_memory else 0
        if event_fd:
            flags |= _c.BITS_MANAGER_OPEN_EVENT_FD
        path = None if store_dir is None else _text(store_dir)
        self._h = _c.bits_manager_open(path, flags)[1]
        self._hub = Hub(self._h, event_fd)

    def close(self) -> None:
        """Closes the store. Events already queued (state changes, files
        transferred, outcomes) are delivered first, on this thread with
        event_fd=True; waits then raise InvalidStateError. Job objects
        stay readable; their mutators raise InvalidStateError. Safe to
        call twice.

        With event_fd=True and a loop running in another thread that has
        the descriptor, close() waits until that loop removed it: close
        from the loop's thread, or while that loop can still run."""
        h = getattr(self, "_h", None)
        if h is None:
            return
        hub = getattr(self, "_hub", None)
        if hub is not None:
            hub.close_begin()
        self._h = None
        # Waits for the notification thread (or delivers what is queued);
        # the binding lets go of the manager's callbacks only then.
        _c.bits_manager_close(h)
        if hub is not None:
            hub.close_end()

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return getattr(self, "_h", None) is None

    def __enter__(self) -> "Manager":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self):
        self.close()

    def _handle(self):
        if self._h is None:
            raise ValueError("the manager is closed")
        return self._h

    def create_job(self, name: str, type: JobType = JobType.DOWNLOAD) -> Job:
        """Creates a job, SUSPENDED and without files (CreateJob).

        Args:
            name: the display name, at most 256 characters.
            type: only JobType.DOWNLOAD is implemented.

        Raises:
            InvalidArgError: a name past 256 characters, or with a NUL
                character.
            NotImplError: another job type.
            TooManyJobsPerUserError: the store's job limit is reached.
            BusyError: the store stayed locked by another process.
            ValueError: the manager is closed.
        """
        hr, _id, job = _c.bits_manager_create_job(self._handle(), name, int(type))
        return Job(job, hub=self._hub)

    def get_job(self, job_id: Union[str, uuid.UUID]) -> Job:
        """The job with this GUID (GetJob): a uuid.UUID or its text,
        with or without braces; jobs other processes created on the same
        store included.

        Raises:
            NotFoundError: (a KeyError) no such job, or it ended.
            AccessDeniedError: another user's job (only root may open it).
            ValueError: a malformed GUID, or the manager is closed.
        """
        text = "{%s}" % job_id if isinstance(job_id, uuid.UUID) else job_id
        return Job(_c.bits_manager_get_job(self._handle(), text)[1], hub=self._hub)

    def jobs(self, all_users: bool = False) -> List[Job]:
        """The jobs of the store that have not ended (EnumJobs), oldest
        first: this user's, or with all_users=True everyone's. The list
        is a snapshot of which jobs exist; each Job reads its properties
        live.

        Raises:
            AccessDeniedError: all_users=True without root.
            ValueError: the manager is closed.
        """
        flags = _c.BG_JOB_ENUM_ALL_USERS if all_users else 0
        e = _c.bits_manager_enum_jobs(self._handle(), flags)[1]
        out = []
        try:
            while True:
                hr, job = _c.bits_job_enum_next_one(e)
                if hr != _c.BITS_S_OK:
                    break
                out.append(Job(job, hub=self._hub))
        finally:
            _c.bits_job_enum_free(e)
        return out

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs())

    def set_limit(self, which: Limit, value: int) -> None:
        """Sets one of the store's limits and settings (Limit), kept in
        the store for every process; 0 means unlimited (or off). Lowering
        a count limit below the current count only refuses new additions.

        Raises:
            NotImplError: an unknown limit.
            OverflowError: a value that does not fit 32 bits.
            ValueError: the manager is closed.
        """
        _c.bits_manager_set_limit(self._handle(), int(which), int(value))

    def get_limit(self, which: Limit) -> int:
        """The value of one of the store's limits and settings (Limit).

        Raises:
            NotImplError: an unknown limit.
            ValueError: the manager is closed.
        """
        return _c.bits_manager_get_limit(self._handle(), int(which))[1]

    def on_event(self, callback) -> None:
        """Registers callback(event) for the events of every job of the
        store (the notify flags of each job decide which); None
        unregisters. As Job.on_event: one call at a time, where the
        manager's events are delivered; replacing waits for a running
        call; the callback is kept alive as long as the library may call
        it. Unlike a job's callback it does not stop the notify program.

        Raises:
            TypeError: callback is neither callable nor None.
            ValueError: the manager is closed.
        """
        _c.openbits_set_manager_callback(self._handle(), _event_trampoline(callback, self._hub))

    # -- events in your own loop (event_fd=True) ---------------------------------------
    @property
    def event_fd(self) -> int:
        """With event_fd=True: the descriptor that is readable while an
        event is due (a non-blocking timerfd). Watch it for reading and
        call dispatch(); do not read, write or close it.

        Raises:
            InvalidStateError: the manager was not opened with event_fd=True.
            ValueError: the manager is closed.
        """
        return _c.bits_manager_get_event_fd(self._handle())[1]

    def dispatch(self) -> int:
        """With event_fd=True: runs, on this thread, the callbacks of every
        event that is due, and returns how many events were delivered. 0
        too when another thread dispatches right now, or when called from
        a callback of this manager.

        Raises:
            InvalidStateError: the manager was not opened with event_fd=True.
            ValueError: the manager is closed.
        """
        return _c.bits_manager_dispatch(self._handle())[1]

    def log_to_logging(self, level: Optional[int] = logging.DEBUG,
                       logger: Optional[logging.Logger] = None) -> None:
        """Sends what the library does to the `logging` module, as records
        of the logger "openbits" (or `logger`): every state change and why
        (INFO; a transient failure with its retry time WARNING, a failure
        ERROR), and at DEBUG the HTTP requests and responses as curl -v
        shows them, credentials redacted, never bodies. Only lines at
        `level` or above are produced (DEBUG costs a trace of every
        request). None stops. Lines come from the library's notification
        thread (bits_manager_set_log_callback, experimental); their wording
        may change between releases.

        Raises:
            ValueError: the manager is closed.
        """
        if level is None:
            _c.openbits_set_log_callback(self._handle(), 0, None)
            return
        target = logger if logger is not None else logging.getLogger("openbits")
        max_level = (4 if level <= logging.DEBUG else 3 if level <= logging.INFO
                     else 2 if level <= logging.WARNING else 1)
        levels = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}

        def emit(bits_level, message):
            target.log(levels.get(bits_level, logging.INFO), "%s", message)
        _c.openbits_set_log_callback(self._handle(), max_level, emit)
