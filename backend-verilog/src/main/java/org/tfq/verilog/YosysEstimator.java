package org.tfq.verilog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tfq.ir.io.Json;

/**
 * Resource estimate of Verilog-2001 sources by Yosys for the Xilinx 7 series, so that a user knows
 * whether a design fits before a long Vivado run. One Yosys run, the script it writes to
 * {@code logDir/yosys.ys} (rerun it with {@code cd workDir && yosys -s logDir/yosys.ys}):
 * <pre>
 *   read_verilog FILE                             (each source, in order)
 *   synth_xilinx -family xc7 -top TOP -flatten
 *   tee -o yosys_stat.json stat -json
 *   tee -o yosys_ltp.txt ltp -noff t:LUT* t:INV t:MUXF* t:CARRY* w:*
 * </pre>
 * Yosys runs in {@code workDir}: {@code $readmemh("rtl/w.mem")} is read relative to it (Yosys
 * falls back to the directory of the Verilog file only when that fails). {@code -flatten}, as
 * Vivado's default {@code synth_design} does, optimises across module boundaries and leaves one
 * module for {@code ltp}. ABC, not ABC9: on tfq's units (Yosys 0.23) ABC9 took 15-40% longer for
 * LUT counts within 10% either way. I/O buffers are inserted as {@code synth_design} does; they are
 * listed in {@link YosysEstimate#cells()} but are no resource here.
 *
 * <p><b>From cells to resources</b> (Yosys reports cells, Vivado's utilization report slice sites):
 * <ul>
 *   <li>LUT as logic: one per LUT1..LUT6 cell, and one per INV (Vivado implements it as a LUT1).
 *       Yosys does not pair small LUTs into one LUT6 site (O5/O6), so this is the count of LUT
 *       cells Vivado reports after synthesis; placement may pack pairs and use fewer sites.
 *   <li>LUT as memory ("LUTRAM"): distributed RAM primitives take the LUTs of UG474's table
 *       "Distributed RAM Configuration" (RAM32X1S, RAM64X1S 1; RAM32X1D, RAM64X1D, RAM128X1S 2;
 *       RAM32M, RAM64M, RAM128X1D, RAM256X1S 4); shift registers (SRL16E, SRLC16E, SRLC32E) one
 *       LUT each, as Vivado's "LUT as Memory" counts them too. All LUTs = logic + memory, Vivado's
 *       "Slice LUTs".
 *   <li>FF: FDRE, FDSE, FDCE, FDPE and the latches LDCE, LDPE (Vivado's "Slice Registers").
 *   <li>DSP: DSP48E1. BRAM: RAMB36E1 (FIFO36E1), RAMB18E1 (FIFO18E1); half a tile per RAMB18.
 *   <li>CARRY4, MUXF7, MUXF8: reported for information; they take no LUT.
 * </ul>
 *
 * <p><b>Logic levels</b>, the timing proxy: Yosys' {@code ltp} (longest topological path, in
 * cells) over the LUT, INV, MUXF7/8 and CARRY4 cells only. Every other cell cuts paths, as a
 * register does: flip-flops, DSP48E1 (tfq's units register their products in it), block RAM,
 * distributed RAM and SRLs (their asynchronous read path, one or two LUT levels, is not counted).
 * {@code ltp -noff} alone is no use after mapping: it knows only Yosys' internal flip-flop types,
 * not FDRE, and would follow paths through registers. Each cell counts one, a CARRY4 of a carry
 * chain too, as Vivado counts logic levels; routing is not modelled.
 */
public final class YosysEstimator {

    /** Long enough for any design that fits an XC7S100; a runaway Yosys is stopped. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    /** Files written into the log directory. */
    public static final String SCRIPT = "yosys.ys";
    public static final String LOG = "yosys.log";
    public static final String STAT = "yosys_stat.json";
    public static final String LTP = "yosys_ltp.txt";
    static final String STDOUT = "yosys.stdout.log";
    static final String STDERR = "yosys.stderr.log";

    /** LUTs each 7 series distributed RAM primitive occupies (UG474, "Distributed RAM Configuration"). */
    public static final Map<String, Integer> DISTRIBUTED_RAM_LUTS = Map.of(
            "RAM32X1S", 1, "RAM64X1S", 1,
            "RAM32X1D", 2, "RAM64X1D", 2, "RAM128X1S", 2,
            "RAM32M", 4, "RAM64M", 4, "RAM128X1D", 4, "RAM256X1S", 4);

    static final Set<String> SHIFT_REGISTERS = Set.of("SRL16E", "SRLC16E", "SRLC32E");
    static final Set<String> LOGIC_LUTS = Set.of("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "INV");
    static final Set<String> FLIP_FLOPS = Set.of("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE");
    static final Set<String> RAMB36 = Set.of("RAMB36E1", "FIFO36E1");
    static final Set<String> RAMB18 = Set.of("RAMB18E1", "FIFO18E1");
    /** Cells that are no resource of the estimate but expected in a mapped design. */
    static final Set<String> NOT_RESOURCES = Set.of("CARRY4", "MUXF7", "MUXF8", "IBUF", "IBUFG", "OBUF", "OBUFT",
            "IOBUF", "BUFG", "BUFGCTRL", "BUFH", "GND", "VCC");

    private static final Pattern LTP_LINE = Pattern.compile("Longest topological path in \\S+ \\(length=(-?\\d+)\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    private final String searchPath;

    /** Yosys from this process' PATH. */
    public YosysEstimator() {
        this(null);
    }

    /** Yosys from the directories of {@code searchPath} (null: this process' PATH). */
    public YosysEstimator(String searchPath) {
        this.searchPath = searchPath == null ? System.getenv("PATH") : searchPath;
    }

    /** Whether {@code yosys} is on the search path. */
    public boolean isAvailable() {
        return ProcessRunner.onPath("yosys", searchPath) != null;
    }

    /** {@link #estimate(List, String, Path, Path, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public YosysEstimate estimate(List<Path> sources, String top, Path workDir, Path logDir) {
        return estimate(sources, top, workDir, logDir, DEFAULT_TIMEOUT);
    }

    /**
     * Synthesizes {@code sources} with top module {@code top}, Yosys running in {@code workDir}
     * (where {@code $readmemh} paths start), writing its script, log and reports into
     * {@code logDir} (created if missing).
     *
     * @throws SimulatorNotFoundException if yosys is not installed (the message says how to install it)
     * @throws YosysException             if Yosys fails or times out, with its first error and the log's path
     */
    public YosysEstimate estimate(List<Path> sources, String top, Path workDir, Path logDir, Duration timeout) {
        Path yosys = ProcessRunner.onPath("yosys", searchPath);
        if (yosys == null) throw new SimulatorNotFoundException("yosys", "yosys");
        if (sources.isEmpty()) throw new IllegalArgumentException("no Verilog sources");
        if (top == null || !IDENTIFIER.matcher(top).matches()) throw new IllegalArgumentException("not a Verilog module name: " + top);
        Path cwd = workDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(cwd)) throw new YosysException(workDir + ": no such folder (Yosys' working folder)");
        Path logs = logDir.toAbsolutePath().normalize();
        Path log = logs.resolve(LOG);
        Path stat = logs.resolve(STAT);
        Path ltp = logs.resolve(LTP);
        Path script = logs.resolve(SCRIPT);
        try {
            Files.createDirectories(logs);
            for (Path old : List.of(log, stat, ltp)) Files.deleteIfExists(old); // never read a previous run's numbers
            Files.writeString(script, script(sources, top, cwd, stat, ltp), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Yosys' files to " + logs, e);
        }
        ProcessRunner.Outcome o = ProcessRunner.run(
                List.of(yosys.toString(), "-q", "-l", log.toString(), "-s", script.toString()),
                cwd, timeout, logs.resolve(STDOUT), logs.resolve(STDERR), searchPath);
        if (o.timedOut()) {
            throw new YosysException("yosys timed out after " + timeout.toSeconds() + " s on " + top + " (log: " + log + ")");
        }
        if (o.exitCode() != 0) {
            throw new YosysException("yosys failed on " + top + ": " + firstError(o.stderr(), log) + " (log: " + log + ")");
        }
        try {
            return parse(top, Files.readString(stat, StandardCharsets.UTF_8), Files.readString(ltp, StandardCharsets.UTF_8),
                    o.elapsed(), log);
        } catch (IOException e) {
            throw new YosysException("yosys wrote no " + e.getMessage() + " (log: " + log + ")");
        }
    }

    /**
     * Runs a flow's own Yosys script (an iCE40 design's {@code ice40/synth.ys}) in {@code workDir},
     * its log to {@code log}, then {@code stat -json} into {@code statJson}, and returns the cell
     * counts by type. The script itself writes no files, so callers with their own outputs can run
     * it at once.
     *
     * @throws SimulatorNotFoundException if yosys is not installed
     * @throws YosysException             if Yosys fails, times out or writes no statistics
     */
    public Map<String, Integer> runScript(Path script, Path workDir, Path log, Path statJson, Duration timeout) {
        Path yosys = ProcessRunner.onPath("yosys", searchPath);
        if (yosys == null) throw new SimulatorNotFoundException("yosys", "yosys");
        Path logs = log.toAbsolutePath().getParent();
        try {
            Files.createDirectories(logs);
            Files.deleteIfExists(statJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Yosys' files to " + logs, e);
        }
        // the script writes nothing itself: the statistics go where this caller says, after it; the
        // path relative to workDir, as Yosys takes a file name with no quoting (a space would split it)
        String stat = "tee -q -o " + workDir.toAbsolutePath().relativize(statJson.toAbsolutePath()) + " stat -json";
        ProcessRunner.Outcome o = ProcessRunner.run(List.of(yosys.toString(), "-q", "-l", log.toString(), "-s", script.toString(), "-p", stat),
                workDir, timeout, logs.resolve(STDOUT), logs.resolve(STDERR), searchPath);
        if (o.timedOut()) throw new YosysException("yosys timed out after " + timeout.toSeconds() + " s on " + script + " (log: " + log + ")");
        if (o.exitCode() != 0) throw new YosysException("yosys failed on " + script + ": " + firstError(o.stderr(), log) + " (log: " + log + ")");
        try {
            Object json = Json.read(Files.readString(statJson, StandardCharsets.UTF_8));
            if (!(json instanceof Map<?, ?> root) || !(root.get("design") instanceof Map<?, ?> d)) {
                throw new YosysException(statJson + ": not Yosys' stat -json output (log: " + log + ")");
            }
            Map<String, Integer> cells = new TreeMap<>();
            addCells(cells, d, log);
            return cells;
        } catch (IOException | IllegalArgumentException e) {
            throw new YosysException("yosys wrote no statistics " + statJson + ": " + e.getMessage() + " (log: " + log + ")");
        }
    }

    /** The Yosys script; paths under {@code cwd} relative to it, so the script reruns from there. */
    static String script(List<Path> sources, String top, Path cwd, Path stat, Path ltp) {
        StringBuilder b = new StringBuilder();
        b.append("# tfq: Yosys resource estimate of ").append(top).append(" for the Xilinx 7 series.\n");
        b.append("# Run from ").append(cwd).append(" ($readmemh paths start there).\n");
        for (Path s : sources) b.append("read_verilog ").append(quote(s, cwd)).append('\n');
        b.append("synth_xilinx -family xc7 -top ").append(top).append(" -flatten\n");
        b.append("tee -o ").append(bare(stat, cwd)).append(" stat -json\n");
        b.append("tee -o ").append(bare(ltp, cwd)).append(" ltp -noff t:LUT* t:INV t:MUXF* t:CARRY* w:*\n");
        return b.toString();
    }

    /** {@code p} relative to {@code cwd} when under it, else absolute. */
    private static String relative(Path p, Path cwd) {
        Path abs = p.toAbsolutePath().normalize();
        return (abs.startsWith(cwd) ? cwd.relativize(abs) : abs).toString();
    }

    /** A file to read, quoted: read_verilog takes a quoted name with spaces. */
    private static String quote(Path p, Path cwd) {
        String s = relative(p, cwd);
        if (s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new YosysException(p + ": Yosys cannot read a path with a quote or line break");
        }
        return '"' + s + '"';
    }

    /** A file to write, unquoted: tee -o keeps quotes as part of the name, so no spaces either. */
    private static String bare(Path p, Path cwd) {
        String s = relative(p, cwd);
        if (!s.chars().allMatch(c -> c > ' ' && c != '"' && c != '\'' && c != ';' && c != '#')) {
            throw new YosysException(p + ": Yosys cannot write to a path with a space, quote, ';' or '#';"
                    + " use a log folder inside the working folder " + cwd + " or one without them");
        }
        return s;
    }

    /** Yosys' first ERROR line, or the end of its log when there is none. */
    private static String firstError(String stderr, Path log) {
        // with -q, errors go to stderr; Yosys ends them with no line break, so split at "ERROR:" too
        for (String line : stderr.replace("ERROR:", "\nERROR:").split("\n")) {
            if (line.startsWith("ERROR:")) return line.strip();
        }
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            for (String line : lines) {
                if (line.contains("ERROR:")) return line.strip();
            }
        } catch (IOException | UncheckedIOException ignored) {
            // the message below will do
        }
        String s = stderr.strip();
        return s.isEmpty() ? "no error message" : s.lines().reduce((a, b) -> b).orElse(s);
    }

    /**
     * The estimate from {@code stat -json} output and {@code ltp} output; {@link YosysException}
     * when either is not what Yosys writes.
     */
    static YosysEstimate parse(String top, String statJson, String ltpText, Duration elapsed, Path log) {
        Object json;
        try {
            json = Json.read(statJson);
        } catch (IllegalArgumentException e) {
            throw new YosysException("Yosys' stat -json output is not JSON: " + e.getMessage() + " (log: " + log + ")");
        }
        if (!(json instanceof Map<?, ?> root)) throw new YosysException("Yosys' stat -json output is not a JSON object (log: " + log + ")");
        Map<String, Integer> cells = new TreeMap<>();
        Object design = root.get("design");
        if (design instanceof Map<?, ?> d) {
            addCells(cells, d, log);
        } else if (root.get("modules") instanceof Map<?, ?> modules && !modules.isEmpty()) {
            for (Object m : modules.values()) {
                if (m instanceof Map<?, ?> mm) addCells(cells, mm, log);
            }
        } else {
            throw new YosysException("Yosys' stat -json output has no \"design\" or \"modules\" (log: " + log + ")");
        }

        int lutLogic = 0, dram = 0, srl = 0, ff = 0, dsp = 0, r36 = 0, r18 = 0;
        Map<String, Integer> uncounted = new TreeMap<>();
        for (Map.Entry<String, Integer> e : cells.entrySet()) {
            String t = e.getKey();
            int n = e.getValue();
            if (LOGIC_LUTS.contains(t)) lutLogic += n;
            else if (DISTRIBUTED_RAM_LUTS.containsKey(t)) dram += n * DISTRIBUTED_RAM_LUTS.get(t);
            else if (SHIFT_REGISTERS.contains(t)) srl += n;
            else if (FLIP_FLOPS.contains(t)) ff += n;
            else if (t.equals("DSP48E1")) dsp += n;
            else if (RAMB36.contains(t)) r36 += n;
            else if (RAMB18.contains(t)) r18 += n;
            else if (!NOT_RESOURCES.contains(t)) uncounted.put(t, n);
        }

        Matcher m = LTP_LINE.matcher(ltpText);
        if (!m.find()) throw new YosysException("Yosys' ltp output has no longest path (log: " + log + ")");
        int levels = Math.max(0, Integer.parseInt(m.group(1)));

        String version = root.get("creator") instanceof String s ? s : "Yosys (unknown version)";
        return new YosysEstimate(top, lutLogic, dram, srl, ff, dsp, r36, r18, cells.getOrDefault("CARRY4", 0),
                cells.getOrDefault("MUXF7", 0), cells.getOrDefault("MUXF8", 0), levels, cells, uncounted, version, elapsed, log);
    }

    private static void addCells(Map<String, Integer> cells, Map<?, ?> stat, Path log) {
        Object byType = stat.get("num_cells_by_type");
        if (byType == null) return; // a module without cells
        if (!(byType instanceof Map<?, ?> types)) throw new YosysException("Yosys' stat -json output: num_cells_by_type is not an object (log: " + log + ")");
        for (Map.Entry<?, ?> e : types.entrySet()) {
            String type = String.valueOf(e.getKey());
            if (type.startsWith("\\")) type = type.substring(1);
            if (!(e.getValue() instanceof Double d) || d < 0 || d != Math.rint(d)) {
                throw new YosysException("Yosys' stat -json output: count of " + type + " is " + e.getValue() + " (log: " + log + ")");
            }
            cells.merge(type, d.intValue(), Integer::sum);
        }
    }
}
