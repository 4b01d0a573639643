/*
 * test_tls.c - BG_SSL_ENABLE_CRL_CHECK over real HTTPS on loopback: a CA
 * made with `openssl ca`, one good and one revoked server certificate,
 * and the CRL that revokes the second (ts_make_crl_files).
 *
 * The library reads OPENBITS_CRL_FILE (and SSL_CERT_FILE) when a file's
 * transfer starts, on its engine thread. So this test changes them only
 * while none of its jobs is transferring: every job has settled (ERROR
 * cancelled, TRANSFERRED completed) before the next setenv, and Resume
 * hands the next job to the engine thread after it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer_support.h"

#define PAYLOAD "crl.bin"
#define PAYLOAD_SIZE 100000

typedef struct tls_env {
    char *dir;            /* the CA's directory */
    char *crl;            /* its CRL (PEM) */
    char *src;            /* the served file */
    char *dest;
    ts_server good, revoked;
} tls_env;

static void set_crl_file(const char *path)
{
    if (path)
        assert_int_equal(setenv("OPENBITS_CRL_FILE", path, 1), 0);
    else
        assert_int_equal(unsetenv("OPENBITS_CRL_FILE"), 0);
}

/* Runs a one-file job of @p url with @p flags to TRANSFERRED or ERROR and
 * returns it settled (the caller checks, then finishes it). */
static bits_job *run(const tls_env *t, const char *url, uint32_t flags)
{
    bits_job *job = env_new_job(&E, "crl");
    assert_hr_equal(bits_job_add_file(job, url, t->dest), BITS_S_OK);
    assert_hr_equal(bits_job_set_security_flags(job, flags), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    wait_for(job, DONE_MASK, 30);
    return job;
}

static void expect_transferred(const tls_env *t, const char *url, uint32_t flags)
{
    bits_job *job = run(t, url, flags);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(t->src, t->dest));
    assert_int_equal(unlink(t->dest), 0);
    bits_job_release(job);
}

/* Expects ERROR with @p code (context GENERAL_TRANSPORT, as every TLS
 * failure), a description containing @p text, and no byte written. */
static void expect_failure(const tls_env *t, const char *url, uint32_t flags, bits_hresult code,
                           const char *text)
{
    bits_job *job = run(t, url, flags);
    assert_int_equal(state_of(job), BG_JOB_STATE_ERROR);
    uint32_t context = code == BITS_E_WINHTTP_REDIRECT_FAILED ? BG_ERROR_CONTEXT_REMOTE_FILE
                                                              : BG_ERROR_CONTEXT_GENERAL_TRANSPORT;
    expect_error(job, code, context);
    bits_error *err = NULL;
    char *description = NULL;
    assert_hr_equal(bits_job_get_error(job, &err), BITS_S_OK);
    assert_hr_equal(bits_error_get_description(err, &description), BITS_S_OK);
    if (text && !strstr(description, text)) {
        print_error("description without \"%s\": %s\n", text, description);
        fail();
    }
    bits_free(description);
    bits_error_free(err);
    assert_int_equal(job_bytes(job), 0);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    assert_false(exists(t->dest));
    bits_job_release(job);
}

/* The number of requests @p srv saw for the payload since its last reset. */
static int payload_requests(const ts_server *srv)
{
    char *stats = ts_server_stats(srv);
    int seen = strstr(stats, "/" PAYLOAD) != NULL;
    free(stats);
    return seen;
}

static void test_crl_check(void **state)
{
    (void)state;
    tls_env t = { 0 };
    t.dir = ts_path_join(E.dir, "ca");
    assert_int_equal(mkdir(t.dir, 0700), 0);
    ts_make_crl_files(t.dir);
    t.crl = ts_path_join(t.dir, "crl.pem");
    t.src = env_serve(&E, PAYLOAD, PAYLOAD_SIZE, 41);
    t.dest = env_dl_path(&E, PAYLOAD);
    char *ca = ts_path_join(t.dir, "ca.pem");
    char *cert[2] = { ts_path_join(t.dir, "good.pem"), ts_path_join(t.dir, "revoked.pem") };
    char *key[2] = { ts_path_join(t.dir, "good.key"), ts_path_join(t.dir, "revoked.key") };
    ts_server_start_tls(&t.good, E.www, cert[0], key[0]);
    ts_server_start_tls(&t.revoked, E.www, cert[1], key[1]);
    char *good = ts_server_url(&t.good, "/" PAYLOAD);
    char *revoked = ts_server_url(&t.revoked, "/" PAYLOAD);
    char *plain = ts_server_url(&E.srv, "/" PAYLOAD);
    char *saved_ca = getenv("SSL_CERT_FILE") ? strdup(getenv("SSL_CERT_FILE")) : NULL;
    char *saved_crl = getenv("OPENBITS_CRL_FILE") ? strdup(getenv("OPENBITS_CRL_FILE")) : NULL;
    assert_int_equal(setenv("SSL_CERT_FILE", ca, 1), 0);

    /* (1) The flag, the CRL, a certificate it does not revoke. */
    set_crl_file(t.crl);
    expect_transferred(&t, good, BG_SSL_ENABLE_CRL_CHECK);
    /* (2) A certificate the CRL revokes. */
    expect_failure(&t, revoked, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_SECURE_CERT_REVOKED,
                   "revoked");
    /* (4) No flag, no check asked: the revoked certificate still verifies. */
    expect_transferred(&t, revoked, 0);

    /* (3) The flag without a CRL: fatal before any request. */
    set_crl_file(NULL);
    ts_server_reset(&t.good);
    expect_failure(&t, good, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_SECURE_CERT_REV_FAILED,
                   "no CRL is configured");
    assert_int_equal(payload_requests(&t.good), 0);
    set_crl_file("");
    expect_failure(&t, good, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_SECURE_CERT_REV_FAILED,
                   "OPENBITS_CRL_FILE is not set");
    /* Plain HTTP and local copies are not concerned... */
    expect_transferred(&t, plain, BG_SSL_ENABLE_CRL_CHECK);
    expect_transferred(&t, t.src, BG_SSL_ENABLE_CRL_CHECK);
    /* ...but plain HTTP may not redirect to HTTPS that nothing checks. */
    char fields[512];
    snprintf(fields, sizeof fields, "\"redirect\": \"%s\", \"redirect_status\": 302", revoked);
    configure_on(&E.srv, "up.bin", fields);
    char *up = ts_server_url(&E.srv, "/up.bin");
    expect_failure(&t, up, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_REDIRECT_FAILED, NULL);

    /* (5) A CRL file that cannot be read, or that libcurl cannot load. */
    char *missing = ts_path_join(t.dir, "missing.pem");
    set_crl_file(missing);
    ts_server_reset(&t.good);
    expect_failure(&t, good, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_SECURE_CERT_REV_FAILED,
                   "cannot be read");
    assert_int_equal(payload_requests(&t.good), 0);
    char *garbage = ts_path_join(t.dir, "garbage.pem");
    FILE *f = fopen(garbage, "w");
    assert_non_null(f);
    fputs("-----BEGIN X509 CRL-----\nnot a CRL\n-----END X509 CRL-----\n", f);
    assert_int_equal(fclose(f), 0);
    set_crl_file(garbage);
    expect_failure(&t, good, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_SECURE_CERT_REV_FAILED,
                   NULL);
    /* A CRL that loads but is out of date: the check cannot be done
     * (OpenSSL's X509_V_ERR_CRL_HAS_EXPIRED), even for a good certificate. */
    char *expired = ts_path_join(t.dir, "expired-crl.pem");
    set_crl_file(expired);
    expect_failure(&t, good, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_SECURE_CERT_REV_FAILED,
                   "verify result 12");

    /* A flag that turns chain verification off leaves nothing to check
     * revocation with: refused rather than silently unchecked. */
    set_crl_file(t.crl);
    expect_failure(&t, good, BG_SSL_ENABLE_CRL_CHECK | BG_SSL_IGNORE_UNKNOWN_CA,
                   BITS_E_WINHTTP_SECURE_CERT_REV_FAILED, "chain verification off");
    /* An HTTP URL redirected to HTTPS: the HTTPS hop is checked. */
    expect_failure(&t, up, BG_SSL_ENABLE_CRL_CHECK, BITS_E_WINHTTP_SECURE_CERT_REVOKED, NULL);

    set_crl_file(saved_crl);
    if (saved_ca)
        setenv("SSL_CERT_FILE", saved_ca, 1);
    else
        unsetenv("SSL_CERT_FILE");
    ts_server_stop(&t.good);
    ts_server_stop(&t.revoked);
    free(saved_ca), free(saved_crl), free(missing), free(garbage), free(expired), free(up);
    free(good), free(revoked), free(plain), free(ca);
    for (int i = 0; i < 2; i++)
        free(cert[i]), free(key[i]);
    free(t.dir), free(t.crl), free(t.src), free(t.dest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crl_check, tx_test_setup, tx_test_teardown),
    };
    return cmocka_run_group_tests_name("tls", tests, tx_group_setup, tx_group_teardown);
}
