package org.tfq.cli;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.tfq.vivado.VivadoReports;
import org.tfq.vivado.VivadoSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Summarizes what Vivado reported for a compiled design: reads OUTDIR/reports/utilization.rpt,"
                    + " timing_summary.rpt and power.rpt (written by make bitstream), writes"
                    + " OUTDIR/reports/summary.json and prints LUT, FF, LUTRAM, DSP and BRAM use, WNS,"
                    + " Fmax, on-chip power and, when OUTDIR/report.json gives cycles_per_inference,"
                    + " latency and energy per inference. Every number comes from a Vivado report;"
                    + " a missing report leaves its numbers null."
        })
final class ReportCommand extends TfqCommand {

    @Parameters(index = "0", paramLabel = "OUTDIR", description = "The output folder of tfq compile.")
    Path outdir;

    @Option(names = "--json", description = "Print the summary JSON instead of a table.")
    boolean json;

    @Override
    protected int run() throws Exception {
        if (Files.exists(outdir) && !Files.isDirectory(outdir)) {
            throw new CliException(outdir + ": is not a folder (the output folder of tfq compile)");
        }
        Double cycles = Files.isDirectory(outdir) ? VivadoReports.cyclesPerInference(outdir) : null;
        VivadoSummary s = VivadoReports.summarize(outdir, cycles);
        String text = s.toJson();
        Path summary = outdir.resolve(VivadoReports.SUMMARY);
        OutputDirectory.writeWhole(summary, text);
        if (json) {
            out().print(text);
        } else {
            table(s);
            out().println("wrote " + summary);
        }
        out().flush();
        return Main.EXIT_OK;
    }

    private void table(VivadoSummary s) {
        out().println("reports: " + String.join(", ", s.sources().stream().map(f -> outdir.resolve(f).toString()).toList()));
        VivadoSummary.Utilization u = s.utilization();
        if (u == null) {
            out().println("utilization: no report");
        } else {
            out().println(row("device", u.device() + (u.tool() == null ? "" : " (" + shortTool(u.tool()) + ")")));
            out().println(row("LUT", used(u.lut(), u.lutAvailable())));
            out().println(row("FF", used(u.ff(), u.ffAvailable())));
            out().println(row("LUTRAM", u.lutram() == null ? "-" : u.lutram().toString()));
            out().println(row("DSP", used(u.dsp(), u.dspAvailable())));
            out().println(row("BRAM36", used(u.bram36(), u.bram36Available()) + (u.ramb18() == null ? "" : ", of which RAMB18: " + u.ramb18())));
            if (u.ebr() != null) out().println(row("EBR", used(u.ebr(), u.ebrAvailable())));
        }
        VivadoSummary.Timing t = s.timing();
        if (t == null) {
            out().println("timing: no report");
        } else {
            out().println(row("clock", t.periodNs() == null ? "-"
                    : t.clock() + ", " + fmt3(t.periodNs()) + " ns (" + fmt3(1000.0 / t.periodNs()) + " MHz)"));
            out().println(row("WNS", t.wnsNs() == null ? "- (no constrained paths)"
                    : fmt3(t.wnsNs()) + " ns (" + (Boolean.TRUE.equals(t.met()) ? "timing met" : "timing NOT met") + ")"));
            out().println(row("Fmax", t.fmaxMhz() == null ? "-" : fmt3(t.fmaxMhz()) + " MHz"));
        }
        VivadoSummary.Power p = s.power();
        if (p == null) {
            out().println("power: no report");
        } else {
            out().println(row("power", watts(p.totalW()) + " total, " + watts(p.staticW()) + " static, " + watts(p.dynamicW()) + " dynamic"
                    + " (confidence " + (p.confidence() == null ? "-" : p.confidence())
                    + ", activity " + (p.activity() == null ? "vectorless" : p.activity()) + ")"));
        }
        if (s.latencyMs() != null) {
            out().println(row("latency", plain(s.latencyMs()) + " ms (" + plain(s.cyclesPerInference()) + " cycles)"));
        }
        if (s.energyMj() != null) out().println(row("energy", plain(s.energyMj()) + " mJ per inference"));
        for (String n : s.notes()) out().println("note: " + n);
    }

    private static String row(String label, String value) {
        return String.format(Locale.ROOT, "%-8s %s", label, value);
    }

    /** "1234 / 8000 (15.4%)": used, and the share of what the report says is available. */
    private static String used(Number used, Number available) {
        if (used == null) return "-";
        String u = plain(used.doubleValue());
        if (available == null || available.doubleValue() <= 0) return u;
        return u + " / " + plain(available.doubleValue())
                + String.format(Locale.ROOT, " (%.1f%%)", 100.0 * used.doubleValue() / available.doubleValue());
    }

    private static String watts(Double w) {
        return w == null ? "-" : String.format(Locale.ROOT, "%.3f W", w);
    }

    private static String fmt3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** The number as written, without a trailing ".0" or exponent. */
    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** "Vivado v.2023.2" from "Vivado v.2023.2 (lin64) Build 4029153 ...". */
    private static String shortTool(String tool) {
        String[] w = tool.split("\\s+");
        return w.length >= 2 ? w[0] + " " + w[1] : tool;
    }
}
