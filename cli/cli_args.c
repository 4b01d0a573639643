/*
 * cli_args.c - the values of the command line, read strictly: sizes and
 * rates with their suffixes, durations, URLs (with libcurl's own reasons),
 * the file name a URL gives, and destinations resolved and checked before
 * any job is touched, so an error names the argument and what is wrong
 * with it. Pure but for the file-system checks of destinations.
 */
#include "cli.h"
#include "util/url_bytes.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

/* ---- numbers with units --------------------------------------------------------- */

/* A non-negative decimal with an optional fraction at @p text; sets
 * *end past it. -1 when there is no digit. */
static int read_decimal(const char *text, long double *out, const char **end)
{
    const char *p = text;
    long double v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        v = v * 10 + (*p - '0');
    if (*p == '.') {
        long double scale = 0.1L;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++, scale /= 10)
            v += (*p - '0') * scale;
    }
    *out = v;
    *end = p;
    return digits ? 0 : -1;
}

/* 0x hexadecimal, as the setters always took. 1 when @p text is one
 * (*out set, or -1 returned through *bad when it does not fit). */
static int read_hex(const char *text, uint64_t max, uint64_t *out, int *bad)
{
    if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text + 2, &end, 16);
    *bad = end == text + 2 || *end || errno || v > max;
    if (!*bad)
        *out = v;
    return 1;
}

int cli_parse_size(const char *text, uint64_t max, int rate, uint64_t *out)
{
    int bad = 0;
    if (read_hex(text, max, out, &bad))
        return bad ? -1 : 0;
    long double v;
    const char *p;
    if (read_decimal(text, &v, &p) != 0)
        return -1;
    static const char units[] = "KMGT";
    const char *u = *p ? strchr(units, toupper((unsigned char)*p)) : NULL;
    long double scale = 1;
    if (u && *u) {
        int power = (int)(u - units) + 1;
        p++;
        int binary = 1;
        if (*p == 'i' || *p == 'I') { /* KiB, MiB: 1024 */
            p++;
            if (*p == 'B' || *p == 'b')
                p++;
        } else if (*p == 'B' || *p == 'b') { /* kB, MB: 1000 */
            binary = 0;
            p++;
        }
        scale = powl(binary ? 1024.0L : 1000.0L, power);
    } else if (*p == 'B' || *p == 'b') {
        p++;
    }
    if (rate && strcmp(p, "/s") == 0)
        p += 2;
    if (*p)
        return -1;
    v *= scale;
    if (v > (long double)max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_duration(const char *text, uint32_t *out)
{
    uint64_t hex;
    int bad = 0;
    if (read_hex(text, UINT32_MAX, &hex, &bad)) {
        *out = (uint32_t)hex;
        return bad ? -1 : 0;
    }
    long double total = 0;
    const char *p = text;
    if (!*p)
        return -1;
    while (*p) {
        long double v;
        if (read_decimal(p, &v, &p) != 0)
            return -1;
        long double unit = 1;
        switch (*p) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case '\0':
            if (p != text + strspn(text, "0123456789.")) /* "1m30": the last needs a unit */
                return -1;
            break;
        default: return -1;
        }
        if (*p)
            p++;
        total += v * unit;
        if (total > UINT32_MAX)
            return -1;
    }
    *out = (uint32_t)(total + 0.5L);
    return 0;
}

int cli_parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!*text || !isdigit((unsigned char)*text))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

void cli_format_duration(uint64_t seconds, char *out, size_t n)
{
    if (seconds >= 86400)
        snprintf(out, n, "%llud%lluh", (unsigned long long)(seconds / 86400),
                 (unsigned long long)(seconds % 86400 / 3600));
    else if (seconds >= 3600)
        snprintf(out, n, "%lluh%02llum", (unsigned long long)(seconds / 3600),
                 (unsigned long long)(seconds % 3600 / 60));
    else if (seconds >= 60)
        snprintf(out, n, "%llum%02llus", (unsigned long long)(seconds / 60),
                 (unsigned long long)(seconds % 60));
    else
        snprintf(out, n, "%llus", (unsigned long long)seconds);
}

void cli_format_size(double bytes, char *out, size_t n)
{
    const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

/* ---- URLs ----------------------------------------------------------------------- */

int cli_looks_like_url(const char *arg)
{
    size_t n = 0;
    if (!isalpha((unsigned char)arg[0]))
        return 0;
    while (isalnum((unsigned char)arg[n]) || arg[n] == '+' || arg[n] == '-' || arg[n] == '.')
        n++;
    return strncmp(arg + n, "://", 3) == 0;
}

int cli_check_source(const char *arg, char *why, size_t n)
{
    if (!cli_looks_like_url(arg)) {
        if (arg[0] == '/' && arg[1])
            return 0; /* a local file, copied */
        snprintf(why, n, "not a URL (http://, https:// or file://) nor an absolute path");
        return -1;
    }
    size_t scheme_len = strcspn(arg, ":");
    CURLU *u = curl_url();
    if (!u) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, arg, 0);
    curl_url_cleanup(u);
    if (rc == CURLUE_UNSUPPORTED_SCHEME ||
        (rc == CURLUE_OK && !(scheme_len == 4 && strncasecmp(arg, "http", 4) == 0) &&
         !(scheme_len == 5 && strncasecmp(arg, "https", 5) == 0) &&
         !(scheme_len == 4 && strncasecmp(arg, "file", 4) == 0))) {
        snprintf(why, n, "scheme \"%.*s\" is not supported (http, https and file are)",
                 (int)(scheme_len > 32 ? 32 : scheme_len), arg);
        return -1;
    }
    if (rc != CURLUE_OK) {
        snprintf(why, n, "%s", curl_url_strerror(rc));
        return -1;
    }
    const char *rest = arg + scheme_len + 3;
    if (strncasecmp(arg, "file", 4) != 0 && strcspn(rest, "/?#") == 0) {
        snprintf(why, n, "has no host name");
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
        if (!ob_url_byte_ok(*p)) {
            if (*p == ' ')
                snprintf(why, n, "holds a space: write it as %%20");
            else if (*p < 0x20 || *p == 0x7F)
                snprintf(why, n, "holds the control character 0x%02X", *p);
            else
                snprintf(why, n, "holds the character '%c': write it as %%%02X", *p, *p);
            return -1;
        }
    }
    return 0;
}

char *cli_source_file_name(const char *arg, char *why, size_t n)
{
    char *path = NULL;
    if (cli_looks_like_url(arg)) {
        CURLU *u = curl_url();
        if (!u || curl_url_set(u, CURLUPART_URL, arg, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
            curl_url_cleanup(u);
            snprintf(why, n, "not a URL");
            return NULL;
        }
        curl_url_cleanup(u);
    }
    const char *full = path ? path : arg;
    const char *last = strrchr(full, '/');
    last = last ? last + 1 : full;
    int len = 0;
    char *name = path ? curl_easy_unescape(NULL, last, 0, &len) : strdup(last);
    if (path)
        curl_free(path);
    char *out = name ? strdup(name) : NULL;
    if (path)
        curl_free(name);
    else
        free(name);
    if (!out) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    size_t olen = strlen(out);
    if (olen == 0)
        snprintf(why, n, "gives no file name (its path ends with /): name one with -o or DEST");
    else if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        snprintf(why, n, "gives the file name \"%s\", which is refused: name one with -o or DEST",
                 out);
    else if ((int)olen != len && path)
        snprintf(why, n, "gives a file name holding a NUL byte: name one with -o or DEST");
    else if (strchr(out, '/'))
        snprintf(why, n, "gives a file name holding '/' (%%2F): name one with -o or DEST");
    else {
        for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
            if (*p < 0x20 || *p == 0x7F) {
                snprintf(why, n, "gives a file name holding a control character: name one "
                                 "with -o or DEST");
                free(out);
                return NULL;
            }
        }
        return out;
    }
    free(out);
    return NULL;
}

/* ---- destinations ------------------------------------------------------------------ */

char *cli_absolute_path(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return strdup(path); /* the check says it is relative */
    while (strncmp(path, "./", 2) == 0)
        path += 2;
    size_t n = strlen(cwd) + strlen(path) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", path);
    return out;
}

int cli_is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* @p dir joined with @p name (new string). */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    return out;
}

char *cli_resolve_dest(const char *dest, const char *dir, const char *name, char *why, size_t n)
{
    char *wanted;
    /* A directory (existing, or written with a trailing /) gets the URL's name. */
    if (!dest)
        wanted = join(dir ? dir : ".", name);
    else if (dest[strlen(dest) - 1] == '/' || cli_is_directory(dest))
        wanted = join(dest, name);
    else if (dir && dest[0] != '/')
        wanted = join(dir, dest);
    else
        wanted = strdup(dest);
    if (!wanted) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    /* The parent, resolved by the kernel ("..", symlinks); the library
     * wants an absolute path without "." or "..". */
    char *slash = strrchr(wanted, '/');
    const char *base = slash ? slash + 1 : wanted;
    char *parent = slash ? strndup(wanted, (size_t)(slash - wanted) + (slash == wanted)) : strdup(".");
    char *out = NULL, real[PATH_MAX];
    struct stat st;
    int control = 0;
    for (const unsigned char *p = (const unsigned char *)wanted; *p; p++)
        control |= *p < 0x20 || *p == 0x7F;
    if (!parent) {
        snprintf(why, n, "out of memory");
    } else if (control) {
        snprintf(why, n, "holds a control character");
    } else if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        snprintf(why, n, "names no file");
    } else if (stat(parent, &st) != 0) {
        snprintf(why, n, "directory %s: %s", parent, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(why, n, "%s is not a directory", parent);
    } else if (!realpath(parent, real)) {
        snprintf(why, n, "directory %s: %s", parent, strerror(errno));
    } else if (access(real, W_OK | X_OK) != 0) {
        snprintf(why, n, "directory %s is not writable (%s)", parent, strerror(errno));
    } else if (real[0] != '/') {
        snprintf(why, n, "is relative and the current directory is unknown");
    } else if (!(out = join(real, base))) {
        snprintf(why, n, "out of memory");
    } else if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, n, "%s exists as a directory", out);
        free(out);
        out = NULL;
    }
    free(parent);
    free(wanted);
    return out;
}

/* ---- shell words ------------------------------------------------------------------ */

char *cli_shell_quote(const char *s)
{
    int plain = *s != '\0';
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("/._-+:,=@%{}", *p))
            plain = 0;
    }
    if (plain)
        return strdup(s);
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *out = malloc(n), *o = out;
    if (!out)
        return NULL;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}
