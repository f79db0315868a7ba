package org.tfq.ir.io;

/**
 * Names taken from a model (graph, node and tensor names: any string a protobuf can hold) as they
 * may appear in generated text. The one place that decides what is safe where, so that a model
 * cannot end a comment, open a string, start a macro or forge a line in what tfq writes.
 *
 * <p>No generated file name, Verilog identifier or Tcl word is made from a model's names: those
 * are fixed by tfq ({@code tfq_top}, {@code rtl/tfq_weights.mem}, ...). Names appear only in
 * comments, testbench messages, {@code README.md}, {@code ir.txt} and JSON (which escapes).
 */
public final class SafeText {
    private SafeText() {}

    /**
     * Printable ASCII only, every other character as {@code _}: no newline can start a new line of
     * the file it is written into (ir.txt, a Verilog {@code //} comment, a Tcl or Makefile comment).
     */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '_');
        }
        return b.toString();
    }

    /**
     * For a terminal: every control character (C0 with tab, carriage return and newline; DEL; C1),
     * Unicode format character (bidi overrides and isolates, zero-width characters, BOM), line or
     * paragraph separator, and unpaired surrogate becomes {@code _}; other Unicode is kept. A
     * model's strings pass through this once, as the model is read, so that none can send an
     * escape sequence, reorder a line or forge one ({@code producer_name = "x\n  supported: yes"}).
     */
    public static String terminal(String s) {
        if (s == null) return null;
        StringBuilder b = null;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            boolean bad = isTerminalControl(c);
            if (bad && b == null) b = new StringBuilder(s.length()).append(s, 0, i);
            if (b != null) {
                if (bad) b.append('_');
                else b.appendCodePoint(c);
            }
            i += n;
        }
        return b == null ? s : b.toString();
    }

    /** Whether code point {@code c} controls a terminal rather than printing: see {@link #terminal}. */
    public static boolean isTerminalControl(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** For a Verilog comment: printable, and no {@code *} so that nothing can open or close a block comment. */
    public static String verilogComment(String s) {
        return printable(s).replace('*', '_');
    }

    /**
     * For a Verilog string literal given to {@code $display}: a comment's text without the quote
     * and backslash that end or escape the string, the {@code %} that would read an argument, and
     * the backtick some preprocessors expand even in strings.
     */
    public static String verilogString(String s) {
        return verilogComment(s).replace('"', '_').replace('\\', '_').replace('%', '_').replace('`', '_');
    }

    /** For a Markdown code span in a table cell: printable, no backtick to end the span, no {@code |} to end the cell. */
    public static String markdownCode(String s) {
        return printable(s).replace('`', '\'').replace('|', '/');
    }
}
