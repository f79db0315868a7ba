package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;

/**
 * Idioms written the ways exporters write them import to the intended IR op, and the IR
 * computes what ONNX Runtime computes on the same file.
 */
class ImporterIdiomsTest {

    @TempDir
    Path dir;

    /** Imports, checks the IR op counts contain {@code expected}, and compares with ORT on 5 samples. */
    private ImportResult check(OnnxBuilder b, Map<String, Integer> expected) throws IOException {
        Path p = b.write(dir, "m.onnx");
        ImportResult r = OnnxImporter.load(p, ImportOptions.DEFAULT);
        expected.forEach((op, count) -> assertEquals(count, r.graph().opCounts().getOrDefault(op, 0),
                op + " in " + r.graph().opCounts()));
        ModelInput in = r.inputs().get(0);
        int n = 5;
        Shape stack = Samples.stackShape(in, n);
        float[] x = OnnxBuilder.seq((int) stack.size(), 2.5f);
        FloatTensor samples = new FloatTensor(stack, x);
        FloatTensor ort = OnnxRuntimeRunner.runSamples(p, in, r.outputs().get(0), samples);
        FloatTensor ours = FloatReference.runSamples(r, samples);
        assertTrue(ort.maxAbsDiff(ours) <= 1e-5f, "max diff " + ort.maxAbsDiff(ours));
        return r;
    }

    @Test
    void layerNormWithMulSquareAndReciprocal() throws IOException {
        OnnxBuilder b = new OnnxBuilder().opset(13).input("x", "batch", 6, 8).output("y", "batch", 6, 8)
                .ints("axes", -1).scalar("eps", 1e-5f)
                .initializer("g", OnnxBuilder.seq(8, 1f), 8).initializer("bt", OnnxBuilder.seq(8, 0.3f), 8)
                .node("ReduceMean", "x", "m", "axes", new long[] {-1})
                .node("Sub", new String[] {"x", "m"}, new String[] {"d"})
                .node("Mul", new String[] {"d", "d"}, new String[] {"sq"})
                .node("ReduceMean", "sq", "v", "axes", new long[] {2})
                .node("Add", new String[] {"v", "eps"}, new String[] {"ve"})
                .node("Sqrt", "ve", "s").node("Reciprocal", "s", "r")
                .node("Mul", new String[] {"d", "r"}, new String[] {"nrm"})
                .node("Mul", new String[] {"nrm", "g"}, new String[] {"ng"})
                .node("Add", new String[] {"ng", "bt"}, new String[] {"y"});
        ImportResult r = check(b, Map.of("layernorm", 1));
        assertEquals(1, r.graph().nodes().size());
    }

    @Test
    void layerNormalizationOpAtOpset17() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 6, 8).output("y", 1, 6, 8)
                .initializer("g", OnnxBuilder.seq(8, 1f), 8).initializer("bt", OnnxBuilder.seq(8, 0.3f), 8)
                .node("LayerNormalization", new String[] {"x", "g", "bt"}, new String[] {"y"}, "epsilon", 1e-6f, "axis", -1L);
        check(b, Map.of("layernorm", 1));
    }

    @Test
    void geluTanhWithPow() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 10).output("y", 1, 10)
                .scalar("three", 3f).scalar("kappa", 0.044715f).scalar("beta", (float) Math.sqrt(2 / Math.PI))
                .scalar("one", 1f).scalar("half", 0.5f)
                .node("Pow", new String[] {"x", "three"}, new String[] {"c"})
                .node("Mul", new String[] {"kappa", "c"}, new String[] {"kc"})
                .node("Add", new String[] {"x", "kc"}, new String[] {"in"})
                .node("Mul", new String[] {"beta", "in"}, new String[] {"bi"})
                .node("Tanh", "bi", "t")
                .node("Add", new String[] {"one", "t"}, new String[] {"op"})
                .node("Mul", new String[] {"x", "op"}, new String[] {"xo"})
                .node("Mul", new String[] {"half", "xo"}, new String[] {"y"});
        ImportResult r = check(b, Map.of("gelu", 1));
        assertEquals("tanh", r.graph().nodes().get(0).op().attributes().get("approximation"));
    }

    @Test
    void geluErfAsPyTorchWritesIt() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 10).output("y", 1, 10)
                .scalar("sqrt2", 1.4142135f).scalar("one", 1f).scalar("half", 0.5f)
                .node("Div", new String[] {"x", "sqrt2"}, new String[] {"a"}).node("Erf", "a", "e")
                .node("Add", new String[] {"e", "one"}, new String[] {"p"})
                .node("Mul", new String[] {"x", "p"}, new String[] {"m"})
                .node("Mul", new String[] {"m", "half"}, new String[] {"y"});
        ImportResult r = check(b, Map.of("gelu", 1));
        assertEquals("none", r.graph().nodes().get(0).op().attributes().get("approximation"));
    }

    @Test
    void siluIsNotMistakenForGelu() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 10).output("y", 1, 10)
                .node("Sigmoid", "x", "s").node("Mul", new String[] {"x", "s"}, new String[] {"y"});
        Path p = b.write(dir, "silu.onnx");
        String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(p, ImportOptions.DEFAULT)).getMessage();
        assertTrue(msg.contains("neither GELU"), msg);
    }

    @Test
    void gemmWithTransposedWeightAlphaBeta() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 5).output("y", 1, 3)
                .initializer("w", OnnxBuilder.seq(15, 1f), 3, 5).initializer("c", OnnxBuilder.seq(3, 1f), 3)
                .node("Gemm", new String[] {"x", "w", "c"}, new String[] {"y"}, "transB", 1L, "alpha", 0.5f, "beta", 2f);
        check(b, Map.of("linear", 1));
    }

    @Test
    void splitGatherSliceSqueezeFlatten() throws IOException {
        OnnxBuilder b = new OnnxBuilder().opset(13).input("x", "b", 6, 12).output("y", "b", 4)
                .ints("sizes", 4, 4, 4).ints("one", 1).ints("s0", -1).ints("e0", Long.MAX_VALUE).ints("ax", 1)
                .node("Split", new String[] {"x", "sizes"}, new String[] {"q", "k", "v"}, "axis", 2L)
                .node("Add", new String[] {"q", "k"}, new String[] {"qk"})
                .node("Slice", new String[] {"qk", "s0", "e0", "ax"}, new String[] {"last"})
                .node("Squeeze", new String[] {"last", "one"}, new String[] {"sq"})
                .node("Flatten", "sq", "y", "axis", 1L);
        check(b, Map.of("slice", 4, "add", 1));
    }

    @Test
    void qkTransposeFoldsIntoMatMul() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 6, 4).output("y", 1, 6, 6)
                .node("Transpose", "x", "xt", "perm", new long[] {0, 2, 1})
                .node("MatMul", new String[] {"x", "xt"}, new String[] {"s"})
                .node("Softmax", "s", "y", "axis", -1L);
        ImportResult r = check(b, Map.of("matmul", 1, "transpose", 0, "softmax", 1));
        assertEquals("true", r.graph().nodes().get(0).op().attributes().get("transpose_b"));
    }

    @Test
    void batchOptionBindsTheSymbolicAxis() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 12, "batch", 3).output("y", 12, "batch", 2)
                .initializer("w", OnnxBuilder.seq(6, 1f), 3, 2)
                .node("MatMul", new String[] {"x", "w"}, new String[] {"y"});
        Path p = b.write(dir, "m.onnx");
        ImportResult r = OnnxImporter.load(p, new ImportOptions(4));
        assertEquals(Shape.of(12, 4, 3), r.graph().inputs().get(0).type().shape());
        assertEquals(1, r.inputs().get(0).batchAxis());
        assertEquals(Shape.of(12, 3), r.inputs().get(0).sampleShape());
        assertEquals(1, r.outputs().get(0).batchAxis());
        check(b, Map.of("linear", 1));
    }

    @Test
    void batchNormFoldsToScaleAndShift() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 4, 6).output("y", 1, 4, 6)
                .initializer("s", OnnxBuilder.seq(4, 1f), 4).initializer("bb", OnnxBuilder.seq(4, 0.2f), 4)
                .initializer("mu", OnnxBuilder.seq(4, 0.5f), 4)
                .initializer("var", new float[] {0.5f, 1f, 2f, 0.1f}, 4)
                .node("BatchNormalization", new String[] {"x", "s", "bb", "mu", "var"}, new String[] {"y"}, "epsilon", 1e-5f);
        check(b, Map.of("batchnorm", 1));
    }
}
