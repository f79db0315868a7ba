package org.tfq.cli;

import org.tfq.ir.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.tfq.compiler.Accuracy;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.SampleFiles;
import org.tfq.compiler.ScaleOriginsText;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.PlanFromTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs every sample of an input .npy through the original model with ONNX Runtime and through"
                    + " tfq's float IR of it, and reports the largest difference between the two and,"
                    + " with --targets, the RMSE of each. With --bits or --calibration (float models) or for"
                    + " a quantization-aware-trained model, also runs the integer golden model and reports"
                    + " its RMSE, its distance from the float model and, for QDQ graphs, from ONNX Runtime."
        })
final class EvaluateCommand extends TfqCommand {

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--inputs", paramLabel = "X.npy", required = true,
            description = "Input samples, shape [N, ...sample shape of the model input].")
    Path inputs;

    @Option(names = "--targets", paramLabel = "Y.npy",
            description = "Expected outputs, shape [N] or [N, ...sample shape of the model output].")
    Path targets;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "Size to bind a symbolic batch dimension to; samples run in groups of this size"
                    + " (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--per-layer", description = "With an integer model: also the error of every integer tensor against "
            + "its float counterpart, in float units and in steps of its scale (where accuracy is lost).")
    boolean perLayer;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Mixin
    QuantizationOptions quantization = new QuantizationOptions();

    @Override
    protected int run() {
        requireBatch(batch);
        requireFile(model, "the model");
        requireFile(inputs, "--inputs");
        if (targets != null) requireFile(targets, "--targets");

        Compiler compiler = new Compiler();
        ImportResult r = compiler.importModel(model, new ImportOptions(batch));
        if (r.inputs().size() != 1 || r.outputs().size() != 1) {
            throw new IrException(model + ": has " + r.inputs().size() + " inputs and " + r.outputs().size()
                    + " outputs; evaluate needs one of each");
        }
        ModelInput in = r.inputs().get(0);
        ModelInput outSpec = r.outputs().get(0);
        FloatTensor x = SampleFiles.inputs(Npy.read(inputs), in, inputs);
        int n = x.shape().dim(0);
        float[] t = targets == null ? null : SampleFiles.targets(Npy.read(targets), n, outSpec, targets);
        boolean integer = quantization.requested() || PlanFromTraining.isTrained(r.graph());
        IntegerModel im = integer ? quantization.quantize(compiler, r).model() : null;
        Accuracy a = Accuracy.measure(r, im, x);
        Map<String, Object> fields = a.fields(t, r, im);
        LayerErrors layers = perLayer && im != null ? LayerErrors.measure(r, im, x) : null;

        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("inputs", inputs.toString());
            o.put("targets", targets == null ? null : targets.toString());
            o.put("batch", batch);
            o.put("input", InspectCommand.json(in));
            o.put("output", InspectCommand.json(outSpec));
            o.putAll(fields);
            if (im != null && !im.scaleOrigins().isEmpty()) o.put("scales_not_in_the_model", ScaleOriginsText.json(im.scaleOrigins()));
            if (layers != null) o.put("layers", layers.json());
            out().print(Json.write(o));
        } else {
            PrintWriter o = out();
            o.println("model: " + model);
            o.println("input: " + InspectCommand.describe(in));
            o.println("output: " + InspectCommand.describe(outSpec));
            o.println("samples: " + n + " (" + inputs + ")");
            Object d = fields.get("max_abs_diff_onnxruntime_vs_float_ir");
            o.println("max |onnxruntime - float IR|: " + (d == null ? "n/a (" + a.onnxRuntimeUnavailable() + ")" : num((Double) d)));
            if (targets != null) {
                o.println("targets: " + targets);
                if (a.onnxRuntime() != null) o.println("rmse onnxruntime: " + num((Double) fields.get("rmse_onnxruntime")));
                o.println("rmse float IR: " + num((Double) fields.get("rmse_float_ir")));
            }
            if (im != null) {
                o.println("integer model: " + fields.get("quantization") + " quantization, " + fields.get("bits") + " bits"
                        + (fields.get("bits").equals(fields.get("activation_bits")) ? "" : ", " + fields.get("activation_bits") + "-bit activations"));
                if (!im.scaleOrigins().isEmpty()) o.println(ScaleOriginsText.line(im.scaleOrigins()));
                if (targets != null) {
                    o.println("rmse integer: " + num((Double) fields.get("rmse_int")) + " ("
                            + String.format(Locale.ROOT, "%+.2f%%", 100 * (Double) fields.get("rmse_relative_increase")) + " vs float)");
                }
                o.println("rmse integer vs float: " + num((Double) fields.get("rmse_int_vs_float")));
                Object q = fields.get("max_abs_diff_int_vs_onnxruntime");
                if (q != null) o.println("max |integer - onnxruntime (QDQ graph)|: " + num((Double) q));
            }
            if (layers != null) {
                o.println("per layer (integer dequantized vs float):");
                o.printf(Locale.ROOT, "  %-40s %-14s %4s %11s %11s %7s %11s %11s %9s %9s%n", "tensor", "op", "bits", "scale", "rmse", "steps", "mean error",
                        "float rms", "clipped", "off grid");
                for (LayerErrors.Row l : layers.rows()) {
                    o.printf(Locale.ROOT, "  %-40s %-14s %4d %11.4g %11.4g %7.2f %11.4g %11.4g %8.2f%% %8.3f%%%n", l.name(), l.op(), l.bits(), l.scale(),
                            l.rmse(), l.rmseSteps(), l.mean(), l.floatRms(), 100 * l.clipped(), 100 * l.offByOne());
                }
            }
        }
        out().flush();
        return Main.EXIT_OK;
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
