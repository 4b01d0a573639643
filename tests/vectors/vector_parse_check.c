/*
 * vector_parse_check.c - every line of malformed.txt must be refused by
 * vector_parse() (python_tests/test_vector_format.py checks the Python
 * parser against the same list, so the two parsers agree).
 * Usage: vector_parse_check malformed.txt
 */
#include <stdio.h>
#include <string.h>

#include "vector_parse.h"

int main(int argc, char **argv)
{
    char line[4096], err[256];
    int failures = 0, cases = 0;
    FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
    if (!f) {
        fprintf(stderr, "usage: %s malformed.txt\n", argv[0]);
        return 2;
    }
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        vector_file file;
        cases++;
        if (vector_parse(line, n, &file, err, sizeof err) == 0) {
            fprintf(stderr, "accepted but malformed: %s\n", line);
            vector_file_free(&file);
            failures++;
        } else if (strncmp(err, "line 1: ", 8) != 0) {
            fprintf(stderr, "no line number in the message '%s' for: %s\n", err, line);
            failures++;
        }
    }
    fclose(f);
    printf("%d of %d malformed lines refused\n", cases - failures, cases);
    return failures || cases == 0 ? 1 : 0;
}
