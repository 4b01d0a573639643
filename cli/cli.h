/*
 * cli.h - the pieces of the openbits command-line tool. It uses only the
 * public C API (it is also an example of using it), and the library's
 * pure URL redaction (src/util/redact.c, compiled in): every URL it
 * prints goes through cli_url() or cli_url_list().
 */
#ifndef OPENBITS_CLI_H
#define OPENBITS_CLI_H

#include <stdio.h>

#include <openbits/openbits.h>

/* Exit codes (documented in docs/openbits.1). */
#define EXIT_OK 0
#define EXIT_JOB_ERROR 1      /* the job ended in ERROR */
#define EXIT_USAGE 2          /* bad command line */
#define EXIT_CANCELLED 3      /* the job was cancelled */
#define EXIT_INTERRUPTED 4    /* Ctrl-C: the job was suspended */
#define EXIT_FAILED 5         /* a call failed (store, not found, bad value) */

typedef struct cli {
    const char *store;        /* --store DIR, or NULL for the default */
    int json;                 /* --json */
    int quiet;                /* --quiet */
    int raw;                  /* bitsadmin /rawreturn */
    int all_users;            /* list --all (root: every user's jobs) */
    bits_manager *mgr;
} cli;

/* Translates bitsadmin's "/switch" spelling into subcommand arguments, in
 * place of argv (a new array owned by the caller, entries borrowed).
 * Returns the new argc, or -1 (with a message) for an unknown switch.
 * Sets *raw for /rawreturn. Exposed for tests. */
int cli_translate_bitsadmin(int argc, char **argv, char ***out_argv, int *raw);

/* A destination as the library wants it: absolute. A relative @p path is
 * taken from the current directory. Returns a new string (free()). */
char *cli_absolute_path(const char *path);

/* Opens cli->mgr; prints the error and returns EXIT_FAILED when it cannot. */
int cli_open(cli *c);

/* Finds a job by GUID or display name. Ambiguous names are an error that
 * lists the matches. Returns a new reference, or NULL after printing. */
bits_job *cli_find_job(cli *c, const char *name_or_id);

/* Prints the job's error as "<prefix>NAME (0xHHHHHHHH): description" to
 * @p out, when it has one. */
void cli_print_job_error(FILE *out, const char *prefix, bits_job *job);

/* Prints a failed call: "NAME (0xHHHHHHHH): message". Returns EXIT_FAILED. */
int cli_fail(const char *what, bits_hresult hr);

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

/* JSON output helpers. */
void json_string(FILE *out, const char *s);
void cli_print_job(cli *c, bits_job *job, int verbose);

/* Prints "what: NAME" (or the JSON/raw forms) for a successful call, or
 * the failure. Returns EXIT_OK or EXIT_FAILED. */
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

/* Store-wide limits (cli_limits.c): "limits" and "setlimit NAME VALUE". */
int cli_cmd_limits(cli *c, int argc, char **argv);
int cli_cmd_setlimit(cli *c, int argc, char **argv);

/* The commands: argv[0] is the subcommand. */
int cli_run(cli *c, int argc, char **argv);

/* Prints the usage of every command to @p out. */
void cli_usage(FILE *out);

/* What `transfer` was asked for besides the URL DEST pairs. */
typedef struct cli_transfer_opts {
    const char *name;         /* --name, or NULL for "openbits transfer" */
    int priority;             /* --priority, or -1 for the default */
    uint64_t max_bandwidth;   /* --max-bandwidth bytes/s, 0 = uncapped */
} cli_transfer_opts;

/* Parses "transfer [OPTIONS] URL DEST ..." (argv[0] is "transfer") and
 * runs it. */
int cli_transfer_main(cli *c, int argc, char **argv);

/* Shows the progress of @p job until it ends, completes it once it is
 * TRANSFERRED and returns the exit code (EXIT_OK, EXIT_JOB_ERROR,
 * EXIT_CANCELLED; Ctrl-C suspends it: EXIT_INTERRUPTED). Used by transfer
 * and resume --wait. */
int cli_wait_job(cli *c, bits_job *job);

/* The `transfer` command, with progress and Ctrl-C handling. */
int cli_transfer(cli *c, const cli_transfer_opts *opts, int nargs, char **pairs);

#endif
