package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Linear;

/** A QAT model whose forecast is not fake-quantized keeps it at 16 bits, from the accumulator's range. */
class TrainedOutputTest {

    @Test
    void unquantizedForecastGetsTheFullAccumulatorRangeOnSixteenBits() {
        Random r = new Random(3);
        QuantSpec in = QuantSpec.perTensor(0.05, -3, 4, true);
        QuantSpec w = QuantSpec.perTensor(0.02, 0, 4, true);
        float[] wv = new float[8];
        for (int i = 0; i < 8; i++) wv[i] = (float) w.fakeQuantize((float) (r.nextGaussian() * 0.1), 0);
        Value x = new Value("x", TensorType.f32(1, 8));
        Value q = new Value("q", TensorType.f32(1, 8));
        Value y = new Value("y", TensorType.f32(1, 1));
        Linear lin = new Linear(new FloatTensor(org.tfq.ir.Shape.of(1, 8), wv), FloatTensor.scalar(0.3f).reshape(org.tfq.ir.Shape.of(1)), w);
        Graph g = new Graph("qat", List.of(x), List.of(y), List.of(
                new Node("fq", new FakeQuant(in), List.of(x), q),
                new Node("out", lin, List.of(q), y))).verify();
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(4), false, null);
        IntType o = m.graph().outputs().get(0).type().intType();
        assertEquals(16, o.bits());
        assertEquals(0, o.zeroPoint());
        for (int t = 0; t < 200; t++) {
            float[] v = new float[8];
            for (int i = 0; i < 8; i++) v[i] = (float) (r.nextGaussian() * 0.3);
            FloatTensor xt = new FloatTensor(org.tfq.ir.Shape.of(1, 8), v);
            float f = FloatInterpreter.run(g, xt).data()[0];
            float i = m.run(xt).data()[0];
            // input and weights are exact in the integer model: only the 16-bit output rounds, and the
            // requantization multiplier carries 16 bits (relative error 2^-16)
            assertTrue(Math.abs(f - i) <= o.scale() * 0.51 + Math.abs(f) * 0x1p-15, f + " vs " + i);
        }
    }
}
