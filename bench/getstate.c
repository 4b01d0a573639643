/*
 * getstate.c - GetState and GetProgress latency with many jobs while a
 * transfer runs: the calls every program polls must stay cheap.
 *
 *   getstate WORKDIR JOBS CALLS [URL]
 *
 * Creates JOBS jobs in a store under WORKDIR, keeps one transferring (URL,
 * best a rate-limited server location so it runs throughout; else a
 * 512 MiB local copy), and times CALLS bits_job_get_state() and as many
 * bits_job_get_progress() calls on jobs picked round-robin. Prints
 * bench_figure lines (p50, p99, max in microseconds; creation rate).
 */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

/* Times @p calls calls of one query; prints p50/p99/max. */
static void time_calls(bits_job **all, int jobs, int calls, int progress, const char *tool)
{
    int64_t *lat = malloc((size_t)calls * sizeof *lat);
    uint32_t state;
    bits_job_progress p = { .struct_size = sizeof p };
    for (int i = 0; i < calls; i++) {
        bits_job *job = all[i % jobs];
        int64_t a = bench_now_ns();
        if (progress)
            bits_job_get_progress(job, &p);
        else
            bits_job_get_state(job, &state);
        lat[i] = bench_now_ns() - a;
    }
    qsort(lat, (size_t)calls, sizeof *lat, bench_cmp_i64);
    double us[3] = { (double)lat[calls / 2] / 1e3, (double)lat[calls / 100 * 99] / 1e3,
                     (double)lat[calls - 1] / 1e3 };
    char measure[128];
    const char *what = progress ? "GetProgress" : "GetState";
    snprintf(measure, sizeof measure, "%s p50, %d jobs, one transferring", what, jobs);
    bench_figure("M6", measure, tool, "us", 1, &us[0]);
    snprintf(measure, sizeof measure, "%s p99, %d jobs, one transferring", what, jobs);
    bench_figure("M6", measure, tool, "us", 1, &us[1]);
    snprintf(measure, sizeof measure, "%s max, %d jobs, one transferring", what, jobs);
    bench_figure("M6", measure, tool, "us", 1, &us[2]);
    free(lat);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s WORKDIR JOBS CALLS [URL]\n", argv[0]);
        return 2;
    }
    int jobs = atoi(argv[2]), calls = atoi(argv[3]);
    char store[4096], src[4096], dest[4096];
    snprintf(store, sizeof store, "%s/store-getstate", argv[1]);
    snprintf(src, sizeof src, "%s/getstate-src.bin", argv[1]);
    snprintf(dest, sizeof dest, "%s/getstate-dst.bin", argv[1]);
    if (argc <= 4) {
        FILE *f = fopen(src, "wb");
        for (int i = 0; i < 512; i++) {
            static char block[1 << 20];
            fwrite(block, 1, sizeof block, f);
        }
        fclose(f);
    }

    bits_manager *m;
    bench_must(bits_manager_open(store, 0, &m), "open");
    bench_must(bits_manager_set_limit(m, BITS_LIMIT_JOBS, 0), "limit");
    bits_job **all = malloc((size_t)jobs * sizeof *all);
    double t0 = bench_now();
    for (int i = 0; i < jobs; i++) {
        bits_guid id;
        bench_must(bits_manager_create_job(m, "many", 0, &id, &all[i]), "create");
    }
    double rate = jobs / (bench_now() - t0);
    bench_must(bits_job_add_file(all[0], argc > 4 ? argv[4] : src, dest), "add");
    bench_must(bits_job_resume(all[0]), "resume");
    bits_job_progress p = { .struct_size = sizeof p };
    for (int i = 0; i < 500 && p.bytes_transferred == 0; i++) {
        bench_sleep_ms(10);
        bits_job_get_progress(all[0], &p);
    }
    uint64_t before = p.bytes_transferred;
    time_calls(all, jobs, calls, 0, "openbits C API");
    time_calls(all, jobs, calls, 1, "openbits C API");
    bits_job_get_progress(all[0], &p);
    double moved = (double)(p.bytes_transferred - before) / 1e6;
    char measure[128];
    snprintf(measure, sizeof measure, "bytes moved by the transfer meanwhile (%d jobs)", jobs);
    bench_figure("M6", measure, "openbits C API", "MB", 1, &moved);
    snprintf(measure, sizeof measure, "creating %d durable jobs", jobs);
    bench_figure("M7", measure, "openbits C API", "jobs/s", 1, &rate);
    bits_job_cancel(all[0]);
    for (int i = 0; i < jobs; i++)
        bits_job_release(all[i]);
    bits_manager_close(m);
    free(all);
    remove(src);
    remove(dest);
    return 0;
}
