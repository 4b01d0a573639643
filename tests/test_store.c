/*
 * test_store.c - durable jobs: everything comes back after reopening, a
 * kill -9 mid-transfer loses no job and re-fetches little, several
 * processes share one store, and a damaged or foreign store is refused
 * without being touched.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openbits/openbits.h>

#include "http_server.h"
#include "test_support.h"

static char *g_dir, *g_store;

static int setup(void **state)
{
    (void)state;
    g_dir = ts_make_temp_dir();
    g_store = ts_path_join(g_dir, "store");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(g_store);
    ts_remove_tree(g_dir);
    return 0;
}

static bits_manager *open_store(void)
{
    bits_manager *m = NULL;
    assert_hr_equal(bits_manager_open(g_store, 0, &m), BITS_S_OK);
    return m;
}

static bits_job *only_job(bits_manager *m, uint32_t expect_count)
{
    bits_job_enum *e;
    uint32_t n = 99;
    assert_hr_equal(bits_manager_enum_jobs(m, 0, &e), BITS_S_OK);
    assert_hr_equal(bits_job_enum_get_count(e, &n), BITS_S_OK);
    assert_int_equal(n, expect_count);
    bits_job *job = NULL;
    if (expect_count)
        assert_hr_equal(bits_job_enum_next(e, 1, &job, NULL), BITS_S_OK);
    bits_job_enum_free(e);
    return job;
}

/* Serves @p size bytes (of @p seed) as g_dir/www/@p name: its path in
 * *src, a destination of the same name in g_dir in *dest, its URL in
 * *url. unserve() stops the server and frees the three. */
static void serve(ts_server *srv, const char *name, size_t size, unsigned seed, char **src,
                  char **dest, char **url)
{
    char *www = ts_path_join(g_dir, "www"), path[64];
    mkdir(www, 0755);
    *src = ts_path_join(www, name);
    *dest = ts_path_join(g_dir, name);
    ts_write_file(*src, size, seed);
    ts_server_start(srv, www);
    snprintf(path, sizeof path, "/%s", name);
    *url = ts_server_url(srv, path);
    free(www);
}

static void unserve(ts_server *srv, char *src, char *dest, char *url)
{
    ts_server_stop(srv);
    free(src), free(dest), free(url);
}

/* Everything a job holds survives closing and reopening the store. */
static void test_reopen_restores_everything(void **unused)
{
    (void)unused;
    bits_manager *m = open_store();
    bits_job *job;
    bits_guid id, id2;
    char *d = ts_path_join(g_dir, "out.bin");
    assert_hr_equal(bits_manager_create_job(m, "durable \xc3\xa9", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_set_description(job, "kept"), BITS_S_OK);
    assert_hr_equal(bits_job_set_priority(job, BG_JOB_PRIORITY_LOW), BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_flags(job, 0x19), BITS_S_OK);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 77), BITS_S_OK);
    assert_hr_equal(bits_job_set_no_progress_timeout(job, 777), BITS_S_OK);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_OVERRIDE, "p:1", "h"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "u", "p"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_custom_headers(job, "X-K: v"), BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, "/bin/true", "true now"), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 4242), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/a", d), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "file:///etc/hostname", d), BITS_S_OK);
    assert_hr_equal(bits_manager_set_limit(m, BITS_LIMIT_FILES_PER_JOB, 7), BITS_S_OK);
    bits_job_times t1 = { .struct_size = sizeof t1 };
    bits_job_get_times(job, &t1);
    bits_job *gone;
    assert_hr_equal(bits_manager_create_job(m, "cancelled", 0, &id2, &gone), BITS_S_OK);
    assert_hr_equal(bits_job_cancel(gone), BITS_S_OK);
    bits_job_release(gone);
    bits_job_release(job);
    bits_manager_close(m);

    m = open_store();
    job = only_job(m, 1);
    bits_guid got;
    bits_job_get_id(job, &got);
    assert_memory_equal(got.bytes, id.bytes, 16);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    char *s = NULL;
    bits_job_get_display_name(job, &s);
    assert_string_equal(s, "durable \xc3\xa9");
    bits_free(s);
    bits_job_get_description(job, &s);
    assert_string_equal(s, "kept");
    bits_free(s);
    uint32_t u = 0;
    uint64_t u64 = 0;
    bits_job_get_priority(job, &u);
    assert_int_equal(u, BG_JOB_PRIORITY_LOW);
    bits_job_get_notify_flags(job, &u);
    assert_int_equal(u, 0x19);
    bits_job_get_minimum_retry_delay(job, &u);
    assert_int_equal(u, 77);
    bits_job_get_no_progress_timeout(job, &u);
    assert_int_equal(u, 777);
    bits_job_get_max_bandwidth(job, &u64);
    assert_int_equal(u64, 4242);
    char *list = NULL, *bypass = NULL;
    bits_job_get_proxy_settings(job, &u, &list, &bypass);
    assert_int_equal(u, BG_JOB_PROXY_USAGE_OVERRIDE);
    assert_string_equal(list, "p:1");
    assert_string_equal(bypass, "h");
    bits_free(list), bits_free(bypass);
    assert_hr_equal(bits_job_get_custom_headers(job, &s), BITS_S_OK);
    assert_string_equal(s, "X-K: v");
    bits_free(s);
    char *prog = NULL, *params = NULL;
    bits_job_get_notify_cmd_line(job, &prog, &params);
    assert_string_equal(prog, "/bin/true");
    assert_string_equal(params, "true now");
    bits_free(prog), bits_free(params);
    /* Credentials came back too (they cannot be read, only removed). */
    assert_hr_equal(bits_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC),
                    BITS_S_OK);
    bits_job_times t2 = { .struct_size = sizeof t2 };
    bits_job_get_times(job, &t2);
    assert_int_equal(t2.creation_time, t1.creation_time);
    bits_job_progress p = { .struct_size = sizeof p };
    bits_job_get_progress(job, &p);
    assert_int_equal(p.files_total, 2);
    bits_file_enum *fe;
    bits_file *f;
    bits_job_enum_files(job, &fe);
    bits_file_enum_skip(fe, 1);
    assert_hr_equal(bits_file_enum_next(fe, 1, &f, NULL), BITS_S_OK);
    bits_file_get_remote_name(f, &s);
    assert_string_equal(s, "file:///etc/hostname");
    bits_free(s);
    bits_file_release(f);
    bits_file_enum_free(fe);
    bits_manager_get_limit(m, BITS_LIMIT_FILES_PER_JOB, &u);
    assert_int_equal(u, 7);
    bits_job_release(job);
    bits_manager_close(m);

    /* The database is private. */
    char *db = ts_path_join(g_store, "openbits.db");
    struct stat st;
    assert_int_equal(stat(db, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(g_store, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    free(db);
    free(d);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* One child: opens the store (creating the job the first time), lets the
 * transfer run for about @p run_ms, noting in @p seen_path the progress it
 * sees every few milliseconds, and dies by SIGKILL. */
static void run_and_kill(const char *url, const char *dest, uint64_t rate, int create,
                         int run_ms, const char *seen_path)
{
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        bits_manager *m;
        bits_job *job = NULL;
        bits_guid id;
        if (bits_manager_open(g_store, 0, &m) < 0)
            _exit(2);
        if (create) {
            if (bits_manager_create_job(m, "killed", 0, &id, &job) < 0 ||
                bits_job_add_file(job, url, dest) < 0 ||
                bits_job_set_max_bandwidth(job, rate) < 0 || bits_job_resume(job) < 0)
                _exit(3);
        } else {
            bits_job_enum *e;
            if (bits_manager_enum_jobs(m, 0, &e) < 0 || bits_job_enum_next(e, 1, &job, NULL) != 0)
                _exit(3);
            bits_job_enum_free(e);
        }
        FILE *seen = fopen(seen_path, "w");
        for (int waited = 0; waited < run_ms; waited += 5) {
            bits_job_progress p = { .struct_size = sizeof p };
            bits_job_get_progress(job, &p);
            rewind(seen);
            fprintf(seen, "%llu\n", (unsigned long long)p.bytes_transferred);
            fflush(seen);
            usleep(5000);
        }
        raise(SIGKILL);
        _exit(4);
    }
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* The store's view of the job's only file, read with SQLite directly so
 * that no manager starts an engine meanwhile. */
static void read_checkpoint(uint64_t *bytes, char *temp, size_t temp_size, int *transferred)
{
    char *db = ts_path_join(g_store, "openbits.db");
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT bytes_transferred, temp_name, transferred"
                                           " FROM files", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *bytes = (uint64_t)sqlite3_column_int64(st, 0);
    const unsigned char *t = sqlite3_column_text(st, 1);
    snprintf(temp, temp_size, "%s", t ? (const char *)t : "");
    *transferred = sqlite3_column_int(st, 2);
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(db);
}

/* Runs @p sql on the store's database with SQLite directly: what a crash,
 * another program or damage could have left there. */
static void edit_store(const char *sql)
{
    char *db = ts_path_join(g_store, "openbits.db");
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    free(db);
}

/* kill -9 at 20 random points of one rate-limited transfer: after each,
 * the job is in the store, its checkpoint never claims more than the
 * temporary file holds and never goes back, and the bytes the next process
 * fetches again (seen before the kill minus the checkpoint) stay within
 * max(1 s of transfer, 4 MiB); in the end the file is exact. */
static void test_kill_9_at_random_points(void **unused)
{
    (void)unused;
    char *seen_path = ts_path_join(g_dir, "seen");
    /* 32 s of transfer at the rate: 20 runs of at most 0.8 s never finish it. */
    const uint64_t size = 64u << 20, rate = 2u << 20;
    const uint64_t bound = rate > (4u << 20) ? rate : (4u << 20);
    ts_server srv;
    char *src, *d, *url;
    serve(&srv, "big.bin", size, 42, &src, &d, &url);
    srand((unsigned)time(NULL));

    uint64_t last_checkpoint = 0, worst = 0;
    int transferred = 0, rounds = 0;
    for (; rounds < 20 && !transferred; rounds++) {
        run_and_kill(url, d, rate, rounds == 0, 200 + rand() % 600, seen_path);
        uint64_t checkpoint = 0, seen = 0;
        char temp[4096];
        read_checkpoint(&checkpoint, temp, sizeof temp, &transferred);
        FILE *f = fopen(seen_path, "r");
        if (f) {
            if (fscanf(f, "%llu", (unsigned long long *)&seen) != 1)
                seen = 0;
            fclose(f);
        }
        if (temp[0])
            assert_true(checkpoint <= file_size(temp)); /* never claims missing bytes */
        assert_true(checkpoint >= last_checkpoint);       /* never goes back */
        uint64_t lost = seen > checkpoint ? seen - checkpoint : 0;
        if (lost > worst)
            worst = lost;
        assert_true(lost <= bound);
        last_checkpoint = checkpoint;
    }
    assert_int_equal(rounds, 20);
    assert_false(transferred);
    print_message("kill -9 x %d: at most %llu bytes to fetch again per kill (bound %llu)\n",
                  rounds, (unsigned long long)worst, (unsigned long long)bound);

    bits_manager *m = open_store();
    bits_job *job = only_job(m, 1);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 0), BITS_S_OK);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 60);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    bits_manager_close(m);
    unserve(&srv, src, d, url);
    free(seen_path);
}

/* The number of file rows @p where selects (SQLite, beside the library). */
static int count_file_rows(const char *where)
{
    char *db = ts_path_join(g_store, "openbits.db"), sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM files WHERE %s", where);
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(db);
    return n;
}

static void note_transferred(const bits_event *ev, void *heard)
{
    if (ev->kind == BITS_EVENT_JOB_TRANSFERRED)
        atomic_store((atomic_int *)heard, 1);
}

/* The engine writes file rows in batches, but a job's state is never
 * stored ahead of its files: once TRANSFERRED is seen, every file row
 * says so. Complete then moves files that alternate between two
 * directories (the directory is kept open only while files share it). */
static void test_file_rows_are_stored_with_the_state(void **unused)
{
    (void)unused;
    enum { NFILES = 40, SIZE = 3000 };
    char *www = ts_path_join(g_dir, "www"), *a = ts_path_join(g_dir, "a"),
         *b = ts_path_join(g_dir, "b");
    mkdir(www, 0755), mkdir(a, 0755), mkdir(b, 0755);
    ts_server srv;
    ts_server_start(&srv, www);
    bits_file_info files[NFILES];
    char *src[NFILES];
    for (int i = 0; i < NFILES; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d.bin", i);
        src[i] = ts_path_join(www, name);
        ts_write_file(src[i], SIZE, 100 + (unsigned)i);
        char path[40];
        snprintf(path, sizeof path, "/%s", name);
        files[i].remote_name = ts_server_url(&srv, path);
        files[i].local_name = ts_path_join(i % 2 ? b : a, name);
    }
    bits_manager *m = open_store();
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(m, "rows", 0, &id, &job), BITS_S_OK);
    /* One set in one directory, then a name whose directory is missing:
     * checking a directory once per set must not let the last one pass. */
    char *missing = ts_path_join(g_dir, "missing/x.bin");
    bits_file_info bad[3] = { files[0], files[2], { files[4].remote_name, missing } };
    assert_hr_equal(bits_job_add_file_set(job, 3, bad), BITS_E_PATH_NOT_FOUND);
    assert_hr_equal(bits_job_add_file_set(job, NFILES, files), BITS_S_OK);
    assert_hr_equal(bits_job_set_files_in_flight(job, 4), BITS_S_OK);
    /* Heard of through the event, which comes after the state is stored
     * (the state itself is visible a moment earlier). */
    atomic_int heard = 0;
    assert_hr_equal(bits_job_set_notify_flags(job, BITS_EVENT_JOB_TRANSFERRED), BITS_S_OK);
    assert_hr_equal(bits_job_set_event_callback(job, note_transferred, &heard), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    double end = now_s() + 20;
    while (!atomic_load(&heard) && now_s() < end)
        usleep(1000);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    char where[128];
    snprintf(where, sizeof where, "transferred = 1 AND bytes_transferred = %d AND temp_name IS NOT NULL",
             SIZE);
    assert_int_equal(count_file_rows(where), NFILES);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    for (int i = 0; i < NFILES; i++) {
        assert_true(ts_files_equal(src[i], files[i].local_name));
        free(src[i]), free((char *)files[i].remote_name), free((char *)files[i].local_name);
    }
    bits_job_set_event_callback(job, NULL, NULL);
    assert_int_equal(count_file_rows("1"), 0); /* the job is gone */
    bits_job_release(job);
    bits_manager_close(m);
    ts_server_stop(&srv);
    free(www), free(a), free(b), free(missing);
}

/* Entries of @p dir whose name starts with ".openbits-". */
/* A temporary file whose name never reached the store (the process died
 * before the engine's next commit) is not left behind: its name comes
 * from the job and the file, so the next attempt takes it over (emptied,
 * since nothing says what in it is good) and Cancel deletes it. */
static void test_unrecorded_temp_is_not_left_behind(void **unused)
{
    (void)unused;
    ts_server srv;
    char *src, *d, *url;
    serve(&srv, "t.bin", 2u << 20, 5, &src, &d, &url);
    for (int cancel = 0; cancel < 2; cancel++) {
        bits_manager *m = open_store();
        bits_guid id;
        bits_job *job;
        assert_hr_equal(bits_manager_create_job(m, "leftover", 0, &id, &job), BITS_S_OK);
        assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
        assert_hr_equal(bits_job_set_max_bandwidth(job, 256u << 10), BITS_S_OK);
        assert_hr_equal(bits_job_resume(job), BITS_S_OK);
        bits_job_progress p = { .struct_size = sizeof p };
        double end = now_s() + 10;
        while (p.bytes_transferred < (100u << 10) && now_s() < end) {
            usleep(10000);
            bits_job_get_progress(job, &p);
        }
        assert_true(p.bytes_transferred >= (100u << 10));
        assert_hr_equal(bits_job_suspend(job), BITS_S_OK); /* stays put when reopened */
        bits_job_release(job);
        bits_manager_close(m);
        assert_int_equal(ts_count_temps(g_dir), 1);
        edit_store("UPDATE files SET temp_name = NULL, bytes_transferred = 0"); /* as if never stored */

        m = open_store();
        job = only_job(m, 1);
        if (cancel) {
            assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
        } else {
            assert_hr_equal(bits_job_set_max_bandwidth(job, 0), BITS_S_OK);
            assert_hr_equal(bits_job_resume(job), BITS_S_OK);
            wait_state(job, BG_JOB_STATE_TRANSFERRED, 20);
            assert_hr_equal(bits_job_complete(job), BITS_S_OK);
            assert_true(ts_files_equal(src, d));
            unlink(d);
        }
        assert_int_equal(ts_count_temps(g_dir), 0);
        bits_job_release(job);
        bits_manager_close(m);
    }
    unserve(&srv, src, d, url);
}

/* The last byte arrived but the process died before the file was marked
 * done: the resumed request asks for bytes=SIZE-, the server answers 416
 * with the same size, and the file counts as transferred, unchanged. */
static void test_416_on_a_finished_file(void **unused)
{
    (void)unused;
    ts_server srv;
    char *src, *d, *url;
    serve(&srv, "done.bin", 500000, 11, &src, &d, &url);
    bits_manager *m = open_store();
    bits_job *job;
    bits_guid id;
    assert_hr_equal(bits_manager_create_job(m, "almost", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 20);
    bits_job_release(job);
    bits_manager_close(m);

    /* What a crash between the last byte and "file done" leaves. */
    char sql[300];
    snprintf(sql, sizeof sql, "UPDATE files SET transferred = 0; UPDATE jobs SET state = %u;",
             BG_JOB_STATE_TRANSFERRING);
    edit_store(sql);

    m = open_store();
    job = only_job(m, 1);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 20);
    char *stats = ts_server_stats(&srv);
    assert_non_null(strstr(stats, "bytes=500000-")); /* asked only for what was missing */
    free(stats);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    bits_manager_close(m);
    unserve(&srv, src, d, url);
}

/* Several processes open a store that does not exist yet, all at once:
 * each open succeeds and sees one schema (none creates it twice or finds
 * it half made). Repeated because the window is small. */
static void test_concurrent_first_open(void **unused)
{
    (void)unused;
    enum { ROUNDS = 15, PROCS = 4 };
    for (int round = 0; round < ROUNDS; round++) {
        char name[32];
        snprintf(name, sizeof name, "first-%d", round);
        char *dir = ts_path_join(g_dir, name);
        pid_t kids[PROCS];
        for (int k = 0; k < PROCS; k++) {
            kids[k] = fork();
            assert_true(kids[k] >= 0);
            if (kids[k] == 0) {
                bits_manager *m;
                bits_job *job;
                bits_guid id;
                bits_hresult hr = bits_manager_open(dir, 0, &m);
                if (hr < 0) {
                    fprintf(stderr, "child: open: %s\n", bits_hresult_name(hr));
                    _exit(1);
                }
                hr = bits_manager_create_job(m, "racer", 0, &id, &job);
                if (hr < 0) {
                    fprintf(stderr, "child: create: %s\n", bits_hresult_name(hr));
                    _exit(2);
                }
                bits_job_release(job);
                bits_manager_close(m);
                _exit(0);
            }
        }
        for (int k = 0; k < PROCS; k++) {
            int status;
            assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
        }
        bits_manager *m;
        assert_hr_equal(bits_manager_open(dir, 0, &m), BITS_S_OK);
        bits_job_enum *e;
        uint32_t count = 0;
        assert_hr_equal(bits_manager_enum_jobs(m, 0, &e), BITS_S_OK);
        assert_hr_equal(bits_job_enum_get_count(e, &count), BITS_S_OK);
        assert_int_equal(count, PROCS);
        bits_job_enum_free(e);
        bits_manager_close(m);
        free(dir);
    }
}

/* Another process holds the engine and dies: a manager still open here
 * takes over and finishes the transfer. */
static void test_engine_takeover(void **unused)
{
    (void)unused;
    ts_server srv;
    char *src, *d, *url;
    serve(&srv, "t.bin", 6u << 20, 9, &src, &d, &url);
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        bits_manager *cm;
        bits_job *job;
        bits_guid id;
        if (bits_manager_open(g_store, 0, &cm) < 0 ||
            bits_manager_create_job(cm, "taken over", 0, &id, &job) < 0 ||
            bits_job_add_file(job, url, d) < 0 ||
            bits_job_set_max_bandwidth(job, 2u << 20) < 0 || bits_job_resume(job) < 0)
            _exit(2);
        if (write(ready[1], "r", 1) != 1)
            _exit(3);
        pause(); /* transfers until killed */
        _exit(4);
    }
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    bits_manager *m = open_store(); /* the child holds the engine */
    bits_job *job = only_job(m, 1);
    double end = now_s() + 10;
    bits_job_progress p = { .struct_size = sizeof p };
    while (now_s() < end) {
        bits_job_get_progress(job, &p);
        if (p.bytes_transferred > (1u << 20))
            break; /* the child's checkpoints reach us */
        usleep(20000);
    }
    assert_true(p.bytes_transferred > 0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 30);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    bits_manager_close(m);
    unserve(&srv, src, d, url);
    close(ready[0]), close(ready[1]);
}

/* Two processes on one store see each other's jobs and changes. */
static void test_two_processes_share_a_store(void **unused)
{
    (void)unused;
    int to_child[2], to_parent[2];
    assert_int_equal(pipe(to_child), 0);
    assert_int_equal(pipe(to_parent), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        /* Creates a job, then waits until the parent raised its priority. */
        bits_manager *m;
        bits_job *job;
        bits_guid id;
        char c;
        if (bits_manager_open(g_store, 0, &m) < 0 ||
            bits_manager_create_job(m, "from the child", 0, &id, &job) < 0)
            _exit(2);
        if (write(to_parent[1], "c", 1) != 1 || read(to_child[0], &c, 1) != 1)
            _exit(3);
        for (int i = 0; i < 3000; i++) { /* 30 s at most: valgrind on a busy machine */
            uint32_t prio = 0;
            bits_job_get_priority(job, &prio);
            if (prio == BG_JOB_PRIORITY_HIGH) {
                bits_job_release(job);
                bits_manager_close(m);
                _exit(0);
            }
            usleep(10000);
        }
        _exit(4);
    }
    char c;
    assert_int_equal(read(to_parent[0], &c, 1), 1);
    bits_manager *m = open_store(); /* opened after the child created its job */
    bits_job *job = only_job(m, 1);
    char *name = NULL;
    bits_job_get_display_name(job, &name);
    assert_string_equal(name, "from the child");
    bits_free(name);
    assert_hr_equal(bits_job_set_priority(job, BG_JOB_PRIORITY_HIGH), BITS_S_OK);
    assert_int_equal(write(to_child[1], "p", 1), 1);
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* A job created here after the child opened is seen there: the child
     * is gone now, so check with a second manager of this process. */
    bits_manager *other = open_store();
    bits_job *mine;
    bits_guid id;
    assert_hr_equal(bits_manager_create_job(m, "second", 0, &id, &mine), BITS_S_OK);
    double end = now_s() + 5;
    bits_job *seen = NULL;
    while (!seen && now_s() < end) {
        if (bits_manager_get_job(other, &id, &seen) != BITS_S_OK) {
            seen = NULL;
            usleep(20000);
        }
    }
    assert_non_null(seen);
    assert_hr_equal(bits_job_cancel(mine), BITS_S_OK);
    wait_state(seen, BG_JOB_STATE_CANCELLED, 5);
    bits_job_release(seen);
    bits_job_release(mine);
    bits_job_release(job);
    bits_manager_close(other);
    bits_manager_close(m);
    close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

static void write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static size_t read_bytes(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* A damaged database is refused and left exactly as it was. */
static void test_corrupt_store_is_refused_untouched(void **unused)
{
    (void)unused;
    bits_manager *m = open_store();
    bits_manager_close(m);
    char *db = ts_path_join(g_store, "openbits.db");
    char garbage[8192];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (char)(i * 7 + 3);
    write_bytes(db, garbage, sizeof garbage);
    assert_hr_equal(bits_manager_open(g_store, 0, &m), BG_E_DATABASE_CORRUPT);
    char back[9000];
    assert_int_equal(read_bytes(db, back, sizeof back), sizeof garbage);
    assert_memory_equal(back, garbage, sizeof garbage);
    free(db);
}

/* A store written by a newer openbits is not downgraded. */
static void test_newer_schema_is_refused(void **unused)
{
    (void)unused;
    bits_manager *m = open_store();
    bits_manager_close(m);
    edit_store("PRAGMA user_version=99");
    assert_hr_equal(bits_manager_open(g_store, 0, &m), BG_E_DATABASE_CORRUPT);
}

/* Every check that can refuse a store runs before the first write (found
 * by fuzz/fuzz_store_load): a refused database keeps every byte, even in
 * rollback-journal mode, where the switch to WAL would rewrite its header. */
static void test_refused_store_is_never_written(void **unused)
{
    (void)unused;
    static const char *const damage[] = {
        "PRAGMA user_version=99",                                  /* newer */
        "ALTER TABLE jobs RENAME COLUMN seq TO sequence",          /* not our schema */
        "CREATE TRIGGER t AFTER INSERT ON jobs BEGIN SELECT 1; END", /* runs on our writes */
        "CREATE TABLE extra(x)",
    };
    char *db = ts_path_join(g_store, "openbits.db");
    size_t cap = 1 << 20;
    char *before = malloc(cap), *after = malloc(cap);
    assert_true(before && after);
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        unlink(db);
        bits_manager *m = open_store();
        bits_manager_close(m);
        edit_store("PRAGMA journal_mode=DELETE");
        edit_store(damage[i]);
        size_t n = read_bytes(db, before, cap);
        assert_hr_equal(bits_manager_open(g_store, 0, &m), BG_E_DATABASE_CORRUPT);
        assert_int_equal(read_bytes(db, after, cap), n);
        assert_memory_equal(after, before, n);
    }
    free(before), free(after), free(db);
}

/* A temporary file name in the store that openbits would not have made
 * (another directory, another form) is ignored: finishing a cancelled job
 * never deletes some other file. */
static void test_foreign_temp_name_is_not_deleted(void **unused)
{
    (void)unused;
    bits_manager *m = open_store();
    bits_job *job;
    bits_guid id;
    char *d = ts_path_join(g_dir, "x.bin"), *victim = ts_path_join(g_dir, "precious.txt");
    assert_hr_equal(bits_manager_create_job(m, "hostile", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/x", d), BITS_S_OK);
    bits_job_release(job);
    bits_manager_close(m);
    write_bytes(victim, "keep", 4);
    char sql[600];
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = %u; UPDATE files SET temp_name = '%s';",
             BG_JOB_STATE_CANCELLED, victim);
    edit_store(sql);

    m = open_store();
    only_job(m, 0);
    struct stat st;
    assert_int_equal(stat(victim, &st), 0);
    bits_manager_close(m);
    free(d), free(victim);
}

static void test_loose_database_permissions_refused(void **unused)
{
    (void)unused;
    bits_manager *m = open_store();
    bits_manager_close(m);
    char *db = ts_path_join(g_store, "openbits.db");
    chmod(db, 0644);
    assert_hr_equal(bits_manager_open(g_store, 0, &m), BITS_E_ACCESSDENIED);
    chmod(db, 0600);
    assert_hr_equal(bits_manager_open(g_store, 0, &m), BITS_S_OK);
    bits_manager_close(m);
    free(db);
}

/* A crash between "cancelled" and "deleted" is finished on the next open:
 * the job is gone and so is its temporary file. */
static void test_leftover_temps_of_final_jobs_are_removed(void **unused)
{
    (void)unused;
    bits_manager *m = open_store();
    bits_job *job;
    bits_guid id;
    char *d = ts_path_join(g_dir, "x.bin"), *temp = ts_path_join(g_dir, ".openbits-left.tmp");
    assert_hr_equal(bits_manager_create_job(m, "half cancelled", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/x", d), BITS_S_OK);
    bits_job_release(job);
    bits_manager_close(m);

    /* What a crash in the middle of Cancel leaves behind. */
    write_bytes(temp, "partial", 7);
    char sql[600];
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = %u; UPDATE files SET temp_name = '%s';",
             BG_JOB_STATE_CANCELLED, temp);
    edit_store(sql);

    m = open_store();
    only_job(m, 0);
    struct stat st;
    assert_int_equal(stat(temp, &st), -1);
    bits_manager_close(m);
    free(d), free(temp);
}

/* A job nobody touched for 90 days is cancelled (JobInactivityTimeout),
 * its temporary file deleted. */
static void test_inactive_jobs_are_cancelled(void **unused)
{
    (void)unused;
    bits_manager *m = open_store();
    bits_job *job;
    bits_guid id;
    char *d = ts_path_join(g_dir, "old.bin"), *temp = ts_path_join(g_dir, ".openbits-old.tmp");
    assert_hr_equal(bits_manager_create_job(m, "forgotten", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/x", d), BITS_S_OK);
    bits_job_release(job);
    bits_manager_close(m);
    write_bytes(temp, "old", 3);
    char sql[600];
    int64_t long_ago = ((int64_t)time(NULL) - 91LL * 24 * 3600) * 1000000;
    snprintf(sql, sizeof sql, "UPDATE jobs SET modification_time = %lld;"
             " UPDATE files SET temp_name = '%s';", (long long)long_ago, temp);
    edit_store(sql);

    m = open_store();
    double end = now_s() + 5;
    bits_job *found = NULL;
    while (now_s() < end && bits_manager_get_job(m, &id, &found) == BITS_S_OK) {
        bits_job_release(found);
        usleep(20000);
    }
    assert_hr_equal(bits_manager_get_job(m, &id, &found), BG_E_NOT_FOUND);
    struct stat st;
    assert_int_equal(stat(temp, &st), -1);
    bits_manager_close(m);
    m = open_store();
    only_job(m, 0); /* gone from the store too */
    bits_manager_close(m);
    free(d), free(temp);
}

/* openbitsd keeps transferring after the program that queued a job left. */
static void test_daemon_finishes_jobs_of_departed_programs(void **unused)
{
    (void)unused;
    if (!getenv("OPENBITSD"))
        skip();
    ts_server srv;
    char *src, *d, *url;
    serve(&srv, "d.bin", 3u << 20, 7, &src, &d, &url);

    /* The daemon opens the store first and holds its engine. */
    bits_manager *m = open_store();
    bits_manager_close(m);
    int pid = ts_start_openbitsd(g_store, NULL);

    m = open_store();
    bits_job *job;
    bits_guid id;
    assert_hr_equal(bits_manager_create_job(m, "left behind", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 2u << 20), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    bits_job_release(job);
    bits_manager_close(m); /* the program is gone; the daemon carries on */

    double end = now_s() + 30;
    uint32_t state = 0;
    while (now_s() < end) {
        usleep(200000);
        m = open_store();
        assert_hr_equal(bits_manager_get_job(m, &id, &job), BITS_S_OK);
        state = state_of(job);
        if (state == BG_JOB_STATE_TRANSFERRED)
            break;
        bits_job_release(job);
        bits_manager_close(m);
    }
    assert_int_equal(state, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    bits_manager_close(m);

    kill(pid, SIGHUP); /* reopens the store and keeps serving */
    usleep(300000);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
    ts_stop_openbitsd(pid);
    unserve(&srv, src, d, url);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_reopen_restores_everything),
        T(test_kill_9_at_random_points),
        T(test_engine_takeover),
        T(test_concurrent_first_open),
        T(test_416_on_a_finished_file),
        T(test_file_rows_are_stored_with_the_state),
        T(test_unrecorded_temp_is_not_left_behind),
        T(test_two_processes_share_a_store),
        T(test_corrupt_store_is_refused_untouched),
        T(test_newer_schema_is_refused),
        T(test_refused_store_is_never_written),
        T(test_loose_database_permissions_refused),
        T(test_foreign_temp_name_is_not_deleted),
        T(test_leftover_temps_of_final_jobs_are_removed),
        T(test_inactive_jobs_are_cancelled),
        T(test_daemon_finishes_jobs_of_departed_programs),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
