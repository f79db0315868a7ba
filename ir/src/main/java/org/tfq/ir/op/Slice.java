package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Elements [start, end) of one axis, rank kept: last-step selection, splitting fused projections. */
public record Slice(int axis, int start, int end) implements LayoutOp {

    @Override
    public String mnemonic() {
        return "slice";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        a.put("start", Integer.toString(start));
        a.put("end", Integer.toString(end));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        Shape x = in.get(0).shape();
        int len = x.dim(x.axis(axis));
        if (start < 0 || end > len || start >= end) {
            throw Op.error("slice", "range [" + start + ", " + end + ") outside axis " + axis + " of " + x);
        }
        return in.get(0).withShape(x.withDim(axis, end - start));
    }

    @Override
    public Shape outShape(Shape x) {
        return x.withDim(axis, end - start);
    }

    @Override
    public int[] sourceOffsets(Shape x) {
        Axis v = Axis.of(x, axis);
        Axis o = Axis.of(outShape(x), axis);
        int[] src = new int[Math.toIntExact(outShape(x).size())];
        for (int line = 0; line < v.lines(); line++) {
            for (int i = start; i < end; i++) src[o.offset(line, i - start)] = v.offset(line, i);
        }
        return src;
    }
}
