package org.tfq.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.Quantized;
import org.tfq.compiler.SampleFiles;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.QuantizationException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** The quantization options of evaluate, compile and explore, and what they turn a model into. */
final class QuantizationOptions {

    @Option(names = "--bits", paramLabel = "B",
            description = "Integer width of weights and activations, 2..8 (float models: default 8; "
                    + "quantization-aware-trained models: the widths they were trained with).")
    Integer bits;

    @Option(names = "--bits-for", paramLabel = "NAME=B",
            description = "Mixed precision: width for the layer NAME (a node name or module prefix as shown by "
                    + "'tfq inspect --dump-ir', or the model input's name for the input codes). Repeatable.")
    Map<String, Integer> bitsFor = new LinkedHashMap<>();

    @Option(names = "--calibration", paramLabel = "C.npy",
            description = "Typical input windows for post-training quantization of a float model, shaped like --inputs.")
    Path calibration;

    /** The command this is mixed into, for its stderr; null when built by hand (tfq explore's widths). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * --calibration-method, --weights, --output-bits, --activation-bits, --range-margin,
     * --weight-rounding and --output-tail: the options every width shares, so tfq explore (whose --bits is a list)
     * takes them too.
     */
    static final class Scales {
        @Option(names = "--calibration-method", paramLabel = "METHOD", defaultValue = "minmax",
                description = "How ranges are read from calibration: minmax, percentile (99.99%%), mse (least error). "
                        + "Default: ${DEFAULT-VALUE}.")
        String method = "minmax";

        @Option(names = "--weights", paramLabel = "GRANULARITY", defaultValue = "per-channel",
                description = "Weight scales: per-channel (one per output feature) or per-tensor. Default: ${DEFAULT-VALUE}.")
        String weights = "per-channel";

        @Option(names = "--output-bits", paramLabel = "B", defaultValue = "16",
                description = "Width of the forecast the accelerator outputs, for float models (default: ${DEFAULT-VALUE}).")
        int outputBits = org.tfq.passes.quant.QuantOptions.DEFAULT_OUTPUT_BITS;

        @Option(names = "--activation-bits", paramLabel = "A",
                description = "Float models: width of activations, 2..16, when wider than the weights' --bits "
                        + "(e.g. --bits 8 --activation-bits 12). Default: as --bits.")
        Integer activationBits;

        @Option(names = "--range-margin", paramLabel = "PCT", defaultValue = "0",
                description = "Float models: widen every calibrated range by PCT%% of its width, half at each end, "
                        + "so inputs beyond the calibration data are not clipped. Default: ${DEFAULT-VALUE}.")
        double rangeMarginPercent;

        @Option(names = "--weight-rounding", paramLabel = "HOW", defaultValue = "nearest",
                description = "Float models: nearest (each weight to its nearest code) or gptq (rounded and scaled "
                        + "so each layer's output over the calibration data moves least). Default: ${DEFAULT-VALUE}.")
        String weightRounding = "nearest";

        @Option(names = "--output-tail", paramLabel = "WIDTH", defaultValue = "narrow",
                description = "Float models: narrow (the forecast alone at --output-bits) or wide (also the values "
                        + "that reach it only through sums, differences and products, such as a de-normalization "
                        + "y * stdev + mean; the activation memory then takes --output-bits). Default: ${DEFAULT-VALUE}.")
        String outputTail = "narrow";
    }

    @Mixin
    Scales scales = new Scales();

    /** How the command line names each setting a quantization error may name. */
    static final Map<QuantizationException.Setting, String> FLAGS = Map.of(QuantizationException.Setting.BITS, "--bits",
            QuantizationException.Setting.BITS_FOR, "--bits-for", QuantizationException.Setting.ACTIVATION_BITS, "--activation-bits",
            QuantizationException.Setting.OUTPUT_BITS, "--output-bits", QuantizationException.Setting.RANGE_MARGIN, "--range-margin",
            QuantizationException.Setting.WEIGHT_ROUNDING, "--weight-rounding", QuantizationException.Setting.OUTPUT_TAIL, "--output-tail",
            QuantizationException.Setting.CALIBRATION, "--calibration C.npy", QuantizationException.Setting.INPUTS, "--inputs",
            QuantizationException.Setting.LAYER_NAMES, "tfq inspect --dump-ir (after '#')");

    /** The same options with another --bits and --bits-for (tfq explore's configurations). */
    QuantizationOptions withWidths(int width, Map<String, Integer> widthFor) {
        QuantizationOptions o = new QuantizationOptions();
        o.bits = width;
        o.bitsFor = new LinkedHashMap<>(widthFor);
        o.calibration = calibration;
        o.scales = scales;
        return o;
    }

    boolean requested() {
        return bits != null || calibration != null || !bitsFor.isEmpty();
    }

    QuantOptions options() {
        QuantOptions.RangeMethod m = switch (scales.method) {
            case "minmax" -> QuantOptions.RangeMethod.MINMAX;
            case "percentile" -> QuantOptions.RangeMethod.PERCENTILE;
            case "mse" -> QuantOptions.RangeMethod.MSE;
            default -> throw new CliException("--calibration-method " + scales.method + ": use minmax, percentile or mse");
        };
        boolean perChannel = switch (scales.weights) {
            case "per-channel" -> true;
            case "per-tensor" -> false;
            default -> throw new CliException("--weights " + scales.weights + ": use per-channel or per-tensor");
        };
        QuantOptions.WeightRounding rounding = switch (scales.weightRounding) {
            case "nearest" -> QuantOptions.WeightRounding.NEAREST;
            case "gptq" -> QuantOptions.WeightRounding.GPTQ;
            default -> throw new CliException("--weight-rounding " + scales.weightRounding + ": use nearest or gptq");
        };
        boolean wideTail = switch (scales.outputTail) {
            case "narrow" -> false;
            case "wide" -> true;
            default -> throw new CliException("--output-tail " + scales.outputTail + ": use narrow or wide");
        };
        int b = bits == null ? 8 : bits;
        return new QuantOptions(b, bitsFor, m, perChannel, scales.outputBits, scales.activationBits == null ? b : scales.activationBits,
                scales.rangeMarginPercent / 100, rounding, wideTail);
    }

    /**
     * Ranges from one sample, or from data that never changes, fit no real input (issue 19: a
     * constant file quantized with +2000% error and no word): worth a warning, not a refusal,
     * since a test may calibrate on what it evaluates.
     */
    private void warnIfUnrepresentative(FloatTensor c, int samples) {
        String why = null;
        float[] v = c.data();
        boolean constant = v.length > 0;
        for (float x : v) constant &= x == v[0];
        if (constant) why = "every value is " + v[0];
        else if (samples == 1) why = "it holds one sample";
        if (why == null || mixee == null) return;
        java.io.PrintWriter err = TerminalWriter.of(mixee.commandLine().getErr());
        err.println("tfq: warning: --calibration " + calibration + ": " + why
                + "; the ranges it gives fit no other input: calibrate on typical windows (a few hundred)");
        err.flush();
    }

    /** The integer model of an imported model, quantized by {@code compiler} as the options say. */
    Quantized quantize(Compiler compiler, ImportResult model) {
        QuantOptions o = options();
        FloatTensor cal = null;
        if (calibration != null) {
            TfqCommand.requireFile(calibration, "--calibration");
            cal = SampleFiles.inputs(Npy.read(calibration), model.inputs().get(0), calibration);
            // ranges come from these values: one NaN or infinity would make every scale after it meaningless
            for (float v : cal.data()) {
                if (!Float.isFinite(v)) throw new CliException(calibration + ": holds " + v + "; calibration samples must be finite numbers");
            }
            warnIfUnrepresentative(cal, Samples.count(model.inputs().get(0), cal));
        }
        try {
            return compiler.quantize(model, o, bits != null, cal);
        } catch (IrException e) {
            // where: the model, and the calibration its ranges came from
            throw new CliException(model.source() + (calibration == null ? "" : " (calibrated on " + calibration + ")")
                    + ": cannot quantize: " + TfqCommand.message(e));
        }
    }
}
