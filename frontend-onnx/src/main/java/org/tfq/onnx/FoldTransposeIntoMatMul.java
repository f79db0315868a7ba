package org.tfq.onnx;

import java.util.List;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.Transpose;
import org.tfq.ir.pass.GraphPass;
import org.tfq.ir.pass.NodeRewriter;

/**
 * A MatMul whose second operand is a Transpose of the last two axes, read by nothing else (Q K^T
 * as attention code writes it), reads the untransposed operand with {@code transposeB}: the
 * engine walks B's address stream in either order, so the transpose costs nothing.
 */
final class FoldTransposeIntoMatMul implements GraphPass {

    @Override
    public String name() {
        return "fold-transpose-into-matmul";
    }

    @Override
    public Graph apply(Graph g) {
        NodeRewriter r = new NodeRewriter(g);
        for (Node n : g.nodes()) {
            Node p = n.op() instanceof MatMul m && !m.transposeB() ? r.producer(n.input(1)) : null;
            if (p != null && p.op() instanceof Transpose t && swapsLastTwo(t.perm()) && r.soleReader(n.input(1))) {
                r.drop(p.output());
                r.keep(new Node(n.name(), new MatMul(true), List.of(n.input(0), p.input(0)), n.output()));
            } else {
                r.keep(n);
            }
        }
        return r.graph();
    }

    private static boolean swapsLastTwo(int[] perm) {
        int rank = perm.length;
        if (rank < 2 || perm[rank - 1] != rank - 2 || perm[rank - 2] != rank - 1) return false;
        for (int i = 0; i < rank - 2; i++) if (perm[i] != i) return false;
        return true;
    }
}
