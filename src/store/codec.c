/*
 * codec.c - rows to jobs and back, by column name.
 *
 * The job row's columns are listed once, below: the SELECT, the INSERT
 * and the readers are made from that list, and every property's column
 * comes from its ob_prop (one column each, so a setter writes its own).
 */
#include "store/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"
#include "util/strings.h"

/* The columns of the job row that are not properties. */
#define STATUS_COLUMNS(X)                                                                     \
    X(ID, "id") X(REV, "rev") X(SEQ, "seq") X(OWNER, "owner") X(TYPE, "type")                 \
    X(STATE, "state") X(STATE_SEQ, "state_seq") X(ERROR_COUNT, "error_count")                 \
    X(RESUMED_ONCE, "resumed_once") X(CREATION_TIME, "creation_time")                         \
    X(MODIFICATION_TIME, "modification_time")                                                 \
    X(TRANSFER_COMPLETION_TIME, "transfer_completion_time") X(ERROR_SET, "error_set")         \
    X(ERROR_CONTEXT, "error_context") X(ERROR_CODE, "error_code") X(ERROR_FILE, "error_file") \
    X(ERROR_DETAIL, "error_detail") X(ERROR_PROTOCOL, "error_protocol")

#define AS_ENUM(e, name) COL_##e,
enum { STATUS_COLUMNS(AS_ENUM) COL_PROPS /* the properties follow, in ob_prop order */ };

/* The column of each property (credentials have their own table). */
static const char *const prop_column[OB_PROP_COUNT] = {
    [OB_PROP_DISPLAY_NAME] = "display_name",
    [OB_PROP_DESCRIPTION] = "description",
    [OB_PROP_PRIORITY] = "priority",
    [OB_PROP_NOTIFY_FLAGS] = "notify_flags",
    [OB_PROP_MIN_RETRY_DELAY] = "min_retry_delay",
    [OB_PROP_NO_PROGRESS_TIMEOUT] = "no_progress_timeout",
    [OB_PROP_MAX_DOWNLOAD_TIME] = "max_download_time",
    [OB_PROP_MIN_NOTIFY_INTERVAL] = "min_notify_interval_ms",
    [OB_PROP_SECURITY_FLAGS] = "security_flags",
    [OB_PROP_DYNAMIC_CONTENT] = "dynamic_content",
    [OB_PROP_MAX_DOWNLOAD_SIZE] = "max_download_size",
    [OB_PROP_MAX_BANDWIDTH] = "max_bandwidth",
    [OB_PROP_FILES_IN_FLIGHT] = "files_in_flight",
    [OB_PROP_PROXY_USAGE] = "proxy_usage",
    [OB_PROP_PROXY_LIST] = "proxy_list",
    [OB_PROP_BYPASS_LIST] = "bypass_list",
    [OB_PROP_CUSTOM_HEADERS] = "custom_headers",
    [OB_PROP_HEADERS_WRITE_ONLY] = "headers_write_only",
    [OB_PROP_NOTIFY_PROGRAM] = "notify_program",
    [OB_PROP_NOTIFY_PARAMETERS] = "notify_parameters",
    [OB_PROP_CREDENTIAL] = NULL,
};
#define COLUMN_COUNT (COL_PROPS + OB_PROP_CREDENTIAL)

/* The statements made from the lists, once per process. */
static char select_sql[1024];
static char insert_sql[1024];
static char prop_update_sql[OB_PROP_COUNT][96];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

#define AS_NAME(e, name) name,
static const char *const status_column[] = { STATUS_COLUMNS(AS_NAME) };

static const char *column_name(int i)
{
    return i < COL_PROPS ? status_column[i] : prop_column[i - COL_PROPS];
}

static void make_sql(void)
{
    size_t s = (size_t)snprintf(select_sql, sizeof select_sql, "SELECT ");
    size_t n = (size_t)snprintf(insert_sql, sizeof insert_sql, "INSERT INTO jobs(");
    for (int i = 0; i < COLUMN_COUNT; i++) {
        s += (size_t)snprintf(select_sql + s, sizeof select_sql - s, "%s%s", i ? ", " : "",
                              column_name(i));
        n += (size_t)snprintf(insert_sql + n, sizeof insert_sql - n, "%s%s", i ? ", " : "",
                              column_name(i));
    }
    snprintf(select_sql + s, sizeof select_sql - s, " FROM jobs");
    n += (size_t)snprintf(insert_sql + n, sizeof insert_sql - n, ") VALUES(");
    for (int i = 0; i < COLUMN_COUNT; i++)
        n += (size_t)snprintf(insert_sql + n, sizeof insert_sql - n, "%s?%d", i ? "," : "", i + 1);
    snprintf(insert_sql + n, sizeof insert_sql - n, ")");
    for (int p = 0; p < OB_PROP_CREDENTIAL; p++)
        snprintf(prop_update_sql[p], sizeof prop_update_sql[p],
                 "UPDATE jobs SET %s = ?2 WHERE id = ?1", prop_column[p]);
}

const char *ob_codec_job_select(void)
{
    pthread_once(&sql_once, make_sql);
    return select_sql;
}

/* ---- properties ------------------------------------------------------------ */

#define PROP_AT(props, d, type) ((type *)((char *)(props) + (d)->offset))

static void bind_prop(sqlite3_stmt *st, int i, ob_prop p, const ob_job_props *props)
{
    const ob_prop_desc *d = ob_prop_describe(p);
    switch (d->kind) {
    case OB_KIND_U32:
        sqlite3_bind_int64(st, i, *PROP_AT(props, d, const uint32_t));
        break;
    case OB_KIND_U64:
        sqlite3_bind_int64(st, i, (int64_t)*PROP_AT(props, d, const uint64_t));
        break;
    case OB_KIND_STR:
        ob_db_bind_text(st, i, *PROP_AT(props, d, char *const));
        break;
    case OB_KIND_CRED:
        break;
    }
}

static void read_prop(sqlite3_stmt *st, int i, ob_prop p, ob_job_props *props)
{
    const ob_prop_desc *d = ob_prop_describe(p);
    switch (d->kind) {
    case OB_KIND_U32:
        *PROP_AT(props, d, uint32_t) = (uint32_t)sqlite3_column_int64(st, i);
        break;
    case OB_KIND_U64:
        *PROP_AT(props, d, uint64_t) = (uint64_t)sqlite3_column_int64(st, i);
        break;
    case OB_KIND_STR:
        ob_take_string(PROP_AT(props, d, char *), ob_db_column_text(st, i));
        break;
    case OB_KIND_CRED:
        break;
    }
}

static int write_credential(ob_store *s, const bits_guid *id, int t, int c,
                            const ob_credential *cred)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "DELETE FROM credentials WHERE job_id = ? AND target = ? AND scheme = ?",
                           &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    sqlite3_bind_int(st, 2, t + 1);
    sqlite3_bind_int(st, 3, c + 1);
    rc = ob_db_run(st);
    if (rc != SQLITE_OK || !cred->set)
        return rc;
    rc = ob_db_prepare(s, "INSERT INTO credentials VALUES(?,?,?,?,?)", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    sqlite3_bind_int(st, 2, t + 1);
    sqlite3_bind_int(st, 3, c + 1);
    ob_db_bind_text(st, 4, cred->user_name);
    ob_db_bind_text(st, 5, cred->password);
    return ob_db_run(st);
}

int ob_codec_write_prop(ob_store *s, const bits_guid *id, ob_prop prop, const ob_job_props *props,
                        int cred_target, int cred_scheme)
{
    if (prop == OB_PROP_CREDENTIAL)
        return write_credential(s, id, cred_target, cred_scheme,
                                &props->creds[cred_target][cred_scheme]);
    pthread_once(&sql_once, make_sql);
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, prop_update_sql[prop], &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    bind_prop(st, 2, prop, props);
    return ob_db_run(st);
}

static int read_credentials(ob_store *s, bits_job *job)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "SELECT target, scheme, user_name, password FROM credentials"
                              " WHERE job_id = ?", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, &job->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int t = sqlite3_column_int(st, 0) - 1, c = sqlite3_column_int(st, 1) - 1;
        if (t < 0 || t >= OB_CRED_TARGETS || c < 0 || c >= OB_CRED_SCHEMES)
            continue;
        ob_credential *cred = &job->props.creds[t][c];
        cred->set = 1;
        ob_take_string(&cred->user_name, ob_db_column_text(st, 2));
        ob_take_string(&cred->password, ob_db_column_text(st, 3));
    }
    ob_db_finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- jobs --------------------------------------------------------------------- */

static void read_error(sqlite3_stmt *st, ob_job_error *err)
{
    ob_job_error_clear(err);
    err->set = (int)sqlite3_column_int64(st, COL_ERROR_SET);
    err->context = (uint32_t)sqlite3_column_int64(st, COL_ERROR_CONTEXT);
    err->code = (bits_hresult)sqlite3_column_int64(st, COL_ERROR_CODE);
    err->file_index = (int32_t)sqlite3_column_int64(st, COL_ERROR_FILE);
    err->detail = ob_db_column_text(st, COL_ERROR_DETAIL);
    err->protocol = ob_db_column_text(st, COL_ERROR_PROTOCOL);
}

bits_job *ob_codec_read_job(ob_store *s, sqlite3_stmt *st)
{
    const void *blob = sqlite3_column_blob(st, COL_ID);
    uint32_t state = (uint32_t)sqlite3_column_int64(st, COL_STATE);
    if (!blob || sqlite3_column_bytes(st, COL_ID) != 16 || state >= BITS_JOB_STATE_COUNT)
        return NULL;
    bits_guid id;
    memcpy(id.bytes, blob, 16);
    bits_job *job = ob_job_new(&id, (uint32_t)sqlite3_column_int64(st, COL_TYPE));
    if (!job)
        return NULL;
    atomic_store(&job->state, state);
    job->rev = sqlite3_column_int64(st, COL_REV);
    job->store_seq = (uint64_t)sqlite3_column_int64(st, COL_SEQ);
    job->owner_uid = (uid_t)sqlite3_column_int64(st, COL_OWNER);
    job->state_seq = (uint64_t)sqlite3_column_int64(st, COL_STATE_SEQ);
    job->error_count = (uint32_t)sqlite3_column_int64(st, COL_ERROR_COUNT);
    job->resumed_once = (int)sqlite3_column_int64(st, COL_RESUMED_ONCE);
    job->creation_time = sqlite3_column_int64(st, COL_CREATION_TIME);
    job->modification_time = sqlite3_column_int64(st, COL_MODIFICATION_TIME);
    job->transfer_completion_time = sqlite3_column_int64(st, COL_TRANSFER_COMPLETION_TIME);
    read_error(st, &job->error);
    for (int p = 0; p < OB_PROP_CREDENTIAL; p++)
        read_prop(st, COL_PROPS + p, (ob_prop)p, &job->props);
    if (!job->props.display_name)
        job->props.display_name = strdup("");
    if (!job->props.description)
        job->props.description = strdup("");
    if (job->props.files_in_flight == 0)
        job->props.files_in_flight = 1;
    if (!job->props.display_name || !job->props.description ||
        read_credentials(s, job) != SQLITE_OK || ob_codec_read_files(s, &id, job) != SQLITE_OK) {
        ob_job_unref(job);
        return NULL;
    }
    return job;
}

int ob_codec_insert_job(ob_store *s, bits_job *job, int64_t rev)
{
    pthread_once(&sql_once, make_sql);
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, insert_sql, &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, COL_ID + 1, &job->id);
    sqlite3_bind_int64(st, COL_REV + 1, rev);
    sqlite3_bind_int64(st, COL_SEQ + 1, (int64_t)job->store_seq);
    sqlite3_bind_int64(st, COL_OWNER + 1, (int64_t)job->owner_uid);
    sqlite3_bind_int64(st, COL_TYPE + 1, job->type);
    sqlite3_bind_int64(st, COL_STATE + 1, atomic_load(&job->state));
    sqlite3_bind_int64(st, COL_STATE_SEQ + 1, (int64_t)job->state_seq);
    sqlite3_bind_int64(st, COL_ERROR_COUNT + 1, job->error_count);
    sqlite3_bind_int64(st, COL_RESUMED_ONCE + 1, job->resumed_once);
    sqlite3_bind_int64(st, COL_CREATION_TIME + 1, job->creation_time);
    sqlite3_bind_int64(st, COL_MODIFICATION_TIME + 1, job->modification_time);
    sqlite3_bind_int64(st, COL_TRANSFER_COMPLETION_TIME + 1, job->transfer_completion_time);
    sqlite3_bind_int64(st, COL_ERROR_SET + 1, 0);
    sqlite3_bind_int64(st, COL_ERROR_CONTEXT + 1, 0);
    sqlite3_bind_int64(st, COL_ERROR_CODE + 1, 0);
    sqlite3_bind_int64(st, COL_ERROR_FILE + 1, -1);
    for (int p = 0; p < OB_PROP_CREDENTIAL; p++)
        bind_prop(st, COL_PROPS + p + 1, (ob_prop)p, &job->props);
    return ob_db_run(st);
}

int ob_codec_write_error(ob_store *s, const bits_guid *id, const ob_job_error *err)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "UPDATE jobs SET error_set = ?2, error_context = ?3, error_code = ?4,"
                              " error_file = ?5, error_detail = ?6, error_protocol = ?7"
                              " WHERE id = ?1", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    sqlite3_bind_int64(st, 2, err->set);
    sqlite3_bind_int64(st, 3, err->context);
    sqlite3_bind_int64(st, 4, err->code);
    sqlite3_bind_int64(st, 5, err->file_index);
    ob_db_bind_text(st, 6, err->detail);
    ob_db_bind_text(st, 7, err->protocol);
    return ob_db_run(st);
}

/* ---- files -------------------------------------------------------------------- */

int ob_codec_read_files(ob_store *s, const bits_guid *id, bits_job *into)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "SELECT idx, remote_name, local_name, temp_name, bytes_total,"
                              " bytes_transferred, transferred, completed, etag, last_modified"
                              " FROM files WHERE job_id = ? ORDER BY idx", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t idx = (uint32_t)sqlite3_column_int64(st, 0);
        bits_file_info info = { (const char *)sqlite3_column_text(st, 1),
                                (const char *)sqlite3_column_text(st, 2) };
        if (idx != into->nfiles || !info.remote_name || !info.local_name)
            break; /* a gap or a damaged row: the rest is read next time */
        if (ob_job_append_files(into, 1, &info) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        bits_file *f = into->files[idx];
        /* Only a name of the form we make is trusted (see fs.h). */
        const char *temp = (const char *)sqlite3_column_text(st, 3);
        f->temp_name = ob_temp_name_is_ours(f->local_name, temp) ? strdup(temp) : NULL;
        f->bytes_total = (uint64_t)sqlite3_column_int64(st, 4);
        f->bytes_transferred = f->saved_bytes = (uint64_t)sqlite3_column_int64(st, 5);
        f->transferred = sqlite3_column_int(st, 6);
        f->completed = sqlite3_column_int(st, 7);
        f->etag = ob_db_column_text(st, 8);
        f->last_modified = ob_db_column_text(st, 9);
        if (!f->completed && !f->temp_name && (f->bytes_transferred || f->transferred)) {
            /* Progress without a (usable) temporary file: nothing to resume. */
            ob_file_reset_progress(f);
            f->transferred = 0;
        }
    }
    ob_db_finish(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int ob_codec_insert_file(ob_store *s, const bits_guid *id, uint32_t idx, const char *remote,
                         const char *local)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "INSERT INTO files VALUES(?1,?2,?3,?4,NULL,?5,0,0,0,NULL,NULL)", &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, id);
    sqlite3_bind_int64(st, 2, idx);
    ob_db_bind_text(st, 3, remote);
    ob_db_bind_text(st, 4, local);
    sqlite3_bind_int64(st, 5, (int64_t)BG_SIZE_UNKNOWN);
    return ob_db_run(st);
}

int ob_codec_write_file_progress(ob_store *s, const bits_file *f)
{
    sqlite3_stmt *st;
    /* Not for a job that ended (its row final or gone): 0 rows changed
     * tells the engine so (batch.c). */
    int rc = ob_db_prepare(s, "UPDATE files SET temp_name = ?3, bytes_total = ?4,"
                              " bytes_transferred = ?5, transferred = ?6, completed = ?7,"
                              " etag = ?8, last_modified = ?9 WHERE job_id = ?1 AND idx = ?2"
                              " AND EXISTS (SELECT 1 FROM jobs WHERE id = ?1"
                              " AND state NOT IN (7, 8))",
                           &st);
    if (rc != SQLITE_OK)
        return rc;
    ob_db_bind_id(st, 1, &f->job->id);
    sqlite3_bind_int64(st, 2, f->index);
    ob_db_bind_text(st, 3, f->temp_name);
    sqlite3_bind_int64(st, 4, (int64_t)f->bytes_total);
    sqlite3_bind_int64(st, 5, (int64_t)f->saved_bytes);
    sqlite3_bind_int64(st, 6, f->transferred);
    sqlite3_bind_int64(st, 7, f->completed);
    ob_db_bind_text(st, 8, f->etag);
    ob_db_bind_text(st, 9, f->last_modified);
    return ob_db_run(st);
}
