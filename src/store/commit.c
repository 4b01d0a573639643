/*
 * commit.c - the store protocol's writes: a new job, a change decided
 * against the stored row, the end of a job, limits, listener rows.
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/failpoint.h"

/* What the transaction found of the job before deciding. */
typedef struct stored_job {
    int found;
    uint32_t state;
    uint64_t state_seq;
    uint32_t error_count;
    int resumed_once;
    uint32_t nfiles;             /* file rows */
    uint32_t pending;            /* of them not transferred */
} stored_job;

/* Reads the job's row; when it is gone, the tombstone's state (a row may
 * only be gone because the job ended) in st->state. */
static int read_stored(ob_store *s, const bits_guid *id, stored_job *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "SELECT state, state_seq, error_count, resumed_once FROM jobs"
                              " WHERE id = ?", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->found = 1;
        out->state = (uint32_t)sqlite3_column_int64(st, 0);
        out->state_seq = (uint64_t)sqlite3_column_int64(st, 1);
        out->error_count = (uint32_t)sqlite3_column_int64(st, 2);
        out->resumed_once = (int)sqlite3_column_int64(st, 3);
    }
    ob_db_finish(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
    if (!out->found) {
        out->state = BG_JOB_STATE_CANCELLED;
        rc = ob_db_prepare(s, "SELECT state FROM tombstones WHERE id = ?", &st);
        if (rc != SQLITE_OK)
            return rc;
        ob_db_bind_id(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            out->state = (uint32_t)sqlite3_column_int64(st, 0);
        ob_db_finish(st);
        if (!ob_state_is_final(out->state))
            out->state = BG_JOB_STATE_CANCELLED;
        return SQLITE_OK;
    }
    rc = ob_db_prepare(s, "SELECT count(*), total(transferred = 0) FROM files WHERE job_id = ?",
                       &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        out->nfiles = (uint32_t)sqlite3_column_int64(st, 0);
        out->pending = (uint32_t)sqlite3_column_double(st, 1);
        rc = SQLITE_OK;
    }
    ob_db_finish(st);
    return rc;
}

static uint32_t stored_conditions(const stored_job *sj)
{
    return (sj->nfiles ? OB_COND_HAS_FILES : 0u) | (sj->pending ? OB_COND_HAS_PENDING : 0u);
}

/* Teaches memory the files other processes added (and the stored flags
 * of the others), so new rows go after them and Complete sees what the
 * store says is transferred. */
static int learn_files(ob_store *s, bits_job *job)
{
    bits_job *row = ob_job_new(&job->id, job->type);
    if (!row)
        return SQLITE_NOMEM;
    int rc = ob_codec_read_files(s, &job->id, row);
    if (rc == SQLITE_OK) {
        ob_queue_lock(s->queue);
        ob_queue_learn_files_locked(s->queue, job, row);
        ob_queue_unlock(s->queue);
    }
    ob_job_unref(row);
    return rc;
}

/* The job's status columns after the change: the state columns only when
 * the state or the error count moves (a property write leaves them). */
static int write_status(ob_store *s, bits_job *job, const ob_change *ch, int64_t rev)
{
    sqlite3_stmt *st;
    int rc;
    if (ch->to == ch->from && !ch->counts_error && ch->event != OB_EV_RESUME) {
        rc = ob_db_prepare(s, "UPDATE jobs SET rev = ?2, modification_time = ?3 WHERE id = ?1",
                           &st);
        if (rc != SQLITE_OK)
            return rc;
        ob_db_bind_id(st, 1, &job->id);
        sqlite3_bind_int64(st, 2, rev);
        sqlite3_bind_int64(st, 3, ch->modification_time);
        return ob_db_run(st);
    }
    rc = ob_db_prepare(s, "UPDATE jobs SET state = ?2, state_seq = ?3, error_count = ?4,"
                              " resumed_once = max(resumed_once, ?5), rev = ?6,"
                              " modification_time = ?7,"
                              " transfer_completion_time = CASE WHEN ?8 THEN ?7"
                              " ELSE transfer_completion_time END WHERE id = ?1", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, &job->id);
    sqlite3_bind_int64(st, 2, ch->to);
    sqlite3_bind_int64(st, 3, (int64_t)ch->state_seq);
    sqlite3_bind_int64(st, 4, ch->error_count);
    sqlite3_bind_int64(st, 5, ch->event == OB_EV_RESUME);
    sqlite3_bind_int64(st, 6, rev);
    sqlite3_bind_int64(st, 7, ch->modification_time);
    sqlite3_bind_int64(st, 8, ch->to == BG_JOB_STATE_TRANSFERRED && ch->from != ch->to);
    return ob_db_run(st);
}

/* The files Complete moved, as the disk now has them. */
static int write_completed_files(ob_store *s, bits_job *job)
{
    uint32_t n = job->nfiles; /* appended under the change lock only */
    unsigned char *moved = calloc(n ? n : 1, 1);
    if (!moved)
        return SQLITE_NOMEM;
    ob_queue_lock(s->queue);
    for (uint32_t i = 0; i < n; i++)
        moved[i] = (unsigned char)job->files[i]->completed;
    ob_queue_unlock(s->queue);
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "UPDATE files SET completed = 1, temp_name = NULL"
                              " WHERE job_id = ? AND idx = ?", &st);
    for (uint32_t i = 0; rc == SQLITE_OK && i < n; i++) {
        if (!moved[i])
            continue;
        ob_db_bind_id(st, 1, &job->id);
        sqlite3_bind_int64(st, 2, i);
        rc = ob_db_run(st);
    }
    free(moved);
    return rc;
}

static int write_new_files(ob_store *s, bits_job *job, const ob_change *ch, uint32_t first)
{
    int rc = SQLITE_OK;
    for (uint32_t i = 0; rc == SQLITE_OK && i < ch->nadd; i++)
        rc = ob_codec_insert_file(s, &job->id, first + i, ch->add[i].remote_name,
                                  ch->add[i].local_name);
    return rc;
}

/* A caller may only point a file that is not transferred at a new
 * source; the engine records where a redirect led (ALLOW_REPORT, or the
 * refused target under DISALLOW) whenever it learns it. */
static int write_remote_name(ob_store *s, bits_job *job, const ob_change *ch, int *refused)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "UPDATE files SET remote_name = ?3 WHERE job_id = ?1 AND idx = ?2"
                              " AND (transferred = 0 OR ?4)", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, &job->id);
    sqlite3_bind_int64(st, 2, ch->file->index);
    ob_db_bind_text(st, 3, ch->file_remote_name);
    sqlite3_bind_int(st, 4, ch->origin != OB_ORIGIN_API);
    rc = ob_db_run(st);
    *refused = rc == SQLITE_OK && sqlite3_changes(s->db) == 0;
    return rc;
}

/* Writes every part of the change that was decided. */
static int write_change(ob_store *s, bits_job *job, ob_change *ch, const stored_job *sj,
                        int64_t rev, int *refused)
{
    int rc = write_status(s, job, ch, rev);
    for (int p = 0; rc == SQLITE_OK && p < OB_PROP_COUNT; p++) {
        if (ch->patch.mask & OB_PROP_BIT(p))
            rc = ob_codec_write_prop(s, &job->id, (ob_prop)p, &ch->patch.v, ch->patch.cred_target,
                                     ch->patch.cred_scheme);
    }
    if (rc == SQLITE_OK && (ch->error.set || ch->clear_error))
        rc = ob_codec_write_error(s, &job->id, &ch->error);
    if (rc == SQLITE_OK && ch->event == OB_EV_ADD_FILE)
        rc = write_new_files(s, job, ch, sj->nfiles);
    if (rc == SQLITE_OK && ch->file && ch->file_remote_name)
        rc = write_remote_name(s, job, ch, refused);
    return rc;
}

/* A decided change that was not stored after all (its I/O failed, the
 * write was refused or COMMIT failed): the change says the stored state
 * again, so a stale caller learns that and not the undone decision. */
static void forget_decision(ob_change *ch, const stored_job *sj)
{
    ch->to = sj->state;
    ch->state_seq = sj->state_seq;
}

static bits_hresult commit_change(void *ctx, bits_job *job, ob_change *ch)
{
    ob_store *s = ctx;
    if (ob_failpoint("store.commit.begin", job))
        return BITS_E_BUSY;
    int64_t rev = 0;
    int rc = ob_db_begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return ob_db_hr(rc);
    stored_job sj;
    rc = read_stored(s, &job->id, &sj);
    if (rc != SQLITE_OK)
        return ob_db_end_write(s, rc, rev);

    /* The decision is the state table's, from the STORED state. */
    ch->from = sj.state;
    ch->to = sj.state;
    ch->state_seq = sj.state_seq;
    ch->stale = sj.found && sj.state_seq != job->state_seq;
    if (!sj.found || ob_state_is_final(sj.state)) {
        ch->gone = 1;
        ch->state_seq = UINT64_MAX;
        ob_db_end_write(s, SQLITE_OK, rev); /* keeps the pending rows it wrote */
        return BG_E_INVALID_STATE;
    }
    if (ch->event == OB_EV_ADD_FILE || ch->event == OB_EV_COMPLETE || sj.nfiles != job->nfiles)
        rc = learn_files(s, job);
    bits_hresult refusal = BITS_S_OK;
    uint32_t limit = s->queue->limits[BITS_LIMIT_FILES_PER_JOB];
    if (ch->needs_not_resumed && sj.resumed_once)
        refusal = BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;
    else if (ch->event == OB_EV_ADD_FILE && limit &&
             (sj.nfiles >= limit || ch->nadd > limit - sj.nfiles))
        refusal = BG_E_TOO_MANY_FILES_IN_JOB;
    ob_state_result r = ob_state_next(sj.state, ch->event, stored_conditions(&sj));
    if (refusal >= 0)
        refusal = r.hr < 0 ? r.hr : BITS_S_OK;
    if (rc == SQLITE_OK && ob_failpoint("store.commit.decided", job))
        rc = SQLITE_BUSY;
    if (rc != SQLITE_OK || refusal < 0) {
        if (rc != SQLITE_OK)
            return ob_db_end_write(s, rc, rev);
        ob_db_end_write(s, SQLITE_OK, rev);
        return refusal;
    }
    ch->to = r.next;
    ch->counts_error = r.counts_error;
    ch->hr = r.hr;
    ch->state_seq = sj.state_seq + (r.next != sj.state);
    ch->error_count = sj.error_count + r.counts_error;
    ch->modification_time = ob_now_us();
    ch->rev = rev;

    /* I/O the change needs before it may be stored (Complete's moves): a
     * failure keeps the state, but what moved is recorded. */
    if (ch->within) {
        bits_hresult hr = ch->within(ch->ctx, job, ch);
        if (ch->event == OB_EV_COMPLETE)
            rc = write_completed_files(s, job);
        if (hr < 0) {
            bits_hresult end = ob_db_end_write(s, rc, rev);
            forget_decision(ch, &sj);
            return end < 0 ? end : hr;
        }
        if (hr != BITS_S_OK)
            ch->hr = hr;
    }
    int refused = 0;
    if (rc == SQLITE_OK)
        rc = write_change(s, job, ch, &sj, rev, &refused);
    if (rc == SQLITE_OK && refused) {
        ob_db_end_write(s, SQLITE_ABORT, rev); /* rolls back */
        forget_decision(ch, &sj);
        return BG_E_INVALID_STATE; /* the file finished meanwhile */
    }
    bits_hresult end = ob_db_end_write(s, rc, rev);
    if (end < 0)
        forget_decision(ch, &sj);
    return end;
}

static bits_hresult create_job(void *ctx, bits_job *job, uint32_t max_jobs)
{
    ob_store *s = ctx;
    int64_t rev = 0;
    int rc = ob_db_begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return ob_db_hr(rc);
    sqlite3_stmt *st;
    int64_t unfinished = 0;
    rc = ob_db_prepare(s, "SELECT count(*) FROM jobs WHERE state NOT IN (7, 8)", &st);
    if (rc == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            unfinished = sqlite3_column_int64(st, 0);
        ob_db_finish(st);
    }
    if (rc == SQLITE_OK && max_jobs && unfinished >= max_jobs) {
        ob_db_end_write(s, SQLITE_OK, rev);
        return BG_E_TOO_MANY_JOBS_PER_USER;
    }
    /* Creation order across processes: after every stored job. */
    if (rc == SQLITE_OK)
        rc = ob_db_prepare(s, "SELECT coalesce(max(seq), 0) FROM jobs", &st);
    if (rc == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            uint64_t max_seq = (uint64_t)sqlite3_column_int64(st, 0);
            if (job->store_seq <= max_seq)
                job->store_seq = max_seq + 1;
        }
        ob_db_finish(st);
    }
    job->rev = rev;
    if (rc == SQLITE_OK)
        rc = ob_codec_insert_job(s, job, rev);
    return ob_db_end_write(s, rc, rev);
}

static bits_hresult save_limit(void *ctx, uint32_t which, uint32_t value)
{
    ob_store *s = ctx;
    if (ob_failpoint("store.commit.begin", NULL))
        return BITS_E_BUSY;
    int64_t rev = 0;
    int rc = ob_db_begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return ob_db_hr(rc);
    sqlite3_stmt *st;
    rc = ob_db_prepare(s, "INSERT OR REPLACE INTO limits VALUES(?,?)", &st);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, which);
        sqlite3_bind_int64(st, 2, value);
        rc = ob_db_run(st);
    }
    return ob_db_end_write(s, rc, rev);
}

const ob_backend_ops ob_store_backend = {
    .create = create_job,
    .commit = commit_change,
    .save_limit = save_limit,
};

bits_hresult ob_store_forget(ob_store *s, const bits_guid *id, uint32_t final_state)
{
    int64_t rev = 0;
    int rc = ob_db_begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return ob_db_hr(rc);
    sqlite3_stmt *st;
    rc = ob_db_prepare(s, "DELETE FROM jobs WHERE id = ?", &st);
    if (rc == SQLITE_OK) {
        ob_db_bind_id(st, 1, id);
        rc = ob_db_run(st);
    }
    if (rc == SQLITE_OK)
        rc = ob_db_prepare(s, "INSERT OR REPLACE INTO tombstones VALUES(?,?,?)", &st);
    if (rc == SQLITE_OK) {
        ob_db_bind_id(st, 1, id);
        sqlite3_bind_int64(st, 2, rev);
        sqlite3_bind_int64(st, 3, final_state);
        rc = ob_db_run(st);
    }
    if (rc == SQLITE_OK)
        rc = ob_db_prepare(s, "DELETE FROM listeners WHERE job_id = ?", &st);
    if (rc == SQLITE_OK) {
        ob_db_bind_id(st, 1, id);
        rc = ob_db_run(st);
    }
    return ob_db_end_write(s, rc, rev);
}

/* ---- listeners ---------------------------------------------------------------------- */

bits_hresult ob_store_set_listener(ob_store *s, const bits_guid *id, int on)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, on ? "INSERT OR REPLACE INTO listeners VALUES(?1, ?2, ?3)"
                                 : "DELETE FROM listeners WHERE job_id = ?1 AND pid = ?2",
                           &st);
    if (rc != SQLITE_OK)
        return ob_db_hr(rc);
    ob_db_bind_id(st, 1, id);
    sqlite3_bind_int64(st, 2, getpid());
    if (on)
        sqlite3_bind_int64(st, 3, s->start_time);
    return ob_db_hr(ob_db_run(st));
}

int ob_store_has_remote_listener(ob_store *s, const bits_guid *id)
{
    sqlite3_stmt *st;
    if (ob_db_prepare(s, "SELECT pid, start FROM listeners WHERE job_id = ? AND pid != ?", &st) !=
        SQLITE_OK)
        return 0;
    ob_db_bind_id(st, 1, id);
    sqlite3_bind_int64(st, 2, getpid());
    int live = 0;
    while (!live && sqlite3_step(st) == SQLITE_ROW) {
        int pid = (int)sqlite3_column_int64(st, 0);
        int64_t start = sqlite3_column_int64(st, 1);
        /* A row of a process that died is stale: the same pid with another
         * start time is another process. */
        live = start >= 0 && ob_process_start_time(pid) == start;
    }
    ob_db_finish(st);
    return live;
}
