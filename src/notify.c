/*
 * notify.c - the notification thread: event callbacks without locks.
 *
 * Events are queued under core->lock by whoever causes them and delivered
 * by one thread per manager, which drops the lock around every callback
 * (event.h's contract). The thread holds a reference to the core and frees
 * its own state when told to stop, so a manager may even be closed from
 * inside a callback.
 */
#include "core.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

typedef struct pending_event {
    struct pending_event *next;
    bits_job *job;              /* reference held while queued */
    uint32_t kind;
    int32_t file_index;         /* FILE_TRANSFERRED; else -1 */
    uint32_t state;
    bits_hresult code;
    int job_only;               /* a late-registration replay */
    int coalescible;            /* a progress/property JOB_MODIFICATION */
    int64_t not_before;         /* monotonic us; spacing of MODIFICATION */
} pending_event;

struct notifier {
    bits_core *core;
    pthread_t thread;
    pthread_cond_t wake;        /* an event was queued, or stop */
    pthread_cond_t idle;        /* a callback returned */
    pending_event *head;
    int stop;
    int drain;                  /* on stop, deliver what is queued first */
    bits_job *running_job;      /* whose per-job callback is running */
    int running_manager;        /* the manager callback is running */
};

static int is_notifier_thread(const notifier *n)
{
    return pthread_equal(pthread_self(), n->thread);
}

static void enqueue_locked(bits_job *job, uint32_t kind, bits_file *file, int job_only,
                           int coalesce)
{
    notifier *n = job->core->notify;
    if (!n || n->stop)
        return;
    pending_event **tail = &n->head;
    for (; *tail; tail = &(*tail)->next) {
        /* Progress and property changes: one queued JOB_MODIFICATION per
         * job is enough. State changes are each delivered. */
        if (coalesce && (*tail)->job == job && (*tail)->kind == kind && (*tail)->coalescible)
            return;
    }
    pending_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return; /* events are best effort under memory pressure */
    bits_job_add_ref(job);
    ev->job = job;
    ev->kind = kind;
    ev->file_index = file ? (int32_t)file->index : -1;
    ev->state = atomic_load(&job->state);
    ev->code = kind == BITS_EVENT_JOB_ERROR ? job->error.code : 0;
    ev->job_only = job_only;
    ev->coalescible = coalesce;
    if (coalesce && job->last_modification_event)
        ev->not_before = job->last_modification_event +
                         (int64_t)job->min_notify_interval_ms * 1000;
    *tail = ev;
    pthread_cond_signal(&n->wake);
}

static int wanted(const bits_job *job, uint32_t kind)
{
    uint32_t flags = job->notify_flags;
    return !(flags & BG_NOTIFY_DISABLE) && (flags & kind) &&
           (job->cb || job->core->manager_cb);
}

void notify_job_event_locked(bits_job *job, uint32_t kind, bits_file *file)
{
    if (wanted(job, kind))
        enqueue_locked(job, kind, file, 0, kind == BITS_EVENT_JOB_MODIFICATION);
}

void notify_job_state_locked(bits_job *job)
{
    if (wanted(job, BITS_EVENT_JOB_MODIFICATION))
        enqueue_locked(job, BITS_EVENT_JOB_MODIFICATION, NULL, 0, 0);
}

void notify_job_replay_locked(bits_job *job, uint32_t kind)
{
    uint32_t flags = job->notify_flags;
    if ((flags & BG_NOTIFY_DISABLE) || !(flags & kind))
        return;
    enqueue_locked(job, kind, NULL, 1, 0);
}

/* Takes the first event that is due; otherwise returns NULL and sets
 * *wait_until to the earliest due time (0 when the queue is empty). */
static pending_event *take_due(notifier *n, int64_t now, int64_t *wait_until)
{
    *wait_until = 0;
    for (pending_event **p = &n->head; *p; p = &(*p)->next) {
        pending_event *ev = *p;
        if (ev->not_before <= now) {
            *p = ev->next;
            return ev;
        }
        if (!*wait_until || ev->not_before < *wait_until)
            *wait_until = ev->not_before;
    }
    return NULL;
}

/* Runs one callback with the lock dropped. */
static void call_unlocked(notifier *n, bits_event_fn fn, void *data, const bits_event *e,
                          bits_job *as_job)
{
    bits_core *core = n->core;
    if (as_job)
        n->running_job = as_job;
    else
        n->running_manager = 1;
    core_unlock(core);
    fn(e, data);
    core_lock(core);
    n->running_job = NULL;
    n->running_manager = 0;
    pthread_cond_broadcast(&n->idle);
}

static void deliver_locked(notifier *n, pending_event *ev)
{
    bits_job *job = ev->job;
    bits_event e = { .struct_size = sizeof e, .kind = ev->kind, .job = job,
                     .state = ev->state, .error_code = ev->code };
    if (ev->file_index >= 0 && (uint32_t)ev->file_index < job->nfiles)
        e.file = job->files[ev->file_index];
    if (ev->coalescible)
        job->last_modification_event = mono_now_us();
    if (job->cb)
        call_unlocked(n, job->cb, job->cb_data, &e, job);
    if (!ev->job_only && n->core->manager_cb && (!n->stop || n->drain))
        call_unlocked(n, n->core->manager_cb, n->core->manager_cb_data, &e, NULL);
}

static void wait_until_mono(notifier *n, int64_t until)
{
    /* The condition variable runs on CLOCK_MONOTONIC (see notify_start). */
    struct timespec ts = { .tv_sec = until / 1000000, .tv_nsec = (until % 1000000) * 1000 };
    pthread_cond_timedwait(&n->wake, &n->core->lock, &ts);
}

static void *notifier_main(void *arg)
{
    notifier *n = arg;
    bits_core *core = n->core;
    core_lock(core);
    while (!n->stop) {
        int64_t wait_until;
        pending_event *ev = take_due(n, mono_now_us(), &wait_until);
        if (ev) {
            deliver_locked(n, ev);
            bits_job_release(ev->job);
            free(ev);
        } else if (wait_until) {
            wait_until_mono(n, wait_until);
        } else {
            pthread_cond_wait(&n->wake, &core->lock);
        }
    }
    /* Closing: outcomes already queued (state changes, files and jobs
     * transferred, errors) are still delivered, so a program that closes
     * right after a job finished hears of it; coalesced progress is not.
     * Nothing new is queued once stop is set. */
    while (n->head) {
        pending_event *ev = n->head;
        n->head = ev->next;
        if (n->drain && !ev->coalescible)
            deliver_locked(n, ev);
        bits_job_release(ev->job);
        free(ev);
    }
    pthread_cond_broadcast(&n->idle);
    core_unlock(core);
    pthread_cond_destroy(&n->wake);
    pthread_cond_destroy(&n->idle);
    free(n);
    core_unref(core);
    return NULL;
}

bits_hresult notify_start_locked(bits_core *core)
{
    if (core->notify)
        return BITS_S_OK;
    notifier *n = calloc(1, sizeof *n);
    if (!n)
        return BITS_E_OUTOFMEMORY;
    cond_init_monotonic(&n->wake);
    pthread_cond_init(&n->idle, NULL);
    n->core = core;
    core_ref(core);
    if (pthread_create(&n->thread, NULL, notifier_main, n) != 0) {
        core_unref(core); /* the caller holds another reference */
        pthread_cond_destroy(&n->wake);
        pthread_cond_destroy(&n->idle);
        free(n);
        return BITS_E_FAIL;
    }
    core->notify = n;
    return BITS_S_OK;
}

void notify_wait_idle_locked(bits_core *core, bits_job *job)
{
    notifier *n = core->notify;
    if (!n || is_notifier_thread(n))
        return;
    while ((job && n->running_job == job) || (!job && n->running_manager))
        pthread_cond_wait(&n->idle, &core->lock);
}

void notify_stop(bits_core *core)
{
    core_lock(core);
    notifier *n = core->notify;
    core->notify = NULL;
    if (!n) {
        core_unlock(core);
        return;
    }
    int self = is_notifier_thread(n);
    n->stop = 1;
    /* From inside a callback nobody waits for the thread, so the callers'
     * user data may be gone before a drained event would run: no drain. */
    n->drain = !self;
    pthread_cond_signal(&n->wake);
    pthread_t thread = n->thread;
    core_unlock(core);
    /* From inside a callback the thread cannot be joined: it finishes the
     * callback, sees stop and frees itself. */
    if (self)
        pthread_detach(thread);
    else
        pthread_join(thread, NULL);
}
