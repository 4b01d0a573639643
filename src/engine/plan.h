/*
 * plan.h - private to the engine folder: what the engine decided about
 * its jobs while it held the queue lock (grants, pre-emptions, retries,
 * timeouts, outcomes of transfers), applied afterwards, one by one,
 * through the queue's one path of change (which commits each to the
 * store before anyone hears of it). The lock is never held across them.
 */
#ifndef OB_ENGINE_PLAN_H
#define OB_ENGINE_PLAN_H

#include "engine/engine.h"

typedef struct ob_intent {
    bits_job *job;              /* reference */
    ob_state_event event;
    ob_job_error error;         /* a failure to record (owned) */
    int clear_error;            /* bytes move again */
    bits_file *file;            /* a file whose remote name to record... */
    char *file_remote_name;     /* ...as this (owned) */
} ob_intent;

typedef struct ob_plan {
    ob_intent *items;
    uint32_t n, cap;
} ob_plan;

/* Adds an intent (queue lock held); NULL when out of memory (the engine
 * decides again at its next pass). */
ob_intent *ob_plan_add(ob_plan *plan, bits_job *job, ob_state_event event);

/* 1 when the plan already holds @p event for @p job. */
int ob_plan_has(const ob_plan *plan, const bits_job *job, ob_state_event event);

/* 1 when the plan already holds a failure for @p job. */
int ob_plan_has_failure(const ob_plan *plan, const bits_job *job);

/* Applies every intent through ob_queue_change() and empties the plan;
 * a FILE_DONE intent only announces FILE_TRANSFERRED of its file. Returns
 * how many changed their job's state. No lock held. */
uint32_t ob_plan_apply(ob_plan *plan, ob_queue *q, ob_notifier *notifier);

void ob_plan_free(ob_plan *plan);

/* ---- schedule.c ------------------------------------------------------------- */

/* Due timers of every job (queue lock held): retry delay elapsed, no
 * progress for NoProgressTimeout, MaximumDownloadTime used up, 90 days
 * without activity. Returns the next due time (monotonic us, 0 = none). */
int64_t ob_schedule_timers_locked(ob_queue *q, ob_plan *plan, int64_t now);

/* Who may transfer (queue lock held; spec 5.3): every FOREGROUND job at
 * once; of the background jobs one at a time, HIGH before NORMAL before
 * LOW strictly (a higher one pre-empts a lower one back to QUEUED), jobs
 * of one priority taking turns in time slices. Returns when the running
 * background job's slice ends (0 = none). */
int64_t ob_schedule_locked(ob_queue *q, ob_plan *plan, int64_t now);

/* ---- takeover.c -------------------------------------------------------------- */

/* Takes the exclusive lock on <store_dir>/engine.lock without waiting.
 * Returns its descriptor, or -1 when another process holds it (or it
 * cannot be opened). */
int ob_engine_lock_take(const char *store_dir);
void ob_engine_lock_release(int fd);

/* The jobs a departed engine left connecting, transferring or waiting to
 * retry: queued again (queue lock held). */
void ob_takeover_locked(ob_queue *q, ob_plan *plan);

#endif
