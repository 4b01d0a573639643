package org.openbits.swig;

/**
 * An event callback of the JNI layer ({@link Native#openbits_set_job_callback},
 * {@link Native#openbits_set_manager_callback}): the fields of the C
 * bits_event. The job and file handles are borrowed for the call.
 * org.openbits.EventListener is the idiomatic form.
 */
@FunctionalInterface
public interface NativeEventCallback {
    /**
     * @param kind BITS_EVENT_* (the BG_NOTIFY_* bit that enabled it)
     * @param state the job's state when the event was raised (BG_JOB_STATE_*)
     * @param errorCode for JOB_ERROR the job's error code (unsigned), else 0
     * @param job the job's handle, borrowed for the call
     * @param file for FILE_TRANSFERRED the file's handle, borrowed, else 0
     */
    void onEvent(long kind, long state, long errorCode, long job, long file);
}
