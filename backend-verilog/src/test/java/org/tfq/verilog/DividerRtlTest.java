package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntSoftmax;

/**
 * tfq_divider against {@link IntMath#divRound}: every operand pair of small widths (including
 * quotients too wide for the divider, where only the overflow flag is checked), random wide
 * operands, and the real operands of an integer softmax and LayerNorm, in both simulators.
 */
class DividerRtlTest {

    static final IntSoftmax SOFTMAX = IntSoftmax.of(0.05, 8, 64, 1.0 / 255, 0, 8, false);
    static final IntLayerNorm LAYERNORM = layerNorm();

    static IntLayerNorm layerNorm() {
        Random rnd = new Random(3);
        double[] gamma = new double[16], beta = new double[16];
        for (int i = 0; i < 16; i++) {
            gamma[i] = 0.5 + rnd.nextDouble() * (rnd.nextBoolean() ? 1 : -1);
            beta[i] = rnd.nextGaussian() * 0.3;
        }
        return IntLayerNorm.of(0.05, 8, true, gamma, beta, 1e-5, 0.02, 3, 8, true, IntLayerNorm.DEFAULT_FRAC_BITS);
    }

    /** Exhaustive sets first (every num, every den > 0), then random and real ones. */
    static final List<DividerUnit> UNITS = List.of(
            new DividerUnit(6, true, 4, 6),     // 0: every quotient fits
            new DividerUnit(6, true, 4, 3),     // 1: many do not: overflow
            new DividerUnit(7, false, 5, 4),    // 2: unsigned dividend
            new DividerUnit(5, true, 6, 1),     // 3: one quotient bit
            new DividerUnit(1, false, 1, 1),    // 4: the narrowest
            new DividerUnit(1, true, 2, 1),     // 5: num in {-1, 0}
            new DividerUnit(40, true, 24, 20),  // 6: random
            new DividerUnit(62, true, 40, 30),  // 7: random, widest operands IntMath allows
            DividerUnit.forSoftmax(SOFTMAX),    // 8: softmax operands
            DividerUnit.forLayerNorm(LAYERNORM)); // 9: layernorm operands

    static final int EXHAUSTIVE = 6;
    static final int RANDOM = 1500;

    record Vector(int cfg, int gap, long num, long den) {}

    static List<Vector> vectors(long seed) {
        Random rnd = new Random(seed);
        List<Vector> out = new ArrayList<>();
        for (int cfg = 0; cfg < EXHAUSTIVE; cfg++) {
            DividerUnit u = UNITS.get(cfg);
            for (long num = IntMath.min(u.numW(), u.numSigned()); num <= IntMath.max(u.numW(), u.numSigned()); num++) {
                for (long den = 1; den <= IntMath.max(u.denW(), false); den++) out.add(new Vector(cfg, gap(rnd, u), num, den));
            }
        }
        for (int cfg : new int[] {6, 7}) {
            DividerUnit u = UNITS.get(cfg);
            long denMax = IntMath.max(u.denW(), false), qMax = IntMath.max(u.quotientW(), false);
            long numMin = IntMath.min(u.numW(), true), numMax = IntMath.max(u.numW(), true);
            for (int i = 0; i < RANDOM; i++) {
                long den = switch (rnd.nextInt(5)) {
                    case 0 -> 1 + rnd.nextInt(4);
                    case 1 -> denMax - rnd.nextInt(4);
                    default -> 1 + rnd.nextLong(denMax >> rnd.nextInt(u.denW()));
                };
                // a quotient in range (now and then at its edges), then a remainder, kept inside the num width
                long q = switch (rnd.nextInt(5)) {
                    case 0 -> qMax - rnd.nextInt(2);
                    case 1 -> -qMax + rnd.nextInt(2);
                    default -> rnd.nextLong(2 * qMax + 1) - qMax;
                };
                long num;
                if (Math.abs(q) > (numMax - den) / den) num = rnd.nextLong(numMin, numMax);
                else num = q * den + rnd.nextLong(den) - (den >> 1);
                if (rnd.nextInt(8) == 0 && den % 2 == 0) num = q * den - den / 2; // num / den = q - 1/2 exactly: rounds up to q
                out.add(new Vector(cfg, gap(rnd, u), Math.max(numMin, Math.min(numMax, num)), den));
            }
        }
        // softmax: rows of 1..64 random codes; dividend e_i K, divisor T 2^k
        for (int row = 0; row < 40; row++) {
            long[] x = new long[1 + rnd.nextInt(64)];
            int spread = 1 + rnd.nextInt(255);
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(spread + 1);
            long[] e = new long[x.length];
            long max = 0, t = 0;
            for (long v : x) max = Math.max(max, v);
            for (int i = 0; i < x.length; i++) t += e[i] = SOFTMAX.table()[(int) (max - x[i])];
            long den = t << SOFTMAX.outShift();
            long[] q = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                long num = e[i] * SOFTMAX.outMultiplier();
                q[i] = IntMath.saturate(SOFTMAX.outZeroPoint() + IntMath.divRound(num, den), SOFTMAX.outBits(), SOFTMAX.outSigned());
                out.add(new Vector(8, gap(rnd, UNITS.get(8)), num, den));
            }
            assertArrayEquals(SOFTMAX.apply(x), q, "the test's softmax dividends are those of IntSoftmax");
        }
        // layernorm: rows of random codes; dividend d_i G_i, divisor sigma
        int n = LAYERNORM.length();
        for (int row = 0; row < 60; row++) {
            long[] x = new long[n];
            int lo = -128 + rnd.nextInt(256), span = row == 0 ? 0 : rnd.nextInt(256);
            for (int i = 0; i < n; i++) x[i] = Math.min(127, lo + rnd.nextInt(span + 1));
            long s = 0, v = 0;
            for (long c : x) s += c;
            long[] d = new long[n];
            for (int i = 0; i < n; i++) {
                d[i] = n * x[i] - s;
                v += d[i] * d[i];
            }
            long sigma = Math.max(1, IntMath.isqrt((v << 2 * LAYERNORM.sqrtShift()) + LAYERNORM.epsilonTerm(), LAYERNORM.radicandBits()));
            long[] q = new long[n];
            for (int i = 0; i < n; i++) {
                long num = d[i] * LAYERNORM.gammaConstants()[i];
                long quotient = IntMath.divRound(num, sigma);
                q[i] = IntMath.saturate(LAYERNORM.outZeroPoint()
                        + IntMath.roundShift(quotient + LAYERNORM.betaConstants()[i], LAYERNORM.fracBits()), 8, true);
                out.add(new Vector(9, gap(rnd, UNITS.get(9)), num, sigma));
            }
            assertArrayEquals(LAYERNORM.apply(x), q, "the test's layernorm dividends are those of IntLayerNorm");
        }
        return out;
    }

    /** Mostly 0 (back-to-back: start waits for the done cycle), sometimes longer than a division. */
    static int gap(Random rnd, DividerUnit u) {
        return rnd.nextInt(4) == 0 ? rnd.nextInt(u.cycles() + 3) : 0;
    }

    static Map<String, Object> model() {
        List<Map<String, Object>> configs = new ArrayList<>();
        for (DividerUnit u : UNITS) {
            Map<String, Object> c = Bench.config(u,
                    List.of(Bench.port("num", "num", u.numW()), Bench.port("den", "den", u.denW())),
                    List.of(Bench.port("q", "q", u.quotientW() + 1), Bench.port("overflow", "overflow", 1)));
            c.put("cycles", u.cycles());
            configs.add(c);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top", "tb_divider");
        m.put("vectorFile", Bench.VECTORS);
        m.put("inFields", List.of("num", "den"));
        m.put("outFields", List.of("q", "overflow"));
        m.put("configs", configs);
        return m;
    }

    @Test
    void matchesDivRoundInBothSimulators() {
        Path dir = Bench.workDir("divider");
        List<Vector> vs = vectors(11L);
        VectorFile f = new VectorFile(64, 64, 64, 64, 64, 64, 64);
        int overflows = 0;
        for (Vector v : vs) {
            DividerUnit u = UNITS.get(v.cfg);
            long q = IntMath.divRound(v.num, v.den);
            boolean overflow = Math.abs(q) >= 1L << u.quotientW();
            overflows += overflow ? 1 : 0;
            // the quotient is only meaningful when it fits; the flag always is
            f.add(v.cfg, v.gap, overflow ? 0b10 : 0b11, v.num, v.den, Bench.mask(overflow ? 0 : q, u.quotientW() + 1), overflow ? 1 : 0);
        }
        f.write(dir.resolve(Bench.VECTORS));
        assertEquals(true, overflows > 100, "the exhaustive sets include quotients that do not fit");
        List<Path> sources = Bench.sources(dir, List.of(RtlModule.DIVIDER), "tb/tb_sequential.v.ftl", model());
        for (SimResult r : Bench.runBoth(dir, sources, "tb_divider")) Bench.assertPassed(r, vs.size());
    }

    @Test
    void restoringDividerOnMagnitudesIsDivRound() {
        // the identity the hardware is built on: divRound through the magnitude form of tfq_divider
        for (long num = -300; num <= 300; num++) {
            for (long den = 1; den <= 40; den++) {
                long n = num + (den >> 1);
                long q = n >= 0 ? IntMath.restoringDivide(n, den, 10) : -IntMath.restoringDivide(~n + den, den, 10);
                assertEquals(IntMath.divRound(num, den), q, num + " / " + den);
            }
        }
    }
}
