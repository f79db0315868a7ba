package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.Requantizer;

/** Mean over one axis: acc = sum (x - Z_in), y = requant(acc) with M = S_in / (n S_out). */
public record IntMeanPool(int axis, boolean keepDims, IntType in, Requantizer requant, IntType out, int accBits)
        implements IntOp {

    public static IntMeanPool of(int axis, boolean keepDims, IntType in, int length, IntType out) {
        Requantizer r = Requantizer.of(in.scale() / (length * out.scale()), out);
        return new IntMeanPool(axis, keepDims, in, r, out, sumRange(in, length).signedBits());
    }

    /** Every value {@code acc} can take for {@code length} codes of {@code in}. */
    public static org.tfq.ir.integer.IntRange sumRange(IntType in, int length) {
        return IntAdd.centred(in).sumOf(length);
    }

    private MeanPool shape() {
        return new MeanPool(axis, keepDims);
    }

    @Override
    public String mnemonic() {
        return "int_mean_pool";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        return new TensorType(shape().resultType(ins).shape(), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = shape().attributes();
        a.put("acc_bits", Integer.toString(accBits));
        a.put("requant", "m=" + requant.multiplier() + ",shift=" + requant.shift());
        return a;
    }

    @Override
    public int datapathBits() {
        return requant.productBits(accBits);
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        IntTensor x = ins.get(0);
        Axis v = Axis.of(x.shape(), axis);
        long[] y = new long[v.lines()];
        for (int line = 0; line < v.lines(); line++) {
            long acc = 0;
            for (int i = 0; i < v.length(); i++) acc += x.data()[v.offset(line, i)] - in.zeroPoint();
            y[line] = requant.apply(IntChecks.fits(acc, accBits, mnemonic()));
        }
        return new IntTensor(shape().resultType(List.of(new TensorType(x.shape(), in))).shape(), y);
    }
}
