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

/**
 * The data-movement exports (testdata/movement, from testdata/make_movement_models.py) through
 * every stage: 8-bit post-training quantization close to float, then compiled at 1, 4 and 8
 * lanes and simulated in Verilator and in Icarus, every layer checked, bit-exact with measured
 * cycles equal to the prediction; and what the schedule spends on them (windows and stacks of
 * slices cost nothing, a concat one copy per part).
 */
class MovementSimulationTest {

    static final FixtureModels MOVEMENT = new FixtureModels("movement");

    static List<String> models() throws IOException {
        return MOVEMENT.stems();
    }

    static List<Object[]> cases() throws IOException {
        return MOVEMENT.cases();
    }

    private static SimulatedDesign compile(String stem, int lanes, Path out) throws IOException {
        return MOVEMENT.compile(stem, lanes, out);
    }

    @ParameterizedTest(name = "{0} at {1} lanes, {2}")
    @MethodSource("cases")
    void bitExactAndOnTime(String stem, int lanes, String simulator, @TempDir Path dir) throws IOException {
        SimulatedDesign d = compile(stem, lanes, dir.resolve("out"));
        d.assertBitExactAndOnTime(SimulatedDesign.simulator(simulator), 2, Duration.ofMinutes(5), "");
        // designs without a table ROM or a divider: the parameters and signals only those use are absent
        if (simulator.equals("verilator")) d.assertLintClean();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void eightBitsStayCloseToFloat(String stem) {
        String json = MOVEMENT.evaluate(stem);
        // outputs of order 1 (random weights, unit normal inputs): a few 8-bit steps at most
        assertTrue(FixtureModels.number(json, "max_abs_diff_onnxruntime_vs_float_ir") <= 1e-5, json);
        assertTrue(FixtureModels.number(json, "rmse_int_vs_float") < 0.02, json);
    }

    @Test
    void circularPaddingIsThreeCopiesAndTheConvWindowNone(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = FixtureModels.program(compile("mv_tslib_token", 4, dir.resolve("out")).out());
        // [1, 3, 12] padded to [1, 3, 14]: the last column, the input, the first column, one element a cycle
        long first = FixtureModels.cycles(p, "/tokenConv/Concat (part 0)"), middle = FixtureModels.cycles(p, "/tokenConv/Concat (part 1)");
        assertEquals(first, FixtureModels.cycles(p, "/tokenConv/Concat (part 2)"));
        assertEquals(36 - 3, middle - first);
        assertTrue(p.stream().noneMatch(i -> i.get("node").toString().contains("im2col")), "the window is read in place: " + p);
        assertEquals(2, p.stream().filter(i -> i.get("kind").equals("mac")).count(), "the conv and the head: " + p);
    }

    @Test
    void patchesCostNothingAndReplicationPaddingTwoCopies(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = FixtureModels.program(compile("mv_patchtst", 4, dir.resolve("out")).out());
        List<String> nodes = p.stream().map(i -> i.get("node").toString()).toList();
        assertEquals(List.of("/pad/Pad (part 0)", "/pad/Pad (part 1)", "/W_P/MatMul", "/mix/MatMul", "/head/MatMul", "end"), nodes);
        // the series [1, 2, 16], then its last column 4 times: 32 and 8 elements
        assertEquals(32 - 8, FixtureModels.cycles(p, "/pad/Pad (part 0)") - FixtureModels.cycles(p, "/pad/Pad (part 1)"));
    }

}
