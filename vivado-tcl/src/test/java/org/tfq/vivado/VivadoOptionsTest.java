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
