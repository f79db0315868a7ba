package org.tfq.ir;

/**
 * An integer element of {@code bits} bits; the real value it stands for is
 * {@code scale * (q - zeroPoint)}. A scale of 0 marks a raw integer with no real meaning
 * (accumulators before requantization carry the product scale instead).
 */
public record IntType(int bits, boolean signed, double scale, long zeroPoint) implements ElementType {

    public IntType {
        if (bits < 1 || bits > 48) throw new IllegalArgumentException("integer width " + bits + " not in 1..48");
        if (scale < 0 || Double.isNaN(scale) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale " + scale + " must be finite and >= 0");
        }
        if (zeroPoint < min(bits, signed) || zeroPoint > max(bits, signed)) {
            throw new IllegalArgumentException("zero point " + zeroPoint + " outside " + bits + "-bit range");
        }
    }

    public static long min(int bits, boolean signed) {
        return signed ? -(1L << (bits - 1)) : 0;
    }

    public static long max(int bits, boolean signed) {
        return signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
    }

    public long min() {
        return min(bits, signed);
    }

    public long max() {
        return max(bits, signed);
    }

    @Override
    public String toString() {
        String base = (signed ? "i" : "u") + bits;
        return scale == 0 ? base : base + "(s=" + Fmt.num(scale) + ",z=" + zeroPoint + ")";
    }
}
