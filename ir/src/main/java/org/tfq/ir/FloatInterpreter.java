package org.tfq.ir;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.op.FloatOp;

/** Runs a float graph, one sample at a time; each op's semantics is its own {@code apply}. */
public final class FloatInterpreter {
    private FloatInterpreter() {}

    public static Map<String, FloatTensor> run(Graph g, Map<String, FloatTensor> inputs) {
        Map<String, FloatTensor> env = runAll(g, inputs);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Value v : g.outputs()) out.put(v.name(), env.get(v.name()));
        return out;
    }

    /** Every value of the graph, by name: what calibration observes. */
    public static Map<String, FloatTensor> runAll(Graph g, Map<String, FloatTensor> inputs) {
        Map<String, FloatTensor> env = new HashMap<>();
        for (Value v : g.inputs()) {
            FloatTensor t = inputs.get(v.name());
            if (t == null) throw new IrException("no value given for graph input %" + v.name());
            if (!t.shape().equals(v.type().shape())) {
                throw new IrException("graph input %" + v.name() + " needs shape " + v.type().shape() + ", got " + t.shape());
            }
            env.put(v.name(), t);
        }
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof FloatOp op)) {
                throw new IrException("node " + n.name() + ": " + n.op().mnemonic() + " is not a float op");
            }
            List<FloatTensor> args = n.inputs().stream().map(v -> env.get(v.name())).toList();
            env.put(n.output().name(), op.apply(args));
        }
        return env;
    }

    /** The single input, single output case every forecasting model is. */
    public static FloatTensor run(Graph g, FloatTensor input) {
        if (g.inputs().size() != 1 || g.outputs().size() != 1) {
            throw new IrException("graph has " + g.inputs().size() + " inputs and " + g.outputs().size()
                    + " outputs; expected one of each");
        }
        return run(g, Map.of(g.inputs().get(0).name(), input)).values().iterator().next();
    }
}
