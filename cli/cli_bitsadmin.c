/*
 * cli_bitsadmin.c - bitsadmin's "/switch" spelling, translated into the
 * subcommands: "/transfer NAME [/download] [/priority P] URL DEST ..."
 * becomes "transfer --name NAME [--priority P] URL DEST ...", "/info JOB
 * /verbose" becomes "info JOB --verbose", "/setpriority JOB P" becomes
 * "setpriority JOB P", and so on. /rawreturn prints bare result codes.
 * "/?" and "/help" list the commands; "/SWITCH /?" is that command's
 * --help.
 */
#include "bitsadmin_args.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Switches that map to a subcommand of the same name. */
static const char *const same_name[] = {
    "create", "addfile", "addfileset", "resume", "suspend", "cancel", "complete", "info",
    "list", "monitor", "getstate", "geterror", "setpriority", "setdisplayname",
    "setdescription", "setminretrydelay", "setnoprogresstimeout", "setmaxdownloadtime",
    "setnotifycmdline", "setnotifyflags", "setcustomheaders", "setproxysettings",
    "setcredentials", "removecredentials", "setsecurityflags", "setmaxbandwidth", "limits",
    "setlimit", "reset",
};

int bitsadmin_translate(int argc, char **argv, char ***out_argv, int *raw, char *error,
                        size_t error_size)
{
    char **out = calloc((size_t)argc * 2 + 4, sizeof *out);
    if (!out) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    int n = 0, i = 0;
    /* Leading modifiers. */
    while (i < argc && strcasecmp(argv[i], "/rawreturn") == 0) {
        *raw = 1;
        i++;
    }
    if (i >= argc || argv[i][0] != '/') {
        snprintf(error, error_size, "expected a /SWITCH");
        free(out);
        return -1;
    }
    const char *sw = argv[i++] + 1;
    if (strcmp(sw, "?") == 0 || strcasecmp(sw, "help") == 0) {
        out[n++] = "help";
    } else if (strcasecmp(sw, "transfer") == 0) {
        out[n++] = "transfer";
        if (i < argc && strcmp(argv[i], "/?") != 0) {
            out[n++] = "--name";
            out[n++] = argv[i++];
        }
        for (; i < argc; i++) {
            if (strcasecmp(argv[i], "/download") == 0)
                continue;
            if (strcmp(argv[i], "/?") == 0) {
                out[n++] = "--help";
                continue;
            }
            if (strcasecmp(argv[i], "/priority") == 0 && i + 1 < argc) {
                out[n++] = "--priority";
                out[n++] = argv[++i];
            } else if (strcasecmp(argv[i], "/upload") == 0 ||
                       strcasecmp(argv[i], "/upload-reply") == 0) {
                snprintf(error, error_size, "upload jobs are not implemented");
                free(out);
                return -1;
            } else {
                out[n++] = argv[i];
            }
        }
    } else {
        const char *cmd = NULL;
        for (size_t k = 0; k < sizeof same_name / sizeof same_name[0]; k++) {
            if (strcasecmp(sw, same_name[k]) == 0)
                cmd = same_name[k];
        }
        if (!cmd) {
            snprintf(error, error_size, "unknown switch /%s", sw);
            free(out);
            return -1;
        }
        out[n++] = (char *)cmd;
        for (; i < argc; i++) {
            if (strcasecmp(argv[i], "/verbose") == 0)
                out[n++] = "--verbose";
            else if (strcmp(argv[i], "/?") == 0 || strcasecmp(argv[i], "/help") == 0)
                out[n++] = "--help";
            else if (strcasecmp(argv[i], "/refresh") == 0)
                out[n++] = "--refresh";
            else if (strcasecmp(argv[i], "/allusers") == 0)
                continue; /* one user's store: the same list */
            else if (strcasecmp(argv[i], "/rawreturn") == 0)
                *raw = 1;
            else
                out[n++] = argv[i];
        }
    }
    out[n] = NULL;
    *out_argv = out;
    return n;
}

int cli_translate_bitsadmin(int argc, char **argv, char ***out_argv, int *raw)
{
    char error[256];
    int n = bitsadmin_translate(argc, argv, out_argv, raw, error, sizeof error);
    if (n < 0)
        fprintf(stderr, "openbits: %s\n", error);
    return n;
}
