package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntType;

class IntSoftmaxTest {

    /** An output quantization: scale, zero point, bits, signed. */
    record Out(double scale, long zero, int bits, boolean signed) {}

    static final Out[] OUTS = {
        new Out(1.0 / 256, 0, 8, false),
        new Out(1.0 / 255, -128, 8, true),
        new Out(1.0 / 127, 0, 8, true),
        new Out(1.0 / 15, 0, 4, false),
        new Out(1.0 / 63, 0, 6, false),
        new Out(0.0091, -100, 8, true), // a learned, non-power-of-two scale
    };

    /** Float softmax of the dequantized row, quantized to the output (ties to even, as the float reference). */
    static long[] floatReference(long[] row, double inScale, Out o) {
        long max = Long.MIN_VALUE;
        for (long x : row) max = Math.max(max, x);
        double sum = 0;
        for (long x : row) sum += Math.exp(inScale * (x - max));
        long[] q = new long[row.length];
        for (int i = 0; i < row.length; i++) {
            double p = Math.exp(inScale * (row[i] - max)) / sum;
            q[i] = IntMath.saturate((long) Math.rint(p / o.scale()) + o.zero(), o.bits(), o.signed());
        }
        return q;
    }

    static IntSoftmax build(double inScale, int inBits, int n, Out o) {
        return IntSoftmax.of(inScale, inBits, n, o.scale(), o.zero(), o.bits(), o.signed());
    }

    /** Max |q - q_float| over the rows; counts exact elements into stats[0], all into stats[1]. */
    static long compare(IntSoftmax s, long[] row, double inScale, Out o, long[] stats) {
        long[] q = s.apply(row);
        long[] f = floatReference(row, inScale, o);
        long worst = 0;
        for (int i = 0; i < q.length; i++) {
            worst = Math.max(worst, Math.abs(q[i] - f[i]));
            if (q[i] == f[i]) stats[0]++;
            stats[1]++;
        }
        return worst;
    }

    @Test
    void randomRowsAreWithinOneCodeOfFloatSoftmax() {
        Random r = new Random(20);
        long[] stats = new long[2];
        long worst = 0;
        for (int inBits : new int[] {4, 6, 8}) {
            for (int n : new int[] {6, 12, 24, 64}) {
                for (Out o : OUTS) {
                    for (int trial = 0; trial < 4; trial++) {
                        // input scale: the code range spans 2 .. 40 in real units
                        double inScale = (2 + 38 * r.nextDouble()) / (1 << inBits);
                        IntSoftmax s = build(inScale, inBits, n, o);
                        assertTrue(s.errorBoundCodes() < 0.5 + 1e-9, "bound " + s.errorBoundCodes());
                        for (int row = 0; row < 40; row++) {
                            long[] x = new long[n];
                            int spread = 1 + r.nextInt((1 << inBits) - 1); // narrow and wide rows
                            long base = -(1L << (inBits - 1));
                            long lo = base + r.nextInt((1 << inBits) - spread);
                            for (int i = 0; i < n; i++) x[i] = lo + r.nextInt(spread + 1);
                            worst = Math.max(worst, compare(s, x, inScale, o, stats));
                        }
                    }
                }
            }
        }
        System.out.printf("softmax random: max |q - q_float| = %d, exact %d of %d (%.3f%%)%n",
                worst, stats[0], stats[1], 100.0 * stats[0] / stats[1]);
        assertTrue(worst <= 1, "worst " + worst);
        assertTrue(stats[0] > 0.97 * stats[1], "exact only " + stats[0] + " of " + stats[1]);
    }

    @Test
    void exhaustiveSmallRowsAndSingleDifferences() {
        long[] stats = new long[2];
        long worst = 0;
        // all rows of length 3 of 4-bit codes
        for (Out o : OUTS) {
            double inScale = 0.4;
            IntSoftmax s = build(inScale, 4, 3, o);
            for (int a = 0; a < 16; a++) {
                for (int b = 0; b < 16; b++) {
                    for (int c = 0; c < 16; c++) worst = Math.max(worst, compare(s, new long[] {a, b, c}, inScale, o, stats));
                }
            }
        }
        // every single-element difference d from a row otherwise at the maximum, b_in = 8
        for (int n : new int[] {2, 6, 12, 24, 64}) {
            for (Out o : OUTS) {
                for (double inScale : new double[] {1.0 / 32, 0.07, 0.25}) {
                    IntSoftmax s = build(inScale, 8, n, o);
                    for (int d = 0; d < 256; d++) {
                        for (int pos : new int[] {0, n - 1}) {
                            long[] x = new long[n];
                            java.util.Arrays.fill(x, 127);
                            x[pos] = 127 - d;
                            worst = Math.max(worst, compare(s, x, inScale, o, stats));
                            // and the converse: one maximum, all others d below
                            long[] y = new long[n];
                            java.util.Arrays.fill(y, 127 - d);
                            y[pos] = 127;
                            worst = Math.max(worst, compare(s, y, inScale, o, stats));
                        }
                    }
                }
            }
        }
        System.out.printf("softmax exhaustive: max |q - q_float| = %d, exact %d of %d (%.3f%%)%n",
                worst, stats[0], stats[1], 100.0 * stats[0] / stats[1]);
        assertTrue(worst <= 1, "worst " + worst);
    }

    @Test
    void rowsSumToAboutOneOverOutputScale() {
        Random r = new Random(21);
        for (int n : new int[] {6, 12, 24, 64}) {
            Out o = new Out(1.0 / 255, 0, 8, false);
            IntSoftmax s = build(0.1, 8, n, o);
            for (int row = 0; row < 200; row++) {
                long[] x = new long[n];
                for (int i = 0; i < n; i++) x[i] = r.nextInt(256);
                long sum = 0;
                for (long q : s.apply(x)) sum += q;
                // each element is within (bound + 1/2) codes of p_i / S_out, and the p_i sum to 1
                double tol = n * (s.errorBoundCodes() + 0.5);
                assertTrue(Math.abs(sum - 255) <= tol, "row sum " + sum + " n " + n);
            }
        }
        // a single element is exactly 1/S_out
        Out o = new Out(1.0 / 255, 0, 8, false);
        assertEquals(255, build(0.1, 8, 1, o).apply(new long[] {42})[0]);
        // equal elements: 1/n each
        assertEquals(Math.round(255.0 / 12), build(0.1, 8, 12, o).apply(new long[12])[5]);
    }

    @Test
    void tableAndWidthsAsDocumented() {
        IntSoftmax s = build(8.0 / 256, 8, 64, new Out(1.0 / 255, 0, 8, false));
        long[] t = s.table();
        assertEquals(256, t.length);
        assertEquals(15, s.fracBits());
        assertEquals(1L << 15, t[0]);
        for (int i = 1; i < t.length; i++) {
            assertTrue(t[i] <= t[i - 1]);
            assertEquals(Math.rint(Math.scalb(Math.exp(-8.0 / 256 * i), 15)), (double) t[i]);
        }
        assertEquals(256, s.nonZeroEntries()); // exp(-255/32) 2^15 = 11
        long[] t2 = build(0.1, 8, 64, new Out(1.0 / 256, 0, 8, false)).table();
        int nz = build(0.1, 8, 64, new Out(1.0 / 256, 0, 8, false)).nonZeroEntries();
        assertEquals(Math.ceil((15 * Math.log(2) + Math.log(2)) / 0.1), (double) nz, 1.0); // 2^15 e^(-0.1 k) < 1/2
        assertTrue(t2[nz] == 0 && t2[nz - 1] > 0 && t2[255] == 0);
        assertEquals(16, s.expBits());
        assertEquals(22, s.sumBits());
        assertEquals(31, s.productBits());
        assertEquals(32, s.dividendBits());
        assertEquals(30, s.divisorBits());
        assertEquals(8, s.quotientBits());
        assertEquals(65280, s.outMultiplier()); // K = 255 * 2^8, 16 bits
        assertEquals(8, s.outShift());
        // S_out = 1/256: K = 2^15, quotient up to 256 (9 bits), F still 15 for n = 64
        IntSoftmax s256 = build(8.0 / 256, 8, 64, new Out(1.0 / 256, 0, 8, false));
        assertEquals(15, s256.fracBits());
        assertEquals(9, s256.quotientBits());
        assertEquals(13, build(8.0 / 256, 8, 24, new Out(1.0 / 255, 0, 8, false)).fracBits());
        // matching a float softmax's rounded codes: 65 / (2^(F+1) / 255) <= 1/64 needs 2^(F+1) >= 1,060,800, F = 20
        IntType o = new IntType(8, false, 1.0 / 255, 0);
        assertEquals(20, IntSoftmax.of(8.0 / 256, 8, 64, o, IntSoftmax.MATCHES_FLOAT_CODES).fracBits());
        assertEquals(18, IntSoftmax.of(8.0 / 256, 8, 24, o, IntSoftmax.MATCHES_FLOAT_CODES).fracBits()); // 2^19 >= 25 * 255 * 64
    }

    @Test
    void hardwareDividerFormGivesTheSameCodes() {
        // q = Z + floor((e K + floor(T 2^k / 2)) / (T 2^k)) by the restoring divider with quotientBits cycles
        Random r = new Random(22);
        Out o = new Out(0.0091, -100, 8, true);
        IntSoftmax s = build(0.05, 8, 24, o);
        long[] t = s.table();
        for (int row = 0; row < 300; row++) {
            long[] x = new long[24];
            for (int i = 0; i < 24; i++) x[i] = r.nextInt(256) - 128;
            long max = Long.MIN_VALUE;
            for (long v : x) max = Math.max(max, v);
            long sum = 0;
            for (long v : x) sum += t[(int) (max - v)];
            long den = sum << s.outShift();
            long[] q = s.apply(x);
            for (int i = 0; i < 24; i++) {
                long num = t[(int) (max - x[i])] * s.outMultiplier() + (den >> 1);
                assertTrue(IntMath.unsignedBits(num) <= s.dividendBits());
                long hw = IntMath.restoringDivide(num, den, s.quotientBits());
                assertEquals(q[i], IntMath.saturate(o.zero() + hw, 8, true));
            }
        }
    }

    @Test
    void rejectsContractViolations() {
        IntSoftmax s = build(0.1, 4, 6, new Out(1.0 / 255, 0, 8, false));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new long[] {0, 16}));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new long[7]));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new long[0]));
        assertThrows(IllegalArgumentException.class, () -> IntSoftmax.of(0, 8, 6, 1.0 / 255, 0, 8, false));
    }
}
