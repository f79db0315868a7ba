package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.TextDump;
import org.tfq.ir.io.Npy;
import org.tfq.ir.pass.IrObserver;
import org.tfq.onnx.FloatReference;
import org.tfq.onnx.OnnxRuntimeRunner;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.OnnxWriter;
import org.tfq.onnx.Samples;

/**
 * Every committed quantization-aware-trained model (QCDQ, QDQ, QONNX, QOperator, fake
 * quantization as arithmetic), imported, written by {@link OnnxWriter} and imported again,
 * lowers to the same integer graph as the original: same scales, same text form.
 */
class OnnxWriterRoundTripTest {
    @TempDir
    Path dir;

    static Path testdata() {
        return Path.of(System.getProperty("tfq.root"), "testdata");
    }

    static Stream<Path> trainedModels() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(testdata().resolve("models"))) {
            s.filter(p -> p.getFileName().toString().matches("qat_.*\\.onnx")).sorted().forEach(all::add);
        }
        try (Stream<Path> s = Files.list(testdata().resolve("qat"))) {
            s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(all::add);
        }
        return all.stream();
    }

    /** The model's calibration windows (for the values a trained model leaves open), bound; empty if it has none. */
    static List<FloatTensor> calibration(Path model, ModelInput in) {
        Path npy = model.resolveSibling(model.getFileName().toString().replace(".onnx", ".calibration.npy"));
        List<FloatTensor> windows = new ArrayList<>();
        if (!Files.exists(npy)) return windows;
        FloatTensor stack = Npy.read(npy);
        for (int i = 0; i < Samples.count(in, stack) && windows.size() < 64; i += Samples.perRun(in)) windows.add(Samples.toBound(in, stack, i));
        return windows;
    }

    static final QuantOptions DEFAULTS = new QuantOptions(8, Map.of(), QuantOptions.RangeMethod.MINMAX, true);

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainedModels")
    void aTrainedModelReadBackLowersToTheSameIntegerGraph(Path model) {
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        List<FloatTensor> cal = calibration(model, r.inputs().get(0));
        IntegerModelPair p = lowerBoth(r.graph(), dir.resolve(model.getFileName()), cal);
        Assumptions.assumeTrue(p != null, model.getFileName() + " does not lower without calibration windows");
        assertSameText(TextDump.of(p.before().graph()), TextDump.of(p.after().graph()), model.getFileName().toString());
        assertEquals(p.before().input(), p.after().input());
        assertEquals(p.before().output(), p.after().output());
    }

    /**
     * The graph after {@link Quantize#FUSIONS} (a Linear with its bias, constant and ReLU, a
     * residual add with its BatchNorm) is written as the ops it was fused from; read back, the
     * fusions make the same graph again, so the integer graph is the same too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trainedModels")
    void aFusedTrainedModelReadBackLowersToTheSameIntegerGraph(Path model) {
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        List<FloatTensor> cal = calibration(model, r.inputs().get(0));
        Graph fused = Quantize.FUSIONS.run(r.graph(), IrObserver.NONE);
        IntegerModelPair p = lowerBoth(fused, dir.resolve(model.getFileName()), cal);
        Assumptions.assumeTrue(p != null, model.getFileName() + " does not lower without calibration windows");
        assertSameText(TextDump.of(p.before().graph()), TextDump.of(p.after().graph()), model.getFileName().toString());
    }

    static Stream<Path> allModels() throws IOException {
        try (Stream<Path> s = Files.list(testdata().resolve("models"))) {
            return s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList().stream();
        }
    }

    /** The fused forms in ONNX Runtime: every testdata model after the fusions computes there what it computes in tfq. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allModels")
    void fusedGraphsRunInOnnxRuntime(Path model) {
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        Graph fused = Quantize.FUSIONS.run(r.graph(), IrObserver.NONE);
        Path file = dir.resolve(model.getFileName());
        OnnxWriter.write(fused, file, "tfq-test");
        FloatTensor x = Npy.read(model.resolveSibling(model.getFileName().toString().replace(".onnx", ".inputs.npy")));
        int n = Math.min(16, x.shape().dim(0));
        x = new FloatTensor(x.shape().withDim(0, n), java.util.Arrays.copyOf(x.data(), (int) (x.shape().size() / x.shape().dim(0) * n)));
        ModelInput in = new ModelInput(fused.inputs().get(0).name(), r.inputs().get(0).shape(), r.inputs().get(0).batchAxis(), false);
        ModelInput out = new ModelInput(fused.outputs().get(0).name(), r.outputs().get(0).shape(), r.outputs().get(0).batchAxis(), false);
        FloatTensor ort = OnnxRuntimeRunner.runSamples(file, in, out, x);
        float diff = ort.maxAbsDiff(FloatReference.runSamples(new ImportResult(model, fused, List.of(in), List.of(out), r.opsets(), r.onnxOpCounts(), r.producer()), x));
        System.out.println("OnnxWriterRoundTripTest fused " + model.getFileName() + " max |ORT - tfq| = " + diff + " " + fused.opCounts());
        assertTrue(diff <= 1e-5f, model.getFileName() + " after the fusions: max |ORT - tfq| = " + diff);
    }

    /** An integer graph has no ONNX form here: one message, every node named with its op. */
    @org.junit.jupiter.api.Test
    void anIntegerGraphIsRefusedNodeByNode() {
        Path model = testdata().resolve("models/qat_n12_d16_m3_b8_qcdq.onnx");
        Graph integer = Quantize.run(OnnxImporter.load(model, ImportOptions.DEFAULT).graph(), DEFAULTS, false, List.of()).graph();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OnnxWriter.write(integer, dir.resolve("int.onnx"), "tfq-test"));
        for (org.tfq.ir.Node n : integer.nodes()) {
            assertTrue(e.getMessage().contains("node " + n.name() + " (" + n.op().mnemonic() + ")"), e.getMessage());
        }
        assertTrue(!Files.exists(dir.resolve("int.onnx")));
    }

    record IntegerModelPair(IntegerModel before, IntegerModel after) {}

    /** {@code g} lowered as a trained model, and the same after writing and importing it; null if {@code g} itself does not lower. */
    static IntegerModelPair lowerBoth(Graph g, Path file, List<FloatTensor> cal) {
        IntegerModel before;
        try {
            before = Quantize.run(g, DEFAULTS, false, cal);
        } catch (QuantizationException e) {
            return null;
        }
        OnnxWriter.write(g, file, "tfq-test");
        Graph back = OnnxImporter.load(file, ImportOptions.DEFAULT).graph();
        return new IntegerModelPair(before, Quantize.run(back, DEFAULTS, false, cal));
    }

    /** The graph's name is the file's on import; the rest must be equal line for line. */
    static void assertSameText(String expected, String actual, String what) {
        String[] e = expected.split("\n"), a = actual.split("\n");
        for (int i = 1; i < Math.min(e.length, a.length); i++) {
            if (!e[i].equals(a[i])) throw new AssertionError(what + ": line " + (i + 1) + " differs:\n  expected " + e[i] + "\n  actual   " + a[i]);
        }
        assertEquals(e.length, a.length, what + ": line count");
    }
}
