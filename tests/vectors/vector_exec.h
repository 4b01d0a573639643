/*
 * vector_exec.h - runs parsed vectors through a backend that performs
 * the calls. The executor knows the API only through the signature table
 * (vector_sig.h): it binds names, builds arguments, supplies out-storage,
 * checks returns and out-values, and frees what it is handed, all by
 * calling the library's own functions through the backend. It includes
 * no openbits header, so the libffi runner stays free of compile-time
 * knowledge of the API.
 */
#ifndef VECTOR_EXEC_H
#define VECTOR_EXEC_H

#include <stdio.h>

#include "vector_parse.h"
#include "vector_sig.h"

/** One argument or return value: integers in u, pointers in p. An
 * hresult is returned as its 32-bit pattern in u. */
typedef union {
    uint64_t u;
    void *p;
} vector_word;

typedef struct {
    /** Calls the function @p sig names with @p args (sig->nparams of
     * them) and stores its return in @p ret. @return 0, or -1 when the
     * function cannot be called (the message is printed). */
    int (*call)(void *ctx, const vector_sig *sig, const vector_word *args, vector_word *ret);
    void *ctx;
} vector_backend;

/**
 * Runs every step of @p file (read from @p path, used in messages) with
 * "$TMP" in strings replaced by @p tmpdir. Stops at the first mismatch.
 * With @p trace, writes there one line per step run (README.md, "The
 * trace"), the mismatching one included.
 * @return 0 when every call returned what the file expects; the number of
 *         calls made goes to *calls.
 */
int vector_exec(const char *path, const vector_file *file, const vector_sigs *sigs,
                const vector_backend *backend, const char *tmpdir, FILE *trace, size_t *calls);

/**
 * The shared main() of the C runners: reads the signature table
 * argv[first], runs each vector file argv[first+1...] in its own fresh
 * temporary directory, and prints a summary. With "--trace" before the
 * table, also prints each step's trace line to stdout. @return the exit
 * status.
 */
int vector_main(int argc, char **argv, int first, const vector_backend *backend);

#endif /* VECTOR_EXEC_H */
