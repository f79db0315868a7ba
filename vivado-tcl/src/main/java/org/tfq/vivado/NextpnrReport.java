package org.tfq.vivado;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tfq.ir.io.Json;

/**
 * nextpnr-ice40's {@code --report} JSON ({@link Ice40Flow#REPORT}) as the same summary Vivado's
 * reports give: utilization from its {@code utilization} section (logic cells {@code ICESTORM_LC},
 * each a LUT4 and its flip-flop; {@code ICESTORM_DSP}, SB_MAC16; {@code ICESTORM_RAM}, EBR) and
 * the achieved clock from {@code fmax}. nextpnr estimates no power, so the power section is null.
 */
public final class NextpnrReport {
    private NextpnrReport() {}

    /** Whether OUTDIR holds a nextpnr report, which {@link VivadoReports#summarize} then reads. */
    public static boolean present(Path outdir) {
        return Files.isRegularFile(outdir.resolve(Ice40Flow.REPORT));
    }

    static VivadoSummary summarize(Path outdir, Double cyclesPerInference) {
        Path f = outdir.resolve(Ice40Flow.REPORT);
        Map<?, ?> report;
        try {
            Object json = Json.read(Files.readString(f, StandardCharsets.UTF_8));
            if (!(json instanceof Map<?, ?> m)) throw new VivadoException(f + ": not a nextpnr report (no JSON object)");
            report = m;
        } catch (IllegalArgumentException e) {
            throw new VivadoException(f + ": not JSON (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new VivadoException(f + ": cannot read: " + e.getMessage());
        }
        String source = Ice40Flow.REPORT;
        Map<?, ?> util = map(report.get("utilization"), f, "utilization");
        VivadoSummary.Utilization u = new VivadoSummary.Utilization(source, "nextpnr-ice40", device(outdir),
                used(util, "ICESTORM_LC"), null, null, used(util, "ICESTORM_DSP"), null, null,
                available(util, "ICESTORM_LC"), null, available(util, "ICESTORM_DSP"), null,
                used(util, "ICESTORM_RAM"), available(util, "ICESTORM_RAM"));
        Map<?, ?> fmax = map(report.get("fmax"), f, "fmax");
        List<String> notes = new ArrayList<>();
        notes.add("iCE40: lut counts logic cells (ICESTORM_LC, a LUT4 and its flip-flop each); dsp SB_MAC16; ebr the 4 Kb block RAMs");
        VivadoSummary.Timing t = null;
        // tfq's designs have one clock; its name is the clock port as nextpnr routes it (clk$SB_IO_IN_$glb_clk)
        for (Map.Entry<?, ?> e : fmax.entrySet()) {
            Map<?, ?> c = map(e.getValue(), f, "fmax." + e.getKey());
            double achieved = number(c.get("achieved"), f, "achieved");
            double constraint = number(c.get("constraint"), f, "constraint");
            double period = 1000.0 / constraint;
            double wns = VivadoReports.round(period - 1000.0 / achieved, 3);
            if (t == null || wns < t.wnsNs()) {
                t = new VivadoSummary.Timing(source, String.valueOf(e.getKey()), VivadoReports.round(period, 3), wns, null, null,
                        achieved >= constraint, VivadoReports.round(achieved, 3));
            }
        }
        Double latencyMs = null;
        if (cyclesPerInference != null && t != null) latencyMs = VivadoReports.round(cyclesPerInference * t.periodNs() * 1e-6, 9);
        if (t == null) notes.add(source + " has no clock");
        notes.add("nextpnr estimates no power: no energy per inference");
        return new VivadoSummary(u, t, null, cyclesPerInference, latencyMs, null, notes);
    }

    /** The part named in OUTDIR's report.json, which nextpnr's report does not repeat. */
    private static String device(Path outdir) {
        Path r = outdir.resolve(VivadoReports.COMPILE_REPORT);
        try {
            if (Files.isRegularFile(r) && Json.read(Files.readString(r, StandardCharsets.UTF_8)) instanceof Map<?, ?> m
                    && m.get("part") instanceof String s) {
                return s;
            }
        } catch (IOException | IllegalArgumentException e) {
            // the device is only a label here
        }
        return null;
    }

    private static Map<?, ?> map(Object o, Path f, String key) {
        if (!(o instanceof Map<?, ?> m)) throw new VivadoException(f + ": not a nextpnr report (no \"" + key + "\" object)");
        return m;
    }

    private static Integer used(Map<?, ?> util, String cell) {
        return util.get(cell) instanceof Map<?, ?> m && m.get("used") instanceof Number n ? n.intValue() : null;
    }

    private static Integer available(Map<?, ?> util, String cell) {
        return util.get(cell) instanceof Map<?, ?> m && m.get("available") instanceof Number n ? n.intValue() : null;
    }

    private static double number(Object o, Path f, String key) {
        if (!(o instanceof Number n)) throw new VivadoException(f + ": \"" + key + "\" is not a number");
        return n.doubleValue();
    }
}
