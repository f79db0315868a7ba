package org.tfq.cli;

import java.util.List;
import java.util.Map;

/**
 * Writes maps (objects, in their iteration order), lists, strings, numbers, booleans and null as
 * indented JSON. Numbers are locale-independent; NaN and infinities, which JSON cannot hold,
 * become null.
 */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, "");
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, String indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            string(b, s);
        } else if (v instanceof Boolean x) {
            b.append(x.booleanValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            b.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (v instanceof Number n) {
            b.append(n.longValue());
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            String inner = indent + "  ";
            b.append("{\n");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) b.append(",\n");
                first = false;
                b.append(inner);
                string(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), inner);
            }
            b.append('\n').append(indent).append('}');
        } else if (v instanceof List<?> l) {
            if (l.stream().allMatch(x -> x instanceof Number)) {
                // short numeric lists (shapes) stay on one line
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) b.append(", ");
                    write(b, l.get(i), indent);
                }
                b.append(']');
                return;
            }
            String inner = indent + "  ";
            b.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append(",\n");
                b.append(inner);
                write(b, l.get(i), inner);
            }
            b.append('\n').append(indent).append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
