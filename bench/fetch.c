/*
 * fetch.c - the C API as a download tool, so the benchmarks can run it
 * exactly like curl or wget: one job with the given files, wait, complete.
 *
 *   fetch [--store DIR] [--in-flight N] [--max-bandwidth BYTES_PER_S]
 *         (--list FILE | URL DEST ...)
 *
 * --list reads "URL DEST" lines. Without --store the manager is in memory.
 * With --store, a job left in the store by an earlier (killed) run is
 * taken over instead of creating one: that is how the kill -9 benchmark
 * resumes. Exit 0 when the files are in place, 1 otherwise.
 * With OPENBITS_BENCH_PHASES set, the seconds spent opening, adding the
 * files, transferring, completing and closing go to stderr (to profile).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "util.h"

/* Waiting the way an application should: woken by the job's events, not
 * polling (a poll loop would share the CPU with the engine). */
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done;

static void on_event(const bits_event *ev, void *data)
{
    (void)ev;
    (void)data;
    pthread_mutex_lock(&done_lock);
    done = 1;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&done_lock);
}

static int is_final(bits_job *job, uint32_t *state)
{
    bits_job_get_state(job, state);
    return *state == BG_JOB_STATE_TRANSFERRED || *state == BG_JOB_STATE_ERROR ||
           *state == BG_JOB_STATE_CANCELLED;
}

/* Reads "URL DEST" lines into @p out (strings leaked on purpose: the
 * process ends right after). Returns the count. */
static uint32_t read_list(const char *path, bits_file_info **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t cap = 1024, n = 0;
    bits_file_info *v = malloc(cap * sizeof *v);
    char url[4096], dest[4096];
    while (fscanf(f, "%4095s %4095s", url, dest) == 2) {
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n].remote_name = strdup(url);
        v[n].local_name = strdup(dest);
        n++;
    }
    fclose(f);
    *out = v;
    return (uint32_t)n;
}

/* The first job of the store, if an earlier run left one. */
static bits_job *left_over_job(bits_manager *m)
{
    bits_job_enum *e;
    bits_job *job = NULL;
    bench_must(bits_manager_enum_jobs(m, 0, &e), "enum");
    if (bits_job_enum_next(e, 1, &job, NULL) != BITS_S_OK)
        job = NULL;
    bits_job_enum_free(e);
    return job;
}

static double phase_start;

/* Ends the phase @p name (see OPENBITS_BENCH_PHASES) and starts the next. */
static void phase(const char *name)
{
    double now = bench_now();
    if (getenv("OPENBITS_BENCH_PHASES"))
        fprintf(stderr, "%s %.4f%s", name, now - phase_start, strcmp(name, "close") ? " " : "\n");
    phase_start = now;
}

int main(int argc, char **argv)
{
    const char *store = NULL, *list = NULL;
    uint32_t in_flight = 1;
    uint64_t bandwidth = 0;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--store") == 0)
            store = argv[i + 1];
        else if (strcmp(argv[i], "--in-flight") == 0)
            in_flight = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--max-bandwidth") == 0)
            bandwidth = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--list") == 0)
            list = argv[i + 1];
        else
            break;
    }
    if (!list && (i >= argc || (argc - i) % 2)) {
        fprintf(stderr, "usage: %s [--store DIR] [--in-flight N] [--max-bandwidth B] "
                        "(--list FILE | URL DEST ...)\n", argv[0]);
        return 2;
    }
    bits_manager *m;
    phase_start = bench_now();
    bench_must(bits_manager_open(store, store ? 0 : BITS_MANAGER_OPEN_IN_MEMORY, &m), "open");
    bits_job *job = store ? left_over_job(m) : NULL;
    phase("open");
    if (!job) {
        bits_file_info *files;
        uint32_t n;
        if (list) {
            n = read_list(list, &files);
        } else {
            n = (uint32_t)(argc - i) / 2;
            files = malloc(n * sizeof *files);
            for (uint32_t k = 0; k < n; k++)
                files[k] = (bits_file_info){ argv[i + 2 * k], argv[i + 2 * k + 1] };
        }
        bits_guid id;
        bench_must(bits_manager_set_limit(m, BITS_LIMIT_FILES_PER_JOB, 0), "limit");
        bench_must(bits_manager_create_job(m, "bench fetch", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                   "create");
        bench_must(bits_job_add_file_set(job, n, files), "add files");
        bench_must(bits_job_set_files_in_flight(job, in_flight), "files in flight");
        if (bandwidth)
            bench_must(bits_job_set_max_bandwidth(job, bandwidth), "max bandwidth");
        free(files);
    }
    phase("add");
    bench_must(bits_job_set_notify_flags(job, BITS_EVENT_JOB_TRANSFERRED | BITS_EVENT_JOB_ERROR),
               "notify flags");
    bench_must(bits_job_set_event_callback(job, on_event, NULL), "callback");
    bits_job_resume(job); /* a taken-over job may already be queued */
    uint32_t state = 0;
    pthread_mutex_lock(&done_lock);
    while (!is_final(job, &state)) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1; /* a safety net only: the event wakes us */
        if (!done)
            pthread_cond_timedwait(&done_cond, &done_lock, &until);
        done = 0;
    }
    pthread_mutex_unlock(&done_lock);
    bits_job_set_event_callback(job, NULL, NULL);
    phase("transfer");
    int rc = 1;
    if (state == BG_JOB_STATE_TRANSFERRED)
        rc = bits_failed(bits_job_complete(job));
    else
        fprintf(stderr, "fetch: job ended in state %u\n", state);
    phase("complete");
    bits_job_release(job);
    bits_manager_close(m);
    phase("close");
    return rc;
}
