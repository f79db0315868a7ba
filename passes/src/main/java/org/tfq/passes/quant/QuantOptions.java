package org.tfq.passes.quant;

import java.util.Map;
import java.util.TreeMap;

/**
 * How post-training quantization chooses scales: the default width, per-layer widths for
 * mixed precision (keyed by node name or a module prefix of it), how ranges are read from
 * calibration data, and weight granularity; activations may be wider than weights (8-bit
 * weights with 12- or 16-bit activations, as TensorFlow Lite's 16x8 mode, for models whose
 * error is below what an 8-bit activation grid resolves), ranges may get headroom beyond what
 * calibration saw, and weights may be rounded against the calibration data instead of to the
 * nearest code.
 */
public record QuantOptions(int bits, Map<String, Integer> bitsFor, RangeMethod ranges, boolean perChannelWeights,
        int outputBits, int activationBits, double rangeMargin, WeightRounding weightRounding, boolean wideOutputTail) {

    public QuantOptions(int bits, Map<String, Integer> bitsFor, RangeMethod ranges, boolean perChannelWeights, int outputBits,
            int activationBits, double rangeMargin, WeightRounding weightRounding) {
        this(bits, bitsFor, ranges, perChannelWeights, outputBits, activationBits, rangeMargin, weightRounding, false);
    }

    /**
     * The forecast leaves the accelerator as one number per inference: 16 bits cost one wider
     * register and keep the output's own rounding far below the model's error even at 4 bits.
     */
    public static final int DEFAULT_OUTPUT_BITS = 16;

    public QuantOptions(int bits, Map<String, Integer> bitsFor, RangeMethod ranges, boolean perChannelWeights) {
        this(bits, bitsFor, ranges, perChannelWeights, DEFAULT_OUTPUT_BITS);
    }

    public QuantOptions(int bits, Map<String, Integer> bitsFor, RangeMethod ranges, boolean perChannelWeights, int outputBits) {
        this(bits, bitsFor, ranges, perChannelWeights, outputBits, bits, 0, WeightRounding.NEAREST);
    }

    public static final int MIN_BITS = 2;
    public static final int MAX_BITS = 8;
    /**
     * Activations as wide as the forecast: the MAC lanes' DSP48E1 multiplies 25 x 18 bits, so an
     * 8-bit weight times a 16-bit activation is still one DSP.
     */
    public static final int MAX_ACTIVATION_BITS = 16;
    /** A margin beyond this stops being headroom and only coarsens the grid. */
    public static final double MAX_RANGE_MARGIN = 1.0;

    public enum WeightRounding {
        /** each weight to its nearest code */
        NEAREST,
        /** against the calibration data: {@link RoundWeightsWithErrorFeedback} */
        GPTQ
    }

    public enum RangeMethod {
        /** the observed minimum and maximum */
        MINMAX,
        /** the 0.01th and 99.99th percentiles: a few outliers do not stretch the scale */
        PERCENTILE,
        /** the clipping of the observed range that minimises the quantization error */
        MSE
    }

    public QuantOptions {
        checkBits(bits, QuantizationException.Setting.BITS, "");
        bitsFor = new TreeMap<>(bitsFor);
        bitsFor.forEach((k, v) -> checkBits(v, QuantizationException.Setting.BITS_FOR, " " + k));
        if (outputBits < MIN_BITS || outputBits > 16) {
            throw new QuantizationException("%s=%d: the output is %d..16 bits wide", QuantizationException.Setting.OUTPUT_BITS, outputBits, MIN_BITS);
        }
        if (activationBits < MIN_BITS || activationBits > MAX_ACTIVATION_BITS) {
            throw new QuantizationException("%s=%d: activations are %d..%d bits wide", QuantizationException.Setting.ACTIVATION_BITS,
                    activationBits, MIN_BITS, MAX_ACTIVATION_BITS);
        }
        if (!(rangeMargin >= 0 && rangeMargin <= MAX_RANGE_MARGIN)) {
            throw new QuantizationException("%s=%s%%: use 0 to %d percent", QuantizationException.Setting.RANGE_MARGIN, 100 * rangeMargin,
                    (int) (100 * MAX_RANGE_MARGIN));
        }
        java.util.Objects.requireNonNull(weightRounding);
    }

    public static QuantOptions uniform(int bits) {
        return new QuantOptions(bits, Map.of(), RangeMethod.MINMAX, false);
    }

    /** {@code layer}: "" or " NAME" after a per-layer setting. */
    static void checkBits(int b, QuantizationException.Setting setting, String layer) {
        if (b < MIN_BITS || b > MAX_BITS) {
            throw new QuantizationException("%s%s=%d: tfq quantizes to %d..%d bits", setting, layer, b, MIN_BITS, MAX_BITS);
        }
    }

    /** The width of a node's weights: the longest matching --bits-for prefix, else --bits. */
    public int bitsOf(String nodeName) {
        Integer b = override(fusedPart(nodeName, true));
        return b == null ? bits : b;
    }

    /** The width of a node's output (or the model input's codes): a --bits-for prefix, else --activation-bits. */
    public int activationBitsOf(String name) {
        Integer b = override(fusedPart(name, false));
        return b == null ? activationBits : b;
    }

    /**
     * A fused node ({@code a+b}, {@link Quantize#FUSIONS}) has the weights of its first node and
     * the output of its last: the name whose width applies.
     */
    private static String fusedPart(String name, boolean weights) {
        int plus = weights ? name.indexOf('+') : name.lastIndexOf('+');
        if (plus < 0) return name;
        return weights ? name.substring(0, plus) : name.substring(plus + 1);
    }

    private Integer override(String nodeName) {
        String best = null;
        for (String k : bitsFor.keySet()) {
            if ((nodeName.equals(k) || nodeName.startsWith(k + "/") || nodeName.startsWith(k + ".")) && (best == null || k.length() > best.length())) {
                best = k;
            }
        }
        return best == null ? null : bitsFor.get(best);
    }
}
