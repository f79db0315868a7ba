package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Maximum (or, with {@code minimum}, minimum) over one axis: ReduceMax, ReduceMin, GlobalMaxPool, a MaxPool's window. */
public record MaxPool(int axis, boolean keepDims, boolean minimum) implements FloatOp {

    @Override
    public String mnemonic() {
        return minimum ? "min_pool" : "max_pool";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        a.put("keep_dims", Boolean.toString(keepDims));
        return a;
    }

    Shape out(Shape x) {
        return keepDims ? x.withDim(axis, 1) : x.without(axis);
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Shape x = in.get(0).shape();
        if (x.dim(x.axis(axis)) < 1) throw Op.error(mnemonic(), "axis " + axis + " of " + x + " is empty");
        return in.get(0).withShape(out(x));
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        Axis v = Axis.of(x.shape(), axis);
        float[] y = new float[v.lines()];
        for (int line = 0; line < v.lines(); line++) {
            float m = x.data()[v.offset(line, 0)];
            for (int i = 1; i < v.length(); i++) {
                float e = x.data()[v.offset(line, i)];
                m = minimum ? Math.min(m, e) : Math.max(m, e);
            }
            y[line] = m;
        }
        return new FloatTensor(out(x.shape()), y);
    }
}
