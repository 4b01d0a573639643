/*
 * job_props.c - the job's properties: one typed setter/getter pair each.
 *
 * Every setter goes through job_begin_mutation() (NULL and final-state
 * checks, lock) and job_end_mutation() (modification time, event, unlock);
 * plain fields share the generic field helpers below.
 */
#include "core.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "validate.h"

#define FIELD(job, offset, type) ((type *)((char *)(job) + (offset)))

static bits_hresult set_u32(bits_job *job, size_t offset, uint32_t value)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    *FIELD(job, offset, uint32_t) = value;
    return job_end_mutation(job, 1, BITS_S_OK);
}

static bits_hresult get_u32(bits_job *job, size_t offset, uint32_t *out)
{
    if (!job || !out)
        return BITS_E_INVALIDARG;
    core_lock(job->core);
    *out = *FIELD(job, offset, uint32_t);
    core_unlock(job->core);
    return BITS_S_OK;
}

static bits_hresult get_u64(bits_job *job, size_t offset, uint64_t *out)
{
    if (!job || !out)
        return BITS_E_INVALIDARG;
    core_lock(job->core);
    *out = *FIELD(job, offset, uint64_t);
    core_unlock(job->core);
    return BITS_S_OK;
}

/* A non-NULL string of at most @p limit code points. */
static bits_hresult set_string(bits_job *job, size_t offset, const char *value, uint32_t limit)
{
    bits_hresult hr = validate_string(value, limit, BG_E_STRING_TOO_LONG);
    if (hr < 0)
        return job ? hr : BITS_E_INVALIDARG;
    hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    hr = replace_string(FIELD(job, offset, char *), value);
    return job_end_mutation(job, hr >= 0, hr);
}

static bits_hresult get_string(bits_job *job, size_t offset, char **out)
{
    if (!job || !out)
        return BITS_E_INVALIDARG;
    core_lock(job->core);
    bits_hresult hr = copy_out_string(*FIELD(job, offset, char *), out);
    core_unlock(job->core);
    return hr;
}

/* ---- descriptive -------------------------------------------------------------- */

BITS_API bits_hresult bits_job_set_display_name(bits_job *job, const char *name)
{
    return set_string(job, offsetof(bits_job, display_name), name, LIMIT_DISPLAY_NAME);
}

BITS_API bits_hresult bits_job_get_display_name(bits_job *job, char **out_name)
{
    return get_string(job, offsetof(bits_job, display_name), out_name);
}

BITS_API bits_hresult bits_job_set_description(bits_job *job, const char *description)
{
    return set_string(job, offsetof(bits_job, description), description, LIMIT_DESCRIPTION);
}

BITS_API bits_hresult bits_job_get_description(bits_job *job, char **out_description)
{
    return get_string(job, offsetof(bits_job, description), out_description);
}

/* ---- scheduling ---------------------------------------------------------------- */

BITS_API bits_hresult bits_job_set_priority(bits_job *job, uint32_t priority)
{
    if (job && priority > BG_JOB_PRIORITY_LOW)
        return BITS_E_NOTIMPL;
    return set_u32(job, offsetof(bits_job, priority), priority);
}

BITS_API bits_hresult bits_job_get_priority(bits_job *job, uint32_t *out_priority)
{
    return get_u32(job, offsetof(bits_job, priority), out_priority);
}

/* BITS silently raises retry delays below 5 s (spec 2.2, slot 27). */
#define MIN_RETRY_DELAY_FLOOR 5u

BITS_API bits_hresult bits_job_set_minimum_retry_delay(bits_job *job, uint32_t seconds)
{
    if (seconds < MIN_RETRY_DELAY_FLOOR)
        seconds = MIN_RETRY_DELAY_FLOOR;
    return set_u32(job, offsetof(bits_job, min_retry_delay), seconds);
}

BITS_API bits_hresult bits_job_get_minimum_retry_delay(bits_job *job, uint32_t *out_seconds)
{
    return get_u32(job, offsetof(bits_job, min_retry_delay), out_seconds);
}

BITS_API bits_hresult bits_job_set_no_progress_timeout(bits_job *job, uint32_t seconds)
{
    return set_u32(job, offsetof(bits_job, no_progress_timeout), seconds);
}

BITS_API bits_hresult bits_job_get_no_progress_timeout(bits_job *job, uint32_t *out_seconds)
{
    return get_u32(job, offsetof(bits_job, no_progress_timeout), out_seconds);
}

BITS_API bits_hresult bits_job_set_maximum_download_time(bits_job *job, uint32_t seconds)
{
    return set_u32(job, offsetof(bits_job, max_download_time), seconds);
}

BITS_API bits_hresult bits_job_get_maximum_download_time(bits_job *job, uint32_t *out_seconds)
{
    return get_u32(job, offsetof(bits_job, max_download_time), out_seconds);
}

/* ---- notifications ---------------------------------------------------------------- */

#define NOTIFY_FLAGS_ALL                                                              \
    (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_DISABLE |            \
     BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED |                        \
     BG_NOTIFY_FILE_RANGES_TRANSFERRED)

BITS_API bits_hresult bits_job_set_notify_flags(bits_job *job, uint32_t flags)
{
    if (job && (flags & ~NOTIFY_FLAGS_ALL))
        return BITS_E_NOTIMPL;
    return set_u32(job, offsetof(bits_job, notify_flags), flags);
}

BITS_API bits_hresult bits_job_get_notify_flags(bits_job *job, uint32_t *out_flags)
{
    return get_u32(job, offsetof(bits_job, notify_flags), out_flags);
}

BITS_API bits_hresult bits_job_set_minimum_notification_interval(bits_job *job, uint32_t ms)
{
    return set_u32(job, offsetof(bits_job, min_notify_interval_ms), ms);
}

BITS_API bits_hresult bits_job_get_minimum_notification_interval(bits_job *job, uint32_t *out_ms)
{
    return get_u32(job, offsetof(bits_job, min_notify_interval_ms), out_ms);
}

BITS_API bits_hresult bits_job_set_event_callback(bits_job *job, bits_event_fn fn,
                                                  void *user_data)
{
    if (!job)
        return BITS_E_INVALIDARG;
    bits_core *core = job->core;
    core_lock(core);
    uint32_t state = atomic_load(&job->state);
    bits_hresult hr = BITS_S_OK;
    /* Removing is always allowed, so a binding can always let go of its
     * user_data; registering needs a live job. */
    if (fn && (core->closed || state_is_final(state)))
        hr = BG_E_INVALID_STATE;
    else if (fn)
        hr = notify_start_locked(core);
    if (hr >= 0) {
        job->cb = fn;
        job->cb_data = user_data;
        notify_wait_idle_locked(core, job);
        /* A late registration still hears about TRANSFERRED/ERROR once. */
        if (fn && state == BG_JOB_STATE_TRANSFERRED)
            notify_job_replay_locked(job, BITS_EVENT_JOB_TRANSFERRED);
        else if (fn && state == BG_JOB_STATE_ERROR)
            notify_job_replay_locked(job, BITS_EVENT_JOB_ERROR);
    }
    core_unlock(core);
    return hr;
}

BITS_API bits_hresult bits_job_set_notify_cmd_line(bits_job *job, const char *program,
                                                   const char *parameters)
{
    if (!job || (!program && parameters))
        return BITS_E_INVALIDARG;
    if (program) {
        if (program[0] != '/')
            return BITS_E_INVALIDARG; /* no PATH search, as in BITS */
        if (strlen(program) >= PATH_MAX)
            return BG_E_STRING_TOO_LONG;
        bits_hresult hr = validate_string(program, UINT32_MAX, BITS_E_INVALIDARG);
        if (hr >= 0 && parameters)
            hr = validate_string(parameters, LIMIT_NOTIFY_PARAMETERS, BG_E_STRING_TOO_LONG);
        if (hr < 0)
            return hr;
    }
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    char *old_program = job->notify_program;
    char *old_parameters = job->notify_parameters;
    job->notify_program = xstrdup(program);
    job->notify_parameters = xstrdup(parameters);
    if ((program && !job->notify_program) || (parameters && !job->notify_parameters)) {
        free(job->notify_program);
        free(job->notify_parameters);
        job->notify_program = old_program;
        job->notify_parameters = old_parameters;
        hr = BITS_E_OUTOFMEMORY;
    } else {
        free(old_program);
        free(old_parameters);
    }
    return job_end_mutation(job, hr >= 0, hr);
}

BITS_API bits_hresult bits_job_get_notify_cmd_line(bits_job *job, char **out_program,
                                                   char **out_parameters)
{
    if (!job || !out_program || !out_parameters)
        return BITS_E_INVALIDARG;
    char *program = NULL, *parameters = NULL;
    core_lock(job->core);
    bits_hresult hr = copy_out_string(job->notify_program, &program);
    if (hr >= 0)
        hr = copy_out_string(job->notify_parameters, &parameters);
    core_unlock(job->core);
    if (hr < 0) {
        free(program);
        return hr;
    }
    *out_program = program;
    *out_parameters = parameters;
    return BITS_S_OK;
}

/* ---- network ------------------------------------------------------------------------ */

BITS_API bits_hresult bits_job_set_proxy_settings(bits_job *job, uint32_t usage,
                                                  const char *proxy_list,
                                                  const char *bypass_list)
{
    if (!job)
        return BITS_E_INVALIDARG;
    if (usage > BG_JOB_PROXY_USAGE_AUTODETECT || usage == BG_JOB_PROXY_USAGE_AUTODETECT)
        return BITS_E_NOTIMPL; /* no WPAD on Linux */
    if (usage == BG_JOB_PROXY_USAGE_OVERRIDE) {
        if (!proxy_list)
            return BITS_E_INVALIDARG;
        bits_hresult hr = validate_proxy_list(proxy_list, BG_E_PROXY_LIST_TOO_LARGE);
        if (hr >= 0 && bypass_list)
            hr = validate_proxy_list(bypass_list, BG_E_PROXY_BYPASS_LIST_TOO_LARGE);
        if (hr < 0)
            return hr;
    } else if (proxy_list || bypass_list) {
        return BITS_E_INVALIDARG;
    }
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    char *list = xstrdup(proxy_list);
    char *bypass = xstrdup(bypass_list);
    if ((proxy_list && !list) || (bypass_list && !bypass)) {
        free(list);
        free(bypass);
        hr = BITS_E_OUTOFMEMORY;
    } else {
        free(job->proxy_list);
        free(job->bypass_list);
        job->proxy_usage = usage;
        job->proxy_list = list;
        job->bypass_list = bypass;
    }
    return job_end_mutation(job, hr >= 0, hr);
}

BITS_API bits_hresult bits_job_get_proxy_settings(bits_job *job, uint32_t *out_usage,
                                                  char **out_proxy_list,
                                                  char **out_bypass_list)
{
    if (!job || !out_usage || !out_proxy_list || !out_bypass_list)
        return BITS_E_INVALIDARG;
    char *list = NULL, *bypass = NULL;
    core_lock(job->core);
    uint32_t usage = job->proxy_usage;
    bits_hresult hr = copy_out_string(job->proxy_list, &list);
    if (hr >= 0)
        hr = copy_out_string(job->bypass_list, &bypass);
    core_unlock(job->core);
    if (hr < 0) {
        free(list);
        return hr;
    }
    *out_usage = usage;
    *out_proxy_list = list;
    *out_bypass_list = bypass;
    return BITS_S_OK;
}

/* Checks (target, scheme) and returns the slot, or an error code. */
static bits_hresult credential_slot(uint32_t target, uint32_t scheme, int *t, int *s)
{
    if (target < BG_AUTH_TARGET_SERVER || target > BG_AUTH_TARGET_PROXY)
        return BG_E_INVALID_AUTH_TARGET;
    if (scheme == BG_AUTH_SCHEME_PASSPORT)
        return BITS_E_NOTIMPL; /* Microsoft Passport has no Linux meaning */
    if (scheme < BG_AUTH_SCHEME_BASIC || scheme > BG_AUTH_SCHEME_NEGOTIATE)
        return BG_E_INVALID_AUTH_SCHEME;
    *t = (int)target - 1;
    *s = (int)scheme - 1;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_job_set_credentials(bits_job *job, uint32_t target, uint32_t scheme,
                                               const char *user_name, const char *password)
{
    int t, s;
    if (!job)
        return BITS_E_INVALIDARG;
    bits_hresult hr = credential_slot(target, scheme, &t, &s);
    if (hr < 0)
        return hr;
    int ambient_ok = scheme == BG_AUTH_SCHEME_NTLM || scheme == BG_AUTH_SCHEME_NEGOTIATE;
    if ((!user_name || !password) && !(ambient_ok && !user_name && !password))
        return BITS_E_INVALIDARG;
    if (user_name && (hr = validate_string(user_name, LIMIT_USER_NAME,
                                           BG_E_USERNAME_TOO_LARGE)) < 0)
        return hr;
    if (password && (hr = validate_string(password, LIMIT_PASSWORD,
                                          BG_E_PASSWORD_TOO_LARGE)) < 0)
        return hr;
    hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    job_credential *c = &job->creds[t][s];
    char *user = xstrdup(user_name);
    char *pass = xstrdup(password);
    if ((user_name && !user) || (password && !pass)) {
        free(user);
        free(pass);
        hr = BITS_E_OUTOFMEMORY;
    } else {
        free(c->user_name);
        free(c->password);
        c->set = 1;
        c->user_name = user;
        c->password = pass;
    }
    return job_end_mutation(job, hr >= 0, hr);
}

BITS_API bits_hresult bits_job_remove_credentials(bits_job *job, uint32_t target,
                                                  uint32_t scheme)
{
    int t, s;
    if (!job)
        return BITS_E_INVALIDARG;
    bits_hresult hr = credential_slot(target, scheme, &t, &s);
    if (hr < 0)
        return hr;
    hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    job_credential *c = &job->creds[t][s];
    int was_set = c->set;
    free(c->user_name);
    free(c->password);
    memset(c, 0, sizeof *c);
    return job_end_mutation(job, was_set, was_set ? BITS_S_OK : BITS_S_FALSE);
}

BITS_API bits_hresult bits_job_set_custom_headers(bits_job *job, const char *headers)
{
    if (!job)
        return BITS_E_INVALIDARG;
    if (headers) {
        bits_hresult hr = validate_custom_headers(headers);
        if (hr < 0)
            return hr;
    }
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    hr = replace_string(&job->custom_headers, headers);
    return job_end_mutation(job, hr >= 0, hr);
}

BITS_API bits_hresult bits_job_get_custom_headers(bits_job *job, char **out_headers)
{
    if (!job || !out_headers)
        return BITS_E_INVALIDARG;
    bits_hresult hr;
    core_lock(job->core);
    if (job->headers_write_only)
        hr = BITS_E_ACCESSDENIED;
    else if (!job->custom_headers)
        hr = BITS_S_FALSE;
    else
        hr = copy_out_string(job->custom_headers, out_headers);
    core_unlock(job->core);
    if (hr == BITS_S_FALSE)
        *out_headers = NULL;
    return hr;
}

BITS_API bits_hresult bits_job_make_custom_headers_write_only(bits_job *job)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    job->headers_write_only = 1;
    return job_end_mutation(job, 1, BITS_S_OK);
}

#define SSL_FLAGS_ALL                                                                  \
    (BG_SSL_ENABLE_CRL_CHECK | BG_SSL_IGNORE_CERT_CN_INVALID |                         \
     BG_SSL_IGNORE_CERT_DATE_INVALID | BG_SSL_IGNORE_UNKNOWN_CA |                      \
     BG_SSL_IGNORE_CERT_WRONG_USAGE)

BITS_API bits_hresult bits_job_set_security_flags(bits_job *job, uint32_t flags)
{
    uint32_t policy = flags & BG_HTTP_REDIRECT_POLICY_MASK;
    uint32_t known = SSL_FLAGS_ALL | BG_HTTP_REDIRECT_POLICY_MASK |
                     BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP;
    if (job && ((flags & ~known) || (policy != BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT &&
                                     policy != BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT &&
                                     policy != BG_HTTP_REDIRECT_POLICY_DISALLOW)))
        return BITS_E_NOTIMPL;
    return set_u32(job, offsetof(bits_job, security_flags), flags);
}

BITS_API bits_hresult bits_job_get_security_flags(bits_job *job, uint32_t *out_flags)
{
    return get_u32(job, offsetof(bits_job, security_flags), out_flags);
}

/* ---- content properties (frozen after the first Resume) --------------------------- */

BITS_API bits_hresult bits_job_set_dynamic_content(bits_job *job, uint32_t enable)
{
    if (job && enable > 1)
        return BITS_E_INVALIDARG;
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    if (job->resumed_once)
        hr = BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;
    else
        job->dynamic_content = enable;
    return job_end_mutation(job, hr >= 0, hr);
}

BITS_API bits_hresult bits_job_get_dynamic_content(bits_job *job, uint32_t *out_enable)
{
    return get_u32(job, offsetof(bits_job, dynamic_content), out_enable);
}

BITS_API bits_hresult bits_job_set_max_download_size(bits_job *job, uint64_t bytes)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    if (job->resumed_once)
        hr = BG_E_READ_ONLY_PROPERTY_AFTER_RESUME;
    else
        job->max_download_size = bytes;
    return job_end_mutation(job, hr >= 0, hr);
}

BITS_API bits_hresult bits_job_get_max_download_size(bits_job *job, uint64_t *out_bytes)
{
    return get_u64(job, offsetof(bits_job, max_download_size), out_bytes);
}

/* ---- transfer tuning ------------------------------------------------------------- */

#define MAX_FILES_IN_FLIGHT 64u

BITS_API bits_hresult bits_job_set_max_bandwidth(bits_job *job, uint64_t bytes_per_second)
{
    bits_hresult hr = job_begin_mutation(job);
    if (hr < 0)
        return hr;
    job->max_bandwidth = bytes_per_second;
    return job_end_mutation(job, 1, BITS_S_OK);
}

BITS_API bits_hresult bits_job_get_max_bandwidth(bits_job *job, uint64_t *out_bytes_per_second)
{
    return get_u64(job, offsetof(bits_job, max_bandwidth), out_bytes_per_second);
}

BITS_API bits_hresult bits_job_set_files_in_flight(bits_job *job, uint32_t count)
{
    if (count == 0 || count > MAX_FILES_IN_FLIGHT)
        return BITS_E_INVALIDARG;
    return set_u32(job, offsetof(bits_job, files_in_flight), count);
}

BITS_API bits_hresult bits_job_get_files_in_flight(bits_job *job, uint32_t *out_count)
{
    return get_u32(job, offsetof(bits_job, files_in_flight), out_count);
}
