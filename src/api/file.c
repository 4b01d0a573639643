/* file.c - file handles: names, progress, the public getters. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "util/strings.h"
#include "util/validate.h"

/* A file belongs to its job; a reference to the file is a reference to the
 * job, so a file handle keeps the job (and the file) alive. */
BITS_API uint32_t bits_file_add_ref(bits_file *file)
{
    return file ? ob_job_ref(file->job) : 0;
}

BITS_API uint32_t bits_file_release(bits_file *file)
{
    return file ? ob_job_unref(file->job) : 0;
}

/* Reads one string field of @p file under the job's lock. */
static bits_hresult get_file_string(bits_file *file, char *const *field, char **out)
{
    if (!file || !out)
        return BITS_E_INVALIDARG;
    ob_queue_lock(file->job->queue);
    bits_hresult hr = ob_copy_out(*field, out);
    ob_queue_unlock(file->job->queue);
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
    bits_hresult hr = ob_validate_remote_name(remote_url);
    if (hr < 0)
        return hr;
    ob_change ch;
    ob_change_init(&ch, OB_EV_SET_PROPERTY, OB_ORIGIN_API);
    ch.file = file; /* refused once the file is transferred: nothing left to fetch */
    ch.file_remote_name = strdup(remote_url);
    if (!ch.file_remote_name)
        return BITS_E_OUTOFMEMORY;
    return ob_api_change(file->job, &ch);
}

#define FILE_PROGRESS_V1_SIZE sizeof(bits_file_progress)

BITS_API bits_hresult bits_file_get_progress(bits_file *file, bits_file_progress *out_progress)
{
    if (!file || !out_progress || out_progress->struct_size < FILE_PROGRESS_V1_SIZE)
        return BITS_E_INVALIDARG;
    ob_queue_lock(file->job->queue);
    out_progress->bytes_total = file->bytes_total;
    out_progress->bytes_transferred = file->bytes_transferred;
    out_progress->completed = (uint32_t)file->completed;
    ob_queue_unlock(file->job->queue);
    return BITS_S_OK;
}
