package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
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
 * Range analysis on every committed model: each one lowers to the integer IR at 2, 4 and 8 bits
 * (QAT models at their own widths), and no intermediate of any op leaves its declared width on
 * input codes the calibration never saw (random over the whole input range, and both extremes);
 * the interpreter checks every declared width as it runs.
 */
class IntegerRangesTest {

    static List<Object[]> cases() throws IOException {
        List<Object[]> c = new ArrayList<>();
        try (Stream<Path> s = Files.list(Cli.root().resolve("testdata/models"))) {
            List<Path> models = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
            assertFalse(models.isEmpty());
            for (Path m : models) {
                if (m.getFileName().toString().startsWith("qat_")) c.add(new Object[] {m.getFileName().toString(), 0});
                else for (int bits : new int[] {2, 4, 8}) c.add(new Object[] {m.getFileName().toString(), bits});
            }
        }
        return c;
    }

    @ParameterizedTest(name = "{0} at {1} bits")
    @MethodSource("cases")
    void noDeclaredWidthOverflows(String file, int bits) {
        Path model = Cli.model(file);
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        ModelInput in = r.inputs().get(0);
        IntegerModel im;
        if (PlanFromTraining.isTrained(r.graph())) {
            im = Quantize.run(r.graph(), QuantOptions.uniform(8), false, null);
        } else {
            FloatTensor cal = Npy.read(Cli.model(file.replace(".onnx", ".calibration.npy")));
            List<FloatTensor> bound = new ArrayList<>();
            for (int i = 0; i < Samples.count(in, cal); i += 4) bound.add(Samples.toBound(in, cal, i));
            im = Quantize.run(r.graph(), QuantOptions.uniform(bits), true, bound);
        }
        IntType t = im.graph().inputs().get(0).type().intType();
        Random rnd = new Random(file.hashCode() * 31L + bits);
        int size = Math.toIntExact(in.shape().size());
        for (int trial = 0; trial < 40; trial++) {
            long[] codes = new long[size];
            for (int i = 0; i < size; i++) {
                codes[i] = trial == 0 ? t.min() : trial == 1 ? t.max() : t.min() + rnd.nextInt((int) (t.max() - t.min() + 1));
            }
            IntTensor x = new IntTensor(in.shape(), codes);
            assertDoesNotThrow(() -> IntInterpreter.run(im.graph(), x), file + " trial " + trial);
        }
    }
}
