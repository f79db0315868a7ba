package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Linear;

/**
 * Fake quantization written as arithmetic (elastic-ai.creator's QParams, hand-written QAT):
 * recognised as a quantization point on an activation and as a quantized weight on a constant,
 * in its variants (Mul by the inverse scale, zero point after Round, Min/Max for Clip).
 */
class ArithmeticFakeQuantTest {

    @TempDir
    Path dir;

    /** x * (1/0.25) -> Round -> + (-2) -> Max -8 -> Min 7 -> - (-2) -> * 0.25; weight w/0.1 -> Round -> Clip [-7, 7] -> * 0.1 -> MatMul. */
    private Path model(float backScale) throws IOException {
        float[] w = OnnxBuilder.seq(12, 0.8f);
        float[] codes = new float[w.length];
        for (int i = 0; i < w.length; i++) codes[i] = w[i] / 0.1f;
        return new OnnxBuilder().opset(13).input("x", 1, 5, 4).output("y", 1, 5, 3)
                .scalar("inv", 4f).scalar("z", -2f).scalar("lo", -8f).scalar("hi", 7f).scalar("s", 0.25f).scalar("back", backScale)
                .initializer("wc", codes, 4, 3).scalar("wlo", -7f).scalar("whi", 7f).scalar("sw", 0.1f)
                .node("Mul", new String[] {"x", "inv"}, new String[] {"t"})
                .node("Round", "t", "r")
                .node("Add", new String[] {"r", "z"}, new String[] {"rz"})
                .node("Max", new String[] {"rz", "lo"}, new String[] {"m1"})
                .node("Min", new String[] {"m1", "hi"}, new String[] {"m2"})
                .node("Sub", new String[] {"m2", "z"}, new String[] {"q"})
                .node("Mul", new String[] {"q", "back"}, new String[] {"xd"})
                .node("Round", "wc", "wr")
                .node("Clip", new String[] {"wr", "wlo", "whi"}, new String[] {"wcl"})
                .node("Mul", new String[] {"wcl", "sw"}, new String[] {"wd"})
                .node("MatMul", new String[] {"xd", "wd"}, new String[] {"y"})
                .write(dir, "arith.onnx");
    }

    @Test
    void activationAndWeightChainsAreQuantizers() throws IOException {
        Path p = model(0.25f);
        ImportResult r = OnnxImporter.load(p, ImportOptions.DEFAULT);
        assertEquals(2, r.graph().nodes().size(), r.graph().opCounts().toString());
        QuantSpec in = ((FakeQuant) r.graph().nodes().get(0).op()).spec();
        assertEquals(4, in.bits(), "width from the bounds [-8, 7]");
        assertTrue(in.signed());
        assertEquals(-2, in.zeroPoint(0));
        assertEquals(0.25, in.scale(0));
        QuantSpec w = ((Linear) r.graph().nodes().get(1).op()).weightQuant();
        assertEquals(4, w.bits());
        assertEquals(-7, w.qmin());
        assertEquals(0.1f, (float) w.scale(0));

        FloatTensor x = new FloatTensor(Shape.of(7, 5, 4), OnnxBuilder.seq(140, 2f));
        FloatTensor ort = OnnxRuntimeRunner.runSamples(p, r.inputs().get(0), r.outputs().get(0), x);
        FloatTensor ours = FloatReference.runSamples(r, x);
        for (int i = 0; i < ort.data().length; i++) {
            assertEquals(ort.data()[i], ours.data()[i], 1e-5, "element " + i);
        }
    }

    @Test
    void aChainThatDoesNotScaleBackIsNotAQuantizer() throws IOException {
        ImportResult r = null;
        try {
            r = OnnxImporter.load(model(0.5f), ImportOptions.DEFAULT);
        } catch (OnnxImportException e) {
            assertTrue(e.getMessage().contains("Round"), e.getMessage());
        }
        assertNull(r, "dequantized with another scale: refused, not taken for a quantizer");
    }
}
