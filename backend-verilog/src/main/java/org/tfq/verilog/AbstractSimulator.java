package org.tfq.verilog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Build, then run, both under one deadline; products and logs under {@code workDir/<name>/}. */
abstract sealed class AbstractSimulator implements Simulator permits Verilator, Icarus {

    /** Where the tools are looked for: the PATH of this process unless a test says otherwise. */
    final String searchPath;

    AbstractSimulator(String searchPath) {
        this.searchPath = searchPath == null ? System.getenv("PATH") : searchPath;
    }

    /** {@link ProcessRunner#run} with this simulator's search path. */
    ProcessRunner.Outcome exec(List<String> command, Path cwd, Duration timeout, Path stdoutFile, Path stderrFile) {
        return ProcessRunner.run(command, cwd, timeout, stdoutFile, stderrFile, searchPath);
    }

    /** Commands (all on the PATH) this simulator needs. */
    abstract List<String> requiredTools();

    /** apt-get packages that provide {@link #requiredTools()}. */
    abstract String aptPackages();

    /**
     * Builds into {@code buildDir} (which exists), running commands in {@code workDir}, within
     * {@code timeout}; the outcome of the whole build (logs of all its steps).
     */
    abstract ProcessRunner.Outcome build(Path workDir, Path buildDir, List<Path> sources, String top, Duration timeout);

    /** The command running what {@link #build} built. */
    abstract List<String> runCommand(Path buildDir, String top);

    @Override
    public boolean isAvailable() {
        return requiredTools().stream().allMatch(t -> ProcessRunner.onPath(t, searchPath) != null);
    }

    /** Throws {@link SimulatorNotFoundException} naming the first missing tool. */
    void requireAvailable() {
        for (String t : requiredTools()) {
            if (ProcessRunner.onPath(t, searchPath) == null) throw new SimulatorNotFoundException(t + " (needed by " + name() + ")", aptPackages());
        }
    }

    @Override
    public SimResult run(Path workDir, List<Path> sources, String top, Duration timeout) {
        requireAvailable();
        if (sources.isEmpty()) throw new IllegalArgumentException("no Verilog sources");
        Path dir = workDir.toAbsolutePath();
        Path buildDir = dir.resolve(name());
        try {
            Files.createDirectories(buildDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + buildDir, e);
        }
        List<Path> abs = new ArrayList<>();
        for (Path s : sources) abs.add(s.toAbsolutePath());
        long deadline = System.nanoTime() + timeout.toNanos();

        ProcessRunner.Outcome b = build(dir, buildDir, abs, top, timeout);
        String buildLog = b.stdout() + b.stderr();
        if (b.timedOut() || b.exitCode() != 0) {
            return new SimResult(name(), top, false, b.timedOut(), -1, "", "", buildLog, b.elapsed(), Duration.ZERO);
        }
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (left.isZero()) {
            return new SimResult(name(), top, true, true, -1, "", "", buildLog, b.elapsed(), Duration.ZERO);
        }
        ProcessRunner.Outcome r = exec(runCommand(buildDir, top), dir, left,
                buildDir.resolve("run.stdout.log"), buildDir.resolve("run.stderr.log"));
        return new SimResult(name(), top, true, r.timedOut(), r.exitCode(), r.stdout(), r.stderr(), buildLog, b.elapsed(),
                r.elapsed());
    }

    @Override
    public String toString() {
        return name();
    }
}
