package org.tfq.explore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.tfq.passes.explore.ParetoFront;

/**
 * The three trade-offs {@code tfq explore} plots, each a Pareto front over the configurations the
 * model says fit the part (one that does not fit cannot be built, so it dominates nothing). Both
 * axes are minimized.
 */
public enum ExploreFront {
    RMSE_LATENCY("rmse-latency", "RMSE vs latency", "latency per inference (us)", ExploreRow::latencyUs, "test RMSE of the integer model", ExploreRow::rmseInt),
    RMSE_ENERGY("rmse-energy", "RMSE vs energy", "energy per inference (uJ)", ExploreRow::energyUj, "test RMSE of the integer model", ExploreRow::rmseInt),
    LUT_LATENCY("lut-latency", "LUTs vs latency", "latency per inference (us)", ExploreRow::latencyUs, "LUTs", r -> r.lut());

    public final String file;
    public final String title;
    public final String xLabel;
    public final ToDoubleFunction<ExploreRow> x;
    public final String yLabel;
    public final ToDoubleFunction<ExploreRow> y;

    ExploreFront(String file, String title, String xLabel, ToDoubleFunction<ExploreRow> x, String yLabel, ToDoubleFunction<ExploreRow> y) {
        this.file = file;
        this.title = title;
        this.xLabel = xLabel;
        this.x = x;
        this.yLabel = yLabel;
        this.y = y;
    }

    /** The column of explore.csv that marks this front: "pareto_rmse_latency". */
    public String column() {
        return "pareto_" + file.replace('-', '_');
    }

    /** Of designs equal on a front's two axes, the front keeps those not worse on all four. */
    private static final List<ToDoubleFunction<ExploreRow>> TIE_BREAK =
            List.of(ExploreRow::rmseInt, ExploreRow::latencyUs, r -> r.lut(), ExploreRow::energyUj);

    /** The names of the rows on this front. */
    public Set<String> of(List<ExploreRow> rows) {
        List<ExploreRow> fit = rows.stream().filter(ExploreRow::fits).toList();
        Set<String> names = new LinkedHashSet<>();
        for (ExploreRow r : ParetoFront.of(fit, List.of(x, y), TIE_BREAK)) names.add(r.name());
        return names;
    }

    /** Every front of {@code rows}. */
    public static Map<ExploreFront, Set<String>> all(List<ExploreRow> rows) {
        Map<ExploreFront, Set<String>> m = new LinkedHashMap<>();
        for (ExploreFront f : values()) m.put(f, f.of(rows));
        return m;
    }

    /** The Pareto candidates: rows on at least one front, in table order. */
    public static List<ExploreRow> candidates(List<ExploreRow> rows, Map<ExploreFront, Set<String>> fronts) {
        List<ExploreRow> out = new ArrayList<>();
        for (ExploreRow r : rows) if (fronts.values().stream().anyMatch(s -> s.contains(r.name()))) out.add(r);
        return out;
    }

    /** The pareto_* columns of one row. */
    public static Map<String, Boolean> flags(ExploreRow r, Map<ExploreFront, Set<String>> fronts) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        boolean any = false;
        for (Map.Entry<ExploreFront, Set<String>> e : fronts.entrySet()) {
            boolean on = e.getValue().contains(r.name());
            m.put(e.getKey().column(), on);
            any |= on;
        }
        m.put("pareto", any);
        return m;
    }
}
