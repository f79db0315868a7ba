package org.tfq.ir.integer;

import org.tfq.ir.IntType;

/**
 * Inference BatchNorm, already folded to a per-channel affine map {@code y = a_c x + t_c}, on
 * codes: one signed multiply, one add and one rounding shift per element. A per-channel constant
 * pair with one shift shared by all channels is what the reference design uses and keeps a single
 * shifter in hardware; the channel index selects the constants from a small ROM.
 *
 * <p>Semantics for input code {@code x} of channel {@code c}:
 * <pre>
 *   q = saturate(Z_out + roundShift((x - Z_in) m_c + b_c, shift))      (round half up)
 *   m_c = round(a_c S_in / S_out 2^shift),   b_c = round(t_c / S_out 2^shift)   (ties to even)
 * </pre>
 * {@code shift} is the largest in {@code 0..48} with every {@code |m_c| <= 2^multiplierBits - 1}
 * (default 16 magnitude bits: a 17-bit signed operand, one DSP48E1 B port) and every
 * {@code |b_c| < 2^47}; a scale too large for {@code shift = 0} is rejected. Before the final
 * rounding the error is at most {@code (|x - Z_in|_max + 1) 2^-(shift+1)} codes
 * ({@link #errorBoundCodes}), so the result is within one code of the float affine map quantized.
 *
 * <p>Widths: {@code x - Z_in} is {@code b_in + 1} bits signed; {@link #productBits},
 * {@link #accumulatorBits} (product plus bias, before the shift) follow from the constants.
 */
public final class IntBatchNorm {

    private final long[] m;
    private final long[] b;
    private final int shift;
    private final long inZeroPoint;
    private final int inBits;
    private final boolean inSigned;
    private final long outZeroPoint;
    private final int outBits;
    private final boolean outSigned;

    private IntBatchNorm(long[] m, long[] b, int shift, long inZeroPoint, int inBits, boolean inSigned,
            long outZeroPoint, int outBits, boolean outSigned) {
        this.m = m;
        this.b = b;
        this.shift = shift;
        this.inZeroPoint = inZeroPoint;
        this.inBits = inBits;
        this.inSigned = inSigned;
        this.outZeroPoint = outZeroPoint;
        this.outBits = outBits;
        this.outSigned = outSigned;
    }

    /** From the folded float {@code scale[c]}, {@code shift[c]} with the default multiplier width. */
    public static IntBatchNorm of(IntType in, double[] scale, double[] offset, IntType out) {
        return of(in.scale(), in.zeroPoint(), in.bits(), in.signed(), scale, offset, out.scale(), out.zeroPoint(),
                out.bits(), out.signed(), Requantizer.DEFAULT_MULTIPLIER_BITS);
    }

    public static IntBatchNorm of(double inScale, long inZeroPoint, int inBits, boolean inSigned, double[] scale,
            double[] offset, double outScale, long outZeroPoint, int outBits, boolean outSigned, int multiplierBits) {
        int channels = scale.length;
        if (channels < 1 || offset.length != channels) throw new IllegalArgumentException("batchnorm scale and offset lengths differ");
        if (!(inScale > 0) || Double.isInfinite(inScale)) throw new IllegalArgumentException("batchnorm input scale " + inScale);
        if (!(outScale > 0) || Double.isInfinite(outScale)) throw new IllegalArgumentException("batchnorm output scale " + outScale);
        if (inBits < 1 || inBits > 32) throw new IllegalArgumentException("batchnorm input width " + inBits);
        if (multiplierBits < 2 || multiplierBits > 31) throw new IllegalArgumentException("multiplier width " + multiplierBits);
        IntMath.checkBits(outBits);
        if (outZeroPoint < IntMath.min(outBits, outSigned) || outZeroPoint > IntMath.max(outBits, outSigned)) {
            throw new IllegalArgumentException("output zero point " + outZeroPoint + " outside range");
        }
        double maxA = 0;
        double maxT = 0;
        for (int c = 0; c < channels; c++) {
            if (!Double.isFinite(scale[c]) || !Double.isFinite(offset[c])) throw new IllegalArgumentException("batchnorm channel " + c + " not finite");
            maxA = Math.max(maxA, Math.abs(scale[c] * inScale / outScale));
            maxT = Math.max(maxT, Math.abs(offset[c] / outScale));
        }
        long mLimit = (1L << multiplierBits) - 1;
        for (int s = 48; s >= 0; s--) {
            if (Math.rint(Math.scalb(maxA, s)) > mLimit || Math.rint(Math.scalb(maxT, s)) >= 0x1p47) continue;
            long[] m = new long[channels];
            long[] b = new long[channels];
            for (int c = 0; c < channels; c++) {
                m[c] = IntMath.nearest(Math.scalb(scale[c] * inScale / outScale, s));
                b[c] = IntMath.nearest(Math.scalb(offset[c] / outScale, s));
            }
            return new IntBatchNorm(m, b, s, inZeroPoint, inBits, inSigned, outZeroPoint, outBits, outSigned);
        }
        throw new IllegalArgumentException("batchnorm multiplier " + maxA + " or offset " + maxT
                + " (output codes) too large for " + multiplierBits + "-bit constants with shift >= 0");
    }

    /** The output code for input code {@code x} of channel {@code c}. */
    public long apply(long x, int c) {
        long acc = Math.addExact(Math.multiplyExact(x - inZeroPoint, m[c]), b[c]);
        return IntMath.saturate(Math.addExact(outZeroPoint, IntMath.roundShift(acc, shift)), outBits, outSigned);
    }

    public int channels() {
        return m.length;
    }

    /** {@code m_c}, signed. */
    public long[] multipliers() {
        return m.clone();
    }

    /** {@code b_c}, signed, at the scale {@code 2^-shift} output codes. */
    public long[] offsets() {
        return b.clone();
    }

    public int shift() {
        return shift;
    }

    private IntRange centred() {
        return IntRange.of(inBits, inSigned).minus(IntRange.point(inZeroPoint));
    }

    /** Signed width of {@code (x - Z_in) m_c} over all channels. */
    public int productBits() {
        IntRange r = IntRange.point(0);
        for (long v : m) {
            IntRange p = centred().times(IntRange.point(v));
            r = new IntRange(Math.min(r.min(), p.min()), Math.max(r.max(), p.max()));
        }
        return r.signedBits();
    }

    /** Signed width of {@code (x - Z_in) m_c + b_c} (the value before the rounding shift). */
    public int accumulatorBits() {
        IntRange r = IntRange.point(0);
        for (int c = 0; c < m.length; c++) {
            IntRange p = centred().times(IntRange.point(m[c])).plus(IntRange.point(b[c]));
            r = new IntRange(Math.min(r.min(), p.min()), Math.max(r.max(), p.max()));
        }
        return r.signedBits() + 1; // + 2^(shift-1) for rounding
    }

    /** Pre-rounding error bound in output codes: {@code (max|x - Z_in| + 1) 2^-(shift+1)}. */
    public double errorBoundCodes() {
        IntRange r = centred();
        double maxX = Math.max(Math.abs((double) r.min()), Math.abs((double) r.max()));
        return (maxX + 1) * Math.scalb(0.5, -shift);
    }
}
