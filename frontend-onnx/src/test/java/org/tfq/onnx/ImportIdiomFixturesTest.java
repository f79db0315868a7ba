package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.io.Npy;

/**
 * The idiom exports of testdata/make_idiom_models.py (einsum equations, means and sums, pools,
 * softmax and BatchNorm written out) import to tfq's IR ops, and the float IR computes what
 * numpy's einsum (or torch) computed outside the model and what ONNX Runtime computes on the file.
 */
class ImportIdiomFixturesTest {

    @TempDir
    Path dir;

    static List<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(TestdataModels.root().resolve("testdata/idioms"))) {
            List<Path> r = s.filter(p -> p.toString().endsWith(".onnx") && !p.getFileName().toString().startsWith("unsupported_")).sorted().toList();
            assertFalse(r.isEmpty());
            return r;
        }
    }

    /** IR ops each fixture must come to (a subset of its op counts), and ONNX ops that must leave no trace. */
    private static final Map<String, Map<String, Integer>> EXPECTED = Map.ofEntries(
            Map.entry("einsum_qk", Map.of("matmul", 1)),
            Map.entry("einsum_av", Map.of("matmul", 1)),
            Map.entry("einsum_tt4ts_scores", Map.of("matmul", 1, "transpose", 2)),
            Map.entry("einsum_tt4ts_context", Map.of("matmul", 1, "transpose", 2)),
            Map.entry("einsum_nd_md", Map.of("matmul", 1)),
            Map.entry("einsum_implicit", Map.of("matmul", 1)),
            Map.entry("einsum_ellipsis", Map.of("matmul", 1)),
            Map.entry("einsum_two_contracted", Map.of("matmul", 1)),
            Map.entry("einsum_const_linear", Map.of("linear", 2, "matmul", 0)),
            Map.entry("einsum_const_first", Map.of("linear", 2, "matmul", 0)),
            Map.entry("global_average_pool", Map.of("mean_pool", 1)),
            Map.entry("reduce_sum_mean", Map.of("mean_pool", 6)),
            Map.entry("average_pool", Map.of("mean_pool", 3)),
            Map.entry("softmax_written_out", Map.of("softmax", 1)),
            Map.entry("softmax_written_out_no_max", Map.of("softmax", 1)),
            Map.entry("batchnorm_written_out", Map.of("batchnorm", 2, "mul_const", 0, "add_const", 0)));

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void importsToIrOpsAndComputesTheExpectedResult(Path model) {
        String stem = OnnxImporter.stem(model);
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        Map<String, Integer> ops = r.graph().opCounts();
        Map<String, Integer> want = EXPECTED.get(stem);
        assertTrue(want != null, "no expectation for " + stem);
        want.forEach((op, n) -> assertEquals(n, ops.getOrDefault(op, 0), op + " in " + ops));

        FloatTensor x = Npy.read(TestdataModels.sibling(model, ".inputs.npy"));
        FloatTensor ours = FloatReference.runSamples(r, x);
        FloatTensor expected = Npy.read(TestdataModels.sibling(model, ".expected.npy"));
        assertEquals(expected.shape().size(), ours.shape().size());
        float scale = 1;
        for (float v : expected.data()) scale = Math.max(scale, Math.abs(v));
        assertTrue(ours.reshape(expected.shape()).maxAbsDiff(expected) <= 1e-5f * scale, stem + ": float IR vs numpy/torch");
        FloatTensor ort = OnnxRuntimeRunner.runSamples(model, r.inputs().get(0), r.outputs().get(0), x);
        assertTrue(ort.maxAbsDiff(ours) <= 1e-5f * scale, stem + ": float IR vs ONNX Runtime " + ort.maxAbsDiff(ours));
    }

    private String refused(String equation, long[] da, long[] db) throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 3, 4).output("y", 1, 3)
                .initializer("c", OnnxBuilder.seq((int) java.util.Arrays.stream(db).reduce(1, (p, q) -> p * q), 1f), db)
                .node("Einsum", new String[] {"x", "c"}, new String[] {"y"}, "equation", equation);
        Path p = b.write(dir, "e.onnx");
        String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(p, ImportOptions.DEFAULT)).getMessage();
        assertEquals(2, msg.lines().count(), msg);
        assertTrue(msg.contains("Einsum equation '" + equation + "'") && msg.contains("op Einsum"), msg);
        return msg;
    }

    @Test
    void equationsThatAreNotMatrixProductsAreNamed() throws IOException {
        assertTrue(refused("bii,ij->bj", new long[] {1, 3, 4}, new long[] {3, 4}).contains("diagonal"));
        assertTrue(refused("bij,kl->bik", new long[] {1, 3, 4}, new long[] {2, 2}).contains("one operand only"));
        assertTrue(refused("bij,bj->bi", new long[] {1, 3, 4}, new long[] {1, 5}).contains("sizes 4 and 5"));
        assertTrue(refused("bij,bj->bi", new long[] {1, 3, 4}, new long[] {1, 4}).contains("batch labels on a constant"));
        assertTrue(refused("bij,jk,kl->bil", new long[] {1, 3, 4}, new long[] {4, 2}).contains("3 operand"));
    }

    @Test
    void reduceMaxOutsideSoftmaxAndReduceMinWithAxesInputArePools() throws IOException {
        Path max = new OnnxBuilder().opset(13).input("x", 1, 3, 4).output("y", 1, 3, 1)
                .node("ReduceMax", "x", "y", "axes", new long[] {-1}).write(dir, "max.onnx");
        // opset 18: the axes are an input
        Path min = new OnnxBuilder().opset(18).input("x", 1, 3, 4).output("y", 4).ints("axes", 0, 1)
                .node("ReduceMin", new String[] {"x", "axes"}, new String[] {"y"}, "keepdims", 0L).write(dir, "min.onnx");
        FloatTensor x = new FloatTensor(org.tfq.ir.Shape.of(1, 3, 4), new float[] {3, -1, 4, 1, -5, 9, 2, -6, 5, 3, -5, 8});
        for (Path p : List.of(max, min)) {
            ImportResult r = OnnxImporter.load(p, ImportOptions.DEFAULT);
            FloatTensor ort = OnnxRuntimeRunner.runSamples(p, r.inputs().get(0), r.outputs().get(0), x);
            assertEquals(0f, ort.maxAbsDiff(FloatReference.runSamples(r, x)), p.toString());
        }
    }

    @Test
    void maxPoolsTfqCannotComputeAreRefusedSayingWhy() throws IOException {
        Path ceil = new OnnxBuilder().opset(13).input("x", 1, 2, 6).output("y", 1, 2, 3)
                .node("MaxPool", "x", "y", "kernel_shape", new long[] {2}, "strides", new long[] {2}, "pads", new long[] {0, 1},
                        "ceil_mode", 1L).write(dir, "ceil.onnx");
        String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(ceil, ImportOptions.DEFAULT)).getMessage();
        assertTrue(msg.contains("ceil_mode=1"), msg);
        Path idx = new OnnxBuilder().opset(13).input("x", 1, 2, 6).output("y", 1, 2, 3).output("i", 1, 2, 3)
                .node("MaxPool", new String[] {"x"}, new String[] {"y", "i"}, "kernel_shape", new long[] {2}, "strides", new long[] {2})
                .write(dir, "indices.onnx");
        msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(idx, ImportOptions.DEFAULT)).getMessage();
        assertTrue(msg.contains("Indices"), msg);
    }
}
