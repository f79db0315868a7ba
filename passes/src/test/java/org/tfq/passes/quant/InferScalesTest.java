package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.IntAffine;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Softmax;

class InferScalesTest {
    private static final QuantSpec SCORES = QuantSpec.perTensor(0.0371, -20, 8, true);

    /** x -> fq -> q, k linears (fq each) -> q k^T -> [reshape] -> / sqrt(8) -> [fq] -> softmax -> fq. */
    private static Graph attention(boolean quantizeScores, boolean quantizeWeights) {
        Random r = new Random(3);
        List<Node> nodes = new ArrayList<>();
        Value x = new Value("x", TensorType.f32(1, 6, 8));
        int[] k = {0};
        java.util.function.BiFunction<FloatOp, Value[], Value> add = (op, in) -> {
            Value v = new Value("v" + k[0], op.resultType(java.util.Arrays.stream(in).map(Value::type).toList()));
            nodes.add(new Node("n" + k[0]++, op, List.of(in), v));
            return v;
        };
        Value xq = add.apply(new FakeQuant(QuantSpec.perTensor(0.02, 3, 8, true)), new Value[] {x});
        QuantSpec wq = QuantSpec.perTensor(0.01, 0, 8, true);
        Value q = add.apply(new Linear(onGrid(SmallGraphs.random(r, 0.4, 8, 8), wq), null, quantizeWeights ? wq : null), new Value[] {xq});
        q = add.apply(new FakeQuant(QuantSpec.perTensor(0.03, 1, 8, true)), new Value[] {q});
        Value kk = add.apply(new Linear(onGrid(SmallGraphs.random(r, 0.4, 8, 8), wq), null, wq), new Value[] {xq});
        kk = add.apply(new FakeQuant(QuantSpec.perTensor(0.028, -2, 8, true)), new Value[] {kk});
        Value s = add.apply(new MatMul(true), new Value[] {q, kk});
        s = add.apply(new Reshape(org.tfq.ir.Shape.of(1, 6, 6)), new Value[] {s});
        s = add.apply(new MulConstant(FloatTensor.scalar((float) (1 / Math.sqrt(8)))), new Value[] {s});
        if (quantizeScores) s = add.apply(new FakeQuant(SCORES), new Value[] {s});
        s = add.apply(new Softmax(-1), new Value[] {s});
        s = add.apply(new FakeQuant(QuantSpec.perTensor(1 / 255.0, -128, 8, true)), new Value[] {s});
        return new Graph("attn", List.of(x), List.of(s), nodes).verify();
    }

    /** Weights as a QAT export holds them: already fake-quantized. */
    private static FloatTensor onGrid(FloatTensor w, QuantSpec q) {
        float[] v = w.data().clone();
        for (int i = 0; i < v.length; i++) v[i] = q.fakeQuantize(v[i], 0);
        return new FloatTensor(w.shape(), v);
    }

    @Test
    void quantizerAfterTheScalingGivesTheMatMulItsGrid() {
        Graph g = attention(true, true);
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), false, null);
        // the relabelling by 1/sqrt(8) lands exactly on the trained grid: no requantization follows
        Value scores = m.graph().nodes().stream().filter(n -> n.name().equals("n7")).findFirst().orElseThrow().output();
        assertEquals(SCORES.intType(), scores.type().intType());
        assertFalse(m.graph().nodes().stream().anyMatch(n -> n.op() instanceof IntAffine), m.graph().toString());
        assertEquals(List.of("v5"), List.copyOf(m.scaleOrigins().inferred().keySet()));
        double[] e = errorInCodes(g, m);
        // a scores code one off (a rounding tie upstream) moves a probability by up to 3 codes
        assertTrue(e[0] < 0.1 && e[1] <= 3.01, "mean " + e[0] + ", max " + e[1] + " codes");
    }

    @Test
    void scoresWithoutAnyQuantizerKeepTheirAccumulatorWithinTheSoftmaxTable() {
        Graph g = attention(false, true);
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), false, null);
        assertTrue(m.scaleOrigins().calibrated().isEmpty() && m.scaleOrigins().inferred().isEmpty(), m.scaleOrigins().toString());
        assertEquals(List.of("v5"), List.copyOf(m.scaleOrigins().internal().keySet()));
        Value scores = m.graph().nodes().stream().filter(n -> n.name().equals("n5")).findFirst().orElseThrow().output();
        // S_q S_k = 0.03 * 0.028; the softmax (n = 6, S_out = 1/255: 2^(F+1) >= 7 * 255 * 64, F = 16)
        // reads it times 1/sqrt(8): the finest step whose table has at most 1024 entries is
        // 17 ln 2 / 1024 = 0.01151, so 2^r 0.00084 / sqrt(8) >= 0.01151 needs r = 6
        assertEquals(0.03 * 0.028 * 64, scores.type().intType().scale(), 1e-12);
        assertEquals(0, scores.type().intType().zeroPoint());
        // q - Z_q in [-129, 126], k - Z_k in [-126, 129], 8 terms: acc in [-133,128, 130,032], / 64: 13 bits signed
        assertEquals(13, scores.type().intType().bits());
        assertEquals(13, m.scaleOrigins().internal().get("v5"));
        double[] e = errorInCodes(g, m);
        // the float graph never rounds the scores: the internal grid adds its rounding, finer than a calibrated 8-bit one
        assertTrue(e[0] < 0.3 && e[1] <= 3.01, "mean " + e[0] + ", max " + e[1] + " codes");
    }

    @Test
    void aValueNoRangeAnalysisSizesIsNamedAndCalibratedWhenAsked() {
        // a GELU's table is indexed by its input's codes: an unquantized linear output before it has no width to keep
        Random r = new Random(4);
        Value x = new Value("x", TensorType.f32(1, 6, 8));
        QuantSpec wq = QuantSpec.perTensor(0.01, 0, 8, true);
        Value xq = new Value("xq", x.type()), h = new Value("h", x.type()), a = new Value("a", x.type()), y = new Value("y", x.type());
        Graph g = new Graph("gelu", List.of(x), List.of(y), List.of(
                new Node("q", new FakeQuant(QuantSpec.perTensor(0.02, 3, 8, true)), List.of(x), xq),
                new Node("fc", new Linear(onGrid(SmallGraphs.random(r, 0.4, 8, 8), wq), null, wq), List.of(xq), h),
                new Node("act", new org.tfq.ir.op.Gelu(false), List.of(h), a),
                new Node("out", new FakeQuant(QuantSpec.perTensor(0.01, 0, 8, true)), List.of(a), y))).verify();
        String msg = assertThrows(QuantizationException.class, () -> Quantize.run(g, QuantOptions.uniform(8), false, null)).getMessage();
        assertTrue(msg.contains("value %h computed by node fc (linear) has no quantization, and none can be inferred"), msg);
        assertTrue(msg.contains("pass calibration samples"), msg);
        List<FloatTensor> cal = new ArrayList<>();
        for (int i = 0; i < 32; i++) cal.add(SmallGraphs.random(r, 1.5, 1, 6, 8));
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), false, cal);
        assertEquals(List.of("h"), m.scaleOrigins().calibrated());
        assertTrue(m.scaleOrigins().internal().isEmpty());
    }

    /** Mean and largest |integer - float| of the softmax output, in its codes (1/255), over 50 random windows. */
    private static double[] errorInCodes(Graph g, IntegerModel m) {
        Random t = new Random(9);
        double sum = 0, max = 0;
        int count = 0;
        for (int i = 0; i < 50; i++) {
            FloatTensor x = SmallGraphs.random(t, 1.2, 1, 6, 8);
            float[] f = org.tfq.ir.FloatInterpreter.run(g, x).data(), q = m.run(x).data();
            for (int j = 0; j < f.length; j++) {
                double d = Math.abs(f[j] - q[j]) * 255;
                sum += d;
                max = Math.max(max, d);
                count++;
            }
        }
        System.out.printf("integer vs float softmax: mean %.3f, max %.1f codes%n", sum / count, max);
        return new double[] {sum / count, max};
    }

    @Test
    void aWeightWithoutQuantizationIsNotACalibrationProblem() {
        Graph g = attention(true, false);
        String msg = assertThrows(QuantizationException.class, () -> Quantize.run(g, QuantOptions.uniform(8), false, null)).getMessage();
        assertTrue(msg.contains("the weight of node n1 (linear) has no quantization"), msg);
        assertFalse(msg.contains("--calibration"), msg);
    }
}
