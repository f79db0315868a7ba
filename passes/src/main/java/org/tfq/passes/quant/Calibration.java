package org.tfq.passes.quant;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Value;

/**
 * What every value of a float graph takes on over the calibration samples: all observations,
 * sorted, so min/max, percentiles and error-minimising clipping can all be read from it.
 */
public final class Calibration {
    private final Map<String, float[]> sorted;
    private final int samples;

    private Calibration(Map<String, float[]> sorted, int samples) {
        this.sorted = sorted;
        this.samples = samples;
    }

    /**
     * Observations kept at most (samples times the values of one run): 2^26 floats are 256 MiB,
     * sorted in a copy as large, which leaves room in tfq's default 2 GiB heap. Every observation
     * is kept, so this, not the size of the .npy file, is what bounds calibration's memory.
     */
    public static final long MAX_OBSERVATIONS = 1L << 26;

    /** Runs the float graph on each sample (already in the graph's bound input shape). */
    public static Calibration run(Graph g, List<FloatTensor> boundSamples) {
        if (boundSamples.isEmpty()) throw new QuantizationException("calibration needs at least one sample");
        Map<String, float[][]> seen = new HashMap<>();
        Value in = g.inputs().get(0);
        for (int s = 0; s < boundSamples.size(); s++) {
            Map<String, FloatTensor> env = FloatInterpreter.runAll(g, Map.of(in.name(), boundSamples.get(s)));
            if (s == 0) refuseOverLimit(env, boundSamples.size());
            for (Map.Entry<String, FloatTensor> e : env.entrySet()) {
                seen.computeIfAbsent(e.getKey(), k -> new float[boundSamples.size()][])[s] = e.getValue().data();
            }
        }
        Map<String, float[]> sorted = new HashMap<>();
        for (Map.Entry<String, float[][]> e : seen.entrySet()) {
            int n = Arrays.stream(e.getValue()).mapToInt(a -> a.length).sum();
            float[] all = new float[n];
            int p = 0;
            for (float[] a : e.getValue()) {
                System.arraycopy(a, 0, all, p, a.length);
                p += a.length;
            }
            Arrays.sort(all);
            sorted.put(e.getKey(), all);
        }
        return new Calibration(sorted, boundSamples.size());
    }

    private static void refuseOverLimit(Map<String, FloatTensor> firstRun, int samples) {
        long perSample = 0;
        for (FloatTensor t : firstRun.values()) perSample += t.data().length;
        if (perSample * samples > MAX_OBSERVATIONS) {
            throw new QuantizationException(String.format(java.util.Locale.ROOT,
                    "%d calibration samples of %d activation values each are %d observations, over tfq's limit of %d (%d MiB);"
                            + " calibrate on at most %d samples", samples, perSample, perSample * samples, MAX_OBSERVATIONS,
                    MAX_OBSERVATIONS * 4 >> 20, Math.max(1, MAX_OBSERVATIONS / perSample)));
        }
    }

    public int samples() {
        return samples;
    }

    public boolean has(String value) {
        return sorted.containsKey(value);
    }

    /** The same observations without one value's (a plan that must not need it can be run on this). */
    Calibration without(String value) {
        Map<String, float[]> rest = new HashMap<>(sorted);
        rest.remove(value);
        return new Calibration(rest, samples);
    }

    /** The observations of one value, ascending. */
    public float[] observed(String value) {
        float[] v = sorted.get(value);
        if (v == null) throw new QuantizationException("no calibration data for value %" + value);
        return v;
    }

}
