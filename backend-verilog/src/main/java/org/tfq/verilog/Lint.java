package org.tfq.verilog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code verilator --lint-only -Wall} as a check: every Verilog file tfq ships or generates must
 * give no warning. {@code --default-language 1364-2001} parses the files as Verilog-2001, so
 * SystemVerilog (a {@code logic}, an {@code always_ff}) is an error rather than silently accepted.
 */
public final class Lint {
    private Lint() {}

    static final Duration TIMEOUT = Duration.ofMinutes(2);

    /**
     * The warnings and errors of linting {@code sources} together, Verilator choosing the top
     * module (a second top is itself a warning, MULTITOP). Empty means clean.
     */
    public static List<String> verilatorLintWall(List<Path> sources) {
        return verilatorLintWall(sources, null, Map.of());
    }

    /**
     * The warnings and errors of linting {@code sources} with top module {@code top} (null: let
     * Verilator choose) and its parameters overridden by {@code parameters} ({@code -G}), one
     * message per warning (its first line, {@code %Warning-CODE: file:line:col: text}).
     *
     * @throws SimulatorNotFoundException if verilator is not installed
     */
    public static List<String> verilatorLintWall(List<Path> sources, String top, Map<String, ?> parameters) {
        if (ProcessRunner.onPath("verilator") == null) throw new SimulatorNotFoundException("verilator", "verilator");
        if (sources.isEmpty()) throw new IllegalArgumentException("nothing to lint");
        List<String> cmd = new ArrayList<>(List.of("verilator", "--lint-only", "-Wall", "--default-language", "1364-2001"));
        if (top != null) cmd.addAll(List.of("--top-module", top));
        parameters.forEach((k, v) -> cmd.add("-G" + k + "=" + v));
        for (Path s : sources) cmd.add(s.toAbsolutePath().toString());
        Path logDir;
        try {
            logDir = Files.createTempDirectory("tfq-lint");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        try {
            ProcessRunner.Outcome o = ProcessRunner.run(cmd, logDir, TIMEOUT, logDir.resolve("stdout"), logDir.resolve("stderr"));
            List<String> messages = new ArrayList<>();
            if (o.timedOut()) messages.add("%Error: verilator --lint-only timed out after " + TIMEOUT.toSeconds() + " s");
            for (String line : (o.stdout() + "\n" + o.stderr()).split("\n")) {
                // the closing "Exiting due to N warning(s)" repeats what the list already says
                if ((line.startsWith("%Warning") || line.startsWith("%Error")) && !line.startsWith("%Error: Exiting due to")) {
                    messages.add(line);
                }
            }
            if (messages.isEmpty() && o.exitCode() != 0) {
                messages.add("%Error: verilator --lint-only exited with " + o.exitCode() + ": " + o.stderr().strip());
            }
            return messages;
        } finally {
            deleteQuietly(logDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary log directory is harmless
        }
    }
}
