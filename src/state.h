/*
 * state.h - the BITS job state machine as a pure table (no I/O, no locks).
 *
 * Every public call that changes a job and every engine event is run
 * through state_next() first; the caller applies the result. Keeping the
 * whole table here means one place decides every (state, event) cell, and
 * the unit test can walk all of them.
 */
#ifndef OPENBITS_STATE_H
#define OPENBITS_STATE_H

#include <stdint.h>

#include "openbits/codes.h"
#include "openbits/types.h"

typedef enum state_event {
    /* Calls of the public API. */
    STATE_EV_RESUME = 0,
    STATE_EV_SUSPEND,
    STATE_EV_CANCEL,
    STATE_EV_COMPLETE,
    STATE_EV_ADD_FILE,
    STATE_EV_SET_PROPERTY,
    /* Engine events. */
    STATE_EV_GRANT,             /* scheduler gives the job a slot */
    STATE_EV_CONNECTED,         /* first response byte of the current file */
    STATE_EV_TRANSIENT_FAILURE, /* recoverable transfer failure */
    STATE_EV_FATAL_FAILURE,     /* non-recoverable transfer failure */
    STATE_EV_FILE_DONE,         /* one file finished, more remain */
    STATE_EV_ALL_FILES_DONE,    /* no file remains to transfer */
    STATE_EV_SLICE_EXPIRED,     /* round-robin time slice over */
    STATE_EV_PREEMPTED,         /* a higher-priority job became runnable */
    STATE_EV_NETWORK_LOST,
    STATE_EV_NETWORK_RESTORED,
    STATE_EV_RETRY_DUE,         /* minimum retry delay elapsed */
    STATE_EV_NO_PROGRESS_TIMEOUT,
    STATE_EV_MAX_DOWNLOAD_TIME,
    STATE_EV_INACTIVITY_TIMEOUT,
    STATE_EV_COUNT
} state_event;

/* Facts about the job that some cells depend on. */
#define STATE_COND_HAS_FILES 0x1u   /* the job has at least one file */
#define STATE_COND_HAS_PENDING 0x2u /* at least one file is not transferred yet */

typedef struct state_result {
    uint32_t next;       /* the new state (equal to the old one when unchanged) */
    bits_hresult hr;     /* what the call returns; BG_E_INVALID_STATE when the
                            event does not apply in this state */
    uint32_t counts_error; /* 1 when the transition adds one to the error count */
} state_result;

/* The cell for (state, event) under the conditions @p cond. Any state or
 * event out of range yields {state, BG_E_INVALID_STATE, 0}. */
state_result state_next(uint32_t state, state_event event, uint32_t cond);

/* 1 for ACKNOWLEDGED and CANCELLED. */
int state_is_final(uint32_t state);

/* 1 for QUEUED, CONNECTING, TRANSFERRING, TRANSIENT_ERROR (BITS "action"). */
int state_is_active(uint32_t state);

/* "QUEUED", ..., "CANCELLED" (short BITS names); "UNKNOWN" out of range. */
const char *state_name(uint32_t state);

/* "RESUME", ... for diagnostics and tests; "UNKNOWN" out of range. */
const char *state_event_name(state_event event);

#endif /* OPENBITS_STATE_H */
