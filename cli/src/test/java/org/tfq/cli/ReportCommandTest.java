package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tfq report on an output folder with Vivado reports. The reports here are short hand-written
 * excerpts in Vivado 2023.2's layout (not Vivado output); the parser's own tests use full ones.
 */
class ReportCommandTest {

    static final String UTILIZATION = """
            Copyright 1986-2022 Xilinx, Inc. All Rights Reserved. Copyright 2022-2023 Advanced Micro Devices, Inc. All Rights Reserved.
            ---------------------------------------------------------------------------------------------------
            | Tool Version : Vivado v.2023.2 (lin64) Build 4029153 Fri Oct 13 20:13:54 MDT 2023
            | Host         : fixture (hand-written for tfq tests, not Vivado output)
            | Design       : tfq_top
            | Device       : xc7s15ftgb196-1
            | Design State : Routed
            ---------------------------------------------------------------------------------------------------

            1. Slice Logic
            --------------

            +-------------------------+------+-------+------------+-----------+-------+
            |        Site Type        | Used | Fixed | Prohibited | Available | Util% |
            +-------------------------+------+-------+------------+-----------+-------+
            | Slice LUTs              | 1234 |     0 |          0 |      8000 | 15.43 |
            |   LUT as Logic          | 1190 |     0 |          0 |      8000 | 14.88 |
            |   LUT as Memory         |   44 |     0 |          0 |      2400 |  1.83 |
            |     LUT as Distributed RAM |   40 |     0 |            |           |       |
            |     LUT as Shift Register  |    4 |     0 |            |           |       |
            | Slice Registers         | 1876 |     0 |          0 |     16000 | 11.73 |
            +-------------------------+------+-------+------------+-----------+-------+

            3. Memory
            ---------

            +-------------------+------+-------+------------+-----------+-------+
            |     Site Type     | Used | Fixed | Prohibited | Available | Util% |
            +-------------------+------+-------+------------+-----------+-------+
            | Block RAM Tile    |  2.5 |     0 |          0 |        10 | 25.00 |
            |   RAMB36/FIFO*    |    2 |     0 |          0 |        10 | 20.00 |
            |   RAMB18          |    1 |     0 |          0 |        20 |  5.00 |
            +-------------------+------+-------+------------+-----------+-------+

            4. DSP
            ------

            +----------------+------+-------+------------+-----------+-------+
            |    Site Type   | Used | Fixed | Prohibited | Available | Util% |
            +----------------+------+-------+------------+-----------+-------+
            | DSPs           |    3 |     0 |          0 |        20 | 15.00 |
            +----------------+------+-------+------------+-----------+-------+
            """;

    static final String TIMING = """
            ------------------------------------------------------------------------------------------------
            | Design Timing Summary
            | ---------------------
            ------------------------------------------------------------------------------------------------

                WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints      WHS(ns)      THS(ns)  THS Failing Endpoints  THS Total Endpoints
                -------      -------  ---------------------  -------------------      -------      -------  ---------------------  -------------------
                  1.234        0.000                      0                 2345        0.045        0.000                      0                 2345


            All user specified timing constraints are met.


            ------------------------------------------------------------------------------------------------
            | Clock Summary
            | -------------
            ------------------------------------------------------------------------------------------------

            Clock    Waveform(ns)         Period(ns)      Frequency(MHz)
            -----    ------------         ----------      --------------
            tfq_clk  {0.000 5.000}        10.000          100.000
            """;

    static final String POWER = """
            1. Summary
            ----------

            +--------------------------+--------------+
            | Total On-Chip Power (W)  | 0.072        |
            | Design Power Budget (W)  | Unspecified* |
            | Dynamic (W)              | 0.012        |
            | Device Static (W)        | 0.060        |
            | Confidence Level         | Low          |
            | Simulation Activity File | ---          |
            +--------------------------+--------------+
            """;

    @TempDir
    Path tmp;

    private Path outdir(boolean withCycles) throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("reports"));
        Files.writeString(out.resolve("reports/utilization.rpt"), UTILIZATION);
        Files.writeString(out.resolve("reports/timing_summary.rpt"), TIMING);
        Files.writeString(out.resolve("reports/power.rpt"), POWER);
        Files.writeString(out.resolve("report.json"), withCycles
                ? "{\n  \"model\": \"m.onnx\",\n  \"cycles_per_inference\": 133000,\n  \"layers\": []\n}\n"
                : "{\n  \"model\": \"m.onnx\",\n  \"layers\": []\n}\n");
        return out;
    }

    @Test
    void tableAndSummaryJson() throws IOException {
        Path out = outdir(true);
        Cli r = Cli.run("report", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("reports: " + out.resolve("reports/utilization.rpt") + ", "
                + out.resolve("reports/timing_summary.rpt") + ", " + out.resolve("reports/power.rpt") + "\n"), r.out());
        for (String line : new String[] {
            "device   xc7s15ftgb196-1 (Vivado v.2023.2)",
            "LUT      1234 / 8000 (15.4%)",
            "FF       1876 / 16000 (11.7%)",
            "LUTRAM   40",
            "DSP      3 / 20 (15.0%)",
            "BRAM36   2.5 / 10 (25.0%), of which RAMB18: 1",
            "clock    tfq_clk, 10.000 ns (100.000 MHz)",
            "WNS      1.234 ns (timing met)",
            "Fmax     114.077 MHz",
            "power    0.072 W total, 0.060 W static, 0.012 W dynamic (confidence Low, activity vectorless)",
            "latency  1.33 ms (133000 cycles)",
            "energy   0.09576 mJ per inference",
            "wrote " + out.resolve("reports/summary.json"),
        }) {
            assertTrue(r.out().lines().anyMatch(line::equals), "no line '" + line + "' in\n" + r.out());
        }
        String summary = Files.readString(out.resolve("reports/summary.json"));
        assertTrue(summary.contains("\"energy_per_inference_mj\": 0.09576,"), summary);
        assertTrue(summary.contains("\"source\": \"reports/power.rpt\","), summary);
    }

    @Test
    void jsonIsExactlyTheSummaryFile() throws IOException {
        Path out = outdir(false);
        Cli r = Cli.run("report", "--json", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(Files.readString(out.resolve("reports/summary.json")), r.out());
        assertTrue(r.out().startsWith("{\n  \"sources\": [") && r.out().endsWith("}\n"), r.out());
        assertTrue(r.out().contains("\"lut\": 1234,"), r.out());
        assertTrue(r.out().contains("\"energy_per_inference_mj\": null,"), r.out());
        // running again gives the same bytes
        assertEquals(r.out(), Cli.run("report", "--json", out.toString()).out());
    }

    @Test
    void withoutCyclesNoLatencyOrEnergy() throws IOException {
        Cli r = Cli.run("report", outdir(false).toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().lines().anyMatch(l -> l.startsWith("latency") || l.startsWith("energy")), r.out());
        assertTrue(r.out().contains("note: cycles per inference unknown (no cycles_per_inference in report.json): no latency or energy"), r.out());
    }

    @Test
    void missingReportIsNamed() throws IOException {
        Path out = outdir(true);
        Files.delete(out.resolve("reports/power.rpt"));
        Cli r = Cli.run("report", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\npower: no report\n"), r.out());
        assertTrue(r.out().contains("note: reports/power.rpt is missing"), r.out());
        assertTrue(r.out().contains("note: energy needs the total on-chip power from reports/power.rpt"), r.out());
    }

    @Test
    void missingOutdir() {
        Cli.assertMissingOutdir("report", tmp.resolve("absent"));
    }

    @Test
    void noReportsYet() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("fresh"));
        Cli r = Cli.run("report", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("no Vivado reports") && r.err().strip().endsWith("run make bitstream first"), r.err());
        assertFalse(Files.exists(out.resolve("reports/summary.json")));
    }

    @Test
    void fileInsteadOfOutdir() throws IOException {
        Path f = Files.writeString(tmp.resolve("file.txt"), "x");
        Cli r = Cli.run("report", f.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("is not a folder"), r.err());
    }

    @Test
    void garbageReport() throws IOException {
        Path out = outdir(true);
        Files.writeString(out.resolve("reports/timing_summary.rpt"), "ERROR: [Common 17-69] Command failed\n");
        Cli r = Cli.run("report", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("reports/timing_summary.rpt: not a Vivado timing summary"), r.err());
    }

    @Test
    void brokenCompileReport() throws IOException {
        Path out = outdir(true);
        Files.writeString(out.resolve("report.json"), "{\"cycles_per_inference\": ");
        Cli r = Cli.run("report", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("report.json: not JSON"), r.err());
    }
}
