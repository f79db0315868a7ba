package org.tfq.ir.integer;

/**
 * The integer primitives every rescaling and nonlinear operation is built from, defined once so
 * that the golden interpreter and the generated Verilog cannot disagree on a rounding or a
 * saturation. Everything here is add, subtract, compare, arithmetic shift, and the two sequential
 * radix-2 units (restoring divider, restoring square root) whose cycle counts are given too.
 *
 * <p>Run-time rounding is <b>round half up</b> (towards +infinity at exact ties), the rounding a
 * hardware adder-and-shift gives for free, also for negative values:
 * <ul>
 *   <li>{@link #roundShift}: {@code floor(v / 2^s + 1/2) = (v + 2^(s-1)) >> s} (arithmetic shift);
 *   <li>{@link #divRound}: {@code floor((2 num + den) / (2 den)) = floor((num + floor(den/2)) / den)}.
 * </ul>
 * Saturation clamps to the two's complement ({@code [-2^(b-1), 2^(b-1)-1]}) or unsigned
 * ({@code [0, 2^b - 1]}) range. Compile-time constants (multipliers, tables) are instead rounded
 * to nearest with ties to even by {@link #nearest}, as the float quantization-aware reference does;
 * this costs nothing at run time and exact ties of real constants essentially never occur.
 *
 * <p>Overflow of {@code long} is never silent: the operations use exact arithmetic and throw
 * {@link ArithmeticException}, because it means a width chosen by range analysis is wrong.
 */
public final class IntMath {
    private IntMath() {}

    /** The largest shift any operation may use; keeps {@code 2^(s-1)} and the shifted value in a long. */
    public static final int MAX_SHIFT = 62;

    /** The largest operand width of {@link #isqrt(long, int)}. */
    public static final int MAX_SQRT_BITS = 62;

    /** Clamps {@code v} to the range of a {@code bits}-bit signed (two's complement) or unsigned integer. */
    public static long saturate(long v, int bits, boolean signed) {
        checkBits(bits);
        long lo = min(bits, signed);
        long hi = max(bits, signed);
        return v < lo ? lo : Math.min(v, hi);
    }

    /** Smallest value of a {@code bits}-bit integer (1..63 bits). */
    public static long min(int bits, boolean signed) {
        checkBits(bits);
        return signed ? -(1L << (bits - 1)) : 0;
    }

    /** Largest value of a {@code bits}-bit integer (1..63 bits). */
    public static long max(int bits, boolean signed) {
        checkBits(bits);
        return signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
    }

    /**
     * Arithmetic right shift by {@code s} with round half up: {@code floor(v / 2^s + 1/2)}, computed
     * as {@code (v + 2^(s-1)) >> s}; {@code s = 0} returns {@code v}. Hardware: one adder with a
     * constant and wiring. The adder needs one bit more than {@code v} only if {@code v} can come
     * within {@code 2^(s-1)} of the top of its range.
     */
    public static long roundShift(long v, int s) {
        if (s < 0 || s > MAX_SHIFT) throw new IllegalArgumentException("shift " + s + " not in 0.." + MAX_SHIFT);
        if (s == 0) return v;
        return Math.addExact(v, 1L << (s - 1)) >> s;
    }

    /**
     * Rounding division for {@code den > 0}: {@code floor((2 num + den) / (2 den))}, i.e. the
     * quotient rounded half up, also for negative {@code num}. Computed without the doubled
     * operands as {@code floor((num + floor(den/2)) / den)}, which is equal for every integer
     * {@code num} and {@code den > 0} (for odd {@code den} the exact quotient
     * {@code (num + den/2) / den} is never an integer, so dropping the half does not change the
     * floor). Hardware: add {@code den >> 1} to the numerator, then a sequential radix-2 restoring
     * divider ({@link #restoringDivide}) on magnitudes; a negative dividend {@code N} uses
     * {@code floor(N / den) = -floor((-N + den - 1) / den)}.
     */
    public static long divRound(long num, long den) {
        if (den <= 0) throw new IllegalArgumentException("divisor " + den + " must be > 0");
        return Math.floorDiv(Math.addExact(num, den >> 1), den);
    }

    /**
     * The radix-2 restoring divider the hardware uses, one quotient bit per clock cycle from the
     * most significant: {@code floor(num / den)} for {@code 0 <= num < den * 2^quotientBits},
     * {@code den > 0}. Kept here so tests can show it equals the plain division the interpreter uses.
     */
    public static long restoringDivide(long num, long den, int quotientBits) {
        if (den <= 0 || num < 0) throw new IllegalArgumentException("restoring division needs num >= 0, den > 0");
        if (quotientBits < 1 || quotientBits > 62) throw new IllegalArgumentException("quotient width " + quotientBits);
        if (den <= (Long.MAX_VALUE >> quotientBits) && num >= den << quotientBits) {
            throw new IllegalArgumentException("quotient of " + num + " / " + den + " needs more than " + quotientBits + " bits");
        }
        long rem = num;
        long q = 0;
        for (int i = quotientBits - 1; i >= 0; i--) {
            // den << i may not fit a long, but then it is larger than rem and the bit is 0
            if (den <= (rem >> i)) {
                rem -= den << i;
                q |= 1L << i;
            }
        }
        return q;
    }

    /** Clock cycles of the sequential radix-2 divider for a quotient of {@code quotientBits} bits. */
    public static int divideCycles(int quotientBits) {
        return quotientBits;
    }

    /**
     * {@code floor(sqrt(v))} for {@code 0 <= v < 2^62}, by {@link #isqrt(long, int)} with a 62-bit
     * operand (the result does not depend on the operand width as long as {@code v} fits).
     */
    public static long isqrt(long v) {
        return isqrt(v, MAX_SQRT_BITS);
    }

    /**
     * {@code floor(sqrt(v))} by the bit-by-bit restoring method the hardware uses, for
     * {@code 0 <= v < 2^operandBits}: {@link #isqrtCycles}{@code (operandBits)} iterations, each
     * deciding one result bit with one subtraction and a compare (no multiplier).
     */
    public static long isqrt(long v, int operandBits) {
        if (operandBits < 1 || operandBits > MAX_SQRT_BITS) {
            throw new IllegalArgumentException("square root operand width " + operandBits + " not in 1.." + MAX_SQRT_BITS);
        }
        if (v < 0 || 64 - Long.numberOfLeadingZeros(v) > operandBits) {
            throw new IllegalArgumentException("square root operand " + v + " not in 0..2^" + operandBits + "-1");
        }
        int iterations = isqrtCycles(operandBits);
        long bit = 1L << (2 * (iterations - 1)); // highest power of four the operand can hold
        long rem = v;
        long res = 0;
        for (int i = 0; i < iterations; i++) {
            long trial = res + bit;
            if (rem >= trial) {
                rem -= trial;
                res = (res >> 1) + bit;
            } else {
                res >>= 1;
            }
            bit >>= 2;
        }
        return res;
    }

    /** Clock cycles (= iterations = result bits) of the restoring square root of an operand width. */
    public static int isqrtCycles(int operandBits) {
        return (operandBits + 1) / 2;
    }

    /** Bits of an unsigned integer holding {@code 0..max}; at least 1. */
    public static int unsignedBits(long max) {
        if (max < 0) throw new IllegalArgumentException("unsigned maximum " + max + " < 0");
        return Math.max(1, 64 - Long.numberOfLeadingZeros(max));
    }

    /** Bits of a two's complement integer holding {@code lo..hi}; at least 1. */
    public static int signedBits(long lo, long hi) {
        if (lo > hi) throw new IllegalArgumentException("empty range " + lo + ".." + hi);
        int mag = Math.max(magnitudeBits(lo), magnitudeBits(hi));
        return mag + 1;
    }

    /** Unsigned width if {@code lo >= 0}, otherwise signed width: the natural width of a range. */
    public static int bits(long lo, long hi) {
        return lo >= 0 ? unsignedBits(hi) : signedBits(lo, hi);
    }

    private static int magnitudeBits(long v) {
        return 64 - Long.numberOfLeadingZeros(v < 0 ? ~v : v);
    }

    /**
     * Compile-time rounding of a real constant to the nearest integer, ties to even (as the float
     * reference). Throws if the value is not finite or does not fit {@code |v| < 2^62}.
     */
    public static long nearest(double v) {
        if (!Double.isFinite(v) || Math.abs(v) >= 0x1p62) {
            throw new IllegalArgumentException("constant " + v + " does not fit a 62-bit integer");
        }
        return (long) Math.rint(v);
    }

    static void checkBits(int bits) {
        if (bits < 1 || bits > 63) throw new IllegalArgumentException("integer width " + bits + " not in 1..63");
    }
}
