package org.tfq.passes.engine;

/**
 * Where the engine puts a memory: block RAM, or LUTs (distributed RAM, or logic for a ROM).
 * The Verilog backend writes the style attribute from it; the resource model counts the same.
 */
public final class MemoryStyle {
    private MemoryStyle() {}

    /** Memories this small are cheaper as LUTs than as a block RAM. */
    public static final long DISTRIBUTED_MAX_BITS = 4096;

    /** A ROM (or an activation memory left to the rule) of {@code bits} bits goes to block RAM. */
    public static boolean block(long bits) {
        return bits > DISTRIBUTED_MAX_BITS;
    }

    /**
     * Whether the engine's RAMs (activation memory, B buffers) go to block RAM whatever their size:
     * on an iCE40 always (EBR), as the family has no LUT RAM and a "distributed" RAM would become
     * flip-flops and multiplexers; on a 7 series part the B buffers are LUT RAM and the activation
     * memory follows {@link #activationsInBlock}.
     */
    public static boolean ramAlwaysInBlock(boolean ice40) {
        return ice40;
    }

    /** The activation memory of {@code bits} bits: forced to block RAM, forced to LUT RAM, or by {@link #block}. */
    public static boolean activationsInBlock(boolean forceBlock, boolean byRule, long bits) {
        return forceBlock || (byRule && block(bits));
    }
}
