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

    /** Every .onnx file of testdata/{@code folder}, sorted. */
    public static List<Path> in(String folder) {
        try (Stream<Path> s = Files.list(root().resolve("testdata").resolve(folder))) {
            return s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The import of {@code model} computes what ONNX Runtime computes on its test inputs, to {@code tolerance}. */
    public static void assertFloatIrMatchesOnnxRuntime(Path model, float tolerance) {
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        org.tfq.ir.FloatTensor x = org.tfq.ir.io.Npy.read(sibling(model, ".inputs.npy"));
        org.tfq.ir.FloatTensor ort = OnnxRuntimeRunner.runSamples(model, r.inputs().get(0), r.outputs().get(0), x);
        float diff = ort.maxAbsDiff(FloatReference.runSamples(r, x));
        org.junit.jupiter.api.Assertions.assertTrue(diff <= tolerance, model.getFileName() + ": max |ORT - float IR| = " + diff);
    }

    public static Path sibling(Path model, String suffix) {
        String stem = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        return model.resolveSibling(stem + suffix);
    }
}
