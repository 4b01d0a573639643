/*
 * schema.c - the store's tables, their versions and upgrades.
 *
 * Versions are counted in PRAGMA user_version; each migration upgrades
 * from version i to i + 1 in one transaction, so a new store is made by
 * running them all, and an old one ends with exactly the same tables.
 *
 * v1: jobs, files, credentials, tombstones, limits, meta (the revision).
 * v2: jobs.state_seq (the count of state changes, which the state-change
 *     transaction compares and raises), and listeners (which process has
 *     a callback for a job, so the process running the transfers knows
 *     whether to run the notify program).
 */
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#define SCHEMA_VERSION 2

/* The v1 tables, named so the current list below can share their text. */
#define JOBS_V1_COLUMNS                                                                        \
    "CREATE TABLE jobs(id BLOB PRIMARY KEY, rev INTEGER NOT NULL, seq INTEGER NOT NULL,"       \
    " owner INTEGER NOT NULL, type INTEGER NOT NULL, state INTEGER NOT NULL,"                  \
    " display_name TEXT NOT NULL, description TEXT NOT NULL, priority INTEGER NOT NULL,"       \
    " notify_flags INTEGER NOT NULL, min_retry_delay INTEGER NOT NULL,"                        \
    " no_progress_timeout INTEGER NOT NULL, max_download_time INTEGER NOT NULL,"               \
    " min_notify_interval_ms INTEGER NOT NULL, security_flags INTEGER NOT NULL,"               \
    " dynamic_content INTEGER NOT NULL, max_download_size INTEGER NOT NULL,"                   \
    " max_bandwidth INTEGER NOT NULL, files_in_flight INTEGER NOT NULL,"                       \
    " error_count INTEGER NOT NULL, resumed_once INTEGER NOT NULL,"                            \
    " proxy_usage INTEGER NOT NULL, proxy_list TEXT, bypass_list TEXT, custom_headers TEXT,"   \
    " headers_write_only INTEGER NOT NULL, notify_program TEXT, notify_parameters TEXT,"       \
    " creation_time INTEGER NOT NULL, modification_time INTEGER NOT NULL,"                     \
    " transfer_completion_time INTEGER NOT NULL, error_set INTEGER NOT NULL,"                  \
    " error_context INTEGER NOT NULL, error_code INTEGER NOT NULL, error_file INTEGER NOT NULL," \
    " error_detail TEXT, error_protocol TEXT"
#define FILES_V1                                                                               \
    "CREATE TABLE files(job_id BLOB NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"           \
    " idx INTEGER NOT NULL, remote_name TEXT NOT NULL, local_name TEXT NOT NULL,"              \
    " temp_name TEXT, bytes_total INTEGER NOT NULL, bytes_transferred INTEGER NOT NULL,"       \
    " transferred INTEGER NOT NULL, completed INTEGER NOT NULL, etag TEXT,"                    \
    " last_modified TEXT, PRIMARY KEY(job_id, idx))"
#define CREDENTIALS_V1                                                                         \
    "CREATE TABLE credentials(job_id BLOB NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"     \
    " target INTEGER NOT NULL, scheme INTEGER NOT NULL, user_name TEXT, password TEXT,"        \
    " PRIMARY KEY(job_id, target, scheme))"
#define TOMBSTONES_V1                                                                          \
    "CREATE TABLE tombstones(id BLOB PRIMARY KEY, rev INTEGER NOT NULL, state INTEGER NOT NULL)"

static const char *const schema_v1[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO meta VALUES('rev', 0)",
    "CREATE TABLE limits(which INTEGER PRIMARY KEY, value INTEGER NOT NULL)",
    JOBS_V1_COLUMNS ")",
    FILES_V1,
    CREDENTIALS_V1,
    TOMBSTONES_V1,
    NULL,
};

static const char *const schema_v2[] = {
    "ALTER TABLE jobs ADD COLUMN state_seq INTEGER NOT NULL DEFAULT 0",
    "CREATE TABLE listeners(job_id BLOB NOT NULL, pid INTEGER NOT NULL, start INTEGER NOT NULL,"
    " PRIMARY KEY(job_id, pid))",
    NULL,
};

/* Each entry upgrades from version i to i + 1 (entry 0 creates v1). */
static const char *const *const migrations[SCHEMA_VERSION] = { schema_v1, schema_v2 };

/* The tables of the current schema, as SQLite keeps their CREATE text
 * (an ALTER TABLE rewrites it): a migration that alters a table must
 * update its entry here. */
static const char *const current_tables[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE limits(which INTEGER PRIMARY KEY, value INTEGER NOT NULL)",
    JOBS_V1_COLUMNS ", state_seq INTEGER NOT NULL DEFAULT 0)",
    FILES_V1,
    CREDENTIALS_V1,
    TOMBSTONES_V1,
    "CREATE TABLE listeners(job_id BLOB NOT NULL, pid INTEGER NOT NULL, start INTEGER NOT NULL,"
    " PRIMARY KEY(job_id, pid))",
    NULL,
};

/* PRAGMA user_version, or -1 (*rc says why) when it cannot be read. */
static int schema_version(ob_store *s, int *rc)
{
    sqlite3_stmt *st;
    *rc = ob_db_prepare(s, "PRAGMA user_version", &st);
    if (*rc != SQLITE_OK)
        return -1;
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    ob_db_finish(st);
    return version;
}

/* The tables version @p version has, as SQLite keeps their CREATE text
 * (statements that are not CREATE TABLE are skipped by the caller). */
static const char *const *tables_of(int version)
{
    return version == 1 ? schema_v1 : current_tables;
}

/* 1 when the database holds exactly the tables @p version made (a
 * renamed or missing column would misread every row, or make an upgrade
 * write to a database that is then refused) and nothing else but their
 * automatic indexes: no views, no triggers. A new database (version 0)
 * must be empty. */
static int schema_matches(ob_store *s, int version)
{
    sqlite3_stmt *st;
    if (ob_db_prepare(s, "SELECT count(*) FROM sqlite_master WHERE NOT (type = 'index' AND sql IS NULL)",
                &st) != SQLITE_OK)
        return 0;
    int objects = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    ob_db_finish(st);
    const char *const *tables = tables_of(version);
    int expected = 0;
    for (const char *const *sql = tables; version && *sql; sql++)
        expected += strncmp(*sql, "CREATE TABLE ", 13) == 0;
    if (objects != expected)
        return 0;
    if (ob_db_prepare(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND sql = ?", &st) != SQLITE_OK)
        return 0;
    int ok = 1;
    for (const char *const *sql = tables; version && ok && *sql; sql++) {
        if (strncmp(*sql, "CREATE TABLE ", 13) != 0)
            continue;
        sqlite3_bind_text(st, 1, *sql, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_ROW;
        ob_db_finish(st);
    }
    return ok;
}

/* Refuses, without writing, a database from a newer openbits, one whose
 * schema is not ours, or one with damage SQLite only finds on reading its
 * pages. */
static bits_hresult check_snapshot(ob_store *s)
{
    int rc;
    int version = schema_version(s, &rc);
    if (rc != SQLITE_OK)
        return ob_db_hr(rc);
    if (version < 0 || version > SCHEMA_VERSION)
        return BG_E_DATABASE_CORRUPT; /* from a newer openbits: leave it alone */
    if (!schema_matches(s, version))
        return BG_E_DATABASE_CORRUPT;
    sqlite3_stmt *st;
    rc = ob_db_prepare(s, "PRAGMA quick_check", &st);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
            rc = SQLITE_CORRUPT;
        ob_db_finish(st);
    }
    return ob_db_hr(rc);
}

/* check_snapshot() in one read transaction: another process creating the
 * store at this moment must not be seen half way (version 0 read before
 * its commit, its tables after). A deferred BEGIN writes nothing. */
bits_hresult ob_schema_check(ob_store *s)
{
    int rc = ob_db_exec(s, "BEGIN");
    if (rc != SQLITE_OK)
        return ob_db_hr(rc);
    bits_hresult hr = check_snapshot(s);
    ob_db_exec(s, "COMMIT");
    return hr;
}

/* Each step reads the version after taking the write lock, so two
 * processes opening a new store at once do not both create it. */
bits_hresult ob_schema_migrate(ob_store *s)
{
    for (;;) {
        int rc = ob_db_exec(s, "BEGIN IMMEDIATE");
        if (rc != SQLITE_OK)
            return ob_db_hr(rc);
        int version = schema_version(s, &rc);
        bits_hresult hr = BITS_S_OK;
        if (rc != SQLITE_OK)
            hr = ob_db_hr(rc);
        else if (version < 0 || version > SCHEMA_VERSION)
            hr = BG_E_DATABASE_CORRUPT;
        if (hr < 0 || version == SCHEMA_VERSION) {
            ob_db_exec(s, hr < 0 ? "ROLLBACK" : "COMMIT");
            return hr;
        }
        for (const char *const *sql = migrations[version]; rc == SQLITE_OK && *sql; sql++)
            rc = ob_db_exec(s, *sql);
        char pragma[48];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", version + 1);
        if (rc == SQLITE_OK)
            rc = ob_db_exec(s, pragma);
        if (rc == SQLITE_OK)
            rc = ob_db_exec(s, "COMMIT");
        if (rc != SQLITE_OK) {
            ob_db_exec(s, "ROLLBACK");
            return ob_db_hr(rc);
        }
    }
}

