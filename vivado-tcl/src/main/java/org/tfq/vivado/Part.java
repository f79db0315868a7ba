package org.tfq.vivado;

import java.util.List;
import java.util.Objects;

/**
 * One FPGA device and the resources a design may use on it. For the 7 series, as the overview
 * data sheet (DS180) lists them: 6-input LUTs, CLB flip-flops, DSP48E1 slices and 36 Kb block
 * RAMs (each also usable as two 18 Kb RAMs). For the iCE40 UltraPlus (DS1056): 4-input LUTs,
 * flip-flops, SB_MAC16 DSPs, 4 Kb embedded block RAMs (EBR) and 256 Kb single-port RAMs (SPRAM),
 * which the bitstream does not initialise; it has no 36 Kb block RAM.
 *
 * @param name         the device, lower case, as it starts its part names ({@code xc7s15}, {@code ice40up5k})
 * @param family       {@code Spartan-7}, {@code Artix-7} or {@link #ICE40_UP}
 * @param packageParts the full part names it comes as: for Vivado device, package, speed grade
 *                     ({@code xc7s15ftgb196-1}); for nextpnr device and package ({@code ice40up5k-sg48})
 * @param ebr          4 Kb embedded block RAMs (iCE40), 0 on the 7 series
 * @param spram        256 Kb single-port RAMs (iCE40 UltraPlus), 0 on the 7 series
 */
public record Part(String name, String family, int luts, int ffs, int dsps, int bram36, List<String> packageParts, int ebr, int spram) {

    /** The iCE40 UltraPlus family, built with Yosys, nextpnr-ice40 and icepack instead of Vivado. */
    public static final String ICE40_UP = "iCE40 UltraPlus";

    public Part {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(family, "family");
        packageParts = List.copyOf(packageParts);
        if (packageParts.isEmpty()) throw new IllegalArgumentException(name + ": no package parts");
        if (luts <= 0 || ffs <= 0 || dsps < 0 || bram36 < 0 || ebr < 0 || spram < 0) throw new IllegalArgumentException(name + ": bad resource counts");
    }

    /** A 7 series device: no EBR or SPRAM. */
    public Part(String name, String family, int luts, int ffs, int dsps, int bram36, List<String> packageParts) {
        this(name, family, luts, ffs, dsps, bram36, packageParts, 0, 0);
    }

    /** Whether the open iCE40 flow (Yosys, nextpnr-ice40, icepack) builds for it, not Vivado. */
    public boolean ice40() {
        return ICE40_UP.equals(family);
    }

    /**
     * The package of a full part name ({@code sg48} of {@code ice40up5k-sg48}), as nextpnr-ice40's
     * {@code --package} takes it; null for a 7 series part, whose package Vivado reads from the part.
     */
    public String nextpnrPackage(String part) {
        String p = canonicalPart(part);
        return ice40() && p != null ? p.substring(p.indexOf('-') + 1) : null;
    }

    /** 18 Kb block RAMs: every 36 Kb block RAM splits into two. */
    public int bram18() {
        return 2 * bram36;
    }

    /** Whether {@code part} is one of this device's full part names; case does not matter. */
    public boolean hasPackagePart(String part) {
        return canonicalPart(part) != null;
    }

    /**
     * This device's full part name spelled as Vivado spells it ({@code -1L}, not {@code -1l}), for
     * a name given in any case; null when it is not one of this device's parts.
     */
    String canonicalPart(String part) {
        for (String p : packageParts) {
            if (p.equalsIgnoreCase(part)) return p;
        }
        return null;
    }
}
