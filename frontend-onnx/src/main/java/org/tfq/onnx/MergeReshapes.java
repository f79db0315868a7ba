package org.tfq.onnx;

import java.util.List;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.pass.GraphPass;
import org.tfq.ir.pass.NodeRewriter;

/** A Reshape of a Reshape that nothing else reads is one Reshape, to the second's shape. */
final class MergeReshapes implements GraphPass {

    @Override
    public String name() {
        return "merge-reshapes";
    }

    @Override
    public Graph apply(Graph g) {
        NodeRewriter r = new NodeRewriter(g);
        for (Node n : g.nodes()) {
            Node p = n.op() instanceof Reshape ? r.producer(n.input(0)) : null;
            if (p != null && p.op() instanceof Reshape && r.soleReader(n.input(0))) {
                r.drop(p.output());
                r.keep(new Node(n.name(), n.op(), List.of(p.input(0)), n.output()));
            } else {
                r.keep(n);
            }
        }
        return r.graph();
    }
}
