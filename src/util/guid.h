/* guid.h - job identifiers: random version-4 GUIDs and their text form. */
#ifndef OB_UTIL_GUID_H
#define OB_UTIL_GUID_H

#include "openbits/codes.h"
#include "openbits/types.h"

/* A random version-4 GUID. BITS_S_OK or BITS_E_FAIL (no entropy). */
bits_hresult ob_guid_generate(bits_guid *out);

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" into @p text (39 bytes). */
#define OB_GUID_TEXT_SIZE 39
void ob_guid_format(const bits_guid *id, char text[OB_GUID_TEXT_SIZE]);

/* Parses that form, braces optional. 0, or -1 when malformed. */
int ob_guid_parse(const char *text, bits_guid *out);

/* The 32 lower-case hex digits of @p id, as temporary file names use. */
void ob_guid_hex(const bits_guid *id, char hex[33]);

#endif
