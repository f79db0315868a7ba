package org.tfq.passes.quant;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Value;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Linear;

/**
 * Quantization-aware-trained models: the plan is read from the model's quantization points and
 * quantized weights, nothing recomputed. A quantization point right after the op that computes
 * its input (its only reader) is where that op's output is requantized to.
 */
public final class PlanFromTraining {
    private PlanFromTraining() {}

    public static boolean isTrained(Graph g) {
        return g.nodes().stream().anyMatch(n -> n.op() instanceof FakeQuant);
    }

    public static QuantPlan run(Graph g) {
        Map<String, QuantSpec> acts = new HashMap<>();
        Map<String, QuantSpec> weights = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof FakeQuant fq) {
                acts.put(n.output().name(), fq.spec());
                // the op that computed the input requantizes straight to this point; layout ops
                // between them (BatchNorm1d's transposes) only move codes
                Value x = n.input(0);
                while (g.uses().readerCount(x.name()) == 1) {
                    Node p = g.uses().producer(x.name());
                    if (p != null && p.op() instanceof FakeQuant) break;
                    acts.putIfAbsent(x.name(), fq.spec());
                    if (p == null || !(p.op() instanceof LayoutOp)) break;
                    x = p.input(0);
                }
            }
            if (n.op() instanceof Linear lin && lin.weightQuant() != null) weights.put(n.name(), lin.weightQuant());
        }
        return new QuantPlan(acts, weights, true);
    }

    /** The widths the model was trained at, for messages and for checking --bits. */
    public static TreeSet<Integer> trainedBits(Graph g) {
        TreeSet<Integer> bits = new TreeSet<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof FakeQuant fq) bits.add(fq.spec().bits());
            if (n.op() instanceof Linear lin && lin.weightQuant() != null) bits.add(lin.weightQuant().bits());
        }
        return bits;
    }

}
