/*
 * job_props.c - the job's properties: one typed setter/getter pair each.
 *
 * A setter checks its argument, puts the new value in a patch and hands
 * it to the queue as a SET_PROPERTY change: stored (its own column only)
 * before memory has it, refused in a final state (BG_E_INVALID_STATE),
 * announced as JOB_MODIFICATION. A getter reads memory under the queue
 * lock, which is never held across a store transaction.
 */
#include "api/api.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/strings.h"
#include "util/validate.h"

#define FIELD(job, offset, type) ((type *)((char *)&(job)->props + (offset)))

/* Stores @p patch (owned) as a property change of @p job. */
static bits_hresult set_patch(bits_job *job, ob_patch *patch, int needs_not_resumed)
{
    ob_change ch;
    ob_change_init(&ch, OB_EV_SET_PROPERTY, OB_ORIGIN_API);
    ch.patch = *patch;
    ch.needs_not_resumed = needs_not_resumed;
    return ob_api_change(job, &ch);
}

static bits_hresult set_u32(bits_job *job, ob_prop prop, uint32_t value)
{
    if (!job)
        return BITS_E_INVALIDARG;
    ob_patch p = { 0 };
    ob_patch_set_u32(&p, prop, value);
    return set_patch(job, &p, 0);
}

static bits_hresult get_u32(bits_job *job, ob_prop prop, uint32_t *out)
{
    if (!job || !out)
        return BITS_E_INVALIDARG;
    ob_queue_lock(job->queue);
    *out = *FIELD(job, ob_prop_describe(prop)->offset, uint32_t);
    ob_queue_unlock(job->queue);
    return BITS_S_OK;
}

static bits_hresult get_u64(bits_job *job, ob_prop prop, uint64_t *out)
{
    if (!job || !out)
        return BITS_E_INVALIDARG;
    ob_queue_lock(job->queue);
    *out = *FIELD(job, ob_prop_describe(prop)->offset, uint64_t);
    ob_queue_unlock(job->queue);
    return BITS_S_OK;
}

/* A non-NULL string of at most @p limit code points. */
static bits_hresult set_string(bits_job *job, ob_prop prop, const char *value, uint32_t limit)
{
    bits_hresult hr = ob_validate_string(value, limit, BG_E_STRING_TOO_LONG);
    if (hr < 0 || !job)
        return job ? hr : BITS_E_INVALIDARG;
    ob_patch p = { 0 };
    if (ob_patch_set_str(&p, prop, value) < 0)
        return BITS_E_OUTOFMEMORY;
    return set_patch(job, &p, 0);
}

static bits_hresult get_string(bits_job *job, ob_prop prop, char **out)
{
    if (!job || !out)
        return BITS_E_INVALIDARG;
    ob_queue_lock(job->queue);
    bits_hresult hr = ob_copy_out(*FIELD(job, ob_prop_describe(prop)->offset, char *), out);
    ob_queue_unlock(job->queue);
    return hr;
}

/* ---- descriptive -------------------------------------------------------------- */

BITS_API bits_hresult bits_job_set_display_name(bits_job *job, const char *name)
{
    return set_string(job, OB_PROP_DISPLAY_NAME, name, OB_LIMIT_DISPLAY_NAME);
}

BITS_API bits_hresult bits_job_get_display_name(bits_job *job, char **out_name)
{
    return get_string(job, OB_PROP_DISPLAY_NAME, out_name);
}

BITS_API bits_hresult bits_job_set_description(bits_job *job, const char *description)
{
    return set_string(job, OB_PROP_DESCRIPTION, description, OB_LIMIT_DESCRIPTION);
}

BITS_API bits_hresult bits_job_get_description(bits_job *job, char **out_description)
{
    return get_string(job, OB_PROP_DESCRIPTION, out_description);
}

/* ---- scheduling ---------------------------------------------------------------- */

BITS_API bits_hresult bits_job_set_priority(bits_job *job, uint32_t priority)
{
    if (job && priority > BG_JOB_PRIORITY_LOW)
        return BITS_E_NOTIMPL;
    return set_u32(job, OB_PROP_PRIORITY, priority);
}

BITS_API bits_hresult bits_job_get_priority(bits_job *job, uint32_t *out_priority)
{
    return get_u32(job, OB_PROP_PRIORITY, out_priority);
}

/* BITS silently raises retry delays below 5 s (spec 2.2, slot 27). */
#define MIN_RETRY_DELAY_FLOOR 5u

BITS_API bits_hresult bits_job_set_minimum_retry_delay(bits_job *job, uint32_t seconds)
{
    if (seconds < MIN_RETRY_DELAY_FLOOR)
        seconds = MIN_RETRY_DELAY_FLOOR;
    return set_u32(job, OB_PROP_MIN_RETRY_DELAY, seconds);
}

BITS_API bits_hresult bits_job_get_minimum_retry_delay(bits_job *job, uint32_t *out_seconds)
{
    return get_u32(job, OB_PROP_MIN_RETRY_DELAY, out_seconds);
}

BITS_API bits_hresult bits_job_set_no_progress_timeout(bits_job *job, uint32_t seconds)
{
    return set_u32(job, OB_PROP_NO_PROGRESS_TIMEOUT, seconds);
}

BITS_API bits_hresult bits_job_get_no_progress_timeout(bits_job *job, uint32_t *out_seconds)
{
    return get_u32(job, OB_PROP_NO_PROGRESS_TIMEOUT, out_seconds);
}

BITS_API bits_hresult bits_job_set_maximum_download_time(bits_job *job, uint32_t seconds)
{
    return set_u32(job, OB_PROP_MAX_DOWNLOAD_TIME, seconds);
}

BITS_API bits_hresult bits_job_get_maximum_download_time(bits_job *job, uint32_t *out_seconds)
{
    return get_u32(job, OB_PROP_MAX_DOWNLOAD_TIME, out_seconds);
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
    return set_u32(job, OB_PROP_NOTIFY_FLAGS, flags);
}

BITS_API bits_hresult bits_job_get_notify_flags(bits_job *job, uint32_t *out_flags)
{
    return get_u32(job, OB_PROP_NOTIFY_FLAGS, out_flags);
}

BITS_API bits_hresult bits_job_set_minimum_notification_interval(bits_job *job, uint32_t ms)
{
    return set_u32(job, OB_PROP_MIN_NOTIFY_INTERVAL, ms);
}

BITS_API bits_hresult bits_job_get_minimum_notification_interval(bits_job *job, uint32_t *out_ms)
{
    return get_u32(job, OB_PROP_MIN_NOTIFY_INTERVAL, out_ms);
}

/* Records in the store whether this process listens to the job, so the
 * process running the transfers knows whether to run the notify program.
 * Taken after the callback is set, with no lock held, from the state the
 * job has then (two registrations racing leave the row right). */
static void record_listener(bits_job *job)
{
    ob_queue *q = job->queue;
    ob_runtime *rt = ob_runtime_of(job);
    ob_queue_change_lock(q);
    ob_queue_lock(q);
    int on = job->cb != NULL && !ob_state_is_final(atomic_load(&job->state));
    ob_queue_unlock(q);
    if (rt->store)
        ob_store_set_listener(rt->store, &job->id, on);
    ob_queue_change_unlock(q);
}

BITS_API bits_hresult bits_job_set_event_callback(bits_job *job, bits_event_fn fn,
                                                  void *user_data)
{
    if (!job)
        return BITS_E_INVALIDARG;
    ob_queue *q = job->queue;
    ob_runtime *rt = ob_runtime_of(job);
    ob_queue_lock(q);
    uint32_t state = atomic_load(&job->state);
    bits_hresult hr = BITS_S_OK;
    int had = job->cb != NULL;
    /* Removing is always allowed, so a binding can always let go of its
     * user_data; registering needs a live job. */
    if (fn && (q->closed || ob_state_is_final(state)))
        hr = BG_E_INVALID_STATE;
    else if (fn)
        hr = ob_notifier_start_locked(rt->notifier);
    if (hr >= 0) {
        job->cb = fn;
        job->cb_data = user_data;
        ob_notifier_wait_idle_locked(rt->notifier, job);
        /* A late registration still hears about TRANSFERRED/ERROR once. */
        if (fn && state == BG_JOB_STATE_TRANSFERRED)
            ob_notify_replay_locked(rt->notifier, job, BITS_EVENT_JOB_TRANSFERRED);
        else if (fn && state == BG_JOB_STATE_ERROR)
            ob_notify_replay_locked(rt->notifier, job, BITS_EVENT_JOB_ERROR);
    }
    ob_queue_unlock(q);
    if (hr >= 0 && had != (fn != NULL))
        record_listener(job);
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
        bits_hresult hr = ob_validate_string(program, UINT32_MAX, BITS_E_INVALIDARG);
        if (hr >= 0 && parameters)
            hr = ob_validate_string(parameters, OB_LIMIT_NOTIFY_PARAMETERS, BG_E_STRING_TOO_LONG);
        if (hr < 0)
            return hr;
    }
    ob_patch p = { 0 };
    if (ob_patch_set_str(&p, OB_PROP_NOTIFY_PROGRAM, program) < 0 ||
        ob_patch_set_str(&p, OB_PROP_NOTIFY_PARAMETERS, parameters) < 0) {
        ob_patch_free(&p);
        return BITS_E_OUTOFMEMORY;
    }
    return set_patch(job, &p, 0);
}

BITS_API bits_hresult bits_job_get_notify_cmd_line(bits_job *job, char **out_program,
                                                   char **out_parameters)
{
    if (!job || !out_program || !out_parameters)
        return BITS_E_INVALIDARG;
    char *program = NULL, *parameters = NULL;
    ob_queue_lock(job->queue);
    bits_hresult hr = ob_copy_out(job->props.notify_program, &program);
    if (hr >= 0)
        hr = ob_copy_out(job->props.notify_parameters, &parameters);
    ob_queue_unlock(job->queue);
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
        bits_hresult hr = ob_validate_proxy_list(proxy_list, BG_E_PROXY_LIST_TOO_LARGE);
        if (hr >= 0 && bypass_list)
            hr = ob_validate_proxy_list(bypass_list, BG_E_PROXY_BYPASS_LIST_TOO_LARGE);
        if (hr < 0)
            return hr;
    } else if (proxy_list || bypass_list) {
        return BITS_E_INVALIDARG;
    }
    ob_patch p = { 0 };
    ob_patch_set_u32(&p, OB_PROP_PROXY_USAGE, usage);
    if (ob_patch_set_str(&p, OB_PROP_PROXY_LIST, proxy_list) < 0 ||
        ob_patch_set_str(&p, OB_PROP_BYPASS_LIST, bypass_list) < 0) {
        ob_patch_free(&p);
        return BITS_E_OUTOFMEMORY;
    }
    return set_patch(job, &p, 0);
}

BITS_API bits_hresult bits_job_get_proxy_settings(bits_job *job, uint32_t *out_usage,
                                                  char **out_proxy_list,
                                                  char **out_bypass_list)
{
    if (!job || !out_usage || !out_proxy_list || !out_bypass_list)
        return BITS_E_INVALIDARG;
    char *list = NULL, *bypass = NULL;
    ob_queue_lock(job->queue);
    uint32_t usage = job->props.proxy_usage;
    bits_hresult hr = ob_copy_out(job->props.proxy_list, &list);
    if (hr >= 0)
        hr = ob_copy_out(job->props.bypass_list, &bypass);
    ob_queue_unlock(job->queue);
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

/* A patch of one credential slot: set with (@p user, @p password), or
 * cleared when @p set is 0. */
static bits_hresult set_credential(bits_job *job, int t, int s, int set, const char *user,
                                   const char *password)
{
    ob_patch p = { 0 };
    p.mask = OB_PROP_BIT(OB_PROP_CREDENTIAL);
    p.cred_target = t;
    p.cred_scheme = s;
    ob_credential *c = &p.v.creds[t][s];
    c->set = set;
    c->user_name = ob_strdup(user);
    c->password = ob_strdup(password);
    if ((user && !c->user_name) || (password && !c->password)) {
        ob_patch_free(&p);
        return BITS_E_OUTOFMEMORY;
    }
    return set_patch(job, &p, 0);
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
    if (user_name && (hr = ob_validate_string(user_name, OB_LIMIT_USER_NAME,
                                              BG_E_USERNAME_TOO_LARGE)) < 0)
        return hr;
    if (password && (hr = ob_validate_string(password, OB_LIMIT_PASSWORD,
                                             BG_E_PASSWORD_TOO_LARGE)) < 0)
        return hr;
    return set_credential(job, t, s, 1, user_name, password);
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
    ob_queue_lock(job->queue);
    int was_set = job->props.creds[t][s].set;
    ob_queue_unlock(job->queue);
    hr = set_credential(job, t, s, 0, NULL, NULL);
    return hr >= 0 && !was_set ? BITS_S_FALSE : hr;
}

BITS_API bits_hresult bits_job_set_custom_headers(bits_job *job, const char *headers)
{
    if (!job)
        return BITS_E_INVALIDARG;
    if (headers) {
        bits_hresult hr = ob_validate_custom_headers(headers);
        if (hr < 0)
            return hr;
    }
    ob_patch p = { 0 };
    if (ob_patch_set_str(&p, OB_PROP_CUSTOM_HEADERS, headers) < 0)
        return BITS_E_OUTOFMEMORY;
    return set_patch(job, &p, 0);
}

BITS_API bits_hresult bits_job_get_custom_headers(bits_job *job, char **out_headers)
{
    if (!job || !out_headers)
        return BITS_E_INVALIDARG;
    bits_hresult hr;
    ob_queue_lock(job->queue);
    if (job->props.headers_write_only)
        hr = BITS_E_ACCESSDENIED;
    else if (!job->props.custom_headers)
        hr = BITS_S_FALSE;
    else
        hr = ob_copy_out(job->props.custom_headers, out_headers);
    ob_queue_unlock(job->queue);
    if (hr == BITS_S_FALSE)
        *out_headers = NULL;
    return hr;
}

BITS_API bits_hresult bits_job_make_custom_headers_write_only(bits_job *job)
{
    return set_u32(job, OB_PROP_HEADERS_WRITE_ONLY, 1);
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
    return set_u32(job, OB_PROP_SECURITY_FLAGS, flags);
}

BITS_API bits_hresult bits_job_get_security_flags(bits_job *job, uint32_t *out_flags)
{
    return get_u32(job, OB_PROP_SECURITY_FLAGS, out_flags);
}

/* ---- content properties (frozen after the first Resume) --------------------------- */

BITS_API bits_hresult bits_job_set_dynamic_content(bits_job *job, uint32_t enable)
{
    if (!job)
        return BITS_E_INVALIDARG;
    if (enable > 1)
        return BITS_E_INVALIDARG;
    ob_patch p = { 0 };
    ob_patch_set_u32(&p, OB_PROP_DYNAMIC_CONTENT, enable);
    return set_patch(job, &p, 1);
}

BITS_API bits_hresult bits_job_get_dynamic_content(bits_job *job, uint32_t *out_enable)
{
    return get_u32(job, OB_PROP_DYNAMIC_CONTENT, out_enable);
}

BITS_API bits_hresult bits_job_set_max_download_size(bits_job *job, uint64_t bytes)
{
    if (!job)
        return BITS_E_INVALIDARG;
    ob_patch p = { 0 };
    ob_patch_set_u64(&p, OB_PROP_MAX_DOWNLOAD_SIZE, bytes);
    return set_patch(job, &p, 1);
}

BITS_API bits_hresult bits_job_get_max_download_size(bits_job *job, uint64_t *out_bytes)
{
    return get_u64(job, OB_PROP_MAX_DOWNLOAD_SIZE, out_bytes);
}

/* ---- transfer tuning ------------------------------------------------------------- */

#define MAX_FILES_IN_FLIGHT 64u

BITS_API bits_hresult bits_job_set_max_bandwidth(bits_job *job, uint64_t bytes_per_second)
{
    if (!job)
        return BITS_E_INVALIDARG;
    ob_patch p = { 0 };
    ob_patch_set_u64(&p, OB_PROP_MAX_BANDWIDTH, bytes_per_second);
    return set_patch(job, &p, 0);
}

BITS_API bits_hresult bits_job_get_max_bandwidth(bits_job *job, uint64_t *out_bytes_per_second)
{
    return get_u64(job, OB_PROP_MAX_BANDWIDTH, out_bytes_per_second);
}

BITS_API bits_hresult bits_job_set_files_in_flight(bits_job *job, uint32_t count)
{
    if (count == 0 || count > MAX_FILES_IN_FLIGHT)
        return BITS_E_INVALIDARG;
    return set_u32(job, OB_PROP_FILES_IN_FLIGHT, count);
}

BITS_API bits_hresult bits_job_get_files_in_flight(bits_job *job, uint32_t *out_count)
{
    return get_u32(job, OB_PROP_FILES_IN_FLIGHT, out_count);
}
