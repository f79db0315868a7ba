package org.tfq.verilog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copies the Verilog fixtures of {@code src/test/resources/org/tfq/verilog/fixtures} to a directory. */
final class Fixtures {
    private Fixtures() {}

    static Path copy(String name, Path dir) {
        try (InputStream in = Fixtures.class.getResourceAsStream("fixtures/" + name)) {
            if (in == null) throw new IllegalStateException("fixture " + name + " missing");
            Files.createDirectories(dir);
            Path out = dir.resolve(name);
            Files.write(out, in.readAllBytes());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
