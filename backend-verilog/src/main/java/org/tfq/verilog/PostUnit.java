package org.tfq.verilog;

import java.util.LinkedHashMap;

/**
 * Parameters of {@code tfq_post}, the output stage {@code y = clamp(z + roundShift(a m1 + b m2 + c,
 * sh), lo, hi)}: signed {@code aW}-, {@code bW}-bit operands, signed {@code m1W}-, {@code m2W}-bit
 * multipliers, a signed {@code cW}-bit offset, an unsigned {@code shW}-bit shift and signed
 * {@code yW}-bit y, z, lo and hi. Everything but the widths is a port, so one unit serves every
 * output of these widths (per-channel constants from a ROM).
 *
 * <p>The widths are bounded so that the exact sum ({@link #sumW()} bits) fits a {@code long},
 * the type the integer golden model computes in.
 */
public record PostUnit(int aW, int bW, int m1W, int m2W, int cW, int shW, int yW) implements UnitParameters {

    /** Cycles from in_valid to out_valid: two products and two adds (DSP48E1s), shift, add z, clamp. */
    public static final int LATENCY = org.tfq.passes.engine.EngineLatencies.POST;

    public PostUnit {
        UnitParameters.check(aW >= 1 && m1W >= 1 && aW + m1W <= 62, "a and m1 widths " + aW + ", " + m1W + " not >= 1 with a sum <= 62");
        UnitParameters.check(bW >= 1 && m2W >= 1 && bW + m2W <= 62, "b and m2 widths " + bW + ", " + m2W + " not >= 1 with a sum <= 62");
        UnitParameters.check(cW >= 1 && cW <= 62, "offset width " + cW + " not in 1..62");
        UnitParameters.check(shW >= 1 && shW <= 7, "shift port width " + shW + " not in 1..7");
        UnitParameters.check(yW >= 1 && yW <= 63, "output width " + yW + " not in 1..63");
    }

    /** Signed width of {@code a m1 + b m2 + c} inside the unit: the widest term plus two (at most 64). */
    public int sumW() {
        return Math.max(Math.max(aW + m1W, bW + m2W), cW) + 2;
    }

    /** The largest shift the port carries, {@code 2^shW - 1}; every shift up to it is exact. */
    public int maxShift() {
        return (1 << shW) - 1;
    }

    @Override
    public RtlModule module() {
        return RtlModule.POST;
    }

    @Override
    public LinkedHashMap<String, Long> parameters() {
        LinkedHashMap<String, Long> p = new LinkedHashMap<>();
        p.put("A_W", (long) aW);
        p.put("B_W", (long) bW);
        p.put("M1_W", (long) m1W);
        p.put("M2_W", (long) m2W);
        p.put("C_W", (long) cW);
        p.put("SH_W", (long) shW);
        p.put("Y_W", (long) yW);
        return p;
    }
}
