/*
 * codes.h - the one table of status codes: names and messages. The public
 * bits_hresult_name(), bits_hresult_message() and bits_hresult_at() are
 * thin wrappers (src/api/codes.c); everything inside the library that
 * names or describes a code asks these.
 */
#ifndef OB_UTIL_CODES_H
#define OB_UTIL_CODES_H

#include <stdint.h>

#include "openbits/codes.h"

/* "BG_E_EMPTY", "BG_E_HTTP_ERROR_404", ...; "UNKNOWN" when not a known
 * code. A static string. */
const char *ob_code_name(bits_hresult hr);

/* One sentence about the code; a generic one when unknown. Static. */
const char *ob_code_message(bits_hresult hr);

/* The code at @p index of the table (sorted by unsigned value): BITS_S_OK,
 * or BITS_S_FALSE with *out_code = 0 past the end. */
bits_hresult ob_code_at(uint32_t index, bits_hresult *out_code);

#endif
