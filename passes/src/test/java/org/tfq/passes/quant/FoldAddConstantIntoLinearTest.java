package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
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
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.IntAffine;
import org.tfq.ir.op.IntLinear;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.Relu;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;

/** A constant added to a Linear's output becomes the Linear's row bias, unless the model quantized the Linear's output. */
class FoldAddConstantIntoLinearTest {

    private static long addConstants(IntegerModel m) {
        return m.graph().nodes().stream().filter(n -> n.op() instanceof IntAffine a && a.kind().equals("add_const")).count();
    }

    private static List<Node> rowBiased(IntegerModel m) {
        return m.graph().nodes().stream().filter(n -> n.op() instanceof IntLinear l && l.rowBias() != null).toList();
    }

    // --- the committed models ---

    static List<String> referenceModels() throws IOException {
        return FoldBatchNormIntoAddTest.referenceModels();
    }

    static List<String> qatModels() throws IOException {
        return FoldBatchNormIntoAddTest.qatModels();
    }

    @ParameterizedTest
    @MethodSource("referenceModels")
    void thePositionalEncodingFoldsIntoTheInputProjection(String file) {
        ImportResult r = OnnxImporter.load(FoldBatchNormIntoAddTest.models().resolve(file), ImportOptions.DEFAULT);
        Graph g = r.graph();
        ModelInput in = r.inputs().get(0);
        FloatTensor cal = Npy.read(FoldBatchNormIntoAddTest.models().resolve(file.replace(".onnx", ".calibration.npy")));
        List<FloatTensor> bound = new ArrayList<>();
        for (int i = 0; i < Samples.count(in, cal); i += 8) bound.add(Samples.toBound(in, cal, i));

        Map<Node, FoldAddConstantIntoLinear.Fold> folds = FoldAddConstantIntoLinear.find(g);
        assertEquals(1, folds.size(), file);
        FoldAddConstantIntoLinear.Fold f = folds.values().iterator().next();
        assertEquals(g.nodes().get(0), f.linear(), "the input projection");
        Shape y = f.linear().output().type().shape(); // [1, n, d]
        int rows = y.dim(1), d = y.last();

        // the fused graph has no value for the Linear's output: the plan neither calibrates nor gives it a grid
        org.tfq.ir.Graph fused = Quantize.FUSIONS.run(g, org.tfq.ir.pass.IrObserver.NONE);
        Calibration c = Calibration.run(fused, bound.subList(0, 4));
        QuantPlan plan = assertDoesNotThrow(
                () -> PlanPostTraining.run(fused, c.without(f.linear().output().name()), QuantOptions.uniform(8)));
        assertNull(plan.activation(f.linear().output().name()));
        assertNotNull(plan.weights().get(f.name()), "the fused node's weights");

        for (int bits : new int[] {8, 4}) {
            IntegerModel m = Quantize.run(g, QuantOptions.uniform(bits), true, bound);
            assertEquals(0, addConstants(m), file);
            Node first = m.graph().nodes().get(0);
            IntLinear lin = (IntLinear) first.op();
            assertEquals(Shape.of(rows, d), lin.rowBias().shape());
            assertEquals(List.of(first), rowBiased(m));
            assertEquals(f.name(), first.name());
            assertEquals(f.output().name(), first.output().name());
            // read straight by the q, k, v projections (and the residual add)
            assertEquals(3, m.graph().nodes().stream().filter(n -> n.inputs().contains(first.output()) && n.op() instanceof IntLinear).count());
            FloatTensor x = Samples.toBound(in, cal, 1);
            assertDoesNotThrow(() -> m.run(x));
        }
    }

    @ParameterizedTest
    @MethodSource("qatModels")
    void aTrainedQuantizerOnTheLinearsOutputIsRespected(String file) {
        ImportResult r = OnnxImporter.load(FoldBatchNormIntoAddTest.models().resolve(file), ImportOptions.DEFAULT);
        assertTrue(FoldAddConstantIntoLinear.find(r.graph()).isEmpty());
        IntegerModel m = Quantize.run(r.graph(), QuantOptions.uniform(8), false, null);
        assertEquals(1, addConstants(m), file);
        assertTrue(rowBiased(m).isEmpty());
        // right after the input projection, as the model has it
        assertTrue(m.graph().nodes().get(0).op() instanceof IntLinear);
        assertTrue(m.graph().nodes().get(1).op() instanceof IntAffine a && a.kind().equals("add_const"));
    }

    // --- small graphs ---

    @Test
    void theSmallEncoderFolds() {
        Graph g = SmallGraphs.encoder(7, 12, 3, 16);
        assertEquals(1, FoldAddConstantIntoLinear.find(g).size());
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), true, SmallGraphs.inputs(1, 50, 12, 3));
        assertEquals(0, addConstants(m));
        assertEquals(Shape.of(12, 16), ((IntLinear) rowBiased(m).get(0).op()).rowBias().shape());
    }

    private static final QuantSpec IN = QuantSpec.perTensor(0.04, 3, 8, true);
    private static final QuantSpec MID = QuantSpec.perTensor(0.05, -2, 8, true);
    private static final QuantSpec OUT = QuantSpec.perTensor(0.03, -5, 8, true);

    /**
     * A trained model: x [b,n,3] -> fq -> linear (8-bit per-channel trained weights) [-> fq when
     * {@code quantizeLinear}] -> + C [-> relu] -> fq. The integer model then differs from it only
     * in its final rounding (and the 16-bit multipliers).
     */
    static Graph trained(boolean quantizeLinear, boolean relu, Shape constant, long seed) {
        Random r = new Random(seed);
        int k = 3, d = 4;
        double[] scale = new double[d];
        float[] w = new float[d * k];
        for (int o = 0; o < d; o++) {
            scale[o] = 0.002 + 0.01 * r.nextDouble();
            for (int i = 0; i < k; i++) w[o * k + i] = (float) ((r.nextInt(255) - 127) * scale[o]);
        }
        QuantSpec wq = new QuantSpec(scale, new long[d], 0, 8, true, -127, 127);
        List<Node> nodes = new ArrayList<>();
        Value x = new Value("x", TensorType.f32(2, 6, k));
        Value h = FoldBatchNormIntoAddTest.node(nodes, "fq_in", new FakeQuant(IN), x);
        h = FoldBatchNormIntoAddTest.node(nodes, "proj", new Linear(new FloatTensor(Shape.of(d, k), w), SmallGraphs.random(r, 0.3, d), wq), h);
        if (quantizeLinear) h = FoldBatchNormIntoAddTest.node(nodes, "fq_proj", new FakeQuant(MID), h);
        h = FoldBatchNormIntoAddTest.node(nodes, "pe", new AddConstant(SmallGraphs.random(r, 0.8, constant.dims())), h);
        if (relu) h = FoldBatchNormIntoAddTest.node(nodes, "relu", new Relu(), h);
        Value y = FoldBatchNormIntoAddTest.node(nodes, "fq_out", new FakeQuant(OUT), h);
        return new Graph("trained", List.of(x), List.of(y), nodes).verify();
    }

    static List<Object[]> shapes() {
        List<Object[]> c = new ArrayList<>();
        for (Shape s : new Shape[] {Shape.of(6, 4), Shape.of(1, 6, 4), Shape.of(2, 6, 4), Shape.of(4), Shape.of(2, 1, 4), Shape.of()}) {
            for (boolean relu : new boolean[] {false, true}) c.add(new Object[] {s, relu});
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void integerModelIsWithinAboutOneOutputCodeOfTheTrainedModel(Shape constant, boolean relu) {
        Graph g = trained(false, relu, constant, 2);
        assertEquals(1, FoldAddConstantIntoLinear.find(g).size());
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), false, null);
        assertEquals(1, m.graph().nodes().size(), m.graph().toString());
        IntLinear lin = (IntLinear) m.graph().nodes().get(0).op();
        assertEquals(Shape.of(12, 4), lin.rowBias().shape(), "C broadcast to the 2 x 6 rows");
        assertEquals(relu, lin.relu());
        assertEquals(OUT.intType(), lin.out());
        SmallGraphs.assertWithinAboutOneCode(g, m, OUT.scale(0), 0.02, 2, 6, 3);
    }

    @Test
    void aQuantizedLinearOutputKeepsTheAddConstant() {
        Graph g = trained(true, false, Shape.of(1, 6, 4), 3);
        assertTrue(FoldAddConstantIntoLinear.find(g).isEmpty());
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), false, null);
        assertEquals(1, addConstants(m));
        assertTrue(rowBiased(m).isEmpty());
        assertEquals(MID.intType(), m.graph().nodes().get(0).output().type().intType());
    }

    @Test
    void aLinearOutputWithAnotherReaderOrAsAGraphOutputDoesNotFold() {
        Random r = new Random(6);
        List<Node> nodes = new ArrayList<>();
        Value x = new Value("x", TensorType.f32(1, 5, 3));
        Value h = FoldBatchNormIntoAddTest.node(nodes, "lin", new Linear(SmallGraphs.random(r, 1, 4, 3), null), x);
        Value p = FoldBatchNormIntoAddTest.node(nodes, "pe", new AddConstant(SmallGraphs.random(r, 1, 5, 4)), h);
        Value s = FoldBatchNormIntoAddTest.node(nodes, "relu", new Relu(), h);
        Graph g = new Graph("g", List.of(x), List.of(p, s), nodes).verify();
        assertTrue(FoldAddConstantIntoLinear.find(g).isEmpty());
        Graph g2 = new Graph("g", List.of(x), List.of(p, h), nodes.subList(0, 2)).verify();
        assertTrue(FoldAddConstantIntoLinear.find(g2).isEmpty());
        Graph g3 = new Graph("g", List.of(x), List.of(p), nodes.subList(0, 2)).verify();
        assertEquals(1, FoldAddConstantIntoLinear.find(g3).size());
    }

    @Test
    void aConstantThatWidensTheOutputDoesNotFold() {
        Random r = new Random(7);
        List<Node> nodes = new ArrayList<>();
        Value x = new Value("x", TensorType.f32(1, 1, 3));
        Value h = FoldBatchNormIntoAddTest.node(nodes, "lin", new Linear(SmallGraphs.random(r, 1, 4, 3), null), x);
        Value p = FoldBatchNormIntoAddTest.node(nodes, "pe", new AddConstant(SmallGraphs.random(r, 1, 5, 4)), h);
        Graph g = new Graph("g", List.of(x), List.of(p), nodes).verify();
        assertEquals(Shape.of(1, 5, 4), p.type().shape());
        assertTrue(FoldAddConstantIntoLinear.find(g).isEmpty());
    }

    @Test
    void widthsHoldOnEveryInputCode() {
        IntegerModel m = Quantize.run(trained(false, false, Shape.of(6, 4), 4), QuantOptions.uniform(8), false, null);
        IntType in = m.graph().inputs().get(0).type().intType();
        Random r = new Random(8);
        for (int trial = 0; trial < 200; trial++) {
            long[] codes = new long[36];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = trial == 0 ? in.min() : trial == 1 ? in.max() : in.min() + r.nextInt((int) (in.max() - in.min() + 1));
            }
            IntTensor x = new IntTensor(Shape.of(2, 6, 3), codes);
            assertDoesNotThrow(() -> IntInterpreter.run(m.graph(), x));
        }
    }
}
