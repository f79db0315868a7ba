package org.tfq.ir.op;

import java.util.List;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;

/** Checks and operand range arithmetic shared by the integer ops' verifiers and semantics. */
final class IntChecks {
    private IntChecks() {}

    static void expect(String op, TensorType actual, IntType declared) {
        if (actual.isFloat() || !actual.intType().equals(declared)) {
            throw Op.error(op, "input is " + actual.element() + ", op was built for " + declared);
        }
    }

    /** Both operands of a two-activation op. */
    static void expect(String op, List<TensorType> in, IntType a, IntType b) {
        expect(op, in.get(0), a);
        expect(op, in.get(1), b);
    }

    /** Every (a - Z_a)(b - Z_b) over the two types' codes: the product of two activations, zero points subtracted first. */
    static IntRange centredProducts(IntType a, IntType b) {
        return IntAdd.centred(a).times(IntAdd.centred(b));
    }

    /** The value itself, after checking it fits the signed width the range analysis declared. */
    static long fits(long v, int bits, String op) {
        if (v < IntMath.min(bits, true) || v > IntMath.max(bits, true)) {
            throw new ArithmeticException(op + ": intermediate " + v + " exceeds its declared " + bits + "-bit width");
        }
        return v;
    }

}
