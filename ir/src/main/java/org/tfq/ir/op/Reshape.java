package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Same elements in the same order, another shape: free in hardware, a relabelling of addresses. */
public record Reshape(Shape target) implements FloatOp {

    @Override
    public String mnemonic() {
        return "reshape";
    }

    @Override
    public int arity() {
        return 1;
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("shape", target.toString());
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        if (in.get(0).shape().size() != target.size()) {
            throw Op.error("reshape", "cannot reshape " + in.get(0).shape() + " to " + target);
        }
        return in.get(0).withShape(target);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        return in.get(0).reshape(target);
    }
}
