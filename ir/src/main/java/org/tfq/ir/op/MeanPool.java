package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Mean over one axis (global average pooling over time). */
public record MeanPool(int axis, boolean keepDims) implements FloatOp {

    @Override
    public String mnemonic() {
        return "mean_pool";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        a.put("keep_dims", Boolean.toString(keepDims));
        return a;
    }

    private Shape out(Shape x) {
        return keepDims ? x.withDim(axis, 1) : x.without(axis);
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0).withShape(out(in.get(0).shape()));
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        Axis v = Axis.of(x.shape(), axis);
        float[] y = new float[v.lines()];
        for (int line = 0; line < v.lines(); line++) {
            // ONNX Runtime's ReduceMean over a leading axis: a float32 sum row by row, then one
            // division; the mean of grid values often lands exactly on a quantizer's rounding tie
            float sum = 0;
            for (int i = 0; i < v.length(); i++) sum += x.data()[v.offset(line, i)];
            y[line] = sum / v.length();
        }
        return new FloatTensor(out(x.shape()), y);
    }
}
