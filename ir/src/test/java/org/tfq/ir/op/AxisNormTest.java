package org.tfq.ir.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntLayerNorm;

/** Normalization over time, per channel: a window [1, 3 steps, 2 channels] normalized along axis 1. */
class AxisNormTest {

    // steps (1, 0), (2, 0), (3, 6): channel 0 is 1, 2, 3 (mean 2, var 2/3), channel 1 is 0, 0, 6 (mean 2, var 8)
    static final long[] CODES = {1, 0, 2, 0, 3, 6};

    @Test
    void floatNormalizesEachChannelOverTime() {
        float[] x = new float[CODES.length];
        for (int i = 0; i < x.length; i++) x[i] = CODES[i];
        float[] y = new AxisNorm(1, 0).apply(List.of(new FloatTensor(Shape.of(1, 3, 2), x))).data();
        double a = 1 / Math.sqrt(2.0 / 3), b = 1 / Math.sqrt(8);
        double[] expected = {-a, -2 * b, 0, -2 * b, a, 4 * b}; // (x - mean) / sqrt(var)
        for (int i = 0; i < y.length; i++) assertEquals(expected[i], y[i], 1e-6, "element " + i);
    }

    /**
     * Output scale 1/32: channel 0 is -1.2247, 0, 1.2247 = -39.19, 0, 39.19 codes; channel 1 is
     * -0.7071, -0.7071, 1.4142 = -22.63, -22.63, 45.25 codes; each within the op's error bound
     * (below 0.2 code) of the nearest code, so rounding once gives these.
     */
    @Test
    void integerNormalizesEachChannelOverTimeByHand() {
        IntType in = new IntType(8, true, 1.0, 0), out = new IntType(8, true, 1.0 / 32, 0);
        IntLayerNorm ln = IntLayerNorm.of(in, new double[] {1, 1, 1}, new double[3], 0, out);
        IntLayerNormOp op = new IntLayerNormOp(in, ln, 1, out);
        assertEquals(new TensorType(Shape.of(1, 3, 2), out), op.resultType(List.of(new TensorType(Shape.of(1, 3, 2), in))));
        IntTensor y = op.applyInt(List.of(new IntTensor(Shape.of(1, 3, 2), CODES)));
        assertArrayEquals(new long[] {-39, -23, 0, -23, 39, 45}, y.data());
        assertEquals("1", op.attributes().get("axis"));
        // over the last axis (the default) the same rows transposed give the same codes
        IntTensor t = new IntLayerNormOp(in, ln, out).applyInt(List.of(new IntTensor(Shape.of(1, 2, 3), new long[] {1, 2, 3, 0, 0, 6})));
        assertArrayEquals(new long[] {-39, 0, 39, -23, -23, 45}, t.data());
    }

    @Test
    void rowsOfAnotherLengthAreRefused() {
        IntType in = new IntType(8, true, 1.0, 0), out = new IntType(8, true, 1.0 / 32, 0);
        IntLayerNorm ln = IntLayerNorm.of(in, new double[] {1, 1, 1}, new double[3], 0, out);
        assertThrows(IrException.class, () -> new IntLayerNormOp(in, ln, 2, out).resultType(List.of(new TensorType(Shape.of(1, 3, 2), in))));
    }
}
