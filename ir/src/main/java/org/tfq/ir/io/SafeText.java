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
