/**
 * @file openbits/codes.h
 * @brief every status code, with its name and message.
 *
 * The numbers are those of Windows BITS (bitsmsg.h and the HRESULTs BITS
 * methods return), so code written against BITS reads the same. They are
 * pinned: a number never changes meaning and is never reused. New codes
 * may be added in later releases; treat an unknown negative code as a
 * failure and an unknown non-negative one as a success.
 *
 * HTTP statuses form one family: BG_E_HTTP_ERROR_<nnn> = 0x80190000 + nnn
 * for any status nnn (the macro BG_E_HTTP_ERROR(nnn) computes it, and
 * bits_hresult_name() names it).
 *
 * @threadsafety every function declared here may be called from any
 * thread at any time; the strings returned are static.
 */
#ifndef OPENBITS_CODES_H
#define OPENBITS_CODES_H

#include <openbits/common.h>

BITS_BEGIN_DECLS

/** Success. */
#define BITS_S_OK BITS_HRESULT_C(0x00000000u)
/** Success, with less than was asked for (an enumerator ran short, nothing to remove, no value set). */
#define BITS_S_FALSE BITS_HRESULT_C(0x00000001u)
/** No error occurred. */
#define BG_S_ERROR_CONTEXT_NONE BITS_HRESULT_C(0x00200006u)
/** Complete kept only the files that had finished transferring; the others were deleted. */
#define BG_S_PARTIAL_COMPLETE BITS_HRESULT_C(0x00200017u)
/** The job ended, but some temporary files could not be deleted. */
#define BG_S_UNABLE_TO_DELETE_FILES BITS_HRESULT_C(0x0020001Au)
/** The proxy configuration changed. */
#define BG_S_PROXY_CHANGED BITS_HRESULT_C(0x0020002Au)
/** The value was stored, but a policy overrides it. */
#define BG_S_OVERRIDDEN_BY_POLICY BITS_HRESULT_C(0x00200055u)
/** Not implemented: the value is outside the allowed range or the operation does not apply to this job type. */
#define BITS_E_NOTIMPL BITS_HRESULT_C(0x80004001u)
/** Unspecified failure. */
#define BITS_E_FAIL BITS_HRESULT_C(0x80004005u)
/** The operation cannot complete yet. */
#define BITS_E_PENDING BITS_HRESULT_C(0x8000000Au)
/** The file was not found. */
#define BITS_E_FILE_NOT_FOUND BITS_HRESULT_C(0x80070002u)
/** The directory was not found. */
#define BITS_E_PATH_NOT_FOUND BITS_HRESULT_C(0x80070003u)
/** Access is denied. */
#define BITS_E_ACCESSDENIED BITS_HRESULT_C(0x80070005u)
/** Out of memory. */
#define BITS_E_OUTOFMEMORY BITS_HRESULT_C(0x8007000Eu)
/** There is not enough space on the disk. */
#define BITS_E_DISK_FULL BITS_HRESULT_C(0x80070070u)
/** The job store is locked by another process for longer than a call waits (10 s); nothing was changed, try again. */
#define BITS_E_BUSY BITS_HRESULT_C(0x800700AAu)
/** An argument is invalid: a NULL pointer, a malformed string or path, or an unsupported value. */
#define BITS_E_INVALIDARG BITS_HRESULT_C(0x80070057u)
/** The requested job or item was not found. */
#define BG_E_NOT_FOUND BITS_HRESULT_C(0x80200001u)
/** The requested action is not allowed in the current job state; the job may have been cancelled or completed. */
#define BG_E_INVALID_STATE BITS_HRESULT_C(0x80200002u)
/** There are no files attached to this job. */
#define BG_E_EMPTY BITS_HRESULT_C(0x80200003u)
/** No file is available because no file is associated with the error. */
#define BG_E_FILE_NOT_AVAILABLE BITS_HRESULT_C(0x80200004u)
/** No protocol is available because the error did not come from a transfer protocol. */
#define BG_E_PROTOCOL_NOT_AVAILABLE BITS_HRESULT_C(0x80200005u)
/** The error occurred in an unknown location. */
#define BG_E_ERROR_CONTEXT_UNKNOWN BITS_HRESULT_C(0x80200007u)
/** The error occurred in the transfer queue manager. */
#define BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER BITS_HRESULT_C(0x80200008u)
/** The error occurred while processing the local file. */
#define BG_E_ERROR_CONTEXT_LOCAL_FILE BITS_HRESULT_C(0x80200009u)
/** The error occurred while processing the remote file. */
#define BG_E_ERROR_CONTEXT_REMOTE_FILE BITS_HRESULT_C(0x8020000Au)
/** The error occurred in the transport layer. */
#define BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT BITS_HRESULT_C(0x8020000Bu)
/** The error occurred while notifying the application. */
#define BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION BITS_HRESULT_C(0x8020000Cu)
/** The destination volume is locked. */
#define BG_E_DESTINATION_LOCKED BITS_HRESULT_C(0x8020000Du)
/** The destination volume has changed. */
#define BG_E_VOLUME_CHANGED BITS_HRESULT_C(0x8020000Eu)
/** No error information is available: the job is not in an error state. */
#define BG_E_ERROR_INFORMATION_UNAVAILABLE BITS_HRESULT_C(0x8020000Fu)
/** No network connection is active. */
#define BG_E_NETWORK_DISCONNECTED BITS_HRESULT_C(0x80200010u)
/** The server did not return the file size; the URL may point to dynamic content. */
#define BG_E_MISSING_FILE_SIZE BITS_HRESULT_C(0x80200011u)
/** The server does not support HTTP 1.1. */
#define BG_E_INSUFFICIENT_HTTP_SUPPORT BITS_HRESULT_C(0x80200012u)
/** The server does not support the necessary HTTP range requests. */
#define BG_E_INSUFFICIENT_RANGE_SUPPORT BITS_HRESULT_C(0x80200013u)
/** Remote use of the transfer service is not supported. */
#define BG_E_REMOTE_NOT_SUPPORTED BITS_HRESULT_C(0x80200014u)
/** The drive mapping of the new owner differs from the job's. */
#define BG_E_NEW_OWNER_DIFF_MAPPING BITS_HRESULT_C(0x80200015u)
/** The new owner cannot access the job's temporary files. */
#define BG_E_NEW_OWNER_NO_FILE_ACCESS BITS_HRESULT_C(0x80200016u)
/** The proxy list is too long. */
#define BG_E_PROXY_LIST_TOO_LARGE BITS_HRESULT_C(0x80200018u)
/** The proxy bypass list is too long. */
#define BG_E_PROXY_BYPASS_LIST_TOO_LARGE BITS_HRESULT_C(0x80200019u)
/** The server returned an invalid or unsupported response. */
#define BG_E_INVALID_SERVER_RESPONSE BITS_HRESULT_C(0x8020001Bu)
/** No more files can be added to this job. */
#define BG_E_TOO_MANY_FILES BITS_HRESULT_C(0x8020001Cu)
/** The local file changed during the transfer. */
#define BG_E_LOCAL_FILE_CHANGED BITS_HRESULT_C(0x8020001Du)
/** The error was reported by the server application. */
#define BG_E_ERROR_CONTEXT_REMOTE_APPLICATION BITS_HRESULT_C(0x8020001Eu)
/** The server does not know the upload session. */
#define BG_E_SESSION_NOT_FOUND BITS_HRESULT_C(0x8020001Fu)
/** The data is larger than the server or the call allows. */
#define BG_E_TOO_LARGE BITS_HRESULT_C(0x80200020u)
/** A string is longer than its limit. */
#define BG_E_STRING_TOO_LONG BITS_HRESULT_C(0x80200021u)
/** The client and server share no upload protocol. */
#define BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH BITS_HRESULT_C(0x80200022u)
/** The upload directory allows script execution. */
#define BG_E_SERVER_EXECUTE_ENABLE BITS_HRESULT_C(0x80200023u)
/** The job made no progress within the allowed time. */
#define BG_E_NO_PROGRESS BITS_HRESULT_C(0x80200024u)
/** The user name is longer than 300 characters. */
#define BG_E_USERNAME_TOO_LARGE BITS_HRESULT_C(0x80200025u)
/** The password is longer than 65535 characters. */
#define BG_E_PASSWORD_TOO_LARGE BITS_HRESULT_C(0x80200026u)
/** The authentication target is not valid. */
#define BG_E_INVALID_AUTH_TARGET BITS_HRESULT_C(0x80200027u)
/** The authentication scheme is not valid. */
#define BG_E_INVALID_AUTH_SCHEME BITS_HRESULT_C(0x80200028u)
/** The remote file was not found. */
#define BG_E_FILE_NOT_FOUND BITS_HRESULT_C(0x80200029u)
/** The byte range is invalid or outside the remote file. */
#define BG_E_INVALID_RANGE BITS_HRESULT_C(0x8020002Bu)
/** The byte ranges overlap. */
#define BG_E_OVERLAPPING_RANGES BITS_HRESULT_C(0x8020002Cu)
/** A connection to the server could not be made. */
#define BG_E_CONNECT_FAILURE BITS_HRESULT_C(0x8020002Du)
/** The connection was closed before the transfer finished. */
#define BG_E_CONNECTION_CLOSED BITS_HRESULT_C(0x8020002Eu)
/** A policy blocks background transfers now. */
#define BG_E_BLOCKED_BY_POLICY BITS_HRESULT_C(0x8020003Eu)
/** The proxy settings are invalid. */
#define BG_E_INVALID_PROXY_INFO BITS_HRESULT_C(0x8020003Fu)
/** The credentials are malformed. */
#define BG_E_INVALID_CREDENTIALS BITS_HRESULT_C(0x80200040u)
/** The hash algorithm is not supported. */
#define BG_E_INVALID_HASH_ALGORITHM BITS_HRESULT_C(0x80200041u)
/** The cache record was deleted. */
#define BG_E_RECORD_DELETED BITS_HRESULT_C(0x80200042u)
/** A commit is in progress. */
#define BG_E_COMMIT_IN_PROGRESS BITS_HRESULT_C(0x80200043u)
/** Discovery is in progress. */
#define BG_E_DISCOVERY_IN_PROGRESS BITS_HRESULT_C(0x80200044u)
/** The Internet gateway device reported an error. */
#define BG_E_UPNP_ERROR BITS_HRESULT_C(0x80200045u)
/** A test option blocked the download. */
#define BG_E_TEST_OPTION_BLOCKED_DOWNLOAD BITS_HRESULT_C(0x80200046u)
/** Peer caching is disabled. */
#define BG_E_PEERCACHING_DISABLED BITS_HRESULT_C(0x80200047u)
/** The cache record is busy. */
#define BG_E_BUSYCACHERECORD BITS_HRESULT_C(0x80200048u)
/** The store already holds the maximum number of jobs. */
#define BG_E_TOO_MANY_JOBS_PER_USER BITS_HRESULT_C(0x80200049u)
/** The machine already holds the maximum number of jobs. */
#define BG_E_TOO_MANY_JOBS_PER_MACHINE BITS_HRESULT_C(0x80200050u)
/** The job already holds the maximum number of files. */
#define BG_E_TOO_MANY_FILES_IN_JOB BITS_HRESULT_C(0x80200051u)
/** The file already holds the maximum number of ranges. */
#define BG_E_TOO_MANY_RANGES_IN_FILE BITS_HRESULT_C(0x80200052u)
/** The content failed validation. */
#define BG_E_VALIDATION_FAILED BITS_HRESULT_C(0x80200053u)
/** The job did not finish within its maximum download time. */
#define BG_E_MAXDOWNLOAD_TIMEOUT BITS_HRESULT_C(0x80200054u)
/** A helper token is required. */
#define BG_E_TOKEN_REQUIRED BITS_HRESULT_C(0x80200056u)
/** The property identifier is unknown. */
#define BG_E_UNKNOWN_PROPERTY_ID BITS_HRESULT_C(0x80200057u)
/** The property cannot be set. */
#define BG_E_READ_ONLY_PROPERTY BITS_HRESULT_C(0x80200058u)
/** The network cost policy blocks the transfer. */
#define BG_E_BLOCKED_BY_COST_TRANSFER_POLICY BITS_HRESULT_C(0x80200059u)
/** The property applies to download jobs only. */
#define BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY BITS_HRESULT_C(0x80200060u)
/** The property cannot be changed after a file was added. */
#define BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE BITS_HRESULT_C(0x80200061u)
/** The property cannot be changed after the job was first resumed. */
#define BG_E_READ_ONLY_PROPERTY_AFTER_RESUME BITS_HRESULT_C(0x80200062u)
/** The maximum download size is invalid. */
#define BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE BITS_HRESULT_C(0x80200063u)
/** The download exceeded the job's maximum download size. */
#define BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED BITS_HRESULT_C(0x80200064u)
/** The system is in standby. */
#define BG_E_STANDBY_MODE BITS_HRESULT_C(0x80200065u)
/** Stored credentials are not supported for this target. */
#define BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED BITS_HRESULT_C(0x80200066u)
/** The battery policy blocks the transfer. */
#define BG_E_BLOCKED_BY_BATTERY_POLICY BITS_HRESULT_C(0x80200067u)
/** Battery saver blocks the transfer. */
#define BG_E_BLOCKED_BY_BATTERY_SAVER BITS_HRESULT_C(0x80200068u)
/** An internal watchdog timed out. */
#define BG_E_WATCHDOG_TIMEOUT BITS_HRESULT_C(0x80200069u)
/** The owning application package was not found. */
#define BG_E_APP_PACKAGE_NOT_FOUND BITS_HRESULT_C(0x8020006Au)
/** The operation is not supported for packaged applications. */
#define BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED BITS_HRESULT_C(0x8020006Bu)
/** The job store is corrupt. */
#define BG_E_DATABASE_CORRUPT BITS_HRESULT_C(0x8020006Cu)
/** Random access is not supported for this job. */
#define BG_E_RANDOM_ACCESS_NOT_SUPPORTED BITS_HRESULT_C(0x8020006Du)
/** The background access policy blocks the transfer. */
#define BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY BITS_HRESULT_C(0x8020006Eu)
/** Game mode blocks the transfer. */
#define BG_E_BLOCKED_BY_GAME_MODE BITS_HRESULT_C(0x8020006Fu)
/** A system policy blocks the transfer. */
#define BG_E_BLOCKED_BY_SYSTEM_POLICY BITS_HRESULT_C(0x80200070u)
/** The feature is not supported with a custom HTTP method. */
#define BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD BITS_HRESULT_C(0x80200071u)
/** The job's settings are incompatible. */
#define BG_E_UNSUPPORTED_JOB_CONFIGURATION BITS_HRESULT_C(0x80200072u)
/** The remote file changed and the job cannot restart it. */
#define BG_E_REMOTE_FILE_CHANGED BITS_HRESULT_C(0x80200073u)
/** A server certificate validation callback is required. */
#define BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED BITS_HRESULT_C(0x80200074u)
/** The setting can only be changed while the job is suspended. */
#define BG_E_READ_ONLY_WHEN_JOB_ACTIVE BITS_HRESULT_C(0x80200075u)
/** The error was reported by the server certificate validation callback. */
#define BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK BITS_HRESULT_C(0x80200076u)
/** The operation timed out. */
#define BITS_E_WINHTTP_TIMEOUT BITS_HRESULT_C(0x80072EE2u)
/** The server name could not be resolved. */
#define BITS_E_WINHTTP_NAME_NOT_RESOLVED BITS_HRESULT_C(0x80072EE7u)
/** A connection to the server could not be established. */
#define BITS_E_WINHTTP_CANNOT_CONNECT BITS_HRESULT_C(0x80072EFDu)
/** The connection to the server was reset or aborted. */
#define BITS_E_WINHTTP_CONNECTION_ERROR BITS_HRESULT_C(0x80072EFEu)
/** The server requires a client certificate. */
#define BITS_E_WINHTTP_CLIENT_AUTH_CERT_NEEDED BITS_HRESULT_C(0x80072F0Cu)
/** The certificate revocation check failed. */
#define BITS_E_WINHTTP_SECURE_CERT_REV_FAILED BITS_HRESULT_C(0x80072F19u)
/** The server response could not be parsed. */
#define BITS_E_WINHTTP_INVALID_SERVER_RESPONSE BITS_HRESULT_C(0x80072F78u)
/** The redirect failed: the scheme changed or too many redirects. */
#define BITS_E_WINHTTP_REDIRECT_FAILED BITS_HRESULT_C(0x80072F7Cu)
/** The server certificate was revoked. */
#define BITS_E_WINHTTP_SECURE_CERT_REVOKED BITS_HRESULT_C(0x80072F8Au)
/** The TLS connection failed or the server certificate is invalid. */
#define BITS_E_WINHTTP_SECURE_FAILURE BITS_HRESULT_C(0x80072F8Fu)

/** The HTTP family: the code for HTTP status @p status (100..599). */
#define BG_E_HTTP_ERROR(status) ((bits_hresult)(0x80190000u + (uint32_t)(status)))
/** @name First and last code of the HTTP family.
 * @{ */
/** First code of the HTTP family: BG_E_HTTP_ERROR(100). */
#define BG_E_HTTP_ERROR_FIRST BITS_HRESULT_C(0x80190064u)
/** Last code of the HTTP family: BG_E_HTTP_ERROR(599). */
#define BG_E_HTTP_ERROR_LAST BITS_HRESULT_C(0x80190257u)
/** @} */
/** HTTP 100 Continue. */
#define BG_E_HTTP_ERROR_100 BITS_HRESULT_C(0x80190064u)
/** HTTP 101 Switching Protocols. */
#define BG_E_HTTP_ERROR_101 BITS_HRESULT_C(0x80190065u)
/** HTTP 200 OK. */
#define BG_E_HTTP_ERROR_200 BITS_HRESULT_C(0x801900C8u)
/** HTTP 201 Created. */
#define BG_E_HTTP_ERROR_201 BITS_HRESULT_C(0x801900C9u)
/** HTTP 202 Accepted. */
#define BG_E_HTTP_ERROR_202 BITS_HRESULT_C(0x801900CAu)
/** HTTP 203 Non-Authoritative Information. */
#define BG_E_HTTP_ERROR_203 BITS_HRESULT_C(0x801900CBu)
/** HTTP 204 No Content. */
#define BG_E_HTTP_ERROR_204 BITS_HRESULT_C(0x801900CCu)
/** HTTP 205 Reset Content. */
#define BG_E_HTTP_ERROR_205 BITS_HRESULT_C(0x801900CDu)
/** HTTP 206 Partial Content. */
#define BG_E_HTTP_ERROR_206 BITS_HRESULT_C(0x801900CEu)
/** HTTP 300 Multiple Choices. */
#define BG_E_HTTP_ERROR_300 BITS_HRESULT_C(0x8019012Cu)
/** HTTP 301 Moved Permanently. */
#define BG_E_HTTP_ERROR_301 BITS_HRESULT_C(0x8019012Du)
/** HTTP 302 Found. */
#define BG_E_HTTP_ERROR_302 BITS_HRESULT_C(0x8019012Eu)
/** HTTP 303 See Other. */
#define BG_E_HTTP_ERROR_303 BITS_HRESULT_C(0x8019012Fu)
/** HTTP 304 Not Modified. */
#define BG_E_HTTP_ERROR_304 BITS_HRESULT_C(0x80190130u)
/** HTTP 305 Use Proxy. */
#define BG_E_HTTP_ERROR_305 BITS_HRESULT_C(0x80190131u)
/** HTTP 307 Temporary Redirect. */
#define BG_E_HTTP_ERROR_307 BITS_HRESULT_C(0x80190133u)
/** HTTP 400 Bad Request. */
#define BG_E_HTTP_ERROR_400 BITS_HRESULT_C(0x80190190u)
/** HTTP 401 Unauthorized. */
#define BG_E_HTTP_ERROR_401 BITS_HRESULT_C(0x80190191u)
/** HTTP 402 Payment Required. */
#define BG_E_HTTP_ERROR_402 BITS_HRESULT_C(0x80190192u)
/** HTTP 403 Forbidden. */
#define BG_E_HTTP_ERROR_403 BITS_HRESULT_C(0x80190193u)
/** HTTP 404 Not Found. */
#define BG_E_HTTP_ERROR_404 BITS_HRESULT_C(0x80190194u)
/** HTTP 405 Method Not Allowed. */
#define BG_E_HTTP_ERROR_405 BITS_HRESULT_C(0x80190195u)
/** HTTP 406 Not Acceptable. */
#define BG_E_HTTP_ERROR_406 BITS_HRESULT_C(0x80190196u)
/** HTTP 407 Proxy Authentication Required. */
#define BG_E_HTTP_ERROR_407 BITS_HRESULT_C(0x80190197u)
/** HTTP 408 Request Timeout. */
#define BG_E_HTTP_ERROR_408 BITS_HRESULT_C(0x80190198u)
/** HTTP 409 Conflict. */
#define BG_E_HTTP_ERROR_409 BITS_HRESULT_C(0x80190199u)
/** HTTP 410 Gone. */
#define BG_E_HTTP_ERROR_410 BITS_HRESULT_C(0x8019019Au)
/** HTTP 411 Length Required. */
#define BG_E_HTTP_ERROR_411 BITS_HRESULT_C(0x8019019Bu)
/** HTTP 412 Precondition Failed. */
#define BG_E_HTTP_ERROR_412 BITS_HRESULT_C(0x8019019Cu)
/** HTTP 413 Content Too Large. */
#define BG_E_HTTP_ERROR_413 BITS_HRESULT_C(0x8019019Du)
/** HTTP 414 URI Too Long. */
#define BG_E_HTTP_ERROR_414 BITS_HRESULT_C(0x8019019Eu)
/** HTTP 415 Unsupported Media Type. */
#define BG_E_HTTP_ERROR_415 BITS_HRESULT_C(0x8019019Fu)
/** HTTP 416 Range Not Satisfiable. */
#define BG_E_HTTP_ERROR_416 BITS_HRESULT_C(0x801901A0u)
/** HTTP 417 Expectation Failed. */
#define BG_E_HTTP_ERROR_417 BITS_HRESULT_C(0x801901A1u)
/** HTTP 449 Retry With. */
#define BG_E_HTTP_ERROR_449 BITS_HRESULT_C(0x801901C1u)
/** HTTP 500 Internal Server Error. */
#define BG_E_HTTP_ERROR_500 BITS_HRESULT_C(0x801901F4u)
/** HTTP 501 Not Implemented. */
#define BG_E_HTTP_ERROR_501 BITS_HRESULT_C(0x801901F5u)
/** HTTP 502 Bad Gateway. */
#define BG_E_HTTP_ERROR_502 BITS_HRESULT_C(0x801901F6u)
/** HTTP 503 Service Unavailable. */
#define BG_E_HTTP_ERROR_503 BITS_HRESULT_C(0x801901F7u)
/** HTTP 504 Gateway Timeout. */
#define BG_E_HTTP_ERROR_504 BITS_HRESULT_C(0x801901F8u)
/** HTTP 505 HTTP Version Not Supported. */
#define BG_E_HTTP_ERROR_505 BITS_HRESULT_C(0x801901F9u)

/**
 * The symbolic name of @p hr, e.g. "BG_E_EMPTY" or "BG_E_HTTP_ERROR_404".
 * @return a static string, never NULL; "UNKNOWN" for a code openbits does
 *         not define. Do not free it.
 * @threadsafety any thread.
 */
BITS_API const char *bits_hresult_name(bits_hresult hr);

/**
 * A one-sentence English description of @p hr (for HTTP codes: the
 * status and its standard reason phrase).
 * @return a static string, never NULL; a generic sentence for unknown
 *         codes. Do not free it.
 * @threadsafety any thread.
 */
BITS_API const char *bits_hresult_message(bits_hresult hr);

/**
 * Walks the table of named codes (the HTTP family excluded) in ascending
 * unsigned order, so bindings can build their constants and exception
 * classes from the library itself rather than a copied list.
 * @param index 0, 1, 2, ...
 * @param out_code receives the code at @p index.
 * @return BITS_S_OK; BITS_S_FALSE (and *out_code = 0) when @p index is
 *         past the end; BITS_E_INVALIDARG when @p out_code is NULL.
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_hresult_at(uint32_t index, bits_hresult *out_code);

BITS_END_DECLS

#endif /* OPENBITS_CODES_H */
