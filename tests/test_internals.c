/*
 * test_internals.c - the pure pieces, walked exhaustively: every cell of
 * the state table against an independent statement of the spec, the
 * argument validators, the notify command-line splitter, failure
 * classification, header parsing and the redaction of URLs for showing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/classify.h"
#include "util/cmdline_split.h"
#include "util/redact.h"
#include "util/response_headers.h"
#include "model/state.h"
#include "test_support.h"
#include "util/utf8.h"
#include "util/validate.h"

/* ---- the state table --------------------------------------------------- */

enum { Q, C, T, S, E, TE, TD, A, CA };

/* The spec (1.3, 1.4) and design 3.2, written as rules rather than a
 * table, so a wrong cell in src/state.c cannot hide behind a copy. */
static ob_state_result expected(uint32_t s, ob_state_event ev, uint32_t cond)
{
    ob_state_result refuse = { s, BG_E_INVALID_STATE, 0 };
    ob_state_result ok = { s, BITS_S_OK, 0 };
    int final = s == A || s == CA;
    int running = s == C || s == T;
    if (final)
        return refuse;
    switch (ev) {
    case OB_EV_RESUME:
        if (s == S && !(cond & OB_COND_HAS_FILES))
            return (ob_state_result){ S, BG_E_EMPTY, 0 };
        if (s == S || s == E || s == TE)
            ok.next = Q;
        if (s == TD && (cond & OB_COND_HAS_PENDING))
            ok.next = Q;
        return ok;
    case OB_EV_SUSPEND:
        ok.next = s == TD ? TD : S;
        return ok;
    case OB_EV_CANCEL:
        ok.next = CA;
        return ok;
    case OB_EV_COMPLETE:
        ok.next = A;
        return ok;
    case OB_EV_ADD_FILE:
    case OB_EV_SET_PROPERTY:
        return ok;
    case OB_EV_GRANT:
        if (s != Q)
            return refuse;
        ok.next = C;
        return ok;
    case OB_EV_CONNECTED:
        if (s != C)
            return refuse;
        ok.next = T;
        return ok;
    case OB_EV_TRANSIENT_FAILURE:
    case OB_EV_FATAL_FAILURE:
        if (!running)
            return refuse;
        ok.next = ev == OB_EV_FATAL_FAILURE ? E : TE;
        ok.counts_error = 1;
        return ok;
    case OB_EV_FILE_DONE:
        return s == T ? ok : refuse;
    case OB_EV_ALL_FILES_DONE:
        if (!(s == Q || running))
            return refuse;
        ok.next = TD;
        return ok;
    case OB_EV_SLICE_EXPIRED:
    case OB_EV_PREEMPTED:
        if (!running)
            return refuse;
        ok.next = Q;
        return ok;
    case OB_EV_NETWORK_LOST:
        if (!(s == Q || running))
            return refuse;
        ok.next = TE;
        return ok;
    case OB_EV_NETWORK_RESTORED:
    case OB_EV_RETRY_DUE:
        if (s != TE)
            return refuse;
        ok.next = Q;
        return ok;
    case OB_EV_NO_PROGRESS_TIMEOUT:
        if (s != TE)
            return refuse;
        ok.next = E;
        return ok;
    case OB_EV_MAX_DOWNLOAD_TIME:
        if (!running)
            return refuse;
        ok.next = E;
        return ok;
    case OB_EV_INACTIVITY_TIMEOUT:
        ok.next = CA;
        return ok;
    case OB_EV_ENGINE_RESTARTED:
        /* The departed engine's running and waiting jobs queue again. */
        if (!(s == Q || running || s == TE))
            return refuse;
        ok.next = Q;
        return ok;
    default:
        return refuse;
    }
}

static void test_every_cell(void **unused)
{
    (void)unused;
    int cells = 0;
    for (uint32_t s = 0; s < BITS_JOB_STATE_COUNT; s++) {
        for (int ev = 0; ev < OB_EV_COUNT; ev++) {
            for (uint32_t cond = 0; cond < 4; cond++) {
                if ((cond & OB_COND_HAS_PENDING) && !(cond & OB_COND_HAS_FILES))
                    continue; /* pending files without files cannot happen */
                ob_state_result want = expected(s, (ob_state_event)ev, cond);
                ob_state_result got = ob_state_next(s, (ob_state_event)ev, cond);
                if (got.next != want.next || got.hr != want.hr ||
                    got.counts_error != want.counts_error) {
                    print_error("%s x %s (cond %u): got %s/%s/%u, want %s/%s/%u\n",
                                ob_state_name(s), ob_state_event_name((ob_state_event)ev), cond,
                                ob_state_name(got.next), bits_hresult_name(got.hr),
                                got.counts_error, ob_state_name(want.next),
                                bits_hresult_name(want.hr), want.counts_error);
                    fail();
                }
                cells++;
            }
        }
    }
    assert_int_equal(cells, 9 * OB_EV_COUNT * 3);
}

static void test_final_states_absorb_everything(void **unused)
{
    (void)unused;
    for (uint32_t s = BG_JOB_STATE_ACKNOWLEDGED; s <= BG_JOB_STATE_CANCELLED; s++) {
        assert_true(ob_state_is_final(s));
        for (int ev = 0; ev < OB_EV_COUNT; ev++) {
            ob_state_result r = ob_state_next(s, (ob_state_event)ev, 3);
            assert_int_equal(r.next, s);
            assert_hr_equal(r.hr, BG_E_INVALID_STATE);
        }
    }
}

static void test_out_of_range_and_names(void **unused)
{
    (void)unused;
    ob_state_result r = ob_state_next(9, OB_EV_RESUME, 3);
    assert_int_equal(r.next, 9);
    assert_hr_equal(r.hr, BG_E_INVALID_STATE);
    r = ob_state_next(BG_JOB_STATE_QUEUED, OB_EV_COUNT, 3);
    assert_hr_equal(r.hr, BG_E_INVALID_STATE);
    r = ob_state_next(BG_JOB_STATE_QUEUED, (ob_state_event)-1, 3);
    assert_hr_equal(r.hr, BG_E_INVALID_STATE);
    static const char *names[] = { "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED",
                                   "ERROR", "TRANSIENT_ERROR", "TRANSFERRED",
                                   "ACKNOWLEDGED", "CANCELLED" };
    for (uint32_t s = 0; s < 9; s++)
        assert_string_equal(ob_state_name(s), names[s]);
    assert_string_equal(ob_state_name(9), "UNKNOWN");
    assert_string_equal(ob_state_event_name(OB_EV_RESUME), "RESUME");
    assert_string_equal(ob_state_event_name(OB_EV_COUNT), "UNKNOWN");
    uint32_t active[] = { Q, C, T, TE };
    for (size_t i = 0; i < 4; i++)
        assert_true(ob_state_is_active(active[i]));
    assert_false(ob_state_is_active(S));
    assert_false(ob_state_is_active(TD));
    assert_false(ob_state_is_final(TD));
}

/* ---- validators --------------------------------------------------------- */

static void test_utf8(void **unused)
{
    (void)unused;
    size_t n = 0;
    assert_int_equal(ob_utf8_count("", &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(ob_utf8_count("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", &n), 0);
    assert_int_equal(n, 4);
    const char *bad[] = {
        "\xc0\xaf",             /* overlong '/' */
        "\xe0\x80\xaf",         /* overlong */
        "\xed\xa0\x80",         /* surrogate U+D800 */
        "\xf4\x90\x80\x80",     /* above U+10FFFF */
        "\xc3",                 /* truncated */
        "\x80",                 /* lone continuation */
        "\xff",
        "ok\xe2\x82",           /* truncated at the end */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ob_utf8_count(bad[i], &n), -1);
}

static void test_string_limits_count_code_points(void **unused)
{
    (void)unused;
    char *ok = ts_repeat("\xc3\xa9", 256), *too_long = ts_repeat("\xc3\xa9", 257);
    assert_hr_equal(ob_validate_string(ok, 256, BG_E_STRING_TOO_LONG), BITS_S_OK);
    assert_hr_equal(ob_validate_string(too_long, 256, BG_E_STRING_TOO_LONG), BG_E_STRING_TOO_LONG);
    assert_hr_equal(ob_validate_string(NULL, 256, BG_E_STRING_TOO_LONG), BITS_E_INVALIDARG);
    assert_hr_equal(ob_validate_string("\xc3", 256, BG_E_STRING_TOO_LONG), BITS_E_INVALIDARG);
    free(ok);
    free(too_long);
}

static void test_remote_names(void **unused)
{
    (void)unused;
    const char *good[] = {
        "http://example.org/a.iso", "https://example.org:8443/x?y=1#z",
        "http://user:pw@host/p", "http://[::1]:8080/f", "http://127.0.0.1/",
        "https://h/caf\xc3\xa9", "file:///etc/hosts", "file://localhost/tmp/x",
        "/srv/data/file.bin",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (ob_validate_remote_name(good[i]) != BITS_S_OK) {
            print_error("refused %s\n", good[i]);
            fail();
        }
    }
    const char *bad[] = {
        "", "relative/path", "ftp://example.org/x", "data:text/plain,hi", "http://",
        "http:/x", "http:///path", "http://:80/x", "http://host:port/x",
        "http://ho st/x", "http://host/a b", "http://host/\x01", "file://host/x",
        "file://", "file:///", "/", "http://[::1/x", "javascript:alert(1)", "HTTP//x",
        /* libcurl refuses these, so no transfer could ever start (fuzz_names) */
        "http://,example.org/", "http://host:65536/x", "http://[zz]/x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (ob_validate_remote_name(bad[i]) != BITS_E_INVALIDARG) {
            print_error("accepted %s\n", bad[i]);
            fail();
        }
    }
    assert_hr_equal(ob_validate_remote_name(NULL), BITS_E_INVALIDARG);
    char *url = malloc(2300);
    strcpy(url, "http://h/");
    memset(url + 9, 'a', 2200 - 9);
    url[2200] = '\0';
    assert_hr_equal(ob_validate_remote_name(url), BITS_S_OK);
    url[2200] = 'a';
    url[2201] = '\0';
    assert_hr_equal(ob_validate_remote_name(url), BITS_E_INVALIDARG);
    free(url);
    assert_true(ob_remote_is_local("/x"));
    assert_true(ob_remote_is_local("file:///x"));
    assert_false(ob_remote_is_local("http://h/x"));
}

static void test_local_names(void **unused)
{
    (void)unused;
    char *dir = ts_make_temp_dir();
    char *ok = ts_path_join(dir, "file.bin");
    char *sub = ts_path_join(dir, "sub");
    char *missing_parent = ts_path_join(dir, "nope/file.bin");
    char *dotdot = ts_path_join(dir, "../x");
    char *trailing = ts_path_join(dir, "x/");
    mkdir(sub, 0755);
    assert_hr_equal(ob_validate_local_name(ok), BITS_S_OK);
    assert_hr_equal(ob_validate_local_name("relative.bin"), BITS_E_INVALIDARG);
    assert_hr_equal(ob_validate_local_name(""), BITS_E_INVALIDARG);
    assert_hr_equal(ob_validate_local_name(NULL), BITS_E_INVALIDARG);
    assert_hr_equal(ob_validate_local_name(sub), BITS_E_INVALIDARG);     /* a directory */
    assert_hr_equal(ob_validate_local_name(dotdot), BITS_E_INVALIDARG);
    assert_hr_equal(ob_validate_local_name(trailing), BITS_E_INVALIDARG);
    assert_hr_equal(ob_validate_local_name(missing_parent), BITS_E_PATH_NOT_FOUND);
    char *under_file = ts_path_join(ok, "x"); /* parent is a regular file */
    FILE *f = fopen(ok, "w");
    fclose(f);
    assert_hr_equal(ob_validate_local_name(under_file), BITS_E_PATH_NOT_FOUND);
    if (geteuid() != 0) {
        char *ro = ts_path_join(sub, "x");
        chmod(sub, 0555);
        assert_hr_equal(ob_validate_local_name(ro), BITS_E_ACCESSDENIED);
        chmod(sub, 0755);
        free(ro);
    }
    free(ok), free(sub), free(missing_parent), free(dotdot), free(trailing), free(under_file);
    ts_remove_tree(dir);
}

static void test_custom_headers(void **unused)
{
    (void)unused;
    assert_hr_equal(ob_validate_custom_headers("X-A: 1\r\nX-B: two words\r\n"), BITS_S_OK);
    assert_hr_equal(ob_validate_custom_headers("X-A: 1"), BITS_S_OK);
    assert_hr_equal(ob_validate_custom_headers("X-Tab:\tv"), BITS_S_OK);
    const char *bad[] = { "X-A: 1\nX-B: 2", "X-A: 1\rX-B: 2", "NoColon", ": empty name",
                          "Bad Name: v", "X-A: 1\r\n\r\nX-B: 2", "X-A: \x01", "X(A): v",
                          "X-A: 1\r\n\r\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_hr_equal(ob_validate_custom_headers(bad[i]), BITS_E_INVALIDARG);
    char *big = ts_repeat("a", 16384 - 3);
    memcpy(big, "X: ", 3);
    assert_hr_equal(ob_validate_custom_headers(big), BITS_S_OK);
    free(big);
    big = ts_repeat("a", 16385);
    memcpy(big, "X: ", 3);
    assert_hr_equal(ob_validate_custom_headers(big), BG_E_STRING_TOO_LONG);
    free(big);
}

static void test_proxy_lists(void **unused)
{
    (void)unused;
    assert_hr_equal(ob_validate_proxy_list("http=proxy:8080 https://p2:3128", BG_E_PROXY_LIST_TOO_LARGE),
                    BITS_S_OK);
    assert_hr_equal(ob_validate_proxy_list("bad\x01", BG_E_PROXY_LIST_TOO_LARGE), BITS_E_INVALIDARG);
    char *big = ts_repeat("a", 4001);
    assert_hr_equal(ob_validate_proxy_list(big, BG_E_PROXY_BYPASS_LIST_TOO_LARGE),
                    BG_E_PROXY_BYPASS_LIST_TOO_LARGE);
    big[4000] = '\0';
    assert_hr_equal(ob_validate_proxy_list(big, BG_E_PROXY_LIST_TOO_LARGE), BITS_S_OK);
    free(big);
}

/* ---- URLs as shown: the password redacted --------------------------------- */

static void test_url_redaction(void **unused)
{
    (void)unused;
    static const struct {
        const char *url, *shown;
    } cases[] = {
        /* no userinfo, a user name only, file:// and paths: unchanged */
        { "http://host/x", "http://host/x" },
        { "https://host:8443/a/b?c=d#e", "https://host:8443/a/b?c=d#e" },
        { "http://erin@host/x", "http://erin@host/x" },
        { "http://host/p@th?q=a@b#f@g", "http://host/p@th?q=a@b#f@g" },
        { "http://host?mail=a@b", "http://host?mail=a@b" },
        { "file:///tmp/a@b:c", "file:///tmp/a@b:c" },
        { "file://localhost/tmp/x", "file://localhost/tmp/x" },
        { "/tmp/erin:pw@host/x", "/tmp/erin:pw@host/x" },
        { "", "" },
        /* a password: replaced, the user name and the rest kept as set */
        { "http://erin:UrlPwLeak123@host/x", "http://erin:***@host/x" },
        { "https://erin:UrlPwLeak123@host:8443/a?b#c", "https://erin:***@host:8443/a?b#c" },
        { "HTTPS://Erin:PW@Host", "HTTPS://Erin:***@Host" },
        { "http://erin:p%40ss%3Aw@host/", "http://erin:***@host/" },
        { "http://er%69n:pw@host/", "http://er%69n:***@host/" },
        { "http://erin:p:w@host/", "http://erin:***@host/" },
        { "http://erin:@host/", "http://erin:***@host/" },
        { "http://:pw@host/", "http://:***@host/" },
        { "http://erin:pw@[::1]:8080/x", "http://erin:***@[::1]:8080/x" },
        { "http://erin:pw@[fe80::1%25eth0]/x", "http://erin:***@[fe80::1%25eth0]/x" },
        { "http://erin:pw@host/p@th?q=a@b", "http://erin:***@host/p@th?q=a@b" },
        { "http://erin:pw@host?q=a:b@c", "http://erin:***@host?q=a:b@c" },
        { "http:///erin:pw@host/", "http:///erin:***@host/" },
        { "socks5://erin:pw@proxy:1080", "socks5://erin:***@proxy:1080" },
        /* a bare authority, as a proxy is written */
        { "erin:pw@proxy:3128", "erin:***@proxy:3128" },
        { "proxy:3128", "proxy:3128" },
        /* malformed: everything up to the last '@' goes */
        { "http://erin:pa/ss@host/x", "http://***@host/x" },
        { "http://erin:pa?ss@host/x", "http://***@host/x" },
        { "http://erin:pa#ss@host/x", "http://***@host/x" },
        { "http://a@b:pw@host/", "http://***@host/" },
        { "http://erin:pw@@host/", "http://***@host/" },
        { "http://erin:pw@", "http://***@" },
        { "http://erin:pw@host:99999/", "http://***@host:99999/" },
        { "http://erin:pw@ho st/x@y", "http://***@y" },
        { "http://erin:pw\\x@host/", "http://***@host/" },
        { "http:erin:pw@host/", "http:***@host/" }, /* read as a bare authority */
        { "file:\\\\\\etpseri:pw@r", "***@r" }, /* libcurl: user "file", no slashes */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *shown = ob_url_redact(cases[i].url);
        assert_non_null(shown);
        if (strcmp(shown, cases[i].shown) != 0)
            fail_msg("%s: shown as %s, expected %s", cases[i].url, shown, cases[i].shown);
        free(shown);
    }
    assert_null(ob_url_redact(NULL));

    char *list = ob_url_redact_list("  http://u:pw1@p1:8080 p2:3128  u2:pw2@p3:1 ");
    assert_string_equal(list, "  http://u:***@p1:8080 p2:3128  u2:***@p3:1 ");
    free(list);
    list = ob_url_redact_list("");
    assert_string_equal(list, "");
    free(list);
    list = ob_url_redact_list("a:@b c:@d"); /* the largest growth: 3 bytes an entry */
    assert_string_equal(list, "a:***@b c:***@d");
    free(list);
    assert_null(ob_url_redact_list(NULL));

    /* URLs inside a line of text, as libcurl's verbose text quotes them. */
    static const struct { const char *text, *shown; } lines[] = {
        { "Issue another request to this URL: 'http://erin:pw@h/x'",
          "Issue another request to this URL: 'http://erin:***@h/x'" },
        { "Location: https://u:secret@host:8443/a b http://x/", "Location: https://u:***@host:8443/a b http://x/" },
        { "no url here", "no url here" },
        { "two <http://a:1@x> and \"ftp://b:2@y\"", "two <http://a:***@x> and \"ftp://b:***@y\"" },
        { "bare :// and ://@x", "bare :// and ***@x" }, /* in doubt: redacted */
        { "", "" },
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char *shown = ob_text_redact_urls(lines[i].text);
        assert_non_null(shown);
        assert_string_equal(shown, lines[i].shown);
        free(shown);
    }
    assert_null(ob_text_redact_urls(NULL));
}

/* ---- command line, classification, parsing ---------------------------------- */

static void test_cmdline_split(void **unused)
{
    (void)unused;
    char **argv = ob_cmdline_split("prog  \"two words\" x\\\"y \"a\\\\b\"\t end");
    assert_non_null(argv);
    assert_string_equal(argv[0], "prog");
    assert_string_equal(argv[1], "two words");
    assert_string_equal(argv[2], "x\"y");
    assert_string_equal(argv[3], "a\\b");
    assert_string_equal(argv[4], "end");
    assert_null(argv[5]);
    free(argv);
    argv = ob_cmdline_split("   ");
    assert_non_null(argv);
    assert_null(argv[0]);
    free(argv);
    assert_null(ob_cmdline_split("prog \"unterminated"));
}

static void test_http_status_classes(void **unused)
{
    (void)unused;
    struct { long status; int transient; } cases[] = {
        { 300, 0 }, { 301, 0 }, { 302, 0 }, { 303, 0 }, { 304, 0 }, { 305, 0 }, { 306, 1 },
        { 307, 0 }, { 308, 1 }, { 400, 0 }, { 401, 0 }, { 403, 0 }, { 404, 0 }, { 407, 0 },
        { 408, 1 }, { 409, 1 }, { 410, 0 }, { 416, 0 }, { 429, 1 }, { 500, 1 }, { 501, 0 },
        { 502, 1 }, { 503, 1 }, { 504, 1 }, { 505, 0 }, { 599, 1 }, { 100, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ob_failure f = ob_classify_http_status(cases[i].status);
        assert_int_equal(f.transient, cases[i].transient);
        assert_hr_equal(f.code, (bits_hresult)(0x80190000u + (uint32_t)cases[i].status));
        assert_int_equal(f.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    }
}

static void test_curl_and_errno_classes(void **unused)
{
    (void)unused;
    ob_failure f = ob_classify_curl_code(CURLE_COULDNT_CONNECT, 0);
    assert_hr_equal(f.code, BG_E_CONNECT_FAILURE);
    assert_true(f.transient);
    f = ob_classify_curl_code(CURLE_COULDNT_RESOLVE_HOST, 0);
    assert_hr_equal(f.code, BITS_E_WINHTTP_NAME_NOT_RESOLVED);
    assert_true(f.transient);
    f = ob_classify_curl_code(CURLE_OPERATION_TIMEDOUT, 0);
    assert_true(f.transient);
    f = ob_classify_curl_code(CURLE_PARTIAL_FILE, 0);
    assert_hr_equal(f.code, BG_E_CONNECTION_CLOSED);
    assert_true(f.transient);
    f = ob_classify_curl_code(CURLE_PEER_FAILED_VERIFICATION, 0);
    assert_hr_equal(f.code, BITS_E_WINHTTP_SECURE_FAILURE);
    assert_false(f.transient);
    f = ob_classify_curl_code(CURLE_UNSUPPORTED_PROTOCOL, 0);
    assert_hr_equal(f.code, BITS_E_WINHTTP_REDIRECT_FAILED);
    assert_false(f.transient);
    f = ob_classify_curl_code(CURLE_FILE_COULDNT_READ_FILE, 1);
    assert_hr_equal(f.code, BITS_E_FILE_NOT_FOUND);
    assert_int_equal(f.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    f = ob_classify_local_errno(ENOSPC);
    assert_hr_equal(f.code, BITS_E_DISK_FULL);
    assert_true(f.transient);
    assert_int_equal(f.context, BG_ERROR_CONTEXT_LOCAL_FILE);
    f = ob_classify_local_errno(EACCES);
    assert_hr_equal(f.code, BITS_E_ACCESSDENIED);
    assert_false(f.transient);
    f = ob_classify_local_errno(ELOOP);
    assert_false(f.transient);
}

static void test_header_parsing(void **unused)
{
    (void)unused;
    int64_t a, b, t;
    assert_int_equal(ob_parse_content_range("bytes 100-199/1000", &a, &b, &t), 0);
    assert_true(a == 100 && b == 199 && t == 1000);
    assert_int_equal(ob_parse_content_range("bytes 0-0/*", &a, &b, &t), 0);
    assert_true(a == 0 && b == 0 && t == -1);
    assert_int_equal(ob_parse_content_range("bytes */1000", &a, &b, &t), 0);
    assert_true(a == -1 && t == 1000);
    const char *bad[] = { "", "bytes", "bytes 1-", "bytes 5-4/10", "bytes 0-10/10",
                          "items 0-1/2", "bytes */*", "bytes 0-1/2 x", "bytes -1-2/3",
                          "bytes 99999999999999999999-1/2" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ob_parse_content_range(bad[i], &a, &b, &t), -1);
    assert_int_equal(ob_parse_content_range(NULL, &a, &b, &t), -1);

    assert_int_equal(ob_parse_retry_after("120", 0), 120);
    assert_int_equal(ob_parse_retry_after(" 7\r\n", 0), 7);
    assert_int_equal(ob_parse_retry_after("soon", 0), -1);
    assert_int_equal(ob_parse_retry_after(NULL, 0), -1);
    /* 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT */
    assert_int_equal(ob_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 30), 30);
    assert_int_equal(ob_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 30), 0);

    /* Only validators that fit on an If-Range line are kept. */
    assert_true(ob_etag_usable_for_range("\"v1\""));
    assert_false(ob_etag_usable_for_range("W/\"v1\""));
    assert_false(ob_etag_usable_for_range("\"v1\r\nX-Injected: 1\""));
    assert_false(ob_etag_usable_for_range(""));
    assert_false(ob_etag_usable_for_range(NULL));
    assert_true(ob_last_modified_usable_for_range("Wed, 21 Oct 2015 07:28:00 GMT"));
    assert_false(ob_last_modified_usable_for_range("yesterday"));
    assert_false(ob_last_modified_usable_for_range("Wed, 21 Oct 2015 07:28:00 GMT\r"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cell),
        cmocka_unit_test(test_final_states_absorb_everything),
        cmocka_unit_test(test_out_of_range_and_names),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_string_limits_count_code_points),
        cmocka_unit_test(test_remote_names),
        cmocka_unit_test(test_local_names),
        cmocka_unit_test(test_custom_headers),
        cmocka_unit_test(test_proxy_lists),
        cmocka_unit_test(test_url_redaction),
        cmocka_unit_test(test_cmdline_split),
        cmocka_unit_test(test_http_status_classes),
        cmocka_unit_test(test_curl_and_errno_classes),
        cmocka_unit_test(test_header_parsing),
    };
    return cmocka_run_group_tests_name("internals", tests, NULL, NULL);
}
