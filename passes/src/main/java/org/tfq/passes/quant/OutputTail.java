package org.tfq.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Value;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Mul;
import org.tfq.ir.op.Sub;

/**
 * The output's tail: values that reach a model output only through sums, differences and
 * products of activations and layout ops (a de-normalization {@code y * stdev + mean}, and the
 * forecast, window statistics and products it reads). No later layer rounds them to its own
 * grid, so each one's rounding and saturation lands in the forecast whole: PatchTST's window
 * mean rounded to 8 bits alone cost 0.0045 of a 0.0064 error budget. They are stored at the
 * output's width, and the sums, differences and products among them also cover the range their
 * operands imply (a test window beyond the training range otherwise saturates the forecast,
 * 3% of PatchTST's test forecasts); at 16 bits a range three times wider still costs less than
 * 1e-4. The engine has one activation memory width, so a wide tail makes all of it as wide as
 * the output: opt-in ({@code --output-tail wide}), since a model near the part's block RAM (PatchTST
 * at d_model 32) then no longer fits.
 */
final class OutputTail {
    private OutputTail() {}

    /** The model outputs alone (the narrow tail). */
    static Set<String> outputs(Graph g) {
        Set<String> outputs = new HashSet<>();
        g.outputs().forEach(v -> outputs.add(v.name()));
        return outputs;
    }

    /** The values of the output's tail, outputs included. */
    static Set<String> of(Graph g) {
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : g.nodes()) {
            for (Value v : n.inputs()) consumers.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(n);
        }
        Set<String> tail = new HashSet<>();
        g.outputs().forEach(v -> tail.add(v.name()));
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            String v = nodes.get(i).output().name();
            List<Node> c = consumers.get(v);
            if (c != null && c.stream().allMatch(n -> passesOn(n) && tail.contains(n.output().name()))) tail.add(v);
        }
        return tail;
    }

    private static boolean passesOn(Node n) {
        return n.op() instanceof Add || n.op() instanceof Sub || n.op() instanceof Mul || n.op() instanceof LayoutOp;
    }

    /** {@code q} widened to the range a sum, difference or product of {@code n}'s operands implies. */
    static QuantSpec widen(QuantSpec q, Node n, Graph g, Map<String, QuantSpec> acts, int bits) {
        if (!(n.op() instanceof Add || n.op() instanceof Sub || n.op() instanceof Mul) || !q.perTensor()) return q;
        QuantSpec a = stored(n.input(0), g, acts), b = stored(n.input(1), g, acts);
        if (a == null || b == null || !a.perTensor() || !b.perTensor()) return q;
        double aLo = a.dequantize(a.qmin(), 0), aHi = a.dequantize(a.qmax(), 0);
        double bLo = b.dequantize(b.qmin(), 0), bHi = b.dequantize(b.qmax(), 0);
        double lo, hi;
        if (n.op() instanceof Add) {
            lo = aLo + bLo;
            hi = aHi + bHi;
        } else if (n.op() instanceof Sub) {
            lo = aLo - bHi;
            hi = aHi - bLo;
        } else {
            double[] p = {aLo * bLo, aLo * bHi, aHi * bLo, aHi * bHi};
            lo = Math.min(Math.min(p[0], p[1]), Math.min(p[2], p[3]));
            hi = Math.max(Math.max(p[0], p[1]), Math.max(p[2], p[3]));
        }
        return PlanPostTraining.fromRange(Math.min(lo, q.dequantize(q.qmin(), 0)), Math.max(hi, q.dequantize(q.qmax(), 0)), bits);
    }

    /** The spec of the codes a value is read from: a layout op's output has none of its own. */
    private static QuantSpec stored(Value v, Graph g, Map<String, QuantSpec> acts) {
        Map<String, Node> producers = new HashMap<>();
        for (Node n : g.nodes()) producers.put(n.output().name(), n);
        for (Value at = v; ; ) {
            QuantSpec q = acts.get(at.name());
            if (q != null) return q;
            Node p = producers.get(at.name());
            if (p == null || !(p.op() instanceof LayoutOp)) return null;
            at = p.input(0);
        }
    }
}
