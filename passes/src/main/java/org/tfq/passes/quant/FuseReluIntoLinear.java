package org.tfq.passes.quant;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.Relu;
import org.tfq.ir.pass.GraphPass;

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
        List<Node> out = new ArrayList<>();
        Set<Node> fused = new HashSet<>();
        for (Node n : g.nodes()) {
            if (fused.contains(n)) continue;
            Node r = n.op() instanceof Linear lin && !lin.relu() ? g.uses().soleReader(n.output().name()) : null;
            if (r != null && r.op() instanceof Relu) {
                out.add(new Node(n.name(), ((Linear) n.op()).withRelu(), n.inputs(), r.output()));
                fused.add(r);
            } else {
                out.add(n);
            }
        }
        return new Graph(g.name(), g.inputs(), g.outputs(), out);
    }
}
