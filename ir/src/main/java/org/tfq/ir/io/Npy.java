package org.tfq.ir.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;

/**
 * NumPy's .npy format, version 1 to 3, C order. Reads float32/float64/int and writes float32,
 * which is what models take and give.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /**
     * 2^26 elements, 256 MiB as float32: far more samples than any forecasting data set tfq is
     * given; a larger declared size is a corrupt or hostile header and is refused before allocation.
     */
    public static final long MAX_ELEMENTS = 1L << 26;
    /** The largest file the limit allows: every element as float64, plus a generous header. */
    private static final long MAX_FILE_BYTES = MAX_ELEMENTS * 8 + (1 << 20);

    public static FloatTensor read(Path path) {
        RegularFile.require(path, "a .npy file");
        byte[] bytes;
        try {
            // checked before reading: a file of several GB would not fit in the heap
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new IrException(path + ": " + Files.size(path) + " bytes is larger than tfq accepts for a .npy ("
                        + (MAX_ELEMENTS >> 20) + "M elements)");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IrException(path + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(bytes, path.toString());
    }

    public static FloatTensor parse(byte[] bytes, String where) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) throw new IrException(where + ": not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new IrException(where + ": not a .npy file (bad magic)");
        }
        int major = bytes[6];
        int headerLen;
        int offset;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(buf.getShort(8));
            offset = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new IrException(where + ": truncated .npy header");
            headerLen = buf.getInt(8);
            offset = 12;
        } else {
            throw new IrException(where + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || offset + headerLen > bytes.length) throw new IrException(where + ": truncated .npy header");
        String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
        String descr = field(header, "descr", "'([^']*)'", where);
        String fortran = field(header, "fortran_order", "(True|False)", where);
        if (fortran.equals("True")) throw new IrException(where + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        Shape shape = parseShape(field(header, "shape", "\\(([^)]*)\\)", where), where);
        long n = shape.size();
        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String kind = descr.replaceFirst("^[<>|=]", "");
        int width = switch (kind) {
            case "f4", "i4", "u4" -> 4;
            case "f8", "i8", "u8" -> 8;
            case "f2", "i2", "u2" -> 2;
            case "i1", "u1", "b1" -> 1;
            default -> throw new IrException(where + ": unsupported .npy dtype '" + descr + "'; use float32");
        };
        int start = offset + headerLen;
        if ((long) bytes.length - start < n * width) {
            throw new IrException(where + ": truncated: needs " + n * width + " data bytes for shape " + shape
                    + ", has " + (bytes.length - start));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, start, bytes.length - start).slice().order(order);
        float[] out = new float[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (kind) {
                case "f4" -> data.getFloat(i * 4);
                case "f8" -> (float) data.getDouble(i * 8);
                case "f2" -> Half.toFloat(data.getShort(i * 2));
                case "i4" -> data.getInt(i * 4);
                case "u4" -> Integer.toUnsignedLong(data.getInt(i * 4));
                case "i8", "u8" -> data.getLong(i * 8);
                case "i2" -> data.getShort(i * 2);
                case "u2" -> Short.toUnsignedInt(data.getShort(i * 2));
                case "i1", "b1" -> data.get(i);
                case "u1" -> Byte.toUnsignedInt(data.get(i));
                default -> throw new IllegalStateException(kind);
            };
        }
        return new FloatTensor(shape, out);
    }

    private static String field(String header, String key, String valuePattern, String where) {
        Matcher m = Pattern.compile("'" + key + "'\\s*:\\s*" + valuePattern).matcher(header);
        if (!m.find()) throw new IrException(where + ": .npy header has no '" + key + "'");
        return m.group(1);
    }

    /** The header's shape, refused when a dimension is negative or the element count is over {@link #MAX_ELEMENTS}. */
    private static Shape parseShape(String s, String where) {
        List<Integer> dims = new ArrayList<>();
        long n = 1;
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            long d;
            try {
                d = Long.parseLong(p.replace("L", ""));
            } catch (NumberFormatException e) {
                throw new IrException(where + ": bad .npy shape (" + s + ")");
            }
            if (d < 0) throw new IrException(where + ": bad .npy shape (" + s + "): negative dimension");
            // each dimension on its own too: after a 0 the product no longer grows
            if (d > MAX_ELEMENTS) {
                throw new IrException(where + ": shape (" + s + ") has a dimension of " + d + ", larger than tfq accepts ("
                        + MAX_ELEMENTS + "); the file is corrupt or not a sample file");
            }
            n *= Math.min(d, MAX_ELEMENTS + 1); // saturates instead of overflowing
            if (n > MAX_ELEMENTS) {
                throw new IrException(where + ": shape (" + s + ") declares more than " + MAX_ELEMENTS
                        + " elements, larger than tfq accepts; the file is corrupt or not a sample file");
            }
            dims.add((int) d);
        }
        return new Shape(dims.stream().mapToInt(Integer::intValue).toArray());
    }

    public static byte[] toBytes(FloatTensor t) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText(t.shape()) + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float f : t.data()) b.putFloat(f);
        return b.array();
    }

    private static String shapeText(Shape s) {
        if (s.rank() == 1) return "(" + s.dim(0) + ",)";
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < s.rank(); i++) {
            if (i > 0) b.append(", ");
            b.append(s.dim(i));
        }
        return b.append(')').toString();
    }

    public static void write(Path path, FloatTensor t) throws IOException {
        Files.write(path, toBytes(t));
    }
}
