package org.tfq.ir.op;

import java.util.function.DoubleBinaryOperator;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;

/** Broadcasting float arithmetic shared by the binary ops. */
final class Elementwise {
    private Elementwise() {}

    static FloatTensor apply(FloatTensor a, FloatTensor b, DoubleBinaryOperator f) {
        Shape out = Broadcast.shape(a.shape(), b.shape());
        int[] ao = Broadcast.offsets(a.shape(), out);
        int[] bo = Broadcast.offsets(b.shape(), out);
        float[] y = new float[ao.length];
        for (int i = 0; i < y.length; i++) y[i] = (float) f.applyAsDouble(a.data()[ao[i]], b.data()[bo[i]]);
        return new FloatTensor(out, y);
    }
}
