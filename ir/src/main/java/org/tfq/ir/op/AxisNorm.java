package org.tfq.ir.op;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Fmt;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/**
 * (x - mean) / sqrt(var + epsilon) along one axis, biased variance: the per-window
 * normalization of RevIN and of the Non-stationary Transformer (over time, per channel). It is
 * LayerNorm over {@code axis} with gamma 1 and beta 0, and computes through {@link LayerNorm}.
 */
public record AxisNorm(int axis, double epsilon) implements FloatOp {

    public AxisNorm {
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) throw Op.error("axis_norm", "epsilon " + epsilon + " must be finite and >= 0");
    }

    @Override
    public String mnemonic() {
        return "axis_norm";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        a.put("epsilon", Fmt.num(epsilon));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        in.get(0).shape().axis(axis);
        return in.get(0);
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        Shape s = x.shape();
        int a = s.axis(axis), n = s.dim(a);
        int stride = s.strides()[a];
        int rows = x.data().length / n;
        float[] lines = new float[x.data().length];
        for (int r = 0; r < rows; r++) {
            int base = lineStart(s, a, r);
            for (int i = 0; i < n; i++) lines[r * n + i] = x.data()[base + i * stride];
        }
        float[] one = new float[n];
        Arrays.fill(one, 1f);
        float[] normed = new LayerNorm(new FloatTensor(Shape.of(n), one), FloatTensor.zeros(Shape.of(n)), epsilon)
                .apply(List.of(new FloatTensor(Shape.of(rows, n), lines))).data();
        float[] y = new float[lines.length];
        for (int r = 0; r < rows; r++) {
            int base = lineStart(s, a, r);
            for (int i = 0; i < n; i++) y[base + i * stride] = normed[r * n + i];
        }
        return new FloatTensor(s, y);
    }

    /** Row-major index of element 0 of line {@code line} along {@code axis} (lines in row-major order of the other axes). */
    public static int lineStart(Shape s, int axis, int line) {
        int inner = s.strides()[axis];
        return line / inner * inner * s.dim(axis) + line % inner;
    }
}
