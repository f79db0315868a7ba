package org.tfq.finetune;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Value;
import org.tfq.ir.op.FloatOp;

/**
 * Reverse-mode differentiation of a float graph for one sample: the forward is the float
 * interpreter's, then each node's {@link Backward} in reverse order, gradients of a value read by
 * several nodes summed.
 */
public final class Backprop {
    private Backprop() {}

    /** The forward values and the gradients: at each node's parameters (by node name) and at each value (by value name). */
    public record Result(Map<String, FloatTensor> values, Map<String, double[][]> params, Map<String, double[]> valueGrads) {
        public FloatTensor output(Graph g) {
            return values.get(g.outputs().get(0).name());
        }
    }

    /** Runs the single-output graph on {@code inputs}; {@code dLoss} gives the loss's gradient at the output from the output. */
    public static Result run(Graph g, Map<String, FloatTensor> inputs, java.util.function.Function<FloatTensor, double[]> dLoss) {
        Map<String, FloatTensor> env = FloatInterpreter.runAll(g, inputs);
        Map<String, double[]> grads = new HashMap<>();
        Value out = g.outputs().get(0);
        grads.put(out.name(), dLoss.apply(env.get(out.name())));
        Map<String, double[][]> params = new HashMap<>();
        List<Node> nodes = g.nodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            double[] dy = grads.get(n.output().name());
            if (dy == null) continue; // the output does not depend on this node
            List<FloatTensor> args = n.inputs().stream().map(v -> env.get(v.name())).toList();
            Grad gr = Backward.of((FloatOp) n.op(), args, env.get(n.output().name()), dy);
            if (gr.params().length > 0) params.put(n.name(), gr.params());
            for (int i = 0; i < n.inputs().size(); i++) {
                double[] d = gr.inputs()[i];
                if (d == null) continue;
                double[] acc = grads.get(n.input(i).name());
                if (acc == null) {
                    grads.put(n.input(i).name(), d);
                } else {
                    for (int j = 0; j < d.length; j++) acc[j] += d[j];
                }
            }
        }
        return new Result(env, params, grads);
    }
}
