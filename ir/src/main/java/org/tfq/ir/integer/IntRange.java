package org.tfq.ir.integer;

/**
 * A closed integer interval {@code [min, max]} and the exact worst-case interval arithmetic range
 * analysis needs to size registers and accumulators. Worst case rather than statistics, because a
 * hardware register that overflows wraps silently; all arithmetic is exact and throws
 * {@link ArithmeticException} past 64 bits.
 */
public record IntRange(long min, long max) {

    public IntRange {
        if (min > max) throw new IllegalArgumentException("empty range " + min + ".." + max);
    }

    /** The full range of a {@code bits}-bit signed or unsigned integer. */
    public static IntRange of(int bits, boolean signed) {
        return new IntRange(IntMath.min(bits, signed), IntMath.max(bits, signed));
    }

    /** The single value {@code v}. */
    public static IntRange point(long v) {
        return new IntRange(v, v);
    }

    public IntRange plus(IntRange o) {
        return new IntRange(Math.addExact(min, o.min), Math.addExact(max, o.max));
    }

    public IntRange minus(IntRange o) {
        return new IntRange(Math.subtractExact(min, o.max), Math.subtractExact(max, o.min));
    }

    /** The product interval: the extremes are among the four corner products. */
    public IntRange times(IntRange o) {
        long a = Math.multiplyExact(min, o.min);
        long b = Math.multiplyExact(min, o.max);
        long c = Math.multiplyExact(max, o.min);
        long d = Math.multiplyExact(max, o.max);
        return new IntRange(Math.min(Math.min(a, b), Math.min(c, d)), Math.max(Math.max(a, b), Math.max(c, d)));
    }

    /** The range of a sum of {@code k >= 1} independent terms each in this range. */
    public IntRange sumOf(long k) {
        if (k < 1) throw new IllegalArgumentException("sum of " + k + " terms");
        return new IntRange(Math.multiplyExact(min, k), Math.multiplyExact(max, k));
    }

    /** Natural width: unsigned if {@code min >= 0}, two's complement otherwise. */
    public int bits() {
        return IntMath.bits(min, max);
    }

    /** Two's complement width (for values that feed a signed datapath). */
    public int signedBits() {
        return IntMath.signedBits(min, max);
    }

    public boolean contains(long v) {
        return v >= min && v <= max;
    }

    /**
     * Exact worst-case range of {@code bias + sum_{k<K} a_k * w_k} with every {@code a_k} in
     * {@code a} and {@code w_k} in {@code w}: the accumulator of a dot product of length {@code K}.
     * Pass zero-point-corrected ranges ({@code a - Z_a}) if the datapath subtracts zero points
     * before multiplying.
     */
    public static IntRange dotProduct(int length, IntRange a, IntRange w, IntRange bias) {
        return a.times(w).sumOf(length).plus(bias);
    }

    /**
     * Accumulator width of a dot product of {@code length} {@code aBits}-bit by {@code wBits}-bit
     * codes plus a {@code biasBits}-bit bias (0 for none), all over their full ranges.
     */
    public static int dotProductBits(int length, int aBits, boolean aSigned, int wBits, boolean wSigned,
            int biasBits, boolean biasSigned) {
        IntRange bias = biasBits == 0 ? point(0) : of(biasBits, biasSigned);
        return dotProduct(length, of(aBits, aSigned), of(wBits, wSigned), bias).bits();
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
