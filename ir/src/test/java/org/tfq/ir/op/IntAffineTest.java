package org.tfq.ir.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;
import org.tfq.ir.integer.IntMath;

/** The per-channel affine map (folded BatchNorm, rescaling, ReLU with a new scale) on codes. */
class IntAffineTest {

    private static FloatTensor vec(double... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return new FloatTensor(Shape.of(v.length), f);
    }

    @Test
    void everyCodeOfEveryChannelIsWithinOneCodeOfTheFloatAffineMap() {
        Random r = new Random(50);
        long worst = 0, exact = 0, total = 0;
        for (int trial = 0; trial < 60; trial++) {
            int inBits = 4 + r.nextInt(5), outBits = 4 + r.nextInt(5);
            boolean inSigned = r.nextBoolean(), outSigned = r.nextBoolean();
            IntType in = new IntType(inBits, inSigned, Math.scalb(0.5 + r.nextDouble(), -r.nextInt(6)),
                    IntMath.min(inBits, inSigned) + r.nextInt(1 << inBits));
            IntType out = new IntType(outBits, outSigned, Math.scalb(0.5 + r.nextDouble(), -r.nextInt(6)),
                    IntMath.min(outBits, outSigned) + r.nextInt(1 << outBits));
            int channels = 1 + r.nextInt(64);
            double[] a = new double[channels], t = new double[channels];
            for (int c = 0; c < channels; c++) {
                a[c] = (float) ((r.nextBoolean() ? 1 : -1) * Math.exp(Math.log(0.01) + r.nextDouble() * Math.log(500)));
                t[c] = (float) ((2 * r.nextDouble() - 1) * out.scale() * (1 << outBits));
            }
            IntAffine op = IntAffine.of("batchnorm", in, vec(a), vec(t), false, out, 16);
            int codes = 1 << inBits;
            long[] x = new long[codes * channels];
            for (int k = 0; k < codes; k++) for (int c = 0; c < channels; c++) x[k * channels + c] = in.min() + k;
            long[] q = op.applyInt(List.of(new IntTensor(Shape.of(codes, channels), x))).data();
            for (int i = 0; i < x.length; i++) {
                int c = i % channels;
                double y = (a[c] * in.scale() * (x[i] - in.zeroPoint()) + t[c]) / out.scale();
                long f = IntMath.saturate((long) Math.rint(y) + out.zeroPoint(), outBits, outSigned);
                worst = Math.max(worst, Math.abs(q[i] - f));
                if (q[i] == f) exact++;
                total++;
            }
        }
        assertTrue(worst <= 1, "worst " + worst);
        assertTrue(exact > 0.99 * total, exact + " of " + total);
    }

    @Test
    void constantsShareOneShiftAndRoundHalfUp() {
        IntType q = new IntType(8, true, 0.1, 0);
        IntAffine op = IntAffine.of("batchnorm", q, vec(1.0, -0.5, 0.0), vec(0.0, 0.25, -0.3), false, q, 16);
        // the largest |m| = 1.0 * 2^s must fit 16 magnitude bits: s = 15
        assertEquals(15, op.shift());
        assertEquals(1L << 15, op.multiplier().data()[0]);
        assertEquals(-(1L << 14), op.multiplier().data()[1]);
        long[] y = op.applyInt(List.of(new IntTensor(Shape.of(5, 3), new long[] {
                7, 7, 100, 8, 8, 0, 10, 10, 0, 127, -128, 0, -128, 127, 0}))).data();
        assertEquals(7, y[0]);
        assertEquals(-1, y[1]); // -0.5 * 7 + 2.5 = -1
        assertEquals(-3, y[2]); // constant -3 codes
        assertEquals(-1, y[4]); // -4 + 2.5 = -1.5 rounds half up to -1
        assertEquals(-2, y[7]); // -5 + 2.5 = -2.5 rounds half up to -2
        assertEquals(127, y[9]);
        assertEquals(67, y[10]); // -0.5 * -128 + 2.5 = 66.5 rounds half up
    }

    @Test
    void reluClampsAtTheOutputZeroPoint() {
        IntType in = new IntType(4, true, 0.5, 2);
        IntType out = new IntType(4, false, 0.25, 0);
        IntAffine op = IntAffine.of("relu", in, vec(1.0), vec(0.0), true, out, 16);
        long[] y = op.applyInt(List.of(new IntTensor(Shape.of(4), new long[] {-8, 2, 3, 7}))).data();
        assertEquals(0, y[0]);
        assertEquals(0, y[1]);
        assertEquals(2, y[2]);
        assertEquals(10, y[3]);
    }

    @Test
    void tooLargeAScaleIsRefused() {
        IntType q = new IntType(8, true, 1, 0);
        IntType tiny = new IntType(8, true, 1e-6, 0);
        assertThrows(IrException.class, () -> IntAffine.of("x", q, vec(1e6), vec(0), false, tiny, 16));
    }
}
