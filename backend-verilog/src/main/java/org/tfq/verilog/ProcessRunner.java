package org.tfq.verilog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command with a deadline. Output goes to files, not pipes, so a chatty tool can
 * never block on a full pipe; on timeout the whole process tree (make, g++, the simulation) is
 * killed, so nothing outlives the call.
 */
final class ProcessRunner {
    private ProcessRunner() {}

    /** Outcome of one command; {@code exitCode} is -1 when it timed out. */
    record Outcome(int exitCode, boolean timedOut, String stdout, String stderr, Duration elapsed) {}

    /** Largest amount of one output kept in memory; a runaway simulation keeps only its start. */
    static final int MAX_OUTPUT_CHARS = 1 << 20;

    static Outcome run(List<String> command, Path cwd, Duration timeout, Path stdoutFile, Path stderrFile) {
        return run(command, cwd, timeout, stdoutFile, stderrFile, null);
    }

    /** {@link #run} with {@code searchPath} (null: inherited) as the command's PATH. */
    static Outcome run(List<String> command, Path cwd, Duration timeout, Path stdoutFile, Path stderrFile, String searchPath) {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(stdoutFile.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
            if (searchPath != null) pb.environment().put("PATH", searchPath);
            pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            pb.redirectOutput(stdoutFile.toFile());
            pb.redirectError(stderrFile.toFile());
            Process p = pb.start();
            boolean finished;
            try {
                finished = p.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                if (!finished) kill(p);
            } catch (InterruptedException e) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + command.get(0), e);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            return new Outcome(finished ? p.exitValue() : -1, !finished, read(stdoutFile), read(stderrFile), elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        }
    }

    private static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    static String read(Path f) throws IOException {
        if (!Files.exists(f)) return "";
        long size = Files.size(f);
        // decoded leniently: a tool's output is not guaranteed to be valid UTF-8
        if (size <= MAX_OUTPUT_CHARS) return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        byte[] head = new byte[MAX_OUTPUT_CHARS];
        try (var in = Files.newInputStream(f)) {
            int n = in.readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.UTF_8) + "\n[... " + (size - n) + " more bytes in " + f + "]\n";
        }
    }

    /** The executable {@code name} on the PATH, or null. */
    static Path onPath(String name) {
        return onPath(name, System.getenv("PATH"));
    }

    /** The executable {@code name} in the directories of {@code path}, or null. */
    static Path onPath(String name, String path) {
        if (path == null) return null;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }
}
