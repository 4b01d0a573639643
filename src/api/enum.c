/*
 * enum.c - the job and file enumerators (IEnumBackgroundCopyJobs/Files).
 *
 * Both are the same thing: a private snapshot array of referenced handles
 * and a position. One generic implementation serves both; the public
 * functions only adapt the types.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct snapshot_enum {
    void **items;
    uint32_t count;
    uint32_t pos;
    uint32_t (*ref)(void *item);
    uint32_t (*unref)(void *item);
} snapshot_enum;

/* The public types are the same object under two distinct tags, so a job
 * enumerator cannot be passed where a file enumerator is expected. */
struct bits_job_enum {
    snapshot_enum s;
};
struct bits_file_enum {
    snapshot_enum s;
};

static uint32_t job_ref(void *p) { return ob_job_ref(p); }
static uint32_t job_unref(void *p) { return ob_job_unref(p); }
static uint32_t file_ref(void *p) { return bits_file_add_ref(p); }
static uint32_t file_unref(void *p) { return bits_file_release(p); }

static bits_hresult se_next(snapshot_enum *s, uint32_t celt, void **out, uint32_t *out_fetched)
{
    if (!s || !out || (!out_fetched && celt != 1))
        return BITS_E_INVALIDARG;
    uint32_t n = 0;
    while (n < celt && s->pos < s->count) {
        void *item = s->items[s->pos++];
        s->ref(item);
        out[n++] = item;
    }
    if (out_fetched)
        *out_fetched = n;
    return n == celt ? BITS_S_OK : BITS_S_FALSE;
}

static bits_hresult se_skip(snapshot_enum *s, uint32_t celt)
{
    if (!s)
        return BITS_E_INVALIDARG;
    uint32_t left = s->count - s->pos;
    if (celt > left) {
        s->pos = s->count;
        return BITS_S_FALSE;
    }
    s->pos += celt;
    return BITS_S_OK;
}

static bits_hresult se_reset(snapshot_enum *s)
{
    if (!s)
        return BITS_E_INVALIDARG;
    s->pos = 0;
    return BITS_S_OK;
}

static bits_hresult se_get_count(snapshot_enum *s, uint32_t *out_count)
{
    if (!s || !out_count)
        return BITS_E_INVALIDARG;
    *out_count = s->count;
    return BITS_S_OK;
}

static void se_free(snapshot_enum *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->count; i++)
        s->unref(s->items[i]);
    free(s->items);
    free(s);
}

/* A new enumerator over @p count items, each referenced once more. */
static snapshot_enum *se_new(void *const *items, uint32_t count, uint32_t pos,
                             uint32_t (*ref)(void *), uint32_t (*unref)(void *))
{
    snapshot_enum *s = calloc(1, sizeof(struct bits_job_enum));
    if (!s)
        return NULL;
    s->items = malloc((count ? count : 1) * sizeof *s->items);
    if (!s->items) {
        free(s);
        return NULL;
    }
    for (uint32_t i = 0; i < count; i++) {
        s->items[i] = items[i];
        ref(items[i]);
    }
    s->count = count;
    s->pos = pos;
    s->ref = ref;
    s->unref = unref;
    return s;
}

static bits_hresult se_clone(snapshot_enum *s, snapshot_enum **out_clone)
{
    if (!s || !out_clone)
        return BITS_E_INVALIDARG;
    snapshot_enum *c = se_new(s->items, s->count, s->pos, s->ref, s->unref);
    if (!c)
        return BITS_E_OUTOFMEMORY;
    *out_clone = c;
    return BITS_S_OK;
}

/* ---- jobs ------------------------------------------------------------------ */

BITS_API bits_hresult bits_manager_enum_jobs(bits_manager *manager, uint32_t flags,
                                             bits_job_enum **out_enum)
{
    if (!manager || !out_enum)
        return BITS_E_INVALIDARG;
    if (flags & ~BG_JOB_ENUM_ALL_USERS)
        return BITS_E_NOTIMPL;
    int all_users = (flags & BG_JOB_ENUM_ALL_USERS) != 0;
    if (all_users && geteuid() != 0)
        return BITS_E_ACCESSDENIED;

    bits_job **jobs = NULL;
    uint32_t count = 0;
    ob_queue_lock(manager->q);
    bits_hresult hr = ob_queue_snapshot_locked(manager->q, all_users, &jobs, &count);
    ob_queue_unlock(manager->q);
    if (hr < 0)
        return hr;
    snapshot_enum *s = se_new((void *const *)jobs, count, 0, job_ref, job_unref);
    for (uint32_t i = 0; i < count; i++)
        ob_job_unref(jobs[i]); /* se_new took its own references */
    free(jobs);
    if (!s)
        return BITS_E_OUTOFMEMORY;
    *out_enum = (bits_job_enum *)s;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_enum_next(bits_job_enum *e, uint32_t celt, bits_job **out_array,
                                         uint32_t *out_fetched)
{
    return se_next((snapshot_enum *)e, celt, (void **)out_array, out_fetched);
}

BITS_API bits_hresult bits_job_enum_skip(bits_job_enum *e, uint32_t celt)
{
    return se_skip((snapshot_enum *)e, celt);
}

BITS_API bits_hresult bits_job_enum_reset(bits_job_enum *e)
{
    return se_reset((snapshot_enum *)e);
}

BITS_API bits_hresult bits_job_enum_clone(bits_job_enum *e, bits_job_enum **out_clone)
{
    return se_clone((snapshot_enum *)e, (snapshot_enum **)out_clone);
}

BITS_API bits_hresult bits_job_enum_get_count(bits_job_enum *e, uint32_t *out_count)
{
    return se_get_count((snapshot_enum *)e, out_count);
}

BITS_API void bits_job_enum_free(bits_job_enum *e)
{
    se_free((snapshot_enum *)e);
}

/* ---- files ----------------------------------------------------------------- */

BITS_API bits_hresult bits_job_enum_files(bits_job *job, bits_file_enum **out_enum)
{
    if (!job || !out_enum)
        return BITS_E_INVALIDARG;
    ob_queue_lock(job->queue);
    snapshot_enum *s = se_new((void *const *)job->files, job->nfiles, 0, file_ref, file_unref);
    ob_queue_unlock(job->queue);
    if (!s)
        return BITS_E_OUTOFMEMORY;
    *out_enum = (bits_file_enum *)s;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_file_enum_next(bits_file_enum *e, uint32_t celt, bits_file **out_array,
                                          uint32_t *out_fetched)
{
    return se_next((snapshot_enum *)e, celt, (void **)out_array, out_fetched);
}

BITS_API bits_hresult bits_file_enum_skip(bits_file_enum *e, uint32_t celt)
{
    return se_skip((snapshot_enum *)e, celt);
}

BITS_API bits_hresult bits_file_enum_reset(bits_file_enum *e)
{
    return se_reset((snapshot_enum *)e);
}

BITS_API bits_hresult bits_file_enum_clone(bits_file_enum *e, bits_file_enum **out_clone)
{
    return se_clone((snapshot_enum *)e, (snapshot_enum **)out_clone);
}

BITS_API bits_hresult bits_file_enum_get_count(bits_file_enum *e, uint32_t *out_count)
{
    return se_get_count((snapshot_enum *)e, out_count);
}

BITS_API void bits_file_enum_free(bits_file_enum *e)
{
    se_free((snapshot_enum *)e);
}
