package org.tfq.passes.quant;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.pass.GraphPass;
import org.tfq.ir.pass.IrObserver;
import org.tfq.ir.pass.PassPipeline;
import static org.tfq.passes.quant.QuantizationException.Setting.*;

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
        return run(floatGraph, options, bitsGiven, calibration, IrObserver.NONE);
    }

    /** As {@link #run(Graph, QuantOptions, boolean, List)}, showing {@code observer} the graph after each pass. */
    public static IntegerModel run(Graph floatGraph, QuantOptions options, boolean bitsGiven, List<FloatTensor> calibration,
            IrObserver observer) {
        if (PlanFromTraining.isTrained(floatGraph)) {
            TreeSet<Integer> trained = PlanFromTraining.trainedBits(floatGraph);
            if (bitsGiven && !trained.contains(options.bits())) {
                throw new QuantizationException("this model was trained with quantization at %s bits; %s %d disagrees: drop %s or pass %s %d",
                        trained, BITS, options.bits(), BITS, BITS, trained.last());
            }
            if (!options.bitsFor().isEmpty()) throw trainedWith(BITS_FOR, "widths");
            if (options.activationBits() != options.bits()) {
                throw trainedWith(ACTIVATION_BITS, "widths");
            }
            if (options.rangeMargin() > 0) throw trainedWith(RANGE_MARGIN, "ranges");
            if (options.weightRounding() != QuantOptions.WeightRounding.NEAREST) {
                throw trainedWith(WEIGHT_ROUNDING, "weights");
            }
            if (options.wideOutputTail()) throw trainedWith(OUTPUT_TAIL, "widths");
            return trained(floatGraph, options, calibration, observer);
        }
        if (calibration == null || calibration.isEmpty()) {
            throw new QuantizationException("this is a float model: pass %s (a few hundred typical input windows, shaped like %s)"
                    + " so tfq can choose its scales", CALIBRATION, INPUTS);
        }
        for (String name : options.bitsFor().keySet()) {
            boolean matches = floatGraph.nodes().stream().anyMatch(n -> n.name().equals(name) || n.name().startsWith(name + "/")
                    || n.name().startsWith(name + "."))
                    || floatGraph.inputs().stream().anyMatch(v -> v.name().equals(name));
            if (!matches) {
                throw new QuantizationException("%s %s: no layer of that name; names are listed by %s", BITS_FOR, name, LAYER_NAMES);
            }
        }
        Graph rounded = beforePlanning(options, calibration).run(FUSIONS.run(floatGraph, observer), observer);
        Calibration cal = Calibration.run(rounded, calibration);
        IntegerModel im = LowerToInteger.run(rounded, PlanPostTraining.run(rounded, cal, options), options.outputBits());
        observer.after("lower-to-integer", im.graph());
        return im;
    }

    /**
     * Fusions that make one integer op of two or three float ones, so that it rounds once: they
     * run before planning, so the plan quantizes the fused values only.
     */
    public static final PassPipeline FUSIONS = PassPipeline.of("fusions", new FoldAddConstantIntoLinear(), new FuseReluIntoLinear(),
            new FoldBatchNormIntoAdd());

    /** The float graph passes of post-training quantization, before its ranges are calibrated and its plan made. */
    static PassPipeline beforePlanning(QuantOptions options, List<FloatTensor> calibration) {
        List<GraphPass> passes = new ArrayList<>();
        if (options.weightRounding() == QuantOptions.WeightRounding.GPTQ) {
            passes.add(GraphPass.of("round-weights-gptq", g -> RoundWeightsWithErrorFeedback.run(g, calibration, options)));
        }
        return new PassPipeline("post-training quantization", passes);
    }

    private static QuantizationException trainedWith(QuantizationException.Setting setting, String what) {
        return new QuantizationException("%s applies to float models; this one was trained with its own %s", setting, what);
    }

    /**
     * The model's own scales, those it implies through ops that only move codes, and, with
     * calibration samples, calibrated scales for exactly the values it leaves open.
     */
    private static IntegerModel trained(Graph g, QuantOptions options, List<FloatTensor> calibration, IrObserver observer) {
        g = FUSIONS.run(g, observer);
        InferScales.Result inferred = InferScales.run(g, PlanFromTraining.run(g));
        QuantPlan plan = inferred.plan();
        List<String> calibrated = new ArrayList<>();
        if (calibration != null && !calibration.isEmpty()) {
            int bits = g.nodes().stream().filter(n -> n.op() instanceof FakeQuant)
                    .mapToInt(n -> ((FakeQuant) n.op()).spec().bits()).max().orElse(options.bits());
            Set<String> outputs = new HashSet<>();
            g.outputs().forEach(v -> outputs.add(v.name()));
            Calibration cal = null;
            // a lowering that stops early names only the gaps before the stop: calibrate and look again
            for (List<String> open = LowerToInteger.gaps(g, plan, options.outputBits()).open();
                    !open.isEmpty() && !calibrated.containsAll(open); open = LowerToInteger.gaps(g, plan, options.outputBits()).open()) {
                if (cal == null) cal = Calibration.run(g, calibration);
                for (String v : open) {
                    if (calibrated.contains(v)) continue;
                    plan = plan.withActivation(v, PlanPostTraining.activation(cal.observed(v),
                            outputs.contains(v) ? Math.max(bits, options.outputBits()) : bits, options));
                    calibrated.add(v);
                }
            }
        }
        IntegerModel im = LowerToInteger.run(g, plan, options.outputBits());
        observer.after("lower-to-integer", im.graph());
        return im.withScaleOrigins(new ScaleOrigins(inferred.inferred(), calibrated, im.scaleOrigins().internal()));
    }

    /**
     * For tfq inspect: the scales a trained model implies without stating them (value -> the
     * quantized value they are carried from), the values kept at an internal width, and, as
     * {@code calibrated}, the values it leaves open, which only --calibration can give a scale to.
     */
    public static ScaleOrigins trainedGaps(Graph g, int outputBits) {
        g = FUSIONS.run(g, IrObserver.NONE);
        InferScales.Result inferred = InferScales.run(g, PlanFromTraining.run(g));
        LowerToInteger.Gaps gaps = LowerToInteger.gaps(g, inferred.plan(), outputBits);
        return new ScaleOrigins(inferred.inferred(), gaps.open(), gaps.internal());
    }
}
