package org.tfq.passes.quant;

import org.tfq.ir.IntType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;
import org.tfq.ir.op.IntMatMul;
import org.tfq.ir.op.IntMeanPool;

/**
 * Quantization for the values of a trained model that no quantizer covers and none can be
 * inferred for (PyTorch's eager QAT leaves Q K^T and the softmax in float): chosen from the
 * worst-case range of what computes them, as the engine sizes its accumulators, never from data.
 * A product of two activations keeps its exact accumulator, dropping low bits only to fit one
 * activation word or to keep a softmax's exponential table small; a mean keeps its exact sum; a
 * softmax's probabilities lie in [0, 1]; a float BatchNorm (ONNX Runtime's QOperator form leaves
 * it between quantized ops) gets a grid finer than its input's over its worst-case range.
 */
final class InternalWidths {
    private InternalWidths() {}

    /** Widest internal code: the engine's activation word is at most this wide. */
    static final int MAX_BITS = 16;

    /**
     * Non-zero exponential-table entries a softmax fed by an internal score may need: the step of
     * its input is the finest for which {@code 2^F exp(-step k)} rounds to 0 by this index.
     */
    static final int SOFTMAX_TABLE_ENTRIES = 1024;

    /**
     * Probabilities are kept at least this wide, whatever the model's activation width. Measured
     * on PyTorch's eager QAT exports (testdata/qat, bench/qat-forms): at 8 bits the 8-bit model is
     * 1.3% and the 6-bit one 7.8% from ONNX Runtime's RMSE, at 10 bits the 6-bit one 1.3%, at 12
     * bits all three (8, 6, 4) within 0.4%; the table size does not matter at that point.
     */
    static final int MIN_PROBABILITY_BITS = 12;

    /**
     * {@code sum_k (a - Z_a)(b - Z_b)} over {@code inner} terms at scale {@code S_a S_b 2^r}, zero
     * point 0, for the smallest {@code r >= 0} that fits {@link #MAX_BITS} and, when a softmax reads
     * it scaled by {@code softmaxScaling} (0: no softmax), keeps that softmax's table (fraction bits
     * {@code softmaxFracBits}) within {@link #SOFTMAX_TABLE_ENTRIES}.
     */
    static IntType product(IntType a, IntType b, int inner, double softmaxScaling, int softmaxFracBits) {
        IntRange acc = IntMatMul.accumulatorRange(a, b, inner);
        double accScale = a.scale() * b.scale();
        int r = 0;
        if (softmaxScaling > 0) {
            double finest = (softmaxFracBits + 1) * Math.log(2) / SOFTMAX_TABLE_ENTRIES;
            while (Math.scalb(accScale, r) * softmaxScaling < finest) r++;
        }
        while (bits(acc, r) > MAX_BITS) r++;
        return new IntType(bits(acc, r), true, Math.scalb(accScale, r), 0);
    }

    /** Signed width of the accumulator range rounded to steps of 2^r (one step of slack each side). */
    private static int bits(IntRange acc, int r) {
        return IntMath.bits(Math.min(0, Math.floorDiv(acc.min(), 1L << r) - 1), Math.max(0, Math.floorDiv(acc.max(), 1L << r) + 1));
    }

    /**
     * Bits an open per-channel affine map (a float BatchNorm) keeps beyond its input's width.
     * Measured on the QOperator exports (testdata/qat): with 4, the per-channel one is 1.30% from
     * ONNX Runtime's RMSE, with 6 0.80% and its integer-vs-float error that of a quantizer there.
     */
    static final int AFFINE_EXTRA_BITS = 6;

    /**
     * {@code scale_c x + shift_c} for every code of {@code in} and channel c, on a symmetric grid
     * {@link #AFFINE_EXTRA_BITS} finer than the input's (at most {@link #MAX_BITS}) that holds its
     * worst-case range: the channels' scales differ, so no grid is exact for all of them.
     */
    static IntType affine(IntType in, float[] scale, float[] shift) {
        double lo = (IntMath.min(in.bits(), in.signed()) - in.zeroPoint()) * in.scale();
        double hi = (IntMath.max(in.bits(), in.signed()) - in.zeroPoint()) * in.scale();
        double bound = 0;
        for (int c = 0; c < scale.length; c++) {
            double b = shift.length == 1 ? shift[0] : shift[c];
            bound = Math.max(bound, Math.max(Math.abs(scale[c] * lo + b), Math.abs(scale[c] * hi + b)));
        }
        int bits = Math.min(MAX_BITS, in.bits() + AFFINE_EXTRA_BITS);
        return new IntType(bits, true, Math.max(bound, Double.MIN_NORMAL) / IntMath.max(bits, true), 0);
    }

    /** A mean of {@code length} codes kept exact: their centred sum at scale {@code S_in / length}. */
    static IntType mean(IntType in, int length) {
        return new IntType(IntMeanPool.sumRange(in, length).signedBits(), true, in.scale() / length, 0);
    }

    /** Probabilities in [0, 1] as unsigned codes 0 .. 2^bits - 1, bits at least {@link #MIN_PROBABILITY_BITS}. */
    static IntType probabilities(int modelBits) {
        int bits = Math.max(MIN_PROBABILITY_BITS, modelBits);
        return new IntType(bits, false, 1.0 / ((1L << bits) - 1), 0);
    }
}
