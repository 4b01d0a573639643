/* response_headers.c - parsing the response header values the engine uses. */
#include "util/response_headers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

int64_t ob_parse_retry_after(const char *value, int64_t now_epoch_s)
{
    if (!value)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value >= '0' && *value <= '9') {
        char *end;
        errno = 0;
        long long secs = strtoll(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (errno || *end)
            return -1;
        return secs;
    }
    /* An HTTP date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"; curl parses it. */
    time_t when = curl_getdate(value, NULL);
    if (when == (time_t)-1)
        return -1;
    return when > now_epoch_s ? (int64_t)when - now_epoch_s : 0;
}

static int parse_i64(const char **p, int64_t *out)
{
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return -1;
    int64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s++ - '0');
    }
    *p = s;
    *out = v;
    return 0;
}

int ob_parse_content_range(const char *value, int64_t *first, int64_t *last, int64_t *total)
{
    if (!value)
        return -1;
    const char *p = value;
    while (*p == ' ')
        p++;
    if (strncmp(p, "bytes ", 6) != 0)
        return -1;
    p += 6;
    while (*p == ' ')
        p++;
    if (*p == '*') {
        *first = *last = -1;
        p++;
    } else {
        if (parse_i64(&p, first) || *p++ != '-' || parse_i64(&p, last) || *last < *first)
            return -1;
    }
    if (*p++ != '/')
        return -1;
    if (*p == '*') {
        *total = -1;
        p++;
    } else if (parse_i64(&p, total)) {
        return -1;
    }
    while (*p == ' ' || *p == '\r' || *p == '\n')
        p++;
    if (*p)
        return -1;
    if (*first < 0 && *total < 0)
        return -1; /* "bytes * / *" (both unknown) says nothing */
    if (*total >= 0 && *last >= *total)
        return -1;
    return 0;
}

/* 1 when @p s is short enough and free of control characters. */
static int printable_validator(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++) {
        if (n >= OB_RESPONSE_VALIDATOR_MAX || *p < 0x20 || *p == 0x7F)
            return 0;
    }
    return n > 0;
}

int ob_etag_usable_for_range(const char *etag)
{
    return etag && strncmp(etag, "W/", 2) != 0 && printable_validator(etag);
}

int ob_last_modified_usable_for_range(const char *value)
{
    return value && printable_validator(value) && curl_getdate(value, NULL) != (time_t)-1;
}
