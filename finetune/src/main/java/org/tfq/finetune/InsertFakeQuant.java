package org.tfq.finetune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IrException;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Value;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Linear;
import org.tfq.passes.quant.QuantPlan;

/**
 * A float graph with a post-training plan made into the graph a quantization-aware-trained model
 * is: a FakeQuant after every value the plan quantizes, and every Linear's weights rounded to the
 * plan's grid with that grid stated ({@link Linear#weightQuant}). That is the form
 * {@code PlanFromTraining} reads back, so compiling the result uses exactly these scales.
 * A quantized node output keeps its name (readers, graph outputs and per-layer options still find
 * it) and the unquantized value before it is renamed {@code <name>_float}; a quantized graph input
 * is read through a new value {@code <name>_q}. The graph is the fused one ({@code Quantize.FUSIONS}:
 * a Linear with its constant addend and ReLU, a residual add with its BatchNorm), the graph the
 * plan was made for, so each quantization point is one requantization of the integer model.
 */
public final class InsertFakeQuant {
    private InsertFakeQuant() {}

    public static Graph run(Graph g, QuantPlan plan) {
        Set<String> taken = new HashSet<>();
        g.inputs().forEach(v -> taken.add(v.name()));
        g.nodes().forEach(n -> taken.add(n.output().name()));
        Map<String, Value> renamed = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Value in : g.inputs()) {
            QuantSpec q = plan.activation(in.name());
            if (q == null) continue;
            Value out = new Value(fresh(in.name() + "_q", taken), in.type());
            nodes.add(new Node(out.name(), new FakeQuant(q), List.of(in), out));
            renamed.put(in.name(), out);
        }
        for (Node n : g.nodes()) {
            List<Value> inputs = n.inputs().stream().map(v -> renamed.getOrDefault(v.name(), v)).toList();
            var op = n.op();
            if (op instanceof Linear lin) {
                QuantSpec w = plan.weights().get(n.name());
                if (w == null) throw new IrException("node " + n.name() + ": the plan has no grid for its weights");
                op = lin.withWeight(roundWeights(lin.weight(), w), w);
            }
            QuantSpec q = plan.activation(n.output().name());
            if (q == null) {
                nodes.add(new Node(n.name(), op, inputs, n.output()));
                continue;
            }
            Value before = new Value(fresh(n.output().name() + "_float", taken), n.output().type());
            nodes.add(new Node(n.name(), op, inputs, before));
            nodes.add(new Node(n.name() + "/quant", new FakeQuant(q), List.of(before), n.output()));
        }
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes).verify();
    }

    /** Weights [out, in] rounded to their grid, per tensor or per output channel. */
    static FloatTensor roundWeights(FloatTensor w, QuantSpec q) {
        int in = w.shape().dim(1);
        float[] r = new float[w.data().length];
        for (int i = 0; i < r.length; i++) r[i] = q.fakeQuantize(w.data()[i], i / in);
        return new FloatTensor(w.shape(), r);
    }

    private static String fresh(String name, Set<String> taken) {
        String n = name;
        for (int i = 2; !taken.add(n); i++) n = name + i;
        return n;
    }
}
