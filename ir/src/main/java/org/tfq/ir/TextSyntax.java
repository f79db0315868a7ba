package org.tfq.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens the text IR shares between {@link TextDump} and {@link TextParser}: names, quoted
 * strings, numbers, shapes and types, each written by one method and read by its mirror through
 * a {@link Cursor} over one line.
 *
 * <p>A name is written bare when it reads back unambiguously (printable ASCII without the
 * delimiters below), else quoted with escapes, as MLIR quotes a value name it cannot print bare:
 * either way it stays on its line, so no name can forge a line of the dump.
 */
final class TextSyntax {
    private TextSyntax() {}

    /** Characters that end a bare value name: what follows a name in a node line. */
    private static final String DELIMITERS = " ,(){}\"";

    /** {@code %name}'s name: bare or quoted. */
    static void name(StringBuilder b, String name) {
        boolean bare = !name.isEmpty();
        for (int i = 0; i < name.length() && bare; i++) {
            char c = name.charAt(i);
            bare = c > 0x20 && c < 0x7f && DELIMITERS.indexOf(c) < 0;
        }
        if (bare) b.append(name);
        else quoted(b, name);
    }

    /** A name that runs to the end of its line (the graph's, a node's after {@code #}): bare unless it cannot be. */
    static void lineName(StringBuilder b, String name) {
        boolean bare = !name.startsWith("\"");
        for (int i = 0; i < name.length() && bare; i++) bare = name.charAt(i) >= 0x20 && name.charAt(i) < 0x7f;
        if (bare) b.append(name);
        else quoted(b, name);
    }

    /** A string in double quotes, as JSON writes one, with every character outside printable ASCII as {@code \}{@code uXXXX}. */
    static void quoted(StringBuilder b, String s) {
        org.tfq.ir.io.Json.quote(b, s, true);
    }

    /** {@code i8(s=0.0228207122,z=-5)[1,12,3]}: the element type with its exact scale, then the shape. */
    static void type(StringBuilder b, TensorType t) {
        element(b, t.element());
        shape(b, t.shape());
    }

    static void element(StringBuilder b, ElementType e) {
        if (!(e instanceof IntType t)) {
            b.append(e);
            return;
        }
        b.append(t.signed() ? 'i' : 'u').append(t.bits());
        if (t.scale() != 0 || t.zeroPoint() != 0) b.append("(s=").append(Fmt.exact(t.scale())).append(",z=").append(t.zeroPoint()).append(')');
    }

    static void shape(StringBuilder b, Shape s) {
        b.append(s);
    }

    /** One line being read; its errors name the line. */
    static final class Cursor {
        private final String text;
        private final int line;
        private int pos;

        Cursor(String text, int line) {
            this.text = text;
            this.line = line;
        }

        IrException error(String message) {
            String where = pos < text.length() ? " (column " + (pos + 1) + ")" : "";
            return new IrException("line " + line + ": " + message + where);
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return atEnd() ? '\0' : text.charAt(pos);
        }

        boolean accept(String token) {
            if (!text.startsWith(token, pos)) return false;
            pos += token.length();
            return true;
        }

        void expect(String token, String what) {
            if (!accept(token)) throw error("expected " + what + " '" + token + "'");
        }

        void expectEnd() {
            if (!atEnd()) throw error("unexpected text '" + rest() + "'");
        }

        String rest() {
            String r = text.substring(pos);
            pos = text.length();
            return r;
        }

        /** The longest run of characters from {@code allowed}. */
        String run(String allowed) {
            int start = pos;
            while (!atEnd() && allowed.indexOf(text.charAt(pos)) >= 0) pos++;
            return text.substring(start, pos);
        }

        String name() {
            if (peek() == '"') return quoted();
            int start = pos;
            while (!atEnd() && DELIMITERS.indexOf(text.charAt(pos)) < 0) pos++;
            if (start == pos) throw error("expected a name");
            return text.substring(start, pos);
        }

        String lineName() {
            return peek() == '"' ? quoted() : rest();
        }

        String quoted() {
            expect("\"", "a string");
            StringBuilder b = new StringBuilder();
            while (true) {
                if (atEnd()) throw error("string not closed");
                char c = text.charAt(pos++);
                if (c == '"') return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (atEnd()) throw error("string not closed");
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        String hex = pos + 4 <= text.length() ? text.substring(pos, pos + 4) : "";
                        if (!hex.matches("[0-9a-f]{4}")) throw error("expected four lower-case hex digits after \\u");
                        b.append((char) Integer.parseInt(hex, 16));
                        pos += 4;
                    }
                    default -> throw error("unknown escape \\" + e);
                }
            }
        }

        long integer() {
            String s = run("-0123456789");
            if (!s.matches("-?[0-9]+")) throw error("expected an integer");
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error("integer " + s + " out of range");
            }
        }

        int int32() {
            long v = integer();
            if (v != (int) v) throw error("integer " + v + " out of range");
            return (int) v;
        }

        private String number() {
            String s = run("-.0123456789eainf");
            if (s.isEmpty()) throw error("expected a number");
            return s;
        }

        double decimal() {
            String s = number();
            Double d = Fmt.parseExact(s);
            if (d == null) throw error("'" + s + "' is not a number (digits, a point, an optional exponent; nan, inf, -inf)");
            return d;
        }

        float decimal32() {
            String s = number();
            Float f = Fmt.parseExactFloat(s);
            if (f == null) throw error("'" + s + "' is not a number (digits, a point, an optional exponent; nan, inf, -inf)");
            return f;
        }

        String word() {
            String s = run("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
            if (s.isEmpty()) throw error("expected a word");
            return s;
        }

        Shape shape() {
            expect("[", "a shape");
            List<Integer> dims = new ArrayList<>();
            if (!accept("]")) {
                do dims.add(int32());
                while (accept(","));
                expect("]", "the end of the shape");
            }
            try {
                return new Shape(dims.stream().mapToInt(Integer::intValue).toArray());
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        ElementType element() {
            if (accept("f32")) return ElementType.FLOAT;
            boolean signed;
            if (accept("i")) signed = true;
            else if (accept("u")) signed = false;
            else throw error("expected an element type (f32, iN, uN)");
            int bits = int32();
            double scale = 0;
            long zero = 0;
            if (accept("(s=")) {
                scale = decimal();
                expect(",z=", "the zero point");
                zero = integer();
                expect(")", "the end of the element type");
            }
            try {
                return new IntType(bits, signed, scale, zero);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        TensorType type() {
            ElementType e = element();
            return new TensorType(shape(), e);
        }
    }
}
