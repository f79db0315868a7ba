package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.Lut;

/** An elementwise function (GELU) as a table over every input code, see {@link Lut}. */
public record IntTableOp(String function, IntType in, Lut table, IntType out) implements IntOp {

    @Override
    public String mnemonic() {
        return "int_table";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        return new TensorType(ins.get(0).shape(), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("function", function);
        a.put("entries", Integer.toString(table.table().length));
        return a;
    }

    @Override
    public long parameters() {
        return table.table().length;
    }

    @Override
    public int datapathBits() {
        return 0;
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        IntTensor x = ins.get(0);
        long[] y = new long[x.data().length];
        for (int i = 0; i < y.length; i++) y[i] = table.apply(x.data()[i]);
        return new IntTensor(x.shape(), y);
    }
}
