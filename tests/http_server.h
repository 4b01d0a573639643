/*
 * http_server.h - the loopback test HTTP server for the C tests.
 *
 * Starts python_tests/server/openbits_test_server.py (path and interpreter
 * from $OPENBITS_TEST_SERVER and $OPENBITS_PYTHON, set by CTest) on an
 * ephemeral port of 127.0.0.1, talks to its control API, and stops it.
 */
#ifndef OPENBITS_TEST_HTTP_SERVER_H
#define OPENBITS_TEST_HTTP_SERVER_H

#include <sys/types.h>

typedef struct ts_server {
    pid_t pid;
    int port;
    char *root;        /* directory the server serves */
    char *port_file;
    int tls;           /* serves HTTPS */
} ts_server;

/* Starts the server serving @p root. Fails the test when it cannot. */
void ts_server_start(ts_server *s, const char *root);
/* Starts it serving HTTPS with the PEM @p cert and @p key. */
void ts_server_start_tls(ts_server *s, const char *root, const char *cert, const char *key);
/* Makes a test CA and a server certificate for 127.0.0.1 in @p dir with
 * openssl (through the server's own helper): ca.pem, server.pem,
 * server.key. */
void ts_make_tls_files(const char *dir);
/* Makes a small CA with `openssl ca` in @p dir (its openssl.cnf, index.txt,
 * serial and crlnumber there too): ca.pem; two server certificates for
 * IP:127.0.0.1, good.pem/good.key and revoked.pem/revoked.key; the second
 * revoked with `openssl ca -revoke`; crl.pem from `openssl ca -gencrl`
 * (valid for two days) and expired-crl.pem, the same list but out of date
 * since 2000. Fails the test when openssl fails. */
void ts_make_crl_files(const char *dir);
/* Stops it (SIGTERM, then waits) and frees its strings. */
void ts_server_stop(ts_server *s);
/* "http://127.0.0.1:PORT" (https for a TLS server) + @p path (malloc'ed). */
char *ts_server_url(const ts_server *s, const char *path);
/* POSTs @p json to /_control/config; fails the test on an error status. */
void ts_server_config(const ts_server *s, const char *json);
/* GETs /_control/stats; the body (malloc'ed). */
char *ts_server_stats(const ts_server *s);
/* POSTs to /_control/reset (clears behaviours and counters). */
void ts_server_reset(const ts_server *s);

/* Writes @p size deterministic bytes (seeded by @p seed) to @p path. */
void ts_write_file(const char *path, size_t size, unsigned seed);
/* 1 when the two files have identical contents. */
int ts_files_equal(const char *a, const char *b);

#endif
