/*
 * store.h - durable jobs: one SQLite database (WAL) in the store
 * directory, shared by every process that opens the store.
 *
 * Every change of a job is written before the public call returns (a
 * transaction per change; WAL with synchronous=NORMAL: durable when the
 * process dies, the last changes may be lost on power failure). Rows carry
 * a revision number from a store-wide counter, so other processes reload
 * only what changed. Every function expects core->lock to be held.
 */
#ifndef OPENBITS_STORE_H
#define OPENBITS_STORE_H

#include "core.h"

typedef struct store store;

/* Opens (creating) <dir>/openbits.db with mode 0600 and brings its schema
 * up to date. BITS_S_OK; BG_E_DATABASE_CORRUPT (the file is left as it
 * is); BITS_E_ACCESSDENIED; BITS_E_FAIL. */
bits_hresult store_open(const char *dir, store **out);
void store_close(store *s);

/* Loads the limits and every job into @p core (jobs get one queue
 * reference each). Jobs that a crash left in a final state have their
 * temporary files deleted and their rows removed. */
bits_hresult store_load_locked(store *s, bits_core *core);

/* Writes the job row, its credentials and the files from index
 * job->files_saved on (the caller updates files_saved). */
bits_hresult store_save_job_locked(store *s, bits_job *job);

/* Writes one file row (progress, temp name, validators). */
bits_hresult store_save_file_locked(store *s, bits_file *file);

/* Group commit for the engine: between these two calls
 * store_save_file_locked() only notes the file; store_batch_end_locked()
 * writes each noted row once, in one transaction, and returns the
 * commit's result. Any other write (a job's state, a deletion) and a
 * refresh write the noted rows first, with it, so a state is still
 * durable before anyone hears of it and nothing older is read back. A
 * failed commit loses the noted rows: the progress is written again at
 * the next checkpoint, or the file is fetched again after a crash. */
void store_batch_begin_locked(store *s);
bits_hresult store_batch_end_locked(store *s);
/* Whether the batch holds rows not committed yet. */
int store_batch_pending_locked(const store *s);

/* Removes a job that reached ACKNOWLEDGED or CANCELLED. */
bits_hresult store_delete_job_locked(store *s, bits_job *job);

/* Writes the store's limits. */
bits_hresult store_save_limits_locked(store *s, const uint32_t *limits, uint32_t count);

/* Reloads what other processes changed since the last look: updated and
 * new jobs, removed jobs, limits. Returns 1 when something changed, 0 when
 * not, < 0 on error. */
int store_refresh_locked(store *s, bits_core *core);

#endif
