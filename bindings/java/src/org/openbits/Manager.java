package org.openbits;

import java.util.ArrayList;
import java.util.List;

import org.openbits.swig.Native;
import org.openbits.swig.NativeConstants;

/**
 * A job manager (bits_manager): a store of jobs on disk, or in memory.
 * Close it when done (try-with-resources); jobs taken from it stay usable
 * for their getters afterwards, as in C.
 *
 * <pre>
 * try (Manager mgr = Manager.openInMemory(); Job job = mgr.createJob("nightly")) {
 *     job.addFile("https://example.org/a.iso", "/srv/a.iso");
 *     job.onEvent(e -&gt; System.out.println(e));
 *     job.resume();
 * }
 * </pre>
 */
public final class Manager implements AutoCloseable {
    /** Flag: keep the jobs in memory only (BITS_MANAGER_OPEN_IN_MEMORY). */
    public static final long IN_MEMORY = NativeConstants.BITS_MANAGER_OPEN_IN_MEMORY;
    /**
     * Flag (experimental): deliver events in {@link #dispatch(long)} on the
     * caller's thread instead of the library's (BITS_MANAGER_OPEN_EVENT_FD).
     */
    public static final long EVENT_FD = NativeConstants.BITS_MANAGER_OPEN_EVENT_FD;

    private final long handle;
    private volatile boolean closed;

    private Manager(long handle) {
        this.handle = handle;
    }

    /** Opens the store in {@code storeDir} (null: the user's default store) with BITS_MANAGER_OPEN_* flags. */
    public static Manager open(String storeDir, long flags) {
        long[] m = new long[1];
        Native.bits_manager_open(storeDir, flags, m);
        return new Manager(m[0]);
    }

    /** Opens the store in {@code storeDir} (null: the user's default store). */
    public static Manager open(String storeDir) {
        return open(storeDir, 0);
    }

    /** A manager whose jobs are not kept on disk. */
    public static Manager openInMemory() {
        return open(null, IN_MEMORY);
    }

    /** Creates a download job, SUSPENDED until {@link Job#resume()}. */
    public Job createJob(String displayName) {
        String[] id = new String[1];
        long[] job = new long[1];
        Native.bits_manager_create_job(handle, displayName, NativeConstants.BG_JOB_TYPE_DOWNLOAD, id, job);
        return new Job(job[0]);
    }

    /** The job with GUID {@code id} ("{...}"); throws Errors.NotFoundException. */
    public Job getJob(String id) {
        long[] job = new long[1];
        Native.bits_manager_get_job(handle, id, job);
        return new Job(job[0]);
    }

    /** A snapshot of the jobs in the queue; each Job holds its own reference. */
    public List<Job> jobs() {
        long[] e = new long[1];
        Native.bits_manager_enum_jobs(handle, 0, e);
        List<Job> jobs = new ArrayList<>();
        try {
            long[] job = new long[1];
            while (Native.bits_job_enum_next_one(e[0], job) == NativeConstants.BITS_S_OK) {
                jobs.add(new Job(job[0]));
            }
        } finally {
            Native.bits_job_enum_free(e[0]);
        }
        return jobs;
    }

    /**
     * Sends the events of every job of this manager to {@code listener}
     * (null removes it); replacing or removing waits for a running call.
     * Each event's {@link Event#job()} is a Job of its own.
     */
    public void onEvent(EventListener listener) {
        Native.openbits_set_manager_callback(handle, listener == null ? null
                : (kind, state, code, job, file) -> Job.deliver(listener, kind, state, code, Job.borrow(job)));
    }

    /**
     * For a manager opened with {@link #EVENT_FD}: waits up to
     * {@code timeoutMs} for events to be due and delivers them on this
     * thread. Returns how many were delivered.
     */
    public long dispatch(long timeoutMs) {
        long[] count = new long[1];
        Native.openbits_wait_events(handle, timeoutMs, count);
        return count[0];
    }

    /** The bits_manager handle, for the JNI layer (org.openbits.swig.Native). */
    public long handle() {
        return handle;
    }

    /**
     * Closes the manager (bits_manager_close): waits for running
     * callbacks, stops its threads. Idempotent.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.bits_manager_close(handle);
        }
    }
}
