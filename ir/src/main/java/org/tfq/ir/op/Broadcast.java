package org.tfq.ir.op;

import org.tfq.ir.IrException;
import org.tfq.ir.Shape;

/** Numpy-style broadcasting of two shapes, as ONNX defines it for elementwise ops. */
public final class Broadcast {
    private Broadcast() {}

    public static Shape shape(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dimFromRight(a, rank - 1 - i);
            int db = dimFromRight(b, rank - 1 - i);
            if (da != db && da != 1 && db != 1) {
                throw new IrException("shapes " + a + " and " + b + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    private static int dimFromRight(Shape s, int fromRight) {
        int i = s.rank() - 1 - fromRight;
        return i >= 0 ? s.dim(i) : 1;
    }

    /** For each element of {@code out}, the row-major offset of the element of {@code in} it reads. */
    public static int[] offsets(Shape in, Shape out) {
        int rank = out.rank();
        int[] inStrides = new int[rank];
        int[] s = in.strides();
        for (int i = 0; i < in.rank(); i++) {
            int o = rank - in.rank() + i;
            inStrides[o] = in.dim(i) == 1 ? 0 : s[i];
        }
        int n = Math.toIntExact(out.size());
        int[] offsets = new int[n];
        int[] idx = new int[rank];
        int[] dims = out.dims();
        int off = 0;
        for (int k = 0; k < n; k++) {
            offsets[k] = off;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                off += inStrides[d];
                if (idx[d] < dims[d]) break;
                off -= inStrides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return offsets;
    }
}
