/*
 * schedule.c - the engine's decisions about whole jobs: timers and turns.
 * Pure decisions over the queue's memory; each becomes an intent the
 * engine applies through the queue afterwards.
 */
#include "engine/plan.h"

#include "util/clock.h"

#define US_PER_S 1000000LL

static int is_running_state(uint32_t s)
{
    return s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING;
}

/* Time spent connecting or transferring since the last Resume. */
static int64_t active_time(const bits_job *job, int64_t now)
{
    const ob_job_sched *s = &job->sched;
    return s->active_total + (s->active_since ? now - s->active_since : 0);
}

/* Due timers of one job; returns its next due time (0 = none). */
static int64_t job_timers_locked(bits_job *job, ob_plan *plan, int64_t now)
{
    uint32_t s = atomic_load(&job->state);
    if (ob_job_inactive(job, ob_now_us())) {
        ob_plan_add(plan, job, OB_EV_INACTIVITY_TIMEOUT);
        return 0;
    }
    ob_job_sched *sc = &job->sched;
    if (s == BG_JOB_STATE_TRANSIENT_ERROR) {
        if (!sc->first_transient)
            sc->first_transient = now; /* e.g. loaded from the store */
        int64_t give_up = sc->first_transient + (int64_t)job->props.no_progress_timeout * US_PER_S;
        if (now >= give_up || job->props.min_retry_delay > job->props.no_progress_timeout) {
            ob_plan_add(plan, job, OB_EV_NO_PROGRESS_TIMEOUT);
            return 0;
        }
        if (now >= sc->retry_at) {
            ob_plan_add(plan, job, OB_EV_RETRY_DUE);
            return 0;
        }
        return sc->retry_at < give_up ? sc->retry_at : give_up;
    }
    if (is_running_state(s)) {
        int64_t limit = (int64_t)job->props.max_download_time * US_PER_S;
        int64_t used = active_time(job, now);
        if (used >= limit) {
            if (!ob_plan_has_failure(plan, job)) {
                ob_intent *in = ob_plan_add(plan, job, OB_EV_MAX_DOWNLOAD_TIME);
                if (in) {
                    in->error.set = 1;
                    in->error.code = BG_E_MAXDOWNLOAD_TIMEOUT;
                    in->error.context = BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER;
                }
            }
            return 0;
        }
        return now + (limit - used);
    }
    return 0;
}

int64_t ob_schedule_timers_locked(ob_queue *q, ob_plan *plan, int64_t now)
{
    int64_t next = 0;
    for (uint32_t i = 0; i < q->njobs; i++) {
        int64_t due = job_timers_locked(q->jobs[i], plan, now);
        if (due && (!next || due < next))
            next = due;
    }
    return next;
}

int64_t ob_schedule_locked(ob_queue *q, ob_plan *plan, int64_t now)
{
    bits_job *running_bg = NULL, *best_bg = NULL;
    for (uint32_t i = 0; i < q->njobs; i++) {
        bits_job *job = q->jobs[i];
        uint32_t s = atomic_load(&job->state);
        if (job->props.priority == BG_JOB_PRIORITY_FOREGROUND) {
            if (s == BG_JOB_STATE_QUEUED)
                ob_plan_add(plan, job, OB_EV_GRANT);
            continue;
        }
        if (is_running_state(s)) {
            running_bg = job;
        } else if (s == BG_JOB_STATE_QUEUED) {
            if (!best_bg || job->props.priority < best_bg->props.priority ||
                (job->props.priority == best_bg->props.priority &&
                 job->sched.queued_seq < best_bg->sched.queued_seq))
                best_bg = job;
        }
    }
    uint32_t slice_ms = q->limits[BITS_LIMIT_TIME_SLICE_MS];
    if (running_bg && best_bg) {
        int higher = best_bg->props.priority < running_bg->props.priority;
        int slice_over = best_bg->props.priority == running_bg->props.priority && slice_ms &&
                         now - running_bg->sched.slice_start >= (int64_t)slice_ms * 1000;
        if (higher || slice_over) {
            ob_plan_add(plan, running_bg, higher ? OB_EV_PREEMPTED : OB_EV_SLICE_EXPIRED);
            running_bg = NULL;
        }
    }
    if (!running_bg && best_bg)
        ob_plan_add(plan, best_bg, OB_EV_GRANT);
    if (running_bg && slice_ms)
        return running_bg->sched.slice_start + (int64_t)slice_ms * 1000;
    return 0;
}
