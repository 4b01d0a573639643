/*
 * event_loop.c - a job's events in your own poll() loop, no library thread.
 *
 *   event_loop [--dir DEST_DIR] [SOURCE_FILE ...]
 *
 * copies each SOURCE_FILE (absolute paths; default /etc/passwd and
 * /etc/group) into DEST_DIR (default: a new directory under /tmp) as one
 * job, and waits for it in a poll() loop that could watch your own
 * descriptors too: the manager is opened with BITS_MANAGER_OPEN_EVENT_FD,
 * its descriptor (bits_manager_get_event_fd) is readable when an event is
 * due, and bits_manager_dispatch() runs the callbacks right here, on this
 * thread. Nothing needs a lock: no callback runs anywhere else.
 * (openbits/experimental.h: an extension of BITS that may still change.)
 *
 * Build:  cc event_loop.c $(pkg-config --cflags --libs openbits) -o event_loop
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openbits/experimental.h>
#include <openbits/openbits.h>

typedef struct progress {
    int files_done;
    int finished;         /* JOB_TRANSFERRED or JOB_ERROR came */
    uint32_t final_state;
} progress;

/* Runs inside bits_manager_dispatch(), on main's thread. */
static void on_event(const bits_event *ev, void *data)
{
    progress *p = data;
    if (ev->kind == BITS_EVENT_FILE_TRANSFERRED) {
        char *local = NULL;
        bits_file_get_local_name(ev->file, &local);
        printf("file done: %s\n", local ? local : "?");
        bits_free(local);
        p->files_done++;
    } else if (ev->kind == BITS_EVENT_JOB_TRANSFERRED || ev->kind == BITS_EVENT_JOB_ERROR) {
        p->finished = 1;
        p->final_state = ev->state;
    }
}

static int fail(const char *what, bits_hresult hr)
{
    fprintf(stderr, "event_loop: %s: %s (0x%08X)\n", what, bits_hresult_name(hr), (unsigned)hr);
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--dir") == 0) {
        dir = argv[2];
        first = 3;
    }
    char made[] = "/tmp/openbits-event-loop-XXXXXX";
    if (!dir && !(dir = mkdtemp(made)))
        return fprintf(stderr, "event_loop: mkdtemp: %s\n", strerror(errno)), 1;
    static const char *const defaults[] = { "/etc/passwd", "/etc/group" };
    const char *const *sources = first < argc ? (const char *const *)&argv[first] : defaults;
    int nsources = first < argc ? argc - first : 2;

    bits_manager *m;
    bits_hresult hr = bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY |
                                                  BITS_MANAGER_OPEN_EVENT_FD, &m);
    if (bits_failed(hr))
        return fail("bits_manager_open", hr);
    int32_t fd;
    bits_manager_get_event_fd(m, &fd);

    bits_guid id;
    bits_job *job;
    hr = bits_manager_create_job(m, "event loop", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    for (int i = 0; bits_succeeded(hr) && i < nsources; i++) {
        char url[PATH_MAX + 16], dest[PATH_MAX];
        const char *base = strrchr(sources[i], '/');
        snprintf(url, sizeof url, "file://%s", sources[i]);
        snprintf(dest, sizeof dest, "%s/%s", dir, base ? base + 1 : sources[i]);
        hr = bits_job_add_file(job, url, dest);
    }
    progress p = { 0 };
    if (bits_succeeded(hr))
        hr = bits_job_set_notify_flags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR |
                                                BG_NOTIFY_FILE_TRANSFERRED);
    if (bits_succeeded(hr))
        hr = bits_job_set_event_callback(job, on_event, &p);
    if (bits_succeeded(hr))
        hr = bits_job_resume(job);
    if (bits_failed(hr))
        return fail("setting up the job", hr);

    /* Your loop: here only the manager's descriptor and a 30 s limit. */
    for (int waited_ms = 0; !p.finished && waited_ms < 30000;) {
        struct pollfd fds[1] = { { fd, POLLIN, 0 } };
        int ready = poll(fds, 1, 200);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready > 0)
            bits_manager_dispatch(m, NULL);
        else
            waited_ms += 200;
    }
    int ok = p.finished && p.final_state == BG_JOB_STATE_TRANSFERRED && p.files_done == nsources;
    if (ok)
        ok = bits_succeeded(bits_job_complete(job));
    else
        bits_job_cancel(job);
    printf("%s: %d of %d files in %s\n", ok ? "done" : "failed", p.files_done, nsources, dir);
    bits_job_set_event_callback(job, NULL, NULL);
    bits_job_release(job);
    bits_manager_close(m);
    return ok ? 0 : 1;
}
