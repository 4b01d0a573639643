package org.openbits.test;

import java.util.Objects;

/** A small TAP harness: the tests need nothing beyond default-jdk. */
final class Check {
    static int count;
    static int failures;

    private Check() {
    }

    static void ok(boolean condition, String name) {
        count++;
        System.out.println((condition ? "ok " : "not ok ") + count + " - " + name);
        if (!condition) {
            failures++;
        }
    }

    static void equal(Object expected, Object got, String name) {
        ok(Objects.equals(expected, got), name);
        if (!Objects.equals(expected, got)) {
            System.out.println("#   expected: " + expected);
            System.out.println("#        got: " + got);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body}; returns what it threw (null: nothing). */
    static Throwable thrown(Body body) {
        try {
            body.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** {@code body} throws a {@code type}; returns it. */
    static <T extends Throwable> T raises(Class<T> type, Body body, String name) {
        Throwable t = thrown(body);
        ok(type.isInstance(t), name);
        if (!type.isInstance(t)) {
            System.out.println("#   expected a " + type.getName() + ", got " + t);
            return null;
        }
        return type.cast(t);
    }

    /** Runs a group of tests; an exception out of it is one failure. */
    static void group(String name, Body body) {
        Throwable t = thrown(body);
        if (t != null) {
            ok(false, name + " threw");
            t.printStackTrace(System.out);
        }
    }
}
