package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntMath;

/**
 * tfq_divround_pipe against {@link IntMath#divRound}: every operand pair of small widths whose
 * quotient fits, then random pairs around quotient edges, rounding ties and operand corners, one
 * pair a cycle, in Verilator and Icarus. The testbench checks one fixed latency, so the parameter
 * sets are built in groups of equal latency (one build per Q_W).
 */
class DivRoundPipeRtlTest {

    static final List<DivRoundPipeUnit> UNITS = List.of(
            new DivRoundPipeUnit(32, 30, 6),    // 0: a softmax
            new DivRoundPipeUnit(40, 22, 17),   // 1: a LayerNorm
            new DivRoundPipeUnit(6, 4, 6),      // 2: exhaustive, every quotient fits
            new DivRoundPipeUnit(5, 6, 1),      // 3: exhaustive where |q| <= 1, den wider than num
            new DivRoundPipeUnit(1, 1, 1),      // 4: exhaustive, the narrowest
            new DivRoundPipeUnit(8, 3, 6),      // 5: exhaustive where |q| < 64, num down to -128
            new DivRoundPipeUnit(63, 62, 1),    // 6: random, the widest operands
            new DivRoundPipeUnit(17, 1, 17),    // 7: den = 1 only: q = num
            new DivRoundPipeUnit(62, 40, 30));  // 8: random, wide quotient

    static final int EXHAUSTIVE_FROM = 2, EXHAUSTIVE_TO = 5;
    static final int RANDOM = 3000;

    record Vector(int cfg, int gap, long num, long den) {}

    static boolean fits(DivRoundPipeUnit u, long num, long den) {
        return num >= IntMath.min(u.numW(), true) && num <= IntMath.max(u.numW(), true) && den >= 1
                && den <= IntMath.max(u.denW(), false) && Math.abs(IntMath.divRound(num, den)) < 1L << u.quotientW();
    }

    static List<Vector> vectors(long seed) {
        Random rnd = new Random(seed);
        List<Vector> out = new ArrayList<>();
        for (int cfg = EXHAUSTIVE_FROM; cfg <= EXHAUSTIVE_TO; cfg++) {
            DivRoundPipeUnit u = UNITS.get(cfg);
            for (long num = IntMath.min(u.numW(), true); num <= IntMath.max(u.numW(), true); num++) {
                for (long den = 1; den <= IntMath.max(u.denW(), false); den++) {
                    if (fits(u, num, den)) out.add(new Vector(cfg, gap(rnd), num, den));
                }
            }
        }
        for (int cfg : new int[] {0, 1, 6, 7, 8}) {
            DivRoundPipeUnit u = UNITS.get(cfg);
            long denMax = IntMath.max(u.denW(), false), qMax = IntMath.max(u.quotientW(), false);
            long numMin = IntMath.min(u.numW(), true), numMax = IntMath.max(u.numW(), true);
            // operand corners: the ends of num against den 1, 2, 3 and the largest
            for (long num : new long[] {numMin, numMin + 1, -1, 0, 1, numMax - 1, numMax}) {
                for (long den : new long[] {1, 2, 3, denMax - 1, denMax}) {
                    if (fits(u, num, den)) out.add(new Vector(cfg, gap(rnd), num, den));
                }
            }
            int added = 0;
            while (added < RANDOM) {
                long den = switch (rnd.nextInt(6)) {
                    case 0 -> 1;
                    case 1 -> Math.max(1, denMax - rnd.nextInt(4));
                    case 2 -> 1 + rnd.nextInt((int) Math.min(8, denMax));
                    default -> 1 + rnd.nextLong(Math.max(1, denMax >> rnd.nextInt(u.denW())));
                };
                // a quotient in range, often at its edges +-(2^Q_W - 1)
                long q = switch (rnd.nextInt(6)) {
                    case 0 -> qMax - rnd.nextInt(2);
                    case 1 -> -qMax + rnd.nextInt(2);
                    case 2 -> rnd.nextInt(5) - 2;
                    default -> rnd.nextLong(2 * qMax + 1) - qMax;
                };
                // every num with divRound(num, den) = q lies in q den - floor(den/2) + 0 .. den - 1;
                // the low end is a tie (num / den = q - 1/2 for even den), the high end just below the next
                long r = switch (rnd.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> den - 1;
                    default -> rnd.nextLong(den);
                };
                long num;
                try {
                    num = Math.addExact(Math.subtractExact(Math.multiplyExact(q, den), den >> 1), r);
                } catch (ArithmeticException e) {
                    continue; // far outside the num width anyway
                }
                if (!fits(u, num, den)) continue;
                out.add(new Vector(cfg, gap(rnd), num, den));
                added++;
            }
        }
        return out;
    }

    /** Mostly back to back, one division a cycle; now and then a few idle cycles. */
    static int gap(Random rnd) {
        return rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(3) : 0;
    }

    /** The parameter sets by latency: the configs of one testbench build. */
    static TreeMap<Integer, List<Integer>> groups() {
        TreeMap<Integer, List<Integer>> g = new TreeMap<>();
        for (int cfg = 0; cfg < UNITS.size(); cfg++) g.computeIfAbsent(UNITS.get(cfg).latency(), k -> new ArrayList<>()).add(cfg);
        return g;
    }

    /** The vectors of the configs in {@code cfgs}, in order, with cfg renumbered to the position in the build. */
    static VectorFile file(List<Vector> vs, List<Integer> cfgs, int corrupt) {
        VectorFile f = new VectorFile(64, 64, 64, 64, 64);
        int i = 0;
        for (Vector v : vs) {
            int local = cfgs.indexOf(v.cfg);
            if (local < 0) continue;
            DivRoundPipeUnit u = UNITS.get(v.cfg);
            long q = IntMath.divRound(v.num, v.den);
            if (i++ == corrupt) q = q == IntMath.max(u.quotientW(), false) ? q - 1 : q + 1;
            f.add(local, v.gap, v.num, v.den, Bench.mask(q, u.quotientW() + 1));
        }
        return f;
    }

    static Map<String, Object> model(String top, int latency, List<Integer> cfgs) {
        List<Map<String, Object>> configs = new ArrayList<>();
        for (int cfg : cfgs) {
            DivRoundPipeUnit u = UNITS.get(cfg);
            configs.add(Bench.config(u, List.of(Bench.port("num", "num", u.numW()), Bench.port("den", "den", u.denW())),
                    List.of(Bench.port("q", "q", u.quotientW() + 1))));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top", top);
        m.put("vectorFile", Bench.VECTORS);
        m.put("latency", latency);
        m.put("inFields", List.of("num", "den"));
        m.put("outFields", List.of("q"));
        m.put("configs", configs);
        return m;
    }

    @Test
    void vectorsCoverTheEdges() {
        List<Vector> vs = vectors(7L);
        int[] perCfg = new int[UNITS.size()];
        int negNum = 0, den1 = 0, denMax = 0, qTop = 0, qBottom = 0, ties = 0, negTies = 0;
        for (Vector v : vs) {
            DivRoundPipeUnit u = UNITS.get(v.cfg);
            assertTrue(fits(u, v.num, v.den), v::toString);
            long q = IntMath.divRound(v.num, v.den), qMax = IntMath.max(u.quotientW(), false);
            perCfg[v.cfg]++;
            if (v.num < 0) negNum++;
            if (v.den == 1) den1++;
            if (v.den == IntMath.max(u.denW(), false)) denMax++;
            if (q == qMax) qTop++;
            if (q == -qMax) qBottom++;
            if (v.den % 2 == 0 && Math.floorMod(v.num, v.den) == v.den / 2) {
                ties++;
                if (v.num < 0) negTies++;
            }
        }
        String counts = "num<0 " + negNum + ", den=1 " + den1 + ", den=max " + denMax + ", q=2^Q_W-1 " + qTop + ", q=-(2^Q_W-1) "
                + qBottom + ", ties " + ties + " (negative " + negTies + ")";
        System.out.println("tfq_divround_pipe vectors " + vs.size() + " " + Arrays.toString(perCfg) + ": " + counts);
        for (int n : new int[] {negNum, den1, denMax, qTop, qBottom, ties, negTies}) assertTrue(n >= 100, counts);
        for (int n : perCfg) assertTrue(n >= 2, counts);
    }

    @Test
    void parametersAndLatency() {
        DivRoundPipeUnit u = UNITS.get(1);
        assertEquals(List.of("NUM_W", "DEN_W", "Q_W"), List.copyOf(u.parameters().keySet()));
        assertEquals(19, u.latency());
        assertEquals(8, UNITS.get(0).latency());
        assertEquals(RtlModule.DIVROUND_PIPE, u.module());
        assertThrows(IllegalArgumentException.class, () -> new DivRoundPipeUnit(64, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> new DivRoundPipeUnit(8, 63, 8));
        assertThrows(IllegalArgumentException.class, () -> new DivRoundPipeUnit(8, 8, 0));
    }

    @Test
    void matchesDivRoundInBothSimulators() {
        List<Vector> vs = vectors(7L);
        int checked = 0;
        for (Map.Entry<Integer, List<Integer>> g : groups().entrySet()) {
            String top = "tb_divround_pipe_l" + g.getKey();
            Path dir = Bench.workDir("divround_pipe/" + top);
            VectorFile f = file(vs, g.getValue(), -1);
            f.write(dir.resolve(Bench.VECTORS));
            List<Path> sources = Bench.sources(dir, List.of(RtlModule.DIVROUND_PIPE), "tb/tb_pipeline.v.ftl", model(top, g.getKey(), g.getValue()));
            for (SimResult r : Bench.runBoth(dir, sources, top)) Bench.assertPassed(r, f.size());
            checked += f.size();
            if (g.getKey() == UNITS.get(1).latency()) {
                // the same builds must catch one wrong expectation, and name it
                int bad = f.size() / 2;
                file(vs, g.getValue(), bad).write(dir.resolve(Bench.VECTORS));
                for (SimResult r : Bench.runBoth(dir, sources, top)) {
                    assertEquals(1, r.summary().orElseThrow().mismatches(), r::describe);
                    assertTrue(r.firstMismatch().orElseThrow().startsWith("MISMATCH vector " + bad + " "), r::describe);
                }
            }
        }
        assertEquals(vs.size(), checked, "every vector in some build");
    }
}
