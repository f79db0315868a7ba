package org.tfq.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Relu;

/**
 * A trained quantizer's scale carried backwards through the ops that only relabel or move
 * codes: reshapes, transposes, slices, ReLU and a positive scalar scaling (whose input grid is
 * the output's divided by the constant). QAT code puts quantizers where its library puts them,
 * e.g. after the division of Q K^T by sqrt(d) rather than between the MatMul and the division;
 * the MatMul then requantizes straight to the grid the quantizer implies. The forward
 * direction needs no pass: {@link LowerToInteger} gives such ops' outputs their input's grid.
 */
public final class InferScales {
    private InferScales() {}

    /**
     * @param plan the plan with every inferred scale added
     * @param inferred for each value whose computing op needed a scale and got an inferred one,
     *     the quantized value it was carried from
     */
    public record Result(QuantPlan plan, Map<String, String> inferred) {}

    public static Result run(Graph g, QuantPlan trained) {
        Map<String, QuantSpec> acts = new HashMap<>(trained.activations());
        Map<String, String> source = new HashMap<>();
        Map<String, String> inferred = new LinkedHashMap<>();
        // graph order reversed: a reader is visited before the op that computes its input
        List<Node> nodes = new ArrayList<>(g.nodes());
        java.util.Collections.reverse(nodes);
        for (Node p : nodes) {
            String v = p.output().name();
            if (acts.containsKey(v)) continue;
            QuantSpec found = null;
            String from = null;
            boolean agree = true;
            for (Node r : g.uses().readers(v)) {
                QuantSpec out = acts.get(r.output().name());
                if (out == null || !movesCodes(r)) continue;
                QuantSpec in = r.op() instanceof MulConstant mc ? divided(out, mc.constant().data()[0]) : out;
                if (found != null && !found.equals(in)) agree = false;
                found = in;
                from = source.getOrDefault(r.output().name(), r.output().name());
            }
            if (found == null || !agree) continue;
            acts.put(v, found);
            source.put(v, from);
            if (!movesCodes(p)) inferred.put(v, from);
        }
        return new Result(new QuantPlan(acts, trained.weights(), trained.trained()), inferred);
    }

    /** Ops whose output codes are their input codes, moved or relabelled (ReLU clamps at the zero point). */
    static boolean movesCodes(Node n) {
        return n.op() instanceof LayoutOp || n.op() instanceof Relu
                || n.op() instanceof MulConstant mc && mc.constant().data().length == 1 && mc.constant().data()[0] > 0;
    }

    /**
     * The grid whose relabelling by c ({@link LowerToInteger}: scale * c) is exactly {@code out}'s,
     * so the quantizer after the scaling finds its grid already there and costs nothing.
     */
    private static QuantSpec divided(QuantSpec out, float c) {
        double target = out.scale(0), s = target / c;
        for (int i = 0; i < 4 && s * c != target; i++) s = s * c < target ? Math.nextUp(s) : Math.nextDown(s);
        return new QuantSpec(new double[] {s}, out.zeroPoint(), -1, out.bits(), out.signed(), out.qmin(), out.qmax());
    }
}
