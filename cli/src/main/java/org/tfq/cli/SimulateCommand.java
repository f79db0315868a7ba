package org.tfq.cli;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tfq.ir.io.Json;
import org.tfq.verilog.EngineTestbench;
import org.tfq.verilog.SimResult;
import org.tfq.verilog.Simulator;
import org.tfq.verilog.SimulatorNotFoundException;
import org.tfq.verilog.Simulators;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tfq simulate OUTDIR}: builds and runs the self-checking testbench {@code tfq compile}
 * wrote into {@code OUTDIR/sim/} (described by {@code sim/sim.json}) against the RTL of
 * {@code OUTDIR/rtl/}, in Verilator or Icarus Verilog ({@link EngineTestbench#run}). Prints a
 * summary, or with {@code --json} the JSON it also writes to {@code OUTDIR/reports/simulation.json}.
 * Exit 0 only when every output of every vector matched the golden model bit for bit and every
 * inference took exactly the cycles the scheduler predicted; a mismatch, other cycles, a failed
 * build or a timeout is exit 1 with one line saying which.
 */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Builds and runs the self-checking testbench of a compiled design (OUTDIR/sim/tb_tfq.v with the RTL of"
                    + " OUTDIR/rtl/) and checks every output against the integer golden model, bit for bit, and the"
                    + " measured cycles per inference against the scheduler's prediction. The test vectors are"
                    + " chosen at compile time (tfq compile --vectors N, from --inputs X.npy or the calibration"
                    + " inputs); to simulate other vectors, compile again. Prints vectors, mismatches, measured and"
                    + " predicted cycles, and writes OUTDIR/reports/simulation.json. Build products and logs go to"
                    + " OUTDIR/sim/<simulator>/.",
            "Exit 0 when bit-exact and the cycles equal the prediction; 1 on a mismatch, other cycles, a failed"
                    + " build or a timeout."
        })
final class SimulateCommand extends TfqCommand {

    static final String SIM_JSON = "sim/sim.json";
    static final String REPORT = "reports/simulation.json";
    static final String COMPILE_REPORT = "report.json";

    @Parameters(index = "0", paramLabel = "OUTDIR", description = "The output folder of tfq compile.")
    Path outdir;

    @Option(names = "--simulator", paramLabel = "NAME", defaultValue = "verilator",
            description = "verilator (default) or iverilog (Icarus Verilog; also: icarus).")
    String simulatorName;

    @Option(names = "--json", description = "Print the result as JSON (the contents of OUTDIR/" + REPORT + ").")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Time limit for build and simulation together (default: ${DEFAULT-VALUE} s).")
    double timeoutSeconds;

    /** Where the simulator's tools are looked for: null is the PATH; tests set a PATH without them. */
    String searchPath;

    /** What sim/sim.json says about the testbench. */
    record Testbench(String top, List<String> rtl, long vectors, long predictedCycles, Long lanes) {}

    @Override
    protected int run() throws Exception {
        Simulator simulator = Simulators.named(simulatorName, searchPath).orElseThrow(() -> new CliException(
                "--simulator " + simulatorName + ": unknown simulator; choose " + String.join(" or ", Simulators.NAMES)));
        if (!(timeoutSeconds > 0) || timeoutSeconds > 7 * 24 * 3600) {
            throw new CliException("--timeout " + plain(timeoutSeconds) + ": give the time limit in seconds, more than 0");
        }
        // under OUTDIR's lock, shared with other simulations: a compile cannot replace the design meanwhile
        try (OutputLock lock = lock(outdir, err())) {
            return simulate(simulator);
        }
    }

    /**
     * A working folder of this simulation's own, with copies of sim/'s vector files: two
     * simulations of one OUTDIR never build into, or run, the same files ("Text file busy").
     */
    private static Path privateFolder(Path outdir, Simulator simulator) throws IOException {
        // one level below OUTDIR like sim/: the testbench reads ../rtl/
        Path dir = Files.createTempDirectory(outdir, OutputLock.INSIDE_SIM + simulator.name() + "-");
        try (Stream<Path> s = Files.list(outdir.resolve("sim"))) {
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".mem") && Files.isRegularFile(p)).toList()) {
                Files.copy(f, dir.resolve(f.getFileName().toString()));
            }
        }
        return dir;
    }

    /** The build products and logs of {@code built} become sim/&lt;simulator&gt;/, replacing an earlier run's. */
    private static void publish(Path built, Path logDir) throws IOException {
        if (!Files.isDirectory(built)) return;
        Path old = logDir.resolveSibling("." + logDir.getFileName() + ".old-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        while (true) {
            if (Files.exists(logDir)) {
                try {
                    Files.move(logDir, old, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.NoSuchFileException e) {
                    // another simulation moved it first
                }
            }
            try {
                Files.move(built, logDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                break;
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another simulation published in between: replace that one
            }
        }
        OutputDirectory.delete(old);
    }

    /** The lock of {@code outdir}, which must be there, or have been moved aside by an interrupted compile (then it is put back). */
    static OutputLock lock(Path outdir, java.io.PrintWriter notes) throws IOException {
        Path abs = OutputDirectory.followLink(outdir);
        if (!Files.exists(abs)) {
            Path parent = abs.getParent();
            boolean aside = false;
            if (parent != null && Files.isDirectory(parent)) {
                try (Stream<Path> s = Files.list(parent)) {
                    aside = s.anyMatch(p -> p.getFileName().toString().startsWith("." + abs.getFileName() + ".old-"));
                }
            }
            if (!aside) OutputDirectory.requireFolder(outdir);
        }
        return OutputLock.acquire(abs, OutputLock.isMountPoint(abs), notes, true);
    }

    private int simulate(Simulator simulator) throws Exception {
        Testbench tb = testbench(outdir);
        Duration timeout = Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000)));

        long t0 = System.nanoTime();
        EngineTestbench.Result r;
        Path logDir = outdir.resolve("sim").resolve(simulator.name());
        Path work = privateFolder(outdir, simulator);
        try {
            r = EngineTestbench.run(outdir, work, tb.rtl(), simulator, timeout);
            publish(work.resolve(simulator.name()), logDir);
        } catch (SimulatorNotFoundException e) {
            throw new CliException(e.getMessage()); // a tool to install, not a bug in tfq
        } finally {
            OutputDirectory.delete(work);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        Outcome o = judge(r, tb, simulator, logDir, timeout);
        Map<String, Object> report = json(r, tb, simulator, o, seconds);
        String text = Json.write(report);
        OutputDirectory.writeWhole(outdir.resolve(REPORT), text);
        if (json) {
            out().print(text);
        } else {
            summary(r, tb, simulator, o, seconds, logDir);
        }
        out().flush();
        if (o.error() != null) return fail(o.error(), null);
        return Main.EXIT_OK;
    }

    /** Checks that {@code dir} is a compile's output folder with a testbench and reads its sim/sim.json. */
    static Testbench testbench(Path dir) throws IOException {
        OutputDirectory.requireFolder(dir);
        if (!Files.isRegularFile(dir.resolve(COMPILE_REPORT)) && !Files.isRegularFile(dir.resolve(OutputDirectory.MARKER))) {
            throw new CliException(dir + ": not an output folder of tfq compile (no " + COMPILE_REPORT + ")");
        }
        Path simJson = dir.resolve(SIM_JSON);
        if (!Files.isRegularFile(simJson)) {
            throw new CliException(dir + ": no " + SIM_JSON + ", so no testbench to simulate; run tfq compile first");
        }
        Object parsed;
        try {
            parsed = Json.read(Files.readString(simJson, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CliException(simJson + ": not JSON (" + e.getMessage() + "); run tfq compile again");
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new CliException(simJson + ": not a JSON object; run tfq compile again");
        Object top = m.get("top");
        if (!EngineTestbench.TOP.equals(top)) {
            throw new CliException(simJson + ": \"top\" is " + top + ", this tfq's testbench is " + EngineTestbench.TOP
                    + "; run tfq compile again");
        }
        List<String> rtl = new ArrayList<>();
        if (!(m.get("rtl") instanceof List<?> files) || files.isEmpty()) {
            throw new CliException(simJson + ": \"rtl\" must list the Verilog files of rtl/; run tfq compile again");
        }
        for (Object f : files) {
            if (!(f instanceof String s) || s.isBlank() || s.contains("/") || s.contains("\\") || s.startsWith(".")) {
                throw new CliException(simJson + ": \"rtl\" holds " + f + ", not a file name in rtl/; run tfq compile again");
            }
            if (!Files.isRegularFile(dir.resolve("rtl").resolve(s))) {
                throw new CliException(dir.resolve("rtl").resolve(s) + ": no such file (listed in " + SIM_JSON + "); run tfq compile again");
            }
            rtl.add(s);
        }
        for (String f : List.of(EngineTestbench.FILE, EngineTestbench.INPUTS, EngineTestbench.EXPECTED)) {
            Path p = dir.resolve("sim").resolve(f);
            if (!Files.isRegularFile(p)) throw new CliException(p + ": no such file (the testbench tfq compile writes); run tfq compile again");
        }
        long vectors = count(m, "vectors", simJson);
        long predicted = count(m, "predicted_cycles", simJson);
        Long lanes = m.get("lanes") == null ? null : count(m, "lanes", simJson);
        return new Testbench((String) top, rtl, vectors, predicted, lanes);
    }

    private static long count(Map<?, ?> m, String key, Path file) {
        Object v = m.get(key);
        if (v instanceof Double d && d >= 1 && d == Math.rint(d) && d < 1e15) return d.longValue();
        throw new CliException(file + ": \"" + key + "\" must be a positive whole number, got " + v + "; run tfq compile again");
    }

    /** The verdict: null error when bit-exact and on time. */
    record Outcome(String status, String error, String firstMismatch, List<Path> buildLogs) {}

    private static final Pattern VERILATOR_MESSAGE = Pattern.compile("^%(Error|Warning)");
    private static final Pattern ERROR_LINE = Pattern.compile("(?i)(\\berror\\b|fatal)");

    static Outcome judge(EngineTestbench.Result r, Testbench tb, Simulator simulator, Path logDir, Duration timeout) {
        SimResult s = r.sim();
        String name = simulator.name();
        List<Path> buildLogs = buildLogs(logDir);
        String mismatch = s.firstMismatch().orElse(null);
        if (!s.built()) {
            if (s.timedOut()) {
                return new Outcome("timeout", name + ": the build did not finish within " + plain(timeout.toMillis() / 1e3)
                        + " s (raise --timeout); logs in " + logDir, null, buildLogs);
            }
            String line = firstErrorLine(s.buildLog());
            Path log = logHolding(buildLogs, line);
            return new Outcome("build_failed", name + ": the testbench did not build: " + (line == null ? "(no output)" : line)
                    + " (log: " + (log != null ? log : logDir) + ")", null, buildLogs);
        }
        Path runLog = logDir.resolve("run.stdout.log");
        if (s.timedOut()) {
            return new Outcome("timeout", name + ": the simulation of " + tb.vectors() + " vectors did not finish within "
                    + plain(timeout.toMillis() / 1e3) + " s (raise --timeout; log: " + runLog + ")", mismatch, buildLogs);
        }
        if (s.summary().isEmpty()) {
            String why = s.exitCode() != 0 ? "exit code " + s.exitCode() : "no summary line";
            String err = s.stderr().lines().filter(l -> !l.isBlank()).findFirst().map(l -> ": " + l.strip()).orElse("");
            return new Outcome("no_summary", name + ": the simulation ended without the testbench's summary (" + why + ")"
                    + err + " (log: " + runLog + ")", mismatch, buildLogs);
        }
        if (r.mismatches() != 0 || mismatch != null) {
            String first = mismatch != null ? mismatch : "(no MISMATCH line)";
            return new Outcome("mismatch", name + ": not bit-exact: " + first + " (" + r.mismatches()
                    + (r.mismatches() == 1 ? " mismatch" : " mismatches") + "; the testbench stopped after " + r.vectors() + " of "
                    + tb.vectors() + " vectors; log: " + runLog + ")", mismatch, buildLogs);
        }
        if (s.exitCode() != 0) {
            return new Outcome("no_summary", name + ": the simulation exited with code " + s.exitCode() + " (log: " + runLog + ")",
                    null, buildLogs);
        }
        if (r.vectors() != tb.vectors()) {
            return new Outcome("vectors", name + ": the testbench ran " + r.vectors() + " vectors, " + SIM_JSON + " says "
                    + tb.vectors() + "; run tfq compile again", null, buildLogs);
        }
        if (r.cyclesMin() < 0 || r.cyclesPerInference().isEmpty()) {
            return new Outcome("cycles", name + ": the testbench printed no cycle counts (log: " + runLog + ")", null, buildLogs);
        }
        if (r.cyclesMin() != tb.predictedCycles() || r.cyclesMax() != tb.predictedCycles() || r.predicted() != tb.predictedCycles()) {
            String measured = r.cyclesMin() == r.cyclesMax() ? String.format(Locale.ROOT, "%,d", r.cyclesMin())
                    : String.format(Locale.ROOT, "%,d to %,d", r.cyclesMin(), r.cyclesMax());
            return new Outcome("cycles", String.format(Locale.ROOT,
                    "%s: bit-exact, but an inference took %s cycles, the scheduler predicted %,d", name, measured, tb.predictedCycles()),
                    null, buildLogs);
        }
        return new Outcome("passed", null, null, buildLogs);
    }

    /**
     * The line of a build log that says what went wrong: Verilator's first {@code %Error} or
     * {@code %Warning} (warnings stop its build) other than its closing "Exiting due to N
     * warning(s)", else the first line that mentions an error (iverilog, g++, make), else the
     * first line; null if the log is empty.
     */
    static String firstErrorLine(String log) {
        List<String> lines = log.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.stream().filter(l -> VERILATOR_MESSAGE.matcher(l).find() && !l.contains("Exiting due to")).findFirst()
                .or(() -> lines.stream().filter(l -> ERROR_LINE.matcher(l).find()).findFirst())
                .orElse(lines.isEmpty() ? null : lines.get(0));
    }

    /** The build logs of this run in {@code logDir}: every *.log there but the simulation's own. */
    private static List<Path> buildLogs(Path logDir) {
        if (!Files.isDirectory(logDir)) return List.of();
        try (Stream<Path> s = Files.list(logDir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".log") && !n.startsWith("run.") && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Path logHolding(List<Path> logs, String line) {
        if (line == null) return null;
        for (Path p : logs) {
            try {
                if (Files.readString(p, StandardCharsets.UTF_8).contains(line)) return p;
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable or not UTF-8: not the one
            }
        }
        return null;
    }

    static Map<String, Object> json(EngineTestbench.Result r, Testbench tb, Simulator simulator, Outcome o, double seconds) {
        SimResult s = r.sim();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("simulator", simulator.name());
        m.put("passed", o.error() == null);
        m.put("status", o.status());
        m.put("vectors", r.vectors());
        m.put("vectors_compiled", tb.vectors());
        m.put("mismatches", r.mismatches() < 0 ? null : r.mismatches());
        m.put("first_mismatch", o.firstMismatch());
        m.put("cycles_per_inference", r.cyclesPerInference().isPresent() ? r.cyclesPerInference().getAsLong() : null);
        m.put("predicted_cycles", tb.predictedCycles());
        m.put("cycles_min", r.cyclesMin() < 0 ? null : r.cyclesMin());
        m.put("cycles_max", r.cyclesMax() < 0 ? null : r.cyclesMax());
        m.put("lanes", tb.lanes());
        m.put("seconds", round(seconds, 2));
        m.put("build_seconds", round(s.buildTime().toNanos() / 1e9, 2));
        m.put("run_seconds", round(s.runTime().toNanos() / 1e9, 2));
        m.put("error", o.error());
        String dir = "sim/" + simulator.name() + "/";
        m.put("build_logs", o.buildLogs().stream().map(p -> dir + p.getFileName()).toList());
        m.put("run_log", dir + "run.stdout.log");
        return m;
    }

    private void summary(EngineTestbench.Result r, Testbench tb, Simulator simulator, Outcome o, double seconds, Path logDir) {
        SimResult s = r.sim();
        String verdict = switch (o.status()) {
            case "passed" -> "bit-exact, cycles as predicted";
            case "cycles" -> "bit-exact, cycles NOT as predicted";
            case "mismatch" -> "NOT bit-exact";
            case "build_failed" -> "build FAILED";
            case "timeout" -> "TIMED OUT";
            default -> "FAILED";
        };
        out().println("simulated " + outdir + " with " + simulator.name() + ": " + verdict);
        out().println(String.format(Locale.ROOT, "  vectors      %d of %d", r.vectors(), tb.vectors()));
        out().println("  mismatches   " + (r.mismatches() < 0 ? "-" : Long.toString(r.mismatches())));
        if (o.firstMismatch() != null) out().println("               first: " + o.firstMismatch());
        String measured = r.cyclesPerInference().isPresent() ? String.format(Locale.ROOT, "%,d", r.cyclesPerInference().getAsLong()) : "-";
        String range = r.cyclesMin() >= 0 && r.cyclesMin() != r.cyclesMax()
                ? String.format(Locale.ROOT, " (min %,d, max %,d)", r.cyclesMin(), r.cyclesMax()) : "";
        out().println(String.format(Locale.ROOT, "  cycles       %s measured%s, %,d predicted (%.1f us at 100 MHz)", measured, range,
                tb.predictedCycles(), tb.predictedCycles() / 100.0));
        out().println(String.format(Locale.ROOT, "  time         %.1f s (build %.1f s, simulation %.1f s)", seconds,
                s.buildTime().toNanos() / 1e9, s.runTime().toNanos() / 1e9));
        List<String> logs = new ArrayList<>();
        for (Path p : o.buildLogs()) logs.add(p.getFileName().toString());
        out().println("  logs         " + logDir + "/ (build: " + (logs.isEmpty() ? "-" : String.join(", ", logs))
                + "; simulation: run.stdout.log, run.stderr.log)");
        out().println("wrote " + outdir.resolve(REPORT));
    }

    private static double round(double v, int decimals) {
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    private static String plain(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
