package org.tfq.compiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.io.SafeText;
import org.tfq.passes.quant.ScaleOrigins;

/** How compile, evaluate and inspect say which scales a trained model did not state itself. */
public final class ScaleOriginsText {
    private ScaleOriginsText() {}

    public static Map<String, Object> json(ScaleOrigins o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inferred", new LinkedHashMap<>(o.inferred()));
        m.put("internal_bits", new LinkedHashMap<>(o.internal()));
        m.put("calibrated", o.calibrated());
        return m;
    }

    /** {@code scales not in the model: %a from %b (inferred); %c at 14 bits (range analysis); %d (calibrated)}. */
    public static String line(ScaleOrigins o) {
        List<String> parts = new ArrayList<>();
        o.inferred().forEach((v, from) -> parts.add("%" + SafeText.printable(v) + " from %" + SafeText.printable(from) + " (inferred)"));
        o.internal().forEach((v, bits) -> parts.add("%" + SafeText.printable(v) + " at " + bits + " bits (range analysis)"));
        o.calibrated().forEach(v -> parts.add("%" + SafeText.printable(v) + " (calibrated)"));
        return "scales not in the model: " + String.join("; ", parts);
    }
}
