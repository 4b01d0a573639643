/* cli_transfer.c - `openbits transfer` (create, add, resume, watch, complete) and
 * the watching it shares with `resume --wait`. */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

/* The job's events (those its notify flags ask for: by default
 * TRANSFERRED and ERROR) wake the waiting loop at once; it looks anyway
 * every WAIT_MS (20 with progress shown, for the bars and state lines;
 * 250 when quiet). A signal does not wake it: Ctrl-C takes effect
 * within WAIT_MS. */
static pthread_mutex_t woken_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t woken_cond;
static int woken;

static void on_job_event(const bits_event *ev, void *data)
{
    (void)ev;
    (void)data;
    pthread_mutex_lock(&woken_lock);
    woken = 1;
    pthread_cond_signal(&woken_cond);
    pthread_mutex_unlock(&woken_lock);
}

static void wait_for_event(long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&woken_lock);
    if (!woken)
        pthread_cond_timedwait(&woken_cond, &woken_lock, &until);
    woken = 0;
    pthread_mutex_unlock(&woken_lock);
}

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Ctrl-C (and SIGTERM, SIGHUP) suspend the job instead of killing us:
 * installed before the job exists so that no signal leaves it QUEUED. */
static void catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(double bytes, char *out, size_t n)
{
    const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

/* One line per file: a bar on a terminal (redrawn in place), else plain.
 * The rate counts the bytes moved since @p started (beyond @p already). */
static int draw_progress(bits_job *job, double started, uint64_t already, int tty,
                         int lines_before)
{
    if (tty && lines_before)
        printf("\033[%dA", lines_before); /* back to the first bar */
    bits_file_enum *fe;
    bits_file *f;
    int lines = 0;
    double secs = now_s() - started;
    bits_job_progress jp = { .struct_size = sizeof jp };
    bits_job_get_progress(job, &jp);
    uint64_t moved = jp.bytes_transferred > already ? jp.bytes_transferred - already : 0;
    double rate = secs > 0 ? (double)moved / secs : 0;
    bits_job_enum_files(job, &fe);
    while (bits_file_enum_next(fe, 1, &f, NULL) == BITS_S_OK) {
        char *local = NULL;
        bits_file_progress p = { .struct_size = sizeof p };
        bits_file_get_local_name(f, &local);
        bits_file_get_progress(f, &p);
        const char *base = local ? strrchr(local, '/') : NULL;
        base = base ? base + 1 : (local ? local : "?");
        char done[32], total[32], speed[32];
        human((double)p.bytes_transferred, done, sizeof done);
        human(p.bytes_total == BG_SIZE_UNKNOWN ? 0 : (double)p.bytes_total, total, sizeof total);
        human(rate, speed, sizeof speed);
        int pct = p.bytes_total && p.bytes_total != BG_SIZE_UNKNOWN
                      ? (int)(100.0 * (double)p.bytes_transferred / (double)p.bytes_total)
                      : (p.bytes_total == 0 ? 100 : 0);
        if (tty) {
            int width = 24, fill = pct * width / 100;
            double left = rate > 0 && p.bytes_total != BG_SIZE_UNKNOWN
                              ? (double)(p.bytes_total - p.bytes_transferred) / rate
                              : 0;
            printf("\033[2K%-24.24s [%.*s%*s] %3d%% %10s/%-10s %10s/s ETA %4.0fs\n", base, fill,
                   "########################", width - fill, "", pct, done, total, speed, left);
        } else {
            printf("%s: %d%% %s of %s, %s/s\n", base, pct, done,
                   p.bytes_total == BG_SIZE_UNKNOWN ? "?" : total, speed);
        }
        bits_free(local);
        bits_file_release(f);
        lines++;
    }
    bits_file_enum_free(fe);
    fflush(stdout);
    return lines;
}

/* Adds the URL DEST pairs with one bits_job_add_file_set (one store
 * write for all: a call per file cost a transaction each, bench M2). The
 * set is all or nothing; when it is refused, the pair to blame is found
 * by adding them one at a time (the job is cancelled anyway). */
static int add_pairs(bits_job *job, int npairs, char **pairs)
{
    bits_file_info *infos = calloc((size_t)npairs, sizeof *infos);
    if (!infos)
        return cli_fail("addfile", BITS_E_OUTOFMEMORY);
    for (int i = 0; i < npairs; i++) {
        infos[i].remote_name = pairs[2 * i];
        infos[i].local_name = cli_absolute_path(pairs[2 * i + 1]);
    }
    int rc = EXIT_OK;
    bits_hresult hr = bits_job_add_file_set(job, (uint32_t)npairs, infos);
    if (bits_failed(hr)) {
        hr = BITS_S_OK; /* unless one alone fails too */
        for (int i = 0; i < npairs && !bits_failed(hr); i++) {
            hr = bits_job_add_file(job, infos[i].remote_name, infos[i].local_name);
            if (bits_failed(hr)) {
                char *shown = cli_url(pairs[2 * i]);
                fprintf(stderr, "openbits: %s -> %s\n", shown ? shown : "?", pairs[2 * i + 1]);
                free(shown);
            }
        }
    }
    if (bits_failed(hr))
        rc = cli_fail("addfile", hr);
    for (int i = 0; i < npairs; i++)
        free((char *)infos[i].local_name);
    free(infos);
    return rc;
}

int cli_transfer_main(cli *c, int argc, char **argv)
{
    cli_transfer_opts opts = { NULL, -1, 0 };
    int k = 1;
    for (; k < argc && strncmp(argv[k], "--", 2) == 0; k += 2) {
        uint32_t priority;
        int bad = k + 1 >= argc;
        if (!bad && strcmp(argv[k], "--name") == 0)
            opts.name = argv[k + 1];
        else if (!bad && strcmp(argv[k], "--priority") == 0 &&
                 cli_parse_priority(argv[k + 1], &priority) == 0)
            opts.priority = (int)priority;
        else if (!bad && strcmp(argv[k], "--max-bandwidth") == 0 &&
                 cli_parse_number(argv[k + 1], UINT64_MAX, &opts.max_bandwidth) == 0)
            continue;
        else
            bad = 1;
        if (bad) {
            fprintf(stderr, "openbits: transfer: bad option %s (openbits transfer --help)\n",
                    argv[k]);
            return EXIT_USAGE;
        }
    }
    return cli_transfer(c, &opts, argc - k, argv + k);
}

int cli_transfer(cli *c, const cli_transfer_opts *opts, int nargs, char **pairs)
{
    if (nargs == 0 || nargs % 2) {
        fprintf(stderr, "usage: openbits transfer [--name NAME] [--priority P] "
                        "[--max-bandwidth B/S] URL DEST [URL DEST ...]\n");
        return EXIT_USAGE;
    }
    catch_interrupts();
    int rc = cli_open(c);
    if (rc != EXIT_OK)
        return rc;
    bits_guid id;
    bits_job *job;
    bits_hresult hr = bits_manager_create_job(c->mgr, opts->name ? opts->name : "openbits transfer",
                                              BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (bits_failed(hr))
        return cli_fail("create", hr);
    if (opts->priority >= 0 &&
        bits_failed(hr = bits_job_set_priority(job, (uint32_t)opts->priority)))
        rc = cli_fail("priority", hr);
    if (rc == EXIT_OK)
        rc = add_pairs(job, nargs / 2, pairs);
    if (rc == EXIT_OK && opts->max_bandwidth &&
        bits_failed(hr = bits_job_set_max_bandwidth(job, opts->max_bandwidth)))
        rc = cli_fail("max-bandwidth", hr);
    if (rc == EXIT_OK && bits_failed(hr = bits_job_resume(job)))
        rc = cli_fail("resume", hr);
    if (rc != EXIT_OK) {
        bits_job_cancel(job);
        bits_job_release(job);
        return rc;
    }
    rc = cli_wait_job(c, job);
    bits_job_release(job);
    return rc;
}

int cli_wait_job(cli *c, bits_job *job)
{
    catch_interrupts();
    bits_guid id;
    char *gid = NULL;
    bits_job_get_id(job, &id);
    bits_guid_to_string(&id, &gid);
    if (!c->quiet && !c->json)
        printf("job %s\n", gid);
    int tty = isatty(fileno(stdout)) && !c->json && !c->quiet;
    bits_job_progress at_start = { .struct_size = sizeof at_start };
    bits_job_get_progress(job, &at_start);
    double started = now_s(), last = 0;
    int lines = 0, rc;
    uint32_t state = 0, shown = 99;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&woken_cond, &attr);
    pthread_condattr_destroy(&attr);
    bits_job_set_event_callback(job, on_job_event, NULL);
    for (;;) {
        bits_job_get_state(job, &state);
        if (interrupted) {
            bits_job_suspend(job);
            fprintf(stderr,
                    "\nopenbits: interrupted; the job is SUSPENDED. Continue with:\n"
                    "  openbits%s%s resume %s --wait\n",
                    c->store ? " --store " : "", c->store ? c->store : "", gid);
            rc = EXIT_INTERRUPTED;
            break;
        }
        if (state != shown && !c->quiet && !c->json && !tty) {
            printf("state %s\n", cli_state_name(state));
            shown = state;
        }
        if (!c->quiet && !c->json && (now_s() - last >= (tty ? 0.2 : 1.0) ||
                                      state == BG_JOB_STATE_TRANSFERRED)) {
            lines = draw_progress(job, started, at_start.bytes_transferred, tty, lines);
            last = now_s();
        }
        if (state == BG_JOB_STATE_TRANSFERRED) {
            bits_hresult hr = bits_job_complete(job);
            rc = bits_failed(hr) ? cli_fail("complete", hr) : EXIT_OK;
            break;
        }
        if (state == BG_JOB_STATE_ACKNOWLEDGED) { /* completed by another process */
            rc = EXIT_OK;
            break;
        }
        if (state == BG_JOB_STATE_ERROR) {
            cli_print_job_error(stderr, "openbits: ", job);
            rc = EXIT_JOB_ERROR;
            break;
        }
        if (state == BG_JOB_STATE_CANCELLED) {
            rc = EXIT_CANCELLED;
            break;
        }
        wait_for_event(c->quiet || c->json ? 250 : 20);
    }
    bits_job_set_event_callback(job, NULL, NULL); /* returns once no call runs */
    pthread_cond_destroy(&woken_cond);
    if (c->json) {
        bits_job_get_state(job, &state);
        printf("{\"id\": \"%s\", \"state\": \"%s\", \"exit\": %d}\n", gid,
               cli_state_name(state), rc);
    }
    bits_free(gid);
    return rc;
}
