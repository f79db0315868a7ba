package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Node;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;

/**
 * The integer golden model of a QAT model against ONNX Runtime running its QDQ graph. Not equal:
 * requantization rounds half up where QuantizeLinear rounds half to even, multipliers are 16-bit
 * approximations of scale ratios, the integer softmax and LayerNorm are within one code of float,
 * and ONNX Runtime sums in float32 in its own order; an intermediate code that lands one step
 * away propagates. The stated bound: every forecast is within one quantization step of the last
 * quantized activation (the pooled features the output layer reads).
 */
class QatAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {"qat_n12_d16_m3_b8_qcdq", "qat_n12_d16_m3_b6_qcdq", "qat_n12_d16_m3_b4_qcdq"})
    void integerModelIsWithinOneStepOfTheLastQuantizedActivation(String stem) {
        Path model = Cli.model(stem + ".onnx");
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        IntegerModel im = Quantize.run(r.graph(), QuantOptions.uniform(8), false, null);
        FloatTensor x = Npy.read(Cli.model(stem + ".inputs.npy"));
        Accuracy a = Accuracy.measure(r, im, x);
        List<Node> nodes = im.graph().nodes();
        double step = nodes.get(nodes.size() - 1).input(0).type().intType().scale();
        double max = Accuracy.maxAbsDiff(a.integer().data(), a.onnxRuntime().data());
        assertTrue(max < step, stem + ": max |integer - ONNX Runtime| " + max + " is not below one step " + step);
    }
}
