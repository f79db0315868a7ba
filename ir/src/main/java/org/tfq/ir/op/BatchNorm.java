package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/**
 * Inference BatchNorm already folded to y = x * scale[c] + shift[c], c indexing {@code axis}
 * (scale = gamma / sqrt(var + eps), shift = beta - mean * scale).
 */
public record BatchNorm(FloatTensor scale, FloatTensor shift, int axis) implements FloatOp {

    public BatchNorm {
        if (scale.shape().rank() != 1 || !scale.shape().equals(shift.shape())) {
            throw Op.error("batchnorm", "scale " + scale.shape() + " and shift " + shift.shape() + " must be equal 1-D");
        }
    }

    public static BatchNorm fold(FloatTensor gamma, FloatTensor beta, FloatTensor mean, FloatTensor var,
            double epsilon, int axis) {
        int c = gamma.data().length;
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            double s = gamma.data()[i] / Math.sqrt(var.data()[i] + epsilon);
            scale[i] = (float) s;
            shift[i] = (float) (beta.data()[i] - mean.data()[i] * s);
        }
        return new BatchNorm(new FloatTensor(Shape.of(c), scale), new FloatTensor(Shape.of(c), shift), axis);
    }

    @Override
    public String mnemonic() {
        return "batchnorm";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("channels", Integer.toString(scale.shape().dim(0)));
        a.put("axis", Integer.toString(axis));
        return a;
    }

    @Override
    public long parameters() {
        return 2 * scale.shape().size();
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Shape x = in.get(0).shape();
        if (x.dim(x.axis(axis)) != scale.shape().dim(0)) {
            throw Op.error("batchnorm", "input " + x + " has no " + scale.shape().dim(0) + " channels on axis " + axis);
        }
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        Axis v = Axis.of(x.shape(), axis);
        float[] y = new float[x.data().length];
        for (int line = 0; line < v.lines(); line++) {
            for (int c = 0; c < v.length(); c++) {
                int off = v.offset(line, c);
                y[off] = (float) ((double) x.data()[off] * scale.data()[c] + shift.data()[c]);
            }
        }
        return new FloatTensor(x.shape(), y);
    }
}
