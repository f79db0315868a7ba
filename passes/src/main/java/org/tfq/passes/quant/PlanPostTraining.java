package org.tfq.passes.quant;

import java.util.HashMap;
import java.util.Map;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.Graph;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Value;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.Sub;

/**
 * Post-training quantization: activations asymmetric per tensor from calibrated ranges (zero
 * always representable, so ReLU and padding stay exact), weights symmetric with the narrow
 * range, per tensor or per output channel. Signed codes throughout, as the reference design.
 * A Linear that already carries its weights' grid ({@link RoundWeightsWithErrorFeedback})
 * keeps it.
 * It plans the fused graph ({@link Quantize#FUSIONS}), compile's and tfq finetune's alike: a
 * value the fusions remove (a residual sum before its BatchNorm, a Linear's output before its
 * constant add or ReLU) is not in it, so it gets no grid.
 */
public final class PlanPostTraining {
    private PlanPostTraining() {}

    public static QuantPlan run(Graph g, Calibration cal, QuantOptions o) {
        for (Node n : g.nodes()) {
            if (n.op() instanceof FakeQuant) {
                throw new QuantizationException("node %s is a trained quantization point: this model was trained with quantization,"
                        + " so it is compiled with its own scales (do not pass %s)", n.name(), QuantizationException.Setting.CALIBRATION);
            }
        }
        Map<String, QuantSpec> acts = new HashMap<>();
        Map<String, QuantSpec> weights = new HashMap<>();
        for (Value in : g.inputs()) acts.put(in.name(), activation(cal.observed(in.name()), o.activationBitsOf(in.name()), o));
        java.util.Set<String> statistics = WindowStatisticRanges.of(g);
        // the whole tail at the output's width widens the one activation memory: the user's choice
        java.util.Set<String> tail = o.wideOutputTail() ? OutputTail.of(g) : OutputTail.outputs(g);
        for (Node n : g.nodes()) {
            if (n.op() instanceof LayoutOp) continue;
            if (n.op() instanceof Linear lin) {
                weights.put(n.name(), lin.weightQuant() != null ? lin.weightQuant() : weight(lin, o.bitsOf(n.name()), o.perChannelWeights()));
            }
            requireFinite(n, cal.observed(n.output().name()));
            int bits = o.activationBitsOf(n.name());
            int valueBits = tail.contains(n.output().name()) ? Math.max(bits, o.outputBits()) : bits;
            QuantSpec q = activation(cal.observed(n.output().name()), valueBits, o);
            q = atLeastInputStep(q, n, acts, valueBits);
            if (statistics.contains(n.output().name())) q = WindowStatisticRanges.widen(q, n, acts, valueBits);
            if (o.wideOutputTail() && tail.contains(n.output().name())) q = OutputTail.widen(q, n, g, acts, valueBits);
            acts.put(n.output().name(), q);
        }
        return new QuantPlan(acts, weights, false);
    }

    /** A value that calibration saw reach NaN or an infinity (a weight or bias that is not finite) has no scale. */
    private static void requireFinite(Node n, float[] sorted) {
        if (sorted.length == 0 || (Float.isFinite(sorted[0]) && Float.isFinite(sorted[sorted.length - 1]))) return;
        float bad = Float.isNaN(sorted[sorted.length - 1]) ? Float.NaN : Float.isFinite(sorted[0]) ? sorted[sorted.length - 1] : sorted[0];
        throw new QuantizationException("node " + org.tfq.ir.io.SafeText.printable(n.name()) + " (" + n.op().mnemonic() + "): its output reaches "
                + bad + " on the calibration samples, so no scale covers it: a weight or bias before it is not finite, or the samples are"
                + " far beyond float range for this model");
    }

    /**
     * A value calibration saw (nearly) constant, over less than one step of its first input, covers
     * at least that step either side of zero: the integer model's rounding moves it by that much.
     * The mean over time of a window minus its mean is 0 in float, but within half a step of the
     * subtracted codes in integers; a range of a few ulps would need a requantization multiplier
     * beyond any DSP port. Only sums, differences and means of codes: their integer result is off
     * by up to a step of their input, where a weighted sum (a linear layer's output, narrower than
     * its input's step at 4 bits) scales its input's error down with the weights.
     */
    private static QuantSpec atLeastInputStep(QuantSpec q, Node n, Map<String, QuantSpec> acts, int bits) {
        if (n.inputs().isEmpty() || !(n.op() instanceof Add || n.op() instanceof Sub || n.op() instanceof MeanPool)) return q;
        QuantSpec in = acts.get(n.inputs().get(0).name());
        if (in == null || !in.perTensor()) return q;
        double step = in.scale(0);
        double lo = q.dequantize(q.qmin(), 0), hi = q.dequantize(q.qmax(), 0);
        if (hi - lo >= step) return q;
        return fromRange(Math.min(lo, -step), Math.max(hi, step), bits);
    }

    /**
     * An asymmetric signed spec covering [lo, hi] read from sorted observations, zero included,
     * each end that is not 0 moved out by the margin's share of the width: headroom for inputs
     * beyond anything calibration saw (a warmer summer than the training years), which would
     * otherwise saturate.
     */
    static QuantSpec activation(float[] sorted, int bits, QuantOptions o) {
        QuantSpec q = range(sorted, bits, o.ranges());
        if (o.rangeMargin() == 0) return q;
        double lo = q.dequantize(q.qmin(), 0), hi = q.dequantize(q.qmax(), 0);
        double pad = o.rangeMargin() * (hi - lo) / 2;
        return fromRange(lo < 0 ? lo - pad : lo, hi > 0 ? hi + pad : hi, bits);
    }

    private static QuantSpec range(float[] sorted, int bits, QuantOptions.RangeMethod method) {
        double lo, hi;
        switch (method) {
            case MINMAX -> {
                lo = sorted[0];
                hi = sorted[sorted.length - 1];
            }
            case PERCENTILE -> {
                lo = sorted[(int) Math.floor(0.0001 * (sorted.length - 1))];
                hi = sorted[(int) Math.ceil(0.9999 * (sorted.length - 1))];
            }
            default -> {
                return minimumError(sorted, bits);
            }
        }
        return fromRange(lo, hi, bits);
    }

    static QuantSpec fromRange(double lo, double hi, int bits) {
        lo = Math.min(lo, 0);
        hi = Math.max(hi, 0);
        long qmin = IntType.min(bits, true), qmax = IntType.max(bits, true);
        double scale = (hi - lo) / (qmax - qmin);
        if (!(scale > 0)) scale = 1e-6; // a value that is always 0
        long zero = Math.max(qmin, Math.min(qmax, IntMath.nearest(qmin - lo / scale)));
        return QuantSpec.perTensor(scale, zero, bits, true);
    }

    /** Shrinks the observed range in 5% steps and keeps the clipping with the least squared error. */
    private static QuantSpec minimumError(float[] sorted, int bits) {
        int stride = Math.max(1, sorted.length / 20000);
        QuantSpec best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (int step = 0; step <= 10; step++) {
            double alpha = 1.0 - 0.05 * step;
            QuantSpec q = fromRange(alpha * sorted[0], alpha * sorted[sorted.length - 1], bits);
            double err = 0;
            for (int i = 0; i < sorted.length; i += stride) {
                double d = q.fakeQuantize(sorted[i], 0) - sorted[i];
                err += d * d;
            }
            if (err < bestErr) {
                bestErr = err;
                best = q;
            }
        }
        return best;
    }

    static QuantSpec weight(Linear lin, int bits, boolean perChannel) {
        int out = lin.outFeatures(), in = lin.inFeatures();
        float[] w = lin.weight().data();
        long qmax = IntType.max(bits, true);
        int channels = perChannel ? out : 1;
        double[] scale = new double[channels];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                int c = perChannel ? o : 0;
                scale[c] = Math.max(scale[c], Math.abs(w[o * in + i]));
            }
        }
        for (int c = 0; c < channels; c++) scale[c] = scale[c] > 0 ? scale[c] / qmax : 1e-6;
        return new QuantSpec(scale, new long[channels], perChannel ? 0 : -1, bits, true, -qmax, qmax);
    }
}
