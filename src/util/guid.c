/* guid.c - random version-4 GUIDs and their text form. */
#include "util/guid.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

bits_hresult ob_guid_generate(bits_guid *out)
{
    size_t got = 0;
    while (got < sizeof out->bytes) {
        ssize_t n = getrandom(out->bytes + got, sizeof out->bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return BITS_E_FAIL;
        }
        got += (size_t)n;
    }
    out->bytes[6] = (uint8_t)((out->bytes[6] & 0x0F) | 0x40); /* version 4 */
    out->bytes[8] = (uint8_t)((out->bytes[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    return BITS_S_OK;
}

void ob_guid_format(const bits_guid *id, char text[OB_GUID_TEXT_SIZE])
{
    const uint8_t *b = id->bytes;
    snprintf(text, OB_GUID_TEXT_SIZE,
             "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x}", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void ob_guid_hex(const bits_guid *id, char hex[33])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = digits[id->bytes[i] >> 4];
        hex[2 * i + 1] = digits[id->bytes[i] & 15];
    }
    hex[32] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ob_guid_parse(const char *text, bits_guid *out)
{
    const char *p = text;
    int braced = *p == '{';
    if (braced)
        p++;
    bits_guid g;
    for (int i = 0, pos = 0; i < 16; pos++) {
        /* Dashes sit after 4, 6, 8 and 10 bytes: 8-4-4-4-12 digits. */
        if ((pos == 8 || pos == 13 || pos == 18 || pos == 23)) {
            if (*p++ != '-')
                return -1;
            continue;
        }
        int hi = hex_value(p[0]);
        int lo = hi < 0 ? -1 : hex_value(p[1]);
        if (lo < 0)
            return -1;
        g.bytes[i++] = (uint8_t)(hi << 4 | lo);
        p += 2;
        pos++;
    }
    if (braced && *p++ != '}')
        return -1;
    if (*p != '\0')
        return -1;
    *out = g;
    return 0;
}
