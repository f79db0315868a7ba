package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TensorType;

/**
 * A residual add and the inference BatchNorm after it, in the add's layout ({@code after.axis()}
 * indexes the sum's axes): what {@code FoldBatchNormIntoAdd} makes of an add whose BatchNorm
 * follows it through layout ops only, so that the integer op rounds once.
 */
public record AddBatchNorm(BatchNorm after) implements FloatOp {

    @Override
    public String mnemonic() {
        return "add_batchnorm";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        return after.attributes();
    }

    @Override
    public long parameters() {
        return after.parameters();
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        return after.resultType(List.of(new Add().resultType(in)));
    }

    @Override
    public FloatTensor apply(List<FloatTensor> in) {
        return after.apply(List.of(new Add().apply(in)));
    }
}
