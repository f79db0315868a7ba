package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/**
 * The inputs one after another along {@code axis}. It only moves elements, so the float op and
 * the integer op are the same, on codes of one quantization (the lowering requantizes an input
 * that has another). In hardware each input is copied into its region of the output, unless the
 * inputs are regular views of one tensor (a stack of slices), which is a view itself.
 */
public record Concat(int axis, int arity) implements FloatOp, IntOp {

    public Concat {
        if (arity < 1) throw Op.error("concat", "needs an input");
    }

    @Override
    public String mnemonic() {
        return "concat";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        if (in.size() != arity) throw Op.error("concat", "built for " + arity + " inputs, has " + in.size());
        Shape first = in.get(0).shape();
        int a = first.axis(axis), len = 0;
        for (TensorType t : in) {
            Shape s = t.shape();
            if (s.rank() != first.rank() || !s.withDim(a, 1).equals(first.withDim(a, 1))) {
                throw Op.error("concat", "shapes " + first + " and " + s + " differ off axis " + a);
            }
            if (!t.element().equals(in.get(0).element())) {
                throw Op.error("concat", "inputs are " + in.get(0).element() + " and " + t.element() + ": one quantization needed");
            }
            len += s.dim(a);
        }
        return in.get(0).withShape(first.withDim(a, len));
    }

    /** The offset of each input's first element along the axis. */
    public int[] starts(List<Shape> in) {
        int[] s = new int[in.size()];
        int a = in.get(0).axis(axis);
        for (int i = 1; i < s.length; i++) s[i] = s[i - 1] + in.get(i - 1).dim(a);
        return s;
    }

    @Override
    public int arity() {
        return arity;
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        List<Shape> shapes = in.stream().map(FloatTensor::shape).toList();
        Shape out = resultType(shapes.stream().map(TensorType::f32).toList()).shape();
        float[] y = new float[Math.toIntExact(out.size())];
        int[] starts = starts(shapes);
        for (int i = 0; i < in.size(); i++) {
            int[] dst = destinations(shapes.get(i), out, starts[i]);
            for (int k = 0; k < dst.length; k++) y[dst[k]] = in.get(i).data()[k];
        }
        return new FloatTensor(out, y);
    }

    @Override
    public IntTensor applyInt(List<IntTensor> in) {
        List<Shape> shapes = in.stream().map(IntTensor::shape).toList();
        Shape out = resultType(shapes.stream().map(TensorType::f32).toList()).shape();
        long[] y = new long[Math.toIntExact(out.size())];
        int[] starts = starts(shapes);
        for (int i = 0; i < in.size(); i++) {
            int[] dst = destinations(shapes.get(i), out, starts[i]);
            for (int k = 0; k < dst.length; k++) y[dst[k]] = in.get(i).data()[k];
        }
        return new IntTensor(out, y);
    }

    /** Where each element of a piece (row-major) lands in the output. */
    private int[] destinations(Shape piece, Shape out, int start) {
        Axis p = Axis.of(piece, axis), o = Axis.of(out, axis);
        int[] dst = new int[Math.toIntExact(piece.size())];
        for (int line = 0; line < p.lines(); line++) {
            for (int i = 0; i < p.length(); i++) dst[p.offset(line, i)] = o.offset(line, start + i);
        }
        return dst;
    }

    @Override
    public int datapathBits() {
        return 0;
    }
}
