package org.openbits.test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The cross-language test vectors through the Java binding, one test per file. */
final class VectorsTest {
    private VectorsTest() {
    }

    static void run(Path dir) throws Exception {
        VectorRunner.Table table = VectorRunner.loadSignatures(dir.resolve("signatures.txt"));
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".vec")).sorted().collect(Collectors.toList());
        }
        Check.ok(files.size() >= 7, "the vector files are found");
        for (Path f : files) {
            Throwable t = Check.thrown(() -> {
                int[] r = VectorRunner.runFile(f, table, null);
                Check.ok(r[0] > 0, f.getFileName() + ": " + r[0] + " calls, " + r[1] + " lines skipped");
            });
            if (t != null) {
                Check.ok(false, f.getFileName() + ": " + t.getMessage());
            }
        }
        // The parser refuses what the C and Python parsers refuse.
        for (String line : Files.readAllLines(dir.resolve("malformed.txt"), StandardCharsets.ISO_8859_1)) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Throwable t = Check.thrown(() -> VectorRunner.parseVectors(line.getBytes(StandardCharsets.ISO_8859_1)));
            Check.ok(t instanceof VectorRunner.SyntaxError && t.getMessage().startsWith("line 1: "),
                    "malformed: " + line);
        }
    }
}
