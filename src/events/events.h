/*
 * events.h - telling the world: event callbacks, delivered by one thread
 * per manager without any library lock held (event.h's contract), and
 * the notify command line (SetNotifyCmdLine).
 *
 * Layer: events (above model). Events are queued under the queue lock by
 * whoever causes them; the notification thread takes them off and runs
 * the callbacks with the lock dropped.
 */
#ifndef OB_EVENTS_EVENTS_H
#define OB_EVENTS_EVENTS_H

#include "openbits/experimental.h"

#include "model/model.h"

typedef struct ob_notifier ob_notifier;

/* A notifier for @p q's jobs, its thread not started; with @p fd_mode no
 * thread ever runs: events are delivered by ob_notifier_dispatch() on the
 * caller's thread, and a timerfd (ob_notifier_fd) is readable while one is
 * due. NULL on OOM or when the timerfd cannot be made. */
ob_notifier *ob_notifier_new(ob_queue *q, int fd_mode);
/* Frees a notifier whose thread has stopped (or never started). */
void ob_notifier_free(ob_notifier *n);

/* Starts the thread unless it runs (queue lock held; in fd mode nothing
 * to start). BITS_S_OK, BG_E_INVALID_STATE (stopped) or BITS_E_FAIL. */
bits_hresult ob_notifier_start_locked(ob_notifier *n);

/* Stops the thread: outcomes already queued are delivered first unless
 * called from a callback; nothing new is queued afterwards. Joins it
 * unless called from it. In fd mode the outcomes are delivered on the
 * calling thread. Queue lock NOT held. */
void ob_notifier_stop(ob_notifier *n);

/* The manager-wide callback (NULL removes it); waits until a running call
 * of the old one returned. Queue lock held. */
void ob_notifier_set_manager_cb_locked(ob_notifier *n, bits_event_fn fn, void *data);

/* The watch callback (NULL removes it): every event of every job,
 * whatever its notify flags; waits until a running call of the old one
 * returned. Queue lock held. */
void ob_notifier_set_watch_cb_locked(ob_notifier *n, bits_event_fn fn, void *data);

/* Waits (dropping the lock meanwhile) until no callback of @p job is
 * running, unless the caller is the notification thread. Queue lock held. */
void ob_notifier_wait_idle_locked(ob_notifier *n, bits_job *job);

/* The log callback (NULL removes it) and the most verbose level it wants
 * (BITS_LOG_*); waits until a running call of the old one returned.
 * Queue lock held. */
void ob_notifier_set_log_cb_locked(ob_notifier *n, uint32_t level, bits_log_fn fn, void *data);

/* The most verbose level the log callback wants, 0 without one. Any
 * thread, no lock: to skip building lines nobody reads. */
uint32_t ob_notify_log_level(const ob_notifier *n);

/* Queues a log line (printf format) of @p level about @p job (may be
 * NULL), delivered in order with the events; dropped when no callback
 * wants that level, or when 10,000 lines already wait. Queue lock held. */
void ob_notify_log_locked(ob_notifier *n, uint32_t level, bits_job *job, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Queues an event for the job's callback and the manager callback,
 * filtered by the job's notify flags, and for the watch callback, not
 * filtered. JOB_MODIFICATION of progress and properties is coalesced and
 * spaced; @p file may be NULL. Nothing happens when no callback would
 * receive it. Queue lock held. */
void ob_notify_event_locked(ob_notifier *n, bits_job *job, uint32_t kind, bits_file *file);

/* Queues the event of a state change: JOB_TRANSFERRED, JOB_ERROR, or a
 * JOB_MODIFICATION that is never coalesced, so every state a job passes
 * through here is reported, in order. Queue lock held. */
void ob_notify_state_locked(ob_notifier *n, bits_job *job, uint32_t state);

/* Queues @p kind for the job's own callback only (a callback registered
 * after the job reached TRANSFERRED or ERROR; not for the watch). Queue
 * lock held. */
void ob_notify_replay_locked(ob_notifier *n, bits_job *job, uint32_t kind);

/* Fd mode: the timerfd, or -1 in thread mode. */
int ob_notifier_fd(const ob_notifier *n);

/* Fd mode: delivers every due event on the calling thread (the queue
 * lock is dropped around each callback), re-arms the timerfd for the
 * next one, and stores how many in *count (may be NULL). Returns
 * BITS_S_OK, or BITS_S_FALSE when another thread dispatches or the caller
 * is a callback of this notifier. Queue lock NOT held. */
bits_hresult ob_notifier_dispatch(ob_notifier *n, uint32_t *count);

/* Runs @p program (absolute; no shell, no PATH search) with @p parameters
 * split into words (ob_cmdline_split), or with argv = { program } when
 * parameters is NULL, and reaps it from a detached thread. No lock held. */
void ob_cmdline_run(const char *program, const char *parameters);

#endif
