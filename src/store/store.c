/*
 * store.c - the SQLite job store.
 *
 * Schema versions are counted in PRAGMA user_version; store_migrate()
 * brings any earlier version up to SCHEMA_VERSION step by step. A database
 * SQLite calls corrupt (or one that is not a database) is never touched:
 * opening fails with BG_E_DATABASE_CORRUPT.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "state.h"

#define SCHEMA_VERSION 1
#define DB_NAME "openbits.db"
#define BUSY_TIMEOUT_MS 10000 /* how long a call waits for another process's write */

#define STMT_CACHE 48 /* more than the statements in this file */

struct store {
    sqlite3 *db;
    int64_t seen_rev;           /* the newest revision this process knows */
    char *path;
    int batching;               /* between store_batch_begin/end_locked() */
    /* File rows changed in the batch and not written yet: each is written
     * once at the commit however often it changed (a small file starts and
     * ends within one batch). Each entry holds a reference to its job. */
    bits_file **pending;
    uint32_t npending, pending_cap;
    /* Prepared statements, keyed by their SQL text's address: every write
     * would otherwise pay for parsing the same SQL again. */
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[STMT_CACHE];
};

static int write_pending_files(store *s, int64_t rev);
static bits_hresult write_pending(store *s);

/* A ready statement for @p sql (a string literal): cached, reset, unbound.
 * Pair with finish(). */
static int prepare(store *s, const char *sql, sqlite3_stmt **out)
{
    int free_slot = -1;
    for (int i = 0; i < STMT_CACHE; i++) {
        if (s->cache[i].sql == sql) {
            *out = s->cache[i].stmt;
            return SQLITE_OK;
        }
        if (!s->cache[i].sql && free_slot < 0)
            free_slot = i;
    }
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc == SQLITE_OK && free_slot >= 0) {
        s->cache[free_slot].sql = sql;
        s->cache[free_slot].stmt = *out;
    }
    return rc;
}

/* Makes a statement from prepare() ready for its next use. */
static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static const char *const schema_v1[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO meta VALUES('rev', 0)",
    "CREATE TABLE limits(which INTEGER PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE jobs(id BLOB PRIMARY KEY, rev INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " owner INTEGER NOT NULL, type INTEGER NOT NULL, state INTEGER NOT NULL,"
    " display_name TEXT NOT NULL, description TEXT NOT NULL, priority INTEGER NOT NULL,"
    " notify_flags INTEGER NOT NULL, min_retry_delay INTEGER NOT NULL,"
    " no_progress_timeout INTEGER NOT NULL, max_download_time INTEGER NOT NULL,"
    " min_notify_interval_ms INTEGER NOT NULL, security_flags INTEGER NOT NULL,"
    " dynamic_content INTEGER NOT NULL, max_download_size INTEGER NOT NULL,"
    " max_bandwidth INTEGER NOT NULL, files_in_flight INTEGER NOT NULL,"
    " error_count INTEGER NOT NULL, resumed_once INTEGER NOT NULL,"
    " proxy_usage INTEGER NOT NULL, proxy_list TEXT, bypass_list TEXT, custom_headers TEXT,"
    " headers_write_only INTEGER NOT NULL, notify_program TEXT, notify_parameters TEXT,"
    " creation_time INTEGER NOT NULL, modification_time INTEGER NOT NULL,"
    " transfer_completion_time INTEGER NOT NULL, error_set INTEGER NOT NULL,"
    " error_context INTEGER NOT NULL, error_code INTEGER NOT NULL, error_file INTEGER NOT NULL,"
    " error_detail TEXT, error_protocol TEXT)",
    "CREATE TABLE files(job_id BLOB NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL, remote_name TEXT NOT NULL, local_name TEXT NOT NULL,"
    " temp_name TEXT, bytes_total INTEGER NOT NULL, bytes_transferred INTEGER NOT NULL,"
    " transferred INTEGER NOT NULL, completed INTEGER NOT NULL, etag TEXT,"
    " last_modified TEXT, PRIMARY KEY(job_id, idx))",
    "CREATE TABLE credentials(job_id BLOB NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    " target INTEGER NOT NULL, scheme INTEGER NOT NULL, user_name TEXT, password TEXT,"
    " PRIMARY KEY(job_id, target, scheme))",
    "CREATE TABLE tombstones(id BLOB PRIMARY KEY, rev INTEGER NOT NULL, state INTEGER NOT NULL)",
    NULL,
};

/* Each entry upgrades from version i to i + 1 (entry 0 creates v1). */
static const char *const *const migrations[SCHEMA_VERSION] = { schema_v1 };

static bits_hresult hr_from_sqlite(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return BITS_S_OK;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return BG_E_DATABASE_CORRUPT;
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

static int exec(store *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

/* PRAGMA user_version, or -1 (*rc says why) when it cannot be read. */
static int schema_version(store *s, int *rc)
{
    sqlite3_stmt *st;
    *rc = prepare(s, "PRAGMA user_version", &st);
    if (*rc != SQLITE_OK)
        return -1;
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    finish(st);
    return version;
}

/* The tables of the current schema. A migration that alters a table must
 * list the altered table's CREATE text here (as SQLite keeps it). */
static const char *const *const current_tables = schema_v1;

/* 1 when the database holds exactly the tables @p version made (the
 * reads are positional: a renamed or missing column would misread every
 * row) and nothing else but their automatic indexes: no views, no
 * triggers. A new database (version 0) must be empty. Older versions are
 * left to their migration. */
static int schema_matches(store *s, int version)
{
    if (version != 0 && version != SCHEMA_VERSION)
        return 1;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT count(*) FROM sqlite_master WHERE NOT (type = 'index' AND sql IS NULL)",
                &st) != SQLITE_OK)
        return 0;
    int objects = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    finish(st);
    int expected = 0;
    for (const char *const *sql = current_tables; version && *sql; sql++)
        expected += strncmp(*sql, "CREATE TABLE ", 13) == 0;
    if (objects != expected)
        return 0;
    if (prepare(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND sql = ?", &st) != SQLITE_OK)
        return 0;
    int ok = 1;
    for (const char *const *sql = current_tables; version && ok && *sql; sql++) {
        if (strncmp(*sql, "CREATE TABLE ", 13) != 0)
            continue;
        sqlite3_bind_text(st, 1, *sql, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_ROW;
        finish(st);
    }
    return ok;
}

/* Refuses, without writing, a database from a newer openbits, one whose
 * schema is not ours, or one with damage SQLite only finds on reading its
 * pages. */
static bits_hresult check_snapshot(store *s)
{
    int rc;
    int version = schema_version(s, &rc);
    if (rc != SQLITE_OK)
        return hr_from_sqlite(rc);
    if (version < 0 || version > SCHEMA_VERSION)
        return BG_E_DATABASE_CORRUPT; /* from a newer openbits: leave it alone */
    if (!schema_matches(s, version))
        return BG_E_DATABASE_CORRUPT;
    sqlite3_stmt *st;
    rc = prepare(s, "PRAGMA quick_check", &st);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
            rc = SQLITE_CORRUPT;
        finish(st);
    }
    return hr_from_sqlite(rc);
}

/* check_snapshot() in one read transaction: another process creating the
 * store at this moment must not be seen half way (version 0 read before
 * its commit, its tables after). A deferred BEGIN writes nothing. */
static bits_hresult check_readable(store *s)
{
    int rc = exec(s, "BEGIN");
    if (rc != SQLITE_OK)
        return hr_from_sqlite(rc);
    bits_hresult hr = check_snapshot(s);
    exec(s, "COMMIT");
    return hr;
}

/* Each step reads the version after taking the write lock, so two
 * processes opening a new store at once do not both create it. */
static bits_hresult migrate(store *s)
{
    for (;;) {
        int rc = exec(s, "BEGIN IMMEDIATE");
        if (rc != SQLITE_OK)
            return hr_from_sqlite(rc);
        int version = schema_version(s, &rc);
        bits_hresult hr = BITS_S_OK;
        if (rc != SQLITE_OK)
            hr = hr_from_sqlite(rc);
        else if (version < 0 || version > SCHEMA_VERSION)
            hr = BG_E_DATABASE_CORRUPT;
        if (hr < 0 || version == SCHEMA_VERSION) {
            exec(s, hr < 0 ? "ROLLBACK" : "COMMIT");
            return hr;
        }
        for (const char *const *sql = migrations[version]; rc == SQLITE_OK && *sql; sql++)
            rc = exec(s, *sql);
        char pragma[48];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", version + 1);
        if (rc == SQLITE_OK)
            rc = exec(s, pragma);
        if (rc == SQLITE_OK)
            rc = exec(s, "COMMIT");
        if (rc != SQLITE_OK) {
            exec(s, "ROLLBACK");
            return hr_from_sqlite(rc);
        }
    }
}

/* The switch to WAL needs the database to itself and SQLite answers
 * SQLITE_BUSY at once, without the busy handler, while another process
 * is opening the same new store: retry for as long as the busy timeout. */
static int switch_to_wal(store *s)
{
    int rc;
    for (int waited_ms = 0;; waited_ms += 10) {
        rc = exec(s, "PRAGMA journal_mode=WAL");
        if ((rc & 0xFF) != SQLITE_BUSY || waited_ms >= BUSY_TIMEOUT_MS)
            break;
        sqlite3_sleep(10);
    }
    return rc == SQLITE_OK ? exec(s, "PRAGMA synchronous=NORMAL") : rc;
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

bits_hresult store_open(const char *dir, store **out)
{
    store *s = calloc(1, sizeof *s);
    if (!s || asprintf(&s->path, "%s/%s", dir, DB_NAME) < 0) {
        free(s);
        return BITS_E_OUTOFMEMORY;
    }
    bits_hresult hr = create_private_file(s->path);
    if (hr >= 0) {
        int rc = sqlite3_open_v2(s->path, &s->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX |
                                     SQLITE_OPEN_NOFOLLOW,
                                 NULL);
        if (rc == SQLITE_OK) {
            sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
            rc = exec(s, "PRAGMA foreign_keys=ON");
        }
        /* Everything that can refuse the database reads only; the first
         * write (a migration, the switch to WAL, which rewrites the file
         * header) comes after, so a refused database is left untouched. */
        hr = hr_from_sqlite(rc);
        if (hr >= 0)
            hr = check_readable(s);
        if (hr >= 0)
            hr = migrate(s);
        if (hr >= 0)
            hr = hr_from_sqlite(switch_to_wal(s));
    }
    if (hr < 0) {
        store_close(s);
        return hr;
    }
    *out = s;
    return BITS_S_OK;
}

void store_close(store *s)
{
    if (!s)
        return;
    write_pending(s);
    free(s->pending);
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

/* ---- writing ------------------------------------------------------------- */

/* Starts a write transaction, takes the next revision number and writes
 * the batch's pending file rows first (so they commit with this write). */
static int begin_write(store *s, int64_t *rev)
{
    int rc = exec(s, "BEGIN IMMEDIATE");
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc = prepare(s, "UPDATE meta SET value = value + 1 WHERE key = 'rev' RETURNING value", &st);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
    if (rc == SQLITE_OK)
        *rev = sqlite3_column_int64(st, 0);
    if (st)
        finish(st);
    if (rc == SQLITE_OK)
        rc = write_pending_files(s, *rev);
    if (rc != SQLITE_OK)
        exec(s, "ROLLBACK");
    return rc;
}

static bits_hresult end_write(store *s, int rc, int64_t rev)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE)
        rc = exec(s, "COMMIT");
    if (rc != SQLITE_OK) {
        exec(s, "ROLLBACK");
        return hr_from_sqlite(rc);
    }
    /* Our own write: nothing to reload, unless someone wrote in between. */
    if (rev == s->seen_rev + 1)
        s->seen_rev = rev;
    return BITS_S_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static const char job_upsert_sql[] =
    "INSERT INTO jobs VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,"
    "?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36,?37)"
    " ON CONFLICT(id) DO UPDATE SET rev=?2, seq=?3, owner=?4, type=?5, state=?6,"
    " display_name=?7, description=?8, priority=?9, notify_flags=?10, min_retry_delay=?11,"
    " no_progress_timeout=?12, max_download_time=?13, min_notify_interval_ms=?14,"
    " security_flags=?15, dynamic_content=?16, max_download_size=?17, max_bandwidth=?18,"
    " files_in_flight=?19, error_count=?20, resumed_once=?21, proxy_usage=?22,"
    " proxy_list=?23, bypass_list=?24, custom_headers=?25, headers_write_only=?26,"
    " notify_program=?27, notify_parameters=?28, creation_time=?29, modification_time=?30,"
    " transfer_completion_time=?31, error_set=?32, error_context=?33, error_code=?34,"
    " error_file=?35, error_detail=?36, error_protocol=?37";

static int write_job_row(store *s, bits_job *job, int64_t rev)
{
    sqlite3_stmt *st;
    int rc = prepare(s, job_upsert_sql, &st);
    if (rc != SQLITE_OK)
        return rc;
    int i = 1;
    sqlite3_bind_blob(st, i++, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, i++, rev);
    sqlite3_bind_int64(st, i++, (int64_t)job->store_seq);
    sqlite3_bind_int64(st, i++, (int64_t)job->owner_uid);
    sqlite3_bind_int64(st, i++, job->type);
    sqlite3_bind_int64(st, i++, atomic_load(&job->state));
    bind_text(st, i++, job->display_name);
    bind_text(st, i++, job->description);
    sqlite3_bind_int64(st, i++, job->priority);
    sqlite3_bind_int64(st, i++, job->notify_flags);
    sqlite3_bind_int64(st, i++, job->min_retry_delay);
    sqlite3_bind_int64(st, i++, job->no_progress_timeout);
    sqlite3_bind_int64(st, i++, job->max_download_time);
    sqlite3_bind_int64(st, i++, job->min_notify_interval_ms);
    sqlite3_bind_int64(st, i++, job->security_flags);
    sqlite3_bind_int64(st, i++, job->dynamic_content);
    sqlite3_bind_int64(st, i++, (int64_t)job->max_download_size);
    sqlite3_bind_int64(st, i++, (int64_t)job->max_bandwidth);
    sqlite3_bind_int64(st, i++, job->files_in_flight);
    sqlite3_bind_int64(st, i++, job->error_count);
    sqlite3_bind_int64(st, i++, job->resumed_once);
    sqlite3_bind_int64(st, i++, job->proxy_usage);
    bind_text(st, i++, job->proxy_list);
    bind_text(st, i++, job->bypass_list);
    bind_text(st, i++, job->custom_headers);
    sqlite3_bind_int64(st, i++, job->headers_write_only);
    bind_text(st, i++, job->notify_program);
    bind_text(st, i++, job->notify_parameters);
    sqlite3_bind_int64(st, i++, job->creation_time);
    sqlite3_bind_int64(st, i++, job->modification_time);
    sqlite3_bind_int64(st, i++, job->transfer_completion_time);
    sqlite3_bind_int64(st, i++, job->error.set);
    sqlite3_bind_int64(st, i++, job->error.context);
    sqlite3_bind_int64(st, i++, job->error.code);
    sqlite3_bind_int64(st, i++, job->error.file_index);
    bind_text(st, i++, job->error.detail);
    bind_text(st, i++, job->error.protocol);
    return run(st);
}

static int write_credentials(store *s, bits_job *job)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "DELETE FROM credentials WHERE job_id = ?", &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(st, 1, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
    rc = run(st);
    for (int t = 0; rc == SQLITE_OK && t < CRED_TARGETS; t++) {
        for (int c = 0; rc == SQLITE_OK && c < CRED_SCHEMES; c++) {
            const job_credential *cred = &job->creds[t][c];
            if (!cred->set)
                continue;
            rc = prepare(s, "INSERT INTO credentials VALUES(?,?,?,?,?)", &st);
            if (rc != SQLITE_OK)
                break;
            sqlite3_bind_blob(st, 1, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
            sqlite3_bind_int(st, 2, t + 1);
            sqlite3_bind_int(st, 3, c + 1);
            bind_text(st, 4, cred->user_name);
            bind_text(st, 5, cred->password);
            rc = run(st);
        }
    }
    return rc;
}

static void bind_file_row(sqlite3_stmt *st, const bits_file *f)
{
    sqlite3_bind_blob(st, 1, f->job->id.bytes, sizeof f->job->id.bytes, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, f->index);
    bind_text(st, 3, f->remote_name);
    bind_text(st, 4, f->local_name);
    bind_text(st, 5, f->temp_name);
    sqlite3_bind_int64(st, 6, (int64_t)f->bytes_total);
    sqlite3_bind_int64(st, 7, (int64_t)f->saved_bytes);
    sqlite3_bind_int64(st, 8, f->transferred);
    sqlite3_bind_int64(st, 9, f->completed);
    bind_text(st, 10, f->etag);
    bind_text(st, 11, f->last_modified);
}

/* Writes @p f's whole row, replacing any. */
static int insert_file_row(store *s, bits_file *f)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "INSERT OR REPLACE INTO files VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                     &st);
    if (rc != SQLITE_OK)
        return rc;
    bind_file_row(st, f);
    return run(st);
}

/* Writes what can change in @p f's row: an UPDATE by key costs less than
 * an upsert, and the engine writes a row per file change. The row nearly
 * always exists (the job's save wrote it); else the whole row is written. */
static int write_file_row(store *s, bits_file *f)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "UPDATE files SET remote_name=?3, temp_name=?5, bytes_total=?6,"
                        " bytes_transferred=?7, transferred=?8, completed=?9, etag=?10,"
                        " last_modified=?11 WHERE job_id=?1 AND idx=?2",
                     &st);
    if (rc != SQLITE_OK)
        return rc;
    bind_file_row(st, f);
    rc = run(st);
    if (rc != SQLITE_OK || sqlite3_changes(s->db) > 0)
        return rc;
    return insert_file_row(s, f);
}

static int touch_job_rev(store *s, bits_job *job, int64_t rev)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "UPDATE jobs SET rev = ? WHERE id = ?", &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, rev);
    sqlite3_bind_blob(st, 2, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
    return run(st);
}

/* Empties the batch's pending list (the rows were written, or are lost:
 * only progress, which is fetched again after a crash). */
static void drop_pending(store *s)
{
    for (uint32_t i = 0; i < s->npending; i++) {
        s->pending[i]->store_pending = 0;
        bits_job_release(s->pending[i]->job);
    }
    s->npending = 0;
}

/* Writes the batch's pending rows with revision @p rev and empties the
 * list. A row whose job another process removed meanwhile is skipped. */
static int write_pending_files(store *s, int64_t rev)
{
    int rc = SQLITE_OK;
    const bits_job *touched = NULL;
    for (uint32_t i = 0; rc == SQLITE_OK && i < s->npending; i++) {
        bits_file *f = s->pending[i];
        rc = write_file_row(s, f);
        if (rc == SQLITE_OK && f->job != touched) {
            rc = touch_job_rev(s, f->job, rev);
            touched = f->job;
        }
        if ((rc & 0xFF) == SQLITE_CONSTRAINT)
            rc = SQLITE_OK; /* the job's row is gone */
    }
    drop_pending(s);
    return rc;
}

bits_hresult store_save_job_locked(store *s, bits_job *job)
{
    int64_t rev = 0;
    int rc = begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return hr_from_sqlite(rc);
    rc = write_job_row(s, job, rev);
    if (rc == SQLITE_OK)
        rc = write_credentials(s, job);
    /* Only the files not written yet: rewriting all of them made adding N
     * files one call at a time cost O(N^2) row writes (bench M2). Files
     * that change later are written by store_save_file_locked(), or the
     * caller resets files_saved (core_persist_job_locked). */
    for (uint32_t i = job->files_saved; rc == SQLITE_OK && i < job->nfiles; i++)
        rc = insert_file_row(s, job->files[i]);
    return end_write(s, rc, rev);
}

/* Adds @p file to the batch's pending rows; 0, or -1 when out of memory. */
static int add_pending(store *s, bits_file *file)
{
    if (file->store_pending)
        return 0;
    if (s->npending == s->pending_cap) {
        uint32_t cap = s->pending_cap ? 2 * s->pending_cap : 64;
        bits_file **grown = realloc(s->pending, cap * sizeof *grown);
        if (!grown)
            return -1;
        s->pending = grown;
        s->pending_cap = cap;
    }
    bits_job_add_ref(file->job);
    file->store_pending = 1;
    s->pending[s->npending++] = file;
    return 0;
}

bits_hresult store_save_file_locked(store *s, bits_file *file)
{
    if (s->batching && add_pending(s, file) == 0)
        return BITS_S_OK; /* written by store_batch_end_locked() */
    int64_t rev = 0;
    int rc = begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return hr_from_sqlite(rc);
    rc = write_file_row(s, file);
    if (rc == SQLITE_OK)
        rc = touch_job_rev(s, file->job, rev);
    return end_write(s, rc, rev);
}

void store_batch_begin_locked(store *s)
{
    s->batching = 1;
}

/* Commits the pending rows, if any (begin_write writes them). */
static bits_hresult write_pending(store *s)
{
    if (!s->npending)
        return BITS_S_OK;
    int64_t rev = 0;
    int rc = begin_write(s, &rev);
    if (rc != SQLITE_OK) {
        drop_pending(s); /* when BEGIN itself failed */
        return hr_from_sqlite(rc);
    }
    return end_write(s, SQLITE_OK, rev);
}

bits_hresult store_batch_end_locked(store *s)
{
    s->batching = 0;
    return write_pending(s);
}

int store_batch_pending_locked(const store *s)
{
    return s->npending != 0;
}

bits_hresult store_delete_job_locked(store *s, bits_job *job)
{
    int64_t rev = 0;
    int rc = begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return hr_from_sqlite(rc);
    sqlite3_stmt *st;
    rc = prepare(s, "DELETE FROM jobs WHERE id = ?", &st);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
        rc = run(st);
    }
    if (rc == SQLITE_OK)
        rc = prepare(s, "INSERT OR REPLACE INTO tombstones VALUES(?,?,?)", &st);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, rev);
        sqlite3_bind_int64(st, 3, atomic_load(&job->state));
        rc = run(st);
    }
    return end_write(s, rc, rev);
}

bits_hresult store_save_limits_locked(store *s, const uint32_t *limits, uint32_t count)
{
    int64_t rev = 0;
    int rc = begin_write(s, &rev);
    if (rc != SQLITE_OK)
        return hr_from_sqlite(rc);
    for (uint32_t i = 1; rc == SQLITE_OK && i < count; i++) {
        sqlite3_stmt *st;
        rc = prepare(s, "INSERT OR REPLACE INTO limits VALUES(?,?)", &st);
        if (rc != SQLITE_OK)
            break;
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_int64(st, 2, limits[i]);
        rc = run(st);
    }
    return end_write(s, rc, rev);
}

/* ---- reading ---------------------------------------------------------------- */

static char *column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static void replace_owned(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

/* Copies a jobs row into @p job (every persistent field). */
static void read_job_row(sqlite3_stmt *st, bits_job *job)
{
    int i = 2;
    job->store_seq = (uint64_t)sqlite3_column_int64(st, i++);
    job->owner_uid = (uid_t)sqlite3_column_int64(st, i++);
    job->type = (uint32_t)sqlite3_column_int64(st, i++);
    i++; /* state: applied by the caller */
    replace_owned(&job->display_name, column_text(st, i++));
    replace_owned(&job->description, column_text(st, i++));
    job->priority = (uint32_t)sqlite3_column_int64(st, i++);
    job->notify_flags = (uint32_t)sqlite3_column_int64(st, i++);
    job->min_retry_delay = (uint32_t)sqlite3_column_int64(st, i++);
    job->no_progress_timeout = (uint32_t)sqlite3_column_int64(st, i++);
    job->max_download_time = (uint32_t)sqlite3_column_int64(st, i++);
    job->min_notify_interval_ms = (uint32_t)sqlite3_column_int64(st, i++);
    job->security_flags = (uint32_t)sqlite3_column_int64(st, i++);
    job->dynamic_content = (uint32_t)sqlite3_column_int64(st, i++);
    job->max_download_size = (uint64_t)sqlite3_column_int64(st, i++);
    job->max_bandwidth = (uint64_t)sqlite3_column_int64(st, i++);
    job->files_in_flight = (uint32_t)sqlite3_column_int64(st, i++);
    job->error_count = (uint32_t)sqlite3_column_int64(st, i++);
    job->resumed_once = (int)sqlite3_column_int64(st, i++);
    job->proxy_usage = (uint32_t)sqlite3_column_int64(st, i++);
    replace_owned(&job->proxy_list, column_text(st, i++));
    replace_owned(&job->bypass_list, column_text(st, i++));
    replace_owned(&job->custom_headers, column_text(st, i++));
    job->headers_write_only = (int)sqlite3_column_int64(st, i++);
    replace_owned(&job->notify_program, column_text(st, i++));
    replace_owned(&job->notify_parameters, column_text(st, i++));
    job->creation_time = sqlite3_column_int64(st, i++);
    job->modification_time = sqlite3_column_int64(st, i++);
    job->transfer_completion_time = sqlite3_column_int64(st, i++);
    job_error_clear(&job->error);
    job->error.set = (int)sqlite3_column_int64(st, i++);
    job->error.context = (uint32_t)sqlite3_column_int64(st, i++);
    job->error.code = (bits_hresult)sqlite3_column_int64(st, i++);
    job->error.file_index = (int32_t)sqlite3_column_int64(st, i++);
    job->error.detail = column_text(st, i++);
    job->error.protocol = column_text(st, i++);
    if (job->files_in_flight == 0)
        job->files_in_flight = 1;
}

static int read_credentials(store *s, bits_job *job)
{
    for (int t = 0; t < CRED_TARGETS; t++) {
        for (int c = 0; c < CRED_SCHEMES; c++) {
            job_credential *cred = &job->creds[t][c];
            free(cred->user_name);
            free(cred->password);
            memset(cred, 0, sizeof *cred);
        }
    }
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT target, scheme, user_name, password FROM credentials"
                                " WHERE job_id = ?", &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(st, 1, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int t = sqlite3_column_int(st, 0) - 1, c = sqlite3_column_int(st, 1) - 1;
        if (t < 0 || t >= CRED_TARGETS || c < 0 || c >= CRED_SCHEMES)
            continue;
        job->creds[t][c].set = 1;
        job->creds[t][c].user_name = column_text(st, 2);
        job->creds[t][c].password = column_text(st, 3);
    }
    finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* 1 when @p temp has the form of the names temp_files.c makes for
 * @p local: ".openbits-*.tmp" in the same directory. Anything else in a
 * damaged store is ignored (the file starts over), so the store can never
 * make Cancel or Complete delete or move some other file. */
static int temp_name_is_ours(const char *local, const char *temp)
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

/* Reads the file rows of @p job. Files another process added are
 * appended; known files take the stored progress unless this process is
 * transferring them. */
static int read_files(store *s, bits_job *job)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT idx, remote_name, local_name, temp_name, bytes_total,"
                                " bytes_transferred, transferred, completed, etag, last_modified"
                                " FROM files WHERE job_id = ? ORDER BY idx", &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(st, 1, job->id.bytes, sizeof job->id.bytes, SQLITE_TRANSIENT);
    job->files_done_hint = 0; /* rows may clear "transferred" */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t idx = (uint32_t)sqlite3_column_int64(st, 0);
        if (idx > job->nfiles)
            continue; /* a gap: written by a newer process, read next time */
        if (idx == job->nfiles) {
            bits_file_info info = { (const char *)sqlite3_column_text(st, 1),
                                    (const char *)sqlite3_column_text(st, 2) };
            if (!info.remote_name || !info.local_name ||
                files_append_unchecked_locked(job, &info) < 0)
                continue;
        }
        bits_file *f = job->files[idx];
        if (f->active)
            continue; /* ours is newer than the row */
        replace_owned(&f->remote_name, column_text(st, 1));
        const char *temp = (const char *)sqlite3_column_text(st, 3);
        replace_owned(&f->temp_name,
                      temp_name_is_ours(f->local_name, temp) ? strdup(temp) : NULL);
        f->bytes_total = (uint64_t)sqlite3_column_int64(st, 4);
        f->bytes_transferred = f->saved_bytes = (uint64_t)sqlite3_column_int64(st, 5);
        f->transferred = sqlite3_column_int(st, 6);
        f->completed = sqlite3_column_int(st, 7);
        replace_owned(&f->etag, column_text(st, 8));
        replace_owned(&f->last_modified, column_text(st, 9));
        if (!f->completed && !f->temp_name && (f->bytes_transferred || f->transferred)) {
            /* Progress without a (usable) temporary file: nothing to resume. */
            files_reset_progress_locked(f, -1);
            f->transferred = 0;
        }
    }
    finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static bits_job *find_job(bits_core *core, const uint8_t *id)
{
    for (uint32_t i = 0; i < core->njobs; i++) {
        if (memcmp(core->jobs[i]->id.bytes, id, 16) == 0)
            return core->jobs[i];
    }
    return NULL;
}

/* A job a crash left final: finish what Cancel/Complete began. */
static void finish_final_job(store *s, bits_job *job)
{
    for (uint32_t i = 0; i < job->nfiles; i++) {
        bits_file *f = job->files[i];
        if (f->temp_name && !f->completed)
            unlink(f->temp_name);
    }
    store_delete_job_locked(s, job);
}

static int load_limits(store *s, bits_core *core)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT which, value FROM limits", &st);
    if (rc != SQLITE_OK)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t which = sqlite3_column_int64(st, 0);
        if (which > 0 && which < CORE_LIMIT_COUNT)
            core->limits[which] = (uint32_t)sqlite3_column_int64(st, 1);
    }
    finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Reads jobs with rev > since; new ones join the queue. Returns the
 * number of rows read, or a negative SQLite code. */
static int load_jobs(store *s, bits_core *core, int64_t since, int64_t *max_rev)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT * FROM jobs WHERE rev > ? ORDER BY seq", &st);
    if (rc != SQLITE_OK)
        return -rc;
    sqlite3_bind_int64(st, 1, since);
    int rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 0);
        if (!blob || sqlite3_column_bytes(st, 0) != 16)
            continue;
        int64_t rev = sqlite3_column_int64(st, 1);
        if (rev > *max_rev)
            *max_rev = rev;
        uint32_t state = (uint32_t)sqlite3_column_int64(st, 5);
        if (state >= BITS_JOB_STATE_COUNT)
            continue;
        bits_job *job = find_job(core, blob);
        int is_new = job == NULL;
        if (is_new) {
            bits_guid id;
            memcpy(id.bytes, blob, 16);
            job = job_new(core, &id, BG_JOB_TYPE_DOWNLOAD, NULL);
            if (!job)
                continue;
        }
        read_job_row(st, job);
        read_credentials(s, job);
        read_files(s, job);
        rows++;
        if (is_new) {
            atomic_store(&job->state, state);
            if (core_add_loaded_job_locked(core, job) < 0 || ob_state_is_final(state)) {
                if (ob_state_is_final(state))
                    finish_final_job(s, job);
                core_remove_job_locked(core, job);
            }
            bits_job_release(job); /* the queue holds it now */
        } else if (state != atomic_load(&job->state)) {
            job_set_state_from_store_locked(job, state);
        }
    }
    finish(st);
    return rc == SQLITE_DONE ? rows : -rc;
}

/* Jobs another process completed or cancelled leave this queue too. */
static int load_tombstones(store *s, bits_core *core, int64_t since, int64_t *max_rev)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT id, rev, state FROM tombstones WHERE rev > ?", &st);
    if (rc != SQLITE_OK)
        return -rc;
    sqlite3_bind_int64(st, 1, since);
    int rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rev = sqlite3_column_int64(st, 1);
        if (rev > *max_rev)
            *max_rev = rev;
        const void *blob = sqlite3_column_blob(st, 0);
        bits_job *job = blob && sqlite3_column_bytes(st, 0) == 16 ? find_job(core, blob) : NULL;
        uint32_t state = (uint32_t)sqlite3_column_int64(st, 2);
        if (job && ob_state_is_final(state)) {
            bits_job_add_ref(job);
            job_set_state_from_store_locked(job, state);
            bits_job_release(job);
            rows++;
        }
    }
    finish(st);
    return rc == SQLITE_DONE ? rows : -rc;
}

bits_hresult store_load_locked(store *s, bits_core *core)
{
    int rc = load_limits(s, core);
    if (rc != SQLITE_OK)
        return hr_from_sqlite(rc);
    int64_t max_rev = 0;
    int rows = load_jobs(s, core, 0, &max_rev);
    if (rows < 0)
        return hr_from_sqlite(-rows);
    s->seen_rev = max_rev;
    /* Tombstones before now are history; remember the counter. */
    sqlite3_stmt *st;
    rc = prepare(s, "SELECT value FROM meta WHERE key = 'rev'", &st);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        s->seen_rev = sqlite3_column_int64(st, 0);
    finish(st);
    return BITS_S_OK;
}

int store_refresh_locked(store *s, bits_core *core)
{
    write_pending(s); /* rows read back must not be older than ours */
    int64_t max_rev = s->seen_rev;
    int a = load_jobs(s, core, s->seen_rev, &max_rev);
    int b = a < 0 ? 0 : load_tombstones(s, core, s->seen_rev, &max_rev);
    if (a < 0 || b < 0)
        return -1;
    int limits_rc = load_limits(s, core);
    (void)limits_rc;
    s->seen_rev = max_rev;
    return a + b > 0;
}
