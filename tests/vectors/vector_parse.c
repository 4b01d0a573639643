/*
 * vector_parse.c - parses the .vec line format (README.md) into steps.
 */
#include "vector_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *end; /* the rest of the current line */
    unsigned line;
    char *err;
    size_t errlen;
} cursor;

/* printf-style, so the compiler checks each message (clang's -Wformat=2). */
static int fail(cursor *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(cursor *c, const char *fmt, ...)
{
    if (c->errlen) {
        int n = snprintf(c->err, c->errlen, "line %u: ", c->line);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < c->errlen)
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }
static int is_ident(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}
static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* A copy of [s, s + n) with a terminating NUL, or NULL. */
static char *copy_text(const char *s, size_t n)
{
    char *t = malloc(n + 1);
    if (t) {
        if (n) memcpy(t, s, n);
        t[n] = '\0';
    }
    return t;
}

static int parse_number(cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (c->end - c->p > 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
        base = 16;
        c->p += 2;
    }
    const char *start = c->p;
    for (; c->p < c->end; c->p++) {
        int d = hex_value(*c->p);
        if (d < 0 || (unsigned)d >= base)
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return fail(c, "number too large");
        v = v * base + (uint64_t)d;
    }
    if (c->p == start)
        return fail(c, "malformed number");
    *out = v;
    return 0;
}

/* "..." with escapes, then an optional *N repetition. */
static int parse_string(cursor *c, vector_tok *t)
{
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    if (!s)
        return fail(c, "out of memory");
    c->p++; /* opening quote */
    for (;;) {
        if (c->p >= c->end) {
            free(s);
            return fail(c, "unterminated string");
        }
        char ch = *c->p++;
        if (ch == '"')
            break;
        if (ch == '\\') {
            if (c->p >= c->end) {
                free(s);
                return fail(c, "unterminated string");
            }
            char e = *c->p++;
            if (e == 'n') ch = '\n';
            else if (e == 'r') ch = '\r';
            else if (e == 't') ch = '\t';
            else if (e == '\\' || e == '"') ch = e;
            else if (e == 'x' && c->end - c->p >= 2 && hex_value(c->p[0]) >= 0 &&
                     hex_value(c->p[1]) >= 0) {
                ch = (char)(hex_value(c->p[0]) * 16 + hex_value(c->p[1]));
                c->p += 2;
            } else {
                free(s);
                return fail(c, "unknown escape \\%c", e);
            }
        }
        if (n + 1 >= cap) {
            char *bigger = realloc(s, cap * 2);
            if (!bigger) {
                free(s);
                return fail(c, "out of memory");
            }
            s = bigger;
            cap *= 2;
        }
        s[n++] = ch;
    }
    uint64_t times = 1;
    if (c->p < c->end && *c->p == '*') {
        c->p++;
        if (parse_number(c, &times) != 0) {
            free(s);
            return -1;
        }
    }
    if (times == 0 || (n && times > VECTOR_MAX_STRING / n) || n * times > VECTOR_MAX_STRING) {
        free(s);
        return fail(c, "string repetition out of range");
    }
    size_t total = n * (size_t)times;
    char *text = malloc(total + 1);
    if (!text) {
        free(s);
        return fail(c, "out of memory");
    }
    /* Bounded by the total, not by times: ""*4000000000 is empty, at once
     * (found by fuzz/fuzz_vector_parse: it looped 4e9 times). */
    for (size_t i = 0; n && i < (size_t)times; i++)
        memcpy(text + i * n, s, n);
    text[total] = '\0';
    free(s);
    t->kind = VTOK_STR;
    t->text = text;
    t->len = total;
    return 0;
}

/* Reads one token; *sep is set instead for "=>". Returns 1 at the end of
 * the line, 0 for a token, -1 on error. */
static int next_token(cursor *c, vector_tok *t, int *sep)
{
    *sep = 0;
    while (c->p < c->end && is_space(*c->p))
        c->p++;
    if (c->p >= c->end || *c->p == '#')
        return 1;
    memset(t, 0, sizeof *t);
    char ch = *c->p;
    int rc = 0;
    if (ch == '"') {
        rc = parse_string(c, t);
    } else if (ch == '=' && c->end - c->p >= 2 && c->p[1] == '>') {
        c->p += 2;
        *sep = 1;
    } else if (ch == '*') {
        c->p++;
        t->kind = VTOK_ANY;
    } else if (ch >= '0' && ch <= '9') {
        t->kind = VTOK_INT;
        rc = parse_number(c, &t->num);
    } else if (ch == '$' || ch == '&' || is_ident(ch)) {
        const char *start = ch == '$' || ch == '&' ? c->p + 1 : c->p;
        c->p = start;
        while (c->p < c->end && is_ident(*c->p))
            c->p++;
        size_t n = (size_t)(c->p - start);
        if (n == 0)
            return fail(c, "a name is expected after '%c'", ch);
        if (ch == '$') t->kind = VTOK_REF;
        else if (ch == '&') t->kind = VTOK_BIND;
        else if (n == 4 && memcmp(start, "NULL", 4) == 0) t->kind = VTOK_NULL;
        else if (n == 3 && memcmp(start, "out", 3) == 0) t->kind = VTOK_OUT;
        else t->kind = VTOK_NAME;
        if (t->kind != VTOK_NULL && t->kind != VTOK_OUT) {
            t->text = copy_text(start, n);
            if (!t->text)
                return fail(c, "out of memory");
            t->len = n;
        }
    } else {
        return fail(c, "unexpected character '%c'", ch);
    }
    if (rc != 0)
        return -1;
    if (c->p < c->end && !is_space(*c->p) && *c->p != '#') {
        free(t->text);
        t->text = NULL;
        return fail(c, "a blank is expected after a token");
    }
    return 0;
}

static void free_step(vector_step *s)
{
    free(s->call);
    for (size_t i = 0; i < s->nargs; i++)
        free(s->args[i].text);
    if (s->has_expect)
        free(s->ret.text);
    for (size_t i = 0; i < s->nouts; i++)
        free(s->outs[i].text);
    memset(s, 0, sizeof *s);
}

/* @p kinds lists one letter per vector_tok_kind, in enum order "0ISRBAOW". */
static int allowed(vector_tok_kind k, const char *kinds)
{
    return strchr(kinds, "0ISRBAOW"[k]) != NULL;
}

/* Parses one line into @p s; returns 1 for a line with no call. */
static int parse_line(cursor *c, vector_step *s)
{
    vector_tok t;
    int sep, side = 0, rc; /* side: 0 call, 1 args, 2 return, 3 outs */
    memset(s, 0, sizeof *s);
    s->line = c->line;
    while ((rc = next_token(c, &t, &sep)) == 0) {
        if (sep) {
            if (side != 1)
                return fail(c, "'=>' must follow the call and its arguments");
            side = 2;
            s->has_expect = 1;
            continue;
        }
        if (side == 0) {
            if (t.kind != VTOK_NAME) {
                free(t.text);
                return fail(c, "a function name is expected first");
            }
            s->call = t.text;
            side = 1;
        } else if (side == 2) {
            if (!allowed(t.kind, "WIA")) { /* code name, number, any */
                free(t.text);
                return fail(c, "a code name, number or * is expected after '=>'");
            }
            s->ret = t;
            side = 3;
        } else {
            vector_tok *list = side == 1 ? s->args : s->outs;
            size_t *count = side == 1 ? &s->nargs : &s->nouts;
            if (!allowed(t.kind, side == 1 ? "0ISRO" : "0ISRBA")) {
                free(t.text);
                return fail(c, side == 1 ? "this token is not an argument"
                                         : "this token is not an expected output");
            }
            if (*count >= VECTOR_MAX_TOKENS) {
                free(t.text);
                return fail(c, "too many tokens");
            }
            list[(*count)++] = t;
        }
    }
    if (rc < 0)
        return -1;
    if (side == 0)
        return 1;
    if (side == 2)
        return fail(c, "an expected return is missing after '=>'");
    return 0;
}

int vector_parse(const char *buf, size_t len, vector_file *out, char *err, size_t errlen)
{
    cursor c = { buf, buf, 0, err, errlen };
    size_t cap = 0;
    const char *end = buf + len;
    memset(out, 0, sizeof *out);
    if (errlen)
        err[0] = '\0';
    for (const char *line = buf; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *line_end = nl ? nl : end;
        c.p = line;
        c.end = line_end;
        c.line++;
        if (memchr(line, '\0', (size_t)(line_end - line))) {
            fail(&c, "NUL byte in the line");
            vector_file_free(out);
            return -1;
        }
        if (out->count == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            vector_step *bigger = realloc(out->steps, ncap * sizeof *bigger);
            if (!bigger) {
                fail(&c, "out of memory");
                vector_file_free(out);
                return -1;
            }
            out->steps = bigger;
            cap = ncap;
        }
        vector_step *s = &out->steps[out->count];
        int rc = parse_line(&c, s);
        if (rc < 0) {
            free_step(s);
            vector_file_free(out);
            return -1;
        }
        if (rc == 0)
            out->count++;
        line = nl ? nl + 1 : end;
    }
    return 0;
}

void vector_file_free(vector_file *file)
{
    for (size_t i = 0; i < file->count; i++)
        free_step(&file->steps[i]);
    free(file->steps);
    file->steps = NULL;
    file->count = 0;
}
