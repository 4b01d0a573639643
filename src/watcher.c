/* watcher.c - following other processes' changes to the store. */
#include "watcher.h"

#include <stdlib.h>
#include <time.h>

#include "engine.h"
#include "store.h"

#define WATCH_INTERVAL_MS 100

struct watcher {
    pthread_t thread;
    pthread_cond_t wake;
    int stop;
};

void watcher_ensure_engine_locked(bits_core *core)
{
    if (core->engine || core->closed)
        return;
    for (uint32_t i = 0; i < core->njobs; i++) {
        uint32_t s = atomic_load(&core->jobs[i]->state);
        if (s != BG_JOB_STATE_SUSPENDED && s != BG_JOB_STATE_ERROR &&
            s != BG_JOB_STATE_TRANSFERRED) {
            engine_start_locked(core); /* a no-op while another process runs it */
            return;
        }
    }
}

/* Jobs nobody touched for 90 days are cancelled even when no engine runs. */
static void expire_inactive_locked(bits_core *core)
{
    for (uint32_t i = 0; i < core->njobs;) {
        bits_job *job = core->jobs[i];
        bits_job_add_ref(job);
        int gone = job_expire_if_inactive_locked(job);
        bits_job_release(job);
        if (!gone)
            i++;
    }
}

static void *watcher_main(void *arg)
{
    bits_core *core = arg;
    watcher *w = core->watch;
    core_lock(core);
    while (!w->stop) {
        struct timespec ts = mono_deadline_ms(WATCH_INTERVAL_MS);
        pthread_cond_timedwait(&w->wake, &core->lock, &ts);
        if (w->stop)
            break;
        if (store_refresh_locked(core->store, core) > 0)
            engine_wake(core);
        expire_inactive_locked(core);
        watcher_ensure_engine_locked(core);
    }
    core_unlock(core);
    return NULL;
}

bits_hresult watcher_start_locked(bits_core *core)
{
    watcher *w = calloc(1, sizeof *w);
    if (!w)
        return BITS_E_OUTOFMEMORY;
    cond_init_monotonic(&w->wake);
    core->watch = w;
    if (pthread_create(&w->thread, NULL, watcher_main, core) != 0) {
        core->watch = NULL;
        pthread_cond_destroy(&w->wake);
        free(w);
        return BITS_E_FAIL;
    }
    return BITS_S_OK;
}

void watcher_stop(bits_core *core)
{
    core_lock(core);
    watcher *w = core->watch;
    if (w) {
        w->stop = 1;
        pthread_cond_signal(&w->wake);
    }
    core_unlock(core);
    if (!w)
        return;
    pthread_join(w->thread, NULL);
    core_lock(core);
    core->watch = NULL;
    core_unlock(core);
    pthread_cond_destroy(&w->wake);
    free(w);
}
