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
        List<Integer> front = new ArrayList<>();
        // O(n^2): explore tables have hundreds of rows at most
        for (int i = 0; i < points.length; i++) {
            boolean dominated = false;
            for (int j = 0; j < points.length && !dominated; j++) {
                dominated = j != i && dominates(points[j], points[i]);
            }
            if (!dominated) front.add(i);
        }
        return front;
    }

    /** The non-dominated items, in their order, by the given objectives (all minimized). */
    @SafeVarargs
    public static <T> List<T> of(List<T> items, ToDoubleFunction<T>... objectives) {
        double[][] p = new double[items.size()][objectives.length];
        for (int i = 0; i < items.size(); i++) {
            for (int k = 0; k < objectives.length; k++) p[i][k] = objectives[k].applyAsDouble(items.get(i));
        }
        List<T> out = new ArrayList<>();
        for (int i : indices(p)) out.add(items.get(i));
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
