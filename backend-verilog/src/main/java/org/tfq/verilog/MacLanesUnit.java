package org.tfq.verilog;

import java.util.LinkedHashMap;

/**
 * Parameters of {@code tfq_mac_lanes}: {@code lanes} multiply-accumulate lanes of
 * {@code aW}-bit by {@code bW}-bit operands into {@code accW}-bit accumulators.
 */
public record MacLanesUnit(int lanes, int aW, boolean aSigned, int bW, boolean bSigned, int accW) implements UnitParameters {

    /** Cycles from presenting a term (en/clr) to the accumulator holding it: product, accumulate. */
    public static final int LATENCY = 2;

    public MacLanesUnit {
        UnitParameters.check(lanes >= 1 && lanes <= 256, "lanes " + lanes + " not in 1..256");
        UnitParameters.check(aW >= 1 && aW <= 32 && bW >= 1 && bW <= 32, "operand widths " + aW + ", " + bW + " not in 1..32");
        int pW = aW + (aSigned ? 0 : 1) + bW + (bSigned ? 0 : 1);
        UnitParameters.check(accW >= pW && accW <= 64, "accumulator width " + accW + " not in " + pW + "..64");
    }

    /** Signed width of one product (unsigned operands gain a zero bit). */
    public int productW() {
        return aW + (aSigned ? 0 : 1) + bW + (bSigned ? 0 : 1);
    }

    @Override
    public RtlModule module() {
        return RtlModule.MAC_LANES;
    }

    @Override
    public LinkedHashMap<String, Long> parameters() {
        LinkedHashMap<String, Long> p = new LinkedHashMap<>();
        p.put("P", (long) lanes);
        p.put("A_W", (long) aW);
        p.put("A_SIGNED", UnitParameters.flag(aSigned));
        p.put("B_W", (long) bW);
        p.put("B_SIGNED", UnitParameters.flag(bSigned));
        p.put("ACC_W", (long) accW);
        return p;
    }
}
