package org.tfq.finetune;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;

/**
 * bench/finetune's table: per model (the reference design's and the public-model exports), RMSE on its test windows (models/NAME.inputs.npy) of the
 * float model, of post-training quantization at 8, 6 and 4 bits (per-channel weights, min/max
 * ranges, calibrated on NAME.calibration.npy) and at 4 bits with GPTQ's weight rounding, and of the integer model fine-tuned at each width
 * in {@code tfq.finetune.bits} (default 4) on the training and validation windows of
 * testdata/finetune, with the fine-tuning time. Arguments: the repository root, then model stems.
 * In the test sources because it loads ONNX files, which this module does only in tests.
 */
public final class FinetuneBench {
    private FinetuneBench() {}

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        Path models = root.resolve("testdata/models"), windows = root.resolve("testdata/finetune");
        int[] tuneBits = java.util.Arrays.stream(System.getProperty("tfq.finetune.bits", "4").split(",")).mapToInt(Integer::parseInt).toArray();
        Finetune.Options d = Finetune.Options.defaults();
        Finetune.Options o = new Finetune.Options(Integer.getInteger("tfq.finetune.epochs", d.epochs()), d.batchSize(),
                Double.parseDouble(System.getProperty("tfq.finetune.lr", Double.toString(d.learningRate()))), d.seed(),
                Integer.getInteger("tfq.finetune.patience", d.patience()), d.threads());
        boolean distill = Boolean.getBoolean("tfq.finetune.distill");
        if (distill) System.out.println("Knowledge distillation: trained on the float model's forecasts of the training windows, not the targets.");
        StringBuilder head = new StringBuilder("| model | float | PTQ 8-bit | PTQ 6-bit | PTQ 4-bit | GPTQ 4-bit |");
        StringBuilder rule = new StringBuilder("|---|---|---|---|---|---|");
        for (int b : tuneBits) {
            head.append(" finetuned ").append(b).append("-bit | time |");
            rule.append("---|---|");
        }
        if (Integer.getInteger("tfq.finetune.input") != null) System.out.println("Fine-tuned with " + Integer.getInteger("tfq.finetune.input") + "-bit input codes.");
        if (Integer.getInteger("tfq.finetune.act") != null) System.out.println("Activations at least " + Integer.getInteger("tfq.finetune.act") + " bits wide.");
        System.out.println("RMSE on the test windows (standardised units; in brackets: increase over float). Fine-tuning: "
                + o.epochs() + " epochs at most, batches of " + o.batchSize() + ", learning rate " + o.learningRate() + ", " + o.threads() + " threads.");
        System.out.println();
        System.out.println(head);
        System.out.println(rule);
        for (int a = 1; a < args.length; a++) {
            String stem = args[a];
            ImportResult r = OnnxImporter.load(models.resolve(stem + ".onnx"), ImportOptions.DEFAULT);
            Graph g = r.graph();
            ModelInput in = r.inputs().get(0), out = r.outputs().get(0);
            int[] s = in.sampleShape().dims();
            String shape = "n" + s[0] + "_m" + s[1];
            if (out.sampleShape().size() != 1) {
                System.out.println("| " + stem + " | skipped: forecasts " + out.sampleShape().size()
                        + " values per window; testdata/finetune has the temperature target only |");
                continue;
            }
            List<FloatTensor> cal = bound(in, models.resolve(stem + ".calibration.npy"));
            List<FloatTensor> testX = bound(in, models.resolve(stem + ".inputs.npy")), testY = bound(out, models.resolve(stem + ".targets.npy"));
            List<FloatTensor> trainX = bound(in, windows.resolve(shape + ".train_inputs.npy")), trainY = bound(out, windows.resolve(shape + ".train_targets.npy"));
            List<FloatTensor> validX = bound(in, windows.resolve(shape + ".val_inputs.npy")), validY = bound(out, windows.resolve(shape + ".val_targets.npy"));
            if (distill) {
                trainY = forecasts(g, trainX);
                validY = forecasts(g, validX);
            }
            double fl = 0;
            for (int i = 0; i < testX.size(); i++) fl += Finetune.mse(FloatInterpreter.run(g, testX.get(i)).data(), testY.get(i).data());
            double flt = Math.sqrt(fl / testX.size());
            StringBuilder row = new StringBuilder("| " + stem + " | " + String.format(Locale.ROOT, "%.4f", flt) + " |");
            for (int bits : new int[] {8, 6, 4}) {
                row.append(' ').append(cell(FinetuneTest.rmse(Quantize.run(g, options(bits), true, cal), testX, testY), flt)).append(" |");
            }
            row.append(' ').append(cell(FinetuneTest.rmse(Quantize.run(g, options(4, QuantOptions.WeightRounding.GPTQ), true, cal),
                    testX, testY), flt)).append(" |");
            for (int bits : tuneBits) {
                long t0 = System.nanoTime();
                Finetune.Result res = Finetune.run(g, Finetune.plan(g, cal, tuneOptions(bits, g.inputs().get(0).name())), trainX, trainY, validX, validY,
                        o, null);
                double secs = (System.nanoTime() - t0) / 1e9;
                IntegerModel tuned = Quantize.run(res.graph(), trained(bits), true, null);
                row.append(' ').append(cell(FinetuneTest.rmse(tuned, testX, testY), flt)).append(String.format(Locale.ROOT, " | %.1f s (best epoch %d of %d) |",
                        secs, res.bestEpoch(), res.history().size() - 1));
            }
            System.out.println(row);
        }
    }

    /** Post-training options: {@code bits} wide weights, activations at least {@code tfq.finetune.act} bits. */
    static QuantOptions options(int bits) {
        return options(bits, QuantOptions.WeightRounding.NEAREST);
    }

    /**
     * The fine-tuning start: {@link #options(int)}, with the input codes {@code tfq.finetune.input}
     * bits wide when set (their rounding alone bounds a 4-bit model's error: FourBitGapTest).
     */
    static QuantOptions tuneOptions(int bits, String input) {
        QuantOptions o = options(bits);
        Integer w = Integer.getInteger("tfq.finetune.input");
        return w == null ? o : new QuantOptions(o.bits(), Map.of(input, w), o.ranges(), o.perChannelWeights(), o.outputBits(), o.activationBits(),
                o.rangeMargin(), o.weightRounding());
    }

    static QuantOptions options(int bits, QuantOptions.WeightRounding rounding) {
        int act = Math.max(bits, Integer.getInteger("tfq.finetune.act", bits));
        QuantOptions.RangeMethod ranges = QuantOptions.RangeMethod.valueOf(System.getProperty("tfq.finetune.ranges", "MINMAX").toUpperCase(Locale.ROOT));
        return new QuantOptions(bits, Map.of(), ranges, true, QuantOptions.DEFAULT_OUTPUT_BITS, act, 0, rounding);
    }

    /** A fine-tuned model compiles with its own widths; only --bits is checked against them. */
    static QuantOptions trained(int bits) {
        return new QuantOptions(bits, Map.of(), QuantOptions.RangeMethod.MINMAX, true);
    }

    static List<FloatTensor> forecasts(Graph g, List<FloatTensor> x) {
        return x.stream().map(w -> FloatInterpreter.run(g, w)).toList();
    }

    static String cell(double rmse, double flt) {
        return String.format(Locale.ROOT, "%.4f (%+.1f%%)", rmse, 100 * (rmse / flt - 1));
    }

    static List<FloatTensor> bound(ModelInput m, Path npy) {
        if (!Files.exists(npy)) throw new IllegalArgumentException(npy + " is missing: run testdata/make_finetune_windows.py");
        FloatTensor stack = Npy.read(npy);
        // targets are saved [N, 1] for every model; a model whose output is [B] takes them as [N]
        if (stack.shape().size() == stack.shape().dim(0) * m.sampleShape().size()) stack = stack.reshape(Samples.stackShape(m, stack.shape().dim(0)));
        List<FloatTensor> out = new ArrayList<>();
        for (int i = 0; i < Samples.count(m, stack); i++) out.add(Samples.toBound(m, stack, i));
        return out;
    }

}
