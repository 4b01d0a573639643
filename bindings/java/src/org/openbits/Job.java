package org.openbits;

import java.lang.ref.Cleaner;

import org.openbits.swig.Native;

/**
 * A download job (bits_job), holding one reference to it: {@link #close()}
 * gives it back (the job stays in its manager's queue); a Job that is
 * never closed gives it back when collected. Every method maps to one C
 * call and throws the {@link BitsException} of its code.
 */
public final class Job implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long handle;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean listening;
    private volatile boolean closed;

    Job(long handle) {
        this.handle = handle;
        this.cleanable = CLEANER.register(this, () -> Native.bits_job_release(handle));
    }

    /** A Job holding a new reference to a borrowed handle. */
    static Job borrow(long handle) {
        Native.bits_job_add_ref(handle);
        return new Job(handle);
    }

    /** The job's GUID, "{...}". */
    public String id() {
        String[] id = new String[1];
        Native.bits_job_get_id(h(), id);
        return id[0];
    }

    public String displayName() {
        String[] name = new String[1];
        Native.bits_job_get_display_name(h(), name);
        return name[0];
    }

    public void setDisplayName(String name) {
        Native.bits_job_set_display_name(h(), name);
    }

    /** Adds a file: {@code url} (http, https, file or a path) to the absolute {@code localPath}. */
    public void addFile(String url, String localPath) {
        Native.bits_job_add_file(h(), url, localPath);
    }

    public JobState state() {
        long[] state = new long[1];
        Native.bits_job_get_state(h(), state);
        return JobState.of(state[0]);
    }

    public void resume() {
        Native.bits_job_resume(h());
    }

    public void suspend() {
        Native.bits_job_suspend(h());
    }

    public void cancel() {
        Native.bits_job_cancel(h());
    }

    /** Completes a TRANSFERRED job: its files appear under their names (ACKNOWLEDGED). */
    public void complete() {
        Native.bits_job_complete(h());
    }

    /** Bytes per second; 0 is no limit. */
    public void setMaxBandwidth(long bytesPerSecond) {
        Native.bits_job_set_max_bandwidth(h(), bytesPerSecond);
    }

    /** Which events are sent: a sum of {@link EventKind#flag()}s. */
    public void setNotifyFlags(long flags) {
        Native.bits_job_set_notify_flags(h(), flags);
    }

    /** The code of the job's last error (unsigned), or 0 when it has none. */
    public long errorCode() {
        long[] error = new long[1];
        try {
            Native.bits_job_get_error(h(), error);
        } catch (Errors.ErrorInformationUnavailableException e) {
            return 0;
        }
        try {
            long[] context = new long[1];
            long[] code = new long[1];
            Native.bits_error_get_error(error[0], context, code);
            return code[0];
        } finally {
            Native.bits_error_free(error[0]);
        }
    }

    /**
     * Sends this job's events to {@code listener} (null removes it);
     * replacing or removing waits for a running call. {@link Event#job()}
     * is this Job.
     */
    public void onEvent(EventListener listener) {
        Native.openbits_set_job_callback(h(), listener == null ? null
                : (kind, state, code, job, file) -> deliver(listener, kind, state, code, this));
        listening = listener != null;
    }

    static void deliver(EventListener listener, long kind, long state, long code, Job job) {
        try {
            listener.onEvent(new Event(EventKind.of(kind), JobState.of(state), code, job));
        } catch (Throwable t) {
            Thread me = Thread.currentThread();
            me.getUncaughtExceptionHandler().uncaughtException(me, t);
        }
    }

    /** The bits_job handle, for the JNI layer (org.openbits.swig.Native). */
    public long handle() {
        return h();
    }

    private long h() {
        if (closed) {
            throw new IllegalStateException("the Job is closed");
        }
        return handle;
    }

    /** Removes this Job's listener, then gives its reference back. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (listening) {
            onEvent(null);
        }
        closed = true;
        cleanable.clean();
    }

    @Override
    public String toString() {
        return closed ? "Job (closed)" : "Job " + id();
    }
}
