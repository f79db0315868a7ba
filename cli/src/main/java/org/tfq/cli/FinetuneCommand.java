package org.tfq.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tfq.compiler.Accuracy;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.SampleFiles;
import org.tfq.finetune.Finetune;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.io.Json;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.FloatReference;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxWriter;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.PlanFromTraining;
import org.tfq.passes.quant.QuantOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "finetune",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Quantization-aware fine-tuning: trains a float model on (input, target) windows with tfq's own integer"
                    + " rounding and saturation in the forward pass (fake quantization at every point tfq compile"
                    + " quantizes, straight-through gradients, learned scales), starting from the post-training"
                    + " quantization compile would choose, and writes OUT.onnx, a QCDQ model that ONNX Runtime runs and that"
                    + " tfq evaluate and tfq compile import with its own scales. Prints one line per epoch on stderr"
                    + " (training and validation loss of the fake-quantized model) and the integer model's RMSE before and"
                    + " after, on --inputs/--targets: what 'tfq evaluate OUT.onnx --bits B --inputs X.npy --targets Y.npy'"
                    + " reports."
        })
final class FinetuneCommand extends TfqCommand {

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The float ONNX model.")
    Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.onnx", required = true,
            description = "The fine-tuned model (replaced only when fine-tuning succeeds).")
    Path output;

    @Option(names = "--inputs", paramLabel = "X.npy", required = true,
            description = "Training input windows, shape [N, ...sample shape of the model input]; also the calibration"
                    + " of the post-training start unless --calibration is given.")
    Path inputs;

    @Option(names = "--targets", paramLabel = "Y.npy", description = "What the model should output for each window of --inputs: shape [N] or [N, ...output sample].")
    Path targets;

    @Option(names = "--validation-inputs", paramLabel = "X.npy",
            description = "Windows the epoch to keep is chosen on (default: every 8th window of --inputs, held back from training).")
    Path validationInputs;

    @Option(names = "--validation-targets", paramLabel = "Y.npy", description = "Targets of --validation-inputs.")
    Path validationTargets;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "30",
            description = "Passes over the training windows at most; training stops earlier when the validation loss has not"
                    + " improved for --patience epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "Windows per optimizer step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "0.003",
            description = "Adam's learning rate at the start of the cosine schedule (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "10",
            description = "Epochs without a better validation loss before training stops (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the window order: the same seed gives the same OUT.onnx on any number of cores (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Mixin
    QuantizationOptions quantization = new QuantizationOptions();

    /** One held-back window in this many when no validation files are given. */
    static final int HOLD_BACK_EVERY = 8;

    /** The integer model's RMSE on a set of windows: post-training (the start) and fine-tuned. */
    record Rmse(double postTraining, double fineTuned) {}

    /** --json: what was trained on, every epoch, and the errors before and after. */
    record Summary(String model, String output, int bits, int activationBits, String weights, int trainingWindows, int validationWindows,
            String validation, int bestEpoch, double seconds, List<Finetune.Epoch> epochs, double rmseFloat, Rmse rmseInt, Rmse validationRmseInt) {}

    @Override
    protected int run() throws Exception {
        requireFile(model, "the model");
        requireFile(inputs, "--inputs");
        if (targets == null) {
            throw new CliException("--targets Y.npy is missing: fine-tuning learns from pairs of input windows (--inputs) and what the model should output for each");
        }
        requireFile(targets, "--targets");
        if ((validationInputs == null) != (validationTargets == null)) {
            throw new CliException(validationInputs == null ? "--validation-targets needs --validation-inputs" : "--validation-inputs needs --validation-targets");
        }
        if (validationInputs != null) {
            requireFile(validationInputs, "--validation-inputs");
            requireFile(validationTargets, "--validation-targets");
        }
        refuseToOverwriteAnInput();
        QuantOptions options = quantization.options();
        if (options.weightRounding() != QuantOptions.WeightRounding.NEAREST) {
            throw new CliException("--weight-rounding " + quantization.scales.weightRounding + ": fine-tuning learns the weights' rounding itself; drop the option");
        }
        Finetune.Options training;
        try {
            training = new Finetune.Options(epochs, batchSize, learningRate, seed, patience, Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }

        Compiler compiler = new Compiler();
        ImportResult r = compiler.importModel(model, new ImportOptions(1));
        if (r.inputs().size() != 1 || r.outputs().size() != 1) {
            throw new CliException(model + ": has " + r.inputs().size() + " inputs and " + r.outputs().size() + " outputs; finetune needs one of each");
        }
        if (PlanFromTraining.isTrained(r.graph())) {
            throw new CliException(model + ": is already quantization-aware trained (it has quantize/dequantize nodes); finetune starts from the float model");
        }
        ModelInput in = r.inputs().get(0), out = r.outputs().get(0);
        if (Samples.perRun(in) != 1) {
            throw new CliException(model + ": its input '" + in.name() + "' " + in.shape() + " takes " + Samples.perRun(in)
                    + " windows per run; finetune trains on one window per run (export the model with a batch axis of 1 or a symbolic one)");
        }
        Windows train = Windows.read(inputs, targets, in, out);
        Windows valid = validationInputs == null ? null : Windows.read(validationInputs, validationTargets, in, out);
        Finetune.Split split;
        if (valid == null) {
            if (train.x().size() < 2 * HOLD_BACK_EVERY) {
                throw new CliException(inputs + ": " + train.x().size() + " windows are too few to hold back every " + HOLD_BACK_EVERY
                        + "th for validation: give at least " + 2 * HOLD_BACK_EVERY + ", or --validation-inputs/--validation-targets");
            }
            split = Finetune.split(train.x(), train.y(), HOLD_BACK_EVERY);
        } else {
            split = new Finetune.Split(train.x(), train.y(), valid.x(), valid.y());
        }

        // the start is the post-training model compile would build from the same calibration
        FloatTensor calStack = quantization.calibration == null ? train.stack()
                : SampleFiles.inputs(Npy.read(requireFile(quantization.calibration, "--calibration")), in, quantization.calibration);
        if (quantization.calibration != null) Windows.requireFinite(quantization.calibration, calStack, in);
        IntegerModel ptq = compiler.quantize(r, options, true, calStack).model();
        List<FloatTensor> cal = new ArrayList<>();
        for (int i = 0; i < Samples.count(in, calStack); i++) cal.add(Samples.toBound(in, calStack, i));

        PrintWriter err = err();
        long t0 = System.nanoTime();
        Finetune.Result result;
        try {
            result = Finetune.run(r.graph(), Finetune.plan(r.graph(), cal, options), split, training, e -> {
                err.printf(Locale.ROOT, "epoch %3d/%d  training loss %.6g  validation loss %.6g  %.1f s%s%n", e.epoch(), epochs, e.trainLoss(),
                        e.validationLoss(), (System.nanoTime() - t0) / 1e9, e.epoch() == 0 ? "  (the post-training start)" : "");
                err.flush();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new CliException(model + ": cannot fine-tune: " + e.getMessage());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        // the written model as tfq evaluate and compile will quantize it: its own scales, --bits checked against them
        ImportResult tuned = new ImportResult(output, result.graph(), r.inputs(), r.outputs(), r.opsets(), r.onnxOpCounts(), r.producer());
        IntegerModel tunedInt = compiler.quantize(tuned, new QuantOptions(options.bits(), Map.of(), options.ranges(), options.perChannelWeights(),
                options.outputBits()), true, null).model();
        double rmseFloat = Accuracy.rmse(FloatReference.runSamples(r, train.stack()).data(), train.targets());
        Rmse all = new Rmse(Accuracy.rmse(Accuracy.integerOutputs(r, ptq, train.stack()).data(), train.targets()),
                Accuracy.rmse(Accuracy.integerOutputs(tuned, tunedInt, train.stack()).data(), train.targets()));
        Rmse held = new Rmse(rmse(ptq, split.validX(), split.validY()), rmse(tunedInt, split.validX(), split.validY()));

        write(result.graph());

        String validation = valid == null ? "every " + HOLD_BACK_EVERY + "th window of " + inputs + ", held back" : validationInputs.toString();
        Summary s = new Summary(model.toString(), output.toString(), options.bits(), options.activationBits(), quantization.scales.weights,
                split.trainX().size(), split.validX().size(), validation, result.bestEpoch(), seconds, result.history(), rmseFloat, all, held);
        if (json) {
            out().print(Json.write(s));
        } else {
            PrintWriter o = out();
            o.printf(Locale.ROOT, "trained on %d windows, validated on %d (%s); kept epoch %d of %d, %.1f s%n", s.trainingWindows(),
                    s.validationWindows(), validation, s.bestEpoch(), result.history().size() - 1, seconds);
            o.printf(Locale.ROOT, "rmse on %s: float %s, integer post-training %s, integer fine-tuned %s (%+.2f%% vs float)%n", targets,
                    EvaluateCommand.num(rmseFloat), EvaluateCommand.num(all.postTraining()), EvaluateCommand.num(all.fineTuned()),
                    100 * (all.fineTuned() / rmseFloat - 1));
            o.printf(Locale.ROOT, "rmse on the validation windows: integer post-training %s, integer fine-tuned %s%n",
                    EvaluateCommand.num(held.postTraining()), EvaluateCommand.num(held.fineTuned()));
            o.println("wrote " + output + " (tfq evaluate " + output + " --bits " + options.bits() + " --inputs " + inputs + " --targets " + targets
                    + " gives the same integer rmse)");
        }
        out().flush();
        return Main.EXIT_OK;
    }

    /** OUT.onnx must not replace a file the command reads. */
    private void refuseToOverwriteAnInput() {
        Path o = OutputDirectory.real(output);
        if (Files.isDirectory(o)) throw new CliException(output + ": is a directory; -o names the .onnx file to write");
        Path[] read = {model, inputs, targets, validationInputs, validationTargets, quantization.calibration};
        String[] what = {"the model itself", "--inputs", "--targets", "--validation-inputs", "--validation-targets", "--calibration"};
        for (int i = 0; i < read.length; i++) {
            if (read[i] != null && OutputDirectory.real(read[i]).equals(o)) {
                throw new CliException("-o " + output + " is " + what[i] + ": write the fine-tuned model to another file");
            }
        }
        Path parent = o.getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new CliException(output + ": its folder " + parent + " does not exist");
    }

    /** Beside OUT.onnx first, then moved over it: an interrupted write leaves the old file as it was. */
    private void write(Graph trained) {
        try {
            OnnxWriter.write(trained, output, "tfq finetune " + Main.Version.version());
        } catch (IllegalArgumentException e) {
            throw new CliException(model + ": the fine-tuned model cannot be written as ONNX: " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new CliException(e.getMessage() + ": check that the folder is writable and has space");
        }
    }

    private static double rmse(IntegerModel m, List<FloatTensor> x, List<FloatTensor> y) {
        int n = y.stream().mapToInt(t -> t.data().length).sum();
        float[] predicted = new float[n], targets = new float[n];
        for (int i = 0, k = 0; i < x.size(); k += y.get(i).data().length, i++) {
            System.arraycopy(m.run(x.get(i)).data(), 0, predicted, k, y.get(i).data().length);
            System.arraycopy(y.get(i).data(), 0, targets, k, y.get(i).data().length);
        }
        return Accuracy.rmse(predicted, targets);
    }

    /** Input and target windows from two .npy files, checked against the model and each other. */
    record Windows(FloatTensor stack, float[] targets, List<FloatTensor> x, List<FloatTensor> y) {
        static Windows read(Path xFile, Path yFile, ModelInput in, ModelInput out) {
            FloatTensor x = SampleFiles.inputs(Npy.read(xFile), in, xFile);
            FloatTensor yRaw = Npy.read(yFile);
            int n = x.shape().dim(0);
            if (yRaw.shape().rank() >= 1 && yRaw.shape().dim(0) != n) {
                throw new CliException(yFile + ": " + yRaw.shape().dim(0) + " targets, but " + xFile + " has " + n + " input windows: give one target per window");
            }
            float[] t = SampleFiles.targets(yRaw, n, out, yFile);
            requireFinite(xFile, x, in);
            FloatTensor y = new FloatTensor(Samples.stackShape(out, n), t);
            requireFinite(yFile, y, out);
            List<FloatTensor> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                xs.add(Samples.toBound(in, x, i));
                ys.add(Samples.toBound(out, y, i));
            }
            return new Windows(x, t, xs, ys);
        }

        /** One NaN would make every gradient after it NaN, and the model with it. */
        static void requireFinite(Path file, FloatTensor stack, ModelInput m) {
            float[] v = stack.data();
            long per = m.sampleShape().size();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) throw new CliException(file + ": window " + i / per + " holds " + v[i] + ": remove or fill it");
            }
        }
    }
}
