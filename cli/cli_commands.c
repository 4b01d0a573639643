/* cli_commands.c - the subcommands of `openbits`. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- commands on one job ------------------------------------------------------ */

int cli_report(cli *c, const char *what, bits_hresult hr)
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

/* resume JOB [--wait]: with --wait, like PowerShell's Resume-BitsTransfer,
 * it stays to show progress and completes the job (as transfer does). */
static int cmd_resume(cli *c, bits_job *job, int argc, char **argv)
{
    int wait = argc > 0 && strcmp(argv[0], "--wait") == 0;
    if (argc > 0 && !wait) {
        fprintf(stderr, "usage: openbits resume JOB [--wait]\n");
        return EXIT_USAGE;
    }
    bits_hresult hr = bits_job_resume(job);
    if (!wait || bits_failed(hr))
        return cli_report(c, "resume", hr);
    return cli_wait_job(c, job);
}

static int cmd_suspend(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    return cli_report(c, "suspend", bits_job_suspend(job));
}

static int cmd_cancel(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    return cli_report(c, "cancel", bits_job_cancel(job));
}

static int cmd_complete(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc, (void)argv;
    return cli_report(c, "complete", bits_job_complete(job));
}

static int cmd_addfile(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    char *dest = cli_absolute_path(argv[1]);
    bits_hresult hr = bits_job_add_file(job, argv[0], dest);
    free(dest);
    return cli_report(c, "addfile", hr);
}

/* One "URL DEST" line of an addfileset file into @p info (new strings);
 * 0 for a file, 1 for a blank or "#" comment line, -1 when malformed. */
static int parse_file_line(const char *line, bits_file_info *info)
{
    char *remote = NULL, *local = NULL, *extra = NULL;
    int n = sscanf(line, "%ms %ms %ms", &remote, &local, &extra);
    int rc = n <= 0 || remote[0] == '#' ? 1 : n == 2 ? 0 : -1;
    if (rc == 0) {
        info->remote_name = remote;
        info->local_name = cli_absolute_path(local);
        if (!info->local_name)
            rc = -1;
    }
    if (rc != 0)
        free(remote);
    free(local);
    free(extra);
    return rc;
}

/* bitsadmin's /addfileset file: "URL DEST" per line, space separated, "#"
 * starts a comment line. Added all or nothing (bits_job_add_file_set). */
static int cmd_addfileset(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    FILE *f = fopen(argv[0], "r");
    if (!f) {
        perror(argv[0]);
        return EXIT_FAILED;
    }
    bits_file_info *infos = NULL;
    size_t n = 0, size = 0, len = 0;
    char *line = NULL;
    int rc = EXIT_OK;
    for (unsigned lineno = 1; rc == EXIT_OK && getline(&line, &len, f) >= 0; lineno++) {
        if (n == size) {
            size = size ? 2 * size : 16;
            bits_file_info *grown = realloc(infos, size * sizeof *infos);
            if (!grown) {
                rc = cli_fail("addfileset", BITS_E_OUTOFMEMORY);
                break;
            }
            infos = grown;
        }
        int r = parse_file_line(line, &infos[n]);
        if (r < 0) {
            fprintf(stderr, "openbits: %s:%u: expected \"URL DEST\"\n", argv[0], lineno);
            rc = EXIT_USAGE;
        }
        n += r == 0;
    }
    free(line);
    fclose(f);
    if (rc == EXIT_OK && n == 0) {
        fprintf(stderr, "openbits: %s holds no \"URL DEST\" lines\n", argv[0]);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK)
        rc = n > UINT32_MAX ? cli_fail("addfileset", BG_E_TOO_MANY_FILES_IN_JOB)
                            : cli_report(c, "addfileset",
                                         bits_job_add_file_set(job, (uint32_t)n, infos));
    for (size_t i = 0; i < n; i++) {
        free((char *)infos[i].remote_name);
        free((char *)infos[i].local_name);
    }
    free(infos);
    return rc;
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
    (void)c;
    bits_hresult hr = bits_job_cancel(job);
    if (bits_failed(hr))
        return cli_fail("cancel", hr);
    (*(unsigned *)data)++;
    return EXIT_OK;
}

static int cmd_reset(cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    unsigned cancelled = 0;
    int rc = for_each_job(c, cancel_one, &cancelled);
    if (c->json)
        printf("{\"cancelled\": %u}\n", cancelled);
    else if (!c->quiet)
        printf("%u jobs cancelled\n", cancelled);
    return rc;
}

/* monitor [--count N] [--refresh SECONDS]: the job list, redrawn in place
 * on a terminal (appended otherwise), until Ctrl-C or N rounds. */
static int cmd_monitor(cli *c, int argc, char **argv)
{
    uint64_t rounds = 0, refresh = 1;
    for (int i = 0; i < argc; i += 2) {
        /* bitsadmin spells it "/monitor /refresh SECONDS". */
        uint64_t *what = strcmp(argv[i], "--count") == 0 ? &rounds
                         : strcmp(argv[i], "--refresh") == 0 || strcasecmp(argv[i], "/refresh") == 0
                             ? &refresh
                             : NULL;
        if (!what || i + 1 >= argc || cli_parse_number(argv[i + 1], 86400, what) != 0) {
            fprintf(stderr, "usage: openbits monitor [--count N] [--refresh SECONDS]\n");
            return EXIT_USAGE;
        }
    }
    int tty = isatty(fileno(stdout)) && !c->json;
    for (uint64_t i = 0; rounds == 0 || i < rounds; i++) {
        if (tty) {
            time_t now = time(NULL);
            char when[32];
            strftime(when, sizeof when, "%H:%M:%S", localtime(&now));
            printf("\033[H\033[2J"); /* redraw in place */
            printf("openbits monitor, %s, every %llu s (Ctrl-C ends)\n%-38s %-15s %s\n", when,
                   (unsigned long long)refresh, "GUID", "STATE", "NAME  FILES, BYTES");
        }
        int rc = cmd_list(c, 0, NULL);
        if (rc != EXIT_OK)
            return rc;
        fflush(stdout);
        struct timespec ts = { (time_t)refresh, 0 };
        if (rounds == 0 || i + 1 < rounds)
            nanosleep(&ts, NULL);
    }
    return EXIT_OK;
}

/* ---- dispatch ---------------------------------------------------------------- */

typedef struct command {
    const char *name;
    int min_args, max_args; /* after the job, for job commands */
    cli_job_cmd on_job;      /* NULL: a command without a job */
    int (*plain)(cli *c, int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    { "create", 1, 1, NULL, cmd_create, "create NAME" },
    { "addfile", 2, 2, cmd_addfile, NULL, "addfile JOB URL DEST" },
    { "addfileset", 1, 1, cmd_addfileset, NULL, "addfileset JOB FILE  (lines: URL DEST)" },
    { "resume", 0, 1, cmd_resume, NULL, "resume JOB [--wait]" },
    { "suspend", 0, 0, cmd_suspend, NULL, "suspend JOB" },
    { "cancel", 0, 0, cmd_cancel, NULL, "cancel JOB" },
    { "complete", 0, 0, cmd_complete, NULL, "complete JOB" },
    { "info", 0, 1, cmd_info, NULL, "info JOB [--verbose]" },
    { "list", 0, 2, NULL, cmd_list, "list [--all] [--verbose]" },
    { "monitor", 0, 4, NULL, cmd_monitor, "monitor [--count N] [--refresh SECONDS]" },
    { "getstate", 0, 0, cmd_getstate, NULL, "getstate JOB" },
    { "geterror", 0, 0, cmd_geterror, NULL, "geterror JOB" },
    { "setpriority", 1, 1, cli_cmd_setpriority, NULL,
      "setpriority JOB FOREGROUND|HIGH|NORMAL|LOW" },
    { "setdisplayname", 1, 1, cli_cmd_setdisplayname, NULL, "setdisplayname JOB NAME" },
    { "setdescription", 1, 1, cli_cmd_setdescription, NULL, "setdescription JOB TEXT" },
    { "setminretrydelay", 1, 1, cli_cmd_setminretrydelay, NULL, "setminretrydelay JOB SECONDS" },
    { "setnoprogresstimeout", 1, 1, cli_cmd_setnoprogresstimeout, NULL,
      "setnoprogresstimeout JOB SECONDS" },
    { "setmaxdownloadtime", 1, 1, cli_cmd_setmaxdownloadtime, NULL,
      "setmaxdownloadtime JOB SECONDS" },
    { "setnotifycmdline", 1, 2, cli_cmd_setnotifycmdline, NULL,
      "setnotifycmdline JOB PROGRAM|NULL [PARAMETERS|NULL]" },
    { "setnotifyflags", 1, 1, cli_cmd_setnotifyflags, NULL, "setnotifyflags JOB FLAGS" },
    { "setcustomheaders", 1, 1, cli_cmd_setcustomheaders, NULL,
      "setcustomheaders JOB \"Name: value\\r\\n...\"|NULL" },
    { "setproxysettings", 1, 3, cli_cmd_setproxysettings, NULL,
      "setproxysettings JOB PRECONFIG|NO_PROXY|OVERRIDE [LIST [BYPASS]]" },
    { "setcredentials", 4, 4, cli_cmd_setcredentials, NULL,
      "setcredentials JOB SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE USER|NULL PASSWORD|-|NULL"
      "  (- reads it from standard input)" },
    { "removecredentials", 2, 2, cli_cmd_removecredentials, NULL,
      "removecredentials JOB SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE" },
    { "setsecurityflags", 1, 1, cli_cmd_setsecurityflags, NULL, "setsecurityflags JOB FLAGS" },
    { "setmaxbandwidth", 1, 1, cli_cmd_setmaxbandwidth, NULL,
      "setmaxbandwidth JOB BYTES_PER_SECOND  (0 = uncapped)" },
    { "limits", 0, 0, NULL, cli_cmd_limits, "limits  (the store's limits)" },
    { "setlimit", 2, 2, NULL, cli_cmd_setlimit,
      "setlimit jobs|files_per_job|ranges_per_file|max_bandwidth|time_slice_ms|stall_timeout "
      "VALUE" },
    { "reset", 0, 0, NULL, cmd_reset, "reset  (cancel every job of the store)" },
};

static const char transfer_usage[] =
    "transfer [--name NAME] [--priority P] [--max-bandwidth B/S] URL DEST [URL DEST ...]";

void cli_usage(FILE *out)
{
    fprintf(out, "usage: openbits [--store DIR] [--json] [--quiet] COMMAND ...\n"
                 "       openbits /SWITCH ...   (bitsadmin spelling)\n\ncommands:\n  %s\n",
            transfer_usage);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fputs("\nexit: 0 done, 1 job in ERROR, 2 usage, 3 cancelled, 4 interrupted, 5 a call failed\n"
          "man openbits: every command, switch and JSON key\n",
          out);
}

static int is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_run(cli *c, int argc, char **argv)
{
    if (strcmp(argv[0], "transfer") == 0) {
        if (argc > 1 && is_help(argv[1])) {
            printf("usage: openbits %s\n", transfer_usage);
            return EXIT_OK;
        }
        return cli_transfer_main(c, argc, argv);
    }
    if (strcmp(argv[0], "help") == 0) {
        cli_usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const command *cmd = &commands[i];
        if (strcmp(argv[0], cmd->name) != 0)
            continue;
        int given = argc - 1 - (cmd->on_job ? 1 : 0);
        int help = argc > 1 && is_help(argv[1]);
        if (help || given < cmd->min_args || given > cmd->max_args) {
            fprintf(help ? stdout : stderr, "usage: openbits %s\n", cmd->usage);
            return help ? EXIT_OK : EXIT_USAGE;
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
