/*
 * test_shared_queue.c - one store, several managers and processes: the
 * store protocol and the one path of change (issue 14), each defect of
 * the shared queue replayed with its interleaving forced by failpoints
 * (failpoint_support.h), not by sleeps.
 *
 * A "stale" manager is opened with ob_manager_open(start_threads = 0): it
 * loads the store once and never syncs, as a process whose view is old.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "failpoint_support.h"
#include "http_server.h"
#include "test_support.h"

static char *g_dir, *g_store, *g_www, *g_dl;
static ts_server g_srv;

static int setup(void **state)
{
    (void)state;
    g_dir = ts_make_temp_dir();
    g_store = ts_path_join(g_dir, "store");
    g_www = ts_path_join(g_dir, "www");
    g_dl = ts_path_join(g_dir, "dl");
    mkdir(g_www, 0700);
    mkdir(g_dl, 0700);
    ts_server_start(&g_srv, g_www);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fp_uninstall();
    ts_server_stop(&g_srv);
    free(g_store);
    free(g_www);
    free(g_dl);
    ts_remove_tree(g_dir);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static bits_manager *open_full(void)
{
    bits_manager *m = NULL;
    assert_hr_equal(bits_manager_open(g_store, 0, &m), BITS_S_OK);
    return m;
}

static bits_manager *open_stale(void)
{
    bits_manager *m = NULL;
    assert_hr_equal(ob_manager_open(g_store, 0, 0, &m), BITS_S_OK);
    return m;
}

/* Waits (bounded) until manager @p m holds job @p id, and returns it. */
static bits_job *job_seen(bits_manager *m, const bits_guid *id)
{
    bits_job *job = NULL;
    double until = now_s() + 10;
    while (bits_manager_get_job(m, id, &job) != BITS_S_OK && now_s() < until)
        usleep(5000);
    assert_non_null(job);
    return job;
}

static bits_job *job_in(bits_manager *m, const bits_guid *id)
{
    bits_job *job = NULL;
    assert_hr_equal(bits_manager_get_job(m, id, &job), BITS_S_OK);
    return job;
}

static uint32_t job_count(bits_manager *m)
{
    bits_job_enum *e;
    uint32_t n = 0;
    assert_hr_equal(bits_manager_enum_jobs(m, 0, &e), BITS_S_OK);
    bits_job_enum_get_count(e, &n);
    bits_job_enum_free(e);
    return n;
}

/* Serves "/name" (@p size deterministic bytes) and adds it to @p job,
 * downloading to dl/<name>. */
static void add_served(bits_job *job, const char *name, size_t size)
{
    char *src = ts_path_join(g_www, name), *dest = ts_path_join(g_dl, name);
    char path[64];
    snprintf(path, sizeof path, "/%s", name);
    char *url = ts_server_url(&g_srv, path);
    ts_write_file(src, size, (unsigned)size);
    assert_hr_equal(bits_job_add_file(job, url, dest), BITS_S_OK);
    free(src);
    free(dest);
    free(url);
}

static bits_job *new_job(bits_manager *m, const char *name, bits_guid *id)
{
    bits_job *job = NULL;
    assert_hr_equal(bits_manager_create_job(m, name, BG_JOB_TYPE_DOWNLOAD, id, &job), BITS_S_OK);
    return job;
}

static sqlite3 *open_db(void)
{
    char *db = ts_path_join(g_store, "openbits.db");
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    free(db);
    return h;
}

/* Integer answer of @p sql about job @p id (bound to ?1), or @p none. */
static int64_t db_int(const char *sql, const bits_guid *id, int64_t none)
{
    sqlite3 *h = open_db();
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    if (id)
        sqlite3_bind_blob(st, 1, id->bytes, 16, SQLITE_TRANSIENT);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : none;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static int64_t stored_state(const bits_guid *id)
{
    return db_int("SELECT state FROM jobs WHERE id = ?1", id, -1);
}

static void edit_store(const char *sql)
{
    sqlite3 *h = open_db();
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* Waits (bounded) until no temporary file is left in dl/. */
static int temps_gone(double timeout_s)
{
    double until = now_s() + timeout_s;
    while (ts_count_temps(g_dl) && now_s() < until)
        usleep(10000);
    return ts_count_temps(g_dl) == 0;
}

static bits_file *file_at(bits_job *job, uint32_t index)
{
    bits_file_enum *e;
    bits_file *f = NULL;
    assert_hr_equal(bits_job_enum_files(job, &e), BITS_S_OK);
    assert_hr_equal(bits_file_enum_skip(e, index), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(e, 1, &f, NULL), BITS_S_OK);
    bits_file_enum_free(e);
    return f;
}

/* ---- a stale process cannot move a job backwards ----------------------------------- */

/* A process whose view is old (the job SUSPENDED) sets properties of a job
 * another process transferred meanwhile: before, its upsert wrote its old
 * state over TRANSFERRED; now a property write touches its own column, and
 * the writer learns the stored state. */
static void test_stale_property_write_keeps_state(void **unused)
{
    (void)unused;
    bits_manager *engine = open_full();
    bits_guid id;
    bits_job *job = new_job(engine, "stale", &id);
    add_served(job, "stale.bin", 20000);
    bits_manager *stale = open_stale();
    bits_job *old_view = job_in(stale, &id);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 30);
    assert_int_equal(state_of(old_view), BG_JOB_STATE_SUSPENDED); /* never synced */

    assert_hr_equal(bits_job_set_description(old_view, "set by a stale process"), BITS_S_OK);
    assert_hr_equal(bits_job_set_priority(old_view, BG_JOB_PRIORITY_LOW), BITS_S_OK);
    assert_int_equal(stored_state(&id), BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(state_of(old_view), BG_JOB_STATE_TRANSFERRED); /* learned on the way */

    /* The engine's process sees the property, and keeps the state. */
    double until = now_s() + 10;
    char *desc = NULL;
    for (;;) {
        assert_hr_equal(bits_job_get_description(job, &desc), BITS_S_OK);
        int seen = strcmp(desc, "set by a stale process") == 0;
        bits_free(desc);
        if (seen || now_s() > until)
            break;
        usleep(10000);
    }
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    bits_job_release(old_view);
    bits_job_release(job);
    bits_manager_close(stale);
    bits_manager_close(engine);
}

/* A stale process whose Complete fails (the temporary file is gone):
 * the store keeps the job TRANSFERRED and so must the process. Before,
 * the decision (ACKNOWLEDGED) stayed in the change after its I/O failed,
 * and the stale process took it for the state it should learn: the job
 * left its memory as ACKNOWLEDGED while the store said TRANSFERRED, and
 * a second Complete was refused without asking the store. */
static void test_failed_complete_of_a_stale_view_learns_the_stored_state(void **unused)
{
    (void)unused;
    bits_manager *engine = open_full();
    bits_guid id;
    bits_job *job = new_job(engine, "lost-temp", &id);
    add_served(job, "lost-temp.bin", 20000);
    bits_manager *stale = open_stale();
    bits_job *old_view = job_in(stale, &id);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 30);
    assert_int_equal(state_of(old_view), BG_JOB_STATE_SUSPENDED); /* never synced */

    assert_int_equal(ts_remove_temps(g_dl), 1);
    bits_hresult hr = bits_job_complete(old_view);
    assert_true(hr < 0);
    assert_int_equal(stored_state(&id), BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(state_of(old_view), BG_JOB_STATE_TRANSFERRED); /* learned, not undone */
    assert_hr_equal(bits_job_complete(old_view), hr);                /* the store is asked again */
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    bits_job_release(old_view);
    bits_job_release(job);
    bits_manager_close(stale);
    bits_manager_close(engine);
}

/* ---- ended jobs never come back ------------------------------------------------------ */

static void expect_refused_after_end(bits_manager *other, const bits_guid *id, uint32_t ended)
{
    bits_job *old_view = job_in(other, id);
    assert_int_equal(state_of(old_view), BG_JOB_STATE_SUSPENDED); /* never synced */
    assert_hr_equal(bits_job_set_description(old_view, "ghost"), BG_E_INVALID_STATE);
    assert_int_equal(state_of(old_view), ended); /* learned */
    char *url = ts_server_url(&g_srv, "/ghost.bin"), *dest = ts_path_join(g_dl, "ghost.bin");
    assert_hr_equal(bits_job_add_file(old_view, url, dest), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_priority(old_view, BG_JOB_PRIORITY_HIGH), BG_E_INVALID_STATE);
    free(url);
    free(dest);
    bits_job_release(old_view);
    assert_int_equal(stored_state(id), -1);
    assert_int_equal(db_int("SELECT count(*) FROM files WHERE job_id = ?1", id, -1), 0);
    assert_int_equal(db_int("SELECT state FROM tombstones WHERE id = ?1", id, -1), ended);
}

/* A stale process writing to a job another process cancelled or
 * completed: before, its upsert re-created the row (a ghost job listed as
 * TRANSFERRED with 0 files, and an added file in no job); now the write
 * is refused with BG_E_INVALID_STATE and nothing is stored. */
static void test_ended_job_never_comes_back(void **unused)
{
    (void)unused;
    bits_manager *a = open_stale();
    bits_guid cancelled, completed;
    bits_job *j1 = new_job(a, "cancelled", &cancelled);
    bits_job *j2 = new_job(a, "completed", &completed);
    add_served(j1, "c1.bin", 1000);
    add_served(j2, "c2.bin", 1000);
    bits_manager *b = open_stale(); /* sees both SUSPENDED, forever */
    assert_hr_equal(bits_job_cancel(j1), BITS_S_OK);
    assert_hr_equal(bits_job_complete(j2), BG_S_PARTIAL_COMPLETE);
    expect_refused_after_end(b, &cancelled, BG_JOB_STATE_CANCELLED);
    expect_refused_after_end(b, &completed, BG_JOB_STATE_ACKNOWLEDGED);
    bits_manager *fresh = open_full();
    assert_int_equal(job_count(fresh), 0);
    bits_manager_close(fresh);
    bits_job_release(j1);
    bits_job_release(j2);
    bits_manager_close(b);
    bits_manager_close(a);
}

/* ---- the sync of an ended job holds its reference ----------------------------------------- */

typedef struct call {
    bits_job *job;
    bits_hresult (*fn)(bits_job *);
    bits_hresult hr;
} call;

static void *run_call(void *arg)
{
    call *c = arg;
    c->hr = c->fn(c->job);
    return NULL;
}

/* Before, the sync that found a job's row in a final state announced it
 * without holding a reference, and leaving the queue freed the job under
 * it (ASan: heap-use-after-free in job_set_state_from_store_locked). Here
 * the cancel in another manager is held between its commit (the row says
 * CANCELLED) and its cleanup (the row goes), so the watching manager must
 * take the final row itself, while nobody but its queue holds the job. */
static void test_sync_of_a_final_row(void **unused)
{
    (void)unused;
    bits_manager *watcher = open_full();
    bits_manager *other = open_stale();
    bits_guid id;
    bits_job *job = new_job(other, "ends elsewhere", &id);
    add_served(job, "f.bin", 1000);
    bits_job *seen = job_seen(watcher, &id);
    bits_job_release(seen); /* only the watcher's queue holds it now */
    double until;

    fp_gate gates[] = { { .name = "queue.committed", .subject = job, .hold = 1, .armed = 1 } };
    fp_install(gates, 1);
    call c = { job, bits_job_cancel, 1 };
    pthread_t t;
    pthread_create(&t, NULL, run_call, &c);
    fp_wait_hits(&gates[0], 1, 10);
    assert_int_equal(stored_state(&id), BG_JOB_STATE_CANCELLED); /* the final row */
    until = now_s() + 10;
    while (bits_manager_get_job(watcher, &id, &seen) == BITS_S_OK && now_s() < until) {
        bits_job_release(seen);
        usleep(5000);
    }
    assert_hr_equal(bits_manager_get_job(watcher, &id, &seen), BG_E_NOT_FOUND);
    fp_open(&gates[0]);
    pthread_join(t, NULL);
    fp_uninstall();
    assert_hr_equal(c.hr, BITS_S_OK);
    assert_int_equal(stored_state(&id), -1);
    /* The watcher goes on as before. */
    bits_guid id2;
    bits_job *next = new_job(watcher, "next", &id2);
    assert_hr_equal(bits_job_cancel(next), BITS_S_OK);
    bits_job_release(next);
    bits_job_release(job);
    bits_manager_close(other);
    bits_manager_close(watcher);
}

/* ---- temporary files of a job that ended elsewhere ------------------------------------------ */

/* The process running the transfers is held just before it creates the
 * second file's temporary file; meanwhile another process cancels (or
 * completes) the job and deletes the temporary files it knows of. Before,
 * the engine then created, wrote and kept a new temporary file for up to
 * 100 ms after the job ended, and nobody deleted it; now whoever learns
 * that a job ended deletes what it created. */
static void ended_while_starting_a_file(bits_hresult (*end)(bits_job *), bits_hresult expect)
{
    bits_manager *engine = open_full();
    bits_guid id;
    bits_job *job = new_job(engine, "two files", &id);
    add_served(job, "first.bin", 30000);
    add_served(job, "second.bin", 30000);
    bits_manager *other = open_stale();
    bits_job *other_view = job_in(other, &id);
    bits_file *second = file_at(job, 1);
    fp_gate gates[] = { { .name = "engine.file_starting", .subject = second, .hold = 1,
                          .armed = 1 } };
    fp_install(gates, 1);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    fp_wait_hits(&gates[0], 1, 30);
    bits_hresult hr = end(other_view);
    if (expect != BITS_S_OK)
        assert_true(hr == BITS_S_OK || hr == expect);
    else
        assert_hr_equal(hr, BITS_S_OK);
    fp_open(&gates[0]);
    /* Once the engine's process knows the job ended it makes no temporary
     * file any more, and deletes the ones it made: then none may stay. */
    uint32_t final = end == bits_job_cancel ? BG_JOB_STATE_CANCELLED : BG_JOB_STATE_ACKNOWLEDGED;
    wait_state(job, final, 20);
    assert_true(temps_gone(20));
    fp_uninstall();
    /* A file that was moved into place is exact. */
    char *src = ts_path_join(g_www, "first.bin"), *dest = ts_path_join(g_dl, "first.bin");
    struct stat st;
    if (stat(dest, &st) == 0)
        assert_true(ts_files_equal(src, dest));
    unlink(dest);
    free(src);
    free(dest);
    bits_file_release(second);
    bits_job_release(other_view);
    bits_job_release(job);
    bits_manager_close(other);
    bits_manager_close(engine);
    assert_int_equal(ts_count_temps(g_dl), 0);
}

static void test_cancel_elsewhere_leaves_no_temp(void **unused)
{
    (void)unused;
    ended_while_starting_a_file(bits_job_cancel, BITS_S_OK);
}

static void test_complete_elsewhere_leaves_no_temp(void **unused)
{
    (void)unused;
    ended_while_starting_a_file(bits_job_complete, BG_S_PARTIAL_COMPLETE);
}

/* The engine of a process that does not sync (as one whose sync has not
 * looked yet, or one that is closing) starts a file of a job another
 * process cancelled meanwhile: the file's row, written with the engine's
 * next batch, finds the job gone, and the process cleans up at once
 * instead of transferring (and keeping a temporary file) for a job that
 * no longer exists. */
static void test_engine_learns_end_from_its_file_rows(void **unused)
{
    (void)unused;
    bits_manager *engine = open_stale(); /* no sync: only its engine can learn */
    bits_guid id;
    bits_job *job = new_job(engine, "unsynced", &id);
    add_served(job, "small.bin", 3000);
    add_served(job, "long.bin", 2000000);
    ts_server_config(&g_srv, "{\"path\": \"/long.bin\", \"rate\": 100000}");
    bits_manager *other = open_stale();
    bits_job *other_view = job_in(other, &id);
    bits_file *second = file_at(job, 1);
    fp_gate gates[] = { { .name = "engine.file_starting", .subject = second, .hold = 1,
                          .armed = 1 } };
    fp_install(gates, 1);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    fp_wait_hits(&gates[0], 1, 30);
    assert_hr_equal(bits_job_cancel(other_view), BITS_S_OK);
    fp_open(&gates[0]);
    /* Twenty seconds of transfer were left: learning takes one batch. */
    wait_state(job, BG_JOB_STATE_CANCELLED, 10);
    assert_true(temps_gone(10));
    fp_uninstall();
    bits_file_release(second);
    bits_job_release(other_view);
    bits_job_release(job);
    bits_manager_close(other);
    bits_manager_close(engine);
}

/* ---- a failed commit changes nothing ---------------------------------------------------- */

typedef struct heard {
    pthread_mutex_t lock;
    uint32_t states[64];
    int n;
} heard;

static void record_state(const bits_event *ev, void *data)
{
    heard *h = data;
    pthread_mutex_lock(&h->lock);
    if (h->n < 64)
        h->states[h->n++] = ev->state;
    pthread_mutex_unlock(&h->lock);
}

static int heard_state(heard *h, uint32_t state)
{
    pthread_mutex_lock(&h->lock);
    int found = 0;
    for (int i = 0; i < h->n; i++)
        found |= h->states[i] == state;
    pthread_mutex_unlock(&h->lock);
    return found;
}

/* Before, Cancel announced CANCELLED and dequeued the job although its
 * store write failed: the call returned an error, the job was CANCELLED in
 * memory with its temporary file and row kept, and it could not be
 * cancelled again. Now a failed commit (before or inside the transaction)
 * returns its code and changes nothing: state, events, files. */
static void test_failed_commit_changes_nothing(void **unused)
{
    (void)unused;
    bits_manager *m = open_full();
    bits_guid id;
    bits_job *job = new_job(m, "kept", &id);
    add_served(job, "slow.bin", 400000);
    ts_server_config(&g_srv, "{\"path\": \"/slow.bin\", \"rate\": 100000}");
    heard h = { .lock = PTHREAD_MUTEX_INITIALIZER };
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION |
                                                       BG_NOTIFY_JOB_TRANSFERRED),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_event_callback(job, record_state, &h), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    bits_job_progress p = { .struct_size = sizeof p };
    double until = now_s() + 20;
    do {
        usleep(10000);
        bits_job_get_progress(job, &p);
    } while (p.bytes_transferred == 0 && now_s() < until);
    assert_true(p.bytes_transferred > 0);
    assert_hr_equal(bits_job_suspend(job), BITS_S_OK);
    assert_int_equal(ts_count_temps(g_dl), 1);

    fp_gate gates[] = {
        { .name = "store.commit.begin", .subject = job, .fail = -1 },
        { .name = "store.commit.decided", .subject = job, .fail = -1 },
    };
    fp_install(gates, 2);
    for (int g = 0; g < 2; g++) {
        fp_arm(&gates[g], 1);
        assert_hr_equal(bits_job_cancel(job), BITS_E_BUSY);
        assert_hr_equal(bits_job_resume(job), BITS_E_BUSY);
        assert_hr_equal(bits_job_set_description(job, "not stored"), BITS_E_BUSY);
        fp_arm(&gates[g], 0);
        assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
        assert_int_equal(stored_state(&id), BG_JOB_STATE_SUSPENDED);
        assert_int_equal(ts_count_temps(g_dl), 1);
        char *desc = NULL;
        assert_hr_equal(bits_job_get_description(job, &desc), BITS_S_OK);
        assert_string_equal(desc, "");
        bits_free(desc);
    }
    fp_uninstall();
    assert_false(heard_state(&h, BG_JOB_STATE_CANCELLED));
    /* And Cancel can be done again, with its full effect. */
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_CANCELLED);
    assert_int_equal(ts_count_temps(g_dl), 0);
    assert_int_equal(stored_state(&id), -1);
    bits_job_set_event_callback(job, NULL, NULL);
    bits_job_release(job);
    bits_manager_close(m);
}

/* Jobs nobody touched for 90 days are cancelled at the next look, each
 * one: before, a failed cancel made the watcher's loop skip the next job.
 * Here the first commit fails; every job still ends. */
static void test_inactive_jobs_all_expire(void **unused)
{
    (void)unused;
    bits_manager *m = open_full();
    for (int i = 0; i < 3; i++) {
        bits_guid id;
        bits_job *job = new_job(m, "old", &id);
        bits_job_release(job);
    }
    bits_manager_close(m);
    edit_store("UPDATE jobs SET modification_time = modification_time - 91 * 86400000000");
    fp_gate gates[] = { { .name = "store.commit.begin", .fail = 1, .armed = 1 } };
    fp_install(gates, 1);
    m = open_full();
    double until = now_s() + 20;
    while (job_count(m) && now_s() < until)
        usleep(10000);
    assert_int_equal(job_count(m), 0);
    assert_true(gates[0].hits >= 4); /* the failed one was tried again */
    fp_uninstall();
    bits_manager_close(m);
    assert_int_equal(db_int("SELECT count(*) FROM tombstones", NULL, -1), 3);
}

/* ---- closing while the sync applies rows --------------------------------------------------- */

static void *run_close(void *arg)
{
    bits_manager_close(arg);
    return NULL;
}

/* Before, close emptied the queue before it stopped the watcher, and a
 * refresh in between re-created jobs inside the closed queue (leaking them
 * and the queue: LeakSanitizer). Here the sync is held after reading a
 * new job's row until close has marked the queue closed. */
static void test_close_while_sync_applies(void **unused)
{
    (void)unused;
    bits_manager *closing = open_full();
    bits_manager *other = open_stale();
    fp_gate gates[] = { { .name = "sync.rows_read", .hold = 1, .armed = 1 } };
    fp_install(gates, 1);
    bits_guid id;
    bits_job *job = new_job(other, "new", &id);
    fp_wait_hits(&gates[0], 1, 10);
    ob_queue *q = closing->q;
    ob_queue_ref(q);
    pthread_t t;
    pthread_create(&t, NULL, run_close, closing);
    double until = now_s() + 10;
    int closed = 0;
    while (!closed && now_s() < until) {
        ob_queue_lock(q);
        closed = q->closed;
        ob_queue_unlock(q);
        usleep(1000);
    }
    assert_true(closed);
    fp_open(&gates[0]); /* the sync goes on with a row for the closed queue */
    pthread_join(t, NULL);
    ob_queue_lock(q);
    assert_int_equal(q->njobs, 0);
    ob_queue_unlock(q);
    ob_queue_unref(q);
    fp_uninstall();
    bits_job_release(job);
    bits_manager_close(other);
}

/* ---- getters never wait for the database ------------------------------------------------ */

typedef struct setter {
    bits_job *job;
    bits_hresult hr;
    atomic_int done;
} setter;

static void *run_setter(void *arg)
{
    setter *s = arg;
    s->hr = bits_job_set_description(s->job, "after the lock");
    atomic_store(&s->done, 1);
    return NULL;
}

/* Another process holds the store's write lock; a thread of this one is
 * inside a change, waiting for that lock. Before, it waited holding the
 * manager's one lock, so every getter waited for seconds; now getters
 * take only the memory lock, which no store transaction holds. */
static void test_getters_do_not_wait_for_the_store(void **unused)
{
    (void)unused;
    bits_manager *m = open_full();
    bits_guid id;
    bits_job *job = new_job(m, "read while locked", &id);
    add_served(job, "g.bin", 1000);
    sqlite3 *other = open_db();
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    fp_gate gates[] = { { .name = "store.commit.begin", .subject = job, .armed = 1 } };
    fp_install(gates, 1);
    setter s = { .job = job };
    pthread_t t;
    pthread_create(&t, NULL, run_setter, &s);
    fp_wait_hits(&gates[0], 1, 10); /* inside the change, going for the lock */

    uint32_t state;
    char *text = NULL;
    bits_job_progress p = { .struct_size = sizeof p };
    bits_job_times times = { .struct_size = sizeof times };
    uint32_t count;
    assert_hr_equal(bits_job_get_state(job, &state), BITS_S_OK);
    assert_hr_equal(bits_job_get_display_name(job, &text), BITS_S_OK);
    bits_free(text);
    assert_hr_equal(bits_job_get_description(job, &text), BITS_S_OK);
    assert_string_equal(text, ""); /* not stored yet: not in memory either */
    bits_free(text);
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    assert_hr_equal(bits_job_get_times(job, &times), BITS_S_OK);
    assert_hr_equal(bits_job_get_error_count(job, &count), BITS_S_OK);
    assert_int_equal(job_count(m), 1);
    bits_job *again = job_in(m, &id);
    bits_job_release(again);
    assert_int_equal(atomic_load(&s.done), 0); /* all answered while it waited */

    assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    pthread_join(t, NULL);
    fp_uninstall();
    assert_hr_equal(s.hr, BITS_S_OK);
    assert_hr_equal(bits_job_get_description(job, &text), BITS_S_OK);
    assert_string_equal(text, "after the lock");
    bits_free(text);
    bits_job_release(job);
    bits_manager_close(m);
}

/* ---- limits: stored first ----------------------------------------------------------------- */

static void test_limit_kept_when_not_stored(void **unused)
{
    (void)unused;
    bits_manager *m = open_full();
    fp_gate gates[] = { { .name = "store.commit.begin", .fail = -1, .armed = 1 } };
    fp_install(gates, 1);
    assert_hr_equal(bits_manager_set_limit(m, BITS_LIMIT_JOBS, 5), BITS_E_BUSY);
    uint32_t v = 0;
    assert_hr_equal(bits_manager_get_limit(m, BITS_LIMIT_JOBS, &v), BITS_S_OK);
    assert_int_equal(v, 300);
    fp_uninstall();
    assert_hr_equal(bits_manager_set_limit(m, BITS_LIMIT_JOBS, 5), BITS_S_OK);
    assert_hr_equal(bits_manager_get_limit(m, BITS_LIMIT_JOBS, &v), BITS_S_OK);
    assert_int_equal(v, 5);
    bits_manager_close(m);
    assert_int_equal(db_int("SELECT value FROM limits WHERE which = 1", NULL, -1), 5);
}

/* ---- the store's protocol: the table decides from the stored state ------------------------ */

/* Two processes resume and suspend the same job from stale views: each
 * call is decided against the stored state, and the stored count of state
 * changes moves by exactly one per change. */
static void test_state_changes_are_counted(void **unused)
{
    (void)unused;
    bits_manager *a = open_stale();
    bits_guid id;
    bits_job *ja = new_job(a, "counted", &id);
    add_served(ja, "n.bin", 100);
    bits_manager *b = open_stale();
    bits_job *jb = job_in(b, &id);
    /* No engine may take the queued job on: this test holds the lock. */
    char *lock_path = ts_path_join(g_store, "engine.lock");
    int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_int_equal(flock(lock, LOCK_EX | LOCK_NB), 0);
    free(lock_path);
    assert_hr_equal(bits_job_suspend(ja), BITS_S_OK); /* SUSPENDED already: no change */
    assert_int_equal(db_int("SELECT state_seq FROM jobs WHERE id = ?1", &id, -1), 0);
    assert_hr_equal(bits_job_resume(ja), BITS_S_OK);   /* -> QUEUED */
    assert_hr_equal(bits_job_resume(jb), BITS_S_OK);   /* stale: QUEUED stays */
    assert_int_equal(db_int("SELECT state_seq FROM jobs WHERE id = ?1", &id, -1), 1);
    assert_int_equal(state_of(jb), BG_JOB_STATE_QUEUED);
    assert_hr_equal(bits_job_suspend(jb), BITS_S_OK);  /* -> SUSPENDED */
    assert_hr_equal(bits_job_cancel(ja), BITS_S_OK);   /* stale: from SUSPENDED */
    assert_int_equal(state_of(ja), BG_JOB_STATE_CANCELLED);
    assert_int_equal(db_int("SELECT state FROM tombstones WHERE id = ?1", &id, -1),
                     BG_JOB_STATE_CANCELLED);
    assert_hr_equal(bits_job_resume(jb), BG_E_INVALID_STATE);
    bits_job_release(ja);
    bits_job_release(jb);
    bits_manager_close(b);
    bits_manager_close(a);
    close(lock);
}

/* A store made by openbits 1.0 (schema v1) opens: its jobs are there, and
 * the store is upgraded in place to v2 (state_seq, listeners). */
static void test_v1_store_is_upgraded(void **unused)
{
    (void)unused;
    mkdir(g_store, 0700);
    char *db = ts_path_join(g_store, "openbits.db");
    int fd = open(db, O_CREAT | O_WRONLY, 0600);
    close(fd);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    static const char *const v1[] = {
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO meta VALUES('rev', 1)",
        "CREATE TABLE limits(which INTEGER PRIMARY KEY, value INTEGER NOT NULL)",
        "CREATE TABLE jobs(id BLOB PRIMARY KEY, rev INTEGER NOT NULL, seq INTEGER NOT NULL,"
        " owner INTEGER NOT NULL, type INTEGER NOT NULL, state INTEGER NOT NULL,"
        " display_name TEXT NOT NULL, description TEXT NOT NULL, priority INTEGER NOT NULL,"
        " notify_flags INTEGER NOT NULL, min_retry_delay INTEGER NOT NULL,"
        " no_progress_timeout INTEGER NOT NULL, max_download_time INTEGER NOT NULL,"
        " min_notify_interval_ms INTEGER NOT NULL, security_flags INTEGER NOT NULL,"
        " dynamic_content INTEGER NOT NULL, max_download_size INTEGER NOT NULL,"
        " max_bandwidth INTEGER NOT NULL, files_in_flight INTEGER NOT NULL,"
        " error_count INTEGER NOT NULL, resumed_once INTEGER NOT NULL,"
        " proxy_usage INTEGER NOT NULL, proxy_list TEXT, bypass_list TEXT, custom_headers TEXT,"
        " headers_write_only INTEGER NOT NULL, notify_program TEXT, notify_parameters TEXT,"
        " creation_time INTEGER NOT NULL, modification_time INTEGER NOT NULL,"
        " transfer_completion_time INTEGER NOT NULL, error_set INTEGER NOT NULL,"
        " error_context INTEGER NOT NULL, error_code INTEGER NOT NULL, error_file INTEGER NOT NULL,"
        " error_detail TEXT, error_protocol TEXT)",
        "CREATE TABLE files(job_id BLOB NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
        " idx INTEGER NOT NULL, remote_name TEXT NOT NULL, local_name TEXT NOT NULL,"
        " temp_name TEXT, bytes_total INTEGER NOT NULL, bytes_transferred INTEGER NOT NULL,"
        " transferred INTEGER NOT NULL, completed INTEGER NOT NULL, etag TEXT,"
        " last_modified TEXT, PRIMARY KEY(job_id, idx))",
        "CREATE TABLE credentials(job_id BLOB NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
        " target INTEGER NOT NULL, scheme INTEGER NOT NULL, user_name TEXT, password TEXT,"
        " PRIMARY KEY(job_id, target, scheme))",
        "CREATE TABLE tombstones(id BLOB PRIMARY KEY, rev INTEGER NOT NULL, state INTEGER NOT NULL)",
        "INSERT INTO jobs VALUES(x'00112233445566778899aabbccddeeff', 1, 1, 0, 0, 3,"
        " 'from 1.0', 'kept', 1, 3, 600, 1209600, 7776000, 500, 0, 0, 0, 0, 1, 0, 0, 0,"
        " NULL, NULL, NULL, 0, NULL, NULL, 1, 1, 0, 0, 0, 0, -1, NULL, NULL)",
        "INSERT INTO files VALUES(x'00112233445566778899aabbccddeeff', 0,"
        " 'http://127.0.0.1:1/x', '/tmp/x', NULL, -1, 0, 0, 0, NULL, NULL)",
        "PRAGMA user_version=1",
    };
    for (size_t i = 0; i < sizeof v1 / sizeof v1[0]; i++)
        assert_int_equal(sqlite3_exec(h, v1[i], NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    free(db);
    /* The row's owner is uid 0; the test may not run as root. */
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE jobs SET owner = %u", (unsigned)geteuid());
    edit_store(sql);

    bits_manager *m = open_full();
    bits_guid id;
    assert_hr_equal(bits_guid_from_string("{00112233-4455-6677-8899-aabbccddeeff}", &id),
                    BITS_S_OK);
    bits_job *job = job_in(m, &id);
    char *name = NULL;
    assert_hr_equal(bits_job_get_display_name(job, &name), BITS_S_OK);
    assert_string_equal(name, "from 1.0");
    bits_free(name);
    bits_job_progress p = { .struct_size = sizeof p };
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    assert_int_equal(p.files_total, 1);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK); /* the v2 protocol works on it */
    bits_job_release(job);
    bits_manager_close(m);
    assert_int_equal(db_int("PRAGMA user_version", NULL, -1), 2);
    assert_int_equal(db_int("SELECT count(*) FROM listeners", NULL, -1), 0);
    m = open_full(); /* and opens again as v2 */
    assert_int_equal(job_count(m), 0);
    bits_manager_close(m);
}

/* ---- the notify command line: once per event, in the process running transfers ------------ */

static char *g_log, *g_script;

/* A program that appends its first argument to the log. */
static void make_script(void)
{
    g_log = ts_path_join(g_dir, "notified.log");
    g_script = ts_path_join(g_dir, "notify-hook.sh");
    FILE *f = fopen(g_script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\necho \"$1\" >> '%s'\n", g_log);
    fclose(f);
    chmod(g_script, 0700);
}

/* How many lines of the log are @p word. */
static int log_count(const char *word)
{
    FILE *f = fopen(g_log, "r");
    int n = 0;
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        n += strcmp(line, word) == 0;
    }
    if (f)
        fclose(f);
    return n;
}

static void wait_log(const char *word, double timeout_s)
{
    double until = now_s() + timeout_s;
    while (log_count(word) == 0 && now_s() < until)
        usleep(10000);
}

static bits_job *notified_job(bits_manager *m, const char *name)
{
    bits_guid id;
    bits_job *job = new_job(m, name, &id);
    char params[512];
    snprintf(params, sizeof params, "notify-hook.sh %s", name);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, g_script, params), BITS_S_OK);
    char file[64];
    snprintf(file, sizeof file, "%s.bin", name);
    add_served(job, file, 5000);
    return job;
}

static void heard_event(const bits_event *ev, void *data)
{
    if (ev->kind == BITS_EVENT_JOB_TRANSFERRED)
        atomic_store((atomic_int *)data, 1);
}

/* With openbitsd serving the store (its manager-wide logging callback does
 * not count), a job's notify program runs exactly once when the job is
 * transferred: in openbitsd, not in the client that watches. A job whose
 * client registered a callback gets the callback and no program. */
static void test_notify_program_under_openbitsd(void **unused)
{
    (void)unused;
    if (!getenv("OPENBITSD"))
        skip();
    make_script();
    assert_int_equal(mkdir(g_store, 0700), 0);
    int daemon = ts_start_openbitsd(g_store, NULL);
    bits_manager *client = open_full();
    bits_job *listened = notified_job(client, "listened");
    atomic_int heard_it = 0;
    assert_hr_equal(bits_job_set_event_callback(listened, heard_event, &heard_it), BITS_S_OK);
    bits_job *plain = notified_job(client, "plain");
    assert_hr_equal(bits_job_resume(listened), BITS_S_OK);
    wait_state(listened, BG_JOB_STATE_TRANSFERRED, 30);
    double until = now_s() + 10;
    while (!atomic_load(&heard_it) && now_s() < until)
        usleep(10000);
    assert_true(atomic_load(&heard_it));
    assert_hr_equal(bits_job_resume(plain), BITS_S_OK);
    wait_state(plain, BG_JOB_STATE_TRANSFERRED, 30);
    wait_log("plain", 10);
    assert_hr_equal(bits_job_complete(plain), BITS_S_OK);
    assert_hr_equal(bits_job_complete(listened), BITS_S_OK);
    bits_job_set_event_callback(listened, NULL, NULL);
    bits_job_release(plain);
    bits_job_release(listened);
    bits_manager_close(client);
    ts_stop_openbitsd(daemon);
    until = now_s() + 10;
    while (ts_process_running("notify-hook.sh", g_dir) && now_s() < until)
        usleep(10000);
    assert_int_equal(log_count("plain"), 1);
    assert_int_equal(log_count("listened"), 0);
    free(g_log);
    free(g_script);
}

/* Without a daemon: two managers watch the store; the program runs once,
 * in the one that runs the transfers, however many watch. */
static void test_notify_program_once_among_watchers(void **unused)
{
    (void)unused;
    make_script();
    bits_manager *a = open_full();
    bits_manager *b = open_full();
    bits_job *job = notified_job(a, "once");
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 30);
    wait_log("once", 10);
    /* b hears of it too, and does not run it. */
    bits_guid id;
    bits_job_get_id(job, &id);
    bits_job *seen = job_seen(b, &id);
    wait_state(seen, BG_JOB_STATE_TRANSFERRED, 10);
    assert_hr_equal(bits_job_complete(seen), BITS_S_OK);
    bits_job_release(seen);
    bits_job_release(job);
    bits_manager_close(b);
    bits_manager_close(a);
    double until = now_s() + 10;
    while (ts_process_running("notify-hook.sh", g_dir) && now_s() < until)
        usleep(10000);
    assert_int_equal(log_count("once"), 1);
    free(g_log);
    free(g_script);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stale_property_write_keeps_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_complete_of_a_stale_view_learns_the_stored_state,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_ended_job_never_comes_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_of_a_final_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_elsewhere_leaves_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_elsewhere_leaves_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_learns_end_from_its_file_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_commit_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inactive_jobs_all_expire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_while_sync_applies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_getters_do_not_wait_for_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_kept_when_not_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_changes_are_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v1_store_is_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_program_under_openbitsd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_program_once_among_watchers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
