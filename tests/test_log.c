/*
 * test_log.c - the log callback (experimental bits_manager_set_log_callback):
 * state changes and why, the HTTP trace, levels, and no credential in any
 * line, over real transfers from the loopback server.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openbits/experimental.h>

#include "transfer_support.h"

typedef struct lines {
    pthread_mutex_t lock;
    char *text;             /* every line, "<level> <message>\n" */
    size_t len;
    int with_job, without_job;
} lines;

static void collect(uint32_t level, bits_job *job, const char *message, void *data)
{
    lines *l = data;
    pthread_mutex_lock(&l->lock);
    size_t n = strlen(message) + 16;
    l->text = realloc(l->text, l->len + n);
    l->len += (size_t)sprintf(l->text + l->len, "%u %s\n", level, message);
    if (job)
        l->with_job++;
    else
        l->without_job++;
    pthread_mutex_unlock(&l->lock);
}

static int has(lines *l, const char *needle)
{
    pthread_mutex_lock(&l->lock);
    int found = l->text && strstr(l->text, needle) != NULL;
    pthread_mutex_unlock(&l->lock);
    return found;
}

static void wait_line(lines *l, const char *needle, double timeout_s)
{
    double until = now_s() + timeout_s;
    while (!has(l, needle) && now_s() < until)
        usleep(10000);
    if (!has(l, needle))
        fail_msg("no log line with \"%s\" in:\n%s", needle, l->text ? l->text : "(none)");
}

/* A transfer with credentials and a write-only custom header, traced at
 * DEBUG: the request and response lines are there, the states with their
 * order, and neither the password nor the secret header's value. */
static void test_trace_without_secrets(void **unused)
{
    (void)unused;
    lines l = { .lock = PTHREAD_MUTEX_INITIALIZER };
    assert_hr_equal(bits_manager_set_log_callback(E.mgr, BITS_LOG_DEBUG, collect, &l), BITS_S_OK);
    char *src = env_serve(&E, "traced.bin", 20000, 3);
    env_configure(&E, "traced.bin", "\"basic_auth\": [\"alice\", \"PaSsW0rd-L0g\"]");
    bits_job *job = env_new_job(&E, "traced");
    char *d = env_dl_path(&E, "traced.bin");
    env_add(&E, job, "traced.bin", d);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "alice", "PaSsW0rd-L0g"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_custom_headers(job, "X-Api-Token: T0ken-Value-42\r\n"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_make_custom_headers_write_only(job), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    wait_line(&l, "TRANSFERRING -> TRANSFERRED", 10);
    assert_true(has(&l, "> GET /traced.bin HTTP/1.1"));
    assert_true(has(&l, "< HTTP/1.1 200"));
    assert_true(has(&l, "> Authorization: <redacted>"));
    assert_true(has(&l, "> X-Api-Token: <redacted>"));
    assert_true(has(&l, "SUSPENDED -> QUEUED"));
    assert_true(has(&l, "QUEUED -> CONNECTING"));
    assert_true(has(&l, "CONNECTING -> TRANSFERRING"));
    assert_false(has(&l, "PaSsW0rd-L0g"));
    assert_false(has(&l, "T0ken-Value-42"));
    assert_false(has(&l, "YWxpY2U6")); /* base64 of "alice:" */
    assert_true(l.with_job > 0);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    bits_job_release(job);

    /* A redirect to a URL that carries the password: neither the Location
     * header nor libcurl's text about following it shows it. */
    char *target = ts_server_url(&E.srv, "/traced.bin");
    char with_user[512], config[700];
    snprintf(with_user, sizeof with_user, "http://alice:PaSsW0rd-L0g@%s", target + 7);
    snprintf(config, sizeof config, "\"redirect\": \"%s\"", with_user);
    free(env_serve(&E, "moved.bin", 10, 4));
    env_configure(&E, "moved.bin", config);
    job = env_new_job(&E, "redirected");
    char *d2 = env_dl_path(&E, "moved.bin");
    env_add(&E, job, "moved.bin", d2);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    wait_line(&l, "\"redirected\": TRANSFERRING -> TRANSFERRED", 10);
    assert_true(has(&l, "< Location: http://alice:***@"));
    assert_false(has(&l, "PaSsW0rd-L0g"));
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    bits_job_release(job);
    free(target);
    free(d2);

    assert_hr_equal(bits_manager_set_log_callback(E.mgr, 0, NULL, NULL), BITS_S_OK);
    free(src);
    free(d);
    free(l.text);
}

/* A dead port at INFO: the transient failure says its code and when it is
 * retried; no HTTP trace at that level. */
static void test_retry_line_and_levels(void **unused)
{
    (void)unused;
    lines l = { .lock = PTHREAD_MUTEX_INITIALIZER };
    assert_hr_equal(bits_manager_set_log_callback(E.mgr, BITS_LOG_INFO, collect, &l), BITS_S_OK);
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(E.mgr, "dead port", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    char *d = env_dl_path(&E, "dead.bin");
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/dead.bin", d), BITS_S_OK);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 600), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_line(&l, "-> TRANSIENT_ERROR: BG_E_CONNECT_FAILURE", 20);
    assert_true(has(&l, "; retry in 6")); /* 600 s plus up to 30 s of jitter */
    assert_true(has(&l, "2 ")); /* the failure's line is a WARNING */
    assert_false(has(&l, "> GET"));
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    wait_line(&l, "-> CANCELLED", 10);
    assert_hr_equal(bits_manager_set_log_callback(E.mgr, 0, NULL, NULL), BITS_S_OK);
    bits_job_release(job);
    free(d);
    free(l.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trace_without_secrets, tx_test_setup,
                                        tx_test_teardown),
        cmocka_unit_test_setup_teardown(test_retry_line_and_levels, tx_test_setup,
                                        tx_test_teardown),
    };
    return cmocka_run_group_tests(tests, tx_group_setup, tx_group_teardown);
}
