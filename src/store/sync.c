/*
 * sync.c - reading what is stored into the queue: every job at open, and
 * every 100 ms what other processes changed since (their rows and
 * tombstones carry a store revision newer than the last one read).
 *
 * Rows are read in one read transaction (WAL readers never wait for a
 * writer) into detached jobs, then handed to the queue, which applies
 * them through its one path of change.
 */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/failpoint.h"

#define SYNC_INTERVAL_MS 100

static int load_limits(ob_store *s, uint32_t *limits)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "SELECT which, value FROM limits", &st);
    if (rc != SQLITE_OK)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t which = sqlite3_column_int64(st, 0);
        if (which > 0 && which < OB_LIMIT_COUNT)
            limits[which] = (uint32_t)sqlite3_column_int64(st, 1);
    }
    ob_db_finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

typedef struct tombstone {
    uint8_t id[16];
    uint32_t state;
} tombstone;

/* What one read transaction saw. */
typedef struct snapshot {
    bits_job **rows;
    uint32_t nrows, cap_rows;
    tombstone *dead;
    uint32_t ndead, cap_dead;
    uint32_t limits[OB_LIMIT_COUNT];
    int64_t max_rev;
} snapshot;

static void snapshot_free(snapshot *snap)
{
    for (uint32_t i = 0; i < snap->nrows; i++) {
        if (snap->rows[i])
            ob_job_unref(snap->rows[i]);
    }
    free(snap->rows);
    free(snap->dead);
}

static int grow(void **items, uint32_t *cap, uint32_t n, size_t size)
{
    if (n < *cap)
        return 0;
    uint32_t c = *cap ? *cap * 2 : 16;
    void *grown = realloc(*items, c * size);
    if (!grown)
        return -1;
    *items = grown;
    *cap = c;
    return 0;
}

/* Jobs with rev > since, in creation order. */
static int read_rows(ob_store *s, int64_t since, snapshot *snap)
{
    static char sql[1200];
    if (!sql[0])
        snprintf(sql, sizeof sql, "%s WHERE rev > ? ORDER BY seq", ob_codec_job_select());
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, sql, &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, since);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rev = sqlite3_column_int64(st, 1);
        if (rev > snap->max_rev)
            snap->max_rev = rev;
        bits_job *row = ob_codec_read_job(s, st);
        if (!row)
            continue; /* malformed: skipped, as a damaged row must not stop the rest */
        if (grow((void **)&snap->rows, &snap->cap_rows, snap->nrows, sizeof *snap->rows) < 0) {
            ob_job_unref(row);
            rc = SQLITE_NOMEM;
            break;
        }
        snap->rows[snap->nrows++] = row;
    }
    ob_db_finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int read_tombstones(ob_store *s, int64_t since, snapshot *snap)
{
    sqlite3_stmt *st;
    int rc = ob_db_prepare(s, "SELECT id, rev, state FROM tombstones WHERE rev > ?", &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, since);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rev = sqlite3_column_int64(st, 1);
        if (rev > snap->max_rev)
            snap->max_rev = rev;
        const void *blob = sqlite3_column_blob(st, 0);
        uint32_t state = (uint32_t)sqlite3_column_int64(st, 2);
        if (!blob || sqlite3_column_bytes(st, 0) != 16 || !ob_state_is_final(state))
            continue;
        if (grow((void **)&snap->dead, &snap->cap_dead, snap->ndead, sizeof *snap->dead) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        memcpy(snap->dead[snap->ndead].id, blob, 16);
        snap->dead[snap->ndead++].state = state;
    }
    ob_db_finish(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int64_t stored_rev(ob_store *s, int *rc)
{
    sqlite3_stmt *st;
    *rc = ob_db_prepare(s, "SELECT value FROM meta WHERE key = 'rev'", &st);
    if (*rc != SQLITE_OK)
        return 0;
    int64_t rev = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    ob_db_finish(st);
    return rev;
}

/* Reads everything newer than @p since in one read transaction. Returns
 * 1 with @p snap filled, 0 when nothing changed, or a negative SQLite
 * code. */
static int read_snapshot(ob_store *s, int64_t since, int tombstones, snapshot *snap)
{
    memset(snap, 0, sizeof *snap);
    int rc = ob_db_exec(s, "BEGIN");
    if (rc != SQLITE_OK)
        return -rc;
    int64_t now = stored_rev(s, &rc);
    snap->max_rev = since;
    if (rc == SQLITE_OK && now != since) {
        memcpy(snap->limits, s->queue->limits, sizeof snap->limits);
        rc = load_limits(s, snap->limits);
        if (rc == SQLITE_OK)
            rc = read_rows(s, since, snap);
        if (rc == SQLITE_OK && tombstones)
            rc = read_tombstones(s, since, snap);
        if (now > snap->max_rev)
            snap->max_rev = now;
    }
    ob_db_exec(s, "COMMIT");
    if (rc != SQLITE_OK) {
        snapshot_free(snap);
        return -rc;
    }
    return now != since;
}

/* Hands a snapshot to the queue: rows through ob_queue_adopt, final rows
 * of jobs the queue does not hold to @p on_final, then tombstones and
 * limits. */
static void apply_snapshot(ob_store *s, snapshot *snap, ob_final_row_fn on_final, void *ctx)
{
    ob_queue *q = s->queue;
    for (uint32_t i = 0; i < snap->nrows; i++) {
        bits_job *row = snap->rows[i];
        uint32_t state = atomic_load(&row->state);
        if (ob_queue_adopt(q, row)) {
            snap->rows[i] = NULL; /* the queue holds it now */
            continue;
        }
        ob_queue_lock(q);
        int known = ob_queue_find_locked(q, row->id.bytes) != NULL;
        ob_queue_unlock(q);
        if (ob_state_is_final(state) && !known && on_final)
            on_final(ctx, row);
    }
    for (uint32_t i = 0; i < snap->ndead; i++)
        ob_queue_adopt_final(q, snap->dead[i].id, snap->dead[i].state);
    ob_queue_lock(q);
    memcpy(q->limits, snap->limits, sizeof q->limits);
    ob_queue_unlock(q);
}

bits_hresult ob_store_load(ob_store *s, ob_queue *q, ob_final_row_fn on_final, void *ctx)
{
    s->queue = q;
    snapshot snap;
    int rc = read_snapshot(s, 0, 0, &snap);
    if (rc < 0)
        return ob_db_hr(-rc);
    if (rc > 0) {
        apply_snapshot(s, &snap, on_final, ctx);
        /* Tombstones before now are history. */
        s->seen_rev = snap.max_rev;
        snapshot_free(&snap);
    }
    return BITS_S_OK;
}

int ob_store_refresh(ob_store *s, ob_final_row_fn on_final, void *ctx)
{
    snapshot snap;
    int rc = read_snapshot(s, s->seen_rev, 1, &snap);
    if (rc <= 0)
        return rc < 0 ? -1 : 0;
    ob_failpoint("sync.rows_read", s);
    apply_snapshot(s, &snap, on_final, ctx);
    s->seen_rev = snap.max_rev;
    snapshot_free(&snap);
    return 1;
}

/* ---- the thread ------------------------------------------------------------------ */

struct ob_sync {
    ob_store *store;
    ob_final_row_fn on_final;
    void (*tick)(void *ctx);
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
};

static void *sync_main(void *arg)
{
    ob_sync *sync = arg;
    ob_queue *q = sync->store->queue;
    pthread_mutex_lock(&sync->lock);
    while (!sync->stop) {
        struct timespec ts = ob_mono_deadline_ms(SYNC_INTERVAL_MS);
        pthread_cond_timedwait(&sync->wake, &sync->lock, &ts);
        if (sync->stop)
            break;
        pthread_mutex_unlock(&sync->lock);
        ob_queue_change_lock(q);
        ob_store_refresh(sync->store, sync->on_final, sync->ctx);
        ob_queue_change_unlock(q);
        if (sync->tick)
            sync->tick(sync->ctx);
        pthread_mutex_lock(&sync->lock);
    }
    pthread_mutex_unlock(&sync->lock);
    return NULL;
}

bits_hresult ob_sync_start(ob_store *s, ob_final_row_fn on_final, void (*tick)(void *ctx),
                           void *ctx, ob_sync **out)
{
    ob_sync *sync = calloc(1, sizeof *sync);
    if (!sync)
        return BITS_E_OUTOFMEMORY;
    sync->store = s;
    sync->on_final = on_final;
    sync->tick = tick;
    sync->ctx = ctx;
    pthread_mutex_init(&sync->lock, NULL);
    ob_cond_init_monotonic(&sync->wake);
    if (pthread_create(&sync->thread, NULL, sync_main, sync) != 0) {
        pthread_cond_destroy(&sync->wake);
        pthread_mutex_destroy(&sync->lock);
        free(sync);
        return BITS_E_FAIL;
    }
    *out = sync;
    return BITS_S_OK;
}

void ob_sync_stop(ob_sync *sync)
{
    if (!sync)
        return;
    pthread_mutex_lock(&sync->lock);
    sync->stop = 1;
    pthread_cond_signal(&sync->wake);
    pthread_mutex_unlock(&sync->lock);
    pthread_join(sync->thread, NULL);
    pthread_cond_destroy(&sync->wake);
    pthread_mutex_destroy(&sync->lock);
    free(sync);
}
