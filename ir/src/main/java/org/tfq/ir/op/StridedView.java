package org.tfq.ir.op;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/**
 * Output element (i_0, .., i_m) is input element (j_0, .., j_n) with j_a = start[a] + sum_k
 * coef[a][k] i_k: an affine index map, so every reader can walk it with strides. A sliding
 * window (Conv1d's im2col, PatchTST's patches: two output axes share an input axis, the windows
 * overlap), a broadcast (Expand, Tile of an axis of size 1: coefficient 0), a slice with a step
 * (negative for reflect padding) are all this op; {@code kind} only names which one.
 */
public record StridedView(String kind, Shape target, int[] start, int[][] coef) implements LayoutOp {

    public StridedView {
        start = start.clone();
        coef = Arrays.stream(coef).map(int[]::clone).toArray(int[][]::new);
        if (coef.length != start.length) throw Op.error(kind, "one start per input axis");
        for (int[] row : coef) if (row.length != target.rank()) throw Op.error(kind, "one coefficient per output axis");
    }

    /** Windows of {@code size} elements every {@code stride} along {@code axis}, taps {@code dilation} apart: the axis becomes [windows, size]. */
    public static StridedView window(Shape in, int axis, int size, int stride, int dilation) {
        int a = in.axis(axis), len = in.dim(a), span = (size - 1) * dilation + 1;
        if (size < 1 || stride < 1 || dilation < 1 || span > len) {
            throw Op.error("window", "window of " + size + " (dilation " + dilation + ") does not fit axis " + a + " of " + in);
        }
        int windows = (len - span) / stride + 1;
        int[] d = new int[in.rank() + 1];
        int[][] c = new int[in.rank()][in.rank() + 1];
        for (int i = 0, k = 0; i < in.rank(); i++, k++) {
            if (i == a) {
                d[k] = windows;
                c[i][k] = stride;
                d[++k] = size;
                c[i][k] = dilation;
            } else {
                d[k] = in.dim(i);
                c[i][k] = 1;
            }
        }
        return new StridedView("window", new Shape(d), new int[in.rank()], c);
    }

    /** {@code in} broadcast to {@code target} (ranks right-aligned, as ONNX Expand): axes of size 1 repeat. */
    public static StridedView expand(Shape in, Shape target) {
        int off = target.rank() - in.rank();
        if (off < 0) throw Op.error("expand", "cannot expand " + in + " to the lower rank " + target);
        int[][] c = new int[in.rank()][target.rank()];
        for (int i = 0; i < in.rank(); i++) {
            int t = target.dim(i + off);
            if (in.dim(i) == t) c[i][i + off] = 1;
            else if (in.dim(i) != 1) throw Op.error("expand", "cannot expand " + in + " to " + target);
        }
        return new StridedView("expand", target, new int[in.rank()], c);
    }

    /** Elements start, start + step, .. ({@code count} of them) of one axis; the step may be negative. */
    public static StridedView stridedSlice(Shape in, int axis, int start, int step, int count) {
        int a = in.axis(axis);
        int[][] c = new int[in.rank()][in.rank()];
        for (int i = 0; i < in.rank(); i++) c[i][i] = i == a ? step : 1;
        int[] s = new int[in.rank()];
        s[a] = start;
        return new StridedView("strided_slice", in.withDim(a, count), s, c);
    }

    @Override
    public int[] start() {
        return start.clone();
    }

    @Override
    public int[][] coef() {
        return Arrays.stream(coef).map(int[]::clone).toArray(int[][]::new);
    }

    @Override
    public String mnemonic() {
        return kind;
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("shape", target.toString());
        a.put("start", Arrays.toString(start));
        a.put("coef", Arrays.deepToString(coef));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Shape x = in.get(0).shape();
        if (x.rank() != start.length) throw Op.error(kind, "built for rank " + start.length + ", input is " + x);
        for (int a = 0; a < x.rank(); a++) {
            long lo = start[a], hi = start[a];
            for (int k = 0; k < target.rank(); k++) {
                long span = (long) coef[a][k] * (target.dim(k) - 1);
                lo += Math.min(0, span);
                hi += Math.max(0, span);
            }
            if (lo < 0 || hi >= x.dim(a)) throw Op.error(kind, "reads [" + lo + ", " + hi + "] of axis " + a + " of " + x);
        }
        return in.get(0).withShape(target);
    }

    @Override
    public Shape outShape(Shape input) {
        return target;
    }

    @Override
    public int[] sourceOffsets(Shape x) {
        int[] xs = x.strides();
        int[] step = new int[target.rank()];
        int base = 0;
        for (int a = 0; a < x.rank(); a++) {
            base += start[a] * xs[a];
            for (int k = 0; k < target.rank(); k++) step[k] += coef[a][k] * xs[a];
        }
        int n = Math.toIntExact(target.size());
        int[] src = new int[n];
        int[] idx = new int[target.rank()];
        int off = base;
        for (int i = 0; i < n; i++) {
            src[i] = off;
            for (int k = target.rank() - 1; k >= 0; k--) {
                idx[k]++;
                off += step[k];
                if (idx[k] < target.dim(k)) break;
                off -= step[k] * idx[k];
                idx[k] = 0;
            }
        }
        return src;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StridedView v && kind.equals(v.kind) && target.equals(v.target) && Arrays.equals(start, v.start)
                && Arrays.deepEquals(coef, v.coef);
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + target.hashCode()) * 31 + Arrays.hashCode(start) * 17 + Arrays.deepHashCode(coef);
    }
}
