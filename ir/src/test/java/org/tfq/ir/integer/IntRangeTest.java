package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IntRangeTest {

    /** Exact extremes of sum a_k w_k + bias by brute force over every input combination. */
    static IntRange bruteForce(int k, IntRange a, IntRange w, IntRange bias) {
        long[] best = {Long.MAX_VALUE, Long.MIN_VALUE};
        walk(k, a, w, bias, 0, best);
        return new IntRange(best[0], best[1]);
    }

    private static void walk(int k, IntRange a, IntRange w, IntRange bias, long partial, long[] best) {
        if (k == 0) {
            for (long b = bias.min(); b <= bias.max(); b++) {
                best[0] = Math.min(best[0], partial + b);
                best[1] = Math.max(best[1], partial + b);
            }
            return;
        }
        for (long x = a.min(); x <= a.max(); x++) {
            for (long y = w.min(); y <= w.max(); y++) walk(k - 1, a, w, bias, partial + x * y, best);
        }
    }

    @Test
    void dotProductRangeIsExactWorstCase() {
        IntRange[] ranges = {IntRange.of(3, true), IntRange.of(3, false), IntRange.of(2, true), new IntRange(-3, 5), new IntRange(2, 6)};
        for (IntRange a : ranges) {
            for (IntRange w : ranges) {
                for (IntRange bias : new IntRange[] {IntRange.point(0), IntRange.of(3, true)}) {
                    for (int k = 1; k <= 2; k++) {
                        IntRange exact = bruteForce(k, a, w, bias);
                        assertEquals(exact, IntRange.dotProduct(k, a, w, bias), k + " " + a + " " + w + " " + bias);
                    }
                }
            }
        }
    }

    @Test
    void accumulatorWidthsOfTypicalLayers() {
        // 8-bit signed x 8-bit signed, 64 terms: max 64 * 128 * 128 = 2^20 needs 22 bits signed
        assertEquals(22, IntRange.dotProductBits(64, 8, true, 8, true, 0, true));
        // plus a 32-bit bias
        assertEquals(33, IntRange.dotProductBits(64, 8, true, 8, true, 32, true));
        // 4-bit unsigned activations x 4-bit signed weights, 32 terms: [-32*15*8, 32*15*7] = [-3840, 3360]
        assertEquals(13, IntRange.dotProductBits(32, 4, false, 4, true, 0, true));
        // unsigned by unsigned stays unsigned
        assertEquals(IntMath.unsignedBits(255L * 255 * 10), IntRange.dotProductBits(10, 8, false, 8, false, 0, false));
        // zero-point-corrected operands: (a - Z) with a in 8-bit unsigned, Z = 128
        IntRange centred = IntRange.of(8, false).minus(IntRange.point(128));
        assertEquals(new IntRange(-128, 127), centred);
        assertThrows(ArithmeticException.class, () -> new IntRange(Long.MIN_VALUE / 2, 0).sumOf(4));
        assertThrows(IllegalArgumentException.class, () -> new IntRange(1, 0));
    }
}
