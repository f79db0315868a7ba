package org.tfq.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import picocli.CommandLine;

/** Runs tfq in-process and captures what it prints. */
record Cli(int exit, String out, String err) {
    /** Threads of their own for runs at once: the common pool has one thread on a two-core machine, which would run them in turn. */
    static final java.util.concurrent.Executor THREADS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });


    static Cli run(String... args) {
        return run(c -> {}, args);
    }

    /** With a hook to add test-only subcommands before running. */
    static Cli run(Consumer<CommandLine> setup, String... args) {
        CommandLine cmd = new CommandLine(new Main());
        setup.accept(cmd);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Cli(exit, out.toString(), err.toString());
    }

    /** The repository root, from the tfq.root system property surefire sets. */
    static Path root() {
        String r = System.getProperty("tfq.root");
        Assumptions.assumeTrue(r != null && !r.isBlank(), "tfq.root is not set (run through Maven)");
        return Path.of(r);
    }

    /** A file under testdata/models/; the models are committed, so a missing one is a failure. */
    static Path model(String file) {
        Path p = root().resolve("testdata/models").resolve(file);
        org.junit.jupiter.api.Assertions.assertTrue(Files.isRegularFile(p), "missing " + p + " (regenerate with testdata/make_testdata.py)");
        return p;
    }

    /** Exit 1, exactly one line on stderr starting with "tfq: error: ", and no stack trace. */
    void assertOneLineError() {
        String why = "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        org.junit.jupiter.api.Assertions.assertEquals(1, exit, why);
        org.junit.jupiter.api.Assertions.assertTrue(err.startsWith("tfq: error: "), why);
        org.junit.jupiter.api.Assertions.assertEquals(1, err.strip().lines().count(), why);
        assertNoStackTrace();
    }

    /** {@code tfq <command> <absent>} fails with one line: no such output folder. */
    static void assertMissingOutdir(String command, Path absent) {
        Cli r = run(command, absent.toString());
        r.assertOneLineError();
        org.junit.jupiter.api.Assertions.assertEquals(
                "tfq: error: " + absent + ": no such folder (the output folder of tfq compile)", r.err().strip());
    }

    /**
     * Every file below {@code dir} by its relative path, its bytes as ISO-8859-1 text (one char a
     * byte): two folders are byte-identical when these maps are equal, and a failed comparison
     * shows which file differs.
     */
    static java.util.SortedMap<String, String> files(Path dir) throws java.io.IOException {
        java.util.SortedMap<String, String> m = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString().replace('\\', '/'), new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return m;
    }

    void assertNoStackTrace() {
        org.junit.jupiter.api.Assertions.assertFalse(err.contains("\tat "), "stack trace on stderr:\n" + err);
    }
}
