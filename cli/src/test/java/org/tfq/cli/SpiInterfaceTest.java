package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.ir.io.Json;
import org.tfq.verilog.Icarus;
import org.tfq.verilog.Lint;
import org.tfq.verilog.SimResult;
import org.tfq.verilog.Simulator;
import org.tfq.verilog.SpiWrapper;
import org.tfq.verilog.Verilator;

/**
 * {@code tfq compile --interface spi}, bit-exact: compiles a testdata model with the SPI top level
 * ({@link SpiWrapper}, written by {@link org.tfq.compiler.Compiler#generate}) and runs its SPI testbench
 * {@code sim/tb_tfq_spi.v} in Icarus and in Verilator: an SPI master sends every vector of
 * {@code sim/inputs.mem}, reads the forecast back and compares it with {@code sim/expected.mem},
 * at four SCK rates down to clk/4.2, with protocol checks (status, error bits, irq, a queued
 * window). Also {@code verilator --lint-only -Wall} of the whole SPI design, its elaboration in
 * Yosys, the README, the default {@code axis} and a bad {@code --interface}.
 */
class SpiInterfaceTest {

    static final int VECTORS = 8;
    static final Pattern TDATA = Pattern.compile("localparam (IN_TW|OUT_TW) = (\\d+);");

    @TempDir
    static Path dir;
    static Path out;
    static List<String> rtl;
    static Map<String, Object> report;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void compile() throws IOException {
        Path model = Cli.model("ref_n12_d16_m3.onnx");
        out = dir.resolve("out");
        Cli c = Cli.run("compile", model.toString(), "-o", out.toString(), "--bits", "8", "--calibration",
                model.resolveSibling("ref_n12_d16_m3.calibration.npy").toString(), "--lanes", "8", "--vectors",
                Integer.toString(VECTORS), "--interface", "spi");
        assertEquals(0, c.exit(), c.err());
        report = (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
        Map<String, Object> hw = (Map<String, Object>) report.get("hardware");
        assertEquals("spi", hw.get("interface"));
        assertEquals(SpiWrapper.TOP, hw.get("top"));
        rtl = (List<String>) hw.get("rtl");
        assertEquals(List.of("tfq_top.v", "tfq_spi_slave.v", "tfq_spi_top.v"), rtl.subList(rtl.size() - 3, rtl.size()));
        assertTrue(Files.isRegularFile(out.resolve("sim/" + SpiWrapper.TB_FILE)));
    }

    /** The sizes the SPI top level was given are tfq_top's: its TDATA widths, the codes per vector in the vector files. */
    @Test
    void sizesAreThoseOfTfqTop() throws IOException {
        Matcher m = TDATA.matcher(Files.readString(out.resolve("rtl/tfq_top.v")));
        int inTw = 0, outTw = 0;
        while (m.find()) {
            if (m.group(1).equals("IN_TW")) inTw = Integer.parseInt(m.group(2));
            else outTw = Integer.parseInt(m.group(2));
        }
        int nIn = lines(out.resolve("sim/inputs.mem")) / VECTORS;
        int nOut = lines(out.resolve("sim/expected.mem")) / VECTORS;
        assertEquals(new SpiWrapper.Ports(36, 1, 8, 16), new SpiWrapper.Ports(nIn, nOut, inTw, outTw), "12 x 3 inputs, one 16-bit forecast");
        String top = Files.readString(out.resolve("rtl/" + SpiWrapper.FILE));
        for (String p : List.of("N_IN = 36;", "N_OUT = 1;", "IN_TW = 8;", "OUT_TW = 16;")) assertTrue(top.contains("localparam " + p), top);
    }

    private static int lines(Path p) throws IOException {
        return (int) Files.readAllLines(p).stream().filter(s -> !s.isBlank()).count();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"icarus", "verilator"})
    void bitExactOverSpi(String simulator) {
        Simulator s = simulator.equals("icarus") ? new Icarus() : new Verilator();
        SimResult r = SpiWrapper.run(out, rtl, s, Duration.ofMinutes(10));
        assertTrue(r.passed(), r.describe());
        assertEquals(VECTORS, r.summary().orElseThrow().vectors(), r.describe());
        System.out.println(r.describe());
    }

    /** Yosys reads and elaborates the whole SPI design: every module and port resolves. */
    @Test
    void elaboratesInYosys() throws Exception {
        StringBuilder script = new StringBuilder();
        for (String f : rtl) script.append("read_verilog rtl/").append(f).append("; ");
        script.append("hierarchy -check -top ").append(SpiWrapper.TOP).append("; proc; opt_clean");
        Process p = new ProcessBuilder("yosys", "-q", "-p", script.toString()).directory(out.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertTrue(!log.contains("ERROR"), log);
    }

    /** The README the compile wrote: the numbers of report.json, the SPI protocol, the SPI files. */
    @Test
    @SuppressWarnings("unchecked")
    void readme() throws IOException {
        String r = Files.readString(out.resolve("README.md"));
        Map<String, Object> in = (Map<String, Object>) report.get("input"), o = (Map<String, Object>) report.get("output");
        assertTrue(r.startsWith("# ref_n12_d16_m3\n"), r);
        assertTrue(r.contains("S = " + in.get("scale") + ", Z = " + ((Number) in.get("zero_point")).longValue()), r);
        assertTrue(r.contains("S_out = " + o.get("scale") + ", Z_out = " + ((Number) o.get("zero_point")).longValue()), r);
        assertTrue(r.contains(String.format(java.util.Locale.ROOT, "| cycles per inference | %,d ", ((Number) report.get("cycles_per_inference")).longValue())), r);
        assertTrue(r.contains("| engine | 8 multiply-accumulate lanes |"), r);
        assertTrue(r.contains("| 0x01 write | the 36 input codes: 36 bytes |"), r);
        assertTrue(r.contains("| `rtl/tfq_spi_top.v` | the SPI top level |"), r);
        assertTrue(r.contains("| `sim/tb_tfq_spi.v` |"), r);
    }

    /** Without --interface: tfq_top only, a README without SPI. */
    @Test
    @SuppressWarnings("unchecked")
    void axisIsTheDefault() throws IOException {
        Path model = Cli.model("ref_n12_d16_m1.onnx");
        Path o = dir.resolve("axis");
        Cli c = Cli.run("compile", model.toString(), "-o", o.toString(), "--bits", "6", "--calibration",
                model.resolveSibling("ref_n12_d16_m1.calibration.npy").toString(), "--vectors", "1");
        assertEquals(0, c.exit(), c.err());
        Map<String, Object> hw = (Map<String, Object>) ((Map<String, Object>) Json.read(Files.readString(o.resolve("report.json")))).get("hardware");
        assertEquals("axis", hw.get("interface"));
        assertEquals("tfq_top", hw.get("top"));
        assertFalse(Files.exists(o.resolve("rtl/" + SpiWrapper.FILE)));
        assertFalse(Files.exists(o.resolve("sim/" + SpiWrapper.TB_FILE)));
        String r = Files.readString(o.resolve("README.md"));
        assertTrue(r.contains("Top level: `tfq_top`"), r);
        assertFalse(r.contains("tfq_spi"), r);
        assertTrue(Files.readString(o.resolve(".tfq-output")).contains("README.md"));
    }

    @Test
    void rejectsAnUnknownInterface() {
        Path model = Cli.model("ref_n12_d16_m1.onnx");
        Cli c = Cli.run("compile", model.toString(), "-o", dir.resolve("uart").toString(), "--interface", "uart");
        c.assertOneLineError();
        assertTrue(c.err().contains("--interface uart: use axis or spi"), c.err());
        assertFalse(Files.exists(dir.resolve("uart")));
    }

    @Test
    void lintClean() {
        List<Path> sources = rtl.stream().map(f -> out.resolve("rtl").resolve(f)).toList();
        List<String> warnings = new java.util.ArrayList<>(Lint.verilatorLintWall(sources, SpiWrapper.TOP, Map.of()));
        warnings.addAll(Lint.icarusStrict(sources, SpiWrapper.TOP));
        for (Path f : sources) warnings.addAll(Lint.usesBeforeDeclaration(f));
        assertTrue(warnings.isEmpty(), String.join("\n", warnings));
    }
}
