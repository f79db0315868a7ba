package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Yosys on small designs whose mapping can be worked out by hand (the fixtures under
 * {@code yosys/} say what they expect), and the parser on a hand-written {@code stat -json}.
 */
class YosysEstimatorTest {

    static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** Copies the fixture {@code yosys/<name>} into {@code dir}. */
    static Path fixture(String name, Path dir) {
        try (InputStream in = YosysEstimatorTest.class.getResourceAsStream("yosys/" + name)) {
            if (in == null) throw new IllegalStateException("fixture yosys/" + name + " missing");
            Files.createDirectories(dir);
            return Files.write(dir.resolve(name), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** est_mem.v in dir/rtl/ with its ROM contents, random 36-bit words, in dir/rtl/est_rom.mem. */
    static Path memDesign(Path dir) throws IOException {
        Path rtl = dir.resolve("rtl");
        Path v = fixture("est_mem.v", rtl);
        Random r = new Random(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1024; i++) b.append(String.format("%09x%n", r.nextLong() & ((1L << 36) - 1)));
        Files.writeString(rtl.resolve("est_rom.mem"), b.toString(), StandardCharsets.UTF_8);
        return v;
    }

    @Test
    void yosysIsInstalled() {
        assertTrue(new YosysEstimator().isAvailable(), "yosys is not installed: run scripts/install-tools.sh");
    }

    @Test
    void memoriesMapToBlockRamDistributedRamAndShiftRegisters() throws IOException {
        Path dir = Bench.workDir("yosys-mem");
        Path v = memDesign(dir);
        YosysEstimate e = new YosysEstimator().estimate(List.of(v), "est_mem", dir, dir.resolve("reports"), TIMEOUT);
        System.out.println(e);

        assertEquals(1, e.ramb36(), "a 1024 x 36 ROM is one RAMB36E1: " + e);
        assertEquals(0, e.ramb18(), e::toString);
        assertEquals(1.0, e.bramTiles());
        // 512 bits at 64 bits a LUT, plus at most a write-port LUT per 3 bits (RAM64M)
        assertTrue(e.lutDistributedRam() >= 8 && e.lutDistributedRam() <= 16, e::toString);
        assertEquals(8, e.lutShiftRegister(), "8 bits x 16 deep: one SRL16E per bit: " + e);
        assertEquals(e.lutDistributedRam() + 8, e.lutram());
        assertEquals(16, e.ff(), "the counter; the ROM's output register is in the block RAM: " + e);
        assertEquals(4, e.carry4(), "a 16-bit incrementer: " + e);
        assertEquals(0, e.dsp(), e::toString);
        assertTrue(e.lutLogic() >= 1 && e.lut() == e.lutLogic() + e.lutram(), e::toString);
        assertTrue(e.logicLevels() >= 4, "the counter's carry chain: " + e);
        assertEquals(Map.of(), e.uncounted(), e::toString);

        // the script reruns from the working folder: paths in it are relative to it
        String script = Files.readString(dir.resolve("reports").resolve(YosysEstimator.SCRIPT));
        assertTrue(script.contains("read_verilog \"rtl/est_mem.v\"\n"), script);
        assertTrue(script.contains("synth_xilinx -family xc7 -top est_mem -flatten\n"), script);
        assertTrue(script.contains("tee -o reports/yosys_stat.json stat -json\n"), script);
    }

    @Test
    void memFilesAreReadFromTheWorkingFolder() throws IOException {
        Path dir = Bench.workDir("yosys-wrong-cwd");
        Path v = memDesign(dir);
        // from rtl/, "rtl/est_rom.mem" is rtl/rtl/est_rom.mem: not there
        YosysException x = assertThrows(YosysException.class,
                () -> new YosysEstimator().estimate(List.of(v), "est_mem", dir.resolve("rtl"), dir.resolve("reports"), TIMEOUT));
        assertTrue(x.getMessage().startsWith("yosys failed on est_mem: "), x.getMessage());
        assertTrue(x.getMessage().contains("ERROR: Can not open file `rtl/est_rom.mem`"), x.getMessage());
        assertTrue(x.getMessage().endsWith("(log: " + dir.resolve("reports").resolve(YosysEstimator.LOG) + ")"), x.getMessage());
        assertEquals(1, x.getMessage().lines().count(), x.getMessage());
    }

    @Test
    void verilogErrorsAndAMissingTopAreOneLine() throws IOException {
        Path dir = Bench.workDir("yosys-errors");
        Path bad = Files.writeString(dir.resolve("bad.v"), "module bad(input a, output b);\n  assign b = a &;\nendmodule\n");
        YosysException x = assertThrows(YosysException.class,
                () -> new YosysEstimator().estimate(List.of(bad), "bad", dir, dir.resolve("reports"), TIMEOUT));
        assertTrue(x.getMessage().contains("ERROR: syntax error"), x.getMessage());
        assertEquals(1, x.getMessage().lines().count(), x.getMessage());

        Path good = Files.writeString(dir.resolve("good.v"), "module good(input a, output b);\n  assign b = ~a;\nendmodule\n");
        x = assertThrows(YosysException.class,
                () -> new YosysEstimator().estimate(List.of(good), "tfq_top", dir, dir.resolve("reports"), TIMEOUT));
        assertTrue(x.getMessage().contains("tfq_top") && x.getMessage().contains("ERROR:"), x.getMessage());
        assertEquals(1, x.getMessage().lines().count(), x.getMessage());
    }

    @Test
    void missingYosysSaysHowToInstallIt() throws IOException {
        Path empty = Files.createDirectories(Bench.workDir("yosys-missing").resolve("bin"));
        YosysEstimator y = new YosysEstimator(empty.toString());
        assertFalse(y.isAvailable());
        SimulatorNotFoundException x = assertThrows(SimulatorNotFoundException.class,
                () -> y.estimate(List.of(empty.resolve("x.v")), "x", empty, empty, TIMEOUT));
        assertTrue(x.getMessage().startsWith("yosys not found on the PATH"), x.getMessage());
        assertTrue(x.getMessage().contains("scripts/install-tools.sh") && x.getMessage().endsWith("apt-get install yosys"), x.getMessage());
    }

    /** Yosys 0.23's stat -json layout, with every cell type the mapping knows, counts chosen by hand. */
    static final String STAT = """
            {
               "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
               "invocation": "stat -json ",
               "modules": {
                  "\\\\tfq_top": {
                     "num_wires":         10,
                     "num_cells":         0,
                     "num_cells_by_type": {
                        "LUT1": 1
                     }
                  }
               },
                  "design": {
                     "num_wires":         10,
                     "num_wire_bits":     100,
                     "num_memories":      0,
                     "num_processes":     0,
                     "num_cells":         0,
                     "num_cells_by_type": {
                        "BUFG": 1,
                        "CARRY4": 7,
                        "DSP48E1": 3,
                        "FDCE": 5,
                        "FDPE": 6,
                        "FDRE": 100,
                        "FDSE": 7,
                        "IBUF": 20,
                        "INV": 2,
                        "LDCE": 1,
                        "LUT1": 1,
                        "LUT2": 10,
                        "LUT3": 20,
                        "LUT4": 30,
                        "LUT5": 40,
                        "LUT6": 50,
                        "MUXF7": 9,
                        "MUXF8": 4,
                        "OBUF": 30,
                        "RAM128X1D": 1,
                        "RAM128X1S": 1,
                        "RAM256X1S": 1,
                        "RAM32M": 2,
                        "RAM32X1D": 1,
                        "RAM32X1S": 1,
                        "RAM64M": 3,
                        "RAM64X1D": 1,
                        "RAM64X1S": 1,
                        "RAMB18E1": 3,
                        "RAMB36E1": 2,
                        "SRL16E": 4,
                        "SRLC32E": 5,
                        "$_XOR_": 2,
                        "my_blackbox": 1
                     }
                  }
            }
            """;

    @Test
    void parserMapsEveryCellType() {
        Path log = Path.of("yosys.log");
        YosysEstimate e = YosysEstimator.parse("tfq_top", STAT,
                "3. Executing LTP pass (find longest path).\n\nLongest topological path in tfq_top (length=17):\n    0: x\n",
                Duration.ofMillis(1500), log);
        assertEquals(1 + 10 + 20 + 30 + 40 + 50 + 2, e.lutLogic());
        // RAM128X1D 4, RAM128X1S 2, RAM256X1S 4, RAM32M 2 x 4, RAM32X1D 2, RAM32X1S 1, RAM64M 3 x 4, RAM64X1D 2, RAM64X1S 1
        assertEquals(4 + 2 + 4 + 8 + 2 + 1 + 12 + 2 + 1, e.lutDistributedRam());
        assertEquals(9, e.lutShiftRegister());
        assertEquals(36 + 9, e.lutram());
        assertEquals(153 + 45, e.lut());
        assertEquals(5 + 6 + 100 + 7 + 1, e.ff());
        assertEquals(3, e.dsp());
        assertEquals(2, e.ramb36());
        assertEquals(3, e.ramb18());
        assertEquals(3.5, e.bramTiles());
        assertEquals(7, e.carry4());
        assertEquals(9, e.muxf7());
        assertEquals(4, e.muxf8());
        assertEquals(17, e.logicLevels());
        assertEquals(Map.of("$_XOR_", 2, "my_blackbox", 1), e.uncounted());
        assertEquals(34, e.cells().size());
        assertEquals("Yosys 0.23 (git sha1 7ce5011c24b)", e.yosysVersion());
        assertEquals(1.5, e.seconds());
        assertEquals(log, e.log());
    }

    @Test
    void parserWithoutLogicAndOnBadOutput() {
        Path log = Path.of("yosys.log");
        String empty = "{\"creator\": \"Yosys 0.23\", \"modules\": {\"\\\\t\": {\"num_cells\": 0}}, \"design\": {\"num_cells\": 0}}";
        YosysEstimate e = YosysEstimator.parse("t", empty, "Longest topological path in t (length=-1):\n", Duration.ZERO, log);
        assertEquals(0, e.lut());
        assertEquals(0, e.logicLevels());
        assertEquals(Map.of(), e.cells());

        assertThrows(YosysException.class, () -> YosysEstimator.parse("t", "{\"design\": ", "", Duration.ZERO, log));
        assertThrows(YosysException.class, () -> YosysEstimator.parse("t", "[]", "", Duration.ZERO, log));
        assertThrows(YosysException.class, () -> YosysEstimator.parse("t", empty, "no path here", Duration.ZERO, log));
        assertThrows(YosysException.class, () -> YosysEstimator.parse("t",
                "{\"design\": {\"num_cells_by_type\": {\"LUT6\": 1.5}}}", "Longest topological path in t (length=1):", Duration.ZERO, log));
    }
}
