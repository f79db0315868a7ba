package org.tfq.passes.explore;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tfq.passes.resources.Resources;

/**
 * An estimate of the iCE40 UltraPlus core power from the iCE40 resource model's counts, in the
 * form of {@link PowerModel}: static + f x (clock + per-resource coefficients). nextpnr estimates
 * no power, so this estimate stands for every iCE40 design; it is not a power analysis.
 *
 * <p>The figures are from rail measurements of an iCE40UP5K on Lattice's UltraPlus breakout board
 * built with Yosys and nextpnr (tinyvision-ai-inc/ice40_power, core rail at 1.219 V, Joulescope
 * JS110): a configured design with its clock halted draws 92 uA on the core and about 34 uW on the
 * PLL and I/O rails; the clock costs 43 uA/MHz (the slope of a 28-LC counter from 6 to 48 MHz, the
 * same with an external 12 MHz clock); 196 more counter logic cells add 28 uA at 12 MHz, an 8x8
 * multiplier in logic (180 LC) 351 uA, and the same multiply in one SB_MAC16 231 uA. Counter cells
 * toggle rarely and a multiplier array's glitch a lot; the engine's cells (address counters, muxes,
 * adders) sit between, so the per-cell figure is the geometric mean of the two (0.014 and 0.20
 * uW/MHz). A logic cell is a LUT4 and its flip-flop, so cells are counted as max(LUT4, DFF). No
 * measurement of an EBR was found: its figure assumes about 4 pJ per 4 Kb read, every cycle.
 */
public final class Ice40PowerModel {
    private Ice40PowerModel() {}

    /** Core leakage (92 uA at 1.219 V) and the PLL and I/O rails of an idle configured UP5K, in watts. */
    public static final double STATIC_W = 0.000146;
    /** The global clock network: 43 uA/MHz at 1.219 V, in microwatts per MHz. */
    public static final double CLOCK_UW_PER_MHZ = 52.0;
    /** Per logic cell (a LUT4 and its flip-flop), in microwatts per MHz. */
    public static final double LC_UW_PER_MHZ = 0.053;
    /** Per SB_MAC16 multiplying new operands every cycle (19 uA/MHz at 1.219 V), in microwatts per MHz. */
    public static final double DSP_UW_PER_MHZ = 23.0;
    /** Per 4 Kb EBR read every cycle: an assumption (about 4 pJ a read), not a measurement. */
    public static final double EBR_UW_PER_MHZ = 4.0;

    public static PowerModel.Power power(Resources r, double clockMhz) {
        if (!(clockMhz > 0)) throw new IllegalArgumentException("clock " + clockMhz + " MHz");
        double perMhz = CLOCK_UW_PER_MHZ + Math.max(r.lut(), r.ff()) * LC_UW_PER_MHZ + r.dsp() * DSP_UW_PER_MHZ + r.ebr() * EBR_UW_PER_MHZ;
        return new PowerModel.Power(STATIC_W, perMhz * clockMhz * 1e-6);
    }

    /** The constants, so that explore.json and report.json say how the estimate was made. */
    public static Map<String, Object> constants() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("note", "iCE40UP5K estimate from modelled resources and published rail measurements (tinyvision-ai-inc/ice40_power;"
                + " EBR assumed), not a power analysis; nextpnr estimates no power, so --collect keeps it");
        m.put("static_w", STATIC_W);
        m.put("clock_uw_per_mhz", CLOCK_UW_PER_MHZ);
        m.put("logic_cell_uw_per_mhz", LC_UW_PER_MHZ);
        m.put("dsp_uw_per_mhz", DSP_UW_PER_MHZ);
        m.put("ebr_uw_per_mhz", EBR_UW_PER_MHZ);
        return m;
    }
}
