package org.tfq.cli;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.tfq.ir.io.Json;
import org.tfq.verilog.SimulatorNotFoundException;
import org.tfq.verilog.YosysEstimate;
import org.tfq.verilog.YosysEstimator;
import org.tfq.vivado.Ice40Flow;
import org.tfq.vivado.Part;
import org.tfq.vivado.PartDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tfq estimate OUTDIR}: Yosys' resource estimate of a compiled design against the part's
 * capacity ({@link YosysEstimator} says how Yosys' cells become LUTs, FFs, LUTRAM, DSPs and block
 * RAM). Prints a table, or with {@code --json} the JSON it also writes to
 * {@code OUTDIR/reports/estimate.json}. A design that does not fit is an answer, not an error: exit
 * 0 with {@code "fits": false}.
 */
@Command(
        name = "estimate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Estimates the resources of a compiled design with Yosys (synth_xilinx -family xc7) before a"
                    + " Vivado run: synthesizes OUTDIR/rtl/*.v (top module " + EstimateCommand.TOP + ", run from"
                    + " OUTDIR, where the RTL's $readmemh paths start) and prints LUT, FF, LUTRAM, DSP48E1 and"
                    + " block RAM use against the part's capacity, whether the design fits, and the logic"
                    + " levels of its longest path (a timing proxy). Writes OUTDIR/reports/estimate.json and"
                    + " Yosys' script and log next to it. A Yosys estimate, not a Vivado result."
        })
final class EstimateCommand extends TfqCommand {

    /** The top module of tfq's generated RTL. */
    static final String TOP = "tfq_top";
    /** Where tfq compile writes the RTL, relative to OUTDIR. */
    static final String RTL = "rtl";
    static final String REPORTS = "reports";
    /** Where an iCE40 estimate's Yosys log and statistics go: apart from make bitstream's. */
    static final String ICE40_REPORTS = "reports/estimate";
    static final String ESTIMATE = "reports/estimate.json";
    static final String COMPILE_REPORT = "report.json";

    @Parameters(index = "0", paramLabel = "OUTDIR", description = "The output folder of tfq compile.")
    Path outdir;

    @Option(names = "--json", description = "Print the estimate JSON instead of a table.")
    boolean json;

    @Option(names = "--part", paramLabel = "PART",
            description = "FPGA part or device to compare with (default: the \"part\" of OUTDIR/report.json, else "
                    + PartDatabase.DEFAULT_PART + ").")
    String part;

    @Override
    protected int run() throws Exception {
        OutputDirectory.requireFolder(outdir);
        Path compileReport = outdir.resolve(COMPILE_REPORT);
        if (!Files.isRegularFile(compileReport)) {
            throw new CliException(outdir + ": not an output folder of tfq compile (no " + COMPILE_REPORT + ")");
        }
        String partName = part != null ? part : partOf(compileReport);
        Part device;
        try {
            device = PartDatabase.lookup(partName);
        } catch (org.tfq.vivado.VivadoException e) {
            // name where the part came from: the option, or the compiled design's report
            throw new CliException((part != null ? "--part" : compileReport + " \"part\"") + ": " + e.getMessage());
        }
        String shownPart = device.hasPackagePart(partName) ? PartDatabase.fullPartName(partName) : device.name();
        List<Path> sources = sources(outdir.resolve(RTL));
        if (device.ice40()) return ice40(device, shownPart);

        YosysEstimate e;
        try {
            e = new YosysEstimator().estimate(sources, TOP, outdir, outdir.resolve(REPORTS));
        } catch (SimulatorNotFoundException x) {
            throw new CliException(x.getMessage()); // a tool to install, not a bug in tfq
        }
        Map<String, Object> report = json(e, device, shownPart);
        String text = Json.write(report);
        OutputDirectory.writeWhole(outdir.resolve(ESTIMATE), text);
        if (json) {
            out().print(text);
        } else {
            table(e, device, shownPart, (Boolean) report.get("fits"));
        }
        out().flush();
        return Main.EXIT_OK;
    }

    /**
     * An iCE40 design: Yosys runs the design's own {@code ice40/synth.ys} (the synthesis of
     * {@code make bitstream}) and its cells are counted as the family's resources: SB_LUT4,
     * flip-flops (SB_DFF*), SB_MAC16 and EBR (SB_RAM40_4K).
     */
    private int ice40(Part device, String shownPart) throws IOException {
        Path script = outdir.resolve(Ice40Flow.SYNTH);
        if (!Files.isRegularFile(script)) {
            throw new CliException(outdir + ": compiled for a 7 series part (no " + Ice40Flow.SYNTH + "); compile it with --part " + shownPart);
        }
        Map<String, Integer> cells;
        long t0 = System.nanoTime();
        try {
            // files of its own, apart from make bitstream's (build/, reports/yosys*), so that both can run at once
            cells = new YosysEstimator().runScript(Path.of(Ice40Flow.SYNTH), outdir, outdir.resolve(ICE40_REPORTS).resolve(YosysEstimator.LOG),
                    outdir.resolve(ICE40_REPORTS).resolve(YosysEstimator.STAT), YosysEstimator.DEFAULT_TIMEOUT);
        } catch (SimulatorNotFoundException x) {
            throw new CliException(x.getMessage());
        }
        int lut = cells.getOrDefault("SB_LUT4", 0), dsp = cells.getOrDefault("SB_MAC16", 0), ebr = cells.getOrDefault("SB_RAM40_4K", 0);
        int ff = 0;
        for (Map.Entry<String, Integer> c : cells.entrySet()) if (c.getKey().startsWith("SB_DFF")) ff += c.getValue();
        List<String> over = new ArrayList<>();
        if (lut > device.luts()) over.add("LUT4");
        if (ff > device.ffs()) over.add("FF");
        if (dsp > device.dsps()) over.add("SB_MAC16");
        if (ebr > device.ebr()) over.add("EBR");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "Yosys synth_ice40 (" + Ice40Flow.SYNTH + "): an estimate before place and route");
        m.put("part", shownPart);
        m.put("device", device.name());
        m.put("top", TOP);
        m.put("fits", over.isEmpty());
        putUse(m, "lut", lut, device.luts());
        putUse(m, "ff", ff, device.ffs());
        putUse(m, "dsp", dsp, device.dsps());
        putUse(m, "ebr", ebr, device.ebr());
        m.put("yosys_seconds", round((System.nanoTime() - t0) / 1e9, 2));
        m.put("log", ICE40_REPORTS + "/" + YosysEstimator.LOG);
        m.put("cells", new LinkedHashMap<>(cells));
        String text = Json.write(m);
        OutputDirectory.writeWhole(outdir.resolve(ESTIMATE), text);
        if (json) {
            out().print(text);
        } else {
            out().println("estimate of " + outdir.resolve(RTL) + " (top " + TOP + ") by Yosys synth_ice40 (" + Ice40Flow.SYNTH + ")");
            out().println(String.format(Locale.ROOT, "%-10s %s (%s %s)", "part", shownPart, device.family(), device.name()));
            out().println(String.format(Locale.ROOT, "%-10s %8s %10s %7s", "resource", "used", "available", "util"));
            out().println(row("LUT4", Integer.toString(lut), device.luts(), percent(lut, device.luts()), "SB_CARRY " + cells.getOrDefault("SB_CARRY", 0)));
            out().println(row("FF", Integer.toString(ff), device.ffs(), percent(ff, device.ffs()), null));
            out().println(row("SB_MAC16", Integer.toString(dsp), device.dsps(), percent(dsp, device.dsps()), null));
            out().println(row("EBR", Integer.toString(ebr), device.ebr(), percent(ebr, device.ebr()), "4 Kb SB_RAM40_4K"));
            out().println(String.format(Locale.ROOT, "%-10s %s", "fits", over.isEmpty() ? "yes" : "NO, over " + String.join(", ", over)));
            out().println("wrote " + outdir.resolve(ESTIMATE));
        }
        out().flush();
        return Main.EXIT_OK;
    }

    /** KEY, KEY_available and KEY_percent: what the design uses of one resource of the part. */
    private static void putUse(Map<String, Object> m, String key, int used, int available) {
        m.put(key, used);
        m.put(key + "_available", available);
        m.put(key + "_percent", percent(used, available));
    }
    /** The "part" of report.json, or the default part when it names none. */
    static String partOf(Path compileReport) throws IOException {
        Object json;
        try {
            json = Json.read(Files.readString(compileReport, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException x) {
            throw new CliException(compileReport + ": not JSON (" + x.getMessage() + ")");
        }
        if (!(json instanceof Map<?, ?> m)) throw new CliException(compileReport + ": not a JSON object");
        Object p = m.get("part");
        if (p == null) return PartDatabase.DEFAULT_PART;
        if (!(p instanceof String s) || s.isBlank()) throw new CliException(compileReport + ": \"part\" must be a part name, got " + p);
        return s;
    }

    /** The Verilog files of OUTDIR/rtl, by name. */
    static List<Path> sources(Path rtl) throws IOException {
        if (!Files.isDirectory(rtl)) {
            throw new CliException(rtl + ": no such folder; tfq compile writes the design's Verilog there");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(rtl)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".v") && Files.isRegularFile(f)).sorted().toList();
        }
        if (files.isEmpty()) throw new CliException(rtl + ": no Verilog (.v) files; tfq compile writes the design's Verilog there");
        return files;
    }

    static Map<String, Object> json(YosysEstimate e, Part device, String shownPart) {
        boolean fits = e.lut() <= device.luts() && e.ff() <= device.ffs() && e.dsp() <= device.dsps()
                && e.bramTiles() <= device.bram36();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "Yosys synth_xilinx -family xc7 -flatten: an estimate, not a Vivado result");
        m.put("yosys_version", e.yosysVersion());
        m.put("part", shownPart);
        m.put("device", device.name());
        m.put("top", e.top());
        m.put("fits", fits);
        m.put("lut", e.lut());
        m.put("lut_available", device.luts());
        m.put("lut_percent", percent(e.lut(), device.luts()));
        m.put("lut_logic", e.lutLogic());
        m.put("lutram", e.lutram());
        m.put("ff", e.ff());
        m.put("ff_available", device.ffs());
        m.put("ff_percent", percent(e.ff(), device.ffs()));
        m.put("dsp", e.dsp());
        m.put("dsp_available", device.dsps());
        m.put("dsp_percent", percent(e.dsp(), device.dsps()));
        m.put("bram36", e.ramb36());
        m.put("bram18", e.ramb18());
        m.put("bram_tiles", e.bramTiles());
        m.put("bram_available", device.bram36());
        m.put("bram_percent", percent(e.bramTiles(), device.bram36()));
        m.put("carry4", e.carry4());
        m.put("muxf7", e.muxf7());
        m.put("muxf8", e.muxf8());
        m.put("logic_levels", e.logicLevels());
        m.put("yosys_seconds", round(e.seconds(), 2));
        m.put("log", REPORTS + "/" + YosysEstimator.LOG);
        m.put("cells", new LinkedHashMap<>(e.cells()));
        m.put("uncounted_cells", new LinkedHashMap<>(e.uncounted()));
        return m;
    }

    private void table(YosysEstimate e, Part device, String shownPart, boolean fits) {
        out().println("estimate of " + outdir.resolve(RTL) + " (top " + e.top() + ") by " + e.yosysVersion()
                + ", synth_xilinx -family xc7; not a Vivado result");
        out().println(String.format(Locale.ROOT, "%-10s %s (%s %s)", "part", shownPart, device.family(), device.name()));
        out().println(String.format(Locale.ROOT, "%-10s %8s %10s %7s", "resource", "used", "available", "util"));
        out().println(row("LUT", Integer.toString(e.lut()), device.luts(), percent(e.lut(), device.luts()),
                "logic " + e.lutLogic() + ", memory " + e.lutram()));
        out().println(row("LUTRAM", Integer.toString(e.lutram()), null, null,
                "distributed RAM " + e.lutDistributedRam() + ", shift registers " + e.lutShiftRegister()));
        out().println(row("FF", Integer.toString(e.ff()), device.ffs(), percent(e.ff(), device.ffs()), null));
        out().println(row("DSP", Integer.toString(e.dsp()), device.dsps(), percent(e.dsp(), device.dsps()), "DSP48E1"));
        out().println(row("BRAM", plain(e.bramTiles()), device.bram36(), percent(e.bramTiles(), device.bram36()),
                "36 Kb tiles: RAMB36E1 " + e.ramb36() + ", RAMB18E1 " + e.ramb18()));
        out().println(String.format(Locale.ROOT, "%-10s CARRY4 %d, MUXF7 %d, MUXF8 %d", "also", e.carry4(), e.muxf7(), e.muxf8()));
        out().println(String.format(Locale.ROOT, "%-10s %d (LUT, MUXF and CARRY4 cells on the longest path between registers)",
                "levels", e.logicLevels()));
        out().println(String.format(Locale.ROOT, "%-10s %s", "fits", fits ? "yes" : "NO, over " + String.join(", ", over(e, device))));
        if (!e.uncounted().isEmpty()) {
            List<String> u = new ArrayList<>();
            e.uncounted().forEach((k, v) -> u.add(k + " " + v));
            out().println("note: cells counted in no resource: " + String.join(", ", u));
        }
        out().println(String.format(Locale.ROOT, "yosys %.1f s, log %s", e.seconds(), e.log()));
        out().println("wrote " + outdir.resolve(ESTIMATE));
    }

    private static List<String> over(YosysEstimate e, Part device) {
        List<String> out = new ArrayList<>();
        if (e.lut() > device.luts()) out.add("LUT");
        if (e.ff() > device.ffs()) out.add("FF");
        if (e.dsp() > device.dsps()) out.add("DSP");
        if (e.bramTiles() > device.bram36()) out.add("BRAM");
        return out;
    }

    private static String row(String label, String used, Integer available, Double pct, String detail) {
        String s = String.format(Locale.ROOT, "%-10s %8s %10s %7s", label, used, available == null ? "-" : available.toString(),
                pct == null ? "-" : String.format(Locale.ROOT, "%.1f%%", pct));
        return detail == null ? s : s + "  " + detail;
    }

    /** 100 used / available, two decimals; infinite (null in JSON) when some is used of none available. */
    static Double percent(double used, int available) {
        if (available <= 0) return used > 0 ? Double.POSITIVE_INFINITY : 0.0;
        return round(100.0 * used / available, 2);
    }

    private static double round(double v, int decimals) {
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
