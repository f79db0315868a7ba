package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntMath;

/**
 * tfq_mac_lanes against Java dot products: random sequences of dot products (clr with the first
 * term, en for the rest, idle cycles, clr alone for a bias-only sum) interleaved over several
 * parameter sets in one build, checked every cycle in both simulators. One set has an
 * accumulator as narrow as one product, so it wraps, as the module documents.
 */
class MacLanesRtlTest {

    static final List<MacLanesUnit> UNITS = List.of(
            new MacLanesUnit(4, 8, true, 8, true, 32),
            new MacLanesUnit(3, 8, false, 6, true, 24),   // unsigned activations
            new MacLanesUnit(1, 1, false, 1, true, 3),    // 3-bit accumulator: wraps
            new MacLanesUnit(2, 16, true, 17, true, 48),
            new MacLanesUnit(8, 4, true, 4, false, 16));  // unsigned weights

    static final int LANES = UNITS.stream().mapToInt(MacLanesUnit::lanes).max().orElseThrow();
    static final int CYCLES = 4000;

    static long operand(Random rnd, int bits, boolean signed) {
        long lo = IntMath.min(bits, signed), hi = IntMath.max(bits, signed);
        return switch (rnd.nextInt(6)) {
            case 0 -> lo;
            case 1 -> hi;
            default -> lo + rnd.nextLong(hi - lo + 1);
        };
    }

    /** Sign-extends the low {@code bits} of v: the two's complement value an accumulator register holds. */
    static long wrap(long v, int bits) {
        return bits >= 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }

    @Test
    void accumulatesDotProductsInBothSimulators() {
        Random rnd = new Random(99);
        int fields = 5 + 4 * LANES;
        int[] widths = new int[fields];
        java.util.Arrays.fill(widths, 64);
        VectorFile f = new VectorFile(widths);

        // per config: the running accumulators (null: not yet cleared, undefined in hardware),
        // and the terms of the current dot product, to check the running sum against a plain dot product
        long[][] acc = new long[UNITS.size()][];
        List<List<long[]>> terms = new ArrayList<>();
        long[][] bias = new long[UNITS.size()][];
        for (int i = 0; i < UNITS.size(); i++) terms.add(new ArrayList<>());
        int cfg = 0, left = 0, dotProducts = 0;
        while (f.size() < CYCLES) {
            if (left == 0) {
                cfg = rnd.nextInt(UNITS.size());
                left = 1 + rnd.nextInt(24);
            }
            MacLanesUnit u = UNITS.get(cfg);
            int p = u.lanes();
            boolean clr = acc[cfg] == null || rnd.nextInt(8) == 0;
            boolean en = rnd.nextInt(clr ? 8 : 6) != 0;
            if (!clr && rnd.nextInt(10) == 0) en = false; // an idle cycle: the accumulators hold
            long[] a = new long[LANES], b = new long[LANES], bs = new long[LANES], exp = new long[LANES];
            for (int l = 0; l < p; l++) {
                a[l] = operand(rnd, u.aW(), u.aSigned());
                b[l] = operand(rnd, u.bW(), u.bSigned());
                bs[l] = operand(rnd, u.accW(), true);
            }
            if (clr) {
                acc[cfg] = new long[p];
                bias[cfg] = bs.clone();
                terms.get(cfg).clear();
                dotProducts++;
                for (int l = 0; l < p; l++) acc[cfg][l] = bs[l];
            }
            if (en) {
                terms.get(cfg).add(new long[] {a[0], b[0], a[p - 1], b[p - 1]});
                for (int l = 0; l < p; l++) acc[cfg][l] = wrap(acc[cfg][l] + a[l] * b[l], u.accW());
            }
            // the running accumulator of lanes 0 and p-1 is the plain dot product of the terms so far
            long dot0 = bias[cfg][0], dotLast = bias[cfg][p - 1];
            for (long[] t : terms.get(cfg)) {
                dot0 += t[0] * t[1];
                dotLast += t[2] * t[3];
            }
            assertEquals(wrap(dot0, u.accW()), acc[cfg][0]);
            assertEquals(wrap(dotLast, u.accW()), acc[cfg][p - 1]);
            for (int l = 0; l < p; l++) exp[l] = Bench.mask(acc[cfg][l], u.accW());

            long[] row = new long[fields];
            int i = 0;
            row[i++] = cfg;
            row[i++] = en ? 1 : 0;
            row[i++] = clr ? 1 : 0;
            for (int l = 0; l < LANES; l++) row[i++] = a[l];
            for (int l = 0; l < LANES; l++) row[i++] = b[l];
            for (int l = 0; l < LANES; l++) row[i++] = bs[l];
            row[i++] = 1; // care: every config starts with clr, so its accumulators are defined
            row[i++] = en || clr ? 1 : 0;
            for (int l = 0; l < LANES; l++) row[i++] = exp[l];
            f.add(row);
            left--;
        }
        Path dir = Bench.workDir("mac_lanes");
        f.write(dir.resolve(Bench.VECTORS));

        List<Map<String, Object>> configs = new ArrayList<>();
        for (MacLanesUnit u : UNITS) {
            Map<String, Object> c = Bench.config(u, List.of(), List.of());
            c.put("p", u.lanes());
            c.put("aW", u.aW());
            c.put("bW", u.bW());
            c.put("accW", u.accW());
            configs.add(c);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top", "tb_mac_lanes");
        m.put("vectorFile", Bench.VECTORS);
        m.put("latency", MacLanesUnit.LATENCY);
        m.put("lanes", LANES);
        m.put("configs", configs);
        List<Path> sources = Bench.sources(dir, List.of(RtlModule.MAC_LANES), "tb/tb_mac_lanes.v.ftl", m);
        for (SimResult r : Bench.runBoth(dir, sources, "tb_mac_lanes")) Bench.assertPassed(r, CYCLES);
        System.out.println("dot products: " + dotProducts);
    }
}
