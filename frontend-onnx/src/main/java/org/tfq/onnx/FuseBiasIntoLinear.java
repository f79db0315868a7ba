package org.tfq.onnx;

import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Shape;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.Linear;
import org.tfq.ir.pass.GraphPass;
import org.tfq.ir.pass.NodeRewriter;

/**
 * A constant per-output-feature vector added to a bias-free Linear that nothing else reads (a
 * MatMul then Add, as PyTorch exports nn.Linear on 3-D input) becomes the Linear's bias. The
 * fused node keeps the Linear's name and takes the Add's output, so readers are unchanged.
 */
final class FuseBiasIntoLinear implements GraphPass {

    @Override
    public String name() {
        return "fuse-bias-into-linear";
    }

    @Override
    public Graph apply(Graph g) {
        NodeRewriter r = new NodeRewriter(g);
        for (Node n : g.nodes()) {
            Node p = n.op() instanceof AddConstant ? r.producer(n.input(0)) : null;
            if (p != null && p.op() instanceof Linear lin && lin.bias() == null && r.soleReader(n.input(0))
                    && n.output().type().equals(n.input(0).type())) {
                FloatTensor bias = biasVector(((AddConstant) n.op()).constant(), lin.outFeatures());
                if (bias != null) {
                    r.replace(p.output(), new Node(p.name(), new Linear(lin.weight(), bias, lin.weightQuant()), p.inputs(), n.output()));
                    continue;
                }
            }
            r.keep(n);
        }
        return r.graph();
    }

    /** c as a per-output-feature bias if it only varies along the last axis; null otherwise. */
    static FloatTensor biasVector(FloatTensor c, int features) {
        Shape s = c.shape();
        for (int i = 0; i + 1 < s.rank(); i++) if (s.dim(i) != 1) return null;
        int last = s.rank() == 0 ? 1 : s.last();
        if (last != features && last != 1) return null;
        float[] v = new float[features];
        for (int i = 0; i < features; i++) v[i] = c.data()[last == 1 ? 0 : i];
        return new FloatTensor(Shape.of(features), v);
    }
}
