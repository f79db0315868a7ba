package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.onnx.proto.Onnx.StringStringEntryProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/** Bad models fail with one line per problem naming file, node, op, domain and opset. */
class ImporterErrorsTest {

    @TempDir
    Path dir;

    private String fail(Path model) {
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(model, ImportOptions.DEFAULT));
        return e.getMessage();
    }

    private OnnxBuilder linearModel() {
        return new OnnxBuilder().input("x", 1, 4, 3).output("y", 1, 4, 2)
                .initializer("w", OnnxBuilder.seq(6, 1f), 3, 2)
                .node("MatMul", new String[] {"x", "w"}, new String[] {"y"});
    }

    @Test
    void unsupportedOpsAreListedOneLineEach() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 4, 3).output("y", 1, 4, 3)
                .node("Sin", "x", "a").node("Cos", "a", "b").node("HardSwish", "x", "c")
                .node("Add", new String[] {"b", "c"}, new String[] {"y"});
        String msg = fail(b.write(dir, "m.onnx"));
        String[] lines = msg.split("\n");
        assertTrue(lines[0].contains("m.onnx") && lines[0].contains("node 'Sin_0'") && lines[0].contains("op Sin")
                && lines[0].contains("domain ai.onnx") && lines[0].contains("opset 17"), msg);
        assertTrue(lines[1].contains("node 'HardSwish_2'") && lines[1].contains("op HardSwish"), msg);
        // Cos is unsupported whatever its input: reported although it reads Sin's output; Add is not
        assertTrue(lines[2].contains("node 'Cos_1'") && lines[2].contains("op Cos"), msg);
        assertEquals(4, lines.length, msg);
        assertTrue(lines[3].contains("3 node(s) not supported; nothing was written"), msg);
    }

    @Test
    void customDomainIsNamed() throws IOException {
        OnnxBuilder b = linearModel();
        b.graph.addNode(org.tfq.onnx.proto.Onnx.NodeProto.newBuilder().setOpType("FusedThing").setDomain("com.example")
                .setName("fused").addInput("y").addOutput("z"));
        b.graph.clearOutput().addOutput(OnnxBuilder.valueInfo("z", 1, 4, 2));
        String msg = fail(b.write(dir, "m.onnx"));
        assertTrue(msg.contains("node 'fused' (op FusedThing, domain com.example, opset 17)"), msg);
    }

    @Test
    void oldOpsetIsRefusedWithAFix() throws IOException {
        String msg = fail(linearModel().opset(11).write(dir, "old.onnx"));
        assertTrue(msg.contains("opset 11 is not supported") && msg.contains("opset_version"), msg);
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] full = linearModel().model().toByteArray();
        Path p = dir.resolve("cut.onnx");
        Files.write(p, Arrays.copyOf(full, full.length / 2));
        String msg = fail(p);
        assertTrue(msg.startsWith(p.toString()) && (msg.contains("truncated") || msg.contains("not an ONNX")), msg);
        assertEquals(1, msg.lines().count());
    }

    @Test
    void textFileIsNotOnnx() throws IOException {
        Path p = dir.resolve("notes.onnx");
        Files.writeString(p, "this is a README, not a model\n");
        String msg = fail(p);
        assertTrue(msg.contains("not an ONNX model"), msg);
    }

    @Test
    void missingFile() {
        assertTrue(fail(dir.resolve("nope.onnx")).contains("no such file"));
    }

    @Test
    void cycleIsReported() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 3).output("y", 1, 3)
                .node("Add", new String[] {"x", "b"}, new String[] {"a"})
                .node("Relu", "a", "b").node("Relu", "a", "y");
        assertTrue(fail(b.write(dir, "cyc.onnx")).contains("cycle"));
    }

    @Test
    void hugeDeclaredTensorIsRefusedWithoutAllocating() throws IOException {
        OnnxBuilder b = linearModel();
        b.graph.addInitializer(TensorProto.newBuilder().setName("big").setDataType(1).addDims(1L << 31).addDims(1L << 20));
        String msg = fail(b.write(dir, "big.onnx"));
        assertTrue(msg.contains("initializer 'big'") && msg.contains("limit"), msg);
    }

    private OnnxBuilder externalModel(String location) {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 4, 3).output("y", 1, 4, 2)
                .node("MatMul", new String[] {"x", "w"}, new String[] {"y"});
        b.graph.addInitializer(TensorProto.newBuilder().setName("w").setDataType(1).addDims(3).addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("8")));
        return b;
    }

    @Test
    void externalDataOutsideTheModelFolderIsRefused() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("model"));
        Files.write(dir.resolve("secret.bin"), new byte[64]);
        String msg = fail(externalModel("../secret.bin").write(sub, "m.onnx"));
        assertTrue(msg.contains("'../secret.bin' leaves the model's folder"), msg);
        assertEquals(1, msg.lines().count());
        msg = fail(externalModel(dir.resolve("secret.bin").toString()).write(sub, "abs.onnx"));
        assertTrue(msg.contains("leaves the model's folder"), msg);
        Files.createSymbolicLink(sub.resolve("link.bin"), dir.resolve("secret.bin"));
        msg = fail(externalModel("link.bin").write(sub, "link.onnx"));
        assertTrue(msg.contains("'link.bin' is a link that leaves the model's folder"), msg);
    }

    @Test
    void externalDataBesideTheModelIsRead() throws IOException {
        float[] w = OnnxBuilder.seq(6, 1f);
        ByteBuffer b = ByteBuffer.allocate(8 + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0);
        for (float v : w) b.putFloat(v);
        Files.write(dir.resolve("weights.bin"), b.array());
        ImportResult r = OnnxImporter.load(externalModel("weights.bin").write(dir, "m.onnx"), ImportOptions.DEFAULT);
        org.tfq.ir.op.Linear lin = (org.tfq.ir.op.Linear) r.graph().nodes().get(0).op();
        // MatMul weight [3,2] is stored as rows [2,3]: element (o=1, i=2) is w[2*2+1]
        assertEquals(w[5], lin.weight().data()[1 * 3 + 2]);
    }

    @Test
    void externalDataTooShortIsAClearError() throws IOException {
        Files.write(dir.resolve("short.bin"), new byte[10]);
        assertTrue(fail(externalModel("short.bin").write(dir, "m.onnx")).contains("too short"));
    }

    @Test
    void rawDataOfTheWrongSizeIsAClearError() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 4, 3).output("y", 1, 4, 2)
                .node("MatMul", new String[] {"x", "w"}, new String[] {"y"});
        b.graph.addInitializer(TensorProto.newBuilder().setName("w").setDataType(1).addDims(3).addDims(2)
                .setRawData(ByteString.copyFrom(new byte[7])));
        assertTrue(fail(b.write(dir, "m.onnx")).contains("has 7 bytes of data"));
    }

    @Test
    void twoSymbolicAxesAreRefused() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", "batch", "time", 3).output("y", "batch", "time", 3).node("Relu", "x", "y");
        assertTrue(fail(b.write(dir, "m.onnx")).contains("2 symbolic dimensions"));
    }
}
