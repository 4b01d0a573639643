/* url_bytes.c - see url_bytes.h. */
#include "util/url_bytes.h"

#include <string.h>

int ob_url_byte_ok(unsigned char c)
{
    if (c >= 0x80)
        return 1;
    if (c <= 0x20 || c == 0x7F)
        return 0;
    return !strchr("\"<>\\^`{|}", c);
}
