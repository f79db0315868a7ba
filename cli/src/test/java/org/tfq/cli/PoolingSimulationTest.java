package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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

    static final FixtureModels POOLING = new FixtureModels("pooling");

    static List<String> models() throws IOException {
        return POOLING.stems();
    }

    static List<Object[]> cases() throws IOException {
        return POOLING.cases();
    }

    private static Path compile(String stem, int lanes, Path out) throws IOException {
        return POOLING.compile(stem, lanes, out).out();
    }

    @ParameterizedTest(name = "{0} at {1} lanes, {2}")
    @MethodSource("cases")
    void bitExactAndOnTime(String stem, int lanes, String simulator, @TempDir Path dir) throws IOException {
        SimulatedDesign d = POOLING.compile(stem, lanes, dir.resolve("out"));
        d.assertBitExactAndOnTime(SimulatedDesign.simulator(simulator), 2, Duration.ofMinutes(5), "");
        if (simulator.equals("verilator")) d.assertLintClean();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void eightBitsStayCloseToFloat(String stem) {
        String json = POOLING.evaluate(stem);
        assertTrue(FixtureModels.number(json, "max_abs_diff_onnxruntime_vs_float_ir") <= 1e-5, json);
        // outputs of order 1; a maximum picks the extremes, which the calibrated ranges clip first (pl_global_max_pool: 0.04)
        assertTrue(FixtureModels.number(json, "rmse_int_vs_float") < 0.05, json);
    }

    @Test
    void aMaximumIsOneCyclePerElementRead(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = FixtureModels.program(compile("pl_max_min", 4, dir.resolve("out")));
        // h is [1, 10, 4]: the maximum over time reads 40 elements, the one over features 40 too; the
        // minimum over both axes is two pools (over features, then over the 10 row minima)
        long amax = FixtureModels.cycles(p, "/ReduceMax"), max = FixtureModels.cycles(p, "/ReduceMax_1");
        assertEquals("max", FixtureModels.instruction(p, "/ReduceMax").get("kind"));
        assertEquals(amax, max);
        assertEquals(amax - 30, FixtureModels.cycles(p, "/ReduceMin_1"), "the second pool over both axes reads 10 elements");
        assertEquals(amax, FixtureModels.cycles(p, "/ReduceMin_1/0"));
    }

    @Test
    void slidingWindowsReadInPlace(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = FixtureModels.program(compile("pl_series_decomp", 4, dir.resolve("out")));
        // Autoformer's moving average over [1, 3, 12 + 4]: 12 windows of 5 per channel, no window copy
        Map<String, Object> avg = FixtureModels.instruction(p, "/moving_avg/avg/Pad"); // the zero Pad and the pool are one node
        assertEquals("mac", avg.get("kind"));
        assertTrue(p.stream().noneMatch(i -> i.get("node").toString().contains("window")), "the window is a view: " + p);
        List<Map<String, Object>> m = FixtureModels.program(compile("pl_max_pools", 4, dir.resolve("max")));
        // max_pool1d(k=3, s=2, p=1) over [1, 4, 12]: 4 x 6 windows of 3 elements; adaptive_max_pool1d: 4 rows of 12
        assertEquals(FixtureModels.cycles(m, "/MaxPool") - 4 * 6 * 3, FixtureModels.cycles(m, "/MaxPool_1") - 4 * 12);
    }

}
