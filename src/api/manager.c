/* manager.c - opening and closing a manager, its jobs and its limits. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/guid.h"
#include "util/strings.h"
#include "util/validate.h"

static void runtime_free(void *owner)
{
    ob_runtime *rt = owner;
    ob_notifier_free(rt->notifier);
    free(rt->store_dir);
    free(rt);
}

/* The sync thread's periodic work, after each look at the store (no lock
 * held): this process takes over the transfers when a job waits and the
 * process that ran them went away; jobs nobody touched for 90 days are
 * cancelled even when no process runs transfers. */
static void tick(void *ctx)
{
    ob_runtime *rt = ctx;
    ob_queue *q = rt->q;
    ob_queue_lock(q);
    ob_api_ensure_engine_locked(rt);
    bits_job **jobs = NULL;
    uint32_t n = 0;
    if (!rt->engine)
        ob_queue_snapshot_locked(q, 1, &jobs, &n);
    ob_queue_unlock(q);
    for (uint32_t i = 0; i < n; i++) {
        ob_change ch;
        ob_change_init(&ch, OB_EV_INACTIVITY_TIMEOUT, OB_ORIGIN_ENGINE);
        ob_queue_lock(q);
        int expired = ob_job_inactive(jobs[i], ob_now_us());
        ob_queue_unlock(q);
        if (expired)
            ob_queue_change(q, jobs[i], &ch);
        ob_change_free(&ch);
        ob_job_unref(jobs[i]);
    }
    free(jobs);
}

bits_hresult ob_manager_open(const char *store_dir, uint32_t flags, int start_threads,
                             bits_manager **out_manager)
{
    if (!out_manager || (flags & ~(BITS_MANAGER_OPEN_IN_MEMORY | BITS_MANAGER_OPEN_SERVE |
                                   BITS_MANAGER_OPEN_EVENT_FD)))
        return BITS_E_INVALIDARG;
    int in_memory = (flags & BITS_MANAGER_OPEN_IN_MEMORY) != 0;
    if (in_memory && (store_dir || (flags & BITS_MANAGER_OPEN_SERVE)))
        return BITS_E_INVALIDARG;

    char *dir = NULL;
    if (!in_memory) {
        bits_hresult hr = ob_store_dir_prepare(store_dir, &dir);
        if (hr < 0)
            return hr;
    }
    bits_manager *m = calloc(1, sizeof *m);
    ob_runtime *rt = calloc(1, sizeof *rt);
    ob_queue *q = ob_queue_new();
    ob_notifier *n = q ? ob_notifier_new(q, (flags & BITS_MANAGER_OPEN_EVENT_FD) != 0) : NULL;
    if (!m || !rt || !q || !n) {
        free(m);
        free(rt);
        free(dir);
        ob_notifier_free(n);
        ob_queue_unref(q);
        return BITS_E_OUTOFMEMORY;
    }
    rt->q = q;
    rt->notifier = n;
    rt->store_dir = dir;
    rt->serve = (flags & BITS_MANAGER_OPEN_SERVE) != 0;
    q->owner = rt;
    q->owner_free = runtime_free;
    q->listener = &ob_api_listener;
    q->listener_ctx = rt;
    m->q = q;
    bits_hresult hr = BITS_S_OK;
    if (dir) {
        hr = ob_store_open(dir, &rt->store);
        if (hr >= 0) {
            rt->loading = 1;
            ob_queue_change_lock(q);
            hr = ob_store_load(rt->store, q, ob_api_finish_row, rt);
            ob_queue_change_unlock(q);
            rt->loading = 0;
            q->backend = &ob_store_backend;
            q->backend_ctx = rt->store;
        }
    }
    rt->env = (ob_engine_env){ .queue = q, .store = rt->store, .notifier = n,
                               .store_dir = dir };
    if (hr >= 0 && dir && start_threads) {
        hr = ob_sync_start(rt->store, ob_api_finish_row, tick, rt, &rt->sync);
        if (hr >= 0) {
            ob_queue_lock(q);
            ob_api_ensure_engine_locked(rt);
            ob_queue_unlock(q);
        }
    }
    if (hr < 0) {
        bits_manager_close(m);
        return hr;
    }
    *out_manager = m;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_manager_open(const char *store_dir, uint32_t flags,
                                        bits_manager **out_manager)
{
    return ob_manager_open(store_dir, flags, 1, out_manager);
}

BITS_API void bits_manager_close(bits_manager *manager)
{
    if (!manager)
        return;
    ob_queue *q = manager->q;
    ob_runtime *rt = q->owner;
    /* Closed first, so nothing joins the table any more; the threads that
     * use it stop next (the engine's last batch of file rows may still
     * learn that a job ended elsewhere, and clean up after it); the jobs
     * go last. */
    ob_queue_mark_closed(q);
    ob_sync_stop(rt->sync);
    rt->sync = NULL;
    ob_queue_lock(q);
    ob_engine *engine = rt->engine;
    rt->engine = NULL;
    ob_queue_unlock(q);
    ob_engine_stop(engine);
    ob_notifier_stop(rt->notifier);
    ob_queue_lock(q);
    ob_notifier_set_manager_cb_locked(rt->notifier, NULL, NULL);
    ob_queue_unlock(q);
    /* A change running in another thread holds the change lock while it
     * uses the store. */
    ob_queue_change_lock(q);
    ob_store_close(rt->store);
    rt->store = NULL;
    q->backend = NULL;
    ob_queue_change_unlock(q);
    uint32_t njobs = 0;
    bits_job **jobs = ob_queue_take_all(q, &njobs);
    for (uint32_t i = 0; i < njobs; i++)
        ob_job_unref(jobs[i]);
    free(jobs);
    free(manager);
    ob_queue_unref(q);
}

BITS_API bits_hresult bits_manager_create_job(bits_manager *manager, const char *display_name,
                                              uint32_t type, bits_guid *out_id,
                                              bits_job **out_job)
{
    if (!manager || !out_id || !out_job)
        return BITS_E_INVALIDARG;
    /* CreateJob reports a bad name as E_INVALIDARG (not STRING_TOO_LONG). */
    if (ob_validate_string(display_name, OB_LIMIT_DISPLAY_NAME, BITS_E_INVALIDARG) < 0)
        return BITS_E_INVALIDARG;
    /* Upload types: design 3.2, not until the upload protocol exists;
     * anything else is out of range. Both are E_NOTIMPL in BITS terms. */
    if (type != BG_JOB_TYPE_DOWNLOAD)
        return BITS_E_NOTIMPL;

    bits_guid id;
    bits_hresult hr = ob_guid_generate(&id);
    if (hr < 0)
        return hr;
    bits_job *job = ob_job_new(&id, type);
    if (!job)
        return BITS_E_OUTOFMEMORY;
    if (ob_replace_string(&job->props.display_name, display_name) < 0) {
        ob_job_unref(job);
        return BITS_E_OUTOFMEMORY;
    }
    hr = ob_queue_add_new(manager->q, job);
    if (hr < 0) {
        ob_job_unref(job);
        return hr;
    }
    *out_id = id;
    *out_job = job;
    return BITS_S_OK;
}

/* Root may see every job; others only their own (BITS's owner rule). */
static int may_access(const bits_job *job)
{
    return geteuid() == 0 || job->owner_uid == geteuid();
}

BITS_API bits_hresult bits_manager_get_job(bits_manager *manager, const bits_guid *id,
                                           bits_job **out_job)
{
    if (!manager || !id || !out_job)
        return BITS_E_INVALIDARG;
    ob_queue *q = manager->q;
    bits_hresult hr = BG_E_NOT_FOUND;
    ob_queue_lock(q);
    bits_job *job = ob_queue_find_locked(q, id->bytes);
    if (job && !may_access(job)) {
        hr = BITS_E_ACCESSDENIED;
    } else if (job) {
        ob_job_ref(job);
        *out_job = job;
        hr = BITS_S_OK;
    }
    ob_queue_unlock(q);
    return hr;
}

BITS_API bits_hresult bits_manager_set_limit(bits_manager *manager, uint32_t which,
                                             uint32_t value)
{
    if (!manager)
        return BITS_E_INVALIDARG;
    if (which < BITS_LIMIT_JOBS || which > BITS_LIMIT_STALL_TIMEOUT)
        return BITS_E_NOTIMPL;
    bits_hresult hr = ob_queue_set_limit(manager->q, which, value);
    if (hr >= 0) {
        ob_runtime *rt = manager->q->owner;
        ob_queue_lock(manager->q);
        ob_engine_wake(rt->engine); /* bandwidth and timeouts apply at once */
        ob_queue_unlock(manager->q);
    }
    return hr < 0 ? hr : BITS_S_OK;
}

BITS_API bits_hresult bits_manager_get_limit(bits_manager *manager, uint32_t which,
                                             uint32_t *out_value)
{
    if (!manager || !out_value)
        return BITS_E_INVALIDARG;
    if (which < BITS_LIMIT_JOBS || which > BITS_LIMIT_STALL_TIMEOUT)
        return BITS_E_NOTIMPL;
    ob_queue_lock(manager->q);
    *out_value = manager->q->limits[which];
    ob_queue_unlock(manager->q);
    return BITS_S_OK;
}

/* Queue lock held: whether a manager-wide callback may be registered
 * (@p registering) now: the notification thread is started for it, and a
 * closed manager takes none (BG_E_INVALID_STATE). Removing needs nothing. */
static bits_hresult manager_cb_ready_locked(ob_queue *q, ob_runtime *rt, int registering)
{
    if (!registering)
        return BITS_S_OK;
    if (q->closed)
        return BG_E_INVALID_STATE;
    return ob_notifier_start_locked(rt->notifier);
}

BITS_API bits_hresult bits_manager_set_event_callback(bits_manager *manager, bits_event_fn fn,
                                                      void *user_data)
{
    if (!manager)
        return BITS_E_INVALIDARG;
    ob_queue *q = manager->q;
    ob_runtime *rt = q->owner;
    bits_hresult hr;
    ob_queue_lock(q);
    /* Unlike the others, removing from a closed manager is refused too
     * (manager.h). */
    hr = q->closed ? BG_E_INVALID_STATE : manager_cb_ready_locked(q, rt, fn != NULL);
    if (hr >= 0)
        ob_notifier_set_manager_cb_locked(rt->notifier, fn, user_data);
    ob_queue_unlock(q);
    return hr;
}

BITS_API bits_hresult bits_manager_get_event_fd(bits_manager *manager, int32_t *out_fd)
{
    if (!manager || !out_fd)
        return BITS_E_INVALIDARG;
    ob_runtime *rt = manager->q->owner;
    int fd = ob_notifier_fd(rt->notifier);
    if (fd < 0)
        return BG_E_INVALID_STATE;
    *out_fd = fd;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_manager_dispatch(bits_manager *manager, uint32_t *out_count)
{
    if (!manager)
        return BITS_E_INVALIDARG;
    ob_runtime *rt = manager->q->owner;
    if (ob_notifier_fd(rt->notifier) < 0)
        return BG_E_INVALID_STATE;
    return ob_notifier_dispatch(rt->notifier, out_count);
}

BITS_API bits_hresult bits_manager_set_watch_callback(bits_manager *manager, bits_event_fn fn,
                                                      void *user_data)
{
    if (!manager)
        return BITS_E_INVALIDARG;
    ob_queue *q = manager->q;
    ob_runtime *rt = q->owner;
    bits_hresult hr;
    ob_queue_lock(q);
    hr = manager_cb_ready_locked(q, rt, fn != NULL);
    if (hr >= 0)
        ob_notifier_set_watch_cb_locked(rt->notifier, fn, user_data);
    ob_queue_unlock(q);
    return hr;
}

BITS_API bits_hresult bits_manager_set_log_callback(bits_manager *manager, uint32_t max_level,
                                                    bits_log_fn fn, void *user_data)
{
    if (!manager || (fn && (max_level < BITS_LOG_ERROR || max_level > BITS_LOG_DEBUG)))
        return BITS_E_INVALIDARG;
    ob_queue *q = manager->q;
    ob_runtime *rt = q->owner;
    bits_hresult hr;
    ob_queue_lock(q);
    hr = manager_cb_ready_locked(q, rt, fn != NULL);
    if (hr >= 0)
        ob_notifier_set_log_cb_locked(rt->notifier, max_level, fn, user_data);
    ob_queue_unlock(q);
    return hr;
}
