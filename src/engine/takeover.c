/*
 * takeover.c - which process runs a store's transfers: the one holding an
 * exclusive flock on <store>/engine.lock (design 5). The kernel releases
 * it when that process exits, however it exits, and the next process to
 * look takes over.
 */
#include "engine/plan.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

int ob_engine_lock_take(const char *store_dir)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/engine.lock", store_dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1; /* another process runs the engine */
    }
    return fd;
}

void ob_engine_lock_release(int fd)
{
    if (fd >= 0)
        close(fd);
}

void ob_takeover_locked(ob_queue *q, ob_plan *plan)
{
    for (uint32_t i = 0; i < q->njobs; i++) {
        bits_job *job = q->jobs[i];
        uint32_t s = atomic_load(&job->state);
        if (s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING ||
            s == BG_JOB_STATE_TRANSIENT_ERROR)
            ob_plan_add(plan, job, OB_EV_ENGINE_RESTARTED);
    }
}
