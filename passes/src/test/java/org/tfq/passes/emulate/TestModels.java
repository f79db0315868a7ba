package org.tfq.passes.emulate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;

/** The committed ONNX models, imported and quantized as tfq compile does, with input windows to run them on. */
final class TestModels {
    private TestModels() {}

    /** Folders of testdata holding models. */
    static final List<String> FOLDERS = List.of("models", "qat", "encdec", "movement", "pooling", "rows", "arith");

    /** Calibration windows used to choose scales: enough for stable ranges, few enough to stay quick. */
    static final int CALIBRATION_WINDOWS = 16;

    static Path root() {
        String root = System.getProperty("tfq.root");
        assertTrue(root != null && !root.isBlank(), "tfq.root is not set (run through Maven)");
        return Path.of(root, "testdata");
    }

    /** Every committed model, as a path relative to testdata. */
    static List<String> all() throws IOException {
        List<String> r = new ArrayList<>();
        for (String f : FOLDERS) {
            try (Stream<Path> s = Files.list(root().resolve(f))) {
                s.map(p -> f + "/" + p.getFileName()).filter(n -> n.endsWith(".onnx")).sorted().forEach(r::add);
            }
        }
        return r;
    }

    /** A model's samples file next to it ({@code <stem>.<kind>.npy}), or the folder's shared one, or null. */
    static Path samples(Path model, String kind) {
        String stem = model.getFileName().toString().replace(".onnx", "");
        for (String s = stem; !s.isEmpty(); s = s.contains("_") ? s.substring(0, s.lastIndexOf('_')) : "") {
            Path p = model.resolveSibling(s + "." + kind + ".npy");
            if (Files.exists(p)) return p;
        }
        return null;
    }

    /** A model imported, quantized at {@code bits} (float models) or with its own scales (trained ones), and its input windows. */
    record Quantized(String name, IntegerModel model, List<IntTensor> windows) {}

    static ImportResult load(String model) {
        return OnnxImporter.load(root().resolve(model), ImportOptions.DEFAULT);
    }

    static boolean trained(ImportResult r) {
        return org.tfq.passes.quant.PlanFromTraining.isTrained(r.graph());
    }

    /**
     * Quantizes {@code r}; windows: {@code real} of the model's own samples (inputs, else
     * calibration) and {@code random} of codes drawn over the whole input range.
     */
    static Quantized quantize(String name, ImportResult r, Integer bits, int real, int random) {
        return quantize(name, r, bits == null ? null : defaults(bits), real, random);
    }

    /** tfq compile's defaults at {@code bits}: min-max ranges, per-channel weights, a 16-bit forecast. */
    static QuantOptions defaults(int bits) {
        return new QuantOptions(bits, java.util.Map.of(), QuantOptions.RangeMethod.MINMAX, true);
    }

    /** As above with {@code options} for a float model (null: a trained model's own scales). */
    static Quantized quantize(String name, ImportResult r, QuantOptions options, int real, int random) {
        Integer bits = options == null ? null : options.bits();
        ModelInput in = r.inputs().get(0);
        Path model = root().resolve(name);
        Path calPath = samples(model, "calibration");
        FloatTensor cal = calPath == null ? null : Npy.read(calPath);
        List<FloatTensor> bound = new ArrayList<>();
        if (cal != null) {
            int n = Samples.count(in, cal);
            int step = Math.max(Samples.perRun(in), n / CALIBRATION_WINDOWS);
            for (int i = 0; i < n; i += step) bound.add(Samples.toBound(in, cal, i));
        }
        IntegerModel m = options == null ? Quantize.run(r.graph(), defaults(8), false, bound) : Quantize.run(r.graph(), options, true, bound);
        List<IntTensor> windows = new ArrayList<>();
        Path inPath = samples(model, "inputs");
        FloatTensor x = inPath != null ? Npy.read(inPath) : cal;
        if (x != null) {
            int n = Samples.count(in, x);
            for (int i = 0; i < Math.min(real, n); i++) windows.add(m.quantizeInput(Samples.toBound(in, x, i * Math.max(1, n / real))));
        }
        IntType t = m.graph().inputs().get(0).type().intType();
        Random rnd = new Random(name.hashCode() * 31L + (bits == null ? 0 : bits));
        for (int k = 0; k < random; k++) {
            long[] codes = new long[Math.toIntExact(m.graph().inputs().get(0).type().shape().size())];
            for (int i = 0; i < codes.length; i++) codes[i] = t.min() + (long) (rnd.nextDouble() * (t.max() - t.min() + 1));
            windows.add(new IntTensor(m.graph().inputs().get(0).type().shape(), codes));
        }
        return new Quantized(name + (options == null ? "" : " with " + options), m, windows);
    }
}
