package org.openbits.test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The loopback test HTTP server (python_tests/server/openbits_test_server.py)
 * as a subprocess, for the Java tests: started with a --config JSON of
 * contents and behaviours (python_tests/server/README.md), stopped
 * (SIGTERM, then waited for) by close(). The script and the interpreter
 * come from $OPENBITS_TEST_SERVER and $OPENBITS_PYTHON (set by CTest).
 */
final class TestServer implements AutoCloseable {
    private final Path dir;
    private final Process process;
    final int port;

    TestServer(String configJson) throws Exception {
        String script = System.getenv("OPENBITS_TEST_SERVER");
        if (script == null) {
            throw new IllegalStateException("OPENBITS_TEST_SERVER is not set");
        }
        String python = System.getenv().getOrDefault("OPENBITS_PYTHON", "/usr/bin/python3");
        dir = Files.createTempDirectory("openbits-server-");
        Path config = dir.resolve("config.json");
        Files.writeString(config, configJson);
        Files.createDirectory(dir.resolve("www"));
        Path portFile = dir.resolve("port");
        process = new ProcessBuilder(python, script, "--port", "0", "--port-file", portFile.toString(),
                "--root", dir.resolve("www").toString(), "--config", config.toString(), "--lifetime", "120")
                .inheritIO().start();
        int found = 0;
        for (int i = 0; i < 200 && found == 0; i++) { // up to 10 s
            if (Files.exists(portFile)) {
                String text = Files.readString(portFile, StandardCharsets.US_ASCII).trim();
                if (!text.isEmpty()) {
                    found = Integer.parseInt(text);
                }
            }
            if (found == 0) {
                Thread.sleep(50);
            }
        }
        port = found;
        if (port == 0) {
            close();
            throw new IllegalStateException("the test server did not start");
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM
        process.waitFor();
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
