/*
 * fs.h - the files a job writes on disk: temporary files next to each
 * destination (O_EXCL | O_NOFOLLOW, mode 0600, names derived from the
 * job and the file), the moves of Complete, the deletions of Cancel and
 * of crash recovery, and the store directory.
 *
 * Layer: fs (above model). Functions taking a job or file read and write
 * its fields: the caller holds the queue lock (or owns a detached job).
 */
#ifndef OB_FS_FS_H
#define OB_FS_FS_H

#include "model/model.h"

/* Opens the temporary file of @p file for writing, creating it when the
 * file has none; a file already under its derived name is taken over,
 * emptied, when it is ours (regular, private, one link), else a salted
 * name is used. When an existing temporary file vanished or is shorter
 * than the recorded progress, the progress is lowered to what is really
 * there. Returns the descriptor, or -1 with errno set. */
int ob_temp_open(bits_file *file);

/* 1 when the temporary file open as @p fd was deleted (no name links to
 * it any more: what was written there is lost), else 0, with its size in
 * *size when @p size is not NULL; -1 with errno set when fstat fails. */
int ob_temp_is_gone(int fd, uint64_t *size);

/* Forgets everything transferred of @p file (ob_file_reset_progress) and
 * empties its temporary file when @p fd >= 0. */
void ob_temp_reset(bits_file *file, int fd);

/* 1 when @p temp has the form of the names made for @p local:
 * ".openbits-*.tmp" in the same directory. The store checks names it
 * reads with this, so a damaged store can never make Cancel or Complete
 * delete or move another file. */
int ob_temp_name_is_ours(const char *local, const char *temp);

/* Deletes the temporary file of every file of @p job that was not moved
 * into place: the name it records and the name derived from the job and
 * the file (a file created just before its name reached the store, or by
 * another process of the store). BITS_S_OK, or
 * BG_S_UNABLE_TO_DELETE_FILES when one could not be deleted. */
bits_hresult ob_temp_delete_job(bits_job *job);

/* Complete moves every transferred, not yet moved file to its local
 * name, in three steps so the disk work (renames, flushes, the
 * directory's fsync) runs without the queue lock:
 *   ob_fs_plan_moves()  queue lock held: what to move, copied. Returns
 *                       BITS_S_OK, BG_S_PARTIAL_COMPLETE when some files
 *                       had not finished, or BITS_E_OUTOFMEMORY.
 *   ob_fs_move_files()  no lock: each file is checked to be the one we
 *                       wrote (regular, ours, one link, its size), given
 *                       the mode of an ordinary new file, flushed unless
 *                       it was, and renamed; the directory is fsynced.
 *                       Stops at the first failure and returns its code;
 *                       the files moved before it stay moved (done = 1).
 *   the caller marks the done files completed (queue lock held). */
typedef struct ob_move {
    uint32_t index;               /* the file's index in its job */
    char *temp_name;
    char *local_name;
    uint64_t size;                /* BG_SIZE_UNKNOWN: not checked */
    int flushed;                  /* its bytes were flushed when it finished */
    int done;                     /* moved */
} ob_move;

bits_hresult ob_fs_plan_moves(bits_job *job, ob_move **out, uint32_t *count);
bits_hresult ob_fs_move_files(ob_move *moves, uint32_t count);
void ob_fs_moves_free(ob_move *moves, uint32_t count);

/* Resolves (NULL -> default), creates (0700, parents too) and checks the
 * store directory. On success stores a new absolute path in *out_path. */
bits_hresult ob_store_dir_prepare(const char *store_dir, char **out_path);

#endif
