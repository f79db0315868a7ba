package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntType;

class RequantizerTest {

    /** saturate(floor(acc m / 2^s + 1/2) + Z) in exact rational (BigInteger) arithmetic. */
    static long reference(long acc, Requantizer q) {
        BigInteger num = BigInteger.valueOf(acc).multiply(BigInteger.valueOf(q.multiplier()))
                .shiftLeft(1).add(BigInteger.ONE.shiftLeft(q.shift()));
        BigInteger v = IntMathTest.floorDiv(num, BigInteger.ONE.shiftLeft(q.shift() + 1)).add(BigInteger.valueOf(q.outZeroPoint()));
        BigInteger lo = BigInteger.valueOf(IntMath.min(q.outBits(), q.outSigned()));
        BigInteger hi = BigInteger.valueOf(IntMath.max(q.outBits(), q.outSigned()));
        return v.max(lo).min(hi).longValueExact();
    }

    static List<Double> multipliers(Random r) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < 150; i++) ms.add(Math.scalb(1 + r.nextDouble(), -30 + r.nextInt(36)));
        for (int e = -40; e <= 4; e++) {
            ms.add(Math.scalb(1.0, e));               // exact powers of two
            ms.add(Math.nextDown(Math.scalb(1.0, e))); // just below: m rounds up to 2^bits
            ms.add(Math.scalb(1.5, e));
        }
        ms.add(1.0 / 3);
        ms.add(0.0123 * 0.0045 / 0.071);
        return ms;
    }

    @Test
    void multiplierIsNormalisedWithinRelativeErrorBound() {
        Random r = new Random(10);
        for (int bits : new int[] {2, 8, 12, 15, 16, 20, 24, 31}) {
            for (double m : multipliers(r)) {
                if (m >= Math.scalb(1.0, bits) - 0.5) continue; // not representable, see the next test
                Requantizer q = Requantizer.of(m, bits, 0, 8, true);
                assertTrue(q.shift() >= 0 && q.shift() <= 62);
                if (q.shift() < 62) {
                    assertTrue(q.multiplier() >= (1L << (bits - 1)) && q.multiplier() < (1L << bits),
                            "m " + q.multiplier() + " for M " + m + " bits " + bits);
                    assertTrue(q.relativeError(m) <= Requantizer.maxRelativeError(bits), "M " + m + " bits " + bits);
                    assertTrue(q.relativeError(m) <= Math.scalb(1.0, -(bits - 1)));
                }
            }
        }
    }

    @Test
    void edgesOfTheMultiplierRange() {
        // too large: would need a left shift
        assertThrows(IllegalArgumentException.class, () -> Requantizer.of(65536.0, 16, 0, 8, true));
        assertThrows(IllegalArgumentException.class, () -> Requantizer.of(65535.7, 16, 0, 8, true));
        Requantizer big = Requantizer.of(65535.0, 16, 0, 8, true);
        assertEquals(65535, big.multiplier());
        assertEquals(0, big.shift());
        // just below a power of two: rounds to 2^16, renormalised to 2^15 with one shift less
        Requantizer p = Requantizer.of(Math.nextDown(0.5), 16, 0, 8, true);
        assertEquals(1 << 15, p.multiplier());
        assertEquals(16, p.shift());
        // tiny: shift capped at 62, multiplier denormal or zero
        Requantizer tiny = Requantizer.of(Math.scalb(1.0, -70), 16, 3, 8, true);
        assertEquals(62, tiny.shift());
        assertEquals(0, tiny.multiplier());
        assertEquals(3, tiny.apply(1L << 40));
        Requantizer small = Requantizer.of(Math.scalb(1.0, -55), 16, 0, 8, true);
        assertEquals(62, small.shift());
        assertEquals(128, small.multiplier());
        assertEquals(0.0, small.relativeError(Math.scalb(1.0, -55)));
        assertThrows(IllegalArgumentException.class, () -> Requantizer.of(0.0, 16, 0, 8, true));
        assertThrows(IllegalArgumentException.class, () -> Requantizer.of(-0.5, 16, 0, 8, true));
        assertThrows(IllegalArgumentException.class, () -> Requantizer.of(Double.NaN, 16, 0, 8, true));
        assertThrows(IllegalArgumentException.class, () -> new Requantizer(1, 0, 200, 8, true));
        // a product that leaves 64 bits is an error, not a silent wrap
        Requantizer q = Requantizer.of(0.75, 16, 0, 8, true);
        assertThrows(ArithmeticException.class, () -> q.apply(Long.MAX_VALUE / 1000));
    }

    @Test
    void applyEqualsExactRationalRoundingAndSaturation() {
        Random r = new Random(11);
        int[][] outs = {{8, 1}, {8, 0}, {4, 1}, {4, 0}, {6, 1}, {16, 1}, {2, 0}};
        int cases = 0;
        for (int bits : new int[] {8, 12, 16, 20, 24}) {
            for (double m : multipliers(r)) {
                if (m >= Math.scalb(1.0, bits) - 0.5) continue;
                int[] o = outs[r.nextInt(outs.length)];
                boolean signed = o[1] == 1;
                long z = IntMath.min(o[0], signed) + (long) (r.nextDouble() * ((1L << o[0]) - 1));
                Requantizer q = Requantizer.of(m, bits, z, o[0], signed);
                for (int accBits : new int[] {8, 16, 24, 32, 40}) {
                    if (q.productBits(accBits) > 63) continue;
                    long lo = IntMath.min(accBits, true);
                    long hi = IntMath.max(accBits, true);
                    List<Long> accs = new ArrayList<>(List.of(lo, hi, 0L, 1L, -1L, lo + 1, hi - 1));
                    for (int i = 0; i < 20; i++) accs.add(lo + (long) (r.nextDouble() * (hi - lo)));
                    // accumulators at the saturation edges: real value near (max - Z) and (min - Z)
                    for (long edge : new long[] {IntMath.max(o[0], signed) - z, IntMath.min(o[0], signed) - z}) {
                        long a = Math.round(edge / q.realMultiplier());
                        for (long d = -3; d <= 3; d++) {
                            if (a + d >= lo && a + d <= hi) accs.add(a + d);
                        }
                    }
                    for (long acc : accs) {
                        IntMathTest.check(reference(acc, q), q.apply(acc), acc, q);
                        cases++;
                    }
                }
            }
        }
        assertTrue(cases > 50_000, "cases " + cases);
    }

    @Test
    void exactHalvesRoundUpAlsoWhenNegative() {
        Random r = new Random(12);
        for (int s = 1; s <= 30; s++) {
            for (int odd : new int[] {1, 3, 5, 32767, 65535}) {
                Requantizer q = new Requantizer(odd, s, 0, 32, true);
                for (int i = 0; i < 50; i++) {
                    // acc * odd = k 2^s + 2^(s-1): acc = (k 2^s + 2^(s-1)) * odd^-1 mod 2^s, then any k
                    long inv = BigInteger.valueOf(odd).modInverse(BigInteger.ONE.shiftLeft(s)).longValueExact();
                    long base = ((1L << (s - 1)) * inv) & ((1L << s) - 1);
                    long acc = base + ((long) (r.nextInt(2001) - 1000) << s);
                    long prod = acc * odd;
                    assertEquals(1L << (s - 1), Math.floorMod(prod, 1L << s));
                    assertEquals(Math.floorDiv(prod, 1L << s) + 1, q.apply(acc), "tie " + prod + " >> " + s);
                    assertEquals(reference(acc, q), q.apply(acc));
                }
            }
        }
    }

    @Test
    void widthsAndDefaults() {
        Requantizer q = Requantizer.of(0.00123, new IntType(8, true, 0.05, -3));
        assertEquals(16, q.multiplierBits());
        assertEquals(-3, q.outZeroPoint());
        assertEquals(40, q.productBits(24));
        assertEquals(Math.max(40, q.shift()) + 1, q.roundingBits(24));
        // the product of a full-range accumulator and m fits productBits signed bits
        long p1 = IntMath.min(24, true) * (long) q.multiplier();
        long p2 = IntMath.max(24, true) * (long) q.multiplier();
        assertTrue(IntMath.signedBits(p1, p2) <= q.productBits(24));
        assertTrue(IntMath.signedBits(p1, p2 + (1L << (q.shift() - 1))) <= q.roundingBits(24));
    }
}
