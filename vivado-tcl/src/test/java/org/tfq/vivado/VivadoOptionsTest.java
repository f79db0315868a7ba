package org.tfq.vivado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.IrException;

/** Options and design descriptions a user or the compile side can get wrong. */
class VivadoOptionsTest {

    @TempDir
    Path tmp;

    private static String error(Runnable r) {
        IrException e = assertThrows(VivadoException.class, r::run);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaults() {
        VivadoOptions o = VivadoOptions.defaults();
        assertEquals("xc7s15ftgb196-1", o.part());
        assertEquals(100.0, o.clockMhz());
        assertEquals(10.0, o.periodNs(), 1e-12);
        assertNull(o.userXdc());
        assertFalse(o.allowTimingViolation());
    }

    @Test
    void unknownPart() {
        String m = error(() -> new VivadoOptions("xc7k325tffg900-2", 100, null, false));
        assertTrue(m.startsWith("unknown FPGA part 'xc7k325tffg900-2'; known devices: xc7s6, xc7s15,"), m);
        assertTrue(error(() -> VivadoOptions.defaults().withPart("xc7s50")).contains("is a device, not a full part name"));
        assertTrue(error(() -> new VivadoOptions(null, 100, null, false)).startsWith("no FPGA part given"));
    }

    @Test
    void constraintsOfTheOtherFlowAreRefused() throws IOException {
        Path pcf = Files.writeString(tmp.resolve("board.pcf"), "set_io clk 35\n");
        Path xdc = Files.writeString(tmp.resolve("board.xdc"), "set_property PACKAGE_PIN A1 [get_ports clk]\n");
        VivadoOptions ice = VivadoOptions.defaults().withPart("ice40up5k-sg48");
        assertEquals(pcf, ice.withUserPcf(pcf).userPcf());
        assertEquals(pcf + ": a PCF file is for iCE40 parts; xc7s15ftgb196-1 is built with Vivado: give its pins as an XDC (--xdc)",
                error(() -> VivadoOptions.defaults().withUserPcf(pcf)));
        assertEquals(xdc + ": an XDC file is for Vivado; ice40up5k-sg48 is built with nextpnr: give its pins as a PCF (--pcf)",
                error(() -> ice.withUserXdc(xdc)));
        assertTrue(error(() -> ice.withUserPcf(tmp.resolve("none.pcf"))).endsWith("none.pcf: no such readable file (user PCF)"));
        // the flow's files: a generated PCF, or the user's copied
        Map<String, String> f = Ice40Flow.files(Fixtures.design(), ice.withClockMhz(24), List.of(new Ice40Pins.Port("clk", 1),
                new Ice40Pins.Port("s_axis_tdata", 8), new Ice40Pins.Port("done", 1, false)));
        assertEquals(List.of("Makefile", "ice40/pins.pcf", "ice40/synth.ys"), List.copyOf(f.keySet()));
        // inputs pulled up (a bare board leaves them floating), outputs not; the flash's pins unused, so no warning
        assertTrue(f.get("ice40/pins.pcf").contains("set_io clk 35\nset_io -pullup yes s_axis_tdata[0] 2\n"), f.get("ice40/pins.pcf"));
        assertTrue(f.get("ice40/pins.pcf").endsWith("set_io -pullup yes s_axis_tdata[7] 12\nset_io done 13\n"), f.get("ice40/pins.pcf"));
        assertFalse(f.get("ice40/pins.pcf").contains("WARNING"), f.get("ice40/pins.pcf"));
        // 35 pins: the last three bits land on the SG48's configuration-flash pins, and the file says so
        String onFlash = Ice40Flow.files(Fixtures.design(), ice, List.of(new Ice40Pins.Port("clk", 1), new Ice40Pins.Port("m_axis_tdata", 34, false)))
                .get("ice40/pins.pcf");
        assertTrue(onFlash.contains("# WARNING: m_axis_tdata[31] on 14, m_axis_tdata[32] on 15, m_axis_tdata[33] on 16: pins the configuration flash shares"),
                onFlash);
        assertTrue(f.get("Makefile").contains("--up5k --package sg48 --freq 24.000"), f.get("Makefile"));
        assertEquals("set_io clk 35\n", Ice40Flow.files(Fixtures.design(), ice.withUserPcf(pcf), List.of()).get("ice40/user.pcf"));
        List<Ice40Pins.Port> wide = List.of(new Ice40Pins.Port("clk", 1), new Ice40Pins.Port("m_axis_tdata", 32));
        assertEquals("ice40up5k-uwg30 has 21 user I/O pins for the design, its top module needs 33: use --interface spi (a few pins),"
                + " the sg48 package, or give your own pins with --pcf",
                error(() -> Ice40Flow.files(Fixtures.design(), ice.withPart("ice40up5k-uwg30"), wide)));
    }

    @Test
    void portsOfAGeneratedTop() {
        String v = "// header\nmodule tfq_top #(\n    parameter MEM_DIR = \"rtl/\"\n) (\n    input  wire                 clk,\n"
                + "    output reg                  done,\n    input  wire [7:0]     s_axis_tdata,\n    output wire                 m_axis_tlast\n);\n"
                + "    input wire not_a_port;\n";
        assertEquals(List.of(new Ice40Pins.Port("clk", 1), new Ice40Pins.Port("done", 1, false), new Ice40Pins.Port("s_axis_tdata", 8),
                new Ice40Pins.Port("m_axis_tlast", 1, false)), Ice40Pins.ports(v, "tfq_top"));
    }

    @Test
    void partIsStoredAsVivadoSpellsIt() {
        assertEquals("xc7s50csga324-1", VivadoOptions.defaults().withPart("XC7S50CSGA324-1").part());
    }

    @Test
    void badClocks() {
        assertEquals("the clock must be a positive frequency in MHz, got 0.0", error(() -> VivadoOptions.defaults().withClockMhz(0)));
        assertTrue(error(() -> VivadoOptions.defaults().withClockMhz(-100)).contains("got -100.0"));
        assertTrue(error(() -> VivadoOptions.defaults().withClockMhz(Double.NaN)).contains("got NaN"));
        assertTrue(error(() -> VivadoOptions.defaults().withClockMhz(Double.POSITIVE_INFINITY)).contains("positive frequency"));
        assertTrue(error(() -> VivadoOptions.defaults().withClockMhz(10_000)).startsWith("a clock of 10000.0 MHz is beyond"));
        assertEquals(800.0, VivadoOptions.defaults().withClockMhz(800).clockMhz());
        assertEquals(8.0, VivadoOptions.defaults().withClockMhz(125).periodNs(), 1e-12);
    }

    @Test
    void missingXdcFile() {
        Path x = tmp.resolve("absent.xdc");
        assertEquals(x + ": no such file (user XDC)", error(() -> VivadoOptions.defaults().withUserXdc(x)));
        assertEquals(tmp + ": is a directory, not an XDC file", error(() -> VivadoOptions.defaults().withUserXdc(tmp)));
    }

    @Test
    void existingXdcFile() throws IOException {
        Path x = Files.writeString(tmp.resolve("board.xdc"), "# pins\n");
        assertEquals(x, VivadoOptions.defaults().withUserXdc(x).userXdc());
    }

    @Test
    void badDesigns() {
        List<String> rtl = List.of("rtl/top.v");
        assertTrue(error(() -> new VivadoDesign("tfq top", "clk", rtl, List.of(), 0)).contains("top module must be a plain Verilog identifier"));
        assertTrue(error(() -> new VivadoDesign("top", "clk[0]", rtl, List.of(), 0)).contains("clock port"));
        assertEquals("the design has no RTL files", error(() -> new VivadoDesign("top", "clk", List.of(), List.of(), 0)));
        assertTrue(error(() -> new VivadoDesign("top", "clk", List.of("/abs/top.v"), List.of(), 0)).contains("relative to the output folder"));
        assertTrue(error(() -> new VivadoDesign("top", "clk", List.of("../top.v"), List.of(), 0)).contains("must stay inside the output folder"));
        assertTrue(error(() -> new VivadoDesign("top", "clk", List.of("rtl/my top.v"), List.of(), 0)).contains("only letters, digits"));
        assertTrue(error(() -> new VivadoDesign("top", "clk", List.of("rtl/top.vhd"), List.of(), 0)).contains("neither Verilog"));
        assertTrue(error(() -> new VivadoDesign("top", "clk", rtl, List.of("rtl/$w.mem"), 0)).contains("memory file"));
        assertTrue(error(() -> new VivadoDesign("top", "clk", rtl, List.of(), -1)).contains("cycles per inference"));
    }
}
