/*
 * vector_main.c - the shared main() of the C vector runners: files in,
 * one fresh temporary directory per vector file, a summary out.
 */
#define _XOPEN_SOURCE 700
#include "vector_exec.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole of @p path, NUL-terminated, or NULL. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (*len + 4096 + 1 > cap) {
            char *bigger = realloc(buf, cap = cap * 2 + 8192);
            if (!bigger) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
        }
        size_t n = fread(buf + *len, 1, 4096, f);
        *len += n;
        if (n < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static int run_file(const char *path, const vector_sigs *sigs, const vector_backend *backend,
                    FILE *trace)
{
    char err[256], tmpdir[4096];
    size_t len, calls = 0;
    vector_file file;
    char *buf = read_all(path, &len);
    if (!buf) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    int rc = vector_parse(buf, len, &file, err, sizeof err);
    free(buf);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        return 1;
    }
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/openbits-vectors-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        vector_file_free(&file);
        return 1;
    }
    rc = vector_exec(path, &file, sigs, backend, tmpdir, trace, &calls);
    nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    printf("%s %s: %zu calls\n", rc == 0 ? "ok  " : "FAIL", path, calls);
    vector_file_free(&file);
    return rc == 0 ? 0 : 1;
}

int vector_main(int argc, char **argv, int first, const vector_backend *backend)
{
    char err[256];
    size_t len;
    vector_sigs sigs;
    FILE *trace = NULL;
    if (argc > first && strcmp(argv[first], "--trace") == 0) {
        trace = stdout;
        first++;
    }
    if (argc < first + 2) {
        fprintf(stderr, "usage: %s ... [--trace] SIGNATURES VECTOR...\n", argv[0]);
        return 2;
    }
    char *buf = read_all(argv[first], &len);
    if (!buf) {
        fprintf(stderr, "%s: cannot read\n", argv[first]);
        return 2;
    }
    int rc = vector_sigs_parse(buf, len, &sigs, err, sizeof err);
    free(buf);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", argv[first], err);
        vector_sigs_free(&sigs);
        return 2;
    }
    int failures = 0;
    for (int i = first + 1; i < argc; i++)
        failures += run_file(argv[i], &sigs, backend, trace);
    vector_sigs_free(&sigs);
    printf("%d of %d vector files passed\n", argc - first - 1 - failures, argc - first - 1);
    return failures ? 1 : 0;
}
