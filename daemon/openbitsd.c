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
 * moved or restored). Logs go to stderr (the journal under systemd). Meant
 * to run as a systemd user service (openbitsd.service).
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openbits/openbits.h>

static volatile sig_atomic_t stop_requested, reopen_requested;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reopen_requested = 1;
    else
        stop_requested = 1;
}

static bits_hresult open_store(const char *store, bits_manager **mgr)
{
    bits_hresult hr = bits_manager_open(store, 0, mgr);
    if (bits_failed(hr))
        fprintf(stderr, "openbitsd: cannot open the store %s: %s (0x%08X): %s\n",
                store ? store : "(default)", bits_hresult_name(hr), (unsigned)hr,
                bits_hresult_message(hr));
    return hr;
}

int main(int argc, char **argv)
{
    const char *store = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) {
            store = argv[++i];
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("openbitsd %s\n", bits_version_string());
            return 0;
        } else {
            fprintf(stderr, "usage: openbitsd [--store DIR] [--version]\n");
            return 2;
        }
    }
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
        pause();
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
