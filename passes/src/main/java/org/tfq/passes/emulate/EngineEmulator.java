package org.tfq.passes.emulate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tfq.ir.integer.IntMath;
import org.tfq.passes.schedule.EngineWidths;
import org.tfq.passes.schedule.Instruction;
import org.tfq.passes.schedule.Instruction.Kind;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.Stream;

/**
 * Runs an engine {@link Program} in Java as the generated RTL (engine/tfq_top.v.ftl and rtl/*.v)
 * does, from the instruction fields and the ROM contents alone, never from the integer graph: the
 * four loop counters and the address streams, the activation memory and its write latency, the
 * weight, parameter and table ROMs, the lane-banked B buffer, the lanes and their accumulators at
 * their widths, the drain of finished tiles, the softmax and LayerNorm units, the divider and the
 * output unit. Each instruction costs the cycles its counters walk plus its tail, so the total is
 * the engine's cycle count from start to done.
 *
 * <p>Timing is kept where the program relies on it: every write lands in the cycle the pipeline
 * depth puts it, and a read of a word still in flight, an output unit fed while another
 * instruction holds it, or a drain cut short by the next tile is reported
 * ({@link EmulationException}) rather than computed.
 */
public final class EngineEmulator {
    private EngineEmulator() {}

    /**
     * One run.
     *
     * @param output the output codes as the engine streams them out
     * @param cycles start to done
     * @param instructionCycles per instruction: fetch, slots walked, tail
     * @param fetchCycles per instruction: the cycle it is fetched in
     * @param activationsAtFetch when kept, per instruction index: the activation memory as the
     *        engine fetches it (what {@link Program.Check} refers to); one more entry after END
     * @param outputsAtFetch the same for the output memory (unwritten words are 0)
     */
    public record Run(long[] output, long cycles, long[] instructionCycles, long[] fetchCycles, List<long[]> activationsAtFetch,
            List<long[]> outputsAtFetch) {}

    /** Runs {@code p} on {@code input} (the input codes, row-major). */
    public static Run run(Program p, long[] input) {
        return run(p, input, false);
    }

    /** As {@link #run(Program, long[])}, keeping the memories at every fetch when {@code keepMemories}. */
    public static Run run(Program p, long[] input, boolean keepMemories) {
        if (input.length != p.inputCount()) {
            throw new IllegalArgumentException("the program takes " + p.inputCount() + " input codes, got " + input.length);
        }
        return new Engine(p, keepMemories).run(input);
    }

    /** {@code v} as a {@code bits}-bit two's complement word. */
    static long signed(long v, int bits) {
        if (bits >= 64) return v;
        int s = 64 - bits;
        return (v << s) >> s;
    }

    /** {@code v} as a {@code bits}-bit unsigned word. */
    static long unsigned(long v, int bits) {
        return bits >= 64 ? v : v & ((1L << bits) - 1);
    }

    private static final class Engine {
        final Program p;
        final EngineWidths w;
        final boolean keep;
        final int post, divider;
        final TimedMemory act, out, bbuf;
        final long[] fetch;
        /** Cycles in which the output unit or the drain needs the instruction register of a given instruction or kind. */
        final List<long[]> holds = new ArrayList<>();
        /**
         * The last cycle a result left the output unit, and a B-buffer lane's write port was used, and
         * by whom: both are pipelines fed in cycle order, so each use comes strictly after the last.
         */
        long lastResult = Long.MIN_VALUE;
        int lastResultPc = -1;
        final long[] lastLaneWrite;
        final int[] lastLaneWriter;
        /** The last cycle the drain unit is busy with a tile. */
        long drainBusyUntil = Long.MIN_VALUE;
        int drainPc = -1;

        Engine(Program p, boolean keep) {
            this.p = p;
            this.w = EngineWidths.of(p);
            this.keep = keep;
            this.post = p.widths().postLatency();
            this.divider = p.widths().dividerLatency();
            act = new TimedMemory("the activation memory", Math.toIntExact(w.actDepth()), w.aw(), true, this::describe);
            out = new TimedMemory("the output memory", w.outDepth(), w.ow(), false, this::describe);
            bbuf = new TimedMemory("the B buffer", w.buffer() ? w.lanes() * w.bbDepth() : 0, w.aw(), false, this::describe);
            fetch = new long[p.instructions().size()];
            lastLaneWrite = new long[w.lanes()];
            lastLaneWriter = new int[w.lanes()];
            Arrays.fill(lastLaneWrite, Long.MIN_VALUE);
        }

        String describe(int pc) {
            if (pc < 0) return "the input stream";
            Instruction i = p.instructions().get(pc);
            return "instruction " + pc + " (" + i.kind() + " " + i.node() + ")";
        }

        Run run(long[] input) {
            for (int k = 0; k < input.length; k++) act.write(p.inputBase() + k, input[k], 1 + k, -1);
            long cycle = 1 + input.length;
            List<Instruction> program = p.instructions();
            long[] cycles = new long[program.size()];
            List<long[]> acts = new ArrayList<>(), outs = new ArrayList<>();
            int end = -1;
            for (int pc = 0; pc < program.size() && end < 0; pc++) {
                fetch[pc] = cycle;
                act.settle(cycle - 1);
                out.settle(cycle - 1);
                if (keep) {
                    acts.add(act.snapshot());
                    outs.add(out.snapshot());
                }
                Instruction ins = program.get(pc);
                fields(pc, ins);
                long slots = switch (ins.kind()) {
                    case END -> {
                        end = pc;
                        yield 0;
                    }
                    case MAC -> mac(pc, ins, cycle);
                    case ELEMENTWISE, PRODUCT -> elementwise(pc, ins, cycle);
                    case MAX -> max(pc, ins, cycle);
                    case SOFTMAX -> softmax(pc, ins, cycle);
                    case LAYERNORM -> layerNorm(pc, ins, cycle);
                    case LOAD_B -> loadB(pc, ins, cycle);
                };
                cycles[pc] = ins.kind() == Kind.END ? 1 : 1 + slots + ins.tail();
                cycle += cycles[pc];
            }
            if (end < 0) throw new EmulationException("the program has no END instruction");
            long done = fetch[end] + 2L * p.outputCount();
            checkHolds(end);
            long[] output = new long[p.outputCount()];
            for (int k = 0; k < output.length; k++) output[k] = out.read(k, fetch[end] + 1 + 2L * k, end);
            if (keep) {
                act.settle(Long.MAX_VALUE);
                out.settle(Long.MAX_VALUE);
                acts.add(act.snapshot());
                outs.add(out.snapshot());
            }
            return new Run(output, done + 1, Arrays.copyOf(cycles, end + 1), Arrays.copyOf(fetch, end + 1), acts, outs);
        }

        /** The loop counts must fit the counters; a register that wraps would walk another nest. */
        void fields(int pc, Instruction ins) {
            long max = (1L << w.cw()) - 1;
            int[] n = ins.counts();
            for (int l = 0; l < n.length; l++) {
                if (n[l] > max) throw new EmulationException(describe(pc) + ": loop count " + n[l] + " does not fit the " + w.cw() + "-bit counters");
            }
            if ((long) n[3] + ins.extra() > max || ins.tail() > max || ins.kcount() > max) {
                throw new EmulationException(describe(pc) + ": a count does not fit the " + w.cw() + "-bit counters");
            }
        }

        // ---- instructions ----

        /** Tiles of lanes: A element times each lane's B operand per slot, then the tile drains through the output unit. */
        long mac(int pc, Instruction ins, long fetchCycle) {
            int[] n = ins.counts();
            int k = ins.kcount();
            // the lanes centre a buffered B operand with zb's low AW bits (bb_centred), A with all of za
            long za = signed(ins.za(), w.aw() + 1), zb = signed(ins.zb(), w.aw());
            long[] acc = new long[w.lanes()];
            long s = 0;
            for (int i0 = 0; i0 < n[0]; i0++) {
                for (int i1 = 0; i1 < n[1]; i1++) {
                    for (int i2 = 0; i2 < n[2]; i2++) {
                        int tileLanes = i2 == n[2] - 1 ? ins.lanesLast() : ins.lanesFull();
                        if (tileLanes > w.lanes()) throw new EmulationException(describe(pc) + ": a tile of " + tileLanes + " lanes");
                        for (int i3 = 0; i3 < n[3]; i3++, s++) {
                            if (i3 >= k) continue;
                            long t = fetchCycle + 1 + s;
                            long x = signed(act.read(address(ins.a(), i0, i1, i2, i3, w.actAw()), t, pc) - za, w.aw() + 1);
                            long wa = address(ins.w(), i0, i1, i2, i3, ins.fromBuffer() ? w.bbAw() : w.wAw());
                            for (int j = 0; j < tileLanes; j++) {
                                long b = ins.fromBuffer() ? signed(bufferRead(pc, j, wa, t) - zb, w.aw() + 1) : weight(pc, wa, j);
                                acc[j] = signed((i3 == 0 ? 0 : acc[j]) + x * b, w.accW());
                            }
                            if (i3 == k - 1) drain(pc, ins, t, acc, tileLanes, i0, i1, i2, k - 1);
                        }
                    }
                }
            }
            return s;
        }

        /**
         * A finished tile ({@code t}: its last accumulating slot) is captured three cycles later and
         * drains one lane per cycle; the drain latches the instruction's constants at capture, so it
         * may run on into the next MAC instruction, but not into another kind (the output unit
         * follows the current instruction) nor past the next capture.
         */
        void drain(int pc, Instruction ins, long t, long[] acc, int lanes, int i0, int i1, int i2, int i3) {
            long capture = t + 3;
            if (capture < drainBusyUntil) {
                throw new EmulationException(describe(pc) + ": captures a tile in cycle " + capture + " while the drain of "
                        + describe(drainPc) + " runs until cycle " + drainBusyUntil);
            }
            drainBusyUntil = capture + lanes;
            drainPc = pc;
            hold(capture, pc, false);
            long z = signed(ins.z(), w.pyW()), lo = signed(ins.lo(), w.pyW()), hi = signed(ins.hi(), w.pyW());
            long o = address(ins.o(), i0, i1, i2, i3, w.addrW()), pa = address(ins.p(), i0, i1, i2, i3, w.addrW());
            for (int j = 0; j < lanes; j++) {
                long c = capture + 2 + j; // dcnt j in capture + 1 + j, its accumulator and constants in the output unit a cycle later
                hold(c - 1, pc, true);
                hold(c, pc, true);
                long[] prm = param(pc, unsigned(unsigned(pa + j * ins.pLane(), w.addrW()), w.pAw()));
                long y = OutputUnit.apply(acc[j], 0, prm[0], 0, prm[2], (int) prm[3], z, lo, hi);
                long addr = unsigned(o + j * ins.oLane(), w.addrW());
                store(pc, ins.toOutput(), addr, y, c + post);
                if (ins.bufferWrite()) {
                    long lane = ins.bufferSwap() ? i1 : j;
                    long row = unsigned(ins.b().base() + (ins.bufferSwap() ? j : i1), w.addrW());
                    if (lane >= w.lanes()) throw new EmulationException(describe(pc) + ": drains into B-buffer lane " + lane + " of " + w.lanes());
                    bufferWrite(pc, lane, unsigned(row, w.bbAw()), y, c + post);
                }
            }
        }

        /** One element per slot: (a - za) m1 + (b - zb) m2 + c, a table entry, or (PRODUCT) (a - za)(b - zb) m1 + c. */
        long elementwise(int pc, Instruction ins, long fetchCycle) {
            int[] n = ins.counts();
            boolean product = ins.kind() == Kind.PRODUCT;
            long za = signed(ins.za(), w.aw() + 1), zb = signed(ins.zb(), w.aw() + 1);
            long z = signed(ins.z(), w.pyW()), lo = signed(ins.lo(), w.pyW()), hi = signed(ins.hi(), w.pyW());
            long[] constant = {1, 0, 0, unsigned(ins.postShift(), w.sh())};
            long s = 0;
            for (int i0 = 0; i0 < n[0]; i0++) {
                for (int i1 = 0; i1 < n[1]; i1++) {
                    for (int i2 = 0; i2 < n[2]; i2++) {
                        for (int i3 = 0; i3 < n[3]; i3++, s++) {
                            long t = fetchCycle + 1 + s;
                            long[] prm = ins.postConst() && !product ? constant : param(pc, address(ins.p(), i0, i1, i2, i3, w.pAw()));
                            long x = act.read(address(ins.a(), i0, i1, i2, i3, w.actAw()), t, pc);
                            long bAddr = address(ins.b(), i0, i1, i2, i3, w.actAw());
                            // the second operand is always read; its value matters only when weighted
                            act.touch(bAddr, pc);
                            long xb = product || prm[1] != 0 ? act.read(bAddr, t, pc) : 0;
                            long ea = signed(x - za, w.aw() + 1), eb = signed(xb - zb, w.aw() + 1);
                            long y;
                            if (product) {
                                y = OutputUnit.apply(ea * eb, 0, prm[0], 0, prm[2], (int) prm[3], z, lo, hi);
                            } else {
                                long a = ins.useTable() ? table(pc, ins.tableBase() + (unsigned(x, w.addrW()) & ins.tableMask()), true) : ea;
                                y = OutputUnit.apply(a, eb, prm[0], prm[1], prm[2], (int) prm[3], z, lo, hi);
                            }
                            hold(t + 2, pc, false);
                            store(pc, ins.toOutput(), address(ins.o(), i0, i1, i2, i3, w.addrW()), y, t + 2 + post);
                        }
                    }
                }
            }
            return s;
        }

        /** The largest code of each row (or, with m1 < 0, the largest complement), through the output unit at its last slot. */
        long max(int pc, Instruction ins, long fetchCycle) {
            int[] n = ins.counts();
            int k = ins.kcount();
            long z = signed(ins.z(), w.pyW()), lo = signed(ins.lo(), w.pyW()), hi = signed(ins.hi(), w.pyW());
            long s = 0;
            long mx = 0;
            for (int i0 = 0; i0 < n[0]; i0++) {
                for (int i1 = 0; i1 < n[1]; i1++) {
                    for (int i2 = 0; i2 < n[2]; i2++) {
                        for (int i3 = 0; i3 < n[3]; i3++, s++) {
                            if (i3 >= k) continue;
                            long t = fetchCycle + 1 + s;
                            long[] prm = param(pc, address(ins.p(), i0, i1, i2, i3, w.pAw()));
                            long x = act.read(address(ins.a(), i0, i1, i2, i3, w.actAw()), t, pc);
                            long in = prm[0] < 0 ? ~x : x;
                            if (i3 == 0 || in > mx) mx = in;
                            if (i3 == k - 1) {
                                long y = OutputUnit.apply(mx, 0, prm[0], 0, prm[2], (int) prm[3], z, lo, hi);
                                hold(t + 2, pc, false);
                                store(pc, ins.toOutput(), address(ins.o(), i0, i1, i2, i3, w.addrW()), y, t + 2 + post);
                            }
                        }
                    }
                }
            }
            return s;
        }

        /**
         * Per row: phase 0 the maximum of the kept elements, phase 1 their exponentials from the
         * table (indexed by the unsigned difference, capped at the mask entry) and their sum, phase 2
         * one rounding division {@code e K / (sum 2^k)} per element.
         */
        long softmax(int pc, Instruction ins, long fetchCycle) {
            int[] n = ins.counts();
            int len = ins.kcount();
            // phase 2 reads e_i two cycles after phase 1 wrote it; the sum settles one cycle after the last
            if ((long) len + ins.extra() < 3 || ins.extra() < 1 || n[2] != 3) {
                throw new EmulationException(describe(pc) + ": phase 1 of " + len + " + " + ins.extra()
                        + " slots is too short for its exponentials to settle");
            }
            long z = signed(ins.z(), w.pyW()), lo = signed(ins.lo(), w.pyW()), hi = signed(ins.hi(), w.pyW());
            long k = unsigned(ins.softmaxK(), w.smkW());
            int sh = (int) unsigned(ins.postShift(), w.sh());
            long period = unsigned(ins.maskPeriod(), w.cw()), start = unsigned(ins.maskStart(), w.cw());
            long limit = start, rowCount = 0;
            long[] e = new long[len];
            long s = 0;
            for (int i0 = 0; i0 < n[0]; i0++) {
                for (int i1 = 0; i1 < n[1]; i1++) {
                    long max = 0, sum = 0;
                    for (int i2 = 0; i2 < 3; i2++) {
                        int slots = n[3] + (i2 == 1 ? ins.extra() : 0);
                        for (int i3 = 0; i3 < slots; i3++, s++) {
                            if (i3 >= len) continue;
                            long t = fetchCycle + 1 + s;
                            long a = address(ins.a(), i0, i1, i2, i3, w.actAw());
                            boolean kept = period == 0 || i3 < limit;
                            if (i2 == 0) {
                                long x = act.read(a, t, pc);
                                if (i3 == 0 || kept && x > max) max = x;
                            } else if (i2 == 1) {
                                long x = act.read(a, t, pc);
                                long diff = unsigned(max - x, w.aw());
                                long index = unsigned(ins.tableBase() + Math.min(diff, ins.tableMask()), w.addrW());
                                e[i3] = kept ? unsigned(table(pc, index, false), w.tW()) : 0;
                                sum = unsigned((i3 == 0 ? 0 : sum) + e[i3], w.ddW());
                            } else {
                                act.touch(a, pc);
                                long num = signed(e[i3] * k, w.dnW());
                                long den = unsigned(sum << ins.softmaxShift(), w.ddW());
                                long q = divide(pc, num, den);
                                long c = t + 3 + divider;
                                hold(c, pc, false);
                                long y = OutputUnit.apply(q, 0, 1, 0, 0, sh, z, lo, hi);
                                store(pc, ins.toOutput(), address(ins.o(), i0, i1, i2, i3, w.addrW()), y, c + post);
                            }
                        }
                    }
                    if (rowCount == period - 1) {
                        limit = start;
                        rowCount = 0;
                    } else {
                        limit++;
                        rowCount = unsigned(rowCount + 1, w.cw());
                    }
                }
            }
            return s;
        }

        /**
         * Per row: phase 0 the sum s, phase 1 {@code d_i = n x_i - s} and {@code V = sum d_i^2}, the
         * square root of {@code V 2^(2p) + E} started three slots after the last element, phase 2
         * one rounding division {@code (d_i G_i + B_i sigma) / sigma} per element, scaled down by
         * the output unit's shift.
         */
        long layerNorm(int pc, Instruction ins, long fetchCycle) {
            int[] n = ins.counts();
            int len = ins.kcount();
            int rootCycles = IntMath.isqrtCycles(w.sqW());
            if (ins.extra() < Math.max(3, rootCycles + 1) || n[2] != 3) {
                throw new EmulationException(describe(pc) + ": phase 1 has " + ins.extra() + " extra slots, the square root needs "
                        + Math.max(3, rootCycles + 1));
            }
            long z = signed(ins.z(), w.pyW()), lo = signed(ins.lo(), w.pyW()), hi = signed(ins.hi(), w.pyW());
            long count = unsigned(ins.normLength(), w.lnnW());
            long epsilon = unsigned(ins.normEpsilon(), w.sqW());
            int sh = (int) unsigned(ins.postShift(), w.sh());
            long s = 0;
            for (int i0 = 0; i0 < n[0]; i0++) {
                for (int i1 = 0; i1 < n[1]; i1++) {
                    long sum = 0, variance = 0, sigma = 0;
                    for (int i2 = 0; i2 < 3; i2++) {
                        int slots = n[3] + (i2 == 1 ? ins.extra() : 0);
                        for (int i3 = 0; i3 < slots; i3++, s++) {
                            if (i3 >= len) continue;
                            long t = fetchCycle + 1 + s;
                            long x = act.read(address(ins.a(), i0, i1, i2, i3, w.actAw()), t, pc);
                            long d = signed(x * count - sum, w.lndW());
                            if (i2 == 0) {
                                sum = signed((i3 == 0 ? 0 : sum) + x, w.lnsW());
                            } else if (i2 == 1) {
                                variance = unsigned((i3 == 0 ? 0 : variance) + d * d, w.sqW());
                                if (i3 == len - 1) {
                                    long radicand = unsigned(shiftLeft(variance, ins.normShift() & 127) + epsilon, w.sqW());
                                    sigma = Math.max(1, IntMath.isqrt(radicand, w.sqW()));
                                }
                            } else {
                                long[] prm = param(pc, address(ins.p(), i0, i1, i2, i3, w.pAw()));
                                long num = signed(d * prm[0] + prm[2] * sigma, w.dnW());
                                long q = divide(pc, num, sigma);
                                long c = t + 3 + divider;
                                hold(c, pc, false);
                                long y = OutputUnit.apply(q, 0, 1, 0, 0, sh, z, lo, hi);
                                store(pc, ins.toOutput(), address(ins.o(), i0, i1, i2, i3, w.addrW()), y, c + post);
                            }
                        }
                    }
                }
            }
            return s;
        }

        /** Copies codes from stream a into the B buffer: lane = the level-3 counter, word = stream w. */
        long loadB(int pc, Instruction ins, long fetchCycle) {
            int[] n = ins.counts();
            long s = 0;
            for (int i0 = 0; i0 < n[0]; i0++) {
                for (int i1 = 0; i1 < n[1]; i1++) {
                    for (int i2 = 0; i2 < n[2]; i2++) {
                        for (int i3 = 0; i3 < n[3]; i3++, s++) {
                            long t = fetchCycle + 1 + s;
                            if (i3 >= w.lanes()) throw new EmulationException(describe(pc) + ": loads lane " + i3 + " of " + w.lanes());
                            long word = address(ins.w(), i0, i1, i2, i3, w.bbAw());
                            // a lane past the last tile's columns would read past the matrix, maybe past the memory
                            if (i1 == n[1] - 1 && i3 >= ins.lanesLast()) {
                                throw new EmulationException(describe(pc) + ": loads lane " + i3 + " of a last tile of "
                                        + ins.lanesLast() + " columns");
                            }
                            long x = act.read(address(ins.a(), i0, i1, i2, i3, w.actAw()), t, pc);
                            bufferWrite(pc, i3, word, x, t + 1);
                        }
                    }
                }
            }
            return s;
        }

        // ---- units and memories ----

        /** {@code v << sh} modulo 2^64, also for shifts of 64 or more (Java would take them modulo 64). */
        static long shiftLeft(long v, int sh) {
            return sh >= 64 ? 0 : v << sh;
        }

        /** The rounding divider: {@code |q| < 2^DQ_W} or its result means nothing. */
        long divide(int pc, long num, long den) {
            if (den <= 0) throw new EmulationException(describe(pc) + ": divides by " + den);
            long q = IntMath.divRound(num, den);
            if (Math.abs(q) >= 1L << w.dqW()) {
                throw new EmulationException(describe(pc) + ": quotient " + q + " needs more than the divider's " + w.dqW() + " bits");
            }
            return q;
        }

        /** The output unit's result into the activation memory (at its width) or the output memory: one per cycle. */
        void store(int pc, boolean toOutput, long address, long y, long cycle) {
            if (cycle <= lastResult) {
                throw new EmulationException(describe(pc) + ": its result leaves the output unit in cycle " + cycle + ", not after one of "
                        + describe(lastResultPc) + " in cycle " + lastResult);
            }
            lastResult = cycle;
            lastResultPc = pc;
            y = signed(y, w.pyW());
            if (toOutput) out.write(unsigned(address, w.outCw()), y, cycle, pc);
            else act.write(unsigned(address, w.actAw()), y, cycle, pc);
        }

        long bufferRead(int pc, int lane, long address, long cycle) {
            return bbuf.read(bufferWord(pc, lane, address), cycle, pc);
        }

        /** Each lane's buffer has one write port, which a LOAD_B and a drain share. */
        void bufferWrite(int pc, long lane, long address, long value, long cycle) {
            port(pc, lane, cycle);
            bbuf.write(bufferWord(pc, lane, address), value, cycle, pc);
        }

        void port(int pc, long lane, long cycle) {
            int j = (int) lane;
            if (cycle <= lastLaneWrite[j]) {
                throw new EmulationException(describe(pc) + ": writes B-buffer lane " + lane + " in cycle " + cycle + ", not after "
                        + describe(lastLaneWriter[j]) + " in cycle " + lastLaneWrite[j]);
            }
            lastLaneWrite[j] = cycle;
            lastLaneWriter[j] = pc;
        }

        long bufferWord(int pc, long lane, long address) {
            if (!w.buffer() || address >= w.bbDepth()) {
                throw new EmulationException(describe(pc) + ": B-buffer word " + address + " outside its " + (w.buffer() ? w.bbDepth() : 0) + " words");
            }
            return lane * w.bbDepth() + address;
        }

        long weight(int pc, long address, int lane) {
            if (address >= p.weightWords().size()) {
                throw new EmulationException(describe(pc) + ": weight word " + address + " outside the ROM's " + p.weightWords().size());
            }
            return signed(p.weightWords().get((int) address)[lane], w.ww());
        }

        /** A parameter entry {m1, m2, c, shift} at the ROM's widths. */
        long[] param(int pc, long address) {
            if (address >= p.params().size()) {
                throw new EmulationException(describe(pc) + ": parameter entry " + address + " outside the ROM's " + p.params().size());
            }
            long[] e = p.params().get((int) address);
            return new long[] {signed(e[0], w.m1()), signed(e[1], w.m2()), signed(e[2], w.c()), unsigned(e[3], w.sh())};
        }

        /** A table entry, sign-extended for an elementwise function or zero-extended for an exponential. */
        long table(int pc, long address, boolean signedEntry) {
            long a = unsigned(unsigned(address, w.addrW()), EngineWidths.addressBits(w.tDepth()));
            if (a >= p.table().length) {
                throw new EmulationException(describe(pc) + ": table entry " + a + " outside the ROM's " + p.table().length);
            }
            return signedEntry ? signed(p.table()[(int) a], w.tW()) : unsigned(p.table()[(int) a], w.tW());
        }

        /** A stream's address at the counters, modulo the address width, then the memory's own address bits. */
        long address(Stream s, int i0, int i1, int i2, int i3, int bits) {
            return unsigned(unsigned(s.at(i0, i1, i2, i3), w.addrW()), bits);
        }

        /** The output unit (or the drain's capture) in {@code cycle} needs instruction {@code pc}'s register, or any MAC's. */
        void hold(long cycle, int pc, boolean anyMac) {
            holds.add(new long[] {cycle, pc, anyMac ? 1 : 0});
        }

        void checkHolds(int end) {
            for (long[] h : holds) {
                int at = instructionAt(h[0], end);
                int pc = (int) h[1];
                boolean ok = h[2] == 1 ? p.instructions().get(at).kind() == Kind.MAC : at == pc;
                if (!ok) {
                    throw new EmulationException(describe(pc) + ": its result reaches the output unit in cycle " + h[0] + ", when "
                            + describe(at) + " holds the instruction register (the tail is too short)");
                }
            }
        }

        /** The instruction whose fields are in the instruction register in {@code cycle} (loaded at the end of its fetch). */
        int instructionAt(long cycle, int end) {
            int lo = 0, hi = end;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (fetch[mid] < cycle) lo = mid;
                else hi = mid - 1;
            }
            return lo;
        }
    }
}
