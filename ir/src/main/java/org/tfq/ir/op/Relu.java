package org.tfq.ir.op;

import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

public record Relu() implements FloatOp {

    @Override
    public String mnemonic() {
        return "relu";
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        float[] x = in.get(0).data();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0f);
        return new FloatTensor(in.get(0).shape(), y);
    }
}
