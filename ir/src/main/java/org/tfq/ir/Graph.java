package org.tfq.ir;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.op.Op;

/**
 * A model as a list of nodes in execution order over SSA values. Immutable; passes build new
 * graphs. {@link #verify} is the single check every pass's output goes through; {@link #uses}
 * answers who computes and who reads each value, built once per graph.
 */
public final class Graph {
    private final String name;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private final List<Node> nodes;
    // derived from the fields above, which never change: built at the first question
    private volatile Uses uses;

    public Graph(String name, List<Value> inputs, List<Value> outputs, List<Node> nodes) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = List.copyOf(nodes);
    }

    public String name() {
        return name;
    }

    public List<Value> inputs() {
        return inputs;
    }

    public List<Value> outputs() {
        return outputs;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The producer and the readers of every value. */
    public Uses uses() {
        Uses u = uses;
        if (u == null) uses = u = new Uses(this);
        return u;
    }

    /** The graph section of the text form: readable in a message, without the ops' payloads. */
    @Override
    public String toString() {
        return TextDump.graph(this);
    }

    /** Checks single definition, definition before use, and every node's type against its op's verifier. */
    public Graph verify() {
        Map<String, Value> defined = new HashMap<>();
        for (Value v : inputs) define(defined, v, "graph input");
        for (Node n : nodes) {
            if (n.inputs().size() != n.op().arity()) {
                throw new IrException("node " + n.name() + " (" + n.op().mnemonic() + "): takes " + n.op().arity()
                        + " inputs, has " + n.inputs().size());
            }
            for (Value in : n.inputs()) {
                Value d = defined.get(in.name());
                if (d == null) throw new IrException("node " + n.name() + ": input %" + in.name() + " is not defined before use");
                if (!d.type().equals(in.type())) {
                    throw new IrException("node " + n.name() + ": input %" + in.name() + " has type " + in.type()
                            + " but was defined as " + d.type());
                }
            }
            TensorType expected;
            try {
                expected = n.op().resultType(n.inputs().stream().map(Value::type).toList());
            } catch (IrException e) {
                throw new IrException("node " + n.name() + ": " + e.getMessage());
            }
            if (!expected.equals(n.output().type())) {
                throw new IrException("node " + n.name() + " (" + n.op().mnemonic() + "): result declared "
                        + n.output().type() + ", op gives " + expected);
            }
            define(defined, n.output(), "node " + n.name());
        }
        for (Value out : outputs) {
            if (!defined.containsKey(out.name())) throw new IrException("graph output %" + out.name() + " is never defined");
        }
        return this;
    }

    private static void define(Map<String, Value> defined, Value v, String where) {
        if (defined.putIfAbsent(v.name(), v) != null) {
            throw new IrException(where + ": value %" + v.name() + " is defined twice");
        }
    }

    public long macs() {
        return nodes.stream().mapToLong(n -> n.op().macs(n.inputs().stream().map(Value::type).toList())).sum();
    }

    public long parameters() {
        return nodes.stream().mapToLong(n -> n.op().parameters()).sum();
    }

    /** How many nodes of each op, in order of first appearance. */
    public Map<String, Integer> opCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Node n : nodes) counts.merge(n.op().mnemonic(), 1, Integer::sum);
        return counts;
    }
}
