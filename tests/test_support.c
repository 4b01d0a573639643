/* test_support.c - helpers shared by the C tests. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "test_support.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "openbits/codes.h"

char *ts_make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char templ[4096];
    snprintf(templ, sizeof templ, "%s/openbits-test-XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp(templ);
    assert_non_null(dir);
    char *copy = strdup(dir);
    assert_non_null(copy);
    return copy;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ts_remove_tree(char *path)
{
    if (path) {
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(path);
    }
}

char *ts_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *ts_repeat(const char *unit, size_t n)
{
    size_t len = strlen(unit);
    char *s = malloc(len * n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, unit, len);
    s[len * n] = '\0';
    return s;
}

void ts_assert_hr_equal(int32_t actual, int32_t expected, const char *expr, const char *file,
                        int line)
{
    if (actual != expected) {
        print_error("%s: got %s (0x%08X), expected %s (0x%08X)\n", expr,
                       bits_hresult_name(actual), (unsigned)actual, bits_hresult_name(expected),
                       (unsigned)expected);
        _fail(file, line);
    }
}

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint32_t state_of(bits_job *job)
{
    uint32_t s = 99;
    assert_hr_equal(bits_job_get_state(job, &s), BITS_S_OK);
    return s;
}

uint32_t wait_for(bits_job *job, uint32_t mask, double timeout_s)
{
    double end = now_s() + timeout_s;
    uint32_t s = state_of(job);
    while (!(mask & (1u << s)) && now_s() < end) {
        usleep(5000);
        s = state_of(job);
    }
    return s;
}

void wait_state(bits_job *job, uint32_t state, double timeout_s)
{
    assert_int_equal(wait_for(job, 1u << state, timeout_s), state);
}
