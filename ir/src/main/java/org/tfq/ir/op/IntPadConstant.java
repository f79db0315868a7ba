package org.tfq.ir.op;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** {@link PadConstant} on codes: the input's codes, and the code {@code fill} around them (same quantization). */
public record IntPadConstant(int axis, int before, int after, long fill, IntType type) implements IntOp {

    public IntPadConstant {
        if (before < 0 || after < 0) throw Op.error("int_pad", "negative padding " + before + ", " + after);
        if (fill < type.min() || fill > type.max()) throw Op.error("int_pad", "fill code " + fill + " outside " + type);
    }

    /** The float op with the same padding: its shape rule and attributes, whose float value the fill code replaces. */
    private PadConstant shape() {
        return new PadConstant(axis, before, after, 0);
    }

    @Override
    public String mnemonic() {
        return "int_pad";
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = shape().attributes();
        a.remove("value");
        a.put("fill", Long.toString(fill));
        return a;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        IntChecks.expect(mnemonic(), in.get(0), type);
        return shape().resultType(in);
    }

    @Override
    public IntTensor applyInt(List<IntTensor> in) {
        IntTensor x = in.get(0);
        Shape out = PadConstant.padded(x.shape(), axis, before, after);
        long[] y = new long[Math.toIntExact(out.size())];
        Arrays.fill(y, fill);
        int[] dst = PadConstant.interior(x.shape(), axis, before, after);
        for (int i = 0; i < dst.length; i++) y[dst[i]] = x.data()[i];
        return new IntTensor(out, y);
    }

    @Override
    public int datapathBits() {
        return 0;
    }
}
