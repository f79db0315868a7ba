package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntSoftmax;

/**
 * Softmax along {@code axis} with the arithmetic of {@link IntSoftmax}, row by row; the positions
 * {@code mask} marks are left out of the row ({@link IntSoftmax#apply(long[], int)}).
 */
public record IntSoftmaxOp(int axis, IntType in, IntSoftmax softmax, IntType out, CausalMask mask) implements IntOp {

    public IntSoftmaxOp(int axis, IntType in, IntSoftmax softmax, IntType out) {
        this(axis, in, softmax, out, CausalMask.NONE);
    }

    @Override
    public String mnemonic() {
        return "int_softmax";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        if (!mask.none() && ins.get(0).shape().axis(axis) == 0) throw Op.error(mnemonic(), "a causal mask needs an axis before the softmax axis");
        if (ins.get(0).shape().dim(ins.get(0).shape().axis(axis)) > softmax.rowLength()) {
            throw Op.error(mnemonic(), "rows of " + ins.get(0).shape() + " are longer than the table was built for");
        }
        return new TensorType(ins.get(0).shape(), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("axis", Integer.toString(axis));
        if (!mask.none()) a.put("causal_diagonal", Integer.toString(mask.diagonal()));
        a.put("exp_bits", Integer.toString(softmax.expBits()));
        a.put("frac_bits", Integer.toString(softmax.fracBits()));
        a.put("divider_bits", Integer.toString(softmax.dividendBits()) + "/" + softmax.divisorBits());
        return a;
    }

    @Override
    public long parameters() {
        return softmax.nonZeroEntries() + 1L; // the entries after the first zero are all zero: one stands for them
    }

    @Override
    public int datapathBits() {
        return softmax.dividendBits();
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        IntTensor x = ins.get(0);
        Axis v = Axis.of(x.shape(), axis);
        long[] y = new long[x.data().length];
        long[] row = new long[v.length()];
        for (int line = 0; line < v.lines(); line++) {
            for (int i = 0; i < row.length; i++) row[i] = x.data()[v.offset(line, i)];
            long[] r = softmax.apply(row, mask.valid(x.shape(), axis, line));
            for (int i = 0; i < row.length; i++) y[v.offset(line, i)] = r[i];
        }
        return new IntTensor(x.shape(), y);
    }
}
