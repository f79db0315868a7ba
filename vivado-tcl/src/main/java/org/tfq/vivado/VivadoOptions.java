package org.tfq.vivado;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How to run Vivado on a design.
 *
 * @param part                 a full Vivado part name from {@link PartDatabase}; stored as Vivado spells it
 * @param clockMhz             the clock the design is constrained to, in MHz
 * @param userXdc              the user's own constraints (pins, I/O standards, configuration), or null
 * @param allowTimingViolation write the bitstream even when the routed design misses the clock
 * @param userPcf              on an iCE40, the user's own pin constraints (nextpnr PCF) in place of the generated ones, or null
 */
public record VivadoOptions(String part, double clockMhz, Path userXdc, boolean allowTimingViolation, Path userPcf) {

    public static final double DEFAULT_CLOCK_MHZ = 100.0;

    /**
     * Above this no design tfq makes closes timing on a 7 series device (the fastest global clock
     * buffers are specified well below it), so a larger value is a typo, such as a period in ps.
     */
    public static final double MAX_CLOCK_MHZ = 800.0;

    public VivadoOptions {
        part = PartDatabase.fullPartName(part);
        if (!(clockMhz > 0) || Double.isInfinite(clockMhz)) {
            throw new VivadoException("the clock must be a positive frequency in MHz, got " + clockMhz);
        }
        if (clockMhz > MAX_CLOCK_MHZ) {
            throw new VivadoException("a clock of " + clockMhz + " MHz is beyond what the FPGAs tfq builds for run (at most "
                    + MAX_CLOCK_MHZ + " MHz accepted); give the frequency in MHz");
        }
        boolean ice40 = PartDatabase.lookup(part).ice40();
        if (userXdc != null && ice40) throw new VivadoException(userXdc + ": an XDC file is for Vivado; " + part + " is built with nextpnr: give its pins as a PCF (--pcf)");
        if (userPcf != null && !ice40) throw new VivadoException(userPcf + ": a PCF file is for iCE40 parts; " + part + " is built with Vivado: give its pins as an XDC (--xdc)");
        if (userPcf != null) {
            if (!Files.isRegularFile(userPcf) || !Files.isReadable(userPcf)) throw new VivadoException(userPcf + ": no such readable file (user PCF)");
        }
        if (userXdc != null) {
            if (Files.isDirectory(userXdc)) throw new VivadoException(userXdc + ": is a directory, not an XDC file");
            if (!Files.exists(userXdc)) throw new VivadoException(userXdc + ": no such file (user XDC)");
            if (!Files.isRegularFile(userXdc)) throw new VivadoException(userXdc + ": not a regular file (a device or a pipe), not an XDC file");
            if (!Files.isReadable(userXdc)) throw new VivadoException(userXdc + ": permission denied (user XDC)");
        }
    }

    public VivadoOptions(String part, double clockMhz, Path userXdc, boolean allowTimingViolation) {
        this(part, clockMhz, userXdc, allowTimingViolation, null);
    }

    /** The reference design's settings: XC7S15 (FTGB196, -1) at 100 MHz, no user XDC. */
    public static VivadoOptions defaults() {
        return new VivadoOptions(PartDatabase.DEFAULT_PART, DEFAULT_CLOCK_MHZ, null, false);
    }

    public VivadoOptions withPart(String p) {
        return new VivadoOptions(p, clockMhz, userXdc, allowTimingViolation, userPcf);
    }

    public VivadoOptions withClockMhz(double mhz) {
        return new VivadoOptions(part, mhz, userXdc, allowTimingViolation, userPcf);
    }

    public VivadoOptions withUserXdc(Path xdc) {
        return new VivadoOptions(part, clockMhz, xdc, allowTimingViolation, userPcf);
    }

    public VivadoOptions withAllowTimingViolation(boolean allow) {
        return new VivadoOptions(part, clockMhz, userXdc, allow, userPcf);
    }

    public VivadoOptions withUserPcf(Path pcf) {
        return new VivadoOptions(part, clockMhz, userXdc, allowTimingViolation, pcf);
    }

    /** The clock period in ns. */
    public double periodNs() {
        return 1000.0 / clockMhz;
    }
}
