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

/**
 * The data-movement exports (testdata/movement, from testdata/make_movement_models.py) through
 * every stage: 8-bit post-training quantization close to float, then compiled at 1, 4 and 8
 * lanes and simulated in Verilator and in Icarus, every layer checked, bit-exact with measured
 * cycles equal to the prediction; and what the schedule spends on them (windows and stacks of
 * slices cost nothing, a concat one copy per part).
 */
class MovementSimulationTest {

    static Path movement(String file) {
        return Cli.root().resolve("testdata/movement").resolve(file);
    }

    static List<String> models() throws IOException {
        try (Stream<Path> s = Files.list(Cli.root().resolve("testdata/movement"))) {
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

    private static SimulatedDesign compile(String stem, int lanes, Path out) throws IOException {
        return SimulatedDesign.compile(out, List.of(movement(stem + ".onnx").toString(), "--bits", "8", "--calibration",
                movement(stem + ".calibration.npy").toString(), "--lanes", Integer.toString(lanes), "--vectors", "2", "--check-layers"));
    }

    @ParameterizedTest(name = "{0} at {1} lanes, {2}")
    @MethodSource("cases")
    void bitExactAndOnTime(String stem, int lanes, String simulator, @TempDir Path dir) throws IOException {
        compile(stem, lanes, dir.resolve("out")).assertBitExactAndOnTime(SimulatedDesign.simulator(simulator), 2, Duration.ofMinutes(5), "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void eightBitsStayCloseToFloat(String stem) {
        Cli c = Cli.run("evaluate", movement(stem + ".onnx").toString(), "--inputs", movement(stem + ".inputs.npy").toString(),
                "--bits", "8", "--calibration", movement(stem + ".calibration.npy").toString(), "--json");
        assertEquals(0, c.exit(), c.err());
        // outputs of order 1 (random weights, unit normal inputs): a few 8-bit steps at most
        assertTrue(number(c.out(), "max_abs_diff_onnxruntime_vs_float_ir") <= 1e-5, c.out());
        assertTrue(number(c.out(), "rmse_int_vs_float") < 0.02, c.out());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> program(Path out) throws IOException {
        Map<String, Object> report = (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
        return (List<Map<String, Object>>) ((Map<String, Object>) report.get("hardware")).get("program");
    }

    private static long cycles(List<Map<String, Object>> program, String node) {
        return program.stream().filter(i -> i.get("node").equals(node)).mapToLong(i -> ((Number) i.get("cycles")).longValue())
                .findFirst().orElseThrow(() -> new AssertionError("no instruction " + node + " in " + program));
    }

    @Test
    void circularPaddingIsThreeCopiesAndTheConvWindowNone(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = program(compile("mv_tslib_token", 4, dir.resolve("out")).out());
        // [1, 3, 12] padded to [1, 3, 14]: the last column, the input, the first column, one element a cycle
        long first = cycles(p, "/tokenConv/Concat (part 0)"), middle = cycles(p, "/tokenConv/Concat (part 1)");
        assertEquals(first, cycles(p, "/tokenConv/Concat (part 2)"));
        assertEquals(36 - 3, middle - first);
        assertTrue(p.stream().noneMatch(i -> i.get("node").toString().contains("im2col")), "the window is read in place: " + p);
        assertEquals(2, p.stream().filter(i -> i.get("kind").equals("mac")).count(), "the conv and the head: " + p);
    }

    @Test
    void patchesCostNothingAndReplicationPaddingTwoCopies(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> p = program(compile("mv_patchtst", 4, dir.resolve("out")).out());
        List<String> nodes = p.stream().map(i -> i.get("node").toString()).toList();
        assertEquals(List.of("/pad/Pad (part 0)", "/pad/Pad (part 1)", "/W_P/MatMul", "/mix/MatMul", "/head/MatMul", "end"), nodes);
        // the series [1, 2, 16], then its last column 4 times: 32 and 8 elements
        assertEquals(32 - 8, cycles(p, "/pad/Pad (part 0)") - cycles(p, "/pad/Pad (part 1)"));
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Double.parseDouble(m.group(1));
    }
}
