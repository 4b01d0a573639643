/* cli_commands.c - the subcommands of `openbits`. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
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
    else if (c->quiet)
        ;
    else if (c->bitsadmin) /* the bitsadmin spelling says what happened */
        printf("%s: %s\n", what, bits_hresult_name(hr));
    else if (hr != BITS_S_OK) /* a success that did nothing: say so, quietly */
        fprintf(stderr, "openbits: %s: nothing to do (%s)\n", what, bits_hresult_name(hr));
    return EXIT_OK;
}

/* resume JOB [--wait]: with --wait, like PowerShell's Resume-BitsTransfer,
 * it stays to show progress and completes the job (as transfer does).
 * Without it, a job nobody will transfer is pointed out. */
static int cmd_resume(cli *c, bits_job *job, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    bits_hresult hr = bits_job_resume(job);
    if (!c->o.wait || bits_failed(hr)) {
        int rc = cli_report(c, "resume", hr);
        if (rc == EXIT_OK) {
            bits_guid id;
            char *text = NULL;
            bits_job_get_id(job, &id);
            bits_guid_to_string(&id, &text);
            cli_note_unserved(c, text ? text : "JOB");
            bits_free(text);
        }
        return rc;
    }
    cli_wait_opts w = { CLI_UNSET, CLI_UNSET, 0, 0 };
    return cli_wait_job(c, job, &w);
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

/* The checks transfer makes, for one URL and its destination (NULL: the
 * URL's name in the current directory). New string, or NULL after a
 * usage error naming the argument. */
static char *checked_dest(cli *c, const char *url, const char *dest)
{
    char why[512], *name = NULL, *out = NULL, *shown = cli_url(url);
    if (cli_check_source(url, why, sizeof why) != 0)
        cli_usage_error(c, "%s: %s", shown ? shown : "?", why);
    else if ((!dest || dest[strlen(dest) - 1] == '/' || cli_is_directory(dest)) &&
             !(name = cli_source_file_name(url, why, sizeof why)))
        cli_usage_error(c, "%s %s", shown ? shown : "?", why);
    else if (!(out = cli_resolve_dest(dest, NULL, name, why, sizeof why)))
        cli_usage_error(c, "%s: %s", dest ? dest : name, why);
    free(shown);
    free(name);
    return out;
}

static int cmd_addfile(cli *c, bits_job *job, int argc, char **argv)
{
    char *dest = checked_dest(c, argv[0], argc > 1 ? argv[1] : NULL);
    if (!dest)
        return EXIT_USAGE;
    bits_hresult hr = bits_job_add_file(job, argv[0], dest);
    free(dest);
    return cli_report(c, "addfile", hr);
}

/* One "URL DEST" line of an addfileset file into @p info (new strings);
 * 0 for a file, 1 for a blank or "#" comment line, -1 when malformed
 * (the reason in @p why). */
static int parse_file_line(const char *line, bits_file_info *info, char *why, size_t n)
{
    char *remote = NULL, *local = NULL, *extra = NULL;
    int words = sscanf(line, "%ms %ms %ms", &remote, &local, &extra);
    int rc = words <= 0 || remote[0] == '#' ? 1 : words == 2 ? 0 : -1;
    if (rc < 0)
        snprintf(why, n, "expected \"URL DEST\"");
    char reason[400];
    if (rc == 0 && cli_check_source(remote, reason, sizeof reason) != 0) {
        char *shown = cli_url(remote);
        snprintf(why, n, "%s: %s", shown ? shown : "?", reason);
        free(shown);
        rc = -1;
    }
    if (rc == 0) {
        char *name = NULL;
        if (local[strlen(local) - 1] == '/' || cli_is_directory(local))
            name = cli_source_file_name(remote, reason, sizeof reason);
        info->local_name = name || !(local[strlen(local) - 1] == '/' || cli_is_directory(local))
                               ? cli_resolve_dest(local, NULL, name, reason, sizeof reason)
                               : NULL;
        free(name);
        if (!info->local_name) {
            snprintf(why, n, "%s: %s", local, reason);
            rc = -1;
        } else {
            info->remote_name = remote;
        }
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
    if (!f)
        return cli_usage_error(c, "%s: %s", argv[0], strerror(errno));
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
        char why[600];
        int r = parse_file_line(line, &infos[n], why, sizeof why);
        if (r < 0)
            rc = cli_usage_error(c, "%s:%u: %s", argv[0], lineno, why);
        n += r == 0;
    }
    free(line);
    fclose(f);
    if (rc == EXIT_OK && n == 0)
        rc = cli_usage_error(c, "%s holds no \"URL DEST\" lines", argv[0]);
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
    (void)argc, (void)argv;
    cli_print_job(c, job, c->o.verbose || c->verbose);
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
    /* The file it is about, as bitsadmin's /geterror names it. */
    bits_file *file = NULL;
    char *remote = NULL, *local = NULL, *shown = NULL;
    if (bits_error_get_file(err, &file) == BITS_S_OK && file) {
        bits_file_get_remote_name(file, &remote);
        bits_file_get_local_name(file, &local);
        shown = cli_url(remote);
        bits_file_release(file);
    }
    if (c->json) {
        printf("{\"code\": %u, \"name\": \"%s\", \"context\": %u, \"description\": ",
               (unsigned)code, bits_hresult_name(code), context);
        json_string(stdout, desc);
        fputs(", \"context_description\": ", stdout);
        json_string(stdout, ctx_desc);
        fputs(", \"file\": ", stdout);
        if (shown) {
            fputs("{\"remote_name\": ", stdout);
            json_string(stdout, shown);
            fputs(", \"local_name\": ", stdout);
            json_string(stdout, local);
            fputs("}", stdout);
        } else {
            fputs("null", stdout);
        }
        fputs("}\n", stdout);
    } else {
        printf("%s (0x%08X): %s\ncontext %u: %s\n", bits_hresult_name(code), (unsigned)code,
               desc ? cli_sanitize(desc) : "", context, ctx_desc ? ctx_desc : "");
        if (shown)
            printf("file %s -> %s\n", shown, local ? cli_sanitize(local) : "?");
    }
    free(shown);
    bits_free(remote);
    bits_free(local);
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
    (void)argc, (void)argv;
    list_opts o = { 1, c->o.verbose || c->verbose };
    c->all_users = c->o.all;
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
    (void)argc, (void)argv;
    uint64_t rounds = c->o.count, refresh = c->o.refresh ? c->o.refresh : 1;
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

static int cmd_help(cli *c, int argc, char **argv)
{
    (void)c, (void)argc, (void)argv;
    cli_usage(stdout);
    return EXIT_OK;
}

/* ---- options ------------------------------------------------------------------ */

/* Long-only options; short ones are their letter. */
enum {
    O_JSON = 256,
    O_STORE,
    O_MAX_BANDWIDTH,
    O_RETRIES,
    O_RETRY_DELAY,
    O_NO_PROGRESS,
    O_TIMEOUT,
    O_KEEP,
    O_PROGRESS,
    O_REFRESH,
};

#define COMMON_LONG                                                                           \
    { "help", no_argument, NULL, 'h' }, { "quiet", no_argument, NULL, 'q' },                 \
        { "verbose", no_argument, NULL, 'v' }, { "json", no_argument, NULL, O_JSON },         \
        { "store", required_argument, NULL, O_STORE }
#define COMMON_SHORT "hqv"

static const struct option no_options[] = { COMMON_LONG, { 0 } };
static const struct option transfer_options[] = {
    COMMON_LONG,
    { "name", required_argument, NULL, 'n' },
    { "priority", required_argument, NULL, 'p' },
    { "output", required_argument, NULL, 'o' },
    { "remote-name", no_argument, NULL, 'O' },
    { "dir", required_argument, NULL, 'd' },
    { "input-file", required_argument, NULL, 'i' },
    { "files-in-flight", required_argument, NULL, 'j' },
    { "continue", no_argument, NULL, 'c' },
    { "max-bandwidth", required_argument, NULL, O_MAX_BANDWIDTH },
    { "limit-rate", required_argument, NULL, O_MAX_BANDWIDTH },
    { "retries", required_argument, NULL, O_RETRIES },
    { "retry-delay", required_argument, NULL, O_RETRY_DELAY },
    { "no-progress-timeout", required_argument, NULL, O_NO_PROGRESS },
    { "timeout", required_argument, NULL, O_TIMEOUT },
    { "keep", no_argument, NULL, O_KEEP },
    { "progress", required_argument, NULL, O_PROGRESS },
    { 0 }
};
static const struct option resume_options[] = {
    COMMON_LONG, { "wait", no_argument, NULL, 'w' }, { "progress", required_argument, NULL, O_PROGRESS },
    { 0 }
};
static const struct option list_options[] = { COMMON_LONG, { "all", no_argument, NULL, 'a' }, { 0 } };
static const struct option monitor_options[] = {
    COMMON_LONG, { "count", required_argument, NULL, 'n' },
    { "refresh", required_argument, NULL, O_REFRESH }, { 0 }
};

/* ---- dispatch ---------------------------------------------------------------- */

typedef struct command {
    const char *name;
    int min_args, max_args; /* after the job, for job commands */
    cli_job_cmd on_job;      /* NULL: a command without a job */
    int (*plain)(cli *c, int argc, char **argv);
    const char *usage;
    const char *shortopts;   /* besides COMMON_SHORT */
    const struct option *longopts;
    const char *help;        /* what --help adds under the usage */
} command;

static const char transfer_help[] =
    "Downloads the URLs into one job, shows its progress on stderr and completes it.\n"
    "DEST: a file, or a directory (existing, or ending in /) to put the URL's file name in;\n"
    "without DEST the URL's last path segment in the current directory (or -d DIR).\n"
    "  -o, --output=FILE            DEST of the only URL (as curl -o)\n"
    "  -O, --remote-name            the URL's name (the default; as curl -O)\n"
    "  -d, --dir=DIR                where files without a DEST go (default: .)\n"
    "  -i, --input-file=FILE        more URLs, one a line; \"  dir=DIR\" and \"  out=NAME\"\n"
    "                               lines set the previous one's (aria2c); - is stdin\n"
    "  -j, --files-in-flight=N      files transferred at once, 1-64 (default 1, in order)\n"
    "  -c, --continue               continue an unfinished job of the same URLs and DESTs\n"
    "                               (its bytes are kept) instead of starting anew\n"
    "  -n, --name=NAME              the job's display name (default \"openbits transfer\")\n"
    "  -p, --priority=P             FOREGROUND, HIGH, NORMAL or LOW (0-3)\n"
    "      --max-bandwidth=RATE     cap, e.g. 500k, 5M, 1.5MiB, 10MB/s (--limit-rate too)\n"
    "      --retries=N|unlimited    give up after N transient errors\n"
    "      --retry-delay=DURATION   wait between tries (at least 5s), e.g. 30s, 10m\n"
    "      --no-progress-timeout=DURATION  fail after this long without progress\n"
    "      --timeout=DURATION       give up when not done within DURATION\n"
    "      --keep                   keep a job that failed or gave up (default: cancel it)\n"
    "      --progress=auto|bar|plain|none   how progress is shown (auto: bar on a terminal)\n"
    "  -v, --verbose                trace requests, responses and state changes (curl -v)\n"
    "  -q, --quiet                  show nothing but errors\n"
    "On a terminal transfer fails fast: --retries 3 --retry-delay 5s\n"
    "--no-progress-timeout 60s unless given; otherwise BITS's defaults (retry every 10m for\n"
    "14 days). Ctrl-C suspends the job and prints the command that continues it.\n";

static const command commands[] = {
    { "create", 1, 1, NULL, cmd_create, "create NAME", "", no_options, NULL },
    { "addfile", 1, 2, cmd_addfile, NULL, "addfile JOB URL [DEST]", "", no_options,
      "DEST as for transfer: a file, a directory, or (none) the URL's name here.\n" },
    { "addfileset", 1, 1, cmd_addfileset, NULL, "addfileset JOB FILE  (lines: URL DEST)", "",
      no_options, NULL },
    { "resume", 0, 0, cmd_resume, NULL, "resume JOB [--wait]", "w", resume_options,
      "  -w, --wait            stay: show progress, complete the job (as transfer)\n"
      "      --progress=MODE   auto, bar, plain or none\n"
      "  -v, --verbose         with --wait: the trace\n" },
    { "suspend", 0, 0, cmd_suspend, NULL, "suspend JOB", "", no_options, NULL },
    { "cancel", 0, 0, cmd_cancel, NULL, "cancel JOB", "", no_options, NULL },
    { "complete", 0, 0, cmd_complete, NULL, "complete JOB", "", no_options, NULL },
    { "info", 0, 0, cmd_info, NULL, "info JOB [--verbose]", "", no_options,
      "  -v, --verbose   settings, files and error too\n" },
    { "list", 0, 0, NULL, cmd_list, "list [--all] [--verbose]", "a", list_options,
      "  -a, --all       every user's jobs (root only)\n"
      "  -v, --verbose   settings, files and errors too\n" },
    { "monitor", 0, 0, NULL, cmd_monitor, "monitor [--count N] [--refresh SECONDS]", "n:",
      monitor_options,
      "  -n, --count=N              N rounds, then exit (default: until Ctrl-C)\n"
      "      --refresh=DURATION     between rounds (default 1s)\n" },
    { "status", 0, 0, NULL, cli_cmd_status, "status  (who runs the store's transfers)", "",
      no_options, NULL },
    { "getstate", 0, 0, cmd_getstate, NULL, "getstate JOB", "", no_options, NULL },
    { "geterror", 0, 0, cmd_geterror, NULL, "geterror JOB", "", no_options, NULL },
    { "setpriority", 1, 1, cli_cmd_setpriority, NULL,
      "setpriority JOB FOREGROUND|HIGH|NORMAL|LOW", "", no_options, NULL },
    { "setdisplayname", 1, 1, cli_cmd_setdisplayname, NULL, "setdisplayname JOB NAME", "",
      no_options, NULL },
    { "setdescription", 1, 1, cli_cmd_setdescription, NULL, "setdescription JOB TEXT", "",
      no_options, NULL },
    { "setminretrydelay", 1, 1, cli_cmd_setminretrydelay, NULL, "setminretrydelay JOB SECONDS",
      "", no_options, "SECONDS may be a duration: 90, 30s, 10m, 1h30m, 2d.\n" },
    { "setnoprogresstimeout", 1, 1, cli_cmd_setnoprogresstimeout, NULL,
      "setnoprogresstimeout JOB SECONDS", "", no_options,
      "SECONDS may be a duration: 90, 30s, 10m, 1h30m, 2d.\n" },
    { "setmaxdownloadtime", 1, 1, cli_cmd_setmaxdownloadtime, NULL,
      "setmaxdownloadtime JOB SECONDS", "", no_options,
      "SECONDS may be a duration: 90, 30s, 10m, 1h30m, 2d.\n" },
    { "setnotifycmdline", 1, 2, cli_cmd_setnotifycmdline, NULL,
      "setnotifycmdline JOB PROGRAM|NULL [PARAMETERS|NULL]", "", no_options, NULL },
    { "setnotifyflags", 1, 1, cli_cmd_setnotifyflags, NULL, "setnotifyflags JOB FLAGS", "",
      no_options, NULL },
    { "setcustomheaders", 1, 1, cli_cmd_setcustomheaders, NULL,
      "setcustomheaders JOB \"Name: value\\r\\n...\"|NULL", "", no_options, NULL },
    { "setproxysettings", 1, 3, cli_cmd_setproxysettings, NULL,
      "setproxysettings JOB PRECONFIG|NO_PROXY|OVERRIDE [LIST [BYPASS]]", "", no_options, NULL },
    { "setcredentials", 4, 4, cli_cmd_setcredentials, NULL,
      "setcredentials JOB SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE USER|NULL PASSWORD|-|NULL"
      "  (- reads it from standard input)",
      "", no_options, NULL },
    { "removecredentials", 2, 2, cli_cmd_removecredentials, NULL,
      "removecredentials JOB SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE", "", no_options, NULL },
    { "setsecurityflags", 1, 1, cli_cmd_setsecurityflags, NULL, "setsecurityflags JOB FLAGS", "",
      no_options, NULL },
    { "setmaxbandwidth", 1, 1, cli_cmd_setmaxbandwidth, NULL,
      "setmaxbandwidth JOB RATE  (bytes/s, 500k, 5M, 1.5MiB; 0 = uncapped)", "", no_options,
      NULL },
    { "limits", 0, 0, NULL, cli_cmd_limits, "limits  (the store's limits)", "", no_options,
      NULL },
    { "setlimit", 2, 2, NULL, cli_cmd_setlimit,
      "setlimit jobs|files_per_job|ranges_per_file|max_bandwidth|time_slice_ms|stall_timeout "
      "VALUE",
      "", no_options, NULL },
    { "reset", 0, 0, NULL, cmd_reset, "reset  (cancel every job of the store)", "", no_options,
      NULL },
    { "help", 0, 0, NULL, cmd_help, "help  (this list)", "", no_options, NULL },
};

static const command transfer_command = {
    "transfer", 0, -1, NULL, cli_transfer_main,
    "transfer [OPTIONS] URL [DEST] [URL [DEST]...]", "n:p:o:Od:i:j:c", transfer_options,
    transfer_help
};

static const command *find_command(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "transfer") == 0)
        return &transfer_command;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    }
    return NULL;
}

void cli_usage(FILE *out)
{
    fprintf(out, "usage: openbits [OPTIONS] COMMAND [ARGS...]\n"
                 "       openbits /SWITCH ...   (bitsadmin spelling; /? lists them)\n\n"
                 "commands:\n  %s\n",
            transfer_command.usage);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fputs("\noptions (before or after the command):\n"
          "  --store=DIR     the job store (default $XDG_STATE_HOME/openbits)\n"
          "  --json          reports as JSON\n"
          "  -q, --quiet     nothing but errors\n"
          "  -v, --verbose   more detail; with transfer, resume --wait: the trace (curl -v)\n"
          "  -h, --help      usage (openbits COMMAND --help: the command's)\n"
          "  -V, --version   the version\n"
          "\nexit: 0 done, 1 job in ERROR (or transfer gave up), 2 usage, 3 cancelled,\n"
          "      4 interrupted, 5 a call failed\n"
          "man openbits: every command, option, switch and JSON key\n",
          out);
}

int cli_usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    const command *cmd = find_command(c ? c->command : NULL);
    char *message = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&message, fmt, ap);
    va_end(ap);
    /* It quotes the argument: its control characters never reach the terminal. */
    fprintf(stderr, "openbits: %s%s%s\n", cmd ? cmd->name : "", cmd ? ": " : "",
            n >= 0 ? cli_sanitize(message) : fmt);
    if (n >= 0)
        free(message);
    if (cmd)
        fprintf(stderr, "usage: openbits %s\n", cmd->usage);
    else
        fputs("openbits --help lists the commands\n", stderr);
    return EXIT_USAGE;
}

/* One option of a command; EXIT_OK or a usage error naming it. */
static int apply_option(cli *c, int code, const char *name, const char *arg)
{
    cli_opts *o = &c->o;
    uint64_t v;
    uint32_t u;
    switch (code) {
    case 'h': o->help = 1; return EXIT_OK;
    case 'q': c->quiet = 1; return EXIT_OK;
    case 'v': o->verbose = 1; return EXIT_OK;
    case O_JSON: c->json = 1; return EXIT_OK;
    case O_STORE: c->store = arg; return EXIT_OK;
    case 'a': o->all = 1; return EXIT_OK;
    case 'w': o->wait = 1; return EXIT_OK;
    case 'O': return EXIT_OK; /* the URL's name is the default */
    case 'c': o->continue_job = 1; return EXIT_OK;
    case O_KEEP: o->keep = 1; return EXIT_OK;
    case 'n':
        if (strcmp(c->command, "monitor") == 0) {
            if (cli_parse_count(arg, 1, UINT32_MAX, &o->count) != 0)
                return cli_usage_error(c, "%s: '%s' is not a count (1, 2, ...)", name, arg);
        } else {
            o->name = arg;
        }
        return EXIT_OK;
    case 'p':
        if (cli_parse_priority(arg, &u) != 0)
            return cli_usage_error(
                c, "%s: '%s' is not a priority (FOREGROUND, HIGH, NORMAL, LOW or 0-3)", name, arg);
        o->priority = (int)u;
        return EXIT_OK;
    case 'o':
        if (!*arg)
            return cli_usage_error(c, "%s: an empty name names no file", name);
        o->output = arg;
        return EXIT_OK;
    case 'd':
        if (!*arg)
            return cli_usage_error(c, "%s: an empty name names no directory", name);
        o->dir = arg;
        return EXIT_OK;
    case 'i': o->input_file = arg; return EXIT_OK;
    case 'j':
        if (cli_parse_count(arg, 1, 64, &v) != 0)
            return cli_usage_error(c, "%s: '%s' is not a number from 1 to 64", name, arg);
        o->files_in_flight = (uint32_t)v;
        return EXIT_OK;
    case O_MAX_BANDWIDTH:
        if (cli_parse_size(arg, UINT64_MAX, 1, &o->max_bandwidth) != 0)
            return cli_usage_error(
                c, "%s: '%s' is not a rate (bytes per second: 500k, 5M, 1.5MiB, 10MB/s)", name,
                arg);
        return EXIT_OK;
    case O_RETRIES:
        if (strcmp(arg, "unlimited") == 0 || strcmp(arg, "inf") == 0)
            o->retries = CLI_RETRIES_UNLIMITED;
        else if (cli_parse_count(arg, 0, CLI_RETRIES_UNLIMITED - 1, &v) == 0)
            o->retries = (uint32_t)v;
        else
            return cli_usage_error(c, "%s: '%s' is not a count (0, 1, 2, ... or unlimited)", name,
                                   arg);
        return EXIT_OK;
    case O_RETRY_DELAY:
    case O_NO_PROGRESS:
    case O_TIMEOUT:
    case O_REFRESH:
        if (cli_parse_duration(arg, &u) != 0 || u == CLI_UNSET)
            return cli_usage_error(c, "%s: '%s' is not a duration (90, 30s, 10m, 1h30m, 2d)",
                                   name, arg);
        if ((code == O_TIMEOUT || code == O_REFRESH) && u == 0)
            return cli_usage_error(c, "%s: must be at least 1s", name);
        if (code == O_REFRESH && u > 86400)
            return cli_usage_error(c, "%s: at most a day (86400)", name);
        *(code == O_RETRY_DELAY   ? &o->retry_delay
          : code == O_NO_PROGRESS ? &o->no_progress
          : code == O_TIMEOUT     ? &o->timeout
                                  : &o->refresh) = u;
        return EXIT_OK;
    case O_PROGRESS: {
        static const char *const modes[] = { "auto", "bar", "plain", "none" };
        for (int i = 0; i < 4; i++) {
            if (strcmp(arg, modes[i]) == 0) {
                o->progress = i;
                return EXIT_OK;
            }
        }
        return cli_usage_error(c, "%s: '%s' is not one of auto, bar, plain, none", name, arg);
    }
    default: return cli_usage_error(c, "unknown option %s", name);
    }
}

/* Parses the options of @p cmd (anywhere among its arguments, GNU style;
 * "--" ends them) into c->o and leaves the rest in argv[*first..argc). */
static int parse_options(cli *c, const command *cmd, int argc, char **argv, int *first)
{
    struct option longopts[48];
    size_t n = 0;
    for (const struct option *p = cmd->longopts; p->name && n < 47; p++)
        longopts[n++] = *p;
    memset(&longopts[n], 0, sizeof longopts[n]);
    char shortopts[64];
    snprintf(shortopts, sizeof shortopts, ":%s%s", COMMON_SHORT, cmd->shortopts);
    optind = 0; /* glibc: start afresh */
    opterr = 0;
    for (;;) {
        int index = -1;
        int code = getopt_long(argc, argv, shortopts, longopts, &index);
        if (code == -1)
            break;
        char name[64];
        if (index >= 0)
            snprintf(name, sizeof name, "--%s", longopts[index].name);
        else
            snprintf(name, sizeof name, "-%c", code == '?' || code == ':' ? optopt : code);
        if (code == '?') {
            const char *written = argv[optind - 1];
            if (strncmp(written, "--", 2) != 0)
                return cli_usage_error(c, "unknown option -%c", optopt);
            int len = (int)strcspn(written, "=");
            for (size_t k = 0; written[len] == '=' && k < n; k++) {
                if ((int)strlen(longopts[k].name) == len - 2 &&
                    strncmp(longopts[k].name, written + 2, (size_t)len - 2) == 0)
                    return cli_usage_error(c, "%.*s takes no value", len, written);
            }
            return cli_usage_error(c, "unknown option %.*s", len, written);
        }
        if (code == ':') {
            const char *written = argv[optind - 1];
            if (strncmp(written, "--", 2) == 0)
                return cli_usage_error(c, "%.*s needs a value", (int)strcspn(written, "="),
                                       written);
            return cli_usage_error(c, "-%c needs a value", optopt);
        }
        int rc = apply_option(c, code, name, optarg);
        if (rc != EXIT_OK)
            return rc;
    }
    *first = optind;
    return EXIT_OK;
}

int cli_run(cli *c, int argc, char **argv)
{
    const command *cmd = find_command(argv[0]);
    if (!cmd) {
        c->command = NULL;
        if (argv[0][0] == '-')
            return cli_usage_error(c, "unknown option %s", argv[0]);
        return cli_usage_error(c, "unknown command '%s'", argv[0]);
    }
    c->command = cmd->name;
    c->o.priority = -1;
    c->o.retries = c->o.retry_delay = c->o.no_progress = c->o.timeout = CLI_UNSET;
    c->o.verbose = c->verbose;
    int first;
    int rc = parse_options(c, cmd, argc, argv, &first);
    if (rc != EXIT_OK)
        return rc;
    if (c->o.help) {
        printf("usage: openbits %s\n", cmd->usage);
        if (cmd->help)
            fputs(cmd->help, stdout);
        return EXIT_OK;
    }
    int nargs = argc - first;
    char **args = argv + first;
    if (cmd == &transfer_command)
        return cli_transfer_main(c, nargs, args);
    int given = nargs - (cmd->on_job ? 1 : 0);
    if (cmd->on_job && nargs < 1)
        return cli_usage_error(c, "missing JOB (a GUID or a display name)");
    if (given < cmd->min_args)
        return cli_usage_error(c, "missing argument%s", cmd->min_args - given > 1 ? "s" : "");
    if (given > cmd->max_args)
        return cli_usage_error(c, "unexpected argument '%s'", args[nargs - given + cmd->max_args]);
    if (cmd->on_job && (rc = cli_check_setter_args(c, cmd->name, nargs - 1, args + 1)) != EXIT_OK)
        return rc;
    if (!cmd->on_job && (rc = cli_check_setter_args(c, cmd->name, nargs, args)) != EXIT_OK)
        return rc;
    if (cmd->plain == cmd_help)
        return cmd_help(c, 0, NULL);
    if (c->o.wait && (rc = cli_wait_prepare(c)) != EXIT_OK)
        return rc;
    if ((rc = cli_open(c)) != EXIT_OK)
        return rc;
    if (!cmd->on_job)
        return cmd->plain(c, nargs, args);
    bits_job *job = cli_find_job(c, args[0]);
    if (!job)
        return EXIT_FAILED;
    rc = cmd->on_job(c, job, nargs - 1, args + 1);
    bits_job_release(job);
    return rc;
}
