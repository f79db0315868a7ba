package org.tfq.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import org.tfq.ir.io.SafeText;

/**
 * Every character a command prints passes through here ({@link TfqCommand#out()} and
 * {@link TfqCommand#err()}): control and format characters ({@link SafeText#isTerminalControl})
 * become {@code _}, except the newline, carriage return and tab tfq itself writes. A model's own
 * strings are cleaned of those three as well when it is read ({@code ModelStrings}); this catches
 * what no one thought of (a file name, a value from a .npy header) on its way to the terminal.
 */
final class TerminalWriter extends FilterWriter {

    private TerminalWriter(Writer out) {
        super(out);
    }

    static PrintWriter of(PrintWriter w) {
        return new PrintWriter(new TerminalWriter(w));
    }

    private static char clean(char c) {
        // surrogates pass in pairs; SafeText.terminal has already replaced unpaired ones in model strings
        if (c == '\n' || c == '\r' || c == '\t' || Character.isSurrogate(c)) return c;
        return SafeText.isTerminalControl(c) ? '_' : c;
    }

    @Override
    public void write(int c) throws IOException {
        out.write(clean((char) c));
    }

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
        char[] b = new char[len];
        for (int i = 0; i < len; i++) b[i] = clean(buf[off + i]);
        out.write(b, 0, len);
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
        write(s.toCharArray(), off, len);
    }
}
