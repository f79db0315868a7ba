package org.tfq.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The committed PyTorch exports under testdata/models, found from the repository root. */
public final class TestdataModels {
    private TestdataModels() {}

    public static Path root() {
        String r = System.getProperty("tfq.root");
        Path p = r != null ? Path.of(r) : Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("testdata"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("testdata/ not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    public static Path dir() {
        return root().resolve("testdata/models");
    }

    /** Every .onnx file, sorted; float models only unless {@code quantized}. */
    public static List<Path> models(boolean quantized) {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".onnx"))
                    .filter(p -> quantized || !p.getFileName().toString().startsWith("qat_"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path sibling(Path model, String suffix) {
        String stem = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        return model.resolveSibling(stem + suffix);
    }
}
