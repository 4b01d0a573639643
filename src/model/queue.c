/*
 * queue.c - the job table, its locks, and the one path of change.
 *
 * Every change of a job, wherever it comes from, goes through
 * ob_queue_change() (a public call, an engine event) or ob_queue_adopt*()
 * (another process's change seen in the store). Both end in the same
 * apply_locked() and announce(): memory changes only after the store
 * committed, and the listener hears of a change only after memory has it.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/failpoint.h"

ob_queue *ob_queue_new(void)
{
    ob_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    atomic_init(&q->refs, 1);
    if (pthread_mutex_init(&q->lock, NULL) != 0) {
        free(q);
        return NULL;
    }
    if (pthread_mutex_init(&q->change_lock, NULL) != 0) {
        pthread_mutex_destroy(&q->lock);
        free(q);
        return NULL;
    }
    q->owner_uid = getuid();
    /* BITS defaults, with the per-store job limit of design 3.2. */
    q->limits[BITS_LIMIT_JOBS] = 300;
    q->limits[BITS_LIMIT_FILES_PER_JOB] = 200;
    q->limits[BITS_LIMIT_RANGES_PER_FILE] = 500;
    q->limits[BITS_LIMIT_TIME_SLICE_MS] = 60000;
    q->limits[BITS_LIMIT_STALL_TIMEOUT] = 60;
    return q;
}

void ob_queue_ref(ob_queue *q)
{
    atomic_fetch_add(&q->refs, 1);
}

void ob_queue_unref(ob_queue *q)
{
    if (!q || atomic_fetch_sub(&q->refs, 1) != 1)
        return;
    /* Last reference: closed, and no job handle is left. */
    if (q->owner_free)
        q->owner_free(q->owner);
    free(q->jobs);
    pthread_mutex_destroy(&q->change_lock);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

void ob_queue_lock(ob_queue *q)
{
    pthread_mutex_lock(&q->lock);
}

void ob_queue_unlock(ob_queue *q)
{
    pthread_mutex_unlock(&q->lock);
}

void ob_queue_change_lock(ob_queue *q)
{
    pthread_mutex_lock(&q->change_lock);
}

void ob_queue_change_unlock(ob_queue *q)
{
    pthread_mutex_unlock(&q->change_lock);
}

/* ---- the table ---------------------------------------------------------------- */

bits_job *ob_queue_find_locked(ob_queue *q, const uint8_t id[16])
{
    for (uint32_t i = 0; i < q->njobs; i++) {
        if (memcmp(q->jobs[i]->id.bytes, id, 16) == 0)
            return q->jobs[i];
    }
    return NULL;
}

/* Puts @p job in the table: the table takes the caller's reference, and
 * the job takes one on the queue. */
static bits_hresult insert_locked(ob_queue *q, bits_job *job)
{
    if (q->njobs == q->cap_jobs) {
        uint32_t cap = q->cap_jobs ? q->cap_jobs * 2 : 16;
        bits_job **jobs = realloc(q->jobs, cap * sizeof *jobs);
        if (!jobs)
            return BITS_E_OUTOFMEMORY;
        q->jobs = jobs;
        q->cap_jobs = cap;
    }
    if (!job->queue) {
        ob_queue_ref(q);
        job->queue = q;
    }
    q->jobs[q->njobs++] = job;
    if (job->store_seq > q->queue_seq)
        q->queue_seq = job->store_seq;
    return BITS_S_OK;
}

/* Takes @p job out of the table and drops the table's reference; the
 * caller holds its own. */
static void remove_locked(ob_queue *q, bits_job *job)
{
    for (uint32_t i = 0; i < q->njobs; i++) {
        if (q->jobs[i] != job)
            continue;
        memmove(&q->jobs[i], &q->jobs[i + 1], (q->njobs - i - 1) * sizeof *q->jobs);
        q->njobs--;
        ob_job_unref(job);
        return;
    }
}

bits_hresult ob_queue_snapshot_locked(ob_queue *q, int all_users, bits_job ***out_jobs,
                                      uint32_t *out_count)
{
    bits_job **jobs = malloc((q->njobs ? q->njobs : 1) * sizeof *jobs);
    if (!jobs)
        return BITS_E_OUTOFMEMORY;
    uint32_t n = 0;
    uid_t me = geteuid();
    for (uint32_t i = 0; i < q->njobs; i++) {
        bits_job *job = q->jobs[i];
        if (!all_users && job->owner_uid != me)
            continue;
        ob_job_ref(job);
        jobs[n++] = job;
    }
    *out_jobs = jobs;
    *out_count = n;
    return BITS_S_OK;
}

void ob_queue_mark_closed(ob_queue *q)
{
    ob_queue_lock(q);
    q->closed = 1;
    ob_queue_unlock(q);
}

bits_job **ob_queue_take_all(ob_queue *q, uint32_t *out_count)
{
    ob_queue_lock(q);
    bits_job **jobs = q->jobs;
    *out_count = q->njobs;
    q->jobs = NULL;
    q->njobs = q->cap_jobs = 0;
    ob_queue_unlock(q);
    return jobs;
}

/* ---- changes -------------------------------------------------------------------- */

void ob_change_init(ob_change *ch, ob_state_event event, ob_origin origin)
{
    memset(ch, 0, sizeof *ch);
    ch->event = event;
    ch->origin = origin;
    ch->error.file_index = -1;
}

void ob_change_free(ob_change *ch)
{
    ob_patch_free(&ch->patch);
    ob_job_error_clear(&ch->error);
    free(ch->file_remote_name);
    ch->file_remote_name = NULL;
}

/* Decides @p ch from memory alone (an in-memory manager, or the checks a
 * stored job must pass before its row is even read). */
static bits_hresult decide_locked(ob_queue *q, bits_job *job, ob_change *ch)
{
    uint32_t state = atomic_load(&job->state);
    if (q->closed || ob_state_is_final(state))
        return BG_E_INVALID_STATE;
    if (ch->needs_not_resumed && job->resumed_once)
        return BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;
    if (ch->file && ch->file->transferred && ch->origin == OB_ORIGIN_API)
        return BG_E_INVALID_STATE; /* nothing left to fetch from a new source */
    if (ch->event == OB_EV_ADD_FILE) {
        uint32_t limit = q->limits[BITS_LIMIT_FILES_PER_JOB];
        if (limit && (job->nfiles >= limit || ch->nadd > limit - job->nfiles))
            return BG_E_TOO_MANY_FILES_IN_JOB;
    }
    ob_state_result r = ob_state_next(state, ch->event, ob_job_conditions(job));
    ch->from = state;
    ch->to = r.next;
    ch->counts_error = r.counts_error;
    ch->hr = r.hr;
    ch->state_seq = job->state_seq + (r.next != state);
    ch->error_count = job->error_count + r.counts_error;
    ch->rev = job->rev;
    ch->modification_time = ob_now_us();
    return r.hr;
}

/* Leaves the table when @p to is final. */
static void leave_if_final_locked(ob_queue *q, bits_job *job, uint32_t to)
{
    if (ob_state_is_final(to))
        remove_locked(q, job);
}

/* Applies a committed (or learned) change to memory. The state only moves
 * forward: a change whose state_seq is not newer than the job's leaves
 * the state alone. Returns 1 when the state changed. */
static int apply_locked(ob_queue *q, bits_job *job, ob_change *ch)
{
    int moved = 0;
    uint32_t old = atomic_load(&job->state);
    if (ch->state_seq > job->state_seq && ch->to != old && !ob_state_is_final(old)) {
        if (ch->error.set) {
            ob_job_error_clear(&job->error);
            job->error = ch->error;
            memset(&ch->error, 0, sizeof ch->error);
            ch->error.file_index = -1;
        }
        if (ch->to == BG_JOB_STATE_TRANSFERRED)
            job->transfer_completion_time = ch->modification_time;
        ob_sched_note_transition(job, old, ch->to);
        atomic_store_explicit(&job->state, ch->to, memory_order_release);
        ch->from = old;
        moved = 1;
    }
    if (ch->state_seq > job->state_seq)
        job->state_seq = ch->state_seq;
    if (ch->clear_error)
        ob_job_error_clear(&job->error);
    if (ch->error_count > job->error_count)
        job->error_count = ch->error_count;
    if (ch->event == OB_EV_RESUME && ch->hr >= 0) {
        /* Resume restarts the MaximumDownloadTime count (spec 2.5) and the
         * no-progress window of an error it retries. */
        job->resumed_once = 1;
        job->sched.active_total = 0;
        if (ch->from == BG_JOB_STATE_TRANSIENT_ERROR || ch->from == BG_JOB_STATE_ERROR)
            job->sched.first_transient = 0;
    }
    if (ch->rev > job->rev)
        job->rev = ch->rev;
    if (ch->modification_time > job->modification_time)
        job->modification_time = ch->modification_time;
    if (ch->patch.mask)
        ob_props_apply(&job->props, &ch->patch);
    if (ch->file && ch->file_remote_name) {
        char *old_name = ch->file->remote_name;
        ch->file->remote_name = ch->file_remote_name;
        ch->file_remote_name = old_name;
    }
    if (ch->event == OB_EV_ADD_FILE && ch->nadd) {
        /* The store appended after every file it holds; the commit taught
         * this memory the ones other processes added. */
        if (ob_job_append_files(job, ch->nadd, ch->add) < 0)
            ch->hr = BITS_E_OUTOFMEMORY; /* stored; the next sync brings them */
    }
    leave_if_final_locked(q, job, atomic_load(&job->state));
    ch->moved = moved;
    return moved;
}

/* The listener's two halves around the queue lock. */
static void announce_locked(ob_queue *q, bits_job *job, const ob_change *ch)
{
    if (q->listener && q->listener->applied_locked)
        q->listener->applied_locked(q->listener_ctx, job, ch);
}

static void announce(ob_queue *q, bits_job *job, ob_change *ch)
{
    if (q->listener && q->listener->applied)
        q->listener->applied(q->listener_ctx, job, ch);
}

/* Takes a state the store holds (the commit found its row moved on). */
static int learn_state_locked(ob_queue *q, bits_job *job, uint32_t state, uint64_t state_seq,
                              ob_change *learned)
{
    ob_change_init(learned, OB_EV_NONE, OB_ORIGIN_SYNC);
    learned->to = state;
    learned->state_seq = state_seq;
    learned->modification_time = ob_now_us();
    return apply_locked(q, job, learned);
}

bits_hresult ob_queue_change(ob_queue *q, bits_job *job, ob_change *ch)
{
    ob_job_ref(job);
    ob_queue_change_lock(q);
    ob_queue_lock(q);
    bits_hresult hr = decide_locked(q, job, ch);
    /* With a store, a refusal by the table is only final when the store
     * agrees: memory may be behind another process. */
    int ask_store = q->backend && !q->closed && !ob_state_is_final(atomic_load(&job->state)) &&
                    (hr >= 0 || hr == ch->hr);
    ob_queue_unlock(q);
    if (ask_store) {
        hr = q->backend->commit(q->backend_ctx, job, ch);
    } else if (hr >= 0 && ch->within) {
        /* In memory: the change's own I/O decides alone. */
        bits_hresult within = ch->within(ch->ctx, job, ch);
        if (within < 0)
            hr = within;
        else if (within != BITS_S_OK)
            ch->hr = within;
    }

    ob_queue_lock(q);
    int moved = 0, applied = 0;
    ob_change learned;
    ob_change_init(&learned, OB_EV_NONE, OB_ORIGIN_SYNC);
    if (hr >= 0) {
        moved = apply_locked(q, job, ch);
        applied = 1;
    } else if (ch->gone || ch->stale) {
        /* Refused because another process moved the job on: learn where
         * it is, and tell this process's listeners as if the sync had. */
        moved = learn_state_locked(q, job, ch->to, ch->state_seq, &learned);
    }
    if (applied)
        announce_locked(q, job, ch);
    else if (moved)
        announce_locked(q, job, &learned);
    ob_queue_unlock(q);
    if (applied)
        announce(q, job, ch);
    else if (moved)
        announce(q, job, &learned);
    if (applied)
        ob_failpoint("queue.committed", job);
    if (applied && ch->after) {
        /* Cleanup after the change: a success code of its own (a leftover
         * that could not be deleted) wins over the change's. */
        bits_hresult after = ch->after(ch->ctx, job, ch);
        if (after != BITS_S_OK)
            ch->hr = after;
    }
    ob_queue_change_unlock(q);
    ob_change_free(&learned);
    ob_failpoint("queue.applied", job);
    ob_job_unref(job);
    return hr >= 0 ? ch->hr : hr;
}

bits_hresult ob_queue_add_new(ob_queue *q, bits_job *job)
{
    ob_queue_change_lock(q);
    ob_queue_lock(q);
    uint32_t limit = q->limits[BITS_LIMIT_JOBS];
    bits_hresult hr = BITS_S_OK;
    if (q->closed)
        hr = BG_E_INVALID_STATE;
    else if (!q->backend && limit && q->njobs >= limit)
        hr = BG_E_TOO_MANY_JOBS_PER_USER;
    job->store_seq = q->queue_seq + 1;
    ob_queue_unlock(q);
    if (hr >= 0 && q->backend)
        hr = q->backend->create(q->backend_ctx, job, limit);
    ob_queue_lock(q);
    if (hr >= 0 && q->closed)
        hr = BG_E_INVALID_STATE;
    if (hr >= 0) {
        ob_job_ref(job);
        hr = insert_locked(q, job);
        if (hr < 0)
            ob_job_unref(job);
    }
    ob_queue_unlock(q);
    ob_queue_change_unlock(q);
    return hr;
}

/* ---- learning what other processes stored ------------------------------------ */

int ob_queue_learn_files_locked(ob_queue *q, bits_job *job, bits_job *row)
{
    int changed = 0;
    for (uint32_t i = 0; i < row->nfiles; i++) {
        bits_file *src = row->files[i];
        if (src->index > job->nfiles)
            break; /* a gap: read again next time */
        if (src->index == job->nfiles) {
            bits_file_info info = { src->remote_name, src->local_name };
            if (ob_job_append_files(job, 1, &info) < 0)
                break;
            changed = 1;
        }
        bits_file *f = job->files[src->index];
        if (strcmp(f->remote_name, src->remote_name) != 0) {
            char *tmp = f->remote_name;
            f->remote_name = src->remote_name;
            src->remote_name = tmp;
            changed = 1;
        }
        if (q->owns_engine && !(src->completed && !f->completed))
            continue; /* this process wrote the progress: its memory is newer */
        if (f->active)
            continue;
        char *swap;
        swap = f->temp_name, f->temp_name = src->temp_name, src->temp_name = swap;
        swap = f->etag, f->etag = src->etag, src->etag = swap;
        swap = f->last_modified, f->last_modified = src->last_modified, src->last_modified = swap;
        changed |= f->bytes_transferred != src->bytes_transferred ||
                   f->transferred != src->transferred || f->completed != src->completed;
        f->bytes_total = src->bytes_total;
        f->bytes_transferred = f->saved_bytes = src->bytes_transferred;
        f->transferred = src->transferred;
        f->completed = src->completed;
    }
    if (changed)
        job->files_done_hint = 0; /* rows may clear "transferred" */
    return changed;
}

/* Takes the row's properties and status (not its state) when newer. */
static void learn_row_locked(bits_job *job, bits_job *row)
{
    if (row->rev <= job->rev)
        return;
    ob_job_props tmp = job->props;
    job->props = row->props;
    row->props = tmp;
    ob_job_error etmp = job->error;
    job->error = row->error;
    row->error = etmp;
    job->error_count = row->error_count;
    job->resumed_once = row->resumed_once;
    if (row->modification_time > job->modification_time)
        job->modification_time = row->modification_time; /* progress moves it here only */
    job->transfer_completion_time = row->transfer_completion_time;
    job->rev = row->rev;
}

/* Ends a change learned from the store (caller holds the lock and a
 * reference): announced when the state moved, or, with @p modified, when
 * anything else of the job changed; then the lock and the reference go. */
static void end_learned_locked(ob_queue *q, bits_job *job, ob_change *ch, int modified)
{
    if (ch->moved || modified)
        announce_locked(q, job, ch);
    ob_queue_unlock(q);
    if (ch->moved)
        announce(q, job, ch);
    ob_change_free(ch);
    ob_job_unref(job);
}

int ob_queue_adopt(ob_queue *q, bits_job *row)
{
    uint32_t state = atomic_load(&row->state);
    ob_queue_lock(q);
    bits_job *job = ob_queue_find_locked(q, row->id.bytes);
    if (!job) {
        int taken = !q->closed && !ob_state_is_final(state) && insert_locked(q, row) >= 0;
        ob_queue_unlock(q);
        return taken;
    }
    ob_job_ref(job);
    ob_change ch;
    ob_change_init(&ch, OB_EV_NONE, OB_ORIGIN_SYNC);
    ch.to = state;
    ch.state_seq = row->state_seq;
    int files = ob_queue_learn_files_locked(q, job, row);
    int newer = row->rev > job->rev;
    learn_row_locked(job, row);
    apply_locked(q, job, &ch);
    end_learned_locked(q, job, &ch, files || newer);
    return 0;
}

void ob_queue_adopt_final(ob_queue *q, const uint8_t id[16], uint32_t final_state)
{
    ob_queue_lock(q);
    bits_job *job = ob_queue_find_locked(q, id);
    if (!job) {
        ob_queue_unlock(q);
        return;
    }
    ob_job_ref(job);
    ob_change ch;
    /* The tombstone ends every count: nothing comes after it. */
    learn_state_locked(q, job, final_state, UINT64_MAX, &ch);
    end_learned_locked(q, job, &ch, 0);
}

/* ---- limits ------------------------------------------------------------------------ */

bits_hresult ob_queue_set_limit(ob_queue *q, uint32_t which, uint32_t value)
{
    ob_queue_change_lock(q);
    ob_queue_lock(q);
    int closed = q->closed;
    ob_queue_unlock(q);
    bits_hresult hr = closed ? BG_E_INVALID_STATE : BITS_S_OK;
    if (hr >= 0 && q->backend)
        hr = q->backend->save_limit(q->backend_ctx, which, value);
    if (hr >= 0) {
        ob_queue_lock(q);
        q->limits[which] = value;
        ob_queue_unlock(q);
    }
    ob_queue_change_unlock(q);
    return hr;
}
