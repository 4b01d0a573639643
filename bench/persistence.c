/*
 * persistence.c - what durability costs: job life-cycle calls per second
 * and transfer throughput with a store (SQLite, WAL) against an in-memory
 * manager, measured side by side in one run.
 *
 *   persistence WORKDIR LABEL JOBS RUNS URL MIB
 *
 * WORKDIR holds the store and the downloads and should be on the file
 * system to judge (tmpfs isolates the library's own cost; a disk adds
 * fsync). URL is a MIB-MiB file (e.g. from the local nginx). Prints
 * bench_figure lines for section M7, measures suffixed with LABEL.
 */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "util.h"

static bits_manager *open_manager(const char *store)
{
    bits_manager *m;
    bench_must(bits_manager_open(store, store ? 0 : BITS_MANAGER_OPEN_IN_MEMORY, &m), "open");
    bench_must(bits_manager_set_limit(m, BITS_LIMIT_JOBS, 0), "limit");
    return m;
}

/* create + add file + suspend + resume + complete, @p n times: jobs/s. */
static double lifecycle_rate(const char *store, const char *dest, int n)
{
    bits_manager *m = open_manager(store);
    double t0 = bench_now();
    for (int i = 0; i < n; i++) {
        bits_job *job;
        bits_guid id;
        bench_must(bits_manager_create_job(m, "bench", 0, &id, &job), "create");
        bench_must(bits_job_add_file(job, "http://127.0.0.1:9/never", dest), "add");
        bench_must(bits_job_suspend(job), "suspend"); /* keep the engine out of it */
        bench_must(bits_job_resume(job), "resume");
        bench_must(bits_job_complete(job), "complete");
        bits_job_release(job);
    }
    double rate = n / (bench_now() - t0);
    bits_manager_close(m);
    return rate;
}

/* Downloads @p url to @p dest as one job: MiB/s. */
static double transfer_rate(const char *store, const char *url, const char *dest, double mib)
{
    bits_manager *m = open_manager(store);
    bits_job *job;
    bits_guid id;
    unlink(dest);
    bench_must(bits_manager_create_job(m, "bench", 0, &id, &job), "create");
    bench_must(bits_job_add_file(job, url, dest), "add");
    double t0 = bench_now();
    bench_must(bits_job_resume(job), "resume");
    uint32_t state = 0;
    while (state != BG_JOB_STATE_TRANSFERRED && state != BG_JOB_STATE_ERROR) {
        bench_sleep_ms(1);
        bits_job_get_state(job, &state);
    }
    double took = bench_now() - t0;
    if (state != BG_JOB_STATE_TRANSFERRED) {
        fprintf(stderr, "persistence: transfer of %s failed\n", url);
        exit(1);
    }
    bench_must(bits_job_complete(job), "complete");
    bits_job_release(job);
    bits_manager_close(m);
    unlink(dest);
    return mib / took;
}

#define MAX_RUNS 32

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s WORKDIR LABEL JOBS RUNS URL MIB\n", argv[0]);
        return 2;
    }
    const char *work = argv[1], *label = argv[2], *url = argv[5];
    int jobs = atoi(argv[3]), runs = atoi(argv[4]);
    double mib = atof(argv[6]);
    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;
    char store[4096], dest[4096], big_dest[4096];
    snprintf(store, sizeof store, "%s/store", work);
    snprintf(dest, sizeof dest, "%s/never.bin", work);
    snprintf(big_dest, sizeof big_dest, "%s/copy.bin", work);

    double mem_rate[MAX_RUNS], store_rate[MAX_RUNS], mem_tp[MAX_RUNS], store_tp[MAX_RUNS];
    for (int r = 0; r < runs; r++) { /* alternated, so drift hits both alike */
        mem_rate[r] = lifecycle_rate(NULL, dest, jobs);
        store_rate[r] = lifecycle_rate(store, dest, jobs);
        mem_tp[r] = transfer_rate(NULL, url, big_dest, mib);
        store_tp[r] = transfer_rate(store, url, big_dest, mib);
    }
    char measure[256];
    snprintf(measure, sizeof measure,
             "job life cycle: create + add + suspend + resume + complete, %s", label);
    bench_figure("M7", measure, "openbits (in memory)", "jobs/s", runs, mem_rate);
    bench_figure("M7", measure, "openbits (store)", "jobs/s", runs, store_rate);
    snprintf(measure, sizeof measure, "one %.0f MiB HTTP download, %s", mib, label);
    bench_figure("M7", measure, "openbits (in memory)", "MiB/s", runs, mem_tp);
    bench_figure("M7", measure, "openbits (store)", "MiB/s", runs, store_tp);
    return 0;
}
