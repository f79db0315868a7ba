package org.tfq.ir.op;

import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

/**
 * Product of two activations, broadcasting: squares for a variance, a division written as a
 * product with a reciprocal, a forecast scaled back by its window's standard deviation.
 */
public record Mul() implements FloatOp {

    @Override
    public String mnemonic() {
        return "mul";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0).withShape(Broadcast.shape(in.get(0).shape(), in.get(1).shape()));
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        return Elementwise.apply(in.get(0), in.get(1), (a, b) -> a * b);
    }
}
