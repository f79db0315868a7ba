package org.tfq.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.OnnxRuntimeRunner;
import org.tfq.onnx.Samples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs every sample of an input .npy through the original model with ONNX Runtime and through"
                    + " tfq's float IR of it, and reports the largest difference between the two and,"
                    + " with --targets, the RMSE of each."
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

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    protected int run() {
        requireBatch(batch);
        requireFile(model, "the model");
        requireFile(inputs, "--inputs");
        if (targets != null) requireFile(targets, "--targets");

        ImportResult r = OnnxImporter.load(model, new ImportOptions(batch));
        if (r.inputs().size() != 1 || r.outputs().size() != 1) {
            throw new IrException(model + ": has " + r.inputs().size() + " inputs and " + r.outputs().size()
                    + " outputs; evaluate needs one of each");
        }
        ModelInput in = r.inputs().get(0);
        ModelInput outSpec = r.outputs().get(0);
        if (Samples.perRun(outSpec) != Samples.perRun(in)) {
            throw new IrException(model + ": output '" + outSpec.name() + "' " + outSpec.shape()
                    + " does not keep the batch of input '" + in.name() + "' " + in.shape());
        }

        FloatTensor x = samples(Npy.read(inputs), in);
        int n = x.shape().dim(0);
        FloatTensor reference = OnnxRuntimeRunner.runSamples(model, in, outSpec, x);
        FloatTensor ir = runIr(r, in, outSpec, x, n);

        double maxDiff = maxAbsDiff(reference.data(), ir.data());
        Double rmseOrt = null;
        Double rmseIr = null;
        if (targets != null) {
            float[] t = targets(Npy.read(targets), n, outSpec);
            rmseOrt = rmse(reference.data(), t);
            rmseIr = rmse(ir.data(), t);
        }

        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("inputs", inputs.toString());
            o.put("targets", targets == null ? null : targets.toString());
            o.put("batch", batch);
            o.put("samples", n);
            o.put("input", InspectCommand.json(in));
            o.put("output", InspectCommand.json(outSpec));
            o.put("max_abs_diff_onnxruntime_vs_float_ir", maxDiff);
            o.put("rmse_onnxruntime", rmseOrt);
            o.put("rmse_float_ir", rmseIr);
            out().print(Json.write(o));
        } else {
            PrintWriter o = out();
            o.println("model: " + model);
            o.println("input: " + InspectCommand.describe(in));
            o.println("output: " + InspectCommand.describe(outSpec));
            o.println("samples: " + n + " (" + inputs + ")");
            o.println("max |onnxruntime - float IR|: " + num(maxDiff));
            if (targets != null) {
                o.println("targets: " + targets);
                o.println("rmse onnxruntime: " + num(rmseOrt));
                o.println("rmse float IR: " + num(rmseIr));
            }
        }
        out().flush();
        return Main.EXIT_OK;
    }

    /**
     * The input array as {@code [N, ...sampleShape]}. Also takes {@code [N, ...bound shape]} when
     * the batch axis has size 1, e.g. {@code [N,12,1,3]} for a seq-first model bound to [12,1,3].
     */
    private FloatTensor samples(FloatTensor x, ModelInput in) {
        Shape s = x.shape();
        String expected = Samples.stackText(in);
        boolean fullShapeOk = in.batchAxis() >= 0 && Samples.perRun(in) == 1;
        // the bound-shape form is worth naming only where it is the natural one (seq-first)
        if (fullShapeOk && in.batchAxis() > 0) expected += " or [N," + in.shape().toString().substring(1);
        if (s.rank() >= 1 && s.dim(0) > 0) {
            Shape perSample = s.without(0);
            if (perSample.equals(in.sampleShape())) return x;
            if (fullShapeOk && perSample.equals(in.shape())) return x.reshape(Samples.stackShape(in, s.dim(0)));
        }
        String found = s.rank() >= 1 && s.dim(0) == 0 ? s + " (no samples)" : s.toString();
        throw new IrException(inputs + ": shape " + found + " does not fit model input '" + in.name() + "' "
                + in.shape() + ": expected " + expected);
    }

    private static FloatTensor runIr(ImportResult r, ModelInput in, ModelInput outSpec, FloatTensor x, int n) {
        float[] out = Samples.newStack(outSpec, n);
        for (int from = 0; from < n; from += Samples.perRun(in)) {
            FloatTensor y = FloatInterpreter.run(r.graph(), Samples.toBound(in, x, from));
            Samples.fromBound(outSpec, y, out, n, from);
        }
        return new FloatTensor(Samples.stackShape(outSpec, n), out);
    }

    /** Targets as a flat array in output order: shape [N] or [N, ...output sample], N values each. */
    private float[] targets(FloatTensor t, int n, ModelInput outSpec) {
        long perSample = outSpec.sampleShape().size();
        Shape s = t.shape();
        if (s.rank() < 1 || s.dim(0) != n || t.data().length != n * perSample) {
            String sample = Samples.stackShape(outSpec, n).toString();
            String expected = perSample == 1 ? "[" + n + "] or " + sample : sample;
            throw new IrException(targets + ": shape " + s + " does not fit the " + n + " outputs of '"
                    + outSpec.name() + "': expected " + expected);
        }
        return t.data();
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - (double) b[i]);
            if (Double.isNaN(d)) return Double.NaN;
            m = Math.max(m, d);
        }
        return m;
    }

    static double rmse(float[] predicted, float[] target) {
        double sum = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = (double) predicted[i] - (double) target[i];
            sum += d * d;
        }
        return Math.sqrt(sum / predicted.length);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
