package org.tfq.passes.resources;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Resources of a design or of one of its units, counted as Yosys' {@code synth_xilinx} and
 * Vivado's utilization report count them: {@code lut} is every LUT (logic and memory),
 * {@code lutram} the part of it used as distributed RAM or shift register, {@code ff} the
 * flip-flops, {@code dsp} DSP48E1 slices, {@code bram36} and {@code bram18} block RAMs (a
 * RAMB18 is half a 36 Kb tile). On an iCE40 ({@link Ice40ResourceModel}) {@code lut} counts LUT4s,
 * {@code dsp} SB_MAC16s and {@code ebr} 4 Kb embedded block RAMs; there is no LUT RAM or BRAM.
 */
public record Resources(int lut, int lutram, int ff, int dsp, int bram36, int bram18, int ebr) {

    public static final Resources NONE = new Resources(0, 0, 0, 0, 0, 0);

    public Resources {
        if (lut < 0 || lutram < 0 || ff < 0 || dsp < 0 || bram36 < 0 || bram18 < 0 || ebr < 0 || lutram > lut) {
            throw new IllegalArgumentException("bad resource counts: " + lut + " " + lutram + " " + ff + " " + dsp + " " + bram36 + " " + bram18 + " " + ebr);
        }
    }

    /** 7 series resources: no EBR. */
    public Resources(int lut, int lutram, int ff, int dsp, int bram36, int bram18) {
        this(lut, lutram, ff, dsp, bram36, bram18, 0);
    }

    public static Resources logic(int lut, int ff) {
        return new Resources(lut, 0, ff, 0, 0, 0);
    }

    public Resources plus(Resources o) {
        return new Resources(lut + o.lut, lutram + o.lutram, ff + o.ff, dsp + o.dsp, bram36 + o.bram36, bram18 + o.bram18, ebr + o.ebr);
    }

    public Resources times(int n) {
        return new Resources(lut * n, lutram * n, ff * n, dsp * n, bram36 * n, bram18 * n, ebr * n);
    }

    /** Block RAM in 36 Kb tiles, as Vivado's "Block RAM Tile" counts it. */
    public double bram36Tiles() {
        return bram36 + bram18 / 2.0;
    }

    /**
     * What these resources take of {@code c}'s logic: LUTs on a 7 series part; logic cells on an
     * iCE40, whose LUT4s share cells with the flip-flops and carries, so that a design that fits by
     * its LUT4s may not place.
     */
    public int logic(Capacity c) {
        return c.ice40() ? Ice40ResourceModel.logicCells(lut) : lut;
    }

    /**
     * Whether these resources fit {@code c} with at most {@code maxLutFraction} of its logic
     * ({@link #logic}), and at most all of its flip-flops, DSPs and block RAM.
     */
    public boolean fits(Capacity c, double maxLutFraction) {
        return fits(logic(c), c, maxLutFraction);
    }

    /** Whether resources a place-and-route tool reported fit {@code c}: on an iCE40 its LUT count is already logic cells. */
    public boolean fitsAsPlaced(Capacity c) {
        return fits(lut, c, 1.0);
    }

    private boolean fits(int logic, Capacity c, double maxLutFraction) {
        return logic <= maxLutFraction * c.luts() && ff <= c.ffs() && dsp <= c.dsps() && bram36Tiles() <= c.bram36() && ebr <= c.ebr();
    }

    /** "LUT 1,234 (15.4%), FF ..., DSP ..., BRAM ..." against {@code c}. */
    public String summary(Capacity c) {
        if (c.ice40()) {
            return String.format(Locale.ROOT, "LUT4 %,d (%.1f%%), FF %,d (%.1f%%), SB_MAC16 %d (%.0f%%), EBR %d (%.0f%%)", lut,
                    pct(lut, c.luts()), ff, pct(ff, c.ffs()), dsp, pct(dsp, c.dsps()), ebr, pct(ebr, c.ebr()));
        }
        return String.format(Locale.ROOT, "LUT %,d (%.1f%%), FF %,d (%.1f%%), DSP %d (%.0f%%), BRAM %s (%.0f%%)", lut,
                pct(lut, c.luts()), ff, pct(ff, c.ffs()), dsp, pct(dsp, c.dsps()), tiles(), pct(bram36Tiles(), c.bram36()));
    }

    /** Keys lut, lutram, ff, dsp, bram36, bram18, bram_tiles; with {@code c} also the percentages. */
    public Map<String, Object> json(Capacity c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lut", lut);
        m.put("lutram", lutram);
        m.put("ff", ff);
        m.put("dsp", dsp);
        m.put("bram36", bram36);
        m.put("bram18", bram18);
        m.put("bram_tiles", bram36Tiles());
        // only on an iCE40, so that 7 series reports stay as they were
        if (ebr > 0 || c != null && c.ice40()) m.put("ebr", ebr);
        if (c != null) {
            m.put("lut_percent", round(pct(lut, c.luts())));
            m.put("ff_percent", round(pct(ff, c.ffs())));
            m.put("dsp_percent", round(pct(dsp, c.dsps())));
            m.put("bram_percent", round(pct(bram36Tiles(), c.bram36())));
            if (c.ice40()) m.put("ebr_percent", round(pct(ebr, c.ebr())));
        }
        return m;
    }

    String tiles() {
        return BigDecimal.valueOf(bram36Tiles()).stripTrailingZeros().toPlainString();
    }

    static double pct(double used, int available) {
        return available <= 0 ? (used > 0 ? Double.POSITIVE_INFINITY : 0) : 100.0 * used / available;
    }

    private static double round(double v) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).doubleValue() : v;
    }
}
