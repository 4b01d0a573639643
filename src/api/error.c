/* error_object.c - GetError: a copy of a job's last error. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/codes.h"
#include "util/strings.h"

struct bits_error {
    bits_job *job;          /* reference; for bits_error_get_file */
    uint32_t context;
    bits_hresult code;
    int32_t file_index;
    char *detail;
    char *protocol;
};

BITS_API bits_hresult bits_job_get_error(bits_job *job, bits_error **out_error)
{
    if (!job || !out_error)
        return BITS_E_INVALIDARG;
    bits_error *e = calloc(1, sizeof *e);
    if (!e)
        return BITS_E_OUTOFMEMORY;
    bits_hresult hr = BITS_S_OK;
    ob_queue_lock(job->queue);
    uint32_t state = atomic_load(&job->state);
    const ob_job_error *src = &job->error;
    if (!src->set || (state != BG_JOB_STATE_ERROR && state != BG_JOB_STATE_TRANSIENT_ERROR)) {
        hr = BG_E_ERROR_INFORMATION_UNAVAILABLE;
    } else {
        e->context = src->context;
        e->code = src->code;
        e->file_index = src->file_index;
        e->detail = ob_strdup(src->detail);
        e->protocol = ob_strdup(src->protocol);
        if ((src->detail && !e->detail) || (src->protocol && !e->protocol))
            hr = BITS_E_OUTOFMEMORY;
    }
    ob_queue_unlock(job->queue);
    if (hr < 0) {
        free(e->detail);
        free(e->protocol);
        free(e);
        *out_error = NULL;
        return hr;
    }
    ob_job_ref(job);
    e->job = job;
    *out_error = e;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_error_get_error(bits_error *error, uint32_t *out_context,
                                           bits_hresult *out_code)
{
    if (!error || !out_context || !out_code)
        return BITS_E_INVALIDARG;
    *out_context = error->context;
    *out_code = error->code;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_error_get_file(bits_error *error, bits_file **out_file)
{
    if (!error || !out_file)
        return BITS_E_INVALIDARG;
    bits_job *job = error->job;
    bits_file *file = NULL;
    ob_queue_lock(job->queue);
    if (error->file_index >= 0 && (uint32_t)error->file_index < job->nfiles)
        file = job->files[error->file_index];
    ob_queue_unlock(job->queue);
    *out_file = file;
    if (!file)
        return BG_E_FILE_NOT_AVAILABLE;
    ob_job_ref(file->job);
    return BITS_S_OK;
}

BITS_API bits_hresult bits_error_get_description(bits_error *error, char **out_text)
{
    if (!error || !out_text)
        return BITS_E_INVALIDARG;
    const char *message = ob_code_message(error->code);
    if (!error->detail)
        return ob_copy_out(message, out_text);
    size_t n = strlen(message) + strlen(error->detail) + 2;
    char *text = malloc(n);
    if (!text)
        return BITS_E_OUTOFMEMORY;
    snprintf(text, n, "%s %s", message, error->detail);
    *out_text = text;
    return BITS_S_OK;
}

/* The message codes BITS keeps for each context (spec 3.2). */
static bits_hresult context_message_code(uint32_t context)
{
    switch (context) {
    case BG_ERROR_CONTEXT_NONE: return BG_S_ERROR_CONTEXT_NONE;
    case BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER: return BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER;
    case BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION:
        return BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION;
    case BG_ERROR_CONTEXT_LOCAL_FILE: return BG_E_ERROR_CONTEXT_LOCAL_FILE;
    case BG_ERROR_CONTEXT_REMOTE_FILE: return BG_E_ERROR_CONTEXT_REMOTE_FILE;
    case BG_ERROR_CONTEXT_GENERAL_TRANSPORT: return BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT;
    case BG_ERROR_CONTEXT_REMOTE_APPLICATION: return BG_E_ERROR_CONTEXT_REMOTE_APPLICATION;
    case BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK:
        return BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK;
    default: return BG_E_ERROR_CONTEXT_UNKNOWN;
    }
}

BITS_API bits_hresult bits_error_get_context_description(bits_error *error, char **out_text)
{
    if (!error || !out_text)
        return BITS_E_INVALIDARG;
    return ob_copy_out(ob_code_message(context_message_code(error->context)), out_text);
}

BITS_API bits_hresult bits_error_get_protocol(bits_error *error, char **out_protocol)
{
    if (!error || !out_protocol)
        return BITS_E_INVALIDARG;
    if (!error->protocol) {
        *out_protocol = NULL;
        return BG_E_PROTOCOL_NOT_AVAILABLE;
    }
    return ob_copy_out(error->protocol, out_protocol);
}

BITS_API void bits_error_free(bits_error *error)
{
    if (!error)
        return;
    ob_job_unref(error->job);
    free(error->detail);
    free(error->protocol);
    free(error);
}
