package org.tfq.ir.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;

/** The product of two activations: a window scaled back by its standard deviation, a square for a variance. */
class IntMulTest {

    /** S_a S_b / S_out = 0.5 * 0.25 / 0.125 = 1: the output code is Z_out plus the product of the centred codes. */
    @Test
    void broadcastProductsByHand() {
        IntType a = new IntType(8, true, 0.5, 3), b = new IntType(8, true, 0.25, -2), o = new IntType(8, true, 0.125, 1);
        IntMul op = IntMul.of(a, b, o);
        assertEquals(1.0, op.requant().realMultiplier());
        // a [1,2,2] (a window of two steps, two variates) times b [1,1,2] (one value per variate)
        IntTensor x = new IntTensor(Shape.of(1, 2, 2), new long[] {7, 3, 1, 10});
        IntTensor y = new IntTensor(Shape.of(1, 1, 2), new long[] {2, -5});
        IntTensor r = op.applyInt(List.of(x, y));
        assertEquals(Shape.of(1, 2, 2), r.shape());
        // (7-3)(2+2)=16, (3-3)(-5+2)=0, (1-3)(2+2)=-8, (10-3)(-5+2)=-21; + Z_out 1
        assertArrayEquals(new long[] {17, 1, -7, -20}, r.data());
    }

    @Test
    void roundsHalfUpAndSaturates() {
        IntType a = new IntType(8, true, 1, 0), o = new IntType(8, true, 4, 0);
        IntMul op = IntMul.of(a, a, o);
        IntTensor x = new IntTensor(Shape.of(4), new long[] {1, 2, -2, 127});
        // x^2 / 4: 0.25 -> 0, 1 -> 1, 1 -> 1, 16129 / 4 saturates at 127
        assertArrayEquals(new long[] {0, 1, 1, 127}, op.applyInt(List.of(x, x)).data());
        IntTensor h = new IntTensor(Shape.of(2), new long[] {3, -3});
        // 9 / 4 = 2.25 -> 2 either sign of the operands (the product is the same)
        assertArrayEquals(new long[] {2, 2}, op.applyInt(List.of(h, h)).data());
        IntTensor k = new IntTensor(Shape.of(1), new long[] {1});
        IntTensor two = new IntTensor(Shape.of(1), new long[] {2});
        // 2 / 4 = 0.5 rounds half up to 1
        assertArrayEquals(new long[] {1}, op.applyInt(List.of(k, two)).data());
    }

    @Test
    void productWidthIsTheExactWorstCase() {
        IntType a = new IntType(8, true, 0.5, 3), b = new IntType(8, true, 0.25, -2);
        // centred ranges [-131, 124] and [-126, 129]: the product spans [-16899, 16506], 16 bits signed
        assertEquals(16, IntMul.productBits(a, b));
        assertEquals(16, IntMul.of(a, b, new IntType(8, true, 1, 0)).productBits());
        assertThrows(IrException.class, () -> new IntMul(a, b, IntMul.of(a, b, a).requant(), a, 15));
        IntType wrong = new IntType(6, true, 0.5, 3);
        IrException e = assertThrows(IrException.class, () -> IntMul.of(a, b, a).resultType(
                List.of(new org.tfq.ir.TensorType(Shape.of(2), wrong), new org.tfq.ir.TensorType(Shape.of(2), b))));
        assertTrue(e.getMessage().contains("int_mul"), e.getMessage());
    }
}
