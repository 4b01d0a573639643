/*
 * test_event_fd.c - events in the application's own loop (issue 17):
 * BITS_MANAGER_OPEN_EVENT_FD, bits_manager_get_event_fd() and
 * bits_manager_dispatch(), over real transfers from the loopback server.
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

typedef struct seen {
    pthread_mutex_t lock;
    uint32_t kinds[256];
    uint32_t states[256];
    int n;
    int other_thread;       /* a callback ran on another thread than main */
    pthread_t main;
} seen;

static void record(const bits_event *ev, void *data)
{
    seen *s = data;
    pthread_mutex_lock(&s->lock);
    if (s->n < 256) {
        s->kinds[s->n] = ev->kind;
        s->states[s->n] = ev->state;
        s->n++;
    }
    if (!pthread_equal(pthread_self(), s->main))
        s->other_thread = 1;
    pthread_mutex_unlock(&s->lock);
}

static int index_of(seen *s, uint32_t kind, uint32_t state, int from)
{
    for (int i = from; i < s->n; i++) {
        if (s->kinds[i] == kind && (state == 99 || s->states[i] == state))
            return i;
    }
    return -1;
}

static bits_manager *open_fd_manager(const char *store)
{
    bits_manager *m = NULL;
    uint32_t flags = BITS_MANAGER_OPEN_EVENT_FD | (store ? 0 : BITS_MANAGER_OPEN_IN_MEMORY);
    assert_hr_equal(bits_manager_open(store, flags, &m), BITS_S_OK);
    return m;
}

/* Polls the manager's descriptor and dispatches until @p done says so or
 * @p timeout_s passes; returns the events dispatched. */
static uint32_t run_loop(bits_manager *m, int (*done)(void *), void *ctx, double timeout_s)
{
    int32_t fd = -1;
    assert_hr_equal(bits_manager_get_event_fd(m, &fd), BITS_S_OK);
    uint32_t total = 0;
    double until = now_s() + timeout_s;
    while (!done(ctx) && now_s() < until) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 100) > 0) {
            uint32_t n = 0;
            assert_hr_equal(bits_manager_dispatch(m, &n), BITS_S_OK);
            total += n;
        }
    }
    return total;
}

static int heard_transferred(void *ctx)
{
    seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    int done = index_of(s, BITS_EVENT_JOB_TRANSFERRED, 99, 0) >= 0;
    pthread_mutex_unlock(&s->lock);
    return done;
}

/* Every event of a real two-file transfer arrives through the descriptor,
 * on the thread that dispatches, in the order the contract promises. */
static void test_events_in_own_loop(void **unused)
{
    (void)unused;
    bits_manager *m = open_fd_manager(NULL);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER, .main = pthread_self() };
    free(env_serve(&E, "one.bin", 100000, 1));
    free(env_serve(&E, "two.bin", 50000, 2));
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(m, "fd", BG_JOB_TYPE_DOWNLOAD, &id, &job), BITS_S_OK);
    char *url1 = ts_server_url(&E.srv, "/one.bin"), *url2 = ts_server_url(&E.srv, "/two.bin");
    char *d1 = env_dl_path(&E, "fd1.bin"), *d2 = env_dl_path(&E, "fd2.bin");
    assert_hr_equal(bits_job_add_file(job, url1, d1), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, url2, d2), BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_TRANSFERRED |
                                                       BG_NOTIFY_JOB_MODIFICATION |
                                                       BG_NOTIFY_FILE_TRANSFERRED),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_event_callback(job, record, &s), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    uint32_t n = run_loop(m, heard_transferred, &s, 30);
    assert_true(n >= 4);
    assert_false(s.other_thread);
    int q = index_of(&s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_QUEUED, 0);
    int t = index_of(&s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_TRANSFERRING, 0);
    int f1 = index_of(&s, BITS_EVENT_FILE_TRANSFERRED, 99, 0);
    int f2 = index_of(&s, BITS_EVENT_FILE_TRANSFERRED, 99, f1 + 1);
    int jt = index_of(&s, BITS_EVENT_JOB_TRANSFERRED, 99, 0);
    assert_true(q >= 0 && t > q && f1 > t && f2 > f1 && jt > f2);
    /* Nothing due: the descriptor is not readable, and dispatch has
     * nothing to run. */
    int32_t fd;
    bits_manager_get_event_fd(m, &fd);
    struct pollfd p = { fd, POLLIN, 0 };
    uint32_t more = 99;
    assert_hr_equal(bits_manager_dispatch(m, &more), BITS_S_OK);
    assert_int_equal(poll(&p, 1, 0), 0);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    bits_job_set_event_callback(job, NULL, NULL);
    bits_job_release(job);
    bits_manager_close(m);
    free(url1);
    free(url2);
    free(d1);
    free(d2);
}

/* ---- removal while a callback runs in dispatch ---------------------------------------- */

typedef struct blocker {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int inside, release, calls;
    bits_manager *m;
    bits_hresult nested;
} blocker;

static void blocking_cb(const bits_event *ev, void *data)
{
    (void)ev;
    blocker *b = data;
    b->nested = bits_manager_dispatch(b->m, NULL); /* no dispatch inside dispatch */
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
    bits_job *job;
    blocker *b;
    atomic_int done;
    int call_was_running; /* the callback was still inside when removal returned */
} remover;

static void *remove_cb(void *arg)
{
    remover *r = arg;
    bits_job_set_event_callback(r->job, NULL, NULL);
    pthread_mutex_lock(&r->b->lock);
    r->call_was_running = r->b->inside;
    pthread_mutex_unlock(&r->b->lock);
    atomic_store(&r->done, 1);
    return NULL;
}

static void *dispatch_once(void *arg)
{
    bits_manager_dispatch(arg, NULL);
    return NULL;
}

/* A callback runs in dispatch on one thread; another thread removes it:
 * the removal returns only after the running call did (so its user data
 * may then go), and a dispatch from inside a callback runs nothing. */
static void test_removal_waits_for_dispatched_call(void **unused)
{
    (void)unused;
    bits_manager *m = open_fd_manager(NULL);
    blocker b = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .m = m };
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(m, "remove", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), BITS_S_OK);
    assert_hr_equal(bits_job_set_event_callback(job, blocking_cb, &b), BITS_S_OK);
    assert_hr_equal(bits_job_set_description(job, "an event"), BITS_S_OK);
    pthread_t dispatcher, rem;
    pthread_create(&dispatcher, NULL, dispatch_once, m);
    pthread_mutex_lock(&b.lock);
    while (!b.inside)
        pthread_cond_wait(&b.cond, &b.lock);
    pthread_mutex_unlock(&b.lock);
    remover r = { .job = job, .b = &b };
    pthread_create(&rem, NULL, remove_cb, &r);
    /* Time for a removal that does not wait to return (it must not: the
     * call returns only when we let it, and the remover checks then). */
    usleep(50000);
    pthread_mutex_lock(&b.lock);
    b.release = 1;
    pthread_cond_broadcast(&b.cond);
    pthread_mutex_unlock(&b.lock);
    pthread_join(rem, NULL);
    pthread_join(dispatcher, NULL);
    assert_int_equal(atomic_load(&r.done), 1);
    assert_int_equal(r.call_was_running, 0);
    assert_hr_equal(b.nested, BITS_S_FALSE);
    assert_int_equal(b.calls, 1);
    bits_job_cancel(job);
    bits_job_release(job);
    bits_manager_close(m);
}

/* Outcomes queued but not dispatched are delivered by close, on the
 * closing thread, before it returns. */
static void test_close_delivers_outcomes(void **unused)
{
    (void)unused;
    bits_manager *m = open_fd_manager(NULL);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER, .main = pthread_self() };
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(m, "close", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), BITS_S_OK);
    assert_hr_equal(bits_job_set_event_callback(job, record, &s), BITS_S_OK);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK); /* a state change: an outcome */
    assert_int_equal(s.n, 0);
    bits_manager_close(m);
    assert_int_equal(index_of(&s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_CANCELLED, 0), 0);
    assert_false(s.other_thread);
    bits_job_release(job);
}

/* A callback that closes its manager while dispatch delivers an event,
 * the application holding no job handle: the event held the last job
 * reference, and freeing it freed the queue and the notifier that
 * dispatch still used (found in review; ASan and valgrind see it). */
static void close_from_callback(const bits_event *e, void *data)
{
    (void)e;
    bits_manager **m = data;
    if (*m) {
        bits_manager_close(*m);
        *m = NULL;
    }
}

static void test_callback_closes_the_manager_during_dispatch(void **unused)
{
    (void)unused;
    bits_manager *m = open_fd_manager(NULL);
    bits_manager *closing = m;
    assert_hr_equal(bits_manager_set_event_callback(m, close_from_callback, &closing), BITS_S_OK);
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(m, "closer", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), BITS_S_OK);
    assert_hr_equal(bits_job_set_description(job, "queued for the callback"), BITS_S_OK);
    bits_job_release(job); /* the event holds the job now, and nothing else does */
    uint32_t n = 0;
    assert_hr_equal(bits_manager_dispatch(m, &n), BITS_S_OK);
    assert_int_equal(n, 1);
    assert_null(closing); /* closed by the callback, and nothing used after */
}

/* With a store: what another process (here another manager) does to a
 * job reaches this manager's callbacks through the descriptor too. */
static int heard_cancelled(void *ctx)
{
    seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    int done = index_of(s, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_CANCELLED, 0) >= 0;
    pthread_mutex_unlock(&s->lock);
    return done;
}

static void test_store_events_through_fd(void **unused)
{
    (void)unused;
    char *store = ts_path_join(E.dir, "fd-store");
    bits_manager *m = open_fd_manager(store);
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER, .main = pthread_self() };
    assert_hr_equal(bits_manager_set_event_callback(m, record, &s), BITS_S_OK);
    bits_manager *other;
    assert_hr_equal(bits_manager_open(store, 0, &other), BITS_S_OK);
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(other, "elsewhere", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), BITS_S_OK);
    /* Wait until this manager holds it, then end it in the other. */
    bits_job *mine = NULL;
    double until = now_s() + 10;
    while (bits_manager_get_job(m, &id, &mine) != BITS_S_OK && now_s() < until)
        usleep(5000);
    assert_non_null(mine);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    run_loop(m, heard_cancelled, &s, 10);
    assert_true(heard_cancelled(&s));
    assert_false(s.other_thread);
    bits_job_release(mine);
    bits_job_release(job);
    bits_manager_close(other);
    bits_manager_set_event_callback(m, NULL, NULL);
    bits_manager_close(m);
    free(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_in_own_loop),
        cmocka_unit_test(test_removal_waits_for_dispatched_call),
        cmocka_unit_test(test_close_delivers_outcomes),
        cmocka_unit_test(test_callback_closes_the_manager_during_dispatch),
        cmocka_unit_test(test_store_events_through_fd),
    };
    return cmocka_run_group_tests(tests, tx_group_setup, tx_group_teardown);
}
