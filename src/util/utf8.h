/* utf8.h - UTF-8 validation and code point counting. */
#ifndef OB_UTIL_UTF8_H
#define OB_UTIL_UTF8_H

#include <stddef.h>

/* Checks that @p s (NUL-terminated) is valid UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF. On success stores the number of code
 * points in *out_count and returns 0; returns -1 when invalid. */
int ob_utf8_count(const char *s, size_t *out_count);

#endif
