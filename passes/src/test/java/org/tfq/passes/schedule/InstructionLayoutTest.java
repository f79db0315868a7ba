package org.tfq.passes.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.Relu;
import org.tfq.ir.Shape;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;
import org.tfq.passes.quant.SmallGraphs;

/**
 * The widths the scheduler infers hold every value it puts in an instruction field, as the
 * layout sizes the field, and a field of a unit the engine leaves out is zero in every
 * instruction (so leaving out its register loses nothing).
 */
class InstructionLayoutTest {

    /** The engine the templates build. */
    static final ScheduleProgram.UnitLatencies LATENCIES = org.tfq.passes.engine.EngineLatencies.RTL;

    @ParameterizedTest
    @CsvSource({"4, 1", "4, 8", "6, 3", "8, 16"})
    void everyFieldValueFitsItsWidthAndAbsentUnitsAreZero(int bits, int lanes) {
        Random r = new Random(bits);
        List<FloatTensor> calibration = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            float[] v = new float[12 * 3];
            for (int j = 0; j < v.length; j++) v[j] = (float) r.nextGaussian();
            calibration.add(new FloatTensor(Shape.of(1, 12, 3), v));
        }
        IntegerModel m = Quantize.run(SmallGraphs.encoder(7, 12, 3, 16), QuantOptions.uniform(bits), true, calibration);
        Program p = ScheduleProgram.run(m, lanes, LATENCIES);
        assertTrue(EngineWidths.of(p).softmax() && EngineWidths.of(p).layernorm(), "the encoder has a softmax and a LayerNorm");
        assertTrue(checkFields(p) > 20 * InstructionLayout.FIELDS.size() / 2);
    }

    @Test
    void anEngineWithoutSoftmaxOrLayerNormHasNoneOfTheirFields() {
        Random r = new Random(3);
        Value x = new Value("x", TensorType.f32(1, 12, 3)), h = new Value("h", TensorType.f32(1, 12, 8)), y = new Value("y", TensorType.f32(1, 12, 8));
        Graph g = new Graph("mlp", List.of(x), List.of(y), List.of(
                new Node("fc", new Linear(SmallGraphs.random(r, 0.5, 8, 3), SmallGraphs.random(r, 0.1, 8)), List.of(x), h),
                new Node("act", new Relu(), List.of(h), y))).verify();
        List<FloatTensor> calibration = new ArrayList<>();
        for (int i = 0; i < 20; i++) calibration.add(SmallGraphs.random(r, 1, 1, 12, 3));
        Program p = ScheduleProgram.run(Quantize.run(g, QuantOptions.uniform(8), true, calibration), 4, LATENCIES);
        EngineWidths e = EngineWidths.of(p);
        assertFalse(e.softmax() || e.layernorm(), "no softmax or LayerNorm unit");
        assertTrue(InstructionLayout.fields(e).size() < InstructionLayout.FIELDS.size(), "their fields are left out");
        assertTrue(checkFields(p) > 0);
    }

    /** Every field of every instruction fits its width, or is zero when its unit is not built; returns the fields checked. */
    private static int checkFields(Program p) {
        EngineWidths e = EngineWidths.of(p);
        int checked = 0;
        for (Instruction i : p.instructions()) {
            for (InstructionLayout.Field f : InstructionLayout.FIELDS) {
                long v = f.value(i);
                if (!f.unit().built(e)) {
                    assertEquals(0, v, i.node() + ": " + f.name() + " of a unit not built");
                    continue;
                }
                int w = f.width(e);
                // two's complement or unsigned in w bits, as the ROM holds it
                boolean fits = v >= 0 ? 64 - Long.numberOfLeadingZeros(v) <= w : v >= -(1L << (w - 1));
                assertTrue(fits, i.node() + ": " + f.name() + " = " + v + " in " + w + " bits");
                checked++;
            }
        }
        return checked;
    }
}
