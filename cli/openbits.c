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

int main(int argc, char **argv)
{
    cli c = { 0 };
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
            c.store = argv[++i];
        else if (strcmp(argv[i], "--store") == 0) {
            fprintf(stderr, "openbits: --store needs a directory\n");
            return EXIT_USAGE;
        }
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
    int rc = cli_run(&c, nargs, args);
    free(translated);
    bits_manager_close(c.mgr);
    return rc;
}
