package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

/** Softmax along {@code axis}; positions the {@code mask} marks count as {@code -inf} (output 0). */
public record Softmax(int axis, CausalMask mask) implements FloatOp {

    public Softmax(int axis) {
        this(axis, CausalMask.NONE);
    }

    @Override
    public String mnemonic() {
        return "softmax";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        if (!mask.none()) a.put("causal_diagonal", Integer.toString(mask.diagonal()));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        int ax = in.get(0).shape().axis(axis);
        if (!mask.none() && ax == 0) throw Op.error(mnemonic(), "a causal mask needs an axis before the softmax axis");
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        Axis v = Axis.of(x.shape(), axis);
        float[] y = new float[x.data().length];
        for (int line = 0; line < v.lines(); line++) {
            int n = mask.valid(x.shape(), axis, line);
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) max = Math.max(max, x.data()[v.offset(line, i)]);
            double sum = 0;
            for (int i = 0; i < n; i++) sum += Math.exp(x.data()[v.offset(line, i)] - max);
            for (int i = 0; i < n; i++) {
                y[v.offset(line, i)] = (float) (Math.exp(x.data()[v.offset(line, i)] - max) / sum);
            }
        }
        return new FloatTensor(x.shape(), y);
    }
}
