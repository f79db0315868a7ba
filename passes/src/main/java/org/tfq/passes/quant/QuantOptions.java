package org.tfq.passes.quant;

import java.util.Map;
import java.util.TreeMap;

/**
 * How post-training quantization chooses scales: the default width, per-layer widths for
 * mixed precision (keyed by node name or a module prefix of it), how ranges are read from
 * calibration data, and weight granularity.
 */
public record QuantOptions(int bits, Map<String, Integer> bitsFor, RangeMethod ranges, boolean perChannelWeights,
        int outputBits) {

    /**
     * The forecast leaves the accelerator as one number per inference: 16 bits cost one wider
     * register and keep the output's own rounding far below the model's error even at 4 bits.
     */
    public static final int DEFAULT_OUTPUT_BITS = 16;

    public QuantOptions(int bits, Map<String, Integer> bitsFor, RangeMethod ranges, boolean perChannelWeights) {
        this(bits, bitsFor, ranges, perChannelWeights, DEFAULT_OUTPUT_BITS);
    }

    public static final int MIN_BITS = 2;
    public static final int MAX_BITS = 8;

    public enum RangeMethod {
        /** the observed minimum and maximum */
        MINMAX,
        /** the 0.01th and 99.99th percentiles: a few outliers do not stretch the scale */
        PERCENTILE,
        /** the clipping of the observed range that minimises the quantization error */
        MSE
    }

    public QuantOptions {
        checkBits(bits, "--bits");
        bitsFor = new TreeMap<>(bitsFor);
        bitsFor.forEach((k, v) -> checkBits(v, "--bits-for " + k));
        if (outputBits < MIN_BITS || outputBits > 16) {
            throw new QuantizationException("--output-bits=" + outputBits + ": the output is " + MIN_BITS + "..16 bits wide");
        }
    }

    public static QuantOptions uniform(int bits) {
        return new QuantOptions(bits, Map.of(), RangeMethod.MINMAX, false);
    }

    static void checkBits(int b, String what) {
        if (b < MIN_BITS || b > MAX_BITS) {
            throw new QuantizationException(what + "=" + b + ": tfq quantizes to " + MIN_BITS + ".." + MAX_BITS + " bits");
        }
    }

    /** The width for a node: the longest matching --bits-for prefix, else the default. */
    public int bitsOf(String nodeName) {
        String best = null;
        for (String k : bitsFor.keySet()) {
            if ((nodeName.equals(k) || nodeName.startsWith(k + "/") || nodeName.startsWith(k + ".")) && (best == null || k.length() > best.length())) {
                best = k;
            }
        }
        return best == null ? bits : bitsFor.get(best);
    }
}
