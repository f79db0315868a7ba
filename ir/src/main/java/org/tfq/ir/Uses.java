package org.tfq.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Who computes and who reads each value of one {@link Graph} ({@link Graph#uses}). */
public final class Uses {
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> readers = new HashMap<>();
    private final Set<String> outputs = new HashSet<>();

    Uses(Graph g) {
        for (Node n : g.nodes()) {
            producers.put(n.output().name(), n);
            for (Value v : n.inputs()) readers.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(n);
        }
        for (Value v : g.outputs()) outputs.add(v.name());
    }

    /** The node computing {@code value}; null for a graph input. */
    public Node producer(String value) {
        return producers.get(value);
    }

    /** The nodes reading {@code value}, in graph order, once per input that reads it. */
    public List<Node> readers(String value) {
        return readers.getOrDefault(value, List.of());
    }

    /** Readers of {@code value}, a graph output counting as one. */
    public int readerCount(String value) {
        return readers(value).size() + (outputs.contains(value) ? 1 : 0);
    }

    public boolean isGraphOutput(String value) {
        return outputs.contains(value);
    }

    /** The one node that reads {@code value} when nothing else does (not a graph output); else null. */
    public Node soleReader(String value) {
        return readerCount(value) == 1 && !outputs.contains(value) ? readers(value).get(0) : null;
    }
}
