package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntType;

class IntBatchNormTest {

    @Test
    void everyCodeOfEveryChannelIsWithinOneCodeOfTheFloatAffineMap() {
        Random r = new Random(50);
        long worst = 0;
        long exact = 0;
        long total = 0;
        double maxBound = 0;
        for (int trial = 0; trial < 60; trial++) {
            int inBits = 4 + r.nextInt(5);
            int outBits = 4 + r.nextInt(5);
            boolean inSigned = r.nextBoolean();
            boolean outSigned = r.nextBoolean();
            IntType in = new IntType(inBits, inSigned, Math.scalb(0.5 + r.nextDouble(), -r.nextInt(6)),
                    IntMath.min(inBits, inSigned) + r.nextInt(1 << inBits));
            IntType out = new IntType(outBits, outSigned, Math.scalb(0.5 + r.nextDouble(), -r.nextInt(6)),
                    IntMath.min(outBits, outSigned) + r.nextInt(1 << outBits));
            int channels = 1 + r.nextInt(64);
            double[] scale = new double[channels];
            double[] shift = new double[channels];
            for (int c = 0; c < channels; c++) {
                scale[c] = (r.nextBoolean() ? 1 : -1) * Math.exp(Math.log(0.01) + r.nextDouble() * Math.log(500));
                shift[c] = (2 * r.nextDouble() - 1) * out.scale() * (1 << outBits);
            }
            IntBatchNorm bn = IntBatchNorm.of(in, scale, shift, out);
            assertTrue(bn.errorBoundCodes() < 0.5, "bound " + bn.errorBoundCodes());
            maxBound = Math.max(maxBound, bn.errorBoundCodes());
            for (int c = 0; c < channels; c++) {
                long[] m = bn.multipliers();
                assertTrue(Math.abs(m[c]) < (1L << Requantizer.DEFAULT_MULTIPLIER_BITS));
                for (long x = in.min(); x <= in.max(); x++) {
                    double y = (scale[c] * in.scale() * (x - in.zeroPoint()) + shift[c]) / out.scale();
                    long f = IntMath.saturate((long) Math.rint(y) + out.zeroPoint(), outBits, outSigned);
                    long q = bn.apply(x, c);
                    worst = Math.max(worst, Math.abs(q - f));
                    if (q == f) exact++;
                    total++;
                    long acc = (x - in.zeroPoint()) * m[c] + bn.offsets()[c];
                    assertTrue(IntMath.signedBits(Math.min(0, acc), Math.max(0, acc)) < bn.accumulatorBits());
                }
            }
        }
        System.out.printf("batchnorm: max |q - q_float| = %d, exact %d of %d (%.3f%%), max error bound %.4f codes%n",
                worst, exact, total, 100.0 * exact / total, maxBound);
        assertTrue(worst <= 1);
        assertTrue(exact > 0.99 * total);
    }

    @Test
    void shiftIsSharedAndConstantsAreRounded() {
        IntType in = new IntType(8, true, 0.1, 0);
        IntType out = new IntType(8, true, 0.1, 0);
        IntBatchNorm bn = IntBatchNorm.of(in, new double[] {1.0, -0.5, 0.0}, new double[] {0.0, 0.25, -0.3}, out);
        // largest |m| = 1.0 * 2^s must fit 16 magnitude bits: s = 15
        assertEquals(15, bn.shift());
        assertEquals(1L << 15, bn.multipliers()[0]);
        assertEquals(-(1L << 14), bn.multipliers()[1]);
        assertEquals(0, bn.multipliers()[2]);
        assertEquals(Math.rint(2.5 * (1 << 15)), (double) bn.offsets()[1]);
        assertEquals(7, bn.apply(7, 0));
        assertEquals(-1, bn.apply(7, 1)); // -0.5 * 7 + 2.5 = -1
        assertEquals(-1, bn.apply(8, 1)); // -4 + 2.5 = -1.5 rounds half up to -1
        assertEquals(-2, bn.apply(10, 1)); // -5 + 2.5 = -2.5 rounds half up to -2
        assertEquals(-3, bn.apply(100, 2)); // constant -3 codes
        assertEquals(127, bn.apply(127, 0));
        assertEquals(23, bn.productBits()); // [-128, 127] x [-2^14, 2^15]: -2^22 .. 127 * 2^15
        assertEquals(24, bn.accumulatorBits()); // + offsets (|b| <= 2.5 * 2^15) + rounding
        assertThrows(IllegalArgumentException.class,
                () -> IntBatchNorm.of(in, new double[] {1e6}, new double[] {0}, out)); // 1e6 codes per code
    }
}
