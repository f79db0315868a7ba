package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.onnx.proto.Onnx;

class OnnxRuntimeRunnerTest {

    @TempDir
    Path tmp;

    static Onnx.ModelProto gemm() {
        return OnnxBuilder.gemm();
    }

    @Test
    void gemmMatchesHandComputedValues() throws IOException {
        Path file = write(gemm());
        ModelInput in = new ModelInput("x", Shape.of(1, 3), 0, true);
        ModelInput out = new ModelInput("y", Shape.of(1, 2), 0, true);
        FloatTensor x = new FloatTensor(Shape.of(3, 3), new float[] {1, 0, 0, 0, 1, 0, 1, 1, 1});
        FloatTensor y = OnnxRuntimeRunner.runSamples(file, in, out, x);
        assertEquals(Shape.of(3, 2), y.shape());
        // row i of W plus b; the last sample is the sum of W's rows (9, 12) plus b
        assertArrayEquals(new float[] {1.5f, 1, 3.5f, 3, 9.5f, 11}, y.data());
    }

    @Test
    void gemmInBatchesOfTwoWithAPartialLastRun() throws IOException {
        Path file = write(gemm());
        ModelInput in = new ModelInput("x", Shape.of(2, 3), 0, true);
        ModelInput out = new ModelInput("y", Shape.of(2, 2), 0, true);
        FloatTensor x = new FloatTensor(Shape.of(3, 3), new float[] {1, 0, 0, 0, 1, 0, 1, 1, 1});
        FloatTensor y = OnnxRuntimeRunner.runSamples(file, in, out, x);
        assertArrayEquals(new float[] {1.5f, 1, 3.5f, 3, 9.5f, 11}, y.data());
    }

    /** Seq-first: X [T=2, B, F=3] plus a constant [3]; the batch is axis 1. */
    @Test
    void batchAxisInTheMiddle() throws IOException {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
                .setName("add")
                .addInput(valueInfo("x", 2, "B", 3))
                .addOutput(valueInfo("y", 2, "B", 3))
                .addInitializer(tensor("c", new float[] {10, 20, 30}, 3))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("c").addOutput("y"))
                .build();
        Path file = write(model(g, Onnx.OperatorSetIdProto.newBuilder().setVersion(17).build()));
        // three samples [2,3] each: sample s holds s*100 + t*10 + f
        float[] xs = new float[18];
        for (int s = 0; s < 3; s++) for (int t = 0; t < 2; t++) for (int f = 0; f < 3; f++) xs[s * 6 + t * 3 + f] = s * 100 + t * 10 + f;
        FloatTensor x = new FloatTensor(Shape.of(3, 2, 3), xs);
        float[] expected = new float[18];
        for (int i = 0; i < 18; i++) expected[i] = xs[i] + (i % 3 + 1) * 10;
        for (int batch : new int[] {1, 2, 3}) {
            ModelInput in = new ModelInput("x", Shape.of(2, batch, 3), 1, true);
            ModelInput out = new ModelInput("y", Shape.of(2, batch, 3), 1, true);
            FloatTensor y = OnnxRuntimeRunner.runSamples(file, in, out, x);
            assertEquals(Shape.of(3, 2, 3), y.shape());
            assertArrayEquals(expected, y.data(), "batch " + batch);
        }
    }

    @Test
    void customDomainOpIsOneClearLine() throws IOException {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
                .setName("quant")
                .addInput(valueInfo("x", 1, 3))
                .addOutput(valueInfo("y", 1, 3))
                .addInitializer(tensor("s", new float[] {0.1f}))
                .addInitializer(tensor("z", new float[] {0}))
                .addInitializer(tensor("bits", new float[] {8}))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Quant").setDomain("qonnx.custom_op.general")
                        .addInput("x").addInput("s").addInput("z").addInput("bits").addOutput("y"))
                .build();
        Path file = write(model(g, Onnx.OperatorSetIdProto.newBuilder().setVersion(17).build(),
                Onnx.OperatorSetIdProto.newBuilder().setDomain("qonnx.custom_op.general").setVersion(1).build()));
        ModelInput in = new ModelInput("x", Shape.of(1, 3), 0, false);
        ModelInput out = new ModelInput("y", Shape.of(1, 3), 0, false);
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> OnnxRuntimeRunner.runSamples(file, in, out, FloatTensor.zeros(Shape.of(1, 3))));
        assertTrue(e.getMessage().startsWith(file + ": ONNX Runtime cannot load the model: "), e.getMessage());
        assertTrue(e.getMessage().contains("Quant"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void notOnnxIsOneClearLine() throws IOException {
        Path file = tmp.resolve("text.onnx");
        Files.writeString(file, "this is not a model\n", StandardCharsets.UTF_8);
        ModelInput in = new ModelInput("x", Shape.of(1, 3), 0, false);
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> OnnxRuntimeRunner.runSamples(file, in, in, FloatTensor.zeros(Shape.of(1, 3))));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void missingFile() {
        Path file = tmp.resolve("absent.onnx");
        ModelInput in = new ModelInput("x", Shape.of(1, 3), 0, false);
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> OnnxRuntimeRunner.runSamples(file, in, in, FloatTensor.zeros(Shape.of(1, 3))));
        assertEquals(file + ": no such file", e.getMessage());
    }

    @Test
    void wrongSampleShapeIsRejectedBeforeRunning() throws IOException {
        Path file = write(gemm());
        ModelInput in = new ModelInput("x", Shape.of(1, 3), 0, true);
        ModelInput out = new ModelInput("y", Shape.of(1, 2), 0, true);
        Exception e = assertThrows(RuntimeException.class,
                () -> OnnxRuntimeRunner.runSamples(file, in, out, FloatTensor.zeros(Shape.of(2, 4))));
        assertTrue(e.getMessage().contains("[N,3]"), e.getMessage());
    }

    // ---- building models with the generated protobuf classes

    private Path write(Onnx.ModelProto m) throws IOException {
        Path file = tmp.resolve(m.getGraph().getName() + ".onnx");
        Files.write(file, m.toByteArray());
        return file;
    }

    static Onnx.ModelProto model(Onnx.GraphProto g, Onnx.OperatorSetIdProto... opsets) {
        Onnx.ModelProto.Builder b = Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("tfq-test").setGraph(g);
        for (Onnx.OperatorSetIdProto o : opsets) b.addOpsetImport(o);
        return b.build();
    }

    static Onnx.ValueInfoProto valueInfo(String name, Object... dims) {
        return OnnxBuilder.valueInfo(name, dims);
    }

    static Onnx.TensorProto tensor(String name, float[] values, long... dims) {
        return OnnxBuilder.floatTensor(name, values, dims);
    }
}
