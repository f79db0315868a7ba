package org.tfq.finetune;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.QuantSpec;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.QuantPlan;

/**
 * Fine-tuned RMSE on a model's test windows for a few starts and learning rates, and with
 * only the input at 4 bits (the rest at 8), or every point but the input at 4: how much of
 * w4a4's gap training can close. Arguments: the repository root, then model stems.
 */
public final class FinetuneProbe {
    private FinetuneProbe() {}

    public static void main(String[] args) {
        Path root = Path.of(args[0]), models = root.resolve("testdata/models"), windows = root.resolve("testdata/finetune");
        String[] cases = System.getProperty("tfq.probe.cases", "minmax").split(",");
        for (int a = 1; a < args.length; a++) {
            String stem = args[a];
            ImportResult r = OnnxImporter.load(models.resolve(stem + ".onnx"), ImportOptions.DEFAULT);
            Graph g = r.graph();
            var in = r.inputs().get(0);
            var out = r.outputs().get(0);
            String shape = "n" + in.sampleShape().dims()[0] + "_m" + in.sampleShape().dims()[1];
            List<FloatTensor> cal = FinetuneBench.bound(in, models.resolve(stem + ".calibration.npy"));
            List<FloatTensor> x = FinetuneBench.bound(in, models.resolve(stem + ".inputs.npy")), y = FinetuneBench.bound(out, models.resolve(stem + ".targets.npy"));
            List<FloatTensor> tx = FinetuneBench.bound(in, windows.resolve(shape + ".train_inputs.npy")), ty = FinetuneBench.bound(out, windows.resolve(shape + ".train_targets.npy"));
            List<FloatTensor> vx = FinetuneBench.bound(in, windows.resolve(shape + ".val_inputs.npy")), vy = FinetuneBench.bound(out, windows.resolve(shape + ".val_targets.npy"));
            System.out.printf(Locale.ROOT, "%s float %.4f%n", stem, QuantPointProbe.rmse(g, x, y));
            for (String c : cases) {
                Finetune.Options o = Finetune.Options.defaults();
                List<String> f = List.of(c.split(":"));
                double lr = o.learningRate();
                int epochs = o.epochs(), patience = o.patience(), batch = o.batchSize();
                long seed = o.seed();
                for (String k : f) {
                    if (k.startsWith("lr=")) lr = Double.parseDouble(k.substring(3));
                    if (k.startsWith("ep=")) epochs = patience = Integer.parseInt(k.substring(3));
                    if (k.startsWith("bs=")) batch = Integer.parseInt(k.substring(3));
                    if (k.startsWith("seed=")) seed = Long.parseLong(k.substring(5));
                }
                o = new Finetune.Options(epochs, batch, lr, seed, patience, o.threads());
                QuantPlan p4 = Finetune.plan(g, cal, opts(Integer.getInteger("tfq.probe.bits", 4), f.contains("mse") ? QuantOptions.RangeMethod.MSE : QuantOptions.RangeMethod.MINMAX));
                QuantPlan p8 = Finetune.plan(g, cal, opts(8, QuantOptions.RangeMethod.MINMAX));
                String input = g.inputs().get(0).name();
                QuantPlan p = p4;
                if (f.contains("input4")) p = with(p8, input, p4.activation(input));
                if (f.contains("rest4")) p = with(p4, input, p8.activation(input));
                for (String k : f) if (k.startsWith("wide=")) p = widest(g, p4, p8, Integer.parseInt(k.substring(5)), vx, vy);
                long t0 = System.nanoTime();
                Finetune.Result res = Finetune.run(g, p, tx, ty, vx, vy, o, null);
                org.tfq.passes.quant.IntegerModel im = org.tfq.passes.quant.Quantize.run(res.graph(), FinetuneBench.trained(4), true, null);
                System.out.printf(Locale.ROOT, "  %-8s start %.4f  tuned %.4f  integer %.4f  (epoch %d, %.1f s)%n", c, QuantPointProbe.rmse(InsertFakeQuant.run(Finetune.fused(g), p), x, y),
                        QuantPointProbe.rmse(res.graph(), x, y), FinetuneTest.rmse(im, x, y), res.bestEpoch(), (System.nanoTime() - t0) / 1e9);
                if (f.contains("where")) where(res.graph(), im, x);
            }
        }
    }

    /** Per integer value with a same-named fake-quantized float value: the largest |dequantized - float| over the windows. */
    static void where(Graph fq, org.tfq.passes.quant.IntegerModel im, List<FloatTensor> x) {
        Map<String, Double> worst = new java.util.LinkedHashMap<>();
        for (FloatTensor w : x) {
            Map<String, FloatTensor> f = org.tfq.ir.FloatInterpreter.runAll(fq, Map.of(fq.inputs().get(0).name(), w));
            Map<String, org.tfq.ir.IntTensor> q = org.tfq.ir.IntInterpreter.runAll(im.graph(), im.quantizeInput(w));
            for (org.tfq.ir.Node n : im.graph().nodes()) {
                String name = n.output().name();
                FloatTensor ref = f.get(name.endsWith("_float") && f.containsKey(name.substring(0, name.length() - 6)) ? name.substring(0, name.length() - 6) : name);
                org.tfq.ir.IntTensor got = q.get(n.output().name());
                if (ref == null || got == null || !ref.shape().equals(got.shape())) continue;
                var t = n.output().type().intType();
                double m = 0;
                for (int i = 0; i < ref.data().length; i++) m = Math.max(m, Math.abs((got.data()[i] - t.zeroPoint()) * t.scale() - ref.data()[i]) / t.scale());
                worst.merge(n.output().name() + " " + n.op().mnemonic(), m, Math::max);
            }
        }
        worst.forEach((k, v) -> System.out.printf(Locale.ROOT, "    %-70s max %.2f steps%n", k, v));
    }

    /**
     * {@code narrow} with its {@code k} activation points that cost most alone (each alone at
     * narrow's width, the rest at wide's, on the validation windows) at wide's width.
     */
    static QuantPlan widest(Graph g, QuantPlan narrow, QuantPlan wide, int k, List<FloatTensor> x, List<FloatTensor> y) {
        Graph f = Finetune.fused(g);
        Map<String, Double> cost = new HashMap<>();
        for (String v : narrow.activations().keySet()) cost.put(v, QuantPointProbe.rmse(InsertFakeQuant.run(f, with(wide, v, narrow.activation(v))), x, y));
        List<String> order = cost.keySet().stream().sorted((a, b) -> Double.compare(cost.get(b), cost.get(a))).toList();
        QuantPlan p = narrow;
        for (String v : order.subList(0, Math.min(k, order.size()))) p = with(p, v, wide.activation(v));
        System.out.println("    at 8 bits: " + order.subList(0, Math.min(k, order.size())));
        return p;
    }

    static QuantPlan with(QuantPlan p, String value, QuantSpec q) {
        Map<String, QuantSpec> acts = new HashMap<>(p.activations());
        acts.put(value, q);
        return new QuantPlan(acts, p.weights(), false);
    }

    static QuantOptions opts(int bits, QuantOptions.RangeMethod ranges) {
        return new QuantOptions(bits, Map.of(), ranges, true, QuantOptions.DEFAULT_OUTPUT_BITS, bits, 0, QuantOptions.WeightRounding.NEAREST);
    }
}
