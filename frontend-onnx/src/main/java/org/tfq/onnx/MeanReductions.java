package org.tfq.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Reshape;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Reductions and pools that are means, or sums (a mean times the axis length, a relabelling of
 * the scale in integers): ReduceMean and ReduceSum over any axes, GlobalAveragePool, and an
 * AveragePool whose window covers each pooled axis whole, with its own pads or a zero Pad before
 * it (counted in the mean when count_include_pad says so, or always for a Pad node). Each pooled
 * axis becomes one {@link MeanPool}. A window that slides is {@link SlidingPools}'.
 */
final class MeanReductions {
    private MeanReductions() {}

    /** ReduceMean or ReduceSum: axes from the input (ReduceSum from opset 13, ReduceMean from 18) or the attribute. */
    static void reduce(GraphBuilder b, NodeProto n, Value x, String name, String out, boolean sum) {
        Attrs a = new Attrs(n);
        long[] axes = axes(b, n);
        int rank = x.type().shape().rank();
        int[] ax;
        if (axes == null || axes.length == 0) {
            if (a.getInt("noop_with_empty_axes", 0) != 0) {
                b.emit(name, new Reshape(x.type().shape()), List.of(x), out);
                return;
            }
            ax = java.util.stream.IntStream.range(0, rank).toArray();
        } else {
            ax = Arrays.stream(axes).mapToInt(v -> ConstFolder.normAxis(v, rank, n.getOpType() + " axes")).distinct().toArray();
        }
        emit(b, name, x, ax, a.getInt("keepdims", 1) != 0, sum, out);
    }

    static long[] axes(GraphBuilder b, NodeProto n) {
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
            Const c = b.constOf(n.getInput(1));
            if (c == null) throw new OnnxImportException(n.getOpType() + " axes must be a constant, but are computed at run time");
            return c.longs();
        }
        return new Attrs(n).getInts("axes");
    }

    static void globalAveragePool(GraphBuilder b, NodeProto n, Value x, String name, String out) {
        int rank = x.type().shape().rank();
        if (rank < 3) throw new OnnxImportException("GlobalAveragePool needs an input [batch, channels, spatial...], has rank " + rank);
        emit(b, name, x, java.util.stream.IntStream.range(2, rank).toArray(), true, false, out);
    }

    /** AveragePool (after zero Pad nodes, {@code pads}, possibly none) as a mean over each axis it covers whole. */
    static void averagePool(GraphBuilder b, NodeProto pool, List<NodeProto> pads, Value x, String name, String out) {
        Attrs a = new Attrs(pool);
        int[] d = x.type().shape().dims();
        int spatial = d.length - 2;
        if (spatial < 1) throw new OnnxImportException("AveragePool needs an input [batch, channels, spatial...], has rank " + d.length);
        String autoPad = a.getString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            throw new OnnxImportException("AveragePool with auto_pad " + autoPad + " is not supported; export with explicit pads");
        }
        long[] kernel = a.getInts("kernel_shape");
        long[] strides = a.getInts("strides");
        long[] dil = a.getInts("dilations");
        long[] poolPads = a.getInts("pads");
        boolean countPoolPads = a.getInt("count_include_pad", 0) != 0;
        long[] padded = new long[2 * d.length];
        for (NodeProto pad : pads) {
            long[] p = padAmounts(b, pad, d.length);
            for (int i = 0; i < p.length; i++) padded[i] += p[i];
        }
        if (kernel == null || kernel.length != spatial) throw new OnnxImportException("AveragePool needs kernel_shape for its " + spatial + " spatial axes");
        if (SlidingPools.slides(pool, x.type().shape(), padded)) {
            SlidingPools.averagePool(b, pool, padded, x, name, out);
            return;
        }
        List<Integer> axes = new ArrayList<>();
        double factor = 1.0;
        for (int i = 0; i < spatial; i++) {
            int axis = i + 2;
            long own = poolPads == null ? 0 : poolPads[i] + poolPads[i + spatial];
            long before = padded[axis] + (poolPads == null ? 0 : poolPads[i]);
            long after = padded[axis + d.length] + (poolPads == null ? 0 : poolPads[i + spatial]);
            long length = d[axis] + before + after;
            // a Pad node's zeros are elements of the window; the pool's own pads only with count_include_pad
            long counted = length - (countPoolPads ? 0 : own);
            long dilation = dil == null ? 1 : dil[i];
            long stride = strides == null ? 1 : strides[i];
            if (kernel[i] == length && (dilation == 1 || kernel[i] == 1)) {
                if (d[axis] > 1 || before + after > 0) axes.add(axis);
                factor *= (double) d[axis] / counted;
            } else if (!(kernel[i] == 1 && stride == 1 && before + after == 0)) {
                throw new OnnxImportException("AveragePool with kernel " + kernel[i] + " over an axis of " + length
                        + " (padded) slides a window; tfq supports pools whose window covers the whole axis (a mean); use GlobalAveragePool or a mean");
            }
        }
        Value m = emit(b, name, x, axes.stream().mapToInt(Integer::intValue).toArray(), true, false, factor == 1.0 ? out : out + "/mean");
        if (factor != 1.0) b.emit(name + "/padding", new MulConstant(FloatTensor.scalar((float) factor)), List.of(m), out);
    }

    /** Pad's begin and end amounts per axis ([begin..., end...]), checked to be zero-valued constant padding. */
    private static long[] padAmounts(GraphBuilder b, NodeProto pad, int rank) {
        Attrs a = new Attrs(pad);
        if (!a.getString("mode", "constant").equals("constant")) {
            throw new OnnxImportException("Pad mode " + a.getString("mode", "") + " before an AveragePool is not a mean; only zero padding is");
        }
        if (pad.getInputCount() > 2 && !pad.getInput(2).isEmpty()) {
            Const v = b.constOf(pad.getInput(2));
            if (v == null || !v.allEqual(0)) throw new OnnxImportException("Pad before an AveragePool must pad with zeros");
        }
        long[] p = pad.getInputCount() > 1 ? b.constOf(pad.getInput(1)) == null ? null : b.constOf(pad.getInput(1)).longs() : a.getInts("pads");
        if (p == null) throw new OnnxImportException("Pad amounts must be a constant");
        long[] full = new long[2 * rank];
        if (pad.getInputCount() > 3 && !pad.getInput(3).isEmpty()) {
            Const axes = b.constOf(pad.getInput(3));
            if (axes == null) throw new OnnxImportException("Pad axes must be a constant");
            long[] ax = axes.longs();
            for (int i = 0; i < ax.length; i++) {
                int axis = ConstFolder.normAxis(ax[i], rank, "Pad axes");
                full[axis] = p[i];
                full[axis + rank] = p[i + ax.length];
            }
        } else {
            if (p.length != 2 * rank) throw new OnnxImportException("Pad has " + p.length + " amounts for rank " + rank);
            full = p;
        }
        for (int i = 0; i < rank; i++) {
            if (full[i] < 0 || full[i + rank] < 0) throw new OnnxImportException("Pad with negative amounts (cropping) before an AveragePool is not supported");
            if (i < 2 && full[i] + full[i + rank] > 0) throw new OnnxImportException("Pad of the batch or channel axis before an AveragePool is not supported");
        }
        return full;
    }

    /**
     * Means over {@code axes} one axis at a time (the mean of means is the mean), then the shape
     * the reduction promises, then, for a sum, times the number of elements summed.
     */
    private static Value emit(GraphBuilder b, String name, Value x, int[] axes, boolean keepDims, boolean sum, String out) {
        return emit(b, name, x, axes, keepDims, sum, ax -> new MeanPool(ax, keepDims), out);
    }

    /** As above, each axis reduced by {@code pool}'s op (a mean, or a maximum or minimum, which keep their input's range). */
    static Value emit(GraphBuilder b, String name, Value x, int[] axes, boolean keepDims, boolean sum,
            java.util.function.IntFunction<org.tfq.ir.op.FloatOp> pool, String out) {
        Shape s = x.type().shape();
        int[] sorted = Arrays.stream(axes).sorted().toArray();
        int[] target = keepDims ? s.dims() : new int[s.rank() - sorted.length];
        long count = 1;
        for (int ax : sorted) {
            count *= s.dim(ax);
            if (keepDims) target[ax] = 1;
        }
        if (!keepDims) {
            for (int i = 0, j = 0; i < s.rank(); i++) if (Arrays.binarySearch(sorted, i) < 0) target[j++] = s.dim(i);
        }
        List<org.tfq.ir.op.FloatOp> steps = new ArrayList<>();
        Shape cur = s;
        // descending, so that the axes still to pool keep their indices when one is dropped
        for (int k = sorted.length - 1; k >= 0; k--) {
            if (s.dim(sorted[k]) == 1) continue;
            org.tfq.ir.op.FloatOp p = pool.apply(sorted[k]);
            steps.add(p);
            cur = p.resultType(List.of(x.type().withShape(cur))).shape();
        }
        if (!cur.equals(new Shape(target))) steps.add(new Reshape(new Shape(target)));
        if (sum && count != 1) steps.add(new MulConstant(FloatTensor.scalar(count)));
        if (steps.isEmpty()) {
            b.alias(out, x);
            return x;
        }
        Value v = x;
        for (int k = 0; k < steps.size(); k++) {
            boolean last = k == steps.size() - 1;
            v = b.emit(last ? name : name + "/" + k, steps.get(k), List.of(v), last ? out : out + "/" + k);
        }
        return v;
    }
}
