package org.tfq.ir.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;

/** The two-input rescaling add, plain (residual) and with a folded per-channel BatchNorm. */
class IntAddTest {

    private static FloatTensor channels(double... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return new FloatTensor(Shape.of(1, v.length), f);
    }

    private static IntType random(Random r) {
        int bits = 3 + r.nextInt(6);
        boolean signed = r.nextBoolean();
        return new IntType(bits, signed, Math.scalb(0.5 + r.nextDouble(), -r.nextInt(6)), IntMath.min(bits, signed) + r.nextInt(1 << bits));
    }

    @Test
    void residualAddIsTheScalarCase() {
        IntType a = new IntType(8, true, 0.02, 3), b = new IntType(8, true, 0.05, -7), o = new IntType(8, true, 0.06, 1);
        IntAdd op = IntAdd.of(a, b, o, 16);
        // the larger ratio 0.05/0.06 * 2^s must fit 16 magnitude bits: s = 16
        assertEquals(16, op.shift());
        assertEquals(1, op.multiplierA().shape().size());
        assertEquals(IntMath.nearest(Math.scalb(0.02 / 0.06, 16)), op.multiplierA().data()[0]);
        assertEquals(IntMath.nearest(Math.scalb(0.05 / 0.06, 16)), op.multiplierB().data()[0]);
        assertEquals(0, op.offset().data()[0]);
        assertFalse(op.relu());
        long ma = op.multiplierA().data()[0], mb = op.multiplierB().data()[0];
        IntRange acc = IntAdd.centred(a).times(IntRange.point(ma)).plus(IntAdd.centred(b).times(IntRange.point(mb)));
        assertEquals(acc.signedBits() + 1, op.accBits());
        // prints as it always has: no offset, no relu
        assertEquals("{m_a=" + ma + ", m_b=" + mb + ", shift=16, acc_bits=" + op.accBits() + "}", op.attributes().toString());
        assertEquals(0, op.parameters());
    }

    @Test
    void everyCodePairOfEveryChannelIsWithinOneCodeOfTheFloatBatchNormOfTheSum() {
        Random r = new Random(51);
        long worst = 0, exact = 0, total = 0;
        for (int trial = 0; trial < 40; trial++) {
            IntType a = random(r), b = random(r), out = random(r);
            int c = 1 + r.nextInt(8);
            double[] g = new double[c], t = new double[c];
            for (int k = 0; k < c; k++) {
                g[k] = (float) ((r.nextBoolean() ? 1 : -1) * Math.exp(Math.log(0.05) + r.nextDouble() * Math.log(60)));
                t[k] = (float) ((2 * r.nextDouble() - 1) * out.scale() * (1 << out.bits()));
            }
            boolean relu = trial % 4 == 0;
            IntAdd op = IntAdd.of(a, b, channels(g), channels(g), channels(t), relu, out, 16);
            int na = 1 << a.bits(), nb = 1 << b.bits();
            long[] xa = new long[na * nb * c], xb = new long[na * nb * c];
            for (int i = 0; i < na; i++) {
                for (int j = 0; j < nb; j++) {
                    for (int k = 0; k < c; k++) {
                        xa[(i * nb + j) * c + k] = a.min() + i;
                        xb[(i * nb + j) * c + k] = b.min() + j;
                    }
                }
            }
            Shape s = Shape.of(na * nb, c);
            long[] q = op.applyInt(List.of(new IntTensor(s, xa), new IntTensor(s, xb))).data();
            for (int i = 0; i < q.length; i++) {
                int k = i % c;
                double x = a.scale() * (xa[i] - a.zeroPoint()) + b.scale() * (xb[i] - b.zeroPoint());
                long f = IntMath.saturate((long) Math.rint((g[k] * x + t[k]) / out.scale()) + out.zeroPoint(), out.bits(), out.signed());
                if (relu) f = Math.max(f, out.zeroPoint());
                worst = Math.max(worst, Math.abs(q[i] - f));
                if (q[i] == f) exact++;
                total++;
            }
        }
        assertTrue(worst <= 1, "worst " + worst);
        assertTrue(exact > 0.99 * total, exact + " of " + total);
    }

    @Test
    void accumulatorWidthIsTheExactWorstCase() {
        Random r = new Random(52);
        for (int trial = 0; trial < 200; trial++) {
            IntType a = random(r), b = random(r), out = random(r);
            int c = 1 + r.nextInt(5);
            double[] g = new double[c], t = new double[c];
            for (int k = 0; k < c; k++) {
                g[k] = (float) ((r.nextBoolean() ? 1 : -1) * (0.05 + 3 * r.nextDouble()));
                t[k] = (float) ((2 * r.nextDouble() - 1) * out.scale() * (1 << out.bits()));
            }
            IntAdd op = IntAdd.of(a, b, channels(g), channels(g), channels(t), false, out, 16);
            // the accumulator's extremes are at the corners of the two input ranges, in some channel
            long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
            for (int k = 0; k < c; k++) {
                for (long x : new long[] {a.min(), a.max()}) {
                    for (long y : new long[] {b.min(), b.max()}) {
                        long acc = (x - a.zeroPoint()) * op.multiplierA().data()[k] + (y - b.zeroPoint()) * op.multiplierB().data()[k]
                                + op.offset().data()[k];
                        lo = Math.min(lo, acc);
                        hi = Math.max(hi, acc);
                    }
                }
            }
            assertEquals(IntMath.signedBits(lo, hi) + 1, op.accBits());
        }
    }

    @Test
    void constantsBroadcastAlongTheChannelAxisAndPrintByShape() {
        IntType q = new IntType(8, true, 0.1, 0);
        Shape ch = Shape.of(1, 1, 3);
        FloatTensor g = new FloatTensor(ch, new float[] {1f, -0.5f, 0.25f}), t = new FloatTensor(ch, new float[] {0f, 0.25f, -0.3f});
        IntAdd op = IntAdd.of(q, q, g, g, t, false, q, 16);
        assertEquals(15, op.shift());
        assertEquals(ch, op.multiplierA().shape());
        assertEquals(ch, op.offset().shape());
        assertEquals("{m_a=int[1,1,3], m_b=int[1,1,3], c=int[1,1,3], shift=15, acc_bits=" + op.accBits() + "}", op.attributes().toString());
        assertEquals(9, op.parameters());
        TensorType x = new TensorType(Shape.of(1, 2, 3), q);
        assertEquals(x, op.resultType(List.of(x, x)));
        // a = 7, b = 1 in every channel: (8 * 0.1) * gamma + beta, in 0.1 codes
        long[] y = op.applyInt(List.of(new IntTensor(Shape.of(1, 2, 3), new long[] {7, 7, 7, 7, 7, 7}),
                new IntTensor(Shape.of(1, 2, 3), new long[] {1, 1, 1, 1, 1, 1}))).data();
        assertEquals(8, y[0]);
        assertEquals(-1, y[1]); // -0.5 * 8 + 2.5 = -1.5 rounds half up to -1
        assertEquals(-1, y[2]); // 0.25 * 8 - 3 = -1
        assertEquals(-1, y[4]);
    }

    @Test
    void verifierRefusesConstantsThatDoNotBroadcastToTheOutput() {
        IntType q = new IntType(8, true, 0.1, 0);
        IntAdd op = IntAdd.of(q, q, channels(1, 2, 3), channels(1, 2, 3), channels(0, 0, 0), false, q, 16);
        TensorType four = new TensorType(Shape.of(2, 4), q), three = new TensorType(Shape.of(2, 3), q);
        assertThrows(IrException.class, () -> op.resultType(List.of(four, four)));
        // constants [1,3] would enlarge an output [3,1] to [3,3]
        TensorType column = new TensorType(Shape.of(3, 1), q);
        assertThrows(IrException.class, () -> op.resultType(List.of(column, column)));
        assertEquals(three, op.resultType(List.of(three, three)));
        assertThrows(IrException.class, () -> op.resultType(List.of(three, new TensorType(Shape.of(2, 3), new IntType(8, true, 0.2, 0)))));
    }

    @Test
    void anAccumulatorNarrowerThanTheRangeAnalysisIsRefused() {
        IntType q = new IntType(8, true, 0.1, 0);
        IntAdd op = IntAdd.of(q, q, q, 16);
        assertThrows(IrException.class, () -> new IntAdd(q, q, op.multiplierA(), op.multiplierB(), op.offset(), op.shift(), false, q,
                op.accBits() - 1));
        assertThrows(IrException.class, () -> new IntAdd(q, q, op.multiplierA(), op.multiplierB(), op.offset(), -1, false, q,
                op.accBits()));
    }

    @Test
    void reluClampsAtTheOutputZeroPoint() {
        IntType q = new IntType(8, true, 0.1, 0), out = new IntType(8, true, 0.1, -20);
        FloatTensor one = FloatTensor.scalar(1), zero = FloatTensor.scalar(0);
        IntAdd op = IntAdd.of(q, q, one, one, zero, true, out, 16);
        long[] y = op.applyInt(List.of(new IntTensor(Shape.of(3), new long[] {-50, 5, 30}),
                new IntTensor(Shape.of(3), new long[] {-10, -10, 10}))).data();
        assertEquals(-20, y[0]);
        assertEquals(-20, y[1]);
        assertEquals(20, y[2]);
        assertEquals("true", op.attributes().get("relu"));
    }

    @Test
    void tooLargeAScaleIsRefused() {
        IntType q = new IntType(8, true, 1, 0);
        IntType tiny = new IntType(8, true, 1e-6, 0);
        assertThrows(IrException.class, () -> IntAdd.of(q, q, tiny, 16));
    }
}
