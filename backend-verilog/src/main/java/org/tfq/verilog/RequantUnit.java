package org.tfq.verilog;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.Requantizer;

/**
 * Parameters of {@code tfq_requant}: a signed {@code accW}-bit accumulator, an unsigned
 * {@code multiplierW}-bit multiplier, a {@code shiftW}-bit shift, {@code outW}-bit output codes.
 * Multiplier, shift, zero point and ReLU are ports, so one unit serves any requantizers of these
 * widths (per-channel ones from a ROM).
 */
public record RequantUnit(int accW, int multiplierW, int shiftW, int outW, boolean outSigned) implements UnitParameters {

    /** Cycles from in_valid to out_valid: the product register and the three of tfq_rshift_sat. */
    public static final int LATENCY = 4;

    public RequantUnit {
        UnitParameters.check(accW >= 1 && accW <= 64, "accumulator width " + accW + " not in 1..64");
        UnitParameters.check(multiplierW >= 1 && multiplierW <= 31, "multiplier width " + multiplierW + " not in 1..31");
        UnitParameters.check(shiftW >= 1 && shiftW <= 7, "shift port width " + shiftW + " not in 1..7");
        UnitParameters.check(outW >= 1 && outW <= 63, "output width " + outW + " not in 1..63");
    }

    /** The narrowest unit that applies every one of {@code requantizers} to {@code accBits}-bit accumulators. */
    public static RequantUnit of(int accBits, List<Requantizer> requantizers) {
        if (requantizers.isEmpty()) throw new IllegalArgumentException("no requantizer");
        Requantizer first = requantizers.get(0);
        long maxM = 0;
        int maxShift = 0;
        for (Requantizer r : requantizers) {
            if (r.outBits() != first.outBits() || r.outSigned() != first.outSigned()) {
                throw new IllegalArgumentException("requantizers to different output types cannot share a unit");
            }
            maxM = Math.max(maxM, r.multiplier());
            maxShift = Math.max(maxShift, r.shift());
        }
        return new RequantUnit(accBits, IntMath.unsignedBits(maxM), IntMath.unsignedBits(maxShift), first.outBits(),
                first.outSigned());
    }

    @Override
    public RtlModule module() {
        return RtlModule.REQUANT;
    }

    @Override
    public LinkedHashMap<String, Long> parameters() {
        LinkedHashMap<String, Long> p = new LinkedHashMap<>();
        p.put("ACC_W", (long) accW);
        p.put("M_W", (long) multiplierW);
        p.put("SHIFT_W", (long) shiftW);
        p.put("OUT_W", (long) outW);
        p.put("OUT_SIGNED", UnitParameters.flag(outSigned));
        return p;
    }
}
