/*
 * response_headers.h - the pure parsing of the response headers the
 * engine acts on: Content-Range, Retry-After, and whether an ETag or a
 * Last-Modified value may be sent back in If-Range. transfer.c takes the
 * raw values from libcurl and asks these; fuzz/ feeds them hostile bytes.
 * Content-Length is parsed by libcurl (CURLINFO_CONTENT_LENGTH_DOWNLOAD_T).
 * No function keeps or frees its argument; all are thread-safe.
 */
#ifndef OB_UTIL_RESPONSE_HEADERS_H
#define OB_UTIL_RESPONSE_HEADERS_H

#include <stdint.h>

/* Longest validator kept; longer ones are not worth a resume. */
#define OB_RESPONSE_VALIDATOR_MAX 1024u

/* Parses Retry-After (delta seconds or an HTTP date) relative to
 * @p now_epoch_s. Returns seconds (>= 0), or -1 when absent/malformed. */
int64_t ob_parse_retry_after(const char *value, int64_t now_epoch_s);

/* Parses a Content-Range value: "bytes FIRST-LAST/TOTAL", where TOTAL may
 * be "*" (unknown, *total = -1), or the unsatisfied form with "*" in place
 * of FIRST-LAST (*first = *last = -1). Returns 0, or -1 when malformed. */
int ob_parse_content_range(const char *value, int64_t *first, int64_t *last, int64_t *total);

/* 1 when @p etag (may be NULL) is a strong entity tag we may send in
 * If-Range: present, not weak ("W/..."), at most OB_RESPONSE_VALIDATOR_MAX
 * bytes, no control characters (they would break the request line). */
int ob_etag_usable_for_range(const char *etag);

/* 1 when @p value (may be NULL) is a Last-Modified date we may send in
 * If-Range: an HTTP date libcurl reads, at most OB_RESPONSE_VALIDATOR_MAX
 * bytes, no control characters. */
int ob_last_modified_usable_for_range(const char *value);

#endif
