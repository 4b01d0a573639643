/*
 * getstate.c - GetState latency with many jobs while a transfer runs: the
 * call every program polls must stay cheap.
 *
 *   getstate WORKDIR [JOBS] [CALLS]
 *
 * Creates JOBS jobs in a store under WORKDIR, keeps one transferring (a
 * 512 MiB local copy), and times CALLS bits_job_get_state() calls on
 * jobs picked round-robin. Prints a Markdown table row set.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openbits/openbits.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s WORKDIR [JOBS] [CALLS]\n", argv[0]);
        return 2;
    }
    int jobs = argc > 2 ? atoi(argv[2]) : 10000;
    int calls = argc > 3 ? atoi(argv[3]) : 1000000;
    char store[4096], src[4096], dest[4096];
    snprintf(store, sizeof store, "%s/store-getstate", argv[1]);
    snprintf(src, sizeof src, "%s/getstate-src.bin", argv[1]);
    snprintf(dest, sizeof dest, "%s/getstate-dst.bin", argv[1]);
    FILE *f = fopen(src, "wb");
    for (int i = 0; i < 512; i++) {
        static char block[1 << 20];
        fwrite(block, 1, sizeof block, f);
    }
    fclose(f);

    bits_manager *m;
    if (bits_failed(bits_manager_open(store, 0, &m)))
        return 1;
    bits_manager_set_limit(m, BITS_LIMIT_JOBS, 0);
    bits_job **all = malloc((size_t)jobs * sizeof *all);
    int64_t t0 = now_ns();
    for (int i = 0; i < jobs; i++) {
        bits_guid id;
        if (bits_failed(bits_manager_create_job(m, "many", 0, &id, &all[i])))
            return 1;
    }
    double create_s = (double)(now_ns() - t0) / 1e9;
    /* One transfer runs meanwhile: a 512 MiB local copy. */
    bits_job_add_file(all[0], src, dest);
    bits_job_resume(all[0]);
    bits_job_progress p = { .struct_size = sizeof p };
    for (int i = 0; i < 500 && p.bytes_transferred == 0; i++) {
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
        bits_job_get_progress(all[0], &p);
    }
    uint64_t before = p.bytes_transferred;

    int64_t *lat = malloc((size_t)calls * sizeof *lat);
    uint32_t state;
    for (int i = 0; i < calls; i++) {
        bits_job *job = all[i % jobs];
        int64_t a = now_ns();
        bits_job_get_state(job, &state);
        lat[i] = now_ns() - a;
    }
    qsort(lat, (size_t)calls, sizeof *lat, cmp_i64);
    bits_job_get_progress(all[0], &p);
    p.bytes_transferred -= before;
    printf("| GetState with %d jobs, one transferring (%llu bytes moved meanwhile), %d calls "
           "| p50 %.2f us | p99 %.2f us | max %.1f us |\n",
           jobs, (unsigned long long)p.bytes_transferred, calls, (double)lat[calls / 2] / 1e3,
           (double)lat[calls / 100 * 99] / 1e3, (double)lat[calls - 1] / 1e3);
    printf("| creating %d durable jobs | %.0f jobs/s | | |\n", jobs, jobs / create_s);
    bits_job_cancel(all[0]);
    for (int i = 0; i < jobs; i++)
        bits_job_release(all[i]);
    bits_manager_close(m);
    free(all);
    free(lat);
    remove(src);
    remove(dest);
    return 0;
}
