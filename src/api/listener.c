/*
 * listener.c - what happens once a change of a job is committed and in
 * memory: the events, the engine, the notify program, the cleanup of a
 * job that ended. The queue calls these for every change, wherever it
 * came from (ob_listener_ops in model.h).
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/codes.h"
#include "util/guid.h"
#include "util/strings.h"

static int waits_for_engine(uint32_t s)
{
    return s == BG_JOB_STATE_QUEUED || s == BG_JOB_STATE_CONNECTING ||
           s == BG_JOB_STATE_TRANSFERRING || s == BG_JOB_STATE_TRANSIENT_ERROR;
}

void ob_api_ensure_engine_locked(ob_runtime *rt)
{
    if (rt->engine || rt->q->closed)
        return;
    if (rt->serve) {
        ob_engine_start_locked(&rt->engine, &rt->env);
        return;
    }
    for (uint32_t i = 0; i < rt->q->njobs; i++) {
        if (waits_for_engine(atomic_load(&rt->q->jobs[i]->state))) {
            ob_engine_start_locked(&rt->engine, &rt->env);
            return;
        }
    }
}

/* The log line of a state change: every one at INFO, a transient failure
 * at WARNING with its retry time, ERROR at ERROR. Queue lock held. */
static void log_state_locked(ob_runtime *rt, bits_job *job, const ob_change *ch)
{
    ob_notifier *n = rt->notifier;
    uint32_t want = ob_notify_log_level(n);
    uint32_t level = ch->to == BG_JOB_STATE_ERROR             ? BITS_LOG_ERROR
                     : ch->to == BG_JOB_STATE_TRANSIENT_ERROR ? BITS_LOG_WARNING
                                                              : BITS_LOG_INFO;
    if (level > want)
        return;
    char gid[OB_GUID_TEXT_SIZE], why[640] = "", retry[48] = "";
    ob_guid_format(&job->id, gid);
    if ((ch->to == BG_JOB_STATE_ERROR || ch->to == BG_JOB_STATE_TRANSIENT_ERROR) &&
        job->error.set)
        snprintf(why, sizeof why, ": %s%s%s%s", ob_code_name(job->error.code),
                 job->error.detail ? " (" : "", job->error.detail ? job->error.detail : "",
                 job->error.detail ? ")" : "");
    if (ch->to == BG_JOB_STATE_TRANSIENT_ERROR && ch->origin != OB_ORIGIN_SYNC &&
        job->sched.retry_at) {
        int64_t s = (job->sched.retry_at - ob_mono_us() + 999999) / 1000000;
        snprintf(retry, sizeof retry, "; retry in %lld s", (long long)(s > 0 ? s : 0));
    }
    ob_notify_log_locked(n, level, job, "%s \"%s\": %s -> %s%s%s%s", gid,
                         job->props.display_name, ob_state_name(ch->from),
                         ob_state_name(ch->to), why, retry,
                         ch->origin == OB_ORIGIN_SYNC ? " (seen in the store)" : "");
}

/* Queue lock and change lock held. */
static void applied_locked(void *ctx, bits_job *job, const ob_change *ch)
{
    ob_runtime *rt = ctx;
    if (ch->moved) {
        log_state_locked(rt, job, ch);
        ob_notify_state_locked(rt->notifier, job, ch->to);
    } else {
        ob_notify_event_locked(rt->notifier, job, BITS_EVENT_JOB_MODIFICATION, NULL);
    }
    if (ch->moved && ch->to == BG_JOB_STATE_QUEUED)
        ob_api_ensure_engine_locked(rt);
    /* A state, a priority, a bandwidth cap, a file: the engine looks again. */
    ob_engine_wake(rt->engine);
}

/* BITS runs the notify program once per event, when no callback of the
 * job's owner takes it (spec 5.7). Here: in the process that runs the
 * transfers, which alone makes TRANSFERRED and ERROR (engine events),
 * once per commit of one; unless a callback for the job is registered in
 * this process or in another live one (listener rows). A manager-wide
 * callback, such as openbitsd's log, does not count. */
static void run_notify_program(ob_runtime *rt, bits_job *job, uint32_t kind)
{
    ob_queue_lock(rt->q);
    uint32_t flags = job->props.notify_flags;
    int wanted = job->props.notify_program && !(flags & BG_NOTIFY_DISABLE) && (flags & kind) &&
                 !job->cb;
    char *program = wanted ? ob_strdup(job->props.notify_program) : NULL;
    char *parameters = wanted ? ob_strdup(job->props.notify_parameters) : NULL;
    ob_queue_unlock(rt->q);
    if (program && !(rt->store && ob_store_has_remote_listener(rt->store, &job->id)))
        ob_cmdline_run(program, parameters);
    free(program);
    free(parameters);
}

/* Change lock held, queue lock not. */
static void applied(void *ctx, bits_job *job, ob_change *ch)
{
    ob_runtime *rt = ctx;
    if (!ch->moved)
        return;
    if (ch->origin == OB_ORIGIN_ENGINE && ch->to == BG_JOB_STATE_TRANSFERRED)
        run_notify_program(rt, job, BITS_EVENT_JOB_TRANSFERRED);
    else if (ch->origin == OB_ORIGIN_ENGINE && ch->to == BG_JOB_STATE_ERROR)
        run_notify_program(rt, job, BITS_EVENT_JOB_ERROR);
    /* A job that ended here through a public call is cleaned up by that
     * call (its code reports the cleanup). One that ended by a timer, or
     * in another process, is cleaned up by the process running the
     * transfers: it may have started a file after the other process
     * deleted the job's temporary files. */
    if (!ob_state_is_final(ch->to) || ch->origin == OB_ORIGIN_API)
        return;
    ob_queue_lock(rt->q);
    int runs_transfers = rt->q->owns_engine;
    ob_queue_unlock(rt->q);
    if (ch->origin == OB_ORIGIN_ENGINE || runs_transfers)
        ob_api_finish_job(rt, job);
}

const ob_listener_ops ob_api_listener = {
    .applied_locked = applied_locked,
    .applied = applied,
};

bits_hresult ob_api_finish_job(ob_runtime *rt, bits_job *job)
{
    ob_queue_lock(rt->q);
    bits_hresult hr = ob_temp_delete_job(job);
    uint32_t state = atomic_load(&job->state);
    ob_queue_unlock(rt->q);
    if (rt->store)
        ob_store_forget(rt->store, &job->id, state);
    return hr;
}

void ob_api_finish_row(void *ctx, bits_job *row)
{
    ob_runtime *rt = ctx;
    /* At open every process finishes what a crash left; afterwards only
     * the one running the transfers (the row may be another process's
     * job in the middle of its own cleanup, which is harmless twice). */
    ob_queue_lock(rt->q);
    int mine = rt->loading || rt->q->owns_engine;
    ob_queue_unlock(rt->q);
    if (!mine)
        return;
    ob_temp_delete_job(row);
    if (rt->store)
        ob_store_forget(rt->store, &row->id, atomic_load(&row->state));
}

bits_hresult ob_api_change(bits_job *job, ob_change *ch)
{
    bits_hresult hr = ob_queue_change(job->queue, job, ch);
    ob_change_free(ch);
    return hr;
}

void ob_api_copy_snapshot(void *out, const void *full, size_t full_size)
{
    uint32_t want = *(const uint32_t *)out;
    memcpy((char *)out + sizeof(uint32_t), (const char *)full + sizeof(uint32_t),
           (want < full_size ? want : full_size) - sizeof(uint32_t));
}
