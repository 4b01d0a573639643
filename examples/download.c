/*
 * download.c - download files as one BITS job, printing each state the
 * job passes through and its progress, then Complete it.
 *
 *   download [--store DIR] [--timeout SECONDS] [--max-bandwidth BYTES_PER_S]
 *            URL DEST [URL DEST ...]
 *
 * Without --store the job lives in the default store
 * ($XDG_STATE_HOME/openbits), so an interrupted download can be picked up
 * again by running the same command. Exit status: 0 transferred and
 * completed, 1 usage, 2 the job ended in ERROR, 3 timed out.
 *
 *   cc download.c $(pkg-config --cflags --libs openbits) -o download
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openbits/openbits.h>

static const char *state_names[] = { "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED",
                                     "ERROR", "TRANSIENT_ERROR", "TRANSFERRED",
                                     "ACKNOWLEDGED", "CANCELLED" };

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

static void print_progress(bits_job *job, double started)
{
    bits_job_progress p = { .struct_size = sizeof p };
    bits_job_get_progress(job, &p);
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

static void print_error(bits_job *job)
{
    bits_error *err;
    if (bits_job_get_error(job, &err) != BITS_S_OK)
        return;
    uint32_t context;
    bits_hresult code;
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
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc)
            break;
        if (strcmp(argv[i], "--store") == 0)
            store = argv[i + 1];
        else if (strcmp(argv[i], "--timeout") == 0)
            timeout = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--max-bandwidth") == 0)
            max_bandwidth = strtoull(argv[i + 1], NULL, 10);
    }
    if (i >= argc || (argc - i) % 2 != 0) {
        fprintf(stderr,
                "usage: %s [--store DIR] [--timeout S] [--max-bandwidth B/S] URL DEST ...\n",
                argv[0]);
        return 1;
    }

    bits_manager *mgr;
    bits_job *job;
    bits_guid id;
    bits_hresult hr = bits_manager_open(store, 0, &mgr);
    if (bits_succeeded(hr))
        hr = bits_manager_create_job(mgr, "download example", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (bits_failed(hr)) {
        fprintf(stderr, "%s: %s\n", bits_hresult_name(hr), bits_hresult_message(hr));
        return 1;
    }
    for (; i < argc; i += 2) {
        hr = bits_job_add_file(job, argv[i], argv[i + 1]);
        if (bits_failed(hr)) {
            fprintf(stderr, "%s -> %s: %s\n", argv[i], argv[i + 1], bits_hresult_name(hr));
            bits_job_cancel(job);
            return 1;
        }
        printf("file %s -> %s\n", argv[i], argv[i + 1]);
    }

    bits_job_set_max_bandwidth(job, max_bandwidth);
    uint32_t state = 99, last = 99;
    bits_job_get_state(job, &state);
    printf("state %s\n", state_names[state]);
    bits_job_resume(job);
    double started = now(), last_print = 0;
    int code = 3;
    while (now() - started < timeout) {
        bits_job_get_state(job, &state);
        if (state != last) {
            printf("state %s\n", state_names[state]);
            if (state == BG_JOB_STATE_TRANSIENT_ERROR || state == BG_JOB_STATE_ERROR)
                print_error(job);
            last = state;
        }
        if (now() - last_print >= 0.25 || state == BG_JOB_STATE_TRANSFERRED) {
            print_progress(job, started);
            last_print = now();
        }
        if (state == BG_JOB_STATE_TRANSFERRED) {
            hr = bits_job_complete(job);
            bits_job_get_state(job, &state);
            printf("complete: %s\nstate %s\n", bits_hresult_name(hr), state_names[state]);
            code = bits_succeeded(hr) ? 0 : 2;
            break;
        }
        if (state == BG_JOB_STATE_ERROR) {
            bits_job_cancel(job);
            code = 2;
            break;
        }
        sleep_ms(20);
    }
    if (code == 3)
        printf("timed out; the job stays in the store for the next run\n");
    bits_job_release(job);
    bits_manager_close(mgr);
    return code;
}
