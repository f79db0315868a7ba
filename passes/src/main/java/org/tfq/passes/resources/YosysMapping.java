package org.tfq.passes.resources;

/**
 * How Yosys 0.23's {@code synth_xilinx -family xc7} maps multipliers and memories, the part of
 * the resource model that must be exact (DSP48E1 and block RAM counts). Each rule reproduces a
 * Yosys pass closely enough to give the same cell counts on tfq's designs; the comments say
 * which pass and what it decides.
 */
final class YosysMapping {
    private YosysMapping() {}

    // ------------------------------------------------------------------ multipliers

    /**
     * DSP48E1 slices for one {@code $mul} of {@code a} x {@code b} bits with {@code y} result
     * bits used (widths after Yosys' {@code wreduce}). {@code mul2dsp} with the xc7 limits: a
     * product with an operand under 2 bits or fewer than 9 result bits stays in LUTs; unsigned
     * operands get a sign bit ({@code DSP_SIGNEDONLY}); the wider operand goes to the 25-bit A
     * port; an A over 25 bits is cut into 17-bit slices (18 with the sign headroom) plus a last
     * slice, a B over 18 bits likewise, each slice again a product that may stay in LUTs.
     */
    static int dsps(int a, int b, int y, boolean signed) {
        if (a < 2 || b < 2 || y < 9) return 0;
        if (!signed) {
            a++;
            b++;
        }
        if (a < b) {
            int t = a;
            a = b;
            b = t;
        }
        return slices(a, b, y);
    }

    private static int slices(int a, int b, int y) {
        if (a < 2 || b < 2 || y < 9) return 0;
        if (a > 25) {
            int n = (a - 25 + 18 - 1 - 1) / 17;
            int last = a - n * 17;
            return n * slices(18, b, Math.min(y, b + 18)) + slices(last, b, b + last);
        }
        if (b > 18) {
            int n = (b - 18 + 18 - 1 - 1) / 17;
            int last = b - n * 17;
            return n * slices(a, 18, Math.min(y, a + 18)) + slices(a, last, a + last);
        }
        return 1;
    }

    /**
     * LUTs of a product Yosys keeps out of DSPs ({@link #dsps} 0, or all multipliers when DSPs
     * are not wanted): an array of partial products and adders. Fitted to {@code synth_xilinx}
     * on a multiply-accumulate lane at 3x4 .. 9x10 bits (22 .. 245 LUTs).
     */
    static int softMultiplierLuts(int a, int b) {
        int p = a * b;
        return (int) Math.round(p * (1.55 + 0.013 * p));
    }

    // ------------------------------------------------------------------ memories

    /** A memory's block RAM use: 36 Kb and 18 Kb blocks. */
    record Blocks(int ramb36, int ramb18) {
        static final Blocks NONE = new Blocks(0, 0);
    }

    private record BlockDef(int cost, int abits, int[] widths, boolean trueDualPort, int ramb36PerUnit, int ramb18PerUnit) {}

    /**
     * The 7 series block RAM modes of Yosys' {@code brams_xc4v.txt} (with {@code HAS_SIZE_36},
     * {@code HAS_CASCADE}, {@code HAS_MIXWIDTH_SDP}), in the library's order: true dual port as
     * RAMB18 (cost 129), RAMB36 (257) and two cascaded RAMB36 (513); simple dual port as RAMB18
     * (up to 36 bits wide) and RAMB36 (up to 72).
     */
    private static final BlockDef[] BLOCKS = {
        new BlockDef(129, 14, new int[] {1, 2, 4, 9, 18}, true, 0, 1),
        new BlockDef(257, 15, new int[] {1, 2, 4, 9, 18, 36}, true, 1, 0),
        new BlockDef(513, 16, new int[] {1, 2, 4, 9}, true, 2, 0),
        new BlockDef(129, 14, new int[] {1, 2, 4, 9, 18, 36}, false, 0, 1),
        new BlockDef(257, 15, new int[] {1, 2, 4, 9, 18, 36, 72}, false, 1, 0),
    };

    /**
     * Block RAMs for a memory of {@code depth} words of {@code width} bits with {@code writePorts}
     * (0 or 1) and {@code readPorts} synchronous read ports, as {@code memory_libmap} picks them:
     * for every mode and base width, {@code replicas = ceil(ceil(depth / depthAt(width)) x
     * width' / unitWidth)} (width' padded to 9-bit bytes for a RAM) times the copies needed for
     * the read ports; cost = mode cost x blocks + 0.5 per read-mux and write-demux bit + 2 per
     * read port; the cheapest wins, the first on a tie.
     */
    static Blocks blockRam(long depth, int width, int writePorts, int readPorts) {
        return blockRamChoice(depth, width, writePorts, readPorts).blocks();
    }

    /** What {@link #blockRam} chose, and over how many address ranges the memory is split (each read then needs a mux). */
    record BlockChoice(Blocks blocks, long depthSlices) {}

    static BlockChoice blockRamChoice(long depth, int width, int writePorts, int readPorts) {
        if (depth <= 0 || width <= 0) return new BlockChoice(Blocks.NONE, 1);
        double best = Double.MAX_VALUE;
        BlockChoice choice = new BlockChoice(Blocks.NONE, 1);
        for (BlockDef d : BLOCKS) {
            int portCopies;
            if (d.trueDualPort()) {
                int space = 2 - writePorts;
                portCopies = (readPorts + space - 1) / space;
            } else {
                portCopies = readPorts;
            }
            for (int i = 0; i < d.widths().length; i++) {
                int unit = d.widths()[i];
                int effectiveByte = writePorts == 0 ? 1 : Math.min(9, unit);
                long swizzle = width + Math.floorMod(-width, effectiveByte);
                long addrs = 1L << (d.abits() - i);
                long multA = (depth + addrs - 1) / addrs;
                long bits = multA * swizzle;
                long repl = (bits + unit - 1) / unit;
                long demux = multA != 1 ? multA * writePorts : 0;
                long mux = (multA - 1) * (long) width * readPorts;
                double cost = (double) d.cost() * repl * portCopies + 0.5 * mux + 0.5 * demux + 2.0 * readPorts;
                if (cost < best) {
                    best = cost;
                    long units = repl * portCopies;
                    choice = new BlockChoice(new Blocks((int) (units * d.ramb36PerUnit()), (int) (units * d.ramb18PerUnit())), multA);
                }
            }
        }
        return choice;
    }

    /** A distributed RAM: LUTs holding it (RAM32M and RAM64M, 4 LUTs each), and the extra read-mux LUTs for deep ones. */
    record Distributed(int lutram, int muxLuts, int units, int depthSlices) {}

    private record LutRamDef(int cost, int widthScale, int abits, int width, int kind) {}

    private static final int SDP = 0, DP = 1, QP = 2;

    /**
     * Yosys' {@code lutrams_xc5v.txt}: simple dual port RAM32M (32 x 6) and RAM64M (64 x 3),
     * dual port (32 x 4, 64 x 2, 128 x 1) and quad port (32 x 2, 64 x 1).
     */
    private static final LutRamDef[] LUTRAMS = {
        new LutRamDef(8, 8, 5, 4, DP), new LutRamDef(8, 8, 6, 2, DP), new LutRamDef(8, 8, 7, 1, DP),
        new LutRamDef(7, 7, 5, 2, QP), new LutRamDef(7, 7, 6, 1, QP),
        new LutRamDef(8, 7, 5, 6, SDP), new LutRamDef(8, 7, 6, 3, SDP),
    };

    /**
     * A memory with one write port and {@code readPorts} read ports in LUT RAM, as
     * {@code memory_libmap} maps it: cost = (cost - widthscale) x units x copies + widthscale x
     * depth slices x width / unit width x copies + 0.5 per mux and demux bit.
     */
    static Distributed lutRam(long depth, int width, int readPorts) {
        double best = Double.MAX_VALUE;
        Distributed choice = null;
        for (LutRamDef d : LUTRAMS) {
            int copies = switch (d.kind()) {
                case QP -> (readPorts + 2) / 3;
                default -> readPorts;
            };
            long unit = d.width();
            long swizzle = width + Math.floorMod(-width, (int) unit);
            long multA = (depth + (1L << d.abits()) - 1) >> d.abits();
            long repl = (multA * swizzle + unit - 1) / unit;
            long mux = (multA - 1) * (long) width * readPorts;
            long demux = multA != 1 ? multA : 0;
            double cost = (double) (d.cost() - d.widthScale()) * repl * copies
                    + (double) ((d.widthScale() * multA * width) / unit) * copies + 0.5 * mux + 0.5 * demux + 2.0 * readPorts;
            if (cost < best) {
                best = cost;
                // a read mux over the depth slices: about one LUT6 per 4 inputs per bit
                int muxLuts = multA <= 1 ? 0 : (int) (width * readPorts * ((multA + 2) / 4 + (multA > 4 ? 1 : 0)));
                choice = new Distributed((int) (4 * repl * copies), muxLuts, (int) (repl * copies), (int) multA);
            }
        }
        return choice;
    }
}
