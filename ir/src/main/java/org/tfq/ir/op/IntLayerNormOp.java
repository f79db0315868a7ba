package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntLayerNorm;

/** LayerNorm over the last axis with the arithmetic of {@link IntLayerNorm}, row by row. */
public record IntLayerNormOp(IntType in, IntLayerNorm norm, IntType out) implements IntOp {

    @Override
    public String mnemonic() {
        return "int_layernorm";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        if (ins.get(0).shape().last() != norm.length()) throw Op.error(mnemonic(), "rows are not " + norm.length() + " long");
        return new TensorType(ins.get(0).shape(), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("features", Integer.toString(norm.length()));
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
        long[] y = new long[x.data().length];
        long[] row = new long[n];
        for (int r = 0; r < y.length / n; r++) {
            System.arraycopy(x.data(), r * n, row, 0, n);
            System.arraycopy(norm.apply(row), 0, y, r * n, n);
        }
        return new IntTensor(x.shape(), y);
    }
}
