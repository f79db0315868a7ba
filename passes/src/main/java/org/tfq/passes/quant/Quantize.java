package org.tfq.passes.quant;

import java.util.List;
import java.util.TreeSet;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;

/**
 * The quantization stage of the pipeline: choose the plan (trained, or calibrated with the
 * options), then lower to the integer graph.
 */
public final class Quantize {
    private Quantize() {}

    /**
     * @param options PTQ options; for a QAT model only {@code bits}, when given, is checked
     * @param bitsGiven whether the user stated --bits (a QAT model's own widths are the default)
     * @param calibration bound input samples, required for float models
     */
    public static IntegerModel run(Graph floatGraph, QuantOptions options, boolean bitsGiven, List<FloatTensor> calibration) {
        if (PlanFromTraining.isTrained(floatGraph)) {
            TreeSet<Integer> trained = PlanFromTraining.trainedBits(floatGraph);
            if (bitsGiven && !trained.contains(options.bits())) {
                throw new QuantizationException("this model was trained with quantization at " + trained + " bits; --bits "
                        + options.bits() + " disagrees: drop --bits or pass --bits " + trained.last());
            }
            if (!options.bitsFor().isEmpty()) throw new QuantizationException("--bits-for applies to float models; this one was trained with its own widths");
            if (options.activationBits() != options.bits()) {
                throw new QuantizationException("--activation-bits applies to float models; this one was trained with its own widths");
            }
            if (options.rangeMargin() > 0) throw new QuantizationException("--range-margin applies to float models; this one was trained with its own ranges");
            if (options.weightRounding() != QuantOptions.WeightRounding.NEAREST) {
                throw new QuantizationException("--weight-rounding applies to float models; this one was trained with its own weights");
            }
            if (options.wideOutputTail()) throw new QuantizationException("--output-tail applies to float models; this one was trained with its own widths");
            return LowerToInteger.run(floatGraph, PlanFromTraining.run(floatGraph), options.outputBits());
        }
        if (calibration == null || calibration.isEmpty()) {
            throw new QuantizationException("this is a float model: pass --calibration C.npy (a few hundred typical input "
                    + "windows, shaped like --inputs) so tfq can choose its scales");
        }
        for (String name : options.bitsFor().keySet()) {
            boolean matches = floatGraph.nodes().stream().anyMatch(n -> n.name().equals(name) || n.name().startsWith(name + "/")
                    || n.name().startsWith(name + "."))
                    || floatGraph.inputs().stream().anyMatch(v -> v.name().equals(name));
            if (!matches) {
                throw new QuantizationException("--bits-for " + name + ": no layer of that name; names are listed by tfq inspect --dump-ir (after '#')");
            }
        }
        Graph rounded = options.weightRounding() == QuantOptions.WeightRounding.GPTQ
                ? RoundWeightsWithErrorFeedback.run(floatGraph, calibration, options) : floatGraph;
        Calibration cal = Calibration.run(rounded, calibration);
        return LowerToInteger.run(rounded, PlanPostTraining.run(rounded, cal, options), options.outputBits());
    }
}
