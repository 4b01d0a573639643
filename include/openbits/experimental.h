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

BITS_END_DECLS

#endif /* OPENBITS_EXPERIMENTAL_H */
