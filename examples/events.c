/*
 * events.c - wait for a job with an event callback instead of polling.
 *
 * The job copies local files (file:// URLs, so no network is needed):
 *
 *   events [--dir DEST_DIR] [SOURCE_FILE ...]
 *
 * copies each SOURCE_FILE (absolute paths; default /etc/passwd and
 * /etc/group) into DEST_DIR (default: a new directory under /tmp).
 *
 * What it shows (the contract is in openbits/event.h and docs/threading.md):
 * - choosing events with the job's notify flags;
 * - the callback runs on the library's notification thread, never on the
 *   caller's, one call at a time and with no library lock held, so it may
 *   call openbits functions (here bits_job_get_progress and
 *   bits_file_get_local_name) but must protect its own data;
 * - removing the callback (NULL) waits for a running call to return, after
 *   which its user_data may be freed.
 *
 * Build:  cc events.c $(pkg-config --cflags --libs openbits) -pthread -o events
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openbits/openbits.h>

/* Shared between main() and the callback: guarded by its own mutex. */
struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int done;            /* JOB_TRANSFERRED or JOB_ERROR seen */
    uint32_t last_kind;  /* the event that ended the wait */
    unsigned files_done; /* FILE_TRANSFERRED events */
    unsigned modifications;
};

static const char *state_name(uint32_t state)
{
    static const char *const names[] = { "QUEUED", "CONNECTING", "TRANSFERRING",
                                         "SUSPENDED", "ERROR", "TRANSIENT_ERROR",
                                         "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED" };
    return state < BITS_JOB_STATE_COUNT ? names[state] : "(unknown)";
}

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case BITS_EVENT_JOB_TRANSFERRED: return "JOB_TRANSFERRED";
    case BITS_EVENT_JOB_ERROR: return "JOB_ERROR";
    case BITS_EVENT_JOB_MODIFICATION: return "JOB_MODIFICATION";
    case BITS_EVENT_FILE_TRANSFERRED: return "FILE_TRANSFERRED";
    default: return "(unknown)";
    }
}

/* Runs on the notification thread. Everything in *ev is borrowed. */
static void on_event(const bits_event *ev, void *user_data)
{
    struct waiter *w = user_data;

    if (ev->kind == BITS_EVENT_FILE_TRANSFERRED) {
        char *local = NULL;
        bits_file_get_local_name(ev->file, &local); /* calling back in is allowed */
        printf("  event FILE_TRANSFERRED: %s\n", local ? local : "?");
        bits_free(local);
    } else if (ev->kind == BITS_EVENT_JOB_MODIFICATION) {
        /* Each state change, plus progress coalesced to at most one per
         * minimum notification interval (500 ms by default). */
        bits_job_progress p = { .struct_size = sizeof p };
        bits_job_get_progress(ev->job, &p);
        printf("  event JOB_MODIFICATION: state %s, %u/%u files\n", state_name(ev->state),
               p.files_transferred, p.files_total);
    } else {
        printf("  event %s (%s)\n", kind_name(ev->kind),
               ev->kind == BITS_EVENT_JOB_ERROR ? bits_hresult_name(ev->error_code) : "ok");
    }
    fflush(stdout);

    pthread_mutex_lock(&w->lock);
    if (ev->kind == BITS_EVENT_FILE_TRANSFERRED)
        w->files_done++;
    else if (ev->kind == BITS_EVENT_JOB_MODIFICATION)
        w->modifications++;
    else {
        w->done = 1;
        w->last_kind = ev->kind;
        pthread_cond_signal(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
}

int main(int argc, char **argv)
{
    /* Destination: --dir DIR, else a new directory under /tmp. */
    char tmpdir[] = "/tmp/openbits-events-XXXXXX";
    const char *dir = tmpdir;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--dir") == 0) {
        dir = argv[2];
        first = 3;
    } else if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    /* Sources: the arguments, else two files every Linux system has. */
    const char *fallback[] = { "/etc/passwd", "/etc/group" };
    const char **sources = argc > first ? (const char **)(argv + first) : fallback;
    int nsources = argc > first ? argc - first : 2;

    bits_manager *mgr;
    bits_job *job;
    bits_guid id;
    bits_hresult hr = bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &mgr);
    if (bits_succeeded(hr))
        hr = bits_manager_create_job(mgr, "events example", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (bits_failed(hr)) {
        fprintf(stderr, "%s: %s\n", bits_hresult_name(hr), bits_hresult_message(hr));
        return 1;
    }

    for (int i = 0; i < nsources; i++) {
        char url[PATH_MAX + 16], dest[PATH_MAX];
        const char *base = strrchr(sources[i], '/');
        snprintf(url, sizeof url, "file://%s", sources[i]);
        snprintf(dest, sizeof dest, "%s/%d-%s", dir, i, base ? base + 1 : sources[i]);
        hr = bits_job_add_file(job, url, dest);
        if (bits_failed(hr)) {
            fprintf(stderr, "%s: %s\n", sources[i], bits_hresult_name(hr));
            bits_job_cancel(job);
            return 1;
        }
    }

    /* Ask for every event kind (the default is JOB_TRANSFERRED | JOB_ERROR). */
    struct waiter w = { .done = 0 };
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.changed, NULL);
    bits_job_set_notify_flags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR |
                                       BG_NOTIFY_FILE_TRANSFERRED | BG_NOTIFY_JOB_MODIFICATION);
    bits_job_set_event_callback(job, on_event, &w);

    printf("copying %d file(s) into %s\n", nsources, dir);
    bits_job_resume(job);

    /* Sleep until the callback says the job is done (at most 30 s). */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 30;
    pthread_mutex_lock(&w.lock);
    int rc = 0;
    while (!w.done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&w.changed, &w.lock, &deadline);
    int done = w.done;
    uint32_t kind = w.last_kind;
    unsigned files_done = w.files_done;
    pthread_mutex_unlock(&w.lock);

    /* Unregister before `w` goes away: returns once no call is running. */
    bits_job_set_event_callback(job, NULL, NULL);
    pthread_cond_destroy(&w.changed);
    pthread_mutex_destroy(&w.lock);

    int status;
    if (done && kind == BITS_EVENT_JOB_TRANSFERRED) {
        hr = bits_job_complete(job); /* the files appear under their names */
        printf("%u file event(s); Complete: %s; the copies are in %s\n", files_done,
               bits_hresult_name(hr), dir);
        status = bits_succeeded(hr) ? 0 : 1;
    } else {
        printf("%s\n", done ? "the job failed" : "timed out");
        bits_job_cancel(job); /* deletes the temporary files */
        status = 1;
    }
    bits_job_release(job);
    bits_manager_close(mgr);
    return status;
}
