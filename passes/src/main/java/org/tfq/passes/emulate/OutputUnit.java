package org.tfq.passes.emulate;

import org.tfq.ir.integer.IntMath;

/**
 * The engine's output unit (rtl/tfq_post.v), shared by every kind of instruction:
 * {@code y = clamp(z + roundShift(a m1 + b m2 + c, sh), lo, hi)} with every intermediate exact,
 * and {@code hi} whenever {@code lo > hi}.
 */
final class OutputUnit {
    private OutputUnit() {}

    static long apply(long a, long b, long m1, long m2, long c, int sh, long z, long lo, long hi) {
        long s = Math.addExact(Math.addExact(Math.multiplyExact(a, m1), Math.multiplyExact(b, m2)), c);
        // the unit's shifter takes any shift its width allows; past IntMath's range every exact sum rounds to 0
        long t = Math.addExact(z, sh > IntMath.MAX_SHIFT ? 0 : IntMath.roundShift(s, sh));
        if (lo > hi || t > hi) return hi;
        return Math.max(t, lo);
    }
}
