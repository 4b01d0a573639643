/* codes.c - the public faces of the code table and other small helpers. */
#include "api/api.h"

#include <stdlib.h>

#include "util/codes.h"
#include "util/guid.h"

BITS_API const char *bits_hresult_name(bits_hresult hr)
{
    return ob_code_name(hr);
}

BITS_API const char *bits_hresult_message(bits_hresult hr)
{
    return ob_code_message(hr);
}

BITS_API bits_hresult bits_hresult_at(uint32_t index, bits_hresult *out_code)
{
    if (!out_code)
        return BITS_E_INVALIDARG;
    return ob_code_at(index, out_code);
}

BITS_API int32_t bits_succeeded(bits_hresult hr)
{
    return hr >= 0;
}

BITS_API int32_t bits_failed(bits_hresult hr)
{
    return hr < 0;
}

BITS_API void bits_free(void *ptr)
{
    free(ptr);
}

BITS_API bits_hresult bits_guid_to_string(const bits_guid *id, char **out_text)
{
    if (!id || !out_text)
        return BITS_E_INVALIDARG;
    char *text = malloc(OB_GUID_TEXT_SIZE);
    if (!text)
        return BITS_E_OUTOFMEMORY;
    ob_guid_format(id, text);
    *out_text = text;
    return BITS_S_OK;
}

BITS_API bits_hresult bits_guid_from_string(const char *text, bits_guid *out_id)
{
    if (!text || !out_id)
        return BITS_E_INVALIDARG;
    return ob_guid_parse(text, out_id) == 0 ? BITS_S_OK : BITS_E_INVALIDARG;
}
