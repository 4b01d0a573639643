/* cli_setters.c - the "set..." commands of `openbits`: one job property each. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_parse_number(const char *text, uint64_t max, uint64_t *out)
{
    char *end;
    if (!*text || *text == '-')
        return -1;
    unsigned long long v = strtoull(text, &end, 0);
    if (*end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* A number, or one of @p names (index = value). */
static int parse_named(const char *text, const char *const *names, uint32_t count,
                       uint32_t *out)
{
    for (uint32_t i = 0; i < count; i++) {
        if (names[i] && strcasecmp(text, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    uint64_t v;
    if (cli_parse_number(text, UINT32_MAX, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static const char *const priority_names[] = { "FOREGROUND", "HIGH", "NORMAL", "LOW" };
static const char *const proxy_names[] = { "PRECONFIG", "NO_PROXY", "OVERRIDE", "AUTODETECT" };
static const char *const target_names[] = { NULL, "SERVER", "PROXY" };
static const char *const scheme_names[] = { NULL, "BASIC", "DIGEST", "NTLM", "NEGOTIATE",
                                            "PASSPORT" };

int cli_parse_priority(const char *text, uint32_t *out)
{
    return parse_named(text, priority_names, 4, out);
}

const char *cli_priority_name(uint32_t priority)
{
    return priority < 4 ? priority_names[priority] : "?";
}

const char *cli_proxy_usage_name(uint32_t usage)
{
    return usage < 4 ? proxy_names[usage] : "?";
}

/* bitsadmin writes NULL for "no value". */
static const char *null_word(const char *s)
{
    return strcasecmp(s, "NULL") == 0 ? NULL : s;
}

/* "\r\n" and "\n" written as escapes on a command line become real ones. */
static char *unescape_newlines(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    for (const char *p = s; out && *p; p++) {
        if (p[0] == '\\' && p[1] == 'r') {
            *o++ = '\r';
            p++;
        } else if (p[0] == '\\' && p[1] == 'n') {
            *o++ = '\n';
            p++;
        } else {
            *o++ = *p;
        }
    }
    if (out)
        *o = '\0';
    return out;
}

int cli_cmd_setpriority(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    uint32_t v;
    if (cli_parse_priority(argv[0], &v) != 0)
        return cli_fail(argv[0], BITS_E_INVALIDARG);
    return cli_report(c, "setpriority", bits_job_set_priority(job, v));
}

/* Setters taking one 32-bit number. */
static int set_number(cli *c, bits_job *job, const char *text, const char *what,
                      bits_hresult (*set)(bits_job *, uint32_t))
{
    uint64_t v;
    if (cli_parse_number(text, UINT32_MAX, &v) != 0)
        return cli_fail(text, BITS_E_INVALIDARG);
    return cli_report(c, what, set(job, (uint32_t)v));
}

/* Setters taking seconds, written as a duration (90, 30s, 10m, 1h30m). */
static int set_seconds(cli *c, bits_job *job, const char *text, const char *what,
                       bits_hresult (*set)(bits_job *, uint32_t))
{
    uint32_t v;
    if (cli_parse_duration(text, &v) != 0)
        return cli_fail(text, BITS_E_INVALIDARG);
    return cli_report(c, what, set(job, v));
}

int cli_cmd_setminretrydelay(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_seconds(c, job, argv[0], "setminretrydelay", bits_job_set_minimum_retry_delay);
}

int cli_cmd_setnoprogresstimeout(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_seconds(c, job, argv[0], "setnoprogresstimeout", bits_job_set_no_progress_timeout);
}

int cli_cmd_setmaxdownloadtime(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_seconds(c, job, argv[0], "setmaxdownloadtime", bits_job_set_maximum_download_time);
}

int cli_cmd_setnotifyflags(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_number(c, job, argv[0], "setnotifyflags", bits_job_set_notify_flags);
}

int cli_cmd_setsecurityflags(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_number(c, job, argv[0], "setsecurityflags", bits_job_set_security_flags);
}

int cli_cmd_setmaxbandwidth(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    uint64_t v;
    if (cli_parse_size(argv[0], UINT64_MAX, 1, &v) != 0)
        return cli_fail(argv[0], BITS_E_INVALIDARG);
    return cli_report(c, "setmaxbandwidth", bits_job_set_max_bandwidth(job, v));
}

int cli_cmd_setdisplayname(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return cli_report(c, "setdisplayname", bits_job_set_display_name(job, argv[0]));
}

int cli_cmd_setdescription(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return cli_report(c, "setdescription", bits_job_set_description(job, argv[0]));
}

int cli_cmd_setnotifycmdline(cli *c, bits_job *job, int argc, char **argv)
{
    const char *params = argc > 1 ? null_word(argv[1]) : NULL;
    return cli_report(c, "setnotifycmdline",
                      bits_job_set_notify_cmd_line(job, null_word(argv[0]), params));
}

int cli_cmd_setcustomheaders(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    if (!null_word(argv[0]))
        return cli_report(c, "setcustomheaders", bits_job_set_custom_headers(job, NULL));
    char *headers = unescape_newlines(argv[0]);
    bits_hresult hr = headers ? bits_job_set_custom_headers(job, headers) : BITS_E_OUTOFMEMORY;
    free(headers);
    return cli_report(c, "setcustomheaders", hr);
}

int cli_cmd_setproxysettings(cli *c, bits_job *job, int argc, char **argv)
{
    uint32_t usage;
    if (parse_named(argv[0], proxy_names, 4, &usage) != 0)
        return cli_fail(argv[0], BITS_E_INVALIDARG);
    return cli_report(c, "setproxysettings",
                      bits_job_set_proxy_settings(job, usage, argc > 1 ? null_word(argv[1]) : NULL,
                                                  argc > 2 ? null_word(argv[2]) : NULL));
}

/* TARGET SCHEME, by name or number. */
static int parse_auth(char **argv, uint32_t *target, uint32_t *scheme)
{
    return parse_named(argv[0], target_names, 3, target) != 0 ||
                   parse_named(argv[1], scheme_names, 6, scheme) != 0
               ? -1
               : 0;
}

/* The first line of standard input without its line end (malloc'ed), or
 * NULL: a password given as "-" never shows in the process list. */
static char *read_secret_line(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

int cli_cmd_setcredentials(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    uint32_t target, scheme;
    if (parse_auth(argv, &target, &scheme) != 0)
        return cli_fail("setcredentials", BITS_E_INVALIDARG);
    char *from_stdin = NULL;
    if (strcmp(argv[3], "-") == 0 && !(from_stdin = read_secret_line()))
        return cli_fail("setcredentials: no password on standard input", BITS_E_INVALIDARG);
    bits_hresult hr = bits_job_set_credentials(job, target, scheme, null_word(argv[2]),
                                               from_stdin ? from_stdin : null_word(argv[3]));
    if (from_stdin) {
        memset(from_stdin, 0, strlen(from_stdin));
        free(from_stdin);
    }
    return cli_report(c, "setcredentials", hr);
}

int cli_cmd_removecredentials(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    uint32_t target, scheme;
    if (parse_auth(argv, &target, &scheme) != 0)
        return cli_fail("removecredentials", BITS_E_INVALIDARG);
    return cli_report(c, "removecredentials", bits_job_remove_credentials(job, target, scheme));
}

/* ---- values checked before the store is opened --------------------------------- */

int cli_check_setter_args(cli *c, const char *command, int argc, char **argv)
{
    uint64_t v;
    uint32_t u, u2;
    if (argc < 1)
        return EXIT_OK;
    if (strcmp(command, "setpriority") == 0 && cli_parse_priority(argv[0], &u) != 0)
        return cli_usage_error(c, "'%s' is not a priority (FOREGROUND, HIGH, NORMAL, LOW or 0-3)",
                               argv[0]);
    if ((strcmp(command, "setminretrydelay") == 0 || strcmp(command, "setnoprogresstimeout") == 0 ||
         strcmp(command, "setmaxdownloadtime") == 0) &&
        cli_parse_duration(argv[0], &u) != 0)
        return cli_usage_error(c, "'%s' is not a number of seconds nor a duration (90, 30s, 10m, "
                                  "1h30m, 2d)",
                               argv[0]);
    if ((strcmp(command, "setnotifyflags") == 0 || strcmp(command, "setsecurityflags") == 0) &&
        cli_parse_number(argv[0], UINT32_MAX, &v) != 0)
        return cli_usage_error(c, "'%s' is not a number (decimal or 0x hexadecimal)", argv[0]);
    if (strcmp(command, "setmaxbandwidth") == 0 && cli_parse_size(argv[0], UINT64_MAX, 1, &v) != 0)
        return cli_usage_error(c, "'%s' is not a rate (bytes per second: 500k, 5M, 1.5MiB, 0)",
                               argv[0]);
    if (strcmp(command, "setproxysettings") == 0 && parse_named(argv[0], proxy_names, 4, &u) != 0)
        return cli_usage_error(c, "'%s' is not a proxy usage (PRECONFIG, NO_PROXY, OVERRIDE)",
                               argv[0]);
    if ((strcmp(command, "setcredentials") == 0 || strcmp(command, "removecredentials") == 0) &&
        argc >= 2) {
        if (parse_named(argv[0], target_names, 3, &u) != 0)
            return cli_usage_error(c, "'%s' is not a target (SERVER or PROXY)", argv[0]);
        if (parse_named(argv[1], scheme_names, 6, &u2) != 0)
            return cli_usage_error(c, "'%s' is not a scheme (BASIC, DIGEST, NTLM, NEGOTIATE)",
                                   argv[1]);
    }
    if (strcmp(command, "setlimit") == 0 && argc >= 2 && cli_parse_size(argv[1], UINT32_MAX, 0, &v) != 0)
        return cli_usage_error(c, "'%s' is not a number", argv[1]);
    return EXIT_OK;
}
