package org.openbits;

/**
 * Receives the events of a job or of every job of a manager: on the
 * library's notification thread ("openbits-events", a daemon thread
 * attached to the JVM), one event at a time, or, for a manager opened
 * with {@link Manager#EVENT_FD}, inside {@link Manager#dispatch(long)} on
 * the calling thread. An exception it throws goes to that thread's
 * uncaught-exception handler; later events still come.
 */
@FunctionalInterface
public interface EventListener {
    void onEvent(Event event);
}
