package org.tfq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tfq.onnx.proto.Onnx;

/** Small ONNX models built in-test with the generated protobuf classes. */
final class TinyModels {
    private TinyModels() {}

    /** y = x W + b with x [N,3], W = [[1,2],[3,4],[5,6]], b = [0.5,-1]; N symbolic. */
    static Onnx.ModelProto gemm() {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
                .setName("gemm")
                .addInput(valueInfo("x", "N", 3))
                .addOutput(valueInfo("y", "N", 2))
                .addInitializer(tensor("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2))
                .addInitializer(tensor("b", new float[] {0.5f, -1}, 2))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Gemm").setName("fc")
                        .addInput("x").addInput("w").addInput("b").addOutput("y"))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("tfq-test").setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(17))
                .build();
    }

    static Path write(Path dir, String file, Onnx.ModelProto m) throws IOException {
        Path p = dir.resolve(file);
        Files.write(p, m.toByteArray());
        return p;
    }

    static Onnx.ValueInfoProto valueInfo(String name, Object... dims) {
        return org.tfq.onnx.OnnxBuilder.valueInfo(name, dims);
    }

    static Onnx.TensorProto tensor(String name, float[] values, long... dims) {
        return org.tfq.onnx.OnnxBuilder.floatTensor(name, values, dims);
    }
}
