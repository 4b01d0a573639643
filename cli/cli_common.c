/* cli_common.c - opening the store, finding jobs, printing them. */
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
    fprintf(stderr, "openbits: %s: %s (0x%08X): %s\n", what, bits_hresult_name(hr),
            (unsigned)hr, bits_hresult_message(hr));
    return EXIT_FAILED;
}

char *cli_absolute_path(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return strdup(path); /* the library will say it is not absolute */
    size_t n = strlen(cwd) + strlen(path) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", cwd, strncmp(path, "./", 2) == 0 ? path + 2 : path);
    return out;
}

void cli_print_job_error(FILE *out, const char *prefix, bits_job *job)
{
    bits_error *err;
    if (bits_job_get_error(job, &err) != BITS_S_OK)
        return;
    uint32_t ctx;
    bits_hresult code;
    char *desc = NULL;
    bits_error_get_error(err, &ctx, &code);
    bits_error_get_description(err, &desc);
    fprintf(out, "%s%s (0x%08X): %s\n", prefix, bits_hresult_name(code), (unsigned)code,
            desc ? desc : "");
    bits_free(desc);
    bits_error_free(err);
}

int cli_open(cli *c)
{
    bits_hresult hr = bits_manager_open(c->store, 0, &c->mgr);
    return bits_failed(hr) ? cli_fail("cannot open the store", hr) : EXIT_OK;
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
    bits_job_enum *e;
    if (bits_failed(bits_manager_enum_jobs(c->mgr, 0, &e)))
        return NULL;
    bits_job *candidate, *matches[16];
    int n = 0;
    while (bits_job_enum_next(e, 1, &candidate, NULL) == BITS_S_OK) {
        char *name = NULL;
        bits_job_get_display_name(candidate, &name);
        if (name && strcmp(name, name_or_id) == 0 && n < 16)
            matches[n++] = candidate;
        else
            bits_job_release(candidate);
        bits_free(name);
    }
    bits_job_enum_free(e);
    if (n == 1)
        return matches[0];
    if (n == 0) {
        fprintf(stderr, "openbits: no job named %s\n", name_or_id);
        return NULL;
    }
    fprintf(stderr, "openbits: %d jobs are named %s; use a GUID:\n", n, name_or_id);
    for (int i = 0; i < n; i++) {
        bits_guid gid;
        char *text = NULL;
        bits_job_get_id(matches[i], &gid);
        bits_guid_to_string(&gid, &text);
        fprintf(stderr, "  %s\n", text);
        bits_free(text);
        bits_job_release(matches[i]);
    }
    return NULL;
}

void json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void print_error_json(bits_job *job)
{
    bits_error *err;
    if (bits_job_get_error(job, &err) != BITS_S_OK) {
        fputs("null", stdout);
        return;
    }
    uint32_t context;
    bits_hresult code;
    char *desc = NULL;
    bits_error_get_error(err, &context, &code);
    bits_error_get_description(err, &desc);
    printf("{\"code\": %u, \"name\": ", (unsigned)code);
    json_string(stdout, bits_hresult_name(code));
    printf(", \"context\": %u, \"description\": ", context);
    json_string(stdout, desc);
    fputs("}", stdout);
    bits_free(desc);
    bits_error_free(err);
}

/* One job: its identity, state, progress and (verbose) files. JSON keys
 * are documented in docs/openbits.1 and never renamed. */
void cli_print_job(cli *c, bits_job *job, int verbose)
{
    bits_guid id;
    char *gid = NULL, *name = NULL;
    uint32_t state = 0, priority = 0, errors = 0;
    bits_job_progress p = { .struct_size = sizeof p };
    bits_job_get_id(job, &id);
    bits_guid_to_string(&id, &gid);
    bits_job_get_display_name(job, &name);
    bits_job_get_state(job, &state);
    bits_job_get_priority(job, &priority);
    bits_job_get_error_count(job, &errors);
    bits_job_get_progress(job, &p);
    if (c->json) {
        printf("{\"id\": \"%s\", \"name\": ", gid);
        json_string(stdout, name);
        printf(", \"state\": \"%s\", \"priority\": %u, \"bytes_total\": ", cli_state_name(state),
               priority);
        if (p.bytes_total == BG_SIZE_UNKNOWN)
            fputs("null", stdout);
        else
            printf("%llu", (unsigned long long)p.bytes_total);
        printf(", \"bytes_transferred\": %llu, \"files_total\": %u, \"files_transferred\": %u, "
               "\"error_count\": %u, \"error\": ",
               (unsigned long long)p.bytes_transferred, p.files_total, p.files_transferred,
               errors);
        print_error_json(job);
    } else {
        printf("%s %-15s %s  %u/%u files, %llu bytes", gid, cli_state_name(state),
               name ? name : "", p.files_transferred, p.files_total,
               (unsigned long long)p.bytes_transferred);
        if (p.bytes_total != BG_SIZE_UNKNOWN)
            printf(" of %llu", (unsigned long long)p.bytes_total);
        putchar('\n');
    }
    if (verbose) {
        bits_file_enum *fe;
        bits_file *f;
        bits_job_enum_files(job, &fe);
        if (c->json)
            fputs(", \"files\": [", stdout);
        for (int i = 0; bits_file_enum_next(fe, 1, &f, NULL) == BITS_S_OK; i++) {
            char *remote = NULL, *local = NULL;
            bits_file_progress fp = { .struct_size = sizeof fp };
            bits_file_get_remote_name(f, &remote);
            bits_file_get_local_name(f, &local);
            bits_file_get_progress(f, &fp);
            if (c->json) {
                printf("%s{\"remote_name\": ", i ? ", " : "");
                json_string(stdout, remote);
                fputs(", \"local_name\": ", stdout);
                json_string(stdout, local);
                printf(", \"bytes_transferred\": %llu, \"completed\": %s}",
                       (unsigned long long)fp.bytes_transferred, fp.completed ? "true" : "false");
            } else {
                printf("  %s -> %s (%llu bytes%s)\n", remote, local,
                       (unsigned long long)fp.bytes_transferred, fp.completed ? ", completed" : "");
            }
            bits_free(remote);
            bits_free(local);
            bits_file_release(f);
        }
        bits_file_enum_free(fe);
        if (c->json)
            fputc(']', stdout);
        if (!c->json)
            cli_print_job_error(stdout, "  error ", job);
    }
    if (c->json)
        fputs("}\n", stdout);
    bits_free(gid);
    bits_free(name);
}
