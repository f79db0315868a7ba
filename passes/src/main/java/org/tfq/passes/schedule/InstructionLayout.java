package org.tfq.passes.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The engine's instruction, described once: every field of the instruction ROM with its width
 * rule, the unit that reads it, whether the engine keeps it in an {@code r_} register, and its
 * value in an {@link Instruction}. The engine template declares and decodes exactly these fields
 * in this order; the resource model counts their flip-flops and ROM bit functions from it.
 */
public final class InstructionLayout {
    private InstructionLayout() {}

    /** The part of the engine that reads a field: a field is in the engine when its unit is. */
    public enum Unit {
        CONTROL, STREAMS, DRAIN, BUFFER, OUTPUT_UNIT, TABLE, SOFTMAX, LAYERNORM;

        /** Whether the engine of {@code e} has this unit (and so the unit's fields). */
        public boolean built(EngineWidths e) {
            return switch (this) {
                case SOFTMAX -> e.softmax();
                case LAYERNORM -> e.layernorm();
                default -> true;
            };
        }
    }

    /**
     * One field: {@code f_name} in the ROM; {@code r_name} too when {@code registered} (a field the
     * engine uses only at fetch, straight from the ROM, has no register).
     */
    public record Field(String name, Unit unit, ToIntFunction<EngineWidths> width, ToLongFunction<Instruction> value,
            boolean registered) {
        public int width(EngineWidths e) {
            return width.applyAsInt(e);
        }

        public long value(Instruction i) {
            return value.applyAsLong(i);
        }
    }

    /** Every field, in the RTL's declaration and decode order. */
    public static final List<Field> FIELDS = fields();

    /** The fields the engine of {@code e} has. */
    public static List<Field> fields(EngineWidths e) {
        return FIELDS.stream().filter(f -> f.unit().built(e)).toList();
    }

    private static List<Field> fields() {
        List<Field> r = new ArrayList<>();
        ToIntFunction<EngineWidths> counter = EngineWidths::cw, address = EngineWidths::addrW, bit = e -> 1;
        r.add(new Field("kind", Unit.CONTROL, e -> 3, i -> i.kind().code, true));
        // loop counts are used at fetch only: the engine registers their limits (n - 1) instead
        for (int l = 0; l < Loops.LEVELS; l++) {
            int level = l;
            r.add(new Field("n" + l, Unit.CONTROL, counter, i -> i.counts()[level], false));
        }
        r.add(new Field("kcount", Unit.CONTROL, counter, Instruction::kcount, true));
        r.add(new Field("extra", Unit.CONTROL, counter, Instruction::extra, false));
        stream(r, "a", Instruction::a);
        stream(r, "b", Instruction::b);
        stream(r, "w", Instruction::w);
        stream(r, "p", Instruction::p);
        stream(r, "o", Instruction::o);
        r.add(new Field("o_lane", Unit.DRAIN, address, Instruction::oLane, true));
        r.add(new Field("p_lane", Unit.DRAIN, address, Instruction::pLane, true));
        r.add(new Field("lanes_full", Unit.DRAIN, counter, Instruction::lanesFull, true));
        r.add(new Field("lanes_last", Unit.DRAIN, counter, Instruction::lanesLast, true));
        r.add(new Field("from_bbuf", Unit.BUFFER, bit, i -> flag(i.fromBuffer()), true));
        r.add(new Field("to_out", Unit.OUTPUT_UNIT, bit, i -> flag(i.toOutput()), true));
        r.add(new Field("use_table", Unit.TABLE, bit, i -> flag(i.useTable()), true));
        r.add(new Field("post_const", Unit.OUTPUT_UNIT, bit, i -> flag(i.postConst()), true));
        r.add(new Field("bb_write", Unit.BUFFER, bit, i -> flag(i.bufferWrite()), true));
        r.add(new Field("bb_swap", Unit.BUFFER, bit, i -> flag(i.bufferSwap()), true));
        r.add(new Field("post_sh", Unit.OUTPUT_UNIT, EngineWidths::sh, Instruction::postShift, true));
        // zero points are subtracted from a code widened by one bit
        r.add(new Field("za", Unit.OUTPUT_UNIT, e -> e.aw() + 1, Instruction::za, true));
        r.add(new Field("zb", Unit.OUTPUT_UNIT, e -> e.aw() + 1, Instruction::zb, true));
        r.add(new Field("z", Unit.OUTPUT_UNIT, EngineWidths::pyW, Instruction::z, true));
        r.add(new Field("lo", Unit.OUTPUT_UNIT, EngineWidths::pyW, Instruction::lo, true));
        r.add(new Field("hi", Unit.OUTPUT_UNIT, EngineWidths::pyW, Instruction::hi, true));
        r.add(new Field("t_base", Unit.TABLE, address, Instruction::tableBase, true));
        r.add(new Field("t_mask", Unit.TABLE, address, Instruction::tableMask, true));
        r.add(new Field("sm_k", Unit.SOFTMAX, EngineWidths::smkW, Instruction::softmaxK, true));
        r.add(new Field("sm_ks", Unit.SOFTMAX, e -> 6, Instruction::softmaxShift, true));
        r.add(new Field("ln_n", Unit.LAYERNORM, EngineWidths::lnnW, Instruction::normLength, true));
        r.add(new Field("ln_2p", Unit.LAYERNORM, e -> 7, Instruction::normShift, true));
        r.add(new Field("ln_e", Unit.LAYERNORM, EngineWidths::sqW, Instruction::normEpsilon, true));
        r.add(new Field("tail", Unit.CONTROL, counter, Instruction::tail, true));
        r.add(new Field("sm_m0", Unit.SOFTMAX, counter, Instruction::maskStart, true));
        r.add(new Field("sm_mp", Unit.SOFTMAX, counter, Instruction::maskPeriod, true));
        return List.copyOf(r);
    }

    /**
     * A stream's base and strides. The base is loaded into the address generator at fetch, so it
     * needs no register, except b's (a MAC's B-buffer region, which its drain writes later).
     */
    private static void stream(List<Field> r, String name, java.util.function.Function<Instruction, Stream> s) {
        r.add(new Field(name + "_base", Unit.STREAMS, EngineWidths::addrW, i -> s.apply(i).base(), name.equals("b")));
        for (int l = 0; l < Loops.LEVELS; l++) {
            int level = l;
            r.add(new Field(name + "_s" + l, Unit.STREAMS, EngineWidths::addrW, i -> s.apply(i).stride(level), true));
        }
    }

    private static long flag(boolean b) {
        return b ? 1 : 0;
    }
}
