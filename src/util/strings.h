/* strings.h - the few string helpers every layer uses. */
#ifndef OB_UTIL_STRINGS_H
#define OB_UTIL_STRINGS_H

#include "openbits/codes.h"

/* strdup() that passes NULL through (NULL is also its out-of-memory
 * answer for a non-NULL source). */
char *ob_strdup(const char *s);

/* Stores a new copy of @p src in *out (NULL stays NULL). BITS_S_OK or
 * BITS_E_OUTOFMEMORY. Used by every string getter: the caller frees the
 * copy with bits_free(). */
bits_hresult ob_copy_out(const char *src, char **out);

/* Replaces *slot by a copy of @p value (NULL allowed), freeing the old
 * one. BITS_S_OK, or BITS_E_OUTOFMEMORY with *slot unchanged. */
bits_hresult ob_replace_string(char **slot, const char *value);

/* Frees *slot and stores @p value (owned) there. */
void ob_take_string(char **slot, char *value);

#endif
