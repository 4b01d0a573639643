/*
 * api.h - private to the api folder: the state of an open manager that
 * the public functions share, and the pieces they have in common.
 *
 * Layer: api (the top). It may call every layer below and wires them
 * together: at open it hands the store to the queue as its backend and
 * its own listener (events, engine, notify program, cleanup) to the
 * queue, so the lower layers report up only through those.
 */
#ifndef OB_API_API_H
#define OB_API_API_H

#include "openbits/experimental.h"

#include "engine/engine.h"
#include "events/events.h"
#include "fs/fs.h"
#include "model/model.h"
#include "store/store.h"

/* The upper layers' state of one manager: the queue's owner, freed with
 * the queue (job handles outlive the manager). */
typedef struct ob_runtime {
    ob_queue *q;                  /* back pointer, not a reference */
    ob_store *store;              /* NULL in memory, or once closed (change lock) */
    ob_notifier *notifier;
    ob_engine *engine;            /* running engine of this process (queue lock) */
    ob_sync *sync;
    char *store_dir;
    int serve;                    /* BITS_MANAGER_OPEN_SERVE: hold the engine */
    int loading;                  /* the first load of the store is running */
    ob_engine_env env;
} ob_runtime;

struct bits_manager {
    ob_queue *q;                  /* reference */
};

static inline ob_runtime *ob_runtime_of(const bits_job *job)
{
    return (ob_runtime *)job->queue->owner;
}

/* The listener the queue calls after every change (listener.c). */
extern const ob_listener_ops ob_api_listener;

/* Starts this process's engine when a job waits for one and none runs
 * (queue lock held); a no-op while another process runs the store's
 * transfers. */
void ob_api_ensure_engine_locked(ob_runtime *rt);

/* The end of a job that reached ACKNOWLEDGED or CANCELLED: its leftover
 * temporary files deleted, then its row replaced by a tombstone. Change
 * lock held, queue lock not. BITS_S_OK or BG_S_UNABLE_TO_DELETE_FILES. */
bits_hresult ob_api_finish_job(ob_runtime *rt, bits_job *job);

/* The final row of a job this process does not hold (a crash between a
 * job's end and its cleanup): the same cleanup, on the detached row. */
void ob_api_finish_row(void *rt, bits_job *row);

/* One change of @p job through the queue: @p ch is initialised by the
 * caller, freed here. Returns the call's code. */
bits_hresult ob_api_change(bits_job *job, ob_change *ch);

/* bits_manager_open; with @p start_threads 0 it only loads the store: no
 * sync thread and no engine until a call needs one (fuzz/ opens damaged
 * stores this way, so nothing they name is ever fetched). */
bits_hresult ob_manager_open(const char *store_dir, uint32_t flags, int start_threads,
                             bits_manager **out_manager);

/* Writes min(struct_size, sizeof) bytes of @p full into @p out (design
 * rule 5): @p out starts with its own struct_size. */
void ob_api_copy_snapshot(void *out, const void *full, size_t full_size);

#endif
