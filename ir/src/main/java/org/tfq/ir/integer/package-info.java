/**
 * The exact integer semantics of the rescaling and nonlinear operations of the integer IR,
 * written once: the golden integer interpreter calls these classes and the Verilog backend
 * implements the same arithmetic bit for bit.
 *
 * <p>Conventions, shared by every class here:
 * <ul>
 *   <li>run time ({@code apply}) uses only {@code long}/{@code int} add, subtract, multiply,
 *       arithmetic shift, compare, table lookup, and at most one sequential radix-2 division or
 *       square root ({@link org.tfq.ir.integer.IntMath#restoringDivide},
 *       {@link org.tfq.ir.integer.IntMath#isqrt(long, int)}); floating point only chooses
 *       constants at compile time;
 *   <li>run-time rounding is half up ({@link org.tfq.ir.integer.IntMath#roundShift},
 *       {@link org.tfq.ir.integer.IntMath#divRound}); compile-time constants and tables are
 *       rounded to nearest, ties to even ({@link org.tfq.ir.integer.IntMath#nearest});
 *   <li>outputs saturate to the output type's range
 *       ({@link org.tfq.ir.integer.IntMath#saturate});
 *   <li>every class reports the widths of its intermediates so the backend can size registers,
 *       and (where an approximation is involved) a pre-rounding error bound in output codes:
 *       below 1 means at most one code from the float operation quantized the same way.
 * </ul>
 */
package org.tfq.ir.integer;
