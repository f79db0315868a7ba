package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Linear;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.OperatorSetIdProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/** QDQ, QCDQ and QONNX quantization points import with the trained scales, zero points and widths. */
class QuantImportTest {

    @TempDir
    Path dir;

    private static TensorProto int8(String name, int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return TensorProto.newBuilder().setName(name).setDataType(3).setRawData(ByteString.copyFrom(b)).build();
    }

    /** x -> Q/Clip/DQ (4-bit, zp -2) -> MatMul by a 4-bit per-output-channel QCDQ weight -> Q/DQ (8-bit). */
    private OnnxBuilder qcdq(float actScale) {
        OnnxBuilder b = new OnnxBuilder().opset(13).input("x", 1, 5, 4).output("y", 1, 5, 3)
                .scalar("sx", actScale).initializer("w", OnnxBuilder.seq(12, 0.8f), 4, 3)
                .initializer("sw", new float[] {0.1f, 0.05f, 0.12f}, 3).scalar("sy", 0.02f);
        b.graph.addInitializer(int8("zx", -2)).addInitializer(int8("zy", 3)).addInitializer(int8("lo", -8))
                .addInitializer(int8("hi", 7)).addInitializer(int8("lo7", -7))
                .addInitializer(TensorProto.newBuilder().setName("zw").setDataType(3).addDims(3).setRawData(ByteString.copyFrom(new byte[3])));
        return b.node("QuantizeLinear", new String[] {"x", "sx", "zx"}, new String[] {"xq"})
                .node("Clip", new String[] {"xq", "lo", "hi"}, new String[] {"xc"})
                .node("DequantizeLinear", new String[] {"xc", "sx", "zx"}, new String[] {"xd"})
                .node("QuantizeLinear", new String[] {"w", "sw", "zw"}, new String[] {"wq"}, "axis", 1L)
                .node("Clip", new String[] {"wq", "lo7", "hi"}, new String[] {"wc"})
                .node("DequantizeLinear", new String[] {"wc", "sw", "zw"}, new String[] {"wd"}, "axis", 1L)
                .node("MatMul", new String[] {"xd", "wd"}, new String[] {"m"})
                .node("QuantizeLinear", new String[] {"m", "sy", "zy"}, new String[] {"mq"})
                .node("DequantizeLinear", new String[] {"mq", "sy", "zy"}, new String[] {"y"});
    }

    @Test
    void qcdqKeepsTrainedQuantizationAndMatchesOnnxRuntime() throws IOException {
        Path p = qcdq(0.25f).write(dir, "q.onnx");
        ImportResult r = OnnxImporter.load(p, ImportOptions.DEFAULT);
        assertEquals(3, r.graph().nodes().size(), r.graph().opCounts().toString());
        QuantSpec in = ((FakeQuant) r.graph().nodes().get(0).op()).spec();
        assertEquals(4, in.bits());
        assertTrue(in.signed());
        assertEquals(-2, in.zeroPoint(0));
        assertEquals(0.25, in.scale(0));
        QuantSpec w = ((Linear) r.graph().nodes().get(1).op()).weightQuant();
        assertEquals(4, w.bits());
        assertEquals(-7, w.qmin(), "narrow range from the weight's Clip");
        assertEquals(0, w.axis(), "per output channel, moved to the rows of the weight");
        assertEquals(0.05f, (float) w.scale(1));
        QuantSpec out = ((FakeQuant) r.graph().nodes().get(2).op()).spec();
        assertEquals(8, out.bits());

        FloatTensor x = new FloatTensor(Shape.of(7, 5, 4), OnnxBuilder.seq(140, 2f));
        FloatTensor ort = OnnxRuntimeRunner.runSamples(p, r.inputs().get(0), r.outputs().get(0), x);
        FloatTensor ours = FloatReference.runSamples(r, x);
        // ORT accumulates the MatMul in float32 in its own order; a sum that lands on a rounding
        // tie of the output quantizer can go either way: at most one step of its scale, and rarely
        float step = 0.02f;
        int flips = 0;
        for (int i = 0; i < ort.data().length; i++) {
            float d = Math.abs(ort.data()[i] - ours.data()[i]);
            assertTrue(d <= step * 1.001f, "element " + i + " differs by " + d);
            if (d > 1e-6f) flips++;
        }
        assertTrue(flips <= ort.data().length / 10, flips + " of " + ort.data().length + " elements differ");
    }

    @Test
    void qonnxQuantStatesItsWidth() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 6).output("y", 1, 6)
                .scalar("s", 0.1f).scalar("z", 0f).scalar("bw", 3f);
        b.graph.addNode(NodeProto.newBuilder().setOpType("Quant").setDomain("qonnx.custom_op.general").setName("q")
                .addInput("x").addInput("s").addInput("z").addInput("bw").addOutput("y")
                .addAttribute(org.tfq.onnx.proto.Onnx.AttributeProto.newBuilder().setName("narrow").setI(1)
                        .setType(org.tfq.onnx.proto.Onnx.AttributeProto.AttributeType.INT)));
        org.tfq.onnx.proto.Onnx.ModelProto m = b.model().toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("qonnx.custom_op.general").setVersion(1)).build();
        Path p = dir.resolve("qonnx.onnx");
        java.nio.file.Files.write(p, m.toByteArray());
        ImportResult r = OnnxImporter.load(p, ImportOptions.DEFAULT);
        QuantSpec q = ((FakeQuant) r.graph().nodes().get(0).op()).spec();
        assertEquals(3, q.bits());
        assertEquals(-3, q.qmin());
        assertEquals(3, q.qmax());
        FloatTensor y = org.tfq.ir.FloatInterpreter.run(r.graph(),
                new FloatTensor(Shape.of(1, 6), new float[] {-1f, -0.26f, 0.04f, 0.05f, 0.15f, 9f}));
        // round half to even at 0.5 and 1.5, saturation at the narrow range
        assertEquals(-0.3f, y.data()[0], 1e-7);
        assertEquals(-0.3f, y.data()[1], 1e-7);
        assertEquals(0.0f, y.data()[2], 1e-7);
        assertEquals(0.0f, y.data()[3], 1e-7);
        assertEquals(0.2f, y.data()[4], 1e-7);
        assertEquals(0.3f, y.data()[5], 1e-7);
    }

    private Path qonnx(OnnxBuilder b, String name) throws IOException {
        org.tfq.onnx.proto.Onnx.ModelProto m = b.model().toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("qonnx.custom_op.general").setVersion(2)).build();
        Path p = dir.resolve(name);
        java.nio.file.Files.write(p, m.toByteArray());
        return p;
    }

    /**
     * QONNX Trunc drops 4 bits of an accumulator on the grid of its scale, saturating to 4 bits:
     * every sum S in [-150, 150], the multiples of 16 (FLOOR's and CEIL's exact cases) and the odd
     * multiples of 8 (ROUND's ties) among them, comes out as floor, ceil or round half to even of
     * S / 16, clamped to [-8, 7], at 16 times the scale.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"FLOOR", "CEIL", "floor", "ROUND"})
    void qonnxTruncRoundsAsItsModeSays(String mode) throws IOException {
        float s = 0.03f;
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 301).output("y", 1, 301)
                .scalar("s", s).scalar("z", 0f).scalar("ib", 12f).scalar("os", s * 16).scalar("ob", 4f);
        b.graph.addNode(NodeProto.newBuilder().setOpType("Trunc").setDomain("qonnx.custom_op.general").setName("t")
                .addInput("x").addInput("s").addInput("z").addInput("ib").addInput("os").addInput("ob").addOutput("y")
                .addAttribute(org.tfq.onnx.proto.Onnx.AttributeProto.newBuilder().setName("rounding_mode")
                        .setS(ByteString.copyFromUtf8(mode)).setType(org.tfq.onnx.proto.Onnx.AttributeProto.AttributeType.STRING)));
        ImportResult r = OnnxImporter.load(qonnx(b, "trunc.onnx"), ImportOptions.DEFAULT);
        float[] x = new float[301];
        for (int i = 0; i < x.length; i++) x[i] = (i - 150) * s;
        FloatTensor y = org.tfq.ir.FloatInterpreter.run(r.graph(), new FloatTensor(Shape.of(1, 301), x));
        for (int i = 0; i < x.length; i++) {
            int sum = i - 150;
            int q = mode.equalsIgnoreCase("FLOOR") ? Math.floorDiv(sum, 16) : mode.equals("CEIL") ? -Math.floorDiv(-sum, 16)
                    : (int) Math.rint(sum / 16.0);
            q = Math.max(-8, Math.min(7, q));
            assertEquals(q * (s * 16), y.data()[i], 1e-6f, "S = " + sum);
        }
    }

    /** QONNX BipolarQuant on a weight: +scale where w >= 0, -scale below, a two-level weight quantization. */
    @Test
    void qonnxBipolarQuantWeightsHaveTwoLevels() throws IOException {
        OnnxBuilder b = new OnnxBuilder().input("x", 1, 3).output("y", 1, 2)
                .initializer("w", new float[] {0.3f, -0.1f, 0f, 2f, -5f, 0.01f}, 3, 2).scalar("s", 0.5f);
        b.graph.addNode(NodeProto.newBuilder().setOpType("BipolarQuant").setDomain("qonnx.custom_op.general").setName("bq")
                .addInput("w").addInput("s").addOutput("wb"));
        b.node("MatMul", new String[] {"x", "wb"}, new String[] {"y"});
        ImportResult r = OnnxImporter.load(qonnx(b, "bipolar.onnx"), ImportOptions.DEFAULT);
        Linear l = (Linear) r.graph().nodes().get(0).op();
        assertEquals(-1, l.weightQuant().qmin());
        assertEquals(1, l.weightQuant().qmax());
        // rows of W^T: [0.3, 0, -5] and [-0.1, 2, 0.01]
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0.5f, 0.5f, -0.5f, -0.5f, 0.5f, 0.5f}, l.weight().data());
    }

    @Test
    void zeroScaleIsAClearError() throws IOException {
        Path p = qcdq(0f).write(dir, "zero.onnx");
        String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(p, ImportOptions.DEFAULT)).getMessage();
        assertTrue(msg.contains("QuantizeLinear") && msg.contains("scale 0.0 must be positive"), msg);
    }

    @Test
    void runtimeScaleIsAClearError() throws IOException {
        OnnxBuilder b = new OnnxBuilder().opset(13).input("x", 1, 4).output("y", 1, 4)
                .scalar("k", 0.1f).node("Mul", new String[] {"x", "k"}, new String[] {"s"})
                .node("QuantizeLinear", new String[] {"x", "s"}, new String[] {"q"})
                .node("DequantizeLinear", new String[] {"q", "s"}, new String[] {"y"});
        Path p = b.write(dir, "dyn.onnx");
        String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.load(p, ImportOptions.DEFAULT)).getMessage();
        assertTrue(msg.contains("must be a constant"), msg);
    }
}
