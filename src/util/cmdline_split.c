/* cmdline_split.c - the notify command line's parameters split into words. */
#include "util/cmdline_split.h"

#include <stdlib.h>
#include <string.h>

char **ob_cmdline_split(const char *params)
{
    size_t n = strlen(params);
    /* Worst case: every other byte starts a word. */
    size_t max_words = n / 2 + 2;
    char **argv = malloc(max_words * sizeof *argv + n + 1);
    if (!argv)
        return NULL;
    char *out = (char *)(argv + max_words);
    size_t words = 0;
    const char *p = params;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        argv[words++] = out;
        int quoted = 0;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '"') {
                quoted = !quoted;
                p++;
            } else if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
                *out++ = p[1];
                p += 2;
            } else {
                *out++ = *p++;
            }
        }
        *out++ = '\0';
        if (quoted) {
            free(argv);
            return NULL;
        }
    }
    argv[words] = NULL;
    return argv;
}
