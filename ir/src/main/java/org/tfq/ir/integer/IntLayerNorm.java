package org.tfq.ir.integer;

import org.tfq.ir.IntType;

/**
 * Integer LayerNorm over the last axis of {@code n} codes: exact integer mean and variance, one
 * restoring square root and one rounding division per element. It exists because LayerNorm is
 * what ONNX Transformers use (the reference design replaced it by BatchNorm only to avoid the
 * square root and division, which a sequential radix-2 unit does in a few dozen cycles).
 *
 * <p>LayerNorm is invariant to the input zero point and, except for epsilon, to the input scale,
 * so the codes are used as they are and the input scale only enters the epsilon constant.
 * Semantics, per row {@code x_0 .. x_{n-1}}:
 * <pre>
 *   s       = sum_i x_i
 *   d_i     = n x_i - s                                exact; = n (x_i - mean)
 *   V       = sum_i d_i^2                              = n^3 var (codes^2), exact
 *   R       = V 2^(2p) + E,   E = round(eps n^3 2^(2p) / S_in^2)   (saturated, see below)
 *   sigma   = max(1, isqrt(R))                         ~ 2^p n^1.5 sqrt(var + eps/S_in^2)
 *   Q_i     = divRound(d_i G_i, sigma)                 G_i = round(gamma_i sqrt(n) 2^(p+g) / S_out)
 *   q_i     = saturate(Z_out + roundShift(Q_i + B_i, g))      B_i = round(beta_i 2^g / S_out)
 * </pre>
 * so that {@code Q_i / 2^g ~ gamma_i (x_i - mean) / sqrt(var + eps) / S_out}. Both run-time
 * roundings are half up ({@link IntMath}); the constants are rounded to nearest. {@code sigma = 0}
 * only when {@code V = E = 0}, i.e. a constant row with negligible epsilon, where every
 * {@code d_i = 0}; it is replaced by 1 so the divider never sees 0 and the row gives {@code beta}.
 *
 * <p>The engine's form (what {@link #apply} computes, and the engine template, the scheduler's
 * divider widths and the resource model's products follow): one division per element of
 * {@link #engineDividend}{@code (d_i, G_i, B_i, sigma) = d_i G_i + B_i sigma} by {@code sigma}.
 * Since {@code divRound} rounds half up, {@code divRound(d G + B sigma, sigma) = divRound(d G, sigma) + B}
 * exactly, so beta rides through the one division and needs no adder behind it. Its widths:
 * {@link #engineDividendBits}, {@link #sigmaBits}, {@link #engineQuotientBits}.
 *
 * <p>Why {@code p}: {@code isqrt} truncates, a relative error up to {@code 1/sigma}. Scaling the
 * radicand by {@code 4^p} gives {@code sigma} {@code p} extra bits; {@code p} is the smallest with
 * {@code 2^p sqrt(n(n-1) + eps n^3 / S_in^2) >= 8A + 1}, where {@code n(n-1)} is the smallest
 * non-zero {@code V} of integer codes and {@code A = max|gamma| sqrt(n-1) / S_out} bounds the gamma term in codes, so the
 * square root costs at most 1/8 code. Why {@code g} (default 8): beta and the quotient are kept
 * with {@code g} fraction bits and rounded once at the end, so beta costs no extra rounding and no
 * second multiplier. Total pre-rounding error: {@link #errorBoundCodes} (about 0.13 code), hence
 * at most one code from float LayerNorm quantized to the same output.
 *
 * <p>Epsilon saturation: if {@code V_max 2^(2p) + E} would exceed {@code 2^62 - 1}, {@code p} is
 * lowered; if that does not suffice at {@code p = 0}, {@code E} saturates at
 * {@code 2^62 - 1 - V_max} (the outputs are then essentially beta, and the bound accounts for it).
 *
 * <p>Widths (accessors below; {@code V_max = floor(n^3 (hi - lo)^2 / 4)} over the input range):
 * for 8-bit inputs, {@code n = 64}, {@code gamma / S_out = 32}, {@code S_in = 0.5}, {@code eps = 1e-5}:
 * {@code p = 5}; {@code s} 14 bits; {@code d_i} 15 bits signed; {@code V} 32 bits; radicand 42
 * bits; {@code sigma} 21 bits (21 square-root cycles, once per row); {@code G_i} 23 bits signed;
 * {@code d_i G_i} 38 bits; quotient {@code Q_i} 17 bits signed (about 17 divider cycles per
 * element: {@code g} trades divider cycles for accuracy). For {@code n = 256} the radicand grows
 * to about 48 bits.
 */
public final class IntLayerNorm {

    /** Fraction bits {@code g} of beta and the quotient when none are given. */
    public static final int DEFAULT_FRAC_BITS = 8;

    private final int n;
    private final int inBits;
    private final boolean inSigned;
    private final int p;
    private final int g;
    private final long epsilonTerm;
    private final boolean epsilonSaturated;
    private final long[] gammaConst;
    private final long[] betaConst;
    private final long outZeroPoint;
    private final int outBits;
    private final boolean outSigned;
    private final long vMax;
    private final int radicandBits;
    private final double errorBound;

    private IntLayerNorm(int n, int inBits, boolean inSigned, int p, int g, long epsilonTerm, boolean epsilonSaturated,
            long[] gammaConst, long[] betaConst, long outZeroPoint, int outBits, boolean outSigned, long vMax,
            int radicandBits, double errorBound) {
        this.n = n;
        this.inBits = inBits;
        this.inSigned = inSigned;
        this.p = p;
        this.g = g;
        this.epsilonTerm = epsilonTerm;
        this.epsilonSaturated = epsilonSaturated;
        this.gammaConst = gammaConst;
        this.betaConst = betaConst;
        this.outZeroPoint = outZeroPoint;
        this.outBits = outBits;
        this.outSigned = outSigned;
        this.vMax = vMax;
        this.radicandBits = radicandBits;
        this.errorBound = errorBound;
    }

    /** LayerNorm of codes of type {@code in} to codes of type {@code out}; {@code n = gamma.length}. */
    public static IntLayerNorm of(IntType in, double[] gamma, double[] beta, double epsilon, IntType out) {
        return of(in.scale(), in.bits(), in.signed(), gamma, beta, epsilon, out.scale(), out.zeroPoint(), out.bits(),
                out.signed(), DEFAULT_FRAC_BITS);
    }

    public static IntLayerNorm of(double inScale, int inBits, boolean inSigned, double[] gamma, double[] beta,
            double epsilon, double outScale, long outZeroPoint, int outBits, boolean outSigned, int fracBits) {
        int n = gamma.length;
        if (n < 1 || beta.length != n) throw new IllegalArgumentException("layernorm gamma " + n + " and beta " + beta.length + " must be equal, >= 1");
        if (!(inScale > 0) || Double.isInfinite(inScale)) throw new IllegalArgumentException("layernorm input scale " + inScale);
        if (!(outScale > 0) || Double.isInfinite(outScale)) throw new IllegalArgumentException("layernorm output scale " + outScale);
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("layernorm epsilon " + epsilon);
        if (inBits < 1 || inBits > 24) throw new IllegalArgumentException("layernorm input width " + inBits + " not in 1..24");
        if (fracBits < 0 || fracBits > 30) throw new IllegalArgumentException("layernorm fraction bits " + fracBits);
        IntMath.checkBits(outBits);
        if (outZeroPoint < IntMath.min(outBits, outSigned) || outZeroPoint > IntMath.max(outBits, outSigned)) {
            throw new IllegalArgumentException("output zero point " + outZeroPoint + " outside " + outBits + "-bit range");
        }
        double maxGamma = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(gamma[i]) || !Double.isFinite(beta[i])) throw new IllegalArgumentException("layernorm gamma/beta " + i + " not finite");
            maxGamma = Math.max(maxGamma, Math.abs(gamma[i]));
        }
        long span = IntMath.max(inBits, inSigned) - IntMath.min(inBits, inSigned);
        // V <= n^2 * n (hi-lo)^2 / 4 (all codes at the two ends); exact in BigInteger-free long for n <= 2^12, 24 bits
        double vMaxReal = (double) n * n * n * span * span / 4;
        if (vMaxReal >= 0x1p61) throw new IllegalArgumentException("layernorm of " + n + " " + inBits + "-bit codes exceeds 61-bit variance");
        long vMax = Math.multiplyExact(Math.multiplyExact((long) n * n * n, span), span) / 4;
        long vMin = (long) n * (n - 1); // smallest non-zero V of integer codes
        double a = maxGamma * Math.sqrt(n - 1.0) / outScale;
        double epsReal = epsilon * n * n * n / (inScale * inScale);
        int p = 0;
        if (vMin > 0) {
            // smallest non-zero radicand is (n(n-1) + eps n^3 / S_in^2) 4^p
            while (Math.scalb(Math.sqrt(vMin + epsReal), p) < 8 * a + 1) p++;
        }
        while (p > 0 && (64 - Long.numberOfLeadingZeros(vMax) + 2 * p > 61 || Math.scalb(epsReal, 2 * p) >= 0x1p61)) p--;
        long vScaled = vMax << (2 * p);
        long eCap = Long.MAX_VALUE / 2 - vScaled; // V 2^(2p) + E <= 2^62 - 1
        double eReal = Math.scalb(epsReal, 2 * p);
        boolean saturated = !(eReal <= eCap);
        long e = saturated ? eCap : Math.min(eCap, IntMath.nearest(eReal));
        int radicandBits = IntMath.unsignedBits(vScaled + e);

        double sqrtN = Math.sqrt(n);
        long[] gc = new long[n];
        long[] bc = new long[n];
        long maxG = 0;
        for (int i = 0; i < n; i++) {
            gc[i] = IntMath.nearest(Math.scalb(gamma[i] * sqrtN / outScale, p + fracBits));
            bc[i] = IntMath.nearest(Math.scalb(beta[i] / outScale, fracBits));
            maxG = Math.max(maxG, Math.abs(gc[i]));
        }
        long maxD = (n - 1) * span;
        if (64 - Long.numberOfLeadingZeros(maxD) + 64 - Long.numberOfLeadingZeros(maxG) > 62) {
            throw new IllegalArgumentException("layernorm d_i * G_i exceeds 62 bits: gamma / S_out too large");
        }

        // pre-rounding error in output codes
        long radMin = (vMin << (2 * p)) + e;
        long sigmaMin = IntMath.isqrt(radMin);
        double bound = Math.scalb(1.0, -fracBits) // divRound + beta constant, 1/2 each
                + 0.5 * Math.scalb(1.0, -(p + fracBits)) * 1.01; // G_i rounding, |d_i| / sigma <= 2^-p
        if (sigmaMin > 0) {
            bound += a / sigmaMin; // isqrt truncation
            bound += a * 0.25 / radMin; // E rounding
        }
        if (saturated) {
            // the gamma term is at most A' = max|gamma| sqrt(n) |d| / sqrt(R) / S_out <= max|gamma| sqrt(n V_max / E) / S_out
            bound += maxGamma * Math.sqrt(n * (double) vMax / e) / outScale;
        }
        return new IntLayerNorm(n, inBits, inSigned, p, fracBits, e, saturated, gc, bc, outZeroPoint, outBits, outSigned,
                vMax, radicandBits, bound);
    }

    /** The output codes of one row of {@code n} input codes. */
    public long[] apply(long[] x) {
        if (x.length != n) throw new IllegalArgumentException("layernorm row of " + x.length + " elements, expected " + n);
        long lo = IntMath.min(inBits, inSigned);
        long hi = IntMath.max(inBits, inSigned);
        long s = 0;
        for (long v : x) {
            if (v < lo || v > hi) throw new IllegalArgumentException("layernorm input " + v + " outside " + inBits + "-bit codes");
            s += v;
        }
        long[] d = new long[n];
        long var = 0;
        for (int i = 0; i < n; i++) {
            d[i] = n * x[i] - s;
            var += d[i] * d[i];
        }
        long sigma = Math.max(1, IntMath.isqrt((var << (2 * p)) + epsilonTerm, radicandBits));
        long[] q = new long[n];
        for (int i = 0; i < n; i++) {
            long quotient = IntMath.divRound(engineDividend(d[i], gammaConst[i], betaConst[i], sigma), sigma);
            q[i] = IntMath.saturate(outZeroPoint + IntMath.roundShift(quotient, g), outBits, outSigned);
        }
        return q;
    }

    /** The dividend of element {@code d} of a row: {@code d G + B sigma} (the class comment says why). */
    public static long engineDividend(long d, long gamma, long beta, long sigma) {
        return Math.addExact(Math.multiplyExact(d, gamma), Math.multiplyExact(beta, sigma));
    }

    /** Signed width of {@link #engineDividend} over every row: {@code |d| <= 2^(diffBits-1)}, {@code sigma < 2^sigmaBits}. */
    public int engineDividendBits() {
        long maxD = 1L << (diffBits() - 1), maxSigma = (1L << sigmaBits()) - 1;
        long num = Math.addExact(Math.multiplyExact(maxD, maxAbs(gammaConst)), Math.multiplyExact(maxAbs(betaConst), maxSigma));
        return IntMath.unsignedBits(num) + 1;
    }

    /** Width of the engine's quotient {@code Q_i + B_i} (with its sign bit added by the divider: {@code |Q_i| < 2^quotientBits}). */
    public int engineQuotientBits() {
        return IntMath.unsignedBits(Math.addExact(1L << quotientBits(), maxAbs(betaConst)));
    }

    private static long maxAbs(long[] values) {
        long m = 0;
        for (long v : values) m = Math.max(m, Math.abs(v));
        return m;
    }

    public int length() {
        return n;
    }

    /** {@code p}: the radicand is scaled by {@code 2^(2p)}. */
    public int sqrtShift() {
        return p;
    }

    /** {@code g}: fraction bits of {@code G_i}, {@code B_i} and the quotient. */
    public int fracBits() {
        return g;
    }

    /** {@code E}, the epsilon term added to the scaled variance. */
    public long epsilonTerm() {
        return epsilonTerm;
    }

    /** Whether {@code E} was saturated (epsilon enormous relative to the input scale). */
    public boolean epsilonSaturated() {
        return epsilonSaturated;
    }

    /** {@code G_i = round(gamma_i sqrt(n) 2^(p+g) / S_out)}. */
    public long[] gammaConstants() {
        return gammaConst.clone();
    }

    /** {@code B_i = round(beta_i 2^g / S_out)}. */
    public long[] betaConstants() {
        return betaConst.clone();
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

    /** Width of {@code s} (signed if the input is). */
    public int sumBits() {
        return new IntRange(IntMath.min(inBits, inSigned), IntMath.max(inBits, inSigned)).sumOf(n).bits();
    }

    /** Signed width of {@code d_i}: {@code |d_i| <= (n-1)(hi-lo)}. */
    public int diffBits() {
        long maxD = (n - 1) * (IntMath.max(inBits, inSigned) - IntMath.min(inBits, inSigned));
        return IntMath.signedBits(-maxD, maxD);
    }

    /** Unsigned width of {@code V}. */
    public int varianceBits() {
        return IntMath.unsignedBits(vMax);
    }

    /** Unsigned width of the radicand {@code V 2^(2p) + E}: the square-root operand. */
    public int radicandBits() {
        return radicandBits;
    }

    /** Width of {@code sigma} = square-root cycles. */
    public int sigmaBits() {
        return IntMath.isqrtCycles(radicandBits);
    }

    /** Signed width of the {@code G_i}. */
    public int gammaBits() {
        long m = 0;
        for (long v : gammaConst) m = Math.max(m, Math.abs(v));
        return IntMath.signedBits(-m, m);
    }

    /** Signed width of the dividend {@code d_i G_i} (plus 1 for adding {@code floor(sigma/2)}). */
    public int productBits() {
        return diffBits() + gammaBits();
    }

    /** Signed width of the quotient {@code Q_i}: {@code |Q_i| <= max|G_i| 2^-p sqrt((n-1)/n) (1 + 1/sigma_min) + 1}. */
    public int quotientBits() {
        long m = 0;
        for (long v : gammaConst) m = Math.max(m, Math.abs(v));
        if (n == 1) return 1;
        long sigmaMin = Math.max(2, IntMath.isqrt((long) n * (n - 1) << (2 * p)));
        double q = Math.scalb((double) m, -p) * Math.sqrt((n - 1.0) / n) * sigmaMin / (sigmaMin - 1.0) + 1;
        long qm = (long) Math.ceil(q);
        return IntMath.signedBits(-qm, qm);
    }

    /** Bound, in output codes, on the pre-rounding error against float LayerNorm; below 1 means within 1 code. */
    public double errorBoundCodes() {
        return errorBound;
    }

    /** By content, so that an op read back from the text IR ({@code org.tfq.ir.TextParser}) equals the one written. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IntLayerNorm l && n == l.n && inBits == l.inBits && inSigned == l.inSigned && p == l.p && g == l.g
                && epsilonTerm == l.epsilonTerm && epsilonSaturated == l.epsilonSaturated && java.util.Arrays.equals(gammaConst, l.gammaConst)
                && java.util.Arrays.equals(betaConst, l.betaConst) && outZeroPoint == l.outZeroPoint && outBits == l.outBits
                && outSigned == l.outSigned && vMax == l.vMax && radicandBits == l.radicandBits
                && Double.compare(errorBound, l.errorBound) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(gammaConst) * 31 + java.util.Arrays.hashCode(betaConst);
    }
}
