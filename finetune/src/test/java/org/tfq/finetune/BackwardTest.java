package org.tfq.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.op.*;

/**
 * Every op's backward against central finite differences of its own forward, on shapes like the
 * models'. The forward is float32, so the loss sum(r * y) is summed in double, the step is large
 * enough for float32 rounding to stay far below the tolerance, and inputs keep away from kinks
 * (ReLU's 0, a maximum's runner-up) by more than the step.
 */
class BackwardTest {
    static final double H = 2e-3;

    static Arguments op(String name, FloatOp op, Shape... inputs) {
        return Arguments.of(name, op, List.of(inputs));
    }

    static Stream<Arguments> ops() {
        Random r = new Random(7);
        Shape x = Shape.of(1, 12, 16);
        return Stream.of(
                op("linear", new Linear(rand(r, Shape.of(8, 16)), rand(r, Shape.of(8))), x),
                op("linear without bias", new Linear(rand(r, Shape.of(8, 16)), null), x),
                op("linear fused: addend and relu", new Linear(rand(r, Shape.of(8, 16)), rand(r, Shape.of(8)), null, rand(r, Shape.of(1, 12, 8)), true), x),
                op("linear fused: row addend", new Linear(rand(r, Shape.of(8, 16)), null, null, rand(r, Shape.of(1, 12, 1)), false), x),
                op("matmul q k^T", new MatMul(true), Shape.of(1, 2, 12, 8), Shape.of(1, 2, 12, 8)),
                op("matmul broadcast", new MatMul(false), Shape.of(2, 3, 6, 4), Shape.of(1, 3, 4, 5)),
                op("softmax", new Softmax(-1), Shape.of(1, 2, 12, 12)),
                op("softmax causal", new Softmax(3, new CausalMask(1)), Shape.of(1, 2, 12, 12)),
                op("softmax middle axis", new Softmax(1), Shape.of(1, 12, 4)),
                op("layernorm", new LayerNorm(rand(r, Shape.of(16)), rand(r, Shape.of(16)), 1e-5), x),
                op("axis norm", new AxisNorm(1, 1e-5), Shape.of(1, 12, 3)),
                op("batchnorm", new BatchNorm(rand(r, Shape.of(16)), rand(r, Shape.of(16)), 1), Shape.of(1, 16, 12)),
                op("add_batchnorm", new AddBatchNorm(new BatchNorm(rand(r, Shape.of(16)), rand(r, Shape.of(16)), 2)), x, Shape.of(1, 1, 16)),
                op("gelu erf", new Gelu(false), x),
                op("gelu tanh", new Gelu(true), x),
                op("relu", new Relu(), x),
                op("add", new Add(), x, x),
                op("add broadcast", new Add(), x, Shape.of(1, 1, 16)),
                op("sub broadcast", new Sub(), x, Shape.of(1, 12, 1)),
                op("mul broadcast", new Mul(), Shape.of(1, 12, 1), x),
                op("add_const", new AddConstant(rand(r, Shape.of(1, 12, 16))), x),
                op("add_const broadcast", new AddConstant(rand(r, Shape.of(1, 12, 16))), Shape.of(1, 1, 16)),
                op("mul_const", new MulConstant(FloatTensor.scalar(0.25f)), x),
                op("mul_const per feature", new MulConstant(rand(r, Shape.of(16))), x),
                op("mean pool", new MeanPool(1, false), x),
                op("mean pool keep", new MeanPool(-1, true), x),
                op("max pool", new MaxPool(1, false, false), x),
                op("min pool", new MaxPool(2, true, true), x),
                op("reshape", new Reshape(Shape.of(1, 12, 4, 4)), x),
                op("transpose", new Transpose(new int[] {0, 2, 1}), x),
                op("slice", new Slice(1, 3, 9), x),
                op("select", new Select(1, 11), x),
                op("window", StridedView.window(Shape.of(1, 24, 3), 1, 8, 4, 1), Shape.of(1, 24, 3)),
                op("expand", StridedView.expand(Shape.of(1, 1, 16), x), Shape.of(1, 1, 16)),
                op("strided slice", StridedView.stridedSlice(x, 1, 11, -2, 5), x),
                op("concat", new Concat(1, 3), x, Shape.of(1, 4, 16), x),
                op("pad", new PadConstant(1, 2, 3, 0.5f), x),
                op("sqrt", new UnaryFunction(UnaryFunction.Kind.SQRT), x),
                op("reciprocal", new UnaryFunction(UnaryFunction.Kind.RECIPROCAL), x));
    }

    /** Uniform in +-[0.1, 1]: no value within the finite-difference step of 0, none 0 for a reciprocal. */
    static FloatTensor rand(Random r, Shape s) {
        float[] d = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < d.length; i++) d[i] = (float) ((0.1 + 0.9 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
        return new FloatTensor(s, d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void gradientMatchesFiniteDifferences(String name, FloatOp op, List<Shape> shapes) {
        Random r = new Random(name.hashCode());
        List<FloatTensor> in = new ArrayList<>();
        for (Shape s : shapes) {
            FloatTensor t = rand(r, s);
            if (op instanceof UnaryFunction u && u.kind() == UnaryFunction.Kind.SQRT) t = abs(t);
            in.add(t);
        }
        FloatTensor y = op.apply(in);
        double[] dy = rand(r, y.shape()).data().length == 0 ? new double[0] : toDouble(rand(r, y.shape()));
        Grad g = Backward.of(op, in, y, dy);
        assertEquals(in.size(), g.inputs().length, name);
        for (int i = 0; i < in.size(); i++) {
            final int which = i;
            check(name + " input " + i, in.get(i), g.inputs()[i], t -> {
                List<FloatTensor> args = new ArrayList<>(in);
                args.set(which, t);
                return loss(op.apply(args), dy);
            });
        }
        List<FloatTensor> params = Backward.parameters(op);
        assertEquals(params.size(), g.params().length, name);
        for (int p = 0; p < params.size(); p++) {
            final int which = p;
            check(name + " parameter " + p, params.get(p), g.params()[p], t -> {
                List<FloatTensor> ps = new ArrayList<>(params);
                ps.set(which, t);
                return loss(Backward.withParameters(op, ps).apply(in), dy);
            });
        }
    }

    static void check(String what, FloatTensor at, double[] analytic, java.util.function.ToDoubleFunction<FloatTensor> loss) {
        float[] x = at.data();
        assertEquals(x.length, analytic.length, what);
        double scale = 0;
        for (double a : analytic) scale = Math.max(scale, Math.abs(a));
        assertTrue(scale > 0, what + ": gradient is identically zero");
        for (int i = 0; i < x.length; i++) {
            float[] plus = x.clone(), minus = x.clone();
            plus[i] += (float) H;
            minus[i] -= (float) H;
            double step = (double) plus[i] - minus[i];
            double fd = (loss.applyAsDouble(new FloatTensor(at.shape(), plus)) - loss.applyAsDouble(new FloatTensor(at.shape(), minus))) / step;
            assertEquals(fd, analytic[i], 2e-3 * scale + 1e-4, what + " element " + i);
        }
    }

    static double loss(FloatTensor y, double[] r) {
        double l = 0;
        for (int i = 0; i < r.length; i++) l += y.data()[i] * r[i];
        return l;
    }

    static double[] toDouble(FloatTensor t) {
        double[] d = new double[t.data().length];
        for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
        return d;
    }

    static FloatTensor abs(FloatTensor t) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]);
        return new FloatTensor(t.shape(), d);
    }

    /** Rounding is flat almost everywhere, so finite differences cannot check it: the estimator's values by hand. */
    @Test
    void fakeQuantPassesStraightThroughInRangeAndGivesLsqScaleGradients() {
        // scale 0.5, zero point -2, codes -8..7: x in [-3, 4.5] is in range
        QuantSpec q = QuantSpec.perTensor(0.5, -2, 4, true);
        FakeQuant op = new FakeQuant(q);
        FloatTensor x = new FloatTensor(Shape.of(4), new float[] {0.7f, -5f, 6f, 2.25f});
        Grad g = Backward.of(op, List.of(x), op.apply(List.of(x)), new double[] {1, 1, 1, 2});
        assertArrayEquals(new double[] {1, 0, 1 * 0, 2}, g.inputs()[0], 1e-12);
        // v = 1.4 -> round 1: 1 - 1.4; below: qmin - z = -6; above: qmax - z = 9; v = 4.5 -> 4 (half to even): 2 * (4 - 4.5)
        assertEquals((1 - 1.4) - 6 + 9 + 2 * (4 - 4.5), g.params()[0][0], 1e-6);
    }

    /** A variance fake-quantized to 0 under a square root: a finite gradient, not an infinite one that turns the model's gradients into NaN. */
    @Test
    void squareRootOfZeroHasAFiniteGradient() {
        UnaryFunction sqrt = new UnaryFunction(UnaryFunction.Kind.SQRT);
        FloatTensor x = new FloatTensor(Shape.of(2), new float[] {0f, 4f});
        Grad g = Backward.of(sqrt, List.of(x), sqrt.apply(List.of(x)), new double[] {1, 1});
        assertArrayEquals(new double[] {0, 0.25}, g.inputs()[0], 1e-12);
    }
}
