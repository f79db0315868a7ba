package org.tfq.passes.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tfq.passes.schedule.EngineWidths;
import org.tfq.passes.schedule.Program;

/**
 * The resource model for an iCE40: what Yosys 0.23 makes of the engine for the iCE40 (tfq's
 * {@code ice40/synth.ys}: {@code synth_ice40 -dsp} without {@code ice40_dsp}) in LUT4s,
 * flip-flops, SB_MAC16s and 4 Kb EBRs. The engine is the same as on the 7 series except where
 * the family decides ({@link org.tfq.passes.engine.MemoryStyle#ramAlwaysInBlock},
 * {@link org.tfq.passes.engine.DspPacking#pairs(EngineWidths, boolean)}): every RAM in EBR, one
 * lane per SB_MAC16.
 * <ul>
 *   <li>SB_MAC16: {@code mul2dsp} with the iCE40 limits, exact ({@link #dsps}).
 *   <li>EBR: {@code memory_libmap} with {@code ice40/brams.txt}, exact ({@link #ebr}): the
 *       activation memory (two copies, one per read port), the B buffer of every lane, the
 *       softmax's exponential buffer and the weight, parameter and table ROMs (constant bit
 *       columns dropped, as Yosys does). The output memory, read asynchronously, becomes
 *       flip-flops, as the instruction ROM becomes logic.
 *   <li>LUT4: the 7 series model's logic outside the lanes and memories, scaled to LUT4s, plus per
 *       lane its accumulator, operand select and centring; coefficients fitted to Yosys on the
 *       reference-design models ({@code bench/ice40}).
 * </ul>
 */
public final class Ice40ResourceModel {
    private Ice40ResourceModel() {}

    // fitted to Yosys on ref_n12_d16_m1 at 8 bits, 1, 2 and 4 lanes (bench/ice40): within 1.2% there
    static final double LUT4_PER_LUT6 = 1.22;   // the 7 series model's logic (control, program, AGUs, output unit, divider, ...) in LUT4s
    static final double LANE_LUT4_PER_BIT = 2.0; // per lane: its accumulator, operand select and centring, per bit
    static final double EBR_READ_MUX = 1.0;      // per bit and extra depth slice of a memory split over EBRs

    /**
     * Logic cells nextpnr places per LUT4 of the model: a cell holds one LUT4 and one flip-flop,
     * and flip-flops without a LUT of their own to pair with, and carry chains, take cells too.
     * bench/ice40, four designs at 8 bits: 3,485 cells for 2,144 LUT4, 3,611 / 2,303, 3,696 / 2,369
     * and 3,804 / 2,421 (1.56 to 1.63).
     */
    static final double LOGIC_CELLS_PER_LUT4 = 1.6;

    /** The logic cells a design of {@code lut4} modelled LUT4s fills after placement. */
    public static int logicCells(int lut4) {
        return (int) Math.ceil(LOGIC_CELLS_PER_LUT4 * lut4);
    }

    /** SB_MAC16 multiplier widths ({@code mul2dsp} with {@code DSP_A/B_MAXWIDTH=16}). */
    static final int MAC_BITS = 16;

    /** The iCE40 resources of the engine for {@code p}, unit by unit. */
    public static ResourceEstimate estimate(Program p) {
        EngineWidths e = EngineWidths.of(p);
        ResourceEstimate x = ResourceModel.estimate(p, ResourceModel.ActivationMemory.BRAM);
        List<ResourceEstimate.Unit> units = new ArrayList<>();
        int A = e.aw() + 1;

        // lanes: product in a SB_MAC16 (or LUTs when too small), accumulator and operand path in the fabric
        int laneDsp = dsps(A, e.bw(), A + e.bw());
        double laneLut = LANE_LUT4_PER_BIT * (e.accW() + e.bw() + A) + (laneDsp == 0 ? YosysMapping.softMultiplierLuts(A, e.bw()) : 0);
        int laneFf = 2 * e.accW() + e.bw() + A + (e.buffer() ? e.aw() : 0);
        Ebr bb = e.buffer() ? ebr(e.bbDepth(), e.aw(), 1, 1) : Ebr.NONE;
        units.add(unit("MAC lanes", e.lanes() * (laneLut + bb.muxLut()), e.lanes() * laneFf, e.lanes() * laneDsp, e.lanes() * bb.blocks(),
                String.format(Locale.ROOT, "%d x (%d x %d-bit product, %s; %d-bit accumulator%s)", e.lanes(), A, e.bw(),
                        laneDsp > 0 ? laneDsp + " SB_MAC16" : "LUTs", e.accW(),
                        e.buffer() ? String.format(Locale.ROOT, ", B buffer %d x %d bits in %d EBR", e.bbDepth(), e.aw(), bb.blocks()) : "")));

        // the rest of the logic: the 7 series model's units, scaled
        double logic = 0, ff = 0;
        for (ResourceEstimate.Unit u : x.units()) {
            switch (u.name()) {
                case "MAC lanes", "activation memory", "weight ROM", "parameter ROM", "table ROM" -> { }
                case "shift registers" -> ff += u.resources().lut() * 16; // SRL16E delay lines are flip-flops here
                default -> {
                    logic += u.resources().lut() - u.resources().lutram();
                    ff += u.resources().ff();
                }
            }
        }
        int postB = e.aw() + 1;
        int dsp = dsps(e.paW(), e.m1(), e.paW() + e.m1()) + dsps(postB, e.m2(), postB + e.m2());
        if (e.softmax()) dsp += dsps(e.tW(), e.smkW(), Math.min(e.dnW(), e.tW() + e.smkW()));
        if (e.product()) dsp += dsps(postB, postB, 2 * postB);
        if (e.layernorm()) dsp += layerNormDsps(e);
        units.add(unit("control and units", LUT4_PER_LUT6 * logic, ff, dsp, 0,
                "program, control, address generators, output unit, divider, softmax, LayerNorm: the 7 series model's logic in LUT4s"));

        // memories
        Ebr act = ebr(e.actDepth(), e.aw(), 1, 2);
        units.add(unit("activation memory", act.muxLut(), 0, 0, act.blocks(),
                String.format(Locale.ROOT, "%d x %d bits, 2 read ports: %d EBR", e.actDepth(), e.aw(), act.blocks())));
        if (e.softmax()) {
            Ebr eb = ebr(e.ebDepth(), e.tW(), 1, 1);
            units.add(unit("softmax buffer", eb.muxLut(), 0, 0, eb.blocks(), String.format(Locale.ROOT, "%d x %d bits: %d EBR", e.ebDepth(), e.tW(), eb.blocks())));
        }
        rom(units, "weight ROM", e.wDepth(), ResourceModel.weightColumns(p, e));
        rom(units, "parameter ROM", e.pDepth(), ResourceModel.paramColumns(p, e));
        if (e.tableRom()) rom(units, "table ROM", e.tDepth(), e.tW());
        return new ResourceEstimate(p.lanes(), units);
    }

    private static void rom(List<ResourceEstimate.Unit> units, String name, long depth, int cols) {
        Ebr r = ebr(depth, cols, 0, 1);
        units.add(unit(name, r.muxLut(), 0, 0, r.blocks(), String.format(Locale.ROOT, "%d words x %d varying bits: %d EBR", depth, cols, r.blocks())));
    }

    private static ResourceEstimate.Unit unit(String name, double lut, double ff, int dsp, int ebr, String detail) {
        return new ResourceEstimate.Unit(name, new Resources((int) Math.round(lut), 0, (int) Math.round(ff), dsp, 0, 0, ebr), detail);
    }

    /** LayerNorm's four products (x n, the squared deviation, d G, B sigma), each as {@link #dsps} maps it. */
    private static int layerNormDsps(EngineWidths e) {
        int prod = e.aw() + e.lnnW() + 1;
        int d = Math.min(e.lndW(), Math.max(prod, e.lnsW()) + 1);
        int sigma = Math.min(e.ddW(), (e.sqW() + 1) / 2) + 1;
        return dsps(e.aw(), e.lnnW() + 1, Math.min(e.lndW(), prod)) + dsps(d, d, Math.min(e.sqW(), 2 * d))
                + dsps(d, e.m1(), e.dnW()) + dsps(e.c(), sigma, e.dnW());
    }

    /**
     * SB_MAC16s for one {@code $mul} of {@code a} x {@code b} bits with {@code y} result bits:
     * {@code mul2dsp} with {@code DSP_A/B_MAXWIDTH=16}, {@code DSP_A/B_MINWIDTH=2},
     * {@code DSP_Y_MINWIDTH=11} and no sign headroom. Narrower products stay in LUTs; the wider
     * operand is cut into 16-bit slices and a last one, each a product again.
     */
    static int dsps(int a, int b, int y) {
        if (a < 2 || b < 2 || y < 11) return 0;
        if (a < b) {
            int t = a;
            a = b;
            b = t;
        }
        if (a > MAC_BITS) {
            int n = (a - 1) / MAC_BITS;
            int last = a - n * MAC_BITS;
            return n * dsps(MAC_BITS, b, Math.min(y, b + MAC_BITS)) + dsps(last, b, b + last);
        }
        if (b > MAC_BITS) {
            int n = (b - 1) / MAC_BITS;
            int last = b - n * MAC_BITS;
            return n * dsps(a, MAC_BITS, Math.min(y, a + MAC_BITS)) + dsps(a, last, a + last);
        }
        return 1;
    }

    /** A memory's EBRs, and the LUT4s of its read multiplexer when it is split over depth. */
    record Ebr(int blocks, double muxLut) {
        static final Ebr NONE = new Ebr(0, 0);
    }

    /**
     * EBRs for {@code depth} words of {@code width} bits with {@code writePorts} (0 or 1) and
     * {@code readPorts} synchronous read ports, as {@code memory_libmap} picks them from
     * {@code ice40/brams.txt}: one mode of 2048 x 2, 1024 x 4, 512 x 8 or 256 x 16 bits, cost 64
     * a block, one read port a block (a copy per read port), plus 0.5 per read-mux and
     * write-demux bit and 2 per read port; the cheapest wins.
     */
    static Ebr ebr(long depth, int width, int writePorts, int readPorts) {
        if (depth <= 0 || width <= 0) return Ebr.NONE;
        int[] units = {2, 4, 8, 16};
        double best = Double.MAX_VALUE;
        Ebr choice = Ebr.NONE;
        for (int i = 0; i < units.length; i++) {
            int unit = units[i];
            long addrs = 1L << (11 - i);
            long multA = (depth + addrs - 1) / addrs;
            long repl = multA * ((width + unit - 1) / unit);
            long demux = multA != 1 ? multA * writePorts : 0;
            long mux = (multA - 1) * (long) width * readPorts;
            double cost = 64.0 * repl * readPorts + 0.5 * mux + 0.5 * demux + 2.0 * readPorts;
            if (cost < best) {
                best = cost;
                choice = new Ebr((int) (repl * readPorts), EBR_READ_MUX * mux);
            }
        }
        return choice;
    }
}
