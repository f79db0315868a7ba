package org.tfq.explore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The layout of one scatter plot, in pixels, shared by the SVG and the PNG renderer so the two
 * show the same thing: the frame, the ticks of both axes (logarithmic when the data spans more
 * than a factor of {@link #LOG_SPAN}, so a 1-lane design does not squash the rest into a corner),
 * every point, and the Pareto front as a staircase through its points.
 */
public record ScatterPlot(String title, String xLabel, String yLabel, boolean xLog, boolean yLog, List<Tick> xTicks, List<Tick> yTicks,
        List<Dot> dots, List<double[]> front) {

    public static final int WIDTH = 800, HEIGHT = 520;
    public static final int LEFT = 90, RIGHT = 30, TOP = 64, BOTTOM = 70;
    public static final double LOG_SPAN = 8;

    /** A point of the data. */
    public record Point(double x, double y, String label, boolean pareto) {}

    /** Room a point label needs to the right of its point, in pixels. */
    public static final double LABEL_ROOM = 90;

    /** A point placed on the canvas. */
    public record Dot(double px, double py, String label, boolean pareto) {
        /** Near the right edge the label goes to the left of its point, inside the frame. */
        boolean labelLeftOf() {
            return px > WIDTH - RIGHT - LABEL_ROOM;
        }
    }

    /** A tick: its pixel position on its axis and its text. */
    public record Tick(double pos, String text) {}

    public static ScatterPlot of(String title, String xLabel, String yLabel, List<Point> points) {
        Axis ax = Axis.of(points.stream().mapToDouble(Point::x).toArray(), LEFT, WIDTH - RIGHT);
        Axis ay = Axis.of(points.stream().mapToDouble(Point::y).toArray(), HEIGHT - BOTTOM, TOP);
        List<Dot> dots = new ArrayList<>();
        for (Point p : points) dots.add(new Dot(ax.pixel(p.x()), ay.pixel(p.y()), p.label(), p.pareto()));
        // the front as a staircase: from each Pareto point across to the next one's x, then down to it
        List<Dot> f = dots.stream().filter(Dot::pareto).sorted(Comparator.comparingDouble(Dot::px).thenComparingDouble(Dot::py)).toList();
        List<double[]> front = new ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            if (i > 0) front.add(new double[] {f.get(i).px(), f.get(i - 1).py()});
            front.add(new double[] {f.get(i).px(), f.get(i).py()});
        }
        return new ScatterPlot(title, xLabel, yLabel, ax.log, ay.log, ax.ticks(), ay.ticks(), dots, front);
    }

    public int paretoCount() {
        return (int) dots.stream().filter(Dot::pareto).count();
    }

    /** One axis: the data range, padded, mapped onto pixels [from, to]. */
    private record Axis(double lo, double hi, boolean log, double from, double to) {
        static Axis of(double[] v, double from, double to) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double d : v) {
                if (!Double.isFinite(d)) continue;
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            if (min > max) { // no data: an empty unit axis
                min = 0;
                max = 1;
            }
            boolean log = min > 0 && max / min > LOG_SPAN;
            if (log) {
                double pad = Math.pow(max / min, 0.05);
                return new Axis(min / pad, max * pad, true, from, to);
            }
            double span = max - min == 0 ? Math.max(Math.abs(max), 1) : max - min;
            double lo = min - 0.08 * span, hi = max + 0.08 * span;
            if (min >= 0 && lo < 0) lo = 0; // counts and latencies are never negative
            return new Axis(lo, hi, false, from, to);
        }

        double pixel(double v) {
            double t = log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo);
            return from + t * (to - from);
        }

        List<Tick> ticks() {
            List<Tick> t = new ArrayList<>();
            if (log) {
                // 1, 2, 5 per decade; every digit when that leaves fewer than four ticks
                for (int[] mantissas : new int[][] {{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
                    t.clear();
                    for (int e = (int) Math.floor(Math.log10(lo)); e <= (int) Math.ceil(Math.log10(hi)); e++) {
                        for (int m : mantissas) {
                            double v = m * Math.pow(10, e);
                            if (v >= lo && v <= hi) t.add(new Tick(pixel(v), label(v)));
                        }
                    }
                    if (t.size() >= 4) break;
                }
                return t;
            }
            double raw = (hi - lo) / 6;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
            for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.add(new Tick(pixel(v), label(v)));
            return t;
        }

        private static String label(double v) {
            if (Math.abs(v) < 1e-12) return "0";
            double a = Math.abs(v);
            if (a >= 10000) return String.format(Locale.ROOT, "%,.0f", v);
            if (a >= 1) return new java.math.BigDecimal(String.format(Locale.ROOT, "%.2f", v)).stripTrailingZeros().toPlainString();
            return new java.math.BigDecimal(v).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
        }
    }

    /** "12.3": pixel coordinates as the SVG writes them. */
    public static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
