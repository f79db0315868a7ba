package org.tfq.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IrException;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.io.SafeText;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.Gelu;
import org.tfq.ir.op.LayerNorm;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Select;
import org.tfq.ir.op.Slice;
import org.tfq.ir.op.Softmax;
import org.tfq.ir.op.StridedView;
import org.tfq.ir.op.Transpose;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Walks the ONNX nodes in topological order and emits the float IR: known tensors are folded
 * (lazily, so patterns can ask for a constant before its node is visited), activations become IR
 * values, and multi-node idioms (LayerNorm decompositions, GELU in any algebraic form, MatMul
 * followed by a bias Add, K transposed into Q K^T) collapse into single IR ops.
 */
final class GraphBuilder {

    private final String file;
    private final OnnxGraph g;
    private final int opset;

    int opset() {
        return opset;
    }
    private final ConstFolder folder;
    private final Map<String, Const> consts;
    /** Quantization of constants that came through Q/DQ or Quant nodes (QAT weights), by tensor name. */
    private final Map<String, QuantSpec> constQuant = new HashMap<>();
    private final Map<String, Value> acts = new HashMap<>();
    /** Tensors downstream of an unsupported node: not reported again. */
    private final Set<String> poisoned = new HashSet<>();
    private final Set<NodeProto> absorbed = new HashSet<>();
    private final List<Node> ir = new ArrayList<>();
    private final Map<String, Integer> irIndexOfValue = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    /** Nodes of elementwise regions found linear: ElementwiseRegion does not grow their (smaller) regions again. */
    final Set<NodeProto> linearElementwise = new HashSet<>();

    GraphBuilder(String file, OnnxGraph g, int opset, ConstFolder folder, Map<String, Const> initializers) {
        this.file = file;
        this.g = g;
        this.opset = opset;
        this.folder = folder;
        this.consts = new HashMap<>(initializers);
    }

    void defineInput(Value v) {
        acts.put(v.name(), v);
    }

    List<String> problems() {
        return problems;
    }

    Value activation(String name) {
        return acts.get(name);
    }

    boolean isPoisoned(String name) {
        return poisoned.contains(name);
    }

    List<Node> nodes() {
        List<Node> r = new ArrayList<>();
        for (Node n : ir) if (n != null) r.add(n);
        return r;
    }

    void run() {
        for (NodeProto n : g.nodes) {
            if (absorbed.contains(n)) continue;
            if (n.getInputList().stream().anyMatch(poisoned::contains)) {
                // downstream of a problem: reported only if it is a problem of its own, whatever its inputs
                String why = unsupportedAnywhere(n);
                if (why != null) unsupported(n, why);
                else poison(n);
                continue;
            }
            if (allOutputsKnown(n)) continue;
            String malformed = Arity.check(n);
            if (malformed != null) {
                unsupported(n, "malformed: " + malformed);
                continue;
            }
            try {
                if (tryFold(n)) continue;
                translate(n);
            } catch (IrException e) {
                unsupported(n, e.getMessage());
            } catch (RuntimeException e) {
                // an attribute or constant out of the range the op allows (an index, a perm, an axis)
                unsupported(n, "malformed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        }
    }

    private boolean allOutputsKnown(NodeProto n) {
        for (String o : n.getOutputList()) if (!o.isEmpty() && !consts.containsKey(o) && !acts.containsKey(o)) return false;
        return true;
    }

    private void poison(NodeProto n) {
        n.getOutputList().forEach(poisoned::add);
    }

    private void unsupported(NodeProto n, String why) {
        problems.add(describe(n) + ": " + why);
        poison(n);
    }

    String describe(NodeProto n) {
        String domain = n.getDomain().isEmpty() ? "ai.onnx" : n.getDomain();
        // the name and op come from the file: printable, so that the message stays one line per problem
        return file + ": node '" + SafeText.printable(n.getName()) + "' (op " + SafeText.printable(n.getOpType()) + ", domain "
                + SafeText.printable(domain) + ", opset " + opset + ")";
    }

    // ---------------------------------------------------------------- constants

    /** The value of {@code name} if it is known at import time, folding its producers as needed. */
    Const constOf(String name) {
        if (name.isEmpty()) return null;
        Const c = consts.get(name);
        if (c != null) return c;
        if (acts.containsKey(name) || poisoned.contains(name)) return null;
        NodeProto p = g.producer.get(name);
        if (p == null || Arity.check(p) != null || !tryFold(p)) return null;
        return consts.get(name);
    }

    private boolean tryFold(NodeProto n) {
        if (isQuantNode(n)) return tryFoldQuant(n);
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) return false;
        String op = n.getOpType();
        if (op.equals("Shape") || op.equals("Size")) {
            Value v = acts.get(n.getInput(0));
            if (v != null) {
                Shape s = v.type().shape();
                Const c = op.equals("Shape") ? ConstFolder.shapeOf(s.dims(), new Attrs(n))
                        : Const.ofLongs(new int[0], s.size());
                consts.put(n.getOutput(0), c);
                return true;
            }
        }
        if (!ConstFolder.canFold(op)) return false;
        List<Const> in = new ArrayList<>();
        for (String i : n.getInputList()) {
            if (i.isEmpty()) {
                in.add(null);
                continue;
            }
            Const c = constOf(i);
            if (c == null) return false;
            in.add(c);
        }
        List<Const> out;
        try {
            out = folder.fold(n, in, opset);
        } catch (IrException | IllegalArgumentException e) {
            throw new OnnxImportException(describe(n) + ": " + e.getMessage());
        }
        for (int i = 0; i < out.size() && i < n.getOutputCount(); i++) {
            if (!n.getOutput(i).isEmpty()) consts.put(n.getOutput(i), out.get(i));
        }
        propagateConstQuant(n);
        QuantSpec arithmetic = ArithmeticFakeQuant.weight(this, g, n);
        if (arithmetic != null) constQuant.put(n.getOutput(0), arithmetic);
        return true;
    }

    private static boolean isQuantNode(NodeProto n) {
        boolean onnx = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
        return QuantNodes.isQonnxQuant(n) || QuantNodes.isQonnx(n, "BipolarQuant") || onnx && (n.getOpType().equals("QuantizeLinear")
                || n.getOpType().equals("DequantizeLinear") || n.getOpType().equals("Clip"));
    }

    /** Quantized weights: fold them, and remember the quantization they were trained with. */
    private boolean tryFoldQuant(NodeProto n) {
        Const x = constOf(n.getInput(0));
        if (x == null) return false;
        Const p1 = n.getInputCount() > 1 ? constOf(n.getInput(1)) : null;
        Const p2 = n.getInputCount() > 2 ? constOf(n.getInput(2)) : null;
        String out = n.getOutput(0);
        try {
            switch (n.getOpType()) {
                case "QuantizeLinear" -> {
                    QuantSpec q = QuantNodes.quantizeLinear(n, p1, p2, x.rank());
                    double[] codes = new double[x.size()];
                    for (int i = 0; i < codes.length; i++) codes[i] = q.quantize((float) x.get(i), channel(x, q, i));
                    consts.put(out, new Const(x.dims(), p2 == null ? org.tfq.onnx.proto.Onnx.TensorProto.DataType.UINT8_VALUE : p2.dataType(), codes));
                    constQuant.put(out, q);
                }
                case "Clip" -> {
                    double lo = p1 == null ? Double.NEGATIVE_INFINITY : p1.get(0);
                    double hi = p2 == null ? Double.POSITIVE_INFINITY : p2.get(0);
                    double[] v = x.values().clone();
                    for (int i = 0; i < v.length; i++) v[i] = Math.max(lo, Math.min(hi, v[i]));
                    consts.put(out, new Const(x.dims(), x.dataType(), v));
                    QuantSpec q = constQuant.get(n.getInput(0));
                    if (q != null) constQuant.put(out, QuantNodes.clip(q, p1, p2));
                }
                case "DequantizeLinear" -> {
                    QuantSpec q = QuantNodes.quantizeLinear(n, p1, p2, x.rank());
                    QuantSpec codes = constQuant.get(n.getInput(0));
                    if (codes != null) q = QuantSpec.fromRange(q.scale(), q.zeroPoint(), q.axis(), codes.qmin(), codes.qmax());
                    double[] v = new double[x.size()];
                    for (int i = 0; i < v.length; i++) v[i] = q.dequantize((long) x.get(i), channel(x, q, i));
                    consts.put(out, new Const(x.dims(), DataTypes.FLOAT, v));
                    constQuant.put(out, q);
                }
                case "BipolarQuant" -> consts.put(out, QuantNodes.bipolar(x, p1, constQuant, out));
                default -> {
                    Const bw = n.getInputCount() > 3 ? constOf(n.getInput(3)) : null;
                    QuantSpec q = QuantNodes.qonnx(n, p1, p2, bw, x.rank());
                    consts.put(out, QuantNodes.fakeQuantize(x, q));
                    constQuant.put(out, q);
                }
            }
        } catch (IrException e) {
            throw new OnnxImportException(describe(n) + ": " + e.getMessage());
        }
        return true;
    }

    private static int channel(Const x, QuantSpec q, int flatIndex) {
        if (q.perTensor()) return 0;
        int[] d = x.dims();
        int inner = 1;
        for (int i = q.axis() + 1; i < d.length; i++) inner *= d[i];
        return (flatIndex / inner) % d[q.axis()];
    }

    /** Layout ops on a quantized weight keep its quantization, the channel axis moving with it. */
    private void propagateConstQuant(NodeProto n) {
        if (n.getInputCount() == 0) return;
        QuantSpec q = constQuant.get(n.getInput(0));
        if (q == null) return;
        switch (n.getOpType()) {
            case "Identity" -> constQuant.put(n.getOutput(0), q);
            case "Cast" -> {
                int to = (int) new Attrs(n).getInt("to", DataTypes.FLOAT);
                if (to == DataTypes.FLOAT || QuantNodes.castKeepsCodes(q, to)) constQuant.put(n.getOutput(0), q);
            }
            case "Transpose" -> {
                long[] perm = new Attrs(n).getInts("perm");
                int rank = consts.get(n.getOutput(0)).rank();
                int axis = -1;
                for (int i = 0; i < rank && !q.perTensor(); i++) {
                    int src = perm == null ? rank - 1 - i : (int) perm[i];
                    if (src == q.axis()) axis = i;
                }
                constQuant.put(n.getOutput(0), q.withAxis(axis));
            }
            case "Reshape", "Unsqueeze", "Squeeze", "Flatten" -> {
                if (q.perTensor()) constQuant.put(n.getOutput(0), q);
            }
            default -> { }
        }
    }

    Const requireConst(NodeProto n, int input, String what) {
        Const c = n.getInputCount() > input ? constOf(n.getInput(input)) : null;
        if (c == null) throw new OnnxImportException(what + " must be a constant (an initializer or foldable), but is computed at run time");
        return c;
    }

    // ---------------------------------------------------------------- emission

    Value act(NodeProto n, int input) {
        Value v = acts.get(n.getInput(input));
        if (v == null) throw new OnnxImportException("input '" + n.getInput(input) + "' is neither an activation nor a constant");
        return v;
    }

    Value emit(String nodeName, FloatOp op, List<Value> inputs, String outName) {
        TensorType t = op.resultType(inputs.stream().map(Value::type).toList());
        Value out = new Value(outName, t);
        ir.add(new Node(nodeName, op, inputs, out));
        irIndexOfValue.put(outName, ir.size() - 1);
        acts.put(outName, out);
        return out;
    }

    void alias(String name, Value v) {
        acts.put(name, v);
    }

    void removeIr(Value out) {
        Integer i = irIndexOfValue.remove(out.name());
        if (i != null) ir.set(i, null);
    }

    // ---------------------------------------------------------------- translation

    private void translate(NodeProto n) {
        if (QuantNodes.isQonnxQuant(n)) {
            fakeQuantQonnx(n);
            return;
        }
        if (QuantNodes.isQonnx(n, "Trunc")) {
            QonnxTrunc.translate(this, n);
            return;
        }
        if (QuantNodes.isQonnx(n, "BipolarQuant")) {
            throw new OnnxImportException("BipolarQuant of an activation is not supported (binary weights are): two levels leave no code for 0");
        }
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw new OnnxImportException(unsupportedAnywhere(n));
        }
        String name = n.getName().isEmpty() ? n.getOutput(0) : n.getName();
        String out = n.getOutput(0);
        Attrs a = new Attrs(n);
        switch (n.getOpType()) {
            case "Identity", "Dropout" -> alias(out, act(n, 0));
            case "Cast" -> {
                int to = (int) a.getInt("to", DataTypes.FLOAT);
                if (to != DataTypes.FLOAT) throw new OnnxImportException("cast of an activation to " + DataTypes.name(to) + " is not supported");
                alias(out, act(n, 0));
            }
            case "Gemm" -> gemm(n, name, out, a);
            case "MatMul" -> matmul(n, name, out);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n, name, out);
            case "Sqrt", "Reciprocal", "Pow" -> {
                if (!ElementwiseRegion.tryMatch(this, g, n)) NormalizationArithmetic.unary(this, n, name, out);
            }
            case "Erf", "Tanh", "Sigmoid", "Exp", "Neg" -> {
                if (n.getOpType().equals("Exp") && SoftmaxWrittenOut.tryFromExp(this, g, n)) return;
                if (!ElementwiseRegion.tryMatch(this, g, n)) {
                    throw new OnnxImportException(n.getOpType() + " on an activation is supported only inside a GELU");
                }
            }
            case "Relu" -> emit(name, new Relu(), List.of(act(n, 0)), out);
            case "Gelu" -> emit(name, new Gelu(a.getString("approximate", "none").equals("tanh")), List.of(act(n, 0)), out);
            case "Softmax" -> emit(name, new Softmax(axisOf(act(n, 0), a.getInt("axis", -1))), List.of(act(n, 0)), out);
            case "Where" -> {
                if (!MaskedSoftmaxPattern.tryMatch(this, g, n)) {
                    throw new OnnxImportException("Where on an activation is supported only as a constant mask (condition constant, -inf where masked) before a softmax");
                }
            }
            case "LayerNormalization" -> layerNormalization(n, name, out, a);
            case "BatchNormalization" -> batchNormalization(n, name, out, a);
            case "ReduceMean" -> reduceMean(n, name, out, a);
            case "ReduceSum" -> MeanReductions.reduce(this, n, act(n, 0), name, out, true);
            case "GlobalAveragePool" -> MeanReductions.globalAveragePool(this, n, act(n, 0), name, out);
            case "AveragePool" -> MeanReductions.averagePool(this, n, List.of(), act(n, 0), name, out);
            case "ReduceMax" -> {
                if (!SoftmaxWrittenOut.tryFromMax(this, g, n)) MaxReductions.reduce(this, n, act(n, 0), name, out, false);
            }
            case "ReduceMin" -> MaxReductions.reduce(this, n, act(n, 0), name, out, true);
            case "GlobalMaxPool" -> MaxReductions.globalMaxPool(this, n, act(n, 0), name, out);
            case "MaxPool" -> SlidingPools.maxPool(this, g, n, act(n, 0), name, out);
            case "Einsum" -> EinsumAsMatMul.translate(this, n, name, out);
            case "Gather" -> gather(n, name, out, a);
            case "Slice" -> slice(n, name, out);
            case "Split" -> split(n, name, a);
            case "Reshape" -> {
                Value x = act(n, 0);
                int[] target = ConstFolder.reshapeTarget(x.type().shape().dims(), requireConst(n, 1, "the target shape"),
                        a.getInt("allowzero", 0) != 0);
                reshape(n, name, x, new Shape(target), out);
            }
            case "Flatten" -> {
                Value x = act(n, 0);
                reshape(n, name, x, new Shape(ConstFolder.flattenTarget(x.type().shape().dims(), (int) a.getInt("axis", 1))), out);
            }
            case "Squeeze", "Unsqueeze" -> {
                Value x = act(n, 0);
                long[] axes = opset >= 13 && n.getInputCount() > 1 ? requireConst(n, 1, "axes").longs() : a.getInts("axes");
                int[] dims = n.getOpType().equals("Squeeze") ? ConstFolder.squeezeDims(x.type().shape().dims(), axes)
                        : ConstFolder.unsqueezeDims(x.type().shape().dims(), axes);
                reshape(n, name, x, new Shape(dims), out);
            }
            case "Transpose" -> {
                Value x = act(n, 0);
                long[] p = a.getInts("perm");
                int r = x.type().shape().rank();
                int[] perm = new int[r];
                for (int i = 0; i < r; i++) perm[i] = p == null ? r - 1 - i : (int) p[i];
                if (isIdentity(perm)) alias(out, x);
                else emit(name, new Transpose(perm), List.of(x), out);
            }
            case "Expand" -> {
                Value x = act(n, 0);
                Shape target = new Shape(ConstFolder.expandDims(x.type().shape().dims(), requireConst(n, 1, "the target shape")));
                if (target.equals(x.type().shape())) alias(out, x);
                else emit(name, StridedView.expand(x.type().shape(), target), List.of(x), out);
            }
            case "Tile" -> Movement.tile(this, name, act(n, 0), requireConst(n, 1, "Tile repeats").longs(), out);
            case "Concat" -> {
                Movement.concatWithConstants(this, n, name, a.getInt("axis", 0), out);
            }
            case "Pad" -> {
                if (!padsBeforeAveragePool(n, name)) Movement.pad(this, n, name, act(n, 0), a, out);
            }
            case "Conv" -> Movement.conv1d(this, n, name, act(n, 0), a, out);
            case "QuantizeLinear" -> fakeQuantQdq(n);
            case "DequantizeLinear", "Clip" -> throw new OnnxImportException(n.getOpType()
                    + " on an activation is supported only as part of QuantizeLinear -> [Clip] -> DequantizeLinear");
            default -> throw new OnnxImportException(unsupportedOp(n.getOpType()));
        }
    }

    /** Op types {@link #translate} handles (in some contexts); the rest are refused wherever they are. */
    private static final Set<String> TRANSLATED = Set.of("Identity", "Dropout", "Cast", "Gemm", "MatMul", "Add", "Sub", "Mul",
            "Div", "Erf", "Tanh", "Pow", "Sqrt", "Reciprocal", "Sigmoid", "Exp", "Neg", "Relu", "Gelu", "Softmax", "Where", "LayerNormalization",
            "BatchNormalization", "ReduceMean", "ReduceSum", "GlobalAveragePool", "AveragePool", "Pad", "ReduceMax", "Einsum",
            "ReduceMin", "GlobalMaxPool", "MaxPool",
            "Gather", "Slice", "Split", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Expand", "Tile", "Concat", "Conv", "QuantizeLinear",
            "DequantizeLinear", "Clip");

    /** Why a node is refused whatever its inputs are, or null if that depends on them. */
    private static String unsupportedAnywhere(NodeProto n) {
        if (QuantNodes.isQonnxQuant(n) || QuantNodes.isQonnx(n, "Trunc") || QuantNodes.isQonnx(n, "BipolarQuant")) return null;
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) return "operator domain '" + SafeText.printable(n.getDomain()) + "' is not supported";
        String op = n.getOpType();
        return TRANSLATED.contains(op) || ConstFolder.canFold(op) ? null : unsupportedOp(op);
    }

    private static String unsupportedOp(String op) {
        return switch (op) {
            default -> "operator not supported by tfq; express it with the operators README.md lists under 'Supported ONNX'";
        };
    }

    /**
     * QuantizeLinear -> [Clip] -> DequantizeLinear on an activation: one trained quantization
     * point. The codes may pass Casts that keep every code (QuantNodes.castKeepsCodes) and may fan
     * out to several DequantizeLinears of the same scale and zero point (torch.ao's converted
     * export dequantizes in each consumer module); all of them read the one fake quantizer.
     */
    private void fakeQuantQdq(NodeProto q) {
        Value x = act(q, 0);
        QuantSpec spec = QuantNodes.quantizeLinear(q, requireConst(q, 1, "the QuantizeLinear scale"),
                q.getInputCount() > 2 && !q.getInput(2).isEmpty() ? requireConst(q, 2, "the QuantizeLinear zero point") : null,
                x.type().shape().rank());
        List<NodeProto> chain = new ArrayList<>(List.of(q));
        String codes = q.getOutput(0);
        NodeProto next = g.soleConsumer(codes);
        // ONNX Runtime has no Clip on 16-bit integers: OnnxWriter casts 9..15-bit codes to int32 around it
        List<NodeProto> widening = new ArrayList<>();
        while (next != null && next.getOpType().equals("Cast") && QuantNodes.castKeepsCodes(spec, (int) new Attrs(next).getInt("to", DataTypes.FLOAT))) {
            widening.add(next);
            next = g.soleConsumer(next.getOutput(0));
        }
        if (next != null && next.getOpType().equals("Clip")) {
            spec = QuantNodes.clip(spec, next.getInputCount() > 1 ? requireConst(next, 1, "the Clip minimum") : null,
                    next.getInputCount() > 2 ? requireConst(next, 2, "the Clip maximum") : null);
            chain.addAll(widening);
            chain.add(next);
            codes = next.getOutput(0);
        }
        List<NodeProto> dqs = new ArrayList<>();
        collectDequantizers(codes, spec, chain, dqs);
        for (NodeProto dqNode : dqs) {
            QuantSpec dq = QuantNodes.quantizeLinear(dqNode, requireConst(dqNode, 1, "the DequantizeLinear scale"),
                    dqNode.getInputCount() > 2 && !dqNode.getInput(2).isEmpty() ? requireConst(dqNode, 2, "the DequantizeLinear zero point") : null,
                    x.type().shape().rank());
            if (!java.util.Arrays.equals(dq.scale(), spec.scale()) || !java.util.Arrays.equals(dq.zeroPoint(), spec.zeroPoint())) {
                throw new OnnxImportException("DequantizeLinear '" + dqNode.getName() + "' uses another scale or zero point than its QuantizeLinear");
            }
        }
        if (!spec.perTensor()) throw new OnnxImportException("per-channel quantization of activations is not supported");
        chain.addAll(dqs);
        Value fq = emitFused(chain, new FakeQuant(spec), x, dqs.get(0).getOutput(0));
        for (NodeProto dqNode : dqs.subList(1, dqs.size())) alias(dqNode.getOutput(0), fq);
    }

    /** The DequantizeLinears that read {@code codes}, through Casts that keep every code; anything else is refused. */
    private void collectDequantizers(String codes, QuantSpec spec, List<NodeProto> chain, List<NodeProto> dqs) {
        List<NodeProto> users = g.consumersOf(codes);
        if (users.isEmpty() || g.graphOutputs.contains(codes)) {
            throw new OnnxImportException("QuantizeLinear must be followed by DequantizeLinear (optionally with a Clip or a Cast between): tfq imports fake-quantized (QDQ) models");
        }
        for (NodeProto u : users) {
            if (u.getOpType().equals("DequantizeLinear") && u.getInput(0).equals(codes)) {
                dqs.add(u);
            } else if (u.getOpType().equals("Cast") && QuantNodes.castKeepsCodes(spec, (int) new Attrs(u).getInt("to", DataTypes.FLOAT))) {
                chain.add(u);
                collectDequantizers(u.getOutput(0), spec, chain, dqs);
            } else {
                throw new OnnxImportException("QuantizeLinear's codes are read by '" + u.getName() + "' (" + u.getOpType()
                        + "); tfq imports QuantizeLinear -> [Clip] -> [Cast keeping every code] -> DequantizeLinear");
            }
        }
    }

    private void fakeQuantQonnx(NodeProto n) {
        Value x = act(n, 0);
        QuantSpec spec = QuantNodes.qonnx(n, constOf(n.getInput(1)), constOf(n.getInput(2)),
                n.getInputCount() > 3 ? constOf(n.getInput(3)) : null, x.type().shape().rank());
        if (!spec.perTensor()) throw new OnnxImportException("per-channel quantization of activations is not supported");
        emit(n.getName().isEmpty() ? n.getOutput(0) : n.getName(), new FakeQuant(spec), List.of(x), n.getOutput(0));
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    private int axisOf(Value x, long axis) {
        return ConstFolder.normAxis(axis, x.type().shape().rank(), "axis");
    }

    private void reshape(NodeProto n, String name, Value x, Shape target, String out) {
        if (target.equals(x.type().shape())) {
            alias(out, x);
            return;
        }
        emit(name, new Reshape(target), List.of(x), out); // MergeReshapes merges a chain
    }

    private void gemm(NodeProto n, String name, String out, Attrs a) {
        Value x = act(n, 0);
        if (a.getInt("transA", 0) != 0) throw new OnnxImportException("Gemm with transA=1 on an activation is not supported");
        Const b = requireConst(n, 1, "Gemm's B (the weight)");
        if (b.rank() != 2) throw new OnnxImportException("Gemm weight must be 2-D");
        double alpha = a.getFloat("alpha", 1.0);
        double beta = a.getFloat("beta", 1.0);
        boolean transB = a.getInt("transB", 0) != 0;
        FloatTensor w = weightRows(b, transB, alpha);
        FloatTensor bias = null;
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            bias = biasVector(requireConst(n, 2, "Gemm's C (the bias)"), w.shape().dim(0), beta);
            if (bias == null) throw new OnnxImportException("Gemm's C does not broadcast as a bias over the output features");
        }
        QuantSpec wq = alpha == 1.0 ? weightQuant(n.getInput(1), transB ? 0 : 1) : null;
        emit(name, new Linear(w, bias, wq), List.of(x), out);
    }

    /** The trained quantization of a weight whose output-feature axis is {@code outAxis}, if it has one. */
    QuantSpec weightQuant(String tensor, int outAxis) {
        QuantSpec q = constQuant.get(tensor);
        if (q == null) return null;
        if (!q.perTensor() && q.axis() != outAxis) {
            throw new OnnxImportException("weight '" + tensor + "' is quantized per channel along its input axis; tfq needs per-output-channel or per-tensor");
        }
        return q.withAxis(0);
    }

    /** The weight as [out, in] rows, scaled by alpha. */
    private static FloatTensor weightRows(Const b, boolean alreadyRows, double alpha) {
        int r = b.dims()[0], c = b.dims()[1];
        int outF = alreadyRows ? r : c, inF = alreadyRows ? c : r;
        float[] w = new float[outF * inF];
        for (int o = 0; o < outF; o++) {
            for (int i = 0; i < inF; i++) {
                double v = alreadyRows ? b.get(o * inF + i) : b.get(i * outF + o);
                w[o * inF + i] = (float) (v * alpha);
            }
        }
        return new FloatTensor(Shape.of(outF, inF), w);
    }

    /** c as a per-output-feature bias if it only varies along the last axis; null otherwise. */
    private static FloatTensor biasVector(Const c, int features, double scale) {
        int[] d = c.dims();
        for (int i = 0; i + 1 < d.length; i++) if (d[i] != 1) return null;
        int last = d.length == 0 ? 1 : d[d.length - 1];
        if (last != features && last != 1) return null;
        float[] v = new float[features];
        for (int i = 0; i < features; i++) v[i] = (float) (c.get(last == 1 ? 0 : i) * scale);
        return new FloatTensor(Shape.of(features), v);
    }

    private void matmul(NodeProto n, String name, String out) {
        Const bc = constOf(n.getInput(1));
        if (constOf(n.getInput(0)) != null) throw new OnnxImportException("MatMul with a constant left operand is not supported");
        Value x = act(n, 0);
        if (bc != null) {
            if (bc.rank() != 2) throw new OnnxImportException("MatMul by a constant of rank " + bc.rank() + " is not supported (rank 2 only)");
            emit(name, new Linear(weightRows(bc, false, 1.0), null, weightQuant(n.getInput(1), 1)), List.of(x), out);
            return;
        }
        emit(name, new MatMul(false), List.of(x, act(n, 1)), out); // FoldTransposeIntoMatMul takes a transposed B
    }

    private void arithmetic(NodeProto n, String name, String out) {
        if (ArithmeticFakeQuant.tryMatch(this, g, n)) return;
        if (ElementwiseRegion.tryMatch(this, g, n)) return;
        String op = n.getOpType();
        Const c0 = constOf(n.getInput(0));
        Const c1 = constOf(n.getInput(1));
        if (c0 == null && c1 == null) {
            if (!op.equals("Add")) {
                if (WindowNormalizationPattern.tryMatch(this, g, n, name, out)) return;
                NormalizationArithmetic.binary(this, n, name, out);
                return;
            }
            emit(name, new Add(), List.of(act(n, 0), act(n, 1)), out);
            return;
        }
        boolean constFirst = c0 != null;
        Const c = constFirst ? c0 : c1;
        Value x = act(n, constFirst ? 1 : 0);
        FloatTensor t = c.toFloatTensor();
        if (op.equals("Add") && MaskedSoftmaxPattern.tryMatch(this, g, n)) return;
        switch (op) {
            case "Add" -> emit(name, new AddConstant(t), List.of(x), out); // FuseBiasIntoLinear makes a bias of it
            case "Mul" -> emit(name, new MulConstant(t), List.of(x), out);
            case "Sub" -> {
                if (constFirst) {
                    Value neg = emit(name + "/neg", new MulConstant(FloatTensor.scalar(-1f)), List.of(x), out + "/neg");
                    emit(name, new AddConstant(t), List.of(neg), out);
                } else {
                    emit(name, new AddConstant(map(t, v -> -v)), List.of(x), out);
                }
            }
            case "Div" -> {
                if (constFirst) throw new OnnxImportException("division of a constant by an activation is not supported");
                emit(name, new MulConstant(map(t, v -> 1 / v)), List.of(x), out);
            }
            default -> throw new IllegalStateException(op);
        }
    }

    private static FloatTensor map(FloatTensor t, java.util.function.DoubleUnaryOperator f) {
        float[] v = new float[t.data().length];
        for (int i = 0; i < v.length; i++) v[i] = (float) f.applyAsDouble(t.data()[i]);
        return new FloatTensor(t.shape(), v);
    }

    private void layerNormalization(NodeProto n, String name, String out, Attrs a) {
        Value x = act(n, 0);
        int rank = x.type().shape().rank();
        if (axisOf(x, a.getInt("axis", -1)) != rank - 1) {
            throw new OnnxImportException("LayerNormalization over more than the last axis is not supported");
        }
        int features = x.type().shape().last();
        FloatTensor gamma = perFeature(requireConst(n, 1, "LayerNormalization scale"), features, "scale");
        FloatTensor beta = n.getInputCount() > 2 && !n.getInput(2).isEmpty()
                ? perFeature(requireConst(n, 2, "LayerNormalization bias"), features, "bias")
                : FloatTensor.zeros(Shape.of(features));
        emit(name, new LayerNorm(gamma, beta, a.getFloat("epsilon", 1e-5)), List.of(x), out);
    }

    static FloatTensor perFeature(Const c, int features, String what) {
        if (c.size() == 1) {
            float[] v = new float[features];
            java.util.Arrays.fill(v, (float) c.get(0));
            return new FloatTensor(Shape.of(features), v);
        }
        if (c.size() != features) throw new OnnxImportException(what + " has " + c.size() + " values for " + features + " features");
        return c.toFloatTensor().reshape(Shape.of(features));
    }

    private void batchNormalization(NodeProto n, String name, String out, Attrs a) {
        if (a.getInt("training_mode", 0) != 0) throw new OnnxImportException("BatchNormalization in training mode; export with model.eval()");
        Value x = act(n, 0);
        if (x.type().shape().rank() < 2) throw new OnnxImportException("BatchNormalization needs an input of rank >= 2");
        int c = x.type().shape().dim(1);
        BatchNorm bn = BatchNorm.fold(perFeature(requireConst(n, 1, "scale"), c, "scale"),
                perFeature(requireConst(n, 2, "B"), c, "B"), perFeature(requireConst(n, 3, "mean"), c, "mean"),
                perFeature(requireConst(n, 4, "var"), c, "var"), a.getFloat("epsilon", 1e-5), 1);
        emit(name, bn, List.of(x), out);
    }

    long[] reduceAxes(NodeProto n, Attrs a) {
        if (opset >= 18 && n.getInputCount() > 1 && !n.getInput(1).isEmpty()) return requireConst(n, 1, "axes").longs();
        return a.getInts("axes");
    }

    private void reduceMean(NodeProto n, String name, String out, Attrs a) {
        if (LayerNormPattern.tryMatch(this, g, n)) return;
        MeanReductions.reduce(this, n, act(n, 0), name, out, false);
    }

    /** Zero Pads (PyTorch writes one before every AvgPool1d) are supported where an AveragePool over the whole padded axis reads them: a scaled mean. */
    /** Pads feeding an AveragePool over the whole padded axis fold into its mean; false if this Pad does not. */
    private boolean padsBeforeAveragePool(NodeProto pad, String name) {
        List<NodeProto> pads = new ArrayList<>(List.of(pad));
        NodeProto next = g.soleConsumer(pad.getOutput(0));
        while (next != null && next.getOpType().equals("Pad") && !g.graphOutputs.contains(pads.get(pads.size() - 1).getOutput(0))) {
            pads.add(next);
            next = g.soleConsumer(next.getOutput(0));
        }
        NodeProto last = pads.get(pads.size() - 1);
        if (next == null || !next.getOpType().equals("AveragePool") || g.graphOutputs.contains(last.getOutput(0))) return false;
        List<NodeProto> matched = new ArrayList<>(pads);
        matched.add(next);
        absorb(matched);
        MeanReductions.averagePool(this, next, pads, act(pad, 0), name, next.getOutput(0));
        return true;
    }

    private void gather(NodeProto n, String name, String out, Attrs a) {
        Value x = act(n, 0);
        Const idx = requireConst(n, 1, "Gather indices");
        int axis = axisOf(x, a.getInt("axis", 0));
        int len = x.type().shape().dim(axis);
        if (idx.size() != 1) {
            Movement.gather(this, name, x, axis, idx, out);
            return;
        }
        long i = idx.longAt(0);
        if (i < 0) i += len;
        if (i < 0 || i >= len) throw new OnnxImportException("Gather index " + idx.longAt(0) + " outside axis of size " + len);
        if (idx.rank() == 0) emit(name, new Select(axis, (int) i), List.of(x), out);
        else if (idx.rank() == 1) emit(name, new Slice(axis, (int) i, (int) i + 1), List.of(x), out);
        else throw new OnnxImportException("Gather with indices of rank " + idx.rank() + " is not supported");
    }

    private void slice(NodeProto n, String name, String out) {
        Value x = act(n, 0);
        List<Const> params = new ArrayList<>();
        params.add(null);
        for (int i = 1; i < n.getInputCount(); i++) params.add(n.getInput(i).isEmpty() ? null : requireConst(n, i, "Slice parameters"));
        Value cur = x;
        List<ConstFolder.SliceAxis> axes = ConstFolder.sliceAxes(x.type().shape().dims(), params);
        List<ConstFolder.SliceAxis> real = new ArrayList<>();
        for (ConstFolder.SliceAxis s : axes) {
            if (s.length() == 0) throw new OnnxImportException("Slice selects no element of axis " + s.axis());
            if (s.step() != 1) real.add(s);
            else if (s.start() != 0 || s.end() != x.type().shape().dim(s.axis())) real.add(s);
        }
        if (real.isEmpty()) {
            alias(out, x);
            return;
        }
        for (int k = 0; k < real.size(); k++) {
            ConstFolder.SliceAxis s = real.get(k);
            String o = k == real.size() - 1 ? out : out + "/axis" + s.axis();
            cur = emit(name, s.step() == 1 ? new Slice(s.axis(), s.start(), s.end())
                    : StridedView.stridedSlice(cur.type().shape(), s.axis(), s.start(), s.step(), s.length()), List.of(cur), o);
        }
    }

    private void split(NodeProto n, String name, Attrs a) {
        Value x = act(n, 0);
        int axis = axisOf(x, a.getInt("axis", 0));
        int len = x.type().shape().dim(axis);
        int parts = n.getOutputCount();
        long[] sizes;
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) sizes = requireConst(n, 1, "split sizes").longs();
        else if (a.has("split")) sizes = a.getInts("split");
        else {
            sizes = new long[parts];
            int each = (len + parts - 1) / parts;
            for (int i = 0; i < parts; i++) sizes[i] = Math.min(each, len - (long) each * i);
        }
        if (sizes.length != parts) throw new OnnxImportException("Split into " + parts + " outputs with " + sizes.length + " sizes");
        int start = 0;
        for (int i = 0; i < parts; i++) {
            int end = start + (int) sizes[i];
            if (!n.getOutput(i).isEmpty()) emit(name + "/" + i, new Slice(axis, start, end), List.of(x), n.getOutput(i));
            start = end;
        }
        if (start != len) throw new OnnxImportException("Split sizes add up to " + start + ", the axis has " + len);
    }

    // ---------------------------------------------------------------- used by patterns

    void absorb(List<NodeProto> nodes) {
        absorbed.addAll(nodes);
    }

    Value emitFused(List<NodeProto> matched, FloatOp op, Value input, String out) {
        absorb(matched);
        return emit(commonName(matched), op, List.of(input), out);
    }

    /** The name shared by a matched group (its module path in PyTorch exports), else the last node's. */
    static String commonName(List<NodeProto> nodes) {
        String last = nodes.get(nodes.size() - 1).getName();
        String prefix = nodes.get(0).getName();
        for (NodeProto n : nodes) {
            String s = n.getName();
            int i = 0;
            while (i < prefix.length() && i < s.length() && prefix.charAt(i) == s.charAt(i)) i++;
            prefix = prefix.substring(0, i);
        }
        int slash = prefix.lastIndexOf('/');
        if (slash > 0) return prefix.substring(0, slash);
        return last.isEmpty() ? nodes.get(nodes.size() - 1).getOutput(0) : last;
    }

    static Set<String> opTypes(List<NodeProto> nodes) {
        Set<String> s = new LinkedHashSet<>();
        for (NodeProto n : nodes) s.add(n.getOpType());
        return s;
    }

    Graph finish(String graphName, List<Value> inputs, List<Value> outputs) {
        return new Graph(graphName, inputs, outputs, nodes()).verify();
    }
}
