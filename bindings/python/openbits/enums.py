"""The BITS enumerations, with their values read from the C library.

They are int enums (a JobState compares equal to its number, as C's
BG_JOB_STATE_* do) whose str() and format() without a spec give the
name: str(JobState.ERROR) is "ERROR", f"{state}" reads the same, and
f"{state:d}" still gives the number. A combination of flags reads
"JOB_TRANSFERRED|JOB_ERROR".
"""

import enum

from . import _openbits as _c


class _Named:
    """str() and format() give the member's name; a format spec formats
    the number."""

    def __str__(self):
        name = self.name
        return name if name is not None else str(self.value)

    def __format__(self, spec):
        return str(self) if not spec else format(self.value, spec)


class _IntEnum(_Named, enum.IntEnum):
    pass


class _IntFlag(_Named, enum.IntFlag):
    pass


def _members(prefix, names):
    return {name: getattr(_c, prefix + name) for name in names}


JobState = _IntEnum("JobState", _members("BG_JOB_STATE_", [
    "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
    "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"]), module=__name__)
JobState.__doc__ = "The nine BITS job states (BG_JOB_STATE_*)."

JobType = _IntEnum("JobType", _members("BG_JOB_TYPE_", [
    "DOWNLOAD", "UPLOAD", "UPLOAD_REPLY"]), module=__name__)
JobType.__doc__ = "BG_JOB_TYPE_*: only DOWNLOAD is implemented."

Priority = _IntEnum("Priority", _members("BG_JOB_PRIORITY_", [
    "FOREGROUND", "HIGH", "NORMAL", "LOW"]), module=__name__)
Priority.__doc__ = "BG_JOB_PRIORITY_*: FOREGROUND jobs run at once, the others take turns."

ErrorContext = _IntEnum("ErrorContext", _members("BG_ERROR_CONTEXT_", [
    "NONE", "UNKNOWN", "GENERAL_QUEUE_MANAGER", "QUEUE_MANAGER_NOTIFICATION",
    "LOCAL_FILE", "REMOTE_FILE", "GENERAL_TRANSPORT", "REMOTE_APPLICATION",
    "SERVER_CERTIFICATE_CALLBACK"]), module=__name__)
ErrorContext.__doc__ = "Where an error happened (BG_ERROR_CONTEXT_*)."

ProxyUsage = _IntEnum("ProxyUsage", _members("BG_JOB_PROXY_USAGE_", [
    "PRECONFIG", "NO_PROXY", "OVERRIDE", "AUTODETECT"]), module=__name__)
ProxyUsage.__doc__ = "BG_JOB_PROXY_USAGE_*; PRECONFIG uses the environment."

AuthTarget = _IntEnum("AuthTarget", _members("BG_AUTH_TARGET_", ["SERVER", "PROXY"]),
                      module=__name__)
AuthTarget.__doc__ = "Whom credentials are for (BG_AUTH_TARGET_*)."
AuthScheme = _IntEnum("AuthScheme", _members("BG_AUTH_SCHEME_", [
    "BASIC", "DIGEST", "NTLM", "NEGOTIATE", "PASSPORT"]), module=__name__)
AuthScheme.__doc__ = "The authentication scheme of credentials (BG_AUTH_SCHEME_*)."

NotifyFlags = _IntFlag("NotifyFlags", _members("BG_NOTIFY_", [
    "JOB_TRANSFERRED", "JOB_ERROR", "DISABLE", "JOB_MODIFICATION", "FILE_TRANSFERRED",
    "FILE_RANGES_TRANSFERRED"]), module=__name__)
NotifyFlags.__doc__ = "Which events a job delivers (BG_NOTIFY_*)."

EventKind = _IntEnum("EventKind", _members("BITS_EVENT_", [
    "JOB_TRANSFERRED", "JOB_ERROR", "JOB_MODIFICATION", "FILE_TRANSFERRED"]), module=__name__)
EventKind.__doc__ = "The kind of an event (same numbers as the notify flags)."

SecurityFlags = _IntFlag("SecurityFlags", {
    "ENABLE_CRL_CHECK": _c.BG_SSL_ENABLE_CRL_CHECK,
    "IGNORE_CERT_CN_INVALID": _c.BG_SSL_IGNORE_CERT_CN_INVALID,
    "IGNORE_CERT_DATE_INVALID": _c.BG_SSL_IGNORE_CERT_DATE_INVALID,
    "IGNORE_UNKNOWN_CA": _c.BG_SSL_IGNORE_UNKNOWN_CA,
    "IGNORE_CERT_WRONG_USAGE": _c.BG_SSL_IGNORE_CERT_WRONG_USAGE,
    "REDIRECT_POLICY_ALLOW_REPORT": _c.BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT,
    "REDIRECT_POLICY_DISALLOW": _c.BG_HTTP_REDIRECT_POLICY_DISALLOW,
    "REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP": _c.BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP,
}, module=__name__)
SecurityFlags.__doc__ = "TLS and redirect flags (BG_SSL_*, BG_HTTP_REDIRECT_POLICY_*)."

Limit = _IntEnum("Limit", _members("BITS_LIMIT_", [
    "JOBS", "FILES_PER_JOB", "RANGES_PER_FILE", "MAX_BANDWIDTH", "TIME_SLICE_MS",
    "STALL_TIMEOUT"]), module=__name__)
Limit.__doc__ = "Limits and settings of a store (bits_manager_set_limit)."

SIZE_UNKNOWN = (1 << 64) - 1
"""A size not known yet (C's BITS_SIZE_UNKNOWN); Progress shows it as None."""
