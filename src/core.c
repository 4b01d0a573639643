/* core.c - the shared core of a manager: reference count, lock, helpers. */
#include "core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "validate.h"

bits_core *core_new(void)
{
    bits_core *core = calloc(1, sizeof *core);
    if (!core)
        return NULL;
    atomic_init(&core->refs, 1);
    if (pthread_mutex_init(&core->lock, NULL) != 0) {
        free(core);
        return NULL;
    }
    core->owner_uid = getuid();
    core->engine_lock_fd = -1;
    /* BITS defaults, with the per-store job limit of design 3.2. */
    core->limits[BITS_LIMIT_JOBS] = 300;
    core->limits[BITS_LIMIT_FILES_PER_JOB] = 200;
    core->limits[BITS_LIMIT_RANGES_PER_FILE] = 500;
    core->limits[BITS_LIMIT_TIME_SLICE_MS] = 60000;
    core->limits[BITS_LIMIT_STALL_TIMEOUT] = 60;
    return core;
}

void core_ref(bits_core *core)
{
    atomic_fetch_add(&core->refs, 1);
}

void core_unref(bits_core *core)
{
    if (!core || atomic_fetch_sub(&core->refs, 1) != 1)
        return;
    /* Last reference: the manager is closed and no handle remains, so the
     * queue is empty and the notifier stopped. */
    free(core->jobs);
    free(core->store_dir);
    pthread_mutex_destroy(&core->lock);
    free(core);
}

void core_lock(bits_core *core)
{
    pthread_mutex_lock(&core->lock);
}

void core_unlock(bits_core *core)
{
    pthread_mutex_unlock(&core->lock);
}

int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t mono_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

struct timespec mono_deadline_ms(int64_t ms)
{
    int64_t us = mono_now_us() + ms * 1000;
    struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };
    return ts;
}

char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

bits_hresult copy_out_string(const char *src, char **out)
{
    char *copy = xstrdup(src);
    if (src && !copy)
        return BITS_E_OUTOFMEMORY;
    *out = copy;
    return BITS_S_OK;
}

bits_hresult replace_string(char **slot, const char *value)
{
    char *copy = xstrdup(value);
    if (value && !copy)
        return BITS_E_OUTOFMEMORY;
    free(*slot);
    *slot = copy;
    return BITS_S_OK;
}

bits_hresult hr_from_errno(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ELOOP: /* O_NOFOLLOW met a symlink where our own file should be */
        return BITS_E_ACCESSDENIED;
    case ENOENT:
    case ENOTDIR:
        return BITS_E_PATH_NOT_FOUND;
    case ENOSPC:
    case EDQUOT:
        return BITS_E_DISK_FULL;
    case ENOMEM:
        return BITS_E_OUTOFMEMORY;
    case ENAMETOOLONG:
        return BITS_E_INVALIDARG;
    default:
        return BITS_E_FAIL;
    }
}

/* ---- tiny public helpers ------------------------------------------------ */

BITS_API int32_t bits_succeeded(bits_hresult hr)
{
    return hr >= 0;
}

BITS_API int32_t bits_failed(bits_hresult hr)
{
    return hr < 0;
}

BITS_API void bits_free(void *ptr)
{
    free(ptr);
}
