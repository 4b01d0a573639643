/* cmdline.h - the notify command line (SetNotifyCmdLine). */
#ifndef OPENBITS_CMDLINE_H
#define OPENBITS_CMDLINE_H

#include "core.h"

/* Runs the job's notify program for event @p kind (JOB_TRANSFERRED or
 * JOB_ERROR) when one is set, the notify flags allow the event, and no
 * callback takes it (a live callback wins, as in BITS). The program is
 * started directly with posix_spawn (no shell, no PATH search) with the
 * job's parameters split into words, and reaped by a detached thread.
 * Caller holds the lock. */
void cmdline_notify_locked(bits_job *job, uint32_t kind);

/* Splits @p params into words: blanks separate, "double quotes" group and
 * backslash escapes a quote or backslash. Returns a NULL-terminated array
 * of strings in one allocation (free() it once), or NULL on failure or an
 * unterminated quote. Exposed for the tests. */
char **cmdline_split(const char *params);

#endif
