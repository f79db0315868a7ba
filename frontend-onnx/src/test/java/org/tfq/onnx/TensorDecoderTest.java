package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tfq.onnx.proto.Onnx.TensorProto;
import org.tfq.onnx.proto.Onnx.TensorProto.DataType;

/** Every element type PyTorch exports, from raw_data and from the typed fields, decodes to the same values. */
class TensorDecoderTest {

    private final TensorDecoder decoder = new TensorDecoder(Path.of("model.onnx"));

    private double[] decode(TensorProto t) {
        return decoder.decode(t, "t").values();
    }

    private static TensorProto.Builder tensor(DataType type, int n) {
        return TensorProto.newBuilder().setName("t").setDataType(type.getNumber()).addDims(n);
    }

    private static ByteString raw(int width, long... v) {
        ByteBuffer b = ByteBuffer.allocate(width * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            switch (width) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong(x);
            }
        }
        return ByteString.copyFrom(b.array());
    }

    @Test
    void float16RawAndTyped() {
        // 1.0, -2.5, 65504 (largest half), 2^-24 (smallest subnormal)
        short[] bits = {0x3c00, (short) 0xc100, 0x7bff, 0x0001};
        double[] expected = {1.0, -2.5, 65504.0, Math.pow(2, -24)};
        assertArrayEquals(expected, decode(tensor(DataType.FLOAT16, 4).setRawData(raw(2, 0x3c00, 0xc100, 0x7bff, 0x0001)).build()));
        TensorProto.Builder typed = tensor(DataType.FLOAT16, 4);
        for (short s : bits) typed.addInt32Data(s & 0xffff);
        assertArrayEquals(expected, decode(typed.build()));
    }

    @Test
    void integersAndBoolRawAndTyped() {
        assertArrayEquals(new double[] {-128, 127, -1}, decode(tensor(DataType.INT8, 3).setRawData(raw(1, -128, 127, -1)).build()));
        assertArrayEquals(new double[] {-128, 127, -1}, decode(tensor(DataType.INT8, 3).addInt32Data(-128).addInt32Data(127).addInt32Data(-1).build()));
        assertArrayEquals(new double[] {0, 255, 128}, decode(tensor(DataType.UINT8, 3).setRawData(raw(1, 0, 255, 128)).build()));
        assertArrayEquals(new double[] {0, 255, 128}, decode(tensor(DataType.UINT8, 3).addInt32Data(0).addInt32Data(255).addInt32Data(128).build()));
        assertArrayEquals(new double[] {1, 0, 1}, decode(tensor(DataType.BOOL, 3).setRawData(raw(1, 1, 0, 1)).build()));
        assertArrayEquals(new double[] {1, 0, 1}, decode(tensor(DataType.BOOL, 3).addInt32Data(1).addInt32Data(0).addInt32Data(1).build()));
        assertArrayEquals(new double[] {-7, 1 << 30}, decode(tensor(DataType.INT32, 2).setRawData(raw(4, -7, 1 << 30)).build()));
        assertArrayEquals(new double[] {-7, 1 << 30}, decode(tensor(DataType.INT32, 2).addInt32Data(-7).addInt32Data(1 << 30).build()));
        assertArrayEquals(new double[] {-3, 1L << 40}, decode(tensor(DataType.INT64, 2).setRawData(raw(8, -3, 1L << 40)).build()));
        assertArrayEquals(new double[] {-3, 1L << 40}, decode(tensor(DataType.INT64, 2).addInt64Data(-3).addInt64Data(1L << 40).build()));
    }

    /** Opset 21's 4-bit codes: two per byte, the first element in the low nibble; an odd count pads the last byte. */
    @Test
    void fourBitPackedRawAndTyped() {
        assertArrayEquals(new double[] {-8, 7, -1}, decode(tensor(DataType.INT4, 3).setRawData(raw(1, 0x78, 0x0f)).build()));
        assertArrayEquals(new double[] {-8, 7, -1}, decode(tensor(DataType.INT4, 3).addInt32Data(0x78).addInt32Data(0x0f).build()));
        assertArrayEquals(new double[] {0, 15, 9}, decode(tensor(DataType.UINT4, 3).setRawData(raw(1, 0xf0, 0x09)).build()));
        assertThrows(OnnxImportException.class, () -> decode(tensor(DataType.UINT4, 3).setRawData(raw(1, 0xf0)).build()));
    }

    @Test
    void float32RawAndTyped() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.1f).putFloat(-3e-8f);
        double[] expected = {0.1f, -3e-8f};
        assertArrayEquals(expected, decode(tensor(DataType.FLOAT, 2).setRawData(ByteString.copyFrom(b.array())).build()));
        assertArrayEquals(expected, decode(tensor(DataType.FLOAT, 2).addFloatData(0.1f).addFloatData(-3e-8f).build()));
    }

    @Test
    void unsupportedTypeIsNamed() {
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> decode(tensor(DataType.STRING, 1).addStringData(ByteString.copyFromUtf8("x")).build()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("element type string"), e.getMessage());
    }
}
