/*
 * sched.c - the scheduling bookkeeping a state change moves: active time
 * (MaximumDownloadTime), the background time slice, the round-robin
 * order of queued jobs, and when a transient error is retried.
 */
#include "model/model.h"

#include <sys/random.h>

#include "util/clock.h"

#define US_PER_S 1000000LL

static int is_running(uint32_t s)
{
    return s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING;
}

/* The retry delay: at least MinimumRetryDelay, the server's Retry-After if
 * longer (clamped to the no-progress timeout), plus up to 10 % (at most
 * 30 s) of random jitter so that many clients do not retry in lockstep. */
static int64_t retry_delay_us(const bits_job *job)
{
    uint64_t delay = job->props.min_retry_delay;
    if (job->sched.retry_after > delay)
        delay = job->sched.retry_after;
    if (job->props.no_progress_timeout && delay > job->props.no_progress_timeout)
        delay = job->props.no_progress_timeout;
    uint64_t jitter_max = delay / 10 < 30 ? delay / 10 : 30;
    uint32_t r = 0;
    if (jitter_max && getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = 0;
    uint64_t jitter_us = jitter_max ? (uint64_t)r % (jitter_max * US_PER_S) : 0;
    return (int64_t)(delay * US_PER_S + jitter_us);
}

void ob_sched_note_transition(bits_job *job, uint32_t from, uint32_t to)
{
    ob_job_sched *s = &job->sched;
    int64_t now = ob_mono_us();
    if (is_running(from) && !is_running(to) && s->active_since) {
        s->active_total += now - s->active_since;
        s->active_since = 0;
    }
    if (!is_running(from) && is_running(to))
        s->active_since = now;
    if (to == BG_JOB_STATE_CONNECTING && from == BG_JOB_STATE_QUEUED) {
        s->slice_start = now;
        /* A new attempt: each file may restart a few times again. */
        for (uint32_t i = 0; i < job->nfiles; i++)
            job->files[i]->restarts = 0;
    }
    if (to == BG_JOB_STATE_QUEUED && job->queue)
        s->queued_seq = ++job->queue->queue_seq;
    if (to == BG_JOB_STATE_TRANSIENT_ERROR) {
        if (!s->first_transient)
            s->first_transient = now;
        s->retry_at = now + retry_delay_us(job);
    }
}
