/*
 * errors.c - the one table of status codes: names, messages, lookup.
 *
 * Everything that names or describes a code (the C API, the docs
 * generator, the Python exception classes) reads this table, through
 * bits_hresult_name(), bits_hresult_message() and bits_hresult_at().
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/codes.h"

typedef struct code_entry {
    bits_hresult code;
    const char *name;
    const char *message;
} code_entry;

/* Sorted by unsigned value (bits_hresult_at walks it in that order, and
 * the lookup is a binary search). */
static const code_entry code_table[] = {
    { (bits_hresult)0x00000000u, "BITS_S_OK", "Success." },
    { (bits_hresult)0x00000001u, "BITS_S_FALSE", "Success, with less than was asked for (an enumerator ran short, nothing to remove, no value set)." },
    { (bits_hresult)0x00200006u, "BG_S_ERROR_CONTEXT_NONE", "No error occurred." },
    { (bits_hresult)0x00200017u, "BG_S_PARTIAL_COMPLETE", "Complete kept only the files that had finished transferring; the others were deleted." },
    { (bits_hresult)0x0020001Au, "BG_S_UNABLE_TO_DELETE_FILES", "The job ended, but some temporary files could not be deleted." },
    { (bits_hresult)0x0020002Au, "BG_S_PROXY_CHANGED", "The proxy configuration changed." },
    { (bits_hresult)0x00200055u, "BG_S_OVERRIDDEN_BY_POLICY", "The value was stored, but a policy overrides it." },
    { (bits_hresult)0x8000000Au, "BITS_E_PENDING", "The operation cannot complete yet." },
    { (bits_hresult)0x80004001u, "BITS_E_NOTIMPL", "Not implemented: the value is outside the allowed range or the operation does not apply to this job type." },
    { (bits_hresult)0x80004005u, "BITS_E_FAIL", "Unspecified failure." },
    { (bits_hresult)0x80070002u, "BITS_E_FILE_NOT_FOUND", "The file was not found." },
    { (bits_hresult)0x80070003u, "BITS_E_PATH_NOT_FOUND", "The directory was not found." },
    { (bits_hresult)0x80070005u, "BITS_E_ACCESSDENIED", "Access is denied." },
    { (bits_hresult)0x8007000Eu, "BITS_E_OUTOFMEMORY", "Out of memory." },
    { (bits_hresult)0x80070057u, "BITS_E_INVALIDARG", "An argument is invalid: a NULL pointer, a malformed string or path, or an unsupported value." },
    { (bits_hresult)0x80070070u, "BITS_E_DISK_FULL", "There is not enough space on the disk." },
    { (bits_hresult)0x800700AAu, "BITS_E_BUSY", "The job store is locked by another process for longer than a call waits (10 s); nothing was changed, try again." },
    { (bits_hresult)0x80072EE2u, "BITS_E_WINHTTP_TIMEOUT", "The operation timed out." },
    { (bits_hresult)0x80072EE7u, "BITS_E_WINHTTP_NAME_NOT_RESOLVED", "The server name could not be resolved." },
    { (bits_hresult)0x80072EFDu, "BITS_E_WINHTTP_CANNOT_CONNECT", "A connection to the server could not be established." },
    { (bits_hresult)0x80072EFEu, "BITS_E_WINHTTP_CONNECTION_ERROR", "The connection to the server was reset or aborted." },
    { (bits_hresult)0x80072F0Cu, "BITS_E_WINHTTP_CLIENT_AUTH_CERT_NEEDED", "The server requires a client certificate." },
    { (bits_hresult)0x80072F19u, "BITS_E_WINHTTP_SECURE_CERT_REV_FAILED", "The certificate revocation check failed." },
    { (bits_hresult)0x80072F78u, "BITS_E_WINHTTP_INVALID_SERVER_RESPONSE", "The server response could not be parsed." },
    { (bits_hresult)0x80072F7Cu, "BITS_E_WINHTTP_REDIRECT_FAILED", "The redirect failed: the scheme changed or too many redirects." },
    { (bits_hresult)0x80072F8Au, "BITS_E_WINHTTP_SECURE_CERT_REVOKED", "The server certificate was revoked." },
    { (bits_hresult)0x80072F8Fu, "BITS_E_WINHTTP_SECURE_FAILURE", "The TLS connection failed or the server certificate is invalid." },
    { (bits_hresult)0x80200001u, "BG_E_NOT_FOUND", "The requested job or item was not found." },
    { (bits_hresult)0x80200002u, "BG_E_INVALID_STATE", "The requested action is not allowed in the current job state; the job may have been cancelled or completed." },
    { (bits_hresult)0x80200003u, "BG_E_EMPTY", "There are no files attached to this job." },
    { (bits_hresult)0x80200004u, "BG_E_FILE_NOT_AVAILABLE", "No file is available because no file is associated with the error." },
    { (bits_hresult)0x80200005u, "BG_E_PROTOCOL_NOT_AVAILABLE", "No protocol is available because the error did not come from a transfer protocol." },
    { (bits_hresult)0x80200007u, "BG_E_ERROR_CONTEXT_UNKNOWN", "The error occurred in an unknown location." },
    { (bits_hresult)0x80200008u, "BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", "The error occurred in the transfer queue manager." },
    { (bits_hresult)0x80200009u, "BG_E_ERROR_CONTEXT_LOCAL_FILE", "The error occurred while processing the local file." },
    { (bits_hresult)0x8020000Au, "BG_E_ERROR_CONTEXT_REMOTE_FILE", "The error occurred while processing the remote file." },
    { (bits_hresult)0x8020000Bu, "BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT", "The error occurred in the transport layer." },
    { (bits_hresult)0x8020000Cu, "BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", "The error occurred while notifying the application." },
    { (bits_hresult)0x8020000Du, "BG_E_DESTINATION_LOCKED", "The destination volume is locked." },
    { (bits_hresult)0x8020000Eu, "BG_E_VOLUME_CHANGED", "The destination volume has changed." },
    { (bits_hresult)0x8020000Fu, "BG_E_ERROR_INFORMATION_UNAVAILABLE", "No error information is available: the job is not in an error state." },
    { (bits_hresult)0x80200010u, "BG_E_NETWORK_DISCONNECTED", "No network connection is active." },
    { (bits_hresult)0x80200011u, "BG_E_MISSING_FILE_SIZE", "The server did not return the file size; the URL may point to dynamic content." },
    { (bits_hresult)0x80200012u, "BG_E_INSUFFICIENT_HTTP_SUPPORT", "The server does not support HTTP 1.1." },
    { (bits_hresult)0x80200013u, "BG_E_INSUFFICIENT_RANGE_SUPPORT", "The server does not support the necessary HTTP range requests." },
    { (bits_hresult)0x80200014u, "BG_E_REMOTE_NOT_SUPPORTED", "Remote use of the transfer service is not supported." },
    { (bits_hresult)0x80200015u, "BG_E_NEW_OWNER_DIFF_MAPPING", "The drive mapping of the new owner differs from the job's." },
    { (bits_hresult)0x80200016u, "BG_E_NEW_OWNER_NO_FILE_ACCESS", "The new owner cannot access the job's temporary files." },
    { (bits_hresult)0x80200018u, "BG_E_PROXY_LIST_TOO_LARGE", "The proxy list is too long." },
    { (bits_hresult)0x80200019u, "BG_E_PROXY_BYPASS_LIST_TOO_LARGE", "The proxy bypass list is too long." },
    { (bits_hresult)0x8020001Bu, "BG_E_INVALID_SERVER_RESPONSE", "The server returned an invalid or unsupported response." },
    { (bits_hresult)0x8020001Cu, "BG_E_TOO_MANY_FILES", "No more files can be added to this job." },
    { (bits_hresult)0x8020001Du, "BG_E_LOCAL_FILE_CHANGED", "The local file changed during the transfer." },
    { (bits_hresult)0x8020001Eu, "BG_E_ERROR_CONTEXT_REMOTE_APPLICATION", "The error was reported by the server application." },
    { (bits_hresult)0x8020001Fu, "BG_E_SESSION_NOT_FOUND", "The server does not know the upload session." },
    { (bits_hresult)0x80200020u, "BG_E_TOO_LARGE", "The data is larger than the server or the call allows." },
    { (bits_hresult)0x80200021u, "BG_E_STRING_TOO_LONG", "A string is longer than its limit." },
    { (bits_hresult)0x80200022u, "BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH", "The client and server share no upload protocol." },
    { (bits_hresult)0x80200023u, "BG_E_SERVER_EXECUTE_ENABLE", "The upload directory allows script execution." },
    { (bits_hresult)0x80200024u, "BG_E_NO_PROGRESS", "The job made no progress within the allowed time." },
    { (bits_hresult)0x80200025u, "BG_E_USERNAME_TOO_LARGE", "The user name is longer than 300 characters." },
    { (bits_hresult)0x80200026u, "BG_E_PASSWORD_TOO_LARGE", "The password is longer than 65535 characters." },
    { (bits_hresult)0x80200027u, "BG_E_INVALID_AUTH_TARGET", "The authentication target is not valid." },
    { (bits_hresult)0x80200028u, "BG_E_INVALID_AUTH_SCHEME", "The authentication scheme is not valid." },
    { (bits_hresult)0x80200029u, "BG_E_FILE_NOT_FOUND", "The remote file was not found." },
    { (bits_hresult)0x8020002Bu, "BG_E_INVALID_RANGE", "The byte range is invalid or outside the remote file." },
    { (bits_hresult)0x8020002Cu, "BG_E_OVERLAPPING_RANGES", "The byte ranges overlap." },
    { (bits_hresult)0x8020002Du, "BG_E_CONNECT_FAILURE", "A connection to the server could not be made." },
    { (bits_hresult)0x8020002Eu, "BG_E_CONNECTION_CLOSED", "The connection was closed before the transfer finished." },
    { (bits_hresult)0x8020003Eu, "BG_E_BLOCKED_BY_POLICY", "A policy blocks background transfers now." },
    { (bits_hresult)0x8020003Fu, "BG_E_INVALID_PROXY_INFO", "The proxy settings are invalid." },
    { (bits_hresult)0x80200040u, "BG_E_INVALID_CREDENTIALS", "The credentials are malformed." },
    { (bits_hresult)0x80200041u, "BG_E_INVALID_HASH_ALGORITHM", "The hash algorithm is not supported." },
    { (bits_hresult)0x80200042u, "BG_E_RECORD_DELETED", "The cache record was deleted." },
    { (bits_hresult)0x80200043u, "BG_E_COMMIT_IN_PROGRESS", "A commit is in progress." },
    { (bits_hresult)0x80200044u, "BG_E_DISCOVERY_IN_PROGRESS", "Discovery is in progress." },
    { (bits_hresult)0x80200045u, "BG_E_UPNP_ERROR", "The Internet gateway device reported an error." },
    { (bits_hresult)0x80200046u, "BG_E_TEST_OPTION_BLOCKED_DOWNLOAD", "A test option blocked the download." },
    { (bits_hresult)0x80200047u, "BG_E_PEERCACHING_DISABLED", "Peer caching is disabled." },
    { (bits_hresult)0x80200048u, "BG_E_BUSYCACHERECORD", "The cache record is busy." },
    { (bits_hresult)0x80200049u, "BG_E_TOO_MANY_JOBS_PER_USER", "The store already holds the maximum number of jobs." },
    { (bits_hresult)0x80200050u, "BG_E_TOO_MANY_JOBS_PER_MACHINE", "The machine already holds the maximum number of jobs." },
    { (bits_hresult)0x80200051u, "BG_E_TOO_MANY_FILES_IN_JOB", "The job already holds the maximum number of files." },
    { (bits_hresult)0x80200052u, "BG_E_TOO_MANY_RANGES_IN_FILE", "The file already holds the maximum number of ranges." },
    { (bits_hresult)0x80200053u, "BG_E_VALIDATION_FAILED", "The content failed validation." },
    { (bits_hresult)0x80200054u, "BG_E_MAXDOWNLOAD_TIMEOUT", "The job did not finish within its maximum download time." },
    { (bits_hresult)0x80200056u, "BG_E_TOKEN_REQUIRED", "A helper token is required." },
    { (bits_hresult)0x80200057u, "BG_E_UNKNOWN_PROPERTY_ID", "The property identifier is unknown." },
    { (bits_hresult)0x80200058u, "BG_E_READ_ONLY_PROPERTY", "The property cannot be set." },
    { (bits_hresult)0x80200059u, "BG_E_BLOCKED_BY_COST_TRANSFER_POLICY", "The network cost policy blocks the transfer." },
    { (bits_hresult)0x80200060u, "BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY", "The property applies to download jobs only." },
    { (bits_hresult)0x80200061u, "BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE", "The property cannot be changed after a file was added." },
    { (bits_hresult)0x80200062u, "BG_E_READ_ONLY_PROPERTY_AFTER_RESUME", "The property cannot be changed after the job was first resumed." },
    { (bits_hresult)0x80200063u, "BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE", "The maximum download size is invalid." },
    { (bits_hresult)0x80200064u, "BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED", "The download exceeded the job's maximum download size." },
    { (bits_hresult)0x80200065u, "BG_E_STANDBY_MODE", "The system is in standby." },
    { (bits_hresult)0x80200066u, "BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED", "Stored credentials are not supported for this target." },
    { (bits_hresult)0x80200067u, "BG_E_BLOCKED_BY_BATTERY_POLICY", "The battery policy blocks the transfer." },
    { (bits_hresult)0x80200068u, "BG_E_BLOCKED_BY_BATTERY_SAVER", "Battery saver blocks the transfer." },
    { (bits_hresult)0x80200069u, "BG_E_WATCHDOG_TIMEOUT", "An internal watchdog timed out." },
    { (bits_hresult)0x8020006Au, "BG_E_APP_PACKAGE_NOT_FOUND", "The owning application package was not found." },
    { (bits_hresult)0x8020006Bu, "BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED", "The operation is not supported for packaged applications." },
    { (bits_hresult)0x8020006Cu, "BG_E_DATABASE_CORRUPT", "The job store is corrupt." },
    { (bits_hresult)0x8020006Du, "BG_E_RANDOM_ACCESS_NOT_SUPPORTED", "Random access is not supported for this job." },
    { (bits_hresult)0x8020006Eu, "BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY", "The background access policy blocks the transfer." },
    { (bits_hresult)0x8020006Fu, "BG_E_BLOCKED_BY_GAME_MODE", "Game mode blocks the transfer." },
    { (bits_hresult)0x80200070u, "BG_E_BLOCKED_BY_SYSTEM_POLICY", "A system policy blocks the transfer." },
    { (bits_hresult)0x80200071u, "BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD", "The feature is not supported with a custom HTTP method." },
    { (bits_hresult)0x80200072u, "BG_E_UNSUPPORTED_JOB_CONFIGURATION", "The job's settings are incompatible." },
    { (bits_hresult)0x80200073u, "BG_E_REMOTE_FILE_CHANGED", "The remote file changed and the job cannot restart it." },
    { (bits_hresult)0x80200074u, "BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED", "A server certificate validation callback is required." },
    { (bits_hresult)0x80200075u, "BG_E_READ_ONLY_WHEN_JOB_ACTIVE", "The setting can only be changed while the job is suspended." },
    { (bits_hresult)0x80200076u, "BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK", "The error was reported by the server certificate validation callback." },
};

#define CODE_COUNT (sizeof code_table / sizeof code_table[0])

static int compare_entries(const void *key, const void *elem)
{
    uint32_t k = (uint32_t) * (const bits_hresult *)key;
    uint32_t e = (uint32_t)((const code_entry *)elem)->code;
    return k < e ? -1 : k > e;
}

static const code_entry *find_code(bits_hresult hr)
{
    return bsearch(&hr, code_table, CODE_COUNT, sizeof code_table[0], compare_entries);
}

/* The HTTP family: 0x80190000 + status, for statuses 100..599. */
static int http_status_of(bits_hresult hr)
{
    uint32_t u = (uint32_t)hr;
    if (u < 0x80190064u || u > 0x80190257u)
        return 0;
    return (int)(u - 0x80190000u);
}

/* Standard reason phrases of the statuses BITS names (RFC 9110). */
static const char *http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 449: return "Retry With";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return NULL;
    }
}

/* Names and messages of the HTTP family are made once per status and kept
 * for the life of the process, so callers get static strings. */
static char http_names[500][24];
static char http_messages[500][80];
static pthread_once_t http_once = PTHREAD_ONCE_INIT;

static void fill_http_texts(void)
{
    for (int status = 100; status < 600; status++) {
        const char *reason = http_reason(status);
        snprintf(http_names[status - 100], sizeof http_names[0], "BG_E_HTTP_ERROR_%d", status);
        snprintf(http_messages[status - 100], sizeof http_messages[0],
                 "The server answered HTTP %d%s%s.", status, reason ? " " : "",
                 reason ? reason : "");
    }
}

const char *ob_code_name(bits_hresult hr)
{
    int status = http_status_of(hr);
    if (status) {
        pthread_once(&http_once, fill_http_texts);
        return http_names[status - 100];
    }
    const code_entry *e = find_code(hr);
    return e ? e->name : "UNKNOWN";
}

const char *ob_code_message(bits_hresult hr)
{
    int status = http_status_of(hr);
    if (status) {
        pthread_once(&http_once, fill_http_texts);
        return http_messages[status - 100];
    }
    const code_entry *e = find_code(hr);
    if (e)
        return e->message;
    return hr < 0 ? "An unknown error occurred." : "The operation succeeded with an unknown status.";
}

bits_hresult ob_code_at(uint32_t index, bits_hresult *out_code)
{
    if (index >= CODE_COUNT) {
        *out_code = 0;
        return BITS_S_FALSE;
    }
    *out_code = code_table[index].code;
    return BITS_S_OK;
}
