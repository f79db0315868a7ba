package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Node;
import org.tfq.ir.Shape;
import org.tfq.ir.io.Npy;
import org.tfq.ir.op.Softmax;
import org.tfq.onnx.proto.Onnx.TensorProto;

/**
 * Constant masks before a softmax import as the softmax's causal mask, with no -inf left in the
 * graph, and the float IR computes what ONNX Runtime computes; masks of another form are refused.
 */
class MaskedSoftmaxImportTest {

    @TempDir
    Path dir;

    /** x [1, 2, 5, 4]; scores = x x^T [1, 2, 5, 5], masked, scaled, softmax; the mask built by {@code masked}. */
    private OnnxBuilder scores(String maskOp, float[] mask, boolean bool) {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 2, 5, 4).output("y", 1, 2, 5, 5).scalar("ninf", Float.NEGATIVE_INFINITY)
                .scalar("half", 0.5f).scalar("two", 2f)
                .node("Transpose", "x", "xt", "perm", new long[] {0, 1, 3, 2})
                .node("MatMul", new String[] {"x", "xt"}, new String[] {"s"});
        if (bool) {
            TensorProto.Builder t = TensorProto.newBuilder().setName("m").setDataType(9).addDims(5).addDims(5);
            for (float v : mask) t.addInt32Data(v != 0 ? 1 : 0);
            b.graph.addInitializer(t);
        } else {
            b.initializer("m", mask, 5, 5);
        }
        if (maskOp.equals("Where")) b.node("Where", new String[] {"m", "ninf", "s"}, new String[] {"sm"});
        else b.node("Add", new String[] {"s", "m"}, new String[] {"sm"});
        return b.node("Mul", new String[] {"sm", "half"}, new String[] {"a"}).node("Div", new String[] {"a", "two"}, new String[] {"d"})
                .node("Softmax", "d", "y", "axis", -1L);
    }

    /** torch.triu(ones(5, 5), diagonal): 1 where masked. */
    private static float[] triu(int diagonal, float masked) {
        float[] m = new float[25];
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) m[i * 5 + j] = j - i >= diagonal ? masked : 0;
        return m;
    }

    private Softmax importAndCompare(OnnxBuilder b) throws IOException {
        Path p = b.write(dir, "m.onnx");
        ImportResult r = OnnxImporter.load(p, ImportOptions.DEFAULT);
        ModelInput in = r.inputs().get(0);
        Shape stack = Samples.stackShape(in, 3);
        FloatTensor x = new FloatTensor(stack, OnnxBuilder.seq((int) stack.size(), 1.5f));
        FloatTensor ort = OnnxRuntimeRunner.runSamples(p, in, r.outputs().get(0), x);
        FloatTensor ours = FloatReference.runSamples(r, x);
        assertTrue(ort.maxAbsDiff(ours) <= 1e-5f, "max diff " + ort.maxAbsDiff(ours));
        assertEquals(0, r.graph().opCounts().getOrDefault("add_const", 0), r.graph().opCounts().toString());
        Node last = r.graph().nodes().get(r.graph().nodes().size() - 1);
        return (Softmax) last.op();
    }

    @Test
    void whereWithBooleanTriangleBecomesCausal() throws IOException {
        assertEquals(1, importAndCompare(scores("Where", triu(1, 1), true)).mask().diagonal());
        assertEquals(2, importAndCompare(scores("Where", triu(2, 1), true)).mask().diagonal());
    }

    @Test
    void addedMinusInfinityOrLargeNegativeMaskBecomesCausal() throws IOException {
        assertEquals(1, importAndCompare(scores("Add", triu(1, Float.NEGATIVE_INFINITY), false)).mask().diagonal());
        assertEquals(3, importAndCompare(scores("Add", triu(3, -1e9f), false)).mask().diagonal());
    }

    @Test
    void anAllKeptMaskIsNoMask() throws IOException {
        assertTrue(importAndCompare(scores("Where", new float[25], true)).mask().none());
    }

    @Test
    void otherMasksAreRefusedByName() throws IOException {
        float[] padding = new float[25];
        for (int i = 0; i < 5; i++) padding[i * 5 + 4] = 1; // a key-padding mask: the same column in every row
        float[] lower = triu(1, 1);
        for (int i = 0; i < 25; i++) lower[i] = lower[i] == 0 ? 1 : 0; // masks the diagonal and below: row 0 keeps nothing
        for (float[] m : new float[][] {padding, lower}) {
            Path p = scores("Where", m, true).write(dir, "bad.onnx");
            String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(p, ImportOptions.DEFAULT)).getMessage();
            assertTrue(msg.contains("Where_") && msg.contains("the mask is not causal"), msg);
        }
    }

    @Test
    void maskNotBeforeASoftmaxIsRefused() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 5, 5).output("y", 1, 5, 5).scalar("ninf", Float.NEGATIVE_INFINITY);
        TensorProto.Builder t = TensorProto.newBuilder().setName("m").setDataType(9).addDims(5).addDims(5);
        for (float v : triu(1, 1)) t.addInt32Data(v != 0 ? 1 : 0);
        b.graph.addInitializer(t);
        b.node("Where", new String[] {"m", "ninf", "x"}, new String[] {"y"});
        Path p = b.write(dir, "nosoftmax.onnx");
        String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(p, ImportOptions.DEFAULT)).getMessage();
        assertTrue(msg.contains("only before a softmax"), msg);
    }

    /** The PyTorch exports: TSLib's masked_fill (Trilu folded), a float mask added, and the encoder-decoder. */
    @Test
    void pytorchExportsMatchOnnxRuntime() {
        for (String m : new String[] {"causal_where", "causal_add", "encdec"}) {
            Path p = TestdataModels.root().resolve("testdata/encdec/" + m + ".onnx");
            ImportResult r = OnnxImporter.load(p, ImportOptions.DEFAULT);
            FloatTensor x = Npy.read(p.resolveSibling(m + ".calibration.npy"));
            FloatTensor ort = OnnxRuntimeRunner.runSamples(p, r.inputs().get(0), r.outputs().get(0), x);
            FloatTensor ours = FloatReference.runSamples(r, x);
            assertTrue(ort.maxAbsDiff(ours) <= 1e-5f, m + ": max diff " + ort.maxAbsDiff(ours));
            long masked = r.graph().nodes().stream().filter(n -> n.op() instanceof Softmax s && !s.mask().none()).count();
            assertEquals(1, masked, m);
        }
    }
}
