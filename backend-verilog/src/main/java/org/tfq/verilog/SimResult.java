package org.tfq.verilog;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a simulator run gave: whether the testbench built, how the simulation ended, its output,
 * and the times of build and run. {@code exitCode} is that of the simulation (-1 if it did not
 * run or timed out); {@code buildLog} holds the compiler's output.
 */
public record SimResult(String simulator, String top, boolean built, boolean timedOut, int exitCode, String stdout,
        String stderr, String buildLog, Duration buildTime, Duration runTime) {

    private static final Pattern SUMMARY = Pattern.compile("(?m)^vectors (\\d+) mismatches (\\d+)\\s*$");
    private static final Pattern MISMATCH = Pattern.compile("(?m)^MISMATCH.*$");

    /** The testbench's verdict line {@code vectors N mismatches M}. */
    public record Summary(long vectors, long mismatches) {}

    /** The last summary line of stdout, if the testbench got that far. */
    public Optional<Summary> summary() {
        Matcher m = SUMMARY.matcher(stdout);
        Summary last = null;
        while (m.find()) last = new Summary(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        return Optional.ofNullable(last);
    }

    /** Built, ran to its end with exit code 0, printed a summary with zero mismatches. */
    public boolean passed() {
        return built && !timedOut && exitCode == 0 && summary().map(s -> s.mismatches() == 0).orElse(false);
    }

    /** The first {@code MISMATCH} line the testbench printed, if any. */
    public Optional<String> firstMismatch() {
        Matcher m = MISMATCH.matcher(stdout);
        return m.find() ? Optional.of(m.group()) : Optional.empty();
    }

    /** A few lines for a test failure or a log: status, summary, first mismatch, tail of the output. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(simulator).append(" ").append(top).append(": ");
        if (!built) b.append("build failed");
        else if (timedOut) b.append("timed out");
        else b.append("exit code ").append(exitCode);
        summary().ifPresentOrElse(s -> b.append(", vectors ").append(s.vectors()).append(" mismatches ").append(s.mismatches()),
                () -> b.append(", no summary line"));
        b.append(String.format(" (build %.1f s, run %.1f s)", buildTime.toMillis() / 1e3, runTime.toMillis() / 1e3));
        firstMismatch().ifPresent(m -> b.append("\n  first: ").append(m));
        if (!built) b.append("\n").append(tail(buildLog, 40));
        else if (!passed()) b.append("\n").append(tail(stdout, 20)).append(tail(stderr, 20));
        return b.toString();
    }

    private static String tail(String s, int lines) {
        String[] all = s.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
