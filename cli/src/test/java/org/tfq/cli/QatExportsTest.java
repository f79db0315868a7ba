package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

    /**
     * The forms that meet the acceptance bound with their own scales only (1% at 8 and 6 bits,
     * 2% at 4). torch.ao FX at 8 and 6 bits does not yet: -1.1% and -2.2% (better than ONNX
     * Runtime; the integer softmax's codes and ties after it differ).
     */
    @ParameterizedTest
    @CsvSource({"qat2_ort_qdq_u8s8_b8, 8, 0.01", "qat2_ort_qdq_s8s8_b8, 8, 0.01", "qat2_ort_qdq_u8s8_perchannel_b8, 8, 0.01",
            "qat2_torch_ao_fx_b4, 4, 0.02", "qat2_torch_ao_fx_reference_b8, 8, 0.01",
            "qat2_torch_ao_fx_int4_b4, 4, 0.02", "qat2_ort_qdq_u4s4_int4_b4, 4, 0.02", "qat2_ort_qdq_s4s4_int4_b4, 4, 0.02", "qat2_elastic_b8, 8, 0.01", "qat2_elastic_b6, 6, 0.01", "qat2_elastic_b4, 4, 0.02"})
    void withinOnePercentOfTheExportedModel(String stem, int bits, double bound) {
        ImportResult r = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT);
        IntegerModel im = Quantize.run(r.graph(), QuantOptions.uniform(bits), false, null);
        FloatTensor x = Npy.read(file(stem + ".inputs.npy"));
        float[] y = Npy.read(file(stem + ".targets.npy")).data();
        Accuracy a = Accuracy.measure(r, im, x);
        assertNotNull(a.onnxRuntime(), a.onnxRuntimeUnavailable());
        double ort = rmse(a.onnxRuntime().data(), y), integer = rmse(a.integer().data(), y);
        System.out.printf("%s: rmse ONNX Runtime %.5f, integer %.5f (%+.2f%%)%n", stem, ort, integer, 100 * (integer / ort - 1));
        assertTrue(Math.abs(integer / ort - 1) < bound, stem + ": integer rmse " + integer + " vs ONNX Runtime " + ort);
    }

    /**
     * FX's QDQ graph rounds exact ties everywhere (grid values summed, averaged, multiplied by
     * 1/4): the float IR reproduces ONNX Runtime's float32 arithmetic bit for bit, and the integer
     * codes of the softmax's input (the 1/sqrt(d) between two quantizers of one scale, a table of
     * QuantizeLinear) are those of the QDQ graph; also when the 4-bit codes are stored as opset
     * 21 uint4/int4.
     */
    @ParameterizedTest
    @CsvSource({"qat2_torch_ao_fx_b8, 8", "qat2_torch_ao_fx_b6, 6", "qat2_torch_ao_fx_b4, 4", "qat2_torch_ao_fx_int4_b4, 4"})
    void fxEqualsOnnxRuntimeUpToTheSoftmax(String stem, int bits) {
        ImportResult r = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT);
        FloatTensor x = Npy.read(file(stem + ".inputs.npy"));
        float[] ort = org.tfq.onnx.OnnxRuntimeRunner.runSamples(r.source(), r.inputs().get(0), r.outputs().get(0), x).data();
        float[] fl = org.tfq.onnx.FloatReference.runSamples(r, x).data();
        for (int i = 0; i < ort.length; i++) assertEquals(ort[i], fl[i], 0f, stem + ": sample " + i);
        IntegerModel im = Quantize.run(r.graph(), QuantOptions.uniform(bits), false, null);
        String scores = "/activation_post_process_26_2/DequantizeLinear_output_0";
        int n = x.shape().dim(0), differ = 0, total = 0;
        for (int s = 0; s < n; s++) {
            FloatTensor one = org.tfq.onnx.Samples.toBound(r.inputs().get(0), x, s);
            FloatTensor f = org.tfq.ir.FloatInterpreter.runAll(r.graph(), Map.of(r.graph().inputs().get(0).name(), one)).get(scores);
            org.tfq.ir.IntTensor q = org.tfq.ir.IntInterpreter.runAll(im.graph(), im.quantizeInput(one)).get(scores);
            org.tfq.ir.IntType t = im.graph().nodes().stream().filter(nd -> nd.output().name().equals(scores)).findFirst()
                    .orElseThrow().output().type().intType();
            for (int i = 0; i < q.data().length; i++, total++) {
                if ((float) ((q.data()[i] - t.zeroPoint()) * t.scale()) != f.data()[i]) differ++;
            }
        }
        System.out.printf("%s: %d of %d softmax input codes differ from ONNX Runtime's%n", stem, differ, total);
        assertTrue(differ * 1000 < total, stem + ": " + differ + " of " + total + " softmax input codes differ");
    }

    /**
     * Eager mode quantizes modules only: Q K^T and softmax stay float, and exactly those two are
     * calibrated; FX quantizes everything and compiles from its own scales.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "qat2_torch_ao_eager_b8 | %/MatMul_output_0 (calibrated); %/Softmax_output_0 (calibrated) | icarus",
            "qat2_torch_ao_fx_b8 | | verilator", "qat2_elastic_b8 | | icarus",
            "qat2_torch_ao_eager_converted_b8 | %/MatMul_output_0 (calibrated); %/Softmax_output_0 (calibrated) | icarus",
            "qat2_torch_ao_fx_reference_b8 | | verilator",
            "qat2_ort_qop_u8s8_b8 | %/bn2/BatchNormalization_output_0 (calibrated) | icarus",
            "qat2_ort_qdq_u4s4_int4_b4 | | verilator", "qat2_brevitas_qonnx_b8 | | icarus", "qat2_brevitas_qonnx_floor_b8 | | verilator"})
    void bitExactAtEightLanes(String stem, String calibrated, String simulator, @TempDir Path dir) throws IOException {
        boolean calibrate = calibrated != null;
        Path out = dir.resolve("out");
        List<String> args = new java.util.ArrayList<>(List.of("compile", file(stem + ".onnx").toString(), "-o", out.toString(),
                "--lanes", "8", "--vectors", "2", "--check-layers", "--inputs", file(stem + ".inputs.npy").toString()));
        if (calibrate) args.addAll(List.of("--calibration", file(stem + ".calibration.npy").toString()));
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        if (calibrate) {
            assertTrue(c.out().contains("scales not in the model: " + calibrated + "\n"), c.out());
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
     * point's subtraction; its softmax stabilisation softmax(fakequant(x - max(x))) is the
     * subtraction requantized into that quantizer, whose saturation is the clamp of the most
     * negative shifted scores, exactly; its Pad + AveragePool and decomposed BatchNorm import.
     */
    @Test
    void elasticImportsWholeAndEqualsOnnxRuntime() {
        ImportResult r = OnnxImporter.load(file("qat2_elastic_b8.onnx"), ImportOptions.DEFAULT);
        FloatTensor x = Npy.read(file("qat2_elastic_b8.inputs.npy"));
        float[] ort = org.tfq.onnx.OnnxRuntimeRunner.runSamples(r.source(), r.inputs().get(0), r.outputs().get(0), x).data();
        float[] fl = org.tfq.onnx.FloatReference.runSamples(r, x).data();
        for (int i = 0; i < ort.length; i++) assertEquals(ort[i], fl[i], 1e-6f, "sample " + i);
        assertTrue(r.graph().nodes().stream().anyMatch(nd -> nd.name().equals("/encoder_layers.0/ReduceMax")), "ReduceMax kept");
    }

    /**
     * torch.ao's converted models write QuantizeLinear -> Cast(uint8) -> DequantizeLinear, one
     * DequantizeLinear per consuming module, weights as DequantizeLinear of int8 constants and
     * biases of int32 ones: each is the quantizer it states, and the float IR is ONNX Runtime's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qat2_torch_ao_eager_converted_b8", "qat2_torch_ao_fx_reference_b8"})
    void convertedExportsEqualOnnxRuntime(String stem) {
        ImportResult r = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT);
        FloatTensor x = Npy.read(file(stem + ".inputs.npy"));
        float[] ort = org.tfq.onnx.OnnxRuntimeRunner.runSamples(r.source(), r.inputs().get(0), r.outputs().get(0), x).data();
        float[] fl = org.tfq.onnx.FloatReference.runSamples(r, x).data();
        for (int i = 0; i < ort.length; i++) assertEquals(ort[i], fl[i], 0f, stem + ": sample " + i);
        long quantizers = r.graph().nodes().stream().filter(nd -> nd.op() instanceof org.tfq.ir.op.FakeQuant).count();
        long linears = r.graph().nodes().stream().filter(nd -> nd.op() instanceof org.tfq.ir.op.Linear l && l.weightQuant() != null).count();
        assertEquals(8, linears, stem + ": every Linear keeps its trained weight quantization");
        assertTrue(quantizers >= 15, stem + ": " + quantizers + " activation quantizers");
    }

    /**
     * ONNX Runtime's QOperator form (QLinearMatMul, com.microsoft QLinearAdd/QLinearMul/
     * QLinearSoftmax/QGemm), expanded into the QDQ graph it defines: the float IR equals ONNX
     * Runtime running the original file, and the integer model is within 1% of it. Its float
     * BatchNorm before a Transpose and the mean leaves one value without a quantizer: exactly that
     * one is calibrated. Per channel misses the 1% (+3.4%: the integer model's error against the
     * float IR is 0.0082, per tensor 0.0077, the QDQ per-channel form without that calibrated value
     * 0.0042).
     */
    @ParameterizedTest
    @CsvSource({"qat2_ort_qop_u8s8_b8, 0.01", "qat2_ort_qop_s8s8_b8, 0.01", "qat2_ort_qop_u8s8_perchannel_b8, 0.05"})
    void qOperatorFormEqualsOnnxRuntime(String stem, double bound) {
        Map<String, Integer> ops = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT).onnxOpCounts();
        assertEquals(9, ops.get("QLinearMatMul"), "the file's ops, not their expansion: " + ops);
        assertEquals(3, ops.get("DequantizeLinear"), ops.toString());
        Cli c = Cli.run("evaluate", file(stem + ".onnx").toString(), "--inputs", file(stem + ".inputs.npy").toString(),
                "--targets", file(stem + ".targets.npy").toString(), "--calibration", file(stem + ".calibration.npy").toString(), "--json");
        assertEquals(0, c.exit(), c.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) Json.read(c.out());
        assertEquals(0.0, ((Number) d.get("max_abs_diff_onnxruntime_vs_float_ir")).doubleValue(), stem);
        double ort = ((Number) d.get("rmse_onnxruntime")).doubleValue(), integer = ((Number) d.get("rmse_int")).doubleValue();
        System.out.printf("%s: rmse ONNX Runtime %.5f, integer %.5f (%+.2f%%), %s%n", stem, ort, integer, 100 * (integer / ort - 1),
                d.get("scales_not_in_the_model"));
        assertTrue(Math.abs(integer / ort - 1) < bound, stem + ": integer rmse " + integer + " vs ONNX Runtime " + ort);
        @SuppressWarnings("unchecked")
        Map<String, Object> open = (Map<String, Object>) d.get("scales_not_in_the_model");
        assertEquals(List.of("/bn2/BatchNormalization_output_0"), open.get("calibrated"), stem);
    }

    /**
     * Opset 21 int4/uint4 QDQ (packed initializers, no Clip: the type saturates): the float IR equals
     * ONNX Runtime on the file, and the FX export stored as int4 imports to the same float IR as
     * its QCDQ original (uint8 containers with Clip(0, 15)), sample by sample.
     */
    @Test
    void int4FilesEqualOnnxRuntimeAndTheirQcdqOriginal() {
        FloatTensor x = Npy.read(file("qat2_torch_ao_fx_b4.inputs.npy"));
        float[] qcdq = org.tfq.onnx.FloatReference.runSamples(OnnxImporter.load(file("qat2_torch_ao_fx_b4.onnx"), ImportOptions.DEFAULT), x).data();
        for (String stem : List.of("qat2_torch_ao_fx_int4_b4", "qat2_ort_qdq_u4s4_int4_b4", "qat2_ort_qdq_s4s4_int4_b4")) {
            ImportResult r = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT);
            assertEquals(21L, r.opsets().get("ai.onnx"), stem);
            float[] ort = org.tfq.onnx.OnnxRuntimeRunner.runSamples(r.source(), r.inputs().get(0), r.outputs().get(0), x).data();
            float[] fl = org.tfq.onnx.FloatReference.runSamples(r, x).data();
            for (int i = 0; i < ort.length; i++) assertEquals(ort[i], fl[i], 0f, stem + ": sample " + i);
            if (stem.startsWith("qat2_torch")) for (int i = 0; i < ort.length; i++) assertEquals(qcdq[i], fl[i], 0f, stem + " vs QCDQ: sample " + i);
        }
    }

    /**
     * Brevitas' QONNX export (BipolarQuant weights, TruncAvgPool2d's Trunc, ROUND as its default
     * RoundTo8bit and FLOOR as TruncTo8bit): ONNX Runtime cannot run QONNX, so the reference is the
     * numpy implementation of QONNX's semantics the generator saved; the float IR equals it, and
     * the integer model is within 1% of its RMSE.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qat2_brevitas_qonnx_b8", "qat2_brevitas_qonnx_floor_b8"})
    void brevitasQonnxEqualsTheQonnxReference(String stem) {
        ImportResult r = OnnxImporter.load(file(stem + ".onnx"), ImportOptions.DEFAULT);
        FloatTensor x = Npy.read(file(stem + ".inputs.npy"));
        float[] ref = Npy.read(file(stem + ".torch_outputs.npy")).data(), y = Npy.read(file(stem + ".targets.npy")).data();
        float[] fl = org.tfq.onnx.FloatReference.runSamples(r, x).data();
        for (int i = 0; i < ref.length; i++) assertEquals(ref[i], fl[i], 1e-5f, "sample " + i);
        IntegerModel im = Quantize.run(r.graph(), QuantOptions.uniform(8), false, null);
        float[] integer = Accuracy.integerOutputs(r, im, x).data();
        double reference = rmse(ref, y), got = rmse(integer, y);
        System.out.printf("%s: rmse QONNX reference %.5f, integer %.5f (%+.2f%%)%n", stem, reference, got, 100 * (got / reference - 1));
        assertTrue(Math.abs(got / reference - 1) < 0.01, stem + ": integer rmse " + got + " vs the QONNX reference " + reference);
    }

    private static double rmse(float[] p, float[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (p[i] - y[i]) * (double) (p[i] - y[i]);
        return Math.sqrt(s / y.length);
    }
}
