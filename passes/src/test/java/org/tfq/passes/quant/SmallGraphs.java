package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.Gelu;
import org.tfq.ir.op.LayerNorm;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.Softmax;
import org.tfq.ir.op.Transpose;

/** A one-layer Transformer encoder built directly in the float IR, with random weights. */
public final class SmallGraphs {
    private SmallGraphs() {}

    public static FloatTensor random(Random r, double scale, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * scale);
        return new FloatTensor(s, v);
    }

    /**
     * Asserts that {@code m} is at most one output code (of scale {@code outScale}) off the float
     * graph {@code g} on 100 random inputs of shape {@code dims}, and more than half a code off for
     * under {@code maxOffFraction} of the outputs.
     */
    static void assertWithinAboutOneCode(Graph g, IntegerModel m, double outScale, double maxOffFraction, int... dims) {
        Random r = new Random(9);
        int off = 0, total = 0;
        for (int trial = 0; trial < 100; trial++) {
            FloatTensor x = random(r, 1.5, dims);
            float[] f = FloatInterpreter.run(g, x).data(), q = m.run(x).data();
            for (int i = 0; i < f.length; i++) {
                double codes = Math.abs(f[i] - q[i]) / outScale;
                assertTrue(codes <= 1.01, "codes off " + codes);
                if (codes > 0.5) off++;
                total++;
            }
        }
        assertTrue(off < maxOffFraction * total, off + " of " + total + " outputs a code off");
    }

    private static final class Builder {
        final List<Node> nodes = new ArrayList<>();
        int k;

        Value add(FloatOp op, Value... in) {
            TensorType t = op.resultType(List.of(in).stream().map(Value::type).toList());
            Value v = new Value("v" + k, t);
            nodes.add(new Node("layer" + k++, op, List.of(in), v));
            return v;
        }
    }

    /** input [1,n,m] -> linear -> +pe -> attention -> add -> layernorm -> ffn (gelu) -> add -> batchnorm -> pool -> linear. */
    public static Graph encoder(long seed, int n, int m, int d) {
        Random r = new Random(seed);
        Builder b = new Builder();
        Value x = new Value("x", TensorType.f32(1, n, m));
        double ws = 1 / Math.sqrt(d);
        Value h = b.add(new Linear(random(r, 1, d, m), random(r, 0.1, d)), x);
        h = b.add(new AddConstant(random(r, 0.5, 1, n, d)), h);
        Value q = b.add(new Linear(random(r, ws, d, d), random(r, 0.1, d)), h);
        Value k = b.add(new Linear(random(r, ws, d, d), random(r, 0.1, d)), h);
        Value v = b.add(new Linear(random(r, ws, d, d), random(r, 0.1, d)), h);
        Value s = b.add(new MatMul(true), q, k);
        s = b.add(new MulConstant(FloatTensor.scalar((float) ws)), s);
        Value p = b.add(new Softmax(2), s);
        Value a = b.add(new MatMul(false), p, v);
        a = b.add(new Linear(random(r, ws, d, d), random(r, 0.1, d)), a);
        h = b.add(new Add(), h, a);
        h = b.add(new LayerNorm(random(r, 0.2, d), random(r, 0.1, d), 1e-5), h);
        Value f = b.add(new Linear(random(r, ws, 2 * d, d), random(r, 0.1, 2 * d)), h);
        f = b.add(new Gelu(false), f);
        f = b.add(new Linear(random(r, 1 / Math.sqrt(2 * d), d, 2 * d), random(r, 0.1, d)), f);
        h = b.add(new Add(), h, f);
        Value t = b.add(new Transpose(new int[] {0, 2, 1}), h);
        t = b.add(BatchNorm.fold(random(r, 0.3, d), random(r, 0.1, d), random(r, 0.1, d),
                ones(d), 1e-5, 1), t);
        h = b.add(new Transpose(new int[] {0, 2, 1}), t);
        Value g = b.add(new Linear(random(r, ws, d, d), null), h);
        g = b.add(new Relu(), g);
        Value pooled = b.add(new MeanPool(1, false), g);
        Value y = b.add(new Linear(random(r, ws, 1, d), random(r, 0.1, 1)), pooled);
        return new Graph("encoder", List.of(x), List.of(y), b.nodes).verify();
    }

    private static FloatTensor ones(int d) {
        float[] v = new float[d];
        java.util.Arrays.fill(v, 1f);
        return new FloatTensor(Shape.of(d), v);
    }

    static List<FloatTensor> inputs(long seed, int count, int n, int m) {
        Random r = new Random(seed);
        List<FloatTensor> xs = new ArrayList<>();
        for (int i = 0; i < count; i++) xs.add(random(r, 1, 1, n, m));
        return xs;
    }
}
