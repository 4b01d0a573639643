/*
 * batch.c - the engine's file rows, written together.
 *
 * A file's row changes when its transfer starts (the temporary name),
 * checkpoints its progress and ends. A commit per change was most of the
 * cost with many small files (bench M2); so the engine notes the file and
 * each noted row is written once per batch, however often it changed, in
 * one transaction: the engine's flush, or the next write of this process
 * (so a job's state is never stored ahead of its files).
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "util/strings.h"

void ob_store_note_file_locked(ob_store *s, bits_file *file)
{
    if (file->store_pending)
        return;
    if (s->npending == s->pending_cap) {
        uint32_t cap = s->pending_cap ? 2 * s->pending_cap : 64;
        bits_file **grown = realloc(s->pending, cap * sizeof *grown);
        if (!grown)
            return; /* the next checkpoint notes it again */
        s->pending = grown;
        s->pending_cap = cap;
    }
    ob_job_ref(file->job);
    file->store_pending = 1;
    s->pending[s->npending++] = file;
}

int ob_store_files_pending_locked(const ob_store *s)
{
    return s->npending != 0;
}

/* The columns of a file row, copied under the queue lock so the row is
 * written without it. */
typedef struct row_copy {
    bits_file f;
    bits_job *job;
} row_copy;

static void copy_free(row_copy *c)
{
    free(c->f.temp_name);
    free(c->f.etag);
    free(c->f.last_modified);
}

/* Copies the pending rows. They stay in the list until their transaction
 * commits (ob_batch_settle); a file that changes meanwhile is noted
 * again, so its newer row is written too. NULL when there is nothing, or
 * no memory (the rows are then written next time). */
static row_copy *copy_pending(ob_store *s, uint32_t *count)
{
    ob_queue_lock(s->queue);
    uint32_t n = s->npending;
    row_copy *copies = n ? calloc(n, sizeof *copies) : NULL;
    for (uint32_t i = 0; copies && i < n; i++) {
        bits_file *f = s->pending[i];
        row_copy *c = &copies[i];
        c->f = *f;
        c->f.temp_name = ob_strdup(f->temp_name);
        c->f.etag = ob_strdup(f->etag);
        c->f.last_modified = ob_strdup(f->last_modified);
        c->job = f->job;
        f->store_pending = 0;
    }
    s->inflight = copies ? n : 0;
    ob_queue_unlock(s->queue);
    *count = copies ? n : 0;
    return copies;
}

void ob_batch_settle(ob_store *s, int committed)
{
    if (!s->queue || !s->inflight)
        return;
    ob_queue_lock(s->queue);
    uint32_t n = s->inflight;
    s->inflight = 0;
    if (committed) {
        for (uint32_t i = 0; i < n; i++)
            ob_job_unref(s->pending[i]->job);
        memmove(s->pending, s->pending + n, (s->npending - n) * sizeof *s->pending);
        s->npending -= n;
    } else {
        for (uint32_t i = 0; i < n; i++)
            s->pending[i]->store_pending = 1; /* written again next time */
    }
    ob_queue_unlock(s->queue);
}

/* Remembers that job @p id has no row any more (once). */
static void note_ended(ob_store *s, const bits_guid *id)
{
    for (uint32_t i = 0; i < s->nended; i++) {
        if (memcmp(s->ended[i].bytes, id->bytes, 16) == 0)
            return;
    }
    if (s->nended == s->ended_cap) {
        uint32_t cap = s->ended_cap ? 2 * s->ended_cap : 8;
        bits_guid *grown = realloc(s->ended, cap * sizeof *grown);
        if (!grown)
            return; /* the sync tells the queue within 100 ms anyway */
        s->ended = grown;
        s->ended_cap = cap;
    }
    s->ended[s->nended++] = *id;
}

void ob_store_learn_ended(ob_store *s)
{
    for (uint32_t i = 0; i < s->nended; i++) {
        uint32_t state = BG_JOB_STATE_CANCELLED;
        sqlite3_stmt *st;
        if (ob_db_prepare(s, "SELECT state FROM tombstones WHERE id = ?", &st) == SQLITE_OK) {
            ob_db_bind_id(st, 1, &s->ended[i]);
            if (sqlite3_step(st) == SQLITE_ROW)
                state = (uint32_t)sqlite3_column_int64(st, 0);
            ob_db_finish(st);
        }
        if (!ob_state_is_final(state))
            state = BG_JOB_STATE_CANCELLED;
        ob_queue_adopt_final(s->queue, s->ended[i].bytes, state);
    }
    s->nended = 0;
}

static int touch_job_rev(ob_store *s, const bits_job *job, int64_t rev)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "UPDATE jobs SET rev = ? WHERE id = ?", &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, rev);
    ob_db_bind_id(st, 2, &job->id);
    return ob_db_run(st);
}

int ob_batch_write_pending(ob_store *s, int64_t rev)
{
    if (!s->queue)
        return SQLITE_OK;
    uint32_t n;
    row_copy *rows = copy_pending(s, &n);
    int rc = SQLITE_OK;
    const bits_job *touched = NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (rc == SQLITE_OK) {
            /* A row whose job another process ended meanwhile is gone:
             * the update changes nothing, and whoever hears of the end
             * deletes the temporary file. */
            rc = ob_codec_write_file_progress(s, &rows[i].f);
            if (rc == SQLITE_OK && sqlite3_changes(s->db) == 0)
                note_ended(s, &rows[i].job->id);
            if (rc == SQLITE_OK && rows[i].job != touched) {
                rc = touch_job_rev(s, rows[i].job, rev);
                touched = rows[i].job;
            }
        }
        copy_free(&rows[i]);
    }
    free(rows);
    return rc;
}

bits_hresult ob_store_flush_files(ob_store *s)
{
    ob_queue_lock(s->queue);
    int pending = s->npending != 0;
    ob_queue_unlock(s->queue);
    if (!pending)
        return BITS_S_OK;
    int64_t rev = 0;
    int rc = ob_db_begin_write(s, &rev); /* writes the pending rows */
    if (rc != SQLITE_OK)
        return ob_db_hr(rc); /* they stay pending */
    return ob_db_end_write(s, SQLITE_OK, rev);
}

void ob_batch_drop(ob_store *s)
{
    if (!s->queue)
        return;
    ob_queue_lock(s->queue);
    for (uint32_t i = 0; i < s->npending; i++) {
        s->pending[i]->store_pending = 0;
        ob_job_unref(s->pending[i]->job);
    }
    s->npending = s->inflight = 0;
    ob_queue_unlock(s->queue);
}
