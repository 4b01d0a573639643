"""Manager: one opened job store."""

import logging
import uuid
from typing import Iterator, List, Optional, Union

from . import _openbits as _c
from .enums import JobType, Limit
from .job import Job, _event_trampoline

__all__ = ["Manager"]


class Manager:
    """An opened job store (IBackgroundCopyManager).

    Manager() opens the default store ($XDG_STATE_HOME/openbits);
    Manager(path) another one; Manager(in_memory=True) keeps jobs in memory
    only. Use it as a context manager, or call close().
    """

    def __init__(self, store_dir: Optional[str] = None, in_memory: bool = False):
        flags = _c.BITS_MANAGER_OPEN_IN_MEMORY if in_memory else 0
        self._h = _c.bits_manager_open(store_dir, flags)[1]

    def close(self) -> None:
        """Closes the store; Job objects stay readable. Safe to call twice."""
        h, self._h = getattr(self, "_h", None), None
        if h is not None:
            # Waits for the notification thread; the binding lets go of
            # the manager's callback only then (it may still run until).
            _c.bits_manager_close(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _handle(self):
        if self._h is None:
            raise ValueError("the manager is closed")
        return self._h

    def create_job(self, name: str, type: JobType = JobType.DOWNLOAD) -> Job:
        hr, _id, job = _c.bits_manager_create_job(self._handle(), name, int(type))
        return Job(job)

    def get_job(self, job_id: Union[str, uuid.UUID]) -> Job:
        text = "{%s}" % job_id if isinstance(job_id, uuid.UUID) else job_id
        return Job(_c.bits_manager_get_job(self._handle(), text)[1])

    def jobs(self, all_users: bool = False) -> List[Job]:
        flags = _c.BG_JOB_ENUM_ALL_USERS if all_users else 0
        e = _c.bits_manager_enum_jobs(self._handle(), flags)[1]
        out = []
        try:
            while True:
                hr, job = _c.bits_job_enum_next_one(e)
                if hr != _c.BITS_S_OK:
                    break
                out.append(Job(job))
        finally:
            _c.bits_job_enum_free(e)
        return out

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs())

    def set_limit(self, which: Limit, value: int) -> None:
        _c.bits_manager_set_limit(self._handle(), int(which), int(value))

    def get_limit(self, which: Limit) -> int:
        return _c.bits_manager_get_limit(self._handle(), int(which))[1]

    def on_event(self, callback) -> None:
        """Receives the events of every job; None unregisters. As
        Job.on_event: replacing waits for a running call, and the callback
        is kept alive as long as the library may call it."""
        _c.openbits_set_manager_callback(self._handle(), _event_trampoline(callback))

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
        may change between releases."""
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
