package org.tfq.passes.explore;

import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.Resources;

/**
 * An estimate of on-chip power and energy per inference from the resource model's counts, for
 * ranking design points before any Vivado run. It is not a power analysis: Vivado's
 * {@code report_power} on the routed design replaces it ({@code tfq explore --collect}).
 *
 * <p>Power = static + clock tree + f x (sum over resources of count x per-MHz coefficient). The
 * coefficients are assumptions of the order of AMD's Xilinx Power Estimator defaults for 7-series
 * parts at 12.5% toggle rate (block RAM at 50% enable, DSP48E1 with registered operands); they
 * were not fitted to measurements. Energy per inference = power x cycles / f: the engine runs
 * every cycle of an inference and nothing is clock-gated. Static power is a part constant (XC7S15,
 * 25 C junction, typical process), so slower designs pay it for longer: the reason fewer bits do
 * not always mean less energy.
 */
public final class PowerModel {
    private PowerModel() {}

    /** Static power of the XC7S15 at 25 C, typical process, in watts (Vivado reports about 0.03 W for an idle design). */
    public static final double STATIC_W = 0.032;
    /** The global clock buffer and spine, whatever the design, in microwatts per MHz. */
    public static final double CLOCK_UW_PER_MHZ = 15.0;
    /** Per LUT (logic or distributed RAM) at 12.5% toggle, in microwatts per MHz. */
    public static final double LUT_UW_PER_MHZ = 0.045;
    /** Per flip-flop at 12.5% toggle (its share of the clock net included), in microwatts per MHz. */
    public static final double FF_UW_PER_MHZ = 0.025;
    /** Per DSP48E1 slice, multiplier in use every cycle, in microwatts per MHz. */
    public static final double DSP_UW_PER_MHZ = 3.0;
    /** Per 36 Kb block RAM tile at 50% enable, in microwatts per MHz. */
    public static final double BRAM36_UW_PER_MHZ = 12.0;

    /** Static, dynamic and total power in watts. */
    public record Power(double staticW, double dynamicW) {
        public double totalW() {
            return staticW + dynamicW;
        }
    }

    public static Power power(Resources r, double clockMhz) {
        if (!(clockMhz > 0)) throw new IllegalArgumentException("clock " + clockMhz + " MHz");
        double perMhz = CLOCK_UW_PER_MHZ + r.lut() * LUT_UW_PER_MHZ + r.ff() * FF_UW_PER_MHZ + r.dsp() * DSP_UW_PER_MHZ
                + r.bram36Tiles() * BRAM36_UW_PER_MHZ;
        return new Power(STATIC_W, perMhz * clockMhz * 1e-6);
    }

    /** The estimate of {@code cap}'s family: {@link Ice40PowerModel} on an iCE40, this model on a 7 series part. */
    public static Power power(Resources r, Capacity cap, double clockMhz) {
        return cap.ice40() ? Ice40PowerModel.power(r, clockMhz) : power(r, clockMhz);
    }

    /** Energy of one inference of {@code cycles} cycles at {@code totalW}, in microjoules. */
    public static double energyMicrojoules(double totalW, long cycles, double clockMhz) {
        return totalW * cycles / clockMhz; // W x us = uJ
    }
}
