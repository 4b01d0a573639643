/* test_support.h - helpers shared by the C tests (cmocka based). */
#ifndef OPENBITS_TEST_SUPPORT_H
#define OPENBITS_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openbits/openbits.h>

/* Creates a fresh private directory under $TMPDIR (or /tmp) and returns its
 * absolute path (malloc'ed). Fails the test when it cannot. */
char *ts_make_temp_dir(void);

/* Removes a directory tree created by ts_make_temp_dir() and frees @p path. */
void ts_remove_tree(char *path);

/* Joins @p dir and @p name with a slash (malloc'ed). */
char *ts_path_join(const char *dir, const char *name);

/* @p unit repeated @p n times (malloc'ed): strings at and past limits. */
char *ts_repeat(const char *unit, size_t n);

/* Monotonic seconds, for bounded waits (never for timing assertions). */
double now_s(void);

/* The job's state (asserts that GetState succeeds). */
uint32_t state_of(bits_job *job);

/* Waits until the job is in one of the states of @p mask (bit per state)
 * or @p timeout_s passes; returns the state. */
uint32_t wait_for(bits_job *job, uint32_t mask, double timeout_s);

/* Waits up to @p timeout_s for @p state and asserts the job reached it. */
void wait_state(bits_job *job, uint32_t state, double timeout_s);

/* How many ".openbits-*" temporary files are in @p dir. */
int ts_count_temps(const char *dir);
/* Removes them; returns how many there were. */
int ts_remove_temps(const char *dir);

/* 1 while some process runs whose command line contains @p needle and
 * @p also (NULL: anything); for programs whose spawner may be gone. */
int ts_process_running(const char *needle, const char *also);

/* Starts openbitsd ($OPENBITSD) serving @p store, its standard output and
 * error to the file @p log (NULL: inherited), and waits until it holds the
 * store's engine lock (it does from its start). Returns its pid, or -1
 * when $OPENBITSD is not set. */
int ts_start_openbitsd(const char *store, const char *log);

/* Stops it with SIGTERM and asserts it exited with status 0. */
void ts_stop_openbitsd(int pid);

/* Asserts that two bits_hresult values are equal, printing both names. */
#define assert_hr_equal(actual, expected) \
    ts_assert_hr_equal((actual), (expected), #actual, __FILE__, __LINE__)
void ts_assert_hr_equal(int32_t actual, int32_t expected, const char *expr, const char *file,
                        int line);

#endif
