/* version.c - run-time version queries. */
#include "openbits/version.h"

BITS_API uint32_t bits_version(void)
{
    return (uint32_t)OPENBITS_VERSION_NUMBER;
}

BITS_API const char *bits_version_string(void)
{
    return OPENBITS_VERSION_STRING;
}
