package org.tfq.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.TextDump;
import org.tfq.ir.TextParser;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.PlanFromTraining;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;

/**
 * Every committed model's float and integer IR, printed and read back ({@code TextParser}), is
 * the same graph: it prints the same text, equals the original node for node, and computes the
 * same outputs on the model's own samples.
 */
class TextIrRoundTripTest {

    private static final List<String> FOLDERS = List.of("models", "qat", "encdec", "movement", "pooling", "rows", "arith", "idioms");

    /** Calibration windows: enough for ranges on every value, few enough to keep the test fast. */
    private static final int CALIBRATION_RUNS = 8;

    static Stream<String> models() throws IOException {
        String root = System.getProperty("tfq.root");
        assertTrue(root != null && !root.isBlank(), "tfq.root is not set (run through Maven)");
        List<String> all = new ArrayList<>();
        for (String f : FOLDERS) {
            try (Stream<Path> s = Files.list(Path.of(root, "testdata", f))) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted().forEach(n -> all.add(f + "/" + n));
            }
        }
        // the one testdata model made to be refused (ImportTestdataTest checks how); every other must import and quantize
        assertTrue(all.remove(REFUSED), REFUSED);
        return all.stream();
    }

    private static final String REFUSED = "idioms/unsupported_mix.onnx";

    private static Path testdata(String name) {
        return Path.of(System.getProperty("tfq.root"), "testdata", name);
    }

    /** {@code g} printed, read back and printed again: the same text and the same graph. */
    private static Graph roundTrip(Graph g, String what) {
        String text = TextDump.of(g);
        Graph back = TextParser.parse(text);
        assertEquals(text, TextDump.of(back), what + ": the text read back prints differently");
        assertEquals(g.name(), back.name(), what);
        assertEquals(g.inputs(), back.inputs(), what);
        assertEquals(g.outputs(), back.outputs(), what);
        for (int i = 0; i < g.nodes().size(); i++) assertEquals(g.nodes().get(i), back.nodes().get(i), what + ": node " + i);
        assertEquals(g.nodes().size(), back.nodes().size(), what);
        return back;
    }

    /**
     * The model's own samples: its calibration windows, else its test inputs; a family of models
     * shares one file named by the common part of their names ({@code arith_nst.onnx}: {@code arith.calibration.npy}).
     */
    private static Path samples(Path model) {
        String stem = model.getFileName().toString().replace(".onnx", "");
        for (String kind : List.of(".calibration.npy", ".inputs.npy")) {
            for (String s = stem; ; s = s.substring(0, s.lastIndexOf('_'))) {
                if (Files.exists(model.resolveSibling(s + kind))) return model.resolveSibling(s + kind);
                if (s.lastIndexOf('_') < 0) break;
            }
        }
        return null;
    }

    @ParameterizedTest
    @MethodSource("models")
    void theFloatAndIntegerIrReadBackAsTheSameGraph(String model) {
        Path file = testdata(model);
        ImportResult r = OnnxImporter.load(file, ImportOptions.DEFAULT);
        Graph floatBack = roundTrip(r.graph(), model + " float IR");

        Path samples = samples(file);
        List<FloatTensor> windows = new ArrayList<>();
        if (samples != null && r.inputs().size() == 1) {
            ModelInput in = r.inputs().get(0);
            FloatTensor stack = Npy.read(samples);
            for (int i = 0; i < Samples.count(in, stack) && windows.size() < CALIBRATION_RUNS; i += Samples.perRun(in)) {
                windows.add(Samples.toBound(in, stack, i));
            }
        }
        List<FloatTensor> firsts = windows.subList(0, Math.min(2, windows.size()));
        for (FloatTensor x : firsts) assertEquals(FloatInterpreter.run(r.graph(), x), FloatInterpreter.run(floatBack, x), model);

        // trained models keep their own scales and widths; the others are calibrated on the windows
        boolean trained = PlanFromTraining.isTrained(r.graph());
        IntegerModel im = trained ? Quantize.run(r.graph(), QuantOptions.uniform(8), false, null)
                : Quantize.run(r.graph(), QuantOptions.uniform(8), true, windows.isEmpty() ? null : windows);
        Graph intBack = roundTrip(im.graph(), model + " integer IR");
        for (FloatTensor x : firsts) {
            assertEquals(IntInterpreter.run(im.graph(), im.quantizeInput(x)), IntInterpreter.run(intBack, im.quantizeInput(x)), model);
        }
    }
}
