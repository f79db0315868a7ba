package org.tfq.ir.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for tfq's own files and --json output, with no library: a writer of maps (in
 * their iteration order, so output is deterministic), records (their components, in order), lists, strings, numbers, booleans and null,
 * indented, locale-independent, NaN and infinities as null; and a reader for the small JSON files
 * tfq itself writes ({@code report.json}), giving maps in file order, lists, strings, doubles,
 * booleans and null.
 */
public final class Json {

    private Json() {}

    public static String write(Object value) {
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
                // numeric lists (shapes, per-channel constants) stay on one line
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
        } else if (v instanceof Record r) {
            write(b, fields(r), indent);
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    /** A record as an object: its components in declaration order, camelCase names in snake_case as tfq's JSON keys are. */
    private static Map<String, Object> fields(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                java.lang.reflect.Method get = c.getAccessor();
                get.setAccessible(true);
                m.put(c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT), get.invoke(r));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("record " + r.getClass().getName() + ": " + e, e);
            }
        }
        return m;
    }

    private static void string(StringBuilder b, String s) {
        quote(b, s, false);
    }

    /**
     * {@code s} as a JSON string: {@code \" \\ \n \r \t \b \f}, other control characters as
     * {@code \}{@code uxxxx}, and with {@code asciiOnly} every character outside printable ASCII too
     * (the text IR, which must stay one printable line whatever a model names its values).
     */
    public static void quote(StringBuilder b, String s, boolean asciiOnly) {
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
                    if (c < 0x20 || (asciiOnly && c >= 0x7f)) b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    /** Parses one JSON value; an {@link IllegalArgumentException} says where the text is not JSON. */
    public static Object read(String text) {
        Reader r = new Reader(text);
        r.space();
        Object v = r.value();
        r.space();
        if (r.pos != text.length()) throw r.error("text after the JSON value");
        return v;
    }

    private static final class Reader {
        private final String s;
        private int pos;

        Reader(String s) {
            this.s = s;
        }

        Object value() {
            if (pos >= s.length()) throw error("unexpected end");
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            space();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                space();
                if (peek() != '"') throw error("expected a key");
                String k = string();
                space();
                expect(':');
                space();
                m.put(k, value());
                space();
                char c = next();
                if (c == '}') return m;
                if (c != ',') {
                    pos--;
                    throw error("expected , or }");
                }
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            pos++;
            space();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                space();
                l.add(value());
                space();
                char c = next();
                if (c == ']') return l;
                if (c != ',') {
                    pos--;
                    throw error("expected , or ]");
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') return b.toString();
                if (c < 0x20) throw error("control character in a string");
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) throw error("short \\u escape");
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Double number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) pos++;
            String t = s.substring(start, pos);
            if (t.isEmpty() || !t.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                pos = start;
                throw error("expected a value");
            }
            return Double.parseDouble(t);
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw error("expected a value");
            pos += word.length();
            return v;
        }

        void space() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) pos++;
        }

        private char peek() {
            if (pos >= s.length()) throw error("unexpected end");
            return s.charAt(pos);
        }

        private char next() {
            char c = peek();
            pos++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                pos--;
                throw error("expected " + c);
            }
        }

        IllegalArgumentException error(String what) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new IllegalArgumentException(what + " at line " + line + ", column " + col);
        }
    }
}
