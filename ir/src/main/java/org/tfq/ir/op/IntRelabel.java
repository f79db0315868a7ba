package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.Fmt;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;

/**
 * Same codes, another scale: multiplying a quantized value by a positive constant only changes
 * what its codes mean (the attention 1/sqrt(d)). Costs nothing in hardware and rounds nothing.
 */
public record IntRelabel(IntType in, IntType out) implements IntOp {

    public IntRelabel {
        if (in.bits() != out.bits() || in.signed() != out.signed() || in.zeroPoint() != out.zeroPoint()) {
            throw Op.error("int_relabel", "may change only the scale: " + in + " -> " + out);
        }
    }

    @Override
    public String mnemonic() {
        return "int_relabel";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        return new TensorType(ins.get(0).shape(), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("scale_factor", Fmt.num(out.scale() / in.scale()));
        return a;
    }

    @Override
    public int datapathBits() {
        return 0;
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        return ins.get(0);
    }
}
