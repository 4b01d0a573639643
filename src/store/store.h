/*
 * store.h - durable jobs: one SQLite database (WAL) in the store
 * directory, shared by every process that opens the store.
 *
 * Layer: store (above model and fs). The store never changes memory on
 * its own: it decides changes against the stored rows for the queue (its
 * ob_backend_ops) and hands rows it reads to the queue (ob_queue_adopt).
 *
 * The protocol several processes keep:
 *   - A property write updates its own column(s) only, and only while the
 *     job's row exists and is not final.
 *   - A state change is one write transaction that reads the stored state,
 *     applies the state table to it and writes the result with the job's
 *     state_seq + 1; a change the table refuses from the stored state is
 *     not written. No process can write a state the table does not allow
 *     from the stored one, and no process's old view can move a job back.
 *   - A job that ends keeps its row, in its final state, until its files
 *     are dealt with; then the row is deleted and a tombstone written. A
 *     deleted row is never written again (updates, not upserts).
 *   - Every write takes the next store revision; the sync reads rows
 *     whose revision is newer than what it saw.
 * Locks: every function runs with the queue's change lock held and the
 * queue lock not held, unless it says otherwise.
 */
#ifndef OB_STORE_STORE_H
#define OB_STORE_STORE_H

#include "model/model.h"

typedef struct ob_store ob_store;

/* How long a call waits for another process's write transaction. */
#define OB_STORE_BUSY_TIMEOUT_MS 10000

/* Opens (creating) <dir>/openbits.db with mode 0600 and brings its schema
 * up to date. BITS_S_OK; BG_E_DATABASE_CORRUPT (the file is left as it
 * is); BITS_E_ACCESSDENIED; BITS_E_BUSY; BITS_E_FAIL. */
bits_hresult ob_store_open(const char *dir, ob_store **out);
/* Writes what is pending, removes this process's listener rows, closes. */
void ob_store_close(ob_store *s);

/* The queue's backend: ctx is the ob_store. */
extern const ob_backend_ops ob_store_backend;

/* A final row found by the load or the sync: the job ended but its files
 * were not dealt with (the process that ended it died, or is still at
 * it). Queue lock not held; the row is a detached job. */
typedef void (*ob_final_row_fn)(void *ctx, bits_job *row);

/* Loads the limits and every job into @p q; final rows go to @p on_final.
 * Also binds the store to @p q. */
bits_hresult ob_store_load(ob_store *s, ob_queue *q, ob_final_row_fn on_final, void *ctx);

/* Reads what other processes changed since the last look (jobs,
 * tombstones, limits) and hands it to the queue. Returns 1 when something
 * changed, 0 when not, < 0 on error. Final rows of jobs this queue does
 * not hold go to @p on_final. */
int ob_store_refresh(ob_store *s, ob_final_row_fn on_final, void *ctx);

/* Deletes the row of a job that ended (its files are dealt with) and
 * writes its tombstone. */
bits_hresult ob_store_forget(ob_store *s, const bits_guid *id, uint32_t final_state);

/* The engine's file rows (progress, temporary name, validators): noted
 * under the queue lock, written together by ob_store_flush_files() (at
 * most one transaction per batch, however often a row changed), or by
 * the next write transaction of this process, whichever comes first. */
void ob_store_note_file_locked(ob_store *s, bits_file *file);
int ob_store_files_pending_locked(const ob_store *s);
bits_hresult ob_store_flush_files(ob_store *s);

/* Hands the jobs whose rows the engine's file rows found gone (they ended
 * in another process) to the queue, with their tombstones' states, so
 * this process cleans up what its engine wrote for them since. */
void ob_store_learn_ended(ob_store *s);

/* A callback of this process for @p job (on) or none (off), so that the
 * process running the transfers can tell whether the job's owner listens
 * before it runs the notify program. */
bits_hresult ob_store_set_listener(ob_store *s, const bits_guid *id, int on);
/* 1 when a live process other than this one listens to job @p id. */
int ob_store_has_remote_listener(ob_store *s, const bits_guid *id);

/* The sync thread: every 100 ms, ob_store_refresh() under the change
 * lock, then @p tick (no lock held) for the upper layers' periodic work. */
typedef struct ob_sync ob_sync;
bits_hresult ob_sync_start(ob_store *s, ob_final_row_fn on_final, void (*tick)(void *ctx),
                           void *ctx, ob_sync **out);
/* Stops and joins it (no lock held). */
void ob_sync_stop(ob_sync *sync);

#endif
