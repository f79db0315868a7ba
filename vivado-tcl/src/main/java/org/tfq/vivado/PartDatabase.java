package org.tfq.vivado;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The FPGAs tfq knows the resources of: the whole Spartan-7 family, two common Artix-7 devices,
 * and the Lattice iCE40UP5K (built with the open flow: Yosys, nextpnr-ice40, icepack).
 *
 * <p>Counts are from the 7 series FPGAs data sheet overview (DS180): LUTs are four per slice, CLB
 * flip-flops eight per slice (for the XC7S6, DS180's 7,500 flip-flops give 3,750 LUTs), block RAM
 * counted in 36 Kb blocks. They match what Vivado's utilization report gives as "Available" for
 * these devices (XC7S15: 8,000 / 16,000 / 20 / 10; XC7S50: 32,600 / 65,200 / 120 / 75; XC7A100T:
 * 63,400 / 126,800 / 240 / 135). Package and speed-grade combinations are those DS180 and the
 * package pinout files list, named the way Vivado names parts.
 *
 * <p>The iCE40UP5K (iCE40 UltraPlus data sheet, FPGA-DS-02008): 5,280 LUT4 each with its
 * flip-flop, 8 SB_MAC16, 30 EBR of 4 Kb, 4 SPRAM of 256 Kb; as nextpnr-ice40 {@code --up5k}
 * reports it. Its parts are named device-package, the packages nextpnr-ice40 knows for the UP5K
 * ({@code sg48}, {@code uwg30}); the family has no speed grades.
 */
public final class PartDatabase {

    /** The reference design's device: Spartan-7 XC7S15 in the FTGB196 package, speed grade -1. */
    public static final String DEFAULT_PART = "xc7s15ftgb196-1";

    private static final List<String> SPARTAN7_SPEEDS = List.of("-1", "-2");
    private static final List<String> ARTIX7_SPEEDS = List.of("-1", "-2", "-3");

    private static final List<Part> PARTS = List.of(
            spartan7("xc7s6", 3_750, 7_500, 10, 5, "ftgb196", "cpga196", "csga225"),
            spartan7("xc7s15", 8_000, 16_000, 20, 10, "ftgb196", "cpga196", "csga225"),
            spartan7("xc7s25", 14_600, 29_200, 80, 45, "ftgb196", "csga225", "csga324"),
            spartan7("xc7s50", 32_600, 65_200, 120, 75, "ftgb196", "csga324", "fgga484"),
            spartan7("xc7s75", 48_000, 96_000, 140, 90, "fgga484", "fgga676"),
            spartan7("xc7s100", 64_000, 128_000, 160, 120, "fgga484", "fgga676"),
            // the -1L low-voltage grade carries an "i" (industrial) before the package, as on the Arty A7 boards
            artix7("xc7a35t", 20_800, 41_600, 90, 50, List.of("xc7a35ticsg324-1L", "xc7a35ticpg236-1L"),
                    "cpg236", "csg324", "csg325", "ftg256", "fgg484"),
            artix7("xc7a100t", 63_400, 126_800, 240, 135, List.of("xc7a100ticsg324-1L"),
                    "csg324", "ftg256", "fgg484", "fgg676"),
            new Part("ice40up5k", Part.ICE40_UP, 5_280, 5_280, 8, 0, List.of("ice40up5k-sg48", "ice40up5k-uwg30"), 30, 4));

    private PartDatabase() {}

    /** Every known device, smallest Spartan-7 first. */
    public static List<Part> all() {
        return PARTS;
    }

    /**
     * The device for a full part name ({@code xc7s15ftgb196-1}) or a device name ({@code xc7s15},
     * {@code XC7S15}); a {@link VivadoException} listing the known devices otherwise.
     */
    public static Part lookup(String deviceOrPart) {
        String n = normalize(deviceOrPart);
        for (Part p : PARTS) {
            if (p.name().equals(n) || p.hasPackagePart(n)) return p;
        }
        throw new VivadoException("unknown FPGA part '" + deviceOrPart + "'; known devices: " + knownDevices()
                + " (give a full part name such as " + DEFAULT_PART + ")");
    }

    /**
     * The full part name Vivado needs for {@code synth_design -part}, spelled as Vivado spells it.
     * A bare device name is refused with its part names listed: the package decides the pins and
     * the speed grade the timing, so tfq does not pick them for the user.
     */
    public static String fullPartName(String part) {
        Part p = lookup(part);
        String canonical = p.canonicalPart(normalize(part));
        if (canonical == null) {
            throw new VivadoException("'" + part + "' is a device, not a full part name: give the package" + (p.ice40() ? "" : " and speed grade")
                    + " too, one of "
                    + String.join(", ", p.packageParts()));
        }
        return canonical;
    }

    /** The known device names, comma-separated, for error messages; the iCE40 ones with their part names. */
    public static String knownDevices() {
        return PARTS.stream().map(p -> p.ice40() ? p.name() + " (" + String.join(", ", p.packageParts()) + ")" : p.name())
                .collect(Collectors.joining(", "));
    }

    private static String normalize(String s) {
        if (s == null || s.isBlank()) throw new VivadoException("no FPGA part given; known devices: " + knownDevices());
        return s.strip().toLowerCase(Locale.ROOT);
    }

    private static Part spartan7(String name, int luts, int ffs, int dsps, int bram36, String... packages) {
        return new Part(name, "Spartan-7", luts, ffs, dsps, bram36, combine(name, packages, SPARTAN7_SPEEDS, List.of()));
    }

    private static Part artix7(String name, int luts, int ffs, int dsps, int bram36, List<String> lowPower, String... packages) {
        return new Part(name, "Artix-7", luts, ffs, dsps, bram36, combine(name, packages, ARTIX7_SPEEDS, lowPower));
    }

    /** The device's default clock: the reference design's 100 MHz on the 7 series; 24 MHz on the iCE40, 1.5 times the 16 MHz the successor design ran it at. */
    public static double defaultClockMhz(String part) {
        return lookup(part).ice40() ? 24.0 : VivadoOptions.DEFAULT_CLOCK_MHZ;
    }

    private static List<String> combine(String name, String[] packages, List<String> speeds, List<String> extra) {
        List<String> out = new ArrayList<>();
        for (String pkg : packages) {
            for (String speed : speeds) out.add(name + pkg + speed);
        }
        out.addAll(extra);
        return out;
    }
}
