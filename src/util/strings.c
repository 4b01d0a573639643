/* strings.c - string copies with the library's out-of-memory rules. */
#include "util/strings.h"

#include <stdlib.h>
#include <string.h>

char *ob_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

bits_hresult ob_copy_out(const char *src, char **out)
{
    char *copy = ob_strdup(src);
    if (src && !copy)
        return BITS_E_OUTOFMEMORY;
    *out = copy;
    return BITS_S_OK;
}

bits_hresult ob_replace_string(char **slot, const char *value)
{
    char *copy = ob_strdup(value);
    if (value && !copy)
        return BITS_E_OUTOFMEMORY;
    free(*slot);
    *slot = copy;
    return BITS_S_OK;
}

void ob_take_string(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}
