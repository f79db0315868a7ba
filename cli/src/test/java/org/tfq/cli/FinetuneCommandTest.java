package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.io.Json;
import org.tfq.ir.io.Npy;
import org.tfq.ir.Node;
import org.tfq.ir.op.FakeQuant;
import org.tfq.onnx.FloatReference;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.OnnxRuntimeRunner;
import org.tfq.onnx.proto.Onnx;
import org.tfq.verilog.Icarus;

/**
 * tfq finetune through the command line on the reference design's smallest model at 4 bits,
 * trained on testdata/finetune's windows: it beats post-training quantization by the margin
 * stated below, tfq evaluate of the written file reports the same integer RMSE, ONNX Runtime runs
 * the file as tfq's float IR does (within 1e-5 but for rare one-step flips of the output grid), and it compiles to RTL that simulates bit-exact. Then each bad
 * input: one line, exit 1, the output not written.
 */
class FinetuneCommandTest {

    static final String MODEL = "ref_n12_d16_m1";

    static Path windows(String file) {
        return Cli.root().resolve("testdata/finetune").resolve(file);
    }

    static Map<?, ?> json(Cli c) {
        assertEquals(0, c.exit(), c.err());
        return (Map<?, ?>) Json.read(c.out());
    }

    static double number(Map<?, ?> m, String... path) {
        Object v = m;
        for (String k : path) v = ((Map<?, ?>) v).get(k);
        return ((Number) v).doubleValue();
    }

    /**
     * Post-training 4-bit quantization of ref_n12_d16_m1 has about ten times the float model's
     * error (0.29 vs 0.028 on its test windows); 20 epochs of fine-tuning more than halve it. The
     * test asks for 40% less than post-training on the training windows.
     */
    @Test
    void fourBitsBeatPostTrainingAndTheWrittenModelIsWhatWasTrained(@TempDir Path dir) throws IOException {
        Path model = Cli.model(MODEL + ".onnx"), out = dir.resolve("model.q4.onnx");
        String x = windows("n12_m1.train_inputs.npy").toString(), y = windows("n12_m1.train_targets.npy").toString();
        Cli tune = Cli.run("finetune", model.toString(), "--bits", "4", "--inputs", x, "--targets", y, "--validation-inputs",
                windows("n12_m1.val_inputs.npy").toString(), "--validation-targets", windows("n12_m1.val_targets.npy").toString(), "--epochs",
                "20", "--seed", "3", "-o", out.toString(), "--json");
        Map<?, ?> s = json(tune);
        int ran = ((List<?>) s.get("epochs")).size() - 1; // epoch 0 is the start; early stopping may end before epoch 20
        assertTrue(tune.err().contains(String.format(java.util.Locale.ROOT, "epoch %3d/20  training loss", ran)), tune.err());
        double ptq = number(s, "rmse_int", "post_training"), tuned = number(s, "rmse_int", "fine_tuned");
        assertTrue(tuned < 0.6 * ptq, "fine-tuned " + tuned + " vs post-training " + ptq);
        assertTrue(number(s, "best_epoch") > 0 && number(s, "best_epoch") <= ran, "best epoch " + number(s, "best_epoch") + " of " + ran);

        // the post-training start is what tfq evaluate calls 4-bit post-training on the same calibration
        Map<?, ?> before = json(Cli.run("evaluate", model.toString(), "--bits", "4", "--calibration", x, "--inputs", x, "--targets", y, "--json"));
        assertEquals(number(before, "rmse_int"), ptq, 1e-12);
        assertEquals(number(before, "rmse_float_ir"), number(s, "rmse_float"), 1e-12);

        // the written model: its own scales give exactly the integer model finetune measured, and ONNX Runtime agrees with tfq's float IR of it
        Map<?, ?> after = json(Cli.run("evaluate", out.toString(), "--bits", "4", "--inputs", x, "--targets", y, "--json"));
        assertEquals("trained", after.get("quantization"));
        assertEquals(tuned, number(after, "rmse_int"), 0.0);
        assertOnnxRuntimeAgrees(out, Npy.read(Path.of(x)));

        // and it compiles to an engine that computes that model bit for bit
        SimulatedDesign d = SimulatedDesign.compile(dir.resolve("rtl"), List.of(out.toString(), "--bits", "4", "--inputs", x, "--vectors", "2",
                "--check-layers"));
        d.assertBitExactAndOnTime(new Icarus(), 2, Duration.ofMinutes(5), "icarus: ");
    }

    /**
     * ONNX Runtime's forecasts of the written model equal tfq's float interpreter on it within
     * 1e-5, except where the two sides' float arithmetic (summation order) puts a value on either
     * side of a rounding boundary of the 16-bit output grid: those differ by one step of that grid,
     * and are rare (on this model, 384 windows: a few at most).
     */
    static void assertOnnxRuntimeAgrees(Path file, FloatTensor x) {
        ImportResult r = OnnxImporter.load(file, new ImportOptions(1));
        float[] ort = OnnxRuntimeRunner.runSamples(file, r.inputs().get(0), r.outputs().get(0), x).data();
        float[] tfq = FloatReference.runSamples(r, x).data();
        Node last = r.graph().uses().producer(r.graph().outputs().get(0).name());
        double step = ((FakeQuant) last.op()).spec().scale(0);
        int flips = 0;
        double max = 0;
        for (int i = 0; i < ort.length; i++) {
            double d = Math.abs((double) ort[i] - tfq[i]);
            max = Math.max(max, d);
            if (d > 1e-5) {
                flips++;
                assertEquals(step, d, 1e-5, "window " + i + ": ONNX Runtime " + ort[i] + ", tfq " + tfq[i] + ": more than one output step apart");
            }
        }
        System.out.printf("ONNX Runtime vs tfq float IR on %s: max %.3g, %d of %d windows one output step (%.3g) apart%n", file.getFileName(), max,
                flips, ort.length, step);
        assertTrue(flips <= ort.length / 100, flips + " windows differ by a step");
    }

    /** A bad run of finetune: one line naming what is wrong, exit 1, and {@code out} as it was. */
    static void assertRefused(Path out, String expected, String... args) throws IOException {
        byte[] old = Files.exists(out) ? Files.readAllBytes(out) : null;
        List<String> all = new ArrayList<>(List.of("finetune", "--epochs", "1"));
        all.addAll(List.of(args));
        Cli c = Cli.run(all.toArray(String[]::new));
        c.assertOneLineError();
        assertTrue(c.err().contains(expected), c.err());
        if (old == null) assertFalse(Files.exists(out), out + " was written");
        else assertTrue(Arrays.equals(old, Files.readAllBytes(out)), out + " was changed");
        try (var files = Files.list(out.getParent())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a temporary file was left");
        }
    }

    @Test
    void badInputIsOneLineAndNothingIsWritten(@TempDir Path dir) throws IOException {
        String model = Cli.model(MODEL + ".onnx").toString();
        Path out = dir.resolve("out.onnx");
        String x = windows("n12_m1.train_inputs.npy").toString(), y = windows("n12_m1.train_targets.npy").toString();

        assertRefused(out, "--targets Y.npy is missing", model, "--bits", "4", "--inputs", x, "-o", out.toString());
        // windows of 3 features for a model of 1
        assertRefused(out, "does not fit model input", model, "--bits", "4", "--inputs", windows("n12_m3.train_inputs.npy").toString(), "--targets",
                y, "-o", out.toString());
        Path fewer = dir.resolve("fewer.npy");
        FloatTensor t = Npy.read(Path.of(y));
        Npy.write(fewer, new FloatTensor(Shape.of(100, 1), Arrays.copyOf(t.data(), 100)));
        assertRefused(out, fewer + ": 100 targets, but " + x + " has 384 input windows", model, "--bits", "4", "--inputs", x, "--targets",
                fewer.toString(), "-o", out.toString());
        Path nan = dir.resolve("nan.npy");
        FloatTensor xs = Npy.read(Path.of(x));
        float[] v = xs.data().clone();
        v[12 * 7 + 5] = Float.NaN;
        Npy.write(nan, new FloatTensor(xs.shape(), v));
        assertRefused(out, nan + ": window 7 holds NaN: remove or fill it", model, "--bits", "4", "--inputs", nan.toString(), "--targets", y, "-o",
                out.toString());

        // an existing file is left as it was by every refusal
        Files.writeString(out, "the user's old model");
        assertRefused(out, "window 7 holds NaN", model, "--bits", "4", "--inputs", nan.toString(), "--targets", y, "-o", out.toString());
        Path copy = dir.resolve("model.onnx");
        Files.copy(Path.of(model), copy);
        assertRefused(copy, "-o " + copy + " is the model itself", copy.toString(), "--bits", "4", "--inputs", x, "--targets", y, "-o",
                copy.toString());

        Path mean = TinyModels.write(dir, "mean.onnx", meanOverTime());
        assertRefused(out, "has no trainable weights", mean.toString(), "--bits", "4", "--inputs", x, "--targets", y, "-o", out.toString());
    }

    /** y = the mean over time of x [N,12,1]: nothing to train. */
    static Onnx.ModelProto meanOverTime() {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("mean_over_time")
                .addInput(TinyModels.valueInfo("x", "N", 12, 1)).addOutput(TinyModels.valueInfo("y", "N", 1))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("ReduceMean").setName("mean").addInput("x").addOutput("y")
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("axes").setType(Onnx.AttributeProto.AttributeType.INTS).addInts(1))
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("keepdims").setType(Onnx.AttributeProto.AttributeType.INT).setI(0)))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("tfq-test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
    }
}
