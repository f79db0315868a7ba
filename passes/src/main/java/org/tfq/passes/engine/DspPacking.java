package org.tfq.passes.engine;

import org.tfq.passes.schedule.EngineWidths;

/**
 * Whether two MAC lanes share one DSP48E1 multiplier: the activation is the same for both, so
 * {@code x (b_j + b_j+1 2^PW) = p_j + p_j+1 2^PW} when both products fit the 25 x 18 multiplier
 * side by side. The engine template builds the pair when this says so; the resource model counts it.
 */
public final class DspPacking {
    private DspPacking() {}

    /** Operand widths of a DSP48E1 multiplier. */
    public static final int DSP_A_BITS = 25, DSP_B_BITS = 18;

    /**
     * On an iCE40 never: its SB_MAC16 multiplies 16 x 16, too narrow for two products side by
     * side at any width the engine has (9-bit centred activations times 8-bit operands already
     * need 17 bits for one product).
     */
    public static boolean pairs(EngineWidths e, boolean ice40) {
        return !ice40 && pairs(e);
    }

    /** True when the engine of {@code e} packs its lanes two per multiplier. */
    public static boolean pairs(EngineWidths e) {
        int centred = e.aw() + 1;
        int product = centred + e.bw();
        return e.lanes() % 2 == 0 && product + e.bw() <= DSP_A_BITS && centred <= DSP_B_BITS;
    }

    /**
     * Which of the engine's multipliers go to DSP48E1 slices, as the resource model counts them
     * ({@code ResourceModel.dspUse}): the template marks each with {@code use_dsp} so that Vivado
     * maps them as tfq counted them, not by its own width thresholds. {@code lanes} is the lane
     * product (or the pair's packed product), {@code postA}/{@code postB} the output unit's a m1
     * and b m2, {@code product} the elementwise product of two activations, {@code softmax} e k,
     * {@code lnScale} x n, {@code lnNumerator} d G + B sigma, {@code lnSquare} d d.
     */
    public record Use(boolean lanes, boolean postA, boolean postB, boolean product, boolean softmax,
            boolean lnScale, boolean lnNumerator, boolean lnSquare) {
        /** The attribute's value. */
        public static String attribute(boolean dsp) {
            return dsp ? "yes" : "no";
        }
    }
}
