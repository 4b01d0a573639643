/**
 * @file openbits/job.h
 * @brief a transfer job: files, state, life cycle, properties.
 *
 * A job (IBackgroundCopyJob) is a list of files transferred in order, one
 * state out of the nine BG_JOB_STATE_* values, and a set of properties.
 * Every job starts SUSPENDED; Resume queues it; Complete makes its files
 * visible under their local names; Cancel throws them away.
 *
 * Common rules for every function in this header:
 * - A NULL job or NULL out-pointer returns BITS_E_INVALIDARG and changes
 *   nothing.
 * - Every mutator (add, life-cycle calls, setters, callback registration)
 *   returns BG_E_INVALID_STATE once the job is ACKNOWLEDGED or CANCELLED,
 *   or once its manager is closed. Getters keep answering, with the last
 *   known values.
 * - A mutator of a job in a store is decided against the store as it is
 *   when the change is written: it returns BG_E_INVALID_STATE when
 *   another process completed or cancelled the job meanwhile (the handle
 *   then says ACKNOWLEDGED or CANCELLED), and the state table's answer for
 *   the job's stored state otherwise. It is committed before it returns;
 *   when another process holds the store's database locked for more than
 *   10 s it returns BITS_E_BUSY and changes nothing. Getters answer from
 *   memory and never wait for the store.
 * - Strings are UTF-8; invalid UTF-8 is BITS_E_INVALIDARG. Length limits
 *   count Unicode code points. A string returned through an out-pointer
 *   is a new copy: free it with bits_free().
 * - Durations are whole seconds; times microseconds since the Unix epoch.
 * - Thread safety: every function may be called from any thread, on the
 *   same job at the same time; each call is atomic with respect to the
 *   others.
 */
#ifndef OPENBITS_JOB_H
#define OPENBITS_JOB_H

#include <openbits/event.h>
#include <openbits/types.h>

BITS_BEGIN_DECLS

/* ---- References -------------------------------------------------------- */

/** Takes one more reference to @p job. @return the new count, 0 when
 * @p job is NULL. @threadsafety any thread. */
BITS_API uint32_t bits_job_add_ref(bits_job *job);

/** Drops one reference; the handle is freed with the last one (the job
 * itself stays in the queue). NULL is ignored. @return the remaining
 * count. @threadsafety any thread. */
BITS_API uint32_t bits_job_release(bits_job *job);

/* ---- Identity and state ------------------------------------------------ */

/** The job's GUID (GetId). @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_id(bits_job *job, bits_guid *out_id);

/** The job type, BG_JOB_TYPE_* (GetType). @return BITS_S_OK;
 * BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_type(bits_job *job, uint32_t *out_type);

/**
 * The job's state (GetState), one of BG_JOB_STATE_QUEUED (0) ...
 * BG_JOB_STATE_CANCELLED (8). Answers without touching the network or the
 * disk, also after the job reached a final state.
 * @return BITS_S_OK; BITS_E_INVALIDARG when @p job or @p out_state is NULL
 *         (then *out_state is unchanged).
 */
BITS_API bits_hresult bits_job_get_state(bits_job *job, uint32_t *out_state);

/** The owner: the user id of the process that created the job, in decimal
 * (GetOwner). @param out_owner new string, free with bits_free().
 * @return BITS_S_OK; BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY. */
BITS_API bits_hresult bits_job_get_owner(bits_job *job, char **out_owner);

/* ---- Files ------------------------------------------------------------- */

/**
 * Appends one file (AddFile). Files transfer in the order they were added.
 * @param remote_url an http:// or https:// URL, a file:// URL or an
 *        absolute local path (a local copy); at most 2,200 code points. A
 *        local source is only checked when it transfers.
 * @param local_name absolute path of the destination; its parent directory
 *        must exist and be writable. At most PATH_MAX bytes; its last
 *        component within the file system's NAME_MAX; its directory short
 *        enough for a temporary file's name (80 bytes) within PATH_MAX.
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL, relative or malformed local
 *         path, a name past those limits, directory as local name,
 *         malformed or unsupported remote name, remote name too long);
 *         BITS_E_PATH_NOT_FOUND (parent directory missing);
 *         BITS_E_ACCESSDENIED (parent not writable);
 *         BG_E_TOO_MANY_FILES_IN_JOB (the store's limit, counting files
 *         other processes added); BG_E_INVALID_STATE (final job, also one
 *         another process completed or cancelled); BITS_E_BUSY (the store
 *         stayed locked by another process).
 *         In TRANSFERRED the file is added and waits for the next Resume.
 */
BITS_API bits_hresult bits_job_add_file(bits_job *job, const char *remote_url,
                                        const char *local_name);

/**
 * Appends @p count files at once (AddFileSet). All or nothing: when one
 * entry is refused, none is added and its error is returned.
 * @return as bits_job_add_file(); BITS_E_INVALIDARG also for @p count 0 or
 *         a NULL @p files.
 */
BITS_API bits_hresult bits_job_add_file_set(bits_job *job, uint32_t count,
                                            const bits_file_info *files);

/**
 * Enumerates the job's files in the order they were added (EnumFiles).
 * @param out_enum receives a snapshot enumerator; free it with
 *        bits_file_enum_free().
 * @return BITS_S_OK; BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY.
 */
BITS_API bits_hresult bits_job_enum_files(bits_job *job, bits_file_enum **out_enum);

/* ---- Life cycle -------------------------------------------------------- */

/**
 * Queues the job for transfer (Resume): SUSPENDED, ERROR and
 * TRANSIENT_ERROR go to QUEUED (TRANSIENT_ERROR retries at once, without
 * waiting for the retry delay); the other active states stay as they are;
 * TRANSFERRED goes to QUEUED only when files were added since.
 * @return BITS_S_OK; BG_E_EMPTY (no files; the job stays SUSPENDED);
 *         BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_resume(bits_job *job);

/**
 * Pauses the job (Suspend): any transfer stops, bytes already written are
 * kept for a later Resume. In TRANSFERRED the call succeeds and the job
 * stays TRANSFERRED. @return BITS_S_OK; BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_suspend(bits_job *job);

/**
 * Cancels the job (Cancel): stops any transfer, deletes every temporary
 * file, and the job becomes CANCELLED and leaves the queue.
 * @return BITS_S_OK; BG_S_UNABLE_TO_DELETE_FILES (cancelled, but some
 *         temporary files could not be deleted); BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_cancel(bits_job *job);

/**
 * Completes the job (Complete): every file that finished transferring is
 * moved to its local name, the temporary files of the others are deleted,
 * and the job becomes ACKNOWLEDGED and leaves the queue.
 * @return BITS_S_OK (every file finished); BG_S_PARTIAL_COMPLETE (only
 *         some, possibly none, finished); BG_S_UNABLE_TO_DELETE_FILES;
 *         BG_E_INVALID_STATE; or the error of a failed move, in which case
 *         the job stays TRANSFERRED with the files moved so far visible,
 *         and Complete may be called again.
 */
BITS_API bits_hresult bits_job_complete(bits_job *job);

/* ---- Progress, times, errors ------------------------------------------- */

/** Byte and file counts (GetProgress). Set out_progress->struct_size
 * first. @return BITS_S_OK; BITS_E_INVALIDARG (NULL, or struct_size too
 * small). */
BITS_API bits_hresult bits_job_get_progress(bits_job *job, bits_job_progress *out_progress);

/** Creation, modification and transfer completion times (GetTimes). Set
 * out_times->struct_size first. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_times(bits_job *job, bits_job_times *out_times);

/**
 * A copy of the job's last error (GetError), available while the job is
 * in ERROR or TRANSIENT_ERROR.
 * @param out_error receives a new error object; free it with
 *        bits_error_free().
 * @return BITS_S_OK; BG_E_ERROR_INFORMATION_UNAVAILABLE (no error, *out_error
 *         = NULL); BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY.
 */
BITS_API bits_hresult bits_job_get_error(bits_job *job, bits_error **out_error);

/** How many times a transfer of this job failed (GetErrorCount); never
 * reset. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_error_count(bits_job *job, uint32_t *out_count);

/* ---- Descriptive properties -------------------------------------------- */

/** Sets the display name: non-NULL, at most 256 code points.
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL, invalid UTF-8);
 * BG_E_STRING_TOO_LONG; BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_display_name(bits_job *job, const char *name);
/** The display name; free with bits_free(). @return BITS_S_OK;
 * BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY. */
BITS_API bits_hresult bits_job_get_display_name(bits_job *job, char **out_name);

/** Sets the description: non-NULL, at most 1,024 code points (default "").
 * @return BITS_S_OK; BITS_E_INVALIDARG; BG_E_STRING_TOO_LONG;
 * BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_description(bits_job *job, const char *description);
/** The description; free with bits_free(). @return BITS_S_OK;
 * BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY. */
BITS_API bits_hresult bits_job_get_description(bits_job *job, char **out_description);

/* ---- Scheduling -------------------------------------------------------- */

/** Sets the priority, BG_JOB_PRIORITY_* (default NORMAL).
 * @return BITS_S_OK; BITS_E_NOTIMPL (value out of range);
 * BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_priority(bits_job *job, uint32_t priority);
/** The priority. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_priority(bits_job *job, uint32_t *out_priority);

/** Sets the minimum delay before a transient error is retried, in
 * seconds (default 600; values below 5 are raised to 5).
 * @return BITS_S_OK; BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_minimum_retry_delay(bits_job *job, uint32_t seconds);
/** The minimum retry delay. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_minimum_retry_delay(bits_job *job, uint32_t *out_seconds);

/** Sets how long a job may go without progress after its first transient
 * error before it fails (default 1,209,600 s = 14 days; 0 makes every
 * error fatal). @return BITS_S_OK; BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_no_progress_timeout(bits_job *job, uint32_t seconds);
/** The no-progress timeout. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_no_progress_timeout(bits_job *job, uint32_t *out_seconds);

/** Sets the longest time the job may spend connecting and transferring
 * (default 7,776,000 s = 90 days; Resume restarts the count); past it the
 * job fails with BG_E_MAXDOWNLOAD_TIMEOUT. @return BITS_S_OK;
 * BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_maximum_download_time(bits_job *job, uint32_t seconds);
/** The maximum download time. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_maximum_download_time(bits_job *job, uint32_t *out_seconds);

/* ---- Notifications ----------------------------------------------------- */

/** Sets which events are delivered, BG_NOTIFY_* bits (default
 * JOB_TRANSFERRED | JOB_ERROR = 0x3). @return BITS_S_OK; BITS_E_NOTIMPL
 * (unknown bit); BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_notify_flags(bits_job *job, uint32_t flags);
/** The notify flags. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_notify_flags(bits_job *job, uint32_t *out_flags);

/**
 * Registers the job's event callback (SetNotifyInterface); NULL @p fn
 * removes it. See openbits/event.h for the contract. The registration is
 * not persistent. Removing (NULL) is allowed in every state.
 * @return BITS_S_OK; BG_E_INVALID_STATE (registering in a final state).
 */
BITS_API bits_hresult bits_job_set_event_callback(bits_job *job, bits_event_fn fn,
                                                  void *user_data);

/** Sets the minimum spacing of JOB_MODIFICATION events in milliseconds
 * (default 500). @return BITS_S_OK; BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_minimum_notification_interval(bits_job *job, uint32_t ms);
/** The minimum notification interval. @return BITS_S_OK;
 * BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_minimum_notification_interval(bits_job *job, uint32_t *out_ms);

/**
 * Sets a program to run when the job reaches TRANSFERRED or ERROR
 * (SetNotifyCmdLine). It is started directly (no shell, no PATH search)
 * with the job owner's rights.
 * @param program absolute path of the program, at most PATH_MAX bytes.
 * @param parameters the whole command line, its first word being the
 *        program (as in BITS), at most 4,000 code points; may be NULL.
 *        Both NULL clears the setting.
 * @return BITS_S_OK; BITS_E_INVALIDARG (relative program, NULL program with
 *         parameters); BG_E_STRING_TOO_LONG; BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_set_notify_cmd_line(bits_job *job, const char *program,
                                                   const char *parameters);
/** The notify program and parameters, each a new string or NULL when
 * unset; free with bits_free(). @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_notify_cmd_line(bits_job *job, char **out_program,
                                                   char **out_parameters);

/* ---- Network ----------------------------------------------------------- */

/**
 * Sets how the job reaches servers (SetProxySettings).
 * @param usage BG_JOB_PROXY_USAGE_PRECONFIG (environment), _NO_PROXY or
 *        _OVERRIDE; _AUTODETECT is BITS_E_NOTIMPL on Linux.
 * @param proxy_list OVERRIDE only: space-separated
 *        `[scheme=][scheme://]host[:port]` entries, at most 4,000 code
 *        points. Must be NULL for the other usages.
 * @param bypass_list OVERRIDE only (may be NULL): space-separated host
 *        names, `*` wildcards and `<local>`, at most 4,000 code points.
 * @return BITS_S_OK; BITS_E_NOTIMPL (bad usage); BITS_E_INVALIDARG (lists
 *         with a non-OVERRIDE usage, OVERRIDE without a proxy list);
 *         BG_E_PROXY_LIST_TOO_LARGE; BG_E_PROXY_BYPASS_LIST_TOO_LARGE;
 *         BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_set_proxy_settings(bits_job *job, uint32_t usage,
                                                  const char *proxy_list,
                                                  const char *bypass_list);
/** The proxy usage and lists (each a new string or NULL); free the lists
 * with bits_free(). @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_proxy_settings(bits_job *job, uint32_t *out_usage,
                                                  char **out_proxy_list,
                                                  char **out_bypass_list);

/**
 * Sets the credentials for one (target, scheme) pair, replacing earlier
 * ones for that pair (SetCredentials). They cannot be read back.
 * @param target BG_AUTH_TARGET_SERVER or BG_AUTH_TARGET_PROXY.
 * @param scheme BG_AUTH_SCHEME_BASIC, _DIGEST, _NTLM or _NEGOTIATE.
 * @param user_name at most 300 code points; NULL allowed only for NTLM
 *        and NEGOTIATE (with a NULL password: use the ambient identity).
 * @param password at most 65,535 code points.
 * @return BITS_S_OK; BG_E_INVALID_AUTH_TARGET; BG_E_INVALID_AUTH_SCHEME;
 *         BITS_E_NOTIMPL (PASSPORT); BG_E_USERNAME_TOO_LARGE;
 *         BG_E_PASSWORD_TOO_LARGE; BITS_E_INVALIDARG; BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_set_credentials(bits_job *job, uint32_t target, uint32_t scheme,
                                               const char *user_name, const char *password);

/** Removes the credentials of one (target, scheme) pair
 * (RemoveCredentials). @return BITS_S_OK; BITS_S_FALSE (none were set);
 * BG_E_INVALID_AUTH_TARGET; BG_E_INVALID_AUTH_SCHEME; BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_remove_credentials(bits_job *job, uint32_t target,
                                                  uint32_t scheme);

/**
 * Sets extra HTTP request headers sent on every request of the job
 * (SetCustomHeaders): "Name: value" lines separated (and optionally
 * ended) by CR LF, at most 16,384 code points. NULL removes them.
 * @return BITS_S_OK; BITS_E_INVALIDARG (a line that is not a valid
 *         header, a bare CR or LF); BG_E_STRING_TOO_LONG;
 *         BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_set_custom_headers(bits_job *job, const char *headers);
/** The custom headers; free with bits_free(). @return BITS_S_OK;
 * BITS_S_FALSE with *out_headers = NULL when none are set;
 * BITS_E_ACCESSDENIED after bits_job_make_custom_headers_write_only();
 * BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_custom_headers(bits_job *job, char **out_headers);
/** Makes the custom headers unreadable from now on; irreversible
 * (MakeCustomHeadersWriteOnly). @return BITS_S_OK; BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_make_custom_headers_write_only(bits_job *job);

/**
 * Sets TLS and redirect behaviour (SetSecurityFlags): BG_SSL_* bits, one
 * BG_HTTP_REDIRECT_POLICY_* value (ALLOW_SILENT by default) and optionally
 * BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP. Default 0: certificates
 * verified, redirects followed, HTTPS to HTTP refused, no revocation check.
 *
 * BG_SSL_ENABLE_CRL_CHECK checks the https server's certificate chain
 * against the PEM CRL file named by the environment variable
 * OPENBITS_CRL_FILE of the process that runs the transfers (openbitsd, or
 * whichever program holds the store's engine: set it for all of them). It
 * is read each time a file's transfer starts, on the engine thread, so set
 * it before bits_manager_open(), never while jobs transfer. The file must
 * hold a current CRL from every CA of the chain, the root included
 * (libcurl with OpenSSL: X509_V_FLAG_CRL_CHECK_ALL); it is read again for
 * each new TLS connection. The check fails closed, fatally (ERROR, context
 * GENERAL_TRANSPORT as every TLS failure): BITS_E_WINHTTP_SECURE_CERT_REVOKED
 * for a revoked certificate; BITS_E_WINHTTP_SECURE_CERT_REV_FAILED, before
 * any connection, when OPENBITS_CRL_FILE is unset, empty or unreadable, or
 * a BG_SSL_IGNORE_* flag other than CN_INVALID turns chain verification
 * off, and, at the handshake, when the file holds no loadable CRL or a CRL
 * is missing, out of date or badly signed. http:// sources need no CRL,
 * but without a usable one they are not redirected to https; local files
 * are unaffected.
 * @return BITS_S_OK; BITS_E_NOTIMPL (unknown bit or redirect policy);
 *         BG_E_INVALID_STATE.
 */
BITS_API bits_hresult bits_job_set_security_flags(bits_job *job, uint32_t flags);
/** The security flags. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_security_flags(bits_job *job, uint32_t *out_flags);

/* ---- Transfer tuning (openbits extensions) ----------------------------- */

/** Caps the job's download rate in bytes per second (0 = unlimited, the
 * default); takes effect at once, also mid-transfer. The manager-wide cap
 * (BITS_LIMIT_MAX_BANDWIDTH) applies on top. Local copies (file:// and
 * paths) use no network and are not capped. @return BITS_S_OK;
 * BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_max_bandwidth(bits_job *job, uint64_t bytes_per_second);
/** The job's rate cap (0 = unlimited). @return BITS_S_OK;
 * BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_max_bandwidth(bits_job *job, uint64_t *out_bytes_per_second);

/** How many files of this job may transfer at once (default 1, the BITS
 * behaviour: files strictly in order). Raise it for many small files; at
 * most 64. Files still complete and are reported in any order, and the
 * job is TRANSFERRED once all are. @return BITS_S_OK; BITS_E_INVALIDARG
 * (0 or more than 64); BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_files_in_flight(bits_job *job, uint32_t count);
/** The files-in-flight setting. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_files_in_flight(bits_job *job, uint32_t *out_count);

/* ---- Content properties (BITS 5 job properties) ------------------------ */

/** Marks the remote content as dynamic (no size, no ranges; any
 * interruption restarts from byte 0). @p enable is 0 or 1.
 * @return BITS_S_OK; BITS_E_INVALIDARG (other values);
 * BG_E_READ_ONLY_PROPERTY_AFTER_RESUME (after the first Resume);
 * BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_dynamic_content(bits_job *job, uint32_t enable);
/** Whether the content is dynamic (0 or 1). @return BITS_S_OK;
 * BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_dynamic_content(bits_job *job, uint32_t *out_enable);

/** Caps the total bytes the job may download; past it the job fails with
 * BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED. 0 means no cap (the default).
 * @return BITS_S_OK; BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;
 * BG_E_INVALID_STATE. */
BITS_API bits_hresult bits_job_set_max_download_size(bits_job *job, uint64_t bytes);
/** The download size cap (0 = none). @return BITS_S_OK;
 * BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_job_get_max_download_size(bits_job *job, uint64_t *out_bytes);

BITS_END_DECLS

#endif /* OPENBITS_JOB_H */
