/*
 * vector_sig.c - parses signatures.txt into a table of function types.
 */
#define _POSIX_C_SOURCE 200809L
#include "vector_sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const handle_types[] = { "manager", "job", "file", "job_enum", "file_enum",
                                            "error" };

static int is_handle_type(const char *s)
{
    for (size_t i = 0; i < sizeof handle_types / sizeof handle_types[0]; i++)
        if (strcmp(s, handle_types[i]) == 0)
            return 1;
    return 0;
}

static int parse_type(const char *word, vector_type *t)
{
    static const struct { const char *name; vector_type_kind kind; } plain[] = {
        { "void", VT_VOID },       { "hresult", VT_HRESULT },   { "u32", VT_U32 },
        { "u64", VT_U64 },         { "cstr", VT_CSTR },         { "str", VT_STR },
        { "guid", VT_GUID },       { "ptr", VT_PTR },           { "out_u32", VT_OUT_U32 },
        { "out_u64", VT_OUT_U64 }, { "out_str", VT_OUT_STR },   { "out_guid", VT_OUT_GUID },
        { "out_hresult", VT_OUT_HRESULT },
    };
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (strcmp(word, plain[i].name) == 0) {
            t->kind = plain[i].kind;
            return 0;
        }
    const char *handle = word;
    t->kind = VT_HANDLE;
    if (strncmp(word, "out_", 4) == 0) {
        handle = word + 4;
        t->kind = VT_OUT_HANDLE;
    } else if (strncmp(word, "outv_", 5) == 0) {
        handle = word + 5;
        t->kind = VT_OUTV_HANDLE;
    }
    if (!is_handle_type(handle))
        return -1;
    snprintf(t->handle, sizeof t->handle, "%s", handle);
    return 0;
}

int vector_type_is_out(vector_type_kind kind)
{
    return kind >= VT_OUT_U32;
}

/* Makes room for one more element of @p size in *items (count, *cap). */
static int grow(void **items, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *bigger = realloc(*items, ncap * size);
    if (!bigger)
        return -1;
    *items = bigger;
    *cap = ncap;
    return 0;
}

/* Splits @p line (modified) into at most @p max words. */
static size_t split(char *line, char **words, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
        if (*w == '#')
            break;
        if (n == max)
            return max + 1;
        words[n++] = w;
    }
    return n;
}

static int parse_line(char *line, vector_sigs *out, size_t *cap, size_t *rcap)
{
    char *w[VECTOR_MAX_PARAMS + 3];
    size_t n = split(line, w, VECTOR_MAX_PARAMS + 2);
    if (n == 0)
        return 0;
    if (n > VECTOR_MAX_PARAMS + 2 || n < 2)
        return -1;
    if (strcmp(w[0], "release") == 0) {
        if (n != 3 || !is_handle_type(w[1]) || strlen(w[2]) >= 64)
            return -1;
        if (grow((void **)&out->releases, out->nreleases, rcap, sizeof *out->releases) != 0)
            return -1;
        vector_release *r = &out->releases[out->nreleases++];
        snprintf(r->handle, sizeof r->handle, "%s", w[1]);
        snprintf(r->function, sizeof r->function, "%s", w[2]);
        return 0;
    }
    if (grow((void **)&out->sigs, out->count, cap, sizeof *out->sigs) != 0)
        return -1;
    vector_sig *s = &out->sigs[out->count];
    memset(s, 0, sizeof *s);
    if (strlen(w[0]) >= sizeof s->name || parse_type(w[1], &s->ret) != 0 ||
        s->ret.kind > VT_CSTR || s->ret.kind == VT_U64)
        return -1;
    snprintf(s->name, sizeof s->name, "%s", w[0]);
    for (size_t i = 2; i < n; i++) {
        vector_type *p = &s->params[s->nparams++];
        if (parse_type(w[i], p) != 0 || p->kind == VT_VOID || p->kind == VT_CSTR)
            return -1;
        /* An array is sized by the u32 just before it. */
        if (p->kind == VT_OUTV_HANDLE && (i == 2 || s->params[i - 3].kind != VT_U32))
            return -1;
    }
    out->count++;
    return 0;
}

int vector_sigs_parse(const char *buf, size_t len, vector_sigs *out, char *err, size_t errlen)
{
    size_t cap = 0, rcap = 0;
    unsigned line_no = 0;
    memset(out, 0, sizeof *out);
    for (const char *line = buf, *end = buf + len; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = (size_t)((nl ? nl : end) - line);
        char *copy = malloc(n + 1);
        line_no++;
        if (!copy) {
            snprintf(err, errlen, "line %u: out of memory", line_no);
            return -1;
        }
        memcpy(copy, line, n);
        copy[n] = '\0';
        int rc = memchr(copy, '\0', n) ? -1 : parse_line(copy, out, &cap, &rcap);
        free(copy);
        if (rc != 0) {
            snprintf(err, errlen, "line %u: malformed signature", line_no);
            return -1;
        }
        line = nl ? nl + 1 : end;
    }
    return 0;
}

const vector_sig *vector_sigs_find(const vector_sigs *sigs, const char *name)
{
    for (size_t i = 0; i < sigs->count; i++)
        if (strcmp(sigs->sigs[i].name, name) == 0)
            return &sigs->sigs[i];
    return NULL;
}

const vector_sig *vector_sigs_release_for(const vector_sigs *sigs, const char *handle_type)
{
    for (size_t i = 0; i < sigs->nreleases; i++)
        if (strcmp(sigs->releases[i].handle, handle_type) == 0)
            return vector_sigs_find(sigs, sigs->releases[i].function);
    return NULL;
}

void vector_sigs_free(vector_sigs *sigs)
{
    free(sigs->sigs);
    free(sigs->releases);
    memset(sigs, 0, sizeof *sigs);
}
