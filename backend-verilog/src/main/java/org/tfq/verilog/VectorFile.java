package org.tfq.verilog;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test vectors for a testbench that reads them with {@code $fscanf}: first line the number of
 * vectors in decimal, then one line per vector of hexadecimal fields separated by single spaces,
 * each field the two's complement of its value in its declared width (so {@code -1} in an 8-bit
 * field is {@code ff}).
 *
 * <p>Why {@code $fscanf} rather than {@code $readmemh}: a memory must be sized when the
 * testbench is built and Icarus warns when the file does not fill it, while a stream of lines
 * works for any number of vectors with the same build, one line per vector keeps the fields of a
 * vector together, and a line with a missing field is detected ({@code $fscanf} returns the
 * number of fields it read).
 */
public final class VectorFile {

    private final int[] widths;
    private final List<long[]> rows = new ArrayList<>();

    /** A file whose vectors have fields of these widths (1..64 bits each). */
    public VectorFile(int... widths) {
        for (int w : widths) if (w < 1 || w > 64) throw new IllegalArgumentException("field width " + w + " not in 1..64");
        this.widths = widths.clone();
    }

    public int fields() {
        return widths.length;
    }

    public int size() {
        return rows.size();
    }

    /**
     * Appends a vector. Each value must fit its field as a signed or an unsigned number, i.e. lie
     * in {@code [-2^(w-1), 2^w - 1]}: anything else is a bug in the caller.
     */
    public VectorFile add(long... values) {
        if (values.length != widths.length) {
            throw new IllegalArgumentException("vector of " + values.length + " fields, expected " + widths.length);
        }
        for (int i = 0; i < values.length; i++) {
            int w = widths[i];
            if (w < 64 && (values[i] < -(1L << (w - 1)) || (values[i] >= 0 && values[i] >>> w != 0))) {
                throw new IllegalArgumentException("field " + i + ": " + values[i] + " does not fit " + w + " bits");
            }
        }
        rows.add(values.clone());
        return this;
    }

    /** Writes the file (the count line, then the vectors). */
    public void write(Path file) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            w.write(Integer.toString(rows.size()));
            w.write('\n');
            StringBuilder line = new StringBuilder();
            for (long[] r : rows) {
                line.setLength(0);
                for (int i = 0; i < r.length; i++) {
                    if (i > 0) line.append(' ');
                    long v = widths[i] == 64 ? r[i] : r[i] & ((1L << widths[i]) - 1);
                    line.append(Long.toHexString(v));
                }
                line.append('\n');
                w.write(line.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
