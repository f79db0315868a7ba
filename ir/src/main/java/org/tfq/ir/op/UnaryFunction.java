package org.tfq.ir.op;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

/**
 * An elementwise function of one activation that is neither GELU nor an affine map: the square
 * root and the reciprocal of a per-window normalization. Lowered to a table over the input codes.
 */
public record UnaryFunction(Kind kind) implements FloatOp {

    public enum Kind {
        SQRT("sqrt", Math::sqrt),
        RECIPROCAL("reciprocal", v -> 1 / v);

        private final String mnemonic;
        private final DoubleUnaryOperator f;

        Kind(String mnemonic, DoubleUnaryOperator f) {
            this.mnemonic = mnemonic;
            this.f = f;
        }
    }

    /** The function as ONNX computes it (NaN for the square root of a negative value). */
    public double of(double v) {
        return kind.f.applyAsDouble(v);
    }

    /**
     * The function over every value a table can be asked about: the square root of a code below
     * real zero (which a mean of squares never produces, but the table has an entry for) is 0.
     */
    public double total(double v) {
        return kind == Kind.SQRT ? Math.sqrt(Math.max(v, 0)) : of(v);
    }

    @Override
    public String mnemonic() {
        return kind.mnemonic;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        float[] y = new float[x.data().length];
        for (int i = 0; i < y.length; i++) y[i] = (float) of(x.data()[i]);
        return new FloatTensor(x.shape(), y);
    }
}
