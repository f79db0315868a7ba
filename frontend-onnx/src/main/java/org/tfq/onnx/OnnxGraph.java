package org.tfq.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * The node-level view of an ONNX graph the importer matches on: nodes in topological order,
 * who produces and who consumes each tensor name.
 */
final class OnnxGraph {
    final List<NodeProto> nodes;
    final Map<String, NodeProto> producer = new HashMap<>();
    final Map<String, List<NodeProto>> consumers = new HashMap<>();
    final Set<String> graphOutputs = new HashSet<>();
    private final Map<NodeProto, Integer> order = new HashMap<>();

    OnnxGraph(GraphProto g, String file, Set<String> available) {
        for (NodeProto n : g.getNodeList()) {
            for (String out : n.getOutputList()) {
                if (out.isEmpty()) continue;
                if (producer.put(out, n) != null || available.contains(out)) {
                    throw new OnnxImportException(file + ": tensor '" + out + "' is produced twice (node '" + n.getName()
                            + "'); the graph is not valid ONNX");
                }
            }
        }
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (in.isEmpty()) continue;
                List<NodeProto> users = consumers.computeIfAbsent(in, k -> new ArrayList<>());
                // x * x reads x twice but is one consumer; n is the last user added if it read the tensor
                // before (not users.contains: a constant read by N nodes made that N squared deep equals)
                if (users.isEmpty() || users.get(users.size() - 1) != n) users.add(n);
            }
        }
        g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        this.nodes = topological(g.getNodeList(), available, file);
        for (int i = 0; i < nodes.size(); i++) order.put(nodes.get(i), i);
    }

    /** Kahn's algorithm, stable in file order; a cycle or a dangling input is the user's error. */
    private List<NodeProto> topological(List<NodeProto> all, Set<String> available, String file) {
        Map<NodeProto, Integer> missing = new HashMap<>();
        Deque<NodeProto> ready = new ArrayDeque<>();
        for (NodeProto n : all) {
            int m = 0;
            for (String in : new java.util.LinkedHashSet<>(n.getInputList())) {
                if (in.isEmpty() || available.contains(in)) continue;
                if (!producer.containsKey(in)) {
                    throw new OnnxImportException(file + ": node '" + n.getName() + "' (" + n.getOpType() + ") reads '" + in
                            + "', which no node, input or initializer provides");
                }
                m++;
            }
            missing.put(n, m);
            if (m == 0) ready.add(n);
        }
        List<NodeProto> sorted = new ArrayList<>();
        Set<NodeProto> done = new HashSet<>();
        while (!ready.isEmpty()) {
            NodeProto n = ready.poll();
            if (!done.add(n)) continue;
            sorted.add(n);
            for (String out : n.getOutputList()) {
                for (NodeProto c : consumers.getOrDefault(out, List.of())) {
                    int left = missing.merge(c, -1, Integer::sum);
                    if (left == 0) ready.add(c);
                }
            }
        }
        if (sorted.size() != all.size()) {
            NodeProto stuck = all.stream().filter(n -> !done.contains(n)).findFirst().orElseThrow();
            throw new OnnxImportException(file + ": the graph has a cycle through node '" + stuck.getName() + "' ("
                    + stuck.getOpType() + "); ONNX graphs must be acyclic");
        }
        return sorted;
    }

    List<NodeProto> consumersOf(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    /** The only consumer of {@code tensor} when it has exactly one and is not a graph output. */
    NodeProto soleConsumer(String tensor) {
        List<NodeProto> c = consumersOf(tensor);
        return c.size() == 1 && !graphOutputs.contains(tensor) ? c.get(0) : null;
    }

    int position(NodeProto n) {
        return order.get(n);
    }
}
