/*
 * files.h - the files of a job: handles (file.c) and their temporary
 * files on disk (temp_files.c). Every function here expects the caller to
 * hold core->lock.
 */
#ifndef OPENBITS_FILES_H
#define OPENBITS_FILES_H

#include "core.h"

void file_free(bits_file *file);

/* Appends already validated files, all or nothing, enforcing the store's
 * files-per-job limit. BITS_S_OK, BG_E_TOO_MANY_FILES_IN_JOB or
 * BITS_E_OUTOFMEMORY. */
bits_hresult files_append_locked(bits_job *job, uint32_t count, const bits_file_info *files);

/* Appends one file read from the store (no checks). */
bits_hresult files_append_unchecked_locked(bits_job *job, const bits_file_info *info);

/* Complete: moves every transferred file's temporary file to its local
 * name (fsync first, then the directory), deletes the temporary files of
 * the others. Returns BITS_S_OK when every file was transferred,
 * BG_S_PARTIAL_COMPLETE when some were not, BG_S_UNABLE_TO_DELETE_FILES
 * when a leftover could not be deleted, or the error of the first failed
 * move (files moved before it stay moved and marked completed). */
bits_hresult files_commit_locked(bits_job *job);

/* Cancel: deletes every temporary file of the job. Returns BITS_S_OK, or
 * BG_S_UNABLE_TO_DELETE_FILES when one could not be deleted. */
bits_hresult files_delete_temps_locked(bits_job *job);

/* Opens the temporary file of @p file for writing, creating it (O_EXCL,
 * O_NOFOLLOW, mode 0600, in the destination directory, under a name made
 * from the job's id and the file's index) when the store names none; a
 * file already under that name is taken over, emptied, when it is ours
 * (regular, private, one link), else errno is EEXIST. When an existing
 * temporary file vanished or is shorter than the recorded progress, the
 * progress is lowered to what is really there. Returns the descriptor,
 * or -1 with errno set. */
int files_open_temp_locked(bits_file *file);

/* 1 when the temporary file open as @p fd was deleted (no name links to
 * it any more: what was written there is lost), else 0, with its size in
 * *size when @p size is not NULL; -1 with errno set when fstat fails. */
int files_temp_is_gone(int fd, uint64_t *size);

/* Forgets everything transferred of @p file: progress 0, validators
 * cleared, temporary file truncated when @p fd >= 0. */
void files_reset_progress_locked(bits_file *file, int fd);

#endif
