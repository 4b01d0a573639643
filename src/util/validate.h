/*
 * validate.h - argument checks shared by every public call: strings with
 * code-point limits, remote names, local names, custom headers, proxy
 * lists. Each returns BITS_S_OK or the exact code the API documents.
 */
#ifndef OB_UTIL_VALIDATE_H
#define OB_UTIL_VALIDATE_H

#include <limits.h>
#include <stdint.h>

#include "openbits/codes.h"

/* Limits in Unicode code points (design 3.2, spec 5.2). */
#define OB_LIMIT_DISPLAY_NAME 256u
#define OB_LIMIT_DESCRIPTION 1024u
#define OB_LIMIT_REMOTE_NAME 2200u
#define OB_LIMIT_CUSTOM_HEADERS 16384u
#define OB_LIMIT_NOTIFY_PARAMETERS 4000u
#define OB_LIMIT_PROXY_LIST 4000u
#define OB_LIMIT_USER_NAME 300u
#define OB_LIMIT_PASSWORD 65535u

/* NULL or invalid UTF-8 -> BITS_E_INVALIDARG; more than @p max_code_points
 * -> @p too_long; else BITS_S_OK. */
bits_hresult ob_validate_string(const char *s, uint32_t max_code_points, bits_hresult too_long);

/* A remote name: an http:// or https:// URL with a host, a file:// URL
 * with an empty or "localhost" host and an absolute path, or an absolute
 * local path. At most OB_LIMIT_REMOTE_NAME code points, valid UTF-8, no
 * control characters or spaces in URLs; http(s) URLs must also parse with
 * libcurl. BITS_S_OK, BITS_E_INVALIDARG or BITS_E_OUTOFMEMORY. */
bits_hresult ob_validate_remote_name(const char *remote);

/* 1 when @p remote is a file:// URL or an absolute path (a local copy). */
int ob_remote_is_local(const char *remote);

/* The longest name of a temporary file next to a destination
 * (".openbits-<32 hex>-<index>[-<16 hex>].tmp", fs/temp.c): a local name
 * must leave room for it in its directory. */
#define OB_TEMP_BASE_MAX 80u

/* A local name: absolute, at most PATH_MAX bytes (its directory with a
 * temporary file's name, too), valid UTF-8, not ending in '/', no "." or
 * ".." component, its last component within the file system's NAME_MAX,
 * not an existing directory (BITS_E_INVALIDARG); parent directory exists
 * (else BITS_E_PATH_NOT_FOUND) and is a writable directory (else
 * BITS_E_ACCESSDENIED). Touches the file system (stat, access, pathconf). */
bits_hresult ob_validate_local_name(const char *local);

/* The same, for many names in a row: the parent directory found good by
 * the last call is not looked at again (a set of files in one directory
 * checks it once). Start with parent[0] = '\0'. */
typedef struct {
    char parent[PATH_MAX];
    long name_max;                /* NAME_MAX of that directory's file system */
} ob_local_parent_cache;
bits_hresult ob_validate_local_name_cached(const char *local, ob_local_parent_cache *cache);

/* Custom headers: lines "Name: value" separated by CR LF (a final CR LF is
 * allowed), token characters in the name, no bare CR or LF, no control
 * characters but TAB in values, at most OB_LIMIT_CUSTOM_HEADERS code points
 * (BG_E_STRING_TOO_LONG). Empty lines other than a final terminator are
 * BITS_E_INVALIDARG. */
bits_hresult ob_validate_custom_headers(const char *headers);

/* A proxy or bypass list: valid UTF-8, at most OB_LIMIT_PROXY_LIST code
 * points (else @p too_long), entries separated by spaces, no control
 * characters. BITS_S_OK, BITS_E_INVALIDARG or @p too_long. */
bits_hresult ob_validate_proxy_list(const char *list, bits_hresult too_long);

#endif
