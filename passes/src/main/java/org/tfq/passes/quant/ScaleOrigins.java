package org.tfq.passes.quant;

import java.util.List;
import java.util.Map;

/**
 * Where a trained model's scales came from when the model itself did not state them: inferred
 * from a neighbouring quantizer ({@link InferScales}: value -> the quantized value it was
 * carried from), or calibrated (the values no quantizer covers, with --calibration).
 */
public record ScaleOrigins(Map<String, String> inferred, List<String> calibrated) {
    public static final ScaleOrigins NONE = new ScaleOrigins(Map.of(), List.of());

    public ScaleOrigins {
        inferred = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inferred));
        calibrated = List.copyOf(calibrated);
    }

    public boolean isEmpty() {
        return inferred.isEmpty() && calibrated.isEmpty();
    }
}
