/*
 * test_stress.c - three processes and openbitsd on one store (issue 14).
 *
 * For OPENBITS_STRESS_SECONDS (default 20; the ASan run of the test
 * command uses 60), three worker processes create jobs of real files from
 * the loopback server, add files, set properties, suspend, resume, cancel
 * and complete jobs picked at random, each from its own (at most 100 ms
 * old) view of the store; openbitsd runs the transfers; every few seconds
 * a worker is killed with SIGKILL and a new one started. An observer
 * process reads every job row and tombstone every 2 ms and checks each
 * move it sees against the state table: a job's count of state changes
 * never goes back, k changes are a path of k cells of the table, and a
 * job that ended (final row or tombstone) never comes back.
 *
 * Afterwards: no process crashed or reported a sanitizer error; every job
 * a worker created is in the store or has a tombstone; then every job
 * left is completed or cancelled, and no temporary file is left in any
 * destination directory; every file moved into place equals its source;
 * each job's notify program ran exactly as often as openbitsd logged the
 * job TRANSFERRED.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http_server.h"
#include "model/state.h"
#include "test_support.h"

#define WORKERS 3
#define SOURCES 12
#define MAX_JOBS_PER_WORKER 40
#define REACH_STEPS 8

static char *g_dir, *g_store, *g_www, *g_dl, *g_log, *g_script;
static ts_server g_srv;
static char *g_urls[SOURCES];

/* ---- small helpers ------------------------------------------------------------ */

static unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) & 0xFFFFFF;
}

static void append_line(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    size_t n = strlen(line);
    if (write(fd, line, n) != (ssize_t)n)
        perror("append_line");
    close(fd);
}

static char *guid_text(bits_job *job)
{
    bits_guid id;
    char *text = NULL;
    bits_job_get_id(job, &id);
    bits_guid_to_string(&id, &text);
    return text;
}

static volatile sig_atomic_t g_stop;

static void on_term(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* ---- a worker ------------------------------------------------------------------ */

static bits_job **own_jobs(bits_manager *m, uint32_t *count)
{
    bits_job_enum *e;
    *count = 0;
    if (bits_failed(bits_manager_enum_jobs(m, 0, &e)))
        return NULL;
    uint32_t n = 0;
    bits_job_enum_get_count(e, &n);
    bits_job **jobs = calloc(n ? n : 1, sizeof *jobs);
    uint32_t got = 0;
    if (jobs)
        bits_job_enum_next(e, n, jobs, &got);
    bits_job_enum_free(e);
    *count = got;
    return jobs;
}

static void create_job(bits_manager *m, int slot, int life, int n, unsigned *seed,
                       const char *log)
{
    char name[64];
    snprintf(name, sizeof name, "w%d.%d.%d", slot, life, n);
    bits_guid id;
    bits_job *job;
    if (bits_failed(bits_manager_create_job(m, name, BG_JOB_TYPE_DOWNLOAD, &id, &job)))
        return;
    char *gid = guid_text(job);
    int notify = next_rand(seed) % 3 == 0;
    if (notify) {
        char params[128];
        snprintf(params, sizeof params, "notify-hook.sh %s", gid);
        bits_job_set_notify_cmd_line(job, g_script, params);
        bits_job_set_notify_flags(job, BG_NOTIFY_JOB_TRANSFERRED);
    }
    char line[128];
    snprintf(line, sizeof line, "created %s %d\n", gid, notify);
    append_line(log, line);
    int files = 1 + (int)(next_rand(seed) % 3);
    for (int k = 0; k < files; k++) {
        int s = (int)(next_rand(seed) % SOURCES);
        char dest[4200];
        snprintf(dest, sizeof dest, "%s/w%d/%s-%d-s%d.bin", g_dl, slot, name, k, s);
        bits_job_add_file(job, g_urls[s], dest);
    }
    if (next_rand(seed) % 5)
        bits_job_resume(job);
    bits_free(gid);
    bits_job_release(job);
}

static void act_on(bits_job *job, int slot, int life, unsigned *seed, int crowded)
{
    uint32_t state = 0;
    bits_job_get_state(job, &state);
    unsigned r = next_rand(seed) % 100;
    if (crowded)
        r = r % 2 ? 45 : 55; /* make room: complete or cancel */
    if (r < 15) {
        bits_job_suspend(job);
    } else if (r < 35) {
        bits_job_resume(job);
    } else if (r < 50) {
        if (state == BG_JOB_STATE_TRANSFERRED || next_rand(seed) % 4 == 0)
            bits_job_complete(job);
    } else if (r < 57) {
        bits_job_cancel(job);
    } else if (r < 75) {
        char text[64];
        snprintf(text, sizeof text, "touched by w%d.%d", slot, life);
        bits_job_set_description(job, text);
    } else if (r < 85) {
        bits_job_set_priority(job, next_rand(seed) % 4);
    } else {
        char *program = NULL, *params = NULL;
        bits_job_get_notify_cmd_line(job, &program, &params);
        int notified = program != NULL;
        bits_free(program);
        bits_free(params);
        if (!notified) {
            int s = (int)(next_rand(seed) % SOURCES);
            char dest[4200];
            snprintf(dest, sizeof dest, "%s/w%d/add-%d-%u-s%d.bin", g_dl, slot, life,
                     next_rand(seed), s);
            bits_job_add_file(job, g_urls[s], dest);
        }
    }
}

static int worker_main(int slot, int life, unsigned seed)
{
    signal(SIGTERM, on_term);
    char log[4200];
    snprintf(log, sizeof log, "%s/worker%d.log", g_dir, slot);
    bits_manager *m;
    if (bits_failed(bits_manager_open(g_store, 0, &m)))
        return 3;
    int created = 0;
    while (!g_stop) {
        uint32_t count;
        bits_job **jobs = own_jobs(m, &count);
        int crowded = count > MAX_JOBS_PER_WORKER;
        if (!crowded && (count == 0 || next_rand(&seed) % 100 < 30))
            create_job(m, slot, life, created++, &seed, log);
        else if (count)
            act_on(jobs[next_rand(&seed) % count], slot, life, &seed, crowded);
        for (uint32_t i = 0; i < count; i++)
            bits_job_release(jobs[i]);
        free(jobs);
        usleep(2000 + next_rand(&seed) % 20000);
    }
    bits_manager_close(m);
    return 0;
}

static pid_t start_worker(int slot, int life)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(worker_main(slot, life, (unsigned)(slot * 7919 + life * 104729 + getpid())));
    return pid;
}

/* ---- the observer --------------------------------------------------------------- */

/* reach[k][a][b]: some path of exactly k state changes of the table leads
 * from a to b (k = 1..REACH_STEPS). */
static unsigned char reach[REACH_STEPS + 1][BITS_JOB_STATE_COUNT][BITS_JOB_STATE_COUNT];

static void make_reach(void)
{
    memset(reach, 0, sizeof reach);
    for (uint32_t a = 0; a < BITS_JOB_STATE_COUNT; a++) {
        for (int ev = 0; ev < OB_EV_COUNT; ev++) {
            for (uint32_t cond = 0; cond < 4; cond++) {
                ob_state_result r = ob_state_next(a, (ob_state_event)ev, cond);
                if (r.hr >= 0 && r.next != a)
                    reach[1][a][r.next] = 1;
            }
        }
    }
    for (int k = 2; k <= REACH_STEPS; k++)
        for (uint32_t a = 0; a < BITS_JOB_STATE_COUNT; a++)
            for (uint32_t m = 0; m < BITS_JOB_STATE_COUNT; m++)
                if (reach[k - 1][a][m])
                    for (uint32_t b = 0; b < BITS_JOB_STATE_COUNT; b++)
                        reach[k][a][b] |= reach[1][m][b];
}

typedef struct seen_job {
    uint8_t id[16];
    uint32_t state;
    int64_t seq;
    int ended;              /* a final state or a tombstone was seen */
} seen_job;

static seen_job *g_seen;
static int g_nseen, g_capseen;

static seen_job *find_seen(const uint8_t *id, int add)
{
    for (int i = 0; i < g_nseen; i++) {
        if (memcmp(g_seen[i].id, id, 16) == 0)
            return &g_seen[i];
    }
    if (!add)
        return NULL;
    if (g_nseen == g_capseen) {
        g_capseen = g_capseen ? g_capseen * 2 : 256;
        g_seen = realloc(g_seen, (size_t)g_capseen * sizeof *g_seen);
    }
    seen_job *s = &g_seen[g_nseen++];
    memcpy(s->id, id, 16);
    s->state = BG_JOB_STATE_SUSPENDED; /* every job is created so, with 0 changes */
    s->seq = 0;
    s->ended = 0;
    return s;
}

static int g_violations;

static void violation(FILE *out, const seen_job *s, const char *what, uint32_t state,
                      int64_t seq)
{
    fprintf(out, "job ");
    for (int i = 0; i < 16; i++)
        fprintf(out, "%02x", s->id[i]);
    fprintf(out, ": %s: %s (seq %lld) -> %s (seq %lld)\n", what, ob_state_name(s->state),
            (long long)s->seq, ob_state_name(state), (long long)seq);
    fflush(out);
    g_violations++;
}

static void observe_row(FILE *out, const uint8_t *id, uint32_t state, int64_t seq)
{
    seen_job *s = find_seen(id, 1);
    if (s->ended && !ob_state_is_final(state)) {
        violation(out, s, "an ended job came back", state, seq);
    } else if (seq < s->seq) {
        violation(out, s, "the count of state changes went back", state, seq);
    } else if (seq == s->seq && state != s->state) {
        violation(out, s, "the state changed without a change counted", state, seq);
    } else if (seq > s->seq && seq - s->seq <= REACH_STEPS &&
               !reach[seq - s->seq][s->state][state]) {
        violation(out, s, "a move the state table forbids", state, seq);
    }
    s->state = state;
    s->seq = seq;
    s->ended |= ob_state_is_final(state);
}

static void observe_once(sqlite3 *db, FILE *out)
{
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, state, state_seq FROM jobs", -1, &st, NULL) ==
        SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (sqlite3_column_bytes(st, 0) == 16)
                observe_row(out, sqlite3_column_blob(st, 0),
                            (uint32_t)sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));
        }
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(db, "SELECT id FROM tombstones", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (sqlite3_column_bytes(st, 0) != 16)
                continue;
            seen_job *s = find_seen(sqlite3_column_blob(st, 0), 1);
            s->ended = 1;
        }
        sqlite3_finalize(st);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

static int observer_main(void)
{
    signal(SIGTERM, on_term);
    make_reach();
    char *db_path = ts_path_join(g_store, "openbits.db");
    char *report = ts_path_join(g_dir, "observer.log");
    FILE *out = fopen(report, "w");
    sqlite3 *db;
    int opened = out && sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    free(db_path);
    free(report);
    if (!opened)
        return 3;
    sqlite3_busy_timeout(db, 1000);
    int looks = 0;
    while (!g_stop) {
        observe_once(db, out);
        looks++;
        usleep(2000);
    }
    observe_once(db, out);
    fprintf(out, "%d looks, %d jobs seen, %d violations\n", looks, g_nseen, g_violations);
    fclose(out);
    sqlite3_close(db);
    free(g_seen);
    return g_violations ? 1 : 0;
}

/* ---- checks ------------------------------------------------------------------------ */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    size_t got = fread(text, 1, (size_t)n, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

static int count_in(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Checks one destination directory: no temporary file, every file equal
 * to the source its name says (…-s<i>.bin). Returns the files checked. */
static int check_destinations(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' && strncmp(e->d_name, ".openbits-", 10) != 0)
            continue;
        if (strncmp(e->d_name, ".openbits-", 10) == 0)
            fail_msg("temporary file left behind: %s/%s", dir, e->d_name);
        const char *s = strrchr(e->d_name, 's');
        int source = s ? atoi(s + 1) : -1;
        assert_true(source >= 0 && source < SOURCES);
        char src[64], *dest = ts_path_join(dir, e->d_name);
        snprintf(src, sizeof src, "s%d.bin", source);
        char *src_path = ts_path_join(g_www, src);
        if (!ts_files_equal(src_path, dest))
            fail_msg("%s differs from its source %s", dest, src_path);
        free(src_path);
        free(dest);
        files++;
    }
    closedir(d);
    return files;
}

static void end_every_job(void)
{
    bits_manager *m;
    assert_hr_equal(bits_manager_open(g_store, 0, &m), BITS_S_OK);
    uint32_t n;
    bits_job **jobs = own_jobs(m, &n);
    for (uint32_t i = 0; i < n; i++) {
        int done = state_of(jobs[i]) == BG_JOB_STATE_TRANSFERRED &&
                   bits_succeeded(bits_job_complete(jobs[i]));
        if (!done)
            bits_job_cancel(jobs[i]);
        bits_job_release(jobs[i]);
    }
    free(jobs);
    bits_manager_close(m);
}

/* Calls @p fn for each job a worker logged as created (GUID text, whether
 * it has a notify program). */
static void each_created(void (*fn)(const char *gid, int notify, void *ctx), void *ctx)
{
    for (int w = 0; w < WORKERS; w++) {
        char name[32];
        snprintf(name, sizeof name, "worker%d.log", w);
        char *path = ts_path_join(g_dir, name);
        char *text = read_all(path);
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char gid[64];
            int notify;
            if (sscanf(line, "created %63s %d", gid, &notify) == 2)
                fn(gid, notify, ctx);
        }
        free(text);
        free(path);
    }
}

typedef struct found_ctx {
    sqlite3 *db;
    int checked;
} found_ctx;

static void check_found(const char *gid, int notify, void *data)
{
    (void)notify;
    found_ctx *c = data;
    bits_guid id;
    assert_hr_equal(bits_guid_from_string(gid, &id), BITS_S_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(c->db,
                       "SELECT (SELECT count(*) FROM jobs WHERE id = ?1)"
                       " + (SELECT count(*) FROM tombstones WHERE id = ?1)",
                       -1, &st, NULL);
    sqlite3_bind_blob(st, 1, id.bytes, 16, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    if (sqlite3_column_int(st, 0) != 1)
        fail_msg("job %s: %d rows and tombstones, expected 1", gid, sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
    c->checked++;
}

/* Every job a worker logged is in the store, or has a tombstone. */
static void check_created_jobs(void)
{
    char *db_path = ts_path_join(g_store, "openbits.db");
    found_ctx c = { 0 };
    assert_int_equal(sqlite3_open(db_path, &c.db), SQLITE_OK);
    sqlite3_busy_timeout(c.db, 10000);
    each_created(check_found, &c);
    sqlite3_close(c.db);
    free(db_path);
    print_message("stress: %d jobs created by workers, each found or ended\n", c.checked);
}

typedef struct notify_ctx {
    const char *daemon_log;
    const char *runs;
    int programs, total_runs;
} notify_ctx;

static void check_notified(const char *gid, int notify, void *data)
{
    notify_ctx *c = data;
    if (!notify)
        return;
    char needle[128];
    snprintf(needle, sizeof needle, "job %s ", gid);
    int transferred = 0;
    for (const char *p = c->daemon_log; (p = strstr(p, needle)); p++) {
        const char *eol = strchr(p, '\n');
        const char *hit = strstr(p, ": TRANSFERRED");
        transferred += hit && (!eol || hit < eol);
    }
    snprintf(needle, sizeof needle, "%s\n", gid);
    int ran = count_in(c->runs, needle);
    if (ran != transferred)
        fail_msg("job %s: notify program ran %d times, openbitsd logged %d TRANSFERRED", gid, ran,
                 transferred);
    c->programs++;
    c->total_runs += ran;
}

/* Each logged job with a program: its runs equal openbitsd's TRANSFERRED
 * lines for it. */
static void check_notify_programs(void)
{
    char *daemon_log_path = ts_path_join(g_dir, "daemon.log");
    char *daemon_log = read_all(daemon_log_path);
    char *runs = read_all(g_log);
    notify_ctx c = { daemon_log, runs, 0, 0 };
    each_created(check_notified, &c);
    print_message("stress: %d jobs with a notify program, %d runs, each once per event\n",
                  c.programs, c.total_runs);
    free(runs);
    free(daemon_log);
    free(daemon_log_path);
}

static void check_daemon_log(void)
{
    char *path = ts_path_join(g_dir, "daemon.log");
    char *text = read_all(path);
    static const char *const bad[] = { "AddressSanitizer", "LeakSanitizer", "ThreadSanitizer",
                                       "runtime error" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (strstr(text, bad[i]))
            fail_msg("openbitsd reported %s:\n%s", bad[i], text);
    }
    free(text);
    free(path);
}

/* ---- the test --------------------------------------------------------------------- */

static void test_three_processes_and_openbitsd(void **unused)
{
    (void)unused;
    if (!getenv("OPENBITSD"))
        skip();
    const char *env = getenv("OPENBITS_STRESS_SECONDS");
    double seconds = env ? atof(env) : 20;
    g_dir = ts_make_temp_dir();
    g_store = ts_path_join(g_dir, "store");
    g_www = ts_path_join(g_dir, "www");
    g_dl = ts_path_join(g_dir, "dl");
    g_log = ts_path_join(g_dir, "notified.log");
    g_script = ts_path_join(g_dir, "notify-hook.sh");
    mkdir(g_store, 0700);
    mkdir(g_www, 0700);
    mkdir(g_dl, 0700);
    for (int w = 0; w < WORKERS; w++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", w);
        char *d = ts_path_join(g_dl, name);
        mkdir(d, 0700);
        free(d);
    }
    FILE *f = fopen(g_script, "w");
    fprintf(f, "#!/bin/sh\necho \"$1\" >> '%s'\n", g_log);
    fclose(f);
    chmod(g_script, 0700);
    ts_server_start(&g_srv, g_www);
    for (int s = 0; s < SOURCES; s++) {
        char name[16], path[32];
        snprintf(name, sizeof name, "s%d.bin", s);
        snprintf(path, sizeof path, "/s%d.bin", s);
        char *file = ts_path_join(g_www, name);
        ts_write_file(file, (size_t)s * 9000 + 1000, (unsigned)s + 1);
        free(file);
        g_urls[s] = ts_server_url(&g_srv, path);
        if (s >= SOURCES - 3) {
            /* Some transfers take a while, so jobs are ended mid-transfer. */
            char config[128];
            snprintf(config, sizeof config, "{\"path\": \"%s\", \"rate\": 50000}", path);
            ts_server_config(&g_srv, config);
        }
    }

    char *daemon_log = ts_path_join(g_dir, "daemon.log");
    int dpid = ts_start_openbitsd(g_store, daemon_log);
    free(daemon_log);
    pid_t observer = fork();
    if (observer == 0)
        _exit(observer_main());
    pid_t workers[WORKERS];
    int lives[WORKERS] = { 0 };
    for (int w = 0; w < WORKERS; w++)
        workers[w] = start_worker(w, lives[w]);

    unsigned seed = (unsigned)time(NULL);
    double end = now_s() + seconds, next_kill = now_s() + 3;
    int kills = 0;
    while (now_s() < end) {
        usleep(50000);
        for (int w = 0; w < WORKERS; w++) {
            int status;
            if (waitpid(workers[w], &status, WNOHANG) == workers[w])
                fail_msg("worker %d (life %d) ended early: status 0x%x", w, lives[w], status);
        }
        if (now_s() >= next_kill) {
            int w = (int)(next_rand(&seed) % WORKERS);
            kill(workers[w], SIGKILL);
            waitpid(workers[w], NULL, 0);
            workers[w] = start_worker(w, ++lives[w]);
            kills++;
            next_kill = now_s() + 2 + next_rand(&seed) % 3;
        }
    }
    for (int w = 0; w < WORKERS; w++) {
        int status;
        kill(workers[w], SIGTERM);
        assert_int_equal(waitpid(workers[w], &status, 0), workers[w]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("worker %d (life %d) exited with status 0x%x", w, lives[w], status);
    }
    check_created_jobs();
    end_every_job();

    kill(dpid, SIGTERM);
    int status;
    assert_int_equal(waitpid(dpid, &status, 0), dpid);
    check_daemon_log();
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    kill(observer, SIGTERM);
    assert_int_equal(waitpid(observer, &status, 0), observer);
    char *report_path = ts_path_join(g_dir, "observer.log");
    char *report = read_all(report_path);
    print_message("stress: %.0f s, %d workers killed; observer: %s", seconds, kills, report);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the observer saw forbidden moves:\n%s", report);
    free(report);
    free(report_path);

    double until = now_s() + 20;
    while (ts_process_running("notify-hook.sh", g_dir) && now_s() < until)
        usleep(10000);
    int files = 0;
    for (int w = 0; w < WORKERS; w++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", w);
        char *d = ts_path_join(g_dl, name);
        files += check_destinations(d);
        free(d);
    }
    print_message("stress: %d files moved into place, each equal to its source\n", files);
    check_notify_programs();

    ts_server_stop(&g_srv);
    for (int s = 0; s < SOURCES; s++)
        free(g_urls[s]);
    free(g_store);
    free(g_www);
    free(g_dl);
    free(g_log);
    free(g_script);
    ts_remove_tree(g_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_processes_and_openbitsd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
