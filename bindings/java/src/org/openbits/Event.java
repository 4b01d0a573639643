package org.openbits;

/**
 * One event of a job, given to an {@link EventListener}. For a listener of
 * a job, {@link #job()} is that Job; for a listener of a manager, a Job
 * holding a reference of its own (close it, or let it be collected).
 */
public final class Event {
    private final EventKind kind;
    private final JobState state;
    private final long errorCode;
    private final Job job;

    Event(EventKind kind, JobState state, long errorCode, Job job) {
        this.kind = kind;
        this.state = state;
        this.errorCode = errorCode;
        this.job = job;
    }

    public EventKind kind() {
        return kind;
    }

    /** The job's state when the event was raised. */
    public JobState state() {
        return state;
    }

    /** For JOB_ERROR the job's error code (unsigned, e.g. 0x80190194 for HTTP 404), else 0. */
    public long errorCode() {
        return errorCode;
    }

    public Job job() {
        return job;
    }

    @Override
    public String toString() {
        return kind + " " + state + (errorCode != 0 ? String.format(" 0x%08X", errorCode) : "");
    }
}
