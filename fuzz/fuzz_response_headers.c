/*
 * fuzz_response_headers.c - the header values a server controls and the
 * engine acts on (src/response_headers.c): Content-Range, Retry-After,
 * and the ETag / Last-Modified validators that go back in If-Range.
 * (Content-Length is parsed by libcurl.) The whole input is each value.
 */
#include "fuzz_input.h"
#include "util/response_headers.h"

/* A fixed "now" (2026-01-01) keeps every run reproducible. */
#define FUZZ_NOW 1767225600

static void check_content_range(const char *s)
{
    int64_t first = -2, last = -2, total = -2;
    if (ob_parse_content_range(s, &first, &last, &total) != 0)
        return;
    if (first < 0) {
        /* "bytes * /TOTAL": nothing satisfiable, the size is known. */
        FUZZ_CHECK(first == -1 && last == -1 && total >= 0);
    } else {
        FUZZ_CHECK(last >= first);
        FUZZ_CHECK(total == -1 || (total >= 0 && last < total));
    }
}

static void check_validators(const char *s)
{
    int etag = ob_etag_usable_for_range(s), date = ob_last_modified_usable_for_range(s);
    if (!etag && !date)
        return;
    /* Whatever is kept is sent as "If-Range: <value>": one clean line. */
    FUZZ_CHECK(s[0] != '\0' && strlen(s) <= OB_RESPONSE_VALIDATOR_MAX);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p != 0x7F);
    if (etag)
        FUZZ_CHECK(strncmp(s, "W/", 2) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    check_content_range(s);
    FUZZ_CHECK(ob_parse_retry_after(s, FUZZ_NOW) >= -1);
    check_validators(s);
    free(s);
    return 0;
}
