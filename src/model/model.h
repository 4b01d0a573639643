/*
 * model.h - jobs and files as data, and the queue: the job table, its
 * locks and the one path every change of a job goes through.
 *
 * Layer: model (above util). Knows nothing of SQLite, libcurl, threads
 * or files on disk. What a change must do beyond memory (commit it to a
 * store, announce it, wake an engine) it asks of the backend and the
 * listener the upper layers hand to ob_queue_open(): a lower layer
 * reports upward only through the callbacks it was given.
 *
 * Locks of a queue, always taken in this order:
 *   change_lock  one change at a time; held across the change's store
 *                transaction (which may wait for another process). Taken
 *                by ob_queue_change() and by the upper layers around their
 *                own store work (the sync, the engine's batch of file rows).
 *   lock         every field of the table, the jobs and their files in
 *                memory. Held only for memory updates, never across a
 *                store transaction, so a getter never waits for the
 *                database. bits_job_get_state() takes neither.
 */
#ifndef OB_MODEL_MODEL_H
#define OB_MODEL_MODEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "openbits/openbits.h"
#include "model/state.h"

typedef struct ob_queue ob_queue;

/* ---- properties ------------------------------------------------------------ */

#define OB_CRED_TARGETS 2 /* SERVER, PROXY */
#define OB_CRED_SCHEMES 4 /* BASIC, DIGEST, NTLM, NEGOTIATE */

typedef struct ob_credential {
    int set;
    char *user_name;
    char *password;
} ob_credential;

/* The settable properties of a job: each is written by its own setter and
 * stored in its own column(s), so a property write never touches state. */
typedef struct ob_job_props {
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
    uint64_t max_bandwidth;       /* bytes/s, 0 = unlimited */
    uint32_t files_in_flight;     /* concurrent files of the job (>= 1) */
    uint32_t proxy_usage;
    char *proxy_list;
    char *bypass_list;
    char *custom_headers;
    uint32_t headers_write_only;
    char *notify_program;
    char *notify_parameters;
    ob_credential creds[OB_CRED_TARGETS][OB_CRED_SCHEMES];
} ob_job_props;

typedef enum ob_prop {
    OB_PROP_DISPLAY_NAME,
    OB_PROP_DESCRIPTION,
    OB_PROP_PRIORITY,
    OB_PROP_NOTIFY_FLAGS,
    OB_PROP_MIN_RETRY_DELAY,
    OB_PROP_NO_PROGRESS_TIMEOUT,
    OB_PROP_MAX_DOWNLOAD_TIME,
    OB_PROP_MIN_NOTIFY_INTERVAL,
    OB_PROP_SECURITY_FLAGS,
    OB_PROP_DYNAMIC_CONTENT,
    OB_PROP_MAX_DOWNLOAD_SIZE,
    OB_PROP_MAX_BANDWIDTH,
    OB_PROP_FILES_IN_FLIGHT,
    OB_PROP_PROXY_USAGE,
    OB_PROP_PROXY_LIST,
    OB_PROP_BYPASS_LIST,
    OB_PROP_CUSTOM_HEADERS,
    OB_PROP_HEADERS_WRITE_ONLY,
    OB_PROP_NOTIFY_PROGRAM,
    OB_PROP_NOTIFY_PARAMETERS,
    OB_PROP_CREDENTIAL,           /* one (target, scheme) slot: ob_patch.cred_* */
    OB_PROP_COUNT
} ob_prop;

typedef enum ob_prop_kind { OB_KIND_U32, OB_KIND_U64, OB_KIND_STR, OB_KIND_CRED } ob_prop_kind;

/* Where a property lives in ob_job_props and what it holds. */
typedef struct ob_prop_desc {
    ob_prop_kind kind;
    size_t offset;
} ob_prop_desc;

const ob_prop_desc *ob_prop_describe(ob_prop prop);

#define OB_PROP_BIT(p) (UINT64_C(1) << (p))

/* New values for some properties (the bits of @c mask); strings and the
 * credential slot are owned by the patch. */
typedef struct ob_patch {
    uint64_t mask;
    ob_job_props v;
    int cred_target, cred_scheme; /* 0-based, for OB_PROP_CREDENTIAL */
} ob_patch;

/* Defaults of a new job (spec 5.1); display name and description empty. */
void ob_props_init(ob_job_props *p);
void ob_props_free(ob_job_props *p);

/* Moves the patched fields into @p dst; the values they replace go into
 * the patch, to be freed with it. */
void ob_props_apply(ob_job_props *dst, ob_patch *patch);

/* Frees what the patch owns and clears its mask. */
void ob_patch_free(ob_patch *patch);

/* Sets a string/number field of the patch. The string setter copies;
 * BITS_S_OK or BITS_E_OUTOFMEMORY. */
bits_hresult ob_patch_set_str(ob_patch *patch, ob_prop prop, const char *value);
void ob_patch_set_u32(ob_patch *patch, ob_prop prop, uint32_t value);
void ob_patch_set_u64(ob_patch *patch, ob_prop prop, uint64_t value);

/* ---- jobs and files ------------------------------------------------------------ */

/* The job's last transfer error (GetError). */
typedef struct ob_job_error {
    int set;
    uint32_t context;             /* BG_ERROR_CONTEXT_* */
    bits_hresult code;
    int32_t file_index;           /* -1: not tied to a file */
    char *detail;                 /* extra text (server status line...), may be NULL */
    char *protocol;               /* "http", "file" or NULL */
} ob_job_error;

void ob_job_error_clear(ob_job_error *err);

/* A token bucket for bandwidth limits, in bytes; rate 0 = unlimited. */
typedef struct ob_rate_bucket {
    uint64_t rate;
    int64_t tokens;
    int64_t refilled_at;          /* monotonic us */
} ob_rate_bucket;

/* Bookkeeping only the engine reads: monotonic microseconds, 0 = not
 * set. Kept with the job because a state change moves it (see
 * ob_sched_note_transition), never stored. */
typedef struct ob_job_sched {
    uint64_t queued_seq;          /* position in the round-robin order */
    int64_t retry_at;             /* TRANSIENT_ERROR: when to requeue */
    int64_t first_transient;      /* start of the no-progress window */
    int64_t active_since;         /* entered CONNECTING/TRANSFERRING */
    int64_t active_total;         /* time spent active since the last Resume */
    int64_t slice_start;          /* current background time slice */
    uint32_t retry_after;         /* server's Retry-After, seconds, 0 = none */
    ob_rate_bucket bandwidth;     /* max_bandwidth tokens */
} ob_job_sched;

struct bits_file {
    bits_job *job;                /* owner; a file reference is a job reference */
    uint32_t index;
    char *remote_name;
    char *local_name;
    char *temp_name;              /* NULL while no temporary file exists */
    uint64_t bytes_total;         /* BG_SIZE_UNKNOWN until known */
    uint64_t bytes_transferred;
    uint64_t saved_bytes;         /* progress on disk and in the store */
    int transferred;              /* every byte is in the temporary file */
    int completed;                /* moved to local_name by Complete */
    int active;                   /* a transfer of this file is running */
    int store_pending;            /* its row waits in the engine's batch */
    uint32_t restarts;            /* restarts from byte 0 in this attempt, none done */
    /* What identified the remote content when the file started, so a
     * resume is only attempted against the same content (If-Range). */
    char *etag;                   /* strong ETag, or NULL */
    char *last_modified;          /* Last-Modified as sent, or NULL */
};

struct bits_job {
    atomic_uint refs;
    ob_queue *queue;              /* strong reference; NULL while detached */

    bits_guid id;
    uint32_t type;
    uid_t owner_uid;
    uint64_t store_seq;           /* creation order */
    _Atomic uint32_t state;       /* written under the queue lock, read lock-free */
    uint64_t state_seq;           /* state changes so far (the store's count) */
    int64_t rev;                  /* store revision of the row as applied here */

    uint32_t error_count;
    int resumed_once;             /* Resume succeeded at least once */
    int64_t creation_time;        /* microseconds since the epoch */
    int64_t modification_time;
    int64_t transfer_completion_time;
    ob_job_error error;
    ob_job_props props;

    bits_file **files;
    uint32_t nfiles, cap_files;
    uint32_t files_done_hint;     /* files below this index are all transferred
                                     (a lower bound the engine raises) */
    ob_job_sched sched;

    bits_event_fn cb;             /* this process's callback for the job */
    void *cb_data;
    int64_t last_modification_event; /* monotonic us of the last one delivered */
};

/* A new job with the defaults, in SUSPENDED, not in any queue (a
 * "detached" job: the store reads rows into these). One reference. NULL
 * when out of memory. */
bits_job *ob_job_new(const bits_guid *id, uint32_t type);

uint32_t ob_job_ref(bits_job *job);
/* Drops a reference; the last frees the job, its files and its queue
 * reference. Returns the references left. */
uint32_t ob_job_unref(bits_job *job);

/* The OB_COND_* facts of the job (caller holds the lock, or owns a
 * detached job). */
uint32_t ob_job_conditions(const bits_job *job);

/* JobInactivityTimeout (spec 5.2): a job nobody touched for 90 days is
 * cancelled. 1 when @p job's modification time is older than that at
 * wall-clock time @p now_us (lock held). */
#define OB_INACTIVITY_US (90LL * 24 * 3600 * 1000000)
int ob_job_inactive(const bits_job *job, int64_t now_us);

/* Bytes transferred over all files. */
uint64_t ob_job_bytes(const bits_job *job);

/* Appends files, all or nothing (no limit check: the caller checks).
 * BITS_S_OK, BG_E_TOO_MANY_FILES_IN_JOB (index overflow) or
 * BITS_E_OUTOFMEMORY. */
bits_hresult ob_job_append_files(bits_job *job, uint32_t count, const bits_file_info *files);

/* Forgets what was transferred of @p file (progress 0, size unknown,
 * validators cleared). The temporary file is the caller's. */
void ob_file_reset_progress(bits_file *file);

/* ---- scheduling bookkeeping of a state change ------------------------------------- */

/* Moves the job's timers for a change @p from -> @p to (caller holds the
 * lock): active time, the time slice, the round-robin order, the retry
 * time (MinimumRetryDelay or Retry-After, plus up to 10 % jitter). */
void ob_sched_note_transition(bits_job *job, uint32_t from, uint32_t to);

/* ---- the queue and its one path of change ----------------------------------------- */

/* Who caused a change: a public call, the engine, or another process
 * (seen in the store by the sync, or by a change that found the stored
 * row moved on). */
typedef enum ob_origin { OB_ORIGIN_API, OB_ORIGIN_ENGINE, OB_ORIGIN_SYNC } ob_origin;

typedef struct ob_change ob_change;

/* I/O a change needs inside its store transaction (Complete's moves).
 * Runs with the change lock held, not the queue lock. Returns the code
 * of the call; a failure keeps the state as it is. */
typedef bits_hresult (*ob_change_fn)(void *ctx, bits_job *job, ob_change *ch);

struct ob_change {
    /* What is asked. */
    ob_state_event event;         /* OB_EV_NONE: only learned (origin SYNC) */
    ob_origin origin;
    ob_patch patch;               /* property columns to write; mask 0 = none */
    const bits_file_info *add;    /* OB_EV_ADD_FILE: validated new files */
    uint32_t nadd;
    bits_file *file;              /* a file whose remote name changes... */
    char *file_remote_name;       /* ...to this (owned) */
    ob_job_error error;           /* set: the failure to record (owned) */
    int clear_error;              /* bytes move again: forget the last error */
    int needs_not_resumed;        /* only before the first Resume */
    ob_change_fn within;          /* inside the transaction, before the state */
    ob_change_fn after;           /* after the change was applied (final cleanup) */
    void *ctx;

    /* What the path decided. */
    uint32_t from, to;            /* the state found (stored, when stored) and the new one */
    uint32_t counts_error;
    bits_hresult hr;              /* the call's code */
    uint64_t state_seq;           /* the job's state changes after this one */
    uint32_t error_count;         /* the job's error count after this one */
    int64_t rev;                  /* the row's store revision after this one */
    int64_t modification_time;
    int stale;                    /* the stored row had moved on: from/state_seq say where */
    int moved;                    /* memory's state changed (from -> to) */
    int gone;                     /* the stored row is gone: the job ended elsewhere */
};

/* Initialises a change of @p event from @p origin; everything else 0. */
void ob_change_init(ob_change *ch, ob_state_event event, ob_origin origin);
/* Frees what the change owns (patch, error, remote name). */
void ob_change_free(ob_change *ch);

/* The store, as the queue sees it. Every function runs with the change
 * lock held and the queue lock NOT held. */
typedef struct ob_backend_ops {
    /* Writes a new job (row and files) unless @p max_jobs (0 = no limit)
     * unfinished jobs are stored already (BG_E_TOO_MANY_JOBS_PER_USER). */
    bits_hresult (*create)(void *ctx, bits_job *job, uint32_t max_jobs);
    /* Decides @p ch against the stored row, in one transaction: reads the
     * stored state, applies the state table to it (so a stale memory
     * never decides), runs ch->within, writes the change and commits.
     * Fills ch->from/to/hr/counts_error/state_seq/error_count/rev, and
     * ch->stale or ch->gone when the row moved on. Returns BITS_S_OK when
     * the change was committed, else the code (the table's refusal, the
     * store's failure, BITS_E_BUSY), with nothing committed but what
     * ch->within did on disk. */
    bits_hresult (*commit)(void *ctx, bits_job *job, ob_change *ch);
    /* Writes one limit. */
    bits_hresult (*save_limit)(void *ctx, uint32_t which, uint32_t value);
} ob_backend_ops;

/* What the upper layers do once a change is committed and applied. */
typedef struct ob_listener_ops {
    /* Queue lock and change lock held: queue events, wake the engine. */
    void (*applied_locked)(void *ctx, bits_job *job, const ob_change *ch);
    /* Change lock held, queue lock not: run the notify program, clean up
     * after a job that ended. */
    void (*applied)(void *ctx, bits_job *job, ob_change *ch);
} ob_listener_ops;

#define OB_LIMIT_COUNT (BITS_LIMIT_STALL_TIMEOUT + 1)

struct ob_queue {
    atomic_uint refs;
    pthread_mutex_t change_lock;
    pthread_mutex_t lock;
    int closed;                   /* the manager was closed: no change any more */
    int owns_engine;              /* this process runs the store's transfers */
    uid_t owner_uid;              /* the user of the opening process */

    bits_job **jobs;              /* the table: unfinished jobs, one reference each */
    uint32_t njobs, cap_jobs;
    uint32_t limits[OB_LIMIT_COUNT]; /* indexed by BITS_LIMIT_*; 0 = unlimited */
    uint64_t queue_seq;           /* creation and round-robin order */

    const ob_backend_ops *backend;   /* NULL: an in-memory manager */
    void *backend_ctx;
    const ob_listener_ops *listener;
    void *listener_ctx;

    /* The upper layers' state of this manager, opaque here; freed with
     * the queue (job handles outlive the manager). */
    void *owner;
    void (*owner_free)(void *owner);
};

/* A new, empty queue with one reference and the default limits. */
ob_queue *ob_queue_new(void);
void ob_queue_ref(ob_queue *q);
void ob_queue_unref(ob_queue *q);
void ob_queue_lock(ob_queue *q);
void ob_queue_unlock(ob_queue *q);
void ob_queue_change_lock(ob_queue *q);
void ob_queue_change_unlock(ob_queue *q);

/* The job with @p id in the table, or NULL (lock held; no reference). */
bits_job *ob_queue_find_locked(ob_queue *q, const uint8_t id[16]);

/* New references to the jobs of the table (of every user with
 * @p all_users, else the caller's); for the enumerators. Lock held. */
bits_hresult ob_queue_snapshot_locked(ob_queue *q, int all_users, bits_job ***out_jobs,
                                      uint32_t *out_count);

/* Adds a new job (detached, from the API): checks the limit, has the
 * backend store it, then puts it in the table. BITS_S_OK,
 * BG_E_INVALID_STATE (closed), BG_E_TOO_MANY_JOBS_PER_USER or the
 * store's code. */
bits_hresult ob_queue_add_new(ob_queue *q, bits_job *job);

/* THE one path of every change of a job: decide (against the stored row
 * when there is a store), commit, and only when the commit succeeded
 * apply it in memory, announce it through the listener, leave the table
 * when the job ended; then run ch->after. A failed commit changes nothing
 * in memory. Returns ch->hr, or the failure. Takes the change lock and
 * the lock itself: the caller holds neither. */
bits_hresult ob_queue_change(ob_queue *q, bits_job *job, ob_change *ch);

/* Learns a job another process stored (the sync, the first load): @p row
 * is a detached job read from the store. An unknown job joins the table
 * (the row itself becomes the job); a known one takes the row's state
 * when its state_seq is newer, its properties when its revision is
 * newer, and its files (see ob_queue_learn_files_locked). State changes
 * are announced through the listener (origin SYNC). Returns 1 when the
 * row was taken into the table (the caller's reference moved there), 0
 * otherwise. Change lock held by the caller, not the lock. A final row
 * of an unknown job is not taken. */
int ob_queue_adopt(ob_queue *q, bits_job *row);

/* Learns that the job @p id ended elsewhere in @p final_state (a
 * tombstone). Change lock held, not the lock. */
void ob_queue_adopt_final(ob_queue *q, const uint8_t id[16], uint32_t final_state);

/* Takes the stored file rows of @p row into @p job: new files are
 * appended; known files take the stored remote name, and, unless this
 * process runs the transfers (whose memory is newer than any row), the
 * stored progress. Returns 1 when anything changed. Lock held. */
int ob_queue_learn_files_locked(ob_queue *q, bits_job *job, bits_job *row);

/* Changes one limit: stored first, then in memory. BITS_S_OK,
 * BG_E_INVALID_STATE (closed) or the store's code. */
bits_hresult ob_queue_set_limit(ob_queue *q, uint32_t which, uint32_t value);

/* Marks the queue closed: no change is accepted and no job joins the
 * table any more; what other processes did can still be learned (so the
 * threads stopping next may still clean up after a job that ended).
 * Lock NOT held. */
void ob_queue_mark_closed(ob_queue *q);

/* Takes every job out of the table of a closed queue and returns them
 * (one reference each), once the threads that used the table stopped.
 * Lock NOT held. */
bits_job **ob_queue_take_all(ob_queue *q, uint32_t *out_count);

#endif /* OB_MODEL_MODEL_H */
