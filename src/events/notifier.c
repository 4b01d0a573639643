/*
 * notifier.c - the notification thread: event callbacks without locks.
 *
 * Events are queued under the queue lock by whoever causes them and
 * delivered by one thread per manager, which drops the lock around every
 * callback (event.h's contract). The thread holds a reference to the
 * queue, so a manager may even be closed from inside a callback.
 *
 * In fd mode (BITS_MANAGER_OPEN_EVENT_FD) there is no thread: a timerfd
 * is armed for the earliest queued event (at once for a due one), and
 * the application's thread delivers them with ob_notifier_dispatch().
 *
 * An event has up to two kinds of receivers: the event callbacks (the
 * job's and the manager's), when the job's notify flags select it, and
 * the watch callback, which takes every event whatever the flags. Each
 * queued event records which of them it is for (TO_*), decided when it
 * is queued, as the flags always were.
 */
#include "events/events.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

typedef struct pending_event {
    struct pending_event *next;
    bits_job *job;              /* reference held while queued; NULL for some log lines */
    char *log_text;             /* a log line (kind 0), owned */
    uint32_t log_level;
    uint32_t kind;
    int32_t file_index;         /* FILE_TRANSFERRED; else -1 */
    uint32_t state;
    bits_hresult code;
    int job_only;               /* a late-registration replay */
    int coalescible;            /* a progress/property JOB_MODIFICATION */
    int targets;                /* TO_CALLBACKS and/or TO_WATCH */
    int64_t not_before;         /* monotonic us; spacing of MODIFICATION */
} pending_event;

/* Who an event is for (pending_event.targets). */
#define TO_CALLBACKS 1 /* the job's and the manager's callbacks: the notify flags chose it */
#define TO_WATCH 2     /* the watch callback: every event */

struct ob_notifier {
    ob_queue *q;
    pthread_t thread;
    int started;
    pthread_cond_t wake;        /* an event was queued, or stop */
    pthread_cond_t idle;        /* a callback returned */
    pending_event *head;
    pending_event **tail;       /* the last element's next (or &head) */
    int stop;
    int drain;                  /* on stop, deliver what is queued first */
    bits_job *running_job;      /* whose per-job callback is running */
    int running_manager;        /* the manager callback is running */
    int running_watch;          /* the watch callback is running */
    bits_event_fn manager_cb;
    void *manager_cb_data;
    bits_event_fn watch_cb;     /* every event, whatever the notify flags */
    void *watch_cb_data;
    /* The log callback: lines up to log_level (atomic: transfers read it). */
    bits_log_fn log_cb;
    void *log_cb_data;
    _Atomic uint32_t log_level;  /* 0 = no callback */
    int running_log;             /* the log callback is running */
    uint32_t queued_logs;        /* log lines waiting */
    uint32_t dropped_logs;       /* lines dropped since the last delivered one */
    /* Fd mode. */
    int fd_mode;
    int timer_fd;               /* -1 in thread mode */
    int64_t armed_at;           /* monotonic us the timer fires at, 0 = disarmed */
    int dispatching;            /* a thread is in ob_notifier_dispatch() */
    pthread_t dispatcher;
};

static void event_free(pending_event *ev)
{
    if (ev->job)
        ob_job_unref(ev->job);
    free(ev->log_text);
    free(ev);
}

ob_notifier *ob_notifier_new(ob_queue *q, int fd_mode)
{
    ob_notifier *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->q = q;
    n->tail = &n->head;
    n->timer_fd = -1;
    if (fd_mode) {
        n->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (n->timer_fd < 0) {
            free(n);
            return NULL;
        }
        n->fd_mode = 1;
        n->started = 1; /* events are queued from the start: no thread to wait for */
    }
    ob_cond_init_monotonic(&n->wake);
    pthread_cond_init(&n->idle, NULL);
    return n;
}

int ob_notifier_fd(const ob_notifier *n)
{
    return n->timer_fd;
}

/* Fd mode: the timer fires at @p due (monotonic us) unless it fires
 * earlier already. A due time in the past fires at once. */
static void arm_locked(ob_notifier *n, int64_t due)
{
    if (n->armed_at && n->armed_at <= due)
        return;
    if (due < 1)
        due = 1; /* 0 would disarm */
    struct itimerspec it = { .it_value = ob_mono_timespec(due) };
    if (timerfd_settime(n->timer_fd, TFD_TIMER_ABSTIME, &it, NULL) == 0)
        n->armed_at = due;
}

void ob_notifier_free(ob_notifier *n)
{
    if (!n)
        return;
    while (n->head) {
        pending_event *ev = n->head;
        n->head = ev->next;
        event_free(ev);
    }
    if (n->timer_fd >= 0)
        close(n->timer_fd);
    pthread_cond_destroy(&n->wake);
    pthread_cond_destroy(&n->idle);
    free(n);
}

/* The thread that runs this notifier's callbacks now: its thread, or in
 * fd mode the one in ob_notifier_dispatch(). */
static int is_notifier_thread(const ob_notifier *n)
{
    if (n->fd_mode)
        return n->dispatching && pthread_equal(pthread_self(), n->dispatcher);
    return n->started && pthread_equal(pthread_self(), n->thread);
}

/* Appends @p ev and wakes whoever delivers. */
static void append_locked(ob_notifier *n, pending_event *ev)
{
    *n->tail = ev;
    n->tail = &ev->next;
    if (n->fd_mode)
        arm_locked(n, ev->not_before > 0 ? ev->not_before : ob_mono_us());
    else
        pthread_cond_signal(&n->wake);
}

static void enqueue_locked(ob_notifier *n, bits_job *job, uint32_t kind, bits_file *file,
                           int job_only, int coalesce, int targets)
{
    if (!n->started || n->stop || !targets)
        return;
    for (pending_event *q = coalesce ? n->head : NULL; q; q = q->next) {
        /* Progress and property changes: one queued JOB_MODIFICATION per
         * job is enough. State changes are each delivered. */
        if (q->job == job && q->kind == kind && q->coalescible) {
            q->targets |= targets;
            return;
        }
    }
    pending_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return; /* events are best effort under memory pressure */
    ob_job_ref(job);
    ev->job = job;
    ev->kind = kind;
    ev->file_index = file ? (int32_t)file->index : -1;
    ev->state = atomic_load(&job->state);
    ev->code = kind == BITS_EVENT_JOB_ERROR ? job->error.code : 0;
    ev->job_only = job_only;
    ev->coalescible = coalesce;
    ev->targets = targets;
    if (coalesce && job->last_modification_event)
        ev->not_before = job->last_modification_event +
                         (int64_t)job->props.min_notify_interval_ms * 1000;
    append_locked(n, ev);
}

/* Log lines waiting at most: a callback slower than the trace drops the
 * excess (and is told how many). */
#define MAX_QUEUED_LOGS 10000

uint32_t ob_notify_log_level(const ob_notifier *n)
{
    return atomic_load_explicit(&((ob_notifier *)n)->log_level, memory_order_relaxed);
}

void ob_notify_log_locked(ob_notifier *n, uint32_t level, bits_job *job, const char *fmt, ...)
{
    if (!n->log_cb || level > atomic_load(&n->log_level) || n->stop || !n->started)
        return;
    if (n->queued_logs >= MAX_QUEUED_LOGS) {
        n->dropped_logs++;
        return;
    }
    pending_event *ev = calloc(1, sizeof *ev);
    va_list ap;
    va_start(ap, fmt);
    int ok = ev && vasprintf(&ev->log_text, fmt, ap) >= 0;
    va_end(ap);
    if (!ok) {
        free(ev);
        return;
    }
    if (job)
        ob_job_ref(job);
    ev->job = job;
    ev->log_level = level;
    ev->file_index = -1;
    n->queued_logs++;
    append_locked(n, ev);
}

/* Who an event of @p kind about @p job is for: the callbacks when the
 * job's notify flags select it and one is registered; the watch, when
 * registered, always. 0: nobody. */
static int targets_of(const ob_notifier *n, const bits_job *job, uint32_t kind)
{
    uint32_t flags = job->props.notify_flags;
    int targets = 0;
    if (!(flags & BG_NOTIFY_DISABLE) && (flags & kind) && (job->cb || n->manager_cb))
        targets |= TO_CALLBACKS;
    if (n->watch_cb)
        targets |= TO_WATCH;
    return targets;
}

void ob_notify_event_locked(ob_notifier *n, bits_job *job, uint32_t kind, bits_file *file)
{
    enqueue_locked(n, job, kind, file, 0, kind == BITS_EVENT_JOB_MODIFICATION,
                   targets_of(n, job, kind));
}

void ob_notify_state_locked(ob_notifier *n, bits_job *job, uint32_t state)
{
    /* BITS sends JobModification for every state change except the ones
     * that have their own event (spec 2.11). */
    if (state == BG_JOB_STATE_TRANSFERRED)
        ob_notify_event_locked(n, job, BITS_EVENT_JOB_TRANSFERRED, NULL);
    else if (state == BG_JOB_STATE_ERROR)
        ob_notify_event_locked(n, job, BITS_EVENT_JOB_ERROR, NULL);
    else
        enqueue_locked(n, job, BITS_EVENT_JOB_MODIFICATION, NULL, 0, 0,
                       targets_of(n, job, BITS_EVENT_JOB_MODIFICATION));
}

void ob_notify_replay_locked(ob_notifier *n, bits_job *job, uint32_t kind)
{
    uint32_t flags = job->props.notify_flags;
    if ((flags & BG_NOTIFY_DISABLE) || !(flags & kind))
        return;
    enqueue_locked(n, job, kind, NULL, 1, 0, TO_CALLBACKS); /* the watch has no replay */
}

/* Takes the first event that is due; otherwise returns NULL and sets
 * *wait_until to the earliest due time (0 when the queue is empty). */
static pending_event *take_due(ob_notifier *n, int64_t now, int64_t *wait_until)
{
    *wait_until = 0;
    for (pending_event **p = &n->head; *p; p = &(*p)->next) {
        pending_event *ev = *p;
        if (ev->not_before <= now) {
            *p = ev->next;
            if (!ev->next)
                n->tail = p;
            return ev;
        }
        if (!*wait_until || ev->not_before < *wait_until)
            *wait_until = ev->not_before;
    }
    return NULL;
}

/* Runs one callback with the lock dropped: the job's (@p as_job), else
 * the one whose running flag is @p running (manager or watch). */
static void call_unlocked(ob_notifier *n, bits_event_fn fn, void *data, const bits_event *e,
                          bits_job *as_job, int *running)
{
    if (as_job)
        n->running_job = as_job;
    else
        *running = 1;
    ob_queue_unlock(n->q);
    fn(e, data);
    ob_queue_lock(n->q);
    n->running_job = NULL;
    if (!as_job)
        *running = 0;
    pthread_cond_broadcast(&n->idle);
}

static void deliver_log_locked(ob_notifier *n, pending_event *ev)
{
    n->queued_logs--;
    bits_log_fn fn = n->log_cb;
    if (!fn || ev->log_level > atomic_load(&n->log_level))
        return;
    void *data = n->log_cb_data;
    uint32_t dropped = n->dropped_logs;
    n->dropped_logs = 0;
    n->running_log = 1;
    ob_queue_unlock(n->q);
    if (dropped) {
        char text[96];
        snprintf(text, sizeof text, "%u log lines dropped: the log callback is slower than they come",
                 dropped);
        fn(BITS_LOG_WARNING, NULL, text, data);
    }
    fn(ev->log_level, ev->job, ev->log_text, data);
    ob_queue_lock(n->q);
    n->running_log = 0;
    pthread_cond_broadcast(&n->idle);
}

static void deliver_locked(ob_notifier *n, pending_event *ev)
{
    if (ev->log_text) {
        deliver_log_locked(n, ev);
        return;
    }
    bits_job *job = ev->job;
    bits_event e = { .struct_size = sizeof e, .kind = ev->kind, .job = job,
                     .state = ev->state, .error_code = ev->code };
    if (ev->file_index >= 0 && (uint32_t)ev->file_index < job->nfiles)
        e.file = job->files[ev->file_index];
    if (ev->coalescible)
        job->last_modification_event = ob_mono_us();
    if ((ev->targets & TO_CALLBACKS) && job->cb)
        call_unlocked(n, job->cb, job->cb_data, &e, job, NULL);
    if ((ev->targets & TO_CALLBACKS) && !ev->job_only && n->manager_cb && (!n->stop || n->drain))
        call_unlocked(n, n->manager_cb, n->manager_cb_data, &e, NULL, &n->running_manager);
    /* The watch last: it sees an event once the callbacks had it. */
    if ((ev->targets & TO_WATCH) && n->watch_cb && (!n->stop || n->drain))
        call_unlocked(n, n->watch_cb, n->watch_cb_data, &e, NULL, &n->running_watch);
}

/* Closing: outcomes already queued (state changes, files and jobs
 * transferred, errors) are still delivered (with n->drain), so a program
 * that closes right after a job finished hears of it; coalesced progress
 * is not. Nothing new is queued once stop is set. */
static void drain_locked(ob_notifier *n)
{
    while (n->head) {
        pending_event *ev = n->head;
        n->head = ev->next;
        if (!n->head)
            n->tail = &n->head;
        if (n->drain && !ev->coalescible)
            deliver_locked(n, ev);
        event_free(ev);
    }
    pthread_cond_broadcast(&n->idle);
}

bits_hresult ob_notifier_dispatch(ob_notifier *n, uint32_t *count)
{
    uint32_t delivered = 0;
    /* A callback may close the manager; the event then freed may hold the
     * last job reference, which would free the queue and this notifier
     * under our feet. Hold the queue, as the notification thread does. */
    ob_queue *q = n->q;
    ob_queue_ref(q);
    ob_queue_lock(q);
    if (n->dispatching) {
        ob_queue_unlock(q);
        ob_queue_unref(q);
        if (count)
            *count = 0;
        return BITS_S_FALSE;
    }
    n->dispatching = 1;
    n->dispatcher = pthread_self();
    uint64_t expirations;
    if (read(n->timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
        expirations = 0; /* nothing to reset */
    n->armed_at = 0;
    int64_t wait_until = 0;
    while (!n->stop) {
        pending_event *ev = take_due(n, ob_mono_us(), &wait_until);
        if (!ev)
            break;
        deliver_locked(n, ev);
        event_free(ev);
        delivered++;
    }
    if (!n->stop && n->head)
        arm_locked(n, wait_until ? wait_until : ob_mono_us());
    n->dispatching = 0;
    pthread_cond_broadcast(&n->idle);
    ob_queue_unlock(q);
    ob_queue_unref(q); /* n is not touched after this */
    if (count)
        *count = delivered;
    return BITS_S_OK;
}

static void *notifier_main(void *arg)
{
    ob_notifier *n = arg;
    ob_queue *q = n->q;
    ob_queue_lock(q);
    while (!n->stop) {
        int64_t wait_until;
        pending_event *ev = take_due(n, ob_mono_us(), &wait_until);
        if (ev) {
            deliver_locked(n, ev);
            event_free(ev);
        } else if (wait_until) {
            struct timespec ts = ob_mono_timespec(wait_until);
            pthread_cond_timedwait(&n->wake, &q->lock, &ts);
        } else {
            pthread_cond_wait(&n->wake, &q->lock);
        }
    }
    drain_locked(n);
    ob_queue_unlock(q);
    ob_queue_unref(q); /* may free the manager's state, this notifier included */
    return NULL;
}

bits_hresult ob_notifier_start_locked(ob_notifier *n)
{
    if (n->started)
        return n->stop ? BG_E_INVALID_STATE : BITS_S_OK; /* fd mode: always started */
    ob_queue_ref(n->q);
    if (pthread_create(&n->thread, NULL, notifier_main, n) != 0) {
        ob_queue_unref(n->q); /* the caller holds another reference */
        return BITS_E_FAIL;
    }
    n->started = 1;
    return BITS_S_OK;
}

void ob_notifier_set_manager_cb_locked(ob_notifier *n, bits_event_fn fn, void *data)
{
    n->manager_cb = fn;
    n->manager_cb_data = data;
    /* The old callback may be running: wait so its user_data can go. */
    if (!is_notifier_thread(n)) {
        while (n->running_manager)
            pthread_cond_wait(&n->idle, &n->q->lock);
    }
}

void ob_notifier_set_watch_cb_locked(ob_notifier *n, bits_event_fn fn, void *data)
{
    n->watch_cb = fn;
    n->watch_cb_data = data;
    if (!is_notifier_thread(n)) {
        while (n->running_watch)
            pthread_cond_wait(&n->idle, &n->q->lock);
    }
}

void ob_notifier_set_log_cb_locked(ob_notifier *n, uint32_t level, bits_log_fn fn, void *data)
{
    n->log_cb = fn;
    n->log_cb_data = data;
    atomic_store(&n->log_level, fn ? level : 0);
    if (!is_notifier_thread(n)) {
        while (n->running_log)
            pthread_cond_wait(&n->idle, &n->q->lock);
    }
}

void ob_notifier_wait_idle_locked(ob_notifier *n, bits_job *job)
{
    if (is_notifier_thread(n))
        return;
    while (n->running_job == job)
        pthread_cond_wait(&n->idle, &n->q->lock);
}

void ob_notifier_stop(ob_notifier *n)
{
    ob_queue_lock(n->q);
    if (n->fd_mode && !n->stop) {
        /* No thread: the closing thread delivers the outcomes, after any
         * dispatch in another thread finished; from inside a callback
         * nothing more is delivered. */
        int self = is_notifier_thread(n);
        while (!self && n->dispatching)
            pthread_cond_wait(&n->idle, &n->q->lock);
        n->stop = 1;
        n->drain = !self;
        if (!self) {
            n->dispatching = 1;
            n->dispatcher = pthread_self();
        }
        drain_locked(n);
        if (!self)
            n->dispatching = 0;
        ob_queue_unlock(n->q);
        return;
    }
    if (!n->started || n->stop) {
        n->stop = 1;
        ob_queue_unlock(n->q);
        return;
    }
    int self = is_notifier_thread(n);
    n->stop = 1;
    /* From inside a callback nobody waits for the thread, so the callers'
     * user data may be gone before a drained event would run: no drain. */
    n->drain = !self;
    pthread_cond_signal(&n->wake);
    pthread_t thread = n->thread;
    ob_queue_unlock(n->q);
    /* From inside a callback the thread cannot be joined: it finishes the
     * callback, sees stop and ends by itself. */
    if (self)
        pthread_detach(thread);
    else
        pthread_join(thread, NULL);
}
