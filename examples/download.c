/*
 * download.c - download files as one BITS job, printing each state the
 * job passes through and its progress, then Complete it.
 *
 *   download [--store DIR] [--timeout SECONDS] [--max-bandwidth BYTES_PER_S]
 *            [--keep] URL DEST [URL DEST ...]
 *
 * URL is http://, https://, file:// or an absolute local path; DEST an
 * absolute path whose directory exists. The steps are those of every
 * openbits program:
 *   1. open a manager on a job store (without --store the default one,
 *      $XDG_STATE_HOME/openbits, where jobs survive this process);
 *   2. create a job and add the files; a new job is SUSPENDED;
 *   3. Resume: the library transfers on its own threads while this program
 *      polls the state every 200 ms (see events.c for callbacks instead);
 *   4. at TRANSFERRED, Complete renames the temporary files to DEST
 *      (ACKNOWLEDGED); at ERROR, the error object says why.
 * TRANSIENT_ERROR is not final: the library retries by itself (after the
 * job's minimum retry delay), so the program keeps waiting.
 *
 * After --timeout seconds (default 600) the job is cancelled, unless
 * --keep is given: the job then stays in the store, where a later
 * `openbits` command or openbitsd (which keeps the store's transfers
 * running) can finish it.
 *
 * Exit status: 0 transferred and completed, 1 usage or setup error, 2 the
 * job ended in ERROR, 3 timed out.
 *
 *   cc download.c $(pkg-config --cflags --libs openbits) -o download
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openbits/openbits.h>

/* BG_JOB_STATE_* are plain numbers 0 .. BITS_JOB_STATE_COUNT - 1. */
static const char *state_name(uint32_t state)
{
    static const char *const names[] = { "QUEUED", "CONNECTING", "TRANSFERRING",
                                         "SUSPENDED", "ERROR", "TRANSIENT_ERROR",
                                         "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED" };
    return state < BITS_JOB_STATE_COUNT ? names[state] : "(unknown)";
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Prints a progress line when something moved (or when @p force). */
static void print_progress(bits_job *job, double started, int force)
{
    static uint64_t last_bytes = UINT64_MAX;
    static uint32_t last_files = UINT32_MAX;
    /* Snapshot structs: set struct_size first (see docs/abi-policy.md). */
    bits_job_progress p = { .struct_size = sizeof p };
    if (bits_failed(bits_job_get_progress(job, &p)))
        return;
    if (!force && p.bytes_transferred == last_bytes && p.files_transferred == last_files)
        return;
    last_bytes = p.bytes_transferred;
    last_files = p.files_transferred;
    double secs = now() - started;
    double rate = secs > 0 ? (double)p.bytes_transferred / secs : 0;
    if (p.bytes_total == BG_SIZE_UNKNOWN) {
        printf("  %10llu bytes, files %u/%u, %.1f MB/s\n",
               (unsigned long long)p.bytes_transferred, p.files_transferred, p.files_total,
               rate / 1e6);
    } else {
        int width = 30;
        int filled = p.bytes_total ? (int)((double)width * (double)p.bytes_transferred /
                                           (double)p.bytes_total)
                                   : width;
        printf("  [%.*s%*s] %3d%% %llu/%llu bytes, files %u/%u, %.1f MB/s\n", filled,
               "##############################", width - filled, "",
               p.bytes_total ? (int)(100.0 * (double)p.bytes_transferred /
                                     (double)p.bytes_total)
                             : 100,
               (unsigned long long)p.bytes_transferred, (unsigned long long)p.bytes_total,
               p.files_transferred, p.files_total, rate / 1e6);
    }
    fflush(stdout);
}

/* The job's last error: a copy taken now, freed with bits_error_free(). */
static void print_error(bits_job *job)
{
    bits_error *err;
    if (bits_job_get_error(job, &err) != BITS_S_OK)
        return;
    uint32_t context = 0;
    bits_hresult code = 0;
    char *text = NULL;
    bits_error_get_error(err, &context, &code);
    bits_error_get_description(err, &text);
    printf("  error %s (0x%08X), context %u: %s\n", bits_hresult_name(code), (unsigned)code,
           context, text ? text : "");
    bits_free(text);
    bits_error_free(err);
}

int main(int argc, char **argv)
{
    const char *store = NULL;
    double timeout = 600;
    uint64_t max_bandwidth = 0;
    int keep = 0, bad = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--keep") == 0)
            keep = 1;
        else if (i + 1 >= argc)
            bad = 1;
        else if (strcmp(argv[i], "--store") == 0)
            store = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0)
            timeout = atof(argv[++i]);
        else if (strcmp(argv[i], "--max-bandwidth") == 0)
            max_bandwidth = strtoull(argv[++i], NULL, 10);
        else
            bad = 1;
    }
    if (bad || i >= argc || (argc - i) % 2 != 0) {
        fprintf(stderr,
                "usage: %s [--store DIR] [--timeout S] [--max-bandwidth B/S] [--keep] "
                "URL DEST ...\n",
                argv[0]);
        return 1;
    }

    bits_manager *mgr;
    bits_job *job;
    bits_guid id;
    /* Every call returns a bits_hresult: < 0 is a failure, and
     * bits_hresult_name()/bits_hresult_message() say which. */
    bits_hresult hr = bits_manager_open(store, 0, &mgr);
    if (bits_failed(hr)) {
        fprintf(stderr, "opening the store: %s: %s\n", bits_hresult_name(hr),
                bits_hresult_message(hr));
        return 1;
    }
    hr = bits_manager_create_job(mgr, "download example", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (bits_failed(hr)) {
        fprintf(stderr, "creating the job: %s: %s\n", bits_hresult_name(hr),
                bits_hresult_message(hr));
        bits_manager_close(mgr);
        return 1;
    }
    for (; i < argc; i += 2) {
        hr = bits_job_add_file(job, argv[i], argv[i + 1]);
        if (bits_failed(hr)) {
            fprintf(stderr, "%s -> %s: %s: %s\n", argv[i], argv[i + 1], bits_hresult_name(hr),
                    bits_hresult_message(hr));
            bits_job_cancel(job); /* or the job would stay in the store */
            bits_job_release(job);
            bits_manager_close(mgr);
            return 1;
        }
        printf("file %s -> %s\n", argv[i], argv[i + 1]);
    }

    bits_job_set_max_bandwidth(job, max_bandwidth); /* 0 = unlimited */
    uint32_t state = BITS_JOB_STATE_COUNT, last = BITS_JOB_STATE_COUNT;
    bits_job_get_state(job, &state);
    printf("state %s\n", state_name(state));
    hr = bits_job_resume(job);
    if (bits_failed(hr))
        fprintf(stderr, "resume: %s\n", bits_hresult_name(hr));
    double started = now();
    int code = 3;
    /* Poll every 200 ms. bits_job_get_state never blocks on the transfer. */
    while (now() - started < timeout) {
        bits_job_get_state(job, &state);
        int changed = state != last;
        if (changed) {
            printf("state %s\n", state_name(state));
            if (state == BG_JOB_STATE_TRANSIENT_ERROR || state == BG_JOB_STATE_ERROR)
                print_error(job);
            last = state;
        }
        print_progress(job, started, changed);
        if (state == BG_JOB_STATE_TRANSFERRED) {
            /* Complete: the temporary files become DEST, atomically each. */
            hr = bits_job_complete(job);
            bits_job_get_state(job, &state);
            printf("complete: %s\nstate %s\n", bits_hresult_name(hr), state_name(state));
            code = bits_succeeded(hr) ? 0 : 2;
            break;
        }
        if (state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_CANCELLED ||
            state == BG_JOB_STATE_ACKNOWLEDGED) {
            /* ERROR waits for a fix and Resume, or Cancel; this program gives up. */
            bits_job_cancel(job);
            code = 2;
            break;
        }
        sleep_ms(200);
    }
    if (code == 3) {
        if (keep) {
            char *text = NULL;
            bits_guid_to_string(&id, &text);
            printf("timed out in state %s; job %s stays in the store\n", state_name(state),
                   text ? text : "?");
            bits_free(text);
        } else {
            printf("timed out in state %s; cancelling the job\n", state_name(state));
            bits_job_cancel(job); /* deletes its temporary files */
        }
    }
    bits_job_release(job);
    bits_manager_close(mgr);
    return code;
}
