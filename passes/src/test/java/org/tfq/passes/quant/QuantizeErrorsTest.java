package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Relu;

class QuantizeErrorsTest {

    /** The API's message, which names settings, not a command line's options. */
    private static String message(Runnable r) {
        String m = assertThrows(QuantizationException.class, r::run).getMessage();
        assertFalse(m.contains("--"), m);
        return m;
    }

    @Test
    void aCallerNamesTheSettingsItsOwnWay() {
        QuantizationException e = assertThrows(QuantizationException.class, () -> QuantOptions.uniform(1));
        assertEquals("--width=1: tfq quantizes to 2..8 bits", e.message(Map.of(QuantizationException.Setting.BITS, "--width")));
        // a name from the model is an argument, never read as a format or a setting
        QuantizationException named = new QuantizationException("node %s has no %s", "%d {bits} %s", QuantizationException.Setting.CALIBRATION);
        assertEquals("node %d {bits} %s has no --calibration", named.message(Map.of(QuantizationException.Setting.CALIBRATION, "--calibration")));
        assertEquals("node 100% {x}", new QuantizationException("node 100% {x}").message(Map.of()), "a message without settings is as it is");
    }

    @Test
    void bitsOutsideTwoToEight() {
        assertTrue(message(() -> QuantOptions.uniform(1)).contains("bits=1: tfq quantizes to 2..8 bits"));
        assertTrue(message(() -> QuantOptions.uniform(9)).contains("2..8"));
        assertTrue(message(() -> new QuantOptions(8, Map.of("ffn", 12), QuantOptions.RangeMethod.MINMAX, false)).contains("bitsFor ffn=12"));
    }

    @Test
    void activationWidthAndMarginOutsideTheirRanges() {
        Map<String, Integer> none = Map.of();
        QuantOptions.RangeMethod mm = QuantOptions.RangeMethod.MINMAX;
        QuantOptions.WeightRounding nearest = QuantOptions.WeightRounding.NEAREST;
        assertTrue(message(() -> new QuantOptions(8, none, mm, true, 16, 17, 0, nearest)).contains("activationBits=17: activations are 2..16 bits wide"));
        assertTrue(message(() -> new QuantOptions(8, none, mm, true, 16, 1, 0, nearest)).contains("activationBits=1"));
        assertTrue(message(() -> new QuantOptions(8, none, mm, true, 16, 12, -0.01, nearest)).contains("rangeMargin=-1.0%: use 0 to 100 percent"));
        assertTrue(message(() -> new QuantOptions(8, none, mm, true, 16, 12, Double.NaN, nearest)).contains("rangeMargin"));
    }

    @Test
    void trainedModelRefusesPostTrainingOptions() {
        Value x = new Value("x", TensorType.f32(1, 4));
        Value q = new Value("q", TensorType.f32(1, 4));
        Graph g = new Graph("qat", List.of(x), List.of(q), List.of(
                new Node("fq", new FakeQuant(QuantSpec.perTensor(0.1, 0, 8, true)), List.of(x), q))).verify();
        Map<String, Integer> none = Map.of();
        QuantOptions.RangeMethod mm = QuantOptions.RangeMethod.MINMAX;
        assertTrue(message(() -> Quantize.run(g, new QuantOptions(8, none, mm, true, 16, 12, 0, QuantOptions.WeightRounding.NEAREST), false, null))
                .contains("activationBits applies to float models"));
        assertTrue(message(() -> Quantize.run(g, new QuantOptions(8, none, mm, true, 16, 8, 0.05, QuantOptions.WeightRounding.NEAREST), false, null))
                .contains("rangeMargin applies to float models"));
        assertTrue(message(() -> Quantize.run(g, new QuantOptions(8, none, mm, true, 16, 8, 0, QuantOptions.WeightRounding.GPTQ), false, null))
                .contains("weightRounding applies to float models"));
    }

    @Test
    void floatModelWithoutCalibrationSaysWhatToPass() {
        Graph g = SmallGraphs.encoder(1, 4, 2, 8);
        assertTrue(message(() -> Quantize.run(g, QuantOptions.uniform(8), true, null)).contains("pass calibration samples"));
    }

    @Test
    void bitsForNamingNoLayer() {
        Graph g = SmallGraphs.encoder(1, 4, 2, 8);
        QuantOptions o = new QuantOptions(8, Map.of("/enc/nothing", 4), QuantOptions.RangeMethod.MINMAX, false);
        String msg = message(() -> Quantize.run(g, o, true, SmallGraphs.inputs(1, 4, 4, 2)));
        assertTrue(msg.contains("bitsFor /enc/nothing: no layer of that name; names are listed by the float IR"), msg);
    }

    @Test
    void trainedModelRefusesOtherBits() {
        Value x = new Value("x", TensorType.f32(1, 4));
        Value q = new Value("q", TensorType.f32(1, 4));
        Value y = new Value("y", TensorType.f32(1, 4));
        Graph g = new Graph("qat", List.of(x), List.of(y), List.of(
                new Node("fq", new FakeQuant(QuantSpec.perTensor(0.1, 0, 4, true)), List.of(x), q),
                new Node("relu", new Relu(), List.of(q), y))).verify();
        String msg = message(() -> Quantize.run(g, QuantOptions.uniform(8), true, null));
        assertTrue(msg.contains("trained with quantization at [4] bits; bits 8 disagrees"), msg);
        // without --bits it lowers with its own width
        IntegerModel m = Quantize.run(g, QuantOptions.uniform(8), false, null);
        assertTrue(m.graph().outputs().get(0).type().intType().bits() == 4);
    }
}
