/*
 * persistence.c - what durability costs: job life-cycle calls per second
 * and transfer throughput with a store (SQLite, WAL) against an in-memory
 * manager, measured side by side in one run.
 *
 *   persistence WORKDIR [JOBS] [MIB]
 *
 * WORKDIR should be on the file system to judge (tmpfs isolates the
 * library's own cost; a disk adds fsync). Prints a Markdown table.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openbits/openbits.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void must(bits_hresult hr, const char *what)
{
    if (bits_failed(hr)) {
        fprintf(stderr, "%s: %s\n", what, bits_hresult_name(hr));
        exit(1);
    }
}

static bits_manager *open_manager(const char *store)
{
    bits_manager *m;
    must(bits_manager_open(store, store ? 0 : BITS_MANAGER_OPEN_IN_MEMORY, &m), "open");
    must(bits_manager_set_limit(m, BITS_LIMIT_JOBS, 0), "limit");
    return m;
}

/* create + add file + resume + complete, @p n times: jobs per second. */
static double lifecycle_rate(const char *store, const char *dest, int n)
{
    bits_manager *m = open_manager(store);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        bits_job *job;
        bits_guid id;
        must(bits_manager_create_job(m, "bench", 0, &id, &job), "create");
        must(bits_job_add_file(job, "http://127.0.0.1:9/never", dest), "add");
        must(bits_job_suspend(job), "suspend"); /* keep the engine out of it */
        must(bits_job_resume(job), "resume");
        must(bits_job_complete(job), "complete");
        bits_job_release(job);
    }
    double rate = n / (now() - t0);
    bits_manager_close(m);
    return rate;
}

/* Copies @p src to @p dest as one job: seconds. */
static double transfer_seconds(const char *store, const char *src, const char *dest)
{
    bits_manager *m = open_manager(store);
    bits_job *job;
    bits_guid id;
    unlink(dest);
    must(bits_manager_create_job(m, "bench", 0, &id, &job), "create");
    must(bits_job_add_file(job, src, dest), "add");
    double t0 = now();
    must(bits_job_resume(job), "resume");
    uint32_t state = 0;
    while (state != BG_JOB_STATE_TRANSFERRED && state != BG_JOB_STATE_ERROR) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
        bits_job_get_state(job, &state);
    }
    double took = now() - t0;
    if (state != BG_JOB_STATE_TRANSFERRED) {
        fprintf(stderr, "transfer failed\n");
        exit(1);
    }
    must(bits_job_complete(job), "complete");
    bits_job_release(job);
    bits_manager_close(m);
    return took;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define RUNS 5

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s WORKDIR [JOBS] [MIB]\n", argv[0]);
        return 2;
    }
    const char *work = argv[1];
    int jobs = argc > 2 ? atoi(argv[2]) : 2000;
    long mib = argc > 3 ? atol(argv[3]) : 256;
    char store[4096], dest[4096], src[4096], big_dest[4096];
    snprintf(store, sizeof store, "%s/store", work);
    snprintf(dest, sizeof dest, "%s/never.bin", work);
    snprintf(src, sizeof src, "%s/source.bin", work);
    snprintf(big_dest, sizeof big_dest, "%s/copy.bin", work);

    FILE *f = fopen(src, "wb");
    char *block = malloc(1 << 20);
    for (int i = 0; i < (1 << 20); i++)
        block[i] = (char)(i * 31);
    for (long i = 0; i < mib; i++)
        fwrite(block, 1, 1 << 20, f);
    fclose(f);
    free(block);

    double mem_rate[RUNS], store_rate[RUNS], mem_s[RUNS], store_s[RUNS];
    for (int r = 0; r < RUNS; r++) {
        mem_rate[r] = lifecycle_rate(NULL, dest, jobs);
        store_rate[r] = lifecycle_rate(store, dest, jobs);
        mem_s[r] = transfer_seconds(NULL, src, big_dest);
        store_s[r] = transfer_seconds(store, src, big_dest);
    }
    qsort(mem_rate, RUNS, sizeof(double), cmp_double);
    qsort(store_rate, RUNS, sizeof(double), cmp_double);
    qsort(mem_s, RUNS, sizeof(double), cmp_double);
    qsort(store_s, RUNS, sizeof(double), cmp_double);
    double mem_tp = (double)mib / mem_s[RUNS / 2], store_tp = (double)mib / store_s[RUNS / 2];

    printf("| measure (median of %d, range) | in memory | store | store / memory |\n", RUNS);
    printf("|---|---|---|---|\n");
    printf("| jobs/s: create + add file + suspend + resume + complete (%d jobs) | %.0f (%.0f-%.0f) "
           "| %.0f (%.0f-%.0f) | %.2f |\n",
           jobs, mem_rate[RUNS / 2], mem_rate[0], mem_rate[RUNS - 1], store_rate[RUNS / 2],
           store_rate[0], store_rate[RUNS - 1], store_rate[RUNS / 2] / mem_rate[RUNS / 2]);
    printf("| MiB/s: one %ld MiB file:// copy | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | %.3f |\n",
           mib, mem_tp, (double)mib / mem_s[RUNS - 1], (double)mib / mem_s[0], store_tp,
           (double)mib / store_s[RUNS - 1], (double)mib / store_s[0], store_tp / mem_tp);
    unlink(src);
    unlink(big_dest);
    return 0;
}
