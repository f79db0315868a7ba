package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Fmt;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Normalisation over the last axis with biased variance, then gamma * x + beta per feature. */
public record LayerNorm(FloatTensor gamma, FloatTensor beta, double epsilon) implements FloatOp {

    public LayerNorm {
        if (gamma.shape().rank() != 1 || !gamma.shape().equals(beta.shape())) {
            throw Op.error("layernorm", "gamma " + gamma.shape() + " and beta " + beta.shape() + " must be equal 1-D");
        }
    }

    @Override
    public String mnemonic() {
        return "layernorm";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("features", Integer.toString(gamma.shape().dim(0)));
        a.put("epsilon", Fmt.num(epsilon));
        return a;
    }

    @Override
    public long parameters() {
        return 2 * gamma.shape().size();
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Shape x = in.get(0).shape();
        if (x.rank() < 1 || x.last() != gamma.shape().dim(0)) {
            throw Op.error("layernorm", "input " + x + " does not end in " + gamma.shape().dim(0) + " features");
        }
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        int n = gamma.shape().dim(0);
        int rows = x.data().length / n;
        float[] y = new float[x.data().length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x.data()[r * n + i];
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                double d = x.data()[r * n + i] - mean;
                var += d * d;
            }
            var /= n;
            double inv = 1.0 / Math.sqrt(var + epsilon);
            for (int i = 0; i < n; i++) {
                y[r * n + i] = (float) ((x.data()[r * n + i] - mean) * inv * gamma.data()[i] + beta.data()[i]);
            }
        }
        return new FloatTensor(x.shape(), y);
    }
}
