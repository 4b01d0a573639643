/* job.c - jobs and their files as data: creation, references, facts. */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"

static void file_free(bits_file *file)
{
    if (!file)
        return;
    free(file->remote_name);
    free(file->local_name);
    free(file->temp_name);
    free(file->etag);
    free(file->last_modified);
    free(file);
}

bits_job *ob_job_new(const bits_guid *id, uint32_t type)
{
    bits_job *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    ob_props_init(&job->props);
    job->props.display_name = strdup("");
    job->props.description = strdup("");
    if (!job->props.display_name || !job->props.description) {
        ob_props_free(&job->props);
        free(job);
        return NULL;
    }
    atomic_init(&job->refs, 1);
    job->id = *id;
    job->type = type;
    atomic_init(&job->state, BG_JOB_STATE_SUSPENDED);
    job->owner_uid = geteuid();
    job->error.file_index = -1;
    job->creation_time = job->modification_time = ob_now_us();
    return job;
}

uint32_t ob_job_ref(bits_job *job)
{
    return atomic_fetch_add(&job->refs, 1) + 1;
}

uint32_t ob_job_unref(bits_job *job)
{
    uint32_t left = atomic_fetch_sub(&job->refs, 1) - 1;
    if (left)
        return left;
    for (uint32_t i = 0; i < job->nfiles; i++)
        file_free(job->files[i]);
    free(job->files);
    ob_props_free(&job->props);
    ob_job_error_clear(&job->error);
    ob_queue *q = job->queue;
    free(job);
    if (q)
        ob_queue_unref(q);
    return 0;
}

void ob_job_error_clear(ob_job_error *err)
{
    free(err->detail);
    free(err->protocol);
    memset(err, 0, sizeof *err);
    err->file_index = -1;
}

uint32_t ob_job_conditions(const bits_job *job)
{
    uint32_t cond = 0;
    if (job->nfiles)
        cond |= OB_COND_HAS_FILES;
    for (uint32_t i = job->files_done_hint; i < job->nfiles; i++) {
        if (!job->files[i]->transferred) {
            cond |= OB_COND_HAS_PENDING;
            break;
        }
    }
    return cond;
}

int ob_job_inactive(const bits_job *job, int64_t now_us)
{
    return now_us - job->modification_time > OB_INACTIVITY_US;
}

uint64_t ob_job_bytes(const bits_job *job)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < job->nfiles; i++)
        sum += job->files[i]->bytes_transferred;
    return sum;
}

static bits_file *file_new(bits_job *job, uint32_t index, const bits_file_info *info)
{
    bits_file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->job = job;
    f->index = index;
    f->remote_name = strdup(info->remote_name);
    f->local_name = strdup(info->local_name);
    f->bytes_total = BG_SIZE_UNKNOWN;
    if (!f->remote_name || !f->local_name) {
        file_free(f);
        return NULL;
    }
    return f;
}

bits_hresult ob_job_append_files(bits_job *job, uint32_t count, const bits_file_info *files)
{
    if (count > UINT32_MAX - job->nfiles)
        return BG_E_TOO_MANY_FILES_IN_JOB;
    if (job->nfiles + count > job->cap_files) {
        uint32_t cap = job->cap_files ? job->cap_files : 4;
        while (cap < job->nfiles + count)
            cap *= 2;
        bits_file **grown = realloc(job->files, cap * sizeof *grown);
        if (!grown)
            return BITS_E_OUTOFMEMORY;
        job->files = grown;
        job->cap_files = cap;
    }
    /* Build every file before publishing any: all or nothing. */
    for (uint32_t i = 0; i < count; i++) {
        bits_file *f = file_new(job, job->nfiles + i, &files[i]);
        if (!f) {
            for (uint32_t j = 0; j < i; j++)
                file_free(job->files[job->nfiles + j]);
            return BITS_E_OUTOFMEMORY;
        }
        job->files[job->nfiles + i] = f;
    }
    job->nfiles += count;
    return BITS_S_OK;
}

void ob_file_reset_progress(bits_file *file)
{
    file->bytes_transferred = 0;
    file->saved_bytes = 0;
    file->bytes_total = BG_SIZE_UNKNOWN;
    free(file->etag);
    free(file->last_modified);
    file->etag = file->last_modified = NULL;
}
