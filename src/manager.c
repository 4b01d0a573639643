/* manager.c - opening and closing a store, the job queue, limits. */
#include "core.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "state.h"
#include "store.h"
#include "watcher.h"
#include "validate.h"

static bits_hresult open_store(bits_core *core, int start_threads);

BITS_API bits_hresult bits_manager_open(const char *store_dir, uint32_t flags,
                                        bits_manager **out_manager)
{
    return manager_open(store_dir, flags, 1, out_manager);
}

bits_hresult manager_open(const char *store_dir, uint32_t flags, int start_threads,
                          bits_manager **out_manager)
{
    if (!out_manager || (flags & ~BITS_MANAGER_OPEN_IN_MEMORY))
        return BITS_E_INVALIDARG;
    int in_memory = (flags & BITS_MANAGER_OPEN_IN_MEMORY) != 0;
    if (in_memory && store_dir)
        return BITS_E_INVALIDARG;

    char *dir = NULL;
    if (!in_memory) {
        bits_hresult hr = store_dir_prepare(store_dir, &dir);
        if (hr < 0)
            return hr;
    }
    bits_manager *m = calloc(1, sizeof *m);
    bits_core *core = core_new();
    if (!m || !core) {
        free(m);
        free(dir);
        core_unref(core);
        return BITS_E_OUTOFMEMORY;
    }
    core->store_dir = dir;
    m->core = core;
    if (dir) {
        bits_hresult hr = open_store(core, start_threads);
        if (hr < 0) {
            bits_manager_close(m);
            return hr;
        }
    }
    *out_manager = m;
    return BITS_S_OK;
}

/* Loads the jobs of the store and, with @p start_threads, starts following
 * other processes and starts the engine when a job is waiting and nobody
 * else runs one. */
static bits_hresult open_store(bits_core *core, int start_threads)
{
    bits_hresult hr = store_open(core->store_dir, &core->store);
    if (hr < 0)
        return hr;
    core_lock(core);
    hr = store_load_locked(core->store, core);
    if (hr >= 0 && start_threads) {
        hr = watcher_start_locked(core);
        if (hr >= 0)
            watcher_ensure_engine_locked(core);
    }
    core_unlock(core);
    return hr;
}

BITS_API void bits_manager_close(bits_manager *manager)
{
    if (!manager)
        return;
    bits_core *core = manager->core;
    core_lock(core);
    core->closed = 1;
    bits_job **jobs = core->jobs;
    uint32_t njobs = core->njobs;
    core->jobs = NULL;
    core->njobs = core->cap_jobs = 0;
    core->manager_cb = NULL;
    core->manager_cb_data = NULL;
    core_unlock(core);

    watcher_stop(core);
    engine_stop(core);
    notify_stop(core);
    core_lock(core);
    store_close(core->store);
    core->store = NULL;
    core_unlock(core);
    for (uint32_t i = 0; i < njobs; i++)
        bits_job_release(jobs[i]);
    free(jobs);
    free(manager);
    core_unref(core);
}

/* Appends @p job to the queue, taking one reference (caller holds lock). */
static bits_hresult core_add_job_locked(bits_core *core, bits_job *job)
{
    if (core->njobs == core->cap_jobs) {
        uint32_t cap = core->cap_jobs ? core->cap_jobs * 2 : 16;
        bits_job **jobs = realloc(core->jobs, cap * sizeof *jobs);
        if (!jobs)
            return BITS_E_OUTOFMEMORY;
        core->jobs = jobs;
        core->cap_jobs = cap;
    }
    bits_job_add_ref(job);
    core->jobs[core->njobs++] = job;
    return BITS_S_OK;
}

bits_hresult core_add_loaded_job_locked(bits_core *core, bits_job *job)
{
    job->files_saved = job->nfiles;
    if (job->store_seq > core->queue_seq)
        core->queue_seq = job->store_seq;
    return core_add_job_locked(core, job);
}

bits_hresult core_persist_job_locked(bits_job *job, int all_files)
{
    store *s = job->core->store;
    if (!s)
        return BITS_S_OK;
    if (all_files)
        job->files_saved = 0;
    bits_hresult hr = store_save_job_locked(s, job);
    if (hr >= 0)
        job->files_saved = job->nfiles;
    return hr;
}

void core_forget_job_locked(bits_job *job)
{
    if (job->core->store)
        store_delete_job_locked(job->core->store, job);
}

void core_remove_job_locked(bits_core *core, bits_job *job)
{
    for (uint32_t i = 0; i < core->njobs; i++) {
        if (core->jobs[i] != job)
            continue;
        memmove(&core->jobs[i], &core->jobs[i + 1], (core->njobs - i - 1) * sizeof *core->jobs);
        core->njobs--;
        bits_job_release(job); /* the caller still holds its own reference */
        return;
    }
}

BITS_API bits_hresult bits_manager_create_job(bits_manager *manager, const char *display_name,
                                              uint32_t type, bits_guid *out_id,
                                              bits_job **out_job)
{
    if (!manager || !out_id || !out_job)
        return BITS_E_INVALIDARG;
    /* CreateJob reports a bad name as E_INVALIDARG (not STRING_TOO_LONG). */
    if (validate_string(display_name, LIMIT_DISPLAY_NAME, BITS_E_INVALIDARG) < 0)
        return BITS_E_INVALIDARG;
    /* Upload types: design 3.2, not until the upload protocol exists;
     * anything else is out of range. Both are E_NOTIMPL in BITS terms. */
    if (type != BG_JOB_TYPE_DOWNLOAD)
        return BITS_E_NOTIMPL;

    bits_guid id;
    bits_hresult hr = guid_generate(&id);
    if (hr < 0)
        return hr;
    char *name = strdup(display_name);
    if (!name)
        return BITS_E_OUTOFMEMORY;

    bits_core *core = manager->core;
    bits_job *job = job_new(core, &id, type, name);
    if (!job) {
        free(name);
        return BITS_E_OUTOFMEMORY;
    }
    core_lock(core);
    uint32_t limit = core->limits[BITS_LIMIT_JOBS];
    if (core->closed)
        hr = BG_E_INVALID_STATE;
    else if (limit && core->njobs >= limit)
        hr = BG_E_TOO_MANY_JOBS_PER_USER;
    else
        hr = core_add_job_locked(core, job);
    if (hr >= 0) {
        job->store_seq = ++core->queue_seq;
        hr = core_persist_job_locked(job, 1);
        if (hr < 0)
            core_remove_job_locked(core, job);
    }
    core_unlock(core);
    if (hr < 0) {
        bits_job_release(job);
        return hr;
    }
    *out_id = id;
    *out_job = job;
    return BITS_S_OK;
}

/* Root may see every job; others only their own (BITS's owner rule). */
static int may_access(const bits_core *core, const bits_job *job)
{
    (void)core;
    return geteuid() == 0 || job->owner_uid == geteuid();
}

BITS_API bits_hresult bits_manager_get_job(bits_manager *manager, const bits_guid *id,
                                           bits_job **out_job)
{
    if (!manager || !id || !out_job)
        return BITS_E_INVALIDARG;
    bits_core *core = manager->core;
    bits_hresult hr = BG_E_NOT_FOUND;
    core_lock(core);
    for (uint32_t i = 0; i < core->njobs; i++) {
        bits_job *job = core->jobs[i];
        if (memcmp(job->id.bytes, id->bytes, sizeof id->bytes) != 0)
            continue;
        if (!may_access(core, job)) {
            hr = BITS_E_ACCESSDENIED;
        } else {
            bits_job_add_ref(job);
            *out_job = job;
            hr = BITS_S_OK;
        }
        break;
    }
    core_unlock(core);
    return hr;
}

bits_hresult core_snapshot_jobs_locked(bits_core *core, int all_users, bits_job ***out_jobs,
                                       uint32_t *out_count)
{
    bits_job **jobs = malloc((core->njobs ? core->njobs : 1) * sizeof *jobs);
    if (!jobs)
        return BITS_E_OUTOFMEMORY;
    uint32_t n = 0;
    for (uint32_t i = 0; i < core->njobs; i++) {
        bits_job *job = core->jobs[i];
        if (!all_users && job->owner_uid != geteuid())
            continue;
        bits_job_add_ref(job);
        jobs[n++] = job;
    }
    *out_jobs = jobs;
    *out_count = n;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_manager_set_limit(bits_manager *manager, uint32_t which,
                                             uint32_t value)
{
    if (!manager)
        return BITS_E_INVALIDARG;
    if (which < BITS_LIMIT_JOBS || which > BITS_LIMIT_STALL_TIMEOUT)
        return BITS_E_NOTIMPL;
    bits_core *core = manager->core;
    core_lock(core);
    core->limits[which] = value;
    bits_hresult hr = core->store ? store_save_limits_locked(core->store, core->limits, CORE_LIMIT_COUNT) : 0;
    engine_wake(core); /* bandwidth and timeouts apply at once */
    core_unlock(core);
    return hr < 0 ? hr : BITS_S_OK;
}

BITS_API bits_hresult bits_manager_get_limit(bits_manager *manager, uint32_t which,
                                             uint32_t *out_value)
{
    if (!manager || !out_value)
        return BITS_E_INVALIDARG;
    if (which < BITS_LIMIT_JOBS || which > BITS_LIMIT_STALL_TIMEOUT)
        return BITS_E_NOTIMPL;
    bits_core *core = manager->core;
    core_lock(core);
    *out_value = core->limits[which];
    core_unlock(core);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_manager_set_event_callback(bits_manager *manager, bits_event_fn fn,
                                                      void *user_data)
{
    if (!manager)
        return BITS_E_INVALIDARG;
    bits_core *core = manager->core;
    bits_hresult hr = BITS_S_OK;
    core_lock(core);
    if (core->closed) {
        hr = BG_E_INVALID_STATE;
    } else {
        if (fn)
            hr = notify_start_locked(core);
        if (hr >= 0) {
            core->manager_cb = fn;
            core->manager_cb_data = user_data;
            /* The old callback may be running: wait so its user_data can go. */
            notify_wait_idle_locked(core, NULL);
        }
    }
    core_unlock(core);
    return hr;
}
