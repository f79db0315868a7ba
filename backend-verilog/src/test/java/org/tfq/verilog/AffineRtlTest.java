package org.tfq.verilog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.op.IntAffine;

/** tfq_affine against {@link IntAffine#applyInt} itself, every parameter set in one build, both simulators. */
class AffineRtlTest {

    static final List<AffineUnit> UNITS = List.of(
            new AffineUnit(8, true, 16, 32, 6, 8, true),
            new AffineUnit(8, false, 16, 32, 6, 8, false),
            new AffineUnit(4, true, 8, 12, 4, 4, false),
            new AffineUnit(16, true, 24, 48, 6, 16, true),
            new AffineUnit(1, false, 2, 2, 1, 1, true),
            new AffineUnit(12, false, 20, 40, 6, 32, false));

    static final int PER_UNIT = 2500;

    record Vector(int cfg, int gap, long x, long zin, long m, long c, int shift, long zout, boolean relu) {}

    /** The golden result: a one-element IntAffine with these constants applied to x. */
    static long expected(AffineUnit u, Vector v) {
        IntType in = new IntType(u.inW(), u.inSigned(), 1.0, v.zin);
        IntType out = new IntType(u.outW(), u.outSigned(), 1.0, v.zout);
        // accBits 64: the op's own width check (acc within accBits - 1 = 63 bits) never rejects a vector
        IntAffine op = new IntAffine(in, IntTensor.scalar(v.m), IntTensor.scalar(v.c), v.shift, v.relu, out, "test", 64);
        return op.applyInt(List.of(IntTensor.scalar(v.x))).data()[0];
    }

    static long pick(Random rnd, long lo, long hi) {
        return switch (rnd.nextInt(6)) {
            case 0 -> lo;
            case 1 -> hi;
            default -> lo + rnd.nextLong(hi - lo + 1);
        };
    }

    static List<Vector> vectors(long seed) {
        Random rnd = new Random(seed);
        List<Vector> out = new ArrayList<>();
        for (int cfg = 0; cfg < UNITS.size(); cfg++) {
            AffineUnit u = UNITS.get(cfg);
            long xMin = IntMath.min(u.inW(), u.inSigned()), xMax = IntMath.max(u.inW(), u.inSigned());
            long mMin = IntMath.min(u.multiplierW(), true), mMax = IntMath.max(u.multiplierW(), true);
            long cMin = IntMath.min(u.offsetW(), true), cMax = IntMath.max(u.offsetW(), true);
            long zMin = IntMath.min(u.outW(), u.outSigned()), zMax = IntMath.max(u.outW(), u.outSigned());
            int shiftMax = Math.min(IntMath.MAX_SHIFT, (1 << u.shiftW()) - 1);
            // the corners: extreme x and zin, multiplier and offset, shift and zero point
            for (long x : new long[] {xMin, xMax}) {
                for (long zin : new long[] {xMin, xMax}) {
                    for (long m : new long[] {mMin, mMax, 0}) {
                        for (long c : new long[] {cMin, cMax, 0}) {
                            for (int s : new int[] {0, shiftMax}) {
                                for (long z : new long[] {zMin, zMax}) out.add(new Vector(cfg, 0, x, zin, m, c, s, z, rnd.nextBoolean()));
                            }
                        }
                    }
                }
            }
            while (out.size() < (cfg + 1) * PER_UNIT) {
                long x = pick(rnd, xMin, xMax), zin = pick(rnd, xMin, xMax), m = pick(rnd, mMin, mMax);
                long p = (x - zin) * m;
                long c;
                int s;
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        // an exact tie after the shift: c moves p + c to odd * 2^(s-1), |c| < 2^s
                        s = 1 + rnd.nextInt(Math.min(shiftMax, u.offsetW() - 1));
                        long tie = Math.floorDiv(p, 1L << s) * (1L << s) + (1L << (s - 1));
                        c = tie - p;
                    }
                    case 1 -> {
                        // near saturation: shift |p + c| to about the output width
                        c = pick(rnd, cMin, cMax) >> rnd.nextInt(u.offsetW());
                        int bits = 64 - Long.numberOfLeadingZeros(Math.abs(p + c));
                        s = Math.max(0, Math.min(shiftMax, bits - u.outW() + rnd.nextInt(5) - 2));
                    }
                    default -> {
                        c = pick(rnd, cMin, cMax) >> rnd.nextInt(u.offsetW());
                        s = rnd.nextInt(shiftMax + 1);
                    }
                }
                int gap = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(3) : 0;
                out.add(new Vector(cfg, gap, x, zin, m, c, s, pick(rnd, zMin, zMax), rnd.nextInt(3) == 0));
            }
        }
        return out;
    }

    static Map<String, Object> model() {
        List<Map<String, Object>> configs = new ArrayList<>();
        for (AffineUnit u : UNITS) {
            configs.add(Bench.config(u,
                    List.of(Bench.port("x", "x", u.inW()), Bench.port("zin", "zin", u.inW()), Bench.port("m", "m", u.multiplierW()),
                            Bench.port("c", "c", u.offsetW()), Bench.port("shift", "shift", u.shiftW()),
                            Bench.port("zout", "zout", u.outW()), Bench.port("relu", "relu", 1)),
                    List.of(Bench.port("y", "y", u.outW()))));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top", "tb_affine");
        m.put("vectorFile", Bench.VECTORS);
        m.put("latency", AffineUnit.LATENCY);
        m.put("inFields", List.of("x", "zin", "m", "c", "shift", "zout", "relu"));
        m.put("outFields", List.of("y"));
        m.put("configs", configs);
        return m;
    }

    @Test
    void matchesIntAffineInBothSimulators() {
        Path dir = Bench.workDir("affine");
        List<Vector> vs = vectors(7L);
        VectorFile f = new VectorFile(64, 64, 64, 64, 64, 64, 64, 64, 64, 64);
        for (Vector v : vs) {
            AffineUnit u = UNITS.get(v.cfg);
            f.add(v.cfg, v.gap, v.x, v.zin, v.m, v.c, v.shift, v.zout, v.relu ? 1 : 0, Bench.mask(expected(u, v), u.outW()));
        }
        f.write(dir.resolve(Bench.VECTORS));
        List<Path> sources = Bench.sources(dir, List.of(RtlModule.AFFINE), "tb/tb_pipeline.v.ftl", model());
        for (SimResult r : Bench.runBoth(dir, sources, "tb_affine")) Bench.assertPassed(r, vs.size());
    }
}
