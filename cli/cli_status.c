/*
 * cli_status.c - who runs a store's transfers. Of the processes that have
 * a store open, the one holding the flock on <store>/engine.lock runs
 * them (docs/architecture.md); openbitsd holds it as long as it runs. The
 * kernel lists every flock with the pid that took it in /proc/locks, so
 * the owner is found there by the lock file's device and inode, without
 * touching the lock. Where /proc/locks cannot be read, a non-blocking
 * flock on a descriptor of our own tells whether it is held (released at
 * once), without naming the process.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

char *cli_store_dir(const cli *c)
{
    if (c->store) {
        char real[PATH_MAX];
        return realpath(c->store, real) ? strdup(real) : cli_absolute_path(c->store);
    }
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char buf[PATH_MAX];
    int n;
    if (xdg && xdg[0] == '/') /* as the library: a relative one is ignored */
        n = snprintf(buf, sizeof buf, "%s/openbits", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, sizeof buf, "%s/.local/state/openbits", home);
    else
        return NULL;
    return n < 0 || (size_t)n >= sizeof buf ? NULL : strdup(buf);
}

/* The command name of @p pid (its argv[0] without the directory). */
static void process_name(long pid, char *out, size_t n)
{
    char path[64], arg0[PATH_MAX];
    snprintf(out, n, "?");
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t len = fread(arg0, 1, sizeof arg0 - 1, f);
    fclose(f);
    arg0[len] = '\0';
    const char *base = strrchr(arg0, '/');
    base = base ? base + 1 : arg0;
    if (*base) {
        snprintf(out, n, "%s", base);
        cli_sanitize(out);
    }
}

/* The pid holding a flock on @p st's file, from /proc/locks: > 0, 0 for
 * none, -2 when /proc/locks cannot be read. Our own pid is skipped. */
static long flock_owner(const struct stat *st)
{
    FILE *f = fopen("/proc/locks", "r");
    if (!f)
        return -2;
    char line[256];
    long found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char type[16];
        long pid;
        unsigned maj, min;
        unsigned long long ino;
        /* "1: FLOCK  ADVISORY  WRITE 1234 fe:00:10986228 0 EOF"; waiters
         * ("1: -> FLOCK ...") do not match. */
        if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%llu", type, &pid, &maj, &min, &ino) != 5)
            continue;
        if (strcmp(type, "FLOCK") == 0 && ino == (unsigned long long)st->st_ino &&
            maj == major(st->st_dev) && min == minor(st->st_dev) && pid != (long)getpid())
            found = pid;
    }
    fclose(f);
    return found;
}

long cli_engine_owner(const cli *c, char *command, size_t n)
{
    snprintf(command, n, "?");
    char *dir = cli_store_dir(c);
    if (!dir)
        return 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/engine.lock", dir);
    free(dir);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* no process ever ran the store's transfers */
    long pid = flock_owner(&st);
    if (pid > 0) {
        process_name(pid, command, n);
        return pid;
    }
    if (pid == 0)
        return 0;
    /* No /proc/locks: try the lock ourselves (our own manager may hold
     * it: then this says "held" too). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    int held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd); /* releases it if we took it */
    return held ? -1 : 0;
}

void cli_note_unserved(cli *c, const char *job_text)
{
    char command[64];
    if (c->quiet || c->json || cli_engine_owner(c, command, sizeof command) != 0)
        return;
    char *dir = cli_store_dir(c);
    char *quoted = dir ? cli_shell_quote(dir) : NULL;
    char *job = cli_shell_quote(job_text);
    const char *store_opt = c->store ? " --store " : "";
    const char *store_arg = c->store && quoted ? quoted : "";
    fprintf(stderr,
            "openbits: queued; no process is serving the store, so the job waits until one does.\n"
            "  Start openbitsd:  %s%s%s\n"
            "  or stay with it:  openbits%s%s resume %s --wait\n",
            c->store ? "openbitsd --store " : "systemctl --user start openbitsd",
            c->store ? store_arg : "", c->store ? " &" : "   (or: openbitsd &)", store_opt,
            store_arg, job ? job : job_text);
    free(dir);
    free(quoted);
    free(job);
}

/* ---- status --------------------------------------------------------------------- */

int cli_cmd_status(cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    char command[64];
    long pid = cli_engine_owner(c, command, sizeof command);
    unsigned counts[BITS_JOB_STATE_COUNT] = { 0 }, total = 0;
    bits_job_enum *e;
    bits_hresult hr = bits_manager_enum_jobs(c->mgr, 0, &e);
    if (bits_failed(hr))
        return cli_fail("status", hr);
    bits_job *job;
    while (bits_job_enum_next(e, 1, &job, NULL) == BITS_S_OK) {
        uint32_t state = 0;
        bits_job_get_state(job, &state);
        if (state < BITS_JOB_STATE_COUNT)
            counts[state]++;
        total++;
        bits_job_release(job);
    }
    bits_job_enum_free(e);
    char *dir = cli_store_dir(c);
    if (c->json) {
        fputs("{\"store\": ", stdout);
        json_string(stdout, dir);
        if (pid > 0) {
            printf(", \"engine\": {\"pid\": %ld, \"command\": ", pid);
            json_string(stdout, command);
            fputs("}", stdout);
        } else {
            printf(", \"engine\": %s", pid < 0 ? "{\"pid\": null, \"command\": null}" : "null");
        }
        printf(", \"jobs\": %u, \"states\": {", total);
        for (uint32_t s = 0, first = 1; s < BITS_JOB_STATE_COUNT; s++) {
            if (counts[s]) {
                printf("%s\"%s\": %u", first ? "" : ", ", cli_state_name(s), counts[s]);
                first = 0;
            }
        }
        fputs("}}\n", stdout);
    } else {
        printf("store   %s\n", dir ? dir : "?");
        if (pid > 0)
            printf("engine  process %ld (%s) runs the store's transfers\n", pid, command);
        else if (pid < 0)
            printf("engine  another process runs the store's transfers\n");
        else
            printf("engine  none: no process is serving the store; queued jobs wait for "
                   "openbitsd (or openbits resume JOB --wait)\n");
        printf("jobs    %u", total);
        for (uint32_t s = 0, first = 1; s < BITS_JOB_STATE_COUNT; s++) {
            if (counts[s]) {
                printf("%s%s %u", first ? " (" : ", ", cli_state_name(s), counts[s]);
                first = 0;
            }
        }
        puts(total ? ")" : "");
    }
    free(dir);
    return EXIT_OK;
}
