/*
 * test_conformance.c - behaviours the issues promise that no other test
 * showed (found by auditing issues 3-5 against the code):
 *
 * - a store directory that belongs to another user is refused with
 *   BITS_E_ACCESSDENIED and left as it was (issue 5; needs root to make
 *   such a directory, skipped otherwise);
 * - background jobs of one priority take turns in time slices
 *   (BITS_LIMIT_TIME_SLICE_MS): each is seen TRANSFERRING while the other
 *   waits QUEUED, and both end byte-identical (issue 4, spec 5.3);
 * - a callback registered after the job reached TRANSFERRED or ERROR
 *   still receives that event, once (issue 4, spec 2.11);
 * - closing the manager delivers the outcome events already queued;
 * - files of a job and the next job reuse one connection (issue 4).
 *
 * Waits are bounded and generous; nothing asserts how long anything took.
 */
#define _GNU_SOURCE /* usleep, clock_gettime: not linked to the internals */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <openbits/openbits.h>

#include "http_server.h"
#include "test_support.h"

static char *g_dir;

static int setup(void **state)
{
    (void)state;
    g_dir = ts_make_temp_dir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_remove_tree(g_dir);
    return 0;
}

static void test_store_of_another_user_is_refused(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip(); /* only root can give a directory to someone else */
    char *store = ts_path_join(g_dir, "foreign");
    assert_int_equal(mkdir(store, 0700), 0);
    assert_int_equal(chown(store, 65534, 65534), 0); /* nobody */
    bits_manager *m = (bits_manager *)1;
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_E_ACCESSDENIED);
    assert_ptr_equal(m, (bits_manager *)1);
    char *db = ts_path_join(store, "openbits.db");
    struct stat st;
    assert_int_equal(stat(db, &st), -1); /* nothing was created in it */
    free(db);
    assert_int_equal(chown(store, 0, 0), 0); /* so that the cleanup may remove it */
    free(store);
}

/* Two NORMAL jobs, slow enough to outlast several slices: each one must be
 * seen transferring while the other is queued, then both complete. */
static void test_equal_priority_jobs_take_turns(void **state)
{
    (void)state;
    char *www = ts_path_join(g_dir, "www"), *dl = ts_path_join(g_dir, "dl");
    assert_int_equal(mkdir(www, 0700), 0);
    assert_int_equal(mkdir(dl, 0700), 0);
    ts_server srv;
    ts_server_start(&srv, www);
    bits_manager *m;
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &m), BITS_S_OK);
    assert_hr_equal(bits_manager_set_limit(m, BITS_LIMIT_TIME_SLICE_MS, 300), BITS_S_OK);

    bits_job *jobs[2];
    char *src[2], *dst[2];
    for (int i = 0; i < 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "turn%d.bin", i);
        src[i] = ts_path_join(www, name);
        dst[i] = ts_path_join(dl, name);
        ts_write_file(src[i], 400000, 40u + (unsigned)i);
        char path[32];
        snprintf(path, sizeof path, "/%s", name);
        char *url = ts_server_url(&srv, path);
        bits_guid id;
        assert_hr_equal(bits_manager_create_job(m, name, BG_JOB_TYPE_DOWNLOAD, &id, &jobs[i]),
                        BITS_S_OK);
        assert_hr_equal(bits_job_add_file(jobs[i], url, dst[i]), BITS_S_OK);
        assert_hr_equal(bits_job_set_max_bandwidth(jobs[i], 100000), BITS_S_OK);
        free(url);
    }
    for (int i = 0; i < 2; i++)
        assert_hr_equal(bits_job_resume(jobs[i]), BITS_S_OK);

    /* seen[i]: job i was TRANSFERRING while the other was QUEUED. */
    int seen[2] = { 0, 0 };
    double end = now_s() + 60;
    while (!(seen[0] && seen[1]) && now_s() < end) {
        uint32_t s0 = state_of(jobs[0]), s1 = state_of(jobs[1]);
        seen[0] |= s0 == BG_JOB_STATE_TRANSFERRING && s1 == BG_JOB_STATE_QUEUED;
        seen[1] |= s1 == BG_JOB_STATE_TRANSFERRING && s0 == BG_JOB_STATE_QUEUED;
        usleep(5000);
    }
    assert_true(seen[0] && seen[1]);

    for (int i = 0; i < 2; i++)
        assert_hr_equal(bits_job_set_max_bandwidth(jobs[i], 0), BITS_S_OK);
    end = now_s() + 60;
    while ((state_of(jobs[0]) != BG_JOB_STATE_TRANSFERRED ||
            state_of(jobs[1]) != BG_JOB_STATE_TRANSFERRED) && now_s() < end)
        usleep(10000);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(state_of(jobs[i]), BG_JOB_STATE_TRANSFERRED);
        assert_hr_equal(bits_job_complete(jobs[i]), BITS_S_OK);
        assert_true(ts_files_equal(src[i], dst[i]));
        bits_job_release(jobs[i]);
        free(src[i]), free(dst[i]);
    }
    bits_manager_close(m);
    ts_server_stop(&srv);
    free(www), free(dl);
}

typedef struct counter {
    pthread_mutex_t lock;
    uint32_t kind; /* the event kind counted */
    int count, others;
} counter;

static void count_event(const bits_event *ev, void *data)
{
    counter *c = data;
    pthread_mutex_lock(&c->lock);
    if (ev->kind == c->kind)
        c->count++;
    else
        c->others++;
    pthread_mutex_unlock(&c->lock);
}

static int count_of(counter *c)
{
    pthread_mutex_lock(&c->lock);
    int n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* Registers a callback on a job already in @p state and expects exactly
 * one @p kind event (waiting for more a little, which can only pass). */
static void expect_one_late_event(bits_job *job, uint32_t kind)
{
    counter c = { .lock = PTHREAD_MUTEX_INITIALIZER, .kind = kind };
    assert_hr_equal(bits_job_set_event_callback(job, count_event, &c), BITS_S_OK);
    double end = now_s() + 10;
    while (count_of(&c) == 0 && now_s() < end)
        usleep(5000);
    usleep(300000);
    assert_int_equal(count_of(&c), 1);
    assert_hr_equal(bits_job_set_event_callback(job, NULL, NULL), BITS_S_OK);
}

static void test_late_callbacks_hear_the_outcome_once(void **state)
{
    (void)state;
    bits_manager *m;
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &m), BITS_S_OK);
    char *src = ts_path_join(g_dir, "src.bin"), *dst = ts_path_join(g_dir, "dst.bin"),
         *missing = ts_path_join(g_dir, "missing.bin"), *dst2 = ts_path_join(g_dir, "dst2.bin");
    ts_write_file(src, 5000, 7);
    bits_guid id;
    bits_job *ok, *bad;
    assert_hr_equal(bits_manager_create_job(m, "ok", BG_JOB_TYPE_DOWNLOAD, &id, &ok), BITS_S_OK);
    assert_hr_equal(bits_manager_create_job(m, "bad", BG_JOB_TYPE_DOWNLOAD, &id, &bad), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(ok, src, dst), BITS_S_OK);      /* a local copy */
    assert_hr_equal(bits_job_add_file(bad, missing, dst2), BITS_S_OK); /* fails: no source */
    assert_hr_equal(bits_job_resume(ok), BITS_S_OK);
    assert_hr_equal(bits_job_resume(bad), BITS_S_OK);
    wait_state(ok, BG_JOB_STATE_TRANSFERRED, 30);
    wait_state(bad, BG_JOB_STATE_ERROR, 30);
    expect_one_late_event(ok, BITS_EVENT_JOB_TRANSFERRED);
    expect_one_late_event(bad, BITS_EVENT_JOB_ERROR);
    assert_hr_equal(bits_job_complete(ok), BITS_S_OK);
    assert_true(ts_files_equal(src, dst));
    assert_hr_equal(bits_job_cancel(bad), BITS_S_OK);
    bits_job_release(ok);
    bits_job_release(bad);
    bits_manager_close(m);
    free(src), free(dst), free(missing), free(dst2);
}

/* A slow callback: the events after the first queue up behind it. */
static void slow_count_event(const bits_event *ev, void *data)
{
    usleep(300000);
    count_event(ev, data);
}

/* Closing the manager right after a job finished still delivers the
 * outcome events already queued (before close returns). */
static void test_close_delivers_queued_outcomes(void **state)
{
    (void)state;
    bits_manager *m;
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &m), BITS_S_OK);
    char *src = ts_path_join(g_dir, "src.bin"), *d1 = ts_path_join(g_dir, "d1.bin"),
         *d2 = ts_path_join(g_dir, "d2.bin");
    ts_write_file(src, 5000, 3);
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(m, "closing", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, src, d1), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, src, d2), BITS_S_OK);
    counter c = { .lock = PTHREAD_MUTEX_INITIALIZER, .kind = BITS_EVENT_JOB_TRANSFERRED };
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_TRANSFERRED |
                                                       BG_NOTIFY_FILE_TRANSFERRED),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_event_callback(job, slow_count_event, &c), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_state(job, BG_JOB_STATE_TRANSFERRED, 30);
    bits_manager_close(m); /* the first FILE_TRANSFERRED is most likely still running */
    assert_int_equal(count_of(&c), 1);
    pthread_mutex_lock(&c.lock);
    assert_int_equal(c.others, 2); /* both FILE_TRANSFERRED, before it */
    pthread_mutex_unlock(&c.lock);
    bits_job_release(job);
    free(src), free(d1), free(d2);
}

/* The distinct "peer" (client port) values in the server's request log. */
static int distinct_peers(const char *stats, long *first)
{
    long seen[64];
    int n = 0;
    for (const char *p = strstr(stats, "\"peer\": "); p; p = strstr(p + 1, "\"peer\": ")) {
        long port = strtol(p + 8, NULL, 10);
        int known = 0;
        for (int i = 0; i < n; i++)
            known |= seen[i] == port;
        if (!known && n < 64)
            seen[n++] = port;
    }
    *first = n ? seen[0] : -1;
    return n;
}

/* Files of a job, and the next job, go over the connection the first
 * request opened (libcurl's connection cache lives in the engine's multi
 * handle, not in a transfer). */
static void test_connections_are_reused(void **state)
{
    (void)state;
    char *www = ts_path_join(g_dir, "www");
    assert_int_equal(mkdir(www, 0700), 0);
    const char *names[3] = { "a.bin", "b.bin", "c.bin" };
    char *src[3], *dst[3], *url[3];
    ts_server srv;
    ts_server_start(&srv, www);
    for (int i = 0; i < 3; i++) {
        char path[16];
        src[i] = ts_path_join(www, names[i]);
        snprintf(path, sizeof path, "out-%s", names[i]);
        dst[i] = ts_path_join(g_dir, path);
        snprintf(path, sizeof path, "/%s", names[i]);
        url[i] = ts_server_url(&srv, path);
        ts_write_file(src[i], 30000, 60u + (unsigned)i);
    }
    bits_manager *m;
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &m), BITS_S_OK);
    bits_guid id;
    bits_job *first, *second;
    assert_hr_equal(bits_manager_create_job(m, "first", BG_JOB_TYPE_DOWNLOAD, &id, &first),
                    BITS_S_OK);
    assert_hr_equal(bits_job_add_file(first, url[0], dst[0]), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(first, url[1], dst[1]), BITS_S_OK);
    assert_hr_equal(bits_job_resume(first), BITS_S_OK);
    wait_state(first, BG_JOB_STATE_TRANSFERRED, 30);
    assert_hr_equal(bits_manager_create_job(m, "second", BG_JOB_TYPE_DOWNLOAD, &id, &second),
                    BITS_S_OK);
    assert_hr_equal(bits_job_add_file(second, url[2], dst[2]), BITS_S_OK);
    assert_hr_equal(bits_job_resume(second), BITS_S_OK);
    wait_state(second, BG_JOB_STATE_TRANSFERRED, 30);

    char *stats = ts_server_stats(&srv);
    long port;
    assert_int_equal(distinct_peers(stats, &port), 1);
    assert_true(port > 0);
    free(stats);
    assert_hr_equal(bits_job_complete(first), BITS_S_OK);
    assert_hr_equal(bits_job_complete(second), BITS_S_OK);
    for (int i = 0; i < 3; i++) {
        assert_true(ts_files_equal(src[i], dst[i]));
        free(src[i]), free(dst[i]), free(url[i]);
    }
    bits_job_release(first);
    bits_job_release(second);
    bits_manager_close(m);
    ts_server_stop(&srv);
    free(www);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_of_another_user_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_equal_priority_jobs_take_turns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_callbacks_hear_the_outcome_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_close_delivers_queued_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connections_are_reused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
