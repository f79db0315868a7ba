package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/**
 * Product of two activations over their last two axes, leading axes broadcast: [.., M, K] x
 * [.., K, N], or [.., N, K] when {@code transposeB} (attention scores Q K^T).
 */
public record MatMul(boolean transposeB) implements FloatOp {

    @Override
    public String mnemonic() {
        return "matmul";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("transpose_b", Boolean.toString(transposeB));
        return a;
    }

    record Dims(Shape batch, int m, int k, int n) {}

    Dims dims(Shape a, Shape b) {
        if (a.rank() < 2 || b.rank() < 2) throw Op.error("matmul", "operands " + a + ", " + b + " must be at least 2-D");
        int m = a.dim(-2);
        int k = a.dim(-1);
        int kb = transposeB ? b.dim(-1) : b.dim(-2);
        int n = transposeB ? b.dim(-2) : b.dim(-1);
        if (k != kb) throw Op.error("matmul", "inner dimensions differ: " + a + " x " + b + (transposeB ? "^T" : ""));
        Shape batch = Broadcast.shape(lead(a), lead(b));
        return new Dims(batch, m, k, n);
    }

    static Shape lead(Shape s) {
        int[] d = new int[s.rank() - 2];
        System.arraycopy(s.dims(), 0, d, 0, d.length);
        return new Shape(d);
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Dims d = dims(in.get(0).shape(), in.get(1).shape());
        return in.get(0).withShape(outShape(d));
    }

    static Shape outShape(Dims d) {
        int[] o = new int[d.batch().rank() + 2];
        System.arraycopy(d.batch().dims(), 0, o, 0, d.batch().rank());
        o[o.length - 2] = d.m();
        o[o.length - 1] = d.n();
        return new Shape(o);
    }

    @Override
    public long macs(List<TensorType> in) {
        Dims d = dims(in.get(0).shape(), in.get(1).shape());
        return d.batch().size() * d.m() * d.k() * d.n();
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor a = in.get(0);
        FloatTensor b = in.get(1);
        Dims d = dims(a.shape(), b.shape());
        int m = d.m(), k = d.k(), n = d.n();
        int[] aOff = Broadcast.offsets(lead(a.shape()), d.batch());
        int[] bOff = Broadcast.offsets(lead(b.shape()), d.batch());
        int batches = aOff.length;
        float[] y = new float[batches * m * n];
        for (int t = 0; t < batches; t++) {
            int ab = aOff[t] * m * k;
            int bb = bOff[t] * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    // ONNX Runtime's float32 fused multiply-adds along k (see Linear.apply)
                    float acc = 0;
                    for (int p = 0; p < k; p++) {
                        float bv = transposeB ? b.data()[bb + j * k + p] : b.data()[bb + p * n + j];
                        acc = Math.fma(a.data()[ab + i * k + p], bv, acc);
                    }
                    y[(t * m + i) * n + j] = acc;
                }
            }
        }
        return new FloatTensor(outShape(d), y);
    }
}
