/*
 * db.c - the store's SQLite connection: opening it safely, its statement
 * cache, and the write transaction.
 *
 * A database SQLite calls corrupt (or one that is not a database, or one
 * from a newer openbits) is never touched: opening fails with
 * BG_E_DATABASE_CORRUPT and nothing is written to it.
 */
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/classify.h"
#include "util/failpoint.h"

#define DB_NAME "openbits.db"

bits_hresult ob_db_hr(int rc)
{
    if (rc == SQLITE_IOERR_SHORT_READ)
        return BG_E_DATABASE_CORRUPT; /* the file ends before a page it lists */
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return BITS_S_OK;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return BG_E_DATABASE_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return BITS_E_BUSY;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
        return BITS_E_ACCESSDENIED;
    case SQLITE_FULL:
        return BITS_E_DISK_FULL;
    case SQLITE_NOMEM:
        return BITS_E_OUTOFMEMORY;
    default:
        return BITS_E_FAIL;
    }
}

int ob_db_prepare(ob_store *s, const char *sql, sqlite3_stmt **out)
{
    int free_slot = -1;
    for (int i = 0; i < OB_STMT_CACHE; i++) {
        if (s->cache[i].sql == sql) {
            *out = s->cache[i].stmt;
            return SQLITE_OK;
        }
        if (!s->cache[i].sql && free_slot < 0)
            free_slot = i;
    }
    /* Every write would otherwise pay for parsing the same SQL again. */
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc == SQLITE_OK && free_slot >= 0) {
        s->cache[free_slot].sql = sql;
        s->cache[free_slot].stmt = *out;
    }
    return rc;
}

void ob_db_finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int ob_db_run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    ob_db_finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int ob_db_exec(ob_store *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

void ob_db_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void ob_db_bind_id(sqlite3_stmt *st, int i, const bits_guid *id)
{
    sqlite3_bind_blob(st, i, id->bytes, sizeof id->bytes, SQLITE_TRANSIENT);
}

char *ob_db_column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

int ob_db_begin_write(ob_store *s, int64_t *rev)
{
    int rc = ob_db_exec(s, "BEGIN IMMEDIATE");
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc = ob_db_prepare(s, "UPDATE meta SET value = value + 1 WHERE key = 'rev' RETURNING value",
                           &st);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
    if (rc == SQLITE_OK)
        *rev = sqlite3_column_int64(st, 0);
    if (st)
        ob_db_finish(st);
    if (rc == SQLITE_OK)
        rc = ob_batch_write_pending(s, *rev);
    if (rc != SQLITE_OK) {
        ob_db_exec(s, "ROLLBACK");
        ob_batch_settle(s, 0);
    }
    return rc;
}

bits_hresult ob_db_end_write(ob_store *s, int rc, int64_t rev)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE)
        rc = ob_db_exec(s, "COMMIT");
    if (rc != SQLITE_OK) {
        ob_db_exec(s, "ROLLBACK");
        ob_batch_settle(s, 0);
        return ob_db_hr(rc);
    }
    ob_batch_settle(s, 1);
    /* Our own write: nothing to reload, unless someone wrote in between. */
    if (rev == s->seen_rev + 1)
        s->seen_rev = rev;
    return BITS_S_OK;
}

/* The switch to WAL needs the database to itself and SQLite answers
 * SQLITE_BUSY at once, without the busy handler, while another process
 * is opening the same new store: retry for as long as the busy timeout. */
static int switch_to_wal(ob_store *s)
{
    int rc;
    for (int waited_ms = 0;; waited_ms += 10) {
        rc = ob_db_exec(s, "PRAGMA journal_mode=WAL");
        if ((rc & 0xFF) != SQLITE_BUSY || waited_ms >= OB_STORE_BUSY_TIMEOUT_MS)
            break;
        sqlite3_sleep(10);
    }
    return rc == SQLITE_OK ? ob_db_exec(s, "PRAGMA synchronous=NORMAL") : rc;
}

/* The database file is created by us with mode 0600 before SQLite sees
 * it; SQLite gives its -wal and -shm files the same mode. */
static bits_hresult create_private_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == ELOOP ? BITS_E_ACCESSDENIED : ob_hr_from_errno(errno);
    struct stat st;
    int bad = fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
              (st.st_mode & 077);
    close(fd);
    return bad ? BITS_E_ACCESSDENIED : BITS_S_OK;
}

/* When this process started (clock ticks since boot, /proc/self/stat
 * field 22): with the pid it names the process even after the pid is
 * reused. */
int64_t ob_process_start_time(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: count
     * fields after its last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    long long start = -1;
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        if (++field == 22) {
            start = strtoll(tok, NULL, 10);
            break;
        }
    }
    return start;
}

bits_hresult ob_store_open(const char *dir, ob_store **out)
{
    ob_store *s = calloc(1, sizeof *s);
    if (!s || asprintf(&s->path, "%s/%s", dir, DB_NAME) < 0) {
        free(s);
        return BITS_E_OUTOFMEMORY;
    }
    s->start_time = ob_process_start_time((int)getpid());
    bits_hresult hr = create_private_file(s->path);
    if (hr >= 0) {
        int rc = sqlite3_open_v2(s->path, &s->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX |
                                     SQLITE_OPEN_NOFOLLOW,
                                 NULL);
        if (rc == SQLITE_OK) {
            sqlite3_busy_timeout(s->db, OB_STORE_BUSY_TIMEOUT_MS);
            rc = ob_db_exec(s, "PRAGMA foreign_keys=ON");
        }
        /* Everything that can refuse the database reads only; the first
         * write (a migration, the switch to WAL, which rewrites the file
         * header) comes after, so a refused database is left untouched. */
        hr = ob_db_hr(rc);
        if (hr >= 0)
            hr = ob_schema_check(s);
        if (hr >= 0)
            hr = ob_schema_migrate(s);
        if (hr >= 0)
            hr = ob_db_hr(switch_to_wal(s));
    }
    if (hr < 0) {
        ob_store_close(s);
        return hr;
    }
    *out = s;
    return BITS_S_OK;
}

void ob_store_close(ob_store *s)
{
    if (!s)
        return;
    if (s->queue) {
        ob_store_flush_files(s);
        ob_batch_drop(s);
        sqlite3_stmt *st;
        if (ob_db_prepare(s, "DELETE FROM listeners WHERE pid = ?", &st) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, getpid());
            ob_db_run(st);
        }
    }
    free(s->pending);
    free(s->ended);
    for (int i = 0; i < OB_STMT_CACHE; i++)
        sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}
