/*
 * state.h - the BITS job state machine as a pure table (no I/O, no locks).
 *
 * Every public call that changes a job and every engine event is run
 * through ob_state_next() first; the caller applies the result. Keeping the
 * whole table here means one place decides every (state, event) cell, and
 * the unit test can walk all of them.
 */
#ifndef OB_MODEL_STATE_H
#define OB_MODEL_STATE_H

#include <stdint.h>

#include "openbits/codes.h"
#include "openbits/types.h"

typedef enum ob_state_event {
    OB_EV_NONE = -1,            /* no event: a state learned from the store */
    /* Calls of the public API. */
    OB_EV_RESUME = 0,
    OB_EV_SUSPEND,
    OB_EV_CANCEL,
    OB_EV_COMPLETE,
    OB_EV_ADD_FILE,
    OB_EV_SET_PROPERTY,
    /* Engine events. */
    OB_EV_GRANT,             /* scheduler gives the job a slot */
    OB_EV_CONNECTED,         /* first response byte of the current file */
    OB_EV_TRANSIENT_FAILURE, /* recoverable transfer failure */
    OB_EV_FATAL_FAILURE,     /* non-recoverable transfer failure */
    OB_EV_FILE_DONE,         /* one file finished, more remain */
    OB_EV_ALL_FILES_DONE,    /* no file remains to transfer */
    OB_EV_SLICE_EXPIRED,     /* round-robin time slice over */
    OB_EV_PREEMPTED,         /* a higher-priority job became runnable */
    OB_EV_NETWORK_LOST,
    OB_EV_NETWORK_RESTORED,
    OB_EV_RETRY_DUE,         /* minimum retry delay elapsed */
    OB_EV_NO_PROGRESS_TIMEOUT,
    OB_EV_MAX_DOWNLOAD_TIME,
    OB_EV_INACTIVITY_TIMEOUT,
    OB_EV_ENGINE_RESTARTED,     /* the process running the transfers went away and
                                   this one took them over */
    OB_EV_COUNT
} ob_state_event;

/* Facts about the job that some cells depend on. */
#define OB_COND_HAS_FILES 0x1u   /* the job has at least one file */
#define OB_COND_HAS_PENDING 0x2u /* at least one file is not transferred yet */

typedef struct ob_state_result {
    uint32_t next;       /* the new state (equal to the old one when unchanged) */
    bits_hresult hr;     /* what the call returns; BG_E_INVALID_STATE when the
                            event does not apply in this state */
    uint32_t counts_error; /* 1 when the transition adds one to the error count */
} ob_state_result;

/* The cell for (state, event) under the conditions @p cond. Any state or
 * event out of range yields {state, BG_E_INVALID_STATE, 0}. */
ob_state_result ob_state_next(uint32_t state, ob_state_event event, uint32_t cond);

/* 1 for ACKNOWLEDGED and CANCELLED. */
int ob_state_is_final(uint32_t state);

/* 1 for QUEUED, CONNECTING, TRANSFERRING, TRANSIENT_ERROR (BITS "action"). */
int ob_state_is_active(uint32_t state);

/* "QUEUED", ..., "CANCELLED" (short BITS names); "UNKNOWN" out of range. */
const char *ob_state_name(uint32_t state);

/* "RESUME", ... for diagnostics and tests; "UNKNOWN" out of range. */
const char *ob_state_event_name(ob_state_event event);

#endif /* OB_MODEL_STATE_H */
