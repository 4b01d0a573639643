/*
 * failpoint.h - named points where a test may stop or steer the library.
 *
 * Concurrency fixes are proven by tests that force the interleaving, not
 * by sleeps. At each named point the library calls the hook a test has
 * installed (tests link the library's objects and set it); without one a
 * point costs one load of a pointer. The hook runs on whatever thread
 * reached the point, with the locks that point documents held: it may
 * block (a barrier), and its return value may make the point fail (the
 * point's documentation says what failing means there).
 *
 * Points (name: where, locks held, what a non-zero return does):
 *   "store.commit.begin"   a change's store transaction is about to start
 *                          (subject: the job; NULL for a limit); the queue's
 *                          change lock held, not the queue lock; non-zero:
 *                          the commit fails with BITS_E_BUSY.
 *   "store.commit.decided" inside the transaction, the stored row read and
 *                          the change decided; same locks; non-zero: fails
 *                          with BITS_E_BUSY (rolled back).
 *   "sync.rows_read"       the sync read other processes' rows and is
 *                          about to apply them; change lock held.
 *   "engine.file_starting" the engine is about to open or create a file's
 *                          temporary file (subject: the file); queue lock held.
 *   "queue.committed"      a change was committed, applied in memory and
 *                          announced; its cleanup (ch->after) comes next;
 *                          change lock held.
 *   "queue.applied"        a change is over; no lock held.
 */
#ifndef OB_UTIL_FAILPOINT_H
#define OB_UTIL_FAILPOINT_H

typedef int (*ob_failpoint_fn)(const char *name, const void *subject, void *data);

/* Installs @p fn (NULL removes it). Not thread-safe: set it before the
 * threads that reach the points start. */
void ob_failpoint_set(ob_failpoint_fn fn, void *data);

/* Calls the hook, if any, with @p subject (what the point is about: a
 * job, a file, or NULL). Returns its answer, or 0 without a hook. */
int ob_failpoint(const char *name, const void *subject);

#endif
