/*
 * cli.h - the pieces of the openbits command-line tool. It uses only the
 * public C API (it is also an example of using it).
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

/* JSON output helpers. */
void json_string(FILE *out, const char *s);
void cli_print_job(cli *c, bits_job *job, int verbose);

/* The commands: argv[0] is the subcommand. */
int cli_run(cli *c, int argc, char **argv);

/* The `transfer` command, with progress and Ctrl-C handling. */
int cli_transfer(cli *c, const char *name, int priority, int nargs, char **pairs);

#endif
