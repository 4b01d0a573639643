/* job.c - job handles, identity, files, life cycle, progress. */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "engine.h"
#include "files.h"
#include "state.h"
#include "store.h"
#include "validate.h"

/* Defaults of a new job (spec 5.1). */
#define DEFAULT_NOTIFY_FLAGS (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR)
#define DEFAULT_MIN_RETRY_DELAY 600u
#define DEFAULT_NO_PROGRESS_TIMEOUT 1209600u
#define DEFAULT_MAX_DOWNLOAD_TIME 7776000u
#define DEFAULT_NOTIFY_INTERVAL_MS 500u

bits_job *job_new(bits_core *core, const bits_guid *id, uint32_t type, char *display_name)
{
    bits_job *job = calloc(1, sizeof *job);
    char *description = strdup("");
    if (!job || !description) {
        free(job);
        free(description);
        return NULL;
    }
    atomic_init(&job->refs, 1);
    core_ref(core);
    job->core = core;
    job->id = *id;
    job->type = type;
    atomic_init(&job->state, BG_JOB_STATE_SUSPENDED);
    job->owner_uid = geteuid();
    job->display_name = display_name;
    job->description = description;
    job->priority = BG_JOB_PRIORITY_NORMAL;
    job->notify_flags = DEFAULT_NOTIFY_FLAGS;
    job->min_retry_delay = DEFAULT_MIN_RETRY_DELAY;
    job->no_progress_timeout = DEFAULT_NO_PROGRESS_TIMEOUT;
    job->max_download_time = DEFAULT_MAX_DOWNLOAD_TIME;
    job->min_notify_interval_ms = DEFAULT_NOTIFY_INTERVAL_MS;
    job->proxy_usage = BG_JOB_PROXY_USAGE_PRECONFIG;
    job->files_in_flight = 1;
    job->error.file_index = -1;
    job->creation_time = job->modification_time = now_us();
    return job;
}

static void announce_state_locked(bits_job *job, uint32_t state);

static void job_free(bits_job *job)
{
    for (uint32_t i = 0; i < job->nfiles; i++)
        file_free(job->files[i]);
    free(job->files);
    for (int t = 0; t < CRED_TARGETS; t++) {
        for (int s = 0; s < CRED_SCHEMES; s++) {
            free(job->creds[t][s].user_name);
            free(job->creds[t][s].password);
        }
    }
    free(job->display_name);
    free(job->description);
    free(job->proxy_list);
    free(job->bypass_list);
    free(job->custom_headers);
    free(job->notify_program);
    free(job->notify_parameters);
    job_error_clear(&job->error);
    bits_core *core = job->core;
    free(job);
    core_unref(core);
}

BITS_API uint32_t bits_job_add_ref(bits_job *job)
{
    return job ? atomic_fetch_add(&job->refs, 1) + 1 : 0;
}

BITS_API uint32_t bits_job_release(bits_job *job)
{
    if (!job)
        return 0;
    uint32_t left = atomic_fetch_sub(&job->refs, 1) - 1;
    if (left == 0)
        job_free(job);
    return left;
}

/* ---- state ------------------------------------------------------------------ */

uint32_t job_conditions_locked(const bits_job *job)
{
    uint32_t cond = 0;
    if (job->nfiles)
        cond |= STATE_COND_HAS_FILES;
    for (uint32_t i = job->files_done_hint; i < job->nfiles; i++) {
        if (!job->files[i]->transferred) {
            cond |= STATE_COND_HAS_PENDING;
            break;
        }
    }
    return cond;
}

bits_hresult job_apply_locked(bits_job *job, int event, uint32_t cond)
{
    uint32_t old = atomic_load(&job->state);
    state_result r = state_next(old, (state_event)event, cond);
    if (r.hr < 0)
        return r.hr;
    if (r.counts_error)
        job->error_count++;
    if (r.next == old)
        return r.hr;

    int64_t now = now_us();
    atomic_store(&job->state, r.next);
    job->modification_time = now;
    engine_note_transition_locked(job, old, r.next);
    if (r.next == BG_JOB_STATE_TRANSFERRED)
        job->transfer_completion_time = now;
    /* Every state change is durable before anyone hears of it. A final
     * state is stored too: Cancel/Complete remove the row once the files
     * are dealt with, and a crash in between is finished on the next open. */
    bits_hresult saved = core_persist_job_locked(job, 0);
    announce_state_locked(job, r.next);
    if (saved < 0)
        return saved;
    return r.hr;
}

/* Events, the notify command line and queue membership of a new state. */
static void announce_state_locked(bits_job *job, uint32_t state)
{
    /* BITS sends JobModification for every state change except the ones
     * that have their own event (spec 2.11). */
    if (state == BG_JOB_STATE_TRANSFERRED) {
        notify_job_event_locked(job, BITS_EVENT_JOB_TRANSFERRED, NULL);
        cmdline_notify_locked(job, BITS_EVENT_JOB_TRANSFERRED);
    } else if (state == BG_JOB_STATE_ERROR) {
        notify_job_event_locked(job, BITS_EVENT_JOB_ERROR, NULL);
        cmdline_notify_locked(job, BITS_EVENT_JOB_ERROR);
    } else {
        notify_job_state_locked(job);
    }
    if (state_is_final(state))
        core_remove_job_locked(job->core, job);
}

/* JobInactivityTimeout: 90 days (spec 5.2). */
#define INACTIVITY_US (90LL * 24 * 3600 * 1000000)

int job_expire_if_inactive_locked(bits_job *job)
{
    if (now_us() - job->modification_time <= INACTIVITY_US)
        return 0;
    if (job_apply_locked(job, STATE_EV_INACTIVITY_TIMEOUT, job_conditions_locked(job)) < 0)
        return 0;
    files_delete_temps_locked(job);
    core_forget_job_locked(job);
    return 1;
}

void job_set_state_from_store_locked(bits_job *job, uint32_t state)
{
    uint32_t old = atomic_load(&job->state);
    if (old == state || state_is_final(old))
        return;
    atomic_store(&job->state, state);
    engine_note_transition_locked(job, old, state);
    announce_state_locked(job, state);
    engine_wake(job->core);
}

bits_hresult job_begin_mutation(bits_job *job)
{
    if (!job)
        return BITS_E_INVALIDARG;
    core_lock(job->core);
    if (job->core->closed || state_is_final(atomic_load(&job->state))) {
        core_unlock(job->core);
        return BG_E_INVALID_STATE;
    }
    return BITS_S_OK;
}

bits_hresult job_end_mutation(bits_job *job, int modified, bits_hresult hr)
{
    if (modified) {
        job->modification_time = now_us();
        bits_hresult saved = core_persist_job_locked(job, 0);
        if (saved < 0 && hr >= 0)
            hr = saved;
        notify_job_event_locked(job, BITS_EVENT_JOB_MODIFICATION, NULL);
        engine_wake(job->core); /* priority, bandwidth... apply at once */
    }
    core_unlock(job->core);
    return hr;
}

/* ---- identity ------------------------------------------------------------------ */

BITS_API bits_hresult bits_job_get_id(bits_job *job, bits_guid *out_id)
{
    if (!job || !out_id)
        return BITS_E_INVALIDARG;
    *out_id = job->id; /* immutable */
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_type(bits_job *job, uint32_t *out_type)
{
    if (!job || !out_type)
        return BITS_E_INVALIDARG;
    *out_type = job->type; /* immutable */
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_state(bits_job *job, uint32_t *out_state)
{
    if (!job || !out_state)
        return BITS_E_INVALIDARG;
    *out_state = atomic_load_explicit(&job->state, memory_order_acquire);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_owner(bits_job *job, char **out_owner)
{
    if (!job || !out_owner)
        return BITS_E_INVALIDARG;
    char text[24];
    snprintf(text, sizeof text, "%lu", (unsigned long)job->owner_uid);
    return copy_out_string(text, out_owner);
}

/* ---- files --------------------------------------------------------------------- */

BITS_API bits_hresult bits_job_add_file(bits_job *job, const char *remote_url,
                                        const char *local_name)
{
    bits_file_info info = { remote_url, local_name };
    return bits_job_add_file_set(job, 1, &info);
}

BITS_API bits_hresult bits_job_add_file_set(bits_job *job, uint32_t count,
                                            const bits_file_info *files)
{
    if (!job || !files || count == 0)
        return BITS_E_INVALIDARG;
    /* Validate everything first, outside the lock: it touches the disk. */
    local_parent_cache parents = { "" };
    for (uint32_t i = 0; i < count; i++) {
        bits_hresult hr = validate_remote_name(files[i].remote_name);
        if (hr >= 0)
            hr = validate_local_name_cached(files[i].local_name, &parents);
        if (hr < 0)
            return hr;
    }
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    hr = job_apply_locked(job, STATE_EV_ADD_FILE, job_conditions_locked(job));
    if (hr >= 0)
        hr = files_append_locked(job, count, files);
    return job_end_mutation(job, hr >= 0, hr);
}

/* ---- life cycle ---------------------------------------------------------------- */

BITS_API bits_hresult bits_job_resume(bits_job *job)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    uint32_t old = atomic_load(&job->state);
    hr = job_apply_locked(job, STATE_EV_RESUME, job_conditions_locked(job));
    if (hr >= 0) {
        job->resumed_once = 1;
        /* Resume restarts the MaximumDownloadTime count (spec 2.5) and
         * retries a transient error at once. */
        job->active_total = 0;
        if (old == BG_JOB_STATE_TRANSIENT_ERROR || old == BG_JOB_STATE_ERROR)
            job->first_transient = 0;
        if (atomic_load(&job->state) == BG_JOB_STATE_QUEUED)
            hr = engine_start_locked(job->core);
        engine_wake(job->core);
    }
    return job_end_mutation(job, 0, hr);
}

BITS_API bits_hresult bits_job_suspend(bits_job *job)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    hr = job_apply_locked(job, STATE_EV_SUSPEND, job_conditions_locked(job));
    engine_wake(job->core); /* stops a running transfer */
    return job_end_mutation(job, 0, hr);
}

BITS_API bits_hresult bits_job_cancel(bits_job *job)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    hr = job_apply_locked(job, STATE_EV_CANCEL, job_conditions_locked(job));
    if (hr >= 0) {
        hr = files_delete_temps_locked(job);
        core_forget_job_locked(job);
    }
    engine_wake(job->core);
    return job_end_mutation(job, 0, hr);
}

BITS_API bits_hresult bits_job_complete(bits_job *job)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    /* Ask the table first: it refuses nothing in non-final states today,
     * but it is the one place that decides. */
    state_result probe = state_next(atomic_load(&job->state), STATE_EV_COMPLETE,
                                    job_conditions_locked(job));
    if (probe.hr < 0)
        return job_end_mutation(job, 0, probe.hr);
    /* Move finished files into place; on a failed move the job stays where
     * it is with the files moved so far visible (spec 1.5), and the store
     * learns which ones moved. */
    hr = files_commit_locked(job);
    if (hr >= 0) {
        job_apply_locked(job, STATE_EV_COMPLETE, job_conditions_locked(job));
        core_forget_job_locked(job);
    } else {
        core_persist_job_locked(job, 1);
    }
    engine_wake(job->core);
    return job_end_mutation(job, 0, hr);
}

/* ---- progress, times, errors ---------------------------------------------------- */

/* The first released layouts; smaller struct_size values are refused. */
#define JOB_PROGRESS_V1_SIZE sizeof(bits_job_progress)
#define JOB_TIMES_V1_SIZE sizeof(bits_job_times)

/* Writes min(struct_size, sizeof) bytes of @p full into @p out (design 2.5). */
static void copy_snapshot(void *out, const void *full, size_t full_size)
{
    uint32_t want = *(const uint32_t *)out;
    memcpy((char *)out + sizeof(uint32_t), (const char *)full + sizeof(uint32_t),
           (want < full_size ? want : full_size) - sizeof(uint32_t));
}

BITS_API bits_hresult bits_job_get_progress(bits_job *job, bits_job_progress *out_progress)
{
    if (!job || !out_progress || out_progress->struct_size < JOB_PROGRESS_V1_SIZE)
        return BITS_E_INVALIDARG;
    bits_job_progress p = { .struct_size = sizeof p };
    core_lock(job->core);
    p.files_total = job->nfiles;
    for (uint32_t i = 0; i < job->nfiles; i++) {
        const bits_file *f = job->files[i];
        if (f->bytes_total == BG_SIZE_UNKNOWN || p.bytes_total == BG_SIZE_UNKNOWN)
            p.bytes_total = BG_SIZE_UNKNOWN;
        else
            p.bytes_total += f->bytes_total;
        p.bytes_transferred += f->bytes_transferred;
        if (f->transferred)
            p.files_transferred++;
    }
    core_unlock(job->core);
    copy_snapshot(out_progress, &p, sizeof p);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_times(bits_job *job, bits_job_times *out_times)
{
    if (!job || !out_times || out_times->struct_size < JOB_TIMES_V1_SIZE)
        return BITS_E_INVALIDARG;
    bits_job_times t = { .struct_size = sizeof t };
    core_lock(job->core);
    t.creation_time = job->creation_time;
    t.modification_time = job->modification_time;
    t.transfer_completion_time = job->transfer_completion_time;
    core_unlock(job->core);
    copy_snapshot(out_times, &t, sizeof t);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_error_count(bits_job *job, uint32_t *out_count)
{
    if (!job || !out_count)
        return BITS_E_INVALIDARG;
    core_lock(job->core);
    *out_count = job->error_count;
    core_unlock(job->core);
    return BITS_S_OK;
}
