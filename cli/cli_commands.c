/* cli_commands.c - the subcommands of `openbits`. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- value parsing --------------------------------------------------------- */

static int parse_u32(const char *text, uint32_t *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 0);
    if (!*text || *end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
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
    return parse_u32(text, out);
}

static const char *const priority_names[] = { "FOREGROUND", "HIGH", "NORMAL", "LOW" };
static const char *const proxy_names[] = { "PRECONFIG", "NO_PROXY", "OVERRIDE", "AUTODETECT" };
static const char *const target_names[] = { NULL, "SERVER", "PROXY" };
static const char *const scheme_names[] = { NULL, "BASIC", "DIGEST", "NTLM", "NEGOTIATE",
                                            "PASSPORT" };

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

/* ---- commands on one job ------------------------------------------------------ */

typedef int (*job_cmd)(cli *c, bits_job *job, int argc, char **argv);

static int report(cli *c, const char *what, bits_hresult hr)
{
    if (bits_failed(hr))
        return cli_fail(what, hr);
    if (c->raw)
        printf("%s\n", bits_hresult_name(hr));
    else if (c->json)
        printf("{\"result\": \"%s\", \"code\": %u}\n", bits_hresult_name(hr), (unsigned)hr);
    else if (!c->quiet)
        printf("%s: %s\n", what, bits_hresult_name(hr));
    return EXIT_OK;
}

static int cmd_resume(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    return report(c, "resume", bits_job_resume(job));
}

static int cmd_suspend(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    return report(c, "suspend", bits_job_suspend(job));
}

static int cmd_cancel(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    return report(c, "cancel", bits_job_cancel(job));
}

static int cmd_complete(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    return report(c, "complete", bits_job_complete(job));
}

static int cmd_addfile(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    char *dest = cli_absolute_path(argv[1]);
    bits_hresult hr = bits_job_add_file(job, argv[0], dest);
    free(dest);
    return report(c, "addfile", hr);
}

static int cmd_addfileset(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    FILE *f = fopen(argv[0], "r");
    if (!f) {
        perror(argv[0]);
        return EXIT_FAILED;
    }
    bits_file_info infos[256];
    char remote[256][4096], local[256][4096], line[8300];
    uint32_t n = 0;
    while (n < 256 && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%4095s %4095s", remote[n], local[n]) == 2) {
            char *abs_path = cli_absolute_path(local[n]);
            if (abs_path)
                snprintf(local[n], sizeof local[n], "%s", abs_path);
            free(abs_path);
            infos[n].remote_name = remote[n];
            infos[n].local_name = local[n];
            n++;
        }
    }
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "openbits: %s holds no \"URL DEST\" lines\n", argv[0]);
        return EXIT_USAGE;
    }
    return report(c, "addfileset", bits_job_add_file_set(job, n, infos));
}

static int cmd_info(cli *c, bits_job *job, int argc, char **argv)
{
    int verbose = argc > 0 && (strcmp(argv[0], "--verbose") == 0 || strcmp(argv[0], "-v") == 0);
    cli_print_job(c, job, verbose);
    return EXIT_OK;
}

static int cmd_getstate(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t state = 0;
    bits_job_get_state(job, &state);
    if (c->json)
        printf("{\"state\": \"%s\", \"value\": %u}\n", cli_state_name(state), state);
    else
        printf("%s\n", cli_state_name(state));
    return EXIT_OK;
}

static int cmd_geterror(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    bits_error *err;
    bits_hresult hr = bits_job_get_error(job, &err);
    if (bits_failed(hr))
        return cli_fail("geterror", hr);
    uint32_t context;
    bits_hresult code;
    char *desc = NULL, *ctx_desc = NULL;
    bits_error_get_error(err, &context, &code);
    bits_error_get_description(err, &desc);
    bits_error_get_context_description(err, &ctx_desc);
    if (c->json) {
        printf("{\"code\": %u, \"name\": \"%s\", \"context\": %u, \"description\": ",
               (unsigned)code, bits_hresult_name(code), context);
        json_string(stdout, desc);
        fputs(", \"context_description\": ", stdout);
        json_string(stdout, ctx_desc);
        fputs("}\n", stdout);
    } else {
        printf("%s (0x%08X): %s\ncontext %u: %s\n", bits_hresult_name(code), (unsigned)code,
               desc ? desc : "", context, ctx_desc ? ctx_desc : "");
    }
    bits_free(desc);
    bits_free(ctx_desc);
    bits_error_free(err);
    return EXIT_OK;
}

static int cmd_setpriority(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    uint32_t v;
    if (parse_named(argv[0], priority_names, 4, &v) != 0)
        return cli_fail(argv[0], BITS_E_INVALIDARG);
    return report(c, "setpriority", bits_job_set_priority(job, v));
}

/* Setters taking one number. */
static int set_number(cli *c, bits_job *job, const char *text, const char *what,
                      bits_hresult (*set)(bits_job *, uint32_t))
{
    uint32_t v;
    if (parse_u32(text, &v) != 0)
        return cli_fail(text, BITS_E_INVALIDARG);
    return report(c, what, set(job, v));
}

static int cmd_setminretrydelay(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_number(c, job, argv[0], "setminretrydelay", bits_job_set_minimum_retry_delay);
}

static int cmd_setnoprogresstimeout(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_number(c, job, argv[0], "setnoprogresstimeout", bits_job_set_no_progress_timeout);
}

static int cmd_setmaxdownloadtime(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_number(c, job, argv[0], "setmaxdownloadtime", bits_job_set_maximum_download_time);
}

static int cmd_setnotifyflags(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_number(c, job, argv[0], "setnotifyflags", bits_job_set_notify_flags);
}

static int cmd_setsecurityflags(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return set_number(c, job, argv[0], "setsecurityflags", bits_job_set_security_flags);
}

static int cmd_setdisplayname(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return report(c, "setdisplayname", bits_job_set_display_name(job, argv[0]));
}

static int cmd_setdescription(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    return report(c, "setdescription", bits_job_set_description(job, argv[0]));
}

static int cmd_setnotifycmdline(cli *c, bits_job *job, int argc, char **argv)
{
    const char *program = strcasecmp(argv[0], "NULL") == 0 ? NULL : argv[0];
    const char *params = argc > 1 ? argv[1] : NULL;
    return report(c, "setnotifycmdline", bits_job_set_notify_cmd_line(job, program, params));
}

static int cmd_setcustomheaders(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    if (strcasecmp(argv[0], "NULL") == 0)
        return report(c, "setcustomheaders", bits_job_set_custom_headers(job, NULL));
    char *headers = unescape_newlines(argv[0]);
    bits_hresult hr = bits_job_set_custom_headers(job, headers);
    free(headers);
    return report(c, "setcustomheaders", hr);
}

static int cmd_setproxysettings(cli *c, bits_job *job, int argc, char **argv)
{
    uint32_t usage;
    if (parse_named(argv[0], proxy_names, 4, &usage) != 0)
        return cli_fail(argv[0], BITS_E_INVALIDARG);
    return report(c, "setproxysettings",
                  bits_job_set_proxy_settings(job, usage, argc > 1 ? argv[1] : NULL,
                                              argc > 2 ? argv[2] : NULL));
}

static int cmd_setcredentials(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    uint32_t target, scheme;
    if (parse_named(argv[0], target_names, 3, &target) != 0 ||
        parse_named(argv[1], scheme_names, 6, &scheme) != 0)
        return cli_fail("setcredentials", BITS_E_INVALIDARG);
    const char *user = strcasecmp(argv[2], "NULL") == 0 ? NULL : argv[2];
    const char *pass = strcasecmp(argv[3], "NULL") == 0 ? NULL : argv[3];
    return report(c, "setcredentials", bits_job_set_credentials(job, target, scheme, user, pass));
}

/* ---- commands without a job ---------------------------------------------------- */

static int cmd_create(cli *c, int argc, char **argv)
{
    (void)argc;
    bits_guid id;
    bits_job *job;
    bits_hresult hr = bits_manager_create_job(c->mgr, argv[0], BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (bits_failed(hr))
        return cli_fail("create", hr);
    char *text = NULL;
    bits_guid_to_string(&id, &text);
    if (c->json)
        printf("{\"id\": \"%s\"}\n", text);
    else
        printf("%s\n", text);
    bits_free(text);
    bits_job_release(job);
    return EXIT_OK;
}

static int for_each_job(cli *c, int (*fn)(cli *, bits_job *, void *), void *data)
{
    bits_job_enum *e;
    bits_hresult hr = bits_manager_enum_jobs(c->mgr, c->all_users ? BG_JOB_ENUM_ALL_USERS : 0, &e);
    if (bits_failed(hr))
        return cli_fail("list", hr);
    bits_job *job;
    int rc = EXIT_OK;
    while (bits_job_enum_next(e, 1, &job, NULL) == BITS_S_OK) {
        int r = fn(c, job, data);
        if (r != EXIT_OK)
            rc = r;
        bits_job_release(job);
    }
    bits_job_enum_free(e);
    return rc;
}

typedef struct list_opts {
    int first;
    int verbose;
} list_opts;

static int print_one(cli *c, bits_job *job, void *data)
{
    list_opts *o = data;
    if (c->json && !o->first)
        fputs(", ", stdout);
    o->first = 0;
    cli_print_job(c, job, o->verbose);
    return EXIT_OK;
}

static int cmd_list(cli *c, int argc, char **argv)
{
    list_opts o = { 1, 0 };
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
            o.verbose = 1;
        else if (strcmp(argv[i], "--all") == 0)
            c->all_users = 1;
    }
    if (c->json)
        fputs("[", stdout);
    int rc = for_each_job(c, print_one, &o);
    if (c->json)
        fputs("]\n", stdout);
    return rc;
}

static int cancel_one(cli *c, bits_job *job, void *data)
{
    (void)data;
    (void)c;
    bits_hresult hr = bits_job_cancel(job);
    return bits_failed(hr) ? cli_fail("cancel", hr) : EXIT_OK;
}

static int cmd_reset(cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    int rc = for_each_job(c, cancel_one, NULL);
    if (!c->quiet && !c->json)
        printf("all jobs cancelled\n");
    return rc;
}

static int cmd_monitor(cli *c, int argc, char **argv)
{
    int rounds = argc > 1 && strcmp(argv[0], "--count") == 0 ? atoi(argv[1]) : -1;
    for (int i = 0; rounds < 0 || i < rounds; i++) {
        if (isatty(fileno(stdout)) && !c->json)
            fputs("\033[H\033[2J", stdout); /* refresh in place on a terminal */
        cmd_list(c, 0, NULL);
        fflush(stdout);
        struct timespec ts = { 1, 0 };
        if (rounds < 0 || i + 1 < rounds)
            nanosleep(&ts, NULL);
    }
    return EXIT_OK;
}

/* ---- dispatch ---------------------------------------------------------------- */

typedef struct command {
    const char *name;
    int min_args, max_args; /* after the job, for job commands */
    job_cmd on_job;          /* NULL: a command without a job */
    int (*plain)(cli *c, int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    { "create", 1, 1, NULL, cmd_create, "create NAME" },
    { "addfile", 2, 2, cmd_addfile, NULL, "addfile JOB URL DEST" },
    { "addfileset", 1, 1, cmd_addfileset, NULL, "addfileset JOB FILE  (lines: URL DEST)" },
    { "resume", 0, 0, cmd_resume, NULL, "resume JOB" },
    { "suspend", 0, 0, cmd_suspend, NULL, "suspend JOB" },
    { "cancel", 0, 0, cmd_cancel, NULL, "cancel JOB" },
    { "complete", 0, 0, cmd_complete, NULL, "complete JOB" },
    { "info", 0, 1, cmd_info, NULL, "info JOB [--verbose]" },
    { "list", 0, 2, NULL, cmd_list, "list [--all] [--verbose]" },
    { "monitor", 0, 2, NULL, cmd_monitor, "monitor [--count N]" },
    { "getstate", 0, 0, cmd_getstate, NULL, "getstate JOB" },
    { "geterror", 0, 0, cmd_geterror, NULL, "geterror JOB" },
    { "setpriority", 1, 1, cmd_setpriority, NULL, "setpriority JOB FOREGROUND|HIGH|NORMAL|LOW" },
    { "setdisplayname", 1, 1, cmd_setdisplayname, NULL, "setdisplayname JOB NAME" },
    { "setdescription", 1, 1, cmd_setdescription, NULL, "setdescription JOB TEXT" },
    { "setminretrydelay", 1, 1, cmd_setminretrydelay, NULL, "setminretrydelay JOB SECONDS" },
    { "setnoprogresstimeout", 1, 1, cmd_setnoprogresstimeout, NULL,
      "setnoprogresstimeout JOB SECONDS" },
    { "setmaxdownloadtime", 1, 1, cmd_setmaxdownloadtime, NULL, "setmaxdownloadtime JOB SECONDS" },
    { "setnotifycmdline", 1, 2, cmd_setnotifycmdline, NULL,
      "setnotifycmdline JOB PROGRAM|NULL [PARAMETERS]" },
    { "setnotifyflags", 1, 1, cmd_setnotifyflags, NULL, "setnotifyflags JOB FLAGS" },
    { "setcustomheaders", 1, 1, cmd_setcustomheaders, NULL,
      "setcustomheaders JOB \"Name: value\\r\\n...\"|NULL" },
    { "setproxysettings", 1, 3, cmd_setproxysettings, NULL,
      "setproxysettings JOB PRECONFIG|NO_PROXY|OVERRIDE [LIST [BYPASS]]" },
    { "setcredentials", 4, 4, cmd_setcredentials, NULL,
      "setcredentials JOB SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE USER|NULL PASSWORD|NULL" },
    { "setsecurityflags", 1, 1, cmd_setsecurityflags, NULL, "setsecurityflags JOB FLAGS" },
    { "reset", 0, 0, NULL, cmd_reset, "reset  (cancel every job of the store)" },
};

void cli_usage(FILE *out);
void cli_usage(FILE *out)
{
    fputs("usage: openbits [--store DIR] [--json] [--quiet] COMMAND ...\n"
          "       openbits /SWITCH ...   (bitsadmin spelling)\n\ncommands:\n"
          "  transfer [--name NAME] [--priority P] [--max-bandwidth B/S] URL DEST [URL DEST ...]\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
}

int cli_run(cli *c, int argc, char **argv)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const command *cmd = &commands[i];
        if (strcmp(argv[0], cmd->name) != 0)
            continue;
        int given = argc - 1 - (cmd->on_job ? 1 : 0);
        if ((argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) ||
            given < cmd->min_args || given > cmd->max_args) {
            fprintf(argc > 1 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
                    "usage: openbits %s\n", cmd->usage);
            return argc > 1 && strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
        }
        int rc = cli_open(c);
        if (rc != EXIT_OK)
            return rc;
        if (!cmd->on_job)
            return cmd->plain(c, argc - 1, argv + 1);
        bits_job *job = cli_find_job(c, argv[1]);
        if (!job)
            return EXIT_FAILED;
        rc = cmd->on_job(c, job, argc - 2, argv + 2);
        bits_job_release(job);
        return rc;
    }
    fprintf(stderr, "openbits: unknown command '%s' (openbits --help lists them)\n", argv[0]);
    return EXIT_USAGE;
}
