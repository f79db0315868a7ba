package org.tfq.ir.op;

import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntMath;

/** Checks shared by the integer ops' verifiers and semantics. */
final class IntChecks {
    private IntChecks() {}

    static void expect(String op, TensorType actual, IntType declared) {
        if (actual.isFloat() || !actual.intType().equals(declared)) {
            throw Op.error(op, "input is " + actual.element() + ", op was built for " + declared);
        }
    }

    /** The value itself, after checking it fits the signed width the range analysis declared. */
    static long fits(long v, int bits, String op) {
        if (v < IntMath.min(bits, true) || v > IntMath.max(bits, true)) {
            throw new ArithmeticException(op + ": intermediate " + v + " exceeds its declared " + bits + "-bit width");
        }
        return v;
    }

}
