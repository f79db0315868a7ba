package org.tfq.verilog;

import java.util.LinkedHashMap;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntMath;

/** Parameters of {@code tfq_isqrt}: {@link IntMath#isqrt(long, int)} of an {@code operandW}-bit radicand. */
public record IsqrtUnit(int operandW) implements UnitParameters {

    public IsqrtUnit {
        UnitParameters.check(operandW >= 1 && operandW <= IntMath.MAX_SQRT_BITS,
                "square root operand width " + operandW + " not in 1.." + IntMath.MAX_SQRT_BITS);
    }

    /** Clock cycles from an accepted start to done: exactly {@code IntMath.isqrtCycles(operandW)}. */
    public int cycles() {
        return IntMath.isqrtCycles(operandW);
    }

    /** Width of the root. */
    public int rootW() {
        return IntMath.isqrtCycles(operandW);
    }

    /** The square root of an integer LayerNorm: its radicand {@code V 2^(2p) + E}. */
    public static IsqrtUnit forLayerNorm(IntLayerNorm ln) {
        return new IsqrtUnit(ln.radicandBits());
    }

    @Override
    public RtlModule module() {
        return RtlModule.ISQRT;
    }

    @Override
    public LinkedHashMap<String, Long> parameters() {
        LinkedHashMap<String, Long> p = new LinkedHashMap<>();
        p.put("OP_W", (long) operandW);
        return p;
    }
}
