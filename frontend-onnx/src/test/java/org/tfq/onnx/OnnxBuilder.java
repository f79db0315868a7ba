package org.tfq.onnx;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tfq.onnx.proto.Onnx.AttributeProto;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.OperatorSetIdProto;
import org.tfq.onnx.proto.Onnx.TensorProto;
import org.tfq.onnx.proto.Onnx.TensorShapeProto;
import org.tfq.onnx.proto.Onnx.TypeProto;
import org.tfq.onnx.proto.Onnx.ValueInfoProto;

/** Builds small ONNX models in tests, the way exporters write them. */
public final class OnnxBuilder {
    final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
    private int opset = 17;
    private int counter;

    OnnxBuilder opset(int v) {
        opset = v;
        return this;
    }

    OnnxBuilder input(String name, Object... dims) {
        graph.addInput(valueInfo(name, dims));
        return this;
    }

    OnnxBuilder output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    public static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String p) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(p));
            else s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s)))
                .build();
    }

    OnnxBuilder initializer(String name, float[] values, long... dims) {
        graph.addInitializer(floatTensor(name, values, dims));
        return this;
    }

    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    OnnxBuilder ints(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(values.length);
        for (long v : values) t.addInt64Data(v);
        graph.addInitializer(t);
        return this;
    }

    OnnxBuilder scalar(String name, float v) {
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(1).addFloatData(v));
        return this;
    }

    /** Adds a node; attributes as name, value pairs (Long, Float, String, long[]). */
    OnnxBuilder node(String op, String[] inputs, String[] outputs, Object... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + counter++);
        for (String i : inputs) n.addInput(i);
        for (String o : outputs) n.addOutput(o);
        for (int i = 0; i < attrs.length; i += 2) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName((String) attrs[i]);
            Object v = attrs[i + 1];
            if (v instanceof Long l) a.setType(AttributeProto.AttributeType.INT).setI(l);
            else if (v instanceof Integer l) a.setType(AttributeProto.AttributeType.INT).setI(l);
            else if (v instanceof Float f) a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
            else if (v instanceof String s) a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
            else if (v instanceof long[] ls) {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long x : ls) a.addInts(x);
            }
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    OnnxBuilder node(String op, String input, String output, Object... attrs) {
        return node(op, new String[] {input}, new String[] {output}, attrs);
    }

    ModelProto model() {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("tfq-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    Path write(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, model().toByteArray());
        return p;
    }

    /** y = x W + b with x [N,3], W = [[1,2],[3,4],[5,6]], b = [0.5,-1]; N symbolic; values easy to check by hand. */
    public static ModelProto gemm() {
        return new OnnxBuilder().input("x", "N", 3).output("y", "N", 2)
                .initializer("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2)
                .initializer("b", new float[] {0.5f, -1}, 2)
                .node("Gemm", new String[] {"x", "w", "b"}, new String[] {"y"})
                .model();
    }

    static float[] seq(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) Math.sin(i * 1.7 + 0.3) * scale;
        return v;
    }
}
