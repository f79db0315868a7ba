package org.tfq.passes.schedule;

import java.util.Arrays;

/**
 * One address stream of an instruction: {@code base + i0 s0 + i1 s1 + i2 s2 + i3 s3} over the
 * instruction's four loop counters (i0 outermost). Every memory the engine reads or writes is
 * walked by one, so a transpose, a slice or a per-channel constant is only a choice of strides.
 */
public record Stream(long base, long[] strides) {

    public static final Stream NONE = new Stream(0, new long[Loops.LEVELS]);

    public Stream {
        strides = strides.clone();
        if (strides.length != Loops.LEVELS) throw new IllegalArgumentException("one stride per loop level");
    }

    public static Stream of(long base, long s0, long s1, long s2, long s3) {
        return new Stream(base, new long[] {s0, s1, s2, s3});
    }

    @Override
    public long[] strides() {
        return strides.clone();
    }

    public long stride(int level) {
        return strides[level];
    }

    /** The address at loop indices {@code i}. */
    public long at(int... i) {
        long a = base;
        for (int l = 0; l < i.length; l++) a += i[l] * strides[l];
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Stream s && s.base == base && Arrays.equals(s.strides, strides);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(base) * 31 + Arrays.hashCode(strides);
    }
}
