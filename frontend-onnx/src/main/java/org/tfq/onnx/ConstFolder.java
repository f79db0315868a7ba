package org.tfq.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.tfq.ir.Shape;
import org.tfq.ir.op.Axis;
import org.tfq.ir.op.Broadcast;
import org.tfq.ir.op.Transpose;
import org.tfq.onnx.proto.Onnx.AttributeProto;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Evaluates ONNX nodes whose inputs are all known: the shape arithmetic PyTorch emits around
 * Reshape and attention (Shape, Gather, Unsqueeze, Concat, ...) and constant subexpressions.
 * The results never reach hardware; they become attributes and weights of IR ops.
 */
final class ConstFolder {

    interface Decoder {
        Const decode(org.tfq.onnx.proto.Onnx.TensorProto t, String what);
    }

    private final Decoder decoder;

    ConstFolder(Decoder decoder) {
        this.decoder = decoder;
    }

    static boolean canFold(String opType) {
        return switch (opType) {
            case "Constant", "Identity", "Dropout", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast",
                    "Reshape", "Expand", "Range", "ConstantOfShape", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt",
                    "Neg", "Equal", "Where", "Transpose", "Floor", "Ceil", "Less", "Greater", "Not", "Min", "Max",
                    "Abs", "Reciprocal", "Flatten", "Size", "Shape", "Erf", "Tanh", "Exp", "Log", "Sigmoid",
                    "Relu", "And", "Or", "Trilu" -> true;
            case "Round" -> true; // fake quantization written as arithmetic, on weights
            default -> false;
        };
    }

    /** Folds one node; {@code in} holds its inputs (null for an omitted optional input). */
    List<Const> fold(NodeProto n, List<Const> in, int opset) {
        Attrs a = new Attrs(n);
        String op = n.getOpType();
        return switch (op) {
            case "Constant" -> List.of(constant(n, a));
            case "Identity", "Dropout" -> List.of(in.get(0));
            case "Shape" -> List.of(shapeOf(in.get(0).dims(), a));
            case "Size" -> List.of(Const.ofLongs(new int[0], in.get(0).size()));
            case "Gather" -> List.of(gather(in.get(0), in.get(1), (int) a.getInt("axis", 0)));
            case "Unsqueeze" -> List.of(unsqueeze(in.get(0), axesOf(a, in, 1, opset >= 13)));
            case "Squeeze" -> List.of(squeeze(in.get(0), axesOf(a, in, 1, opset >= 13)));
            case "Concat" -> List.of(concat(in, (int) a.getInt("axis", 0)));
            case "Slice" -> List.of(slice(in));
            case "Cast" -> List.of(cast(in.get(0), (int) a.getInt("to", DataTypes.FLOAT)));
            case "Reshape" -> List.of(reshapeTo(in.get(0), reshapeTarget(in.get(0).dims(), in.get(1), a.getInt("allowzero", 0) != 0)));
            case "Flatten" -> List.of(reshapeTo(in.get(0), flattenTarget(in.get(0).dims(), (int) a.getInt("axis", 1))));
            case "Expand" -> List.of(expand(in.get(0), in.get(1)));
            case "Range" -> List.of(range(in.get(0), in.get(1), in.get(2)));
            case "ConstantOfShape" -> List.of(constantOfShape(in.get(0), a));
            case "Transpose" -> List.of(transpose(in.get(0), a.getInts("perm")));
            case "Add" -> List.of(binary(in.get(0), in.get(1), Double::sum, false));
            case "Sub" -> List.of(binary(in.get(0), in.get(1), (x, y) -> x - y, false));
            case "Mul" -> List.of(binary(in.get(0), in.get(1), (x, y) -> x * y, false));
            case "Div" -> List.of(binary(in.get(0), in.get(1), in.get(0).isFloat() ? (x, y) -> x / y : ConstFolder::intDiv, false));
            case "Pow" -> List.of(binary(in.get(0), in.get(1), Math::pow, false));
            case "Min" -> List.of(binary(in.get(0), in.get(1), Math::min, false));
            case "Max" -> List.of(binary(in.get(0), in.get(1), Math::max, false));
            case "Equal" -> List.of(binary(in.get(0), in.get(1), (x, y) -> x == y ? 1 : 0, true));
            case "Less" -> List.of(binary(in.get(0), in.get(1), (x, y) -> x < y ? 1 : 0, true));
            case "Greater" -> List.of(binary(in.get(0), in.get(1), (x, y) -> x > y ? 1 : 0, true));
            case "And" -> List.of(binary(in.get(0), in.get(1), (x, y) -> x != 0 && y != 0 ? 1 : 0, true));
            case "Or" -> List.of(binary(in.get(0), in.get(1), (x, y) -> x != 0 || y != 0 ? 1 : 0, true));
            case "Where" -> List.of(where(in.get(0), in.get(1), in.get(2)));
            case "Trilu" -> List.of(trilu(in.get(0), in.size() > 1 && in.get(1) != null ? in.get(1).longAt(0) : 0,
                    a.getInt("upper", 1) != 0));
            case "Sqrt" -> List.of(unary(in.get(0), Math::sqrt));
            case "Neg" -> List.of(unary(in.get(0), x -> -x));
            case "Abs" -> List.of(unary(in.get(0), Math::abs));
            case "Floor" -> List.of(unary(in.get(0), Math::floor));
            case "Ceil" -> List.of(unary(in.get(0), Math::ceil));
            case "Reciprocal" -> List.of(unary(in.get(0), x -> 1 / x));
            case "Not" -> List.of(unary(in.get(0), x -> x == 0 ? 1 : 0));
            case "Erf" -> List.of(unary(in.get(0), org.tfq.ir.op.Erf::erf));
            case "Tanh" -> List.of(unary(in.get(0), Math::tanh));
            case "Exp" -> List.of(unary(in.get(0), Math::exp));
            case "Log" -> List.of(unary(in.get(0), Math::log));
            case "Sigmoid" -> List.of(unary(in.get(0), x -> 1 / (1 + Math.exp(-x))));
            case "Relu" -> List.of(unary(in.get(0), x -> Math.max(x, 0)));
            case "Round" -> List.of(unary(in.get(0), Math::rint));
            default -> throw new IllegalStateException("no folding for " + op);
        };
    }

    private static double intDiv(double x, double y) {
        if (y == 0) throw new OnnxImportException("integer division by zero in constant arithmetic");
        return (long) x / (long) y;
    }

    private Const constant(NodeProto n, Attrs a) {
        for (AttributeProto attr : n.getAttributeList()) {
            switch (attr.getName()) {
                case "value":
                    return decoder.decode(attr.getT(), "Constant node '" + n.getName() + "'");
                case "value_float":
                    return Const.scalar(DataTypes.FLOAT, attr.getF());
                case "value_floats": {
                    double[] v = new double[attr.getFloatsCount()];
                    for (int i = 0; i < v.length; i++) v[i] = attr.getFloats(i);
                    return new Const(new int[] {v.length}, DataTypes.FLOAT, v);
                }
                case "value_int":
                    return Const.scalar(DataTypes.INT64, attr.getI());
                case "value_ints": {
                    long[] v = a.getInts("value_ints");
                    return Const.ofLongs(new int[] {v.length}, v);
                }
                default:
                    break;
            }
        }
        throw new OnnxImportException("Constant node '" + n.getName() + "' has no value tfq can read");
    }

    static Const shapeOf(int[] dims, Attrs a) {
        int r = dims.length;
        int start = (int) a.getInt("start", 0);
        int end = (int) a.getInt("end", r);
        start = clampIndex(start < 0 ? start + r : start, r);
        end = clampIndex(end < 0 ? end + r : end, r);
        long[] v = new long[Math.max(0, end - start)];
        for (int i = 0; i < v.length; i++) v[i] = dims[start + i];
        return Const.ofLongs(new int[] {v.length}, v);
    }

    private static int clampIndex(int i, int r) {
        return Math.max(0, Math.min(r, i));
    }

    static long[] axesOf(Attrs a, List<Const> in, int inputIndex, boolean fromInput) {
        if (fromInput && in.size() > inputIndex && in.get(inputIndex) != null) return in.get(inputIndex).longs();
        return a.getInts("axes");
    }

    static int normAxis(long axis, int rank, String op) {
        long r = axis < 0 ? axis + rank : axis;
        if (r < 0 || r >= rank) throw new OnnxImportException(op + ": axis " + axis + " out of range for rank " + rank);
        return (int) r;
    }

    private static Const gather(Const data, Const idx, int axis) {
        int ax = normAxis(axis, data.rank(), "Gather");
        Axis v = Axis.of(data.shape(), ax);
        int[] od = new int[data.rank() - 1 + idx.rank()];
        int k = 0;
        for (int i = 0; i < ax; i++) od[k++] = data.dims()[i];
        for (int d : idx.dims()) od[k++] = d;
        for (int i = ax + 1; i < data.rank(); i++) od[k++] = data.dims()[i];
        double[] out = new double[v.outer() * idx.size() * v.inner()];
        int p = 0;
        for (int o = 0; o < v.outer(); o++) {
            for (int j = 0; j < idx.size(); j++) {
                long ix = idx.longAt(j);
                if (ix < 0) ix += v.length();
                if (ix < 0 || ix >= v.length()) throw new OnnxImportException("Gather: index " + idx.longAt(j) + " out of range " + v.length());
                for (int i = 0; i < v.inner(); i++) out[p++] = data.get((o * v.length() + (int) ix) * v.inner() + i);
            }
        }
        return new Const(od, data.dataType(), out);
    }

    static int[] unsqueezeDims(int[] dims, long[] axes) {
        int r = dims.length + axes.length;
        boolean[] isNew = new boolean[r];
        for (long ax : axes) {
            int a = normAxis(ax, r, "Unsqueeze");
            if (isNew[a]) throw new OnnxImportException("Unsqueeze: axis " + ax + " repeated");
            isNew[a] = true;
        }
        int[] out = new int[r];
        for (int i = 0, j = 0; i < r; i++) out[i] = isNew[i] ? 1 : dims[j++];
        return out;
    }

    static int[] squeezeDims(int[] dims, long[] axes) {
        boolean[] drop = new boolean[dims.length];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < dims.length; i++) drop[i] = dims[i] == 1;
        } else {
            for (long ax : axes) {
                int a = normAxis(ax, dims.length, "Squeeze");
                if (dims[a] != 1) throw new OnnxImportException("Squeeze: axis " + ax + " has size " + dims[a] + ", not 1");
                drop[a] = true;
            }
        }
        return java.util.stream.IntStream.range(0, dims.length).filter(i -> !drop[i]).map(i -> dims[i]).toArray();
    }

    private static Const unsqueeze(Const c, long[] axes) {
        return new Const(unsqueezeDims(c.dims(), axes), c.dataType(), c.values());
    }

    private static Const squeeze(Const c, long[] axes) {
        return new Const(squeezeDims(c.dims(), axes), c.dataType(), c.values());
    }

    private static Const concat(List<Const> in, int axis) {
        List<Const> parts = in.stream().filter(c -> c != null).toList();
        Const first = parts.get(0);
        int ax = normAxis(axis, first.rank(), "Concat");
        int total = 0;
        for (Const c : parts) {
            if (c.rank() != first.rank()) throw new OnnxImportException("Concat: inputs of different rank");
            total += c.dims()[ax];
        }
        int[] od = first.dims();
        od[ax] = total;
        Axis ov = Axis.of(new Shape(od), ax);
        double[] out = new double[(int) new Shape(od).size()];
        int base = 0;
        for (Const c : parts) {
            Axis v = Axis.of(c.shape(), ax);
            for (int line = 0; line < v.lines(); line++) {
                for (int i = 0; i < v.length(); i++) out[ov.offset(line, base + i)] = c.get(v.offset(line, i));
            }
            base += v.length();
        }
        return new Const(od, first.dataType(), out);
    }

    /** Resolved Slice parameters for one axis: start, end, step, in ONNX's clamping rules. */
    record SliceAxis(int axis, int start, int end, int step) {
        int length() {
            if (step > 0) return Math.max(0, (end - start + step - 1) / step);
            return Math.max(0, (start - end - step - 1) / -step);
        }
    }

    static List<SliceAxis> sliceAxes(int[] dims, List<Const> in) {
        long[] starts = in.get(1).longs();
        long[] ends = in.get(2).longs();
        long[] axes = in.size() > 3 && in.get(3) != null ? in.get(3).longs() : null;
        long[] steps = in.size() > 4 && in.get(4) != null ? in.get(4).longs() : null;
        if (ends.length != starts.length) throw new OnnxImportException("Slice: starts and ends differ in length");
        List<SliceAxis> r = new ArrayList<>();
        for (int i = 0; i < starts.length; i++) {
            int ax = normAxis(axes == null ? i : axes[i], dims.length, "Slice");
            long step = steps == null ? 1 : steps[i];
            if (step == 0) throw new OnnxImportException("Slice: step 0");
            long d = dims[ax];
            long s = starts[i] < 0 ? starts[i] + d : starts[i];
            long e = ends[i] < 0 ? ends[i] + d : ends[i];
            if (step > 0) {
                s = Math.max(0, Math.min(d, s));
                e = Math.max(0, Math.min(d, e));
            } else {
                s = Math.max(-1, Math.min(d - 1, s));
                e = Math.max(-1, Math.min(d - 1, e));
            }
            r.add(new SliceAxis(ax, (int) s, (int) e, (int) step));
        }
        return r;
    }

    private static Const slice(List<Const> in) {
        Const x = in.get(0);
        Const cur = x;
        for (SliceAxis s : sliceAxes(x.dims(), in)) {
            int[] od = cur.dims();
            od[s.axis()] = s.length();
            Axis v = Axis.of(cur.shape(), s.axis());
            Axis o = Axis.of(new Shape(od), s.axis());
            double[] out = new double[(int) new Shape(od).size()];
            for (int line = 0; line < v.lines(); line++) {
                for (int i = 0; i < s.length(); i++) out[o.offset(line, i)] = cur.get(v.offset(line, s.start() + i * s.step()));
            }
            cur = new Const(od, cur.dataType(), out);
        }
        return cur;
    }

    private static Const cast(Const c, int to) {
        double[] v = c.values().clone();
        if (!DataTypes.isFloat(to)) {
            for (int i = 0; i < v.length; i++) v[i] = to == DataTypes.BOOL ? (v[i] != 0 ? 1 : 0) : (double) (long) v[i];
        } else if (to == DataTypes.FLOAT) {
            for (int i = 0; i < v.length; i++) v[i] = (float) v[i];
        }
        return new Const(c.dims(), to, v);
    }

    /** ONNX Reshape's target: 0 copies the input dimension (unless allowzero), -1 is inferred. */
    static int[] reshapeTarget(int[] inDims, Const shape, boolean allowZero) {
        long[] s = shape.longs();
        int[] out = new int[s.length];
        long known = 1;
        int infer = -1;
        long total = 1;
        for (int d : inDims) total *= d;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new OnnxImportException("Reshape: more than one -1 in " + Arrays.toString(s));
                infer = i;
            } else if (s[i] == 0 && !allowZero) {
                if (i >= inDims.length) throw new OnnxImportException("Reshape: 0 at position " + i + " has no input dimension to copy");
                out[i] = inDims[i];
                known *= out[i];
            } else if (s[i] < 0 || s[i] > Integer.MAX_VALUE) {
                throw new OnnxImportException("Reshape: bad dimension " + s[i]);
            } else {
                out[i] = (int) s[i];
                known *= out[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || total % known != 0) throw new OnnxImportException("Reshape: cannot infer -1 reshaping " + Arrays.toString(inDims) + " to " + Arrays.toString(s));
            out[infer] = (int) (total / known);
        } else if (known != total) {
            throw new OnnxImportException("Reshape: " + Arrays.toString(inDims) + " has " + total + " elements, " + Arrays.toString(s) + " needs " + known);
        }
        return out;
    }

    static int[] flattenTarget(int[] dims, int axis) {
        int ax = axis < 0 ? axis + dims.length : axis;
        if (ax < 0 || ax > dims.length) throw new OnnxImportException("Flatten: axis " + axis + " out of range");
        int a = 1, b = 1;
        for (int i = 0; i < dims.length; i++) {
            if (i < ax) a *= dims[i];
            else b *= dims[i];
        }
        return new int[] {a, b};
    }

    private static Const reshapeTo(Const c, int[] dims) {
        return new Const(dims, c.dataType(), c.values());
    }

    static int[] expandDims(int[] dims, Const shape) {
        long[] s = shape.longs();
        int[] target = new int[s.length];
        for (int i = 0; i < s.length; i++) target[i] = (int) s[i];
        return Broadcast.shape(new Shape(dims), new Shape(target)).dims();
    }

    private static Const expand(Const c, Const shape) {
        Shape out = new Shape(expandDims(c.dims(), shape));
        int[] off = Broadcast.offsets(c.shape(), out);
        double[] v = new double[off.length];
        for (int i = 0; i < v.length; i++) v[i] = c.get(off[i]);
        return new Const(out.dims(), c.dataType(), v);
    }

    private static Const range(Const start, Const limit, Const delta) {
        double s = start.get(0), l = limit.get(0), d = delta.get(0);
        if (d == 0) throw new OnnxImportException("Range: delta 0");
        long n = Math.max(0, (long) Math.ceil((l - s) / d));
        if (n > TensorDecoder.MAX_ELEMENTS) throw new OnnxImportException("Range: " + n + " elements is over tfq's limit");
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) v[i] = s + i * d;
        return new Const(new int[] {(int) n}, start.dataType(), v);
    }

    private Const constantOfShape(Const shape, Attrs a) {
        long[] s = shape.longs();
        int[] dims = new int[s.length];
        long n = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0 || s[i] > TensorDecoder.MAX_ELEMENTS) throw new OnnxImportException("ConstantOfShape: bad dimension " + s[i]);
            dims[i] = (int) s[i];
            n *= s[i];
            if (n > TensorDecoder.MAX_ELEMENTS) throw new OnnxImportException("ConstantOfShape: over tfq's size limit");
        }
        AttributeProto value = a.get("value");
        double fill = 0;
        int type = DataTypes.FLOAT;
        if (value != null) {
            Const v = decoder.decode(value.getT(), "ConstantOfShape value");
            fill = v.size() > 0 ? v.get(0) : 0;
            type = v.dataType();
        }
        double[] out = new double[(int) n];
        Arrays.fill(out, fill);
        return new Const(dims, type, out);
    }

    private static Const transpose(Const c, long[] perm) {
        int[] p = new int[c.rank()];
        for (int i = 0; i < p.length; i++) p[i] = perm == null ? p.length - 1 - i : (int) perm[i];
        Transpose t = new Transpose(p);
        int[] src = t.sourceOffsets(c.shape());
        double[] v = new double[src.length];
        for (int i = 0; i < v.length; i++) v[i] = c.get(src[i]);
        return new Const(t.outShape(c.shape()).dims(), c.dataType(), v);
    }

    private static Const binary(Const x, Const y, DoubleBinaryOperator f, boolean toBool) {
        Shape out = Broadcast.shape(x.shape(), y.shape());
        int[] xo = Broadcast.offsets(x.shape(), out);
        int[] yo = Broadcast.offsets(y.shape(), out);
        double[] v = new double[xo.length];
        boolean f32 = x.dataType() == DataTypes.FLOAT && !toBool;
        for (int i = 0; i < v.length; i++) {
            double r = f.applyAsDouble(x.get(xo[i]), y.get(yo[i]));
            v[i] = f32 ? (float) r : r;
        }
        return new Const(out.dims(), toBool ? DataTypes.BOOL : x.dataType(), v);
    }

    private static Const where(Const cond, Const x, Const y) {
        Shape out = Broadcast.shape(Broadcast.shape(cond.shape(), x.shape()), y.shape());
        int[] co = Broadcast.offsets(cond.shape(), out);
        int[] xo = Broadcast.offsets(x.shape(), out);
        int[] yo = Broadcast.offsets(y.shape(), out);
        double[] v = new double[co.length];
        for (int i = 0; i < v.length; i++) v[i] = cond.get(co[i]) != 0 ? x.get(xo[i]) : y.get(yo[i]);
        return new Const(out.dims(), x.dataType(), v);
    }

    /** The upper (j - i >= k) or lower (j - i <= k) triangle of every matrix of the last two axes; zeros elsewhere. */
    private static Const trilu(Const x, long k, boolean upper) {
        int r = x.rank();
        if (r < 2) throw new OnnxImportException("Trilu of a tensor of rank " + r + " (needs at least 2)");
        int rows = x.dims()[r - 2], cols = x.dims()[r - 1];
        double[] v = x.values().clone();
        for (int at = 0; at < v.length; at++) {
            long d = (long) (at % cols) - (at / cols) % rows;
            if (upper ? d < k : d > k) v[at] = 0;
        }
        return new Const(x.dims(), x.dataType(), v);
    }

    private static Const unary(Const x, DoubleUnaryOperator f) {
        double[] v = new double[x.size()];
        boolean f32 = x.dataType() == DataTypes.FLOAT;
        for (int i = 0; i < v.length; i++) {
            double r = f.applyAsDouble(x.get(i));
            v[i] = f32 ? (float) r : r;
        }
        return new Const(x.dims(), x.dataType(), v);
    }
}
