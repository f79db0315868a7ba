package org.tfq.passes.resources;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.integer.IntMath;
import org.tfq.passes.engine.DspPacking;
import org.tfq.passes.engine.MemoryPlan;
import org.tfq.passes.engine.MemoryStyle;
import org.tfq.passes.schedule.Instruction;
import org.tfq.passes.schedule.EngineWidths;
import org.tfq.passes.schedule.InstructionLayout;
import org.tfq.passes.schedule.Program;

/**
 * tfq's analytical resource model: what the engine the Verilog backend generates for a
 * {@link Program} uses on a 7 series FPGA, unit by unit, without synthesis (microseconds instead
 * of the minute Yosys takes), so that {@code --lanes auto} can try every lane count.
 *
 * <p>It mirrors the engine template ({@code engine/tfq_top.v.ftl}) and its units, and it
 * predicts what Yosys 0.23's {@code synth_xilinx -family xc7 -flatten} makes of them
 * ({@code tfq estimate}), the only synthesis tool available where tfq is developed:
 * <ul>
 *   <li>DSP48E1 and block RAM are exact rules ({@link YosysMapping}): which products Yosys puts in
 *       DSPs and how it slices wide ones, and how {@code memory_libmap} maps every memory to
 *       RAMB18/RAMB36 (after dropping ROM bit columns that are constant, as Yosys does).
 *   <li>Flip-flops are counted from the template's registers at the widths the program gives
 *       them, leaving out what Yosys removes (instruction-register bits that are the same in every
 *       instruction, registers it moves into DSPs and shift registers).
 *   <li>LUTs are structural counts (adders, multiplexers, the instruction ROM's distinct bit
 *       functions, read multiplexers of depth-sliced memories, distributed RAM) with coefficients
 *       calibrated against Yosys on the testdata models at 4, 6 and 8 bits and 8 and 16 lanes
 *       ({@code bench/resources} reruns that comparison).
 * </ul>
 * Vivado maps differently (it may pack LUT pairs, infer DSPs differently, retime); this model
 * makes no claim about Vivado's numbers.
 */
public final class ResourceModel {
    private ResourceModel() {}

    /** Where the activation memory goes, as the Verilog backend's {@code --activations} decides. */
    public enum ActivationMemory {
        BRAM, LUTRAM, AUTO
    }

    // Calibrated coefficients (LUTs unless named otherwise); see the class comment.
    static final double LANE_OPERAND_LUT = 1.169;   // per bit of the B-buffer operand path (centre, select) of a lane
    static final double PAIR_ACC_LUT = 1.0;         // lanes sharing a DSP: per accumulator bit
    static final double PAIR_PACK_LUT = 1.0;        // lanes sharing a DSP: per bit of the packing and correction adders
    static final double PAIR_FF = 1.0;              // lanes sharing a DSP: of the accumulators and operand registers kept
    static final double READ_MUX = 0.746;           // per bit and mux level of a depth-sliced block RAM's read mux
    static final double DRAIN_LUT = 3.737;          // drain address counters, per address bit
    static final double ROM_LUT_5 = 1.209;          // per distinct instruction-ROM bit function, program counter <= 5 bits
    static final double ROM_LUT_6 = 2.258;          // the same at 6 bits (doubling per bit beyond)
    static final double CONTROL_LUT = 10.976;       // loop counters and their comparisons, per counter bit
    static final double AGU_LUT = 72.053;           // per address generator
    static final double AGU_FF = 3.5;               // registers per address generator, per address bit
    static final double POST_SHIFT_LUT = 1.214;     // output unit, per bit of its shifter and shift-amount bit
    static final double POST_LUT = 3.781;           // output unit, per bit of its shifter (adders, clamp)
    static final double DIV_STAGE_LUT = 1.927;      // divider, per stage and denominator bit
    static final double DIV_LN_LUT = 0.503;         // the same, extra when LayerNorm shares the divider
    static final double SOFTMAX_LUT = 1.177;        // per bit of the row sum, denominator and maximum
    static final double MASK_LUT = 1.0;            // per bit of the causal mask's limit, row counter and comparison (counted, not fitted)
    static final double LN_LUT = 2.76;              // per bit of the LayerNorm sum and deviation
    static final double SQRT_LUT = 8.421;           // square root, per radicand bit
    static final double SQRT_LUT0 = -32.826;
    static final double MEMORY_LUT0 = 77.032;       // stream interfaces, output memory, write-port muxes
    static final double SRL_PER_ADDRESS_BIT = 1.676; // delay lines of addresses turned into SRL16E
    static final double SRL_PER_QUOTIENT_BIT = 2.919;
    static final double SRL0 = 18.791;
    static final double SRL_LAYERNORM = -9.664;

    /** The resources of the engine for {@code p}, unit by unit. */
    public static ResourceEstimate estimate(Program p, ActivationMemory activations) {
        return estimate(p, activations, MemoryPlan.bySize(p));
    }

    /** The resources of the engine for {@code p} with its ROMs placed as {@code plan} says. */
    public static ResourceEstimate estimate(Program p, ActivationMemory activations, MemoryPlan plan) {
        return new Builder(p, activations, plan).build();
    }

    /** Which multipliers this estimate puts in DSP48E1 slices, for the template's {@code use_dsp} attributes. */
    public static DspPacking.Use dspUse(Program p) {
        Builder b = new Builder(p, ActivationMemory.AUTO, MemoryPlan.bySize(p));
        b.build();
        return b.dspUse;
    }

    /**
     * For calibration: every coefficient's name (prefixed LUT:, FF: or SRL: for what it adds to)
     * and the feature it multiplies in {@code p}'s estimate.
     */
    public static Map<String, Double> features(Program p, ActivationMemory activations) {
        Builder b = new Builder(p, activations, MemoryPlan.bySize(p));
        b.build();
        return b.features;
    }


    static int clog2(long x) {
        return Math.max(1, 64 - Long.numberOfLeadingZeros(Math.max(1, x) - 1));
    }

    /** LUTs per bit of an n:1 multiplexer as Yosys builds it (LUT6, MUXF7, MUXF8). */
    static int muxLuts(long n) {
        if (n <= 1) return 0;
        if (n <= 4) return 1;
        return (int) ((n + 3) / 4) + 1;
    }

    private static final class Builder {
        final Program p;
        final EngineWidths e;
        final ActivationMemory activations;
        final List<ResourceEstimate.Unit> units = new ArrayList<>();
        /** Each calibrated coefficient's feature (what it multiplies), for calibration: {@link #features}. */
        final Map<String, Double> features = new java.util.TreeMap<>();
        /** The multipliers counted as DSPs, set by {@link #build}. */
        DspPacking.Use dspUse;
        boolean productDsp, softmaxDsp, lnScaleDsp, lnNumeratorDsp, lnSquareDsp;

        double t(String name, double coefficient, double feature) {
            features.merge(name, feature, Double::sum);
            return coefficient * feature;
        }

        final MemoryPlan plan;

        Builder(Program p, ActivationMemory activations, MemoryPlan plan) {
            this.p = p;
            this.e = EngineWidths.of(p);
            this.activations = activations;
            this.plan = plan;
        }

        void add(String name, double lut, double ff, int lutram, int dsp, YosysMapping.Blocks blocks, String detail) {
            int l = (int) Math.round(Math.max(lut, lutram));
            units.add(new ResourceEstimate.Unit(name, new Resources(l, lutram, (int) Math.round(Math.max(0, ff)), dsp,
                    blocks.ramb36(), blocks.ramb18()), detail));
        }

        ResourceEstimate build() {
            int E = e.usedAddressBits();
            int A = e.aw() + 1;

            // -------------------------------------------------------------- MAC lanes
            int pw = A + e.bw();
            boolean pairs = DspPacking.pairs(e);
            int pairDsp = pairs ? YosysMapping.dsps(A, pw + e.bw(), 2 * pw, true) : 0;
            int laneDsp = pairs ? 0 : YosysMapping.dsps(A, e.bw(), A + e.bw(), true);
            double laneLut;
            double laneFf;
            if (pairs) {
                // the accumulators stay in the fabric; per lane: its half of the packed operand's adder and of the
                // high product's correction, the accumulator adder
                laneFf = t("FF:PAIR_FF", PAIR_FF, e.lanes() * (2.0 * e.accW() + e.bw())) / e.lanes() + (e.buffer() ? e.aw() : 0);
                laneLut = t("LUT:PAIR_ACC_LUT", PAIR_ACC_LUT, e.lanes() * e.accW()) / e.lanes()
                        + t("LUT:PAIR_PACK_LUT", PAIR_PACK_LUT, e.lanes() * (pw + e.bw() + pw) / 2.0) / e.lanes()
                        + (pairDsp == 0 ? YosysMapping.softMultiplierLuts(A, pw + e.bw()) / 2.0 : 0)
                        + (e.buffer() ? t("LUT:LANE_OPERAND_LUT", LANE_OPERAND_LUT, e.lanes() * (A + e.bw() / 2.0)) / e.lanes() : 0);
            } else if (laneDsp > 0) {
                // the DSP takes the operand registers, the product and the accumulator (P register)
                laneFf = e.accW() + (e.buffer() ? e.aw() : 0);
                laneLut = e.buffer() ? t("LUT:LANE_OPERAND_LUT", LANE_OPERAND_LUT, e.lanes() * (A + e.bw() / 2.0)) / e.lanes() : 0;
            } else {
                laneFf = 2 * e.accW() + e.bw() + (e.buffer() ? e.aw() : 0);
                laneLut = YosysMapping.softMultiplierLuts(A, e.bw()) + e.accW()
                        + (e.buffer() ? t("LUT:LANE_OPERAND_LUT", LANE_OPERAND_LUT, e.lanes() * (A + e.bw() / 2.0)) / e.lanes() : 0);
            }
            int bufferRam = 0;
            double bufferMux = 0;
            String bufferDetail = "";
            if (e.buffer()) {
                YosysMapping.Distributed b = YosysMapping.lutRam(e.bbDepth(), e.aw(), 1);
                bufferRam = b.lutram();
                if (b.depthSlices() > 1) bufferMux = e.aw() * muxLuts(b.depthSlices()) + b.depthSlices();
                bufferDetail = String.format(Locale.ROOT, ", B buffer %d x %d bits in LUT RAM", e.bbDepth(), e.aw());
            }
            int laneDsps = pairs ? e.lanes() / 2 * pairDsp : e.lanes() * laneDsp;
            String mul = pairs ? (pairDsp > 0 ? "two lanes per DSP48E1" : "LUTs, two lanes per product")
                    : laneDsp > 0 ? laneDsp + " DSP48E1 each" : "LUTs";
            add("MAC lanes", e.lanes() * (laneLut + bufferRam + bufferMux), e.lanes() * laneFf, e.lanes() * bufferRam, laneDsps,
                    YosysMapping.Blocks.NONE, String.format(Locale.ROOT, "%d x (%d x %d-bit product, %s; %d-bit accumulator%s)",
                            e.lanes(), A, e.bw(), mul, e.accW(), bufferDetail));

            // -------------------------------------------------------------- accumulator drain
            ProgramBits pb = programBits(p, e);
            int latched = pb.varying("z", "lo", "hi", "o_lane", "p_lane", "b_base", "to_out", "bb_write", "bb_swap");
            add("drain", e.accW() * muxLuts(e.lanes()) + t("LUT:DRAIN_LUT", DRAIN_LUT, E) + latched, e.accW() + 3 * E + e.cw() + clog2(e.lanes()) + 3 + latched, 0, 0,
                    YosysMapping.Blocks.NONE, String.format(Locale.ROOT, "%d:1 x %d-bit accumulator readout", e.lanes(), e.accW()));

            // -------------------------------------------------------------- program ROM and instruction registers
            add("program", e.pcW() <= 5 ? t("LUT:ROM_LUT_5", ROM_LUT_5, pb.distinctFunctions())
                    : t("LUT:ROM_LUT_6", ROM_LUT_6, (1 << (e.pcW() - 6)) * pb.distinctFunctions()), pb.registerBits(), 0, 0, YosysMapping.Blocks.NONE,
                    String.format(Locale.ROOT, "%d instructions; %d instruction-register bits vary, %d distinct bit functions",
                            p.instructions().size(), pb.registerBits(), pb.distinctFunctions()));

            // -------------------------------------------------------------- control
            int controlFf = 3 + e.pcW() + 5 * e.cw() + e.inCw() + e.outCw() + 22 + 2 * e.pAw()
                    + (e.buffer() ? e.cw() + e.bbAw() : 0) + (e.softmax() || e.layernorm() ? 2 * e.cw() : 0);
            add("control", t("LUT:CONTROL_LUT", CONTROL_LUT, e.cw()), controlFf, 0, 0, YosysMapping.Blocks.NONE,
                    String.format(Locale.ROOT, "four %d-bit loop counters, state machine, pipeline", e.cw()));

            // -------------------------------------------------------------- address generators
            add("address generators", t("LUT:AGU_LUT", AGU_LUT, 5), t("FF:AGU_FF", AGU_FF, 5 * E), 0, 0, YosysMapping.Blocks.NONE,
                    String.format(Locale.ROOT, "5 x %d address bits used", E));

            // -------------------------------------------------------------- output unit (tfq_post) and its constants
            int B = e.aw() + 1;
            int S = Math.max(Math.max(e.paW() + e.m1(), B + e.m2()), e.c()) + 2;
            int H = S + 1;
            int T = Math.max(S, e.pyW()) + 1;
            int postDsp1 = YosysMapping.dsps(e.paW(), e.m1(), e.paW() + e.m1(), true);
            int postDsp2 = YosysMapping.dsps(B, e.m2(), B + e.m2(), true);
            int postDsp = postDsp1 + postDsp2;
            int prm = paramColumns(p, e);
            double postFf = prm + 2 * B + H + T + e.ow() + 3 * e.sh() + 6;
            if (postDsp1 > 1) postFf += e.c() + (e.paW() > 25 ? e.paW() + e.m1() + 2 * S : e.m1() - 3);
            add("output unit", t("LUT:POST_SHIFT_LUT", POST_SHIFT_LUT, H * e.sh()) + t("LUT:POST_LUT", POST_LUT, H), postFf, 0, postDsp, YosysMapping.Blocks.NONE,
                    String.format(Locale.ROOT, "%d x %d and %d x %d products, %d-bit rounding shift", e.paW(), e.m1(), B, e.m2(), H));

            if (e.product()) {
                // the template's ew_prod: (a - za)(b - zb), straight into the output unit (whose A port widened for it)
                int dsp = YosysMapping.dsps(B, B, 2 * B, true);
                productDsp = dsp > 0;
                add("elementwise product", dsp == 0 ? B * B : 0, 0, 0, dsp, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "%d x %d product of two activations", B, B));
            }

            if (p.instructions().stream().anyMatch(i -> i.kind() == Instruction.Kind.MAX)) {
                // the template's mx: complement, comparator (a carry chain) and the keep-or-load mux per bit, one register
                add("row maximum", 2 * e.aw(), e.aw(), 0, 0, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "%d-bit running maximum or minimum", e.aw()));
            }

            // -------------------------------------------------------------- divider, softmax, LayerNorm, square root
            if (e.divider()) {
                int ew = Math.max(e.dnW(), e.ddW()) + 2;
                double ff = 2.0 * e.ddW() * e.dqW() + ew + 2 * e.ddW() + (e.layernorm() ? e.dnW() : 0);
                double lut = t("LUT:DIV_STAGE_LUT", DIV_STAGE_LUT, e.ddW() * e.dqW())
                        + (e.layernorm() ? t("LUT:DIV_LN_LUT", DIV_LN_LUT, e.ddW() * e.dqW()) : 0) + ew / 2.0;
                add("divider", lut, ff, 0, 0, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "%d stages x %d-bit denominator, pipelined", e.dqW(), e.ddW()));
            }
            if (e.softmax()) {
                YosysMapping.Distributed eb = YosysMapping.lutRam(e.ebDepth(), e.tW(), 1);
                int dsp = YosysMapping.dsps(e.tW(), e.smkW(), Math.min(e.dnW(), e.tW() + e.smkW()), false);
                softmaxDsp = dsp > 0;
                add("softmax", t("LUT:SOFTMAX_LUT", SOFTMAX_LUT, 2 * e.ddW() + e.aw()) + eb.lutram(), e.aw() + 2 * e.ddW() + e.tW(), eb.lutram(), dsp,
                        YosysMapping.Blocks.NONE, String.format(Locale.ROOT, "row maximum and sum, %d-entry exponential buffer", e.ebDepth()));
            }
            if (p.instructions().stream().anyMatch(i -> i.maskPeriod() > 0)) {
                add("causal mask", t("LUT:MASK_LUT", MASK_LUT, 3 * e.cw() + 1), 2 * e.cw() + 3, 0, 0, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "%d-bit row limit and counter: the kept prefix of each softmax row", e.cw() + 1));
            }
            if (e.layernorm()) {
                int it = (e.sqW() + 1) / 2;
                int w2 = 2 * it;
                add("LayerNorm", t("LUT:LN_LUT", LN_LUT, e.lnsW() + e.lndW()), e.lnsW() + it, 0, layerNormDsps(), YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "mean, variance, %d-bit numerator products", e.dnW()));
                add("square root", t("LUT:SQRT_LUT", SQRT_LUT, w2) + t("LUT:SQRT_LUT0", SQRT_LUT0, 1), 2 * w2 + w2 / 2 + it + clog2(it + 1), 0, 0, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "%d-bit radicand, one bit per cycle", e.sqW()));
            }

            // -------------------------------------------------------------- memories
            long actBits = (long) e.aw() * e.actDepth();
            boolean actBlock = plan.activationsInBlock(activations == ActivationMemory.BRAM, activations == ActivationMemory.AUTO, actBits);
            if (actBlock) {
                YosysMapping.BlockChoice c = YosysMapping.blockRamChoice(e.actDepth(), e.aw(), 1, 2);
                add("activation memory", t("LUT:READ_MUX", READ_MUX, 2 * e.aw() * muxLuts(c.depthSlices())), 0, 0, 0, c.blocks(),
                        String.format(Locale.ROOT, "%d x %d bits, 1 write and 2 read ports, block RAM", e.actDepth(), e.aw()));
            } else {
                YosysMapping.Distributed d = YosysMapping.lutRam(e.actDepth(), e.aw(), 2);
                add("activation memory", d.lutram() + d.muxLuts(), 0, d.lutram(), 0, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "%d x %d bits, 1 write and 2 read ports, LUT RAM", e.actDepth(), e.aw()));
            }
            long wordBits = (long) e.lanes() * e.ww();
            int words = p.weightWords().size();
            if (plan.weightsSplit(p)) {
                int blockWords = plan.weightBlockWords();
                int blockCols = weightColumns(p, e, 0, blockWords), lutCols = weightColumns(p, e, blockWords, words);
                romAs("weight ROM, block RAM", blockWords, blockCols, wordBits, true);
                lutRom("weight ROM, LUTs", words - blockWords, lutCols, wordBits);
                // the LUT part's read register and the 2:1 multiplexer after both parts' registers
                add("weight ROM read mux", wordBits, lutCols + 1, 0, 0, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "words from %d on from the LUT part", blockWords));
            } else if (plan.planned() && plan.weightBlockWords() == 0) {
                lutRom("weight ROM", e.wDepth(), weightColumns(p, e, 0, words), wordBits);
            } else if (plan.planned()) {
                romAs("weight ROM", e.wDepth(), weightColumns(p, e, 0, words), wordBits, true);
            } else {
                rom("weight ROM", e.wDepth(), weightColumns(p, e), wordBits);
            }
            if (plan.planned() && !plan.paramBlock()) lutRom("parameter ROM", e.pDepth(), prm, e.prmW());
            else if (plan.planned()) romAs("parameter ROM", e.pDepth(), prm, e.prmW(), true);
            else rom("parameter ROM", e.pDepth(), prm, e.prmW());
            if (e.tableRom()) rom("table ROM", e.tDepth(), e.tW(), e.tW());
            add("streams and output", t("LUT:MEMORY_LUT0", MEMORY_LUT0, 1), 2 * e.ow() + 2 * e.aw(), 0, 0, YosysMapping.Blocks.NONE,
                    String.format(Locale.ROOT, "AXI4-Stream in and out, %d-entry output memory", e.outDepth()));

            // -------------------------------------------------------------- delay lines Yosys turns into SRL16E
            double srl = t("SRL:SRL_PER_ADDRESS_BIT", SRL_PER_ADDRESS_BIT, E) + t("SRL:SRL_PER_QUOTIENT_BIT", SRL_PER_QUOTIENT_BIT, e.divider() ? e.dqW() : 0)
                    + t("SRL:SRL0", SRL0, 1) + t("SRL:SRL_LAYERNORM", SRL_LAYERNORM, e.layernorm() ? 1 : 0);
            int srlLuts = (int) Math.round(Math.max(0, srl));
            add("shift registers", srlLuts, 0, srlLuts, 0, YosysMapping.Blocks.NONE, "address and quotient delay lines (SRL16E)");
            dspUse = new DspPacking.Use(pairs ? pairDsp > 0 : laneDsp > 0, postDsp1 > 0, postDsp2 > 0, productDsp, softmaxDsp,
                    lnScaleDsp, lnNumeratorDsp, lnSquareDsp);
            return new ResourceEstimate(p.lanes(), units);
        }

        /** A ROM of {@code depth} words, {@code cols} of whose {@code declared} bits vary, as the backend places it. */
        private void rom(String name, int depth, int cols, long declared) {
            romAs(name, depth, cols, declared, MemoryStyle.block(declared * depth));
        }

        /** A ROM of {@code depth} words, {@code cols} of whose {@code declared} bits vary, in block RAM or in LUTs. */
        private void romAs(String name, int depth, int cols, long declared, boolean block) {
            if (block) {
                YosysMapping.BlockChoice c = YosysMapping.blockRamChoice(depth, cols, 0, 1);
                add(name, t("LUT:READ_MUX", READ_MUX, cols * muxLuts(c.depthSlices())), 0, 0, 0, c.blocks(),
                        String.format(Locale.ROOT, "%d x %d bits (%d vary), block RAM", depth, declared, cols));
            } else {
                // a distributed ROM is logic: one LUT per varying bit per 64 words
                add(name, cols * Math.max(1.0, depth / 64.0), 0, 0, 0, YosysMapping.Blocks.NONE,
                        String.format(Locale.ROOT, "%d x %d bits (%d vary), LUTs", depth, declared, cols));
            }
        }

        /**
         * A ROM the memory plan put in LUTs, deep enough that its read multiplexer matters: per
         * varying bit one LUT6 per 64 words, MUXF7/MUXF8 join four of them in the slice, and
         * LUTs join those groups ({@link #muxLuts}). Yosys on bench_n6_d64_m7 (8-bit, 16 lanes:
         * 1,117 x 128 and 1,476 x 71 bits in LUTs): 6,981 LUTs, this model 6,584; counting one LUT
         * per 64 words, as {@link #romAs} does for the small ROMs left to the tool, 5,901.
         */
        private void lutRom(String name, int depth, int cols, long declared) {
            long leaves = (depth + 63) / 64;
            add(name, cols * (double) (leaves + muxLuts((leaves + 3) / 4)), 0, 0, 0, YosysMapping.Blocks.NONE,
                    String.format(Locale.ROOT, "%d x %d bits (%d vary), LUT ROM", depth, declared, cols));
        }

        /**
         * LayerNorm's products: x n (one DSP), the square of the deviation (one), and the numerator
         * d G + B sigma ({@link org.tfq.ir.integer.IntLayerNorm#engineDividend}), which Yosys 0.23 packs into two DSP48E1 whenever d G is a DSP product
         * (observed: it then drops the slices of a split B sigma), else into B sigma's slices.
         */
        private int layerNormDsps() {
            int prod = e.aw() + e.lnnW() + 1;
            int d = Math.min(e.lndW(), Math.max(prod, e.lnsW()) + 1);
            int sigma = Math.min(e.ddW(), (e.sqW() + 1) / 2) + 1;
            int n = YosysMapping.dsps(e.aw(), e.lnnW() + 1, Math.min(e.lndW(), prod), true);
            int dg = YosysMapping.dsps(d, e.m1(), e.dnW(), true);
            int bs = YosysMapping.dsps(e.c(), sigma, e.dnW(), true);
            int sq = YosysMapping.dsps(d, d, Math.min(e.sqW(), 2 * d), true);
            lnScaleDsp = n > 0;
            // one attribute for the numerator's sum of two products: "yes" when Yosys puts any of it in DSPs
            lnNumeratorDsp = dg > 0 || bs > 0;
            lnSquareDsp = sq > 0;
            n += dg > 0 ? 2 : bs;
            n += sq;
            return n;
        }
    }

    // ------------------------------------------------------------------ program analysis

    /** The instruction ROM: register bits that vary, distinct bit functions, and varying bits per field. */
    record ProgramBits(int registerBits, int distinctFunctions, Map<String, Integer> varying) {
        int varying(String... fields) {
            int n = 0;
            for (String f : fields) n += varying.getOrDefault(f, 0);
            return n;
        }
    }

    /**
     * The instruction ROM as Yosys sees it: each bit of each field is a function of the program
     * counter (the ROM's default, zero, included when the program does not fill the counter's
     * range). A bit that is the same everywhere is a constant and costs nothing; the others cost
     * a register bit each (for the fields the engine registers) and a LUT per distinct function.
     * The loop limits the engine derives at fetch (n - 1, n3 + extra - 1) count as fields.
     */
    static ProgramBits programBits(Program p, EngineWidths e) {
        List<Instruction> is = p.instructions();
        int n = is.size();
        boolean full = n == (1 << e.pcW());
        // each field's values over the program, read once: a map of fields per instruction, kept and
        // hashed per bit, made a long program gigabytes and minutes
        Map<String, long[]> columns = new HashMap<>();
        // bit functions as bit sets, all n (+1) long: equal sets are equal functions
        Set<java.util.BitSet> distinct = new HashSet<>();
        Map<String, Integer> varying = new LinkedHashMap<>();
        int registered = 0;
        for (InstructionLayout.Field f : InstructionLayout.fields(e)) {
            long[] column = new long[n];
            for (int k = 0; k < n; k++) column[k] = f.value(is.get(k));
            columns.put(f.name(), column);
            for (int b = 0; b < f.width(e); b++) {
                java.util.BitSet fn = function(column, 0, b, full, false);
                if (fn == null) continue;
                distinct.add(fn);
                varying.merge(f.name(), 1, Integer::sum);
                if (f.registered()) registered++;
            }
        }
        int cw = e.cw();
        String[][] derived = {{"n3", ""}, {"n2", ""}, {"n1", ""}, {"n0", ""}, {"n3", "extra"}};
        for (String[] d : derived) {
            long[] limit = columns.get(d[0]).clone();
            if (!d[1].isEmpty()) for (int k = 0; k < n; k++) limit[k] += columns.get(d[1])[k];
            for (int b = 0; b < cw; b++) {
                // the default 0 minus 1: all ones
                java.util.BitSet fn = function(limit, -1, b, full, true);
                if (fn == null) continue;
                distinct.add(fn);
                registered++;
            }
        }
        return new ProgramBits(registered, distinct.size(), varying);
    }

    /**
     * Bit {@code b} of {@code column[k] + offset} over the program, with {@code pastEnd} as the
     * ROM's default beyond the program when it does not fill the counter's range; null when it is
     * the same everywhere.
     */
    private static java.util.BitSet function(long[] column, long offset, int b, boolean full, boolean pastEnd) {
        java.util.BitSet s = new java.util.BitSet(column.length + 1);
        boolean zero = false, one = false;
        for (int k = 0; k < column.length; k++) {
            boolean bit = (((column[k] + offset) >> b) & 1) == 1;
            if (bit) {
                s.set(k);
                one = true;
            } else {
                zero = true;
            }
        }
        if (!full) {
            if (pastEnd) s.set(column.length);
            one |= pastEnd;
            zero |= !pastEnd;
        }
        return zero && one ? s : null;
    }

    /** Bit columns of the weight ROM that are not the same in every word (Yosys drops the others). */
    static int weightColumns(Program p, EngineWidths e) {
        return weightColumns(p, e, 0, p.weightWords().size());
    }

    /** The same over words {@code from} (inclusive) to {@code to} (exclusive). */
    static int weightColumns(Program p, EngineWidths e, int from, int to) {
        int lanes = e.lanes(), ww = e.ww();
        if (from >= to) return 0;
        long[] and = new long[lanes], or = new long[lanes];
        java.util.Arrays.fill(and, -1L);
        long mask = ww >= 64 ? -1L : (1L << ww) - 1;
        for (long[] word : p.weightWords().subList(from, to)) {
            for (int j = 0; j < lanes; j++) {
                long v = (j < word.length ? word[j] : 0) & mask;
                and[j] &= v;
                or[j] |= v;
            }
        }
        int cols = 0;
        for (int j = 0; j < lanes; j++) cols += Long.bitCount((and[j] ^ or[j]) & mask);
        return cols;
    }

    /** Bit columns of the parameter ROM ({m1, m2, c, shift} per entry) that vary. */
    static int paramColumns(Program p, EngineWidths e) {
        if (p.params().isEmpty()) return 0;
        int[] widths = {e.m1(), e.m2(), e.c(), e.sh()};
        int cols = 0;
        for (int f = 0; f < 4; f++) {
            long mask = widths[f] >= 64 ? -1L : (1L << widths[f]) - 1;
            long and = -1L, or = 0;
            for (long[] entry : p.params()) {
                long v = entry[f] & mask;
                and &= v;
                or |= v;
            }
            cols += Long.bitCount((and ^ or) & mask);
        }
        return cols;
    }
}
