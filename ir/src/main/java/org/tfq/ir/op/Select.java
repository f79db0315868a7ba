package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Element {@code index} of one axis, the axis removed (x[:, -1, :] is Select(1, n-1)). */
public record Select(int axis, int index) implements LayoutOp {

    @Override
    public String mnemonic() {
        return "select";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        a.put("index", Integer.toString(index));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Shape x = in.get(0).shape();
        if (index < 0 || index >= x.dim(x.axis(axis))) {
            throw Op.error("select", "index " + index + " outside axis " + axis + " of " + x);
        }
        return in.get(0).withShape(x.without(axis));
    }

    @Override
    public Shape outShape(Shape x) {
        return x.without(axis);
    }

    @Override
    public int[] sourceOffsets(Shape x) {
        Axis v = Axis.of(x, axis);
        int[] src = new int[v.lines()];
        for (int line = 0; line < v.lines(); line++) src[line] = v.offset(line, index);
        return src;
    }
}
