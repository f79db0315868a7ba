package org.tfq.passes.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Value;

/** Who reads each value of a graph: what the folds check before they merge a node into its reader. */
final class Readers {
    private Readers() {}

    /** The nodes reading each value, by value name, in graph order; a graph output counts as one reader, {@code null}. */
    static Map<String, List<Node>> of(Graph g) {
        Map<String, List<Node>> readers = new HashMap<>();
        for (Node n : g.nodes()) for (Value v : n.inputs()) readers.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(n);
        for (Value v : g.outputs()) readers.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(null);
        return readers;
    }
}
