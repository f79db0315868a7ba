package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.Concat;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.PadConstant;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Slice;
import org.tfq.ir.op.StridedView;
import org.tfq.ir.op.Transpose;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * ONNX's data-movement operators on activations as the IR's few: views ({@link StridedView},
 * slices, reshapes, transposes), {@link Concat} and constant {@link PadConstant}. Edge, reflect
 * and circular padding become concats of views of the input, a Tile a broadcast view, a Gather
 * of a regular index set a strided slice, a 1-D Conv a linear layer over a window view.
 */
final class Movement {
    private Movement() {}

    static void concat(GraphBuilder b, String name, List<Value> inputs, int axis, String out) {
        List<Value> parts = inputs.stream().filter(v -> v.type().shape().dim(axis) > 0).toList();
        if (parts.size() == 1) b.alias(out, parts.get(0));
        else b.emit(name, new Concat(axis, parts.size()), parts, out);
    }

    /**
     * A concat whose first or last pieces are constants of one value (TSLib's decoder input,
     * the label window followed by zeros) is a concat of the activations, then a constant padding.
     */
    static void concatWithConstants(GraphBuilder b, NodeProto n, String name, long axisAttr, String out) {
        int count = n.getInputCount(), first = 0, last = count;
        Float before = null, after = null;
        int padBefore = 0, padAfter = 0, rank = -1;
        for (int i = 0; i < count; i++) if (b.constOf(n.getInput(i)) == null) rank = b.activation(n.getInput(i)).type().shape().rank();
        if (rank < 0) throw new OnnxImportException("Concat without an activation input");
        int axis = ConstFolder.normAxis(axisAttr, rank, "Concat");
        while (first < count && b.constOf(n.getInput(first)) != null) {
            Const c = b.constOf(n.getInput(first++));
            before = uniform(c, before);
            padBefore += c.dims()[axis];
        }
        while (last > first && b.constOf(n.getInput(last - 1)) != null) {
            Const c = b.constOf(n.getInput(--last));
            after = uniform(c, after);
            padAfter += c.dims()[axis];
        }
        List<Value> parts = new ArrayList<>();
        for (int i = first; i < last; i++) {
            if (b.constOf(n.getInput(i)) != null) {
                throw new OnnxImportException("Concat with a constant between activations is not supported (constants only at either end)");
            }
            parts.add(b.activation(n.getInput(i)));
        }
        boolean pad = padBefore > 0 || padAfter > 0;
        if (pad && before != null && after != null && !before.equals(after)) {
            throw new OnnxImportException("Concat with constants of two values (" + before + ", " + after + ") at its ends is not supported");
        }
        String mid = pad ? out + "/activations" : out;
        concat(b, pad ? name + "/activations" : name, parts, axis, mid);
        if (pad) {
            b.emit(name, new PadConstant(axis, padBefore, padAfter, before != null ? before : after), List.of(b.activation(mid)), out);
        }
    }

    private static Float uniform(Const c, Float previous) {
        double v = c.size() == 0 ? (previous == null ? 0 : previous) : c.get(0);
        for (int i = 1; i < c.size(); i++) {
            if (c.get(i) != v) throw new OnnxImportException("Concat of an activation with a constant of several values is not supported");
        }
        if (previous != null && previous != (float) v) throw new OnnxImportException("Concat with constants of two values is not supported");
        return (float) v;
    }

    /** Tile: each repeated axis as a broadcast axis in front of it, merged into it by a reshape. */
    static void tile(GraphBuilder b, String name, Value x, long[] repeats, String out) {
        Shape s = x.type().shape();
        if (repeats.length != s.rank()) throw new OnnxImportException("Tile has " + repeats.length + " repeats for rank " + s.rank());
        int[] target = new int[s.rank()];
        boolean onlyOnes = true, any = false;
        for (int i = 0; i < s.rank(); i++) {
            if (repeats[i] < 1) throw new OnnxImportException("Tile repeat " + repeats[i] + " (at least 1 needed)");
            target[i] = Math.toIntExact(s.dim(i) * repeats[i]);
            any |= repeats[i] > 1;
            onlyOnes &= repeats[i] == 1 || s.dim(i) == 1;
        }
        if (!any) {
            b.alias(out, x);
            return;
        }
        if (onlyOnes) {
            b.emit(name, StridedView.expand(s, new Shape(target)), List.of(x), out);
            return;
        }
        int[] split = new int[2 * s.rank()], broadcast = new int[2 * s.rank()];
        for (int i = 0; i < s.rank(); i++) {
            split[2 * i] = 1;
            split[2 * i + 1] = s.dim(i);
            broadcast[2 * i] = (int) repeats[i];
            broadcast[2 * i + 1] = s.dim(i);
        }
        Value v = b.emit(name + "/split", new Reshape(new Shape(split)), List.of(x), out + "/split");
        v = b.emit(name + "/repeat", StridedView.expand(new Shape(split), new Shape(broadcast)), List.of(v), out + "/repeat");
        b.emit(name, new Reshape(new Shape(target)), List.of(v), out);
    }

    /** Gather of constant indices: one strided slice per run of equally spaced indices, concatenated, reshaped to the indices' shape. */
    static void gather(GraphBuilder b, String name, Value x, int axis, Const idx, String out) {
        Shape s = x.type().shape();
        int len = s.dim(axis);
        int[] ix = new int[idx.size()];
        for (int i = 0; i < ix.length; i++) {
            long v = idx.longAt(i);
            if (v < 0) v += len;
            if (v < 0 || v >= len) throw new OnnxImportException("Gather index " + idx.longAt(i) + " outside axis of size " + len);
            ix[i] = (int) v;
        }
        int[] dims = new int[s.rank() - 1 + idx.rank()];
        for (int i = 0, k = 0; i < s.rank(); i++) {
            if (i == axis) for (int d : idx.dims()) dims[k++] = d;
            else dims[k++] = s.dim(i);
        }
        boolean reshape = idx.rank() != 1;
        String flat = reshape ? out + "/flat" : out;
        List<Value> runs = new ArrayList<>();
        for (int i = 0; i < ix.length;) {
            int step = i + 1 < ix.length ? ix[i + 1] - ix[i] : 1, j = i + 1;
            while (j < ix.length && ix[j] - ix[j - 1] == step) j++;
            String o = j - i == ix.length ? flat : flat + "/run" + runs.size();
            runs.add(b.emit(name + (j - i == ix.length ? "" : "/run" + runs.size()),
                    StridedView.stridedSlice(s, axis, ix[i], step, j - i), List.of(x), o));
            i = j;
        }
        if (runs.size() > 1) b.emit(name + (reshape ? "/concat" : ""), new Concat(axis, runs.size()), runs, flat);
        if (reshape) b.emit(name, new Reshape(new Shape(dims)), List.of(b.activation(flat)), out);
    }

    /** Pad: per axis, constant padding as itself, edge, reflect and circular padding as a concat of views of the input. */
    static void pad(GraphBuilder b, NodeProto n, String name, Value x, Attrs a, String out) {
        int rank = x.type().shape().rank();
        long[] pads;
        double value = 0;
        long[] axes = null;
        if (b.opset() < 11) {
            pads = a.getInts("pads");
            value = a.getFloat("value", 0);
        } else {
            pads = b.requireConst(n, 1, "Pad's pads").longs();
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) value = b.requireConst(n, 2, "Pad's constant value").get(0);
            if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) axes = b.requireConst(n, 3, "Pad's axes").longs();
        }
        int count = axes == null ? rank : axes.length;
        if (pads == null || pads.length != 2 * count) throw new OnnxImportException("Pad needs 2 x " + count + " pads");
        String mode = a.getString("mode", "constant");
        if (!List.of("constant", "edge", "reflect", "wrap").contains(mode)) throw new OnnxImportException("Pad mode '" + mode + "' is not supported");
        List<int[]> work = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int ax = axes == null ? i : ConstFolder.normAxis(axes[i], rank, "Pad");
            if (pads[i] != 0 || pads[i + count] != 0) work.add(new int[] {ax, (int) pads[i], (int) pads[i + count]});
        }
        Value cur = x;
        if (work.isEmpty()) {
            b.alias(out, x);
            return;
        }
        for (int k = 0; k < work.size(); k++) {
            int[] w = work.get(k);
            String o = k == work.size() - 1 ? out : out + "/axis" + w[0];
            cur = padAxis(b, name + (work.size() > 1 ? "/axis" + w[0] : ""), cur, w[0], w[1], w[2], mode, (float) value, o);
        }
    }

    static Value padAxis(GraphBuilder b, String name, Value x, int axis, int before, int after, String mode, float value, String out) {
        int len = x.type().shape().dim(axis);
        if (before < 0 || after < 0) { // a negative pad crops
            int s = Math.max(0, -before), e = len - Math.max(0, -after);
            if (s >= e) throw new OnnxImportException("Pad crops all of axis " + axis);
            x = b.emit(name + "/crop", new Slice(axis, s, e), List.of(x), out + "/crop");
            len = e - s;
            before = Math.max(0, before);
            after = Math.max(0, after);
            if (before == 0 && after == 0) {
                b.alias(out, x);
                return x;
            }
        }
        if (mode.equals("constant")) return b.emit(name, new PadConstant(axis, before, after, value), List.of(x), out);
        if (mode.equals("reflect") && (before >= len || after >= len)) {
            throw new OnnxImportException("reflect padding of " + Math.max(before, after) + " needs an axis longer than " + len);
        }
        if (mode.equals("wrap") && (before > len || after > len)) {
            throw new OnnxImportException("circular padding of " + Math.max(before, after) + " is longer than the axis (" + len + ")");
        }
        Shape s = x.type().shape();
        List<Value> parts = new ArrayList<>();
        if (before > 0) {
            StridedView v = switch (mode) {
                case "edge" -> StridedView.stridedSlice(s, axis, 0, 0, before);
                case "reflect" -> StridedView.stridedSlice(s, axis, before, -1, before);
                default -> StridedView.stridedSlice(s, axis, len - before, 1, before);
            };
            parts.add(b.emit(name + "/before", v, List.of(x), out + "/before"));
        }
        parts.add(x);
        if (after > 0) {
            StridedView v = switch (mode) {
                case "edge" -> StridedView.stridedSlice(s, axis, len - 1, 0, after);
                case "reflect" -> StridedView.stridedSlice(s, axis, len - 2, -1, after);
                default -> StridedView.stridedSlice(s, axis, 0, 1, after);
            };
            parts.add(b.emit(name + "/after", v, List.of(x), out + "/after"));
        }
        return b.emit(name, new Concat(axis, parts.size()), parts, out);
    }

    /**
     * Conv over [batch, channels, length] as a linear layer on windows: the (padded) input seen
     * channels-last, a window view [batch, outputs, kernel, channels] flattened to rows of
     * kernel x channels inputs (the weight's taps reordered to match), the result transposed back.
     * The window is a view: when the input is stored channels-last (a transposed input, or a
     * padding stored like one) each row is one contiguous run of memory, else it is copied once.
     */
    static void conv1d(GraphBuilder b, NodeProto n, String name, Value x, Attrs a, String out) {
        Shape s = x.type().shape();
        if (s.rank() != 3) throw new OnnxImportException("Conv over " + (s.rank() - 2) + " spatial axes is not supported (1-D Conv over [batch, channels, length] only)");
        if (a.getInt("group", 1) != 1) throw new OnnxImportException("grouped Conv (group " + a.getInt("group", 1) + ") is not supported");
        String autoPad = a.getString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) throw new OnnxImportException("Conv auto_pad " + autoPad + " is not supported; export with explicit padding");
        Const w = b.requireConst(n, 1, "the Conv weight");
        if (w.rank() != 3 || w.dims()[1] != s.dim(1)) throw new OnnxImportException("Conv weight of shape " + Shape.of(w.dims()) + " does not fit input " + s);
        int outC = w.dims()[0], inC = w.dims()[1], k = w.dims()[2];
        int stride = (int) first(a.getInts("strides"), 1), dilation = (int) first(a.getInts("dilations"), 1);
        long[] pads = a.getInts("pads");
        int padL = pads == null ? 0 : (int) pads[0], padR = pads == null ? 0 : (int) pads[1];
        Value cur = x;
        if (padL > 0 || padR > 0) cur = b.emit(name + "/pad", new PadConstant(2, padL, padR, 0f), List.of(cur), out + "/pad");
        cur = b.emit(name + "/channels_last", new Transpose(new int[] {0, 2, 1}), List.of(cur), out + "/channels_last");
        if (k > 1 || stride > 1) {
            Shape cs = cur.type().shape();
            StridedView win = StridedView.window(cs, 1, k, stride, dilation);
            cur = b.emit(name + "/window", win, List.of(cur), out + "/window");
            Shape ws = cur.type().shape();
            cur = b.emit(name + "/im2col", new Reshape(Shape.of(ws.dim(0), ws.dim(1), k * inC)), List.of(cur), out + "/im2col");
        }
        float[] wr = new float[outC * k * inC];
        for (int o = 0; o < outC; o++) {
            for (int c = 0; c < inC; c++) {
                for (int j = 0; j < k; j++) wr[(o * k + j) * inC + c] = (float) w.get((o * inC + c) * k + j);
            }
        }
        FloatTensor bias = null;
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            Const bc = b.requireConst(n, 2, "the Conv bias");
            if (bc.size() != outC) throw new OnnxImportException("Conv bias has " + bc.size() + " values for " + outC + " channels");
            float[] bv = new float[outC];
            for (int o = 0; o < outC; o++) bv[o] = (float) bc.get(o);
            bias = new FloatTensor(Shape.of(outC), bv);
        }
        cur = b.emit(name, new Linear(new FloatTensor(Shape.of(outC, k * inC), wr), bias, b.weightQuant(n.getInput(1), 0)),
                List.of(cur), out + "/channels_last_out");
        b.emit(name + "/channels_first", new Transpose(new int[] {0, 2, 1}), List.of(cur), out);
    }

    private static long first(long[] v, long dflt) {
        if (v == null || v.length == 0) return dflt;
        if (v.length != 1) throw new OnnxImportException("Conv with " + v.length + " spatial axes is not supported (1-D only)");
        return v[0];
    }
}
