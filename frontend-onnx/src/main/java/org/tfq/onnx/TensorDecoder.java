package org.tfq.onnx;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tfq.ir.io.Half;
import org.tfq.onnx.proto.Onnx.StringStringEntryProto;
import org.tfq.onnx.proto.Onnx.TensorProto;
import org.tfq.onnx.proto.Onnx.TensorProto.DataType;

/**
 * TensorProto to {@link Const}: raw little-endian bytes, the typed repeated fields, and
 * external data files, which must lie inside the model's folder.
 */
final class TensorDecoder {

    /** Larger than any model an XC7S15 can hold by orders of magnitude; a declared 2 GB tensor is refused before allocation. */
    static final long MAX_ELEMENTS = 1L << 24;

    private final Path modelDir;
    private final String file;

    TensorDecoder(Path modelFile) {
        Path abs = modelFile.toAbsolutePath().normalize();
        this.modelDir = abs.getParent();
        this.file = modelFile.toString();
    }

    Const decode(TensorProto t, String what) {
        int type = t.getDataType();
        if (!DataTypes.isSupported(type)) {
            throw new OnnxImportException(file + ": " + what + " has element type " + DataTypes.name(type)
                    + ", which tfq does not read (float32, float16, double, int4..int64, uint4..uint64, bool are read)");
        }
        if (t.hasSegment()) throw new OnnxImportException(file + ": " + what + " is a segmented tensor; re-export without segments");
        int[] dims = new int[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > MAX_ELEMENTS) throw tooLarge(what, t);
            dims[i] = (int) d;
            n *= d;
            if (n > MAX_ELEMENTS) throw tooLarge(what, t);
        }
        int count = (int) n;
        ByteString raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = ByteString.copyFrom(readExternal(t, what, DataTypes.bytes(type, count)));
        } else if (!t.getRawData().isEmpty()) {
            raw = t.getRawData();
        }
        double[] v = raw != null ? fromRaw(raw, type, count, what) : fromTyped(t, type, count, what);
        return new Const(dims, type, v);
    }

    private OnnxImportException tooLarge(String what, TensorProto t) {
        return new OnnxImportException(file + ": " + what + " declares shape " + t.getDimsList()
                + ", more than tfq's limit of " + MAX_ELEMENTS + " elements; the file is corrupt or not a small forecasting model");
    }

    private double[] fromRaw(ByteString raw, int type, int count, String what) {
        if (DataTypes.isFourBit(type)) return fourBit(raw, type, count, what);
        int width = DataTypes.byteWidth(type);
        if ((long) raw.size() != (long) count * width) {
            throw new OnnxImportException(file + ": " + what + " has " + raw.size() + " bytes of data, its shape needs "
                    + (long) count * width + "; the file is corrupt or truncated");
        }
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[count];
        DataType dt = DataType.forNumber(type);
        for (int i = 0; i < count; i++) {
            v[i] = switch (dt) {
                case FLOAT -> b.getFloat(i * 4);
                case DOUBLE -> b.getDouble(i * 8);
                case FLOAT16 -> Half.toFloat(b.getShort(i * 2));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                case INT64 -> b.getLong(i * 8);
                case UINT64 -> unsigned64(b.getLong(i * 8));
                case INT32 -> b.getInt(i * 4);
                case UINT32 -> Integer.toUnsignedLong(b.getInt(i * 4));
                case INT16 -> b.getShort(i * 2);
                case UINT16 -> Short.toUnsignedInt(b.getShort(i * 2));
                case INT8 -> b.get(i);
                case UINT8 -> Byte.toUnsignedInt(b.get(i));
                case BOOL -> b.get(i) != 0 ? 1 : 0;
                default -> throw new IllegalStateException(dt.name());
            };
        }
        return v;
    }

    /** INT4/UINT4: two values per byte, the first in the low nibble (ONNX IR 10). */
    private double[] fourBit(ByteString raw, int type, int count, String what) {
        if (raw.size() != DataTypes.bytes(type, count)) {
            throw new OnnxImportException(file + ": " + what + " has " + raw.size() + " bytes of data, its shape needs "
                    + DataTypes.bytes(type, count) + "; the file is corrupt or truncated");
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            int nibble = (raw.byteAt(i / 2) >> (4 * (i % 2))) & 0xF;
            v[i] = type == DataType.INT4_VALUE && nibble > 7 ? nibble - 16 : nibble;
        }
        return v;
    }

    private static double unsigned64(long x) {
        return x >= 0 ? x : (double) (x >>> 1) * 2.0;
    }

    private double[] fromTyped(TensorProto t, int type, int count, String what) {
        if (DataTypes.isFourBit(type)) {
            // int32_data holds the packed bytes, one per element
            byte[] packed = new byte[t.getInt32DataCount()];
            for (int i = 0; i < packed.length; i++) packed[i] = (byte) t.getInt32Data(i);
            return fourBit(ByteString.copyFrom(packed), type, count, what);
        }
        DataType dt = DataType.forNumber(type);
        int have = switch (dt) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT32, UINT64 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
        if (have != count) {
            throw new OnnxImportException(file + ": " + what + " has " + have + " values, its shape " + t.getDimsList()
                    + " needs " + count + "; the file is corrupt");
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = switch (dt) {
                case FLOAT -> t.getFloatData(i);
                case DOUBLE -> t.getDoubleData(i);
                case INT64 -> t.getInt64Data(i);
                case UINT32, UINT64 -> unsigned64(t.getUint64Data(i));
                case FLOAT16 -> Half.toFloat((short) t.getInt32Data(i));
                case BFLOAT16 -> Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16);
                case BOOL -> t.getInt32Data(i) != 0 ? 1 : 0;
                default -> t.getInt32Data(i);
            };
        }
        return v;
    }

    private byte[] readExternal(TensorProto t, String what, long length) {
        String location = null;
        long offset = 0;
        long declaredLength = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> declaredLength = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException ex) {
                throw new OnnxImportException(file + ": " + what + ": external data " + e.getKey() + " '" + e.getValue() + "' is not a number");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OnnxImportException(file + ": " + what + " is stored externally but names no location");
        }
        Path loc;
        try {
            loc = Path.of(location);
        } catch (RuntimeException ex) {
            throw new OnnxImportException(file + ": " + what + ": external data location '" + location + "' is not a valid path");
        }
        Path target = modelDir.resolve(loc).normalize();
        if (loc.isAbsolute() || location.startsWith("/") || location.startsWith("\\") || !target.startsWith(modelDir)
                || location.contains("..")) {
            throw new OnnxImportException(file + ": " + what + ": external data location '" + location
                    + "' leaves the model's folder; tfq reads external data only from files beside the model");
        }
        if (declaredLength >= 0 && declaredLength != length) {
            throw new OnnxImportException(file + ": " + what + ": external data length " + declaredLength
                    + " does not match its shape (" + length + " bytes)");
        }
        if (!Files.isRegularFile(target)) {
            throw new OnnxImportException(file + ": " + what + ": external data file '" + location + "' not found beside the model");
        }
        try {
            // a link beside the model may point anywhere: what is read must lie inside the model's folder too
            if (!target.toRealPath().startsWith(modelDir.toRealPath())) {
                throw new OnnxImportException(file + ": " + what + ": external data file '" + location
                        + "' is a link that leaves the model's folder; tfq reads external data only from files beside the model");
            }
        } catch (IOException e) {
            throw new OnnxImportException(file + ": " + what + ": cannot read external data '" + location + "': " + e.getMessage());
        }
        try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "r")) {
            if (offset < 0 || offset + length > f.length()) {
                throw new OnnxImportException(file + ": " + what + ": external data file '" + location + "' is too short ("
                        + f.length() + " bytes, needs " + (offset + length) + ")");
            }
            byte[] bytes = new byte[(int) length];
            f.seek(offset);
            f.readFully(bytes);
            return bytes;
        } catch (IOException e) {
            throw new OnnxImportException(file + ": " + what + ": cannot read external data '" + location + "': " + e.getMessage());
        }
    }
}
