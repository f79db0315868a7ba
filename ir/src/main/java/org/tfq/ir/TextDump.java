package org.tfq.ir;

import java.util.Map;
import java.util.stream.Collectors;
import org.tfq.ir.io.SafeText;

/**
 * The stable text form of a graph: one line a value, no hash-map order, no addresses, numbers
 * locale-independent, so that golden tests can diff it.
 */
public final class TextDump {
    private TextDump() {}

    public static String of(Graph g) {
        StringBuilder b = new StringBuilder();
        // names come from the model: one printable line each, so that no name can forge a line of the dump
        b.append("graph ").append(SafeText.printable(g.name())).append(" {\n");
        for (Value v : g.inputs()) b.append("  input %").append(SafeText.printable(v.name())).append(" : ").append(v.type()).append('\n');
        for (Node n : g.nodes()) {
            b.append("  %").append(SafeText.printable(n.output().name())).append(" = ").append(n.op().mnemonic()).append('(');
            b.append(n.inputs().stream().map(v -> "%" + SafeText.printable(v.name())).collect(Collectors.joining(", ")));
            b.append(')');
            Map<String, String> attrs = n.op().attributes();
            if (!attrs.isEmpty()) {
                b.append(" {");
                b.append(attrs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", ")));
                b.append('}');
            }
            b.append(" : ").append(n.output().type());
            if (!n.name().equals(n.output().name())) b.append("  # ").append(SafeText.printable(n.name()));
            b.append('\n');
        }
        for (Value v : g.outputs()) b.append("  output %").append(SafeText.printable(v.name())).append('\n');
        return b.append("}\n").toString();
    }
}
