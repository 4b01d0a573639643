/*
 * fuzz_store_load.c - a damaged store: the input becomes openbits.db in a
 * fresh 0700 store directory, which is opened as bits_manager_open does
 * (without the watcher and engine threads, so no job it names is ever
 * fetched). An accepted store has its jobs enumerated and every property
 * read; a refused one must be left byte for byte as it was.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openbits/openbits.h>

#include "api/api.h"
#include "fuzz_input.h"

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    close(fd);
}

static int same_content(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint8_t *back = malloc(size + 1);
    FUZZ_CHECK(back != NULL);
    ssize_t n = read(fd, back, size + 1);
    close(fd);
    int same = n == (ssize_t)size && memcmp(back, data, size) == 0;
    free(back);
    return same;
}

/* Removes the store directory and what SQLite left in it (it is flat). */
static void remove_store(const char *dir)
{
    DIR *d = opendir(dir);
    FUZZ_CHECK(d != NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    FUZZ_CHECK(rmdir(dir) == 0);
}

/* Each getter of one string property, the string freed again. */
#define READ_STRINGS(object, ...)                                        \
    do {                                                                 \
        bits_hresult (*getters_[])(__typeof__(object), char **) = { __VA_ARGS__ }; \
        for (size_t i_ = 0; i_ < sizeof getters_ / sizeof getters_[0]; i_++) { \
            char *s_ = NULL;                                             \
            if (getters_[i_](object, &s_) == BITS_S_OK)                  \
                bits_free(s_);                                           \
        }                                                                \
    } while (0)

static void read_file_props(bits_file *f)
{
    char *s = NULL;
    FUZZ_CHECK(bits_file_get_remote_name(f, &s) == BITS_S_OK && s);
    bits_free(s);
    s = NULL;
    FUZZ_CHECK(bits_file_get_local_name(f, &s) == BITS_S_OK && s);
    bits_free(s);
    READ_STRINGS(f, bits_file_get_temporary_name);
    bits_file_progress p;
    FUZZ_CHECK(bits_file_get_progress(f, &p) == BITS_S_OK);
}

static void read_error(bits_job *job)
{
    bits_error *err = NULL;
    if (bits_job_get_error(job, &err) != BITS_S_OK)
        return;
    uint32_t context;
    bits_hresult code;
    bits_file *f = NULL;
    bits_error_get_error(err, &context, &code);
    if (bits_error_get_file(err, &f) == BITS_S_OK)
        bits_file_release(f);
    READ_STRINGS(err, bits_error_get_description, bits_error_get_context_description,
                 bits_error_get_protocol);
    bits_error_free(err);
}

static void read_job(bits_job *job)
{
    uint32_t u;
    uint64_t u64;
    char *a = NULL, *b = NULL;
    bits_job_progress progress;
    bits_job_times times;
    FUZZ_CHECK(bits_job_get_state(job, &u) == BITS_S_OK && u < BITS_JOB_STATE_COUNT);
    bits_hresult (*const numbers[])(bits_job *, uint32_t *) = {
        bits_job_get_type, bits_job_get_priority, bits_job_get_minimum_retry_delay,
        bits_job_get_no_progress_timeout, bits_job_get_maximum_download_time,
        bits_job_get_notify_flags, bits_job_get_minimum_notification_interval,
        bits_job_get_security_flags, bits_job_get_files_in_flight,
        bits_job_get_dynamic_content, bits_job_get_error_count,
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        FUZZ_CHECK(numbers[i](job, &u) == BITS_S_OK);
    FUZZ_CHECK(bits_job_get_max_bandwidth(job, &u64) == BITS_S_OK);
    FUZZ_CHECK(bits_job_get_max_download_size(job, &u64) == BITS_S_OK);
    FUZZ_CHECK(bits_job_get_progress(job, &progress) == BITS_S_OK);
    FUZZ_CHECK(bits_job_get_times(job, &times) == BITS_S_OK);
    READ_STRINGS(job, bits_job_get_owner, bits_job_get_display_name, bits_job_get_description,
                 bits_job_get_custom_headers);
    if (bits_job_get_notify_cmd_line(job, &a, &b) == BITS_S_OK) {
        bits_free(a);
        bits_free(b);
    }
    a = b = NULL;
    if (bits_job_get_proxy_settings(job, &u, &a, &b) == BITS_S_OK) {
        bits_free(a);
        bits_free(b);
    }
    read_error(job);
    bits_file_enum *files;
    if (bits_job_enum_files(job, &files) != BITS_S_OK)
        return;
    bits_file *f;
    uint32_t got;
    while (bits_file_enum_next(files, 1, &f, &got) == BITS_S_OK && got == 1) {
        read_file_props(f);
        bits_file_release(f);
    }
    bits_file_enum_free(files);
}

static void read_jobs(bits_manager *m)
{
    bits_job_enum *jobs;
    FUZZ_CHECK(bits_manager_enum_jobs(m, 0, &jobs) == BITS_S_OK);
    bits_job *job;
    uint32_t got;
    while (bits_job_enum_next(jobs, 1, &job, &got) == BITS_S_OK && got == 1) {
        read_job(job);
        bits_job_release(job);
    }
    bits_job_enum_free(jobs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096], db[4200];
    snprintf(dir, sizeof dir, "%s/openbits-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(dir) != NULL); /* mode 0700 */
    snprintf(db, sizeof db, "%s/openbits.db", dir);
    write_file(db, data, size);

    bits_manager *m = NULL;
    bits_hresult hr = ob_manager_open(dir, 0, 0, &m);
    if (hr >= 0) {
        read_jobs(m);
        bits_manager_close(m);
    } else {
        FUZZ_CHECK(hr == BG_E_DATABASE_CORRUPT || hr == BITS_E_ACCESSDENIED ||
                   hr == BITS_E_FAIL || hr == BITS_E_OUTOFMEMORY);
        /* Refused: never modified (the README's promise). */
        FUZZ_CHECK(same_content(db, data, size));
    }
    remove_store(dir);
    return 0;
}
