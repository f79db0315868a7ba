package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tfq.ir.QuantSpec;

class PlanPostTrainingTest {

    private static QuantOptions margin(int bits, double margin) {
        return new QuantOptions(8, Map.of(), QuantOptions.RangeMethod.MINMAX, true, 16, bits, margin, QuantOptions.WeightRounding.NEAREST);
    }

    private static float[] sorted(float lo, float hi) {
        float[] v = new float[101];
        for (int i = 0; i <= 100; i++) v[i] = lo + (hi - lo) * i / 100;
        return v;
    }

    @Test
    void marginWidensBothEndsByHalfItsShareOfTheWidth() {
        QuantSpec q = PlanPostTraining.activation(sorted(-1, 3), 12, margin(12, 0.10));
        // [-1, 3] is 4 wide: 10% of it, 0.2 at each end
        double lo = q.dequantize(q.qmin(), 0), hi = q.dequantize(q.qmax(), 0);
        assertEquals(-1.2, lo, q.scale(0));
        assertEquals(3.2, hi, q.scale(0));
        assertEquals(12, q.bits());
    }

    @Test
    void anEndAtZeroStaysThere() {
        QuantSpec q = PlanPostTraining.activation(sorted(0, 2), 8, margin(8, 0.10));
        assertEquals(q.qmin(), q.zeroPoint(0), "a ReLU's output keeps every code for its positive range");
        assertEquals(2.1, q.dequantize(q.qmax(), 0), q.scale(0));
    }

    @Test
    void noMarginIsTheObservedRange() {
        QuantSpec q = PlanPostTraining.activation(sorted(-1, 3), 8, margin(8, 0));
        assertEquals(-1, q.dequantize(q.qmin(), 0), q.scale(0));
        assertEquals(3, q.dequantize(q.qmax(), 0), q.scale(0));
    }

    @Test
    void activationsWiderThanWeightsAndPerLayerWidths() {
        QuantOptions o = new QuantOptions(8, Map.of("/ff1", 4), QuantOptions.RangeMethod.MINMAX, true, 16, 12, 0,
                QuantOptions.WeightRounding.NEAREST);
        assertEquals(8, o.bitsOf("/q/MatMul"));
        assertEquals(12, o.activationBitsOf("/q/MatMul"));
        assertEquals(4, o.bitsOf("/ff1/MatMul"));
        assertEquals(4, o.activationBitsOf("/ff1/MatMul"), "--bits-for sets the layer's weights and output");
        assertTrue(QuantOptions.uniform(6).activationBits() == 6);
    }
}
