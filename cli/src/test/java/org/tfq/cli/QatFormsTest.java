package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.compiler.Accuracy;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.io.Json;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;
import org.tfq.verilog.EngineTestbench;
import org.tfq.verilog.Icarus;
import org.tfq.verilog.Simulator;
import org.tfq.verilog.Verilator;

/**
 * Quantization-aware models in the export forms of testdata/qat (make_qat_forms.py): the
 * attention scores' quantizer after the division by sqrt(d), and elastic-ai.creator's fake
 * quantization written as arithmetic. Each with its own scales only (no --calibration): the
 * integer model within 1% of the exported model's RMSE as ONNX Runtime computes it, and
 * compiled and simulated bit-exact in Icarus and Verilator.
 */
class QatFormsTest {

    private static Path file(String name) {
        return Cli.root().resolve("testdata/qat/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"after_div_b8_qcdq", "arith_b8"})
    void withinOnePercentOfTheExportedModel(String stem) {
        ImportResult r = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT);
        IntegerModel im = Quantize.run(r.graph(), QuantOptions.uniform(8), false, null);
        FloatTensor x = Npy.read(file("ref_n12_d16_m3.inputs.npy"));
        float[] y = Npy.read(file("ref_n12_d16_m3.targets.npy")).data();
        Accuracy a = Accuracy.measure(r, im, x);
        assertNotNull(a.onnxRuntime(), a.onnxRuntimeUnavailable());
        double ort = rmse(a.onnxRuntime().data(), y), integer = rmse(a.integer().data(), y);
        System.out.printf("%s: rmse ONNX Runtime %.5f, integer %.5f (%+.2f%%)%n", stem, ort, integer, 100 * (integer / ort - 1));
        assertTrue(Math.abs(integer / ort - 1) < 0.01, stem + ": integer rmse " + integer + " vs ONNX Runtime " + ort);
    }

    @ParameterizedTest
    @ValueSource(strings = {"after_div_b8_qcdq", "arith_b8"})
    void bitExactInBothSimulators(String stem, @TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        Cli c = Cli.run("compile", file(stem + ".onnx").toString(), "-o", out.toString(), "--lanes", "8", "--vectors", "2",
                "--check-layers", "--inputs", file("ref_n12_d16_m3.inputs.npy").toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("scales not in the model: %/MatMul_output_0 from %/Div_output_0 (inferred)"), c.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
        assertEquals(Map.of("inferred", Map.of("/MatMul_output_0", "/Div_output_0"), "internal_bits", Map.of(), "calibrated", List.of()),
                report.get("scales_not_in_the_model"));
        @SuppressWarnings("unchecked")
        Map<String, Object> sim = (Map<String, Object>) Json.read(Files.readString(out.resolve("sim/sim.json")));
        @SuppressWarnings("unchecked")
        List<String> rtl = (List<String>) sim.get("rtl");
        long predicted = ((Number) sim.get("predicted_cycles")).longValue();
        for (Simulator s : new Simulator[] {new Icarus(), new Verilator()}) {
            EngineTestbench.Result r = EngineTestbench.run(out, rtl, s, Duration.ofMinutes(5));
            assertTrue(r.sim().passed(), s + ": " + r.sim().describe());
            assertEquals(predicted, r.cyclesMax(), s + ": slowest inference vs prediction");
        }
    }

    /**
     * No quantizer on the scores at all: the product keeps its accumulator (13 bits, low bits
     * dropped for the softmax's table), named as such; --calibration has nothing left to do.
     */
    @org.junit.jupiter.api.Test
    void scoresNoQuantizerCoversKeepAnInternalWidth(@TempDir Path dir) throws IOException {
        String m = file("open_scores_b8_qcdq.onnx").toString(), x = file("ref_n12_d16_m3.inputs.npy").toString();
        Path out = dir.resolve("out");
        Cli c = Cli.run("compile", m, "-o", out.toString(), "--lanes", "8", "--inputs", x, "--targets", file("ref_n12_d16_m3.targets.npy").toString(),
                "--calibration", file("ref_n12_d16_m3.calibration.npy").toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("scales not in the model: %/MatMul_output_0 at 13 bits (range analysis)"), c.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
        assertEquals(Map.of("inferred", Map.of(), "internal_bits", Map.of("/MatMul_output_0", 13.0), "calibrated", List.of()),
                report.get("scales_not_in_the_model"));
        @SuppressWarnings("unchecked")
        Map<String, Object> a = (Map<String, Object>) report.get("accuracy");
        assertTrue(((Number) a.get("rmse_relative_increase")).doubleValue() < 0.01, a.toString());
    }

    private static double rmse(float[] p, float[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (p[i] - y[i]) * (double) (p[i] - y[i]);
        return Math.sqrt(s / y.length);
    }
}
