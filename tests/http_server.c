/* http_server.c - start, drive and stop the loopback test HTTP server. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "http_server.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_support.h"

extern char **environ;

static int read_port(const char *port_file)
{
    FILE *f = fopen(port_file, "r");
    int port = 0;
    if (f) {
        if (fscanf(f, "%d", &port) != 1)
            port = 0;
        fclose(f);
    }
    return port;
}

static const char *python_path(void)
{
    const char *python = getenv("OPENBITS_PYTHON");
    return python ? python : "/usr/bin/python3";
}

static void start(ts_server *s, const char *root, const char *cert, const char *key)
{
    const char *script = getenv("OPENBITS_TEST_SERVER");
    const char *python = python_path();
    assert_non_null(script);
    memset(s, 0, sizeof *s);
    s->root = strdup(root);
    s->port_file = ts_path_join(root, ".port");
    s->tls = cert != NULL;
    unlink(s->port_file);
    char *argv[] = { (char *)python, (char *)script, "--port", "0", "--root", s->root,
                     "--port-file", s->port_file, "--lifetime", "300",
                     cert ? "--tls-cert" : NULL, (char *)cert, "--tls-key", (char *)key, NULL };
    assert_int_equal(posix_spawn(&s->pid, python, NULL, NULL, argv, environ), 0);
    for (int i = 0; i < 200 && !s->port; i++) { /* up to 10 s */
        s->port = read_port(s->port_file);
        if (!s->port)
            usleep(50000);
    }
    assert_true(s->port > 0);
}

void ts_server_start(ts_server *s, const char *root)
{
    start(s, root, NULL, NULL);
}

void ts_server_start_tls(ts_server *s, const char *root, const char *cert, const char *key)
{
    start(s, root, cert, key);
}

void ts_make_tls_files(const char *dir)
{
    const char *script = getenv("OPENBITS_TEST_SERVER");
    assert_non_null(script);
    char *code = NULL;
    /* The server directory holds make_tls_files(); reuse it. */
    assert_true(asprintf(&code,
                         "import os, sys; sys.path.insert(0, os.path.dirname(sys.argv[1]));"
                         " from server_helpers import make_tls_files; make_tls_files(sys.argv[2])")
                > 0);
    char *argv[] = { (char *)python_path(), "-c", code, (char *)script, (char *)dir, NULL };
    pid_t pid;
    int status = 0;
    assert_int_equal(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), 0);
    waitpid(pid, &status, 0);
    free(code);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Runs openssl with @p args (NULL-terminated) in @p dir, its output to
 * dir/openssl.log; prints that log and fails the test on an error. */
static void run_openssl(const char *dir, const char *const *args)
{
    char *argv[24] = { "openssl" };
    size_t n = 1;
    for (; args[n - 1]; n++) {
        assert_true(n < sizeof argv / sizeof argv[0] - 1);
        argv[n] = (char *)args[n - 1];
    }
    argv[n] = NULL;
    char *log = ts_path_join(dir, "openssl.log");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addchdir_np(&fa, dir);
    pid_t pid;
    int status = 0;
    assert_int_equal(posix_spawnp(&pid, "openssl", &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char text[4096] = "";
        FILE *f = fopen(log, "r");
        if (f) {
            text[fread(text, 1, sizeof text - 1, f)] = '\0';
            fclose(f);
        }
        print_error("openssl %s failed:\n%s\n", args[0], text);
        fail();
    }
    free(log);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char *path = ts_path_join(dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    free(path);
}

void ts_make_crl_files(const char *dir)
{
    /* Relative paths: openssl runs in @p dir. */
    write_text(dir, "openssl.cnf",
               "[ca]\n"
               "default_ca = test_ca\n"
               "[test_ca]\n"
               "database = index.txt\n"
               "new_certs_dir = newcerts\n"
               "serial = serial\n"
               "crlnumber = crlnumber\n"
               "certificate = ca.pem\n"
               "private_key = ca.key\n"
               "default_md = sha256\n"
               "default_days = 2\n"
               "default_crl_days = 2\n"
               "policy = any_name\n"
               "unique_subject = no\n"
               "x509_extensions = server_cert\n"
               "[any_name]\n"
               "commonName = supplied\n"
               "[server_cert]\n"
               "subjectAltName = IP:127.0.0.1\n"
               "basicConstraints = critical,CA:FALSE\n"
               "keyUsage = critical,digitalSignature\n"
               "extendedKeyUsage = serverAuth\n"
               "[req]\n"
               "distinguished_name = req_name\n"
               "[req_name]\n"
               "[ca_cert]\n"
               "basicConstraints = critical,CA:TRUE\n"
               "keyUsage = critical,keyCertSign,cRLSign\n"
               "subjectKeyIdentifier = hash\n");
    write_text(dir, "index.txt", "");
    write_text(dir, "serial", "1000\n");
    write_text(dir, "crlnumber", "1000\n");
    char *newcerts = ts_path_join(dir, "newcerts");
    assert_int_equal(mkdir(newcerts, 0700), 0);
    free(newcerts);
#define EC_KEY "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"
    run_openssl(dir, (const char *[]){ "req", "-config", "openssl.cnf", "-x509", EC_KEY,
                                       "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                                       "-subj", "/CN=openbits CRL test CA", "-extensions",
                                       "ca_cert", NULL });
    static const char *const names[][4] = { { "good.key", "good.csr", "good.pem", "/CN=good" },
                                            { "revoked.key", "revoked.csr", "revoked.pem",
                                              "/CN=revoked" } };
    for (int i = 0; i < 2; i++) {
        run_openssl(dir, (const char *[]){ "req", "-config", "openssl.cnf", "-new", EC_KEY,
                                           "-keyout", names[i][0], "-out", names[i][1],
                                           "-subj", names[i][3], NULL });
        run_openssl(dir, (const char *[]){ "ca", "-config", "openssl.cnf", "-batch", "-notext",
                                           "-in", names[i][1], "-out", names[i][2], NULL });
    }
#undef EC_KEY
    run_openssl(dir, (const char *[]){ "ca", "-config", "openssl.cnf", "-batch", "-revoke",
                                       "revoked.pem", "-crl_reason", "keyCompromise", NULL });
    run_openssl(dir, (const char *[]){ "ca", "-config", "openssl.cnf", "-batch", "-gencrl",
                                       "-out", "crl.pem", NULL });
    run_openssl(dir, (const char *[]){ "ca", "-config", "openssl.cnf", "-batch", "-gencrl",
                                       "-crl_lastupdate", "20000101000000Z", "-crl_nextupdate",
                                       "20000102000000Z", "-out", "expired-crl.pem", NULL });
}

void ts_server_stop(ts_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    if (s->port_file)
        unlink(s->port_file);
    free(s->root);
    free(s->port_file);
    memset(s, 0, sizeof *s);
}

char *ts_server_url(const ts_server *s, const char *path)
{
    char *url = NULL;
    assert_true(asprintf(&url, "%s://127.0.0.1:%d%s", s->tls ? "https" : "http", s->port, path) >
                0);
    return url;
}

typedef struct buffer {
    char *data;
    size_t len;
} buffer;

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    buffer *b = ud;
    char *grown = realloc(b->data, b->len + size * n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, p, size * n);
    b->len += size * n;
    grown[b->len] = '\0';
    b->data = grown;
    return size * n;
}

static char *control(const ts_server *s, const char *path, const char *body)
{
    char *url = ts_server_url(s, path);
    CURL *c = curl_easy_init();
    buffer b = { NULL, 0 };
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    /* The control channel of a TLS test server uses the test CA: the test
     * harness itself does not check it (loopback only). */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(url);
    if (rc != CURLE_OK || status != 200) {
        print_error("control %s failed: %s, HTTP %ld: %s\n", path, curl_easy_strerror(rc),
                       status, b.data ? b.data : "");
        free(b.data);
        fail();
    }
    return b.data ? b.data : strdup("");
}

void ts_server_config(const ts_server *s, const char *json)
{
    free(control(s, "/_control/config", json));
}

char *ts_server_stats(const ts_server *s)
{
    return control(s, "/_control/stats", NULL);
}

void ts_server_reset(const ts_server *s)
{
    free(control(s, "/_control/reset", "{}"));
}

void ts_write_file(const char *path, size_t size, unsigned seed)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        fputc((int)(x & 0xFF), f);
    }
    assert_int_equal(fclose(f), 0);
}

int ts_files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int equal = fa && fb;
    while (equal) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb)
            equal = 0;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return equal;
}
