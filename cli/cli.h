/*
 * cli.h - the pieces of the openbits command-line tool. It uses only the
 * public C API (it is also an example of using it), and the library's
 * pure URL redaction (src/util/redact.c, compiled in): every URL it
 * prints goes through cli_url() or cli_url_list().
 */
#ifndef OPENBITS_CLI_H
#define OPENBITS_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <openbits/experimental.h>
#include <openbits/openbits.h>

/* Exit codes (documented in docs/openbits.1). */
#define EXIT_OK 0
#define EXIT_JOB_ERROR 1      /* the job ended in ERROR, or transfer gave up */
#define EXIT_USAGE 2          /* bad command line: option, value, URL, destination */
#define EXIT_CANCELLED 3      /* the job was cancelled */
#define EXIT_INTERRUPTED 4    /* Ctrl-C: the job was suspended */
#define EXIT_FAILED 5         /* a call failed (store, not found, refused value) */

/* How progress is shown (--progress). */
enum { PROGRESS_AUTO, PROGRESS_BAR, PROGRESS_PLAIN, PROGRESS_NONE };

/* "unset" for the numeric options of transfer. */
#define CLI_UNSET UINT32_MAX

/* What the options of a command asked for (each command reads its own). */
typedef struct cli_opts {
    int help;                 /* -h, --help */
    int verbose;              /* -v, --verbose (info/list: more; waiting: the trace) */
    int all;                  /* list --all */
    int wait;                 /* resume --wait */
    uint64_t count;           /* monitor --count (0: until Ctrl-C) */
    uint32_t refresh;         /* monitor --refresh seconds */
    int progress;             /* --progress */
    /* transfer */
    const char *name;         /* -n, --name */
    int priority;             /* -p, --priority; -1 = default */
    uint64_t max_bandwidth;   /* --max-bandwidth, 0 = uncapped */
    const char *output;       /* -o, --output */
    const char *dir;          /* -d, --dir */
    const char *input_file;   /* -i, --input-file */
    uint32_t files_in_flight; /* -j; 0 = the default (1) */
    int continue_job;         /* -c, --continue */
    int keep;                 /* --keep */
    uint32_t retries;         /* --retries; CLI_UNSET = default; UINT32_MAX-1 = unlimited */
    uint32_t retry_delay;     /* --retry-delay seconds; CLI_UNSET = default */
    uint32_t no_progress;     /* --no-progress-timeout seconds; CLI_UNSET = default */
    uint32_t timeout;         /* --timeout seconds; CLI_UNSET = none */
} cli_opts;

#define CLI_RETRIES_UNLIMITED (UINT32_MAX - 1)

typedef struct cli {
    const char *store;        /* --store DIR, or NULL for the default */
    int json;                 /* --json */
    int quiet;                /* -q, --quiet */
    int verbose;              /* -v before the command */
    int raw;                  /* bitsadmin /rawreturn */
    int bitsadmin;            /* the bitsadmin spelling: its messages */
    int all_users;            /* list --all (root: every user's jobs) */
    uint32_t open_flags;      /* bits_manager_open flags (waiting: EVENT_FD) */
    const char *command;      /* the command being run, for messages */
    cli_opts o;
    bits_manager *mgr;
} cli;

/* Translates bitsadmin's "/switch" spelling into subcommand arguments, in
 * place of argv (a new array owned by the caller, entries borrowed).
 * Returns the new argc, or -1 (with a message) for an unknown switch.
 * Sets *raw for /rawreturn. Exposed for tests. */
int cli_translate_bitsadmin(int argc, char **argv, char ***out_argv, int *raw);

/* ---- values (cli_args.c) ----------------------------------------------------- */

/* A size or rate: a number (a fraction allowed) with an optional unit:
 * K, M, G, T and KiB, MiB ... count 1024s; kB, MB ... count 1000s; B or
 * nothing bytes; a rate may end in "/s"; 0x hexadecimal too. -1 when it is
 * not one or exceeds @p max. */
int cli_parse_size(const char *text, uint64_t max, int rate, uint64_t *out);
/* A duration: seconds, or numbers with s, m, h, d ("90", "30s", "1h30m",
 * "1.5h"); -1 when it is not one or exceeds UINT32_MAX seconds. */
int cli_parse_duration(const char *text, uint32_t *out);
/* A decimal count within [min, max]; -1 otherwise. */
int cli_parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *out);
void cli_format_duration(uint64_t seconds, char *out, size_t n);
void cli_format_size(double bytes, char *out, size_t n);

/* 1 when @p arg has the form scheme://... */
int cli_looks_like_url(const char *arg);
/* 0 when @p arg can be a file's source (an http, https or file URL that
 * libcurl parses, or an absolute path); else -1 with the reason in @p why
 * (libcurl's, e.g. "Port number was not a decimal number between 0 and
 * 65535", or the unsupported scheme). */
int cli_check_source(const char *arg, char *why, size_t n);
/* The file name a source gives (its path's last segment, decoded: as
 * curl -O and wget), or NULL with the reason (empty, ".", "..", a '/').
 * New string. */
char *cli_source_file_name(const char *arg, char *why, size_t n);
/* The absolute destination of a file: @p dest (NULL: @p name in @p dir or
 * the current directory; an existing directory or one written with a
 * trailing '/': @p name in it; relative: in @p dir or the current
 * directory), its directory resolved. NULL with the reason when the
 * directory does not exist, is not one, is not writable, or the result
 * exists as a directory. New string. */
char *cli_resolve_dest(const char *dest, const char *dir, const char *name, char *why, size_t n);
int cli_is_directory(const char *path);
/* @p s as one shell word (quoted when needed). New string. */
char *cli_shell_quote(const char *s);

/* A destination as the library wants it: absolute. A relative @p path is
 * taken from the current directory. Returns a new string (free()). */
char *cli_absolute_path(const char *path);

/* ---- the store (cli_common.c, cli_status.c) ----------------------------------- */

/* Opens cli->mgr; prints the error and returns EXIT_FAILED when it cannot. */
int cli_open(cli *c);

/* The store's directory, absolute (--store or the default). New string,
 * NULL when there is none. */
char *cli_store_dir(const cli *c);

/* The process that runs the store's transfers (holds <store>/engine.lock),
 * other than this one: its pid (0: none; -1: held, pid unknown), and its
 * command name in @p command. */
long cli_engine_owner(const cli *c, char *command, size_t n);

/* Finds a job by GUID or display name. Ambiguous names are an error that
 * lists the matches. Returns a new reference, or NULL after printing. */
bits_job *cli_find_job(cli *c, const char *name_or_id);

/* Prints the job's error as "<prefix>NAME (0xHHHHHHHH): description" to
 * @p out, when it has one, and the file it is about ("  URL -> PATH"). */
void cli_print_job_error(FILE *out, const char *prefix, bits_job *job);

/* Prints a failed call: "NAME (0xHHHHHHHH): message". Returns EXIT_FAILED. */
int cli_fail(const char *what, bits_hresult hr);

/* Prints "openbits: COMMAND: message" and the command's usage line on
 * stderr. Returns EXIT_USAGE. */
int cli_usage_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* State names, "QUEUED" ... "CANCELLED". */
const char *cli_state_name(uint32_t state);
/* "NORMAL", "OVERRIDE", ...: the names the setters accept ("?" if unknown). */
const char *cli_priority_name(uint32_t priority);
const char *cli_proxy_usage_name(uint32_t usage);

/* A URL (or a space-separated list of them) as the CLI shows it: the
 * password of its userinfo replaced by "***" (docs/security.md). Returns
 * a new string (free()): "***" alone when out of memory, never the
 * password; NULL for NULL (or when even that is out of memory). */
char *cli_url(const char *url);
char *cli_url_list(const char *list);

/* @p text with control characters (ESC, CR, ...) replaced by '?': what a
 * server or a name sends never drives the terminal. In place. */
char *cli_sanitize(char *text);

/* JSON output helpers. */
void json_string(FILE *out, const char *s);
void cli_print_job(cli *c, bits_job *job, int verbose);

/* Reports a successful call (or the failure). The default spelling is
 * quiet on success (BITS_S_FALSE gets a note on stderr); the bitsadmin
 * spelling prints "what: CODE", /rawreturn the code, --json
 * {result, code}. Returns EXIT_OK or EXIT_FAILED. */
int cli_report(cli *c, const char *what, bits_hresult hr);

/* Parses a number (decimal or 0x hex) into @p out; -1 when it is not one
 * or does not fit in @p max. */
int cli_parse_number(const char *text, uint64_t max, uint64_t *out);

/* A priority by name (FOREGROUND ... LOW, any case) or number; -1 when it
 * is neither. */
int cli_parse_priority(const char *text, uint32_t *out);

/* Commands on one job (cli_setters.c): argv holds what follows the job. */
typedef int (*cli_job_cmd)(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setpriority(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setdisplayname(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setdescription(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setminretrydelay(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setnoprogresstimeout(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setmaxdownloadtime(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setnotifycmdline(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setnotifyflags(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setcustomheaders(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setproxysettings(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setcredentials(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_removecredentials(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setsecurityflags(cli *c, bits_job *job, int argc, char **argv);
int cli_cmd_setmaxbandwidth(cli *c, bits_job *job, int argc, char **argv);

/* Checks a setter's value before the store is opened: EXIT_OK, or a usage
 * error (printed) for a value that is not one (setpriority JOB bogus). */
int cli_check_setter_args(cli *c, const char *command, int argc, char **argv);

/* Store-wide limits (cli_limits.c): "limits" and "setlimit NAME VALUE". */
int cli_cmd_limits(cli *c, int argc, char **argv);
int cli_cmd_setlimit(cli *c, int argc, char **argv);

/* "status": the store, who runs its transfers, its jobs by state. */
int cli_cmd_status(cli *c, int argc, char **argv);

/* After a resume without --wait: a note on stderr when no other process
 * runs the store's transfers (the job would sit QUEUED). */
void cli_note_unserved(cli *c, const char *job_text);

/* The commands: argv[0] is the subcommand. */
int cli_run(cli *c, int argc, char **argv);

/* Prints the usage of every command to @p out. */
void cli_usage(FILE *out);

/* "transfer [OPTIONS] URL [DEST] ...": argv[0] is "transfer", the options
 * already parsed into c->o; argv[1..] are the positional arguments. */
int cli_transfer_main(cli *c, int argc, char **argv);

/* What cli_wait_job may decide by itself (transfer's fail-fast). */
typedef struct cli_wait_opts {
    uint32_t retries;      /* give up after this many transient errors; CLI_RETRIES_UNLIMITED */
    uint32_t timeout;      /* give up after this many seconds; CLI_UNSET = never */
    int cancel_on_failure; /* transfer without --keep */
    int owned;             /* transfer (its own job) vs resume --wait */
} cli_wait_opts;

/* Shows the progress of @p job until it ends, completes it once it is
 * TRANSFERRED and returns the exit code (EXIT_OK, EXIT_JOB_ERROR,
 * EXIT_CANCELLED; Ctrl-C suspends it: EXIT_INTERRUPTED). Used by transfer
 * and resume --wait. The manager must be opened with EVENT_FD and the
 * signals blocked (cli_wait_prepare) first. */
int cli_wait_job(cli *c, bits_job *job, const cli_wait_opts *w);

/* Blocks SIGINT, SIGTERM, SIGHUP and SIGWINCH (delivered to the wait loop
 * through a signalfd, in every thread the library starts afterwards) and
 * asks for the manager in fd mode. Call before cli_open. */
int cli_wait_prepare(cli *c);

/* Registers the wait loop's log callback on c->mgr (cli_open does, for a
 * manager in fd mode): at BITS_LOG_DEBUG with -v, else BITS_LOG_WARNING
 * (the retry times). */
void cli_wait_attach_log(cli *c);

/* ---- the progress display (cli_progress.c) -------------------------------------- */

typedef struct cli_display cli_display;

/* @p mode: PROGRESS_BAR (redrawn in place on stderr), PROGRESS_PLAIN
 * (periodic lines) or PROGRESS_NONE. */
cli_display *cli_display_new(int mode);
void cli_display_free(cli_display *d);
int cli_display_mode(const cli_display *d);
/* Asks the terminal's width again (at start and on SIGWINCH). */
void cli_display_resize(cli_display *d);
/* The width lines are cut to. */
int cli_display_width(const cli_display *d);
/* Prints @p line (no newline) above the live lines, which are redrawn by
 * the next cli_display_draw. */
void cli_display_print(cli_display *d, const char *line);
/* Replaces the live lines (bar mode; in plain mode they are printed). */
void cli_display_draw(cli_display *d, char *const *lines, int n);
/* Leaves the live lines on the screen and ends the display. */
void cli_display_finish(cli_display *d);

/* The columns UTF-8 text takes on a terminal (wide characters 2). */
int cli_text_width(const char *s);
/* How many bytes of @p s fit in @p cols columns (*out_cols: their width). */
size_t cli_text_fit(const char *s, int cols, int *out_cols);

#endif
