/* cmdline.c - the notify command line, run without a shell. */
#include "events/events.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util/cmdline_split.h"

extern char **environ;

static void *reap(void *arg)
{
    pid_t pid = (pid_t)(intptr_t)arg;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    return NULL;
}

void ob_cmdline_run(const char *program, const char *parameters)
{
    char *fallback[2] = { (char *)program, NULL };
    char **argv = parameters ? ob_cmdline_split(parameters) : NULL;
    if (parameters && (!argv || !argv[0])) {
        free(argv);
        return; /* nothing sensible to run */
    }
    pid_t pid;
    int rc = posix_spawn(&pid, program, NULL, NULL, argv ? argv : fallback, environ);
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
