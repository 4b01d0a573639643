/**
 * @file openbits/file.h
 * @brief the files of a job and their enumerator.
 *
 * A file handle (IBackgroundCopyFile) names one (remote, local) pair of a
 * job. It is reference counted and keeps its job alive; release it with
 * bits_file_release(). Common rules as in openbits/job.h: NULL arguments
 * are BITS_E_INVALIDARG, returned strings are new copies freed with
 * bits_free(), and every function may be called from any thread.
 */
#ifndef OPENBITS_FILE_H
#define OPENBITS_FILE_H

#include <openbits/types.h>

BITS_BEGIN_DECLS

/** Takes one more reference. @return the new count (0 for NULL). */
BITS_API uint32_t bits_file_add_ref(bits_file *file);
/** Drops one reference; NULL is ignored. @return the remaining count. */
BITS_API uint32_t bits_file_release(bits_file *file);

/** The remote name exactly as added, or as last set (GetRemoteName), or
 * the redirect target the engine recorded (BG_HTTP_REDIRECT_POLICY_*).
 * A password in the URL's userinfo comes back too, as in BITS: it is the
 * caller's own data, and the transfer needs it. Do not show it as is:
 * what the library itself shows (error descriptions) and the openbits
 * tool show the URL with the password replaced by "***".
 * @return BITS_S_OK; BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY. */
BITS_API bits_hresult bits_file_get_remote_name(bits_file *file, char **out_name);

/** The local name (GetLocalName). @return BITS_S_OK; BITS_E_INVALIDARG;
 * BITS_E_OUTOFMEMORY. */
BITS_API bits_hresult bits_file_get_local_name(bits_file *file, char **out_name);

/**
 * Changes the remote name (SetRemoteName), e.g. to repair a job in ERROR.
 * Takes effect at the next Resume; suspend the job first if it is
 * transferring. Same rules as bits_job_add_file() for the name.
 * @return BITS_S_OK; BITS_E_INVALIDARG; BG_E_INVALID_STATE (job final or
 *         this file already finished).
 */
BITS_API bits_hresult bits_file_set_remote_name(bits_file *file, const char *remote_url);

/** Byte counts and completion (GetProgress). Before any transfer:
 * bytes_total BG_SIZE_UNKNOWN, bytes_transferred 0, completed 0. Set
 * out_progress->struct_size first. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_file_get_progress(bits_file *file, bits_file_progress *out_progress);

/**
 * The full path of the temporary file the download is written to, in the
 * destination directory (GetTemporaryName).
 * @return BITS_S_OK; BITS_S_FALSE with *out_name = NULL while no temporary
 *         file exists (not started yet, or already completed or
 *         cancelled); BITS_E_INVALIDARG; BITS_E_OUTOFMEMORY.
 */
BITS_API bits_hresult bits_file_get_temporary_name(bits_file *file, char **out_name);

/* ---- File enumerators (IEnumBackgroundCopyFiles) -------------------------
 * Same semantics as the job enumerators in openbits/manager.h: a snapshot,
 * BITS_S_FALSE when short, out_fetched may be NULL only for celt = 1. Use
 * an enumerator from one thread at a time.
 */

/** Fetches up to @p celt files; each is a new reference released with
 * bits_file_release(). @return BITS_S_OK; BITS_S_FALSE; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_file_enum_next(bits_file_enum *e, uint32_t celt, bits_file **out_array,
                                          uint32_t *out_fetched);
/** Skips @p celt files. @return BITS_S_OK; BITS_S_FALSE past the end. */
BITS_API bits_hresult bits_file_enum_skip(bits_file_enum *e, uint32_t celt);
/** Back to the first file. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_file_enum_reset(bits_file_enum *e);
/** An independent copy at the same position; free with
 * bits_file_enum_free(). @return BITS_S_OK; BITS_E_INVALIDARG;
 * BITS_E_OUTOFMEMORY. */
BITS_API bits_hresult bits_file_enum_clone(bits_file_enum *e, bits_file_enum **out_clone);
/** Number of files in the snapshot. @return BITS_S_OK; BITS_E_INVALIDARG. */
BITS_API bits_hresult bits_file_enum_get_count(bits_file_enum *e, uint32_t *out_count);
/** Frees the enumerator and its references; NULL is ignored. */
BITS_API void bits_file_enum_free(bits_file_enum *e);

BITS_END_DECLS

#endif /* OPENBITS_FILE_H */
