package org.tfq.onnx;

import org.tfq.onnx.proto.Onnx.TensorProto.DataType;

/** ONNX element types as tfq meets them: which it reads, their byte widths and names. */
final class DataTypes {
    private DataTypes() {}

    static final int FLOAT = DataType.FLOAT_VALUE;
    static final int INT64 = DataType.INT64_VALUE;
    static final int INT32 = DataType.INT32_VALUE;
    static final int BOOL = DataType.BOOL_VALUE;

    static boolean isFloat(int t) {
        return t == DataType.FLOAT_VALUE || t == DataType.FLOAT16_VALUE || t == DataType.DOUBLE_VALUE
                || t == DataType.BFLOAT16_VALUE;
    }

    static boolean isSupported(int t) {
        return switch (DataType.forNumber(t) == null ? DataType.UNDEFINED : DataType.forNumber(t)) {
            case FLOAT, FLOAT16, DOUBLE, BFLOAT16, INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL, INT4, UINT4 -> true;
            default -> false;
        };
    }

    static boolean isFourBit(int t) {
        return t == DataType.INT4_VALUE || t == DataType.UINT4_VALUE;
    }

    /** Bytes of {@code count} elements; 4-bit ones are packed two per byte. */
    static long bytes(int t, long count) {
        return isFourBit(t) ? (count + 1) / 2 : count * byteWidth(t);
    }

    static int byteWidth(int t) {
        return switch (DataType.forNumber(t)) {
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64, UINT64 -> 8;
            case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
            case INT8, UINT8, BOOL -> 1;
            default -> throw new IllegalArgumentException("no width for " + name(t));
        };
    }

    static String name(int t) {
        DataType d = DataType.forNumber(t);
        return d == null ? "type " + t : d.name().toLowerCase();
    }
}
