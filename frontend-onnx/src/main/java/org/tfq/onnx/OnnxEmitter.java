package org.tfq.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.AddBatchNorm;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.AxisNorm;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.Concat;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.Gelu;
import org.tfq.ir.op.LayerNorm;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.MaxPool;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.Mul;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Op;
import org.tfq.ir.op.PadConstant;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Select;
import org.tfq.ir.op.Slice;
import org.tfq.ir.op.Softmax;
import org.tfq.ir.op.StridedView;
import org.tfq.ir.op.Sub;
import org.tfq.ir.op.Transpose;
import org.tfq.ir.op.UnaryFunction;
import org.tfq.onnx.proto.Onnx.AttributeProto;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.TensorProto;
import org.tfq.onnx.proto.Onnx.TensorShapeProto;
import org.tfq.onnx.proto.Onnx.TypeProto;
import org.tfq.onnx.proto.Onnx.ValueInfoProto;

/**
 * One float IR graph as ONNX nodes, each op in the standard operators the importer reads back
 * into that op (a fused op into the nodes it was fused from, which the importer and
 * {@code Quantize.FUSIONS} fuse again). The op's node keeps the IR node's name and its output the
 * IR value's name; helper nodes are named {@code <node>/<part>}, so a matched group still has the
 * node's name as its common prefix.
 */
final class OnnxEmitter {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;

    private final Graph g;
    private final int opset;
    private final GraphProto.Builder out = GraphProto.newBuilder();
    private final Set<String> taken = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();

    OnnxEmitter(Graph g, int opset) {
        this.g = g;
        this.opset = opset;
        g.inputs().forEach(v -> taken.add(v.name()));
        g.nodes().forEach(n -> taken.add(n.output().name()));
    }

    GraphProto emit() {
        out.setName(g.name());
        for (Value v : g.inputs()) out.addInput(valueInfo(v));
        List<String> problems = new ArrayList<>();
        for (Node n : g.nodes()) {
            try {
                if (!(n.op() instanceof FloatOp) || !n.output().type().isFloat()) {
                    problems.add("node " + n.name() + " (" + n.op().mnemonic() + "): an integer op; write the float graph, before lowering");
                } else if (!node(n)) {
                    problems.add("node " + n.name() + " (" + n.op().mnemonic() + "): no ONNX form in tfq's writer");
                }
            } catch (IllegalArgumentException e) {
                problems.add("node " + n.name() + " (" + n.op().mnemonic() + "): " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("cannot write graph " + g.name() + " as ONNX:\n" + String.join("\n", problems));
        for (Value v : g.outputs()) out.addOutput(valueInfo(v));
        return out.build();
    }

    /** Emits the nodes of one IR node; false if the op has no ONNX form here. */
    private boolean node(Node n) {
        Op op = n.op();
        String name = n.name(), y = n.output().name();
        List<String> x = n.inputs().stream().map(Value::name).toList();
        Shape in = n.inputs().isEmpty() ? null : n.input(0).type().shape();
        if (op instanceof Linear l) linear(name, x.get(0), l, y);
        else if (op instanceof MatMul m) matmul(name, x, n.input(1).type().shape().rank(), m, y);
        else if (op instanceof FakeQuant f && f.spec().bits() > 8) quantizeArithmetic(name, x.get(0), f.spec(), y);
        else if (op instanceof FakeQuant f) quantize(name, x.get(0), f.spec(), -1, y);
        else if (op instanceof Softmax s) softmax(name, x.get(0), in, s, y);
        else if (op instanceof LayerNorm l) {
            node("LayerNormalization", name, List.of(x.get(0), floats(y + "/gamma", l.gamma()), floats(y + "/beta", l.beta())), y,
                    attr("axis", -1), attr("epsilon", (float) l.epsilon()));
        } else if (op instanceof AxisNorm a) axisNorm(name, x.get(0), in.axis(a.axis()), a.epsilon(), y);
        else if (op instanceof BatchNorm b) batchNorm(name, x.get(0), in, b, y);
        else if (op instanceof AddBatchNorm ab) {
            String sum = fresh(y + "/sum");
            node("Add", name + "/add", x, sum);
            batchNorm(name, sum, n.output().type().shape(), ab.after(), y);
        } else if (op instanceof Gelu ge) gelu(name, x.get(0), ge.tanhApproximation(), y);
        else if (op instanceof Relu) node("Relu", name, x, y);
        else if (op instanceof Add) node("Add", name, x, y);
        else if (op instanceof Sub) node("Sub", name, x, y);
        else if (op instanceof Mul) node("Mul", name, x, y);
        else if (op instanceof AddConstant c) node("Add", name, List.of(x.get(0), floats(y + "/constant", c.constant())), y);
        else if (op instanceof MulConstant c) node("Mul", name, List.of(x.get(0), floats(y + "/constant", c.constant())), y);
        else if (op instanceof MeanPool p) reduce("ReduceMean", name, x.get(0), in.axis(p.axis()), p.keepDims(), y);
        else if (op instanceof MaxPool p) reduce(p.minimum() ? "ReduceMin" : "ReduceMax", name, x.get(0), in.axis(p.axis()), p.keepDims(), y);
        else if (op instanceof UnaryFunction u) node(u.kind() == UnaryFunction.Kind.SQRT ? "Sqrt" : "Reciprocal", name, x, y);
        else if (op instanceof Concat c) node("Concat", name, x, y, attr("axis", in.axis(c.axis())));
        else if (op instanceof PadConstant p) pad(name, x.get(0), in, p, y);
        else if (op instanceof Reshape r) node("Reshape", name, List.of(x.get(0), ints(y + "/shape", longs(r.target().dims()))), y);
        else if (op instanceof Transpose t) node("Transpose", name, x, y, attr("perm", longs(t.perm())));
        else if (op instanceof Slice s) {
            int a = in.axis(s.axis());
            node("Slice", name, List.of(x.get(0), ints(y + "/starts", s.start()), ints(y + "/ends", s.end()), ints(y + "/axes", a)), y);
        } else if (op instanceof Select s) {
            node("Gather", name, List.of(x.get(0), scalarInt(y + "/index", s.index())), y, attr("axis", in.axis(s.axis())));
        } else if (op instanceof StridedView v) stridedView(name, x.get(0), in, v, y);
        else return false;
        return true;
    }

    // ---------------------------------------------------------------- ops of several nodes

    private void linear(String name, String x, Linear l, String y) {
        int outF = l.outFeatures(), inF = l.inFeatures();
        float[] w = l.weight().data();
        float[] wt = new float[w.length];
        // ONNX MatMul multiplies by W^T [in, out]: the output channel is axis 1 there
        for (int o = 0; o < outF; o++) for (int i = 0; i < inF; i++) wt[i * outF + o] = w[o * inF + i];
        String weight = floats(y + "/weight", new FloatTensor(Shape.of(inF, outF), wt));
        QuantSpec q = l.weightQuant();
        if (q != null) {
            for (int o = 0; o < outF; o++) {
                for (int i = 0; i < inF; i++) {
                    float v = w[o * inF + i];
                    if (q.fakeQuantize(v, o) != v) {
                        throw new IllegalArgumentException("weight [" + o + ", " + i + "] = " + v + " is not on its grid " + q
                                + "; round the weights to weightQuant before writing");
                    }
                }
            }
            String dq = fresh(y + "/weight_dq");
            quantize(name + "/weight_quant", weight, q.perTensor() ? q : q.withAxis(1), 1, dq);
            weight = dq;
        }
        boolean more = l.bias() != null || l.addend() != null || l.relu();
        String cur = more ? fresh(y + "/matmul") : y;
        node("MatMul", name, List.of(x, weight), cur);
        if (l.bias() != null) {
            String next = l.addend() != null || l.relu() ? fresh(y + "/biased") : y;
            node("Add", name + "/bias", List.of(cur, floats(y + "/bias", l.bias())), next);
            cur = next;
        }
        if (l.addend() != null) {
            String next = l.relu() ? fresh(y + "/added") : y;
            node("Add", name + "/addend", List.of(cur, floats(y + "/addend", l.addend())), next);
            cur = next;
        }
        if (l.relu()) node("Relu", name + "/relu", List.of(cur), y);
    }

    private void matmul(String name, List<String> x, int rank, MatMul m, String y) {
        String b = x.get(1);
        if (m.transposeB()) {
            long[] perm = new long[rank];
            for (int i = 0; i < rank; i++) perm[i] = i;
            perm[rank - 2] = rank - 1;
            perm[rank - 1] = rank - 2;
            String bt = fresh(y + "/b_transposed");
            node("Transpose", name + "/transpose_b", List.of(b), bt, attr("perm", perm));
            b = bt;
        }
        node("MatMul", name, List.of(x.get(0), b), y);
    }

    /**
     * QuantizeLinear, a Clip when the codes are narrower than their ONNX type (how QCDQ states
     * 2..7-bit widths), DequantizeLinear; {@code axis} is the channel axis of a per-channel spec.
     */
    private void quantize(String name, String x, QuantSpec q, int axis, String y) {
        int type = codeType(q);
        long typeMin = q.signed() ? -(1L << (codeBits(q) - 1)) : 0, typeMax = q.signed() ? (1L << (codeBits(q) - 1)) - 1 : (1L << codeBits(q)) - 1;
        int channels = q.scale().length;
        float[] s = new float[channels];
        for (int i = 0; i < channels; i++) s[i] = (float) q.scale()[i];
        String scale = q.perTensor() ? floats(y + "/scale", FloatTensor.scalar(s[0])) : floats(y + "/scale", new FloatTensor(Shape.of(channels), s));
        String zero = codes(y + "/zero_point", type, q.zeroPoint(), q.perTensor() ? new long[0] : new long[] {channels});
        AttributeProto[] ax = q.perTensor() ? new AttributeProto[0] : new AttributeProto[] {attr("axis", axis)};
        String codes = fresh(y + "/codes");
        node("QuantizeLinear", name + "/quantize", List.of(x, scale, zero), codes, ax);
        if (q.qmin() > typeMin || q.qmax() < typeMax) {
            // ONNX Runtime clips 8-, 32- and 64-bit integers only: 16-bit codes are clipped as int32
            boolean widen = codeBits(q) == 16;
            int clipType = widen ? TensorProto.DataType.INT32_VALUE : type;
            if (widen) {
                String wide = fresh(y + "/codes_int32");
                node("Cast", name + "/cast_int32", List.of(codes), wide, attr("to", clipType));
                codes = wide;
            }
            String clipped = fresh(y + "/clipped");
            node("Clip", name + "/clip", List.of(codes, codes(y + "/qmin", clipType, new long[] {q.qmin()}),
                    codes(y + "/qmax", clipType, new long[] {q.qmax()})), clipped);
            codes = clipped;
            if (widen) {
                String narrow = fresh(y + "/codes_int16");
                node("Cast", name + "/back_to_16", List.of(codes), narrow, attr("to", type));
                codes = narrow;
            }
        }
        node("DequantizeLinear", name + "/dequantize", List.of(codes, scale, zero), y, ax);
    }

    /**
     * An activation quantizer wider than 8 bits (a forecast's 16-bit codes) as arithmetic: Div by
     * the scale, Round, Add the zero point, Clip to the codes, Sub the zero point, Mul by the scale.
     * QuantizeLinear takes 16-bit codes only from opset 21 (ONNX Runtime 1.18, onnx 1.16), and this
     * form keeps the file at opset 17; it computes what QuantizeLinear/DequantizeLinear compute, with
     * the same half-to-even rounding, and the importer reads it back as the same quantization point.
     */
    private void quantizeArithmetic(String name, String x, QuantSpec q, String y) {
        String scale = floats(y + "/scale", FloatTensor.scalar((float) q.scale()[0]));
        long z = q.zeroPoint()[0];
        String scaled = fresh(y + "/scaled");
        node("Div", name + "/divide", List.of(x, scale), scaled);
        String codes = fresh(y + "/rounded");
        node("Round", name + "/round", List.of(scaled), codes);
        String zero = z == 0 ? null : floats(y + "/zero_point", FloatTensor.scalar(z));
        if (zero != null) {
            String shifted = fresh(y + "/codes");
            node("Add", name + "/add_zero_point", List.of(codes, zero), shifted);
            codes = shifted;
        }
        String clipped = fresh(y + "/clipped");
        node("Clip", name + "/clip", List.of(codes, floats(y + "/qmin", FloatTensor.scalar(q.qmin())),
                floats(y + "/qmax", FloatTensor.scalar(q.qmax()))), clipped);
        codes = clipped;
        if (zero != null) {
            String centred = fresh(y + "/centred");
            node("Sub", name + "/sub_zero_point", List.of(codes, zero), centred);
            codes = centred;
        }
        node("Mul", name + "/dequantize", List.of(codes, scale), y);
    }

    private static int codeBits(QuantSpec q) {
        if (q.bits() <= 8) return 8;
        if (q.bits() <= 16) return 16;
        throw new IllegalArgumentException("codes of " + q.bits() + " bits have no ONNX QuantizeLinear type (at most 16)");
    }

    private static int codeType(QuantSpec q) {
        boolean wide = codeBits(q) == 16;
        return (q.signed() ? (wide ? TensorProto.DataType.INT16 : TensorProto.DataType.INT8)
                : (wide ? TensorProto.DataType.UINT16 : TensorProto.DataType.UINT8)).getNumber();
    }

    /** A causal mask as the additive mask nn.Transformer exports: -inf where masked, 0 elsewhere, then the softmax. */
    private void softmax(String name, String x, Shape in, Softmax s, String y) {
        int axis = in.axis(s.axis());
        if (s.mask().none()) {
            node("Softmax", name, List.of(x), y, attr("axis", axis));
            return;
        }
        int rows = in.dim(axis - 1), cols = in.dim(axis);
        int[] dims = new int[in.rank() - axis + 1];
        java.util.Arrays.fill(dims, 1);
        dims[0] = rows;
        dims[1] = cols;
        float[] m = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = s.mask().valid(i, cols); j < cols; j++) m[i * cols + j] = Float.NEGATIVE_INFINITY;
        }
        String masked = fresh(y + "/masked");
        node("Add", name + "/mask", List.of(x, floats(y + "/mask", new FloatTensor(new Shape(dims), m))), masked);
        node("Softmax", name, List.of(masked), y, attr("axis", axis));
    }

    /** RevIN's arithmetic, which the importer recognises as one axis_norm: (x - mean) / sqrt(mean((x - mean)^2) + eps). */
    private void axisNorm(String name, String x, int axis, double epsilon, String y) {
        String mean = fresh(y + "/mean"), centred = fresh(y + "/centred"), square = fresh(y + "/square");
        String variance = fresh(y + "/variance"), shifted = fresh(y + "/variance_eps"), sd = fresh(y + "/stdev");
        reduce("ReduceMean", name + "/mean", x, axis, true, mean);
        node("Sub", name + "/centre", List.of(x, mean), centred);
        node("Mul", name + "/square", List.of(centred, centred), square);
        reduce("ReduceMean", name + "/variance", square, axis, true, variance);
        node("Add", name + "/epsilon", List.of(variance, floats(y + "/epsilon", FloatTensor.scalar((float) epsilon))), shifted);
        node("Sqrt", name + "/sqrt", List.of(shifted), sd);
        node("Div", name, List.of(centred, sd), y);
    }

    /**
     * BatchNormalization with mean 0 and variance 1 on channel axis 1 (the importer folds it back
     * to exactly this scale and shift); on another axis, the same affine map as Mul and Add.
     */
    private void batchNorm(String name, String x, Shape in, BatchNorm b, String y) {
        int axis = in.axis(b.axis()), c = b.scale().shape().dim(0);
        if (axis == 1) {
            float[] ones = new float[c];
            java.util.Arrays.fill(ones, 1f);
            node("BatchNormalization", name, List.of(x, floats(y + "/scale", b.scale()), floats(y + "/shift", b.shift()),
                    floats(y + "/mean", FloatTensor.zeros(Shape.of(c))), floats(y + "/var", new FloatTensor(Shape.of(c), ones))), y,
                    attr("epsilon", 0f));
            return;
        }
        int[] dims = new int[in.rank() - axis];
        java.util.Arrays.fill(dims, 1);
        dims[0] = c;
        String scaled = fresh(y + "/scaled");
        node("Mul", name + "/scale", List.of(x, floats(y + "/scale", b.scale().reshape(new Shape(dims)))), scaled);
        node("Add", name, List.of(scaled, floats(y + "/shift", b.shift().reshape(new Shape(dims)))), y);
    }

    /** GELU written out as PyTorch exports it: erf, or the tanh approximation. */
    private void gelu(String name, String x, boolean tanh, String y) {
        String inner;
        if (tanh) {
            String cube = fresh(y + "/cube"), cubic = fresh(y + "/cubic"), sum = fresh(y + "/sum"), arg = fresh(y + "/arg");
            inner = fresh(y + "/tanh");
            node("Pow", name + "/pow", List.of(x, floats(y + "/three", FloatTensor.scalar(3f))), cube);
            node("Mul", name + "/cubic", List.of(cube, floats(y + "/c", FloatTensor.scalar(0.044715f))), cubic);
            node("Add", name + "/sum", List.of(x, cubic), sum);
            node("Mul", name + "/scale", List.of(sum, floats(y + "/sqrt_2_over_pi", FloatTensor.scalar((float) Math.sqrt(2 / Math.PI)))), arg);
            node("Tanh", name + "/tanh", List.of(arg), inner);
        } else {
            String scaled = fresh(y + "/scaled");
            inner = fresh(y + "/erf");
            node("Div", name + "/div", List.of(x, floats(y + "/sqrt2", FloatTensor.scalar((float) Math.sqrt(2)))), scaled);
            node("Erf", name + "/erf", List.of(scaled), inner);
        }
        String plus = fresh(y + "/plus_one"), prod = fresh(y + "/product");
        node("Add", name + "/add", List.of(inner, floats(y + "/one", FloatTensor.scalar(1f))), plus);
        node("Mul", name + "/mul", List.of(x, plus), prod);
        // every node of the group under the GELU's name, which the importer takes as their common prefix
        node("Mul", name + "/half", List.of(prod, floats(y + "/half", FloatTensor.scalar(0.5f))), y);
    }

    /** ReduceMean/Max/Min over one axis: axes an attribute before opset 18, an input from 18. */
    private void reduce(String opType, String name, String x, int axis, boolean keepDims, String y) {
        AttributeProto keep = attr("keepdims", keepDims ? 1 : 0);
        if (opset >= 18) node(opType, name, List.of(x, ints(y + "/axes", axis)), y, keep);
        else node(opType, name, List.of(x), y, attr("axes", new long[] {axis}), keep);
    }

    private void pad(String name, String x, Shape in, PadConstant p, String y) {
        int a = in.axis(p.axis());
        long[] pads = new long[2 * in.rank()];
        pads[a] = p.before();
        pads[a + in.rank()] = p.after();
        node("Pad", name, List.of(x, ints(y + "/pads", pads), floats(y + "/value", FloatTensor.scalar(p.value()))), y,
                attr("mode", "constant"));
    }

    /**
     * A broadcast as Expand, a slice with steps along one axis as a Gather, a window view as the
     * stack of slices PatchTST's export writes (the importer reads it back as a concat of slices,
     * not as one view), a slice with steps along several axes as Slice; any other affine index
     * map as a Gather of the flattened input.
     */
    private void stridedView(String name, String x, Shape in, StridedView v, String y) {
        Shape t = v.target();
        if (expandOf(in, v)) {
            node("Expand", name, List.of(x, ints(y + "/shape", longs(t.dims()))), y);
            return;
        }
        if (alongOneAxis(name, x, in, v, y)) return;
        if (window(name, x, in, v, y)) return;
        if (stridedSlice(name, x, in, v, y)) return;
        String flat = fresh(y + "/flattened");
        node("Reshape", name + "/flatten", List.of(x, ints(y + "/flat_shape", in.size())), flat);
        int[] src = v.sourceOffsets(in);
        long[] idx = new long[src.length];
        for (int i = 0; i < src.length; i++) idx[i] = src[i];
        String index = ints(y + "/index", idx);
        if (t.rank() != 1) {
            String shaped = fresh(y + "/index_shaped");
            // a constant subgraph: the importer folds it
            node("Reshape", name + "/index_shape", List.of(index, ints(y + "/index_dims", longs(t.dims()))), shaped);
            index = shaped;
        }
        node("Gather", name, List.of(flat, index), y, attr("axis", 0));
    }

    private static boolean expandOf(Shape in, StridedView v) {
        try {
            return v.equals(StridedView.expand(in, v.target()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Elements start, start + step, .. of one axis (step 0 repeats one, as edge padding does):
     * a Gather of those indices, which the importer reads back as this very view.
     */
    private boolean alongOneAxis(String name, String x, Shape in, StridedView v, String y) {
        int[][] c = v.coef();
        Shape t = v.target();
        if (t.rank() != in.rank()) return false;
        int axis = -1;
        for (int a = 0; a < in.rank(); a++) {
            for (int k = 0; k < t.rank(); k++) if (k != a && c[a][k] != 0) return false;
            if (c[a][a] == 1 && v.start()[a] == 0 && t.dim(a) == in.dim(a)) continue;
            if (axis >= 0) return false;
            axis = a;
        }
        if (axis < 0 || t.dim(axis) < 2) return false;
        long[] idx = new long[t.dim(axis)];
        for (int i = 0; i < idx.length; i++) idx[i] = v.start()[axis] + (long) i * c[axis][axis];
        node("Gather", name, List.of(x, ints(y + "/indices", idx)), y, attr("axis", axis));
        return true;
    }

    private boolean window(String name, String x, Shape in, StridedView v, String y) {
        int[][] c = v.coef();
        for (int a = 0; a < in.rank(); a++) {
            for (int k = 0; k + 1 < v.target().rank(); k++) {
                if (c[a][k] <= 0 || c[a][k + 1] <= 0) continue;
                int windows = v.target().dim(k), size = v.target().dim(k + 1), stride = c[a][k], dilation = c[a][k + 1];
                int s0 = v.start()[a];
                StridedView w;
                try {
                    w = StridedView.window(in, a, size, stride, dilation);
                } catch (RuntimeException e) {
                    continue;
                }
                int[] start = new int[in.rank()];
                start[a] = s0;
                if (!w.target().equals(v.target()) || !java.util.Arrays.deepEquals(w.coef(), c) || !java.util.Arrays.equals(v.start(), start)) continue;
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < windows; i++) {
                    String slice = fresh(y + "/window" + i), stacked = fresh(y + "/window" + i + "/stacked");
                    long from = s0 + (long) i * stride;
                    node("Slice", name + "/window" + i, List.of(x, ints(y + "/window" + i + "/starts", from),
                            ints(y + "/window" + i + "/ends", from + (long) (size - 1) * dilation + 1), ints(y + "/window" + i + "/axes", a),
                            ints(y + "/window" + i + "/steps", dilation)), slice);
                    node("Unsqueeze", name + "/window" + i + "/stack", List.of(slice, ints(y + "/window" + i + "/axis", k)), stacked);
                    parts.add(stacked);
                }
                node("Concat", name, parts, y, attr("axis", k));
                return true;
            }
        }
        return false;
    }

    private boolean stridedSlice(String name, String x, Shape in, StridedView v, String y) {
        int[][] c = v.coef();
        Shape t = v.target();
        if (t.rank() != in.rank()) return false;
        List<Long> starts = new ArrayList<>(), ends = new ArrayList<>(), axes = new ArrayList<>(), steps = new ArrayList<>();
        boolean broadcast = false;
        for (int a = 0; a < in.rank(); a++) {
            for (int k = 0; k < t.rank(); k++) if (k != a && c[a][k] != 0) return false;
            int step = c[a][a], start = v.start()[a], count = t.dim(a);
            if (step == 1 && start == 0 && count == in.dim(a)) continue;
            if (step == 0) broadcast = true;
            // a repeated element (step 0, edge padding) is the slice of that element, expanded
            long end = step == 0 ? start + 1L : start + (long) step * count;
            starts.add((long) start);
            ends.add(end < 0 ? Long.MIN_VALUE : end);
            axes.add((long) a);
            steps.add(step == 0 ? 1L : step);
        }
        String sliced = broadcast ? fresh(y + "/element") : y;
        node("Slice", broadcast ? name + "/element" : name, List.of(x, ints(y + "/starts", unbox(starts)), ints(y + "/ends", unbox(ends)),
                ints(y + "/axes", unbox(axes)), ints(y + "/steps", unbox(steps))), sliced);
        if (broadcast) node("Expand", name, List.of(sliced, ints(y + "/shape", longs(t.dims()))), y);
        return true;
    }

    // ---------------------------------------------------------------- protobuf

    private String fresh(String base) {
        String n = base;
        for (int i = 2; !taken.add(n); i++) n = base + "_" + i;
        return n;
    }

    private void node(String opType, String name, List<String> inputs, String output, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(uniqueNodeName(name)).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attrs) n.addAttribute(a);
        out.addNode(n);
    }

    /**
     * ONNX Runtime refuses two nodes of one name, which the IR allows (the nodes of one source
     * group share it): a repeat gets a suffix on its last part, so that the parts of a group
     * still differ right after their common prefix, which the importer names the group by.
     */
    private String uniqueNodeName(String name) {
        String n = name;
        for (int i = 2; !nodeNames.add(n); i++) n = name + "." + i;
        return n;
    }

    private String floats(String base, FloatTensor t) {
        String name = fresh(base);
        ByteBuffer b = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.data()) b.putFloat(v);
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(FLOAT).setRawData(ByteString.copyFrom(b.array()));
        for (int d : t.shape().dims()) p.addDims(d);
        out.addInitializer(p);
        return name;
    }

    /** A 1-D int64 tensor. */
    private String ints(String base, long... values) {
        String name = fresh(base);
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length);
        for (long v : values) p.addInt64Data(v);
        out.addInitializer(p);
        return name;
    }

    private String scalarInt(String base, long value) {
        String name = fresh(base);
        out.addInitializer(TensorProto.newBuilder().setName(name).setDataType(INT64).addInt64Data(value));
        return name;
    }

    /** Codes of an 8-, 16- or 32-bit type, little-endian raw data. */
    private String codes(String base, int type, long[] values, long... dims) {
        String name = fresh(base);
        int width = type == TensorProto.DataType.INT32_VALUE ? 4
                : type == TensorProto.DataType.INT16_VALUE || type == TensorProto.DataType.UINT16_VALUE ? 2 : 1;
        ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            if (width == 4) b.putInt((int) v);
            else if (width == 2) b.putShort((short) v);
            else b.put((byte) v);
        }
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) p.addDims(d);
        out.addInitializer(p);
        return name;
    }

    private static ValueInfoProto valueInfo(Value v) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d : v.type().shape().dims()) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(v.name())
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(s))).build();
    }

    private static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    private static AttributeProto attr(String name, long[] v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    private static long[] longs(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) l[i] = v[i];
        return l;
    }

    private static long[] unbox(List<Long> v) {
        return v.stream().mapToLong(Long::longValue).toArray();
    }
}
