package org.tfq.ir.op;

import java.util.List;
import org.tfq.ir.FloatTensor;

/** An op of the float IR: its float semantics is {@link #apply}, used by the float interpreter. */
public sealed interface FloatOp extends Op
        permits Linear, MatMul, Softmax, LayerNorm, BatchNorm, Gelu, Relu, Add, AddBatchNorm, AddConstant, MulConstant,
                MeanPool, LayoutOp, FakeQuant, Sub, Mul, UnaryFunction, Concat, PadConstant, AxisNorm, MaxPool {

    FloatTensor apply(List<FloatTensor> inputs);
}
