package org.tfq.ir.op;

import java.util.List;
import org.tfq.ir.IntTensor;

/**
 * An op of the integer IR. {@link #applyInt} is the op's exact integer semantics: the golden
 * model the hardware must match bit for bit. It throws {@link ArithmeticException} if an
 * intermediate leaves the width the op declares, so every run of the interpreter also checks
 * the range analysis.
 */
public sealed interface IntOp extends Op
        permits LayoutOp, IntLinear, IntMatMul, IntAdd, IntAffine, IntSoftmaxOp, IntLayerNormOp, IntTableOp, IntMeanPool,
                IntRelabel, IntMul, Concat, IntPadConstant, IntMaxPool {

    IntTensor applyInt(List<IntTensor> inputs);

    /** The widest intermediate the op's datapath needs, in bits (accumulators, products). */
    int datapathBits();
}
