package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.io.Npy;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.IntAdd;
import org.tfq.ir.op.IntAffine;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Transpose;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;

/** A BatchNorm after a residual add becomes part of the add, unless the model quantized the sum. */
class FoldBatchNormIntoAddTest {

    private static long count(IntegerModel m, Class<?> op, java.util.function.Predicate<Node> p) {
        return m.graph().nodes().stream().filter(n -> op.isInstance(n.op()) && p.test(n)).count();
    }

    private static long batchNorms(IntegerModel m) {
        return count(m, IntAffine.class, n -> ((IntAffine) n.op()).kind().equals("batchnorm"));
    }

    private static long foldedAdds(IntegerModel m) {
        return count(m, IntAdd.class, n -> ((IntAdd) n.op()).multiplierA().shape().size() > 1);
    }

    // --- the committed models ---

    static Path models() {
        String root = System.getProperty("tfq.root");
        assertTrue(root != null && !root.isBlank(), "tfq.root is not set (run through Maven)");
        return Path.of(root, "testdata", "models");
    }

    static List<String> committed(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(models())) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(prefix) && f.endsWith(".onnx"))
                    .sorted().toList();
            assertFalse(names.isEmpty(), "no " + prefix + "*.onnx in " + models());
            return names;
        }
    }

    static List<String> referenceModels() throws IOException {
        return committed("ref_");
    }

    static List<String> qatModels() throws IOException {
        return committed("qat_");
    }

    @ParameterizedTest
    @MethodSource("referenceModels")
    void referenceDesignBatchNormsFoldIntoTheResidualAdds(String file) {
        ImportResult r = OnnxImporter.load(models().resolve(file), ImportOptions.DEFAULT);
        ModelInput in = r.inputs().get(0);
        FloatTensor cal = Npy.read(models().resolve(file.replace(".onnx", ".calibration.npy")));
        List<FloatTensor> bound = new ArrayList<>();
        for (int i = 0; i < Samples.count(in, cal); i += 8) bound.add(Samples.toBound(in, cal, i));
        assertEquals(2, FoldBatchNormIntoAdd.find(r.graph()).size());

        IntegerModel m = Quantize.run(r.graph(), QuantOptions.uniform(8), true, bound);
        assertEquals(0, batchNorms(m), file);
        assertEquals(2, foldedAdds(m), file);
        assertEquals(2, count(m, IntAdd.class, n -> n.name().contains("+") && n.name().contains("BatchNormalization")));
        // the sums are never quantized on their own: the fused graph computes each BatchNorm's output in its add's place
        org.tfq.ir.Graph fused = Quantize.FUSIONS.run(r.graph(), org.tfq.ir.pass.IrObserver.NONE);
        QuantPlan plan = PlanPostTraining.run(fused, Calibration.run(fused, bound.subList(0, 4)), QuantOptions.uniform(8));
        for (FoldBatchNormIntoAdd.Fold f : FoldBatchNormIntoAdd.find(r.graph()).values()) {
            assertNull(plan.activation(f.batchNorm().output().name()), "no BatchNorm output of its own");
            assertTrue(fused.nodes().stream().anyMatch(n -> n.name().equals(f.name()) && n.op() instanceof org.tfq.ir.op.AddBatchNorm));
        }
        // per-channel constants laid along the channel axis of the add: [1,1,d]
        for (Node n : m.graph().nodes()) {
            if (n.op() instanceof IntAdd a && a.multiplierA().shape().size() > 1) {
                int d = n.output().type().shape().last();
                assertEquals(Shape.of(1, 1, d), a.multiplierA().shape());
                assertEquals(Shape.of(1, 1, d), a.multiplierB().shape());
                assertEquals(Shape.of(1, 1, d), a.offset().shape());
            }
        }
        FloatTensor x = Samples.toBound(in, cal, 1);
        assertDoesNotThrow(() -> m.run(x));
        assertDoesNotThrow(() -> FloatInterpreter.run(r.graph(), x));
    }

    @ParameterizedTest
    @MethodSource("qatModels")
    void aTrainedQuantizerOnTheSumIsRespected(String file) {
        ImportResult r = OnnxImporter.load(models().resolve(file), ImportOptions.DEFAULT);
        assertTrue(FoldBatchNormIntoAdd.find(r.graph()).isEmpty());
        IntegerModel m = Quantize.run(r.graph(), QuantOptions.uniform(8), false, null);
        assertEquals(2, batchNorms(m), file);
        assertEquals(0, foldedAdds(m), file);
    }

    // --- small graphs ---

    @Test
    void encoderFoldsAndThePlanSkipsTheSum() {
        Graph g = SmallGraphs.encoder(7, 12, 3, 16);
        Map<Node, FoldBatchNormIntoAdd.Fold> folds = FoldBatchNormIntoAdd.find(g);
        assertEquals(1, folds.size());
        FoldBatchNormIntoAdd.Fold f = folds.values().iterator().next();
        assertEquals(1, f.layouts().size());
        assertEquals(2, f.axis());
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), true, SmallGraphs.inputs(1, 50, 12, 3));
        assertEquals(0, batchNorms(m));
        assertEquals(1, foldedAdds(m));
    }

    private static final QuantSpec IN = QuantSpec.perTensor(0.04, 3, 8, true);
    private static final QuantSpec SUM = QuantSpec.perTensor(0.06, 2, 8, true);
    private static final QuantSpec OUT = QuantSpec.perTensor(0.05, -1, 8, true);

    /**
     * A trained model: x -> fq -> h; s = h + relu(h) (fake-quantized when {@code quantizeSum});
     * (n,c) -> (c,n) -> BatchNorm over c -> (n,c) -> fq. Everything before the sum is exact on
     * codes, so the integer model differs from it only in its final rounding.
     */
    static Graph trained(boolean quantizeSum, long seed) {
        Random r = new Random(seed);
        int n = 6, c = 4;
        List<Node> nodes = new ArrayList<>();
        Value x = new Value("x", TensorType.f32(1, n, c));
        Value h = node(nodes, "fq_in", new FakeQuant(IN), x);
        Value l = node(nodes, "relu", new Relu(), h);
        Value s = node(nodes, "add", new Add(), h, l);
        if (quantizeSum) s = node(nodes, "fq_sum", new FakeQuant(SUM), s);
        Value t = node(nodes, "t1", new Transpose(new int[] {0, 2, 1}), s);
        float[] gamma = {1.5f, -0.7f, 0.2f, 2.5f};
        t = node(nodes, "bn", BatchNorm.fold(new FloatTensor(Shape.of(c), gamma), SmallGraphs.random(r, 0.3, c),
                SmallGraphs.random(r, 0.2, c), new FloatTensor(Shape.of(c), new float[] {1, 0.5f, 2, 1}), 1e-5, 1), t);
        t = node(nodes, "t2", new Transpose(new int[] {0, 2, 1}), t);
        Value y = node(nodes, "fq_out", new FakeQuant(OUT), t);
        return new Graph("trained", List.of(x), List.of(y), nodes).verify();
    }

    static Value node(List<Node> nodes, String name, FloatOp op, Value... in) {
        Value v = new Value(name + "_out", op.resultType(List.of(in).stream().map(Value::type).toList()));
        nodes.add(new Node(name, op, List.of(in), v));
        return v;
    }

    @Test
    void aQuantizedSumKeepsItsOwnRequantizationAndTheBatchNorm() {
        IntegerModel m = Quantize.run(trained(true, 1), QuantOptions.uniform(8), false, null);
        assertEquals(1, batchNorms(m));
        assertEquals(0, foldedAdds(m));
        Node add = m.graph().nodes().stream().filter(n -> n.op() instanceof IntAdd).findFirst().orElseThrow();
        assertEquals(SUM.intType(), add.output().type().intType());
        assertEquals("add", add.name());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void integerModelIsWithinAboutOneOutputCodeOfTheTrainedModel(boolean quantizeSum) {
        Graph g = trained(quantizeSum, 2);
        // an unquantized sum is no error for a trained model: the fold needs no grid for it
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), false, null);
        assertEquals(quantizeSum ? 0 : 1, foldedAdds(m));
        // both round the same exact values (the float model possibly twice, then the integer
        // model too), up to ties and the 16-bit multipliers
        SmallGraphs.assertWithinAboutOneCode(g, m, OUT.scale(0), 0.05, 1, 6, 4);
    }

    @Test
    void reshapesThatKeepTheChannelAxisFold() {
        // BatchNorm1d on [N, C]: (1, n, c) -> (n, c) -> BatchNorm over axis 1 -> (1, n, c)
        Random r = new Random(4);
        int n = 5, c = 3;
        List<Node> nodes = new ArrayList<>();
        Value a = new Value("a", TensorType.f32(1, n, c));
        Value b = new Value("b", TensorType.f32(1, n, c));
        Value s = node(nodes, "add", new Add(), a, b);
        Value t = node(nodes, "r1", new Reshape(Shape.of(n, c)), s);
        t = node(nodes, "bn", BatchNorm.fold(SmallGraphs.random(r, 1, c), SmallGraphs.random(r, 1, c), SmallGraphs.random(r, 1, c),
                new FloatTensor(Shape.of(c), new float[] {1, 1, 1}), 1e-5, 1), t);
        Value y = node(nodes, "r2", new Reshape(Shape.of(1, n, c)), t);
        Graph g = new Graph("g", List.of(a, b), List.of(y), nodes).verify();
        Map<Node, FoldBatchNormIntoAdd.Fold> folds = FoldBatchNormIntoAdd.find(g);
        assertEquals(1, folds.size());
        assertEquals(2, folds.values().iterator().next().axis());
    }

    @Test
    void aReshapeThatScramblesChannelsDoesNotFold() {
        // (1, 4, 6) reshaped (not transposed) to (1, 6, 4): channel k of the BatchNorm is not an axis of the sum
        Random r = new Random(5);
        List<Node> nodes = new ArrayList<>();
        Value a = new Value("a", TensorType.f32(1, 4, 6));
        Value b = new Value("b", TensorType.f32(1, 4, 6));
        Value s = node(nodes, "add", new Add(), a, b);
        Value t = node(nodes, "r1", new Reshape(Shape.of(1, 6, 4)), s);
        t = node(nodes, "bn", BatchNorm.fold(SmallGraphs.random(r, 1, 6), SmallGraphs.random(r, 1, 6), SmallGraphs.random(r, 1, 6),
                new FloatTensor(Shape.of(6), new float[] {1, 1, 1, 1, 1, 1}), 1e-5, 1), t);
        Graph g = new Graph("g", List.of(a, b), List.of(t), nodes).verify();
        assertTrue(FoldBatchNormIntoAdd.find(g).isEmpty());
    }

    @Test
    void aSumWithAnotherReaderDoesNotFold() {
        Random r = new Random(6);
        List<Node> nodes = new ArrayList<>();
        Value a = new Value("a", TensorType.f32(1, 4, 3));
        Value s = node(nodes, "add", new Add(), a, a);
        Value t = node(nodes, "bn", BatchNorm.fold(SmallGraphs.random(r, 1, 3), SmallGraphs.random(r, 1, 3), SmallGraphs.random(r, 1, 3),
                new FloatTensor(Shape.of(3), new float[] {1, 1, 1}), 1e-5, 2), s);
        Value u = node(nodes, "add2", new Add(), t, s);
        Graph g = new Graph("g", List.of(a), List.of(u), nodes).verify();
        assertTrue(FoldBatchNormIntoAdd.find(g).isEmpty());
        // the sum is also a graph output
        Graph g2 = new Graph("g", List.of(a), List.of(t, s), nodes.subList(0, 2)).verify();
        assertTrue(FoldBatchNormIntoAdd.find(g2).isEmpty());
    }

    @Test
    void widthsHoldOnEveryInputCode() {
        IntegerModel m = Quantize.run(trained(false, 3), QuantOptions.uniform(8), false, null);
        IntType in = m.graph().inputs().get(0).type().intType();
        Random r = new Random(8);
        for (int trial = 0; trial < 200; trial++) {
            long[] codes = new long[24];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = trial == 0 ? in.min() : trial == 1 ? in.max() : in.min() + r.nextInt((int) (in.max() - in.min() + 1));
            }
            IntTensor x = new IntTensor(Shape.of(1, 6, 4), codes);
            assertDoesNotThrow(() -> IntInterpreter.run(m.graph(), x));
        }
    }
}
