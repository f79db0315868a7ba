package org.tfq.ir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.op.IntOp;

/**
 * The golden model: runs an integer graph with each op's exact integer semantics. The hardware
 * must reproduce its outputs bit for bit. No floating point is used.
 */
public final class IntInterpreter {
    private IntInterpreter() {}

    public static Map<String, IntTensor> runAll(Graph g, IntTensor input) {
        if (g.inputs().size() != 1) throw new IrException("integer graphs take one input, this one has " + g.inputs().size());
        Value in = g.inputs().get(0);
        if (!input.shape().equals(in.type().shape())) {
            throw new IrException("graph input %" + in.name() + " needs shape " + in.type().shape() + ", got " + input.shape());
        }
        IntType t = in.type().intType();
        for (long v : input.data()) {
            if (v < t.min() || v > t.max()) throw new IrException("input code " + v + " outside " + t);
        }
        Map<String, IntTensor> env = new HashMap<>();
        env.put(in.name(), input);
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof IntOp op)) throw new IrException("node " + n.name() + ": " + n.op().mnemonic() + " is not an integer op");
            List<IntTensor> args = n.inputs().stream().map(v -> env.get(v.name())).toList();
            env.put(n.output().name(), op.applyInt(args));
        }
        return env;
    }

    public static IntTensor run(Graph g, IntTensor input) {
        return runAll(g, input).get(g.outputs().get(0).name());
    }
}
