package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IntMathTest {

    /** floor(a / b) for b > 0 in BigInteger (BigInteger.divide truncates). */
    static BigInteger floorDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    static long refRoundShift(long v, int s) {
        // floor(v / 2^s + 1/2) = floor((2v + 2^s) / 2^(s+1))
        BigInteger num = BigInteger.valueOf(v).shiftLeft(1).add(BigInteger.ONE.shiftLeft(s));
        return floorDiv(num, BigInteger.ONE.shiftLeft(s + 1)).longValueExact();
    }

    static long refDivRound(long num, long den) {
        BigInteger n = BigInteger.valueOf(num).shiftLeft(1).add(BigInteger.valueOf(den));
        return floorDiv(n, BigInteger.valueOf(den).shiftLeft(1)).longValueExact();
    }

    /** assertEquals that builds its message only on failure (hot loops). */
    static void check(long expected, long actual, Object... context) {
        if (expected != actual) assertEquals(expected, actual, java.util.Arrays.toString(context));
    }

    @Test
    void saturateClampsToTwosComplementAndUnsignedRanges() {
        assertEquals(127, IntMath.saturate(1000, 8, true));
        assertEquals(-128, IntMath.saturate(-1000, 8, true));
        assertEquals(-5, IntMath.saturate(-5, 8, true));
        assertEquals(0, IntMath.saturate(-1, 8, false));
        assertEquals(255, IntMath.saturate(256, 8, false));
        assertEquals(255, IntMath.saturate(255, 8, false));
        assertEquals(0, IntMath.saturate(5, 1, true)); // 1-bit signed: -1..0
        assertEquals(-1, IntMath.saturate(-7, 1, true));
        assertEquals(Long.MAX_VALUE, IntMath.saturate(Long.MAX_VALUE, 63, false));
        assertThrows(IllegalArgumentException.class, () -> IntMath.saturate(0, 0, true));
    }

    @Test
    void roundShiftIsFloorOfHalfUpIncludingNegativesAndTies() {
        Random r = new Random(1);
        for (int s = 0; s <= 20; s++) {
            for (long v = -3000; v <= 3000; v++) check(refRoundShift(v, s), IntMath.roundShift(v, s), v, ">>", s);
        }
        for (int i = 0; i < 50_000; i++) {
            int s = r.nextInt(63);
            long v = r.nextLong() >> (1 + r.nextInt(62)); // |v| < 2^62, many magnitudes
            check(refRoundShift(v, s), IntMath.roundShift(v, s), v, ">>", s);
            // exact ties: k 2^s + 2^(s-1) goes up, also for negative k
            if (s >= 1 && s <= 40) {
                long k = r.nextInt(2001) - 1000;
                long tie = (k << s) + (1L << (s - 1));
                assertEquals(k + 1, IntMath.roundShift(tie, s));
                assertEquals(k, IntMath.roundShift(tie - 1, s));
            }
        }
        assertEquals(-1, IntMath.roundShift(-3, 1)); // -1.5 rounds up to -1
        assertEquals(-2, IntMath.roundShift(-5, 1)); // -2.5 rounds up to -2
    }

    @Test
    void divRoundIsRoundHalfUpForAllSigns() {
        for (long den = 1; den <= 40; den++) {
            for (long num = -500; num <= 500; num++) {
                check(refDivRound(num, den), IntMath.divRound(num, den), num, "/", den);
            }
        }
        Random r = new Random(2);
        for (int i = 0; i < 50_000; i++) {
            long num = r.nextLong() >> (2 + r.nextInt(61));
            long den = 1 + ((r.nextLong() >>> 2) >> r.nextInt(61));
            check(refDivRound(num, den), IntMath.divRound(num, den), num, "/", den);
        }
        assertEquals(-1, IntMath.divRound(-3, 2)); // -1.5 rounds up to -1
        assertEquals(2, IntMath.divRound(3, 2));
        assertEquals(-2, IntMath.divRound(-5, 3)); // -1.67
        assertThrows(IllegalArgumentException.class, () -> IntMath.divRound(1, 0));
    }

    @Test
    void restoringDividerEqualsFloorDivision() {
        Random r = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            int qb = 1 + r.nextInt(40);
            long den = 1 + (r.nextLong() >>> (64 - 1 - r.nextInt(20)));
            long num = (long) (r.nextDouble() * den * Math.scalb(1.0, qb));
            num = Math.min(num, den * (1L << qb) - 1);
            check(num / den, IntMath.restoringDivide(num, den, qb), num, "/", den);
        }
        assertEquals(255, IntMath.restoringDivide(255 * 7 + 6, 7, 8));
        assertThrows(IllegalArgumentException.class, () -> IntMath.restoringDivide(256 * 7, 7, 8));
        assertEquals(9, IntMath.divideCycles(9));
    }

    @Test
    void isqrtIsFloorSqrtExhaustivelyTo2Pow20() {
        for (long v = 0; v < (1 << 20); v++) {
            long s = IntMath.isqrt(v, 20);
            if (!(s * s <= v && (s + 1) * (s + 1) > v)) fail("isqrt " + v);
        }
        for (long v = 0; v < (1 << 20); v += 7) assertEquals((long) Math.sqrt(v), IntMath.isqrt(v));
    }

    @Test
    void isqrtRandomWideOperandsAgainstBigInteger() {
        Random r = new Random(4);
        for (int i = 0; i < 100_000; i++) {
            long v48 = r.nextLong() >>> 16;
            assertEquals(BigInteger.valueOf(v48).sqrt().longValueExact(), IntMath.isqrt(v48, 48));
            assertEquals(BigInteger.valueOf(v48).sqrt().longValueExact(), IntMath.isqrt(v48));
            long v62 = r.nextLong() >>> 2;
            assertEquals(BigInteger.valueOf(v62).sqrt().longValueExact(), IntMath.isqrt(v62));
        }
        long top = (1L << 62) - 1;
        assertEquals(BigInteger.valueOf(top).sqrt().longValueExact(), IntMath.isqrt(top));
        for (long k = 1; k < 3_000_000_000L; k = k * 3 + 1) { // perfect squares and neighbours
            assertEquals(k, IntMath.isqrt(k * k));
            assertEquals(k - 1, IntMath.isqrt(k * k - 1));
        }
        assertThrows(IllegalArgumentException.class, () -> IntMath.isqrt(1L << 20, 20));
        assertThrows(IllegalArgumentException.class, () -> IntMath.isqrt(-1));
        assertEquals(24, IntMath.isqrtCycles(48));
        assertEquals(25, IntMath.isqrtCycles(49));
    }

    @Test
    void widthsOfRanges() {
        for (int b = 1; b <= 62; b++) {
            long lo = -(1L << (b - 1));
            long hi = (1L << (b - 1)) - 1;
            assertEquals(b, IntMath.signedBits(lo, hi));
            assertEquals(b + 1, IntMath.signedBits(lo - 1, 0));
            assertEquals(b + 1, IntMath.signedBits(0, hi + 1));
            assertEquals(b, IntMath.unsignedBits((1L << b) - 1));
            assertEquals(b + 1, IntMath.unsignedBits(1L << b));
        }
        assertEquals(1, IntMath.unsignedBits(0));
        assertEquals(1, IntMath.signedBits(0, 0));
        assertEquals(1, IntMath.signedBits(-1, 0));
        assertEquals(8, IntMath.bits(0, 255));
        assertEquals(9, IntMath.bits(-1, 255));
    }
}
