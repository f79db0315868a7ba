package org.tfq.verilog;

import java.util.LinkedHashMap;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntSoftmax;

/**
 * Parameters of {@code tfq_divider}, which computes {@link IntMath#divRound}{@code (num, den)}
 * for a {@code numW}-bit dividend (signed or not), an unsigned {@code denW}-bit divisor
 * {@code > 0}, exactly when {@code |q| < 2^quotientW}.
 */
public record DividerUnit(int numW, boolean numSigned, int denW, int quotientW) implements UnitParameters {

    public DividerUnit {
        UnitParameters.check(numW >= 1 && numW <= 63, "dividend width " + numW + " not in 1..63");
        UnitParameters.check(denW >= 1 && denW <= 62, "divisor width " + denW + " not in 1..62");
        UnitParameters.check(quotientW >= 1 && quotientW <= 62, "quotient width " + quotientW + " not in 1..62");
    }

    /** Clock cycles from an accepted start to done: {@code IntMath.divideCycles(quotientW) + 2}. */
    public int cycles() {
        return IntMath.divideCycles(quotientW) + 2;
    }

    /**
     * The unit for every {@code num} in {@code numMin..numMax} and {@code den} in
     * {@code denMin..denMax} ({@code denMin >= 1}): {@code |divRound(num, den)| <=
     * floor(max|num| / denMin) + 1} sizes the quotient.
     */
    public static DividerUnit of(long numMin, long numMax, long denMin, long denMax) {
        if (numMin > numMax || denMin < 1 || denMin > denMax) {
            throw new IllegalArgumentException("divider ranges " + numMin + ".." + numMax + " / " + denMin + ".." + denMax);
        }
        long maxAbs = Math.max(Math.abs(numMin), Math.abs(numMax));
        int qW = IntMath.unsignedBits(maxAbs / denMin + 1);
        boolean signed = numMin < 0;
        return new DividerUnit(signed ? IntMath.signedBits(numMin, numMax) : IntMath.unsignedBits(numMax), signed,
                IntMath.unsignedBits(denMax), qW);
    }

    /** The divider of an integer softmax: {@code divRound(e_i K, T 2^k)}, unsigned, {@code s.quotientBits()} cycles. */
    public static DividerUnit forSoftmax(IntSoftmax s) {
        return new DividerUnit(s.productBits(), false, s.divisorBits(), s.quotientBits());
    }

    /**
     * The divider of an integer LayerNorm: {@code divRound(d_i G_i, sigma)}, signed; the quotient
     * {@code Q_i} has {@code ln.quotientBits()} signed bits, one fewer of magnitude.
     */
    public static DividerUnit forLayerNorm(IntLayerNorm ln) {
        return new DividerUnit(ln.productBits(), true, ln.sigmaBits(), Math.max(1, ln.quotientBits() - 1));
    }

    @Override
    public RtlModule module() {
        return RtlModule.DIVIDER;
    }

    @Override
    public LinkedHashMap<String, Long> parameters() {
        LinkedHashMap<String, Long> p = new LinkedHashMap<>();
        p.put("NUM_W", (long) numW);
        p.put("NUM_SIGNED", UnitParameters.flag(numSigned));
        p.put("DEN_W", (long) denW);
        p.put("Q_W", (long) quotientW);
        return p;
    }
}
