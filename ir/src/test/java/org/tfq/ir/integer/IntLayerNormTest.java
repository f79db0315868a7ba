package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IntLayerNormTest {

    /** One configuration: input and output quantization, gamma, beta, epsilon. */
    record Config(double inScale, long inZero, int inBits, boolean inSigned, double[] gamma, double[] beta, double eps,
            double outScale, long outZero, int outBits, boolean outSigned) {
        IntLayerNorm build() {
            return IntLayerNorm.of(inScale, inBits, inSigned, gamma, beta, eps, outScale, outZero, outBits, outSigned,
                    IntLayerNorm.DEFAULT_FRAC_BITS);
        }

        /** Float LayerNorm (double) of the dequantized row, quantized to the output, ties to even. */
        long[] reference(long[] x) {
            int n = x.length;
            double[] v = new double[n];
            double mean = 0;
            for (int i = 0; i < n; i++) {
                v[i] = inScale * (x[i] - inZero);
                mean += v[i];
            }
            mean /= n;
            double var = 0;
            for (double a : v) var += (a - mean) * (a - mean);
            var /= n;
            long[] q = new long[n];
            for (int i = 0; i < n; i++) {
                double y = (v[i] - mean) / Math.sqrt(var + eps) * gamma[i] + beta[i];
                q[i] = IntMath.saturate((long) Math.rint(y / outScale) + outZero, outBits, outSigned);
            }
            return q;
        }
    }

    static Config random(Random r, int inBits, int n, double eps) {
        boolean inSigned = r.nextBoolean();
        long inZero = IntMath.min(inBits, inSigned) + r.nextInt(1 << inBits);
        double inScale = Math.scalb(0.5 + r.nextDouble(), -r.nextInt(8));
        double[] gamma = new double[n];
        double[] beta = new double[n];
        double maxG = 0;
        double maxB = 0;
        for (int i = 0; i < n; i++) {
            gamma[i] = (r.nextBoolean() ? 1 : -1) * (0.1 + 1.9 * r.nextDouble());
            beta[i] = 2 * r.nextDouble() - 1;
            maxG = Math.max(maxG, Math.abs(gamma[i]));
            maxB = Math.max(maxB, Math.abs(beta[i]));
        }
        int outBits = 4 + r.nextInt(5);
        boolean outSigned = r.nextBoolean();
        // output range about +-3 gamma + beta, sometimes narrower so saturation is exercised
        double range = (r.nextInt(4) == 0 ? 1.5 : 3) * maxG + maxB;
        double outScale = 2 * range / ((1 << outBits) - 1);
        long outZero = outSigned ? r.nextInt(5) - 2 : (1L << (outBits - 1)) + r.nextInt(5) - 2;
        return new Config(inScale, inZero, inBits, inSigned, gamma, beta, eps, outScale, outZero, outBits, outSigned);
    }

    /** Rows of several shapes: full range, narrow (1..3 codes, small variance), one outlier, two values. */
    static long[] row(Random r, Config c, int n) {
        long lo = IntMath.min(c.inBits(), c.inSigned());
        long hi = IntMath.max(c.inBits(), c.inSigned());
        long[] x = new long[n];
        int kind = r.nextInt(4);
        long centre = lo + (long) (r.nextDouble() * (hi - lo + 1));
        for (int i = 0; i < n; i++) {
            x[i] = switch (kind) {
                case 0 -> lo + (long) (r.nextDouble() * (hi - lo + 1));
                case 1 -> Math.max(lo, Math.min(hi, centre + r.nextInt(4) - 1));
                case 2 -> centre;
                default -> r.nextBoolean() ? lo : hi;
            };
        }
        if (kind == 2) x[r.nextInt(n)] = r.nextBoolean() ? lo : hi;
        return x;
    }

    @Test
    void randomRowsAreWithinOneCodeOfFloatLayerNorm() {
        Random r = new Random(30);
        long worst = 0;
        long exact = 0;
        long total = 0;
        double maxBound = 0;
        for (int inBits = 4; inBits <= 8; inBits++) {
            for (int n : new int[] {16, 24, 32, 48, 64}) {
                for (int trial = 0; trial < 8; trial++) {
                    Config c = random(r, inBits, n, 1e-5);
                    IntLayerNorm ln = c.build();
                    maxBound = Math.max(maxBound, ln.errorBoundCodes());
                    assertTrue(ln.errorBoundCodes() < 0.5, "bound " + ln.errorBoundCodes());
                    for (int k = 0; k < 60; k++) {
                        long[] x = row(r, c, n);
                        long[] q = ln.apply(x);
                        long[] f = c.reference(x);
                        for (int i = 0; i < n; i++) {
                            long d = Math.abs(q[i] - f[i]);
                            worst = Math.max(worst, d);
                            if (d == 0) exact++;
                            total++;
                        }
                    }
                }
            }
        }
        System.out.printf("layernorm random: max |q - q_float| = %d, exact %d of %d (%.3f%%), max error bound %.3f codes%n",
                worst, exact, total, 100.0 * exact / total, maxBound);
        assertTrue(worst <= 1, "worst " + worst);
        assertTrue(exact > 0.98 * total, "exact only " + exact + " of " + total);
    }

    @Test
    void largeEpsilonLongRowsAndWideOutputs() {
        Random r = new Random(31);
        long worst = 0;
        for (double eps : new double[] {1e-12, 1e-3, 0.1, 10}) {
            for (int n : new int[] {2, 3, 100, 256}) {
                Config c = random(r, 8, n, eps);
                // and a 16-bit output: the relative precision of sigma matters most here
                Config wide = new Config(c.inScale(), c.inZero(), 8, c.inSigned(), c.gamma(), c.beta(), eps,
                        c.outScale() / 256, 0, 16, true);
                for (Config k : new Config[] {c, wide}) {
                    IntLayerNorm ln = k.build();
                    assertTrue(ln.errorBoundCodes() < 0.5, "bound " + ln.errorBoundCodes());
                    for (int t = 0; t < 30; t++) {
                        long[] x = row(r, k, n);
                        long[] q = ln.apply(x);
                        long[] f = k.reference(x);
                        for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(q[i] - f[i]));
                    }
                }
            }
        }
        System.out.printf("layernorm eps/n/16-bit: max |q - q_float| = %d%n", worst);
        assertTrue(worst <= 1, "worst " + worst);
    }

    @Test
    void constantRowsGiveBeta() {
        Random r = new Random(32);
        for (double eps : new double[] {0, 1e-5}) {
            Config c = random(r, 8, 32, eps);
            IntLayerNorm ln = c.build();
            long[] b = ln.betaConstants();
            for (long v = IntMath.min(8, c.inSigned()); v <= IntMath.max(8, c.inSigned()); v += 17) {
                long[] x = new long[32];
                java.util.Arrays.fill(x, v);
                long[] q = ln.apply(x);
                long[] f = c.reference(x);
                for (int i = 0; i < 32; i++) {
                    long expected = IntMath.saturate(c.outZero() + IntMath.roundShift(b[i], ln.fracBits()), c.outBits(), c.outSigned());
                    assertEquals(expected, q[i]);
                    long fb = IntMath.saturate((long) Math.rint(c.beta()[i] / c.outScale()) + c.outZero(), c.outBits(), c.outSigned());
                    assertTrue(Math.abs(q[i] - fb) <= 1);
                    if (eps == 0) continue; // float 0/0 without epsilon
                    assertTrue(Math.abs(q[i] - f[i]) <= 1);
                }
            }
        }
    }

    @Test
    void invariantToTheInputZeroPoint() {
        Random r = new Random(33);
        Config c = random(r, 8, 24, 1e-5);
        IntLayerNorm ln = c.build();
        long lo = IntMath.min(8, c.inSigned());
        for (int t = 0; t < 200; t++) {
            long[] x = new long[24];
            for (int i = 0; i < 24; i++) x[i] = lo + r.nextInt(200);
            long shift = r.nextInt(56);
            long[] y = new long[24];
            for (int i = 0; i < 24; i++) y[i] = x[i] + shift;
            assertArrayEquals(ln.apply(x), ln.apply(y));
        }
    }

    @Test
    void widthsBoundTheIntermediates() {
        Random r = new Random(34);
        for (int n : new int[] {16, 64, 256}) {
            Config c = random(r, 8, n, 1e-5);
            IntLayerNorm ln = c.build();
            long[] g = ln.gammaConstants();
            long maxProd = 0;
            long maxQ = 0;
            for (int t = 0; t < 200; t++) {
                long[] x = row(r, c, n);
                long s = 0;
                for (long v : x) s += v;
                long var = 0;
                for (int i = 0; i < n; i++) var += (n * x[i] - s) * (n * x[i] - s);
                long rad = (var << (2 * ln.sqrtShift())) + ln.epsilonTerm();
                assertTrue(IntMath.unsignedBits(rad) <= ln.radicandBits());
                assertTrue(IntMath.unsignedBits(var) <= ln.varianceBits());
                assertTrue(IntMath.bits(Math.min(0, s), Math.max(0, s)) <= ln.sumBits());
                long sigma = Math.max(1, IntMath.isqrt(rad));
                assertTrue(IntMath.unsignedBits(sigma) <= ln.sigmaBits());
                for (int i = 0; i < n; i++) {
                    long d = n * x[i] - s;
                    assertTrue(IntMath.signedBits(Math.min(0, d), Math.max(0, d)) <= ln.diffBits());
                    maxProd = Math.max(maxProd, Math.abs(d * g[i]));
                    maxQ = Math.max(maxQ, Math.abs(IntMath.divRound(d * g[i], sigma)));
                }
            }
            assertTrue(IntMath.signedBits(-maxProd, maxProd) <= ln.productBits());
            assertTrue(IntMath.signedBits(-maxQ, maxQ) <= ln.quotientBits(), "quotient " + maxQ + " bits " + ln.quotientBits());
        }
        // the documented example: 8-bit input, n = 64, gamma / S_out = 32, S_in = 0.5, eps = 1e-5
        double[] gamma = new double[64];
        double[] beta = new double[64];
        java.util.Arrays.fill(gamma, 1.0);
        IntLayerNorm ln = IntLayerNorm.of(0.5, 8, true, gamma, beta, 1e-5, 1.0 / 32, 0, 8, true, 8);
        assertEquals(5, ln.sqrtShift());
        assertEquals(14, ln.sumBits());
        assertEquals(15, ln.diffBits());
        assertEquals(32, ln.varianceBits());
        assertEquals(42, ln.radicandBits());
        assertEquals(21, ln.sigmaBits());
        assertEquals(23, ln.gammaBits());
        assertEquals(38, ln.productBits());
        assertEquals(17, ln.quotientBits());
    }

    @Test
    void epsilonHugeRelativeToInputScaleSaturates() {
        double[] gamma = {1, 1, 1, 1};
        double[] beta = {0.25, 0.25, 0.25, 0.25};
        IntLayerNorm ln = IntLayerNorm.of(1e-12, 8, true, gamma, beta, 1.0, 1.0 / 64, 0, 8, true, 8);
        assertTrue(ln.epsilonSaturated());
        assertEquals(0, ln.sqrtShift());
        // the normalized values are ~1e-10: every output is beta = 16 codes
        assertArrayEquals(new long[] {16, 16, 16, 16}, ln.apply(new long[] {-128, 127, 0, 5}));
        assertTrue(ln.errorBoundCodes() < 0.5);
        assertThrows(IllegalArgumentException.class, () -> ln.apply(new long[] {0, 0, 0, 128}));
        assertThrows(IllegalArgumentException.class, () -> ln.apply(new long[3]));
    }

    /** The engine divides d G + B sigma once: the same as dividing d G and adding B, for either sign. */
    @Test
    void betaRidesThroughTheEnginesDivisionExactly() {
        Random r = new Random(15);
        for (int k = 0; k < 200_000; k++) {
            long d = r.nextInt(1 << 16) - (1 << 15), g = r.nextInt(1 << 20) - (1 << 19), b = r.nextInt(1 << 14) - (1 << 13);
            long sigma = 1 + r.nextInt(k % 2 == 0 ? 7 : 1 << 20);
            assertEquals(IntMath.divRound(d * g, sigma) + b, IntMath.divRound(IntLayerNorm.engineDividend(d, g, b, sigma), sigma));
        }
    }

    /** The widest dividend and quotient of a row fit the widths the engine's divider is built with. */
    @Test
    void engineWidthsHoldTheExtremeRows() {
        Random r = new Random(16);
        for (int inBits = 4; inBits <= 8; inBits += 2) {
            for (int n : new int[] {2, 16, 64}) {
                Config c = random(r, inBits, n, 1e-5);
                IntLayerNorm ln = c.build();
                long maxD = (n - 1) * (IntMath.max(inBits, c.inSigned()) - IntMath.min(inBits, c.inSigned()));
                long maxSigma = (1L << ln.sigmaBits()) - 1;
                long[] gs = ln.gammaConstants(), bs = ln.betaConstants();
                for (int i = 0; i < n; i++) {
                    for (long d : new long[] {-maxD, maxD}) {
                        long num = IntLayerNorm.engineDividend(d, gs[i], bs[i], maxSigma);
                        assertTrue(IntMath.signedBits(Math.min(num, 0), Math.max(num, 0)) <= ln.engineDividendBits(), "dividend " + num);
                    }
                }
                // the largest quotient a real row gives: one code at an end, the rest at the other
                long lo = IntMath.min(inBits, c.inSigned()), hi = IntMath.max(inBits, c.inSigned());
                long[] x = new long[n];
                java.util.Arrays.fill(x, lo);
                x[0] = hi;
                long s = hi + (n - 1) * lo, v = 0;
                for (long xi : x) v += (n * xi - s) * (n * xi - s);
                long sigma = Math.max(1, IntMath.isqrt((v << (2 * ln.sqrtShift())) + ln.epsilonTerm(), ln.radicandBits()));
                long q = IntMath.divRound(IntLayerNorm.engineDividend(n * hi - s, gs[0], bs[0], sigma), sigma);
                assertTrue(IntMath.unsignedBits(Math.abs(q)) <= ln.engineQuotientBits(), "quotient " + q);
            }
        }
    }
}
