package org.tfq.vivado;

import org.tfq.ir.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report parser on the hand-written fixtures under src/test/resources/org/tfq/vivado/reports/. */
class VivadoReportsTest {

    @TempDir
    Path tmp;

    @Test
    void utilizationOfARoutedDesign() {
        VivadoSummary.Utilization u = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), null).utilization();
        assertEquals(new VivadoSummary.Utilization("reports/utilization.rpt",
                "Vivado v.2023.2 (lin64) Build 4029153 Fri Oct 13 20:13:54 MDT 2023", "xc7s15ftgb196-1",
                1234, 1876, 40, 3, 2.5, 1, 8000, 16000, 20, 10.0), u); // LUTRAM: 40 distributed RAM of 44 LUT as Memory (4 shift registers)
    }

    @Test
    void timingThatIsMet() {
        VivadoSummary.Timing t = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), null).timing();
        assertEquals(new VivadoSummary.Timing("reports/timing_summary.rpt", "tfq_clk", 10.0, 1.234, 0.0, 0.045, true, 114.077), t);
        assertEquals(1000.0 / (10.0 - 1.234), t.fmaxMhz(), 5e-4);
    }

    @Test
    void powerWithoutSimulationActivity() {
        VivadoSummary s = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), null);
        assertEquals(new VivadoSummary.Power("reports/power.rpt", 0.072, 0.060, 0.012, "Low", null), s.power());
        assertTrue(s.notes().contains("reports/power.rpt: no simulation activity (SAIF) was read; dynamic power uses Vivado's default toggle rates"), s.notes().toString());
    }

    @Test
    void energyPerInference() {
        VivadoSummary s = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), 133_000.0);
        assertEquals(133_000.0, s.cyclesPerInference());
        assertEquals(1.33, s.latencyMs());       // 133,000 cycles x 10 ns
        assertEquals(0.09576, s.energyMj());     // 0.072 W x 1.33 ms
    }

    @Test
    void unknownCyclesGiveNoLatencyOrEnergy() {
        VivadoSummary s = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), null);
        assertNull(s.latencyMs());
        assertNull(s.energyMj());
        assertTrue(s.notes().contains("cycles per inference unknown (no cycles_per_inference in report.json): no latency or energy"));
    }

    @Test
    void violatedTimingSaifPowerAndAMissingReport() {
        VivadoSummary s = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "violated"), 1000.0);
        assertNull(s.utilization());
        assertEquals(List.of("reports/timing_summary.rpt", "reports/power.rpt"), s.sources());
        assertEquals(new VivadoSummary.Timing("reports/timing_summary.rpt", "tfq_clk", 8.0, -0.412, -12.876, 0.051, false, 118.878), s.timing());
        assertEquals(new VivadoSummary.Power("reports/power.rpt", 0.061, 0.060, 0.001, "Medium", "/home/user/out/sim/activity.saif"), s.power());
        assertEquals(0.008, s.latencyMs());      // 1000 cycles x 8 ns
        assertEquals(0.000488, s.energyMj());
        assertEquals(List.of("reports/power.rpt: Dynamic (W) is reported as <0.001; the summary gives the bound",
                "reports/utilization.rpt is missing"), s.notes());
    }

    @Test
    void olderUtilizationLayout() {
        VivadoSummary.Utilization u = VivadoReports.parseUtilization(
                read(Fixtures.resource("reports/old/utilization.rpt")), "reports/utilization.rpt");
        assertEquals(new VivadoSummary.Utilization("reports/utilization.rpt",
                "Vivado v.2017.4 (lin64) Build 2086221 Fri Dec 15 20:54:30 MST 2017", "7a35tcsg324-1",
                15321, 20456, 1200, 45, 12.0, 2, 20800, 41600, 90, 50.0), u); // LUTRAM: the 1,200 distributed RAM of 1,221 LUT as Memory
    }

    @Test
    void columnSpacingDoesNotMatter() {
        String squeezed = """
                |Site Type|Used|Fixed|Prohibited|Available|Util%|
                |Slice LUTs*|7|0|0|8000|0.09|
                |   Slice Registers   |   9   |0|0|   16000   |0.06|
                """;
        VivadoSummary.Utilization u = VivadoReports.parseUtilization(squeezed, "u.rpt");
        assertEquals(7, u.lut());
        assertEquals(8000, u.lutAvailable());
        assertEquals(9, u.ff());
        assertNull(u.dsp());
        assertNull(u.bram36());
        String timing = "| Design Timing Summary\n\n WNS(ns) TNS(ns)\n ------- -------\n 0.5 0.0\n";
        VivadoSummary.Timing t = VivadoReports.parseTiming(timing, "t.rpt", new ArrayList<>());
        assertEquals(0.5, t.wnsNs());
        assertNull(t.whsNs());
        assertNull(t.periodNs());
        assertNull(t.fmaxMhz());
        assertEquals(Boolean.TRUE, t.met());
        List<String> notes = new ArrayList<>();
        VivadoSummary.Power p = VivadoReports.parsePower("|Total On-Chip Power (W)|0.070 (Junction temp exceeded!)|\n|Device Static (W)|0.06|\n", "p.rpt", notes);
        assertEquals(0.070, p.totalW());
        assertEquals(0.06, p.staticW());
        assertNull(p.dynamicW());
        assertTrue(notes.contains("p.rpt: Total On-Chip Power (W) carries '(Junction temp exceeded!)'"), notes.toString());
    }

    @Test
    void windowsLineEndings() {
        String crlf = read(Fixtures.resource("reports/met/utilization.rpt")).replace("\n", "\r\n");
        assertEquals(1234, VivadoReports.parseUtilization(crlf, "u.rpt").lut());
    }

    @Test
    void garbageReportsAreClearErrors() throws IOException {
        Path g = Fixtures.outdirWithReports(tmp, "garbage");
        Path reports = g.resolve("reports");
        Path keep = Files.createDirectories(tmp.resolve("keep"));
        for (String f : List.of("utilization.rpt", "timing_summary.rpt", "power.rpt")) Files.move(reports.resolve(f), keep.resolve(f));
        String[][] expected = {
            {"utilization.rpt", "reports/utilization.rpt: 'Slice LUTs' has 'many' where a count belongs"},
            {"timing_summary.rpt", "reports/timing_summary.rpt: not a Vivado timing summary (no 'Design Timing Summary' table with WNS(ns))"},
            {"power.rpt", "reports/power.rpt: not a Vivado power report (no 'Total On-Chip Power (W)' row)"},
        };
        for (String[] e : expected) {
            Files.copy(keep.resolve(e[0]), reports.resolve(e[0]));
            VivadoException x = assertThrows(VivadoException.class, () -> VivadoReports.summarize(g, null));
            assertEquals(e[1], x.getMessage());
            Files.delete(reports.resolve(e[0]));
        }
        assertEquals("u.rpt: not a Vivado utilization report (no 'Slice LUTs' row)",
                assertThrows(VivadoException.class, () -> VivadoReports.parseUtilization("", "u.rpt")).getMessage());
        assertEquals("t.rpt: WNS is 'x', not a number", assertThrows(VivadoException.class,
                () -> VivadoReports.parseTiming("Design Timing Summary\n WNS(ns) TNS(ns)\n -------\n x 0.0\n", "t.rpt", new ArrayList<>())).getMessage());
    }

    @Test
    void noReportsOrNoFolder() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertEquals(out.resolve("reports") + ": no Vivado reports (utilization.rpt, timing_summary.rpt, power.rpt); run make bitstream first",
                assertThrows(VivadoException.class, () -> VivadoReports.summarize(out, null)).getMessage());
        Path absent = tmp.resolve("absent");
        assertEquals(absent + ": no such folder (the output folder of tfq compile)",
                assertThrows(VivadoException.class, () -> VivadoReports.summarize(absent, null)).getMessage());
    }

    @Test
    void cyclesFromTheCompileReport() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertNull(VivadoReports.cyclesPerInference(out));
        Files.writeString(out.resolve("report.json"), "{\"model\": \"m.onnx\", \"layers\": [{\"cycles_per_inference\": 5}]}\n");
        assertNull(VivadoReports.cyclesPerInference(out), "only the top-level key counts");
        Files.writeString(out.resolve("report.json"), "{\n  \"model\": \"m.onnx\",\n  \"cycles_per_inference\": 133000\n}\n");
        assertEquals(133_000.0, VivadoReports.cyclesPerInference(out));
        Files.writeString(out.resolve("report.json"), "{\"cycles_per_inference\": \"many\"}");
        assertEquals(out.resolve("report.json") + ": cycles_per_inference must be a positive number, got many",
                assertThrows(VivadoException.class, () -> VivadoReports.cyclesPerInference(out)).getMessage());
        Files.writeString(out.resolve("report.json"), "{\"cycles_per_inference\": 1,");
        assertTrue(assertThrows(VivadoException.class, () -> VivadoReports.cyclesPerInference(out)).getMessage()
                .startsWith(out.resolve("report.json") + ": not JSON ("));
    }

    @Test
    void jsonNamesItsSources() {
        VivadoSummary s = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), 133_000.0);
        assertEquals("""
                {
                  "sources": [
                    "reports/utilization.rpt",
                    "reports/timing_summary.rpt",
                    "reports/power.rpt"
                  ],
                  "utilization": {
                    "source": "reports/utilization.rpt",
                    "tool": "Vivado v.2023.2 (lin64) Build 4029153 Fri Oct 13 20:13:54 MDT 2023",
                    "device": "xc7s15ftgb196-1",
                    "lut": 1234,
                    "ff": 1876,
                    "lutram": 40,
                    "dsp": 3,
                    "bram36": 2.5,
                    "ramb18": 1,
                    "lut_available": 8000,
                    "ff_available": 16000,
                    "dsp_available": 20,
                    "bram36_available": 10.0
                  },
                  "timing": {
                    "source": "reports/timing_summary.rpt",
                    "clock": "tfq_clk",
                    "period_ns": 10.0,
                    "wns_ns": 1.234,
                    "tns_ns": 0.0,
                    "whs_ns": 0.045,
                    "met": true,
                    "fmax_mhz": 114.077
                  },
                  "power": {
                    "source": "reports/power.rpt",
                    "total_w": 0.072,
                    "static_w": 0.06,
                    "dynamic_w": 0.012,
                    "confidence": "Low",
                    "activity": null
                  },
                  "cycles_per_inference": 133000.0,
                  "latency_ms": 1.33,
                  "energy_per_inference_mj": 0.09576,
                  "notes": [
                    "reports/power.rpt: no simulation activity (SAIF) was read; dynamic power uses Vivado's default toggle rates"
                  ]
                }
                """, s.toJson());
        // and parses back
        assertTrue(Json.read(s.toJson()) instanceof java.util.Map<?, ?>);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Vivado's "LUT as Memory" holds shift registers too; LUTRAM is its distributed RAM alone (the fixtures are hand-written in Vivado's layout). */
    @Test
    void lutramIsDistributedRamNotShiftRegisters() {
        assertEquals(0, VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "srl-two-clocks"), null).utilization().lutram());
        assertEquals(40, VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), null).utilization().lutram());
        assertEquals(1200, VivadoReports.parseUtilization(read(Fixtures.resource("reports/old/utilization.rpt")), "u.rpt").lutram());
    }

    /** With two clocks, Fmax and latency pair the engine clock's period with that clock's own WNS, not the first clock's period with the design's. */
    @Test
    void eachClockIsPairedWithItsOwnWns() {
        VivadoSummary s = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "srl-two-clocks"), 1000.0);
        VivadoSummary.Timing t = s.timing();
        assertEquals("tfq_clk", t.clock());
        assertEquals(8.0, t.periodNs());
        assertEquals(-5.662, t.wnsNs());
        assertEquals(73.196, t.fmaxMhz(), 1e-9); // 1000 / (8 + 5.662); sys_clk's 10 ns with -5.662 would give 63.851
        assertEquals(0.008, s.latencyMs(), 1e-12);
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("2 clocks (sys_clk 10.0 ns, WNS 1.5 ns, Fmax 117.6 MHz; tfq_clk 8.0 ns, WNS -5.662 ns,"
                + " Fmax 73.2 MHz); Fmax and latency are tfq_clk's")), s.notes().toString());
    }
}
