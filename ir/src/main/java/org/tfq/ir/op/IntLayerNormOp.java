package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntLayerNorm;

/**
 * LayerNorm over {@code axis} (the last by default) with the arithmetic of {@link IntLayerNorm},
 * line by line; over another axis it is the per-window normalization of {@link AxisNorm}.
 */
public record IntLayerNormOp(IntType in, IntLayerNorm norm, int axis, IntType out) implements IntOp {

    /** Over the last axis. */
    public IntLayerNormOp(IntType in, IntLayerNorm norm, IntType out) {
        this(in, norm, -1, out);
    }

    @Override
    public String mnemonic() {
        return "int_layernorm";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        if (ins.get(0).shape().dim(ins.get(0).shape().axis(axis)) != norm.length()) {
            throw Op.error(mnemonic(), "rows along axis " + axis + " are not " + norm.length() + " long");
        }
        return new TensorType(ins.get(0).shape(), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("features", Integer.toString(norm.length()));
        if (axis != -1) a.put("axis", Integer.toString(axis));
        a.put("radicand_bits", Integer.toString(norm.radicandBits()));
        a.put("sigma_bits", Integer.toString(norm.sigmaBits()));
        a.put("product_bits", Integer.toString(norm.productBits()));
        return a;
    }

    @Override
    public long parameters() {
        return 2L * norm.length();
    }

    @Override
    public int datapathBits() {
        return Math.max(norm.radicandBits(), norm.productBits());
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        IntTensor x = ins.get(0);
        int n = norm.length();
        int a = x.shape().axis(axis);
        int stride = x.shape().strides()[a];
        long[] y = new long[x.data().length];
        long[] row = new long[n];
        for (int r = 0; r < y.length / n; r++) {
            int base = AxisNorm.lineStart(x.shape(), a, r);
            for (int i = 0; i < n; i++) row[i] = x.data()[base + i * stride];
            long[] q = norm.apply(row);
            for (int i = 0; i < n; i++) y[base + i * stride] = q[i];
        }
        return new IntTensor(x.shape(), y);
    }
}
