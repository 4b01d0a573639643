/*
 * queued.c - memory per queued job: the RSS this process gains by holding
 * N jobs of one file each in the QUEUED state, behind one more job that
 * transfers (the scheduler runs one background job at a time).
 *
 *   queued URL DESTDIR N [STORE]
 *
 * URL should be slow (a rate-limited server location) so the running job
 * stays running. Without STORE the manager is in memory. Prints one
 * bench_figure line: KB (1000 bytes) per job.
 */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s URL DESTDIR N [STORE]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1], *store = argc > 4 ? argv[4] : NULL;
    int n = atoi(argv[3]);
    bits_manager *m;
    bench_must(bits_manager_open(store, store ? 0 : BITS_MANAGER_OPEN_IN_MEMORY, &m), "open");
    bench_must(bits_manager_set_limit(m, BITS_LIMIT_JOBS, 0), "limit");
    bits_job **jobs = malloc((size_t)(n + 1) * sizeof *jobs);
    long before = 0;
    /* The running job first: its transfer's fixed cost (libcurl handle,
     * buffers) is in the baseline, so the delta is what queued jobs cost. */
    for (int i = 0; i <= n; i++) {
        char dest[4096];
        bits_guid id;
        snprintf(dest, sizeof dest, "%s/queued-%d.bin", argv[2], i);
        bench_must(bits_manager_create_job(m, "queued", BG_JOB_TYPE_DOWNLOAD, &id, &jobs[i]),
                   "create");
        bench_must(bits_job_add_file(jobs[i], url, dest), "add");
        bench_must(bits_job_resume(jobs[i]), "resume");
        if (i == 0) {
            uint32_t s = 0;
            for (int k = 0; k < 500 && s != BG_JOB_STATE_TRANSFERRING; k++) {
                bench_sleep_ms(10);
                bits_job_get_state(jobs[0], &s);
            }
            bench_sleep_ms(200);
            before = bench_rss_kib();
        }
    }
    bench_sleep_ms(300); /* the engine looks at the queue meanwhile */
    long after = bench_rss_kib();
    uint32_t state = 0, queued = 0;
    for (int i = 1; i <= n; i++)
        queued += bits_job_get_state(jobs[i], &state) == BITS_S_OK && state == BG_JOB_STATE_QUEUED;
    double kb = (double)(after - before) * 1024.0 / 1000.0 / n;
    char measure[128];
    const char *tool = store ? "openbits (store)" : "openbits (in memory)";
    double queued_d = queued;
    snprintf(measure, sizeof measure, "RSS per job, %d jobs", n);
    bench_figure("M5", measure, tool, "KB/job", 1, &kb);
    snprintf(measure, sizeof measure, "jobs QUEUED (not running) at the time, %d jobs", n);
    bench_figure("M5", measure, tool, "jobs", 1, &queued_d);
    for (int i = 0; i <= n; i++) {
        bits_job_cancel(jobs[i]);
        bits_job_release(jobs[i]);
    }
    free(jobs);
    bits_manager_close(m);
    return 0;
}
