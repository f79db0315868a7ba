package org.tfq.ir.integer;

import org.tfq.ir.IntType;

/**
 * Integer softmax over a row of {@code b_in}-bit input codes, as the reference design does it
 * (row maximum subtracted, an exponential table, a sequential radix-2 divider), with one rounding.
 *
 * <p>Semantics, per row {@code x_0 .. x_{n-1}} ({@code 1 <= n <= rowLength}):
 * <pre>
 *   d_i = max_j x_j - x_i                    0 <= d_i <= 2^b_in - 1 (the zero point cancels)
 *   e_i = EXP[d_i]                           EXP[k] = round(2^F exp(-S_in k)), ties to even;
 *                                            EXP[0] = 2^F, entries may round to 0
 *   T   = sum_i e_i                          T >= 2^F > 0
 *   q_i = saturate(Z_out + divRound(e_i K, T 2^k))
 *       = saturate(Z_out + floor((e_i K + T 2^(k-1)) / (T 2^k)))   (round half up; k >= 1)
 * </pre>
 * A row may keep only its first {@code m} elements ({@code 1 <= m <= n}, a causal mask): the
 * others count as {@code -inf}, so the maximum and {@code T} run over {@code i < m} and
 * {@code e_i = 0} for {@code i >= m}, whose outputs are {@code q_i = saturate(Z_out)} (the code of 0).
 *
 * <p>with {@code K = round(2^k / S_out)} normalised to {@code kBits} (default 16) bits, so that
 * {@code e_i K / (T 2^k)} approximates {@code (e_i / T) / S_out}.
 *
 * <p>Why one division per element rather than one reciprocal per row: the quotient is the output
 * code itself, rounded once, so the result is the float softmax rounded to the output grid except
 * where that lies within {@link #errorBoundCodes} of a rounding boundary (at most 1/2 by the
 * default {@code F}: within one code); a per-row reciprocal would round twice and need a wider
 * multiplier. The divider only produces {@link #quotientBits} (about {@code b_out + 1}) quotient
 * bits, so an element costs that many cycles; {@code T 2^k} is {@code T} with {@code k} zero bits
 * appended (wiring), and {@code T 2^(k-1)} likewise.
 *
 * <p>Choice of {@code F} (when not given): the smallest {@code F >= 8} for which the table
 * rounding error {@code (n + 1) / (2^(F+1) S_out)} codes is at most a bound, 1/2 by default
 * (derivation: with {@code |e_i - 2^F exp(..)| <= 1/2} and {@code T >= 2^F},
 * {@code |e_i/T - p_i| <= (1/2 + p_i n/2) / T <= (n+1) / 2^(F+1)}). For {@code n <= 64} and an
 * 8-bit output with {@code S_out = 1/255} this gives {@code F = 15} (16-bit entries); shorter
 * rows need fewer bits ({@code F = 13} for {@code n = 24}). A model trained with a float softmax
 * (QAT) rounds the float value: {@link #MATCHES_FLOAT_CODES} asks that the codes equal its
 * codes but within 1/64 code of a boundary (measured on PyTorch FX QAT at 6 bits: 1/2 flipped
 * 0.7% of the softmax's codes against ONNX Runtime and moved the forecast's RMSE by 2%; 1/64
 * none; {@code F} 5 or 6 bits larger).
 *
 * <p>Widths (all unsigned), accessors below; e.g. {@code n = 64}, {@code b_in = 8}, 8-bit
 * unsigned output with {@code S_out = 1/255} ({@code F = 15}, {@code k = 8}, {@code K = 65280}):
 * index {@code d_i}: {@code b_in} = 8 bits; table entries {@code F + 1} = 16 bits,
 * {@code 2^b_in} entries (only {@link #nonZeroEntries} are non-zero: the engine stores those and
 * one zero); {@code T}: {@code F + 1 + ceil(log2 n)} = 22 bits; {@code e_i K}:
 * {@code F + kBits} = 31 bits; dividend {@code e_i K + T 2^(k-1)}: 32 bits; divisor
 * {@code T 2^k}: 30 bits; quotient {@code bits(round(K / 2^k))} = 8 bits, i.e. 8 divider cycles
 * per element.
 */
public final class IntSoftmax {

    /** Bound, in output codes, on the table's rounding error of the default {@code F}: within one code. */
    public static final double WITHIN_ONE_CODE = 0.5;

    /** A bound for outputs that should equal the float softmax's rounded codes (see above). */
    public static final double MATCHES_FLOAT_CODES = 1.0 / 64;

    /** Bits of the output constant {@code K} when none are given. */
    public static final int DEFAULT_K_BITS = 16;

    private final int inBits;
    private final int rowLength;
    private final int fracBits;
    private final long[] exp;
    private final long k;
    private final int kShift;
    private final long outZeroPoint;
    private final int outBits;
    private final boolean outSigned;
    private final double outScale;

    private IntSoftmax(int inBits, int rowLength, int fracBits, long[] exp, long k, int kShift, long outZeroPoint,
            int outBits, boolean outSigned, double outScale) {
        this.inBits = inBits;
        this.rowLength = rowLength;
        this.fracBits = fracBits;
        this.exp = exp;
        this.k = k;
        this.kShift = kShift;
        this.outZeroPoint = outZeroPoint;
        this.outBits = outBits;
        this.outSigned = outSigned;
        this.outScale = outScale;
    }

    /** Softmax of rows of at most {@code rowLength} codes of scale {@code inScale}, {@code F} chosen as above. */
    public static IntSoftmax of(double inScale, int inBits, int rowLength, IntType out) {
        return of(inScale, inBits, rowLength, out.scale(), out.zeroPoint(), out.bits(), out.signed());
    }

    public static IntSoftmax of(double inScale, int inBits, int rowLength, double outScale, long outZeroPoint,
            int outBits, boolean outSigned) {
        return of(inScale, inBits, rowLength, outScale, outZeroPoint, outBits, outSigned,
                fracBits(rowLength, outScale, WITHIN_ONE_CODE), DEFAULT_K_BITS);
    }

    /** Softmax whose table's rounding error is at most {@code errorCodes} output codes ({@code F} chosen as above). */
    public static IntSoftmax of(double inScale, int inBits, int rowLength, IntType out, double errorCodes) {
        return of(inScale, inBits, rowLength, out.scale(), out.zeroPoint(), out.bits(), out.signed(),
                fracBits(rowLength, out.scale(), errorCodes), DEFAULT_K_BITS);
    }

    /** {@code F} as chosen above for rows of at most {@code rowLength}, output scale {@code outScale} and the error bound. */
    public static int fracBits(int rowLength, double outScale, double errorCodes) {
        checkScale(outScale, "output");
        int f = 8;
        while ((rowLength + 1.0) / Math.scalb(outScale, f + 1) > errorCodes) {
            if (++f > 30) throw new IllegalArgumentException("softmax output scale " + outScale + " too fine for a 31-bit table");
        }
        return f;
    }

    /** Fully explicit: table fraction bits {@code fracBits} (1..30) and {@code kBits} (2..31) bits of {@code K}. */
    public static IntSoftmax of(double inScale, int inBits, int rowLength, double outScale, long outZeroPoint,
            int outBits, boolean outSigned, int fracBits, int kBits) {
        checkScale(inScale, "input");
        checkScale(outScale, "output");
        if (inBits < 1 || inBits > 16) throw new IllegalArgumentException("softmax input width " + inBits + " not in 1..16");
        if (rowLength < 1 || rowLength > (1 << 20)) throw new IllegalArgumentException("softmax row length " + rowLength);
        if (fracBits < 1 || fracBits > 30) throw new IllegalArgumentException("softmax table fraction bits " + fracBits);
        if (kBits < 2 || kBits > 31) throw new IllegalArgumentException("softmax constant width " + kBits);
        IntMath.checkBits(outBits);
        if (outZeroPoint < IntMath.min(outBits, outSigned) || outZeroPoint > IntMath.max(outBits, outSigned)) {
            throw new IllegalArgumentException("output zero point " + outZeroPoint + " outside " + outBits + "-bit range");
        }
        long[] exp = new long[1 << inBits];
        for (int i = 0; i < exp.length; i++) exp[i] = IntMath.nearest(Math.scalb(Math.exp(-inScale * i), fracBits));
        // K = round(2^k / S_out) with its top bit at kBits - 1 (k >= 0)
        double inv = 1.0 / outScale;
        int kShift = Math.max(0, kBits - 1 - Math.getExponent(inv));
        if (kShift > IntMath.MAX_SHIFT - 1) throw new IllegalArgumentException("softmax output scale " + outScale + " too large");
        long k = IntMath.nearest(Math.scalb(inv, kShift));
        IntSoftmax s = new IntSoftmax(inBits, rowLength, fracBits, exp, k, kShift, outZeroPoint, outBits, outSigned, outScale);
        if (s.dividendBits() > 62 || s.divisorBits() > 62) {
            throw new IllegalArgumentException("softmax intermediates exceed 62 bits");
        }
        return s;
    }

    private static void checkScale(double s, String what) {
        if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("softmax " + what + " scale " + s + " must be finite and > 0");
    }

    /** The output codes of one row (its length 1..rowLength). */
    public long[] apply(long[] row) {
        return apply(row, row.length);
    }

    /** The output codes of one row whose first {@code valid} elements are kept (1..row length) and the rest masked. */
    public long[] apply(long[] row, int valid) {
        int n = row.length;
        if (n < 1 || n > rowLength) throw new IllegalArgumentException("softmax row of " + n + " elements, expected 1.." + rowLength);
        if (valid < 1 || valid > n) throw new IllegalArgumentException("softmax row keeps " + valid + " of " + n + " elements, expected 1.." + n);
        long max = row[0];
        for (int i = 0; i < valid; i++) max = Math.max(max, row[i]);
        long[] e = new long[n];
        long t = 0;
        for (int i = 0; i < valid; i++) {
            long d = max - row[i];
            if (d >= exp.length) {
                throw new IllegalArgumentException("softmax input spread " + d + " exceeds " + inBits + "-bit codes");
            }
            e[i] = exp[(int) d];
            t += e[i];
        }
        long den = t << kShift;
        long[] q = new long[n];
        for (int i = 0; i < n; i++) {
            q[i] = IntMath.saturate(outZeroPoint + IntMath.divRound(e[i] * k, den), outBits, outSigned);
        }
        return q;
    }

    /** The exponential table, indexed by {@code d = max - x} ({@code 2^b_in} entries): the .mem contents. */
    public long[] table() {
        return exp.clone();
    }

    /** Entries before the first zero: a table that short plus "index out of range gives 0" is equivalent. */
    public int nonZeroEntries() {
        int i = 0;
        while (i < exp.length && exp[i] != 0) i++;
        return i;
    }

    public int inBits() {
        return inBits;
    }

    public int rowLength() {
        return rowLength;
    }

    /** {@code F}: {@code EXP[0] = 2^F}. */
    public int fracBits() {
        return fracBits;
    }

    /** {@code K = round(2^k / S_out)}. */
    public long outMultiplier() {
        return k;
    }

    /** {@code k}, the shift of {@code K}. */
    public int outShift() {
        return kShift;
    }

    public long outZeroPoint() {
        return outZeroPoint;
    }

    public int outBits() {
        return outBits;
    }

    public boolean outSigned() {
        return outSigned;
    }

    /** Width of a table entry ({@code F + 1}: {@code EXP[0] = 2^F}). */
    public int expBits() {
        return IntMath.unsignedBits(exp[0]);
    }

    /** Width of {@code T} for a full row. */
    public int sumBits() {
        return IntMath.unsignedBits(exp[0] * rowLength);
    }

    /** Width of {@code e_i K}. */
    public int productBits() {
        return IntMath.unsignedBits(exp[0] * k);
    }

    /** Width of the dividend {@code e_i K + floor(T 2^k / 2)}. */
    public int dividendBits() {
        return IntMath.unsignedBits(Math.addExact(Math.multiplyExact(exp[0], k),
                Math.multiplyExact(exp[0] * rowLength, 1L << kShift) >> 1));
    }

    /** Width of the divisor {@code T 2^k}. */
    public int divisorBits() {
        return sumBits() + kShift;
    }

    /** Width of the quotient ({@code e_i = T} gives the largest, {@code round(K / 2^k)}): divider cycles per element. */
    public int quotientBits() {
        return IntMath.unsignedBits(IntMath.roundShift(k, kShift));
    }

    /**
     * Bound, in output codes, on {@code |e_i K / (T 2^k) - p_i / S_out|} for a full row: table
     * rounding {@code (n+1) / (2^(F+1) S_out)} plus {@code |K 2^-k - 1/S_out|}. Below 1, the
     * output is within one code of the float softmax quantized the same way.
     */
    public double errorBoundCodes() {
        return (rowLength + 1.0) / Math.scalb(outScale, fracBits + 1) + Math.abs(Math.scalb((double) k, -kShift) - 1.0 / outScale);
    }

    /** By content, so that an op read back from the text IR ({@code org.tfq.ir.TextParser}) equals the one written. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IntSoftmax s && inBits == s.inBits && rowLength == s.rowLength && fracBits == s.fracBits
                && java.util.Arrays.equals(exp, s.exp) && k == s.k && kShift == s.kShift && outZeroPoint == s.outZeroPoint
                && outBits == s.outBits && outSigned == s.outSigned && Double.compare(outScale, s.outScale) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(exp) * 31 + Long.hashCode(k);
    }
}
