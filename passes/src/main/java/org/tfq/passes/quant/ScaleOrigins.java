package org.tfq.passes.quant;

import java.util.List;
import java.util.Map;

/**
 * Where a trained model's scales came from when the model itself did not state them: inferred
 * from a neighbouring quantizer ({@link InferScales}: value -> the quantized value it was
 * carried from), kept at an internal width from range analysis ({@link InternalWidths}: value ->
 * bits), or calibrated (the values no quantizer covers and no range analysis sizes, with
 * --calibration; for {@link Quantize#trainedGaps}, the values only --calibration can size).
 */
public record ScaleOrigins(Map<String, String> inferred, List<String> calibrated, Map<String, Integer> internal) {
    public static final ScaleOrigins NONE = new ScaleOrigins(Map.of(), List.of(), Map.of());

    public ScaleOrigins {
        inferred = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inferred));
        calibrated = List.copyOf(calibrated);
        internal = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(internal));
    }

    public boolean isEmpty() {
        return inferred.isEmpty() && calibrated.isEmpty() && internal.isEmpty();
    }
}
