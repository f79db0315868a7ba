package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tfq.compiler.Accuracy;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Node;
import org.tfq.ir.io.Npy;
import org.tfq.ir.op.IntLinear;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;

/**
 * PatchTST's RevIN de-normalization {@code y * stdev + mean} at 8 bits: with {@code --output-tail
 * wide}, what reaches the forecast only through it is stored at the output's width, what the body
 * reads is not (by default only the forecast is wide); and the per-layer
 * table follows the BatchNorms that fold across PatchTST's transposes down to the output.
 */
class OutputTailTest {
    private static final String STEM = "patchtst_n24_d16_m1";

    private static IntegerModel quantize(ImportResult r) {
        return quantize(r, QuantOptions.uniform(8));
    }

    private static IntegerModel quantize(ImportResult r, QuantOptions options) {
        FloatTensor cal = Npy.read(Cli.model(STEM + ".calibration.npy"));
        ModelInput in = r.inputs().get(0);
        List<FloatTensor> samples = new ArrayList<>();
        for (int from = 0; from < Samples.count(in, cal); from += Samples.perRun(in)) samples.add(Samples.toBound(in, cal, from));
        return Quantize.run(r.graph(), options, true, samples);
    }

    private static final QuantOptions WIDE_TAIL = new QuantOptions(8, Map.of(), QuantOptions.RangeMethod.MINMAX, true,
            QuantOptions.DEFAULT_OUTPUT_BITS, 8, 0, QuantOptions.WeightRounding.NEAREST, true);

    @Test
    void byDefaultOnlyTheForecastIsWide() {
        ImportResult r = OnnxImporter.load(Cli.model(STEM + ".onnx"), ImportOptions.DEFAULT);
        IntegerModel im = quantize(r);
        for (Node n : im.graph().nodes()) {
            int expected = n.output().name().equals("output") ? QuantOptions.DEFAULT_OUTPUT_BITS : 8;
            assertEquals(expected, n.output().type().intType().bits(), n.output().name());
        }
    }

    @Test
    void aWideTailStoresTheDenormalizationAtTheOutputWidthAndNotTheBody() {
        ImportResult r = OnnxImporter.load(Cli.model(STEM + ".onnx"), ImportOptions.DEFAULT);
        IntegerModel im = quantize(r, WIDE_TAIL);
        Map<String, Integer> bits = new HashMap<>();
        for (Node n : im.graph().nodes()) bits.put(n.output().name(), n.output().type().intType().bits());
        // the mean the forecast adds, the standard deviation and the product it multiplies, the head's forecast
        for (String tail : List.of("/model/revin_layer/ReduceMean_output_0", "/model/revin_layer/Sqrt_output_0",
                "/model/revin_layer_1/Mul_output_0", "/model/head/linear/Add_output_0", "output")) {
            assertEquals(QuantOptions.DEFAULT_OUTPUT_BITS, bits.get(tail), tail);
        }
        // the mean the normalization subtracts, the normalized window and the encoder stay at 8 bits
        for (String body : List.of("/model/revin_layer/ReduceMean_1_output_0", "/model/revin_layer/Div_output_0",
                "/model/backbone/encoder/layers.0/ff/ff.1/Mul_1_output_0")) {
            assertEquals(8, bits.get(body), body);
        }
        for (Node n : im.graph().nodes()) {
            if (n.op() instanceof IntLinear lin) assertEquals(8, lin.weightBits(), n.name());
        }
    }

    @Test
    void perLayerErrorsReachTheOutputPastFoldedBatchNorms() {
        ImportResult r = OnnxImporter.load(Cli.model(STEM + ".onnx"), ImportOptions.DEFAULT);
        IntegerModel im = quantize(r);
        FloatTensor x = Npy.read(Cli.model(STEM + ".inputs.npy"));
        LayerErrors layers = LayerErrors.measure(r, im, x);
        Map<String, LayerErrors.Row> rows = new HashMap<>();
        for (LayerErrors.Row row : layers.rows()) rows.put(row.name(), row);
        // the BatchNorm folded into the residual sum is applied after its transpose in float: the sum has no counterpart, the transposes do
        assertTrue(!rows.containsKey("/model/backbone/encoder/layers.0/Add_output_0"), rows.keySet().toString());
        assertTrue(rows.containsKey("/model/backbone/encoder/layers.0/norm_attn/norm_attn.2/Transpose_output_0"), rows.keySet().toString());
        for (String v : List.of("/model/backbone/encoder/layers.0/ff/ff.1/Mul_1_output_0", "/model/head/linear/Add_output_0", "output")) {
            assertTrue(rows.containsKey(v), v + " missing from " + rows.keySet());
        }
        // the output's row is the forecast's distance from float that evaluate reports
        Accuracy a = Accuracy.measure(r, im, x);
        double rmse = Accuracy.rmse(a.integer().data(), a.floatIr().data());
        assertEquals(rmse, rows.get("output").rmse(), 1e-6 * Math.max(1, rmse));
    }
}
