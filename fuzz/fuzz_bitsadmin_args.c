/*
 * fuzz_bitsadmin_args.c - the CLI's bitsadmin spelling
 * (cli/cli_bitsadmin.c). The input is an argument vector, one argument
 * per line. Whatever the arguments, the translation either refuses with
 * a reason or returns a NULL-terminated vector within its documented size
 * whose entries are the caller's arguments or fixed words, led by a
 * subcommand name.
 */
#include "bitsadmin_args.h"
#include "fuzz_input.h"

#define MAX_ARGS 64

static int is_input_arg(const char *p, char **argv, int argc)
{
    for (int i = 0; i < argc; i++) {
        if (p == argv[i])
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    for (char *p = s, *line; argc < MAX_ARGS && (line = strsep(&p, "\n"));)
        argv[argc++] = line;
    argv[argc] = NULL;

    char **out = NULL, error[256] = "";
    int raw = 0;
    int n = bitsadmin_translate(argc, argv, &out, &raw, error, sizeof error);
    if (n < 0) {
        FUZZ_CHECK(error[0] != '\0' && memchr(error, '\0', sizeof error));
    } else {
        FUZZ_CHECK(n >= 1 && n <= 2 * argc + 3 && out && out[n] == NULL);
        FUZZ_CHECK(out[0][0] != '/' && !is_input_arg(out[0], argv, argc));
        for (int i = 0; i < n; i++)
            FUZZ_CHECK(out[i] != NULL);
        FUZZ_CHECK(raw == 0 || raw == 1);
        free(out);
    }
    free(s);
    return 0;
}
