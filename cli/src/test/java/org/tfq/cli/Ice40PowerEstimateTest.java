package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;

/**
 * report.json of an iCE40 design carries the power estimate bench/ice40 scales to nextpnr's fmax
 * (nextpnr estimates none); a 7 series report has none, as before (Vivado's report_power is its).
 */
class Ice40PowerEstimateTest {

    private static Map<?, ?> compile(Path out, String part) throws Exception {
        Path model = Cli.model("ref_n12_d16_m1.onnx");
        Cli r = Cli.run("compile", model.toString(), "--bits", "8", "--calibration", model.resolveSibling("ref_n12_d16_m1.calibration.npy").toString(),
                "--part", part, "--clock-mhz", "24", "--lanes", "2", "--vectors", "1", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        return (Map<?, ?>) Json.read(Files.readString(out.resolve("report.json")));
    }

    private static double num(Object m, String k) {
        return ((Number) ((Map<?, ?>) m).get(k)).doubleValue();
    }

    /**
     * By Ice40PowerModel's documented figures on report.json's own resource counts: 146 uW static;
     * (52 + 0.053 x max(LUT4, DFF) + 23 x SB_MAC16 + 4 x EBR) uW per MHz; at 24 MHz, energy = power x cycles / 24.
     */
    @Test
    void ice40ReportHasThePowerEstimate(@TempDir Path dir) throws Exception {
        Map<?, ?> report = compile(dir.resolve("up5k"), "ice40up5k-sg48");
        Object res = report.get("resource_model"), p = report.get("power_estimate");
        double perMhz = (52 + 0.053 * Math.max(num(res, "lut"), num(res, "ff")) + 23 * num(res, "dsp") + 4 * num(res, "ebr")) * 1e-6;
        assertEquals(0.000146, num(p, "design_static_w"), 1e-12);
        assertEquals(perMhz, num(p, "design_dynamic_w_per_mhz"), 1e-12);
        double w = 0.000146 + 24 * perMhz;
        assertEquals(w, num(p, "total_w_at_clock"), 1e-12);
        assertEquals(w * num(report, "cycles_per_inference") / 24, num(p, "energy_uj_at_clock"), 1e-9);
    }

    @Test
    void sevenSeriesReportHasNone(@TempDir Path dir) throws Exception {
        assertFalse(compile(dir.resolve("xc7"), "xc7s15ftgb196-1").containsKey("power_estimate"));
    }
}
