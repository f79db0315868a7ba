package org.tfq.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.pass.IrObserver;
import org.tfq.passes.quant.Calibration;
import org.tfq.passes.quant.PlanPostTraining;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.QuantPlan;
import org.tfq.passes.quant.Quantize;

/**
 * Quantization-aware fine-tuning: from a float graph and its calibrated post-training plan, the
 * fake-quantized fused graph ({@link QatModel}) is trained on (input, target) windows for mean squared
 * error with Adam, a cosine learning-rate schedule and mini-batches, keeping the parameters of the
 * epoch with the least validation loss and stopping when it has not improved for
 * {@link Options#patience} epochs. Each mini-batch's per-sample gradients are computed on the CPU
 * cores in parallel and summed in sample order, so a seed gives the same model on any number of
 * cores.
 */
public final class Finetune {
    private Finetune() {}

    public record Options(int epochs, int batchSize, double learningRate, long seed, int patience, int threads) {
        public Options {
            if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
            if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("--learning-rate must be positive, got " + learningRate);
            }
            if (patience < 1) throw new IllegalArgumentException("patience must be at least 1 epoch, got " + patience);
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }

        public static Options defaults() {
            return new Options(30, 16, 3e-3, 1, 10, Runtime.getRuntime().availableProcessors());
        }

        public Options withEpochs(int e) {
            return new Options(e, batchSize, learningRate, seed, patience, threads);
        }

        public Options withSeed(long s) {
            return new Options(epochs, batchSize, learningRate, s, patience, threads);
        }

        public Options withThreads(int t) {
            return new Options(epochs, batchSize, learningRate, seed, patience, t);
        }
    }

    /** Mean squared errors of the fake-quantized model after one epoch (epoch 0: the post-training start, before any). */
    public record Epoch(int epoch, double trainLoss, double validationLoss) {}

    /** The trained fake-quantized graph (from the best epoch; epoch 0 is the post-training start) and every epoch's losses. */
    public record Result(Graph graph, List<Epoch> history, int bestEpoch) {}

    /**
     * The starting point: post-training quantization of {@code g} calibrated on {@code
     * calibration}, as tfq compile chooses it: a plan of the fused graph ({@link #fused}).
     */
    public static QuantPlan plan(Graph g, List<FloatTensor> calibration, QuantOptions options) {
        Graph f = fused(g);
        return PlanPostTraining.run(f, Calibration.run(f, calibration), options);
    }

    /**
     * The graph as the integer lowering sees it ({@link Quantize#FUSIONS}): a Linear with the
     * constant add and ReLU after it, a residual add with its BatchNorm, each one op that rounds
     * once. Training it puts fake quantization exactly where compile quantizes.
     */
    public static Graph fused(Graph g) {
        return Quantize.FUSIONS.run(g, IrObserver.NONE);
    }

    /** Training and validation windows, each inputs and targets. */
    public record Split(List<FloatTensor> trainX, List<FloatTensor> trainY, List<FloatTensor> validX, List<FloatTensor> validY) {}

    /**
     * Holds back every {@code every}-th window for validation. Windows of a series come in time
     * order, so a last slice would be one season only (on ref_n12_d16_m1 the last eighth of the
     * targets has a fifth of the whole set's spread); every k-th window spans the whole series.
     */
    public static Split split(List<FloatTensor> x, List<FloatTensor> y, int every) {
        if (x.size() != y.size()) throw new IllegalArgumentException(x.size() + " input windows but " + y.size() + " target windows");
        if (every < 2 || x.size() < every) throw new IllegalArgumentException("holding back every " + every + "-th of " + x.size() + " windows leaves no training or no validation windows");
        Split s = new Split(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < x.size(); i++) {
            boolean valid = i % every == every - 1;
            (valid ? s.validX() : s.trainX()).add(x.get(i));
            (valid ? s.validY() : s.trainY()).add(y.get(i));
        }
        return s;
    }

    /** {@link #run(Graph, QuantPlan, List, List, List, List, Options, Consumer)} on a split. */
    public static Result run(Graph floatGraph, QuantPlan plan, Split s, Options o, Consumer<Epoch> progress) {
        return run(floatGraph, plan, s.trainX(), s.trainY(), s.validX(), s.validY(), o, progress);
    }

    /**
     * Trains on the windows {@code x}, {@code y} (each in the graph's bound input and output
     * shapes), choosing the epoch by the loss on {@code validX}, {@code validY}.
     */
    public static Result run(Graph floatGraph, QuantPlan plan, List<FloatTensor> x, List<FloatTensor> y, List<FloatTensor> validX,
            List<FloatTensor> validY, Options o, Consumer<Epoch> progress) {
        if (floatGraph.nodes().stream().allMatch(n -> Backward.parameters((FloatOp) n.op()).isEmpty())) {
            throw new IllegalArgumentException("model " + floatGraph.name() + " has no trainable weights (no linear, layernorm or batchnorm): nothing to fine-tune");
        }
        checkWindows(floatGraph, x, y, "training");
        checkWindows(floatGraph, validX, validY, "validation");
        QatModel model = new QatModel(fused(floatGraph), plan);
        double[] theta = model.parameters();
        double[] m = new double[theta.length], v = new double[theta.length];
        double[] best = theta.clone();
        List<Epoch> history = new ArrayList<>();
        ForkJoinPool pool = new ForkJoinPool(o.threads());
        try {
            double bestLoss = loss(model.graph(), validX, validY, pool, null, null);
            history.add(new Epoch(0, loss(model.graph(), x, y, pool, null, null), bestLoss));
            if (progress != null) progress.accept(history.get(0));
            int bestEpoch = 0;
            Random rng = new Random(o.seed());
            int batches = (x.size() + o.batchSize() - 1) / o.batchSize();
            long steps = (long) batches * o.epochs(), t = 0;
            int[] order = IntStream.range(0, x.size()).toArray();
            for (int epoch = 1; epoch <= o.epochs(); epoch++) {
                shuffle(order, rng);
                double trainSum = 0;
                for (int b = 0; b < batches; b++) {
                    int from = b * o.batchSize(), to = Math.min(x.size(), from + o.batchSize());
                    List<FloatTensor> bx = new ArrayList<>(), by = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        bx.add(x.get(order[i]));
                        by.add(y.get(order[i]));
                    }
                    double[] grad = new double[theta.length];
                    Graph g = model.graph();
                    trainSum += loss(g, bx, by, pool, model, grad) * bx.size();
                    for (int i = 0; i < grad.length; i++) grad[i] /= bx.size();
                    double lr = o.learningRate() * 0.5 * (1 + Math.cos(Math.PI * t / steps));
                    adam(theta, grad, m, v, ++t, lr, model.stepScale());
                }
                double valid = loss(model.graph(), validX, validY, pool, null, null);
                Epoch e = new Epoch(epoch, trainSum / x.size(), valid);
                history.add(e);
                if (progress != null) progress.accept(e);
                if (valid < bestLoss) {
                    bestLoss = valid;
                    bestEpoch = epoch;
                    System.arraycopy(theta, 0, best, 0, theta.length);
                } else if (epoch - bestEpoch >= o.patience()) {
                    break;
                }
            }
            System.arraycopy(best, 0, theta, 0, theta.length);
            return new Result(model.graph(), history, bestEpoch);
        } finally {
            pool.shutdown();
        }
    }

    /** One line for the first problem with a set of windows: count, shapes, non-finite values. */
    private static void checkWindows(Graph g, List<FloatTensor> x, List<FloatTensor> y, String what) {
        if (x.size() != y.size()) throw new IllegalArgumentException(x.size() + " " + what + " input windows but " + y.size() + " target windows");
        if (x.isEmpty()) throw new IllegalArgumentException("no " + what + " windows");
        org.tfq.ir.Shape in = g.inputs().get(0).type().shape(), out = g.outputs().get(0).type().shape();
        for (int i = 0; i < x.size(); i++) {
            if (!x.get(i).shape().equals(in)) throw new IllegalArgumentException(what + " input window " + i + " has shape " + x.get(i).shape() + ", the model's input is " + in);
            if (!y.get(i).shape().equals(out)) throw new IllegalArgumentException(what + " target window " + i + " has shape " + y.get(i).shape() + ", the model's output is " + out);
            for (float v : x.get(i).data()) if (!Float.isFinite(v)) throw new IllegalArgumentException(what + " input window " + i + " holds " + v + ": remove or fill it");
            for (float v : y.get(i).data()) if (!Float.isFinite(v)) throw new IllegalArgumentException(what + " target window " + i + " holds " + v + ": remove or fill it");
        }
    }

    /**
     * The mean over windows of each window's mean squared error; with {@code model}, also adds the
     * sum of the windows' gradients into {@code grad}, in window order whatever the threads.
     */
    private static double loss(Graph g, List<FloatTensor> x, List<FloatTensor> y, ForkJoinPool pool, QatModel model, double[] grad) {
        String in = g.inputs().get(0).name();
        double[] losses = new double[x.size()];
        double[][] grads = new double[x.size()][];
        Runnable work = () -> IntStream.range(0, x.size()).parallel().forEach(j -> {
            float[] target = y.get(j).data();
            if (model == null) {
                losses[j] = mse(FloatInterpreter.run(g, Map.of(in, x.get(j))).values().iterator().next().data(), target);
                return;
            }
            Backprop.Result r = Backprop.run(g, Map.of(in, x.get(j)), out -> {
                double[] d = new double[target.length];
                for (int i = 0; i < d.length; i++) d[i] = 2 * ((double) out.data()[i] - target[i]) / d.length;
                return d;
            });
            losses[j] = mse(r.output(g).data(), target);
            grads[j] = new double[grad.length];
            model.gradient(g, r, grads[j]);
        });
        try {
            pool.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
        double sum = 0;
        for (int j = 0; j < x.size(); j++) {
            sum += losses[j];
            if (grad != null) for (int i = 0; i < grad.length; i++) grad[i] += grads[j][i];
        }
        return sum / x.size();
    }

    static double mse(float[] out, float[] target) {
        if (out.length != target.length) throw new IllegalArgumentException("output has " + out.length + " values, target " + target.length);
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            double d = (double) out[i] - target[i];
            s += d * d;
        }
        return s / out.length;
    }

    private static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void adam(double[] theta, double[] g, double[] m, double[] v, long t, double lr, double[] stepScale) {
        final double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < theta.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            theta[i] -= lr * stepScale[i] * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        }
    }
}
