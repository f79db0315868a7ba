package org.tfq.ir.op;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Permutes axes: output axis i is input axis perm[i]. */
public record Transpose(int[] perm) implements LayoutOp {

    public Transpose {
        perm = perm.clone();
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            if (p < 0 || p >= perm.length || seen[p]) throw Op.error("transpose", "not a permutation: " + Arrays.toString(perm));
            seen[p] = true;
        }
    }

    @Override
    public int[] perm() {
        return perm.clone();
    }

    @Override
    public String mnemonic() {
        return "transpose";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("perm", Shape.of(perm).toString());
        return a;
    }

    @Override
    public Shape outShape(Shape x) {
        if (x.rank() != perm.length) throw Op.error("transpose", "perm " + Arrays.toString(perm) + " does not fit " + x);
        int[] d = new int[perm.length];
        for (int i = 0; i < perm.length; i++) d[i] = x.dim(perm[i]);
        return new Shape(d);
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0).withShape(outShape(in.get(0).shape()));
    }

    @Override
    public int[] sourceOffsets(Shape x) {
        Shape out = outShape(x);
        int[] inStrides = x.strides();
        int[] permStrides = new int[perm.length];
        for (int i = 0; i < perm.length; i++) permStrides[i] = inStrides[perm[i]];
        Shape strided = out;
        int n = Math.toIntExact(strided.size());
        int[] src = new int[n];
        int[] idx = new int[perm.length];
        int[] dims = out.dims();
        int off = 0;
        for (int k = 0; k < n; k++) {
            src[k] = off;
            for (int d = perm.length - 1; d >= 0; d--) {
                idx[d]++;
                off += permStrides[d];
                if (idx[d] < dims[d]) break;
                off -= permStrides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return src;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transpose t && Arrays.equals(perm, t.perm);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(perm);
    }
}
