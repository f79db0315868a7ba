package org.tfq.verilog;

import java.util.LinkedHashMap;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.op.IntAffine;

/**
 * Parameters of {@code tfq_affine}: {@code inW}-bit input codes, signed {@code multiplierW}-bit
 * m, signed {@code offsetW}-bit c, {@code shiftW}-bit shift, {@code outW}-bit output codes.
 */
public record AffineUnit(int inW, boolean inSigned, int multiplierW, int offsetW, int shiftW, int outW, boolean outSigned)
        implements UnitParameters {

    /** Cycles from in_valid to out_valid: subtract, multiply, add, then the three of tfq_rshift_sat. */
    public static final int LATENCY = 6;

    public AffineUnit {
        UnitParameters.check(inW >= 1 && inW <= 48, "input width " + inW + " not in 1..48");
        UnitParameters.check(multiplierW >= 1 && multiplierW <= 63, "multiplier width " + multiplierW + " not in 1..63");
        UnitParameters.check(offsetW >= 1 && offsetW <= 63, "offset width " + offsetW + " not in 1..63");
        UnitParameters.check(shiftW >= 1 && shiftW <= 7, "shift port width " + shiftW + " not in 1..7");
        UnitParameters.check(outW >= 1 && outW <= 63, "output width " + outW + " not in 1..63");
    }

    /** The narrowest unit for an {@link IntAffine} op (its constants' ranges, its shift, its types). */
    public static AffineUnit of(IntAffine op) {
        int mW = IntMath.signedBits(Math.min(0, op.multiplier().min()), Math.max(0, op.multiplier().max()));
        int cW = IntMath.signedBits(Math.min(0, op.offset().min()), Math.max(0, op.offset().max()));
        return new AffineUnit(op.in().bits(), op.in().signed(), mW, cW, IntMath.unsignedBits(op.shift()), op.out().bits(),
                op.out().signed());
    }

    @Override
    public RtlModule module() {
        return RtlModule.AFFINE;
    }

    @Override
    public LinkedHashMap<String, Long> parameters() {
        LinkedHashMap<String, Long> p = new LinkedHashMap<>();
        p.put("IN_W", (long) inW);
        p.put("IN_SIGNED", UnitParameters.flag(inSigned));
        p.put("M_W", (long) multiplierW);
        p.put("C_W", (long) offsetW);
        p.put("SHIFT_W", (long) shiftW);
        p.put("OUT_W", (long) outW);
        p.put("OUT_SIGNED", UnitParameters.flag(outSigned));
        return p;
    }
}
