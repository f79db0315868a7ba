package org.tfq.passes.engine;

import org.tfq.passes.schedule.EngineWidths;
import org.tfq.passes.schedule.Program;

/**
 * Where the engine's memories go: the first {@code weightBlockWords} words of the weight ROM in
 * block RAM and the rest in LUTs (a LUT ROM), the parameter ROM in block RAM or in LUTs, and the
 * activation memory in LUT RAM ({@code activationsInLut}) where {@code --activations auto} would
 * have put it in block RAM.
 * {@code planned} says that LUT parts were chosen to fit a part ({@code MemoryPlanner}) and must be
 * marked as LUT ROMs; otherwise a small ROM is left to the tool, as {@link MemoryStyle#block} says.
 * The Verilog backend renders the plan; the resource model counts it.
 */
public record MemoryPlan(int weightBlockWords, boolean paramBlock, boolean activationsInLut, boolean planned) {
    public MemoryPlan {
        if (weightBlockWords < 0) throw new IllegalArgumentException("weightBlockWords " + weightBlockWords);
    }

    /** Every ROM by its size alone ({@link MemoryStyle#block}), as before a plan: no ROM is split. */
    public static MemoryPlan bySize(Program p) {
        EngineWidths e = EngineWidths.of(p);
        boolean weights = MemoryStyle.block((long) e.lanes() * e.ww() * p.weightWords().size());
        boolean params = MemoryStyle.block((long) e.prmW() * p.params().size());
        return new MemoryPlan(weights ? p.weightWords().size() : 0, params, false, false);
    }

    /** Whether the activation memory of {@code bits} bits goes to block RAM, {@link MemoryStyle#activationsInBlock} unless the plan moved it. */
    public boolean activationsInBlock(boolean forceBlock, boolean byRule, long bits) {
        return !activationsInLut && MemoryStyle.activationsInBlock(forceBlock, byRule, bits);
    }

    /** True when the weight ROM has words both in block RAM and in LUTs. */
    public boolean weightsSplit(Program p) {
        return weightBlockWords > 0 && weightBlockWords < p.weightWords().size();
    }

    /** True when words of the weight ROM are in LUTs because the plan put them there. */
    public boolean weightLutRom(Program p) {
        return planned && weightBlockWords < p.weightWords().size();
    }
}
