package org.tfq.ir.pass;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Value;

/**
 * The graph's nodes in order, for a pass that walks them once and, at a node, replaces or drops
 * the node that computes one of its inputs (a fusion with its producer). Producers are looked up
 * among the nodes kept so far, so a fused node can be fused again by a later reader; reader
 * counts are the original graph's, which a fusion with a sole reader does not change.
 */
public final class NodeRewriter {
    private final Graph g;
    private final List<Node> kept = new ArrayList<>();
    private final Map<String, Integer> indexOfValue = new HashMap<>();

    public NodeRewriter(Graph g) {
        this.g = g;
    }

    /** The node kept so far that computes {@code v}, or null (a graph input, or dropped). */
    public Node producer(Value v) {
        Integer i = indexOfValue.get(v.name());
        return i == null ? null : kept.get(i);
    }

    /** Whether {@code v} is read by one node only and is not a graph output. */
    public boolean soleReader(Value v) {
        return g.uses().readerCount(v.name()) == 1 && !g.uses().isGraphOutput(v.name());
    }

    public void keep(Node n) {
        indexOfValue.put(n.output().name(), kept.size());
        kept.add(n);
    }

    /** Puts {@code replacement} where the producer of {@code old} was. */
    public void replace(Value old, Node replacement) {
        int i = indexOfValue.remove(old.name());
        kept.set(i, replacement);
        indexOfValue.put(replacement.output().name(), i);
    }

    public void drop(Value out) {
        Integer i = indexOfValue.remove(out.name());
        if (i != null) kept.set(i, null);
    }

    public Graph graph() {
        List<Node> nodes = new ArrayList<>(kept);
        nodes.removeIf(Objects::isNull);
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes);
    }
}
