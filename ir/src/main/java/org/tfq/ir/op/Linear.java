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
public record Linear(FloatTensor weight, FloatTensor bias, QuantSpec weightQuant, FloatTensor addend, boolean relu) implements FloatOp {

    public Linear(FloatTensor weight, FloatTensor bias) {
        this(weight, bias, null);
    }

    public Linear(FloatTensor weight, FloatTensor bias, QuantSpec weightQuant) {
        this(weight, bias, weightQuant, null, false);
    }

    /** This Linear with a constant added to its output after the bias (broadcast to the output). */
    public Linear withAddend(FloatTensor c) {
        return new Linear(weight, bias, weightQuant, c, relu);
    }

    /** This Linear followed by a ReLU. */
    public Linear withRelu() {
        return new Linear(weight, bias, weightQuant, addend, true);
    }

    /** This Linear with other weights on another grid (GPTQ), its fusions kept. */
    public Linear withWeight(FloatTensor w, QuantSpec q) {
        return new Linear(w, bias, q, addend, relu);
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
        Shape y = x.withDim(-1, outFeatures());
        if (addend != null && !Broadcast.shape(y, addend.shape()).equals(y)) {
            throw Op.error("linear", "addend " + addend.shape() + " does not broadcast to the output " + y);
        }
        return in.get(0).withShape(y);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("in", Integer.toString(inFeatures()));
        a.put("out", Integer.toString(outFeatures()));
        a.put("bias", Boolean.toString(bias != null));
        if (weightQuant != null) a.put("weight_quant", weightQuant.toString());
        if (addend != null) a.put("addend", addend.shape().toString());
        if (relu) a.put("relu", "true");
        return a;
    }

    @Override
    public long macs(List<TensorType> in) {
        return in.get(0).shape().size() / inFeatures() * inFeatures() * outFeatures();
    }

    @Override
    public long parameters() {
        return weight.shape().size() + (bias == null ? 0 : bias.shape().size()) + (addend == null ? 0 : addend.shape().size());
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
        FloatTensor out = new FloatTensor(x.shape().withDim(-1, n), y);
        if (addend != null) out = new AddConstant(addend).apply(List.of(out));
        return relu ? new Relu().apply(List.of(out)) : out;
    }
}
