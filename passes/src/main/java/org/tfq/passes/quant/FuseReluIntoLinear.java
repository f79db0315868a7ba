package org.tfq.passes.quant;

import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.Relu;
import org.tfq.ir.pass.GraphPass;
import org.tfq.ir.pass.NodeRewriter;

/**
 * A ReLU that is the only reader of a Linear's output becomes the Linear's {@code relu}: the
 * integer Linear clamps in its requantization, one rounding instead of two. The fused node keeps
 * the Linear's name and takes the ReLU's output. A quantization-aware-trained model that
 * quantizes the Linear's output has a quantizer as its reader: no fusion.
 */
public final class FuseReluIntoLinear implements GraphPass {

    @Override
    public String name() {
        return "fuse-relu-into-linear";
    }

    @Override
    public Graph apply(Graph g) {
        NodeRewriter r = new NodeRewriter(g);
        for (Node n : g.nodes()) {
            Node p = n.op() instanceof Relu ? r.producer(n.input(0)) : null;
            if (p != null && p.op() instanceof Linear lin && !lin.relu() && r.soleReader(n.input(0))) {
                r.replace(p.output(), new Node(p.name(), lin.withRelu(), p.inputs(), n.output()));
            } else {
                r.keep(n);
            }
        }
        return r.graph();
    }
}
