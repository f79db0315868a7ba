package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;

/**
 * Maximum (or minimum) over one axis of codes: dequantization is monotone (a positive scale),
 * so the code of the maximum is the maximum of the codes, and the result keeps the input's
 * quantization. No rounding, nothing to requantize.
 */
public record IntMaxPool(int axis, boolean keepDims, boolean minimum, IntType type) implements IntOp {

    private MaxPool shape() {
        return new MaxPool(axis, keepDims, minimum);
    }

    @Override
    public String mnemonic() {
        return minimum ? "int_min_pool" : "int_max_pool";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), type);
        return new TensorType(shape().resultType(ins).shape(), type);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        return shape().attributes();
    }

    @Override
    public int datapathBits() {
        return type.bits() + (type.signed() ? 0 : 1);
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        IntTensor x = ins.get(0);
        Axis v = Axis.of(x.shape(), axis);
        long[] y = new long[v.lines()];
        for (int line = 0; line < v.lines(); line++) {
            long m = x.data()[v.offset(line, 0)];
            for (int i = 1; i < v.length(); i++) {
                long e = x.data()[v.offset(line, i)];
                m = minimum ? Math.min(m, e) : Math.max(m, e);
            }
            y[line] = m;
        }
        return new IntTensor(shape().resultType(List.of(new TensorType(x.shape(), type))).shape(), y);
    }
}
