/*
 * watcher.h - keeps a store-backed manager in step with the other
 * processes that opened the same store: every 100 ms it reloads what
 * they changed, and it takes over the engine when the process that ran it
 * went away.
 */
#ifndef OPENBITS_WATCHER_H
#define OPENBITS_WATCHER_H

#include "core.h"

/* Starts the watcher thread (caller holds the lock). */
bits_hresult watcher_start_locked(bits_core *core);

/* Stops and joins it (caller must NOT hold the lock). */
void watcher_stop(bits_core *core);

/* Starts the engine when a job waits for it and no process runs one. */
void watcher_ensure_engine_locked(bits_core *core);

#endif
