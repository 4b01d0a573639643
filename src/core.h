/*
 * core.h - the library's internal objects and their locking rules.
 *
 * One `bits_core` exists per opened manager. It owns the mutex that guards
 * every job of that manager, the job table and the notifier. Jobs, files,
 * enumerators and error objects keep the core alive by reference, so handles
 * outlive bits_manager_close() (design rule 8) in any release order.
 *
 * Lock rule: `core->lock` guards every mutable field of every job and file
 * of the core. It is never held while user code runs (callbacks run on the
 * notifier thread with no lock held).
 */
#ifndef OPENBITS_CORE_H
#define OPENBITS_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "openbits/openbits.h"

typedef struct notifier notifier;
typedef struct engine engine;
typedef struct store store;
typedef struct watcher watcher;

/* A token bucket for bandwidth limits, in bytes; rate 0 = unlimited. */
typedef struct rate_bucket {
    uint64_t rate;
    int64_t tokens;
    int64_t refilled_at;        /* monotonic us */
} rate_bucket;

#define CORE_LIMIT_COUNT (BITS_LIMIT_STALL_TIMEOUT + 1)

typedef struct bits_core {
    atomic_uint refs;
    pthread_mutex_t lock;
    int closed;                 /* bits_manager_close() was called */
    uid_t owner_uid;            /* the user of the opening process */

    bits_job **jobs;            /* the queue: non-final jobs, one reference each */
    uint32_t njobs, cap_jobs;

    uint32_t limits[CORE_LIMIT_COUNT]; /* indexed by BITS_LIMIT_*; 0 = unlimited */

    bits_event_fn manager_cb;   /* manager-wide event callback */
    void *manager_cb_data;
    notifier *notify;           /* started on first callback registration */
    engine *engine;             /* started on the first Resume */
    uint64_t queue_seq;         /* round-robin order of entries into QUEUED */

    char *store_dir;            /* NULL for an in-memory store */
    store *store;               /* NULL for an in-memory store */
    watcher *watch;             /* sees other processes' changes */
    int engine_lock_fd;         /* flock on <store>/engine.lock, or -1 */
} bits_core;

struct bits_manager {
    bits_core *core;
};

/* One credential slot per (target, scheme). */
typedef struct job_credential {
    int set;
    char *user_name;
    char *password;
} job_credential;

#define CRED_TARGETS 2 /* SERVER, PROXY */
#define CRED_SCHEMES 4 /* BASIC, DIGEST, NTLM, NEGOTIATE */

/* The job's last transfer error (GetError). */
typedef struct job_error {
    int set;
    uint32_t context;           /* BG_ERROR_CONTEXT_* */
    bits_hresult code;
    int32_t file_index;         /* -1: not tied to a file */
    char *detail;               /* extra text (server status line...), may be NULL */
    char *protocol;             /* "http", "file" or NULL */
} job_error;

struct bits_file {
    bits_job *job;              /* owner; a file reference is a job reference */
    uint32_t index;
    char *remote_name;
    char *local_name;
    char *temp_name;            /* NULL while no temporary file exists */
    uint64_t bytes_total;       /* BG_SIZE_UNKNOWN until known */
    uint64_t bytes_transferred;
    int transferred;            /* every byte is in the temporary file */
    int completed;              /* moved to local_name by Complete */
    int active;                 /* a transfer of this file is running */
    uint64_t saved_bytes;       /* progress on disk and in the store */
    int store_pending;          /* its row waits for the store's batch commit */
    /* What identified the remote content when the file started, so a
     * resume is only attempted against the same content (If-Range). */
    char *etag;                 /* strong ETag, or NULL */
    char *last_modified;        /* Last-Modified as sent, or NULL */
};

struct bits_job {
    atomic_uint refs;
    bits_core *core;            /* strong reference */

    bits_guid id;
    uint32_t type;
    _Atomic uint32_t state;     /* written under core->lock, read lock-free */
    uid_t owner_uid;

    char *display_name;
    char *description;
    uint32_t priority;
    uint32_t notify_flags;
    uint32_t min_retry_delay;
    uint32_t no_progress_timeout;
    uint32_t max_download_time;
    uint32_t min_notify_interval_ms;
    uint32_t security_flags;
    uint32_t dynamic_content;
    uint64_t max_download_size;
    uint32_t error_count;
    int resumed_once;           /* Resume succeeded at least once */
    uint64_t max_bandwidth;     /* bytes/s, 0 = unlimited */
    uint32_t files_in_flight;   /* concurrent files of this job (>= 1) */

    uint64_t store_seq;         /* creation order in the store */
    uint32_t files_saved;       /* files already written to the store */
    uint32_t files_done_hint;   /* files below this index are all transferred (a lower
                                   bound the engine raises; 0 when rows are reloaded) */

    /* Engine bookkeeping (monotonic microseconds; 0 = not set). */
    uint64_t queued_seq;        /* position in the round-robin order */
    int64_t retry_at;           /* TRANSIENT_ERROR: when to requeue */
    int64_t first_transient;    /* start of the no-progress window */
    int64_t active_since;       /* entered CONNECTING/TRANSFERRING */
    int64_t active_total;       /* time spent active since the last Resume */
    int64_t slice_start;        /* current background time slice */
    uint32_t retry_after;       /* server's Retry-After, seconds, 0 = none */
    rate_bucket bandwidth;      /* max_bandwidth tokens */

    uint32_t proxy_usage;
    char *proxy_list;
    char *bypass_list;
    job_credential creds[CRED_TARGETS][CRED_SCHEMES];
    char *custom_headers;
    int headers_write_only;
    char *notify_program;
    char *notify_parameters;

    int64_t creation_time;      /* microseconds since the epoch */
    int64_t modification_time;
    int64_t transfer_completion_time;

    bits_file **files;
    uint32_t nfiles, cap_files;

    job_error error;

    bits_event_fn cb;
    void *cb_data;
    int64_t last_modification_event; /* monotonic us of the last one delivered */
};

/* ---- core.c ---------------------------------------------------------------- */

bits_core *core_new(void);
void core_ref(bits_core *core);
void core_unref(bits_core *core);
void core_lock(bits_core *core);
void core_unlock(bits_core *core);

/* Microseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t now_us(void);

/* Monotonic microseconds, for every timer (wall-clock changes ignored). */
int64_t mono_now_us(void);

/* Initialises @p cond to time out on CLOCK_MONOTONIC (for timed waits
 * that must ignore wall-clock changes). */
void cond_init_monotonic(pthread_cond_t *cond);

/* An absolute CLOCK_MONOTONIC deadline @p ms milliseconds from now, for
 * pthread_cond_timedwait on a cond_init_monotonic() condition. */
struct timespec mono_deadline_ms(int64_t ms);

/* Maps an errno value to the code a file-system failure returns:
 * EACCES/EPERM/EROFS -> BITS_E_ACCESSDENIED, ENOENT/ENOTDIR ->
 * BITS_E_PATH_NOT_FOUND, ENOSPC/EDQUOT -> BITS_E_DISK_FULL, ENOMEM ->
 * BITS_E_OUTOFMEMORY, ENAMETOOLONG -> BITS_E_INVALIDARG, else BITS_E_FAIL. */
bits_hresult hr_from_errno(int err);

/* malloc-based copies that return NULL only on allocation failure of a
 * non-NULL source; bits_free() releases them. */
char *xstrdup(const char *s);

/* Stores a new copy of @p src in *out (NULL stays NULL). Returns BITS_S_OK
 * or BITS_E_OUTOFMEMORY. Used by every string getter. */
bits_hresult copy_out_string(const char *src, char **out);

/* Replaces *slot by a copy of @p value (NULL allowed), freeing the old one.
 * BITS_S_OK or BITS_E_OUTOFMEMORY (slot unchanged). */
bits_hresult replace_string(char **slot, const char *value);

/* ---- job.c ----------------------------------------------------------------- */

bits_job *job_new(bits_core *core, const bits_guid *id, uint32_t type, char *display_name);

/* Applies @p event to the job through the state table, under core->lock:
 * sets the state, bumps the error count and the modification time, removes
 * a job that became final from the queue and queues the matching events.
 * Returns the table's result code. */
bits_hresult job_apply_locked(bits_job *job, int event, uint32_t cond);

/* The STATE_COND_* facts of the job (caller holds the lock). */
uint32_t job_conditions_locked(const bits_job *job);

/* Common guard of every mutator: NULL -> INVALIDARG, manager closed or
 * final state -> BG_E_INVALID_STATE. Takes the lock on success; the
 * caller must call job_end_mutation(). */
bits_hresult job_begin_mutation(bits_job *job);

/* Cancels the job (temporary files deleted, store row removed) when nobody
 * touched it for 90 days, as BITS's JobInactivityTimeout does. Returns 1
 * when it did. The job may leave the queue: hold a reference. */
int job_expire_if_inactive_locked(bits_job *job);

/* Takes a state another process stored: sets it, keeps the timers right,
 * raises the events, leaves the queue when final, wakes the engine. */
void job_set_state_from_store_locked(bits_job *job, uint32_t state);
/* Ends a mutation begun by job_begin_mutation(): when @p modified, stamps
 * the modification time, writes the job to the store and raises
 * JOB_MODIFICATION; then unlocks. Returns @p hr, or the store's error when
 * @p hr was a success and the write failed. */
bits_hresult job_end_mutation(bits_job *job, int modified, bits_hresult hr);

/* ---- manager.c --------------------------------------------------------------- */

/* Removes @p job from the queue and drops the queue's reference (caller
 * holds the lock and its own reference to @p job, so the job and the core
 * stay alive). */
void core_remove_job_locked(bits_core *core, bits_job *job);

/* Adds a job read from the store to the queue (no limit check), taking
 * one reference. */
bits_hresult core_add_loaded_job_locked(bits_core *core, bits_job *job);

/* Writes the job to the store, if the manager has one: the row, and the
 * files (all of them with @p all_files, else only new ones). Returns the
 * store's error, which the calling API function reports. */
bits_hresult core_persist_job_locked(bits_job *job, int all_files);

/* Removes a job that reached a final state from the store, once its files
 * are dealt with. */
void core_forget_job_locked(bits_job *job);

/* A new array of new references to the queued jobs the caller may see
 * (all of them with @p all_users); for the enumerators. Caller holds the
 * lock. */
bits_hresult core_snapshot_jobs_locked(bits_core *core, int all_users, bits_job ***out_jobs,
                                       uint32_t *out_count);

/* ---- notify.c ------------------------------------------------------------------ */

/* Queues an event for the job's callback and the manager callback,
 * filtered by the job's notify flags (caller holds the lock). @p file may
 * be NULL. Does nothing when no callback is registered. */
void notify_job_event_locked(bits_job *job, uint32_t kind, bits_file *file);

/* Queues a JOB_MODIFICATION for a state change: never coalesced or
 * delayed, so every state a job passes through is reported in order. */
void notify_job_state_locked(bits_job *job);

/* Queues an event for the job's own callback only (used when a callback is
 * registered after the job reached TRANSFERRED or ERROR). */
void notify_job_replay_locked(bits_job *job, uint32_t kind);

/* Starts the notifier thread if it is not running (caller holds the lock).
 * BITS_S_OK or BITS_E_OUTOFMEMORY / BITS_E_FAIL. */
bits_hresult notify_start_locked(bits_core *core);

/* Waits (dropping the lock meanwhile) until no callback of @p job — or of
 * the manager when @p job is NULL — is running, unless the caller is the
 * notifier thread itself. Caller holds the lock. */
void notify_wait_idle_locked(bits_core *core, bits_job *job);

/* Stops the notifier: delivers nothing more, joins the thread unless
 * called from it. Caller must NOT hold the lock. */
void notify_stop(bits_core *core);

/* ---- guid.c ------------------------------------------------------------------------ */

/* A random version-4 GUID. BITS_S_OK or BITS_E_FAIL (no entropy). */
bits_hresult guid_generate(bits_guid *out);

/* ---- store_dir.c ------------------------------------------------------------------- */

/* Resolves (NULL -> default), creates (0700, parents too) and checks the
 * store directory. On success stores a new absolute path in *out_path. */
bits_hresult store_dir_prepare(const char *store_dir, char **out_path);

/* ---- manager.c ----------------------------------------------------------------------- */

/* bits_manager_open; with @p start_threads 0 it only loads the store: no
 * watcher and no engine until a call needs one (fuzz/ opens damaged stores
 * this way, so nothing they name is ever fetched). */
bits_hresult manager_open(const char *store_dir, uint32_t flags, int start_threads,
                          bits_manager **out_manager);

/* ---- error_object.c ---------------------------------------------------------------- */

/* Clears the job's error (caller holds the lock). */
void job_error_clear(job_error *err);

#endif /* OPENBITS_CORE_H */
