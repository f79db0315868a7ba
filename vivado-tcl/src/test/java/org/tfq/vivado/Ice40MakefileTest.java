package org.tfq.vivado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The iCE40 Makefile's bitstream recipe under GNU make, with stand-ins for the tools: a nextpnr
 * that writes the log line nextpnr-ice40 0.4 writes for a clock it misses (or meets), so that the
 * timing check is tested without a place and route (Ice40BitstreamTest in cli runs the real tools).
 */
class Ice40MakefileTest {

    @TempDir
    Path tmp;

    private Path outdir(String nextpnrLogLine) throws IOException {
        VivadoDesign d = Fixtures.design();
        VivadoOptions o = VivadoOptions.defaults().withPart("ice40up5k-sg48").withClockMhz(60);
        Path out = Fixtures.writeOutdir(tmp.resolve("out"), d, Ice40Flow.files(d, o, List.of(new Ice40Pins.Port("clk", 1))));
        Path nextpnr = tmp.resolve("fake-nextpnr");
        // the log, the report and the asc where the Makefile names them
        Files.writeString(nextpnr, "#!/bin/sh\nwhile [ $# -gt 0 ]; do case $1 in --log) log=$2;; --asc) asc=$2;; esac; shift; done\n"
                + "echo \"" + nextpnrLogLine + "\" > $log; echo asc > $asc\n");
        Files.setPosixFilePermissions(nextpnr, PosixFilePermissions.fromString("rwxr-xr-x"));
        return out;
    }

    private Proc make(Path out) {
        return Proc.run(out, Map.of(), Proc.require("make"), "bitstream", "YOSYS=true", "NEXTPNR=" + tmp.resolve("fake-nextpnr"),
                "ICEPACK=cp");
    }

    @Test
    void aMissedClockFailsWithOneLineAndNoBitstream() throws IOException {
        Path out = outdir("Warning: Max frequency for clock 'clk\\$SB_IO_IN_\\$glb_clk': 30.16 MHz (FAIL at 60.00 MHz)");
        Proc p = make(out);
        assertTrue(p.exit() != 0, p.describe());
        assertTrue(p.err().contains("tfq: timing not met: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 30.16 MHz (FAIL at 60.00 MHz);"
                + " compile again with a lower --clock-mhz\n"), p.describe());
        assertFalse(Files.exists(out.resolve("build/tfq_top.bin")));
    }

    /** A log without the achieved clock (an unconstrained clock in a user's PCF, or other wording) must not pass as met. */
    @Test
    void noAchievedClockInTheLogFailsWithOneLine() throws IOException {
        Path out = outdir("Info: Program finished normally.");
        Proc p = make(out);
        assertTrue(p.exit() != 0, p.describe());
        assertTrue(p.err().contains("tfq: reports/nextpnr.log states no achieved clock, so timing is unchecked: constrain the clock port in ice40/pins.pcf\n"),
                p.describe());
        assertFalse(Files.exists(out.resolve("build/tfq_top.bin")));
    }

    @Test
    void aMetClockPacksTheBitstream() throws IOException {
        Path out = outdir("Info: Max frequency for clock 'clk\\$SB_IO_IN_\\$glb_clk': 61.00 MHz (PASS at 60.00 MHz)");
        Proc p = make(out);
        assertEquals(0, p.exit(), p.describe());
        assertEquals("asc\n", Files.readString(out.resolve("build/tfq_top.bin")));
    }
}
