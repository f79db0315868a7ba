package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;

/**
 * tfq explore --part ice40up5k-sg48 on ref_n12_d16_m1 (8 bits, 1 and 2 lanes): power from the
 * iCE40 estimate (not the 7 series model's 32 mW of static power), the EBR column in the table and
 * the JSON, and --collect naming nextpnr, whose summary (as {@code make report} writes it from
 * nextpnr's report) has resources and a clock but no power.
 */
class Ice40ExploreTest {

    @TempDir
    static Path shared;

    static Path dir;
    static Cli sweep;
    static Map<?, ?> table;

    static final String M = "ref_n12_d16_m1";

    @BeforeAll
    static void explore() throws IOException {
        dir = shared.resolve("ex");
        sweep = Cli.run("explore", Cli.model(M + ".onnx").toString(), "--inputs", Cli.model(M + ".inputs.npy").toString(),
                "--targets", Cli.model(M + ".targets.npy").toString(), "--calibration", Cli.model(M + ".calibration.npy").toString(),
                "--part", "ice40up5k-sg48", "--clock-mhz", "24", "--bits", "8", "--lanes", "1,2", "--activations", "bram",
                "--emit-pareto", "-o", dir.toString());
        assertEquals(0, sweep.exit(), sweep.out() + sweep.err());
        table = (Map<?, ?>) Json.read(Files.readString(dir.resolve("explore.json")));
    }

    static List<Map<?, ?>> rows(Map<?, ?> t) {
        return ((List<?>) t.get("configurations")).stream().<Map<?, ?>>map(o -> (Map<?, ?>) o).toList();
    }

    static double num(Map<?, ?> row, String k) {
        return ((Number) row.get(k)).doubleValue();
    }

    /**
     * Each row's power is the iCE40 estimate of its own counts, by the formula and figures of
     * Ice40PowerModel's documentation: 146 uW + 24 MHz x (52 + 0.053 per cell + 23 per SB_MAC16 +
     * 4 per EBR) uW/MHz, cells = max(LUT4, DFF); energy is that over the cycles at 24 MHz.
     */
    @Test
    void powerAndEnergyAreTheIce40Estimate() {
        assertEquals(0.000146, num((Map<?, ?>) table.get("energy_model"), "static_w"));
        assertEquals(2, rows(table).size());
        for (Map<?, ?> r : rows(table)) {
            double perMhz = 52 + Math.max(num(r, "lut"), num(r, "ff")) * 0.053 + num(r, "dsp") * 23 + num(r, "ebr") * 4;
            double w = 0.000146 + 24 * perMhz * 1e-6;
            assertEquals(w, num(r, "power_w"), 1e-5 * w, r.toString());
            assertTrue(w < 0.02, "an UltraPlus design draws milliwatts: " + w);
            assertEquals(w * num(r, "cycles") / 24, num(r, "energy_uj"), 1e-4 * num(r, "energy_uj"));
            assertTrue(num(r, "ebr") > 0, "the model's weight and activation memories are EBR: " + r);
            assertEquals(0.0, num(r, "bram_tiles"));
        }
    }

    /** The printed candidates and the CSV show EBR, not 36 Kb tiles, which the family does not have. */
    @Test
    void tableShowsEbr() throws IOException {
        assertTrue(sweep.out().contains("| DSP | EBR | power (mW) |"), sweep.out());
        assertFalse(sweep.out().contains("BRAM36"), sweep.out());
        String header = Files.readAllLines(dir.resolve("explore.csv")).get(0);
        assertTrue(header.contains(",bram_tiles,ebr,lut_percent,"), header);
    }

    /** --collect: nextpnr's resources (logic cells, SB_MAC16, EBR) and fmax replace the model's; no power, so energy stays the estimate. */
    @Test
    void collectNamesNextpnrAndKeepsTheEnergyEstimate(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("ex");
        ExploreCommandTest.copyTree(dir, copy);
        String c = (String) ((List<?>) table.get("pareto_candidates")).get(0);
        Map<?, ?> before = rows(table).stream().filter(r -> r.get("name").equals(c)).findFirst().orElseThrow();
        Path summary = copy.resolve("pareto/" + c + "/reports/summary.json");
        Files.createDirectories(summary.getParent());
        Files.writeString(summary, """
                {"utilization": {"source": "build/nextpnr_report.json", "tool": "nextpnr-ice40", "lut": 4321, "ff": null, "lutram": null,
                  "dsp": 4, "bram36": null, "ramb18": null, "ebr": 29, "ebr_available": 30},
                 "timing": {"wns_ns": 3.5, "fmax_mhz": 26.3, "met": true}, "power": null}
                """);
        Cli r = Cli.run("explore", "--collect", copy.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("collected nextpnr results of 1 configurations"), r.out());
        Map<?, ?> after = (Map<?, ?>) Json.read(Files.readString(copy.resolve("explore.json")));
        assertEquals(List.of(c), after.get("collected_from_nextpnr"));
        Map<?, ?> row = rows(after).stream().filter(o -> o.get("name").equals(c)).findFirst().orElseThrow();
        assertEquals("nextpnr", row.get("resource_source"));
        assertEquals("model", row.get("energy_source"));
        assertEquals(4321.0, num(row, "lut"));
        assertEquals(29.0, num(row, "ebr"));
        assertEquals(26.3, num(row, "fmax_mhz"));
        assertEquals(num(before, "energy_uj"), num(row, "energy_uj"));
        assertEquals(true, row.get("fits"));
        assertTrue(Files.readString(copy.resolve("plots/rmse-energy.svg")).contains("nextpnr results"));
        assertFalse(Files.readString(copy.resolve("plots/rmse-energy.svg")).contains("Vivado"));
    }

    /** nextpnr's EBR over the part's 30: the row no longer fits. */
    @Test
    void collectJudgesFitFromNextpnrEbr(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("ex");
        ExploreCommandTest.copyTree(dir, copy);
        String c = (String) ((List<?>) table.get("pareto_candidates")).get(0);
        Path summary = copy.resolve("pareto/" + c + "/reports/summary.json");
        Files.createDirectories(summary.getParent());
        Files.writeString(summary, """
                {"utilization": {"tool": "nextpnr-ice40", "lut": 4321, "dsp": 4, "ebr": 31}, "timing": {"fmax_mhz": 26.3}, "power": null}
                """);
        assertEquals(0, Cli.run("explore", "--collect", copy.toString()).exit());
        Map<?, ?> after = (Map<?, ?>) Json.read(Files.readString(copy.resolve("explore.json")));
        assertEquals(false, rows(after).stream().filter(o -> o.get("name").equals(c)).findFirst().orElseThrow().get("fits"));
    }
}
