package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntType;
import org.tfq.ir.op.Erf;

class LutTest {

    /** GELU written out independently of the Gelu op. */
    static double gelu(double x, boolean tanh) {
        if (tanh) return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
    }

    @Test
    void everyCodeIsTheFloatFunctionQuantized() {
        Random r = new Random(40);
        for (boolean tanh : new boolean[] {false, true}) {
            for (int bits = 2; bits <= 8; bits++) {
                for (boolean inSigned : new boolean[] {true, false}) {
                    for (int trial = 0; trial < 6; trial++) {
                        long zin = IntMath.min(bits, inSigned) + r.nextInt(1 << bits);
                        IntType in = new IntType(bits, inSigned, 8.0 * (0.2 + r.nextDouble()) / (1 << bits), zin);
                        int outBits = 2 + r.nextInt(7);
                        boolean outSigned = r.nextBoolean();
                        long zout = IntMath.min(outBits, outSigned) + r.nextInt(1 << outBits);
                        IntType out = new IntType(outBits, outSigned, 4.0 * (0.2 + r.nextDouble()) / (1 << outBits), zout);
                        Lut lut = Lut.gelu(in, out, tanh);
                        long[] table = lut.table();
                        assertEquals(1 << bits, table.length);
                        long prev = Long.MIN_VALUE;
                        for (long c = in.min(); c <= in.max(); c++) {
                            double x = in.scale() * (c - in.zeroPoint());
                            double y = gelu(x, tanh) / out.scale();
                            long expected = IntMath.saturate((long) Math.rint(y) + out.zeroPoint(), outBits, outSigned);
                            assertEquals(expected, lut.apply(c), "code " + c);
                            assertEquals(lut.apply(c), table[(int) (c & ((1 << bits) - 1))], "raw-bit address of " + c);
                            // GELU decreases to its minimum at x = -0.7518 and increases after
                            if (x >= -0.75) {
                                if (prev != Long.MIN_VALUE && in.scale() * (c - 1 - in.zeroPoint()) >= -0.75) {
                                    assertTrue(lut.apply(c) >= prev, "not monotone at " + c);
                                }
                            } else if (c > in.min()) {
                                assertTrue(lut.apply(c) <= lut.apply(c - 1), "not decreasing at " + c);
                            }
                            prev = lut.apply(c);
                        }
                    }
                }
            }
        }
    }

    @Test
    void roundsHalfToEvenAndSaturates() {
        // identity with S_out = 2 S_in: real x/2 codes, so odd codes are exact ties
        Lut half = Lut.of(1.0, 0, 6, true, 2.0, 0, 6, true, x -> x);
        assertEquals(0, half.apply(1)); // 0.5 -> 0
        assertEquals(2, half.apply(3)); // 1.5 -> 2
        assertEquals(2, half.apply(5)); // 2.5 -> 2
        assertEquals(-2, half.apply(-3)); // -1.5 -> -2
        Lut inf = Lut.of(1.0, 0, 4, false, 1.0, 3, 4, false, x -> x == 0 ? Double.NEGATIVE_INFINITY : 1e300);
        assertEquals(0, inf.apply(0));
        assertEquals(15, inf.apply(1));
        assertThrows(IllegalArgumentException.class, () -> Lut.of(1.0, 0, 4, false, 1.0, 0, 4, false, x -> Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> inf.apply(16));
        assertThrows(IllegalArgumentException.class, () -> inf.apply(-1));
        // any function: exp on a signed 8-bit input
        IntType in = new IntType(8, true, 0.03, 10);
        IntType out = new IntType(8, false, 0.1, 0);
        Lut exp = Lut.of(in, out, Math::exp);
        for (long c = -128; c <= 127; c++) {
            long e = IntMath.saturate((long) Math.rint(Math.exp(0.03 * (c - 10)) / 0.1), 8, false);
            assertEquals(e, exp.apply(c));
        }
    }
}
