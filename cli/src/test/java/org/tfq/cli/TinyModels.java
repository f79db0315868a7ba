package org.tfq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tfq.onnx.proto.Onnx;

/** Small ONNX models built in-test with the generated protobuf classes. */
final class TinyModels {
    private TinyModels() {}

    /** See {@link org.tfq.onnx.OnnxBuilder#gemm}. */
    static Onnx.ModelProto gemm() {
        return org.tfq.onnx.OnnxBuilder.gemm();
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
