package org.tfq.passes.quant;

import org.tfq.ir.IntType;
import org.tfq.ir.integer.Lut;
import org.tfq.ir.op.IntTableOp;

/**
 * A trained model's mean pooling followed by a quantizer: ONNX Runtime rounds the float32 mean
 * with QuantizeLinear, to even at a tie, where the requantizer's multiplier (never exactly 1/n)
 * rounds every tie one way. With the output's scale a simple multiple of the input's (torch.ao
 * FX keeps it), one sum in n is an exact tie: 1 in 12 pooled codes of a 12-step window. The
 * float32 sum decides those ties by its own rounding, to even in 60-77% of them (measured in
 * numpy on the scales of testdata/qat), so the exact sum, kept at scale S_in / n, goes through
 * a table of the sum's mean rounded half to even: one ROM read per pooled element. Measured on
 * torch.ao FX at 6 and 4 bits: -1.93% and +2.12% from ONNX Runtime's RMSE before, -0.53% and
 * -1.11% with it; the cost is the sum's width in the activation memory (6-bit FX: 10-bit words,
 * 3.5 to 5.5 BRAM36).
 */
final class MeanAtExactTies {
    private MeanAtExactTies() {}

    /** Widest exact sum whose table (2^bits words) is worth it. */
    static final int MAX_TABLE_BITS = 10;

    /** The table from the exact sum of {@code length} codes of {@code in} to {@code out}, if some sum is an exact tie; null otherwise. */
    static IntTableOp of(IntType in, int length, IntType out) {
        IntType sum = InternalWidths.mean(in, length);
        if (sum.bits() > MAX_TABLE_BITS) return null;
        double ratio = in.scale() / (length * out.scale());
        boolean ties = false;
        for (long c = -(1L << (sum.bits() - 1)); c < (1L << (sum.bits() - 1)) && !ties; c++) {
            double v = c * ratio;
            ties = v - Math.floor(v) == 0.5;
        }
        if (!ties) return null;
        // codes in, codes out: unit scales make the table the function of the code itself (Lut rounds half to even)
        Lut t = Lut.of(1, 0, sum.bits(), true, 1, out.zeroPoint(), out.bits(), out.signed(), c -> c * ratio);
        return new IntTableOp("mean_round", sum, t, out);
    }
}
