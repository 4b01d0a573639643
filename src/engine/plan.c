/* plan.c - the engine's decisions, applied through the queue. */
#include "engine/plan.h"

#include <stdlib.h>

ob_intent *ob_plan_add(ob_plan *plan, bits_job *job, ob_state_event event)
{
    if (plan->n == plan->cap) {
        uint32_t cap = plan->cap ? plan->cap * 2 : 16;
        ob_intent *grown = realloc(plan->items, cap * sizeof *grown);
        if (!grown)
            return NULL;
        plan->items = grown;
        plan->cap = cap;
    }
    ob_intent *in = &plan->items[plan->n++];
    *in = (ob_intent){ .job = job, .event = event, .error = { .file_index = -1 } };
    ob_job_ref(job);
    return in;
}

int ob_plan_has(const ob_plan *plan, const bits_job *job, ob_state_event event)
{
    for (uint32_t i = 0; i < plan->n; i++) {
        if (plan->items[i].job == job && plan->items[i].event == event)
            return 1;
    }
    return 0;
}

int ob_plan_has_failure(const ob_plan *plan, const bits_job *job)
{
    return ob_plan_has(plan, job, OB_EV_FATAL_FAILURE) ||
           ob_plan_has(plan, job, OB_EV_TRANSIENT_FAILURE) ||
           ob_plan_has(plan, job, OB_EV_MAX_DOWNLOAD_TIME);
}

uint32_t ob_plan_apply(ob_plan *plan, ob_queue *q, ob_notifier *notifier)
{
    uint32_t changed = 0;
    for (uint32_t i = 0; i < plan->n; i++) {
        ob_intent *in = &plan->items[i];
        if (in->event == OB_EV_FILE_DONE) {
            /* Not a state change: announced here, in its place among the
             * job's changes (after CONNECTED, before JOB_TRANSFERRED). */
            ob_queue_lock(q);
            if (in->file->transferred)
                ob_notify_event_locked(notifier, in->job, BITS_EVENT_FILE_TRANSFERRED, in->file);
            ob_queue_unlock(q);
            ob_job_unref(in->job);
            continue;
        }
        ob_change ch;
        ob_change_init(&ch, in->event, OB_ORIGIN_ENGINE);
        ch.error = in->error;
        ch.clear_error = in->clear_error;
        ch.file = in->file;
        ch.file_remote_name = in->file_remote_name;
        if (ob_queue_change(q, in->job, &ch) >= 0 && ch.from != ch.to)
            changed++;
        ob_change_free(&ch);
        ob_job_unref(in->job);
    }
    plan->n = 0;
    return changed;
}

void ob_plan_free(ob_plan *plan)
{
    for (uint32_t i = 0; i < plan->n; i++) {
        ob_job_error_clear(&plan->items[i].error);
        free(plan->items[i].file_remote_name);
        ob_job_unref(plan->items[i].job);
    }
    free(plan->items);
    plan->items = NULL;
    plan->n = plan->cap = 0;
}
