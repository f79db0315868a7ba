package org.tfq.ir.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;

/** .npy headers: what tfq writes reads back, and declared shapes are checked before anything is allocated. */
class NpyTest {

    /** A version 1.0 float32 file with {@code shape} in its header and {@code dataBytes} zero bytes after it. */
    private static byte[] file(String shape, int dataBytes) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = 16 - (10 + dict.length() + 1) % 16;
        String header = dict + " ".repeat(pad % 16) + "\n";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.write(header.length() & 0xff);
        b.write(header.length() >> 8);
        b.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[dataBytes]);
        return b.toByteArray();
    }

    @Test
    void whatTfqWritesReadsBack() {
        FloatTensor t = new FloatTensor(Shape.of(2, 3), new float[] {1, -2, 3.5f, 0, 1e-3f, 7});
        FloatTensor back = Npy.parse(Npy.toBytes(t), "t.npy");
        assertEquals(t.shape(), back.shape());
        assertArrayEquals(t.data(), back.data());
        assertEquals(Shape.of(2, 3), Npy.parse(file("(2, 3)", 24), "hand.npy").shape());
    }

    @Test
    void aHugeDimensionIsAUserErrorEvenAfterAZero() {
        // the product of (0, 2^31) is 0: the dimension itself must be refused, or it wraps to a negative int
        IrException e = assertThrows(IrException.class, () -> Npy.parse(file("(0, 2147483648)", 0), "x.npy"));
        assertTrue(e.getMessage().startsWith("x.npy: shape (0, 2147483648) has a dimension of 2147483648"), e.getMessage());
        assertThrows(IrException.class, () -> Npy.parse(file("(3000000000,)", 0), "x.npy"));
        assertThrows(IrException.class, () -> Npy.parse(file("(65536, 65536)", 0), "x.npy"));
        assertThrows(IrException.class, () -> Npy.parse(file("(2, -3)", 0), "x.npy"));
    }
}
