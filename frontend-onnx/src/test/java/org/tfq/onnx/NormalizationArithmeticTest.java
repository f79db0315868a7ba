package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.Node;

/** Arithmetic between activations outside GELU and LayerNorm: node by node but for a window's standardization, and a clear line for what is not. */
class NormalizationArithmeticTest {

    @TempDir
    Path dir;

    private static List<String> ops(ImportResult r) {
        return r.graph().nodes().stream().map(Node::op).map(o -> o.mnemonic()).toList();
    }

    @Test
    void standardizationOverTimeIsOneAxisNormAndTheRestNodeByNode() throws IOException {
        // (x - mean) / sqrt(mean((x - mean)^2) + eps), then * the deviation: [1,4,3] over axis 1, as RevIN
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 4, 3).output("y", 1, 4, 3)
                .scalar("two", 2).scalar("eps", 1e-5f)
                .node("ReduceMean", new String[] {"x"}, new String[] {"m"}, "axes", new long[] {1})
                .node("Sub", new String[] {"x", "m"}, new String[] {"d"})
                .node("Pow", new String[] {"d", "two"}, new String[] {"sq"})
                .node("ReduceMean", new String[] {"sq"}, new String[] {"v"}, "axes", new long[] {1})
                .node("Add", new String[] {"v", "eps"}, new String[] {"ve"})
                .node("Sqrt", new String[] {"ve"}, new String[] {"s"})
                .node("Div", new String[] {"d", "s"}, new String[] {"z"})
                .node("Mul", new String[] {"z", "s"}, new String[] {"y"});
        ImportResult r = OnnxImporter.load(b.write(dir, "m.onnx"), ImportOptions.DEFAULT);
        // the division by the window's own deviation is one normalization; the deviation itself stays, read by the Mul
        assertEquals(List.of("mean_pool", "sub", "mul", "mean_pool", "add_const", "sqrt", "axis_norm", "mul"), ops(r));
    }

    @Test
    void divisionByAnotherActivationIsReciprocalThenProduct() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 4, 3).output("y", 1, 4, 3)
                .node("ReduceMean", new String[] {"x"}, new String[] {"m"}, "axes", new long[] {1})
                .node("Div", new String[] {"x", "m"}, new String[] {"y"});
        ImportResult r = OnnxImporter.load(b.write(dir, "d.onnx"), ImportOptions.DEFAULT);
        assertEquals(List.of("mean_pool", "reciprocal", "mul"), ops(r));
    }

    @Test
    void otherPowersOfAnActivationAreOneClearLine() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 4, 3).output("y", 1, 4, 3).scalar("three", 3)
                .node("Pow", new String[] {"x", "three"}, new String[] {"y"});
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(b.write(dir, "p.onnx"), ImportOptions.DEFAULT));
        assertTrue(e.getMessage().contains("op Pow") && e.getMessage().contains("square (a constant exponent 2)")
                && e.getMessage().contains("this exponent is 3"), e.getMessage());
    }
}
