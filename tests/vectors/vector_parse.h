/*
 * vector_parse.h - the line format of the tests/vectors/ .vec files (README.md).
 *
 * A pure function over a buffer: no I/O, no library calls, so a fuzzer
 * can drive it directly. Both C runners use it; python_tests/
 * vector_format.py is the Python twin and must accept the same files.
 */
#ifndef VECTOR_PARSE_H
#define VECTOR_PARSE_H

#include <stddef.h>
#include <stdint.h>

/** The longest string a token may expand to (repetition included). */
#define VECTOR_MAX_STRING (1u << 20)
/** The most tokens on one side of "=>". */
#define VECTOR_MAX_TOKENS 16u

typedef enum {
    VTOK_NULL, /* NULL */
    VTOK_INT,  /* 123, 0x1F: num */
    VTOK_STR,  /* "text"*n: text, len (text is also NUL-terminated) */
    VTOK_REF,  /* $name: text is the name */
    VTOK_BIND, /* &name: text is the name */
    VTOK_ANY,  /* * */
    VTOK_OUT,  /* out */
    VTOK_NAME, /* an identifier, e.g. a code name: text */
} vector_tok_kind;

typedef struct {
    vector_tok_kind kind;
    uint64_t num;
    char *text;
    size_t len;
} vector_tok;

typedef struct {
    unsigned line;      /* 1-based line number in the file */
    char *call;         /* function name */
    vector_tok args[VECTOR_MAX_TOKENS];
    size_t nargs;
    int has_expect;     /* 1 when "=>" was given */
    vector_tok ret;     /* valid when has_expect */
    vector_tok outs[VECTOR_MAX_TOKENS];
    size_t nouts;
} vector_step;

typedef struct {
    vector_step *steps;
    size_t count;
} vector_file;

/**
 * Parses @p len bytes of @p buf (need not be NUL-terminated).
 * @return 0 and fills @p out (free it with vector_file_free()); -1 on a
 *         malformed line or when out of memory, with a message
 *         "line N: ..." in @p err (@p errlen bytes) and @p out empty.
 */
int vector_parse(const char *buf, size_t len, vector_file *out, char *err, size_t errlen);

/** Frees what vector_parse() filled in; a zeroed or freed file is fine. */
void vector_file_free(vector_file *file);

#endif /* VECTOR_PARSE_H */
