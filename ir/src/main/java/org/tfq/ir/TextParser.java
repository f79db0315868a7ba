package org.tfq.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.op.Op;

/**
 * Reads the text form {@link TextDump} writes back into the graph it was written from: equal
 * names, types, ops and node names, so that {@code TextDump.of(parse(text))} is {@code text}.
 * The ops come from the ops section; each node line must say what its op's entry says (its
 * mnemonic and attributes), so neither section can be edited out of step with the other. Every
 * op's constructor and verifier run again. Malformed text is an {@link IrException}
 * {@code "line N: ..."}.
 */
public final class TextParser {

    private final String[] lines;
    private int next;

    private TextParser(String text) {
        String[] all = text.split("\n", -1);
        // the text ends with a newline: the empty piece after it is not a line
        this.lines = all.length > 0 && all[all.length - 1].isEmpty() ? java.util.Arrays.copyOf(all, all.length - 1) : all;
    }

    public static Graph parse(String text) {
        return new TextParser(text).graph();
    }

    private record Line(int number, String text) {
        TextSyntax.Cursor cursor() {
            return new TextSyntax.Cursor(text, number);
        }
    }

    private record Entry(Op op, int line) {}

    private boolean more() {
        return next < lines.length;
    }

    private Line line(String expected) {
        if (!more()) throw new IrException("line " + (lines.length + 1) + ": the text ends, expected " + expected);
        Line l = new Line(next + 1, lines[next]);
        next++;
        return l;
    }

    private Graph graph() {
        TextSyntax.Cursor head = line("'graph NAME {'").cursor();
        head.expect("graph ", "'graph NAME {':");
        String name;
        if (head.peek() == '"') {
            name = head.quoted();
            head.expect(" {", "the graph's");
            head.expectEnd();
        } else {
            String rest = head.rest();
            if (!rest.endsWith(" {")) throw head.error("expected 'graph NAME {'");
            name = rest.substring(0, rest.length() - 2);
        }
        List<Line> body = new ArrayList<>();
        Line l = line("the graph's closing '}'");
        for (; !l.text().equals("}"); l = line("the graph's closing '}'")) body.add(l);
        int closing = l.number();
        Map<String, Entry> ops = ops();

        Map<String, Value> defined = new HashMap<>();
        List<Value> inputs = new ArrayList<>();
        List<Value> outputs = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        for (Line b : body) {
            TextSyntax.Cursor c = b.cursor();
            if (c.accept("  input %")) {
                String v = c.name();
                c.expect(" : ", "the input's type after");
                Value in = new Value(v, c.type());
                c.expectEnd();
                define(defined, in, c);
                inputs.add(in);
            } else if (c.accept("  output %")) {
                String v = c.name();
                c.expectEnd();
                Value out = defined.get(v);
                if (out == null) throw c.error("graph output %" + v + " is never defined");
                outputs.add(out);
            } else if (c.accept("  %")) {
                Node n = node(c, ops, defined);
                define(defined, n.output(), c);
                nodes.add(n);
            } else {
                throw c.error("expected '  input %NAME : TYPE', '  %NAME = op(...) ...' or '  output %NAME'");
            }
        }
        if (!ops.isEmpty()) {
            Map.Entry<String, Entry> e = ops.entrySet().iterator().next();
            throw new IrException("line " + e.getValue().line() + ": %" + e.getKey() + " in the ops section has no node in the graph");
        }
        try {
            return new Graph(name, inputs, outputs, nodes).verify();
        } catch (IrException e) {
            throw new IrException("line " + closing + ": " + e.getMessage());
        }
    }

    private static void define(Map<String, Value> defined, Value v, TextSyntax.Cursor at) {
        if (defined.putIfAbsent(v.name(), v) != null) throw at.error("value %" + v.name() + " is defined twice");
    }

    private static Node node(TextSyntax.Cursor c, Map<String, Entry> ops, Map<String, Value> defined) {
        String out = c.name();
        c.expect(" = ", "the op after");
        String mnemonic = c.word();
        List<Value> inputs = new ArrayList<>();
        c.expect("(", "the inputs after the op");
        if (!c.accept(")")) {
            do {
                c.expect("%", "an input value");
                String v = c.name();
                Value in = defined.get(v);
                if (in == null) throw c.error("input %" + v + " is not defined before use");
                inputs.add(in);
            } while (c.accept(", "));
            c.expect(")", "the end of the inputs");
        }
        Entry entry = ops.remove(out);
        if (entry == null) throw c.error("%" + out + " has no entry in the ops section");
        Op op = entry.op();
        if (!op.mnemonic().equals(mnemonic)) {
            throw c.error("the op is " + mnemonic + " but %" + out + "'s entry in the ops section (line " + entry.line() + ") is "
                    + op.mnemonic());
        }
        String attrs = TextDump.attributes(op);
        if (!c.accept(attrs)) throw c.error("the attributes differ from %" + out + "'s entry in the ops section (line " + entry.line()
                + "), which gives" + (attrs.isEmpty() ? " none" : attrs));
        c.expect(" : ", "the result type after");
        TensorType type = c.type();
        String name = c.accept("  # ") ? c.lineName() : out;
        c.expectEnd();
        if (op.arity() != inputs.size()) throw c.error(mnemonic + " takes " + op.arity() + " inputs, has " + inputs.size());
        TensorType expected;
        try {
            expected = op.resultType(inputs.stream().map(Value::type).toList());
        } catch (IrException | IllegalArgumentException e) {
            throw c.error(mnemonic + ": " + e.getMessage());
        }
        if (!expected.equals(type)) throw c.error("result declared " + type + ", " + mnemonic + " gives " + expected);
        return new Node(name, op, inputs, new Value(out, type));
    }

    /** The ops section: for each value's name, the op that computes it. */
    private Map<String, Entry> ops() {
        TextSyntax.Cursor head = line("the ops section, 'ops {'").cursor();
        head.expect("ops {", "the ops section,");
        head.expectEnd();
        Map<String, Entry> ops = new LinkedHashMap<>();
        for (Line l = line("the ops section's closing '}'"); !l.text().equals("}"); l = line("the ops section's closing '}'")) {
            TextSyntax.Cursor c = l.cursor();
            c.expect("  %", "an entry '  %NAME = Op {':");
            String v = c.name();
            c.expect(" = ", "the op after");
            Class<?> type = RecordCodec.subtype(Op.class, c.word(), c);
            List<RecordCodec.Part> parts = RecordCodec.layout(type).parts();
            Object[] args = new Object[parts.size()];
            if (parts.isEmpty()) {
                c.expect(" {}", "an op without components");
                c.expectEnd();
            } else {
                c.expect(" {", "the components of " + type.getSimpleName() + " after");
                c.expectEnd();
                for (int i = 0; i < parts.size(); i++) {
                    RecordCodec.Part p = parts.get(i);
                    TextSyntax.Cursor f = line("'" + p.name() + " = ...' of " + type.getSimpleName()).cursor();
                    f.expect("    " + p.name() + " = ", type.getSimpleName() + "'s component");
                    args[i] = RecordCodec.read(f, p.type());
                    f.expectEnd();
                }
                TextSyntax.Cursor end = line("the end of %" + v + "'s entry").cursor();
                end.expect("  }", "the end of %" + v + "'s entry,");
                end.expectEnd();
            }
            Op op = (Op) RecordCodec.construct(type, args, c);
            if (ops.putIfAbsent(v, new Entry(op, l.number())) != null) throw c.error("%" + v + " has two entries in the ops section");
        }
        if (more()) throw line("").cursor().error("text after the ops section");
        return ops;
    }
}
