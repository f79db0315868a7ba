package org.tfq.passes.schedule;

import java.util.LinkedHashMap;

/**
 * One step of the engine's program: a loop nest of four counters ({@code counts}, i0 outermost)
 * walked one slot per clock cycle, the address streams that walk with it, and the constants of
 * the op. The engine fetches it in one cycle, runs {@link #slots()} cycles, then waits
 * {@code tail} cycles for its pipeline to drain, so its cost is exactly {@link #cycles()}.
 *
 * <p>What the levels mean depends on the kind:
 * <ul>
 *   <li>{@link Kind#MAC}: (batch, row, tile of {@code lanesFull} outputs, slot); the first
 *       {@code kcount} slots of a tile feed one A element to every lane (stream a) with the lane's
 *       B operand (stream w: a weight ROM word, or the lane-banked B buffer); the finished
 *       accumulators drain one per cycle through the output unit while the next tile runs, to
 *       stream o (tile base, plus {@code oLane} per lane) with constants from stream p.
 *   <li>{@link Kind#ELEMENTWISE}: one output element per slot from streams a (and b), constants
 *       from stream p, optionally through the table ROM.
 *   <li>{@link Kind#SOFTMAX} and {@link Kind#LAYERNORM}: (row, row, phase 0..2, element); phase 1
 *       has {@code extra} more slots (for the row sum, or the square root, to settle).
 *       A SOFTMAX with {@code maskPeriod > 0} keeps the elements below a limit that starts at
 *       {@code maskStart} and grows by one per row, back to {@code maskStart} every
 *       {@code maskPeriod} rows (a causal mask); the others count as {@code -inf}.
 *       Its exponential table is indexed by {@code min(max - x, tableMask)}: the table keeps
 *       its non-zero entries and one zero at {@code tableMask} (elsewhere {@code tableMask}
 *       masks the code).
 *       With {@code bufferWrite} the drained outputs also go to the B buffer of a later matmul
 *       (region {@code b.base}): lane = output feature, address = row; or, with
 *       {@code bufferSwap}, lane = row, address = output feature. That replaces a LOAD_B.
 *   <li>{@link Kind#LOAD_B}: copies a matmul's second operand from stream a into the B buffer
 *       (lane = level-3 counter, address = stream w).
 *   <li>{@link Kind#PRODUCT}: as {@link Kind#ELEMENTWISE}, with the product of the two centred
 *       operands (a - za)(b - zb) as the output unit's input, m1 and the shift from stream p.
 *   <li>{@link Kind#MAX}: (row, row, 1, element): the largest of each row's elements (stream a),
 *       kept in one register, goes through the output unit at the row's last slot as
 *       {@code m1 v + c} (constants from stream p); an entry with a negative {@code m1} compares
 *       complements ({@code ~x = -x - 1}), so that {@code m1 = c = -1} gives the minimum.
 *   <li>{@link Kind#END}: the program is done; the engine streams the output out.
 * </ul>
 */
public record Instruction(Kind kind, String node, int[] counts, int kcount, int extra, Stream a, Stream b, Stream w,
        Stream p, Stream o, long oLane, long pLane, int lanesFull, int lanesLast, boolean fromBuffer, boolean toOutput,
        boolean useTable, boolean postConst, int postShift, long za, long zb, long z, long lo, long hi, long tableBase,
        long tableMask, long softmaxK, int softmaxShift, long normLength, int normShift, long normEpsilon, int tail,
        boolean bufferWrite, boolean bufferSwap, long maskStart, long maskPeriod) {

    /** Without a softmax mask. */
    public Instruction(Kind kind, String node, int[] counts, int kcount, int extra, Stream a, Stream b, Stream w, Stream p,
            Stream o, long oLane, long pLane, int lanesFull, int lanesLast, boolean fromBuffer, boolean toOutput,
            boolean useTable, boolean postConst, int postShift, long za, long zb, long z, long lo, long hi, long tableBase,
            long tableMask, long softmaxK, int softmaxShift, long normLength, int normShift, long normEpsilon, int tail,
            boolean bufferWrite, boolean bufferSwap) {
        this(kind, node, counts, kcount, extra, a, b, w, p, o, oLane, pLane, lanesFull, lanesLast, fromBuffer, toOutput, useTable,
                postConst, postShift, za, zb, z, lo, hi, tableBase, tableMask, softmaxK, softmaxShift, normLength, normShift,
                normEpsilon, tail, bufferWrite, bufferSwap, 0, 0);
    }

    public enum Kind {
        END(0), MAC(1), ELEMENTWISE(2), SOFTMAX(3), LAYERNORM(4), LOAD_B(5), PRODUCT(6), MAX(7);

        public final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    public Instruction {
        counts = counts.clone();
        if (counts.length != Loops.LEVELS) throw new IllegalArgumentException("four loop counts");
        for (int c : counts) if (c < 1) throw new IllegalArgumentException(node + ": loop count " + c);
        if (tail < 1) throw new IllegalArgumentException(node + ": tail must be at least one cycle");
    }

    /** This instruction with its B-buffer addresses (stream w of a LOAD_B or of a matmul) moved up by {@code offset}. */
    public Instruction withBufferBase(long offset) {
        Stream nw = new Stream(w.base() + offset, w.strides());
        return new Instruction(kind, node, counts, kcount, extra, a, b, nw, p, o, oLane, pLane, lanesFull, lanesLast, fromBuffer,
                toOutput, useTable, postConst, postShift, za, zb, z, lo, hi, tableBase, tableMask, softmaxK, softmaxShift,
                normLength, normShift, normEpsilon, tail, bufferWrite, bufferSwap, maskStart, maskPeriod);
    }

    /** This instruction with another tail. */
    public Instruction withTail(int newTail) {
        return new Instruction(kind, node, counts, kcount, extra, a, b, w, p, o, oLane, pLane, lanesFull, lanesLast, fromBuffer,
                toOutput, useTable, postConst, postShift, za, zb, z, lo, hi, tableBase, tableMask, softmaxK, softmaxShift,
                normLength, normShift, normEpsilon, newTail, bufferWrite, bufferSwap, maskStart, maskPeriod);
    }

    /** This MAC instruction, also writing its outputs into the B buffer at {@code region}. */
    public Instruction withBufferWrite(long region, boolean swap) {
        if (kind != Kind.MAC) throw new IllegalStateException("only a MAC instruction drains into the B buffer");
        Stream nb = new Stream(region, b.strides());
        return new Instruction(kind, node, counts, kcount, extra, a, nb, w, p, o, oLane, pLane, lanesFull, lanesLast, fromBuffer,
                toOutput, useTable, postConst, postShift, za, zb, z, lo, hi, tableBase, tableMask, softmaxK, softmaxShift,
                normLength, normShift, normEpsilon, tail, true, swap, maskStart, maskPeriod);
    }

    @Override
    public int[] counts() {
        return counts.clone();
    }

    /** Cycles in the run state: every slot of the nest, plus the extra slots of each phase 1. */
    public long slots() {
        if (kind == Kind.END) return 0;
        long all = (long) counts[0] * counts[1] * counts[2] * counts[3];
        boolean phased = kind == Kind.SOFTMAX || kind == Kind.LAYERNORM;
        return all + (phased ? (long) counts[0] * counts[1] * extra : 0);
    }

    /** Fetch, run and drain: the exact cycles this instruction takes. */
    public long cycles() {
        return kind == Kind.END ? 1 : 1 + slots() + tail;
    }

    /** Every register the engine loads at fetch, in a fixed order (names match the RTL's {@code r_*}). */
    public LinkedHashMap<String, Long> registers() {
        LinkedHashMap<String, Long> r = new LinkedHashMap<>();
        r.put("kind", (long) kind.code);
        for (int l = 0; l < Loops.LEVELS; l++) r.put(COUNT_KEYS[l], (long) counts[l]);
        r.put("kcount", (long) kcount);
        r.put("extra", (long) extra);
        stream(r, "a", a);
        stream(r, "b", b);
        stream(r, "w", w);
        stream(r, "p", p);
        stream(r, "o", o);
        r.put("o_lane", oLane);
        r.put("p_lane", pLane);
        r.put("lanes_full", (long) lanesFull);
        r.put("lanes_last", (long) lanesLast);
        r.put("from_bbuf", fromBuffer ? 1L : 0L);
        r.put("to_out", toOutput ? 1L : 0L);
        r.put("use_table", useTable ? 1L : 0L);
        r.put("post_const", postConst ? 1L : 0L);
        r.put("post_sh", (long) postShift);
        r.put("za", za);
        r.put("zb", zb);
        r.put("z", z);
        r.put("lo", lo);
        r.put("hi", hi);
        r.put("t_base", tableBase);
        r.put("t_mask", tableMask);
        r.put("sm_k", softmaxK);
        r.put("sm_ks", (long) softmaxShift);
        r.put("ln_n", normLength);
        r.put("ln_2p", (long) normShift);
        r.put("ln_e", normEpsilon);
        r.put("tail", (long) tail);
        r.put("bb_write", bufferWrite ? 1L : 0L);
        r.put("bb_swap", bufferSwap ? 1L : 0L);
        r.put("sm_m0", maskStart);
        r.put("sm_mp", maskPeriod);
        return r;
    }

    private static void stream(LinkedHashMap<String, Long> r, String name, Stream s) {
        String[] keys = STREAM_KEYS.get(name);
        r.put(keys[0], s.base());
        for (int l = 0; l < Loops.LEVELS; l++) r.put(keys[1 + l], s.stride(l));
    }

    // the register names once: the resource model reads the registers of every instruction at every
    // candidate lane count, and building the names each time was most of what a long program allocated
    private static final String[] COUNT_KEYS = keys("n", "");

    private static final java.util.Map<String, String[]> STREAM_KEYS = java.util.Map.of("a", keys("a_s", "a_base"),
            "b", keys("b_s", "b_base"), "w", keys("w_s", "w_base"), "p", keys("p_s", "p_base"), "o", keys("o_s", "o_base"));

    /** {@code first} (if any) then {@code prefix0 .. prefix<LEVELS-1>}. */
    private static String[] keys(String prefix, String first) {
        java.util.List<String> k = new java.util.ArrayList<>();
        if (!first.isEmpty()) k.add(first);
        for (int l = 0; l < Loops.LEVELS; l++) k.add(prefix + l);
        return k.toArray(String[]::new);
    }
}
