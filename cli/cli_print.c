/* cli_print.c - a job as text or JSON (info, list, monitor). The JSON keys
 * are documented in docs/openbits.1 and never renamed. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/redact.h"

char *cli_url(const char *url)
{
    if (!url)
        return NULL;
    char *shown = ob_url_redact(url);
    return shown ? shown : strdup(OB_REDACTED);
}

char *cli_url_list(const char *list)
{
    if (!list)
        return NULL;
    char *shown = ob_url_redact_list(list);
    return shown ? shown : strdup(OB_REDACTED);
}

/* "  URL -> PATH" of the file an error is about (the URL redacted). */
static void print_error_file(FILE *out, const char *prefix, bits_error *err)
{
    bits_file *file = NULL;
    if (bits_error_get_file(err, &file) != BITS_S_OK || !file)
        return;
    char *remote = NULL, *local = NULL;
    bits_file_get_remote_name(file, &remote);
    bits_file_get_local_name(file, &local);
    char *shown = cli_url(remote);
    fprintf(out, "%s%s -> %s\n", prefix, shown ? shown : "?", local ? cli_sanitize(local) : "?");
    free(shown);
    bits_free(remote);
    bits_free(local);
    bits_file_release(file);
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
            desc ? cli_sanitize(desc) : "");
    print_error_file(out, "  file ", err);
    bits_free(desc);
    bits_error_free(err);
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

/* A byte count that may be BG_SIZE_UNKNOWN (JSON null). */
static void json_size(uint64_t bytes)
{
    if (bytes == BG_SIZE_UNKNOWN)
        fputs("null", stdout);
    else
        printf("%llu", (unsigned long long)bytes);
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

/* Microseconds since the epoch as "2026-12-01T22:50:00Z" ("-" for 0). */
static void format_time(int64_t us, char *out, size_t n)
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    if (us == 0 || !gmtime_r(&secs, &tm) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, n, "-");
}

/* The settings `info --verbose` adds: text lines, or JSON members. */
static void print_properties(cli *c, bits_job *job)
{
    char *desc = NULL, *owner = NULL, *program = NULL, *params = NULL, *plist = NULL,
         *bypass = NULL;
    uint32_t retry = 0, noprog = 0, maxtime = 0, nflags = 0, sflags = 0, usage = 0;
    uint64_t bandwidth = 0;
    bits_job_times t = { .struct_size = sizeof t };
    bits_job_get_description(job, &desc);
    bits_job_get_owner(job, &owner);
    bits_job_get_notify_cmd_line(job, &program, &params);
    bits_job_get_proxy_settings(job, &usage, &plist, &bypass);
    char *proxies = cli_url_list(plist); /* a proxy may carry user:password@ */
    bits_job_get_minimum_retry_delay(job, &retry);
    bits_job_get_no_progress_timeout(job, &noprog);
    bits_job_get_maximum_download_time(job, &maxtime);
    bits_job_get_notify_flags(job, &nflags);
    bits_job_get_security_flags(job, &sflags);
    bits_job_get_max_bandwidth(job, &bandwidth);
    bits_job_get_times(job, &t);
    if (c->json) {
        fputs(", \"description\": ", stdout);
        json_string(stdout, desc);
        fputs(", \"owner\": ", stdout);
        json_string(stdout, owner);
        printf(", \"creation_time\": %lld, \"modification_time\": %lld, "
               "\"transfer_completion_time\": %lld, \"minimum_retry_delay\": %u, "
               "\"no_progress_timeout\": %u, \"maximum_download_time\": %u, "
               "\"notify_flags\": %u, \"security_flags\": %u, \"max_bandwidth\": %llu, "
               "\"proxy_usage\": %u, \"proxy_list\": ",
               (long long)t.creation_time, (long long)t.modification_time,
               (long long)t.transfer_completion_time, retry, noprog, maxtime, nflags, sflags,
               (unsigned long long)bandwidth, usage);
        json_string(stdout, proxies);
        fputs(", \"proxy_bypass\": ", stdout);
        json_string(stdout, bypass);
        fputs(", \"notify_program\": ", stdout);
        json_string(stdout, program);
        fputs(", \"notify_parameters\": ", stdout);
        json_string(stdout, params);
    } else {
        char created[32], modified[32], done[32];
        format_time(t.creation_time, created, sizeof created);
        format_time(t.modification_time, modified, sizeof modified);
        format_time(t.transfer_completion_time, done, sizeof done);
        printf("  description: %s\n  owner: uid %s\n  created %s, modified %s, transferred %s\n"
               "  minimum retry delay %u s, no-progress timeout %u s, maximum download time %u s\n"
               "  notify flags 0x%X, security flags 0x%X, bandwidth cap %llu B/s (0 = none)\n"
               "  proxy usage %s%s%s%s%s\n",
               desc ? desc : "", owner ? owner : "?", created, modified, done, retry, noprog,
               maxtime, nflags, sflags, (unsigned long long)bandwidth, cli_proxy_usage_name(usage),
               proxies ? ", proxies " : "", proxies ? proxies : "", bypass ? ", bypass " : "",
               bypass ? bypass : "");
        if (program)
            printf("  notify command line: %s %s\n", program, params ? params : "");
    }
    bits_free(desc);
    bits_free(owner);
    bits_free(program);
    bits_free(params);
    bits_free(plist);
    free(proxies);
    bits_free(bypass);
}

static void print_files(cli *c, bits_job *job)
{
    bits_file_enum *fe;
    bits_file *f;
    if (bits_failed(bits_job_enum_files(job, &fe)))
        return;
    if (c->json)
        fputs(", \"files\": [", stdout);
    for (int i = 0; bits_file_enum_next(fe, 1, &f, NULL) == BITS_S_OK; i++) {
        char *remote = NULL, *local = NULL, *temp = NULL;
        bits_file_progress fp = { .struct_size = sizeof fp };
        bits_file_get_remote_name(f, &remote);
        char *shown = cli_url(remote); /* never the password of the URL */
        bits_file_get_local_name(f, &local);
        bits_file_get_temporary_name(f, &temp);
        bits_file_get_progress(f, &fp);
        if (c->json) {
            printf("%s{\"remote_name\": ", i ? ", " : "");
            json_string(stdout, shown);
            fputs(", \"local_name\": ", stdout);
            json_string(stdout, local);
            fputs(", \"temporary_name\": ", stdout);
            json_string(stdout, temp);
            fputs(", \"bytes_total\": ", stdout);
            json_size(fp.bytes_total);
            printf(", \"bytes_transferred\": %llu, \"completed\": %s}",
                   (unsigned long long)fp.bytes_transferred, fp.completed ? "true" : "false");
        } else {
            printf("  %s -> %s (%llu", shown ? shown : "?", local ? local : "?",
                   (unsigned long long)fp.bytes_transferred);
            if (fp.bytes_total != BG_SIZE_UNKNOWN)
                printf(" of %llu", (unsigned long long)fp.bytes_total);
            printf(" bytes%s)\n", fp.completed ? ", completed" : "");
        }
        bits_free(remote);
        free(shown);
        bits_free(local);
        bits_free(temp);
        bits_file_release(f);
    }
    bits_file_enum_free(fe);
    if (c->json)
        fputc(']', stdout);
}

/* One job: its identity, state, progress and (verbose) settings and files. */
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
        json_size(p.bytes_total);
        printf(", \"bytes_transferred\": %llu, \"files_total\": %u, \"files_transferred\": %u, "
               "\"error_count\": %u, \"error\": ",
               (unsigned long long)p.bytes_transferred, p.files_total, p.files_transferred,
               errors);
        print_error_json(job);
    } else {
        printf("%s %-15s %s  %u/%u files, %llu bytes", gid, cli_state_name(state),
               name ? cli_sanitize(name) : "", p.files_transferred, p.files_total,
               (unsigned long long)p.bytes_transferred);
        if (p.bytes_total != BG_SIZE_UNKNOWN)
            printf(" of %llu", (unsigned long long)p.bytes_total);
        putchar('\n');
    }
    if (verbose) {
        if (!c->json)
            printf("  priority %s, %u errors so far\n", cli_priority_name(priority), errors);
        print_properties(c, job);
        print_files(c, job);
        if (!c->json)
            cli_print_job_error(stdout, "  error ", job);
    }
    if (c->json)
        fputs("}\n", stdout);
    bits_free(gid);
    bits_free(name);
}
