/*
 * test_faults_server.c - a misbehaving server (issue 9, "Faults that must
 * be survived"): each fault hits the second file of a two-file job after
 * the first one finished, and must end in the state, code and context the
 * spec gives, with the finished file still byte-identical after Complete.
 *
 * One table row per fault. "then" reconfigures the path before Resume,
 * for faults that only a resumed (ranged) request can meet.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transfer_support.h"

/* The stall limit of these tests' managers: small, so a stall shows fast. */
#define STALL_TIMEOUT_S 2

typedef struct server_fault {
    const char *name;
    size_t size;            /* bytes of the faulty file */
    const char *fields;     /* behaviour of its path ({base} = the server) */
    uint32_t state;         /* where the job goes: TRANSIENT_ERROR, ERROR, TRANSFERRED */
    bits_hresult code;      /* and its error (for the first two) */
    uint32_t context;
    const char *then;       /* behaviour before Resume (NULL: plain) */
    const char *stats_has;  /* text the server's stats must show after Resume */
} server_fault;

static const server_fault faults[] = {
    { "connection reset mid-body", 600000, "\"reset_after\": 200000, \"times\": 1",
      BG_JOB_STATE_TRANSIENT_ERROR, BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT,
      NULL, "bytes=" },
    { "stall longer than the stall timeout", 400000,
      "\"stall_after\": 100000, \"stall\": 20, \"times\": 1", BG_JOB_STATE_TRANSIENT_ERROR,
      BITS_E_WINHTTP_TIMEOUT, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, NULL, "bytes=" },
    { "slow drip (slower than ever stalling)", 120000, "\"rate\": 60000",
      BG_JOB_STATE_TRANSFERRED, 0, 0, NULL, NULL },
    { "truncated body", 500000, "\"truncate_after\": 300000, \"times\": 1",
      BG_JOB_STATE_TRANSIENT_ERROR, BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT,
      NULL, "bytes=" },
    { "Content-Length longer than the body", 300000,
      "\"content_length_delta\": 5000, \"times\": 1", BG_JOB_STATE_TRANSIENT_ERROR,
      BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, NULL, "bytes=" },
    { "Content-Range not matching the request", 500000,
      "\"truncate_after\": 300000, \"times\": 1", BG_JOB_STATE_TRANSIENT_ERROR,
      BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT,
      "\"wrong_content_range\": 7", NULL },
    { "200 with everything instead of 206", 500000, "\"truncate_after\": 300000, \"times\": 1",
      BG_JOB_STATE_TRANSIENT_ERROR, BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT,
      "\"ignore_range\": true", NULL },
    { "200 with only the asked bytes instead of 206", 500000,
      "\"truncate_after\": 300000, \"times\": 1", BG_JOB_STATE_TRANSIENT_ERROR,
      BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT,
      "\"range_as_200\": true, \"times\": 1", NULL },
    { "redirect loop", 1000, "\"redirect\": \"{base}/fault.bin\"", BG_JOB_STATE_ERROR,
      BITS_E_WINHTTP_REDIRECT_FAILED, BG_ERROR_CONTEXT_REMOTE_FILE, NULL, NULL },
    { "redirect to file://", 1000, "\"redirect\": \"file:///etc/passwd\"", BG_JOB_STATE_ERROR,
      BITS_E_WINHTTP_REDIRECT_FAILED, BG_ERROR_CONTEXT_REMOTE_FILE, NULL, NULL },
    { "oversized response header", 1000, "\"huge_header\": 1048576, \"times\": 1",
      BG_JOB_STATE_TRANSIENT_ERROR, BITS_E_WINHTTP_INVALID_SERVER_RESPONSE,
      BG_ERROR_CONTEXT_REMOTE_FILE, NULL, NULL },
    { "many large response headers", 1000,
      "\"headers\": {\"X-A\": \"@\", \"X-B\": \"@\", \"X-C\": \"@\", \"X-D\": \"@\"}, "
      "\"times\": 1",
      BG_JOB_STATE_TRANSIENT_ERROR, BITS_E_WINHTTP_INVALID_SERVER_RESPONSE,
      BG_ERROR_CONTEXT_REMOTE_FILE, NULL, NULL },
};

/* "@" in a fault's fields stands for a 90 KiB header value: four of them
 * pass libcurl's per-line limit but not openbits' budget per response. */
static char *expand_fields(const char *fields)
{
    size_t big = 90 * 1024, n = strlen(fields) + 1;
    for (const char *p = fields; *p; p++)
        n += *p == '@' ? big : 0;
    char *out = malloc(n), *o = out;
    assert_non_null(out);
    for (const char *p = fields; *p; p++) {
        if (*p == '@') {
            memset(o, 'h', big);
            o += big;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static void configure_fault(const char *fields)
{
    char *expanded = expand_fields(fields);
    size_t n = strlen(expanded) + 64;
    char *body = malloc(n);
    assert_non_null(body);
    snprintf(body, n, "{\"path\": \"/fault.bin\", %s}", expanded);
    ts_server_config(&E.srv, body);
    free(body);
    free(expanded);
}

static void run_fault(const server_fault *c)
{
    tx_env_open_manager(&E);
    assert_hr_equal(bits_manager_set_limit(E.mgr, BITS_LIMIT_STALL_TIMEOUT, STALL_TIMEOUT_S),
                    BITS_S_OK);
    char *src1 = env_serve(&E, "first.bin", 70000, 1);
    char *src2 = env_serve(&E, "fault.bin", c->size, 2);
    char *d1 = env_dl_path(&E, "first.bin"), *d2 = env_dl_path(&E, "fault.bin");
    unlink(d1);
    unlink(d2);
    configure_fault(c->fields);
    bits_job *job = env_new_job(&E, c->name);
    env_add(&E, job, "first.bin", d1);
    env_add(&E, job, "fault.bin", d2);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);

    uint32_t s = wait_for(job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 40);
    assert_int_equal(s, c->state);
    if (c->state == BG_JOB_STATE_TRANSFERRED) {
        assert_int_equal(error_count(job), 0);
    } else {
        expect_error(job, c->code, c->context);
        assert_int_equal(error_count(job), 1);
    }
    if (c->state == BG_JOB_STATE_TRANSIENT_ERROR) {
        if (c->then)
            configure_fault(c->then);
        assert_hr_equal(bits_job_resume(job), BITS_S_OK); /* retry now */
        assert_int_equal(wait_for(job, DONE_MASK, 40), BG_JOB_STATE_TRANSFERRED);
        if (c->stats_has) {
            char *stats = ts_server_stats(&E.srv);
            assert_non_null(strstr(stats, c->stats_has)); /* resumed, not restarted */
            free(stats);
        }
    }
    if (c->state == BG_JOB_STATE_ERROR) {
        assert_hr_equal(bits_job_complete(job), BG_S_PARTIAL_COMPLETE);
        assert_false(exists(d2));
    } else {
        assert_hr_equal(bits_job_complete(job), BITS_S_OK);
        assert_true(ts_files_equal(src2, d2));
    }
    assert_true(ts_files_equal(src1, d1)); /* the finished file is never lost */
    bits_job_release(job);
    tx_env_close_manager(&E);
    free(src1), free(src2), free(d1), free(d2);
}

static void test_server_fault(void **state)
{
    run_fault(*state);
}

int main(void)
{
    enum { N = sizeof faults / sizeof faults[0] };
    struct CMUnitTest tests[N];
    for (size_t i = 0; i < N; i++) {
        struct CMUnitTest t = { faults[i].name, test_server_fault, NULL, NULL,
                                (void *)&faults[i] };
        tests[i] = t;
    }
    return _cmocka_run_group_tests("faults_server", tests, N, tx_group_setup, tx_group_teardown);
}
