package org.tfq.passes.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The Pareto front of a table of design points, every objective minimized. A point is dominated
 * when another is no worse in every objective and strictly better in at least one; the front is
 * every point that is not dominated. Two points with equal objectives do not dominate each other,
 * so duplicates are all kept (they are different designs that the objectives cannot tell apart);
 * a point that ties another in one objective and loses in the other is dropped.
 */
public final class ParetoFront {
    private ParetoFront() {}

    /** Indices of the non-dominated rows of {@code points} ({@code points[i]} = objectives of point i), ascending. */
    public static List<Integer> indices(double[][] points) {
        return indices(points, null);
    }

    /**
     * The same, with secondary objectives that only break ties: among points whose objectives are
     * all equal, one dominated in {@code tieBreak} is dropped too (a 2-D front of RMSE and latency
     * keeps, of designs with the same RMSE and latency, those not worse in LUTs and energy).
     * Points equal in both stay together.
     */
    public static List<Integer> indices(double[][] points, double[][] tieBreak) {
        if (tieBreak != null && tieBreak.length != points.length) throw new IllegalArgumentException("tie-break rows: " + tieBreak.length + " for " + points.length + " points");
        List<Integer> front = new ArrayList<>();
        // O(n^2): explore tables have hundreds of rows at most
        for (int i = 0; i < points.length; i++) {
            boolean dominated = false;
            for (int j = 0; j < points.length && !dominated; j++) {
                if (j == i) continue;
                dominated = dominates(points[j], points[i])
                        || tieBreak != null && equal(points[j], points[i]) && dominates(tieBreak[j], tieBreak[i]);
            }
            if (!dominated) front.add(i);
        }
        return front;
    }

    /** {@link #of} with secondary objectives that break ties (see {@link #indices(double[][], double[][])}). */
    public static <T> List<T> of(List<T> items, List<ToDoubleFunction<T>> objectives, List<ToDoubleFunction<T>> tieBreak) {
        List<T> out = new ArrayList<>();
        for (int i : indices(table(items, objectives), table(items, tieBreak))) out.add(items.get(i));
        return out;
    }

    private static <T> double[][] table(List<T> items, List<ToDoubleFunction<T>> objectives) {
        double[][] p = new double[items.size()][objectives.size()];
        for (int i = 0; i < items.size(); i++) {
            for (int k = 0; k < objectives.size(); k++) p[i][k] = objectives.get(k).applyAsDouble(items.get(i));
        }
        return p;
    }

    private static boolean equal(double[] a, double[] b) {
        for (int k = 0; k < a.length; k++) if (Double.compare(key(a[k]), key(b[k])) != 0) return false;
        return true;
    }

    /** The non-dominated items, in their order, by the given objectives (all minimized). */
    @SafeVarargs
    public static <T> List<T> of(List<T> items, ToDoubleFunction<T>... objectives) {
        List<T> out = new ArrayList<>();
        for (int i : indices(table(items, List.of(objectives)))) out.add(items.get(i));
        return out;
    }

    /** Whether {@code a} dominates {@code b}: no worse everywhere, strictly better somewhere. NaN is worse than anything. */
    public static boolean dominates(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("points of " + a.length + " and " + b.length + " objectives");
        boolean better = false;
        for (int k = 0; k < a.length; k++) {
            double x = key(a[k]), y = key(b[k]);
            if (x > y) return false;
            if (x < y) better = true;
        }
        return better;
    }

    private static double key(double v) {
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }
}
