/*
 * loop.c - the engine thread.
 *
 * The thread owns a libcurl multi handle. Easy handles exist only for
 * running transfers (and a few finished ones kept for the next, until the
 * engine idles), so a queued job costs no libcurl memory, and the multi
 * handle's connection cache lets files and jobs reuse connections.
 *
 * One pass of the loop:
 *   1. Under the queue lock: stop transfers whose job left the running
 *      states (or that stalled, or whose temporary file vanished); decide
 *      timers and turns; start files of running jobs. Decisions about
 *      whole jobs become intents (plan.h).
 *   2. Without it: apply the intents through the queue, which commits
 *      each before it is announced. A change applied means the next pass
 *      comes at once (a granted job's files start without a sleep).
 *   3. Without it: libcurl does its I/O (its callbacks take the lock
 *      briefly); temporary files are flushed for a progress checkpoint.
 *   4. Under the lock: finished transfers are settled into outcomes and
 *      intents; checkpoints are noted for the store.
 *   5. Without it: the intents are applied, the file rows of the batch
 *      are written once it is 50 ms old, and the thread sleeps in
 *      curl_multi_poll() until the next timer or a wake-up.
 */
#include "engine/plan.h"
#include "engine/transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/fs.h"
#include "util/clock.h"
#include "util/failpoint.h"
#include "util/strings.h"

#define POLL_MAX_MS 1000
/* Progress reaches the store twice a second: after kill -9 at most about
 * half a second of transfer is fetched again (bench M3 asks for <= 1 s;
 * once a second overshot it by the sync and commit lag). */
#define CHECKPOINT_US 500000LL
#define LINK_CHECK_US 1000000LL          /* temp file still has a name? once a second */
#define PAUSED_POLL_MS 20
#define US_PER_S 1000000LL
/* Easy handles of finished transfers kept for the next ones: a new handle
 * per file cost an allocation of its 256 KiB buffer and the handle's own
 * state each time (bench M2, history 5). Dropped when the engine idles. */
#define EASY_POOL_MAX 8
/* File rows wait at most this long to be written (see store/batch.c):
 * after a crash, at most the files finished in the last 50 ms are fetched
 * again, and progress is at most CHECKPOINT_US + 50 ms old. */
#define BATCH_MAX_US 50000LL
#define RESUME_MAX 64
/* A file that restarts from byte 0 this often in one attempt without
 * ever finishing (a server whose Content-Range never matches, whose
 * content changes on every request...) fails the attempt instead of
 * looping: a transient error, so the retry delay applies. */
#define MAX_RESTARTS 3

struct ob_engine {
    ob_queue *q;
    ob_store *store;
    ob_notifier *notifier;
    int lock_fd;                /* engine.lock, or -1 in memory */
    pthread_t thread;
    CURLM *multi;
    int stop;                   /* under the queue lock */
    int took_over;              /* the first pass requeued what a departed engine left */
    ob_transfer *transfers;     /* engine thread only */
    ob_rate_bucket manager_bucket; /* BITS_LIMIT_MAX_BANDWIDTH */
    int64_t batch_since;        /* oldest unwritten file row, 0 = none (engine thread) */
    CURL *easy_pool[EASY_POOL_MAX]; /* reset handles for new transfers (engine thread) */
    int npool;
    ob_plan plan;               /* engine thread only */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int is_running_state(uint32_t s)
{
    return s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING;
}

/* ---- the store's file rows ------------------------------------------------------- */

static void note_file_locked(ob_engine *e, bits_file *f, int64_t now)
{
    if (!e->store)
        return;
    ob_store_note_file_locked(e->store, f);
    if (!e->batch_since)
        e->batch_since = now;
}

/* Writes the noted rows once the oldest is BATCH_MAX_US old (or at once
 * with @p force). A row found gone means its job ended in another process
 * while this engine worked on it: the queue learns it at once, and cleans
 * up the temporary files this engine made since. No lock held. */
static void flush_rows(ob_engine *e, int force)
{
    if (!e->batch_since || (!force && ob_mono_us() - e->batch_since < BATCH_MAX_US))
        return;
    ob_queue_change_lock(e->q);
    ob_store_flush_files(e->store);
    ob_store_learn_ended(e->store);
    ob_queue_change_unlock(e->q);
    e->batch_since = 0;
}

/* ---- easy handles ------------------------------------------------------------------ */

static CURL *pool_take(ob_engine *e)
{
    return e->npool ? e->easy_pool[--e->npool] : NULL;
}

/* Keeps the handle of @p t (out of the multi handle) for another transfer. */
static void pool_put(ob_engine *e, ob_transfer *t)
{
    CURL *easy = ob_transfer_take_easy(t);
    if (!easy)
        return;
    if (e->npool == EASY_POOL_MAX) {
        curl_easy_cleanup(easy);
        return;
    }
    curl_easy_reset(easy); /* every option back to its default; caches stay in the multi */
    e->easy_pool[e->npool++] = easy;
}

static void pool_drain(ob_engine *e)
{
    while (e->npool)
        curl_easy_cleanup(e->easy_pool[--e->npool]);
}

/* ---- transfers ----------------------------------------------------------------------- */

/* The job's files transferring now: counted on the engine's transfer
 * list (at most the files in flight), not over all of the job's files. */
static uint32_t running_files(const ob_engine *e, const bits_job *job)
{
    uint32_t n = 0;
    for (const ob_transfer *t = e->transfers; t; t = t->next)
        n += t->job == job ? 1u : 0u;
    return n;
}

/* The first file neither transferred nor active. Starts past the prefix
 * known to be transferred and raises it, so feeding a job of N files costs
 * O(N) in all, not O(N^2) (bench M2). */
static bits_file *next_pending_file(bits_job *job)
{
    uint32_t i = job->files_done_hint;
    for (; i < job->nfiles; i++) {
        bits_file *f = job->files[i];
        if (f->transferred && i == job->files_done_hint)
            job->files_done_hint = i + 1;
        else if (!f->transferred && !f->active)
            return f;
    }
    return NULL;
}

/* Plans a failure of the job: its error, then TRANSIENT_ERROR or ERROR
 * (every error is fatal when NoProgressTimeout is 0, spec 1.2 (e)). The
 * first failure of a job in a pass wins. */
static void plan_failure_locked(ob_engine *e, bits_job *job, const ob_failure *f,
                                int32_t file_index, const char *detail, int is_file_protocol,
                                int64_t retry_after, char *report_url)
{
    if (!is_running_state(atomic_load(&job->state)) || ob_plan_has_failure(&e->plan, job)) {
        free(report_url);
        return;
    }
    int fatal = !f->transient || job->props.no_progress_timeout == 0;
    ob_intent *in =
        ob_plan_add(&e->plan, job, fatal ? OB_EV_FATAL_FAILURE : OB_EV_TRANSIENT_FAILURE);
    if (!in) {
        free(report_url);
        return;
    }
    in->error.set = 1;
    in->error.code = f->code;
    in->error.context = f->context;
    in->error.file_index = file_index;
    in->error.detail = ob_strdup(detail);
    in->error.protocol = strdup(is_file_protocol ? "file" : "http");
    if (report_url && file_index >= 0) {
        in->file = job->files[file_index];
        in->file_remote_name = report_url;
    } else {
        free(report_url);
    }
    /* Read by the transition's retry time (ob_sched_note_transition). */
    job->sched.retry_after = retry_after > 0 ? (uint32_t)(retry_after > UINT32_MAX ? UINT32_MAX
                                                                                   : retry_after)
                                             : 0;
}

/* Plans CONNECTED for a job still CONNECTING: its first byte came. */
static void plan_connected_locked(ob_engine *e, bits_job *job)
{
    if (atomic_load(&job->state) != BG_JOB_STATE_CONNECTING ||
        ob_plan_has(&e->plan, job, OB_EV_CONNECTED))
        return;
    ob_intent *in = ob_plan_add(&e->plan, job, OB_EV_CONNECTED);
    if (in)
        in->clear_error = 1; /* bytes move again (spec 1.3) */
}

static void start_file_locked(ob_engine *e, bits_job *job, bits_file *file, int64_t now)
{
    ob_failpoint("engine.file_starting", file);
    ob_failure f;
    ob_transfer *t = ob_transfer_create_locked(job, file, e->notifier, &e->manager_bucket,
                                               e->q->limits, pool_take(e), &f);
    if (!t) {
        plan_failure_locked(e, job, &f, (int32_t)file->index, NULL, 0, -1, NULL);
        return;
    }
    if (curl_multi_add_handle(e->multi, t->easy) != CURLM_OK) {
        ob_transfer_free_locked(t);
        ob_failure oom = { BITS_E_OUTOFMEMORY, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, 1 };
        plan_failure_locked(e, job, &oom, (int32_t)file->index, NULL, 0, -1, NULL);
        return;
    }
    t->next = e->transfers;
    e->transfers = t;
    t->last_checkpoint = now;
    note_file_locked(e, file, now); /* the temporary file's name */
    if (t->is_file_protocol)
        plan_connected_locked(e, job); /* a local copy has nothing to connect to */
}

/* Starts files of a running job up to its files in flight, or plans its
 * end when nothing is left. */
static void feed_job_locked(ob_engine *e, bits_job *job, int64_t now)
{
    if (!is_running_state(atomic_load(&job->state)) || ob_plan_has_failure(&e->plan, job))
        return;
    while (running_files(e, job) < job->props.files_in_flight) {
        bits_file *f = next_pending_file(job);
        if (!f)
            break;
        start_file_locked(e, job, f, now);
        if (ob_plan_has_failure(&e->plan, job))
            return;
    }
    if (running_files(e, job) == 0 && !(ob_job_conditions(job) & OB_COND_HAS_PENDING) &&
        !ob_plan_has(&e->plan, job, OB_EV_ALL_FILES_DONE)) {
        plan_connected_locked(e, job);
        ob_plan_add(&e->plan, job, OB_EV_ALL_FILES_DONE);
    }
}

static void feed_locked(ob_engine *e, int64_t now)
{
    for (uint32_t i = 0; i < e->q->njobs; i++)
        feed_job_locked(e, e->q->jobs[i], now);
}

/* Turns the outcome of a finished or stopped transfer into the file's
 * new facts and the job's intents. */
static void finish_transfer_locked(ob_engine *e, ob_transfer *t, int64_t now)
{
    bits_job *job = t->job;
    bits_file *file = t->file;
    if (t->first_byte || t->outcome == OB_OUTCOME_DONE)
        plan_connected_locked(e, job);
    switch (t->outcome) {
    case OB_OUTCOME_DONE:
        file->restarts = 0;
        /* The bytes reach the disk before the store says they are there. */
        if (fdatasync(t->fd) == 0)
            file->saved_bytes = file->bytes_transferred;
        file->transferred = 1;
        file->active = 0;
        note_file_locked(e, file, now);
        ob_intent *done = ob_plan_add(&e->plan, job, OB_EV_FILE_DONE);
        if (done)
            done->file = file;
        break;
    case OB_OUTCOME_RESTART:
        ob_temp_reset(file, t->fd);
        note_file_locked(e, file, now);
        ob_notify_log_locked(e->notifier, BITS_LOG_INFO, job,
                             "file %u starts over from byte 0: the server's answer does not"
                             " continue it (restart %u)",
                             file->index, file->restarts + 1);
        if (++file->restarts > MAX_RESTARTS) {
            static const ob_failure loop = { BG_E_INVALID_SERVER_RESPONSE,
                                             BG_ERROR_CONTEXT_REMOTE_FILE, 1 };
            char detail[160];
            snprintf(detail, sizeof detail,
                     "The server's answers did not continue the file %u times in a row"
                     " (wrong Content-Range, changed content or size).",
                     file->restarts);
            plan_failure_locked(e, job, &loop, (int32_t)file->index, detail, 0, -1, NULL);
        }
        break;
    case OB_OUTCOME_FAILED:
        plan_failure_locked(e, job, &t->fail, (int32_t)file->index, t->detail,
                            t->is_file_protocol, t->retry_after, t->report_url);
        t->report_url = NULL;
        break;
    default:
        break; /* stopped: the bytes stay for a later resume */
    }
    if (t->report_url && t->outcome != OB_OUTCOME_FAILED) {
        /* BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT: the final URL is recorded. */
        ob_intent *in = ob_plan_add(&e->plan, job, OB_EV_SET_PROPERTY);
        if (in) {
            in->file = file;
            in->file_remote_name = t->report_url;
            t->report_url = NULL;
        }
    }
    if (t->outcome != OB_OUTCOME_DONE && t->outcome != OB_OUTCOME_RESTART && e->store &&
        file->saved_bytes != file->bytes_transferred && fdatasync(t->fd) == 0) {
        /* Keep what arrived: a later resume or the next process asks only
         * for the rest. */
        file->saved_bytes = file->bytes_transferred;
        note_file_locked(e, file, now);
    }
    pool_put(e, t);
    ob_transfer_free_locked(t);
}

static void remove_transfer(ob_engine *e, ob_transfer *t)
{
    for (ob_transfer **p = &e->transfers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    curl_multi_remove_handle(e->multi, t->easy);
}

/* Once a second: was the transfer's temporary file deleted under it? */
static int temp_vanished(ob_transfer *t, int64_t now)
{
    if (now - t->last_link_check < LINK_CHECK_US)
        return 0;
    t->last_link_check = now;
    return ob_temp_is_gone(t->fd, NULL) == 1;
}

/* Stops transfers whose job left the running states (Suspend, Cancel,
 * Complete, pre-emption, another file's failure), those that stalled, and
 * restarts those whose temporary file was deleted. */
static void reconcile_locked(ob_engine *e, int64_t now)
{
    int64_t stall = (int64_t)e->q->limits[BITS_LIMIT_STALL_TIMEOUT] * US_PER_S;
    ob_transfer *t = e->transfers;
    while (t) {
        ob_transfer *next = t->next;
        int running = is_running_state(atomic_load(&t->job->state));
        int stalled = stall && !t->paused && now - t->last_activity > stall;
        int vanished = running && !stalled && temp_vanished(t, now);
        if (!running || stalled || vanished) {
            remove_transfer(e, t);
            if (!running) {
                t->outcome = OB_OUTCOME_STOPPED;
            } else if (vanished) {
                t->outcome = OB_OUTCOME_RESTART;
            } else {
                ob_failure f = { BITS_E_WINHTTP_TIMEOUT, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, 1 };
                ob_transfer_fail(t, f, NULL);
            }
            finish_transfer_locked(e, t, now);
        }
        t = next;
    }
}

/* Settles every transfer libcurl finished; returns how many. */
static int settle_finished_locked(ob_engine *e, int64_t now)
{
    CURLMsg *msg;
    int left, settled = 0;
    while ((msg = curl_multi_info_read(e->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        ob_transfer *t = NULL;
        CURLcode result = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        remove_transfer(e, t);
        ob_transfer_settle_locked(t, result);
        finish_transfer_locked(e, t, now);
        settled++;
    }
    /* Jobs whose first bytes came during this perform move on. */
    for (ob_transfer *t = e->transfers; t; t = t->next) {
        if (t->first_byte)
            plan_connected_locked(e, t->job);
    }
    return settled;
}

/* ---- bandwidth pauses -------------------------------------------------------------- */

/* Collects paused transfers whose buckets refilled; the caller resumes
 * them without the lock (curl_easy_pause may call back at once). */
static int collect_unpausable_locked(ob_engine *e, ob_transfer **out, int max)
{
    int64_t now = ob_mono_us();
    int count = 0;
    ob_bucket_refill(&e->manager_bucket, e->q->limits[BITS_LIMIT_MAX_BANDWIDTH], now);
    for (ob_transfer *t = e->transfers; t; t = t->next) {
        if (!t->paused)
            continue;
        ob_bucket_refill(&t->job->sched.bandwidth, t->job->props.max_bandwidth, now);
        uint32_t state = atomic_load(&t->job->state);
        int ready = !ob_bucket_empty(&e->manager_bucket) && !ob_bucket_empty(&t->job->sched.bandwidth);
        /* Paused at its first byte: until the job is TRANSFERRING. */
        ready = ready && state != BG_JOB_STATE_CONNECTING;
        ready = ready || !is_running_state(state);
        if (ready && count < max) {
            t->paused = 0;
            t->last_activity = now; /* paused time is not a stall */
            out[count++] = t;
        }
    }
    return count;
}

static int any_paused(const ob_engine *e)
{
    for (const ob_transfer *t = e->transfers; t; t = t->next) {
        if (t->paused)
            return 1;
    }
    return 0;
}

/* ---- durable progress --------------------------------------------------------------- */

/* Without the lock: flushes the temporary files of transfers whose last
 * checkpoint is CHECKPOINT_US old, so the store never claims bytes that
 * are not on disk. fdatasync may take a while: no lock is held. */
static void sync_progress(ob_engine *e, int64_t now)
{
    for (ob_transfer *t = e->transfers; t; t = t->next) {
        uint64_t have = t->offset + t->written;
        if (now - t->last_checkpoint < CHECKPOINT_US || have == t->synced)
            continue;
        t->last_checkpoint = now;
        if (fdatasync(t->fd) == 0) {
            t->synced = have;
            t->checkpoint_due = 1;
        }
    }
}

/* With the lock: notes the flushed progress for the store. */
static void save_progress_locked(ob_engine *e, int64_t now)
{
    for (ob_transfer *t = e->transfers; t; t = t->next) {
        if (!t->checkpoint_due)
            continue;
        t->checkpoint_due = 0;
        if (t->synced > t->file->bytes_transferred)
            continue; /* restarted meanwhile */
        t->file->saved_bytes = t->synced;
        note_file_locked(e, t->file, now);
    }
}

/* ---- the thread ------------------------------------------------------------------------ */

static int poll_timeout_ms(int64_t now, int64_t next_due, int paused)
{
    int64_t ms = POLL_MAX_MS;
    if (next_due) {
        int64_t until = (next_due - now + 999) / 1000;
        if (until < ms)
            ms = until < 0 ? 0 : until;
    }
    if (paused && ms > PAUSED_POLL_MS)
        ms = PAUSED_POLL_MS;
    return (int)ms;
}

static int64_t earliest(int64_t a, int64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

static void *engine_main(void *arg)
{
    ob_engine *e = arg;
    ob_queue *q = e->q;
    ob_transfer *resume[RESUME_MAX];
    ob_queue_lock(q);
    if (e->store)
        ob_takeover_locked(q, &e->plan);
    while (!e->stop) {
        /* 1. Decide. */
        int64_t now = ob_mono_us();
        reconcile_locked(e, now);
        int64_t next_due = ob_schedule_timers_locked(q, &e->plan, now);
        next_due = earliest(next_due, ob_schedule_locked(q, &e->plan, now));
        feed_locked(e, now);
        int nresume = collect_unpausable_locked(e, resume, RESUME_MAX);
        ob_queue_unlock(q);

        /* 2. Apply. */
        uint32_t changed = ob_plan_apply(&e->plan, q, e->notifier);

        /* 3. Transfer. */
        for (int i = 0; i < nresume; i++)
            curl_easy_pause(resume[i]->easy, CURLPAUSE_CONT);
        int running = 0;
        curl_multi_perform(e->multi, &running);
        if (e->store)
            sync_progress(e, ob_mono_us());

        /* 4. Settle. */
        ob_queue_lock(q);
        now = ob_mono_us();
        save_progress_locked(e, now);
        int settled = settle_finished_locked(e, now);
        int paused = any_paused(e);
        int idle = !settled && !changed && !e->plan.n && !e->stop;
        if (idle && !e->transfers)
            pool_drain(e); /* nothing runs: no buffers held while idle */
        ob_queue_unlock(q);

        /* 5. Apply, write the batch, sleep. */
        changed += ob_plan_apply(&e->plan, q, e->notifier);
        flush_rows(e, 0);
        if (idle && !changed) {
            int64_t batch_due = e->batch_since ? e->batch_since + BATCH_MAX_US : 0;
            curl_multi_poll(e->multi, NULL, 0,
                            poll_timeout_ms(ob_mono_us(), earliest(next_due, batch_due), paused),
                            NULL);
        }
        ob_queue_lock(q);
    }
    /* Stop every transfer; the bytes stay for the next open. */
    while (e->transfers) {
        ob_transfer *t = e->transfers;
        remove_transfer(e, t);
        t->outcome = OB_OUTCOME_STOPPED;
        finish_transfer_locked(e, t, ob_mono_us());
    }
    pool_drain(e);
    ob_queue_unlock(q);
    ob_plan_free(&e->plan); /* stopping: what was planned is decided again by the next engine */
    flush_rows(e, 1);
    return NULL;
}

bits_hresult ob_engine_start_locked(ob_engine **slot, const ob_engine_env *env)
{
    if (*slot)
        return BITS_S_OK;
    ob_queue *q = env->queue;
    if (q->closed)
        return BG_E_INVALID_STATE;
    int fd = -1;
    if (env->store) {
        fd = ob_engine_lock_take(env->store_dir);
        if (fd < 0)
            return BITS_S_OK; /* queued here, transferred by the engine's owner */
    }
    pthread_once(&curl_once, init_curl);
    ob_engine *e = curl_init_result == CURLE_OK ? calloc(1, sizeof *e) : NULL;
    if (e)
        e->multi = curl_multi_init();
    if (!e || !e->multi) {
        free(e);
        ob_engine_lock_release(fd);
        return curl_init_result == CURLE_OK ? BITS_E_OUTOFMEMORY : BITS_E_FAIL;
    }
    e->q = q;
    e->store = env->store;
    e->notifier = env->notifier;
    e->lock_fd = fd;
    q->owns_engine = 1;
    if (pthread_create(&e->thread, NULL, engine_main, e) != 0) {
        q->owns_engine = 0;
        curl_multi_cleanup(e->multi);
        ob_engine_lock_release(fd);
        free(e);
        return BITS_E_FAIL;
    }
    *slot = e;
    return BITS_S_OK;
}

void ob_engine_wake(ob_engine *e)
{
    if (e)
        curl_multi_wakeup(e->multi);
}

void ob_engine_stop(ob_engine *e)
{
    if (!e)
        return;
    ob_queue_lock(e->q);
    e->stop = 1;
    ob_queue_unlock(e->q);
    curl_multi_wakeup(e->multi);
    pthread_join(e->thread, NULL);
    ob_queue_lock(e->q);
    e->q->owns_engine = 0;
    ob_queue_unlock(e->q);
    ob_engine_lock_release(e->lock_fd); /* another process may take over */
    curl_multi_cleanup(e->multi);
    free(e);
}
