/**
 * @file openbits/manager.h
 * @brief opening a job store, creating and finding jobs.
 *
 * A manager (IBackgroundCopyManager) is one process's view of one job
 * store. Open it once, create and find jobs through it, close it when done.
 * Jobs handed out by a manager stay valid after it is closed (see
 * bits_manager_close).
 *
 * @threadsafety every function here may be called from any thread, on the
 * same manager at the same time, unless a function says otherwise.
 */
#ifndef OPENBITS_MANAGER_H
#define OPENBITS_MANAGER_H

#include <openbits/event.h>
#include <openbits/types.h>

BITS_BEGIN_DECLS

/* ---- Opening and closing -------------------------------------------- */

/** bits_manager_open flag: keep jobs in memory only; no store directory is
 * created or read, and @p store_dir must be NULL. */
#define BITS_MANAGER_OPEN_IN_MEMORY 0x0001u

/**
 * Opens the job store in @p store_dir.
 *
 * @param store_dir absolute path of the store directory (UTF-8), or NULL
 *        for the default: $XDG_STATE_HOME/openbits, else
 *        ~/.local/state/openbits. A missing directory and its missing
 *        parents are created with mode 0700.
 * @param flags 0 or BITS_MANAGER_OPEN_IN_MEMORY; experimental:
 *        BITS_MANAGER_OPEN_SERVE (openbits/experimental.h), with a store.
 * @param out_manager receives the manager; release it with
 *        bits_manager_close().
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL @p out_manager, relative
 *         path, unknown flag, a directory with IN_MEMORY, SERVE with
 *         IN_MEMORY);
 *         BITS_E_ACCESSDENIED (the directory cannot be created or is not
 *         writable, belongs to another user, or is group/world accessible);
 *         BITS_E_PATH_NOT_FOUND (the path names something that is not a
 *         directory); BITS_E_OUTOFMEMORY.
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_open(const char *store_dir, uint32_t flags,
                                        bits_manager **out_manager);

/**
 * Closes @p manager: stops its threads (waiting for a running callback to
 * return unless called from inside one) and drops the manager's references
 * to its jobs. Job, file and enumerator handles the caller still holds stay
 * valid: their getters keep answering with the last known values, and
 * every mutator returns BG_E_INVALID_STATE. Release them as usual.
 * Events already queued when it is called (state changes, files and jobs
 * transferred, errors; not coalesced progress) are delivered before it
 * returns (by a manager opened with the experimental
 * BITS_MANAGER_OPEN_EVENT_FD, on the calling thread), except when it is
 * called from inside a callback, which drops them. NULL is ignored. After this call @p manager must not be used again.
 * @threadsafety any thread, but not at the same time as other calls on the
 *         same manager.
 */
BITS_API void bits_manager_close(bits_manager *manager);

/* ---- Jobs ------------------------------------------------------------- */

/**
 * Creates a job (CreateJob). The job starts SUSPENDED with the defaults of
 * BITS (priority NORMAL, notify flags 0x3, minimum retry delay 600 s, no
 * progress timeout 1,209,600 s, maximum download time 7,776,000 s).
 *
 * @param display_name UTF-8, at most 256 code points, need not be unique.
 * @param type BG_JOB_TYPE_DOWNLOAD (upload types are BITS_E_NOTIMPL until
 *        the upload protocol exists).
 * @param out_id receives the job's new GUID.
 * @param out_job receives a new reference to the job; release it with
 *        bits_job_release().
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL argument, name too long or not
 *         valid UTF-8); BITS_E_NOTIMPL (type other than DOWNLOAD);
 *         BG_E_TOO_MANY_JOBS_PER_USER (the store's job limit is reached);
 *         BG_E_INVALID_STATE (manager closed); BITS_E_OUTOFMEMORY.
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_create_job(bits_manager *manager, const char *display_name,
                                              uint32_t type, bits_guid *out_id,
                                              bits_job **out_job);

/**
 * Finds a job of the queue by id (GetJob).
 * @param out_job receives a new reference; release with bits_job_release().
 * @return BITS_S_OK; BG_E_NOT_FOUND (unknown, ACKNOWLEDGED or CANCELLED);
 *         BITS_E_ACCESSDENIED (another user's job and the caller is not
 *         root); BITS_E_INVALIDARG (NULL argument).
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_get_job(bits_manager *manager, const bits_guid *id,
                                           bits_job **out_job);

/**
 * Enumerates the jobs in the queue (EnumJobs). The enumerator is a
 * snapshot of membership at this call (jobs created later are not in it;
 * properties are read live through the job handles).
 * @param flags 0 for the caller's jobs, BG_JOB_ENUM_ALL_USERS for every
 *        job of the store (root only).
 * @param out_enum receives the enumerator; free with bits_job_enum_free().
 * @return BITS_S_OK; BITS_E_ACCESSDENIED (ALL_USERS without root);
 *         BITS_E_NOTIMPL (unknown flag bit); BITS_E_INVALIDARG;
 *         BITS_E_OUTOFMEMORY.
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_enum_jobs(bits_manager *manager, uint32_t flags,
                                             bits_job_enum **out_enum);

/* ---- Job enumerators (IEnumBackgroundCopyJobs) ------------------------
 * An enumerator is a private snapshot: use it from one thread at a time.
 */

/**
 * Fetches up to @p celt jobs from the current position.
 * @param out_array receives @p celt (or fewer) new job references; release
 *        each with bits_job_release().
 * @param out_fetched receives the number fetched; may be NULL only when
 *        @p celt is 1.
 * @return BITS_S_OK when @p celt jobs were fetched, BITS_S_FALSE when
 *         fewer (0 at the end); BITS_E_INVALIDARG (NULL array, NULL
 *         out_fetched with celt != 1).
 * @threadsafety any thread, one at a time per enumerator.
 */
BITS_API bits_hresult bits_job_enum_next(bits_job_enum *e, uint32_t celt, bits_job **out_array,
                                         uint32_t *out_fetched);
/** Skips @p celt jobs. @return BITS_S_OK; BITS_S_FALSE when it ran past
 * the end (the position is then the end); BITS_E_INVALIDARG (NULL).
 * @threadsafety one thread at a time per enumerator. */
BITS_API bits_hresult bits_job_enum_skip(bits_job_enum *e, uint32_t celt);
/** Moves back to the first job. @return BITS_S_OK; BITS_E_INVALIDARG.
 * @threadsafety one thread at a time per enumerator. */
BITS_API bits_hresult bits_job_enum_reset(bits_job_enum *e);
/** Makes an independent copy at the same position; free it with
 * bits_job_enum_free(). @return BITS_S_OK; BITS_E_INVALIDARG;
 * BITS_E_OUTOFMEMORY. @threadsafety one thread at a time per enumerator. */
BITS_API bits_hresult bits_job_enum_clone(bits_job_enum *e, bits_job_enum **out_clone);
/** Number of jobs in the snapshot. @return BITS_S_OK; BITS_E_INVALIDARG.
 * @threadsafety one thread at a time per enumerator. */
BITS_API bits_hresult bits_job_enum_get_count(bits_job_enum *e, uint32_t *out_count);
/** Frees the enumerator and its references. NULL is ignored.
 * @threadsafety one thread at a time per enumerator. */
BITS_API void bits_job_enum_free(bits_job_enum *e);

/* ---- Store limits and settings ------------------------------------------ */

/** Jobs in the queue of the store; default 300 (BG_E_TOO_MANY_JOBS_PER_USER). */
#define BITS_LIMIT_JOBS 1u
/** Files per job; default 200 (BG_E_TOO_MANY_FILES_IN_JOB). */
#define BITS_LIMIT_FILES_PER_JOB 2u
/** Ranges per file; default 500 (BG_E_TOO_MANY_RANGES_IN_FILE). */
#define BITS_LIMIT_RANGES_PER_FILE 3u
/** Bandwidth of all transfers of the manager together, bytes per second;
 * default 0 (unlimited). Takes effect at once, also mid-transfer. */
#define BITS_LIMIT_MAX_BANDWIDTH 4u
/** Round-robin time slice of background jobs of equal priority, in
 * milliseconds: a job that ran this long goes back to QUEUED when another
 * job of its priority is waiting. Default 60,000; 0 disables slicing. */
#define BITS_LIMIT_TIME_SLICE_MS 5u
/** Seconds a connection may go without receiving a byte before the
 * attempt fails as a transient error (BITS_E_WINHTTP_TIMEOUT); also the
 * connect timeout. Default 60; 0 means no timeout. */
#define BITS_LIMIT_STALL_TIMEOUT 6u

/**
 * Sets a limit or setting of the store (MaxJobsPerUser, MaxFilesPerJob,
 * MaxRangesPerFile, bandwidth, time slice, stall timeout). 0 means
 * unlimited (or off). Lowering a count limit below the current count only
 * refuses new additions. Root gets no exemption.
 * @return BITS_S_OK; BITS_E_NOTIMPL (unknown @p which);
 *         BITS_E_INVALIDARG (NULL manager); BG_E_INVALID_STATE (closed).
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_set_limit(bits_manager *manager, uint32_t which,
                                             uint32_t value);
/** Reads a limit. @return BITS_S_OK; BITS_E_NOTIMPL (unknown @p which);
 * BITS_E_INVALIDARG. @threadsafety any thread. */
BITS_API bits_hresult bits_manager_get_limit(bits_manager *manager, uint32_t which,
                                             uint32_t *out_value);

/* ---- Manager-wide events ---------------------------------------------- */

/**
 * Registers @p fn to receive the events of every job of the manager
 * (filtered by each job's notify flags), in addition to per-job callbacks.
 * NULL @p fn removes it. See openbits/event.h for the contract.
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL manager);
 *         BG_E_INVALID_STATE (closed).
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_set_event_callback(bits_manager *manager, bits_event_fn fn,
                                                      void *user_data);

/* ---- GUID text ---------------------------------------------------------- */

/**
 * Formats @p id as "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (lower case).
 * @param out_text receives a new string; free it with bits_free().
 * @return BITS_S_OK; BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY.
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_guid_to_string(const bits_guid *id, char **out_text);

/**
 * Parses a GUID with or without braces, in any letter case.
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL or malformed text).
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_guid_from_string(const char *text, bits_guid *out_id);

BITS_END_DECLS

#endif /* OPENBITS_MANAGER_H */
