package org.tfq.verilog;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.io.SafeText;
import org.tfq.passes.engine.DspPacking;
import org.tfq.passes.engine.MemoryPlan;
import org.tfq.passes.engine.MemoryStyle;
import org.tfq.passes.schedule.Instruction;
import org.tfq.passes.schedule.EngineWidths;
import org.tfq.passes.schedule.InstructionLayout;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;

/**
 * Renders a scheduled {@link Program} as the accelerator's RTL: {@code tfq_top.v} from the
 * engine template, the fixed units it instantiates, and the ROM images as {@code .mem} files.
 * The program decided everything; this class only derives the Verilog widths that make every
 * sign extension explicit and renders the memory plan (block or distributed memory).
 */
public final class EngineGenerator {
    private EngineGenerator() {}

    /** The latencies the scheduler plans with, from the units this generator instantiates. */
    public static final ScheduleProgram.UnitLatencies LATENCIES = org.tfq.passes.engine.EngineLatencies.RTL;

    /** Where the activation memory goes: block RAM, LUT RAM, or by size. */
    public enum Activations {
        BRAM, LUTRAM, AUTO
    }

    public static final String TOP = "tfq_top";
    public static final String WEIGHTS = "tfq_weights.mem";
    /** The weight words a memory plan puts in LUTs, when it splits the weight ROM. */
    public static final String WEIGHTS_LUT = "tfq_weights_lut.mem";
    public static final String PARAMS = "tfq_params.mem";
    public static final String TABLES = "tfq_tables.mem";

    /** The files written, relative to the directory given (Verilog first, top last; then memory images). */
    public record Files(List<String> verilog, List<String> memories) {}

    /** Writes the RTL and memory images of {@code p} into {@code dir}, for a 7 series part. */
    public static Files write(Program p, Path dir, Activations activations, String version) {
        return write(p, dir, activations, version, MemoryPlan.bySize(p), false);
    }

    /**
     * Writes the RTL and memory images of {@code p} into {@code dir}, its ROMs placed as {@code plan}
     * says; {@code ice40}: for an iCE40 (RAMs in EBR, one lane per SB_MAC16).
     */
    public static Files write(Program p, Path dir, Activations activations, String version, MemoryPlan plan, boolean ice40) {
        Map<String, Object> model = model(p, activations, version, plan, ice40);
        List<String> verilog = new ArrayList<>();
        List<RtlModule> units = new ArrayList<>(List.of(RtlModule.AGU, RtlModule.POST));
        if (p.widths().divider()) units.add(RtlModule.DIVROUND_PIPE);
        if (p.widths().sqrt()) units.add(RtlModule.ISQRT);
        for (RtlModule m : units) {
            TextFiles.write(dir.resolve(m.fileName()), m.source());
            verilog.add(m.fileName());
        }
        Templates.standard().render("engine/tfq_top.v.ftl", model, dir.resolve(TOP + ".v"));
        verilog.add(TOP + ".v");
        List<String> mems = new ArrayList<>();
        Program.Widths w = p.widths();
        if (plan.weightsSplit(p)) {
            int split = plan.weightBlockWords();
            TextFiles.write(dir.resolve(WEIGHTS), memImage(p.weightWords().subList(0, split), w.weight(), p.lanes()));
            TextFiles.write(dir.resolve(WEIGHTS_LUT), memImage(p.weightWords().subList(split, p.weightWords().size()), w.weight(), p.lanes()));
            mems.add(WEIGHTS);
            mems.add(WEIGHTS_LUT);
        } else {
            TextFiles.write(dir.resolve(WEIGHTS), memImage(p.weightWords(), w.weight(), p.lanes()));
            mems.add(WEIGHTS);
        }
        TextFiles.write(dir.resolve(PARAMS), paramImage(p.params(), w));
        mems.add(PARAMS);
        if (w.tableRom()) {
            TextFiles.write(dir.resolve(TABLES), memImage(p.table().length == 0 ? List.of() : rows(p.table()), EngineWidths.of(p).tW(), 1));
            mems.add(TABLES);
        }
        return new Files(List.copyOf(verilog), List.copyOf(mems));
    }

    static Map<String, Object> model(Program p, Activations activations, String version) {
        return model(p, activations, version, MemoryPlan.bySize(p), false);
    }

    static Map<String, Object> model(Program p, Activations activations, String version, MemoryPlan plan, boolean ice40) {
        Program.Widths w = p.widths();
        int lanes = p.lanes();
        EngineWidths ew = EngineWidths.of(p);
        int aw = ew.aw(), bw = ew.bw(), accW = ew.accW(), tW = ew.tW(), dq = ew.dqW(), paW = ew.paW(), pyW = ew.pyW(), sqW = ew.sqW();
        int lnnW = ew.lnnW(), lnsW = ew.lnsW(), lndW = ew.lndW(), ddW = ew.ddW(), dnW = ew.dnW();
        int m1 = ew.m1(), m2 = ew.m2(), c = ew.c(), sh = ew.sh();
        int ebDepth = ew.ebDepth();
        boolean softmax = ew.softmax(), layernorm = ew.layernorm();
        int inTw = bytes(p.inputType().bits() + (p.inputType().signed() ? 0 : 1));
        int outTw = bytes(w.out());
        int actAw = ew.actAw();
        int inCw = ew.inCw(); // the input is stored in the activation memory, so its count fits an address
        int outCw = ew.outCw();
        int pcW = ew.pcW();

        List<Map<String, Object>> params = new ArrayList<>();
        param(params, "LANES", lanes);
        param(params, "AW", aw);
        param(params, "OW", w.out());
        param(params, "WW", w.weight());
        param(params, "BW", bw);
        param(params, "ACC_W", accW);
        param(params, "M1_W", m1);
        param(params, "M2_W", m2);
        param(params, "C_W", c);
        param(params, "SH_W", sh);
        param(params, "PRM_W", m1 + m2 + c + sh);
        param(params, "PA_W", paW);
        param(params, "PY_W", pyW);
        param(params, "CW", w.counter());
        param(params, "ADDR_W", w.address());
        param(params, "PC_W", pcW);
        param(params, "ACT_DEPTH", p.actDepth());
        param(params, "ACT_AW", actAw);
        param(params, "OUT_DEPTH", p.outputCount());
        param(params, "OUT_AW", EngineWidths.addressBits(p.outputCount()));
        if (!plan.weightsSplit(p)) param(params, "W_DEPTH", Math.max(1, p.weightWords().size()));
        param(params, "W_AW", EngineWidths.addressBits(p.weightWords().size()));
        if (plan.weightsSplit(p)) {
            int split = plan.weightBlockWords(), rest = p.weightWords().size() - split;
            sized(params, "W_SPLIT", ew.wAw(), split);
            param(params, "WB_DEPTH", split);
            param(params, "WB_AW", EngineWidths.addressBits(split));
            param(params, "WL_DEPTH", rest);
            param(params, "WL_AW", EngineWidths.addressBits(rest));
        }
        param(params, "P_DEPTH", Math.max(1, p.params().size()));
        param(params, "P_AW", EngineWidths.addressBits(p.params().size()));
        if (w.tableRom()) {
            param(params, "T_W", tW);
            param(params, "T_DEPTH", Math.max(1, p.table().length));
            param(params, "T_AW", EngineWidths.addressBits(p.table().length));
        }
        if (w.buffer()) {
            param(params, "BB_DEPTH", p.bufferDepth());
            param(params, "BB_AW", EngineWidths.addressBits(p.bufferDepth()));
        }
        if (softmax) {
            param(params, "SMK_W", w.softmaxK());
            param(params, "EB_DEPTH", ebDepth);
            param(params, "EB_AW", EngineWidths.addressBits(ebDepth));
        }
        param(params, "LANE_CW", EngineWidths.addressBits(lanes));
        param(params, "IN_TW", inTw);
        param(params, "OUT_TW", outTw);
        param(params, "IN_CW", inCw);
        param(params, "OUT_CW", outCw);
        sized(params, "IN_LAST", inCw, p.inputCount() - 1);
        sized(params, "OUT_LAST", outCw, p.outputCount() - 1);
        sized(params, "IN_BASE", actAw, p.inputBase());
        if (w.divider()) {
            param(params, "DN_W", dnW);
            param(params, "DD_W", ddW);
            param(params, "DQ_W", dq);
            param(params, "DIV_LAT", Math.max(1, w.dividerLatency()));
        }
        if (layernorm) {
            param(params, "SQ_W", sqW);
            param(params, "LNS_W", lnsW);
            param(params, "LND_W", lndW);
        }
        param(params, "POST_LAT", w.postLatency());

        List<InstructionLayout.Field> layout = InstructionLayout.fields(ew);
        List<Map<String, Object>> registers = new ArrayList<>();
        for (InstructionLayout.Field f : layout) {
            registers.add(Map.of("name", f.name(), "width", f.width(ew), "registered", f.registered()));
        }
        List<Map<String, Object>> instructions = new ArrayList<>();
        int pc = 0;
        for (Instruction i : p.instructions()) {
            List<Map<String, Object>> fields = new ArrayList<>();
            for (InstructionLayout.Field f : layout) {
                int fw = f.width(ew);
                fields.add(Map.of("name", f.name(), "width", fw, "value", masked(f.value(i), fw, f.name())));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pcLiteral", pcW + "'d" + pc);
            m.put("comment", pc + ": " + i.kind() + " " + SafeText.verilogComment(i.node()) + ", " + i.cycles() + " cycles");
            m.put("fields", fields);
            instructions.add(m);
            pc++;
        }

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("modelName", SafeText.verilogComment(p.name()));
        model.put("version", version);
        model.put("lanes", lanes);
        // the port list comes before any declaration in the module: its widths are literals
        model.put("inTw", inTw);
        model.put("outTw", outTw);
        model.put("predictedCycles", p.predictedCycles());
        model.put("inputCount", p.inputCount());
        model.put("outputCount", p.outputCount());
        model.put("params", params);
        model.put("registers", registers);
        model.put("instructions", instructions);
        long actBits = (long) aw * p.actDepth();
        boolean actBlock = MemoryStyle.ramAlwaysInBlock(ice40)
                || plan.activationsInBlock(activations == Activations.BRAM, activations == Activations.AUTO, actBits);
        model.put("actStyle", actBlock ? "block" : "distributed");
        model.put("weightStyle", plan.planned() ? (plan.weightBlockWords() > 0 ? "block" : "lut")
                : style((long) lanes * w.weight() * p.weightWords().size()));
        model.put("paramStyle", plan.planned() ? (plan.paramBlock() ? "block" : "lut") : style((long) (m1 + m2 + c + sh) * p.params().size()));
        model.put("weightSplit", plan.weightsSplit(p));
        model.put("weightLutFile", WEIGHTS_LUT);
        model.put("tableStyle", style((long) tW * p.table().length));
        model.put("weightFile", WEIGHTS);
        model.put("paramFile", PARAMS);
        model.put("tableFile", TABLES);
        model.put("buffer", w.buffer());
        model.put("packPairs", DspPacking.pairs(ew, ice40));
        model.put("bufferStyle", MemoryStyle.ramAlwaysInBlock(ice40) ? "block" : "distributed");
        model.put("dsp", dspAttributes(org.tfq.passes.resources.ResourceModel.dspUse(p)));
        model.put("tableRom", w.tableRom());
        model.put("divider", w.divider());
        model.put("softmax", softmax);
        model.put("layernorm", layernorm);
        model.put("product", ew.product());
        model.put("maxPool", p.instructions().stream().anyMatch(i -> i.kind() == Instruction.Kind.MAX));
        return model;
    }

    /** The use_dsp attribute of each multiplier ("yes"/"no"), and the output unit's as 1/0 parameters. */
    private static Map<String, Object> dspAttributes(DspPacking.Use u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lanes", DspPacking.Use.attribute(u.lanes()));
        m.put("product", DspPacking.Use.attribute(u.product()));
        m.put("softmax", DspPacking.Use.attribute(u.softmax()));
        m.put("lnScale", DspPacking.Use.attribute(u.lnScale()));
        m.put("lnNumerator", DspPacking.Use.attribute(u.lnNumerator()));
        m.put("lnSquare", DspPacking.Use.attribute(u.lnSquare()));
        m.put("postA", u.postA() ? 1 : 0);
        m.put("postB", u.postB() ? 1 : 0);
        return m;
    }

    private static String style(long bits) {
        return MemoryStyle.block(bits) ? "block" : "distributed";
    }

    private static void param(List<Map<String, Object>> params, String name, long value) {
        params.add(Map.of("name", name, "value", Long.toString(value)));
    }

    private static void sized(List<Map<String, Object>> params, String name, int width, long value) {
        params.add(Map.of("name", name, "width", width, "value", width + "'d" + masked(value, width, name)));
    }

    /** {@code v} as the unsigned number of its two's complement in {@code bits} bits; refuses values that do not fit. */
    static String masked(long v, int bits, String what) {
        BigInteger b = BigInteger.valueOf(v);
        BigInteger mod = BigInteger.ONE.shiftLeft(bits);
        if (b.bitLength() >= bits + 1 || (v >= 0 && b.bitLength() > bits)) {
            throw new IllegalStateException(what + " = " + v + " does not fit " + bits + " bits");
        }
        return b.mod(mod).toString();
    }


    private static int bytes(int bits) {
        return 8 * ((bits + 7) / 8);
    }

    private static List<long[]> rows(long[] values) {
        List<long[]> r = new ArrayList<>();
        for (long v : values) r.add(new long[] {v});
        return r;
    }

    /** One line per word: {@code lanes} fields of {@code width} bits, field 0 in the low bits, in hex. */
    static String memImage(List<long[]> words, int width, int lanes) {
        StringBuilder sb = new StringBuilder();
        if (words.isEmpty()) words = List.of(new long[lanes]);
        for (long[] word : words) {
            BigInteger acc = BigInteger.ZERO;
            for (int j = lanes - 1; j >= 0; j--) acc = acc.shiftLeft(width).or(new BigInteger(masked(word[j], width, "memory word")));
            sb.append(acc.toString(16)).append('\n');
        }
        return sb.toString();
    }

    static String paramImage(List<long[]> entries, Program.Widths w) {
        StringBuilder sb = new StringBuilder();
        if (entries.isEmpty()) entries = List.of(new long[4]);
        int[] widths = {w.m1(), w.m2(), w.offset(), w.shift()};
        for (long[] e : entries) {
            BigInteger acc = BigInteger.ZERO;
            for (int f = 3; f >= 0; f--) acc = acc.shiftLeft(widths[f]).or(new BigInteger(masked(e[f], widths[f], "constant")));
            sb.append(acc.toString(16)).append('\n');
        }
        return sb.toString();
    }
}
