package org.tfq.passes.schedule;


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
 * Each kind has its factory ({@link #mac}, {@link #elementwise}, ...) returning a {@link Builder}
 * whose unset fields are zero. The fields as the engine's instruction ROM holds them (names,
 * widths, registers) are listed once in {@link InstructionLayout}.
 */
public record Instruction(Kind kind, String node, int[] counts, int kcount, int extra, Stream a, Stream b, Stream w,
        Stream p, Stream o, long oLane, long pLane, int lanesFull, int lanesLast, boolean fromBuffer, boolean toOutput,
        boolean useTable, boolean postConst, int postShift, long za, long zb, long z, long lo, long hi, long tableBase,
        long tableMask, long softmaxK, int softmaxShift, long normLength, int normShift, long normEpsilon, int tail,
        boolean bufferWrite, boolean bufferSwap, long maskStart, long maskPeriod) {

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
        return toBuilder().w(new Stream(w.base() + offset, w.strides())).build();
    }

    /** This instruction with another tail. */
    public Instruction withTail(int newTail) {
        return toBuilder().tail(newTail).build();
    }

    /** This MAC instruction, also writing its outputs into the B buffer at {@code region}. */
    public Instruction withBufferWrite(long region, boolean swap) {
        if (kind != Kind.MAC) throw new IllegalStateException("only a MAC instruction drains into the B buffer");
        return toBuilder().bufferWrite(region, swap).build();
    }

    // ---- one factory per kind: each starts a builder whose unset fields are 0, false or Stream.NONE

    /** Multiply-accumulate over tiles of lanes (see the class comment for the loop levels). */
    public static Builder mac(String node, int[] counts) {
        return new Builder(Kind.MAC, node, counts);
    }

    /** One element per slot through the output unit. */
    public static Builder elementwise(String node, int[] counts) {
        return new Builder(Kind.ELEMENTWISE, node, counts);
    }

    /** One product of two centred operands per slot through the output unit. */
    public static Builder product(String node, int[] counts) {
        return new Builder(Kind.PRODUCT, node, counts);
    }

    /** Softmax rows in three phases. */
    public static Builder softmax(String node, int[] counts) {
        return new Builder(Kind.SOFTMAX, node, counts);
    }

    /** LayerNorm rows in three phases. */
    public static Builder layerNorm(String node, int[] counts) {
        return new Builder(Kind.LAYERNORM, node, counts);
    }

    /** A copy of a matmul's second operand into the B buffer. */
    public static Builder loadB(String node, int[] counts) {
        return new Builder(Kind.LOAD_B, node, counts);
    }

    /** The largest (or smallest) element of each row. */
    public static Builder max(String node, int[] counts) {
        return new Builder(Kind.MAX, node, counts);
    }

    /** The end of the program. */
    public static Instruction end() {
        return new Builder(Kind.END, "end", new int[] {1, 1, 1, 1}).tail(1).build();
    }

    /** A builder holding this instruction's fields. */
    public Builder toBuilder() {
        Builder b = new Builder(kind, node, counts);
        b.kcount = kcount;
        b.extra = extra;
        b.a = a;
        b.b = this.b;
        b.w = w;
        b.p = p;
        b.o = o;
        b.oLane = oLane;
        b.pLane = pLane;
        b.lanesFull = lanesFull;
        b.lanesLast = lanesLast;
        b.fromBuffer = fromBuffer;
        b.toOutput = toOutput;
        b.useTable = useTable;
        b.postConst = postConst;
        b.postShift = postShift;
        b.za = za;
        b.zb = zb;
        b.z = z;
        b.lo = lo;
        b.hi = hi;
        b.tableBase = tableBase;
        b.tableMask = tableMask;
        b.softmaxK = softmaxK;
        b.softmaxShift = softmaxShift;
        b.normLength = normLength;
        b.normShift = normShift;
        b.normEpsilon = normEpsilon;
        b.tail = tail;
        b.bufferWrite = bufferWrite;
        b.bufferSwap = bufferSwap;
        b.maskStart = maskStart;
        b.maskPeriod = maskPeriod;
        return b;
    }

    /** The fields of one instruction, set by what they mean; see the factories of {@link Instruction}. */
    public static final class Builder {
        private final Kind kind;
        private final String node;
        private final int[] counts;
        private int kcount, extra, lanesFull, lanesLast, postShift, softmaxShift, normShift, tail;
        private Stream a = Stream.NONE, b = Stream.NONE, w = Stream.NONE, p = Stream.NONE, o = Stream.NONE;
        private long oLane, pLane, za, zb, z, lo, hi, tableBase, tableMask, softmaxK, normLength, normEpsilon, maskStart, maskPeriod;
        private boolean fromBuffer, toOutput, useTable, postConst, bufferWrite, bufferSwap;

        private Builder(Kind kind, String node, int[] counts) {
            this.kind = kind;
            this.node = node;
            this.counts = counts.clone();
        }

        /** Slots of each level-3 pass that feed the lanes (MAC), or the row length (SOFTMAX, LAYERNORM, MAX). */
        public Builder kcount(int v) {
            kcount = v;
            return this;
        }

        /** More slots in phase 1 of a SOFTMAX or LAYERNORM. */
        public Builder extra(int v) {
            extra = v;
            return this;
        }

        public Builder a(Stream s) {
            a = s;
            return this;
        }

        public Builder b(Stream s) {
            b = s;
            return this;
        }

        public Builder w(Stream s) {
            w = s;
            return this;
        }

        public Builder p(Stream s) {
            p = s;
            return this;
        }

        public Builder o(Stream s) {
            o = s;
            return this;
        }

        /** A MAC's drain: output and param addresses step by these per lane. */
        public Builder laneSteps(long oStep, long pStep) {
            oLane = oStep;
            pLane = pStep;
            return this;
        }

        /** Lanes of a full tile and of the last one. */
        public Builder lanes(int full, int last) {
            lanesFull = full;
            lanesLast = last;
            return this;
        }

        /** A MAC's B operand comes from the B buffer, not the weight ROM. */
        public Builder fromBuffer(boolean v) {
            fromBuffer = v;
            return this;
        }

        /** The outputs go to the output memory (the forecast), not the activation memory. */
        public Builder toOutput(boolean v) {
            toOutput = v;
            return this;
        }

        /** Operands go through the table ROM from {@code base}, indexed as the class comment says with {@code mask}. */
        public Builder table(long base, long mask) {
            useTable = true;
            tableBase = base;
            tableMask = mask;
            return this;
        }

        /** The output unit uses its fixed constants (m1 = 1, c = 0 and the shift below), not stream p's. */
        public Builder postConst(boolean v) {
            postConst = v;
            return this;
        }

        /** The output unit's fixed rounding shift. */
        public Builder postShift(int v) {
            postShift = v;
            return this;
        }

        /** Zero points subtracted from operands a and b. */
        public Builder centre(long zeroA, long zeroB) {
            za = zeroA;
            zb = zeroB;
            return this;
        }

        /** The output unit's zero point and clamp. */
        public Builder clamp(long zero, long low, long high) {
            z = zero;
            lo = low;
            hi = high;
            return this;
        }

        /** A softmax's output multiplier and the shift of its row sum. */
        public Builder softmaxScale(long k, int shift) {
            softmaxK = k;
            softmaxShift = shift;
            return this;
        }

        /** A softmax's causal mask (period 0: none). */
        public Builder mask(long start, long period) {
            maskStart = start;
            maskPeriod = period;
            return this;
        }

        /** A LayerNorm's row length, radicand shift and epsilon term. */
        public Builder norm(long length, int shift, long epsilon) {
            normLength = length;
            normShift = shift;
            normEpsilon = epsilon;
            return this;
        }

        /** Cycles after the last slot before the next fetch. */
        public Builder tail(int v) {
            tail = v;
            return this;
        }

        /** A MAC's outputs also go to the B buffer at {@code region} (swapped: lane = row). */
        public Builder bufferWrite(long region, boolean swap) {
            b = new Stream(region, b.strides());
            bufferWrite = true;
            bufferSwap = swap;
            return this;
        }

        public Instruction build() {
            return new Instruction(kind, node, counts, kcount, extra, a, b, w, p, o, oLane, pLane, lanesFull, lanesLast, fromBuffer,
                    toOutput, useTable, postConst, postShift, za, zb, z, lo, hi, tableBase, tableMask, softmaxK, softmaxShift,
                    normLength, normShift, normEpsilon, tail, bufferWrite, bufferSwap, maskStart, maskPeriod);
        }
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
}
