/* cli_common.c - opening the store, finding jobs, reporting failures. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const state_names[] = { "QUEUED", "CONNECTING", "TRANSFERRING",
                                           "SUSPENDED", "ERROR", "TRANSIENT_ERROR",
                                           "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED" };

const char *cli_state_name(uint32_t state)
{
    return state < BITS_JOB_STATE_COUNT ? state_names[state] : "UNKNOWN";
}

int cli_fail(const char *what, bits_hresult hr)
{
    char *shown = strdup(what); /* it may quote an argument */
    fprintf(stderr, "openbits: %s: %s (0x%08X): %s\n", shown ? cli_sanitize(shown) : "?",
            bits_hresult_name(hr), (unsigned)hr, bits_hresult_message(hr));
    free(shown);
    return EXIT_FAILED;
}

char *cli_sanitize(char *text)
{
    for (unsigned char *p = (unsigned char *)text; p && *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            *p = '?';
    }
    return text;
}

int cli_open(cli *c)
{
    /* The library wants an absolute store path; --store may be relative. */
    char *store = c->store ? cli_absolute_path(c->store) : NULL;
    if (c->store && !store)
        return cli_fail("cannot open the store", BITS_E_OUTOFMEMORY);
    bits_hresult hr = bits_manager_open(store, c->open_flags, &c->mgr);
    if (hr == BG_E_DATABASE_CORRUPT) /* say where it is (issue 5) */
        fprintf(stderr, "openbits: the database is %s/openbits.db; it was left untouched\n",
                store ? store : "$XDG_STATE_HOME/openbits (default ~/.local/state/openbits)");
    free(store);
    if (bits_failed(hr))
        return cli_fail("cannot open the store", hr);
    if (c->open_flags & BITS_MANAGER_OPEN_EVENT_FD)
        cli_wait_attach_log(c); /* before the job moves: every line of it */
    return EXIT_OK;
}

/* Every job of the caller whose display name is @p name (new references). */
static bits_job **jobs_named(cli *c, const char *name, int *out_count)
{
    bits_job_enum *e;
    bits_job **matches = NULL, *candidate;
    int n = 0, size = 0;
    *out_count = -1;
    bits_hresult hr = bits_manager_enum_jobs(c->mgr, 0, &e);
    if (bits_failed(hr)) {
        cli_fail("list", hr);
        return NULL;
    }
    while (bits_job_enum_next(e, 1, &candidate, NULL) == BITS_S_OK) {
        char *job_name = NULL;
        bits_job_get_display_name(candidate, &job_name);
        int same = job_name && strcmp(job_name, name) == 0;
        bits_free(job_name);
        if (same && n == size) {
            size = size ? 2 * size : 4;
            bits_job **grown = realloc(matches, (size_t)size * sizeof *matches);
            if (!grown) {
                bits_job_release(candidate);
                break;
            }
            matches = grown;
        }
        if (same)
            matches[n++] = candidate;
        else
            bits_job_release(candidate);
    }
    bits_job_enum_free(e);
    *out_count = n;
    return matches;
}

bits_job *cli_find_job(cli *c, const char *name_or_id)
{
    bits_guid id;
    bits_job *job = NULL;
    if (bits_guid_from_string(name_or_id, &id) == BITS_S_OK) {
        bits_hresult hr = bits_manager_get_job(c->mgr, &id, &job);
        if (bits_failed(hr)) {
            cli_fail(name_or_id, hr);
            return NULL;
        }
        return job;
    }
    int n;
    bits_job **matches = jobs_named(c, name_or_id, &n);
    if (n == 1)
        job = matches[0];
    char *shown = strdup(name_or_id);
    cli_sanitize(shown);
    if (n == 0)
        fprintf(stderr, "openbits: no job named %s\n", shown ? shown : "?");
    else if (n > 1)
        fprintf(stderr, "openbits: %d jobs are named %s; use a GUID:\n", n, shown ? shown : "?");
    free(shown);
    for (int i = 0; n > 1 && i < n; i++) {
        bits_guid gid;
        char *text = NULL;
        bits_job_get_id(matches[i], &gid);
        bits_guid_to_string(&gid, &text);
        fprintf(stderr, "  %s\n", text);
        bits_free(text);
        bits_job_release(matches[i]);
    }
    free(matches);
    return job;
}
