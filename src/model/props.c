/*
 * props.c - a job's settable properties as data: defaults, and patches
 * (new values for some of them) applied in one step after their commit.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/strings.h"

/* Defaults of a new job (spec 5.1). */
#define DEFAULT_NOTIFY_FLAGS (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR)
#define DEFAULT_MIN_RETRY_DELAY 600u
#define DEFAULT_NO_PROGRESS_TIMEOUT 1209600u
#define DEFAULT_MAX_DOWNLOAD_TIME 7776000u
#define DEFAULT_NOTIFY_INTERVAL_MS 500u

#define U32(field) { OB_KIND_U32, offsetof(ob_job_props, field) }
#define U64(field) { OB_KIND_U64, offsetof(ob_job_props, field) }
#define STR(field) { OB_KIND_STR, offsetof(ob_job_props, field) }

static const ob_prop_desc descs[OB_PROP_COUNT] = {
    [OB_PROP_DISPLAY_NAME] = STR(display_name),
    [OB_PROP_DESCRIPTION] = STR(description),
    [OB_PROP_PRIORITY] = U32(priority),
    [OB_PROP_NOTIFY_FLAGS] = U32(notify_flags),
    [OB_PROP_MIN_RETRY_DELAY] = U32(min_retry_delay),
    [OB_PROP_NO_PROGRESS_TIMEOUT] = U32(no_progress_timeout),
    [OB_PROP_MAX_DOWNLOAD_TIME] = U32(max_download_time),
    [OB_PROP_MIN_NOTIFY_INTERVAL] = U32(min_notify_interval_ms),
    [OB_PROP_SECURITY_FLAGS] = U32(security_flags),
    [OB_PROP_DYNAMIC_CONTENT] = U32(dynamic_content),
    [OB_PROP_MAX_DOWNLOAD_SIZE] = U64(max_download_size),
    [OB_PROP_MAX_BANDWIDTH] = U64(max_bandwidth),
    [OB_PROP_FILES_IN_FLIGHT] = U32(files_in_flight),
    [OB_PROP_PROXY_USAGE] = U32(proxy_usage),
    [OB_PROP_PROXY_LIST] = STR(proxy_list),
    [OB_PROP_BYPASS_LIST] = STR(bypass_list),
    [OB_PROP_CUSTOM_HEADERS] = STR(custom_headers),
    [OB_PROP_HEADERS_WRITE_ONLY] = U32(headers_write_only),
    [OB_PROP_NOTIFY_PROGRAM] = STR(notify_program),
    [OB_PROP_NOTIFY_PARAMETERS] = STR(notify_parameters),
    [OB_PROP_CREDENTIAL] = { OB_KIND_CRED, offsetof(ob_job_props, creds) },
};

const ob_prop_desc *ob_prop_describe(ob_prop prop)
{
    return (unsigned)prop < OB_PROP_COUNT ? &descs[prop] : NULL;
}

#define AT(props, desc, type) ((type *)((char *)(props) + (desc)->offset))

void ob_props_init(ob_job_props *p)
{
    memset(p, 0, sizeof *p);
    p->priority = BG_JOB_PRIORITY_NORMAL;
    p->notify_flags = DEFAULT_NOTIFY_FLAGS;
    p->min_retry_delay = DEFAULT_MIN_RETRY_DELAY;
    p->no_progress_timeout = DEFAULT_NO_PROGRESS_TIMEOUT;
    p->max_download_time = DEFAULT_MAX_DOWNLOAD_TIME;
    p->min_notify_interval_ms = DEFAULT_NOTIFY_INTERVAL_MS;
    p->proxy_usage = BG_JOB_PROXY_USAGE_PRECONFIG;
    p->files_in_flight = 1;
}

static void credential_free(ob_credential *c)
{
    free(c->user_name);
    free(c->password);
    memset(c, 0, sizeof *c);
}

void ob_props_free(ob_job_props *p)
{
    for (int i = 0; i < OB_PROP_COUNT; i++) {
        if (descs[i].kind == OB_KIND_STR)
            free(*AT(p, &descs[i], char *));
    }
    for (int t = 0; t < OB_CRED_TARGETS; t++) {
        for (int s = 0; s < OB_CRED_SCHEMES; s++)
            credential_free(&p->creds[t][s]);
    }
}

void ob_props_apply(ob_job_props *dst, ob_patch *patch)
{
    for (int i = 0; i < OB_PROP_COUNT; i++) {
        if (!(patch->mask & OB_PROP_BIT(i)))
            continue;
        const ob_prop_desc *d = &descs[i];
        switch (d->kind) {
        case OB_KIND_U32:
            *AT(dst, d, uint32_t) = *AT(&patch->v, d, uint32_t);
            break;
        case OB_KIND_U64:
            *AT(dst, d, uint64_t) = *AT(&patch->v, d, uint64_t);
            break;
        case OB_KIND_STR: {
            char *old = *AT(dst, d, char *);
            *AT(dst, d, char *) = *AT(&patch->v, d, char *);
            *AT(&patch->v, d, char *) = old;
            break;
        }
        case OB_KIND_CRED: {
            ob_credential *a = &dst->creds[patch->cred_target][patch->cred_scheme];
            ob_credential *b = &patch->v.creds[patch->cred_target][patch->cred_scheme];
            ob_credential old = *a;
            *a = *b;
            *b = old;
            break;
        }
        }
    }
}

void ob_patch_free(ob_patch *patch)
{
    for (int i = 0; i < OB_PROP_COUNT; i++) {
        if ((patch->mask & OB_PROP_BIT(i)) && descs[i].kind == OB_KIND_STR) {
            free(*AT(&patch->v, &descs[i], char *));
            *AT(&patch->v, &descs[i], char *) = NULL;
        }
    }
    if (patch->mask & OB_PROP_BIT(OB_PROP_CREDENTIAL))
        credential_free(&patch->v.creds[patch->cred_target][patch->cred_scheme]);
    patch->mask = 0;
}

bits_hresult ob_patch_set_str(ob_patch *patch, ob_prop prop, const char *value)
{
    char *copy = ob_strdup(value);
    if (value && !copy)
        return BITS_E_OUTOFMEMORY;
    char **slot = AT(&patch->v, &descs[prop], char *);
    if (patch->mask & OB_PROP_BIT(prop))
        free(*slot);
    *slot = copy;
    patch->mask |= OB_PROP_BIT(prop);
    return BITS_S_OK;
}

void ob_patch_set_u32(ob_patch *patch, ob_prop prop, uint32_t value)
{
    *AT(&patch->v, &descs[prop], uint32_t) = value;
    patch->mask |= OB_PROP_BIT(prop);
}

void ob_patch_set_u64(ob_patch *patch, ob_prop prop, uint64_t value)
{
    *AT(&patch->v, &descs[prop], uint64_t) = value;
    patch->mask |= OB_PROP_BIT(prop);
}
