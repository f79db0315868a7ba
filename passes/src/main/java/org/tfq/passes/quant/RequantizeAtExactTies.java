package org.tfq.passes.quant;

import org.tfq.ir.IntType;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.Lut;
import org.tfq.ir.op.IntTableOp;

/**
 * A quantizer that re-quantizes codes (QuantizeLinear after DequantizeLinear) rounds ties to
 * even; the requantizer's run-time rounding is half up. The two differ only at exact ties, which
 * arbitrary scale ratios essentially never produce, but a ratio that is a power of two does for a
 * fixed share of the codes: the attention scores multiplied by 1/sqrt(d) between two quantizers
 * of the same scale (torch.ao FX) come back as a quarter of a code, a tie for one code in four.
 * There the quantizer becomes the table of ONNX's function of the input code, exact by
 * construction and one ROM read per element like a requantization.
 */
final class RequantizeAtExactTies {
    private RequantizeAtExactTies() {}

    /** Widest input whose table (2^bits words) is worth it instead of a requantizer. */
    static final int MAX_TABLE_BITS = 8;

    /** The quantizer from {@code in} to {@code out} as a table if some input code is an exact tie; null otherwise. */
    static IntTableOp of(IntType in, IntType out) {
        if (in.bits() > MAX_TABLE_BITS) return null;
        double ratio = in.scale() / out.scale();
        for (long c = IntMath.min(in.bits(), in.signed()); c <= IntMath.max(in.bits(), in.signed()); c++) {
            double v = (c - in.zeroPoint()) * ratio;
            if (v - Math.floor(v) == 0.5) return new IntTableOp("quantize", in, table(in, out), out);
        }
        return null;
    }

    /**
     * Entry c: QuantizeLinear of DequantizeLinear(c) in float32, as ONNX Runtime computes them. A
     * tie is a tie only if the float32 product and quotient land on it: the quotient is often one
     * ulp off, and then rounds the other way (the scaling by a power of two commutes with float32
     * rounding, so the relabelled scale gives the same products as the original one).
     */
    private static Lut table(IntType in, IntType out) {
        QuantSpec from = QuantSpec.perTensor(in.scale(), in.zeroPoint(), in.bits(), in.signed());
        QuantSpec to = QuantSpec.perTensor(out.scale(), out.zeroPoint(), out.bits(), out.signed());
        // codes in, codes out: unit scales and zero points make the table f itself
        return Lut.of(1, 0, in.bits(), in.signed(), 1, 0, out.bits(), out.signed(),
                c -> to.quantize(from.dequantize((long) c, 0), 0));
    }
}
