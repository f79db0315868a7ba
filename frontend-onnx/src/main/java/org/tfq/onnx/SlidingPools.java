package org.tfq.onnx;

import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.MaxPool;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.PadConstant;
import org.tfq.ir.op.StridedView;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * AveragePool and MaxPool whose window slides: per pooled axis, the (padded) input seen as
 * windows ({@link StridedView#window}, the view Conv reads, not a copy), then the mean or the
 * maximum over the window axis. Zero padding is a {@link PadConstant} the windows read; a mean
 * that leaves the pool's own pads out (count_include_pad = 0) is the mean over the whole window
 * times k / (valid taps) per position. MaxPool's pads count as -inf: the edge element repeated
 * instead, which every window that reaches into the padding also covers (dilation 1, pads below
 * the kernel), so the maximum is the same.
 */
final class SlidingPools {
    private SlidingPools() {}

    /** One pooled axis: kernel, stride, dilation, the pool's own pads, and the zeros of Pad nodes before it. */
    private record Window(int axis, int kernel, int stride, int dilation, int before, int after, int zerosBefore, int zerosAfter) {
        boolean identity() {
            return kernel == 1 && stride == 1 && before + after + zerosBefore + zerosAfter == 0;
        }
    }

    /** True if some axis of this AveragePool (after Pad nodes padding {@code padded}) slides rather than covering it whole. */
    static boolean slides(NodeProto pool, Shape x, long[] padded) {
        for (Window w : windows(pool, x, padded)) {
            int length = x.dim(w.axis) + w.before + w.after + w.zerosBefore + w.zerosAfter;
            boolean whole = w.kernel == length && (w.dilation == 1 || w.kernel == 1);
            if (!whole && !w.identity()) return true;
        }
        return false;
    }

    static void averagePool(GraphBuilder b, NodeProto pool, long[] padded, Value x, String name, String out) {
        boolean countPads = new Attrs(pool).getInt("count_include_pad", 0) != 0;
        List<Window> ws = windows(pool, x.type().shape(), padded).stream().filter(w -> !w.identity()).toList();
        Value cur = x;
        for (int i = 0; i < ws.size(); i++) {
            Window w = ws.get(i);
            String o = i == ws.size() - 1 ? out : out + "/axis" + w.axis;
            String nm = ws.size() > 1 ? name + "/axis" + w.axis : name;
            int len = cur.type().shape().dim(w.axis);
            int before = w.before + w.zerosBefore, after = w.after + w.zerosAfter;
            if (before + after > 0) cur = b.emit(nm + "/pad", new PadConstant(w.axis, before, after, 0f), List.of(cur), o + "/pad");
            cur = b.emit(nm + "/window", StridedView.window(cur.type().shape(), w.axis, w.kernel, w.stride, w.dilation), List.of(cur), o + "/window");
            int windows = cur.type().shape().dim(w.axis);
            float[] factor = countPads ? null : divisors(w, len, windows);
            cur = b.emit(nm, new MeanPool(w.axis + 1, false), List.of(cur), factor == null ? o : o + "/mean");
            if (factor != null) {
                int[] d = new int[cur.type().shape().rank()];
                java.util.Arrays.fill(d, 1);
                d[w.axis] = windows;
                cur = b.emit(nm + "/valid", new MulConstant(new FloatTensor(new Shape(d), factor)), List.of(cur), o);
            }
        }
    }

    /** k / (taps inside the pool's own pads' complement) per window, or null if every window has all k. */
    private static float[] divisors(Window w, int len, int windows) {
        int lo = w.before, hi = w.before + w.zerosBefore + len + w.zerosAfter; // the data, Pad nodes' zeros included
        float[] f = new float[windows];
        boolean any = false;
        for (int j = 0; j < windows; j++) {
            int valid = 0;
            for (int t = 0; t < w.kernel; t++) {
                int p = j * w.stride + t * w.dilation;
                if (p >= lo && p < hi) valid++;
            }
            f[j] = (float) w.kernel / valid;
            any |= valid != w.kernel;
        }
        return any ? f : null;
    }

    static void maxPool(GraphBuilder b, OnnxGraph g, NodeProto pool, Value x, String name, String out) {
        if (pool.getOutputCount() > 1 && !pool.getOutput(1).isEmpty()
                && (!g.consumersOf(pool.getOutput(1)).isEmpty() || g.graphOutputs.contains(pool.getOutput(1)))) {
            throw new OnnxImportException("MaxPool's Indices output is read; tfq computes the maximum only (return_indices=False)");
        }
        if (new Attrs(pool).getInt("storage_order", 0) != 0) throw new OnnxImportException("MaxPool storage_order 1 is not supported");
        List<Window> ws = windows(pool, x.type().shape(), new long[2 * x.type().shape().rank()]).stream().filter(w -> !w.identity()).toList();
        if (ws.isEmpty()) {
            b.alias(out, x);
            return;
        }
        Value cur = x;
        for (int i = 0; i < ws.size(); i++) {
            Window w = ws.get(i);
            String o = i == ws.size() - 1 ? out : out + "/axis" + w.axis;
            String nm = ws.size() > 1 ? name + "/axis" + w.axis : name;
            if (w.before + w.after > 0) {
                if (w.dilation != 1) throw new OnnxImportException("MaxPool with dilation " + w.dilation + " and padding is not supported; pad explicitly or drop the dilation");
                if (w.before >= w.kernel || w.after >= w.kernel) throw new OnnxImportException("MaxPool pads must be smaller than its kernel (" + w.kernel + ")");
                cur = Movement.padAxis(b, nm + "/pad", cur, w.axis, w.before, w.after, "edge", 0f, o + "/pad");
            }
            cur = b.emit(nm + "/window", StridedView.window(cur.type().shape(), w.axis, w.kernel, w.stride, w.dilation), List.of(cur), o + "/window");
            cur = b.emit(nm, new MaxPool(w.axis + 1, false, false), List.of(cur), o);
        }
    }

    private static List<Window> windows(NodeProto pool, Shape x, long[] padded) {
        Attrs a = new Attrs(pool);
        String op = pool.getOpType();
        int spatial = x.rank() - 2;
        if (spatial < 1) throw new OnnxImportException(op + " needs an input [batch, channels, spatial...], has rank " + x.rank());
        String autoPad = a.getString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            throw new OnnxImportException(op + " with auto_pad " + autoPad + " is not supported; export with explicit pads");
        }
        long[] kernel = a.getInts("kernel_shape");
        if (kernel == null || kernel.length != spatial) throw new OnnxImportException(op + " needs kernel_shape for its " + spatial + " spatial axes");
        long[] strides = a.getInts("strides"), dil = a.getInts("dilations"), pads = a.getInts("pads");
        boolean ceil = a.getInt("ceil_mode", 0) != 0;
        List<Window> ws = new java.util.ArrayList<>();
        for (int i = 0; i < spatial; i++) {
            int axis = i + 2;
            Window w = new Window(axis, (int) kernel[i], strides == null ? 1 : (int) strides[i], dil == null ? 1 : (int) dil[i],
                    pads == null ? 0 : (int) pads[i], pads == null ? 0 : (int) pads[i + spatial], (int) padded[axis], (int) padded[axis + x.rank()]);
            if (w.kernel < 1 || w.stride < 1 || w.dilation < 1 || w.before < 0 || w.after < 0) {
                throw new OnnxImportException(op + " with kernel " + w.kernel + ", stride " + w.stride + ", dilation " + w.dilation + ", pads "
                        + w.before + "/" + w.after + " is not a valid pool");
            }
            long span = (long) (w.kernel - 1) * w.dilation + 1;
            long length = x.dim(axis) + w.before + w.after + w.zerosBefore + w.zerosAfter;
            if (span > length) throw new OnnxImportException(op + " window of " + span + " is longer than its padded axis (" + length + ")");
            if (ceil && (length - span) % w.stride != 0) {
                throw new OnnxImportException(op + " with ceil_mode=1 adds a partial window at the end; export with ceil_mode=False");
            }
            ws.add(w);
        }
        return ws;
    }
}
