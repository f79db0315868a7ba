package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.io.Json;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImportException;
import org.tfq.onnx.OnnxImporter;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;
import org.tfq.verilog.EngineTestbench;
import org.tfq.verilog.Icarus;
import org.tfq.verilog.Simulator;
import org.tfq.verilog.Verilator;

/**
 * The QAT exports of testdata/qat made from real QAT code (make_qat_exports.py): ONNX Runtime's
 * quantize_static QDQ layout, torch.ao eager and FX, elastic-ai.creator's arithmetic form.
 */
class QatExportsTest {

    private static Path file(String name) {
        return Cli.root().resolve("testdata/qat/" + name);
    }

    /** The forms that meet the acceptance bound (1% at 8 bits) with their own scales only. */
    @ParameterizedTest
    @ValueSource(strings = {"qat2_ort_qdq_u8s8_b8", "qat2_ort_qdq_s8s8_b8", "qat2_ort_qdq_u8s8_perchannel_b8"})
    void withinOnePercentOfTheExportedModel(String stem) {
        ImportResult r = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT);
        IntegerModel im = Quantize.run(r.graph(), QuantOptions.uniform(8), false, null);
        FloatTensor x = Npy.read(file(stem + ".inputs.npy"));
        float[] y = Npy.read(file(stem + ".targets.npy")).data();
        Accuracy a = Accuracy.measure(r, im, x);
        assertNotNull(a.onnxRuntime(), a.onnxRuntimeUnavailable());
        double ort = rmse(a.onnxRuntime().data(), y), integer = rmse(a.integer().data(), y);
        System.out.printf("%s: rmse ONNX Runtime %.5f, integer %.5f (%+.2f%%)%n", stem, ort, integer, 100 * (integer / ort - 1));
        assertTrue(Math.abs(integer / ort - 1) < 0.01, stem + ": integer rmse " + integer + " vs ONNX Runtime " + ort);
    }

    /**
     * Eager mode quantizes modules only: Q K^T and softmax stay float, and exactly those two are
     * calibrated; FX quantizes everything and compiles from its own scales.
     */
    @ParameterizedTest
    @CsvSource({"qat2_torch_ao_eager_b8, true, icarus", "qat2_torch_ao_fx_b8, false, verilator"})
    void bitExactAtEightLanes(String stem, boolean calibrate, String simulator, @TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        List<String> args = new java.util.ArrayList<>(List.of("compile", file(stem + ".onnx").toString(), "-o", out.toString(),
                "--lanes", "8", "--vectors", "2", "--check-layers", "--inputs", file(stem + ".inputs.npy").toString()));
        if (calibrate) args.addAll(List.of("--calibration", file(stem + ".calibration.npy").toString()));
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        if (calibrate) {
            assertTrue(c.out().contains("scales not in the model: %/MatMul_output_0 (calibrated); %/Softmax_output_0 (calibrated)"), c.out());
        } else {
            assertFalse(c.out().contains("(calibrated)"), c.out());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> sim = (Map<String, Object>) Json.read(Files.readString(out.resolve("sim/sim.json")));
        @SuppressWarnings("unchecked")
        List<String> rtl = (List<String>) sim.get("rtl");
        Simulator s = simulator.equals("icarus") ? new Icarus() : new Verilator();
        EngineTestbench.Result r = EngineTestbench.run(out, rtl, s, Duration.ofMinutes(5));
        assertTrue(r.sim().passed(), s + ": " + r.sim().describe());
        assertEquals(((Number) sim.get("predicted_cycles")).longValue(), r.cyclesMax(), s + ": slowest inference vs prediction");
    }

    /**
     * elastic-ai.creator's export casts the codes to int32 and back and clamps after the zero
     * point's subtraction: all its fake quantizers (activations and weights) are recognised, and
     * import stops at the next construct, the softmax stabilisation quantized in between.
     */
    @Test
    void elasticFakeQuantizationIsRecognised() {
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> OnnxImporter.load(file("qat2_elastic_b8.onnx"), ImportOptions.DEFAULT));
        assertTrue(e.getMessage().contains("'/encoder_layers.0/ReduceMax' (op ReduceMax"), e.getMessage());
        assertTrue(e.getMessage().contains("1 node(s) not supported"), e.getMessage());
        assertFalse(e.getMessage().contains("Round"), e.getMessage());
    }

    private static double rmse(float[] p, float[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (p[i] - y[i]) * (double) (p[i] - y[i]);
        return Math.sqrt(s / y.length);
    }
}
