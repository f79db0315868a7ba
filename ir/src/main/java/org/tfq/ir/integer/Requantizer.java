package org.tfq.ir.integer;

import org.tfq.ir.IntType;

/**
 * Integer-only requantization of an accumulator to an output code:
 * {@code q = saturate(roundShift(acc * multiplier, shift) + outZeroPoint)}, i.e.
 * {@code saturate(floor(acc * m / 2^shift + 1/2) + Z)} (round half up, see {@link IntMath}).
 * The real multiplier {@code M = S_x S_w / S_y} is replaced by {@code m * 2^-shift} because a
 * multiplier and a shifter are all the hardware needs; floating point never reaches the device.
 *
 * <p>The multiplier {@code m} is a non-negative integer of {@code multiplierBits} unsigned bits
 * ({@link #DEFAULT_MULTIPLIER_BITS} = 16 by default), normalised to
 * {@code [2^(multiplierBits-1), 2^multiplierBits)} so that the relative error
 * {@code |m 2^-shift - M| / M} is at most {@code 2^-multiplierBits}. As a signed DSP operand it
 * needs {@code multiplierBits + 1} = 17 bits, which fits the 18-bit B port of a DSP48E1.
 *
 * <p>Edges: {@code shift} is at most {@link IntMath#MAX_SHIFT} = 62; a multiplier so small that it
 * would need more is represented as {@code round(M 2^62)}, which is below the normal range (and
 * may be 0, making the output the constant {@code saturate(Z)}), so the relative error bound then
 * does not hold ({@link #relativeError} reports it). {@code shift} is never negative: an
 * {@code M} that rounds to {@code 2^multiplierBits} or more with {@code shift = 0} would need a
 * left shift and is rejected with an {@link IllegalArgumentException}.
 *
 * <p>Widths: an {@code a}-bit signed accumulator times the unsigned multiplier is a signed
 * {@code a + multiplierBits}-bit product ({@link #productBits}); adding the rounding constant
 * {@code 2^(shift-1)} needs {@link #roundingBits}. The interpreter throws
 * {@link ArithmeticException} if the product leaves a {@code long}.
 */
public record Requantizer(int multiplier, int shift, long outZeroPoint, int outBits, boolean outSigned) {

    /** Unsigned multiplier bits when none are given: 17 bits signed, one DSP48E1 B port. */
    public static final int DEFAULT_MULTIPLIER_BITS = 16;

    public Requantizer {
        if (multiplier < 0) throw new IllegalArgumentException("requantization multiplier " + multiplier + " < 0");
        if (shift < 0 || shift > IntMath.MAX_SHIFT) {
            throw new IllegalArgumentException("requantization shift " + shift + " not in 0.." + IntMath.MAX_SHIFT);
        }
        IntMath.checkBits(outBits);
        if (outZeroPoint < IntMath.min(outBits, outSigned) || outZeroPoint > IntMath.max(outBits, outSigned)) {
            throw new IllegalArgumentException("output zero point " + outZeroPoint + " outside " + outBits + "-bit range");
        }
    }

    /** {@link #of(double, int, long, int, boolean)} with the default multiplier width, to the output type. */
    public static Requantizer of(double realMultiplier, IntType out) {
        return of(realMultiplier, DEFAULT_MULTIPLIER_BITS, out.zeroPoint(), out.bits(), out.signed());
    }

    /**
     * Approximates {@code realMultiplier > 0} by {@code m * 2^-shift} with
     * {@code m = round(M 2^shift)} (ties to even) normalised to {@code multiplierBits} (2..31) bits.
     */
    public static Requantizer of(double realMultiplier, int multiplierBits, long outZeroPoint, int outBits,
            boolean outSigned) {
        if (!(realMultiplier > 0) || Double.isInfinite(realMultiplier)) {
            throw new IllegalArgumentException("requantization multiplier " + realMultiplier + " must be finite and > 0");
        }
        if (multiplierBits < 2 || multiplierBits > 31) {
            throw new IllegalArgumentException("multiplier width " + multiplierBits + " not in 2..31");
        }
        // M = f 2^(e+1) with f in [0.5, 1): shift = multiplierBits - (e+1) puts m in the top bit
        long shift = (long) multiplierBits - 1 - Math.getExponent(realMultiplier);
        long m;
        if (shift > IntMath.MAX_SHIFT) {
            shift = IntMath.MAX_SHIFT;
            m = IntMath.nearest(Math.scalb(realMultiplier, IntMath.MAX_SHIFT));
        } else {
            m = IntMath.nearest(Math.scalb(realMultiplier, (int) shift));
            if (m == 1L << multiplierBits) { // rounded up out of range: same value, one bit fewer
                m >>= 1;
                shift--;
            }
        }
        if (shift < 0) {
            throw new IllegalArgumentException("requantization multiplier " + realMultiplier
                    + " too large: needs a left shift, at most 2^" + multiplierBits + " - 1 with shift >= 0");
        }
        return new Requantizer((int) m, (int) shift, outZeroPoint, outBits, outSigned);
    }

    /** The output code of an accumulator. */
    public long apply(long acc) {
        return apply(acc, 0);
    }

    /**
     * The output code of an accumulator with an offset added after the multiplier, in units of
     * {@code 2^-shift} output codes: {@code saturate(roundShift(acc m + offset, shift) + Z)}.
     */
    public long apply(long acc, long offset) {
        long scaled = IntMath.roundShift(Math.addExact(Math.multiplyExact(acc, (long) multiplier), offset), shift);
        return IntMath.saturate(Math.addExact(scaled, outZeroPoint), outBits, outSigned);
    }

    /** The multiplier actually applied, {@code m 2^-shift}. */
    public double realMultiplier() {
        return Math.scalb((double) multiplier, -shift);
    }

    /** {@code |m 2^-shift - M| / M}: the relative error of this approximation of {@code target}. */
    public double relativeError(double target) {
        return Math.abs(realMultiplier() - target) / target;
    }

    /** The guaranteed relative error {@code 2^-multiplierBits} when the shift was not capped. */
    public static double maxRelativeError(int multiplierBits) {
        return Math.scalb(1.0, -multiplierBits);
    }

    /** Unsigned width of the multiplier constant. */
    public int multiplierBits() {
        return IntMath.unsignedBits(multiplier);
    }

    /** Signed width of {@code acc * m} for an {@code accBits}-bit signed accumulator. */
    public int productBits(int accBits) {
        return accBits + multiplierBits();
    }

    /** Signed width of {@code acc * m + 2^(shift-1)}, the rounding adder before the shift. */
    public int roundingBits(int accBits) {
        return Math.max(productBits(accBits), shift) + 1;
    }
}
