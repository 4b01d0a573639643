/**
 * @file openbits/types.h
 * @brief handles, constants and snapshot structures.
 *
 * Handles are opaque, allocated and reference counted by the library.
 * Constants keep the names and numbers of Windows BITS. Enumerated values
 * are plain integer macros and travel as uint32_t (never as C enum types),
 * so every FFI sees the same sizes.
 *
 * Snapshot structures start with `uint32_t struct_size`: set it to
 * sizeof(the struct) before the call; the library writes
 * min(struct_size, its own size) bytes, so programs built against an older,
 * smaller layout keep working when a field is appended. A struct_size
 * smaller than the first released layout is rejected with
 * BITS_E_INVALIDARG.
 */
#ifndef OPENBITS_TYPES_H
#define OPENBITS_TYPES_H

#include <openbits/common.h>

BITS_BEGIN_DECLS

/* ---- Opaque handles -------------------------------------------------- */

/** A job store opened by this process (IBackgroundCopyManager). */
typedef struct bits_manager bits_manager;
/** One transfer job (IBackgroundCopyJob); reference counted. */
typedef struct bits_job bits_job;
/** One file of a job (IBackgroundCopyFile); reference counted. */
typedef struct bits_file bits_file;
/** A snapshot enumerator of jobs (IEnumBackgroundCopyJobs). */
typedef struct bits_job_enum bits_job_enum;
/** A snapshot enumerator of the files of a job (IEnumBackgroundCopyFiles). */
typedef struct bits_file_enum bits_file_enum;
/** A copy of a job's last error (IBackgroundCopyError). */
typedef struct bits_error bits_error;

/** A job identifier: 16 bytes, passed by pointer. Text form
 * "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (see bits_guid_to_string). */
typedef struct bits_guid {
    uint8_t bytes[16]; /**< the 16 bytes, in the order of the text form */
} bits_guid;

/** One (remote, local) pair for bits_job_add_file_set(). Both UTF-8. */
typedef struct bits_file_info {
    const char *remote_name; /**< the source, as for bits_job_add_file(); borrowed */
    const char *local_name;  /**< the destination path; borrowed */
} bits_file_info;

/* ---- Snapshots ------------------------------------------------------- */

/** BG_SIZE_UNKNOWN: a byte count that is not known yet. */
#define BG_SIZE_UNKNOWN UINT64_MAX
/** BG_LENGTH_TO_EOF: a range length meaning "through the end of file". */
#define BG_LENGTH_TO_EOF UINT64_MAX

/** Job progress (BG_JOB_PROGRESS). bytes_total is BG_SIZE_UNKNOWN while
 * the size of any file is unknown, and 0 for a job with no files. */
typedef struct bits_job_progress {
    uint32_t struct_size;       /**< set to sizeof(bits_job_progress) before the call */
    uint64_t bytes_total;       /**< bytes of all files; BG_SIZE_UNKNOWN while one is unknown */
    uint64_t bytes_transferred; /**< bytes of all files received so far */
    uint32_t files_total;       /**< number of files in the job */
    uint32_t files_transferred; /**< number of files that finished transferring */
} bits_job_progress;

/** File progress (BG_FILE_PROGRESS). completed is 1 once Complete has
 * moved the file to its local name. */
typedef struct bits_file_progress {
    uint32_t struct_size;       /**< set to sizeof(bits_file_progress) before the call */
    uint64_t bytes_total;       /**< size of the file; BG_SIZE_UNKNOWN until known */
    uint64_t bytes_transferred; /**< bytes received so far */
    uint32_t completed;         /**< 1 once the file is under its local name, else 0 */
} bits_file_progress;

/** Job times (BG_JOB_TIMES), microseconds since the Unix epoch (UTC).
 * transfer_completion_time is 0 until the job first reaches TRANSFERRED. */
typedef struct bits_job_times {
    uint32_t struct_size;             /**< set to sizeof(bits_job_times) before the call */
    int64_t creation_time;            /**< when the job was created */
    int64_t modification_time;        /**< when the job last changed (a call, state, progress) */
    int64_t transfer_completion_time; /**< when the job first reached TRANSFERRED, or 0 */
} bits_job_times;

/* ---- BG_JOB_STATE ---------------------------------------------------- */

/** Waiting for its turn to transfer. */
#define BG_JOB_STATE_QUEUED 0u
/** Connecting to the server. */
#define BG_JOB_STATE_CONNECTING 1u
/** Receiving data. */
#define BG_JOB_STATE_TRANSFERRING 2u
/** Paused: every job starts here; Resume queues it. */
#define BG_JOB_STATE_SUSPENDED 3u
/** Stopped by a fatal error (bits_job_get_error()); Resume retries it. */
#define BG_JOB_STATE_ERROR 4u
/** Stopped by a transient error; retried after the minimum retry delay. */
#define BG_JOB_STATE_TRANSIENT_ERROR 5u
/** Every file transferred; Complete makes them visible. */
#define BG_JOB_STATE_TRANSFERRED 6u
/** Completed (final): the files are under their local names. */
#define BG_JOB_STATE_ACKNOWLEDGED 7u
/** Cancelled (final): the temporary files are deleted. */
#define BG_JOB_STATE_CANCELLED 8u
/** Number of job states (values are 0 .. BITS_JOB_STATE_COUNT - 1). */
#define BITS_JOB_STATE_COUNT 9u

/* ---- BG_JOB_PRIORITY ------------------------------------------------- */

/** Transfers at once, alongside every other FOREGROUND job. */
#define BG_JOB_PRIORITY_FOREGROUND 0u
/** The highest background priority. */
#define BG_JOB_PRIORITY_HIGH 1u
/** The default background priority. */
#define BG_JOB_PRIORITY_NORMAL 2u
/** The lowest background priority. */
#define BG_JOB_PRIORITY_LOW 3u

/* ---- BG_JOB_TYPE ----------------------------------------------------- */

/** Downloads its files from servers to local names. */
#define BG_JOB_TYPE_DOWNLOAD 0u
/** Upload: not implemented yet (BITS_E_NOTIMPL). */
#define BG_JOB_TYPE_UPLOAD 1u
/** Upload with a reply: not implemented yet (BITS_E_NOTIMPL). */
#define BG_JOB_TYPE_UPLOAD_REPLY 2u

/* ---- BG_JOB_PROXY_USAGE ---------------------------------------------- */

/** Use the environment (http_proxy, https_proxy, all_proxy, no_proxy). */
#define BG_JOB_PROXY_USAGE_PRECONFIG 0u
/** Connect to every server directly. */
#define BG_JOB_PROXY_USAGE_NO_PROXY 1u
/** Use the job's own proxy list and bypass list. */
#define BG_JOB_PROXY_USAGE_OVERRIDE 2u
/** WPAD auto-detection: not available on Linux (BITS_E_NOTIMPL). */
#define BG_JOB_PROXY_USAGE_AUTODETECT 3u

/* ---- BG_ERROR_CONTEXT ------------------------------------------------ */

/** No error occurred. */
#define BG_ERROR_CONTEXT_NONE 0u
/** The error occurred in an unknown location. */
#define BG_ERROR_CONTEXT_UNKNOWN 1u
/** The error occurred in the transfer queue manager. */
#define BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER 2u
/** The error occurred while notifying the application. */
#define BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION 3u
/** The error occurred while processing the local file. */
#define BG_ERROR_CONTEXT_LOCAL_FILE 4u
/** The error occurred while processing the remote file. */
#define BG_ERROR_CONTEXT_REMOTE_FILE 5u
/** The error occurred in the transport layer (connection, TLS, proxy). */
#define BG_ERROR_CONTEXT_GENERAL_TRANSPORT 6u
/** The error was reported by the server application (uploads). */
#define BG_ERROR_CONTEXT_REMOTE_APPLICATION 7u
/** The error was reported by a server certificate validation callback. */
#define BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK 8u

/* ---- BG_NOTIFY_* (notify flags; also the event kinds) ----------------- */

/** Deliver BITS_EVENT_JOB_TRANSFERRED. */
#define BG_NOTIFY_JOB_TRANSFERRED 0x0001u
/** Deliver BITS_EVENT_JOB_ERROR. */
#define BG_NOTIFY_JOB_ERROR 0x0002u
/** Suppresses every notification; the other bits are then ignored. */
#define BG_NOTIFY_DISABLE 0x0004u
/** Deliver BITS_EVENT_JOB_MODIFICATION. */
#define BG_NOTIFY_JOB_MODIFICATION 0x0008u
/** Deliver BITS_EVENT_FILE_TRANSFERRED. */
#define BG_NOTIFY_FILE_TRANSFERRED 0x0010u
/** Accepted as in BITS; openbits has no file ranges, so it delivers nothing. */
#define BG_NOTIFY_FILE_RANGES_TRANSFERRED 0x0020u

/* ---- BG_AUTH_TARGET / BG_AUTH_SCHEME ---------------------------------- */

/** Credentials for the server. */
#define BG_AUTH_TARGET_SERVER 1u
/** Credentials for the proxy. */
#define BG_AUTH_TARGET_PROXY 2u

/** HTTP Basic authentication. */
#define BG_AUTH_SCHEME_BASIC 1u
/** HTTP Digest authentication. */
#define BG_AUTH_SCHEME_DIGEST 2u
/** NTLM authentication. */
#define BG_AUTH_SCHEME_NTLM 3u
/** Negotiate (SPNEGO: Kerberos or NTLM). */
#define BG_AUTH_SCHEME_NEGOTIATE 4u
/** Microsoft Passport: not available on Linux (BITS_E_NOTIMPL). */
#define BG_AUTH_SCHEME_PASSPORT 5u

/* ---- Security flags (SetSecurityFlags) ---------------------------------- */

/** Check revocation against the CRL file in $OPENBITS_CRL_FILE; fails
 * closed (see bits_job_set_security_flags()). */
#define BG_SSL_ENABLE_CRL_CHECK 0x0001u
/** Skip the check that the certificate names the host. */
#define BG_SSL_IGNORE_CERT_CN_INVALID 0x0002u
/** Accept an expired or not yet valid certificate; turns off chain
 * verification for the job (libcurl cannot ignore one problem alone). */
#define BG_SSL_IGNORE_CERT_DATE_INVALID 0x0004u
/** Accept a certificate of an unknown CA; turns off chain verification. */
#define BG_SSL_IGNORE_UNKNOWN_CA 0x0008u
/** Accept a certificate not meant for servers; turns off chain verification. */
#define BG_SSL_IGNORE_CERT_WRONG_USAGE 0x0010u
/** Follow redirects (up to 10) without recording them; the default. */
#define BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT 0x0000u
/** Follow redirects and record the final URL as the file's remote name. */
#define BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT 0x0100u
/** Refuse redirects: one is a fatal error, its target recorded as the remote name. */
#define BG_HTTP_REDIRECT_POLICY_DISALLOW 0x0200u
/** The bits of the security flags that hold the redirect policy. */
#define BG_HTTP_REDIRECT_POLICY_MASK 0x0700u
/** Also follow redirects from HTTPS to HTTP (refused otherwise). */
#define BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP 0x0800u

/* ---- EnumJobs flags ---------------------------------------------------- */

/** List the jobs of every user of the store (root only). */
#define BG_JOB_ENUM_ALL_USERS 0x0001u

BITS_END_DECLS

#endif /* OPENBITS_TYPES_H */
