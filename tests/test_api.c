/*
 * test_api.c - the public C API as a user sees it, without a network:
 * codes, GUIDs, opening stores, defaults and limits of every property,
 * every NULL argument, the life cycle in the states reachable without a
 * transfer, files, enumerators, events and handles outliving the manager.
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

#include "test_support.h"

static char *g_dir;           /* a private directory per test */
static bits_manager *g_mgr;   /* in-memory manager per test */

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

static bits_job *new_job(const char *name)
{
    bits_job *job = NULL;
    bits_guid id;
    assert_hr_equal(bits_manager_create_job(g_mgr, name, BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    return job;
}

/* A local file the job may download to (the engine never runs: no Resume
 * of these jobs reaches a server, see the callers). */
static char *dest(const char *name)
{
    return ts_path_join(g_dir, name);
}

/* ---- codes and versions -------------------------------------------------- */

static void test_code_table(void **unused)
{
    (void)unused;
    bits_hresult prev = 0, code = 0;
    uint32_t i = 0;
    const char *names[256];
    for (; bits_hresult_at(i, &code) == BITS_S_OK; i++) {
        assert_true(i < 256);
        if (i > 0)
            assert_true((uint32_t)code > (uint32_t)prev); /* sorted, unique */
        const char *name = bits_hresult_name(code);
        const char *msg = bits_hresult_message(code);
        assert_string_not_equal(name, "UNKNOWN");
        assert_true(strlen(msg) > 5 && msg[strlen(msg) - 1] == '.');
        for (uint32_t j = 0; j < i; j++)
            assert_string_not_equal(names[j], name);
        names[i] = name;
        prev = code;
    }
    assert_true(i > 100);
    assert_hr_equal(bits_hresult_at(i, &code), BITS_S_FALSE);
    assert_int_equal(code, 0);
    assert_hr_equal(bits_hresult_at(0, NULL), BITS_E_INVALIDARG);

    struct { bits_hresult code; uint32_t value; const char *name; } pinned[] = {
        { BITS_S_OK, 0, "BITS_S_OK" }, { BITS_S_FALSE, 1, "BITS_S_FALSE" },
        { BITS_E_INVALIDARG, 0x80070057u, "BITS_E_INVALIDARG" },
        { BITS_E_NOTIMPL, 0x80004001u, "BITS_E_NOTIMPL" },
        { BITS_E_OUTOFMEMORY, 0x8007000Eu, "BITS_E_OUTOFMEMORY" },
        { BITS_E_ACCESSDENIED, 0x80070005u, "BITS_E_ACCESSDENIED" },
        { BITS_E_PATH_NOT_FOUND, 0x80070003u, "BITS_E_PATH_NOT_FOUND" },
        { BITS_E_FAIL, 0x80004005u, "BITS_E_FAIL" },
        { BG_E_NOT_FOUND, 0x80200001u, "BG_E_NOT_FOUND" },
        { BG_E_INVALID_STATE, 0x80200002u, "BG_E_INVALID_STATE" },
        { BG_E_EMPTY, 0x80200003u, "BG_E_EMPTY" },
        { BG_E_FILE_NOT_AVAILABLE, 0x80200004u, "BG_E_FILE_NOT_AVAILABLE" },
        { BG_E_ERROR_INFORMATION_UNAVAILABLE, 0x8020000Fu, "BG_E_ERROR_INFORMATION_UNAVAILABLE" },
        { BG_E_MISSING_FILE_SIZE, 0x80200011u, "BG_E_MISSING_FILE_SIZE" },
        { BG_E_STRING_TOO_LONG, 0x80200021u, "BG_E_STRING_TOO_LONG" },
        { BG_E_TOO_MANY_JOBS_PER_USER, 0x80200049u, "BG_E_TOO_MANY_JOBS_PER_USER" },
        { BG_E_TOO_MANY_FILES_IN_JOB, 0x80200051u, "BG_E_TOO_MANY_FILES_IN_JOB" },
        { BG_E_MAXDOWNLOAD_TIMEOUT, 0x80200054u, "BG_E_MAXDOWNLOAD_TIMEOUT" },
        { BG_E_DATABASE_CORRUPT, 0x8020006Cu, "BG_E_DATABASE_CORRUPT" },
        { BG_S_PARTIAL_COMPLETE, 0x00200017u, "BG_S_PARTIAL_COMPLETE" },
        { BG_S_UNABLE_TO_DELETE_FILES, 0x0020001Au, "BG_S_UNABLE_TO_DELETE_FILES" },
        { BG_E_HTTP_ERROR_404, 0x80190194u, "BG_E_HTTP_ERROR_404" },
        { BG_E_HTTP_ERROR_503, 0x801901F7u, "BG_E_HTTP_ERROR_503" },
    };
    for (size_t k = 0; k < sizeof pinned / sizeof pinned[0]; k++) {
        assert_int_equal((uint32_t)pinned[k].code, pinned[k].value);
        assert_string_equal(bits_hresult_name(pinned[k].code), pinned[k].name);
    }
    for (int status = 100; status < 600; status++) {
        char want[32];
        snprintf(want, sizeof want, "BG_E_HTTP_ERROR_%d", status);
        assert_string_equal(bits_hresult_name(BG_E_HTTP_ERROR(status)), want);
        assert_non_null(strstr(bits_hresult_message(BG_E_HTTP_ERROR(status)), want + 16));
    }
    assert_non_null(strstr(bits_hresult_message(BG_E_HTTP_ERROR_404), "Not Found"));
    assert_string_equal(bits_hresult_name((bits_hresult)0x80201234u), "UNKNOWN");
    assert_true(strlen(bits_hresult_message((bits_hresult)0x80201234u)) > 0);
    assert_int_equal(bits_succeeded(BG_S_PARTIAL_COMPLETE), 1);
    assert_int_equal(bits_failed(BG_S_PARTIAL_COMPLETE), 0);
    assert_int_equal(bits_failed(BG_E_EMPTY), 1);
    assert_int_equal(bits_succeeded(BG_E_EMPTY), 0);
    assert_int_equal(bits_version(), (uint32_t)OPENBITS_VERSION_NUMBER);
    assert_string_equal(bits_version_string(), OPENBITS_VERSION_STRING);
    bits_free(NULL);
}

static void test_guids(void **unused)
{
    (void)unused;
    bits_guid id, back, other;
    bits_job *a, *b;
    assert_hr_equal(bits_manager_create_job(g_mgr, "a", 0, &id, &a), BITS_S_OK);
    assert_hr_equal(bits_manager_create_job(g_mgr, "b", 0, &other, &b), BITS_S_OK);
    assert_memory_not_equal(id.bytes, other.bytes, 16);
    assert_int_equal(id.bytes[6] >> 4, 4);          /* version 4 */
    assert_int_equal(id.bytes[8] & 0xC0, 0x80);     /* RFC 4122 variant */
    char *text = NULL;
    assert_hr_equal(bits_guid_to_string(&id, &text), BITS_S_OK);
    assert_int_equal(strlen(text), 38);
    assert_true(text[0] == '{' && text[37] == '}');
    assert_hr_equal(bits_guid_from_string(text, &back), BITS_S_OK);
    assert_memory_equal(id.bytes, back.bytes, 16);
    /* Braces optional, any letter case. */
    char bare[37];
    memcpy(bare, text + 1, 36);
    bare[36] = '\0';
    for (char *p = bare; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_hr_equal(bits_guid_from_string(bare, &back), BITS_S_OK);
    assert_memory_equal(id.bytes, back.bytes, 16);
    const char *bad[] = { "", "{}", "0123", "{00000000-0000-0000-0000-00000000000}",
                          "{00000000-0000-0000-0000-0000000000000}", "00000000x0000-0000-0000-000000000000",
                          "{00000000-0000-0000-0000-00000000000g}", "{00000000-0000-0000-0000-000000000000" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_hr_equal(bits_guid_from_string(bad[i], &back), BITS_E_INVALIDARG);
    assert_hr_equal(bits_guid_from_string(NULL, &back), BITS_E_INVALIDARG);
    assert_hr_equal(bits_guid_from_string(text, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_guid_to_string(NULL, &text), BITS_E_INVALIDARG);
    assert_hr_equal(bits_guid_to_string(&id, NULL), BITS_E_INVALIDARG);

    bits_job *found = NULL;
    assert_hr_equal(bits_manager_get_job(g_mgr, &id, &found), BITS_S_OK);
    assert_ptr_equal(found, a);
    bits_guid got;
    assert_hr_equal(bits_job_get_id(found, &got), BITS_S_OK);
    assert_memory_equal(got.bytes, id.bytes, 16);
    bits_job_release(found);
    memset(&got, 0, sizeof got);
    assert_hr_equal(bits_manager_get_job(g_mgr, &got, &found), BG_E_NOT_FOUND);
    bits_free(text);
    bits_job_release(a);
    bits_job_release(b);
}

/* ---- managers ---------------------------------------------------------------- */

static void test_manager_open(void **unused)
{
    (void)unused;
    bits_manager *m = NULL;
    char *store = ts_path_join(g_dir, "a/b/store");
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_S_OK);
    struct stat st;
    assert_int_equal(stat(store, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    bits_manager_close(m);
    bits_manager_close(NULL);

    /* NULL: $XDG_STATE_HOME/openbits. */
    char *xdg = ts_path_join(g_dir, "xdg");
    setenv("XDG_STATE_HOME", xdg, 1);
    assert_hr_equal(bits_manager_open(NULL, 0, &m), BITS_S_OK);
    char *expected = ts_path_join(xdg, "openbits");
    assert_int_equal(stat(expected, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    bits_manager_close(m);
    unsetenv("XDG_STATE_HOME");

    assert_hr_equal(bits_manager_open("relative/store", 0, &m), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_open(store, 0, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_open(store, 0x80, &m), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_open(store, BITS_MANAGER_OPEN_IN_MEMORY, &m),
                    BITS_E_INVALIDARG);
    char *file = ts_path_join(g_dir, "plain-file");
    fclose(fopen(file, "w"));
    assert_hr_equal(bits_manager_open(file, 0, &m), BITS_E_PATH_NOT_FOUND);
    chmod(store, 0755); /* loose permissions: refused */
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_E_ACCESSDENIED);
    free(store), free(xdg), free(expected), free(file);
}

static void test_limits(void **unused)
{
    (void)unused;
    uint32_t v = 0;
    struct { uint32_t which, value; } defaults[] = {
        { BITS_LIMIT_JOBS, 300 }, { BITS_LIMIT_FILES_PER_JOB, 200 },
        { BITS_LIMIT_RANGES_PER_FILE, 500 }, { BITS_LIMIT_MAX_BANDWIDTH, 0 },
        { BITS_LIMIT_TIME_SLICE_MS, 60000 }, { BITS_LIMIT_STALL_TIMEOUT, 60 },
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        assert_hr_equal(bits_manager_get_limit(g_mgr, defaults[i].which, &v), BITS_S_OK);
        assert_int_equal(v, defaults[i].value);
    }
    assert_hr_equal(bits_manager_get_limit(g_mgr, 0, &v), BITS_E_NOTIMPL);
    assert_hr_equal(bits_manager_set_limit(g_mgr, 99, 1), BITS_E_NOTIMPL);
    assert_hr_equal(bits_manager_get_limit(g_mgr, BITS_LIMIT_JOBS, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_set_limit(NULL, BITS_LIMIT_JOBS, 1), BITS_E_INVALIDARG);

    assert_hr_equal(bits_manager_set_limit(g_mgr, BITS_LIMIT_JOBS, 3), BITS_S_OK);
    bits_job *jobs[4];
    bits_guid id;
    for (int i = 0; i < 3; i++)
        jobs[i] = new_job("limited");
    jobs[3] = (bits_job *)1;
    assert_hr_equal(bits_manager_create_job(g_mgr, "one too many", 0, &id, &jobs[3]),
                    BG_E_TOO_MANY_JOBS_PER_USER);
    assert_ptr_equal(jobs[3], (bits_job *)1);
    /* A final job frees its place. */
    assert_hr_equal(bits_job_cancel(jobs[0]), BITS_S_OK);
    bits_job *again = new_job("fits again");
    assert_hr_equal(bits_manager_set_limit(g_mgr, BITS_LIMIT_JOBS, 0), BITS_S_OK);
    for (int i = 0; i < 3; i++)
        bits_job_release(jobs[i]);
    bits_job_release(again);

    /* Files per job: 200 by default, the set is all or nothing. */
    bits_job *job = new_job("files");
    char *d = dest("f.bin");
    for (int i = 0; i < 200; i++)
        assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/f", d), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/f", d), BG_E_TOO_MANY_FILES_IN_JOB);
    bits_job_release(job);
    assert_hr_equal(bits_manager_set_limit(g_mgr, BITS_LIMIT_FILES_PER_JOB, 2), BITS_S_OK);
    job = new_job("set");
    bits_file_info three[3] = { { "http://h/1", d }, { "http://h/2", d }, { "http://h/3", d } };
    assert_hr_equal(bits_job_add_file_set(job, 3, three), BG_E_TOO_MANY_FILES_IN_JOB);
    bits_job_progress p = { .struct_size = sizeof p };
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    assert_int_equal(p.files_total, 0);
    bits_file_info bad[2] = { { "http://h/1", d }, { "ftp://h/2", d } };
    assert_hr_equal(bits_job_add_file_set(job, 2, bad), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    assert_int_equal(p.files_total, 0);
    assert_hr_equal(bits_job_add_file_set(job, 2, three), BITS_S_OK);
    assert_hr_equal(bits_job_add_file_set(job, 0, three), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file_set(job, 1, NULL), BITS_E_INVALIDARG);
    bits_job_release(job);
    free(d);
}

/* ---- jobs: defaults, properties, limits ---------------------------------------- */

static void test_create_job_and_defaults(void **unused)
{
    (void)unused;
    bits_guid id;
    bits_job *job = (bits_job *)1;
    char *name257 = ts_repeat("\xc3\xa9", 257), *name256 = ts_repeat("\xc3\xa9", 256);
    assert_hr_equal(bits_manager_create_job(g_mgr, name257, 0, &id, &job), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_create_job(g_mgr, NULL, 0, &id, &job), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_create_job(g_mgr, "x", 0, NULL, &job), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_create_job(g_mgr, "x", 0, &id, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_create_job(NULL, "x", 0, &id, &job), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_create_job(g_mgr, "\xff", 0, &id, &job), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_create_job(g_mgr, "x", BG_JOB_TYPE_UPLOAD, &id, &job),
                    BITS_E_NOTIMPL);
    assert_hr_equal(bits_manager_create_job(g_mgr, "x", 7, &id, &job), BITS_E_NOTIMPL);
    assert_ptr_equal(job, (bits_job *)1);
    job = new_job(name256);

    uint32_t u = 0;
    uint64_t u64 = 1;
    char *s = NULL;
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(bits_job_get_type(job, &u), BITS_S_OK);
    assert_int_equal(u, BG_JOB_TYPE_DOWNLOAD);
    assert_hr_equal(bits_job_get_display_name(job, &s), BITS_S_OK);
    assert_string_equal(s, name256);
    bits_free(s);
    assert_hr_equal(bits_job_get_description(job, &s), BITS_S_OK);
    assert_string_equal(s, "");
    bits_free(s);
    struct { bits_hresult (*get)(bits_job *, uint32_t *); uint32_t value; } u32s[] = {
        { bits_job_get_priority, BG_JOB_PRIORITY_NORMAL },
        { bits_job_get_notify_flags, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR },
        { bits_job_get_minimum_retry_delay, 600 },
        { bits_job_get_no_progress_timeout, 1209600 },
        { bits_job_get_maximum_download_time, 7776000 },
        { bits_job_get_minimum_notification_interval, 500 },
        { bits_job_get_security_flags, 0 },
        { bits_job_get_dynamic_content, 0 },
        { bits_job_get_error_count, 0 },
        { bits_job_get_files_in_flight, 1 },
    };
    for (size_t i = 0; i < sizeof u32s / sizeof u32s[0]; i++) {
        assert_hr_equal(u32s[i].get(job, &u), BITS_S_OK);
        assert_int_equal(u, u32s[i].value);
    }
    assert_hr_equal(bits_job_get_max_download_size(job, &u64), BITS_S_OK);
    assert_int_equal(u64, 0);
    assert_hr_equal(bits_job_get_max_bandwidth(job, &u64), BITS_S_OK);
    assert_int_equal(u64, 0);
    char *list = (char *)1, *bypass = (char *)1;
    assert_hr_equal(bits_job_get_proxy_settings(job, &u, &list, &bypass), BITS_S_OK);
    assert_int_equal(u, BG_JOB_PROXY_USAGE_PRECONFIG);
    assert_null(list);
    assert_null(bypass);
    s = (char *)1;
    assert_hr_equal(bits_job_get_custom_headers(job, &s), BITS_S_FALSE);
    assert_null(s);
    char *prog = (char *)1, *params = (char *)1;
    assert_hr_equal(bits_job_get_notify_cmd_line(job, &prog, &params), BITS_S_OK);
    assert_null(prog);
    assert_null(params);
    assert_hr_equal(bits_job_get_owner(job, &s), BITS_S_OK);
    char uid[24];
    snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
    assert_string_equal(s, uid);
    bits_free(s);

    bits_job_progress p = { .struct_size = sizeof p, .bytes_total = 9 };
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    assert_int_equal(p.bytes_total, 0);
    assert_int_equal(p.bytes_transferred, 0);
    assert_int_equal(p.files_total, 0);
    bits_job_times t = { .struct_size = sizeof t };
    int64_t now = (int64_t)time(NULL) * 1000000;
    assert_hr_equal(bits_job_get_times(job, &t), BITS_S_OK);
    assert_true(t.creation_time > now - 60000000 && t.creation_time < now + 60000000);
    assert_true(t.modification_time >= t.creation_time);
    assert_int_equal(t.transfer_completion_time, 0);
    bits_job_times small = { .struct_size = 4 };
    assert_hr_equal(bits_job_get_times(job, &small), BITS_E_INVALIDARG);
    bits_error *err = (bits_error *)1;
    assert_hr_equal(bits_job_get_error(job, &err), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_null(err);
    bits_job_release(job);
    free(name257);
    free(name256);
}

static void test_property_round_trips_and_errors(void **unused)
{
    (void)unused;
    bits_job *job = new_job("props");
    uint32_t u = 0;
    uint64_t u64 = 0;
    char *s = NULL;
    bits_job_times before = { .struct_size = sizeof before }, after = before;
    bits_job_get_times(job, &before);
    usleep(2000);

    assert_hr_equal(bits_job_set_display_name(job, "renamed"), BITS_S_OK);
    assert_hr_equal(bits_job_get_display_name(job, &s), BITS_S_OK);
    assert_string_equal(s, "renamed");
    bits_free(s);
    bits_job_get_times(job, &after);
    assert_true(after.modification_time > before.modification_time);

    char *d1025 = ts_repeat("\xe2\x82\xac", 1025), *d1024 = ts_repeat("\xe2\x82\xac", 1024);
    char *n257 = ts_repeat("n", 257);
    assert_hr_equal(bits_job_set_display_name(job, n257), BG_E_STRING_TOO_LONG);
    assert_hr_equal(bits_job_set_display_name(job, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_display_name(job, "\xc3("), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_description(job, d1024), BITS_S_OK);
    assert_hr_equal(bits_job_set_description(job, d1025), BG_E_STRING_TOO_LONG);
    assert_hr_equal(bits_job_set_description(job, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_description(job, &s), BITS_S_OK);
    assert_string_equal(s, d1024);
    bits_free(s);

    for (uint32_t p = 0; p <= BG_JOB_PRIORITY_LOW; p++) {
        assert_hr_equal(bits_job_set_priority(job, p), BITS_S_OK);
        assert_hr_equal(bits_job_get_priority(job, &u), BITS_S_OK);
        assert_int_equal(u, p);
    }
    assert_hr_equal(bits_job_set_priority(job, 4), BITS_E_NOTIMPL);

    assert_hr_equal(bits_job_set_notify_flags(job, 0x3F), BITS_S_OK);
    assert_hr_equal(bits_job_set_notify_flags(job, 0x40), BITS_E_NOTIMPL);
    assert_hr_equal(bits_job_get_notify_flags(job, &u), BITS_S_OK);
    assert_int_equal(u, 0x3F);

    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 4), BITS_S_OK);
    bits_job_get_minimum_retry_delay(job, &u);
    assert_int_equal(u, 5); /* raised to the floor */
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 60), BITS_S_OK);
    bits_job_get_minimum_retry_delay(job, &u);
    assert_int_equal(u, 60);
    assert_hr_equal(bits_job_set_no_progress_timeout(job, 0), BITS_S_OK);
    bits_job_get_no_progress_timeout(job, &u);
    assert_int_equal(u, 0);
    assert_hr_equal(bits_job_set_maximum_download_time(job, 3600), BITS_S_OK);
    bits_job_get_maximum_download_time(job, &u);
    assert_int_equal(u, 3600);
    assert_hr_equal(bits_job_set_minimum_notification_interval(job, 0), BITS_S_OK);
    bits_job_get_minimum_notification_interval(job, &u);
    assert_int_equal(u, 0);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 12345), BITS_S_OK);
    bits_job_get_max_bandwidth(job, &u64);
    assert_int_equal(u64, 12345);
    assert_hr_equal(bits_job_set_files_in_flight(job, 64), BITS_S_OK);
    assert_hr_equal(bits_job_set_files_in_flight(job, 65), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_files_in_flight(job, 0), BITS_E_INVALIDARG);
    bits_job_get_files_in_flight(job, &u);
    assert_int_equal(u, 64);

    /* Security flags: known bits, one redirect policy. */
    uint32_t flags = BG_SSL_IGNORE_UNKNOWN_CA | BG_HTTP_REDIRECT_POLICY_DISALLOW;
    assert_hr_equal(bits_job_set_security_flags(job, flags), BITS_S_OK);
    bits_job_get_security_flags(job, &u);
    assert_int_equal(u, flags);
    assert_hr_equal(bits_job_set_security_flags(job, 0x300), BITS_E_NOTIMPL);
    assert_hr_equal(bits_job_set_security_flags(job, 0x1000), BITS_E_NOTIMPL);
    assert_hr_equal(bits_job_set_security_flags(job, 0x0800 | 0x0100), BITS_S_OK);

    /* Proxy settings. */
    char *list = NULL, *bypass = NULL;
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_OVERRIDE,
                                                "http=proxy:3128", "*.local <local>"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_get_proxy_settings(job, &u, &list, &bypass), BITS_S_OK);
    assert_int_equal(u, BG_JOB_PROXY_USAGE_OVERRIDE);
    assert_string_equal(list, "http=proxy:3128");
    assert_string_equal(bypass, "*.local <local>");
    bits_free(list), bits_free(bypass);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_OVERRIDE, NULL, NULL),
                    BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_NO_PROXY, "p:1", NULL),
                    BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_AUTODETECT, NULL, NULL),
                    BITS_E_NOTIMPL);
    assert_hr_equal(bits_job_set_proxy_settings(job, 4, NULL, NULL), BITS_E_NOTIMPL);
    char *l4001 = ts_repeat("p", 4001);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_OVERRIDE, l4001, NULL),
                    BG_E_PROXY_LIST_TOO_LARGE);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_OVERRIDE, "p:1", l4001),
                    BG_E_PROXY_BYPASS_LIST_TOO_LARGE);
    assert_hr_equal(bits_job_set_proxy_settings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL),
                    BITS_S_OK);

    /* Credentials: no getter; remove says whether there was any. */
    char *u301 = ts_repeat("u", 301), *p65536 = ts_repeat("p", 65536);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "user", "pw"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_credentials(job, 3, BG_AUTH_SCHEME_BASIC, "u", "p"),
                    BG_E_INVALID_AUTH_TARGET);
    assert_hr_equal(bits_job_set_credentials(job, 0, BG_AUTH_SCHEME_BASIC, "u", "p"),
                    BG_E_INVALID_AUTH_TARGET);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_PROXY, 6, "u", "p"),
                    BG_E_INVALID_AUTH_SCHEME);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_PROXY,
                                             BG_AUTH_SCHEME_PASSPORT, "u", "p"),
                    BITS_E_NOTIMPL);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             u301, "p"),
                    BG_E_USERNAME_TOO_LARGE);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "u", p65536),
                    BG_E_PASSWORD_TOO_LARGE);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             NULL, "p"),
                    BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM,
                                             NULL, NULL),
                    BITS_S_OK);
    assert_hr_equal(bits_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC),
                    BITS_S_OK);
    assert_hr_equal(bits_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC),
                    BITS_S_FALSE);
    assert_hr_equal(bits_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, 9),
                    BG_E_INVALID_AUTH_SCHEME);

    /* Custom headers, then write-only. */
    assert_hr_equal(bits_job_set_custom_headers(job, "X-A: 1\r\nX-B: 2\r\n"), BITS_S_OK);
    assert_hr_equal(bits_job_get_custom_headers(job, &s), BITS_S_OK);
    assert_string_equal(s, "X-A: 1\r\nX-B: 2\r\n");
    bits_free(s);
    assert_hr_equal(bits_job_set_custom_headers(job, "bad header"), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_custom_headers(job, NULL), BITS_S_OK);
    assert_hr_equal(bits_job_get_custom_headers(job, &s), BITS_S_FALSE);
    assert_hr_equal(bits_job_set_custom_headers(job, "X-Secret: t"), BITS_S_OK);
    assert_hr_equal(bits_job_make_custom_headers_write_only(job), BITS_S_OK);
    assert_hr_equal(bits_job_get_custom_headers(job, &s), BITS_E_ACCESSDENIED);

    /* Notify command line. */
    char *prog = NULL, *params = NULL;
    assert_hr_equal(bits_job_set_notify_cmd_line(job, "/bin/echo", "echo done"), BITS_S_OK);
    assert_hr_equal(bits_job_get_notify_cmd_line(job, &prog, &params), BITS_S_OK);
    assert_string_equal(prog, "/bin/echo");
    assert_string_equal(params, "echo done");
    bits_free(prog), bits_free(params);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, "echo", NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, NULL, "x"), BITS_E_INVALIDARG);
    char *p4001 = ts_repeat("p", 4001);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, "/bin/echo", p4001), BG_E_STRING_TOO_LONG);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, NULL, NULL), BITS_S_OK);
    assert_hr_equal(bits_job_get_notify_cmd_line(job, &prog, &params), BITS_S_OK);
    assert_null(prog);

    /* Content properties freeze after the first Resume. */
    assert_hr_equal(bits_job_set_dynamic_content(job, 2), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_dynamic_content(job, 1), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_download_size(job, 1 << 20), BITS_S_OK);
    bits_job_get_max_download_size(job, &u64);
    assert_int_equal(u64, 1 << 20);
    char *d = dest("x.bin");
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/x", d), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_hr_equal(bits_job_suspend(job), BITS_S_OK);
    assert_hr_equal(bits_job_set_dynamic_content(job, 0), BG_E_READ_ONLY_PROPERTY_AFTER_RESUME);
    assert_hr_equal(bits_job_set_max_download_size(job, 1), BG_E_READ_ONLY_PROPERTY_AFTER_RESUME);
    bits_job_release(job);
    free(d1025), free(d1024), free(n257), free(l4001), free(u301), free(p65536), free(p4001),
        free(d);
}

/* Every getter and setter answers a NULL handle or out-pointer with
 * BITS_E_INVALIDARG and leaves the out value alone. */
static void test_null_arguments(void **unused)
{
    (void)unused;
    bits_job *job = new_job("nulls");
    uint32_t u32 = 77;
    uint64_t u64 = 77;
    char *s = (char *)1;
    bits_hresult (*u32_getters[])(bits_job *, uint32_t *) = {
        bits_job_get_type, bits_job_get_state, bits_job_get_priority, bits_job_get_notify_flags,
        bits_job_get_minimum_retry_delay, bits_job_get_no_progress_timeout,
        bits_job_get_maximum_download_time, bits_job_get_minimum_notification_interval,
        bits_job_get_security_flags, bits_job_get_dynamic_content, bits_job_get_error_count,
        bits_job_get_files_in_flight,
    };
    for (size_t i = 0; i < sizeof u32_getters / sizeof u32_getters[0]; i++) {
        assert_hr_equal(u32_getters[i](job, NULL), BITS_E_INVALIDARG);
        assert_hr_equal(u32_getters[i](NULL, &u32), BITS_E_INVALIDARG);
        assert_int_equal(u32, 77);
    }
    bits_hresult (*u64_getters[])(bits_job *, uint64_t *) = { bits_job_get_max_download_size,
                                                               bits_job_get_max_bandwidth };
    for (size_t i = 0; i < 2; i++) {
        assert_hr_equal(u64_getters[i](job, NULL), BITS_E_INVALIDARG);
        assert_hr_equal(u64_getters[i](NULL, &u64), BITS_E_INVALIDARG);
        assert_int_equal(u64, 77);
    }
    bits_hresult (*str_getters[])(bits_job *, char **) = {
        bits_job_get_display_name, bits_job_get_description, bits_job_get_owner,
        bits_job_get_custom_headers,
    };
    for (size_t i = 0; i < sizeof str_getters / sizeof str_getters[0]; i++) {
        assert_hr_equal(str_getters[i](job, NULL), BITS_E_INVALIDARG);
        assert_hr_equal(str_getters[i](NULL, &s), BITS_E_INVALIDARG);
        assert_ptr_equal(s, (char *)1);
    }
    bits_hresult (*u32_setters[])(bits_job *, uint32_t) = {
        bits_job_set_priority, bits_job_set_notify_flags, bits_job_set_minimum_retry_delay,
        bits_job_set_no_progress_timeout, bits_job_set_maximum_download_time,
        bits_job_set_minimum_notification_interval, bits_job_set_security_flags,
        bits_job_set_dynamic_content, bits_job_set_files_in_flight,
    };
    for (size_t i = 0; i < sizeof u32_setters / sizeof u32_setters[0]; i++)
        assert_hr_equal(u32_setters[i](NULL, 1), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_max_download_size(NULL, 1), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_max_bandwidth(NULL, 1), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_display_name(NULL, "x"), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_description(NULL, "x"), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_custom_headers(NULL, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_make_custom_headers_write_only(NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_notify_cmd_line(NULL, NULL, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_proxy_settings(NULL, 0, NULL, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_credentials(NULL, 1, 1, "u", "p"), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_remove_credentials(NULL, 1, 1), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_set_event_callback(NULL, NULL, NULL), BITS_E_INVALIDARG);
    char *a = (char *)1, *b = (char *)1;
    assert_hr_equal(bits_job_get_proxy_settings(job, NULL, &a, &b), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_proxy_settings(job, &u32, NULL, &b), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_proxy_settings(job, &u32, &a, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_notify_cmd_line(job, NULL, &b), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_notify_cmd_line(job, &a, NULL), BITS_E_INVALIDARG);
    assert_ptr_equal(a, (char *)1);
    assert_hr_equal(bits_job_get_id(job, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_progress(job, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_times(job, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_get_error(job, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_enum_files(job, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(job, NULL, "/tmp/x"), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(job, "http://h/x", NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(NULL, "http://h/x", "/tmp/x"), BITS_E_INVALIDARG);
    bits_hresult (*calls[])(bits_job *) = { bits_job_resume, bits_job_suspend, bits_job_cancel,
                                            bits_job_complete };
    for (size_t i = 0; i < 4; i++)
        assert_hr_equal(calls[i](NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_enum_jobs(g_mgr, 0, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_enum_jobs(NULL, 0, (bits_job_enum **)&a), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_get_job(g_mgr, NULL, (bits_job **)&a), BITS_E_INVALIDARG);
    assert_hr_equal(bits_manager_set_event_callback(NULL, NULL, NULL), BITS_E_INVALIDARG);
    assert_int_equal(bits_job_add_ref(NULL), 0);
    assert_int_equal(bits_job_release(NULL), 0);
    assert_int_equal(bits_file_add_ref(NULL), 0);
    assert_int_equal(bits_file_release(NULL), 0);
    bits_job_enum_free(NULL);
    bits_file_enum_free(NULL);
    bits_error_free(NULL);
    bits_job_release(job);
}

/* ---- life cycle without transfers ------------------------------------------------ */

static void test_lifecycle_calls(void **unused)
{
    (void)unused;
    bits_job *job = new_job("empty");
    assert_hr_equal(bits_job_resume(job), BG_E_EMPTY);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(bits_job_suspend(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    /* Complete with no files: every file (none) finished. */
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    bits_job_release(job);

    job = new_job("partial");
    char *d = dest("never.bin");
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/never", d), BITS_S_OK);
    assert_hr_equal(bits_job_complete(job), BG_S_PARTIAL_COMPLETE);
    bits_job_release(job);

    /* Resume queues; Suspend parks; Cancel ends, and then every mutator
     * refuses while getters keep answering. */
    bits_guid id;
    assert_hr_equal(bits_manager_create_job(g_mgr, "cancelled", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 3600), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/never", d), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    uint32_t s = state_of(job);
    assert_true(s == BG_JOB_STATE_QUEUED || s == BG_JOB_STATE_CONNECTING ||
                s == BG_JOB_STATE_TRANSIENT_ERROR);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_hr_equal(bits_job_suspend(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(bits_job_cancel(job), BITS_S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_CANCELLED);

    assert_hr_equal(bits_job_cancel(job), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_complete(job), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_resume(job), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_suspend(job), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_add_file(job, "http://h/x", d), BG_E_INVALID_STATE);
    bits_file_info one = { "http://h/x", d };
    assert_hr_equal(bits_job_add_file_set(job, 1, &one), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_display_name(job, "x"), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_description(job, "x"), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_priority(job, 1), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_notify_flags(job, 1), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_minimum_retry_delay(job, 9), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_no_progress_timeout(job, 9), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_maximum_download_time(job, 9), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_minimum_notification_interval(job, 9), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_security_flags(job, 0), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_proxy_settings(job, 0, NULL, NULL), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_credentials(job, 1, 1, "u", "p"), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_remove_credentials(job, 1, 1), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_custom_headers(job, NULL), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_make_custom_headers_write_only(job), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_notify_cmd_line(job, NULL, NULL), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_dynamic_content(job, 0), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_max_download_size(job, 0), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_max_bandwidth(job, 0), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_files_in_flight(job, 1), BG_E_INVALID_STATE);
    bits_file_enum *fe;
    bits_file *file;
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 1, &file, NULL), BITS_S_OK);
    assert_hr_equal(bits_file_set_remote_name(file, "http://h/y"), BG_E_INVALID_STATE);
    bits_file_release(file);
    bits_file_enum_free(fe);
    /* Registering needs a live job; removing is always allowed. */
    assert_hr_equal(bits_job_set_event_callback(job, (bits_event_fn)1, NULL), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_set_event_callback(job, NULL, NULL), BITS_S_OK);

    uint32_t prio = 0;
    assert_hr_equal(bits_job_get_priority(job, &prio), BITS_S_OK);
    char *name = NULL;
    assert_hr_equal(bits_job_get_display_name(job, &name), BITS_S_OK);
    assert_string_equal(name, "cancelled");
    bits_free(name);
    bits_job *found = (bits_job *)1;
    assert_hr_equal(bits_manager_get_job(g_mgr, &id, &found), BG_E_NOT_FOUND);
    bits_job_enum *e;
    uint32_t count = 99;
    assert_hr_equal(bits_manager_enum_jobs(g_mgr, 0, &e), BITS_S_OK);
    assert_hr_equal(bits_job_enum_get_count(e, &count), BITS_S_OK);
    assert_int_equal(count, 0);
    bits_job_enum_free(e);
    bits_job_release(job);
    free(d);
}

/* ---- files ----------------------------------------------------------------------- */

static void test_files(void **unused)
{
    (void)unused;
    bits_job *job = new_job("files");
    char *d1 = dest("one.bin"), *d2 = dest("two.bin"), *sub = dest("sub");
    mkdir(sub, 0755);
    char *missing = dest("nope/x.bin");
    assert_hr_equal(bits_job_add_file(job, "http://127.0.0.1:9/one", d1), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "https://example.invalid/two", d2), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "file:///etc/hostname", d1), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "/etc/hostname", d1), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, "ftp://h/x", d1), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(job, "relative", d1), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(job, "http://h/x", "relative.bin"), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(job, "http://h/x", sub), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_add_file(job, "http://h/x", missing), BITS_E_PATH_NOT_FOUND);
    if (geteuid() != 0) {
        char *ro = ts_path_join(sub, "x.bin");
        chmod(sub, 0555);
        assert_hr_equal(bits_job_add_file(job, "http://h/x", ro), BITS_E_ACCESSDENIED);
        chmod(sub, 0755);
        free(ro);
    }

    bits_job_progress p = { .struct_size = sizeof p };
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    assert_int_equal(p.files_total, 4);
    assert_true(p.bytes_total == BG_SIZE_UNKNOWN);

    bits_file_enum *fe;
    bits_file *files[8];
    uint32_t n = 0;
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 8, files, &n), BITS_S_FALSE);
    assert_int_equal(n, 4);
    const char *remotes[] = { "http://127.0.0.1:9/one", "https://example.invalid/two",
                              "file:///etc/hostname", "/etc/hostname" };
    for (uint32_t i = 0; i < n; i++) {
        char *r = NULL, *l = NULL, *t = (char *)1;
        assert_hr_equal(bits_file_get_remote_name(files[i], &r), BITS_S_OK);
        assert_string_equal(r, remotes[i]);
        assert_hr_equal(bits_file_get_local_name(files[i], &l), BITS_S_OK);
        assert_string_equal(l, i == 1 ? d2 : d1);
        assert_hr_equal(bits_file_get_temporary_name(files[i], &t), BITS_S_FALSE);
        assert_null(t);
        bits_file_progress fp = { .struct_size = sizeof fp, .completed = 9 };
        assert_hr_equal(bits_file_get_progress(files[i], &fp), BITS_S_OK);
        assert_true(fp.bytes_total == BG_SIZE_UNKNOWN);
        assert_int_equal(fp.bytes_transferred, 0);
        assert_int_equal(fp.completed, 0);
        bits_free(r), bits_free(l);
    }
    assert_hr_equal(bits_file_set_remote_name(files[0], "http://127.0.0.1:9/other"), BITS_S_OK);
    assert_hr_equal(bits_file_set_remote_name(files[0], "gopher://x"), BITS_E_INVALIDARG);
    char *r = NULL;
    bits_file_get_remote_name(files[0], &r);
    assert_string_equal(r, "http://127.0.0.1:9/other");
    bits_free(r);
    assert_hr_equal(bits_file_get_remote_name(files[0], NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_file_get_local_name(NULL, &r), BITS_E_INVALIDARG);
    assert_hr_equal(bits_file_get_progress(files[0], NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_file_set_remote_name(NULL, "http://h/x"), BITS_E_INVALIDARG);

    /* A file handle keeps its job alive. */
    bits_file_enum_free(fe);
    bits_job_release(job);
    assert_hr_equal(bits_file_get_remote_name(files[1], &r), BITS_S_OK);
    assert_string_equal(r, "https://example.invalid/two");
    bits_free(r);
    for (uint32_t i = 0; i < n; i++)
        bits_file_release(files[i]);
    free(d1), free(d2), free(sub), free(missing);
}

/* ---- enumerators ---------------------------------------------------------------- */

static void test_enumerators(void **unused)
{
    (void)unused;
    bits_job *jobs[5];
    for (int i = 0; i < 5; i++)
        jobs[i] = new_job("enum");
    bits_job_enum *e, *c;
    bits_job *out[8];
    uint32_t n = 99, count = 0;
    assert_hr_equal(bits_manager_enum_jobs(g_mgr, 0, &e), BITS_S_OK);
    bits_job *late = new_job("late"); /* not in the snapshot */
    assert_hr_equal(bits_job_enum_get_count(e, &count), BITS_S_OK);
    assert_int_equal(count, 5);
    assert_hr_equal(bits_job_enum_next(e, 2, out, &n), BITS_S_OK);
    assert_int_equal(n, 2);
    assert_ptr_equal(out[0], jobs[0]);
    assert_ptr_equal(out[1], jobs[1]);
    bits_job_release(out[0]);
    bits_job_release(out[1]);
    assert_hr_equal(bits_job_enum_clone(e, &c), BITS_S_OK);
    assert_hr_equal(bits_job_enum_next(e, 2, out, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_enum_next(e, 1, out, NULL), BITS_S_OK);
    assert_ptr_equal(out[0], jobs[2]);
    bits_job_release(out[0]);
    assert_hr_equal(bits_job_enum_next(e, 8, out, &n), BITS_S_FALSE);
    assert_int_equal(n, 2);
    bits_job_release(out[0]);
    bits_job_release(out[1]);
    assert_hr_equal(bits_job_enum_next(e, 1, out, &n), BITS_S_FALSE);
    assert_int_equal(n, 0);
    /* The clone kept its own position. */
    assert_hr_equal(bits_job_enum_next(c, 1, out, &n), BITS_S_OK);
    assert_ptr_equal(out[0], jobs[2]);
    bits_job_release(out[0]);
    assert_hr_equal(bits_job_enum_skip(c, 1), BITS_S_OK);
    assert_hr_equal(bits_job_enum_skip(c, 5), BITS_S_FALSE);
    assert_hr_equal(bits_job_enum_next(c, 1, out, &n), BITS_S_FALSE);
    assert_hr_equal(bits_job_enum_reset(c), BITS_S_OK);
    assert_hr_equal(bits_job_enum_next(c, 1, out, NULL), BITS_S_OK);
    assert_ptr_equal(out[0], jobs[0]);
    bits_job_release(out[0]);
    assert_hr_equal(bits_job_enum_skip(NULL, 1), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_enum_reset(NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_enum_clone(NULL, &c), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_enum_get_count(e, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_job_enum_next(e, 1, NULL, &n), BITS_E_INVALIDARG);
    bits_job_enum_free(e);
    bits_job_enum_free(c);

    if (geteuid() != 0)
        assert_hr_equal(bits_manager_enum_jobs(g_mgr, BG_JOB_ENUM_ALL_USERS, &e),
                        BITS_E_ACCESSDENIED);
    else {
        assert_hr_equal(bits_manager_enum_jobs(g_mgr, BG_JOB_ENUM_ALL_USERS, &e), BITS_S_OK);
        bits_job_enum_get_count(e, &count);
        assert_int_equal(count, 6);
        bits_job_enum_free(e);
    }
    assert_hr_equal(bits_manager_enum_jobs(g_mgr, 0x10, &e), BITS_E_NOTIMPL);

    /* File enumerators share the semantics. */
    char *d = dest("f.bin");
    bits_file_info set[3] = { { "http://h/1", d }, { "http://h/2", d }, { "http://h/3", d } };
    assert_hr_equal(bits_job_add_file_set(jobs[0], 3, set), BITS_S_OK);
    bits_file_enum *fe, *fc;
    bits_file *f[4];
    assert_hr_equal(bits_job_enum_files(jobs[0], &fe), BITS_S_OK);
    assert_hr_equal(bits_file_enum_get_count(fe, &count), BITS_S_OK);
    assert_int_equal(count, 3);
    assert_hr_equal(bits_file_enum_skip(fe, 1), BITS_S_OK);
    assert_hr_equal(bits_file_enum_clone(fe, &fc), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fe, 4, f, &n), BITS_S_FALSE);
    assert_int_equal(n, 2);
    char *r = NULL;
    bits_file_get_remote_name(f[0], &r);
    assert_string_equal(r, "http://h/2");
    bits_free(r);
    bits_file_release(f[0]);
    bits_file_release(f[1]);
    assert_hr_equal(bits_file_enum_next(fc, 2, f, NULL), BITS_E_INVALIDARG);
    assert_hr_equal(bits_file_enum_skip(fc, 9), BITS_S_FALSE);
    assert_hr_equal(bits_file_enum_reset(fc), BITS_S_OK);
    assert_hr_equal(bits_file_enum_next(fc, 1, f, NULL), BITS_S_OK);
    bits_file_release(f[0]);
    bits_file_enum_free(fe);
    bits_file_enum_free(fc);

    for (int i = 0; i < 5; i++)
        bits_job_release(jobs[i]);
    bits_job_release(late);
    free(d);
}

/* ---- events --------------------------------------------------------------------- */

typedef struct seen {
    pthread_mutex_t lock;
    int count;
    uint32_t last_kind;
    uint32_t last_state;
    pthread_t thread;
    bits_job *job;
    int sleep_ms;
    int finished;
} seen;

static void on_event(const bits_event *ev, void *data)
{
    seen *s = data;
    uint32_t state = 0;
    bits_job_get_state(ev->job, &state); /* calling back in is allowed */
    if (s->sleep_ms)
        usleep((useconds_t)s->sleep_ms * 1000);
    pthread_mutex_lock(&s->lock);
    s->count++;
    s->last_kind = ev->kind;
    s->last_state = ev->state;
    s->thread = pthread_self();
    s->job = ev->job;
    s->finished = 1;
    assert_true(ev->struct_size >= sizeof(bits_event));
    pthread_mutex_unlock(&s->lock);
}

static int wait_count(seen *s, int at_least)
{
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&s->lock);
        int n = s->count;
        pthread_mutex_unlock(&s->lock);
        if (n >= at_least)
            return n;
        usleep(10000);
    }
    return s->count;
}

static void test_events(void **unused)
{
    (void)unused;
    seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
    bits_job *job = new_job("events");
    assert_hr_equal(bits_job_set_event_callback(job, on_event, &s), BITS_S_OK);
    assert_hr_equal(bits_job_set_description(job, "no event: flag not set"), BITS_S_OK);
    usleep(100000);
    assert_int_equal(s.count, 0);

    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), BITS_S_OK);
    assert_hr_equal(bits_job_set_description(job, "now"), BITS_S_OK);
    assert_true(wait_count(&s, 1) >= 1);
    assert_int_equal(s.last_kind, BITS_EVENT_JOB_MODIFICATION);
    assert_ptr_equal(s.job, job);
    assert_false(pthread_equal(s.thread, pthread_self()));

    /* DISABLE silences everything. */
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_DISABLE | BG_NOTIFY_JOB_MODIFICATION),
                    BITS_S_OK);
    usleep(50000);
    int before = wait_count(&s, 0);
    assert_hr_equal(bits_job_set_description(job, "silent"), BITS_S_OK);
    usleep(200000);
    assert_int_equal(s.count, before);

    /* Removing waits for a running callback. */
    assert_hr_equal(bits_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), BITS_S_OK);
    assert_hr_equal(bits_job_set_minimum_notification_interval(job, 0), BITS_S_OK);
    wait_count(&s, before + 1);
    s.sleep_ms = 300;
    s.finished = 0;
    assert_hr_equal(bits_job_set_description(job, "slow"), BITS_S_OK);
    usleep(100000); /* the callback is now sleeping */
    assert_hr_equal(bits_job_set_event_callback(job, NULL, NULL), BITS_S_OK);
    pthread_mutex_lock(&s.lock);
    int finished = s.finished;
    pthread_mutex_unlock(&s.lock);
    assert_int_equal(finished, 1);
    int after = s.count;
    assert_hr_equal(bits_job_set_description(job, "gone"), BITS_S_OK);
    usleep(200000);
    assert_int_equal(s.count, after);

    /* The manager-wide callback hears every job. */
    seen m = { .lock = PTHREAD_MUTEX_INITIALIZER };
    assert_hr_equal(bits_manager_set_event_callback(g_mgr, on_event, &m), BITS_S_OK);
    bits_job *other = new_job("other");
    assert_hr_equal(bits_job_set_notify_flags(other, BG_NOTIFY_JOB_MODIFICATION), BITS_S_OK);
    assert_true(wait_count(&m, 1) >= 1);
    assert_ptr_equal(m.job, other);
    assert_hr_equal(bits_manager_set_event_callback(g_mgr, NULL, NULL), BITS_S_OK);
    bits_job_release(other);
    bits_job_release(job);
}

/* ---- handles outlive the manager ----------------------------------------------- */

static void test_handles_outlive_manager(void **unused)
{
    (void)unused;
    bits_manager *m;
    bits_job *job;
    bits_guid id;
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &m), BITS_S_OK);
    assert_hr_equal(bits_manager_create_job(m, "orphan", 0, &id, &job), BITS_S_OK);
    bits_job_enum *e;
    assert_hr_equal(bits_manager_enum_jobs(m, 0, &e), BITS_S_OK);
    bits_manager_close(m);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    char *name = NULL;
    assert_hr_equal(bits_job_get_display_name(job, &name), BITS_S_OK);
    assert_string_equal(name, "orphan");
    bits_free(name);
    assert_hr_equal(bits_job_set_description(job, "x"), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_resume(job), BG_E_INVALID_STATE);
    assert_hr_equal(bits_job_cancel(job), BG_E_INVALID_STATE);
    bits_job *fetched;
    assert_hr_equal(bits_job_enum_next(e, 1, &fetched, NULL), BITS_S_OK);
    assert_ptr_equal(fetched, job);
    bits_job_release(fetched);
    bits_job_enum_free(e);
    bits_job_release(job);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_code_table),         T(test_guids),
        T(test_manager_open),       T(test_limits),
        T(test_create_job_and_defaults), T(test_property_round_trips_and_errors),
        T(test_null_arguments),     T(test_lifecycle_calls),
        T(test_files),              T(test_enumerators),
        T(test_events),             T(test_handles_outlive_manager),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
