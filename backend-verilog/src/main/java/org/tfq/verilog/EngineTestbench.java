package org.tfq.verilog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tfq.ir.io.SafeText;
import org.tfq.passes.schedule.Program;

/**
 * The self-checking testbench of a generated accelerator: {@code sim/tb_tfq.v} and its vectors
 * (input codes and the golden model's output codes, one hex word per line), and running it in a
 * simulator with the RTL of {@code rtl/}. The simulator runs in {@code sim/}, where the
 * testbench finds its vectors; the RTL finds its ROM images through {@code MEM_DIR = "../rtl/"}.
 */
public final class EngineTestbench {
    private EngineTestbench() {}

    public static final String TOP = "tb_tfq";
    public static final String FILE = TOP + ".v";
    public static final String INPUTS = "inputs.mem";
    public static final String EXPECTED = "expected.mem";
    public static final String LAYERS = "layers.mem";

    /** What a simulation of the testbench measured, next to what the scheduler predicted. */
    public record Result(SimResult sim, long vectors, long mismatches, OptionalLong cyclesPerInference, long cyclesMin,
            long cyclesMax, long predicted) {

        /** Every vector matched and every inference took exactly the predicted cycles. */
        public boolean exact() {
            return sim.passed() && cyclesMin == predicted && cyclesMax == predicted;
        }
    }

    /** Writes the testbench and vectors for {@code inputs} (codes per vector) and {@code expected} into {@code simDir}. */
    public static void write(Program p, List<long[]> inputs, List<long[]> expected, String outputName, Path simDir,
            String version) {
        write(p, inputs, expected, null, outputName, simDir, version);
    }

    /**
     * As above; with {@code layers} (per vector, every value's golden codes by name) the testbench
     * also checks every layer's buffer after the instruction that wrote it ({@value #LAYERS}).
     */
    public static void write(Program p, List<long[]> inputs, List<long[]> expected, List<Map<String, long[]>> layers,
            String outputName, Path simDir, String version) {
        if (inputs.isEmpty() || inputs.size() != expected.size()) throw new IllegalArgumentException("one expected output per input vector");
        SpiWrapper.Ports ports = SpiWrapper.Ports.of(p);
        int inTw = ports.inTw(), outTw = ports.outTw();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelName", SafeText.verilogComment(p.name()));
        m.put("version", version);
        m.put("vectors", inputs.size());
        m.put("inputCount", p.inputCount());
        m.put("outputCount", p.outputCount());
        m.put("inTw", inTw);
        m.put("outTw", outTw);
        m.put("predictedCycles", p.predictedCycles());
        m.put("outputName", SafeText.verilogString(outputName));
        m.put("memDir", "../rtl/");
        m.put("checkLayers", layers != null);
        if (layers != null) {
            List<Map<String, Object>> checks = new ArrayList<>();
            int off = 0;
            for (Program.Check c : p.checks()) {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("pc", c.pc());
                cm.put("base", c.base());
                cm.put("count", c.count());
                cm.put("offset", off);
                cm.put("output", c.output() ? 1 : 0);
                cm.put("value", SafeText.verilogString(c.value()));
                cm.put("node", SafeText.verilogString(c.node()));
                checks.add(cm);
                off += c.count();
            }
            m.put("checks", checks);
            m.put("layerBlock", Math.max(1, off));
            m.put("actW", p.widths().act());
            m.put("outW", p.widths().out());
            StringBuilder sb = new StringBuilder();
            for (Map<String, long[]> vec : layers) {
                for (Program.Check c : p.checks()) {
                    long[] v = vec.get(c.value());
                    if (v == null || v.length != c.count()) throw new IllegalArgumentException("no golden values for " + c.value());
                    for (long x : v) sb.append(new java.math.BigInteger(EngineGenerator.masked(x, 32, "code")).toString(16)).append('\n');
                }
            }
            TextFiles.write(simDir.resolve(LAYERS), sb.toString());
        }
        Templates.standard().render("engine/tb_tfq.v.ftl", m, simDir.resolve(FILE));
        TextFiles.write(simDir.resolve(INPUTS), words(inputs, inTw, p.inputCount()));
        TextFiles.write(simDir.resolve(EXPECTED), words(expected, outTw, p.outputCount()));
    }

    private static String words(List<long[]> vectors, int width, int count) {
        StringBuilder sb = new StringBuilder();
        for (long[] v : vectors) {
            if (v.length != count) throw new IllegalArgumentException("vector of " + v.length + " codes, expected " + count);
            for (long x : v) sb.append(new java.math.BigInteger(EngineGenerator.masked(x, width, "code")).toString(16)).append('\n');
        }
        return sb.toString();
    }

    private static final Pattern CYCLES = Pattern.compile("^cycles_per_inference (\\d+)$", Pattern.MULTILINE);
    private static final Pattern RANGE = Pattern.compile("^cycles_min (\\d+) cycles_max (\\d+) predicted (\\d+)$", Pattern.MULTILINE);

    /**
     * Builds and runs the testbench of the output directory {@code outDir} ({@code rtl/} and
     * {@code sim/}) with {@code simulator}; {@code rtlFiles} are the Verilog files of {@code rtl/}.
     */
    public static Result run(Path outDir, List<String> rtlFiles, Simulator simulator, Duration timeout) {
        return run(outDir, outDir.resolve("sim"), rtlFiles, simulator, timeout);
    }

    /**
     * {@link #run(Path, List, Simulator, Duration)} with {@code workDir} as the simulator's working
     * folder (build products and logs in {@code workDir/<simulator>/}): one level below
     * {@code outDir}, where the testbench's {@code ../rtl/} is {@code outDir/rtl/}, holding copies
     * of {@code sim/}'s vector files, which the testbench reads from its working folder.
     */
    public static Result run(Path outDir, Path workDir, List<String> rtlFiles, Simulator simulator, Duration timeout) {
        Path sim = outDir.resolve("sim").toAbsolutePath();
        List<Path> sources = new ArrayList<>();
        for (String f : rtlFiles) sources.add(outDir.resolve("rtl").resolve(f).toAbsolutePath());
        sources.add(sim.resolve(FILE));
        SimResult r = simulator.run(workDir.toAbsolutePath(), sources, TOP, timeout);
        String out = r.stdout();
        OptionalLong first = OptionalLong.empty();
        Matcher c = CYCLES.matcher(out);
        if (c.find()) first = OptionalLong.of(Long.parseLong(c.group(1)));
        long min = -1, max = -1, predicted = -1;
        Matcher g = RANGE.matcher(out);
        if (g.find()) {
            min = Long.parseLong(g.group(1));
            max = Long.parseLong(g.group(2));
            predicted = Long.parseLong(g.group(3));
        }
        long vectors = r.summary().map(SimResult.Summary::vectors).orElse(0L);
        long mismatches = r.summary().map(SimResult.Summary::mismatches).orElse(-1L);
        return new Result(r, vectors, mismatches, first, min, max, predicted);
    }
}
