package org.tfq.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.IrException;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntSoftmax;
import org.tfq.ir.integer.Lut;
import org.tfq.ir.integer.Requantizer;
import org.tfq.ir.io.SafeText;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.AddBatchNorm;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.AxisNorm;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.Concat;
import org.tfq.ir.op.IntPadConstant;
import org.tfq.ir.op.PadConstant;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Gelu;
import org.tfq.ir.op.IntAdd;
import org.tfq.ir.op.IntAffine;
import org.tfq.ir.op.IntLayerNormOp;
import org.tfq.ir.op.IntLinear;
import org.tfq.ir.op.IntMatMul;
import org.tfq.ir.op.IntMaxPool;
import org.tfq.ir.op.IntMeanPool;
import org.tfq.ir.op.IntMul;
import org.tfq.ir.op.IntOp;
import org.tfq.ir.op.IntRelabel;
import org.tfq.ir.op.IntSoftmaxOp;
import org.tfq.ir.op.IntTableOp;
import org.tfq.ir.op.LayerNorm;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.MaxPool;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.Softmax;
import org.tfq.ir.op.Sub;
import org.tfq.ir.op.Mul;
import org.tfq.ir.op.UnaryFunction;

/**
 * Float graph + quantization plan -> integer-only graph. Each float op becomes the integer op
 * that computes it on codes, with the multipliers, tables and widths derived here once; the
 * fused forms {@link Quantize#FUSIONS} made (a Linear with an addend or a ReLU, an add with its
 * BatchNorm) become one integer op each; a multiplication by a positive scalar only relabels the
 * scale; a quantization point whose input already has its quantization disappears.
 */
public final class LowerToInteger {

    /** Magnitude bits of the multipliers of elementwise rescalings: one DSP48E1 B port signed. */
    static final int MULTIPLIER_BITS = 16;

    private final Graph g;
    private final QuantPlan plan;
    private final Map<String, Value> env = new HashMap<>();
    private final List<Node> out = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> openValues = new ArrayList<>();
    private final Map<String, Integer> internalValues = new java.util.LinkedHashMap<>();
    private final int outputBits;

    private LowerToInteger(Graph g, QuantPlan plan, int outputBits) {
        this.g = g;
        this.plan = plan;
        this.outputBits = outputBits;
    }

    /**
     * @param outputBits width of a model output the plan leaves unquantized (a QAT model whose
     *     forecast is not fake-quantized): its scale then covers the exact accumulator range
     */
    public static IntegerModel run(Graph g, QuantPlan plan, int outputBits) {
        return new LowerToInteger(g, plan, outputBits).lower();
    }

    /**
     * A trained model's gaps, in graph order, those found before any other failure: the activations
     * the lowering needs a quantization for and the plan leaves open, and those it keeps at an
     * internal width instead ({@link InternalWidths}: value -> bits).
     */
    record Gaps(List<String> open, Map<String, Integer> internal) {}

    static Gaps gaps(Graph g, QuantPlan plan, int outputBits) {
        LowerToInteger l = new LowerToInteger(g, plan, outputBits);
        try {
            l.lower();
        } catch (QuantizationException e) {
            // what could be lowered has been: the open values are what this asks for
        }
        return new Gaps(List.copyOf(l.openValues), java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(l.internalValues)));
    }

    private IntegerModel lower() {
        if (g.inputs().size() != 1 || g.outputs().size() != 1) {
            throw new QuantizationException("tfq quantizes models with one input and one output; this one has "
                    + g.inputs().size() + " and " + g.outputs().size());
        }
        Value fin = g.inputs().get(0);
        QuantSpec inSpec = plan.activation(fin.name());
        if (inSpec == null) {
            throw new QuantizationException("the model input %" + fin.name() + " has no quantization: "
                    + (plan.trained() ? "the QAT model must quantize its input" : "calibration did not cover it"));
        }
        Value in = new Value(fin.name(), new TensorType(fin.type().shape(), inSpec.intType()));
        env.put(fin.name(), in);
        for (Node n : g.nodes()) {
            try {
                lower(n);
            } catch (IrException | IllegalArgumentException | ArithmeticException e) {
                // an overflow here means weights or scales far outside what a model can hold (corrupt or degenerate data)
                String why = e instanceof ArithmeticException ? "integer overflow deriving its constants (" + e.getMessage()
                        + "); its weights or quantization scales are out of range" : e.getMessage();
                throw new QuantizationException("node " + SafeText.printable(n.name()) + " (" + n.op().mnemonic() + "): " + why);
            }
        }
        if (!missing.isEmpty()) {
            // calibration chooses activation scales only: it cannot help a weight trained without quantization
            String list = String.join("\n", missing) + "\n" + missing.size() + " value(s) have no quantization: quantize them in training";
            if (openValues.isEmpty()) throw new QuantizationException(list);
            throw new QuantizationException("%s, or pass %s to calibrate the activations among them", list, QuantizationException.Setting.CALIBRATION);
        }
        Value result = env.get(g.outputs().get(0).name());
        Graph ig = new Graph(g.name(), List.of(in), List.of(result), out).verify();
        IntType o = result.type().intType();
        return new IntegerModel(ig, inSpec, QuantSpec.perTensor(o.scale(), o.zeroPoint(), o.bits(), o.signed()),
                new ScaleOrigins(Map.of(), List.of(), internalValues));
    }

    private IntType quant(Node n, String value) {
        QuantSpec q = plan.activation(value);
        if (q == null) {
            missing.add("value %" + value + " computed by node " + n.name() + " (" + n.op().mnemonic() + ") has no quantization"
                    + (plan.trained() ? ", and none can be inferred from a quantizer next to it" : ""));
            openValues.add(value);
            // keep going to report every missing value at once
            return new IntType(8, true, 1, 0);
        }
        return q.intType();
    }

    /** A value a trained model leaves without quantization (InferScales found none either). */
    private boolean open(String value) {
        return plan.trained() && plan.activation(value) == null;
    }

    private IntType internal(String value, IntType t) {
        internalValues.put(value, t.bits());
        return t;
    }

    /** The open product's quantization, with a softmax's table in view when one reads it through relabellings. */
    private IntType internalProduct(Node n, IntType a, IntType b, int inner) {
        double scaling = 1;
        Node r = g.uses().soleReader(n.output().name());
        while (r != null && InferScales.movesCodes(r) && !(r.op() instanceof Relu) && open(r.output().name())) {
            if (r.op() instanceof MulConstant mc) scaling *= mc.constant().data()[0];
            r = g.uses().soleReader(r.output().name());
        }
        if (r == null || !(r.op() instanceof Softmax sm)) return internal(n.output().name(), InternalWidths.product(a, b, inner, 0, 0));
        Shape s = r.input(0).type().shape();
        IntType probabilities = open(r.output().name()) ? InternalWidths.probabilities(widestActivation()) : plan.activation(r.output().name()).intType();
        int f = IntSoftmax.fracBits(s.dim(s.axis(sm.axis())), probabilities.scale(), softmaxError());
        return internal(n.output().name(), InternalWidths.product(a, b, inner, scaling, f));
    }

    /**
     * A trained model rounds a float softmax in training: its codes are matched but near a
     * boundary; a float model's softmax has no codes to match, and one code costs less table.
     */
    private double softmaxError() {
        return plan.trained() ? IntSoftmax.MATCHES_FLOAT_CODES : IntSoftmax.WITHIN_ONE_CODE;
    }

    private int widestActivation() {
        return plan.activations().values().stream().mapToInt(QuantSpec::bits).max().orElse(8);
    }

    private IntType quantOr(String value, IntType fallback) {
        QuantSpec q = plan.activation(value);
        return q == null ? fallback : q.intType();
    }

    private Value emit(Node n, IntOp op, List<Value> inputs, String name) {
        return emit(n.name(), op, inputs, name);
    }

    private Value emit(String node, IntOp op, List<Value> inputs, String name) {
        TensorType t = op.resultType(inputs.stream().map(Value::type).toList());
        Value v = new Value(name, t);
        out.add(new Node(node, op, inputs, v));
        env.put(name, v);
        return v;
    }

    private Value emit(Node n, IntOp op, Value input) {
        return emit(n, op, List.of(input), n.output().name());
    }

    private void lower(Node n) {
        List<Value> ins = n.inputs().stream().map(v -> env.get(v.name())).toList();
        Value x = ins.get(0);
        IntType xt = x.type().intType();
        String y = n.output().name();
        if (n.op() instanceof LayoutOp layout) {
            emit(n, layout, x);
        } else if (n.op() instanceof Concat c) {
            concat(n, c, ins);
        } else if (n.op() instanceof PadConstant pad) {
            long fill = IntMath.saturate(xt.zeroPoint() + IntMath.nearest(pad.value() / xt.scale()), xt.bits(), xt.signed());
            emit(n, new IntPadConstant(pad.axis(), pad.before(), pad.after(), fill, xt), x);
        } else if (n.op() instanceof FakeQuant fq) {
            IntType target = fq.spec().intType();
            IntTableOp ties = target.equals(xt) ? null : RequantizeAtExactTies.of(xt, target);
            if (target.equals(xt)) env.put(y, x);
            else if (ties != null) emit(n, ties, x);
            else emit(n, IntAffine.of("requant", xt, scalar(1), scalar(0), false, target, MULTIPLIER_BITS), x);
        } else if (n.op() instanceof Linear lin) {
            linear(n, lin, x);
        } else if (n.op() instanceof MatMul mm) {
            IntType bt = ins.get(1).type().intType();
            int inner = x.type().shape().last();
            IntType o = open(y) ? internalProduct(n, xt, bt, inner) : quant(n, y);
            emit(n, IntMatMul.of(mm.transposeB(), xt, bt, inner, Requantizer.of(xt.scale() * bt.scale() / o.scale(), o), o), ins, y);
        } else if (n.op() instanceof Softmax sm) {
            IntType o = open(y) ? internal(y, InternalWidths.probabilities(widestActivation())) : quant(n, y);
            int row = x.type().shape().dim(x.type().shape().axis(sm.axis()));
            emit(n, new IntSoftmaxOp(sm.axis(), xt, IntSoftmax.of(xt.scale(), xt.bits(), row, o, softmaxError()), o, sm.mask()), x);
        } else if (n.op() instanceof LayerNorm ln) {
            IntType o = quant(n, y);
            emit(n, new IntLayerNormOp(xt, IntLayerNorm.of(xt, doubles(ln.gamma()), doubles(ln.beta()), ln.epsilon(), o), o), x);
        } else if (n.op() instanceof AxisNorm an) {
            IntType o = quant(n, y);
            int len = x.type().shape().dim(x.type().shape().axis(an.axis()));
            double[] one = new double[len];
            java.util.Arrays.fill(one, 1);
            emit(n, new IntLayerNormOp(xt, IntLayerNorm.of(xt, one, new double[len], an.epsilon(), o), an.axis(), o), x);
        } else if (n.op() instanceof BatchNorm bn) {
            IntType o = open(y) ? internal(y, InternalWidths.affine(xt, bn.scale().data(), bn.shift().data())) : quant(n, y);
            Shape s = channelShape(x.type().shape(), bn.axis());
            emit(n, IntAffine.of("batchnorm", xt, bn.scale().reshape(s), bn.shift().reshape(s), false, o, MULTIPLIER_BITS), x);
        } else if (n.op() instanceof Gelu gelu) {
            IntType o = quant(n, y);
            emit(n, new IntTableOp(gelu.tanhApproximation() ? "gelu_tanh" : "gelu", xt, Lut.gelu(xt, o, gelu.tanhApproximation()), o), x);
        } else if (n.op() instanceof Relu) {
            IntType o = quantOr(y, xt);
            emit(n, IntAffine.of("relu", xt, scalar(1), scalar(0), true, o, MULTIPLIER_BITS), x);
        } else if (n.op() instanceof AddBatchNorm abn) {
            // the BatchNorm's output, in the add's layout: the sum has no quantization of its own
            IntType o = quant(n, y);
            emit(n.name(), FoldBatchNormIntoAdd.lower(abn, n.output().type().shape(), xt, ins.get(1).type().intType(), o, MULTIPLIER_BITS),
                    ins, y);
        } else if (n.op() instanceof Add) {
            IntType o = quant(n, y);
            emit(n, IntAdd.of(xt, ins.get(1).type().intType(), o, MULTIPLIER_BITS), ins, y);
        } else if (n.op() instanceof AddConstant ac) {
            IntType o = quant(n, y);
            emit(n, IntAffine.of("add_const", xt, scalar(1), ac.constant(), false, o, MULTIPLIER_BITS), x);
        } else if (n.op() instanceof MulConstant mc) {
            float[] c = mc.constant().data();
            if (c.length == 1 && c[0] > 0) {
                emit(n, new IntRelabel(xt, new IntType(xt.bits(), xt.signed(), xt.scale() * c[0], xt.zeroPoint())), x);
            } else {
                emit(n, IntAffine.of("mul_const", xt, mc.constant(), scalar(0), false, quant(n, y), MULTIPLIER_BITS), x);
            }
        } else if (n.op() instanceof MeanPool mp) {
            int len = x.type().shape().dim(x.type().shape().axis(mp.axis()));
            // a float model's mean takes its input's grid; a trained model's open mean stays exact
            IntType o = open(y) && !isGraphOutput(y) ? internal(y, InternalWidths.mean(xt, len)) : quantOr(y, xt);
            IntTableOp ties = plan.trained() ? MeanAtExactTies.of(xt, len, o) : null;
            if (ties != null) {
                Value sum = emit(n.name() + "/sum", IntMeanPool.of(mp.axis(), mp.keepDims(), xt, len, ties.in()), List.of(x), y + "/sum");
                emit(n, ties, sum);
                return;
            }
            emit(n, IntMeanPool.of(mp.axis(), mp.keepDims(), xt, len, o), x);
        } else if (n.op() instanceof MaxPool mp) {
            emit(n, new IntMaxPool(mp.axis(), mp.keepDims(), mp.minimum(), xt), x); // codes pass through: no quantization of its own
        } else if (n.op() instanceof Sub) {
            emit(n, IntAdd.of(xt, ins.get(1).type().intType(), scalar(1), scalar(-1), scalar(0), false, quant(n, y), MULTIPLIER_BITS), ins, y);
        } else if (n.op() instanceof Mul) {
            emit(n, IntMul.of(xt, ins.get(1).type().intType(), quant(n, y)), ins, y);
        } else if (n.op() instanceof UnaryFunction f) {
            IntType o = quant(n, y);
            emit(n, new IntTableOp(f.mnemonic(), xt, Lut.of(xt, o, f::total), o), x);
        } else {
            throw new QuantizationException("no integer lowering for " + n.op().mnemonic());
        }
    }

    /**
     * Codes of one quantization concatenate as they are: the inputs' when they share one (slices
     * of one tensor: circular padding, patches), else the planned one, each input of another
     * quantization requantized to it first.
     */
    private void concat(Node n, Concat c, List<Value> ins) {
        IntType first = ins.get(0).type().intType();
        boolean same = ins.stream().allMatch(v -> v.type().intType().equals(first));
        IntType o = same ? first : quant(n, n.output().name());
        List<Value> parts = new ArrayList<>();
        for (int i = 0; i < ins.size(); i++) {
            Value v = ins.get(i);
            IntType t = v.type().intType();
            parts.add(t.equals(o) ? v : emit(n.name() + "/requant" + i,
                    IntAffine.of("requant", t, scalar(1), scalar(0), false, o, MULTIPLIER_BITS), List.of(v), n.output().name() + "/requant" + i));
        }
        emit(n, c, parts, n.output().name());
    }

    /**
     * acc_o = sum_i x_i w_oi on raw codes, w = q_w - Z_w, requantized with the bias added after the
     * multiplier: B_o = round(b_o 2^s_o / S_y) - Z_x m_o sum_i w_oi, so no zero point reaches the
     * datapath and the float bias keeps 2^-s_o of an output code. A folded add_const adds its row
     * bias round(C_ro 2^s_o / S_y) and the op computes the add's output, requantized once.
     */
    private void linear(Node n, Linear lin, Value x) {
        IntType xt = x.type().intType();
        QuantSpec wq = plan.weights().get(n.name());
        if (wq == null) {
            missing.add("the weight of node " + n.name() + " (linear) has no quantization");
            // a stand-in output, so the nodes after it are still checked and every gap reported at once
            env.put(n.output().name(), new Value(n.output().name(), new TensorType(n.output().type().shape(), new IntType(8, true, 1, 0))));
            return;
        }
        boolean fuseRelu = lin.relu();
        String y = n.output().name();
        Shape yShape = n.output().type().shape();
        int outF = lin.outFeatures(), inF = lin.inFeatures();
        long[] w = new long[outF * inF];
        long[] rowSum = new long[outF];
        double[] accScale = new double[outF];
        for (int c = 0; c < outF; c++) {
            for (int i = 0; i < inF; i++) {
                w[c * inF + i] = wq.quantize(lin.weight().data()[c * inF + i], c) - wq.zeroPoint(c);
                rowSum[c] += w[c * inF + i];
            }
            accScale[c] = xt.scale() * wq.scale(c);
        }
        IntTensor weights = new IntTensor(lin.weight().shape(), w);
        double[][] constant = lin.addend() == null ? null : FoldAddConstantIntoLinear.constantRange(lin.addend(), yShape);
        IntType o;
        if (plan.activation(y) != null) o = plan.activation(y).intType();
        else if (isGraphOutput(y)) o = fullRangeOutput(weights, rowSum, lin, constant, xt, accScale);
        else o = quant(n, y);
        List<Requantizer> requant = new ArrayList<>();
        for (int c = 0; c < outF; c++) {
            if (c == 0 || !wq.perTensor()) requant.add(Requantizer.of(accScale[c] / o.scale(), o));
        }
        long[] bias = new long[outF];
        double[] offsetUnit = new double[outF];
        for (int c = 0; c < outF; c++) {
            Requantizer r = requant.get(requant.size() == 1 ? 0 : c);
            offsetUnit[c] = Math.scalb(o.scale(), -r.shift());
            long b = lin.bias() == null ? 0 : IntMath.nearest(lin.bias().data()[c] / offsetUnit[c]);
            bias[c] = Math.subtractExact(b, Math.multiplyExact(Math.multiplyExact(xt.zeroPoint(), rowSum[c]), (long) r.multiplier()));
        }
        IntTensor rowBias = lin.addend() == null ? null : FoldAddConstantIntoLinear.rowBias(lin.addend(), yShape, offsetUnit);
        emit(n.name(), IntLinear.of(weights, bias, rowBias, requant, fuseRelu, xt, o), List.of(x), y);
    }

    private boolean isGraphOutput(String value) {
        return g.uses().isGraphOutput(value);
    }

    /**
     * A symmetric outputBits-bit grid just wide enough for every value the Linear can produce: the
     * exact range of its sum of products, in real units, plus its bias and any folded constant.
     */
    private IntType fullRangeOutput(IntTensor weights, long[] rowSum, Linear lin, double[][] constant, IntType in, double[] accScale) {
        org.tfq.ir.integer.IntRange[] r = IntLinear.accumulatorRanges(weights, in);
        double hi = 0;
        for (int c = 0; c < r.length; c++) {
            double shift = -in.zeroPoint() * rowSum[c] * accScale[c]
                    + (lin.bias() == null ? 0 : lin.bias().data()[c]);
            double lo = r[c].min() * accScale[c] + shift + (constant == null ? 0 : constant[c][0]);
            double up = r[c].max() * accScale[c] + shift + (constant == null ? 0 : constant[c][1]);
            hi = Math.max(hi, Math.max(Math.abs(lo), Math.abs(up)));
        }
        return new IntType(outputBits, true, hi / IntType.max(outputBits, true), 0);
    }

    private static FloatTensor scalar(float v) {
        return FloatTensor.scalar(v);
    }

    private static double[] doubles(FloatTensor t) {
        double[] d = new double[t.data().length];
        for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
        return d;
    }

    /** [C] laid along {@code axis} of a tensor of {@code x}'s rank, 1 elsewhere, for broadcasting. */
    private static Shape channelShape(Shape x, int axis) {
        int[] d = new int[x.rank()];
        java.util.Arrays.fill(d, 1);
        d[x.axis(axis)] = x.dim(axis);
        return new Shape(d);
    }
}
