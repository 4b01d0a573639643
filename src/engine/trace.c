/*
 * trace.c - a transfer's requests and responses for the log, as curl -v
 * shows them ("> GET /a.iso HTTP/1.1", "< HTTP/1.1 206 Partial Content",
 * "* Connected to ..."), at BITS_LOG_DEBUG, only while a log callback
 * wants that level. Headers that carry credentials or cookies, and a
 * job's write-only custom headers, show their names only; bodies never.
 */
#include "engine/transfer.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/redact.h"

/* 1 when the header line @p line (of @p len bytes, "Name: value") must
 * not show its value. Queue lock held (the job's custom headers). */
static int secret_header(const bits_job *job, const char *line, size_t len)
{
    static const char *const always[] = { "authorization", "proxy-authorization", "cookie",
                                          "set-cookie" };
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return 0;
    size_t name_len = (size_t)(colon - line);
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++) {
        if (strlen(always[i]) == name_len && strncasecmp(line, always[i], name_len) == 0)
            return 1;
    }
    const char *custom = job->props.custom_headers;
    if (!job->props.headers_write_only || !custom)
        return 0;
    for (const char *p = custom; *p;) {
        size_t n = strcspn(p, ":\r\n");
        if (n == name_len && strncasecmp(p, line, n) == 0)
            return 1;
        p += strcspn(p, "\n");
        p += *p == '\n';
    }
    return 0;
}

/* Logs each line of @p data with @p prefix. Queue lock held. */
static void log_lines_locked(ob_transfer *t, const char *prefix, const char *data, size_t size)
{
    const char *end = data + size;
    while (data < end) {
        const char *eol = memchr(data, '\n', (size_t)(end - data));
        size_t len = (size_t)((eol ? eol : end) - data);
        size_t shown = len;
        while (shown && (data[shown - 1] == '\r' || data[shown - 1] == '\n'))
            shown--;
        if (shown && secret_header(t->job, data, shown)) {
            const char *colon = memchr(data, ':', shown);
            ob_notify_log_locked(t->notifier, BITS_LOG_DEBUG, t->job, "%s %.*s: <redacted>",
                                 prefix, (int)(colon - data), data);
        } else if (shown) {
            /* A Location header, or libcurl's text about a redirect, may
             * hold a URL with a password. */
            char *line = strndup(data, shown);
            char *safe = line ? ob_text_redact_urls(line) : NULL;
            if (safe)
                ob_notify_log_locked(t->notifier, BITS_LOG_DEBUG, t->job, "%s %s", prefix, safe);
            free(line);
            free(safe);
        }
        data += len + (eol != NULL);
    }
}

static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *userdata)
{
    (void)easy;
    ob_transfer *t = userdata;
    const char *prefix = type == CURLINFO_TEXT         ? "*"
                         : type == CURLINFO_HEADER_IN  ? "<"
                         : type == CURLINFO_HEADER_OUT ? ">"
                                                       : NULL;
    if (!prefix)
        return 0; /* bodies and TLS records are never shown */
    ob_queue_lock(t->job->queue);
    log_lines_locked(t, prefix, data, size);
    ob_queue_unlock(t->job->queue);
    return 0;
}

void ob_trace_setup(ob_transfer *t)
{
    if (ob_notify_log_level(t->notifier) < BITS_LOG_DEBUG)
        return;
    curl_easy_setopt(t->easy, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(t->easy, CURLOPT_DEBUGDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_VERBOSE, 1L);
}
