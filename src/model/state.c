/*
 * state.c - the BITS job state machine as data.
 *
 * One row per state, one cell per event. A cell names the next state and
 * the code the call returns; X marks "does not apply here"
 * (BG_E_INVALID_STATE, no change). Two cells depend on facts about the
 * job and are resolved by ob_state_next() below: Resume of a SUSPENDED job
 * without files (BG_E_EMPTY) and Resume of a TRANSFERRED job (queued only
 * when files were added since; design 3.2).
 *
 * Sources: spec 1.3 (calls) and 1.4 (engine events). Decisions on the
 * [open] cells (spec 1.7): Resume in TRANSFERRED without new files is a
 * BITS_S_OK no-op; Suspend in TRANSFERRED succeeds and the job stays
 * TRANSFERRED; AddFile in TRANSFERRED keeps TRANSFERRED until Resume.
 * ENGINE_RESTARTED (ours, no BITS event): jobs the departed process was
 * connecting, transferring or waiting to retry are queued again, as BITS
 * queues a job whose owner logs off (spec 1.4).
 */
#include "model/state.h"

enum { Q = BG_JOB_STATE_QUEUED, C = BG_JOB_STATE_CONNECTING, T = BG_JOB_STATE_TRANSFERRING,
       S = BG_JOB_STATE_SUSPENDED, E = BG_JOB_STATE_ERROR, TE = BG_JOB_STATE_TRANSIENT_ERROR,
       TD = BG_JOB_STATE_TRANSFERRED, A = BG_JOB_STATE_ACKNOWLEDGED,
       CA = BG_JOB_STATE_CANCELLED };

/* Cell values: a state 0..8; SAME keeps the state; X refuses the event. */
#define SAME 0x40
#define X 0x80
/* Flag on a cell: the transition counts as a transfer failure. */
#define COUNT 0x100
/* Resume cells resolved with the job's conditions. */
#define RESUME_COND 0x200

static const uint16_t table[BITS_JOB_STATE_COUNT][OB_EV_COUNT] = {
    /*             RESUME        SUSP  CANCEL COMPL ADD   SET   GRANT CONN  TRANSIENT   FATAL      FDONE ALLDONE SLICE PREEMPT NETLOST NETBACK RETRY NOPROG MAXDL INACTIVE RESTART */
    [Q]  = { SAME,              S,    CA,    A,    SAME, SAME, C,    X,    X,          X,         X,    TD,     X,    X,      TE,     X,      X,    X,     X,    CA, SAME },
    [C]  = { SAME,              S,    CA,    A,    SAME, SAME, X,    T,    TE | COUNT, E | COUNT, X,    TD,     Q,    Q,      TE,     X,      X,    X,     E,    CA, Q },
    [T]  = { SAME,              S,    CA,    A,    SAME, SAME, X,    X,    TE | COUNT, E | COUNT, SAME, TD,     Q,    Q,      TE,     X,      X,    X,     E,    CA, Q },
    [S]  = { Q | RESUME_COND,   SAME, CA,    A,    SAME, SAME, X,    X,    X,          X,         X,    X,      X,    X,      X,      X,      X,    X,     X,    CA, X },
    [E]  = { Q,                 S,    CA,    A,    SAME, SAME, X,    X,    X,          X,         X,    X,      X,    X,      X,      X,      X,    X,     X,    CA, X },
    [TE] = { Q,                 S,    CA,    A,    SAME, SAME, X,    X,    X,          X,         X,    X,      X,    X,      X,      Q,      Q,    E,     X,    CA, Q },
    [TD] = { SAME | RESUME_COND, SAME, CA,   A,    SAME, SAME, X,    X,    X,          X,         X,    X,      X,    X,      X,      X,      X,    X,     X,    CA, X },
    [A]  = { X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X },
    [CA] = { X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X },
};

ob_state_result ob_state_next(uint32_t state, ob_state_event event, uint32_t cond)
{
    ob_state_result r = { state, BG_E_INVALID_STATE, 0 };
    if (state >= BITS_JOB_STATE_COUNT || (unsigned)event >= OB_EV_COUNT)
        return r;
    uint16_t cell = table[state][event];
    if (cell & X)
        return r;
    r.hr = BITS_S_OK;
    r.counts_error = (cell & COUNT) != 0;
    if (cell & RESUME_COND) {
        if (state == BG_JOB_STATE_SUSPENDED && !(cond & OB_COND_HAS_FILES)) {
            r.hr = BG_E_EMPTY; /* stays SUSPENDED */
            return r;
        }
        if (state == BG_JOB_STATE_TRANSFERRED) {
            /* Queued again only for files added since it was transferred. */
            r.next = (cond & OB_COND_HAS_PENDING) ? BG_JOB_STATE_QUEUED : state;
            return r;
        }
    }
    r.next = (cell & SAME) ? state : (uint32_t)(cell & 0x0F);
    return r;
}

int ob_state_is_final(uint32_t state)
{
    return state == BG_JOB_STATE_ACKNOWLEDGED || state == BG_JOB_STATE_CANCELLED;
}

int ob_state_is_active(uint32_t state)
{
    return state == BG_JOB_STATE_QUEUED || state == BG_JOB_STATE_CONNECTING ||
           state == BG_JOB_STATE_TRANSFERRING || state == BG_JOB_STATE_TRANSIENT_ERROR;
}

const char *ob_state_name(uint32_t state)
{
    static const char *const names[BITS_JOB_STATE_COUNT] = {
        "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
        "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED",
    };
    return state < BITS_JOB_STATE_COUNT ? names[state] : "UNKNOWN";
}

const char *ob_state_event_name(ob_state_event event)
{
    static const char *const names[OB_EV_COUNT] = {
        "RESUME", "SUSPEND", "CANCEL", "COMPLETE", "ADD_FILE", "SET_PROPERTY",
        "GRANT", "CONNECTED", "TRANSIENT_FAILURE", "FATAL_FAILURE", "FILE_DONE",
        "ALL_FILES_DONE", "SLICE_EXPIRED", "PREEMPTED", "NETWORK_LOST",
        "NETWORK_RESTORED", "RETRY_DUE", "NO_PROGRESS_TIMEOUT", "MAX_DOWNLOAD_TIME",
        "INACTIVITY_TIMEOUT", "ENGINE_RESTARTED",
    };
    return (unsigned)event < OB_EV_COUNT ? names[event] : "UNKNOWN";
}
