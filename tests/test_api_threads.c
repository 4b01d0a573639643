/*
 * test_api_threads.c - eight threads creating, enumerating, mutating,
 * reading and ending jobs of one manager at once, some of them shared.
 * Run under ASan, TSan and valgrind by scripts/test.sh: no crash, no leak,
 * no race, and every call answers with a documented code.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openbits/openbits.h>

#include "test_support.h"

#define THREADS 8
#define ROUNDS 150
#define SHARED 4

static bits_manager *g_mgr;
static bits_job *g_shared[SHARED];
static char *g_dir;

static int documented(bits_hresult hr)
{
    return hr == BITS_S_OK || hr == BITS_S_FALSE || hr == BG_S_PARTIAL_COMPLETE ||
           hr == BG_E_INVALID_STATE || hr == BG_E_EMPTY;
}

typedef struct worker {
    int index;
    int bad;        /* calls that answered something undocumented */
    int created;    /* jobs this thread left alive */
} worker;

static void check(worker *w, bits_hresult hr, const char *what)
{
    if (!documented(hr)) {
        fprintf(stderr, "thread %d: %s -> %s\n", w->index, what, bits_hresult_name(hr));
        w->bad++;
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    char dest[4096];
    snprintf(dest, sizeof dest, "%s/t%d.bin", g_dir, w->index);
    for (int round = 0; round < ROUNDS; round++) {
        bits_job *job;
        bits_guid id;
        check(w, bits_manager_create_job(g_mgr, "worker", 0, &id, &job), "create");
        check(w, bits_job_set_priority(job, (uint32_t)(round % 4)), "priority");
        check(w, bits_job_set_description(job, "busy"), "description");
        /* Port 9 (discard) on loopback refuses: transfers fail fast. */
        check(w, bits_job_add_file(job, "http://127.0.0.1:9/x", dest), "add");
        check(w, bits_job_resume(job), "resume");
        check(w, bits_job_suspend(job), "suspend");

        bits_job *shared = g_shared[round % SHARED];
        uint32_t state;
        check(w, bits_job_get_state(shared, &state), "state");
        check(w, bits_job_set_display_name(shared, "shared"), "shared name");
        check(w, bits_job_set_notify_flags(shared, BG_NOTIFY_JOB_MODIFICATION), "flags");
        bits_job_progress p = { .struct_size = sizeof p };
        check(w, bits_job_get_progress(shared, &p), "progress");

        bits_job_enum *e;
        check(w, bits_manager_enum_jobs(g_mgr, 0, &e), "enum");
        bits_job *batch[8];
        uint32_t n = 0;
        check(w, bits_job_enum_next(e, 8, batch, &n), "next");
        for (uint32_t i = 0; i < n; i++) {
            char *name = NULL;
            check(w, bits_job_get_display_name(batch[i], &name), "name");
            bits_free(name);
            bits_job_release(batch[i]);
        }
        bits_job_enum_free(e);

        if (round % 3 == 0) {
            check(w, bits_job_cancel(job), "cancel");
        } else if (round % 3 == 1) {
            check(w, bits_job_complete(job), "complete");
        } else {
            w->created++;
        }
        bits_job_release(job);
    }
    return NULL;
}

static void noop(const bits_event *ev, void *data)
{
    (void)ev;
    (void)data;
}

static void test_eight_threads(void **unused)
{
    (void)unused;
    g_dir = ts_make_temp_dir();
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &g_mgr), BITS_S_OK);
    assert_hr_equal(bits_manager_set_limit(g_mgr, BITS_LIMIT_JOBS, 0), BITS_S_OK);
    assert_hr_equal(bits_manager_set_event_callback(g_mgr, noop, NULL), BITS_S_OK);
    for (int i = 0; i < SHARED; i++) {
        bits_guid id;
        assert_hr_equal(bits_manager_create_job(g_mgr, "shared", 0, &id, &g_shared[i]),
                        BITS_S_OK);
    }
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){ .index = i };
        assert_int_equal(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
    }
    int alive = SHARED, bad = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        alive += workers[i].created;
        bad += workers[i].bad;
    }
    assert_int_equal(bad, 0);
    bits_job_enum *e;
    uint32_t count = 0;
    assert_hr_equal(bits_manager_enum_jobs(g_mgr, 0, &e), BITS_S_OK);
    assert_hr_equal(bits_job_enum_get_count(e, &count), BITS_S_OK);
    assert_int_equal(count, (uint32_t)alive);
    bits_job_enum_free(e);

    /* Closing with handles still held, then using and releasing them. */
    bits_manager_close(g_mgr);
    for (int i = 0; i < SHARED; i++) {
        uint32_t state;
        assert_hr_equal(bits_job_get_state(g_shared[i], &state), BITS_S_OK);
        assert_hr_equal(bits_job_resume(g_shared[i]), BG_E_INVALID_STATE);
        bits_job_release(g_shared[i]);
    }
    ts_remove_tree(g_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_eight_threads) };
    return cmocka_run_group_tests_name("api_threads", tests, NULL, NULL);
}
