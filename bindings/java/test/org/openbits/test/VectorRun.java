package org.openbits.test;

import java.nio.file.Path;

/**
 * Runs the test vectors through the Java binding and prints the trace
 * (tests/vectors/README.md, "The trace"), for vectors_agree:
 * {@code java -cp openbits.jar:test-classes org.openbits.test.VectorRun SIGNATURES VECTOR...}.
 * One trace line per step on stdout, a mismatch on stderr, exit status 1
 * when a vector failed.
 */
public final class VectorRun {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: VectorRun SIGNATURES VECTOR...");
            System.exit(2);
        }
        VectorRunner.Table table = VectorRunner.loadSignatures(Path.of(args[0]));
        int failures = 0;
        for (int i = 1; i < args.length; i++) {
            try {
                int[] r = VectorRunner.runFile(Path.of(args[i]), table, System.out::println);
                System.out.println("ok   " + args[i] + ": " + r[0] + " calls, " + r[1] + " skipped");
            } catch (VectorRunner.Mismatch | VectorRunner.SyntaxError e) {
                System.err.println(e.getMessage());
                System.out.println("FAIL " + args[i]);
                failures++;
            }
        }
        System.out.println((args.length - 1 - failures) + " of " + (args.length - 1) + " vector files passed");
        System.out.flush();
        System.exit(failures == 0 ? 0 : 1);
    }

    private VectorRun() {
    }
}
