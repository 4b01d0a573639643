package org.openbits;

/** The nine states of a BITS job (BG_JOB_STATE_*), with their C numbers. */
public enum JobState {
    QUEUED(0), CONNECTING(1), TRANSFERRING(2), SUSPENDED(3), ERROR(4), TRANSIENT_ERROR(5),
    TRANSFERRED(6), ACKNOWLEDGED(7), CANCELLED(8);

    private final int code;

    JobState(int code) {
        this.code = code;
    }

    /** The C number (BG_JOB_STATE_*). */
    public int code() {
        return code;
    }

    /** The state of a C number. */
    public static JobState of(long code) {
        for (JobState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("no job state " + code);
    }

    /** ACKNOWLEDGED and CANCELLED: the job has left the queue for good. */
    public boolean isFinal() {
        return this == ACKNOWLEDGED || this == CANCELLED;
    }
}
