package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

/** GELU, exact (erf) or with the tanh approximation, as the model was trained. */
public record Gelu(boolean tanhApproximation) implements FloatOp {

    @Override
    public String mnemonic() {
        return "gelu";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("approximation", tanhApproximation ? "tanh" : "none");
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0);
    }

    public double of(double x) {
        if (tanhApproximation) {
            return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        }
        return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        float[] x = in.get(0).data();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) of(x[i]);
        return new FloatTensor(in.get(0).shape(), y);
    }
}
