/*
 * vector_sig.h - the signature table (signatures.txt, format in README.md):
 * each function's return and parameter types, and how each handle type is
 * released. A pure parser over a buffer, like vector_parse.h.
 */
#ifndef VECTOR_SIG_H
#define VECTOR_SIG_H

#include <stddef.h>

#define VECTOR_MAX_PARAMS 8u

typedef enum {
    VT_VOID,
    VT_HRESULT,    /* int32_t */
    VT_U32,
    VT_U64,
    VT_CSTR,       /* const char * returned, not freed */
    VT_STR,        /* const char * argument */
    VT_GUID,       /* const bits_guid * argument */
    VT_PTR,        /* any pointer */
    VT_HANDLE,     /* an opaque handle argument */
    VT_OUT_U32,
    VT_OUT_U64,
    VT_OUT_HRESULT, /* bits_hresult *, compared as its unsigned pattern */
    VT_OUT_STR,    /* char **, freed with bits_free */
    VT_OUT_GUID,   /* bits_guid * */
    VT_OUT_HANDLE, /* HANDLE ** */
    VT_OUTV_HANDLE /* HANDLE ** array, sized by the preceding u32 */
} vector_type_kind;

typedef struct {
    vector_type_kind kind;
    char handle[16]; /* handle type name for the handle kinds, else "" */
} vector_type;

typedef struct {
    char name[64];
    vector_type ret;
    vector_type params[VECTOR_MAX_PARAMS];
    size_t nparams;
} vector_sig;

typedef struct {
    char handle[16];
    char function[64];
} vector_release;

typedef struct {
    vector_sig *sigs;
    size_t count;
    vector_release *releases;
    size_t nreleases;
} vector_sigs;

/** Parses the table in @p buf. @return 0, or -1 with "line N: ..." in
 * @p err; free the table with vector_sigs_free() either way. */
int vector_sigs_parse(const char *buf, size_t len, vector_sigs *out, char *err, size_t errlen);
/** The signature of @p name, or NULL. */
const vector_sig *vector_sigs_find(const vector_sigs *sigs, const char *name);
/** The signature of the function releasing @p handle_type, or NULL. */
const vector_sig *vector_sigs_release_for(const vector_sigs *sigs, const char *handle_type);
/** 1 for the out-parameter kinds. */
int vector_type_is_out(vector_type_kind kind);
void vector_sigs_free(vector_sigs *sigs);

#endif /* VECTOR_SIG_H */
