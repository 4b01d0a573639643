/*
 * fuzz_custom_headers.c - bits_job_set_custom_headers' check
 * (ob_validate_custom_headers). An accepted block must be what transfer.c
 * can send safely: "Name: value" lines split by CR LF, token names, no
 * bare CR or LF and no control characters that could smuggle a second
 * header or request, within the length limit.
 */
#include "fuzz_input.h"
#include "util/utf8.h"
#include "util/validate.h"

static int token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* An independent reading of one accepted line [line, end). */
static void check_line(const char *line, const char *end)
{
    const char *colon = memchr(line, ':', (size_t)(end - line));
    FUZZ_CHECK(colon && colon > line);
    for (const char *c = line; c < colon; c++)
        FUZZ_CHECK(token_char((unsigned char)*c));
    for (const char *c = colon + 1; c < end; c++) {
        unsigned char u = (unsigned char)*c;
        FUZZ_CHECK(u == '\t' || (u >= 0x20 && u != 0x7F));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    bits_hresult hr = ob_validate_custom_headers(s);
    size_t n;
    if (ob_utf8_count(s, &n) != 0)
        FUZZ_CHECK(hr == BITS_E_INVALIDARG);
    else if (n > OB_LIMIT_CUSTOM_HEADERS)
        FUZZ_CHECK(hr == BG_E_STRING_TOO_LONG);
    if (hr == BITS_S_OK) {
        for (const char *p = s; *p;) {
            const char *eol = strstr(p, "\r\n");
            const char *end = eol ? eol : p + strlen(p);
            check_line(p, end);
            p = eol ? eol + 2 : end;
        }
    }
    free(s);
    return 0;
}
