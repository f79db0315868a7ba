package org.tfq.passes.resources;

import java.util.Objects;

/**
 * What an FPGA offers, for fitting a design: LUTs, flip-flops, DSP48E1 slices and 36 Kb block RAM
 * tiles (each also two 18 Kb RAMs); on an iCE40, LUT4s, flip-flops, SB_MAC16s, 4 Kb EBRs and
 * SPRAMs instead ({@link #ice40}). The CLI fills it from its part database.
 */
public record Capacity(String name, int luts, int ffs, int dsps, int bram36, int ebr, int spram) {
    public Capacity {
        Objects.requireNonNull(name, "name");
        if (luts <= 0 || ffs <= 0 || dsps < 0 || bram36 < 0 || ebr < 0 || spram < 0) throw new IllegalArgumentException(name + ": bad resource counts");
    }

    /** A 7 series part. */
    public Capacity(String name, int luts, int ffs, int dsps, int bram36) {
        this(name, luts, ffs, dsps, bram36, 0, 0);
    }

    /** An iCE40: its block RAM is EBR, which the {@link Ice40ResourceModel} counts. */
    public boolean ice40() {
        return ebr > 0;
    }

    /** The Spartan-7 XC7S15 of the reference design. */
    public static final Capacity XC7S15 = new Capacity("xc7s15", 8_000, 16_000, 20, 10);
}
