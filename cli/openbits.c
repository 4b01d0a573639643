/*
 * openbits - the command-line face of the openbits library.
 *
 *   openbits [--store DIR] [--json] [--quiet] COMMAND ...
 *   openbits /SWITCH ...            (bitsadmin's spelling)
 *
 * See docs/openbits.1 (man openbits) for every command and exit code.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void cli_usage(FILE *out);

static int priority_value(const char *text)
{
    static const char *const names[] = { "FOREGROUND", "HIGH", "NORMAL", "LOW" };
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(text, names[i]) == 0)
            return i;
    }
    char *end;
    long v = strtol(text, &end, 10);
    return *end || v < 0 ? 99 : (int)v; /* 99: refused by the library */
}

int main(int argc, char **argv)
{
    cli c = { 0 };
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
            c.store = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            c.json = 1;
        else if (strcmp(argv[i], "--quiet") == 0)
            c.quiet = 1;
        else if (strcmp(argv[i], "--help") == 0) {
            cli_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("openbits %s\n", bits_version_string());
            return EXIT_OK;
        } else {
            fprintf(stderr, "openbits: unknown option %s\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        cli_usage(stderr);
        return EXIT_USAGE;
    }
    /* --json and --quiet may also follow the command ("openbits list --json"). */
    int kept = i;
    for (int k = i; k < argc; k++) {
        if (strcmp(argv[k], "--json") == 0)
            c.json = 1;
        else if (strcmp(argv[k], "--quiet") == 0)
            c.quiet = 1;
        else
            argv[kept++] = argv[k];
    }
    argc = kept;
    char **args = argv + i, **translated = NULL;
    int nargs = argc - i;
    if (args[0][0] == '/') {
        nargs = cli_translate_bitsadmin(nargs, args, &translated, &c.raw);
        if (nargs < 0)
            return EXIT_USAGE;
        args = translated;
    }
    int rc;
    if (strcmp(args[0], "transfer") == 0) {
        const char *name = NULL;
        int priority = -1, k = 1;
        for (; k + 1 < nargs && strncmp(args[k], "--", 2) == 0; k += 2) {
            if (strcmp(args[k], "--name") == 0)
                name = args[k + 1];
            else if (strcmp(args[k], "--priority") == 0)
                priority = priority_value(args[k + 1]);
            else if (strcmp(args[k], "--max-bandwidth") == 0)
                setenv("OPENBITS_MAX_BANDWIDTH", args[k + 1], 1);
            else
                break;
        }
        rc = cli_transfer(&c, name, priority, nargs - k, args + k);
    } else {
        rc = cli_run(&c, nargs, args);
    }
    free(translated);
    bits_manager_close(c.mgr);
    return rc;
}
