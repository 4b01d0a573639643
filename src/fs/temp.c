/*
 * temp_files.c - what Complete and Cancel do with the temporary files.
 *
 * Downloads are written to a temporary file in the destination directory
 * (created by the transfer engine) so that nothing appears under the
 * destination name before Complete, and so the final move is a rename on
 * one file system.
 */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/classify.h"
#include "util/guid.h"
#include "util/strings.h"
#include "util/validate.h"

/* The mode a new file of this process gets (0666 & ~umask). umask() is
 * not thread-safe to read, /proc/self/status is (Linux >= 4.7). */
static mode_t default_file_mode(void)
{
    mode_t mask = 022;
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[128];
        unsigned int value;
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "Umask: %o", &value) == 1) {
                mask = (mode_t)value;
                break;
            }
        }
        fclose(f);
    }
    return 0666 & ~mask;
}

/* ".openbits-<job id, 32 hex digits>-<file index>.tmp" next to the
 * destination. Derived from the job and the file, not random: a temporary
 * file whose name never reached the store (the process died between
 * creating it and the next store commit) is found again by the file's
 * next attempt, or deleted by Cancel and Complete, instead of staying
 * behind in the user's directory. With @p salt (a name taken by something
 * not ours, see create_temp) 64 random bits go before ".tmp". */
static int make_temp_name(const bits_file *file, int salt, char *out, size_t size)
{
    /* 10 + 32 + 1 + 10 + 17 + 4 bytes at most: within OB_TEMP_BASE_MAX. */
    _Static_assert(sizeof ".openbits-" - 1 + 32 + 1 + 10 + 17 + sizeof ".tmp" - 1 <=
                       OB_TEMP_BASE_MAX,
                   "a temporary name longer than validation allows for");
    char id[33];
    ob_guid_hex(&file->job->id, id);
    uint64_t rnd = 0;
    if (salt && getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        return -1;
    char extra[20] = "";
    if (salt)
        snprintf(extra, sizeof extra, "-%016llx", (unsigned long long)rnd);
    const char *slash = strrchr(file->local_name, '/');
    int dir_len = (int)(slash - file->local_name);
    int n = snprintf(out, size, "%.*s/.openbits-%s-%u%s.tmp", dir_len, file->local_name, id,
                     (unsigned)file->index, extra);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* 1 when @p st is a regular file of @p uid with one link (a look-alike
 * planted by someone else, or a hard link to another file, is not). */
static int is_ours(const struct stat *st, uid_t uid)
{
    return S_ISREG(st->st_mode) && st->st_nlink == 1 && st->st_uid == uid;
}

/* 1 when @p st is a file this process may take as its own temporary
 * file: ours and private. */
static int is_own_temp(const struct stat *st)
{
    return is_ours(st, geteuid()) && (st->st_mode & 077) == 0;
}

/* Opens @p path for writing when it is our own temporary file; else -1
 * with errno EEXIST. O_NONBLOCK: a FIFO planted there must not block. */
static int open_own_temp(const char *path)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && is_own_temp(&st))
        return fd;
    if (fd >= 0)
        close(fd);
    errno = EEXIST;
    return -1;
}

/* The destination directory of the files being moved, kept open from one
 * file to the next while they share it (a job of 2,000 small files in one
 * directory opened it 2,000 times, bench M2), and fsynced once after its
 * last rename, before Complete returns, so the renames are durable. */
typedef struct {
    int fd; /* -1: none */
    char path[PATH_MAX];
} dest_dir;

static void dest_dir_close(dest_dir *d)
{
    if (d->fd < 0)
        return;
    fsync(d->fd);
    close(d->fd);
    d->fd = -1;
}

/* The directory of @p local_name, open in @p d; -1 with errno set. */
static int dest_dir_open(dest_dir *d, const char *local_name)
{
    const char *slash = strrchr(local_name, '/');
    size_t len = slash == local_name ? 1 : (size_t)(slash - local_name); /* "/" stays */
    if (d->fd >= 0 && strlen(d->path) == len && memcmp(d->path, local_name, len) == 0)
        return d->fd;
    dest_dir_close(d);
    memcpy(d->path, local_name, len);
    d->path[len] = '\0';
    d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return d->fd;
}

/* Moves @p f's finished temporary file to its local name. The temporary
 * file is made next to the destination, so one directory descriptor
 * resolves both names: the rename never crosses directories, whatever
 * path component is swapped for a symlink meanwhile. The file found there
 * must still be the one we wrote (regular, owned by @p uid, one link, the
 * right size: a look-alike planted under its name is refused); it gets the
 * mode an ordinary new file would have (0600 only while incomplete). Its
 * bytes were flushed when it finished; only when that flush failed is it
 * flushed here. The mode change and the rename are made durable by the
 * directory's fsync (ext4 and XFS commit their journal for it). */
static bits_hresult move_into_place(const ob_move *f, mode_t mode, uid_t uid, dest_dir *d)
{
    int dir = dest_dir_open(d, f->local_name);
    if (dir < 0)
        return ob_hr_from_errno(errno);
    const char *temp_base = strrchr(f->temp_name, '/') + 1;
    const char *dest_base = strrchr(f->local_name, '/') + 1;
    bits_hresult hr = BITS_S_OK;
    struct stat st;
    int fd = openat(dir, temp_base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        hr = ob_hr_from_errno(errno);
    } else if (!is_ours(&st, uid) ||
               (f->size != BG_SIZE_UNKNOWN && (uint64_t)st.st_size != f->size)) {
        hr = BITS_E_ACCESSDENIED; /* not the file we wrote */
    } else if (fchmod(fd, mode) != 0 || (!f->flushed && fdatasync(fd) != 0) ||
               renameat(dir, temp_base, dir, dest_base) != 0) {
        hr = ob_hr_from_errno(errno);
    }
    if (fd >= 0)
        close(fd);
    return hr;
}

/* Deletes @p file's temporary file, if any: the one it records, and a
 * file of ours under the name it would have had (see make_temp_name):
 * created before its name reached the store, or by another process of
 * the store that had not heard the job ended. 0 on success or nothing to
 * do; -1 when a file could not be deleted. */
static int delete_temp(bits_file *file)
{
    if (file->completed)
        return 0;
    int failed = 0;
    if (file->temp_name) {
        if (unlink(file->temp_name) != 0 && errno != ENOENT)
            failed = 1;
        else
            ob_take_string(&file->temp_name, NULL);
    }
    char path[PATH_MAX];
    struct stat st;
    if (make_temp_name(file, 0, path, sizeof path) == 0 && lstat(path, &st) == 0 &&
        is_own_temp(&st) && unlink(path) != 0 && errno != ENOENT)
        failed = 1;
    return failed ? -1 : 0;
}

bits_hresult ob_fs_plan_moves(bits_job *job, ob_move **out, uint32_t *count)
{
    ob_move *moves = calloc(job->nfiles ? job->nfiles : 1, sizeof *moves);
    if (!moves)
        return BITS_E_OUTOFMEMORY;
    uint32_t n = 0;
    int partial = 0;
    for (uint32_t i = 0; i < job->nfiles; i++) {
        const bits_file *f = job->files[i];
        if (f->completed)
            continue; /* moved by an earlier Complete that failed later on */
        if (!f->transferred || !f->temp_name) {
            partial = 1;
            continue;
        }
        ob_move *m = &moves[n];
        m->index = i;
        m->temp_name = strdup(f->temp_name);
        m->local_name = strdup(f->local_name);
        m->size = f->bytes_total;
        m->flushed = f->saved_bytes == f->bytes_transferred && f->bytes_transferred == f->bytes_total;
        n++;
        if (!m->temp_name || !m->local_name) {
            ob_fs_moves_free(moves, n);
            return BITS_E_OUTOFMEMORY;
        }
    }
    *out = moves;
    *count = n;
    return partial ? BG_S_PARTIAL_COMPLETE : BITS_S_OK;
}

bits_hresult ob_fs_move_files(ob_move *moves, uint32_t count)
{
    mode_t mode = default_file_mode();
    uid_t uid = geteuid();
    dest_dir dir = { .fd = -1 };
    bits_hresult hr = BITS_S_OK;
    for (uint32_t i = 0; i < count && hr >= 0; i++) {
        hr = move_into_place(&moves[i], mode, uid, &dir);
        moves[i].done = hr >= 0;
    }
    dest_dir_close(&dir); /* the moves made so far are durable */
    return hr;
}

void ob_fs_moves_free(ob_move *moves, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        free(moves[i].temp_name);
        free(moves[i].local_name);
    }
    free(moves);
}

bits_hresult ob_temp_delete_job(bits_job *job)
{
    int undeleted = 0;
    for (uint32_t i = 0; i < job->nfiles; i++) {
        if (delete_temp(job->files[i]) != 0)
            undeleted = 1;
    }
    return undeleted ? BG_S_UNABLE_TO_DELETE_FILES : BITS_S_OK;
}

/* The file's own name first; when something not ours sits there (a
 * planted symlink or link), a salted name, never that thing. */
static int create_temp(bits_file *file)
{
    char path[PATH_MAX];
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 16; attempt++) {
        if (make_temp_name(file, attempt > 0, path, sizeof path) != 0) {
            errno = ENAMETOOLONG;
            return -1;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return -1;
        if (fd < 0 && attempt == 0) {
            /* An earlier attempt's file whose name was not stored: nothing
             * says how much of it is good, so it starts over. */
            fd = open_own_temp(path);
            if (fd >= 0 && ftruncate(fd, 0) != 0) {
                close(fd);
                return -1;
            }
        }
    }
    if (fd < 0)
        return -1; /* errno EEXIST */
    char *name = strdup(path);
    if (!name) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    ob_take_string(&file->temp_name, name);
    return fd;
}

int ob_temp_is_gone(int fd, uint64_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if (size)
        *size = (uint64_t)st.st_size;
    return st.st_nlink == 0;
}

void ob_temp_reset(bits_file *file, int fd)
{
    ob_file_reset_progress(file);
    /* If truncating fails, the bytes written from 0 overwrite the old
     * ones and transfer.c trims the file to its size when it is done. */
    if (fd >= 0 && ftruncate(fd, 0) != 0)
        return;
}

int ob_temp_open(bits_file *file)
{
    if (file->temp_name) {
        int fd = open(file->temp_name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && is_own_temp(&st)) {
            if ((uint64_t)st.st_size < file->bytes_transferred)
                file->bytes_transferred = (uint64_t)st.st_size;
            if (file->saved_bytes > file->bytes_transferred)
                file->saved_bytes = file->bytes_transferred;
            return fd;
        }
        /* Gone or replaced by something we did not create: start over. */
        if (fd >= 0)
            close(fd);
        free(file->temp_name);
        file->temp_name = NULL;
        ob_file_reset_progress(file);
    }
    return create_temp(file);
}

int ob_temp_name_is_ours(const char *local, const char *temp)
{
    static const char prefix[] = ".openbits-", suffix[] = ".tmp";
    const char *slash = local ? strrchr(local, '/') : NULL;
    if (!slash || !temp)
        return 0;
    size_t dir_len = (size_t)(slash - local) + 1;
    if (strncmp(temp, local, dir_len) != 0)
        return 0;
    const char *base = temp + dir_len;
    size_t len = strlen(base);
    return len > sizeof prefix + sizeof suffix - 2 && !strchr(base, '/') &&
           strncmp(base, prefix, sizeof prefix - 1) == 0 &&
           strcmp(base + len - (sizeof suffix - 1), suffix) == 0;
}
