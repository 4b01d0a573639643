/* utf8.c - strict UTF-8 validation (RFC 3629) with code point counting. */
#include "util/utf8.h"

#include <stdint.h>

int ob_utf8_count(const char *s, size_t *out_count)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0;
    while (*p) {
        uint32_t c = *p;
        int extra;
        uint32_t min;
        if (c < 0x80) {
            p++;
            count++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            min = 0x80;
            c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            min = 0x800;
            c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return -1; /* a continuation byte or 0xF8..0xFF first */
        }
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return -1; /* also catches the terminating NUL */
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return -1; /* overlong, out of range, or a surrogate */
        p += extra + 1;
        count++;
    }
    *out_count = count;
    return 0;
}
