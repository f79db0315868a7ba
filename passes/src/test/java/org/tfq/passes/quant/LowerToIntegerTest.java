package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.op.IntOp;

class LowerToIntegerTest {

    private static final Graph ENCODER = SmallGraphs.encoder(7, 12, 3, 16);
    private static final List<FloatTensor> CALIBRATION = SmallGraphs.inputs(1, 200, 12, 3);

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    void everyOpIsIntegerAndNoWidthOverflowsOnAnyInputCodes(int bits) {
        IntegerModel m = Quantize.run(ENCODER, QuantOptions.uniform(bits), true, CALIBRATION);
        for (Node n : m.graph().nodes()) {
            assertTrue(n.op() instanceof IntOp, n.name());
            int limit = m.graph().outputs().contains(n.output()) ? QuantOptions.DEFAULT_OUTPUT_BITS : bits;
            assertTrue(n.output().type().intType().bits() <= limit, n.name() + " " + n.output().type());
        }
        // worst cases the calibration never saw: random codes over the input's whole range,
        // and the two extremes; every op checks its declared widths as it runs
        IntType in = m.graph().inputs().get(0).type().intType();
        Random r = new Random(bits);
        long[] codes = new long[12 * 3];
        for (int trial = 0; trial < 300; trial++) {
            for (int i = 0; i < codes.length; i++) {
                codes[i] = trial == 0 ? in.min() : trial == 1 ? in.max() : in.min() + r.nextInt((int) (in.max() - in.min() + 1));
            }
            IntTensor x = new IntTensor(m.graph().inputs().get(0).type().shape(), codes.clone());
            assertDoesNotThrow(() -> IntInterpreter.run(m.graph(), x));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6, 8})
    void integerModelTracksTheFloatModel(int bits) {
        IntegerModel m = Quantize.run(ENCODER, QuantOptions.uniform(bits), true, CALIBRATION);
        List<FloatTensor> test = SmallGraphs.inputs(2, 100, 12, 3);
        double err = 0, power = 0;
        for (FloatTensor x : test) {
            float f = FloatInterpreter.run(ENCODER, x).data()[0];
            float q = m.run(x).data()[0];
            err += (f - q) * (f - q);
            power += f * f;
        }
        // this random network's output hardly varies with its input, so the error is measured
        // against the output's magnitude
        double relative = Math.sqrt(err / power);
        double bound = bits == 8 ? 0.03 : bits == 6 ? 0.1 : 0.4;
        assertTrue(relative < bound, bits + " bits: relative RMSE " + relative);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MINMAX", "PERCENTILE", "MSE"})
    void everyRangeMethodGivesAUsableSixBitModel(String method) {
        QuantOptions o = new QuantOptions(6, Map.of(), QuantOptions.RangeMethod.valueOf(method), false);
        IntegerModel m = Quantize.run(ENCODER, o, true, CALIBRATION);
        double err = 0, power = 0;
        for (FloatTensor x : SmallGraphs.inputs(3, 50, 12, 3)) {
            float f = FloatInterpreter.run(ENCODER, x).data()[0];
            float q = m.run(x).data()[0];
            err += (f - q) * (f - q);
            power += f * f;
        }
        assertTrue(Math.sqrt(err / power) < 0.1, method + ": relative RMSE " + Math.sqrt(err / power));
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 8})
    void mixedPrecisionAppliesToTheNamedLayer(int bits) {
        QuantOptions o = new QuantOptions(8, Map.of("layer12", bits), QuantOptions.RangeMethod.MINMAX, false);
        IntegerModel m = Quantize.run(ENCODER, o, true, CALIBRATION);
        Node ffn = m.graph().nodes().stream().filter(n -> n.name().equals("layer12")).findFirst().orElseThrow();
        assertEquals(bits, ffn.output().type().intType().bits());
    }
}
