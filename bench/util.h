/* util.h - small helpers shared by the bench programs (clock, sorting,
 * failing loudly, reading RSS). Header-only: each program is one file. */
#ifndef OPENBITS_BENCH_UTIL_H
#define OPENBITS_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openbits/openbits.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void bench_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static inline void bench_must(bits_hresult hr, const char *what)
{
    if (bits_failed(hr)) {
        fprintf(stderr, "%s: %s\n", what, bits_hresult_name(hr));
        exit(1);
    }
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static inline int bench_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* This process's resident set in KiB (VmRSS), or -1. */
static inline long bench_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

/* One figure for bench/report.py: SECTION, MEASURE, TOOL, UNIT, then the
 * values of the runs (tab-separated, the values space-separated). */
static inline void bench_figure(const char *section, const char *measure, const char *tool,
                                const char *unit, int n, const double *values)
{
    printf("%s\t%s\t%s\t%s\t", section, measure, tool, unit);
    for (int i = 0; i < n; i++)
        printf(i ? " %.6g" : "%.6g", values[i]);
    printf("\n");
}

#endif
