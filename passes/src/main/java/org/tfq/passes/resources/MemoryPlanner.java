package org.tfq.passes.resources;

import java.util.ArrayList;
import java.util.List;
import org.tfq.passes.engine.MemoryPlan;
import org.tfq.passes.schedule.Program;

/**
 * Places the weight and parameter ROMs in block RAM or in LUT ROM (and, with {@code --activations
 * auto}, the activation memory in block RAM or LUT RAM) so that the engine fits the part's block
 * RAM: when the memories by size ({@link MemoryPlan#bySize}) need more block RAM than the part
 * has, the resource model prices every placement (the activation memory in block or LUT RAM; the
 * parameter ROM in block RAM or LUTs; the weight ROM's first words, in steps of one block RAM's
 * depth, in block RAM and the rest in LUTs) and the one that fits with the fewest LUTs wins. Layers are contiguous in the
 * weight ROM, so the later layers' weights are the ones in LUTs. When no placement fits, the one
 * with the least block RAM is returned, so that what still does not fit is named by the estimate.
 */
public final class MemoryPlanner {
    private MemoryPlanner() {}

    /** Weight words per step of the split: the depth of a block RAM at 72 or 36 bits. */
    static final int STEP = 512;

    /** The placement of {@code p}'s ROMs for part {@code cap}. */
    public static MemoryPlan plan(Program p, ResourceModel.ActivationMemory activations, Capacity cap) {
        MemoryPlan bySize = MemoryPlan.bySize(p);
        // the placements are priced with the 7 series model; an iCE40 keeps its memories by size
        if (cap.ice40() || ResourceModel.estimate(p, activations, bySize).total().bram36Tiles() <= cap.bram36()) return bySize;
        int words = p.weightWords().size();
        List<Integer> splits = new ArrayList<>();
        for (int w = 0; w < words; w += STEP) splits.add(w);
        splits.add(words);
        MemoryPlan best = null;
        Resources bestR = null;
        boolean[] actLut = activations == ResourceModel.ActivationMemory.AUTO ? new boolean[] {false, true} : new boolean[] {false};
        for (boolean a : actLut) {
            for (boolean paramBlock : new boolean[] {bySize.paramBlock(), false}) {
                for (int w : splits) {
                    MemoryPlan m = new MemoryPlan(w, paramBlock, a, true);
                    Resources r = ResourceModel.estimate(p, activations, m).total();
                    if (best == null || better(r, bestR, cap)) {
                        best = m;
                        bestR = r;
                    }
                }
            }
        }
        return best;
    }

    /** Fitting the block RAM first, then fewer LUTs; among placements that do not fit, less block RAM. */
    private static boolean better(Resources r, Resources than, Capacity cap) {
        boolean fits = r.bram36Tiles() <= cap.bram36(), thanFits = than.bram36Tiles() <= cap.bram36();
        if (fits != thanFits) return fits;
        if (!fits && r.bram36Tiles() != than.bram36Tiles()) return r.bram36Tiles() < than.bram36Tiles();
        return r.lut() < than.lut();
    }
}
