package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Same elements in the same order, another shape: free in hardware, a relabelling of addresses. */
public record Reshape(Shape target) implements LayoutOp {

    @Override
    public String mnemonic() {
        return "reshape";
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
    public Shape outShape(Shape input) {
        return target;
    }

    @Override
    public int[] sourceOffsets(Shape input) {
        int[] src = new int[Math.toIntExact(target.size())];
        for (int i = 0; i < src.length; i++) src[i] = i;
        return src;
    }
}
