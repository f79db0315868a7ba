package org.tfq.explore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.compiler.WholeFile;
import org.tfq.ir.io.Json;
import org.tfq.passes.explore.PowerModel;

/**
 * The results of {@code tfq explore} in DIR: {@code explore.csv} (one row per configuration),
 * {@code explore.json} (the same rows, the Pareto fronts and how they were measured) and
 * {@code plots/<front>.svg} and {@code .png}. Rows are sorted by their place in the sweep, so
 * the files do not depend on which thread finished first.
 */
public final class ExploreTable {
    private ExploreTable() {}

    public static final String CSV = "explore.csv";
    public static final String JSON = "explore.json";
    public static final String PLOTS = "plots";
    /** The folder of --emit-pareto's candidates, one compile output folder per configuration. */
    public static final String PARETO = "pareto";

    /** The power model's constants for {@code cap}'s family, so explore.json says how its estimates were made. */
    public static Map<String, Object> energyModel(org.tfq.passes.resources.Capacity cap) {
        if (cap.ice40()) return org.tfq.passes.explore.Ice40PowerModel.constants();
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("note", "estimate from modelled resources (docs/explore.md), not a power analysis; --collect replaces it with Vivado's report_power");
        m.put("static_w", PowerModel.STATIC_W);
        m.put("clock_uw_per_mhz", PowerModel.CLOCK_UW_PER_MHZ);
        m.put("lut_uw_per_mhz", PowerModel.LUT_UW_PER_MHZ);
        m.put("ff_uw_per_mhz", PowerModel.FF_UW_PER_MHZ);
        m.put("dsp_uw_per_mhz", PowerModel.DSP_UW_PER_MHZ);
        m.put("bram36_uw_per_mhz", PowerModel.BRAM36_UW_PER_MHZ);
        return m;
    }

    public static List<ExploreRow> sorted(List<ExploreRow> rows) {
        List<ExploreRow> s = new ArrayList<>(rows);
        s.sort(Comparator.comparingInt(ExploreRow::order));
        return s;
    }

    public static String csv(List<ExploreRow> rows, Map<ExploreFront, Set<String>> fronts) {
        StringBuilder b = new StringBuilder();
        for (ExploreRow r : rows) {
            Map<String, Object> f = r.fields(ExploreFront.flags(r, fronts));
            if (b.length() == 0) b.append(String.join(",", f.keySet())).append('\n');
            List<String> cells = new ArrayList<>();
            for (Object v : f.values()) cells.add(cell(v));
            b.append(String.join(",", cells)).append('\n');
        }
        if (b.length() == 0) b.append(String.join(",", header())).append('\n');
        return b.toString();
    }

    /** The CSV header when there is no row to take it from. */
    private static Set<String> header() {
        ExploreRow none = new ExploreRow(0, "", 0, new java.util.TreeMap<>(), 0, "", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, false, "", 0, 0, "", null, null);
        return none.fields(ExploreFront.flags(none, ExploreFront.all(List.of()))).keySet();
    }

    private static String cell(Object v) {
        if (v == null) return "";
        String s = v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : v.toString();
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** explore.json: {@code header} (model, part, ...), then the rows and the fronts. */
    public static String json(Map<String, Object> header, List<ExploreRow> rows, Map<ExploreFront, Set<String>> fronts) {
        Map<String, Object> m = new LinkedHashMap<>(header);
        List<Object> list = new ArrayList<>();
        for (ExploreRow r : rows) list.add(r.fields(ExploreFront.flags(r, fronts)));
        m.put("configurations", list);
        Map<String, Object> p = new LinkedHashMap<>();
        for (Map.Entry<ExploreFront, Set<String>> e : fronts.entrySet()) p.put(e.getKey().file, new ArrayList<>(e.getValue()));
        m.put("pareto", p);
        m.put("pareto_candidates", ExploreFront.candidates(rows, fronts).stream().map(ExploreRow::name).toList());
        return Json.write(m);
    }

    /** Writes explore.csv and explore.json (each whole or not at all); with {@code plots}, also the plots. */
    public static void write(Path dir, Map<String, Object> header, List<ExploreRow> unsorted, boolean plots) throws IOException {
        List<ExploreRow> rows = sorted(unsorted);
        Map<ExploreFront, Set<String>> fronts = ExploreFront.all(rows);
        WholeFile.write(dir.resolve(CSV), csv(rows, fronts));
        WholeFile.write(dir.resolve(JSON), json(header, rows, fronts));
        if (!plots) return;
        Files.createDirectories(dir.resolve(PLOTS));
        for (ExploreFront f : ExploreFront.values()) PlotFiles.write(plot(f, rows, fronts.get(f)), dir.resolve(PLOTS).resolve(f.file));
    }

    /** The plot of one front: every configuration that fits, the front's marked. */
    public static ScatterPlot plot(ExploreFront f, List<ExploreRow> rows, Set<String> front) {
        List<ScatterPlot.Point> pts = new ArrayList<>();
        for (ExploreRow r : rows) {
            if (r.fits()) pts.add(new ScatterPlot.Point(f.x.applyAsDouble(r), f.y.applyAsDouble(r), r.name(), front.contains(r.name())));
        }
        java.util.Set<String> tools = new java.util.TreeSet<>();
        for (ExploreRow r : rows) for (String t : List.of(r.resourceSource(), r.energySource())) if (!ExploreRow.MODEL.equals(t)) tools.add(toolName(t));
        String source = tools.isEmpty() ? " (model estimates)" : " (model estimates and " + String.join(" and ", tools) + " results)";
        return ScatterPlot.of(f.title + source, f.xLabel, f.yLabel, pts);
    }

    /** How a row's source is written for people: "Vivado", "nextpnr". */
    public static String toolName(String source) {
        return ExploreRow.VIVADO.equals(source) ? "Vivado" : source;
    }

    /** The Pareto candidates as a Markdown table, as explore prints them. */
    public static String markdown(List<ExploreRow> unsorted) {
        List<ExploreRow> rows = sorted(unsorted);
        Map<ExploreFront, Set<String>> fronts = ExploreFront.all(rows);
        StringBuilder b = new StringBuilder();
        // a family with EBR (iCE40) has no 36 Kb tiles: its column shows the 4 Kb blocks
        boolean ebr = rows.stream().anyMatch(r -> r.ebr() != null);
        b.append("| configuration | bits | lanes | activations | RMSE | vs float | cycles | latency (us) | LUT | FF | DSP | " + (ebr ? "EBR" : "BRAM36")
                + " | power (mW) | energy (uJ) | source | fronts |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ExploreRow r : ExploreFront.candidates(rows, fronts)) {
            List<String> on = new ArrayList<>();
            for (Map.Entry<ExploreFront, Set<String>> e : fronts.entrySet()) if (e.getValue().contains(r.name())) on.add(e.getKey().file);
            b.append(String.format(java.util.Locale.ROOT, "| %s | %s | %d | %s | %.4f | %+.1f%% | %,d | %.1f | %,d | %,d | %d | %s | %.1f | %.2f | %s | %s |%n",
                    r.name(), r.bitsFor().isEmpty() ? Integer.toString(r.bits()) : r.bits() + " (" + r.bitsForText().replace(";", ", ") + ")",
                    r.lanes(), r.activations(), r.rmseInt(), r.rmseIncreasePercent(), r.cycles(), r.latencyUs(), r.lut(), r.ff(), r.dsp(),
                    ebr ? String.valueOf(r.ebr()) : new java.math.BigDecimal(r.bramTiles()).stripTrailingZeros().toPlainString(), 1000 * r.powerW(), r.energyUj(),
                    r.energySource().equals(r.resourceSource()) ? r.energySource() : r.resourceSource() + "/" + r.energySource(),
                    String.join(", ", on)));
        }
        return b.toString();
    }
}
