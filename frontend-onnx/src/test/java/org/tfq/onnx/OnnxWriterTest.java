package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.TextDump;
import org.tfq.ir.Value;
import org.tfq.ir.io.Npy;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.StridedView;

/**
 * The written model against ONNX Runtime: every committed model (float exports, QAT exports of
 * every form, QONNX included, which ONNX Runtime could not run before) imported, written and run
 * in ONNX Runtime equals tfq's float interpreter on the imported graph, and reads back into the
 * same float IR.
 */
class OnnxWriterTest {
    static final float TOLERANCE = 1e-5f;
    /** Windows per model: enough to meet rounding ties at every quantizer, few enough for the d=64 models. */
    static final int WINDOWS = 64;

    @TempDir
    Path dir;

    static Stream<Path> models() {
        List<Path> all = new ArrayList<>(TestdataModels.models(true));
        for (String folder : List.of("qat", "idioms", "movement", "pooling", "arith", "encdec", "rows")) {
            // idioms/unsupported_*.onnx are the importer's error fixtures
            TestdataModels.in(folder).stream().filter(p -> !p.getFileName().toString().startsWith("unsupported")).forEach(all::add);
        }
        return all.stream();
    }

    /** The model's test windows, or, for the small QAT-form fixtures without any, deterministic ones. */
    static FloatTensor windows(Path model, ModelInput in) {
        Path npy = TestdataModels.sibling(model, ".inputs.npy");
        if (Files.exists(npy)) {
            FloatTensor x = Npy.read(npy);
            int n = Math.min(WINDOWS, x.shape().dim(0));
            int per = (int) (x.shape().size() / x.shape().dim(0));
            float[] d = java.util.Arrays.copyOf(x.data(), n * per);
            return new FloatTensor(x.shape().withDim(0, n), d);
        }
        Shape sample = in.sampleShape();
        int[] dims = new int[sample.rank() + 1];
        dims[0] = 16;
        for (int i = 0; i < sample.rank(); i++) dims[i + 1] = sample.dim(i);
        float[] v = new float[(int) new Shape(dims).size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (1.5 * Math.sin(i * 0.37 + 0.2) + 0.3 * Math.cos(i * 1.3));
        return new FloatTensor(new Shape(dims), v);
    }

    /** Writes {@code g} (the import of {@code model}, or a graph derived from it) and checks ORT on it against the interpreter. */
    static float assertOrtMatches(ImportResult r, Graph g, Path file, FloatTensor x) {
        OnnxWriter.write(g, file, "tfq-test");
        ImportResult withGraph = new ImportResult(r.source(), g, r.inputs(), r.outputs(), r.opsets(), r.onnxOpCounts(), r.producer());
        // the written model's input and output are the graph's values, by their IR names
        ModelInput in = named(r.inputs().get(0), g.inputs().get(0)), out = named(r.outputs().get(0), g.outputs().get(0));
        FloatTensor ort = OnnxRuntimeRunner.runSamples(file, in, out, x);
        float diff = ort.maxAbsDiff(FloatReference.runSamples(withGraph, x));
        assertTrue(diff <= TOLERANCE, file.getFileName() + ": max |ORT - tfq| = " + diff);
        return diff;
    }

    private static ModelInput named(ModelInput m, Value v) {
        return new ModelInput(v.name(), m.shape(), m.batchAxis(), false);
    }

    /** Text forms equal, or the first line where they differ. */
    static void assertSameText(String expected, String actual, String what) {
        String[] e = expected.split("\n"), a = actual.split("\n");
        for (int i = 0; i < Math.min(e.length, a.length); i++) {
            if (!e[i].equals(a[i])) throw new AssertionError(what + ": line " + (i + 1) + " differs:\n  expected " + e[i] + "\n  actual   " + a[i]);
        }
        assertEquals(e.length, a.length, what + ": line count");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void onnxRuntimeComputesWhatTfqComputes(Path model) {
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        float diff = assertOrtMatches(r, r.graph(), dir.resolve("written.onnx"), windows(model, r.inputs().get(0)));
        System.out.println("OnnxWriterTest " + model.getFileName() + " max |ORT - tfq| = " + diff);
    }

    static Stream<Path> quantizedModels() {
        return models().filter(p -> p.getFileName().toString().startsWith("qat_") || p.getParent().getFileName().toString().equals("qat"));
    }

    /**
     * A quantization-aware-trained model reads back op for op, scale for scale. (Float models
     * read back into the same ops too, but the importer's topological sort may order parallel
     * branches differently: see OnnxWriterRoundTripTest in passes.) A weight of -0.0 is written as
     * its code 0 and reads back as +0.0, the only difference allowed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("quantizedModels")
    void quantizedModelsReadBackIntoTheSameFloatIr(Path model) {
        Graph g = OnnxImporter.load(model, ImportOptions.DEFAULT).graph();
        Path file = dir.resolve("written.onnx");
        OnnxWriter.write(g, file, "tfq-test");
        Graph back = OnnxImporter.load(file, ImportOptions.DEFAULT).graph();
        assertSameText(TextDump.of(renamed(g, back.name())).replace("-0.0,", "0.0,").replace("-0.0]", "0.0]"), TextDump.of(back),
                model.getFileName().toString());
    }

    /** The graph's name is the file's stem on import; everything else must survive. */
    private static Graph renamed(Graph g, String name) {
        return new Graph(name, g.inputs(), g.outputs(), g.nodes());
    }

    @Test
    void everyQuantizationWidthIsItsOwnCodeRange() throws java.io.IOException {
        // 3-bit signed narrow, 4-bit unsigned, 8-bit, 12-bit and 16-bit codes; per-channel 4-bit weights
        Value x = new Value("x", TensorType.f32(1, 5, 4));
        List<Node> nodes = new ArrayList<>();
        Value cur = x;
        QuantSpec[] specs = {
            new QuantSpec(new double[] {0.25}, new long[] {0}, -1, 3, true, -3, 3),
            QuantSpec.perTensor(0.125, 3, 4, false),
            QuantSpec.perTensor(0.0625, -5, 8, true),
            QuantSpec.perTensor(0.001953125, 7, 12, true),
            QuantSpec.perTensor(0.0078125, 0, 16, true),
        };
        for (int i = 0; i < specs.length; i++) {
            Value y = new Value("q" + i, cur.type());
            nodes.add(new Node("quant" + i, new FakeQuant(specs[i]), List.of(cur), y));
            cur = y;
        }
        QuantSpec wq = new QuantSpec(new double[] {0.5, 0.25, 0.125}, new long[] {0, 0, 0}, 0, 4, true, -8, 7);
        float[] w = new float[12];
        for (int i = 0; i < w.length; i++) w[i] = wq.fakeQuantize((float) Math.sin(i), i / 4);
        Value lin = new Value("lin", TensorType.f32(1, 5, 3));
        nodes.add(new Node("fc", new Linear(new FloatTensor(Shape.of(3, 4), w), new FloatTensor(Shape.of(3), new float[] {0.1f, -0.2f, 0.3f}), wq),
                List.of(cur), lin));
        Value out = new Value("out", lin.type());
        nodes.add(new Node("act", new Relu(), List.of(lin), out));
        Graph g = new Graph("widths", List.of(x), List.of(out), nodes).verify();
        Path file = dir.resolve("widths.onnx");
        OnnxWriter.write(g, file, "tfq-test");
        // 12- and 16-bit activation codes are written as arithmetic: opset 17, which older runtimes and onnx checkers take
        assertEquals(17, org.tfq.onnx.proto.Onnx.ModelProto.parseFrom(Files.readAllBytes(file)).getOpsetImport(0).getVersion());
        ImportResult r = OnnxImporter.load(file, ImportOptions.DEFAULT);
        assertSameText(TextDump.of(renamed(g, r.graph().name())), TextDump.of(r.graph()), "widths");
        float[] v = new float[2 * 20];
        // includes exact ties of every grid (x.5 steps), where half-to-even rounding decides
        for (int i = 0; i < v.length; i++) v[i] = (i - 20) * 0.0625f + (i % 3 == 0 ? 0.03125f : 0);
        assertOrtMatches(r, g, file, new FloatTensor(Shape.of(2, 5, 4), v));
    }

    /**
     * Every kind of strided view: the strided slices (a step, a negative step, a repeated element)
     * read back as the same view, and the window, the broadcast and an arbitrary index map (here a
     * transpose) compute in ONNX Runtime what they compute in tfq.
     */
    @Test
    void stridedViewsOfEveryKind() {
        Shape in = Shape.of(1, 7, 4);
        List<StridedView> views = List.of(
                StridedView.stridedSlice(in, 1, 1, 2, 3),
                StridedView.stridedSlice(in, 1, 6, -2, 4),
                StridedView.stridedSlice(in, 1, 6, 0, 3),
                StridedView.window(in, 1, 3, 2, 2),
                new StridedView("transposed", Shape.of(1, 4, 7), new int[3], new int[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}}));
        float[] v = new float[28];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.9);
        FloatTensor x = new FloatTensor(Shape.of(1, 7, 4), v);
        for (int k = 0; k < views.size(); k++) {
            StridedView view = views.get(k);
            Value a = new Value("x", TensorType.f32(in)), y = new Value("y", TensorType.f32(view.target()));
            Graph g = new Graph("view" + k, List.of(a), List.of(y), List.of(new Node("view", view, List.of(a), y))).verify();
            Path file = dir.resolve("view" + k + ".onnx");
            OnnxWriter.write(g, file, "tfq-test");
            ImportResult r = OnnxImporter.load(file, ImportOptions.DEFAULT);
            if (k < 3) assertEquals(view, r.graph().nodes().get(0).op(), view + " read back");
            assertOrtMatches(r, g, file, x);
        }
        Value a = new Value("x", TensorType.f32(1, 1, 4)), y = new Value("y", TensorType.f32(1, 7, 4));
        Graph g = new Graph("expand", List.of(a), List.of(y), List.of(new Node("view", StridedView.expand(Shape.of(1, 1, 4), Shape.of(1, 7, 4)), List.of(a), y)));
        Path file = dir.resolve("expand.onnx");
        OnnxWriter.write(g, file, "tfq-test");
        ImportResult r = OnnxImporter.load(file, ImportOptions.DEFAULT);
        assertEquals(g.nodes().get(0).op(), r.graph().nodes().get(0).op());
        assertOrtMatches(r, g, file, new FloatTensor(Shape.of(1, 1, 4), new float[] {1, -2, 3.5f, 0.25f}));
    }

    @Test
    void aWeightOffItsGridIsRefusedByNode() {
        Value x = new Value("x", TensorType.f32(1, 2));
        Value y = new Value("y", TensorType.f32(1, 2));
        Linear off = new Linear(new FloatTensor(Shape.of(2, 2), new float[] {0.3f, 0, 0, 1}), null, QuantSpec.perTensor(0.25, 0, 8, true));
        Graph g = new Graph("off", List.of(x), List.of(y), List.of(new Node("head", off, List.of(x), y)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxWriter.write(g, dir.resolve("off.onnx"), "tfq-test"));
        assertTrue(e.getMessage().contains("node head (linear)"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("off.onnx")) && !Files.exists(dir.resolve("off.onnx.tmp")));
    }
}
