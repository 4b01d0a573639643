/*
 * lockwait.c - getters while another process holds the store's write
 * lock (M9): a program polling its jobs must not stall because some
 * other process sharing the store is in the middle of a transaction.
 *
 *   lockwait WORKDIR JOBS HOLD_S RUNS
 *
 * Creates JOBS jobs in a store under WORKDIR. A helper process (forked
 * before the library is used, so it shares no SQLite state) opens the
 * store's openbits.db with plain SQLite and, on each request, holds
 * BEGIN IMMEDIATE open for HOLD_S seconds, then commits; it says over a
 * pipe when it holds the lock, and the window starts only then and ends
 * when the helper starts its COMMIT. During the window one thread of
 * this process calls bits_job_set_description() every WRITER_PERIOD_MS
 * (its first call waits for the helper's lock, as a setter or the
 * engine's checkpoint would), and the main thread times one getter -
 * bits_job_get_state(), bits_job_get_progress() or
 * bits_job_get_display_name() - on the jobs in turn. Each getter also
 * gets a baseline window of BASELINE_S seconds with the same writer
 * thread but no foreign lock. RUNS rounds of the six windows;
 * bench_figure lines (p50, p99, max in microseconds, one value per run)
 * under M9. Setup failures exit 1; slow getters are figures, never a
 * failure.
 *
 * The getter is called on a fixed grid of slots SLOT_NS apart. A call
 * that starts on time is timed alone, as in getstate.c; the slots that
 * pass while one call is stuck count as callers who came then and got
 * their answer when that call did (end - slot). Without them, a call
 * stuck for 5 s would be one sample among however many fast calls
 * happened to run before the writer thread took the mutex, and p99
 * would depend on that race. Slots missed while this thread itself was
 * descheduled between calls are skipped.
 */
#define _DEFAULT_SOURCE
#include "util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#define SLOT_NS 10000       /* one getter call planned every 10 us */
#define BASELINE_S 1.0      /* length of each window without the foreign lock */
#define WRITER_PERIOD_MS 50 /* the writer thread's pace between its calls */
#define SECTION "M9"
#define TOOL "openbits C API"

enum getter { GET_STATE, GET_PROGRESS, GET_DISPLAY_NAME, NGETTERS };
static const char *const getter_names[NGETTERS] = { "GetState", "GetProgress",
                                                    "GetDisplayName" };

/* Shared with the helper process (MAP_SHARED): when it started its
 * COMMIT, 0 while it holds the lock or before it took it. */
static _Atomic int64_t *release_ns;

static pid_t helper_pid = -1;
static int helper_cmd = -1; /* our end of its command pipe */

/* The helper exits when its command pipe closes (after a hold under
 * way); wait for it. At exit too, so a failed setup leaves no child. */
static void stop_helper(void)
{
    if (helper_cmd >= 0)
        close(helper_cmd);
    helper_cmd = -1;
    while (helper_pid > 0 && waitpid(helper_pid, NULL, 0) < 0 && errno == EINTR)
        ;
    helper_pid = -1;
}

static void write_byte(int fd, char c)
{
    while (write(fd, &c, 1) < 0 && errno == EINTR)
        ;
}

static int read_byte(int fd)
{
    char c;
    ssize_t n;
    while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
        ;
    return n == 1 ? c : -1;
}

/* ---- the helper process --------------------------------------------------- */

/* Holds the write lock once per 'H' read from @p cmd; answers 'L' once it
 * holds it ('E' when it could not take it) and 'R' after its COMMIT.
 * Exits when @p cmd closes. */
static void helper_main(const char *db_path, int cmd, int ack, double hold_s)
{
    sqlite3 *db = NULL;
    while (read_byte(cmd) == 'H') {
        if (!db) {
            if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
                fprintf(stderr, "lockwait helper: %s: %s\n", db_path, sqlite3_errmsg(db));
                write_byte(ack, 'E');
                continue;
            }
            sqlite3_busy_timeout(db, 10000);
        }
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            fprintf(stderr, "lockwait helper: BEGIN IMMEDIATE: %s\n", sqlite3_errmsg(db));
            write_byte(ack, 'E');
            continue;
        }
        write_byte(ack, 'L');
        int64_t ns = (int64_t)(hold_s * 1e9);
        struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) /* the hold itself */
            ;
        atomic_store(release_ns, bench_now_ns());
        int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            fprintf(stderr, "lockwait helper: COMMIT: %s\n", sqlite3_errmsg(db));
        write_byte(ack, rc == SQLITE_OK ? 'R' : 'E');
    }
    sqlite3_close(db);
}

/* ---- the writer thread ---------------------------------------------------- */

struct writer {
    pthread_t thread;
    bits_job *job;
    atomic_int stop;
    int64_t longest_ns; /* longest bits_job_set_description() call */
    long calls;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    while (!atomic_load(&w->stop)) {
        int64_t a = bench_now_ns();
        bits_job_set_description(w->job, w->calls % 2 ? "lockwait b" : "lockwait a");
        int64_t took = bench_now_ns() - a;
        if (took > w->longest_ns)
            w->longest_ns = took;
        w->calls++;
        bench_sleep_ms(WRITER_PERIOD_MS); /* pacing; the first call of a locked window blocks */
    }
    return NULL;
}

/* ---- the timed getter ------------------------------------------------------- */

static void call_getter(enum getter g, bits_job *job)
{
    uint32_t state;
    bits_job_progress p = { .struct_size = sizeof p };
    char *name = NULL;
    switch (g) {
    case GET_STATE:
        bits_job_get_state(job, &state);
        break;
    case GET_PROGRESS:
        bits_job_get_progress(job, &p);
        break;
    default:
        bits_job_get_display_name(job, &name);
        break;
    }
    bits_free(name);
}

/* Slots from now until the window ends: until the helper's COMMIT when
 * @p locked, else for BASELINE_S. Latencies (ns) into @p lat, their
 * count returned. */
static size_t time_window(enum getter g, bits_job **jobs, int njobs, int locked, int64_t *lat,
                          size_t cap)
{
    size_t n = 0;
    int64_t planned = bench_now_ns();
    int64_t baseline_end = planned + (int64_t)(BASELINE_S * 1e9);
    for (int k = 0; n < cap; k++) {
        int64_t end_of_window = locked ? atomic_load(release_ns) : baseline_end;
        if (end_of_window && planned >= end_of_window)
            break;
        int64_t start;
        while ((start = bench_now_ns()) < planned)
            ;
        /* This thread was away past the next slots: skip them. */
        planned += (start - planned) / SLOT_NS * SLOT_NS;
        call_getter(g, jobs[k % njobs]);
        int64_t end = bench_now_ns();
        lat[n++] = end - start;
        planned += SLOT_NS;
        /* Callers who came while this call was stuck wait for it too. */
        end_of_window = locked ? atomic_load(release_ns) : baseline_end;
        int64_t limit = end_of_window && end_of_window < end ? end_of_window : end;
        for (; planned < limit && n < cap; planned += SLOT_NS)
            lat[n++] = end - planned;
    }
    if (n == cap)
        fprintf(stderr, "lockwait: window cut at %zu slots\n", n);
    return n;
}

/* ---- main --------------------------------------------------------------------- */

struct figures {
    double p50[NGETTERS][2], p99[NGETTERS][2], max[NGETTERS][2]; /* [getter][locked] */
    double writer_longest;
};

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s WORKDIR JOBS HOLD_S RUNS\n", argv[0]);
        return 2;
    }
    int njobs = atoi(argv[2]), runs = atoi(argv[4]);
    double hold_s = atof(argv[3]);
    if (njobs < 1 || runs < 1 || hold_s <= 0) {
        fprintf(stderr, "lockwait: JOBS and RUNS must be >= 1, HOLD_S > 0\n");
        return 2;
    }
    char store_dir[4096], db_path[4200];
    snprintf(store_dir, sizeof store_dir, "%s/store-lockwait", argv[1]);
    snprintf(db_path, sizeof db_path, "%s/openbits.db", store_dir);

    /* The helper first, while this process is one thread and has never
     * touched SQLite (a connection must not cross a fork). */
    release_ns = mmap(NULL, sizeof *release_ns, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int cmd[2], ack[2];
    if (release_ns == MAP_FAILED || pipe(cmd) != 0 || pipe(ack) != 0) {
        perror("lockwait: setup");
        return 1;
    }
    fflush(stdout);
    helper_pid = fork();
    if (helper_pid < 0) {
        perror("lockwait: fork");
        return 1;
    }
    if (helper_pid == 0) {
        close(cmd[1]);
        close(ack[0]);
        helper_main(db_path, cmd[0], ack[1], hold_s);
        _exit(0);
    }
    close(cmd[0]);
    close(ack[1]);
    helper_cmd = cmd[1];
    atexit(stop_helper);
    signal(SIGPIPE, SIG_IGN); /* a dead helper is an error from write(), not our death */

    bits_manager *m;
    bench_must(bits_manager_open(store_dir, 0, &m), "open");
    bits_job **jobs = malloc((size_t)njobs * sizeof *jobs);
    for (int i = 0; i < njobs; i++) {
        bits_guid id;
        char name[32];
        snprintf(name, sizeof name, "lockwait %d", i);
        bench_must(bits_manager_create_job(m, name, 0, &id, &jobs[i]), "create");
    }

    size_t cap = (size_t)((hold_s + BASELINE_S + 5) * 1e9 / SLOT_NS);
    int64_t *lat = malloc(cap * sizeof *lat);
    struct figures *fig = calloc((size_t)runs, sizeof *fig);
    int failed = 0;
    for (int r = 0; r < runs && !failed; r++) {
        for (int g = 0; g < NGETTERS && !failed; g++) {
            for (int locked = 0; locked <= 1; locked++) {
                if (locked) {
                    atomic_store(release_ns, 0);
                    write_byte(helper_cmd, 'H');
                    if (read_byte(ack[0]) != 'L') {
                        fprintf(stderr, "lockwait: the helper did not take the lock\n");
                        failed = 1;
                        break;
                    }
                }
                struct writer w = { .job = jobs[0] };
                if (pthread_create(&w.thread, NULL, writer_main, &w) != 0) {
                    fprintf(stderr, "lockwait: pthread_create failed\n");
                    failed = 1;
                    break;
                }
                size_t n = time_window((enum getter)g, jobs, njobs, locked, lat, cap);
                atomic_store(&w.stop, 1);
                pthread_join(w.thread, NULL);
                if (locked && read_byte(ack[0]) != 'R') {
                    fprintf(stderr, "lockwait: the helper's COMMIT failed\n");
                    failed = 1;
                }
                qsort(lat, n, sizeof *lat, bench_cmp_i64);
                fig[r].p50[g][locked] = n ? (double)lat[n / 2] / 1e3 : NAN;
                fig[r].p99[g][locked] = n ? (double)lat[n / 100 * 99] / 1e3 : NAN;
                fig[r].max[g][locked] = n ? (double)lat[n - 1] / 1e3 : NAN;
                if (locked && (double)w.longest_ns / 1e3 > fig[r].writer_longest)
                    fig[r].writer_longest = (double)w.longest_ns / 1e3;
            }
        }
    }

    stop_helper();
    close(ack[0]);

    if (!failed) {
        double *v = malloc((size_t)runs * sizeof *v);
        char measure[192];
        for (int locked = 1; locked >= 0; locked--) {
            char cond[96];
            if (locked)
                snprintf(cond, sizeof cond, "another process holding the write lock %g s", hold_s);
            else
                snprintf(cond, sizeof cond, "no foreign lock");
            for (int g = 0; g < NGETTERS; g++) {
                static const char *const stat[3] = { "p50", "p99", "max" };
                for (int s = 0; s < 3; s++) {
                    for (int r = 0; r < runs; r++)
                        v[r] = s == 0 ? fig[r].p50[g][locked]
                               : s == 1 ? fig[r].p99[g][locked]
                                        : fig[r].max[g][locked];
                    snprintf(measure, sizeof measure, "%s %s, %d jobs, %s", getter_names[g],
                             stat[s], njobs, cond);
                    bench_figure(SECTION, measure, TOOL, "us", runs, v);
                }
            }
        }
        for (int r = 0; r < runs; r++)
            v[r] = fig[r].writer_longest;
        snprintf(measure, sizeof measure,
                 "SetDescription longest call (the writer thread), write lock held %g s", hold_s);
        bench_figure(SECTION, measure, TOOL, "us", runs, v);
        free(v);
    }

    for (int i = 0; i < njobs; i++)
        bits_job_release(jobs[i]);
    bits_manager_close(m);
    free(jobs);
    free(lat);
    free(fig);
    return failed ? 1 : 0;
}
