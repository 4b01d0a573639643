/**
 * @file openbits/event.h
 * @brief the event callback.
 *
 * One callback type serves every event (IBackgroundCopyCallback and its
 * successors). Register it per job with bits_job_set_event_callback() or
 * for every job of a manager with bits_manager_set_event_callback().
 *
 * The contract:
 * - Callbacks run on the manager's notification thread, one at a time,
 *   never on the caller's thread and never with a library lock held; a
 *   callback may call any openbits function, including on the same job.
 *   A manager opened with the experimental BITS_MANAGER_OPEN_EVENT_FD has
 *   no notification thread: its callbacks run in bits_manager_dispatch(),
 *   on the thread that calls it, when the manager's descriptor is
 *   readable (openbits/experimental.h); the rest of this contract holds.
 * - Which events are delivered is decided by the job's notify flags
 *   (bits_job_set_notify_flags); BG_NOTIFY_DISABLE suppresses all of them.
 * - FILE_TRANSFERRED for a file is delivered before JOB_TRANSFERRED or
 *   JOB_ERROR of its job. JOB_MODIFICATION is lossy: bursts are coalesced
 *   and spaced by the job's minimum notification interval.
 * - A callback registered after the job already reached TRANSFERRED or
 *   ERROR receives that event once.
 * - Replacing or removing a callback (passing NULL) waits until a running
 *   call of the old callback has returned, unless it is done from inside
 *   that callback; afterwards the old callback is never called again, so
 *   its user_data may be released.
 */
#ifndef OPENBITS_EVENT_H
#define OPENBITS_EVENT_H

#include <openbits/types.h>

BITS_BEGIN_DECLS

/* Event kinds: the same numbers as the notify flags that enable them. */
/** Every file of the job transferred; the job is TRANSFERRED. */
#define BITS_EVENT_JOB_TRANSFERRED 0x0001u
/** The job entered ERROR (never sent for TRANSIENT_ERROR). */
#define BITS_EVENT_JOB_ERROR 0x0002u
/** The job changed: state, progress, files or a property. */
#define BITS_EVENT_JOB_MODIFICATION 0x0008u
/** One file of the job finished transferring. */
#define BITS_EVENT_FILE_TRANSFERRED 0x0010u

/** What the callback receives. Everything in it is borrowed: valid only
 * until the callback returns. Take a reference (bits_job_add_ref) to keep
 * the job longer. */
typedef struct bits_event {
    uint32_t struct_size;   /**< sizeof(bits_event) of the library */
    uint32_t kind;          /**< BITS_EVENT_* */
    bits_job *job;          /**< the job; borrowed */
    bits_file *file;        /**< FILE_TRANSFERRED: the file; else NULL */
    uint32_t state;         /**< job state when the event was raised */
    bits_hresult error_code;/**< JOB_ERROR: the job's error code; else 0 */
} bits_event;

/** The callback type. @p user_data is what was passed at registration. */
typedef void (*bits_event_fn)(const bits_event *event, void *user_data);

BITS_END_DECLS

#endif /* OPENBITS_EVENT_H */
