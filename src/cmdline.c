/* cmdline.c - the notify command line, run without a shell. */
#include "cmdline.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

char **cmdline_split(const char *params)
{
    size_t n = strlen(params);
    /* Worst case: every other byte starts a word. */
    size_t max_words = n / 2 + 2;
    char **argv = malloc(max_words * sizeof *argv + n + 1);
    if (!argv)
        return NULL;
    char *out = (char *)(argv + max_words);
    size_t words = 0;
    const char *p = params;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        argv[words++] = out;
        int quoted = 0;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '"') {
                quoted = !quoted;
                p++;
            } else if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
                *out++ = p[1];
                p += 2;
            } else {
                *out++ = *p++;
            }
        }
        *out++ = '\0';
        if (quoted) {
            free(argv);
            return NULL;
        }
    }
    argv[words] = NULL;
    return argv;
}

static void *reap(void *arg)
{
    pid_t pid = (pid_t)(intptr_t)arg;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    return NULL;
}

static int callback_takes(const bits_job *job)
{
    return job->cb || job->core->manager_cb;
}

void cmdline_notify_locked(bits_job *job, uint32_t kind)
{
    uint32_t flags = job->notify_flags;
    if (!job->notify_program || (flags & BG_NOTIFY_DISABLE) || !(flags & kind) ||
        callback_takes(job))
        return;
    char *fallback[2] = { job->notify_program, NULL };
    char **argv = job->notify_parameters ? cmdline_split(job->notify_parameters) : NULL;
    if (job->notify_parameters && (!argv || !argv[0])) {
        free(argv);
        return; /* nothing sensible to run */
    }
    pid_t pid;
    int rc = posix_spawn(&pid, job->notify_program, NULL, NULL, argv ? argv : fallback,
                         environ);
    free(argv);
    if (rc != 0)
        return;
    pthread_t reaper;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&reaper, &attr, reap, (void *)(intptr_t)pid) != 0)
        waitpid(pid, NULL, WNOHANG); /* best effort; a zombie is the worst case */
    pthread_attr_destroy(&attr);
}
