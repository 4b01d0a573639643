/*
 * transfer.h - one file transfer: a libcurl easy handle writing into the
 * file's temporary file, resuming with Range + If-Range and checking that
 * the server answers for the same content.
 *
 * Transfers belong to the engine thread: every field is touched only by
 * that thread (libcurl callbacks run on it too). Job and file fields are
 * still guarded by core->lock.
 */
#ifndef OPENBITS_TRANSFER_H
#define OPENBITS_TRANSFER_H

#include <curl/curl.h>

#include "classify.h"
#include "core.h"

typedef enum transfer_outcome {
    OUTCOME_NONE = 0,       /* still running */
    OUTCOME_DONE,           /* every byte of the file is in the temp file */
    OUTCOME_FAILED,         /* see transfer.fail */
    OUTCOME_RESTART,        /* the remote file changed: start it over from 0 */
    OUTCOME_STOPPED         /* stopped by the engine (suspend, cancel, ...) */
} transfer_outcome;

typedef struct transfer {
    struct transfer *next;
    bits_job *job;              /* reference */
    bits_file *file;
    CURL *easy;
    struct curl_slist *headers;
    int fd;                     /* the temporary file */
    int is_file_protocol;       /* a local copy through file:// */
    uint64_t offset;            /* first byte this request asked for */
    uint64_t written;           /* bytes written by this request */
    int checked;                /* the final response was validated */
    int paused;                 /* paused by the bandwidth limiter */
    int64_t last_activity;      /* monotonic us: last header or body byte */
    int64_t last_checkpoint;    /* monotonic us: progress last made durable */
    int64_t last_link_check;    /* monotonic us: temp file last seen linked */
    uint64_t synced;            /* bytes known to be on disk (fdatasync) */
    int checkpoint_due;         /* synced moved on: write it to the store */
    int64_t retry_after;        /* server's Retry-After in s, -1 none */
    transfer_outcome outcome;
    failure fail;
    char *detail;               /* e.g. "HTTP 404 Not Found" */
    size_t header_bytes;        /* response header bytes so far */
} transfer;

/* Creates the transfer of @p file (opening or creating its temporary
 * file) with @p easy, a handle in its initial state (fresh or after
 * curl_easy_reset), or a new one when NULL; the transfer owns it from
 * here, also on failure. The caller adds it to the multi handle. Caller
 * holds the lock. On failure returns NULL and fills *fail. */
transfer *transfer_create_locked(bits_job *job, bits_file *file, uint32_t stall_timeout_s,
                                 CURL *easy, failure *fail);

/* Settles the transfer after libcurl reported @p result (or the engine
 * stopped it): fills outcome/fail when not decided yet. A file found done
 * is checked once more: deleted under us it restarts (OUTCOME_RESTART),
 * longer than its size it is trimmed. Caller holds the lock. */
void transfer_settle_locked(transfer *t, CURLcode result);

/* Frees the transfer (the easy handle must be out of the multi handle,
 * and is cleaned up unless taken with transfer_take_easy). Closes the
 * temp file but never deletes it. Caller holds the lock. */
void transfer_free_locked(transfer *t);

/* Takes the easy handle out of a finished transfer, to be reused. */
CURL *transfer_take_easy(transfer *t);

/* Bandwidth: the write callback asks this (defined by the engine, caller
 * holds the lock) whether @p n more bytes of @p job may be taken now, and
 * charges them when yes. */
int engine_take_tokens_locked(bits_job *job, size_t n);

#endif
