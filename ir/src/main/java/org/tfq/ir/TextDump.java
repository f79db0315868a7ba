package org.tfq.ir;

import java.util.List;
import java.util.Map;
import org.tfq.ir.op.Op;

/**
 * The stable text form of a graph, which {@link TextParser} reads back into an equal graph: no
 * hash-map order, no addresses, numbers locale-independent, so that golden tests can diff it.
 *
 * <p>Two sections, as MLIR's assembly keeps large constants in a resources section after the
 * module: the graph, one line a value for a reader to skim (op attributes summarised, types with
 * their exact scales), then {@code ops}, each node's op in full, one line a component, written by
 * {@link RecordCodec} (weights, biases, requantizers, tables, exact to the last bit).
 */
public final class TextDump {
    private TextDump() {}

    /** Both sections: everything {@link TextParser#parse} needs. */
    public static String of(Graph g) {
        return graph(g) + ops(g);
    }

    /** The graph section alone: the readable summary. */
    public static String graph(Graph g) {
        StringBuilder b = new StringBuilder("graph ");
        TextSyntax.lineName(b, g.name());
        b.append(" {\n");
        for (Value v : g.inputs()) {
            b.append("  input %");
            TextSyntax.name(b, v.name());
            TextSyntax.type(b.append(" : "), v.type());
            b.append('\n');
        }
        for (Node n : g.nodes()) b.append(nodeLine(n)).append('\n');
        for (Value v : g.outputs()) {
            b.append("  output %");
            TextSyntax.name(b, v.name());
            b.append('\n');
        }
        return b.append("}\n").toString();
    }

    /** The ops section: one entry per node, keyed by the value it computes. */
    public static String ops(Graph g) {
        StringBuilder b = new StringBuilder("ops {\n");
        for (Node n : g.nodes()) {
            Op op = n.op();
            b.append("  %");
            TextSyntax.name(b, n.output().name());
            b.append(" = ").append(op.getClass().getSimpleName());
            List<RecordCodec.Part> parts = RecordCodec.layout(op.getClass()).parts();
            if (parts.isEmpty()) {
                b.append(" {}\n");
                continue;
            }
            b.append(" {\n");
            for (RecordCodec.Part p : parts) {
                b.append("    ").append(p.name()).append(" = ");
                RecordCodec.write(b, p.get(op), p.type());
                b.append('\n');
            }
            b.append("  }\n");
        }
        return b.append("}\n").toString();
    }

    static String nodeLine(Node n) {
        StringBuilder b = new StringBuilder("  %");
        TextSyntax.name(b, n.output().name());
        b.append(" = ").append(n.op().mnemonic()).append('(');
        for (int i = 0; i < n.inputs().size(); i++) {
            if (i > 0) b.append(", ");
            TextSyntax.name(b.append('%'), n.input(i).name());
        }
        b.append(')').append(attributes(n.op()));
        TextSyntax.type(b.append(" : "), n.output().type());
        if (!n.name().equals(n.output().name())) TextSyntax.lineName(b.append("  # "), n.name());
        return b.toString();
    }

    /** The op's summary as the node line shows it, {@code " {k=v, ...}"}, or nothing. */
    static String attributes(Op op) {
        Map<String, String> attrs = op.attributes();
        if (attrs.isEmpty()) return "";
        StringBuilder b = new StringBuilder(" {");
        attrs.forEach((k, v) -> b.append(b.length() > 2 ? ", " : "").append(k).append('=').append(v));
        return b.append('}').toString();
    }
}
