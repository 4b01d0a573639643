"""openbits: BITS download jobs for Linux, from Python.

    import openbits
    with openbits.Manager() as mgr:
        job = mgr.create_job("nightly")
        job.add_file("https://example.org/a.iso", pathlib.Path("/srv/a.iso"))
        job.resume()
        if job.wait(timeout=3600) is openbits.JobState.TRANSFERRED:
            job.complete()

With asyncio, open the manager with event_fd=True (no library thread;
the loop dispatches its events) and await job.wait_async() or iterate
job.events(). Failures raise BitsError subclasses, one per code of the
C library (InvalidStateError, NotFoundError, ...), all importable from
here with the BG_E_* / BITS_* code constants.

The low-level module openbits._openbits mirrors the C API one to one.
"""

from . import _openbits
from .enums import (AuthScheme, AuthTarget, ErrorContext, EventKind, JobState, JobType, Limit,
                    NotifyFlags, Priority, ProxyUsage, SecurityFlags, SIZE_UNKNOWN)
from .errors import BitsError, BitsWarning, HttpError, JobEndedError, class_for
from .errors import *  # noqa: F401,F403 - one class per code
from .job import ErrorInfo, Event, EventStream, File, FileProgress, Job, Progress, Times
from .manager import Manager
from . import _cdocs

_cdocs.attach(Job, "bits_job_")
_cdocs.attach(File, "bits_file_")
_cdocs.attach(Manager, "bits_manager_")

__version__ = _openbits.bits_version_string()

# Every code of the library as a constant with its unsigned value.
_i = 0
while True:
    _hr, _code = _openbits.bits_hresult_at(_i)
    if _hr != _openbits.BITS_S_OK:
        break
    globals()[_openbits.bits_hresult_name(_code)] = _code & 0xFFFFFFFF
    _i += 1
# The HTTP family: BG_E_HTTP_ERROR_<nnn> for the statuses BITS names.
for _name in dir(_openbits):
    if _name.startswith("BG_E_HTTP_ERROR_") and _name[16:].isdigit():
        globals()[_name] = getattr(_openbits, _name) & 0xFFFFFFFF
del _i, _hr, _code, _name

if _openbits.bits_version() < (1 << 16):
    raise ImportError("openbits: the loaded libopenbits is older than 1.0")
