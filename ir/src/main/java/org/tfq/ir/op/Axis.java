package org.tfq.ir.op;

import org.tfq.ir.Shape;

/**
 * A tensor seen as [outer, length, inner] around one axis: element (o, i, j) sits at
 * (o * length + i) * inner + j. Softmax, normalisation and pooling all walk this view.
 */
public record Axis(int outer, int length, int inner) {

    public static Axis of(Shape s, int axis) {
        int a = s.axis(axis);
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= s.dim(i);
        for (int i = a + 1; i < s.rank(); i++) inner *= s.dim(i);
        return new Axis(outer, s.dim(a), inner);
    }

    public int lines() {
        return outer * inner;
    }

    /** Offset of element {@code i} of line {@code line}, lines numbered outer-major. */
    public int offset(int line, int i) {
        int o = line / inner;
        int j = line % inner;
        return (o * length + i) * inner + j;
    }
}
