/*
 * test_hostile.c - servers that answer wrongly on purpose (issue 15).
 *
 * A raw-socket HTTP server on 127.0.0.1 answers every request of a case
 * with the bytes the case makes, counts the requests and closes each
 * connection. Each case asserts the job's state, its error's code and
 * context, and a bound on the number of requests: no answer may make a
 * job loop without the retry delay, or report a code that blames the
 * wrong party. Bounded: every wait has a limit, the server a request cap.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_support.h"

#define MAX_REQUESTS 200
#define FILE_SIZE 1000

typedef struct request {
    long range_from;        /* -1: no Range header */
    int if_range;           /* an If-Range header came */
} request;

/* What a case answers to request number @p n (from 0). Writes the whole
 * answer to @p fd. */
typedef void (*answer_fn)(int fd, int n, const request *r);

typedef struct hostile {
    int listen_fd;
    int port;
    pthread_t thread;
    atomic_int stop;
    atomic_int requests;
    answer_fn answer;
} hostile;

static void send_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void send_text(int fd, const char *text)
{
    send_all(fd, text, strlen(text));
}

/* Reads a request's head (bounded); 0 when one came. */
static int read_request(int fd, request *r)
{
    char buf[16384];
    size_t n = 0;
    while (n < sizeof buf - 1) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 5000) <= 0)
            return -1;
        ssize_t got = recv(fd, buf + n, sizeof buf - 1 - n, 0);
        if (got <= 0)
            return -1;
        n += (size_t)got;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    const char *range = strcasestr(buf, "\r\nRange: bytes=");
    r->range_from = range ? strtol(range + 15, NULL, 10) : -1;
    r->if_range = strcasestr(buf, "\r\nIf-Range:") != NULL;
    return 0;
}

static void *serve(void *arg)
{
    hostile *h = arg;
    while (!atomic_load(&h->stop)) {
        struct pollfd p = { h->listen_fd, POLLIN, 0 };
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(h->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        request r;
        int n = atomic_load(&h->requests);
        if (n < MAX_REQUESTS && read_request(fd, &r) == 0) {
            atomic_fetch_add(&h->requests, 1);
            h->answer(fd, n, &r);
        }
        shutdown(fd, SHUT_RDWR);
        close(fd);
    }
    return NULL;
}

static void hostile_start(hostile *h, answer_fn answer)
{
    memset(h, 0, sizeof *h);
    h->answer = answer;
    h->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(h->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(h->listen_fd, 16), 0);
    socklen_t len = sizeof a;
    getsockname(h->listen_fd, (struct sockaddr *)&a, &len);
    h->port = ntohs(a.sin_port);
    pthread_create(&h->thread, NULL, serve, h);
}

static void hostile_stop(hostile *h)
{
    atomic_store(&h->stop, 1);
    pthread_join(h->thread, NULL);
    close(h->listen_fd);
}

/* ---- the job side ---------------------------------------------------------- */

static char *g_dir;
static bits_manager *g_mgr;

static int setup(void **state)
{
    (void)state;
    g_dir = ts_make_temp_dir();
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &g_mgr), BITS_S_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bits_manager_close(g_mgr);
    ts_remove_tree(g_dir);
    return 0;
}

/* A job of one file from the hostile server, resumed; the retry delay is
 * BITS's minimum (5 s) so a loop would show as many requests quickly. */
static bits_job *start_job(const hostile *h, const char *name)
{
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(g_mgr, name, BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", h->port, name);
    char *dest = ts_path_join(g_dir, name);
    assert_hr_equal(bits_job_add_file(job, url, dest), BITS_S_OK);
    free(dest);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 5), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    return job;
}

static void expect_error(bits_job *job, bits_hresult code, uint32_t context)
{
    bits_error *e;
    uint32_t ctx = 0;
    bits_hresult got = 0;
    assert_hr_equal(bits_job_get_error(job, &e), BITS_S_OK);
    assert_hr_equal(bits_error_get_error(e, &ctx, &got), BITS_S_OK);
    bits_error_free(e);
    assert_hr_equal(got, code);
    assert_int_equal(ctx, context);
}

#define BIT(s) (1u << (s))

/* Runs a case: the job must reach @p state with @p code and @p context
 * after at most @p max_requests requests, and stay within that bound for
 * another second (no request loop behind the error). */
static void run_case(answer_fn answer, const char *name, uint32_t state, bits_hresult code,
                     uint32_t context, int max_requests)
{
    hostile h;
    hostile_start(&h, answer);
    bits_job *job = start_job(&h, name);
    assert_int_equal(wait_for(job, BIT(state), 20), state);
    expect_error(job, code, context);
    uint32_t errors = 0;
    assert_hr_equal(bits_job_get_error_count(job, &errors), BITS_S_OK);
    assert_int_equal(errors, 1);
    double until = now_s() + 1;
    while (now_s() < until)
        usleep(20000);
    int requests = atomic_load(&h.requests);
    if (requests > max_requests)
        fail_msg("%s: %d requests, at most %d expected", name, requests, max_requests);
    assert_true(requests >= 1);
    bits_job_cancel(job);
    bits_job_release(job);
    hostile_stop(&h);
}

/* ---- the cases ---------------------------------------------------------------- */

/* 206 for bytes nobody asked for, every time: before, the file restarted
 * at once forever (6,409 requests in 20 s); now a few restarts, then a
 * transient error with the retry delay. */
static void wrong_content_range(int fd, int n, const request *r)
{
    (void)n;
    (void)r;
    send_text(fd, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-199/1000\r\n"
                  "Content-Length: 100\r\nETag: \"x\"\r\nConnection: close\r\n\r\n");
    char body[100] = { 0 };
    send_all(fd, body, sizeof body);
}

static void test_wrong_content_range_is_bounded(void **unused)
{
    (void)unused;
    run_case(wrong_content_range, "cr.bin", BG_JOB_STATE_TRANSIENT_ERROR,
             BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, 4);
}

/* A file that starts with 200 and a strong ETag and is cut half way; the
 * resume gets a 206 of another version (If-Range ignored, ETag changed);
 * the next request gets the whole new version. Before, the 206 was
 * appended: a file of two versions. Now the other version's range is
 * never mixed in: the file restarts and holds one version. */
static void changing_version(int fd, int n, const request *r)
{
    char head[512];
    char body[FILE_SIZE];
    memset(body, 'a' + n % 26, sizeof body);
    if (n == 1 && r->range_from > 0) {
        snprintf(head, sizeof head,
                 "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %ld-%d/%d\r\n"
                 "Content-Length: %ld\r\nETag: \"v%d\"\r\nConnection: close\r\n\r\n",
                 r->range_from, FILE_SIZE - 1, FILE_SIZE, FILE_SIZE - r->range_from, n);
        send_text(fd, head);
        send_all(fd, body, (size_t)(FILE_SIZE - r->range_from));
        return;
    }
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nETag: \"v%d\"\r\nConnection: close\r\n\r\n",
             FILE_SIZE, n);
    send_text(fd, head);
    send_all(fd, body, n == 0 ? FILE_SIZE / 2 : FILE_SIZE); /* the first is cut */
}

static void test_range_of_another_version_is_not_mixed_in(void **unused)
{
    (void)unused;
    hostile h;
    hostile_start(&h, changing_version);
    bits_job *job = start_job(&h, "version.bin");
    assert_int_equal(wait_for(job, BIT(BG_JOB_STATE_TRANSIENT_ERROR), 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    expect_error(job, BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK); /* at once, not after the delay */
    assert_int_equal(wait_for(job, BIT(BG_JOB_STATE_TRANSFERRED), 20), BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(atomic_load(&h.requests), 3);
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    char *dest = ts_path_join(g_dir, "version.bin");
    FILE *f = fopen(dest, "rb");
    assert_non_null(f);
    char got[FILE_SIZE + 1];
    assert_int_equal(fread(got, 1, sizeof got, f), FILE_SIZE);
    fclose(f);
    for (int i = 0; i < FILE_SIZE; i++)
        assert_int_equal(got[i], 'c'); /* all of the third answer's version */
    free(dest);
    bits_job_release(job);
    hostile_stop(&h);
}

/* 416 to everything: a plain fatal HTTP error, one request. */
static void always_416(int fd, int n, const request *r)
{
    (void)n;
    (void)r;
    send_text(fd, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */1000\r\n"
                  "Content-Length: 0\r\nConnection: close\r\n\r\n");
}

static void test_416_everywhere(void **unused)
{
    (void)unused;
    run_case(always_416, "416.bin", BG_JOB_STATE_ERROR, BG_E_HTTP_ERROR(416),
             BG_ERROR_CONTEXT_REMOTE_FILE, 1);
}

/* A status line of 1 MB: the server's fault (REMOTE_FILE), not "out of
 * memory" of the queue manager as before. */
static void huge_status_line(int fd, int n, const request *r)
{
    (void)n;
    (void)r;
    send_text(fd, "HTTP/1.1 200 ");
    char chunk[4096];
    memset(chunk, 'A', sizeof chunk);
    for (int i = 0; i < 256; i++)
        send_all(fd, chunk, sizeof chunk);
    send_text(fd, "\r\nContent-Length: 10\r\n\r\n0123456789");
}

static void test_huge_status_line(void **unused)
{
    (void)unused;
    run_case(huge_status_line, "status.bin", BG_JOB_STATE_TRANSIENT_ERROR,
             BITS_E_WINHTTP_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, 1);
}

/* No status line at all (HTTP/0.9): an invalid response, not the failed
 * redirect it was reported as. */
static void no_status_line(int fd, int n, const request *r)
{
    (void)n;
    (void)r;
    send_text(fd, "just some bytes, no HTTP here\n");
}

static void test_no_status_line(void **unused)
{
    (void)unused;
    run_case(no_status_line, "09.bin", BG_JOB_STATE_TRANSIENT_ERROR,
             BITS_E_WINHTTP_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, 1);
}

/* Headers without end: bounded by the library's header budget. */
static void endless_headers(int fd, int n, const request *r)
{
    (void)n;
    (void)r;
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n");
    char line[1024];
    for (int i = 0; i < 400; i++) {
        snprintf(line, sizeof line, "X-Filler-%d: %0900d\r\n", i, 0);
        send_text(fd, line);
    }
    send_text(fd, "\r\n0123456789");
}

static void test_endless_headers(void **unused)
{
    (void)unused;
    run_case(endless_headers, "headers.bin", BG_JOB_STATE_TRANSIENT_ERROR,
             BITS_E_WINHTTP_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, 1);
}

/* ---- local names the file system cannot hold ------------------------------------- */

/* A last component past NAME_MAX used to be accepted, downloaded in full,
 * and then fail every Complete; now AddFile refuses it, as it refuses a
 * path whose temporary file would not fit PATH_MAX. */
static void test_local_names_past_the_limits(void **unused)
{
    (void)unused;
    bits_guid id;
    bits_job *job;
    assert_hr_equal(bits_manager_create_job(g_mgr, "names", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    char *name256 = ts_repeat("n", 256), *name255 = ts_repeat("n", 255);
    char *too_long = ts_path_join(g_dir, name256), *longest = ts_path_join(g_dir, name255);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:1/x", too_long), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:1/x", longest), BITS_S_OK);
    /* A directory so deep that its temporary file's path passes PATH_MAX. */
    char deep[4200];
    int len = snprintf(deep, sizeof deep, "%s", g_dir);
    while (len < 4096 - 60)
        len += snprintf(deep + len, sizeof deep - (size_t)len, "/%s", "dddddddddd");
    deep[4096 - 40] = '\0';
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:1/x", deep), BITS_E_INVALIDARG);
    bits_job_cancel(job);
    bits_job_release(job);
    free(name256);
    free(name255);
    free(too_long);
    free(longest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wrong_content_range_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_of_another_version_is_not_mixed_in, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_416_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_status_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_status_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endless_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_names_past_the_limits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
