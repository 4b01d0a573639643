/*
 * openbitsd - keeps the openbits transfer engine of a store running, so
 * jobs continue after the program that created them exits.
 *
 *   openbitsd [--store DIR]
 *
 * It opens the store (default $XDG_STATE_HOME/openbits) like any other
 * program; of all the processes that have the store open, the one holding
 * its engine lock transfers, and openbitsd is simply the one that stays.
 * SIGTERM or SIGINT close the store cleanly (transfers stop with their
 * bytes checkpointed); SIGHUP closes and reopens it (after a store was
 * moved or restored). Logs go to stderr (the journal under systemd): one
 * line when it starts, stops or reopens, and one per job that becomes
 * TRANSFERRED or ERROR (as the job's notify flags allow). Meant to run as
 * a systemd user service (openbitsd.service); docs/openbitsd.8 is its
 * manual.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openbits/experimental.h>
#include <openbits/openbits.h>

static volatile sig_atomic_t stop_requested, reopen_requested;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reopen_requested = 1;
    else
        stop_requested = 1;
}

/* Runs on the library's notification thread: one log line per event. */
static void log_event(const bits_event *ev, void *unused)
{
    (void)unused;
    bits_guid id;
    char *gid = NULL, *name = NULL;
    bits_job_get_id(ev->job, &id);
    bits_guid_to_string(&id, &gid);
    bits_job_get_display_name(ev->job, &name);
    if (ev->kind == BITS_EVENT_JOB_ERROR)
        fprintf(stderr, "openbitsd: job %s \"%s\": ERROR %s (0x%08X)\n", gid ? gid : "?",
                name ? name : "", bits_hresult_name(ev->error_code), (unsigned)ev->error_code);
    else if (ev->kind == BITS_EVENT_JOB_TRANSFERRED)
        fprintf(stderr, "openbitsd: job %s \"%s\": TRANSFERRED\n", gid ? gid : "?",
                name ? name : "");
    bits_free(gid);
    bits_free(name);
}

static bits_hresult open_store(const char *store, bits_manager **mgr)
{
    bits_hresult hr = bits_manager_open(store, BITS_MANAGER_OPEN_SERVE, mgr);
    if (bits_succeeded(hr))
        hr = bits_manager_set_event_callback(*mgr, log_event, NULL);
    if (bits_failed(hr))
        fprintf(stderr, "openbitsd: cannot open the store %s: %s (0x%08X): %s\n",
                store ? store : "(default)", bits_hresult_name(hr), (unsigned)hr,
                bits_hresult_message(hr));
    if (hr == BG_E_DATABASE_CORRUPT)
        fprintf(stderr, "openbitsd: the database is %s/openbits.db; it was left untouched\n",
                store ? store : "$XDG_STATE_HOME/openbits (default ~/.local/state/openbits)");
    return hr;
}

static const char usage[] = "usage: openbitsd [--store DIR] [--version] [--help]\n";

int main(int argc, char **argv)
{
    const char *store = NULL;
    char store_path[PATH_MAX];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) {
            store = argv[++i];
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("openbitsd %s\n", bits_version_string());
            return 0;
        } else if (strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    /* The library wants an absolute store path; --store may be relative. */
    if (store && store[0] != '/') {
        char cwd[PATH_MAX];
        int n = getcwd(cwd, sizeof cwd) ? snprintf(store_path, sizeof store_path, "%s/%s", cwd,
                                                   store)
                                        : -1;
        if (n < 0 || (size_t)n >= sizeof store_path) {
            fprintf(stderr, "openbitsd: cannot resolve the store path %s\n", store);
            return 1;
        }
        store = store_path;
    }
    /* The signals stay blocked except inside sigsuspend(), so one that
     * arrives between the checks and the wait is not lost. */
    sigset_t handled, during_wait;
    sigemptyset(&handled);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    sigprocmask(SIG_BLOCK, &handled, &during_wait);
    sigdelset(&during_wait, SIGTERM);
    sigdelset(&during_wait, SIGINT);
    sigdelset(&during_wait, SIGHUP);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    bits_manager *mgr;
    if (bits_failed(open_store(store, &mgr)))
        return 1;
    fprintf(stderr, "openbitsd %s: serving %s\n", bits_version_string(),
            store ? store : "the default store");
    /* The library's threads do the work; this one only waits for signals. */
    while (!stop_requested) {
        sigsuspend(&during_wait);
        if (reopen_requested && !stop_requested) {
            reopen_requested = 0;
            bits_manager_close(mgr);
            if (bits_failed(open_store(store, &mgr)))
                return 1;
            fprintf(stderr, "openbitsd: reopened the store\n");
        }
    }
    bits_manager_close(mgr);
    fprintf(stderr, "openbitsd: stopped\n");
    return 0;
}
