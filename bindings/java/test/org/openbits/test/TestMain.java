package org.openbits.test;

/**
 * The Java tests (CTest "java"):
 * {@code java -cp openbits.jar:test-classes org.openbits.test.TestMain VECTOR_DIR}.
 * TAP on stdout; exit status 1 when a test failed.
 */
public final class TestMain {
    public static void main(String[] args) {
        Check.group("smoke", SmokeTest::run);
        Check.group("vectors", () -> VectorsTest.run(java.nio.file.Path.of(args[0])));
        Check.group("events", EventsTest::run);
        System.out.println("1.." + Check.count);
        System.out.flush();
        System.exit(Check.failures == 0 && Check.count > 0 ? 0 : 1);
    }

    private TestMain() {
    }
}
