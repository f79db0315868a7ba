package org.tfq.passes.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * A loop nest over a tensor's axes, reduced to at most {@link #LEVELS} levels: axes of size 1
 * are dropped and neighbouring axes merge when every stream walks them as one (its stride on the
 * outer axis is its stride on the inner one times the inner size), which is how row-major
 * tensors and most views of them collapse to one or two loops.
 */
public final class Loops {
    private Loops() {}

    /** Loop levels of the engine's counters. */
    public static final int LEVELS = 4;

    /** A collapsed nest: {@code counts} outermost first, and per stream its stride per level. */
    public record Nest(int[] counts, List<long[]> strides) {
        public int levels() {
            return counts.length;
        }
    }

    /**
     * Collapses axes {@code dims} (outermost first) walked by streams with {@code strides.get(s)[axis]};
     * the result has at most {@code maxLevels} levels, or null when the view is too irregular.
     */
    public static Nest collapse(int[] dims, List<long[]> strides, int maxLevels) {
        List<Integer> d = new ArrayList<>();
        List<long[]> s = new ArrayList<>(); // per kept axis: strides of every stream
        for (int a = 0; a < dims.length; a++) {
            if (dims[a] == 1) continue;
            long[] col = new long[strides.size()];
            for (int k = 0; k < col.length; k++) col[k] = strides.get(k)[a];
            if (!d.isEmpty() && mergeable(s.get(s.size() - 1), col, dims[a])) {
                d.set(d.size() - 1, d.get(d.size() - 1) * dims[a]);
                s.set(s.size() - 1, col);
            } else {
                d.add(dims[a]);
                s.add(col);
            }
        }
        if (d.size() > maxLevels) return null;
        int[] counts = new int[d.size()];
        for (int i = 0; i < counts.length; i++) counts[i] = d.get(i);
        List<long[]> perStream = new ArrayList<>();
        for (int k = 0; k < strides.size(); k++) {
            long[] st = new long[counts.length];
            for (int i = 0; i < counts.length; i++) st[i] = s.get(i)[k];
            perStream.add(st);
        }
        return new Nest(counts, perStream);
    }

    private static boolean mergeable(long[] outer, long[] inner, int innerSize) {
        for (int k = 0; k < outer.length; k++) if (outer[k] != inner[k] * innerSize) return false;
        return true;
    }

    /** {@code nest} right-aligned into {@code levels} levels (outer levels of count 1). */
    public static Nest pad(Nest nest, int levels) {
        int[] c = new int[levels];
        java.util.Arrays.fill(c, 1);
        int off = levels - nest.levels();
        System.arraycopy(nest.counts(), 0, c, off, nest.levels());
        List<long[]> st = new ArrayList<>();
        for (long[] s : nest.strides()) {
            long[] p = new long[levels];
            System.arraycopy(s, 0, p, off, s.length);
            st.add(p);
        }
        return new Nest(c, st);
    }
}
