package org.tfq.verilog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntMath;

/**
 * tfq_isqrt against {@link IntMath#isqrt(long, int)}: every radicand of 1 to 12 bits, random ones
 * and the edges (squares, squares - 1, the largest) of wide radicands, and a LayerNorm's real
 * radicand width, in both simulators; done must come exactly isqrtCycles after start.
 */
class IsqrtRtlTest {

    static final int EXHAUSTIVE_UP_TO = 12;
    static final int[] WIDE = {13, 31, 42, 61, 62};
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

    static final List<IsqrtUnit> UNITS = units();

    static List<IsqrtUnit> units() {
        List<IsqrtUnit> u = new ArrayList<>();
        for (int b = 1; b <= EXHAUSTIVE_UP_TO; b++) u.add(new IsqrtUnit(b));
        for (int b : WIDE) u.add(new IsqrtUnit(b));
        u.add(IsqrtUnit.forLayerNorm(LAYERNORM));
        return u;
    }

    record Vector(int cfg, int gap, long v) {}

    static List<Vector> vectors(long seed) {
        Random rnd = new Random(seed);
        List<Vector> out = new ArrayList<>();
        for (int cfg = 0; cfg < UNITS.size(); cfg++) {
            int bits = UNITS.get(cfg).operandW();
            long max = IntMath.max(bits, false);
            if (bits <= EXHAUSTIVE_UP_TO) {
                for (long v = 0; v <= max; v++) out.add(new Vector(cfg, gap(rnd), v));
                continue;
            }
            out.add(new Vector(cfg, 0, 0));
            out.add(new Vector(cfg, 0, max));
            for (int i = 0; i < 600; i++) {
                long v = switch (rnd.nextInt(4)) {
                    case 0 -> {
                        long r = rnd.nextLong(IntMath.isqrt(max, bits) + 1);
                        yield Math.max(0, r * r - rnd.nextInt(2)); // a square or one below
                    }
                    case 1 -> max - rnd.nextInt(1000);
                    default -> rnd.nextLong(max >> rnd.nextInt(bits) | 1);
                };
                out.add(new Vector(cfg, gap(rnd), v));
            }
        }
        return out;
    }

    static int gap(Random rnd) {
        return rnd.nextInt(4) == 0 ? rnd.nextInt(8) : 0;
    }

    static Map<String, Object> model() {
        List<Map<String, Object>> configs = new ArrayList<>();
        for (IsqrtUnit u : UNITS) {
            Map<String, Object> c = Bench.config(u, List.of(Bench.port("v", "v", u.operandW())),
                    List.of(Bench.port("root", "root", u.rootW())));
            c.put("cycles", u.cycles());
            configs.add(c);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top", "tb_isqrt");
        m.put("vectorFile", Bench.VECTORS);
        m.put("inFields", List.of("v"));
        m.put("outFields", List.of("root"));
        m.put("configs", configs);
        return m;
    }

    @Test
    void matchesIsqrtInBothSimulators() {
        Path dir = Bench.workDir("isqrt");
        List<Vector> vs = vectors(5L);
        VectorFile f = new VectorFile(64, 64, 64, 64, 64);
        for (Vector v : vs) f.add(v.cfg, v.gap, 1, v.v, IntMath.isqrt(v.v, UNITS.get(v.cfg).operandW()));
        f.write(dir.resolve(Bench.VECTORS));
        List<Path> sources = Bench.sources(dir, List.of(RtlModule.ISQRT), "tb/tb_sequential.v.ftl", model());
        for (SimResult r : Bench.runBoth(dir, sources, "tb_isqrt")) Bench.assertPassed(r, vs.size());
    }
}
