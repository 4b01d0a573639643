"""Exceptions for failed openbits calls.

Every code of the C library's table (walked with bits_hresult_at) gets a
class, named from the code: BG_E_INVALID_STATE -> InvalidStateError,
BITS_E_INVALIDARG -> InvalidArgError. They derive from BitsError and,
where it is natural, from a built-in exception (ValueError for bad
arguments, PermissionError, FileNotFoundError, KeyError, MemoryError,
NotImplementedError). HTTP statuses raise HttpError with .status.
JobEndedError, an InvalidStateError, is raised by Job.wait for a job
that ended (ACKNOWLEDGED or CANCELLED) short of the awaited states.
BitsWarning reports the success codes that say a call did not do all of
it (BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES).
"""

import builtins

from . import _openbits as _c
from .enums import JobState

__all__ = ["BitsError", "BitsWarning", "HttpError", "JobEndedError", "class_for", "CODES"]


def _unsigned(hr):
    return hr & 0xFFFFFFFF


def _signed(hr):
    hr = _unsigned(hr)
    return hr - (1 << 32) if hr & 0x80000000 else hr


class BitsError(Exception):
    """A failed openbits call. .hresult is the unsigned 32-bit code."""

    hresult = 0x80004005

    def __init__(self, hresult=None, message=None):
        if hresult is None:
            hresult = type(self).hresult
        self.hresult = _unsigned(hresult)
        self.name = _c.bits_hresult_name(_signed(self.hresult))
        self.message = message or _c.bits_hresult_message(_signed(self.hresult))
        super().__init__(f"{self.name} (0x{self.hresult:08X}): {self.message}")

    def __reduce__(self):
        return (type(self), (self.hresult, self.message))


class BitsWarning(UserWarning):
    """A call succeeded with a code that says not everything went as asked
    (Job.complete: BG_S_PARTIAL_COMPLETE; Job.complete and Job.cancel:
    BG_S_UNABLE_TO_DELETE_FILES). .hresult is the code, .name its name.
    Filter it as any warning (warnings.simplefilter, -W)."""

    def __init__(self, hresult):
        self.hresult = _unsigned(hresult)
        self.name = _c.bits_hresult_name(_signed(self.hresult))
        self.message = _c.bits_hresult_message(_signed(self.hresult))
        super().__init__(f"{self.name} (0x{self.hresult:08X}): {self.message}")

    def __reduce__(self):
        return (type(self), (self.hresult,))


class HttpError(BitsError):
    """The server answered with an HTTP status (BG_E_HTTP_ERROR_nnn)."""

    @property
    def status(self):
        return self.hresult - 0x80190000


# Built-in bases for codes where one fits.
_BUILTIN_BASES = {
    "BITS_E_INVALIDARG": (ValueError,),
    "BG_E_STRING_TOO_LONG": (ValueError,),
    "BG_E_USERNAME_TOO_LARGE": (ValueError,),
    "BG_E_PASSWORD_TOO_LARGE": (ValueError,),
    "BG_E_PROXY_LIST_TOO_LARGE": (ValueError,),
    "BG_E_PROXY_BYPASS_LIST_TOO_LARGE": (ValueError,),
    "BG_E_INVALID_AUTH_TARGET": (ValueError,),
    "BG_E_INVALID_AUTH_SCHEME": (ValueError,),
    "BITS_E_NOTIMPL": (NotImplementedError,),
    "BITS_E_ACCESSDENIED": (PermissionError,),
    "BITS_E_FILE_NOT_FOUND": (FileNotFoundError,),
    "BITS_E_PATH_NOT_FOUND": (FileNotFoundError,),
    "BITS_E_OUTOFMEMORY": (MemoryError,),
    "BITS_E_DISK_FULL": (OSError,),
    "BG_E_NOT_FOUND": (KeyError,),
    "BG_E_FILE_NOT_FOUND": (FileNotFoundError,),
}

# Short names the API promises besides the generated ones.
_ALIASES = {"BG_E_EMPTY": "EmptyJobError"}


# Windows spells some words together; Python names read better apart.
_WORDS = {"INVALIDARG": "InvalidArg", "NOTIMPL": "NotImpl", "ACCESSDENIED": "AccessDenied",
          "OUTOFMEMORY": "OutOfMemory", "WINHTTP": "WinHttp"}


def _camel(words):
    return "".join(_WORDS.get(w, w.capitalize()) for w in words.split("_") if w)


def _class_name(code_name, taken):
    """BG_E_INVALID_STATE -> InvalidStateError. When the short name is
    taken (or a built-in), the prefix stays: BG_E_FILE_NOT_FOUND ->
    BgFileNotFoundError."""
    short = code_name
    for prefix in ("BITS_E_", "BG_E_"):
        if short.startswith(prefix):
            short = short[len(prefix):]
            break
    name = _camel(short) + "Error"
    if name in taken or name in dir(builtins):
        name = _camel(code_name.replace("_E_", "_")) + "Error"
    return name


def _make_classes():
    classes = {}
    i = 0
    while True:
        hr, code = _c.bits_hresult_at(i)
        if hr != _c.BITS_S_OK:
            break
        i += 1
        if code >= 0:
            continue  # success codes never raise
        name = _c.bits_hresult_name(code)
        cls = type(_class_name(name, globals()), (BitsError,) + _BUILTIN_BASES.get(name, ()), {
            "hresult": _unsigned(code),
            "__doc__": _c.bits_hresult_message(code),
            "__module__": __name__,
        })
        classes[_unsigned(code)] = cls
        globals()[cls.__name__] = cls
        __all__.append(cls.__name__)
        if name in _ALIASES:
            globals()[_ALIASES[name]] = cls
            __all__.append(_ALIASES[name])
    return classes


_CLASSES = _make_classes()
CODES = {c.__name__: code for code, c in _CLASSES.items()}


def class_for(hresult):
    """The exception class for an (unsigned or signed) code."""
    code = _unsigned(hresult)
    if code in _CLASSES:
        return _CLASSES[code]
    if 0x80190064 <= code <= 0x80190257:
        return HttpError
    return BitsError


class JobEndedError(class_for(_c.BG_E_INVALID_STATE)):
    """Job.wait: the job reached a final state (ACKNOWLEDGED or
    CANCELLED) that was not awaited, so it can never reach the awaited
    ones. An InvalidStateError (BG_E_INVALID_STATE); .state is the final
    state, .awaited the states that were waited for."""

    def __init__(self, state, awaited=(), message=None):
        self.state = JobState(state)
        self.awaited = tuple(sorted(JobState(s) for s in awaited))
        if message is None:
            hope = " or ".join(s.name for s in self.awaited) or "the awaited state"
            message = f"The job ended {self.state.name} and can no longer become {hope}."
        super().__init__(None, message)

    def __reduce__(self):
        return (type(self), (self.state, self.awaited, self.message))


def raise_for(hresult):
    """Raises the exception for a failure code; returns success codes."""
    if _unsigned(hresult) & 0x80000000:
        raise class_for(hresult)(hresult)
    return hresult
