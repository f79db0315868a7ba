package org.tfq.verilog;

import java.util.LinkedHashMap;
import org.tfq.ir.integer.IntMath;

/**
 * Parameters of {@code tfq_divround_pipe}, the fully pipelined {@link IntMath#divRound}{@code
 * (num, den)}: a signed {@code numW}-bit dividend, an unsigned {@code denW}-bit divisor
 * {@code > 0}, exact when {@code |q| < 2^quotientW} (q is a signed {@code quotientW + 1}-bit
 * output). One division enters every cycle; there is no overflow flag, so the caller's range analysis must guarantee the quotient bound.
 */
public record DivRoundPipeUnit(int numW, int denW, int quotientW) implements UnitParameters {

    public DivRoundPipeUnit {
        UnitParameters.check(numW >= 1 && numW <= 63, "dividend width " + numW + " not in 1..63");
        UnitParameters.check(denW >= 1 && denW <= 62, "divisor width " + denW + " not in 1..62");
        UnitParameters.check(quotientW >= 1 && quotientW <= 62, "quotient width " + quotientW + " not in 1..62");
    }

    /**
     * Cycles from in_valid to out_valid, {@code quotientW + 2}: one adds den/2, one forms the
     * magnitude, then one per quotient bit ({@code IntMath.divideCycles(quotientW)}).
     */
    public int latency() {
        return org.tfq.passes.engine.EngineLatencies.divider(quotientW);
    }

    @Override
    public RtlModule module() {
        return RtlModule.DIVROUND_PIPE;
    }

    @Override
    public LinkedHashMap<String, Long> parameters() {
        LinkedHashMap<String, Long> p = new LinkedHashMap<>();
        p.put("NUM_W", (long) numW);
        p.put("DEN_W", (long) denW);
        p.put("Q_W", (long) quotientW);
        return p;
    }
}
