package org.tfq.passes.schedule;

import java.util.LinkedHashMap;
import java.util.Map;

/** The fields of the engine's instruction register and their widths, for an engine's widths ({@link InstructionLayout}). */
public final class InstructionRegisters {
    private InstructionRegisters() {}

    /** Register widths by field name, in the RTL's declaration order, of every field of the layout. */
    public static Map<String, Integer> widths(EngineWidths e) {
        Map<String, Integer> r = new LinkedHashMap<>();
        for (InstructionLayout.Field f : InstructionLayout.FIELDS) r.put(f.name(), f.width(e));
        return r;
    }
}
