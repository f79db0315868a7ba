package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.Requantizer;

/**
 * tfq_requant against {@link Requantizer#apply} (and the fused ReLU max(y, Z)) for many vectors
 * per parameter set, all parameter sets in one testbench build, in Verilator and Icarus.
 */
class RequantRtlTest {

    /** Parameter sets: widths at the small and large ends, both output signednesses, 1-bit outputs. */
    static final List<RequantUnit> UNITS = List.of(
            new RequantUnit(32, 16, 6, 8, true),
            new RequantUnit(32, 16, 6, 8, false),
            new RequantUnit(20, 31, 6, 16, true),
            new RequantUnit(40, 23, 6, 4, false),   // 64-bit product register, 65-bit sum
            new RequantUnit(8, 1, 6, 1, true),
            new RequantUnit(8, 4, 3, 1, false),     // shift port of 3 bits
            new RequantUnit(16, 16, 6, 32, true),
            new RequantUnit(31, 31, 6, 48, false));

    static final int PER_UNIT = 2500;

    record Vector(int cfg, int gap, long acc, long m, int shift, long zp, boolean relu) {}

    static long expected(RequantUnit u, Vector v) {
        Requantizer r = new Requantizer((int) v.m, v.shift, v.zp, u.outW(), u.outSigned());
        long q = r.apply(v.acc);
        return v.relu ? Math.max(q, v.zp) : q;
    }

    static List<Vector> vectors(long seed) {
        Random rnd = new Random(seed);
        List<Vector> out = new ArrayList<>();
        for (int cfg = 0; cfg < UNITS.size(); cfg++) {
            RequantUnit u = UNITS.get(cfg);
            long accMin = IntMath.min(u.accW(), true), accMax = IntMath.max(u.accW(), true);
            long mMax = IntMath.max(u.multiplierW(), false);
            int shiftMax = Math.min(IntMath.MAX_SHIFT, (1 << u.shiftW()) - 1);
            long zMin = IntMath.min(u.outW(), u.outSigned()), zMax = IntMath.max(u.outW(), u.outSigned());
            long[] accEdges = {accMin, accMax, 0, 1, -1, accMin + 1, accMax - 1};
            long[] mEdges = {0, 1, mMax, mMax - 1 < 0 ? 0 : mMax - 1};
            long[] zEdges = {zMin, zMax, 0, zMin + (zMax - zMin) / 2};
            // every combination of the edges, with a few shifts
            for (long acc : accEdges) {
                for (long m : mEdges) {
                    for (long z : zEdges) {
                        for (int s : new int[] {0, 1, shiftMax, rnd.nextInt(shiftMax + 1)}) {
                            out.add(new Vector(cfg, gap(rnd), acc, m, s, z, rnd.nextBoolean()));
                        }
                    }
                }
            }
            while (out.size() < (cfg + 1) * PER_UNIT) {
                long m = switch (rnd.nextInt(4)) {
                    case 0 -> mMax;
                    case 1 -> rnd.nextLong(mMax + 1) | (mMax + 1) >> 1; // normalised, as Requantizer.of makes them
                    default -> rnd.nextLong(mMax + 1);
                };
                long acc = randomAcc(rnd, u.accW());
                int s;
                int kind = rnd.nextInt(3);
                if (kind == 0 && m > 0) {
                    // an exact tie: acc m = odd * 2^(s-1), positive or negative
                    int t = Long.numberOfTrailingZeros(m);
                    int maxS = Math.min(shiftMax, t + u.accW() - 1);
                    if (maxS < 1) {
                        s = 0;
                    } else {
                        s = 1 + rnd.nextInt(maxS);
                        int e = Math.max(0, s - 1 - t);
                        long span = accMax >> e; // |odd| 2^e must fit
                        long odd = (rnd.nextLong(Math.max(1, span)) | 1) * (rnd.nextBoolean() ? 1 : -1);
                        acc = odd << e;
                        // a tie needs s - 1 >= t; otherwise the product is a multiple of 2^s (also worth testing)
                    }
                } else if (kind == 1) {
                    // around saturation: the shift that brings |acc m| to the output width, +-2
                    long p = Math.abs(acc * m);
                    int bits = 64 - Long.numberOfLeadingZeros(p);
                    s = Math.max(0, Math.min(shiftMax, bits - u.outW() + rnd.nextInt(5) - 2));
                } else {
                    s = rnd.nextInt(shiftMax + 1);
                }
                long z = switch (rnd.nextInt(4)) {
                    case 0 -> zMin;
                    case 1 -> zMax;
                    default -> zMin + rnd.nextLong(zMax - zMin + 1);
                };
                out.add(new Vector(cfg, gap(rnd), acc, m, s, z, rnd.nextInt(4) == 0));
            }
        }
        return out;
    }

    static int gap(Random rnd) {
        return rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(3) : 0;
    }

    /** Uniform on a random number of significant bits, so small and large magnitudes both occur. */
    static long randomAcc(Random rnd, int bits) {
        int b = 1 + rnd.nextInt(bits);
        long lo = IntMath.min(b, true), hi = IntMath.max(b, true);
        return lo + rnd.nextLong(hi - lo + 1);
    }

    static VectorFile file(List<Vector> vs, int corrupt) {
        VectorFile f = new VectorFile(64, 64, 64, 64, 64, 64, 64, 64);
        for (int i = 0; i < vs.size(); i++) {
            Vector v = vs.get(i);
            RequantUnit u = UNITS.get(v.cfg);
            long y = expected(u, v);
            if (i == corrupt) y = y == IntMath.max(u.outW(), u.outSigned()) ? y - 1 : y + 1;
            f.add(v.cfg, v.gap, v.acc, v.m, v.shift, Bench.mask(v.zp, u.outW()), v.relu ? 1 : 0, Bench.mask(y, u.outW()));
        }
        return f;
    }

    static Map<String, Object> model() {
        List<Map<String, Object>> configs = new ArrayList<>();
        for (RequantUnit u : UNITS) {
            configs.add(Bench.config(u,
                    List.of(Bench.port("acc", "acc", u.accW()), Bench.port("m", "m", u.multiplierW()),
                            Bench.port("shift", "shift", u.shiftW()), Bench.port("zp", "zp", u.outW()),
                            Bench.port("relu", "relu", 1)),
                    List.of(Bench.port("y", "y", u.outW()))));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top", "tb_requant");
        m.put("vectorFile", Bench.VECTORS);
        m.put("latency", RequantUnit.LATENCY);
        m.put("inFields", List.of("acc", "m", "shift", "zp", "relu"));
        m.put("outFields", List.of("y"));
        m.put("configs", configs);
        return m;
    }

    @Test
    void matchesRequantizerInBothSimulators() throws Exception {
        Path dir = Bench.workDir("requant");
        List<Vector> vs = vectors(20240601L);
        file(vs, -1).write(dir.resolve(Bench.VECTORS));
        List<Path> sources = Bench.sources(dir, List.of(RtlModule.REQUANT), "tb/tb_pipeline.v.ftl", model());
        for (SimResult r : Bench.runBoth(dir, sources, "tb_requant")) Bench.assertPassed(r, vs.size());

        // the same builds must catch one wrong expectation, and name it
        int bad = vs.size() / 2;
        file(vs, bad).write(dir.resolve(Bench.VECTORS));
        for (SimResult r : Bench.runBoth(dir, sources, "tb_requant")) {
            assertEquals(1, r.summary().orElseThrow().mismatches(), r::describe);
            assertTrue(r.firstMismatch().orElseThrow().startsWith("MISMATCH vector " + bad + " "), r::describe);
            System.out.println(r.describe());
        }
        assertTrue(Files.exists(dir.resolve("verilator").resolve("Vtb_requant")));
    }
}
