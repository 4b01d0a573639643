/*
 * vector_exec.c - executes vector steps against a backend (vector_exec.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "vector_exec.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The most handles an array out-parameter may ask for. */
#define MAX_CELT 1024u

/* BITS_E_INVALIDARG (Windows' E_INVALIDARG; the number is part of the
 * ABI): what a call with a string holding a NUL returns (has_nul). */
#define VECTOR_E_INVALIDARG 0x80070057u

typedef enum { VB_INT, VB_STR, VB_HANDLE } binding_kind;

typedef struct {
    char *name;
    binding_kind kind;
    uint64_t num;
    char *str; /* VB_STR; NULL for a null string */
    void *ptr; /* VB_HANDLE */
    char handle[16];
} binding;

typedef struct {
    const char *path;
    const vector_sigs *sigs;
    const vector_backend *backend;
    const char *tmpdir;
    binding *bindings;
    size_t nbindings;
    const vector_step *step; /* for messages */
    /* The trace (README.md, "The trace"): one line per step, built here. */
    FILE *trace;
    char *line;
    size_t line_len, line_cap;
    char **guids; /* GUID texts in the order first seen: {GUID1}, {GUID2}... */
    size_t nguids;
} run;

/* Per-call storage: converted arguments and out-slots. */
typedef struct {
    vector_word args[VECTOR_MAX_PARAMS];
    char *strings[VECTOR_MAX_PARAMS];
    unsigned char guids[VECTOR_MAX_PARAMS][16];
    uint32_t u32[VECTOR_MAX_PARAMS];
    uint64_t u64[VECTOR_MAX_PARAMS];
    char *str[VECTOR_MAX_PARAMS];
    void *handle[VECTOR_MAX_PARAMS];
    void **array[VECTOR_MAX_PARAMS];
    size_t array_len[VECTOR_MAX_PARAMS];
    int is_out[VECTOR_MAX_PARAMS]; /* an "out" token (not NULL) */
} call_frame;

static int mismatch(run *r, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%u: %s: ", r->path, r->step->line, r->step->call);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* ---- the trace (README.md, "The trace") ----------------------------------- */

/* Appends to the step's trace line; out of memory only loses the line. */
static void trace_add(run *r, const char *fmt, ...)
{
    va_list ap;
    if (!r->trace)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (r->line_len + (size_t)n + 1 > r->line_cap) {
        size_t cap = (r->line_len + (size_t)n + 1) * 2;
        char *bigger = realloc(r->line, cap);
        if (!bigger)
            return;
        r->line = bigger;
        r->line_cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(r->line + r->line_len, r->line_cap - r->line_len, fmt, ap);
    va_end(ap);
    r->line_len += (size_t)n;
}

/* Starts the line of step @p s: "FILE:LINE CALL =>". */
static void trace_begin(run *r, const vector_step *s)
{
    const char *base = strrchr(r->path, '/');
    r->line_len = 0;
    trace_add(r, "%s:%u %s =>", base ? base + 1 : r->path, s->line, s->call);
}

static void trace_end(run *r)
{
    if (r->trace && r->line) {
        fprintf(r->trace, "%.*s\n", (int)r->line_len, r->line);
        fflush(r->trace);
    }
    r->line_len = 0;
}

/* 1 when @p s is exactly GUID text, {8-4-4-4-12 hex digits}. */
static int is_guid_text(const char *s)
{
    static const char shape[] = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";
    if (strlen(s) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'x' ? !strchr("0123456789abcdefABCDEF", s[i]) || !s[i] : s[i] != shape[i])
            return 0;
    return 1;
}

/* A string out-value: NULL, {GUIDn} for GUID text, else quoted with
 * the runner's $TMP directory put back and bytes outside printable
 * ASCII, '"' and '\' as \xHH. */
static void trace_string(run *r, const char *s)
{
    if (!s) {
        trace_add(r, " NULL");
        return;
    }
    if (is_guid_text(s)) {
        size_t k = 0;
        while (k < r->nguids && strcasecmp(r->guids[k], s) != 0)
            k++;
        if (k == r->nguids) {
            char **bigger = realloc(r->guids, (k + 1) * sizeof *bigger);
            if (bigger && (bigger[k] = strdup(s)) != NULL) {
                r->guids = bigger;
                r->nguids++;
            } else if (bigger) {
                r->guids = bigger;
            }
        }
        trace_add(r, " {GUID%zu}", k + 1);
        return;
    }
    size_t tl = strlen(r->tmpdir);
    trace_add(r, " \"");
    for (const char *p = s; *p;) {
        unsigned char c = (unsigned char)*p;
        if (tl && strncmp(p, r->tmpdir, tl) == 0) {
            trace_add(r, "$TMP");
            p += tl;
            continue;
        }
        if (c < 0x20 || c > 0x7E || c == '"' || c == '\\')
            trace_add(r, "\\x%02x", c);
        else
            trace_add(r, "%c", c);
        p++;
    }
    trace_add(r, "\"");
}

/* ---- calls the executor makes for itself --------------------------------- */

static int call_named(run *r, const char *name, vector_word *args, vector_word *ret)
{
    const vector_sig *sig = vector_sigs_find(r->sigs, name);
    vector_word ignored;
    if (!sig)
        return mismatch(r, "the signature table lacks %s", name);
    return r->backend->call(r->backend->ctx, sig, args, ret ? ret : &ignored);
}

static void lib_free(run *r, void *p)
{
    vector_word a[1] = { { .p = p } };
    if (p)
        call_named(r, "bits_free", a, NULL);
}

static const char *lib_code_name(run *r, uint32_t code)
{
    vector_word a[1] = { { .u = code } }, ret = { 0 };
    if (call_named(r, "bits_hresult_name", a, &ret) != 0 || !ret.p)
        return "?";
    return ret.p;
}

static void lib_release(run *r, const char *handle_type, void *p)
{
    const vector_sig *sig = vector_sigs_release_for(r->sigs, handle_type);
    vector_word a[1] = { { .p = p } }, ret;
    if (!p)
        return;
    if (!sig)
        mismatch(r, "no release function for %s", handle_type);
    else
        r->backend->call(r->backend->ctx, sig, a, &ret);
}

/* The "{...}" text of a GUID, as a malloc'd string, or NULL. */
static char *lib_guid_text(run *r, unsigned char *guid)
{
    char *text = NULL;
    vector_word a[2] = { { .p = guid }, { .p = &text } }, ret = { 0 };
    if (call_named(r, "bits_guid_to_string", a, &ret) != 0 || (int32_t)(uint32_t)ret.u < 0)
        return NULL;
    char *copy = text ? strdup(text) : NULL;
    lib_free(r, text);
    return copy;
}

static int lib_guid_parse(run *r, const char *text, unsigned char *guid)
{
    vector_word a[2] = { { .p = (void *)text }, { .p = guid } }, ret = { 0 };
    if (call_named(r, "bits_guid_from_string", a, &ret) != 0 || (uint32_t)ret.u != 0)
        return mismatch(r, "'%s' is not a GUID", text);
    return 0;
}

/* ---- names and strings ------------------------------------------------------ */

static binding *find_binding(run *r, const char *name)
{
    for (size_t i = 0; i < r->nbindings; i++)
        if (strcmp(r->bindings[i].name, name) == 0)
            return &r->bindings[i];
    return NULL;
}

/* A binding named @p name of @p kind, created or emptied for reuse; NULL
 * (reported) when out of memory. */
static binding *new_binding(run *r, const char *name, binding_kind kind)
{
    binding *b = find_binding(r, name);
    if (b) {
        free(b->str);
    } else {
        binding *bigger = realloc(r->bindings, (r->nbindings + 1) * sizeof *bigger);
        if (!bigger) {
            mismatch(r, "out of memory");
            return NULL;
        }
        r->bindings = bigger;
        b = &r->bindings[r->nbindings++];
        b->name = strdup(name);
        if (!b->name) {
            r->nbindings--;
            mismatch(r, "out of memory");
            return NULL;
        }
    }
    char *keep = b->name;
    memset(b, 0, sizeof *b);
    b->name = keep;
    b->kind = kind;
    return b;
}

static binding *ref(run *r, const vector_tok *t, binding_kind kind)
{
    binding *b = find_binding(r, t->text);
    if (!b)
        mismatch(r, "$%s is not bound", t->text);
    else if (b->kind != kind) {
        mismatch(r, "$%s is bound to a value of another type", t->text);
        b = NULL;
    }
    return b;
}

/* A STR token holding a NUL before its end (README.md: no C string can
 * carry it). */
static int tok_has_nul(const vector_tok *t)
{
    return t->kind == VTOK_STR && t->len && memchr(t->text, '\0', t->len) != NULL;
}

/* The string of a STR token with every "$TMP" replaced (malloc'd). The
 * count walks all len bytes, as the copy does: a NUL before "$TMP" must
 * not hide it (the buffer would be too short). */
static char *expand(run *r, const vector_tok *t)
{
    size_t tl = strlen(r->tmpdir), n = 0;
    for (size_t i = 0; i + 4 <= t->len; i++)
        if (memcmp(t->text + i, "$TMP", 4) == 0) {
            n++;
            i += 3;
        }
    char *out = malloc(t->len + n * tl + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < t->len;) {
        if (t->len - i >= 4 && memcmp(t->text + i, "$TMP", 4) == 0) {
            memcpy(o, r->tmpdir, tl);
            o += tl;
            i += 4;
        } else {
            *o++ = t->text[i++];
        }
    }
    *o = '\0';
    return out;
}

/* ---- arguments ------------------------------------------------------------- */

static int integer_arg(run *r, const vector_tok *t, uint64_t max, uint64_t *out)
{
    const binding *b = NULL;
    if (t->kind == VTOK_REF && !(b = ref(r, t, VB_INT)))
        return -1;
    if (t->kind != VTOK_INT && !b)
        return mismatch(r, "an integer is expected");
    *out = b ? b->num : t->num;
    if (*out > max)
        return mismatch(r, "%" PRIu64 " is out of range", *out);
    return 0;
}

/* A string argument: a literal, NULL or a bound string. */
static int string_arg(run *r, const vector_tok *t, char **out)
{
    const binding *b;
    *out = NULL;
    if (t->kind == VTOK_NULL)
        return 0;
    if (t->kind == VTOK_STR)
        return (*out = expand(r, t)) ? 0 : mismatch(r, "out of memory");
    if (t->kind == VTOK_REF && (b = ref(r, t, VB_STR)))
        return !b->str || (*out = strdup(b->str)) ? 0 : mismatch(r, "out of memory");
    return t->kind == VTOK_REF ? -1 : mismatch(r, "a string is expected");
}

static int build_arg(run *r, const vector_type *type, const vector_tok *t, size_t i,
                     call_frame *f)
{
    vector_word *a = &f->args[i];
    const binding *b;
    switch (type->kind) {
    case VT_HRESULT:
    case VT_U32:
        return integer_arg(r, t, UINT32_MAX, &a->u);
    case VT_U64:
        return integer_arg(r, t, UINT64_MAX, &a->u);
    case VT_STR:
        if (string_arg(r, t, &f->strings[i]) != 0)
            return -1;
        a->p = f->strings[i];
        return 0;
    case VT_GUID:
        if (string_arg(r, t, &f->strings[i]) != 0)
            return -1;
        if (!f->strings[i] || tok_has_nul(t)) { /* a NUL: refused before the call */
            a->p = NULL;
            return 0;
        }
        a->p = f->guids[i];
        return lib_guid_parse(r, f->strings[i], f->guids[i]);
    case VT_PTR:
        a->p = NULL;
        return t->kind == VTOK_NULL ? 0 : mismatch(r, "only NULL is a valid pointer here");
    case VT_HANDLE:
        a->p = NULL;
        if (t->kind == VTOK_NULL)
            return 0;
        if (t->kind != VTOK_REF)
            return mismatch(r, "a $handle or NULL is expected");
        if (!(b = ref(r, t, VB_HANDLE)))
            return -1;
        if (strcmp(b->handle, type->handle) != 0)
            return mismatch(r, "$%s is a %s, not a %s", t->text, b->handle, type->handle);
        a->p = b->ptr;
        return 0;
    default:
        break;
    }
    /* Out-parameters. */
    a->p = NULL;
    if (t->kind == VTOK_NULL)
        return 0;
    if (t->kind != VTOK_OUT)
        return mismatch(r, "parameter %zu is an out-parameter: out or NULL", i + 1);
    f->is_out[i] = 1;
    switch (type->kind) {
    case VT_OUT_U32:
    case VT_OUT_HRESULT: a->p = &f->u32[i]; break;
    case VT_OUT_U64: a->p = &f->u64[i]; break;
    case VT_OUT_STR: a->p = &f->str[i]; break;
    case VT_OUT_GUID: a->p = f->guids[i]; break;
    case VT_OUT_HANDLE: a->p = &f->handle[i]; break;
    case VT_OUTV_HANDLE: {
        uint64_t celt = f->args[i - 1].u;
        if (celt > MAX_CELT)
            return mismatch(r, "celt above %u", MAX_CELT);
        f->array_len[i] = celt ? (size_t)celt : 1;
        f->array[i] = calloc(f->array_len[i], sizeof(void *));
        if (!f->array[i])
            return mismatch(r, "out of memory");
        a->p = f->array[i];
        break;
    }
    default:
        return mismatch(r, "unsupported parameter type");
    }
    return 0;
}

/* ---- out-values ----------------------------------------------------------- */

static int check_integer(run *r, const vector_tok *want, uint64_t got)
{
    binding *b;
    switch (want->kind) {
    case VTOK_ANY:
        return 0;
    case VTOK_BIND:
        if (!(b = new_binding(r, want->text, VB_INT)))
            return -1;
        b->num = got;
        return 0;
    case VTOK_INT:
        return want->num == got ? 0
                                : mismatch(r, "out-value %" PRIu64 ", expected %" PRIu64, got,
                                           want->num);
    case VTOK_REF:
        if (!(b = ref(r, want, VB_INT)))
            return -1;
        return b->num == got ? 0 : mismatch(r, "out-value %" PRIu64 ", expected $%s = %" PRIu64,
                                            got, want->text, b->num);
    default:
        return mismatch(r, "an integer out-value cannot be checked that way");
    }
}

static int check_string(run *r, const vector_tok *want, const char *got)
{
    binding *b;
    char *expected = NULL;
    int rc;
    switch (want->kind) {
    case VTOK_ANY:
        return 0;
    case VTOK_BIND:
        if (!(b = new_binding(r, want->text, VB_STR)))
            return -1;
        b->str = got ? strdup(got) : NULL;
        return 0;
    case VTOK_NULL:
        return got ? mismatch(r, "out-value \"%s\", expected NULL", got) : 0;
    case VTOK_STR:
        /* strcmp would compare only up to the NUL; a C string never holds one. */
        if (tok_has_nul(want))
            return mismatch(r, "out-value \"%.200s\", expected a string holding a NUL",
                            got ? got : "(null)");
        if (!(expected = expand(r, want)))
            return mismatch(r, "out of memory");
        rc = got && strcmp(got, expected) == 0
                 ? 0
                 : mismatch(r, "out-value \"%.200s\", expected \"%.200s\"", got ? got : "(null)",
                            expected);
        free(expected);
        return rc;
    case VTOK_REF:
        if (!(b = ref(r, want, VB_STR)))
            return -1;
        if (got && b->str && strcmp(got, b->str) == 0)
            return 0;
        return mismatch(r, "out-value \"%s\", expected $%s = \"%s\"", got ? got : "(null)",
                        want->text, b->str ? b->str : "(null)");
    default:
        return mismatch(r, "a string out-value cannot be checked that way");
    }
}

/* Takes over @p got: binds it or releases it. */
static int check_handle(run *r, const vector_tok *want, const char *type, void *got)
{
    binding *b;
    if (want && want->kind == VTOK_BIND) {
        if (!(b = new_binding(r, want->text, VB_HANDLE))) {
            lib_release(r, type, got);
            return -1;
        }
        b->ptr = got;
        snprintf(b->handle, sizeof b->handle, "%s", type);
        return 0;
    }
    lib_release(r, type, got);
    if (!want || want->kind == VTOK_ANY)
        return 0;
    if (want->kind == VTOK_NULL)
        return got ? mismatch(r, "a %s handle came back, NULL was expected", type) : 0;
    return mismatch(r, "a handle out-value is checked with &name, NULL or *");
}

/* Checks (when @p want) and frees out-parameter @p i. */
static int finish_out(run *r, const vector_type *type, size_t i, call_frame *f,
                      const vector_tok *want)
{
    int rc = 0;
    char *text;
    switch (type->kind) {
    case VT_OUT_U32:
    case VT_OUT_HRESULT:
        return want ? check_integer(r, want, f->u32[i]) : 0;
    case VT_OUT_U64:
        return want ? check_integer(r, want, f->u64[i]) : 0;
    case VT_OUT_STR:
        rc = want ? check_string(r, want, f->str[i]) : 0;
        lib_free(r, f->str[i]);
        f->str[i] = NULL;
        return rc;
    case VT_OUT_GUID:
        if (!want)
            return 0;
        text = lib_guid_text(r, f->guids[i]);
        rc = check_string(r, want, text);
        free(text);
        return rc;
    case VT_OUT_HANDLE:
        rc = check_handle(r, want, type->handle, f->handle[i]);
        f->handle[i] = NULL;
        return rc;
    case VT_OUTV_HANDLE:
        for (size_t k = 0; k < f->array_len[i]; k++) {
            int one = k == 0 ? check_handle(r, want, type->handle, f->array[i][k])
                             : check_handle(r, NULL, type->handle, f->array[i][k]);
            rc = rc ? rc : one;
        }
        return rc;
    default:
        return 0;
    }
}

/* The trace's token for out-parameter @p i, listed in the vector as
 * @p listed (README.md, "The trace"). Called before finish_out frees it. */
static void trace_out(run *r, const vector_type *type, size_t i, call_frame *f,
                      const vector_tok *listed)
{
    char *text;
    if (listed->kind == VTOK_ANY) {
        trace_add(r, " *");
        return;
    }
    switch (type->kind) {
    case VT_OUT_U32:
    case VT_OUT_HRESULT: trace_add(r, " %" PRIu32, f->u32[i]); break;
    case VT_OUT_U64: trace_add(r, " %" PRIu64, f->u64[i]); break;
    case VT_OUT_STR: trace_string(r, f->str[i]); break;
    case VT_OUT_GUID:
        text = lib_guid_text(r, f->guids[i]);
        trace_string(r, text);
        free(text);
        break;
    case VT_OUT_HANDLE: trace_add(r, f->handle[i] ? " handle" : " NULL"); break;
    case VT_OUTV_HANDLE: trace_add(r, f->array[i][0] ? " handle" : " NULL"); break;
    default: trace_add(r, " ?"); break;
    }
}

/* ---- runner directives (README.md): steps that are not library calls --- */

/* write_file "PATH" "CONTENT": a source file for local copies. */
static int write_file(run *r, const vector_step *s)
{
    if (s->nargs != 2 || s->args[0].kind != VTOK_STR || s->args[1].kind != VTOK_STR ||
        s->has_expect) {
        trace_add(r, " error");
        return mismatch(r, "write_file takes a path and a content string");
    }
    if (tok_has_nul(&s->args[0])) {
        trace_add(r, " error");
        return mismatch(r, "write_file: a path cannot hold a NUL");
    }
    char *path = expand(r, &s->args[0]);
    FILE *f = path ? fopen(path, "wb") : NULL;
    int rc = f && fwrite(s->args[1].text, 1, s->args[1].len, f) == s->args[1].len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        mismatch(r, "cannot write %s", path ? path : "(out of memory)");
    free(path);
    trace_add(r, rc == 0 ? " ok" : " error");
    return rc;
}

/* wait_state $job STATE: polls GetState until the engine has moved the
 * job there. The bound only keeps a broken engine from hanging the run. */
static int wait_state(run *r, const vector_step *s)
{
    const binding *job;
    const struct timespec pause = { 0, 20 * 1000 * 1000 };
    uint32_t state = UINT32_MAX;
    if (s->nargs != 2 || s->args[0].kind != VTOK_REF || s->args[1].kind != VTOK_INT ||
        s->has_expect) {
        trace_add(r, " error");
        return mismatch(r, "wait_state takes a $job and a state number");
    }
    if (!(job = ref(r, &s->args[0], VB_HANDLE))) {
        trace_add(r, " error");
        return -1;
    }
    for (int i = 0; i < 60 * 50; i++) {
        vector_word a[2] = { { .p = job->ptr }, { .p = &state } }, ret = { 0 };
        if (call_named(r, "bits_job_get_state", a, &ret) != 0) {
            trace_add(r, " error");
            return -1;
        }
        if ((uint32_t)ret.u == 0 && state == s->args[1].num) {
            trace_add(r, " %" PRIu32, state);
            return 0;
        }
        nanosleep(&pause, NULL);
    }
    trace_add(r, " %" PRIu32, state);
    return mismatch(r, "still in state %" PRIu32 " after 60 s, expected %" PRIu64, state,
                    s->args[1].num);
}

/* ---- one step ------------------------------------------------------------- */

static int check_return(run *r, const vector_sig *sig, vector_word ret)
{
    const vector_tok *want = &r->step->ret;
    if (!r->step->has_expect || want->kind == VTOK_ANY)
        return 0;
    if (sig->ret.kind == VT_HRESULT) {
        const char *got = lib_code_name(r, (uint32_t)ret.u);
        if (want->kind == VTOK_NAME && strcmp(got, want->text) != 0)
            return mismatch(r, "returned %s (0x%08" PRIX32 "), expected %s", got,
                            (uint32_t)ret.u, want->text);
        if (want->kind == VTOK_INT && want->num != (uint32_t)ret.u)
            return mismatch(r, "returned 0x%08" PRIX32 ", expected 0x%08" PRIX64,
                            (uint32_t)ret.u, want->num);
        return 0;
    }
    if (sig->ret.kind == VT_U32 && want->kind == VTOK_INT)
        return want->num == (uint32_t)ret.u
                   ? 0
                   : mismatch(r, "returned %" PRIu32 ", expected %" PRIu64, (uint32_t)ret.u,
                              want->num);
    return mismatch(r, "this return cannot be checked that way");
}

/* A string or GUID argument holding a NUL. A C string ends at its first
 * NUL, so the library would see it cut ("a\0b" as "a"); the bindings
 * refuse such a string before the call with BITS_E_INVALIDARG
 * (bindings/swig/openbits.i), and so do the runners, which stand in for a
 * binding here: every runner answers the same (README.md). */
static int has_nul(const vector_sig *sig, const vector_step *s)
{
    for (size_t i = 0; i < s->nargs && i < sig->nparams; i++)
        if ((sig->params[i].kind == VT_STR || sig->params[i].kind == VT_GUID) &&
            tok_has_nul(&s->args[i]))
            return 1;
    return 0;
}

static int exec_step(run *r, const vector_step *s, size_t *calls)
{
    const vector_sig *sig = vector_sigs_find(r->sigs, s->call);
    call_frame *f = calloc(1, sizeof *f);
    vector_word ret = { 0 };
    size_t nout = 0, next_out = 0;
    int rc = 0, called = 0;
    r->step = s;
    if (!f) {
        trace_add(r, " error");
        return mismatch(r, "out of memory");
    }
    if (!sig)
        rc = mismatch(r, "not in the signature table");
    else if (s->nargs != sig->nparams)
        rc = mismatch(r, "%zu arguments given, the function takes %zu", s->nargs, sig->nparams);
    for (size_t i = 0; rc == 0 && i < s->nargs; i++)
        rc = build_arg(r, &sig->params[i], &s->args[i], i, f);
    for (size_t i = 0; i < s->nargs; i++)
        nout += f->is_out[i];
    if (rc == 0 && s->nouts && s->nouts != nout)
        rc = mismatch(r, "%zu out-values listed for %zu out arguments", s->nouts, nout);
    if (rc == 0 && has_nul(sig, s)) {
        ret.u = VECTOR_E_INVALIDARG; /* refused, as a binding does */
        ++*calls;
        called = 1;
    } else if (rc == 0) {
        rc = r->backend->call(r->backend->ctx, sig, f->args, &ret);
        ++*calls;
        called = rc == 0;
    }
    /* The trace shows what happened, checked or not (README.md). */
    if (!called)
        trace_add(r, " error");
    else if (sig->ret.kind == VT_VOID)
        trace_add(r, " -");
    else if (!s->has_expect || s->ret.kind == VTOK_ANY)
        trace_add(r, " *");
    else if (sig->ret.kind == VT_HRESULT)
        trace_add(r, " %s", lib_code_name(r, (uint32_t)ret.u));
    else
        trace_add(r, " %" PRIu64, ret.u);
    if (rc == 0)
        rc = check_return(r, sig, ret);
    int failed = sig && sig->ret.kind == VT_HRESULT && (int32_t)(uint32_t)ret.u < 0;
    if (rc == 0 && failed && s->nouts)
        rc = mismatch(r, "a failing call lists no out-values");
    /* Check what was asked, then free every out-value either way. */
    for (size_t i = 0; sig && i < s->nargs; i++) {
        if (!f->is_out[i])
            continue;
        const vector_tok *listed = s->nouts && next_out < s->nouts ? &s->outs[next_out] : NULL;
        const vector_tok *want = rc == 0 ? listed : NULL;
        next_out++;
        if (called && !failed && listed)
            trace_out(r, &sig->params[i], i, f, listed);
        int one = finish_out(r, &sig->params[i], i, f, want);
        rc = rc ? rc : one;
    }
    for (size_t i = 0; i < VECTOR_MAX_PARAMS; i++) {
        free(f->strings[i]);
        free(f->array[i]);
    }
    free(f);
    return rc;
}

int vector_exec(const char *path, const vector_file *file, const vector_sigs *sigs,
                const vector_backend *backend, const char *tmpdir, FILE *trace, size_t *calls)
{
    run r = { path, sigs, backend, tmpdir, NULL, 0, NULL, trace, NULL, 0, 0, NULL, 0 };
    int rc = 0;
    *calls = 0;
    for (size_t i = 0; rc == 0 && i < file->count; i++) {
        const vector_step *s = &file->steps[i];
        r.step = s;
        trace_begin(&r, s);
        if (strcmp(s->call, "write_file") == 0)
            rc = write_file(&r, s);
        else if (strcmp(s->call, "wait_state") == 0)
            rc = wait_state(&r, s);
        else
            rc = exec_step(&r, s, calls);
        trace_end(&r);
    }
    for (size_t i = 0; i < r.nbindings; i++) {
        free(r.bindings[i].name);
        free(r.bindings[i].str);
    }
    free(r.bindings);
    for (size_t i = 0; i < r.nguids; i++)
        free(r.guids[i]);
    free(r.guids);
    free(r.line);
    return rc;
}
