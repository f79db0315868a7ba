package org.tfq.explore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.compiler.Target;
import org.tfq.ir.IrException;
import org.tfq.ir.io.Json;
import org.tfq.passes.resources.Capacity;
import org.tfq.vivado.PartDatabase;
import org.tfq.vivado.VivadoOptions;
import org.tfq.vivado.VivadoReports;

/**
 * {@code tfq explore --collect DIR}: Vivado's (on an iCE40, nextpnr's) results for the candidates that have them
 * ({@code DIR/pareto/<configuration>/reports/summary.json}, written by {@code make report}) in
 * place of the estimates: LUT, LUTRAM, FF, DSP and block RAM from the utilization report, power
 * from report_power (energy = that power x the scheduler's latency), Fmax and WNS from the timing
 * summary; whether the row fits the part is judged anew from Vivado's resources, so a design over
 * the part drops off the fronts. Those rows say {@code vivado} in resource_source and energy_source; the Pareto fronts
 * and plots are computed anew. RMSE and cycles do not change: they never were estimates.
 */
public final class ExploreCollect {
    private ExploreCollect() {}

    /** The table rewritten ({@code json}), the tool whose results they are, the configurations that have them now, and every row. */
    public record Collected(Path json, String tool, List<String> merged, List<ExploreRow> rows) {}

    /** Merges the results found under {@code dir} (an explore output folder) into its tables and plots. */
    public static Collected run(Path dir) throws IOException {
        Path json = dir.resolve(ExploreTable.JSON);
        if (!Files.isRegularFile(json)) throw new IrException(dir + ": has no " + ExploreTable.JSON + "; run tfq explore -o " + dir + " first");
        if (!(Json.read(Files.readString(json)) instanceof Map<?, ?> table) || !(table.get("configurations") instanceof List<?> list)) {
            throw new IrException(json + ": not an explore table (no \"configurations\"); run tfq explore again");
        }
        Map<String, Object> header = new LinkedHashMap<>();
        table.forEach((k, v) -> {
            if (!List.of("configurations", "pareto", "pareto_candidates").contains(k)) header.put((String) k, v);
        });
        Capacity cap = capacity(header);
        // the part decides the flow that wrote the summaries: make report reads nextpnr's report on an iCE40
        String tool = cap.ice40() ? ExploreRow.NEXTPNR : ExploreRow.VIVADO;
        double clockMhz = header.get("clock_mhz") instanceof Number n && n.doubleValue() > 0 ? n.doubleValue() : VivadoOptions.DEFAULT_CLOCK_MHZ;
        List<ExploreRow> rows = new ArrayList<>();
        List<String> merged = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ExploreRow r = ExploreRow.fromJson(i, (Map<?, ?>) list.get(i));
            Path summary = dir.resolve(ExploreTable.PARETO).resolve(r.name()).resolve(VivadoReports.SUMMARY);
            if (Files.isRegularFile(summary)) {
                r = merge(r, tool, summary, cap, clockMhz);
                merged.add(r.name());
            }
            rows.add(r);
        }
        header.put("collected_from_" + tool, merged);
        ExploreTable.write(dir, header, rows, true);
        return new Collected(json, ExploreTable.toolName(tool), merged, rows);
    }

    private static ExploreRow merge(ExploreRow r, String tool, Path summary, Capacity cap, double clockMhz) throws IOException {
        Object parsed = Json.read(Files.readString(summary));
        if (!(parsed instanceof Map<?, ?> s)) throw new IrException(summary + ": not a tfq report summary; run make report again");
        Map<?, ?> u = map(s.get("utilization")), t = map(s.get("timing")), p = map(s.get("power"));
        try {
            return r.withCollected(tool, integer(u, "lut"), integer(u, "lutram"), integer(u, "ff"), integer(u, "dsp"), dbl(u, "bram36"),
                    integer(u, "ebr"), cap, clockMhz,
                    dbl(p, "total_w"), dbl(t, "fmax_mhz"), dbl(t, "wns_ns"));
        } catch (IllegalArgumentException e) {
            throw new IrException(summary + ": " + e.getMessage() + "; run make report again");
        }
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    private static Integer integer(Map<?, ?> m, String k) {
        return m.get(k) instanceof Number n ? n.intValue() : null;
    }

    private static Double dbl(Map<?, ?> m, String k) {
        return m.get(k) instanceof Number n ? n.doubleValue() : null;
    }

    private static Capacity capacity(Map<String, Object> header) {
        Object part = header.get("part");
        return Target.capacity(PartDatabase.lookup(part == null ? PartDatabase.DEFAULT_PART : part.toString()));
    }
}
