package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

public record Softmax(int axis) implements FloatOp {

    @Override
    public String mnemonic() {
        return "softmax";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        in.get(0).shape().axis(axis);
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        Axis v = Axis.of(x.shape(), axis);
        float[] y = new float[x.data().length];
        for (int line = 0; line < v.lines(); line++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < v.length(); i++) max = Math.max(max, x.data()[v.offset(line, i)]);
            double sum = 0;
            for (int i = 0; i < v.length(); i++) sum += Math.exp(x.data()[v.offset(line, i)] - max);
            for (int i = 0; i < v.length(); i++) {
                y[v.offset(line, i)] = (float) (Math.exp(x.data()[v.offset(line, i)] - max) / sum);
            }
        }
        return new FloatTensor(x.shape(), y);
    }
}
