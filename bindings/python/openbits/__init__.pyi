# Type stub of the openbits package: every public name of `import openbits`.
#
# Written by hand, except the section between the two marker lines below
# (the enumerations, one exception class per code of the C code table and
# every code constant), which tools/gen_python_stub.py writes from the
# built module; the python_stub test fails when it is out of date. The
# python_stubtest test checks the stubs against the runtime
# (python3 -m mypy.stubtest openbits), python_mypy the examples in
# examples/python against them (mypy --strict).

import dataclasses
import datetime
import enum
import logging
import os
import types
import uuid
from typing import (Any, Callable, ClassVar, Dict, Final, Iterable, Iterator, List, Optional,
                    Tuple, Type, Union)

# The modules the package is made of; what they define is typed here, and
# their stubs (enums.pyi, errors.pyi, job.pyi, manager.pyi) re-export it.
from . import enums as enums, errors as errors, job as job, manager as manager

# A path (or a local URL): str, bytes or os.PathLike, as os.fspath takes.
_Path = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]
# What a wait accepts as `until`: one state or several.
_States = Union[JobState, Iterable[JobState]]

__version__: str
SIZE_UNKNOWN: int
CODES: Dict[str, int]

# ---- exceptions and warnings -------------------------------------------------------------

class BitsError(Exception):
    hresult: int
    name: str
    message: str
    def __init__(self, hresult: Optional[int] = ..., message: Optional[str] = ...) -> None: ...

class HttpError(BitsError):
    @property
    def status(self) -> int: ...

class JobEndedError(InvalidStateError):
    state: JobState
    awaited: Tuple[JobState, ...]
    def __init__(self, state: JobState, awaited: Iterable[JobState] = ...,
                 message: Optional[str] = ...) -> None: ...

class BitsWarning(UserWarning):
    hresult: int
    name: str
    message: str
    def __init__(self, hresult: int) -> None: ...

def class_for(hresult: int) -> Type[BitsError]: ...

# ---- values ---------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Progress:
    bytes_total: Optional[int]
    bytes_transferred: int
    files_total: int
    files_transferred: int

@dataclasses.dataclass(frozen=True)
class FileProgress:
    bytes_total: Optional[int]
    bytes_transferred: int
    completed: bool

@dataclasses.dataclass(frozen=True)
class Times:
    creation: datetime.datetime
    modification: datetime.datetime
    transfer_completion: Optional[datetime.datetime]

@dataclasses.dataclass(frozen=True)
class ErrorInfo:
    code: int
    context: ErrorContext
    description: str
    context_description: str
    protocol: Optional[str]
    file: Optional[File]
    @property
    def name(self) -> str: ...

@dataclasses.dataclass(frozen=True)
class Event:
    kind: EventKind
    state: JobState
    error_code: int
    job: Job
    file: Optional[File]

# ---- files, jobs, managers ------------------------------------------------------------------

class File:
    def __init__(self, handle: Any) -> None: ...
    @property
    def remote_name(self) -> str: ...
    @remote_name.setter
    def remote_name(self, url: _Path) -> None: ...
    @property
    def local_name(self) -> str: ...
    @property
    def temporary_name(self) -> Optional[str]: ...
    @property
    def progress(self) -> FileProgress: ...

class EventStream:
    def __init__(self, job: Job) -> None: ...
    def __aiter__(self) -> EventStream: ...
    async def __anext__(self) -> Event: ...
    async def aclose(self) -> None: ...
    async def __aenter__(self) -> EventStream: ...
    async def __aexit__(self, *exc: object) -> None: ...

class Job:
    def __init__(self, handle: Any, owned: bool = ..., hub: Any = ...) -> None: ...
    def release(self) -> None: ...
    def __enter__(self) -> Job: ...
    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[types.TracebackType]) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    # identity and state
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def id_str(self) -> str: ...
    @property
    def state(self) -> JobState: ...
    @property
    def type(self) -> JobType: ...
    @property
    def owner(self) -> str: ...
    # files
    def add_file(self, url: _Path, path: _Path) -> None: ...
    def add_files(self, pairs: Iterable[Tuple[_Path, _Path]]) -> None: ...
    @property
    def files(self) -> List[File]: ...
    # life cycle
    def resume(self) -> None: ...
    def suspend(self) -> None: ...
    def cancel(self) -> None: ...
    def complete(self) -> None: ...
    # waiting
    def wait(self, until: _States = ..., timeout: Optional[float] = ...) -> JobState: ...
    async def wait_async(self, until: _States = ..., timeout: Optional[float] = ...) -> JobState: ...
    def events(self) -> EventStream: ...
    # progress, times, errors
    @property
    def progress(self) -> Progress: ...
    @property
    def times(self) -> Times: ...
    @property
    def error(self) -> Optional[ErrorInfo]: ...
    @property
    def error_count(self) -> int: ...
    # properties
    @property
    def display_name(self) -> str: ...
    @display_name.setter
    def display_name(self, value: str) -> None: ...
    @property
    def description(self) -> str: ...
    @description.setter
    def description(self, value: str) -> None: ...
    @property
    def priority(self) -> Priority: ...
    @priority.setter
    def priority(self, value: Priority) -> None: ...
    @property
    def notify_flags(self) -> NotifyFlags: ...
    @notify_flags.setter
    def notify_flags(self, value: NotifyFlags) -> None: ...
    @property
    def minimum_retry_delay(self) -> int: ...
    @minimum_retry_delay.setter
    def minimum_retry_delay(self, value: int) -> None: ...
    @property
    def no_progress_timeout(self) -> int: ...
    @no_progress_timeout.setter
    def no_progress_timeout(self, value: int) -> None: ...
    @property
    def maximum_download_time(self) -> int: ...
    @maximum_download_time.setter
    def maximum_download_time(self, value: int) -> None: ...
    @property
    def minimum_notification_interval(self) -> int: ...
    @minimum_notification_interval.setter
    def minimum_notification_interval(self, value: int) -> None: ...
    @property
    def security_flags(self) -> SecurityFlags: ...
    @security_flags.setter
    def security_flags(self, value: SecurityFlags) -> None: ...
    @property
    def dynamic_content(self) -> bool: ...
    @dynamic_content.setter
    def dynamic_content(self, value: bool) -> None: ...
    @property
    def max_download_size(self) -> int: ...
    @max_download_size.setter
    def max_download_size(self, value: int) -> None: ...
    @property
    def max_bandwidth(self) -> int: ...
    @max_bandwidth.setter
    def max_bandwidth(self, value: int) -> None: ...
    @property
    def files_in_flight(self) -> int: ...
    @files_in_flight.setter
    def files_in_flight(self, value: int) -> None: ...
    @property
    def custom_headers(self) -> Optional[str]: ...
    @custom_headers.setter
    def custom_headers(self, headers: Optional[str]) -> None: ...
    def make_custom_headers_write_only(self) -> None: ...
    @property
    def notify_cmd_line(self) -> Optional[Tuple[str, Optional[str]]]: ...
    @notify_cmd_line.setter
    def notify_cmd_line(self, value: Optional[Tuple[_Path, Optional[str]]]) -> None: ...
    @property
    def proxy_settings(self) -> Tuple[ProxyUsage, Optional[str], Optional[str]]: ...
    def set_proxy_settings(self, usage: ProxyUsage, proxy_list: Optional[str] = ...,
                           bypass_list: Optional[str] = ...) -> None: ...
    def set_credentials(self, target: AuthTarget, scheme: AuthScheme, user_name: Optional[str],
                        password: Optional[str]) -> None: ...
    def remove_credentials(self, target: AuthTarget, scheme: AuthScheme) -> bool: ...
    # events
    def on_event(self, callback: Optional[Callable[[Event], object]]) -> None: ...

class Manager:
    def __init__(self, store_dir: Optional[_Path] = ..., *, in_memory: bool = ...,
                 event_fd: bool = ...) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Manager: ...
    def __exit__(self, *exc: object) -> None: ...
    def create_job(self, name: str, type: JobType = ...) -> Job: ...
    def get_job(self, job_id: Union[str, uuid.UUID]) -> Job: ...
    def jobs(self, all_users: bool = ...) -> List[Job]: ...
    def __iter__(self) -> Iterator[Job]: ...
    def set_limit(self, which: Limit, value: int) -> None: ...
    def get_limit(self, which: Limit) -> int: ...
    def on_event(self, callback: Optional[Callable[[Event], object]]) -> None: ...
    @property
    def event_fd(self) -> int: ...
    def dispatch(self) -> int: ...
    def log_to_logging(self, level: Optional[int] = ...,
                       logger: Optional[logging.Logger] = ...) -> None: ...

# ---- generated by tools/gen_python_stub.py from the built module: do not edit ----

# Enumerations (values from the C headers).
class AuthScheme(enum.IntEnum):
    BASIC = 1
    DIGEST = 2
    NTLM = 3
    NEGOTIATE = 4
    PASSPORT = 5

class AuthTarget(enum.IntEnum):
    SERVER = 1
    PROXY = 2

class ErrorContext(enum.IntEnum):
    NONE = 0
    UNKNOWN = 1
    GENERAL_QUEUE_MANAGER = 2
    QUEUE_MANAGER_NOTIFICATION = 3
    LOCAL_FILE = 4
    REMOTE_FILE = 5
    GENERAL_TRANSPORT = 6
    REMOTE_APPLICATION = 7
    SERVER_CERTIFICATE_CALLBACK = 8

class EventKind(enum.IntEnum):
    JOB_TRANSFERRED = 1
    JOB_ERROR = 2
    JOB_MODIFICATION = 8
    FILE_TRANSFERRED = 16

class JobState(enum.IntEnum):
    QUEUED = 0
    CONNECTING = 1
    TRANSFERRING = 2
    SUSPENDED = 3
    ERROR = 4
    TRANSIENT_ERROR = 5
    TRANSFERRED = 6
    ACKNOWLEDGED = 7
    CANCELLED = 8

class JobType(enum.IntEnum):
    DOWNLOAD = 0
    UPLOAD = 1
    UPLOAD_REPLY = 2

class Limit(enum.IntEnum):
    JOBS = 1
    FILES_PER_JOB = 2
    RANGES_PER_FILE = 3
    MAX_BANDWIDTH = 4
    TIME_SLICE_MS = 5
    STALL_TIMEOUT = 6

class NotifyFlags(enum.IntFlag):
    JOB_TRANSFERRED = 0x1
    JOB_ERROR = 0x2
    DISABLE = 0x4
    JOB_MODIFICATION = 0x8
    FILE_TRANSFERRED = 0x10
    FILE_RANGES_TRANSFERRED = 0x20

class Priority(enum.IntEnum):
    FOREGROUND = 0
    HIGH = 1
    NORMAL = 2
    LOW = 3

class ProxyUsage(enum.IntEnum):
    PRECONFIG = 0
    NO_PROXY = 1
    OVERRIDE = 2
    AUTODETECT = 3

class SecurityFlags(enum.IntFlag):
    ENABLE_CRL_CHECK = 0x1
    IGNORE_CERT_CN_INVALID = 0x2
    IGNORE_CERT_DATE_INVALID = 0x4
    IGNORE_UNKNOWN_CA = 0x8
    IGNORE_CERT_WRONG_USAGE = 0x10
    REDIRECT_POLICY_ALLOW_REPORT = 0x100
    REDIRECT_POLICY_DISALLOW = 0x200
    REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP = 0x800

# One exception class per failure code of the C code table (bits_hresult_at).
class PendingError(BitsError): ...  # BITS_E_PENDING
class NotImplError(BitsError, NotImplementedError): ...  # BITS_E_NOTIMPL
class FailError(BitsError): ...  # BITS_E_FAIL
class BitsFileNotFoundError(BitsError, FileNotFoundError): ...  # BITS_E_FILE_NOT_FOUND
class PathNotFoundError(BitsError, FileNotFoundError): ...  # BITS_E_PATH_NOT_FOUND
class AccessDeniedError(BitsError, PermissionError): ...  # BITS_E_ACCESSDENIED
class OutOfMemoryError(BitsError, MemoryError): ...  # BITS_E_OUTOFMEMORY
class InvalidArgError(BitsError, ValueError): ...  # BITS_E_INVALIDARG
class DiskFullError(BitsError, OSError): ...  # BITS_E_DISK_FULL
class BusyError(BitsError): ...  # BITS_E_BUSY
class WinHttpTimeoutError(BitsError): ...  # BITS_E_WINHTTP_TIMEOUT
class WinHttpNameNotResolvedError(BitsError): ...  # BITS_E_WINHTTP_NAME_NOT_RESOLVED
class WinHttpCannotConnectError(BitsError): ...  # BITS_E_WINHTTP_CANNOT_CONNECT
class WinHttpConnectionErrorError(BitsError): ...  # BITS_E_WINHTTP_CONNECTION_ERROR
class WinHttpClientAuthCertNeededError(BitsError): ...  # BITS_E_WINHTTP_CLIENT_AUTH_CERT_NEEDED
class WinHttpSecureCertRevFailedError(BitsError): ...  # BITS_E_WINHTTP_SECURE_CERT_REV_FAILED
class WinHttpInvalidServerResponseError(BitsError): ...  # BITS_E_WINHTTP_INVALID_SERVER_RESPONSE
class WinHttpRedirectFailedError(BitsError): ...  # BITS_E_WINHTTP_REDIRECT_FAILED
class WinHttpSecureCertRevokedError(BitsError): ...  # BITS_E_WINHTTP_SECURE_CERT_REVOKED
class WinHttpSecureFailureError(BitsError): ...  # BITS_E_WINHTTP_SECURE_FAILURE
class NotFoundError(BitsError, KeyError): ...  # BG_E_NOT_FOUND
class InvalidStateError(BitsError): ...  # BG_E_INVALID_STATE
class EmptyError(BitsError): ...  # BG_E_EMPTY
class FileNotAvailableError(BitsError): ...  # BG_E_FILE_NOT_AVAILABLE
class ProtocolNotAvailableError(BitsError): ...  # BG_E_PROTOCOL_NOT_AVAILABLE
class ErrorContextUnknownError(BitsError): ...  # BG_E_ERROR_CONTEXT_UNKNOWN
class ErrorContextGeneralQueueManagerError(BitsError): ...  # BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER
class ErrorContextLocalFileError(BitsError): ...  # BG_E_ERROR_CONTEXT_LOCAL_FILE
class ErrorContextRemoteFileError(BitsError): ...  # BG_E_ERROR_CONTEXT_REMOTE_FILE
class ErrorContextGeneralTransportError(BitsError): ...  # BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT
class ErrorContextQueueManagerNotificationError(BitsError): ...  # BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION
class DestinationLockedError(BitsError): ...  # BG_E_DESTINATION_LOCKED
class VolumeChangedError(BitsError): ...  # BG_E_VOLUME_CHANGED
class ErrorInformationUnavailableError(BitsError): ...  # BG_E_ERROR_INFORMATION_UNAVAILABLE
class NetworkDisconnectedError(BitsError): ...  # BG_E_NETWORK_DISCONNECTED
class MissingFileSizeError(BitsError): ...  # BG_E_MISSING_FILE_SIZE
class InsufficientHttpSupportError(BitsError): ...  # BG_E_INSUFFICIENT_HTTP_SUPPORT
class InsufficientRangeSupportError(BitsError): ...  # BG_E_INSUFFICIENT_RANGE_SUPPORT
class RemoteNotSupportedError(BitsError): ...  # BG_E_REMOTE_NOT_SUPPORTED
class NewOwnerDiffMappingError(BitsError): ...  # BG_E_NEW_OWNER_DIFF_MAPPING
class NewOwnerNoFileAccessError(BitsError): ...  # BG_E_NEW_OWNER_NO_FILE_ACCESS
class ProxyListTooLargeError(BitsError, ValueError): ...  # BG_E_PROXY_LIST_TOO_LARGE
class ProxyBypassListTooLargeError(BitsError, ValueError): ...  # BG_E_PROXY_BYPASS_LIST_TOO_LARGE
class InvalidServerResponseError(BitsError): ...  # BG_E_INVALID_SERVER_RESPONSE
class TooManyFilesError(BitsError): ...  # BG_E_TOO_MANY_FILES
class LocalFileChangedError(BitsError): ...  # BG_E_LOCAL_FILE_CHANGED
class ErrorContextRemoteApplicationError(BitsError): ...  # BG_E_ERROR_CONTEXT_REMOTE_APPLICATION
class SessionNotFoundError(BitsError): ...  # BG_E_SESSION_NOT_FOUND
class TooLargeError(BitsError): ...  # BG_E_TOO_LARGE
class StringTooLongError(BitsError, ValueError): ...  # BG_E_STRING_TOO_LONG
class ClientServerProtocolMismatchError(BitsError): ...  # BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH
class ServerExecuteEnableError(BitsError): ...  # BG_E_SERVER_EXECUTE_ENABLE
class NoProgressError(BitsError): ...  # BG_E_NO_PROGRESS
class UsernameTooLargeError(BitsError, ValueError): ...  # BG_E_USERNAME_TOO_LARGE
class PasswordTooLargeError(BitsError, ValueError): ...  # BG_E_PASSWORD_TOO_LARGE
class InvalidAuthTargetError(BitsError, ValueError): ...  # BG_E_INVALID_AUTH_TARGET
class InvalidAuthSchemeError(BitsError, ValueError): ...  # BG_E_INVALID_AUTH_SCHEME
class BgFileNotFoundError(BitsError, FileNotFoundError): ...  # BG_E_FILE_NOT_FOUND
class InvalidRangeError(BitsError): ...  # BG_E_INVALID_RANGE
class OverlappingRangesError(BitsError): ...  # BG_E_OVERLAPPING_RANGES
class ConnectFailureError(BitsError): ...  # BG_E_CONNECT_FAILURE
class ConnectionClosedError(BitsError): ...  # BG_E_CONNECTION_CLOSED
class BlockedByPolicyError(BitsError): ...  # BG_E_BLOCKED_BY_POLICY
class InvalidProxyInfoError(BitsError): ...  # BG_E_INVALID_PROXY_INFO
class InvalidCredentialsError(BitsError): ...  # BG_E_INVALID_CREDENTIALS
class InvalidHashAlgorithmError(BitsError): ...  # BG_E_INVALID_HASH_ALGORITHM
class RecordDeletedError(BitsError): ...  # BG_E_RECORD_DELETED
class CommitInProgressError(BitsError): ...  # BG_E_COMMIT_IN_PROGRESS
class DiscoveryInProgressError(BitsError): ...  # BG_E_DISCOVERY_IN_PROGRESS
class UpnpErrorError(BitsError): ...  # BG_E_UPNP_ERROR
class TestOptionBlockedDownloadError(BitsError): ...  # BG_E_TEST_OPTION_BLOCKED_DOWNLOAD
class PeercachingDisabledError(BitsError): ...  # BG_E_PEERCACHING_DISABLED
class BusycacherecordError(BitsError): ...  # BG_E_BUSYCACHERECORD
class TooManyJobsPerUserError(BitsError): ...  # BG_E_TOO_MANY_JOBS_PER_USER
class TooManyJobsPerMachineError(BitsError): ...  # BG_E_TOO_MANY_JOBS_PER_MACHINE
class TooManyFilesInJobError(BitsError): ...  # BG_E_TOO_MANY_FILES_IN_JOB
class TooManyRangesInFileError(BitsError): ...  # BG_E_TOO_MANY_RANGES_IN_FILE
class ValidationFailedError(BitsError): ...  # BG_E_VALIDATION_FAILED
class MaxdownloadTimeoutError(BitsError): ...  # BG_E_MAXDOWNLOAD_TIMEOUT
class TokenRequiredError(BitsError): ...  # BG_E_TOKEN_REQUIRED
class UnknownPropertyIdError(BitsError): ...  # BG_E_UNKNOWN_PROPERTY_ID
class ReadOnlyPropertyError(BitsError): ...  # BG_E_READ_ONLY_PROPERTY
class BlockedByCostTransferPolicyError(BitsError): ...  # BG_E_BLOCKED_BY_COST_TRANSFER_POLICY
class PropertySupportedForDownloadJobsOnlyError(BitsError): ...  # BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY
class ReadOnlyPropertyAfterAddfileError(BitsError): ...  # BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE
class ReadOnlyPropertyAfterResumeError(BitsError): ...  # BG_E_READ_ONLY_PROPERTY_AFTER_RESUME
class MaxDownloadSizeInvalidValueError(BitsError): ...  # BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE
class MaxDownloadSizeLimitReachedError(BitsError): ...  # BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED
class StandbyModeError(BitsError): ...  # BG_E_STANDBY_MODE
class UseStoredCredentialsNotSupportedError(BitsError): ...  # BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED
class BlockedByBatteryPolicyError(BitsError): ...  # BG_E_BLOCKED_BY_BATTERY_POLICY
class BlockedByBatterySaverError(BitsError): ...  # BG_E_BLOCKED_BY_BATTERY_SAVER
class WatchdogTimeoutError(BitsError): ...  # BG_E_WATCHDOG_TIMEOUT
class AppPackageNotFoundError(BitsError): ...  # BG_E_APP_PACKAGE_NOT_FOUND
class AppPackageScenarioNotSupportedError(BitsError): ...  # BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED
class DatabaseCorruptError(BitsError): ...  # BG_E_DATABASE_CORRUPT
class RandomAccessNotSupportedError(BitsError): ...  # BG_E_RANDOM_ACCESS_NOT_SUPPORTED
class BlockedByBackgroundAccessPolicyError(BitsError): ...  # BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY
class BlockedByGameModeError(BitsError): ...  # BG_E_BLOCKED_BY_GAME_MODE
class BlockedBySystemPolicyError(BitsError): ...  # BG_E_BLOCKED_BY_SYSTEM_POLICY
class NotSupportedWithCustomHttpMethodError(BitsError): ...  # BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD
class UnsupportedJobConfigurationError(BitsError): ...  # BG_E_UNSUPPORTED_JOB_CONFIGURATION
class RemoteFileChangedError(BitsError): ...  # BG_E_REMOTE_FILE_CHANGED
class ServerCertValidationInterfaceRequiredError(BitsError): ...  # BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED
class ReadOnlyWhenJobActiveError(BitsError): ...  # BG_E_READ_ONLY_WHEN_JOB_ACTIVE
class ErrorContextServerCertificateCallbackError(BitsError): ...  # BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK

EmptyJobError = EmptyError

# Every code as an unsigned constant (HTTP statuses included).
BG_E_APP_PACKAGE_NOT_FOUND: Final = 0x8020006a
BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED: Final = 0x8020006b
BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY: Final = 0x8020006e
BG_E_BLOCKED_BY_BATTERY_POLICY: Final = 0x80200067
BG_E_BLOCKED_BY_BATTERY_SAVER: Final = 0x80200068
BG_E_BLOCKED_BY_COST_TRANSFER_POLICY: Final = 0x80200059
BG_E_BLOCKED_BY_GAME_MODE: Final = 0x8020006f
BG_E_BLOCKED_BY_POLICY: Final = 0x8020003e
BG_E_BLOCKED_BY_SYSTEM_POLICY: Final = 0x80200070
BG_E_BUSYCACHERECORD: Final = 0x80200048
BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH: Final = 0x80200022
BG_E_COMMIT_IN_PROGRESS: Final = 0x80200043
BG_E_CONNECTION_CLOSED: Final = 0x8020002e
BG_E_CONNECT_FAILURE: Final = 0x8020002d
BG_E_DATABASE_CORRUPT: Final = 0x8020006c
BG_E_DESTINATION_LOCKED: Final = 0x8020000d
BG_E_DISCOVERY_IN_PROGRESS: Final = 0x80200044
BG_E_EMPTY: Final = 0x80200003
BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER: Final = 0x80200008
BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT: Final = 0x8020000b
BG_E_ERROR_CONTEXT_LOCAL_FILE: Final = 0x80200009
BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION: Final = 0x8020000c
BG_E_ERROR_CONTEXT_REMOTE_APPLICATION: Final = 0x8020001e
BG_E_ERROR_CONTEXT_REMOTE_FILE: Final = 0x8020000a
BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK: Final = 0x80200076
BG_E_ERROR_CONTEXT_UNKNOWN: Final = 0x80200007
BG_E_ERROR_INFORMATION_UNAVAILABLE: Final = 0x8020000f
BG_E_FILE_NOT_AVAILABLE: Final = 0x80200004
BG_E_FILE_NOT_FOUND: Final = 0x80200029
BG_E_HTTP_ERROR_100: Final = 0x80190064
BG_E_HTTP_ERROR_101: Final = 0x80190065
BG_E_HTTP_ERROR_200: Final = 0x801900c8
BG_E_HTTP_ERROR_201: Final = 0x801900c9
BG_E_HTTP_ERROR_202: Final = 0x801900ca
BG_E_HTTP_ERROR_203: Final = 0x801900cb
BG_E_HTTP_ERROR_204: Final = 0x801900cc
BG_E_HTTP_ERROR_205: Final = 0x801900cd
BG_E_HTTP_ERROR_206: Final = 0x801900ce
BG_E_HTTP_ERROR_300: Final = 0x8019012c
BG_E_HTTP_ERROR_301: Final = 0x8019012d
BG_E_HTTP_ERROR_302: Final = 0x8019012e
BG_E_HTTP_ERROR_303: Final = 0x8019012f
BG_E_HTTP_ERROR_304: Final = 0x80190130
BG_E_HTTP_ERROR_305: Final = 0x80190131
BG_E_HTTP_ERROR_307: Final = 0x80190133
BG_E_HTTP_ERROR_400: Final = 0x80190190
BG_E_HTTP_ERROR_401: Final = 0x80190191
BG_E_HTTP_ERROR_402: Final = 0x80190192
BG_E_HTTP_ERROR_403: Final = 0x80190193
BG_E_HTTP_ERROR_404: Final = 0x80190194
BG_E_HTTP_ERROR_405: Final = 0x80190195
BG_E_HTTP_ERROR_406: Final = 0x80190196
BG_E_HTTP_ERROR_407: Final = 0x80190197
BG_E_HTTP_ERROR_408: Final = 0x80190198
BG_E_HTTP_ERROR_409: Final = 0x80190199
BG_E_HTTP_ERROR_410: Final = 0x8019019a
BG_E_HTTP_ERROR_411: Final = 0x8019019b
BG_E_HTTP_ERROR_412: Final = 0x8019019c
BG_E_HTTP_ERROR_413: Final = 0x8019019d
BG_E_HTTP_ERROR_414: Final = 0x8019019e
BG_E_HTTP_ERROR_415: Final = 0x8019019f
BG_E_HTTP_ERROR_416: Final = 0x801901a0
BG_E_HTTP_ERROR_417: Final = 0x801901a1
BG_E_HTTP_ERROR_449: Final = 0x801901c1
BG_E_HTTP_ERROR_500: Final = 0x801901f4
BG_E_HTTP_ERROR_501: Final = 0x801901f5
BG_E_HTTP_ERROR_502: Final = 0x801901f6
BG_E_HTTP_ERROR_503: Final = 0x801901f7
BG_E_HTTP_ERROR_504: Final = 0x801901f8
BG_E_HTTP_ERROR_505: Final = 0x801901f9
BG_E_INSUFFICIENT_HTTP_SUPPORT: Final = 0x80200012
BG_E_INSUFFICIENT_RANGE_SUPPORT: Final = 0x80200013
BG_E_INVALID_AUTH_SCHEME: Final = 0x80200028
BG_E_INVALID_AUTH_TARGET: Final = 0x80200027
BG_E_INVALID_CREDENTIALS: Final = 0x80200040
BG_E_INVALID_HASH_ALGORITHM: Final = 0x80200041
BG_E_INVALID_PROXY_INFO: Final = 0x8020003f
BG_E_INVALID_RANGE: Final = 0x8020002b
BG_E_INVALID_SERVER_RESPONSE: Final = 0x8020001b
BG_E_INVALID_STATE: Final = 0x80200002
BG_E_LOCAL_FILE_CHANGED: Final = 0x8020001d
BG_E_MAXDOWNLOAD_TIMEOUT: Final = 0x80200054
BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE: Final = 0x80200063
BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED: Final = 0x80200064
BG_E_MISSING_FILE_SIZE: Final = 0x80200011
BG_E_NETWORK_DISCONNECTED: Final = 0x80200010
BG_E_NEW_OWNER_DIFF_MAPPING: Final = 0x80200015
BG_E_NEW_OWNER_NO_FILE_ACCESS: Final = 0x80200016
BG_E_NOT_FOUND: Final = 0x80200001
BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD: Final = 0x80200071
BG_E_NO_PROGRESS: Final = 0x80200024
BG_E_OVERLAPPING_RANGES: Final = 0x8020002c
BG_E_PASSWORD_TOO_LARGE: Final = 0x80200026
BG_E_PEERCACHING_DISABLED: Final = 0x80200047
BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY: Final = 0x80200060
BG_E_PROTOCOL_NOT_AVAILABLE: Final = 0x80200005
BG_E_PROXY_BYPASS_LIST_TOO_LARGE: Final = 0x80200019
BG_E_PROXY_LIST_TOO_LARGE: Final = 0x80200018
BG_E_RANDOM_ACCESS_NOT_SUPPORTED: Final = 0x8020006d
BG_E_READ_ONLY_PROPERTY: Final = 0x80200058
BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE: Final = 0x80200061
BG_E_READ_ONLY_PROPERTY_AFTER_RESUME: Final = 0x80200062
BG_E_READ_ONLY_WHEN_JOB_ACTIVE: Final = 0x80200075
BG_E_RECORD_DELETED: Final = 0x80200042
BG_E_REMOTE_FILE_CHANGED: Final = 0x80200073
BG_E_REMOTE_NOT_SUPPORTED: Final = 0x80200014
BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED: Final = 0x80200074
BG_E_SERVER_EXECUTE_ENABLE: Final = 0x80200023
BG_E_SESSION_NOT_FOUND: Final = 0x8020001f
BG_E_STANDBY_MODE: Final = 0x80200065
BG_E_STRING_TOO_LONG: Final = 0x80200021
BG_E_TEST_OPTION_BLOCKED_DOWNLOAD: Final = 0x80200046
BG_E_TOKEN_REQUIRED: Final = 0x80200056
BG_E_TOO_LARGE: Final = 0x80200020
BG_E_TOO_MANY_FILES: Final = 0x8020001c
BG_E_TOO_MANY_FILES_IN_JOB: Final = 0x80200051
BG_E_TOO_MANY_JOBS_PER_MACHINE: Final = 0x80200050
BG_E_TOO_MANY_JOBS_PER_USER: Final = 0x80200049
BG_E_TOO_MANY_RANGES_IN_FILE: Final = 0x80200052
BG_E_UNKNOWN_PROPERTY_ID: Final = 0x80200057
BG_E_UNSUPPORTED_JOB_CONFIGURATION: Final = 0x80200072
BG_E_UPNP_ERROR: Final = 0x80200045
BG_E_USERNAME_TOO_LARGE: Final = 0x80200025
BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED: Final = 0x80200066
BG_E_VALIDATION_FAILED: Final = 0x80200053
BG_E_VOLUME_CHANGED: Final = 0x8020000e
BG_E_WATCHDOG_TIMEOUT: Final = 0x80200069
BG_S_ERROR_CONTEXT_NONE: Final = 0x00200006
BG_S_OVERRIDDEN_BY_POLICY: Final = 0x00200055
BG_S_PARTIAL_COMPLETE: Final = 0x00200017
BG_S_PROXY_CHANGED: Final = 0x0020002a
BG_S_UNABLE_TO_DELETE_FILES: Final = 0x0020001a
BITS_E_ACCESSDENIED: Final = 0x80070005
BITS_E_BUSY: Final = 0x800700aa
BITS_E_DISK_FULL: Final = 0x80070070
BITS_E_FAIL: Final = 0x80004005
BITS_E_FILE_NOT_FOUND: Final = 0x80070002
BITS_E_INVALIDARG: Final = 0x80070057
BITS_E_NOTIMPL: Final = 0x80004001
BITS_E_OUTOFMEMORY: Final = 0x8007000e
BITS_E_PATH_NOT_FOUND: Final = 0x80070003
BITS_E_PENDING: Final = 0x8000000a
BITS_E_WINHTTP_CANNOT_CONNECT: Final = 0x80072efd
BITS_E_WINHTTP_CLIENT_AUTH_CERT_NEEDED: Final = 0x80072f0c
BITS_E_WINHTTP_CONNECTION_ERROR: Final = 0x80072efe
BITS_E_WINHTTP_INVALID_SERVER_RESPONSE: Final = 0x80072f78
BITS_E_WINHTTP_NAME_NOT_RESOLVED: Final = 0x80072ee7
BITS_E_WINHTTP_REDIRECT_FAILED: Final = 0x80072f7c
BITS_E_WINHTTP_SECURE_CERT_REVOKED: Final = 0x80072f8a
BITS_E_WINHTTP_SECURE_CERT_REV_FAILED: Final = 0x80072f19
BITS_E_WINHTTP_SECURE_FAILURE: Final = 0x80072f8f
BITS_E_WINHTTP_TIMEOUT: Final = 0x80072ee2
BITS_S_FALSE: Final = 0x00000001
BITS_S_OK: Final = 0x00000000

# ---- end of the generated section ----
