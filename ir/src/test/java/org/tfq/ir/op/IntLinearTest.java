package org.tfq.ir.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;
import org.tfq.ir.integer.Requantizer;

/** The integer Linear, with and without a row bias (a constant added to its output, folded in). */
class IntLinearTest {

    private static IntTensor random(Random r, long lo, long hi, int... dims) {
        Shape s = Shape.of(dims);
        long[] v = new long[Math.toIntExact(s.size())];
        for (int i = 0; i < v.length; i++) v[i] = lo + (long) r.nextInt((int) (hi - lo + 1));
        return new IntTensor(s, v);
    }

    private static IntType randomType(Random r) {
        int bits = 3 + r.nextInt(6);
        boolean signed = r.nextBoolean();
        return new IntType(bits, signed, Math.scalb(0.5 + r.nextDouble(), -r.nextInt(6)), IntMath.min(bits, signed) + r.nextInt(1 << bits));
    }

    private static List<Requantizer> requant(Random r, int outF, boolean perChannel, IntType out) {
        List<Requantizer> q = new ArrayList<>();
        for (int o = 0; o < (perChannel ? outF : 1); o++) q.add(Requantizer.of(Math.scalb(0.5 + r.nextDouble(), -4 - r.nextInt(8)), out));
        return q;
    }

    /**
     * acc[r][o] = sum_i x[r][i] w[o][i]; y = saturate(Z + floor((acc m_o + bias[o] + rowBias[r][o]) / 2^s_o + 1/2)),
     * ReLU'd: the op's semantics in exact rational arithmetic, not through the Requantizer.
     */
    private static long[] direct(long[] x, long[] w, long[] bias, long[] rowBias, List<Requantizer> q, boolean relu, IntType out,
            int rows, int inF, int outF) {
        long[] y = new long[rows * outF];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outF; o++) {
                BigInteger acc = BigInteger.ZERO;
                for (int i = 0; i < inF; i++) acc = acc.add(BigInteger.valueOf(x[r * inF + i] * w[o * inF + i]));
                Requantizer rq = q.get(q.size() == 1 ? 0 : o);
                BigInteger num = acc.multiply(BigInteger.valueOf(rq.multiplier()))
                        .add(BigInteger.valueOf(bias[o] + (rowBias == null ? 0 : rowBias[r * outF + o])));
                BigInteger twoS = BigInteger.ONE.shiftLeft(rq.shift());
                // floor(num / 2^s + 1/2) = floor((2 num + 2^s) / 2^(s+1)); BigInteger.divide truncates
                BigInteger[] qr = num.shiftLeft(1).add(twoS).divideAndRemainder(twoS.shiftLeft(1));
                long v = qr[0].longValueExact() - (qr[1].signum() < 0 ? 1 : 0) + out.zeroPoint();
                v = Math.max(out.min(), Math.min(out.max(), v));
                y[r * outF + o] = relu ? Math.max(v, out.zeroPoint()) : v;
            }
        }
        return y;
    }

    @Test
    void interpreterComputesTheRowBiasedSumOnEveryRow() {
        Random r = new Random(70);
        for (int trial = 0; trial < 60; trial++) {
            IntType in = randomType(r), out = randomType(r);
            int inF = 1 + r.nextInt(9), outF = 1 + r.nextInt(9), batch = 1 + r.nextInt(3), n = 1 + r.nextInt(6), rows = batch * n;
            int wMax = 1 + r.nextInt(127);
            IntTensor w = random(r, -wMax, wMax, outF, inF);
            long[] bias = random(r, -5000000, 5000000, outF).data();
            IntTensor rowBias = trial % 5 == 0 ? null : random(r, -20000000, 20000000, rows, outF);
            boolean relu = trial % 3 == 0;
            List<Requantizer> q = requant(r, outF, trial % 2 == 0, out);
            IntLinear op = IntLinear.of(w, bias, rowBias, q, relu, in, out);
            assertEquals(rowBias, op.rowBias());
            for (int k = 0; k < 5; k++) {
                IntTensor x = random(r, in.min(), in.max(), batch, n, inF);
                IntTensor y = op.applyInt(List.of(x));
                assertEquals(Shape.of(batch, n, outF), y.shape());
                assertArrayEquals(direct(x.data(), w.data(), bias, rowBias == null ? null : rowBias.data(), q, relu, out, rows,
                        inF, outF), y.data());
            }
        }
    }

    @Test
    void accumulatorWidthIsTheExactWorstCaseOfTheSumOfProducts() {
        Random r = new Random(71);
        for (int trial = 0; trial < 80; trial++) {
            IntType in = randomType(r), out = randomType(r);
            int inF = 1 + r.nextInt(6), outF = 1 + r.nextInt(6), rows = 1 + r.nextInt(8);
            IntTensor w = random(r, -100, 100, outF, inF);
            long[] bias = random(r, -3000, 3000, outF).data();
            long span = 1L << r.nextInt(20);
            IntTensor rowBias = random(r, -span, span, rows, outF);
            IntLinear op = IntLinear.of(w, bias, rowBias, requant(r, outF, true, out), false, in, out);
            // brute force: per output, the input codes that push the sum furthest either way
            IntRange all = IntRange.point(0);
            IntRange[] ranges = IntLinear.accumulatorRanges(w, in);
            for (int o = 0; o < outF; o++) {
                long lo = 0, hi = 0;
                for (int i = 0; i < inF; i++) {
                    long wi = w.data()[o * inF + i];
                    lo += Math.min(wi * in.min(), wi * in.max());
                    hi += Math.max(wi * in.min(), wi * in.max());
                }
                assertEquals(new IntRange(lo, hi), ranges[o]);
                all = new IntRange(Math.min(all.min(), lo), Math.max(all.max(), hi));
            }
            assertEquals(all.signedBits(), op.accBits());
            assertEquals(op.accBits(), IntLinear.accumulatorBits(w, in));
            // reachable: the extreme input codes of the widest output do not throw
            for (long code : new long[] {in.min(), in.max()}) {
                long[] x = new long[rows * inF];
                java.util.Arrays.fill(x, code);
                assertDoesNotThrow(() -> op.applyInt(List.of(new IntTensor(Shape.of(rows, inF), x))));
            }
            // and no narrower accumulator is accepted
            assertThrows(IrException.class, () -> new IntLinear(w, bias, rowBias, op.requant(), false, in, out, op.weightBits(),
                    op.accBits() - 1));
        }
    }

    @Test
    void aLargeRowBiasWidensTheDatapathNotTheAccumulator() {
        IntType in = new IntType(8, true, 0.1, 0), out = new IntType(8, true, 0.1, 0);
        IntTensor w = new IntTensor(Shape.of(2, 2), new long[] {127, -127, 1, 1});
        long[] bias = {0, 0};
        List<Requantizer> q = List.of(Requantizer.of(0.01, out));
        IntLinear plain = IntLinear.of(w, bias, q, false, in, out);
        IntTensor rb = new IntTensor(Shape.of(3, 2), new long[] {0, 0, 1L << 40, 0, 0, -5});
        IntLinear biased = IntLinear.of(w, bias, rb, q, false, in, out);
        assertEquals(16, plain.accBits()); // 127 * 128 + 127 * 127 = 32385
        assertEquals(16, biased.accBits()); // the row bias is added after the multiplier
        assertEquals(q.get(0).productBits(16) + 1, plain.datapathBits());
        assertEquals(42 + 1, biased.datapathBits()); // 2^40 is a 42-bit signed number, plus the adder's carry
        // a bias or row bias whose sum leaves a long is refused, not wrapped
        assertThrows(IrException.class, () -> IntLinear.of(w, new long[] {Long.MAX_VALUE / 2, 0}, q, false, in, out));
        assertThrows(IrException.class, () -> IntLinear.of(w, new long[] {Long.MAX_VALUE - 1, 0},
                new IntTensor(Shape.of(1, 2), new long[] {2, 0}), q, false, in, out));
        assertNull(plain.rowBias());
        assertEquals(4 + 2, plain.parameters());
        assertEquals(4 + 2 + 6, biased.parameters());
        assertEquals(plain.macs(List.of(TensorType.f32(1, 3, 2))), biased.macs(List.of(TensorType.f32(1, 3, 2))));
    }

    @Test
    void textShowsTheRowBiasOnlyWhenPresent() {
        IntType in = new IntType(8, true, 0.1, 0), out = new IntType(8, true, 0.1, 3);
        IntTensor w = new IntTensor(Shape.of(2, 3), new long[] {1, 2, 3, -4, 5, -6});
        List<Requantizer> q = List.of(Requantizer.of(0.01, out));
        IntLinear plain = IntLinear.of(w, new long[] {7, -7}, q, true, in, out);
        Requantizer r = q.get(0);
        assertEquals("{in=3, out=2, w_bits=4, acc_bits=" + plain.accBits() + ", requant=m=" + r.multiplier() + ",shift=" + r.shift()
                + ", relu=true}", plain.attributes().toString());
        IntLinear biased = IntLinear.of(w, new long[] {7, -7}, new IntTensor(Shape.of(12, 2), new long[24]), q, true, in, out);
        assertEquals("{in=3, out=2, row_bias=int[12,2], w_bits=4, acc_bits=" + biased.accBits() + ", requant=m=" + r.multiplier()
                + ",shift=" + r.shift() + ", relu=true}", biased.attributes().toString());
        // the constructor without a row bias is the one of() always used
        assertEquals(plain.accBits(), new IntLinear(w, new long[] {7, -7}, q, true, in, out, plain.weightBits(), plain.accBits()).accBits());
        assertNull(new IntLinear(w, new long[] {7, -7}, q, true, in, out, plain.weightBits(), plain.accBits()).rowBias());
    }

    @Test
    void verifierChecksTheRowBiasAgainstTheInputRows() {
        IntType in = new IntType(8, true, 0.1, 0), out = new IntType(8, true, 0.1, 0);
        IntTensor w = new IntTensor(Shape.of(2, 3), new long[] {1, 2, 3, -4, 5, -6});
        List<Requantizer> q = List.of(Requantizer.of(0.01, out));
        IntLinear op = IntLinear.of(w, new long[2], new IntTensor(Shape.of(12, 2), new long[24]), q, false, in, out);
        assertEquals(new TensorType(Shape.of(1, 12, 2), out), op.resultType(List.of(new TensorType(Shape.of(1, 12, 3), in))));
        assertEquals(new TensorType(Shape.of(2, 6, 2), out), op.resultType(List.of(new TensorType(Shape.of(2, 6, 3), in))));
        assertThrows(IrException.class, () -> op.resultType(List.of(new TensorType(Shape.of(1, 6, 3), in))));
        assertThrows(IrException.class, () -> op.resultType(List.of(new TensorType(Shape.of(2, 12, 3), in))));
        assertThrows(IrException.class, () -> op.applyInt(List.of(new IntTensor(Shape.of(1, 6, 3), new long[18]))));
        // the row bias has one column per output
        assertThrows(IrException.class, () -> IntLinear.of(w, new long[2], new IntTensor(Shape.of(12, 3), new long[36]), q, false, in, out));
        assertThrows(IrException.class, () -> IntLinear.of(w, new long[2], new IntTensor(Shape.of(1, 12, 2), new long[24]), q, false, in, out));
        assertTrue(op.rowBias().shape().equals(Shape.of(12, 2)));
    }
}
