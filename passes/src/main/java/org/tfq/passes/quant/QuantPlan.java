package org.tfq.passes.quant;

import java.util.HashMap;
import java.util.Map;
import org.tfq.ir.QuantSpec;

/**
 * The quantization chosen for a float graph: per value name for activations, per node name for
 * Linear weights. Produced from calibration (post-training) or read from a QAT model's
 * quantization points; consumed by {@link LowerToInteger}.
 */
public record QuantPlan(Map<String, QuantSpec> activations, Map<String, QuantSpec> weights, boolean trained) {

    public QuantPlan {
        activations = Map.copyOf(activations);
        weights = Map.copyOf(weights);
    }

    public QuantSpec activation(String value) {
        return activations.get(value);
    }

    public QuantPlan withActivation(String value, QuantSpec q) {
        Map<String, QuantSpec> a = new HashMap<>(activations);
        a.put(value, q);
        return new QuantPlan(a, weights, trained);
    }
}
