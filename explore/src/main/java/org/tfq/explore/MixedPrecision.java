package org.tfq.explore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Value;

/**
 * The mixed-precision search of {@code tfq explore --max-rmse-increase}: greedy, one layer at a
 * time, largest layer (most multiply-accumulates) first. Every layer starts at the widest of
 * {@code --bits}; each layer in turn gets the narrowest width that keeps the integer model's RMSE
 * within the bound (the bound is checked on the whole model with every earlier choice in place),
 * or keeps its width. One evaluation per layer and width tried, so it costs about as much as a
 * few uniform configurations instead of the (widths^layers) of an exhaustive search.
 */
public final class MixedPrecision {
    private MixedPrecision() {}

    /** One evaluation: the --bits-for tried, its RMSE, and whether it was kept. */
    public record Step(String layer, int bits, double rmse, boolean kept) {}

    public record Result(int baseBits, SortedMap<String, Integer> bitsFor, double rmse, List<Step> steps) {
        public Map<String, Object> json(double rmseFloat, double maxIncreasePercent) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("max_rmse_increase_percent", maxIncreasePercent);
            m.put("rmse_bound", rmseFloat * (1 + maxIncreasePercent / 100));
            m.put("base_bits", baseBits);
            m.put("bits_for", new LinkedHashMap<>(bitsFor));
            m.put("rmse_int", rmse);
            List<Object> s = new ArrayList<>();
            for (Step st : steps) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("layer", st.layer());
                row.put("bits", st.bits());
                row.put("rmse_int", st.rmse());
                row.put("kept", st.kept());
                s.add(row);
            }
            m.put("steps", s);
            return m;
        }
    }

    /**
     * The search. {@code rmseOf} quantizes with the base width and the given --bits-for and
     * returns the integer RMSE; {@code widths} are the widths to choose from.
     */
    public static Result search(Graph floatGraph, List<Integer> widths, double rmseBound, Function<SortedMap<String, Integer>, Double> rmseOf) {
        List<Integer> ascending = widths.stream().distinct().sorted().toList();
        int base = ascending.get(ascending.size() - 1);
        SortedMap<String, Integer> chosen = new TreeMap<>();
        double rmse = rmseOf.apply(chosen);
        List<Step> steps = new ArrayList<>();
        for (String layer : layers(floatGraph)) {
            for (int b : ascending) {
                if (b >= base) break;
                SortedMap<String, Integer> trial = new TreeMap<>(chosen);
                trial.put(layer, b);
                double r = rmseOf.apply(trial);
                boolean keep = r <= rmseBound;
                steps.add(new Step(layer, b, r, keep));
                if (keep) {
                    chosen = trial;
                    rmse = r;
                    break;
                }
            }
        }
        return new Result(base, chosen, rmse, steps);
    }

    /**
     * The layers to choose widths for: the module of every linear layer ("/ff1" for the node
     * "/ff1/MatMul", the node's own name when it has no module), most multiply-accumulates first.
     */
    public static List<String> layers(Graph g) {
        Map<String, Long> macs = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof org.tfq.ir.op.Linear)) continue;
            int slash = n.name().lastIndexOf('/');
            String layer = slash > 0 ? n.name().substring(0, slash) : n.name();
            macs.merge(layer, n.op().macs(n.inputs().stream().map(Value::type).toList()), Long::sum);
        }
        List<String> out = new ArrayList<>(macs.keySet());
        out.sort(Comparator.comparing((String l) -> -macs.get(l)).thenComparing(Comparator.naturalOrder()));
        return out;
    }
}
