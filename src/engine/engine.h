/*
 * engine.h - the transfer engine: one thread per manager running a libcurl
 * multi handle, the scheduler, retry and timeout timers and bandwidth
 * limits. Public calls never wait for the network: they change a job
 * through the queue and wake the engine, which reconciles.
 *
 * Layer: engine (above model, fs, store, events). Of the processes that
 * opened a store, only the one holding <store>/engine.lock runs an engine
 * (and sets the queue's owns_engine); the engine changes jobs only
 * through ob_queue_change(), never behind the queue's back.
 */
#ifndef OB_ENGINE_ENGINE_H
#define OB_ENGINE_ENGINE_H

#include "events/events.h"
#include "model/model.h"
#include "store/store.h"

typedef struct ob_engine ob_engine;

/* What an engine works with; all outlive it. */
typedef struct ob_engine_env {
    ob_queue *queue;
    ob_store *store;              /* NULL for an in-memory manager */
    ob_notifier *notifier;
    const char *store_dir;        /* for engine.lock; NULL in memory */
} ob_engine_env;

/* Starts an engine into *slot unless one runs there, when this process
 * can take the store's engine lock (else another process runs the store's
 * transfers: BITS_S_OK, *slot stays NULL). Queue lock held. BITS_S_OK,
 * BITS_E_OUTOFMEMORY or BITS_E_FAIL. */
bits_hresult ob_engine_start_locked(ob_engine **slot, const ob_engine_env *env);

/* Makes the engine look at the jobs again soon. Any lock or none; does
 * nothing for NULL. */
void ob_engine_wake(ob_engine *e);

/* Stops the engine: running transfers stop (bytes kept), the thread is
 * joined, the engine lock released. Queue lock NOT held. */
void ob_engine_stop(ob_engine *e);

#endif
