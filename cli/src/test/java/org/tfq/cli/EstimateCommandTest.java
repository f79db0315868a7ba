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
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;
import org.tfq.verilog.YosysEstimate;
import org.tfq.vivado.PartDatabase;

/**
 * tfq estimate on a hand-made output folder: report.json and rtl/tfq_top.v, a small design whose
 * mapping is known (a 1024 x 36 ROM read by $readmemh from rtl/w.mem relative to OUTDIR: one
 * RAMB36E1; a 16 x 16 multiply: one DSP48E1; an 8-bit counter: 8 flip-flops and a carry chain).
 */
class EstimateCommandTest {

    static final String TOP = """
            module tfq_top (
                input  wire        clk,
                input  wire        rst,
                input  wire [9:0]  addr,
                input  wire [15:0] x,
                output reg  [35:0] q,
                output reg  [31:0] p,
                output reg  [7:0]  count
            );
                reg [35:0] rom [0:1023];
                initial $readmemh("rtl/w.mem", rom);
                always @(posedge clk) q <= rom[addr];
                always @(posedge clk) p <= x * q[15:0];
                always @(posedge clk) begin
                    if (rst) count <= 8'd0;
                    else count <= count + 8'd1;
                end
            endmodule
            """;

    @TempDir
    Path tmp;

    private Path outdir(String reportJson) throws IOException {
        Path out = tmp.resolve("out");
        Path rtl = Files.createDirectories(out.resolve("rtl"));
        Files.writeString(rtl.resolve("tfq_top.v"), TOP);
        Random r = new Random(7);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1024; i++) b.append(String.format("%09x%n", r.nextLong() & ((1L << 36) - 1)));
        Files.writeString(rtl.resolve("w.mem"), b.toString());
        Files.writeString(out.resolve("report.json"), reportJson);
        return out;
    }

    @Test
    void tableAgainstTheDefaultPart() throws IOException {
        Path out = outdir("{\n  \"model\": \"m.onnx\",\n  \"layers\": []\n}\n");
        Cli r = Cli.run("estimate", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        System.out.print(r.out());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("estimate of " + out.resolve("rtl") + " (top tfq_top) by Yosys "), r.out());
        assertTrue(lines.contains("part       xc7s15ftgb196-1 (Spartan-7 xc7s15)"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("LUT +[1-9][0-9]* +8000 +[0-9.]+%  logic [1-9][0-9]*, memory 0")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("DSP +1 +20 +5\\.0%  DSP48E1")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("BRAM +1 +10 +10\\.0%  36 Kb tiles: RAMB36E1 1, RAMB18E1 0")), r.out());
        assertTrue(lines.contains("fits       yes"), r.out());
        assertTrue(lines.contains("wrote " + out.resolve("reports/estimate.json")), r.out());
        assertTrue(Files.isRegularFile(out.resolve("reports/yosys.log")));
        assertTrue(Files.readString(out.resolve("reports/yosys.ys")).contains("read_verilog \"rtl/tfq_top.v\""));
    }

    @Test
    void jsonIsTheEstimateFileAndUsesThePartOfReportJson() throws IOException {
        Path out = outdir("{\n  \"model\": \"m.onnx\",\n  \"part\": \"xc7s25csga324-1\"\n}\n");
        Cli r = Cli.run("estimate", "--json", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(Files.readString(out.resolve("reports/estimate.json")), r.out());
        Map<?, ?> j = (Map<?, ?>) Json.read(r.out());
        for (String k : List.of("lut", "ff", "lutram", "dsp", "bram36", "bram18", "fits", "part", "logic_levels",
                "lut_percent", "ff_percent", "dsp_percent", "bram_percent", "yosys_seconds")) {
            assertTrue(j.containsKey(k), k + " missing in " + r.out());
        }
        assertEquals("xc7s25csga324-1", j.get("part"));
        assertEquals("xc7s25", j.get("device"));
        assertEquals(Boolean.TRUE, j.get("fits"));
        assertEquals(1.0, j.get("dsp"));
        assertEquals(80.0, j.get("dsp_available"));
        assertEquals(1.25, j.get("dsp_percent"));
        assertEquals(1.0, j.get("bram36"));
        assertEquals(0.0, j.get("bram18"));
        assertEquals(45.0, j.get("bram_available"));
        assertEquals(2.22, j.get("bram_percent"));
        assertEquals(14600.0, j.get("lut_available"));
        assertEquals(0.0, j.get("lutram"));
        double lut = (Double) j.get("lut");
        double ff = (Double) j.get("ff");
        // the counter is a carry chain with its inputs straight from the register: little else is logic
        assertTrue(lut >= 1 && lut < 50, r.out());
        assertEquals(j.get("lut_logic"), j.get("lut"));
        // the counter; q is the block RAM's own output register, p may be the DSP's
        assertTrue(ff >= 8 && ff <= 8 + 32, r.out());
        assertEquals(Math.round(10000.0 * lut / 14600) / 100.0, j.get("lut_percent"));
        assertTrue((Double) j.get("logic_levels") >= 2, "the counter's carry chain: " + r.out());
        assertTrue((Double) j.get("yosys_seconds") > 0, r.out());
        assertEquals("reports/yosys.log", j.get("log"));
        assertEquals(Map.of(), j.get("uncounted_cells"));
        assertTrue(((Map<?, ?>) j.get("cells")).containsKey("RAMB36E1"), r.out());
    }

    @Test
    void overAnyResourceDoesNotFit() {
        YosysEstimate e = new YosysEstimate("tfq_top", 7000, 900, 50, 12000, 21, 9, 2, 100, 3, 1, 12, Map.of("DSP48E1", 21),
                Map.of(), "Yosys 0.23", Duration.ofMillis(1234), Path.of("reports/yosys.log"));
        Map<String, Object> j = EstimateCommand.json(e, PartDatabase.lookup("xc7s15"), "xc7s15");
        assertEquals(Boolean.FALSE, j.get("fits"), "21 of 20 DSPs");
        assertEquals(7950, j.get("lut"));
        assertEquals(950, j.get("lutram"));
        assertEquals(99.38, j.get("lut_percent"));
        assertEquals(105.0, j.get("dsp_percent"));
        assertEquals(10.0, j.get("bram_tiles"));
        assertEquals(100.0, j.get("bram_percent"));
        assertEquals(1.23, j.get("yosys_seconds"));
        Map<String, Object> fits = EstimateCommand.json(e, PartDatabase.lookup("xc7s25"), "xc7s25");
        assertEquals(Boolean.TRUE, fits.get("fits"));
        YosysEstimate lutOver = new YosysEstimate("tfq_top", 7000, 1000, 1, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of(),
                "Yosys 0.23", Duration.ZERO, Path.of("x"));
        assertEquals(Boolean.FALSE, EstimateCommand.json(lutOver, PartDatabase.lookup("xc7s15"), "xc7s15").get("fits"), "8001 LUTs");
    }

    @Test
    void missingOutdir() {
        Cli.assertMissingOutdir("estimate", tmp.resolve("absent"));
    }

    @Test
    void fileInsteadOfOutdir() throws IOException {
        Path f = Files.writeString(tmp.resolve("file.txt"), "x");
        Cli r = Cli.run("estimate", f.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("is not a folder"), r.err());
    }

    @Test
    void notAnOutputFolder() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("somewhere/rtl")).getParent();
        Cli r = Cli.run("estimate", d.toString());
        r.assertOneLineError();
        assertEquals("tfq: error: " + d + ": not an output folder of tfq compile (no report.json)", r.err().strip());
    }

    @Test
    void noRtlYet() throws IOException {
        Path out = outdir("{}");
        OutputDirectory.delete(out.resolve("rtl"));
        Cli r = Cli.run("estimate", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(out.resolve("rtl") + ": no such folder; tfq compile writes the design's Verilog there"), r.err());

        Files.createDirectories(out.resolve("rtl"));
        r = Cli.run("estimate", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("no Verilog (.v) files"), r.err());
        assertFalse(Files.exists(out.resolve("reports/estimate.json")));
    }

    @Test
    void unknownPart() throws IOException {
        Path out = outdir("{}");
        Cli r = Cli.run("estimate", "--part", "xc9z99", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("unknown FPGA part 'xc9z99'"), r.err());

        Files.writeString(out.resolve("report.json"), "{\"part\": \"xc7k70t\"}");
        r = Cli.run("estimate", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("unknown FPGA part 'xc7k70t'"), r.err());
    }

    @Test
    void brokenReportJson() throws IOException {
        Path out = outdir("{\"part\": ");
        Cli r = Cli.run("estimate", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("report.json: not JSON"), r.err());

        Files.writeString(out.resolve("report.json"), "{\"part\": 7}");
        r = Cli.run("estimate", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("\"part\" must be a part name"), r.err());
    }

    @Test
    void yosysErrorIsOneLine() throws IOException {
        Path out = outdir("{}");
        Files.writeString(out.resolve("rtl/tfq_top.v"), TOP.replace("module tfq_top", "module other_top"));
        Cli r = Cli.run("estimate", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("yosys failed on tfq_top: ERROR:") && r.err().contains("(log: " + out.resolve("reports/yosys.log") + ")"),
                r.err());
    }
}
