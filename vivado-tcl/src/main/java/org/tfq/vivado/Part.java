package org.tfq.vivado;

import java.util.List;
import java.util.Objects;

/**
 * One FPGA device and the resources a design may use on it, as the 7 series overview data sheet
 * (DS180) lists them: 6-input LUTs, CLB flip-flops, DSP48E1 slices and 36 Kb block RAMs (each
 * also usable as two 18 Kb RAMs).
 *
 * @param name         the device, lower case, as it starts Vivado part names ({@code xc7s15})
 * @param family       {@code Spartan-7} or {@code Artix-7}
 * @param packageParts the full Vivado part names it comes as: device, package, speed grade
 *                     ({@code xc7s15ftgb196-1})
 */
public record Part(String name, String family, int luts, int ffs, int dsps, int bram36, List<String> packageParts) {

    public Part {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(family, "family");
        packageParts = List.copyOf(packageParts);
        if (packageParts.isEmpty()) throw new IllegalArgumentException(name + ": no package parts");
        if (luts <= 0 || ffs <= 0 || dsps < 0 || bram36 < 0) throw new IllegalArgumentException(name + ": bad resource counts");
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
