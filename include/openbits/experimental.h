/**
 * @file openbits/experimental.h
 * @brief what openbits offers beyond BITS, not yet
 * promoted to the stable API.
 *
 * @experimental
 *
 * Everything here may change or go in a later release, without a change
 * of the library's major version: include this header only when you
 * accept that. Its functions are exported under the version node
 * OPENBITS_EXPERIMENTAL, never a release's.
 *
 * @threadsafety as the functions they extend.
 */
#ifndef OPENBITS_EXPERIMENTAL_H
#define OPENBITS_EXPERIMENTAL_H

#include <openbits/manager.h>

BITS_BEGIN_DECLS

/**
 * bits_manager_open flag: this manager serves the store, as openbitsd
 * does. Of the processes that opened a store, one runs its transfers (the
 * holder of the lock on `<store>/engine.lock`). Without this flag a manager
 * takes that role only while some job of the store waits for a transfer
 * and no other process has it; with it, the manager takes the role at
 * open, or as soon as the process holding it goes away (it looks every
 * 100 ms), and keeps it until it is closed, with or without jobs. A
 * program that only queues jobs (the command line, an application) then
 * never runs transfers itself while a serving process is up, so jobs do
 * not stop and restart as short-lived programs come and go.
 *
 * Not with BITS_MANAGER_OPEN_IN_MEMORY (BITS_E_INVALIDARG): an in-memory
 * manager always runs its own transfers.
 * @experimental
 */
#define BITS_MANAGER_OPEN_SERVE 0x0002u

/* ---- Events in your own event loop ----------------------------------- */

/**
 * bits_manager_open flag: the manager's event callbacks run in your
 * thread, when you call bits_manager_dispatch(), instead of on a
 * notification thread of the library. bits_manager_get_event_fd() gives
 * a descriptor that becomes readable when an event is due: add it to your
 * poll(), epoll, libuv or asyncio loop and dispatch when it is readable.
 * Everything else of the callback contract (openbits/event.h) holds:
 * filtering by notify flags, order, coalescing and spacing of
 * JOB_MODIFICATION, late registration, and removal waiting for a running
 * call (one running in bits_manager_dispatch() on another thread).
 * With a store or in memory.
 * @experimental
 */
#define BITS_MANAGER_OPEN_EVENT_FD 0x0004u

/**
 * The descriptor of a manager opened with BITS_MANAGER_OPEN_EVENT_FD: it
 * is readable while an event is due (a timerfd on CLOCK_MONOTONIC, armed
 * for the earliest queued event, so spaced JOB_MODIFICATION events need
 * no thread). Do not read, write or close it: bits_manager_dispatch()
 * resets it, bits_manager_close() closes it. Non-blocking, close-on-exec.
 *
 * @param out_fd receives the descriptor, valid until the manager closes.
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL argument);
 *         BG_E_INVALID_STATE (the manager was not opened with
 *         BITS_MANAGER_OPEN_EVENT_FD).
 * @threadsafety any thread.
 * @experimental
 */
BITS_API bits_hresult bits_manager_get_event_fd(bits_manager *manager, int32_t *out_fd);

/**
 * Runs, on the calling thread, the callbacks of every event of the
 * manager that is due now, in order, and re-arms the descriptor for the
 * next one. No library lock is held while a callback runs; a callback may
 * call any openbits function, bits_manager_dispatch() excepted (it then
 * returns BITS_S_FALSE at once). One thread dispatches at a time: a call
 * while another thread dispatches returns BITS_S_FALSE and runs nothing.
 *
 * @param out_count receives how many events were delivered (may be NULL).
 * @return BITS_S_OK; BITS_S_FALSE (another dispatch runs, or called from
 *         a callback); BITS_E_INVALIDARG (NULL manager);
 *         BG_E_INVALID_STATE (not opened with BITS_MANAGER_OPEN_EVENT_FD).
 * @threadsafety any thread; see above for concurrent calls.
 * @experimental
 */
BITS_API bits_hresult bits_manager_dispatch(bits_manager *manager, uint32_t *out_count);

/* ---- Every event, whatever the notify flags ---------------------------- */

/**
 * Registers the manager's watch callback; NULL @p fn removes it. It
 * receives every event of every job of the manager as the event
 * callbacks would if each job's notify flags were JOB_TRANSFERRED |
 * JOB_ERROR | JOB_MODIFICATION | FILE_TRANSFERRED, whatever they are
 * (BG_NOTIFY_DISABLE included): every state change (JOB_TRANSFERRED,
 * JOB_ERROR, or a JOB_MODIFICATION with the new state), wherever it was
 * made (this process, another one on the same store, the engine), each
 * file transferred, and progress and property changes (JOB_MODIFICATION,
 * coalesced and spaced by the job's minimum notification interval).
 *
 * It is the application watching its jobs, not a BITS notification: the
 * notify flags still decide what the event callbacks get, and a watch
 * does not count as a listener, so the job's notify program runs as it
 * would without it. It has no replay for a job that already reached
 * TRANSFERRED or ERROR: read the state after registering. Everything
 * else of the callback contract (openbits/event.h) holds: it runs where
 * the event callbacks run (the notification thread, or
 * bits_manager_dispatch() in fd mode), one call at a time, in order with
 * the events and after the callbacks of the same event; replacing or
 * removing it waits until a running call of the old one has returned
 * (unless done from inside it), and bits_manager_close waits the same
 * way. Language bindings use it for waits and event streams that must
 * not depend on the flags an application chose.
 *
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL manager);
 *         BG_E_INVALID_STATE (closed, when registering); BITS_E_FAIL (the
 *         notification thread could not start).
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_set_watch_callback(bits_manager *manager, bits_event_fn fn,
                                                      void *user_data);

/* ---- A log of what the library does ------------------------------------ */

/** Log levels, from the least to the most verbose. */
#define BITS_LOG_ERROR 1u   /**< a job failed (ERROR) */
#define BITS_LOG_WARNING 2u /**< a transient failure, a retry, lines dropped */
#define BITS_LOG_INFO 3u    /**< every state change and why; restarts of a file */
#define BITS_LOG_DEBUG 4u   /**< the HTTP requests and responses: request and
                                 status lines and headers (credentials and
                                 cookies redacted), never bodies */

/**
 * The log callback. @p job is the job the line is about (borrowed, may be
 * NULL); @p message is one line of UTF-8 without a newline, borrowed for
 * the call. Runs where the manager's event callbacks run (its
 * notification thread, or bits_manager_dispatch() in fd mode), in order
 * with the events, never with a library lock held.
 */
typedef void (*bits_log_fn)(uint32_t level, bits_job *job, const char *message,
                            void *user_data);

/**
 * Sends the manager's log lines up to @p max_level (BITS_LOG_*) to @p fn;
 * NULL removes it. Replacing or removing waits until a running call of
 * the old callback has returned (unless done from inside it), so its
 * user_data may then go. A callback slower than the lines come loses the
 * excess (at most 10,000 wait) and is told how many with a WARNING line.
 * The lines are for people (a trace like curl -v): their wording may
 * change between releases.
 *
 * @return BITS_S_OK; BITS_E_INVALIDARG (NULL manager, or @p max_level
 *         not 1..4 with a callback); BG_E_INVALID_STATE (closed, when
 *         registering); BITS_E_FAIL (the notification thread could not
 *         start).
 * @threadsafety any thread.
 */
BITS_API bits_hresult bits_manager_set_log_callback(bits_manager *manager, uint32_t max_level,
                                                    bits_log_fn fn, void *user_data);

BITS_END_DECLS

#endif /* OPENBITS_EXPERIMENTAL_H */
