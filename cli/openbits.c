/*
 * openbits - the command-line face of the openbits library.
 *
 *   openbits [--store=DIR] [--json] [-q] [-v] COMMAND [OPTIONS] ARGS...
 *   openbits /SWITCH ...            (bitsadmin's spelling)
 *
 * Options are read with getopt_long: --opt=value and --opt value, short
 * options, and an unknown option or a bad value is a usage error (exit 2)
 * naming it. See docs/openbits.1 (man openbits) for every command and
 * exit code.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { G_STORE = 256, G_JSON };

static const struct option global_options[] = {
    { "store", required_argument, NULL, G_STORE }, { "json", no_argument, NULL, G_JSON },
    { "quiet", no_argument, NULL, 'q' },           { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },            { "version", no_argument, NULL, 'V' },
    { 0 }
};

int main(int argc, char **argv)
{
    cli c = { 0 };
    opterr = 0;
    /* "+": the first word that is not an option is the command; its own
     * options are read by cli_run. */
    for (;;) {
        int index = -1;
        int code = getopt_long(argc, argv, "+:qvhV", global_options, &index);
        if (code == -1)
            break;
        switch (code) {
        case G_STORE:
            if (!*optarg) {
                fprintf(stderr, "openbits: --store: an empty name names no directory\n");
                return EXIT_USAGE;
            }
            c.store = optarg;
            break;
        case G_JSON: c.json = 1; break;
        case 'q': c.quiet = 1; break;
        case 'v': c.verbose = 1; break;
        case 'h': cli_usage(stdout); return EXIT_OK;
        case 'V': printf("openbits %s\n", bits_version_string()); return EXIT_OK;
        case ':':
            fprintf(stderr, "openbits: %s needs a value\n",
                    optopt == G_STORE ? "--store" : argv[optind - 1]);
            return EXIT_USAGE;
        default: {
            const char *written = argv[optind - 1];
            if (optopt && strncmp(written, "--", 2) != 0)
                fprintf(stderr, "openbits: unknown option -%c\n", optopt);
            else
                fprintf(stderr, "openbits: unknown option %.*s\n", (int)strcspn(written, "="),
                        written);
            fputs("openbits --help lists the options and commands\n", stderr);
            return EXIT_USAGE;
        }
        }
    }
    if (optind >= argc) {
        cli_usage(stderr);
        return EXIT_USAGE;
    }
    char **args = argv + optind, **translated = NULL;
    int nargs = argc - optind;
    if (args[0][0] == '/') {
        nargs = cli_translate_bitsadmin(nargs, args, &translated, &c.raw);
        if (nargs < 0)
            return EXIT_USAGE;
        args = translated;
        c.bitsadmin = 1;
    }
    int rc = cli_run(&c, nargs, args);
    free(translated);
    bits_manager_close(c.mgr);
    return rc;
}
