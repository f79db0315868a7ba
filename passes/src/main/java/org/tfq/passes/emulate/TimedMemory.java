package org.tfq.passes.emulate;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.IntFunction;

/**
 * One memory of the engine with the timing of its port: a write issued for cycle {@code c} is
 * stored at the end of {@code c}, a read whose address is presented in cycle {@code r} sees the
 * words stored before {@code r} (read first, as the RTL's registered read ports). Writes are
 * kept in flight until then, so a read of a word another instruction has not yet stored is
 * caught instead of read stale.
 */
final class TimedMemory {
    private record Write(long cycle, long seq, int address, long value, boolean known, int pc) {}

    private final String name;
    private final int bits;
    private final boolean initialised;
    private final IntFunction<String> describe;
    private final long[] words;
    private final boolean[] written;
    private final long[] landsAt;
    private final int[] writer;
    private final PriorityQueue<Write> inFlight = new PriorityQueue<>(Comparator.comparingLong(Write::cycle).thenComparingLong(Write::seq));
    private long seq;

    /**
     * @param bits width of a word: values are stored as two's complement of this width
     * @param initialised whether the memory starts as zeros (the activation memory) or unknown
     * @param describe names an instruction by its index, for messages
     */
    TimedMemory(String name, int depth, int bits, boolean initialised, IntFunction<String> describe) {
        this.name = name;
        this.bits = bits;
        this.initialised = initialised;
        this.describe = describe;
        words = new long[depth];
        written = new boolean[depth];
        landsAt = new long[depth];
        writer = new int[depth];
        java.util.Arrays.fill(landsAt, Long.MIN_VALUE);
    }

    int depth() {
        return words.length;
    }

    void write(long address, long value, long cycle, int pc) {
        store(index(address, pc, "writes"), EngineEmulator.signed(value, bits), true, cycle, pc);
    }

    private void store(int a, long value, boolean known, long cycle, int pc) {
        inFlight.add(new Write(cycle, seq++, a, value, known, pc));
        if (cycle >= landsAt[a]) {
            landsAt[a] = cycle;
            writer[a] = pc;
        }
    }

    /** The word at {@code address} for a read presented in {@code cycle} by instruction {@code pc}. */
    long read(long address, long cycle, int pc) {
        int a = index(address, pc, "reads");
        settle(cycle - 1);
        if (landsAt[a] >= cycle && writer[a] != pc) {
            throw new EmulationException(describe.apply(pc) + ": reads " + name + " word " + a + " in cycle " + cycle + ", but "
                    + describe.apply(writer[a]) + " stores it only at the end of cycle " + landsAt[a]);
        }
        if (!written[a] && !initialised) {
            throw new EmulationException(describe.apply(pc) + ": reads " + name + " word " + a + " in cycle " + cycle
                    + ", which nothing has written (unknown in the RTL)");
        }
        return words[a];
    }

    /** Checks that {@code address} is inside the memory: a read whose value is not used may be stale, not unknown. */
    void touch(long address, int pc) {
        index(address, pc, "reads");
    }

    /** Stores every write issued for a cycle up to {@code cycle}. */
    void settle(long cycle) {
        while (!inFlight.isEmpty() && inFlight.peek().cycle() <= cycle) {
            Write w = inFlight.poll();
            words[w.address()] = w.value();
            written[w.address()] = w.known();
        }
    }

    long[] snapshot() {
        return words.clone();
    }

    private int index(long address, int pc, String verb) {
        if (address < 0 || address >= words.length) {
            throw new EmulationException(describe.apply(pc) + ": " + verb + " " + name + " word " + address + ", outside its "
                    + words.length + " words");
        }
        return (int) address;
    }
}
