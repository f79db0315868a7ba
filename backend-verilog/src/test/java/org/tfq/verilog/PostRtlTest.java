package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntMath;

/**
 * tfq_post against clamp(z + IntMath.roundShift(a m1 + b m2 + c, sh), lo, hi) with Math.min/max:
 * the corners of every operand range, shifts 0, around the sum width and up to the port's
 * largest, saturation at either end, exact ties of either sign, ReLU-style lo = max(lo, z), and
 * random operands, every parameter set in one build, in Verilator and Icarus.
 */
class PostRtlTest {

    /** A 24 x 18 layer output into 17 bits, small widths whose shifts pass the sum width, the extremes. */
    static final List<PostUnit> UNITS = List.of(
            new PostUnit(24, 24, 18, 18, 48, 6, 17),   // 0: two DSP48E1 products, a 48-bit offset
            new PostUnit(5, 5, 5, 5, 5, 4, 5),         // 1: sum of 12 bits, shifts up to 15
            new PostUnit(1, 1, 1, 1, 1, 1, 1),         // 2: the narrowest
            new PostUnit(31, 31, 31, 31, 62, 7, 63),   // 3: a 64-bit sum, shifts up to 127, 63-bit y
            new PostUnit(8, 16, 16, 9, 32, 5, 8),      // 4: unequal products
            new PostUnit(17, 3, 2, 25, 20, 6, 12),     // 5: b m2 the wider product, offset narrower
            new PostUnit(12, 12, 12, 12, 40, 6, 40));  // 6: y wider than both products

    static final int PER_UNIT = 3000;

    record Vector(int cfg, int gap, long a, long b, long m1, long m2, long c, int sh, long z, long lo, long hi) {}

    /** The exact sum a m1 + b m2 + c: each term below 2^61 in magnitude, so it fits a long. */
    static long sum(Vector v) {
        return Math.addExact(Math.addExact(Math.multiplyExact(v.a, v.m1), Math.multiplyExact(v.b, v.m2)), v.c);
    }

    /** IntMath.roundShift where it is defined (shift <= 62, v + 2^(s-1) a long), exactly beyond. */
    static long roundShift(long v, int s) {
        if (s == 0 || (s <= IntMath.MAX_SHIFT && v <= Long.MAX_VALUE - (1L << (s - 1)))) return IntMath.roundShift(v, s);
        return BigInteger.valueOf(v).add(BigInteger.ONE.shiftLeft(s - 1)).shiftRight(s).longValueExact();
    }

    /** The golden result. z + r may pass a long only where the clamp takes a bound, so saturate it. */
    static long expected(Vector v) {
        long r = roundShift(sum(v), v.sh);
        long t;
        try {
            t = Math.addExact(v.z, r);
        } catch (ArithmeticException e) {
            t = r > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return Math.min(Math.max(t, v.lo), v.hi);
    }

    /** The same in BigInteger from the definition, to check {@link #expected} itself. */
    static long exact(Vector v) {
        BigInteger s = BigInteger.valueOf(v.a).multiply(BigInteger.valueOf(v.m1))
                .add(BigInteger.valueOf(v.b).multiply(BigInteger.valueOf(v.m2))).add(BigInteger.valueOf(v.c));
        BigInteger r = v.sh == 0 ? s : s.add(BigInteger.ONE.shiftLeft(v.sh - 1)).shiftRight(v.sh);
        BigInteger t = r.add(BigInteger.valueOf(v.z));
        return t.max(BigInteger.valueOf(v.lo)).min(BigInteger.valueOf(v.hi)).longValueExact();
    }

    static long min(int bits) {
        return IntMath.min(bits, true);
    }

    static long max(int bits) {
        return IntMath.max(bits, true);
    }

    /** Uniform on a random number of significant bits, so small and large magnitudes both occur. */
    static long random(Random rnd, int bits) {
        return rnd.nextLong() >> (63 - rnd.nextInt(bits)); // a signed value of 1 .. bits bits
    }

    /** An edge of the range (min, max, 0, +-1) half the time, otherwise {@link #random}. */
    static long operand(Random rnd, int bits) {
        if (rnd.nextBoolean()) return random(rnd, bits);
        long[] edges = {min(bits), max(bits), 0, -1, Math.min(1, max(bits)), min(bits) + 1, Math.max(max(bits) - 1, min(bits))};
        return edges[rnd.nextInt(edges.length)];
    }

    static int bitsOf(long v) {
        return 64 - Long.numberOfLeadingZeros(v < 0 ? ~v : v);
    }

    static List<Vector> vectors(long seed) {
        Random rnd = new Random(seed);
        List<Vector> out = new ArrayList<>();
        for (int cfg = 0; cfg < UNITS.size(); cfg++) {
            PostUnit u = UNITS.get(cfg);
            int sW = u.sumW(), shMax = u.maxShift(), yW = u.yW();
            long yMin = min(yW), yMax = max(yW);
            // the corners: every operand at either end (the widest sums of both signs), shifts at
            // 0, 1 and around the sum width, output bounds wide open or the zero point's ReLU
            List<Integer> shifts = new ArrayList<>();
            for (int s : new int[] {0, 1, sW - 2, sW - 1, sW, sW + 1, shMax}) if (s >= 0 && s <= shMax && !shifts.contains(s)) shifts.add(s);
            for (long a : new long[] {min(u.aW()), max(u.aW())}) {
                for (long m1 : new long[] {min(u.m1W()), max(u.m1W())}) {
                    for (long b : new long[] {min(u.bW()), max(u.bW())}) {
                        for (long m2 : new long[] {min(u.m2W()), max(u.m2W())}) {
                            for (long c : new long[] {min(u.cW()), max(u.cW())}) {
                                for (int s : shifts) {
                                    out.add(new Vector(cfg, 0, a, b, m1, m2, c, s, yMax, yMin, yMax));
                                    long z = random(rnd, yW);
                                    out.add(new Vector(cfg, 0, a, b, m1, m2, c, s, z, z, yMax));
                                }
                            }
                        }
                    }
                }
            }
            while (out.size() < (cfg + 1) * PER_UNIT) {
                long a = operand(rnd, u.aW()), b = operand(rnd, u.bW()), m1 = operand(rnd, u.m1W()), m2 = operand(rnd, u.m2W());
                long c = operand(rnd, u.cW());
                long p = a * m1 + b * m2;
                int s;
                switch (rnd.nextInt(6)) {
                    case 0 -> s = 0;
                    case 1 -> s = Math.min(shMax, sW - 2 + rnd.nextInt(shMax - Math.min(shMax, sW - 2) + 1)); // at or past the sum width
                    case 2 -> {
                        // an exact tie: c moves p + c to odd * 2^(s-1), |c| < 2^s, either sign
                        s = 1 + rnd.nextInt(Math.max(1, Math.min(shMax, u.cW() - 2)));
                        if (s >= u.cW()) break;
                        long tie = Math.floorDiv(p, 1L << s) * (1L << s) + (1L << (s - 1)) + (rnd.nextBoolean() ? 0 : -(1L << s));
                        c = tie - p;
                        if (c < min(u.cW()) || c > max(u.cW())) c = operand(rnd, u.cW());
                    }
                    default -> {
                        // around saturation: the shift that brings the sum to the output width, +-2
                        int bits = bitsOf(p + c);
                        s = Math.max(0, Math.min(shMax, bits - yW + rnd.nextInt(5) - 2));
                    }
                }
                long z = operand(rnd, yW);
                long lo, hi;
                switch (rnd.nextInt(8)) {
                    case 0, 1 -> {
                        lo = yMin;
                        hi = yMax;
                    }
                    case 2 -> {
                        // a fused ReLU: lo = max(lo, z)
                        lo = Math.max(yMin, z);
                        hi = yMax;
                    }
                    case 3 -> lo = hi = operand(rnd, yW);
                    case 4 -> {
                        // broken promise lo > hi: still min(max(t, lo), hi), i.e. hi
                        long x = operand(rnd, yW), w = operand(rnd, yW);
                        lo = Math.max(x, w);
                        hi = Math.min(x, w);
                    }
                    default -> {
                        long x = operand(rnd, yW), w = operand(rnd, yW);
                        lo = Math.min(x, w);
                        hi = Math.max(x, w);
                    }
                }
                out.add(new Vector(cfg, gap(rnd), a, b, m1, m2, c, s, z, lo, hi));
            }
        }
        return out;
    }

    static int gap(Random rnd) {
        return rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(3) : 0;
    }

    static VectorFile file(List<Vector> vs, int corrupt) {
        VectorFile f = new VectorFile(64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64);
        for (int i = 0; i < vs.size(); i++) {
            Vector v = vs.get(i);
            PostUnit u = UNITS.get(v.cfg);
            long y = expected(v);
            if (i == corrupt) y = y == max(u.yW()) ? y - 1 : y + 1;
            f.add(v.cfg, v.gap, v.a, v.b, v.m1, v.m2, v.c, v.sh, v.z, v.lo, v.hi, Bench.mask(y, u.yW()));
        }
        return f;
    }

    static Map<String, Object> model() {
        List<Map<String, Object>> configs = new ArrayList<>();
        for (PostUnit u : UNITS) {
            configs.add(Bench.config(u,
                    List.of(Bench.port("a", "a", u.aW()), Bench.port("b", "b", u.bW()), Bench.port("m1", "m1", u.m1W()),
                            Bench.port("m2", "m2", u.m2W()), Bench.port("c", "c", u.cW()), Bench.port("sh", "sh", u.shW()),
                            Bench.port("z", "z", u.yW()), Bench.port("lo", "lo", u.yW()), Bench.port("hi", "hi", u.yW())),
                    List.of(Bench.port("y", "y", u.yW()))));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top", "tb_post");
        m.put("vectorFile", Bench.VECTORS);
        m.put("latency", PostUnit.LATENCY);
        m.put("inFields", List.of("a", "b", "m1", "m2", "c", "sh", "z", "lo", "hi"));
        m.put("outFields", List.of("y"));
        m.put("configs", configs);
        return m;
    }

    @Test
    void referenceIsExactAndVectorsCoverTheEdges() {
        List<Vector> vs = vectors(20240611L);
        int shZero = 0, shPastSum = 0, satHi = 0, satLo = 0, negTies = 0, posTies = 0, relu = 0, inverted = 0;
        for (Vector v : vs) {
            PostUnit u = UNITS.get(v.cfg);
            assertEquals(exact(v), expected(v), v::toString);
            long s = sum(v);
            assertTrue(bitsOf(s) < u.sumW(), "the sum fits sumW - 1 magnitude bits: " + v);
            long t = BigInteger.valueOf(v.z).add(BigInteger.valueOf(roundShift(s, v.sh))).max(BigInteger.valueOf(Long.MIN_VALUE))
                    .min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
            if (v.sh == 0) shZero++;
            if (v.sh >= u.sumW()) shPastSum++;
            if (v.lo <= v.hi && t > v.hi && v.hi == max(u.yW())) satHi++;
            if (v.lo <= v.hi && t < v.lo && v.lo == min(u.yW())) satLo++;
            if (v.sh > 0 && v.sh <= 62 && Math.floorMod(s, 1L << v.sh) == 1L << (v.sh - 1)) {
                if (s < 0) negTies++;
                else posTies++;
            }
            if (v.lo == Math.max(min(u.yW()), v.z) && v.lo > min(u.yW())) relu++;
            if (v.lo > v.hi) inverted++;
        }
        String counts = "sh=0 " + shZero + ", sh>=sumW " + shPastSum + ", sat hi " + satHi + ", sat lo " + satLo + ", ties -"
                + negTies + " +" + posTies + ", relu " + relu + ", lo>hi " + inverted;
        System.out.println("tfq_post vectors " + vs.size() + ": " + counts);
        for (int n : new int[] {shZero, shPastSum, satHi, satLo, negTies, posTies, relu, inverted}) assertTrue(n >= 100, counts);
    }

    @Test
    void parametersAndLatency() {
        PostUnit u = UNITS.get(0);
        assertEquals(List.of("A_W", "B_W", "M1_W", "M2_W", "C_W", "SH_W", "Y_W"), List.copyOf(u.parameters().keySet()));
        assertEquals(50, u.sumW());
        assertEquals(63, u.maxShift());
        assertEquals(64, UNITS.get(3).sumW());
        assertEquals(RtlModule.POST, u.module());
        assertEquals(6, PostUnit.LATENCY);
        assertThrows(IllegalArgumentException.class, () -> new PostUnit(32, 1, 31, 1, 1, 6, 8));
        assertThrows(IllegalArgumentException.class, () -> new PostUnit(1, 1, 1, 1, 63, 6, 8));
        assertThrows(IllegalArgumentException.class, () -> new PostUnit(1, 1, 1, 1, 1, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> new PostUnit(1, 1, 1, 1, 1, 6, 64));
    }

    @Test
    void matchesTheReferenceInBothSimulators() {
        Path dir = Bench.workDir("post");
        List<Vector> vs = vectors(20240611L);
        file(vs, -1).write(dir.resolve(Bench.VECTORS));
        List<Path> sources = Bench.sources(dir, List.of(RtlModule.POST), "tb/tb_pipeline.v.ftl", model());
        for (SimResult r : Bench.runBoth(dir, sources, "tb_post")) Bench.assertPassed(r, vs.size());

        // the same builds must catch one wrong expectation, and name it
        int bad = vs.size() / 3;
        file(vs, bad).write(dir.resolve(Bench.VECTORS));
        for (SimResult r : Bench.runBoth(dir, sources, "tb_post")) {
            assertEquals(1, r.summary().orElseThrow().mismatches(), r::describe);
            assertTrue(r.firstMismatch().orElseThrow().startsWith("MISMATCH vector " + bad + " "), r::describe);
        }
    }
}
