/*
 * test_engine.c - real transfers against the loopback test server: every
 * state reached through real events, resume correctness, errors, retries,
 * time limits, priorities, bandwidth, Complete/Cancel file handling,
 * events and the notify command line.
 *
 * Timing bounds here are generous: figures belong in bench/, these tests
 * only assert that things happen and in which order.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openbits/openbits.h>

#include "transfer_support.h"

/* ---- event recording ---------------------------------------------------- */

#define MAX_EVENTS 4096
typedef struct recorder {
    pthread_mutex_t lock;
    uint32_t kinds[MAX_EVENTS];
    uint32_t states[MAX_EVENTS];
    int count;
} recorder;

static void record(const bits_event *ev, void *data)
{
    recorder *r = data;
    pthread_mutex_lock(&r->lock);
    if (r->count < MAX_EVENTS) {
        r->kinds[r->count] = ev->kind;
        r->states[r->count] = ev->state;
        r->count++;
    }
    pthread_mutex_unlock(&r->lock);
}

static int index_of(recorder *r, uint32_t kind, uint32_t state, int from)
{
    pthread_mutex_lock(&r->lock);
    int found = -1;
    for (int i = from; i < r->count && found < 0; i++) {
        if (r->kinds[i] == kind && (state == 99 || r->states[i] == state))
            found = i;
    }
    pthread_mutex_unlock(&r->lock);
    return found;
}

static int wait_event(recorder *r, uint32_t kind, uint32_t state, double timeout_s)
{
    double end = now_s() + timeout_s;
    int i;
    while ((i = index_of(r, kind, state, 0)) < 0 && now_s() < end)
        usleep(5000);
    return i;
}

/* ---- the tests ------------------------------------------------------------ */

/* SUSPENDED -> QUEUED -> CONNECTING -> TRANSFERRING -> TRANSFERRED ->
 * ACKNOWLEDGED through real events, with byte-identical files. */
static void test_lifecycle_states_and_files(void **state)
{
    (void)state;
    char *src1 = env_serve(&E, "a.bin", 1 << 20, 1), *src2 = env_serve(&E, "empty.bin", 0, 2);
    char *src3 = env_serve(&E, "c.bin", 100000, 3);
    char *d1 = env_dl_path(&E, "a.bin"), *d2 = env_dl_path(&E, "empty.bin"), *d3 = env_dl_path(&E, "c.bin");
    recorder rec = { .lock = PTHREAD_MUTEX_INITIALIZER };
    bits_job *job = env_new_job(&E, "lifecycle");
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(bits_job_set_notify_flags(job, 0x1F & ~BG_NOTIFY_DISABLE), BITS_S_OK);
    assert_hr_equal(bits_job_set_minimum_notification_interval(job, 0), BITS_S_OK);
    assert_hr_equal(bits_job_set_event_callback(job, record, &rec), BITS_S_OK);
    env_add(&E, job, "a.bin", d1);
    env_add(&E, job, "empty.bin", d2);
    env_add(&E, job, "c.bin", d3);

    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    assert_true(wait_event(&rec, BITS_EVENT_JOB_TRANSFERRED, 99, 5) >= 0);

    /* Every state in order, then one FILE_TRANSFERRED per file before
     * JOB_TRANSFERRED. */
    int q = index_of(&rec, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_QUEUED, 0);
    int c = index_of(&rec, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_CONNECTING, 0);
    int t = index_of(&rec, BITS_EVENT_JOB_MODIFICATION, BG_JOB_STATE_TRANSFERRING, 0);
    int jt = index_of(&rec, BITS_EVENT_JOB_TRANSFERRED, 99, 0);
    assert_true(q >= 0 && c > q && t > c && jt > t);
    int f1 = index_of(&rec, BITS_EVENT_FILE_TRANSFERRED, 99, 0);
    int f2 = index_of(&rec, BITS_EVENT_FILE_TRANSFERRED, 99, f1 + 1);
    int f3 = index_of(&rec, BITS_EVENT_FILE_TRANSFERRED, 99, f2 + 1);
    assert_true(f1 > t && f2 > f1 && f3 > f2 && jt > f3);
    assert_int_equal(index_of(&rec, BITS_EVENT_FILE_TRANSFERRED, 99, f3 + 1), -1);

    bits_job_progress p = { .struct_size = sizeof p };
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    assert_int_equal(p.bytes_total, (1 << 20) + 100000);
    assert_int_equal(p.bytes_transferred, p.bytes_total);
    assert_int_equal(p.files_total, 3);
    assert_int_equal(p.files_transferred, 3);
    bits_job_times times = { .struct_size = sizeof times };
    assert_hr_equal(bits_job_get_times(job, &times), BITS_S_OK);
    assert_true(times.transfer_completion_time >= times.creation_time);

    /* Nothing under the destination names before Complete. */
    assert_false(exists(d1));
    bits_file_enum *fe;
    bits_file *file;
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 1, &file, NULL), BITS_S_OK);
    char *temp = NULL;
    assert_hr_equal(bits_file_get_temporary_name(file, &temp), BITS_S_OK);
    struct stat st;
    assert_int_equal(lstat(temp, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(S_ISREG(st.st_mode));

    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    assert_false(exists(temp));
    assert_true(ts_files_equal(src1, d1));
    assert_true(ts_files_equal(src2, d2));
    assert_true(ts_files_equal(src3, d3));
    bits_file_progress fp = { .struct_size = sizeof fp };
    assert_hr_equal(bits_file_get_progress(file, &fp), BITS_S_OK);
    assert_int_equal(fp.completed, 1);
    assert_int_equal(fp.bytes_total, 1 << 20);

    bits_free(temp);
    bits_file_release(file);
    bits_file_enum_free(fe);
    assert_hr_equal(bits_job_set_event_callback(job, NULL, NULL), BITS_S_OK);
    bits_job_release(job);
    free(src1), free(src2), free(src3), free(d1), free(d2), free(d3);
}

static void test_http_404_is_error(void **state)
{
    (void)state;
    recorder rec = { .lock = PTHREAD_MUTEX_INITIALIZER };
    bits_job *job = env_new_job(&E, "404");
    char *d = env_dl_path(&E, "missing.bin");
    env_add(&E, job, "missing.bin", d);
    assert_hr_equal(bits_job_set_event_callback(job, record, &rec), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BG_E_HTTP_ERROR_404, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(BG_E_HTTP_ERROR_404, (bits_hresult)0x80190194u);

    bits_error *err;
    bits_file *file = NULL;
    char *proto = NULL, *desc = NULL, *remote = NULL;
    assert_hr_equal(bits_job_get_error(job, &err), BITS_S_OK);
    assert_hr_equal(bits_error_get_file(err, &file), BITS_S_OK);
    assert_hr_equal(bits_file_get_remote_name(file, &remote), BITS_S_OK);
    assert_non_null(strstr(remote, "/missing.bin"));
    assert_hr_equal(bits_error_get_protocol(err, &proto), BITS_S_OK);
    assert_string_equal(proto, "http");
    assert_hr_equal(bits_error_get_description(err, &desc), BITS_S_OK);
    assert_non_null(strstr(desc, "404"));
    uint32_t count = 0;
    assert_hr_equal(bits_job_get_error_count(job, &count), BITS_S_OK);
    assert_int_equal(count, 1);
    assert_true(wait_event(&rec, BITS_EVENT_JOB_ERROR, BG_JOB_STATE_ERROR, 5) >= 0);

    /* Complete keeps nothing: no file finished. */
    assert_hr_equal(bits_job_complete(job), BG_S_PARTIAL_COMPLETE);
    assert_false(exists(d));
    bits_free(proto), bits_free(desc), bits_free(remote);
    bits_file_release(file);
    bits_error_free(err);
    bits_job_set_event_callback(job, NULL, NULL);
    bits_job_release(job);
    free(d);
}

/* 503 is transient: TRANSIENT_ERROR with 0x801901F7, retried by itself
 * after the minimum retry delay (5 s, the floor). */
static void test_503_is_transient_and_retried(void **state)
{
    (void)state;
    char *src = env_serve(&E, "busy.bin", 50000, 4);
    char *d = env_dl_path(&E, "busy.bin");
    env_configure(&E, "busy.bin", "\"statuses\": [503], \"retry_after\": 1");
    bits_job *job = env_new_job(&E, "503");
    env_add(&E, job, "busy.bin", d);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 0), BITS_S_OK); /* -> 5 s */
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    expect_error(job, BG_E_HTTP_ERROR_503, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(BG_E_HTTP_ERROR_503, (bits_hresult)0x801901F7u);
    double entered = now_s();
    /* Not retried before the delay; retried after it. */
    usleep(2000000);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSIENT_ERROR);
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    assert_true(now_s() - entered >= 4.0);
    uint32_t count = 0;
    bits_job_get_error_count(job, &count);
    assert_int_equal(count, 1);
    /* Once bytes moved, the error is gone. */
    bits_error *err = (bits_error *)1;
    assert_hr_equal(bits_job_get_error(job, &err), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_null(err);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

/* Resume in TRANSIENT_ERROR retries at once, without the delay. */
static void test_resume_retries_transient_at_once(void **state)
{
    (void)state;
    char *src = env_serve(&E, "busy2.bin", 1000, 5);
    char *d = env_dl_path(&E, "busy2.bin");
    env_configure(&E, "busy2.bin", "\"statuses\": [503]");
    bits_job *job = env_new_job(&E, "retry now");
    env_add(&E, job, "busy2.bin", d);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK); /* retry delay stays 600 s */
    assert_int_equal(wait_for(job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 10), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

/* Runs a rate-limited download of @p name, suspends it part-way, lets
 * @p while_suspended act, resumes at full speed and returns the job in
 * TRANSFERRED (or what it reached). */
static bits_job *suspend_resume(const char *name, const char *dest,
                                void (*while_suspended)(const char *name))
{
    bits_job *job = env_new_job(&E, name);
    env_add(&E, job, name, dest);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 2 << 20), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_bytes(job, 512 * 1024, 20);
    assert_hr_equal(bits_job_suspend(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    uint64_t kept = job_bytes(job);
    assert_true(kept >= 512 * 1024);
    if (while_suspended)
        while_suspended(name);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 0), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_for(job, DONE_MASK, 30);
    return job;
}

static void test_suspend_resume_uses_range(void **state)
{
    (void)state;
    char *src = env_serve(&E, "range.bin", 8 << 20, 6);
    char *d = env_dl_path(&E, "range.bin");
    bits_job *job = suspend_resume("range.bin", d, NULL);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    char *stats = ts_server_stats(&E.srv);
    /* The second request asked for the rest, proving the same file. */
    assert_non_null(strstr(stats, "bytes="));
    assert_non_null(strstr(stats, "If-Range"));
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    free(stats);
    bits_job_release(job);
    free(src), free(d);
}

static void change_file(const char *name)
{
    char *p = env_www_path(&E, name);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    ts_write_file(p, (size_t)st.st_size, 99); /* same size, new bytes */
    free(p);
    usleep(1100000); /* a new Last-Modified second as well */
}

static void test_changed_file_restarts_cleanly(void **state)
{
    (void)state;
    char *src = env_serve(&E, "changing.bin", 8 << 20, 7);
    char *d = env_dl_path(&E, "changing.bin");
    bits_job *job = suspend_resume("changing.bin", d, change_file);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d)); /* the new content, not a mix */
    bits_job_release(job);
    free(src), free(d);
}

static void ignore_range(const char *name)
{
    env_configure(&E, name, "\"ignore_range\": true");
}

static void test_range_ignored_restarts(void **state)
{
    (void)state;
    char *src = env_serve(&E, "norange.bin", 8 << 20, 8);
    char *d = env_dl_path(&E, "norange.bin");
    bits_job *job = suspend_resume("norange.bin", d, ignore_range);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

static void wrong_content_range(const char *name)
{
    env_configure(&E, name, "\"wrong_content_range\": true");
}

static void test_wrong_content_range_restarts(void **state)
{
    (void)state;
    char *src = env_serve(&E, "badcr.bin", 8 << 20, 9);
    char *d = env_dl_path(&E, "badcr.bin");
    bits_job *job = suspend_resume("badcr.bin", d, wrong_content_range);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

/* A body cut short is a transient BG_E_CONNECTION_CLOSED; the retry asks
 * for the rest and the file ends identical. */
static void test_truncated_body_resumes(void **state)
{
    (void)state;
    char *src = env_serve(&E, "trunc.bin", 1 << 20, 10);
    char *d = env_dl_path(&E, "trunc.bin");
    env_configure(&E, "trunc.bin", "\"truncate_after\": 300000, \"times\": 1");
    bits_job *job = env_new_job(&E, "truncated");
    env_add(&E, job, "trunc.bin", d);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    expect_error(job, BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    assert_true(job_bytes(job) > 0);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

static void test_missing_size(void **state)
{
    (void)state;
    char *src = env_serve(&E, "nosize.bin", 70000, 11);
    char *d = env_dl_path(&E, "nosize.bin");
    env_configure(&E, "nosize.bin", "\"no_content_length\": true");
    bits_job *job = env_new_job(&E, "no size");
    env_add(&E, job, "nosize.bin", d);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BG_E_MISSING_FILE_SIZE, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    bits_job_release(job);

    /* With dynamic content the same answer is fine. */
    job = env_new_job(&E, "dynamic");
    env_add(&E, job, "nosize.bin", d);
    assert_hr_equal(bits_job_set_dynamic_content(job, 1), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

static void test_local_copies(void **state)
{
    (void)state;
    char *src = env_serve(&E, "local.bin", 300000, 12);
    char *d1 = env_dl_path(&E, "local1.bin"), *d2 = env_dl_path(&E, "local2.bin");
    char url[4200];
    snprintf(url, sizeof url, "file://%s", src);
    bits_job *job = env_new_job(&E, "local");
    assert_hr_equal(bits_job_add_file(job, url, d1), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, src, d2), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 1000), BITS_S_OK); /* not for local copies */
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d1));
    assert_true(ts_files_equal(src, d2));
    bits_job_release(job);

    char *missing = env_www_path(&E, "no-such-file");
    job = env_new_job(&E, "local missing");
    assert_hr_equal(bits_job_add_file(job, missing, d1), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BITS_E_FILE_NOT_FOUND, BG_ERROR_CONTEXT_REMOTE_FILE);
    bits_error *err;
    char *proto = NULL;
    assert_hr_equal(bits_job_get_error(job, &err), BITS_S_OK);
    assert_hr_equal(bits_error_get_protocol(err, &proto), BITS_S_OK);
    assert_string_equal(proto, "file");
    bits_free(proto);
    bits_error_free(err);
    bits_job_release(job);
    free(src), free(d1), free(d2), free(missing);
}

static void test_redirect_to_file_is_refused(void **state)
{
    (void)state;
    char *d = env_dl_path(&E, "redir.bin");
    env_configure(&E, "redir.bin", "\"redirect\": \"file:///etc/passwd\", \"redirect_status\": 302");
    bits_job *job = env_new_job(&E, "redirect");
    env_add(&E, job, "redir.bin", d);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BITS_E_WINHTTP_REDIRECT_FAILED, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    assert_false(exists(d));
    bits_job_release(job);
    free(d);
}

static void test_maximum_download_time(void **state)
{
    (void)state;
    char *src = env_serve(&E, "slow.bin", 4 << 20, 13);
    char *d = env_dl_path(&E, "slow.bin");
    bits_job *job = env_new_job(&E, "max time");
    env_add(&E, job, "slow.bin", d);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 100000), BITS_S_OK);
    assert_hr_equal(bits_job_set_maximum_download_time(job, 1), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BG_E_MAXDOWNLOAD_TIMEOUT, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    bits_job_release(job);
    free(src), free(d);
}

/* NoProgressTimeout 0: every error is fatal, even a 503. */
static void test_no_progress_timeout_zero_makes_errors_fatal(void **state)
{
    (void)state;
    char *src = env_serve(&E, "busy3.bin", 1000, 14);
    char *d = env_dl_path(&E, "busy3.bin");
    env_configure(&E, "busy3.bin", "\"statuses\": [503]");
    bits_job *job = env_new_job(&E, "fatal");
    env_add(&E, job, "busy3.bin", d);
    assert_hr_equal(bits_job_set_no_progress_timeout(job, 0), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK | BIT(BG_JOB_STATE_TRANSIENT_ERROR), 20),
                     BG_JOB_STATE_ERROR);
    expect_error(job, BG_E_HTTP_ERROR_503, BG_ERROR_CONTEXT_REMOTE_FILE);
    bits_job_cancel(job);
    bits_job_release(job);
    free(src), free(d);
}

/* A HIGH job pre-empts a running LOW one, which waits in QUEUED. */
static void test_priority_preemption(void **state)
{
    (void)state;
    char *src1 = env_serve(&E, "low.bin", 2 << 20, 15), *src2 = env_serve(&E, "high.bin", 200000, 16);
    char *d1 = env_dl_path(&E, "low.bin"), *d2 = env_dl_path(&E, "high.bin");
    bits_job *low = env_new_job(&E, "low"), *high = env_new_job(&E, "high");
    env_add(&E, low, "low.bin", d1);
    env_add(&E, high, "high.bin", d2);
    assert_hr_equal(bits_job_set_priority(low, BG_JOB_PRIORITY_LOW), BITS_S_OK);
    assert_hr_equal(bits_job_set_priority(high, BG_JOB_PRIORITY_HIGH), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_bandwidth(low, 500000), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_bandwidth(high, 100000), BITS_S_OK);
    assert_hr_equal(bits_job_resume(low), BITS_S_OK);
    wait_bytes(low, 100000, 20);
    assert_hr_equal(bits_job_resume(high), BITS_S_OK);
    assert_int_equal(wait_for(high, BIT(BG_JOB_STATE_TRANSFERRING) | DONE_MASK, 20),
                     BG_JOB_STATE_TRANSFERRING);
    assert_int_equal(state_of(low), BG_JOB_STATE_QUEUED);
    assert_int_equal(wait_for(high, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_set_max_bandwidth(low, 0), BITS_S_OK);
    assert_int_equal(wait_for(low, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(low), BITS_S_OK);
    assert_hr_equal(bits_job_complete(high), BITS_S_OK);
    assert_true(ts_files_equal(src1, d1));
    assert_true(ts_files_equal(src2, d2));
    bits_job_release(low);
    bits_job_release(high);
    free(src1), free(src2), free(d1), free(d2);
}

/* The bandwidth cap holds on average (generous bounds: not a benchmark). */
static void test_bandwidth_limit(void **state)
{
    (void)state;
    char *src = env_serve(&E, "rate.bin", 3 << 20, 17);
    char *d = env_dl_path(&E, "rate.bin");
    bits_job *job = env_new_job(&E, "rate");
    env_add(&E, job, "rate.bin", d);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 1 << 20), BITS_S_OK);
    double start = now_s();
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    double took = now_s() - start;
    assert_true(took >= 3.0 * 0.85); /* never much faster than the cap */
    assert_true(took <= 3.0 * 2.0);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

/* The manager-wide cap binds all transfers together: two FOREGROUND jobs
 * (which run at once) of 1.5 MiB each under 1 MiB/s in all cannot finish
 * much sooner than 3 s. Only the lower bound is asserted: the cap holds;
 * how close to it the engine gets is a figure for bench/. */
static void test_manager_bandwidth_limit(void **state)
{
    (void)state;
    const char *names[2] = { "shared0.bin", "shared1.bin" };
    char *src[2], *d[2];
    bits_job *jobs[2];
    assert_hr_equal(bits_manager_set_limit(E.mgr, BITS_LIMIT_MAX_BANDWIDTH, 1 << 20), BITS_S_OK);
    for (int i = 0; i < 2; i++) {
        src[i] = env_serve(&E, names[i], 3 << 19, 30u + (unsigned)i);
        d[i] = env_dl_path(&E, names[i]);
        jobs[i] = env_new_job(&E, names[i]);
        env_add(&E, jobs[i], names[i], d[i]);
        assert_hr_equal(bits_job_set_priority(jobs[i], BG_JOB_PRIORITY_FOREGROUND), BITS_S_OK);
    }
    double start = now_s();
    for (int i = 0; i < 2; i++)
        assert_hr_equal(bits_job_resume(jobs[i]), BITS_S_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(wait_for(jobs[i], DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    assert_true(now_s() - start >= 3.0 * 0.85);
    for (int i = 0; i < 2; i++) {
        assert_hr_equal(bits_job_complete(jobs[i]), BITS_S_OK);
        assert_true(ts_files_equal(src[i], d[i]));
        bits_job_release(jobs[i]);
        free(src[i]), free(d[i]);
    }
}

/* Complete mid-transfer keeps the finished files and drops the rest. */
static void test_partial_complete_and_cancel(void **state)
{
    (void)state;
    char *src1 = env_serve(&E, "p1.bin", 10000, 18), *src2 = env_serve(&E, "p2.bin", 4 << 20, 19);
    char *d1 = env_dl_path(&E, "p1.bin"), *d2 = env_dl_path(&E, "p2.bin");
    bits_job *job = env_new_job(&E, "partial");
    env_add(&E, job, "p1.bin", d1);
    env_add(&E, job, "p2.bin", d2);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 500000), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_bytes(job, 10000 + 100000, 20);
    bits_file_enum *fe;
    bits_file *files[2];
    uint32_t n = 0;
    char *temp2 = NULL;
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 2, files, &n), BITS_S_OK);
    assert_hr_equal(bits_file_get_temporary_name(files[1], &temp2), BITS_S_OK);
    assert_true(exists(temp2));
    assert_hr_equal(bits_job_complete(job), BG_S_PARTIAL_COMPLETE);
    assert_true(ts_files_equal(src1, d1));
    assert_false(exists(d2));
    assert_false(exists(temp2));
    bits_free(temp2);
    bits_file_release(files[0]);
    bits_file_release(files[1]);
    bits_file_enum_free(fe);
    bits_job_release(job);

    /* Cancel deletes every temporary file. */
    job = env_new_job(&E, "cancel");
    env_add(&E, job, "p2.bin", d2);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 500000), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_bytes(job, 100000, 20);
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 1, files, NULL), BITS_S_OK);
    assert_hr_equal(bits_file_get_temporary_name(files[0], &temp2), BITS_S_OK);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_CANCELLED);
    assert_false(exists(temp2));
    assert_false(exists(d2));
    bits_free(temp2);
    bits_file_release(files[0]);
    bits_file_enum_free(fe);
    bits_job_release(job);
    free(src1), free(src2), free(d1), free(d2);
}

/* The notify program runs when the job is transferred, never through a
 * shell: its parameters are words, so where a shell would run
 * "touch MARKER DIR/a" and then "touch DIR/<output of id>", touch gets
 * "DIR/a;touch" and "DIR/$(id)" as file names. */
static void test_notify_command_line(void **state)
{
    (void)state;
    char *src = env_serve(&E, "notify.bin", 1000, 20);
    char *d = env_dl_path(&E, "notify.bin");
    char *marker = ts_path_join(E.dir, "marker");
    char *nd = ts_path_join(E.dir, "notify");
    mkdir(nd, 0700);
    char *literal = ts_path_join(nd, "a;touch"), *dollar = ts_path_join(nd, "$(id)");
    char *shell_a = ts_path_join(nd, "a");
    char params[4200];
    snprintf(params, sizeof params, "touch \"%s\" %s/a;touch %s/$(id)", marker, nd, nd);
    bits_job *job = env_new_job(&E, "notify");
    env_add(&E, job, "notify.bin", d);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, "/usr/bin/touch", params), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    double end = now_s() + 10;
    while (!exists(dollar) && now_s() < end)
        usleep(10000);
    assert_true(exists(marker));
    assert_true(exists(literal));
    assert_true(exists(dollar));
    assert_false(exists(shell_a));
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    bits_job_release(job);
    ts_remove_tree(nd);
    free(src), free(d), free(marker), free(literal), free(dollar), free(shell_a);
}

/* Resumes @p job, which must end in ERROR with @p refusal (no or wrong
 * credentials), then gives it the credentials and expects TRANSFERRED. */
static void refused_until_credentials(bits_job *job, bits_hresult refusal, uint32_t target,
                                      uint32_t scheme, const char *user, const char *password)
{
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, refusal, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(bits_job_set_credentials(job, target, scheme, user, password), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
}

/* Custom headers reach the server; credentials answer its 401. */
static void test_headers_and_credentials(void **state)
{
    (void)state;
    char *src = env_serve(&E, "auth.bin", 5000, 21);
    char *d = env_dl_path(&E, "auth.bin");
    env_configure(&E, "auth.bin", "\"basic_auth\": [\"alice\", \"s3cret\"]");
    bits_job *job = env_new_job(&E, "no credentials");
    env_add(&E, job, "auth.bin", d);
    assert_hr_equal(bits_job_set_custom_headers(job, "X-Openbits-Test: hello\r\n"), BITS_S_OK);
    refused_until_credentials(job, BG_E_HTTP_ERROR_401, BG_AUTH_TARGET_SERVER,
                              BG_AUTH_SCHEME_BASIC, "alice", "s3cret");
    char *stats = ts_server_stats(&E.srv);
    assert_non_null(strstr(stats, "X-Openbits-Test"));
    free(stats);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

/* The headers the server saw on the last request for @p path, as JSON
 * text (the caller frees it). */
static char *last_headers_of(const char *path)
{
    char *stats = ts_server_stats(&E.srv), key[64];
    snprintf(key, sizeof key, "\"%s\": {", path);
    char *entry = strstr(stats, key);
    assert_non_null(entry);
    char *headers = strstr(entry, "\"last_headers\": {");
    assert_non_null(headers);
    char *end = strchr(headers + 17, '}');
    assert_non_null(end);
    char *text = strndup(headers, (size_t)(end - headers + 1));
    free(stats);
    return text;
}

/* The engine reuses finished transfers' libcurl handles: a job that runs
 * right after one with custom headers and credentials sends neither. */
static void test_reused_handles_carry_nothing_over(void **state)
{
    (void)state;
    char *src1 = env_serve(&E, "secret.bin", 3000, 22), *src2 = env_serve(&E, "plain.bin", 3000, 23);
    char *d1 = env_dl_path(&E, "secret.bin"), *d2 = env_dl_path(&E, "plain.bin");
    env_configure(&E, "secret.bin", "\"basic_auth\": [\"alice\", \"s3cret\"]");
    bits_job *first = env_new_job(&E, "with headers"), *second = env_new_job(&E, "plain");
    env_add(&E, first, "secret.bin", d1);
    env_add(&E, second, "plain.bin", d2);
    assert_hr_equal(bits_job_set_custom_headers(first, "X-Openbits-Test: hello\r\n"), BITS_S_OK);
    assert_hr_equal(bits_job_set_credentials(first, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "alice", "s3cret"), BITS_S_OK);
    /* Both queued: the second starts as the first finishes, on its handle. */
    assert_hr_equal(bits_job_resume(first), BITS_S_OK);
    assert_hr_equal(bits_job_resume(second), BITS_S_OK);
    assert_int_equal(wait_for(first, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(wait_for(second, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    char *seen1 = last_headers_of("/secret.bin"), *seen2 = last_headers_of("/plain.bin");
    assert_non_null(strstr(seen1, "X-Openbits-Test"));
    assert_non_null(strstr(seen1, "Authorization"));
    assert_null(strstr(seen2, "X-Openbits-Test"));
    assert_null(strstr(seen2, "Authorization"));
    assert_hr_equal(bits_job_complete(first), BITS_S_OK);
    assert_hr_equal(bits_job_complete(second), BITS_S_OK);
    assert_true(ts_files_equal(src1, d1));
    assert_true(ts_files_equal(src2, d2));
    bits_job_release(first), bits_job_release(second);
    free(seen1), free(seen2), free(src1), free(src2), free(d1), free(d2);
}

/* Digest for the server and Basic for a proxy, through libcurl: without
 * the right credentials the job ends in ERROR with the 401 or 407; with
 * them it transfers. A Basic-only credential for a Digest server is
 * refused, not silently upgraded. */
static void test_digest_and_proxy_credentials(void **state)
{
    (void)state;
    char *src = env_serve(&E, "digest.bin", 7000, 23), *d = env_dl_path(&E, "digest.bin");
    env_configure(&E, "digest.bin", "\"digest_auth\": [\"alice\", \"s3cret\"]");
    bits_job *job = env_new_job(&E, "digest");
    env_add(&E, job, "digest.bin", d);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "alice", "s3cret"),
                    BITS_S_OK);
    refused_until_credentials(job, BG_E_HTTP_ERROR_401, BG_AUTH_TARGET_SERVER,
                              BG_AUTH_SCHEME_DIGEST, "alice", "s3cret");
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);

    src = env_serve(&E, "proxied-auth.bin", 6000, 24);
    d = env_dl_path(&E, "proxied-auth.bin");
    env_configure(&E, "proxied-auth.bin", "\"proxy_auth\": [\"bob\", \"pw\"]");
    char proxy[64];
    snprintf(proxy, sizeof proxy, "127.0.0.1:%d", E.srv.port);
    job = env_new_job(&E, "proxy credentials");
    assert_hr_equal(bits_job_add_file(job, "http://proxied.invalid/proxied-auth.bin", d),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_OVERRIDE, proxy, NULL),
                    BITS_S_OK);
    refused_until_credentials(job, BG_E_HTTP_ERROR_407, BG_AUTH_TARGET_PROXY,
                              BG_AUTH_SCHEME_BASIC, "bob", "pw");
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    free(src), free(d);
}

/* Several files in flight finish the job just the same. */
static void test_files_in_flight(void **state)
{
    (void)state;
    enum { N = 40 };
    char *srcs[N], *dsts[N];
    bits_job *job = env_new_job(&E, "many");
    assert_hr_equal(bits_job_set_files_in_flight(job, 8), BITS_S_OK);
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "many%02d.bin", i);
        srcs[i] = env_serve(&E, name, 4096 + (size_t)i, 100 + (unsigned)i);
        dsts[i] = env_dl_path(&E, name);
        env_add(&E, job, name, dsts[i]);
    }
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    for (int i = 0; i < N; i++) {
        assert_true(ts_files_equal(srcs[i], dsts[i]));
        free(srcs[i]);
        free(dsts[i]);
    }
    bits_job_release(job);
}

static char *remote_of_first_file(bits_job *job)
{
    bits_file_enum *fe;
    bits_file *f;
    char *name = NULL;
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 1, &f, NULL), BITS_S_OK);
    assert_hr_equal(bits_file_get_remote_name(f, &name), BITS_S_OK);
    bits_file_release(f);
    bits_file_enum_free(fe);
    return name;
}

/* Redirect policies: ALLOW_SILENT follows, ALLOW_REPORT rewrites the
 * remote name to the final URL, DISALLOW fails and records the target. */
static void test_redirect_policies(void **state)
{
    (void)state;
    char *src = env_serve(&E, "target.bin", 20000, 40), *d = env_dl_path(&E, "moved.bin");
    char *target = ts_server_url(&E.srv, "/target.bin");
    char fields[512];
    snprintf(fields, sizeof fields, "\"redirect\": \"%s\", \"redirect_status\": 301", target);
    env_configure(&E, "moved.bin", fields);
    uint32_t policies[] = { BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT,
                            BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT,
                            BG_HTTP_REDIRECT_POLICY_DISALLOW };
    for (int i = 0; i < 3; i++) {
        bits_job *job = env_new_job(&E, "redirected");
        env_add(&E, job, "moved.bin", d);
        assert_hr_equal(bits_job_set_security_flags(job, policies[i]), BITS_S_OK);
        assert_hr_equal(bits_job_resume(job), BITS_S_OK);
        uint32_t s = wait_for(job, DONE_MASK, 20);
        char *remote = remote_of_first_file(job);
        if (policies[i] == BG_HTTP_REDIRECT_POLICY_DISALLOW) {
            assert_int_equal(s, BG_JOB_STATE_ERROR);
            expect_error(job, BG_E_HTTP_ERROR_301, BG_ERROR_CONTEXT_REMOTE_FILE);
            assert_string_equal(remote, target);
            assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
        } else {
            assert_int_equal(s, BG_JOB_STATE_TRANSFERRED);
            if (policies[i] == BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT)
                assert_string_equal(remote, target);
            else
                assert_non_null(strstr(remote, "/moved.bin"));
            assert_hr_equal(bits_job_complete(job), BITS_S_OK);
            assert_true(ts_files_equal(src, d));
            unlink(d);
        }
        bits_free(remote);
        bits_job_release(job);
    }
    free(src), free(d), free(target);
}

/* A redirect refused under DISALLOW names its target in the error's
 * description, with the password of its userinfo redacted (issue 15);
 * the file's remote name records the target as the server sent it. */
static void test_refused_redirect_hides_password(void **state)
{
    (void)state;
    char *d = env_dl_path(&E, "leaky.bin");
    char target[256], fields[512];
    snprintf(target, sizeof target, "http://erin:UrlPwLeak123@127.0.0.1:%d/target.bin",
             E.srv.port);
    snprintf(fields, sizeof fields, "\"redirect\": \"%s\", \"redirect_status\": 302", target);
    env_configure(&E, "leaky.bin", fields);
    bits_job *job = env_new_job(&E, "leaky redirect");
    env_add(&E, job, "leaky.bin", d);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "erin", "JobPwLeak456"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_security_flags(job, BG_HTTP_REDIRECT_POLICY_DISALLOW),
                    BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BG_E_HTTP_ERROR_302, BG_ERROR_CONTEXT_REMOTE_FILE);
    bits_error *err;
    char *desc = NULL, *expected = NULL;
    assert_hr_equal(bits_job_get_error(job, &err), BITS_S_OK);
    assert_hr_equal(bits_error_get_description(err, &desc), BITS_S_OK);
    assert_true(asprintf(&expected,
                         "Redirect to http://erin:***@127.0.0.1:%d/target.bin refused by the "
                         "job's policy.",
                         E.srv.port) > 0);
    if (!strstr(desc, expected))
        fail_msg("description: %s", desc);
    assert_null(strstr(desc, "UrlPwLeak123"));
    assert_null(strstr(desc, "JobPwLeak456"));
    char *remote = remote_of_first_file(job);
    assert_string_equal(remote, target); /* the caller's data: returned as recorded */
    bits_free(remote);
    bits_free(desc);
    free(expected);
    bits_error_free(err);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    bits_job_release(job);
    free(d);
}

/* Proxies: OVERRIDE sends requests to the listed proxy, PRECONFIG takes
 * http_proxy from the environment, NO_PROXY ignores it. */
static void test_proxy_settings(void **state)
{
    (void)state;
    char *src = env_serve(&E, "via-proxy.bin", 5000, 41), *d = env_dl_path(&E, "via-proxy.bin");
    char proxy[64];
    snprintf(proxy, sizeof proxy, "127.0.0.1:%d", E.srv.port);
    const char *url = "http://proxied.invalid/via-proxy.bin";

    bits_job *job = env_new_job(&E, "override");
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_OVERRIDE, proxy, NULL),
                    BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    char *stats = ts_server_stats(&E.srv);
    assert_non_null(strstr(stats, "proxied.invalid")); /* the proxy saw the request */
    free(stats);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    unlink(d);

    char env_proxy[80];
    snprintf(env_proxy, sizeof env_proxy, "http://%s", proxy);
    setenv("http_proxy", env_proxy, 1);
    job = env_new_job(&E, "environment");
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    bits_job_release(job);

    job = env_new_job(&E, "no proxy");
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL),
                    BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    /* .invalid never resolves: a transient name-resolution error. */
    assert_int_equal(wait_for(job, DONE_MASK | BIT(BG_JOB_STATE_TRANSIENT_ERROR), 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    expect_error(job, BITS_E_WINHTTP_NAME_NOT_RESOLVED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    bits_job_release(job);
    unsetenv("http_proxy");
    free(src), free(d);
}

/* A move that fails on Complete leaves the job TRANSFERRED with the files
 * moved so far in place; Complete succeeds once the cause is gone. */
static void test_failed_move_keeps_job_transferred(void **state)
{
    (void)state;
    char *src1 = env_serve(&E, "m1.bin", 3000, 42), *src2 = env_serve(&E, "m2.bin", 3000, 43);
    char *d1 = env_dl_path(&E, "m1.bin"), *d2 = env_dl_path(&E, "m2.bin");
    bits_job *job = env_new_job(&E, "blocked move");
    env_add(&E, job, "m1.bin", d1);
    env_add(&E, job, "m2.bin", d2);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    mkdir(d2, 0755); /* a directory where the second file must go */
    char *inside = ts_path_join(d2, "x");
    FILE *f = fopen(inside, "w");
    fclose(f);
    bits_hresult hr = bits_job_complete(job);
    assert_true(bits_failed(hr));
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_true(ts_files_equal(src1, d1)); /* the first one moved */
    unlink(inside);
    rmdir(d2);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    assert_true(ts_files_equal(src2, d2));
    bits_job_release(job);
    free(src1), free(src2), free(d1), free(d2), free(inside);
}

/* The server process restarts between requests (same files, new port):
 * the job resumes against it with Range and the file ends identical. */
static void test_server_restart_between_requests(void **state)
{
    (void)state;
    char *src = env_serve(&E, "restart.bin", 6 << 20, 45), *d = env_dl_path(&E, "restart.bin");
    ts_server second;
    ts_server_start(&second, E.www); /* a second process over the same files */
    bits_job *job = env_new_job(&E, "restart");
    char *first_url = ts_server_url(&second, "/restart.bin");
    assert_hr_equal(bits_job_add_file(job, first_url, d), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 2 << 20), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_bytes(job, 1 << 20, 20);
    assert_hr_equal(bits_job_suspend(job), BITS_S_OK);
    ts_server_stop(&second);
    ts_server_start(&second, E.www); /* restarted: another port */
    char *new_url = ts_server_url(&second, "/restart.bin");
    bits_file_enum *fe;
    bits_file *f;
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 1, &f, NULL), BITS_S_OK);
    assert_hr_equal(bits_file_set_remote_name(f, new_url), BITS_S_OK);
    bits_file_release(f);
    bits_file_enum_free(fe);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 0), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    char *stats = ts_server_stats(&second);
    assert_non_null(strstr(stats, "bytes=")); /* resumed, not restarted */
    free(stats);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    ts_server_stop(&second);
    free(src), free(d), free(first_url), free(new_url);
}

/* A symlink planted at the destination is replaced, never followed:
 * Complete renames inside the directory, so the link's target stays. */
static void test_symlink_at_destination_is_not_followed(void **state)
{
    (void)state;
    char *src = env_serve(&E, "link.bin", 4000, 44), *d = env_dl_path(&E, "link.bin");
    char *victim = ts_path_join(E.dir, "victim.txt");
    FILE *f = fopen(victim, "w");
    fputs("precious", f);
    fclose(f);
    assert_int_equal(symlink(victim, d), 0);
    bits_job *job = env_new_job(&E, "symlink");
    env_add(&E, job, "link.bin", d);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    struct stat st;
    assert_int_equal(lstat(d, &st), 0);
    assert_true(S_ISREG(st.st_mode)); /* the link itself was replaced */
    assert_true(ts_files_equal(src, d));
    char buf[16] = "";
    f = fopen(victim, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "precious");
    bits_job_release(job);
    free(src), free(d), free(victim);
}

/* HTTPS: a server signed by an unknown CA is refused by default; trusting
 * the CA, or the job's IGNORE_UNKNOWN_CA flag, lets the transfer through. */
static void test_https_verification(void **state)
{
    (void)state;
    char *tls_dir = ts_path_join(E.dir, "tls");
    mkdir(tls_dir, 0700);
    ts_make_tls_files(tls_dir);
    char *ca = ts_path_join(tls_dir, "ca.pem"), *cert = ts_path_join(tls_dir, "server.pem");
    char *key = ts_path_join(tls_dir, "server.key");
    char *src = env_serve(&E, "secure.bin", 100000, 30), *d = env_dl_path(&E, "secure.bin");
    ts_server tls;
    ts_server_start_tls(&tls, E.www, cert, key);
    char *url = ts_server_url(&tls, "/secure.bin");
    char *saved = getenv("SSL_CERT_FILE") ? strdup(getenv("SSL_CERT_FILE")) : NULL;
    unsetenv("SSL_CERT_FILE");

    bits_job *job = env_new_job(&E, "untrusted");
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BITS_E_WINHTTP_SECURE_FAILURE, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    bits_job_cancel(job);
    bits_job_release(job);

    job = env_new_job(&E, "flag");
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_set_security_flags(job, BG_SSL_IGNORE_UNKNOWN_CA), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);
    unlink(d);

    /* HTTPS may not redirect to plain HTTP unless the job allows it. */
    char *plain = ts_server_url(&E.srv, "/secure.bin");
    char *down = ts_server_url(&tls, "/down.bin");
    char fields[512];
    snprintf(fields, sizeof fields, "\"redirect\": \"%s\", \"redirect_status\": 302", plain);
    configure_on(&tls, "down.bin", fields);
    uint32_t flags[] = { BG_SSL_IGNORE_UNKNOWN_CA,
                         BG_SSL_IGNORE_UNKNOWN_CA | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP };
    for (int i = 0; i < 2; i++) {
        job = env_new_job(&E, "https to http");
        assert_hr_equal(bits_job_add_file(job, down, d), BITS_S_OK);
        assert_hr_equal(bits_job_set_security_flags(job, flags[i]), BITS_S_OK);
        assert_hr_equal(bits_job_resume(job), BITS_S_OK);
        if (i == 0) {
            assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
            expect_error(job, BITS_E_WINHTTP_REDIRECT_FAILED, BG_ERROR_CONTEXT_REMOTE_FILE);
            bits_job_cancel(job);
        } else {
            assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
            assert_hr_equal(bits_job_complete(job), BITS_S_OK);
            assert_true(ts_files_equal(src, d));
            unlink(d);
        }
        bits_job_release(job);
    }
    free(plain);
    free(down);

    setenv("SSL_CERT_FILE", ca, 1);
    job = env_new_job(&E, "trusted CA");
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, d));
    bits_job_release(job);

    if (saved)
        setenv("SSL_CERT_FILE", saved, 1);
    else
        unsetenv("SSL_CERT_FILE");
    free(saved);
    ts_server_stop(&tls);
    free(tls_dir), free(ca), free(cert), free(key), free(src), free(d), free(url);
}

/* A Retry-After longer than the minimum retry delay is honoured. */
static void test_retry_after_is_honoured(void **state)
{
    (void)state;
    char *src = env_serve(&E, "later.bin", 1000, 31), *d = env_dl_path(&E, "later.bin");
    env_configure(&E, "later.bin", "\"statuses\": [503], \"retry_after\": 8");
    bits_job *job = env_new_job(&E, "retry after");
    env_add(&E, job, "later.bin", d);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 5), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    double entered = now_s();
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    assert_true(now_s() - entered >= 7.5);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    bits_job_release(job);
    free(src), free(d);
}

/* Without progress for NoProgressTimeout after the first transient error,
 * the job fails, keeping the error's code. */
static void test_no_progress_timeout(void **state)
{
    (void)state;
    char *src = env_serve(&E, "never.bin", 1000, 32), *d = env_dl_path(&E, "never.bin");
    env_configure(&E, "never.bin", "\"statuses\": [503, 503, 503, 503, 503, 503]");
    bits_job *job = env_new_job(&E, "no progress");
    env_add(&E, job, "never.bin", d);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 5), BITS_S_OK);
    assert_hr_equal(bits_job_set_no_progress_timeout(job, 7), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    double entered = now_s();
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_ERROR);
    assert_true(now_s() - entered >= 6.5);
    expect_error(job, BG_E_HTTP_ERROR_503, BG_ERROR_CONTEXT_REMOTE_FILE);
    uint32_t count = 0;
    bits_job_get_error_count(job, &count);
    assert_int_equal(count, 2); /* the first try and the retry after 5 s */
    bits_job_cancel(job);
    bits_job_release(job);
    free(src), free(d);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tx_test_setup, tx_test_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_lifecycle_states_and_files),
        T(test_http_404_is_error),
        T(test_503_is_transient_and_retried),
        T(test_resume_retries_transient_at_once),
        T(test_suspend_resume_uses_range),
        T(test_changed_file_restarts_cleanly),
        T(test_range_ignored_restarts),
        T(test_wrong_content_range_restarts),
        T(test_truncated_body_resumes),
        T(test_missing_size),
        T(test_local_copies),
        T(test_redirect_to_file_is_refused),
        T(test_maximum_download_time),
        T(test_no_progress_timeout_zero_makes_errors_fatal),
        T(test_priority_preemption),
        T(test_bandwidth_limit),
        T(test_manager_bandwidth_limit),
        T(test_partial_complete_and_cancel),
        T(test_notify_command_line),
        T(test_headers_and_credentials),
        T(test_reused_handles_carry_nothing_over),
        T(test_digest_and_proxy_credentials),
        T(test_files_in_flight),
        T(test_https_verification),
        T(test_redirect_policies),
        T(test_refused_redirect_hides_password),
        T(test_server_restart_between_requests),
        T(test_symlink_at_destination_is_not_followed),
        T(test_proxy_settings),
        T(test_failed_move_keeps_job_transferred),
        T(test_retry_after_is_honoured),
        T(test_no_progress_timeout),
    };
    return cmocka_run_group_tests_name("engine", tests, tx_group_setup, tx_group_teardown);
}
