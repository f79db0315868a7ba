package org.tfq.ir.op;

import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

/** Difference of two activations, broadcasting (a window minus its mean in RevIN-style normalization). */
public record Sub() implements FloatOp {

    @Override
    public String mnemonic() {
        return "sub";
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
        return Elementwise.apply(in.get(0), in.get(1), (a, b) -> a - b);
    }
}
