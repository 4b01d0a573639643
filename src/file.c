/* file.c - file handles: names, progress, the public getters. */
#include "files.h"

#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "validate.h"

/* A file belongs to its job; a reference to the file is a reference to the
 * job, so a file handle keeps the job (and the file) alive. */
BITS_API uint32_t bits_file_add_ref(bits_file *file)
{
    return file ? bits_job_add_ref(file->job) : 0;
}

BITS_API uint32_t bits_file_release(bits_file *file)
{
    return file ? bits_job_release(file->job) : 0;
}

void file_free(bits_file *file)
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

static bits_hresult append_files(bits_job *job, uint32_t count, const bits_file_info *files)
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

bits_hresult files_append_locked(bits_job *job, uint32_t count, const bits_file_info *files)
{
    uint32_t limit = job->core->limits[BITS_LIMIT_FILES_PER_JOB];
    if (limit && (job->nfiles >= limit || count > limit - job->nfiles))
        return BG_E_TOO_MANY_FILES_IN_JOB;
    return append_files(job, count, files);
}

bits_hresult files_append_unchecked_locked(bits_job *job, const bits_file_info *info)
{
    return append_files(job, 1, info);
}

/* Reads one string field of @p file under the job's lock. */
static bits_hresult get_file_string(bits_file *file, char *const *field, char **out)
{
    if (!file || !out)
        return BITS_E_INVALIDARG;
    core_lock(file->job->core);
    bits_hresult hr = copy_out_string(*field, out);
    core_unlock(file->job->core);
    return hr;
}

BITS_API bits_hresult bits_file_get_remote_name(bits_file *file, char **out_name)
{
    return get_file_string(file, file ? &file->remote_name : NULL, out_name);
}

BITS_API bits_hresult bits_file_get_local_name(bits_file *file, char **out_name)
{
    return get_file_string(file, file ? &file->local_name : NULL, out_name);
}

BITS_API bits_hresult bits_file_get_temporary_name(bits_file *file, char **out_name)
{
    bits_hresult hr = get_file_string(file, file ? &file->temp_name : NULL, out_name);
    return hr >= 0 && !*out_name ? BITS_S_FALSE : hr;
}

BITS_API bits_hresult bits_file_set_remote_name(bits_file *file, const char *remote_url)
{
    if (!file)
        return BITS_E_INVALIDARG;
    bits_hresult hr = validate_remote_name(remote_url);
    if (hr < 0)
        return hr;
    bits_job *job = file->job;
    hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    if (file->transferred)
        hr = BG_E_INVALID_STATE; /* nothing left to fetch from a new source */
    else
        hr = replace_string(&file->remote_name, remote_url);
    if (hr >= 0 && job->files_saved > file->index)
        job->files_saved = file->index; /* the job's save rewrites this file's row */
    return job_end_mutation(job, hr >= 0, hr);
}

#define FILE_PROGRESS_V1_SIZE sizeof(bits_file_progress)

BITS_API bits_hresult bits_file_get_progress(bits_file *file, bits_file_progress *out_progress)
{
    if (!file || !out_progress || out_progress->struct_size < FILE_PROGRESS_V1_SIZE)
        return BITS_E_INVALIDARG;
    core_lock(file->job->core);
    out_progress->bytes_total = file->bytes_total;
    out_progress->bytes_transferred = file->bytes_transferred;
    out_progress->completed = (uint32_t)file->completed;
    core_unlock(file->job->core);
    return BITS_S_OK;
}
