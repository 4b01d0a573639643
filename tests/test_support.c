/* test_support.c - helpers shared by the C tests. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "test_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "openbits/codes.h"

char *ts_make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char templ[4096];
    snprintf(templ, sizeof templ, "%s/openbits-test-XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp(templ);
    assert_non_null(dir);
    char *copy = strdup(dir);
    assert_non_null(copy);
    return copy;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ts_remove_tree(char *path)
{
    if (path) {
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(path);
    }
}

char *ts_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *ts_repeat(const char *unit, size_t n)
{
    size_t len = strlen(unit);
    char *s = malloc(len * n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, unit, len);
    s[len * n] = '\0';
    return s;
}

void ts_assert_hr_equal(int32_t actual, int32_t expected, const char *expr, const char *file,
                        int line)
{
    if (actual != expected) {
        print_error("%s: got %s (0x%08X), expected %s (0x%08X)\n", expr,
                       bits_hresult_name(actual), (unsigned)actual, bits_hresult_name(expected),
                       (unsigned)expected);
        _fail(file, line);
    }
}

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint32_t state_of(bits_job *job)
{
    uint32_t s = 99;
    assert_hr_equal(bits_job_get_state(job, &s), BITS_S_OK);
    return s;
}

uint32_t wait_for(bits_job *job, uint32_t mask, double timeout_s)
{
    double end = now_s() + timeout_s;
    uint32_t s = state_of(job);
    while (!(mask & (1u << s)) && now_s() < end) {
        usleep(5000);
        s = state_of(job);
    }
    return s;
}

void wait_state(bits_job *job, uint32_t state, double timeout_s)
{
    assert_int_equal(wait_for(job, 1u << state, timeout_s), state);
}

/* The temporary files (.openbits-*) in @p dir: counted, or removed too. */
static int visit_temps(const char *dir, int remove)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, ".openbits-", 10) != 0)
            continue;
        n++;
        if (remove)
            assert_int_equal(unlinkat(dirfd(d), e->d_name, 0), 0);
    }
    closedir(d);
    return n;
}

int ts_count_temps(const char *dir)
{
    return visit_temps(dir, 0);
}

int ts_remove_temps(const char *dir)
{
    return visit_temps(dir, 1);
}

int ts_process_running(const char *needle, const char *also)
{
    DIR *d = opendir("/proc");
    int found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        char path[300], cmd[4096];
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, cmd, sizeof cmd - 1);
        close(fd);
        if (n <= 0)
            continue; /* a zombie, or a kernel thread */
        for (ssize_t i = 0; i < n - 1; i++)
            cmd[i] = cmd[i] ? cmd[i] : ' ';
        cmd[n] = '\0';
        found = strstr(cmd, needle) && (!also || strstr(cmd, also));
    }
    if (d)
        closedir(d);
    return found;
}

int ts_start_openbitsd(const char *store, const char *log)
{
    const char *daemon = getenv("OPENBITSD");
    if (!daemon)
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Dies with the test: a test killed by its timeout or a crash must
         * not leave a daemon serving a deleted store for ever. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        if (log) {
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(daemon, daemon, "--store", store, (char *)NULL);
        _exit(127);
    }
    char *lock = ts_path_join(store, "engine.lock");
    double until = now_s() + 30;
    for (;;) {
        int fd = open(lock, O_RDWR | O_CLOEXEC);
        int held = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0;
        if (fd >= 0)
            close(fd);
        if (held)
            break;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            fail_msg("openbitsd exited before it served %s", store);
        if (now_s() > until)
            fail_msg("openbitsd did not take %s within 30 s", lock);
        usleep(5000);
    }
    free(lock);
    return pid;
}

void ts_stop_openbitsd(int pid)
{
    int status = 0;
    kill(pid, SIGTERM);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}
