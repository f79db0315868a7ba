package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.ir.io.Json;
import org.tfq.verilog.YosysEstimate;
import org.tfq.verilog.YosysEstimator;

/**
 * The per-window normalizations of RevIN (PatchTST) and of the Non-stationary Transformer
 * (Time-Series-Library's iTransformer), exported by PyTorch as the public code writes them
 * ({@code testdata/make_arith_models.py}): ReduceMean over time, Sub, Mul and Div of two
 * activations with broadcasting, Sqrt, and the inverse at the output. Each imports to what ONNX
 * Runtime computes, quantizes at 8 bits within 5% of the float RMSE, and simulates bit-exact and
 * on time in both simulators at 1, 4 and 8 lanes; the resource model's product unit agrees with Yosys.
 */
class NormalizationModelsTest {

    static final List<String> MODELS = List.of("arith_revin", "arith_nst");

    static Path file(String name) {
        Path p = Cli.root().resolve("testdata/arith").resolve(name);
        assertTrue(Files.isRegularFile(p), "missing " + p + " (regenerate with testdata/make_arith_models.py)");
        return p;
    }

    static List<String> quantized(String model) {
        return List.of(file(model + ".onnx").toString(), "--bits", "8", "--calibration", file("arith.calibration.npy").toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"arith_revin", "arith_nst"})
    void floatIrIsOnnxRuntimeAndEightBitsStayWithinFivePercent(String model) {
        List<String> args = new ArrayList<>(List.of("evaluate", "--json"));
        args.addAll(quantized(model));
        args.addAll(List.of("--inputs", file("arith.inputs.npy").toString(), "--targets", file("arith.targets.npy").toString()));
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        Map<?, ?> r = (Map<?, ?>) Json.read(c.out());
        double ort = ((Number) r.get("max_abs_diff_onnxruntime_vs_float_ir")).doubleValue();
        double increase = ((Number) r.get("rmse_relative_increase")).doubleValue();
        assertTrue(ort <= 1e-5, model + ": max |ORT - float IR| = " + ort);
        assertTrue(increase <= 0.05, model + ": 8-bit RMSE " + r.get("rmse_int") + " vs float " + r.get("rmse_float"));
    }

    /**
     * The division by the standard deviation, with the x - mean it divides, becomes one axis_norm of
     * the input over time (torch.var centres again: arith_nst divides the centred window); the mean
     * and the standard deviation remain for the de-normalization, the reciprocal and RevIN's second
     * x - mean, read by nothing else, are gone.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"arith_revin", "arith_nst"})
    void normalizationIsOneAxisNormOfTheInput(String model) {
        Cli c = Cli.run("inspect", "--dump-ir", file(model + ".onnx").toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("= axis_norm(%x) {axis=1, epsilon=1.00000e-05} : f32[1,24,3]"), c.out());
        assertTrue(!c.out().contains("reciprocal("), c.out());
        assertTrue(c.out().contains("= sqrt("), "the standard deviation stays for the de-normalization");
        assertEquals(model.equals("arith_revin") ? 1 : 2, c.out().split("= sub\\(", -1).length - 1, c.out());
    }

    static List<Object[]> designs() {
        List<Object[]> c = new ArrayList<>();
        for (String m : MODELS) {
            for (int lanes : new int[] {1, 4, 8}) {
                for (String s : List.of("verilator", "icarus")) c.add(new Object[] {m, lanes, s});
            }
        }
        return c;
    }

    @ParameterizedTest(name = "{0}, {1} lanes, {2}")
    @MethodSource("designs")
    void bitExactAndOnTime(String model, int lanes, String simulator, @TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("--lanes", Integer.toString(lanes), "--vectors", "3", "--check-layers", "--inputs",
                file("arith.inputs.npy").toString()));
        args.addAll(quantized(model));
        SimulatedDesign d = SimulatedDesign.compile(out, args);
        String ir = Files.readString(out.resolve("ir.txt"));
        assertTrue(ir.contains("int_mul("), "the products run as int_mul");
        assertTrue(ir.matches("(?s).*int_layernorm\\(%x\\) \\{features=24, axis=1,.*"), "the normalized window is one int_layernorm of the input over time");
        d.assertBitExactAndOnTime(SimulatedDesign.simulator(simulator), 3, Duration.ofMinutes(5), "");
        if (simulator.equals("verilator")) d.assertLintClean();
    }

    /** The product of two activations is one DSP48E1 at 8 bits, and the output unit's wider A port is counted. */
    @Test
    void resourceModelAgainstYosys(@TempDir Path dir) throws IOException {
        VivadoOutputTest.tool("yosys");
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("compile", "-o", out.toString(), "--lanes", "8", "--vectors", "1"));
        args.addAll(quantized("arith_nst"));
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        Map<?, ?> report = (Map<?, ?>) ((Map<?, ?>) Json.read(Files.readString(out.resolve("report.json")))).get("resource_model");
        long productDsp = -1, lut = 0, ff = 0, dsp = 0, bram36 = 0;
        for (Object o : (List<?>) report.get("units")) {
            Map<?, ?> u = (Map<?, ?>) o;
            if (u.get("unit").equals("elementwise product")) productDsp = ((Number) u.get("dsp")).longValue();
            lut += ((Number) u.get("lut")).longValue();
            ff += ((Number) u.get("ff")).longValue();
            dsp += ((Number) u.get("dsp")).longValue();
            bram36 += ((Number) u.get("bram36")).longValue();
        }
        assertEquals(1, productDsp, "a 9 x 9-bit signed product is one DSP48E1");
        YosysEstimate y = new YosysEstimator().estimate(EstimateCommand.sources(out.resolve("rtl")), EstimateCommand.TOP, out, out.resolve("reports"));
        String why = "model LUT " + lut + " FF " + ff + " DSP " + dsp + " RAMB36 " + bram36 + "; Yosys LUT " + y.lut() + " FF " + y.ff()
                + " DSP " + y.dsp() + " RAMB36 " + y.ramb36();
        assertEquals(y.dsp(), dsp, why);
        assertEquals(y.ramb36(), bram36, why);
        assertTrue(Math.abs(lut - y.lut()) <= 0.15 * y.lut(), why);
        assertTrue(Math.abs(ff - y.ff()) <= 0.15 * y.ff(), why);
    }
}
