package org.tfq.vivado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartDatabaseTest {

    @Test
    void xc7s15IsTheReferenceBudget() {
        Part p = PartDatabase.lookup("xc7s15");
        assertEquals("Spartan-7", p.family());
        assertEquals(8_000, p.luts());
        assertEquals(16_000, p.ffs());
        assertEquals(20, p.dsps());
        assertEquals(10, p.bram36());
        assertEquals(20, p.bram18());
        assertEquals("xc7s15ftgb196-1", p.packageParts().get(0));
        assertTrue(p.packageParts().containsAll(List.of("xc7s15ftgb196-2", "xc7s15cpga196-1", "xc7s15csga225-2")));
    }

    @Test
    void theDefaultPartIsKnown() {
        assertEquals("xc7s15", PartDatabase.lookup(PartDatabase.DEFAULT_PART).name());
        assertEquals(PartDatabase.DEFAULT_PART, VivadoOptions.defaults().part());
    }

    @Test
    void spartan7FamilyAndTwoArtix7() {
        assertEquals(List.of("xc7s6", "xc7s15", "xc7s25", "xc7s50", "xc7s75", "xc7s100", "xc7a35t", "xc7a100t", "ice40up5k"),
                PartDatabase.all().stream().map(Part::name).toList());
        // the numbers Vivado reports as Available for these devices
        Part s50 = PartDatabase.lookup("xc7s50csga324-1");
        assertEquals(List.of(32_600, 65_200, 120, 75), List.of(s50.luts(), s50.ffs(), s50.dsps(), s50.bram36()));
        Part a100 = PartDatabase.lookup("xc7a100tcsg324-1");
        assertEquals(List.of(63_400, 126_800, 240, 135), List.of(a100.luts(), a100.ffs(), a100.dsps(), a100.bram36()));
        for (Part p : PartDatabase.all()) {
            if (p.ice40()) continue;
            assertTrue(p.ffs() == 2 * p.luts(), p.name() + ": two flip-flops per LUT in every 7 series slice");
            for (String full : p.packageParts()) assertTrue(full.startsWith(p.name()), full);
        }
    }

    @Test
    void ice40up5kAsNextpnrKnowsIt() {
        // nextpnr-ice40 --up5k reports ICESTORM_LC 5280, ICESTORM_DSP 8, ICESTORM_RAM 30; the data sheet 4 SPRAM
        Part p = PartDatabase.lookup("ICE40UP5K-SG48");
        assertTrue(p.ice40());
        assertEquals(Part.ICE40_UP, p.family());
        assertEquals(List.of(5_280, 5_280, 8, 0, 30, 4), List.of(p.luts(), p.ffs(), p.dsps(), p.bram36(), p.ebr(), p.spram()));
        assertEquals(List.of("ice40up5k-sg48", "ice40up5k-uwg30"), p.packageParts());
        assertEquals("uwg30", p.nextpnrPackage("ice40up5k-uwg30"));
        assertEquals("ice40up5k-sg48", new VivadoOptions("ice40up5k-sg48", 24, null, false).part());
        assertEquals(24.0, PartDatabase.defaultClockMhz("ice40up5k-sg48"));
        assertEquals(100.0, PartDatabase.defaultClockMhz(PartDatabase.DEFAULT_PART));
        assertTrue(!PartDatabase.lookup("xc7s15").ice40());
        VivadoException e = assertThrows(VivadoException.class, () -> PartDatabase.fullPartName("ice40up5k"));
        assertTrue(e.getMessage().contains("ice40up5k-sg48, ice40up5k-uwg30"), e.getMessage());
    }

    @Test
    void lookupByFullPartOrDeviceInAnyCase() {
        Part p = PartDatabase.lookup("xc7s25");
        assertSame(p, PartDatabase.lookup("XC7S25CSGA324-2"));
        assertSame(p, PartDatabase.lookup(" xc7s25ftgb196-1 "));
        assertEquals("xc7a35ticsg324-1L", PartDatabase.fullPartName("XC7A35TICSG324-1L"));
        assertEquals("xc7s100fgga676-2", PartDatabase.fullPartName("xc7s100fgga676-2"));
    }

    @Test
    void unknownPartListsTheKnownOnes() {
        VivadoException e = assertThrows(VivadoException.class, () -> PartDatabase.lookup("xc7z020clg400-1"));
        assertEquals("unknown FPGA part 'xc7z020clg400-1'; known devices: xc7s6, xc7s15, xc7s25, xc7s50, xc7s75, xc7s100,"
                + " xc7a35t, xc7a100t, ice40up5k (ice40up5k-sg48, ice40up5k-uwg30) (give a full part name such as xc7s15ftgb196-1)",
                e.getMessage());
        // a package the device does not come in is unknown too
        assertThrows(VivadoException.class, () -> PartDatabase.lookup("xc7s100ftgb196-1"));
        assertThrows(VivadoException.class, () -> PartDatabase.lookup("xc7s15ftgb196-3"));
        assertThrows(VivadoException.class, () -> PartDatabase.lookup(""));
    }

    @Test
    void aDeviceIsNotAFullPartName() {
        VivadoException e = assertThrows(VivadoException.class, () -> PartDatabase.fullPartName("xc7s15"));
        assertTrue(e.getMessage().startsWith("'xc7s15' is a device, not a full part name: give the package and speed grade too, one of xc7s15ftgb196-1, xc7s15ftgb196-2,"),
                e.getMessage());
    }
}
