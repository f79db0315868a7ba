package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/**
 * y = x W^T + b over the last axis; weight is [out, in], bias [out] or null. A
 * quantization-aware-trained weight carries its {@code weightQuant} (per tensor, or per output
 * channel on axis 0), and {@code weight} then holds its dequantized values exactly.
 */
public record Linear(FloatTensor weight, FloatTensor bias, QuantSpec weightQuant) implements FloatOp {

    public Linear(FloatTensor weight, FloatTensor bias) {
        this(weight, bias, null);
    }

    public Linear {
        if (weightQuant != null && !weightQuant.perTensor() && weightQuant.axis() != 0) {
            throw Op.error("linear", "weights are quantized per tensor or per output channel, not along axis " + weightQuant.axis());
        }
        if (weight.shape().rank() != 2) throw Op.error("linear", "weight must be 2-D, is " + weight.shape());
        if (bias != null && !bias.shape().equals(Shape.of(weight.shape().dim(0)))) {
            throw Op.error("linear", "bias " + bias.shape() + " does not match weight " + weight.shape());
        }
    }

    public int inFeatures() {
        return weight.shape().dim(1);
    }

    public int outFeatures() {
        return weight.shape().dim(0);
    }

    @Override
    public String mnemonic() {
        return "linear";
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Shape x = in.get(0).shape();
        if (x.rank() < 1 || x.last() != inFeatures()) {
            throw Op.error("linear", "input " + x + " does not end in " + inFeatures() + " features");
        }
        return in.get(0).withShape(x.withDim(-1, outFeatures()));
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("in", Integer.toString(inFeatures()));
        a.put("out", Integer.toString(outFeatures()));
        a.put("bias", Boolean.toString(bias != null));
        if (weightQuant != null) a.put("weight_quant", weightQuant.toString());
        return a;
    }

    @Override
    public long macs(List<TensorType> in) {
        return in.get(0).shape().size() / inFeatures() * inFeatures() * outFeatures();
    }

    @Override
    public long parameters() {
        return weight.shape().size() + (bias == null ? 0 : bias.shape().size());
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        int k = inFeatures();
        int n = outFeatures();
        int rows = Math.toIntExact(x.shape().size() / k);
        float[] xs = x.data();
        float[] w = weight.data();
        float[] y = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < n; o++) {
                // ONNX Runtime's arithmetic (MatMul, then Add of the bias): float32 fused
                // multiply-adds along k, the bias added after. A QDQ graph's quantizer after a
                // linear sees exact rounding ties (x.5 codes) that a more precise sum would move.
                float acc = 0;
                for (int i = 0; i < k; i++) acc = Math.fma(xs[r * k + i], w[o * k + i], acc);
                y[r * n + o] = bias == null ? acc : acc + bias.data()[o];
            }
        }
        return new FloatTensor(x.shape().withDim(-1, n), y);
    }
}
