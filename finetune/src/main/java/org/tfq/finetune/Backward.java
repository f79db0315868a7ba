package org.tfq.finetune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.AddBatchNorm;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.Axis;
import org.tfq.ir.op.AxisNorm;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.Broadcast;
import org.tfq.ir.op.Concat;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.Gelu;
import org.tfq.ir.op.LayerNorm;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.MaxPool;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.Mul;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.PadConstant;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.Softmax;
import org.tfq.ir.op.Sub;
import org.tfq.ir.op.UnaryFunction;

/**
 * The backward half of every float op: given the op's inputs, its output (as its own
 * {@code apply} computed it) and the loss's gradient at the output, the gradients at its inputs
 * and parameters. Forward semantics stay in {@link FloatOp#apply}; only derivatives are here,
 * in double precision. Ops that only move elements are differentiated by tracing where their
 * forward sends each element, so they cannot disagree with it.
 */
public final class Backward {
    private Backward() {}

    /** One op family's vector-Jacobian product. */
    @FunctionalInterface
    interface Vjp<O extends FloatOp> {
        Grad of(O op, List<FloatTensor> in, FloatTensor out, double[] dy);
    }

    private static final double[][] NONE = new double[0][];

    private static final Map<Class<?>, Vjp<?>> REGISTRY = new LinkedHashMap<>();

    private static <O extends FloatOp> void register(Class<O> c, Vjp<O> v) {
        REGISTRY.put(c, v);
    }

    static {
        register(Linear.class, Backward::linear);
        register(MatMul.class, Backward::matmul);
        register(Softmax.class, Backward::softmax);
        register(LayerNorm.class, Backward::layerNorm);
        register(AxisNorm.class, Backward::axisNorm);
        register(BatchNorm.class, Backward::batchNorm);
        register(AddBatchNorm.class, Backward::addBatchNorm);
        register(Gelu.class, (op, in, out, dy) -> pointwise(in, dy, x -> geluDerivative(op, x)));
        register(Relu.class, (op, in, out, dy) -> pointwise(in, dy, x -> x > 0 ? 1 : 0));
        register(UnaryFunction.class, (op, in, out, dy) -> pointwise(in, dy, x -> unaryDerivative(op, x)));
        register(Add.class, (op, in, out, dy) -> binary(in, out, dy, 1, 1));
        register(Sub.class, (op, in, out, dy) -> binary(in, out, dy, 1, -1));
        register(Mul.class, Backward::mul);
        register(AddConstant.class, (op, in, out, dy) -> new Grad(new double[][] {reduce(dy, null, in.get(0).shape(), out.shape())}, NONE));
        register(MulConstant.class, (op, in, out, dy) -> new Grad(new double[][] {reduce(dy, op.constant(), in.get(0).shape(), out.shape())}, NONE));
        register(MeanPool.class, Backward::meanPool);
        register(MaxPool.class, Backward::maxPool);
        register(FakeQuant.class, Backward::fakeQuant);
        register(Concat.class, (op, in, out, dy) -> moved(op, in, dy));
        register(PadConstant.class, (op, in, out, dy) -> moved(new PadConstant(op.axis(), op.before(), op.after(), -1f), in, dy));
    }

    /** The gradients of a node whose op computed {@code out} from {@code in}, for {@code dy} at its output. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Grad of(FloatOp op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        if (op instanceof LayoutOp l) return layout(l, in.get(0), dy);
        Vjp v = REGISTRY.get(op.getClass());
        if (v == null) throw new UnsupportedOperationException(op.mnemonic() + " has no backward pass");
        return v.of(op, in, out, dy);
    }

    /** Whether {@link #of} can differentiate the op. */
    public static boolean supports(FloatOp op) {
        return op instanceof LayoutOp || REGISTRY.containsKey(op.getClass());
    }

    /** The trainable parameters of an op, in the order {@link Grad#params} holds their gradients. */
    public static List<FloatTensor> parameters(FloatOp op) {
        if (op instanceof Linear l) return l.bias() == null ? List.of(l.weight()) : List.of(l.weight(), l.bias());
        if (op instanceof LayerNorm n) return List.of(n.gamma(), n.beta());
        if (op instanceof BatchNorm b) return List.of(b.scale(), b.shift());
        if (op instanceof AddBatchNorm ab) return parameters(ab.after());
        return List.of();
    }

    /** The op with other values for its {@link #parameters}, everything else kept. */
    public static FloatOp withParameters(FloatOp op, List<FloatTensor> p) {
        if (op instanceof Linear l) return new Linear(p.get(0), l.bias() == null ? null : p.get(1), l.weightQuant(), l.addend(), l.relu());
        if (op instanceof LayerNorm n) return new LayerNorm(p.get(0), p.get(1), n.epsilon());
        if (op instanceof BatchNorm b) return new BatchNorm(p.get(0), p.get(1), b.axis());
        if (op instanceof AddBatchNorm ab) return new AddBatchNorm((BatchNorm) withParameters(ab.after(), p));
        if (!p.isEmpty()) throw new IllegalArgumentException(op.mnemonic() + " has no parameters");
        return op;
    }

    // --- arithmetic ---

    /**
     * A fused Linear (after the lowering's fusions): its constant addend has no gradient, and its
     * ReLU passes the gradient where the output is positive.
     */
    private static Grad linear(Linear op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        if (op.relu()) {
            float[] y = out.data();
            dy = dy.clone();
            for (int i = 0; i < dy.length; i++) if (!(y[i] > 0)) dy[i] = 0;
        }
        float[] x = in.get(0).data(), w = op.weight().data();
        int k = op.inFeatures(), n = op.outFeatures(), rows = x.length / k;
        double[] dx = new double[x.length], dw = new double[w.length], db = new double[n];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < n; o++) {
                double g = dy[r * n + o];
                if (g == 0) continue;
                db[o] += g;
                for (int i = 0; i < k; i++) {
                    dx[r * k + i] += g * w[o * k + i];
                    dw[o * k + i] += g * x[r * k + i];
                }
            }
        }
        return new Grad(new double[][] {dx}, op.bias() == null ? new double[][] {dw} : new double[][] {dw, db});
    }

    private static Grad matmul(MatMul op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        FloatTensor a = in.get(0), b = in.get(1);
        Shape as = a.shape(), bs = b.shape();
        int m = as.dim(-2), k = as.dim(-1), n = out.shape().dim(-1);
        Shape batch = lead(out.shape());
        int[] aOff = Broadcast.offsets(lead(as), batch), bOff = Broadcast.offsets(lead(bs), batch);
        double[] da = new double[a.data().length], db = new double[b.data().length];
        for (int t = 0; t < aOff.length; t++) {
            int ab = aOff[t] * m * k, bb = bOff[t] * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double g = dy[(t * m + i) * n + j];
                    if (g == 0) continue;
                    for (int p = 0; p < k; p++) {
                        int bi = op.transposeB() ? bb + j * k + p : bb + p * n + j;
                        da[ab + i * k + p] += g * b.data()[bi];
                        db[bi] += g * a.data()[ab + i * k + p];
                    }
                }
            }
        }
        return new Grad(new double[][] {da, db}, NONE);
    }

    private static Shape lead(Shape s) {
        int[] d = new int[s.rank() - 2];
        System.arraycopy(s.dims(), 0, d, 0, d.length);
        return new Shape(d);
    }

    private static Grad softmax(Softmax op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        Shape s = out.shape();
        Axis v = Axis.of(s, op.axis());
        float[] y = out.data();
        double[] dx = new double[y.length];
        for (int line = 0; line < v.lines(); line++) {
            // masked positions are constants (-inf): they get no gradient and feed none
            int n = op.mask().valid(s, op.axis(), line);
            double dot = 0;
            for (int i = 0; i < n; i++) dot += y[v.offset(line, i)] * dy[v.offset(line, i)];
            for (int i = 0; i < n; i++) {
                int o = v.offset(line, i);
                dx[o] = y[o] * (dy[o] - dot);
            }
        }
        return new Grad(new double[][] {dx}, NONE);
    }

    private static Grad layerNorm(LayerNorm op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        float[] x = in.get(0).data(), gamma = op.gamma().data();
        int n = gamma.length, rows = x.length / n;
        double[] dx = new double[x.length], dg = new double[n], dbeta = new double[n];
        double[] line = new double[n], dline = new double[n], xhat = new double[n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                line[i] = x[r * n + i];
                dline[i] = dy[r * n + i] * gamma[i];
            }
            double[] d = normalized(line, dline, op.epsilon(), xhat);
            for (int i = 0; i < n; i++) {
                dx[r * n + i] = d[i];
                dg[i] += dy[r * n + i] * xhat[i];
                dbeta[i] += dy[r * n + i];
            }
        }
        return new Grad(new double[][] {dx}, new double[][] {dg, dbeta});
    }

    private static Grad axisNorm(AxisNorm op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        Shape s = in.get(0).shape();
        int a = s.axis(op.axis()), n = s.dim(a), stride = s.strides()[a], rows = s.size() == 0 ? 0 : (int) (s.size() / n);
        float[] x = in.get(0).data();
        double[] dx = new double[x.length], line = new double[n], dline = new double[n], xhat = new double[n];
        for (int r = 0; r < rows; r++) {
            int base = AxisNorm.lineStart(s, a, r);
            for (int i = 0; i < n; i++) {
                line[i] = x[base + i * stride];
                dline[i] = dy[base + i * stride];
            }
            double[] d = normalized(line, dline, op.epsilon(), xhat);
            for (int i = 0; i < n; i++) dx[base + i * stride] = d[i];
        }
        return new Grad(new double[][] {dx}, NONE);
    }

    /**
     * Gradient at x of xhat = (x - mean) / sqrt(var + eps) (biased variance) for {@code dxhat} at
     * xhat; leaves xhat in {@code xhat}.
     */
    static double[] normalized(double[] x, double[] dxhat, double eps, double[] xhat) {
        int n = x.length;
        double mean = 0;
        for (double v : x) mean += v;
        mean /= n;
        double var = 0;
        for (double v : x) var += (v - mean) * (v - mean);
        var /= n;
        double inv = 1 / Math.sqrt(var + eps);
        double sumD = 0, sumDX = 0;
        for (int i = 0; i < n; i++) {
            xhat[i] = (x[i] - mean) * inv;
            sumD += dxhat[i];
            sumDX += dxhat[i] * xhat[i];
        }
        double[] dx = new double[n];
        for (int i = 0; i < n; i++) dx[i] = inv * (dxhat[i] - sumD / n - xhat[i] * sumDX / n);
        return dx;
    }

    private static Grad batchNorm(BatchNorm op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        float[] x = in.get(0).data(), scale = op.scale().data();
        Axis v = Axis.of(in.get(0).shape(), op.axis());
        double[] dx = new double[x.length], ds = new double[scale.length], dshift = new double[scale.length];
        for (int line = 0; line < v.lines(); line++) {
            for (int c = 0; c < v.length(); c++) {
                int o = v.offset(line, c);
                dx[o] = dy[o] * scale[c];
                ds[c] += dy[o] * x[o];
                dshift[c] += dy[o];
            }
        }
        return new Grad(new double[][] {dx}, new double[][] {ds, dshift});
    }

    /** The BatchNorm's backward at the sum, then the add's to both operands. */
    private static Grad addBatchNorm(AddBatchNorm op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        FloatTensor sum = new Add().apply(in);
        Grad bn = batchNorm(op.after(), List.of(sum), out, dy);
        Grad add = binary(in, sum, bn.inputs()[0], 1, 1);
        return new Grad(add.inputs(), bn.params());
    }

    private static Grad pointwise(List<FloatTensor> in, double[] dy, java.util.function.DoubleUnaryOperator derivative) {
        float[] x = in.get(0).data();
        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) dx[i] = dy[i] == 0 ? 0 : dy[i] * derivative.applyAsDouble(x[i]);
        return new Grad(new double[][] {dx}, NONE);
    }

    static double geluDerivative(Gelu op, double x) {
        if (op.tanhApproximation()) {
            double c = Math.sqrt(2 / Math.PI);
            double t = Math.tanh(c * (x + 0.044715 * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
        }
        return 0.5 * (1 + org.tfq.ir.op.Erf.erf(x / Math.sqrt(2))) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    }

    /**
     * The square root's slope is infinite at 0, where fake quantization puts a variance plus a
     * small epsilon (RevIN's standard deviation): there the gradient is 0, the slope from the
     * left of the total function {@link UnaryFunction#total} the integer table computes.
     */
    static double unaryDerivative(UnaryFunction op, double x) {
        return switch (op.kind()) {
            case SQRT -> x > 0 ? 0.5 / Math.sqrt(x) : 0;
            case RECIPROCAL -> -1 / (x * x);
        };
    }

    /** a + sa * b or a - b: each input gets the output's gradient, summed over where it was broadcast. */
    private static Grad binary(List<FloatTensor> in, FloatTensor out, double[] dy, double sa, double sb) {
        double[] da = reduce(dy, null, in.get(0).shape(), out.shape());
        double[] db = reduce(dy, null, in.get(1).shape(), out.shape());
        for (int i = 0; i < da.length; i++) da[i] *= sa;
        for (int i = 0; i < db.length; i++) db[i] *= sb;
        return new Grad(new double[][] {da, db}, NONE);
    }

    private static Grad mul(Mul op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        FloatTensor a = in.get(0), b = in.get(1);
        return new Grad(new double[][] {reduce(dy, b, a.shape(), out.shape()), reduce(dy, a, b.shape(), out.shape())}, NONE);
    }

    /**
     * The gradient at an operand of shape {@code in} broadcast to {@code out}: dy times the other
     * factor {@code by} (broadcast too; null for 1), summed over the broadcast copies.
     */
    private static double[] reduce(double[] dy, FloatTensor by, Shape in, Shape out) {
        int[] src = Broadcast.offsets(in, out);
        int[] fo = by == null ? null : Broadcast.offsets(by.shape(), out);
        double[] d = new double[Math.toIntExact(in.size())];
        for (int i = 0; i < dy.length; i++) d[src[i]] += by == null ? dy[i] : dy[i] * by.data()[fo[i]];
        return d;
    }

    private static Grad meanPool(MeanPool op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        Axis v = Axis.of(in.get(0).shape(), op.axis());
        double[] dx = new double[in.get(0).data().length];
        for (int line = 0; line < v.lines(); line++) {
            for (int i = 0; i < v.length(); i++) dx[v.offset(line, i)] = dy[line] / v.length();
        }
        return new Grad(new double[][] {dx}, NONE);
    }

    /** The gradient goes to the element the forward picked: the first one equal to the result. */
    private static Grad maxPool(MaxPool op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        float[] x = in.get(0).data();
        Axis v = Axis.of(in.get(0).shape(), op.axis());
        double[] dx = new double[x.length];
        for (int line = 0; line < v.lines(); line++) {
            for (int i = 0; i < v.length(); i++) {
                int o = v.offset(line, i);
                if (x[o] == out.data()[line]) {
                    dx[o] = dy[line];
                    break;
                }
            }
        }
        return new Grad(new double[][] {dx}, NONE);
    }

    private static Grad layout(LayoutOp op, FloatTensor x, double[] dy) {
        int[] src = op.sourceOffsets(x.shape());
        double[] dx = new double[x.data().length];
        for (int i = 0; i < src.length; i++) dx[src[i]] += dy[i];
        return new Grad(new double[][] {dx}, NONE);
    }

    /**
     * For an op that only places its inputs' elements in its output (concat, constant padding):
     * runs the op itself on tensors of element numbers to learn where each element went, so the
     * gradient follows the forward exactly. Numbers are exact in float32 below 2^24; padding with
     * -1 marks the positions no input element reached.
     */
    private static Grad moved(FloatOp op, List<FloatTensor> in, double[] dy) {
        List<FloatTensor> numbered = new java.util.ArrayList<>();
        int total = 0;
        for (FloatTensor t : in) {
            float[] id = new float[t.data().length];
            for (int i = 0; i < id.length; i++) id[i] = total + i;
            total += id.length;
            numbered.add(new FloatTensor(t.shape(), id));
        }
        if (total >= 1 << 24) throw new UnsupportedOperationException(op.mnemonic() + " over " + total + " elements is too large to trace");
        float[] where = op.apply(numbered).data();
        double[] flat = new double[total];
        for (int i = 0; i < where.length; i++) if (where[i] >= 0) flat[(int) where[i]] += dy[i];
        double[][] d = new double[in.size()][];
        int start = 0;
        for (int j = 0; j < in.size(); j++) {
            int len = in.get(j).data().length;
            d[j] = java.util.Arrays.copyOfRange(flat, start, start + len);
            start += len;
        }
        return new Grad(d, NONE);
    }

    /**
     * Straight-through estimator: the gradient passes where the code is not clamped and stops
     * where it is. The scale's gradient is LSQ's (Esser et al. 2019): with v = x / s, round(v) - v
     * inside the range and the clamped code's distance from the zero point outside; a trainer
     * multiplies it by LSQ's gradient scale. The zero point stays as calibrated.
     */
    private static Grad fakeQuant(FakeQuant op, List<FloatTensor> in, FloatTensor out, double[] dy) {
        QuantSpec q = op.spec();
        float[] x = in.get(0).data();
        double[] dx = new double[x.length];
        double ds = 0;
        for (int i = 0; i < x.length; i++) {
            double[] local = steAndScale(q, x[i], 0);
            dx[i] = dy[i] * local[0];
            ds += dy[i] * local[1];
        }
        return new Grad(new double[][] {dx}, new double[][] {{ds}});
    }

    /** {d x'/d x (straight through), d x'/d scale (LSQ)} of one fake-quantized value of a channel. */
    static double[] steAndScale(QuantSpec q, float x, int channel) {
        float s = (float) q.scale(channel);
        long z = q.zeroPoint(channel);
        float v = x / s; // in float32, as QuantSpec.quantize rounds it
        double code = Math.rint(v) + z;
        if (code < q.qmin()) return new double[] {0, q.qmin() - z};
        if (code > q.qmax()) return new double[] {0, q.qmax() - z};
        return new double[] {1, Math.rint(v) - v};
    }
}
