package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Fmt;
import org.tfq.ir.TensorType;

/** x * c for a constant c (attention scaling, division by a constant), broadcasting. */
public record MulConstant(FloatTensor constant) implements FloatOp {

    @Override
    public String mnemonic() {
        return "mul_const";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("constant", constant.shape().size() == 1 ? Fmt.num(constant.data()[0]) : constant.toString());
        return a;
    }

    @Override
    public long parameters() {
        return constant.shape().size() == 1 ? 0 : constant.shape().size();
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0).withShape(Broadcast.shape(in.get(0).shape(), constant.shape()));
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        return Elementwise.apply(in.get(0), constant, (a, b) -> a * b);
    }
}
