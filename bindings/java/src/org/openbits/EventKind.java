package org.openbits;

/** What an event reports (BITS_EVENT_*, the BG_NOTIFY_* bit that enables it). */
public enum EventKind {
    /** Every file transferred; the job is TRANSFERRED. */
    JOB_TRANSFERRED(0x1),
    /** The job entered ERROR. */
    JOB_ERROR(0x2),
    /** The job changed: a state, progress, a property. */
    JOB_MODIFICATION(0x8),
    /** One file finished. */
    FILE_TRANSFERRED(0x10);

    private final int flag;

    EventKind(int flag) {
        this.flag = flag;
    }

    /** The notify flag (BG_NOTIFY_*) that enables these events. */
    public int flag() {
        return flag;
    }

    /** The kind of a C number. */
    public static EventKind of(long kind) {
        for (EventKind k : values()) {
            if (k.flag == kind) {
                return k;
            }
        }
        throw new IllegalArgumentException("no event kind " + kind);
    }
}
