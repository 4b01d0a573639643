/*
 * test_durability.c - the store never claims bytes that are not on disk.
 *
 * Power loss cannot be produced in a test, so the order it depends on is
 * checked instead: this program links the library's objects with
 * -Wl,--wrap=fdatasync, and the wrapper makes every flush slow (as on a
 * busy disk) and records, per temporary file, the length it made durable.
 * Meanwhile the test reads the store with SQLite directly, many times a
 * second, and asserts that no checkpoint it sees exceeds the durable
 * length of its file. Written the other way round (checkpoint, then
 * flush), the slow flush leaves a window that this test falls into.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openbits/openbits.h>

#include "http_server.h"
#include "test_support.h"

#define FLUSH_DELAY_US 150000 /* long next to the 1 s checkpoint interval */
#define MAX_FILES 16

int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);

/* Durable length per temporary file, by inode (the engine's descriptors
 * are private; the test finds the inode from the name in the store). */
static struct {
    ino_t ino;
    uint64_t durable;
} g_synced[MAX_FILES];
static int g_flushes;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

int __wrap_fdatasync(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    usleep(FLUSH_DELAY_US);
    int rc = __real_fdatasync(fd);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&g_lock);
    g_flushes++;
    for (int i = 0; i < MAX_FILES; i++) {
        if (g_synced[i].ino == st.st_ino || g_synced[i].ino == 0) {
            g_synced[i].ino = st.st_ino;
            if ((uint64_t)st.st_size > g_synced[i].durable)
                g_synced[i].durable = (uint64_t)st.st_size; /* what was written before the flush */
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return 0;
}

static uint64_t durable_length(ino_t ino)
{
    uint64_t n = 0;
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < MAX_FILES; i++)
        if (g_synced[i].ino == ino)
            n = g_synced[i].durable;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* One look at the store: each file's checkpoint against its durable
 * length. Returns how many nonzero checkpoints it compared. */
static int check_store_once(const char *db_path)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    int compared = 0;
    assert_int_equal(sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT bytes_transferred, temp_name FROM files", -1,
                                        &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t checkpoint = (uint64_t)sqlite3_column_int64(st, 0);
        const char *temp = (const char *)sqlite3_column_text(st, 1);
        struct stat sb;
        if (checkpoint == 0 || !temp || stat(temp, &sb) != 0)
            continue; /* nothing claimed yet, or already renamed away */
        uint64_t durable = durable_length(sb.st_ino);
        if (checkpoint > durable)
            fail_msg("the store claims %llu bytes of %s, only %llu are flushed",
                     (unsigned long long)checkpoint, temp, (unsigned long long)durable);
        compared++;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return compared;
}

static void test_checkpoints_follow_flushes(void **unused)
{
    (void)unused;
    char *dir = ts_make_temp_dir();
    char *www = ts_path_join(dir, "www"), *store = ts_path_join(dir, "store");
    char *src = ts_path_join(www, "slow.bin"), *dest = ts_path_join(dir, "slow.bin");
    char *db = ts_path_join(store, "openbits.db");
    mkdir(www, 0755);
    const uint64_t size = 6u << 20, rate = 1u << 20; /* about 6 s, 5 checkpoints */
    ts_write_file(src, size, 7);
    ts_server srv;
    ts_server_start(&srv, www);
    char *url = ts_server_url(&srv, "/slow.bin");

    bits_manager *m;
    bits_job *job;
    bits_guid id;
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_S_OK);
    assert_hr_equal(bits_manager_create_job(m, "durable", 0, &id, &job), BITS_S_OK);
    assert_hr_equal(bits_job_add_file(job, url, dest), BITS_S_OK);
    assert_hr_equal(bits_job_set_max_bandwidth(job, rate), BITS_S_OK);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);

    int compared = 0;
    uint32_t state = 0;
    double end = now_s() + 60;
    while (now_s() < end) {
        compared += check_store_once(db);
        assert_hr_equal(bits_job_get_state(job, &state), BITS_S_OK);
        if (state == BG_JOB_STATE_TRANSFERRED)
            break;
        usleep(10000);
    }
    compared += check_store_once(db);
    assert_int_equal(state, BG_JOB_STATE_TRANSFERRED);
    print_message("%d checkpoints compared with %d flushes\n", compared, g_flushes);
    assert_true(compared > 0);      /* the check really looked at progress */
    assert_true(g_flushes >= 2);    /* the wrapper really sat under the engine */
    assert_hr_equal(bits_job_complete(job), BITS_S_OK);
    assert_true(ts_files_equal(src, dest));
    bits_job_release(job);
    bits_manager_close(m);
    ts_server_stop(&srv);
    free(www), free(store), free(src), free(dest), free(db), free(url);
    ts_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkpoints_follow_flushes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
