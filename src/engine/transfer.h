/*
 * transfer.h - private to the engine folder: one file transfer (a libcurl
 * easy handle writing into the file's temporary file), how its request is
 * set up (request.c), how its response is judged (response.c), and the
 * token buckets of bandwidth limits (bandwidth.c).
 *
 * A transfer decides nothing about its job: it ends with an outcome
 * (done, failed with a code, restart, stopped) and flags (first byte
 * seen, a redirect to report) that the engine turns into changes of the
 * job through the queue. Transfers belong to the engine thread; job and
 * file fields are read and written under the queue lock.
 */
#ifndef OB_ENGINE_TRANSFER_H
#define OB_ENGINE_TRANSFER_H

#include <curl/curl.h>

#include "engine/engine.h"
#include "util/classify.h"

/* ---- bandwidth.c ---------------------------------------------------------------- */

void ob_bucket_refill(ob_rate_bucket *b, uint64_t rate, int64_t now);
int ob_bucket_empty(const ob_rate_bucket *b);

/* Whether @p n more bytes may be taken now from both buckets (the
 * manager's and the job's), charging them when yes. Queue lock held. */
int ob_bandwidth_take(ob_rate_bucket *manager, uint64_t manager_rate, bits_job *job, size_t n);

/* ---- transfer.c ------------------------------------------------------------------ */

typedef enum ob_outcome {
    OB_OUTCOME_NONE = 0,        /* still running */
    OB_OUTCOME_DONE,            /* every byte of the file is in the temp file */
    OB_OUTCOME_FAILED,          /* see transfer.fail */
    OB_OUTCOME_RESTART,         /* the remote file changed: start it over from 0 */
    OB_OUTCOME_STOPPED          /* stopped by the engine (suspend, cancel, ...) */
} ob_outcome;

typedef struct ob_transfer {
    struct ob_transfer *next;
    bits_job *job;              /* reference */
    bits_file *file;
    CURL *easy;
    struct curl_slist *headers;
    ob_notifier *notifier;
    ob_rate_bucket *manager_bucket;
    const uint32_t *limits;     /* the queue's limits */
    int fd;                     /* the temporary file */
    int is_file_protocol;       /* a local copy through file:// */
    uint64_t offset;            /* first byte this request asked for */
    uint64_t written;           /* bytes written by this request */
    int checked;                /* the final response was judged */
    int paused;                 /* paused by the bandwidth limiter */
    int first_byte;             /* body bytes arrived: the job is transferring */
    char *report_url;           /* a redirect target to record as the file's name */
    int64_t last_activity;      /* monotonic us: last header or body byte */
    int64_t last_checkpoint;    /* monotonic us: progress last made durable */
    int64_t last_link_check;    /* monotonic us: temp file last seen linked */
    uint64_t synced;            /* bytes known to be on disk (fdatasync) */
    int checkpoint_due;         /* synced moved on: write it to the store */
    int64_t retry_after;        /* server's Retry-After in s, -1 none */
    ob_outcome outcome;
    ob_failure fail;
    char *detail;               /* e.g. "HTTP 404 Not Found" */
    size_t header_bytes;        /* response header bytes so far */
} ob_transfer;

/* Creates the transfer of @p file (opening or creating its temporary
 * file) with @p easy, a handle in its initial state (fresh or after
 * curl_easy_reset), or a new one when NULL; the transfer owns it from
 * here, also on failure. The caller adds it to the multi handle. Queue
 * lock held. On failure returns NULL and fills *fail. */
ob_transfer *ob_transfer_create_locked(bits_job *job, bits_file *file, ob_notifier *notifier,
                                       ob_rate_bucket *manager_bucket, const uint32_t *limits,
                                       CURL *easy, ob_failure *fail);

/* Settles the transfer after libcurl reported @p result: fills outcome
 * and fail when not decided yet. A file found done is checked once more:
 * deleted under us it restarts, longer than its size it is trimmed.
 * Queue lock held. */
void ob_transfer_settle_locked(ob_transfer *t, CURLcode result);

/* Records a failure (outcome FAILED, code, detail). */
void ob_transfer_fail(ob_transfer *t, ob_failure f, const char *detail);

/* Frees the transfer (the easy handle must be out of the multi handle and
 * is cleaned up unless taken). Closes the temp file, never deletes it.
 * Queue lock held. */
void ob_transfer_free_locked(ob_transfer *t);

/* Takes the easy handle out of a finished transfer, to be reused. */
CURL *ob_transfer_take_easy(ob_transfer *t);

/* ---- request.c --------------------------------------------------------------------- */

/* Sets up the request of a new transfer: URL (a local path becomes a
 * file:// URL), resume (Range + If-Range,
 * deciding the offset), custom headers, security and redirect policy,
 * proxy, credentials. 0, or -1 when out of memory. A policy that forbids
 * the transfer (BG_SSL_ENABLE_CRL_CHECK without a usable CRL) is recorded
 * as the transfer's failure. Queue lock held. */
int ob_request_setup(ob_transfer *t);

/* ---- trace.c ------------------------------------------------------------------------ */

/* Sends the request and response lines and headers of @p t to the log
 * (BITS_LOG_DEBUG), when a log callback wants them. Queue lock held. */
void ob_trace_setup(ob_transfer *t);

/* ---- response.c ------------------------------------------------------------------- */

/* Judges the final response once, before its first body byte is written
 * (or at the end of an empty body): whether it is the content asked for
 * (206 from the right byte, a whole 200, a 416 meaning "all here"),
 * another version of the file (restart), or a failure. Queue lock held. */
void ob_response_check_locked(ob_transfer *t);

/* The value of response header @p name of the last request, or NULL. */
const char *ob_response_header(ob_transfer *t, const char *name);

#endif
