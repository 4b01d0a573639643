/* job.c - job handles: identity, files, life cycle, progress. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strings.h"
#include "util/validate.h"

BITS_API uint32_t bits_job_add_ref(bits_job *job)
{
    return job ? ob_job_ref(job) : 0;
}

BITS_API uint32_t bits_job_release(bits_job *job)
{
    return job ? ob_job_unref(job) : 0;
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
    /* No lock: the state is written atomically after its commit. */
    *out_state = atomic_load_explicit(&job->state, memory_order_acquire);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_owner(bits_job *job, char **out_owner)
{
    if (!job || !out_owner)
        return BITS_E_INVALIDARG;
    char text[24];
    snprintf(text, sizeof text, "%lu", (unsigned long)job->owner_uid);
    return ob_copy_out(text, out_owner);
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
    /* Validate everything first, outside any lock: it touches the disk. */
    ob_local_parent_cache parents = { "", 0 };
    for (uint32_t i = 0; i < count; i++) {
        bits_hresult hr = ob_validate_remote_name(files[i].remote_name);
        if (hr >= 0)
            hr = ob_validate_local_name_cached(files[i].local_name, &parents);
        if (hr < 0)
            return hr;
    }
    ob_change ch;
    ob_change_init(&ch, OB_EV_ADD_FILE, OB_ORIGIN_API);
    ch.add = files;
    ch.nadd = count;
    return ob_api_change(job, &ch);
}

/* ---- life cycle ---------------------------------------------------------------- */

static bits_hresult life_cycle(bits_job *job, ob_state_event event, ob_change_fn within,
                               ob_change_fn after)
{
    if (!job)
        return BITS_E_INVALIDARG;
    ob_change ch;
    ob_change_init(&ch, event, OB_ORIGIN_API);
    ch.within = within;
    ch.after = after;
    ch.ctx = ob_runtime_of(job);
    return ob_api_change(job, &ch);
}

BITS_API bits_hresult bits_job_resume(bits_job *job)
{
    return life_cycle(job, OB_EV_RESUME, NULL, NULL);
}

BITS_API bits_hresult bits_job_suspend(bits_job *job)
{
    return life_cycle(job, OB_EV_SUSPEND, NULL, NULL);
}

/* After Cancel or Complete is stored: the leftovers go, then the row. */
static bits_hresult finish(void *ctx, bits_job *job, ob_change *ch)
{
    (void)ch;
    return ob_api_finish_job(ctx, job);
}

BITS_API bits_hresult bits_job_cancel(bits_job *job)
{
    return life_cycle(job, OB_EV_CANCEL, NULL, finish);
}

/* Complete's moves, inside its store transaction: a failed move keeps the
 * job where it is with the files moved so far visible (spec 1.5), and the
 * store records which ones moved. The disk work runs without the queue
 * lock. */
static bits_hresult move_files(void *ctx, bits_job *job, ob_change *ch)
{
    (void)ch;
    ob_runtime *rt = ctx;
    ob_move *moves = NULL;
    uint32_t n = 0;
    ob_queue_lock(rt->q);
    bits_hresult planned = ob_fs_plan_moves(job, &moves, &n);
    ob_queue_unlock(rt->q);
    if (planned < 0)
        return planned;
    bits_hresult hr = ob_fs_move_files(moves, n);
    ob_queue_lock(rt->q);
    for (uint32_t i = 0; i < n; i++) {
        if (!moves[i].done)
            continue;
        bits_file *f = job->files[moves[i].index];
        ob_take_string(&f->temp_name, NULL);
        f->completed = 1;
    }
    ob_queue_unlock(rt->q);
    ob_fs_moves_free(moves, n);
    return hr < 0 ? hr : planned;
}

BITS_API bits_hresult bits_job_complete(bits_job *job)
{
    return life_cycle(job, OB_EV_COMPLETE, move_files, finish);
}

/* ---- progress, times, errors ---------------------------------------------------- */

/* The first released layouts; smaller struct_size values are refused. */
#define JOB_PROGRESS_V1_SIZE sizeof(bits_job_progress)
#define JOB_TIMES_V1_SIZE sizeof(bits_job_times)

BITS_API bits_hresult bits_job_get_progress(bits_job *job, bits_job_progress *out_progress)
{
    if (!job || !out_progress || out_progress->struct_size < JOB_PROGRESS_V1_SIZE)
        return BITS_E_INVALIDARG;
    bits_job_progress p = { .struct_size = sizeof p };
    ob_queue_lock(job->queue);
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
    ob_queue_unlock(job->queue);
    ob_api_copy_snapshot(out_progress, &p, sizeof p);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_times(bits_job *job, bits_job_times *out_times)
{
    if (!job || !out_times || out_times->struct_size < JOB_TIMES_V1_SIZE)
        return BITS_E_INVALIDARG;
    bits_job_times t = { .struct_size = sizeof t };
    ob_queue_lock(job->queue);
    t.creation_time = job->creation_time;
    t.modification_time = job->modification_time;
    t.transfer_completion_time = job->transfer_completion_time;
    ob_queue_unlock(job->queue);
    ob_api_copy_snapshot(out_times, &t, sizeof t);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_get_error_count(bits_job *job, uint32_t *out_count)
{
    if (!job || !out_count)
        return BITS_E_INVALIDARG;
    ob_queue_lock(job->queue);
    *out_count = job->error_count;
    ob_queue_unlock(job->queue);
    return BITS_S_OK;
}
