/**
 * @file openbits/error.h
 * @brief the error object of a job (IBackgroundCopyError).
 *
 * bits_job_get_error() hands out a copy of the job's last error, taken at
 * that moment; it does not change afterwards. Free it with
 * bits_error_free(). Every function may be called from any thread, but not
 * on the same error object at the same time as bits_error_free().
 */
#ifndef OPENBITS_ERROR_H
#define OPENBITS_ERROR_H

#include <openbits/types.h>

BITS_BEGIN_DECLS

/**
 * Where the error happened and what it was (GetError).
 * @param out_context receives BG_ERROR_CONTEXT_*.
 * @param out_code receives the failure code (e.g. BG_E_HTTP_ERROR_404).
 * @return BITS_S_OK; BITS_E_INVALIDARG (any argument NULL).
 */
BITS_API bits_hresult bits_error_get_error(bits_error *error, uint32_t *out_context,
                                           bits_hresult *out_code);

/**
 * The file the error is about (GetFile).
 * @param out_file receives a new reference; release with
 *        bits_file_release().
 * @return BITS_S_OK; BG_E_FILE_NOT_AVAILABLE (*out_file = NULL) when the
 *         error concerns no single file; BITS_E_INVALIDARG.
 */
BITS_API bits_hresult bits_error_get_file(bits_error *error, bits_file **out_file);

/**
 * A sentence describing the error (GetErrorDescription): the code's
 * message, followed by detail such as the server's status text. A URL in
 * it (a refused redirect's target) has the password of its userinfo
 * replaced by "***"; job credentials and custom headers never appear.
 * @param out_text new string; free with bits_free().
 * @return BITS_S_OK; BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY.
 */
BITS_API bits_hresult bits_error_get_description(bits_error *error, char **out_text);

/**
 * A sentence describing the context (GetErrorContextDescription).
 * @param out_text new string; free with bits_free().
 * @return BITS_S_OK; BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY.
 */
BITS_API bits_hresult bits_error_get_context_description(bits_error *error, char **out_text);

/**
 * The protocol involved (GetProtocol): "http" for HTTP and HTTPS, "file"
 * for local copies.
 * @param out_protocol new string; free with bits_free().
 * @return BITS_S_OK; BG_E_PROTOCOL_NOT_AVAILABLE (*out_protocol = NULL)
 *         when no protocol was involved; BITS_E_INVALIDARG.
 */
BITS_API bits_hresult bits_error_get_protocol(bits_error *error, char **out_protocol);

/** Frees the error object; NULL is ignored. */
BITS_API void bits_error_free(bits_error *error);

BITS_END_DECLS

#endif /* OPENBITS_ERROR_H */
