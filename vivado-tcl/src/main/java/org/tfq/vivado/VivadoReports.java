package org.tfq.vivado;

import org.tfq.ir.io.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the reports {@code vivado/build.tcl} writes into OUTDIR/reports/ and summarizes them.
 *
 * <p>The parsers follow the text layout of Vivado's reports (as of 2017.x and 2023.x): utilization
 * tables of {@code | Site Type | Used | Fixed | [Prohibited |] Available | Util% |} rows, the
 * timing summary's "Design Timing Summary", "Clock Summary" and "Intra Clock Table", the power report's summary
 * table. They do not rely on column widths, and take {@code Slice LUTs*}, the older spelling, as
 * {@code Slice LUTs}. A report that is there but has none of what it must have is an error, never
 * a summary of zeros.
 */
public final class VivadoReports {

    public static final String UTILIZATION = "reports/utilization.rpt";
    public static final String TIMING = "reports/timing_summary.rpt";
    public static final String POWER = "reports/power.rpt";
    public static final String SUMMARY = "reports/summary.json";
    /** Written by tfq compile; its top-level {@code cycles_per_inference} gives the latency. */
    public static final String COMPILE_REPORT = "report.json";

    private static final Pattern NUMBER = Pattern.compile("(<)?\\s*(-?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)(.*)");
    private static final Pattern CLOCK_ROW = Pattern.compile("\\s*(\\S+)\\s+\\{[^}]*}\\s+([0-9.]+)\\s+([0-9.]+).*");

    private VivadoReports() {}

    /**
     * The summary of OUTDIR's reports; a section is null when its report is missing. Energy per
     * inference needs {@code cyclesPerInference} (null when unknown), the clock period from the
     * timing report and the total power from the power report.
     */
    public static VivadoSummary summarize(Path outdir, Double cyclesPerInference) {
        if (!Files.isDirectory(outdir)) throw new VivadoException(outdir + ": no such folder (the output folder of tfq compile)");
        if (NextpnrReport.present(outdir)) return NextpnrReport.summarize(outdir, cyclesPerInference);
        Path u = outdir.resolve(UTILIZATION);
        Path t = outdir.resolve(TIMING);
        Path p = outdir.resolve(POWER);
        if (!Files.isRegularFile(u) && !Files.isRegularFile(t) && !Files.isRegularFile(p)) {
            throw new VivadoException(outdir.resolve("reports") + ": no Vivado reports (utilization.rpt, timing_summary.rpt, power.rpt); run make bitstream first");
        }
        if (cyclesPerInference != null && !(cyclesPerInference > 0)) {
            throw new VivadoException("cycles per inference must be positive, got " + cyclesPerInference);
        }
        List<String> notes = new ArrayList<>();
        VivadoSummary.Utilization util = Files.isRegularFile(u) ? parseUtilization(read(u), UTILIZATION) : null;
        VivadoSummary.Timing timing = Files.isRegularFile(t) ? parseTiming(read(t), TIMING, notes) : null;
        VivadoSummary.Power power = Files.isRegularFile(p) ? parsePower(read(p), POWER, notes) : null;
        if (util == null) notes.add(UTILIZATION + " is missing");
        if (timing == null) notes.add(TIMING + " is missing");
        if (power == null) notes.add(POWER + " is missing");

        Double latencyMs = null;
        Double energyMj = null;
        if (cyclesPerInference != null) {
            if (timing != null && timing.periodNs() != null) {
                latencyMs = round(cyclesPerInference * timing.periodNs() * 1e-6, 9);
                if (power != null && power.totalW() != null) energyMj = round(power.totalW() * latencyMs, 9); // W x ms = mJ
            }
            if (latencyMs == null) notes.add("latency needs the clock period from " + TIMING);
            else if (energyMj == null) notes.add("energy needs the total on-chip power from " + POWER);
        } else {
            notes.add("cycles per inference unknown (no cycles_per_inference in " + COMPILE_REPORT + "): no latency or energy");
        }
        return new VivadoSummary(util, timing, power, cyclesPerInference, latencyMs, energyMj, notes);
    }

    /**
     * The top-level {@code cycles_per_inference} of OUTDIR/report.json, or null when the file or
     * the key is not there.
     */
    public static Double cyclesPerInference(Path outdir) {
        Path f = outdir.resolve(COMPILE_REPORT);
        if (!Files.isRegularFile(f)) return null;
        Object json;
        try {
            json = Json.read(Files.readString(f, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new VivadoException(f + ": not JSON (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new VivadoException(f + ": cannot read: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> m)) throw new VivadoException(f + ": not a JSON object");
        Object v = m.get("cycles_per_inference");
        if (v == null) return null;
        if (!(v instanceof Double d) || !(d > 0) || d.isInfinite()) {
            throw new VivadoException(f + ": cycles_per_inference must be a positive number, got " + v);
        }
        return d;
    }

    private static String read(Path f) {
        try {
            // Vivado writes ASCII; Latin-1 decodes any bytes, so a file that is not a report fails
            // below as "not a Vivado ... report" rather than as a decoding error
            return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new VivadoException(f + ": cannot read: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- utilization

    static VivadoSummary.Utilization parseUtilization(String text, String source) {
        Map<String, String[]> rows = new HashMap<>(); // site type -> {used, available}, first table that has it
        int availableColumn = -1;
        String tool = null;
        String device = null;
        for (String line : text.split("\\R")) {
            String s = line.strip();
            if (!s.startsWith("|")) continue;
            String[] cells = s.split("\\|", -1);
            String key = cells.length > 1 ? cells[1].strip() : "";
            // header lines have one cell: "| Tool Version : Vivado v.2023.2 ..."
            if (tool == null && key.startsWith("Tool Version")) tool = headerValue(key);
            if (device == null && key.startsWith("Device") && key.contains(":")) device = headerValue(key);
            if (cells.length < 3) continue;
            if (key.equals("Site Type")) {
                availableColumn = -1;
                for (int i = 0; i < cells.length; i++) {
                    if (cells[i].strip().equals("Available")) availableColumn = i;
                }
                continue;
            }
            key = stripAsterisks(key);
            String available = availableColumn > 0 && availableColumn < cells.length ? cells[availableColumn].strip() : "";
            rows.putIfAbsent(key, new String[] {cells[2].strip(), available});
        }
        String lutKey = rows.containsKey("Slice LUTs") ? "Slice LUTs" : "CLB LUTs";
        String ffKey = rows.containsKey("Slice Registers") ? "Slice Registers" : "CLB Registers";
        if (!rows.containsKey(lutKey)) {
            throw new VivadoException(source + ": not a Vivado utilization report (no 'Slice LUTs' row)");
        }
        return new VivadoSummary.Utilization(source, tool, device,
                integer(rows, lutKey, 0, source), integer(rows, ffKey, 0, source),
                lutram(rows, source), integer(rows, "DSPs", 0, source),
                decimal(rows, "Block RAM Tile", source), integer(rows, "RAMB18", 0, source),
                integer(rows, lutKey, 1, source), integer(rows, ffKey, 1, source),
                integer(rows, "DSPs", 1, source), decimalAvailable(rows, "Block RAM Tile", source));
    }

    /**
     * Distributed RAM only: Vivado's "LUT as Memory" also counts shift registers (SRL16/SRL32),
     * which are not LUTRAM. Its sub-rows split it; without them the split is not known (null).
     */
    private static Integer lutram(Map<String, String[]> rows, String source) {
        Integer ram = integer(rows, "LUT as Distributed RAM", 0, source);
        if (ram != null) return ram;
        Integer memory = integer(rows, "LUT as Memory", 0, source);
        Integer srl = integer(rows, "LUT as Shift Register", 0, source);
        if (memory != null && srl != null) return memory - srl;
        return memory != null && memory == 0 ? 0 : null;
    }

    private static String headerValue(String cell) {
        int colon = cell.indexOf(':');
        return colon < 0 ? null : cell.substring(colon + 1).strip();
    }

    private static String stripAsterisks(String key) {
        String k = key;
        while (k.endsWith("*")) k = k.substring(0, k.length() - 1).strip();
        return k;
    }

    private static Integer integer(Map<String, String[]> rows, String key, int column, String source) {
        String[] r = rows.get(key);
        if (r == null || r[column].isEmpty()) return null;
        try {
            return Integer.valueOf(r[column]);
        } catch (NumberFormatException e) {
            throw new VivadoException(source + ": '" + key + "' has '" + r[column] + "' where a count belongs");
        }
    }

    private static Double decimal(Map<String, String[]> rows, String key, String source) {
        String[] r = rows.get(key);
        return r == null || r[0].isEmpty() ? null : parseDecimal(r[0], key, source);
    }

    private static Double decimalAvailable(Map<String, String[]> rows, String key, String source) {
        String[] r = rows.get(key);
        return r == null || r[1].isEmpty() ? null : parseDecimal(r[1], key, source);
    }

    private static double parseDecimal(String v, String key, String source) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new VivadoException(source + ": '" + key + "' has '" + v + "' where a number belongs");
        }
    }

    // ---------------------------------------------------------------- timing

    static VivadoSummary.Timing parseTiming(String text, String source, List<String> notes) {
        String[] lines = text.split("\\R");
        int dts = indexOf(lines, 0, "Design Timing Summary");
        String[] values = dts < 0 ? null : tableRow(lines, dts, "WNS(ns)");
        if (values == null) {
            throw new VivadoException(source + ": not a Vivado timing summary (no 'Design Timing Summary' table with WNS(ns))");
        }
        Double wns = slack(values, 0, "WNS", source);
        Double tns = slack(values, 1, "TNS", source);
        Double whs = values.length > 4 ? slack(values, 4, "WHS", source) : null;

        // every clock with its own period and its own WNS (Intra Clock Table): the design-wide WNS
        // belongs to whichever clock fails worst, not to the first one listed
        Map<String, Double> periods = clockPeriods(lines, source);
        Map<String, Double> clockWns = intraClockWns(lines, source);
        String clock = periods.containsKey(ENGINE_CLOCK) ? ENGINE_CLOCK : worst(periods, clockWns);
        Double period = clock == null ? null : periods.get(clock);
        Double ownWns = clock == null ? null : clockWns.getOrDefault(clock, periods.size() == 1 ? wns : null);
        if (period == null) notes.add(source + ": no clock in the Clock Summary, so no Fmax or latency");
        if (wns == null) notes.add(source + ": WNS is not reported (no constrained paths), so no Fmax");
        if (periods.size() > 1) {
            List<String> each = new ArrayList<>();
            for (Map.Entry<String, Double> c : periods.entrySet()) {
                Double w = clockWns.get(c.getKey());
                each.add(c.getKey() + " " + c.getValue() + " ns, WNS " + (w == null ? "not reported" : w + " ns")
                        + (w != null && c.getValue() - w > 0 ? String.format(java.util.Locale.ROOT, ", Fmax %.1f MHz", 1000.0 / (c.getValue() - w)) : ""));
            }
            notes.add(source + ": " + periods.size() + " clocks (" + String.join("; ", each) + "); Fmax and latency are " + clock + "'s");
        }
        Boolean met = wns == null ? null : wns >= 0 && (whs == null || whs >= 0);
        Double fmax = ownWns != null && period != null && period - ownWns > 0 ? round(1000.0 / (period - ownWns), 3) : null;
        return new VivadoSummary.Timing(source, clock, period, wns, tns, whs, met, fmax);
    }

    /** The clock tfq's constraints.xdc creates on the engine's clock input. */
    static final String ENGINE_CLOCK = "tfq_clk";

    /** Clock Summary: each clock's period, in the report's order (generated clocks are indented rows of the same form). */
    private static Map<String, Double> clockPeriods(String[] lines, String source) {
        Map<String, Double> periods = new LinkedHashMap<>();
        int cs = indexOf(lines, 0, "Clock Summary");
        int h = cs < 0 ? -1 : indexOf(lines, cs, "Period(ns)");
        if (h < 0 || h > cs + 20) return periods;
        for (int i = h + 1; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.matches("[-\\s]+")) continue;
            if (s.isEmpty()) break;
            Matcher m = CLOCK_ROW.matcher(s);
            if (!m.matches()) break;
            periods.putIfAbsent(m.group(1), parseDecimal(m.group(2), "Period(ns)", source));
        }
        return periods;
    }

    /** Intra Clock Table: each clock's own WNS (clocks without setup paths have none). */
    private static Map<String, Double> intraClockWns(String[] lines, String source) {
        Map<String, Double> wns = new LinkedHashMap<>();
        int t = indexOf(lines, 0, "Intra Clock Table");
        int h = t < 0 ? -1 : indexOf(lines, t, "WNS(ns)");
        if (h < 0 || h > t + 20) return wns;
        for (int i = h + 1; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.matches("[-\\s]+")) continue;
            if (s.isEmpty()) break;
            String[] cells = s.split("\\s+");
            Double w = cells.length > 1 ? slack(cells, 1, "WNS of " + cells[0], source) : null;
            if (w != null) wns.putIfAbsent(cells[0], w);
        }
        return wns;
    }

    /** The clock with the least WNS of its own, or the first clock when no clock has one. */
    private static String worst(Map<String, Double> periods, Map<String, Double> clockWns) {
        String worst = null;
        for (String c : periods.keySet()) {
            Double w = clockWns.get(c);
            if (w != null && (worst == null || clockWns.get(worst) == null || w < clockWns.get(worst))) worst = c;
        }
        return worst != null ? worst : periods.keySet().stream().findFirst().orElse(null);
    }

    /** The first data row under the header line that starts with {@code header}, split on blanks. */
    private static String[] tableRow(String[] lines, int from, String header) {
        String row = firstRowAfter(lines, from, header);
        return row == null ? null : row.strip().split("\\s+");
    }

    /** The first line after the header (a line starting with or containing {@code header}) that is neither blank nor dashes. */
    private static String firstRowAfter(String[] lines, int from, String header) {
        int h = -1;
        for (int i = from; i < lines.length && i < from + 20; i++) {
            if (lines[i].contains(header)) {
                h = i;
                break;
            }
        }
        if (h < 0) return null;
        for (int i = h + 1; i < lines.length && i < h + 5; i++) {
            String s = lines[i].strip();
            if (s.isEmpty() || s.matches("[-\\s]+")) continue;
            return s;
        }
        return null;
    }

    private static Double slack(String[] values, int i, String what, String source) {
        if (i >= values.length) return null;
        String v = values[i];
        if (v.equals("NA") || v.equals("inf") || v.equals("-inf")) return null;
        try {
            return Double.valueOf(v);
        } catch (NumberFormatException e) {
            throw new VivadoException(source + ": " + what + " is '" + v + "', not a number");
        }
    }

    private static int indexOf(String[] lines, int from, String needle) {
        for (int i = from; i < lines.length; i++) {
            if (lines[i].contains(needle)) return i;
        }
        return -1;
    }

    // ---------------------------------------------------------------- power

    static VivadoSummary.Power parsePower(String text, String source, List<String> notes) {
        Map<String, String> rows = new HashMap<>();
        for (String line : text.split("\\R")) {
            String s = line.strip();
            if (!s.startsWith("|")) continue;
            String[] cells = s.split("\\|", -1);
            if (cells.length < 3) continue;
            rows.putIfAbsent(cells[1].strip(), cells[2].strip());
        }
        if (!rows.containsKey("Total On-Chip Power (W)")) {
            throw new VivadoException(source + ": not a Vivado power report (no 'Total On-Chip Power (W)' row)");
        }
        Double total = watts(rows, "Total On-Chip Power (W)", source, notes);
        Double dynamic = watts(rows, "Dynamic (W)", source, notes);
        Double stat = watts(rows, "Device Static (W)", source, notes);
        String confidence = rows.get("Confidence Level");
        String activity = rows.get("Simulation Activity File");
        if (activity != null && (activity.isEmpty() || activity.matches("-+"))) activity = null;
        if (activity == null) notes.add(source + ": no simulation activity (SAIF) was read; dynamic power uses Vivado's default toggle rates");
        return new VivadoSummary.Power(source, total, stat, dynamic, confidence, activity);
    }

    private static Double watts(Map<String, String> rows, String key, String source, List<String> notes) {
        String v = rows.get(key);
        if (v == null) return null;
        Matcher m = NUMBER.matcher(v);
        if (!m.matches()) throw new VivadoException(source + ": '" + key + "' is '" + v + "', not a number");
        double w = Double.parseDouble(m.group(2));
        // "<0.001" is an upper bound: kept as the bound, and said so
        if (m.group(1) != null) notes.add(source + ": " + key + " is reported as " + v.strip() + "; the summary gives the bound");
        if (!m.group(3).isBlank()) notes.add(source + ": " + key + " carries '" + m.group(3).strip() + "'");
        return w;
    }

    static double round(double v, int places) {
        return BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_EVEN).doubleValue();
    }
}
