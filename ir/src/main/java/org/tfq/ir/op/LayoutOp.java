package org.tfq.ir.op;

import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntTensor;
import org.tfq.ir.Shape;

/**
 * Ops that only move elements: output element i is input element sourceOffsets(in)[i]. The same
 * for float and integer graphs, and in hardware an address pattern, not arithmetic.
 */
public sealed interface LayoutOp extends FloatOp, IntOp permits Reshape, Transpose, Slice, Select, StridedView {

    /** For each output element, the row-major offset of the input element it copies. */
    int[] sourceOffsets(Shape input);

    Shape outShape(Shape input);

    @Override
    default FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        int[] src = sourceOffsets(x.shape());
        float[] y = new float[src.length];
        for (int i = 0; i < y.length; i++) y[i] = x.data()[src[i]];
        return new FloatTensor(outShape(x.shape()), y);
    }

    @Override
    default IntTensor applyInt(List<IntTensor> in) {
        IntTensor x = in.get(0);
        int[] src = sourceOffsets(x.shape());
        long[] y = new long[src.length];
        for (int i = 0; i < y.length; i++) y[i] = x.data()[src[i]];
        return new IntTensor(outShape(x.shape()), y);
    }

    @Override
    default int datapathBits() {
        return 0;
    }
}
