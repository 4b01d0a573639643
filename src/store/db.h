/*
 * db.h - private to the store folder: the connection, its statement
 * cache, and the write transaction every store write runs in.
 */
#ifndef OB_STORE_DB_H
#define OB_STORE_DB_H

#include <sqlite3.h>

#include "store/store.h"

#define OB_STMT_CACHE 64 /* more than the distinct statements of the store */

struct ob_store {
    sqlite3 *db;
    char *path;
    ob_queue *queue;              /* the manager's queue (not a reference: it owns us) */
    int64_t seen_rev;             /* the newest revision this process has read */
    /* File rows the engine changed, written together (see batch.c); each
     * entry holds a reference to its job. Guarded by the queue lock. */
    bits_file **pending;
    uint32_t npending, pending_cap;
    uint32_t inflight;            /* the first ones, written by the open transaction */
    /* Jobs whose row a file row's write found gone: they ended elsewhere
     * (see ob_store_learn_ended). Guarded by the change lock. */
    bits_guid *ended;
    uint32_t nended, ended_cap;
    int64_t start_time;           /* this process's start, for listener rows */
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[OB_STMT_CACHE];
};

/* The code of a SQLite result: corrupt/not a database ->
 * BG_E_DATABASE_CORRUPT, busy/locked -> BITS_E_BUSY, permissions ->
 * BITS_E_ACCESSDENIED, full -> BITS_E_DISK_FULL, else BITS_E_FAIL. */
bits_hresult ob_db_hr(int rc);

/* A ready statement for @p sql, whose text must stay at that address
 * (a literal, or a string built once): cached, reset, unbound. */
int ob_db_prepare(ob_store *s, const char *sql, sqlite3_stmt **out);
/* Makes a statement from ob_db_prepare() ready for its next use. */
void ob_db_finish(sqlite3_stmt *st);
/* Steps a statement that returns no row, then finishes it. */
int ob_db_run(sqlite3_stmt *st);
int ob_db_exec(ob_store *s, const char *sql);
void ob_db_bind_text(sqlite3_stmt *st, int i, const char *v);
void ob_db_bind_id(sqlite3_stmt *st, int i, const bits_guid *id);
char *ob_db_column_text(sqlite3_stmt *st, int i);

/* Starts a write transaction (waiting for other processes' writes up to
 * the busy timeout), takes the next revision number into *rev and writes
 * the engine's pending file rows first, so they are never older than
 * what this transaction writes. */
int ob_db_begin_write(ob_store *s, int64_t *rev);
/* Commits when @p rc is SQLITE_OK, else rolls back. */
bits_hresult ob_db_end_write(ob_store *s, int rc, int64_t rev);

/* Writes the pending file rows with revision @p rev (inside a write
 * transaction); ob_batch_settle() takes them off the list once that
 * transaction committed (or leaves them for the next one). */
int ob_batch_write_pending(ob_store *s, int64_t rev);
void ob_batch_settle(ob_store *s, int committed);
/* Forgets the pending rows (closing). */
void ob_batch_drop(ob_store *s);

/* The start time of process @p pid (clock ticks since boot), or -1. */
int64_t ob_process_start_time(int pid);

/* Schema: checks a database without writing (refuses one from a newer
 * openbits, one not made by us, a damaged one) and brings it up to date. */
bits_hresult ob_schema_check(ob_store *s);
bits_hresult ob_schema_migrate(ob_store *s);

/* Row codecs (codec.c). The SELECT of job rows (columns by name); read
 * one row of it into a new detached job (NULL when malformed or out of
 * memory), with its files and credentials. */
const char *ob_codec_job_select(void);
bits_job *ob_codec_read_job(ob_store *s, sqlite3_stmt *st);
/* Inserts the whole row of a new job. */
int ob_codec_insert_job(ob_store *s, bits_job *job, int64_t rev);
/* Writes property @p prop of @p props to the job's row. */
int ob_codec_write_prop(ob_store *s, const bits_guid *id, ob_prop prop, const ob_job_props *props,
                        int cred_target, int cred_scheme);
/* Reads the file rows of job @p id into the detached job @p into. */
int ob_codec_read_files(ob_store *s, const bits_guid *id, bits_job *into);
/* Inserts the row of file @p f (at index @p idx) of job @p id. */
int ob_codec_insert_file(ob_store *s, const bits_guid *id, uint32_t idx, const char *remote,
                         const char *local);
/* Writes the progress columns of a file row (by key), unless its job
 * ended (then sqlite3_changes() is 0). */
int ob_codec_write_file_progress(ob_store *s, const bits_file *f);
/* Writes the job's error columns. */
int ob_codec_write_error(ob_store *s, const bits_guid *id, const ob_job_error *err);

#endif
