package org.tfq.compiler;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tfq.ir.FloatTensor;
import org.tfq.onnx.FloatReference;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImportException;
import org.tfq.onnx.OnnxRuntimeRunner;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.PlanFromTraining;

/**
 * The three references side by side on the same samples: ONNX Runtime on the original file,
 * tfq's float IR, and the integer golden model (host quantization and dequantization included).
 */
public record Accuracy(int samples, FloatTensor onnxRuntime, String onnxRuntimeUnavailable, FloatTensor floatIr,
        FloatTensor integer) {

    public static Accuracy measure(ImportResult model, IntegerModel integer, FloatTensor x) {
        ModelInput in = model.inputs().get(0);
        ModelInput out = model.outputs().get(0);
        int n = Samples.count(in, x);
        FloatTensor ort = null;
        String why = null;
        try {
            ort = OnnxRuntimeRunner.runSamples(model.source(), in, out, x);
        } catch (OnnxImportException e) {
            // QONNX's Quant is not an ONNX Runtime op: the float IR is then the only float reference
            why = e.getMessage();
        }
        FloatTensor fl = FloatReference.runSamples(model, x);
        return new Accuracy(n, ort, why, fl, integer == null ? null : integerOutputs(model, integer, x));
    }

    /** The integer golden model's forecasts of every sample, quantized in and dequantized out as the host would. */
    public static FloatTensor integerOutputs(ImportResult model, IntegerModel integer, FloatTensor x) {
        ModelInput in = model.inputs().get(0);
        ModelInput out = model.outputs().get(0);
        int n = Samples.count(in, x);
        float[] stack = Samples.newStack(out, n);
        for (int from = 0; from < n; from += Samples.perRun(in)) {
            Samples.fromBound(out, integer.run(Samples.toBound(in, x, from)), stack, n, from);
        }
        return new FloatTensor(Samples.stackShape(out, n), stack);
    }

    /** The JSON fields of evaluate and of compile's report; RMSEs only with targets. */
    public Map<String, Object> fields(float[] targets, ImportResult model, IntegerModel integer) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("samples", samples);
        o.put("max_abs_diff_onnxruntime_vs_float_ir", onnxRuntime == null ? null : maxAbsDiff(onnxRuntime.data(), floatIr.data()));
        if (onnxRuntimeUnavailable != null) o.put("onnxruntime_unavailable", onnxRuntimeUnavailable);
        o.put("rmse_onnxruntime", targets == null || onnxRuntime == null ? null : rmse(onnxRuntime.data(), targets));
        Double rf = targets == null ? null : rmse(floatIr.data(), targets);
        o.put("rmse_float_ir", rf);
        if (integer != null) {
            boolean trained = PlanFromTraining.isTrained(model.graph());
            Errors e = targets == null ? null : errors(targets);
            o.put("quantization", trained ? "trained" : "post-training");
            // --bits: the weights' width when activations are wider (a trained model's weights
            // may take a bit more than its activations in hardware, for their zero point)
            o.put("bits", Math.min(bitsOf(integer), weightBitsOf(integer)));
            o.put("activation_bits", bitsOf(integer));
            o.put("weight_bits", weightBitsOf(integer));
            o.put("rmse_float", rf);
            o.put("rmse_int", e == null ? null : e.rmseInt());
            o.put("rmse_relative_increase", e == null ? null : e.relativeIncrease());
            o.put("rmse_int_vs_float", rmse(this.integer.data(), floatIr.data()));
            o.put("max_abs_diff_int_vs_onnxruntime", onnxRuntime == null || !trained ? null
                    : maxAbsDiff(this.integer.data(), onnxRuntime.data()));
        }
        return o;
    }

    /** The integer model's errors against the targets and against the float IR. */
    public record Errors(double rmseFloat, double rmseInt, double relativeIncrease, double intVsFloat) {}

    /** {@link Errors} of the integer model (measured with one) on {@code targets}. */
    public Errors errors(float[] targets) {
        double rf = rmse(floatIr.data(), targets), ri = rmse(integer.data(), targets);
        return new Errors(rf, ri, ri / rf - 1, rmse(integer.data(), floatIr.data()));
    }

    /** The width most values have: what "--bits" meant for this model. */
    public static int bitsOf(IntegerModel m) {
        return mostCommon(m.graph().nodes().stream().map(n -> n.output().type().intType().bits())).orElseThrow();
    }

    /** The most frequent width, the narrowest among equals. */
    private static java.util.Optional<Integer> mostCommon(java.util.stream.Stream<Integer> widths) {
        Map<Integer, Integer> count = new java.util.TreeMap<>();
        widths.forEach(b -> count.merge(b, 1, Integer::sum));
        return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
    }

    /** "8-bit activations", or "8-bit weights, 12-bit activations" when the activations are the wider. */
    public static String widths(IntegerModel m) {
        int a = bitsOf(m), w = weightBitsOf(m);
        return (w < a ? w + "-bit weights, " : "") + a + "-bit activations";
    }

    /** The most common weight width of the model's linear layers (its activation width when it has none). */
    public static int weightBitsOf(IntegerModel m) {
        return mostCommon(m.graph().nodes().stream().filter(n -> n.op() instanceof org.tfq.ir.op.IntLinear)
                .map(n -> ((org.tfq.ir.op.IntLinear) n.op()).weightBits())).orElseGet(() -> bitsOf(m));
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - (double) b[i]);
            if (Double.isNaN(d)) return Double.NaN;
            m = Math.max(m, d);
        }
        return m;
    }

    public static double rmse(float[] predicted, float[] target) {
        double sum = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = (double) predicted[i] - (double) target[i];
            sum += d * d;
        }
        return Math.sqrt(sum / predicted.length);
    }
}
