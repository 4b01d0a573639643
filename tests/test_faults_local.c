/*
 * test_faults_local.c - local trouble during transfers and hostile local
 * files (issue 9): a destination directory removed or made read-only, a
 * full disk, the temporary file deleted or replaced by a symlink or a hard
 * link, a symlinked directory swapped in before Complete, a read-only or
 * locked store, secrets kept out of logs.
 *
 * Every job has a first file in its own directory that finishes before
 * the fault; it must still be byte-identical after Complete.
 *
 * Root ignores permissions, so read-only directories and a full disk are
 * made with tmpfs mounts in a private mount namespace (unshare(2) at the
 * start of main, before any thread exists). Without one, a non-root run
 * uses chmod and RLIMIT_FSIZE; a root run that cannot unshare skips those
 * cases, saying why. OPENBITS_TEST_NO_NAMESPACE=1 forces the fallbacks.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "transfer_support.h"

static int have_namespace; /* tmpfs mounts are ours to make */

/* ---- helpers ------------------------------------------------------------- */

/* A private mount namespace, so tmpfs mounts are invisible outside and
 * vanish with the process. Needs CAP_SYS_ADMIN (root in a container that
 * allows it). */
static int enter_mount_namespace(void)
{
    const char *off = getenv("OPENBITS_TEST_NO_NAMESPACE");
    if (off && *off == '1')
        return 0;
    if (unshare(CLONE_NEWNS) != 0)
        return 0;
    /* Source and type are ignored here; "" rather than NULL keeps valgrind
     * from reading them as strings it cannot find. */
    return mount("none", "/", "", MS_REC | MS_PRIVATE, NULL) == 0;
}

/* A fresh directory under the destinations, a tmpfs of @p kib KiB when we
 * have a namespace (so it can be made read-only or full). */
static char *make_dir(const char *name, unsigned kib)
{
    char *d = env_dl_path(&E, name);
    assert_int_equal(mkdir(d, 0755), 0);
    if (have_namespace) {
        char opts[32];
        snprintf(opts, sizeof opts, "size=%uk,mode=0755", kib);
        assert_int_equal(mount("openbits-test", d, "tmpfs", 0, opts), 0);
    }
    return d;
}

/* Removes what make_dir made (and frees @p d). */
static void drop_dir(char *d)
{
    if (have_namespace)
        umount2(d, MNT_DETACH);
    char *copy = strdup(d);
    ts_remove_tree(copy);
    free(d);
}

/* Read-only on or off: a remount of make_dir's tmpfs @p mount_point with
 * a namespace, else directory @p d's mode @p writable without its write
 * bits (which only binds a user who is not root). */
static void set_read_only(const char *mount_point, const char *d, mode_t writable, int on)
{
    if (have_namespace) {
        unsigned long flags = MS_REMOUNT | (on ? MS_RDONLY : 0);
        assert_int_equal(mount("none", mount_point, "", flags, NULL), 0);
    } else {
        assert_int_equal(chmod(d, on ? writable & ~0222u : writable), 0);
    }
}

/* Whether this run can make a directory read-only for the engine. */
static int can_make_read_only(void)
{
    return have_namespace || geteuid() != 0;
}

#define SKIP_WITHOUT(cond, why)                    \
    do {                                           \
        if (!(cond)) {                             \
            print_message("skipped: %s\n", (why)); \
            skip();                                \
        }                                          \
    } while (0)

static char *temp_name_of(bits_job *job, uint32_t index)
{
    bits_file_enum *fe;
    bits_file *files[8];
    uint32_t n = 0;
    char *temp = NULL;
    assert_hr_equal(bits_job_enum_files(job, &fe), BITS_S_OK);
    bits_file_enum_next(fe, 8, files, &n);
    assert_true(index < n);
    assert_hr_equal(bits_file_get_temporary_name(files[index], &temp), BITS_S_OK);
    for (uint32_t i = 0; i < n; i++)
        bits_file_release(files[i]);
    bits_file_enum_free(fe);
    return temp;
}

/* A job of two files: "first.bin" (small) into dl/first/, then @p name
 * (@p size bytes) into @p dir. Rate-limited so a fault can strike while
 * the second file transfers. Fills the source and destination paths. */
typedef struct two_files {
    bits_job *job;
    char *first_dir, *src1, *d1, *src2, *d2;
} two_files;

static void two_files_make(two_files *t, const char *name, size_t size, const char *dir,
                           uint64_t bandwidth)
{
    t->first_dir = env_dl_path(&E, "first");
    mkdir(t->first_dir, 0755);
    t->src1 = env_serve(&E, "first.bin", 50000, 1);
    t->d1 = ts_path_join(t->first_dir, "first.bin");
    unlink(t->d1);
    t->src2 = env_serve(&E, name, size, 2);
    t->d2 = ts_path_join(dir, name);
    t->job = env_new_job(&E, name);
    env_add(&E, t->job, "first.bin", t->d1);
    env_add(&E, t->job, name, t->d2);
    if (bandwidth)
        assert_hr_equal(bits_job_set_max_bandwidth(t->job, bandwidth), BITS_S_OK);
}

/* Completes and checks: the first file is intact; the second too unless
 * @p second_lost. */
static void two_files_complete(two_files *t, int second_lost)
{
    assert_hr_equal(bits_job_complete(t->job), second_lost ? BG_S_PARTIAL_COMPLETE : BITS_S_OK);
    assert_int_equal(state_of(t->job), BG_JOB_STATE_ACKNOWLEDGED);
    assert_true(ts_files_equal(t->src1, t->d1));
    if (second_lost)
        assert_false(exists(t->d2));
    else
        assert_true(ts_files_equal(t->src2, t->d2));
}

static void two_files_free(two_files *t)
{
    bits_job_release(t->job);
    unlink(t->d1);
    unlink(t->d2);
    free(t->first_dir), free(t->src1), free(t->d1), free(t->src2), free(t->d2);
}

/* ---- destination directory removed ------------------------------------------ */

/* rm -rf of the destination directory mid-transfer: the engine notices the
 * temporary file is gone, cannot create another (ERROR, PATH_NOT_FOUND,
 * LOCAL_FILE); with the directory back, Resume finishes the job. */
static void test_destination_directory_removed(void **state)
{
    (void)state;
    char *dir = env_dl_path(&E, "removed");
    mkdir(dir, 0755);
    two_files t;
    two_files_make(&t, "removed.bin", 4 << 20, dir, 2 << 20);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    wait_bytes(t.job, 50000 + 300000, 20);
    char *temp = temp_name_of(t.job, 1);
    assert_int_equal(unlink(temp), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(wait_for(t.job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_ERROR);
    expect_error(t.job, BITS_E_PATH_NOT_FOUND, BG_ERROR_CONTEXT_LOCAL_FILE);
    assert_int_equal(error_count(t.job), 1);

    assert_int_equal(mkdir(dir, 0755), 0);
    assert_hr_equal(bits_job_set_max_bandwidth(t.job, 0), BITS_S_OK);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    assert_int_equal(wait_for(t.job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    two_files_complete(&t, 0);
    two_files_free(&t);
    free(temp);
    rmdir(dir);
    free(dir);
}

/* ---- the temporary file deleted or replaced ------------------------------------- */

/* Deleted mid-transfer (e.g. by a tmp cleaner): its bytes are gone, so the
 * file starts over from byte 0, without an error; never reported done
 * with the bytes lost. */
static void test_temp_file_deleted(void **state)
{
    (void)state;
    two_files t;
    two_files_make(&t, "deleted.bin", 4 << 20, E.dl, 2 << 20);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    wait_bytes(t.job, 50000 + 300000, 20);
    char *temp = temp_name_of(t.job, 1);
    assert_int_equal(unlink(temp), 0);
    assert_hr_equal(bits_job_set_max_bandwidth(t.job, 0), BITS_S_OK);
    assert_int_equal(wait_for(t.job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 30),
                     BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(error_count(t.job), 0);
    char *stats = ts_server_stats(&E.srv);
    assert_non_null(strstr(stats, "\"/deleted.bin\": 2")); /* fetched again */
    free(stats);
    two_files_complete(&t, 0);
    two_files_free(&t);
    free(temp);
}

/* Swaps the suspended job's temporary file for @p plant (a symlink or a
 * hard link to a victim); Resume must never write through it. */
static void plant_at_temp(int hard_link)
{
    char *victim = ts_path_join(E.dir, "victim.txt");
    FILE *f = fopen(victim, "w");
    fputs("precious", f);
    fclose(f);
    two_files t;
    two_files_make(&t, "planted.bin", 2 << 20, E.dl, 1 << 20);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    wait_bytes(t.job, 50000 + 200000, 20);
    assert_hr_equal(bits_job_suspend(t.job), BITS_S_OK);
    char *temp = temp_name_of(t.job, 1);
    assert_int_equal(unlink(temp), 0);
    assert_int_equal(hard_link ? link(victim, temp) : symlink(victim, temp), 0);

    assert_hr_equal(bits_job_set_max_bandwidth(t.job, 0), BITS_S_OK);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    assert_int_equal(wait_for(t.job, DONE_MASK, 30), BG_JOB_STATE_TRANSFERRED);
    char *now_temp = temp_name_of(t.job, 1);
    assert_string_not_equal(now_temp, temp); /* a fresh temporary file */
    struct stat st;
    assert_int_equal(lstat(now_temp, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    two_files_complete(&t, 0);
    char buf[16] = "";
    f = fopen(victim, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "precious"); /* never written through */
    unlink(temp);
    two_files_free(&t);
    unlink(victim);
    free(victim), free(temp), free(now_temp);
}

static void test_symlink_planted_at_temp_path(void **state)
{
    (void)state;
    plant_at_temp(0);
}

static void test_hard_link_planted_at_temp_path(void **state)
{
    (void)state;
    plant_at_temp(1);
}

/* Between TRANSFERRED and Complete the destination directory is moved away
 * and a symlink to another directory put in its place: Complete refuses
 * (the temporary file is not where the name now leads; a look-alike
 * planted there is not ours) and writes nothing there; once the directory
 * is back, Complete works. */
static void test_symlinked_directory_swapped_in(void **state)
{
    (void)state;
    char *dir = env_dl_path(&E, "swapped"), *moved = env_dl_path(&E, "swapped.real");
    char *elsewhere = env_dl_path(&E, "elsewhere");
    mkdir(dir, 0755);
    mkdir(elsewhere, 0755);
    two_files t;
    two_files_make(&t, "swap.bin", 100000, dir, 0);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    assert_int_equal(wait_for(t.job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    char *temp = temp_name_of(t.job, 1);
    assert_int_equal(rename(dir, moved), 0);
    assert_int_equal(symlink(elsewhere, dir), 0);

    bits_hresult hr = bits_job_complete(t.job);
    assert_true(bits_failed(hr));
    assert_int_equal(state_of(t.job), BG_JOB_STATE_TRANSFERRED);
    char *look_alike = ts_path_join(elsewhere, strrchr(temp, '/') + 1);
    ts_write_file(look_alike, 1234, 77);
    assert_hr_equal(bits_job_complete(t.job), BITS_E_ACCESSDENIED);
    assert_int_equal(state_of(t.job), BG_JOB_STATE_TRANSFERRED);
    /* Nor a symlink under its name, to our real temporary file. */
    unlink(look_alike);
    char *real_temp = ts_path_join(moved, strrchr(temp, '/') + 1);
    assert_int_equal(symlink(real_temp, look_alike), 0);
    assert_hr_equal(bits_job_complete(t.job), BITS_E_ACCESSDENIED);
    assert_int_equal(state_of(t.job), BG_JOB_STATE_TRANSFERRED);
    free(real_temp);
    char *there = ts_path_join(elsewhere, "swap.bin");
    assert_false(exists(there));
    assert_true(ts_files_equal(t.src1, t.d1)); /* moved by the first try */

    assert_int_equal(unlink(dir), 0);
    assert_int_equal(rename(moved, dir), 0);
    two_files_complete(&t, 0);
    two_files_free(&t);
    unlink(look_alike);
    rmdir(dir), rmdir(elsewhere);
    free(dir), free(moved), free(elsewhere), free(temp), free(look_alike), free(there);
}

/* ---- read-only destination, full disk --------------------------------------------- */

/* Made read-only while the job runs (before its file opened: an open file
 * keeps its write access on Linux): ERROR, ACCESSDENIED, LOCAL_FILE. */
static void test_destination_made_read_only(void **state)
{
    (void)state;
    SKIP_WITHOUT(can_make_read_only(), "running as root without a private mount namespace");
    char *dir = make_dir("readonly", 8192);
    two_files t;
    two_files_make(&t, "ro.bin", 200000, dir, 50000);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    wait_bytes(t.job, 5000, 20); /* the first file is on its way */
    set_read_only(dir, dir, 0755, 1);
    assert_hr_equal(bits_job_set_max_bandwidth(t.job, 0), BITS_S_OK);
    assert_int_equal(wait_for(t.job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_ERROR);
    expect_error(t.job, BITS_E_ACCESSDENIED, BG_ERROR_CONTEXT_LOCAL_FILE);

    set_read_only(dir, dir, 0755, 0);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    assert_int_equal(wait_for(t.job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    /* Read-only again at Complete: the job stays TRANSFERRED and the
     * files moved so far stay moved. */
    set_read_only(dir, dir, 0755, 1);
    assert_hr_equal(bits_job_complete(t.job), BITS_E_ACCESSDENIED);
    assert_int_equal(state_of(t.job), BG_JOB_STATE_TRANSFERRED);
    assert_true(ts_files_equal(t.src1, t.d1));
    set_read_only(dir, dir, 0755, 0);
    two_files_complete(&t, 0);
    two_files_free(&t);
    drop_dir(dir);
}

/* Out of space: a 256 KiB tmpfs (or RLIMIT_FSIZE) for a 1 MiB file is a
 * transient BITS_E_DISK_FULL in LOCAL_FILE; with room again, Resume asks
 * only for the rest. */
static void test_out_of_space(void **state)
{
    (void)state;
    char *dir = make_dir("small", 256);
    two_files t;
    two_files_make(&t, "big.bin", 1 << 20, dir, 0);
    struct rlimit saved;
    void (*old_handler)(int) = SIG_DFL;
    if (!have_namespace) {
        /* EFBIG past the limit instead of SIGXFSZ; only while it runs. */
        old_handler = signal(SIGXFSZ, SIG_IGN);
        getrlimit(RLIMIT_FSIZE, &saved);
        struct rlimit small = { 256 * 1024, saved.rlim_max };
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    }
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    assert_int_equal(wait_for(t.job, BIT(BG_JOB_STATE_TRANSIENT_ERROR) | DONE_MASK, 20),
                     BG_JOB_STATE_TRANSIENT_ERROR);
    expect_error(t.job, BITS_E_DISK_FULL, BG_ERROR_CONTEXT_LOCAL_FILE);
    assert_true(job_bytes(t.job) > 50000); /* what fitted is kept */
    if (have_namespace) {
        assert_int_equal(mount("none", dir, "", MS_REMOUNT, "size=4m"), 0);
    } else {
        setrlimit(RLIMIT_FSIZE, &saved);
        signal(SIGXFSZ, old_handler);
    }
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    assert_int_equal(wait_for(t.job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    char *stats = ts_server_stats(&E.srv);
    assert_non_null(strstr(stats, "bytes=")); /* resumed, not restarted */
    free(stats);
    two_files_complete(&t, 0);
    two_files_free(&t);
    drop_dir(dir);
}

/* ---- the store ------------------------------------------------------------------------ */

static bits_job *create_stored_job(bits_manager *m, const char *name, bits_guid *id)
{
    bits_job *job = NULL;
    assert_hr_equal(bits_manager_create_job(m, name, BG_JOB_TYPE_DOWNLOAD, id, &job), BITS_S_OK);
    return job;
}

/* A read-only store is refused with ACCESSDENIED and left as it was; made
 * writable again it opens with every job. */
static void test_store_directory_read_only(void **state)
{
    (void)state;
    SKIP_WITHOUT(can_make_read_only(), "running as root without a private mount namespace");
    char *dir = make_dir("store-ro", 8192);
    char *store = ts_path_join(dir, "store");
    bits_manager *m;
    bits_guid id;
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_S_OK);
    bits_job_release(create_stored_job(m, "kept", &id));
    bits_manager_close(m);

    set_read_only(dir, store, 0700, 1);
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_E_ACCESSDENIED);
    set_read_only(dir, store, 0700, 0);
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_S_OK);
    bits_job *job = NULL;
    assert_hr_equal(bits_manager_get_job(m, &id, &job), BITS_S_OK);
    bits_job_release(job);
    bits_manager_close(m);
    free(store);
    drop_dir(dir);
}

/* Another process holds the database with BEGIN EXCLUSIVE for 3 s: calls
 * that write wait for it (SQLite's busy timeout, 10 s) and succeed; nothing
 * is lost. */
static void test_database_locked_by_another_process(void **state)
{
    (void)state;
    char *store = ts_path_join(E.dir, "store-locked");
    char *db = ts_path_join(store, "openbits.db");
    bits_manager *m;
    bits_guid id, id2;
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_S_OK);
    bits_job *job = create_stored_job(m, "before", &id);

    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        sqlite3 *h = NULL;
        int ok = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
                 sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK;
        (void)!write(ready[1], ok ? "y" : "n", 1);
        sleep(3);
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(h);
        _exit(0);
    }
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    /* Each of these waits until the lock goes. */
    assert_hr_equal(bits_job_set_description(job, "written while locked"), BITS_S_OK);
    bits_job *job2 = create_stored_job(m, "during", &id2);
    int status = 0;
    /* Its exit status says nothing more than its "y" did (and a child
     * forked under valgrind reports the parent's memory as its own). */
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    close(ready[0]);
    close(ready[1]);
    bits_job_release(job);
    bits_job_release(job2);
    bits_manager_close(m);

    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_S_OK);
    assert_hr_equal(bits_manager_get_job(m, &id, &job), BITS_S_OK);
    char *desc = NULL;
    assert_hr_equal(bits_job_get_description(job, &desc), BITS_S_OK);
    assert_string_equal(desc, "written while locked");
    assert_hr_equal(bits_manager_get_job(m, &id2, &job2), BITS_S_OK);
    bits_free(desc);
    bits_job_release(job);
    bits_job_release(job2);
    bits_manager_close(m);
    ts_remove_tree(store);
    free(db);
}

/* ---- secrets ------------------------------------------------------------------------------ */

static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

/* Credentials and custom headers never reach stderr or the error text; the
 * store holding them is 0600 (its -wal and -shm too) in a 0700 directory;
 * write-only headers cannot be read back. */
static void test_secrets_stay_private(void **state)
{
    (void)state;
    char *store = ts_path_join(E.dir, "store-secrets");
    char *log = ts_path_join(E.dir, "stderr.txt");
    free(env_serve(&E, "secret.bin", 3000, 5));
    env_configure(&E, "secret.bin", "\"basic_auth\": [\"alice\", \"right-password\"]");
    char *d = env_dl_path(&E, "secret.bin");

    fflush(stderr);
    int saved = dup(2);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);

    bits_manager *m;
    bits_guid id;
    assert_hr_equal(bits_manager_open(store, 0, &m), BITS_S_OK);
    bits_job *job = create_stored_job(m, "secrets", &id);
    char *url = ts_server_url(&E.srv, "/secret.bin");
    assert_hr_equal(bits_job_add_file(job, url, d), BITS_S_OK);
    assert_hr_equal(bits_job_set_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC,
                                             "alice", "Wrong-Pa55word"),
                    BITS_S_OK);
    assert_hr_equal(bits_job_set_custom_headers(job, "X-Token: Hunter2-Token\r\n"), BITS_S_OK);
    assert_hr_equal(bits_job_make_custom_headers_write_only(job), BITS_S_OK);
    char *headers = (char *)1;
    assert_hr_equal(bits_job_get_custom_headers(job, &headers), BITS_E_ACCESSDENIED);
    assert_hr_equal(bits_job_resume(job), BITS_S_OK);
    assert_int_equal(wait_for(job, DONE_MASK, 20), BG_JOB_STATE_ERROR);
    expect_error(job, BG_E_HTTP_ERROR_401, BG_ERROR_CONTEXT_REMOTE_FILE);
    bits_error *err;
    char *desc = NULL;
    assert_hr_equal(bits_job_get_error(job, &err), BITS_S_OK);
    assert_hr_equal(bits_error_get_description(err, &desc), BITS_S_OK);
    assert_null(strstr(desc, "Wrong-Pa55word"));
    assert_null(strstr(desc, "Hunter2-Token"));
    bits_free(desc);
    bits_error_free(err);
    bits_job_cancel(job);
    bits_job_release(job);

    /* The store, while open: every file private. */
    const char *names[] = { "openbits.db", "openbits.db-wal", "openbits.db-shm" };
    for (size_t i = 0; i < 3; i++) {
        char *p = ts_path_join(store, names[i]);
        struct stat st;
        if (stat(p, &st) == 0)
            assert_int_equal(st.st_mode & 077, 0);
        else
            assert_int_not_equal(i, 0);
        free(p);
    }
    struct stat st;
    assert_int_equal(stat(store, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    bits_manager_close(m);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_false(file_contains(log, "Wrong-Pa55word"));
    assert_false(file_contains(log, "Hunter2-Token"));
    ts_remove_tree(store);
    unlink(log);
    free(log), free(url), free(d);
}

/* Cancel when a temporary file cannot be deleted (its directory is
 * read-only): the job is cancelled all the same and the call says
 * BG_S_UNABLE_TO_DELETE_FILES (spec 1.5); the other file's temporary,
 * in a writable directory, is gone. */
static void test_cancel_cannot_delete_a_temp(void **state)
{
    (void)state;
    SKIP_WITHOUT(can_make_read_only(), "running as root without a private mount namespace");
    char *dir = make_dir("undeletable", 8192);
    two_files t;
    two_files_make(&t, "stuck.bin", 100000, dir, 0);
    assert_hr_equal(bits_job_resume(t.job), BITS_S_OK);
    assert_int_equal(wait_for(t.job, DONE_MASK, 20), BG_JOB_STATE_TRANSFERRED);
    char *temp1 = temp_name_of(t.job, 0), *temp2 = temp_name_of(t.job, 1);
    assert_true(exists(temp1) && exists(temp2));
    set_read_only(dir, dir, 0755, 1);
    assert_hr_equal(bits_job_cancel(t.job), BG_S_UNABLE_TO_DELETE_FILES);
    assert_int_equal(state_of(t.job), BG_JOB_STATE_CANCELLED);
    assert_false(exists(temp1));
    assert_true(exists(temp2)); /* left behind, nothing else touched */
    assert_false(exists(t.d1) || exists(t.d2));
    set_read_only(dir, dir, 0755, 0);
    free(temp1), free(temp2);
    two_files_free(&t);
    drop_dir(dir);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tx_test_setup, tx_test_teardown)

int main(void)
{
    have_namespace = enter_mount_namespace();
    const struct CMUnitTest tests[] = {
        T(test_destination_directory_removed),
        T(test_temp_file_deleted),
        T(test_symlink_planted_at_temp_path),
        T(test_hard_link_planted_at_temp_path),
        T(test_symlinked_directory_swapped_in),
        T(test_destination_made_read_only),
        T(test_cancel_cannot_delete_a_temp),
        T(test_out_of_space),
        T(test_store_directory_read_only),
        T(test_database_locked_by_another_process),
        T(test_secrets_stay_private),
    };
    return cmocka_run_group_tests_name("faults_local", tests, tx_group_setup, tx_group_teardown);
}
