package org.tfq.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * each, and the last one the integer IR that compile writes as ir.txt (nothing changes the graph
 * after the last pass the observer saw).
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
        List<String> passes = check(model, QuantOptions.WeightRounding.NEAREST);
        assertFalse(passes.contains("round-weights-gptq"), passes.toString());
    }

    @Test
    void gptqRoundingIsAPassOfItsOwnBeforeLowering() {
        List<String> passes = check(root().resolve("testdata/models/ref_n12_d16_m3.onnx"), QuantOptions.WeightRounding.GPTQ);
        assertEquals(passes.size() - 2, passes.indexOf("round-weights-gptq"), passes.toString());
    }

    /**
     * Imports and quantizes {@code model} (with its calibration samples when it has them), checks
     * the files and returns the passes in the order they ran: import first, lower-to-integer last
     * (other passes may run between).
     */
    private static List<String> check(Path model, QuantOptions.WeightRounding rounding) {
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
        assertEquals(IrSnapshots.INDEX, names.remove(names.size() - 1), model + ": the index last");
        List<String> index = files.get(IrSnapshots.INDEX).lines().toList();
        assertEquals(names.size(), index.size(), model + ": one index line per file");
        List<String> passes = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Matcher m = FILE.matcher(names.get(i));
            assertTrue(m.matches(), names.get(i));
            assertEquals(i + 1, Integer.parseInt(m.group(1)), model + ": numbered in order, from 01: " + names);
            passes.add(m.group(2));
            assertTrue(index.get(i).startsWith(names.get(i) + ": the IR after " + m.group(2) + ", "), index.get(i));
        }
        assertEquals("import", passes.get(0), model + ": " + passes);
        assertEquals("lower-to-integer", passes.get(passes.size() - 1), model + ": " + passes);
        assertEquals(TextDump.of(q.model().graph()), files.get(names.get(names.size() - 1)), model + ": the last is ir.txt");
        return passes;
    }

    private static final Pattern FILE = Pattern.compile("(\\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\\.txt");
}
