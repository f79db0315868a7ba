package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.TensorType;

/**
 * A quantization point of a quantization-aware-trained model (QDQ, QCDQ or QONNX Quant on an
 * activation): the value is rounded to the trained integer grid. Integer lowering takes its
 * scale, zero point and width as they are; the float semantics is ONNX Runtime's.
 */
public record FakeQuant(QuantSpec spec) implements FloatOp {

    public FakeQuant {
        if (!spec.perTensor()) throw Op.error("fake_quant", "activations are quantized per tensor; got " + spec);
    }

    @Override
    public String mnemonic() {
        return "fake_quant";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("to", spec.toString());
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        float[] x = in.get(0).data();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = spec.fakeQuantize(x[i], 0);
        return new FloatTensor(in.get(0).shape(), y);
    }
}
