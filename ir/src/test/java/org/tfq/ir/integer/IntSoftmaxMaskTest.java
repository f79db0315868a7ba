package org.tfq.ir.integer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.op.CausalMask;
import org.tfq.ir.op.IntSoftmaxOp;

/** Masked softmax rows: masked elements are -inf, whatever their codes. */
class IntSoftmaxMaskTest {

    static final double IN_SCALE = 0.05;
    static final IntSoftmaxTest.Out OUT = new IntSoftmaxTest.Out(1.0 / 255, -128, 8, true);

    @Test
    void maskedElementsAreZeroAndDoNotTouchTheKeptOnes() {
        IntSoftmax sm = IntSoftmaxTest.build(IN_SCALE, 8, 6, OUT);
        Random r = new Random(7);
        for (int t = 0; t < 200; t++) {
            long[] row = new long[6];
            for (int i = 0; i < 6; i++) row[i] = r.nextInt(256) - 128;
            int valid = 1 + r.nextInt(6);
            long[] q = sm.apply(row, valid);
            long[] kept = java.util.Arrays.copyOf(row, valid);
            // the kept elements are the float softmax of the kept prefix, within one code
            long[] ref = IntSoftmaxTest.floatReference(kept, IN_SCALE, OUT);
            for (int i = 0; i < valid; i++) assertTrue(Math.abs(q[i] - ref[i]) <= 1, "element " + i);
            for (int i = valid; i < 6; i++) assertEquals(-128, q[i], "a masked element is the code of 0");
            // a masked element larger than every kept one changes nothing
            long[] hot = row.clone();
            for (int i = valid; i < 6; i++) hot[i] = 127;
            assertArrayEquals(q, sm.apply(hot, valid));
        }
    }

    @Test
    void oneKeptElementIsOne() {
        IntSoftmax sm = IntSoftmaxTest.build(IN_SCALE, 8, 4, OUT);
        assertArrayEquals(new long[] {127, -128, -128, -128}, sm.apply(new long[] {-100, 50, 127, 3}, 1));
    }

    @Test
    void rowsKeepNothingOrMoreThanTheyHaveAreRefused() {
        IntSoftmax sm = IntSoftmaxTest.build(IN_SCALE, 8, 4, OUT);
        assertThrows(IllegalArgumentException.class, () -> sm.apply(new long[] {1, 2, 3}, 0));
        assertThrows(IllegalArgumentException.class, () -> sm.apply(new long[] {1, 2, 3}, 4));
        assertThrows(IllegalArgumentException.class, () -> new CausalMask(0));
    }

    @Test
    void causalRuleOverRowsOfTheAxisBefore() {
        CausalMask m = new CausalMask(1);
        assertEquals(1, m.valid(0, 4));
        assertEquals(4, m.valid(3, 4));
        assertEquals(4, m.valid(9, 4));
        assertEquals(3, new CausalMask(2).valid(1, 5));
        assertEquals(5, CausalMask.NONE.valid(0, 5));
        // [heads 2, queries 3, keys 3]: lines 0..5, the query index restarts per head
        Shape s = Shape.of(2, 3, 3);
        int[] expected = {1, 2, 3, 1, 2, 3};
        for (int line = 0; line < 6; line++) assertEquals(expected[line], m.valid(s, -1, line));
    }

    @Test
    void theOpMasksRowByRow() {
        IntType in = new IntType(8, true, IN_SCALE, 0);
        IntType out = new IntType(8, true, OUT.scale(), OUT.zero());
        IntSoftmax sm = IntSoftmaxTest.build(IN_SCALE, 8, 3, OUT);
        IntSoftmaxOp op = new IntSoftmaxOp(2, in, sm, out, new CausalMask(1));
        long[] x = {5, 9, 9, 5, 9, 9, 5, 9, 9};
        IntTensor y = op.applyInt(List.of(new IntTensor(Shape.of(1, 3, 3), x)));
        assertArrayEquals(new long[] {127, -128, -128}, java.util.Arrays.copyOfRange(y.data(), 0, 3));
        assertArrayEquals(sm.apply(new long[] {5, 9, 9}, 2), java.util.Arrays.copyOfRange(y.data(), 3, 6));
        assertArrayEquals(sm.apply(new long[] {5, 9, 9}), java.util.Arrays.copyOfRange(y.data(), 6, 9));
        assertEquals("1", op.attributes().get("causal_diagonal"));
    }
}
