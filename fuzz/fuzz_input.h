/*
 * fuzz_input.h - helpers shared by the fuzz targets: the input as a C
 * string, and a check that aborts (so libFuzzer records the input) with
 * the failed condition.
 */
#ifndef OPENBITS_FUZZ_INPUT_H
#define OPENBITS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fuzzer input as a NUL-terminated copy (it stops at the first NUL
 * byte, as a C caller's string would). Caller frees. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* An invariant of the code under test: a violation is a finding. */
#define FUZZ_CHECK(cond)                                                            \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
