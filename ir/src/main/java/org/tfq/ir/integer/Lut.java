package org.tfq.ir.integer;

import java.util.function.DoubleUnaryOperator;
import org.tfq.ir.IntType;
import org.tfq.ir.op.Gelu;

/**
 * An elementwise function of one quantized input as a table over all {@code 2^b_in} input codes:
 * GELU (erf or tanh form), or any {@code double -> double} function. A table is exact (it is the
 * float function quantized, with no approximation of its own), costs {@code 2^b_in} words of ROM
 * for the widths this compiler targets ({@code b_in <= 16}), and one read per element.
 *
 * <p>Entry for input code {@code c}:
 * {@code saturate(rint(f(S_in (c - Z_in)) / S_out) + Z_out)}, rounding to nearest with ties to
 * even like the float quantization-aware reference (construction time only, so the rounding mode
 * is free). A NaN result is rejected; infinities saturate.
 *
 * <p>Addressing: the table is indexed by the raw {@code b_in} bits of the code,
 * {@code address = c & (2^b_in - 1)} (two's complement bits for signed input), so the hardware
 * wires the code to the ROM address with no logic; {@link #table} is in that order, ready for a
 * .mem file.
 */
public final class Lut {

    private final int inBits;
    private final boolean inSigned;
    private final int outBits;
    private final boolean outSigned;
    private final long[] table;

    private Lut(int inBits, boolean inSigned, int outBits, boolean outSigned, long[] table) {
        this.inBits = inBits;
        this.inSigned = inSigned;
        this.outBits = outBits;
        this.outSigned = outSigned;
        this.table = table;
    }

    /** GELU as trained: exact (erf) or the tanh approximation, same formulas as the float IR. */
    public static Lut gelu(IntType in, IntType out, boolean tanhApproximation) {
        return of(in, out, new Gelu(tanhApproximation)::of);
    }

    public static Lut of(IntType in, IntType out, DoubleUnaryOperator f) {
        return of(in.scale(), in.zeroPoint(), in.bits(), in.signed(), out.scale(), out.zeroPoint(), out.bits(),
                out.signed(), f);
    }

    public static Lut of(double inScale, long inZeroPoint, int inBits, boolean inSigned, double outScale,
            long outZeroPoint, int outBits, boolean outSigned, DoubleUnaryOperator f) {
        if (inBits < 1 || inBits > 16) throw new IllegalArgumentException("table input width " + inBits + " not in 1..16");
        IntMath.checkBits(outBits);
        if (!(inScale > 0) || Double.isInfinite(inScale)) throw new IllegalArgumentException("table input scale " + inScale);
        if (!(outScale > 0) || Double.isInfinite(outScale)) throw new IllegalArgumentException("table output scale " + outScale);
        long lo = IntMath.min(outBits, outSigned);
        long hi = IntMath.max(outBits, outSigned);
        if (outZeroPoint < lo || outZeroPoint > hi) throw new IllegalArgumentException("output zero point " + outZeroPoint + " outside range");
        long[] table = new long[1 << inBits];
        long mask = (1L << inBits) - 1;
        for (long c = IntMath.min(inBits, inSigned); c <= IntMath.max(inBits, inSigned); c++) {
            double y = f.applyAsDouble(inScale * (c - inZeroPoint));
            if (Double.isNaN(y)) throw new IllegalArgumentException("table function is NaN at input code " + c);
            // rint(y/S) + Z == rint(y/S + Z) for integer Z; clamp first so huge values saturate
            double v = Math.max(lo - outZeroPoint - 1.0, Math.min(hi - outZeroPoint + 1.0, y / outScale));
            table[(int) (c & mask)] = IntMath.saturate(IntMath.nearest(v) + outZeroPoint, outBits, outSigned);
        }
        return new Lut(inBits, inSigned, outBits, outSigned, table);
    }

    /** The output code of input code {@code code} (which must be a {@code b_in}-bit code). */
    public long apply(long code) {
        if (code < IntMath.min(inBits, inSigned) || code > IntMath.max(inBits, inSigned)) {
            throw new IllegalArgumentException("table input " + code + " outside " + inBits + "-bit codes");
        }
        return table[(int) (code & ((1L << inBits) - 1))];
    }

    /** The ROM contents, indexed by the raw input bits {@code code & (2^b_in - 1)}. */
    public long[] table() {
        return table.clone();
    }

    public int inBits() {
        return inBits;
    }

    public boolean inSigned() {
        return inSigned;
    }

    public int outBits() {
        return outBits;
    }

    public boolean outSigned() {
        return outSigned;
    }

    /** By content, so that an op read back from the text IR ({@code org.tfq.ir.TextParser}) equals the one written. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Lut l && inBits == l.inBits && inSigned == l.inSigned && outBits == l.outBits && outSigned == l.outSigned
                && java.util.Arrays.equals(table, l.table);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(table) * 31 + inBits;
    }
}
