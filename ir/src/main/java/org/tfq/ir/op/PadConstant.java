package org.tfq.ir.op;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/**
 * {@code before} and {@code after} elements of {@code value} around one axis (ONNX Pad, mode
 * constant; Conv's zero padding). Edge, reflect and circular padding only repeat input elements,
 * so they are concats of views of the input instead.
 */
public record PadConstant(int axis, int before, int after, float value) implements FloatOp {

    public PadConstant {
        if (before < 0 || after < 0) throw Op.error("pad", "negative padding " + before + ", " + after);
    }

    @Override
    public String mnemonic() {
        return "pad";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        a.put("before", Integer.toString(before));
        a.put("after", Integer.toString(after));
        a.put("value", Float.toString(value));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return in.get(0).withShape(padded(in.get(0).shape(), axis, before, after));
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        FloatTensor x = in.get(0);
        Shape out = padded(x.shape(), axis, before, after);
        float[] y = new float[Math.toIntExact(out.size())];
        Arrays.fill(y, value);
        int[] dst = interior(x.shape(), axis, before, after);
        for (int i = 0; i < dst.length; i++) y[dst[i]] = x.data()[i];
        return new FloatTensor(out, y);
    }

    static Shape padded(Shape x, int axis, int before, int after) {
        int a = x.axis(axis);
        return x.withDim(a, x.dim(a) + before + after);
    }

    /** Where each input element (row-major) lands in the padded output. */
    static int[] interior(Shape x, int axis, int before, int after) {
        Axis v = Axis.of(x, axis), o = Axis.of(padded(x, axis, before, after), axis);
        int[] dst = new int[Math.toIntExact(x.size())];
        for (int line = 0; line < v.lines(); line++) {
            for (int i = 0; i < v.length(); i++) dst[v.offset(line, i)] = o.offset(line, before + i);
        }
        return dst;
    }
}
