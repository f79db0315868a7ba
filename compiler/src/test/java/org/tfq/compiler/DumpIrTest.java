package org.tfq.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.TextDump;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.quant.QuantOptions;

/**
 * {@code tfq compile --dump-ir}'s files on every testdata model and QAT export: one per pass,
 * numbered in the order the passes ran, import first, lower-to-integer last, the index naming
 * each, and the last one the integer IR that compile writes as ir.txt.
 */
class DumpIrTest {

    static Path root() {
        return Path.of(System.getProperty("tfq.root", ".."));
    }

    static Stream<Path> models() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String dir : List.of("testdata/models", "testdata/qat")) {
            try (Stream<Path> s = Files.list(root().resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(all::add);
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("models")
    void onePerPassInOrderAndTheLastIsIrTxt(Path model) {
        check(model, QuantOptions.WeightRounding.NEAREST, List.of("import", "lower-to-integer"));
    }

    @Test
    void gptqRoundingIsAPassOfItsOwn() {
        check(root().resolve("testdata/models/ref_n12_d16_m3.onnx"), QuantOptions.WeightRounding.GPTQ,
                List.of("import", "round-weights-gptq", "lower-to-integer"));
    }

    private static void check(Path model, QuantOptions.WeightRounding rounding, List<String> passes) {
        IrSnapshots snapshots = new IrSnapshots();
        Compiler compiler = new Compiler(snapshots);
        ImportResult r = compiler.importModel(model, new ImportOptions(1));
        Path calibration = model.resolveSibling(model.getFileName().toString().replace(".onnx", ".calibration.npy"));
        FloatTensor cal = Files.isRegularFile(calibration) ? SampleFiles.inputs(Npy.read(calibration), r.inputs().get(0), calibration) : null;
        QuantOptions options = new QuantOptions(8, Map.of(), QuantOptions.RangeMethod.MINMAX, true, QuantOptions.DEFAULT_OUTPUT_BITS, 8, 0,
                rounding);
        Quantized q = compiler.quantize(r, options, false, cal);

        Map<String, String> files = snapshots.files();
        List<String> names = new ArrayList<>(files.keySet());
        List<String> expected = new ArrayList<>();
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < passes.size(); i++) expected.add(String.format("%02d-%s.txt", i + 1, passes.get(i)));
        expected.add(IrSnapshots.INDEX);
        assertEquals(expected, names, model + ": the files, in order");
        for (int i = 0; i < passes.size(); i++) {
            String line = files.get(IrSnapshots.INDEX).lines().toList().get(i);
            assertTrue(line.startsWith(expected.get(i) + ": the IR after " + passes.get(i) + ", "), line);
        }
        assertTrue(files.get(expected.get(0)).equals(TextDump.of(r.graph())), model + ": the first is the float IR of import");
        assertEquals(TextDump.of(q.model().graph()), files.get(expected.get(passes.size() - 1)), model + ": the last is ir.txt");
    }
}
