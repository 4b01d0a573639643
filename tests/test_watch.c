/*
 * test_watch.c - bits_manager_set_watch_callback (experimental): every
 * event of every job whatever its notify flags, for waits that must not
 * depend on the flags an application chose (issue 17, the Python
 * binding's Job.wait and asyncio). Over real transfers from the loopback
 * server, with the notification thread and in fd mode.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openbits/experimental.h>

#include "transfer_support.h"

/* What a callback saw, in order; "who" tells the job's callback (J), the
 * manager's (M) and the watch (W) apart in one shared log. */
typedef struct seen {
    pthread_mutex_t lock;
    char who[512];
    uint32_t kinds[512];
    uint32_t states[512];
    int n;
} seen;

typedef struct tap {
    seen *s;
    char who;
} tap;

static void record(const bits_event *ev, void *data)
{
    tap *t = data;
    seen *s = t->s;
    pthread_mutex_lock(&s->lock);
    if (s->n < 512) {
        s->who[s->n] = t->who;
        s->kinds[s->n] = ev->kind;
        s->states[s->n] = ev->state;
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
}

/* The index of the first entry of @p who with @p kind (and @p state, 99:
 * any) at or after @p from; -1 when none. */
static int find(seen *s, char who, uint32_t kind, uint32_t state, int from)
{
    pthread_mutex_lock(&s->lock);
    int at = -1;
    for (int i = from; i < s->n && at < 0; i++) {
        if (s->who[i] == who && s->kinds[i] == kind && (state == 99 || s->states[i] == state))
            at = i;
    }
    pthread_mutex_unlock(&s->lock);
    return at;
}

static int count(seen *s, char who)
{
    pthread_mutex_lock(&s->lock);
    int c = 0;
    for (int i = 0; i < s->n; i++)
        c += s->who[i] == who;
    pthread_mutex_unlock(&s->lock);
    return c;
}

/* Waits (notification thread) or dispatches (fd mode) until the watch
 * saw @p kind / @p state; asserts it did within 30 s. */
static void await_watch(bits_manager *m, seen *s, uint32_t kind, uint32_t state)
{
    int32_t fd = -1;
    int fd_mode = bits_manager_get_event_fd(m, &fd) == BITS_S_OK;
    double until = now_s() + 30;
    while (find(s, 'W', kind, state, 0) < 0 && now_s() < until) {
        if (fd_mode) {
            struct pollfd p = { fd, POLLIN, 0 };
            if (poll(&p, 1, 100) > 0)
                assert_hr_equal(bits_manager_dispatch(m, NULL), BITS_S_OK);
        } else {
            usleep(5000);
        }
    }
    assert_true(find(s, 'W', kind, state, 0) >= 0);
}

static bits_manager *open_manager(const char *store, uint32_t flags)
{
    bits_manager *m = NULL;
    assert_hr_equal(bits_manager_open(store, flags | (store ? 0 : BITS_MANAGER_OPEN_IN_MEMORY), &m),
                    BITS_S_OK);
    return m;
}

static bits_job *new_job(bits_manager *m, const char *name)
{
    bits_guid id;
    bits_job *job = NULL;
    assert_hr_equal(bits_manager_create_job(m, name, BG_JOB_TYPE_DOWNLOAD, &id, &job), BITS_S_OK);
    return job;
}

/* With the default notify flags (JOB_TRANSFERRED | JOB_ERROR) the job's
 * callback hears only the outcome; the watch hears every state, each
 * file, the outcome after the callback did, and the end (ACKNOWLEDGED). */
static void run_transfer(uint32_t open_flags)
{
    bits_manager *m = open_manager(NULL, open_flags);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
    tap job_tap = { &s, 'J' }, watch_tap = { &s, 'W' };
    free(env_serve(&E, "w1.bin", 120000, 1));
    free(env_serve(&E, "w2.bin", 30000, 2));
    assert_hr_equal(bits_manager_set_watch_callback(m, record, &watch_tap), BITS_S_OK);
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(m, "watched", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    char *d1 = env_dl_path(&E, "w1.bin"), *d2 = env_dl_path(&E, "w2.bin");
    env_add(&E, job, "w1.bin", d1);
    env_add(&E, job, "w2.bin", d2);
    assert_hr_equal(bits_job_set_event_callback(job, record, &job_tap), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    await_watch(m, &s, BITS_EVENT_JOB_TRANSFERRED, BG_JOB_STATE_TRANSFERRED);

    int q = find(&s, 'W', BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_QUEUED, 0);
    int c = find(&s, 'W', BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_CONNECTING, 0);
    int t = find(&s, 'W', BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_TRANSFERRING, 0);
    int f1 = find(&s, 'W', BITS_EVENT_FILE_TRANSFERRED, 99, 0);
    int f2 = find(&s, 'W', BITS_EVENT_FILE_TRANSFERRED, 99, f1 + 1);
    int jt = find(&s, 'J', BITS_EVENT_JOB_TRANSFERRED, BG_JOB_STATE_TRANSFERRED, 0);
    int wt = find(&s, 'W', BITS_EVENT_JOB_TRANSFERRED, BG_JOB_STATE_TRANSFERRED, 0);
    assert_true(q >= 0 && c > q && t > c && f1 > t && f2 > f1 && jt > f2);
    assert_int_equal(wt, jt + 1); /* the watch after the callbacks of the same event */
    assert_int_equal(count(&s, 'J'), 1);  /* the flags still rule the callback */

    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    await_watch(m, &s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_ACKNOWLEDGED);
    assert_int_equal(count(&s, 'J'), 1);
    bits_job_set_event_callback(job, NULL, NULL);
    assert_hr_equal(bits_manager_set_watch_callback(m, NULL, NULL), BITS_S_OK);
    bits_job_release(job);
    bits_manager_close(m);
    free(d1);
    free(d2);
}

static void test_every_state_with_default_flags(void **unused)
{
    (void)unused;
    run_transfer(0);
}

static void test_every_state_in_fd_mode(void **unused)
{
    (void)unused;
    run_transfer(BITS_MANAGER_OPEN_EVENT_FD);
}

/* BG_NOTIFY_DISABLE silences the callbacks, not the watch; property
 * changes come to it as JOB_MODIFICATION too. */
static void test_disable_silences_callbacks_not_the_watch(void **unused)
{
    (void)unused;
    bits_manager *m = open_manager(NULL, 0);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
    tap mgr_tap = { &s, 'M' }, watch_tap = { &s, 'W' };
    assert_hr_equal(bits_manager_set_event_callback(m, record, &mgr_tap), BITS_S_OK);
    assert_hr_equal(bits_manager_set_watch_callback(m, record, &watch_tap), BITS_S_OK);
    bits_job *job = new_job(m, "silent");
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_DISABLE | BG_NOTIFY_JOB_MODIFICATION),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_description(job, "a property"), BITS_S_OK);
    await_watch(m, &s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    await_watch(m, &s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_CANCELLED);
    assert_int_equal(count(&s, 'M'), 0);
    bits_manager_set_event_callback(m, NULL, NULL);
    bits_manager_set_watch_callback(m, NULL, NULL);
    bits_job_release(job);
    bits_manager_close(m);
}

/* With a store: a job another manager (as another process would)
 * completes is seen ending by the watch, with the default flags, in
 * fd mode and with the notification thread. */
static void watch_other_manager(uint32_t open_flags)
{
    char *store = ts_path_join(E.dir, open_flags ? "watch-store-fd" : "watch-store");
    bits_manager *m = open_manager(store, open_flags);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
    tap watch_tap = { &s, 'W' };
    assert_hr_equal(bits_manager_set_watch_callback(m, record, &watch_tap), BITS_S_OK);
    bits_manager *other = open_manager(store, 0);
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(other, "elsewhere", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    bits_job *mine = NULL;
    double until = now_s() + 10;
    while (bits_manager_get_job(m, &id, &mine) != BITS_S_OK && now_s() < until)
        usleep(5000);
    assert_non_null(mine);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    await_watch(m, &s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_CANCELLED);
    bits_job_release(mine);
    bits_job_release(job);
    bits_manager_close(other);
    bits_manager_close(m);
    free(store);
}

static void test_another_manager_ending_a_job(void **unused)
{
    (void)unused;
    watch_other_manager(0);
    watch_other_manager(BITS_MANAGER_OPEN_EVENT_FD);
}

/* A watch is not a listener: the job's notify program still runs. */
static void test_the_notify_program_still_runs(void **unused)
{
    (void)unused;
    bits_manager *m = open_manager(NULL, 0);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
    tap watch_tap = { &s, 'W' };
    assert_hr_equal(bits_manager_set_watch_callback(m, record, &watch_tap), BITS_S_OK);
    free(env_serve(&E, "np.bin", 1000, 3));
    bits_job *job;
    bits_guid id;
    assert_hr_equal(bits_manager_create_job(m, "program", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    char *dest = env_dl_path(&E, "np.bin"), *marker = env_dl_path(&E, "np.marker");
    char params[1024];
    snprintf(params, sizeof params, "touch %s", marker);
    env_add(&E, job, "np.bin", dest);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, "/usr/bin/touch", params), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    await_watch(m, &s, BITS_EVENT_JOB_TRANSFERRED, BG_JOB_STATE_TRANSFERRED);
    double until = now_s() + 10;
    while (!exists(marker) && now_s() < until)
        usleep(10000);
    assert_true(exists(marker));
    bits_job_cancel(job);
    bits_job_release(job);
    bits_manager_close(m);
    free(dest);
    free(marker);
}

/* ---- removal waits for a running call; close delivers outcomes ------------------------ */

typedef struct blocker {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int inside, release, calls;
} blocker;

static void blocking(const bits_event *ev, void *data)
{
    (void)ev;
    blocker *b = data;
    pthread_mutex_lock(&b->lock);
    b->calls++;
    b->inside = 1;
    pthread_cond_broadcast(&b->cond);
    while (!b->release)
        pthread_cond_wait(&b->cond, &b->lock);
    b->inside = 0;
    pthread_mutex_unlock(&b->lock);
}

typedef struct remover {
    bits_manager *m;
    blocker *b;
    int was_running;
} remover;

static void *remove_watch(void *arg)
{
    remover *r = arg;
    bits_manager_set_watch_callback(r->m, NULL, NULL);
    pthread_mutex_lock(&r->b->lock);
    r->was_running = r->b->inside;
    pthread_mutex_unlock(&r->b->lock);
    return NULL;
}

static void test_removal_waits_for_a_running_call(void **unused)
{
    (void)unused;
    bits_manager *m = open_manager(NULL, 0);
    blocker b = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
    assert_hr_equal(bits_manager_set_watch_callback(m, blocking, &b), BITS_S_OK);
    bits_job *job = new_job(m, "blocked");
    assert_hr_equal(bits_job_set_description(job, "an event"), BITS_S_OK);
    pthread_mutex_lock(&b.lock);
    while (!b.inside)
        pthread_cond_wait(&b.cond, &b.lock);
    pthread_mutex_unlock(&b.lock);
    remover r = { .m = m, .b = &b };
    pthread_t t;
    pthread_create(&t, NULL, remove_watch, &r);
    usleep(50000); /* a removal that does not wait would return meanwhile */
    pthread_mutex_lock(&b.lock);
    b.release = 1;
    pthread_cond_broadcast(&b.cond);
    pthread_mutex_unlock(&b.lock);
    pthread_join(t, NULL);
    assert_int_equal(r.was_running, 0);
    assert_int_equal(b.calls, 1);
    bits_job_cancel(job); /* no watch: nothing more is called */
    bits_job_release(job);
    bits_manager_close(m);
    assert_int_equal(b.calls, 1);
}

static void test_close_delivers_queued_outcomes(void **unused)
{
    (void)unused;
    bits_manager *m = open_manager(NULL, BITS_MANAGER_OPEN_EVENT_FD);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
    tap watch_tap = { &s, 'W' };
    assert_hr_equal(bits_manager_set_watch_callback(m, record, &watch_tap), BITS_S_OK);
    bits_job *job = new_job(m, "closing");
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    assert_int_equal(count(&s, 'W'), 0); /* nobody dispatched */
    bits_manager_close(m);
    assert_true(find(&s, 'W', BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_CANCELLED, 0) >= 0);
    bits_job_release(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_state_with_default_flags),
        cmocka_unit_test(test_every_state_in_fd_mode),
        cmocka_unit_test(test_disable_silences_callbacks_not_the_watch),
        cmocka_unit_test(test_another_manager_ending_a_job),
        cmocka_unit_test(test_the_notify_program_still_runs),
        cmocka_unit_test(test_removal_waits_for_a_running_call),
        cmocka_unit_test(test_close_delivers_queued_outcomes),
    };
    return cmocka_run_group_tests(tests, tx_group_setup, tx_group_teardown);
}
