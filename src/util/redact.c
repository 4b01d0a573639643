/* redact.c - URLs with their password replaced, for showing. */
#include "util/redact.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_scheme_char(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* Where the authority starts: after "scheme:" and its slashes (libcurl
 * takes one to three, and no backslash). 0 when @p s does not start with
 * "scheme:/": a bare authority ("erin:pw@proxy:3128"), as libcurl reads
 * it too. */
static size_t authority_start(const char *s)
{
    size_t i = 0;
    if (!is_alpha(s[0]))
        return 0;
    while (is_scheme_char(s[i]))
        i++;
    if (s[i] != ':' || s[i + 1] != '/')
        return 0;
    for (i++; s[i] == '/'; i++)
        ;
    return i;
}

/* @p s up to @p keep bytes, OB_REDACTED, then @p tail. */
static char *splice(const char *s, size_t keep, const char *tail)
{
    size_t redacted = sizeof OB_REDACTED - 1, rest = strlen(tail);
    char *out = malloc(keep + redacted + rest + 1);
    if (!out)
        return NULL;
    memcpy(out, s, keep);
    memcpy(out + keep, OB_REDACTED, redacted);
    memcpy(out + keep + redacted, tail, rest + 1);
    return out;
}

/* Whether libcurl reads @p url as this file does: no password at all, or
 * a password after the user name [user, user + user_len) when
 * @p has_password. 0 it agrees (or sees no password), 1 it does not or
 * cannot parse @p url, -1 out of memory. A bare authority gets libcurl's
 * guessed scheme, as CURLOPT_PROXY does. */
static int curl_disagrees(const char *url, const char *user, size_t user_len, int has_password)
{
    CURLU *u = curl_url();
    if (!u)
        return -1;
    char *password = NULL, *name = NULL;
    int verdict = 1;
    CURLUcode rc =
        curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME);
    if (rc == CURLUE_OK)
        rc = curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
    if (rc == CURLUE_NO_PASSWORD) {
        verdict = 0; /* ours may still find one: it is redacted anyway */
    } else if (rc == CURLUE_OK && has_password) {
        rc = curl_url_get(u, CURLUPART_USER, &name, 0); /* as written, not decoded */
        const char *seen = rc == CURLUE_OK ? name : "";
        if (rc == CURLUE_OK || rc == CURLUE_NO_USER)
            verdict = !(strlen(seen) == user_len && memcmp(seen, user, user_len) == 0);
    }
    if (rc == CURLUE_OUT_OF_MEMORY)
        verdict = -1;
    curl_free(password);
    curl_free(name);
    curl_url_cleanup(u);
    return verdict;
}

char *ob_url_redact(const char *url)
{
    if (!url)
        return NULL;
    size_t start = authority_start(url);
    const char *last_at = strrchr(url + start, '@');
    if (url[0] == '/' || !last_at)
        return strdup(url); /* a local path, or nothing that can hold a userinfo */
    /* authority = [user[:password]@]host[:port], up to the first '/', '\', '?' or '#';
     * the userinfo ends at its last '@', the user name at the first ':'. */
    const char *auth = url + start;
    size_t auth_len = strcspn(auth, "/\\?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + auth_len; p++) {
        if (*p == '@')
            at = p;
    }
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    int verdict = curl_disagrees(url, auth, colon ? (size_t)(colon - auth) : 0, colon != NULL);
    if (verdict < 0)
        return NULL;
    if (verdict > 0) /* in doubt: nothing of what may be a userinfo is shown */
        return splice(url, start, last_at);
    if (!colon)
        return strdup(url); /* a user name only, or '@' in the path or query */
    return splice(url, (size_t)(colon + 1 - url), at);
}

/* Appends the shown form of the @p len bytes at @p s to @p out at *n
 * (which the caller sized for it). 0, or -1 when out of memory. */
static int append_redacted(char *out, size_t *n, const char *s, size_t len)
{
    char *piece = strndup(s, len);
    char *shown = piece ? ob_url_redact(piece) : NULL;
    free(piece);
    if (!shown)
        return -1;
    size_t m = strlen(shown);
    memcpy(out + *n, shown, m);
    *n += m;
    free(shown);
    return 0;
}

char *ob_url_redact_list(const char *list)
{
    if (!list)
        return NULL;
    /* Each entry grows by at most OB_REDACTED (an empty password). */
    size_t entries = 0, len = strlen(list);
    for (size_t i = 0; i < len; i++)
        entries += list[i] != ' ' && (i == 0 || list[i - 1] == ' ');
    char *out = malloc(len + entries * (sizeof OB_REDACTED - 1) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (const char *p = list; *p;) {
        size_t spaces = strspn(p, " ");
        memcpy(out + n, p, spaces);
        n += spaces;
        p += spaces;
        size_t word = strcspn(p, " ");
        if (word == 0)
            break;
        if (append_redacted(out, &n, p, word) < 0) {
            free(out);
            return NULL;
        }
        p += word;
    }
    out[n] = '\0';
    return out;
}

char *ob_text_redact_urls(const char *text)
{
    if (!text)
        return NULL;
    /* Each URL grows by at most OB_REDACTED (an empty password). */
    size_t len = strlen(text), urls = 0;
    for (const char *p = text; (p = strstr(p, "://")); p += 3)
        urls++;
    char *out = malloc(len + urls * (sizeof OB_REDACTED - 1) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    const char *p = text;
    for (const char *sep; (sep = strstr(p, "://"));) {
        /* The URL starts at its scheme, right before "://". */
        const char *start = sep;
        while (start > p && is_scheme_char(start[-1]))
            start--;
        /* It ends at a blank, a quote or an angle bracket. */
        size_t ulen = strcspn(start, " \t'\"<>");
        memcpy(out + n, p, (size_t)(start - p));
        n += (size_t)(start - p);
        if (append_redacted(out, &n, start, ulen) < 0) {
            free(out);
            return NULL;
        }
        p = start + ulen;
        if (ulen == 0)
            p = sep + 3; /* "://" alone: go on after it */
    }
    strcpy(out + n, p);
    return out;
}
