package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.io.Json;
import org.tfq.verilog.EngineTestbench;
import org.tfq.verilog.Icarus;
import org.tfq.verilog.Verilator;

/**
 * The pooling exports (testdata/pooling, from testdata/make_pooling_models.py) through every
 * stage: 8-bit post-training quantization close to float, compiled at 1, 4 and 8 lanes and
 * simulated in Verilator and Icarus, every layer checked, bit-exact with measured cycles equal
 * to the prediction; and the cycles the schedule spends (one per element read, a window costs
 * nothing).
 */
class PoolingSimulationTest {

    static Path pooling(String file) {
        return Cli.root().resolve("testdata/pooling").resolve(file);
    }

    static List<String> models() throws IOException {
        try (Stream<Path> s = Files.list(Cli.root().resolve("testdata/pooling"))) {
            List<String> m = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
            assertFalse(m.isEmpty());
            return m;
        }
    }

    static List<Object[]> cases() throws IOException {
        List<Object[]> c = new ArrayList<>();
        for (String m : models()) {
            for (int lanes : new int[] {1, 4, 8}) {
                for (String sim : new String[] {"verilator", "icarus"}) c.add(new Object[] {m, lanes, sim});
            }
        }
        return c;
    }

    private static Path compile(String stem, int lanes, Path out) {
        Cli c = Cli.run("compile", pooling(stem + ".onnx").toString(), "-o", out.toString(), "--bits", "8", "--calibration",
                pooling(stem + ".calibration.npy").toString(), "--lanes", Integer.toString(lanes), "--vectors", "2", "--check-layers");
        assertEquals(0, c.exit(), c.err());
        return out;
    }

    @ParameterizedTest(name = "{0} at {1} lanes, {2}")
    @MethodSource("cases")
    void bitExactAndOnTime(String stem, int lanes, String simulator, @TempDir Path dir) throws IOException {
        Path out = compile(stem, lanes, dir.resolve("out"));
        @SuppressWarnings("unchecked")
        Map<String, Object> sim = (Map<String, Object>) Json.read(Files.readString(out.resolve("sim/sim.json")));
        @SuppressWarnings("unchecked")
        List<String> rtl = (List<String>) sim.get("rtl");
        long predicted = ((Number) sim.get("predicted_cycles")).longValue();
        EngineTestbench.Result r = EngineTestbench.run(out, rtl, simulator.equals("icarus") ? new Icarus() : new Verilator(),
                Duration.ofMinutes(5));
        assertTrue(r.sim().passed(), r.sim().describe());
        assertEquals(2, r.vectors());
        assertEquals(predicted, r.cyclesMin());
        assertEquals(predicted, r.cyclesMax());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void eightBitsStayCloseToFloat(String stem) {
        Cli c = Cli.run("evaluate", pooling(stem + ".onnx").toString(), "--inputs", pooling(stem + ".inputs.npy").toString(),
                "--bits", "8", "--calibration", pooling(stem + ".calibration.npy").toString(), "--json");
        assertEquals(0, c.exit(), c.err());
        assertTrue(number(c.out(), "max_abs_diff_onnxruntime_vs_float_ir") <= 1e-5, c.out());
        // outputs of order 1; a maximum picks the extremes, which the calibrated ranges clip first (pl_global_max_pool: 0.04)
        assertTrue(number(c.out(), "rmse_int_vs_float") < 0.05, c.out());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> program(Path out) throws IOException {
        Map<String, Object> report = (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
        return (List<Map<String, Object>>) ((Map<String, Object>) report.get("hardware")).get("program");
    }

    private static Map<String, Object> instruction(List<Map<String, Object>> program, String node) {
        return program.stream().filter(i -> i.get("node").equals(node)).findFirst()
                .orElseThrow(() -> new AssertionError("no instruction " + node + " in " + program));
    }

    private static long cycles(List<Map<String, Object>> program, String node) {
        return ((Number) instruction(program, node).get("cycles")).longValue();
    }

    @Test
    void aMaximumIsOneCyclePerElementRead(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = program(compile("pl_max_min", 4, dir.resolve("out")));
        // h is [1, 10, 4]: the maximum over time reads 40 elements, the one over features 40 too; the
        // minimum over both axes is two pools (over features, then over the 10 row minima)
        long amax = cycles(p, "/ReduceMax"), max = cycles(p, "/ReduceMax_1");
        assertEquals("max", instruction(p, "/ReduceMax").get("kind"));
        assertEquals(amax, max);
        assertEquals(amax - 30, cycles(p, "/ReduceMin_1"), "the second pool over both axes reads 10 elements");
        assertEquals(amax, cycles(p, "/ReduceMin_1/0"));
    }

    @Test
    void slidingWindowsReadInPlace(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = program(compile("pl_series_decomp", 4, dir.resolve("out")));
        // Autoformer's moving average over [1, 3, 12 + 4]: 12 windows of 5 per channel, no window copy
        Map<String, Object> avg = instruction(p, "/moving_avg/avg/Pad"); // the zero Pad and the pool are one node
        assertEquals("mac", avg.get("kind"));
        assertTrue(p.stream().noneMatch(i -> i.get("node").toString().contains("window")), "the window is a view: " + p);
        List<Map<String, Object>> m = program(compile("pl_max_pools", 4, dir.resolve("max")));
        // max_pool1d(k=3, s=2, p=1) over [1, 4, 12]: 4 x 6 windows of 3 elements; adaptive_max_pool1d: 4 rows of 12
        assertEquals(cycles(m, "/MaxPool") - 4 * 6 * 3, cycles(m, "/MaxPool_1") - 4 * 12);
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Double.parseDouble(m.group(1));
    }
}
