package org.tfq.passes.layout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tfq.ir.Shape;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Select;
import org.tfq.ir.op.Slice;
import org.tfq.ir.op.StridedView;
import org.tfq.ir.op.Transpose;

/**
 * A tensor read in place from another one stored row-major: element (i_0, .., i_k) is at
 * {@code offset + sum i_j strides[j]} of the stored tensor. Transposes, slices and selections
 * always have such a view, and most reshapes do; a layout op with a view costs the hardware no
 * cycles, only a different address pattern for whoever reads it.
 */
public record View(Shape shape, int offset, int[] strides) {

    public View {
        strides = strides.clone();
        if (strides.length != shape.rank()) throw new IllegalArgumentException("one stride per axis");
    }

    /** The stored tensor itself. */
    public static View contiguous(Shape s) {
        return new View(s, 0, s.strides());
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    /** The view after {@code op}, or null when the result cannot be read in place (a copy is needed). */
    public View then(LayoutOp op) {
        if (op instanceof Transpose t) {
            int[] p = t.perm();
            int[] d = new int[p.length], s = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                d[i] = shape.dim(p[i]);
                s[i] = strides[p[i]];
            }
            return new View(new Shape(d), offset, s);
        }
        if (op instanceof Slice sl) {
            int a = shape.axis(sl.axis());
            return new View(shape.withDim(a, sl.end() - sl.start()), offset + sl.start() * strides[a], strides);
        }
        if (op instanceof Select se) {
            int a = shape.axis(se.axis());
            int[] s = new int[strides.length - 1];
            for (int i = 0, j = 0; i < strides.length; i++) if (i != a) s[j++] = strides[i];
            return new View(shape.without(a), offset + se.index() * strides[a], s);
        }
        if (op instanceof Reshape r) return reshape(r.target());
        if (op instanceof StridedView sv) return strided(sv);
        throw new IllegalArgumentException("not a layout op: " + op);
    }

    /** An affine index map is a change of strides: overlapping windows, stride 0 for a broadcast, negative steps. */
    View strided(StridedView sv) {
        int[] start = sv.start();
        int[][] coef = sv.coef();
        int[] s = new int[sv.target().rank()];
        int off = offset;
        for (int a = 0; a < start.length; a++) {
            off += start[a] * strides[a];
            for (int k = 0; k < s.length; k++) s[k] += coef[a][k] * strides[a];
        }
        return new View(sv.target(), off, s);
    }

    /**
     * The views {@code parts}, one after another along {@code axis}, as one view, or null: they must
     * see one tensor with the same strides, each starting where the previous one ends (or, when
     * each is one element thick, at equal distances, which becomes the axis' stride: a stack of
     * windows). PatchTST's patches, a Split concatenated back.
     */
    public static View concat(java.util.List<View> parts, int axis) {
        View first = parts.get(0);
        int a = first.shape.axis(axis);
        int len = first.shape.dim(a);
        int[] st = first.strides();
        if (parts.size() == 1) return first;
        long delta = (long) parts.get(1).offset - first.offset;
        if (len == 1) st[a] = Math.toIntExact(delta);
        else if (delta != (long) len * st[a]) return null;
        for (int i = 1; i < parts.size(); i++) {
            View v = parts.get(i);
            if (!v.shape.equals(first.shape) || !Arrays.equals(v.strides, first.strides)) return null;
            if ((long) v.offset - first.offset != delta * i) return null;
        }
        return new View(first.shape.withDim(a, len * parts.size()), first.offset, st);
    }

    /**
     * A new tensor of {@code shape} stored with its axes in the order of this view's strides (largest
     * first): a concat or a padding of a transposed tensor keeps its layout, so a convolution's
     * windows over it stay contiguous.
     */
    public View storedAlike(Shape s) {
        Integer[] order = new Integer[s.rank()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Long.compare(Math.abs((long) strides[y]), Math.abs((long) strides[x])));
        return storedInOrder(s, Arrays.stream(order).mapToInt(Integer::intValue).toArray());
    }

    /** A new tensor of {@code s} stored with axis {@code order[0]} outermost, .., {@code order[rank-1]} innermost. */
    public static View storedInOrder(Shape s, int[] order) {
        int[] st = new int[s.rank()];
        int acc = 1;
        for (int i = order.length - 1; i >= 0; i--) {
            st[order[i]] = acc;
            acc *= s.dim(order[i]);
        }
        return new View(s, 0, st);
    }

    /**
     * Reshape without copying, when the elements keep their row-major order: axes of size 1 are
     * dropped, runs of axes that are contiguous with each other merge, and target axes are carved
     * out of those runs (the rule numpy uses to reshape without a copy).
     */
    View reshape(Shape target) {
        if (target.size() != shape.size()) throw new IllegalArgumentException("reshape changes the size");
        List<int[]> runs = new ArrayList<>(); // {size, innermost stride} of mergeable runs, outermost first
        for (int i = 0; i < shape.rank(); i++) {
            if (shape.dim(i) == 1) continue;
            int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[1] == strides[i] * shape.dim(i)) {
                last[0] *= shape.dim(i);
                last[1] = strides[i];
            } else {
                runs.add(new int[] {shape.dim(i), strides[i]});
            }
        }
        int[] d = target.dims();
        int[] s = new int[d.length];
        int run = 0;
        long left = runs.isEmpty() ? 1 : runs.get(0)[0];
        for (int i = 0; i < d.length; i++) {
            if (d[i] == 1) {
                s[i] = 0;
                continue;
            }
            while (run < runs.size() && left == 1) {
                run++;
                left = run < runs.size() ? runs.get(run)[0] : 1;
            }
            if (run >= runs.size() || left % d[i] != 0) return null;
            left /= d[i];
            s[i] = (int) (runs.get(run)[1] * left);
        }
        return new View(target, offset, s);
    }

    /** The stored offset of every element of the view, in row-major order of the view. */
    public int[] offsets() {
        int n = Math.toIntExact(shape.size());
        int[] out = new int[n];
        int[] idx = new int[shape.rank()];
        int off = offset;
        for (int k = 0; k < n; k++) {
            out[k] = off;
            for (int a = shape.rank() - 1; a >= 0; a--) {
                idx[a]++;
                off += strides[a];
                if (idx[a] < shape.dim(a)) break;
                off -= strides[a] * idx[a];
                idx[a] = 0;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof View v && shape.equals(v.shape) && offset == v.offset && Arrays.equals(strides, v.strides);
    }

    @Override
    public int hashCode() {
        return shape.hashCode() * 31 + offset + Arrays.hashCode(strides);
    }

    @Override
    public String toString() {
        return "view" + shape + "@" + offset + " strides " + Arrays.toString(strides);
    }
}
