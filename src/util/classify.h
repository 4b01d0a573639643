/*
 * classify.h - what a failure means: its code, its context, and whether
 * BITS retries it (TRANSIENT_ERROR) or gives up (ERROR). Pure functions.
 */
#ifndef OB_UTIL_CLASSIFY_H
#define OB_UTIL_CLASSIFY_H

#include <stdint.h>

#include <curl/curl.h>

#include "openbits/codes.h"

typedef struct ob_failure {
    bits_hresult code;
    uint32_t context;   /* BG_ERROR_CONTEXT_* */
    int transient;      /* 1: retried after the retry delay */
} ob_failure;

/* An HTTP status that is not a success: code 0x80190000 + status;
 * transient per BITS's table (design 4): 3xx transient except 300-305 and
 * 307; 4xx fatal except 408, 409 and 429; 5xx transient except 501 and
 * 505; anything else transient. Context REMOTE_FILE. */
ob_failure ob_classify_http_status(long status);

/* A libcurl ob_failure of a transfer of @p protocol_is_file (local copy) or
 * HTTP(S). Connection, name resolution and timeout problems are
 * transient; TLS verification, redirect refusals, a missing local source
 * are fatal. */
ob_failure ob_classify_curl_code(CURLcode code, int protocol_is_file);

/* A local file-system failure (errno) while writing the temporary file:
 * out of space and I/O errors are transient, permissions fatal. Context
 * LOCAL_FILE. */
ob_failure ob_classify_local_errno(int err);

/* The code a file-system call's failure returns to an API caller:
 * EACCES/EPERM/EROFS/ELOOP -> BITS_E_ACCESSDENIED, ENOENT/ENOTDIR ->
 * BITS_E_PATH_NOT_FOUND, ENOSPC/EDQUOT -> BITS_E_DISK_FULL, ENOMEM ->
 * BITS_E_OUTOFMEMORY, ENAMETOOLONG -> BITS_E_INVALIDARG, else BITS_E_FAIL. */
bits_hresult ob_hr_from_errno(int err);

#endif
